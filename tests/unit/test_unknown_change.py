"""A change id that names nothing fails at once (QA53 #3): `explain pr/999999` on OpenHands discovered its 8,074
pull requests for over 11 minutes before saying there is no such change. Before any discovery the id is checked
against what can name a change (discovery.refuse_naming_nothing): refs by the names discovery gives them, a branch only
remotes have, a commit id, the working tree, HEAD; every name the whole discovery accepts still passes.

Real repositories built with the sample builder; nothing of git is mocked."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.core.git import discovery
from app.core.git.discovery import discover, find_change, refuse_naming_nothing
from app.core.git.repo import GitRepo
from app.errors import ChangeNotFound
from tests.conftest import ALICE, BOB

UNKNOWN = ["pr/999999", "origin/pr/999999", "refs/remotes/origin/pr/999999", "nothing", "origin/nothing",
           "deadbeef", "v1.0", "#12", "feature"]


@pytest.fixture(autouse=True)
def many_heads(monkeypatch) -> None:
    """A handful of heads stand for the thousands of fetched pull requests."""
    monkeypatch.setattr(discovery, "MANY_HEADS", 2)


@pytest.fixture
def repo(make_repo):
    b = make_repo("names")
    b.commit("init", {"app.py": "A = 1\n"}, author=ALICE)
    b.branch("feature-x")
    b.commit("Feature", {"x.py": "X = 1\n"}, branch="feature-x", author=BOB)
    b.branch("fix")
    b.commit("Fix", {"app.py": "A = 2\n"}, branch="fix", author=BOB)
    b.set_ref("refs/remotes/origin/pr/5", b.head("fix"))  # `pr/5` names it: a branch only remotes have
    b.set_ref("refs/remotes/origin/pr/6", b.head("feature-x"))
    b.set_ref("refs/pull/7/head", b.head("feature-x"))
    b.set_ref("refs/tags/v1.0", b.head("main"))
    b.set_ref("refs/remotes/origin/HEAD", b.head("main"))  # no change's ref, yet a name find_change answers
    b.checkout()
    return b


def test_every_name_the_whole_discovery_accepts_passes(repo) -> None:
    git = GitRepo(repo.path)
    full = discover(git)
    names = {name for change in full.every_change() for name in (*change.names, *change.refs)}
    names |= {"pr/5", "pr/6", "HEAD", "worktree", repo.head("fix")[:8], repo.head("feature-x"), "main", "origin/HEAD"}
    for name in sorted(names):
        try:
            find_change(full, name, git)
        except ChangeNotFound:
            if name in ("worktree", "HEAD", "main", "origin/HEAD"):  # names the discovery refuses in its own words
                refuse_naming_nothing(git, name)
                continue
            raise
        refuse_naming_nothing(git, name)  # no error: it names something


@pytest.mark.parametrize("name", UNKNOWN)
def test_a_name_of_nothing_is_refused_in_the_whole_discoverys_words(repo, name) -> None:
    git = GitRepo(repo.path)
    with pytest.raises(ChangeNotFound) as fast:
        refuse_naming_nothing(git, name)
    with pytest.raises(ChangeNotFound) as slow:
        find_change(discover(git), name, git)
    assert str(fast.value).startswith(f"no pending change {name!r}")
    assert str(slow.value).startswith(f"no pending change {name!r}")


def test_a_suggestion_is_kept(repo) -> None:
    with pytest.raises(ChangeNotFound, match=r"did you mean 'origin/pr/5'"):
        refuse_naming_nothing(GitRepo(repo.path), "5")
    with pytest.raises(ChangeNotFound, match=r"did you mean 'feature-x'"):
        refuse_naming_nothing(GitRepo(repo.path), "feature-y")


def test_a_shared_remote_prefix_is_no_resemblance() -> None:
    """QA54: among cline's branches `origin/nope` was "close" to origin/main, origin/to/mcp-env and origin/sjf-p."""
    from app.core.git.discovery import _closest

    names = {"origin/main", "origin/to/mcp-env", "origin/sjf-p", "origin/feature/retry", "origin/fix/login"}
    assert _closest(names, "origin/nope") == ""
    assert _closest(names, "origin/feature/retyr") == " (did you mean 'origin/feature/retry'?)"
    assert _closest(names, "feature/retry") == " (did you mean 'origin/feature/retry'?)"


def test_the_analyzer_refuses_before_discovering(repo) -> None:
    analyzer = Analyzer(repo.path)
    analyzer.one_change = True
    with pytest.raises(ChangeNotFound, match="no pending change 'pr/999999'"):
        analyzer.detail("pr/999999")
    assert analyzer._discovery is None  # nothing was discovered
    assert analyzer.change("pr/5").head == repo.head("fix")


@pytest.mark.parametrize("command", ["explain", "chunks", "check"])
def test_each_command_fails_with_one_line(repo, command) -> None:
    result = CliRunner().invoke(cli, [command, "pr/999999", "--repo", str(repo.path)])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("review-tui: error: no pending change 'pr/999999' (`review-tui list` shows the pending "
                           "changes)")
    if command == "check":
        assert line.endswith(" - its branch may have been deleted or merged into main, or its head not fetched")


def test_few_heads_are_left_to_the_whole_discovery_which_lists_the_pending_ones(repo, monkeypatch) -> None:
    monkeypatch.setattr(discovery, "MANY_HEADS", 300)
    refuse_naming_nothing(GitRepo(repo.path), "pr/999999")
    result = CliRunner().invoke(cli, ["explain", "pr/999999", "--repo", str(repo.path)])
    assert result.exit_code == 2 and "(pending: " in result.stderr


def test_a_bad_base_is_said_first(repo) -> None:
    result = CliRunner().invoke(cli, ["explain", "pr/999999", "--repo", str(repo.path), "--base", "nosuch"])
    assert result.exit_code == 2 and "--base nosuch" in result.stderr
