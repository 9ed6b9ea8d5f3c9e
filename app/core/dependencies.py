"""A change's dependency bump: which third-party packages its manifests and lock files add, remove or move to another
version, read from both versions of each file with a real parser (tomllib for pyproject.toml, Cargo.toml, Pipfile,
uv.lock, poetry.lock, pdm.lock, Cargo.lock and Go dep's Gopkg.toml and Gopkg.lock; json for package.json,
package-lock.json, composer.json, composer.lock, Pipfile.lock and bun.lock, its trailing commas dropped; PyYAML for
pnpm-lock.yaml and Yarn 2+'s yarn.lock; go.mod's, requirements files', Yarn 1's yarn.lock and Bundler's Gemfile.lock
formats by their grammar; Gradle scripts, Gradle version catalogues and Maven's pom.xml by jvm_dependencies.py).
Nothing here runs or imports the repository's content: the Gemfile is Ruby, so what it declares is read from the
DEPENDENCIES that Bundler records in Gemfile.lock. A file too large for its parser's budget, or one that does not
parse, is not read, and said so with why (`unread`), never guessed at.

A dependency only development and tests use (package.json's devDependencies, npm's lock entries marked `"dev":
true`, pyproject's dependency groups and Poetry's dev groups, Pipfile's dev-packages, composer's require-dev,
Cargo's dev-dependencies, Gradle's test configurations (testImplementation ...) and Maven's test scope, a Gemfile's
`group :development, :test do ... end`, read as text, never run) is marked `dev`: it does not change what runs in
production, and weighs a quarter (DEV_SHARE). Where a file does not say (yarn.lock, pnpm-lock.yaml, a lock entry
that came along), a dependency is weighed as production's.

A bump is a supply-chain change a reviewer should see whatever its size: a go.mod line of lazygit's pull/3065
brought 125 files of golang.org/x/net into vendor/, and scored 0 with "0 changed lines in source files". The
manifests name what the project depends on directly (`direct`); a lock file's entries that no manifest of the change
names are what came along (`locked`: transitive, or a lock-only `npm update`); a lock file names every version of a
package it holds ("3.10.1, 4.17.21": lodash 3 under one dependency, 4 under another), so a move of either is seen.
bun.lockb is binary: not read, and said so (`unread`; Bun 1.2's text bun.lock is read); go.sum adds nothing go.mod
does not say.

Kinds: `added`, `production` (a dependency a manifest moves from its dev/test section to production's at the same
version: now it runs in production, as a new one does; BookStack's fb5df49fd "moved flare to non-dev", the Ignition
debug page facade/ignition from require-dev to require, and it went unsaid), `removed`, `major` (the first version
number moves, or the second of a 0.x version: npm's caret, Cargo and semver all read a 0.x minor as incompatible),
`downgrade`, `update` (minor, patch, or a version that is not numbers: a commit id, a range).
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from app.core import jvm_dependencies as jvm

MAX_MANIFEST_BYTES = 20_000_000
"""A larger manifest or lock file is not read (said so: `unread`): json and the line formats read 20 MB in well
under a second."""
MAX_SLOW_PARSE_CHARS = 5_000_000
"""YAML and TOML lock files are read by Python code (PyYAML's constructor, tomllib): about 1 s a megabyte on a
loaded two-core machine, where 20 MB took a minute. Real ones are far smaller (astral-sh/uv's Cargo.lock 194 KB,
its uv.lock 331 KB); a larger one is not read, and said so."""

MANIFEST_NAMES = frozenset({"go.mod", "package.json", "pyproject.toml", "cargo.toml", "composer.json", "gopkg.toml",
                            "glide.yaml", "bower.json", "pipfile"})
"""Files where a project names its dependencies (read: a person writes them)."""
LOCK_NAMES = frozenset({"go.sum", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
                        "bun.lock", "bun.lockb", "uv.lock", "poetry.lock", "pdm.lock", "pipfile.lock", "cargo.lock",
                        "composer.lock", "gopkg.lock", "glide.lock", "gemfile.lock"})
"""Files a package tool writes to pin what it resolved (skimmed)."""
BINARY_LOCK_NAMES = frozenset({"bun.lockb"})
"""Lock files in a binary format (Bun before 1.2): what they pin is not read, and the change says so."""
_REQUIREMENTS = re.compile(r"(?:^|[-_.])requirements(?:[-_.][\w.-]*)?\.(?:txt|in)$|^constraints\.txt$")
_PEP508_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)")
_NUMBERS = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")

DIRECT_UNITS = {"added": 1.0, "production": 1.0, "major": 1.0, "downgrade": 1.0, "update": 0.25, "removed": 0.25}
"""The weight of one direct dependency change in the dependencies impact factor (score.py sums and saturates them):
a new dependency is a new party whose code now runs with the project's rights (a supply-chain entry: typosquats and
hijacked packages come in this way), a major bump or a downgrade may break its callers (semver says it may), a minor
or patch update brings in others' code unread but keeps its interface, and a removal takes code out (a caller it
leaves behind fails the build, which CI catches)."""
LOCKED_UNITS = 0.05
"""One lock file entry no manifest of the change names (what came along): twenty of them weigh one new dependency,
and all of them together at most that (LOCKED_CAP): hono's pull/5080 moved 5 dev dependencies and 292 locked
packages with them; what the reviewer decides on is the 5."""
LOCKED_CAP = 1.0
DEV_SHARE = 0.25
"""The share of its weight a dev/test-only change keeps (DependencyChange.dev): it does not change what runs in
production, but it still runs with the developer's and CI's rights (a hijacked test tool reads their secrets), so
not nothing: a dev tool's major bump weighs a production minor update."""


@dataclass(frozen=True)
class DependencyChange:
    """One dependency a change adds, removes or moves: its name, versions (or specs) before and after ("" for
    none), the kind (module doc), and the manifest or lock file that says so."""

    name: str
    old: str
    new: str
    kind: str
    where: str
    dev: bool = False  # only development and tests use it (the module doc): weighs DEV_SHARE

    def text(self) -> str:
        if self.kind in ("added", "production"):
            return f"{self.name} {self.new}".rstrip()
        if self.kind == "removed":
            return f"{self.name} {self.old}".rstrip()
        if is_lock_file(self.where) and ", " in self.old + self.new:
            # a lock file's several versions of a package: what moved, beside what stayed ("+9.2.2 (beside 8.0.0)")
            before, after = self.old.split(", "), self.new.split(", ")
            gone, came = [v for v in before if v not in after], [v for v in after if v not in before]
            kept = [v for v in before if v in after]
            moved = (f"{', '.join(gone)} -> {', '.join(came)}" if gone and came
                     else f"+{', '.join(came)}" if came else f"-{', '.join(gone)}")
            return f"{self.name} {moved}" + (f" (beside {', '.join(kept)})" if kept else "")
        return f"{self.name} {self.old} -> {self.new}"

    def to_list(self) -> list[str]:
        return [self.kind, self.name, self.old, self.new, self.where] + (["dev"] if self.dev else [])

    @classmethod
    def from_list(cls, data: Iterable[str]) -> DependencyChange:
        kind, name, old, new, where, *rest = (str(x) for x in data)
        return cls(name, old, new, kind, where, dev=rest[:1] == ["dev"])


@dataclass(frozen=True)
class DependencyBump:
    """What a change does to its dependencies: the direct changes (its manifests'), and the lock file entries no
    manifest names (`locked`)."""

    direct: tuple[DependencyChange, ...] = ()
    locked: tuple[DependencyChange, ...] = ()
    # the manifests and lock files it changes that were not read, and why: [path, "binary" (bun.lockb), "too
    # large: ...", "does not parse: ..."]
    unread: tuple[tuple[str, str], ...] = ()
    # the manifests and lock files whose every change is to dependencies only development and tests use, and
    # nothing else (dev_only_files): they change nothing that runs in production
    dev_only: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.direct or self.locked)

    def named(self, shown: int = 3) -> tuple[DependencyChange, ...]:
        """The locked entries to name, the riskiest first: where no manifest says what moved (a lock-only bump), and
        beside a manifest's changes when they are `shown` or fewer ("1 locked package changed beside them" said not
        which: maybe-finance/maybe pr/2506's ruby-ole, which came along with spreadsheet)."""
        if self.direct and len(self.locked) > shown:
            return ()
        return named_first(self.locked, shown)

    def note(self) -> str:
        """The bump in words (describe), the locked entries named where it is lock-only."""
        return describe(self.direct, len(self.locked), named=self.named(), unread=self.unread,
                        locked_dev=self.locked_dev())

    def locked_dev(self) -> int:
        """How many of the locked entries only development and tests use (their lock file says so)."""
        return sum(change.dev for change in self.locked)

    def plan_note(self) -> str:
        """What the plan's bump chunks say: the note of a bump, or of lock files not read for a reason of their
        content (too large, malformed), said where they are reviewed even with nothing else to say; a binary
        lock's own plan note says it (binary_lock_note)."""
        return self.note() if self or any(why != "binary" for _path, why in self.unread) else ""


def is_manifest(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return name in MANIFEST_NAMES or _REQUIREMENTS.search(name) is not None or jvm.reader(name) is not None


def is_lock_file(path: str) -> bool:
    return posixpath.basename(path).lower() in LOCK_NAMES


def is_binary_lock(path: str) -> bool:
    return posixpath.basename(path).lower() in BINARY_LOCK_NAMES


def binary_lock_note(path: str) -> str:
    """What the plan says of a binary lock file (BINARY_LOCK_NAMES), after "binary file changed"."""
    return ("Bun's binary lock file: the versions it pins are not read (`bun bun.lockb` prints them as a yarn.lock; "
            "Bun 1.2's text bun.lock is read)") if is_binary_lock(path) else ""


def is_dependency_record(path: str) -> bool:
    """A manifest, a lock file, or Go's vendor/modules.txt: the files a dependency bump is reviewed by."""
    return is_manifest(path) or is_lock_file(path) or path.lower().endswith("vendor/modules.txt")


def parse(path: str, data: bytes, *, declared: bool = False) -> dict[str, str] | None:
    """A manifest's or lock file's dependencies, name -> version or spec; None when the file is not one read here,
    is too large or does not parse (read_or_why says which). `declared`: of a lock file that records its
    manifest's declarations (RECORDED_MANIFESTS), those declarations instead."""
    return read_or_why(path, data, declared=declared)[0]


class _TooLarge(ValueError):
    """A file past the size its parser reads in reasonable time (MAX_MANIFEST_BYTES, MAX_SLOW_PARSE_CHARS)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{_megabytes(size)}, over {limit // 1_000_000} MB")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size < 10_000_000 else f"{size // 1_000_000} MB"


def read_or_why(path: str, data: bytes, *, declared: bool = False) -> tuple[dict[str, str] | None, str]:
    """parse, and when it reads nothing why: "" for a file no reader here knows (its change is passed by),
    "too large: 7.2 MB, over 5 MB" or "does not parse: <the parser's words>" for one that should
    have been read (its change is said not read, never guessed at)."""
    name = posixpath.basename(path).lower()
    if declared:
        reader = _DECLARED_READERS.get(name)
    else:
        reader = _READERS.get(name) or (_requirements if _REQUIREMENTS.search(name) else None) or jvm.reader(name)
    if reader is None:
        return None, ""
    try:
        if len(data) > MAX_MANIFEST_BYTES:
            raise _TooLarge(len(data), MAX_MANIFEST_BYTES)
        return reader(data.decode("utf-8-sig")), ""
    except _TooLarge as error:
        return None, f"too large: {error}"
    except (ValueError, TypeError, AttributeError, KeyError, UnicodeDecodeError, RecursionError) as error:
        words = (str(error).splitlines() or [""])[0][:80] or type(error).__name__
        return None, f"does not parse: {words}"


def _toml(text: str) -> dict[str, Any]:
    """TOML read by tomllib, up to MAX_SLOW_PARSE_CHARS."""
    if len(text) > MAX_SLOW_PARSE_CHARS:
        raise _TooLarge(len(text), MAX_SLOW_PARSE_CHARS)
    return tomllib.loads(text)


def _go_mod(text: str) -> dict[str, str]:
    """go.mod's `require` directives, one a line or in a block (https://go.dev/ref/mod#go-mod-file-require)."""
    out: dict[str, str] = {}
    block = False
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if block:
            if line.startswith(")"):
                block = False
                continue
            words = line.split()
        elif line.startswith("require"):
            rest = line[len("require"):].strip()
            if rest.startswith("("):
                block = True
                continue
            words = rest.split()
        else:
            continue
        if len(words) >= 2:
            out[words[0].strip('"')] = words[1]
    return out


def _package_json(text: str) -> dict[str, str]:
    data = json.loads(text)
    out: dict[str, str] = {}
    if not isinstance(data, dict):
        return out
    for section in ("dependencies", "optionalDependencies", "peerDependencies", "devDependencies"):
        deps = data.get(section)
        if isinstance(deps, dict):
            for name, spec in deps.items():
                out.setdefault(str(name), str(spec))
    return out


def _package_lock(text: str) -> dict[str, str]:
    """npm's lock, v2/v3 (`packages`, keyed by install path) or v1 (`dependencies`, nested)."""
    data = json.loads(text)
    if not isinstance(data, dict):
        return {}
    packages = data.get("packages")
    entries: list[tuple[str, str]] = []
    if isinstance(packages, dict):
        for where, entry in packages.items():
            if where and isinstance(entry, dict) and "node_modules/" in where:
                entries.append((where.rsplit("node_modules/", 1)[1], str(entry.get("version", ""))))
        return _locked(entries)
    stack = [data.get("dependencies")]
    while stack:
        deps = stack.pop()
        if isinstance(deps, dict):
            for name, entry in deps.items():
                if isinstance(entry, dict):
                    entries.append((str(name), str(entry.get("version", ""))))
                    stack.append(entry.get("dependencies"))
    return _locked(entries)


_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _bun_lock(text: str) -> dict[str, str]:
    """bun.lock (Bun 1.2's text lock: JSON with trailing commas): `packages` maps a key to ["name@version", ...]."""
    data = json.loads(_TRAILING_COMMA.sub(r"\1", text))
    entries: list[tuple[str, str]] = []
    packages = data.get("packages") if isinstance(data, dict) else None
    if isinstance(packages, dict):  # keyed by where it is installed ("some-dep/lodash"): the entry names it
        for entry in packages.values():
            if isinstance(entry, list) and entry and isinstance(entry[0], str) and "@" in entry[0][1:]:
                name, _, version = entry[0].rpartition("@")
                entries.append((name, version))
    return _locked(entries)


def _locked(entries: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A lock file's (name, version) entries as name -> every version it holds of that package, oldest first and
    each once ("3.10.1, 4.17.21"): keeping one of them, a bump of the other went unseen."""
    versions: dict[str, set[str]] = {}
    for name, version in entries:
        if name:
            versions.setdefault(name, set()).add(version)
    return {name: ", ".join(sorted(found, key=_version_order)) for name, found in versions.items()}


def _version_order(version: str) -> tuple[tuple[int, int, int], str]:
    return _numbers(version) or (0, 0, 0), version


def _package_name(descriptor: str) -> str:
    """The package a lock file's `name@range` (or `name@npm:range`, `@scope/name@...`) descriptor names: up to its
    first "@" after a scope's."""
    at = descriptor.find("@", 1)
    return descriptor[:at] if at > 0 else descriptor


def _yarn_lock(text: str) -> dict[str, str]:
    """yarn.lock: Yarn 2+'s is YAML (a `__metadata` entry; each entry's `resolution` names the package, workspaces
    are the project's own); Yarn 1's (and `bun bun.lockb`'s) is its own format: an entry is an unindented line of
    descriptors ending in ":", its `version "x"` the first indented line that says it
    (https://classic.yarnpkg.com/en/docs/yarn-lock)."""
    if re.search(r"^__metadata:", text, re.MULTILINE):
        data = _yaml(text)
        entries: list[tuple[str, str]] = []
        for key, entry in data.items() if isinstance(data, dict) else ():
            if key == "__metadata" or not isinstance(entry, dict):
                continue
            resolution = str(entry.get("resolution") or str(key).split(",")[0].strip())
            if "@workspace:" not in resolution:
                entries.append((_package_name(resolution), str(entry.get("version", ""))))
        return _locked(entries)
    entries = []
    name = None
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and line.rstrip().endswith(":"):
            name = _package_name(line.rstrip().removesuffix(":").split(",")[0].strip().strip('"'))
        elif name is not None and line.startswith("  version "):
            entries.append((name, line[len("  version "):].strip().strip('"')))
            name = None
    return _locked(entries)


def _pnpm_lock(text: str) -> dict[str, str]:
    """pnpm-lock.yaml's `packages`: keyed `/name/1.2.3_peers` (lockfile 5), `/name@1.2.3(peers)` (6) or
    `name@1.2.3` (9); an entry's own `name` and `version` (a tarball's or a repository's) say it where they are."""
    data = _yaml(text)
    if not isinstance(data, dict) or not isinstance(data.get("packages"), dict):
        return {}
    slashed = str(data.get("lockfileVersion", "")).split(".")[0] in ("3", "4", "5")
    entries: list[tuple[str, str]] = []
    for key, entry in data["packages"].items():
        key = str(key).lstrip("/").split("(", 1)[0]
        if isinstance(entry, dict) and entry.get("name") and entry.get("version"):
            entries.append((str(entry["name"]), str(entry["version"])))
        elif slashed and "/" in key:
            name, _, version = key.rpartition("/")
            entries.append((name, version.split("_", 1)[0]))
        elif not slashed and key.find("@", 1) > 0:
            entries.append((_package_name(key), key[len(_package_name(key)) + 1:]))
    return _locked(entries)


def _yaml(text: str) -> object:
    """YAML as plain data, every scalar a string (a version `1.10` is not the number 1.1), libyaml's reader where
    PyYAML has it."""
    import yaml  # here: only a change with a YAML lock file pays for the import

    if len(text) > MAX_SLOW_PARSE_CHARS:
        raise _TooLarge(len(text), MAX_SLOW_PARSE_CHARS)
    try:
        return yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))  # BaseLoader: no tags, no types
    except yaml.YAMLError as error:  # its words, not its excerpt of the file (the repository's text)
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"{getattr(error, 'problem', None) or 'not YAML'}{where}") from error


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503: names compare this way


def _pep508(requirement: object, out: dict[str, str]) -> None:
    if not isinstance(requirement, str):
        return
    match = _PEP508_NAME.match(requirement)
    if match:
        out.setdefault(_norm(match.group(1)), match.group(2).split(";", 1)[0].strip())


def _pyproject(text: str) -> dict[str, str]:
    data = _toml(text)
    out: dict[str, str] = {}
    project = data.get("project", {})
    for requirement in project.get("dependencies", []) or []:
        _pep508(requirement, out)
    for group in (project.get("optional-dependencies", {}) or {}).values():
        for requirement in group or []:
            _pep508(requirement, out)
    for group in (data.get("dependency-groups", {}) or {}).values():
        for requirement in group or []:
            _pep508(requirement, out)
    poetry = data.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {}),
              *(g.get("dependencies", {}) for g in (poetry.get("group", {}) or {}).values() if isinstance(g, dict))]
    for table in tables:
        _spec_table(table, out, skip={"python"})
    return out


def _spec_table(table: object, out: dict[str, str], skip: frozenset[str] | set[str] = frozenset()) -> None:
    """A TOML table of name = "spec" or name = {version = "spec", ...} (Poetry, Cargo)."""
    if not isinstance(table, dict):
        return
    for name, spec in table.items():
        if name in skip:
            continue
        if isinstance(spec, dict):
            spec = spec.get("version") or spec.get("git") or spec.get("path") or ""
        out.setdefault(str(name), str(spec))


def _cargo_toml(text: str) -> dict[str, str]:
    data = _toml(text)
    out: dict[str, str] = {}
    for section in ("dependencies", "dev-dependencies", "build-dependencies"):
        _spec_table(data.get(section), out)
    _spec_table(data.get("workspace", {}).get("dependencies"), out)
    for target in (data.get("target", {}) or {}).values():
        if isinstance(target, dict):
            for section in ("dependencies", "dev-dependencies", "build-dependencies"):
                _spec_table(target.get(section), out)
    return out


def _toml_lock(text: str) -> dict[str, str]:
    """uv.lock, poetry.lock, pdm.lock, Cargo.lock: `[[package]]` tables of name and version."""
    return _locked((_norm(str(package["name"])), str(package.get("version", "")))
                   for package in _toml(text).get("package", []) or []
                   if isinstance(package, dict) and "name" in package)


def _pipfile(text: str) -> dict[str, str]:
    """Pipenv's Pipfile (TOML): `[packages]` and `[dev-packages]`, name = "spec" or {version = ...}."""
    data = _toml(text)
    out: dict[str, str] = {}
    for section in ("packages", "dev-packages"):
        table = data.get(section)
        if isinstance(table, dict):
            _spec_table({_norm(str(name)): spec for name, spec in table.items()}, out)
    return out


def _pipfile_lock(text: str) -> dict[str, str]:
    """Pipfile.lock (JSON): `default` and `develop` map a package to its pin ("version": "==2.0.0"; a repository's
    package to its `ref`)."""
    data = json.loads(text)
    entries: list[tuple[str, str]] = []
    for section in ("default", "develop"):
        table = data.get(section) if isinstance(data, dict) else None
        for name, entry in table.items() if isinstance(table, dict) else ():
            if isinstance(entry, dict):
                pin = entry.get("version") or entry.get("ref") or ""
                entries.append((_norm(str(name)), str(pin).removeprefix("==")))
    return _locked(entries)


_COMPOSER_PLATFORM = re.compile(r"^(?:php(?:-[\w-]+)?|hhvm|ext-.+|lib-.+|composer(?:-[\w-]+)?)$", re.IGNORECASE)
"""Composer's platform packages (the PHP version, its extensions and libraries, Composer's own API): what the
project runs on, never in composer.lock's packages (https://getcomposer.org/doc/01-basic-usage.md#platform-packages),
as pyproject.toml's python is left out."""


def _composer_json(text: str) -> dict[str, str]:
    """composer.json's `require` and `require-dev`, platform packages left out."""
    data = json.loads(text)
    out: dict[str, str] = {}
    for section in ("require", "require-dev"):
        table = data.get(section) if isinstance(data, dict) else None
        for name, spec in table.items() if isinstance(table, dict) else ():
            if not _COMPOSER_PLATFORM.match(str(name)):
                out.setdefault(str(name).lower(), str(spec))
    return out


def _composer_lock(text: str) -> dict[str, str]:
    """composer.lock (JSON): `packages` and `packages-dev`, lists of {name, version, source: {reference}}; a branch
    (`dev-main`) is pinned by its commit, so the commit is part of its version."""
    data = json.loads(text)
    entries: list[tuple[str, str]] = []
    for section in ("packages", "packages-dev"):
        packages = data.get(section) if isinstance(data, dict) else None
        for package in packages if isinstance(packages, list) else ():
            if isinstance(package, dict) and package.get("name"):
                version = str(package.get("version", ""))
                source = package.get("source") or package.get("dist")
                reference = source.get("reference") if isinstance(source, dict) else None
                if version.startswith("dev-") or version.endswith("-dev"):
                    version += f" {str(reference)[:12]}" if reference else ""
                entries.append((str(package["name"]).lower(), version))
    return _locked(entries)


_GEMFILE_SOURCES = ("GEM", "GIT", "PLUGIN SOURCE")


def _gemfile_declared(text: str) -> dict[str, str]:
    """Gemfile.lock's DEPENDENCIES section: what the Gemfile declares, as Bundler recorded it (a line at two spaces,
    `name`, `name (constraint)`, `name!` for a gem from a GIT or PATH source). The Gemfile itself is Ruby code, which
    is never run or read here: this section says its dependencies instead (RECORDED_MANIFESTS). The gems of a PATH
    source (the project's own gemspec) are left out, as in _gemfile_lock."""
    out: dict[str, str] = {}
    own: set[str] = set()
    section = ""
    for line in text.splitlines():
        if line and not line[0].isspace():
            section = line.strip()
        elif section == "PATH" and line.startswith("    ") and not line.startswith("     "):
            own.add(line.strip().partition(" (")[0])
        elif section == "DEPENDENCIES" and line.startswith("  ") and not line.startswith("   "):
            name, _, rest = line.strip().partition(" (")
            out.setdefault(name.removesuffix("!"), rest.removesuffix(")"))
    return {name: spec for name, spec in out.items() if name not in own}


def _gemfile_lock(text: str) -> dict[str, str]:
    """Bundler's Gemfile.lock: a section a source (an unindented GEM, GIT, PATH or PLUGIN SOURCE line) whose `specs:`
    name a gem a line at four spaces, `name (version)` or `name (version-platform)`; its own dependencies at six
    spaces are not pins. As Bundler's own LockfileParser reads it: the version is what the parentheses hold up to the
    first "-" (the rest is the platform); a GIT source's gems are pinned by its `revision:`. PATH is the project's own
    code (its gemspec), not a dependency (bundler/lib/bundler/lockfile_parser.rb)."""
    entries: list[tuple[str, str]] = []
    section, revision = "", ""
    for line in text.splitlines():
        if line and not line[0].isspace():
            section, revision = line.strip(), ""
        elif section in _GEMFILE_SOURCES and line.startswith("  revision: "):
            revision = line.split(":", 1)[1].strip()[:12]
        elif section in _GEMFILE_SOURCES and line.startswith("    ") and not line.startswith("     "):
            name, _, rest = line.strip().partition(" (")
            version = rest.removesuffix(")").split("-", 1)[0] if rest.endswith(")") else ""
            if name:
                entries.append((name, f"{version} {revision}".strip() if section == "GIT" else version))
    return _locked(entries)


def _dep(text: str) -> dict[str, str]:
    """Go's dep: Gopkg.toml's `[[constraint]]` and `[[override]]`, Gopkg.lock's `[[projects]]` (name, and a version,
    branch or revision)."""
    data = _toml(text)
    out: dict[str, str] = {}
    for table in ("constraint", "override", "projects"):
        for entry in data.get(table, []) or []:
            if isinstance(entry, dict) and "name" in entry:
                spec = entry.get("version") or entry.get("branch") or entry.get("revision") or ""
                out.setdefault(str(entry["name"]), str(spec))
    return out


def _requirements(text: str) -> dict[str, str]:
    """pip's requirements format: a requirement a line; options (-r, -e, --hash ...) and URLs are not counted."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip().rstrip("\\").strip()
        if line and not line.startswith(("#", "-")) and "://" not in line:
            _pep508(line, out)
    return out


_DEV_GROUPS = frozenset({"development", "test", "dev", "tests", "ci", "lint"})
"""Group names (a Gemfile's groups, pyproject's extras) that say development or tests only."""


def _dev_only(dev: Iterable[object], production: Iterable[object], norm: Callable[[str], str] = str) -> set[str]:
    """The names declared for development or tests and nowhere for production (a name in both runs in production)."""
    return {norm(str(name)) for name in dev} - {norm(str(name)) for name in production}


def _tables(data: object, *sections: str) -> list[object]:
    """The keys of a JSON or TOML object's `sections` (tables of name -> spec), each a list."""
    found = [data.get(section) if isinstance(data, dict) else None for section in sections]
    return [name for table in found if isinstance(table, dict) for name in table]


def _package_json_dev(text: str) -> set[str]:
    data = json.loads(text)
    return _dev_only(_tables(data, "devDependencies"),
                     _tables(data, "dependencies", "optionalDependencies", "peerDependencies"))


def _package_lock_dev(text: str) -> set[str]:
    """npm's lock: the packages every entry of which npm marks `"dev": true` (installed for development only)."""
    data = json.loads(text)
    flags: dict[str, set[bool]] = {}
    packages = data.get("packages") if isinstance(data, dict) else None
    if isinstance(packages, dict):
        for where, entry in packages.items():
            if where and isinstance(entry, dict) and "node_modules/" in where:
                flags.setdefault(where.rsplit("node_modules/", 1)[1], set()).add(entry.get("dev") is True)
        return {name for name, dev in flags.items() if dev == {True}}
    stack = [data.get("dependencies") if isinstance(data, dict) else None]
    while stack:
        deps = stack.pop()
        for name, entry in deps.items() if isinstance(deps, dict) else ():
            if isinstance(entry, dict):
                flags.setdefault(str(name), set()).add(entry.get("dev") is True)
                stack.append(entry.get("dependencies"))
    return {name for name, dev in flags.items() if dev == {True}}


def _pyproject_dev(text: str) -> set[str]:
    """Dependency groups (PEP 735), Poetry's dev-dependencies and groups other than main, extras named as dev ones
    (`[project.optional-dependencies] test = [...]`): an extra otherwise is for the package's users."""
    data = _toml(text)
    project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
    extras = project.get("optional-dependencies", {}) or {}
    poetry = data.get("tool", {}).get("poetry", {})
    groups = {name: g.get("dependencies", {}) for name, g in (poetry.get("group", {}) or {}).items()
              if isinstance(g, dict)}
    dev: list[str] = [r for name, reqs in extras.items() if name.lower() in _DEV_GROUPS for r in reqs or []]
    production: list[str] = [*(project.get("dependencies", []) or []), *(
        r for name, reqs in extras.items() if name.lower() not in _DEV_GROUPS for r in reqs or [])]
    dev += [r for reqs in (data.get("dependency-groups", {}) or {}).values() for r in reqs or [] if isinstance(r, str)]
    dev_names = {_norm(str(n)) for table in [poetry.get("dev-dependencies", {}),
                                             *(t for name, t in groups.items() if name != "main")]
                 if isinstance(table, dict) for n in table}
    production_names = {_norm(str(n)) for table in [poetry.get("dependencies", {}), groups.get("main", {})]
                        if isinstance(table, dict) for n in table}
    return (_dev_only(map(_pep508_name, dev), map(_pep508_name, production)) | dev_names) - production_names


def _pep508_name(requirement: object) -> str:
    match = _PEP508_NAME.match(requirement) if isinstance(requirement, str) else None
    return _norm(match.group(1)) if match else ""


def _cargo_toml_dev(text: str) -> set[str]:
    data = _toml(text)
    targets = [t for t in (data.get("target", {}) or {}).values() if isinstance(t, dict)]
    return _dev_only([n for table in [data, *targets] for n in _tables(table, "dev-dependencies")],
                     [n for table in [data, *targets] for n in _tables(table, "dependencies", "build-dependencies")])


def _pipfile_dev(text: str) -> set[str]:
    data = _toml(text)
    return _dev_only(_tables(data, "dev-packages"), _tables(data, "packages"), _norm)


def _pipfile_lock_dev(text: str) -> set[str]:
    data = json.loads(text)
    return _dev_only(_tables(data, "develop"), _tables(data, "default"), _norm)


def _composer_json_dev(text: str) -> set[str]:
    data = json.loads(text)
    return _dev_only(_tables(data, "require-dev"), _tables(data, "require"), str.lower)


def _composer_lock_dev(text: str) -> set[str]:
    data = json.loads(text)

    def names(section: str) -> list[str]:
        packages = data.get(section) if isinstance(data, dict) else None
        return [str(p["name"]) for p in packages or [] if isinstance(p, dict) and p.get("name")]

    return _dev_only(names("packages-dev"), names("packages"), str.lower)


_GEM = re.compile(r"""^\s*gem\s*\(?\s*["']([^"']+)["'](.*)$""")
_NAME_ARG = r"""(?::\w+|["']\w+["'])"""
_GROUP_BLOCK = re.compile(rf"^\s*group\s*\(?\s*({_NAME_ARG}(?:\s*,\s*{_NAME_ARG})*)\s*\)?\s*do\b")
_OPENS = re.compile(r"\bdo\s*(?:\|[^|]*\|)?\s*$|^\s*(?:if|unless|case|begin|while|until|def|class|module)\b")
_GROUP_OPTION = re.compile(rf"\bgroups?\s*(?::|=>)\s*(\[[^\]]*\]|{_NAME_ARG})")
_SYMBOL = re.compile(r"""[:"']?(\w+)""")


def _gemfile_dev(text: str) -> set[str]:
    """A Gemfile's gems only in development or test groups (_DEV_GROUPS): `group :development, :test do ... end`
    blocks and `gem "x", group: :test` options, read as text line by line (the Gemfile is Ruby, never run): a
    `do`, `if` ... line opens a block, `end` closes the last one; a gem also declared outside them is production's."""
    dev: list[str] = []
    production: list[str] = []
    stack: list[frozenset[str] | None] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        group = _GROUP_BLOCK.match(line)
        if group:
            stack.append(frozenset(m.group(1).lower() for m in _SYMBOL.finditer(group.group(1))))
            continue
        if re.fullmatch(r"\s*end\b.*", line):
            if stack:
                stack.pop()
            continue
        gem = _GEM.match(line)
        if gem:
            option = _GROUP_OPTION.search(gem.group(2))
            groups = [g for g in stack if g is not None]
            if option:
                groups.append(frozenset(m.group(1).lower() for m in _SYMBOL.finditer(option.group(1))))
            union = frozenset().union(*groups)  # Bundler gives a gem every enclosing group's names
            dev_only = bool(union) and union <= _DEV_GROUPS
            (dev if dev_only else production).append(gem.group(1))
        elif _OPENS.search(line):
            stack.append(None)
    return _dev_only(dev, production)


_DEV_READERS: dict[str, Callable[[str], set[str]]] = {
    "package.json": _package_json_dev, "package-lock.json": _package_lock_dev, "npm-shrinkwrap.json": _package_lock_dev,
    "pyproject.toml": _pyproject_dev, "cargo.toml": _cargo_toml_dev, "pipfile": _pipfile_dev,
    "pipfile.lock": _pipfile_lock_dev, "composer.json": _composer_json_dev, "composer.lock": _composer_lock_dev,
    "gemfile": _gemfile_dev,
}
"""The files that say which of their dependencies only development and tests use (DependencyChange.dev). The
Gemfile is read for that alone: what it declares comes from Gemfile.lock (RECORDED_MANIFESTS)."""


def tells_dev(path: str) -> bool:
    """A file read only for which dependencies are dev/test ones (the Gemfile): the change's other records say what
    moved."""
    return posixpath.basename(path).lower() in _DEV_READERS and not (is_manifest(path) or is_lock_file(path))


def unchanged_dev_sources(paths: Collection[str]) -> list[str]:
    """The manifests a change's lock files take their dev/test names from (RECORDED_MANIFESTS: a Gemfile.lock's
    Gemfile) that the change does not touch: read at its tip, a Gemfile.lock-only bump tells its dev gems too."""
    changed = set(paths)
    out = []
    for path in changed:
        manifest = RECORDED_MANIFESTS.get(posixpath.basename(path).lower())
        beside = posixpath.join(posixpath.dirname(path), manifest) if manifest else None
        if beside is not None and beside not in changed:
            out.append(beside)
    return sorted(out)


def dev_names(path: str, data: bytes | None) -> set[str]:
    """The dependencies `path` says only development and tests use (_DEV_READERS); none where it does not say, is
    absent, too large or does not parse (weighed as production's then)."""
    reader = _DEV_READERS.get(posixpath.basename(path).lower()) or jvm.dev_reader(path)
    if reader is None or data is None or len(data) > MAX_MANIFEST_BYTES:
        return set()
    try:
        return reader(data.decode("utf-8-sig"))
    except (ValueError, TypeError, AttributeError, KeyError, UnicodeDecodeError, RecursionError):
        return set()


_READERS: dict[str, Callable[[str], dict[str, str]]] = {
    "go.mod": _go_mod, "package.json": _package_json, "package-lock.json": _package_lock,
    "npm-shrinkwrap.json": _package_lock, "pyproject.toml": _pyproject, "cargo.toml": _cargo_toml,
    "uv.lock": _toml_lock, "poetry.lock": _toml_lock, "cargo.lock": _toml_lock, "bun.lock": _bun_lock,
    "yarn.lock": _yarn_lock, "pnpm-lock.yaml": _pnpm_lock,
    "gopkg.toml": _dep, "gopkg.lock": _dep, "pdm.lock": _toml_lock, "pipfile": _pipfile,
    "pipfile.lock": _pipfile_lock, "composer.json": _composer_json, "composer.lock": _composer_lock,
    "gemfile.lock": _gemfile_lock,
}
_DECLARED_READERS: dict[str, Callable[[str], dict[str, str]]] = {"gemfile.lock": _gemfile_declared}
RECORDED_MANIFESTS = {"gemfile.lock": "Gemfile"}
"""Lock files that also record what their manifest declares, and that manifest's name: the manifest is not read
(the Gemfile is Ruby code), its declarations are, from the lock file; their changes are the direct ones."""


def _numbers(version: str) -> tuple[int, int, int] | None:
    match = _NUMBERS.search(version)
    if match is None or re.search(r"[0-9a-f]{12}", version):  # a Go pseudo-version or a commit id: no order
        return None
    return int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)


def kind_of(old: str, new: str) -> str:
    """How a dependency's version moved (the module doc's kinds)."""
    before, after = _numbers(old), _numbers(new)
    if before is None or after is None:
        return "update"
    if after < before:
        return "downgrade"
    if before[0] != after[0] or (before[0] == 0 and before[1] != after[1]):
        return "major"
    return "update"


def compare(where: str, old: Mapping[str, str], new: Mapping[str, str]) -> list[DependencyChange]:
    """The dependencies one file's two versions differ in, by name; a lock file's package with several versions
    ("3.10.1, 4.17.21", oldest first) moves as its newest does."""
    out: list[DependencyChange] = []
    lock = is_lock_file(where)
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is None:
            out.append(DependencyChange(name, "", after or "", "added", where))
        elif after is None:
            out.append(DependencyChange(name, before, "", "removed", where))
        elif lock:
            out.append(DependencyChange(name, before, after,
                                        kind_of(before.rsplit(", ", 1)[-1], after.rsplit(", ", 1)[-1]), where))
        else:
            out.append(DependencyChange(name, before, after, kind_of(before, after), where))
    return out


def dependency_bump(files: Iterable[tuple[str, bytes | None, bytes | None]],
                    unread: Iterable[str] = ()) -> DependencyBump:
    """What a change's manifests and lock files say it does to its dependencies. `files`: (path, base content,
    head content) of each changed file the change has (None: the file is absent on that side); files that are
    neither are passed by. A file one side of which is too large or does not parse is not counted, and said not
    read. `unread`: the binary lock files the change has (is_binary_lock), said, not read."""
    direct: list[DependencyChange] = []
    locked: list[DependencyChange] = []
    not_read = [(path, "binary") for path in unread]
    files = list(files)
    sides = {path: (before, after) for path, before, after in files}
    for path, before, after in files:
        if not (is_manifest(path) or is_lock_file(path)):
            continue
        old, why_old = read_or_why(path, before) if before is not None else ({}, "")
        new, why_new = read_or_why(path, after) if after is not None else ({}, "")
        if old is None or new is None:
            if why_old or why_new:
                not_read.append((path, why_new or why_old))
            continue
        if not old and not new:
            continue
        (locked if is_lock_file(path) else direct).extend(compare(path, old, new))
        direct.extend(_declared_changes(path, before, after))
    dev = _DevNames(sides)
    direct.extend(_to_production(files, dev))
    direct, locked = _marked_dev(direct, dev), _marked_dev(locked, dev)
    named = {_norm(change.name) for change in direct}
    locked = [c for c in locked if _norm(c.name) not in named]
    return DependencyBump(tuple(direct), tuple(locked), tuple(not_read),
                          dev_only_files(sides, [*direct, *locked], {path for path, _ in not_read}))


def dev_only_files(sides: Mapping[str, tuple[bytes | None, bytes | None]], changes: Iterable[DependencyChange],
                   unread: Collection[str] = ()) -> tuple[str, ...]:
    """The changed manifests and lock files whose dependency changes are all dev/test-only (DependencyChange.dev) and
    which change nothing else a build or a deploy reads: a package.json equal but for its devDependencies, a Gemfile
    whose changed lines are all gems only development and tests use (or blank, or comments), a Gemfile.lock equal but
    for its GEM specs, DEPENDENCIES and CHECKSUMS (its RUBY VERSION, PLATFORMS, BUNDLED WITH, GIT and PATH sources
    unchanged), an npm lock equal but for its entries marked dev and its root's devDependencies. Their tier 1,
    "changes what code runs in production", does not hold (assess's `dev_only`)."""
    recorded = {posixpath.join(posixpath.dirname(lock), manifest): lock for lock in sides
                for name, manifest in RECORDED_MANIFESTS.items() if posixpath.basename(lock).lower() == name}
    by_file: dict[str, list[DependencyChange]] = {}
    for change in changes:
        by_file.setdefault(change.where, []).append(change)
        if change.where in recorded:  # a Gemfile's change read from its lock: the lock's too
            by_file.setdefault(recorded[change.where], []).append(change)
    out: list[str] = []
    for path, (before, after) in sides.items():
        found = by_file.get(path, [])
        # npm's lock marks every dev entry: whether all it changes is dev is read from it alone (its entries a
        # manifest names are the manifest's changes, not the lock's)
        telling = posixpath.basename(path).lower() in _NPM_LOCKS
        if (path in unread or before is None or after is None or before == after or not (found or telling)
                or not all(c.dev for c in found)):
            continue
        try:
            old, new = before.decode("utf-8-sig"), after.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        name = posixpath.basename(path).lower()
        if _rest_unchanged(name, old, new):
            out.append(path)
    return tuple(out)


def _rest_unchanged(name: str, old: str, new: str) -> bool:
    """Whether a dependency file's two versions differ in their dev/test dependencies alone (dev_only_files)."""
    if name == "package.json":
        try:
            before, after = json.loads(old), json.loads(new)
        except (ValueError, RecursionError):
            return False
        if not isinstance(before, dict) or not isinstance(after, dict):
            return False
        before.pop("devDependencies", None)
        after.pop("devDependencies", None)
        return bool(before == after)
    if name == "gemfile.lock":
        return _lock_sections(old) == _lock_sections(new)
    if name in _NPM_LOCKS:
        try:
            return _npm_production(json.loads(old)) == _npm_production(json.loads(new))
        except (ValueError, RecursionError):
            return False
    if name == "gemfile":
        dev_before, dev_after = _gemfile_dev(old), _gemfile_dev(new)
        gone = set(old.splitlines()) - set(new.splitlines())
        came = set(new.splitlines()) - set(old.splitlines())
        return all(_dev_gem_line(line, dev_before) for line in gone) and all(_dev_gem_line(line, dev_after)
                                                                             for line in came)
    return False


_NPM_LOCKS = frozenset({"package-lock.json", "npm-shrinkwrap.json"})


def _npm_production(data: object) -> object:
    """An npm lock without what only development and tests use: its entries marked `"dev": true` (v1's nested
    `dependencies`, v2/v3's `packages`) and its root package's devDependencies."""
    if not isinstance(data, dict):
        return data

    def kept(entries: object) -> object:
        if not isinstance(entries, dict):
            return entries
        out = {}
        for key, entry in entries.items():
            if isinstance(entry, dict) and entry.get("dev") is True:
                continue
            if isinstance(entry, dict):
                entry = {k: kept(v) if k == "dependencies" else v for k, v in entry.items() if k != "devDependencies"
                         or key != ""}
            out[key] = entry
        return out

    return {key: kept(value) if key in ("packages", "dependencies") else value for key, value in data.items()}


def _dev_gem_line(line: str, dev: set[str]) -> bool:
    code = line.split("#", 1)[0].strip()
    gem = _GEM.match(code)
    return not code or (gem is not None and gem.group(1) in dev)


_LOCK_SECTION = re.compile(r"^(\S[^\n]*)\n((?:[ \t][^\n]*\n?|\n)*)", re.MULTILINE)


def _lock_sections(text: str) -> dict[str, str]:
    """A Gemfile.lock's sections but those a gem's version moves (GEM, DEPENDENCIES, CHECKSUMS): RUBY VERSION,
    PLATFORMS, BUNDLED WITH, and the GIT and PATH sources (whose revisions and gems are production's as well)."""
    sections: dict[str, str] = {}
    for match in _LOCK_SECTION.finditer(text):
        head = match.group(1).strip()
        if head not in ("GEM", "DEPENDENCIES", "CHECKSUMS"):
            sections[head] = sections.get(head, "") + match.group(2)
    return sections


class _DevNames:
    """A change's files' dev/test-only names (dev_names), base's and head's, read once and only for a file with a
    change to mark. A Gemfile.lock's are its Gemfile's (RECORDED_MANIFESTS): a gem it declares only for development."""

    def __init__(self, sides: Mapping[str, tuple[bytes | None, bytes | None]]) -> None:
        self.sides = sides
        self.read: dict[str, tuple[set[str], set[str]]] = {}

    def of(self, path: str) -> tuple[set[str], set[str]]:
        manifest = RECORDED_MANIFESTS.get(posixpath.basename(path).lower())
        if manifest is not None:
            path = posixpath.join(posixpath.dirname(path), manifest)
        if path not in self.read:
            before, after = self.sides.get(path, (None, None))
            self.read[path] = dev_names(path, before), dev_names(path, after)
        return self.read[path]


def _to_production(files: list[tuple[str, bytes | None, bytes | None]], dev: _DevNames) -> list[DependencyChange]:
    """The dependencies a manifest moves from its dev/test section to production's at the same version (a version
    change is compare's, weighed as production's): `production` changes."""
    out: list[DependencyChange] = []
    for path, before, after in files:
        if before is None or after is None or not is_manifest(path):
            continue
        was_dev, is_dev = dev.of(path)
        moved = was_dev - is_dev
        if not moved:
            continue
        old, new = read_or_why(path, before)[0] or {}, read_or_why(path, after)[0] or {}
        out.extend(DependencyChange(name, old[name], new[name], "production", path)
                   for name in sorted(moved) if name in old and old[name] == new.get(name))
    return out


def _marked_dev(changes: list[DependencyChange], dev: _DevNames) -> list[DependencyChange]:
    """`changes` with `dev` set where their file says only development and tests use the dependency on every side it
    is on: one that moves from devDependencies to dependencies now runs in production."""
    out = []
    for change in changes:
        before, after = dev.of(change.where)
        on_dev = (not change.old or change.name in before) and (not change.new or change.name in after)
        out.append(replace(change, dev=True) if on_dev and (change.old or change.new) else change)
    return out


def _declared_changes(path: str, before: bytes | None, after: bytes | None) -> list[DependencyChange]:
    """The direct changes a lock file records of its manifest (RECORDED_MANIFESTS), said of that manifest
    ("Gemfile" beside the Gemfile.lock)."""
    manifest = RECORDED_MANIFESTS.get(posixpath.basename(path).lower())
    if manifest is None:
        return []
    old = parse(path, before, declared=True) if before is not None else {}
    new = parse(path, after, declared=True) if after is not None else {}
    if old is None or new is None:
        return []
    return compare(posixpath.join(posixpath.dirname(path), manifest), old, new)


def units(direct: Iterable[DependencyChange], locked: int, locked_dev: int = 0) -> float:
    """The dependencies factor's measure before saturation (DIRECT_UNITS, LOCKED_UNITS; a dev/test-only change, and
    each of the `locked_dev` of the `locked` entries, weighs DEV_SHARE of that)."""
    direct_units = sum(DIRECT_UNITS.get(change.kind, 0.25) * (DEV_SHARE if change.dev else 1.0) for change in direct)
    return direct_units + min(LOCKED_CAP, LOCKED_UNITS * (locked - locked_dev + DEV_SHARE * locked_dev))


_KIND_WORDS = {"major": " across a major version (or a 0.x minor: semver lets it break callers)",
               "production": " from dev/test only to production (it runs there now)"}
_VERBS = (("added", "adds"), ("production", "moves"), ("major", "bumps"), ("downgrade", "downgrades"),
          ("removed", "removes"), ("update", "updates"))


def named_first(changes: Iterable[DependencyChange], shown: int) -> tuple[DependencyChange, ...]:
    """The `shown` riskiest of `changes` (_VERBS' order of kinds), by name within a kind."""
    rank = {kind: i for i, (kind, _verb) in enumerate(_VERBS)}
    return tuple(sorted(changes, key=lambda c: (rank.get(c.kind, len(rank)), c.name))[:shown])


def describe(direct: Iterable[DependencyChange], locked: int, shown: int = 3, *,
             named: Iterable[DependencyChange] = (), unread: Iterable[tuple[str, str]] = (),
             locked_dev: int = 0) -> str:
    """In words, the riskiest kinds first: "bumps 1 dependency across a major version (or a 0.x minor: semver lets
    it break callers): golang.org/x/net v0.7.0 -> v0.17.0; updates 2 dependencies: ...; 37 locked packages changed
    beside them". `named`: locked entries to name (a lock-only bump: "3 locked packages changed (lock file only):
    hono 4.6.1 -> 4.6.2, ..."); `unread`: (path, why) of the files not read ("bun.lockb not read (binary)",
    "pnpm-lock.yaml not read (too large: 7.2 MB, over 5 MB)"). The dev/test-only ones (DependencyChange.dev, and
    `locked_dev` of the locked) are said last, with their weight."""
    changes = list(direct)
    clauses: list[str] = []
    for kind, verb in _VERBS:
        these = [c for c in changes if c.kind == kind]
        if not these:
            continue
        what = "dependency" if len(these) == 1 else "dependencies"
        label = f"{len(these)} {what}" + _KIND_WORDS.get(kind, "")
        more = f" (+{len(these) - shown} more)" if len(these) > shown else ""
        clauses.append(f"{verb} {label}: {', '.join(c.text() for c in these[:shown])}{more}")
    if locked:
        listed = [_locked_text(c) for c in named][:shown]
        more = f" (+{locked - len(listed)} more)" if listed and locked > len(listed) else ""
        clauses.append(f"{locked} locked package{'s' if locked != 1 else ''} changed "
                       f"{'beside them' if changes else '(lock file only)'}"
                       + (f": {', '.join(listed)}{more}" if listed else ""))
    clauses += _dev_clause([c for c in changes if c.dev], locked_dev, shown)
    clauses += [f"{path} not read ({why})" for path, why in unread]
    return "; ".join(clauses)


def _dev_clause(dev: list[DependencyChange], locked_dev: int, shown: int) -> list[str]:
    """The dev/test-only changes, named, and how much they weigh (DEV_SHARE)."""
    if not dev and not locked_dev:
        return []
    names = ", ".join(c.name for c in dev[:shown]) + (f" (+{len(dev) - shown} more)" if len(dev) > shown else "")
    lock = f"{locked_dev} locked package{'s' if locked_dev != 1 else ''}" if locked_dev else ""
    what = " and ".join(part for part in (names, lock) if part)
    return [f"dev/test only: {what}, weighed {DEV_SHARE:.0%}: does not change what runs in production"]


def _locked_text(change: DependencyChange) -> str:
    """A locked entry named: "hono 4.6.1 -> 4.6.2", "tslib 2.0.0 (new)", "left-pad 1.3.0 (removed)"."""
    if change.kind == "added":
        return f"{change.text()} (new)"
    return f"{change.text()} (removed)" if change.kind == "removed" else change.text()
