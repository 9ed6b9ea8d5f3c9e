"""The names a JavaScript/TypeScript file imports and exports, read from its text as the import-level graph
reads it (no parse): enough to follow a barrel from a test to the module it tests.

Hono's tests import what they test from their directory's index (`import { streamSSE } from '.'`), and
the index re-exports it (`export { streamSSE } from './sse'`, or `import { ErrorBoundary } from
'./components'` then `export { ErrorBoundary }`): the test reached index.ts and no further, and sse.ts read
"no test references it" beside sse.test.ts (QA51 #2). Python's re-exports are followed the same way
(graph.py `_Resolver.symbol`, a few hops); a test is still one that references the module, never one that
is merely named after it (a Python `test_x.py` counts for x.py only by what it imports).

`file_names(text)` gives (imports, exports):
- imports: (specifier, name): the name as the imported module exports it; "*" for all of it (`import * as
  ns`, a side-effect `import 'x'`, `import()`, `require()`, `export * from`).
- exports: (exported name, specifier, name there): `export { a as b } from './x'` is ("b", "./x", "a"),
  `export * from './x'` ("*", "./x", "*"), `export * as ns from './x'` ("ns", "./x", "*"), an imported name
  exported again is read as re-exported from where it was imported; a declaration here (`export function
  f`, `export default`) has the specifier "" (it tells which of several `export *` modules a name is from).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

MAX_HOPS = 3  # barrels passed from the module a test imports (Python's re-exports: three hops too)
_ID = r"[A-Za-z_$][\w$]*"
# `... from 'x'`: found by its `from` and read back to the `import` or `export` before it, over a clause
# (names, `* as ns`, braces that may hold comments), never past the previous statement found: linear in the
# text, whatever it holds (a lazy `import[^'"]*?from` took minutes on a quote-free megabyte of "import ")
_FROM = re.compile(r"""\bfrom\s*['"]([^'"\n]+)['"]""")
_KEYWORD = re.compile(r"\b(?:import|export)\s")
_CLAUSE = re.compile(r"""\s*(?:type\s+)?((?:[\w$\s,*]|\{[^{}'"]*\})*)""")
MAX_CLAUSE = 4_000  # characters between the keyword and `from`
_IMPORT_BARE = re.compile(r"""\bimport\s*['"]([^'"\n]+)['"]|\b(?:import|require)\s*\(\s*['"]([^'"\n]+)['"]""")
_EXPORT_LIST = re.compile(r"\bexport\s+(?:type\s+)?\{([^{}]*)\}(?!\s*from\b)")
_EXPORT_DECLARED = re.compile(
    rf"\bexport\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?"
    rf"(?:function\s*\*?|class|const|let|var|interface|type|enum|namespace)\s+({_ID})")
_EXPORT_DEFAULT = re.compile(r"\bexport\s+default\b")
_NAMESPACE = re.compile(rf"\*\s*as\s+({_ID})")
_AS = re.compile(r"\s+as\s+")
_NAME = re.compile(_ID)
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)

Imports = list[tuple[str, str]]
Exports = list[tuple[str, str, str]]


def _listed(braces: str) -> list[tuple[str, str]]:
    """(name, alias) of `{ a, b as c, type d }` (its inside)."""
    out = []
    for item in _COMMENT.sub(" ", braces).split(","):
        item = item.strip()
        if item.startswith("type "):
            item = item[5:].strip()
        parts = _AS.split(item, maxsplit=1)
        name, alias = (parts[0], parts[1]) if len(parts) == 2 else (item, item)
        if _NAME.fullmatch(name) and _NAME.fullmatch(alias):
            out.append((name, alias))
    return out


def _clause(clause: str) -> list[tuple[str, str]]:
    """(name imported, local name) of an import clause: `D`, `{ a as b }`, `* as ns`, `D, { a }`."""
    brace = clause.find("{")
    names = _listed(clause[brace + 1:clause.rfind("}")]) if brace >= 0 else []
    rest = clause[:brace] if brace >= 0 else clause
    namespace = _NAMESPACE.search(rest)
    if namespace:
        names.append(("*", namespace.group(1)))
    default = _NAME.match(rest.strip())
    if default and default.group() != "type":
        names.append(("default", default.group()))
    return names


def _statements(text: str) -> list[tuple[str, str, str]]:
    """(keyword, clause, specifier) of every `import <clause> from 'x'` and `export <clause> from 'x'`."""
    found = []
    done = 0
    for source in _FROM.finditer(text):
        window = text[max(done, source.start() - MAX_CLAUSE):source.start()]
        done = source.end()
        keywords = _KEYWORD.findall(window)
        if not keywords:
            continue
        start = window.rfind(keywords[-1]) + len(keywords[-1])  # the last keyword's whitespace is the clause's
        clause = _CLAUSE.fullmatch(window, start)
        if clause is not None:
            found.append((keywords[-1].strip(), clause.group(1).strip(), source.group(1)))
    return found


def file_names(text: str) -> tuple[Imports, Exports]:
    """What one file imports by name and exports (see the module docstring)."""
    imports: Imports = []
    exports: Exports = []
    bound: dict[str, tuple[str, str]] = {}  # local name -> (specifier, name there)
    for keyword, clause, spec in _statements(text):
        if keyword == "import":
            names = _clause(clause)
            for name, local in names:
                imports.append((spec, name))
                bound[local] = (spec, name)
            if not names:  # `import type {} from '..'` (a module augmented): the module as a whole
                imports.append((spec, "*"))
        elif clause.startswith("*"):
            namespace = _NAMESPACE.search(clause)
            exports.append((namespace.group(1) if namespace else "*", spec, "*"))
            imports.append((spec, "*"))
        elif clause.startswith("{") and clause.endswith("}"):
            for name, alias in _listed(clause[1:-1]):
                exports.append((alias, spec, name))
                imports.append((spec, name))
    for found in _IMPORT_BARE.finditer(text):
        imports.append((found.group(1) or found.group(2), "*"))
    for found in _EXPORT_LIST.finditer(text):
        for name, alias in _listed(found.group(1)):
            spec, there = bound.get(name, ("", name))
            exports.append((alias, spec, there))
    exports += [(name, "", name) for name in _EXPORT_DECLARED.findall(text)]
    if _EXPORT_DEFAULT.search(text):
        exports.append(("default", "", "default"))
    return list(dict.fromkeys(imports)), list(dict.fromkeys(exports))


Resolve = Callable[[str, str], "str | None"]  # (importing path, specifier) -> the imported file's path


def sources(path: str, name: str, exports: Mapping[str, Sequence[tuple[str, str, str]]], resolve: Resolve,
            hops: int = 0) -> set[str]:
    """The files `name`, imported from `path`, is re-exported from, as far as MAX_HOPS barrels ("*": every file
    `path` re-exports). `exports`: each file's exports (file_names); `path` itself is not in the answer."""
    found: set[str] = set()
    own = exports.get(path, ())
    if hops >= MAX_HOPS or not own:
        return found
    named = {exported for exported, _, _ in own if exported != "*"}
    for exported, spec, there in own:
        if not spec or not (name == "*" or exported == name or (exported == "*" and name not in named)):
            continue
        target = resolve(path, spec)
        if target is None or target == path:
            continue
        wanted = name if exported == "*" else there
        inner = sources(target, wanted, exports, resolve, hops + 1)
        if exported == "*" and name != "*" and not inner and not _declares(exports.get(target, ()), name):
            continue  # `export * from './a'`: only the module the name is from
        found |= inner | {target}
    found.discard(path)
    return found


def _declares(exports: Sequence[tuple[str, str, str]], name: str) -> bool:
    return any(exported == name for exported, _, _ in exports)
