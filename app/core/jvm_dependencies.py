"""What Gradle and Maven builds say their dependencies are, for app/core/dependencies.py: read from the files' text
and never run (a Gradle script is Groovy or Kotlin code; a pom.xml is parsed by expat with document type
declarations refused, so no entity expands).

- A Gradle script (`*.gradle`, `*.gradle.kts`): every quoted `"group:artifact:version"` (and `group:artifact`
  after a configuration: a version a BOM manages), `group: 'g', name: 'a', version: 'v'` maps, Spring's
  dependency-management `dependency 'g:a:v'`, `mavenBom 'g:a:v'` and `dependencySet(group:, version:) { entry 'a' }`,
  and plugins, `id 'x' version 'y'` (`kotlin("jvm") version "y"` is org.jetbrains.kotlin.jvm). A `$name` or
  `${name}` version is the value the same file gives that name (`name = '1.2'`, `set('name', '1.2')`), else kept as
  written. An `exclude` is no dependency. Those declared only in test configurations (`testImplementation`,
  `integrationTestRuntimeOnly` ...) are dev/test ones.
- A version catalogue (`gradle/libs.versions.toml`, read by tomllib): `[libraries]` and `[plugins]`, their
  `version.ref`s looked up in `[versions]`.
- A Maven `pom.xml`: `<parent>`, every `<dependency>` (not an `<exclusion>`) and `<plugin>`, `${property}` versions
  looked up in `<properties>`; `<scope>test</scope>` is dev/test.
Names are `group:artifact` (a plugin: its id; a Maven plugin without a groupId: org.apache.maven.plugins's).
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

from app.core.untrusted_xml import parse_untrusted

MAX_SLOW_CHARS = 5_000_000  # a larger Gradle script, catalogue or pom is not read (dependencies.py says so)

_COORDINATE = re.compile(r"([A-Za-z0-9_][\w.\-]*):([A-Za-z0-9_][\w.\-]*)(?::([^:'\"\s@]+))?(?::[\w.\-]+)?(?:@\w+)?")
_STRING = re.compile(r"""(['"])([^'"\n]*)\1""")
_BEFORE = re.compile(r"([A-Za-z_]\w*)\s*\(?\s*(?:(?:platform|enforcedPlatform|testFixtures)\s*\(\s*)?$")
_CONFIGURATION = re.compile(r"(?i)\w*(implementation|api|compileonly|runtimeonly|compile|runtime|annotationprocessor|"
                            r"classpath|kapt|ksp|developmentonly|dependency|mavenbom|platform)")
_TEST_CONFIGURATION = re.compile(r"(?i)\w*test\w*?(implementation|api|compileonly|runtimeonly|compile|runtime|"
                                 r"annotationprocessor|kapt|ksp)")
_MAP = re.compile(r"""([A-Za-z_]\w*)?\s*\(?\s*group\s*[:=]\s*['"]([^'"]+)['"]\s*,\s*name\s*[:=]\s*['"]([^'"]+)['"]"""
                  r"""(?:\s*,\s*version\s*[:=]\s*['"]([^'"]+)['"])?""")
_SET = re.compile(r"""dependencySet\s*\(\s*group\s*:\s*['"]([^'"]+)['"]\s*,\s*version\s*:\s*['"]([^'"]+)['"]\s*\)"""
                  r"""\s*\{([^}]*)\}""")
_ENTRY = re.compile(r"""\bentry\s*\(?\s*['"]([^'"]+)['"]""")
_PLUGIN = re.compile(r"""\b(?:id\s*\(?\s*['"]([\w.\-]+)['"]|kotlin\s*\(\s*['"]([\w.\-]+)['"])\s*\)?\s*"""
                     r"""version\s*\(?\s*['"]([^'"]+)['"]""")
_VARIABLE = re.compile(r"""\b(\w+)\s*[=:]\s*['"]([\w.\-+]+)['"]|\bset\(\s*['"](\w+)['"]\s*,\s*['"]([\w.\-+]+)['"]""")
_REFERENCE = re.compile(r"\$\{?(\w+(?:\.\w+)*)\}?")
_COMMENT = re.compile(r"/\*.*?\*/|(?:^|(?<=\s))//[^\n]*", re.S)


def is_gradle_script(name: str) -> bool:
    return name.endswith((".gradle", ".gradle.kts"))


def is_version_catalogue(name: str) -> bool:
    return name.endswith(".versions.toml")


def _too_large(text: str) -> None:
    if len(text) > MAX_SLOW_CHARS:
        raise ValueError(f"{len(text):,} characters, over {MAX_SLOW_CHARS // 1_000_000} MB")


def _declarations(text: str) -> list[tuple[str, str, bool]]:
    """A Gradle script's (name, version or "", declared in a test configuration) in order (the module doc)."""
    _too_large(text)
    text = _COMMENT.sub(" ", text)
    variables: dict[str, str] = {}
    for match in _VARIABLE.finditer(text):
        name, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        variables.setdefault(name, value)

    def version(spec: str | None) -> str:
        if not spec:
            return ""
        return _REFERENCE.sub(lambda m: variables.get(m.group(1).removeprefix("ext."), m.group(0)), spec)

    out: list[tuple[str, str, bool]] = []
    for line in text.splitlines():
        for string in _STRING.finditer(line):
            coordinate = _COORDINATE.fullmatch(string.group(2))
            if coordinate is None:
                continue
            before = _BEFORE.search(line, 0, string.start())
            word = before.group(1) if before else ""
            if word == "exclude" or (coordinate.group(3) is None and not _CONFIGURATION.fullmatch(word)):
                continue
            out.append((f"{coordinate.group(1)}:{coordinate.group(2)}", version(coordinate.group(3)),
                        bool(_TEST_CONFIGURATION.fullmatch(word))))
    for match in _MAP.finditer(text):
        if match.group(1) != "exclude":
            out.append((f"{match.group(2)}:{match.group(3)}", version(match.group(4)),
                        bool(_TEST_CONFIGURATION.fullmatch(match.group(1) or ""))))
    for match in _SET.finditer(text):
        out.extend((f"{match.group(1)}:{entry}", version(match.group(2)), False)
                   for entry in _ENTRY.findall(match.group(3)))
    for match in _PLUGIN.finditer(text):
        plugin = match.group(1) or f"org.jetbrains.kotlin.{match.group(2)}"
        out.append((plugin, version(match.group(3)), False))
    return out


def _versions(found: list[tuple[str, str, bool]]) -> dict[str, str]:
    """name -> version of (name, version, test-only) declarations: the first that gives a version."""
    out: dict[str, str] = {}
    for name, version, _test in found:
        if not out.get(name):
            out[name] = version
    return out


def _dev_only(found: list[tuple[str, str, bool]]) -> set[str]:
    """The names of (name, version, test-only) declarations declared for tests alone."""
    return {name for name, _v, test in found if test} - {name for name, _v, test in found if not test}


def gradle(text: str) -> dict[str, str]:
    return _versions(_declarations(text))


def gradle_dev(text: str) -> set[str]:
    return _dev_only(_declarations(text))


def _catalogue_version(spec: object, versions: dict[str, Any]) -> str:
    if isinstance(spec, dict):
        if "ref" in spec:
            return _catalogue_version(versions.get(str(spec["ref"]), ""), versions)
        for key in ("strictly", "require", "prefer"):
            if key in spec:
                return str(spec[key])
        return ""
    return str(spec)


def version_catalogue(text: str) -> dict[str, str]:
    """A Gradle version catalogue's libraries and plugins (name -> version)."""
    _too_large(text)
    data = tomllib.loads(text)
    versions = data.get("versions", {}) if isinstance(data.get("versions"), dict) else {}
    out: dict[str, str] = {}
    for entry in (data.get("libraries", {}) or {}).values():
        if isinstance(entry, str):
            coordinate = _COORDINATE.fullmatch(entry)
            if coordinate:
                out.setdefault(f"{coordinate.group(1)}:{coordinate.group(2)}", coordinate.group(3) or "")
        elif isinstance(entry, dict):
            module = entry.get("module") or (f"{entry['group']}:{entry['name']}"
                                             if "group" in entry and "name" in entry else None)
            if module:
                out.setdefault(str(module), _catalogue_version(entry.get("version", ""), versions))
    for entry in (data.get("plugins", {}) or {}).values():
        if isinstance(entry, str) and ":" in entry:
            plugin, _, version = entry.partition(":")
            out.setdefault(plugin, version)
        elif isinstance(entry, dict) and entry.get("id"):
            out.setdefault(str(entry["id"]), _catalogue_version(entry.get("version", ""), versions))
    return out


class _Pom:
    """A pom.xml read by expat: its properties, and each parent, dependency and plugin's coordinates."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.text: list[str] = []
        self.current: dict[str, str] | None = None
        self.found: list[tuple[str, dict[str, str]]] = []  # (element, its groupId/artifactId/version/scope)
        self.properties: dict[str, str] = {}

    def start(self, tag: str, _attrs: dict[str, str]) -> None:
        tag = tag.rpartition(":")[2]
        self.stack.append(tag)
        self.text = []
        if tag in ("dependency", "plugin", "parent") and "exclusions" not in self.stack and self.current is None:
            self.current = {}

    def end(self, _tag: str) -> None:
        tag = self.stack.pop()
        value = "".join(self.text).strip()
        self.text = []
        if self.current is not None and self.stack and self.stack[-1] in ("dependency", "plugin", "parent") \
                and tag in ("groupId", "artifactId", "version", "scope"):
            self.current.setdefault(tag, value)
        elif self.current is not None and tag in ("dependency", "plugin", "parent") and "exclusions" not in self.stack:
            self.found.append((tag, self.current))
            self.current = None
        elif self.stack[-2:] == ["project", "properties"]:
            self.properties.setdefault(tag, value)

    def data(self, chunk: str) -> None:
        self.text.append(chunk)


def _pom_entries(text: str) -> list[tuple[str, str, bool]]:
    _too_large(text)
    parser = expat.ParserCreate()
    pom = _Pom()
    parse_untrusted(parser, text, start=pom.start, end=pom.end, data=pom.data)

    def resolved(spec: str) -> str:
        for _ in range(3):  # a property that names another
            spec = _REFERENCE.sub(lambda m: pom.properties.get(m.group(1), m.group(0)), spec)
        return spec

    out: list[tuple[str, str, bool]] = []
    for element, fields in pom.found:
        group = fields.get("groupId") or ("org.apache.maven.plugins" if element == "plugin" else "")
        if group and fields.get("artifactId"):
            out.append((f"{resolved(group)}:{resolved(fields['artifactId'])}", resolved(fields.get("version", "")),
                        fields.get("scope") == "test"))
    return out


def pom(text: str) -> dict[str, str]:
    return _versions(_pom_entries(text))


def pom_dev(text: str) -> set[str]:
    return _dev_only(_pom_entries(text))


def reader(path: str) -> Callable[[str], dict[str, str]] | None:
    """The reader of a Gradle script, version catalogue or pom.xml, by its name; None for any other file."""
    name = posixpath.basename(path).lower()
    if is_gradle_script(name):
        return gradle
    if is_version_catalogue(name):
        return version_catalogue
    return pom if name == "pom.xml" else None


def dev_reader(path: str) -> Callable[[str], set[str]] | None:
    name = posixpath.basename(path).lower()
    if is_gradle_script(name):
        return gradle_dev
    return pom_dev if name == "pom.xml" else None
