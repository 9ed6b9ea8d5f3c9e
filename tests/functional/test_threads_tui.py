"""Comment threads in the TUI, through the real app: a comment puts a mark in the gutter, `c` on that
line opens the thread (reply, resolve with ctrl+r), `C` lists every thread of the change (enter
opens, r resolves or reopens, o hides resolved ones), and what was written is in the ledger.
Snapshots of the thread dialog and the list, reviewed by eye."""

from __future__ import annotations

import itertools
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from app.config import UserConfig
from app.storage.ledger import Ledger
from app.tui.app import ReviewApp
from app.tui.screens.chunk import ChunkReviewScreen
from app.tui.screens.threads import ThreadDialog, ThreadsScreen
from app.tui.timer import ActiveTimer
from tests.functional.test_app import NOW, REVIEWER, build_app, settle


async def _chunk_on_first_added_line(app: ReviewApp, pilot: Pilot, change_id: str) -> ChunkReviewScreen:
    await settle(pilot)
    detail = app.fresh_analyzer().detail(change_id)
    screen = ChunkReviewScreen(detail, 0, app.session)
    await app.push_screen(screen)
    await pilot.pause()
    view = screen.diff_view
    added = next(i for i, row in enumerate(view.lines) if row.kind == "add")
    view.move_cursor(added)
    await pilot.pause()
    return screen


def _gutter(screen: ChunkReviewScreen) -> str:
    view = screen.diff_view
    y = view.cursor_index - round(view.scroll_y)
    return "".join(segment.text for segment in view.render_line(y))[: view.gutter_width]


async def test_comment_reply_resolve_and_the_gutter_mark(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _chunk_on_first_added_line(app, pilot, "feature/multi-currency")
        assert "●" not in _gutter(screen)
        await pilot.press("c", *"Is [bold]this[/] rounding right?", "enter")
        await pilot.pause()
        assert "●" in _gutter(screen)
        await pilot.press("c")  # the line has a thread now: c opens it
        dialog = app.screen
        assert isinstance(dialog, ThreadDialog)
        assert "Is [bold]this[/] rounding right?" in str(dialog.query_one("#thread-body").render())
        await pilot.press(*"Yes: banker's rounding.", "enter")
        await pilot.press("ctrl+r")
        assert dialog.thread.resolved and len(dialog.thread.replies) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and "✓" in _gutter(screen)
        repo_key = app.session.repo_key
        await pilot.press("ctrl+q")
    with Ledger.open(app.ledger.path) as ledger:
        [thread] = ledger.threads_for(repo_key, "feature/multi-currency")
        assert [c.body for c in thread.comments] == ["Is [bold]this[/] rounding right?", "Yes: banker's rounding."]
        assert thread.resolved and thread.resolved_by is not None and thread.resolved_by.reviewer == REVIEWER


async def test_the_thread_list_opens_resolves_and_filters(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _chunk_on_first_added_line(app, pilot, "feature/multi-currency")
        await pilot.press("c", *"first", "enter")
        screen.diff_view.move_cursor(screen.diff_view.cursor_index + 1)
        await pilot.press("c", *"second", "enter")
        await pilot.press("C")
        listing = app.screen
        assert isinstance(listing, ThreadsScreen) and len(listing.threads) == 2
        assert [t.root.body for t in listing.threads] == ["first", "second"]  # file and line order
        await pilot.press("r")  # resolve the first: open threads come first, so it moves down
        assert [(t.root.body, t.resolved) for t in listing.threads] == [("second", False), ("first", True)]
        await pilot.press("o")  # open ones only
        assert [t.root.body for t in listing.threads] == ["second"]
        await pilot.press("enter")
        assert isinstance(app.screen, ThreadDialog) and app.screen.thread.root.body == "second"
        await pilot.press("escape", "escape")
        assert app.screen is screen
        await pilot.press("ctrl+q")


async def test_the_change_screen_lists_threads_too(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await _chunk_on_first_added_line(app, pilot, "feature/multi-currency")
        await pilot.press("c", *"look here", "enter", "escape")
        await settle(pilot)
        queue = app.screen
        table = queue.query_one("#queue-table", DataTable)
        row = next(i for i, r in enumerate(queue.rows) if r.id == "feature/multi-currency")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("C")
        assert isinstance(app.screen, ThreadsScreen)
        assert [t.root.body for t in app.screen.threads] == ["look here"]
        await pilot.press("escape", "ctrl+q")


def _app_with_a_thread(payments_repo: Path, warm_cache, tmp_path: Path) -> ReviewApp:
    """A real app whose ledger already holds a resolved thread with a reply, and an open one."""
    # an hour or two ago, ten minutes apart; then (the session's own records) now: the clock never runs
    # out (a StopIteration inside the running app left the snapshot waiting for ever)
    times = itertools.chain(range(int(NOW) - 7_200, int(NOW), 600), itertools.repeat(int(NOW)))
    ledger = Ledger.open(tmp_path / "ledger.db", clock=lambda: float(next(times)))
    app = build_app(payments_repo, cache=warm_cache, ledger=ledger,
                    user_config=UserConfig(reviewer_email=REVIEWER))
    # the review timer stands still: under load a second passed before the snapshot ("spent 0m01s")
    app.session.timer = ActiveTimer(clock=lambda: 5_000.0)
    detail = app.fresh_analyzer().detail("feature/multi-currency")
    chunk = detail.plan.chunks[0]
    path = chunk.files[0]
    root = app.session.comment(detail, chunk, path, 12, "new", "Why is the rate cached per request?")
    [thread] = app.session.threads(detail)
    app.session.reply(detail, thread, "So one charge never sees two rates.")
    app.session.set_resolved(detail, thread, True)
    app.session.comment(detail, chunk, path, None, "new", "This module wants a docstring.")
    assert root.record_id
    return app


def test_snapshot_thread_list(snap_compare, payments_repo: Path, warm_cache, tmp_path: Path) -> None:
    app = _app_with_a_thread(payments_repo, warm_cache, tmp_path)

    async def open_list(pilot: Pilot) -> None:
        await settle(pilot)
        detail = app.fresh_analyzer().detail("feature/multi-currency")
        await app.push_screen(ChunkReviewScreen(detail, 0, app.session))
        await pilot.pause()
        await pilot.press("C")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=open_list)


def test_snapshot_thread_dialog(snap_compare, payments_repo: Path, warm_cache, tmp_path: Path) -> None:
    app = _app_with_a_thread(payments_repo, warm_cache, tmp_path)

    async def open_thread(pilot: Pilot) -> None:
        await settle(pilot)
        detail = app.fresh_analyzer().detail("feature/multi-currency")
        await app.push_screen(ChunkReviewScreen(detail, 0, app.session))
        await pilot.pause()
        await pilot.press("C")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=open_thread)


async def test_the_thread_list_gives_the_comment_the_width_left_at_mount(payments_repo: Path, warm_cache,
                                                                          tmp_path: Path) -> None:
    """At mount the table had no width yet and the comment column took its 12-cell minimum."""
    body = "Rounding half-even here differs from the ledger's half-up"
    for size in ((80, 24), (120, 40)):
        app = build_app(payments_repo, cache=warm_cache, ledger=Ledger.open(tmp_path / f"ledger-{size[0]}.db"))
        async with app.run_test(size=size) as pilot:
            await _chunk_on_first_added_line(app, pilot, "feature/multi-currency")
            await pilot.press("c", *body, "enter")
            await pilot.press("C")
            listing = app.screen
            assert isinstance(listing, ThreadsScreen)
            table = listing.query_one("#threads-table", DataTable)
            fixed = sum(width + 2 for _, width in listing.fixed_columns())
            comment = next(c for c in table.columns.values() if str(c.key.value) == "comment")
            assert comment.width == max(12, table.size.width - fixed - 4) > 12, size
            shown = "".join(segment.text for segment in table.render_line(1))
            expected = body if len(body) <= comment.width else body[: comment.width - 1]  # then an ellipsis
            assert expected in shown, (size, shown)
