"""The dependency graph of a commit read only as far as the questions asked of it need (issue 18).

A cold `list` of one small change summarised every Python file of the base (ansible: 1,555 files, 2 s
of parsing) to answer who calls the dozen symbols it altered. A file that references a symbol names it
in its text, so `LazyGraph` keeps an index of the identifiers each file contains (one read of every
file, a tenth of the parsing) and, asked who calls a symbol, parses and resolves only the files that
name it; a walk of transitive callers asks again for each caller it reaches.

What the names must be, from how graph.py resolves a reference (`_Resolver`): the segments after the
first of a symbol's qualified name (`method` of `Class.method`) come from the referencing name itself;
the first may come from an import's original name, renamed on the way by `from m import a as b`
(in the referencing file or a re-exporting module). So a reference to `m:Class.method` is in a file
that contains `method` and one of `Class`'s aliases (`Class` and every name some import binds it, or
one of those, to: found in the files that name it followed by `as`), and its dotted name has those
segments: only such references are resolved, with the modules they lead to read as resolution asks.
An import of module `a.b` names `b`, or is a relative import inside `a.b`'s package. Identifiers are
read as Python reads them (NFKC) in a file that is not ASCII.

Every answer is the whole graph's (tests/unit/test_lazy_graph.py compares them); import-level files
(JavaScript, Go) are all read at once, as they cost no parse. When the questions have read most
files, the rest are read and the graph is built whole. Such a graph is never cached as a commit's
graph (`to_dict` refuses): the per-file summaries it reads are cached as the whole build's are.
"""

from __future__ import annotations

import io
import re
import threading
import tokenize
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, NamedTuple

from app.core.impact.graph import (
    GRAPH_SUFFIXES,
    MODULE_LEVEL,
    PY_SUFFIXES,
    FileSummary,
    Graph,
    Symbol,
    _Resolver,
    _targets,
    is_layout,
    mark_test_modules,
    module_name,
    summarise,
    summarise_python,
)

FULL_SHARE = 0.5  # past this share of the Python files read, the rest are read and the graph built whole
REACH = 5  # modules a resolution passes (resolve(), then symbol()'s three hops), and one to spare
_WORD_BYTES = bytes(c if chr(c).isascii() and (chr(c).isalnum() or c == ord("_")) else ord(" ") for c in range(256))
_NAME = re.compile(r"[^\W\d]\w*")
_ASCII_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")  # what bytes' \w is
_WORD_OR_STAR = re.compile(rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*|\*")  # a non-ASCII byte: a UTF-8 letter
_COMMENT = re.compile(rb"#[^\n]*")
_PAREN_OR_COMMENT = re.compile(rb"[)#]")


def _decoded(data: bytes) -> str:
    """The text of a Python file as the interpreter decodes it (its coding cookie or BOM, else UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


def identifiers(data: bytes) -> set[bytes]:
    """Every word a file's text could name an identifier with (UTF-8 bytes): a superset of its
    identifiers; a file with non-ASCII text adds its words read as Python reads identifiers (NFKC)."""
    # runs of [A-Za-z0-9_] (a C-speed split: a regex was half the index's time), and those that start
    # with a digit without it (`1if`: a number, then a keyword)
    words = set(data.translate(_WORD_BYTES).split())
    words.update([word.lstrip(b"0123456789") for word in words if word[:1].isdigit()])
    words.discard(b"")
    if not data.isascii():
        normal = unicodedata.normalize("NFKC", _decoded(data))
        words.update(word.encode("utf-8") for word in _NAME.findall(normal))
    return words


class ImportWords(NamedTuple):
    """What `import_words` finds in a file."""

    sources: set[bytes]  # the words after a `from`: (a, b) of `from a.b import c as d`
    names: set[bytes]  # the words after an `import`: (c, as, d)
    star: bool  # a `*` after an `import`
    aliases: set[tuple[bytes, bytes]]  # (c, d): a word, and the word after the `as` after it


def import_words(data: bytes) -> ImportWords:
    """The words of the import statements of a file, and more: each whole line with `from` or `import`
    on it (lines joined at a backslash), and a parenthesised list after one up to its `)`, comments left
    out, in one pass."""
    text = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\\\n", b" ")
    found = ImportWords(set(), set(), False, set())
    star = False
    at = 0
    while (keyword := _next_keyword(text, at)) is not None:
        keyword_at, keyword_end = keyword
        start = text.rfind(b"\n", 0, keyword_at) + 1
        end = text.find(b"\n", keyword_end)
        end = len(text) if end < 0 else end
        opening = text.find(b"(", keyword_end, end)
        if opening >= 0:
            end = text.find(b"\n", _closing(text, opening))
            end = len(text) if end < 0 else end
        into: set[bytes] | None = None
        words = _WORD_OR_STAR.findall(_COMMENT.sub(b"", text[start:end]))
        for i, word in enumerate(words):
            if word in (b"from", b"import"):
                into = found.sources if word == b"from" else found.names
            elif word == b"*":
                star = star or into is found.names
            elif into is not None:
                into.add(word)
                if word == b"as" and 0 < i < len(words) - 1:
                    found.aliases.add((words[i - 1], words[i + 1]))
        at = max(end, keyword_end)
    return found._replace(star=star)


def _next_keyword(text: bytes, at: int) -> tuple[int, int] | None:
    """(start, end) of the first `from` or `import` from `at` on that is a whole word (as `\\b(?:from|import)\\b`
    finds it, with bytes.find instead of the regex: the index's import statements in half the time)."""
    found: tuple[int, int] | None = None
    for keyword in (b"from", b"import"):
        limit = len(text) if found is None else found[0]
        position = text.find(keyword, at, limit)
        while position >= 0:
            end = position + len(keyword)
            if (position == 0 or text[position - 1] not in _ASCII_WORD) and \
                    (end == len(text) or text[end] not in _ASCII_WORD):
                found = (position, end)
                break
            position = text.find(keyword, position + 1, limit)
    return found


def _closing(text: bytes, opening: int) -> int:
    """Where the `)` closing this `(` of an import list is (comments skipped), or the end of the text."""
    at = opening + 1
    while (found := _PAREN_OR_COMMENT.search(text, at)) is not None:
        if found.group() == b")":
            return found.end()
        at = text.find(b"\n", found.end())
        if at < 0:
            break
    return len(text)


class NameIndex:
    """Which files (by number) contain each identifier, and which have it in an import statement,
    after its `from` or after its `import` (`import_words`)."""

    def __init__(self) -> None:
        self.files: dict[bytes, list[int]] = {}
        self.sources: dict[bytes, list[int]] = {}
        self.names: dict[bytes, list[int]] = {}
        self.stars: set[int] = set()
        self.aliases: dict[str, set[str]] = {}  # word -> the words an import binds it to (`as`), ASCII files
        self.count = 0
        self.not_ascii: set[int] = set()
        # each look-up's answer, kept: a walk of callers asks the same names thousands of times (saleor: 164,000
        # look-ups, 2 s, for 2 changed functions), and each answer copied its posting list into a new set
        self._found: dict[tuple[int, str], frozenset[int]] = {}

    def add(self, data: bytes) -> int:
        self._found.clear()
        number = self.count
        self.count += 1
        if not data.isascii():
            self.not_ascii.add(number)
        files = self.files
        for word in identifiers(data):  # (setdefault made a list for every word: a fifth of the index's time)
            having = files.get(word)
            if having is None:
                files[word] = [number]
            else:
                having.append(number)
        # a non-ASCII file's import statements as Python reads their names (NFKC), as UTF-8
        words = import_words(data if data.isascii() else unicodedata.normalize("NFKC", _decoded(data)).encode())
        for word in words.sources:
            self.sources.setdefault(word, []).append(number)
        for word in words.names:
            self.names.setdefault(word, []).append(number)
        if words.star:
            self.stars.add(number)
        for word, alias in words.aliases:
            self.aliases.setdefault(word.decode(errors="replace"), set()).add(alias.decode(errors="replace"))
        return number

    def having(self, name: str) -> frozenset[int]:
        """The files that contain `name` (every file, for a name the index cannot hold)."""
        return self._look_up(0, name)

    def importing_from(self, name: str) -> frozenset[int]:
        """The files that may import from a module named `name` (`from a.name import ...`)."""
        return self._look_up(1, name)

    def importing(self, name: str) -> frozenset[int]:
        """The files that may import `name` itself (`import a.name`, `from a import name [as b]`)."""
        return self._look_up(2, name)

    def _look_up(self, kind: int, name: str) -> frozenset[int]:
        """The files the words of `kind` (0 files, 1 sources, 2 names) have for `name`, and every non-ASCII
        file that contains it (whose words are not read as Python reads them); every file, for a name the
        index cannot hold."""
        known = self._found.get((kind, name))
        if known is not None:
            return known
        if not _NAME.fullmatch(name):
            found = frozenset(range(self.count))
        else:
            key = name.encode("utf-8")
            words = (self.files, self.sources, self.names)[kind]
            found = frozenset(words.get(key, ()))
            if self.not_ascii and kind:
                found |= frozenset(self.files.get(key, ())) & self.not_ascii
        self._found[(kind, name)] = found
        return found


def _segments(qual: str) -> list[str] | None:
    """The names of a qualified name; None when one is no identifier (`<module>`): no reference names it."""
    parts = qual.split(".")
    return parts if all(part.isidentifier() for part in parts) else None


class LazyGraph(Graph):
    """A Graph whose callers, tests and importers are complete for whatever was asked (see the module)."""

    def __init__(self, files: Sequence[tuple[str, int]], index: NameIndex, lines: int,
                 load: Callable[[list[str]], dict[str, FileSummary]],
                 at_once: Iterable[FileSummary]) -> None:
        """`files`: the graph's files in tree order, (path, number in `index`; -1 for an import-level
        file); `load(paths)` their summaries; `at_once`: the summaries of
        the import-level files."""
        super().__init__(lines=lines, files=len(files))
        self._order = [path for path, _ in files]
        self._number = {path: number for path, number in files if number >= 0}
        self._by_number = {number: path for path, number in self._number.items()}
        self._units: dict[str, list[str]] = {}  # module -> its files, in tree order
        for path in self._order:
            module = module_name(path)
            self._units.setdefault(module, []).append(path)
            self.modules[module] = path
        self._python_modules = {module_name(path) for path in self._number}
        self._index, self._load = index, load
        self._summaries: dict[str, FileSummary] = {s.path: s for s in at_once}
        self._units_read: set[str] = set()
        self._asked: set[str] = set()  # ids whose callers and tests are complete
        self._asked_importers: set[str] = set()
        self._aliases: dict[str, set[str]] = {}
        self._whole = False
        self._lock = threading.RLock()
        self.parsed = 0  # Python files read (parsed, or their summaries taken from the cache)
        self._resolver = _LazyResolver(self, [s for s in self._summaries.values() if is_layout(s)])
        self._packages: dict[str, set[int]] = {}  # "a.b." -> the Python files whose module starts so
        for path, number in self._number.items():
            parts = module_name(path).split(".")
            for i in range(1, len(parts)):
                self._packages.setdefault(".".join(parts[:i]) + ".", set()).add(number)
        self._reaches: dict[tuple[str, str, bool], set[int]] = {}  # `_reach`'s answers
        self._entries: dict[str, tuple[set[int], set[int], set[int]]] = {}  # `_importers_of`'s answers
        self._carried: dict[frozenset[str], frozenset[int]] = {}  # `_carrying`'s answers
        self._insides: dict[str, frozenset[int]] = {}  # `_inside`'s answers
        self._module_of = {number: module_name(path) for number, path in self._by_number.items()}
        self._named_by_level: dict[str, set[str]] = {}  # module -> the import-level modules whose imports name it
        for summary in self._summaries.values():
            for target in summary.imports.values():
                if (named := self._resolver.module(target.partition(":")[0])) is not None:
                    self._named_by_level.setdefault(named, set()).add(summary.module)
        self.test_files = mark_test_modules(self._resolver, self._summaries.values())
        for summary in self._summaries.values():  # import-level files: every reference, once
            self._link(self._resolver, summary, summary.refs)
        self._link_reexports(self._resolver, list(self._summaries.values()))
        self._link_go_tests(self._summaries.values())
        self._link_js_tests(self._summaries.values())
        self._link_view_tests(self._summaries.values())
        self._link_heirs(self._resolver, list(self._summaries.values()))

    whole = False

    def to_dict(self) -> dict[str, Any]:
        raise TypeError("a graph read as far as its questions needed is no commit's whole graph")

    # -- the questions, completed first -----------------------------------------------------------
    def callers_of(self, target: str) -> AbstractSet[str]:
        with self._lock:
            self._complete_callers([target])
            return super().callers_of(target)

    def tests_of(self, sid: str) -> AbstractSet[str]:
        with self._lock:
            self._complete_callers([sid])
            return super().tests_of(sid)

    def importers_of(self, module: str) -> AbstractSet[str]:
        with self._lock:
            self._complete_importers([module])
            return super().importers_of(module)

    def referenced_by(self, summary: FileSummary) -> set[str]:
        with self._lock:
            return _targets(self._resolver, summary)

    def symbols_in(self, path: str) -> list[Symbol]:
        module = module_name(path)
        with self._lock:
            self._read_units([module])
            return [s for s in self.symbols.values() if s.path == path and s.module == module]

    def _ahead(self, queue: deque[str], module: bool) -> None:
        """Complete what a walk's queued steps ask, all at once (one look-up per level of the walk):
        when the next step is complete, so is every step queued before the last batch."""
        head, _, qual = queue[0].partition(":")
        if queue[0] in self._asked and not (module and qual == MODULE_LEVEL and head not in self._asked_importers):
            return
        with self._lock:
            self._complete_callers([sid for sid in queue if sid not in self._asked])
            if module:
                self._complete_importers([owner for owner, _, qual in (sid.partition(":") for sid in queue)
                                          if qual == MODULE_LEVEL and owner not in self._asked_importers])

    # -- completing ---------------------------------------------------------------------------------
    def _complete_callers(self, ids: Iterable[str]) -> None:
        wanted: dict[str, tuple[str, set[str], list[str]]] = {}  # id -> (first name, its aliases, other names)
        for sid in ids:
            if sid in self._asked:
                continue
            self._asked.add(sid)
            module, _, qual = sid.partition(":")
            parts = _segments(qual) if module in self._python_modules else None
            if parts and not self._whole:  # else: no Python reference names it (or all were read)
                wanted[sid] = (parts[0], self._aliases_of(parts[0]), parts[1:])
        if not wanted:
            return
        files: dict[int, list[tuple[set[str], list[str]]]] = {}
        for sid, (first, aliases, rest) in wanted.items():
            having = set().union(*(self._index.having(name) for name in aliases))
            for name in rest:
                having &= self._index.having(name)
            having &= self._reach(sid.partition(":")[0], first, not rest)
            for number in having:
                files.setdefault(number, []).append((aliases, rest))
        paths = [self._by_number[number] for number in sorted(files)]
        if not self._read_files(paths):
            return  # read whole
        for path in paths:
            needs = files[self._number[path]]
            summary = self._summaries[path]
            refs = [(owner, name) for owner, name in summary.refs
                    if any(_names(name, aliases, rest) for aliases, rest in needs)]
            self._link(self._resolver, summary, refs)

    def _complete_importers(self, modules: Iterable[str]) -> None:
        todo = [m for m in modules if m not in self._asked_importers]
        self._asked_importers.update(todo)
        if not todo or self._whole:
            return
        numbers = set().union(*(self._namers(module) for module in todo))
        paths = [self._by_number[number] for number in sorted(numbers)]
        if self._read_files(paths):
            for path in paths:
                self._link_imports(self._resolver, self._summaries[path])

    def _reach(self, module: str, first: str, shrinks: bool) -> set[int]:
        """The Python files whose references could resolve to a symbol of `module` whose first name is
        `first` (`shrinks`: it has no other). How graph.py resolves: the referencing file binds a name
        by an import (of a module, or of a name from one), and from that module (M0) `_Resolver.symbol`
        follows at most three hops to the symbol's module, each through the imports of the module it is
        in: a name imported from the next module (renamed or not), a `*`, or a module imported as a
        name (which takes the first name off the dotted name followed, as going to a submodule by name
        does). A dotted name has at most two names, so a symbol with one takes at most one such step,
        one with two none. So, backwards from `module`, the states (module, the names the dotted name
        may start with there, a step off still possible), and the files whose imports enter each."""
        key = (module, first, shrinks)
        known = self._reaches.get(key)
        if known is not None:
            return known
        files = {self._number[path] for path in self._units.get(module, ()) if path in self._number}
        level = [(module, frozenset(self._aliases_of(first)), shrinks)]
        seen = set(level)
        for depth in range(REACH + 1):
            following: list[tuple[str, frozenset[str], bool]] = []
            for state in level:
                files |= self._entering(*state[:2])
                if depth < REACH:
                    following.extend(step for step in self._passing(*state) if step not in seen)
            if not following:
                break
            seen.update(following)
            level = list(dict.fromkeys(following))
        self._reaches[key] = files
        return files

    def _entering(self, module: str, names: frozenset[str]) -> set[int]:
        """The files that name one of `names` and whose imports could bind it from `module`, or bind
        `module` itself (`import a.m`, `from a import m`, relative imports inside it or its package)."""
        named = set().union(*(self._index.having(name) for name in names))
        if not named:
            return named
        imports_from, imports_it, inside = self._importers_of(module)
        carrying = self._carrying(names)
        return named & ((imports_from & carrying) | imports_it | inside)

    def _passing(self, module: str, names: frozenset[str], shrinks: bool) -> list[tuple[str, frozenset[str], bool]]:
        """The states one hop back from a state: the modules whose imports pass one of `names` on from
        `module` (the names stay), or, while a step off is possible, bind `module` as a name (that name
        then), and the packages whose submodule it is (its last name then)."""
        imports_from, imports_it, inside = self._importers_of(module)
        carrying = self._carrying(names)
        steps = [(self._module_of[n], names, shrinks) for n in (imports_from | inside) & carrying]
        if not shrinks:
            return steps
        last = module.rsplit(".", 1)[-1]
        bound = self._aliases_of_all({last})  # what an import binds the module to: its name or an alias
        steps.extend((self._module_of[n], bound, False) for n in imports_it | inside)
        for level in self._named_by_level.get(module, ()):  # an import-level file binds its imports as names
            words = {t for t in self._summaries[self.modules[level]].imports if t.isidentifier()}
            steps.append((level, self._aliases_of_all(words), False))
        parts = module.split(".")
        for i in range(len(parts) - 1):
            package = ".".join(parts[i:-1])
            if package in self.modules:
                steps.append((package, self._aliases_of_all({last}), False))
        return steps

    def _importers_of(self, module: str) -> tuple[set[int], set[int], set[int]]:
        """(files that may import a name from `module`, files that may import it as a module, files
        whose relative imports may do either), by their import statements' words (`import_words`): an
        absolute import names a module by its whole name or by enough of its last names to tell it from
        every other (`_Resolver.module`), all of them in the statement."""
        known = self._entries.get(module)
        if known is not None:
            return known
        parts = module.split(".")
        last = parts[-1]
        words = self._telling(module)
        if all(word.isidentifier() for word in words):
            imports_from = set(frozenset.intersection(*(self._index.importing_from(w) for w in words)))
            imports_it = set(frozenset.intersection(*(self._index.importing_from(w) | self._index.importing(w)
                                                      for w in words)) & self._index.importing(last))
        else:
            imports_from, imports_it = set(), set()
        # a relative import: `from . import x` inside it; `from .m import x` or `from . import m` inside
        # its package; `from ...pkg.m import x` inside a package further up
        inside = set(self._inside(module))
        if last.isidentifier() and len(parts) > 1:
            naming = self._index.importing(last) | self._index.importing_from(last)
            inside |= set().union(*(self._inside(".".join(parts[:i])) for i in range(1, len(parts)))) & naming
        self._entries[module] = (imports_from, imports_it, inside)
        return imports_from, imports_it, inside

    def _carrying(self, names: frozenset[str]) -> frozenset[int]:
        """The files that may import one of `names` (or `*`)."""
        known = self._carried.get(names)
        if known is None:
            known = self._carried[names] = frozenset(self._index.stars.union(*map(self._index.importing, names)))
        return known

    def _aliases_of_all(self, names: Iterable[str]) -> frozenset[str]:
        return frozenset().union(*(self._aliases_of(name) for name in names if name.isidentifier()))

    def _namers(self, module: str) -> set[int]:
        """The Python files whose text could lead a resolution into `module`: they contain its last name
        (in an import of it or of a module it ends with, or as a submodule's name), or are inside it or
        inside a package its name ends with (a relative import, which names no module)."""
        last = module.rsplit(".", 1)[-1]
        return set().union(self._inside(module), self._index.having(last) if last.isidentifier() else ())

    def _telling(self, module: str) -> list[str]:
        """The fewest last names of `module` that a module name an import gives must end with to be
        taken for it: its shortest suffix no other module has, or all of it."""
        parts = module.split(".")
        for i in range(len(parts) - 1, 0, -1):
            if self._resolver.suffixes.get(".".join(parts[i:])) == module:
                return parts[i:]
        return parts

    def _inside(self, module: str) -> frozenset[int]:
        """The Python files in `module`'s package, or in a package its name ends with (`from .. import
        x` names `a.b`, and `_Resolver.module` takes `x.a.b` for it when there is no `a.b`)."""
        known = self._insides.get(module)
        if known is None:
            parts = module.split(".")
            known = self._insides[module] = frozenset().union(
                *(self._packages.get(".".join(parts[i:]) + ".", ()) for i in range(len(parts))))
        return known

    def _aliases_of(self, name: str) -> set[str]:
        """`name` and every name an import binds it (or one of these) to, anywhere: `from m import name
        as b`, and `import a.name as b` (a module): `name as b` in an import statement (`import_words`)."""
        known = self._aliases.get(name)
        if known is not None:
            return known
        aliases, todo = {name}, [name]
        while todo:
            found = self._index.aliases.get(todo.pop(), set()) - aliases
            todo.extend(found)
            aliases |= found
        self._aliases[name] = aliases
        return aliases

    # -- reading ------------------------------------------------------------------------------------
    def _read_files(self, paths: Sequence[str], *, whole: bool = True) -> bool:
        """Have these files' summaries; False when that read the whole graph instead (`whole`: may)."""
        missing = [path for path in paths if path not in self._summaries]
        if whole and not self._whole and self.parsed + len(missing) > FULL_SHARE * len(self._number):
            self._read_whole()
            return False
        if missing:
            self._summaries.update(self._load(missing))
            self.parsed += len(missing)
        return True

    def _read_units(self, modules: Iterable[str]) -> None:
        """Have the symbols of these modules (of every file that names each, as Graph.build has)."""
        todo = [m for m in modules if m not in self._units_read and m in self._units]
        if not todo:
            return
        self._read_files([path for module in todo for path in self._units[module]], whole=False)
        for module in todo:
            self._units_read.add(module)
            for path in self._units[module]:
                summary = self._summaries[path]
                for d in summary.defs:
                    sid = f"{summary.module}:{d.qual}"
                    self.symbols[sid] = Symbol(sid, summary.path, d.kind, d.line, d.end_line, d.signature, d.body)

    def _read_whole(self) -> None:
        """Read every file and become the whole graph (Graph.build's answers for everything)."""
        self._whole = True
        self._read_files(self._order, whole=False)
        whole = Graph.build((self._summaries[path] for path in self._order), self.lines)
        self.symbols, self.callers, self.tests = whole.symbols, whole.callers, whole.tests
        self.importers, self.unparsed = whole.importers, whole.unparsed
        self._units_read.update(self._units)


class LazyParts(NamedTuple):
    """What a LazyGraph is made of besides its loader: one read of every file (`lazy_parts`), which a
    worker process can make and send (the index of ansible's 1,555 Python files: 0.5 s to build, 1.6 MB
    to send, 0.05 s to receive)."""

    order: list[tuple[str, int]]  # the graph's files in tree order: (path, number in `names`; -1: import-level)
    names: NameIndex
    lines: int
    at_once: list[list[Any]]  # the import-level files' summaries (FileSummary.to_list)


def lazy_parts(files: Iterable[tuple[str, bytes]]) -> LazyParts:
    """The parts of the graph of these (path, content) files, in tree order: each content is indexed
    and let go."""
    index, order, at_once, lines = NameIndex(), [], [], 0
    for path, data in files:
        if not path.endswith(GRAPH_SUFFIXES):
            continue
        lines += data.count(b"\n")
        if path.endswith(PY_SUFFIXES):
            order.append((path, index.add(data)))
        elif (summary := summarise(path, data)) is not None:
            order.append((path, -1))
            at_once.append(summary.to_list())
    return LazyParts(order, index, lines, at_once)


def graph_of(parts: LazyParts, load: Callable[[list[str]], dict[str, FileSummary]]) -> LazyGraph:
    """The graph made of `parts`; `load(paths)` gives the summaries of Python files (summarise_python's)."""
    return LazyGraph(parts.order, parts.names, parts.lines, load, [FileSummary.from_list(s) for s in parts.at_once])


def lazy_graph(files: Iterable[tuple[str, bytes]], load: Callable[[list[str]], dict[str, FileSummary]]) -> LazyGraph:
    """The graph of these (path, content) files, in tree order (build_graph's, read as asked): each
    content is indexed and let go; `load(paths)` gives the summaries of Python files (summarise_python's)."""
    return graph_of(lazy_parts(files), load)


def lazy_graph_in_process(files: Sequence[tuple[str, bytes]]) -> LazyGraph:
    """lazy_graph over files held in memory, parsed in this process."""
    contents = dict(files)
    return lazy_graph(files, lambda paths: {path: summarise_python(path, contents[path]) for path in paths})


def _names(name: str, aliases: set[str], rest: list[str]) -> bool:
    """Whether a dotted name could resolve to a symbol whose first name is one of `aliases` and whose
    other names are `rest`."""
    parts = name.split(".")
    return not aliases.isdisjoint(parts) and all(part in parts for part in rest)


class _LazyResolver(_Resolver):
    """The graph's resolver, reading each module it looks into when it first does."""

    def __init__(self, graph: LazyGraph, go_files: list[FileSummary]) -> None:
        self.lazy = graph
        self._index(graph, graph.modules, go_files)

    def _summary(self, module: str) -> FileSummary | None:
        path = self.lazy.modules.get(module)
        if path is None:
            return None
        self.lazy._read_units([module])
        return self.lazy._summaries[path]

    def _rust_summaries(self) -> list[tuple[str, dict[str, str]]]:
        return [(s.path, s.imports) for s in self.lazy._summaries.values() if s.path.endswith(".rs")]

    def _has_symbol(self, sid: str) -> bool:
        self.lazy._read_units([sid.partition(":")[0]])
        return sid in self.lazy.symbols
