"""Liquibase changelogs (XML, YAML, JSON): dropTable, dropColumn, delete and update without a where, the SQL of
`<sql>` changes, and the changes that keep the rows but break what reads them (renameColumn, renameTable,
modifyDataType; weighed RESHAPE_WEIGHT). `<rollback>` sections run only on rollback and are judged like down
migrations: a drop there is fine when the changelog created what it drops.

XML is read with expat (line numbers for every element); a document type declaration is refused, so
no entity can expand. YAML and JSON changelogs are read as YAML documents (JSON is YAML).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from app.core.impact.destructive import sql
from app.core.impact.destructive.migrations import Event, judge_events
from app.core.impact.destructive.model import MAX_PARSE_BYTES, Finding, Lines, ParseFailure, Work
from app.core.impact.destructive.yamlnodes import Node

_CHANGES = {"dropTable", "dropColumn", "delete", "update", "createTable", "addColumn", "sql", "dropView",
            "renameColumn", "renameTable", "modifyDataType"}
RESHAPE_WEIGHT = 0.5
"""What a rename or a type change weighs against a drop (Finding.weight): every row is kept, but each query, report,
view and running instance that names the old column or type breaks, and a narrower type truncates or refuses the
values it cannot hold (Apache Fineract's changelogs hold 39 renameColumn and 163 modifyDataType, most on amounts)."""


def is_changelog(text: str) -> bool:
    return "databaseChangeLog" in text[:20_000]


def _op(change: str, attrs: dict[str, str], columns: list[str], has_where: bool) -> list[sql.Op]:
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
    reshaped = _reshape(change, attrs, table)
    if reshaped:
        return reshaped
    if change == "createTable":
        return [sql.Op("created", table, table=table)]
    if change == "addColumn":
        return [sql.Op("added", f"{table}", table=table, columns=tuple(sql.bare(c) for c in columns))]
    return []


def _reshape(change: str, attrs: dict[str, str], table: str) -> list[sql.Op]:
    """renameColumn, renameTable, modifyDataType: the rows stay, what reads them by name or type breaks."""
    weighed = f" (weighed {RESHAPE_WEIGHT:g}: no row is lost)"
    if change == "renameColumn":
        old, new = attrs.get("oldColumnName", "?"), attrs.get("newColumnName", "?")
        return [sql.Op("sql-rename", f"column {table}.{old}",
                       f"Liquibase renameColumn to {new}: every query, report and running instance that names "
                       f"{old} breaks{weighed}", table, (sql.bare(old),), RESHAPE_WEIGHT)]
    if change == "renameTable":
        old, new = attrs.get("oldTableName", "?"), attrs.get("newTableName", "?")
        return [sql.Op("sql-rename", f"table {old}",
                       f"Liquibase renameTable to {new}: every query, report and running instance that names "
                       f"{old} breaks{weighed}", old, (), RESHAPE_WEIGHT)]
    if change == "modifyDataType":
        column, new_type = attrs.get("columnName", "?"), attrs.get("newDataType", "?")
        return [sql.Op("sql-retype", f"column {table}.{column}",
                       f"Liquibase modifyDataType to {new_type}: a narrower type truncates or refuses the values it "
                       f"cannot hold, and the table is rewritten under a lock (weighed {RESHAPE_WEIGHT:g})", table,
                       (sql.bare(column),), RESHAPE_WEIGHT)]
    return []


@dataclass
class _Element:
    name: str
    line: int
    attrs: dict[str, str]
    section: str
    columns: list[str] = field(default_factory=list)
    where: bool = False
    text: list[str] = field(default_factory=list)


def scan_xml(text: str, path: str, work: Work) -> list[Finding]:
    if len(text) > MAX_PARSE_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_PARSE_BYTES:,} parse bound")
    parser = expat.ParserCreate()
    lines = Lines(text)
    events: list[Event] = []
    stack: list[_Element] = []
    rollback_depth = 0

    def refuse_doctype(*_: object) -> None:
        raise ParseFailure("XML with a document type declaration is not read (entities could expand)")

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
                ops = _op(element.name, element.attrs, element.columns, element.where)
                if ops:
                    events.append(Event(element.section, element.line, lines.text_of(element.line), ops=ops))

    def data(chunk: str) -> None:
        if stack and stack[-1].name == "sql":
            stack[-1].text.append(chunk)
        elif stack and "where" in chunk.lower() and stack[-1].name in ("delete", "update"):
            stack[-1].where = stack[-1].where or bool(chunk.strip())

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text.encode("utf-8", errors="replace"), True)
    except expat.ExpatError as exc:
        raise ParseFailure(f"XML does not parse: {exc}") from None
    return judge_events(events, path, "liquibase-xml", work)


def scan_nodes(docs: list[Node], text: str, path: str, work: Work) -> list[Finding]:
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
                        events.extend(_node_events(name, body, section, lines))
    return judge_events(events, path, "liquibase-yaml", work)


def _node_events(name: str, body: Node, section: str, lines: Lines) -> list[Event]:
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
    ops = _op(name, attrs, columns, body.get("where") is not None)
    return [Event(section, body.line, lines.text_of(body.line), ops=ops)] if ops else []


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

    def refuse_doctype(*_: object) -> None:
        raise ParseFailure("XML with a document type declaration is not read (entities could expand)")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    try:
        parser.Parse(text.encode("utf-8", errors="replace"), True)
    except expat.ExpatError as exc:
        raise ParseFailure(f"XML does not parse: {exc}") from None
    return reader.found


def edited_changesets(old: str, new: str, path: str, work: Work) -> list[Finding]:
    """The changeSets present in both versions of a changelog whose changes differ: edited in place."""
    before, after = changesets(old, work), changesets(new, work)
    lines = Lines(new)
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
                             detector="liquibase-xml", key=f"edited:{key[0]}:{key[1]}", weight=EDITED_WEIGHT))
    return found
