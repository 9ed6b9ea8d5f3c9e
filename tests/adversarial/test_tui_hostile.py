"""The TUI on a hostile repository: every screen rendered with Pilot, and what Textual outputs
(the compositor's strips and the exported screenshot) scanned for control characters from content.

Visits the queue, then for every change its change screen with each of its panels (plan, why,
commits) and the first chunks of its plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.config import UserConfig
from app.paths import ledger_path
from app.storage.ledger import Ledger

from .hostile import build_history, forbidden_chars, kitchen_sink_plan, octopus

tui_app = pytest.importorskip("app.tui.app")

NOW = 1_767_225_600 + 86_400 * 30


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory) -> Path:
    repo = build_history(tmp_path_factory.mktemp("tui-sink") / "repo", kitchen_sink_plan())
    octopus(repo)
    return repo


def screen_text(app) -> str:
    """Everything on screen as Textual composed it: every segment of every strip, plus the
    exported screenshot (the SVG escapes markup, but a control character would pass through)."""
    update = app.screen._compositor.render_update(full=True)
    parts = [segment.text for strip in getattr(update, "strips", []) for segment in strip]
    return "".join(parts) + "\n" + app.export_screenshot()


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def scan(pilot, where: str, seen: dict[str, str]) -> None:
    await settle(pilot)
    text = screen_text(pilot.app)
    bad = forbidden_chars(text)
    assert not bad, f"{where}: {bad[:5]}"
    seen[where] = text


async def test_every_screen_shows_hostile_content_as_inert_text(hostile_repo: Path) -> None:
    analyzer = Analyzer(hostile_repo)
    ids = [c.id for c in analyzer.discovery.changes]
    ledger = Ledger.open(ledger_path())
    app = tui_app.make_app(analyzer, user_config=UserConfig(reviewer_email="r@example.com"), ledger=ledger,
                           now=NOW)
    seen: dict[str, str] = {}
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await scan(pilot, "queue", seen)
            for row in range(len(ids)):
                await pilot.press("home", *(["down"] * row), "enter")
                await scan(pilot, f"change #{row}", seen)
                if app.screen is app.screen_stack[0]:  # a change with an error does not open
                    continue
                for panel in ("p", "w", "c"):
                    await pilot.press(panel)
                    await scan(pilot, f"change #{row} panel {panel}", seen)
                await pilot.press("enter")
                await scan(pilot, f"change #{row} chunk 1", seen)
                for n in range(2, 4):
                    await pilot.press("n", "pagedown", "end")
                    await scan(pilot, f"change #{row} chunk {n}", seen)
                while len(app.screen_stack) > 1:
                    await pilot.press("escape")
                    await settle(pilot)
    finally:
        app.end_session()
        ledger.close()
    assert sum(s.startswith("change #") and "chunk" in s for s in seen) >= 5, list(seen)
    # the hostile content did reach the screen, as visible symbols: the scan saw the real thing
    assert any("␛" in text for text in seen.values())
