"""Keys typed ahead (app/tui/typeahead.py), through the real app on the payments sample: a burst
of keys - what a terminal delivers after a slow step held the screen still, or a paste - acts key
by key where the keys before it led (`/sdk` searches for "sdk" instead of re-sorting the queue),
and a key typed before the screen it would reach was shown is dropped with a notice (it never
approves a chunk nobody has seen yet, nor answers a question nobody has read). Keys typed while
a change is still being analysed act on the loading screen and are not kept for the plan."""

from __future__ import annotations

import threading
from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from app.analysis.analyzer import Analyzer
from app.tui.app import ReviewApp
from app.tui.screens.change import ChangeScreen
from app.tui.screens.chunk import ChunkReviewScreen
from app.tui.screens.dialogs import ConfirmDialog
from tests.functional.test_app import build_app, queue_screen, settle

CHARACTERS = {"slash": "/", "enter": "\r", "escape": "\x1b"}


def burst(app: ReviewApp, keys: list[str]) -> None:
    """Keys read from the terminal in one go (as the driver posts them), before any is handled."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))


async def delivered(pilot: Pilot) -> None:
    """Until every key of the burst went out (or was dropped) and its effects settled."""
    app = pilot.app
    assert isinstance(app, ReviewApp)
    for _ in range(400):
        await pilot.pause(0.01)
        if app.typeahead.idle:
            break
    assert app.typeahead.idle
    await pilot.pause(0.05)


def notices(app: ReviewApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_keys_typed_after_slash_go_into_the_search_line(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        burst(app, ["slash", "s", "d", "k"])
        await delivered(pilot)
        # before: "/" opened the search line and "s", "d", "k" went to the table (s re-sorted it)
        assert isinstance(app.focused, Input) and app.focused.value == "sdk"
        assert queue.sort_key == "rank"
        await settle(pilot)
        assert [row.id for row in queue.rows] == ["ai/generated-sdk-client"]
        # the queue re-filtered while the search line was open: its label stays (it used to be
        # overwritten by the filter summary, leaving an Input with no prompt)
        assert str(queue.query_one("#filter-summary", Static).content) == "/"
        burst(app, ["enter", "j"])  # enter closes the search line; j then moves the table's cursor
        await delivered(pilot)
        assert isinstance(app.focused, DataTable) and queue.filters.search == "sdk"
        assert "sdk" in str(queue.query_one("#filter-summary", Static).content)


async def test_a_key_typed_before_the_chunk_appeared_never_decides_on_it(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # open the top change and let its plan load
        await app.workers.wait_for_complete()
        await pilot.pause()
        change = app.screen
        assert isinstance(change, ChangeScreen) and change.detail is not None
        # enter opens chunk 1; "a" was typed before that chunk was on screen: it must not approve it
        burst(app, ["enter", "a"])
        await delivered(pilot)
        assert isinstance(app.screen, ChunkReviewScreen)
        assert app.ledger.decisions_for(app.session.repo_key, change.detail.change.id) == []
        assert "1 key typed before this screen appeared was ignored." in notices(app)
        # typed once the chunk is on screen, the same key approves (asking first: below its floor)
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmDialog)


async def test_a_typed_ahead_yes_never_answers_a_question_not_yet_asked(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        assert isinstance(app.screen, ChunkReviewScreen)
        detail = app.screen.detail
        burst(app, ["a", "y"])  # approve below the floor asks first; the "y" came before the question
        await delivered(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.ledger.decisions_for(app.session.repo_key, detail.change.id) == []
        await pilot.press("y")  # answered once it is on screen: a rubber stamp, recorded as one
        decisions = app.ledger.decisions_for(app.session.repo_key, detail.change.id)
        assert [(d.decision, d.fast) for d in decisions] == [("approve", True)]


async def test_keys_typed_while_a_change_loads_are_not_kept_for_its_plan(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    gate = threading.Event()

    class SlowDetail(Analyzer):
        def change_plan(self, change, order: str = "risk"):  # type: ignore[no-untyped-def]
            return None  # no cached plan: the screen has nothing to act on until the analysis ends

        def detail(self, change, **options):  # type: ignore[no-untyped-def]
            gate.wait(30)
            return super().detail(change, **options)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app._analyzer_factory = lambda: SlowDetail(payments_repo, cache=warm_cache)
        await pilot.press("enter")
        change = app.screen
        assert isinstance(change, ChangeScreen) and change.detail is None
        await pilot.press("j", "j", "enter", "A")  # while the plan is still being analysed
        assert isinstance(app.screen, ChangeScreen)
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        # the plan arrived: nothing typed during the load acted on it
        assert app.screen is change and change.detail is not None
        assert change.query_one("#chunks-table", DataTable).cursor_row == 0
        assert app.ledger.decisions_for(app.session.repo_key, change.detail.change.id) == []
        assert "The change is still loading." in notices(app)


async def test_back_back_quit_typed_in_one_burst_goes_back_twice_and_quits(payments_repo: Path, warm_cache) -> None:
    """STOP51: Escape, Escape, q sent in one burst on a chunk screen left the change screen up: the second Escape
    and the q were typed before the screens they reached were uncovered, and dropped. A key that leaves a screen
    the reader has seen before (its back or quit key) acts on it; any other key typed ahead is still dropped."""
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        assert isinstance(app.screen, ChunkReviewScreen)
        change = app.screen.detail.change
        burst(app, ["escape", "A"])  # back, then approve the whole change, typed before its screen was back
        await delivered(pilot)
        assert isinstance(app.screen, ChangeScreen)
        assert app.ledger.decisions_for(app.session.repo_key, change.id) == []  # "A" was dropped
        await pilot.press("enter")
        assert isinstance(app.screen, ChunkReviewScreen)
        burst(app, ["escape", "escape", "q"])
        for _ in range(200):
            await pilot.pause(0.01)
            if not app.is_running or app.return_code is not None:
                break
        assert app.return_code == 0, [type(s).__name__ for s in app.screen_stack]
