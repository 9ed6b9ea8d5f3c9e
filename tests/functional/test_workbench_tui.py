"""The queue and the app shell as a reviewer meets them (issue 14, "Broken today"): the queue moves
with j/k, g/G and Home/End, keeps the title at 80 and 120 columns, searches touched paths; the
command palette lists each command once; the flag dialog has no sample-repo placeholder; the
`next_chunk = "n,right"` (once the README's example) works. All through the real app (make_app) on the
payments sample."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input

from app.config import UserConfig
from app.tui.screens.change import ChangeScreen
from app.tui.screens.chunk import ChunkReviewScreen
from app.tui.screens.dialogs import TextInputDialog
from app.tui.screens.queue import QueueScreen, visible_columns
from tests.functional.test_app import REVIEWER, build_app, queue_screen, settle


def _cursor(app) -> int:
    return queue_screen(app).query_one("#queue-table").cursor_row


async def test_queue_moves_with_vi_keys_and_home_end(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        last = len(queue_screen(app).rows) - 1
        assert last > 5
        await pilot.press("j", "j", "j")
        assert _cursor(app) == 3
        await pilot.press("k")
        assert _cursor(app) == 2
        await pilot.press("G")
        assert _cursor(app) == last
        await pilot.press("g")
        assert _cursor(app) == 0
        await pilot.press("end")
        assert _cursor(app) == last
        await pilot.press("home")
        assert _cursor(app) == 0


def _queue_text(app) -> str:
    table = queue_screen(app).query_one("#queue-table")
    return "\n".join("".join(segment.text for segment in table.render_line(y)) for y in range(table.size.height))


async def test_the_queue_keeps_titles_at_80_and_120_columns(payments_repo: Path, warm_cache) -> None:
    for size in ((80, 24), (120, 40)):
        app = build_app(payments_repo, cache=warm_cache)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            text = _queue_text(app)
            row = next(r for r in queue_screen(app).rows if r.id == "pull/42")
            shown = [line for line in text.splitlines() if "pull/42" in line]
            assert shown, (size, text)
            # the first words of the PR's title are on its row, whatever the width
            assert row.title.split()[0] in shown[0], (size, shown[0])


async def test_without_a_title_column_ids_stay_readable_and_pr_refs_say_what_they_are(payments_repo: Path,
                                                                                      warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert "title" not in [column.key for column, _ in visible_columns(100)]
        lines = _queue_text(app).splitlines()
        branches = [row for row in queue.rows if row.report.change.kind == "branch"]
        assert branches
        room = {column.key: width for column, width in visible_columns(100)}["change"]
        for row in branches:  # a branch name that fits is whole: no title squeezes it into fragments
            if len(row.id) <= room:
                assert any(row.id in line for line in lines), (row.id, "\n".join(lines))
            assert not any(row.title and row.title[:12] in line for line in lines), row.title
        pr = next(row for row in queue.rows if row.id == "pull/42")
        shown = next(line for line in lines if "pull/42" in line)
        assert pr.title.split()[0] in shown, shown


async def test_search_matches_the_paths_a_change_touches(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        await pilot.press("slash")
        await pilot.press(*"retry.py")
        await pilot.press("enter")
        await settle(pilot)
        ids = {row.id for row in queue.rows}
        assert "feature/retry-refactor-claude" in ids  # touches payments/retry.py; no id or title says so
        details = {row.id: app.fresh_analyzer().detail(row.id) for row in queue.rows}
        for change_id, detail in details.items():
            haystack = [change_id, detail.change.title, *detail.change.authors,
                        *(f.path for f in detail.files), *(f.old_path or "" for f in detail.files)]
            assert any("retry.py" in text.casefold() for text in haystack), change_id


async def test_the_command_palette_lists_each_command_once(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        options = palette.query_one("CommandList")
        titles = [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]
        assert titles and len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
        assert sum("Quit" in t for t in titles) == 1
        await pilot.press("escape")


async def test_the_flag_dialog_has_a_neutral_placeholder(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = app.fresh_analyzer().detail("pull/42")
        await app.push_screen(ChunkReviewScreen(detail, 0, app.session))
        await pilot.pause()
        await pilot.press("f")
        assert isinstance(app.screen, TextInputDialog)
        placeholder = app.screen.query_one(Input).placeholder
        assert "retry" not in placeholder and placeholder == "what should change, and why"
        await pilot.press("escape")


async def test_the_n_right_key_example_works(payments_repo: Path, warm_cache) -> None:
    """`[keys] next_chunk = "n,right"`: accepted, and right moves to the next chunk; the start notes name the
    two actions left without a key (sideways scroll and next search match), nothing else."""
    config = UserConfig(reviewer_email=REVIEWER, keys={"next_chunk": "n,right"})
    app = build_app(payments_repo, cache=warm_cache, user_config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        notes = [str(n.message) for n in app._notifications if "keys" in str(n.message)]
        assert len(notes) == 2 and all(note.startswith("keys: next_chunk = 'n,→' takes") for note in notes), notes
        detail = app.fresh_analyzer().detail("infra/recreate-staging-env")
        screen = ChunkReviewScreen(detail, 0, app.session)
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press("right")
        assert screen.index == 1
        await pilot.press("n")
        assert screen.index == 2
        assert isinstance(app.screen_stack[0], QueueScreen) and not isinstance(app.screen, ChangeScreen)
