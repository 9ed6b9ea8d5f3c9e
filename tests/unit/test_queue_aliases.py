"""One row per head (issue 13): refs that point at the same commit (a PR ref and its branch, a local
branch and its remote-tracking twin) are one change with aliases, and any alias names the change in
every command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.core.git.discovery import discover, find_change
from app.core.git.repo import GitRepo
from tests.conftest import ALICE, BOB


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def twins(make_repo):
    """pull/4852 and origin/codex/bound-cimd-cache at one head; local `topic` and origin/topic at another."""
    b = make_repo("twins")
    b.commit("init", {"app.py": "x = 1\n"}, author=ALICE)
    b.snapshots["pull-4852"] = dict(b.snapshots["main"])  # the PR's own snapshot, so main's stays as it is
    pr = b.commit("Bound the CIMD cache", {"cache.py": "LIMIT = 100\n"}, branch="pull-4852",
                  ref="refs/pull/4852/head", parents=[b.head()], author=BOB)
    b.set_ref("refs/remotes/origin/codex/bound-cimd-cache", pr)
    b.branch("topic")
    topic = b.commit("Topic work", {"topic.py": "t = 1\n"}, branch="topic", author=ALICE)
    b.set_ref("refs/remotes/origin/topic", topic)
    b.checkout()
    return b


def test_same_head_is_one_change_with_aliases(twins) -> None:
    found = discover(GitRepo(twins.path))
    by_head = {c.head: c for c in found.changes}
    assert len(found.changes) == len(by_head) == 2
    pr = next(c for c in found.changes if "pull/4852" in c.names)
    assert set(pr.names) == {"pull/4852", "origin/codex/bound-cimd-cache"}
    assert pr.kind == "pr"  # a pull request is the unit people review: the change keeps that kind
    topic = next(c for c in found.changes if "topic" in c.names)
    assert topic.id == "topic"  # the local branch is the name the author uses
    assert topic.aliases == ["origin/topic"]


def test_list_prints_one_row_per_head_with_its_aliases(twins) -> None:
    result = run("list", "--repo", str(twins.path), "--json")
    rows = json.loads(result.stdout)
    assert len(rows) == 2
    pr = next(r for r in rows if r["kind"] == "pr")
    assert sorted([pr["id"], *pr["aliases"]]) == ["origin/codex/bound-cimd-cache", "pull/4852"]
    assert "refs/remotes/origin/codex/bound-cimd-cache" in pr["alias_refs"]


@pytest.mark.parametrize("name", ["pull/4852", "origin/codex/bound-cimd-cache",
                                  "refs/remotes/origin/codex/bound-cimd-cache", "refs/pull/4852/head"])
def test_every_alias_names_the_change(twins, name) -> None:
    found = discover(GitRepo(twins.path))
    assert "pull/4852" in find_change(found, name).names
    for command in (["explain", name, "--json"], ["chunks", name, "--json"]):
        result = run(*command, "--repo", str(twins.path))
        assert result.exit_code == 0, (command, result.output)
    check = run("check", name, "--repo", str(twins.path))
    assert check.exit_code in (0, 1), check.output  # a policy verdict, not "no pending change"
    assert "no pending change" not in check.output


def test_unknown_name_lists_the_aliases_it_knows(twins) -> None:
    result = run("explain", "nope", "--repo", str(twins.path))
    assert result.exit_code != 0
    assert "no pending change 'nope'" in result.output


def test_twins_that_diverge_are_two_changes(twins) -> None:
    """A local branch ahead of its remote twin is new work: both heads are listed."""
    twins.commit("Local only", {"topic.py": "t = 2\n"}, branch="topic", author=ALICE)
    found = discover(GitRepo(twins.path))
    assert {"topic", "origin/topic"} <= {c.id for c in found.changes}


@pytest.fixture
def two_remotes(make_repo):
    """A fork workflow: `feat` pushed to origin and to upstream; `other` on both remotes at different heads."""
    b = make_repo("two-remotes")
    b.commit("init", {"app.py": "x = 1\n"}, author=ALICE)
    b.branch("feat")
    feat = b.commit("Feature work", {"feat.py": "f = 1\n"}, branch="feat", author=ALICE)
    b.set_ref("refs/remotes/origin/feat", feat)
    b.set_ref("refs/remotes/upstream/feat", feat)
    b.repo.references.delete("refs/heads/feat")
    b.branch("other")
    older = b.commit("Other, first", {"other.py": "o = 1\n"}, branch="other", author=BOB)
    # adds to the first (a second commit that replaced the first's only line would title the change: QA56 F9)
    newer = b.commit("Other, second", {"other.py": "o = 1\np = 2\n"}, branch="other", author=BOB)
    b.set_ref("refs/remotes/upstream/other", older)
    b.set_ref("refs/remotes/origin/other", newer)
    b.repo.references.delete("refs/heads/other")
    b.checkout()
    return b


def test_a_branch_on_two_remotes_at_one_head_is_one_change(two_remotes) -> None:
    found = discover(GitRepo(two_remotes.path))
    feat = [c for c in found.changes if "origin/feat" in c.names or "upstream/feat" in c.names]
    assert len(feat) == 1
    assert set(feat[0].names) == {"origin/feat", "upstream/feat"}
    for name in ("origin/feat", "upstream/feat", "refs/remotes/upstream/feat"):
        assert find_change(found, name) is feat[0]


def test_a_branch_on_two_remotes_at_two_heads_is_two_changes_each_named_by_its_remote(two_remotes) -> None:
    found = discover(GitRepo(two_remotes.path))
    origin = find_change(found, "origin/other")
    upstream = find_change(found, "upstream/other")
    assert origin.head != upstream.head
    assert [len(c.commits) for c in (origin, upstream)] == [2, 1]
    assert [c.title for c in (origin, upstream)] == ["Other, first", "Other, first"]  # each titled by its first
    for name in ("origin/other", "upstream/other"):
        result = run("explain", name, "--repo", str(two_remotes.path), "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["id"] == name


def test_a_bare_branch_name_finds_its_remote_branch_and_says_when_it_is_ambiguous(two_remotes) -> None:
    found = discover(GitRepo(two_remotes.path))
    assert set(find_change(found, "feat").names) == {"origin/feat", "upstream/feat"}  # one head on both remotes
    result = run("explain", "feat", "--repo", str(two_remotes.path), "--json")
    assert result.exit_code == 0, result.output
    result = run("explain", "other", "--repo", str(two_remotes.path))
    assert result.exit_code == 2
    assert result.output.strip() == ("review-tui: error: 'other' is a branch on several remotes at different heads: "
                                     "origin/other, upstream/other; name one of them")
