"""Django data migrations: a `RunPython` whose forward function deletes rows its reverse cannot bring back.

`migrations.RunPython(forward, migrations.RunPython.noop)` where `forward` runs `Model.objects.filter(...).delete()`
loses those rows for good: a rollback runs the no-op and the rows stay deleted (saleor's pr/19465 revokes a
permission so, from four permission tables). Read from the module's functions: a queryset's `delete()` on a chain
from `.objects` (directly, through a name it was assigned to, or an object of a loop over it), the model named by
`apps.get_model("app", "Model")` when the function looked it up so; the forward's own, and those of the module's
functions it calls, one level (`helpers`: a model it passes one of them is the one its parameter names). A reverse
that creates or saves anything is taken as restoring; so is one defined elsewhere (not read). A delete of every row
(`Model.objects.all().delete()`) is judged by migrations.py whatever the reverse; a forward that only creates or
updates deletes nothing.

`migrations.RunSQL("DELETE FROM t WHERE ...", reverse_sql=migrations.RunSQL.noop)` is the same loss written in SQL
and is judged alike (`run_sql_delete`): its reverse restores when it inserts, copies or merges rows, or is not a
string read here. A filtered `DELETE ... WHERE` a forward function runs through a cursor (`cursor.execute(...)`) is
judged as the forward's delete; an alembic upgrade()'s filtered delete under a downgrade() that inserts no row
(`alembic_delete`) is the same loss again.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from app.core.impact.destructive import sqlop as sql
from app.core.impact.destructive.pyast import dotted

KIND = "migration-delete-rows"
# the rows a filter matches, not a table's: weighed as a reshape or a column retype that rounds values away
# (reshape.RESHAPE_WEIGHT); a delete of every row weighs a drop's 1.0 (migrations._EVERY_ROW_DELETE)
FILTERED_DELETE_WEIGHT = 0.5
MAX_SHOWN_FILTER = 80
# calls through which a reverse function writes rows back
_WRITES = frozenset({"create", "bulk_create", "get_or_create", "update_or_create", "save", "loaddata", "call_command"})


@dataclass(frozen=True)
class RowDelete:
    """A queryset delete in a function: where, of which model, through which filter."""

    line: int
    model: str  # "webhook.WebhookEvent" (apps.get_model's label), else the expression: "App.permissions.through"
    table: str  # what a CreateModel of the same migration would name: the class, or the expression's parts joined
    chain: str  # the queryset's calls between `.objects` and `.delete()`: ".filter(event_type='observability')"


def _models(function: ast.FunctionDef) -> dict[str, str]:
    """Names the function assigned `apps.get_model("app", "Model")` (or "app.Model"): name -> "app.Model"."""
    found: dict[str, str] = {}
    for node in ast.walk(function):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call) and dotted(node.value.func).endswith("get_model")):
            continue
        texts = [a.value for a in node.value.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if texts:
            found[node.targets[0].id] = ".".join(texts[:2])
    return found


def _queryset(node: ast.expr) -> tuple[str, str] | None:
    """(model expression, calls after `.objects`) of a chain such as `Model.objects.filter(x=1)`, else None."""
    calls: list[str] = []
    for _ in range(32):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Attribute):
                return None
            calls.append(ast.unparse(node).removeprefix(ast.unparse(node.func.value)))
            node = node.func.value
        elif isinstance(node, ast.Attribute) and node.attr == "objects":
            model = dotted(node.value)
            return (model, "".join(reversed(calls))) if model else None
        else:
            return None
    return None


def _querysets(function: ast.FunctionDef) -> dict[str, tuple[str, str]]:
    """Names bound to a queryset in the function: `qs = Model.objects.filter(...)`, `for row in Model.objects...`."""
    bound: dict[str, tuple[str, str]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            name, value = node.target.id, node.iter
        else:
            continue
        found = _queryset(value)
        if found is not None:
            bound[name] = found
    return bound


def _deletes(function: ast.FunctionDef, given: dict[str, str] | None = None) -> list[RowDelete]:
    """The queryset deletes of a function; `given`: the models its caller passes its parameters (helpers)."""
    models, bound = {**(given or {}), **_models(function)}, _querysets(function)
    out: list[RowDelete] = []
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "delete"
                and not node.args):
            continue
        receiver = node.func.value
        found = bound.get(receiver.id) if isinstance(receiver, ast.Name) else _queryset(receiver)
        if found is None:
            continue
        model, chain = found
        if chain in ("", ".all()") and not isinstance(receiver, ast.Name):
            continue  # every row: migrations.py's sql-delete-all
        root, _, rest = model.partition(".")
        label = models.get(root, root) + (f".{rest}" if rest else "")
        table = model.split(".")[0] if not rest else model.replace(".", "_")
        out.append(RowDelete(node.lineno, label, table, chain))
    return sorted(out, key=lambda d: d.line)


def functions_of(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """The module's top-level functions by name (a RunPython names them)."""
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def helpers(function: ast.FunctionDef, functions: dict[str, ast.FunctionDef]) -> list[tuple[ast.FunctionDef,
                                                                                       dict[str, str]]]:
    """The module's functions a RunPython's forward calls by name, one level (saleor-like `def forward(apps, _):
    remove_duplicates(apps.get_model("app", "Event"))`), each with the models the call gives its parameters: the
    deletes it runs are the forward's."""
    models = _models(function)
    found: dict[str, dict[str, str]] = {}
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions
                and node.func.id != function.name):
            continue
        helper = functions[node.func.id]
        parameters = [a.arg for a in (*helper.args.posonlyargs, *helper.args.args)]
        given = found.setdefault(helper.name, {})
        passed = [*zip(parameters, node.args, strict=False), *((kw.arg, kw.value) for kw in node.keywords if kw.arg)]
        for parameter, value in passed:
            label = _model_label(value, models)
            if label is not None:
                given[parameter] = label
    return [(functions[name], given) for name, given in found.items()]


def _model_label(value: ast.expr, models: dict[str, str]) -> str | None:
    """"app.Model" of a name bound to `apps.get_model(...)`, or of such a call itself; else None."""
    if isinstance(value, ast.Name):
        return models.get(value.id)
    if isinstance(value, ast.Call) and dotted(value.func).endswith("get_model"):
        texts = [a.value for a in value.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        return ".".join(texts[:2]) if texts else None
    return None


def _restores(reverse: ast.expr | None, functions: dict[str, ast.FunctionDef]) -> bool:
    """Whether a RunPython's reverse may write the rows back: it creates or saves something, or is not read here."""
    if reverse is None or (isinstance(reverse, ast.Constant) and reverse.value is None):
        return False
    if dotted(reverse).endswith("noop"):
        return False
    if isinstance(reverse, ast.Lambda):
        body: ast.AST = reverse.body
    elif isinstance(reverse, ast.Name) and reverse.id in functions:
        body = functions[reverse.id]
    else:
        return True  # imported or built elsewhere: not judged
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _WRITES
               for node in ast.walk(body))


def unrestored_forward(call: ast.Call, reverse: ast.expr | None,
                       functions: dict[str, ast.FunctionDef]) -> ast.FunctionDef | None:
    """A RunPython's forward function (its first argument, or `code=`) when it is read here and its reverse cannot
    write rows back; else None."""
    forward = call.args[0] if call.args else next((kw.value for kw in call.keywords if kw.arg == "code"), None)
    if not isinstance(forward, ast.Name) or forward.id not in functions or _restores(reverse, functions):
        return None
    return functions[forward.id]


def _undo(reverse: ast.expr | None, argument: str) -> str:
    return (f"no {argument}: the migration cannot be rolled back" if reverse is None
            else f"its reverse, {ast.unparse(reverse)[:MAX_SHOWN_FILTER]}, does not bring them back")


def run_python_deletes(call: ast.Call, reverse: ast.expr | None,
                       functions: dict[str, ast.FunctionDef]) -> list[tuple[RowDelete, sql.Op]]:
    """The deletes of a RunPython's forward function (the call's first argument) that its reverse cannot restore."""
    function = unrestored_forward(call, reverse, functions)
    if function is None:
        return []
    forward, undo = function.name, _undo(reverse, "reverse_code")
    out = []
    for helper, given in [(function, {}), *helpers(function, functions)]:
        through = "" if helper is function else f" through {helper.name}()"
        for delete in _deletes(helper, given):
            chain = delete.chain if len(delete.chain) <= MAX_SHOWN_FILTER else delete.chain[:MAX_SHOWN_FILTER] + "…"
            which = f"those matched by {chain}" if chain not in ("", ".all()") else "every one"
            reason = f"RunPython({forward}), line {call.lineno}, deletes {which}{through}; {undo}"
            every_row = delete.chain in ("", ".all()")
            out.append((delete, sql.Op(KIND, f"{'every row' if every_row else 'rows'} of {delete.model}", reason,
                                       delete.table, weight=1.0 if every_row else FILTERED_DELETE_WEIGHT)))
    return out


# SQL through which a RunSQL's reverse writes rows back
_SQL_WRITES = re.compile(r"\b(?:INSERT|COPY|MERGE|REPLACE)\b", re.I)


def sql_restores(reverse: ast.expr | None, reverse_text: str | None) -> bool:
    """Whether a RunSQL's reverse_sql may write deleted rows back: SQL that inserts, copies or merges, or a value not
    read as a string here (built elsewhere); none, `RunSQL.noop`, or SQL that writes no row does not."""
    if reverse is None or (isinstance(reverse, ast.Constant) and reverse.value is None):
        return False
    if dotted(reverse).endswith("noop"):
        return False
    if reverse_text is None:
        return True
    return writes_rows(reverse_text)


def writes_rows(text: str) -> bool:
    """Whether SQL inserts, copies, merges or replaces rows (what a reverse restores deleted rows with)."""
    return bool(_SQL_WRITES.search(text))


def where_of(statement: str) -> str:
    """A DELETE's filter as shown: from its WHERE on, cut to MAX_SHOWN_FILTER."""
    where = " ".join(statement.split())  # SQL in a triple-quoted string spreads over lines and indents
    where = where[where.upper().find(" WHERE ") + 1:]
    return where if len(where) <= MAX_SHOWN_FILTER else where[:MAX_SHOWN_FILTER] + "…"


def run_sql_delete(table: str, statement: str, call: ast.Call, reverse: ast.expr | None) -> sql.Op:
    """The op of a RunSQL's filtered `DELETE FROM table WHERE ...` that its reverse cannot restore."""
    undo = _undo(reverse, "reverse_sql")
    reason = f"RunSQL, line {call.lineno}, deletes those matched by {where_of(statement)}; {undo}"
    return sql.Op(KIND, f"rows of {table}", reason, table, weight=FILTERED_DELETE_WEIGHT)


def run_python_sql_delete(table: str, statement: str, call: ast.Call, reverse: ast.expr | None) -> sql.Op:
    """The op of a filtered `DELETE ... WHERE` a RunPython's forward function runs through a cursor (saleor's #16102
    removes duplicates so) when its reverse cannot restore the rows: the same loss as the ORM's filtered delete."""
    forward = ast.unparse(call.args[0] if call.args else call)[:MAX_SHOWN_FILTER]
    reason = (f"RunPython({forward}), line {call.lineno}, deletes those matched by {where_of(statement)}; "
              f"{_undo(reverse, 'reverse_code')}")
    return sql.Op(KIND, f"rows of {table}", reason, table, weight=FILTERED_DELETE_WEIGHT)


def alembic_delete(table: str, where: str, upgrade_line: int, downgrade: ast.FunctionDef | None) -> sql.Op:
    """The op of an alembic upgrade()'s filtered delete (SQL `DELETE ... WHERE`, or `sa.delete(t).where(...)`) under a
    downgrade() that writes no row back."""
    undo = ("no downgrade(): the migration cannot be rolled back" if downgrade is None
            else f"downgrade() (line {downgrade.lineno}) does not bring them back: it inserts no row")
    reason = f"upgrade(), line {upgrade_line}, deletes those matched by {where}; {undo}"
    return sql.Op(KIND, f"rows of {table}", reason, table, weight=FILTERED_DELETE_WEIGHT)
