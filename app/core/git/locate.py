"""Is there a repository here, by the filesystem alone? For the TUI's start, which paints its screen
before it imports pygit2 (25 ms) and the analysis (issue 18: the first paint within 1.5x of a trivial
Textual app's).

`plain_repository` looks for what git itself looks for (a `.git` directory or a `gitfile` in the path or
one of its parents, or a bare repository's layout) and for a branch the default base would be (origin's
HEAD, main, master, their origin/ twins, or the branch HEAD names in a bare repository): loose refs and
`packed-refs`. It answers only "certainly usable"; anything unusual (GIT_DIR set, another owner, a
reftable, a filesystem boundary, an unreadable file, no base branch) is None, and the caller asks
pygit2, whose answer (and one-line error) is the authority. Never imports pygit2; never raises.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_BASE_REFS = ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master", "refs/remotes/origin/main",
              "refs/remotes/origin/master")
_MAX_PARENTS = 64  # directories walked up at most
_MAX_REF_FILE = 4096
_MAX_PACKED_REFS = 64 * 1024 * 1024  # a packed-refs file past this is left to pygit2


@dataclass(frozen=True)
class PlainRepository:
    """A repository found on disk: its git directory, and its working tree (None when bare)."""

    git_dir: Path
    workdir: Path | None


def plain_repository(path: str | os.PathLike[str]) -> PlainRepository | None:
    """The repository at or above `path` when the filesystem shows a usable one with a default base
    branch; None when it does not, or cannot tell (ask pygit2)."""
    try:
        return _find(Path(path).expanduser())
    except (OSError, ValueError, UnicodeError):
        return None


def _find(target: Path) -> PlainRepository | None:
    if any(os.environ.get(name) for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")):
        return None
    here = target.resolve(strict=True)
    if not here.is_dir():
        return None
    device = here.stat().st_dev
    for _ in range(_MAX_PARENTS):
        if here.stat().st_dev != device:
            return None  # pygit2 stops at a filesystem boundary: let it say so
        dot_git = here / ".git"
        if dot_git.is_dir():
            return _usable(dot_git, here) if _is_git_dir(dot_git) else None
        if dot_git.is_file():
            git_dir = _gitfile_target(dot_git)
            return _usable(git_dir, here) if git_dir is not None and _is_git_dir(git_dir) else None
        if _is_git_dir(here):
            return _usable(here, None)
        if here.parent == here:
            return None
        here = here.parent
    return None


def _gitfile_target(gitfile: Path) -> Path | None:
    """The git directory a `.git` file (a linked worktree's, a submodule's) points to."""
    if gitfile.stat().st_size > _MAX_REF_FILE:
        return None
    text = gitfile.read_text("utf-8").strip()
    if not text.startswith("gitdir:"):
        return None
    pointed = Path(text.removeprefix("gitdir:").strip())
    return (gitfile.parent / pointed).resolve() if not pointed.is_absolute() else pointed.resolve()


def _common_dir(git_dir: Path) -> Path:
    """Where refs and objects live: a linked worktree's git dir names its repository's in `commondir`."""
    named = git_dir / "commondir"
    if named.is_file():
        pointed = Path(named.read_text("utf-8").strip())
        return (git_dir / pointed).resolve() if not pointed.is_absolute() else pointed.resolve()
    return git_dir


def _is_git_dir(path: Path) -> bool:
    """git's own test (setup.c is_git_directory): a HEAD, and objects/ and refs/ (in the common dir)."""
    head = path / "HEAD"
    if not head.is_file():
        return False
    common = _common_dir(path)
    return (common / "objects").is_dir() and (common / "refs").is_dir()


def _usable(git_dir: Path, workdir: Path | None) -> PlainRepository | None:
    common = _common_dir(git_dir)
    uid = getattr(os, "getuid", None)
    for owned in (git_dir, common, *(() if workdir is None else (workdir,))):
        if uid is not None and owned.stat().st_uid != uid():
            return None  # libgit2's safe.directory rule: pygit2 says what it says
    if (common / "reftable").exists() or _config_says(common, "[extensions]"):
        return None  # a reftable, sha256 objects, a partial clone ...: whether libgit2 reads it is its to say
    wanted = list(_BASE_REFS)
    if workdir is None or not (git_dir / "index").exists():  # bare or never checked out: HEAD's branch too
        head = _read_small(git_dir / "HEAD")
        if head is not None and head.startswith("ref: refs/heads/"):
            wanted.append(head.removeprefix("ref: ").strip())
    for name in wanted:
        for root in {git_dir, common}:
            if (root / name).is_file():
                return PlainRepository(git_dir, workdir)
    packed = common / "packed-refs"
    if packed.is_file() and packed.stat().st_size <= _MAX_PACKED_REFS:
        names = set(wanted)
        with packed.open("rb") as lines:
            for raw in lines:
                _, _, listed = raw.rstrip(b"\r\n").partition(b" ")
                if listed.decode("utf-8", "replace") in names:
                    return PlainRepository(git_dir, workdir)
    return None


def _read_small(path: Path) -> str | None:
    if not path.is_file() or path.stat().st_size > _MAX_REF_FILE:
        return None
    return path.read_text("utf-8", "replace")


def _config_says(common: Path, key: str) -> bool:
    """Whether the repository's config mentions `key` at all (an extension this check does not know)."""
    config = common / "config"
    if not config.is_file() or config.stat().st_size > _MAX_PACKED_REFS:
        return False
    return key in config.read_text("utf-8", "replace").lower()
