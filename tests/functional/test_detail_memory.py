"""Issue 18, memory: the app keeps the details of closed changes only within a budget of diff lines. A detail holds
its change's whole diff: lazygit's pr/296 (3.2 million vendored lines) kept 146 MB of lines alone after its screen
was closed, for the rest of the session. The real app on the payments sample, with the budget scaled down."""

from __future__ import annotations

import gc
import weakref

import app.tui.app as tui_app
from app.tui.screens.change import ChangeScreen
from tests.functional.test_app import build_app, queue_screen, settle


async def open_change(pilot, change_id: str) -> ChangeScreen:
    """Open `change_id` as Enter on its row does; wait for its detail."""
    queue_screen(pilot.app).open_change(change_id)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChangeScreen) and screen.detail is not None and screen.report.id == change_id
    return screen


def held_lines(detail) -> int:
    """As the app's budget counts them: a collapsed file's lines are let go while its screen is open (shed.py)."""
    return tui_app.held_lines(detail)


async def _back(pilot) -> None:
    await pilot.press("escape")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "QueueScreen"


async def test_closing_a_change_over_the_budget_releases_its_diff(payments_repo, warm_cache, monkeypatch):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        rows = {row.id: row for row in queue_screen(app).rows}
        sized = sorted((row.report.figures.lines_added + row.report.figures.lines_deleted, change_id)
                       for change_id, row in rows.items() if row.report.assessment is not None)
        small_id, big_id = sized[0][1], sized[-1][1]
        small = await open_change(pilot, small_id)
        small_lines = held_lines(small.detail)
        await _back(pilot)
        big = await open_change(pilot, big_id)
        big_detail = big.detail
        big_lines = held_lines(big_detail)
        assert big_lines > 2 * small_lines
        # the big change alone is over the budget
        monkeypatch.setattr(app._details, "lines", big_lines - 1, raising=False)
        assert app.cached_detail(rows[big_id].report) is big_detail  # kept while its screen is open
        released = weakref.ref(big_detail)
        del big_detail, big
        await _back(pilot)
        gc.collect()
        assert app.cached_detail(rows[big_id].report) is None
        assert released() is None, gc.get_referrers(released())  # nothing else holds its diff
        assert app.cached_detail(rows[small_id].report) is not None  # within the budget: reopens at once
        assert app.opened_report(rows[big_id].report) is not None  # its analysed report stays
        # reopened, it is read again, and the same plan comes back
        again = await open_change(pilot, big_id)
        assert held_lines(again.detail) == big_lines


async def test_the_details_kept_are_the_newest_within_the_line_budget(payments_repo, warm_cache, monkeypatch):
    monkeypatch.setattr(tui_app, "DETAIL_CACHE_LINES", 0)
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        ids = [row.id for row in queue_screen(app).rows if row.report.assessment is not None][:2]
        first = await open_change(pilot, ids[0])
        assert app.cached_detail(first.report) is first.detail
        await _back(pilot)
        assert app._details.keys() == []  # a budget of no lines keeps no closed change
        await open_change(pilot, ids[1])
        assert [change_id for change_id, _head in app._details.keys()] == [ids[1]]  # noqa: SIM118
