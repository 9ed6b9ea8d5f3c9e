"""BaseHistory answers from memory what libgit2 answers with a walk each (ancestry, merge bases, the commits
a head has and the base has not), for discoveries of thousands of heads. On random histories built as real
repositories, every answer is libgit2's."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.git.repo import GitRepo
from tests.conftest import ALICE


@st.composite
def dags(draw):
    """Commit i's parents are earlier commits (a first parent, maybe one merged); commit times may go
    backwards (skewed clocks), which must not change any answer."""
    count = draw(st.integers(2, 24))
    parents: list[list[int]] = [[]]
    for i in range(1, count):
        first = draw(st.integers(0, i - 1))
        merged = draw(st.one_of(st.none(), st.integers(0, i - 1)))
        parents.append([first] + ([merged] if merged is not None and merged != first else []))
    times = [1_700_000_000 + draw(st.integers(-5, 5)) * 60 + i for i in range(count)]
    base = draw(st.integers(0, count - 1))
    return parents, times, base


def _build(make_repo, parents, times) -> tuple[GitRepo, list[str]]:
    b = make_repo()
    ids: list[str] = []
    for i, (own, when) in enumerate(zip(parents, times, strict=True)):
        ids.append(b.commit(f"c{i}", {"f.txt": f"{i}\n"}, author=ALICE, when=when, parents=[ids[p] for p in own],
                            ref=f"refs/dag/{i}"))
    return GitRepo(b.path), ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(dags())
def test_every_answer_from_the_base_history_is_libgit2s(make_repo, dag) -> None:
    parents, times, base_index = dag
    repo, ids = _build(make_repo, parents, times)
    base = ids[base_index]
    history = repo.base_history(base)
    assert history is not None
    assert set(history.parents) == {c for c in ids if repo.is_ancestor(c, base)}
    for a in history.parents:
        for d in history.parents:
            assert history.is_ancestor(a, d) == repo.is_ancestor(a, d), (a, d)
    for head in ids:
        if head in history:
            continue  # merged already: discovery never asks
        commits, merge_base, problem = repo.pending_walk(base, head, history)
        # libgit2's walk hides the base by commit dates: a base commit dated after its own descendants (a skewed
        # clock) comes out as pending, where the base history knows it is the base's (hypothesis found one)
        assert [c.id for c in commits] == [c.id for c in repo.commits_between(base, head)
                                           if not repo.is_ancestor(c.id, base)]
        assert (merge_base, problem) == repo.merge_base_or_problem(base, head)
    bases = [c for c in ids if c in history][:3]
    outside, cut = history.outside_common(bases, limit=len(ids))
    common = {c for c in history.parents if all(history.is_ancestor(c, b) for b in bases)}
    assert not cut and {c for c, _ in outside} == set(history.parents) - common
    assert [c for c, _ in outside] == sorted((c for c, _ in outside), key=lambda c: (-history.time[c], c))


def test_a_criss_cross_merge_base_is_the_one_libgit2_picks(make_repo) -> None:
    """Two best common ancestors (both sides merged the same two lines): libgit2 sorts them newest first and
    takes the first, and so does the in-memory answer (ansible: 374 pull request heads like this)."""
    dag = [[], [0], [0], [1, 2], [2, 1], [3], [4]]  # 3 and 4 each merge 1 and 2; 5 on top of 3, 6 of 4
    for times in ([0, 10, 20, 30, 40, 50, 60], [0, 20, 10, 30, 40, 50, 60]):
        repo, ids = _build(make_repo, dag, [1_700_000_000 + t for t in times])
        history = repo.base_history(ids[5])
        assert history is not None and len(history.best_common({ids[1], ids[2]})) == 2
        commits, merge_base, problem = repo.pending_walk(ids[5], ids[6], history)
        assert (merge_base, problem) == repo.merge_base_or_problem(ids[5], ids[6])
        assert [c.id for c in commits] == [c.id for c in repo.commits_between(ids[5], ids[6])]
