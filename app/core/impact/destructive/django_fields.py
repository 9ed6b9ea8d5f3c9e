"""What a Django AlterField changes in the database, judged against the field's previous definition.

Django writes an AlterField for any change of a field's arguments, most of which never reach the database (choices,
help_text, verbose_name, validators, blank, a Python default). The previous definition is the last CreateModel,
AddField, AlterField or RenameField of that model and field in the migrations of the same directory at the change's
base (read through `ast`, in file name order). Only what the column is counts: its type (class, max_length,
max_digits, decimal_places, the model a ForeignKey points at) and uniqueness. A type that holds every old value (a
longer CharField, CharField to TextField, a larger integer) passes; so does an AlterField whose previous definition was
not found (it is no evidence of a retype by itself).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from app.core.impact.destructive import reshape, sql
from app.core.impact.destructive.model import ParseFailure, Work
from app.core.impact.destructive.pyast import dotted, parse_python

Field = dict[str, str]  # "class" and the column-defining keyword arguments, as source text
OldField = Callable[[str, str], "Field | None"]  # (model, field), lower case -> its previous definition
_KNOWN = frozenset({"CharField", "TextField", "DecimalField", "ForeignKey", "OneToOneField", "BooleanField",
                    "NullBooleanField", "DateField", "DateTimeField", "TimeField", "DurationField", "FloatField",
                    "JSONField", "UUIDField", "BinaryField", "ArrayField", "ManyToManyField"})
# classes whose column is one SQL type (NullBooleanField is a BooleanField that allows NULL: the same column)
_SAME_COLUMN = {"BooleanField": "boolean", "NullBooleanField": "boolean", "DateField": "date",
                "DateTimeField": "timestamp", "FloatField": "float"}
_DEFINING = ("max_length", "max_digits", "decimal_places", "unique", "primary_key", "to", "db_column")
_DEFAULT_LENGTH = {"SlugField": "50", "EmailField": "254", "URLField": "200", "FilePathField": "100",
                   "FileField": "100", "ImageField": "100", "GenericIPAddressField": "39", "IPAddressField": "15"}
_INTEGERS = {"SmallIntegerField": "smallint", "PositiveSmallIntegerField": "smallint", "SmallAutoField": "smallint",
             "IntegerField": "integer", "PositiveIntegerField": "integer", "AutoField": "integer",
             "BigIntegerField": "bigint", "PositiveBigIntegerField": "bigint", "BigAutoField": "bigint"}


def field_of(call: ast.expr | None) -> Field | None:
    """`models.CharField(max_length=50, ...)` as {"class": "CharField", "max_length": "50"}; None if not a call."""
    if not isinstance(call, ast.Call):
        return None
    found = {"class": dotted(call.func).split(".")[-1]}
    for keyword in call.keywords:
        if keyword.arg in _DEFINING:
            found[keyword.arg] = ast.unparse(keyword.value)
    if found["class"] in ("ForeignKey", "OneToOneField") and call.args and "to" not in found:
        found["to"] = ast.unparse(call.args[0])
    return found


def column_type(field: Field) -> str | None:
    """The SQL type a field's column has, as reshape.compare_types reads it; None for a project's own field class
    without a max_length (netbox's ASNField, ChoiceSetField: what column it makes is in code not read here)."""
    kind = field["class"]
    if kind not in _KNOWN and kind not in _DEFAULT_LENGTH and kind not in _INTEGERS:
        return f"varchar({field['max_length']})" if "max_length" in field else None
    if kind in ("CharField", *_DEFAULT_LENGTH):
        return f"varchar({field.get('max_length', _DEFAULT_LENGTH.get(kind, '?'))})"
    if kind == "TextField":
        return "text"
    if kind in _INTEGERS:
        return _INTEGERS[kind]
    if kind == "DecimalField":
        return f"decimal({field.get('max_digits', '?')},{field.get('decimal_places', '?')})"
    if kind in _SAME_COLUMN:
        return _SAME_COLUMN[kind]
    if kind in ("ForeignKey", "OneToOneField"):
        return f"fk {field.get('to', '?').strip(chr(39) + chr(34)).lower()}"
    return kind.lower()


def shown(field: Field) -> str:
    arguments = ", ".join(f"{k}={v}" for k, v in field.items() if k not in ("class", "to", "db_column"))
    return f"{field['class']}({arguments})"


def altered(model: str, name: str, new: Field | None, old: Field | None) -> list[sql.Op]:
    """What an AlterField of `model`.`name` to `new` does to the column, given its previous definition `old`."""
    changed = [sql.Op("changed", f"{model}.{name}", table=model, columns=(sql.bare(name),))]
    if new is None or old is None:
        return changed
    ops: list[sql.Op] = []
    before, after = column_type(old), column_type(new)
    verdict = reshape.compare_types(before, after) if before is not None and after is not None else "same"
    if verdict not in ("same", "widens"):
        ops += reshape.retype("AlterField", model, name, shown(new), shown(old), verdict=verdict)[:1]
    if old.get("unique") == "True" and new.get("unique") != "True" and new.get("primary_key") != "True":
        ops += reshape.drop_constraint("AlterField (unique=True removed)", model, f"unique {name}")
    return ops + changed


def base_fields(files: Callable[[], list[tuple[str, str]]], work: Work) -> OldField:
    """(model, field) -> the field's last definition in the migrations `files()` gives (read on the first question)."""
    known: dict[tuple[str, str], Field] = {}
    read = [False]

    def old_field(model: str, name: str) -> Field | None:
        if not read[0]:
            read[0] = True
            for _path, text in sorted(files()):
                if "migrations.Migration" not in text:
                    continue
                try:
                    tree = parse_python(text, work)
                except ParseFailure:
                    continue
                _history(tree, known, work)
        return known.get((model.lower(), name.lower()))

    return old_field


def _text(node: ast.expr | None) -> str:
    return node.value.lower() if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if len(call.args) > index else None


def _history(tree: ast.Module, known: dict[tuple[str, str], Field], work: Work) -> None:
    """Applies one migration's field operations, in source order, to `known`."""
    for node in ast.walk(tree):
        work.add()
        if not isinstance(node, ast.Call):
            continue
        verb = dotted(node.func).split(".")[-1]
        if verb == "CreateModel":
            model = _text(_argument(node, 0, "name"))
            fields = _argument(node, 1, "fields")
            for item in fields.elts if isinstance(fields, (ast.List, ast.Tuple)) else []:
                if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                    field = field_of(item.elts[1])
                    if field is not None:
                        known[(model, _text(item.elts[0]))] = field
        elif verb in ("AddField", "AlterField"):
            field = field_of(_argument(node, 2, "field"))
            if field is not None:
                known[(_text(_argument(node, 0, "model_name")), _text(_argument(node, 1, "name")))] = field
        elif verb == "RenameField":
            model = _text(_argument(node, 0, "model_name"))
            moved = known.pop((model, _text(_argument(node, 1, "old_name"))), None)
            if moved is not None:
                known[(model, _text(_argument(node, 2, "new_name")))] = moved
