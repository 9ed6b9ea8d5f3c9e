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
- Nothing is ever written to a file that is not ours: a non-SQLite file, another program's SQLite
  database, or a ledger written by a newer review-tui is refused before the first write (the WAL
  switch included), and left byte-for-byte as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from app.errors import LedgerError

Migration = Callable[[Database], None]

# Seconds a writer waits for another process's write lock before giving up with LedgerError.
DEFAULT_TIMEOUT = 5.0

SQLITE_HEADER = b"SQLite format 3\x00"

# PRAGMA application_id marks our files so that a ledger path pointing at another program's
# database (or at the analysis cache) is refused instead of being "migrated". Ascii "RTUL"/"RTUC".
LEDGER_APPLICATION_ID = 0x5254554C
CACHE_APPLICATION_ID = 0x52545543


# -- errors (subclasses of app.errors.LedgerError, so callers may catch just that) -------------


class DatabaseLocked(LedgerError):
    """Another process held the write lock for longer than the busy timeout."""


class SchemaTooNew(LedgerError):
    """The file was written by a newer review-tui; nothing was changed."""


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
            raise DatabaseLocked(
                f"{path} is locked by another review-tui process{waited} while {doing}; "
                "close the other process or try again"
            ) from exc
        if is_corrupt_error(exc):
            raise NotOurDatabase(
                f"{path} is not a valid SQLite database ({exc}); nothing was changed"
            ) from exc
        raise LedgerError(f"{path}: SQLite error while {doing}: {exc}") from exc


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
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def user_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def application_id(db: Database) -> int:
    return int(db.execute("PRAGMA application_id").fetchone()[0])


def _check_header(path: Path, what: str) -> None:
    """Refuse a non-empty file that does not start with SQLite's magic header (without opening it)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise LedgerError(f"cannot read the {what} {path}: {exc.strerror or exc}") from exc
    if head and head != SQLITE_HEADER:
        raise NotOurDatabase(
            f"{path} is not a SQLite database, so it cannot be the {what}; nothing was changed "
            "(move it away or point review-tui at another file)"
        )


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


def open_db(
    path: Path,
    *,
    readonly: bool = False,
    migrations: Sequence[Migration] | None = None,
    app_id: int = LEDGER_APPLICATION_ID,
    timeout: float = DEFAULT_TIMEOUT,
    what: str = "review ledger",
) -> Database:
    """Open (creating and migrating if needed) one of review-tui's SQLite files.

    ``migrations`` defaults to the ledger's MIGRATIONS; the cache passes its own list and app_id.
    ``readonly`` never writes: the file must exist and already be at the current schema.
    Raises LedgerError (DatabaseLocked, SchemaTooNew, NotOurDatabase) with a one-line message.
    """
    steps = list(MIGRATIONS if migrations is None else migrations)
    target = len(steps)
    path = Path(path)
    if readonly and not path.exists():
        raise LedgerError(f"no {what} at {path} yet: nothing has been recorded")
    _check_header(path, what)
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
    db = Database(conn, execute_plugins=False)
    try:
        with translate_errors(path, f"opening the {what}", timeout):
            # Connection-level settings only: none of these writes to the file.
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            found = user_version(db)
            found_app = application_id(db)
            _refuse_foreign(db, path, what, found, found_app, app_id, target)
            if readonly:
                if found < target:
                    raise LedgerError(
                        f"{path} uses an older schema ({found} < {target}); open it once without "
                        "read-only mode to migrate it"
                    )
                return db
            if db.journal_mode != "wal":
                db.enable_wal()
            if found < target:
                _migrate(db, path, steps, app_id, timeout, what)
        return db
    except BaseException:
        conn.close()
        raise


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


MIGRATIONS: list[Migration] = [_v1_review_records, _v2_stats_support, _v3_decision_coverage, _v4_stats_indexes]
SCHEMA_VERSION = len(MIGRATIONS)
