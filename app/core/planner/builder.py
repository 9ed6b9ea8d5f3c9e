"""Review plans: a change's diff cut into ordered chunks sized for one careful sitting each.

Guarantees (the tests check them):
- The chunks partition the diff: every changed line ('+' or '-') of every file is owned by
  exactly one chunk, through the chunk's segments.
- A chunk holds at most `target_lines` changed lines, unless it is one indivisible unit (one
  function, or one collapsed file) that is larger on its own; it then says so (`oversized`,
  `oversize_reason`) and holds nothing else. Code of a tier read slower holds fewer: each file's lines weigh
  target_lines / ChunkConfig.lines_per_chunk (266 lines of tier 0 are a chunk), and a chunk's floor with the
  complexity its functions add stays within one sitting (`leaf_seconds`), so the floor's one-sitting cap is left
  for a unit that cannot be cut (QA55 F12). Files deleted whole (of a directory deleting more than the target) are
  packed apart, per directory, up to what one sitting skims at the removal rate (`removal_lines`, 2,000), a larger
  one cut at its top-level definitions. A file larger than the target whose changed lines are nine in ten
  re-indented (whitespace-only, planner/whitespace.py) is packed alone by its reading effort: its re-indented
  lines weigh what they take to skim (a re-indented package.json of 1,094 changed lines, 10 real, is one chunk).
- Cuts fall at directory, file, class and function edges: a function that fits in a chunk is
  never split. Top-level code (outside any definition) is cut at hunk edges, and a hunk larger
  than the target at line boundaries, because it is not a unit a reader must see whole.
- A chunk never mixes two directories, except that a test file joins the module it tests and a
  file that uses a definition added in another directory joins it (when the pair fits): chunks
  then read as one topic, and an edit in one directory leaves the other directories' chunks and
  their content hashes alone. Small edits (whole files under a quarter of the target) of one tier
  in one area of the tree (`tests/`, `src/agents/`) are the other exception: packed up to the
  target, each would be a decision of its own.
- Generated, vendored, lock and large data files go to collapsed chunks (per directory), binary
  files to binary chunks (per directory), and files whose content did not change (pure renames
  and moves, mode changes, empty files) to one light "rename" chunk.

Definition edges come from app.core.spans. Exact parsing (`ast` for Python, lizard for other
languages) is needed only where it decides a cut, i.e. for a file whose own change exceeds the
target; every other Python file is named by the quick indentation scanner. This keeps planning
as fast as producing the diff itself (bench/bench_chunks.py), since `ast.parse` runs about 4x
slower than libgit2 produces diff lines.

The content hash of a chunk covers its kind and its changed lines as (path, origin, text), in
order, and nothing else: a rebase that only shifts line numbers or changes context keeps it, an
edit to any of its lines changes it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import operator
import posixpath
import re
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from app.core.dependencies import binary_lock_note, is_manifest
from app.core.git.diff import ADDED, CONTEXT, DELETED, DiffLine, DiffLines, FileDiff
from app.core.gitattributes import OwnCode
from app.core.globs import GlobSet as FastGlobSet
from app.core.globs import compile_glob
from app.core.metrics.spans import MAX_SPAN_CHARS, TEST_REGION_SUFFIXES, SpanResult, is_test_line, test_regions
from app.core.planner.bump import ROLE_LOCKS, ROLE_MANIFESTS, ROLE_RANK, ROLE_VENDORED, BumpPlan, go_modules
from app.core.planner.mirrors import Mirror, describe, mirror_copies
from app.core.planner.model import (
    CONTENT_KINDS,
    EF_MODEL_GLOBS,
    GENERATED_MARKER_LINES,
    INSTALLED_ENV_GLOBS,
    KIND_BINARY,
    KIND_CODE,
    KIND_COLLAPSED,
    KIND_RENAME,
    LICENCE_HEADER,
    LOCK_FILE_GLOBS,
    MOVED,
    ORDER_PATH,
    ORDER_RISK,
    REINDENTED,
    REMOVED,
    SCHEMA_DUMP,
    SCHEMA_DUMP_GLOBS,
    TOOL_WRITTEN,
    VENDORED_GLOBS,
    Chunk,
    ChunkConfig,
    LineRange,
    ReviewPlan,
    Segment,
    content_floor,
    content_kind,
    is_translation_path,
    light_floor,
    new_line_range,
    new_segment,
)
from app.core.planner.moved import MIN_LINES as MOVED_MIN_LINES
from app.core.planner.moved import moved_lines
from app.core.planner.packer import (
    CODE_RUN,
    FUNCTION_UNIT,
    LOAD_EPSILON,
    WHOLE_FILE,
    Draft,
    Group,
    Leaf,
    Packer,
)
from app.core.planner.protobuf import generated_source, may_be_output, proto_changed, proto_notes
from app.core.planner.translations import ROLE_TRANSLATIONS, code_flags, is_php_catalogue, locale_of, normal
from app.core.planner.tree import CodeFile, code_file
from app.core.planner.whitespace import is_catalogue, licence_header, skimmed_lines, tool_written
from app.core.text import format_duration, plural, share_text, visible_path
from app.core.vendored import LICENCE_FILE_NAME, Vendored
from app.errors import ReviewTuiError

# -- globs ---------------------------------------------------------------------------------------

class GlobSet:
    """The [chunks] collapsed and data globs, on the engine of app.core.globs (the same gitignore-like
    rules as tier rules); `match` returns the first pattern that matches."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [p for p in patterns if p.strip()]
        self._each = [compile_glob(p) for p in self.patterns]
        self._any = FastGlobSet(self.patterns) if self.patterns else None
        self._memo: dict[str, str | None] = {}  # path -> match: a file's old and new path are often one

    def match(self, path: str) -> str | None:
        if path not in self._memo:
            self._memo[path] = self._match(path)
        return self._memo[path]

    def _match(self, path: str) -> str | None:
        if self._any is None or not self._any.matches(path):
            return None
        for pattern, glob in zip(self.patterns, self._each, strict=True):
            if glob.match(path):
                return pattern
        return None  # pragma: no cover - the set matched, so one member does


# -- building ------------------------------------------------------------------------------------

# Runs of one origin in a hunk's origin string ("  --++ +"): added or deleted lines.
_CHANGE_RUNS = re.compile(r"\++|-+")
_CHANGED_RUNS = re.compile(r"[+-]+")
_ADDED_RUNS = re.compile(r"\++")
_TEXT = operator.attrgetter("text")
_ORIGIN = operator.attrgetter("origin")
_FILE_INDEX = operator.attrgetter("file_index")

CHUNK_BINDING = 2
"""Version of what a chunk's content hash covers (see _PlanBuilder._binding_hash); 1 hashed the
path and the changed lines' decoded text only."""
CONTEXT_BOUND = 3
"""Context lines on each side of a segment that its binding covers (nearby code)."""
# Rails' schema dump (db/schema.rb, db/structure.sql; a second database's db/cache_schema.rb) and the migrations that
# write it (db/migrate/, db/cache_migrate/): the group is the directory and the database's prefix
_SCHEMA_DUMP = re.compile(r"^(.*?)(?:^|/)db/(\w+_)?(?:schema\.rb|structure\.sql)$")
_MIGRATION = re.compile(r"^(.*?)(?:^|/)db/(\w+_)?migrate/[^/]+\.rb$")
# A directory named for a database: a project that supports several keeps one copy of each migration per database,
# store/migration/{mysql,postgres,sqlite}/0.29/00__group.sql in memos (QA60)
_DATABASE_DIRS = frozenset({"mysql", "mariadb", "postgres", "postgresql", "pg", "pgsql", "sqlite", "sqlite3", "mssql",
                            "sqlserver", "oracle", "cockroach", "cockroachdb", "tidb", "clickhouse", "h2", "hsqldb"})


def _driver_twins(files: Iterable[tuple[int, str]]) -> dict[int, int]:
    """File -> the first of its twins (in path order): the same path but for one directory named for a database.
    Each database's copy of one migration says the same in its dialect, and a reviewer compares them side by side:
    memos' 00__group.sql for MySQL, PostgreSQL and SQLite were three chunks apart, and each driver's LATEST.sql three
    more (QA60). So does each driver's code of one store: memos' store/db/{mysql,postgres,sqlite}/memo.go make one
    schema change three times, in three chunks (FIX115)."""
    firsts: dict[str, int] = {}
    twins: dict[int, int] = {}
    for index, path in sorted(files, key=lambda item: item[1]):
        parts = path.split("/")
        slots = [n for n, part in enumerate(parts[:-1]) if part.lower() in _DATABASE_DIRS]
        if len(slots) != 1:
            continue
        key = "/".join(parts[:slots[0]] + ["\0"] + parts[slots[0] + 1:])
        if key in firsts:
            twins[index] = firsts[key]
        else:
            firsts[key] = index
    return twins


# Stylesheets: one deleted whole is a skim for whether anything still uses it (QA57 F18: rubygems.org's #6690 read 3,394
# deleted lines of old layout CSS at 2,000 an hour, 1h42m of floor, one chunk 4.5x the target)
_STYLESHEETS = (".css", ".scss", ".sass", ".less", ".styl")
LITERAL_CHUNKS = 5
"""A file's change of values only (one literal) is collapsed as data past this many chunks' lines."""
LITERAL_SAMPLE = 4_000
"""Changed lines read to judge whether a change is values only: evenly spread, a bounded look at a huge file."""
LITERAL_SHARE = 0.95
"""The share of those lines that must hold values and punctuation only."""
_SCALAR = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[-+]?\.?\d[\w.+-]*|True|False|None|true|false|null|nil)"""
# A line of a literal: values (strings, numbers, constants) and the brackets, commas and colons between them.
_VALUES_ONLY = re.compile(rf"^(?:\s|{_SCALAR}|[\[\]{{}}(),:;]|=>)*+$")


def _line_token(origin: str, line: DiffLine) -> str:
    if line.raw is not None:
        return f"{origin}b{len(line.raw)}:{line.raw.hex()}\n"
    return f"{origin}{len(line.text)}:{line.text}\n"
_ADDITIONS = operator.attrgetter("additions")
_DELETIONS = operator.attrgetter("deletions")
_NEW_LINENO = operator.attrgetter("new_lineno")
_OLD_LINENO = operator.attrgetter("old_lineno")


_TEST_PATTERNS = (
    re.compile(r"^test_(?P<stem>.+)\.(?P<ext>py)$"),
    re.compile(r"^(?P<stem>.+)_test\.(?P<ext>py|go|rb|exs?|cc|cpp|c|rs)$"),
    re.compile(r"^(?P<stem>.+)\.(?:test|spec)\.(?P<ext>[jt]sx?|mjs|cjs)$"),
    re.compile(r"^(?P<stem>.+)_spec\.(?P<ext>rb)$"),
    re.compile(r"^(?P<stem>[A-Z].*)Tests?\.(?P<ext>java|kt|cs|swift|scala)$"),
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINITION_NAME = re.compile(r"^\s*(?:async\s+def|def|class|func|function|fn|pub\s+fn)\s+([A-Za-z_]\w*)")
_DEFINITION_INITIALS = frozenset("adcfp")  # the first letters of the keywords above
# The same headers found anywhere in a text that starts with "\n": anchored on the newline rather
# than a multi-line "^", so the regex engine jumps from newline to newline (2x faster).
# Ruby's `class Valuation::Name` defines Name (Valuation is another file's: maybe-finance/maybe pr/2449 said account.rb
# "uses Valuation, defined in app/models/valuation/name.rb"), and `def self.build` defines build, not self (QA65)
_DEFINITION_NAMES = re.compile(
    r"\n[ \t]*(?:async[ \t]+def|def|class|func|function|fn|pub[ \t]+fn)[ \t]+(?:self\.|(?:[A-Za-z_]\w*::)+)?"
    r"([A-Za-z_]\w*)")
# Names too common to say that two files are related.
_COMMON_NAMES = frozenset({"main", "run", "get", "set", "update", "init", "setup", "teardown", "test", "call",
                           "close", "open", "read", "write", "start", "stop", "handle", "process", "execute",
                           "apply", "build", "create", "delete", "load", "save", "parse", "render", "reset"})


# Module names too common to say alone that a test is a module's: hono names nearly every module index.ts. A test of
# such a name pairs only with a module beside it (or in the mirrored directory) or one it imports.
_GENERIC_STEMS = frozenset({"index", "mod", "main", "lib", "__init__", "init", "utils", "util", "helpers", "types",
                            "common"})
# The parts of a directory that say where tests or sources live, not what they are: tests/foo/ mirrors src/foo/.
_LAYOUT_DIRECTORIES = frozenset({"tests", "test", "__tests__", "spec", "specs", "src", "lib"})
# A JS/TS relative import, re-export, dynamic import or require: `from '../../src/hono'`, `require('./x')`.
_JS_IMPORTS = re.compile(r"""(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*['"](\.{1,2}(?:/[^'"\n]*)?)['"]""")
_JS_EXTENSION = re.compile(r"\.(?:[cm]?[jt]sx?)$")
# A Python import: `from pkg.utils import x` -> ("pkg.utils", "x"), `import pkg.utils` -> ("pkg.utils", "").
_PY_IMPORTS = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?[ \t]*(\w+)|import[ \t]+([\w.]+))",
                         re.MULTILINE)


def _mirrored_directory(path: str) -> tuple[str, ...]:
    """A file's directory without its layout parts: src/foo/index.ts and tests/foo/index.test.ts -> ("foo",)."""
    return tuple(part for part in posixpath.dirname(path).split("/") if part and part not in _LAYOUT_DIRECTORIES)


def _imported(module: str, imports: set[str]) -> bool:
    """Whether a module's path (src/middleware/basic-auth/index.ts) is among `imports` (see _imports_of): by its
    path without extension, its directory for an index file (`../src/middleware/basic-auth`), or as the tail of a
    Python dotted name (`pkg/utils` for src/pkg/utils.py)."""
    base = posixpath.splitext(module)[0]
    if base in imports or (posixpath.basename(base) == "index" and posixpath.dirname(base) in imports):
        return True
    if module.endswith(".py"):
        package = posixpath.dirname(base) if posixpath.basename(base) == "__init__" else base
        return any(name and (package == name or package.endswith("/" + name)) for name in imports)
    return False


def _test_subject(path: str) -> tuple[str, str] | None:
    """(module stem, extension) when `path` names a test file: tests/test_retry.py -> ("retry", "py")."""
    name = posixpath.basename(path)
    for pattern in _TEST_PATTERNS:
        m = pattern.match(name)
        if m:
            return m.group("stem"), m.group("ext")
    return None


def build_plan(
    files: list[FileDiff],
    *,
    read_blob: Callable[[str], bytes] | None = None,
    config: ChunkConfig | None = None,
    file_tiers: Mapping[str, int] | None = None,
    ai_lines: Mapping[str, Mapping[int, str]] | None = None,
    function_complexity: Mapping[str, Mapping[str, int]] | None = None,
    destructive_paths: Iterable[str] | None = None,
    order: str = ORDER_RISK,
    spans_cache: dict[tuple[str, str, bool], SpanResult] | None = None,
    seams: Iterable[tuple[str, str, int, int, str]] = (),
    test_functions: Mapping[str, Iterable[str]] | None = None,
    absent_at_base: Callable[[list[str]], Iterable[str]] | None = None,
    own_code: OwnCode | None = None,
    vendored: Vendored | None = None,
    dependency_note: str = "",
    source_locales: Iterable[str] = ("en",),
    outputs_at_base: Callable[[str], list[str]] | None = None,
) -> ReviewPlan:
    """Cut a change's diff into an ordered review plan (see the module doc for the guarantees).

    `read_blob(blob_id)` gives file contents for definition edges (None: cut at hunk edges).
    `file_tiers` maps path -> tier (missing: config.default_tier); `ai_lines` path -> {new line
    number: tool}; `function_complexity` path -> {qualname: CC added} (negative values count as 0);
    `destructive_paths` the paths whose added lines hold destructive operations. `order` is "risk"
    (riskiest first) or "path" (file order). `spans_cache` (blob id, path, exact) -> SpanResult
    lets repeated plans of the same blobs skip reading definitions again. `seams` are (path, side, start,
    end, symbol) of untested seams' definitions: the chunks that change them are marked and go first.
    `test_functions` path -> the functions of `function_complexity` that are tests inside a source file
    (Rust's #[cfg(test)] module): their complexity is test CC. Lines in such tests are read as test lines
    and, when their file is cut, chunked apart from its code (`spans.test_regions`). `absent_at_base(dirs)`
    names the directories among `dirs` that the base does not have: only a new tree can be a vendored one.
    `own_code(path)`: the change's .gitattributes says the file is not vendored (`-linguist-vendored`): it is read
    line by line whatever a licence beside it or a `vendor/` in its path suggests. A dependency bump (`vendored`:
    its package tool's trees, app/core/vendored.py; `dependency_note`: what its manifests change, in words) is
    planned as planner/bump.py says: its manifests first, its lock files next, a vendored dependency one skim.
    `source_locales`: the languages a translation is made from (planner/translations.py): their catalogues are read,
    every other language's skimmed, one chunk per language.
    """
    config = config or ChunkConfig()
    if order not in (ORDER_RISK, ORDER_PATH):
        raise ValueError(f"unknown chunk order {order!r} (expected 'risk' or 'path')")
    destructive = set(destructive_paths or ())
    builder = _PlanBuilder(files, read_blob, config, spans_cache, file_tiers, destructive, own_code)
    builder.test_functions = {path: set(names) for path, names in (test_functions or {}).items()}
    builder.function_complexity = function_complexity or {}
    builder.source_locales = frozenset(normal(locale) for locale in source_locales)
    if (vendored is not None and vendored.roots) or dependency_note:
        builder.bump = BumpPlan(vendored or Vendored(), dependency_note, _vendored_modules(files, read_blob))
    if absent_at_base is not None and builder.vendored:
        builder.vendored = vendored_roots(files, absent_at_base, own_code)
    drafts = builder.drafts()
    chunks = builder.materialise(drafts, file_tiers or {}, ai_lines or {}, function_complexity or {}, destructive)
    _mark_seams(chunks, list(seams))
    _mark_lfs_pointers(chunks, files)
    _mark_outside_links(chunks, files)
    chunks = _ordered(chunks, order)
    for number, chunk in enumerate(chunks, 1):
        chunk.index = number
    plan = ReviewPlan(chunks, sum(c.floor_seconds for c in chunks), config.target_lines, order)
    plan.notes += _plan_notes(files, chunks, builder.literals, config)
    plan.notes += proto_notes(files, lambda fd: _first_lines(fd, read_blob)[:GENERATED_MARKER_BANNER_LINES],
                              outputs_at_base)
    return plan


def _plan_notes(files: list[FileDiff], chunks: list[Chunk], literals: list[int], config: ChunkConfig) -> list[str]:
    """What the top of a plan says about the whole change: empty, mostly skimmed (re-indented, tool-written, licence
    headers) or moved, a file that is one literal of values."""
    notes: list[str] = []
    if not files:
        notes.append("empty change: nothing to review")
    total = sum(fd.changed_lines for fd in files)
    skimmed = sum(c.whitespace_lines for c in chunks)
    if skimmed >= 50 and skimmed * 10 >= total:  # a tenth of the change or more: said at the top of the plan
        written = any(is_catalogue(fd.path) for fd in files)
        what = ("re-indented or tool-written (the same text as a line they replace but for whitespace, as `git diff "
                "-w` pairs them, or a gettext catalogue's references, flags and dates)" if written else
                "re-indented (the same text as a line they replace but for whitespace, as `git diff -w` pairs them)")
        if licence := sum(c.licence_lines for c in chunks):
            what += f", or the licence text new files open with ({licence:,} lines)"
        notes.append(f"{skimmed:,} of {total:,} changed lines only {what}: skimmed at "
                          f"{config.whitespace_lines_per_hour:,.0f} lines an hour, not read line by line")
    moved = sum(c.moved_lines for c in chunks)
    if moved >= 50 and moved * 10 >= total:
        notes.append(f"{moved:,} of {total:,} changed lines only moved (blocks of {MOVED_MIN_LINES} lines or more "
                          "deleted in one place of the change and added in another, whitespace aside): check they "
                          f"moved intact, skimmed at {config.whitespace_lines_per_hour:,.0f} lines an hour")
    for index in literals:  # said at the top of the plan: 301 identical chunk rows said nothing
        fd = files[index]
        notes.append(f"{visible_path(fd.path)} is {share_text(fd.changed_lines / total)} of this change: one "
                          f"literal of values, collapsed as data into one chunk ({fd.changed_lines:,} of {total:,} "
                          "changed lines); if a tool writes it, mark it generated ([chunks] extra_collapsed_globs, "
                          "or linguist-generated in the base's .gitattributes)")
    return notes


def _mark_seams(chunks: list[Chunk], seams: list[tuple[str, str, int, int, str]]) -> None:
    """Record on each chunk the untested seams whose definition lines it changes."""
    if not seams:
        return
    for chunk in chunks:
        for path, side, start, end, name in seams:
            if any(r.path == path and r.side == side and r.start <= end and start <= r.end
                   for r in chunk.line_ranges) and name not in chunk.seams:
                chunk.seams.append(name)
        if chunk.seams:
            chunk.notes.append("changes an untested seam: " + ", ".join(chunk.seams)
                               + " (used from other modules, no test references it)")


_LFS_POINTER = re.compile(r"version https://git-lfs\.github\.com/spec/v1\noid sha256:[0-9a-f]{64}\nsize (\d+)$")


def _mark_lfs_pointers(chunks: list[Chunk], files: list[FileDiff]) -> None:
    """Say where a file is a Git LFS pointer: its three lines read as code, while what they stand for (a
    700 MB model file) is stored outside git and not reviewed here."""
    for fd in files:
        added = "\n".join(line.text for line in fd.added_lines())
        found = _LFS_POINTER.match(added) if added.startswith("version https://git-lfs") else None
        if found is None:
            continue
        size = int(found.group(1))
        for chunk in chunks:
            if fd.path in chunk.files:
                chunk.notes.append(f"{visible_path(fd.path)}: a Git LFS pointer to a {_megabytes(size)} object stored "
                                   "outside git: its content is not reviewed here")


def _mark_outside_links(chunks: list[Chunk], files: list[FileDiff]) -> None:
    """Say where a symbolic link points outside the repository (`/etc/passwd`, `../../secrets`): its one line
    reads as text, while what a tool or a build following it reads is not in the change."""
    for fd in files:
        if fd.new_mode != 0o120000 or not fd.path:
            continue
        targets = [line.text for line in fd.added_lines()]
        if len(targets) != 1:
            continue
        target = targets[0]
        inside = posixpath.normpath(posixpath.join(posixpath.dirname(fd.path), target))
        if target.startswith("/") or inside == ".." or inside.startswith("../"):
            for chunk in chunks:
                if fd.path in chunk.files:
                    chunk.notes.append(f"{visible_path(fd.path)}: a symbolic link to {visible_path(target)}, outside "
                                       "the repository: what it points at is not in this change")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB" if size >= 100_000 else f"{size:,}-byte"


def _ordered(chunks: list[Chunk], order: str) -> list[Chunk]:
    kind_rank = {KIND_CODE: 0, KIND_COLLAPSED: 1, KIND_BINARY: 2, KIND_RENAME: 3}
    if order == ORDER_PATH:
        # git's order of paths (`git diff`, a file browser: `.github/` before `requirements.txt`); the planner
        # groups by directory with the root's files first. A chunk goes where its first file does; light kinds last.
        return sorted(chunks, key=lambda c: (kind_rank[c.kind], min(c.files, default="")))
    # Riskiest first: tier, destructive operations, AI share (in tenths, so that 1% of AI does not
    # outrank a large complexity difference), complexity added; then size, then file order.
    # Careful reading comes before skimming: collapsed, binary and rename chunks follow code.
    positions = {id(c): i for i, c in enumerate(chunks)}
    # Tier 0 and destructive chunks lead: what can take the service down is read first. Then chunks that change
    # an untested seam: where modules meet is where adversarial tests are needed. A change deleting modules
    # makes every deleted public function a seam: seams first put flask pull/5603's deleted CI and publish
    # workflows (tier 0, destructive) 22nd, behind 21 tier 2 and 3 chunks (QA47 #10).
    # A dependency bump's manifests, then its lock files, come before all (planner/bump.py ROLE_RANK), unless the
    # change's own code is of a more critical tier: hono pull/5112's new benchmark package.json (tier 3) came before
    # its tier 2 src/context.ts.
    top = min((c.tier for c in chunks if not c.role and c.kind == KIND_CODE), default=3)
    return sorted(chunks, key=lambda c: (ROLE_RANK.get(c.role, 2) if c.tier <= top else 2, kind_rank[c.kind],
                                         c.tier > 0 and not c.destructive,
                                         not c.seams, c.tier,
                                         not c.destructive, -round(c.ai_share, 1),
                                         -c.complexity_added, -c.changed_lines, positions[id(c)]))


class _PlanBuilder:
    def __init__(self, files: list[FileDiff], read_blob: Callable[[str], bytes] | None, config: ChunkConfig,
                 spans_cache: dict[tuple[str, str, bool], SpanResult] | None,
                 file_tiers: Mapping[str, int] | None = None, destructive: frozenset[str] | set[str] = frozenset(),
                 own_code: OwnCode | None = None) -> None:
        self.files = files
        self.own_code = own_code
        self.destructive = destructive
        self.file_tiers = file_tiers or {}
        self.read_blob = read_blob
        self.config = config
        self.spans_cache = spans_cache
        self.paths = [f.path for f in files]
        self.changed_paths = frozenset(p for f in files for p in (f.old_path, f.new_path) if p)
        self.collapsed = _glob_set(tuple(config.collapsed_globs))
        self.data = _glob_set(tuple(config.data_globs))
        self.file_notes: dict[int, list[str]] = {}
        # file -> (the file it was paired with, the note when they share a chunk, the note when they do not)
        self.pair_notes: dict[int, tuple[int, str, str]] = {}
        self._origins: dict[int, list[str]] = {}
        self._test_complexity: dict[int, int] = {}  # id(chunk) -> its complexity added in tests, docs or data
        self.test_functions: dict[str, set[str]] = {}  # path -> its functions that are tests inside it
        self._regions: dict[int, tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]] = {}
        self.literals: list[int] = []  # files collapsed as one literal of data (_data_literal)
        self._whitespace: dict[int, list[frozenset[int]]] = {}  # per file, per hunk: its whitespace-only lines
        self._moved: dict[int, list[frozenset[int]]] | None = None  # per file, per hunk: its lines moved whole
        self._licence: dict[int, frozenset[int]] = {}  # per new file, its licence header's lines in its first hunk
        self._limits: dict[int, int] = {}  # per file, the changed lines of it a chunk holds (limit_of)
        self._line_seconds: dict[int, tuple[float, float]] = {}  # per file, a line's floor seconds, its multiplier
        self.function_complexity: Mapping[str, Mapping[str, int]] = {}  # path -> {qualname: CC added}: leaf_seconds
        self.vendored = vendored_roots(files, own_code=own_code)  # trees added with their own licence: one skim each
        self.mirrors = mirrors_of(files, config)  # copies of another file's edit: one collapsed chunk per directory
        self.bump: BumpPlan | None = None  # a dependency bump's groups (planner/bump.py)
        self.schema_dumps: set[int] = set()  # schema dumps read in their migration's chunk, skimmed (_with_migrations)
        self.source_locales: frozenset[str] = frozenset({"en"})  # translations' source languages: read, not skimmed
        self._catalogue_code: dict[int, list[frozenset[int]]] = {}  # per catalogue file, per hunk: its code lines

    def _hunk_origins(self, index: int) -> list[str]:
        """Each hunk's line origins as one string (" --++ "), made once per file: runs and counts of
        changed lines then come from string methods rather than a look at every line."""
        origins = self._origins.get(index)
        if origins is None:
            origins = []
            for hunk in self.files[index].hunks:
                if isinstance(hunk.lines, DiffLines):  # held as one string already: no line is made
                    origins.append(hunk.lines.origins)
                    continue
                joined = "".join(map(_ORIGIN, hunk.lines))
                if len(joined) != len(hunk.lines):  # an origin that is not one character: neither + nor -
                    joined = "".join([o if len(o) == 1 else "?" for o in map(_ORIGIN, hunk.lines)])
                origins.append(joined)
            self._origins[index] = origins
        return origins

    # -- classification -----------------------------------------------------------------------
    def _collapse_reason(self, index: int, fd: FileDiff) -> str | None:
        shown = visible_path(fd.path)
        # not a file of a tier 0 or 1 path: a package.json (a manifest) re-indented whole was 1,094 changed lines
        # skimmed as data, hiding a version downgrade and a new export among them (QA51 #25)
        if fd.changed_lines >= self.config.data_min_lines and self.file_tiers.get(fd.path, 2) >= 2:
            pattern = self.data.match(fd.path)
            if pattern and not self.collapsed.match(fd.path):
                return (f"{shown}: data file with {fd.changed_lines} changed lines (matches {pattern!r}, "
                        f"at least {self.config.data_min_lines}): collapsed")
        why = machine_written(fd, self.config, self.file_tiers.get(fd.path), own_code=self.own_code,
                              read_blob=self.read_blob, changed=self.changed_paths)
        if why:
            return f"{shown}: {why}: collapsed"
        if fd.status == "deleted" and fd.path.lower().endswith(_STYLESHEETS) and self.file_tiers.get(fd.path, 2) >= 2:
            return (f"{shown}: a stylesheet deleted whole: what to check is that nothing still uses its classes, not "
                    "its rules line by line: collapsed")
        return self._data_literal(index, fd)

    def _data_literal(self, index: int, fd: FileDiff) -> str | None:
        """Why a file whose change is one literal, data written as code (a 120,000-line dict), is collapsed as
        data: cut at line edges it was 301 chunks of one look and a 240-hour floor; it is skimmed, as a large data
        file is. Only past LITERAL_CHUNKS chunks of it, when nearly every changed line holds nothing but values
        (strings, numbers, brackets), and never in a tier 0 path (read in full there, as a "generated" name is)."""
        if fd.changed_lines < LITERAL_CHUNKS * self.config.target_lines or self.file_tiers.get(fd.path) == 0:
            return None
        texts: list[str] = []
        for hunk, origins in zip(fd.hunks, self._hunk_origins(index), strict=True):
            for match in _CHANGED_RUNS.finditer(origins):
                texts += map(_TEXT, hunk.lines[match.start():match.end()])
        sample = texts[::max(1, len(texts) // LITERAL_SAMPLE)]
        values = sum(1 for text in sample if _VALUES_ONLY.match(text))
        if values < LITERAL_SHARE * len(sample):
            return None
        self.literals.append(index)
        return (f"{visible_path(fd.path)}: {fd.changed_lines:,} changed lines of literal values, no definitions "
                f"(data written as code): collapsed as data, not cut into "
                f"{math.ceil(fd.changed_lines / self.config.target_lines):,} chunks")

    def drafts(self) -> list[Draft]:
        code: list[int] = []
        collapsed: list[int] = []
        binary: list[int] = []
        bytecode: list[int] = []
        light: list[int] = []
        submodules: list[int] = []
        environments: dict[str, list[int]] = {}
        mirrored: dict[str, list[int]] = {}
        bump: dict[str, list[int]] = {}
        languages: dict[str, list[int]] = {}
        for index, fd in enumerate(self.files):
            if (bump_group := self._bump_group(fd)) is not None:
                bump.setdefault(bump_group, []).append(index)
            elif (root := environment_root(fd.path)) is not None and self.collapsed.match(fd.path):
                environments.setdefault(root, []).append(index)  # binary or not: one look decides them all
            elif (root := self._vendored_root(fd)) is not None:
                environments.setdefault(root, []).append(index)  # a third-party tree: one skim too
            elif (mirror := self.mirrors.get(fd.path)) is not None:
                mirrored.setdefault(mirror.root, []).append(index)
            elif fd.binary and _is_bytecode(fd.path):
                bytecode.append(index)
            elif fd.binary:
                binary.append(index)
            elif fd.is_submodule and fd.hunks:
                submodules.append(index)  # never collapsed, even under vendor/: a pointer move is read
            elif fd.changed_lines == 0 or not fd.hunks:
                light.append(index)
            elif (language := self._translation(index, fd)) is not None:
                languages.setdefault(language, []).append(index)
            else:
                reason = self._collapse_reason(index, fd)
                if reason:
                    self.file_notes.setdefault(index, []).append(reason)
                    collapsed.append(index)
                else:
                    code.append(index)
        drafts = self._with_migrations(self._code_drafts(code), collapsed) + self._bump_drafts(bump)
        drafts += self._submodule_drafts(submodules)
        drafts += self._collapsed_drafts([i for i in collapsed if i not in self.schema_dumps])
        drafts += self._tree_drafts(environments, mirrored)
        drafts += self._translation_drafts(languages)
        for group in _by_directory(binary, self.paths):
            drafts.append(Draft(KIND_BINARY, light_files=group))
        if bytecode:
            drafts.append(Draft(KIND_BINARY, light_files=bytecode, bytecode=True))
        if light:
            drafts.append(Draft(KIND_RENAME, light_files=sorted(light, key=lambda i: self.paths[i])))
        return drafts

    def _with_migrations(self, drafts: list[Draft], collapsed: list[int]) -> list[Draft]:
        """Rails' schema dump (a generator's file, collapsed) in the chunk of a migration of the same change that
        writes it, its lines skimmed (SCHEMA_DUMP): a reviewer checks one against the other, and drift from a
        developer's own database shows only there (QA57 F7: rubygems.org pr/6605's dropped columns were the last
        chunk, 'Collapsed: db/schema.rb', apart from the destructive migration in the first). The chunk that drops
        or renames is preferred; without a migration the dump stays collapsed."""
        for index in collapsed:
            dump = _SCHEMA_DUMP.match(self.paths[index])
            if dump is None:
                continue
            holders = [draft for draft in drafts if any(
                (found := _MIGRATION.match(self.paths[leaf.file_index])) is not None
                and found.group(1, 2) == dump.group(1, 2) for leaf in draft.leaves)]
            if not holders:
                continue
            holder = next((draft for draft in holders if any(
                self.paths[leaf.file_index] in self.destructive for leaf in draft.leaves)), holders[0])
            leaf = self._every_line(index, WHOLE_FILE)
            holder.leaves.append(leaf)
            holder.size += leaf.size
            self.schema_dumps.add(index)
            migration = next(self.paths[leaf.file_index] for leaf in holder.leaves
                             if _MIGRATION.match(self.paths[leaf.file_index]))
            notes = self.file_notes.get(index, [])
            notes[:] = [note.removesuffix(": collapsed") + f": the schema the migrations write, read with "
                        f"{visible_path(migration)} and skimmed" for note in notes]
        return drafts

    def _translation(self, index: int, fd: FileDiff) -> str | None:
        """The language directory of a catalogue to skim (planner/translations.py): a translation into a language
        other than the source, at tier 2 or 3 (a repository rule that makes it 0 or 1 has it read), with no code in
        its changed lines (a Laravel catalogue is PHP that runs: code there is read)."""
        if not is_translation_path(fd.path) or self.file_tiers.get(fd.path, self.config.default_tier) < 2:
            return None
        located = locale_of(fd.path)  # the source language's catalogues with code are said too
        code = sum(map(len, self.catalogue_code(index))) if is_php_catalogue(fd.path) else 0
        if code:
            self.file_notes.setdefault(index, []).append(
                f"{visible_path(fd.path)}: {plural(code, 'changed line')} of this catalogue not a `'key' => 'text',` "
                "entry: code in a catalogue (it runs when the language loads), read as code")
        if located is None or normal(located[1]) in self.source_locales or code:
            return None
        return located[0]

    def catalogue_code(self, index: int) -> list[frozenset[int]]:
        """Per hunk of a Laravel catalogue, the indices of its changed lines that are code (translations.code_flags,
        each side read in order); empty sets for any other file."""
        found = self._catalogue_code.get(index)
        if found is None:
            fd = self.files[index]
            found = []
            for hunk in fd.hunks if is_php_catalogue(fd.path) and is_translation_path(fd.path) else ():
                code: set[int] = set()
                for side in (ADDED, DELETED):
                    positions = [i for i, line in enumerate(hunk.lines) if line.origin in (side, CONTEXT)]
                    flags = code_flags(hunk.lines[i].text for i in positions)
                    code.update(i for i, flag in zip(positions, flags, strict=True)
                                if flag and hunk.lines[i].origin == side)
                found.append(frozenset(code))
            if not found:
                found = [frozenset() for _ in fd.hunks]
            self._catalogue_code[index] = found
        return found

    def _translation_drafts(self, languages: Mapping[str, list[int]]) -> list[Draft]:
        """One collapsed chunk per language directory of translations (`_translation`), skimmed per file; the
        languages with a small edit each (under a quarter of target_lines, as small edits are packed) one chunk
        together per catalogue directory: a new string in 37 languages (BookStack pr/4157) is one look at them all,
        not 37 decisions."""
        drafts: list[Draft] = []
        small: dict[str, dict[str, list[Leaf]]] = {}
        for root, indices in sorted(languages.items()):
            every = [self._every_line(index, WHOLE_FILE) for index in indices]
            size = sum(leaf.size for leaf in every)
            if size < self.config.target_lines // 4:
                small.setdefault(posixpath.dirname(root), {})[root] = every
            else:
                drafts.append(Draft(KIND_COLLAPSED, every, size, translation=root))
        for parent, roots in sorted(small.items()):
            groups: list[list[str]] = [[]]
            seconds = 0.0
            for root, every in roots.items():  # packed up to one sitting: 34 languages' 206 files were 1h 12m
                cost = sum(self._translation_seconds(self.files[leaf.file_index].changed_lines) for leaf in every)
                if groups[-1] and seconds + cost > self.config.max_chunk_seconds:
                    groups.append([])
                    seconds = 0.0
                groups[-1].append(root)
                seconds += cost
            for group in groups:
                leaves = [leaf for root in group for leaf in roots[root]]
                drafts.append(Draft(KIND_COLLAPSED, leaves, sum(leaf.size for leaf in leaves),
                                    translation=parent + "/" if len(group) > 1 else group[0]))
        return drafts

    def _translation_seconds(self, lines: int) -> float:
        """A translation file's skim: a look (collapsed_seconds), or its lines at the docs rate when that is less."""
        return min(self.config.collapsed_seconds, lines / self.config.docs_lines_per_hour * 3600)

    def _tree_drafts(self, environments: Mapping[str, list[int]], mirrored: Mapping[str, list[int]]) -> list[Draft]:
        """One collapsed chunk per committed virtual environment or licence-vendored tree, and per mirror directory."""
        drafts: list[Draft] = []
        for root, indices in sorted(environments.items()):
            every = [self._every_line(index, WHOLE_FILE) for index in indices]
            size = sum(leaf.size for leaf in every) + sum(self.files[i].changed_lines for i in indices
                                                          if self.files[i].counted_only)
            drafts.append(Draft(KIND_COLLAPSED, [leaf for leaf in every if leaf.ranges], size,
                                oversized=size > self.config.target_lines,
                                oversize_reason=("a vendored tree" if root in self.vendored else
                                                 "one virtual environment") + ": nobody reads it line by line",
                                light_files=[i for i, leaf in zip(indices, every, strict=True) if not leaf.ranges],
                                environment=root))
        for root, indices in sorted(mirrored.items()):
            every = [self._every_line(index, WHOLE_FILE) for index in indices]
            size = sum(leaf.size for leaf in every)
            drafts.append(Draft(KIND_COLLAPSED, every, size, oversized=size > self.config.target_lines,
                                oversize_reason="copies of edits read in other chunks: skimmed, not read", mirror=root))
        return drafts

    def _bump_group(self, fd: FileDiff) -> str | None:
        """The dependency bump's group of a file (planner/bump.py), None for the rest and for a manifest or lock
        file without lines (binary, renamed only): those are planned as any file is."""
        if self.bump is None:
            return None
        group = self.bump.group_of(fd.path)
        if group in (ROLE_MANIFESTS, ROLE_LOCKS) and (fd.binary or not fd.hunks or fd.counted_only):
            return None
        return group

    def _bump_drafts(self, groups: Mapping[str, list[int]]) -> list[Draft]:
        """A dependency bump's manifests as one chunk to read, its lock files as one to skim, and each vendored
        dependency directory as one collapsed chunk (its files without lines join it: `_environment_chunk`)."""
        out: list[Draft] = []
        for group, indices in sorted(groups.items()):
            every = [self._every_line(index, WHOLE_FILE) for index in indices]
            size = sum(leaf.size for leaf in every) + sum(self.files[i].changed_lines for i in indices
                                                          if self.files[i].counted_only)
            kept = [leaf for leaf in every if leaf.ranges]
            if group == ROLE_MANIFESTS:
                out.append(Draft(KIND_CODE, kept, size, oversized=size > self.config.target_lines,
                                 oversize_reason="the manifests of one dependency bump: read together", role=group))
            elif group == ROLE_LOCKS:  # skimmed, a fixed floor per file: never oversized, as a collapsed chunk
                out.append(Draft(KIND_COLLAPSED, kept, size, role=group))
            else:
                out.append(Draft(KIND_COLLAPSED, kept, size,
                                 light_files=[i for i, leaf in zip(indices, every, strict=True) if not leaf.ranges],
                                 environment=group, role=ROLE_VENDORED))
        return out

    def _vendored_root(self, fd: FileDiff) -> str | None:
        """The vendored tree (vendored_roots) a file is in, unless a glob already collapses it or it is in a
        tier 0 path (read in full there, as a "generated" name is)."""
        if (not self.vendored or self.file_tiers.get(fd.path) == 0 or self.collapsed.match(fd.path)
                or (self.own_code is not None and self.own_code(fd.path))):
            return None
        return vendored_root(fd.path, self.vendored)

    def _every_line(self, index: int, kind: str) -> Leaf:
        """A leaf of every changed line of a file."""
        leaf = Leaf(index, "", kind, [])
        for hunk_index, origins in enumerate(self._hunk_origins(index)):
            for match in _CHANGED_RUNS.finditer(origins):
                leaf.add(hunk_index, match.start(), match.end() - 1)
        return leaf

    def _submodule_drafts(self, indices: list[int]) -> list[Draft]:
        """A chunk of its own for each submodule: its "Subproject commit" lines, titled by what moved."""
        out: list[Draft] = []
        for index in indices:
            packer = Packer(self.config.target_lines, KIND_CODE, self.paths)
            packer.place(self._every_line(index, CODE_RUN))  # a file replaced by one: cut at line edges
            packer.close()
            out += packer.drafts
        return out

    def _collapsed_drafts(self, indices: list[int]) -> list[Draft]:
        """One chunk per directory: a collapsed file's lines are skimmed, not read, so there is nothing to cut at
        target_lines (openai-agents-python's translated docs, marked generated by .gitattributes, were 19 chunks
        of ~400 lines: 19 decisions for three directories); the floor is per file either way."""
        out: list[Draft] = []
        # what one rule of the base's .gitattributes marks (`docs/zh/** linguist-generated`) is one chunk, its
        # subdirectories too: the translated docs were still 12 chunks, one per docs/zh/<topic>/
        # and a lock file's kind is one chunk, whatever its directory: a .NET repository keeps a packages.lock.json
        # beside each project, and bitwarden/server's pr/8238 (pin library project versions) was 60 collapsed chunks
        # of them, one per project, 60 decisions on what the .csproj chunks already say (QA62)
        by_rule: dict[str, list[int]] = {}
        for index in indices:
            rule = self.collapsed.match(self.paths[index])
            if rule and (rule in self.config.attribute_globs or rule in LOCK_FILE_GLOBS):
                by_rule.setdefault(rule, []).append(index)
        ruled = {i for group in by_rule.values() for i in group}
        groups = [*by_rule.items(), *((None, group) for group in
                                      _by_directory([i for i in indices if i not in ruled], self.paths))]
        for rule, group in groups:
            packer = Packer(sys.maxsize, KIND_COLLAPSED, self.paths)
            for index in group:
                packer.place(self._every_line(index, WHOLE_FILE))
            packer.close()
            for draft in packer.drafts:
                draft.rule = rule
            out += packer.drafts
        return out

    # -- code ---------------------------------------------------------------------------------
    def _code_drafts(self, indices: list[int]) -> list[Draft]:
        # Files deleted whole are one decision each, skimmed at the removal rate: those of a directory that
        # deletes more than a chunk's lines are packed apart, per directory, up to what one sitting skims (2,000
        # lines), and a larger one is cut at its top-level definitions only. At 400 lines hono pull/743's three
        # deleted validator files were 8 chunks, a test cut in two mid-`it(` (QA51 #12).
        removal = self.removal_lines()
        gone = self._deleted_apart(indices)
        skimmed = self._reindented_apart([i for i in indices if i not in gone])
        # code of a tier read slower weighs more, so its chunks fit one sitting (ChunkConfig.lines_per_chunk)
        weights = {i: self.config.target_lines / self.limit_of(i) for i in indices
                   if i not in gone and self.limit_of(i) < self.config.target_lines}
        code_files = {i: self._code_file(i, removal if i in gone else skimmed.get(i, self.limit_of(i)))
                      for i in indices}
        follows = self._follows(code_files)
        out: list[Draft] = []
        for index in skimmed:  # alone, by its reading effort: its re-indented lines are skimmed
            packer = Packer(skimmed[index], KIND_CODE, self.paths)
            packer.place(code_files[index].tree)
            packer.close()
            out += packer.drafts
        for deleting in (False, True):
            target = removal if deleting else self.config.target_lines
            files = {i: facts for i, facts in code_files.items() if (i in gone) == deleting and i not in skimmed}
            for units in self._directory_groups(files, {a: b for a, b in follows.items() if a in files and b in files}):
                packer = (Packer(target, KIND_CODE, self.paths) if deleting else Packer(
                    target, KIND_CODE, self.paths, weights, self.leaf_seconds, self.config.max_chunk_seconds))
                # a module with its test (or a definition with its users) is a group of its own: kept whole
                # when it fits a chunk (command_test.go went to another chunk than command.go, 321 lines together)
                packer.place(Group.of([Group.of([files[i].tree for i in unit]) if len(unit) > 1
                                       else files[unit[0]].tree for unit in units]))
                packer.close()
                for draft in packer.drafts:
                    draft.deletion = deleting
                out += packer.drafts
        joined = self._join_same_edits(out)
        return self._pack_small_edits(joined) if self.config.pack_small_edits else joined

    def _join_same_edits(self, drafts: list[Draft]) -> list[Draft]:
        """Small drafts that make the same edit (the same changed lines in files of the same names) in
        different directories as one chunk: one provider block added to the versions.tf of fifteen modules
        was fifteen chunks, most at the one-minute least floor. Only the same edit: three different helpers in
        three packages stay three chunks, so a push to one leaves the others' approvals standing."""
        target = self.config.target_lines
        out: list[Draft] = []
        first: dict[tuple[tuple[str, tuple[str, ...]], ...], Draft] = {}
        for draft in drafts:
            key = self._edit_of(draft) if draft.size < target // 4 and not draft.oversized else None
            joined = first.get(key) if key is not None else None
            if joined is not None and self._fit_together([joined, draft]):
                joined.leaves += draft.leaves
                joined.size += draft.size
                joined.same_edit = True
                continue
            if key is not None:
                first[key] = draft
            out.append(draft)
        return out

    def _pack_small_edits(self, drafts: list[Draft]) -> list[Draft]:
        """Small edits of one tier in one area of the tree (_area: src/agents/, tests/) as one chunk, up to the
        target, neighbours in the tree together: openai-agents-python pull/4087's 1- to 21-line edits in nine
        src/agents/ modules were nine chunks, a decision and a one-minute floor each. A small edit is a draft of
        whole files under a quarter of the target; a piece of a larger file, an oversized unit and the same edit
        made in many directories (one chunk already) stay as they are, and so do tier 0 and destructive edits:
        each is read on its own and leads the plan, and a push to one leaves the others' approvals standing."""
        target = self.config.target_lines
        areas: dict[tuple[str, int], list[int]] = {}
        for number, draft in enumerate(drafts):
            if (draft.size < target // 4 and not draft.oversized and not draft.same_edit and self._whole_files(draft)
                    and (tier := self._draft_tier(draft)) > 0
                    and not any(self.paths[leaf.file_index] in self.destructive for leaf in draft.leaves)):
                areas.setdefault((_area(self.paths[draft.leaves[0].file_index]), tier), []).append(number)
        packs: dict[int, Draft] = {}  # the position of a pack's first member -> the pack
        taken: set[int] = set()
        for (area, _tier), numbers in areas.items():
            numbers.sort(key=lambda n: self.paths[drafts[n].leaves[0].file_index])
            run: list[int] = []
            for number in [*numbers, -1]:
                if number >= 0 and self._fit_together([drafts[n] for n in [*run, number]]):
                    run.append(number)
                    continue
                if len(run) > 1:
                    pack = Draft(KIND_CODE, [leaf for n in run for leaf in drafts[n].leaves],
                                 sum(drafts[n].size for n in run), packed=area)
                    packs[min(run)] = pack
                    taken.update(run)
                run = [number]
        return [packs.get(number, draft) for number, draft in enumerate(drafts)
                if number in packs or number not in taken]

    def _whole_files(self, draft: Draft) -> bool:
        """Whether a draft holds every changed line of each of its files."""
        sizes: dict[int, int] = {}
        for leaf in draft.leaves:
            sizes[leaf.file_index] = sizes.get(leaf.file_index, 0) + leaf.size
        return all(self.files[index].changed_lines == size for index, size in sizes.items())

    def limit_of(self, index: int) -> int:
        """The changed lines of file `index` one chunk holds (ChunkConfig.lines_per_chunk): the target, or fewer for
        code of a tier read slower (266 of tier 0 at x1.5), so a chunk's floor fits one sitting (QA55 F12). Its lines
        weigh target / this in packing: a chunk mixing tiers holds the target's reading effort."""
        found = self._limits.get(index)
        if found is None:
            path = self.paths[index]
            found = self.config.target_lines  # a file deleted whole is skimmed, at no tier's multiplier
            if self.files[index].status != "deleted":
                found = min(found, self.config.lines_per_chunk(content_kind(path),
                                                               self.file_tiers.get(path, self.config.default_tier)))
            self._limits[index] = found
        return found

    def _fit_together(self, drafts: list[Draft]) -> bool:
        """Whether drafts fit one chunk as the Packer fits nodes: their lines, each weighed by target_lines /
        limit_of its file, at most the target, and their floor (leaf_seconds) within one sitting."""
        target = self.config.target_lines
        leaves = [leaf for draft in drafts for leaf in draft.leaves]
        return (sum(leaf.size * target / self.limit_of(leaf.file_index) for leaf in leaves) <= target + LOAD_EPSILON
                and sum(map(self.leaf_seconds, leaves)) <= self.config.max_chunk_seconds + LOAD_EPSILON)

    def leaf_seconds(self, leaf: Leaf) -> float:
        """The floor seconds of a leaf's lines, as content_floor counts them (its kind's rate, a code tier's
        multiplier, a file deleted whole skimmed), with the complexity its function adds: the Packer cuts a chunk of
        complex code before it passes one sitting (the demo's generated SDK client had four chunks of 400 lines
        at 1h 01m-1h 03m, capped at 1h). Re-indented lines count as read (a little over: never a chunk too long)."""
        config = self.config
        path = self.paths[leaf.file_index]
        found = self._line_seconds.get(leaf.file_index)
        if found is None:
            kind = REMOVED if self.files[leaf.file_index].status == "deleted" else content_kind(path)
            rate = {"code": config.lines_per_hour, "test": config.test_lines_per_hour,
                    "docs": config.docs_lines_per_hour, "data": config.data_lines_per_hour,
                    }.get(kind, config.removed_lines_per_hour)
            multiplier = config.multiplier(self.file_tiers.get(path, config.default_tier)) if kind == "code" else 1.0
            found = self._line_seconds[leaf.file_index] = (3600.0 / rate * multiplier, multiplier)
        per_line, multiplier = found
        seconds = leaf.size * per_line
        if leaf.kind == FUNCTION_UNIT and (points := self.function_complexity.get(path, {}).get(leaf.label, 0)) > 0:
            traced = multiplier if leaf.label not in self.test_functions.get(path, ()) else 1.0
            seconds += points * config.seconds_per_complexity_point * traced
        return seconds

    def _draft_tier(self, draft: Draft) -> int:
        default = self.config.default_tier
        return min(self.file_tiers.get(self.paths[leaf.file_index], default) for leaf in draft.leaves)

    def _edit_of(self, draft: Draft) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """What a draft changes, wherever it is: per file name, its changed lines (origin and stripped text)."""
        edits: dict[str, list[str]] = {}
        for leaf in draft.leaves:
            fd = self.files[leaf.file_index]
            lines = edits.setdefault(posixpath.basename(fd.path), [])
            for hunk_index, first, last in leaf.ranges:
                lines += [line.origin + line.text.strip() for line in fd.hunks[hunk_index].lines[first:last + 1]]
        return tuple(sorted((name, tuple(lines)) for name, lines in edits.items()))

    def _deleted_apart(self, indices: list[int]) -> set[int]:
        """The files deleted whole that are chunked apart: those of a directory whose deleted files hold more lines
        than one chunk. Fewer stay with the directory's edits, as any small file does (a 14-line config deleted
        beside a 4-line test edit is one decision, not two)."""
        lines: dict[str, int] = {}
        for index in indices:
            if self.files[index].status == "deleted":
                directory = posixpath.dirname(self.paths[index])
                lines[directory] = lines.get(directory, 0) + self.files[index].changed_lines
        return {i for i in indices if self.files[i].status == "deleted"
                and lines[posixpath.dirname(self.paths[i])] > self.config.target_lines}

    def whitespace_lines(self, index: int) -> list[frozenset[int]]:
        """Per hunk of file `index`, the lines (indices into the hunk) a tool rewrote: only whitespace changed, or a
        gettext catalogue's references, flags and dates (planner/whitespace.py `skimmed_lines`), read once."""
        found = self._whitespace.get(index)
        if found is None:
            fd = self.files[index]
            both = bool(fd.additions and fd.deletions)
            if both or is_catalogue(fd.path):
                found = [skimmed_lines(hunk.lines, origins, fd.path, both)
                         for hunk, origins in zip(fd.hunks, self._hunk_origins(index), strict=True)]
            else:
                found = [frozenset() for _ in fd.hunks]
            if found and (licence := licence_header(fd)):  # a new file's licence text: the project's boilerplate
                found[0] = found[0] | licence
                self._licence[index] = licence
            self._whitespace[index] = found
        return found

    def _reindented_apart(self, indices: list[int]) -> dict[int, int]:
        """file -> the changed lines one chunk of it holds, for each file larger than the target whose changed lines
        are nine in ten whitespace-only or more (re-indented whole: its few real lines cannot crowd one chunk): its
        re-indented lines weigh what they take to skim against a code line (500 lines an hour against 4,000: an
        eighth), so the chunk holds the target's reading effort, up to what one sitting skims. hono pull/2077's
        package.json, re-indented whole (1,094 changed lines, 10 real), was three chunks and 2 h 44 min of floor."""
        config = self.config
        weight = config.lines_per_hour / config.whitespace_lines_per_hour
        sitting = int(config.whitespace_lines_per_hour * config.max_chunk_seconds / 3600.0)
        out: dict[int, int] = {}
        for index in indices:
            fd = self.files[index]
            limit = self.limit_of(index)  # its real lines weigh their tier's rate: 1.5 for tier 0
            if fd.changed_lines <= limit or not (fd.additions and fd.deletions):
                continue
            skimmed = sum(len(lines) for lines in self.whitespace_lines(index))
            if skimmed * 10 < fd.changed_lines * 9:
                continue
            effort = (fd.changed_lines - skimmed) * config.target_lines / limit + skimmed * weight
            target = max(limit, min(sitting, math.ceil(config.target_lines * fd.changed_lines / effort)))
            out[index] = target
            self.file_notes.setdefault(index, []).append(
                f"{visible_path(fd.path)}: {skimmed:,} of its {fd.changed_lines:,} changed lines "
                + ("written by gettext's tools (references, flags, dates)" if is_catalogue(fd.path) else
                   "only re-indented (`git diff -w` hides them)")
                + f": skimmed, and cut by reading effort, up to {target:,} lines a chunk")
        return out

    def removal_lines(self) -> int:
        """The lines of files deleted whole one chunk holds: what one sitting skims at the removal rate (2,000),
        never fewer than the target."""
        sitting = self.config.removed_lines_per_hour * self.config.max_chunk_seconds / 3600.0
        return max(self.config.target_lines, int(sitting))

    def _follows(self, code_files: dict[int, CodeFile]) -> dict[int, int]:
        """file -> the file it is placed after: a test after the module it tests, a user after a definition, a SQL
        file after its twin for another database (_driver_twins)."""
        follows: dict[int, int] = {}
        if self.config.pair_tests:
            follows.update(self._test_pairs(code_files))
        if self.config.group_uses:
            for user, definer in self._use_pairs(code_files, follows).items():
                follows.setdefault(user, definer)
        twins = _driver_twins([(i, self.paths[i]) for i in code_files])
        together: dict[int, int] = {}
        for twin, first in twins.items():
            together[first] = together.get(first, self.files[first].changed_lines) + self.files[twin].changed_lines
        for twin, first in twins.items():
            if self.paths[first].lower().endswith(".sql") or together[first] <= self.config.target_lines:
                follows.setdefault(twin, first)  # code twins only where one chunk holds them all: else each driver's
        return follows

    def _directory_groups(self, code_files: dict[int, CodeFile], follows: dict[int, int]) -> list[list[list[int]]]:
        """Per directory, its files in path order as units: a file and the test files and users that
        joined it (`follows`: file -> the file it is placed after)."""
        order = sorted(code_files, key=lambda i: (code_files[i].directory, self.paths[i]))
        groups: dict[str, list[int]] = {}
        placed_after: dict[int, list[int]] = {}
        for index in order:
            if index in follows:
                placed_after.setdefault(follows[index], []).append(index)
            else:
                groups.setdefault(code_files[index].directory, []).append(index)

        def expand(index: int, seen: set[int]) -> list[int]:
            out = [index]
            for other in placed_after.get(index, []):
                if other not in seen:
                    seen.add(other)
                    out += expand(other, seen)
            return out

        result: list[list[list[int]]] = []
        for directory in sorted(groups):
            seen: set[int] = set(groups[directory])
            result.append([expand(index, seen) for index in groups[directory]])
        placed = {i for units in result for unit in units for i in unit}
        for index in order:  # a cycle of "follows" (a pair pointing at each other) stays in its directory
            if index not in placed:
                result.append([[index]])
        return result

    def _test_pairs(self, code_files: dict[int, CodeFile]) -> dict[int, int]:
        """test file -> the module it tests (same stem, same language family, nearest in the tree)."""
        modules: dict[str, list[tuple[int, str]]] = {}
        tests: dict[int, tuple[str, str]] = {}
        for index in code_files:
            subject = _test_subject(self.paths[index])
            if subject is not None:
                tests[index] = subject
                continue
            stem, dot, ext = posixpath.basename(self.paths[index]).rpartition(".")
            if dot:
                modules.setdefault(stem, []).append((index, ext))
        pairs: dict[int, int] = {}
        for index, (stem, ext) in sorted(tests.items()):
            candidates = [c for c, e in modules.get(stem, []) if _same_family(e, ext)]
            if candidates and stem.lower() in _GENERIC_STEMS:
                candidates = self._generic_candidates(index, candidates)
            if not candidates:
                continue
            # The module nearest the test in the tree: longest common path prefix, then path order.
            path = self.paths[index]
            best = max(candidates, key=lambda c: (len(posixpath.commonpath([path, self.paths[c]])),
                                                  -len(self.paths[c])))
            pairs[index] = best
            self.pair_notes[index] = (best, f"{visible_path(path)} is reviewed with {visible_path(self.paths[best])}, "
                                            "the code it tests",
                                      f"{visible_path(path)} tests {visible_path(self.paths[best])}, which is in "
                                      "another chunk")
        return pairs

    def _generic_candidates(self, test: int, candidates: list[int]) -> list[int]:
        """The modules a test of a generic name (index.test.ts, test_utils.py) can be the test of: one in its own
        directory, the `__tests__/` or `tests/` beside it or the mirrored tests/ path (tests/foo/ for src/foo/), or
        one it imports. In hono, where nearly every module is an index.ts, runtime-tests/lambda-edge/index.test.ts
        was "the test of" src/jsx/hooks/index.ts (QA51 #11)."""
        where = _mirrored_directory(self.paths[test])
        beside = [c for c in candidates if _mirrored_directory(self.paths[c]) == where]
        if beside:
            return beside
        imported = self._imports_of(test)
        return [c for c in candidates if _imported(self.paths[c], imported)]

    def _imports_of(self, index: int) -> set[str]:
        """What file `index` imports, as repository paths without extension (JS/TS relative specifiers resolved:
        `../../src/hono` -> `src/hono`) and Python dotted names with dots as slashes (`pkg/utils`)."""
        fd = self.files[index]
        blob = fd.new_blob or fd.old_blob
        if self.read_blob is None or blob is None or max(fd.old_size, fd.new_size) > MAX_SPAN_CHARS:
            return set()
        try:
            text = self.read_blob(blob).decode("utf-8", errors="replace")
        except (ReviewTuiError, OSError, LookupError, ValueError):
            return set()
        directory = posixpath.dirname(self.paths[index])
        found: set[str] = set()
        if _extension(self.paths[index]) == "py":
            for source, name, module in _PY_IMPORTS.findall(text):
                if module:
                    found.add(module.replace(".", "/"))
                    continue
                dots = len(source) - len(source.lstrip("."))
                base = source[dots:].replace(".", "/")
                if dots:  # relative: from the test's own package up
                    up = directory
                    for _ in range(dots - 1):
                        up = posixpath.dirname(up)
                    base = posixpath.join(up, base) if base else up
                found.update(filter(None, [base, posixpath.join(base, name) if base else name]))
            return found
        for spec in _JS_IMPORTS.findall(text):
            resolved = posixpath.normpath(posixpath.join(directory, spec))
            found.add(_JS_EXTENSION.sub("", resolved))
        return found

    def _use_pairs(self, code_files: dict[int, CodeFile], taken: dict[int, int]) -> dict[int, int]:
        """user file -> defining file, for names a file defines (uniquely in the change) and another
        file in another directory uses in its added lines, when both fit in one chunk."""
        target = self.config.target_lines
        # A pair needs two files outside `taken` that fit in one chunk together: when even the two
        # smallest do not, no file is read for names at all.
        free_sizes = sorted(facts.tree.size for index, facts in code_files.items() if index not in taken)
        if len(free_sizes) < 2 or free_sizes[0] + free_sizes[1] > target:
            return {}
        added_text = {index: self._added_text(index) for index in code_files}
        definers: dict[str, int] = {}
        ambiguous: set[str] = set()
        for index, facts in code_files.items():
            # Definitions with added lines, and (for files read without spans) added definition headers.
            names = facts.defined | set(_DEFINITION_NAMES.findall("\n" + added_text[index]))
            for name in names:
                if len(name) < 4 or name.startswith(("_", "test")) or name.lower() in _COMMON_NAMES:
                    continue
                if name in definers and definers[name] != index:
                    ambiguous.add(name)
                definers.setdefault(name, index)
        for name in ambiguous:
            definers.pop(name, None)
        # The smallest file a user could join: a user too big to join even that one is not scanned.
        smallest = min((code_files[d].tree.size for d in set(definers.values()) if d not in taken),
                       default=None)
        if smallest is None:
            return {}
        pairs: dict[int, int] = {}
        load: dict[int, float] = {}
        for index, facts in sorted(code_files.items(), key=lambda item: self.paths[item[0]]):
            if index in taken or facts.tree.size >= target or facts.tree.size + smallest > target:
                continue
            found: dict[int, str] = {}
            for name in sorted(set(_IDENTIFIER.findall(_code_only(self.paths[index], added_text[index])))
                               & definers.keys()):
                definer = definers[name]
                if definer != index and self._may_use(index, definer):
                    found.setdefault(definer, name)
            for definer, name in sorted(found.items(), key=lambda item: self.paths[item[0]]):
                # One level only: a definer never follows another file itself, so no chains or cycles.
                if (code_files[definer].directory == facts.directory or definer in taken or definer in pairs
                        or index in load):
                    continue
                size = (code_files[definer].tree.size * target / self.limit_of(definer) + load.get(definer, 0)
                        + facts.tree.size * target / self.limit_of(index))  # weighed: a chunk of tier 0 holds fewer
                if size > target + LOAD_EPSILON:
                    continue
                pairs[index] = definer
                load[definer] = load.get(definer, 0) + facts.tree.size * target / self.limit_of(index)
                user, defined = visible_path(self.paths[index]), visible_path(self.paths[definer])
                self.pair_notes[index] = (definer, f"{user} uses {name}, defined in {defined}: reviewed together",
                                          f"{user} uses {name}, defined in {defined}, which is in another chunk")
                break
        return pairs

    def _may_use(self, user: int, definer: int) -> bool:
        """Whether a name in file `user` can be the definition in file `definer`: a file of the same language
        (a workflow's `apple-native` feature is no call of Rust's `fn native()`), and never a test's helper used
        by the code (a `tests/` helper `auth_set` is not the `auth_set` that src/ calls) (QA50 #5)."""
        user_path, definer_path = self.paths[user], self.paths[definer]
        if not _same_family(_extension(definer_path), _extension(user_path)):
            return False
        return content_kind(definer_path) != "test" or content_kind(user_path) == "test"

    def _added_text(self, index: int) -> str:
        """The added lines of a file, joined by newlines."""
        texts: list[str] = []
        for hunk, origins in zip(self.files[index].hunks, self._hunk_origins(index), strict=True):
            lines = hunk.lines
            for match in _ADDED_RUNS.finditer(origins):
                texts += map(_TEXT, lines[match.start():match.end()])
        return "\n".join(texts)

    def _code_file(self, index: int, target: int) -> CodeFile:
        return code_file(index, self.files[index], self.file_notes.setdefault(index, []), self._hunk_origins(index),
                         target_lines=target, read_blob=self.read_blob,
                         spans_cache=self.spans_cache, is_test=self._test_line_check(index))

    def _test_regions(self, index: int) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
        """The (old, new) versions' tests inside file `index` (spans.test_regions), read once."""
        found = self._regions.get(index)
        if found is None:
            fd = self.files[index]
            found = ((), ())
            if (self.read_blob is not None and fd.path.lower().endswith(TEST_REGION_SUFFIXES)
                    and max(fd.old_size, fd.new_size) <= 4 * MAX_SPAN_CHARS):
                found = (self._regions_of(fd.old_path or fd.path, fd.old_blob),
                         self._regions_of(fd.path, fd.new_blob))
            self._regions[index] = found
        return found

    def _regions_of(self, path: str, blob: str | None) -> tuple[tuple[int, int], ...]:
        if blob is None or self.read_blob is None:
            return ()
        try:
            return test_regions(path, self.read_blob(blob).decode("utf-8", errors="replace"))
        except (ReviewTuiError, OSError, LookupError, ValueError):
            return ()

    def _test_line_check(self, index: int) -> Callable[[DiffLine], bool] | None:
        """Whether a changed line of file `index` lies in a test inside it; None when it holds none."""
        old, new = self._test_regions(index)
        if not old and not new:
            return None
        return lambda line: is_test_line(line.origin, line.old_lineno, line.new_lineno, old, new)

    def _test_lines(self, segment: Segment) -> int:
        """The changed lines of a segment that lie in a test inside its file."""
        check = self._test_line_check(segment.file_index)
        if check is None:
            return 0
        lines = self.files[segment.file_index].hunks[segment.hunk_index].lines[segment.first:segment.last + 1]
        return sum(1 for line in lines if line.origin in (ADDED, DELETED) and check(line))

    # -- chunks -------------------------------------------------------------------------------
    def materialise(self, drafts: list[Draft], file_tiers: Mapping[str, int],
                    ai_lines: Mapping[str, Mapping[int, str]], complexity: Mapping[str, Mapping[str, int]],
                    destructive: set[str]) -> list[Chunk]:
        # A segment is a maximal run of one draft's changed lines in a hunk: sorted per file, the
        # drafts' ranges give the runs (context lines between two ranges neither break nor join).
        ranges_of: dict[int, list[tuple[int, int, int, int]]] = {}
        for number, draft in enumerate(drafts):
            for leaf in draft.leaves:
                bucket = ranges_of.get(leaf.file_index)
                if bucket is None:
                    bucket = ranges_of[leaf.file_index] = []
                for hunk_index, first, last in leaf.ranges:
                    bucket.append((hunk_index, first, last, number))
        segments: list[list[Segment]] = [[] for _ in drafts]
        for file_index in sorted(ranges_of):
            fd = self.files[file_index]
            origins = self._hunk_origins(file_index)
            ranges = sorted(ranges_of[file_index])
            if not ranges:
                continue
            hunk_index, first, last, number = ranges[0]
            for next_hunk, next_first, next_last, next_number in ranges[1:]:
                if next_hunk == hunk_index and next_number == number:
                    last = next_last
                    continue
                segment = _segment(fd, file_index, hunk_index, first, last, origins[hunk_index])
                segments[number].append(segment)
                hunk_index, first, last, number = next_hunk, next_first, next_last, next_number
            segments[number].append(_segment(fd, file_index, hunk_index, first, last, origins[hunk_index]))
        chunks: list[Chunk] = []
        for number, draft in enumerate(drafts):
            if draft.kind in (KIND_BINARY, KIND_RENAME):
                chunks.append(self._light_chunk(draft, file_tiers, destructive))
            else:
                chunks.append(self._line_chunk(draft, segments[number], file_tiers, ai_lines, destructive))
        self._assign_complexity(drafts, chunks, complexity)
        for chunk in chunks:
            if chunk.kind == KIND_CODE:
                self._read_lines(chunk, file_tiers)
        return chunks

    def _read_lines(self, chunk: Chunk, file_tiers: Mapping[str, int]) -> None:
        """A code chunk's floor, each file's lines at its own kind's rate and its own tier (tests paired with tier-0
        code are read as tests, not floored as tier 0), and the source files whose lines here are all in-file tests
        (`test_files`: a chunk of Rust's `mod tests` reads `test`, as a test file's does)."""
        lines: dict[tuple[str, int], int] = {}
        outside: dict[str, int] = {}  # per file, its changed lines here that are not in a test inside it
        inside: set[str] = set()
        chunk.whitespace_lines = 0
        for segment in chunk.segments:
            tier = file_tiers.get(segment.path, self.config.default_tier)
            if segment.file_index in self.schema_dumps:  # written by Rails: checked against the migration
                lines[(SCHEMA_DUMP, tier)] = lines.get((SCHEMA_DUMP, tier), 0) + segment.changed_lines
                outside[segment.path] = outside.get(segment.path, 0) + segment.changed_lines
                continue
            gone = self.files[segment.file_index].status == "deleted"  # a whole file going: skimmed
            key = (REMOVED if gone else content_kind(segment.path), tier)
            hidden = 0 if gone else self._catalogue_code_in(segment)  # code in a catalogue: read as code
            if hidden:
                lines[("code", tier)] = lines.get(("code", tier), 0) + hidden
            tests = 0 if gone or key[0] != "code" else self._test_lines(segment)  # in-file tests
            # re-indented or a catalogue's tool-written lines: skimmed, whatever their kind
            reindented, written, licence = (0, 0, 0) if gone else self._whitespace_in(segment)
            moved = 0 if gone else self._moved_in(segment)  # moved whole from or to elsewhere: checked, skimmed
            chunk.whitespace_lines += reindented + written + licence
            chunk.licence_lines += licence
            chunk.moved_lines += moved
            skimmed = reindented + written + licence + moved
            for kind, count in ((REINDENTED, reindented), (TOOL_WRITTEN, written), (LICENCE_HEADER, licence),
                                (MOVED, moved)):
                if count:
                    lines[(kind, tier)] = lines.get((kind, tier), 0) + count
            lines[key] = lines.get(key, 0) + segment.additions + segment.deletions - tests - skimmed - hidden
            outside[segment.path] = outside.get(segment.path, 0) + segment.additions + segment.deletions - tests
            if tests:
                lines[("test", tier)] = lines.get(("test", tier), 0) + tests
                inside.add(segment.path)
        chunk.test_files = sorted(path for path in inside if not outside[path])
        chunk.floor_seconds, chunk.floor_derivation = content_floor(
            lines, chunk.complexity_added, self.config, self._test_complexity.get(id(chunk), 0),
            uncuttable=(chunk.oversize_reason or "one unit") if chunk.oversized else None)

    def moved_in_file(self, index: int) -> list[frozenset[int]] | None:
        """Per hunk of file `index`, its changed lines in blocks moved whole within the change (planner/moved.py),
        found once for the whole change; None when it has none."""
        if self._moved is None:
            self._moved = moved_lines(self.files)
        return self._moved.get(index)

    def _moved_in(self, segment: Segment) -> int:
        """The moved lines of a segment that are neither re-indented in place (counted as such) nor in the tests
        inside its file (test lines)."""
        hunks = self.moved_in_file(segment.file_index)
        if hunks is None or not hunks[segment.hunk_index]:
            return 0
        check = self._test_line_check(segment.file_index)
        lines = self.files[segment.file_index].hunks[segment.hunk_index].lines
        reindented = self.whitespace_lines(segment.file_index)[segment.hunk_index]
        return sum(1 for i in hunks[segment.hunk_index] if segment.first <= i <= segment.last
                   and i not in reindented and (check is None or not check(lines[i])))

    def _catalogue_code_in(self, segment: Segment) -> int:
        """The changed lines of a segment of a Laravel catalogue that are code (`catalogue_code`), not re-indented."""
        if not is_php_catalogue(segment.path) or not is_translation_path(segment.path):
            return 0
        code = self.catalogue_code(segment.file_index)[segment.hunk_index]
        skimmed = self.whitespace_lines(segment.file_index)[segment.hunk_index]
        return sum(1 for i in code if segment.first <= i <= segment.last and i not in skimmed)

    def _whitespace_in(self, segment: Segment) -> tuple[int, int, int]:
        """The lines a tool rewrote in a segment that lie outside the tests inside its file (those are test lines):
        (only re-indented, a catalogue's tool-written lines, a new file's licence header)."""
        hunk_lines = self.whitespace_lines(segment.file_index)[segment.hunk_index]
        if not hunk_lines:
            return 0, 0, 0
        check = self._test_line_check(segment.file_index)
        lines = self.files[segment.file_index].hunks[segment.hunk_index].lines
        inside = [i for i in hunk_lines
                  if segment.first <= i <= segment.last and (check is None or not check(lines[i]))]
        licence = (len(self._licence.get(segment.file_index, frozenset()).intersection(inside))
                   if segment.hunk_index == 0 else 0)
        if not is_catalogue(segment.path):
            return len(inside) - licence, 0, licence
        origins = self._hunk_origins(segment.file_index)[segment.hunk_index]
        written = set(tool_written(lines, origins, segment.path)).intersection(inside)
        return len(inside) - len(written) - licence, len(written), licence

    def _line_chunk(self, draft: Draft, segments: list[Segment], file_tiers: Mapping[str, int],
                    ai_lines: Mapping[str, Mapping[int, str]], destructive: set[str]) -> Chunk:
        # Segments in the draft's file order (a test after its module), then hunk and line order.
        # They come in file index, hunk and line order (see materialise): usually that already.
        file_order = list(dict.fromkeys(map(_FILE_INDEX, draft.leaves)))
        file_rank = {index: rank for rank, index in enumerate(file_order)}
        if len(file_order) > 1 and file_order != sorted(file_order):
            segments.sort(key=lambda s: (file_rank[s.file_index], s.hunk_index, s.first))
        chunk = Chunk(0, "", draft.kind, segments)
        chunk.files = [self.paths[i] for i in file_order]
        chunk.content_hash = self._binding_hash(draft, segments)
        files = self.files
        ai_count = 0
        tools: dict[str, int] = {}
        for segment in segments if ai_lines else ():
            file_ai = ai_lines.get(segment.path)
            if file_ai and segment.additions:
                hunk = files[segment.file_index].hunks[segment.hunk_index]
                for line in hunk.lines[segment.first:segment.last + 1]:
                    number = line.new_lineno
                    if line.origin == ADDED and number is not None and number in file_ai:
                        ai_count += 1
                        tool = file_ai[number]
                        tools[tool] = tools.get(tool, 0) + 1
        chunk.additions = sum(map(_ADDITIONS, segments))
        chunk.deletions = sum(map(_DELETIONS, segments))
        chunk.changed_lines = chunk.additions + chunk.deletions
        chunk.ai_lines = ai_count
        chunk.ai_tools = tools
        chunk.ai_share = round(ai_count / chunk.additions, 4) if chunk.additions else 0.0
        chunk.tier = min((file_tiers.get(p, self.config.default_tier) for p in chunk.files),
                         default=self.config.default_tier)
        chunk.destructive = any(p in destructive for p in chunk.files)
        chunk.line_ranges = _line_ranges(segments)
        chunk.functions = [leaf.label for leaf in draft.leaves if leaf.kind == FUNCTION_UNIT]
        chunk.oversized = draft.oversized
        chunk.oversize_reason = draft.oversize_reason
        chunk.notes = self._chunk_notes(draft, chunk, file_rank)
        chunk.title = self._title(draft, chunk, file_rank)
        chunk.role = draft.role or ""
        if draft.role is not None:
            self._bump_chunk(chunk, draft, file_tiers)
        elif draft.environment is not None:
            self._environment_chunk(chunk, draft, file_tiers)
        elif draft.mirror is not None:
            self._mirror_chunk(chunk, draft.mirror)
        elif draft.translation is not None:
            self._translation_chunk(chunk, draft.translation)
        elif draft.kind == KIND_COLLAPSED:
            chunk.floor_seconds, chunk.floor_derivation = light_floor(
                len(chunk.files), self.config.collapsed_seconds, "collapsed", self.config.collapsed_max_seconds)
        return chunk

    def _chunk_notes(self, draft: Draft, chunk: Chunk, file_rank: Mapping[int, int]) -> list[str]:
        """The chunk's notes: its files' (a reason several share said once), its pairs', its splits', its packing's."""
        notes: list[str] = []
        by_reason: dict[str, list[str]] = {}  # a reason many files share, said once (45 Jest snapshots: 45 notes)
        for index in file_rank:
            shown = visible_path(self.paths[index])
            for note in self.file_notes.get(index, []):
                if note.startswith(f"{shown}: "):
                    reason = note[len(shown) + 2:]
                    if reason not in by_reason:
                        notes.append(reason)  # a placeholder, replaced below by "<paths>: <reason>"
                    by_reason.setdefault(reason, []).append(shown)
                else:
                    notes.append(note)
            if index in self.pair_notes:  # said as it came out: a pair the packing split is not "reviewed with"
                partner, together, apart = self.pair_notes[index]
                notes.append(together if partner in file_rank else apart)
        notes += [leaf.split_note for leaf in draft.leaves if leaf.split_note]
        if draft.packed is not None:
            where = f"{visible_path(draft.packed)}/" if draft.packed else "the root"
            notes.append(f"small edits packed into one chunk (each under {self.config.target_lines // 4} changed "
                         f"lines, tier {chunk.tier}, in {where}): one sitting and one decision; a push to any of them "
                         "asks for the chunk again")
        return list(dict.fromkeys(_said_of(note, by_reason.get(note)) for note in notes))

    def _binding_hash(self, draft: Draft, segments: list[Segment]) -> str:
        """What an approval of the chunk is bound to (CHUNK_BINDING): the kind; per file its path,
        status, old and new mode (so file type too: regular, executable, symlink, gitlink) and the
        enclosing units of its lines (function qualname, class, or module level); per segment up to
        CONTEXT_BOUND context lines before and after it, and its changed lines as origin and text, or
        raw bytes for a line that is not UTF-8. Lengths make the encoding unambiguous. The same lines
        deleted from another function, in a file of another mode, or with other neighbours hash
        differently: an approval does not follow code to where it was not reviewed."""
        units: dict[int, set[str]] = {}
        for leaf in draft.leaves:
            units.setdefault(leaf.file_index, set()).add(f"{leaf.kind}:{leaf.label}")
        parts = [f"binding:{CHUNK_BINDING}\nkind:{draft.kind}\n"]
        current_path = None
        files = self.files
        for segment in segments:
            fd = files[segment.file_index]
            if segment.path != current_path:
                current_path = segment.path
                scope = "\x00".join(sorted(units.get(segment.file_index, ())))
                parts.append(f"P{len(current_path)}:{current_path}\n"
                             f"F{fd.status}:{fd.old_mode:o}:{fd.new_mode:o}\nU{len(scope)}:{scope}\n")
            hunk_lines = fd.hunks[segment.hunk_index].lines
            before = hunk_lines[max(0, segment.first - CONTEXT_BOUND):segment.first]
            after = hunk_lines[segment.last + 1:segment.last + 1 + CONTEXT_BOUND]
            parts += [_line_token("C", line) for line in before if line.origin == CONTEXT]
            parts += [_line_token(line.origin, line) for line in hunk_lines[segment.first:segment.last + 1]
                      if line.origin != CONTEXT]
            parts += [_line_token("C", line) for line in after if line.origin == CONTEXT]
        return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def _environment_chunk(self, chunk: Chunk, draft: Draft, file_tiers: Mapping[str, int]) -> None:
        """A committed virtual environment as one chunk: its files without lines (binaries, empty files) join
        the ones with lines, bound by their ids, and the whole is one decision, to take it out of the change:
        one skim, not one per file (DRF pull/9737: 6,765 files were 4,499 collapsed chunks and 49 hours)."""
        assert draft.environment is not None
        digest = hashlib.sha256(f"{chunk.content_hash}\n".encode())
        for index in draft.light_files:
            fd = self.files[index]
            chunk.files.append(fd.path)
            if fd.counted_only:  # lines counted, not read: its blob ids below bind the approval
                chunk.additions += fd.additions
                chunk.deletions += fd.deletions
                chunk.changed_lines += fd.changed_lines
            digest.update(("\x00".join([fd.path, fd.status, fd.old_blob or "", fd.new_blob or ""]) + "\n")
                          .encode("utf-8", "surrogatepass"))
        chunk.content_hash = digest.hexdigest()
        chunk.tier = min((file_tiers.get(p, self.config.default_tier) for p in chunk.files),
                         default=self.config.default_tier)
        root = visible_path(draft.environment)
        seconds = self.config.collapsed_seconds
        chunk.floor_seconds = int(seconds)
        licence = self.vendored.get(draft.environment)
        if licence is not None:
            chunk.title = f"Vendored? {root}/ ({len(chunk.files)} files)"
            chunk.notes = [f"{root}/ looks vendored: the change adds it with its own {posixpath.basename(licence)} "
                           f"({len(chunk.files)} files, a third-party tree copied in?): skimmed as one chunk; if it "
                           f"is, mark it in the base's .gitattributes: `{draft.environment}/** linguist-vendored`; "
                           f"if the project wrote it, say so in .gitattributes (the change's own is read): "
                           f"`{draft.environment}/** -linguist-vendored`, and it is read as code"]
            chunk.floor_derivation = f"one vendored tree: one skim = {format_duration(seconds, 'spaced')}"
            return
        chunk.title = f"Virtual environment: {root}/ ({len(chunk.files)} files)"
        chunk.notes = [f"{root}/: a Python virtual environment committed with the change ({len(chunk.files)} files of "
                       "installed packages): it does not belong in the repository"]
        chunk.floor_derivation = f"one virtual environment: one skim = {format_duration(seconds, 'spaced')}"

    def _bump_chunk(self, chunk: Chunk, draft: Draft, file_tiers: Mapping[str, int]) -> None:
        """A dependency bump's chunk (planner/bump.py): its title, notes and floor."""
        assert self.bump is not None
        seconds = self.config.collapsed_seconds
        records = self.bump.reviewed_by(self.paths)
        if draft.role == ROLE_MANIFESTS:
            chunk.title = f"Dependencies: {', '.join(visible_path(p) for p in chunk.files)}"
            chunk.notes = ([f"what the bump changes: {self.bump.note}"] if self.bump.note else []) + [
                "the dependency manifests, read first: the versions they ask for are what the change brings in"]
            return
        if draft.role == ROLE_LOCKS:
            chunk.title = f"Lock files: {', '.join(visible_path(p) for p in chunk.files)}"
            chunk.notes = ["written by the package tool for the versions the manifests ask for: skimmed, not read"]
            if self.bump.note and not any(is_manifest(p) and self.bump.vendored.root_of(p) is None for p in self.paths):
                chunk.notes.insert(0, f"what the lock files change: {self.bump.note}")  # no manifests chunk says it
            chunk.floor_seconds, chunk.floor_derivation = light_floor(len(chunk.files), seconds, "collapsed")
            return
        self._environment_chunk(chunk, draft, file_tiers)  # its files without lines, its binding and tier
        assert draft.environment is not None
        name = visible_path(self.bump.names.get(draft.environment, draft.environment))
        root = self.bump.vendored.root_of(chunk.files[0]) if chunk.files else None
        evidence = self.bump.vendored.evidence(root) if root else ""
        chunk.title = (f"vendored: {name}, {plural(len(chunk.files), 'file')}, "
                       f"+{chunk.additions:,}/-{chunk.deletions:,}")
        chunk.notes = [(f"review {records} instead: " if records else "")
                       + f"{visible_path(draft.environment)}/ was generated by the package tool"
                       + (f" ({visible_path(evidence)})" if evidence else "")
                       + ", skimmed as one chunk, not read line by line"]
        chunk.floor_seconds = int(seconds)
        chunk.floor_derivation = f"one vendored dependency: one skim = {format_duration(seconds, 'spaced')}"

    def _translation_chunk(self, chunk: Chunk, root: str) -> None:
        """One language's catalogues (not the source language's), or several languages' small edits (`root` ends
        in "/"), as one skimmed chunk: a look per file for what breaks a page, placeholders, markup and quotes, not
        the prose (QA59 F7); a file of a few lines is read at the docs rate when that is quicker."""
        names = sorted({found[1] for path in chunk.files if (found := locale_of(path)) is not None})
        sources = ", ".join(sorted(self.source_locales))
        files = plural(len(chunk.files), "file")
        if root.endswith("/"):
            shown = visible_path(root.rstrip("/")) + "/"
            chunk.title = f"Translations: {len(names)} languages in {shown} ({files})"
            what = f"{', '.join(names[:8])}{' ...' if len(names) > 8 else ''}: small edits of {len(names)} languages"
        else:
            shown = visible_path(root)
            chunk.title = f"Translations: {shown} ({files})"
            what = f"{shown}: the {names[0] if names else posixpath.basename(root)} translation"
        chunk.notes = [f"{what} of the source language's ({sources}) strings: skimmed, a look a file for what breaks "
                       "a page (placeholders such as :name or {count}, markup, quotes), not read as prose; the source "
                       "language's catalogues are read"]
        per_file = self.config.collapsed_seconds
        lines: dict[int, int] = {}
        for segment in chunk.segments:
            lines[segment.file_index] = lines.get(segment.file_index, 0) + segment.changed_lines
        seconds = sum(map(self._translation_seconds, lines.values()))
        chunk.role = ROLE_TRANSLATIONS
        chunk.floor_seconds = int(seconds)
        chunk.floor_derivation = (f"{len(chunk.files)} translation {'file' if len(chunk.files) == 1 else 'files'}, "
                                  f"a look each ({per_file:g}s, or its lines at the docs rate "
                                  f"{self.config.docs_lines_per_hour:g}/h when fewer) = "
                                  f"{format_duration(seconds, 'spaced')}")

    def _mirror_chunk(self, chunk: Chunk, root: str) -> None:
        """A mirror directory's copies as one collapsed chunk, each file saying whose edit it repeats: hono's
        deno_dist/ made every edit to src/ twice, 42% of the floor time of the changes that touched it."""
        mirrors = [self.mirrors[path] for path in chunk.files]
        sources = list(dict.fromkeys(mirror.source for mirror in mirrors))
        shown, source = visible_path(root), visible_path(sources[0])
        if len(chunk.files) == 1:
            chunk.title = f"Same edit as {visible_path(mirrors[0].original)}: {visible_path(chunk.files[0])}"
        else:
            chunk.title = (f"Same edits as {source}/: {shown}/ ({len(chunk.files)} files)" if len(sources) == 1
                           else f"Same edits as elsewhere: {shown}/ ({len(chunk.files)} files)")
        aside = "" if all(mirror.exact for mirror in mirrors) else ", import paths aside"
        where = " and ".join(f"{visible_path(s)}/" for s in sources)
        chunk.notes = [f"{shown}/ repeats edits this change makes in {where}"
                       f" file for file (the same changed lines{aside}): a generated copy or one kept by hand; each "
                       "edit is read where it is made, and these copies are left out of the risk inputs"]
        chunk.notes += [f"{visible_path(path)}: {describe(mirror)}" for path, mirror in zip(chunk.files, mirrors,
                                                                                              strict=True)]
        chunk.floor_seconds, chunk.floor_derivation = light_floor(
            len(chunk.files), self.config.collapsed_seconds, "collapsed", self.config.collapsed_max_seconds)

    def _light_chunk(self, draft: Draft, file_tiers: Mapping[str, int], destructive: set[str]) -> Chunk:
        chunk = Chunk(0, "", draft.kind)
        digest = hashlib.sha256(f"kind:{draft.kind}\n".encode())
        for index in draft.light_files:
            fd = self.files[index]
            change = {"path": fd.path, "status": fd.status, "old_path": fd.old_path, "new_path": fd.new_path,
                      "old_blob": fd.old_blob, "new_blob": fd.new_blob, "old_submodule": fd.old_submodule,
                      "new_submodule": fd.new_submodule, "old_mode": fd.old_mode,
                      "new_mode": fd.new_mode, "similarity": fd.similarity, "old_size": fd.old_size,
                      "new_size": fd.new_size}
            chunk.file_changes.append(change)
            chunk.files.append(fd.path)
            if draft.kind == KIND_BINARY:
                # What a reviewer approves is the new content at that path (or its deletion).
                identity = [fd.path, fd.status, fd.new_blob or "", (fd.old_blob or "") if fd.new_blob is None else ""]
            else:
                identity = [fd.old_path or "", fd.new_path or "", fd.status, str(fd.old_mode), str(fd.new_mode),
                            fd.new_blob or fd.new_submodule or ""]
            digest.update(("\x00".join(identity) + "\n").encode("utf-8", "surrogatepass"))
            chunk.notes.append(_light_note(fd))
        chunk.content_hash = digest.hexdigest()
        chunk.tier = min((file_tiers.get(p, self.config.default_tier) for p in chunk.files),
                         default=self.config.default_tier)
        chunk.destructive = any(p in destructive for p in chunk.files)
        per_file = self.config.binary_seconds if draft.kind == KIND_BINARY else self.config.rename_seconds
        missing = all(self.files[i].problem for i in draft.light_files)
        chunk.floor_seconds, chunk.floor_derivation = light_floor(
            len(chunk.files), per_file, "binary" if draft.kind == KIND_BINARY
            else "content-missing" if missing else "unchanged-content")
        if draft.kind != KIND_BINARY and not missing:
            self._mode_floor(chunk, [self.files[i] for i in draft.light_files])
        if draft.bytecode:
            self._bytecode_chunk(chunk)
        elif draft.kind == KIND_BINARY:
            directory = posixpath.dirname(chunk.files[0])
            chunk.title = (f"Binary: {visible_path(chunk.files[0])}" if len(chunk.files) == 1
                           else f"Binary: {visible_path(directory or '.')}/ ({len(chunk.files)} files)")
        elif missing:
            chunk.title = (chunk.notes[0] if len(chunk.files) == 1
                           else f"Content not in this clone: {len(chunk.files)} files")
        elif len(chunk.files) == 1:
            chunk.title = f"No line changes: {chunk.notes[0]}"
        else:
            counts: dict[str, int] = {}
            for i in draft.light_files:
                status = self.files[i].status
                word = "content not in this clone" if self.files[i].problem else {
                    "renamed": "renamed or moved", "copied": "copied", "added": "added empty",
                    "deleted": "deleted empty", "typechange": "changed type"}.get(status, "mode changed")
                counts[word] = counts.get(word, 0) + 1
            summary = ", ".join(f"{n} {word}" for word, n in sorted(counts.items(), key=lambda kv: -kv[1]))
            chunk.title = f"No line changes: {len(chunk.files)} files ({summary})"
        return chunk

    def _mode_floor(self, chunk: Chunk, files: list[FileDiff]) -> None:
        """Files whose only change is their mode are one decision per mode change ("should these be executable?"),
        whatever they number: Apache Fineract pr/3600 made 3,444 files executable, a 9h34m floor at 10 s a file."""
        modes = {(fd.old_mode, fd.new_mode) for fd in files if _mode_only(fd)}
        only = sum(1 for fd in files if _mode_only(fd))
        if only < 2 or len(modes) >= only:
            return
        per_file = self.config.rename_seconds
        others = len(files) - only
        total = (others + len(modes)) * per_file
        said = ", ".join(f"{old:o} -> {new:o}" for old, new in sorted(modes))
        rest = f"{others} unchanged-content {'file' if others == 1 else 'files'} x {per_file:g}s; " if others else ""
        chunk.floor_seconds = int(total)
        chunk.floor_derivation = (f"{rest}{only} files changing only their mode, one look per mode change ({said}) "
                                  f"x {per_file:g}s = {format_duration(total, 'spaced')}")

    def _bytecode_chunk(self, chunk: Chunk) -> None:
        """Compiled Python files are build output, one look for all of them, whatever they number: deleting the
        404 committed .pyc files of openai-agents-python pull/9 was 15 binary chunks and 1h42m of floor."""
        directories = len({posixpath.dirname(path) for path in chunk.files})
        added = sum(1 for i, path in enumerate(chunk.files) if chunk.file_changes[i]["status"] != "deleted")
        chunk.title = (f"Binary: compiled Python ({plural(len(chunk.files), '.pyc file')} in "
                       f"{plural(directories, 'directory', 'directories')})")
        chunk.notes.append(f"compiled Python (__pycache__/, .pyc) is build output: {added} added or changed, "
                           f"{len(chunk.files) - added} deleted; it does not belong in the repository (.gitignore)")
        seconds = self.config.collapsed_seconds
        chunk.floor_seconds = int(seconds)
        chunk.floor_derivation = f"compiled Python: one look = {format_duration(seconds, 'spaced')}"

    def _assign_complexity(self, drafts: list[Draft], chunks: list[Chunk],
                           complexity: Mapping[str, Mapping[str, int]]) -> None:
        """Give each function's complexity to the chunk holding it; a function the spans did not
        place goes to the chunk holding its file's first changed line, so none is lost."""
        if not complexity:
            return
        holder: dict[tuple[str, str], int] = {}
        for number, draft in enumerate(drafts):
            if draft.kind == KIND_CODE or draft.kind == KIND_COLLAPSED:
                for leaf in draft.leaves:
                    path = self.paths[leaf.file_index]
                    if leaf.kind == FUNCTION_UNIT:
                        holder.setdefault((path, leaf.label), number)
        # The first changed line of each file: the segment with the lowest (hunk, line).
        best: dict[str, tuple[int, int, int]] = {}
        for number, chunk in enumerate(chunks):
            for segment in chunk.segments:
                key = (segment.hunk_index, segment.first, number)
                if segment.path not in best or key < best[segment.path]:
                    best[segment.path] = key
        first_chunk = {path: key[2] for path, key in best.items()}
        labels: dict[str, list[tuple[str, int]]] = {}
        for (p, label), number in holder.items():
            labels.setdefault(p, []).append((label, number))
        for path, functions in complexity.items():
            if not functions:
                continue
            # from this file's own functions only: one pass over every function of the change per file was
            # quadratic (saleor's pr/19407, 5,000 files: minutes in this loop)
            short_names: dict[str, list[tuple[str, int]]] = {}
            for label, number in labels.get(path, ()):
                short_names.setdefault(label.rsplit(".", 1)[-1], []).append((label, number))
            for qualname, added in functions.items():
                points = max(0, int(added))
                if not points:
                    continue
                target = holder.get((path, qualname))
                if target is None:
                    target = _enclosing(qualname, labels.get(path, ()))
                if target is None:
                    matches = short_names.get(qualname.rsplit(".", 1)[-1].rsplit("::", 1)[-1], [])
                    target = matches[0][1] if len(matches) == 1 else first_chunk.get(path)
                if target is not None:
                    chunks[target].complexity_added += points
                    if content_kind(path) != "code" or qualname in self.test_functions.get(path, ()):
                        # traced at no tier multiplier (content_floor)
                        held = id(chunks[target])
                        self._test_complexity[held] = self._test_complexity.get(held, 0) + points

    def _title(self, draft: Draft, chunk: Chunk, file_rank: dict[int, int]) -> str:
        # A title is text to show: its paths with their control characters as symbols (one_line, which
        # shows it, would turn a newline in a file name into a space, naming another file).
        dumps = {self.paths[i] for i in self.schema_dumps}  # named after the migration that writes them
        files = [visible_path(path) for path in sorted(_by_weight(chunk), key=lambda path: path in dumps)]
        if len(file_rank) == 1 and (only := self.files[next(iter(file_rank))]).is_submodule:
            return only.submodule_summary()
        prefix = "Collapsed: " if draft.kind == KIND_COLLAPSED else "Deleted: " if draft.deletion else ""
        if draft.packed is not None:
            return _packed_title(chunk.files)
        if draft.rule is not None and len(files) > 1:
            source = "lock files" if draft.rule in LOCK_FILE_GLOBS else ".gitattributes"
            return f"{prefix}{visible_path(draft.rule)} ({len(files)} files, {source})"
        if len(files) > 1:
            return prefix + _files_title(files)
        path = files[0] if files else "(nothing)"
        if draft.kind == KIND_COLLAPSED or (draft.deletion and self._whole_file(next(iter(file_rank)), chunk)):
            return prefix + path
        in_tests = bool(chunk.segments) and all(self._test_lines(s) == s.changed_lines for s in chunk.segments)
        named = _functions_named(draft)
        if in_tests:  # tests the file holds (Rust's #[cfg(test)] module), chunked apart from its code
            return f"{path}: tests" + (f" ({named})" if named else "")
        if named:
            return f"{prefix}{path}: {named}"
        file_index = next(iter(file_rank))
        if self._whole_file(file_index, chunk):
            return path
        ranges = [r for r in chunk.line_ranges if r.side == "new"] or chunk.line_ranges
        first, last = ranges[0], ranges[-1]
        side = "" if first.side == "new" else " (old)"
        return f"{path}: lines {first.start}-{last.end}{side}"

    def _whole_file(self, file_index: int, chunk: Chunk) -> bool:
        return sum(s.changed_lines for s in chunk.segments) == self.files[file_index].changed_lines


@functools.lru_cache(maxsize=16)
def _glob_set(globs: tuple[str, ...]) -> GlobSet:
    return GlobSet(globs)  # compiled once per rule set: a GlobSet of the defaults takes tens of milliseconds


def _enclosing(qualname: str, labels: Iterable[tuple[str, int]]) -> int | None:
    """The chunk of the innermost placed unit that encloses a function the spans did not place themselves (a test
    callback inside a describe the plan cut as one unit): hono's `describe("catch").it(...)` callbacks, +122 CC,
    went to the chunk of the file's import lines, and the 459 lines of those tests read CC 0 (QA51 #21)."""
    best: tuple[int, int] | None = None
    for label, number in labels:
        if qualname.startswith(label) and qualname[len(label):len(label) + 1] in (".", ":") and (
                best is None or len(label) > best[0]):
            best = (len(label), number)
    return best[1] if best is not None else None


def mirrors_of(files: list[FileDiff], config: ChunkConfig) -> dict[str, Mirror]:
    """The change's source files that copy another file's edit (mirrors.py), but for files collapsed anyway:
    only code (the same text, data or docs files added to forty directories are a plan's chunks as they were)."""
    collapsed = _glob_set(tuple(config.collapsed_globs))
    return mirror_copies(files, lambda path: (collapsed.match(path) is not None or environment_root(path) is not None
                                              or content_kind(path) != "code"), config.target_lines // 4)


def _said_of(note: str, paths: list[str] | None) -> str:
    """A file note given back its file, or the files that share it: "a.snap, b.snap and 43 more files: ..."."""
    if not paths:
        return note
    if len(paths) == 1:
        return f"{paths[0]}: {note}"
    shown = ", ".join(paths[:2]) + (f" and {len(paths) - 2} more files" if len(paths) > 2 else "")
    return f"{shown}: {note}"


def collapsed_by_path(path: str, config: ChunkConfig) -> str | None:
    """The `collapsed_globs` pattern `path` matches by its name alone (generated, vendored, lock), or None."""
    pattern = _glob_set(tuple(config.collapsed_globs)).match(path)
    if pattern in BUILD_OUTPUT_GLOBS and _never_built(path):
        # a build/ or dist/ file no compiler writes is a person's: hono's build/build.ts, urfave/cli's
        # internal/build/build.go (its build tool); a generated name there (build/api.pb.go) is still generated
        return _glob_set(tuple(g for g in config.collapsed_globs if g not in BUILD_OUTPUT_GLOBS)).match(path)
    return pattern


def _never_built(path: str) -> bool:
    """Whether a file under a build-output directory is source no build writes there (`_NEVER_BUILT`), but for
    setuptools' copies of a package's .py under build/lib*/ (`python setup.py build`)."""
    return _NEVER_BUILT.search(path) is not None and _SETUPTOOLS_BUILD.search(path) is None


def without_history(path: str, config: ChunkConfig) -> bool:
    """Whether a path's past changes say nothing of a change's likelihood: a machine writes the file at every
    change of its source or dependencies (a lock file, generated code, a snapshot: `collapsed_by_path`), or it is a
    translation catalogue, changed whenever the strings are. The history, authors and experience factors leave
    them out, in the analysis and in calibration alike: astral-sh/uv's Cargo.lock, changed by 455 of its newest 2,000
    commits (seven months), made every change that touched it read as "hot"."""
    return collapsed_by_path(path, config) is not None or is_translation_path(path)


def machine_written(fd: FileDiff, config: ChunkConfig, tier: int | None = None,
                    vendored: Mapping[str, str] | None = None, own_code: OwnCode | None = None,
                    mirrors: Mapping[str, Mirror] | None = None, read_blob: Callable[[str], bytes] | None = None,
                    changed: Collection[str] = ()) -> str | None:
    """Why `fd` is written by a machine, not a person (the plan collapses it; the risk model leaves it out):
    a generated, vendored or lock file by its path (`collapsed_globs`), or a generator's marker in the
    first lines of the new file (of a deleted file: its old one), read from the diff when its first hunk
    starts at the top (an added, regenerated or deleted file), else from the new blob (`read_blob`: one read per
    modified file, once per process; without it, not seen). None for a file
    a person wrote, and for any file of a tier 0 path (`tier`) but a lock file: the name and the marker are
    the change author's to choose, and 247 lines of hand-written payment code named charge_pb2.py were a
    30-second skim left out of the risk. A file in a tree the change adds with its own licence (`vendored`,
    vendored_roots) looks vendored, unless `own_code(path)` (a .gitattributes' `-linguist-vendored`) says the project
    wrote it: then neither that guess nor a vendored directory's name (VENDORED_GLOBS) collapses it; what the
    .gitattributes files unset is not collapsed by their lines either, and `linguist-generated=false` undoes a
    generated name or marker (`_after_attributes`, core/gitattributes.OwnCode). A file whose
    edit copies another's (`mirrors`, mirrors_of) is said so, in a tier 0 path too: that its lines are the other's
    is read from them, and the other is read in full. So is protobuf code in a tier 0 path whose .proto this change
    also changes (`changed`: the change's paths; `_regenerated_from`): the .proto is read in full."""
    pattern = collapsed_by_path(fd.path, config) or (fd.old_path and collapsed_by_path(fd.old_path, config))
    if mirrors and not pattern and (mirror := mirrors.get(fd.path)) is not None:
        return describe(mirror)
    if tier == 0 and pattern not in LOCK_FILE_GLOBS:
        # a lock file is the package manager's even there (.terraform.lock.hcl under infra/)
        if own_code is not None and own_code.not_generated(fd.path):
            return None
        return _regenerated_from(fd, changed, read_blob)
    own = own_code is not None and own_code(fd.path)
    pattern = _after_attributes(fd, pattern or None, config, own_code)
    if vendored and not pattern and not own and (root := vendored_root(fd.path, vendored)) is not None:
        return f"looks vendored: {root}/ is added with its own {posixpath.basename(vendored[root])}"
    if pattern and pattern in config.attribute_globs:
        return f"marked generated or vendored by the base's .gitattributes ({pattern!r})"
    if pattern in SCHEMA_DUMP_GLOBS:
        return f"Rails' SQL schema dump, written from the migrations (matches {pattern!r})"
    if pattern in EF_MODEL_GLOBS:
        return f"EF Core's model, written by `dotnet ef migrations add` beside the migration (matches {pattern!r})"
    if pattern:
        return f"generated, vendored or lock file (matches {pattern!r})"
    if own_code is not None and own_code.not_generated(fd.path):
        return None
    return _generated_marker(fd, config, read_blob) or _minified(fd)


MINIFIED_SUFFIXES = (".js", ".mjs", ".cjs", ".css")
MINIFIED_MIN_CHARACTERS = 20_000  # of the lines a version has in the diff: a few long lines of a person's are not it
MINIFIED_LINE_CHARACTERS = 1_000  # on average a line: no person writes script or style lines that long


def _minified(fd: FileDiff) -> str | None:
    """A minified script or style sheet (a bundler's output committed as it is, named like source: BookStack's
    public/js/common.js, 28 lines of 869,000 characters, was one chunk of +15,970 complexity and a 44-hour floor),
    from the lines of its newer version the diff holds (a deleted file's old ones): at least
    MINIFIED_MIN_CHARACTERS, MINIFIED_LINE_CHARACTERS a line on average."""
    if not fd.path.lower().endswith(MINIFIED_SUFFIXES) or not fd.hunks:
        return None
    side = DELETED if fd.new_path is None else ADDED
    sizes = [len(line.text) for hunk in fd.hunks for line in hunk.lines if line.origin == side]
    total = sum(sizes)
    if total < MINIFIED_MIN_CHARACTERS or total < MINIFIED_LINE_CHARACTERS * len(sizes):
        return None
    return f"minified: {total // len(sizes):,} characters a line on average (build output)"


def _after_attributes(fd: FileDiff, pattern: str | None, config: ChunkConfig, own_code: OwnCode | None) -> str | None:
    """The collapsing pattern that still stands once the .gitattributes files have their say: a line of the base's
    stands unless a later or deeper line, or the head, unset what it set (then the names alone decide); a vendored
    directory's name unless `linguist-vendored=false`; any other name (a lock file, `*_pb2.py`) unless
    `linguist-generated=false`."""
    if own_code is None or not pattern:
        return pattern
    if pattern in config.attribute_globs:
        if own_code.attribute_machine(fd.path) is not None or (
                fd.old_path and own_code.attribute_machine(fd.old_path) is not None):
            return pattern
        pattern = _guessed(config).match(fd.path)
        if not pattern:
            return None
    if pattern in VENDORED_GLOBS:
        return None if own_code(fd.path) else pattern
    return None if own_code.not_generated(fd.path) else pattern


def _guessed(config: ChunkConfig) -> GlobSet:
    """The collapsed globs but those of the base's .gitattributes: what the names alone say."""
    return _glob_set(tuple(glob for glob in config.collapsed_globs if glob not in config.attribute_globs))


def _generated_marker(fd: FileDiff, config: ChunkConfig,
                      read_blob: Callable[[str], bytes] | None = None) -> str | None:
    """A generator's marker in the first lines of the new file (of a deleted file: its old one), said. A text file
    moved unchanged has no lines in the diff: its blob is read (a moved .pb.go is still protoc's)."""
    if not fd.hunks:
        if fd.status != "renamed" or fd.binary or fd.not_diffed or fd.counted_only or read_blob is None \
                or fd.new_blob is None or fd.new_size > GENERATED_MARKER_MAX_BYTES:
            return None  # a binary file, a mode change, or one whose lines were not read
        return generated_marker_in(blob_first_lines(fd.new_blob, read_blob), config)
    return generated_marker_in(_first_lines(fd, read_blob), config)


def generated_marker_in(head: Sequence[str], config: ChunkConfig) -> str | None:
    """A generator's marker in a file's first lines (`head`), said; calibration asks it of each commit's files."""
    markers = [m.lower() for m in config.generated_markers if m.strip()]
    if not markers or not head:
        return None
    window = list(head[:GENERATED_MARKER_LINES])
    if all(_BANNER_LINE.match(text) for text in window):  # a comment banner first: read on to its end
        window += itertools.takewhile(_BANNER_LINE.match, head[GENERATED_MARKER_LINES:GENERATED_MARKER_BANNER_LINES])
    text = "\n".join(window).lower()
    marker = next((m for m in markers if m in text), None)
    if marker is None:
        said = next((found for line in window if (found := _GENERATED_BY.match(line))), None)
        marker = said.group(1).lower() if said else None
    return f"marked generated ({marker!r} in its first lines)" if marker else None


def _regenerated_from(fd: FileDiff, changed: Collection[str], read_blob: Callable[[str], bytes] | None) -> str | None:
    """Why a protobuf output in a tier 0 path is collapsed: named as protoc's plugins name their output, marked
    generated, and naming as its source a .proto this change also changes, which is read in full there. memos
    regenerates proto/gen/api/v1/auth_service.pb.go, _grpc.pb.go, .pb.gw.go, apiv1connect/auth_service.connect.go and
    web/src/types/proto/api/v1/auth_service_pb.ts with every edit of proto/api/v1/auth_service.proto: tier 0 by
    `auth_*`, they were read line by line (QA60: pr/5481 127 lines, 24 minutes). A name or a marker alone is the
    author's to choose (a hand-written charge_pb2.py in payments/ is read); the changed .proto is the evidence."""
    if not changed or not may_be_output(fd.path) or not fd.hunks:
        return None
    name = generated_source(fd.path, _first_lines(fd, read_blob)[:GENERATED_MARKER_BANNER_LINES])
    source = None if name is None else proto_changed(changed, name)
    return None if source is None else (f"generated from {visible_path(source)}, which this change also changes "
                                        "(read there)")


def _first_lines(fd: FileDiff, read_blob: Callable[[str], bytes] | None) -> list[str]:
    """The new version's first lines (a deleted file's own: rich's deleted width tables were hours of code): from
    the diff when its first hunk starts at the top, else read from the new blob (`read_blob`), once per blob for
    the process: lazygit's pkg/integration/tests/test_list.go, "THIS FILE IS AUTO-GENERATED" on line 1, is edited
    one line mid-file by every pull request that adds a test, and was read as code (QA52 #4)."""
    deleted = fd.new_path is None
    if (fd.hunks[0].old_start if deleted else fd.hunks[0].new_start) <= 1:
        other_side = ADDED if deleted else DELETED
        return [line.text for line in fd.hunks[0].lines[:GENERATED_MARKER_BANNER_LINES * 2]
                if line.origin != other_side]
    blob = fd.new_blob
    if read_blob is None or blob is None or deleted or fd.new_size > GENERATED_MARKER_MAX_BYTES:
        return []
    return blob_first_lines(blob, read_blob)


def blob_first_lines(blob: str, read_blob: Callable[[str], bytes | None]) -> list[str]:
    """A blob's first lines, read once per blob for the process; none of a blob not in the repository."""
    lines = _FIRST_LINES.get(blob)
    if lines is None:
        try:
            data = read_blob(blob)
        except ReviewTuiError:  # a missing blob (a partial clone's): no marker seen, as before
            return []
        if data is None:
            return []
        head = data[:GENERATED_MARKER_READ_BYTES]
        lines = tuple(head.decode("utf-8", errors="replace").splitlines()[:GENERATED_MARKER_BANNER_LINES])
        if len(_FIRST_LINES) >= _FIRST_LINES_KEPT:
            _FIRST_LINES.clear()
        _FIRST_LINES[blob] = lines
    return list(lines)


# A modified file's first lines, by its new blob id: the risk (analyzer `_by_hand`) and the plan both ask.
_FIRST_LINES: dict[str, tuple[str, ...]] = {}
_FIRST_LINES_KEPT = 4_096
GENERATED_MARKER_READ_BYTES = 8_192  # of a blob read for its first lines: a banner of 40 lines fits
GENERATED_MARKER_MAX_BYTES = 8_000_000  # a larger new version is not read for its first lines (a blob is read whole)


BUILD_OUTPUT_GLOBS = frozenset({"dist/", "build/"})
"""Directories named for build output that projects also use for their own build scripts (hono's build/ holds
build.ts, validate-exports.ts and their tests: QA51 #24, collapsed as generated, out of the risk)."""
_NEVER_BUILT = re.compile(r"(?:(?<!\.d)\.(?:ts|tsx|mts|cts)|\.(?:go|rs|py))$")
"""Source a compiler reads and never writes: tsc writes .js and .d.ts, go and cargo write binaries (cargo's own
output is under target/), CPython writes .pyc."""
_SETUPTOOLS_BUILD = re.compile(r"(?:^|/)build/(?:lib|bdist)[^/]*/")


# A comment that opens by naming what generated the file: `# generated by datamodel-codegen:` (the standard
# Pydantic model generator: 6,136 lines of openai-agents-python read as 12 hours of code), `// Generated from
# schema.proto`; not prose such as `# generated by hand` or `# generated by the user`, nor a Django migration's
# `# Generated by Django 4.2`: people edit those, and what they do to the data is read (tier 0 too).
_GENERATED_BY = re.compile(r"\s*(?:#+|//+|/\*+|\*|--|;+|<!--)\s*((?:auto-?)?generated (?:by|with|using|from) "
                           r"(?!hand\b|humans?\b|people\b|the\b|a\b|an\b|this\b|our\b|your\b|users?\b|me\b|django\b)[\w.@/-]+)",
                           re.IGNORECASE)

# gh-aw's compiled workflows say "DO NOT EDIT" on line 17, under an ASCII-art banner: a file that opens with
# comment lines is read to the end of them, up to this many lines
GENERATED_MARKER_BANNER_LINES = 40
_BANNER_LINE = re.compile(r"\s*(?:$|#|//|/\*|\*|--|;|%|<!--)")


def _functions_named(draft: Draft) -> str:
    """The draft's biggest function "and N more", or ""."""
    sizes: dict[str, int] = {}
    for leaf in draft.leaves:
        if leaf.kind == FUNCTION_UNIT:
            sizes[leaf.label] = sizes.get(leaf.label, 0) + leaf.size
    if not sizes:
        return ""
    biggest = max(sizes, key=lambda name: sizes[name])
    more = len(sizes) - 1
    return biggest + (f" and {more} more" if more else "")


def _files_title(files: list[str]) -> str:
    """A chunk of several files: "src/: request.ts, types.ts and 1 more" (the directory said once when it is one);
    the twins of one SQL file for several databases: "store/migration/{mysql,postgres,sqlite}/0.29/00__group.sql"."""
    twins = _driver_twins(enumerate(files))
    if len(twins) == len(files) - 1 and len(set(twins.values())) == 1:
        return _twins_title(files)
    if twins:  # some files are one file's copies for several databases: named once, braced, beside the others
        copies: dict[int, list[str]] = {}
        for index, path in enumerate(files):
            copies.setdefault(twins.get(index, index), []).append(path)
        shown = [_twins_title(group) if len(group) > 1 else group[0] for group in copies.values()]
        return " and ".join(shown) if len(shown) <= 2 else f"{shown[0]}, {shown[1]} and {len(shown) - 2} more"
    directory = posixpath.dirname(files[0])
    same_dir = all(posixpath.dirname(f) == directory for f in files)
    names = [posixpath.basename(f) for f in files] if same_dir and directory else files
    head = f"{directory}/: " if same_dir and directory else ""
    return head + (" and ".join(names) if len(names) <= 2 else f"{names[0]}, {names[1]} and {len(names) - 2} more")


def _twins_title(files: list[str]) -> str:
    """One file's copies for several databases: "store/migration/{mysql,postgres,sqlite}/0.29/00__group.sql"."""
    split = [path.split("/") for path in sorted(files)]
    slot = next(n for n, part in enumerate(split[0]) if part.lower() in _DATABASE_DIRS)
    databases = ",".join(dict.fromkeys(parts[slot] for parts in split))
    return "/".join(split[0][:slot] + ["{" + databases + "}"] + split[0][slot + 1:])


def _packed_title(paths: list[str]) -> str:
    """A chunk of small edits says what it holds and where: "9 small edits in src/agents/" (one edit a file)."""
    directories = [posixpath.dirname(path) for path in paths]
    common = posixpath.commonpath(directories) if all(directories) else ""
    if common:
        where = f"{visible_path(common)}/"
    else:  # a test in tests/ joined its module under src/agents/: "in src/agents/ and tests/"
        areas = list(dict.fromkeys(f"{visible_path(_area(path))}/" if _area(path) else "the root" for path in paths))
        where = " and ".join(areas) if len(areas) <= 2 else f"{areas[0]}, {areas[1]} and {len(areas) - 2} more"
    return f"{plural(len(paths), 'small edit')} in {where}"


def _by_weight(chunk: Chunk) -> list[str]:
    """The chunk's files as its title names them: code before tests, data and docs, the most changed lines
    first (a chunk of args.go and command.go was titled after its .golangci.yml and Makefile)."""
    lines: dict[str, int] = {}
    for segment in chunk.segments:
        lines[segment.path] = lines.get(segment.path, 0) + segment.changed_lines
    order = {path: i for i, path in enumerate(chunk.files)}
    return sorted(chunk.files, key=lambda path: (CONTENT_KINDS.index(content_kind(path)), -lines.get(path, 0),
                                                   order[path]))


# Where a bare name is no use: a line comment or a one-line string (uv: "`--keyring-provider native` is required",
# in a bail! message and a doc comment, joined keyring.rs's `fn native()`). `#` starts a comment in these languages.
_NOT_CODE = re.compile(r'//[^\n]*|"(?:\\.|[^"\\\n])*"')
_NOT_CODE_HASH = re.compile(r'#[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')
_HASH_COMMENTS = frozenset({"py", "pyi", "sh", "bash", "zsh", "rb", "pl", "r"})


def _code_only(path: str, text: str) -> str:
    """`text` (added lines of `path`) without its line comments and one-line strings."""
    return (_NOT_CODE_HASH if _extension(path) in _HASH_COMMENTS else _NOT_CODE).sub(" ", text)


def _extension(path: str) -> str:
    return posixpath.splitext(path)[1][1:].lower()


def _same_family(module_ext: str, test_ext: str) -> bool:
    families = ({"js", "jsx", "ts", "tsx", "mjs", "cjs"}, {"c", "cc", "cpp", "h", "hpp"}, {"py", "pyi"})
    if module_ext == test_ext:
        return True
    return any(module_ext in f and test_ext in f for f in families)


def _is_bytecode(path: str) -> bool:
    lower = path.lower()
    return lower.endswith((".pyc", ".pyo")) or "/__pycache__/" in f"/{lower}"


_ENV_DIRS = frozenset(g.rstrip("/") for g in INSTALLED_ENV_GLOBS if g.endswith("/"))
_ENV_MARKERS = frozenset(g for g in INSTALLED_ENV_GLOBS if not g.endswith("/"))


# a package of the project's own comes with its manifest (and may carry its licence): never taken for vendored
_OWN_MANIFESTS = frozenset({"cargo.toml", "package.json", "pyproject.toml", "setup.py", "go.mod", "pom.xml",
                            "build.gradle", "build.gradle.kts", "composer.json", "gemfile"})


def vendored_roots(files: Iterable[FileDiff],
                   absent_at_base: Callable[[list[str]], Iterable[str]] | None = None,
                   own_code: OwnCode | None = None) -> dict[str, str]:
    """The directories a change adds with a licence of their own (LICENSE, COPYING ...): a third-party tree
    copied in (uv pull/19743 added mimalloc/ with its LICENSE: 73 code chunks, a 57-hour floor), root -> its
    licence file. Not the repository's root, nor a directory whose package manifest the change adds too (a new
    package of the project's own), nor one whose licence `own_code` says the project wrote (`-linguist-vendored`
    in .gitattributes); the outermost such directory holds the others."""
    licences: dict[str, str] = {}
    manifests: set[str] = set()
    existing: set[str] = set()  # directories of files the change modifies, deletes or renames: not new trees
    for fd in files:
        if fd.status != "added" or not fd.path:
            for path in (fd.old_path, fd.new_path):
                if path:
                    existing.update(_parents(path))
            continue
        directory, name = posixpath.split(fd.path)
        if name.lower() in _OWN_MANIFESTS:
            manifests.add(directory)
        elif directory and LICENCE_FILE_NAME.match(name) and not (own_code is not None and own_code(fd.path)):
            licences.setdefault(directory, fd.path)
    out: dict[str, str] = {}
    for root in sorted(licences):
        # a licence added to a tree the change also edits is not a tree copied in: a LICENSE beside edits to the
        # project's own code would otherwise collapse them into one skim and leave them out of the risk
        if root not in manifests and root not in existing and not any(root.startswith(f"{outer}/") for outer in out):
            out[root] = licences[root]
    if absent_at_base is not None and out:  # nor one the base has: a LICENSE beside new files of its own code
        new = set(absent_at_base(list(out)))
        out = {root: licence for root, licence in out.items() if root in new}
    return out


def _parents(path: str) -> list[str]:
    """Every directory above `path`: a/b/c.py -> a/b, a."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _vendored_modules(files: list[FileDiff], read_blob: Callable[[str], bytes] | None) -> list[str]:
    """The Go modules the change's vendor/modules.txt lists at its head (planner/bump.py go_modules)."""
    for fd in files:
        if fd.path.lower().endswith("vendor/modules.txt") and fd.new_blob and read_blob is not None:
            try:
                return go_modules(read_blob(fd.new_blob).decode("utf-8", "replace"))
            except (KeyError, ValueError, OSError, ReviewTuiError):
                return []
    return []


def vendored_root(path: str, roots: Mapping[str, str]) -> str | None:
    """The root among `roots` (vendored_roots) that holds `path`, else None."""
    return next((root for root in roots if path.startswith(f"{root}/")), None)


def environment_root(path: str) -> str | None:
    """The root of the Python virtual environment `path` is in (the outermost directory INSTALLED_ENV_GLOBS
    names, or the directory of its marker file, `pyvenv.cfg`), else None."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower() in _ENV_DIRS:
            return "/".join(parts[: i + 1])
    if parts[-1].lower() in _ENV_MARKERS and len(parts) > 1:
        return "/".join(parts[:-1])
    return None


def environment_files(config: ChunkConfig) -> Callable[[str], bool]:
    """Whether a path is a file of a committed virtual environment that this configuration collapses (into
    one chunk, _environment_chunk): its lines are counted, never read (GitRepo.count_only)."""
    collapsed = _glob_set(tuple(config.collapsed_globs))
    return lambda path: environment_root(path) is not None and collapsed.match(path) is not None


# Directories that hold a project's packages rather than being one (`src/agents/`, `packages/ui/`, `internal/auth/`):
# an area of the tree is the directory under them.
_LAYOUT_DIRS = frozenset({"src", "lib", "libs", "packages", "pkg", "apps", "internal", "cmd", "modules", "services",
                          "crates", "components", "plugins", "projects"})


def _area(path: str) -> str:
    """The area of the tree a file is in, whose small edits may share a chunk: its top-level directory
    (`tests/`), or the package under a layout directory (`src/agents/`); "" for a file at the root."""
    parts = path.split("/")[:-1]
    if len(parts) > 1 and parts[0].lower() in _LAYOUT_DIRS:
        return f"{parts[0]}/{parts[1]}"
    return parts[0] if parts else ""


def _by_directory(indices: list[int], paths: list[str]) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for index in sorted(indices, key=lambda i: paths[i]):
        groups.setdefault(posixpath.dirname(paths[index]), []).append(index)
    return [groups[d] for d in sorted(groups)]


def _segment(fd: FileDiff, file_index: int, hunk_index: int, first: int, last: int, origins: str) -> Segment:
    """The segment of lines first..last of a hunk, its counts and line ranges read off the hunk's
    origin string: the first and last '+' give the new-side range, the first and last '-' the old."""
    lines = fd.hunks[hunk_index].lines
    stop = last + 1
    owned = origins[first:stop]
    additions = deletions = 0
    old_start = old_end = new_start = new_end = None
    at = owned.find(ADDED)
    if at >= 0:
        additions = owned.count(ADDED)
        new_start = lines[first + at].new_lineno
        new_end = lines[first + owned.rfind(ADDED)].new_lineno
        if new_start is None:  # a line without its number (not from git): the first numbered one starts
            new_start = next((line.new_lineno for line in lines[first + at:stop]
                              if line.origin == ADDED and line.new_lineno is not None), None)
    at = owned.find(DELETED)
    if at >= 0:
        deletions = owned.count(DELETED)
        old_start = lines[first + at].old_lineno
        old_end = lines[first + owned.rfind(DELETED)].old_lineno
        if old_start is None:
            old_start = next((line.old_lineno for line in lines[first + at:stop]
                              if line.origin == DELETED and line.old_lineno is not None), None)
    return new_segment(file_index, fd.path, hunk_index, first, last, additions, deletions,
                        old_start, old_end, new_start, new_end)


def _line_ranges(segments: list[Segment]) -> list[LineRange]:
    """Per file (in segment order): merged new-side ranges of added lines, then old-side ranges of
    deleted lines. Ranges of one side that touch or overlap are merged."""
    merged: dict[str, tuple[list[list[int]], list[list[int]]]] = {}  # path -> (new ranges, old ranges)
    for segment in segments:
        sides = merged.get(segment.path)
        if sides is None:
            sides = merged[segment.path] = ([], [])
        for ranges, start, end in ((sides[0], segment.new_start, segment.new_end),
                                   (sides[1], segment.old_start, segment.old_end)):
            if start is None or end is None:
                continue
            if ranges and start <= ranges[-1][1] + 1:
                if end > ranges[-1][1]:
                    ranges[-1][1] = end
            else:
                ranges.append([start, end])
    out: list[LineRange] = []
    for path, (new, old) in merged.items():
        out += [new_line_range(path, "new", start, end) for start, end in new]
        out += [new_line_range(path, "old", start, end) for start, end in old]
    return out


def _mode_only(fd: FileDiff) -> bool:
    """Whether a file's only change is its mode (same content, same path)."""
    return (fd.status == "modified" and not fd.is_submodule and bool(fd.old_mode) and bool(fd.new_mode)
            and fd.old_mode != fd.new_mode and fd.old_blob == fd.new_blob)


def _binary_note(fd: FileDiff, path: str) -> str:
    """What a binary file's change is: its sizes where the diff knows them (a tree-to-tree diff reports 0)."""
    unread = binary_lock_note(fd.path)  # bun.lockb: what it pins is not read, and the plan says so
    if fd.status == "added":
        said = f"{path}: binary file added" + (f" ({fd.new_size:,} bytes)" if fd.new_size else "")
    elif fd.status == "deleted":
        said = f"{path}: binary file deleted" + (f" ({fd.old_size:,} bytes)" if fd.old_size else "")
    else:
        sizes = f" ({fd.old_size:,} -> {fd.new_size:,} bytes)" if fd.old_size or fd.new_size else ""
        said = f"{path}: binary file changed{sizes}"
    if fd.not_diffed:
        said += " (.gitattributes -diff: not read as text, as git diffs it)"
    return f"{said}: {unread}" if unread else said


def _light_note(fd: FileDiff) -> str:
    if fd.is_submodule:
        return fd.submodule_summary()
    path = visible_path(fd.path)
    if fd.problem:  # a partial clone's missing blob: its lines are unknown, not absent
        return f"{path}: content not in this clone ({fd.problem})"
    if fd.status in ("renamed", "copied") and fd.old_path != fd.new_path:
        verb = "moved" if posixpath.basename(fd.old_path or "") == posixpath.basename(fd.new_path or "") \
            and posixpath.dirname(fd.old_path or "") != posixpath.dirname(fd.new_path or "") else fd.status
        return f"{visible_path(fd.old_path or '')} {verb} to {visible_path(fd.new_path or '')}" + (
            f" ({fd.similarity}% similar)" if fd.binary and fd.similarity else "")
    if fd.binary:
        return _binary_note(fd, path)
    if fd.old_mode != fd.new_mode and fd.old_mode and fd.new_mode:
        executable = fd.new_mode & 0o111 and not fd.old_mode & 0o111
        return (f"{path}: made executable (mode {fd.old_mode:o} -> {fd.new_mode:o}): it can now be run as a program"
                if executable else f"{path}: mode {fd.old_mode:o} -> {fd.new_mode:o}")
    if fd.status == "added":
        return f"{path}: empty file added"
    if fd.status == "deleted":
        return f"{path}: empty file deleted"
    return f"{path}: {fd.status}, no line changes"
