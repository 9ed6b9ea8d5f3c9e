"""The plan of a dependency bump: its manifests (go.mod, package.json, pyproject.toml ...) one chunk read first,
the lock files its package tool rewrote (go.sum, vendor/modules.txt, package-lock.json ...) one skimmed chunk
beside it, and its vendored tree one collapsed chunk per dependency directory (`vendor/golang.org/x/crypto`,
`node_modules/@scope/name`) with a skim's floor: lazygit's pull/3065 bumped golang.org/x/net in go.mod and was 21
chunks and a 1-hour floor, 19 of them per-directory slices of vendor/ that no one reads line by line (the tool wrote
them; what to judge is which versions the manifest asks for).

A vendored file is one of `app/core/vendored.py`'s (its tool's records touched by the change, not a hand patch);
a dependency directory is the Go module that `vendor/modules.txt` names for it (the longest that holds the file),
else read from the path: a Go import path's host and one or two more parts (`github.com/owner/repo`,
`golang.org/x/net`, `gopkg.in/yaml.v3`, `go.uber.org/zap`), a scoped npm package (`@scope/name`), else the first
directory (an npm package, Composer's `vendor/owner/package` by its two).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.core.dependencies import is_dependency_record, is_lock_file
from app.core.vendored import Vendored

ROLE_MANIFESTS = "manifests"
ROLE_LOCKS = "locks"
ROLE_VENDORED = "vendored"
ROLE_RANK = {ROLE_MANIFESTS: 0, ROLE_LOCKS: 1}
"""Risk order: a bump's manifests first, its lock files next (what the rest of the change is read against)."""

# Go hosts whose module paths have three parts (host/owner/repo, golang.org/x/name); others have two
_THREE_PART_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "golang.org", "go.googlesource.com",
                               "git.sr.ht", "codeberg.org"})


def go_modules(text: str) -> list[str]:
    """The modules `go mod vendor` lists in vendor/modules.txt (`# golang.org/x/net v0.17.0`), longest first."""
    found = {line.split()[1] for line in text.splitlines() if line.startswith("# ") and len(line.split()) >= 3}
    return sorted(found, key=len, reverse=True)


def dependency_dir(path: str, root: str, modules: Sequence[str] = ()) -> tuple[str, str] | None:
    """(the dependency directory holding `path` inside the vendored `root`, the dependency's name); None for a
    file of the tool's own at the root (vendor/modules.txt, node_modules/.package-lock.json)."""
    rest = path[len(root) + 1:]
    parts = rest.split("/")
    if len(parts) < 2:
        return None
    module = next((m for m in modules if rest.startswith(f"{m}/")), None)
    if module is None:
        first = parts[0]
        if root.rsplit("/", 1)[-1].lower() != "vendor":  # node_modules, bower_components: a package a directory
            count = 2 if first.startswith("@") else 1
        else:  # a Go host (three parts or two), else Composer's vendor/owner/package
            count = 3 if first in _THREE_PART_HOSTS else 2
        module = "/".join(parts[:min(count, len(parts) - 1)])
    return f"{root}/{module}", module


@dataclass
class BumpPlan:
    """What the planner knows of a change's dependency bump: its vendored trees (`vendored`), the Go modules their
    modules.txt lists, and the bump in words (`note`, app/core/dependencies.py describe) for the manifests' chunk."""

    vendored: Vendored
    note: str = ""
    modules: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # dependency directory -> the dependency's name

    def group_of(self, path: str) -> str | None:
        """The bump's group a changed file goes to: ROLE_MANIFESTS, ROLE_LOCKS, or its dependency directory;
        None: planned as any file is."""
        root = self.vendored.root_of(path)
        if root is not None:
            found = dependency_dir(path, root, self.modules)
            if found is not None:
                self.names[found[0]] = found[1]
                return found[0]
            return ROLE_LOCKS if is_dependency_record(path) else None
        if is_dependency_record(path):
            return ROLE_LOCKS if is_lock_file(path) or path.lower().endswith("modules.txt") else ROLE_MANIFESTS
        return None

    def reviewed_by(self, paths: Iterable[str]) -> str:
        """The manifests and lock files a vendored chunk's reader is sent to ("go.mod, go.sum"): the project's, not a
        vendored package's own composer.json or package.json (BookStack pr/568 sent its reader to 31 of those)."""
        records = [p for p in paths if is_dependency_record(p) and not p.lower().endswith("modules.txt")
                   and self.vendored.root_of(p) is None]
        return ", ".join(records[:3]) + (f" and {len(records) - 3} more" if len(records) > 3 else "")
