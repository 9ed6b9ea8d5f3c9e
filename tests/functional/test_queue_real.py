"""The queue on a repository shaped like a busy real one (issue 13): merged-upstream changes hidden and
counted, shown with `m`; twin refs as one row; agent-branch evidence below the threshold shown as
"AI?"; a range opened in the TUI with merges left out."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from app.analysis.analyzer import Analyzer
from app.config import UserConfig
from app.paths import ledger_path
from app.storage.ledger import Ledger
from app.tui.app import make_app
from tests.conftest import ALICE, BOB
from tests.functional.test_app import NOW, REVIEWER, build_app, queue_screen, settle

APP = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(6))


def busy_repo(make_repo):
    b = make_repo("busy")
    b.commit("init", {"app.py": APP}, author=ALICE)
    b.branch("feature/squashed")
    b.commit("Speed up f2", {"app.py": APP.replace("return 2", "return 2 * 1")}, branch="feature/squashed",
             author=BOB)
    b.commit("Speed up f2 (#5)", {"app.py": APP.replace("return 2", "return 2 * 1")}, author=ALICE)  # the squash
    b.branch("claude/tidy")
    b.commit("Tidy f4", {"app.py": APP.replace("return 2", "return 2 * 1").replace("return 4", "return 4 + 0")},
             branch="claude/tidy", author=BOB)
    b.set_ref("refs/pull/9/head", b.head("claude/tidy"))
    b.set_ref("refs/remotes/origin/release/1.0", b.head("feature/squashed"))
    b.checkout()
    return b


def status_line(queue) -> str:
    return str(queue.query_one("#queue-status", Static).content)


def column(queue, key: str) -> list[str]:
    return [cell.plain.strip() for cell in queue.query_one("#queue-table", DataTable).get_column(key)]


async def test_merged_upstream_hidden_counted_and_toggled(make_repo):
    b = busy_repo(make_repo)
    app = build_app(b.path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert [row.id for row in queue.rows] == ["claude/tidy"]  # one row for the branch and pull/9
        line = status_line(queue)
        assert "1 merged upstream hidden (m)" in line and "1 ref out of scope" in line
        assert column(queue, "ai") == ["AI?"]  # the claude/ branch was weighed, below the threshold
        await pilot.press("m")
        await settle(pilot)
        assert sorted(row.id for row in queue.rows) == ["claude/tidy", "feature/squashed"]
        assert "merged" in column(queue, "status")
        assert "1 merged upstream shown (m)" in status_line(queue)
        await pilot.press("m")
        await settle(pilot)
        assert [row.id for row in queue.rows] == ["claude/tidy"]


async def test_the_tui_opens_a_range_with_merges_left_out(make_repo):
    b = make_repo("range")
    start = b.commit("start", {"app.py": APP}, author=ALICE)
    b.branch("side")
    b.commit("side work", {"side.py": "s = 1\n"}, branch="side", author=BOB)
    b.commit("main work", {"app.py": APP.replace("return 1", "return 11")}, author=ALICE)
    b.merge("main", "side", "Merge side", author=ALICE)
    b.checkout()
    analyzer = Analyzer(b.path, commit_range=f"{start[:10]}..main")
    app = make_app(analyzer, user_config=UserConfig(reviewer_email=REVIEWER), ledger=Ledger.open(ledger_path()),
                   now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert sorted(row.title for row in queue.rows) == ["main work", "side work"]
        # The status line counts commits of the range (not "pending changes against main") and the merge
        # left out; with no title column at 80 columns, each bare commit id carries its subject.
        line = status_line(queue)
        assert line.startswith(f"2 commits of {start[:10]}..main") and "1 merge left out (--merges)" in line
        assert sorted(cell.split(" ", 1)[1] for cell in column(queue, "change")) == ["main work", "side work"]
        # the filter line counts commits as the status line does; small commits' +/- take the cells they need,
        # not 11 ("+4/-0" beside subjects cut at 10 cells, "retry: hon…"): the rest goes to the subjects
        assert str(queue.query_one("#filter-summary").render()).startswith("2 commits")
        widths = dict(queue._column_spec[0])
        assert widths["lines"] == len("+/-") + 2 and widths["status"] == len("status"), widths  # "+1/-1", "new"
        assert widths["change"] >= 30, widths  # 22 before
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChangeScreen"
        # a commit is diffed against its parent: "<id>^ <parent>...<id>" named the parent twice (QA54)
        change = app.screen.report.change
        header = str(app.screen.query_one("#change-header").render())
        assert f"{change.base[:10]}...{change.head[:10]}" in header and f"{change.head[:10]}^" not in header


async def test_the_why_panel_names_the_release_line_a_change_is_compared_with(make_repo):
    """A fix made on v1.x is diffed against v1.x, and the why panel says so (and what main would add)."""
    from tests.functional.test_change_screen import open_change, rendered

    b = make_repo("lines")
    b.commit("init", {"app.py": APP}, author=ALICE)
    b.branch("v1.x")
    b.commit("1.x: vendor the old client", {"old.py": "x = 1\n" * 300}, branch="v1.x", author=ALICE)
    b.commit("main moves on", {"main.py": "m = 1\n"}, author=ALICE)
    b.branch("fix/on-v1x", from_branch="v1.x")
    b.commit("Fix f3 on 1.x", {"app.py": APP.replace("return 3", "return 33")}, branch="fix/on-v1x", author=BOB)
    b.set_ref("refs/remotes/origin/v1.x", b.head("v1.x"))
    b.repo.references.delete("refs/heads/v1.x")
    b.checkout()
    app = build_app(b.path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "fix/on-v1x")
        assert (screen.report.figures.lines_added, screen.report.figures.files) == (1, 1)
        await pilot.press("w")
        await pilot.pause()
        why = rendered(screen.query_one("#why-panel", Static))
        assert "compared with release line origin/v1.x" in why and "carry 1 of that line's commit" in why


async def test_at_80_columns_the_status_line_still_counts_what_the_queue_hides(make_repo):
    """The long status line does not fit 80 columns: its short form keeps every count, and the `m`
    key's merged-upstream count; the pending count never includes the merged changes `m` shows."""
    b = busy_repo(make_repo)
    app = build_app(b.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        line = status_line(queue)
        assert line.startswith("1 pending · ") and "1 merged hidden (m)" in line and "1 out of scope" in line
        assert len(line) <= 78
        await pilot.press("m")
        await settle(pilot)
        assert status_line(queue).startswith("1 pending · ") and "1 merged shown (m)" in status_line(queue)


async def test_where_even_the_short_status_is_too_long_the_counts_without_a_key_go_first(make_repo):
    """QA49: at 120 columns openai-agents-python's status line was cut at "819 …", the `(o)` key that shows the
    stale heads lost; counts without a key give way, last first."""
    b = busy_repo(make_repo)
    app = build_app(b.path)
    async with app.run_test(size=(44, 24)) as pilot:
        await settle(pilot)
        line = status_line(queue_screen(app))
        assert line.startswith("1 pending") and "1 merged hidden (m)" in line, line
        assert "out of scope" not in line and "…" not in line and len(line) <= 42


async def test_twin_refs_show_as_one_row_naming_the_other_ref_found_by_either_name(make_repo):
    """claude/tidy and refs/pull/9/head share a head: one row, the PR named beside the branch, a search
    for either name finds it, and the change screen lists the other name."""
    from textual.widgets import Input

    from tests.functional.test_change_screen import open_change

    b = busy_repo(make_repo)
    app = build_app(b.path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert column(queue, "change") == ["claude/tidy (pull/9)"]
        await pilot.press("slash", *"pull/9")
        await pilot.pause()
        assert [row.id for row in queue.rows] == ["claude/tidy"]
        queue.query_one("#filter-input", Input).value = ""
        await pilot.press("escape")
        await pilot.pause()
        screen = await open_change(pilot, "claude/tidy")
        header = str(screen.query_one("#change-header", Static).content)
        assert "also pull/9" in header


async def test_at_80_columns_a_pull_request_with_a_twin_branch_shows_its_title(make_repo):
    """openai-agents-python at 80 columns: `origin/pr/2695 +1` told nothing (its branch's name had no room, and
    the title gave way to the "+1"); other rows there showed `…/pr/3928 Add ACA Sa…`."""
    b = make_repo("twins")
    b.commit("init", {"app.py": APP}, author=ALICE)
    b.branch("work")
    b.commit("Approval override arguments parity", {"app.py": APP.replace("return 4", "return 4 + 0")},
             branch="work", author=BOB)
    b.set_ref("refs/remotes/origin/pr/2695", b.head("work"))
    b.set_ref("refs/remotes/origin/feat/approval-override-arguments-parity", b.head("work"))
    b.repo.references.delete("refs/heads/work")
    b.checkout()
    app = build_app(b.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert [row.id for row in queue.rows] == ["origin/pr/2695"]
        [shown] = column(queue, "change")
        assert "pr/2695" in shown and "Approval" in shown, shown
    async with build_app(b.path).run_test(size=(160, 30)) as pilot:  # wide: the branch's name beside it
        await settle(pilot)
        [shown] = column(queue_screen(pilot.app), "change")
        assert shown.startswith("origin/pr/2695 (feat/") and shown.endswith("parity)"), shown
