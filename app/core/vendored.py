"""Vendored third-party code: which of a change's files are other projects' code, the one answer the tiers, the
destructive-operation detectors and the blast radius's seams share (the plan collapses them through their tier).

A directory is vendored on evidence, not on its name alone: a project may name its own code `vendor` (a shop's
sellers). A `node_modules/` or `bower_components/` is a package manager's install directory: vendored by name.
A `vendor/`, `third_party/` or `third-party/` is vendored when
- a vendoring tool's manifest says so: Go's `go mod vendor` (`vendor/modules.txt`, or a `go.mod` beside it: the
  go command builds from it, no package of the module can be named vendor), dep (`Gopkg.lock`), glide
  (`glide.lock`), godep (`Godeps/Godeps.json`), govendor (`vendor/vendor.json`), PHP's Composer
  (`vendor/autoload.php`, `composer.lock`), at the change's base or head; or
- it carries another project's licence: a LICENSE (COPYING ...) in it or in one of its directories
  (uv's crates/uv-extract/src/vendor/LICENSE, a cloned project's vendor/cordis/LICENSE).
Evidence found in the mirrors at hand (lazygit, spf13/cobra's dep era, go-chi, uv): every such directory was
third-party code. A `.gitattributes` that marks a file `-linguist-vendored` makes it the project's own
(`own_code`), whatever the directory says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

VENDORED_DIRS: tuple[str, ...] = ("vendor", "third_party", "third-party", "node_modules", "bower_components")
"""Directories named for other projects' code (the plan's VENDORED_GLOBS collapses them by that name)."""
BY_NAME = frozenset({"node_modules", "bower_components"})
"""Package managers' install directories: nothing in one is the project's own code."""
ON_EVIDENCE = frozenset(VENDORED_DIRS) - BY_NAME
"""Directories named for other projects' code, vendored when a manifest or a licence says so."""

# (path inside the directory, or beside it with "../", what it says); only `vendor` is a Go or Composer directory
_MANIFESTS: tuple[tuple[str, str], ...] = (
    ("modules.txt", "Go's `go mod vendor`"), ("../go.mod", "a Go module's vendor directory"),
    ("../Gopkg.lock", "Go's dep"), ("../glide.lock", "Go's glide"), ("../Godeps/Godeps.json", "Go's godep"),
    ("vendor.json", "Go's govendor"), ("autoload.php", "PHP's Composer"), ("../composer.lock", "PHP's Composer"),
)
_LICENCE = re.compile(r"^(?:licen[cs]e|copying|unlicense)(?:[.-][\w.-]*)?$", re.IGNORECASE)
MAX_LISTED = 400  # names read per directory when looking for a licence: a vendored tree shows one at once


def candidate_roots(paths: Iterable[str]) -> dict[str, str]:
    """The directories among `paths` named for other projects' code (the outermost one in each path) -> name."""
    out: dict[str, str] = {}
    for path in paths:
        parts = path.split("/")[:-1]
        for i, part in enumerate(parts):
            name = part.lower()
            if name in BY_NAME or name in ON_EVIDENCE:
                out.setdefault("/".join(parts[: i + 1]), name)
                break
    return out


@dataclass(frozen=True)
class Vendored:
    """The vendored directories of a change, root -> the evidence, and the files a .gitattributes says are the
    project's own (`own_code`). Calling it says whether a path is vendored third-party code."""

    roots: Mapping[str, str] = field(default_factory=dict)
    own_code: Callable[[str], bool] | None = None

    def root_of(self, path: str) -> str | None:
        """The vendored directory holding `path`, unless a .gitattributes says the file is the project's own."""
        root = next((r for r in self.roots if path.startswith(f"{r}/")), None)
        if root is None or (self.own_code is not None and self.own_code(path)):
            return None
        return root

    def __call__(self, path: str | None) -> bool:
        return path is not None and self.root_of(path) is not None

    def evidence(self, root: str) -> str:
        return self.roots.get(root, "")


def find_vendored(paths: Iterable[str], present: Callable[[list[str]], Iterable[str]],
                  names_under: Callable[[str], Iterable[str]] | None = None,
                  own_code: Callable[[str], bool] | None = None) -> Vendored:
    """Which of the directories `paths` run through are vendored (the module doc says on what evidence).
    `present(paths)`: those of `paths` the change's base or head has (tree lookups); `names_under(dir)`: the file
    names in `dir` and in its directories, relative to it (None: no licence is looked for, but among `paths`)."""
    paths = list(paths)
    candidates = candidate_roots(paths)
    roots: dict[str, str] = {}
    wanted: dict[str, tuple[str, str]] = {}
    for root, name in candidates.items():
        if name in BY_NAME:
            roots[root] = f"{name}/: a package manager's install directory"
            continue
        if name != "vendor":
            continue
        parent = root.rsplit("/", 1)[0] + "/" if "/" in root else ""
        for where, what in _MANIFESTS:
            file = parent + where[3:] if where.startswith("../") else f"{root}/{where}"
            wanted.setdefault(file, (root, f"{file}: {what}"))
    found = set(present(list(wanted))) if wanted else set()
    for file, (root, said) in wanted.items():  # in _MANIFESTS order: the first evidence is the one said
        if file in found and root not in roots:
            roots[root] = said
    for root in candidates:
        if root not in roots and (licence := _licence(root, paths, names_under)) is not None:
            roots[root] = f"{root}/{licence}: another project's licence"
    return Vendored(roots, own_code)


def _licence(root: str, paths: list[str], names_under: Callable[[str], Iterable[str]] | None) -> str | None:
    """A licence file in `root` or one directory down, among the change's paths or the tree's names."""
    prefix = f"{root}/"
    names = [p[len(prefix):] for p in paths if p.startswith(prefix)]
    if names_under is not None:
        names += list(names_under(root))
    for name in names:
        parts = name.split("/")
        if len(parts) <= 2 and _LICENCE.match(parts[-1]):
            return name
    return None
