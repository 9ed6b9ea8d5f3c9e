"""History figures without leakage (issue 12): in `list --range` each commit's history and experience
come from the history before it (its first parent), and the analysis cache never returns history
figures of another base; main moving by an unrelated commit costs no diff, complexity or plan."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.storage.cache import AnalysisCache
from tests.conftest import ALICE, BOB, SAMPLES

CAROL = SAMPLES.Person("Carol Example", "carol@example.com")
DAVE = SAMPLES.Person("Dave Example", "dave@example.com")


def list_json(path, *args: str, cache: bool = True) -> list[dict]:
    env = {} if cache else {"REVIEW_TUI_NO_CACHE": "1"}
    result = CliRunner(env=env).invoke(cli, ["list", "--repo", str(path), "--json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _code(n: int) -> str:
    return "".join(f"def f{i}(x):\n    return x + {i + n}\n\n\n" for i in range(4))


@pytest.fixture
def chain(make_repo):
    """root (alice) then c1 alice, c2 bob, c3 carol, c4 alice on app.py; main goes on with d1, d2 (dave)."""
    b = make_repo("chain")
    ids = {"root": b.commit("root", {"app.py": _code(0)}, author=ALICE)}
    for name, who, n in (("c1", ALICE, 1), ("c2", BOB, 2), ("c3", CAROL, 3), ("c4", ALICE, 4),
                         ("d1", DAVE, 5), ("d2", DAVE, 6)):
        ids[name] = b.commit(name, {"app.py": _code(n)}, author=who)
    b.checkout()
    b.ids = ids
    return b


def test_range_history_comes_from_each_commits_parent(chain) -> None:
    """Commit k counts only the commits before it: neither itself, nor later commits of the range,
    nor main's commits after the range."""
    spec = f"{chain.ids['root']}..{chain.ids['c4']}"

    def figures(**kwargs) -> dict[str, tuple[int, int, int]]:
        rows = list_json(chain.path, "--range", spec, **kwargs)
        return {r["title"]: (r["history"]["hottest_changes"], r["history"]["recent_authors"],
                             r["history"]["author_prior_commits"]) for r in rows}

    rows = figures()
    # before c1: root (alice); before c2: root, c1 (alice); before c3: + c2 (bob); before c4: + c3 (carol)
    assert rows == {"c1": (1, 1, 1), "c2": (2, 1, 0), "c3": (3, 2, 0), "c4": (4, 3, 2)}
    # the same figures from a warm cache, and without any cache
    again, cold = figures(), figures(cache=False)
    assert again == rows == cold


@pytest.fixture
def two_bases(make_repo):
    """feature forks from main at F; `other` goes on from main with three commits by dave to the file
    feature changes, main does not: the same change (same merge-base, same head) has another history."""
    b = make_repo("bases")
    b.commit("root", {"app.py": _code(0), "README.md": "# r\n"}, author=ALICE)
    b.branch("feature")
    b.commit("feature work", {"app.py": _code(10)}, branch="feature", author=BOB)
    b.commit("main docs", {"README.md": "# r\nmore\n"}, author=ALICE)
    b.branch("other")
    for n in range(3):
        b.commit(f"other {n}", {"app.py": _code(20 + n)}, branch="other", author=DAVE)
    b.checkout()
    return b


def test_another_base_gives_that_bases_history_not_the_cached_one(two_bases) -> None:
    def history(base: str, *, cache: bool = True) -> dict:
        [row] = [r for r in list_json(two_bases.path, "--base", base, cache=cache) if r["id"] == "feature"]
        return row["history"]

    on_main = history("main")
    on_other = history("other")
    assert on_main == history("main", cache=False)
    assert on_other == history("other", cache=False)
    assert (on_main["hottest_changes"], on_main["recent_authors"]) == (1, 1)
    assert (on_other["hottest_changes"], on_other["recent_authors"]) == (4, 2)
    assert history("main") == on_main  # and back again


@pytest.fixture
def moving_main(make_repo):
    b = make_repo("moving")
    b.commit("root", {"app.py": _code(0), "README.md": "# r\n"}, author=ALICE)
    b.branch("feature")
    b.commit("feature work", {"app.py": _code(10)}, branch="feature", author=BOB)
    b.branch("second")
    b.commit("second work", {"README.md": "# r\nsecond\n"}, branch="second", author=CAROL)
    b.checkout()
    return b


def _run(path) -> tuple[list, list]:
    """(every report the analyzer emitted, the ranked reports) of one analyze_all with the user's cache."""
    seen: list = []
    with AnalysisCache.open() as cache:
        reports = Analyzer(path, cache=cache).analyze_all(on_report=seen.append)
    return seen, reports


def test_main_moving_costs_no_diff_complexity_or_plan(moving_main) -> None:
    """A warm run after main moved: every report comes whole from the cache (no change is diffed:
    a diffed change is first shown with its size only), with history figures as of the new main."""
    _run(moving_main.path)  # cold
    with AnalysisCache.open() as cache:
        rows = {kind: cache.count(kind) for kind in ("report", "plan", "metrics")}
    moving_main.commit("unrelated", {"docs.md": "docs\n"}, author=DAVE)
    moving_main.checkout()  # a clean working tree: only main moved
    seen, reports = _run(moving_main.path)
    assert all(r.complete and r.assessment is not None for r in seen), "a change was diffed again"
    assert {r.id for r in reports} == {"feature", "second"}, [r.id for r in reports]
    with AnalysisCache.open() as cache:
        assert {kind: cache.count(kind) for kind in ("report", "plan", "metrics")} == rows

    # main touches the feature's file: its history figures change, and still nothing is diffed
    before = next(r for r in reports if r.id == "feature").assessment.history
    moving_main.commit("main edits app.py", {"app.py": _code(30)}, author=DAVE)
    moving_main.checkout()
    seen, reports = _run(moving_main.path)
    assert all(r.complete and r.assessment is not None for r in seen), "a change was diffed again"
    after = next(r for r in reports if r.id == "feature").assessment
    assert (after.history.hottest_changes, after.history.recent_authors) == (
        before.hottest_changes + 1, before.recent_authors + 1)
    cold = {r["id"]: r for r in list_json(moving_main.path, cache=False)}
    warm = {r["id"]: r for r in list_json(moving_main.path)}
    assert warm == cold


def test_a_side_branch_commit_in_a_range_does_not_count_main_commits_it_did_not_have(make_repo) -> None:
    """s1 forks from root and is merged into the range; main's m1 is older than s1 and in the index
    walked from the range's end, but not in s1's past: s1 counts root only."""
    b = make_repo("side")
    b.commit("root", {"app.py": _code(0)}, author=ALICE)
    b.branch("side")
    start = b.commit("m1", {"app.py": _code(1)}, author=CAROL)
    b.commit("s1", {"app.py": _code(0) + "X = 1\n"}, branch="side", author=BOB)
    b.commit("m2", {"README.md": "# r\n"}, author=DAVE)
    b.commit("Merge side", {"app.py": _code(1) + "X = 1\n"}, author=ALICE, parents=[b.head("main"), b.head("side")])
    b.checkout()
    for cache in (True, False):
        rows = {r["title"]: r["history"] for r in list_json(b.path, "--range", f"{start}..main", cache=cache)}
        assert (rows["s1"]["hottest_changes"], rows["s1"]["recent_authors"]) == (1, 1)


def test_a_lone_commit_is_judged_by_its_parents_history(chain) -> None:
    """Outside a range a commit id names that commit as a change of its own (`explain ID`): its
    history too is that of its first parent, not the base tip's."""
    for cache in (True, False, True):
        env = {} if cache else {"REVIEW_TUI_NO_CACHE": "1"}
        result = CliRunner(env=env).invoke(cli, ["explain", chain.ids["c2"], "--repo", str(chain.path), "--json"],
                                           catch_exceptions=False)
        assert result.exit_code == 0, result.output
        history = json.loads(result.stdout)["history"]
        assert (history["hottest_changes"], history["recent_authors"], history["author_prior_commits"]) == (2, 1, 0)


def test_a_merged_pull_request_is_one_piece_of_work_of_its_authors_as_calibrate_counts_it(make_repo) -> None:
    """QA52 #12: lazygit's english.go "changed 52x in 90 days" was 31 commits and 22 merges of the same work,
    and the merger an author of all of it. The base's first-parent line counts each piece of work once (a
    pull request merged with a merge commit, as one squashed), a merge as the work of the authors it brought
    in; `calibrate` reads the factors of a commit of the line the same way: the two agree."""
    import math

    from app.core.calibration.factors import measure, read_first_parent_log
    from app.core.git.cli import GitCli
    from app.core.git.repo import GitRepo

    b = make_repo("merges")
    b.commit("root", {"app.py": _code(0)}, author=ALICE)
    for pr in range(2):  # two pull requests of two commits each by bob, merged by alice
        b.branch(f"pr{pr}")
        b.commit(f"pr{pr} start", {"app.py": _code(10 + pr)}, branch=f"pr{pr}", author=BOB)
        b.commit(f"pr{pr} finish", {"app.py": _code(20 + pr)}, branch=f"pr{pr}", author=BOB)
        b.merge("main", f"pr{pr}", f"Merge pull request #{pr} from bob/pr{pr}", author=ALICE)
    b.commit("carol's direct fix", {"app.py": _code(30)}, author=CAROL)
    b.branch("topic")
    topic = b.commit("topic", {"app.py": _code(40)}, branch="topic", author=BOB)
    b.checkout()
    row = next(r for r in list_json(b.path) if r["title"] == "topic")
    figures = (row["history"]["hottest_changes"], row["history"]["recent_authors"],
               row["history"]["author_prior_commits"])
    # root, two pull requests, carol's fix: 4 pieces of work (not 7 commits and merges); alice, bob, carol wrote
    # them (alice for root only: not as the merger); bob's: the two pull requests (not 4 commits and 2 merges)
    assert figures == (4, 3, 2)
    repo = GitRepo(b.path)
    line = read_first_parent_log(GitCli(repo.git_dir), topic)
    for commit in line:
        if commit.is_merge:
            commit.work_authors = repo.work_authors(commit.sha)
    [measured] = measure(line, {topic}, repo.blob, workers=0)
    assert tuple(round(math.expm1(measured.feats[name])) for name in ("history", "authors", "experience")) == figures
