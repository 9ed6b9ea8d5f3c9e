"""Ranges as first-class changes (issue 13): `--range A..B` in every command, the ids `list --range`
prints accepted everywhere, merge commits left out by default (`--merges` includes them, diffed as
what the merge itself introduced), `--first-parent` for the main line, and a stated walk limit."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.config import UserConfig
from app.core.git.discovery import discover
from app.core.git.repo import GitRepo
from app.paths import ledger_path
from app.storage.ledger import Ledger
from app.tui.app import make_app
from tests.conftest import ALICE, BOB
from tests.functional.test_change_screen import open_change
from tests.functional.test_reading_screens import _screen_text

APP = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(8))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def list_json(path, *args: str) -> list[dict]:
    result = run("list", "--repo", str(path), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def history(make_repo):
    """start -> main: a feature branch that merges main in ("Merge main into feature", replaying
    main's work), then is merged into main by an evil merge that adds a line of its own."""
    b = make_repo("ranges")
    ids = {"start": b.commit("start", {"app.py": APP, "README.md": "# r\n"}, author=ALICE)}
    b.branch("feature")
    ids["f1"] = b.commit("feature: f1", {"feature.py": "a = 1\n"}, branch="feature", author=BOB)
    ids["m1"] = b.commit("main: docs", {"README.md": "# r\n\n" + "docs line\n" * 40}, author=ALICE)
    ids["sync"] = b.merge("feature", "main", "Merge main into feature", author=BOB)
    ids["f2"] = b.commit("feature: f2", {"feature.py": "a = 1\nb = 2\n"}, branch="feature", author=BOB)
    ids["m2"] = b.commit("main: f3", {"app.py": APP.replace("return 3", "return 33")}, author=ALICE)
    merged = dict(b.snapshots["main"])
    merged.update(b.snapshots["feature"])
    merged["app.py"] = (APP.replace("return 3", "return 33").replace("return 5", "return 55").encode(), 0o100644)
    ids["evil"] = b.commit("Merge feature", {p: v[0] for p, v in merged.items()}, author=ALICE,
                           parents=[b.head("main"), b.head("feature")])  # return 55 is the merge's own line
    b.set_ref("refs/tags/start", ids["start"])
    b.checkout()
    b.ids = ids
    return b


def test_merges_are_left_out_of_a_range_by_default(history) -> None:
    found = discover(GitRepo(history.path), commit_range="start..main")
    subjects = [c.title for c in found.changes]
    assert sorted(subjects) == ["feature: f1", "feature: f2", "main: docs", "main: f3"]
    assert any("2 merge commits left out" in w and "--merges" in w for w in found.warnings)


def test_merges_flag_diffs_a_merge_as_what_it_introduced(history) -> None:
    found = discover(GitRepo(history.path), commit_range="start..main", merges=True)
    rows = {r["title"]: r for r in list_json(history.path, "--range", "start..main", "--merges")}
    assert len(found.changes) == 6
    sync = rows["Merge main into feature"]
    assert (sync["lines_added"], sync["lines_deleted"]) == (0, 0)  # a clean merge introduces nothing
    evil = rows["Merge feature"]
    assert (evil["lines_added"], evil["lines_deleted"], evil["files"]) == (1, 1, 1)  # only return 55


def test_an_octopus_merge_in_a_range_says_it_is_diffed_against_its_first_parent(make_repo) -> None:
    """QA44 #8: git has no remerge of several parents; the first-parent diff repeated each branch's lines with no
    word of it."""
    b = make_repo("octopus")
    start = b.commit("start", {"app.py": APP}, author=ALICE)
    for name in ("o1", "o2", "o3"):
        b.branch(name, at=start)
        b.commit(f"qa {name}", {f"{name}.py": "x = 1\n"}, branch=name, author=BOB)
    merged = {"app.py": APP, **{f"{n}.py": "x = 1\n" for n in ("o1", "o2", "o3")}}
    b.commit("Octopus merge o1 o2 o3", merged, author=ALICE, parents=[start, b.head("o1"), b.head("o2"), b.head("o3")])
    b.set_ref("refs/tags/start", start)
    b.checkout()
    [octopus] = [c for c in discover(GitRepo(b.path), commit_range="start..main", merges=True).changes
                 if c.title.startswith("Octopus")]
    assert octopus.base_remarks.startswith("an octopus merge of 4 parents: diffed against its first parent")


def test_first_parent_walks_the_main_line(history) -> None:
    rows = {r["title"]: r for r in list_json(history.path, "--range", "start..main", "--first-parent")}
    assert sorted(rows) == ["Merge feature", "main: docs", "main: f3"]
    # on the main line a merge stands for the branch it brought in: diffed against its first parent
    assert rows["Merge feature"]["files"] == 2  # feature.py and the evil app.py line
    # and its authors are the branch's: Bob wrote feature.py, Alice only merged it, and Bob may not
    # approve it as an independent reviewer (he could, as the merge's one commit was Alice's)
    found = discover(GitRepo(history.path), commit_range="start..main", first_parent=True)
    merge = next(c for c in found.changes if c.title == "Merge feature")
    assert {c.id for c in merge.commits} == {history.ids[k] for k in ("evil", "f1", "sync", "f2")}
    assert {a.split(" <")[0] for a in merge.authors} == {ALICE.name, BOB.name}


@pytest.mark.parametrize("command", ["explain", "chunks"])
def test_ids_printed_by_list_range_work_in_every_command(history, command) -> None:
    rows = list_json(history.path, "--range", "start..main")
    for row in rows:
        with_range = run(command, row["id"], "--range", "start..main", "--repo", str(history.path), "--json")
        assert with_range.exit_code == 0, with_range.output
        without = run(command, row["id"], "--repo", str(history.path), "--json")
        assert without.exit_code == 0, without.output  # a commit id from the range is a change on its own
        assert json.loads(without.stdout)["head"] == row["head"]


def test_check_accepts_range_ids(history) -> None:
    [row, *_] = list_json(history.path, "--range", "start..main")
    result = run("check", row["id"], "--range", "start..main", "--repo", str(history.path))
    assert result.exit_code in (0, 1), result.output
    assert "no pending change" not in result.output


def test_an_id_outside_the_range_is_refused_with_the_range_named(history) -> None:
    result = run("explain", history.ids["evil"][:10], "--range", "start..main", "--repo", str(history.path))
    assert result.exit_code != 0
    assert "start..main" in result.output


def test_range_walk_limit_is_stated(history) -> None:
    found = discover(GitRepo(history.path), commit_range="start..main", range_limit=2)
    assert [c.title for c in found.changes] == ["main: f3"]  # the newest two: the evil merge (left out) and f3
    assert any("more than 2 commits" in w and "newest 2" in w for w in found.warnings)


def test_merges_and_first_parent_together_are_a_usage_error(history) -> None:
    result = run("list", "--repo", str(history.path), "--range", "start..main", "--merges", "--first-parent")
    assert result.exit_code == 2
    assert "--merges and --first-parent are exclusive" in result.output
    assert "Merge" not in result.stdout  # no queue printed under one of the two readings


def test_a_clean_merge_has_nothing_to_review_and_passes_check(history) -> None:
    rows = {r["title"]: r for r in list_json(history.path, "--range", "start..main", "--merges")}
    sync = rows["Merge main into feature"]
    assert (sync["files"], sync["chunks"]) == (0, 0)
    assert sync["tier"] == 3  # the least critical tier, not the default tier of paths that match no rule
    result = run("check", sync["id"], "--range", "start..main", "--merges", "--repo", str(history.path))
    assert result.exit_code == 0, result.output  # a gate on a --merges range is not held by approving nothing
    assert "policy met" in result.output and "nothing to review: the change changes no file" in result.output
    explained = json.loads(run("explain", sync["id"], "--range", "start..main", "--merges", "--repo",
                               str(history.path), "--json").stdout)
    assert explained["impact"] == 0


async def test_the_change_screen_of_a_clean_merge_says_there_is_nothing_to_review(history) -> None:
    sync = {r["title"]: r for r in list_json(history.path, "--range", "start..main", "--merges")}[
        "Merge main into feature"]
    app = make_app(Analyzer(history.path, commit_range="start..main", merges=True),
                   user_config=UserConfig(reviewer_email="r@example.com"), ledger=Ledger.open(ledger_path()))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_change(pilot, sync["id"])
        text = _screen_text(app)
        assert "why: no factor raises the score" in text
        assert "policy met: nothing to review: the change changes no file" in text
        assert "empty change: nothing to review" in text


def test_a_range_commit_is_named_by_any_abbreviation_of_its_id(history) -> None:
    """`git log --oneline` prints 7 characters; inside a range that was refused with a "did you mean"
    naming the very commit."""
    short = history.ids["m2"][:7]
    result = run("chunks", short, "--range", "start..main", "--repo", str(history.path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["head"] == history.ids["m2"]


def test_a_branch_named_inside_a_range_is_answered_with_its_commit(history) -> None:
    """In a range the changes are commits: naming the feature branch said "no pending change ... its
    branch may have been deleted or merged", though the branch is right there (QA40 13b)."""
    result = run("check", "feature", "--range", "start..main", "--repo", str(history.path))
    assert result.exit_code == 2
    assert f"'feature' is commit {history.ids['f2'][:10]}" in result.stderr
    assert "may have been deleted" not in result.stderr and "Traceback" not in result.stderr


def test_naming_the_base_says_it_is_the_base(history) -> None:
    result = run("check", "main", "--repo", str(history.path), "--notes-only")
    assert result.exit_code == 2
    assert "'main' is the base (main): pending changes are compared with it" in result.stderr
    history.set_ref("refs/heads/at-base", history.head("main"))  # another branch at the base commit (QA44 21c)
    result = run("check", "at-base", "--repo", str(history.path), "--notes-only")
    assert result.exit_code == 2 and "'at-base' points at the base commit (main): it has nothing of its own" in (
        result.stderr)


def test_a_merge_named_by_its_id_carries_the_branch_it_brought_in(history) -> None:
    """QA42 #2: outside a range a merge is diffed against its first parent (the whole branch), yet only the
    merger was its author: the branch's own author approved it and check passed."""
    merge = history.ids["evil"]
    data = json.loads(run("explain", merge[:10], "--repo", str(history.path), "--json").stdout)
    assert data["kind"] == "commit" and data["commits"] > 1
    assert any("bob" in author.lower() for author in data["authors"]), data["authors"]


def test_any_abbreviation_of_a_pending_head_names_the_change(make_repo) -> None:
    """QA42 #3: from 7 characters a head named its change; `check 64b9` judged the last commit alone."""
    b = make_repo("short")
    b.commit("base", {"app.py": APP}, author=ALICE)
    b.branch("feature")
    b.commit("one", {"auth/login.py": "def login():\n    return 1\n"}, branch="feature", author=BOB)
    head = b.commit("two", {"tests/test_x.py": "def test_x():\n    assert 1\n"}, branch="feature", author=BOB)
    b.checkout()
    for length in (4, 6, 7):
        result = run("explain", head[:length], "--repo", str(b.path), "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["id"] == "feature" and json.loads(result.stdout)["commits"] == 2


def test_head_names_the_checked_out_branch_change(make_repo) -> None:
    b = make_repo("head")
    b.commit("base", {"app.py": APP}, author=ALICE)
    b.branch("feature")
    b.commit("work", {"auth/login.py": "def login():\n    return 1\n"}, branch="feature", author=BOB)
    b.checkout("feature")
    result = run("explain", "HEAD", "--repo", str(b.path), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "feature"
