"""History factors (Kamei et al. 2013: NDEV, NUC, EXP): how hot the touched files are and how
well the author knows them, from the base's own history (or, in `list --range`, from the history
before each commit: its first parent's).

The window ends at the base tip's commit time, not the wall clock, so figures are reproducible
and an old clone is judged by its own recent past.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.git.repo import GitRepo, HistoryEntry
from app.errors import RepoError

WINDOW_DAYS = 90
EXPERIENCE_DAYS = 730  # how far back an author's prior commits in the files are counted
MAX_COMMITS = 20_000


def anchor_time(repo: GitRepo, commit_id: str) -> int:
    """The time the history windows end at: the commit's time, or where that lies in the future (a skewed
    clock: one commit dated 2031 on the base tip left every window empty, "0 recent authors" on every change)
    that of the newest first-parent ancestor that does not; the project's own activity, not the wall clock."""
    import time

    now = int(time.time())
    commit = repo.commit_info(commit_id)
    for _ in range(1_000):
        if commit.commit_time <= now or not commit.parents:
            break
        try:
            commit = repo.commit_info(commit.parents[0])
        except (KeyError, ValueError, RepoError):
            break
    return min(commit.commit_time, now)


@dataclass
class HistoryIndex:
    """Per-path commit lists of the base's history, built once and shared by every change.

    Each entry names its commit (an index into `commit_ids`), so figures can be asked as of an older
    commit of the same history: `figures(..., as_of=...)` leaves out the commits that commit does not
    have (in `list --range`, a commit's own and the later ones) and moves the windows to its time."""

    base_commit: str
    window_start: int
    commits_by_path: dict[str, list[tuple[int, str, int]]] = field(default_factory=dict)  # path -> [(time, email, n)]
    commit_ids: list[str] = field(default_factory=list)  # n -> commit id (only commits that touch a path here)
    walked: int | None = None
    """At most how many commits the walk behind the index read, those that touch no path here included
    (whether a later base's walk could reach MAX_COMMITS); None: not known (an older cache's index)."""

    @classmethod
    def build(cls, repo: GitRepo, base_commit: str, *, paths: Collection[str] | None = None,
              since: int | None = None, git_only: bool = False) -> HistoryIndex:
        """The index of the base's history; with `paths`, of those paths only (the same figures for
        them, at a cost that follows the paths asked about rather than the repository's size). `since`:
        how far back (default: EXPERIENCE_DAYS before the base's time; earlier for figures as of
        older commits). `git_only`: see GitRepo.history."""
        tip_time = anchor_time(repo, base_commit)
        start = tip_time - EXPERIENCE_DAYS * 86_400 if since is None else since
        entries = repo.history(base_commit, since=start, max_commits=MAX_COMMITS, paths=paths, git_only=git_only)
        index = cls.from_entries(base_commit, tip_time - WINDOW_DAYS * 86_400, entries)
        index.walked = len(entries)
        return index

    def extended(self, repo: GitRepo, base_commit: str, *, paths: Collection[str] | None) -> HistoryIndex | None:
        """The index `build(repo, base_commit, paths=paths)` gives, for a later base whose history holds
        this index's base (the branch after a fetch), from this index and a walk of the commits since
        it only; None where that cannot be the same: a window reaching further back than this one's
        (a skewed clock) or a walk that could reach MAX_COMMITS. `paths` must be the paths this index
        covers (None: it covers every path)."""
        if self.walked is None:
            return None
        tip_time = anchor_time(repo, base_commit)
        since = tip_time - EXPERIENCE_DAYS * 86_400
        if since < anchor_time(repo, self.base_commit) - EXPERIENCE_DAYS * 86_400:
            return None
        # The reachable commits at or after `since` are those of this index's history (whose own window
        # began earlier) and those it does not have: both filtered by time, as the full walk filters.
        newer = repo.history(base_commit, since=since, max_commits=MAX_COMMITS, paths=paths, hide=self.base_commit)
        walked = self.walked + len(newer)
        if walked >= MAX_COMMITS:
            return None
        older = [entry for entry in self._entries() if entry.time >= since]
        entries = sorted([*newer, *older], key=lambda entry: -entry.time)
        index = HistoryIndex.from_entries(base_commit, tip_time - WINDOW_DAYS * 86_400, entries)
        index.walked = walked
        return index

    def _entries(self) -> list[HistoryEntry]:
        """The index's commits as history entries (those that touch a path it covers)."""
        times = [0] * len(self.commit_ids)
        emails: list[dict[str, None]] = [{} for _ in self.commit_ids]
        paths: list[list[str]] = [[] for _ in self.commit_ids]
        for path, commits in self.commits_by_path.items():
            for time, email, n in commits:
                times[n] = time
                emails[n].setdefault(email, None)
                if not paths[n] or paths[n][-1] != path:
                    paths[n].append(path)
        return [HistoryEntry(commit, next(iter(emails[n]), ""), times[n], tuple(paths[n]), tuple(emails[n])[1:])
                for n, commit in enumerate(self.commit_ids)]

    @classmethod
    def from_entries(cls, base_commit: str, window_start: int, entries: list[HistoryEntry]) -> HistoryIndex:
        by_path: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
        ids: list[str] = []
        for entry in entries:
            if not entry.paths:
                continue
            ids.append(entry.id)
            for path in entry.paths:
                by_path[path].extend((entry.time, email.lower(), len(ids) - 1) for email in entry.authors)
        return cls(base_commit, window_start, dict(by_path), ids)

    def to_dict(self) -> dict[str, Any]:
        return {"base_commit": self.base_commit, "window_start": self.window_start, "commit_ids": self.commit_ids,
                "commits_by_path": {p: [list(x) for x in v] for p, v in self.commits_by_path.items()},
                "walked": self.walked}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryIndex:
        ids = [str(i) for i in data["commit_ids"]]
        by_path = {p: [(int(t), str(e), int(n)) for t, e, n in v] for p, v in data["commits_by_path"].items()}
        if any(not 0 <= n < len(ids) for v in by_path.values() for _, _, n in v):
            raise ValueError("history index names a commit it does not list")
        walked = data.get("walked")
        return cls(data["base_commit"], data["window_start"], by_path, ids,
                   walked if isinstance(walked, int) and walked >= 0 else None)

    def entries(self, path: str) -> list[tuple[int, str, str]]:
        """(time, author email, commit id) of each indexed commit touching `path`, newest first (a merge once
        for each author of the work it brought in)."""
        return [(t, e, self.commit_ids[n]) for t, e, n in self.commits_by_path.get(path, [])]

    def figures(self, paths: list[str], author_emails: list[str], *, as_of: AsOf | None = None) -> HistoryFigures:
        """The figures of a change touching `paths` by those authors: as of the base, or `as_of` an
        older commit of its history."""
        authors = {e.lower() for e in author_emails}
        window_start, since = self.window_start, None
        hidden: frozenset[str] | CommitSet = frozenset()
        if as_of is not None:
            window_start, since, hidden = as_of.window_start, as_of.experience_start, as_of.hidden
        recent_changes: dict[str, int] = {}
        recent_authors: set[str] = set()
        prior = 0
        for path in paths:
            commits = [(t, e, n) for t, e, n in self.commits_by_path.get(path, [])
                       if (since is None or t >= since) and (not hidden or self.commit_ids[n] not in hidden)]
            recent = [(t, e, n) for t, e, n in commits if t >= window_start]
            if recent:
                recent_changes[path] = len({n for _, _, n in recent})  # a merge of several authors' work once
            recent_authors.update(e for _, e, _ in recent)
            prior += len({n for _, e, n in commits if e in authors})
        hottest = max(recent_changes.items(), key=lambda kv: (kv[1], kv[0]), default=(None, 0))
        return HistoryFigures(
            recent_changes=recent_changes,
            hottest_path=hottest[0],
            hottest_changes=hottest[1],
            recent_authors=len(recent_authors),
            author_prior_commits=prior,
            window_days=WINDOW_DAYS,
        )


@dataclass(frozen=True)
class AsOf:
    """An older commit of an index's history to ask figures as of: its time, and the commits of the
    index it does not have (those after it: in `hide`..index base)."""

    time: int
    hidden: frozenset[str] | CommitSet

    @property
    def window_start(self) -> int:
        return self.time - WINDOW_DAYS * 86_400

    @property
    def experience_start(self) -> int:
        return self.time - EXPERIENCE_DAYS * 86_400


@dataclass
class HistoryFigures:
    recent_changes: dict[str, int]  # path -> commits in the window
    hottest_path: str | None
    hottest_changes: int
    recent_authors: int  # distinct authors of the touched files in the window
    author_prior_commits: int  # the change's authors' earlier commits in the touched files
    window_days: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryFigures:
        return cls({str(p): int(n) for p, n in data["recent_changes"].items()},
                   None if data["hottest_path"] is None else str(data["hottest_path"]), int(data["hottest_changes"]),
                   int(data["recent_authors"]), int(data["author_prior_commits"]), int(data["window_days"]))


class CommitSet:
    """A set of commits of one walk as the bits of an int over the walk's positions: the commits each
    commit of a range does not have take n bits each instead of a set of up to n ids."""

    __slots__ = ("_bits", "_positions")

    def __init__(self, bits: int, positions: dict[str, int]) -> None:
        self._bits, self._positions = bits, positions

    def __contains__(self, commit: object) -> bool:
        position = self._positions.get(commit) if isinstance(commit, str) else None
        return position is not None and bool(self._bits >> position & 1)

    def __len__(self) -> int:
        return self._bits.bit_count()

    def __iter__(self) -> Iterator[str]:
        return (c for c, i in self._positions.items() if self._bits >> i & 1)


class RangeAncestry:
    """Which commits of start..end each commit of that range does not have, from one walk of the range
    (linear in its length, where asking `git rev-list parent..end` for every commit is quadratic)."""

    def __init__(self, start: str, walk: Sequence[tuple[str, list[str]]]) -> None:
        self.start = start
        self._positions = {commit: i for i, (commit, _) in enumerate(walk)}
        self._all = (1 << len(walk)) - 1
        self._ancestors: dict[str, int] = {}  # commit -> its ancestors within the range, itself included
        self._descends: dict[str, bool] = {}  # commit -> whether start is among its ancestors
        for commit, parents in walk:  # parents come first
            bits = 1 << self._positions[commit]
            descends = False
            for parent in parents:
                bits |= self._ancestors.get(parent, 0)
                descends = descends or parent == start or self._descends.get(parent, False)
            self._ancestors[commit], self._descends[commit] = bits, descends

    def descends(self, commit: str) -> bool:
        """Whether `commit` is the start or one of the range's commits that have the start."""
        return commit == self.start or self._descends.get(commit, False)

    def after(self, commit: str) -> CommitSet | None:
        """The commits of the range `commit` does not have (those after it), or None when the walk
        cannot say: `commit` is neither the start nor a descendant of it inside the range."""
        if not self.descends(commit):
            return None
        return CommitSet(self._all & ~self._ancestors.get(commit, 0), self._positions)
