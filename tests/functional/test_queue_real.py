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
        assert "1 merged upstream hidden (m)" in line and "1 refs out of scope" in line
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
    analyzer = Analyzer(b.path, commit_range=f"{start}..main")
    app = make_app(analyzer, user_config=UserConfig(reviewer_email=REVIEWER), ledger=Ledger.open(ledger_path()),
                   now=NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert sorted(row.title for row in queue.rows) == ["main work", "side work"]
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChangeScreen"
