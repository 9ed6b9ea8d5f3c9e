"""Schema changes that keep the rows but change what reads or guards them, one vocabulary for every migration format.

SQL (`ALTER TABLE ... RENAME`, `ALTER COLUMN ... TYPE`, `MODIFY`, `CHANGE`, `DROP CONSTRAINT`), Liquibase
(renameColumn, modifyDataType, dropForeignKeyConstraint ...), Rails, Laravel, knex, Sequelize and Django build their
operations here, so that the same change weighs the same and reads the same in the why panel whatever wrote it:

- a column or table **renamed**: the code still running during the deploy, and every query, view and report that names
  the old name, fails until it is changed too; no row is lost. RESHAPE_WEIGHT.
- a column **retyped**: a narrower type cuts or refuses the values it cannot hold, and the table is rewritten under a
  lock. RESHAPE_WEIGHT; not flagged when the old type is known and the new one holds every value it held (a longer
  VARCHAR, a larger integer, more digits at the same scale); ROUNDING_WEIGHT when a DECIMAL's scale narrows (every
  amount is rounded: data lost for good).
- a foreign key, unique, primary key or check **constraint dropped**: no row is lost, but the database stops refusing
  rows that break it. LOOSEN_WEIGHT; not when the same section adds a constraint to that table again (dropped to be
  re-created or renamed).
- **NULLs filled** by a NOT NULL with a default for the existing NULLs (Liquibase's defaultNullValue, Rails'
  change_column_null's fourth argument): every NULL is overwritten. LOOSEN_WEIGHT. A NOT NULL alone is not
  destructive: a row that breaks it fails the migration itself.

Each is no loss in a rollback that undoes its own up (the up's new name renamed back, the up's retyped column retyped
back, the up's added constraint dropped), nor on a column the same section added. A filtered data delete (`DELETE ...
WHERE`, `->where(...)->delete()`, `.filter(...).delete()`) is not flagged: removing chosen rows is what a data migration
is for; one with no filter (every row) is.
"""

from __future__ import annotations

import re

from app.core.impact.destructive import sqlop as sql

RESHAPE_WEIGHT = 0.5
LOOSEN_WEIGHT = 0.25
ROUNDING_WEIGHT = 1.0
RENAME = "schema-rename"
RETYPE = "schema-retype"
DROP_CONSTRAINT = "schema-drop-constraint"
FILL_NULLS = "schema-fill-nulls"
KINDS = frozenset({RENAME, RETYPE, DROP_CONSTRAINT, FILL_NULLS})
CONSTRAINED = "constrained"  # not a finding: a constraint added to a table (a drop of it there is a re-creation)


def _weighed(weight: float, lost: str = "no row is lost") -> str:
    return f"{lost} (weighed {weight:g})"


def rename_column(written: str, table: str, old: str, new: str) -> list[sql.Op]:
    """`written` (as the migration says it) renames column `old` of `table` to `new`; the new name is remembered (a
    rollback renaming it back undoes it)."""
    why = (f"{written} renames it to {new}: the code still running during the deploy, and every query, view and report "
           f"that names {old}, fails until it is changed too; {_weighed(RESHAPE_WEIGHT)}")
    return [sql.Op(RENAME, f"column {table}.{old}", why, table, (sql.bare(old),), RESHAPE_WEIGHT),
            sql.Op("added", f"{table}.{new}", table=table, columns=(sql.bare(new),))]


def rename_table(written: str, old: str, new: str) -> list[sql.Op]:
    why = (f"{written} renames it to {new}: the code still running during the deploy, and every query, view and report "
           f"that names {old}, fails until it is changed too; {_weighed(RESHAPE_WEIGHT)}")
    return [sql.Op(RENAME, f"table {old}", why, old, (), RESHAPE_WEIGHT), sql.Op("created", new, table=new)]


def retype(written: str, table: str, column: str, new_type: str, old_type: str | None = None, *,
           verdict: str | None = None) -> list[sql.Op]:
    """`column` of `table` given `new_type`; with the `old_type` known, a widening is no loss (only remembered) and a
    narrowed DECIMAL scale weighs ROUNDING_WEIGHT. `verdict`: compare_types's, when the caller compared other texts
    than the ones shown (Django's fields by their column types)."""
    changed = sql.Op("changed", f"{table}.{column}", table=table, columns=(sql.bare(column),))
    if verdict is None:
        verdict = compare_types(old_type, new_type) if old_type else "unknown"
    if verdict in ("same", "widens"):
        return [changed]
    target = f"column {table}.{column}"
    shown_new = new_type or "another type"
    if verdict == "rounds":
        why = (f"{written} from {old_type} to {shown_new}: every value is rounded to fewer decimal places, and the "
               f"table is rewritten under a lock; {_weighed(ROUNDING_WEIGHT, 'the digits cut are lost')}")
        return [sql.Op(RETYPE, target, why, table, (sql.bare(column),), ROUNDING_WEIGHT), changed]
    was = f" from {old_type}" if old_type else ""
    why = (f"{written}{was} to {shown_new}: a narrower type cuts or refuses the values it cannot hold, and the table "
           f"is rewritten under a lock; {_weighed(RESHAPE_WEIGHT)}")
    return [sql.Op(RETYPE, target, why, table, (sql.bare(column),), RESHAPE_WEIGHT), changed]


def drop_constraint(written: str, table: str, name: str = "") -> list[sql.Op]:
    what = f"constraint {name} of {table}" if name else f"a constraint of {table}"
    why = (f"{written}: the database stops refusing the rows that break it, and rows written meanwhile can keep it "
           f"from being added back; {_weighed(LOOSEN_WEIGHT)}")
    return [sql.Op(DROP_CONSTRAINT, what, why, table, (), LOOSEN_WEIGHT)]


def add_constraint(table: str) -> sql.Op:
    return sql.Op(CONSTRAINED, table, table=table)


def fill_nulls(written: str, table: str, column: str, default: str) -> list[sql.Op]:
    why = (f"{written} with {default} for the existing NULLs: every NULL of {column} is overwritten, and which rows "
           f"had no value is lost; {_weighed(LOOSEN_WEIGHT, 'no row is deleted')}")
    return [sql.Op(FILL_NULLS, f"column {table}.{column}", why, table, (sql.bare(column),), LOOSEN_WEIGHT)]


# -- types -------------------------------------------------------------------------------------------------------------
_TYPE = re.compile(r"^\s*([A-Za-z][\w ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(?:UNSIGNED)?\s*$", re.I)
_TEXT = {"char": 1, "character": 1, "nchar": 1, "varchar": 2, "character varying": 2, "nvarchar": 2, "varchar2": 2,
         "string": 2, "tinytext": 3, "text": 4, "mediumtext": 5, "longtext": 6, "clob": 6}
_INTEGER = {"tinyint": 1, "smallint": 2, "int2": 2, "mediumint": 3, "int": 4, "integer": 4, "int4": 4, "bigint": 5,
            "int8": 5, "biginteger": 5, "smallinteger": 2, "tinyinteger": 1, "mediuminteger": 3}
_DECIMAL = {"decimal", "numeric", "number", "dec"}
_DIGITS = {1: 3, 2: 5, 3: 8, 4: 10, 5: 19}  # the decimal digits of each integer rank's largest value
_UNBOUNDED_TEXT = 1 << 32
# another type that holds every value of the first: a date is a timestamp at midnight
_WIDER_KINDS = {("date", "timestamp"), ("date", "datetime"), ("date", "timestamptz"), ("timestamp", "timestamptz"),
                ("float", "double"), ("real", "double precision"), ("float", "double precision")}
# PostgreSQL's spelt-out names, as Npgsql's EF Core migrations write them (bitwarden's AlterColumn of RevisionDate)
_SPELT_OUT = {"timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
              "time without time zone": "time", "time with time zone": "timetz"}


def _shape(text: str) -> Shape | None:
    """(family, name, length or precision, scale) of a SQL type as migrations write it, or None."""
    text = re.sub(r"\b(?:length|precision|scale)\s*=\s*|\(\s*\)", "", text)  # SQLAlchemy's String(length=100)
    text = re.sub(r"\s+(?:NOT\s+)?NULL\s*$", "", text, flags=re.I)  # Liquibase's `timestamp(6) NULL`
    match = _TYPE.match(text.replace("`", "").replace('"', ""))
    if match is None:
        return None
    name = " ".join(match.group(1).lower().split())
    name = _SPELT_OUT.get(name, name)
    first = int(match.group(2)) if match.group(2) else None
    second = int(match.group(3)) if match.group(3) else None
    if name in _TEXT:
        return "text", name, first, None
    if name in _INTEGER:
        return "integer", name, None, None
    if name in _DECIMAL:
        return "decimal", name, first, second
    return "other", name, first, second


Shape = tuple[str, str, "int | None", "int | None"]


def compare_types(old: str, new: str) -> str:
    """"same", "widens" (every old value fits), "rounds" (a DECIMAL's scale narrows) or "unknown" (narrower, another
    family, or not read)."""
    if " ".join(old.lower().split()) == " ".join(new.lower().split()):
        return "same"
    before, after = _shape(old), _shape(new)
    if before is None or after is None:
        return "unknown"
    if (before[0], after[0]) == ("integer", "decimal"):
        digits = _DIGITS[_INTEGER[before[1]]]  # an integer into a DECIMAL with room for all its digits
        return "widens" if after[2] is not None and after[2] - (after[3] or 0) >= digits else "unknown"
    if (before[1], after[1]) in _WIDER_KINDS:
        return "widens"
    if before[1] == "enum" and after[0] == "text" and after[2] is None:
        # a PostgreSQL or MySQL enum's labels into a string with no limit, or text (maybe-finance/maybe's users.role:
        # "a narrower type cuts or refuses the values it cannot hold", QA65)
        return "widens"
    if before[0] != after[0]:
        return "unknown"
    return _COMPARE.get(before[0], _compare_other)(before, after)


def _compare_text(before: Shape, after: Shape) -> str:
    old_rank, new_rank = _TEXT[before[1]], _TEXT[after[1]]
    old_len = before[2] if before[2] is not None else (_UNBOUNDED_TEXT if old_rank >= 4 else None)
    new_len = after[2] if after[2] is not None else (_UNBOUNDED_TEXT if new_rank >= 4 else None)
    if new_len == _UNBOUNDED_TEXT and new_rank >= max(old_rank, 4):
        return "widens"  # TEXT and longer hold any string
    if old_len is None or new_len is None:
        return "unknown"
    fixed_to_var = old_rank == 1 and new_rank >= 2
    return "widens" if new_len >= old_len and (new_rank >= old_rank or fixed_to_var) else "unknown"


def _compare_integer(before: Shape, after: Shape) -> str:
    return "widens" if _INTEGER[after[1]] >= _INTEGER[before[1]] else "unknown"


def _compare_decimal(before: Shape, after: Shape) -> str:
    old_scale, new_scale = before[3] or 0, after[3] or 0
    if before[2] is None or after[2] is None:
        return "same" if before[2] == after[2] and old_scale == new_scale else "unknown"
    if new_scale < old_scale:
        return "rounds"
    return "widens" if after[2] - new_scale >= before[2] - old_scale else "unknown"


def _compare_other(before: Shape, after: Shape) -> str:
    """The same type with a larger length or precision (`DATETIME(3)` to `DATETIME(6)`) widens; anything else is not
    known to."""
    if before[1] == after[1] and before[3] == after[3] and (after[2] or 0) >= (before[2] or 0):
        return "widens"
    return "unknown"


_COMPARE = {"text": _compare_text, "integer": _compare_integer, "decimal": _compare_decimal}
