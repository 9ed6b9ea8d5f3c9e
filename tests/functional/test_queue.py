"""The queue screen on real repositories: every pending change ranked riskiest first, sorting by key
and by header click, each filter, search, progressive rows, failed and empty repositories, narrow
terminals, and snapshots in two themes."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from app.analysis.analyzer import Analyzer, rank
from app.config import UserConfig
from app.core.text import compact_number
from app.storage.ledger import NewDecision
from app.tui.messages import ReportArrived
from app.tui.screens.queue import COLUMN_BY_KEY, QueueScreen, line_counts, sort_rows, visible_columns
from app.tui.widgets.filter_bar import QueueFilters
from tests.conftest import ALICE, SAMPLES
from tests.functional.test_app import REVIEWER, build_app, queue_screen, settle


def ids(queue: QueueScreen) -> list[str]:
    return [row.id for row in queue.rows]


def table_column(queue: QueueScreen, key: str) -> list[str]:
    table = queue.query_one("#queue-table", DataTable)
    return [cell.plain.strip() for cell in table.get_column(key)]


def hold_analysis_before(report: int, monkeypatch) -> threading.Event:
    """Hold the real analysis thread before it emits its `report`-th report (a busy machine's pause) until the
    returned event is set (or 30 s pass)."""
    import app.analysis.analyzer as analyzer_module

    go_on = threading.Event()
    emit = analyzer_module._Pass.emit

    def held_emit(run, arrived):
        if len(run.reports) == report - 1:
            go_on.wait(30)
        emit(run, arrived)

    monkeypatch.setattr(analyzer_module._Pass, "emit", held_emit)
    return go_on


async def until_rows(pilot, queue: QueueScreen, count: int, also: Callable[[], bool] = lambda: True) -> None:
    """Wait (up to 5 s) until the queue shows `count` rows and `also` holds."""
    for _ in range(500):
        await pilot.pause(0.01)
        if len(queue.rows) == count and also():
            break


@pytest.fixture
def expected(payments_repo, warm_cache):
    """The analysis the queue must show: every pending change, ranked by the analysis layer."""
    return rank(Analyzer(payments_repo, cache=warm_cache).analyze_all())


async def test_queue_lists_every_pending_change_ranked_riskiest_first(payments_repo, warm_cache, expected):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert ids(queue) == [r.id for r in expected]
        assert len(ids(queue)) == 15
        # by band (a destructive operation makes a change critical whatever its score), then score
        bands = ["critical", "high", "medium", "low"]
        keys = [(bands.index(row.band), -row.score) for row in queue.rows]
        assert keys == sorted(keys)
        assert queue.rows[0].band == "critical"
        # what the table draws: rank, id, complete complexity figures, status of an empty ledger
        assert table_column(queue, "rank") == [str(i) for i in range(1, 16)]
        assert table_column(queue, "change") == [r.id for r in expected]
        assert "…" not in table_column(queue, "cc")
        assert set(table_column(queue, "status")) == {"new"}
        assert table_column(queue, "band")[0].endswith("critical")
        status = queue.query_one("#queue-status", Static)
        assert "15 pending changes against origin/main" in str(status.content)


async def test_enter_opens_the_selected_change(payments_repo, warm_cache):
    from app.tui.screens.change import ChangeScreen

    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChangeScreen)
        assert app.screen.report.id == queue_screen(app).rows[1].id


async def test_cursor_stays_on_top_while_a_cold_analysis_re_ranks_rows(payments_repo):
    """Rows arrive in discovery order and re-rank as they complete: until the reviewer moves, the
    cursor must stay on rank 1, so 'down down enter' opens rank 3, not whatever arrived first."""
    from app.tui.screens.change import ChangeScreen

    app = build_app(payments_repo, cache=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert len(queue.rows) == 15
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChangeScreen)
        assert app.screen.report.id == queue.rows[2].id
        assert queue.rows[2].id == rank(Analyzer(payments_repo).analyze_all())[2].id


async def test_sort_key_cycles_columns_and_reverse_flips(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        await pilot.press("s", "s")  # rank -> score -> tier
        await pilot.pause()
        assert queue.sort_key == "tier"
        tiers = [row.tier for row in queue.rows]
        assert tiers == sorted(tiers)
        await pilot.press("R")
        await pilot.pause()
        assert [row.tier for row in queue.rows] == sorted(tiers, reverse=True)
        for _ in range(4):  # tier -> impact -> ai -> cc -> lines
            await pilot.press("s")
        await pilot.pause()
        assert queue.sort_key == "lines"
        lines = [row.lines for row in queue.rows]
        assert lines == sorted(lines, reverse=True)  # biggest first
        assert queue.rows[0].id == "ai/generated-sdk-client"
        header = queue.query_one("#queue-table", DataTable).columns
        assert any("▼" in str(column.label) for column in header.values())


async def test_p_orders_by_risk_per_review_minute_and_back(payments_repo, warm_cache, expected):
    """For a reviewer with a fixed amount of time: the most expected cost per floor minute first."""
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert "impact" in [c.key.value for c in queue.query_one("#queue-table", DataTable).ordered_columns]
        await pilot.press("p")
        await pilot.pause()
        assert queue.sort_key == "per_minute"
        per_minute = [row.per_minute for row in queue.rows]
        assert None not in per_minute and per_minute == sorted(per_minute, reverse=True)
        assert ids(queue) == [r.id for r in rank(expected, "per-minute")]
        assert queue._sort_label() == "risk per review minute ▼"
        await pilot.press("p")
        await pilot.pause()
        assert queue.sort_key == "rank" and ids(queue) == [r.id for r in expected]


async def test_clicking_a_header_sorts_by_that_column(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        table = queue.query_one("#queue-table", DataTable)
        x = 0
        for column in table.ordered_columns:
            if column.key.value == "author":
                break
            x += column.get_render_width(table)
        await pilot.click("#queue-table", offset=(x + 2, 0))
        await pilot.pause()
        assert queue.sort_key == "author"
        authors = [row.first_author.casefold() for row in queue.rows]
        assert authors == sorted(authors)
        await pilot.click("#queue-table", offset=(x + 2, 0))  # again: reversed
        await pilot.pause()
        assert [row.first_author.casefold() for row in queue.rows] == sorted(authors, reverse=True)


async def test_each_filter_and_clearing_them(payments_repo, warm_cache, expected):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        await pilot.press("t")  # tier T0
        await pilot.pause()
        assert set(ids(queue)) == {r.id for r in expected if r.assessment.tiers.tier == 0}
        assert all(row.tier == 0 for row in queue.rows)
        await pilot.press("t")  # T1
        await pilot.pause()
        assert set(ids(queue)) == {r.id for r in expected if r.assessment.tiers.tier == 1}
        await pilot.press("x", "b")  # band critical
        await pilot.pause()
        assert set(ids(queue)) == {r.id for r in expected if r.assessment.risk.band == "critical"} != set()
        await pilot.press("b")  # high
        await pilot.pause()
        assert set(ids(queue)) == {r.id for r in expected if r.assessment.risk.band == "high"} != set()
        await pilot.press("x", "i")  # AI only
        await pilot.pause()
        ai = {r.id for r in expected if r.assessment.ai.share or r.assessment.ai.tools}
        assert set(ids(queue)) == ai and len(ai) == 6
        filter_line = str(queue.query_one("#filter-summary", Static).content)
        assert "AI only" in filter_line and "6 of 15" in filter_line
        await pilot.press("x", "w", *"nobody-by-this-name", "enter")  # nothing matches: the table says so
        await pilot.pause()
        empty = queue.query_one("#queue-empty", Static)
        assert ids(queue) == [] and empty.display
        assert str(empty.content).startswith("No change matches the filter (author ~ nobody-by-this-name): x clears")
        await pilot.press("x", "w", *"priya", "enter")
        await pilot.pause()
        assert not empty.display
        assert set(ids(queue)) == {r.id for r in expected if any("Priya" in a for a in r.change.authors)}
        assert len(ids(queue)) >= 2
        assert queue.query_one("#queue-table", DataTable).has_focus  # enter went back to the table
        await pilot.press("x")
        await pilot.pause()
        assert len(ids(queue)) == 15 and not queue.filters.active


async def test_unreviewed_filter_hides_approved_and_flagged_changes_but_not_rubber_stamps(
        payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        analyzer = Analyzer(payments_repo, cache=warm_cache)
        session = app.session
        # a rubber stamp: the whole change approved without opening anything
        stamped = analyzer.detail("docs/runbook-update")
        session.approve_change(stamped)
        # flagged: a chunk opened and changes requested
        flagged = analyzer.detail("fix/ledger-double-post")
        session.show_chunk(flagged, flagged.plan.chunks[0])
        session.hide_chunk()
        session.flag(flagged, flagged.plan.chunks[0], "posts twice on retry")
        # approved: every chunk read for at least its floor (recorded as the ledger would after reading)
        read = analyzer.detail("pull/42")
        for chunk in read.plan.chunks:
            session.show_chunk(read, chunk)
            session.ledger.record_decision(NewDecision(
                session_id=session.session_id, reviewer=session.reviewer, repo=session.repo_key,
                change_id=read.change.id, head=read.change.head, chunk_hash=chunk.content_hash,
                decision="approve", floor_seconds=chunk.floor_seconds, active_seconds=chunk.floor_seconds))
        session.hide_chunk()
        for detail in (stamped, flagged, read):
            app.remember_detail(detail)
        queue.refresh_statuses()
        await pilot.pause()
        statuses = dict(zip(ids(queue), table_column(queue, "status"), strict=True))
        assert statuses["docs/runbook-update"] == "rubber-stamped"
        assert statuses["fix/ledger-double-post"] == "flagged"
        assert statuses["pull/42"] == "approved"
        await pilot.press("u")
        await pilot.pause()
        assert "pull/42" not in ids(queue) and "fix/ledger-double-post" not in ids(queue)
        assert "docs/runbook-update" in ids(queue)  # a rubber stamp is not a review
        assert len(ids(queue)) == 13


async def test_search_matches_id_title_and_author_and_escape_clears(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        await pilot.press("slash", *"retry")
        await pilot.pause()
        assert ids(queue) == ["feature/retry-refactor-claude"]
        search = queue.query_one("#filter-input", Input)
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", *"rounding")
        await pilot.pause()  # a title word ("Add rounding tests ...")
        assert ids(queue) == ["copilot/fix-currency-rounding"]
        search.value = ""
        await pilot.press(*"luis")  # an author
        await pilot.pause()
        assert set(ids(queue)) == {"infra/recreate-staging-env", "docs/runbook-update"}
        await pilot.press("q")  # typed into the search, not quitting
        await pilot.pause()
        assert app.is_running and search.value == "luisq" and ids(queue) == []
        await pilot.press("escape")
        await pilot.pause()
        assert len(ids(queue)) == 15 and queue.filters.search == ""
        assert not search.display


async def test_rows_appear_while_complexity_is_pending(payments_repo, warm_cache):
    """A report that arrives before its complexity is measured shows "…" and is replaced in place."""
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        fresh = Analyzer(payments_repo)  # no cache: complexity cannot come from anywhere
        change = fresh.change("feature/retry-refactor-claude")
        pending = fresh.analyze(change, measure=False)
        assert not pending.complete
        queue.post_message(ReportArrived(pending))
        await pilot.pause()
        row = ids(queue).index(change.id)
        assert table_column(queue, "cc")[row] == "…"
        queue.post_message(ReportArrived(Analyzer(payments_repo, cache=warm_cache).analyze(change)))
        await pilot.pause()
        row = ids(queue).index(change.id)
        assert table_column(queue, "cc")[row].startswith("+")


async def test_a_change_that_cannot_be_analysed_shows_its_error_and_the_rest_work(orphan_repo):
    repo = orphan_repo
    app = build_app(repo.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert ids(queue) == ["feature/ok", "orphan"]  # failures rank last
        change_cells = table_column(queue, "change")
        assert "no common history" in change_cells[1]
        status = str(queue.query_one("#queue-status", Static).content)
        # QA49 #13b: a branch of another history is not a failure of the analysis
        assert "1 with no common history" in status and "failed" not in status, status
        assert table_column(queue, "status")[1] == "unrelated"
        assert table_column(queue, "score")[1] == "not scored"  # not "–" with no word of why (QA54 F0)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)  # not opened; the error is said instead
        assert any("no common history" in str(n.message) for n in app._notifications)
        await pilot.press("up", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChangeScreen"


async def test_a_repo_with_nothing_pending_says_so_with_a_hint(make_repo):
    repo = make_repo("done")
    repo.commit("init", {"a.txt": "a\n"}, author=ALICE)
    repo.checkout()
    app = build_app(repo.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        message = queue.query_one("#queue-empty", Static)
        assert message.display and not queue.query_one("#queue-table").display
        text = str(message.content)
        assert "No pending changes against main" in text and "--base" in text and "--range" in text


@pytest.mark.parametrize("size", [(60, 20), (24, 8)])
async def test_narrow_terminals_degrade_without_crashing(payments_repo, warm_cache, size):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert len(queue.rows) == 15
        shown = [column.key.value for column in queue.query_one("#queue-table", DataTable).ordered_columns]
        assert {"rank", "score", "change", "status"} <= set(shown)
        assert "author" not in shown and "title" not in shown
        await pilot.press("down", "s", "slash", "x", "escape", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert "title" in [c.key.value for c in queue.query_one("#queue-table", DataTable).ordered_columns]


async def test_repository_text_is_shown_literally(make_repo):
    repo = make_repo("hostile")
    repo.commit("init", {"a.txt": "a\n"}, author=ALICE)
    repo.branch("feature/markup")
    repo.commit("[bold red]pwned[/] \x1b[2J\x07 title", {"a.txt": "b\n"}, branch="feature/markup",
                author=SAMPLES.Person("[link=http://x]Mallory[/link]", "m@example.com"))
    repo.checkout()
    app = build_app(repo.path)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        title = table_column(queue, "title")[0]
        author = table_column(queue, "author")[0]
        assert title.startswith("[bold red]pwned[/] ␛[2J␇") and "\x1b" not in title
        assert author == "[link=http://x]Mallory[/link]"


# -- pure parts -------------------------------------------------------------------------------
def test_at_120_columns_long_ids_leave_titles_room_to_tell_rows_apart():
    """QA48 #14 (pydantic-ai): at 120 columns titles got 15 cells, and "Add execution e…" named five changes."""
    columns = {column.key: cells for column, cells in visible_columns(120, change_needs=40, rows=335)}
    assert columns["title"] >= 22 and columns["change"] >= 22 and "cc" not in columns
    assert "cc" in {column.key for column, _ in visible_columns(130)}


def test_visible_columns_fit_the_width_and_keep_the_essentials():
    for width in range(20, 301, 5):
        columns = visible_columns(width)
        keys = [c.key for c, _ in columns]
        assert {"rank", "score", "change", "status"} <= set(keys)
        used = sum(w for _, w in columns) + 2 * len(columns) + 3
        if width >= 60:
            assert used <= width, (width, used)
    assert len(visible_columns(200)) == len(COLUMN_BY_KEY) - 1  # all but the per-minute order


def test_filters_combine_and_cycle():
    f = QueueFilters()
    assert [f.next_tier().tier, f.next_tier().next_tier().tier] == [0, 1]
    assert f.next_tier().next_tier().next_tier().next_tier().next_tier().tier is None
    assert f.next_band().band == "critical"
    combined = QueueFilters(tier=0, ai_only=True, search="RETRY")
    assert combined.matches(change_id="feature/retry", title="", authors=[], tier=0, band="high", ai=True,
                            status="new")
    assert not combined.matches(change_id="feature/retry", title="", authors=[], tier=0, band="high",
                                ai=False, status="new")
    assert not QueueFilters(unreviewed=True).matches(change_id="a", title="", authors=[], tier=1, band="low",
                                                     ai=False, status="approved")
    assert QueueFilters(unreviewed=True).matches(change_id="a", title="", authors=[], tier=1, band="low",
                                                 ai=False, status="rubber-stamped")


def test_compact_numbers_fit_four_characters():
    assert [compact_number(n) for n in (0, 12, 999, 1000, 5240, 48_000, 1_300_000)] == [
        "0", "12", "999", "1.0k", "5.2k", "48k", "1.3M"]
    assert all(len(compact_number(n)) <= 4 for n in [*range(0, 20_000_000, 7919), 9_999, 9_950, 999_999])


def test_line_counts_stay_whole_when_they_fit_and_never_lose_their_digits():
    width = COLUMN_BY_KEY["lines"].width
    assert line_counts(1477, 1370, width) == ("1477", "1370")  # ansible's pull/80675, whole
    assert line_counts(17715, 22355, width) == ("17k", "22k")  # its release branch: was "+17715/-2…"
    for added, deleted in [(9_999, 9_999), (999_999, 999_999), (12_345_678, 3), (0, 0), (9_856, 2_781),
                           (17_507, 779), (11_001, 4_012)]:
        shown = line_counts(added, deleted, width)
        assert len(f"+{shown[0]}/-{shown[1]}") <= width, shown  # zod's "+9856/-278…" lost a digit


def test_each_side_of_the_line_counts_is_shown_by_its_own_size():
    """QA54 F4: one column read "+60k/-47k" beside "+83863/-331" and "+177/-10554": a side was compact only when
    the pair did not fit. Now a side is whole below 10,000 and compact from it, whatever the other side is."""
    width = COLUMN_BY_KEY["lines"].width
    assert line_counts(60_123, 47_001, width) == ("60k", "47k")
    assert line_counts(83_863, 331, width) == ("83k", "331")
    assert line_counts(177, 10_554, width) == ("177", "10k")
    assert line_counts(9_999, 12, width) == ("9999", "12")
    assert line_counts(1_300_000, 0, width) == ("1.3M", "0")
    assert line_counts(5_240, 4_012, 9) == ("5.2k", "4.0k")  # a narrower cell: both compact, as before


def test_sorting_puts_missing_values_last_in_both_directions(payments_repo, warm_cache):
    from app.tui.screens.queue import QueueRow

    reports = rank(Analyzer(payments_repo, cache=warm_cache).analyze_all())
    rows = [QueueRow(r, i, "new", None) for i, r in enumerate(reports, 1)]
    broken = QueueRow(type(reports[0])(reports[0].change, error="boom", complete=True), 16, "new", None)
    for reverse in (False, True):
        ordered = sort_rows([*rows, broken], COLUMN_BY_KEY["ai"], reverse)
        assert ordered[-1] is broken


# -- snapshots ----------------------------------------------------------------------------------
def _snapshot_app(payments_repo: Path, cache, theme: str):
    return build_app(payments_repo, cache=cache, user_config=UserConfig(theme=theme, reviewer_email=REVIEWER))


@pytest.mark.parametrize("theme", ["review-dark", "review-colorblind"])
def test_snapshot_queue_80x24(snap_compare, payments_repo, warm_cache, theme):
    assert snap_compare(_snapshot_app(payments_repo, warm_cache, theme), terminal_size=(80, 24),
                        run_before=settle)


def test_snapshot_queue_200x50_light(snap_compare, payments_repo, warm_cache):
    assert snap_compare(_snapshot_app(payments_repo, warm_cache, "review-light"), terminal_size=(200, 50),
                        run_before=settle)


async def test_the_screen_never_discovers_on_its_own_thread_and_says_what_it_waits_for(payments_repo, warm_cache):
    """The queue paints before discovery (its worker discovers): the title's base comes from the base
    alone, and until the count of changes is known the progress line names the step, not "0/0"."""
    from app.tui.widgets.progress import AnalysisStatus

    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert app.analyzer._discovery is None  # the worker's own analyzer discovered
        title = str(queue.query_one("#queue-title", Static).render())
        assert "against origin/main" in title
        status = queue.query_one("#queue-status", AnalysisStatus)
        status.show_progress(0, 0, "finding the pending changes…")
        line = str(status.render())
        assert line == "finding the pending changes…"
        status.show_progress(2, 15, "scoring feature/x")
        # a share of the work: two steps a change, so "3/15" would not count changes
        assert "13%  scoring feature/x" in str(status.render())
        summary = queue.query_one("#filter-summary", Static)
        assert str(summary.render()).startswith("15 changes")
        queue.total, queue.reports = None, {}  # as before the first discovery ended
        queue._rebuild()
        assert str(summary.render()).startswith("… changes")  # not "0 changes"


async def test_r_reads_statuses_recorded_elsewhere_while_the_queue_was_open(payments_repo, warm_cache):
    """A change's status is read once per analysis (not again for its completed report): a refresh
    reads it again, so a decision synced or recorded in another terminal shows after r."""
    from app.paths import ledger_path
    from app.storage.ledger import Ledger

    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert queue.statuses["docs/runbook-update"] == "new"
        stamped = Analyzer(payments_repo, cache=warm_cache).detail("docs/runbook-update")
        elsewhere = Ledger.open(ledger_path())  # another review-tui, on the same ledger
        session_id = elsewhere.start_session(REVIEWER, app.session.repo_key)
        elsewhere.record_decision(NewDecision(
            session_id=session_id, reviewer=REVIEWER, repo=app.session.repo_key, change_id=stamped.change.id,
            head=stamped.change.head, chunk_hash=None, decision="approve", floor_seconds=60, active_seconds=0))
        elsewhere.close()
        assert queue.statuses["docs/runbook-update"] == "new"  # nothing told the queue yet
        await pilot.press("r")
        await settle(pilot)
        assert queue.statuses["docs/runbook-update"] == "rubber-stamped"


@pytest.mark.parametrize(("width", "shown"), [(160, "reviewing as maintainers@users.noreply.example-org.example"),
                                              (100, "reviewing as maintainers@…"), (60, None)])
async def test_a_long_reviewer_address_is_shortened_visibly_not_dropped(payments_repo, warm_cache, width, shown):
    """Below ~110 columns a long address vanished from the title: who you review as decides self-approval."""
    from app.config import UserConfig

    email = "maintainers@users.noreply.example-org.example"
    app = build_app(payments_repo, cache=warm_cache, user_config=UserConfig(reviewer_email=email))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        title = str(queue_screen(app).query_one("#queue-title", Static).render())
    if shown is None:
        assert "reviewing as" not in title
    else:
        assert title.rstrip().endswith(shown), title


def test_a_long_status_spells_itself_out_only_where_titles_keep_their_room():
    """QA42 13e: from 140 columns one "in progress 0 of 1" made the status column 20 wide for every row and
    cut every title to 17 cells; the status says "0 of 1" there instead, and is spelt out where there is room."""
    from app.tui.screens.queue import MIN_WIDE_STATUS_TITLE

    for width in (140, 150, 160, 200):
        columns = {column.key: cells for column, cells in visible_columns(width, change_needs=22, status_needs=18)}
        assert columns["title"] >= MIN_WIDE_STATUS_TITLE, (width, columns)
        assert columns["status"] in (COLUMN_BY_KEY["status"].width, 18), (width, columns)
    assert {c.key: n for c, n in visible_columns(200, change_needs=22, status_needs=18)}["status"] == 18


def test_one_long_id_in_a_long_queue_does_not_take_the_titles_room(payments_repo, warm_cache):
    """QA47 #8: in rich's 530-row queue at 120 columns one `origin/max-pretty-depth` sized the change column and
    left every title 17 cells. A long queue's change column fits nine ids in ten; a short one still every id."""
    import dataclasses

    from app.tui.screens.queue import QueueRow, _common_change_needs

    reports = rank(Analyzer(payments_repo, cache=warm_cache).analyze_all())
    short = [QueueRow(r, i, "new", None) for i, r in enumerate(reports, 1)]
    longest = max(len(r.id) for r in reports)
    assert len(short) < 20 and _common_change_needs(short) == max(len(r.id) for r in reports if not r.change.aliases)

    def renamed(report, name):
        return dataclasses.replace(report, change=dataclasses.replace(report.change, id=name, aliases=[]))

    many = [QueueRow(renamed(reports[0], f"origin/pr/{3900 + k}"), k, "new", None) for k in range(40)]
    many.append(QueueRow(renamed(reports[0], "origin/a-very-long-branch-name-for-one-row"), 41, "new", None))
    assert _common_change_needs(many) == len("origin/pr/3900") < longest
    common = {c.key: w for c, w in visible_columns(120, change_needs=_common_change_needs(many), rows=41)}
    longest_sized = {c.key: w for c, w in visible_columns(120, change_needs=len(many[-1].id), rows=41)}
    assert common["change"] == 14 and common["title"] == longest_sized["title"] + 9, (common, longest_sized)


async def test_o_hides_and_shows_changes_untouched_for_stale_days(make_repo):
    """QA47: flask's queue opened on 14-year-old pull requests, the footer said "1034 old 90d+", and no key set
    them aside. `o` hides the changes untouched for [queue] stale_days (against the base's own activity)."""
    from tests.conftest import ALICE, BOB

    day = 86_400
    b = make_repo("old-rows")
    b.commit("init", {"a.py": "a = 1\n"}, author=ALICE, when=1_700_000_000)
    for i, age in enumerate((300, 120, 5)):
        b.branch(f"b{i}")
        b.commit(f"w{i}", {f"w{i}.py": "w = 1\n"}, branch=f"b{i}", author=BOB, when=1_700_000_000 + (400 - age) * day)
    b.commit("main today", {"a.py": "a = 2\n"}, author=ALICE, when=1_700_000_000 + 400 * day)
    b.checkout()
    app = build_app(b.path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert ids(queue) == ["b2", "b1", "b0"]  # the live change first, the stale ones after it, newest first
        await pilot.press("o")
        await pilot.pause()
        assert ids(queue) == ["b2"]
        assert "touched within 90d of the base's last commit" in str(queue.query_one("#filter-summary", Static).content)
        await pilot.press("o")
        await pilot.pause()
        assert sorted(ids(queue)) == ["b0", "b1", "b2"]


async def test_a_long_queue_shows_its_final_rows_with_the_summary_that_says_it_is_complete(
        payments_repo, warm_cache, monkeypatch):
    """FIX70: a long queue is rebuilt at most every REBUILD_INTERVAL (or 3 × a rebuild's cost: 2.4 s on uv) while
    reports stream in, and the rebuild due when the analysis ended waited that throttle out: the status line said
    the queue was complete over the rows of a moment before, which then moved under the reviewer's keys (the long
    queue search test below failed 4 runs in 10 so). The rows the analysis ends with come with its summary, and a
    cursor the reviewer put on a change stays on it."""
    import app.tui.screens.queue as queue_module

    monkeypatch.setattr(queue_module, "THROTTLE_ROWS", 5)
    monkeypatch.setattr(queue_module, "REBUILD_INTERVAL", 600.0)  # a throttle no test waits out
    final = [r.id for r in Analyzer(payments_repo, cache=warm_cache).analyze_all()]
    go_on = hold_analysis_before(6, monkeypatch)
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 12)) as pilot:
        queue = queue_screen(app)
        await until_rows(pilot, queue, 5)  # the first five rows are shown while the analysis runs
        assert len(queue.rows) == 5 and queue.analysing
        await pilot.press("down", "down")
        await pilot.pause()
        chosen = queue.selected_id()
        assert chosen == queue.rows[2].id
        go_on.set()
        for _ in range(500):
            await pilot.pause(0.01)
            if queue.finished_at is not None:
                break
        assert queue.finished_at is not None and "15 pending changes" in str(
            queue.query_one("#queue-status", Static).content)
        for _ in range(5):  # a few frames, not the throttle's 600 s
            await pilot.pause()
        assert ids(queue) == final
        assert queue.selected_id() == chosen


async def test_a_long_queues_search_filters_as_typing_pauses_and_keeps_the_cursor_on_its_change(
        payments_repo, warm_cache, monkeypatch):
    """FIX66: with `m` on, uv's queue holds 12,166 rows, and every key typed in the search filtered, sorted and
    rebuilt all of them (seconds a key). A long queue (here made long by lowering the thresholds of the payments
    sample's 15 rows) filters once typing pauses, narrows the rows it shows for a longer text, adds the rows
    below the screen in batches, and keeps the cursor on the change the reviewer chose wherever it is still shown
    (on the top row while it is hidden, and back on it when the text that hid it is deleted)."""
    import app.tui.screens.queue as queue_module
    from app.tui.widgets.list_table import ListTable

    monkeypatch.setattr(queue_module, "THROTTLE_ROWS", 5)
    monkeypatch.setattr(queue_module, "FIRST_ROWS", 2)
    monkeypatch.setattr(ListTable, "TAIL_BATCH", 2)
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 12)) as pilot:  # 12 lines: the table's first batch is the screen's rows
        await settle(pilot)
        queue = queue_screen(app)
        table = queue.query_one("#queue-table", ListTable)
        everything = list(queue.rows)

        def expected(text: str) -> list[str]:
            return [r.id for r in everything if QueueFilters(search=text).matches(
                change_id=" ".join(r.report.change.names), title=r.title, authors=r.authors, tier=r.tier,
                band=r.band, ai=r.ai, status=r.status, paths=queue._paths.get((r.id, r.report.change.head), ()))]

        async def typed(*keys: str, text: str) -> None:
            await pilot.press(*keys)
            for _ in range(200):  # until the screen has taken the text (under load its message can come late)
                await pilot.pause(0.05)
                if queue.filters.search == text and not queue.search_pending and table.row_count == len(queue.rows):
                    break

        chosen = next(r.id for r in everything[3:] if "e" in r.id and "ledger" not in r.id)
        await pilot.press(*["down"] * everything.index(next(r for r in everything if r.id == chosen)))
        await pilot.pause()
        assert queue.selected_id() == chosen

        await pilot.press("slash")
        for _ in range(100):  # the search field takes the keys once it has the focus
            if app.focused is not None and app.focused.id == "filter-input":
                break
            await pilot.pause(0.05)
        await typed(*"e", text="e")
        assert ids(queue) == expected("e") and chosen in ids(queue)
        assert table.row_count == len(queue.rows)  # the rows below the first batch came after it
        assert queue.selected_id() == chosen  # the cursor stayed on its change, wherever that now is
        await typed(*"dger", text="edger")  # "ledger": the chosen change is hidden
        assert ids(queue) == expected("edger") and chosen not in ids(queue) and ids(queue)
        assert table.cursor_row == 0
        await typed(*["backspace"] * 4, text="e")  # back to "e": the cursor is on the chosen change again
        assert queue.filters.search == "e" and ids(queue) == expected("e")
        assert queue.selected_id() == chosen
        await pilot.press("enter")  # keep the search, back to the table
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == len(queue.rows) - 1 == table.row_count - 1


async def test_the_status_line_says_how_far_discovery_got_before_the_rows_arrive(payments_repo, warm_cache,
                                                                                  monkeypatch):
    """FIX78 (QA53 #5): OpenHands' first run said "finding the pending changes…" for 5 minutes, no count and no
    progress: it looked frozen. Discovery's own progress ("3 of 17 heads read", then its merged-upstream checks)
    is shown on the status line while it runs; here reported every head, and the analysis held after it."""
    import app.core.git.discovery as discovery_module

    monkeypatch.setattr(discovery_module, "PROGRESS_EVERY", 1)
    go_on = threading.Event()
    analyze_all = Analyzer.analyze_all

    def held(analyzer, *args, **kwargs):  # the real analysis, once discovery has ended and been said
        go_on.wait(30)
        return analyze_all(analyzer, *args, **kwargs)

    monkeypatch.setattr(Analyzer, "analyze_all", held)
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        queue = queue_screen(app)
        status = queue.query_one("#queue-status", Static)
        for _ in range(500):
            await pilot.pause(0.01)
            if "heads read" in str(status.render()):
                break
        line = str(status.render())
        go_on.set()
        assert re.fullmatch(r"finding the pending changes: \d+ of 17 heads read", line), line
        assert not queue.rows
        await settle(pilot)
        assert "pending changes against origin/main" in str(status.render())


async def test_while_scoring_the_sort_says_its_order_is_that_of_the_changes_scored_so_far(
        payments_repo, warm_cache, monkeypatch):
    """FIX78: while the analysis scores, the ranking is of what is scored so far: the filter line says so beside
    the sort, and no longer once the analysis is complete. The real analysis thread is held before its 6th
    report."""
    go_on = hold_analysis_before(6, monkeypatch)
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        queue = queue_screen(app)
        summary = queue.query_one("#filter-summary", Static)
        await until_rows(pilot, queue, 5, lambda: "scored so far" in str(summary.render()))
        line = str(summary.render())
        go_on.set()
        assert line == "5 of 15 changes   sort: risk rank ▲  (5 scored so far)", line  # one denominator (QA54 F4)
        await settle(pilot)
        assert str(summary.render()) == "15 changes   sort: risk rank ▲"


async def test_the_queue_marks_the_figures_of_a_change_diffed_from_a_later_base_as_list_does(later_base_repo):
    """STOP49: `list` marked `+1/-1*` the figures of a change diffed from a later commit than git's merge base (made
    on a release line, stacked on another pending branch; QA53 #4) and the queue showed them bare. Its +/- cell
    carries the same mark, the status line counts them and, on a marked row, says which commit and why, and the
    help's "Queue marks" legend explains the mark."""
    import io

    from rich.console import Console

    from app.tui.screens.help import HelpScreen

    app = build_app(later_base_repo)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        lines = dict(zip(ids(queue), table_column(queue, "lines"), strict=True))
        assert lines == {"origin/on-v1": "+1/-1*", "origin/upper": "+7/-0*", "origin/lower": "+120/-0"}, lines
        status = queue.query_one("#queue-status", Static)
        assert "3 pending changes against main" in str(status.render())
        assert "2 * diffed from a later base" in str(status.render()), status.render()

        async def cursor_on(change_id: str) -> str:
            table = queue.query_one("#queue-table", DataTable)
            moves = ids(queue).index(change_id) - table.cursor_row
            await pilot.press(*["down" if moves > 0 else "up"] * abs(moves))
            await pilot.pause()
            assert queue.selected_id() == change_id
            return str(status.render())

        said = await cursor_on("origin/upper")
        upper = next(row.report for row in queue.rows if row.id == "origin/upper")
        # the branch it is stacked on, and the commit its diff starts from
        assert said.startswith("origin/upper*: stacked on origin/lower: compared with its head"), said
        assert upper.change.base is not None and upper.change.base[:10] in said
        assert "3 pending changes against main" in await cursor_on("origin/lower")  # unmarked: the summary again
        said = await cursor_on("origin/on-v1")
        assert said.startswith("origin/on-v1*: compared with release line origin/v1 (forked from it at "), said

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        titles = [str(static.content) for static in app.screen.query(".help-section-title")]
        assert titles[:2] == ["Queue (pending changes)", "Queue marks"], titles  # after the queue's keys
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#help-queue-marks", Static).content)
        text = " ".join(console.export_text().split())
        assert "+/-* diffed from a later commit than git's merge base" in text, text
