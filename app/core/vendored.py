"""Vendored third-party code: which of a change's files are other projects' code brought in by a package tool, the
one answer the tiers, the destructive-operation detectors and the blast radius's seams share (the plan collapses
them through their tier).

A directory is vendored on evidence, not on its name alone (a project may name its own code `vendor`, a shop's
sellers): a package tool's records in or beside it at the change's base or head say the tool manages it: Go's
`go mod vendor` (`vendor/modules.txt`, a `go.mod` beside it: the go command builds from it, and no package of the
module can be named vendor), dep (`Gopkg.lock`), glide, godep, govendor, PHP's Composer (`composer.json`,
`vendor/autoload.php`). And the change must touch those records: a dependency bump rewrites the tree with its manifest
(go.mod, go.sum, modules.txt), and is ranked by the manifest. Composer's layout is evidence too when its records
are not in the change: every package directory the change touches, `vendor/<owner>/<package>/`, comes with its own
composer.json (or licence) touched, as an install writes it (`_composer_packages`).
A vendored file edited with no record touched is a hand patch of a dependency (lazygit's edits to its vendored
gocui): the project now ships code no release of it has, so its path's tiers apply.
A `node_modules/` or `bower_components/` is third-party by its name alone, record or not: it
is the package manager's install directory, every file in it is the tool's output (npm, yarn and pnpm write it;
`npm ci` deletes it whole before installing), so an edit there is undone by the next install rather than shipped as
a patch (npm's lasting patches live outside it, patch-package's `patches/`, read as code), and Node resolves no
file of the project's own from it; a Go `vendor/` has no such owner (`go build -mod=vendor` builds what is there,
edits included). A copy
kept by hand with a licence (uv's crates/uv-extract/src/vendor/) has no tool: the project's to review, as are
`third_party/` trees (Chromium's third_party/blink is its own code); the plan still collapses them by name.
A Rails application's `vendor/assets/` is other projects' code by the framework's own rule (the asset pipeline
guide: "vendor/assets is for assets that are owned by outside entities, such as code for JavaScript plugins and CSS
frameworks"), copied by hand or by a gem: the app's `config/application.rb` beside `vendor/` is the evidence, no record
has to change (rubygems.org pr/2108's vendor/assets/javascripts/webauthn-json.js, a UMD bundle of a library, gave the
change its worst function and 1,000 lines of its code size).
Evidence in the mirrors at hand (lazygit's go mod vendor, and dep in 2018; spf13/cobra's dep era): every such
directory was third-party code. A `.gitattributes` that marks a file `-linguist-vendored` makes it the project's own
(`own_code`), whatever the directory says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

VENDORED_DIRS: tuple[str, ...] = ("vendor", "third_party", "third-party", "node_modules", "bower_components")
"""Directories named for other projects' code (the plan's VENDORED_GLOBS collapses them by that name)."""
BY_NAME = frozenset({"node_modules", "bower_components"})
"""Package managers' install directories: nothing in one is the project's own code, whichever files the change
touches (the module doc says why)."""

# A package tool's records of a directory it manages: (path inside it, or beside it with "../", the tool)
_RECORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "vendor": (("modules.txt", "Go's `go mod vendor`"), ("../go.mod", "Go modules"), ("../go.sum", "Go modules"),
               ("../Gopkg.lock", "Go's dep"), ("../Gopkg.toml", "Go's dep"), ("../glide.lock", "Go's glide"),
               ("../glide.yaml", "Go's glide"), ("../Godeps/Godeps.json", "Go's godep"),
               ("vendor.json", "Go's govendor"), ("autoload.php", "PHP's Composer"),
               ("../composer.lock", "PHP's Composer"), ("../composer.json", "PHP's Composer")),
}


def candidate_roots(paths: Iterable[str]) -> dict[str, str]:
    """The directories among `paths` a package tool may manage (the outermost one in each path) -> its name."""
    out: dict[str, str] = {}
    for path in paths:
        parts = path.split("/")[:-1]
        for i, part in enumerate(parts):
            name = part.lower()
            if name in _RECORDS or name in BY_NAME:
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
                  own_code: Callable[[str], bool] | None = None) -> Vendored:
    """Which of the directories the change's `paths` run through hold vendored code the change's package tool
    brought (the module doc says on what evidence). `present(paths)`: those of `paths` the change's base or head
    has (tree lookups)."""
    paths = list(paths)
    touched = set(paths)
    candidates = candidate_roots(paths)
    records: dict[str, list[tuple[str, str]]] = {}
    roots: dict[str, str] = {root: f"{name}/: a package manager's install directory"
                             for root, name in candidates.items() if name in BY_NAME}
    for root, name in candidates.items():
        if name in BY_NAME:
            continue
        parent = root.rsplit("/", 1)[0] + "/" if "/" in root else ""
        records[root] = [(parent + where[3:] if where.startswith("../") else f"{root}/{where}", tool)
                         for where, tool in _RECORDS[name]]
    rails = _rails_assets(paths, records)
    wanted = [file for found in records.values() for file, _tool in found] + list(rails.values())
    there = set(present(wanted)) if wanted else set()
    roots |= {assets: f"{app}: Rails keeps other projects' assets in vendor/assets" for assets, app in rails.items()
              if app in there}
    for root, found in records.items():
        if not any(file in touched for file, _tool in found):
            continue  # no record changed: a hand edit of the tree (or no tool manages it)
        if (first := next(((f, t) for f, t in found if f in there), None)) is not None:
            roots[root] = f"{first[0]}: {first[1]}"
    for root in records:
        if root not in roots and (evidence := _composer_packages(root, paths, present)):
            roots[root] = evidence
    return Vendored(roots, own_code)


def _composer_packages(root: str, paths: list[str], present: Callable[[list[str]], Iterable[str]]) -> str:
    """Composer's evidence for a `vendor/` the change writes into without its records (no composer.json or
    composer.lock beside it touched, no vendor/autoload.php): every package directory the change touches,
    `vendor/<owner>/<package>/`, has its own composer.json, and the change touches it (or the package's licence)
    as an install or update does; `""` when any does not (a hand patch of a dependency is the project's to review,
    as in Go's vendor/). BookStack pr/568 added 849 files of vendor/laravel/{framework,socialite,browser-kit-testing},
    each with its LICENSE and composer.json and nothing else of Composer's: 220 chunks and a 47-hour floor, tier 0
    by vendor/laravel/framework/src/Illuminate/Auth/."""
    if root.rsplit("/", 1)[-1].lower() != "vendor":
        return ""
    packages: dict[str, bool] = {}  # package directory -> whether the change touches its manifest or licence
    for path in paths:
        parts = path[len(root) + 1:].split("/") if path.startswith(f"{root}/") else []
        if len(parts) < 3:
            continue  # Composer's own files (vendor/autoload.php, vendor/composer/installed.json) or stray ones
        package = f"{root}/{parts[0]}/{parts[1]}"
        own = len(parts) == 3 and (parts[2].lower() == "composer.json" or LICENCE_FILE_NAME.match(parts[2]) is not None)
        packages[package] = packages.get(package, False) or own
    if not packages or not all(packages.values()):
        return ""
    manifests = [f"{package}/composer.json" for package in sorted(packages)]
    if not set(manifests) <= set(present(manifests)):
        return ""
    more = f" and {len(manifests) - 1} more" if len(manifests) > 1 else ""
    return (f"{manifests[0]}{more}: PHP's Composer (vendor/<owner>/<package>/, each package with its own "
            "composer.json)")


LICENCE_FILE_NAME = re.compile(r"^(?:licen[cs]e|copying|unlicense)(?:[.-][\w.-]*)?$", re.IGNORECASE)
"""A licence file's name (LICENSE, COPYING.txt, LICENCE-MIT, UNLICENSE): a package's own, or a vendored tree's."""


def _rails_assets(paths: list[str], records: Mapping[str, object]) -> dict[str, str]:
    """The `vendor/assets` directories among `paths` (under a vendor root of `records`) -> the `config/application.rb`
    that would make them a Rails application's (the module doc says why that is evidence enough)."""
    out: dict[str, str] = {}
    for root in records:
        if root.rsplit("/", 1)[-1].lower() != "vendor" or not any(p.startswith(f"{root}/assets/") for p in paths):
            continue
        parent = root.rsplit("/", 1)[0] + "/" if "/" in root else ""
        out[f"{root}/assets"] = f"{parent}config/application.rb"
    return out
