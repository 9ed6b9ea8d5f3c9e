"""Names for the closures lizard cannot name: Go's func literals (`anonymous__5`) and JS/TS function expressions
(`(anonymous)`). Shared by the complexity measure and the definition spans the chunker cuts at, so a chunk's
title and the complexity it holds name a test callback the same way: `it("rejects an empty body")`."""

from __future__ import annotations

import re
from typing import Any

ANONYMOUS = re.compile(r"anonymous__\d+|\(anonymous\)")  # lizard: a Go func literal, a JS function expression

_GO_RECEIVER = re.compile(r"\(\s*(?:\w+\s*)?\*?\s*(\w+)[^)]*\)\s*(\w+)")  # lizard's "(b *Buf)String"
_CALLED_WITH_NAME = re.compile(r"([A-Za-z_$][\w$.]{0,60})\(\s*(['\"`])([^'\"`\n]{1,100})\2")


def closure_names(functions: list[tuple[str, int, int]], text: str = "") -> list[str]:
    """Each (name, start line, end line)'s name, a closure's named after the function it is written in:
    `RangeArgs.<closure>`, or, at the top level, after the call it is handed to with its name:
    `test("retry - after")` (a JS/TS test callback). lizard numbers Go's func literals through the file
    (`anonymous__5`) and calls JS ones `(anonymous)`: names that say nothing to a reader and shift when one is
    added above, so every later one read as changed."""
    named = [f for f in functions if not ANONYMOUS.fullmatch(f[0])]
    lines = text.splitlines() if text else []
    out: list[str] = []
    for name, start, end in functions:
        if not ANONYMOUS.fullmatch(name):
            out.append(name)
            continue
        outer = [f for f in named if f[1] <= start and end <= f[2]]
        inner = max(outer, key=lambda f: (f[1], -f[2]), default=None)
        call = _CALLED_WITH_NAME.search(lines[start - 1]) if 0 < start <= len(lines) else None
        label = f'{call[1]}("{call[3]}")' if call else "<closure>"
        out.append(f"{inner[0]}.{label}" if inner is not None else label)
    return out


# Languages where one class may hold several functions of one name (overloads): a repeated name gets its parameter
# types, `LoanService::disburseLoan(Long, JsonCommand, Boolean)`, not a number, `disburseLoan#2` (QA58 F4)
OVERLOADING_SUFFIXES = frozenset({"java", "cs", "cpp", "cc", "cxx", "hh", "hpp", "kt", "kts", "scala", "swift"})
_MODIFIERS = frozenset({"final", "in", "out", "ref", "params", "this", "val", "var"})
_QUALIFIER = re.compile(r"\b\w+\s*(?:\.|::)\s*(?=\w)")
_SPACE_AROUND = re.compile(r"\s*([<>\[\],&*?]|\.\.\.)\s*")


def overload_names(path: str, functions: list[Any], names: list[str]) -> list[str]:
    """`names` (of lizard's `functions`, in order), each name that repeats in the file followed by its parameter
    types, where the language has overloads (OVERLOADING_SUFFIXES); the others as they are."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if suffix not in OVERLOADING_SUFFIXES:
        return names
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [f"{name}({parameter_types(function)})" if counts[name] > 1 and name.rsplit(":", 1)[-1].isidentifier()
            else name for name, function in zip(names, functions, strict=True)]


def parameter_types(function: Any) -> str:
    """"Long, JsonCommand, Boolean" of lizard's `disburseLoan( final Long loanId , JsonCommand command , @ Nullable
    Boolean isAccountTransfer)`: each parameter without its name, annotations, modifiers and package qualifiers."""
    found = []
    for parameter in getattr(function, "full_parameters", None) or ():
        tokens = str(parameter).split()
        kept: list[str] = []
        skip = False
        for token in tokens:
            if token == "@":  # lizard splits `@Nullable` into `@ Nullable`
                skip = True
            elif skip or token in _MODIFIERS:
                skip = False
            else:
                kept.append(token)
        if "=" in kept:  # a default value
            kept = kept[:kept.index("=")]
        if ":" in kept:  # Kotlin, Scala, Swift: `name: Type`
            kept = kept[kept.index(":") + 1:]
        elif len(kept) > 1 and kept[-1].isidentifier():
            kept.pop()  # the parameter's name
        text = _QUALIFIER.sub("", " ".join(kept))
        found.append(_SPACE_AROUND.sub(lambda m: m.group(1) + (" " if m.group(1) == "," else ""), text).strip())
    return ", ".join(found)


def qualified_name(function: Any) -> str:
    """A lizard function's name, a Go method's with its receiver's type (`Buf.String`): matched by its bare name, a
    String() added to one type was compared with another type's, and the worst function read `String#2`. The spans
    the chunker cuts at are named the same way, or a method's complexity found no chunk by its name (QA52 #7)."""
    found = _GO_RECEIVER.match(getattr(function, "long_name", "") or "")
    return f"{found.group(1)}.{found.group(2)}" if found and found.group(2) == function.name else str(function.name)
