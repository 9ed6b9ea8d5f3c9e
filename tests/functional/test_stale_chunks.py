"""A push that changes one approved chunk: the plan row and the chunk header say "stale", the word the
queue and `check` use, for that chunk only; the unchanged chunk keeps its approval (QA36 #1). And
"later" on the last open chunk is not called "every chunk has a decision" (QA36 #6)."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.conftest import ALICE
from tests.functional.test_app import REVIEWER, build_app, settle
from tests.functional.test_change_screen import column, open_change
from tests.functional.test_signoff_tui import read_and_approve

BLOCK = "".join(f"    total += {n}\n" for n in range(12))
CONFIG = "[chunks]\ntarget_lines = 10\n"  # each file its own chunk


def _two_chunk_change(make_repo):
    repo = make_repo()
    base = repo.commit("base", {".review-tui.toml": CONFIG, "a.py": "A = 1\n", "b.py": "B = 1\n"}, author=ALICE)
    repo.branch("feature")
    repo.commit("feature", {"a.py": "def a(total):\n" + BLOCK, "b.py": "def b(total):\n" + BLOCK},
                branch="feature", author=ALICE)
    return repo, base


async def test_a_chunk_changed_by_a_push_reads_stale_and_the_other_keeps_its_approval(make_repo) -> None:
    repo, base = _two_chunk_change(make_repo)
    read_and_approve(repo.path, REVIEWER, "feature")
    # the push: b.py changes, a.py is identical (a new commit on the same base, as after a rebase)
    repo.commit("feature again", {"b.py": "def b(total):\n" + BLOCK.replace("+= 5", "+= 50")},
                branch="feature", author=ALICE, parents=[base])
    app = build_app(repo.path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature")
        table = screen.query_one("#chunks-table", DataTable)
        titles, states = column(table, "title"), column(table, "status")
        by_title = dict(zip(titles, states, strict=True))
        assert by_title["b.py: b"] == "⟳ stale", by_title  # it read "new"
        assert [s for t, s in by_title.items() if t != "b.py: b"] == ["✔ approved"] * 3, by_title
        await pilot.press(*["down"] * titles.index("b.py: b"), "enter")
        await settle(pilot)
        assert app.screen.status_label(app.screen.chunk) == "stale"  # the header said "opened"
        await pilot.press("escape")
        await settle(pilot)
        assert column(table, "status")[titles.index("b.py: b")] == "⟳ stale"  # opened, still to re-read


async def test_later_on_the_last_open_chunk_says_it_is_marked_for_later(make_repo) -> None:
    repo, _ = _two_chunk_change(make_repo)
    app = build_app(repo.path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_change(pilot, "feature")
        await pilot.press("enter")
        await settle(pilot)
        for _ in range(len(app.screen.chunks) - 1):  # approve (a rubber stamp, confirmed) all but the last
            await pilot.press("a")
            await settle(pilot)
            await pilot.press("y")
            await settle(pilot)
        await pilot.press("l")  # later on the last: nothing left without a decision but this "later"
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert not any("Every chunk has a decision" in m for m in said), said
        assert any("1 chunk for later (u comes back to it)" in m for m in said), said


def test_chunks_in_path_order_keep_the_numbers_check_and_the_tui_use(make_repo) -> None:
    import json

    from click.testing import CliRunner

    from app.cli import cli

    repo = make_repo()
    repo.commit("base", {".review-tui.toml": CONFIG, "a.py": "A = 1\n", "b.py": "B = 1\n"}, author=ALICE)
    repo.branch("feature")
    branchy = "def b(total):\n" + "".join(f"    if total > {n}:\n        total += {n}\n" for n in range(6))
    repo.commit("feature", {"a.py": "def a(total):\n" + BLOCK, "b.py": branchy}, branch="feature", author=ALICE)

    def plan(*args: str) -> list[tuple[int, str]]:
        done = CliRunner().invoke(cli, ["chunks", "feature", "--repo", str(repo.path), "--json", *args])
        assert done.exit_code == 0, done.output
        return [(c["index"], c["title"]) for c in json.loads(done.stdout)["chunks"]]

    by_risk, by_path = plan(), plan("--order", "path")
    assert by_risk[0][1] == "b.py: b" and by_path[0][1].startswith("a.py")  # the orders differ
    assert sorted(by_path) == sorted(by_risk)  # same numbers for the same chunks: "#1" is b.py in both
    text = CliRunner().invoke(cli, ["chunks", "feature", "--repo", str(repo.path), "--order", "path"]).stdout
    row = next(line for line in text.splitlines() if "b.py: b" in line)
    assert row.split()[0] == "1", text


async def test_an_author_approving_is_told_it_will_not_count(make_repo) -> None:
    from textual.widgets import Static

    from app.config import UserConfig
    from tests.functional.test_change_screen import rendered

    repo, _ = _two_chunk_change(make_repo)
    app = build_app(repo.path, user_config=UserConfig(reviewer_email=ALICE.email))  # Alice wrote the change
    async with app.run_test(size=(120, 40)) as pilot:
        await open_change(pilot, "feature")
        await pilot.press("A")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        said = rendered(app.screen.query_one("#dialog-prompt", Static), 400)
        assert said.startswith("This is your own change: you (alice@example.com) authored or committed")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a", "y")  # a fast approval: confirmed as a rubber stamp
        await settle(pilot)
        titles = [str(n.title) for n in app._notifications]
        assert titles.count("Your own change") == 1, titles
        # the approval is recorded but never counts: the header, the plan and the sign-off say so (they
        # said "approved", "✔ approved" and only "needs 1 more approval")
        chunk_screen = app.screen
        await pilot.press("p")  # back to the approved chunk
        await settle(pilot)
        badge = chunk_screen.query_one("#chunk-status")
        assert str(badge.render()).strip() == "own change" and badge.has_class("status-own-change")
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one("#chunks-table")
        statuses = [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)
                    if "author" in str(cell) or "approved" in str(cell)]
        assert statuses == ["✗ author"], statuses
        signoff = rendered(app.screen.query_one("#signoff", Static), 120)
        said = ("author alice@example.com cannot approve their own change",  # check's verdict, or else
                "your approvals do not count: you (alice@example.com) authored")  # the screen's own line
        assert sum(line in signoff for line in said) == 1, signoff
    from click.testing import CliRunner

    from app.cli import cli

    verdict = CliRunner().invoke(cli, ["check", "feature", "--repo", str(repo.path)]).stdout
    assert "  alice@example.com (reviewer, author): author" in verdict, verdict  # it said "(reviewer)"


async def test_a_thread_on_a_chunk_a_push_changed_is_outdated_not_pinned_to_another_line(make_repo) -> None:
    import json

    from click.testing import CliRunner

    from app.analysis.analyzer import Analyzer
    from app.cli import cli
    from app.paths import ledger_path
    from app.storage.ledger import Ledger

    repo, base = _two_chunk_change(make_repo)
    analyzer = Analyzer(repo.path)
    detail = analyzer.detail("feature")
    chunk = next(c for c in detail.plan.chunks if c.title == "b.py: b")
    with Ledger.open(ledger_path()) as ledger:
        ledger.add_comment(session_id=None, reviewer=REVIEWER, repo=analyzer.repo_key, change_id="feature",
                           head=detail.change.head, chunk_hash=chunk.content_hash, path="b.py", line=3,
                           side="new", body="why 1?")
    # the push inserts a line above line 3: "b.py:3" now names another line
    repo.commit("feature again", {"b.py": "def b(total):\n    total = 0\n" + BLOCK}, branch="feature",
                author=ALICE, parents=[base])
    verdict = json.loads(CliRunner().invoke(cli, ["check", "feature", "--repo", str(repo.path), "--json"]).stdout)
    assert [(t["path"], t["line"], t["outdated"]) for t in verdict["threads"]] == [("b.py", 3, True)]
    text = CliRunner().invoke(cli, ["check", "feature", "--repo", str(repo.path)]).stdout
    assert "[open, outdated] b.py:3" in text
    app = build_app(repo.path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature")
        titles = column(screen.query_one("#chunks-table", DataTable), "title")
        await pilot.press(*["down"] * titles.index("b.py: b"), "enter")
        await settle(pilot)
        assert [t.outdated for t in app.screen._threads] == [True]
        await pilot.press("C")
        await settle(pilot)
        assert "open, outdated" in str(app.screen.query_one(DataTable).get_row_at(0))


async def test_a_rescan_reads_the_policy_a_new_base_commit_brings(make_repo) -> None:
    """With the TUI open, the team commits a stricter policy to the base: after `r` the change screen's
    verdict is check's (it kept the old policy: "policy met" while `check` said one more approval)."""
    from click.testing import CliRunner

    from app.cli import cli
    from tests.functional.test_signoff_tui import signoff_text

    repo, _ = _two_chunk_change(make_repo)
    read_and_approve(repo.path, REVIEWER, "feature")
    app = build_app(repo.path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature")
        assert "policy met" in signoff_text(screen) and "NOT" not in signoff_text(screen)
        await pilot.press("escape")
        await settle(pilot)
        stricter = CONFIG + '[[policy.rules]]\nname = "two reviewers"\napprovals = 2\n'
        repo.commit("two reviewers", {".review-tui.toml": stricter}, author=ALICE)
        await pilot.press("r")
        await settle(pilot)
        screen = await open_change(pilot, "feature")
        verdict = CliRunner().invoke(cli, ["check", "feature", "--repo", str(repo.path)]).stdout
        assert "policy NOT met" in verdict and "needs 1 more approval" in verdict, verdict
        assert "policy NOT met" in signoff_text(screen) and "needs 1 more approval" in signoff_text(screen)
