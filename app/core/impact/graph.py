"""Blast radius and untested seams: a dependency graph of the repository at the base commit.

Python is read through its AST: each module's definitions (functions, classes, methods, with their
signatures and a hash of their body), its imports, and the names each definition references. A
reference is resolved through the imports (`from a.b import f`, `import a.b as m; m.f`, relative
imports, package re-exports named or starred, `self.method` inside a class, `Class.ATTR` as the
class) to the symbol it names; calls through an instance of unknown type (`obj.method()`) are not
resolved. JavaScript/TypeScript and Go are read at import level (honest fallback: which file imports
which module; a Go import names a package, a directory, through go.mod's module path), so their changes
get module fan-in; a Go package's tests are its own `_test.go` files (which never import it) and the test files
that import it.

For a change: the public symbols it removes, whose signature it changes, or whose body it changes, and
who depends on them: direct callers, transitive callers (bounded breadth-first walk), across how many
modules and packages. Public: a name without a leading underscore, in any module (`_private` ones
included), or any name another module uses. An untested seam is such a symbol used from another
module that no test module references. The graph is a plain dict (to_dict/from_dict) so the analysis
caches it per base commit.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import posixpath
import re
import sys
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.core.impact import GRAPH_VERSION as GRAPH_VERSION  # the cache format, kept in the package
from app.core.impact.class_names import (
    ALL_WORDS,
    ASSOCIATION_OWNER,
    CS_NAME,
    CS_NAMESPACE_KEY,
    HEIRS_KEY,
    JAVA_PACKAGE_KEY,
    MAX_NAMES,
    MAX_WORDS,
    PSR4_KEY,
    RUBY_SUFFIXES,
    WORDS_KEY,
    ClassFiles,
    csharp_refs,
    java_refs,
    php_refs,
    psr4,
    ruby_refs,
)
from app.core.impact.js_names import file_names, sources
from app.core.impact.members import HEIR, altered_members
from app.core.impact.rust_names import (
    CARGO_FILE,
    CARGO_KEY,
    REEXPORT_OWNER,
    RUST_TESTED_KEY,
    TEST_MODULE_OWNER,
    TEST_OWNER,
    RustFiles,
    cargo_layout,
    exports,
    interface_text,
    reexports,
    rust_refs,
)
from app.core.impact.ts_paths import CONFIG_NAMES as TS_CONFIG_NAMES
from app.core.impact.ts_paths import KEY as TS_CONFIG_KEY
from app.core.impact.ts_paths import Aliases, config_layout
from app.core.memo import ContentMemo, Submit, part, shared_parts
from app.core.pyparse import parse_python
from app.core.text import visible_path

MAX_FILE_BYTES = 1_000_000  # larger source files are generated: not read
MAX_WALK = 5_000  # transitive callers visited per symbol
MAX_REFS_PER_DEF = 2_000
MODULE_LEVEL = "<module>"
FILE_LEVEL = ("file", "package")  # ChangedSymbol.change of an import-level file as a whole (a Go file: its package)
# the owners of references that make a dependent the walk to transitive dependents does not go on from: a Rust file's
# `pub use` (its users name its other items), a Rails association (class_names.py: models reach each other both ways)
WALK_STOPS = (REEXPORT_OWNER, ASSOCIATION_OWNER)
_ASSOCIATED = f":{ASSOCIATION_OWNER}"
PY_SUFFIXES = (".py",)
JS_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")
# read by class_names.py: a file is a class, named by package or namespace (Ruby: by its path, as Zeitwerk loads it)
CLASS_SUFFIXES = (".java", ".php", ".cs", *RUBY_SUFFIXES)
RUST_SUFFIXES = (".rs",)  # read by rust_names.py: a file is a module, named by `use` and `crate::`/`super::` paths
IMPORT_LEVEL_SUFFIXES = (*JS_SUFFIXES, ".go", *CLASS_SUFFIXES, *RUST_SUFFIXES)
GO_TEST_SUFFIX = "_test.go"  # a Go test file: tests the package of its directory
GO_MODULE_FILE = "go.mod"  # read for its `module` path: imports of the module's packages resolve through it
COMPOSER_FILE = "composer.json"  # read for its PSR-4 prefixes: a PHP class's file
# read for where the code's names lead, not for names of their own (TypeScript's configs: their path aliases)
LAYOUT_FILES = (GO_MODULE_FILE, COMPOSER_FILE, CARGO_FILE, *TS_CONFIG_NAMES)
GRAPH_SUFFIXES = PY_SUFFIXES + IMPORT_LEVEL_SUFFIXES + LAYOUT_FILES
_GO_MODULE_KEY = "<go module>"  # a go.mod's summary: imports[_GO_MODULE_KEY] is its module path
_GO_MODULE_LINE = re.compile(r"^\s*module\s+\"?([^\s\"/][^\s\"]*)\"?", re.M)
_TEST_PATH = re.compile(
    r"(^|/)(tests?|__tests__|testing|spec)/|(^|/)test_[^/]*\.py$|_test\.(py|go)$"
    r"|\.(test|spec)\.[jt]sx?$|_(test|spec)\.rb$|(^|/)conftest\.py$|[a-z0-9]Tests?\.(java|php|cs)$|[a-z0-9]IT\.java$"
)
# a Rails test that renders a controller's views through its routes (graph._link_view_tests)
_RAILS_VIEW_TEST = re.compile(r"(?P<root>(?:.*/)?)(?:test|spec)/(?:controllers|requests|system|features)/"
                              r"(?P<dir>.+?)(?:_controller)?_(?:test|spec)\.rb$")
_JS_TEST_NAME = re.compile(r"\.(?:test|spec)\.[cm]?[jt]sx?$")  # `documents.test.ts`: tests documents.ts beside it
# what `dotnet ef migrations add` writes beside a migration (planner/model.py EF_MODEL_GLOBS): the whole model again
# for each migration, no type anyone names; bitwarden/server's 925 of them hold 1.1M of its 1.9M C# lines, which put
# its graph over the analysis's line bound (QA62)
_EF_MODEL = re.compile(r"(^|/)Migrations/[^/]*(?:\.Designer\.cs|ModelSnapshot\.cs)$")


def graph_entries(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (path, blob) entries a graph reads: EF Core's generated model files left out."""
    return [entry for entry in entries if not _EF_MODEL.search(entry[0])]


_TS_SOURCES = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
_GO_IMPORT_BLOCK = re.compile(r"^import\s*\((.*?)^\)", re.S | re.M)
_GO_IMPORT = re.compile(r'^import\s+(?:\w+\s+)?"([^"]+)"', re.M)


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


def module_name(path: str) -> str:
    """`src/pkg/mod.py` -> `pkg.mod`; `pkg/__init__.py` -> `pkg`; other languages keep their path."""
    if not path.endswith(".py"):
        return path
    parts = path[:-3].split("/")
    if parts and parts[0] in ("src", "lib", "python"):
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or path


def display_id(sid: str) -> str:
    """"pkg.mod:Class.method" -> "pkg.mod.Class.method"; a module's top level ("pkg.mod:<module>") -> "pkg.mod"."""
    module, _, qual = sid.partition(":")
    return module if qual in (MODULE_LEVEL, *WALK_STOPS) else f"{module}.{qual}" if qual else module


def package_of(module: str) -> str:
    """The package a module belongs to (the directory, for import-level files)."""
    if "/" in module:
        return posixpath.dirname(module) or "."
    return module.rsplit(".", 1)[0] if "." in module else module


# ==================================================================================================
# one file
# ==================================================================================================


@dataclass
class Definition:
    qual: str  # "func", "Class", "Class.method"
    kind: str  # function | class | method
    line: int
    end_line: int
    signature: str
    body: str  # a short hash of the body's AST (line numbers excluded)


@dataclass
class FileSummary:
    """What the graph needs from one source file."""

    path: str
    module: str
    is_test: bool
    defs: list[Definition] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> "module" or "module:name"
    refs: list[tuple[str, str]] = field(
        default_factory=list
    )  # (referencing def qual or <module>, dotted name)
    error: str | None = None
    stars: list[str] = field(default_factory=list)  # modules imported with `from m import *`
    # (importing def qual or <module>, "module" or "module:name"): the imports that run unguarded, so
    # fail when the module is gone (not those under `try: ... except ImportError` or `if TYPE_CHECKING:`)
    module_imports: list[tuple[str, str]] = field(default_factory=list)
    # JavaScript/TypeScript (js_names.py): (specifier, name imported from it; "*" all of it), and (exported
    # name, specifier, its name there; specifier "" for one declared here): a barrel's re-exports
    js_imports: list[tuple[str, str]] = field(default_factory=list)
    js_exports: list[tuple[str, str, str]] = field(default_factory=list)

    def to_list(self) -> list[Any]:
        return [
            self.path,
            self.module,
            self.is_test,
            [[d.qual, d.kind, d.line, d.end_line, d.signature, d.body] for d in self.defs],
            self.imports,
            [list(r) for r in self.refs],
            self.error,
            self.stars,
            [list(i) for i in self.module_imports],
            [list(i) for i in self.js_imports],
            [list(e) for e in self.js_exports],
        ]

    @classmethod
    def from_list(cls, data: list[Any]) -> FileSummary:
        """The summary of a row (to_list's). Its names are interned: the same qualified names, kinds and imported
        names recur across a project's files, and a row read from JSON or a worker holds a string per use
        (saleor's 4,338 summaries: 150 -> 76 MB)."""
        return cls(
            data[0],
            _interned(data[1]),
            data[2],
            [Definition(_interned(d[0]), _interned(d[1]), *d[2:]) for d in data[3]],
            {_interned(k): _interned(v) for k, v in data[4].items()},
            [(_interned(r[0]), _interned(r[1])) for r in data[5]],
            data[6],
            [_interned(m) for m in data[7]],
            [(_interned(i[0]), _interned(i[1])) for i in data[8]],
            [(i[0], i[1]) for i in data[9]],
            [(e[0], e[1], e[2]) for e in data[10]],
        )


def _interned(value: Any) -> Any:
    """The one copy of a string (sys.intern); anything else as it is."""
    return sys.intern(value) if type(value) is str else value


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    if isinstance(node, ast.ClassDef):
        return "(" + ", ".join(ast.unparse(b) for b in node.bases) + ")"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"({ast.unparse(node.args)}){returns}"


def _body_hash(lines: list[bytes], start: int, end: int, skip: Collection[int] = (),
               in_strings: Collection[int] = ()) -> str:
    """A hash of a definition's source lines with indentation, blank lines, the lines of `skip` (its
    docstring) and whole-line comments dropped, but not a line of `in_strings` (inside a string literal
    that spans lines, where "#" is text): far cheaper than dumping its AST, and a moved definition, or one
    whose docstring or comments alone changed, keeps its hash (click's "Fix docs and changelog" counted as
    rewriting echo, and 56 definitions as its blast radius)."""
    digest = hashlib.blake2b(digest_size=8)
    for number, line in enumerate(lines[start - 1 : end], start):
        stripped = line.strip()
        if not stripped or number in skip or (stripped.startswith(b"#") and number not in in_strings):
            continue
        digest.update(stripped)
        digest.update(b"\n")
    return digest.hexdigest()


def _docstring_lines(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> range:
    first = node.body[0] if node.body else None
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return range(first.lineno, (first.end_lineno or first.lineno) + 1)
    return range(0)


def _string_lines(node: ast.AST) -> set[int]:
    """Lines after the first of each string literal that spans lines: a "#" there is text."""
    inside: set[int] = set()
    for child in ast.walk(node):
        if isinstance(child, (ast.Constant, ast.JoinedStr)) and (child.end_lineno or 0) > child.lineno:
            inside.update(range(child.lineno + 1, (child.end_lineno or child.lineno) + 1))
    return inside


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute) and len(parts) < 4:
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


# an import under `try:` with one of these handlers is optional: its module being gone breaks nothing
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((_dotted(t) or "").rsplit(".", 1)[-1] in _IMPORT_ERRORS for t in types)


def _bound_names(target: ast.expr) -> list[str]:
    """The names an assignment target binds: `A`, `A, B`, `[A, *rest]` (not `obj.attr` or `a[0]`)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for elt in target.elts for name in _bound_names(elt)]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    return []


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)] if level - 1 <= len(base) else []
    return ".".join([*base, *([target] if target else [])])


class _Collector(ast.NodeVisitor):
    """Definitions, imports and the names each definition references, in one walk."""

    def __init__(self, summary: FileSummary, is_package: bool, lines: list[bytes]) -> None:
        self.summary = summary
        self.lines = lines
        self.is_package = is_package
        self.scope: list[str] = []  # enclosing top-level def / class.method
        self.classes: list[str] = []
        self.counts: dict[str, int] = {}
        self.guarded = 0  # inside `try: ... except ImportError` or `if TYPE_CHECKING:`: imports there are optional
        self.variables: dict[str, Definition] = {}  # module-level names bound by assignment
        self.string_lines: set[int] = set()  # `_in_string`: every string's so far
        self._dispatch: dict[type, Callable[[Any], None]] = {}

    _SKIP_FIELDS = frozenset({"ctx", "type_comment", "kind"})

    def visit(self, node: ast.AST) -> None:
        # A dispatch table and a field walk that skips contexts and constants: the stock NodeVisitor
        # spends most of a large repository's build time in generic_visit and visit_Constant.
        method = self._dispatch.get(type(node))
        if method is None:
            method = getattr(self, f"visit_{type(node).__name__}", None) or self.generic_visit
            self._dispatch[type(node)] = method
        method(node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            if name in self._SKIP_FIELDS:
                continue
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.Constant):
                        if (item.end_lineno or 0) > item.lineno:
                            self._in_string(item)
                    elif isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.Constant):
                if (value.end_lineno or 0) > value.lineno:
                    self._in_string(value)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if (node.end_lineno or 0) > node.lineno:
            self._in_string(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if (node.end_lineno or 0) > node.lineno:
            self._in_string(node)
        self.generic_visit(node)

    def _in_string(self, node: ast.Constant | ast.JoinedStr) -> None:
        """Note the lines after the first of a string literal that spans lines (`_string_lines`, read
        while the walk passes instead of by a walk of each definition that has a comment line)."""
        self.string_lines.update(range(node.lineno + 1, (node.end_lineno or node.lineno) + 1))

    def _owner(self) -> str:
        return self.scope[-1] if self.scope else MODULE_LEVEL

    def _imports_module(self, target: str) -> None:
        if not self.guarded:
            self.summary.module_imports.append((self._owner(), target))

    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        guarded = any(_catches_import_error(h) for h in node.handlers)
        self.guarded += guarded
        for child in node.body:
            self.visit(child)
        self.guarded -= guarded
        for other in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(other)

    def visit_TryStar(self, node: ast.TryStar) -> None:
        self.visit_Try(node)

    def visit_If(self, node: ast.If) -> None:
        if (_dotted(node.test) or "").rsplit(".", 1)[-1] != "TYPE_CHECKING":
            self.generic_visit(node)
            return
        self.guarded += 1  # imports for annotations only: never run
        for child in node.body:
            self.visit(child)
        self.guarded -= 1
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._imports_module(alias.name)
            if alias.asname:
                self.summary.imports[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.summary.imports.setdefault(root, root)
                self.summary.imports[alias.name] = alias.name  # `import a.b` then `a.b.f()`

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = node.module or ""
        if node.level:
            source = _resolve_relative(self.summary.module, self.is_package, node.level, node.module)
        for alias in node.names:
            self._imports_module(source if alias.name == "*" else f"{source}:{alias.name}")
            if alias.name == "*":
                self.summary.stars.append(source)
            else:
                self.summary.imports[alias.asname or alias.name] = f"{source}:{alias.name}"

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, kind: str) -> None:
        if len(self.scope) > 1 or (self.scope and not self.classes):
            self.generic_visit(node)  # nested functions belong to their enclosing definition
            return
        qual = f"{self.classes[-1]}.{node.name}" if self.classes else node.name
        end = getattr(node, "end_lineno", None) or node.lineno
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        definition = Definition(qual, "method" if self.classes and kind == "function" else kind, start, end,
                                _signature(node), "")
        self.summary.defs.append(definition)
        self.scope.append(qual)
        if kind == "class":
            self.classes.append(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        for child in node.body if isinstance(node, ast.ClassDef) else [node.args, *node.body]:
            self.visit(child)
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                self.visit(base)
        if kind == "class":
            self.classes.pop()
        self.scope.pop()
        # Its body's hash once its strings are known: a line that looks like a comment is text inside one.
        # A string's lines are those of the statement it is in, so the file's strings that reach into the
        # definition's lines are its own; those of the parts the walk above leaves out are walked here.
        in_strings: Collection[int] = ()
        if any(line.lstrip().startswith(b"#") for line in self.lines[start - 1 : end]):
            left_out = [*node.keywords] if isinstance(node, ast.ClassDef) else [node.returns] if node.returns else []
            in_strings = self.string_lines.union(*(_string_lines(part) for part in left_out))
        definition.body = _body_hash(self.lines, start, end, _docstring_lines(node), in_strings)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._define(node, "function")

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._define(node, "function")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.scope and not self.classes:
            self.generic_visit(node)
            return
        self._define(node, "class")

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assign(node, node.targets)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assign(node, [node.target] if node.value is not None else [])

    def _assign(self, node: ast.Assign | ast.AnnAssign, targets: list[ast.expr]) -> None:
        """A module-level assignment defines its names (constants, aliases, instances), and what its
        value references is theirs, as a function's body is the function's."""
        names = [] if self.scope else [name for target in targets for name in _bound_names(target)]
        if not names:
            self.generic_visit(node)
            return
        end = getattr(node, "end_lineno", None) or node.lineno
        body = _body_hash(self.lines, node.lineno, end)
        for name in names:
            known = self.variables.get(name)
            if known is None:
                self.variables[name] = Definition(name, "variable", node.lineno, end, "", body)
            else:  # bound again (if/else, try/except): one symbol over every binding
                known.end_line = max(known.end_line, end)
                known.body = hashlib.blake2b(f"{known.body}{body}".encode(), digest_size=8).hexdigest()
        self.scope.append(names[0])
        self.generic_visit(node)
        self.scope.pop()

    def finish(self) -> None:
        """The module-level names become definitions, but for a name that is also a def, a class or an
        import (`try: import json except ImportError: json = None`): that one keeps resolving as before,
        and what its assignments reference belongs to the module."""
        taken = {d.qual.split(".")[0] for d in self.summary.defs} | set(self.summary.imports)
        self.summary.defs.extend(d for name, d in self.variables.items() if name not in taken)
        if taken & self.variables.keys():
            self.summary.refs = [(MODULE_LEVEL if owner in taken and owner in self.variables else owner, name)
                                 for owner, name in self.summary.refs]

    def _ref(self, name: str) -> None:
        owner = self._owner()
        count = self.counts.get(owner, 0)
        if count < MAX_REFS_PER_DEF:
            self.counts[owner] = count + 1
            self.summary.refs.append((owner, name))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = _dotted(node)
        if name is not None:
            if name.startswith(("self.", "cls.")) and self.scope and "." in self.scope[-1]:
                self._ref(f"{self.scope[-1].split('.')[0]}.{name.split('.')[1]}")
            else:
                self._ref(name)
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._ref(node.id)


def summarise_python(path: str, data: bytes, tree: Any = None) -> FileSummary:
    """Definitions, imports and references of one Python file (a syntax error leaves it empty). `tree`:
    complexity.python_tree(data), for a caller that parsed it already."""
    module = module_name(path)
    summary = FileSummary(path, module, is_test_path(path))
    if len(data) > MAX_FILE_BYTES:
        summary.error = "too large"
        return summary
    try:
        if tree is None:
            tree = parse_python(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        summary.error = exc.__class__.__name__
        return summary
    try:
        collector = _Collector(summary, path.endswith("__init__.py"), data.split(b"\n"))
        collector.visit(tree)
        collector.finish()
    except RecursionError:
        summary.error = "RecursionError"
    summary.refs = list(dict.fromkeys(summary.refs))
    return summary


def summarise_import_level(path: str, data: bytes) -> FileSummary:
    """A JavaScript/TypeScript or Go file at import level: the modules it imports."""
    summary = FileSummary(path, path, is_test_path(path))
    if len(data) > MAX_FILE_BYTES:
        summary.error = "too large"
        return summary
    text = data.decode("utf-8", errors="replace")
    if path.endswith(".java"):
        package, targets, summary.stars, written = java_refs(path, text)
        summary.imports[WORDS_KEY] = " ".join(written)
        summary.imports[JAVA_PACKAGE_KEY] = package
        summary.refs = [(MODULE_LEVEL, target) for target in targets]
        return summary
    if path.endswith(".php"):
        summary.refs = [(MODULE_LEVEL, target) for target in php_refs(path, text)]
        return summary
    if path.endswith(RUST_SUFFIXES):
        summary.refs, own_tests = rust_refs(text)
        summary.imports.update(exports(text))  # its re-exports and items: what a glob of it brings
        if own_tests:
            summary.imports[RUST_TESTED_KEY] = "1"
        return summary
    if path.endswith(RUBY_SUFFIXES):
        summary.refs, written, heirs = ruby_refs(path, data)
        summary.imports[WORDS_KEY] = " ".join(written)
        if heirs:
            summary.imports[HEIRS_KEY] = "\n".join(heirs)
        return summary
    if path.endswith(".cs"):
        namespace, targets, summary.stars = csharp_refs(path, text)
        summary.imports[CS_NAMESPACE_KEY] = namespace
        summary.refs = [(MODULE_LEVEL, target) for target in targets]
        return summary
    if path.endswith(".go"):
        targets = [m.group(1) for m in _GO_IMPORT.finditer(text)]
        for block in _GO_IMPORT_BLOCK.finditer(text):
            targets += re.findall(r'"([^"]+)"', block.group(1))
    else:
        summary.js_imports, summary.js_exports = file_names(text)
        targets = list(dict.fromkeys(spec for spec, _ in summary.js_imports))
    for target in targets:
        summary.imports[target] = target
        summary.refs.append((MODULE_LEVEL, target))
    return summary


def is_summarised(path: str) -> bool:
    """Whether `summarise` reads this file (GRAPH_SUFFIXES also matches `x.go.mod`, which it does not)."""
    return path.endswith(PY_SUFFIXES + IMPORT_LEVEL_SUFFIXES) or posixpath.basename(path) in LAYOUT_FILES


def summarise(path: str, data: bytes) -> FileSummary | None:
    if path.endswith(PY_SUFFIXES):
        return summarise_python(path, data)
    if path.endswith(IMPORT_LEVEL_SUFFIXES):
        return summarise_import_level(path, data)
    if posixpath.basename(path) == GO_MODULE_FILE:
        summary = FileSummary(path, path, False)
        found = _GO_MODULE_LINE.search(data[:MAX_FILE_BYTES].decode("utf-8", errors="replace"))
        if found:
            summary.imports[_GO_MODULE_KEY] = found.group(1)
        return summary
    if posixpath.basename(path) == COMPOSER_FILE:
        summary = FileSummary(path, path, False)
        summary.imports.update(psr4(path, data[:MAX_FILE_BYTES]))
        return summary
    if posixpath.basename(path) in TS_CONFIG_NAMES:
        summary = FileSummary(path, path, False)
        summary.imports.update(config_layout(path, data[:MAX_FILE_BYTES]))
        return summary
    if posixpath.basename(path) == CARGO_FILE:
        summary = FileSummary(path, path, False)
        summary.imports.update(cargo_layout(path, data[:MAX_FILE_BYTES]))
        return summary
    return None


def is_layout(summary: FileSummary) -> bool:
    """A go.mod's, composer.json's, tsconfig.json's or Cargo.toml's summary: where the code's names lead (the
    resolver reads them first)."""
    return (_GO_MODULE_KEY in summary.imports or TS_CONFIG_KEY in summary.imports
            or any(key.startswith((PSR4_KEY, CARGO_KEY)) for key in summary.imports))


def go_package(path: str) -> str:
    """The graph's id of the Go package a .go file belongs to (its directory): Go code imports packages,
    not files, so every file of a package has the package's importers."""
    return f"go:{posixpath.dirname(path)}"


def summarise_batch(items: Sequence[tuple[str, bytes]]) -> list[list[Any]]:
    """Summaries of many files as plain lists (what a worker process sends back)."""
    from app.core.workers import check_parent

    out = []
    for path, data in items:
        check_parent()  # a batch takes a second or so: not waited for when review-tui exits
        summary = summarise(path, data)
        if summary is not None:
            out.append(summary.to_list())
    return out


# ==================================================================================================
# the graph
# ==================================================================================================


@dataclass
class Symbol:
    id: str  # "module:qual"
    path: str
    kind: str
    line: int
    end_line: int
    signature: str
    body: str

    @property
    def module(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def qual(self) -> str:
        return self.id.split(":", 1)[1]

    @property
    def public(self) -> bool:
        """No part of its own name is private (`_helper`, `Class._method`). Its module's name does not
        count: a `_module`'s names belong to its package, whose other modules use them and whose
        `__init__` re-exports them (httpx, attrs keep all their code in `_module`s)."""
        return not any(
            part.startswith("_") and not (part.startswith("__") and part.endswith("__"))
            for part in self.qual.split(".")
        )


_NONE: frozenset[str] = frozenset()  # what a question answers with nothing found


@dataclass
class Graph:
    """Who references whom, at one commit."""

    symbols: dict[str, Symbol] = field(default_factory=dict)
    callers: dict[str, set[str]] = field(default_factory=dict)  # symbol or module id -> referencing ids
    tests: dict[str, set[str]] = field(default_factory=dict)  # symbol id -> test modules referencing it
    modules: dict[str, str] = field(default_factory=dict)  # module -> path
    files: int = 0
    lines: int = 0
    unparsed: list[str] = field(default_factory=list)
    # Python module -> the ids ("module:qual" or "module:<module>") whose unguarded import of it fails
    # when it is gone, tests included
    importers: dict[str, set[str]] = field(default_factory=dict)
    # (path, imports) of the go.mod, composer.json and Cargo.toml summaries (is_layout): where the names of a file
    # outside the graph lead (referenced_by: a Rust test the change adds names its crate by Cargo.toml's name)
    layouts: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # test code its path does not say is test code: a Rust module declared under `#[cfg(test)]` (mark_test_modules)
    test_files: set[str] = field(default_factory=set)
    # a C# file -> the capitalised words it writes (class_names.csharp_refs), a Java or Ruby file -> every word
    # (java_refs, ruby_refs; a Ruby file's read with its kin's, names_any; ALL_WORDS: too many kept): which of a
    # type's dependents name the members a change alters (members.py)
    words: dict[str, frozenset[str]] = field(default_factory=dict)
    # a Rust file -> the ids whose paths went through its `pub use` to another file: its dependents only when the
    # change alters what it re-exports (rust_names.py)
    through: dict[str, set[str]] = field(default_factory=dict)
    # a Ruby file -> the files of the constants it derives from or mixes in (`< Account`, `include Syncable`)
    heirs: dict[str, set[str]] = field(default_factory=dict)
    # path -> its symbols, built on the first symbols_in: a scan of every symbol per changed file cost
    # 1.1 s of a cold analysis of the ansible scenario (40,000 symbols, 3,000 file versions)
    _by_path: dict[str, list[Symbol]] | None = field(default=None, init=False, repr=False, compare=False)
    _outside: _Resolver | None = field(default=None, init=False, repr=False, compare=False)  # referenced_by's
    _down: dict[str, set[str]] | None = field(default=None, init=False, repr=False, compare=False)  # heirs reversed

    # -- building ----------------------------------------------------------------------------------
    @classmethod
    def build(cls, summaries: Iterable[FileSummary], lines: int = 0) -> Graph:
        graph = cls(lines=lines)
        summaries = list(summaries)
        graph.files = len(summaries)
        graph.layouts = [(s.path, dict(s.imports)) for s in summaries if is_layout(s)]
        for summary in summaries:
            graph.modules[summary.module] = summary.path
            if summary.error:
                graph.unparsed.append(summary.path)
            for d in summary.defs:
                sid = f"{summary.module}:{d.qual}"
                graph.symbols[sid] = Symbol(
                    sid, summary.path, d.kind, d.line, d.end_line, d.signature, d.body
                )
        resolver = _Resolver(graph, {s.module: s for s in summaries})
        graph.test_files = mark_test_modules(resolver, summaries)
        for summary in summaries:
            graph._link(resolver, summary, summary.refs)
            graph._link_imports(resolver, summary)
        graph._link_reexports(resolver, summaries)
        graph._link_go_tests(summaries)
        graph._link_js_tests(summaries)
        graph._link_view_tests(summaries)
        graph._link_heirs(resolver, summaries)
        return graph

    def _link(self, resolver: _Resolver, summary: FileSummary, refs: Iterable[tuple[str, str]]) -> None:
        """Add who these references of one file name (its callers and tests)."""
        local_defs = {d.qual for d in summary.defs}
        if summary.path.endswith(".cs"):
            words = [name[len(CS_NAME):] for _, name in summary.refs if name.startswith(CS_NAME)]
            self.words[summary.path] = frozenset([*words, ALL_WORDS] if len(words) >= MAX_NAMES else words)
        elif summary.path.endswith((".java", *RUBY_SUFFIXES)):
            words = summary.imports.get(WORDS_KEY, "").split()
            self.words[summary.path] = frozenset([*words, ALL_WORDS] if len(words) >= MAX_WORDS else words)
        rust = summary.path.endswith(RUST_SUFFIXES)
        for owner, name in refs:
            target = resolver.resolve(summary, local_defs, name)
            if target is None or owner == TEST_MODULE_OWNER:  # `#[cfg(test)] mod x;` declares test code
                continue
            caller = f"{summary.module}:{owner}"
            if rust and owner != TEST_OWNER:
                for passed in resolver.rust_passed:
                    self.through.setdefault(passed, set()).add(caller)
            for each in (target, *resolver.also):  # a Rust glob import's re-exports, a view's other formats too
                self._add_caller(summary, owner, each)

    def _add_caller(self, summary: FileSummary, owner: str, target: str) -> None:
        caller = f"{summary.module}:{owner}"
        if target == caller:
            return
        if owner == TEST_OWNER:  # a Rust file's own tests (`#[cfg(test)] mod tests`): they test it, call nothing
            self.tests.setdefault(target, set()).add(summary.module)
            return
        callers = self.callers.setdefault(target, set())
        if owner in WALK_STOPS and f"{summary.module}:{MODULE_LEVEL}" in callers:
            return  # a file that uses what it re-exports, or names a model it associates, is a dependent as any
        if owner not in WALK_STOPS:
            callers.difference_update([f"{summary.module}:{stop}" for stop in WALK_STOPS])
        callers.add(caller)
        if summary.is_test:
            self.tests.setdefault(target, set()).add(summary.module)

    def _link_reexports(self, resolver: _Resolver, summaries: Sequence[FileSummary]) -> None:
        """A JavaScript/TypeScript test that imports a name from a barrel (`import { streamSSE } from '.'`,
        the index saying `export { streamSSE } from './sse'`) tests the files the barrel re-exports it
        from, a few barrels deep (js_names.sources), as a Python test of a name a package re-exports does."""
        exports = {s.path: s.js_exports for s in summaries if s.js_exports}
        if not exports:
            return
        tests = [s for s in summaries if s.is_test and s.js_imports]
        by_path = {s.path: s for s in summaries if s.js_exports}

        def resolve(path: str, spec: str) -> str | None:
            summary = by_path.get(path)
            return None if summary is None else resolver.import_level(summary, spec)

        for test in tests:
            for spec, name in test.js_imports:
                barrel = resolver.import_level(test, spec)
                if barrel is None:
                    continue
                for module in sources(barrel, name, exports, resolve):
                    if module != test.module:
                        self.tests.setdefault(module, set()).add(test.module)

    def _link_js_tests(self, summaries: Iterable[FileSummary]) -> None:
        """A JavaScript/TypeScript `name.test.ts` or `name.spec.ts` tests the `name.ts` (any JS suffix) beside it, or
        in the directory above its `__tests__/`: outline's API tests (documents.test.ts beside documents.ts) call
        the routes through a test server and import nothing of them: each read "an untested seam ... no test
        references it" beside its own test (QA63)."""
        summaries = list(summaries)
        paths = {s.path for s in summaries}
        for summary in summaries:
            found = _JS_TEST_NAME.search(summary.path)
            if found is None:
                continue
            folder, stem = posixpath.split(summary.path[:found.start()])
            if posixpath.basename(folder) == "__tests__":
                folder = posixpath.dirname(folder)
            for suffix in JS_SUFFIXES:
                tested = posixpath.join(folder, stem + suffix)
                if tested in paths:
                    self.tests.setdefault(tested, set()).add(summary.module)

    def _link_heirs(self, resolver: _Resolver, summaries: Iterable[FileSummary]) -> None:
        """Keep the files each Ruby file derives from or mixes in (Graph.heirs)."""
        for summary in summaries:
            for name in summary.imports.get(HEIRS_KEY, "").splitlines():
                target = resolver.import_level(summary, name)
                path = self.modules.get(target.split(":", 1)[0]) if target else None
                if path is not None and path != summary.path:
                    self.heirs.setdefault(summary.path, set()).add(path)

    def _link_view_tests(self, summaries: Iterable[FileSummary]) -> None:
        """A Rails controller, request or system test (`test/controllers/accounts_controller_test.rb`,
        `spec/requests/accounts_spec.rb`, `test/system/accounts_test.rb`) tests the views of its controller's
        directory (`app/views/accounts/`): it renders them through routes and names none, so each partial a change
        touched read "an untested seam" (maybe-finance/maybe pr/2449: 5 of them, QA65)."""
        views: dict[str, list[str]] = {}  # a views directory -> its ERB files
        tests = []
        for summary in summaries:
            if summary.path.endswith(".erb"):
                views.setdefault(posixpath.dirname(summary.path), []).append(summary.path)
            elif (found := _RAILS_VIEW_TEST.match(summary.path)) is not None:
                tests.append((summary.module, f"{found.group('root')}app/views/{found.group('dir')}"))
        for test, directory in tests:
            for view in views.get(directory, ()):
                self.tests.setdefault(view, set()).add(test)

    def _link_go_tests(self, summaries: Iterable[FileSummary]) -> None:
        """A Go `_test.go` file tests the package of its directory: Go's own unit tests are `package p`
        beside the code (or `package p_test`, the only other name the directory may hold), and never import
        the package they test, so at import level they were no test of it: lazygit's 1,130 of 1,576 "untested
        seams" had tests beside them (QA52 #3). A Rust file that holds its own tests (`#[cfg(test)] mod tests`,
        `#[test]`) is tested by them, as rustc's unit tests live in the file they test."""
        for summary in summaries:
            if summary.path.endswith(GO_TEST_SUFFIX):
                self.tests.setdefault(go_package(summary.path), set()).add(summary.module)
            elif RUST_TESTED_KEY in summary.imports:
                self.tests.setdefault(summary.path, set()).add(summary.module)

    def _link_imports(self, resolver: _Resolver, summary: FileSummary) -> None:
        """Add the modules one file imports unguarded (their importers)."""
        for owner, imported in summary.module_imports:
            module = resolver.imported_module(imported)
            if module is not None and module != summary.module:
                self.importers.setdefault(module, set()).add(f"{summary.module}:{owner}")

    # -- caching -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": GRAPH_VERSION,
            "files": self.files,
            "lines": self.lines,
            "unparsed": self.unparsed,
            "modules": self.modules,
            "symbols": {
                s.id: [s.path, s.kind, s.line, s.end_line, s.signature, s.body] for s in self.symbols.values()
            },
            "callers": {k: sorted(v) for k, v in self.callers.items()},
            "tests": {k: sorted(v) for k, v in self.tests.items()},
            "importers": {k: sorted(v) for k, v in self.importers.items()},
            "layouts": [[path, imports] for path, imports in self.layouts],
            "test_files": sorted(self.test_files),
            "words": {path: sorted(words) for path, words in self.words.items()},
            "through": {path: sorted(ids) for path, ids in self.through.items()},
            "heirs": {path: sorted(paths) for path, paths in self.heirs.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Graph:
        if data.get("version") != GRAPH_VERSION:
            raise ValueError("graph cache of another version")
        return cls(
            {sid: Symbol(sid, *values) for sid, values in data["symbols"].items()},
            {k: set(v) for k, v in data["callers"].items()},
            {k: set(v) for k, v in data["tests"].items()},
            dict(data["modules"]),
            int(data["files"]),
            int(data["lines"]),
            list(data["unparsed"]),
            {k: set(v) for k, v in data["importers"].items()},
            [(str(path), dict(imports)) for path, imports in data.get("layouts", ())],
            {str(path) for path in data.get("test_files", ())},
            {str(path): frozenset(words) for path, words in data.get("words", {}).items()},
            {str(path): set(ids) for path, ids in data.get("through", {}).items()},
            {str(path): set(paths) for path, paths in data.get("heirs", {}).items()},
        )

    whole = True  # every file read: cached per commit as the commit's graph (lazy_graph.py's is not)

    # -- questions ---------------------------------------------------------------------------------
    # Every question goes through these methods: a graph read as far as the questions need
    # (lazy_graph.py) completes what they ask for first.
    def callers_of(self, target: str) -> AbstractSet[str]:
        """The ids that reference `target` (a symbol, or an import-level module)."""
        return self.callers.get(target, _NONE)

    def tests_of(self, sid: str) -> AbstractSet[str]:
        """The test modules that reference this symbol."""
        return self.tests.get(sid, _NONE)

    def importers_of(self, module: str) -> AbstractSet[str]:
        """The ids whose unguarded import of this Python module fails when it is gone."""
        return self.importers.get(module, _NONE)

    def _ahead(self, queue: deque[str], module: bool) -> None:
        """Called before each step of a walk with what is queued: nothing to do for a whole graph."""

    def referenced_by(self, summary: FileSummary) -> set[str]:
        """The graph's symbols and import-level targets that a file which is none of the graph's (a test the
        change adds) references. A cached graph keeps no summaries, so this follows no re-export; a graph
        read lazily (lazy_graph.py) does. Both know the layout files (`layouts`: a crate's name, go.mod's module)."""
        if self._outside is None:  # indexing every module's name suffixes: once per graph, not per file
            resolver = _Resolver.__new__(_Resolver)
            resolver.by_module = {}
            resolver._index(self, self.modules, [FileSummary(p, p, False, imports=i) for p, i in self.layouts])
            self._outside = resolver
        return _targets(self._outside, summary)

    def symbols_in(self, path: str) -> list[Symbol]:
        if self._by_path is None:
            by_path: dict[str, list[Symbol]] = {}
            for symbol in self.symbols.values():
                by_path.setdefault(symbol.path, []).append(symbol)
            self._by_path = by_path
        module = module_name(path)
        return [s for s in self._by_path.get(path, ()) if s.module == module]

    def used_elsewhere(self, sid: str) -> bool:
        """Whether code in another module, tests aside, references this symbol."""
        own = sid.split(":", 1)[0]
        return any(
            module != own and not self.is_test_module(module)
            for module in (caller.split(":", 1)[0] for caller in self.callers_of(sid))
        )

    def names_any(self, path: str, words: AbstractSet[str]) -> bool:
        """Whether the C#, Java or Ruby file `path` writes one of these words (one whose words are unknown: yes); a
        Ruby file, or one of the files it derives from, mixes in or is mixed into, each way over and over: their code
        runs with its objects (a controller's `EntryableResource` concern calls `@entry.save` on the builder the
        controller names; a subclass calls `sync_cache.get_valuation` on the cache its base class builds)."""
        return any(self.writes_any(kin, words) for kin in (path, *self.kin(path)))

    def writes_any(self, path: str, words: AbstractSet[str]) -> bool:
        """Whether the file `path` itself writes one of these words (one whose words are unknown: yes)."""
        written = self.words.get(path)
        return written is None or ALL_WORDS in written or not written.isdisjoint(words)

    def kin(self, path: str, *, up_only: bool = False) -> set[str]:
        """The files a Ruby file derives from or mixes in, theirs, and so on; and (not `up_only`) the files deriving
        from it or mixing it in, and so on."""
        if self._down is None:
            down: dict[str, set[str]] = {}
            for heir, ancestors in self.heirs.items():
                for ancestor in ancestors:
                    down.setdefault(ancestor, set()).add(heir)
            self._down = down
        found: set[str] = set()
        for edges in (self.heirs,) if up_only else (self.heirs, self._down):
            seen, todo = {path}, list(edges.get(path, ()))
            while todo:
                if (kin := todo.pop()) not in seen:
                    seen.add(kin)
                    todo.extend(edges.get(kin, ()))
            found |= seen - {path}
        return found

    def is_test_module(self, module: str) -> bool:
        """Whether a module is test code: by its path, or declared so (`test_files`)."""
        path = self.modules.get(module, "")
        return is_test_path(path) or path in self.test_files

    def fan_in(self, target: str, *, module: bool = False, naming: AbstractSet[str] | None = None,
               through: bool = False) -> tuple[set[str], set[str]]:
        """(direct referencing ids, transitive referencing ids), the walk bounded by MAX_WALK. `module`:
        `target` is a Python module that is gone: its importers are the direct dependents, and a module
        whose top-level import of it fails fails to import in turn, so its importers follow. `naming`: of a C#,
        Java or Ruby file's referencing files, only those that write one of these words (its altered members) are
        direct.
        `through`: a Rust file's re-exports changed: the files whose paths went through them are direct too."""
        direct = set(self.importers_of(target) if module else self.callers_of(target))
        if through:
            direct |= self.through.get(target, set())
        if naming is not None:
            direct = {caller for caller in direct if self.names_any(caller.split(":", 1)[0], naming)}
        seen = set(direct)
        queue = deque(direct)
        while queue and len(seen) < MAX_WALK:
            self._ahead(queue, module)
            current = queue.popleft()
            owner, _, qual = current.partition(":")
            # import-level dependents: of a JavaScript file, or of a Go file's package; not of a Rust file that
            # re-exports the target (its users name its other items, rust_names.py), nor of a Rails model that
            # associates it (class_names.py)
            module_callers = (() if qual in WALK_STOPS
                              else self.callers_of(go_package(owner) if owner.endswith(".go") else owner))
            importers = self.importers_of(owner) if module and qual == MODULE_LEVEL else ()
            for caller in (*self.callers_of(current), *module_callers, *importers):
                if caller not in seen and caller != target:
                    seen.add(caller)
                    queue.append(caller)
        return _file_level(direct), _file_level(seen)


def _file_level(ids: set[str]) -> set[str]:
    """Dependents by association (`app/models/account.rb:<association>`) as the file's top level: once the walk is
    done, a file reached both ways is one dependent."""
    if not any(i.endswith(_ASSOCIATED) for i in ids):
        return ids
    return {f"{i[:-len(_ASSOCIATED)]}:{MODULE_LEVEL}" if i.endswith(_ASSOCIATED) else i for i in ids}


def mark_test_modules(resolver: _Resolver, summaries: Iterable[FileSummary]) -> set[str]:
    """Mark as tests the Rust files whose module is declared under `#[cfg(test)]` (`#[cfg(test)] mod testutil;`):
    what they name they test, and they are no production callers of it. Returns their paths."""
    by_path = {s.path: s for s in summaries}
    marked: set[str] = set()
    for summary in by_path.values():
        for owner, name in summary.refs:
            if owner == TEST_MODULE_OWNER and (child := resolver.import_level(summary, name)) in by_path:
                by_path[child].is_test = True
                marked.add(child)
    return marked


class _Resolver:
    """Turns a dotted name used in a module into the symbol (or import-level module) it names."""

    def __init__(self, graph: Graph, by_module: dict[str, FileSummary]) -> None:
        self.by_module = by_module
        self._index(graph, {module: s.path for module, s in by_module.items()},
                    [s for s in by_module.values() if is_layout(s)])

    def _index(self, graph: Graph, modules: dict[str, str], go_files: Iterable[FileSummary]) -> None:
        """`modules`: every module's file (the last of the files that name the same module); `go_files`:
        the go.mod, composer.json and Cargo.toml summaries (is_layout), in that order."""
        self.graph = graph
        self._layout = [s.imports for s in go_files if not s.path.endswith(GO_MODULE_FILE)]
        self._aliases = Aliases((s.path, s.imports) for s in go_files)  # TypeScript's `paths` and `baseUrl`
        self._classes: ClassFiles | None = None  # made when a Java or PHP name is first looked up
        self._cargo = [(s.path, s.imports) for s in go_files if posixpath.basename(s.path) == CARGO_FILE]
        self._rust: RustFiles | None = None  # made when a Rust path is first looked up
        self.rust_passed: list[str] = []  # the re-exporting files the last Rust path went through
        # the files the last reference reaches beside the one it names: a Rust glob import's re-exports, a Rails
        # view's other formats (`render :show`: show.html.erb and show.json.jbuilder)
        self.also: list[str] = []
        self.modules = modules
        self.suffixes: dict[str, str | None] = {}
        for module in modules:
            parts = module.split(".")
            for i in range(1, len(parts)):
                suffix = ".".join(parts[i:])
                self.suffixes[suffix] = None if suffix in self.suffixes else module  # None: ambiguous
        self.paths = {path: module for module, path in modules.items()}
        # Go: module path -> its root directory (from each go.mod), and each package directory by every
        # "/"-suffix of it (None: ambiguous), for a repository whose go.mod is missing or other
        self.go_modules = sorted(((s.imports[_GO_MODULE_KEY], posixpath.dirname(s.path)) for s in go_files
                                  if _GO_MODULE_KEY in s.imports), key=lambda m: -len(m[0]))
        self.go_dirs = {posixpath.dirname(p) for p in self.paths if p.endswith(".go")}
        self.go_suffixes: dict[str, str | None] = {}
        for directory in self.go_dirs:
            parts = directory.split("/") if directory else []
            for i in range(len(parts)):
                suffix = "/".join(parts[i:])
                self.go_suffixes[suffix] = None if suffix in self.go_suffixes else directory

    def _rust_summaries(self) -> list[tuple[str, dict[str, str]]]:
        """(path, imports) of every .rs file: their re-exports (rust_names.RustFiles)."""
        return [(s.path, s.imports) for s in self.by_module.values() if s.path.endswith(RUST_SUFFIXES)]

    # the two things a graph read as far as the questions need (lazy_graph.py) reads only when asked
    def _summary(self, module: str) -> FileSummary | None:
        """The module's summary (of its last file)."""
        return self.by_module.get(module)

    def _has_symbol(self, sid: str) -> bool:
        return sid in self.graph.symbols

    def module(self, name: str) -> str | None:
        if name in self.modules:
            return name
        return self.suffixes.get(name)

    def imported_module(self, imported: str) -> str | None:
        """The module an import statement loads: `a.b`, `a:b` (from a import b) the submodule a.b when
        there is one, else a."""
        source, _, name = imported.partition(":")
        return (self._imported(f"{source}.{name}") if name else None) or self._imported(source)

    def _imported(self, name: str) -> str | None:
        """A module by its full name, or by a suffix of it (code under a directory that is no package,
        `test/lib/ansible_test/...`) when that cannot be the standard library's or a one-word name:
        `import json` or `from collections import abc` loads no `pkg.json` or `pkg.collections`."""
        if name in self.modules:
            return name
        root = name.split(".", 1)[0]
        return None if "." not in name or root in sys.stdlib_module_names else self.suffixes.get(name)

    def symbol(self, module: str, qual: str, hops: int = 0) -> str | None:
        """`module:qual`, following a re-export (`from .impl import f` in a package) a few hops."""
        sid = f"{module}:{qual}"
        if self._has_symbol(sid):
            return sid
        first, _, rest = qual.partition(".")
        if rest and self._has_symbol(f"{module}:{first}"):
            return f"{module}:{first}"  # `codes.FOUND`: an attribute that is no method names its class
        summary = self._summary(module)
        if summary is not None and hops < 3 and first in summary.imports:
            target = summary.imports[first]
            source, _, name = target.partition(":")
            resolved = self.module(source)
            if resolved is not None and name:
                return self.symbol(resolved, f"{name}.{rest}" if rest else name, hops + 1)
            if resolved is not None and rest:
                return self.symbol(resolved, rest, hops + 1)
        if summary is not None and hops < 3 and not first.startswith("_"):
            for star in reversed(summary.stars):  # `from ._urls import *`: the last one wins, as in Python
                starred = self.module(star)
                found = None if starred is None else self.symbol(starred, qual, hops + 1)
                if found is not None:
                    return found
        submodule = self.module(f"{module}.{first}")
        if submodule is not None and rest and hops < 3:
            return self.symbol(submodule, rest, hops + 1)
        return None

    def resolve(self, summary: FileSummary, local_defs: set[str], name: str) -> str | None:
        self.also = []
        if not summary.path.endswith(".py"):
            return self.import_level(summary, name)
        parts = name.split(".")
        for width in (2, 1):  # Class.method before Class
            qual = ".".join(parts[:width])
            if len(parts) >= width and qual in local_defs:
                return f"{summary.module}:{qual}"
        for width in range(min(len(parts), 4), 0, -1):
            head = ".".join(parts[:width])
            target = summary.imports.get(head)
            if target is None:
                continue
            rest = parts[width:]
            source, _, imported = target.partition(":")
            module = self.module(source)
            if module is None:
                return None
            if imported:
                submodule = self.module(f"{source}.{imported}")
                if submodule is not None and rest:  # from pkg import module; module.f()
                    return self.symbol(submodule, ".".join(rest[:2]))
                return self.symbol(module, ".".join([imported, *rest[:1]]))
            if not rest:
                return None
            return self.symbol(module, ".".join(rest[:2]))
        return None

    def import_level(self, summary: FileSummary, name: str) -> str | None:
        """The file (a Go file: its package) an import-level file's import names, or None."""
        if summary.path.endswith(CLASS_SUFFIXES):
            return self._class_file(summary, name)
        if summary.path.endswith(RUST_SUFFIXES):
            if self._rust is None:
                self._rust = RustFiles(self.paths, self._cargo, self._rust_summaries())
            found = self._rust.resolve(summary.path, name)
            self.rust_passed = [p for p in self._rust.passed if p not in (found, summary.path)]
            self.also = self._rust.also
            return None if found == summary.path else found
        if name.startswith("."):
            return self._js_file(posixpath.normpath(posixpath.join(posixpath.dirname(summary.path), name)))
        if summary.path.endswith(".go"):
            return self._go_import(name)
        if self._aliases and summary.path.endswith(JS_SUFFIXES):  # `@server/models`: a tsconfig path alias
            for base in self._aliases.targets(summary.path, name):
                if (found := self._js_file(base)) is not None:
                    return found
        return None

    def _js_file(self, base: str) -> str | None:
        """The file a JavaScript/TypeScript import of this repository path loads, as the bundlers look it up."""
        stem, ext = posixpath.splitext(base)
        for candidate in (
            base,
            *(base + s for s in JS_SUFFIXES),
            *(f"{base}/index{s}" for s in JS_SUFFIXES),
            # TypeScript's ESM convention names the emitted file: `./merge.js` is merge.ts (as tsc resolves)
            *(stem + s for s in _TS_SOURCES.get(ext, ())),
        ):
            if candidate in self.paths:
                return candidate
        return None

    def _class_file(self, summary: FileSummary, name: str) -> str | None:
        """The Java, PHP, C# or Ruby file (class_names.py) such a file's reference names; not the file itself."""
        if self._classes is None:
            self._classes = ClassFiles(self.paths, self._layout)
        if summary.path.endswith(".java"):
            found = self._classes.java(summary.path, name, summary.imports.get(JAVA_PACKAGE_KEY, ""), summary.stars)
        elif summary.path.endswith(".cs"):
            found = self._classes.csharp(summary.path, name, summary.imports.get(CS_NAMESPACE_KEY, ""), summary.stars)
        elif summary.path.endswith(RUBY_SUFFIXES):
            files = [path for path in self._classes.ruby_files(summary.path, name) if path != summary.path]
            found, self.also = (files[0], files[1:]) if files else (None, [])
        else:
            found = self._classes.php(summary.path, name)
        return None if found == summary.path else found

    def _go_import(self, name: str) -> str | None:
        """The package (go_package id) a Go import path names: through a go.mod's module path (the
        module's root package too: cobra's own `github.com/spf13/cobra` is the repository's root), else
        the one package directory the import path ends with."""
        for module, root in self.go_modules:
            if name == module or name.startswith(module + "/"):
                rest = name[len(module) + 1:]
                directory = posixpath.join(root, rest) if root and rest else root or rest
                return f"go:{directory}" if directory in self.go_dirs else None
        parts = name.split("/")
        for i in range(1, len(parts)):  # the standard library's `fmt` or `net/http` is no suffix of a path here
            found = self.go_suffixes.get("/".join(parts[i:]))
            if found is not None:
                return f"go:{found}"
        return None


def build_graph(
    files: Iterable[tuple[str, bytes]],
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    isolate: bool = False,
) -> Graph:
    """The graph of these (path, content) files; `workers` > 1 parses in worker processes. `isolate`
    parses in worker processes whatever the size: a caller in a background thread must, because
    CPython 3.11's AST constructor keeps its recursion depth per interpreter, not per thread, and two
    threads parsing at once fail with "AST constructor recursion depth mismatch"."""
    items = [(p, d) for p, d in files if p.endswith(GRAPH_SUFFIXES)]
    lines = sum(d.count(b"\n") for _, d in items)
    rows = summarise_many(items, workers=workers, progress=progress, isolate=isolate)
    return Graph.build((FileSummary.from_list(r) for r in rows), lines)


def summarise_many(
    items: Sequence[tuple[str, bytes]],
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    isolate: bool = False,
) -> list[list[Any]]:
    """The summaries of graph files (FileSummary.to_list), in the order of `items`; see build_graph
    for `workers` and `isolate`."""
    if not isolate and (workers <= 1 or len(items) < 200):
        return summarise_batch(items)
    if not items:
        return []
    from app.core.workers import shared_pool

    workers = max(1, workers)
    size = max(50, len(items) // (workers * 4))
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    rows: list[list[Any]] = []
    pool = shared_pool(workers)
    if pool is None:
        return summarise_batch(items)
    futures = [pool.submit(summarise_batch, batch) for batch in batches]
    try:
        for done, future in enumerate(futures, start=1):
            rows.extend(future.result())
            if progress is not None:
                progress(done, len(batches))
    finally:
        for future in futures:
            future.cancel()  # after a failure: the batches not started yet
    return rows


SHARED_BATCH_BYTES = 128 * 1024
"""summarise_shared's batches: about 40 ms of parsing each, far more than handing one to a worker costs."""


def summarise_shared(items: Sequence[tuple[str, bytes]], *, workers: int) -> list[list[Any]]:
    """summarise_many's rows, the work shared between this thread and the pool's workers: batches of
    about SHARED_BATCH_BYTES are offered to the pool, and this thread summarises, from the last, each
    batch no worker has started (workers.take): it never waits for a busy pool, and the workers take the
    parsing off this process's interpreter lock. For the files a graph read as far as its questions need
    reads at a time (impact/lazy_graph.py): a cold `list` of one pull request on ansible parsed 155 files
    (3.4 MB) for its blast radius on the analysis thread, the larger part of its own CPU time."""
    from app.core.workers import offer, shared_pool, take

    pool = shared_pool(workers) if workers >= 1 and sum(len(d) for _, d in items) > SHARED_BATCH_BYTES else None
    if pool is None:
        return summarise_batch(items)
    batches: list[list[tuple[str, bytes]]] = [[]]
    size = 0
    for item in items:
        if size >= SHARED_BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += len(item[1])
    offers = [offer(pool, summarise_batch, batch) for batch in batches]
    rows: list[list[list[Any]]] = [[] for _ in batches]
    for i in reversed(range(len(batches))):  # the workers start from the first
        rows[i] = take(offers[i], lambda batch=batches[i]: summarise_batch(batch))  # type: ignore[misc]
    return [row for batch_rows in rows for row in batch_rows]


# ==================================================================================================
# a change against the graph
# ==================================================================================================


@dataclass
class ChangedSymbol:
    """A public symbol the change removes, re-signs or rewrites, and who depends on it."""

    id: str  # "module:qual"; "module:<module>" for a whole module (removed, or an import-level file)
    path: str
    line: int
    change: str  # removed | signature | body | file | package (an import-level file as a whole; a Go file's package)
    before: str  # the signature before ("module" for a removed Python module, "file" for an import-level file)
    after: str  # the signature after ("" when removed; a renamed-away module: its new name)
    direct: list[str]  # referencing definitions ("module:qual"), tests excluded
    transitive: int
    modules: int  # distinct modules among all (transitive) dependents, tests excluded
    packages: int
    cross_module: bool
    tested_by: list[str]
    end_line: int = 0  # the definition's last line at the base
    head_lines: tuple[int, int] | None = None  # its line range in the head version (None when removed)

    @property
    def name(self) -> str:
        return display_id(self.id)

    @property
    def file_level(self) -> bool:
        """Whether this is an import-level file as a whole (edited, or removed): its dependents import the file."""
        return self.change in FILE_LEVEL or self.before == "file"

    def to_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.name,
            "path": self.path,
            "line": self.line,
            "change": self.change,
            "before": self.before,
            "after": self.after,
            "direct_callers": [display_id(c) for c in self.direct[:20]],
            "direct": len(self.direct),
            "transitive": self.transitive,
            "modules": self.modules,
            "packages": self.packages,
            "tested_by": self.tested_by[:10],
        }


@dataclass
class BlastRadius:
    """What a change's public symbols reach, and its untested seams."""

    symbols: list[ChangedSymbol] = field(default_factory=list)
    graph_files: int = 0
    graph_lines: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def seams(self) -> list[ChangedSymbol]:
        """Changed symbols used across module boundaries that no test references."""
        return [s for s in self.symbols if s.cross_module and not s.tested_by]

    @property
    def reach(self) -> tuple[int, int, int]:
        """(direct dependents, dependent modules, dependent packages) over every changed symbol."""
        direct = {c for s in self.symbols for c in s.direct}
        modules = {c.split(":", 1)[0] for c in direct}
        return (
            len(direct),
            max([len(modules), *(s.modules for s in self.symbols)], default=0),
            max((s.packages for s in self.symbols), default=0),
        )

    def seam_ranges(self, head_paths: dict[str, str]) -> list[tuple[str, str, int, int, str]]:
        """(path, side, start, end, symbol) of every seam's definition: its head lines when it still
        exists (under its head path), its base lines when the change removes it."""
        ranges = []
        for seam in self.seams:
            if seam.head_lines is not None:
                ranges.append((head_paths.get(seam.path, seam.path), "new", *seam.head_lines, seam.name))
            else:
                ranges.append((seam.path, "old", seam.line, seam.end_line or seam.line, seam.name))
        return ranges

    def top_callers(self, limit: int = 5) -> list[str]:
        ranked = sorted({c for s in self.symbols for c in s.direct})
        return [display_id(c) for c in ranked[:limit]]

    def import_breaks(self) -> list[str]:
        """Why the importers of a module the change removes break, whether or not they use a name of it:
        "pkg, pkg._client import the removed module pkg._status_codes"."""
        found = []
        for symbol in self.symbols:
            if symbol.before != "module" or not symbol.direct:
                continue
            importers = sorted({display_id(c) for c in symbol.direct})
            more = f" (+{len(importers) - 3} more)" if len(importers) > 3 else ""
            renamed = f" (renamed to {symbol.after})" if symbol.after else ""
            found.append(f"{', '.join(importers[:3])}{more} import{'s' if len(importers) == 1 else ''} "
                         f"the removed module {symbol.name}{renamed}")
        return found

    def to_dict(self) -> dict[str, Any]:
        direct, modules, packages = self.reach
        return {
            "symbols": [s.to_dict() for s in self.symbols],
            "seams": [s.name for s in self.seams],
            "direct": direct,
            "modules": modules,
            "packages": packages,
            "graph_files": self.graph_files,
            "graph_lines": self.graph_lines,
            "notes": list(self.notes),
        }

    def to_cache(self) -> dict[str, Any]:
        """Every field, for the analysis cache (`to_dict` is the shorter form readers get)."""
        return {"symbols": [dataclasses.asdict(s) for s in self.symbols], "graph_files": self.graph_files,
                "graph_lines": self.graph_lines, "notes": list(self.notes)}

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> BlastRadius:
        symbols = []
        for entry in data["symbols"]:
            head = entry.get("head_lines")
            symbols.append(ChangedSymbol(**{**entry, "head_lines": None if head is None else (int(head[0]),
                                                                                               int(head[1]))}))
        return cls(symbols, int(data["graph_files"]), int(data["graph_lines"]), [str(n) for n in data["notes"]])


# A head version's definitions, per (path, content), for the process: branches cut from one another or
# backported share head versions (3 of the ansible scenario's PRs have the same 1,900-line change), and
# parsing them was 4.7 s of its 16.6 s cold analysis.
_head_defs_memo: ContentMemo[dict[str, Definition] | None] = ContentMemo(1024)


def _head_defs(path: str, data: bytes | None) -> dict[str, Definition] | None:
    if data is None:
        return {}
    return _head_defs_memo.get_or_compute(ContentMemo.key(path, data), lambda: head_defs_answer(path, data))


def head_defs_answer(path: str, data: bytes, tree: Any = None) -> dict[str, Definition] | None:
    """A head version's definitions by qualified name (None: it does not parse). Module-level so that
    a worker process can compute it (see offer_head_defs)."""
    summary = summarise_python(path, data, tree)
    return None if summary.error else {d.qual: d for d in summary.defs}


def head_defs_and_metrics(path: str, data: bytes, measured_as: str, max_bytes: int) -> tuple[Any, Any]:
    """head_defs_answer and the complexity measurement's figures of the same version (as
    `analyze_source(measured_as, data, max_bytes=max_bytes, maintainability=False)` gives them), from one parse."""
    from app.core.metrics import complexity as cx

    tree = cx.python_tree(data) if cx.analyzer_for(measured_as) == cx.ANALYZER_RADON else None
    return (head_defs_answer(path, data, tree),
            cx.analyze_source(measured_as, data, max_bytes=max_bytes, maintainability=False, tree=tree))


def summary_and_metrics(path: str, data: bytes, measured_as: str | None, max_bytes: int) -> tuple[list[Any], Any]:
    """A graph file's summary (FileSummary.to_list, as summarise gives it) and, when the complexity
    measurement wants the version (`measured_as`), its figures as head_defs_and_metrics gives them, from one
    parse: a base file whose version is also a change's (its head definitions) is parsed once."""
    from app.core.metrics import complexity as cx

    if measured_as is None:
        return summarise_python(path, data).to_list(), None
    tree = cx.python_tree(data) if cx.analyzer_for(measured_as) == cx.ANALYZER_RADON else None
    return (summarise_python(path, data, tree).to_list(),
            cx.analyze_source(measured_as, data, max_bytes=max_bytes, maintainability=False, tree=tree))


def scan_defs_and_metrics(path: str, text: str, measured_as: str | None, max_bytes: int) -> tuple[Any, Any, Any]:
    """The destructive-call scan's answer (python_calls.scan_answer), head_defs_answer and, when the complexity
    measurement wants the version (`measured_as`), its figures as head_defs_and_metrics gives them, of one
    version read as `text` (valid UTF-8: its bytes are `text.encode()`), from one parse where
    complexity.python_tree gives the tree all three would parse (else each parses on its own)."""
    from app.core.impact.destructive.python_calls import scan_answer
    from app.core.metrics import complexity as cx

    data = text.encode("utf-8")
    tree = cx.python_tree(data)
    scanned = scan_answer(text, path, tree)
    defs = head_defs_answer(path, data, tree)
    if measured_as is None:
        return scanned, defs, None
    as_tree = tree if cx.analyzer_for(measured_as) == cx.ANALYZER_RADON else None
    return scanned, defs, cx.analyze_source(measured_as, data, max_bytes=max_bytes, maintainability=False, tree=as_tree)


def offer_with_scan(path: str, text: str, digest: bytes, submit: Submit, *, measured_as: str | None = None,
                    max_bytes: int = 0) -> tuple[Future[Any], Future[Any] | None] | None:
    """Start one task for a version the destructive scan and the blast radius's head definitions both read
    (and the measurement, `measured_as`): scan_defs_and_metrics. Its head definitions are offered here;
    returns the futures of its scan answer and of its figures (None without `measured_as`), given up together
    with the head definitions' (memo.shared_parts). None when the head definitions are known or offered
    already (`digest`: memo.digest of the version's bytes): the caller starts the scan on its own."""
    key = (path, digest)
    if "\ufffd" in text or not _head_defs_memo.wants(key):
        return None
    whole = submit(scan_defs_and_metrics, path, text, measured_as, max_bytes)
    parts = shared_parts(whole, [0, 1, 2] if measured_as is not None else [0, 1])
    _head_defs_memo.offer(key, parts[1])
    return parts[0], (parts[2] if measured_as is not None else None)


def remember_head_defs(path: str, data: bytes, row: list[Any]) -> None:
    """Keep the head definitions of a version from its graph summary (summary_and_metrics's row): what
    head_defs_answer gives for it, so no task parses it again for them."""
    summary = FileSummary.from_list(row)
    _head_defs_memo.remember(ContentMemo.key(path, data), None if summary.error else {d.qual: d for d in summary.defs})


MeasuredAs = Callable[[str | None], str | None]  # a version's blob id -> the path it is measured as (None: it is not)


def offer_head_defs(versions: Iterable[tuple[str, bytes, str | None]], submit: Submit, *,
                    measured_as: MeasuredAs = lambda blob: None, max_bytes: int = 0,
                    on_metrics: Callable[[str, Future[Any]], None] | None = None,
                    digests: Mapping[str, bytes] | None = None) -> None:
    """Start parsing these (path, content, blob id) head versions in worker processes, ahead of the blast
    radius that reads them: `submit(fn, *args)` returns a future. A version the complexity measurement
    wants (`measured_as`) is measured by the same task, from the same parse: `on_metrics(blob, future)`.
    `digests`: memo.digest of a blob's content, where the caller hashed it already."""
    for path, data, blob in versions:
        known = digests.get(blob) if digests is not None and blob else None
        key = (path, known) if known is not None else ContentMemo.key(path, data)
        if not _head_defs_memo.wants(key):
            continue
        as_path = measured_as(blob) if on_metrics is not None and blob else None
        if as_path is None:
            _head_defs_memo.offer(key, submit(head_defs_answer, path, data))
            continue
        whole = submit(head_defs_and_metrics, path, data, as_path, max_bytes)
        _head_defs_memo.offer(key, part(whole, 0))
        on_metrics(blob, part(whole, 1))  # type: ignore[arg-type, misc]


# The summaries of the test files a change adds or edits (their head versions: `own_test_summary`), per (path,
# content), as FileSummary.to_list rows: the analysis thread summarised each of them itself, once per change that has
# it (409 parses for 36 changes of the ansible scenario, 7 of its 32 s of samples), and the complexity measurement
# parsed the same versions again. The offering thread offers them to the pool (offer_test_summaries), each measured
# by the same task where the measurement wants it.
_test_summary_memo: ContentMemo[list[Any]] = ContentMemo(1024)


def own_test_summary(path: str, data: bytes) -> FileSummary | None:
    """`summarise(path, data)` of a test file's head version, remembered (or taken over from a worker's offer)
    for a Python file."""
    if not path.endswith(PY_SUFFIXES):
        return summarise(path, data)
    row = _test_summary_memo.get_or_compute(ContentMemo.key(path, data), lambda: summarise_python(path, data).to_list())
    return FileSummary.from_list(row)


def offer_test_summaries(versions: Iterable[tuple[str, bytes, str | None]], submit: Submit, *,
                         measured_as: MeasuredAs = lambda blob: None, max_bytes: int = 0,
                         on_metrics: Callable[[str, Future[Any]], None] | None = None,
                         digests: Mapping[str, bytes] | None = None) -> None:
    """Start summarising these (path, content, blob id) head versions of test files in worker processes, ahead
    of the blast radius that reads them (own_test_summary), each measured by the same task, from the same parse,
    where the complexity measurement wants it (`measured_as`): `on_metrics(blob, future)`, as offer_head_defs."""
    for path, data, blob in versions:
        known = digests.get(blob) if digests is not None and blob else None
        key = (path, known) if known is not None else ContentMemo.key(path, data)
        if not path.endswith(PY_SUFFIXES) or not _test_summary_memo.wants(key):
            continue
        as_path = measured_as(blob) if on_metrics is not None and blob else None
        whole = submit(summary_and_metrics, path, data, as_path, max_bytes)
        _test_summary_memo.offer(key, part(whole, 0))
        if as_path is not None:
            on_metrics(blob, part(whole, 1))  # type: ignore[arg-type, misc]


def own_test_wanted(path: str, digest: bytes) -> bool:
    """Whether offer_test_summaries would offer the version of `path` whose content has this memo.digest."""
    return path.endswith(PY_SUFFIXES) and _test_summary_memo.wants((path, digest))


def head_defs_wanted(path: str, digest: bytes) -> bool:
    """Whether offer_head_defs would offer the version of `path` whose content has this memo.digest (it is
    neither known nor offered already): a caller that knows the digest reads the content only then."""
    return _head_defs_memo.wants((path, digest))


def drop_offered_head_defs() -> None:
    _head_defs_memo.drop_offers()
    _test_summary_memo.drop_offers()


def tests_in_change(graph: Graph, tests: Iterable[FileSummary]) -> dict[str, set[str]]:
    """What the test files a change adds or edits test, by their head versions: symbol or import-level
    target -> test modules. The graph is the base's, so a change that adds `tests/test_x.py` for the
    function it rewrites read "1 untested seam" (lazygit: 6 of 55 Go seams had tests the change added)."""
    tested: dict[str, set[str]] = {}
    for summary in tests:
        targets = graph.referenced_by(summary)
        if summary.path.endswith(GO_TEST_SUFFIX):  # a Go test tests the package of its directory
            targets.add(go_package(summary.path))
        for target in targets:
            tested.setdefault(target, set()).add(summary.module)
    return tested


def _targets(resolver: _Resolver, summary: FileSummary) -> set[str]:
    """What one file's references name, its own definitions aside."""
    local_defs = {d.qual for d in summary.defs}
    found: set[str] = set()
    for _owner, name in summary.refs:
        target = resolver.resolve(summary, local_defs, name)
        if target is not None:
            found.add(target)
            found.update(resolver.also)  # a Rust glob import's re-exports, a view's other formats
    return {target for target in found if not target.startswith(f"{summary.module}:")}


def blast_radius(
    graph: Graph, changes: Iterable[tuple[str, str | None, bytes | None, bytes | None]],
    own_tests: Mapping[str, set[str]] = MappingProxyType({}),
) -> BlastRadius:
    """For changed files (base path, head path, head content, base content): every public symbol the
    change removes, re-signs or rewrites (or private one another module uses), and its dependents in
    `graph`.

    What changed is read from the change's own two versions: the graph may be of a later commit (a
    branch's base tip, a range's start), whose versions of a file would charge the change with what
    others changed there since it started. Base content None: the change starts at the graph's commit
    (its symbols there are the before). A Rust file whose comments or own tests alone changed (both contents given)
    changes nothing its importers use. `own_tests`: what the change's own tests test (tests_in_change)."""
    result = BlastRadius(graph_files=graph.files, graph_lines=graph.lines)
    for base_path, head_path, head_data, base_data in changes:
        if is_test_path(base_path):
            continue
        if (base_path.endswith(RUST_SUFFIXES) and head_data is not None and base_data is not None
                and interface_text(head_data) == interface_text(base_data)):
            continue  # its comments or its own tests alone changed: nothing its importers use
        target = go_package(base_path) if base_path.endswith(".go") else base_path
        if base_path.endswith(IMPORT_LEVEL_SUFFIXES) and graph.callers_of(target):
            # Import level: the file (a Go file: its package) as a whole is the interface its importers depend on;
            # a C# or Java file's, the members the change alters where they can be told (members.py)
            naming = _naming(graph, base_path, head_path, head_data, base_data)
            if naming is not None and not naming:
                continue  # members added, private ones or comments changed: nothing its dependents name
            # named as explain names it: the file (a Go file's importers import its package), or the file removed or
            # renamed away (`explain --json` said "change": "module" of a Ruby or Go file, FIX131)
            gone = head_path is None or (head_path != base_path and (
                not base_path.endswith(".go") or go_package(head_path) != target))
            whole = Symbol(f"{base_path}:{MODULE_LEVEL}", base_path, "module", 1, 1, "file" if gone else "", "")
            change = "removed" if gone else "package" if base_path.endswith(".go") else "file"
            measured = _measure(graph, whole, change, (head_path or "") if gone else "", target=target,
                                own_tests=own_tests, naming=naming,
                                through=_reexports_changed(base_path, head_data, base_data))
            measured.head_lines = None if head_data is None else (1, max(1, head_data.count(b"\n")))
            result.symbols.append(measured)
            continue
        if base_path.endswith(".py"):
            _python_symbols(graph, result, (base_path, head_path, head_data, base_data), own_tests)
    result.symbols.sort(key=lambda s: (-(s.change != "body"), -s.modules, -len(s.direct), s.id))
    return result


def _naming(graph: Graph, base_path: str, head_path: str | None, head_data: bytes | None,
            base_data: bytes | None) -> set[str] | None:
    """The words of the members a C#, Java or Ruby file's change alters (members.py), None where they cannot be told:
    a Ruby method a file it derives from or mixes in names (a concern calling its includer's method: the concern's
    callers name the concern's method)."""
    if head_path != base_path or head_data is None or base_data is None:
        return None
    naming = altered_members(base_path, base_data, head_data)
    if naming and base_path.endswith(".rb") and any(
            graph.writes_any(ancestor, {word for word in naming if not word.startswith(HEIR)})
            for ancestor in graph.kin(base_path, up_only=True)):
        return None
    return naming


def _reexports_changed(path: str, head: bytes | None, base: bytes | None) -> bool:
    """Whether a change to a Rust file may alter what its `pub use` re-exports (a version unknown: it may)."""
    if not path.endswith(RUST_SUFFIXES) or head is None or base is None:
        return path.endswith(RUST_SUFFIXES)
    return reexports(head.decode("utf-8", errors="replace")) != reexports(base.decode("utf-8", errors="replace"))


def _python_symbols(graph: Graph, result: BlastRadius, versions: tuple[str, str | None, bytes | None, bytes | None],
                    own_tests: Mapping[str, set[str]]) -> None:
    """Add to `result` the public symbols of one changed Python file (base path, head path, head content, base
    content) that the change removes, re-signs or rewrites, with their dependents."""
    base_path, head_path, head_data, base_data = versions
    module = module_name(base_path)
    gone = module if head_path is None or module_name(head_path) != module else None  # deleted, renamed away
    if gone is not None and graph.importers_of(gone):
        result.symbols.append(_removed_module(graph, base_path, base_data, head_path))
    before = _before(graph, base_path, base_data)
    if not before:
        return
    after = _head_defs(head_path or base_path, head_data)
    if after is None:
        result.notes.append(f"{visible_path(head_path or base_path)}: the new version does not parse: "
                            "its symbols count as changed")
        after = {}
    for symbol in before:
        new = after.get(symbol.qual)
        change = (
            "removed"
            if new is None
            else "signature"
            if new.signature != symbol.signature
            else "body"
            if new.body != symbol.body
            else None
        )
        if change is None or (symbol.kind == "class" and change == "body"):
            continue  # a class body changes with any method: its methods speak for themselves
        if not symbol.public and not graph.used_elsewhere(symbol.id):
            continue  # a private helper: its callers are in its own module
        measured = _measure(graph, symbol, change, new.signature if new else "", gone=gone, own_tests=own_tests)
        if symbol.kind == "variable" and not measured.direct and not measured.tested_by:
            continue  # a module-level name nothing reads (DOCUMENTATION = '...') is no interface
        measured.head_lines = (new.line, new.end_line) if new else None
        result.symbols.append(measured)


def _before(graph: Graph, path: str, data: bytes | None) -> list[Symbol]:
    """The file's symbols where the change starts: from its own base version when given (one that
    does not parse falls back to the graph's). Their ids are the graph's (module:qual), so their
    callers are found there."""
    own = None if data is None else _head_defs(path, data)
    if own is None:
        return graph.symbols_in(path)
    module = module_name(path)
    return [Symbol(f"{module}:{d.qual}", path, d.kind, d.line, d.end_line, d.signature, d.body)
            for d in own.values()]


def _removed_module(graph: Graph, path: str, data: bytes | None, head_path: str | None) -> ChangedSymbol:
    """A Python module the change deletes or renames away: every unguarded import of it fails, so its
    importers depend on it whether or not they use a name of it (`from ._status_codes import *`)."""
    module = module_name(path)
    end = data.count(b"\n") if data else max((s.end_line for s in graph.symbols_in(path)), default=1)
    whole = Symbol(f"{module}:{MODULE_LEVEL}", path, "module", 1, max(1, end), "module", "")
    return _measure(graph, whole, "removed", module_name(head_path) if head_path else "", gone=module)


_CONSTRUCTORS = (".__init__", ".__new__")


def _beside_first(path: str, tests: Iterable[str]) -> list[str]:
    """Test files, the one named after `path` in its directory first (`x_test.go`, `x.test.ts` of x), then the
    others of its directory (a Go package's own tests), then those elsewhere that import it: a test that
    imports a Go package for one helper (`gocui.NewFakeTask()`) led the list of what tests pkg/gocui/escape.go."""
    directory = posixpath.dirname(path)
    stem = posixpath.splitext(posixpath.basename(path))[0]

    def rank(test: str) -> tuple[bool, bool, str]:
        beside = posixpath.dirname(test) == directory
        named = posixpath.basename(test).split(".", 1)[0] in (stem, f"{stem}_test")
        return not beside, not (beside and named), test

    return sorted(set(tests), key=rank)


def _measure(
    graph: Graph, symbol: Symbol, change: str, after: str, target: str | None = None, gone: str | None = None,
    own_tests: Mapping[str, set[str]] = MappingProxyType({}), naming: AbstractSet[str] | None = None,
    through: bool = False,
) -> ChangedSymbol:
    """`gone`: the symbol's module, when the change removes it: it is the target of its importers, and
    its own definitions that use the symbol are gone with it, not dependents. `own_tests`: what the
    change's own tests test, counted with the base's tests of it. `naming`: a C# file's altered members
    (Graph.fan_in); `through`: a Rust file's re-exports changed (Graph.fan_in)."""
    if gone is not None and symbol.qual == MODULE_LEVEL:
        direct, transitive = graph.fan_in(gone, module=True)
        # a test that imports it, or imports what imports it, fails to import: the break is caught
        tests = sorted({m for m in (i.split(":", 1)[0] for i in transitive) if graph.is_test_module(m)})
    else:
        direct, transitive = graph.fan_in(target or symbol.id, naming=naming, through=through)
        tests = sorted({*graph.tests_of(symbol.id), *own_tests.get(symbol.id, ())})
    # A constructor is called by the class's name: `Traceback(...)` is a call of Traceback.__init__, whose
    # renamed keyword read "0 direct callers, tested by no test" (rich pull/4010, QA47).
    constructed = target is None and gone is None and symbol.qual.endswith(_CONSTRUCTORS)
    klass = symbol.id.rsplit(".", 1)[0] if constructed else None
    if klass is not None:
        by_name, reached = graph.fan_in(klass)
        direct, transitive = direct | by_name, transitive | reached
        tests = sorted({*tests, *graph.tests_of(klass), *own_tests.get(klass, ())})
    test_modules = set(tests)
    # A class's own methods that name it are part of it, not its dependents: a removed class counted
    # the methods removed with it as its blast radius.
    own = f"{klass or symbol.id}." if symbol.qual != MODULE_LEVEL else None

    def production(ids: Iterable[str]) -> list[str]:
        return sorted(
            i
            for i in ids
            if i.split(":", 1)[0] not in test_modules
            and i.split(":", 1)[0] != gone
            and not (own and i.startswith(own))
            and not graph.is_test_module(i.split(":", 1)[0])
        )

    direct_prod = production(direct)
    reach = production(transitive)
    modules = {i.split(":", 1)[0] for i in reach}
    packages = {package_of(m) for m in modules}
    cross = any(m != symbol.module for m in (i.split(":", 1)[0] for i in direct_prod))
    if target is not None:  # import level: no test reference can be told from a mere import
        tests = _beside_first(symbol.path, {i.split(":", 1)[0] for i in direct if is_test_path(i.split(":", 1)[0])}
                              | graph.tests_of(target)  # and tests of it through a barrel, or in its Go package
                              | own_tests.get(target, set()))
    return ChangedSymbol(
        symbol.id,
        symbol.path,
        symbol.line,
        change,
        symbol.signature,
        after,
        direct_prod,
        len(reach),
        len(modules),
        len(packages),
        cross,
        tests,
        symbol.end_line,
    )
