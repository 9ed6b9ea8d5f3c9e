"""Honest review time through the real app: a reader who opens a chunk and walks away never meets
its floor, a reader who reads (keys within the idle window, every changed line scrolled onto the
screen) does, and time without scrolling through the chunk is still a rubber stamp.

The app is the real one (make_app) with its real intervals (the chunk screen's persist and clock
timers run); only the monotonic clock behind active time is injected, and the tests move it
instead of sleeping."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.analysis.report import ChangeDetail
from app.config import UserConfig
from app.core.planner.model import Chunk
from app.storage.ledger import Ledger
from app.tui.app import ReviewApp, make_app
from app.tui.review_session import WINDOW_SHARE_OF_FLOOR
from app.tui.screens.chunk import ChunkReviewScreen
from app.tui.screens.dialogs import ConfirmDialog
from tests.functional.test_app import NOW, REVIEWER, settle


class SteppedClock:
    """The active-time clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


def _app(repo: Path, ledger: Ledger, clock: SteppedClock, warm_cache, **config: float) -> ReviewApp:
    from app.analysis.analyzer import Analyzer

    user_config = UserConfig(reviewer_email=REVIEWER, persist_seconds=0.05, **config)  # type: ignore[arg-type]
    return make_app(Analyzer(repo, cache=warm_cache), user_config=user_config, ledger=ledger, now=NOW,
                    active_clock=clock)


async def _open_chunk(app: ReviewApp, pilot: Pilot, change_id: str, index: int) -> tuple[ChangeDetail, Chunk]:
    await settle(pilot)
    detail = app.fresh_analyzer().detail(change_id)
    await app.push_screen(ChunkReviewScreen(detail, index, app.session))
    await pilot.pause()
    return detail, detail.plan.chunks[index]


def _stored(ledger: Ledger, app: ReviewApp, detail: ChangeDetail, chunk: Chunk) -> float:
    return ledger.active_seconds(app.session.repo_key, detail.change.id, chunk.content_hash, REVIEWER)


@pytest.mark.parametrize(("change_id", "index", "idle"), [
    ("pull/42", 0, 30.0),               # a three-line code chunk: a 27 s floor
    ("feature/receipt-pdf", 2, 30.0),   # a binary chunk: a 15 s floor, below the idle limit itself
    ("docs/runbook-update", 0, 60.0),   # the largest idle limit a user may configure
])
async def test_a_reader_who_walks_away_never_meets_the_floor(payments_repo: Path, warm_cache, tmp_path: Path,
                                                             change_id: str, index: int, idle: float) -> None:
    clock = SteppedClock()
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache, idle_seconds=idle)
        async with app.run_test(size=(120, 40)) as pilot:
            detail, chunk = await _open_chunk(app, pilot, change_id, index)
            assert isinstance(app.screen, ChunkReviewScreen)
            for _ in range(48):  # eight hours away, in ten-minute steps, the real timers running
                clock.now += 600
                await pilot.pause(0.06)
            stored = _stored(ledger, app, detail, chunk)
            assert 0 < stored <= min(idle, WINDOW_SHARE_OF_FLOOR * chunk.floor_seconds)
            assert stored < chunk.floor_seconds
            await pilot.press("a")  # back at the keyboard: approving now is a rubber stamp
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("y")
            await pilot.press("ctrl+q")
        decision = ledger.decisions_for(app.session.repo_key, detail.change.id)[-1]
        assert (decision.decision, decision.fast, decision.rubber_stamp) == ("approve", True, True)


async def test_a_reader_who_reads_meets_the_floor(payments_repo: Path, warm_cache, tmp_path: Path) -> None:
    """Keys well inside the idle window for the floor's length, with the whole chunk scrolled through:
    the approval is an ordinary one."""
    clock = SteppedClock()
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache)
        async with app.run_test(size=(120, 40)) as pilot:
            detail, chunk = await _open_chunk(app, pilot, "docs/runbook-update", 0)
            screen = app.screen
            assert isinstance(screen, ChunkReviewScreen)
            spent = 0.0
            while spent < chunk.floor_seconds:
                clock.now += 10
                spent += 10
                await pilot.press("j")
            await pilot.press("G")  # to the last line: every changed line has been on screen
            await pilot.pause(0.06)
            seen = app.session.seen_lines(detail, chunk)
            assert seen is not None and seen.required == chunk.changed_lines and seen.unseen == 0
            await pilot.press("a")
            assert app.screen is screen  # no rubber-stamp question
            await pilot.press("ctrl+q")
        decision = ledger.decisions_for(app.session.repo_key, detail.change.id)[-1]
        assert (decision.decision, decision.fast) == ("approve", False)
        assert decision.active_seconds_at_decision >= chunk.floor_seconds


async def test_a_one_line_fix_read_for_ten_seconds_is_no_rubber_stamp(payments_repo: Path, warm_cache,
                                                                     tmp_path: Path) -> None:
    """QA64 F11: a one-line chunk (pull/42's tier-1 line in get_payment) had a 60 s floor, so reading it honestly for
    ten seconds was recorded as a rubber stamp. Its floor is its line at the code rate now (9 s): ten seconds with a
    key pressed meanwhile is an ordinary approval; two seconds still asks."""
    clock = SteppedClock()
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache)
        async with app.run_test(size=(120, 40)) as pilot:
            detail, chunk = await _open_chunk(app, pilot, "pull/42", 0)
            assert (chunk.changed_lines, chunk.floor_seconds) == (1, 9)
            clock.now += 2
            await pilot.press("a")  # two seconds: a rubber stamp, asked
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("n")
            for step in (2, 3, 3):  # ten seconds, a key within each half-floor window
                clock.now += step
                await pilot.press("j")
            await pilot.pause(0.06)
            await pilot.press("a")
            assert not isinstance(app.screen, ConfirmDialog)  # no question
            await pilot.press("ctrl+q")
        decision = ledger.decisions_for(app.session.repo_key, detail.change.id)[-1]
        assert (decision.decision, decision.fast, decision.rubber_stamp) == ("approve", False, False)
        assert 9 <= decision.active_seconds_at_decision <= 10.5


async def test_time_without_scrolling_through_is_not_reading(payments_repo: Path, warm_cache,
                                                             tmp_path: Path) -> None:
    """On a terminal too short for the chunk, pressing keys that do not move past the first screen
    for the whole floor still leaves lines unseen: approving asks, and the header says how much
    was seen."""
    clock = SteppedClock()
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache)
        async with app.run_test(size=(80, 24)) as pilot:
            detail, chunk = await _open_chunk(app, pilot, "feature/multi-currency", 0)
            screen = app.screen
            assert isinstance(screen, ChunkReviewScreen)
            for _ in range(int(chunk.floor_seconds // 10) + 1):
                clock.now += 10
                await pilot.press("k")  # at the top already: activity without scrolling
            await pilot.pause(0.06)
            check = app.session.approval_check(detail, chunk)
            assert check.active_seconds >= chunk.floor_seconds and check.unseen_lines > 0
            clock_label = str(screen.query_one("#chunk-clock").render())
            assert "seen " in clock_label and "%" in clock_label
            await pilot.press("a")
            assert isinstance(app.screen, ConfirmDialog)
            assert "never came on screen" in str(app.screen.query_one("#dialog-prompt").render())
            assert app.screen.query_one("#dialog-panel").border_title == "Approve without reading it all?"
            await pilot.press("n")
            await pilot.press("a")
            await pilot.press("y")  # recorded as what the dialog said: a rubber stamp, though the floor was spent
            await pilot.pause(0.06)
            [approval] = [d for d in ledger.iter_decisions() if d.chunk_hash == chunk.content_hash]
            assert approval.decision == "approve" and approval.fast and approval.active_seconds_at_decision >= (
                chunk.floor_seconds)
            # and `A` on the change over that chunk is one too (QA45 #4: it recorded an honest change approval)
            assert [c.content_hash for c, _ in app.session.unread_chunks(detail)] == [chunk.content_hash]
            whole = app.session.approve_change(detail)
            assert whole.chunk_hash is None and whole.fast
            await pilot.press("ctrl+q")


async def test_lines_seen_in_an_earlier_sitting_still_count(payments_repo: Path, warm_cache, tmp_path: Path) -> None:
    """A long chunk read over two sittings: what the first had on screen counts in the second (it was
    per session, so the second had to scroll through it all again or approve a rubber stamp)."""
    clock = SteppedClock()
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        first = _app(payments_repo, ledger, clock, warm_cache)
        async with first.run_test(size=(80, 24)) as pilot:
            detail, chunk = await _open_chunk(first, pilot, "feature/multi-currency", 0)
            seen = first.session.seen_lines(detail, chunk)
            assert seen is not None and seen.unseen > 0  # longer than the screen
            for _ in range(40):  # page by page to the end
                await pilot.press("space")
                await pilot.pause(0.02)
                if seen.unseen == 0:
                    break
            assert seen.unseen == 0
            await pilot.press("ctrl+q")
        second = _app(payments_repo, ledger, clock, warm_cache)
        async with second.run_test(size=(80, 24)) as pilot:
            detail, chunk = await _open_chunk(second, pilot, "feature/multi-currency", 0)
            await pilot.pause(0.06)
            again = second.session.seen_lines(detail, chunk)
            assert again is not None and again.unseen == 0 and again.required == seen.required
            assert "seen " not in str(second.screen.query_one("#chunk-clock").render())  # 100%: not shown
            await pilot.press("ctrl+q")


def test_an_idle_limit_above_the_maximum_is_lowered_with_a_warning(tmp_path: Path) -> None:
    from app.config import MAX_IDLE_SECONDS, load_user_config

    path = tmp_path / "config.toml"
    path.write_text("idle_seconds = 3600\n")
    config = load_user_config(path)
    assert config.idle_seconds == MAX_IDLE_SECONDS == 60
    assert any("idle_seconds" in w and "using 60" in w for w in config.warnings)
    path.write_text("idle_seconds = 45\n")
    assert load_user_config(path).idle_seconds == 45 and not load_user_config(path).warnings


@contextmanager
def _write_locked(path: Path) -> Iterator[None]:
    """Another connection holds the ledger's write lock (BEGIN EXCLUSIVE) for the block."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _notices(app: ReviewApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_a_ledger_locked_elsewhere_loses_no_time_no_decision_and_does_not_freeze(
        payments_repo: Path, warm_cache, tmp_path: Path) -> None:
    """Another process holds the ledger's write lock: the reading time is kept (the clock never goes
    back), the screen says so once, a decision says plainly it was not saved (within about a second,
    not the 5 s busy timeout), and once the lock is gone the time and the repeated decision are stored."""
    import time

    clock = SteppedClock()
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache)
        async with app.run_test(size=(120, 40)) as pilot:
            detail, chunk = await _open_chunk(app, pilot, "docs/runbook-update", 0)
            screen = app.screen
            assert isinstance(screen, ChunkReviewScreen)
            for _ in range(3):
                clock.now += 5
                await pilot.press("j")
            await pilot.pause(0.1)
            before_lock = _stored(ledger, app, detail, chunk)
            assert before_lock >= 10

            with _write_locked(path):
                for _ in range(4):
                    clock.now += 5
                    await pilot.press("j")
                    await pilot.pause(0.1)  # the persist interval runs, and finds the lock
                spent = app.session.active_seconds(detail, chunk)
                assert spent >= before_lock + 20  # kept in memory: nothing taken back
                assert _stored(ledger, app, detail, chunk) == before_lock
                warnings = [n for n in _notices(app) if n.startswith("Review time not saved yet")]
                assert len(warnings) == 1 and "kept and saved once it is free" in warnings[0]

                await pilot.press("a")
                assert isinstance(app.screen, ConfirmDialog)
                started = time.monotonic()
                await pilot.press("y")
                waited = time.monotonic() - started
                assert app.screen is screen
                assert any(n.startswith("Decision not saved: ") and "locked by another process" in n
                           for n in _notices(app))
                assert waited < 4  # the decision waits about a second, not the 5 s busy timeout
                assert ledger.decisions_for(app.session.repo_key, detail.change.id) == []
                assert app.session.active_seconds(detail, chunk) >= spent

            clock.now += 5
            await pilot.press("j")
            await pilot.pause(0.1)
            assert _stored(ledger, app, detail, chunk) >= spent + 5  # the kept time, now stored
            await pilot.press("a")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("y")
            await pilot.pause()
            assert str(screen.query_one("#chunk-status").render()).strip() == "rubber-stamped"
            await pilot.press("ctrl+q")
        decisions = ledger.decisions_for(app.session.repo_key, detail.change.id)
        assert [(d.decision, d.rubber_stamp) for d in decisions] == [("approve", True)]
        assert decisions[0].active_seconds_at_decision >= spent + 5


async def test_a_chunk_opened_while_the_ledger_is_locked_is_shown_and_its_time_stored_later(
        payments_repo: Path, warm_cache, tmp_path: Path) -> None:
    clock = SteppedClock()
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            with _write_locked(path):
                detail, chunk = await _open_chunk(app, pilot, "docs/runbook-update", 0)
                screen = app.screen
                assert isinstance(screen, ChunkReviewScreen)
                assert str(screen.query_one("#chunk-position").render()) == f"Chunk 1 of {len(detail.plan.chunks)}"
                assert str(screen.query_one("#chunk-status").render()).strip() == "opened"
                for _ in range(3):
                    clock.now += 5
                    await pilot.press("j")
                    await pilot.pause(0.1)
                assert app.session.active_seconds(detail, chunk) >= 15
                assert sum(n.startswith("Review time not saved yet") for n in _notices(app)) == 1
            clock.now += 5
            await pilot.press("j")
            await pilot.pause(0.1)
            views = ledger.chunk_views_for(app.session.repo_key, detail.change.id, REVIEWER)
            assert [v.chunk_hash for v in views] == [chunk.content_hash]
            assert _stored(ledger, app, detail, chunk) >= 20
            await pilot.press("ctrl+q")


_HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=1)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # held until the test closes our stdin
"""


async def test_a_flag_refused_by_a_lock_in_another_process_says_so_and_keeps_its_note(
        payments_repo: Path, warm_cache, tmp_path: Path) -> None:
    """A second process holds BEGIN EXCLUSIVE on the ledger file: the flag is not silently dropped (the
    screen says nothing was recorded and to decide again), and the note typed is offered again."""
    import subprocess
    import sys

    clock = SteppedClock()
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache)
        async with app.run_test(size=(120, 40)) as pilot:
            detail, _chunk = await _open_chunk(app, pilot, "docs/runbook-update", 0)
            holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(path)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
            try:
                assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
                await pilot.press("f")
                await pilot.press(*"page the DBA first", "enter")
                await pilot.pause()
                refused = [n for n in _notices(app) if n.startswith("Decision not saved: ")]
                assert refused and "Nothing was recorded for chunk 1" in refused[0]
                assert "locked by another process" in refused[0] and "Decide again" in refused[0]
                assert str(app.screen.query_one("#chunk-status").render()).strip() == "opened"
            finally:
                holder.communicate("")  # closes its stdin: it ends, and its lock with it
            assert ledger.decisions_for(app.session.repo_key, detail.change.id) == []
            await pilot.press("f")
            await pilot.pause()
            assert app.screen.query_one("#dialog-input").value == "page the DBA first"
            await pilot.press("enter")
            await pilot.pause()
        decisions = ledger.decisions_for(app.session.repo_key, detail.change.id)
        assert [(d.decision, d.note) for d in decisions] == [("flag", "page the DBA first")]


async def test_the_chunk_header_says_when_time_stops_counting(payments_repo: Path, warm_cache, tmp_path: Path) -> None:
    """After the idle window `spent` simply stopped: a reader of a long function could not tell."""
    clock = SteppedClock()
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache, idle_seconds=30.0)
        async with app.run_test(size=(120, 40)) as pilot:
            await _open_chunk(app, pilot, "pull/42", 0)
            screen = app.screen
            assert isinstance(screen, ChunkReviewScreen)

            def clock_text() -> str:
                screen.refresh_clock()
                return str(screen.query_one("#chunk-clock").render())

            assert "paused" not in clock_text()
            clock.now += 31  # no key for the idle window
            assert clock_text().endswith(" · paused")
            await pilot.press("j")  # back at the keyboard
            assert "paused" not in clock_text()


async def test_reading_every_chunk_then_approving_the_change_counts_the_reading(payments_repo: Path, warm_cache,
                                                                               tmp_path: Path) -> None:
    """Read the only chunk past its floor, then approve the whole change: stats showed coverage 0% and none of
    the reading time (only chunk reviews carry them), the look of a rubber stamp."""
    from app.report.stats import StatsQuery, compute_stats

    clock = SteppedClock()
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        app = _app(payments_repo, ledger, clock, warm_cache)
        async with app.run_test(size=(120, 40)) as pilot:
            detail, chunk = await _open_chunk(app, pilot, "docs/runbook-update", 0)
            spent = 0.0
            while spent < chunk.floor_seconds:
                clock.now += 10
                spent += 10
                await pilot.press("j")
            await pilot.press("G")
            await pilot.pause(0.06)
            await pilot.press("escape")
            await pilot.pause()
            decision = app.session.approve_change(detail)
            assert not decision.rubber_stamp
            await pilot.press("ctrl+q")
        decisions = ledger.decisions_for(app.session.repo_key, detail.change.id)
        assert [(d.chunk_hash, d.decision) for d in decisions] == [(chunk.content_hash, "approve"),
                                                                    (None, "approve")]
        figures = compute_stats(ledger, StatsQuery(repo=app.session.repo_key)).overall
        assert figures.chunks == 1 and figures.coverage == 1.0 and figures.rubber_stamps == 0
