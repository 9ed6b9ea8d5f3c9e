"""GraphQL schema removals and breaking changes: what a change takes out of, or changes in, the public API its SDL
files declare.

A `*.graphql` / `*.graphqls` file's base and head versions are parsed by graphql-core (the reference
implementation's Python port) and compared by name across every such file the change touches, so a type moved
from one file to another is not removed. Removing an object or interface type's field, an input field, a field's
argument, an enum value, a union member, an interface a type implements (`... on Node` stops matching it) or a whole
type breaks the clients that use it (saleor keeps its generated schema in saleor/graphql/schema.graphql). Nothing is
lost from a database: a removal weighs a reshape's REMOVAL_WEIGHT, and one announced first by `@deprecated` (the
schema's own way to say it will go) half that. A file of operations (queries, fragments) declares no schema and gives
nothing.

A change that keeps a name but breaks its clients weighs a removal's REMOVAL_WEIGHT too (`changes`), by the rules of
graphql-js' findBreakingChanges: a field's type changed to one a client's reading code does not expect (`String` to
`Int`, a list to a single value, non-null to nullable), an argument's or input field's type changed to one a client's
value no longer fits (`Int` to `String`, nullable to non-null), and a new non-null argument or input field without a
default on a field or input type that was already there.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.core.impact.destructive.model import SIDE_OLD, Finding, ParseFailure, Work, shown
from app.core.memo import ContentMemo

KIND = "graphql-removal"
CHANGE_KIND = "graphql-change"
SUFFIXES = (".graphql", ".graphqls")
REMOVAL_WEIGHT = 0.5  # breaks clients, loses no row: reshape.RESHAPE_WEIGHT
DEPRECATED_WEIGHT = 0.25  # announced by @deprecated, the planned way out: reshape.LOOSEN_WEIGHT
MAX_TOKENS = 2_000_000  # graphql-core stops past this many tokens (scan.MAX_READ_BYTES bounds a file already)


@dataclass(frozen=True)
class Member:
    """One public name of a schema: `what` is its kind as a reviewer reads it, `owner` the type that holds it."""

    what: str  # "type", "field", "input field", "argument", "enum value", "union member", "interface"
    path: str
    line: int
    text: str
    owner: str = ""  # the key of the type (or field) it belongs to; "" for a type
    deprecated: bool = False
    type: str = ""  # a field's, argument's or input field's type as written: "[Order!]!"
    required: bool = False  # an argument or input field a client must send: non-null with no default


# Each top-level definition is parsed on its own and its answer kept by its text: a change's head shares all but the
# definitions it edits with its base, and bases share them with each other (saleor's 1 MB schema, 1,459 definitions,
# took graphql-core 1.4 s to parse whole, on every version)
_memo: ContentMemo[dict[str, Member] | str] = ContentMemo(16_384)
# A top-level definition's keyword opens a line; the description just above it goes with it
_DEFINITION = re.compile(r"(?:extend[ \t]+)?(?:type|interface|enum|input|union|scalar|directive|schema)\b")


def is_schema_file(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


def members(text: str, path: str, work: Work) -> dict[str, Member]:
    """Every public name the file declares, by key: "Order" (a type), "Order.total", "Query.orders(filter:)",
    "OrderStatus.DRAFT", "SearchResult|Product" (a union member), "Order&Node" (an interface it implements). Raises
    ParseFailure."""
    work.add(len(text))
    found: dict[str, Member] = {}
    for first, piece in _pieces(text):
        answer = _memo.get_or_compute(_memo.key("", piece.encode("utf-8", "surrogatepass")),
                                      functools.partial(_members, piece))
        if isinstance(answer, str):  # cut where no definition starts (a keyword opening a description's line)
            whole = _members(text)
            if isinstance(whole, str):
                raise ParseFailure(whole)
            return {key: dataclasses.replace(member, path=path) for key, member in whole.items()}
        for key, member in answer.items():
            found.setdefault(key, dataclasses.replace(member, path=path, line=member.line + first - 1))
    return found


def _pieces(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each top-level definition with its description; what precedes the first one too."""
    lines = text.splitlines(keepends=True)
    starts = sorted({0, *(_described_from(lines, number) for number, line in enumerate(lines)
                          if number and _DEFINITION.match(line))})
    ends = [*starts[1:], len(lines)]
    return [(start + 1, "".join(lines[start:end])) for start, end in zip(starts, ends, strict=True)]


def _described_from(lines: list[str], number: int) -> int:
    """Where the definition at line index `number` starts: at its description's first line, if a string ends just
    above it (`"text"`, `\"\"\"text\"\"\"`, or a block string whose opening quotes start a line above)."""
    above = lines[number - 1].rstrip()
    if not above.endswith('"'):
        return number
    if above.startswith('"') and (above.count('"""') == 2 or not above.startswith('"""')):
        return number - 1  # a one-line description
    for opening in range(number - 2, -1, -1):
        if lines[opening].startswith('"""'):
            return opening
    return number


def _members(text: str) -> dict[str, Member] | str:
    from graphql.error import GraphQLError  # 0.37 s to import: only where a change touches a schema file
    from graphql.language import parse

    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return {}  # an empty file (or comments only) declares nothing; graphql-core calls it a syntax error
    try:
        document = parse(text, max_tokens=MAX_TOKENS)
    except (GraphQLError, RecursionError) as exc:
        return f"GraphQL does not parse: {str(exc).splitlines()[0][:80]}"
    lines = text.splitlines()
    found: dict[str, Member] = {}
    for definition in document.definitions:
        name = getattr(getattr(definition, "name", None), "value", None)
        kind = definition.kind  # "object_type_definition", "enum_type_extension", ...
        if not name or not kind.endswith(("_type_definition", "_type_extension")):
            continue  # operations, fragments, directive definitions, `schema { ... }`
        for key, member in _declared(definition, name, kind, "", lines):
            found.setdefault(key, member)  # a type's definition before its extensions
    return found


def _member(node: Any, what: str, path: str, lines: list[str], owner: str = "") -> Member:
    loc = getattr(getattr(node, "name", None), "loc", None)  # its name's line: a node starts at its description
    line = loc.start_token.line if loc is not None else 1
    directives = getattr(node, "directives", None) or ()
    deprecated = any(d.name.value == "deprecated" for d in directives)
    from graphql.language import print_ast

    type_node = getattr(node, "type", None) if what not in ("union member", "interface") else None
    written = print_ast(type_node) if type_node is not None else ""
    required = written.endswith("!") and what in ("argument", "input field") and node.default_value is None
    return Member(what, path, line, shown(lines[line - 1]) if 0 < line <= len(lines) else "", owner, deprecated,
                  written, required)


def _declared(definition: object, name: str, kind: str, path: str, lines: list[str]) -> Iterator[tuple[str, Member]]:
    if kind.endswith("_type_definition"):
        yield name, _member(definition, "type", path, lines)
    for field in getattr(definition, "fields", None) or ():
        key = f"{name}.{field.name.value}"
        what = "input field" if kind.startswith("input_object") else "field"
        yield key, _member(field, what, path, lines, name)
        for argument in getattr(field, "arguments", None) or ():
            yield f"{key}({argument.name.value}:)", _member(argument, "argument", path, lines, key)
    for value in getattr(definition, "values", None) or ():
        yield f"{name}.{value.name.value}", _member(value, "enum value", path, lines, name)
    for member_type in getattr(definition, "types", None) or ():
        yield f"{name}|{member_type.name.value}", _member(member_type, "union member", path, lines, name)
    for interface in getattr(definition, "interfaces", None) or ():  # `... on Node` stops matching the type
        yield f"{name}&{interface.name.value}", _member(interface, "interface", path, lines, name)


def removals(base: Iterable[dict[str, Member]], head: Iterable[dict[str, Member]]) -> list[Finding]:
    """What the base files declared and no head file does: a removed type once, not each of its fields."""
    before = {key: member for found in base for key, member in found.items()}
    after = {key for found in head for key in found}
    gone = {key for key in before if key not in after}
    findings = []
    for key, member in before.items():
        if key not in gone or member.owner in gone or before.get(member.owner, member).owner in gone:
            continue
        if member.what == "interface" and key.partition("&")[2] in gone:
            continue  # the interface itself is removed: one removal, not one per type that implemented it
        shown_key = key.replace("|", " | ").replace("&", " implements ")
        reason = f"removed from the GraphQL schema: clients that {_use(member.what)} it break"
        if member.deprecated:
            reason += " (it was @deprecated first: the announced removal)"
        findings.append(Finding(KIND, member.path, member.line, f"{member.what} {shown_key}", reason, member.text,
                                side=SIDE_OLD, detector="graphql", key=f"{KIND}:{key}",
                                weight=DEPRECATED_WEIGHT if member.deprecated else REMOVAL_WEIGHT))
    return findings


def _use(what: str) -> str:
    return {"enum value": "send or read", "argument": "pass", "input field": "send",
            "union member": "match", "interface": "match"}.get(what, "query")


def changes(base: Iterable[dict[str, Member]], head: Iterable[dict[str, Member]]) -> list[Finding]:
    """Names the base and head both declare whose new type breaks clients, and required arguments or input fields
    the head adds to a field or input type the base had: each named where the head declares it."""
    before = {key: member for found in base for key, member in found.items()}
    after = {key: member for found in head for key, member in found.items()}
    findings = []
    for key, member in after.items():
        was = before.get(key)
        if was is not None and was.type and member.type and was.type != member.type:
            reading = member.what == "field"
            if _safe(was.type, member.type, reading):
                continue
            change = f"{was.type} -> {member.type}"
            if not reading and member.type == f"{was.type}!":
                reason = f"made required ({change}): clients that do not send it break"
            elif reading and was.type == f"{member.type}!":
                reason = f"may now be null ({change}): clients that do not expect null break"
            else:
                reason = f"type changed ({change}): clients that {_use(member.what)} it break"
        elif was is None and member.required and member.owner in before:
            reason = f"new and required ({member.type}, no default): clients that do not send it break"
        else:
            continue
        findings.append(Finding(CHANGE_KIND, member.path, member.line, f"{member.what} {key}", reason, member.text,
                                detector="graphql", key=f"{CHANGE_KIND}:{key}", weight=REMOVAL_WEIGHT))
    return findings


def _safe(old: str, new: str, reading: bool) -> bool:
    """Whether clients written against type `old` still work with `new` (graphql-js' findBreakingChanges): a field
    clients read (`reading`) may only become stricter (non-null); a value clients send may only become looser."""
    from graphql.language import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode, parse_type

    def safe(was: TypeNode, now: TypeNode) -> bool:
        if reading and isinstance(now, NonNullTypeNode) and not isinstance(was, NonNullTypeNode):
            return safe(was, now.type)
        if not reading and isinstance(was, NonNullTypeNode) and not isinstance(now, NonNullTypeNode):
            return safe(was.type, now)
        if isinstance(was, (NonNullTypeNode, ListTypeNode)):
            return type(now) is type(was) and safe(was.type, now.type)
        return isinstance(now, NamedTypeNode) and isinstance(was, NamedTypeNode) and now.name.value == was.name.value

    return safe(parse_type(old), parse_type(new))
