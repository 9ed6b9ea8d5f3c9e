"""Entity Framework Core migrations (C#): the `migrationBuilder` calls of a migration's Up and Down methods.

`dotnet ef migrations add` writes three files: the migration (`20260721182222_AddProviderIdToPlayItem.cs`, its
`Up(MigrationBuilder migrationBuilder)` and `Down(...)`), its `.Designer.cs` and the context's `ModelSnapshot.cs`
(the model as it stands, no operation: collapsed by the plan). The migration's calls take named arguments over several
lines, which this reader reads at the call's top level:

- `DropTable(name: "T")` deletes a table and its rows; `DropColumn(name: "C", table: "T")` a column's data;
- `RenameColumn(name:, table:, newName:)`, `RenameTable(name:, newName:)`: renames (reshape.py);
- `AlterColumn<T>(name:, table:, type:, oldType:, maxLength:, oldMaxLength:)`: a retype when the type or the length
  changes, judged against the old one the call itself carries; a change of nullability, default, collation or
  annotation alone is none;
- `DropForeignKey` / `DropPrimaryKey` / `DropUniqueConstraint` / `DropCheckConstraint` loosen, unless the same section
  adds one to that table again (`Add...` of them);
- `Sql("...")` (regular, verbatim `@"..."` and raw strings, joined by `+`): its SQL, read as a .sql file's;
- `CreateTable` and `AddColumn` are remembered, so a Down that drops what its Up created is no finding.

Read from the text, comments left out; never compiled or run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.core.impact.destructive import reshape, sql
from app.core.impact.destructive.migrations import Event, _drop_columns, judge_events
from app.core.impact.destructive.model import MAX_PARSE_BYTES, Finding, Lines, ParseFailure, Work

DETECTOR = "ef-migration"
MAX_CALL = 50_000  # characters of one call's arguments read (a CreateTable of a wide table fits well within)
_CALL = re.compile(r"\bmigrationBuilder\s*\.\s*(\w+)\s*(?:<([\w.?\[\], ]*)>)?\s*\(")
_SECTION = re.compile(r"\b(Up|Down)\s*\(\s*MigrationBuilder\b")
# comments and strings: a comment is blanked (its line breaks kept), a string is kept for the arguments' values
_LEX = re.compile(r'//[^\n]*|/\*[\s\S]*?(?:\*/|\Z)|"""[\s\S]*?(?:"""|\Z)'
                  r'|@\$?"(?:[^"]|"")*(?:"|\Z)|\$?@"(?:[^"]|"")*(?:"|\Z)'
                  r'|\$?"(?:[^"\\\n]|\\.)*(?:"|$)|\'(?:[^\'\\\n]|\\.)*(?:\'|$)', re.M)
_NAMED = re.compile(r"(\w+)\s*:(?!:)([\s\S]*)")  # matched on the stripped argument
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "\\": "\\", "'": "'"}
_DROP_CONSTRAINTS = frozenset({"DropForeignKey", "DropPrimaryKey", "DropUniqueConstraint", "DropCheckConstraint"})
_ADD_CONSTRAINTS = frozenset({"AddForeignKey", "AddPrimaryKey", "AddUniqueConstraint", "AddCheckConstraint"})


def looks_like_ef_migration(path: str, head: str) -> bool:
    """A C# file holding an EF Core migration's Up or Down (a `.Designer.cs` or a model snapshot holds neither)."""
    return path.lower().endswith(".cs") and "MigrationBuilder" in head and _SECTION.search(head) is not None


def _blank_comments(text: str) -> str:
    """`text` with its comments as spaces (line breaks kept: offsets and lines stay), its strings untouched."""
    def blank(match: re.Match[str]) -> str:
        found = match.group()
        if found.startswith("/"):
            return re.sub(r"[^\n]", " ", found)
        return found

    return _LEX.sub(blank, text)


def _arguments(code: str, start: int) -> tuple[str, int]:
    """The text between a call's parentheses (`start`: just after the opening one), strings skipped whole, and the
    offset after its closing parenthesis."""
    depth, index, stop = 1, start, min(len(code), start + MAX_CALL)
    while index < stop:
        char = code[index]
        if char in "\"@$'":
            string = _LEX.match(code, index)
            if string is not None and string.group():
                index = string.end()
                continue
        depth += (char in "([{") - (char in ")]}")
        if depth == 0:
            return code[start:index], index + 1
        index += 1
    return code[start:stop], stop


def _top_level(arguments: str) -> Iterator[str]:
    """The comma-separated arguments of a call, nested brackets and strings kept whole."""
    depth, index, begin = 0, 0, 0
    while index < len(arguments):
        char = arguments[index]
        if char in "\"@$'":
            string = _LEX.match(arguments, index)
            if string is not None and string.group():
                index = string.end()
                continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            yield arguments[begin:index]
            begin = index + 1
        index += 1
    if arguments[begin:].strip():
        yield arguments[begin:]


def string_value(expression: str) -> str | None:
    """The text of a C# string expression (literals joined by `+`; an interpolation's holes as `{name}`), or None when
    it holds no literal."""
    parts: list[str] = []
    for match in _LEX.finditer(expression):
        token = match.group()
        if token.startswith(("/", "'")):
            continue
        prefix = token[: token.index('"')]
        if token.startswith('"""'):
            parts.append(token[3:-3] if token.endswith('"""') and len(token) >= 6 else token[3:])
        elif "@" in prefix:
            body = token[len(prefix) + 1:]
            parts.append((body[:-1] if body.endswith('"') else body).replace('""', '"'))
        else:
            body = token[len(prefix) + 1:]
            body = body[:-1] if body.endswith('"') else body
            parts.append(re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body))
    if not parts:
        return None
    text = "".join(parts)
    return re.sub(r"\{([A-Za-z_]\w*)[^{}]*\}", r"__expr_\1", text) if "$" in expression else text


def _named(arguments: str) -> tuple[dict[str, str], list[str]]:
    """A call's named arguments (name -> the string's text, or the expression as written) and its positional ones."""
    named: dict[str, str] = {}
    positional: list[str] = []
    for argument in _top_level(arguments):
        found = _NAMED.fullmatch(argument.strip())
        if found is None or found.group(1) in ("new",):
            positional.append(argument.strip())
            continue
        value = string_value(found.group(2))
        named[found.group(1)] = value if value is not None else found.group(2).strip()
    return named, positional


def _type_of(named: dict[str, str], generic: str, old: bool) -> str | None:
    """The column type an AlterColumn gives (`old`: had), as SQL: `type:` / `oldType:`, else the CLR type with the
    `maxLength:` / `oldMaxLength:` it is given; None when the call says neither."""
    prefix = "old" if old else ""
    written = named.get(f"{prefix}Type" if old else "type")
    length = named.get(f"{prefix}MaxLength" if old else "maxLength")
    if written:
        return written
    if length and length.isdigit():
        return f"varchar({length})" if generic.strip("?") == "string" else f"{generic}({length})"
    return None


def _alter_column(named: dict[str, str], generic: str) -> list[sql.Op]:
    """A retype when the call's type or length differs from its old one (the module doc); else a change only."""
    table, column = named.get("table", "?"), named.get("name", "?")
    new, old = _type_of(named, generic, False), _type_of(named, generic, True)
    if new is None and old is None:  # nullability, a default, a collation, an annotation: no new type
        return [sql.Op("changed", f"{table}.{column}", table=table, columns=(sql.bare(column),))]
    if new is None or old is None:
        # a length dropped (`oldMaxLength:` alone) makes the column unbounded: wider; one added alone narrows it
        if new is None:
            return [sql.Op("changed", f"{table}.{column}", table=table, columns=(sql.bare(column),))]
        return reshape.retype("AlterColumn", table, column, new)
    verdict = reshape.compare_types(old, new) if old.lower() != new.lower() else "same"
    return reshape.retype("AlterColumn", table, column, new, old, verdict=verdict)


def _ops(method: str, generic: str, arguments: str) -> list[sql.Op]:
    """The operations of one `migrationBuilder.<method><generic>(arguments)` call."""
    named, positional = _named(arguments)
    name = named.get("name") or (string_value(positional[0]) if positional else None) or "?"
    table = named.get("table", "?")
    if method == "DropTable":
        return [sql.Op("migration-drop", f"table {name}", "DropTable deletes the table and all its rows", name)]
    if method == "DropColumn":
        return _drop_columns("DropColumn", table, [name])
    if method == "RenameColumn":
        return reshape.rename_column("RenameColumn", table, name, named.get("newName", "?"))
    if method == "RenameTable":
        return reshape.rename_table("RenameTable", name, named.get("newName", "?"))
    if method == "AlterColumn":
        return _alter_column(named, generic)
    if method in _DROP_CONSTRAINTS:
        return reshape.drop_constraint(method, table, name if name != "?" else "")
    if method in _ADD_CONSTRAINTS:
        return [reshape.add_constraint(table)]
    if method == "CreateTable":
        return [sql.Op("created", name, table=name)]
    if method == "AddColumn":
        return [sql.Op("added", f"{table}.{name}", table=table, columns=(sql.bare(name),))]
    return []


def scan_ef_migration(text: str, path: str, work: Work) -> list[Finding]:
    """The destructive operations of an EF Core migration's Up and Down (the module doc)."""
    if len(text) > MAX_PARSE_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_PARSE_BYTES:,} parse bound")
    work.add(len(text))
    code = _blank_comments(text)
    lines = Lines(text)
    sections = [(match.start(), sql.DOWN if match.group(1) == "Down" else sql.UP) for match in _SECTION.finditer(code)]
    events: list[Event] = []
    position = 0
    while (call := _CALL.search(code, position)) is not None:
        arguments, position = _arguments(code, call.end())
        work.add(len(arguments))
        section = next((kind for start, kind in reversed(sections) if start < call.start()), sql.UP)
        number = lines.line_of(call.start())
        method, generic = call.group(1), call.group(2) or ""
        if method == "Sql":
            first = next(_top_level(arguments), "")
            body = string_value(first)
            if body is not None:
                offset = call.end() + arguments.find(first.lstrip()[:1]) if first.strip() else call.end()
                events.append(Event(section, lines.line_of(offset), lines.text_of(lines.line_of(offset)),
                                    sql_text=body))
            continue
        ops = _ops(method, generic, arguments)
        events.extend(Event(section, number, lines.text_of(number), ops=[op]) for op in ops)
    return judge_events(events, path, DETECTOR, work)
