"""Long lists in the TUI: G / End go to the last row and g / Home to the first, and the view scrolls
there, in a review plan of 2,000 chunks (a real repository with a change of 2,000 small files, chunked
at the least chunk size) and in a queue longer than the screen."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.conftest import ALICE
from tests.functional.test_app import build_app, queue_screen, settle
from tests.functional.test_change_screen import first_chunk_footer, open_change
from tests.functional.test_reading_screens import _screen_text

FILES = 2_000
TEN_LINES = "".join(f"line {n}\n" for n in range(10))


@pytest.fixture
def huge_change(make_repo):
    repo = make_repo()
    repo.commit("init", {"README.md": "x\n", ".review-tui.toml": "[chunks]\ntarget_lines = 10\n"}, author=ALICE)
    repo.branch("feature/huge")
    repo.commit("huge change", {f"d{n // 50}/f{n % 50:02d}.txt": TEN_LINES for n in range(FILES)},
                branch="feature/huge", author=ALICE)
    return repo.path


def _row_on_screen(text: str, index: int, title: str) -> bool:
    return any(line.split()[:2] == [str(index), title] for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("last_key,first_key", [("G", "g"), ("end", "home")])
async def test_last_and_first_keys_move_through_a_2000_chunk_plan(huge_change, last_key, first_key):
    app = build_app(huge_change)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature/huge")
        chunks = screen.detail.plan.chunks
        assert len(chunks) == FILES
        first, last = chunks[0].title, chunks[-1].title  # in path order: d0/f00.txt ... d9/f49.txt
        table = screen.query_one("#chunks-table", DataTable)
        for _ in range(600):  # the rows arrive over several paints, later on a loaded machine: all of them first
            if table.row_count == FILES:
                break
            await pilot.pause(0.05)
        await pilot.press(last_key)
        await settle(pilot)
        assert table.row_count == FILES and table.cursor_row == FILES - 1
        text = _screen_text(app)
        assert _row_on_screen(text, FILES, last), text  # the whole index: "2000", not "200"
        assert not _row_on_screen(text, 1, first)
        await pilot.press(first_key)
        await settle(pilot)
        assert table.cursor_row == 0
        text = _screen_text(app)
        assert _row_on_screen(text, 1, first) and not _row_on_screen(text, FILES, last)


async def test_last_pressed_while_the_plan_fills_in_stays_on_a_row_it_moved_to(huge_change):
    """The plan's rows arrive over several paints; the cursor is put back on its row once, not on
    every batch (that undid a G pressed meanwhile)."""
    app = build_app(huge_change)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature/huge")
        table = screen.query_one("#chunks-table", DataTable)
        screen._fill_chunks()  # as a resize or a recorded decision does
        await pilot.press("G")
        moved_to = table.cursor_row
        assert moved_to > 0
        for _ in range(500):  # the rows arrive one batch per paint; a loaded machine paints slower
            if table.row_count == FILES:
                break
            await pilot.pause(0.01)
        await settle(pilot)
        assert table.row_count == FILES and table.cursor_row >= moved_to


async def test_last_and_first_keys_move_through_a_queue_longer_than_the_screen(make_repo):
    repo = make_repo()
    repo.commit("init", {"README.md": "x\n"}, author=ALICE)
    for n in range(30):
        repo.branch(f"topic/{n:02d}")
        repo.commit(f"change {n}", {f"t{n}.txt": TEN_LINES}, branch=f"topic/{n:02d}", author=ALICE)
    app = build_app(repo.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        table = queue.query_one("#queue-table", DataTable)
        rows = table.row_count
        assert rows == len(queue.rows) >= 30, [r.id for r in queue.rows]
        last, first = queue.rows[-1].id, queue.rows[0].id
        for key in ("G", "end"):
            await pilot.press("g", key)
            await pilot.pause()
            assert table.cursor_row == rows - 1 and last in _screen_text(app) and first not in _screen_text(app)
        for key in ("g", "home"):
            await pilot.press("G", key)
            await pilot.pause()
            assert table.cursor_row == 0 and first in _screen_text(app) and last not in _screen_text(app)


async def test_last_and_first_keys_move_through_the_file_list_of_a_2000_file_change(huge_change):
    app = build_app(huge_change)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature/huge")
        last_file = screen.detail.files[-1].path
        await pilot.press("F")
        await settle(pilot)
        table = app.screen.query_one("#files-table", DataTable)
        assert table.row_count == FILES
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor_row == FILES - 1 and last_file in _screen_text(app)
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor_row == 0 and last_file not in _screen_text(app)


async def test_the_help_key_stays_in_the_footer_of_a_narrow_chunk_screen(huge_change):
    """At 80 columns Textual's footer cut its last keys, and "? Keys" came last ("? Ke▏^p Palette")."""
    app = build_app(huge_change)
    async with app.run_test(size=(80, 24)) as pilot:
        footer = await first_chunk_footer(pilot, "feature/huge")
        assert "? Keys" in footer and "^p Palette" in footer and "tab Next" in footer, footer
        await pilot.resize_terminal(150, 24)
        await settle(pilot)
        wide = _screen_text(app).splitlines()[-1]
        assert "esc Back" in wide and "? Keys" in wide, wide  # wider: the keys left out come back


async def test_the_chunk_headers_floor_derivation_wraps_between_values_and_follows_the_width(payments_repo,
                                                                                            warm_cache):
    """The figures line ends with the floor's derivation: cut on one line at 80 columns, then wrapped by
    Rich inside a value ("= 47m" / "45s"); it keeps values whole and is laid out again on resize."""
    import re

    from textual.widgets import Static

    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_chunk_footer(pilot, "feature/retry-refactor-claude")
        figures = app.screen.query_one("#chunk-figures", Static)
        narrow = str(figures.render()).splitlines()
        assert len(narrow) == 2 and all(len(line) <= 78 for line in narrow), narrow
        assert not any(re.search(r"\d+m$", line) for line in narrow), narrow  # "28m" / "37s" split
        await pilot.resize_terminal(320, 24)  # the header says its 2 re-indented lines, skimmed, too (FIX64)
        await settle(pilot)
        assert len(str(figures.render()).splitlines()) == 1
