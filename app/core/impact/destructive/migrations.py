"""Schema migrations written in code: ORM drop operations and the SQL inside their strings.

Python migrations (alembic, Django) are read through `ast`: `op.drop_table`, `op.drop_column`,
`batch_op.drop_column`, `migrations.DeleteModel` / `RemoveField`, and the SQL of `op.execute(...)`,
`migrations.RunSQL(...)`, `connection.execute(text(...))` whatever its case or how it is built
(f-strings, `+`, `%`, `.format`, a variable assigned a string). Ruby (Rails), Go (goose), JavaScript
and TypeScript (knex, TypeORM, Sequelize) and PHP (Laravel) migrations are read by a string-aware lexer: the SQL in
their strings and heredocs, and their drop calls.

Sections: a downgrade()/down/backwards function (Django's reverse_sql too) runs only on rollback. A
drop there is fine when it undoes what the upgrade created, and destructive otherwise.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.core.impact.destructive import django_data, django_fields, reshape, sql
from app.core.impact.destructive.model import (
    MAX_FINDINGS_PER_FILE,
    MAX_PARSE_BYTES,
    Finding,
    Lines,
    ParseFailure,
    Work,
)
from app.core.impact.destructive.pyast import (
    dotted,
    parse_python,
    sql_placeholder,
    string_assignments,
    string_value,
)

DOWN_FUNCTIONS = frozenset(
    {
        "downgrade",
        "down",
        "rollback",
        "backwards",
        "reverse",
        "revert",
        "unapply",
        "reverse_code",
        "down_migration",
    }
)
_EXECUTE_NAMES = frozenset(
    {
        "execute",
        "executemany",
        "executescript",
        "exec_driver_sql",
        "RunSQL",
        "raw",
        "run_sql",
        "execute_sql",
        "query",
        "Exec",
        "ExecContext",
        "MustExec",
    }
)


@dataclass
class Event:
    """One thing a migration does, in source order: ORM ops, or a string of SQL."""

    section: str
    line: int
    text: str
    ops: list[sql.Op] | None = None  # ORM operations
    sql_text: str | None = None  # SQL to split and classify
    replays: bool = False  # in a Django squashed migration (`replaces = [...]`): REPLAY_WEIGHT, said so


# A Django squashed migration (`replaces = [...]`) repeats the operations of the migrations it replaces, which were
# reviewed and ran when they were made: Django runs it only on a database that has run none of them (a new one, or
# one older than all of them), never again where they ran. Its drops are shown, said so, and weigh this much of a
# drop's cost (netbox's b554e70ed "Squash migrations" read as 42 new column drops, QA56 F10).
REPLAY_WEIGHT = 0.2
REPLAY_NOTE = (" — in a squashed migration (`replaces`): it replays the migrations it replaces, and Django runs it"
               " only on a database that has run none of them")


def judge_events(events: list[Event], path: str, detector: str, work: Work) -> list[Finding]:
    """Findings of a migration's events: the up section first (it runs first and says what the
    migration creates), then the down section."""
    state = sql.SqlState()
    kept: list[tuple[str, Event, int, sql.Op]] = []
    for section in (sql.UP, sql.DOWN):
        for event in events:
            if event.section != section:
                continue
            if event.ops is not None:
                pairs = [(event.line, op) for op in event.ops]
            else:
                text = event.sql_text or ""
                lines = Lines(text)
                pairs = [
                    (event.line + lines.line_of(st.offset) - 1, op)
                    for st in sql.split_statements(text, work, section=section)
                    for op in sql.statement_ops(st.code, state, work)
                ]
            kept.extend((section, event, line, op) for line, op in pairs for op in sql.judge([op], section, state))
    findings: list[Finding] = []
    for section, event, line, op in kept:
        if state.readded(op, section):
            continue
        findings.append(
            Finding(
                op.kind,
                path,
                line,
                sql.readable(op.target),
                op.reason + (REPLAY_NOTE if event.replays else ""),
                event.text,
                detector=detector,
                key=f"{op.kind}:{sql.bare(op.table)}:{','.join(op.columns)}:{section}",
                weight=op.weight * REPLAY_WEIGHT if event.replays else op.weight,
            )
        )
        if len(findings) >= MAX_FINDINGS_PER_FILE:
            break
    return findings


# ==================================================================================================
# Python
# ==================================================================================================


def _arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if len(call.args) > index else None


# A data migration's `Model.objects.all().delete()` (or `Model.objects.delete()`): the ORM's DELETE with no WHERE
# (netbox's 0018_tag_data emptied the taggit tables so). A filtered queryset's delete() is not one.
_EVERY_ROW_DELETE = re.compile(r"^(\w+)\.objects(?:\.all\(\))?\.delete$")
MAX_LOOP_BINDINGS = 200  # names a comprehension of migration operations is read for, at most
_ALEMBIC_RESHAPES = frozenset({"rename_table", "alter_column", "drop_constraint", "create_foreign_key",
                               "create_unique_constraint", "create_primary_key", "create_check_constraint"})
_DJANGO_RESHAPES = frozenset({"RenameField", "RenameModel", "AlterField", "RemoveConstraint", "AddConstraint"})


_SA_MODULES = frozenset({"sa", "sqlalchemy", "sql"})  # `sa.delete(t)`: the module, not a table's delete()
# calls through which an alembic downgrade() writes rows back (a session's add(), merge() and bulk saves too)
_ROW_WRITES = frozenset({"bulk_insert", "insert", "insert_many", "copy_from", "copy_expert", "add", "add_all", "merge",
                         "bulk_save_objects", "bulk_insert_mappings"})


def _last_name(func: ast.expr) -> str:
    """`op.execute` -> "execute", `op.get_bind().execute` -> "execute", `text` -> "text"."""
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _sa_tables(tree: ast.Module, known: dict[str, str]) -> dict[str, str]:
    """Names assigned a SQLAlchemy table: `accounts = sa.table("accounts", ...)` -> {"accounts": "accounts"}."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call) and _last_name(node.value.func) in ("table", "Table")
                and node.value.args):
            name = string_value(node.value.args[0], sql_placeholder, known)
            if name:
                found[node.targets[0].id] = name
    return found


def _sa_delete(node: ast.expr, tables: dict[str, str]) -> tuple[str, str] | None:
    """(table, its filter) of SQLAlchemy's `delete(t)` or `t.delete()` and the calls chained on it: the filter is
    from the first `.where(...)` on, "" when none (every row: `op.execute(sa.delete(t))`); else None."""
    receiver = node
    while (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute)
           and receiver.func.attr != "delete"):  # `.where(...)`, `.returning(...)` ... back to the delete()
        receiver = receiver.func.value
    if not (isinstance(receiver, ast.Call) and _last_name(receiver.func) == "delete"):
        return None
    if receiver.args:
        target: ast.expr = receiver.args[0]
    elif isinstance(receiver.func, ast.Attribute) and dotted(receiver.func.value) not in _SA_MODULES:
        target = receiver.func.value
    else:
        return None
    if isinstance(target, ast.Call) and _last_name(target.func) in ("table", "Table") and target.args:
        table = string_value(target.args[0], sql_placeholder) or ast.unparse(target)
    elif isinstance(target, (ast.Name, ast.Attribute)):
        table = tables.get(ast.unparse(target), ast.unparse(target))
    else:
        return None
    chained = ast.unparse(node)[len(ast.unparse(receiver)):]
    where = chained.find(".where(")
    return table, chained[where:] if where >= 0 else ""


# the calls that choose rows of an ORM query (`session.query(M).filter(...)`); any other chained call deletes them all
_QUERY_FILTERS = (".filter(", ".filter_by(", ".where(")


def _query_delete(node: ast.Call) -> tuple[str, str] | None:
    """(model, its filter) of the ORM's `session.query(M)...delete()` (a session's bulk delete, no execute() around
    it): the filter from the first `.filter(`, `.filter_by(` or `.where(` on, "" when none (every row); else None."""
    if not (isinstance(node.func, ast.Attribute) and node.func.attr == "delete"):
        return None
    receiver = node.func.value
    while (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute)
           and receiver.func.attr != "query"):  # `.filter(...)`, `.execution_options(...)` ... back to the query()
        receiver = receiver.func.value
    if not (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) and receiver.args
            and receiver.func.attr == "query" and isinstance(receiver.args[0], (ast.Name, ast.Attribute))):
        return None
    chained = ast.unparse(node.func.value)[len(ast.unparse(receiver)):]
    starts = [at for at in (chained.find(word) for word in _QUERY_FILTERS) if at >= 0]
    return ast.unparse(receiver.args[0]), chained[min(starts):] if starts else ""


def _bound(function: ast.FunctionDef) -> dict[str, ast.expr]:
    """Names a function assigns a call to (`stmt = sa.delete(t)`), the last assignment winning: what an
    `op.execute(stmt)` runs."""
    return {node.targets[0].id: node.value for node in ast.walk(function)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)}


def string_sequences(tree: ast.Module, known: dict[str, str]) -> dict[str, list[str]]:
    """Names assigned a tuple or list of statically known strings (`MODELS = ('region', 'site')`), the last
    assignment winning: what a comprehension of migration operations loops over."""
    found: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, (ast.Tuple, ast.List))):
            values = [string_value(element, sql_placeholder, known) for element in node.value.elts]
            if values and all(value is not None for value in values):
                found[node.targets[0].id] = [value for value in values if value is not None]
    return found


def _declares_replaces(statement: ast.stmt) -> bool:
    """`replaces = [('app', '0038_x'), ...]` (non-empty) in a class body: a Django squashed migration."""
    if isinstance(statement, ast.Assign):
        targets, value = statement.targets, statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets, value = [statement.target], statement.value
    else:
        return False
    return (any(isinstance(target, ast.Name) and target.id == "replaces" for target in targets)
            and isinstance(value, (ast.List, ast.Tuple)) and bool(value.elts))


class _PythonMigration(ast.NodeVisitor):
    def __init__(self, lines: Lines, known: dict[str, str], sequences: dict[str, list[str]] | None = None,
                 old_field: django_fields.OldField | None = None,
                 functions: dict[str, ast.FunctionDef] | None = None, work: Work | None = None) -> None:
        self.work = work or Work()
        self.old_field = old_field
        self.functions = functions or {}  # the module's functions, which a RunPython names (django_data)
        self.lines = lines
        self.known = known
        self.sequences = sequences or {}
        self.sections = [sql.UP]
        self.batch_tables: dict[str, str] = {}
        self.events: list[Event] = []
        self.replays = False  # inside a Migration class that declares `replaces` (REPLAY_WEIGHT)
        self.tables: dict[str, str] = {}  # names assigned a SQLAlchemy table (_sa_tables)
        self.bound: list[dict[str, ast.expr]] = [{}]  # the calls the enclosing functions assign to names (_bound)

    def _text(self, value: ast.expr | None) -> str:
        return string_value(value, sql_placeholder, self.known) or ""

    def _name(self, value: ast.expr | None) -> str:
        """A model, table or column name: its string, else a placeholder a reviewer reads as `{expression}`
        (netbox's `RemoveField(model_name=m, name=f)` in a loop read as "column .")."""
        text = self._text(value)
        return text if text or value is None else sql_placeholder(value)

    def _bindings(self, generators: list[ast.comprehension]) -> list[dict[str, str]] | None:
        """Every binding of a comprehension's loop names to strings (`for m in MODELS for f in FIELDS`), or None
        when a loop is over something not known statically, filtered, or the product is too large to list."""
        bindings: list[dict[str, str]] = [{}]
        for generator in generators:
            if generator.ifs or generator.is_async or not isinstance(generator.target, ast.Name):
                return None
            source = generator.iter
            if isinstance(source, ast.Name):
                values = self.sequences.get(source.id)
            elif isinstance(source, (ast.Tuple, ast.List)):
                texts = [string_value(element, sql_placeholder, self.known) for element in source.elts]
                values = None if any(text is None for text in texts) else [text for text in texts if text]
            else:
                values = None
            if not values or len(bindings) * len(values) > MAX_LOOP_BINDINGS:
                return None
            name = generator.target.id
            bindings = [{**binding, name: value} for binding in bindings for value in values]
        return bindings

    def _visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        """Each operation a comprehension builds, once per binding of its loop names, so that
        `[RemoveField(model_name=m, name=f) for m in MODELS for f in FIELDS]` names every column it drops."""
        bindings = self._bindings(node.generators)
        if bindings is None:
            self.generic_visit(node)
            return
        for generator in node.generators:
            self.visit(generator.iter)
        saved = self.known
        for binding in bindings:
            self.known = {**saved, **binding}
            self.visit(node.elt)
        self.known = saved

    visit_ListComp = _visit_comprehension
    visit_SetComp = _visit_comprehension
    visit_GeneratorExp = _visit_comprehension

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        section = (
            sql.DOWN
            if node.name in DOWN_FUNCTIONS or node.name.startswith("downgrade")
            else self.sections[-1]
        )
        self.sections.append(section)
        self.bound.append({**self.bound[-1], **_bound(node)})
        self.generic_visit(node)
        self.bound.pop()
        self.sections.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        saved = self.replays
        self.replays = saved or any(_declares_replaces(statement) for statement in node.body)
        self.generic_visit(node)
        self.replays = saved

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            call = item.context_expr
            if (
                isinstance(call, ast.Call)
                and dotted(call.func).endswith("batch_alter_table")
                and isinstance(item.optional_vars, ast.Name)
            ):
                self.batch_tables[item.optional_vars.id] = self._text(_arg(call, 0, "table_name")) or "?"
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = dotted(node.func)
        last = name.split(".")[-1]
        if last == "SeparateDatabaseAndState":
            # Its state_operations change Django's model state only, never the database: moving a model to another
            # app is a DeleteModel there beside an AlterModelTable rename (netbox's ObjectChange, ConfigRevision and
            # L2VPN moves read as dropped tables). Only its database_operations run SQL.
            state = _arg(node, 1, "state_operations")
            for child in [*node.args, *(kw.value for kw in node.keywords)]:
                if child is not state:
                    self.visit(child)
            return
        section = self.sections[-1]
        line = node.lineno
        text = self.lines.text_of(line)
        ops = self._orm_ops(node, name, last)
        if ops:
            self.events.append(Event(section, line, text, ops=ops, replays=self.replays))
        if last == "RunPython":
            self._run_python_deletes(node, section)
        if last == "RunSQL":
            self._sql(_arg(node, 0, "sql"), section, node)
            self._sql(_arg(node, 1, "reverse_sql"), sql.DOWN, node)
            if section == sql.UP:
                self._run_sql_deletes(node)
        elif last in _EXECUTE_NAMES and node.args:
            self._sql(node.args[0], section, node)
            self._sa_delete_all(node.args[0], section, line)
        elif last == "delete" and (query := _query_delete(node)) is not None and not query[1]:
            op = sql.Op("sql-delete-all", f"every row of {query[0]}", "Query.delete() with no filter: DELETE with no "
                        "WHERE", query[0])
            self.events.append(Event(section, line, text, ops=[op], replays=self.replays))
        self.generic_visit(node)

    def _sa_delete_all(self, value: ast.expr, section: str, line: int) -> None:
        """An executed SQLAlchemy delete with no where(): `op.execute(sa.delete(t))`, `op.execute(t.delete())`, or a
        name the function bound it to. A DELETE with no WHERE, as the same SQL written out is."""
        statement = self.bound[-1].get(value.id, value) if isinstance(value, ast.Name) else value
        found = _sa_delete(statement, self.tables)
        if found is not None and not found[1]:
            table = found[0]
            op = sql.Op("sql-delete-all", f"every row of {table}", "SQLAlchemy delete() with no where(): DELETE with "
                        "no WHERE", table)
            self.events.append(Event(section, line, self.lines.text_of(line), ops=[op], replays=self.replays))

    def _sql(self, value: ast.expr | None, section: str, call: ast.Call) -> None:
        if isinstance(value, (ast.List, ast.Tuple)):
            for element in value.elts:
                self._sql(element, section, call)
            return
        text = self._text(value)
        if text.strip():
            start = getattr(value, "lineno", call.lineno)
            self.events.append(Event(section, start, self.lines.text_of(start), sql_text=text, replays=self.replays))

    def _strings(self, value: ast.expr | None) -> list[tuple[int, str]] | None:
        """(line, text) of a RunSQL argument's strings (one, or a list of them); None when one is not read."""
        if isinstance(value, (ast.List, ast.Tuple)):
            parts = [self._strings(element) for element in value.elts]
            return None if any(part is None for part in parts) else [pair for part in parts for pair in part or ()]
        text = string_value(value, sql_placeholder, self.known)
        return None if text is None or value is None else [(value.lineno, text)]

    def _run_sql_deletes(self, node: ast.Call) -> None:
        """A RunSQL's filtered DELETEs whose reverse_sql cannot restore the rows (django_data.run_sql_delete); a
        DELETE of every row is judged with the rest of its SQL."""
        reverse = _arg(node, 1, "reverse_sql")
        reverse_strings = self._strings(reverse)
        reverse_text = None if reverse_strings is None else "\n".join(text for _, text in reverse_strings)
        if django_data.sql_restores(reverse, reverse_text):
            return
        for start, text in self._strings(_arg(node, 0, "sql")) or ():
            for line, table, statement in self._filtered_deletes(start, text):
                op = django_data.run_sql_delete(table, statement, node, reverse)
                self.events.append(Event(sql.UP, line, self.lines.text_of(line), ops=[op], replays=self.replays))

    def _filtered_deletes(self, start: int, text: str) -> list[tuple[int, str, str]]:
        """(line, table, statement) of each `DELETE ... WHERE <a filter>` in SQL that starts at line `start`; a
        DELETE of every row is sql-delete-all, judged with the rest of the SQL."""
        lines, out = Lines(text), []
        for statement in sql.split_statements(text, self.work):
            table = sql.filtered_delete(statement.code, self.work)
            if table is not None:
                out.append((start + lines.line_of(statement.offset) - 1, sql.readable(table), statement.code))
        return out

    def _run_python_deletes(self, node: ast.Call, section: str) -> None:
        """A RunPython's forward deletes its reverse cannot restore: querysets' delete() (django_data), and filtered
        `DELETE ... WHERE` SQL it runs through a cursor's execute()."""
        reverse = _arg(node, 1, "reverse_code")
        for delete, op in django_data.run_python_deletes(node, reverse, self.functions):
            self.events.append(Event(section, delete.line, self.lines.text_of(delete.line), ops=[op],
                                     replays=self.replays))
        forward = django_data.unrestored_forward(node, reverse, self.functions)
        called = [forward, *(helper for helper, _ in django_data.helpers(forward, self.functions))] if forward else []
        for line, table, statement in (found for function in called for found in self.executed_deletes(function, {})):
            op = django_data.run_python_sql_delete(table, statement, node, reverse)
            self.events.append(Event(section, line, self.lines.text_of(line), ops=[op], replays=self.replays))

    def executed_deletes(self, function: ast.FunctionDef, tables: dict[str, str]) -> list[tuple[int, str, str]]:
        """(line, table, filter) of the filtered deletes a function runs through an execute call (`cursor.execute`,
        `op.execute`, `connection.execute`): SQL strings, or SQLAlchemy's `delete(t).where(...)`."""
        out = []
        bound = _bound(function)
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and node.args and _last_name(node.func) in _EXECUTE_NAMES
                    and _last_name(node.func) != "RunSQL"):
                continue
            value = node.args[0]
            orm = _sa_delete(bound.get(value.id, value) if isinstance(value, ast.Name) else value, tables)
            if orm is not None and orm[1]:  # a filtered one: every row is sql-delete-all (_sa_delete_all)
                out.append((node.lineno, *orm))
            for start, text in self._strings(node.args[0]) or ():
                out.extend(self._filtered_deletes(start, text))
        return sorted(out)

    def alembic_deletes(self, tree: ast.Module) -> None:
        """An alembic upgrade()'s filtered deletes under a downgrade() that writes no row back (FIX126 F3): executed
        SQL or SQLAlchemy statements, and a session's `query(M).filter(...).delete()` (FIX135)."""
        functions = django_data.functions_of(tree)
        upgrade, downgrade = functions.get("upgrade"), functions.get("downgrade")
        if upgrade is None or (downgrade is not None and self._writes_rows(downgrade)):
            return
        queries = [(node.lineno, *query) for node in ast.walk(upgrade)
                   if isinstance(node, ast.Call) and (query := _query_delete(node)) is not None and query[1]]
        for line, table, statement in sorted([*self.executed_deletes(upgrade, self.tables), *queries]):
            where = statement if statement.startswith(".") else django_data.where_of(statement)
            op = django_data.alembic_delete(table, where, line, downgrade)
            self.events.append(Event(sql.UP, line, self.lines.text_of(line), ops=[op]))

    def _writes_rows(self, function: ast.FunctionDef) -> bool:
        """Whether a downgrade() may write rows back: op.bulk_insert, an insert() statement, SQL that inserts, or
        an execute() of something not read as a string here (not judged)."""
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            name = _last_name(node.func)
            if name in _ROW_WRITES:
                return True
            if name in _EXECUTE_NAMES and node.args:
                strings = self._strings(node.args[0])
                if strings is None or any(django_data.writes_rows(text) for _, text in strings):
                    return True
        return False

    def _alembic_reshape(self, node: ast.Call, owner: str, last: str) -> list[sql.Op]:
        """alembic's rename_table, alter_column (new_column_name: a rename; type_: a retype, judged against
        existing_type when given), drop_constraint, and the constraints it creates (reshape.py)."""
        batch = self.batch_tables.get(owner)
        shift = 0 if batch is not None else 1  # a batch_op's calls name no table
        table = batch if batch is not None else self._text(_arg(node, 0, "table_name"))
        if last == "rename_table":
            return reshape.rename_table(last, self._text(_arg(node, 0, "old_table_name")),
                                        self._text(_arg(node, 1, "new_table_name")))
        if last == "drop_constraint":
            table = batch if batch is not None else self._text(_arg(node, 1, "table_name"))
            return reshape.drop_constraint(last, table, self._text(_arg(node, 0, "constraint_name")))
        if last != "alter_column":
            owner_table = batch if batch is not None else self._text(_arg(node, 1, "source_table" if "foreign" in last
                                                                          else "table_name"))
            return [reshape.add_constraint(owner_table)]
        column = self._text(_arg(node, shift, "column_name"))
        renamed, new_type = _arg(node, 99, "new_column_name"), _arg(node, 99, "type_")
        ops: list[sql.Op] = []
        if renamed is not None:
            ops += reshape.rename_column(last, table, column, self._text(renamed))
        if new_type is not None:
            existing = _arg(node, 99, "existing_type")
            ops += reshape.retype(last, table, column, ast.unparse(new_type).removeprefix("sa."),
                                  ast.unparse(existing).removeprefix("sa.") if existing is not None else None)
        return ops

    def _django_reshape(self, node: ast.Call, last: str) -> list[sql.Op]:
        """RenameField, RenameModel, AlterField (against the field's previous definition), RemoveConstraint and
        AddConstraint (reshape.py)."""
        if last == "RenameModel":
            old, new = self._name(_arg(node, 0, "old_name")), self._name(_arg(node, 1, "new_name"))
            return reshape.rename_table(last, old, new)
        model = self._name(_arg(node, 0, "model_name"))
        if last == "RenameField":
            return reshape.rename_column(last, model, self._name(_arg(node, 1, "old_name")),
                                         self._name(_arg(node, 2, "new_name")))
        if last == "RemoveConstraint":
            return reshape.drop_constraint(last, model, self._name(_arg(node, 1, "name")))
        if last == "AddConstraint":
            return [reshape.add_constraint(model)]
        name = self._name(_arg(node, 1, "name"))
        was = self.old_field(model, name) if self.old_field is not None else None
        return django_fields.altered(model, name, django_fields.field_of(_arg(node, 2, "field")), was)

    def _orm_ops(self, node: ast.Call, name: str, last: str) -> list[sql.Op]:
        owner = name.split(".")[0]
        every_row = _EVERY_ROW_DELETE.match(name)
        if every_row and not node.args and not node.keywords:
            model = every_row.group(1)
            return [sql.Op("sql-delete-all", f"every row of {model}", "QuerySet.delete() with no filter", model)]
        if last in ("drop_table", "DeleteModel"):
            table = self._name(_arg(node, 0, "name" if last == "DeleteModel" else "table_name"))
            what = "model" if last == "DeleteModel" else "table"
            return [
                sql.Op(
                    "migration-drop", f"{what} {table}", f"{last} deletes the table and all its rows", table
                )
            ]
        if last in ("drop_column", "RemoveField"):
            if owner in self.batch_tables:
                table, column = self.batch_tables[owner], self._text(_arg(node, 0, "column_name"))
            elif last == "RemoveField":
                table, column = self._name(_arg(node, 0, "model_name")), self._name(_arg(node, 1, "name"))
            else:
                table, column = (
                    self._text(_arg(node, 0, "table_name")),
                    self._text(_arg(node, 1, "column_name")),
                )
            return [
                sql.Op(
                    "migration-drop-column",
                    f"column {table}.{column}",
                    f"{last} deletes the column's data",
                    table,
                    (sql.bare(column),),
                )
            ]
        if last in _DJANGO_RESHAPES:
            return self._django_reshape(node, last)
        if last in _ALEMBIC_RESHAPES:
            return self._alembic_reshape(node, owner, last)
        if last in ("create_table", "CreateModel"):
            table = self._text(_arg(node, 0, "name" if last == "CreateModel" else "table_name"))
            return [sql.Op("created", table, table=table)]
        if last in ("add_column", "AddField"):
            if owner in self.batch_tables:
                table, column_node = self.batch_tables[owner], _arg(node, 0, "column")
            else:
                table, column_node = (
                    self._text(_arg(node, 0, "table_name" if last == "add_column" else "model_name")),
                    _arg(node, 1, "column" if last == "add_column" else "name"),
                )
            column = self._text(column_node)
            if not column and isinstance(column_node, ast.Call) and column_node.args:
                column = self._text(column_node.args[0])  # sa.Column("nick", ...)
            return [sql.Op("added", f"{table}.{column}", table=table, columns=(sql.bare(column),))]
        return []


def scan_python_migration(text: str, path: str, work: Work,
                          old_field: django_fields.OldField | None = None) -> list[Finding]:
    """An alembic or Django migration; `old_field` gives a Django field's previous definition (an AlterField is judged
    against it)."""
    tree = parse_python(text, work)
    known = string_assignments(tree, sql_placeholder)
    visitor = _PythonMigration(Lines(text), known, string_sequences(tree, known), old_field,
                               django_data.functions_of(tree), work)
    visitor.tables = _sa_tables(tree, known)
    visitor.visit(tree)
    visitor.alembic_deletes(tree)
    work.add(len(visitor.events))
    return judge_events(visitor.events, path, "python-migration", work)


# ==================================================================================================
# Ruby, Go, JavaScript, TypeScript: a string-aware lexer
# ==================================================================================================

_RUBY_LEX = re.compile(
    r"""
  (?P<comment>\#[^\n]*)
| (?P<heredoc><<[~-]?(?P<hq>['"]?)(?P<tag>[A-Z_][A-Z0-9_]*)(?P=hq))
| (?P<dq>"(?:[^"\\]|\\.)*(?:"|\Z))
| (?P<sq>'(?:[^'\\]|\\.)*(?:'|\Z))
| (?P<pct>%[qQ]?\{[^}]*(?:\}|\Z))
| (?P<nl>\n)
| (?P<other>[^#<"'%\n]+|.)
""",
    re.S | re.X,
)
_C_LEX = re.compile(
    r"""
  (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
| (?P<dq>"(?:[^"\\\n]|\\.)*(?:"|$))
| (?P<sq>'(?:[^'\\\n]|\\.)*(?:'|$))
| (?P<bq>`[^`]*(?:`|\Z))
| (?P<nl>\n)
| (?P<other>[^/"'`\n]+|.)
""",
    re.S | re.X | re.M,
)
_RUBY_DEF = re.compile(r"^\s*def\s+(?:self\.)?(\w+)")
_RUBY_DIRECTION = re.compile(r"^(\s*)\w+\.(up|down)\s*(?:do\b|\{)")  # `reversible do |dir|`'s `dir.down do`
_C_FUNCTION = re.compile(
    r"\bfunc\s+(?:\([^)]*\)\s*)?(\w+)|\b(?:exports\.|module\.exports\.)?(up|down)\s*[=:(]"
    r"|\basync\s+(up|down)\s*\(|\bpublic\s+async\s+(up|down)\s*\("
)
# at a line's start or after `{` / `;`: strong_migrations' `safety_assured { remove_column :users, :x }`
_RUBY_OPS = re.compile(
    r"(?:^|[{;])\s*(drop_table|remove_column|remove_columns|remove_reference|remove_belongs_to|"
    r"create_table|add_column|drop_join_table|rename_column|rename_table|change_column|change_column_null|"
    r"remove_foreign_key|add_foreign_key)\b\s*\(?\s*:?[\"']?(\w+)[\"']?"
    r"(?:\s*,\s*:?[\"']?(\w+)[\"']?)?(?:\s*,\s*:?[\"']?(\w+)[\"']?)?"
)
# `change_table :versions do |t|` (and create_table, whose block never removes): the block's name for its table
_RUBY_TABLE_BLOCK = re.compile(r"^\s*(change_table|create_table)\b\s*\(?\s*:?[\"']?(\w+)[\"']?.*\bdo\s*\|\s*(\w+)\s*\|")
_RUBY_BLOCK_REMOVE = re.compile(r"^\s*(\w+)\.(remove|remove_references|remove_belongs_to)\b\s*\(?(.*)")
# a change_table block's `t.rename :old, :new` and `t.change :column, :type`
_RUBY_BLOCK_RESHAPE = re.compile(r"^\s*(\w+)\.(rename|change)\b\s*\(?\s*:?[\"']?(\w+)[\"']?\s*,\s*:?[\"']?(\w+)[\"']?")
# the column types of Rails and its PostgreSQL adapter: a `t.virtual` generated column the up added, removed by the
# down, read as 4 dropped columns of maybe-finance/maybe's add_start_end_columns_to_balances.rb (QA65)
_RUBY_BLOCK_ADD = re.compile(
    r"^\s*(\w+)\.(?:string|text|integer|bigint|float|decimal|numeric|datetime|timestamp|time|date|binary|boolean|"
    r"json|jsonb|uuid|column|references|belongs_to|virtual|citext|hstore|inet|cidr|macaddr|interval|enum|tsvector|"
    r"timestamptz|daterange|numrange|tsrange|tstzrange|int4range|int8range|point|line|ltree|xml|money|bit|"
    r"bit_varying|oid|blob|primary_key)\b\s*\(?\s*:?[\"']?(\w+)[\"']?"
)
_RUBY_KEYWORD_ARG = re.compile(r"\b\w+:(?:\s|$)")  # `type: :string`: the options after the columns
_RUBY_COLUMN = re.compile(r"%[iw][\[(]([^\])]*)[\])]|:(\w+)|[\"'](\w+)[\"']")
MAX_CONTINUED_LINES = 20
# of a line, what the reshape patterns read (a rename, a ->change(), a constraint call): their `.*` and `[^)]*` would
# rescan a hostile megabyte line from each `->`; a migration's call fits well within
MAX_RESHAPE_LINE = 2_000
# change_column_null(false) alone and change_column_default are not destructive: a NOT NULL that existing rows break
# fails the migration itself, and a default applies to rows written later; a fourth argument fills the NULLs first
_RUBY_NULL_FILL = re.compile(r"\bchange_column_null\b[^,]*,[^,]*,\s*false\s*,\s*([^,#)]+)")
_JS_OPS = re.compile(
    r"\.(dropTable|dropTableIfExists|dropColumn|dropColumns|removeColumn|createTable|addColumn)"
    r"\s*\(\s*['\"`](\w+)['\"`](?:\s*,\s*['\"`](\w+)['\"`])?"
)
# DELETE and UPDATE with their FROM and SET: a permission's display name 'Delete All' or a label 'Update Own' is no SQL
# (BookStack's role migrations hold dozens)
_SQL_START = re.compile(
    r"^\s*\(?\s*(?:DROP|TRUNCATE|ALTER|CREATE)\b|^\s*\(?\s*DELETE\s+(?:\S+\s+)?FROM\b|^\s*\(?\s*UPDATE\s[^;]{0,200}?\bSET\b",
    re.I,
)
_INTERPOLATION = re.compile(r"#\{([^}]*)\}|\$\{([^}]*)\}")


# ==================================================================================================
# PHP (Laravel): Schema:: calls and the Blueprint's drops inside Schema::table / Schema::create closures
# ==================================================================================================

_PHP_SCHEMA = re.compile(
    r"\bSchema::(create|table|drop|dropIfExists|dropColumns|rename)\s*\(\s*['\"](\w+)['\"](?:\s*,\s*['\"](\w+)['\"])?")
_PHP_RENAME_COLUMN = re.compile(r"->\s*renameColumn\s*\(\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]")
# `$table->string('name', 160)->nullable()->change()`: the column's new definition
_PHP_CHANGE = re.compile(r"->\s*(\w+)\s*\(\s*['\"](\w+)['\"]\s*,?\s*([^)]*)\).*->\s*change\s*\(\s*\)")
_PHP_DROP_CONSTRAINT = re.compile(r"->\s*(dropForeign|dropUnique|dropPrimary)\s*\(([^)]*)\)")
_PHP_ADD_CONSTRAINT = re.compile(r"->\s*(?:foreign|unique|primary|constrained)\s*\(")
_PHP_APPLIED_CLOSURE = re.compile(r"\bSchema::(?:create|table)\s*\(\s*['\"](\w+)['\"]\s*,\s*\$(\w+)\s*\)")
_PHP_CLOSURE_VARIABLE = re.compile(r"\$(\w+)\s*=\s*(?:static\s+)?(?:fn|function)\s*\(\s*(?:Blueprint\s+)?\$")
_PHP_DROP = re.compile(
    r"->\s*(dropColumns?|dropSoftDeletes(?:Tz)?|dropTimestamps(?:Tz)?|dropRememberToken|dropMorphs|"
    r"dropNullableMorphs|dropConstrainedForeignId)\s*\("
)
# a Blueprint's columns: `$table->string('name')`, `$table->foreignId('user_id')`, `$table->softDeletes()`
_PHP_ADD = re.compile(
    r"->\s*((?:unsigned)?(?:tiny|small|medium|big|long)?(?:integer|increments|text)|string|char|boolean|float|double|"
    r"decimal|date|dateTime(?:Tz)?|time(?:Tz)?|timestamp(?:Tz)?|year|binary|json|jsonb|uuid|ulid|foreignId|"
    r"foreignUuid|foreignIdFor|enum|set|ipAddress|macAddress|id|morphs|nullableMorphs|uuidMorphs|softDeletes(?:Tz)?|"
    r"timestamps(?:Tz)?|nullableTimestamps|rememberToken)\s*\(\s*(?:['\"](\w+)['\"])?",
    re.I,
)
_PHP_FIXED_COLUMNS = {
    "softdeletes": ("deleted_at",),
    "softdeletestz": ("deleted_at",),
    "dropsoftdeletes": ("deleted_at",),
    "dropsoftdeletestz": ("deleted_at",),
    "timestamps": ("created_at", "updated_at"),
    "timestampstz": ("created_at", "updated_at"),
    "nullabletimestamps": ("created_at", "updated_at"),
    "droptimestamps": ("created_at", "updated_at"),
    "droptimestampstz": ("created_at", "updated_at"),
    "remembertoken": ("remember_token",),
    "dropremembertoken": ("remember_token",),
    "id": ("id",),
}
# `DB::table('x')->delete()` / `->truncate()` with nothing between: every row (a where() before it filters)
_PHP_DELETE_ALL = re.compile(r"\bDB::table\s*\(\s*['\"](\w+)['\"]\s*\)\s*->\s*(delete|truncate)\s*\(\s*\)")
_PHP_STRING = re.compile(r"['\"](\w+)['\"]")


def _php_columns(verb: str, arguments: str) -> tuple[str, ...]:
    """The columns a Blueprint call adds or drops, from its name (`softDeletes`: deleted_at) or its string
    arguments (`dropColumn(['a', 'b'])`; `dropMorphs('imageable')`: imageable_type and imageable_id)."""
    fixed = _PHP_FIXED_COLUMNS.get(verb.lower())
    if fixed:
        return fixed
    names = tuple(_PHP_STRING.findall(arguments))
    if "morphs" in verb.lower() and names:
        return (f"{names[0]}_type", f"{names[0]}_id")
    return names


class _PhpMigration:
    """The operations of a Laravel migration, line by line. The table a Blueprint call acts on is the one the
    Schema::table / Schema::create call on or above it names, or, for a closure kept in a variable and passed
    later (`Schema::table('pages', $dropRestricted)`: BookStack's own style), every table it is passed to."""

    def __init__(self, lines: Lines, old_type: OldType | None = None) -> None:
        self.lines = lines
        self.old_type = old_type  # a column's type in the base's migrations beside this one (a ->change() is judged)
        self.defined: list[tuple[str, str, str]] = []  # (table, column, SQL type) each line defines, in order
        self.table = "?"
        self.closure: str | None = None  # the variable the closure being read is assigned to
        self.closure_events: dict[str, list[tuple[Event, list[sql.Op]]]] = {}  # variable -> (event, its ops)
        self.applied: set[int] = set()  # the events a closure's first use gave their table
        self.added: dict[str, str] = {}  # a column added with an unknown table -> the table it was added to

    def enter_section(self) -> None:
        self.table, self.closure = "?", None

    def events(self, number: int, section: str) -> list[Event]:
        raw = self.lines.text_of(number)
        code = raw.split("//", 1)[0] if not raw.lstrip().startswith(("*", "/*", "#")) else ""
        variable = _PHP_CLOSURE_VARIABLE.search(code)
        if variable:
            self.closure, self.table = variable.group(1), "?"
        ops: list[sql.Op] = []
        for match in _PHP_SCHEMA.finditer(code):
            verb, table = match.group(1), match.group(2)
            if verb in ("create", "table"):
                self.table = table
                if verb == "create":
                    ops.append(sql.Op("created", table, table=table))
            elif verb == "rename":
                ops.extend(reshape.rename_table("Schema::rename", table, match.group(3)) if match.group(3) else [])
            elif verb == "dropColumns":
                ops.extend(_drop_columns(f"Schema::{verb}", table, list(_php_columns(verb, code[match.end():]))))
            else:
                ops.append(sql.Op("migration-drop", f"table {table}",
                                  f"Schema::{verb} deletes the table and all its rows", table))
        ops.extend(self._blueprint_ops(number, code))
        for match in _PHP_DELETE_ALL.finditer(code):
            table = match.group(1)
            why = "TRUNCATE deletes every row" if match.group(2) == "truncate" else "DELETE with no WHERE"
            ops.append(sql.Op("sql-delete-all", f"every row of {table}", f"DB::table()->{match.group(2)}() ({why})",
                              table))
        events = [Event(section, number, raw, ops=[op]) for op in ops]
        if self.closure is not None:
            self.closure_events.setdefault(self.closure, []).extend((e, list(e.ops or [])) for e in events)
        applied = _PHP_APPLIED_CLOSURE.search(code)
        if applied:
            self._apply(applied.group(2), applied.group(1))
        return events

    def _blueprint_ops(self, number: int, code: str) -> list[sql.Op]:
        ops: list[sql.Op] = []
        changes = _PHP_CHANGE.search(code[:MAX_RESHAPE_LINE])
        for match in [] if changes else _PHP_ADD.finditer(code):  # ->change(): no new column
            written = _PHP_REST.match(code[:MAX_RESHAPE_LINE], match.end())
            for column in _php_columns(match.group(1), match.group(0)[match.group(0).index("(") :]):
                self.defined.append((self.table, column, laravel_type(match.group(1), written.group(1) if written
                                                                      else "")))
                self.added.setdefault(column, self.table)
                ops.append(sql.Op("added", f"{self.table}.{column}", table=self.table, columns=(sql.bare(column),)))
        ops.extend(self._reshapes(code))
        for match in _PHP_DROP.finditer(code):
            arguments = self._arguments(number, code[match.end():])
            columns = _php_columns(match.group(1), arguments)
            table = self.table
            if table == "?" and columns and all(self.added.get(c, "?") != "?" for c in columns):
                table = self.added[columns[0]]  # a rollback dropping what a closure of the up added
            ops.extend(_drop_columns(f"{match.group(1)}()", table, list(columns)))
        return ops

    def _reshapes(self, code: str) -> list[sql.Op]:
        """A Blueprint's renameColumn, a column definition ending in ->change() (its new type), dropForeign /
        dropUnique / dropPrimary, and the constraints it adds (a drop and re-add is a re-creation)."""
        ops: list[sql.Op] = []
        table = self.table
        code = code[:MAX_RESHAPE_LINE]
        for match in _PHP_RENAME_COLUMN.finditer(code):
            ops += reshape.rename_column("renameColumn()", table, match.group(1), match.group(2))
        changed = _PHP_CHANGE.search(code)
        if changed:
            method, column, arguments = changed.group(1), changed.group(2), changed.group(3).strip()
            shown = f"{method}({arguments})" if arguments else method
            new_type = laravel_type(method, arguments)
            was = self.old_type(table, column) if self.old_type is not None else None
            verdict = reshape.compare_types(was, new_type) if was else None
            ops += reshape.retype("->change()", table, column, shown, was, verdict=verdict)
            self.defined.append((table, column, new_type))
        for match in _PHP_DROP_CONSTRAINT.finditer(code):
            ops += reshape.drop_constraint(f"{match.group(1)}()", table, match.group(2).strip("[]'\" "))
        if _PHP_ADD_CONSTRAINT.search(code):
            ops.append(reshape.add_constraint(table))
        return ops

    def _arguments(self, number: int, rest: str) -> str:
        """A call's arguments up to its closing parenthesis, continued over the next lines (a long column list)."""
        text, last = rest, number
        stop = min(len(self.lines.starts), number + MAX_CONTINUED_LINES)
        while text.count("(") + 1 > text.count(")") and last < stop:
            last += 1
            text += " " + self.lines.text_of(last)
        depth = 1
        for index, char in enumerate(text):
            depth += (char == "(") - (char == ")")
            if depth == 0:
                return text[:index]
        return text

    def _apply(self, variable: str, table: str) -> None:
        """A closure kept in `variable` is run on `table`: its operations act on that table (on each table it is
        passed to, one after another)."""
        for event, template in self.closure_events.get(variable, []):
            resolved = [_on_table(op, table) for op in template if op.table == "?"]
            if id(event) in self.applied:
                event.ops = (event.ops or []) + resolved
            else:
                event.ops = [op for op in template if op.table != "?"] + resolved
                self.applied.add(id(event))
        if self.closure == variable:
            self.closure = None


# knex (`knex.schema.alterTable('users', (t) => { t.renameColumn('a', 'b') })`, the table from the call around it) and
# Sequelize (`queryInterface.renameColumn('users', 'a', 'b')`, the table first)
_JS_TABLE = re.compile(r"\.(?:alterTable|table|createTable)\s*\(\s*['\"`](\w+)['\"`]")
_JS_STRING = r"\s*['\"`](\w+)['\"`]\s*"
_JS_RENAME = re.compile(rf"\.(renameColumn|renameTable)\s*\({_JS_STRING},{_JS_STRING}(?:,{_JS_STRING})?\)")
_JS_CHANGE = re.compile(rf"\.changeColumn\s*\({_JS_STRING},{_JS_STRING},(.*)")
_JS_SEQUELIZE_TYPE = re.compile(r"\btype\s*:\s*((?:Sequelize|DataTypes)\.\w+(?:\([^)]*\))?)")
_JS_ALTER = re.compile(r"\.(\w+)\s*\(\s*['\"`](\w+)['\"`]\s*,?\s*([^)]*)\).*\.alter\s*\(")
_JS_DROP_CONSTRAINT = re.compile(r"\.(dropForeign|dropUnique|dropPrimary|removeConstraint)\s*\(([^)]*)\)")
_JS_ADD_CONSTRAINT = re.compile(r"\.(?:foreign|unique|primary|addConstraint)\s*\(")


class _JsMigration:
    """A knex or Sequelize migration's operations, line by line: drops, renames, retypes (knex's `.alter()`,
    Sequelize's changeColumn), constraint drops and adds."""

    def __init__(self) -> None:
        self.table = "?"

    def ops(self, raw: str) -> list[sql.Op]:
        code = raw.split("//", 1)[0] if not raw.lstrip().startswith(("*", "/*")) else ""
        around = _JS_TABLE.search(code)
        if around:
            self.table = around.group(1)
        found: list[sql.Op] = []
        for match in _JS_OPS.finditer(code):
            op = _orm_op(match.group(1), match.group(2), match.group(3))
            if op is not None:
                found.append(op)
        code = code[:MAX_RESHAPE_LINE]
        for match in _JS_RENAME.finditer(code):
            first, second, third = match.group(2, 3, 4)
            if match.group(1) == "renameTable":
                found += reshape.rename_table("renameTable", first, second)
            elif third:  # Sequelize: table, old, new
                found += reshape.rename_column("renameColumn", first, second, third)
            else:  # knex: old, new, in the table around it
                found += reshape.rename_column("renameColumn", self.table, first, second)
        changed = _JS_CHANGE.search(code)
        if changed:
            kind = _JS_SEQUELIZE_TYPE.search(changed.group(3))
            found += reshape.retype("changeColumn", changed.group(1), changed.group(2), kind.group(1) if kind else "")
        altered = _JS_ALTER.search(code)
        if altered:
            arguments = altered.group(3).strip()
            new_type = f"{altered.group(1)}({arguments})" if arguments else altered.group(1)
            found += reshape.retype(".alter()", self.table, altered.group(2), new_type)
        for match in _JS_DROP_CONSTRAINT.finditer(code):
            names = re.findall(r"['\"`](\w+)['\"`]", match.group(2))
            if match.group(1) == "removeConstraint":
                table, name = (names + ["?", ""])[:2]
            else:
                table, name = self.table, ", ".join(names)
            found += reshape.drop_constraint(f"{match.group(1)}()", table, name)
        adds = _JS_ADD_CONSTRAINT.search(code)
        if adds:
            named = re.search(r"addConstraint\s*\(\s*['\"`](\w+)", code)
            found.append(reshape.add_constraint(named.group(1) if named else self.table))
        return found


OldType = Callable[[str, str], "str | None"]  # (table, column) -> its type in the base's migrations, if written there
_PHP_REST = re.compile(r"\s*,?\s*([^)]*)\)")  # a column definition's arguments after its name
_LARAVEL_TYPES = {"string": "varchar", "char": "char", "text": "text", "tinytext": "tinytext",
                  "mediumtext": "mediumtext", "longtext": "longtext", "tinyinteger": "tinyint",
                  "unsignedtinyinteger": "tinyint",
                  "smallinteger": "smallint", "unsignedsmallinteger": "smallint", "mediuminteger": "mediumint",
                  "unsignedmediuminteger": "mediumint", "integer": "int", "unsignedinteger": "int", "increments": "int",
                  "biginteger": "bigint", "unsignedbiginteger": "bigint", "bigincrements": "bigint", "id": "bigint",
                  "foreignid": "bigint", "decimal": "decimal", "unsigneddecimal": "decimal"}


def laravel_type(method: str, arguments: str) -> str:
    """The SQL type a Blueprint column method makes (`string('name', 160)`: varchar(160); `string` alone: 255, as
    Laravel's default), as reshape.compare_types reads it; another method by its own name."""
    kind = _LARAVEL_TYPES.get(method.lower(), method.lower())
    numbers = re.findall(r"\b\d+\b", arguments)
    if kind in ("varchar", "char"):
        return f"{kind}({numbers[0] if numbers else 255})"
    if kind == "decimal":
        precision, scale = (numbers + ["8", "2"])[:2] if numbers else ("8", "2")
        return f"decimal({precision},{scale})"
    return kind


def php_base_types(files: Callable[[], list[tuple[str, str]]], work: Work) -> OldType:
    """(table, column) -> the type the up() of the Laravel migrations `files()` gives (path, text; read on the first
    question) last gives it, in path order (a name's timestamp); None when none does."""
    known: dict[tuple[str, str], str] = {}
    read = [False]

    def old_type(table: str, column: str) -> str | None:
        if not read[0]:
            read[0] = True
            for _path, text in sorted(files()):
                if "Schema::" not in text or len(text) > MAX_PARSE_BYTES:
                    continue
                php = _PhpMigration(Lines(text))
                section = sql.UP
                for number in range(1, len(php.lines.starts) + 1):
                    raw = php.lines.text_of(number)
                    work.add(len(raw) + 1)
                    match = _C_FUNCTION.search(raw)
                    if match:
                        name = next(g for g in match.groups() if g).lower()
                        section = sql.DOWN if name in DOWN_FUNCTIONS or name.startswith("down") else sql.UP
                        php.enter_section()
                    if section == sql.UP:
                        php.events(number, section)
                known.update(((t.lower(), c.lower()), kind) for t, c, kind in php.defined)
        return known.get((table.lower(), column.lower()))

    return old_type


def _on_table(op: sql.Op, table: str) -> sql.Op:
    """`op`, which named no table ("?"), acting on `table`."""
    return dataclasses.replace(op, target=op.target.replace("?", table, 1), table=table)


def _orm_op(written: str, table: str, column: str | None) -> sql.Op | None:
    verb = written.lower()
    if verb in ("drop_table", "droptable", "droptableifexists", "drop_join_table"):
        return sql.Op(
            "migration-drop", f"table {table}", f"{written} deletes the table and all its rows", table
        )
    if verb in (
        "remove_column",
        "remove_columns",
        "remove_reference",
        "remove_belongs_to",
        "dropcolumn",
        "dropcolumns",
        "removecolumn",
    ):
        if column is None:  # knex: table.dropColumn('email') inside alterTable('users', ...)
            return sql.Op(
                "migration-drop-column",
                f"column {table}",
                f"{written} deletes the column's data",
                "?",
                (table,),
            )
        return sql.Op(
            "migration-drop-column",
            f"column {table}.{column}",
            f"{written} deletes the column's data",
            table,
            (sql.bare(column),),
        )
    if verb in ("create_table", "createtable"):
        return sql.Op("created", table, table=table)
    if verb in ("add_column", "addcolumn") and column:
        return sql.Op("added", f"{table}.{column}", table=table, columns=(sql.bare(column),))
    return None


def _ruby_ops(lines: Lines, number: int, blocks: dict[str, str | None],
              old_type: OldType | None = None) -> list[sql.Op]:
    """The ORM operations of a Ruby migration's line `number` (a comment line has none). `remove_columns` and a
    change_table block's `t.remove` name every column, on this line and the lines its trailing commas continue to."""
    raw = lines.text_of(number)
    if raw.lstrip().startswith("#"):
        return []
    block = _RUBY_TABLE_BLOCK.match(raw)
    if block:
        blocks[block.group(3)] = block.group(2) if block.group(1) == "change_table" else None
    added = _RUBY_BLOCK_ADD.match(raw)
    if added and blocks.get(added.group(1)):  # a column the change_table adds (its rollback may remove it)
        table = blocks[added.group(1)] or "?"
        return [sql.Op("added", f"{table}.{added.group(2)}", table=table, columns=(sql.bare(added.group(2)),))]
    removed = _RUBY_BLOCK_REMOVE.match(raw)
    if removed and blocks.get(removed.group(1)):
        table = blocks[removed.group(1)] or "?"
        columns = _ruby_columns(lines, number, removed.group(3))
        return _drop_columns(f"{removed.group(2)} (change_table)", table, columns)
    reshaped = _RUBY_BLOCK_RESHAPE.match(raw)
    if reshaped and blocks.get(reshaped.group(1)):
        verb = f"{reshaped.group(2)} (change_table)"
        return _reshape(verb, blocks[reshaped.group(1)] or "?", reshaped.group(3), reshaped.group(4), raw, old_type)
    found = _RUBY_OPS.search(raw)
    if not found:
        return []
    verb, table, column, then = found.group(1, 2, 3, 4)
    if verb == "remove_columns":
        rest = raw[found.end(2):].lstrip("\"' ")
        return _drop_columns("remove_columns", table, _ruby_columns(lines, number, rest))
    if verb == "rename_table" and column:
        return reshape.rename_table("rename_table", table, column)
    if verb in ("rename_column", "change_column") and column and then:
        return _reshape(verb, table, column, then, raw, old_type)
    if verb == "remove_foreign_key":
        return reshape.drop_constraint("remove_foreign_key", table, column or "")
    if verb == "add_foreign_key":
        return [reshape.add_constraint(table)]
    if verb == "change_column_null":
        return _ruby_fill_nulls(raw, table, column)
    op = _orm_op(verb, table, column)
    return [op] if op is not None else []


def _ruby_fill_nulls(raw: str, table: str, column: str | None) -> list[sql.Op]:
    """`change_column_null :t, :c, false, 0`: a NOT NULL whose fourth argument is written into every NULL first (without
    it, a row that breaks the NOT NULL fails the migration itself: no loss)."""
    found = _RUBY_NULL_FILL.search(raw[:MAX_RESHAPE_LINE])
    if not found or not column:
        return []
    return reshape.fill_nulls("change_column_null", table, column, found.group(1).strip())


def _reshape(verb: str, table: str, column: str, then: str, raw: str = "",
             old_type: OldType | None = None) -> list[sql.Op]:
    """A column renamed to `then` (rename_column, t.rename) or retyped as `then` (change_column, t.change), judged
    against the type db/schema.rb gave it at the base when `old_type` reads it."""
    if verb.startswith("rename"):
        return reshape.rename_column(verb, table, column, then)
    was = old_type(table, column) if old_type is not None else None
    new_type = rails_type(then, raw[:MAX_RESHAPE_LINE])
    verdict = reshape.compare_types(was, new_type) if was else None
    return reshape.retype(verb, table, column, f":{then}", was, verdict=verdict)


_RAILS_TYPES = {"string": "varchar", "text": "text", "integer": "int", "bigint": "bigint", "decimal": "decimal",
                "numeric": "decimal"}
_RAILS_OPTION = re.compile(r"\b(limit|precision|scale):\s*([^,\s)#]+)")
_SCHEMA_TABLE = re.compile(r"^\s*create_table\s+[\"'](\w+)[\"']")
_SCHEMA_COLUMN = re.compile(r"^\s*t\.(\w+)\s+[\"'](\w+)[\"']")


def rails_type(kind: str, options: str) -> str:
    """The SQL type a Rails column type and its options make, as reshape.compare_types reads it (`:string` with
    no limit: a varchar of no declared length, as PostgreSQL makes it, which only TEXT is known to widen;
    `:integer, limit: 8`: bigint)."""
    found = dict(_RAILS_OPTION.findall(options))
    sql_type = _RAILS_TYPES.get(kind.lower(), kind.lower())
    if any(not value.isdigit() for value in found.values()):
        return f"{sql_type}(?)"  # a limit written as a constant (Gemcutter::MAX_FIELD_LENGTH): not known here
    if sql_type == "varchar":
        return f"varchar({found['limit']})" if "limit" in found else "varchar"
    if sql_type == "int" and found.get("limit") == "8":
        return "bigint"
    if sql_type == "decimal" and "precision" in found:
        return f"decimal({found['precision']},{found.get('scale', '0')})"
    return sql_type


def rails_schema_types(files: Callable[[], list[tuple[str, str]]], work: Work) -> OldType:
    """(table, column) -> its type in the db/schema.rb `files()` gives (path, text; read on the first question)."""
    known: dict[tuple[str, str], str] = {}
    read = [False]

    def old_type(table: str, column: str) -> str | None:
        if not read[0]:
            read[0] = True
            for _path, text in files():
                current = "?"
                for line in text.splitlines():
                    work.add(len(line) + 1)
                    created = _SCHEMA_TABLE.match(line)
                    if created:
                        current = created.group(1).lower()
                    elif (found := _SCHEMA_COLUMN.match(line)) is not None:
                        rest = line[found.end():found.end() + MAX_RESHAPE_LINE]
                        known[(current, found.group(2).lower())] = rails_type(found.group(1), rest)
        return known.get((table.lower(), column.lower()))

    return old_type


def _ruby_columns(lines: Lines, number: int, rest: str) -> list[str]:
    """The column names in `rest` (the arguments after a table), continued on the next lines while a line ends
    with a comma, up to the first keyword option (`type: :string`)."""
    text, last = rest, number
    while text.split("#", 1)[0].rstrip().endswith(",") and last < min(len(lines.starts), number + MAX_CONTINUED_LINES):
        last += 1
        text += " " + lines.text_of(last)
    option = _RUBY_KEYWORD_ARG.search(text)
    names: list[str] = []
    for match in _RUBY_COLUMN.finditer(text[: option.start()] if option else text):
        names.extend(match.group(1).split() if match.group(1) is not None else [match.group(2) or match.group(3)])
    return names


def _drop_columns(written: str, table: str, columns: list[str]) -> list[sql.Op]:
    if not columns:
        return [sql.Op("migration-drop-column", f"columns of {table}", f"{written} deletes the columns' data", table)]
    whose = "column's" if len(columns) == 1 else "columns'"
    return [sql.Op("migration-drop-column", f"column {table}.{', '.join(columns)}",
                   f"{written} deletes the {whose} data", table, tuple(sql.bare(c) for c in columns))]


def _unquote(token: str) -> str:
    if token.startswith("%"):
        body = token[token.index("{") + 1 :]
        return body[:-1] if body.endswith("}") else body
    body = token[1:]
    return body[:-1] if len(body) > 0 and body[-1] == token[0] else body


class _Reversible:
    """Rails' `reversible do |dir|`: the lines of its `dir.down do ... end` are a down section, to the `end` at the
    block's indentation (maybe-finance/maybe's add_super_admin_to_users.rb: the down's change_column back to the enum
    was read as a retype the migration does, QA65)."""

    def __init__(self) -> None:
        self.indent: str | None = None  # the open down block's indentation
        self.outer = sql.UP  # the section around it

    def section(self, raw: str, section: str) -> str:
        """The section of this line (`section`: the def's)."""
        if self.indent is not None:
            if raw.rstrip() == f"{self.indent}end" or raw.rstrip() == f"{self.indent}}}":
                self.indent = None
                return self.outer
            return sql.DOWN
        found = _RUBY_DIRECTION.match(raw)
        if found is not None and found.group(2) == "down":
            self.indent, self.outer = found.group(1), section
            return sql.DOWN
        return section


def scan_code_migration(text: str, path: str, language: str, work: Work,
                        old_type: OldType | None = None) -> list[Finding]:
    """A Ruby, Go, JavaScript, TypeScript or PHP (Laravel) migration; `old_type` gives a Laravel column's type in the
    base's migrations (a ->change() is judged against it)."""
    if len(text) > MAX_PARSE_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_PARSE_BYTES:,} parse bound")
    lines = Lines(text)
    events: list[Event] = []
    section = sql.UP
    ruby = language == "ruby"
    section_at: dict[int, str] = {}
    blocks: dict[str, str | None] = {}  # a change_table block's name -> its table
    reversible = _Reversible()
    php = _PhpMigration(lines, old_type) if language == "php" else None
    js = _JsMigration()
    for number in range(1, len(lines.starts) + 1):  # calls and sections, line by line
        raw = lines.text_of(number)
        work.add(len(raw) + 1)
        match = (_RUBY_DEF if ruby else _C_FUNCTION).search(raw)
        if match:
            name = next(g for g in match.groups() if g)
            section = (
                sql.DOWN if name.lower() in DOWN_FUNCTIONS or name.lower().startswith("down") else sql.UP
            )
            if php is not None:
                php.enter_section()
        if ruby:
            section = reversible.section(raw, section)
        if ruby:
            events.extend(Event(section, number, raw, ops=[op]) for op in _ruby_ops(lines, number, blocks, old_type))
        if php is not None:
            events.extend(php.events(number, section))
        if not ruby and php is None:
            events.extend(Event(section, number, raw, ops=[op]) for op in js.ops(raw))
        section_at[number] = section
    for offset, body in _strings(text, ruby, work):
        if _SQL_START.match(body):
            body = _INTERPOLATION.sub(
                lambda m: "__expr_" + re.sub(r"\W+", "_", m.group(1) or m.group(2) or ""), body
            )
            number = lines.line_of(offset)
            events.append(Event(section_at.get(number, sql.UP), number, lines.text_of(number), sql_text=body))
    events.sort(key=lambda e: e.line)
    return judge_events(events, path, f"{language}-migration", work)


def _strings(text: str, ruby: bool, work: Work) -> Iterator[tuple[int, str]]:
    """(offset, body) of every string literal, heredocs included."""
    pending_heredoc: tuple[int, str] | None = None
    pattern = _RUBY_LEX if ruby else _C_LEX
    position = 0
    while position < len(text):
        match = pattern.match(text, position)
        if match is None:  # pragma: no cover - the last alternative matches any character
            break
        work.add()
        position = match.end()
        kind = match.lastgroup
        if kind in ("dq", "sq", "bq", "pct"):
            yield match.start(), _unquote(match.group())
        elif kind == "heredoc":
            pending_heredoc = (match.start(), match.group("tag"))
        elif kind == "nl" and pending_heredoc is not None:
            start, tag = pending_heredoc
            pending_heredoc = None
            end = re.compile(rf"^[ \t]*{re.escape(tag)}[ \t]*$", re.M).search(text, position)
            stop = end.start() if end else len(text)
            yield start, text[position:stop]
            position = end.end() if end else len(text)
