"""Liquibase changelogs (XML, YAML, JSON): dropTable, dropColumn, delete and update without a where, the SQL of
`<sql>` changes, and the changes that keep the rows but change what reads or guards them (reshape.py: renameColumn,
renameTable, modifyDataType judged against the type the base's changelogs gave the column, addNotNullConstraint with a
defaultNullValue, dropForeignKeyConstraint, dropUniqueConstraint, dropPrimaryKey). `<rollback>` sections run only on
rollback and are judged like down migrations: a drop there is fine when the changelog created what it drops. A
changeSet edited in place or deleted (same id and author in the base) is a finding of its own.

XML is read with expat (line numbers for every element); a document type declaration is refused, so
no entity can expand. YAML and JSON changelogs are read as YAML documents (JSON is YAML).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from app.core.impact.destructive import reshape, sql
from app.core.impact.destructive.migrations import Event, judge_events
from app.core.impact.destructive.model import MAX_PARSE_BYTES, SIDE_OLD, Finding, Lines, ParseFailure, Work
from app.core.impact.destructive.yamlnodes import Node, load_documents
from app.core.untrusted_xml import parse_untrusted

_RESHAPES = {"renameColumn", "renameTable", "modifyDataType", "addNotNullConstraint", "dropForeignKeyConstraint",
             "dropAllForeignKeyConstraints", "dropUniqueConstraint", "dropPrimaryKey", "addForeignKeyConstraint",
             "addUniqueConstraint", "addPrimaryKey"}
_CHANGES = {"dropTable", "dropColumn", "delete", "update", "createTable", "addColumn", "sql", "dropView", *_RESHAPES}
OldType = Callable[[str, str], "str | None"]  # (table, column) -> its type in the base's changelogs, if written there


def is_changelog(text: str) -> bool:
    return "databaseChangeLog" in text[:20_000]


def _op(change: str, attrs: dict[str, str], columns: list[str], has_where: bool,
        old_type: OldType | None = None) -> list[sql.Op]:
    table = attrs.get("tableName", "?")
    if change == "dropTable":
        return [
            sql.Op(
                "sql-drop", f"table {table}", "Liquibase dropTable deletes the table and all its rows", table
            )
        ]
    if change == "dropColumn":
        names = columns or [attrs.get("columnName", "?")]
        return [
            sql.Op(
                "sql-drop-column",
                f"column {table}.{name}",
                "Liquibase dropColumn deletes its data",
                table,
                (sql.bare(name),),
            )
            for name in names
        ]
    if change in ("delete", "update") and not has_where:
        verb = "DELETE" if change == "delete" else "UPDATE"
        return [
            sql.Op(
                f"sql-{change}-all",
                f"every row of {table}",
                f"Liquibase {change} without a where ({verb} of every row)",
                table,
                tuple(sql.bare(c) for c in columns),
            )
        ]
    if change in _RESHAPES:
        return _reshape(change, attrs, table, old_type)
    if change == "createTable":
        return [sql.Op("created", table, table=table)]
    if change == "addColumn":
        return [sql.Op("added", f"{table}", table=table, columns=tuple(sql.bare(c) for c in columns))]
    return []


def _reshape(change: str, attrs: dict[str, str], table: str, old_type: OldType | None) -> list[sql.Op]:
    """Renames, retypes, constraint drops and NULL fills (reshape.py): the rows stay, what reads or guards them
    changes. A modifyDataType is judged against the column's type in the base's changelogs when written there."""
    written = f"Liquibase {change}"
    column = attrs.get("columnName", "?")
    if change == "renameColumn":
        return reshape.rename_column(written, table, attrs.get("oldColumnName", "?"), attrs.get("newColumnName", "?"))
    if change == "renameTable":
        return reshape.rename_table(written, attrs.get("oldTableName", "?"), attrs.get("newTableName", "?"))
    if change == "modifyDataType":
        was = old_type(table, column) if old_type is not None else None
        return reshape.retype(written, table, column, attrs.get("newDataType", ""), was)
    if change == "addNotNullConstraint":
        default = attrs.get("defaultNullValue")
        return reshape.fill_nulls(written, table, column, default) if default is not None else []
    if change in ("dropForeignKeyConstraint", "dropAllForeignKeyConstraints"):
        base = attrs.get("baseTableName", "?")
        return reshape.drop_constraint(written, base, attrs.get("constraintName", ""))
    if change in ("dropUniqueConstraint", "dropPrimaryKey"):
        name = attrs.get("constraintName", "") or ("primary key" if change == "dropPrimaryKey" else "")
        return reshape.drop_constraint(written, table, name)
    owner = attrs.get("baseTableName", table) if change == "addForeignKeyConstraint" else table
    return [reshape.add_constraint(owner)]  # addForeignKeyConstraint, addUniqueConstraint, addPrimaryKey


@dataclass
class _Element:
    name: str
    line: int
    attrs: dict[str, str]
    section: str
    columns: list[str] = field(default_factory=list)
    where: bool = False
    text: list[str] = field(default_factory=list)


def scan_xml(text: str, path: str, work: Work, old_type: OldType | None = None) -> list[Finding]:
    if len(text) > MAX_PARSE_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_PARSE_BYTES:,} parse bound")
    parser = expat.ParserCreate()
    lines = Lines(text)
    events: list[Event] = []
    stack: list[_Element] = []
    rollback_depth = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal rollback_depth
        work.add()
        local = name.rsplit(":", 1)[-1]
        if local == "rollback":
            rollback_depth += 1
        section = sql.DOWN if rollback_depth else sql.UP
        if local in _CHANGES:
            stack.append(_Element(local, parser.CurrentLineNumber, dict(attrs), section))
        elif stack and local == "column":
            stack[-1].columns.append(attrs.get("name", "?"))
        elif stack and local == "where":
            stack[-1].where = True

    def end(name: str) -> None:
        nonlocal rollback_depth
        local = name.rsplit(":", 1)[-1]
        if local == "rollback":
            rollback_depth -= 1
        if stack and stack[-1].name == local:
            element = stack.pop()
            if element.name == "sql":
                events.append(
                    Event(
                        element.section,
                        element.line,
                        lines.text_of(element.line),
                        sql_text="".join(element.text),
                    )
                )
            else:
                ops = _op(element.name, element.attrs, element.columns, element.where, old_type)
                if ops:
                    events.append(Event(element.section, element.line, lines.text_of(element.line), ops=ops))

    def data(chunk: str) -> None:
        if stack and stack[-1].name == "sql":
            stack[-1].text.append(chunk)
        elif stack and "where" in chunk.lower() and stack[-1].name in ("delete", "update"):
            stack[-1].where = stack[-1].where or bool(chunk.strip())

    parse_untrusted(parser, text, start=start, end=end, data=data, error=ParseFailure)
    return judge_events(events, path, "liquibase-xml", work)


def scan_nodes(docs: list[Node], text: str, path: str, work: Work, old_type: OldType | None = None) -> list[Finding]:
    """A YAML or JSON changelog."""
    lines = Lines(text)
    events: list[Event] = []
    for doc in docs:
        log = doc.get("databaseChangeLog")
        for entry in (log.children or []) if log else []:
            change_set = entry.get("changeSet")
            if change_set is None:
                continue
            for section, key in ((sql.UP, "changes"), (sql.DOWN, "rollback")):
                group = change_set.get(key)
                for change in (group.children or [group]) if group else []:
                    for name, body in (change.items or {}).items():
                        work.add()
                        events.extend(_node_events(name, body, section, lines, old_type))
    return judge_events(events, path, "liquibase-yaml", work)


def _node_events(name: str, body: Node, section: str, lines: Lines, old_type: OldType | None) -> list[Event]:
    if name not in _CHANGES:
        return []
    if name == "sql":
        sql_text = body.value if body.value is not None else body.text("sql")
        return [Event(section, body.line, lines.text_of(body.line), sql_text=sql_text)]
    attrs = {k: v.value for k, v in (body.items or {}).items() if v.value is not None}
    column_nodes = body.get("columns")
    columns = []
    for item in (column_nodes.children or []) if column_nodes else []:
        column = item.get("column")
        columns.append(column.text("name", "?") if column else "?")
    ops = _op(name, attrs, columns, body.get("where") is not None, old_type)
    return [Event(section, body.line, lines.text_of(body.line), ops=ops)] if ops else []


# -- the types the base's changelogs give each column ---------------------------------------------------------------
_TYPED = ("createTable", "addColumn")


def _xml_types(text: str, work: Work) -> list[tuple[str, str, str]]:
    """(table, column, type) in the order an XML changelog writes them: createTable and addColumn columns, the new
    type of a modifyDataType, a renameColumn's columnDataType under its new name. Rollbacks are not read."""
    parser = expat.ParserCreate()
    found: list[tuple[str, str, str]] = []
    table: list[str] = []  # the createTable / addColumn open, if any
    rollback = [0]

    def start(name: str, attrs: dict[str, str]) -> None:
        work.add()
        local = name.rsplit(":", 1)[-1]
        rollback[0] += local == "rollback"
        if rollback[0]:
            return
        if local in _TYPED:
            table.append(attrs.get("tableName", "?"))
        elif local == "column" and table and attrs.get("type"):
            found.append((table[-1], attrs.get("name", "?"), attrs["type"]))
        elif local == "modifyDataType" and attrs.get("newDataType"):
            found.append((attrs.get("tableName", "?"), attrs.get("columnName", "?"), attrs["newDataType"]))
        elif local == "renameColumn" and attrs.get("columnDataType"):
            found.append((attrs.get("tableName", "?"), attrs.get("newColumnName", "?"), attrs["columnDataType"]))

    def end(name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        rollback[0] -= local == "rollback"
        if local in _TYPED and table and not rollback[0]:
            table.pop()

    parse_untrusted(parser, text, start=start, end=end, error=ParseFailure)
    return found


def _node_types(docs: list[Node]) -> list[tuple[str, str, str]]:
    """(table, column, type) of a YAML or JSON changelog, as _xml_types."""
    found: list[tuple[str, str, str]] = []
    for doc in docs:
        log = doc.get("databaseChangeLog")
        for entry in (log.children or []) if log else []:
            change_set = entry.get("changeSet")
            group = change_set.get("changes") if change_set is not None else None
            for change in (group.children or [group]) if group else []:
                for name, body in (change.items or {}).items():
                    found.extend(_typed_columns(name, body))
    return found


def _typed_columns(name: str, body: Node) -> list[tuple[str, str, str]]:
    if name == "modifyDataType" and body.text("newDataType"):
        return [(body.text("tableName", "?"), body.text("columnName", "?"), body.text("newDataType"))]
    if name == "renameColumn" and body.text("columnDataType"):
        return [(body.text("tableName", "?"), body.text("newColumnName", "?"), body.text("columnDataType"))]
    if name not in _TYPED:
        return []
    columns = body.get("columns")
    found = []
    for item in (columns.children or []) if columns else []:
        column = item.get("column")
        if column is not None and column.text("type"):
            found.append((body.text("tableName", "?"), column.text("name", "?"), column.text("type")))
    return found


def base_types(files: Callable[[], list[tuple[str, str]]], work: Work) -> OldType:
    """(table, column) -> the type the changelogs of `files()` (path, text; read on the first question) last give
    it, in path order; None when none does. A changelog that does not parse is passed over."""
    known: dict[tuple[str, str], str] = {}
    read = [False]

    def old_type(table: str, column: str) -> str | None:
        if not read[0]:
            read[0] = True
            for path, text in sorted(files()):
                if not is_changelog(text):
                    continue
                try:
                    if path.lower().endswith(".xml"):
                        rows = _xml_types(text, work)
                    else:
                        rows = _node_types(load_documents(text, work))
                except ParseFailure:
                    continue
                known.update(((t.lower(), c.lower()), kind) for t, c, kind in rows)
        return known.get((table.lower(), column.lower()))

    return old_type


# -- changeSets edited in place --------------------------------------------------------------------------------
# Liquibase records each changeSet it ran (id, author, file) with a checksum of its changes, and refuses to start when
# a changeSet it ran has changed: editing one that has shipped stops every database that ran it, or (with a
# validCheckSum saying the new sum is fine) leaves those databases with the old effect while new ones get the new.
# Comments, preconditions, rollbacks and validCheckSum itself are not in Liquibase's checksum, so not compared here.
_OUTSIDE_CHECKSUM = {"validCheckSum", "comment", "preConditions", "rollback"}
EDITED_WEIGHT = 0.5
"""An edited changeSet loses no row, but takes an application that migrates at startup down (Apache Fineract migrates
every tenant's database when it starts) or splits the tenants' schemas."""


@dataclass
class ChangeSet:
    """One changeSet of an XML changelog: where it starts, its changes as a canonical text, how it may change."""

    line: int
    body: list[str] = field(default_factory=list)
    run_on_change: bool = False  # runOnChange / runAlways: made to be edited (views, procedures)
    valid_checksum: bool = False


class _ChangeSetReader:
    """expat handlers collecting each changeSet's canonical body."""

    def __init__(self, parser: Any, work: Work) -> None:
        self.parser = parser
        self.work = work
        self.found: dict[tuple[str, str], ChangeSet] = {}
        self.current: ChangeSet | None = None
        self.depth = 0  # elements open inside the current changeSet
        self.skip = 0  # elements open inside a part Liquibase leaves out of its checksum

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.work.add()
        local = name.rsplit(":", 1)[-1]
        if self.current is None:
            if local == "changeSet":
                flags = {attrs.get(k, "").strip().lower() for k in ("runOnChange", "runAlways")}
                self.current = ChangeSet(self.parser.CurrentLineNumber, run_on_change="true" in flags)
                self.found[(attrs.get("id", "?"), attrs.get("author", "?"))] = self.current
                self.depth = self.skip = 0
            return
        self.depth += 1
        self.current.valid_checksum = self.current.valid_checksum or local == "validCheckSum"
        if self.skip or local in _OUTSIDE_CHECKSUM:
            self.skip += 1
            return
        self.current.body.append(f"<{local} " + " ".join(f"{k}={v!r}" for k, v in sorted(attrs.items())) + ">")

    def end(self, name: str) -> None:
        if self.current is None:
            return
        if self.depth == 0:
            self.current = None
            return
        self.depth -= 1
        if self.skip:
            self.skip -= 1
        else:
            self.current.body.append(f"</{name.rsplit(':', 1)[-1]}>")

    def data(self, chunk: str) -> None:
        if self.current is not None and not self.skip and chunk.strip():
            self.current.body.append(" ".join(chunk.split()))


def changesets(text: str, work: Work) -> dict[tuple[str, str], ChangeSet]:
    """The changeSets of an XML changelog by (id, author), each with its changes as canonical text (tags, sorted
    attributes and whitespace-collapsed text, outside what Liquibase leaves out of its checksum)."""
    if len(text) > MAX_PARSE_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_PARSE_BYTES:,} parse bound")
    parser = expat.ParserCreate()
    reader = _ChangeSetReader(parser, work)

    parse_untrusted(parser, text, start=reader.start, end=reader.end, data=reader.data, error=ParseFailure)
    return reader.found


def node_changesets(docs: list[Node], work: Work) -> dict[tuple[str, str], ChangeSet]:
    """The changeSets of a YAML or JSON changelog by (id, author), each with its changes as canonical text (sorted keys,
    whitespace-collapsed scalars, outside what Liquibase leaves out of its checksum), as `changesets` reads XML."""
    found: dict[tuple[str, str], ChangeSet] = {}
    for doc in docs:
        log = doc.get("databaseChangeLog")
        for entry in (log.children or []) if log else []:
            node = entry.get("changeSet")
            if node is None:
                continue
            flags = {node.text(k).strip().lower() for k in ("runOnChange", "runAlways")}
            change_set = ChangeSet(node.line, run_on_change="true" in flags,
                                   valid_checksum=node.get("validCheckSum") is not None)
            changes = node.get("changes")
            if changes is not None:
                change_set.body.append(_canonical(changes, work))
            found[(node.text("id", "?"), node.text("author", "?"))] = change_set
    return found


def _canonical(node: Node, work: Work) -> str:
    work.add()
    if node.value is not None:
        return " ".join(node.value.split())
    if node.children is not None:
        return "[" + ", ".join(_canonical(child, work) for child in node.children) + "]"
    items = sorted((key, value) for key, value in (node.items or {}).items() if key not in _OUTSIDE_CHECKSUM)
    return "{" + ", ".join(f"{key}: {_canonical(value, work)}" for key, value in items) + "}"


def edited_changesets(old: str, new: str | None, path: str, work: Work, *, detector: str = "liquibase-xml",
                      read: Callable[[str, Work], dict[tuple[str, str], ChangeSet]] | None = None) -> list[Finding]:
    """The changeSets of a changelog's base version that the head edits in place (same id and author, changes that
    differ) or deletes (`new` None: the changelog itself is deleted). `read`: the changeSets of a text (XML:
    `changesets`)."""
    read = read or changesets
    before, after = read(old, work), read(new, work) if new is not None else {}
    lines, old_lines = Lines(new or ""), Lines(old)
    found: list[Finding] = []
    for key, change_set in after.items():
        was = before.get(key)
        if was is None or change_set.run_on_change or " ".join(was.body) == " ".join(change_set.body):
            continue
        if change_set.valid_checksum:
            why = ("a changeSet that may have run, edited in place: its validCheckSum lets the databases that ran it "
                   "start, but they keep what the old version did while new databases get the new: their schemas "
                   "drift apart")
        else:
            why = ("a changeSet that may have run, edited in place: Liquibase refuses to start on every database that "
                   "ran it (its checksum changed); add a new changeSet instead")
        found.append(Finding("liquibase-edited-changeset", path, change_set.line, f"changeSet {key[0]} by {key[1]}",
                             f"{why} (weighed {EDITED_WEIGHT:g})", lines.text_of(change_set.line),
                             detector=detector, key=f"edited:{key[0]}:{key[1]}", weight=EDITED_WEIGHT))
    gone = [(key, change_set) for key, change_set in before.items() if key not in after]
    if gone:
        (first_id, first_author), first = gone[0]
        more = f" and {len(gone) - 1} more" if len(gone) > 1 else ""
        why = ("a changeSet that may have run, deleted: the databases that ran it keep what it did while new databases "
               f"never get it, so their schemas drift apart; undo it with a new changeSet instead (weighed "
               f"{EDITED_WEIGHT:g})")
        found.append(Finding("liquibase-deleted-changeset", path, first.line,
                             f"changeSet {first_id} by {first_author}{more}", why, old_lines.text_of(first.line),
                             side=SIDE_OLD, detector=detector, key=f"deleted:{path}", weight=EDITED_WEIGHT))
    return found
