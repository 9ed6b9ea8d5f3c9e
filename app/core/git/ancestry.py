"""A base's whole history held in memory, for a discovery of many heads (every fetched pull request).

libgit2 answers "is A an ancestor of B" and "the merge base of A and B" with a walk each, from the two
commits down to where their histories meet: cheap for one branch, minutes for thousands of heads based
on old commits (flask's 2,828 pull request heads). Read once, the base's graph answers them in memory:
generation numbers (a commit's is one more than its parents' highest) prune every walk, and the part
of the base some branch lacks is one pass over it.
"""

from __future__ import annotations

from collections.abc import Iterable


class BaseHistory:
    """Every commit reachable from a base tip: parents, committer time, generation."""

    def __init__(self, rows: Iterable[tuple[str, list[str], int]]) -> None:
        """`rows`: (id, parent ids, committer time), parents before children, the whole history."""
        self.parents: dict[str, list[str]] = {}
        self.time: dict[str, int] = {}
        self.generation: dict[str, int] = {}
        for commit_id, parents, commit_time in rows:
            self.parents[commit_id] = parents
            self.time[commit_id] = commit_time
            self.generation[commit_id] = 1 + max((self.generation[p] for p in parents), default=0)

    def stored(self) -> dict[str, list[str] | list[list[int]] | list[int]]:
        """The history as JSON: ids in its order (parents before children), parents by index, committer times."""
        ids = list(self.parents)
        index = {commit_id: i for i, commit_id in enumerate(ids)}
        return {"ids": ids, "parents": [[index[p] for p in self.parents[c]] for c in ids],
                "time": [self.time[c] for c in ids]}

    @classmethod
    def from_stored(cls, value: object) -> BaseHistory | None:
        """The history `stored` gave, or None where `value` is not one (a damaged entry: walk again)."""
        if not isinstance(value, dict):
            return None
        try:
            ids, parents, times = value["ids"], value["parents"], value["time"]
            if not (len(ids) == len(parents) == len(times)):
                return None
            return cls((commit_id, [ids[p] for p in below], int(when))
                       for commit_id, below, when in zip(ids, parents, times, strict=True))
        except (KeyError, TypeError, ValueError, IndexError):
            return None

    def __contains__(self, commit_id: object) -> bool:
        return commit_id in self.parents

    def __len__(self) -> int:
        return len(self.parents)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether `ancestor` is reachable from `descendant` (itself included); `descendant` is in the history."""
        if ancestor == descendant:
            return True
        floor = self.generation.get(ancestor)
        if floor is None or floor >= self.generation[descendant]:
            return False  # not in the base's history, or not below the descendant
        seen = {descendant}
        stack = [descendant]
        while stack:
            for parent in self.parents[stack.pop()]:
                if parent == ancestor:
                    return True
                if parent not in seen and self.generation[parent] > floor:
                    seen.add(parent)
                    stack.append(parent)
        return False

    def best_common(self, candidates: set[str]) -> list[str]:
        """The candidates no other candidate descends from: given the commits of the history a branch's own
        commits sit on, its merge bases with the tip (one, unless the branch merged the base in twice)."""
        return sorted(c for c in candidates if not any(o != c and self.is_ancestor(c, o) for o in candidates))

    def outside_common(self, commits: Iterable[str], limit: int) -> tuple[list[tuple[str, list[str]]], bool]:
        """(id, parent ids) of the history's commits that are not ancestors (or one) of every one of
        `commits`, newest first, at most `limit` of them, and whether the limit cut the list: the base
        commits some branch whose merge base is among `commits` has not got."""
        bits = {commit_id: 1 << i for i, commit_id in enumerate(dict.fromkeys(commits))}
        every = (1 << len(bits)) - 1
        reached: dict[str, int] = {}  # commit -> which of `commits` it is an ancestor of (or one)
        for commit_id in reversed(self.parents):  # children before parents
            mask = reached.get(commit_id, 0) | bits.get(commit_id, 0)
            reached[commit_id] = mask
            for parent in self.parents[commit_id]:
                reached[parent] = reached.get(parent, 0) | mask
        outside = [c for c, mask in reached.items() if mask != every]
        outside.sort(key=lambda c: (-self.time[c], c))
        return [(c, self.parents[c]) for c in outside[:limit]], len(outside) > limit
