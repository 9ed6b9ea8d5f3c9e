"""Build every sample repository into one folder, reusing what the same builder code made before.

A finished build leaves a marker file inside its .git holding the builder version; a later call
keeps a repository whose marker matches and rebuilds anything else. The version folds in a digest
of this package's sources, so editing a builder is enough to get fresh repositories everywhere.
Each repository is built in a scratch folder next to its destination and moved into place only
once complete, so an interrupted build never leaves a half-built repository that looks current.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .blast import build_blast
from .goapp import build_goapp
from .payments import build_payments

# Bump when the layout of a build changes in a way the source digest cannot see.
FORMAT = 1
MARKER = "review-tui-sample"  # file name inside <repo>/.git

SAMPLES: dict[str, Callable[[Path], Path]] = {
    "payments-service": build_payments,
    "go-ledger": build_goapp,
    "blast-radius": build_blast,
}


@functools.lru_cache(maxsize=1)
def builder_version() -> str:
    """FORMAT plus a digest of every module of this package."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(b"\0")
        digest.update(source.read_bytes())
    return f"{FORMAT}-{digest.hexdigest()[:16]}"


def is_current(repo_path: Path) -> bool:
    """True when `repo_path` holds a complete build made by this builder version."""
    marker = repo_path / ".git" / MARKER
    try:
        return marker.read_text(encoding="utf-8").strip() == builder_version()
    except OSError:
        return False


class NotASample(FileExistsError):
    """The destination of a sample holds something review-tui did not build: it is never replaced."""


def is_sample(path: Path) -> bool:
    """True when `path` holds a build of any builder version (its marker), so rebuilding it loses nothing
    of the user's."""
    return (path / ".git" / MARKER).is_file()


def check_target(path: Path) -> None:
    """Refuse a destination that exists and is not a sample build (a user's own `go-ledger`): the build
    replaced it, and everything in it was gone."""
    if (path.exists() or path.is_symlink()) and not is_sample(path):
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            return  # an empty folder holds nothing to lose
        raise NotASample(f"{path} exists and is not a review-tui sample repository: it is left as it is "
                         "(choose another --dest, or move it away)")


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def build_one(name: str, dest: Path, *, force: bool = False) -> Path:
    """Build sample `name` into dest/<name> unless a current build is already there."""
    build = SAMPLES[name]
    target = dest / name
    if not force and is_current(target):
        return target
    check_target(target)
    dest.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=dest))
    try:
        built = build(scratch / name)
        (built / ".git" / MARKER).write_text(builder_version() + "\n", encoding="utf-8")
        _remove(target)
        built.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def build_all(dest: Path, *, force: bool = False) -> dict[str, Path]:
    """Build every sample into dest/<name>; return name -> repository path. Every destination is checked
    first, so a refused one leaves nothing half done."""
    for name in SAMPLES:
        if force or not is_current(Path(dest) / name):
            check_target(Path(dest) / name)
    return {name: build_one(name, Path(dest), force=force) for name in SAMPLES}
