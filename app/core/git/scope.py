"""Queue scope: which refs are pending work (the `[queue]` table of the repository file and the user file).

A busy clone holds far more refs than pending changes: release lines, publication branches, years
of abandoned topic branches. Scope is decided per ref by globs over its short names, then per head by
age and by whether a pull request names it. Whatever scope leaves out is counted by reason, never
silently dropped.

Glob semantics are app.core.globs' (`*` within one segment, `**` across, `[...]` classes), anchored
at the start of the name: `release/*` matches `release/2.0` and, on a remote, `origin/release/2.0`,
but not `fix/release/notes`. A pattern matches a name when it matches the whole name or one of its
leading segments, so `release` alone covers everything under `release/`. Each ref is matched under
every name it goes by: `refs/remotes/origin/release/2.0` as `origin/release/2.0`, `release/2.0` and
its full ref name; `refs/pull/7/head` as `pull/7`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.globs import Glob, GlobError, compile_glob
from app.core.settings import SectionReader
from app.errors import ConfigError

# Release and publication lines, left out by default. They never merge back into the base; their diff
# against it is the base's own later history in reverse (an old release branch "removes CI steps"
# main added since), so ranking them as pending work is noise. Each entry is a convention in wide use:
#   release/*, releases/*          git-flow and GitHub's release branches
#   stable, *-stable, lts/*        stable lines (Linux "stable", Django "4.2-stable", Node "lts/20")
#   stable-[0-9]*, release-[0-9]*, release[0-9]*   numbered lines: ansible's "stable-2.9", "release1.8.0"
#   version-[0-9]*                 the same spelled out: django-rest-framework's "version-2.4.x"
#   maint/*, maintenance/*         maintenance lines (git.git's "maint", Python packaging projects)
#   [0-9]*.[0-9]*, [0-9]*.x        version-named lines: "1.14", "2.0.x", "3.11"
#   v[0-9]*.[0-9]*, v[0-9]*.x      the same with a "v": "v1.x", "v1.3.x", "v0.22.1"
#                                  (these four match a name that is a version and nothing more: a glob's
#                                  `*` would also take "v1.9.0-dep-updates", a work branch)
#   gh-pages                       GitHub Pages output: generated files, usually unrelated history
# Not excluded: hotfix/* (a hotfix is exactly what needs review) and names such as "v2-design" that
# only start like a version.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "release/*", "releases/*", "stable", "*-stable", "stable-[0-9]*", "release-[0-9]*", "release[0-9]*",
    "version-[0-9]*",
    "lts/*", "maint/*", "maintenance/*",
    "[0-9]*.[0-9]*", "[0-9]*.x", "v[0-9]*.[0-9]*", "v[0-9]*.x", "v[0-9]*", "gh-pages",
)
VERSION_LINE_PATTERNS = frozenset({"[0-9]*.[0-9]*", "[0-9]*.x", "v[0-9]*.[0-9]*", "v[0-9]*.x", "v[0-9]*"})
# A whole name that is a version: 1.14, v1.x, and with a "v" a bare major or dashed parts (pydantic-ai's `v1`
# maintenance line after v2, `v1-30-1`), but not `v2-main` or `v2.3-feature`
_VERSION_NAME = re.compile(r"v[0-9]+(?:[.-](?:[0-9]+|x))*|[0-9]+(?:\.(?:[0-9]+|x))+")
DEFAULT_EXCLUDE_NOTE = " (a default: release and publication lines)"
"""Said after a reason whose pattern is one of DEFAULT_EXCLUDE (discovery reads such refs as release lines)."""
LINE_NOTE = "a line, not a change: [queue] lines "
"""The reason a ref `[queue] lines` names is out of the queue (discovery reads it as a line, as a release line)."""
DEFAULT_STALE_DAYS = 90
DAY_SECONDS = 86_400


def _compile(pattern: str, where: str) -> Glob:
    if not pattern.strip():
        raise ConfigError(f"{where}: an empty pattern matches nothing")
    try:
        return compile_glob(pattern if pattern.startswith("/") else "/" + pattern)
    except GlobError as exc:
        raise ConfigError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class QueueConfig:
    """Settings of the `[queue]` table: which refs count as pending changes."""

    include: tuple[str, ...] = ("*",)
    """Ref globs that may be pending work (default: every branch and pull request ref)."""
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    """Ref globs that are never pending work. Setting it replaces the release defaults (see
    DEFAULT_EXCLUDE); `extend_exclude` adds to them instead."""
    max_age_days: int = 0
    """Leave out heads whose newest commit is older than this many days (0: no limit)."""
    pr_only: bool = False
    """List only changes that a pull request ref (refs/pull/N/head, <remote>/pr/N) points at."""
    stale_days: int = DEFAULT_STALE_DAYS
    """Heads untouched for this many days are counted as stale in the footer hint (0: no hint)."""
    lines: tuple[str, ...] = ()
    """Ref globs of long-lived lines that are not changes themselves (an integration branch such as netbox's
    `feature`, `develop`, `next`): each is left out of the queue and read as the release lines are, a change made
    on it compared with it, one already on it merged upstream there (QA56 F1)."""
    _include: tuple[Glob, ...] = field(init=False, repr=False, compare=False)
    _exclude: tuple[Glob, ...] = field(init=False, repr=False, compare=False)
    _lines: tuple[Glob, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_include", tuple(_compile(p, "queue.include") for p in self.include))
        object.__setattr__(self, "_exclude", tuple(_compile(p, "queue.exclude") for p in self.exclude))
        object.__setattr__(self, "_lines", tuple(_compile(p, "queue.lines") for p in self.lines))

    @classmethod
    def from_reader(cls, reader: SectionReader, defaults: QueueConfig | None = None) -> QueueConfig:
        """Read `[queue]`; keys the table leaves out keep `defaults` (the repository file's values,
        when reading the user file, so a person can narrow the team's queue key by key)."""
        base = defaults or cls()
        include = tuple(reader.get_list_of("include", str, list(base.include)))
        exclude = tuple(reader.get_list_of("exclude", str, list(base.exclude)))
        exclude += tuple(p for p in reader.get_list_of("extend_exclude", str, []) if p not in exclude)
        max_age = reader.get("max_age_days", int, base.max_age_days)
        if max_age < 0:
            raise ConfigError(f"{reader.where('max_age_days')}: must be 0 (no limit) or more, got {max_age}")
        pr_only = reader.get("pr_only", bool, base.pr_only)
        stale = reader.get("stale_days", int, base.stale_days)
        if stale < 0:
            raise ConfigError(f"{reader.where('stale_days')}: must be 0 (no hint) or more, got {stale}")
        lines = tuple(reader.get_list_of("lines", str, list(base.lines)))
        for key, patterns in (("include", include), ("exclude", exclude), ("lines", lines)):
            for i, pattern in enumerate(patterns):
                _compile(pattern, f"{reader.where(key)}[{i}]")
        reader.finish()
        return cls(include, exclude, max_age, pr_only, stale, lines)

    def _first_match(self, globs: tuple[Glob, ...], names: tuple[str, ...]) -> str | None:
        for glob in globs:
            pattern = glob.pattern.removeprefix("/")
            version_line = pattern in VERSION_LINE_PATTERNS
            if any(glob.match(name) and (not version_line or _VERSION_NAME.fullmatch(name.split("/", 1)[0]))
                   for name in names):
                return pattern
        return None

    def left_out_by(self, names: tuple[str, ...]) -> str | None:
        """Why a ref going by `names` is out of scope (one line naming the setting), or None."""
        if self._first_match(self._include, names) is None:
            return "not matched by [queue] include"
        line = self._first_match(self._lines, names)
        if line is not None:
            return f"{LINE_NOTE}{line!r}"
        pattern = self._first_match(self._exclude, names)
        if pattern is None:
            return None
        default = DEFAULT_EXCLUDE_NOTE if pattern in DEFAULT_EXCLUDE else ""
        return f"excluded by [queue] exclude {pattern!r}{default}"

    def excluded_by(self, name: str) -> str | None:
        """The exclude pattern that matches a short ref name, or None. "origin/x" is tried as "x" too,
        as a remote-tracking branch would be."""
        names = (name, name.split("/", 1)[1]) if "/" in name else (name,)
        return self._first_match(self._exclude, names)


def ref_names(refname: str) -> tuple[str, ...]:
    """Every name a ref goes by for scope matching: its short forms and its full name."""
    if refname.startswith("refs/heads/"):
        return (refname[len("refs/heads/"):], refname)
    if refname.startswith("refs/remotes/"):
        short = refname[len("refs/remotes/"):]
        on_remote = short.split("/", 1)[1] if "/" in short else short
        return (short, on_remote, refname)
    if refname.startswith("refs/pull/") and refname.endswith("/head"):
        return (refname[len("refs/"):-len("/head")], refname)
    return (refname.removeprefix("refs/"), refname)
