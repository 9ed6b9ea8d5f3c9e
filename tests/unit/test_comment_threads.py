"""Comment threads in the ledger: the schema-8 migration keeps every record of a ledger written by
the previous releases (real files made by that code: tests/fixtures/ledger-schema7.db, with record
signatures and a carried approval, ledger-schema6.db, with files marked viewed, and ledger-schema5.db,
before all of them), replies join
their root's thread, resolve/reopen acts are append-only with the newest winning, and imports are
idempotent."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import LedgerError
from app.storage.db import SCHEMA_VERSION
from app.storage.ledger import Comment, Ledger, ThreadState, build_threads

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OLD_LEDGERS = {v: FIXTURES / f"ledger-schema{v}.db" for v in (5, 6, 7, 8, 9)}
"""Schema version -> a ledger made by the code of that version (see make_ledger_schema*.py)."""
NEW_TABLES = {5: {"viewed_files", "record_signatures", "decision_carries", "thread_states", "seen_lines"},
              6: {"record_signatures", "decision_carries", "thread_states", "seen_lines"},
              7: {"thread_states", "seen_lines"}, 8: {"seen_lines"}, 9: set()}
NEW_TABLES = {v: tables | {"stats_change_aliases"} for v, tables in NEW_TABLES.items()}  # schema 10
REPO = "repo-key-1"
H1 = "a" * 40


def _rows(path: Path, table: str, columns: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()


def _summary(path: Path) -> dict[str, list[tuple]]:
    """Every table the old ledger had, as rows (comment rows without the new column)."""
    comment_columns = ("id, session_id, reviewer, repo, change_id, head, chunk_hash, path, line, side, body,"
                       " created_at, source, record_id")
    with sqlite3.connect(path) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        out = {}
        for table in tables:
            columns = comment_columns if table == "comments" else "*"
            out[table] = sorted(map(repr, conn.execute(f"SELECT {columns} FROM {table}").fetchall()))
    return out


def _copy(tmp_path: Path, version: int) -> Path:
    copy = tmp_path / "ledger.db"
    shutil.copyfile(OLD_LEDGERS[version], copy)
    return copy


@pytest.fixture
def old_ledger(tmp_path: Path) -> Path:
    return _copy(tmp_path, 6)


@pytest.mark.parametrize("version", sorted(OLD_LEDGERS))
def test_the_fixtures_are_old_ledgers_with_records(version: int) -> None:
    with sqlite3.connect(OLD_LEDGERS[version]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == {9: 6, 8: 5, 7: 5}.get(version, 4)
        assert conn.execute("SELECT count(*) FROM comments").fetchone()[0] == 3
        if version >= 6:
            assert conn.execute("SELECT count(*) FROM viewed_files").fetchone()[0] == 3
        if version >= 7:
            assert conn.execute("SELECT count(*) FROM record_signatures").fetchone()[0] == 1
            assert conn.execute("SELECT count(*) FROM decision_carries").fetchone()[0] == 1


@pytest.mark.parametrize("version", sorted(OLD_LEDGERS))
def test_migrating_an_old_ledger_keeps_every_record(tmp_path: Path, version: int) -> None:
    old_ledger = _copy(tmp_path, version)
    before = _summary(old_ledger)
    with Ledger.open(old_ledger) as ledger:
        assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 13
        threads = ledger.threads_for(REPO, "feature/x")
        # every old comment is the root of an open thread of its own, bodies byte for byte
        assert [(t.root.path, t.root.line, t.root.side, t.root.body, t.replies, t.resolved) for t in threads] == [
            ("payments/retry.py", 42, "new", "Why 3 retries? \u00e9\u2603 [bold]x[/]", (), False),
            ("README.md", None, "old", "whole-file remark", (), False),
            ("payments/retry.py", 7, "old", "imported from notes", (), False),
        ]
        assert [t.root.source for t in threads] == ["local", "local", "notes"]
        # decisions, views and viewed files answer what the old code answered on this file
        status = ledger.change_status(REPO, "feature/x", H1, ["chunkhash1", "chunkhash2"], "ana@example.com")
        assert status.state == "rubber-stamped"
        assert ledger.chunk_status(REPO, "feature/x", ["chunkhash1", "chunkhash2"], "ana@example.com") == {
            "chunkhash1": "approved", "chunkhash2": "flagged"}
        assert ledger.active_seconds(REPO, "feature/x", "chunkhash1", "ana@example.com") == 95.5
        viewed = ledger.viewed_files(REPO, "feature/x", "ana@example.com")
        assert viewed == ({"payments/retry.py": "1111..2222", "README.md": "3333..4444"} if version >= 6 else {})
        carried = ledger.carries()
        assert len(carried) == (1 if version >= 7 else 0)
        assert all(origin[1] == "feature/x" for origin in carried.values())
    after = _summary(old_ledger)
    assert set(after) == set(before) | NEW_TABLES[version]
    for table, rows in before.items():
        assert after[table] == rows, table
    assert _rows(old_ledger, "comments", "reply_to") == [(None,), (None,), (None,)]


def test_migration_10_pairs_the_ids_of_one_head_and_stats_counts_one_change(tmp_path: Path) -> None:
    """Cy approved feature/x's head as origin/feature/x (schema 9): one change, reviewed by two people."""
    from app.report.stats import StatsQuery, compute_stats

    old_ledger = _copy(tmp_path, 9)
    with Ledger.open(old_ledger) as ledger:
        report = compute_stats(ledger, StatsQuery(repo=REPO))
        assert report.overall.changes == 2  # feature/x (ana, cy) and feature/y (bo's carried approval)
        assert sorted((r.key, r.changes) for r in report.reviewers) == [
            ("ana@example.com", 1), ("bo@example.com", 1), ("cy@example.com", 1)]
        assert ledger.seen_lines(REPO, "feature/x", "chunkhash1", "cy@example.com") == {
            ("payments/retry.py", "new", 41), ("payments/retry.py", "new", 42)}


def test_a_reply_joins_the_root_thread_and_the_newest_act_wins(old_ledger: Path) -> None:
    times = iter(range(1_800_000_000, 1_800_001_000, 10))
    with Ledger.open(old_ledger, clock=lambda: float(next(times))) as ledger:
        root = ledger.threads_for(REPO, "feature/x")[0].root
        reply = ledger.add_comment(session_id=None, reviewer="bo@example.com", repo=REPO, change_id="feature/x",
                                   head=H1, chunk_hash=root.chunk_hash, path=root.path, line=root.line,
                                   side=root.side, body="Because the gateway retries too.", reply_to=root.record_id)
        again = ledger.add_comment(session_id=None, reviewer="ana@example.com", repo=REPO, change_id="feature/x",
                                   head=H1, chunk_hash=root.chunk_hash, path=root.path, line=root.line,
                                   side=root.side, body="Then 2.", reply_to=reply.record_id)
        assert reply.reply_to == again.reply_to == root.record_id  # a reply to a reply joins the thread
        ledger.set_thread_state(session_id=None, reviewer="ana@example.com", repo=REPO, change_id="feature/x",
                                head=H1, thread_id=again.record_id, resolved=True)
        thread = ledger.threads_for(REPO, "feature/x")[0]
        assert [c.body for c in thread.replies] == ["Because the gateway retries too.", "Then 2."]
        assert thread.resolved and thread.resolved_by is not None
        assert thread.resolved_by.reviewer == "ana@example.com"
        ledger.set_thread_state(session_id=None, reviewer="bo@example.com", repo=REPO, change_id="feature/x",
                                head=H1, thread_id=root.record_id, resolved=False)
        assert not ledger.threads_for(REPO, "feature/x")[0].resolved
        assert ledger.thread_counts(REPO) == {"feature/x": (3, 3)}


def test_replying_to_a_comment_of_another_change_is_refused(old_ledger: Path) -> None:
    with Ledger.open(old_ledger) as ledger:
        root = ledger.threads_for(REPO, "feature/x")[0].root
        with pytest.raises(LedgerError, match="no comment"):
            ledger.add_comment(session_id=None, reviewer="bo@example.com", repo=REPO, change_id="feature/y",
                               head=H1, chunk_hash=None, path="x", line=1, side="new", body="hi",
                               reply_to=root.record_id)
        with pytest.raises(LedgerError, match="no comment"):
            ledger.set_thread_state(session_id=None, reviewer="bo@example.com", repo=REPO, change_id="feature/x",
                                    head=H1, thread_id="nonexistent", resolved=True)


def test_importing_thread_states_twice_adds_nothing(tmp_path: Path) -> None:
    act = ThreadState(id=None, session_id=None, reviewer="cy@example.com", repo=REPO, change_id="feature/x",
                      head=H1, thread_id="root-1", state="resolved", created_at=1.0, source="notes",
                      record_id="act-1")
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        assert ledger.import_thread_states([act]) == 1
        assert ledger.import_thread_states([act]) == 0
        assert [s.record_id for s in ledger.iter_thread_states(repo=REPO)] == ["act-1"]
        with pytest.raises(ValueError):
            ledger.import_thread_states([ThreadState(**{**_fields(act), "state": "maybe", "record_id": "x"})])


def _fields(record: ThreadState) -> dict:
    return {name: getattr(record, name) for name in record.__slots__}  # type: ignore[attr-defined]


def _comment(record_id: str, at: float, reply_to: str | None = None) -> Comment:
    return Comment(id=None, session_id=None, reviewer="a@example.com", repo=REPO, change_id="c", head=H1,
                   chunk_hash=None, path="f.py", line=1, side="new", body=record_id, created_at=at,
                   source="local", record_id=record_id, reply_to=reply_to)


def _act(thread: str, state: str, at: float, record_id: str) -> ThreadState:
    return ThreadState(id=None, session_id=None, reviewer="a@example.com", repo=REPO, change_id="c", head=H1,
                       thread_id=thread, state=state, created_at=at, source="local", record_id=record_id)


@given(acts=st.lists(st.tuples(st.sampled_from(["r1", "r2", "ghost"]), st.sampled_from(["resolved", "open"]),
                               st.integers(0, 50)), max_size=12),
       orphan=st.booleans())
def test_threads_partition_the_comments_and_follow_the_newest_act(acts, orphan: bool) -> None:
    comments = [_comment("r1", 1), _comment("r2", 2), _comment("x1", 3, "r1"), _comment("x2", 4, "r1")]
    if orphan:
        comments.append(_comment("o1", 5, "not-imported-yet"))
    states = [_act(thread, state, at, f"s{i}") for i, (thread, state, at) in enumerate(acts)]
    threads = build_threads(reversed(comments), reversed(states))
    # every comment appears in exactly one thread, a reply with an unknown root as a root of its own
    flat = sorted(c.record_id for t in threads for c in t.comments)
    assert flat == sorted(c.record_id for c in comments)
    assert [t.thread_id for t in threads] == ["r1", "r2"] + (["o1"] if orphan else [])
    for thread in threads:
        mine = sorted((a for a in states if a.thread_id == thread.thread_id),
                      key=lambda a: (a.created_at, a.record_id))
        assert thread.resolved == (bool(mine) and mine[-1].state == "resolved")
