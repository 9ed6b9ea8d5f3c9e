"""The queue's `m`: the changes already merged upstream are listed at once from what discovery found (name,
title, how they were found merged), below the pending ones, and none is analysed until it is opened. On
astral-sh/uv (2,019 pending, 9,721 merged upstream) `m` used to analyse every merged one: 10 minutes and
2.25 GB on two cores, for a person who only wanted to see whether a change was there.

A real repository (squash merges as GitHub makes them), a real analysis cache (SQLite) and the real app."""

from __future__ import annotations

import json

from click.testing import CliRunner
from textual.widgets import DataTable

from app.cli import cli
from app.paths import analysis_cache_path
from app.storage.cache import AnalysisCache
from app.tui.screens.change import ChangeScreen
from tests.conftest import ALICE, BOB
from tests.functional.test_app import build_app, queue_screen, settle

APP = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(12))


def _squash_merged(b, branch: str, number: int, old: str, new: str) -> None:
    """`branch` edits app.py, then main squash-merges it as GitHub does ("Title (#N)"), and moves on."""
    text = b.snapshots["main"]["app.py"][0].decode()
    b.branch(branch)
    edited = text.replace(old, new, 1)
    b.commit(f"Change {branch}", {"app.py": edited}, branch=branch, author=BOB)
    b.commit(f"Change {branch} (#{number})", {"app.py": edited}, author=ALICE)


def merged_repo(make_repo):
    """main; `early` and `late` squash-merged (late last), `open-work` pending."""
    b = make_repo("merged-rows")
    b.commit("init", {"app.py": APP, "README.md": "# r\n"}, author=ALICE)
    _squash_merged(b, "early", 11, "return 3", "return 3 * 1")
    _squash_merged(b, "late", 12, "return 7", "return 7 * 1")
    b.branch("open-work")
    b.commit("Open work", {"new.py": "def g():\n    return 1\n"}, branch="open-work", author=BOB)
    moved = b.snapshots["main"]["app.py"][0].decode().replace("return 9", "return 9 + 0", 1)
    b.commit("main moves on", {"app.py": moved}, author=ALICE)  # so the base no longer has their files as they have
    b.checkout()
    return b


def table_rows(app) -> list[list[str]]:
    table = app.screen.query_one("#queue-table", DataTable)
    return [[str(getattr(cell, "plain", cell)).strip() for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_m_lists_the_merged_changes_at_once_unanalysed_and_opening_one_analyses_it(make_repo, tmp_path):
    repo = merged_repo(make_repo)
    cache = AnalysisCache.open(tmp_path / "analysis.db")
    app = build_app(repo.path, cache=cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert [r.id for r in queue.rows] == ["open-work"]
        reports_stored = cache.count("report")
        assert reports_stored == 1  # the pending change's

        await pilot.press("m")
        await pilot.pause()
        # at once, from discovery: no worker was started for them
        assert not [w for w in app.workers if w.group == "analysis" and not w.is_finished]
        assert [r.id for r in queue.rows] == ["open-work", "late", "early"]  # pending first, then newest merged
        rows = table_rows(app)
        late = next(row for row in rows if "late" in row)
        assert "merged" in late and "tree" in late, late  # its status, and how it was found merged
        assert late[0] == "-"  # no risk rank: nothing of it waits for review
        assert "Change late" in late  # its title
        assert all(r.report.listed_only and r.report.assessment is None for r in queue.rows[1:])
        status = str(app.screen.query_one("#queue-status").render())
        assert "2 merged upstream shown (m)" in status

        # nothing is analysed in the background either
        await settle(pilot)
        assert cache.count("report") == reports_stored
        assert all(r.report.assessment is None for r in queue.rows[1:])

        # on a merged row the status line says where its work is upstream
        await pilot.press("down")
        await pilot.pause()
        status = str(app.screen.query_one("#queue-status").render())
        assert "late merged upstream (tree): as " in status and "'Change late (#12)' · enter analyses it" in status

        # opening it analyses it (that one only), and back on the queue its row has its score
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChangeScreen) and screen.detail is not None
        assert screen.detail.plan.chunks
        assert "merged upstream (tree)" in str(screen.query_one("#change-header").render())
        await pilot.press("escape")
        await settle(pilot)
        late_report = queue.reports["late"]
        assert late_report.assessment is not None and not late_report.listed_only
        assert queue.reports["early"].assessment is None
        assert [r.id for r in queue.rows] == ["open-work", "late", "early"]  # still below the pending one

        # `m` again hides them, and starts nothing
        await pilot.press("m")
        await pilot.pause()
        assert [r.id for r in queue.rows] == ["open-work"]
        assert not [w for w in app.workers if not w.is_finished]


async def test_a_refresh_keeps_the_merged_rows_shown(make_repo, tmp_path):
    repo = merged_repo(make_repo)
    app = build_app(repo.path, cache=AnalysisCache.open(tmp_path / "analysis.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.press("r")
        await settle(pilot)
        queue = queue_screen(app)
        assert [r.id for r in queue.rows] == ["open-work", "late", "early"]
        assert all(r.report.assessment is None for r in queue.rows[1:])
        # 80 columns: the status line keeps the commit upstream rather than the sentence around it
        await pilot.press("down")
        await pilot.pause()
        status = str(app.screen.query_one("#queue-status").render())
        assert "late merged upstream (tree): as " in status and "'Change late (#12)'" in status, status


async def test_unreviewed_hides_the_merged_rows_they_wait_for_no_review(make_repo, tmp_path):
    """With `m` on, `u` (what still waits for review) listed every merged change too (uv: 10,147 of them)."""
    repo = merged_repo(make_repo)
    app = build_app(repo.path, cache=AnalysisCache.open(tmp_path / "analysis.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        queue = queue_screen(app)
        assert [r.id for r in queue.rows] == ["open-work", "late", "early"]
        await pilot.press("u")
        await settle(pilot)
        assert [r.id for r in queue.rows] == ["open-work"]
        await pilot.press("u")
        await settle(pilot)
        assert [r.id for r in queue.rows] == ["open-work", "late", "early"]


def test_list_include_merged_lists_them_below_unanalysed(make_repo, tmp_path) -> None:
    repo = merged_repo(make_repo)
    result = CliRunner().invoke(cli, ["list", "--repo", str(repo.path), "--json", "--include-merged"],
                                       catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["open-work", "late", "early"]
    assert rows[0]["score"] is not None and rows[0]["lines_added"] == 2
    for row in rows[1:]:  # as discovery found them: their size and score unknown, not zero
        assert row["merged_upstream"]["how"] == "tree"
        assert row["score"] is None and row["lines_added"] is None and row["files"] is None
        assert row["title"].startswith("Change ")
    assert AnalysisCache.open(analysis_cache_path()).count("report") == 1  # the pending change's only
    table = CliRunner().invoke(cli, ["list", "--repo", str(repo.path), "--include-merged", "--width", "200"],
                                      catch_exceptions=False)
    [late] = [line for line in table.output.splitlines() if " late " in line]
    assert "merged (tree) Change late" in late
    assert late.split()[0] == "-"  # no rank
    assert ("2 merged upstream changes listed after the pending ones, not analysed (already in main: 2 tree; "
            "`explain CHANGE` analyses one)") in " ".join(table.output.split())


async def test_rows_added_at_once_are_the_rows_added_one_by_one() -> None:
    """ListTable.add_keyed_rows (the queue's rebuild: 9,721 merged rows at once) and its cheaper dimensions give
    what DataTable's own add_row gives: rows, keys, cursor and scrollable size."""
    from rich.text import Text
    from textual.app import App, ComposeResult

    from app.tui.widgets.list_table import ListTable

    class Two(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(id="one", cursor_type="row")  # Textual's own, cell by cell
            yield ListTable(id="all", cursor_type="row")

    rows = [(f"r{i}", [Text(str(i)), Text("x" * (i % 7))]) for i in range(300)]
    async with Two().run_test(size=(60, 30)) as pilot:
        one, every = pilot.app.query_one("#one", DataTable), pilot.app.query_one("#all", ListTable)
        for table in (one, every):
            table.add_column("n", width=4, key="n")
            table.add_column("text", width=8, key="text")
        for key, cells in rows:
            one.add_row(*cells, key=key)
        every.add_keyed_rows(rows)
        await pilot.pause()
        assert every.row_count == one.row_count == 300
        assert [every.get_row_at(i) for i in range(300)] == [one.get_row_at(i) for i in range(300)]
        assert every.cursor_coordinate == one.cursor_coordinate
        assert every.coordinate_to_cell_key(every.cursor_coordinate) == one.coordinate_to_cell_key((0, 0))
        assert every.virtual_size == one.virtual_size
