"""Detectors of destructive operations in a change's diff (regular-expression based): shell-like
commands, Terraform, SQL files and migration code, CI pipelines.

Destructive operations (DestructiveOp) found in the lines a change adds, or in lines whose deletion is the
danger, raise the whole change to Tier 0. The detectors skip docs and tests (a README that explains
`rm -rf` or a test fixture that drops a table endangers nothing) and the config's `skip_destructive`
globs; they never raise on odd input (binary files are skipped, long lines are clipped).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from app.core.git.diff import ADDED, DELETED, DiffLine, FileDiff
from app.core.globs import GlobSet
from app.core.impact.destructive import ci
from app.core.impact.destructive.ops import MAX_TEXT, DestructiveOp
from app.core.impact.tiers import DEFAULT_RULES
from app.core.planner.model import INSTALLED_ENV_GLOBS

MAX_SCAN = 4_000  # longer lines are scanned only up to here (minified or generated content)
MAX_STATEMENT = 20_000  # a SQL statement longer than this is scanned only up to here
MAX_OPS_PER_FILE = 100  # a generated dump full of DROPs must not flood the report


# -- what kind of file is it --------------------------------------------------------------------------
# Docs and tests: their text describes or exercises operations, it does not run them against production.
_NOT_OPERATIONAL = GlobSet(["docs/", "doc/", "*.md", "*.markdown", "*.rst", "*.adoc", "*.txt", "LICENSE*",
                            "CHANGELOG*", "spec/", "fixtures/"]
                           + [rule.glob for rule in DEFAULT_RULES if rule.reason == "tests"])
_MIGRATION_DIRS = GlobSet(["migrations/", "migrate/", "alembic/"])
_CI_FILES = GlobSet([rule.glob for rule in DEFAULT_RULES if rule.reason.startswith("CI/CD")]
                    + [".github/settings.yml", ".github/branch-protection*"])
_TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".hcl", ".tfvars", ".tfvars.json")
_DOWN_MIGRATION_FILE = re.compile(r"(?:^|[._-])down\.sql$", re.I)


def _clip(text: str, limit: int = MAX_SCAN) -> str:
    return text if len(text) <= limit else text[:limit]


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def is_comment(stripped: str) -> bool:
    """A whole-line comment in shell, YAML, HCL, Python, JS or batch files (SQL's "--" is handled apart:
    in a shell script a line starting with "--" is an option of the previous line)."""
    return stripped.startswith(("#", "//", "/*", "* ", "rem ", "REM ", "::"))


def _op(kind: str, fd: FileDiff, line: DiffLine, explanation: str) -> DestructiveOp:
    side = "old" if line.origin == DELETED else "new"
    number = line.old_lineno if side == "old" else line.new_lineno
    return DestructiveOp(kind, fd.path, number, _shown(line.text), explanation, side)


# -- shell-like commands, in any non-doc, non-test file ----------------------------------------------
_TERRAFORM_DESTROY = re.compile(r"\bterraform\s+(?:-\S+\s+)*destroy\b"
                                r"|\bterraform\s+(?:-\S+\s+)*(?:apply|plan)\b[^;&|]{0,300}\s-destroy\b")
_TERRAFORM_REPLACE = re.compile(r"\bterraform\s+(?:-\S+\s+)*(?:apply|plan)\b[^;&|]{0,300}"
                                r"\s-replace[=\s]\s*['\"]?([^\s'\"]+)")
_TERRAFORM_TAINT = re.compile(r"\bterraform\s+(?:-\S+\s+)*taint\s+['\"]?([^\s'\"]+)?")
_KUBECTL_DELETE = re.compile(r"\bkubectl\b[^;&|\n]{0,200}?\sdelete\s+([^;&|]*)")
_HELM_UNINSTALL = re.compile(r"\bhelm3?\b[^;&|\n]{0,200}?\s(uninstall|delete|del)\s+([^\s;&|]+)?")
_GIT_PUSH = re.compile(r"\bgit\b[^;&|\n]{0,200}?\spush\b([^;&|]*)")
_DROPDB = re.compile(r"(?:^|[\s;&|(\"'`])dropdb\s+")
_RM = re.compile(r"(?:^|[\s;&|(\"'`])rm\s+((?:\$\([^)]*\)|[^;&|)`])*)")  # up to ; & | ) ` but past $(VAR)
_RM_ROOT_DIRS = frozenset(
    {"/", "/*", "/.*", "~", "~/", "~/*", "$HOME", "${HOME}", "$HOME/", "${HOME}/", "$HOME/*", "${HOME}/*",
     "*", "./*", ".", "./", "..", "../", "../*", ".*"}
    | {f"/{d}" for d in ["bin", "boot", "dev", "etc", "home", "lib", "lib64", "opt", "root", "sbin", "srv", "usr",
                          "var"]})
# `$DIR/...`, `${DIR}/...`, `$(DIR)/...` (make); group "guard" holds a `${DIR:?}` style modifier.
_VARIABLE_PREFIX = re.compile(r"^\$(?:\{(?P<braced>\w+)(?P<guard>:?[-=+?][^}]*)?\}"
                              r"|\((?P<make>\w+)\)|(?P<plain>\w+))/")
_ALWAYS_SET = frozenset(["HOME", "PWD", "RUNNER_TEMP", "RUNNER_TOOL_CACHE", "GITHUB_WORKSPACE", "CI_PROJECT_DIR"])


def _rm_danger(arguments: str) -> str | None:
    """Why an `rm` command line is dangerous (recursive and forced, aimed at a root, a home, a wildcard
    or a variable-built path), or None. `rm -rf build dist` is ordinary housekeeping and passes."""
    tokens = arguments.split()
    flags = [t for t in tokens if t.startswith("-") and t != "-"]
    targets = [t.strip("'\"") for t in tokens if not t.startswith("-")]
    short = "".join(t[1:] for t in flags if not t.startswith("--"))
    recursive = "r" in short or "R" in short or "--recursive" in flags
    force = "f" in short or "--force" in flags
    if not (recursive and force):
        return None
    if "--no-preserve-root" in flags:
        return "rm -rf --no-preserve-root: allows deleting the whole filesystem"
    for target in targets:
        cleaned = target.replace('"', "").replace("'", "")
        if cleaned in _RM_ROOT_DIRS:
            return f"rm -rf {cleaned}: deletes a root, home or whole working directory"
        match = _VARIABLE_PREFIX.match(cleaned)
        if match is None or (match.group("guard") or "").startswith((":?", "?")):
            continue  # a literal path, or ${DIR:?} which aborts when DIR is empty
        name = match.group("braced") or match.group("make") or match.group("plain")
        if name not in _ALWAYS_SET:
            return f"rm -rf {cleaned}: if {name} is empty or unset this deletes from the filesystem root"
    return None


_FORCE_PUSH_OPTIONS = frozenset({"--force", "--force-with-lease", "--force-if-includes", "--mirror"})


def _force_push(arguments: str) -> bool:
    """Whether `git push` arguments overwrite remote history: --force and friends, -f in a short-option
    cluster, or a "+ref" refspec."""
    for token in arguments.split():
        if token in _FORCE_PUSH_OPTIONS or token.startswith("--force-with-lease="):
            return True
        if token.startswith("-") and not token.startswith("--") and "f" in token[1:]:
            return True
        if token.startswith("+") and len(token) > 1:
            return True
    return False


# A word each pattern above needs, as written (they are case-sensitive): a line with none of them has
# no command to find, and skips the nine searches (0.3-0.6 s of the ansible scenario's cold analysis,
# most of its lines in YAML and code that no other detector reads).
_COMMAND_WORDS = ("terraform", "kubectl", "helm", "push", "dropdb", "rm")


def _command_ops(fd: FileDiff, line: DiffLine, text: str) -> Iterator[DestructiveOp]:
    """Destructive shell commands on one added line."""
    if not any(word in text for word in _COMMAND_WORDS):
        return
    if _TERRAFORM_DESTROY.search(text):
        yield _op("terraform-destroy-command", fd, line,
                  "terraform destroy: deletes every resource it manages")
    match = _TERRAFORM_REPLACE.search(text)
    if match:
        yield _op("terraform-replace", fd, line,
                  f"terraform -replace={match.group(1)}: destroys and recreates it (its data goes with it)")
    match = _TERRAFORM_TAINT.search(text)
    if match:
        subject = f"terraform taint {match.group(1) or ''}".rstrip()
        yield _op("terraform-taint", fd, line, f"{subject}: the next apply destroys and recreates it")
    match = _KUBECTL_DELETE.search(text)
    if match:
        words = match.group(1).split()
        subject = " ".join(["kubectl delete"] + words[:3])
        if words and words[0] in ("namespace", "namespaces", "ns"):
            yield _op("kubectl-delete", fd, line, f"{subject}: deletes the namespace and everything in it")
        else:
            yield _op("kubectl-delete", fd, line, f"{subject}: deletes live cluster resources")
    match = _HELM_UNINSTALL.search(text)
    if match:
        subject = f"helm {match.group(1)} {match.group(2) or ''}".rstrip()
        yield _op("helm-uninstall", fd, line, f"{subject}: removes a release and its resources")
    match = _GIT_PUSH.search(text)
    if match and _force_push(match.group(1)):
        yield _op("git-force-push", fd, line, "git push --force: rewrites the remote branch's history")
    if _DROPDB.search(text):
        yield _op("sql-drop", fd, line, "dropdb: deletes a whole database")
    for match in _RM.finditer(text):
        danger = _rm_danger(match.group(1))
        if danger:
            yield _op("rm-rf", fd, line, danger)
            break


# -- Terraform -------------------------------------------------------------------------------------
_TF_BLOCK = re.compile(r'^\s*(resource|module|data)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{?')
_TF_FORCE_DESTROY = re.compile(r'force_destroy"?\s*[=:]\s*true\b')  # also `bucket_force_destroy = true`
_TF_PREVENT_TRUE = re.compile(r'\bprevent_destroy"?\s*[=:]\s*true\b')
_TF_PREVENT_FALSE = re.compile(r'\bprevent_destroy"?\s*[=:]\s*false\b')
_TF_CBD_FALSE = re.compile(r'\bcreate_before_destroy"?\s*[=:]\s*false\b')
_TF_DELETION_PROTECTION_OFF = re.compile(r'\bdeletion_protection"?\s*[=:]\s*false\b')
_TF_MOVED_FROM = re.compile(r"^\s*from\s*=\s*([\w.\[\]\"-]+)")


def _tf_address(match: re.Match[str]) -> str | None:
    kind, first, second = match.group(1), match.group(2), match.group(3)
    if kind == "resource" and second:
        return f"{first}.{second}"
    if kind == "module":
        return f"module.{first}"
    if kind == "data" and second:
        return f"data.{first}.{second}"
    return None


@dataclass
class _TerraformFacts:
    """What the Terraform files of one change add and remove, gathered before judging moves."""

    deleted_blocks: list[tuple[str, FileDiff, DiffLine]] = field(default_factory=list)
    added_blocks: set[str] = field(default_factory=set)
    moved_from: set[str] = field(default_factory=set)
    prevent_removed: list[tuple[str | None, FileDiff, DiffLine]] = field(default_factory=list)
    prevent_added: Counter[str | None] = field(default_factory=Counter)
    prevent_turned_off: set[str | None] = field(default_factory=set)  # blocks given prevent_destroy = false


def _terraform_lines(fd: FileDiff, facts: _TerraformFacts) -> Iterator[DestructiveOp]:
    for hunk in fd.hunks:
        header = _TF_BLOCK.match(hunk.header or "")
        old_block = new_block = _tf_address(header) if header else None
        for line in hunk.lines:
            text = _clip(line.text)
            stripped = text.strip()
            if is_comment(stripped):
                continue
            block = _TF_BLOCK.match(text)
            if block:
                address = _tf_address(block)
                if line.origin != ADDED:
                    old_block = address
                if line.origin != DELETED:
                    new_block = address
                if address and not address.startswith("data."):
                    if line.origin == DELETED:
                        facts.deleted_blocks.append((address, fd, line))
                    elif line.origin == ADDED:
                        facts.added_blocks.add(address)
            if line.origin == DELETED:
                if _TF_PREVENT_TRUE.search(text):
                    facts.prevent_removed.append((old_block, fd, line))
            elif line.origin == ADDED:
                subject = new_block or "this resource"
                if _TF_PREVENT_TRUE.search(text):
                    facts.prevent_added[new_block] += 1
                moved = _TF_MOVED_FROM.match(text)
                if moved:
                    facts.moved_from.add(moved.group(1).strip('"'))
                if _TF_FORCE_DESTROY.search(text):
                    yield _op("terraform-force-destroy", fd, line,
                              f"force_destroy = true on {subject}: destroying it also deletes all its "
                              "contents (every object in a bucket)")
                if _TF_PREVENT_FALSE.search(text):
                    facts.prevent_turned_off.add(new_block)
                    yield _op("terraform-prevent-destroy-removed", fd, line,
                              f"prevent_destroy set to false on {subject}: terraform may now destroy it")
                if _TF_CBD_FALSE.search(text):
                    yield _op("terraform-create-before-destroy-off", fd, line,
                              f"create_before_destroy = false on {subject}: a replacement destroys it first "
                              "(downtime, and its data if it holds any)")
                if _TF_DELETION_PROTECTION_OFF.search(text):
                    yield _op("terraform-deletion-protection-off", fd, line,
                              f"deletion_protection = false on {subject}: the cloud no longer refuses to "
                              "delete it")
            if stripped == "}" and not text.startswith((" ", "\t")):
                # A closing brace at column 0 ends the top-level block on the sides that have this line.
                if line.origin != ADDED:
                    old_block = None
                if line.origin != DELETED:
                    new_block = None


def _terraform_judgement(facts: _TerraformFacts) -> Iterator[DestructiveOp]:
    """Deleted blocks and removed prevent_destroy, unless the change re-adds or `moved`-declares them."""
    destroyed: set[str] = set()
    for address, fd, line in facts.deleted_blocks:
        if address in facts.added_blocks or address in facts.moved_from:
            continue  # moved to another file, renamed with a `moved` block, or rewritten in place
        destroyed.add(address)
        if address.startswith("module."):
            yield _op("terraform-module-deleted", fd, line,
                      f"{address} deleted: terraform will destroy every resource in it")
        else:
            yield _op("terraform-resource-deleted", fd, line,
                      f"resource {address} deleted: terraform will destroy it")
    remaining = Counter(facts.prevent_added)
    for block, fd, line in facts.prevent_removed:
        if remaining[block] > 0:
            remaining[block] -= 1  # the line moved, or the block moved to another file: still protected
            continue
        if block in facts.prevent_turned_off or (block is not None and block in destroyed):
            continue  # already reported: set to false, or the whole block goes
        yield _op("terraform-prevent-destroy-removed", fd, line,
                  f"prevent_destroy = true removed from {block or 'a resource'}: terraform may now "
                  "destroy it")


# -- SQL --------------------------------------------------------------------------------------------
_SQL_PART = r'(?:[\w$]+|"[^"\n]{1,128}"|`[^`\n]{1,128}`|\[[^\]\n]{1,128}\])'
_SQL_NAME = rf"({_SQL_PART}(?:\.{_SQL_PART})*)"  # users, public.users, "Order Items", `t`, [t]
_SQL_DROP = re.compile(rf"\bDROP\s+(TABLE|DATABASE|SCHEMA)\s+(?:IF\s+EXISTS\s+)?{_SQL_NAME}", re.I)
_SQL_CREATE_TABLE = re.compile(rf"\bCREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP\w*\s+|UNLOGGED\s+)?TABLE\s+"
                               rf"(?:IF\s+NOT\s+EXISTS\s+)?{_SQL_NAME}", re.I)
_SQL_TRUNCATE = re.compile(rf"\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?{_SQL_NAME}", re.I)
_SQL_ALTER = re.compile(rf"\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_SQL_NAME}", re.I)
_SQL_ALTER_DROP = re.compile(rf"\bDROP\s+(?:(COLUMN|PARTITION)\s+)?(?:IF\s+EXISTS\s+)?({_SQL_PART})", re.I)
_SQL_NOT_DATA = frozenset(["CONSTRAINT", "INDEX", "KEY", "DEFAULT", "NOT", "PRIMARY", "FOREIGN", "CHECK", "IDENTITY",
                           "EXPRESSION", "TRIGGER", "ROW", "RULE", "STATISTICS", "POLICY", "UNIQUE"])
_SQL_DELETE = re.compile(rf"\bDELETE\s+FROM\s+(?:ONLY\s+)?{_SQL_NAME}", re.I)
_SQL_UPDATE = re.compile(rf"\bUPDATE\s+(?:ONLY\s+)?(?!SET\b){_SQL_NAME}"
                         rf"(?:\s+(?:AS\s+)?(?!SET\b)\w+)?\s+SET\b", re.I)
_SQL_NOT_AN_UPDATE = re.compile(r"\b(?:DO|KEY|FOR|OF|BEFORE|AFTER|INSTEAD|ON)\s*$", re.I)
_SQL_KEYWORDS = re.compile(r"\b(?:DROP|TRUNCATE|DELETE|UPDATE|ALTER|CREATE)\b", re.I)
_SQL_WHERE = re.compile(r"\bWHERE\b", re.I)
_SQL_STRING = re.compile(r"'(?:[^']|'')*'")
_SQL_BLOCK_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_PARENTHESISED = re.compile(r"\([^()]*\)")
_SQL_DOWN_MARKER = re.compile(r"^\s*--\s*(?:\+goose\s+down|migrate:down|\+migrate\s+down)\b", re.I)
_SQL_UP_MARKER = re.compile(r"^\s*--\s*(?:\+goose\s+up|migrate:up|\+migrate\s+up)\b", re.I)

# ORM migration operations that delete data (alembic, Django, Rails, knex), outside down/downgrade.
_ORM_DROP = re.compile(r"\b(?:op|batch_op)\.(drop_table|drop_column)\s*\("
                       r"|\bmigrations\.(DeleteModel|RemoveField)\s*\("
                       r"|^\s*(drop_table|remove_columns?)\b|\.(dropTable(?:IfExists)?|dropColumns?)\s*\(")
_FUNCTION_START = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)|^\s*(?:exports\.)?(up|down)\s*[=:(]"
                             r"|^\s*(?:async\s+)?(up|down)\s*\(")
_DOWN_FUNCTIONS = frozenset({"downgrade", "down", "rollback", "backwards", "reverse", "revert", "unapply"})


def _outside_parentheses(text: str) -> str:
    """`text` with every parenthesised group emptied, so a WHERE in a subquery does not count."""
    for _ in range(64):  # nesting deeper than this is not SQL a person wrote
        reduced = _PARENTHESISED.sub(" ", text)  # inner groups first; a blank lets the outer one match
        if reduced == text:
            break
        text = reduced
    return text


@dataclass
class _Statement:
    """A SQL statement (or a string in migration code) being assembled from new-side lines."""

    parts: list[tuple[int, DiffLine]] = field(default_factory=list)  # (offset in text, line)
    text: str = ""
    deletion_inside: bool = False  # a line was deleted from the middle of it (a WHERE clause, say)

    def add(self, piece: str, line: DiffLine) -> None:
        if len(self.text) >= MAX_STATEMENT:
            return
        self.parts.append((len(self.text), line))
        self.text += piece + "\n"

    @property
    def changed(self) -> bool:
        return self.deletion_inside or any(line.origin == ADDED for _, line in self.parts)

    def split(self, separator: str) -> Iterator[_Statement]:
        """The pieces between separators, each keeping the lines it overlaps (one sweep over both)."""
        parts = self.parts
        first = 0  # the first line that may overlap the current piece
        begin = 0
        for piece in self.text.split(separator):
            end = begin + len(piece)
            while first + 1 < len(parts) and parts[first + 1][0] <= begin:
                first += 1  # that line ends before this piece begins
            part = _Statement(deletion_inside=self.deletion_inside, text=piece)
            index = first
            while index < len(parts) and parts[index][0] <= end:
                part.parts.append((parts[index][0] - begin, parts[index][1]))
                index += 1
            if part.parts:
                yield part
            begin = end + len(separator)

    def line_at(self, offset: int) -> DiffLine:
        chosen = self.parts[0][1]
        for start, line in self.parts:
            if start > offset:
                break
            chosen = line
        return chosen


def _sql_statement_ops(fd: FileDiff, statement: _Statement, created: set[str], *,
                       embedded: bool) -> Iterator[DestructiveOp]:
    """The destructive statements in `statement` when it was changed. `embedded`: SQL inside code, where
    quotes are the code's and only upper-case keywords count (so a docstring saying "truncate the
    ledger" is prose, while op.execute("TRUNCATE ledger") is SQL)."""
    if not _SQL_KEYWORDS.search(statement.text):
        return  # most statements (INSERT, SELECT, CREATE INDEX) need no closer look
    text = _SQL_BLOCK_COMMENT.sub(" ", statement.text)
    if not embedded:
        text = _SQL_STRING.sub("''", text)  # a keyword inside a SQL string literal is data
    for match in _SQL_CREATE_TABLE.finditer(text):
        created.add(match.group(1).strip('"`[]').lower())
    if statement.changed:
        yield from _sql_findings(fd, statement, text, created, embedded)


def _sql_matches(pattern: re.Pattern[str], text: str, embedded: bool) -> Iterator[re.Match[str]]:
    for match in pattern.finditer(text):
        if not embedded or match.group(0).split(maxsplit=1)[0].isupper():
            yield match


def _sql_findings(fd: FileDiff, statement: _Statement, text: str, created: set[str],
                  embedded: bool) -> Iterator[DestructiveOp]:
    for match in _sql_matches(_SQL_DROP, text, embedded):
        what, name = match.group(1).upper(), match.group(2)
        if what == "TABLE" and name.strip('"`[]').lower() in created:
            continue  # dropping a table this change created earlier (a scratch table)
        yield _op("sql-drop", fd, statement.line_at(match.start()),
                  f"DROP {what} {name}: the {what.lower()} and all its data are deleted")
    for match in _sql_matches(_SQL_TRUNCATE, text, embedded):
        yield _op("sql-truncate", fd, statement.line_at(match.start()),
                  f"TRUNCATE {match.group(1)}: deletes every row")
    for match in _sql_matches(_SQL_ALTER, text, embedded):
        rest = _outside_parentheses(text[match.end():])
        for dropped in _SQL_ALTER_DROP.finditer(rest):
            what, name = (dropped.group(1) or "COLUMN").upper(), dropped.group(2)
            if dropped.group(1) is None and name.upper() in _SQL_NOT_DATA:
                continue  # DROP CONSTRAINT / INDEX / DEFAULT ...: no data is lost
            yield _op("sql-drop-column", fd, statement.line_at(match.start()),
                      f"ALTER TABLE {match.group(1)} DROP {what} {name}: its data is deleted")
    for match in _sql_matches(_SQL_DELETE, text, embedded):
        if not _SQL_WHERE.search(_outside_parentheses(text[match.end():])):
            yield _op("sql-delete-all", fd, statement.line_at(match.start()),
                      f"DELETE FROM {match.group(1)} without WHERE: deletes every row")
    for match in _sql_matches(_SQL_UPDATE, text, embedded):
        if _SQL_NOT_AN_UPDATE.search(text[max(0, match.start() - 20):match.start()]):
            continue  # ON CONFLICT DO UPDATE, ON DUPLICATE KEY UPDATE, triggers, SELECT ... FOR UPDATE
        if not _SQL_WHERE.search(_outside_parentheses(text[match.end():])):
            yield _op("sql-update-all", fd, statement.line_at(match.start()),
                      f"UPDATE {match.group(1)} without WHERE: changes every row")


def _sql_file_ops(fd: FileDiff) -> Iterator[DestructiveOp]:
    """A .sql file: statements assembled from the new side of each hunk, split on ';'."""
    created: set[str] = set()
    down = False  # inside a goose / dbmate / sql-migrate down section
    for hunk in fd.hunks:
        statement = _Statement()
        for line in hunk.lines:
            if line.origin == DELETED:
                if statement.text.strip():
                    statement.deletion_inside = True  # e.g. a WHERE clause deleted from an open statement
                continue
            text = _clip(line.text)
            if _SQL_DOWN_MARKER.match(text) or _SQL_UP_MARKER.match(text):
                yield from _sql_statement_ops(fd, statement, created, embedded=False)
                statement = _Statement()
                down = bool(_SQL_DOWN_MARKER.match(text))
                continue
            if down:
                continue
            code = _SQL_STRING.sub("''", text)
            comment = code.find("--")
            if comment >= 0:
                code = code[:comment]
            pieces = code.split(";")
            for index, piece in enumerate(pieces):
                statement.add(piece, line)
                if index < len(pieces) - 1:
                    yield from _sql_statement_ops(fd, statement, created, embedded=False)
                    statement = _Statement()
        yield from _sql_statement_ops(fd, statement, created, embedded=False)


def _function_name(text: str) -> str | None:
    """The name of the function `text` starts (def upgrade, def down, exports.down = ...), if any."""
    match = _FUNCTION_START.match(text)
    return None if match is None else next(group for group in match.groups() if group)


def _migration_code_ops(fd: FileDiff) -> Iterator[DestructiveOp]:
    """A migration written in code (alembic, Django, Rails, knex): ORM drops and SQL inside strings,
    except inside down/downgrade functions (they undo a migration, they are not what it does)."""
    created: set[str] = set()
    for hunk in fd.hunks:
        in_down = _function_name(hunk.header or "") in _DOWN_FUNCTIONS
        block: _Statement | None = None  # an open triple-quoted string
        for line in hunk.lines:
            if line.origin == DELETED:
                if block is not None:
                    block.deletion_inside = True
                continue
            text = _clip(line.text)
            function = _function_name(text)
            if function is not None:
                in_down = function in _DOWN_FUNCTIONS
            stripped = text.strip()
            if in_down or (block is None and is_comment(stripped)):
                continue
            quotes = text.count('"""') + text.count("'''")
            if block is not None:
                block.add(text, line)
                if quotes % 2:
                    yield from _migration_units(fd, block, created)
                    block = None
                continue
            if quotes % 2:
                block = _Statement()
                block.add(text, line)
                continue
            if line.origin == ADDED:
                orm = _ORM_DROP.search(text)
                if orm:
                    operation = next(g for g in orm.groups() if g)
                    yield _op("migration-drop", fd, line,
                              f"{operation} in a migration: the table or column and its data are deleted")
            single = _Statement()
            single.add(text, line)
            yield from _migration_units(fd, single, created)
        if block is not None:
            yield from _migration_units(fd, block, created)


def _migration_units(fd: FileDiff, unit: _Statement, created: set[str]) -> Iterator[DestructiveOp]:
    """SQL embedded in migration code, split on ';' (string quotes are code here, not SQL literals)."""
    for part in unit.split(";"):
        yield from _sql_statement_ops(fd, part, created, embedded=True)


# -- CI protection steps -------------------------------------------------------------------------------
# A step's name: `- name: Run tests`, a GitLab job key at column 0 (`unit-tests:`), a Jenkins stage.
_CI_NAME = re.compile(r"^\s*-?\s*name:\s*(.+?)\s*$|^([A-Za-z][\w .:/-]*):\s*$"
                      r"|\bstage\s*\(\s*['\"](.+?)['\"]")
_CI_NAME_WORDS = re.compile(
    r"\b(tests?|testing|unit|integration|e2e|lint\w*|security|scan\w*|codeql|sast|dast|audit|reviews?"
    r"|approv\w*|required|coverage|type-?check\w*|mypy|vulnerab\w*|secrets?|gitleaks|trivy|snyk|semgrep"
    r"|bandit|dependency-review|verify|check)\b", re.I)
_CI_COMMANDS = re.compile(
    r"\b(pytest|tox|nox|unittest|(?:npm|yarn|pnpm)\s+(?:run\s+)?(?:test|lint)|go\s+test|go\s+vet"
    r"|cargo\s+test|cargo\s+clippy|mvn\b[^\n]{0,200}?\b(?:test|verify)"
    r"|gradlew?\b[^\n]{0,200}?\b(?:test|check)|make\s+(?:test|check|lint)|ruff|flake8|pylint|mypy"
    r"|pyright|eslint|golangci-lint|rubocop|rspec|phpunit|jest|vitest|bandit|gitleaks|trivy|snyk|semgrep"
    r"|codeql-action|dependency-review-action|super-linter|pre-commit|black|isort)\b", re.I)
_CI_SETTINGS = re.compile(
    r"\b(required_approving_review_count|required_status_checks|require_code_owner_reviews|enforce_admins|"
    r"required_pull_request_reviews|dismiss_stale_reviews|branch[-_]protection)\b", re.I)
_STEP_START = re.compile(r"^\s*-\s|^[A-Za-z][\w .:/-]*:\s*$|\bstage\s*\(")
_LIST_ITEM = re.compile(r"^\s*-\s")
_KEYWORD_ROOTS = ("test", "lint", "scan", "approv", "vulnerab", "secret", "review", "type")


def _ci_keyword(text: str) -> tuple[str, bool] | None:
    """The protective keyword a CI line carries, and whether it is a command/setting (vs a step name)."""
    for pattern, is_command in ((_CI_COMMANDS, True), (_CI_SETTINGS, True)):
        match = pattern.search(text)
        if match:
            return " ".join(match.group(1).lower().split()), is_command
    name = _CI_NAME.search(text)
    if name:
        label = next(g for g in name.groups() if g)
        word = _CI_NAME_WORDS.search(label)
        if word:
            keyword = word.group(1).lower()
            for root in _KEYWORD_ROOTS:
                if keyword.startswith(root):
                    keyword = root
            return keyword, False
    return None


def _ci_label(lines: Sequence[DiffLine]) -> str:
    for line in lines:
        name = _CI_NAME.search(line.text)
        if name:
            return next(g for g in name.groups() if g).strip("'\"")
    return lines[0].text.strip().lstrip("- ").strip()


@dataclass
class _CiStep:
    """A deleted CI step (or job/stage with its deleted items) and the protective keywords it carries."""

    lines: list[DiffLine]
    names: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    @property
    def primary(self) -> str:
        # A command (pytest, codeql) identifies the step better than a word in its name.
        return self.commands[0] if self.commands else self.names[0]


def _ci_ops(fd: FileDiff) -> Iterator[DestructiveOp]:
    """Steps that test, lint, scan or require approval, deleted from a CI file and not re-added there."""
    added_keywords: set[str] = set()
    for line in fd.added_lines():
        if not is_comment(line.text.strip()):
            found = _ci_keyword(_clip(line.text))
            if found:
                added_keywords.add(found[0])
    removed = [step for step in _deleted_ci_steps(fd) if not ci.covers(step.primary, list(added_keywords))]
    if not removed:
        return  # every protective line deleted was re-added: edited or moved, not dropped
    if fd.status == "deleted" or fd.new_path is None:
        labels = ", ".join(dict.fromkeys(_ci_label(step.lines) for step in removed))
        yield _op("ci-protection-removed", fd, removed[0].lines[0],
                  f"CI config {fd.path} deleted: it ran {labels}")
        return
    for step in removed:
        yield _op("ci-protection-removed", fd, step.lines[0],
                  f"CI step '{_ci_label(step.lines)}' removed from {fd.path}")


def _deleted_ci_steps(fd: FileDiff) -> Iterator[_CiStep]:
    for run in _deleted_runs(fd):
        parent: _CiStep | None = None  # a protective job or stage: its deeper items fold into it
        parent_indent = 0
        for unit in _split_steps(run):
            indent = _indent(unit[0].text)
            if parent is not None and indent > parent_indent:
                target = parent
                target.lines.extend(unit)
            else:
                parent = None
                target = _CiStep(list(unit))
            for line in unit:
                found = None if is_comment(line.text.strip()) else _ci_keyword(_clip(line.text))
                if found:
                    (target.commands if found[1] else target.names).append(found[0])
            if target is parent or not (target.names or target.commands):
                continue
            yield target
            if not _LIST_ITEM.match(unit[0].text):
                parent, parent_indent = target, indent


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _deleted_runs(fd: FileDiff) -> Iterator[list[DiffLine]]:
    """Consecutive deleted lines, one list per run."""
    for hunk in fd.hunks:
        run: list[DiffLine] = []
        for line in hunk.lines:
            if line.origin == DELETED:
                run.append(line)
            elif run:
                yield run
                run = []
        if run:
            yield run


def _split_steps(lines: list[DiffLine]) -> Iterator[list[DiffLine]]:
    """Split a run of deleted lines into units: a YAML list item with its deeper lines, or a job key /
    Jenkins stage with the lines up to the next unit."""
    unit: list[DiffLine] = []
    item_indent: int | None = None
    for line in lines:
        text = line.text
        indent = _indent(text)
        is_item = bool(_LIST_ITEM.match(text))
        inside_item = item_indent is not None and indent > item_indent
        if unit and _STEP_START.search(text) and not inside_item:
            yield unit
            unit = []
        if not unit:
            item_indent = indent if is_item else None
        unit.append(line)
    if unit:
        yield unit


# -- driver ---------------------------------------------------------------------------------------------


def _kind_of_file(path: str) -> set[str]:
    kinds: set[str] = set()
    lower = path.lower()
    if lower.endswith(_TERRAFORM_SUFFIXES):
        kinds.add("terraform")
    if lower.endswith(".sql"):
        kinds.add("sql")
    elif _MIGRATION_DIRS.matches(path):
        kinds.add("migration-code")
    if _CI_FILES.matches(path):
        kinds.add("ci")
    return kinds


def _logical_added_lines(fd: FileDiff) -> Iterator[tuple[DiffLine, str]]:
    """Added lines with backslash continuations joined, so `git push origin main \\` + `--force` is one
    command; each is reported at its first line."""
    for hunk in fd.hunks:
        pending: tuple[DiffLine, str] | None = None
        for line in hunk.lines:
            if line.origin != ADDED:
                if pending is not None:  # the continuation is not part of the change: judge what was added
                    yield pending
                    pending = None
                continue
            text = _clip(line.text)
            if pending is not None:
                first, joined = pending
                text = _clip(joined + " " + text.strip())
                line = first
            elif is_comment(text.strip()):
                continue
            if text.rstrip().endswith("\\"):
                pending = (line, text.rstrip()[:-1])
                continue
            pending = None
            yield line, text
        if pending is not None:
            yield pending


def _file_ops(fd: FileDiff, kinds: set[str], facts: _TerraformFacts) -> Iterator[DestructiveOp]:
    for line, text in _logical_added_lines(fd):
        yield from _command_ops(fd, line, text)
    if "terraform" in kinds:
        yield from _terraform_lines(fd, facts)
    if "sql" in kinds and not _DOWN_MIGRATION_FILE.search(fd.path):
        yield from _sql_file_ops(fd)
    if "migration-code" in kinds:
        yield from _migration_code_ops(fd)
    if "ci" in kinds:
        yield from _ci_ops(fd)


def detect_destructive(files: Iterable[FileDiff], *, skip: Sequence[str] = ()) -> list[DestructiveOp]:
    """Every destructive operation in `files`, ordered by path and line.

    Docs, tests, binary files and paths matching the `skip` globs are not scanned. Never raises on
    file content.
    """
    skipped = GlobSet([*skip, *INSTALLED_ENV_GLOBS])  # a committed venv is other projects' code
    facts = _TerraformFacts()
    found: list[DestructiveOp] = []
    for fd in files:
        if fd.binary or not fd.hunks:
            continue
        paths = list(dict.fromkeys(p for p in (fd.old_path, fd.new_path) if p))
        if any(_NOT_OPERATIONAL.matches(p) or skipped.matches(p) for p in paths):
            continue
        kinds = set().union(*(_kind_of_file(p) for p in paths))
        for count, op in enumerate(_file_ops(fd, kinds, facts), 1):
            found.append(op)
            if count >= MAX_OPS_PER_FILE:
                break
    found.extend(_terraform_judgement(facts))
    unique = {(op.kind, op.path, op.side, op.line, op.explanation): op for op in found}
    return sorted(unique.values(), key=lambda op: (op.path, op.line if op.line is not None else -1, op.kind))
