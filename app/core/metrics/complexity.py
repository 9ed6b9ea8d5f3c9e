"""Cyclomatic complexity of source files, and how much of it a change adds.

Python is measured with radon (per-function cyclomatic complexity and the maintainability index),
the languages lizard knows (C, C++, Java, JavaScript, TypeScript, Go, Rust, Swift, Ruby, Kotlin,
Scala, PHP, C#, Lua, ...) with lizard, anything else by size only. Repository content is untrusted
data: it is parsed, never executed, and no input makes these functions raise; a file that cannot
be measured comes back with `error` set.

`compare` turns the metrics of the old and new version of one file into the "complexity added"
factor of the risk score. `analyze_many` measures many blobs, in worker processes when there is
enough work, so a TUI thread calling it does not hold the GIL for the whole scan.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import re
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.git.diff import decode_text
from app.core.metrics import csharp, ruby, rust_items
from app.core.metrics.closures import closure_names, overload_names, qualified_name
from app.core.pyparse import parse_python
from app.core.settings import SectionReader
from app.errors import ConfigError

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

# ast, multiprocessing and the analyzers are imported where used: compare() and the models are
# needed by code that never measures a file, and these imports cost ~70 ms.

# Bump when any figure this module produces can change for the same input (new radon/lizard
# handling, naming, limits): the storage layer keys its cache on it.
# 5: a top-level closure named after the call it is handed to with a name (a JS/TS `test("...")` callback);
# 4: Go methods named with their receiver type; 3: closures named after their function; 2: Python that does
# not parse falls back to lizard
# 6: TypeScript read by tree-sitter (typescript.py): no phantom functions from type syntax, closures named by
# their binding or call; a reader's crash said in words; 7: JavaScript read by tree-sitter too; 8: Ruby's endless
# methods read as methods (ruby.py); 9: a function handed to a function written in place is `<function>(<closure>)`
# 10: every function carries a digest of its body, its own name taken out (a renamed or moved function is matched);
# overloads (Java, C#, C++, Kotlin ...) are named with their parameter types, `f(Long, int)`, not `f#2`
# 11: C#'s generic constraints (`where T : notnull`) blanked before lizard reads a file (csharp.py); 12: lizard's
# `*global*` pseudo-function left out
ANALYZER_VERSION = "12"

# Files above this many bytes are counted by size only: radon and lizard take seconds on
# multi-megabyte files, which are nearly always generated or minified anyway.
MAX_ANALYSE_BYTES = 2_000_000

ANALYZER_RADON = "radon"
ANALYZER_LIZARD = "lizard"
ANALYZER_TREE_SITTER = "tree-sitter"
ANALYZER_SIZE = "size"

# analyze_many uses worker processes only for more than PARALLEL_MIN_BYTES of source, or more
# than PARALLEL_MIN_ITEMS files that add up to PARALLEL_MIN_ITEMS_BYTES. Below that, starting the
# pool (measured: ~35 ms warm, ~140 ms for the first call) costs more than it saves (Python is
# measured at roughly 2 ms per KB).
PARALLEL_MIN_ITEMS = 8
PARALLEL_MIN_ITEMS_BYTES = 16_000
PARALLEL_MIN_BYTES = 200_000
# A batch holds about this much source (a quarter second of a worker) and at most `workers` + 1 batches
# are in the pool at a time: other work offered to the shared pool (the destructive-call scans the
# scoring reads next) waits behind one batch, not behind the whole measurement.
BATCH_BYTES = 256_000
DEFAULT_WORKERS = 2

_PYTHON_EXTENSIONS = frozenset({"py", "pyw", "pyi"})

# Extensions handed to lizard, with the language name reported to the user. This mirrors
# lizard's own reader table (a test checks each entry against lizard.get_reader_for) minus
# extensions that are more often something lizard would misread: .sql is mostly plain SQL
# rather than PL/SQL, .st and .es have several unrelated meanings.
_LIZARD_LANGUAGES: dict[str, str] = {
    "c": "c", "h": "c",
    "cpp": "cpp", "cc": "cpp", "cxx": "cpp", "hh": "cpp", "hpp": "cpp",
    "m": "objective-c", "mm": "objective-c",
    "java": "java",
    "cs": "csharp",
    "vue": "vue",
    "go": "go",
    "rs": "rust",
    "swift": "swift",
    "rb": "ruby",
    "kt": "kotlin", "kts": "kotlin",
    "scala": "scala",
    "php": "php",
    "lua": "lua",
    "gd": "gdscript",
    "sol": "solidity",
    "erl": "erlang", "hrl": "erlang",
    "zig": "zig",
    "pl": "perl", "pm": "perl",
    "r": "r",
    "f": "fortran", "for": "fortran", "ftn": "fortran", "fpp": "fortran",
    "f90": "fortran", "f95": "fortran", "f03": "fortran", "f08": "fortran",
    "ttcn": "ttcn", "ttcnpp": "ttcn",
}

# TypeScript and JavaScript are read by tree-sitter (app/core/metrics/typescript.py): lizard's readers derail on
# TypeScript's type syntax and on modern JavaScript (class fields, JSX).
_TREE_SITTER_LANGUAGES: dict[str, str] = {"ts": "typescript", "mts": "typescript", "cts": "typescript",
                                          "tsx": "typescript", "js": "javascript", "cjs": "javascript",
                                          "mjs": "javascript", "jsx": "javascript"}


@dataclass(slots=True)
class FunctionMetric:
    """One function (or method, or closure) of a file."""

    name: str  # qualified: "RetryPolicy.backoff", "outer.inner"; "#2" marks a second same-named one
    start_line: int  # 1-based
    end_line: int
    complexity: int  # cyclomatic complexity (McCabe)
    grade: str  # radon's rank A..F of `complexity`
    # a digest of the body's text without whitespace (TypeScript: its body node; the others: its lines, its own name
    # taken out, `_digest_bodies`): the same body under another name, number or file is the same function
    body: str | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {"name": self.name, "start_line": self.start_line, "end_line": self.end_line,
                 "complexity": self.complexity, "grade": self.grade}
        if self.body is not None:
            found["body"] = self.body
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FunctionMetric:
        try:
            body = data.get("body")
            return cls(name=str(data["name"]), start_line=int(data["start_line"]),
                       end_line=int(data["end_line"]), complexity=int(data["complexity"]),
                       grade=str(data["grade"]), body=None if body is None else str(body))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed FunctionMetric record: {exc!r}") from exc


@dataclass(slots=True)
class FileMetrics:
    """The complexity figures of one version of one file."""

    language: str | None  # "python", "go", ...; None when the extension is not a known language
    analyzer: str  # "radon" | "lizard" | "size"
    functions: list[FunctionMetric] = field(default_factory=list)  # in source order
    maintainability: float | None = None  # radon's maintainability index 0..100 (Python only)
    total_complexity: int = 0  # sum of the functions' complexity
    lines: int = 0
    error: str | None = None  # why the file was not (fully) measured, one line
    fallback: str | None = None  # how it was measured when the usual analyzer could not (one line)

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "analyzer": self.analyzer,
                "functions": [f.to_dict() for f in self.functions],
                "maintainability": self.maintainability, "total_complexity": self.total_complexity,
                "lines": self.lines, "error": self.error, "fallback": self.fallback}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileMetrics:
        try:
            maintainability = data["maintainability"]
            return cls(
                language=data["language"], analyzer=str(data["analyzer"]),
                functions=[FunctionMetric.from_dict(f) for f in data["functions"]],
                maintainability=None if maintainability is None else float(maintainability),
                total_complexity=int(data["total_complexity"]), lines=int(data["lines"]),
                error=data["error"], fallback=data.get("fallback"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed FileMetrics record: {exc!r}") from exc


@dataclass(frozen=True, slots=True)
class Move:
    """A function of the old version found again in the new one under another name or in another file (or both):
    `credited` of its complexity is not new (the smaller of its old and new complexity)."""

    old_path: str
    old_name: str
    new_path: str
    new_name: str
    credited: int
    how: str  # RENAMED, MOVED, or *_EDITED (its body changed too: what it grew by is still counted)

    def to_list(self) -> list[Any]:
        return [self.old_path, self.old_name, self.new_path, self.new_name, self.credited, self.how]

    @classmethod
    def from_list(cls, item: list[Any]) -> Move:
        old_path, old_name, new_path, new_name, credited, how = item
        return cls(str(old_path), str(old_name), str(new_path), str(new_name), int(credited), str(how))

    def describe(self) -> str:
        """"isLatest -> isLatestTransaction (11)" (same file), "makeRefund from Impl.java (7)": what moved and the
        complexity not counted for it."""
        old, new = short_name(self.old_name), short_name(self.new_name)
        if self.old_path == self.new_path:
            return f"{old} -> {new} ({self.credited})" if old != new else f"{self.new_name} ({self.credited})"
        where = self.old_path.rsplit("/", 1)[-1]
        return f"{new} from {where}" + ("" if old == new else f", was {old}") + f" ({self.credited})"


RENAMED = "renamed"
RENAMED_EDITED = "renamed, edited"
MOVED = "moved"
MOVED_EDITED = "moved, edited"


@dataclass(slots=True)
class FileComplexity:
    """How one changed file's complexity moved between its old and new version."""

    path: str
    analyzer: str
    complexity_added: int = 0  # sum of per-function increases; a new function counts fully
    complexity_removed: int = 0  # sum of per-function decreases; a removed function counts fully
    worst: FunctionMetric | None = None  # the new or changed function with the highest complexity
    mi_delta: float | None = None  # new maintainability index minus old, when both exist
    error: str | None = None  # why the delta is incomplete
    changed_functions: list[tuple[str, int | None, int]] = field(default_factory=list)  # (name, old, new)
    # of complexity_added, the part in tests the file holds (Rust's #[cfg(test)] module, #[test] functions)
    test_complexity_added: int = 0
    test_functions: list[str] = field(default_factory=list)  # the changed functions among those tests
    # functions found again under another name or in another place (renamed, moved, extracted whole): their
    # complexity is not counted as added (nor their old self as removed), up to the smaller of the two
    moves: list[Move] = field(default_factory=list)
    # what compare left unmatched, for `credit_moves` to match across the change's files (not kept)
    new_only: list[FunctionMetric] = field(default_factory=list, repr=False, compare=False)
    old_only: list[FunctionMetric] = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "analyzer": self.analyzer, "complexity_added": self.complexity_added,
                "test_complexity_added": self.test_complexity_added, "test_functions": list(self.test_functions),
                "complexity_removed": self.complexity_removed,
                "worst": None if self.worst is None else self.worst.to_dict(),
                "mi_delta": self.mi_delta, "error": self.error,
                "changed_functions": [list(item) for item in self.changed_functions],
                "moves": [move.to_list() for move in self.moves]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileComplexity:
        try:
            worst = data["worst"]
            mi_delta = data["mi_delta"]
            return cls(
                path=str(data["path"]), analyzer=str(data["analyzer"]),
                complexity_added=int(data["complexity_added"]),
                complexity_removed=int(data["complexity_removed"]),
                worst=None if worst is None else FunctionMetric.from_dict(worst),
                mi_delta=None if mi_delta is None else float(mi_delta), error=data["error"],
                changed_functions=[(str(name), None if old is None else int(old), int(new))
                                   for name, old, new in data["changed_functions"]],
                test_complexity_added=int(data.get("test_complexity_added", 0)),
                test_functions=[str(name) for name in data.get("test_functions", [])],
                moves=[Move.from_list(item) for item in data.get("moves", [])],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed FileComplexity record: {exc!r}") from exc


@dataclass(frozen=True, slots=True)
class ComplexityConfig:
    """Settings of the [complexity] table."""

    workers: int = DEFAULT_WORKERS
    """Worker processes for measuring many files; 0 measures in the calling process."""
    max_file_bytes: int = MAX_ANALYSE_BYTES
    """Files larger than this are counted by size only (their functions are not measured)."""

    @classmethod
    def from_reader(cls, reader: SectionReader) -> ComplexityConfig:
        workers = reader.get("workers", int, DEFAULT_WORKERS)
        if not 0 <= workers <= 64:
            raise ConfigError(f"{reader.where('workers')}: must be between 0 and 64, got {workers}")
        max_file_bytes = reader.get("max_file_bytes", int, MAX_ANALYSE_BYTES)
        if max_file_bytes < 1_000:
            raise ConfigError(
                f"{reader.where('max_file_bytes')}: must be at least 1000, got {max_file_bytes}")
        reader.finish()
        return cls(workers=workers, max_file_bytes=max_file_bytes)


def cache_tag(max_bytes: int = MAX_ANALYSE_BYTES, maintainability: bool = True) -> str:
    """The part of a cache key that changes whenever analyze_source's result for a blob can: what
    parses depends on the running Python too (PEP 695 generics need 3.12)."""
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return f"{ANALYZER_VERSION}:{python}:{max_bytes}" + ("" if maintainability else ":cc")


def grade(cc: int) -> str:
    """radon's rank of a cyclomatic complexity: A 1-5, B 6-10, C 11-20, D 21-30, E 31-40, F 41+."""
    from radon.complexity import cc_rank

    return str(cc_rank(max(cc, 1)))


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else ""
    return "rb" if ext in ruby.RUBY_ALIASES or name.lower() in ruby.RUBY_NAMES else ext




BLADE_SUFFIX = ".blade.php"
"""A Laravel Blade template: HTML with `@if`/`@foreach` directives, which lizard's PHP reader counts as no function and
CC 0 (BookStack's books/show.blade.php has 20 directives): not measured, rather than measured as simple (QA59 F9)."""


def language_of(path: str) -> str | None:
    """The language measured for `path`, from its extension; None when it is not one we measure (a Blade template)."""
    if path.lower().endswith(BLADE_SUFFIX):
        return None
    ext = _extension(path)
    if ext in _PYTHON_EXTENSIONS:
        return "python"
    return _LIZARD_LANGUAGES.get(ext) or _TREE_SITTER_LANGUAGES.get(ext)


def analyzer_for(path: str) -> str:
    """Which analyzer measures `path`: "radon", "lizard" or "size" (a Blade template: BLADE_SUFFIX)."""
    if path.lower().endswith(BLADE_SUFFIX):
        return ANALYZER_SIZE
    ext = _extension(path)
    if ext in _PYTHON_EXTENSIONS:
        return ANALYZER_RADON
    if ext in _TREE_SITTER_LANGUAGES:
        return ANALYZER_TREE_SITTER
    return ANALYZER_LIZARD if ext in _LIZARD_LANGUAGES else ANALYZER_SIZE


def _count_lines(text: str | bytes) -> int:
    if not text:
        return 0
    newline = "\n" if isinstance(text, str) else b"\n"
    return text.count(newline) + (0 if text.endswith(newline) else 1)  # type: ignore[arg-type]


def _human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1_000:.1f} KB"


def _one_line(exc: BaseException) -> str:
    """An exception as a short single line for the UI."""
    if isinstance(exc, SyntaxError):
        where = f" at line {exc.lineno}" if exc.lineno else ""
        return f"{type(exc).__name__}{where}: {exc.msg}"
    text = str(exc).strip().splitlines()
    message = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return message[:200]


def analyze_source(path: str, data: bytes | str, *, max_bytes: int = MAX_ANALYSE_BYTES,
                   maintainability: bool = True, tree: Any = None) -> FileMetrics:
    """Measure one version of a file. Never raises: problems come back in `error`.

    `maintainability=False` skips radon's maintainability index, which costs as much again as the
    cyclomatic complexity (raw line counts and Halstead volume): ranking needs only the latter.
    `tree`: `python_tree(data)`, for a caller that parsed the version already."""
    language = language_of(path)
    analyzer = analyzer_for(path)
    if analyzer == ANALYZER_SIZE:
        return FileMetrics(language, ANALYZER_SIZE, lines=_safe_line_count(data))
    try:
        has_nul = "\0" in data if isinstance(data, str) else b"\0" in data
        if has_nul:
            return FileMetrics(language, ANALYZER_SIZE, lines=_count_lines(data),
                               error="binary content (NUL bytes): counted by size")
        size = len(data) if isinstance(data, bytes) else _encoded_size(data, max_bytes)
        if size > max_bytes:
            return FileMetrics(language, ANALYZER_SIZE, lines=_count_lines(data),
                               error=f"too large to analyse ({_human_size(size)}): counted by size")
        text = decode_text(data) if isinstance(data, bytes) else data
        if analyzer == ANALYZER_RADON:
            return _analyse_python(text, maintainability, tree)
        if analyzer == ANALYZER_TREE_SITTER:
            return _analyse_typescript(path, text, language)
        return _analyse_lizard(path, text, language)
    except Exception as exc:
        return FileMetrics(language, analyzer, lines=_safe_line_count(data), error=_one_line(exc))


def _encoded_size(text: str, max_bytes: int) -> int:
    # Every character takes at least one byte, so a long string is over the limit unencoded.
    return len(text) if len(text) > max_bytes else len(text.encode("utf-8", errors="replace"))


def _safe_line_count(data: bytes | str) -> int:
    try:
        return _count_lines(data)
    except Exception:
        return 0


def _analyse_python(text: str, with_maintainability: bool = True, parsed: Any = None) -> FileMetrics:
    lines = _count_lines(text)
    # ast.parse of a str rejects a byte-order mark that the file legitimately starts with.
    text = text.removeprefix("\ufeff")
    try:
        tree = parsed if parsed is not None else _parse_python(text)
        return _radon_metrics(tree, text, lines, with_maintainability)
    except SyntaxError as exc:
        # Code this interpreter cannot parse (newer syntax such as PEP 695 generics under 3.11, or
        # Python 2): lizard's token-based reader still finds the functions and their branches.
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        return python_by_lizard(text, f"does not parse under Python {version} ({_one_line(exc)})")
    except Exception as exc:  # RecursionError, radon's own errors
        return FileMetrics("python", ANALYZER_RADON, lines=lines, error=_one_line(exc))


def python_by_radon(text: str) -> FileMetrics | None:
    """Python measured by radon (no maintainability index), or None when it does not parse: no
    fallback reader. For code cut out of a file, which the caller measures whole when the cut fails."""
    lines = _count_lines(text)
    text = text.removeprefix("\ufeff")
    try:
        tree = _parse_python(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    try:
        return _radon_metrics(tree, text, lines, False)
    except Exception as exc:
        return FileMetrics("python", ANALYZER_RADON, lines=lines, error=_one_line(exc))


def python_tree(data: bytes) -> Any:
    """The tree both `ast.parse(data)` and the measurement's `ast.parse(decode_text(data))` give, so one parse
    serves the dependency graph's summary and the complexity (issue 18: each changed version was parsed by
    both); None where the two could differ or the version does not parse (each then parses on its own): not
    strict UTF-8, a byte-order mark, NUL bytes, or an encoding other than UTF-8 declared in its first two lines
    (`# -*- coding: utf-8 -*-`, which a third of ansible's modules declare, is UTF-8: both read the same text)."""
    if data.startswith(b"\xef\xbb\xbf") or b"\0" in data:
        return None
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    if b"coding" in (data[:second] if second >= 0 else data) and not _declares_utf8(data):
        return None
    try:
        return _parse_python(data.decode("utf-8"))
    except Exception:  # UnicodeDecodeError, SyntaxError, RecursionError, MemoryError...: each on its own
        return None


def _declares_utf8(data: bytes) -> bool:
    """Whether the encoding Python reads `data` in (its PEP 263 declaration, as the tokenizer finds it) is UTF-8."""
    import codecs
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return codecs.lookup(encoding).name == "utf-8"
    except (SyntaxError, LookupError):  # an unknown or mismatched declaration: ast.parse(data) raises
        return False


def _parse_python(text: str) -> Any:
    return parse_python(text)  # one thread at a time: see app.core.pyparse


def _radon_metrics(tree: Any, text: str, lines: int, with_maintainability: bool) -> FileMetrics:
    from radon.metrics import h_visit_ast, mi_compute
    from radon.visitors import ComplexityVisitor

    from app.core.metrics.raw_lines import analyze as raw_analyze  # radon's figures in linear time

    # One parse serves both figures: this is radon's cc_visit plus its mi_visit(multi=True)
    # (mi_parameters), without parsing the source three times. Ranking needs the functions only: they come
    # from _Blocks, radon's visitor's figures in a third of its time.
    maintainability = None
    blocks = _Blocks.of(tree) if not with_maintainability else None
    if blocks is not None:
        functions = _unique_names(_radon_functions(blocks))
    else:
        visitor = ComplexityVisitor.from_ast(tree)
        functions = _unique_names(_radon_functions(visitor.blocks))
    _digest_bodies(functions, text)
    if with_maintainability:
        raw = raw_analyze(text)
        comment_lines = raw.comments + raw.multi
        comments = comment_lines / float(raw.sloc) * 100 if raw.sloc != 0 else 0
        maintainability = float(mi_compute(h_visit_ast(tree).total.volume, visitor.total_complexity,
                                           raw.lloc, comments))
    return FileMetrics("python", ANALYZER_RADON, functions=functions, maintainability=maintainability,
                       total_complexity=sum(f.complexity for f in functions), lines=lines)


# _Blocks gives up past this depth of nested nodes and radon's visitor measures the file: radon recurses three
# frames a level and raises RecursionError on deep code (an error figure), which this must give as well.
_FAST_MAX_DEPTH = 100


class _Function:
    """radon.visitors.Function's fields that _radon_functions reads."""

    __slots__ = ("closures", "complexity", "endline", "is_method", "lineno", "name")

    def __init__(self, name: str, lineno: int, endline: int, is_method: bool, closures: list[Any],
                 complexity: int) -> None:
        self.name, self.lineno, self.endline = name, lineno, endline
        self.is_method, self.closures, self.complexity = is_method, closures, complexity


class _Class:
    """radon.visitors.Class's fields that _radon_functions reads."""

    __slots__ = ("inner_classes", "methods", "name")

    def __init__(self, name: str, methods: list[Any], inner_classes: list[Any]) -> None:
        self.name, self.methods, self.inner_classes = name, methods, inner_classes


class _TooDeep(Exception):
    pass


# What _Blocks does with a node, by its type (ast is imported at the first measurement).
_DEF, _CLASS, _ASSERT, _IF, _LOOP, _BOOL, _COMPREHENSION, _TRY, _MATCH = range(1, 10)
_KINDS: dict[type, int] = {}
_AST_BASE: Any = None


def _node_kinds() -> None:
    global _AST_BASE
    if _KINDS:
        return
    import ast

    _AST_BASE = ast.AST
    _KINDS.update({ast.FunctionDef: _DEF, ast.AsyncFunctionDef: _DEF, ast.ClassDef: _CLASS, ast.Assert: _ASSERT,
                   ast.If: _IF, ast.IfExp: _IF, ast.For: _LOOP, ast.While: _LOOP, ast.AsyncFor: _LOOP,
                   ast.BoolOp: _BOOL, ast.comprehension: _COMPREHENSION, ast.Try: _TRY, ast.Match: _MATCH})


class _Blocks:
    """radon's ComplexityVisitor (6.x, no_assert False), for the functions and classes only: the same
    complexity, names, first and last lines, closures, methods and inner classes, counted by one function
    per node instead of NodeVisitor's dispatch by name and iter_fields (that dispatch was half of the
    cold `list`'s complexity time). Its rules, as radon's: a function's complexity is 1 plus the decision
    points of its body (`if`/`elif`, conditional expressions, loops plus their `else`, `except` clauses
    and a try's `else`, each extra operand of `and`/`or`, comprehensions plus their `if`s, assertions,
    match cases but a final `case _`), not its decorators, defaults or nested definitions; its last line is
    the largest line number radon's visitor of its last statement saw. tests/unit/test_complexity.py
    compares it with radon's visitor on real files."""

    __slots__ = ("classes", "classname", "complexity", "functions", "max_line", "to_method")

    def __init__(self, to_method: bool = False, classname: str | None = None) -> None:
        self.complexity = 0
        self.max_line: float = float("-inf")
        self.functions: list[_Function] = []
        self.classes: list[_Class] = []
        self.to_method = to_method
        self.classname = classname

    @classmethod
    def of(cls, tree: Any) -> list[Any] | None:
        """radon's `ComplexityVisitor.from_ast(tree).blocks` as _radon_functions reads them, or None for code
        nested deeper than _FAST_MAX_DEPTH (radon's visitor decides)."""
        _node_kinds()
        visitor = cls()
        try:
            visitor.visit(tree, 0)
        except _TooDeep:
            return None
        blocks: list[Any] = list(visitor.functions)
        for klass in visitor.classes:
            blocks.append(klass)
            blocks.extend(klass.methods)
        return blocks

    def visit(self, node: Any, depth: int) -> None:
        if depth > _FAST_MAX_DEPTH:
            raise _TooDeep
        code = _KINDS.get(type(node), 0)
        if code == _DEF:
            self._function(node, depth)
            return
        if code == _CLASS:
            self._class(node, depth)
            return
        if code == _ASSERT:  # radon's visit_Assert: counted, not walked into
            self.complexity += 1
            return
        lineno = getattr(node, "lineno", None)
        if lineno is not None and lineno > self.max_line:
            self.max_line = lineno
        if code == _IF:
            self.complexity += 1
        elif code == _LOOP:
            self.complexity += bool(node.orelse) + 1
        elif code == _BOOL:
            self.complexity += len(node.values) - 1
        elif code == _COMPREHENSION:
            self.complexity += len(node.ifs) + 1
        elif code == _TRY:  # not TryStar: radon counts the handlers of `Try` (and `TryExcept`) only
            self.complexity += len(node.handlers) + bool(node.orelse)
        elif code == _MATCH:
            underscore = any(getattr(case.pattern, "pattern", False) is None for case in node.cases)
            self.complexity += max(0, len(node.cases) - underscore)
        base = _AST_BASE
        for name in node._fields:
            try:
                value = getattr(node, name)
            except AttributeError:
                continue
            if type(value) is list:
                for item in value:
                    if isinstance(item, base):
                        self.visit(item, depth + 1)
            elif isinstance(value, base):
                self.visit(value, depth + 1)

    def _function(self, node: Any, depth: int) -> None:
        closures: list[_Function] = []
        body_complexity = 1
        last = None
        for child in node.body:
            last = _Blocks()
            last.visit(child, depth + 1)
            closures.extend(last.functions)
            body_complexity += last.complexity
        max_line = last.max_line if last is not None else float("-inf")
        endline = max(node.lineno, max_line)
        self.functions.append(_Function(node.name, node.lineno, endline, self.to_method, closures, body_complexity))

    def _class(self, node: Any, depth: int) -> None:
        methods: list[_Function] = []
        inner: list[_Class] = []
        for child in node.body:
            visitor = _Blocks(True, node.name)
            visitor.visit(child, depth + 1)
            methods.extend(visitor.functions)
            inner.extend(visitor.classes)
        self.classes.append(_Class(node.name, methods, inner))


def python_by_lizard(text: str, reason: str | None = None) -> FileMetrics:
    """Python measured with lizard's reader, names qualified like radon's ("Box.get", "Box.put.inner").
    The fallback for code the running interpreter cannot parse; `reason` says why it was used."""
    import lizard

    lines = _count_lines(text)
    note = "measured with lizard's Python reader" + (f": the file {reason}" if reason else "")
    try:
        found = _lizard_functions(lizard, "fallback.py", text)
    except Exception as exc:
        return FileMetrics("python", ANALYZER_LIZARD, lines=lines, error=f"{reason or 'not parsed'}; "
                                                                        f"lizard: {_one_line(exc)}")
    source_lines = text.split("\n")
    functions = _unique_names(
        FunctionMetric(_class_prefix(source_lines, f.start_line) + f.name, f.start_line, f.end_line,
                       f.cyclomatic_complexity, grade(f.cyclomatic_complexity))
        for f in found)
    _digest_bodies(functions, text)
    return FileMetrics("python", ANALYZER_LIZARD, functions=functions,
                       total_complexity=sum(f.complexity for f in functions), lines=lines, fallback=note)


def _class_prefix(lines: list[str], start_line: int) -> str:
    """"Outer.Inner." for the classes around the def at `start_line` (1-based), by indentation: lizard
    names a method "get" where radon says "Box.get" (nested defs it already names "put.inner")."""
    if not 1 <= start_line <= len(lines):
        return ""
    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" \t"))

    current = indent(lines[start_line - 1])
    classes: list[str] = []
    for line in reversed(lines[: start_line - 1]):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "@")) or indent(line) >= current:
            continue
        current = indent(line)
        if stripped.startswith("class "):
            name = stripped[6:].split("(", 1)[0].split("[", 1)[0].split(":", 1)[0].strip()
            if name.isidentifier():
                classes.append(name)
        if current == 0:
            break
    return "".join(f"{name}." for name in reversed(classes))


def _radon_functions(blocks: Iterable[Any]) -> list[FunctionMetric]:
    """Flatten radon's blocks into qualified functions: methods, closures and inner classes too.

    radon lists a top-level class's methods both inside the class and on their own; only the
    class's copy is walked so that inner classes' methods get the same treatment.
    """
    from radon.visitors import Class

    found: list[FunctionMetric] = []

    def add_function(block: Any, prefix: str) -> None:
        name = prefix + block.name
        end = block.endline if block.endline is not None else block.lineno
        found.append(FunctionMetric(name, block.lineno, end, block.complexity, grade(block.complexity)))
        for closure in block.closures:
            add_function(closure, name + ".")

    def add_class(block: Any, prefix: str) -> None:
        name = prefix + block.name
        for method in block.methods:
            add_function(method, name + ".")
        for inner in block.inner_classes:
            add_class(inner, name + ".")

    for block in blocks:
        if isinstance(block, (Class, _Class)):
            add_class(block, "")
        elif not block.is_method:
            add_function(block, "")
    return found


def _analyse_lizard(path: str, text: str, language: str | None) -> FileMetrics:
    import lizard

    lines = _count_lines(text)
    try:
        found = rust_items.functions(lizard, path, text) if language == "rust" else None
        if found is None:
            function_list = csharp.real_functions(
                _lizard_functions(lizard, path, csharp.for_lizard(path, ruby.for_lizard(path, text))))
            names = overload_names(path, function_list, [qualified_name(f) for f in function_list])
            found = [(name, f.start_line, f.end_line, f.cyclomatic_complexity)
                     for name, f in zip(names, function_list, strict=True)]
        functions = _unique_names(_named_closures([
            FunctionMetric(name, start, end, ccn, grade(ccn)) for name, start, end, ccn in found], text))
        _digest_bodies(functions, text)
    except RecursionError:
        return FileMetrics(language, ANALYZER_LIZARD, lines=lines,
                           error="lizard gave up: code nested too deeply (RecursionError)")
    except Exception as exc:
        return FileMetrics(language, ANALYZER_LIZARD, lines=lines, error=reader_failed("lizard", language, exc))
    return FileMetrics(language, ANALYZER_LIZARD, functions=functions,
                       total_complexity=sum(f.complexity for f in functions), lines=lines)


def reader_failed(tool: str, language: str | None, exc: BaseException) -> str:
    """A reader's crash in words: "could not be measured: lizard's TypeScript reader failed on it (IndexError)",
    not the bare "IndexError: list index out of range" of a bug in the reader (QA51 #3)."""
    reader = f"{tool}'s {_LANGUAGE_TITLES.get(language or '', (language or '').title())} reader".replace("  ", " ")
    return f"could not be measured: {reader} failed on it ({type(exc).__name__})"


_LANGUAGE_TITLES = {"typescript": "TypeScript", "javascript": "JavaScript", "cpp": "C++", "csharp": "C#",
                    "objective-c": "Objective-C", "php": "PHP", "gdscript": "GDScript", "ttcn": "TTCN-3", "r": "R",
                    "c": "C"}


_LONG_UNREADABLE = 20  # lines


def _analyse_typescript(path: str, text: str, language: str | None) -> FileMetrics:
    """TypeScript and JavaScript by tree-sitter: each function's span and complexity, named as `typescript` names
    them. Parts
    of the file the parser could not read (its grammar lags the language) are said when a function overlaps
    them; where tree-sitter is not installed, lizard measures, with a note."""
    from app.core.metrics import typescript

    lines = _count_lines(text)
    try:
        reading = typescript.read(path, text)
    except ImportError:
        measured = _analyse_lizard(path, text, language)
        if measured.error is None:
            measured.fallback = (f"measured by lizard (tree-sitter is not installed): "
                                 f"{_LANGUAGE_TITLES.get(language or '', 'its')} functions may be misread")
        return measured
    except Exception as exc:  # a bug of the parser's binding: never the content's fault
        return FileMetrics(language, ANALYZER_TREE_SITTER, lines=lines, error=reader_failed("tree-sitter", language,
                                                                                              exc))
    defined = [d for d in reading.definitions if d.kind == typescript.KIND_FUNCTION]
    functions = _unique_names(FunctionMetric(d.name, d.start_line, d.end_line, d.complexity, grade(d.complexity),
                                             d.body) for d in defined)
    # An unreadable spot inside a function, or a long one (which may hide functions), is said; a type the
    # grammar does not know (`export type * from`) between functions changes no figure and is not.
    unsure = sorted((first, last) for first, last in reading.unreadable
                    if last - first >= _LONG_UNREADABLE
                    or any(f.start_line <= last and first <= f.end_line for f in functions))
    note = None
    if unsure:
        first, last = unsure[0]
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        more = len(unsure) - 1
        note = (f"the {_LANGUAGE_TITLES.get(language or '', 'tree-sitter')} parser could not read {where}"
                + (f" and {more} more place{'s' if more > 1 else ''}" if more else "")
                + ": functions there may be missing or their complexity off")
    return FileMetrics(language, ANALYZER_TREE_SITTER, functions=functions,
                       total_complexity=sum(f.complexity for f in functions), lines=lines, fallback=note)


def _lizard_functions(lizard: Any, path: str, text: str) -> list[Any]:
    """lizard.analyze_file.analyze_source_code, minus its handling of RecursionError.

    lizard catches RecursionError (deeply nested or unusual code), writes a line to stderr (the
    TUI's terminal) and returns the functions found so far as if the file were complete; here the
    error propagates so the file is reported as not measured. Older lizards without these names
    get the public call.
    """
    analyzer = lizard.analyze_file
    if not all(hasattr(lizard, name) for name in ("FileInfoBuilder", "get_reader_for", "CLikeReader")) \
            or not hasattr(analyzer, "processors"):
        return list(analyzer.analyze_source_code(ruby.lizard_path(path), text).function_list)
    context = lizard.FileInfoBuilder(path)
    reader = (lizard.get_reader_for(ruby.lizard_path(path)) or lizard.CLikeReader)(context)
    tokens = reader.generate_tokens(text)
    for processor in analyzer.processors:
        tokens = processor(tokens, reader)
    for _ in reader(tokens, reader):
        pass
    return list(context.fileinfo.function_list)


def _named_closures(functions: list[FunctionMetric], text: str = "") -> list[FunctionMetric]:
    """Closures named as app.core.metrics.closures names them: `RangeArgs.<closure>`, `test("retry - after")`."""
    names = closure_names([(f.name, f.start_line, f.end_line) for f in functions], text)
    for function, name in zip(functions, names, strict=True):
        function.name = name
    return functions


def _unique_names(functions: Iterable[FunctionMetric]) -> list[FunctionMetric]:
    """Sort by position and number repeated names ("f", "f#2"), so matching by name is exact.

    Repeats are overloads (Java, C++), redefinitions (Python) and same-named closures.
    """
    ordered = sorted(functions, key=lambda f: (f.start_line, f.end_line, f.name))
    seen: dict[str, int] = {}
    for function in ordered:
        count = seen.get(function.name, 0) + 1
        seen[function.name] = count
        if count > 1:
            function.name = f"{function.name}#{count}"
    return ordered


_BLANK_TEXT = re.compile(r"\s+")
_NUMBERED = re.compile(r"(#\d+|\([^()]*\))$")  # a repeat's number, an overload's parameter types
_NAME_PARTS = re.compile(r"::|\.")


def short_name(name: str) -> str:
    """A function's own name, without its class, module or outer function, its repeat number or its parameter types:
    "LoanService::makeRefund#2" -> "makeRefund", "Box.put.inner" -> "inner", "A::f(Long, int)" -> "f"."""
    return _NAME_PARTS.split(_NUMBERED.sub("", name))[-1]


def _digest_bodies(functions: list[FunctionMetric], text: str) -> None:
    """Give each function without one the digest of its lines, whitespace and its own name taken out: a function
    renamed, moved to another class or file, or renumbered by an overload added above it has the same digest, so
    `compare` and `credit_moves` match it to its old self instead of counting it new (QA58 F3)."""
    lines = text.split("\n")
    for function in functions:
        if function.body is not None:
            continue
        body = "\n".join(lines[max(0, function.start_line - 1):max(function.start_line, function.end_line)])
        own = short_name(function.name)
        if own.isidentifier():
            body = re.sub(rf"(?<![\w$]){re.escape(own)}(?![\w$])", "", body)
        function.body = hashlib.blake2b(_BLANK_TEXT.sub("", body).encode("utf-8", "replace"),
                                        digest_size=8).hexdigest()


CONTENT_MISSING = "content not in this clone (a partial or damaged clone): not measured"
"""The error of a file version whose blob is not in the object database: nothing is known of it."""


def compare(path: str, old: FileMetrics | None, new: FileMetrics | None, *,
            touched_lines: Collection[int] | None = None,
            test_regions: tuple[tuple[int, int], ...] = ()) -> FileComplexity:
    """The complexity delta of one changed file; `old`/`new` are None for an added/deleted file.

    Functions are matched by qualified name. A function counts as changed when it is new or its
    complexity moved, or (when `touched_lines`, the diff's new-side line numbers, is given) when
    the diff touches it. A function starting in `test_regions` (the new version's in-file tests,
    spans.test_regions) is a test: its part is `test_complexity_added` too, and it is never the worst
    while a changed function of the code is. When the new version could not be measured, nothing is counted and
    `error` says why; when only the old one could not, every new function counts as added.
    """
    analyzer = new.analyzer if new is not None else (old.analyzer if old is not None else ANALYZER_SIZE)
    result = FileComplexity(path=path, analyzer=analyzer)
    if new is not None and new.error is not None:
        result.error = new.error
        return result
    if old is not None and old.error == CONTENT_MISSING:  # unknown, not empty: its functions are not all new
        result.error = f"old version {CONTENT_MISSING}: complexity not compared"
        return result
    measured_old = old if old is not None and old.error is None else None
    if old is not None and measured_old is None and new is not None:
        result.error = f"old version not measured ({old.error}): every function counted as new"
    old_functions = measured_old.functions if measured_old is not None else []
    old_mi = measured_old.maintainability if measured_old is not None else None
    new_mi = new.maintainability if new is not None else None
    if old_mi is not None and new_mi is not None:
        result.mi_delta = new_mi - old_mi

    _function_deltas(result, old_functions, new.functions if new is not None else [],
                     sorted(set(touched_lines)) if touched_lines else [], test_regions)
    fallback = (new.fallback if new is not None else None) or (old.fallback if old is not None else None)
    if result.error is None and fallback:
        result.error = fallback  # measured, but not by the usual analyzer: say how
    return result


def _pairs(old_functions: list[FunctionMetric], new_functions: list[FunctionMetric]) -> dict[int, FunctionMetric]:
    """Each new function's old self, keyed by the new one's id(): the same name and body first, then (TypeScript,
    whose functions carry a body digest) the same body under another name - a closure renumbered by one inserted
    above it, a method's body moved into the closure its getter returns (hono pull/4755) - then the same name.
    Without body digests (Python, lizard's languages) this is matching by name alone."""
    by_name = {f.name: f for f in old_functions}
    pairs: dict[int, FunctionMetric] = {}
    taken: set[int] = set()
    for function in new_functions:
        before = by_name.get(function.name)
        if function.body is not None and before is not None and before.body == function.body:
            pairs[id(function)] = before
            taken.add(id(before))
    if any(f.body is not None for f in old_functions):
        by_body: dict[str, list[FunctionMetric]] = {}
        for old in old_functions:
            if old.body is not None and id(old) not in taken:
                by_body.setdefault(old.body, []).append(old)
        for function in new_functions:
            candidates = by_body.get(function.body or "") if id(function) not in pairs else None
            while candidates and id(candidates[0]) in taken:
                candidates.pop(0)
            if candidates:
                pairs[id(function)] = candidates[0]
                taken.add(id(candidates.pop(0)))
    for function in new_functions:
        before = by_name.get(function.name)
        if id(function) not in pairs and before is not None and id(before) not in taken:
            pairs[id(function)] = before
            taken.add(id(before))
    return pairs


def _function_deltas(result: FileComplexity, old_functions: list[FunctionMetric],
                     new_functions: list[FunctionMetric], touched: list[int],
                     test_regions: tuple[tuple[int, int], ...] = ()) -> None:
    """Fill `result` with the per-function moves: added, removed, changed, and the worst one."""
    changed: list[FunctionMetric] = []
    tests: list[FunctionMetric] = []
    pairs = _pairs(old_functions, new_functions)
    for function in new_functions:
        before = pairs.get(id(function))
        added = function.complexity - (before.complexity if before is not None else 0)
        if added > 0:
            result.complexity_added += added
            if any(first <= function.start_line <= last for first, last in test_regions):
                result.test_complexity_added += added
                result.test_functions.append(function.name)
                tests.append(function)
        elif before is not None and function.complexity < before.complexity:
            result.complexity_removed += before.complexity - function.complexity
        elif not _overlaps(function, touched):
            continue
        changed.append(function)
        result.changed_functions.append(
            (function.name, None if before is None else before.complexity, function.complexity))
    kept = {id(f) for f in pairs.values()}
    result.complexity_removed += sum(f.complexity for f in old_functions if id(f) not in kept)
    result.old_only = [f for f in old_functions if id(f) not in kept]
    result.new_only = [f for f in new_functions if id(f) not in pairs]
    for function in new_functions:
        before = pairs.get(id(function))
        if before is not None and _NUMBERED.sub("", before.name) != _NUMBERED.sub("", function.name):
            # renamed, or moved to another class of the file (an overload's renumbering is neither)
            how = (RENAMED if short_name(before.name) != short_name(function.name) else MOVED) \
                if before.body == function.body else RENAMED_EDITED
            result.moves.append(Move(result.path, before.name, result.path, function.name,
                                     min(before.complexity, function.complexity), how))
    test_ids = {id(f) for f in tests}
    code = [f for f in changed if id(f) not in test_ids] or changed
    if code:
        # Highest complexity wins; on a tie the earlier function, so the choice is stable.
        result.worst = min(code, key=lambda f: (-f.complexity, f.start_line, f.name))


# A function found again by name in another file is the same one when this much of its text is alike (difflib's
# ratio of its stripped lines); one found under another name, with the same complexity, when this much.
SIMILAR_SAME_NAME = 0.6
SIMILAR_RENAMED = 0.8
MAX_SIMILARITY_CHECKS = 2_000  # pairs compared by text in one change: a rewrite of hundreds of functions stops here


def credit_moves(results: dict[str, FileComplexity],
                 source: Callable[[str, bool], str | None] | None = None) -> list[Move]:
    """Match the functions `compare` left unmatched across all the files of one change, and stop counting the
    complexity of those found again as added (and of their old selves as removed): a function moved to another
    file (extracted into another class: apache/fineract pr/4121 read CC+ 81 while its files' total went 2,059 ->
    2,081), or renamed so that its body names it. Matched, in order: the same body digest (whitespace and its own
    name aside); then the same name with a similar body (SIMILAR_SAME_NAME); then, with the same complexity, a
    similar body under another name (SIMILAR_RENAMED). `source(path, old)` gives a file's text for the last two
    (None: only digests). Each match credits the smaller of the two complexities: never more than was counted
    added, nor more than was counted removed, so added minus removed (the net) does not move. Returns the moves,
    also kept in each new function's file's `moves`."""
    olds = [(path, f) for path, result in results.items() for f in result.old_only]
    news = [(path, f) for path, result in results.items() for f in result.new_only]
    if not olds or not news:
        return []
    pairs = _pair_by_body(olds, news)
    if source is not None and len(pairs) < min(len(olds), len(news)):
        pairs += _pair_by_text(olds, news, pairs, source)
    moves = [_credit(results, old_path, old, new_path, new, how) for (old_path, old), (new_path, new), how in pairs]
    matched = {id(f) for (_, old), (_, new), _ in pairs for f in (old, new)}
    was: dict[str, dict[str, int]] = {}  # per file, each credited new function's old complexity
    for (_, old), (new_path, new), _ in pairs:
        was.setdefault(new_path, {})[new.name] = old.complexity
    for path, result in results.items():
        result.new_only = [f for f in result.new_only if id(f) not in matched]
        result.old_only = [f for f in result.old_only if id(f) not in matched]
        if path in was:  # a new function now has an old self: (name, old, new)
            result.changed_functions = [(name, was[path].get(name) if before is None else before, after)
                                        for name, before, after in result.changed_functions]
    return moves


def _pair_by_body(olds: list[tuple[str, FunctionMetric]], news: list[tuple[str, FunctionMetric]],
                  ) -> list[tuple[tuple[str, FunctionMetric], tuple[str, FunctionMetric], str]]:
    by_body: dict[str, list[tuple[str, FunctionMetric]]] = {}
    for item in olds:
        if item[1].body is not None:
            by_body.setdefault(item[1].body, []).append(item)
    found = []
    for path, new in news:
        candidates = by_body.get(new.body or "")
        if not candidates:
            continue
        own = short_name(new.name)
        # the same name among the last few first (a pop from the end: linear however many bodies are alike)
        at = next((i for i in range(len(candidates) - 1, max(-1, len(candidates) - 9), -1)
                   if short_name(candidates[i][1].name) == own), len(candidates) - 1)
        chosen = candidates.pop(at)
        found.append((chosen, (path, new), MOVED if short_name(chosen[1].name) == own else RENAMED))
    return found


def _pair_by_text(olds: list[tuple[str, FunctionMetric]], news: list[tuple[str, FunctionMetric]],
                  done: list[tuple[tuple[str, FunctionMetric], tuple[str, FunctionMetric], str]],
                  source: Callable[[str, bool], str | None],
                  ) -> list[tuple[tuple[str, FunctionMetric], tuple[str, FunctionMetric], str]]:
    from difflib import SequenceMatcher

    used = {id(old) for (_, old), _, _ in done} | {id(new) for _, (_, new), _ in done}
    texts: dict[tuple[str, bool], list[str] | None] = {}

    def lines(path: str, function: FunctionMetric, old: bool, names: set[str]) -> list[str] | None:
        """The function's lines without whitespace, and without `names` (its old and new name: a rename of a
        function whose body names it is the same text)."""
        if (path, old) not in texts:
            text = source(path, old)
            texts[(path, old)] = None if text is None else text.split("\n")
        whole = texts[(path, old)]
        if whole is None:
            return None
        body = whole[max(0, function.start_line - 1):max(function.start_line, function.end_line)]
        stripped = (_BLANK_TEXT.sub("", line) for line in body)
        names = {name for name in names if name.isidentifier()}
        if names:
            pattern = re.compile(r"(?<![\w$])(" + "|".join(map(re.escape, sorted(names))) + r")(?![\w$])")
            stripped = (pattern.sub("", line) for line in stripped)
        return [line for line in stripped if line]

    found: list[tuple[tuple[str, FunctionMetric], tuple[str, FunctionMetric], str]] = []
    checks = 0
    # the candidates of each new function: old ones of its name (level 0), else of its complexity (level 1)
    by_name: dict[str, list[tuple[str, FunctionMetric]]] = {}
    by_complexity: dict[int, list[tuple[str, FunctionMetric]]] = {}
    for item in olds:
        if id(item[1]) not in used:
            by_name.setdefault(short_name(item[1].name), []).append(item)
            by_complexity.setdefault(item[1].complexity, []).append(item)
    for level, threshold in ((0, SIMILAR_SAME_NAME), (1, SIMILAR_RENAMED)):
        for new_path, new in news:
            if id(new) in used:
                continue
            own = short_name(new.name)
            for old_path, old in by_name.get(own, []) if level == 0 else by_complexity.get(new.complexity, []):
                if checks >= MAX_SIMILARITY_CHECKS:
                    return found
                if id(old) in used or (level == 1 and short_name(old.name) == own):
                    continue
                checks += 1
                names = {own, short_name(old.name)}
                before, after = lines(old_path, old, True, names), lines(new_path, new, False, names)
                if not before or not after:
                    continue
                matcher = SequenceMatcher(None, before, after, autojunk=False)
                if matcher.real_quick_ratio() >= threshold and matcher.ratio() >= threshold:
                    used.update((id(old), id(new)))
                    found.append(((old_path, old), (new_path, new), MOVED_EDITED if level == 0 else RENAMED_EDITED))
                    break
    return found


def _credit(results: dict[str, FileComplexity], old_path: str, old: FunctionMetric, new_path: str,
            new: FunctionMetric, how: str) -> Move:
    """Count `new` (counted whole as added) as what it grew by from `old` (counted whole as removed)."""
    credited = min(old.complexity, new.complexity)
    into, out_of = results[new_path], results[old_path]
    into.complexity_added -= credited
    if new.name in into.test_functions:  # counted whole in the file's tests too
        into.test_complexity_added -= min(credited, into.test_complexity_added)
    out_of.complexity_removed -= credited
    move = Move(old_path, old.name, new_path, new.name, credited, how)
    into.moves.append(move)
    return move


def _overlaps(function: FunctionMetric, sorted_lines: list[int]) -> bool:
    i = bisect.bisect_left(sorted_lines, function.start_line)
    return i < len(sorted_lines) and sorted_lines[i] <= function.end_line


# --- many files -------------------------------------------------------------------------------

_WorkItem = tuple[str, str, bytes | str]  # (key, path, data)


def analyze_many(
    items: Iterable[_WorkItem],
    workers: int = 2,
    *,
    max_bytes: int = MAX_ANALYSE_BYTES,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    maintainability: bool = True,
    executor: ProcessPoolExecutor | None = None,
    results: dict[str, FileMetrics] | None = None,
) -> dict[str, FileMetrics]:
    """Measure (key, path, data) items, each distinct key once; the result is keyed by key (`results`, an empty
    dict the caller holds, when given: filled as files are measured, another thread may read what is done).

    With `workers` >= 1 and enough work (see PARALLEL_MIN_BYTES) the files are measured in that
    many worker processes, started through a forkserver
    (fork is unsafe in a process running threads, as the TUI does), else in this process. Safe to
    call from any thread; installs no signal handlers here. `progress(done, total)` is called as
    files finish; when `should_stop()` turns true the scan stops and returns what it has. Never
    raises for bad content; if worker processes cannot be used, the rest is measured here.
    `executor` (from app.core.workers.new_pool) is used instead of the process's shared pool.
    """
    unique: dict[str, tuple[str, bytes | str]] = {}
    for key, path, data in items:
        unique.setdefault(key, (path, data))
    total = len(unique)
    results = {} if results is None else results
    # Files counted by size alone cost nothing: they are done here and never sent to a worker.
    to_measure: dict[str, tuple[str, bytes | str]] = {}
    for key, (path, data) in unique.items():
        if analyzer_for(path) == ANALYZER_SIZE or len(data) > max_bytes:
            results[key] = analyze_source(path, data, max_bytes=max_bytes, maintainability=maintainability)
        else:
            to_measure[key] = (path, data)
    if results and progress is not None:
        progress(len(results), total)
    work_bytes = sum(len(data) for _, data in to_measure.values())
    if workers >= 1 and (work_bytes > PARALLEL_MIN_BYTES
                         or (len(to_measure) > PARALLEL_MIN_ITEMS and work_bytes > PARALLEL_MIN_ITEMS_BYTES)):
        batches = _batches(to_measure, max(workers * 4, work_bytes // BATCH_BYTES))
        _run_in_pool(batches, workers, (max_bytes, maintainability), results, total, progress, should_stop,
                     executor)
    for key, (path, data) in to_measure.items():  # everything, or whatever the pool did not finish
        if key in results:
            continue
        if should_stop is not None and should_stop():
            break
        results[key] = analyze_source(path, data, max_bytes=max_bytes, maintainability=maintainability)
        if progress is not None:
            progress(len(results), total)
    return results


def _batches(unique: dict[str, tuple[str, bytes | str]], count: int) -> list[list[_WorkItem]]:
    """Split the work into `count` batches of similar byte size (largest file first, to the lightest batch).

    Batches rather than single files keep the per-task IPC overhead small; several per worker
    keep the workers evenly busy when file sizes differ.
    """
    count = max(1, min(count, len(unique)))
    batches: list[list[_WorkItem]] = [[] for _ in range(count)]
    heap = [(0, i) for i in range(count)]
    for key, (path, data) in sorted(unique.items(), key=lambda kv: (-len(kv[1][1]), kv[0])):
        weight, index = heapq.heappop(heap)
        batches[index].append((key, path, data))
        heapq.heappush(heap, (weight + len(data) + 1_000, index))  # + a fixed cost per file
    return [batch for batch in batches if batch]


def _run_in_pool(batches: list[list[_WorkItem]], workers: int, options: tuple[int, bool],
                 results: dict[str, FileMetrics], total: int, progress: Callable[[int, int], None] | None,
                 should_stop: Callable[[], bool] | None, executor: ProcessPoolExecutor | None = None) -> None:
    """Fill `results` from worker processes (the process's shared pool unless `executor`); on any pool
    failure return early (the caller finishes). On a stop request return at once: the batches queued
    are cancelled, the running ones finish in the background."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from app.core.workers import shared_pool

    pool = executor or shared_pool(workers)
    if pool is None:
        return
    pending: set[Future[list[tuple[str, FileMetrics]]]] = set()
    queue = iter(batches)
    try:
        while True:
            while len(pending) <= workers and (batch := next(queue, None)) is not None:
                pending.add(pool.submit(_analyse_batch, batch, options))
            if not pending or (should_stop is not None and should_stop()):
                break
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                for key, metrics in future.result():
                    results[key] = metrics
                if progress is not None:
                    progress(len(results), total)
    except Exception:
        pass
    finally:
        for future in pending:
            future.cancel()


def _analyse_batch(batch: list[_WorkItem], options: tuple[int, bool]) -> list[tuple[str, FileMetrics]]:
    from app.core.workers import check_parent

    max_bytes, maintainability = options
    out = []
    for key, path, data in batch:
        check_parent()  # not waited for when review-tui exits
        out.append((key, analyze_source(path, data, max_bytes=max_bytes, maintainability=maintainability)))
    return out
