"""The tier of a change: the tier rules of its paths, raised to Tier 0 by any destructive operation."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.git.diff import GITLINK_MODE, SYMLINK_MODE, FileDiff
from app.core.impact.destructive.legacy import detect_destructive
from app.core.impact.destructive.ops import DestructiveOp
from app.core.impact.tiers import BUILT_IN, MAX_TIER, NO_TIER_RULE, TierConfig, TierRule
from app.core.impact.unsafe_code import UnsafeSite, added_unsafe
from app.core.text import visible_path

if TYPE_CHECKING:
    from app.core.impact.destructive.scan import BaseFiles, Neighbours, Reader
    from app.core.vendored import Vendored

VENDORED_REASON = ("vendored third-party code: other projects' code, brought in by the dependency manifest beside "
                   "it (a bump is ranked by go.mod, composer.json ...)")

MAX_DESTRUCTIVE_REASONS = 10  # one-liners in TierAssessment.reasons; every op stays in .destructive


@dataclass
class TierAssessment:
    """The tier of a change and why."""

    tier: int  # the lowest (most critical) tier of its files; 0 when any destructive operation was found
    reasons: list[str]  # one-liners, most severe first: destructive operations, then the deciding rules
    file_tiers: dict[str, int]  # per file (FileDiff.path); 0 for a file with a destructive operation
    destructive: list[DestructiveOp] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # files the parsing detectors had to leave to the regexes
    unsafe: list[UnsafeSite] = field(default_factory=list)  # the unsafe Rust code it adds: said, no tier of its own

    def to_dict(self) -> dict[str, Any]:
        return {"tier": self.tier, "reasons": list(self.reasons), "file_tiers": dict(self.file_tiers),
                "destructive": [op.to_dict() for op in self.destructive], "notes": list(self.notes),
                "unsafe": [[s.path, s.line, s.kind, s.text] for s in self.unsafe]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TierAssessment:
        """The assessment `to_dict` gave (the analysis cache keeps it with the change's report)."""
        return cls(int(data["tier"]), [str(r) for r in data["reasons"]],
                   {str(p): int(t) for p, t in data["file_tiers"].items()},
                   [DestructiveOp(str(op["kind"]), str(op["path"]), None if op["line"] is None else int(op["line"]),
                                  str(op["text"]), str(op["explanation"]), str(op["side"]),
                                  float(op.get("weight", 1.0)))
                    for op in data["destructive"]],
                   [str(n) for n in data["notes"]],
                   [UnsafeSite(str(s[0]), int(s[1]), str(s[2]), str(s[3])) for s in data.get("unsafe", ())])


def find_destructive(files: Sequence[FileDiff], config: TierConfig, read: Reader | None,
                     neighbours: Neighbours | None = None,
                     base_files: BaseFiles | None = None) -> tuple[list[DestructiveOp], list[str]]:
    """The change's destructive operations: by the parsing detectors when the file versions can be
    read (`read`), else by the regex detectors over the diff alone."""
    if read is None:
        return detect_destructive(files, skip=config.skip_destructive), []
    from app.core.impact.destructive.scan import scan_change

    result = scan_change(files, read, skip=config.skip_destructive, neighbours=neighbours, base_files=base_files)
    ops = [DestructiveOp(f.kind, f.path, f.line, f.text, f.explanation, f.side, f.weight) for f in result.findings]
    return ops, result.notes


def _neutral_why(fd: FileDiff, read: Reader) -> tuple[int, str] | None:
    """The tier of a modified file whose edit changes nothing its path's tier is about, and why, or None: a .tf edit
    no `terraform plan` sees (comments, descriptions of variables: tier 3) or that no apply turns into a destroyed or
    exposed resource (outputs, validations, version constraints within the same majors: tier 2, ordinary code), a
    manifest whose only change is the package's own version (a release bump of a library made its change Tier 1,
    "changes what code runs in production"), a Go file whose comment above the package clause alone changed
    (`_go_header_only`: tier 3)."""
    name = fd.path.rsplit("/", 1)[-1]
    go = fd.path.endswith(".go")
    if fd.status != "modified" or fd.binary or not (fd.path.endswith(".tf") or go or name in _VERSIONED):
        return None
    old, new = read(fd, "old"), read(fd, "new")
    if old is None or new is None:
        return None
    before, after = old.decode("utf-8", "replace"), new.decode("utf-8", "replace")
    if fd.path.endswith(".tf"):
        return _terraform_neutral(before, after, fd.path)
    if go:
        return (MAX_TIER, GO_HEADER_REASON) if _go_header_only(before, after) else None
    return (MAX_TIER, "only the package's own version changed") if _same_but_version(name, before, after) else None


GO_HEADER_REASON = ("only the comment above the package clause changed (a generator's version line, a licence "
                    "header): nothing compiled changed")
_GO_PACKAGE = re.compile(r"^package\s+\w+", re.M)
_GO_CONSTRAINT = re.compile(r"^\s*//\s*(?:go:build\b|\+build\b)", re.M)


def _go_header_only(before: str, after: str) -> bool:
    """Whether two versions of a Go file differ above their package clause alone, where Go allows only comments: the
    version line protoc-gen-go-grpc writes into every generated file (memos' pull requests regenerate
    auth_service_grpc.pb.go for a version bump, and a mention-autocomplete change was tier 0 by it, QA60), a licence
    header. Not a build constraint (`//go:build`, `// +build`), which decides whether the file is compiled."""
    heads, tails = [], []
    for text in (before, after):
        clause = _GO_PACKAGE.search(text)
        if clause is None:
            return False
        heads.append(text[:clause.start()])
        tails.append(text[clause.start():])
    if tails[0] != tails[1] or heads[0] == heads[1]:
        return False
    return not any(_GO_CONSTRAINT.search(head) for head in heads)


_NEUTRAL_WORDS = {
    "outputs": "outputs (none removed, none made non-sensitive)",
    "validations": "variables' validations",
    "versions": "the terraform and provider version constraints (the same major versions)",
}
NEUTRAL_TIER = 2
"""The tier of a .tf edit no apply turns into a destroyed or exposed resource: ordinary code."""


def _terraform_neutral(before: str, after: str, path: str) -> tuple[int, str] | None:
    from app.core.impact.destructive.terraform_neutral import DOCS, neutral_edit

    changed = neutral_edit(before, after, path)
    if changed is None:
        return None
    if changed == {DOCS}:
        return MAX_TIER, ("only comments, layout and descriptions of variables or outputs changed, nothing terraform "
                          "plan sees")
    what = [words for kind, words in _NEUTRAL_WORDS.items() if kind in changed]
    docs = " (and descriptions, comments or layout)" if DOCS in changed else ""
    return NEUTRAL_TIER, f"only {_listed(what)} changed{docs}: nothing an apply destroys or exposes"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


_VERSIONED = ("package.json", "jsr.json", "deno.json", "pyproject.toml", "Cargo.toml")  # jsr.json: hono's release
# bumps its version beside package.json's


def _same_but_version(name: str, before: str, after: str) -> bool:
    """Whether two versions of a manifest differ in the package's own `version` alone (parsed: json, tomllib)."""
    import json
    import tomllib

    try:
        old, new = ((json.loads(t) for t in (before, after)) if name.endswith(".json")
                    else (tomllib.loads(t) for t in (before, after)))
    except (ValueError, tomllib.TOMLDecodeError, RecursionError):
        return False
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    for manifest in (old, new):
        manifest.pop("version", None)
        for table in ("project", "package", "tool"):
            section = manifest.get(table)
            if isinstance(section, dict):
                section.pop("version", None)
                poetry = section.get("poetry")
                if table == "tool" and isinstance(poetry, dict):
                    poetry.pop("version", None)
    return bool(old == new)


def _vendored_rule(path: str, rule: TierRule | None, vendored: Vendored | None) -> TierRule | None:
    """The rule that decides a vendored file: tier 3, other projects' code, unless the repository's own
    `[[tiers.rules]]` decides it (a team that reads its vendored tree says so); else `rule`."""
    if vendored is None or (rule is not None and rule.source != BUILT_IN):
        return rule
    root = vendored.root_of(path)
    if root is None:
        return rule
    return TierRule(f"{root}/", MAX_TIER, VENDORED_REASON, f"vendored: {vendored.evidence(root)}")


def _file_rule(fd: FileDiff, config: TierConfig, vendored: Vendored | None) -> tuple[int, TierRule | None, str] | None:
    """(tier, the rule that decides it, the path it decides) of a file: its more critical path's (a rename has two)."""
    best: tuple[int, TierRule | None, str] | None = None
    for path in dict.fromkeys(p for p in (fd.new_path, fd.old_path) if p):
        rule = _vendored_rule(path, config.rule_for(path), vendored)
        tier = config.default_tier if rule is None else rule.tier
        if best is None or tier < best[0]:
            best = (tier, rule, path)
    return best


DEV_ONLY_TIER = 2
DEV_ONLY_REASON = ("only dependencies that development and tests use changed: nothing that runs in production (they "
                   "still run with CI's rights)")


_Decided = tuple[dict[str, int], dict[TierRule | None, list[str]], list[tuple[int, str]]]

DirectoryHint = Callable[[str], "str | None"]  # a default-tier path -> a hint about its directory (directory_hint)
MIN_CRITICAL_SIBLINGS = 3  # files of a directory at a critical tier by their names before it reads as critical
MAX_DIRECTORY_HINTS = 2


def directory_hint(path: str, siblings: Sequence[str], config: TierConfig) -> str | None:
    """A hint for a file the tier rules leave at the default tier when most code files of its directory (`siblings`,
    the code files directly in it, `path` too) have a more critical tier by their names: a project declares its own
    identity code by convention (BookStack's app/Access/Controllers holds LoginController ... by name, tier 0, and
    SocialController, UserInviteController at tier 2: QA59 F11). None unless MIN_CRITICAL_SIBLINGS and half of them
    are more critical; the tier named is the one most of them have."""
    directory = posixpath.dirname(path)
    tiers = {sibling: _tier_by_rules(sibling, config) for sibling in siblings if sibling != path}
    critical = sorted(p for p, tier in tiers.items() if tier < config.default_tier)
    if not directory or len(critical) < MIN_CRITICAL_SIBLINGS or 2 * len(critical) < len(tiers) + 1:
        return None
    counts = Counter(tiers[p] for p in critical)
    tier = min(counts, key=lambda t: (-counts[t], t))
    named = ", ".join(visible_path(posixpath.basename(p)) for p in critical[:2])
    more = f" and {len(critical) - 2} more" if len(critical) > 2 else ""
    return (f"{visible_path(directory)}/ holds {len(critical)} of {len(tiers) + 1} code files at a critical tier by "
            f"their names ({named}{more}): if {visible_path(posixpath.basename(path))} is as critical, add "
            f"[[tiers.rules]] glob = \"{visible_path(directory)}/*\", tier = {tier} to .review-tui.toml")


def _tier_by_rules(path: str, config: TierConfig) -> int:
    rule = config.rule_for(path)
    return config.default_tier if rule is None else rule.tier


def _directory_hints(paths: Sequence[str], hint: DirectoryHint) -> list[str]:
    """The hints of the directories of a change's default-tier files, at most MAX_DIRECTORY_HINTS, one a directory."""
    out: dict[str, str] = {}
    for path in paths:
        directory = posixpath.dirname(path)
        if directory in out or len(out) >= MAX_DIRECTORY_HINTS:
            continue
        if (found := hint(path)) is not None:
            out[directory] = found
    return list(out.values())


def _file_tiers(files: Sequence[FileDiff], config: TierConfig, read: Reader | None, vendored: Vendored | None,
                dev_only: Collection[str]) -> _Decided:
    """Each file's tier; the paths each deciding rule decides; the (tier, why) of files an edit that changes nothing
    their rule is about lowered (_neutral_why, `dev_only`)."""
    file_tiers: dict[str, int] = {}
    groups: dict[TierRule | None, list[str]] = {}
    neutral: list[tuple[int, str]] = []
    for fd in files:
        best = _file_rule(fd, config, vendored)
        if best is None:
            continue
        why = _neutral_why(fd, read) if best[0] < MAX_TIER and read is not None else None
        if why is None and fd.path in dev_only and best[0] < DEV_ONLY_TIER:
            why = (DEV_ONLY_TIER, DEV_ONLY_REASON)
        if why is not None and why[0] > best[0]:
            file_tiers[fd.path] = why[0]
            neutral.append((why[0], f"{visible_path(fd.path)}: {why[1]}"))
            continue
        file_tiers[fd.path] = best[0]
        groups.setdefault(best[1], []).append(best[2])
    return file_tiers, groups, neutral


def assess(files: Sequence[FileDiff], config: TierConfig, read: Reader | None = None,
           neighbours: Neighbours | None = None, vendored: Vendored | None = None,
           dev_only: Collection[str] = (), base_files: BaseFiles | None = None,
           hint: DirectoryHint | None = None) -> TierAssessment:
    """The tier of the change made of `files` (a rename counts its old and new path). With `read`
    (file versions by side), destructive operations are found by parsing each file's base and head;
    `neighbours` reads a directory's .tf files at the head, `base_files` a directory's files at the base
    (scan_change). A file of `vendored` third-party code
    is tier 3 whatever its name says (`client_auth.go` of a vendored SSH library), and no detector reads it
    (a vendored library's own .travis.yml never ran in this project's CI). A manifest or lock file of `dev_only`
    (dependencies.dev_only_files: a Gemfile's development group, package.json's devDependencies) is DEV_ONLY_TIER:
    FIX98 left a dev/test-only bump at tier 1, "changes what code runs in production". `hint` says, for a file at the
    default tier, how its directory could be declared critical when its neighbours are by name (directory_hint)."""
    file_tiers, groups, neutral = _file_tiers(files, config, read, vendored, dev_only)
    scanned = files if vendored is None else [fd for fd in files if not (vendored(fd.old_path or fd.new_path)
                                                                         and vendored(fd.new_path or fd.old_path))]
    destructive, notes = find_destructive(scanned, config, read, neighbours, base_files)
    unsafe = added_unsafe(scanned)
    if not file_tiers:  # an empty diff (a clean merge): nothing in it can be critical
        return TierAssessment(MAX_TIER, ["no file changed: nothing to review"], {}, destructive, notes, unsafe)
    path_tier = min(file_tiers.values())
    for op in destructive:
        if op.path in file_tiers:
            file_tiers[op.path] = 0
    reasons = list(dict.fromkeys(op.summary() for op in destructive))
    if len(reasons) > MAX_DESTRUCTIVE_REASONS:
        extra = len(reasons) - MAX_DESTRUCTIVE_REASONS
        reasons = reasons[:MAX_DESTRUCTIVE_REASONS] + [f"... and {extra} more destructive operations"]
    deciding = [why for tier, why in neutral if tier == path_tier]
    if deciding:
        more = f" (+{len(deciding) - 1} more)" if len(deciding) > 1 else ""
        reasons.append(f"{deciding[0]}: tier {path_tier}{more}")
    for rule, paths in groups.items():
        tier = config.default_tier if rule is None else rule.tier
        if tier != path_tier:
            continue
        line = (f"{visible_path(paths[0])} {NO_TIER_RULE}: default tier {tier}" if rule is None
                else config.explain(rule, paths[0]))
        reasons.append(line + (f" (+{len(paths) - 1} more)" if len(paths) > 1 else ""))
        if rule is None and hint is not None and not destructive:
            reasons += _directory_hints(paths, hint)
    reasons += _executables(files, vendored)
    reasons += _databases(files, read, vendored)
    return TierAssessment(0 if destructive else path_tier, reasons, file_tiers, destructive, notes, unsafe)


EXECUTABLE_BITS = 0o111
EXECUTABLE_MODE = 0o100755
MAX_EXECUTABLE_NAMED = 3


def _executables(files: Sequence[FileDiff], vendored: Vendored | None) -> list[str]:
    """A line saying which files the change commits as programs (added executable, or made executable): a script
    anyone who checks the repository out can run, or a binary whose source is not in the change (QA crush: seven
    new 100755 scripts in pr/1398, a build script in pr/647, were tier 2 without a word). A committed environment's
    or vendored tree's own programs (bin/ of a venv) are other projects' and not named."""
    scripts: list[str] = []
    binaries: list[str] = []
    for fd in files:
        new_mode = fd.new_mode if fd.new_path is not None and fd.status != "deleted" else 0
        if not new_mode & EXECUTABLE_BITS or fd.old_mode & EXECUTABLE_BITS or new_mode in (SYMLINK_MODE, GITLINK_MODE):
            continue
        if fd.counted_only or (vendored is not None and vendored(fd.path)):
            continue
        (binaries if fd.binary and not fd.not_diffed else scripts).append(visible_path(fd.path))
    lines = []
    for found, what in ((binaries, "binary committed as an executable program (its source is not in the change)"),
                        (scripts, "committed as an executable script: anyone with a checkout can run it")):
        if found:
            named = ", ".join(found[:MAX_EXECUTABLE_NAMED])
            more = f" and {len(found) - MAX_EXECUTABLE_NAMED} more" if len(found) > MAX_EXECUTABLE_NAMED else ""
            lines.append(f"{named}{more}: {what} (mode {EXECUTABLE_MODE:o})")
    return lines


SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite 3 database file (sqlite.org/fileformat.html, "The Database Header")."""
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db", ".db3")
_SQLITE_BY_NAME = (".sqlite", ".sqlite3")  # a SQLite database by its name alone where its content cannot be read
DATABASE_REASON = ("SQLite database committed: binary, so the diff shows none of what it holds, often real records "
                   "or credentials (open it, `sqlite3 FILE .dump`, before approving)")


def _databases(files: Sequence[FileDiff], read: Reader | None, vendored: Vendored | None) -> list[str]:
    """A line naming the SQLite databases the change commits (added, or their content changed), as `_executables`
    names programs. A `.db` counts only with SQLite's header (Windows' Thumbs.db, Berkeley DB files are no SQLite).
    The tier stays its path's: what a database can do is disclose what it holds, which no path says (an app's
    committed db.sqlite3 with its users' password hashes, a test's fixture under tests/, tier 3); the reviewer who
    opens it can, and this line says so where the tier is explained."""
    found: list[str] = []
    for fd in files:
        path = fd.new_path
        unchanged = fd.old_blob is not None and fd.new_blob == fd.old_blob  # a rename: committed before
        if (path is None or fd.status == "deleted" or unchanged or fd.counted_only
                or not path.lower().endswith(SQLITE_SUFFIXES) or (vendored is not None and vendored(path))):
            continue
        content = read(fd, "new") if read is not None else None
        if (content.startswith(SQLITE_HEADER) if content is not None else path.lower().endswith(_SQLITE_BY_NAME)):
            found.append(visible_path(path))
    if not found:
        return []
    named = ", ".join(found[:MAX_EXECUTABLE_NAMED])
    more = f" and {len(found) - MAX_EXECUTABLE_NAMED} more" if len(found) > MAX_EXECUTABLE_NAMED else ""
    return [f"{named}{more}: {DATABASE_REASON}"]
