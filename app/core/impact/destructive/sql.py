"""Destructive SQL, by statement: DROP/TRUNCATE, ALTER TABLE ... DROP COLUMN, DELETE or UPDATE of every row.

A linear lexer (one compiled regex: quotes, `--` and `/* */` comments, dollar quotes, `;`) cuts a file
into statements; each statement that starts with a verb that can destroy data is parsed by sqlglot
(any dialect: the default reader, then postgres, mysql and tsql). What sqlglot cannot parse, what is
too long, and what comes after MAX_SQL_PARSES statements is classified by its leading words instead.

Migration formats are understood: dbmate (`-- migrate:up` / `-- migrate:down`), goose (`-- +goose
Up/Down`), sql-migrate (`-- +migrate Up/Down`), golang-migrate (`*.down.sql`), Flyway (`V3__x.sql`,
undo `U3__x.sql`), Liquibase formatted SQL (`--rollback` lines are comments). A down section only
runs on rollback: a drop there is fine when it undoes what the up section created, and destructive
when it drops something the migration did not create (`-- migrate:down DROP TABLE users` under an up
that only added a column).

Look-alikes that pass: dropping a table created earlier in the same file (a scratch table), an UPDATE
without WHERE that backfills columns the same file added, DROP INDEX/CONSTRAINT/DEFAULT, a keyword
inside a string literal or a comment.
"""

from __future__ import annotations

import dataclasses
import logging
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from app.core.impact.destructive import reshape
from app.core.impact.destructive.model import (
    MAX_FINDINGS_PER_FILE,
    MAX_PARSE_BYTES,
    MAX_SQL_PARSES,
    MAX_STATEMENT,
    Finding,
    Lines,
    ParseFailure,
    Work,
    shown,
)
from app.core.impact.destructive.sqlop import Op as Op
from app.core.impact.destructive.sqlop import bare as bare
from app.core.impact.destructive.sqlop import readable as readable

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # "falling back to a Command" is not news to a user

UP = "up"
DOWN = "down"
# Renames, retypes, constraint drops and NULL fills keep the rows but change what reads or guards them (reshape.py,
# one vocabulary for every format): of a column the same section added they break nothing, and in a rollback they undo
# the up's own rename, retype or constraint
RESHAPES = frozenset({"schema-rename", "schema-retype", "schema-drop-constraint", "schema-fill-nulls"})
_CONSTRAINT_DROP = "schema-drop-constraint"
REBUILD_WEIGHT = 0.5  # a rebuild's DROP TABLE after copying every row: what it may lose is a column's or an index's

_LEXER = re.compile(
    r"""
  (?P<code>[^;'"`$/\#-]+)
| (?P<line>--[^\n]*)
| (?P<hash>\#[^\n]*)
| (?P<block>/\*.*?(?:\*/|\Z))
| (?P<sq>'[^']*(?:''[^']*)*(?:'|\Z))
| (?P<dq>"[^"]*(?:""[^"]*)*(?:"|\Z))
| (?P<bq>`[^`]*(?:`|\Z))
| (?P<dollar>\$(?P<tag>[A-Za-z_]\w{0,30}|)\$.*?(?:\$(?P=tag)\$|\Z))
| (?P<semi>;)
| (?P<word>[$/\#-])
""",
    re.S | re.X,
)
# T-SQL (SQL Server): a script of batches separated by `GO` lines, whose statements need no `;` and sit in
# `IF ... BEGIN ... END` blocks; `#name` is a temporary table, not a comment (QA62: bitwarden/server's
# util/Migrator/DbScripts: `IF OBJECT_ID('[dbo].[U2f]') IS NOT NULL BEGIN DROP TABLE [dbo].[U2f] END` was one
# statement starting with IF, and the 2018 ManagerRole script's ALTER COLUMN ran on to its next batch's DROP FUNCTION,
# read as a dropped column named "function")
_TSQL_BATCHES = re.compile(r"^[ \t]*GO[ \t]*(?:\d+[ \t]*)?$", re.I | re.M)
_TSQL_BREAK = re.compile(r"^[ \t]*GO[ \t]*(?:\d+[ \t]*)?$|\b(CASE|BEGIN|END)\b", re.I | re.M)
_TSQL_BLOCK_WORDS = re.compile(r"\s*(?:TRY|CATCH|TRAN|TRANSACTION|DISTRIBUTED)\b", re.I)
TEMPORARY = "@"  # T-SQL's `#temp` and `@variable` tables, as a T-SQL text is read: never persistent data
_DOWN_MARKER = re.compile(r"^--\s*(?:\+goose\s+down|migrate:down|\+migrate\s+down)\b", re.I)
_UP_MARKER = re.compile(r"^--\s*(?:\+goose\s+up|migrate:up|\+migrate\s+up)\b", re.I)
_DESTRUCTIVE_VERBS = frozenset({"DROP", "TRUNCATE", "ALTER", "DELETE", "UPDATE", "CREATE", "RENAME"})
_DATA_DROPS = {"TABLE": "table", "DATABASE": "database", "SCHEMA": "schema"}
_NOT_DATA = frozenset(
    ["CONSTRAINT", "INDEX", "KEY", "DEFAULT", "NOT", "PRIMARY", "FOREIGN", "CHECK", "IDENTITY", "EXPRESSION",
     "TRIGGER", "ROW", "RULE", "STATISTICS", "POLICY", "UNIQUE"]
)
_NAME = (
    r'((?:[\w$@]+|"[^"]{1,128}"|`[^`]{1,128}`|\[[^\]]{1,128}\])(?:\.(?:[\w$]+|"[^"]{1,128}"|`[^`]{1,128}`|\[[^\]]{1,128}\]))*)'
)
_WORD_DROP = re.compile(
    rf"^DROP\s+(?:TEMPORARY\s+)?(TABLE|DATABASE|SCHEMA)\s+(?:IF\s+EXISTS\s+)?{_NAME}", re.I
)
_WORD_TRUNCATE = re.compile(rf"^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?{_NAME}", re.I)
_WORD_ALTER = re.compile(rf"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}", re.I)
_WORD_ALTER_DROP = re.compile(r"\bDROP\s+(?:(COLUMN|PARTITION)\s+)?(?:IF\s+EXISTS\s+)?([\w$\"`\[\]]+)", re.I)
_WORD_ADD = re.compile(r"\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?([\w$\"`\[\]]+)", re.I)
_WORD_DELETE = re.compile(rf"^DELETE\s+(?:TOP\s*\(\s*\d+\s*\)\s*(?:PERCENT\s+)?)?(?:FROM\s+)?(?:ONLY\s+)?{_NAME}", re.I)
_WORD_UPDATE = re.compile(rf"^UPDATE\s+(?:ONLY\s+)?{_NAME}(?:\s+(?:AS\s+)?\w+)?\s+SET\b", re.I)
_WORD_CREATE = re.compile(
    rf"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP\w*\s+|UNLOGGED\s+)?"
    rf"TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}",
    re.I,
)
_WHERE = re.compile(r"\bWHERE\b", re.I)
_INNER_JOIN = re.compile(r"\b(?:INNER\s+)?JOIN\b(?<!LEFT JOIN)(?<!RIGHT JOIN)(?<!OUTER JOIN)(?<!FULL JOIN)"
                         r"(?<!CROSS JOIN)",
                         re.I)
_INSERT_SELECT = re.compile(rf"^INSERT\s+(?:OR\s+\w+\s+)?INTO\s+{_NAME}\s*(?:\([^)]*\)\s*)?SELECT\b", re.I)
_FROM = re.compile(rf"\bFROM\s+{_NAME}", re.I)
_FILTERS = re.compile(r"\b(JOIN|WHERE|LIMIT|DISTINCT|GROUP\s+BY)\b", re.I)
_WORD_RENAME_TABLE = re.compile(rf"^RENAME\s+TABLES?\s+{_NAME}\s+TO\s+{_NAME}", re.I)
_COLUMN_NAME = r'([\w$]+|"[^"]{1,128}"|`[^`]{1,128}`|\[[^\]]{1,128}\])'
_WORD_RESHAPE = re.compile(
    rf"\bRENAME\s+(?:COLUMN\s+)?(?!TO\b){_COLUMN_NAME.replace('(', '(?P<renamed>', 1)}\s+TO\s+"
    rf"{_COLUMN_NAME.replace('(', '(?P<to>', 1)}"
    rf"|\bRENAME\s+(?:TO|AS)\s+{_NAME.replace('(', '(?P<table_to>', 1)}"
    rf"|\b(?:ALTER\s+(?:COLUMN\s+)?{_COLUMN_NAME.replace('(', '(?P<retyped>', 1)}\s+(?:SET\s+DATA\s+)?TYPE"
    rf"|MODIFY\s+(?:COLUMN\s+)?{_COLUMN_NAME.replace('(', '(?P<modified>', 1)})\s+(?P<type>[\w ]+?(?:\([\d, ]+\))?)"
    rf"(?=\s*(?:,|$|NOT\b|NULL\b|DEFAULT\b|USING\b|COLLATE\b))"
    rf"|\bDROP\s+(?:CONSTRAINT|FOREIGN\s+KEY)\s+(?:IF\s+EXISTS\s+)?{_COLUMN_NAME.replace('(', '(?P<constraint>', 1)}"
    rf"|\bDROP\s+PRIMARY\s+KEY\b"
    rf"|\bADD\s+(?P<added>CONSTRAINT|FOREIGN\s+KEY|PRIMARY\s+KEY|UNIQUE)\b",
    re.I,
)
_TAUTOLOGY_WORDS = re.compile(
    r"\bWHERE\s+(?:1\s*=\s*1|TRUE|1|'(\w*)'\s*=\s*'\1')\s*(?:$|;|ORDER|LIMIT|RETURNING)", re.I
)
_DIALECTS = (None, "postgres", "mysql", "tsql")
_RESHAPE_HINT = re.compile(r"\b(?:RENAME|TYPE|MODIFY|CHANGE|CONSTRAINT|FOREIGN|PRIMARY)\b", re.I)
# Something after WHERE that could be always true: TRUE, NOT FALSE, a bare number, `a = a`, `1 <> 2`.
_TAUTOLOGY_HINT = re.compile(r"\bTRUE\b|\bNOT\s+FALSE\b|(?<![\w.'\"])('?[\w.]+'?)\s*(?:=|>=|<=)\s*\1(?![\w.'])"
                             r"|^\s*\(?\s*\d+\s*\)?\s*(?:$|ORDER\b|LIMIT\b|RETURNING\b)|'\w*'\s*(?:<>|!=)\s*'|\d\s*(?:<>|!=)\s*\d",
                             re.I)


@dataclass
class Statement:
    """One statement: its code (comments dropped, whitespace collapsed), where it starts, its section."""

    code: str
    offset: int
    section: str = UP


@dataclass
class SqlState:
    """What a file (or a migration's strings) created so far, by section: drops of these are undos."""

    created: dict[str, set[str]] = field(default_factory=lambda: {UP: set(), DOWN: set()})
    added: dict[str, set[str]] = field(default_factory=lambda: {UP: set(), DOWN: set()})
    changed: dict[str, set[str]] = field(default_factory=lambda: {UP: set(), DOWN: set()})  # columns retyped
    constrained: dict[str, set[str]] = field(default_factory=lambda: {UP: set(), DOWN: set()})  # tables given one
    # table -> (the table this section copied its rows into, what filters the copy or ""): a rebuild's old table
    copied: dict[str, dict[str, tuple[str, str]]] = field(default_factory=lambda: {UP: {}, DOWN: {}})
    parses: int = 0

    def readded(self, op: Op, section: str) -> bool:
        """A constraint drop on a table the same section gives a constraint again (dropped to be re-created, or
        renamed): nothing stops being guarded; a table renamed out of the way of the table of its name the same
        section creates (a SQLite rebuild: `RENAME TO user_old`, `CREATE TABLE user`, copy, drop): what names it
        still finds it. Asked once the whole section is read."""
        if op.kind == reshape.RENAME and not op.columns:
            return bare(op.table) in self.created[section]
        return op.kind == _CONSTRAINT_DROP and bare(op.table) in self.constrained[section]


# ==================================================================================================
# splitting
# ==================================================================================================


def _tsql_pieces(piece: str, offset: int, cases: list[int]) -> Iterator[tuple[str, int]]:
    """A T-SQL code piece (at `offset`) cut where a batch or a block ends or begins, each cut as ("", -1). `cases`:
    the CASE expressions open in the statement being read, whose END ends no block."""
    begin = 0
    for cut in _TSQL_BREAK.finditer(piece):
        word = (cut.group(1) or "").upper()
        if word == "CASE" or (word == "END" and cases[0]):
            cases[0] += 1 if word == "CASE" else -1
            continue
        yield piece[begin:cut.start()], offset + begin
        yield "", -1
        cases[0] = 0
        begin = cut.end()
        after = _TSQL_BLOCK_WORDS.match(piece, begin)
        begin = after.end() if after else begin
    yield piece[begin:], offset + begin


def split_statements(text: str, work: Work, *, section: str = UP) -> list[Statement]:
    """The statements of `text` in order, each with its code and the section (up/down) it is in."""
    statements: list[Statement] = []
    parts: list[str] = []
    start = -1
    current = section

    def close() -> None:
        nonlocal parts, start
        code = " ".join("".join(parts).split())
        if code:
            statements.append(Statement(code, start, current))
        parts, start = [], -1

    if text.startswith("\ufeff"):  # a byte order mark (Visual Studio writes one) is no part of the first word
        text = " " + text[1:]
    tsql = _TSQL_BATCHES.search(text) is not None
    if tsql:
        text = text.replace("#", TEMPORARY)  # same length: offsets and lines stay
    cases = [0]  # CASE expressions open in the statement being read (T-SQL): their END ends no block
    for match in _LEXER.finditer(text):
        work.add()
        group = match.lastgroup
        if group == "block" or group == "hash":
            continue
        if group == "code" and tsql:
            for piece, offset in _tsql_pieces(match.group(), match.start(), cases):
                if offset < 0:
                    close()
                    continue
                stripped = piece.lstrip()
                if not stripped:
                    if parts and piece:
                        parts.append(" ")
                    continue
                if start < 0:
                    start = offset + len(piece) - len(stripped)
                parts.append(piece)
            continue
        if group == "code":  # words and whitespace up to the next quote, comment or ';'
            piece = match.group()
            stripped = piece.lstrip()
            if not stripped:
                if parts:
                    parts.append(" ")
                continue
            if start < 0:
                start = match.start() + len(piece) - len(stripped)
            parts.append(piece)
            continue
        if group == "line":
            comment = match.group()
            if _DOWN_MARKER.match(comment) or _UP_MARKER.match(comment):
                close()
                current = DOWN if _DOWN_MARKER.match(comment) else UP
            continue
        if group == "semi":
            close()
            cases[0] = 0
            continue
        if start < 0:
            start = match.start()
        parts.append(match.group())
    close()
    return statements


# ==================================================================================================
# classifying one statement
# ==================================================================================================


def _parse(code: str) -> object | None:
    import sqlglot

    opaque = None  # a dialect that read it as an opaque Command: another dialect may know its syntax (MySQL's CHANGE)
    for dialect in _DIALECTS:
        try:
            tree = sqlglot.parse_one(code, read=dialect)
        except RecursionError:
            return None
        except Exception:
            continue
        if not isinstance(tree, sqlglot.exp.Command):
            return tree
        opaque = opaque or tree
    return opaque


def _always_true(node: object) -> bool:
    """Whether a WHERE condition holds for every row: 1=1, TRUE, 'a'='a', x=x, 1, NOT FALSE, p OR TRUE."""
    from sqlglot import exp

    if isinstance(node, exp.Paren):
        return _always_true(node.this)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal):
        return not node.is_string and node.this not in ("0", "0.0")
    if isinstance(node, exp.Or):
        return _always_true(node.this) or _always_true(node.expression)
    if isinstance(node, exp.And):
        return _always_true(node.this) and _always_true(node.expression)
    if isinstance(node, exp.Not):
        return isinstance(node.this, exp.Boolean) and not node.this.this
    if isinstance(node, (exp.EQ, exp.GTE, exp.LTE)):
        left, right = node.this, node.expression
        constant = not any(
            isinstance(n, (exp.Placeholder, exp.Parameter, exp.Subquery, exp.Select)) for n in (left, right)
        )
        return constant and left == right
    if isinstance(node, exp.NEQ):
        return (
            isinstance(node.this, exp.Literal)
            and isinstance(node.expression, exp.Literal)
            and node.this != node.expression
        )
    return False


def _where_reason(where: object | None) -> str | None:
    """Why a DELETE/UPDATE touches every row (no WHERE, or one that is always true), or None."""
    if where is None:
        return "no WHERE clause"
    condition = getattr(where, "this", None)
    if condition is not None and _always_true(condition):
        return f"WHERE {condition.sql()} is always true"
    return None


def _ast_ops(tree: object) -> list[Op] | None:
    """Ops of a parsed statement, or None when the tree is of no help (an opaque Command)."""
    from sqlglot import exp

    if isinstance(tree, exp.Command):
        return None
    if isinstance(tree, exp.Drop):
        kind = str(tree.args.get("kind") or "").upper()
        what = _DATA_DROPS.get(kind)
        if what is None:
            return []
        names = [t.sql() for t in tree.find_all(exp.Table)] or [tree.sql()]
        return [
            Op("sql-drop", f"{what} {name}", f"DROP {kind} deletes the {what} and all its data", name)
            for name in names
        ]
    if isinstance(tree, exp.TruncateTable):
        return [
            Op("sql-truncate", f"table {t.sql()}", "TRUNCATE deletes every row", t.sql())
            for t in tree.expressions
        ]
    if isinstance(tree, exp.Create):
        if str(tree.args.get("kind") or "").upper() != "TABLE":
            return []
        created = tree.find(exp.Table)
        return [Op("created", created.sql(), table=created.sql())] if created is not None else []
    if isinstance(tree, exp.Alter):
        return _alter_ops(tree)
    if isinstance(tree, exp.Delete):
        table = tree.this.sql() if tree.this is not None else "?"
        why = _where_reason(tree.args.get("where"))
        return [Op("sql-delete-all", f"every row of {table}", f"DELETE with {why}", table)] if why else []
    if isinstance(tree, exp.Update):
        table = tree.this.sql() if tree.this is not None else "?"
        why = _where_reason(tree.args.get("where"))
        if not why:
            return []
        columns = tuple(bare(e.this.sql()) for e in tree.expressions if isinstance(e, exp.EQ))
        return [
            Op(
                "sql-update-all",
                f"every row of {table}",
                f"UPDATE with {why} overwrites them",
                table,
                columns,
            )
        ]
    return []


def _alter_ops(tree: object) -> list[Op] | None:
    from sqlglot import exp

    assert isinstance(tree, exp.Alter)
    if str(tree.args.get("kind") or "").upper() != "TABLE" or tree.this is None:
        return []
    table = tree.this.sql()
    ops: list[Op] = []
    for action in tree.args.get("actions") or []:
        if isinstance(action, exp.ColumnDef):
            ops.append(Op("added", f"{table}.{action.name}", table=table, columns=(bare(action.name),)))
        elif isinstance(action, exp.Drop):
            ops.extend(_dropped(table, action))
        elif isinstance(action, exp.Command):
            ops.extend(_word_alter_actions(table, action.sql()))
        else:
            ops.extend(_reshaped(table, action))
    return ops


def _dropped(table: str, action: object) -> list[Op]:
    """ALTER TABLE ... DROP COLUMN (its data), DROP CONSTRAINT / FOREIGN KEY (a guard); DROP INDEX loses nothing."""
    from sqlglot import exp

    assert isinstance(action, exp.Drop)
    kind = str(action.args.get("kind") or "COLUMN").upper()
    names = [n.sql() for n in action.find_all(exp.Column, exp.Table)] or [action.sql()]
    if kind in ("CONSTRAINT", "FOREIGN KEY"):
        return [op for name in names for op in reshape.drop_constraint(f"ALTER TABLE ... DROP {kind}", table,
                                                                        bare(name))]
    if kind not in ("COLUMN", "PARTITION"):
        return []
    return [Op("sql-drop-column", f"{kind.lower()} {table}.{bare(name)}",
               f"ALTER TABLE ... DROP {kind} deletes its data", table, (bare(name),)) for name in names]


def _reshaped(table: str, action: object) -> list[Op]:
    """RENAME COLUMN / RENAME TO, ALTER COLUMN ... TYPE, MySQL's MODIFY and CHANGE, DROP PRIMARY KEY, ADD CONSTRAINT."""
    from sqlglot import exp

    if isinstance(action, exp.RenameColumn) and action.this is not None and action.args.get("to") is not None:
        return reshape.rename_column("ALTER TABLE ... RENAME COLUMN", table, bare(action.this.sql()),
                                     bare(action.args["to"].sql()))
    if isinstance(action, exp.AlterRename) and action.this is not None:
        return reshape.rename_table("ALTER TABLE ... RENAME TO", table, action.this.sql())
    if isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
        return reshape.retype("ALTER COLUMN ... TYPE", table, bare(action.name), action.args["dtype"].sql())
    if isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
        column, kind = bare(action.this.name), action.this.args.get("kind")
        new_type = kind.sql() if kind is not None else ""
        renamed = action.args.get("rename_from")
        if renamed is not None and bare(renamed.sql()) != column:
            return reshape.rename_column("ALTER TABLE ... CHANGE", table, bare(renamed.sql()), column)
        return reshape.retype("ALTER TABLE ... MODIFY", table, column, new_type) if new_type else []
    if isinstance(action, exp.DropPrimaryKey):
        return reshape.drop_constraint("ALTER TABLE ... DROP PRIMARY KEY", table, "primary key")
    if isinstance(action, exp.AddConstraint):
        return [reshape.add_constraint(table)]
    return []


def _word_alter_actions(table: str, rest: str) -> list[Op]:
    ops = _word_reshapes(table, rest)
    for match in _WORD_ADD.finditer(rest):
        if match.group(1).upper() not in _NOT_DATA:
            ops.append(
                Op("added", f"{table}.{bare(match.group(1))}", table=table, columns=(bare(match.group(1)),))
            )
    depth = 0
    for match in _WORD_ALTER_DROP.finditer(rest):
        depth = rest.count("(", 0, match.start()) - rest.count(")", 0, match.start())
        what, name = (match.group(1) or "COLUMN").upper(), match.group(2)
        if depth > 0 or (match.group(1) is None and name.upper() in _NOT_DATA):
            continue
        ops.append(
            Op(
                "sql-drop-column",
                f"{what.lower()} {table}.{bare(name)}",
                f"ALTER TABLE ... DROP {what} deletes its data",
                table,
                (bare(name),),
            )
        )
    return ops


def _word_reshapes(table: str, rest: str) -> list[Op]:
    """Renames, retypes and constraint drops of an ALTER TABLE sqlglot did not read, from its words."""
    ops: list[Op] = []
    for match in _WORD_RESHAPE.finditer(rest[:4_000]):
        word = match.group(0).upper()
        if match.group("renamed"):
            ops += reshape.rename_column("ALTER TABLE ... RENAME COLUMN", table, bare(match.group("renamed")),
                                         bare(match.group("to")))
        elif match.group("table_to"):
            ops += reshape.rename_table("ALTER TABLE ... RENAME TO", table, match.group("table_to"))
        elif match.group("retyped") or match.group("modified"):
            written = "ALTER COLUMN ... TYPE" if match.group("retyped") else "ALTER TABLE ... MODIFY"
            ops += reshape.retype(written, table, bare(match.group("retyped") or match.group("modified")),
                                  match.group("type").strip())
        elif match.group("constraint"):
            ops += reshape.drop_constraint(f"ALTER TABLE ... DROP {' '.join(word.split()[1:-1])}", table,
                                           bare(match.group("constraint")))
        elif "PRIMARY" in word:
            ops += reshape.drop_constraint("ALTER TABLE ... DROP PRIMARY KEY", table, "primary key")
        elif match.group("added"):
            ops.append(reshape.add_constraint(table))
    return ops


def _word_ops(code: str) -> list[Op]:
    """Ops of a statement from its leading words (sqlglot could not parse it, or it is too long)."""
    head = code[:4_000]
    match = _WORD_RENAME_TABLE.match(head)
    if match:
            return reshape.rename_table("RENAME TABLE", match.group(1), match.group(2))
    match = _WORD_DROP.match(head)
    if match:
        what = _DATA_DROPS[match.group(1).upper()]
        return [
            Op(
                "sql-drop",
                f"{what} {match.group(2)}",
                f"DROP {match.group(1).upper()} deletes the {what} and all its data",
                match.group(2),
            )
        ]
    match = _WORD_TRUNCATE.match(head)
    if match:
        return [Op("sql-truncate", f"table {match.group(1)}", "TRUNCATE deletes every row", match.group(1))]
    match = _WORD_CREATE.match(head)
    if match:
        return [Op("created", match.group(1), table=match.group(1))]
    match = _WORD_ALTER.match(head)
    if match:
        return _word_alter_actions(match.group(1), head[match.end() :])
    for pattern, kind, verb in (
        (_WORD_DELETE, "sql-delete-all", "DELETE"),
        (_WORD_UPDATE, "sql-update-all", "UPDATE"),
    ):
        match = pattern.match(head)
        if match is None:
            continue
        tautology = _TAUTOLOGY_WORDS.search(code)
        if not tautology and _INNER_JOIN.search(head):
            continue  # T-SQL's `UPDATE G SET ... FROM [dbo].[Group] G INNER JOIN #T ...`: the rows the join matches
        if tautology or not _WHERE.search(code):
            why = "an always-true WHERE" if tautology else "no WHERE clause"
            effect = " overwrites them" if verb == "UPDATE" else ""
            columns = _set_columns(head[match.end():]) if verb == "UPDATE" else ()
            return [Op(kind, f"every row of {match.group(1)}", f"{verb} with {why}{effect}", match.group(1),
                       columns)]
    return []


def _needs_parse(verb: str, code: str) -> bool:
    """Whether sqlglot would tell more than the leading words: a WHERE that may always hold (1=1, x=x,
    TRUE), a DROP of several objects, an ALTER TABLE with nested parentheses or several actions."""
    head = code[:2_000]
    if verb in ("DELETE", "UPDATE"):
        where = _WHERE.search(head)
        return where is not None and bool(_TAUTOLOGY_HINT.search(head, where.end()))
    if verb == "DROP":
        return "," in head[:300]
    if verb == "ALTER":
        return "(" in head or head.upper().count(" DROP ") > 1 or bool(_RESHAPE_HINT.search(head))
    return False


def _set_columns(rest: str) -> tuple[str, ...]:
    """The columns an UPDATE's SET list assigns (`a = 1, b = f(x, y)` -> a, b)."""
    columns: list[str] = []
    depth = 0
    item: list[str] = []
    for char in rest.split(" WHERE ", 1)[0].split(" where ", 1)[0] + ",":
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth <= 0:
            name = "".join(item).split("=", 1)[0].strip()
            if name:
                columns.append(bare(name))
            item = []
            continue
        item.append(char)
    return tuple(columns)


def statement_ops(code: str, state: SqlState, work: Work) -> list[Op]:
    """Ops of one statement: by its leading words, and by sqlglot where that tells more (within bounds:
    MAX_STATEMENT characters, MAX_SQL_PARSES statements a file)."""
    verb = code.split(None, 1)[0].upper() if code.strip() else ""
    if verb == "INSERT":
        work.add(min(len(code), 4_000))
        return _copy_ops(code[:4_000])
    if verb not in _DESTRUCTIVE_VERBS:
        return []
    if _needs_parse(verb, code) and len(code) <= MAX_STATEMENT and state.parses < MAX_SQL_PARSES:
        state.parses += 1
        work.add(len(code))
        tree = _parse(code)
        ops = _ast_ops(tree) if tree is not None else None
        if ops is not None:
            return ops
        if verb in ("DELETE", "UPDATE"):
            return _unjudged_where(verb, code)
    work.add(min(len(code), 4_000))
    return _word_ops(code)


def _copy_ops(code: str) -> list[Op]:
    """`INSERT INTO new (...) SELECT ... FROM old ...`: the rows of `old` copied into `new` (a table rebuild's first
    half), with what filters the copy (a JOIN, a WHERE ...) as the reason; [] for any other INSERT."""
    match = _INSERT_SELECT.match(code)
    if match is None:
        return []
    rest, depth = code[match.end():], 0
    for found in _FROM.finditer(rest):
        depth = rest.count("(", 0, found.start()) - rest.count(")", 0, found.start())
        if depth == 0:
            filters = _FILTERS.search(rest, found.end())
            return [Op("copied", match.group(1), filters.group(1).upper() if filters else "", found.group(1))]
    return []


def _rebuilt(op: Op, section: str, state: SqlState) -> Op | None:
    """A DROP TABLE of a table whose rows this section copied into a table it created: a table rebuild (SQLite alters a
    column or a constraint so: memos' 0.29/01__fix_memo_visibility.sql, "DROP TABLE memo" after copying every row
    into memo_new). Its rows live on; what the copy leaves out does not: the finding says so, weighed as a reshape
    unless the copy filters rows (a JOIN or WHERE: memos' 0.31 reaction rebuild drops orphaned reactions)."""
    if op.kind != "sql-drop" or not op.target.startswith("table "):
        return None
    into, filters = state.copied[section].get(bare(op.table), ("", ""))
    if not into or into not in state.created[section]:
        return None
    reason = (f"DROP TABLE ends a table rebuild, but the copy of its rows into {into} filters them ({filters}): the "
              "rows it leaves out are deleted") if filters else (
        f"DROP TABLE ends a table rebuild: its rows were copied into {into} first; what the copy leaves out (a "
        "column, and the table's indexes and triggers unless made again) is lost")
    return dataclasses.replace(op, reason=reason, weight=1.0 if filters else REBUILD_WEIGHT)


def filtered_delete(code: str, work: Work) -> str | None:
    """The table a `DELETE ... WHERE <a filter>` deletes chosen rows of; None for any other statement, and for a
    DELETE of every row (no WHERE, or an always-true one: statement_ops' sql-delete-all)."""
    match = _WORD_DELETE.match(code[:4_000])
    if match is None or not _WHERE.search(code):
        return None
    if any(op.kind == "sql-delete-all" for op in statement_ops(code, SqlState(), work)):
        return None
    return match.group(1)


def _unjudged_where(verb: str, code: str) -> list[Op]:
    """A DELETE or UPDATE whose WHERE may always hold (it names 1=1, TRUE, x=x ...) but does not parse
    (50 parentheses around `1=1` hid a delete of every row): judged as touching every row, saying why."""
    word_ops = _word_ops(code)
    if word_ops:
        return word_ops
    match = (_WORD_DELETE if verb == "DELETE" else _WORD_UPDATE).match(code[:4_000])
    if match is None:
        return []
    kind = "sql-delete-all" if verb == "DELETE" else "sql-update-all"
    columns = _set_columns(code[:4_000][match.end():]) if verb == "UPDATE" else ()
    return [Op(kind, f"every row of {match.group(1)}",
               f"{verb} whose WHERE could not be parsed and holds a term that may always be true: counted as "
               "touching every row", match.group(1), columns)]


# ==================================================================================================
# judging ops in context
# ==================================================================================================


_REMEMBERED = {"created": "created", "added": "added", "changed": "changed", "constrained": "constrained"}


def judge(ops: Iterable[Op], section: str, state: SqlState) -> Iterator[Op]:
    """The destructive ops, given what the file created before them (recorded into `state`)."""
    for op in ops:
        table = bare(op.table)
        if table.startswith(TEMPORARY):  # a T-SQL temporary table or table variable: the script's own scratch
            continue
        remembered = _REMEMBERED.get(op.kind)
        if remembered is not None:  # what the migration creates, adds, retypes or guards: an undo of it is no loss
            names = {table} if op.kind in ("created", "constrained") else {f"{table}.{c}" for c in op.columns}
            getattr(state, remembered)[section].update(names)
            continue
        if op.kind == "copied":  # rows copied into another table: the first half of a rebuild (_rebuilt)
            state.copied[section][table] = (bare(op.target), op.reason)
            continue
        if (rebuilt := _rebuilt(op, section, state)) is not None:
            if section != DOWN:  # a rebuild's old table, even one renamed out of the way here, is no scratch table
                yield rebuilt
                continue
            op = rebuilt
        columns = [f"{table}.{c}" for c in op.columns]
        if op.kind in RESHAPES and columns and all(c in state.added[section] for c in columns):
            continue  # renames or retypes a column this very section added: nothing running reads it yet
        if section == DOWN:
            if not _undoes(op, table, columns, state):
                yield dataclasses.replace(op, reason=op.reason + " — in the down (rollback) section, and this "
                                          "migration's up section did not create it")
            continue
        if _no_loss_in_up(op, table, section, state):
            continue
        yield op


def _undoes(op: Op, table: str, columns: list[str], state: SqlState) -> bool:
    """Whether a down section's op removes what the migration itself created (or a scratch table of the down), renames
    or retypes back what the up renamed or retyped, or drops the constraint the up added."""
    if table in state.created[UP] or table in state.created[DOWN]:
        return True
    if columns and all(c in state.added[UP] for c in columns):
        return True
    if op.kind in RESHAPES and columns and all(c in state.changed[UP] for c in columns):
        return True
    return op.kind == _CONSTRAINT_DROP and table in state.constrained[UP]


def _no_loss_in_up(op: Op, table: str, section: str, state: SqlState) -> bool:
    """An up section's op that loses nothing: on a scratch table made earlier in the section, or a backfill of
    columns the section just added."""
    if table in state.created[section]:
        return True
    return (op.kind == "sql-update-all" and bool(op.columns)
            and all(f"{table}.{c}" in state.added[section] for c in op.columns))


def _lives(number: int, section: str, ops: Iterable[Op]) -> list[tuple[int, str, str, str]]:
    """Where a statement's ops make a table (CREATE TABLE, RENAME TO) or end one (DROP TABLE, renamed away)."""
    out: list[tuple[int, str, str, str]] = []
    for op in ops:
        if op.kind == "created":
            out.append((number, section, "made", bare(op.table)))
        elif (op.kind == "sql-drop" and op.target.startswith("table ")) or (op.kind == reshape.RENAME
                                                                             and not op.columns):
            out.append((number, section, "ended", bare(op.table)))
    return out


_IF_EXISTS = re.compile(r"^\s*DROP\s+TABLE\s+IF\s+EXISTS\b", re.I)


def _scratch_guard(number: int, statement: Statement, op: Op, lives: list[tuple[int, str, str, str]]) -> bool:
    """A `DROP TABLE IF EXISTS t` before the same section makes t and ends it again (renames a table to it and drops
    it once its rows are copied back, or creates it and renames it into place): t is the section's scratch table, and
    the guard clears only what an interrupted run of this migration left (memos' 0.29 memo_draft_state.sql:
    `DROP TABLE IF EXISTS _memo_old` then `ALTER TABLE memo RENAME TO _memo_old`, read as "deletes the table and all
    its data"). A table made after the guard and kept (`DROP TABLE IF EXISTS memo; CREATE TABLE memo`) is dropped for
    real."""
    if op.kind != "sql-drop" or not op.target.startswith("table ") or not _IF_EXISTS.match(statement.code):
        return False
    table, section = bare(op.table), statement.section
    made = next((at for at, where, what, name in lives
                 if at > number and where == section and what == "made" and name == table), None)
    return made is not None and any(at > made and where == section and what == "ended" and name == table
                                    for at, where, what, name in lives)


def file_section(path: str) -> str | None:
    """The section a whole file is in by its name: golang-migrate `*.down.sql` and Flyway undo `U3__x.sql`
    run only on rollback."""
    name = posixpath.basename(path)
    if re.search(r"(?:^|[._-])down\.sql$", name, re.I) or re.match(r"^U\d+(?:[._]\d+)*__", name):
        return DOWN
    return None


def scan_sql(
    text: str,
    path: str,
    work: Work,
    *,
    detector: str = "sql",
    section: str | None = None,
    state: SqlState | None = None,
    line_offset: int = 0,
    lines: Lines | None = None,
) -> list[Finding]:
    """Findings for a SQL text (a .sql file, or one string of SQL inside code at `line_offset`)."""
    if len(text) > MAX_PARSE_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_PARSE_BYTES:,} parse bound")
    state = state or SqlState()
    lines = lines or Lines(text)
    start_section = section or file_section(path) or UP
    kept: list[tuple[int, Statement, Op]] = []
    lives: list[tuple[int, str, str, str]] = []  # (statement, section, "made" or "ended", table): scratch_guard
    for number, statement in enumerate(split_statements(text, work, section=start_section)):
        ops = statement_ops(statement.code, state, work)
        lives += _lives(number, statement.section, ops)
        kept.extend((number, statement, op) for op in judge(ops, statement.section, state))
    findings: list[Finding] = []
    for number, statement, op in kept:
        if state.readded(op, statement.section) or _scratch_guard(number, statement, op, lives):
            continue
        findings.append(
            Finding(
                op.kind,
                path,
                lines.line_of(statement.offset) + line_offset,
                readable(op.target),
                op.reason,
                shown(statement.code[:MAX_STATEMENT]),
                detector=detector,
                key=f"{op.kind}:{bare(op.table)}:{','.join(op.columns)}:{statement.section}",
                weight=op.weight,
            )
        )
        if len(findings) >= MAX_FINDINGS_PER_FILE:
            break
    return findings
