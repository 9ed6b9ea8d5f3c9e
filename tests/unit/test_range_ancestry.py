"""RangeAncestry answers, from one walk of a range, what `git rev-list PARENT..END` answers for each of
its commits: the commits after it, which its history figures must not count."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.git.history import RangeAncestry
from app.core.git.repo import GitRepo
from tests.conftest import ALICE


def _reachable(commit: str, parents: dict[str, list[str]]) -> set[str]:
    seen, stack = set(), [commit]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(parents.get(current, ()))
    return seen


@st.composite
def histories(draw):
    """A random DAG: commit i's parents are earlier commits (a first parent and maybe a merged one)."""
    count = draw(st.integers(2, 30))
    parents: dict[str, list[str]] = {"c0": []}
    for i in range(1, count):
        first = draw(st.integers(0, i - 1))
        merged = draw(st.one_of(st.none(), st.integers(0, i - 1)))
        parents[f"c{i}"] = [f"c{first}"] + ([f"c{merged}"] if merged is not None and merged != first else [])
    start = f"c{draw(st.integers(0, count - 2))}"
    end = f"c{count - 1}"
    return parents, start, end


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_after_is_what_rev_list_hides_for_every_descendant_of_the_start(history) -> None:
    parents, start, end = history
    in_range = _reachable(end, parents) - _reachable(start, parents)
    order = sorted(in_range, key=lambda c: int(c[1:]))  # parents before children
    ancestry = RangeAncestry(start, [(c, parents[c]) for c in order])
    for commit in [start, *order]:
        has_start = start in _reachable(commit, parents)
        after = ancestry.after(commit)
        assert ancestry.descends(commit) == has_start
        if has_start:
            assert after is not None
            assert set(after) == _reachable(end, parents) - _reachable(commit, parents)
            assert len(after) == len(set(after))
            assert all((c in after) == (c in set(after)) for c in parents)
        else:
            assert after is None  # the caller walks for such a commit on its own


def test_on_a_real_history_with_a_merge_it_matches_the_walk_per_commit(make_repo) -> None:
    builder = make_repo()
    start = builder.commit("start", {"a.py": "a = 1\n"}, author=ALICE)
    builder.commit("main 1", {"a.py": "a = 2\n"}, author=ALICE)
    builder.branch("side", at=start)
    builder.commit("side 1", {"b.py": "b = 1\n"}, author=ALICE, branch="side")
    builder.commit("side 2", {"b.py": "b = 2\n"}, author=ALICE, branch="side")
    builder.merge("main", "side", "merge side", author=ALICE)
    end = builder.commit("main 2", {"a.py": "a = 3\n"}, author=ALICE)
    repo = GitRepo(builder.path)
    walk = repo.parents_between(start, end, 1000)
    assert walk is not None and len(walk) == 5
    ancestry = RangeAncestry(start, walk)
    for commit, _ in walk:
        expected = repo.ids_between(commit, end, 1000)
        after = ancestry.after(commit)
        assert after is not None and set(after) == expected
