"""Java and PHP in the dependency graph, at file level (graph.py reads JavaScript and Go at import level the same way):
a Java or PHP file is one class, named by its package or namespace and its file name, and its dependents are the
files that name it. Read from the text, comments and string literals left out, never run.

Java: `import a.b.C;` (and `import static a.b.C.m;`) names a.b.C; every other capitalised word names a class of the
file's own package if one is in the repository, else one of a `import a.b.*;` package (as the compiler looks them up:
single-type imports, then the package, then on-demand imports). A class is found by its path ending with its
package's directories (`org/x/Foo.java`), the nearest to the naming file where several do.

C#: a file declares types in a namespace (`namespace Bit.Core.Services;` or a block), and names a type by its bare
word where its namespace, a parent of it or a `using` one holds it. A word is found as the file named for it
(`UserService.cs`, the convention of one type a file); where several are, the one whose path holds the most parts of
the naming file's namespace and usings (`using Bit.Infrastructure.EntityFramework.Models;`), then the nearest.
Dependency injection makes a service's callers name its interface (`IUserService`): they depend on IUserService.cs.

PHP: `use A\\B\\C [as D];` (and `use A\\{B, C as D};`) names A\\B\\C; a class name in the code is read as PHP reads it
(`\\A\\B` fully qualified; `D\\E` through the `use` alias D, else in the file's namespace; a bare `Foo` in the
namespace). A class is found by composer.json's PSR-4 `autoload` and `autoload-dev` prefixes (its directory in the
repository), else by the path ending with its name's last parts (two or more). A Blade template (`*.blade.php`) names
the classes it writes fully qualified, and the views it includes or extends (`@include('books.parts.x')`); a PHP
file names the views it renders (`view('books.show')`): `resources/views/books/show.blade.php`.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Sequence

JAVA_PACKAGE_KEY = "<java package>"  # a Java file's summary: imports[JAVA_PACKAGE_KEY] is its package
PSR4_KEY = "<psr-4>"  # a composer.json's summary: imports[PSR4_KEY + prefix] is the prefix's directories, one a line
CS_NAMESPACE_KEY = "<c# namespace>"  # a C# file's summary: imports[CS_NAMESPACE_KEY] is its namespace
JAVA_REF, JAVA_NAME, PHP_REF, VIEW_REF, CS_NAME = "java:", "java~", "php:", "view:", "cs~"
MAX_NAMES = 2_000  # class names read per file
WORDS_KEY = "<words>"  # a Java file's summary: imports[WORDS_KEY] is the words its code writes, space-separated
MAX_WORDS = 5_000  # words kept per Java file (members.py: which dependents name an altered member)

# comments and string literals, each string's loop unrolled (`"[^"\\]*(?:\\.[^"\\]*)*"`): three times faster
_JAVA_NOISE = re.compile(r'"""[\s\S]*?"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\\\n]*(?:\\.[^\'\\\n]*)*\''
                         r"|//[^\n]*|/\*[\s\S]*?\*/")
_JAVA_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
_JAVA_IMPORT = re.compile(r"^\s*import\s+(static\s+)?([\w.]+?)(\.\*)?\s*;", re.M)
_CLASS_WORD = re.compile(r"\b[A-Z]\w*")
_JAVA_WORD = re.compile(r"\b[A-Za-z_$][\w$]*")
# C#'s verbatim strings (`@"C:\\dir\\"`: a backslash escapes nothing) and its other strings, chars and comments
_CS_NOISE = re.compile(r'@\$?"[^"]*(?:""[^"]*)*"|\$?@"[^"]*(?:""[^"]*)*"|"""[\s\S]*?"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
                       r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|//[^\n]*|/\*[\s\S]*?\*/")
_CS_NAMESPACE = re.compile(r"^\s*namespace\s+([\w.]+)\s*[;{]?", re.M)
_CS_USING = re.compile(r"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:(\w+)\s*=\s*)?([\w.]+)(?:<[^;>]*>)?\s*;", re.M)
_PHP_NOISE = re.compile(r"'[^'\\]*(?:\\.[^'\\]*)*'|\"[^\"\\]*(?:\\.[^\"\\]*)*\"|//[^\n]*|#(?!\[)[^\n]*|/\*[\s\S]*?\*/")
_PHP_NAMESPACE = re.compile(r"^\s*namespace\s+([\w\\]+)\s*[;{]", re.M)
_PHP_USE = re.compile(r"^use\s+(function\s+|const\s+)?([^;]+);", re.M)  # at the top level: a trait's `use` is indented
_PHP_NAME = re.compile(r"(?<![\w\\$])(?<!->)(?<!::)\\?[A-Za-z_]\w*(?:\\[A-Za-z_]\w*)*")
_PHP_QUALIFIED = re.compile(r"(?<![\w\\])\\[A-Za-z_]\w*(?:\\[A-Za-z_]\w*)+")
_VIEW = re.compile(r"""(?:@(?:include|includeIf|extends|component|each|includeFirst)|\bview|View::make)"""
                   r"""\s*\(\s*\[?\s*['"]([\w.\-/]+)['"]""")
_BLADE_SUFFIX = ".blade.php"


# -- one file -----------------------------------------------------------------------------------------------------
def java_refs(path: str, text: str) -> tuple[str, list[str], list[str], list[str]]:
    """(package, references, on-demand imported packages, the words its code writes) of a Java file."""
    code = _JAVA_NOISE.sub(" ", text)
    found = _JAVA_PACKAGE.search(code)
    package = found.group(1) if found else ""
    refs: list[str] = []
    stars: list[str] = []
    imported: set[str] = set()
    last = code.rfind("import ")  # the package and imports come first: the regexes read only that far
    end = code.find(";", last) + 1 if last >= 0 else (found.end() if found else 0)
    head, body = code[:end], code[end:]
    for match in _JAVA_IMPORT.finditer(head):
        name = match.group(2)
        if match.group(3) and not match.group(1):
            stars.append(name)
            continue
        refs.append(JAVA_REF + name)
        if not match.group(1):
            imported.add(name.rsplit(".", 1)[-1])
    own = posixpath.basename(path).removesuffix(".java")
    words = dict.fromkeys(_CLASS_WORD.findall(body))
    refs.extend(JAVA_NAME + word for word in list(words)[:MAX_NAMES] if word not in imported and word != own)
    written = list(dict.fromkeys(_JAVA_WORD.findall(body)))
    return package, list(dict.fromkeys(refs)), stars, written[:MAX_WORDS]


def csharp_refs(path: str, text: str) -> tuple[str, list[str], list[str]]:
    """(namespace, the type words it names, the namespaces it uses) of a C# file."""
    code = _CS_NOISE.sub(" ", text)
    found = _CS_NAMESPACE.search(code)
    namespace = found.group(1) if found else ""
    usings: list[str] = []
    refs: list[str] = []
    for match in _CS_USING.finditer(code):
        if match.group(1):  # `using Alias = A.B.Type;`: the alias names the type
            refs.append(CS_NAME + match.group(2).rsplit(".", 1)[-1])
        else:
            usings.append(match.group(2))
    own = posixpath.basename(path).removesuffix(".cs")
    words = dict.fromkeys(_CLASS_WORD.findall(_CS_USING.sub(" ", code)))
    refs.extend(CS_NAME + word for word in list(words)[:MAX_NAMES] if word != own)
    return namespace, list(dict.fromkeys(refs)), usings


def _php_uses(clause: str) -> dict[str, str]:
    """A `use` statement's aliases (lower-cased, as PHP compares class names) -> the full names they stand for."""
    out: dict[str, str] = {}
    group = re.fullmatch(r"\s*\\?([\w\\]*?)\\?\{([^}]*)\}\s*", clause)
    parts = [f"{group.group(1)}\\{p.strip()}" for p in group.group(2).split(",")] if group else clause.split(",")
    for part in parts:
        name, _, alias = part.strip().partition(" as ")
        name = name.strip().lstrip("\\")
        if name:
            out[(alias.strip() or name.rsplit("\\", 1)[-1]).lower()] = name
    return out


def php_refs(path: str, text: str) -> list[str]:
    """The classes and views a PHP file (or Blade template) names (the module doc)."""
    if path.endswith(_BLADE_SUFFIX):
        names = [m.group().lstrip("\\") for m in _PHP_QUALIFIED.finditer(text)]
        views = [VIEW_REF + view for view in _VIEW.findall(text)]
        return list(dict.fromkeys([*(PHP_REF + name for name in names[:MAX_NAMES]), *views]))
    views = _VIEW.findall(text)
    code = _PHP_NOISE.sub(" ", text)
    found = _PHP_NAMESPACE.search(code)
    namespace = found.group(1).strip("\\") if found else ""
    aliases: dict[str, str] = {}
    for match in _PHP_USE.finditer(code):
        if not match.group(1):
            aliases.update(_php_uses(match.group(2)))
    own = f"{namespace}\\{posixpath.basename(path).removesuffix('.php')}".lstrip("\\").lower()
    refs = [PHP_REF + name for name in aliases.values()]
    body = _PHP_USE.sub(" ", _PHP_NAMESPACE.sub(" ", code))
    for name in list(dict.fromkeys(_PHP_NAME.findall(body)))[:MAX_NAMES]:
        if name.startswith("\\"):
            full = name[1:]
        elif not (name[0].isupper() or "\\" in name):
            continue  # a function, a keyword, a constant's lower-case name
        else:
            first, _, rest = name.partition("\\")
            alias = aliases.get(first.lower())
            full = (f"{alias}\\{rest}" if rest else alias) if alias else f"{namespace}\\{name}".lstrip("\\")
        if full.lower() != own:
            refs.append(PHP_REF + full)
    refs.extend(VIEW_REF + view for view in views)
    return list(dict.fromkeys(refs))


def psr4(path: str, data: bytes) -> dict[str, str]:
    """A composer.json's PSR-4 prefixes -> their directories in the repository (one a line), as summary imports."""
    try:
        manifest = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    root = posixpath.dirname(path)
    out: dict[str, list[str]] = {}
    for section in ("autoload", "autoload-dev"):
        table = manifest.get(section) if isinstance(manifest, dict) else None
        mapping = table.get("psr-4") if isinstance(table, dict) else None
        for prefix, dirs in mapping.items() if isinstance(mapping, dict) else ():
            for directory in dirs if isinstance(dirs, list) else [dirs]:
                if isinstance(directory, str):
                    out.setdefault(str(prefix).strip("\\"), []).append(
                        posixpath.normpath(posixpath.join(root, directory)).lstrip("./") if directory.strip("./")
                        else root)
    return {PSR4_KEY + prefix: "\n".join(dirs) for prefix, dirs in out.items()}


# -- finding the file a name names ---------------------------------------------------------------------------------
class ClassFiles:
    """The Java and PHP files of a graph by their file name, and composer's PSR-4 prefixes: finds the file a
    reference names (the module doc)."""

    def __init__(self, paths: Iterable[str], layout: Iterable[dict[str, str]]) -> None:
        self.paths = set(paths)
        self.by_name: dict[str, list[str]] = {}
        for path in sorted(self.paths):  # in order: a tie between two files of a name goes the same way every run
            if path.endswith((".java", ".php", ".cs")):
                self.by_name.setdefault(posixpath.basename(path), []).append(path)
        prefixes: dict[str, list[str]] = {}
        for imports in layout:
            for key, dirs in imports.items():
                if key.startswith(PSR4_KEY):
                    prefixes.setdefault(key[len(PSR4_KEY):], []).extend(dirs.splitlines())
        self.psr4 = sorted(prefixes.items(), key=lambda item: -len(item[0]))

    def _ending(self, parts: Sequence[str], suffix: str, near: str) -> str | None:
        """The file whose path ends with these directories and name, the nearest to `near` where several do."""
        tail = "/".join(parts) + suffix
        found = [p for p in self.by_name.get(parts[-1] + suffix, ()) if p == tail or p.endswith("/" + tail)]
        if len(found) > 1:
            found.sort(key=lambda p: -len(posixpath.commonpath([p, near])))
        return found[0] if found else None

    def java(self, summary_path: str, name: str, package: str, stars: Sequence[str]) -> str | None:
        if name.startswith(JAVA_NAME):
            word = name[len(JAVA_NAME):]
            for owner in (package, *stars):
                found = self._ending([*owner.split("."), word] if owner else [word], ".java", summary_path)
                if found is not None:
                    return found
            return None
        parts = name[len(JAVA_REF):].split(".")
        for width in range(len(parts), 1, -1):  # a.b.C.Inner, a.b.C.member: the class is a.b.C
            found = self._ending(parts[:width], ".java", summary_path)
            if found is not None:
                return found
        return None

    def csharp(self, summary_path: str, name: str, namespace: str, usings: Sequence[str]) -> str | None:
        """The file a C# type word names (the module doc)."""
        found = self.by_name.get(name[len(CS_NAME):] + ".cs", ())
        if len(found) <= 1:
            return found[0] if found else None
        parts = {part.lower() for owner in (namespace, *usings) for part in owner.split(".")}

        def closeness(path: str) -> tuple[int, int]:
            segments = {piece.lower() for segment in path.split("/")[:-1] for piece in segment.split(".")}
            return len(parts & segments), len(posixpath.commonpath([path, summary_path]))

        return max(found, key=closeness)

    def php(self, summary_path: str, name: str) -> str | None:
        if name.startswith(VIEW_REF):
            view = name[len(VIEW_REF):]
            parts = ["views", *re.split(r"[./]", view)]
            return None if "::" in view else self._ending(parts, _BLADE_SUFFIX, summary_path)
        full = name[len(PHP_REF):]
        for prefix, dirs in self.psr4:
            if full.lower().startswith(prefix.lower() + "\\") or not prefix:
                rest = full[len(prefix):].strip("\\").replace("\\", "/") + ".php"
                return next((p for p in (posixpath.join(d, rest) for d in dirs) if p in self.paths), None)
        parts = full.split("\\")
        for start in range(len(parts) - 1):  # no PSR-4 prefix: the path ends with two or more of its parts
            found = self._ending(parts[start:], ".php", summary_path)
            if found is not None:
                return found
        return None
