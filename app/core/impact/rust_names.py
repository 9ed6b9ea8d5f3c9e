"""Rust in the dependency graph, at file level (graph.py reads Go, Java and PHP the same way): a `.rs` file is one
module, and its dependents are the files whose paths name it. Read from the text, comments and literals left out,
never compiled or run.

A file's references: every path of a `use` declaration (`use crate::a::{b::C, d}` names crate::a::b::C and
crate::a::d) and every path written in the code (`super::x::f()`, `grep_regex::RegexMatcher::new()`). A path is
resolved as rustc finds a module's file: `crate::a::b` is `a/b.rs` or `a/b/mod.rs` under the crate root's directory,
`super::` and `self::` from the file's own module, a path whose first name is no keyword either a child module of the
file (Rust 2018) or a workspace crate by its Cargo.toml package name (`grep-regex` is `grep_regex`: its lib target's
file); the longest leading part that is a module file names it (`crate::a::C`, an item of a.rs, is a.rs). A `mod x;`
declaration alone uses nothing of x: it places x in the module tree but is no dependency (every file would otherwise
reach its crate root, and through it every user of the crate). Where the crate root is ambiguous (a directory with
two roots but no lib.rs) or two packages share a name, nothing is resolved: no dependency is claimed.

What a file's tests are: the references inside a `#[cfg(test)]` module or a `#[test]` function test what they name,
and are no callers; a file that holds its own tests is tested by them (Rust's unit tests live in the file they
test, as Go's live beside it); a file under `tests/` is an integration test, and so is the file of a module declared
under `#[cfg(test)]` (`#[cfg(test)] mod testutil;`: ripgrep's searcher/src/testutil.rs read as a caller of the sink).

Re-exports: a path that reaches a module file with names left is followed through that file's top-level `pub use`
(and `pub extern crate a as b`) to the item's own module, a few hops: `grep::searcher::Searcher` is
crates/searcher/src/searcher/mod.rs (grep's `pub extern crate grep_searcher as searcher`, then grep_searcher's
`pub use crate::searcher::Searcher`), not grep's lib.rs, which re-exports every crate, so that every user of the
crate read as a dependent of every file it re-exports (FIX111 F1). The re-exporting file still names the item (it
breaks when the item goes), but as REEXPORT_OWNER: the walk to transitive dependents does not go on from it to the
file's own users, who name other items of it (those who name the item are its direct dependents already).

A glob re-export (`pub use a::*`, `pub use self::a::*`) is followed as rustc resolves a name through it: a name the
re-exporting file neither defines nor re-exports by name is the item of the glob's module that defines it (its
top-level items, `fn`/`struct`/`enum`/`trait`/`type`/`const`/`static`/`mod`/`union`/`macro_rules!`, or what it
re-exports in turn), so `acme::Sink` is sink.rs when lib.rs says `pub use sink::*`, and the glob stops the walk as a
named re-export does (FIX131: every user of a crate root read as a dependent of each file it glob re-exports). A
file that imports a glob of a module (`use acme::*`, `use crate::prelude::*`) may use any name it re-exports: it
depends on the module and on every module it re-exports from (`RustFiles.also`); so does a path whose name no glob's
module is seen to define (an item a macro writes), through a file with glob re-exports.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Iterable

RUST_SUFFIX = ".rs"
CARGO_FILE = "Cargo.toml"
CARGO_KEY = "<cargo>"  # a Cargo.toml's summary: imports[CARGO_KEY + field] (package, lib, libname, bins)
RUST_TESTED_KEY = "<rust own tests>"  # a .rs file's summary: present when the file holds its own tests
TEST_OWNER = "<tests>"  # the owner of a reference made by a file's own tests: a test of what it names, no caller
REEXPORT_OWNER = "<re-export>"  # the owner of a top-level named `pub use` path: the walk to dependents stops there
REEXPORT_KEY = "<pub use>"  # a .rs file's summary: imports[REEXPORT_KEY + name] is the path its top level re-exports
GLOBS_KEY = "<pub use *>"  # a .rs file's summary: the module paths its top level glob re-exports, one a line
ITEMS_KEY = "<rust items>"  # a .rs file's summary: the names of its top-level items, space-separated
MAX_HOPS = 4  # re-exports followed from one path
TEST_MODULE_OWNER = "<test module>"  # `#[cfg(test)] mod x;`: ("<test module>", "self::x"), x's file is test code
MAX_REFS = 2_000  # paths read per file

# comments (block comments nest in Rust: a nested one is left to the outer's end, the rest skipped as code), raw
# strings, strings, byte and char literals (not lifetimes: `'a` has no closing quote after one character)
_NOISE = re.compile(r'//[^\n]*|/\*[\s\S]*?\*/|b?r(#*)"[\s\S]*?"\1|b?"[^"\\]*(?:\\[\s\S][^"\\]*)*"'
                    r"|b?'(?:[^'\\\n]|\\(?:u\{[0-9a-fA-F]{1,6}\}|x[0-9a-fA-F]{2}|.))'")
_TOKEN = re.compile(
    r"#\[\s*(?:cfg\s*\(\s*test\s*\)|(?:\w+\s*::\s*)*test)\s*\]"  # 0: a test attribute
    r"|\bmod\s+(?:r#)?(\w+)\s*([;{])"  # 1, 2: a module declared or inline
    r"|\buse\s+([^;]+);"  # 3: a use declaration
    r"|\bextern\s+crate\s+(\w+)"  # 4
    r"|(?<![\w:])((?:[a-z_][a-z0-9_]*)(?:\s*::\s*(?:r#)?\w+)+)"  # 5: a path in the code
    r"|([{};])"  # 6
)
_SPACES = re.compile(r"\s+")
_TIGHT = re.compile(r"\s*(::|[{},])\s*")
_ALIAS = re.compile(r"\s+as\s+(\w+)$")
_PUB_BEFORE = re.compile(r"\bpub\s*(?:\([^)]*\)\s*)?$")
_AS_AFTER = re.compile(r"\s+as\s+\w+\s*;")
_REEXPORT = re.compile(r"\bpub\s*(?:\([^)]*\)\s*)?(?:use\s+([^;]+);|extern\s+crate\s+(\w+)\s+as\s+(\w+)\s*;)|([{}])"
                       r"|(?<!')\b(?:(?:const|async|unsafe|extern)\s+)*"  # 5: an item's name (`pub` or not)
                       r"(?:(?:fn|struct|enum|union|trait|type|const|static(?:\s+mut)?|mod)\s+|macro_rules\s*!\s*)"
                       r"(?:r#)?(\w+)")


# -- one file -----------------------------------------------------------------------------------------------------
def use_paths(tree: str) -> list[str]:
    """The paths one `use` tree names: `crate::a::{self, b::C as D, e::*}` -> crate::a, crate::a::b::C, crate::a::e."""
    return [path for path, _ in use_bindings(tree)]


def use_bindings(tree: str) -> list[tuple[str, str]]:
    """(path, the name it binds) of each path one `use` tree names: `a::{self, b::C as D, e::*}` -> (a, a),
    (a::b::C, D), (a::e, *)."""
    out: list[tuple[str, str]] = []
    _expand("", _SPACES.sub(" ", _TIGHT.sub(r"\1", tree)).strip(), out)
    return out


def _expand(prefix: str, tree: str, out: list[tuple[str, str]]) -> None:
    if len(out) >= MAX_REFS:
        return
    opening = tree.find("{")
    if opening < 0:
        alias = _ALIAS.search(tree)
        name = _ALIAS.sub("", tree).removesuffix("*").removesuffix("::")
        if name == "self" or not name:
            name = ""
        path = (prefix + name).removesuffix("::")
        if path:
            out.append((path, alias.group(1) if alias else "*" if tree.endswith("*") else path.rsplit("::", 1)[-1]))
        return
    inner = tree[opening + 1 : _matching(tree, opening)]
    for part in _split_top(inner):
        _expand(prefix + tree[:opening], part.strip(), out)


def _matching(text: str, opening: int) -> int:
    depth = 0
    for i in range(opening, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _split_top(inner: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(inner):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [p for p in parts if p]


def rust_refs(text: str) -> tuple[list[tuple[str, str]], bool]:
    """((owner, path) of every module path one file names, its own tests' with owner TEST_OWNER; whether the file
    holds tests of its own). Paths are as written but relative to the file's module: `super::` inside an inline
    `mod tests { ... }` is the file's own module (`self::`)."""
    code = _NOISE.sub(" ", text)
    refs: dict[tuple[str, str], None] = {}
    stack: list[tuple[int, str | None, bool]] = []  # (brace depth it opened at, inline module name, a test region)
    depth, pending_test, has_tests = 0, False, False
    for match in _TOKEN.finditer(code):
        if len(refs) >= MAX_REFS:
            break
        token = match.group(0)
        in_test = pending_test or any(test for _, _, test in stack)
        owner = TEST_OWNER if in_test else "<module>"
        if token.startswith("#"):
            pending_test = has_tests = True
        elif match.group(1):
            if match.group(2) == "{":
                stack.append((depth, match.group(1), pending_test))
                depth += 1
            elif in_test:
                refs[(TEST_MODULE_OWNER, _from_file(f"self::{match.group(1)}", stack))] = None
            pending_test = False
        elif match.group(3) is not None:
            reexported = owner != TEST_OWNER and not stack and _PUB_BEFORE.search(code, 0, match.start()) is not None
            for path, name in use_bindings(match.group(3)):
                path = f"{path}::*" if name == "*" else path  # a glob: RustFiles.resolve adds what it re-exports
                refs[(REEXPORT_OWNER if reexported else owner, _from_file(path, stack))] = None
            pending_test = False
        elif match.group(4):
            reexported = (owner != TEST_OWNER and not stack and _PUB_BEFORE.search(code, 0, match.start()) is not None
                          and _AS_AFTER.match(code, match.end()) is not None)
            refs[(REEXPORT_OWNER if reexported else owner, match.group(4))] = None
        elif match.group(5):
            path = _SPACES.sub("", match.group(5)).replace("r#", "")
            refs[(owner, _from_file(path, stack))] = None
        elif token == "{":
            stack.append((depth, None, pending_test))
            depth += 1
            pending_test = False
        elif token == "}":
            depth = max(0, depth - 1)
            while stack and stack[-1][0] >= depth:
                stack.pop()
        elif token == ";":
            pending_test = False
    return [(owner, path) for owner, path in refs if path], has_tests


def reexports(text: str) -> dict[str, str]:
    """What a Rust file's top level re-exports, as summary imports: the names of `pub use` and `pub extern crate a
    as b` (REEXPORT_KEY + name) -> the paths they stand for, and the module paths of its glob re-exports
    (GLOBS_KEY)."""
    return exports(text, items=False)


def exports(text: str, items: bool = True) -> dict[str, str]:
    """reexports(), and the names of the file's top-level items (ITEMS_KEY): what a glob import of it can bring."""
    out: dict[str, str] = {}
    globs: list[str] = []
    names: dict[str, None] = {}
    depth = 0
    for match in _REEXPORT.finditer(_NOISE.sub(" ", text)):
        brace = match.group(4)
        if brace:
            depth = max(0, depth + (1 if brace == "{" else -1))
        elif depth > 0:
            continue
        elif match.group(5) is not None:
            if items and len(names) < MAX_REFS:
                names[match.group(5)] = None
        elif match.group(1) is not None:
            for path, name in use_bindings(match.group(1)):
                if name == "*":
                    globs.append(path)
                elif len(out) < MAX_REFS:
                    out[REEXPORT_KEY + name] = path
        else:
            out[REEXPORT_KEY + match.group(3)] = match.group(2)
    if globs:
        out[GLOBS_KEY] = "\n".join(dict.fromkeys(globs[:MAX_REFS]))
    if names:
        out[ITEMS_KEY] = " ".join(names)
    return out


def _from_file(path: str, stack: list[tuple[int, str | None, bool]]) -> str:
    """A path written inside inline modules, relative to the file's own module instead."""
    inline = [name for _, name, _ in stack if name is not None]
    if not inline:
        return path
    parts = path.split("::")
    if parts[0] == "self":
        return "::".join(["self", *inline, *parts[1:]])
    if parts[0] == "super":
        ups = 0
        while ups < len(parts) and parts[ups] == "super":
            ups += 1
        within = inline[: max(0, len(inline) - ups)]
        outside = ups - len(inline)
        return "::".join([*(["super"] * outside if outside > 0 else ["self"]), *within, *parts[ups:]])
    return path


_TEST_ATTRIBUTE = re.compile(r"#\[\s*(?:cfg\s*\(\s*test\s*\)|(?:\w+\s*::\s*)*test)\s*\]")


def interface_text(data: bytes) -> str:
    """The text of a Rust file that its importers can see change: its code with comments (doc comments too) and its
    own tests (the items under `#[cfg(test)]`, `#[test]` functions) left out, whitespace collapsed. Two versions alike
    here change nothing another file uses: a typo fixed in a comment, a test added to `mod tests`."""
    text = data.decode("utf-8", errors="replace")
    blank = _NOISE.sub(lambda m: " " * len(m.group(0)), text)  # literals and comments blanked: the code's braces
    cuts = [m.span() for m in _NOISE.finditer(text) if m.group(0).startswith("/")]
    for attribute in _TEST_ATTRIBUTE.finditer(blank):
        end = attribute.end()
        semicolon, brace = blank.find(";", end), blank.find("{", end)
        if brace < 0 and semicolon < 0:
            break
        if brace < 0 or 0 <= semicolon < brace:
            cuts.append((attribute.start(), semicolon + 1))
            continue
        depth, at = 0, brace
        for at in range(brace, len(blank)):
            depth += {"{": 1, "}": -1}.get(blank[at], 0)
            if depth == 0:
                break
        cuts.append((attribute.start(), at + 1))
    kept, last = [], 0
    for start, stop in sorted(cuts):
        if start >= last:
            kept.append(text[last:start])
        last = max(last, stop)
    kept.append(text[last:])
    return " ".join(" ".join(kept).split())


def cargo_layout(path: str, data: bytes) -> dict[str, str]:
    """A Cargo.toml's package name (as code names the crate: `-` read as `_`), its lib target's file and name, and
    its binary targets' files, each relative to the repository; {} for a workspace-only or unreadable manifest."""
    try:
        manifest = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return {}
    package = manifest.get("package")
    if not isinstance(package, dict) or not isinstance(package.get("name"), str):
        return {}
    directory = posixpath.dirname(path)
    out = {CARGO_KEY + "package": package["name"].replace("-", "_")}
    lib = manifest.get("lib")
    if isinstance(lib, dict):
        if isinstance(lib.get("path"), str):
            out[CARGO_KEY + "lib"] = posixpath.normpath(posixpath.join(directory, lib["path"]))
        if isinstance(lib.get("name"), str):
            out[CARGO_KEY + "libname"] = lib["name"].replace("-", "_")
    bins = manifest.get("bin")
    if isinstance(bins, list):
        files = [posixpath.normpath(posixpath.join(directory, b["path"])) for b in bins
                 if isinstance(b, dict) and isinstance(b.get("path"), str)]
        if files:
            out[CARGO_KEY + "bins"] = "\n".join(files)
    return out


# -- the repository -----------------------------------------------------------------------------------------------
class RustFiles:
    """The `.rs` files of a graph and the crates Cargo.toml files declare: finds the file a path names."""

    def __init__(self, paths: Iterable[str], cargo: Iterable[tuple[str, dict[str, str]]],
                 reexported: Iterable[tuple[str, dict[str, str]]] = ()) -> None:
        """`reexported`: (path, summary imports) of the .rs files, whose REEXPORT_KEY entries are followed."""
        self.files = {p for p in paths if p.endswith(RUST_SUFFIX)}
        self.reexports: dict[str, dict[str, str]] = {}  # file -> name -> the path it re-exports
        self.globs: dict[str, list[str]] = {}  # file -> the module paths it glob re-exports
        self.items: dict[str, frozenset[str]] = {}  # file -> the names of its top-level items
        for path, imports in reexported:
            found = {key[len(REEXPORT_KEY):]: value for key, value in imports.items() if key.startswith(REEXPORT_KEY)}
            if found:
                self.reexports[path] = found
            if GLOBS_KEY in imports:
                self.globs[path] = imports[GLOBS_KEY].splitlines()
            if ITEMS_KEY in imports:
                self.items[path] = frozenset(imports[ITEMS_KEY].split())
        roots: set[str] = set()
        self.crates: dict[str, str | None] = {}  # crate name -> its lib target's file (None: two packages share it)
        for manifest, fields in cargo:
            directory = posixpath.dirname(manifest)
            if CARGO_KEY + "package" not in fields:
                continue
            lib = fields.get(CARGO_KEY + "lib") or posixpath.join(directory, "src/lib.rs")
            bins = fields.get(CARGO_KEY + "bins", "").splitlines()
            roots.update(f for f in (lib, *bins) if f in self.files)
            if lib in self.files:
                for name in {fields[CARGO_KEY + "package"], fields.get(CARGO_KEY + "libname", "")} - {""}:
                    self.crates[name] = None if name in self.crates and self.crates[name] != lib else lib
        for path in self.files:
            name = posixpath.basename(path)
            parent = posixpath.basename(posixpath.dirname(path))
            if name in ("lib.rs", "main.rs", "build.rs") or parent in ("bin", "tests", "benches", "examples"):
                roots.add(path)
        self.roots = roots
        self.root_dirs: dict[str, list[str]] = {}
        for root in sorted(roots):
            self.root_dirs.setdefault(posixpath.dirname(root), []).append(root)
        self._places: dict[str, tuple[str, list[str]] | None] = {}
        self._glob_files: dict[str, list[str]] = {}  # file -> the module files of its glob re-exports
        self._closures: dict[str, list[str]] = {}  # file -> every module file it re-exports from, a few hops
        self.passed: list[str] = []  # the re-exporting files the last resolve went through (Graph.through)
        # the files the last resolve's path reaches beside the one it returns: a glob import's module's re-exports
        self.also: list[str] = []

    def _place(self, path: str) -> tuple[str, list[str]] | None:
        """(the crate root's directory, the file's module path under it), None outside every crate."""
        if path in self._places:
            return self._places[path]
        found: tuple[str, list[str]] | None = None
        if path in self.roots:
            found = (posixpath.dirname(path), [])
        else:
            directory = posixpath.dirname(path)
            while True:
                if directory in self.root_dirs:
                    parts = posixpath.relpath(path[: -len(RUST_SUFFIX)], directory or ".").split("/")
                    found = (directory, parts[:-1] if parts[-1] == "mod" else parts)
                    break
                if not directory:
                    break
                directory = posixpath.dirname(directory)
        self._places[path] = found
        return found

    def _module_file(self, root_dir: str, parts: list[str]) -> str | None:
        if not parts:
            roots = self.root_dirs.get(root_dir, [])
            lib = posixpath.join(root_dir, "lib.rs")
            return lib if lib in roots else roots[0] if len(roots) == 1 else None  # two binaries' roots: ambiguous
        stem = posixpath.join(root_dir, *parts)
        for candidate in (stem + RUST_SUFFIX, stem + "/mod.rs"):
            if candidate in self.files and parts not in (["lib"], ["main"]):  # `crate::lib` is no module lib.rs
                return candidate
        return None

    def _longest(self, root_dir: str, base: list[str], rest: list[str], at_least: int,
                 hops: int) -> str | None:
        for n in range(len(rest), at_least - 1, -1):
            found = self._module_file(root_dir, base + rest[:n])
            if found is not None:
                return self._through(found, rest[n:], hops)
        return None

    def _through(self, found: str, rest: list[str], hops: int) -> str:
        """The file of the item `rest` names in module file `found`, following its re-export (the module doc)."""
        if not rest or hops >= MAX_HOPS:
            return found
        target = self.reexports.get(found, {}).get(rest[0])
        if target is None and rest[0] not in self.items.get(found, ()) and found in self.globs:
            target = self._glob_source(found, rest[0], hops)
        if target is None:
            return found
        deeper = self._resolve(found, "::".join([target, *rest[1:]]), hops + 1)
        if deeper is None:
            return found
        self.passed.append(found)
        return deeper

    def _glob_source(self, found: str, name: str, hops: int) -> str | None:
        """The path of `name` through the glob re-export of `found` whose module has it; none seen to have it (an item
        a macro writes): None, and every module `found` re-exports from is reached too (`also`)."""
        for glob, module in zip(self.globs[found], self._globbed(found), strict=True):
            if module and self._provides(module, name, hops + 1):
                return f"{glob}::{name}"
        self.also.extend(self._closure(found))
        return None

    def _globbed(self, path: str) -> list[str]:
        """The module file each glob re-export of `path` names ("" where none, or `path` itself: `pub use Enum::*`)."""
        if path not in self._glob_files:
            self._glob_files[path] = [""] * len(self.globs.get(path, ()))  # a cycle of globs ends here
            passed, also = self.passed, self.also
            self.passed, self.also = [], []
            files = [self._resolve(path, glob, 1) or "" for glob in self.globs.get(path, ())]
            self.passed, self.also = passed, also
            self._glob_files[path] = [file if file != path else "" for file in files]
        return self._glob_files[path]

    def _provides(self, module: str, name: str, hops: int) -> bool:
        """Whether a glob import of module file `module` brings `name`: an item of it, or what it re-exports."""
        if name in self.items.get(module, ()) or name in self.reexports.get(module, {}):
            return True
        return hops < MAX_HOPS and any(found and self._provides(found, name, hops + 1)
                                       for found in self._globbed(module))

    def _closure(self, path: str) -> list[str]:
        """The module files a glob import of `path` may bring names from: what it re-exports, by name or glob, a few
        hops."""
        if path in self._closures:
            return self._closures[path]
        self._closures[path] = []  # a cycle ends here
        passed, also = self.passed, self.also
        found: dict[str, None] = {}
        frontier, hops = [path], 0
        while frontier and hops < MAX_HOPS:
            step: list[str] = []
            for module in frontier:
                self.passed, self.also = [], []
                named = [self._resolve(module, target, 1) for target in self.reexports.get(module, {}).values()]
                for file in (*named, *self._globbed(module)):
                    if file and file != path and file not in found:
                        found[file] = None
                        step.append(file)
            frontier, hops = step, hops + 1
        self.passed, self.also = passed, also
        self._closures[path] = list(found)
        return self._closures[path]

    def resolve(self, path: str, name: str) -> str | None:
        """The file a path written in `path` names (its module, or the module holding the item it names); a glob
        (`a::b::*`) names module a::b, and what it re-exports is `also` reached."""
        self.passed, self.also = [], []
        glob = name.endswith("::*")
        found = self._resolve(path, name.removesuffix("::*"), 0)
        if glob and found is not None:
            self.also.extend(self._closure(found))
        self.also = [file for file in dict.fromkeys(self.also) if file not in (found, path)]
        return found

    def _resolve(self, path: str, name: str, hops: int) -> str | None:
        segments = name.split("::")
        if segments[0] == "":
            segments = segments[1:]  # `::grep::x`: an extern crate
        if not segments:
            return None
        place = self._place(path)
        first = segments[0]
        if first in ("crate", "self", "super"):
            if place is None:
                return None
            root_dir, parts = place
            if first == "crate":
                return self._longest(root_dir, [], segments[1:], 0, hops)
            ups = 0
            while ups < len(segments) and segments[ups] == "super":
                ups += 1
            if ups > len(parts):
                return None  # above the crate root
            if first == "self":
                return self._longest(root_dir, parts, segments[1:], 0, hops)
            return self._longest(root_dir, parts[: len(parts) - ups], segments[ups:], 0, hops)
        if place is not None:  # a child module of the file (Rust 2018 paths)
            found = self._longest(place[0], place[1], segments, 1, hops)
            if found is not None:
                return found
        lib = self.crates.get(first)
        if lib is None:
            return None
        place = self._place(lib)
        return None if place is None else self._longest(place[0], place[1], segments[1:], 0, hops)
