"""A branch that modifies a file its base has deleted since (a modify/delete conflict: the dependabot
bump of a workflow the project removed) says so in explain, check and the change screen's why panel,
rather than asking for a review of a file that no longer exists (QA40 #9)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from textual.widgets import Static

from app.cli import cli
from tests.conftest import ALICE, BOB
from tests.functional.test_app import build_app
from tests.functional.test_change_screen import open_change, rendered

WORKFLOW = "on: pull_request\njobs:\n  size:\n    uses: codelytv/pr-size-labeler@v1.8.1\n"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def obsolete_repo(make_repo):
    b = make_repo("obsolete")
    b.commit("init", {"app.py": "x = 1\n", ".github/workflows/size.yml": WORKFLOW}, author=ALICE)
    b.branch("deps/size-labeler")
    b.commit("bump pr-size-labeler", {".github/workflows/size.yml": WORKFLOW.replace("1.8.1", "1.10.0")},
             branch="deps/size-labeler", author=BOB)
    b.branch("feature/live")
    b.commit("f", {"app.py": "x = 2\n"}, branch="feature/live", author=BOB)
    b.commit("Remove the size labeler", {".github/workflows/size.yml": None}, author=ALICE)
    b.checkout()
    return b


def test_explain_and_check_say_the_base_deleted_a_file_the_change_modifies(make_repo) -> None:
    b = obsolete_repo(make_repo)
    explained = run("explain", "deps/size-labeler", "--repo", str(b.path))
    assert explained.exit_code == 0, explained.output
    assert "main no longer has .github/workflows/size.yml (deleted or moved since this change started)" in (
        " ".join(explained.stdout.split()))
    checked = run("check", "deps/size-labeler", "--repo", str(b.path), "--json", "--notes-only")
    assert checked.exit_code == 1
    assert any("no longer has .github/workflows/size.yml" in w for w in json.loads(checked.stdout)["warnings"])
    # a branch whose files are all still there says nothing of the kind
    live = run("explain", "feature/live", "--repo", str(b.path))
    assert live.exit_code == 0 and "no longer has" not in live.stdout


async def test_the_change_screen_why_panel_names_the_deleted_file(make_repo) -> None:
    b = obsolete_repo(make_repo)
    app = build_app(b.path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "deps/size-labeler")
        await pilot.press("w")
        await pilot.pause()
        why = " ".join(rendered(screen.query_one("#why-panel", Static)).split())
        assert "main no longer has .github/workflows/size.yml" in why and "merge conflict" in why


def behind_repo(make_repo, *, stale: int = 0):
    """`conflicting` edits a line main changed since; `clean` edits another file; `old` is `stale` commits
    behind with no conflict."""
    b = make_repo("behind")
    b.commit("init", {"app.py": "x = 1\n", "other.py": "y = 1\n"}, author=ALICE)
    for name, files in (("conflicting", {"app.py": "x = 2\n"}), ("clean", {"other.py": "y = 2\n"}),
                        ("old", {"other.py": "y = 3\n"})):
        b.branch(name, "main")
        b.commit(f"work on {name}", files, branch=name, author=BOB)
    b.commit("main changes app.py", {"app.py": "x = 10\n"}, author=ALICE)
    for k in range(stale):
        b.commit(f"main {k}", {"log.txt": f"{k}\n"}, author=ALICE)
    b.checkout()
    return b


def test_a_branch_the_base_moved_on_under_says_it_would_conflict_or_is_far_behind(make_repo, monkeypatch) -> None:
    """QA47 #5: rich's py310 was 2,236 commits behind, its three files changed 220 times since: explain, check
    and the why panel said nothing, and one approval of a diff against 2021's code would pass the gate."""
    import app.analysis.analyzer as analyzer_module

    b = behind_repo(make_repo, stale=3)
    explained = " ".join(run("explain", "conflicting", "--repo", str(b.path)).stdout.split())
    assert ("a merge into main would conflict in app.py (main changed it since this change started, 4 commits "
            "ago): rebase before review") in explained
    checked = run("check", "conflicting", "--repo", str(b.path), "--json", "--notes-only")
    assert any("would conflict in app.py" in w for w in json.loads(checked.stdout)["warnings"])
    assert "conflict" not in run("explain", "clean", "--repo", str(b.path)).stdout
    monkeypatch.setattr(analyzer_module, "STALE_BEHIND", 4)  # a threshold of 1,000 commits, scaled down
    old = " ".join(run("explain", "old", "--repo", str(b.path)).stdout.split())
    assert "4 commits behind main: the diff is against its code of long ago" in old


def test_a_warm_explain_still_says_what_the_base_tip_says_of_the_change(make_repo) -> None:
    """`explain` of a change explained before (its report and maintainability from the cache, no diff read)
    still checks its modified files against the base's tip, which moves: a file deleted since is named."""
    b = make_repo("obsolete-later")
    b.commit("init", {"app.py": "x = 1\n", ".github/workflows/size.yml": WORKFLOW}, author=ALICE)
    b.branch("deps/size-labeler")
    b.commit("bump pr-size-labeler", {".github/workflows/size.yml": WORKFLOW.replace("1.8.1", "1.10.0")},
             branch="deps/size-labeler", author=BOB)
    b.checkout()
    first = run("explain", "deps/size-labeler", "--repo", str(b.path))
    assert first.exit_code == 0 and "no longer has" not in first.stdout
    assert run("explain", "deps/size-labeler", "--repo", str(b.path)).stdout == first.stdout
    b.commit("Remove the size labeler", {".github/workflows/size.yml": None}, author=ALICE)
    b.checkout()
    again = run("explain", "deps/size-labeler", "--repo", str(b.path))
    assert again.exit_code == 0
    assert "main no longer has .github/workflows/size.yml" in " ".join(again.stdout.split())
