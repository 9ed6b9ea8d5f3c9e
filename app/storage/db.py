"""Opening review-tui's SQLite files safely: pragmas, schema versions, migrations, clear errors.

Both SQLite files (the review ledger and the analysis cache) are opened here. The rules:

- WAL journal, ``synchronous=NORMAL``, foreign keys on, and a busy timeout, so two TUIs and a
  ``sync`` writing at once wait for each other instead of failing.
- Every write runs in ``write_transaction`` (``BEGIN IMMEDIATE``): the write lock is taken up front,
  so a transaction never fails half-way when it upgrades from reading to writing (in WAL mode that
  upgrade returns SQLITE_BUSY at once, without waiting).
- The schema version is ``PRAGMA user_version``: the number of migrations applied. Migrations run
  in one ``BEGIN IMMEDIATE`` transaction that re-reads the version under the lock, so two processes
  opening a fresh file at once do not both migrate.
- Nothing outside SQLite ever opens these files while the process may hold a connection to them
  (closing a plain descriptor would drop SQLite's POSIX locks; see ``_first_read``).
- Nothing is ever written to a file that is not ours: a non-SQLite file, another program's SQLite
  database, or a ledger written by a newer review-tui is refused before the first write (the WAL
  switch included), and left byte-for-byte as it was.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import LedgerError

if TYPE_CHECKING:
    from sqlite_utils import Database

Migration = Callable[["Database"], None]

# Seconds a writer waits for another process's write lock before giving up with LedgerError.
DEFAULT_TIMEOUT = 5.0
# Seconds a process waits for another one's schema migration to finish before giving up.
MIGRATION_TIMEOUT = 60.0

# PRAGMA application_id marks our files so that a ledger path pointing at another program's
# database (or at the analysis cache) is refused instead of being "migrated". Ascii "RTUL"/"RTUC".
LEDGER_APPLICATION_ID = 0x5254554C
CACHE_APPLICATION_ID = 0x52545543


# -- errors (subclasses of app.errors.LedgerError, so callers may catch just that) -------------


class DatabaseLocked(LedgerError):
    """Another process held the write lock for longer than the busy timeout."""


class SchemaTooNew(LedgerError):
    """The file was written by a newer review-tui; nothing was changed."""


class SchemaTooOld(LedgerError):
    """Opened read-only, the file is at an older schema: it must be opened once read-write to migrate."""


class NotOurDatabase(LedgerError):
    """The file is not SQLite, is corrupt, or belongs to another program; nothing was changed."""


def is_locked_error(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return True
    return "locked" in str(exc) or "busy" in str(exc)


def is_corrupt_error(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return True
    text = str(exc)
    return "not a database" in text or "malformed" in text


@contextmanager
def translate_errors(path: Path, doing: str, timeout: float | None = None) -> Iterator[None]:
    """Turn SQLite's lock and corruption errors into one-line LedgerErrors naming the file."""
    try:
        yield
    except LedgerError:
        raise
    except sqlite3.Error as exc:
        if is_locked_error(exc):
            waited = f" (waited {timeout:g} s)" if timeout is not None else ""
            # SQLite does not say who holds the lock: another review-tui, or any program with a write
            # transaction open (a sqlite3 shell's BEGIN EXCLUSIVE), so the message names both.
            raise DatabaseLocked(
                f"{path} is locked by another process while {doing}{waited}: another review-tui, or a tool "
                "holding a write lock such as a sqlite3 shell; close it or try again"
            ) from exc
        if is_corrupt_error(exc):
            raise NotOurDatabase(
                f"{path} is not a valid SQLite database ({exc}); nothing was changed"
            ) from exc
        raise LedgerError(f"{path}: SQLite error while {doing}: {exc}{_why_unwritable(path, exc)}") from exc


def _why_unwritable(path: Path, exc: sqlite3.Error) -> str:
    """What SQLite's "unable to open database file" or "disk I/O error" leaves unsaid, when it can be told."""
    text = str(exc)
    if "unable to open" not in text and "disk I/O" not in text and "readonly" not in text:
        return ""
    folder = Path(path).parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return f" ({folder} is read-only: the ledger writes its -wal and -shm files beside it)"
    if Path(path).exists() and not os.access(path, os.W_OK):
        return f" ({path} is read-only)"
    try:
        if shutil.disk_usage(folder).free < 1_000_000:
            return f" (the disk holding {folder} is full)"
    except OSError:
        pass
    return ""


@contextmanager
def write_transaction(
    db: Database, path: Path, doing: str, timeout: float | None = None
) -> Iterator[Database]:
    """Run a block as one ``BEGIN IMMEDIATE`` transaction: all of it is written, or none of it.

    Nested use (already inside a transaction) joins the outer transaction through a savepoint.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    with translate_errors(path, doing, timeout):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            _rollback(conn)
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is open (SQLite may already have rolled back on its own, e.g. after SQLITE_FULL)."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def user_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def application_id(db: Database) -> int:
    return int(db.execute("PRAGMA application_id").fetchone()[0])


def _not_sqlite(path: Path, what: str) -> NotOurDatabase:
    return NotOurDatabase(
        f"{path} is not a SQLite database, so it cannot be the {what}; nothing was changed "
        "(move it away or point review-tui at another file)"
    )


def _first_read(db: Database, path: Path, what: str) -> tuple[int, int]:
    """(user_version, application_id): the first read of the file, through SQLite itself.

    The file's header is never read with a plain open(): on POSIX, closing any descriptor of a file
    drops every lock the process holds on it, SQLite's included, and another process closing its
    connection would then delete the live WAL of ours (issue 17). SQLite's own VFS keeps its
    descriptors open while a lock is held, so letting SQLite read the header is safe; a file that is
    not SQLite fails this first read with SQLITE_NOTADB before anything is written to it.
    """
    try:
        return user_version(db), application_id(db)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB or "not a database" in str(exc):
            raise _not_sqlite(path, what) from exc
        raise


def _connect(path: Path, *, readonly: bool, timeout: float) -> sqlite3.Connection:
    # isolation_level=None: the driver never opens transactions behind our back; every write is
    # wrapped explicitly in write_transaction (BEGIN IMMEDIATE). check_same_thread=False only so
    # that close() may close it from another thread: each connection is used by one thread at a time.
    if readonly:
        target = path.resolve().as_uri() + "?mode=ro"
        return sqlite3.connect(
            target, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
        )
    return sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)


class LiteDatabase:
    """The sliver of sqlite_utils.Database that plain-SQL users (the analysis cache) need."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[object] | None = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters or ())

    def executescript(self, sql: str) -> sqlite3.Cursor:
        """Run several statements. Inside a transaction, one at a time: sqlite3's executescript would
        COMMIT it first, and a migration interrupted halfway would leave tables without its version
        (sqlite_utils' Database does the same)."""
        if not self.conn.in_transaction:
            return self.conn.executescript(sql)
        cursor = self.conn.cursor()
        statement = ""
        for part in sql.split(";"):
            statement += part + ";"
            if sqlite3.complete_statement(statement):
                if statement.strip(" \t\r\n;"):
                    cursor.execute(statement)
                statement = ""
        return cursor

    @property
    def journal_mode(self) -> str:
        return str(self.conn.execute("PRAGMA journal_mode").fetchone()[0])

    def enable_wal(self) -> None:
        self.conn.execute("PRAGMA journal_mode=wal")

    def close(self) -> None:
        self.conn.close()


def _database(conn: sqlite3.Connection, lite: bool) -> Database:
    if lite:
        return LiteDatabase(conn)  # type: ignore[return-value]
    from sqlite_utils import Database  # imported here: a warm `list` never needs it

    return Database(conn, execute_plugins=False)


def open_db(
    path: Path,
    *,
    readonly: bool = False,
    migrations: Sequence[Migration] | None = None,
    app_id: int = LEDGER_APPLICATION_ID,
    timeout: float = DEFAULT_TIMEOUT,
    what: str = "review ledger",
    lite: bool = False,
) -> Database:
    """Open (creating and migrating if needed) one of review-tui's SQLite files.

    ``lite`` gives a LiteDatabase instead of sqlite_utils' Database: enough for plain SQL (the
    analysis cache; the ledger's check at open), and it spares a warm `list` and the TUI's first paint
    the import of sqlite_utils.
    ``migrations`` defaults to the ledger's MIGRATIONS; the cache passes its own list and app_id.
    ``readonly`` never writes: the file must exist and already be at the current schema.
    Raises LedgerError (DatabaseLocked, SchemaTooNew, NotOurDatabase) with a one-line message.
    """
    steps = list(MIGRATIONS if migrations is None else migrations)
    target = len(steps)
    path = Path(path)
    if readonly and not path.exists():
        raise LedgerError(f"no {what} at {path} yet: nothing has been recorded")
    if not readonly:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(
                f"cannot create the folder for the {what} {path}: {exc.strerror or exc}"
            ) from exc
    try:
        conn = _connect(path, readonly=readonly, timeout=timeout)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot open the {what} {path}: {exc}") from exc
    db = _database(conn, lite)
    try:
        with translate_errors(path, f"opening the {what}", timeout):
            # Connection-level settings only: none of these writes to the file.
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            # One read transaction, one snapshot: a process creating the file meanwhile (tables,
            # then its application_id, in one transaction) is seen before or after, never halfway,
            # which read as "a database review-tui did not create".
            conn.execute("BEGIN")
            try:
                found, found_app = _first_read(db, path, what)
                _refuse_foreign(db, path, what, found, found_app, app_id, target)
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
            if readonly:
                if found < target:
                    raise SchemaTooOld(
                        f"{path} uses an older schema ({found} < {target}); open it once without "
                        "read-only mode to migrate it"
                    )
                return db
            _enable_wal(db, timeout)
            if found < target:
                # Two processes opening a fresh or older ledger at once: one migrates, the other waits
                # for it. A migration with a backfill can outlast the ordinary write timeout on a busy
                # machine, so it gets longer (a deliberately short timeout is kept as it is).
                wait = timeout if timeout < DEFAULT_TIMEOUT else max(timeout, MIGRATION_TIMEOUT)
                conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
                # The ledger's migrations use sqlite_utils' table API (a lite open of a new or older
                # ledger imports it for them); the cache's are plain SQL.
                migrating = _database(conn, lite=False) if lite and migrations is None else db
                try:
                    _migrate(migrating, path, steps, app_id, wait, what)
                finally:
                    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        return db
    except BaseException:
        conn.close()
        raise


def _enable_wal(db: Database, timeout: float) -> None:
    """Switch the file to WAL (persistent: once one process has, every later open finds it so).
    The switch needs the file to itself and SQLite answers "locked" at once, without its busy wait,
    while another process reads it: two processes opening a new ledger together failed that way
    (1 in 10 in a stress run), so the switch is retried until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if db.journal_mode != "wal":
                db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if not is_locked_error(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _refuse_foreign(
    db: Database, path: Path, what: str, found: int, found_app: int, app_id: int, target: int
) -> None:
    """Raise unless the file is empty or one of ours at a schema this code understands."""
    if found_app not in (0, app_id):
        raise NotOurDatabase(
            f"{path} is a SQLite database of another program (application_id {found_app:#x}), "
            f"not the {what}; nothing was changed"
        )
    if found_app == 0:
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise NotOurDatabase(
                f"{path} is a SQLite database that review-tui did not create, not the {what}; "
                "nothing was changed"
            )
    if found > target:
        raise SchemaTooNew(
            f"{path} was written by a newer review-tui (schema {found} > {target}); "
            "upgrade review-tui - nothing was changed"
        )


def _migrate(
    db: Database, path: Path, steps: list[Migration], app_id: int, timeout: float, what: str
) -> None:
    """Apply the missing migrations in one transaction, deciding what is missing under the lock."""
    target = len(steps)
    with write_transaction(db, path, f"upgrading the {what} schema", timeout):
        current = user_version(db)  # another process may have migrated while we waited
        if current > target:
            raise SchemaTooNew(
                f"{path} was written by a newer review-tui (schema {current} > {target}); "
                "upgrade review-tui - nothing was changed"
            )
        for number in range(current, target):
            try:
                steps[number](db)
            except sqlite3.Error as exc:
                if is_locked_error(exc):
                    raise
                raise LedgerError(
                    f"{path}: upgrading the {what} to schema {number + 1} failed ({exc}); nothing was changed"
                ) from exc
        # PRAGMA user_version/application_id are part of the transaction: a failed step leaves both.
        db.execute(f"PRAGMA user_version = {target}")
        db.execute(f"PRAGMA application_id = {app_id}")


# -- the ledger's schema history ------------------------------------------------------------
# Each function moves the schema one version forward and is never edited once released: a new
# need is a new function appended to MIGRATIONS. Timestamps are epoch seconds (REAL, UTC).


def _v1_review_records(db: Database) -> None:
    """Schema 1: what the review TUI records (reviewers, sessions, active time, decisions, comments)."""
    db.executescript(
        """
        CREATE TABLE reviewers (
            email TEXT PRIMARY KEY,
            name TEXT
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            reviewer TEXT NOT NULL REFERENCES reviewers(email),
            repo TEXT NOT NULL,
            started_at REAL NOT NULL,
            ended_at REAL,
            app_version TEXT,
            host TEXT
        );
        CREATE TABLE chunk_views (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            reviewer TEXT NOT NULL REFERENCES reviewers(email),
            repo TEXT NOT NULL,
            change_id TEXT NOT NULL,
            head TEXT NOT NULL,
            chunk_hash TEXT NOT NULL,
            chunk_index INTEGER,
            active_seconds REAL NOT NULL DEFAULT 0 CHECK (active_seconds >= 0),
            opened_at REAL NOT NULL,
            last_active_at REAL NOT NULL,
            UNIQUE (session_id, repo, change_id, head, chunk_hash)
        );
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            reviewer TEXT NOT NULL REFERENCES reviewers(email),
            repo TEXT NOT NULL,
            change_id TEXT NOT NULL,
            head TEXT NOT NULL,
            chunk_hash TEXT,
            chunk_index INTEGER,
            decision TEXT NOT NULL CHECK (decision IN ('approve', 'flag', 'later')),
            note TEXT NOT NULL DEFAULT '',
            active_seconds_at_decision REAL NOT NULL DEFAULT 0,
            floor_seconds REAL,
            fast INTEGER NOT NULL DEFAULT 0,
            unopened_chunks INTEGER NOT NULL DEFAULT 0,
            opened INTEGER NOT NULL DEFAULT 0,
            changed_lines INTEGER NOT NULL DEFAULT 0,
            tier INTEGER,
            ai_share REAL,
            complexity_added REAL,
            created_at REAL NOT NULL,
            source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'notes')),
            record_id TEXT NOT NULL UNIQUE
        );
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            reviewer TEXT NOT NULL REFERENCES reviewers(email),
            repo TEXT NOT NULL,
            change_id TEXT NOT NULL,
            head TEXT NOT NULL,
            chunk_hash TEXT,
            path TEXT NOT NULL,
            line INTEGER,
            side TEXT NOT NULL CHECK (side IN ('old', 'new')),
            body TEXT NOT NULL,
            created_at REAL NOT NULL,
            source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'notes')),
            record_id TEXT NOT NULL UNIQUE
        );
        """
    )
    # The TUI's own look-ups: a change's decisions, views and comments.
    db.table("decisions").create_index(["repo", "change_id", "chunk_hash"], index_name="decisions_by_change")
    db.table("chunk_views").create_index(
        ["repo", "change_id", "chunk_hash"], index_name="chunk_views_by_change"
    )
    db.table("comments").create_index(["repo", "change_id"], index_name="comments_by_change")


def _v2_stats_support(db: Database) -> None:
    """Schema 2: what `review-tui stats` needs: the changes seen (denominators) and time/reviewer indexes."""
    db.table("changes_seen").create(
        {
            "repo": str,
            "change_id": str,
            "head": str,
            "base": str,
            "title": str,
            "tier": int,
            "changed_lines": int,
            "ai_share": float,
            "complexity_added": float,
            "floor_seconds": float,
            "chunk_count": int,
            "score": float,
            "first_seen_at": float,
            "last_seen_at": float,
        },
        pk=("repo", "change_id", "head"),
        not_null={"repo", "change_id", "head", "first_seen_at", "last_seen_at"},
    )
    db.table("decisions").create_index(["reviewer", "created_at"], index_name="decisions_by_reviewer")
    db.table("decisions").create_index(["created_at"], index_name="decisions_by_time")
    db.table("chunk_views").create_index(["reviewer", "opened_at"], index_name="chunk_views_by_reviewer")
    db.table("sessions").create_index(["reviewer", "started_at"], index_name="sessions_by_reviewer")


def _v3_decision_coverage(db: Database) -> None:
    """Schema 3: the chunk hashes a change-level decision covered (sign-off policy, git notes).

    A change-level approval binds to content, not to a head: `review-tui check` counts it only for
    the chunk hashes it covered. One row per decision; `chunk_hashes` is space-separated.
    """
    db.executescript(
        """
        CREATE TABLE decision_coverage (
            record_id TEXT PRIMARY KEY REFERENCES decisions(record_id),
            chunk_hashes TEXT NOT NULL
        );
        """
    )


# -- what `review-tui stats` reads (app/report/stats.py), shared by the indexes below and the queries:
# SQLite uses an index on an expression only when the query spells the expression the same way.

STATS_CHUNK_REVIEW = "chunk_hash IS NOT NULL AND decision IN ('approve', 'flag')"
"""A chunk review: an approve or flag of one chunk ("later" is not a conclusion)."""
STATS_TIMED = STATS_CHUNK_REVIEW + " AND active_seconds_at_decision > 0"
"""A chunk review with active time, so that it has a review rate."""
STATS_WEEK = "CAST((created_at + 259200) / 604800 AS INTEGER)"
"""Monday-based UTC week number of created_at (1970-01-01 was a Thursday: shift by 3 days)."""
STATS_RATE = "(changed_lines * 3600.0 / active_seconds_at_decision)"
"""Changed lines per active hour of one chunk review."""
STATS_BAND = "(CASE WHEN ai_share >= 0.5 THEN 2 WHEN ai_share > 0 THEN 1 ELSE 0 END)"
"""AI band of a chunk: 0 human (no AI line or unknown), 1 mixed, 2 AI-heavy (at least half)."""
STATS_FLAGS = (
    "((floor_seconds IS NOT NULL) * 16 + (decision = 'approve') * 8"
    " + (decision = 'approve' AND (fast OR NOT opened)) * 4 + (NOT opened) * 2"
    " + (active_seconds_at_decision > 0))"
)
"""Bits of a chunk review: 16 has a floor, 8 approval, 4 rubber stamp, 2 never opened, 1 has active time."""


def _v4_stats_indexes(db: Database) -> None:
    """Schema 4: covering indexes for `review-tui stats`, so a million reviews aggregate in index order.

    Each covers every column its query reads (a partial index must also hold the columns of its
    WHERE), so SQLite never visits the wide decisions rows, and GROUP BY / ORDER BY follow the
    index order instead of sorting.
    """
    rate_columns = "repo, reviewer, tier, created_at, changed_lines, active_seconds_at_decision, chunk_hash, decision"
    db.executescript(
        f"""
        CREATE INDEX stats_chunk_cube ON decisions (reviewer, tier, {STATS_WEEK}, {STATS_BAND}, {STATS_FLAGS},
            changed_lines, active_seconds_at_decision, floor_seconds, repo, created_at, decision, fast, opened,
            ai_share, chunk_hash) WHERE {STATS_CHUNK_REVIEW};
        CREATE INDEX stats_change_reviews ON decisions (reviewer, repo, change_id, created_at, tier,
            changed_lines, chunk_hash, decision) WHERE decision IN ('approve', 'flag');
        CREATE INDEX stats_change_decisions ON decisions (created_at, reviewer, repo, change_id, head, tier,
            ai_share, decision, fast, unopened_chunks, changed_lines, chunk_hash) WHERE chunk_hash IS NULL;
        CREATE INDEX stats_rate_by_reviewer ON decisions (reviewer, {STATS_RATE}, {rate_columns})
            WHERE {STATS_TIMED};
        CREATE INDEX stats_rate_by_tier ON decisions (tier, {STATS_RATE}, {rate_columns}) WHERE {STATS_TIMED};
        CREATE INDEX stats_rate_by_week ON decisions ({STATS_WEEK}, {STATS_RATE}, {rate_columns})
            WHERE {STATS_TIMED};
        CREATE INDEX stats_rate ON decisions ({STATS_RATE}, {rate_columns}) WHERE {STATS_TIMED};
        CREATE INDEX stats_first_look ON chunk_views (repo, change_id, reviewer, opened_at);
        """
    )


# -- schema 5: summary tables for `review-tui stats`, kept exact by triggers ---------------------
# A ledger of a million chunk reviews cannot be aggregated row by row in under a second, so the
# write path keeps small summaries up to date inside SQLite itself: every INSERT, UPDATE or DELETE
# on decisions, chunk_views and changes_seen (through the Ledger, an import's executemany, or a
# hand-run sqlite3 shell) fires a trigger that adjusts them in the same transaction. Their time key
# is the UTC day, and `stats --since/--until` take whole UTC days, so a filtered read is as exact as
# an unfiltered one. The definitions below are frozen with schema 5: a change is a new migration.

STATS_DAY = "CAST(created_at / 86400 AS INTEGER)"
"""UTC day number of created_at: the time key of the summaries (weeks are whole days, so a day
lies in exactly one STATS_WEEK)."""
STATS_RATE_EDGES: tuple[float, ...] = (0, 100, 200, 300, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 5000,
                                       math.inf)
"""Bins of review rates (LOC per active hour), [edge i, edge i+1): stats_chunk_days.rate_bin_<i>."""
STATS_FAST_RATE = 500.0
"""A timed chunk review faster than this (strictly) counts in stats_chunk_days.fast_chunks."""
NO_TIER = -1
"""The summaries' tier for a record without one (SQLite primary keys of WITHOUT ROWID tables are NOT NULL)."""

# Expressions over one decisions row; ``{r}`` is the row's prefix ("NEW.", "OLD.", "d." or "").
_R_RATE = "({r}changed_lines * 3600.0 / {r}active_seconds_at_decision)"  # STATS_RATE, spelled the same
_R_TIMED = "{r}active_seconds_at_decision > 0"
_R_CHUNK_REVIEW = "{r}chunk_hash IS NOT NULL AND {r}decision IN ('approve', 'flag')"
_R_CHANGE_REVIEW = "{r}decision IN ('approve', 'flag')"
_R_CHANGE_DECISION = "{r}chunk_hash IS NULL AND {r}decision IN ('approve', 'flag')"
_R_TIER = f"coalesce({{r}}tier, {NO_TIER})"
_R_WEEK = "CAST(({r}created_at + 259200) / 604800 AS INTEGER)"  # STATS_WEEK
_R_DAY = "CAST({r}created_at / 86400 AS INTEGER)"  # STATS_DAY
_R_BAND = "(CASE WHEN {r}ai_share >= 0.5 THEN 2 WHEN {r}ai_share > 0 THEN 1 ELSE 0 END)"  # STATS_BAND

# (column, SQL type, per-row value): what a group of chunk reviews adds up (app/report/stats.py Figures).
_CHUNK_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("chunks", "INTEGER", "1"),
    ("lines", "INTEGER", "{r}changed_lines"),
    ("active_seconds", "REAL", "{r}active_seconds_at_decision"),
    ("timed_chunks", "INTEGER", f"({_R_TIMED})"),
    ("timed_lines", "INTEGER", f"(CASE WHEN {_R_TIMED} THEN {{r}}changed_lines ELSE 0 END)"),
    ("timed_seconds", "REAL", f"(CASE WHEN {_R_TIMED} THEN {{r}}active_seconds_at_decision ELSE 0 END)"),
    ("floor_seconds", "REAL", "coalesce({r}floor_seconds, 0)"),
    ("floor_active_seconds", "REAL",
     "(CASE WHEN {r}floor_seconds IS NOT NULL THEN {r}active_seconds_at_decision ELSE 0 END)"),
    ("approvals", "INTEGER", "({r}decision = 'approve')"),
    ("rubber_stamps", "INTEGER", "({r}decision = 'approve' AND ({r}fast OR NOT {r}opened))"),
    ("unopened_chunks", "INTEGER", "({r}decision = 'approve' AND NOT {r}opened)"),
)
# Per reviewer, tier and week the rates' distribution is needed too: the fast count and the bins
# (which locate any quantile's bin, so that an exact quantile walks one bin, not the whole index).
_RATE_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("fast_chunks", "INTEGER", f"({_R_TIMED} AND {_R_RATE} > {STATS_FAST_RATE!r})"),
    *(
        (f"rate_bin_{i}", "INTEGER",
         f"({_R_TIMED} AND {_R_RATE} >= {float(low)!r}"
         + ("" if math.isinf(high) else f" AND {_R_RATE} < {float(high)!r}") + ")")
        for i, (low, high) in enumerate(itertools.pairwise(STATS_RATE_EDGES))
    ),
)
STATS_CHUNK_DAY_MEASURES: tuple[str, ...] = tuple(m[0] for m in _CHUNK_MEASURES + _RATE_MEASURES)
"""Measure columns of stats_chunk_days, in order (the first len(STATS_BAND_DAY_MEASURES) also in stats_band_days)."""
STATS_BAND_DAY_MEASURES: tuple[str, ...] = tuple(m[0] for m in _CHUNK_MEASURES)


def stats_measure_terms() -> dict[str, str]:
    """Each summary measure as the per-row SQL the triggers add up (over a bare decisions row): what a
    query takes back out of the summaries adds up the very same terms (stats_queries.chunk_flags)."""
    return {name: expr.format(r="") for name, _type, expr in _CHUNK_MEASURES + _RATE_MEASURES}

# (column, SQL type, per-row key)
_CHUNK_KEYS = (("reviewer", "TEXT", "{r}reviewer"), ("tier", "INTEGER", _R_TIER), ("week", "INTEGER", _R_WEEK),
               ("day", "INTEGER", _R_DAY), ("repo", "TEXT", "{r}repo"))
_BAND_KEYS = (("band", "INTEGER", _R_BAND), *_CHUNK_KEYS)
_CHANGE_DAY_KEYS = (("repo", "TEXT", "{r}repo"), ("reviewer", "TEXT", "{r}reviewer"),
                    ("change_id", "TEXT", "{r}change_id"), ("tier", "INTEGER", _R_TIER),
                    ("week", "INTEGER", _R_WEEK), ("day", "INTEGER", _R_DAY))


def _summary_table(name: str, keys: Sequence[tuple[str, str, str]], measures: Sequence[tuple[str, str, str]]) -> str:
    columns = [f"{k} {t} NOT NULL" for k, t, _ in keys] + [f"{m} {t} NOT NULL DEFAULT 0" for m, t, _ in measures]
    return (f"CREATE TABLE {name} ({', '.join(columns)}, PRIMARY KEY ({', '.join(k for k, _, _ in keys)}))"
            " WITHOUT ROWID;")


def _summary_add(name: str, keys: Sequence[tuple[str, str, str]], measures: Sequence[tuple[str, str, str]],
                 row: str, sign: str) -> str:
    """Add (sign "") or subtract (sign "-") one decisions row to its group, if it is a chunk review."""
    names = [k for k, _, _ in keys] + [m for m, _, _ in measures]
    values = [e.format(r=row) for _, _, e in keys] + [f"{sign}{e.format(r=row)}" for _, _, e in measures]
    return (f"INSERT INTO {name} ({', '.join(names)}) SELECT {', '.join(values)}"
            f" WHERE {_R_CHUNK_REVIEW.format(r=row)}"
            f" ON CONFLICT ({', '.join(k for k, _, _ in keys)}) DO UPDATE SET "
            + ", ".join(f"{m} = {m} + excluded.{m}" for m, _, _ in measures) + ";")


def _summary_prune(name: str, keys: Sequence[tuple[str, str, str]], row: str) -> str:
    """Drop the group of a removed row once it holds no chunk review."""
    match = " AND ".join(f"{k} = {e.format(r=row)}" for k, _, e in keys)
    return f"DELETE FROM {name} WHERE {match} AND chunks <= 0;"


def _summary_backfill(name: str, keys: Sequence[tuple[str, str, str]], measures: Sequence[tuple[str, str, str]]) -> str:
    names = [k for k, _, _ in keys] + [m for m, _, _ in measures]
    values = [e.format(r="") for _, _, e in keys] + [f"sum({e.format(r='')})" for _, _, e in measures]
    return (f"INSERT INTO {name} ({', '.join(names)}) SELECT {', '.join(values)} FROM decisions"
            f" WHERE {_R_CHUNK_REVIEW.format(r='')} GROUP BY {', '.join(e.format(r='') for _, _, e in keys)};")


def _change_day_add(row: str) -> str:
    names = ", ".join(k for k, _, _ in _CHANGE_DAY_KEYS)
    values = ", ".join(e.format(r=row) for _, _, e in _CHANGE_DAY_KEYS)
    return (f"INSERT INTO stats_change_days ({names}, decisions, last_at) SELECT {values}, 1, {row}created_at"
            f" WHERE {_R_CHANGE_REVIEW.format(r=row)} ON CONFLICT ({names})"
            " DO UPDATE SET decisions = decisions + 1, last_at = max(last_at, excluded.last_at);")


def _change_day_recount(row: str) -> str:
    """Rebuild the change-review day of ``row`` from the decisions table (after a delete or update)."""
    names = ", ".join(k for k, _, _ in _CHANGE_DAY_KEYS)
    match = " AND ".join(f"{k} = {e.format(r=row)}" for k, _, e in _CHANGE_DAY_KEYS)
    same = " AND ".join(f"{e.format(r='d.')} = {e.format(r=row)}" for _, _, e in _CHANGE_DAY_KEYS)
    return (f"DELETE FROM stats_change_days WHERE {match};"
            f" INSERT INTO stats_change_days ({names}, decisions, last_at)"
            f" SELECT {', '.join(e.format(r='d.') for _, _, e in _CHANGE_DAY_KEYS)}, count(*), max(d.created_at)"
            f" FROM decisions d WHERE {same} AND {_R_CHANGE_REVIEW.format(r='d.')}"
            f" GROUP BY {', '.join(e.format(r='d.') for _, _, e in _CHANGE_DAY_KEYS)};")


def _seen_of(column: str, t: str) -> str:
    """A column of the changes_seen row at the head of change decision ``t``."""
    return (f"(SELECT s.{column} FROM changes_seen s WHERE s.repo = {t}repo AND s.change_id = {t}change_id"
            f" AND s.head = {t}head)")


def _fact_seen_values(t: str, own_tier: str, own_ai_share: str, own_lines: str) -> dict[str, str]:
    """What a change decision takes from the changes seen: the figures at its head (else its own), and
    whether a head first seen later exists (the approval went stale)."""
    return {
        "tier": f"coalesce({_seen_of('tier', t)}, {own_tier})",
        "ai_share": f"coalesce({_seen_of('ai_share', t)}, {own_ai_share})",
        "approved_lines": f"coalesce({_seen_of('changed_lines', t)}, {own_lines})",
        "newer_seen": (f"coalesce((SELECT max(n.first_seen_at) FROM changes_seen n WHERE n.repo = {t}repo"
                       f" AND n.change_id = {t}change_id) > {_seen_of('first_seen_at', t)}, 0)"),
    }


def _fact_first_view(t: str) -> str:
    return (f"(SELECT min(v.opened_at) FROM chunk_views v WHERE v.repo = {t}repo AND v.change_id = {t}change_id"
            f" AND v.reviewer = {t}reviewer)")


def _fact_values(t: str) -> dict[str, str]:
    """stats_change_facts columns of the change decision ``t`` (a decisions row)."""
    return {
        "id": f"{t}id", "repo": f"{t}repo", "reviewer": f"{t}reviewer", "change_id": f"{t}change_id",
        "head": f"{t}head", "decision": f"{t}decision", "created_at": f"{t}created_at",
        "week": _R_WEEK.format(r=t), "day": _R_DAY.format(r=t), "filter_tier": _R_TIER.format(r=t),
        "own_tier": f"{t}tier", "own_ai_share": f"{t}ai_share", "own_lines": f"{t}changed_lines",
        "stamp": f"({t}fast OR {t}unopened_chunks > 0)", "unopened_chunks": f"{t}unopened_chunks",
        "first_view_at": _fact_first_view(t),
        "reviewed_lines": (f"(SELECT coalesce(sum(c.changed_lines), 0) FROM decisions c WHERE c.repo = {t}repo"
                           f" AND c.change_id = {t}change_id AND c.reviewer = {t}reviewer"
                           f" AND {_R_CHUNK_REVIEW.format(r='c.')})"),
        **_fact_seen_values(t, f"{t}tier", f"{t}ai_share", f"{t}changed_lines"),
    }


def _fact_insert(t: str, where: str, source: str = "") -> str:
    values = _fact_values(t)
    return (f"INSERT INTO stats_change_facts ({', '.join(values)}) SELECT {', '.join(values.values())}"
            f"{source} WHERE {where};")


def _fact_refresh_seen(row: str) -> str:
    """Re-read the changes seen for every decision on the change of ``row`` (a changes_seen row)."""
    t = "stats_change_facts."
    values = _fact_seen_values(t, "own_tier", "own_ai_share", "own_lines")
    return (f"UPDATE stats_change_facts SET {', '.join(f'{k} = {v}' for k, v in values.items())}"
            f" WHERE repo = {row}repo AND change_id = {row}change_id;")


def _fact_refresh_first_view(row: str) -> str:
    """Re-read the first view for the decisions of the reviewer and change of ``row`` (a chunk_views row)."""
    return (f"UPDATE stats_change_facts SET first_view_at = {_fact_first_view('stats_change_facts.')}"
            f" WHERE repo = {row}repo AND change_id = {row}change_id AND reviewer = {row}reviewer;")


def _fact_reviewed_lines(row: str, sign: str) -> str:
    """A chunk review adds its lines to the reviewer's change decisions on that change (coverage)."""
    return (f"UPDATE stats_change_facts SET reviewed_lines = reviewed_lines {sign} {row}changed_lines"
            f" WHERE {_R_CHUNK_REVIEW.format(r=row)} AND repo = {row}repo AND change_id = {row}change_id"
            f" AND reviewer = {row}reviewer;")


def _decision_added(row: str) -> list[str]:
    return [
        _summary_add("stats_chunk_days", _CHUNK_KEYS, _CHUNK_MEASURES + _RATE_MEASURES, row, ""),
        _summary_add("stats_band_days", _BAND_KEYS, _CHUNK_MEASURES, row, ""),
        _fact_reviewed_lines(row, "+"),
        _fact_insert(row, _R_CHANGE_DECISION.format(r=row)),
    ]


def _decision_removed(row: str) -> list[str]:
    return [
        _summary_add("stats_chunk_days", _CHUNK_KEYS, _CHUNK_MEASURES + _RATE_MEASURES, row, "-"),
        _summary_prune("stats_chunk_days", _CHUNK_KEYS, row),
        _summary_add("stats_band_days", _BAND_KEYS, _CHUNK_MEASURES, row, "-"),
        _summary_prune("stats_band_days", _BAND_KEYS, row),
        _fact_reviewed_lines(row, "-"),
        f"DELETE FROM stats_change_facts WHERE id = {row}id;",
    ]


def _trigger(name: str, event: str, statements: Sequence[str]) -> str:
    body = "\n    ".join(statements)
    return f"CREATE TRIGGER {name} AFTER {event} BEGIN\n    {body}\nEND;"


def _v5_stats_summaries(db: Database) -> None:
    """Schema 5: summaries for `review-tui stats`, filled from the existing rows and kept by triggers.

    - stats_chunk_days: chunk reviews summed per reviewer, tier, week, UTC day and repo (with the
      rate bins and the fast count);
    - stats_band_days: the same sums per AI band as well;
    - stats_change_days: the change reviews (one reviewer's approve/flag decisions on one change),
      per tier and UTC day, with their last decision's time;
    - stats_change_facts: one row per change-level approve/flag decision with what it takes from
      other tables: the change's figures at its head and whether a newer head was seen
      (changes_seen), the reviewer's first view of the change (chunk_views), and the changed
      lines of the reviewer's chunk reviews of the change (coverage).
    The v4 indexes the old row-by-row passes read are dropped (the rate indexes stay: an exact
    quantile walks one bin of them).
    """
    # One statement at a time: sqlite_utils' executescript splits a script inside a transaction
    # character by character, which is slow for long trigger bodies.
    for statement in [
            _summary_table("stats_chunk_days", _CHUNK_KEYS, _CHUNK_MEASURES + _RATE_MEASURES),
            _summary_table("stats_band_days", _BAND_KEYS, _CHUNK_MEASURES),
            _summary_table("stats_change_days", _CHANGE_DAY_KEYS,
                           (("decisions", "INTEGER", ""), ("last_at", "REAL", ""))),
            """CREATE TABLE stats_change_facts (
                id INTEGER PRIMARY KEY,  -- decisions.id
                repo TEXT NOT NULL, reviewer TEXT NOT NULL, change_id TEXT NOT NULL, head TEXT NOT NULL,
                decision TEXT NOT NULL, created_at REAL NOT NULL, week INTEGER NOT NULL, day INTEGER NOT NULL,
                filter_tier INTEGER NOT NULL,  -- the decision's own tier (NO_TIER if none): what --tier matches
                own_tier INTEGER, own_ai_share REAL, own_lines INTEGER,
                stamp INTEGER NOT NULL, unopened_chunks INTEGER NOT NULL,
                first_view_at REAL,  -- the reviewer's first opening of any chunk of the change
                reviewed_lines INTEGER NOT NULL,
                tier INTEGER, ai_share REAL, approved_lines INTEGER, newer_seen INTEGER NOT NULL
            )""",
            "CREATE INDEX stats_change_facts_by_change ON stats_change_facts (repo, change_id, reviewer)",
            # The approvals' sums per reviewer, tier and week read this in group order, without sorting.
            "CREATE INDEX stats_change_facts_cube ON stats_change_facts (decision, reviewer, tier, week, stamp,"
            " unopened_chunks, approved_lines, reviewed_lines, newer_seen, repo, day, filter_tier)",
            "DROP INDEX IF EXISTS stats_chunk_cube",
            "DROP INDEX IF EXISTS stats_change_reviews",
            "DROP INDEX IF EXISTS stats_change_decisions",
            _summary_backfill("stats_chunk_days", _CHUNK_KEYS, _CHUNK_MEASURES + _RATE_MEASURES),
            _summary_backfill("stats_band_days", _BAND_KEYS, _CHUNK_MEASURES),
            f"INSERT INTO stats_change_days ({', '.join(k for k, _, _ in _CHANGE_DAY_KEYS)}, decisions, last_at)"
            f" SELECT {', '.join(e.format(r='') for _, _, e in _CHANGE_DAY_KEYS)}, count(*), max(created_at)"
            f" FROM decisions WHERE {_R_CHANGE_REVIEW.format(r='')}"
            f" GROUP BY {', '.join(e.format(r='') for _, _, e in _CHANGE_DAY_KEYS)};",
            _fact_insert("d.", _R_CHANGE_DECISION.format(r="d."), " FROM decisions d"),
            _trigger("stats_decision_inserted", "INSERT ON decisions",
                     [*_decision_added("NEW."), _change_day_add("NEW.")]),
            _trigger("stats_decision_deleted", "DELETE ON decisions",
                     [*_decision_removed("OLD."), _change_day_recount("OLD.")]),
            _trigger("stats_decision_updated", "UPDATE ON decisions",
                     [*_decision_removed("OLD."), *_decision_added("NEW."), _change_day_recount("OLD."),
                      _change_day_recount("NEW.")]),
            _trigger("stats_view_inserted", "INSERT ON chunk_views",
                     ["UPDATE stats_change_facts SET first_view_at = NEW.opened_at WHERE repo = NEW.repo"
                      " AND change_id = NEW.change_id AND reviewer = NEW.reviewer"
                      " AND (first_view_at IS NULL OR first_view_at > NEW.opened_at);"]),
            _trigger("stats_view_deleted", "DELETE ON chunk_views", [_fact_refresh_first_view("OLD.")]),
            _trigger("stats_view_moved", "UPDATE OF repo, change_id, reviewer, opened_at ON chunk_views",
                     [_fact_refresh_first_view("OLD."), _fact_refresh_first_view("NEW.")]),
            _trigger("stats_seen_inserted", "INSERT ON changes_seen", [_fact_refresh_seen("NEW.")]),
            _trigger("stats_seen_deleted", "DELETE ON changes_seen", [_fact_refresh_seen("OLD.")]),
            _trigger("stats_seen_updated", "UPDATE ON changes_seen",
                     [_fact_refresh_seen("OLD."), _fact_refresh_seen("NEW.")]),
    ]:
        db.execute(statement)


def _v6_viewed_files(db: Database) -> None:
    """Schema 6: files a reviewer marked viewed, with the content they were viewed at (the mark
    lapses when the file's content in the change differs from that key)."""
    db.executescript(
        """
        CREATE TABLE viewed_files (
            repo TEXT NOT NULL,
            change_id TEXT NOT NULL,
            reviewer TEXT NOT NULL REFERENCES reviewers(email),
            path TEXT NOT NULL,
            content_key TEXT NOT NULL,
            viewed_at REAL NOT NULL,
            PRIMARY KEY (repo, change_id, reviewer, path)
        );
        """
    )


def _v7_record_trust(db: Database) -> None:
    """Schema 7: what makes a review record count (issue 15; app/storage/records.py).

    - record_signatures: a record's signed note line, made when the record was (a signing key was
      configured): the ledger's copy of a record then verifies like the notes' copy, and `sync`
      exports exactly that line.
    - decision_carries: an approval a reviewer carried over from another change making the same edit:
      the new record (given on this change) and the record and change it came from.
    - indexes for storage/records.py's look-up of the decisions bearing on one change.
    """
    db.executescript(
        """
        CREATE TABLE record_signatures (
            record_id TEXT PRIMARY KEY,
            line TEXT NOT NULL
        );
        CREATE TABLE decision_carries (
            record_id TEXT PRIMARY KEY REFERENCES decisions(record_id),
            from_record TEXT NOT NULL,
            from_change TEXT NOT NULL
        );
        CREATE INDEX decisions_by_chunk ON decisions (repo, chunk_hash);
        CREATE INDEX decisions_by_head ON decisions (repo, head);
        """
    )


def _v8_comment_threads(db: Database) -> None:
    """Schema 8: comments as threads. Every existing comment stays, as the root of its own thread.

    - comments.reply_to: the record id of the thread's root comment (NULL for a root). Replies
      always point at the root, so a thread is one root and its replies in time order.
    - thread_states: resolving and reopening a thread, one append-only row per act (so records
      made on two machines merge through git notes without conflict); a thread's state is the
      newest act, and a thread with none is open.
    """
    for statement in (
        "ALTER TABLE comments ADD COLUMN reply_to TEXT",
        "CREATE INDEX comments_by_thread ON comments (reply_to) WHERE reply_to IS NOT NULL",
        """CREATE TABLE thread_states (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            reviewer TEXT NOT NULL REFERENCES reviewers(email),
            repo TEXT NOT NULL,
            change_id TEXT NOT NULL,
            head TEXT NOT NULL,
            thread_id TEXT NOT NULL,  -- record id of the thread's root comment
            state TEXT NOT NULL CHECK (state IN ('resolved', 'open')),
            created_at REAL NOT NULL,
            source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'notes')),
            record_id TEXT NOT NULL UNIQUE
        )""",
        "CREATE INDEX thread_states_by_change ON thread_states (repo, change_id, thread_id, created_at)",
    ):
        db.execute(statement)


def _v9_seen_lines(db: Database) -> None:
    """Schema 9: the changed lines of a chunk a reviewer has had on screen, kept across sittings (a
    chunk read over two sessions had to be scrolled through again: what counted as seen was per
    session, while its active time was kept). One row per reviewer and chunk content; `lines` is a
    JSON list of [path, side, line]."""
    db.executescript(
        """
        CREATE TABLE seen_lines (
            repo TEXT NOT NULL,
            change_id TEXT NOT NULL,
            chunk_hash TEXT NOT NULL,
            reviewer TEXT NOT NULL REFERENCES reviewers(email),
            lines TEXT NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (repo, change_id, chunk_hash, reviewer)
        );
        """
    )


def _named_by_ref(column: str) -> str:
    """SQL: the change id in `column` names a ref (a branch, a pull request), not a commit: the commit of a
    range (its id is hex) is diffed against its own parent, another change than a branch at that head."""
    return f"NOT (length({column}) BETWEEN 7 AND 64 AND {column} NOT GLOB '*[^0-9a-f]*')"


def _alias_insert(row: str, source: str, also: str = "") -> str:
    """Pair ``row``'s change id with every other id ``source`` holds at its head (ref names only; `also`:
    a further condition on the source's row ``s``)."""
    return (f"INSERT OR IGNORE INTO stats_change_aliases (repo, change_id, other_id)"
            f" SELECT {row}repo, {row}change_id, s.change_id FROM {source} s"
            f" WHERE s.repo = {row}repo AND s.head = {row}head AND s.change_id != {row}change_id"
            f" AND {_named_by_ref(row + 'change_id')} AND {_named_by_ref('s.change_id')}{also};")


def _v10_change_aliases(db: Database) -> None:
    """Schema 10: the ids one change was recorded under. The queue names a change by one of the refs
    at its head (the local branch, else the pull request, else the remote branch), so two reviewers'
    machines can record one change as `feature/x` and `origin/feature/x` or `pull/7`; stats counted
    them as two changes. stats_change_aliases pairs the ids seen at one head, in the changes seen and
    the change-level decisions (each indexed by head for it), filled now and kept by triggers; a pair
    stays when its rows go, since a head's content never changes. Only ids naming refs are paired: the
    commit of a range is diffed against its parent, another change than a branch at that head.
    stats_change_days is indexed by change for stats to count those ids' reviews once."""
    sources = ("changes_seen", "stats_change_facts")
    for statement in [
            "CREATE TABLE stats_change_aliases (repo TEXT NOT NULL, change_id TEXT NOT NULL,"
            " other_id TEXT NOT NULL, PRIMARY KEY (repo, change_id, other_id)) WITHOUT ROWID",
            "CREATE INDEX changes_seen_by_head ON changes_seen (repo, head, change_id)",
            "CREATE INDEX stats_change_facts_by_head ON stats_change_facts (repo, head, change_id)",
            # stats reads the change reviews of the ids with other names through this
            "CREATE INDEX stats_change_days_by_change ON stats_change_days (repo, change_id)",
            *(f"INSERT OR IGNORE INTO stats_change_aliases (repo, change_id, other_id)"
              f" SELECT a.repo, a.change_id, b.change_id FROM {a} a JOIN {b} b"
              f" ON b.repo = a.repo AND b.head = a.head AND b.change_id != a.change_id"
              f" WHERE {_named_by_ref('a.change_id')} AND {_named_by_ref('b.change_id')}"
              for a in sources for b in sources),
            *(_trigger(f"stats_aliases_{table}_{name}", f"{event} ON {table}",
                       [_alias_insert("NEW.", source) for source in sources])
              for table in sources
              for name, event in (("inserted", "INSERT"), ("moved", "UPDATE OF repo, change_id, head"))),
    ]:
        db.execute(statement)


STATS_CHUNK_FLAG = "chunk_hash IS NOT NULL AND decision = 'flag'"
"""A chunk flag: a chunk review, but no read of the whole chunk (a reviewer stops at the first blocking
problem), so stats leaves it out of review rates and time/floor (app/report/stats.py `_flag_pass`)."""
STATS_LINELESS_APPROVAL = ("chunk_hash IS NOT NULL AND decision = 'approve' AND changed_lines = 0"
                           " AND active_seconds_at_decision > 0")
"""A timed approval of a chunk without changed lines (a binary file, a pure rename): time was spent, but
there is no rate to give, so stats takes it back out of the rates (it read as 0 lines per hour)."""


def _v11_chunk_flags(db: Database) -> None:
    """Schema 11: an index of the chunk flags, with what stats takes back out of the timed figures: the
    summaries count a flag as a timed chunk review, and a flag after 43 s of a 376-line chunk showed
    a manager a Tier 0 read at 31,764 LOC/h. Partial, so it is as small as the flags are few."""
    db.execute("CREATE INDEX stats_chunk_flags ON decisions (reviewer, tier, created_at, repo, changed_lines,"
               f" active_seconds_at_decision, floor_seconds, ai_share) WHERE {STATS_CHUNK_FLAG}")


def _v12_decision_aliases(db: Database) -> None:
    """Schema 12: a chunk decision names its change and head too. Pairing only the changes seen and the
    change-level decisions, one change chunk-reviewed as `feature/x` in one clone and as `origin/feature/x`
    in another counted as two in stats (the changes seen stay on each machine; the notes carry decisions).
    The conclusive decisions (approve, flag) at a head are paired with every other id there, now (their
    distinct ids and heads first: a million decisions hold far fewer) and by triggers; the changes seen and
    the change facts get their triggers again with those decisions among their sources."""
    reviewed = "(SELECT DISTINCT repo, change_id, head FROM decisions WHERE decision IN ('approve', 'flag'))"
    sources = ("changes_seen", "stats_change_facts", reviewed)

    def pair(row: str) -> list[str]:  # by the heads' indexes: a trigger must not scan the decisions
        return [_alias_insert(row, "changes_seen"), _alias_insert(row, "stats_change_facts"),
                _alias_insert(row, "decisions", " AND s.decision IN ('approve', 'flag')")]

    statements = [
        *(f"DROP TRIGGER IF EXISTS stats_aliases_{table}_{name}" for table in ("changes_seen", "stats_change_facts")
          for name in ("inserted", "moved")),
        *(f"INSERT OR IGNORE INTO stats_change_aliases (repo, change_id, other_id)"
          f" SELECT a.repo, a.change_id, b.change_id FROM {reviewed} a JOIN {b} b"
          f" ON b.repo = a.repo AND b.head = a.head AND b.change_id != a.change_id"
          f" WHERE {_named_by_ref('a.change_id')} AND {_named_by_ref('b.change_id')}"
          for b in sources),
        *(_trigger(f"stats_aliases_{table}_{name}", f"{event} ON {table}", pair("NEW."))
          for table in ("changes_seen", "stats_change_facts")
          for name, event in (("inserted", "INSERT"), ("moved", "UPDATE OF repo, change_id, head"))),
        *(_trigger(f"stats_aliases_decisions_{name}", f"{event} ON decisions WHEN NEW.decision IN ('approve', 'flag')",
                   pair("NEW."))
          for name, event in (("inserted", "INSERT"), ("moved", "UPDATE OF repo, change_id, head, decision"))),
    ]
    for statement in statements:
        db.execute(statement)


def _v13_lineless_approvals(db: Database) -> None:
    """Schema 13: an index of the timed approvals of chunks without changed lines, with what stats takes back
    out of the rate measures: the summaries count each at 0 lines per hour, and one approved image made a
    team's median review rate 0. Partial, so it is as small as such approvals are few."""
    db.execute("CREATE INDEX stats_lineless_approvals ON decisions (reviewer, tier, created_at, repo,"
               f" active_seconds_at_decision, ai_share) WHERE {STATS_LINELESS_APPROVAL}")


MIGRATIONS: list[Migration] = [
    _v1_review_records, _v2_stats_support, _v3_decision_coverage, _v4_stats_indexes, _v5_stats_summaries,
    _v6_viewed_files, _v7_record_trust, _v8_comment_threads, _v9_seen_lines, _v10_change_aliases,
    _v11_chunk_flags, _v12_decision_aliases, _v13_lineless_approvals,
]
SCHEMA_VERSION = len(MIGRATIONS)
