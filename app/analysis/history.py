"""The history figures of pending changes (core/git/history.py), each as of its own past, and their cache.

A change's history is that of the commit it is judged against: the base tip for a branch (what the
team knows today), and for a commit (each commit of `list --range`, or one named by its id) its own
first parent, so that a commit never counts itself or the commits after it. The figures are kept
apart from the content-keyed report (analyzer.py): they are looked up (or worked out from the
history index) for the as-of commit, and a cached report whose figures differ is rescored without
reading its diff again. So a report is not
recomputed because the base moved, and never carries the history of another base.

Cache kinds: INDEX_KIND (the index, per walk start and depth, with the paths it covers) and "histfig"
(one change's figures, keyed by its as-of commit and its content). After a fetch the base's index is
the index of an earlier tip of its branch extended by the commits since (HistoryIndex.extended).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from app.core.git.discovery import parse_range
from app.core.git.models import Change
from app.core.git.repo import GitRepo
from app.errors import RepoError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from app.core.git.history import AsOf, CommitSet, HistoryFigures, HistoryIndex, RangeAncestry
    from app.storage.cache import AnalysisCache

FULL_HISTORY_PATHS = 3_000  # more paths than this: index the whole tree (tree diffs are cheaper then)
# bump when the figures of a change mean something else (2: the first-parent line; 3: its vendored paths left out)
HISTFIG_VERSION = "3"
INDEX_KIND = "history-fp"  # the index's cache kind ("history": every reachable commit, merges too)
EARLIER_TIPS = 200  # how far down the base's first parents an earlier base's history index is looked for
MAX_HIDDEN = 50_000  # more commits between a range commit and the range's end: its own index is built


class ChangeHistory:
    """The history figures of one discovery's changes. Built for the paths the pending changes
    touch, not the whole tree (a one-PR repository pays for its own files), and cached per walk with
    the paths it covers; a later need for other paths builds it again for both. Past
    FULL_HISTORY_PATHS paths the whole tree is indexed."""

    def __init__(self, repo: GitRepo, cache: AnalysisCache | None, base_commit: str, commit_range: str | None,
                 changes: list[Change]) -> None:
        self.repo = repo
        self.cache = cache
        self.base_commit = base_commit
        self.commit_range = commit_range
        self.changes = changes
        self.paths: set[str] = set()  # paths analyze_all will ask about (one build for all)
        self.new_figures: dict[str, object] = {}  # histfig key -> figures worked out, not stored yet
        self._index: HistoryIndex | None = None
        self._covers: set[str] | None = None  # the paths self._index holds (None: all)
        self._anchor: tuple[str, int | None, str] | None = None
        self._as_of: dict[str, AsOf | None] = {}
        self._ancestry: RangeAncestry | Literal[False] | None = False  # False: not walked yet
        self._offered: tuple[set[str] | None, Future[HistoryIndex]] | None = None  # (paths, a worker's build)
        self._git_only = False  # the offered build is of every path, by git only (offer_index's `whole`)

    # -- which history ------------------------------------------------------------------------
    def as_of_commit(self, change: Change) -> str | None:
        """The commit whose history a change is judged by (None: a working tree has none)."""
        if change.kind == "worktree" or change.base is None:
            return None
        return change.base if self.commit_range or change.kind == "commit" else self.base_commit

    def figures_key(self, change: Change) -> str | None:
        as_of = self.as_of_commit(change)
        if as_of is None:
            return None
        remerge = ":remerge" if change.remerge else ""
        return f"{HISTFIG_VERSION}:{as_of}:{change.base}:{change.head}{remerge}"

    def anchor(self) -> tuple[str, int | None, str]:
        """(the commit the index is walked from, how far back (None: the default), its cache key).
        A range's index is walked from the range's end, back far enough for its oldest commit's past."""
        if self._anchor is None:
            if not self.commit_range:
                self._anchor = (self.base_commit, None, self.base_commit)
            else:
                from app.core.git.history import EXPERIENCE_DAYS

                end = self.repo.resolve_commit(parse_range(self.commit_range)[1])
                times = [self.repo.commit_info(c.base).commit_time for c in self.changes
                         if c.base and not c.error]
                since = min(times, default=self.repo.commit_info(end).commit_time) - EXPERIENCE_DAYS * 86_400
                self._anchor = (end, since, f"{end}:since={since}")
        return self._anchor

    # -- figures ------------------------------------------------------------------------------
    def figures(self, change: Change, paths: list[str]) -> HistoryFigures | None:
        """The change's figures, worked out from the index (None for a working tree, or where the
        history is cut: a shallow or treeless clone)."""
        if self.as_of_commit(change) is None:
            return None
        index = self.index_for([*paths, *self.paths])
        if index is None:
            return None
        found = self._figures(index, change, paths)
        key = self.figures_key(change)
        if key is not None:
            self.new_figures[key] = found.to_dict()
        return found

    def current(self, wanted: list[tuple[Change, list[str]]]) -> dict[str, HistoryFigures | None]:
        """The figures of those changes (each with the paths it touches), by change id: from the
        cache, else worked out (one index for all)."""
        from app.core.git.history import HistoryFigures

        if self.repo.history_cut:  # as `figures` answers: a full clone's cached figures are not this clone's
            return {change.id: None for change, _ in wanted}
        keys = {change.id: key for change, _ in wanted for key in [self.figures_key(change)] if key is not None}
        stored = self.cache.get_many("histfig", keys.values()) if self.cache is not None and keys else {}
        out: dict[str, HistoryFigures | None] = {}
        missing: list[tuple[Change, list[str]]] = []
        for change, paths in wanted:
            data = stored.get(keys.get(change.id, ""))
            try:
                out[change.id] = HistoryFigures.from_dict(data) if isinstance(data, dict) else None
            except (KeyError, TypeError, ValueError, AttributeError):
                out[change.id] = None
            if out[change.id] is None:
                missing.append((change, paths))
        self.paths |= {p for _, paths in missing for p in paths}
        for change, paths in missing:
            out[change.id] = self.figures(change, paths)
        self.flush()
        return out

    def flush(self) -> None:
        if self.cache is not None and self.new_figures:
            figures, self.new_figures = self.new_figures, {}
            self.cache.put_many("histfig", figures)

    def _figures(self, index: HistoryIndex, change: Change, paths: list[str]) -> HistoryFigures:
        commit = self.as_of_commit(change)
        if commit is None or commit == index.base_commit:
            return index.figures(paths, change.author_emails)
        # A range's commit: the index as of its parent. A lone commit outside a range (`explain ID`),
        # or one too far from the range's end: its parent's own history.
        as_of = self._as_of_for(commit) if self.commit_range else None
        if as_of is None:
            from app.core.git.history import HistoryIndex

            return HistoryIndex.build(self.repo, commit, paths=paths).figures(paths, change.author_emails)
        return index.figures(paths, change.author_emails, as_of=as_of)

    def _as_of_for(self, commit: str) -> AsOf | None:
        """The index asked as of `commit`: its time, and the commits after it (up to the range's end)."""
        if commit not in self._as_of:
            from app.core.git.history import AsOf

            ancestry = self.range_ancestry()
            after: frozenset[str] | CommitSet | None = ancestry.after(commit) if ancestry is not None else None
            if after is None:  # not inside the range (a merged side branch's fork): walk for it alone
                ids = self.repo.ids_between(commit, self.anchor()[0], MAX_HIDDEN)
                after = None if ids is None else frozenset(ids)
            self._as_of[commit] = None if after is None else AsOf(self.repo.commit_info(commit).commit_time, after)
        return self._as_of[commit]

    def range_ancestry(self) -> RangeAncestry | None:
        """One walk of the range, which says what each of its commits does not have (None: too long)."""
        if self._ancestry is False:
            from app.core.git.history import RangeAncestry

            assert self.commit_range is not None
            start = self.repo.resolve_commit(parse_range(self.commit_range)[0])
            walk = self.repo.parents_between(start, self.anchor()[0], MAX_HIDDEN)
            self._ancestry = None if walk is None else RangeAncestry(start, walk)
        return self._ancestry

    # -- the index ----------------------------------------------------------------------------
    def index_for(self, paths: Iterable[str]) -> HistoryIndex | None:
        """The history index, covering at least `paths` (None in a shallow or treeless clone)."""
        if self.repo.history_cut:
            return None
        from app.core.git.history import HistoryIndex
        from app.core.git.repo import path_history_exact

        wanted = set(paths)
        if self._index is not None and (self._covers is None or wanted <= self._covers):
            return self._index
        start, since, key = self.anchor()
        cached = self.cache.get(INDEX_KIND, key) if self.cache is not None else None
        if isinstance(cached, dict):
            try:
                index: HistoryIndex | None = HistoryIndex.from_dict(cached)
            except (KeyError, TypeError, ValueError):
                index = None
            covers = cached.get("covers")
            covered = None if covers is None else {str(p) for p in covers}
            if index is not None and (covered is None or wanted <= covered):
                self._index, self._covers = index, covered
                return index
            wanted |= covered or set()
        wanted |= self._covers or set()
        extended = self._from_earlier_base(wanted) if cached is None and not self.commit_range else None
        offered = self._offered_index(wanted) if extended is None else None
        if extended is not None:
            index, covers = extended
        elif offered is not None:
            index, covers = offered
        else:
            limited = len(wanted) <= FULL_HISTORY_PATHS and all(path_history_exact(p) for p in wanted)
            index = HistoryIndex.build(self.repo, start, paths=wanted if limited else None, since=since)
            covers = wanted if limited else None
        self._index, self._covers = index, covers
        if self.cache is not None:
            self.cache.put(INDEX_KIND, key, {**index.to_dict(), "covers": None if covers is None else sorted(covers)})
        return index

    def offer_index(self, submit: Callable[..., Future[Any]], *, whole: bool = False) -> None:
        """Start the build of the index for `self.paths` in a worker process (`submit`: the pool's),
        when index_for would build it in full: nothing cached for this base or an earlier tip of its
        branch, not a range. The walk (ansible: 3,886 commits, 0.9 s alone, 1.4-2.4 s on the analysis
        thread beside the threads it shares the GIL with) then leaves the cold `list`'s critical path;
        index_for takes the answer over, or builds it itself if no worker has started it.

        `whole`: of every path, before the paths are known (a queue of many changes, offered before they
        are diffed: git's diff-tree names every commit's paths, ansible's 2,061 commits in 0.46 s of CPU,
        where comparing the 1,465 paths its 36 changes touch took 0.9-1.1 s); only where git answers
        (`git_only`): else index_for builds the index of its paths itself."""
        if self.commit_range or self._index is not None or self._offered is not None or self.repo.history_cut:
            return
        from app.core.git.repo import path_history_exact

        start, since, key = self.anchor()
        # Cached for this base (read in process), or for an earlier tip (extended in process, at the cost
        # of the commits since): nothing to walk.
        if self.cache is not None and self.cache.has_any(
                INDEX_KIND, [key, *self.repo.first_parents(self.base_commit, EARLIER_TIPS)]):
            return
        if whole:
            self._offered = (None, submit(_index_in_worker, self.repo.path, start, None, since, True))
            self._git_only = True
            return
        wanted = set(self.paths)
        limited = len(wanted) <= FULL_HISTORY_PATHS and all(path_history_exact(p) for p in wanted)
        paths = wanted if limited else None
        self._offered = (paths, submit(_index_in_worker, self.repo.path, start, paths, since))

    def _offered_index(self, wanted: set[str]) -> tuple[HistoryIndex, set[str] | None] | None:
        """(index, the paths it covers) from the build offer_index started, if it covers `wanted`."""
        if self._offered is None:
            return None
        from app.core.git.history import HistoryIndex
        from app.core.memo import take_over

        paths, future = self._offered
        self._offered = None
        if paths is not None and not wanted <= paths:
            future.cancel()
            return None
        start, since, _ = self.anchor()
        if self._git_only:  # a worker's failure (git did not answer) or no worker: index_for builds for its paths
            found: HistoryIndex | None = take_over(cast("Future[HistoryIndex | None]", future), lambda: None)
            return None if found is None else (found, None)
        return take_over(future, lambda: HistoryIndex.build(self.repo, start, paths=paths, since=since)), paths

    def _from_earlier_base(self, wanted: set[str]) -> tuple[HistoryIndex, set[str] | None] | None:
        """(index, the paths it covers) of the base from the cached index of an earlier tip of its
        branch (one of its last EARLIER_TIPS first parents: the base before a fetch), extended by the
        commits since: the index a full walk builds, at the cost of the new commits (ansible, the base
        moved by 3 commits: 1.0 s of a warm `list` was this walk). None when no such index covers
        `wanted`, or it cannot be extended exactly (HistoryIndex.extended)."""
        from app.core.git.history import HistoryIndex

        if self.cache is None:
            return None
        tips = self.repo.first_parents(self.base_commit, EARLIER_TIPS)
        stored = self.cache.get_many(INDEX_KIND, tips) if tips else {}
        data = next((stored[tip] for tip in tips if isinstance(stored.get(tip), dict)), None)
        if data is None:
            return None
        try:
            earlier = HistoryIndex.from_dict(data)
            covers = data.get("covers")
            covered = None if covers is None else {str(p) for p in covers}
        except (KeyError, TypeError, ValueError):
            return None
        if covered is not None and not wanted <= covered:
            return None
        try:
            index = earlier.extended(self.repo, self.base_commit, paths=covered)
        except (RepoError, KeyError, ValueError):
            return None  # an earlier tip that cannot be read: the full walk says what can be said
        return None if index is None else (index, covered)

    def at_hand(self, paths: set[str]) -> bool:
        """Whether an index covering `paths` is loaded or cached (no walk of history needed)."""
        if self.repo.history_cut:
            return True
        if self._index is not None and (self._covers is None or paths <= self._covers):
            return True
        cached = self.cache.get(INDEX_KIND, self.anchor()[2]) if self.cache is not None else None
        if not isinstance(cached, dict):
            return False
        covers = cached.get("covers")
        return covers is None or paths <= {str(p) for p in covers}


def _index_in_worker(repo_path: Path, start: str, paths: set[str] | None, since: int | None,
                     git_only: bool = False) -> HistoryIndex:
    """HistoryIndex.build, in a worker process (ChangeHistory.offer_index)."""
    from app.core.git.history import HistoryIndex
    from app.core.git.repo import walk_in_worker
    from app.core.workers import parent_exiting

    return walk_in_worker(repo_path, lambda repo: HistoryIndex.build(repo, start, paths=paths, since=since,
                                                                     git_only=git_only), parent_exiting)
