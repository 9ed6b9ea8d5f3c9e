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
