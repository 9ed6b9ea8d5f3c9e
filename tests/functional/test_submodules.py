"""A submodule (a gitlink, mode 160000) in a change: its tree entry names a commit of another
repository, so this repository has no blob for it by design. Added, moved to another commit,
removed or moved to another path, it is shown as what it is ("submodule vendor/lib: 1a2b3c4 ->
5d6e7f8"), never as a missing blob or an empty file, and counted as `git diff --numstat` counts it
(its "Subproject commit <id>" line on each side)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable

from app.cli import cli
from tests.functional.test_app import build_app
from tests.functional.test_change_screen import column, open_change


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def gitlink(repo: Path, path: str, commit: str) -> None:
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},{path}")


@pytest.fixture
def superproject(tmp_path: Path) -> tuple[Path, str, str]:
    """main holds vendor/lib at the library's first commit; feature/bump moves it to the second,
    feature/add adds a second submodule, feature/drop removes it, feature/move moves its path."""
    library = tmp_path / "library"
    library.mkdir()
    git(library, "init", "-q", "-b", "main")
    for text in ("one\n", "two\n"):
        (library / "lib.txt").write_text(text)
        git(library, "add", "lib.txt")
        git(library, "commit", "-qm", text.strip())
    first, second = git(library, "rev-list", "--reverse", "HEAD").split()
    repo = tmp_path / "super"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("def f(x):\n    return x\n")
    git(repo, "add", "app.py")
    gitlink(repo, "vendor/lib", first)
    git(repo, "commit", "-qm", "init")
    git(repo, "checkout", "-qb", "feature/bump")
    gitlink(repo, "vendor/lib", second)
    git(repo, "commit", "-qm", "bump the library")
    for branch, edit in (("feature/add", ("update-index", "--add", "--cacheinfo", f"160000,{second},third/dep")),
                         ("feature/drop", ("rm", "-q", "--cached", "vendor/lib")),
                         ("feature/move", ("mv", "vendor/lib", "deps/lib"))):
        git(repo, "checkout", "-q", "main")
        git(repo, "checkout", "-qb", branch)
        if branch == "feature/move":  # git mv needs the submodule checked out: move the entry instead
            git(repo, "rm", "-q", "--cached", "vendor/lib")
            gitlink(repo, "deps/lib", first)
        else:
            git(repo, *edit)
        git(repo, "commit", "-qm", branch)
    git(repo, "checkout", "-q", "main")
    return repo, first, second


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def numstat(repo: Path, branch: str) -> tuple[int, int]:
    added = deleted = 0
    for line in git(repo, "diff", "--numstat", "-M", f"main...{branch}").splitlines():
        a, d, _path = line.split("\t", 2)
        added, deleted = added + int(a), deleted + int(d)
    return added, deleted


def test_submodule_changes_are_listed_with_numstat_figures_and_chunked_by_name(superproject) -> None:
    repo, first, second = superproject
    listed = {item["id"]: item for item in json.loads(run("list", "--repo", str(repo), "--json"))}
    assert numstat(repo, "feature/bump") == (1, 1) and numstat(repo, "feature/move") == (0, 0)
    for branch in ("feature/bump", "feature/add", "feature/drop", "feature/move"):
        item = listed[branch]
        assert item["error"] is None
        assert (item["lines_added"], item["lines_deleted"]) == numstat(repo, branch), branch

    expected = {"feature/bump": f"submodule vendor/lib: {first[:7]} -> {second[:7]}",
                "feature/add": f"submodule third/dep: added at {second[:7]}",
                "feature/drop": f"submodule vendor/lib: removed (was {first[:7]})",
                "feature/move": f"submodule vendor/lib → deps/lib: at {first[:7]}"}
    for branch, summary in expected.items():
        shown = run("chunks", "--repo", str(repo), branch)
        assert summary in shown, shown
        for wrong in ("missing", "partial or damaged", "empty file", "binary"):
            assert wrong not in shown, (branch, shown)
        plan = json.loads(run("chunks", "--repo", str(repo), "--json", branch))
        assert sum(c["changed_lines"] for c in plan["chunks"]) == sum(numstat(repo, branch))
        kinds = {c["kind"] for c in plan["chunks"]}
        assert kinds == ({"rename"} if branch == "feature/move" else {"code"}), (branch, kinds)
        explained = run("explain", "--repo", str(repo), branch)
        assert "missing" not in explained and "partial or damaged" not in explained


def test_a_commit_that_moves_a_submodule_counts_as_numstat_says(superproject) -> None:
    repo, first, second = superproject
    commits = json.loads(run("list", "--repo", str(repo), "--json", "--range", "main..feature/bump"))
    (bump,) = commits
    assert (bump["lines_added"], bump["lines_deleted"]) == (1, 1)
    shown = run("chunks", "--repo", str(repo), "--range", "main..feature/bump", bump["id"])
    assert f"submodule vendor/lib: {first[:7]} -> {second[:7]}" in shown


async def test_the_change_screen_names_the_submodule_and_its_commits(superproject) -> None:
    repo, first, second = superproject
    app = build_app(repo)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await open_change(pilot, "feature/bump")
        table = screen.query_one("#chunks-table", DataTable)
        assert column(table, "title") == [f"submodule vendor/lib: {first[:7]} -> {second[:7]}"]
        assert column(table, "lines") == ["2"]
