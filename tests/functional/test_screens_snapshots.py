"""Snapshots of the stats and help screens in two themes, reached through the real app's keys
(S on the queue, ? anywhere). Look at a changed SVG by eye before accepting it."""

from __future__ import annotations

import pytest

from app.config import UserConfig
from app.storage.ledger import Ledger
from tests.functional.test_app import REVIEWER, build_app, settle
from tests.unit.test_stats import Clock, record_scenario

THEMES = ["review-dark", "review-colorblind"]


def _app(payments_repo, warm_cache, tmp_path, theme: str):
    clock = Clock()
    ledger = Ledger.open(tmp_path / "ledger.db", clock=clock)
    record_scenario(ledger, clock)  # known reviews in another repository: the stats screen shows "all"
    return build_app(payments_repo, cache=warm_cache, ledger=ledger,
                     user_config=UserConfig(reviewer_email=REVIEWER, theme=theme))


async def _open_stats(pilot) -> None:
    await settle(pilot)
    await pilot.press("S")
    await pilot.pause()
    await pilot.app.screen.workers.wait_for_complete()
    await pilot.press("a")  # every repository: the recorded reviews are not in this one
    await pilot.pause()
    await pilot.app.screen.workers.wait_for_complete()
    await pilot.pause()


async def _open_help(pilot) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
def test_snapshot_stats_screen(snap_compare, payments_repo, warm_cache, tmp_path, theme):
    assert snap_compare(_app(payments_repo, warm_cache, tmp_path, theme), terminal_size=(120, 40),
                        run_before=_open_stats)


@pytest.mark.parametrize("theme", THEMES)
def test_snapshot_help_screen(snap_compare, payments_repo, warm_cache, tmp_path, theme):
    assert snap_compare(_app(payments_repo, warm_cache, tmp_path, theme), terminal_size=(80, 24),
                        run_before=_open_help)
