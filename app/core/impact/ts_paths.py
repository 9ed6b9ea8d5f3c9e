"""TypeScript's and JavaScript's path aliases: `compilerOptions.paths` and `baseUrl` of tsconfig.json / jsconfig.json.

A TypeScript application imports most of its own code by an alias its tsconfig.json declares
(`"@server/*": ["./server/*"]`, `"~/*": ["./app/*"]`), not by a relative path: 8,080 of outline's 11,417 imports of
its own files were such aliases, and the dependency graph, which read only `./` and `../` specifiers, found no
caller behind any of them (QA63). The graph reads each config file as a layout file (`summarise`), as it reads
go.mod and composer.json, and resolves a bare specifier as tsc does: the `paths` pattern with the longest prefix
before its `*` (an exact key first), each of its targets in turn, then `baseUrl` joined with the specifier.

Which config governs a file: the nearest one in its directory or above that declares `paths` or `baseUrl`, itself
or through a relative `extends` (a monorepo's project config extending the root's tsconfig.base.json), a
tsconfig.json before the other names in one directory. tsc goes by each config's `include` and by project
references instead; the nearest config is how the configs are laid out in practice.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Iterator

# The names read (a suffix filter picks them out of the tree: GRAPH_SUFFIXES); the first wins in one directory.
CONFIG_NAMES = ("tsconfig.json", "jsconfig.json", "tsconfig.base.json", "tsconfig.app.json")
KEY = "<tsconfig>"  # a config's summary: imports[KEY] is its directory
_BASE = "<tsconfig baseUrl>"  # imports[_BASE]: baseUrl as a repository path
_EXTENDS = "<tsconfig extends>"  # imports[_EXTENDS]: the configs it extends (repository paths, one a line)
_PATHS = "<tsconfig paths>"  # imports[_PATHS + pattern]: the pattern's targets as repository paths, one a line
MAX_EXTENDS = 5  # `extends` hops followed
MAX_PATTERNS = 500  # `paths` entries read per config
_STRING_OR_COMMENT = re.compile(r'("(?:[^"\\\n]|\\.)*")|//[^\n]*|/\*[\s\S]*?\*/')
_STRING_OR_TRAILING_COMMA = re.compile(r'("(?:[^"\\\n]|\\.)*")|,(?=\s*[}\]])')


def _jsonc(text: str) -> object:
    """JSON with comments and trailing commas, as tsc reads a config; None when it is not that."""
    text = _STRING_OR_COMMENT.sub(lambda m: m.group(1) or " ", text)
    text = _STRING_OR_TRAILING_COMMA.sub(lambda m: m.group(1) or "", text)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _repo_path(directory: str, relative: str) -> str:
    """A path written relative to `directory`, as a repository path ("" for the root; may start with `..`)."""
    joined = posixpath.normpath(posixpath.join(directory, relative))
    return "" if joined == "." else joined


def config_layout(path: str, data: bytes) -> dict[str, str]:
    """A config's `baseUrl`, `paths` and relative `extends`, as summary imports (each a repository path)."""
    directory = posixpath.dirname(path)
    layout = {KEY: directory}
    config = _jsonc(data.decode("utf-8-sig", errors="replace"))
    if not isinstance(config, dict):
        return layout
    extends = config.get("extends")
    chain = [extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []
    relative = [_repo_path(directory, e if e.endswith(".json") else f"{e}.json")
                for e in chain if isinstance(e, str) and e.startswith((".", "/"))]
    if relative:
        layout[_EXTENDS] = "\n".join(relative)
    options = config.get("compilerOptions")
    if not isinstance(options, dict):
        return layout
    base_url = options.get("baseUrl")
    if isinstance(base_url, str):
        layout[_BASE] = _repo_path(directory, base_url)
    paths = options.get("paths")
    root = layout.get(_BASE, directory)  # targets are relative to baseUrl, else to the config's directory
    for pattern, targets in list(paths.items())[:MAX_PATTERNS] if isinstance(paths, dict) else ():
        if isinstance(targets, list) and pattern.count("*") <= 1:
            layout[_PATHS + pattern] = "\n".join(_repo_path(root, t) for t in targets
                                                 if isinstance(t, str) and t.count("*") <= 1)
    return layout


class _Options:
    """One config's own settings, read from its summary imports."""

    def __init__(self, imports: dict[str, str]) -> None:
        self.directory = imports[KEY]
        self.base_url = imports.get(_BASE)
        self.extends = imports[_EXTENDS].splitlines() if _EXTENDS in imports else []
        self.paths = {key[len(_PATHS):]: value.splitlines() for key, value in imports.items() if key.startswith(_PATHS)}


class Aliases:
    """The path aliases of every config in a graph: the repository paths a bare specifier may name."""

    def __init__(self, layouts: Iterable[tuple[str, dict[str, str]]]) -> None:
        self._configs = {path: _Options(imports) for path, imports in layouts if KEY in imports}
        self._by_dir: dict[str, list[str]] = {}
        for path in sorted(self._configs, key=lambda p: CONFIG_NAMES.index(posixpath.basename(p))
                           if posixpath.basename(p) in CONFIG_NAMES else len(CONFIG_NAMES)):
            self._by_dir.setdefault(posixpath.dirname(path), []).append(path)
        self._governing: dict[str, tuple[dict[str, list[str]], str | None] | None] = {}

    def __bool__(self) -> bool:
        return bool(self._configs)

    def _effective(self, path: str) -> tuple[dict[str, list[str]], str | None]:
        """A config's `paths` and `baseUrl`, its own or the nearest it extends (each taken whole, as tsc does)."""
        paths: dict[str, list[str]] | None = None
        base_url: str | None = None
        seen: set[str] = set()
        todo = [path]
        while todo and len(seen) <= MAX_EXTENDS:
            current = todo.pop(0)
            options = self._configs.get(current)
            if current in seen or options is None:
                continue
            seen.add(current)
            if paths is None and options.paths:
                paths = options.paths
            if base_url is None:
                base_url = options.base_url
            todo.extend(options.extends)
        return paths or {}, base_url

    def _governing_of(self, directory: str) -> tuple[dict[str, list[str]], str | None] | None:
        """The settings of the nearest config at or above `directory` that has paths or a baseUrl."""
        if directory in self._governing:
            return self._governing[directory]
        found = None
        for path in self._by_dir.get(directory, ()):
            paths, base_url = self._effective(path)
            if paths or base_url is not None:
                found = (paths, base_url)
                break
        if found is None and directory:
            found = self._governing_of(posixpath.dirname(directory))
        self._governing[directory] = found
        return found

    def targets(self, importer: str, specifier: str) -> Iterator[str]:
        """The repository paths (without an extension) a bare specifier in `importer` may name, in tsc's order."""
        governing = self._governing_of(posixpath.dirname(importer))
        if governing is None:
            return
        paths, base_url = governing
        star: str | None = None
        matched: list[str] | None = paths.get(specifier) if "*" not in specifier else None
        if matched is None:
            best = -1
            for pattern, targets in paths.items():
                prefix, wild, suffix = pattern.partition("*")
                if (wild and len(prefix) > best and specifier.startswith(prefix) and specifier.endswith(suffix)
                        and len(specifier) >= len(prefix) + len(suffix)):
                    best, matched = len(prefix), targets
                    star = specifier[len(prefix):len(specifier) - len(suffix)]
        for target in matched or ():
            found = target.replace("*", star, 1) if star is not None else target
            if found and not found.startswith(".."):
                yield posixpath.normpath(found)
        if base_url is not None:
            yield _repo_path(base_url, specifier)
