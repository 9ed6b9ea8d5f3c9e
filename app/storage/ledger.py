"""The review ledger: review sessions, active time per chunk, decisions, comments, and the changes seen.

One SQLite file (app.paths.ledger_path()) shared by every review-tui process of the user: the TUI
records into it, `review-tui stats` reads it, `review-tui sync` imports and exports git notes.

Conventions:
- Timestamps are epoch seconds (float, UTC), taken from the injectable ``clock``. Stats group by
  ISO week with ``iso_week_sql(column)``, computed inside SQLite.
- An approval covers a chunk's content hash, not a head: a chunk whose content is unchanged at a
  new head keeps its approval (``chunk_status``), a changed chunk is "new" again.
- A decision is a rubber stamp when it approves faster than its floor time (``fast``: active
  seconds strictly below the floor) or approves a change with chunks never opened.
- Every record that can travel through git notes has a ``record_id`` (a uuid for local records);
  importing the same record twice changes nothing.

Threads: a Ledger may be shared by threads. Each thread gets its own SQLite connection on first use
(so a worker's long read never blocks the UI thread's writes: WAL lets readers run beside one
writer). Every public method is one short transaction; writes take the write lock up front
(BEGIN IMMEDIATE) and wait up to ``timeout`` seconds for other threads and processes.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from app import __version__
from app.errors import LedgerError
from app.storage.db import DEFAULT_TIMEOUT, open_db, translate_errors, write_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

Clock = Callable[[], float]
DecisionKind = Literal["approve", "flag", "later"]
DECISIONS: tuple[str, ...] = ("approve", "flag", "later")
ChunkState = Literal["new", "opened", "approved", "flagged", "later"]
ChangeState = Literal["new", "in progress", "approved", "stale", "rubber-stamped", "flagged", "not counted",
                      "own change"]

_STATE_OF_DECISION: dict[str, ChunkState] = {"approve": "approved", "flag": "flagged", "later": "later"}


def iso_week_sql(column: str) -> str:
    """SQL expression giving the ISO week ('2026-W07') of an epoch-seconds column, in UTC.

    The ISO week of a day is the week of its Thursday: step back 3 days, then forward to Thursday.
    """
    thursday = f"{column}, 'unixepoch', '-3 days', 'weekday 4'"
    return (
        f"(strftime('%Y', {thursday}) || '-W' || "
        f"printf('%02d', (CAST(strftime('%j', {thursday}) AS INTEGER) - 1) / 7 + 1))"
    )


# -- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    reviewer: str
    repo: str
    started_at: float
    ended_at: float | None
    app_version: str | None
    host: str | None


@dataclass(frozen=True, slots=True)
class ChunkView:
    """Active time one reviewer spent on one chunk (by content hash) in one session."""

    id: int
    session_id: int
    reviewer: str
    repo: str
    change_id: str
    head: str
    chunk_hash: str
    chunk_index: int | None
    active_seconds: float
    opened_at: float
    last_active_at: float


@dataclass(frozen=True, slots=True)
class NewDecision:
    """A review decision to record with Ledger.record_decision: on one chunk, or on the whole change
    when ``chunk_hash`` is None."""

    session_id: int | None
    reviewer: str
    repo: str
    change_id: str
    head: str
    chunk_hash: str | None
    decision: str  # approve | flag | later
    chunk_index: int | None = None
    note: str = ""
    floor_seconds: float | None = None
    active_seconds: float | None = None
    """Active time at the decision; None: the reviewer's active time on the chunk's content (all
    sessions and heads) or, change-level, on the chunks of ``chunk_hashes``."""
    unopened_chunks: int | None = None
    """Change-level: chunks never opened; None: how many of ``chunk_hashes`` the reviewer never opened."""
    chunk_hashes: Sequence[str] = ()
    """Change-level: the chunks the decision covers (the content the reviewer saw)."""
    changed_lines: int = 0
    tier: int | None = None
    ai_share: float | None = None
    complexity_added: float | None = None
    reviewer_name: str | None = None
    opened: bool | None = None
    """Chunk-level: whether the reviewer had the chunk on screen; None: from the ledger's views. A
    carried-over approval keeps the original's (it was read where it was given)."""
    carried_from: tuple[str, str] | None = None
    """(record id, change id) of the approval on another change this one carries over."""
    fast: bool | None = None
    """Whether the approval was a rubber stamp by time; None: active time below the floor. A carried
    approval keeps the original's (it adds no reading time of its own)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """An approve / flag / come-back-later for one chunk, or for a whole change when chunk_hash is None."""

    id: int | None  # None until stored (e.g. a record parsed from a git note)
    session_id: int | None  # None for records imported from git notes
    reviewer: str
    repo: str
    change_id: str
    head: str
    chunk_hash: str | None
    chunk_index: int | None
    decision: str  # 'approve' | 'flag' | 'later'
    note: str
    active_seconds_at_decision: float  # the reviewer's active time on the chunk (or change) when deciding
    floor_seconds: float | None
    fast: bool  # an approval given with active time strictly below the floor
    unopened_chunks: int  # change-level: chunks never opened by the reviewer when approving
    opened: bool  # chunk-level: the reviewer had the chunk on screen before deciding
    changed_lines: int
    tier: int | None
    ai_share: float | None
    complexity_added: float | None
    created_at: float
    source: str  # 'local' | 'notes'
    record_id: str

    @property
    def is_change_level(self) -> bool:
        return self.chunk_hash is None

    @property
    def rubber_stamp(self) -> bool:
        """An approval faster than its floor, or of a change with chunks the reviewer never opened."""
        return self.decision == "approve" and (self.fast or self.unopened_chunks > 0)


@dataclass(frozen=True, slots=True)
class Comment:
    id: int | None
    session_id: int | None
    reviewer: str
    repo: str
    change_id: str
    head: str
    chunk_hash: str | None
    path: str
    line: int | None
    side: str  # 'old' | 'new'
    body: str
    created_at: float
    source: str  # 'local' | 'notes'
    record_id: str
    reply_to: str | None = None  # the record id of the thread's root comment; None for a root

    @property
    def thread_id(self) -> str:
        """The record id of the root of this comment's thread."""
        return self.reply_to or self.record_id

    @property
    def where(self) -> str:
        """path:line (with "(old)" for the old side), or the path alone for a whole-file comment."""
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}" + (" (old)" if self.side == "old" else "")


@dataclass(frozen=True, slots=True)
class ThreadState:
    """One act of resolving or reopening a comment thread (append-only; the newest act wins)."""

    id: int | None
    session_id: int | None
    reviewer: str
    repo: str
    change_id: str
    head: str
    thread_id: str  # record id of the thread's root comment
    state: str  # 'resolved' | 'open'
    created_at: float
    source: str  # 'local' | 'notes'
    record_id: str


THREAD_STATES: tuple[str, ...] = ("resolved", "open")


@dataclass(frozen=True, slots=True)
class CommentThread:
    """A root comment, its replies (oldest first) and whether the conversation is resolved."""

    root: Comment
    replies: tuple[Comment, ...]
    resolved_by: ThreadState | None
    """The act that resolved it; None while it is open (never resolved, or reopened since)."""
    outdated: bool = False
    """Its chunk changed since it was written (see `with_outdated`): its line number may now name another line."""

    @property
    def thread_id(self) -> str:
        return self.root.record_id

    @property
    def resolved(self) -> bool:
        return self.resolved_by is not None

    @property
    def comments(self) -> tuple[Comment, ...]:
        return (self.root, *self.replies)

    @property
    def last_at(self) -> float:
        return max(c.created_at for c in self.comments)


def build_threads(comments: Iterable[Comment], states: Iterable[ThreadState]) -> list[CommentThread]:
    """Group comments into threads (oldest root first) and apply the newest resolve/reopen act of each.

    A reply whose root is unknown (its root not imported yet) is shown as a root of its own rather
    than hidden; a state act for an unknown thread is ignored.
    """
    ordered = sorted(comments, key=lambda c: (c.created_at, c.record_id))
    roots: dict[str, Comment] = {}
    replies: dict[str, list[Comment]] = {}
    known = {c.record_id for c in ordered}
    for comment in ordered:
        if comment.reply_to and comment.reply_to in known and comment.reply_to != comment.record_id:
            replies.setdefault(comment.reply_to, []).append(comment)
        else:
            roots[comment.record_id] = comment
    newest: dict[str, ThreadState] = {}
    for act in sorted(states, key=lambda a: (a.created_at, a.record_id)):
        newest[act.thread_id] = act
    threads = []
    for record_id, root in roots.items():
        latest = newest.get(record_id)
        threads.append(CommentThread(root, tuple(replies.get(record_id, ())),
                                     latest if latest is not None and latest.state == "resolved" else None))
    return threads


def with_outdated(threads: Iterable[CommentThread], chunk_hashes: Iterable[str], head: str) -> list[CommentThread]:
    """`threads` with `outdated` set on each written on another head about a chunk the change no longer
    has: a push changed that chunk, so its path:line may now point at a different line."""
    current = set(chunk_hashes)
    return [replace(t, outdated=t.root.head != head and t.root.chunk_hash is not None
                                and t.root.chunk_hash not in current) for t in threads]


@dataclass(frozen=True, slots=True)
class ChangeSeen:
    """What was known about a change at one head when it was analysed: the denominators for stats."""

    repo: str
    change_id: str
    head: str
    base: str | None
    title: str | None
    tier: int | None
    changed_lines: int | None
    ai_share: float | None
    complexity_added: float | None
    floor_seconds: float | None
    chunk_count: int | None
    score: float | None
    first_seen_at: float
    last_seen_at: float


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    """A change's review status for the queue; ``label`` is what the status column shows."""

    state: ChangeState
    approved: int  # current chunks whose latest decision is an approval (or all, after a change approval)
    total: int  # current chunks
    stale_chunks: int  # chunks approved at another head whose content is no longer in the change
    rubber_stamps: int  # approvals covering the current content that were rubber stamps
    reason: str = ""  # "not counted": why the reviewer's approval does not count (e.g. "unsigned")

    @property
    def label(self) -> str:
        if self.state == "in progress":
            return f"in progress {self.approved} of {self.total}"
        if self.state == "not counted" and self.reason:
            return f"not counted: {self.reason}"
        return self.state

    def __str__(self) -> str:
        return self.label


def _bool_fields(cls: type) -> set[str]:
    return {f.name for f in fields(cls) if f.type in ("bool", bool)}


_DECISION_BOOLS = _bool_fields(Decision)
_DECISION_COLUMNS = [f.name for f in fields(Decision)]
_COMMENT_COLUMNS = [f.name for f in fields(Comment)]
_STATE_COLUMNS = [f.name for f in fields(ThreadState)]


# Columns an import writes: the row id and session belong to the database the record came from.
_IMPORTED_DECISION = [c for c in _DECISION_COLUMNS if c not in ("id", "session_id")]
_IMPORTED_COMMENT = [c for c in _COMMENT_COLUMNS if c not in ("id", "session_id")]
_IMPORTED_STATE = [c for c in _STATE_COLUMNS if c not in ("id", "session_id")]


def _record_values(record: Decision | Comment | ThreadState) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _decision(row: dict[str, Any]) -> Decision:
    values: dict[str, Any] = {
        k: (bool(row[k]) if k in _DECISION_BOOLS else row[k]) for k in _DECISION_COLUMNS
    }
    return Decision(**values)


def _comment(row: dict[str, Any]) -> Comment:
    return Comment(**{k: row[k] for k in _COMMENT_COLUMNS})


def _thread_state(row: dict[str, Any]) -> ThreadState:
    return ThreadState(**{k: row[k] for k in _STATE_COLUMNS})


def _new_record_id() -> str:
    return uuid.uuid4().hex


class Ledger:
    """The review ledger. Open with ``Ledger.open()``; close with ``close()`` or a ``with`` block."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        readonly: bool = False,
    ) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.readonly = readonly
        self._clock: Clock = clock or time.time
        self._local = threading.local()
        self._all: weakref.WeakSet[Database] = weakref.WeakSet()
        self._all_lock = threading.Lock()
        self._closed = False
        # Open (and create or migrate) the file now, so that errors surface at open time, not at the
        # first click; with plain sqlite3: each thread's sqlite_utils connection opens at its first
        # use, and the TUI's first paint does not wait for sqlite_utils' imports (40 ms).
        open_db(self.path, readonly=readonly, timeout=timeout, lite=True).close()

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        clock: Clock | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        readonly: bool = False,
    ) -> Ledger:
        """Open the ledger at ``path`` (default: app.paths.ledger_path()), creating or migrating it."""
        if path is None:
            from app.paths import ledger_path

            path = ledger_path()
        return cls(path, clock=clock, timeout=timeout, readonly=readonly)

    # -- connections --------------------------------------------------------------------------

    def _db(self) -> Database:
        if self._closed:
            raise LedgerError(f"the review ledger {self.path} was closed")
        db = getattr(self._local, "db", None)
        if db is None:
            db = open_db(self.path, readonly=self.readonly, timeout=self.timeout)
            self._local.db = db
            with self._all_lock:
                self._all.add(db)
        return db

    @contextmanager
    def waiting_at_most(self, seconds: float) -> Iterator[None]:
        """Within the block, this thread's writes wait at most `seconds` for another process's lock
        (0: not at all), then raise DatabaseLocked. The TUI's UI thread uses it: a lock held elsewhere
        must not freeze the screen for the whole busy timeout."""
        db = self._db()
        previous = getattr(self._local, "wait", None)
        self._local.wait = float(seconds)
        db.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        try:
            yield
        finally:
            self._local.wait = previous
            db.conn.execute(f"PRAGMA busy_timeout = {int(self._wait() * 1000)}")

    def _wait(self) -> float:
        wait = getattr(self._local, "wait", None)
        return self.timeout if wait is None else float(wait)

    @property
    def db(self) -> Database:
        """This thread's sqlite_utils.Database, for read queries (stats). Write through the methods."""
        return self._db()

    def close(self) -> None:
        """Close every thread's connection; the ledger cannot be used afterwards."""
        self._closed = True
        with self._all_lock:
            for db in list(self._all):
                db.close()
            self._all = weakref.WeakSet()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self, doing: str) -> Iterator[Database]:
        self._refuse_readonly(doing)
        db = self._db()
        with write_transaction(db, self.path, doing, self._wait()):
            yield db

    def _refuse_readonly(self, doing: str) -> None:
        if self.readonly:
            raise LedgerError(f"the review ledger {self.path} was opened read-only; cannot {doing}")

    @contextmanager
    def _read(self, doing: str) -> Iterator[Database]:
        db = self._db()
        with translate_errors(self.path, doing, self._wait()):
            yield db

    def _query(
        self, doing: str, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[dict[str, Any]]:
        with self._read(doing) as db:
            return list(db.query(sql, params))

    def now(self) -> float:
        return float(self._clock())

    @staticmethod
    def _upsert_reviewer(db: Database, email: str, name: str | None) -> None:
        # A known name is never replaced by None (imports and sessions may not know it).
        db.execute(
            "INSERT INTO reviewers (email, name) VALUES (?, ?) "
            "ON CONFLICT(email) DO UPDATE SET name = coalesce(excluded.name, reviewers.name)",
            (email, name),
        )

    # -- sessions and active time ------------------------------------------------------------

    def start_session(
        self,
        reviewer: str,
        repo: str,
        *,
        reviewer_name: str | None = None,
        app_version: str | None = None,
        host: str | None = None,
        started_at: float | None = None,
    ) -> int:
        """Start a review session (one TUI run in one repo) and return its id; `started_at`: when it
        began, if that was before this call (default: now)."""
        with self._write("starting a review session") as db:
            self._upsert_reviewer(db, reviewer, reviewer_name)
            cursor = db.execute(
                "INSERT INTO sessions (reviewer, repo, started_at, app_version, host) VALUES (?, ?, ?, ?, ?)",
                (reviewer, repo, self.now() if started_at is None else started_at, app_version or __version__,
                 host or socket.gethostname()),
            )
            return int(cursor.lastrowid or 0)

    def check_writable(self, doing: str) -> None:
        """Raise the LedgerError a write would raise now (read-only, locked past the timeout), writing
        nothing: for a caller that must fail before it shows anything but writes later."""
        self._refuse_readonly(doing)
        db = open_db(self.path, timeout=self.timeout, lite=True)  # not this thread's: sqlite_utils can wait
        try:
            with write_transaction(db, self.path, doing, self.timeout):
                pass
        finally:
            db.close()

    def end_session(self, session_id: int) -> None:
        with self._write("ending a review session") as db:
            db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (self.now(), session_id))

    def session(self, session_id: int) -> Session | None:
        rows = self._query("reading a session", "SELECT * FROM sessions WHERE id = ?", (session_id,))
        return Session(**rows[0]) if rows else None

    def open_chunk(
        self,
        session_id: int,
        repo: str,
        change_id: str,
        head: str,
        chunk_hash: str,
        chunk_index: int | None = None,
    ) -> int:
        """Note that a chunk is on screen; returns the view id to add active time to.

        Re-opening the same chunk in the same session returns the same view, so its time accumulates.
        """
        now = self.now()
        with self._write("recording an opened chunk") as db:
            row = db.execute("SELECT reviewer FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise LedgerError(f"{self.path}: review session {session_id} does not exist")
            cursor = db.execute(
                "INSERT INTO chunk_views (session_id, reviewer, repo, change_id, head, chunk_hash,"
                " chunk_index, active_seconds, opened_at, last_active_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
                " ON CONFLICT (session_id, repo, change_id, head, chunk_hash)"
                " DO UPDATE SET chunk_index = coalesce(excluded.chunk_index, chunk_views.chunk_index)"
                " RETURNING id",
                (session_id, row[0], repo, change_id, head, chunk_hash, chunk_index, now, now),
            )
            return int(cursor.fetchone()[0])

    def add_active_time(self, view_id: int, seconds: float) -> None:
        """Add active seconds to a chunk view (called every few seconds while the chunk is read)."""
        if seconds < 0:
            raise ValueError(f"active time cannot be negative: {seconds}")
        with self._write("recording active review time") as db:
            cursor = db.execute(
                "UPDATE chunk_views SET active_seconds = active_seconds + ?, last_active_at = ? WHERE id = ?",
                (float(seconds), self.now(), view_id),
            )
            if cursor.rowcount == 0:
                raise LedgerError(f"{self.path}: chunk view {view_id} does not exist")

    def chunk_view(self, view_id: int) -> ChunkView | None:
        rows = self._query("reading a chunk view", "SELECT * FROM chunk_views WHERE id = ?", (view_id,))
        return ChunkView(**rows[0]) if rows else None

    def active_seconds(
        self, repo: str, change_id: str, chunk_hash: str, reviewer: str | None = None
    ) -> float:
        """Active seconds spent on a chunk's content (any head, all sessions), by one reviewer or all."""
        sql = (
            "SELECT coalesce(sum(active_seconds), 0) AS s FROM chunk_views"
            " WHERE repo = ? AND change_id = ? AND chunk_hash = ?"
        )
        params: list[Any] = [repo, change_id, chunk_hash]
        if reviewer is not None:
            sql += " AND reviewer = ?"
            params.append(reviewer)
        return float(self._query("reading active time", sql, params)[0]["s"])

    def active_seconds_by_chunk(self, repo: str, change_id: str, reviewer: str | None = None) -> dict[str, float]:
        """Active seconds per chunk content of a change (any head, all sessions), in one query: a
        plan of 500 chunks asked chunk by chunk took 0.44 s."""
        sql = ("SELECT chunk_hash, coalesce(sum(active_seconds), 0) AS s FROM chunk_views"
               " WHERE repo = ? AND change_id = ?")
        params: list[Any] = [repo, change_id]
        if reviewer is not None:
            sql += " AND reviewer = ?"
            params.append(reviewer)
        rows = self._query("reading active time", sql + " GROUP BY chunk_hash", params)
        return {str(row["chunk_hash"]): float(row["s"]) for row in rows}

    def chunk_views_for(self, repo: str, change_id: str, reviewer: str | None = None) -> list[ChunkView]:
        sql = "SELECT * FROM chunk_views WHERE repo = ? AND change_id = ?"
        params: list[Any] = [repo, change_id]
        if reviewer is not None:
            sql += " AND reviewer = ?"
            params.append(reviewer)
        rows = self._query("reading chunk views", sql + " ORDER BY id", params)
        return [ChunkView(**row) for row in rows]

    # -- decisions ---------------------------------------------------------------------------

    def record_decision(self, new: NewDecision) -> Decision:
        """Record an approve / flag / later for a chunk, or for the change when chunk_hash is None.

        Active time and unopened chunks come from the ledger's views when the record leaves them
        out (see NewDecision). An approval is ``fast`` when its active time is below its floor time.
        """
        if new.decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {new.decision!r}")
        with self._write("recording a review decision") as db:
            self._upsert_reviewer(db, new.reviewer, new.reviewer_name)
            hashes = [new.chunk_hash] if new.chunk_hash is not None else list(dict.fromkeys(new.chunk_hashes))
            seen = self._views_exist(db, new.repo, new.change_id, hashes, new.reviewer)
            if new.chunk_hash is not None:
                opened, unopened = (seen == 1 if new.opened is None else new.opened), 0
            else:
                unopened = new.unopened_chunks if new.unopened_chunks is not None else len(hashes) - seen
                opened = unopened == 0
            active = (new.active_seconds if new.active_seconds is not None
                      else self._active_on(db, new.repo, new.change_id, hashes, new.reviewer))
            fast = new.decision == "approve" and (
                new.fast if new.fast is not None else new.floor_seconds is not None and active < new.floor_seconds)
            record: dict[str, Any] = {
                "session_id": new.session_id, "reviewer": new.reviewer, "repo": new.repo,
                "change_id": new.change_id, "head": new.head, "chunk_hash": new.chunk_hash,
                "chunk_index": new.chunk_index, "decision": new.decision, "note": new.note,
                "active_seconds_at_decision": float(active), "floor_seconds": new.floor_seconds,
                "fast": int(fast), "unopened_chunks": int(unopened), "opened": int(opened),
                "changed_lines": int(new.changed_lines), "tier": new.tier, "ai_share": new.ai_share,
                "complexity_added": new.complexity_added, "created_at": self.now(), "source": "local",
                "record_id": _new_record_id(),
            }
            table = db.table("decisions")
            table.insert(record)
            if new.chunk_hash is None and new.chunk_hashes:
                # A change-level approval covers exactly the content it saw: kept so it can carry
                # over to a new head whose chunks are unchanged, and go stale when they change.
                db.execute("INSERT OR IGNORE INTO decision_coverage (record_id, chunk_hashes) VALUES (?, ?)",
                           [record["record_id"], " ".join(dict.fromkeys(new.chunk_hashes))])
            if new.carried_from is not None:
                db.execute("INSERT INTO decision_carries (record_id, from_record, from_change) VALUES (?, ?, ?)",
                           [record["record_id"], *new.carried_from])
            return _decision(next(table.rows_where("record_id = ?", [record["record_id"]])))

    @staticmethod
    def _views_aggregate(db: Database, expression: str, repo: str, change_id: str, hashes: list[str],
                         reviewer: str) -> float:
        """`expression` (an SQL aggregate) over the reviewer's views of these chunks of a change."""
        if not hashes:
            return 0.0
        marks = ",".join("?" * len(hashes))
        return float(
            db.execute(
                f"SELECT {expression} FROM chunk_views WHERE repo = ? AND change_id = ?"
                f" AND reviewer = ? AND chunk_hash IN ({marks})",
                [repo, change_id, reviewer, *hashes],
            ).fetchone()[0]
        )

    @classmethod
    def _views_exist(cls, db: Database, repo: str, change_id: str, hashes: list[str], reviewer: str) -> int:
        return int(cls._views_aggregate(db, "count(DISTINCT chunk_hash)", repo, change_id, hashes, reviewer))

    @classmethod
    def _active_on(cls, db: Database, repo: str, change_id: str, hashes: list[str], reviewer: str) -> float:
        return cls._views_aggregate(db, "coalesce(sum(active_seconds), 0)", repo, change_id, hashes, reviewer)

    def decisions_for(self, repo: str, change_id: str, *, reviewer: str | None = None) -> list[Decision]:
        """Every decision on a change (all heads), oldest first."""
        sql = "SELECT * FROM decisions WHERE repo = ? AND change_id = ?"
        params: list[Any] = [repo, change_id]
        if reviewer is not None:
            sql += " AND reviewer = ?"
            params.append(reviewer)
        rows = self._query("reading decisions", sql + " ORDER BY created_at, id", params)
        return [_decision(row) for row in rows]

    def decisions_bearing_on(self, repo: str, *, chunk_hashes: Iterable[str], change_ids: Iterable[str],
                             heads: Iterable[str]) -> list[Decision]:
        """Decisions that may bear on one change, oldest first: on one of its chunk hashes, given under
        one of its ids or at one of its commits, and every change-level decision of the repository
        (whose covered hashes decide). A superset: storage/records.py applies the binding."""
        import json

        sql = (
            "SELECT * FROM decisions WHERE repo = ?1 AND (chunk_hash IS NULL"
            " OR chunk_hash IN (SELECT value FROM json_each(?2))"
            " OR change_id IN (SELECT value FROM json_each(?3))"
            " OR head IN (SELECT value FROM json_each(?4)))"
            " ORDER BY created_at, id"
        )
        params = [repo, json.dumps(sorted(set(chunk_hashes))), json.dumps(sorted(set(change_ids))),
                  json.dumps(sorted(set(heads)))]
        return [_decision(row) for row in self._query("reading decisions", sql, params)]

    def carries(self) -> dict[str, tuple[str, str]]:
        """{record id: (record id, change id) it carried over} of every carried-over approval."""
        rows = self._query("reading carried-over approvals",
                           "SELECT record_id, from_record, from_change FROM decision_carries")
        return {str(r["record_id"]): (str(r["from_record"]), str(r["from_change"])) for r in rows}

    def store_carries(self, carries: dict[str, tuple[str, str]]) -> int:
        """Remember carried-over approvals imported from notes; a record already known keeps its first."""
        rows = [(rid, origin[0], origin[1]) for rid, origin in carries.items()]
        if not rows:
            return 0
        with self._write("recording carried-over approvals") as db:
            before = db.conn.total_changes
            db.conn.executemany(
                "INSERT OR IGNORE INTO decision_carries (record_id, from_record, from_change) "
                "SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM decisions WHERE record_id = ?1)", rows)
            return int(db.conn.total_changes - before)

    def latest_decisions(self, repo: str, change_id: str, reviewer: str | None = None) -> dict[str, Decision]:
        """The newest chunk-level decision per chunk content hash (any head), by one reviewer or anyone."""
        latest: dict[str, Decision] = {}
        for decision in self.decisions_for(repo, change_id, reviewer=reviewer):
            if decision.chunk_hash is not None:
                latest[decision.chunk_hash] = decision  # oldest first, so the last one wins
        return latest

    def iter_decisions(
        self,
        *,
        repo: str | None = None,
        reviewer: str | None = None,
        source: str | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> Iterator[Decision]:
        """Decisions matching the filters, oldest first (for the notes exporter and stats)."""
        sql, params = self._filters(
            "decisions", repo=repo, reviewer=reviewer, source=source, since=since, until=until
        )
        for row in self._query("reading decisions", sql + " ORDER BY created_at, id", params):
            yield _decision(row)

    @staticmethod
    def _filters(table: str, **given: Any) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for name, value in given.items():
            if value is None:
                continue
            if name == "since":
                clauses.append("created_at >= ?")
            elif name == "until":
                clauses.append("created_at < ?")
            else:
                clauses.append(f"{name} = ?")
            params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return f"SELECT * FROM {table}{where}", params

    def import_decisions(self, decisions: Iterable[Decision], *, source: str = "notes") -> int:
        """Store decisions made elsewhere (git notes); a record_id already present is skipped.

        Returns how many were new. ``id`` and ``session_id`` of the given records are not kept
        (they belong to another database). One transaction: all are stored, or none.
        """
        rows: list[list[Any]] = []
        for decision in decisions:
            if decision.decision not in DECISIONS:
                raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision.decision!r}")
            values = {**_record_values(decision), "source": source}
            rows.append([int(values[c]) if c in _DECISION_BOOLS else values[c] for c in _IMPORTED_DECISION])
        reviewers = {row[_IMPORTED_DECISION.index("reviewer")] for row in rows}
        return self._import("decisions", _IMPORTED_DECISION, rows, reviewers, "importing review decisions")

    def _import(
        self, table: str, columns: list[str], rows: list[list[Any]], reviewers: set[str], doing: str
    ) -> int:
        sql = f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        with self._write(doing) as db:
            for email in sorted(reviewers):
                self._upsert_reviewer(db, email, None)
            # rowcount counts the rows this statement inserted; total_changes would also count the
            # rows the stats triggers (schema 5) write for each of them.
            cursor = db.conn.executemany(sql, rows)
            return max(cursor.rowcount, 0)

    # -- comments ----------------------------------------------------------------------------

    def add_comment(
        self,
        *,
        session_id: int | None,
        reviewer: str,
        repo: str,
        change_id: str,
        head: str,
        chunk_hash: str | None,
        path: str,
        line: int | None,
        side: str,
        body: str,
        reviewer_name: str | None = None,
        reply_to: str | None = None,
    ) -> Comment:
        """Record a comment on a line (side 'new' for the new file's line numbers, 'old' for the old).

        `reply_to` makes it a reply in the thread of that comment (a reply to a reply joins the
        same thread); the comment must exist on the same change."""
        if side not in ("old", "new"):
            raise ValueError(f"side must be 'old' or 'new', not {side!r}")
        root = self._thread_root(repo, change_id, reply_to) if reply_to is not None else None
        record: dict[str, Any] = {
            "session_id": session_id,
            "reviewer": reviewer,
            "repo": repo,
            "change_id": change_id,
            "head": head,
            "chunk_hash": chunk_hash,
            "path": path,
            "line": line,
            "side": side,
            "body": body,
            "created_at": self.now(),
            "source": "local",
            "record_id": _new_record_id(),
            "reply_to": root,
        }
        with self._write("recording a comment") as db:
            self._upsert_reviewer(db, reviewer, reviewer_name)
            cursor = db.execute(
                f"INSERT INTO comments ({', '.join(record)}) VALUES ({', '.join('?' * len(record))})",
                list(record.values()),
            )
            return Comment(id=int(cursor.lastrowid or 0), **record)

    def comments_for(
        self, repo: str, change_id: str, *, head: str | None = None, chunk_hash: str | None = None
    ) -> list[Comment]:
        """Comments on a change, oldest first; optionally only those at one head or on one chunk."""
        sql, params = self._filters(
            "comments", repo=repo, change_id=change_id, head=head, chunk_hash=chunk_hash
        )
        rows = self._query("reading comments", sql + " ORDER BY created_at, id", params)
        return [_comment(row) for row in rows]

    def _thread_root(self, repo: str, change_id: str, record_id: str) -> str:
        rows = self._query("reading a comment thread",
                           "SELECT record_id, reply_to FROM comments"
                           " WHERE repo = ? AND change_id = ? AND record_id = ?",
                           (repo, change_id, record_id))
        if not rows:
            raise LedgerError(f"no comment {record_id} on {change_id} to reply to")
        return str(rows[0]["reply_to"] or rows[0]["record_id"])

    # -- threads -----------------------------------------------------------------------------

    def set_thread_state(self, *, session_id: int | None, reviewer: str, repo: str, change_id: str, head: str,
                         thread_id: str, resolved: bool) -> ThreadState:
        """Resolve (or reopen, `resolved=False`) the thread of comment `thread_id` on `change_id`."""
        root = self._thread_root(repo, change_id, thread_id)
        record: dict[str, Any] = {
            "session_id": session_id, "reviewer": reviewer, "repo": repo, "change_id": change_id, "head": head,
            "thread_id": root, "state": "resolved" if resolved else "open", "created_at": self.now(),
            "source": "local", "record_id": _new_record_id(),
        }
        with self._write("resolving a comment thread" if resolved else "reopening a comment thread") as db:
            self._upsert_reviewer(db, reviewer, None)
            cursor = db.execute(
                f"INSERT INTO thread_states ({', '.join(record)}) VALUES ({', '.join('?' * len(record))})",
                list(record.values()),
            )
            return ThreadState(id=int(cursor.lastrowid or 0), **record)

    def thread_states_for(self, repo: str, change_id: str) -> list[ThreadState]:
        sql, params = self._filters("thread_states", repo=repo, change_id=change_id)
        rows = self._query("reading comment threads", sql + " ORDER BY created_at, record_id", params)
        return [_thread_state(row) for row in rows]

    def iter_thread_states(self, *, repo: str | None = None, source: str | None = None) -> Iterator[ThreadState]:
        sql, params = self._filters("thread_states", repo=repo, source=source)
        for row in self._query("reading comment threads", sql + " ORDER BY created_at, id", params):
            yield _thread_state(row)

    def import_thread_states(self, states: Iterable[ThreadState], *, source: str = "notes") -> int:
        """Store resolve/reopen acts made elsewhere; a record_id already present is skipped."""
        rows = []
        for state in states:
            if state.state not in THREAD_STATES:
                raise ValueError(f"thread state must be resolved or open, not {state.state!r}")
            rows.append([{**_record_values(state), "source": source}[k] for k in _IMPORTED_STATE])
        reviewers = {row[_IMPORTED_STATE.index("reviewer")] for row in rows}
        return self._import("thread_states", _IMPORTED_STATE, rows, reviewers, "importing comment threads")

    def threads_for(self, repo: str, change_id: str) -> list[CommentThread]:
        """The comment threads on a change (every head), oldest first, with their state."""
        return build_threads(self.comments_for(repo, change_id), self.thread_states_for(repo, change_id))

    def thread_counts(self, repo: str) -> dict[str, tuple[int, int]]:
        """{change id: (threads, open threads)} of every change with comments in `repo`."""
        comments: dict[str, list[Comment]] = {}
        for comment in self.iter_comments(repo=repo):
            comments.setdefault(comment.change_id, []).append(comment)
        states: dict[str, list[ThreadState]] = {}
        for state in self.iter_thread_states(repo=repo):
            states.setdefault(state.change_id, []).append(state)
        counts = {}
        for change_id, found in comments.items():
            threads = build_threads(found, states.get(change_id, ()))
            counts[change_id] = (len(threads), sum(1 for t in threads if not t.resolved))
        return counts

    def iter_comments(self, *, repo: str | None = None, source: str | None = None) -> Iterator[Comment]:
        sql, params = self._filters("comments", repo=repo, source=source)
        for row in self._query("reading comments", sql + " ORDER BY created_at, id", params):
            yield _comment(row)

    def import_comments(self, comments: Iterable[Comment], *, source: str = "notes") -> int:
        """Store comments made elsewhere; a record_id already present is skipped. Returns the number new."""
        rows = [[{**_record_values(c), "source": source}[k] for k in _IMPORTED_COMMENT] for c in comments]
        reviewers = {row[_IMPORTED_COMMENT.index("reviewer")] for row in rows}
        return self._import("comments", _IMPORTED_COMMENT, rows, reviewers, "importing comments")

    # -- changes seen ------------------------------------------------------------------------

    def note_change(
        self,
        *,
        repo: str,
        change_id: str,
        head: str,
        base: str | None = None,
        title: str | None = None,
        tier: int | None = None,
        changed_lines: int | None = None,
        ai_share: float | None = None,
        complexity_added: float | None = None,
        floor_seconds: float | None = None,
        chunk_count: int | None = None,
        score: float | None = None,
    ) -> None:
        """Remember a change's figures at a head (insert, or refresh and bump last_seen_at). Not the working
        tree's: its "head" names whatever it holds now, and the stats summaries take a change's tier and size
        at a head from here, so a Tier 2 approval of yesterday's edits was re-judged at today's Tier 0 (a
        senior gap, a stamp in the wrong tier). Its approvals keep the figures they were given with."""
        from app.core.git.models import WORKTREE_ID

        if head == WORKTREE_ID:
            return
        now = self.now()
        values = {
            "repo": repo,
            "change_id": change_id,
            "head": head,
            "base": base,
            "title": title,
            "tier": tier,
            "changed_lines": changed_lines,
            "ai_share": ai_share,
            "complexity_added": complexity_added,
            "floor_seconds": floor_seconds,
            "chunk_count": chunk_count,
            "score": score,
            "first_seen_at": now,
            "last_seen_at": now,
        }
        refreshed = [k for k in values if k not in ("repo", "change_id", "head", "first_seen_at")]
        with self._write("remembering a change") as db:
            db.execute(
                f"INSERT INTO changes_seen ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"
                " ON CONFLICT (repo, change_id, head) DO UPDATE SET "
                + ", ".join(f"{k} = excluded.{k}" for k in refreshed),
                list(values.values()),
            )

    def change_seen(self, repo: str, change_id: str, head: str) -> ChangeSeen | None:
        rows = self._query(
            "reading a change",
            "SELECT * FROM changes_seen WHERE repo = ? AND change_id = ? AND head = ?",
            (repo, change_id, head),
        )
        return ChangeSeen(**rows[0]) if rows else None

    # -- statuses ----------------------------------------------------------------------------

    def chunk_status(
        self, repo: str, change_id: str, chunk_hashes: Sequence[str], reviewer: str | None = None
    ) -> dict[str, ChunkState]:
        """Each chunk's state by content hash: its newest decision, else 'opened' if viewed, else 'new'."""
        latest = self.latest_decisions(repo, change_id, reviewer)
        viewed = {view.chunk_hash for view in self.chunk_views_for(repo, change_id, reviewer)}
        states: dict[str, ChunkState] = {}
        for chunk_hash in chunk_hashes:
            if chunk_hash in latest:
                states[chunk_hash] = _STATE_OF_DECISION[latest[chunk_hash].decision]
            elif chunk_hash in viewed:
                states[chunk_hash] = "opened"
            else:
                states[chunk_hash] = "new"
        return states

    def change_status(
        self, repo: str, change_id: str, head: str, chunk_hashes: Sequence[str], reviewer: str | None = None
    ) -> ChangeStatus:
        """The queue's status of a change at ``head`` whose chunks have ``chunk_hashes``.

        In order: "flagged" (a current chunk's newest decision, or the newest change-level decision
        at this head, is a flag); "rubber-stamped" / "approved" (every current chunk is approved, or
        the change was approved at this head; rubber-stamped if any of those approvals was one);
        "stale" (approvals given at another head cover content no longer in the change);
        "in progress" (something was opened or decided); else "new".
        """
        current = list(dict.fromkeys(chunk_hashes))
        decisions = self.decisions_for(repo, change_id, reviewer=reviewer)
        chunk_latest, change_latest = _newest_decisions(decisions, head)
        current_latest = [chunk_latest[h] for h in current if h in chunk_latest]
        approved_chunks = [d for d in current_latest if d.decision == "approve"]
        total = len(current)

        # Stale: approvals of content that is no longer in the change, or of the whole change at another head.
        current_set = set(current)
        stale_hashes = {
            h for h, d in chunk_latest.items() if d.decision == "approve" and h not in current_set
        }
        old_change_approval = any(
            d.chunk_hash is None and d.head != head and d.decision == "approve" for d in decisions
        )

        def status(state: ChangeState, approved: int, stamps: int) -> ChangeStatus:
            return ChangeStatus(state, approved, total, len(stale_hashes), stamps)

        change_approval = change_latest if change_latest and change_latest.decision == "approve" else None
        if _is_flagged(change_latest, current_latest, change_approval):
            return status("flagged", len(approved_chunks), 0)

        if change_approval or (total > 0 and len(approved_chunks) == total):
            covering = approved_chunks + ([change_approval] if change_approval else [])
            stamps = sum(1 for d in covering if d.rubber_stamp)
            return status("rubber-stamped" if stamps else "approved", total, stamps)
        if stale_hashes or old_change_approval:
            return status("stale", len(approved_chunks), 0)
        touched = bool(current_latest) or any(
            h in current_set for h in {v.chunk_hash for v in self.chunk_views_for(repo, change_id, reviewer)}
        )
        if touched:
            return status("in progress", len(approved_chunks), 0)
        return status("new", 0, 0)

    # -- files marked viewed -----------------------------------------------------------------

    def mark_viewed(self, repo: str, change_id: str, reviewer: str, path: str, content_key: str) -> None:
        """Record that `reviewer` viewed `path` of a change as it is now (`content_key` names its
        content, e.g. "old blob..new blob": the mark lapses when that changes, as on GitHub)."""
        with self._write("marking a file viewed") as db:
            self._upsert_reviewer(db, reviewer, None)
            db.execute(
                "INSERT INTO viewed_files (repo, change_id, reviewer, path, content_key, viewed_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (repo, change_id, reviewer, path)"
                " DO UPDATE SET content_key = excluded.content_key, viewed_at = excluded.viewed_at",
                [repo, change_id, reviewer, path, content_key, self.now()],
            )

    def unmark_viewed(self, repo: str, change_id: str, reviewer: str, path: str) -> None:
        with self._write("unmarking a viewed file") as db:
            db.execute("DELETE FROM viewed_files WHERE repo = ? AND change_id = ? AND reviewer = ? AND path = ?",
                       [repo, change_id, reviewer, path])

    def seen_lines(self, repo: str, change_id: str, chunk_hash: str, reviewer: str) -> set[tuple[str, str, int]]:
        """The (path, side, line) of the chunk's changed lines `reviewer` has had on screen, any session."""
        rows = self._query(
            "reading the lines seen",
            "SELECT lines FROM seen_lines WHERE repo = ? AND change_id = ? AND chunk_hash = ? AND reviewer = ?",
            [repo, change_id, chunk_hash, reviewer],
        )
        return {line for row in rows for line in _line_ids(row["lines"])}

    def add_seen_lines(self, repo: str, change_id: str, chunk_hash: str, reviewer: str,
                       lines: Iterable[tuple[str, str, int]]) -> None:
        """Add lines of a chunk that came on screen to those seen before (kept across sessions)."""
        new = set(lines)
        if not new:
            return
        with self._write("recording the lines seen") as db:
            self._upsert_reviewer(db, reviewer, None)
            row = db.execute("SELECT lines FROM seen_lines WHERE repo = ? AND change_id = ? AND chunk_hash = ?"
                             " AND reviewer = ?", [repo, change_id, chunk_hash, reviewer]).fetchone()
            merged = sorted(new | (_line_ids(row[0]) if row is not None else set()))
            db.execute(
                "INSERT INTO seen_lines (repo, change_id, chunk_hash, reviewer, lines, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (repo, change_id, chunk_hash, reviewer)"
                " DO UPDATE SET lines = excluded.lines, updated_at = excluded.updated_at",
                [repo, change_id, chunk_hash, reviewer, json.dumps(merged), self.now()],
            )

    def viewed_files(self, repo: str, change_id: str, reviewer: str) -> dict[str, str]:
        """{path: content key it was viewed at} for one reviewer's marks on a change (compare the
        key with the file's current one: a different key means the file changed since)."""
        rows = self._query(
            "reading viewed files",
            "SELECT path, content_key FROM viewed_files WHERE repo = ? AND change_id = ? AND reviewer = ?",
            [repo, change_id, reviewer],
        )
        return {str(row["path"]): str(row["content_key"]) for row in rows}


def _line_ids(text: str) -> set[tuple[str, str, int]]:
    """seen_lines.lines back to (path, side, line) ids; a malformed value reads as nothing seen."""
    try:
        return {(str(path), str(side), int(line)) for path, side, line in json.loads(text)}
    except (ValueError, TypeError):
        return set()


def _newest_decisions(decisions: Sequence[Decision], head: str) -> tuple[dict[str, Decision], Decision | None]:
    """The newest decision per chunk hash (any head), and the newest change-level one at `head`."""
    chunk_latest: dict[str, Decision] = {}
    change_latest: Decision | None = None
    for decision in decisions:  # oldest first: later ones overwrite
        if decision.chunk_hash is not None:
            chunk_latest[decision.chunk_hash] = decision
        elif decision.head == head:
            change_latest = decision
    return chunk_latest, change_latest


def _is_flagged(change_latest: Decision | None, current_latest: list[Decision],
                change_approval: Decision | None) -> bool:
    """Flagged: the newest change-level decision is a flag, or a current chunk's newest decision is
    one that no later change-level approval overrides."""
    if change_latest is not None and change_latest.decision == "flag":
        return True
    flags = [d for d in current_latest if d.decision == "flag"]
    return bool(flags) and not (change_approval and all(f.created_at <= change_approval.created_at for f in flags))
