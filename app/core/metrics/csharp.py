"""C# as lizard reads it: a generic type constraint (`where T : notnull`, `where T : class, new()`) after a method's
parameters or a class's name derails lizard's C# reader, which then loses every method after it in the file, or reads
an `if` and a call as methods (QA62: bitwarden/server's HandlebarsMailService.RenderAsync<T> was read as methods named
`if` and `template`, and ReadSourceAsync vanished into the second; 38 of its files have such a clause). The clauses are
blanked, each character a space (line breaks kept), before lizard reads the text; they hold no branch."""

from __future__ import annotations

import re
from typing import Any

# a constraint clause: its type parameter, a colon, then the constraints (types, `class?`, `new()`) up to the `{`,
# `=>` or `;` that ends the declaration; the alternatives are disjoint, so it matches in linear time
_CONSTRAINT = re.compile(r"\bwhere\s+@?\w+\s*:(?:[^{};=()\"/]|\(\s*\))+")


def for_lizard(path: str, text: str) -> str:
    """`text` with its generic constraint clauses blanked (C# files only)."""
    if not path.lower().endswith(".cs") or "where" not in text:
        return text
    return _CONSTRAINT.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)


LIZARD_GLOBAL = "*global*"  # lizard's pseudo-function for a file's top level: no function, and it spans the whole file


def real_functions(functions: list[Any]) -> list[Any]:
    """lizard's functions without its `*global*` pseudo-function, which it reports (twice, CC 1, from line 0 to the
    file's end) for files whose top level it read tokens in: 82 of bitwarden/server's 1,816 src/ C# files, where the
    plan took it for a function holding every method."""
    return [function for function in functions if function.name != LIZARD_GLOBAL]
