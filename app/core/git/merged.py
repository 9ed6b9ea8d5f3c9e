"""Merged-upstream detection: branches whose work the base already holds although their head is not
an ancestor of it (squash merges, cherry-picks, rebase merges, imports in a bigger commit).

Three tests, cheapest first, each answering "is this branch's work in the base?" (a branch whose net
diff is empty has nothing left to review: "empty"):
- tree: every path the branch's net diff (merge-base..head) touches is in the base exactly as the
  branch has it. Trees only, no content read; catches most squash merges.
- squash: some base commit since the merge-base has the branch's net diff as its patch (same stable
  patch id, as `git patch-id --stable` computes it): a squash merge, even when the base edited the
  same files again afterwards.
- patch: every non-merge commit of the branch has a patch-equivalent base commit, what `git cherry`
  reports with all "-": cherry-picks and rebase merges.

Cost: a patch id needs the full patch (~10-20 ms a commit), so they are computed only where they can
match: two diffs share a patch id only if they touch the same paths, and the paths a commit touches
come from trees alone (entries compared, equal subtrees skipped: ~2 ms on ansible). The base is
walked once (back to the common ancestor of the merge-bases in question, at most MAX_BASE_WALK
commits), each base commit's path set is kept, and a patch id is computed only for a base commit
whose path set equals that of a branch diff. Per-commit records (path set, patch id) are cached by
commit id and each branch's net diff record (path set, patch id) by (merge-base, head): they never
change. Verdicts are kept by (base commit, head), so a warm run reads one cache batch, and a moved base
(after a fetch) reads only its new commits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from app.core.git.ancestry import BaseHistory
from app.core.git.cli import GitCli
from app.core.git.diff import decode_path
from app.core.git.models import Change, CommitInfo, MergedUpstream, pull_request_number
from app.core.git.repo import GitRepo, is_utf8

MAX_BASE_WALK = 20_000  # base commits compared at most (the newest ones); said when reached
VERDICT_KIND = "merged"  # cache kinds
COMMIT_KIND = "commit-patch"  # per commit id: {"paths": key, PATCH: id or null when computed}
NET_KIND = "net-diff"  # per "merge-base:head": {"paths": [...], PATCH: id or null when computed}
NETS_BY_GIT_MIN = 8  # more net diffs to read than this: one `git diff-tree --stdin` (MergedDetector._nets_by_git)
# The records' key of a patch id of the changed lines alone (`git diff -U0 | git patch-id --stable`): a squash merge
# onto a base that moved around its hunks changes their context, not them (uv: 181 merged pull requests listed as
# pending). Records of the earlier id, with context ("patch"), are read for their paths only.
PATCH = "patch0"
VERDICT_VERSION = "10"  # bump when a verdict can change for the same base and head (8: snapshot holders; 9: -U0, #N;
#                         10: commits picked one by one, `rebuilt_from` holds the reason)
_SQUASH_SUBJECT = re.compile(r"\(#(\d+)\)\s*$")  # GitHub's squash merge: "<pull request title> (#N)"
MAX_SQUASHED_PREFIXES = 20  # a branch's newest commits whose work so far is looked for as a squash merge


class KeyValueCache(Protocol):
    """What merged detection needs of a cache (app.storage.cache.AnalysisCache provides it)."""

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]: ...

    def put_many(self, kind: str, items: Mapping[str, Any]) -> None: ...


@dataclass
class _Base:
    """The base's non-merge commits since the oldest merge-base in question, by the set of paths each
    touches: two diffs can share a patch id only if they touch the same paths, so patch ids (a full
    patch each, the costly part) are computed only for commits whose path set some branch diff has."""

    by_paths: dict[str, list[str]] = field(default_factory=dict)  # path-set key -> commit ids, newest first
    truncated: bool = False
    # Each walked commit's generation among the walked ones (1 + its parents' highest): an ancestor's is
    # lower, so a candidate whose generation is not below a merge-base's is no ancestor of it, unwalked
    whole: bool = False  # every base commit that is no ancestor of the merge-bases' common one was walked
    generation: dict[str, int] = field(default_factory=dict)
    # tree id -> the walked commits recording it, newest first: which of them a branch has not got is the branch's
    # question (the newest alone made a verdict depend on which other branches brought older commits into the walk)
    trees: dict[str, list[str]] = field(default_factory=dict)
    walked: list[str] = field(default_factory=list)  # the walked non-merge commits, newest first
    numbered: dict[int, list[str]] | None = None  # pull request number -> commits squash-merging it (when asked)

    def is_ancestor(self, repo: GitRepo, commit_id: str, of: str) -> bool:
        """`repo.is_ancestor`, answered from the walk where it can be: a cherry-pick's holder, checked
        against each candidate branch's merge-base, took flask half a minute of history walks."""
        if commit_id == of:
            return True
        if self.whole and of not in self.generation and commit_id in self.generation:
            return False  # `of` is the common ancestor or below it; commit_id is neither
        mine, theirs = self.generation.get(commit_id), self.generation.get(of)
        if mine is not None and theirs is not None and mine >= theirs:
            return False
        return repo.is_ancestor(commit_id, of)


def _generations(walked: list[tuple[str, list[str]]]) -> dict[str, int]:
    """Generation numbers of a walked part of history, counting only parents within it."""
    parents = dict(walked)
    generation: dict[str, int] = {}
    for start, _ in reversed(walked):  # oldest first: most parents are numbered before their children
        stack = [start]
        while stack:
            commit_id = stack[-1]
            if commit_id in generation:
                stack.pop()
                continue
            waiting = [p for p in parents[commit_id] if p in parents and p not in generation]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            generation[commit_id] = 1 + max((generation[p] for p in parents[commit_id] if p in parents), default=0)
    return generation


def _restore(change: Change, verdict: Any) -> bool:
    """Set a change's verdict from its cached record; False when there is none."""
    if not (isinstance(verdict, dict) and "how" in verdict):
        return False
    change.merged = MergedUpstream(verdict["how"], verdict["detail"]) if verdict["how"] else None
    change.partly_merged = str(verdict.get("partly") or "")
    change.partly_upto = str(verdict["upto"]) if verdict.get("upto") else None
    change.rebuilt_from = str(verdict.get("rebuilt") or "")
    return True


def paths_key(paths: Iterable[str]) -> str:
    """A short fingerprint of a set of paths."""
    return hashlib.sha1("\0".join(sorted(set(paths))).encode("utf-8", "surrogateescape")).hexdigest()[:20]


class MergedDetector:
    """Sets `Change.merged` on the changes whose work the base holds. One per discovery."""

    def __init__(self, repo: GitRepo, base_commit: str, base_name: str, cache: KeyValueCache | None = None,
                 walk_limit: int = MAX_BASE_WALK, history: BaseHistory | None = None) -> None:
        """`history`: the base's whole history, where discovery read it (many heads), saves walks."""
        self.repo = repo
        self.history = history
        self.base_commit = base_commit
        self.base_name = base_name
        self.cache = cache
        self.walk_limit = walk_limit
        self.notes: list[str] = []
        self._commits: dict[str, dict[str, Any]] = {}  # commit id -> {"paths": key, "patch": id}
        self._dirty: set[str] = set()  # commit records to write back to the cache
        self._nets: dict[str, dict[str, Any]] = {}  # "merge-base:head" -> {"paths": [...], "patch": id}
        self._dirty_nets: set[str] = set()
        self._base: _Base | None = None

    def _key(self, change: Change) -> str:
        return f"{VERDICT_VERSION}:{self.base_commit}:{change.head}"

    def detect(self, changes: list[Change], progress: Callable[[str], None] | None = None) -> None:
        # A change retargeted to a release line (its base_ref names that line) is judged against that line,
        # by a detector of its own; one already found merged (its head on the line) keeps its verdict.
        candidates = [c for c in changes if c.kind in ("branch", "pr") and c.base and not c.error and c.commits
                      and c.base_ref == self.base_name and c.merged is None]
        if not candidates:
            return
        cached = self.cache.get_many(VERDICT_KIND, [self._key(c) for c in candidates]) if self.cache else {}
        fresh: dict[str, Any] = {}
        unknown: list[Change] = []
        for change in candidates:
            if not _restore(change, cached.get(self._key(change))):
                unknown.append(change)
        self._load_nets(unknown)
        # The tree test needs no history: settle what it can before walking the base.
        in_question = []
        for change in unknown:
            change.merged = self._in_tree(change)
            if change.merged is None:
                in_question.append(change)
        if in_question:
            self._judge(in_question, progress)
        for change in unknown:
            fresh[self._key(change)] = (change.merged.to_dict() if change.merged
                                        else {"how": None, "partly": change.partly_merged, "upto": change.partly_upto,
                                              "rebuilt": change.rebuilt_from})
        self._save(fresh)
        self._note_unreadable(candidates)  # said on every run, not only the one that compared them

    def _judge(self, in_question: list[Change], progress: Callable[[str], None] | None) -> None:
        """The tests that read the base's history, on the changes the tree test left in question."""
        self._load_base([c.base for c in in_question if c.base])
        # the commits the per-commit tests read first, for every change in one `git diff-tree --stdin`
        # (a tree diff each cost uv's 2,000 branches seconds): each one's newest and oldest own commit
        self._records([commit.id for change in in_question
                       for commit in (*change.commits[:1], *self._first_parent_line(change)[:1])
                       if not commit.is_merge])
        for done, change in enumerate(in_question):
            if progress is not None and done % 50 == 0:
                progress(f"{done:,} of {len(in_question):,} checked for a merge upstream")
            change.merged = (self._same_snapshot(change) or self._squashed(change) or self._picked(change)
                             or self._numbered(change))
            if change.merged is None:
                rebuilt = self._rebuilt_part(change)
                if not self._picked_part(change) and not rebuilt:  # picked: where it reaches further
                    self._squashed_part(change)

    def _note_unreadable(self, changes: list[Change]) -> None:
        """In a partial clone, how many changes could not be compared (a patch id reads every blob)."""
        if not self.repo.is_partial_clone:
            return
        blind = sum(1 for c in changes if c.merged is None and c.base and self.repo.lacks_blobs(c.base, c.head))
        if blind:
            self.notes.append(f"merged-upstream check could not read the content of {blind} "
                              f"change{'s' if blind != 1 else ''} (a partial clone): squash merges and "
                              "cherry-picks among them are listed as pending")

    def _save(self, verdicts: dict[str, Any]) -> None:
        if self.cache is None:
            return
        if verdicts:
            self.cache.put_many(VERDICT_KIND, verdicts)
        if self._dirty:
            self.cache.put_many(COMMIT_KIND, {cid: self._commits[cid] for cid in self._dirty})
        if self._dirty_nets:
            self.cache.put_many(NET_KIND, {key: self._nets[key] for key in self._dirty_nets})

    def _in_tree(self, change: Change) -> MergedUpstream | None:
        """The tree test: the base holds every path of the branch's net diff as the branch has it."""
        net = self._net(change)
        if net is not None and not net["paths"]:  # vacuously in the base: nothing of it is left to review
            return MergedUpstream("empty", f"its net diff, merge base with {self.base_name} to head, is empty")
        if net is None or not net["utf8"]:
            return None  # a path that is not UTF-8 cannot be looked up by name: do not guess
        if not self.repo.holds_paths(self.base_commit, change.head, net["paths"]):
            return None
        return MergedUpstream("tree", f"every file it changes is already in {self.base_name} as this branch has it")

    # -- per branch diff: the paths merge-base..head touches, its patch id when needed ------------
    def _load_nets(self, changes: list[Change]) -> None:
        """The net diff records of these changes from the cache. They never change, so after a fetch
        only the base's new commits are read, not each branch's diff again (its paths and patch id
        were 0.3 of the 0.4 s ansible's 48 pull requests took to check against a moved base)."""
        keys = [f"{c.base}:{c.head}" for c in changes]
        if self.cache is not None and keys:
            for key, value in self.cache.get_many(NET_KIND, keys).items():
                if (isinstance(value, dict) and isinstance(value.get("paths"), list)
                        and isinstance(value.get("utf8"), bool)):
                    self._nets[key] = value
        self._nets_by_git([(c.base, c.head) for c in changes if c.base])

    def _nets_by_git(self, pairs: list[tuple[str, str]]) -> None:
        """The net diff records the cache lacked, for more than NETS_BY_GIT_MIN of them from one `git diff-tree
        --stdin` (the paths of each (merge base, head) pair's trees, as GitRepo.net_paths names them: a tree
        walk each in Python took 0.5-1 s of a cold discovery of ansible's 49 changes, whose release branch
        and largest pull requests touch 1,366 and 3,043 files). A head asked with two merge bases, and every
        pair when git cannot run or answers unexpectedly, is left to `_net` (a tree walk each)."""
        bases: dict[str, set[str]] = {}
        for base, head in pairs:
            if f"{base}:{head}" not in self._nets:
                bases.setdefault(head, set()).add(base)
        lines = [(head, next(iter(found))) for head, found in bases.items() if len(found) == 1]
        if len(lines) <= NETS_BY_GIT_MIN:
            return
        touched = GitCli(self.repo.git_dir).touched_paths(lines)
        if touched is None:
            return
        for head, base in lines:
            raw = set(touched[head])
            key = f"{base}:{head}"
            self._nets[key] = {"paths": sorted(decode_path(path) for path in raw), "utf8": all(map(is_utf8, raw))}
            self._dirty_nets.add(key)

    def _net(self, change: Change, head: str | None = None) -> dict[str, Any] | None:
        """{"paths": the paths merge-base..head touches, "utf8": whether all are UTF-8 (else the tree
        test cannot look them up), "patch": its patch id once computed}, or None when a tree cannot be
        read (the branch is then never found merged). `head`: one of the branch's older commits."""
        assert change.base is not None
        head = head or change.head
        key = f"{change.base}:{head}"
        if key not in self._nets:
            net = self.repo.net_paths(change.base, head)
            if net is None:
                return None
            self._nets[key] = {"paths": net[0], "utf8": net[1]}
            self._dirty_nets.add(key)
        return self._nets[key]

    def _net_patch(self, change: Change, head: str | None = None) -> str | None:
        net = self._net(change, head)
        if net is None:
            return None
        if PATCH not in net:
            assert change.base is not None
            net[PATCH] = self.repo.patch_id(change.base, head or change.head, context_lines=0)
            self._dirty_nets.add(f"{change.base}:{head or change.head}")
        patch = net[PATCH]
        return patch if isinstance(patch, str) else None

    # -- per-commit records: the paths a commit touches, its patch id when needed ----------------
    def _records(self, commit_ids: list[str]) -> None:
        """Load the records of these commits from the cache, computing the path keys it lacks."""
        missing = [c for c in commit_ids if c not in self._commits]
        if missing and self.cache is not None:
            for cid, value in self.cache.get_many(COMMIT_KIND, missing).items():
                if isinstance(value, dict) and isinstance(value.get("paths"), str):
                    self._commits[cid] = value
        unknown = [cid for cid in dict.fromkeys(commit_ids) if cid not in self._commits]
        for cid, paths in self._touched(unknown).items():
            self._commits[cid] = {"paths": paths_key(paths)}
            self._dirty.add(cid)

    def _touched(self, commit_ids: list[str]) -> dict[str, set[str]]:
        """The paths each (non-merge) commit touches against its parent. One `git diff-tree --stdin` for
        all of them, neutralised like every git call (0.09 s for 418 ansible commits, where a tree walk
        each took 0.3-0.95 s); a walk each when git cannot run or answers unexpectedly."""
        if len(commit_ids) > 8:
            found = GitCli(self.repo.git_dir).touched_paths([(cid, self.repo.first_parent(cid)) for cid in commit_ids])
            if found is not None:
                return {cid: {decode_path(raw) for raw in paths} for cid, paths in found.items()}
        return {cid: self.repo.touched_paths(self.repo.first_parent(cid), cid) for cid in commit_ids}

    def _patch_of(self, commit_id: str) -> str | None:
        record = self._commits[commit_id]
        if PATCH not in record:
            record[PATCH] = self.repo.commit_patch_id(commit_id, context_lines=0)
            self._dirty.add(commit_id)
        patch = record[PATCH]
        return patch if isinstance(patch, str) else None

    def _load_base(self, merge_bases: list[str]) -> None:
        # The base commits some branch in question has not got: those reachable from the base and not
        # from every merge-base, i.e. all but the ancestors of the merge-bases' common ancestor.
        # (Hiding every merge-base would leave only what none has: nothing, once a branch starts at the tip.)
        if self.history is not None:  # in one pass over it, where a walk per merge-base took flask 2.4 s
            walked, truncated = self.history.outside_common(merge_bases, self.walk_limit)
            whole = not truncated
        else:
            walked, truncated, whole = self._walk_base(merge_bases)
        ids = [cid for cid, parents in walked if len(parents) <= 1]
        self._records(ids)
        base = _Base(truncated=truncated, whole=whole, generation=_generations(walked), walked=ids)
        for cid, tree in self.repo.tree_ids(cid for cid, _parents in walked).items():  # newest first
            base.trees.setdefault(tree, []).append(cid)
        for cid in ids:
            base.by_paths.setdefault(self._commits[cid]["paths"], []).append(cid)
        if truncated:
            self.notes.append(f"merged-upstream check compared the newest {self.walk_limit:,} commits of "
                              f"{self.base_name} only: older squash merges and cherry-picks are not recognised")
        self._base = base

    def _walk_base(self, merge_bases: list[str]) -> tuple[list[tuple[str, list[str]]], bool, bool]:
        """The base's commits but the ancestors of the merge-bases' common ancestor, newest first: `ancestry`."""
        # Newest first, each step walks only from one merge-base to the next: in id order a step could walk
        # thousands of commits.
        oldest: str | None = None
        for merge_base in sorted(set(merge_bases), key=lambda cid: (-self.repo.commit_time(cid), cid)):
            oldest = merge_base if oldest is None else self.repo.merge_base(oldest, merge_base)
            if oldest is None:
                break  # unrelated histories: walk the whole base (up to the limit)
        return self.repo.ancestry(self.base_commit, [oldest] if oldest else [], self.walk_limit)

    def _holder(self, paths: str, patch_of_diff: Callable[[], str | None], change: Change) -> str | None:
        """The base commit whose patch equals this diff's (same paths first, then the patch id), and
        that the branch has not got (after its merge-base, as `git cherry` compares): an older one is
        in the branch's own history, so re-applying a reverted commit is not mistaken for merged."""
        assert self._base is not None and change.base is not None
        candidates = self._base.by_paths.get(paths)
        if not candidates:
            return None
        patch = patch_of_diff()
        if patch is None:
            return None
        for holder in candidates:
            if self._patch_of(holder) == patch and not self._base.is_ancestor(self.repo, holder, change.base):
                return holder
        return None

    def _describe(self, commit_id: str) -> str:
        try:
            subject = self.repo.commit_info(commit_id).subject
        except (KeyError, ValueError):
            subject = ""
        return f"{commit_id[:10]} {subject!r}" if subject else commit_id[:10]

    def _same_snapshot(self, change: Change) -> MergedUpstream | None:
        """The branch's head records exactly the files of a base commit it has not got: its work reached the base
        (merged, then the base moved on, so the tree test at the tip fails and a merge of main into the branch
        made its diff no squash's). openai-agents-python's pull/324 ranked critical, +844/-137, its head the
        snapshot of main's 362a9dc07."""
        assert self._base is not None
        tree = self.repo.tree_ids([change.head]).get(change.head)
        holder = self._not_had(tree, change.head)
        if holder is None:
            return None
        return MergedUpstream("tree", f"its head's files are exactly those of {self.base_name}'s commit "
                                      f"{self._describe(holder)}: its work is there")

    def _not_had(self, tree: str | None, commit_id: str) -> str | None:
        """The newest walked base commit recording `tree` that `commit_id` has not got (is not, nor descends from)."""
        assert self._base is not None
        return next((holder for holder in self._base.trees.get(tree or "", [])
                     if holder != commit_id and not self.repo.is_ancestor(holder, commit_id)), None)

    def _numbered(self, change: Change) -> MergedUpstream | None:
        """A pull request whose number ends the subject of a base commit it has not got ("Add uv auth dir
        (#15600)", GitHub's squash merge), where that commit changes one of its files: merged, its changes edited
        at the merge (or a stack landed slice by slice) so that no patch matches. uv: 242 merged pull requests
        listed as pending, 7 of the queue's top 12."""
        assert self._base is not None and change.base is not None
        number = pull_request_number([change.ref, *change.alias_refs])
        net = self._net(change) if number is not None else None
        if number is None or net is None:
            return None
        for holder in self._numbered_commits().get(number, ()):  # newest first
            if self._base.is_ancestor(self.repo, holder, change.base):
                continue  # the branch has it: an older merge of the same number, this head is newer work
            if set(net["paths"]) & self._touched([holder]).get(holder, set()):
                return MergedUpstream("number", f"its pull request #{number} was squash-merged into "
                                                f"{self.base_name} as {self._describe(holder)}: edited when merged, "
                                                "so no patch matches this head's")
        return None

    def _numbered_commits(self) -> dict[int, list[str]]:
        """Pull request number -> the walked base commits whose subject ends "(#N)", newest first."""
        assert self._base is not None
        if self._base.numbered is None:
            self._base.numbered = {}
            for cid in self._base.walked:
                match = _SQUASH_SUBJECT.search(self.repo.commit_subject(cid))
                if match:
                    self._base.numbered.setdefault(int(match.group(1)), []).append(cid)
        return self._base.numbered

    def _squashed(self, change: Change) -> MergedUpstream | None:
        net = self._net(change)
        if net is None:
            return None
        holder = self._holder(paths_key(net["paths"]), lambda: self._net_patch(change), change)
        if holder is None:
            return None
        return MergedUpstream("squash", f"squash-merged into {self.base_name} as {self._describe(holder)}")

    def _rebuilt_part(self, change: Change) -> bool:
        """Whether one of the branch's older commits records exactly the files of a base commit it has not got:
        the base's history under other commit ids (a fork rebuilt from the base, a re-import), with the branch's
        own work on top. openai-agents-python's pull/375 showed 150 commits, 748 files and 33 authors, 148 of
        those commits main's own early history; its work was the 2 commits after the last of them. Sets
        `rebuilt_from`: discovery compares the change with that commit."""
        assert self._base is not None
        own = change.commits  # newest first; the head's own snapshot is _same_snapshot's
        trees = self.repo.tree_ids(c.id for c in own[1:])
        for commit in own[1:]:
            holder = self._not_had(trees.get(commit.id), commit.id)
            # not below where it last merged the base in: from there on it would carry the base's newer work
            # (openai-agents-python's pull/998 merged main in after main's squash of its own work)
            if holder is not None and change.base is not None and self.repo.is_ancestor(change.base, commit.id):
                change.partly_upto = commit.id
                change.rebuilt_from = (f"{commit.id} {commit.id[:10]} records exactly the files of {self.base_name}'s "
                                       f"commit {self._describe(holder)}")
                return True
        return False

    def _picked_part(self, change: Change) -> bool:
        """Whether the branch's oldest commits are the base's own commits under other ids, one by one: each the
        same change as a base commit it has not got (the same patch, or the same "(#N)" subject where the two
        share a file: GitHub's squash of a pull request, edited when merged). A branch built on a copy of the
        base's newer commits: hono's pull/2372 read as "ci: fix bun version (#2362)" by five authors, tier 1 from
        a CI file, where its own work, after 8 such commits (`git cherry` marks them "-"), was one person's JWT
        rewrite. Only the first-parent line from the fork point counts, up to its first merge. Sets
        `rebuilt_from` (discovery compares the change with the newest of them), as `_rebuilt_part` does."""
        assert change.base is not None
        upto: CommitInfo | None = None
        holders: list[str] = []
        for commit in self._first_parent_line(change):
            if commit.is_merge or (holder := self._same_change(commit, change)) is None:
                break
            upto = commit
            holders.append(holder)
        known = change.partly_upto  # _rebuilt_part's commit, when it found one: kept unless this goes further
        if upto is None or (known is not None and (upto.id == known or not self.repo.is_ancestor(known, upto.id))):
            return False
        change.partly_upto = upto.id
        how = "cherry-picked, rebased or squash-merged"
        change.rebuilt_from = (f"{upto.id} the same change as {self.base_name}'s {self._describe(holders[0])}, {how}"
                               if len(holders) == 1 else
                               f"{upto.id} each the same change as one of {self.base_name}'s commits, {how}; the "
                               f"newest {self._describe(holders[-1])}")
        return True

    def _first_parent_line(self, change: Change) -> list[CommitInfo]:
        """The branch's commits on the first-parent line from its fork point at the merge base, oldest first,
        without the head (a branch whose every commit is the base's is `_picked`'s); empty when that line does
        not start at the merge base (the branch merged the base in since: below that its diff has the base's work)."""
        by_id = {c.id: c for c in change.commits}
        line: list[CommitInfo] = []
        head = by_id.get(change.head)
        commit = by_id.get(head.parents[0]) if head is not None and head.parents else None
        while commit is not None:
            line.append(commit)
            commit = by_id.get(commit.parents[0]) if commit.parents else None
        line.reverse()
        if not line or line[0].parents[:1] != (change.base,):
            return []
        return line

    def _same_change(self, commit: CommitInfo, change: Change) -> str | None:
        """The base commit, not in the branch, that makes the same change as `commit`, or None."""
        assert self._base is not None and change.base is not None
        self._records([commit.id])
        holder = self._holder(self._commits[commit.id]["paths"], partial(self._patch_of, commit.id), change)
        match = _SQUASH_SUBJECT.search(commit.subject) if holder is None else None
        if match is None:
            return holder
        for numbered in self._numbered_commits().get(int(match.group(1)), ()):
            if (self.repo.commit_subject(numbered) == commit.subject
                    and not self._base.is_ancestor(self.repo, numbered, change.base)
                    and self._touched([commit.id])[commit.id] & self._touched([numbered])[numbered]):
                return numbered
        return None

    def _squashed_part(self, change: Change) -> bool:
        """When the branch's work up to one of its older commits reached the base as a squash merge and the
        branch went on (GitHub's "squash and merge", then more pushes), what a reviewer should know: its
        diff shows those lines again (`partly_merged`). Its newest MAX_SQUASHED_PREFIXES commits are tried."""
        own = change.commits  # newest first
        assert change.base is not None
        self._nets_by_git([(change.base, commit.id) for commit in own[1:MAX_SQUASHED_PREFIXES + 1]])
        for i, commit in enumerate(own[1:MAX_SQUASHED_PREFIXES + 1], start=1):
            net = self._net(change, commit.id)
            if net is None or not net["paths"]:
                continue
            holder = self._holder(paths_key(net["paths"]), partial(self._net_patch, change, commit.id), change)
            if holder is not None:
                done = len(own) - i
                change.partly_upto = commit.id
                change.partly_merged = (
                    f"its first {done} of {len(own)} commits (up to {commit.id[:10]}) reached {self.base_name} as "
                    f"{self._describe(holder)} as a squash merge or cherry-pick: their lines show here again; "
                    f"`git diff {commit.id[:10]} {change.head[:10]}` is what came after")
                return True
        return False

    def _picked(self, change: Change) -> MergedUpstream | None:
        own = [c.id for c in change.commits if not c.is_merge]
        if not own:
            return None
        holders = []
        for commit_id in own:  # one at a time: most branches fail at their newest commit
            self._records([commit_id])
            holder = self._holder(self._commits[commit_id]["paths"],
                                  lambda cid=commit_id: self._patch_of(cid), change)  # type: ignore[misc]
            if holder is None:
                return None
            holders.append(holder)
        newest = self._describe(holders[0])
        return MergedUpstream("patch", f"{len(own)} of {len(own)} commits already in {self.base_name} as "
                                       f"other commits (cherry-picked or rebased; newest {newest})")
