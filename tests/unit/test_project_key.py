"""The project key (the first root commit of libgit2's reverse topological order) carried over from an
earlier tip of the base's branch after a fetch: on random histories (several roots, merges of old
commits, new roots merged in, side branches forked long ago), whenever GitRepo.root_carries_over says
yes, a full walk from the new tip finds the same root; and it says yes for the histories a fetch brings
on a linear main line."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pygit2
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.core.git.repo import GitRepo

SIG = pygit2.Signature("A", "a@example.com", 1_700_000_000, 0)

# Old history: a new root, a commit on some earlier commit, or a merge of two earlier commits.
old_step = st.one_of(st.just(("root",)), st.tuples(st.just("on"), st.integers(0, 50)),
                     st.tuples(st.just("merge"), st.integers(0, 50), st.integers(0, 50)))
# New commits, each on the previous one (the first on the earlier tip): alone, or merging another new
# commit, an old commit (a branch forked long ago), or a brand-new root.
# "side": a merge of a side commit that itself merged the line with a branch forked from an old commit
# (or with a new root): libgit2's sort then takes the earlier tip while that branch is still pending,
# and its old history can come out last.
new_step = st.one_of(st.just(("on",)), st.tuples(st.just("merge-new"), st.integers(0, 50)),
                     st.tuples(st.just("merge-old"), st.integers(0, 50)), st.just(("merge-root",)),
                     st.tuples(st.just("side"), st.integers(-1, 50)))


def _commit(repo: pygit2.Repository, parents: list[pygit2.Oid], n: int) -> pygit2.Oid:
    blob = repo.create_blob(f"{n}\n".encode())
    builder = repo.TreeBuilder()
    builder.insert("f.txt", blob, pygit2.GIT_FILEMODE_BLOB)
    sig = pygit2.Signature("A", "a@example.com", 1_700_000_000 + n, 0)
    return repo.create_commit(None, sig, sig, f"c{n}", builder.write(), parents)


def _history(folder: Path, old: list[tuple], new: list[tuple]) -> tuple[GitRepo, str, str, bool]:
    """(repo, earlier tip, new tip, whether every new commit has its parents among the new ones and
    the earlier tip)."""
    repo = pygit2.init_repository(str(folder), bare=True)
    made: list[pygit2.Oid] = [_commit(repo, [], 0)]
    for step in old:
        if step[0] == "root":
            made.append(_commit(repo, [], len(made)))
        elif step[0] == "on":
            made.append(_commit(repo, [made[step[1] % len(made)]], len(made)))
        else:
            a, b = made[step[1] % len(made)], made[step[2] % len(made)]
            made.append(_commit(repo, [a, b] if a != b else [a], len(made)))
    earlier = made[-1]
    line = [earlier]
    contained = True
    n = len(made)
    for step in new:
        parents = [line[-1]]
        if step[0] == "merge-new" and len(line) > 1:
            parents.append(line[step[1] % (len(line) - 1)])  # an earlier new commit (or the earlier tip)
        elif step[0] == "merge-old":
            other = made[step[1] % len(made)]
            parents.append(other)
            contained = contained and other == earlier
        elif step[0] == "merge-root":
            parents.append(_commit(repo, [], n))
            n += 1
            contained = False
        elif step[0] == "side":
            fork = _commit(repo, [made[step[1] % len(made)]] if step[1] >= 0 else [], n)
            parents.append(_commit(repo, [fork, line[-1]], n + 1))
            n += 2
            contained = False
        line.append(_commit(repo, list(dict.fromkeys(parents)), n))
        n += 1
    return GitRepo(str(folder)), str(earlier), str(line[-1]), contained


@settings(max_examples=80, deadline=None)
@given(old=st.lists(old_step, max_size=14), new=st.lists(new_step, min_size=1, max_size=6))
# Two roots merged, then a branch forked from the older root merged through a side commit: the full walk
# ends on the other root (found by hypothesis in 1,000 examples with the parents rule left out).
@example(old=[("root",), ("merge", 1, 0)], new=[("side", 0)])
def test_a_carried_key_is_the_key_a_full_walk_finds(old, new) -> None:
    with tempfile.TemporaryDirectory() as folder:
        repo, earlier, later, contained = _history(Path(folder), old, new)
        root = repo.root_commit(earlier)
        carried = repo.root_carries_over(earlier, later)
        if carried:
            assert repo.root_commit(later) == root
        if contained:
            assert carried  # a fetch onto a linear main line (merges among the new commits): no walk
        assert not repo.root_carries_over(earlier, later, limit=0)  # past the limit: walk
