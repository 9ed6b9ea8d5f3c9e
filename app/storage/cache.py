"""The analysis cache: JSON results keyed by (kind, key) in their own SQLite file.

Used for per-blob metrics (key = analyzer version + blob id) and per-change results
(key = base id + head id + config hash). Keys must say everything the value depends on: nothing
is ever invalidated, entries are just not asked for any more.

It is only a cache, so it never stops the app:
- a corrupt or non-SQLite file is moved aside (``<name>.corrupt-<time>``) and a fresh one created;
- a cache written by a newer review-tui, or one that stays locked, is left alone and this process
  caches in memory instead;
- a read that fails is a miss, a write that fails is dropped.
Each such event is logged as a warning and kept in ``notice`` for the UI to show.

Threads: one connection guarded by a lock (cache calls are tiny); processes: WAL plus a busy
timeout, writes in BEGIN IMMEDIATE transactions.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import LedgerError
from app.storage.db import (
    CACHE_APPLICATION_ID,
    DatabaseLocked,
    LiteDatabase,
    NotOurDatabase,
    SchemaTooNew,
    is_corrupt_error,
    open_db,
    write_transaction,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

# Fewer bound parameters per statement than any SQLite build allows (old builds: 999).
_BATCH = 400


def _v1_entries(db: Database) -> None:
    """Cache schema 1: one table of JSON values by (kind, key)."""
    db.execute(
        "CREATE TABLE entries (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
        " stored_at REAL NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID"
    )


CACHE_MIGRATIONS = [_v1_entries]


class AnalysisCache:
    """JSON values by (kind, key). Open with ``AnalysisCache.open()``; safe to share between threads."""

    def __init__(self, path: Path, *, timeout: float = 2.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.notice: str | None = None  # what went wrong with the file, for the UI; None when all is well
        self.persistent = True  # False when this process fell back to a memory-only cache
        self._lock = threading.Lock()
        existed = self.path.exists()
        self._db = self._open()
        # Nothing cached yet (a first run, or a cache that could not be used): everything is analysed.
        self.fresh = not existed or not self.persistent

    @classmethod
    def open(cls, path: Path | None = None, *, timeout: float = 2.0) -> AnalysisCache:
        """Open the cache at ``path`` (default app.paths.analysis_cache_path())."""
        if path is None:
            from app.paths import analysis_cache_path

            path = analysis_cache_path()
        return cls(path, timeout=timeout)

    def _open_file(self) -> Database:
        return open_db(
            self.path,
            migrations=CACHE_MIGRATIONS,
            app_id=CACHE_APPLICATION_ID,
            timeout=self.timeout,
            what="analysis cache",
            lite=True,
        )

    def _open(self) -> Database:
        try:
            return self._open_file()
        except NotOurDatabase as exc:
            aside = self._move_aside()
            self._warn(
                f"the analysis cache {self.path} was unreadable ({exc}); moved it to {aside.name} "
                "and started a new one"
            )
            try:
                return self._open_file()
            except LedgerError as again:
                self._warn(f"the analysis cache {self.path} cannot be recreated ({again}); caching in memory")
        except (SchemaTooNew, DatabaseLocked, LedgerError) as exc:
            self._warn(f"the analysis cache {self.path} cannot be used ({exc}); caching in memory")
        self.persistent = False
        memory = LiteDatabase(sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None))
        # LiteDatabase is the part of sqlite_utils' Database the cache uses (see app/storage/db.py)
        for step in CACHE_MIGRATIONS:
            step(memory)  # type: ignore[arg-type]
        return memory  # type: ignore[return-value]

    def _move_aside(self) -> Path:
        """Rename the bad file (and its WAL companions) out of the way; it is kept for inspection."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        self.path.replace(aside)
        for suffix in ("-wal", "-shm"):
            companion = self.path.with_name(self.path.name + suffix)
            if companion.exists():
                companion.replace(aside.with_name(aside.name + suffix))
        return aside

    def _failed(self, doing: str, exc: Exception) -> None:
        """A read or write failed: warn, and if the file turned out corrupt, replace it with a new one."""
        corrupt = isinstance(exc, NotOurDatabase) or (
            isinstance(exc, sqlite3.DatabaseError) and is_corrupt_error(exc)
        )
        if not (corrupt and self.persistent):
            self._warn(f"{doing} the analysis cache {self.path} failed ({exc}); carrying on without it")
            return
        with self._lock:
            self._db.close()
            aside = self._move_aside()
            self._warn(
                f"the analysis cache {self.path} is corrupt ({exc}); moved it to {aside.name} "
                "and started a new one"
            )
            self._db = self._open()

    def _warn(self, message: str) -> None:
        log.warning(message)
        self.notice = message

    # -- reads and writes --------------------------------------------------------------------

    def get(self, kind: str, key: str) -> Any | None:
        """The stored value, or None when absent (or unreadable)."""
        return self.get_many(kind, [key]).get(key)

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        """The stored values of those keys that are present, by key."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        try:
            with self._lock:
                for start in range(0, len(wanted), _BATCH):
                    batch = wanted[start : start + _BATCH]
                    marks = ",".join("?" * len(batch))
                    rows = self._db.execute(
                        f"SELECT key, value FROM entries WHERE kind = ? AND key IN ({marks})",
                        [kind, *batch],
                    ).fetchall()
                    for key, value in rows:
                        found[key] = json.loads(value)
        except (sqlite3.Error, LedgerError, ValueError) as exc:
            self._failed("reading", exc)
            return {}
        return found

    def has_any(self, kind: str, keys: Iterable[str]) -> bool:
        """Whether any of those keys is stored, without reading a value (a history index is megabytes
        of JSON)."""
        wanted = list(dict.fromkeys(keys))
        try:
            with self._lock:
                for start in range(0, len(wanted), _BATCH):
                    batch = wanted[start : start + _BATCH]
                    marks = ",".join("?" * len(batch))
                    if self._db.execute(f"SELECT 1 FROM entries WHERE kind = ? AND key IN ({marks}) LIMIT 1",
                                        [kind, *batch]).fetchone() is not None:
                        return True
        except (sqlite3.Error, LedgerError) as exc:
            self._failed("reading", exc)
        return False

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a JSON-serialisable value (replacing any previous one)."""
        self.put_many(kind, {key: value})

    def put_many(self, kind: str, items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Store many values in one transaction. A value that is not JSON-serialisable raises TypeError."""
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        now = time.time()
        # Serialise before touching the database, so a bad value is the caller's error, not a cache fault.
        rows = [
            (kind, key, json.dumps(value, separators=(",", ":"), allow_nan=False), now)
            for key, value in pairs
        ]
        if not rows:
            return
        try:
            with (
                self._lock,
                write_transaction(self._db, self.path, "writing the analysis cache", self.timeout),
            ):
                self._db.conn.executemany(
                    "INSERT OR REPLACE INTO entries (kind, key, value, stored_at) VALUES (?, ?, ?, ?)", rows
                )
        except (sqlite3.Error, LedgerError) as exc:
            self._failed("writing", exc)

    def clear(self, kind: str | None = None) -> None:
        """Forget one kind of entry, or everything."""
        try:
            with (
                self._lock,
                write_transaction(self._db, self.path, "clearing the analysis cache", self.timeout),
            ):
                if kind is None:
                    self._db.execute("DELETE FROM entries")
                else:
                    self._db.execute("DELETE FROM entries WHERE kind = ?", (kind,))
        except (sqlite3.Error, LedgerError) as exc:
            self._failed("clearing", exc)

    def count(self, kind: str | None = None) -> int:
        with self._lock:
            if kind is None:
                return int(self._db.execute("SELECT count(*) FROM entries").fetchone()[0])
            return int(self._db.execute("SELECT count(*) FROM entries WHERE kind = ?", (kind,)).fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> AnalysisCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
