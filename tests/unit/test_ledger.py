"""The review ledger on real SQLite files: schema and migrations, refusals, concurrency, statuses."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from app.errors import LedgerError
from app.storage.db import (
    LEDGER_APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    DatabaseLocked,
    NotOurDatabase,
    SchemaTooNew,
    open_db,
)
from app.storage.ledger import Ledger, NewDecision, iso_week_sql

REPO = "/src/payments"
ME = "ana@example.com"
OTHER = "bo@example.com"


class Clock:
    """A settable clock handed to the ledger (a real parameter, not a patch)."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01 UTC
        self.now = start

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock):
    with Ledger.open(tmp_path / "data" / "ledger.db", clock=clock) as opened:
        yield opened


def review_chunk(ledger: Ledger, session: int, head: str, chunk: str, seconds: float, index: int = 0) -> int:
    view = ledger.open_chunk(session, REPO, "feature/refunds", head, chunk, index)
    ledger.add_active_time(view, seconds)
    return view


def approve(ledger: Ledger, session: int, head: str, chunk: str | None, floor: float = 30.0, **extra):
    return ledger.record_decision(NewDecision(
        session_id=session,
        reviewer=extra.pop("reviewer", ME),
        repo=REPO,
        change_id="feature/refunds",
        head=head,
        chunk_hash=chunk,
        decision=extra.pop("decision", "approve"),
        floor_seconds=floor,
        **extra,))


# -- schema, versions, refusals ---------------------------------------------------------------


def test_fresh_ledger_is_created_versioned_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "ledger.db"
    with Ledger.open(path) as ledger:
        db = ledger.db
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
        assert db.execute("PRAGMA application_id").fetchone()[0] == LEDGER_APPLICATION_ID
        assert db.journal_mode == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert {"reviewers", "sessions", "chunk_views", "decisions", "comments", "changes_seen"} <= set(
            db.table_names()
        )
        assert "decisions_by_reviewer" in {index.name for index in db.table("decisions").indexes}
    # Reopening an up-to-date ledger changes nothing about its version.
    with Ledger.open(path) as again:
        assert again.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_default_path_is_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_TUI_DATA_DIR", str(tmp_path / "data"))
    with Ledger.open() as ledger:
        assert ledger.path == tmp_path / "data" / "ledger.db"
    assert (tmp_path / "data" / "ledger.db").is_file()


def write_v1_ledger(path: Path) -> None:
    """A ledger as the first release wrote it: schema 1 only, filled by plain SQL."""
    db = Database(sqlite3.connect(path))
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute(f"PRAGMA application_id = {LEDGER_APPLICATION_ID}")
    db.execute("INSERT INTO reviewers VALUES (?, ?)", (ME, "Ana"))
    db.execute("INSERT INTO sessions (id, reviewer, repo, started_at) VALUES (7, ?, ?, 100.0)", (ME, REPO))
    db.execute(
        "INSERT INTO chunk_views (session_id, reviewer, repo, change_id, head, chunk_hash, chunk_index,"
        " active_seconds, opened_at, last_active_at)"
        " VALUES (7, ?, ?, 'feature/refunds', 'h1', 'A', 0, 95.5, 100, 190)",
        (ME, REPO),
    )
    db.execute(
        "INSERT INTO decisions (session_id, reviewer, repo, change_id, head, chunk_hash, decision,"
        " active_seconds_at_decision, floor_seconds, opened, changed_lines, created_at, record_id)"
        " VALUES (7, ?, ?, 'feature/refunds', 'h1', 'A', 'approve', 95.5, 60, 1, 40, 200.0, 'rec-1')",
        (ME, REPO),
    )
    db.execute(
        "INSERT INTO comments (session_id, reviewer, repo, change_id, head, chunk_hash, path, line, side,"
        " body, created_at, record_id) VALUES (7, ?, ?, 'feature/refunds', 'h1', 'A', 'pay.py', 12, 'new',"
        " 'why not Decimal?', 150.0, 'com-1')",
        (ME, REPO),
    )
    db.close()


def test_v1_ledger_is_migrated_and_keeps_its_rows(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "ledger.db"
    write_v1_ledger(path)
    with Ledger.open(path, clock=clock) as ledger:
        assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        [decision] = ledger.decisions_for(REPO, "feature/refunds")
        assert (decision.record_id, decision.decision, decision.chunk_hash, decision.session_id) == (
            "rec-1",
            "approve",
            "A",
            7,
        )
        assert decision.active_seconds_at_decision == 95.5 and not decision.fast and decision.opened
        assert ledger.active_seconds(REPO, "feature/refunds", "A", ME) == 95.5
        [comment] = ledger.comments_for(REPO, "feature/refunds")
        assert (comment.path, comment.line, comment.body) == ("pay.py", 12, "why not Decimal?")
        assert ledger.change_status(REPO, "feature/refunds", "h1", ["A"], ME).label == "approved"
        # The schema-2 table works on the migrated file.
        ledger.note_change(repo=REPO, change_id="feature/refunds", head="h1", changed_lines=40)
        seen = ledger.change_seen(REPO, "feature/refunds", "h1")
        assert seen is not None and seen.changed_lines == 40
        # New rows continue after the old ones.
        session = ledger.start_session(ME, REPO)
        assert session == 8


def test_failed_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    write_v1_ledger(path)

    def broken_v2(db: Database) -> None:
        db.execute("CREATE TABLE half_done (x INTEGER)")
        db.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(LedgerError, match=r"to schema 2 failed.*nothing was changed"):
        open_db(path, migrations=[MIGRATIONS[0], broken_v2])
    db = Database(sqlite3.connect(path))
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "half_done" not in db.table_names()
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
    db.close()


@pytest.mark.parametrize("lite", [False, True])
def test_a_failed_script_migration_leaves_no_table_behind(tmp_path: Path, lite: bool) -> None:
    """A migration that runs a script and then fails leaves the file as it was, on sqlite_utils' Database and
    on the lite one (the cache's and the models' files): sqlite3's executescript would COMMIT first, and the
    tables it made, with no schema version, would then be refused as a database review-tui did not create."""
    path = tmp_path / "cache.db"

    def broken_v1(db: Database) -> None:
        db.executescript("CREATE TABLE a (x TEXT DEFAULT 'x;y'); CREATE TABLE b (y);\n"
                         "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); END;")
        db.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(LedgerError, match=r"to schema 1 failed.*nothing was changed"):
        open_db(path, migrations=[broken_v1], app_id=0x5254_4341, lite=lite)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    conn.close()

    def working_v1(db: Database) -> None:
        db.executescript("CREATE TABLE a (x TEXT DEFAULT 'x;y'); CREATE TABLE b (y);\n"
                         "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); END;")

    db = open_db(path, migrations=[working_v1], app_id=0x5254_4341, lite=lite)
    db.execute("INSERT INTO a DEFAULT VALUES")
    assert db.execute("SELECT x FROM a").fetchone()[0] == "x;y"
    assert db.execute("SELECT count(*) FROM b").fetchone()[0] == 1
    db.close()


def test_ledger_from_a_newer_version_is_refused_and_left_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute("INSERT INTO future VALUES ('keep me')")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute(f"PRAGMA application_id = {LEDGER_APPLICATION_ID}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew) as caught:
        Ledger.open(path)
    assert str(caught.value) == (
        f"{path} was written by a newer review-tui (schema {SCHEMA_VERSION + 1} > {SCHEMA_VERSION}); "
        "upgrade review-tui - nothing was changed"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.db"]


@pytest.mark.parametrize("content", [b"# my notes, not a database\n", b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_file_that_is_not_a_ledger_is_refused_and_unchanged(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(content)
    with pytest.raises(NotOurDatabase, match="nothing was changed"):
        Ledger.open(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.db"]  # no -wal/-shm/-journal either


def test_another_programs_sqlite_database_is_refused_and_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotOurDatabase, match="did not create"):
        Ledger.open(path)
    assert path.read_bytes() == before


def test_readonly_ledger_reads_but_never_writes(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "ledger.db"
    with pytest.raises(LedgerError, match="nothing has been recorded"):
        Ledger.open(path, readonly=True)
    assert not path.exists()
    with Ledger.open(path, clock=clock) as writer:
        session = writer.start_session(ME, REPO)
        review_chunk(writer, session, "h1", "A", 40)
        approve(writer, session, "h1", "A")
    with Ledger.open(path, readonly=True) as reader:
        assert [d.chunk_hash for d in reader.decisions_for(REPO, "feature/refunds")] == ["A"]
        with pytest.raises(LedgerError, match="read-only"):
            reader.start_session(ME, REPO)


# -- recording ----------------------------------------------------------------------------------


def test_active_time_accumulates_per_view_and_sums_over_sessions(ledger: Ledger, clock: Clock) -> None:
    first = ledger.start_session(ME, REPO, reviewer_name="Ana")
    view = review_chunk(ledger, first, "h1", "A", 5)
    assert ledger.open_chunk(first, REPO, "feature/refunds", "h1", "A", 0) == view  # same view reopened
    clock.tick(10)
    ledger.add_active_time(view, 2.5)
    row = ledger.chunk_view(view)
    assert row is not None and row.active_seconds == 7.5 and row.last_active_at == clock.now
    ledger.end_session(first)
    ended = ledger.session(first)
    assert ended is not None and ended.ended_at == clock.now
    second = ledger.start_session(ME, REPO)
    review_chunk(ledger, second, "h2", "A", 20)  # same content at a new head: still the same chunk
    review_chunk(ledger, second, "h2", "B", 9)
    other = ledger.start_session(OTHER, REPO)
    review_chunk(ledger, other, "h2", "A", 100)
    assert ledger.active_seconds(REPO, "feature/refunds", "A", ME) == 27.5
    assert ledger.active_seconds(REPO, "feature/refunds", "A") == 127.5
    with pytest.raises(ValueError):
        ledger.add_active_time(view, -1)
    with pytest.raises(LedgerError, match="does not exist"):
        ledger.add_active_time(9999, 1)


def test_approval_below_the_floor_is_fast_and_at_the_floor_is_not(ledger: Ledger, clock: Clock) -> None:
    session = ledger.start_session(ME, REPO)
    review_chunk(ledger, session, "h1", "A", 29.999)
    review_chunk(ledger, session, "h1", "B", 30.0)
    below = approve(
        ledger,
        session,
        "h1",
        "A",
        floor=30.0,
        chunk_index=0,
        changed_lines=25,
        tier=1,
        ai_share=0.5,
        complexity_added=3.0,
    )
    at = approve(ledger, session, "h1", "B", floor=30.0)
    assert below.fast and below.rubber_stamp and below.active_seconds_at_decision == 29.999
    assert not at.fast and not at.rubber_stamp
    assert (below.changed_lines, below.tier, below.ai_share, below.complexity_added) == (25, 1, 0.5, 3.0)
    assert below.created_at == clock.now and below.source == "local" and below.record_id != at.record_id
    flag = approve(ledger, session, "h1", "A", floor=30.0, decision="flag", note="rounding is wrong")
    assert not flag.fast and not flag.rubber_stamp and flag.note == "rounding is wrong"
    with pytest.raises(ValueError):
        approve(ledger, session, "h1", "A", decision="lgtm")


def test_change_level_approval_counts_unopened_chunks(ledger: Ledger) -> None:
    session = ledger.start_session(ME, REPO)
    review_chunk(ledger, session, "h1", "A", 50)
    decision = approve(ledger, session, "h1", None, floor=60.0, chunk_hashes=["A", "B", "C"])
    assert decision.is_change_level
    assert decision.unopened_chunks == 2 and not decision.opened
    assert decision.active_seconds_at_decision == 50 and decision.fast and decision.rubber_stamp


def test_comments_round_trip(ledger: Ledger, clock: Clock) -> None:
    session = ledger.start_session(ME, REPO)
    first = ledger.add_comment(
        session_id=session,
        reviewer=ME,
        repo=REPO,
        change_id="feature/refunds",
        head="h1",
        chunk_hash="A",
        path="pay.py",
        line=3,
        side="new",
        body="[bold]not markup[/]",
    )
    clock.tick()
    ledger.add_comment(
        session_id=session,
        reviewer=ME,
        repo=REPO,
        change_id="feature/refunds",
        head="h2",
        chunk_hash="B",
        path="old.py",
        line=9,
        side="old",
        body="gone?",
    )
    assert [c.body for c in ledger.comments_for(REPO, "feature/refunds")] == ["[bold]not markup[/]", "gone?"]
    assert ledger.comments_for(REPO, "feature/refunds", head="h1") == [first]
    with pytest.raises(ValueError):
        ledger.add_comment(
            session_id=session,
            reviewer=ME,
            repo=REPO,
            change_id="x",
            head="h",
            chunk_hash=None,
            path="a",
            line=1,
            side="left",
            body="?",
        )


def test_note_change_keeps_first_seen_and_refreshes_the_rest(ledger: Ledger, clock: Clock) -> None:
    first = clock.now
    ledger.note_change(
        repo=REPO,
        change_id="c",
        head="h1",
        base="b",
        title="Refunds",
        tier=0,
        changed_lines=10,
        ai_share=0.25,
        floor_seconds=72.0,
        chunk_count=2,
        score=81.5,
    )
    clock.tick(3600)
    ledger.note_change(
        repo=REPO,
        change_id="c",
        head="h1",
        base="b",
        title="Refunds v2",
        tier=0,
        changed_lines=10,
        ai_share=0.25,
        floor_seconds=72.0,
        chunk_count=2,
        score=80.0,
    )
    seen = ledger.change_seen(REPO, "c", "h1")
    assert seen is not None
    assert (seen.first_seen_at, seen.last_seen_at, seen.title, seen.score) == (
        first,
        clock.now,
        "Refunds v2",
        80.0,
    )
    assert ledger.change_seen(REPO, "c", "h2") is None


def test_imported_records_are_deduplicated_by_record_id(tmp_path: Path, clock: Clock) -> None:
    with (
        Ledger.open(tmp_path / "a.db", clock=clock) as mine,
        Ledger.open(tmp_path / "b.db", clock=clock) as theirs,
    ):
        session = theirs.start_session(OTHER, REPO)
        review_chunk(theirs, session, "h1", "A", 90)
        approve(theirs, session, "h1", "A", reviewer=OTHER)
        theirs.add_comment(
            session_id=session,
            reviewer=OTHER,
            repo=REPO,
            change_id="feature/refunds",
            head="h1",
            chunk_hash="A",
            path="pay.py",
            line=1,
            side="new",
            body="ok",
        )
        exported = list(theirs.iter_decisions(repo=REPO))
        assert mine.import_decisions(exported) == 1
        assert mine.import_decisions(exported) == 0  # running sync twice changes nothing
        assert mine.import_comments(theirs.iter_comments()) == 1
        assert mine.import_comments(theirs.iter_comments()) == 0
        [imported] = mine.decisions_for(REPO, "feature/refunds")
        assert imported.source == "notes" and imported.session_id is None
        assert imported.record_id == exported[0].record_id and imported.active_seconds_at_decision == 90
        assert mine.change_status(REPO, "feature/refunds", "h1", ["A"], OTHER).label == "approved"
        assert mine.change_status(REPO, "feature/refunds", "h1", ["A"], ME).label == "new"
        assert [d.reviewer for d in mine.iter_decisions(source="notes")] == [OTHER]
        assert list(mine.iter_decisions(source="local")) == []


# -- statuses --------------------------------------------------------------------------------------


def test_chunk_status_follows_the_content_hash(ledger: Ledger, clock: Clock) -> None:
    session = ledger.start_session(ME, REPO)
    assert ledger.chunk_status(REPO, "feature/refunds", ["A", "B", "C", "D"], ME) == dict.fromkeys(
        "ABCD", "new"
    )
    review_chunk(ledger, session, "h1", "A", 40)
    review_chunk(ledger, session, "h1", "B", 40)
    review_chunk(ledger, session, "h1", "C", 40)
    review_chunk(ledger, session, "h1", "D", 1)
    approve(ledger, session, "h1", "A")
    approve(ledger, session, "h1", "B", decision="flag", note="no")
    approve(ledger, session, "h1", "C", decision="later")
    assert ledger.chunk_status(REPO, "feature/refunds", ["A", "B", "C", "D", "E"], ME) == {
        "A": "approved",
        "B": "flagged",
        "C": "later",
        "D": "opened",
        "E": "new",
    }
    clock.tick()
    approve(ledger, session, "h1", "B")  # the newest decision wins
    assert ledger.chunk_status(REPO, "feature/refunds", ["B"], ME) == {"B": "approved"}
    assert ledger.chunk_status(REPO, "feature/refunds", ["A"], OTHER) == {"A": "new"}
    assert set(ledger.latest_decisions(REPO, "feature/refunds", ME)) == {"A", "B", "C"}


def status(ledger: Ledger, head: str, chunks: list[str], reviewer: str | None = ME) -> str:
    return ledger.change_status(REPO, "feature/refunds", head, chunks, reviewer).label


def test_change_status_from_new_to_approved_to_stale_and_back(ledger: Ledger, clock: Clock) -> None:
    session = ledger.start_session(ME, REPO)
    assert status(ledger, "h1", ["A", "B"]) == "new"
    review_chunk(ledger, session, "h1", "A", 45)
    assert status(ledger, "h1", ["A", "B"]) == "in progress 0 of 2"
    approve(ledger, session, "h1", "A")
    assert status(ledger, "h1", ["A", "B"]) == "in progress 1 of 2"
    review_chunk(ledger, session, "h1", "B", 45)
    approve(ledger, session, "h1", "B")
    assert status(ledger, "h1", ["A", "B"]) == "approved"
    # A push rewrites chunk B into B2: A keeps its approval, the change is stale.
    result = ledger.change_status(REPO, "feature/refunds", "h2", ["A", "B2"], ME)
    assert (result.label, result.approved, result.total, result.stale_chunks) == ("stale", 1, 2, 1)
    assert ledger.chunk_status(REPO, "feature/refunds", ["A", "B2"], ME) == {"A": "approved", "B2": "new"}
    # A push that only adds a chunk leaves every approval valid: review continues, nothing is stale.
    assert status(ledger, "h3", ["A", "B", "C"]) == "in progress 2 of 3"
    clock.tick()
    review_chunk(ledger, session, "h2", "B2", 45)
    approve(ledger, session, "h2", "B2")
    assert status(ledger, "h2", ["A", "B2"]) == "approved"
    assert status(ledger, "h2", ["A", "B2"], OTHER) == "new"
    assert status(ledger, "h2", ["A", "B2"], None) == "approved"  # anyone's decisions


def test_change_status_rubber_stamped_and_flagged(ledger: Ledger, clock: Clock) -> None:
    session = ledger.start_session(ME, REPO)
    review_chunk(ledger, session, "h1", "A", 45)
    review_chunk(ledger, session, "h1", "B", 3)
    approve(ledger, session, "h1", "A", floor=30)
    approve(ledger, session, "h1", "B", floor=30)  # 3 s on a 30 s chunk
    result = ledger.change_status(REPO, "feature/refunds", "h1", ["A", "B"], ME)
    assert (result.label, result.rubber_stamps) == ("rubber-stamped", 1)
    clock.tick()
    review_chunk(ledger, session, "h1", "B", 40)
    approve(ledger, session, "h1", "B", floor=30)  # a second, honest look replaces the stamp
    assert status(ledger, "h1", ["A", "B"]) == "approved"
    clock.tick()
    approve(ledger, session, "h1", "A", decision="flag", note="wrong currency")
    assert status(ledger, "h1", ["A", "B"]) == "flagged"
    clock.tick()
    approve(ledger, session, "h1", None, floor=60, chunk_hashes=["A", "B"])  # change approval after the flag
    assert status(ledger, "h1", ["A", "B"]) == "approved"
    clock.tick()
    approve(ledger, session, "h1", None, decision="flag", chunk_hashes=["A", "B"])
    assert status(ledger, "h1", ["A", "B"]) == "flagged"


def test_change_approval_with_unopened_chunks_is_rubber_stamped_and_stale_at_a_new_head(
    ledger: Ledger,
) -> None:
    session = ledger.start_session(ME, REPO)
    review_chunk(ledger, session, "h1", "A", 500)
    approve(ledger, session, "h1", None, floor=60, chunk_hashes=["A", "B", "C"])
    result = ledger.change_status(REPO, "feature/refunds", "h1", ["A", "B", "C"], ME)
    assert (result.label, result.approved, result.rubber_stamps) == ("rubber-stamped", 3, 1)
    assert status(ledger, "h2", ["A", "B", "C"]) == "stale"  # a change approval covers one head only


# -- concurrency -------------------------------------------------------------------------------------


def test_two_ledgers_in_threads_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    rounds = 60
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def reviewer(email: str) -> None:
        try:
            with Ledger.open(path) as ledger:
                session = ledger.start_session(email, REPO)
                view = ledger.open_chunk(session, REPO, "c", "h", "A", 0)
                start.wait()
                for number in range(rounds):
                    ledger.add_active_time(view, 0.5)
                    ledger.open_chunk(
                        session, REPO, "c", "h", f"chunk-{number}", number
                    )  # reads, then writes
                    ledger.record_decision(NewDecision(
                        session_id=session,
                        reviewer=email,
                        repo=REPO,
                        change_id="c",
                        head="h",
                        chunk_hash=f"chunk-{number}",
                        decision="later",))
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    with Ledger.open(path) as shared:  # a third writer, in this thread
        workers = [threading.Thread(target=reviewer, args=(email,)) for email in (ME, OTHER)]
        for worker in workers:
            worker.start()
        start.wait()
        for _ in range(rounds):
            shared.note_change(repo=REPO, change_id="c", head="h", changed_lines=1)
            shared.active_seconds(REPO, "c", "A")
        for worker in workers:
            worker.join()
        assert errors == []
        assert shared.db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 2 * rounds
        assert shared.active_seconds(REPO, "c", "A", ME) == rounds * 0.5
        assert shared.active_seconds(REPO, "c", "A", OTHER) == rounds * 0.5


def test_one_ledger_shared_by_threads_gives_each_thread_its_connection(ledger: Ledger) -> None:
    session = ledger.start_session(ME, REPO)
    view = ledger.open_chunk(session, REPO, "c", "h", "A")
    connections: list[sqlite3.Connection] = []  # kept alive, so no id() is reused
    lock = threading.Lock()

    def work() -> None:
        for _ in range(25):
            ledger.add_active_time(view, 1)
        with lock:
            connections.append(ledger.db.conn)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.active_seconds(REPO, "c", "A") == 100
    assert len({id(conn) for conn in [*connections, ledger.db.conn]}) == 5


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from app.storage.ledger import Ledger, NewDecision
    path, email, rounds, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    with Ledger.open(path) as ledger:
        session = ledger.start_session(email, "/src/payments")
        view = ledger.open_chunk(session, "/src/payments", "c", "h", "A", 0)
        Path(str(go) + "." + email).touch()
        while not go.exists():
            time.sleep(0.005)
        for number in range(rounds):
            ledger.add_active_time(view, 0.25)
            ledger.open_chunk(session, "/src/payments", "c", "h", f"chunk-{number}", number)
            ledger.record_decision(NewDecision(session_id=session, reviewer=email, repo="/src/payments", change_id="c",
                                   head="h", chunk_hash=f"chunk-{number}", decision="approve",
                                   floor_seconds=1.0))
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    go = tmp_path / "go"
    rounds = 80
    emails = [ME, OTHER]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), email, str(rounds), str(go)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for email in emails
    ]
    deadline = time.monotonic() + 90  # a loaded CI machine can be slow to start two interpreters

    def failure(message: str) -> str:
        # Kill every writer before reading their stderr: a live one waiting for `go` never closes it.
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        return f"{message}: " + " | ".join(proc.communicate()[1] for proc in procs)

    while not all(Path(f"{go}.{email}").exists() for email in emails):
        if time.monotonic() > deadline:
            pytest.fail(failure("writers did not start"))
        if any(proc.poll() is not None for proc in procs):
            pytest.fail(failure("a writer exited before the start"))
        time.sleep(0.01)
    go.touch()  # both processes are ready: release them together
    for proc in procs:
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0, stderr
        assert "locked" not in stderr
    with Ledger.open(path) as ledger:
        for email in emails:
            assert len(ledger.decisions_for(REPO, "c", reviewer=email)) == rounds
            assert ledger.active_seconds(REPO, "c", "A", email) == rounds * 0.25


def test_write_locked_ledger_fails_after_the_timeout_with_a_clear_message(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "ledger.db"
    with Ledger.open(path, clock=clock, timeout=0.3) as ledger:
        session = ledger.start_session(ME, REPO)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            with pytest.raises(DatabaseLocked) as caught:
                ledger.record_decision(NewDecision(
                    session_id=session,
                    reviewer=ME,
                    repo=REPO,
                    change_id="c",
                    head="h",
                    chunk_hash="A",
                    decision="approve",))
            assert time.monotonic() - started >= 0.25
            assert str(caught.value) == (
                f"{path} is locked by another process while recording a review decision (waited 0.3 s): "
                "another review-tui, or a tool holding a write lock such as a sqlite3 shell; close it or try again"
            )
            # Readers are not blocked by a writer in WAL mode.
            assert ledger.decisions_for(REPO, "c") == []
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        ledger.record_decision(NewDecision(
            session_id=session,
            reviewer=ME,
            repo=REPO,
            change_id="c",
            head="h",
            chunk_hash="A",
            decision="approve",))
        assert len(ledger.decisions_for(REPO, "c")) == 1


def test_opening_a_locked_fresh_file_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    holder = sqlite3.connect(path, isolation_level=None)  # rollback journal: EXCLUSIVE blocks readers too
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LedgerError, match="is locked by another process while opening the review ledger"):
            Ledger.open(path, timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Ledger.open(path) as ledger:
        assert ledger.db.journal_mode == "wal"


# -- stats helpers -----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))  # 1970 .. 2100
def test_iso_week_sql_matches_python(timestamp: float) -> None:
    conn = sqlite3.connect(":memory:")
    got = conn.execute(f"SELECT {iso_week_sql('?1')}", (timestamp,)).fetchone()[0]
    year, week, _ = dt.datetime.fromtimestamp(timestamp, dt.UTC).isocalendar()
    assert got == f"{year}-W{week:02d}"
    conn.close()


def test_many_openers_of_a_fresh_file_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    openers = 6
    start = threading.Barrier(openers)
    results: list[object] = []

    def open_at_once() -> None:
        start.wait()
        try:
            db = open_db(path)
            results.append(db.execute("PRAGMA user_version").fetchone()[0])
            db.close()
        except BaseException as exc:  # surfaced below
            results.append(exc)

    threads = [threading.Thread(target=open_at_once) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [SCHEMA_VERSION] * openers


def test_a_ledger_that_cannot_be_opened_says_why_when_the_folder_is_read_only(tmp_path, monkeypatch) -> None:
    """QA: a read-only data dir gave only SQLite's "unable to open database file". (As root the folder is never
    unwritable to os.access, so its answer is what a user's would be.)"""
    import os
    import sqlite3

    from app.storage import db

    folder = tmp_path / "review-tui"
    folder.mkdir()
    real = os.access
    monkeypatch.setattr(db.os, "access", lambda p, mode: False if str(p) == str(folder) else real(p, mode))
    said = db._why_unwritable(folder / "ledger.db", sqlite3.OperationalError("unable to open database file"))
    assert said == f" ({folder} is read-only: the ledger writes its -wal and -shm files beside it)"
    assert db._why_unwritable(folder / "ledger.db", sqlite3.OperationalError("no such table: x")) == ""
