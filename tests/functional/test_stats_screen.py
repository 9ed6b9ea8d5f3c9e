"""StatsScreen driven with Pilot in a host app: the same figures as `review-tui stats`, the rate
histogram with its 500 LOC/h line, the scope toggle, refresh after new reviews, and the empty ledger."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.app import App
from textual.widgets import Static

from app.report.stats import StatsQuery, compute_stats
from app.storage.ledger import Ledger
from app.tui.screens.stats import StatsScreen
from tests.unit.test_stats import BO, Clock, R, decide, read, record_scenario, utc


class Host(App[None]):
    """A minimal app hosting the screen, as ReviewApp does (it exposes `ledger`)."""

    def __init__(self, ledger: Ledger, repo_key: str | None) -> None:
        super().__init__()
        self.ledger = ledger
        self.repo_key = repo_key

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.ledger, self.repo_key))


def text_of(widget: Static) -> str:
    """The plain text of what a Static shows (its rich renderable, printed wide)."""
    console = Console(width=200, record=True, no_color=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def settle(pilot, screen: StatsScreen) -> None:
    await pilot.pause()
    await screen.workers.wait_for_complete()
    await pilot.pause()


@asynccontextmanager
async def scenario_screen(tmp_path: Path, size: tuple[int, int]) -> AsyncIterator[tuple[Any, StatsScreen]]:
    """The stats screen on record_scenario's ledger, its figures computed."""
    clock = Clock()
    with Ledger.open(tmp_path / "ledger.db", clock=clock) as ledger:
        record_scenario(ledger, clock)
        app = Host(ledger, R)
        async with app.run_test(size=size) as pilot:
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            await settle(pilot, screen)
            yield pilot, screen


async def test_screen_shows_the_commands_figures_and_toggles_scope(tmp_path: Path) -> None:
    clock = Clock()
    with Ledger.open(tmp_path / "ledger.db", clock=clock) as ledger:
        record_scenario(ledger, clock)
        app = Host(ledger, R)
        async with app.run_test(size=(160, 60)) as pilot:
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            await settle(pilot, screen)
            expected = compute_stats(ledger, StatsQuery(repo=R))
            assert screen.report is not None and screen.report.overall == expected.overall
            summary = text_of(screen.query_one("#stats-summary", Static))
            assert "3 changes and 6 chunks reviewed: 470 changed lines" in summary
            assert "Median rate 450" in summary  # of the chunk approvals: the flag has no rate
            histogram = text_of(screen.query_one("#stats-histogram", Static))
            assert "500 LOC/h" in histogram and "no rate" in histogram
            body = "\n".join(text_of(w) for w in screen.query(".stats-part").results(Static))
            assert "ana@example.com" in body and "2025-W52" in body and "Tier 0" in body

            await pilot.press("a")  # every repository: bo's review in the other repository appears
            await settle(pilot, screen)
            assert screen.all_repos and screen.report.overall.chunks == 7

            # A review recorded meanwhile shows after a refresh.
            session = ledger.start_session(BO, R)
            read(ledger, clock, session, R, "E", "e1", "e-1", utc(2026, 1, 7), 120)
            decide(ledger, clock, utc(2026, 1, 7, 1), session, BO, R, "E", "e1", "e-1", floor_seconds=60,
                   changed_lines=10, tier=3)
            await pilot.press("r")
            await settle(pilot, screen)
            assert screen.report.overall.chunks == 8

            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, StatsScreen)


async def test_empty_ledger_says_how_to_start(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        app = Host(ledger, None)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await settle(pilot, screen)
            assert screen.all_repos
            message = text_of(screen.query_one("#stats-message", Static))
            assert "No reviews recorded yet" in message and "review-tui demo" in message


async def test_an_80_column_screen_shows_whole_headers_and_figures(tmp_path: Path) -> None:
    clock = Clock()
    with Ledger.open(tmp_path / "ledger.db", clock=clock) as ledger:
        record_scenario(ledger, clock)
        long_name = "maintainers@users.noreply.example-organisation.example"  # cut to fit, not the figures
        session = ledger.start_session(long_name, R)
        read(ledger, clock, session, R, "E", "e1", "e-1", utc(2026, 1, 7), 120)
        decide(ledger, clock, utc(2026, 1, 7, 1), session, long_name, R, "E", "e1", "e-1", floor_seconds=60,
               changed_lines=10, tier=3)
        app = Host(ledger, R)
        async with app.run_test(size=(80, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            await settle(pilot, screen)
            console = Console(width=80, record=True, no_color=True, file=io.StringIO())
            for widget in screen.query(".stats-part").results(Static):
                if widget.id not in ("stats-summary",):
                    console.print(widget.content)
            lines = console.export_text().splitlines()
            headers = [line for line in lines if line.split()[:1] in (["reviewer"], ["tier"], ["week"])]
            assert len(headers) == 3 and not any("…" in line for line in headers)
            assert "1,000-1,500" in "\n".join(lines)


LONG_EMAIL = "maintainers@users.noreply.b-seed-297396ff.example"


@pytest.mark.parametrize("width", [80, 120, 160])
async def test_every_table_fits_the_screen_whole_cells_or_none(tmp_path: Path, width: int) -> None:
    """At 120 columns the reviewer table squeezed nine columns into 116 cells: "chan…", "time/fl…",
    "100% (1…". A table now keeps whole cells and leaves out its last columns instead."""
    clock = Clock()
    with Ledger.open(tmp_path / "ledger.db", clock=clock) as ledger:
        record_scenario(ledger, clock)
        session = ledger.start_session(LONG_EMAIL, R)
        at = utc(2026, 1, 6, 9)
        read(ledger, clock, session, R, "E", "e1", "e-1", at, 100)
        decide(ledger, clock, at + 200, session, LONG_EMAIL, R, "E", "e1", "e-1", floor_seconds=300,
               changed_lines=40, tier=0, ai_share=0.0)
        app = Host(ledger, R)
        async with app.run_test(size=(width, 60)) as pilot:
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            await settle(pilot, screen)
            titles = ("Reviewers", "Tiers", "Weeks", "AI share")
            tables = [text for text in (text_of(w) for w in screen.query(".stats-part").results(Static))
                      if text.startswith(titles)]
            assert len(tables) == 4  # reviewers, tiers, weeks, AI bands
            for table in tables:
                lines = [line.rstrip() for line in table.splitlines() if line.strip()]
                assert max(len(line) for line in lines) <= width - 4, table
                header, *rows = lines[1:]
                cells = [*header.split("   "), *(cell for row in rows[1:] for cell in row.split("   "))]
                cut = [cell for cell in cells if cell.strip().endswith("…")]
                # only a reviewer's address may be cut (to 24 or 32 cells); every figure and header is whole
                assert all("@" in cell for cell in cut), (cut, table)
            assert "LOC/h median" in tables[0] and "stamps" in tables[0]
            if width >= 160:  # with room, the address is whole (it was cut at 32 with 28 columns free)
                assert LONG_EMAIL in tables[0], tables[0]


async def test_the_review_apps_stats_screen_names_the_repository_as_the_command_does(make_repo) -> None:
    import subprocess

    from tests.conftest import ALICE
    from tests.functional.test_app import build_app, settle

    repo = make_repo("clone")
    repo.commit("base", {"app.py": "x = 1\n", ".review-tui.toml": '[policy]\nseniors = ["ana@example.com"]\n'},
                author=ALICE)
    subprocess.run(["git", "-C", str(repo.path), "remote", "add", "origin",
                    "git@example.com:team/payments-service.git"], check=True)
    app = build_app(repo.path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        await screen.workers.wait_for_complete()
        status = text_of(screen.query_one("#stats-status", Static))
        # and the repository's seniors, as the command in it has them (it said "no seniors configured")
        assert screen.report is not None and screen.report.seniors_known
    assert "payments-service" in status, status  # it read "repo <root commit id>"


async def test_the_tables_are_laid_out_again_when_the_terminal_is_resized(tmp_path: Path) -> None:
    """Opened at 160 columns and narrowed to 80, every cell was cut ("ch…", "time/…"); opened at 80 and
    widened, the hidden columns stayed hidden until `r`. A title is one line when it fits (it wrapped
    at the width of its table)."""
    async with scenario_screen(tmp_path, (160, 60)) as (pilot, screen):

        def reviewers() -> str:
            return next(text for text in (text_of(w) for w in screen.query(".stats-part").results(Static))
                        if text.startswith("Reviewers"))

        def header() -> list[str]:
            return next(line for line in reviewers().splitlines() if line.split()[:1] == ["reviewer"]).split()

        wide = header()
        assert "coverage" in wide
        everything = "\n".join(text_of(w) for w in screen.query(".stats-part").results(Static))
        assert "AI share of reviewed code against time spent (is AI code read faster?)" in everything
        await pilot.resize_terminal(80, 40)
        await settle(pilot, screen)
        narrow = header()
        assert len(narrow) < len(wide) and not any(cell.endswith("…") for cell in narrow), narrow
        assert max(len(line.rstrip()) for line in reviewers().splitlines()) <= 76
        await pilot.resize_terminal(160, 60)
        await settle(pilot, screen)
        assert header() == wide


async def test_g_and_shift_g_go_to_the_top_and_the_end(tmp_path: Path) -> None:
    async with scenario_screen(tmp_path, (80, 24)) as (pilot, screen):
        body = screen.query_one("#stats-body")
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y > 0
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0
