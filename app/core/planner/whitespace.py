"""Changed lines that only change whitespace: a removed line and an added line of one hunk that read the same once
whitespace is taken out, the hunk's two sides aligned again as `git diff -w` aligns them; and, in a gettext
catalogue (.po, .pot), the lines `makemessages`/`msgmerge` rewrite on their own (`tool_written`). Both are lines a
tool rewrote, not a person: skimmed, not read (`skimmed_lines`). A re-indented file (hono
pull/2077's package.json: 1,094 changed lines, 10 of them real) was read line by line, three chunks and 2 h 44 min
of floor; these lines are skimmed instead (planner/builder.py).

A line the plain diff shows as changed only because the re-indented lines around it shifted its alignment (a blank
line added between two re-indented blocks, matched by a blank line the plain diff kept as context elsewhere) is one
`git diff -w` does not show either: it counts too (hono pull/1616 wrapped 1,187 lines in a namespace: `-w` shows
17 of them; 14 are left here, difflib's alignment and git's differing by a few lines). Where indentation is
syntax (Python, YAML, Makefiles ...) a line whose indentation changed is a real change, so only its other
whitespace may differ. Repository text is only compared, never run.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from app.core.git.diff import ADDED, CONTEXT, DELETED, DiffLine, FileDiff

# Where a line's indentation is syntax: a block re-indented there moves code in or out of a block.
INDENT_SYNTAX_SUFFIXES = frozenset({
    ".py", ".pyi", ".pyw", ".pyx", ".yaml", ".yml", ".mk", ".hs", ".lhs", ".coffee", ".nim", ".fs", ".fsi",
    ".fsx", ".pug", ".jade", ".sass", ".styl", ".haml", ".slim", ".elm", ".cabal",
})
INDENT_SYNTAX_NAMES = frozenset({"makefile", "gnumakefile", "snakefile"})
MAX_HUNK_LINES = 20_000  # a larger hunk is not paired: a repetitive 25,000-line one took 5 s (a file rewritten whole)

CATALOGUE_SUFFIXES = frozenset({".po", ".pot"})
# What gettext's tools write in a catalogue: `#:` source references (`#: netbox/dcim/forms.py:123` -> `:125` on every
# `makemessages`), `#,` flags (`#, python-format`, `fuzzy`), `#|` previous msgids, and the header's two dates.
# A translator's comment (`# ...`, hash and space) and the msgid/msgstr lines are what a reviewer reads.
_TOOL_LINE = re.compile(r'#[:,|]|"(POT-Creation-Date|PO-Revision-Date):')
# Licence text at the top of a new file: the Apache Software Foundation's header (fineract: 6,286 of 133,908 added
# lines of its pending changes, 1,248 of pr/3994's 3,031), SPDX, MIT, GPL/LGPL/AGPL, BSD, MPL, EPL
_LICENCE_TEXT = re.compile(
    r"Licensed to the Apache Software Foundation|Licensed under the Apache License|SPDX-License-Identifier"
    r"|Permission is hereby granted, free of charge|GNU (?:Lesser |Library |Affero )?General Public License"
    r"|Redistribution and use in source and binary forms|Mozilla Public License|Eclipse Public License",
    re.IGNORECASE)
LICENCE_HEADER_LINES = 60  # a leading comment longer than this is the file's documentation, not a licence header
_PREAMBLE = re.compile(r"\s*(?:$|<\?xml\b|<\?php\b|#!|<!DOCTYPE\b)", re.IGNORECASE)
_LINE_COMMENT = re.compile(r"\s*(?:#|//|--|;|%)")
_BLOCK_OPEN = (("/*", "*/"), ("<!--", "-->"), ('"""', '"""'), ("'''", "'''"), ("{-", "-}"), ("(*", "*)"))
_WHITESPACE = re.compile(r"\s+")
_BYTE_WHITESPACE = re.compile(rb"\s+")


def indentation_is_syntax(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return name in INDENT_SYNTAX_NAMES or posixpath.splitext(name)[1] in INDENT_SYNTAX_SUFFIXES


def _key(text: str, keep_indent: bool) -> str:
    squeezed = _WHITESPACE.sub("", text)
    if not keep_indent:
        return squeezed
    return text[:len(text) - len(text.lstrip())] + "\0" + squeezed


def _same_bytes(one: DiffLine, other: DiffLine) -> bool:
    """Whether two lines whose text matched also match byte for byte, whitespace aside: a line that is not UTF-8
    reads with replacement characters, so `\xe9` and `\xe8` would look alike."""
    if one.raw is None and other.raw is None:
        return True
    return (_BYTE_WHITESPACE.sub(b"", one.raw if one.raw is not None else one.text.encode())
            == _BYTE_WHITESPACE.sub(b"", other.raw if other.raw is not None else other.text.encode()))


def whitespace_only(lines: Sequence[DiffLine], origins: str, path: str) -> list[int]:
    """The indices (into `lines`, one hunk's) of the changed lines that differ from a line of the other side only
    in whitespace, in order; `origins` is the hunk's origin string (" --++ "). Both sides of the hunk, context
    included, are aligned again with whitespace taken out, as `git diff -w` aligns them: a closing brace that the
    plain diff kept as context against another brace pairs with the one it now matches."""
    if ADDED not in origins or DELETED not in origins or len(lines) > MAX_HUNK_LINES:
        return []
    keep_indent = indentation_is_syntax(path)
    old = [i for i, origin in enumerate(origins) if origin != ADDED]
    new = [i for i, origin in enumerate(origins) if origin != DELETED]
    keys = [_key(line.text, keep_indent) for line in lines]
    removed = {keys[i] for i in old if origins[i] == DELETED}
    added = {keys[i] for i in new if origins[i] == ADDED}
    if removed.isdisjoint(keys[i] for i in new) and added.isdisjoint(keys[i] for i in old):
        return []
    found: set[int] = set()
    matcher = SequenceMatcher(None, [keys[i] for i in old], [keys[i] for i in new])
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            i, j = old[a + k], new[b + k]
            if i != j and _same_bytes(lines[i], lines[j]):  # not one context line with itself
                found.update(index for index in (i, j) if origins[index] != CONTEXT)
    return sorted(found)


def is_catalogue(path: str) -> bool:
    """A gettext catalogue (.po, .pot), whose reference, flag and date lines a tool writes (`tool_written`)."""
    return posixpath.splitext(path.lower())[1] in CATALOGUE_SUFFIXES


def tool_written(lines: Sequence[DiffLine], origins: str, path: str) -> list[int]:
    """The indices of a catalogue's changed lines that gettext's tools write (`_TOOL_LINE`): netbox's "Release
    v4.6.5" changed 31,130 .po lines, 18,524 of them `#:` references, read as prose: 25.9 of its 26.2 h of floor."""
    if not is_catalogue(path):
        return []
    return [i for i, origin in enumerate(origins) if origin != CONTEXT and _TOOL_LINE.match(lines[i].text)]


def licence_header(fd: FileDiff) -> frozenset[int]:
    """The indices (into its first hunk) of a new file's leading comment block when it holds licence text
    (`_LICENCE_TEXT`): boilerplate a reviewer checks is the project's usual header, not code to read. Only a file the
    change adds, its first lines (after an XML declaration, `<?php` or a shebang); a block comment to its close, or a
    run of line comments; at most LICENCE_HEADER_LINES lines."""
    if fd.status != "added" or not fd.hunks or fd.hunks[0].new_start > 1:
        return frozenset()
    lines = fd.hunks[0].lines
    start = 0
    while start < len(lines) and start < 5 and _PREAMBLE.match(lines[start].text) and lines[start].origin == ADDED:
        start += 1
    end = _comment_end(lines, start)
    if end <= start or end - start > LICENCE_HEADER_LINES:
        return frozenset()
    block = range(start, end)
    if (any(lines[i].origin != ADDED for i in block)
            or not _LICENCE_TEXT.search("\n".join(lines[i].text for i in block))):
        return frozenset()
    return frozenset(block)


def _comment_end(lines: Sequence[DiffLine], start: int) -> int:
    """The index after the comment that starts at `lines[start]` (a block to its close, or a run of line comments),
    `start` when none starts there or a block is not closed within LICENCE_HEADER_LINES."""
    if start >= len(lines):
        return start
    first = lines[start].text.lstrip()
    for opener, closer in _BLOCK_OPEN:
        if first.startswith(opener):
            for i in range(start, min(len(lines), start + LICENCE_HEADER_LINES + 1)):
                text = lines[i].text
                if closer in (text.lstrip()[len(opener):] if i == start else text):
                    return i + 1
            return start
    end = start
    while end < len(lines) and end - start <= LICENCE_HEADER_LINES and _LINE_COMMENT.match(lines[end].text):
        end += 1
    return end


def skimmed_lines(lines: Sequence[DiffLine], origins: str, path: str, both_sides: bool) -> frozenset[int]:
    """A hunk's changed lines that a tool rewrote: whitespace only (when the file has lines both added and deleted,
    `both_sides`) or a catalogue's tool-written lines. The plan skims them and the diff view dims them."""
    found = set(tool_written(lines, origins, path))
    if both_sides:
        found.update(whitespace_only(lines, origins, path))
    return frozenset(found)


def skimmed_noun(paths: Sequence[str], short: bool = False, licence: bool = False) -> str:
    """What a chunk's skimmed lines are, for the screens: "re-indented", or with a catalogue among `paths`
    "re-indented or tool-written" (its `#:` references, flags and dates; `short`: "tool-written", for a column), with
    new files' licence headers (`licence`) "... or licence header" (`short`: "licence")."""
    nouns = ["re-indented"] + (["tool-written"] if any(is_catalogue(path) for path in paths) else [])
    nouns += ["licence text of new files"] if licence else []
    if short:
        return "licence" if licence else nouns[-1]
    return " or ".join(nouns)


def hunk_origins(lines: Sequence[DiffLine]) -> str:
    """A hunk's line origins as one string (" --++ "), an origin that is not one character read as "?"."""
    joined = "".join(line.origin for line in lines)
    if len(joined) != len(lines):
        joined = "".join(line.origin if len(line.origin) == 1 else "?" for line in lines)
    return joined


def file_whitespace_lines(fd: FileDiff) -> list[frozenset[int]]:
    """Per hunk of `fd`, the indices of its lines a tool rewrote (`skimmed_lines`), as the review plan counts them
    (PlanBuilder.whitespace_lines): the diff view draws them dimmed."""
    both = bool(fd.additions and fd.deletions)
    licence = licence_header(fd)
    if not both and not is_catalogue(fd.path):
        return [licence if i == 0 else frozenset() for i in range(len(fd.hunks))]
    found = [skimmed_lines(hunk.lines, hunk_origins(hunk.lines), fd.path, both) for hunk in fd.hunks]
    if licence:
        found[0] = found[0] | licence
    return found
