"""Translation catalogues as a maintainer reads them: the source language's strings read as prose (the docs rate),
each other language skimmed, one chunk per language and one skim per file, for what breaks a page rather than for
the prose (placeholders such as `:attribute` or `{count}`, markup, quotes), which nobody on the team reads in 37
languages (QA59 F7: BookStack's Crowdin pull request pr/1958, 31,064 lines of 231 files, was 119 chunks and a 26-hour
floor at the docs rate; pr/5250, "New translations entities.php (Japanese)", 2 hours for 37 languages).

The source language is the one crowdin.yml's `source` names, else Laravel's `fallback_locale` (config/app.php), else
English (`en`). A language is read from the path: the directory under a catalogue directory (`lang/ru/`, `locales/
pt-BR/`, `locale/de/LC_MESSAGES/`), else a file named for it there (`lang/de.json`, `config/locales/devise.fr.yml`),
else an Apple `.lproj` directory; a catalogue with no language in its path (one translation.json for all) is read.

Laravel's catalogues are PHP that runs (`return [...]`): a changed line that is not a `'key' => 'string',` entry (nor
the file's frame, a nested array's brackets or a comment) is code in a catalogue (`code_lines`): such a file is read,
never skimmed, and those lines at the code rate. Repository text is only matched, never run.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

SOURCE_DEFAULT = "en"
ROLE_TRANSLATIONS = "translations"
"""The role of a chunk of other languages' catalogues (Chunk.role): the screens say what to skim them for."""
_CATALOGUE_DIRS = frozenset({"locales", "locale", "i18n", "l10n", "translations", "lang", "langs"})
_LOCALE = re.compile(r"^[a-z]{2,3}(?:[_-](?:[a-z]{4}|[a-z]{2}|\d{3}))?(?:[_-][a-z]{2})?$", re.IGNORECASE)
# a language directory may name a variant of its own (BookStack's lang/de_informal/)
_VARIANT = re.compile(r"^[a-z]{2,3}(?:[_-][a-z0-9]+)*$", re.IGNORECASE)
_NOT_LOCALES = frozenset({"vendor", "app", "src", "lib", "web", "api", "js", "css", "php", "all", "new", "old"})
# crowdin.yml: `- source: /lang/en/*.php` (quoted or not)
_CROWDIN_SOURCE = re.compile(r"""^\s*-?\s*source\s*:\s*['"]?([^'"\s#]+)""", re.MULTILINE)
# config/app.php: `'fallback_locale' => 'en',` or `=> env('APP_FALLBACK_LOCALE', 'en'),`
_FALLBACK = re.compile(r"""['"]fallback_locale['"]\s*=>\s*(?:env\(\s*['"][^'"]*['"]\s*,\s*)?['"]([\w-]+)['"]""")
SOURCE_FILES = ("crowdin.yml", "crowdin.yaml", ".crowdin.yml", "config/app.php", "app/Config/app.php")
"""Where the source language is said (read at the change's head, never run)."""

_STRING = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
# what a Laravel catalogue is made of: entries (a string, or an array opened or empty), nested arrays' brackets, its
# frame, comments, blank lines
_CATALOGUE_LINE = re.compile(
    rf"""^\s*(?:(?:{_STRING}\s*=>\s*{_STRING}\s*,\s*)*{_STRING}\s*=>\s*(?:{_STRING}\s*,?|\[\s*\]\s*,?|\[|array\(\s*\)\s*,?"""
    rf"""|array\()|\]\s*[,;]?"""
    rf"""|\)\s*[,;]?|<\?php|\?>|return\s*(?:\[|array\()|//.*|#.*|/\*.*|\*.*|\|.*"""
    rf"""|declare\(strict_types\s*=\s*1\)\s*;|)\s*(?://.*)?$""")
# an entry whose string runs on to the next lines: `'key' => 'first line` (its quote left open)
_OPENS = re.compile(rf"""^\s*{_STRING}\s*=>\s*(?:'(?:[^'\\]|\\.)*|"(?:[^"\\]|\\.)*)$""")
_TAIL = r"""\s*,?\s*(?://.*)?$"""


def is_php_catalogue(path: str) -> bool:
    return path.lower().endswith(".php")


def code_flags(texts: Iterable[str]) -> list[bool]:
    """Per line of one side of a Laravel catalogue (in order), whether it is code: not an entry, a nested array's
    bracket, the file's frame, a comment, nor the rest of a string an entry began on an earlier line."""
    flags: list[bool] = []
    quote = ""  # the quote of a string still open from an earlier line
    comment = False  # inside a /* ... */ comment (Laravel's `| Validation Language Lines` banners)
    for text in texts:
        if comment:
            comment = "*/" not in text
            flags.append(False)
            continue
        if quote:
            end = re.match(rf"""(?:[^{quote}\\]|\\.)*{quote}""", text)
            if end is None:
                flags.append(False)  # still inside the string
                continue
            quote = ""
            flags.append(re.match(_TAIL, text[end.end():]) is None)
            continue
        if _CATALOGUE_LINE.match(text):
            stripped = text.strip()
            comment = stripped.startswith("/*") and "*/" not in stripped[2:]
            flags.append(False)
        elif _OPENS.match(text) is not None:
            quote = text[text.index("=>") + 2:].lstrip()[0]
            flags.append(False)
        else:
            flags.append(True)
    return flags


def code_lines(texts: Iterable[str]) -> int:
    """How many of a Laravel catalogue's lines (one side, in order) are code (`code_flags`)."""
    return sum(code_flags(texts))


def normal(locale: str) -> str:
    return locale.lower().replace("_", "-")


def locale_of(path: str) -> tuple[str, str] | None:
    """(the directory or file stem the language's catalogues share, the language) of a catalogue's path, else None:
    resources/lang/ru/entities.php -> ("resources/lang/ru", "ru"); lang/de.json -> ("lang/de", "de");
    config/locales/views/settings/tr.yml -> ("config/locales/tr", "tr")."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower().endswith(".lproj") and _is_locale(part[:-6]):
            return "/".join(parts[: i + 1]), part[:-6]
        if part.lower() in _CATALOGUE_DIRS and i + 1 < len(parts) - 1 and _is_locale(parts[i + 1], _VARIANT):
            if _is_locale(named := parts[-1].split(".")[0]) and normal(named) != normal(parts[i + 1]):
                break  # i18n/ui/en.json: a file named for its language, in a directory that is not one
            return "/".join(parts[: i + 2]), parts[i + 1]
    directory, name = posixpath.split(path)
    stem = name.split(".")
    candidates = [stem[0]] if len(stem) == 2 else stem[-2:-1]  # de.json; devise.fr.yml, messages.fr.xlf
    if len(stem) == 2 and "_" in stem[0]:  # Flutter's app_fr.arb
        candidates.append(stem[0].rsplit("_", 1)[-1])
    under = next((i for i, part in enumerate(parts[:-1]) if part.lower() in _CATALOGUE_DIRS), None)
    if under is not None:
        # Rails' config/locales/views/settings/tr.yml: a language's files named for it across the catalogue's
        # directories share the catalogue directory (maybe-finance/maybe pr/2493's Turkish: 52 chunks of one file)
        directory = "/".join(parts[: under + 1])
    if under is not None or name.lower().endswith((".po", ".xlf", ".xliff", ".arb")):
        for candidate in candidates:
            if _is_locale(candidate):
                return f"{directory}/{candidate}" if directory else candidate, candidate
    return None


def _is_locale(text: str, pattern: re.Pattern[str] = _LOCALE) -> bool:
    return bool(pattern.match(text)) and re.split(r"[_-]", text.lower())[0] not in _NOT_LOCALES


def source_locales(files: Mapping[str, str]) -> frozenset[str]:
    """The source languages (normalised) that `files` (path -> text, SOURCE_FILES at the change's head) name, else
    {"en"}: crowdin.yml's `source` paths' languages, else Laravel's fallback_locale."""
    found: set[str] = set()
    for path, text in files.items():
        if "crowdin" not in path:
            continue
        for source in _CROWDIN_SOURCE.findall(text):
            located = locale_of(source.lstrip("/").replace("**/", "").replace("*", "x"))
            if located is not None:
                found.add(normal(located[1]))
    if not found:
        found = {normal(match.group(1)) for path, text in files.items() if path.endswith("app.php")
                 for match in [_FALLBACK.search(text)] if match}
    return frozenset(found or {SOURCE_DEFAULT})
