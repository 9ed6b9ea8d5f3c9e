"""Pending-change discovery: unmerged branches, remote-tracking branches, PR refs, commits of a
range, and the working tree. Every change is reviewed as base...head (merge-base to head)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.core.git.ancestry import BaseHistory
from app.core.git.diff import FileDiff
from app.core.git.history import anchor_time
from app.core.git.merged import MAX_BASE_WALK, KeyValueCache, MergedDetector
from app.core.git.models import (
    NO_COMMON_HISTORY,
    PR_REF_PATTERNS,
    WORKTREE_ID,
    Change,
    CommitInfo,
    MergedUpstream,
)
from app.core.git.repo import GitRepo, RefInfo
from app.core.git.scope import DAY_SECONDS, DEFAULT_EXCLUDE_NOTE, LINE_NOTE, QueueConfig, ref_names
from app.core.text import one_line, plural, visible
from app.errors import ChangeNotFound, RepoError

_DEFAULT_BASES = ("main", "master")


RANGE_LIMIT = 10_000  # commits of a range listed at most (the newest); said when a range has more

NOT_A_PR = "not a pull request ref ([queue] pr_only)"


@dataclass
class Discovery:
    """What `discover` found: the resolved base and the pending changes, newest activity first.

    `merged` holds the changes whose work the base already has (hidden from the queue by default),
    `left_out` counts by reason the refs queue scope kept out, `stale` counts the listed changes
    untouched for [queue] stale_days, and `warnings` says what else the reader should know
    (merges left out of a range, a range cut at its walk limit)."""

    base_ref: str
    base_commit: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    merged: list[Change] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    stale: int = 0
    stale_days: int = 0
    stale_before: float | None = None  # epoch seconds: a change whose newest commit is older is stale
    commit_range: str | None = None
    release_tips: dict[str, str] = field(default_factory=dict)  # release lines out of scope: name -> tip
    # discover_one's: the change this name names and the changes its verdicts read, not every pending one
    scoped_to: str | None = None

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())

    def every_change(self) -> list[Change]:
        """Pending changes, then the merged-upstream ones: everything a name may refer to."""
        return [*self.changes, *self.merged]

    def footer_lines(self, *, merged_shown: bool = False, merged_toggle: str = "--include-merged",
                     scope_hint: str = "[queue] in .review-tui.toml or your config.toml") -> list[str]:
        """What the queue does not show, one short line each, for the foot of `list` and the TUI:
        merged-upstream changes hidden (and how to show them), refs queue scope left out by reason,
        and how many listed heads are stale."""
        lines: list[str] = []
        if self.merged:
            count = len(self.merged)
            noun = "change" if count == 1 else "changes"
            how = ", ".join(f"{n} {k}" for k, n in _counts(c.merged.how for c in self.merged if c.merged))
            where = self.base_ref
            if any(c.base_ref != self.base_ref for c in self.merged):
                where += " or the release line they were made on"
            if any(c.merged and c.merged.how == "empty" and c.stacked_on for c in self.merged):
                where += " or a change they are stacked on"  # a merge of a pending branch: in that branch, not the base
            if merged_shown:
                lines.append(f"{count} merged upstream {noun} listed after the pending ones, not analysed (already in "
                             f"{where}: {how}; `explain CHANGE` analyses one)")
            else:
                lines.append(f"{count} merged upstream {noun} hidden (already in {where}: {how}; "
                             f"{merged_toggle} shows them)")
        if self.left_out:
            total = self.left_out_total
            reasons = "; ".join(f"{n} {reason}" for reason, n in
                                sorted(self.left_out.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
            more = f"; and {len(self.left_out) - 3} more reasons" if len(self.left_out) > 3 else ""
            lines.append(f"{total} ref{'s' if total != 1 else ''} left out by queue scope: {reasons}{more} "
                         f"({scope_hint})")
        if self.stale:
            lines.append(f"{self.stale} of {len(self.changes)} listed untouched for {self.stale_days}+ days before "
                         f"{self.base_ref}'s latest commit: stale? ranked after the rest; [queue] max_age_days "
                         "leaves such heads out")
        return lines


def _counts(items: Iterable[str]) -> list[tuple[str, int]]:
    counted: dict[str, int] = {}
    for item in items:
        counted[item] = counted.get(item, 0) + 1
    return sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))


def _behind_default_base(repo: GitRepo, base_name: str, base_commit: str) -> list[str]:
    """A --base that is an older commit of the default base's line: every change made on that line carries the
    line's newer commits (rich's `--base v13.0.0`: 836 commits in each pull request, 8 minutes, 3.8 GB). Said,
    with the two readings the user may have meant."""
    try:
        default_name, default_commit = resolve_base(repo, None)
    except RepoError:
        return []
    if default_commit == base_commit or not repo.is_ancestor(base_commit, default_commit):
        return []
    newer = repo.count_between(base_commit, default_commit)
    shown, line = one_line(base_name, 80), one_line(default_name, 80)
    return [f"--base {shown} is {newer:,} commit{'s' if newer != 1 else ''} behind {line}: each change made on "
            f"{line} carries them all; --range {shown}..{line} reads those commits one by one, and --base {line} "
            "(the default) each change alone"]


def resolve_base(repo: GitRepo, base: str | None) -> tuple[str, str]:
    """(name, commit id) of the base: --base, else origin's HEAD, else (in a bare repository or one never
    checked out) the branch HEAD names, else main, else master, else origin/main, else origin/master."""
    if repo.is_empty:
        raise RepoError(f"{repo.path}: the repository has no commits yet")
    if base:
        try:
            return base, repo.resolve_commit(base)
        except RepoError as exc:
            raise RepoError(f"--base {base}: {exc}") from None
    origin_head = repo.symbolic_target("refs/remotes/origin/HEAD")
    if origin_head:
        try:
            return _short(origin_head), repo.resolve_commit(origin_head)
        except RepoError:
            pass  # a dangling origin/HEAD: fall through to main/master
    head = repo.head_ref() if repo.nothing_checked_out else None
    if head and head.startswith("refs/heads/"):  # a mirror or server repository: HEAD names the default branch
        try:
            return _short(head), repo.resolve_commit(head)
        except RepoError:
            pass
    unreadable: RepoError | None = None
    for name in _DEFAULT_BASES:
        try:
            return name, repo.resolve_commit(f"refs/heads/{name}")
        except RepoError as exc:
            if repo.has_ref(f"refs/heads/{name}"):
                unreadable = unreadable or exc  # the branch exists but cannot be read: say so
            continue
    # A CI checkout (GitHub's actions/checkout) fetches origin's branches but sets no origin/HEAD and
    # creates no local main: its remote-tracking twin is the base there.
    for name in _DEFAULT_BASES:
        try:
            return f"origin/{name}", repo.resolve_commit(f"refs/remotes/origin/{name}")
        except RepoError as exc:
            if repo.has_ref(f"refs/remotes/origin/{name}"):
                unreadable = unreadable or exc
            continue
    if unreadable is not None:
        raise RepoError(f"{repo.path}: base branch {unreadable}: pass --base REF")
    raise RepoError(f"{repo.path}: no base branch found (no origin/HEAD, main, master, origin/main or "
                    f"origin/master): pass --base REF")


def _short(refname: str) -> str:
    for prefix in ("refs/heads/", "refs/remotes/", "refs/tags/"):
        if refname.startswith(prefix):
            return refname[len(prefix):]
    return refname.removeprefix("refs/")


def _kind_and_id(ref: RefInfo) -> tuple[str, str] | None:
    name = ref.name
    if PR_REF_PATTERNS[0].match(name):
        return "pr", name.removeprefix("refs/").removesuffix("/head")  # pull/42
    if PR_REF_PATTERNS[1].match(name):
        return "pr", _short(name)  # origin/pr/42
    if name.startswith("refs/heads/"):
        return "branch", _short(name)
    if name.startswith("refs/remotes/"):
        if name.endswith("/HEAD"):
            return None
        return "branch", _short(name)
    return None  # tags, notes, stash and other refs are not pending changes


def parse_range(spec: str) -> tuple[str, str]:
    """Split 'A..B' into (A, B); anything else is a usage error."""
    if spec.count("..") != 1 or "..." in spec:
        raise RepoError(f"malformed range {spec!r}: expected A..B (two dots)")
    left, right = spec.split("..")
    if not left or not right:
        raise RepoError(f"malformed range {spec!r}: expected A..B with both ends")
    return left, right


# A follow-up commit's subject says what was tidied, not what the change is: on real pull requests the newest
# subject was "Fix tests" for "Add async test client" (12 of 21 multi-commit starlette changes, 77 of 88 in
# django-rest-framework, QA46).
_FOLLOW_UP = re.compile(
    r"^(?:(?:fixup|squash|amend)!|wip\b|\[pre-commit\.ci\]"
    r"|(?:fix|fixes|fixed|update|updated|adjust|address|apply|more)\b.{0,40}?\b(?:tests?|lint(?:ing|er)?|typos?|ci"
    r"|build|mypy|flake8|ruff|black|isort|review|comments?|suggestions?|format(?:ting)?|style|coverage)"
    r"(?:\s+(?:errors?|issues?|failures?|warnings?))?\s*[.!]*$"
    r"|(?:lint(?:ing)?|format(?:ting)?|typos?|tests?|clean ?up|review|wip)\s*[.!]*$"
    r"|initial (?:plan|commit)\s*[.!]*$)",  # a coding agent's empty first commit ("Initial plan"), a bare start
    re.IGNORECASE)


def _title(commits: list[CommitInfo], fallback: str, repo: GitRepo | None = None, head: str = "") -> str:
    """The first subject that says what the change is (the oldest: later commits build on it or tidy it,
    and on starlette the newest non-follow-up was still "Remove backend parameter" for "Add async test
    client"): not a merge's, nor a follow-up's ("Fix tests", "Address review comments", "fixup! ..."),
    else the newest subject at all. A change made on another branch (CARRIED_AUTHORS) is titled from its
    author's own commits, not from that branch's first. With `repo` and `head`, not a small commit whose every
    added line the head no longer has (`GitRepo.lines_undone`): netbox's pr/22890 was titled "Add 300GE QSFP-DD
    interface type", two lines its second commit replaced by the interconnect type the pull request adds (QA56 F9).
    When every such subject was undone so, the first as before (iterations on one line are not a new change)."""
    own, _carried = _own_and_carried(commits)
    for check in ((True, False) if repo is not None and head else (False,)):
        for pool in (own, commits):
            work = [c for c in pool if not c.is_merge and c.subject]  # newest first
            for commit in reversed(work):
                if _FOLLOW_UP.match(commit.subject.strip()):
                    continue
                if check and len(work) > 1 and repo is not None and repo.lines_undone(commit.id, head):
                    continue
                return commit.subject
    subjects = [c.subject for c in commits if not c.is_merge and c.subject]
    if subjects:
        return subjects[0]
    return commits[0].subject if commits and commits[0].subject else fallback


CARRIED_AUTHORS = 5
"""A change whose newest commits are one author's, on top of commits of at least this many other people, was made
on another branch (flask's pull requests into its long-gone `website` branch: one commit each, on 274 commits of
30 authors, and all 39 titled "New website; with mailinglist archives." from 2010). Not fewer: one person's
work under three addresses, topped by a pre-commit bot's fix, is one pull request (flask pull/5000)."""


def _own_and_carried(commits: list[CommitInfo]) -> tuple[list[CommitInfo], list[CommitInfo]]:
    """(the newest run of commits by the newest person's address, the commits under it) when the ones under it
    are of CARRIED_AUTHORS or more other people; else ([], []). Bots' commits (`[bot]`) are nobody's work."""
    work = [c for c in commits if not c.is_merge and "[bot]" not in c.author_name + c.author_email]  # newest first
    if not work:
        return [], []
    author = work[0].author_email.lower()
    run = 0
    while run < len(work) and work[run].author_email.lower() == author:
        run += 1
    carried = work[run:]
    if len({c.author_email.lower() for c in carried}) < CARRIED_AUTHORS:
        return [], []
    return work[:run], carried


def _carried_caveat(commits: list[CommitInfo]) -> str:
    """What a reviewer should know about a change made on another branch (CARRIED_AUTHORS), else ""."""
    own, carried = _own_and_carried(commits)
    if not carried:
        return ""
    people = len({c.author_email.lower() for c in carried})
    verb = "sits" if len(own) == 1 else "sit"
    return (f"probably made on another branch: {own[0].author_name}'s {plural(len(own), 'commit')} {verb} on "
            f"{plural(len(carried), 'commit')} of {people} other people, which the diff holds too")


def discover(
    repo: GitRepo, *, base: str | None = None, commit_range: str | None = None, include_worktree: bool = True,
    scope: QueueConfig | None = None, merges: bool = False, first_parent: bool = False,
    range_limit: int = RANGE_LIMIT, cache: KeyValueCache | None = None, detect_merged: bool = True,
    now: float | None = None, progress: Callable[[str], None] | None = None,
) -> Discovery:
    """Find the pending changes of `repo`. A change whose history cannot be read carries an error
    instead of failing the whole discovery. `scope` is the [queue] setting (default: every branch and
    PR ref but release lines); `cache` keeps merged-upstream verdicts and patch ids between runs."""
    base_name, base_commit = resolve_base(repo, base)
    found = Discovery(base_name, base_commit)
    if cache is not None:
        repo.answers = cache  # what a title's check read (GitRepo.lines_undone), kept between runs
    if commit_range:
        found.commit_range = commit_range
        found.changes, found.warnings = _range_changes(repo, commit_range, merges=merges,
                                                       first_parent=first_parent, limit=range_limit)
        return found
    scope = scope or QueueConfig()
    if base:
        found.warnings.extend(_behind_default_base(repo, base_name, base_commit))
    base_refname = _base_refname(repo, base_name, base_commit)
    in_scope = _refs_in_scope(repo, scope, base_refname, cache)
    history = _add_branch_changes(repo, found, scope, in_scope, time.time() if now is None else now, progress,
                                  cache)
    for name, target, problem in in_scope.unreadable:
        kind_id = _kind_and_id(RefInfo(name, target))
        if kind_id is not None and name != base_refname and scope.left_out_by(ref_names(name)) is None:
            # listed with its error, never silently dropped
            found.changes.append(Change(id=kind_id[1], kind=kind_id[0], ref=name, head=target, base=None,
                                        base_ref=base_name, title=kind_id[1],
                                        error=f"cannot read {target[:10]}: {problem}"))
    checked_out = repo.head_commit()
    listed = {c.head for c in found.changes}
    if (repo.head_ref() is None and checked_out and checked_out not in listed
            and not repo.is_ancestor(checked_out, base_commit)):
        found.changes.append(_branch_change(repo, "branch", "HEAD", "HEAD", checked_out, base_name, base_commit))
    if detect_merged:
        _detect_merged(repo, found, cache, history, progress)
    _stacked(repo, found.changes)
    _hide_merged(found)
    # Never checked out (bare, `git clone --no-checkout`): no working tree, whatever libgit2 reads of a missing index
    if include_worktree and not repo.nothing_checked_out and (unreadable := repo.index_problem()) is not None:
        found.warnings.append(f"the working tree's changes are not shown: its index cannot be read ({unreadable}; a "
                              "split or sparse index: `git update-index --no-split-index`, or `git sparse-checkout "
                              "set --no-sparse-index` makes it readable)")
    if include_worktree and not repo.nothing_checked_out and repo.is_dirty():
        branch = repo.head_ref()
        where = _short(branch) if branch else "detached HEAD"
        found.changes.append(
            Change(id=WORKTREE_ID, kind="worktree", ref=None, head=WORKTREE_ID, base=checked_out, base_ref="HEAD",
                   title=f"Uncommitted changes on {where}")
        )
    _count_stale(repo, found, scope.stale_days)
    found.changes.sort(key=lambda c: (-(c.newest_time or 0), c.id))
    found.merged.sort(key=lambda c: (-(c.newest_time or 0), c.id))
    return found


def discover_one(repo: GitRepo, change_id: str, *, base: str | None = None, scope: QueueConfig | None = None,
                 cache: KeyValueCache | None = None, now: float | None = None,
                 progress: Callable[[str], None] | None = None) -> Discovery | None:
    """What `discover` finds of the one change `change_id` names (its id, an alias, a full ref name or a branch only
    remotes have, `pr/5` for origin/pr/5: QA53's `explain pr/11830` discovered 8,074 heads), without
    the merged-upstream check of every other head: explain, chunks or check of one pull request among thousands
    of fetched ones checked them all first (openai-agents-python's 2,883: 25 s for a 2-commit change).

    Its verdicts read only the heads that hold one of its commits: the pending ones at its commits (what it may
    be stacked on) and the merged ones holding its head or its older commits (what it is within or built on),
    each with its own merged-upstream verdict; the Discovery holds the change and those (`scoped_to`).
    Every verdict is the one `discover` gives: a merged-upstream verdict reads only the base commits the branch
    has not got (MergedDetector), and the rest is the same code on the same changes in the same order. None
    where this cannot be said as exactly, and `discover` is then the way: few heads (MANY_HEADS: the whole
    discovery is cheap), a name that is not one head's refs (a commit id, a branch on remotes at different
    heads, the working tree), a detached HEAD or an unreadable ref (changes of their own), a base history longer than
    MAX_BASE_WALK (the check would compare a newest part of it, which depends on every branch in question),
    a change made on a release line (judged against that line), a change with an error."""
    if change_id in (WORKTREE_ID, "worktree", "HEAD") or _MARKED.search(change_id):
        return None
    if cache is not None:
        repo.answers = cache  # as discover
    base_name, base_commit = resolve_base(repo, base)
    if repo.is_shallow or repo.head_ref() is None:
        return None
    found = Discovery(base_name, base_commit)
    read = _one_and_holders(repo, found, change_id, scope or QueueConfig(), time.time() if now is None else now,
                            cache)
    if read is None:
        return None
    changes, in_base = read
    if base:
        found.warnings.extend(_behind_default_base(repo, base_name, base_commit))
    found.changes = changes
    _detect_merged(repo, found, cache, in_base, progress)
    _stacked(repo, found.changes)
    _hide_merged(found)
    found.changes.sort(key=lambda c: (-(c.newest_time or 0), c.id))
    found.merged.sort(key=lambda c: (-(c.newest_time or 0), c.id))
    found.scoped_to = change_id
    return found


def _one_and_holders(repo: GitRepo, found: Discovery, change_id: str, scope: QueueConfig, now: float,
                     cache: KeyValueCache | None = None) -> tuple[list[Change], BaseHistory] | None:
    """discover_one's changes, in discovery's order (which of two holders is named follows it): the one
    `change_id` names and those of the heads that hold one of its commits, and the base's history; None where
    discover_one says None."""
    base_refname = _base_refname(repo, found.base_ref, found.base_commit)
    in_scope = _refs_in_scope(repo, scope, base_refname, cache)
    heads, release_lines = in_scope.heads, in_scope.release_lines
    in_scope.count_into(found.left_out)
    named = _named_heads(repo, heads, change_id)
    if len(heads) <= MANY_HEADS or len(named) != 1 or _unreadable_in_scope(in_scope, scope, base_refname):
        return None
    in_base = _base_history(repo, found.base_commit, cache)
    if in_base is None or len(in_base) > MAX_BASE_WALK:
        return None
    lines = ReleaseLines(repo, found.base_commit, release_lines, cache)
    found.release_tips = lines.tips
    cutoff = now - scope.max_age_days * DAY_SECONDS if scope.max_age_days else None

    def change_of(i: int) -> Change | None:
        return _head_change(repo, found, scope, *heads[i], cutoff, now, in_base, lines)

    target = change_of(named[0])
    if target is None or target.error or target.base is None:
        return None
    own = {c.id for c in target.commits}
    oldest = {c.id for c in target.commits if not own.intersection(c.parents)}  # every commit of it holds one
    holding = _heads_holding(repo, [head for head, _ in heads if head not in (target.head, found.base_commit)
                                    and head not in in_base], oldest, found.base_commit, cache)
    if holding is None:
        return None
    # a look-alike twin at its head has a row of its own
    changes = [target if i == named[0] else change_of(i) for i, (head, _members) in enumerate(heads)
               if i == named[0] or head in holding or head == target.head]
    found_ = [c for c in changes if c is not None]
    if any(c.base_ref != found.base_ref or c.merged is not None for c in found_):
        return None  # made on a release line: judged against it
    return found_, in_base


BASE_HISTORY_KIND = "base_history"
BASE_HISTORY_VERSION = 1


def _base_history(repo: GitRepo, base_commit: str, cache: KeyValueCache | None) -> BaseHistory | None:
    """`repo.base_history`, cached by the base's tip: a commit's history is a function of its id (a shallow clone's
    is not, and is never read whole). Walking OpenHands' 5,598 base commits was a fifth of a warm `explain`."""
    if cache is None or repo.is_shallow:
        return repo.base_history(base_commit)
    key = f"{BASE_HISTORY_VERSION}:{base_commit}"
    stored = cache.get_many(BASE_HISTORY_KIND, [key]).get(key)
    history = BaseHistory.from_stored(stored) if stored is not None else None
    if history is not None:
        return history
    history = repo.base_history(base_commit)
    if history is not None and len(history) <= MAX_BASE_WALK:
        cache.put_many(BASE_HISTORY_KIND, {key: history.stored()})
    return history


HOLDERS_KIND = "heads_holding"


def _heads_holding(repo: GitRepo, heads: list[str], commits: set[str], hide: str,
                   cache: KeyValueCache | None) -> set[str] | None:
    """`repo.heads_holding`, cached by a digest of its question (every head, the commits, the base's tip): its
    answer is a function of those commits, and its walk reads every pending head's history (OpenHands' 9,000 pull
    request heads: 2 s of every `explain` of one change). A ref moved or added is another question."""
    import hashlib

    question = "\n".join([hide, *sorted(commits), "", *sorted(heads)])
    key = hashlib.sha256(question.encode()).hexdigest()
    stored = cache.get_many(HOLDERS_KIND, [key]).get(key) if cache is not None else None
    if isinstance(stored, list):
        return {str(head) for head in stored}
    holding = repo.heads_holding(heads, commits, hide)
    if holding is not None and cache is not None:
        cache.put_many(HOLDERS_KIND, {key: sorted(holding)})
    return holding


def _named_heads(repo: GitRepo, heads: list[tuple[str, list[tuple[str, str, str]]]], change_id: str) -> list[int]:
    """The heads (indexes) whose refs `change_id` names: by an id or a full ref name, else as find_change's
    `_on_remotes` does, a branch only remotes have by its short name (`pr/5` for origin/pr/5)."""
    named = [i for i, (_head, members) in enumerate(heads) if _group_named(members, change_id)]
    if named or change_id.startswith("refs/"):
        return named
    configured = {f"refs/remotes/{remote}/{change_id}" for remote in repo.configured_remotes()}
    return [i for i, (_head, members) in enumerate(heads)
            if any(_remote_branch(ref, change_id, configured) for _kind, _id, ref in members)]


def _group_named(members: list[tuple[str, str, str]], name: str) -> bool:
    """Whether `name` names the change of a head with these refs (Change.is_named: an id or a full ref name)."""
    return any(name in (change_id, refname) for _kind, change_id, refname in members)


def _unreadable_in_scope(in_scope: _InScope, scope: QueueConfig, base_refname: str | None) -> bool:
    """Whether discovery lists an unreadable ref as a change of its own (with its error)."""
    return any(_kind_and_id(RefInfo(name, target)) is not None and name != base_refname
               and scope.left_out_by(ref_names(name)) is None for name, target, _problem in in_scope.unreadable)


def _detect_merged(repo: GitRepo, found: Discovery, cache: KeyValueCache | None, history: BaseHistory | None,
                   progress: Callable[[str], None] | None) -> None:
    """Move the changes whose work the base already holds to `found.merged`; compare those built on merged work,
    or on the base's own history under other ids, with their own work."""
    detector = MergedDetector(repo, found.base_commit, found.base_ref, cache, history=history)
    detector.detect(found.changes, progress)
    found.warnings.extend(detector.notes)
    # A change made on a release line is merged upstream when that line holds its work.
    for line_name in sorted({c.base_ref for c in found.changes} & found.release_tips.keys()):
        on_line = MergedDetector(repo, found.release_tips[line_name], line_name, cache)
        on_line.detect(found.changes)
        found.warnings.extend(on_line.notes)
    _built_on_merged(repo, found.changes, found.base_ref)  # first: its note names the merged branch
    for change in found.changes:
        if change.rebuilt_from and change.merged is None:
            _compare_after_rebuilt(repo, change)
    _hide_merged(found)


def _hide_merged(found: Discovery) -> None:
    """Move the changes found merged upstream, or with nothing of their own, from the queue to `found.merged`."""
    found.merged += [c for c in found.changes if c.merged is not None]
    found.changes = [c for c in found.changes if c.merged is None]


def _add_branch_changes(repo: GitRepo, found: Discovery, scope: QueueConfig, in_scope: _InScope,
                        now: float, progress: Callable[[str], None] | None = None,
                        cache: KeyValueCache | None = None) -> BaseHistory | None:
    """One change per head of the refs in scope that the base does not contain; the rest counted. `progress`
    hears how far it got (flask's 2,833 refs took a minute and a half in silence). Returns the base's
    history where it was read whole for many heads, for the merged-upstream check to reuse."""
    heads = in_scope.heads
    in_scope.count_into(found.left_out)
    lines = ReleaseLines(repo, found.base_commit, in_scope.release_lines, cache)
    found.release_tips = lines.tips
    cutoff = now - scope.max_age_days * DAY_SECONDS if scope.max_age_days else None
    # Thousands of heads (every fetched pull request): one walk of the base's history answers "merged
    # already", the merge base and the commits of each of them, where walks per head took minutes
    in_base = _base_history(repo, found.base_commit, cache) if len(heads) > MANY_HEADS else None
    for done, (head, members) in enumerate(heads):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(f"{done:,} of {len(heads):,} heads read")
        change = _head_change(repo, found, scope, head, members, cutoff, now, in_base, lines)
        if change is not None:
            found.changes.append(change)
    return in_base


def _head_change(repo: GitRepo, found: Discovery, scope: QueueConfig, head: str, members: list[tuple[str, str, str]],
                 cutoff: float | None, now: float, in_base: BaseHistory | None, lines: ReleaseLines) -> Change | None:
    """The change of one head in scope (its refs `members`, the naming one first), or None where it is none:
    the base itself, older than the queue's age limit, merged already, not a pull request under pr_only
    (those two counted in `found.left_out`)."""
    if head == found.base_commit:
        return None
    # The age first: it reads one commit, where the ancestry check walks history (52,000 fetched pull
    # request heads took 15 minutes of walks, almost all of them older than the queue's window)
    if cutoff is not None and _head_time(repo, head, now) < cutoff:
        age_reason = f"head older than {scope.max_age_days} days ([queue] max_age_days)"
        found.left_out[age_reason] = found.left_out.get(age_reason, 0) + 1
        return None
    if head in in_base if in_base is not None else repo.is_ancestor(head, found.base_commit):
        return None  # merged already
    if scope.pr_only and not any(kind == "pr" for kind, _, _ in members):
        found.left_out[NOT_A_PR] = found.left_out.get(NOT_A_PR, 0) + 1
        return None
    kind, change_id, refname = members[0]
    change = _branch_change(repo, "pr" if any(m[0] == "pr" for m in members) else kind, change_id, refname,
                            head, found.base_ref, found.base_commit, in_base)
    change.aliases = [m[1] for m in members[1:]]
    change.alias_refs = [m[2] for m in members[1:]]
    _retarget(repo, change, lines)
    return change


PROGRESS_EVERY = 50  # heads (or changes checked for merges upstream) between two progress reports

# Verdicts that put a branch's whole history in the base: work within it, or built on it, is no longer pending
_HOLDS_ITS_HISTORY = ("squash", "patch", "tree", "number")


def _built_on_merged(repo: GitRepo, changes: list[Change], base_name: str) -> None:
    """A branch within one merged upstream (its head among that one's commits) is merged upstream too; a branch
    built on one is compared with the newest of its commits that the merged one has, so its diff is its own work.
    pydantic-ai's first two rows were 60,000-line diffs: an ancestor of `v2-main`, squash-merged into main, and
    two commits on top of it, titled and attributed from v2-main's commits."""
    holder_of: dict[str, Change] = {}  # a commit of a merged branch -> that branch
    for merged in changes:
        if merged.merged is not None and merged.merged.how in _HOLDS_ITS_HISTORY:
            for commit in merged.commits:
                holder_of.setdefault(commit.id, merged)
    if not holder_of:
        return
    for change in _comparable(changes):
        holder = holder_of.get(change.head)
        if holder is not None:
            detail = holder.merged.detail if holder.merged else ""
            change.merged = MergedUpstream("within",
                                           f"its head is a commit of {holder.id}, merged upstream: {detail}")
            continue
        below = _compare_with_own_work(repo, change, holder_of, lambda holder, fork, carried: (
            f"built on {holder.id}, whose work is already in {base_name}: compared with its commit {fork[:10]}, this "
            f"change's own work; against {base_name} it would also carry {plural(carried, 'commit')} of {holder.id}"))
        if below is not None:
            _empty_after_all(repo, change, f"built on {below.id}, merged upstream")


def _empty_after_all(repo: GitRepo, change: Change, why: str, where: str = "beyond that") -> None:
    """A change compared with its own work that has none (its own commits undo each other, or only merge the
    work below) is hidden as "empty", with the merged ones: hono's pull/543, a pull request and its revert on top
    of a merged one, and pull/383, a fork's merge commit of pending pull/382, were listed pending at +0/-0."""
    assert change.base is not None
    trees = repo.tree_ids([change.base, change.head])
    if trees.get(change.base) is not None and trees.get(change.base) == trees.get(change.head):
        change.merged = MergedUpstream("empty", f"{why}: nothing of its own is left {where} "
                                                f"({change.base[:10]} to its head is an empty diff)")


def _compare_after_rebuilt(repo: GitRepo, change: Change) -> None:
    """Compare a change whose older commits are its base's own history under other ids (merged.py `_rebuilt_part`:
    one of them records exactly the files of a base commit) with the newest of them: what follows is its own work."""
    upto, _, reason = change.rebuilt_from.partition(" ")
    if change.base is None or change.base == upto or repo.is_ancestor(upto, change.base):
        return  # compared from there or later already (built on a merged branch that holds that commit)
    original = change.commits
    own = {c.id for c in repo.commits_between(upto, change.head)}
    change.commits = [c for c in original if c.id in own]
    change.base = upto
    change.title = _title(change.commits, change.id, repo, change.head)
    change.diff_caveat = _carried_caveat(change.commits)
    older = len(original) - len(change.commits)
    note = (f"its first {'commit' if older == 1 else plural(older, 'commit')} (up to {upto[:10]}) "
            f"{'is' if older == 1 else 'are'} "
            f"{change.base_ref}'s own history under {'another commit id' if older == 1 else 'other commit ids'} "
            f"({reason}): compared with {upto[:10]}, this change's own work")
    change.base_note = f"{change.base_note}; {note}" if change.base_note else note
    _empty_after_all(repo, change, f"its commits up to {upto[:10]} are {change.base_ref}'s own")


def _stacked(repo: GitRepo, changes: list[Change]) -> None:
    """A branch built on another pending one (a stack of pull requests) is compared with the newest commit of it
    that it has: pydantic-ai's realtime-slice-1 to -4 were reviewed against main in full, 268 hours of floor time
    for a stack whose top alone was 96, each slice's own work hidden under the slices below."""
    # Only the heads: a branch that holds another's inner commit may be the one below it (slice-1 holds the first
    # commits of slice-2 too), and one forked from the middle of another is not compared with it
    pending = list(_comparable(changes))
    holder_of: dict[str, Change] = {}
    for lower in sorted(pending, key=lambda c: (not _plain_name(c.ref or c.id), c.id)):  # a look-alike twin last
        holder_of.setdefault(lower.head, lower)
    for change in pending:
        stacked_on = _compare_with_own_work(repo, change, holder_of, _stack_note(change.base_ref),
                                            allowed=_other_branch(change))
        change.stacked_on = stacked_on.id if stacked_on is not None else None
        if stacked_on is not None:
            # hono's pull/383, a fork's merge of pull/382 with nothing of its own, was ranked pending at +0/-0
            _empty_after_all(repo, change, f"stacked on {stacked_on.id}, which holds all of its work",
                             where=f"beyond {stacked_on.id}")


def _stack_note(base_ref: str) -> Callable[[Change, str, int], str]:
    def note(holder: Change, fork: str, carried: int) -> str:
        return (f"stacked on {holder.id}: compared with {'its head' if fork == holder.head else 'its commit'} "
                f"{fork[:10]}, this change's own work; against {base_ref} it would also carry "
                f"{plural(carried, 'commit')} of {holder.id}")

    return note


def _other_branch(change: Change) -> Callable[[Change], bool]:
    """Whether a branch is another than `change`'s: the same branch elsewhere (a fork's copy ahead of upstream's,
    a local branch ahead of its remote) is one piece of work, not a stack."""
    name = _branch_name(change)
    return lambda holder: _branch_name(holder) != name


def _branch_name(change: Change) -> str:
    """A branch's name without its remote (`origin/feature` and `feature` are one branch)."""
    ref = change.ref or change.id
    if ref.startswith("refs/remotes/"):
        return ref.removeprefix("refs/remotes/").split("/", 1)[-1]
    return ref.removeprefix("refs/heads/")


def _comparable(changes: list[Change]) -> Iterable[Change]:
    """The pending branches and pull requests whose base is known: what a branch may be built on or be."""
    return (c for c in changes
            if c.merged is None and not c.error and c.base is not None and c.kind in ("branch", "pr"))


def _compare_with_own_work(repo: GitRepo, change: Change, holder_of: dict[str, Change],
                           note: Callable[[Change, str, int], str],
                           allowed: Callable[[Change], bool] = lambda _holder: True) -> Change | None:
    """Compare `change` with the newest of its commits that another branch (`holder_of`, where `allowed`) has,
    when that one holds its fork point from the base: its diff, commits and title are then its own work; `note`
    says why. Returns that branch (None: compared with the base as before)."""
    assert change.base is not None
    original = change.commits
    fork = next((c.id for c in original  # a twin at the same head (a look-alike name kept apart) is not below it
                 if (holder := holder_of.get(c.id)) is not None and holder.head != change.head and allowed(holder)),
                None)
    # Not where it merged the base in since: against that commit it would carry the base's newer work
    if fork is None or holder_of[fork].base_ref != change.base_ref or not repo.is_ancestor(change.base, fork):
        return None
    own = {c.id for c in repo.commits_between(fork, change.head)}
    change.commits = [c for c in original if c.id in own]
    if change.partly_upto and not any(c.id == change.partly_upto for c in change.commits):
        # what reached the base as a squash merge is below the fork: the lower branch's, not shown here (QA49 #4)
        change.partly_merged = ""
    change.base = fork
    change.title = _title(change.commits, change.id, repo, change.head)
    change.diff_caveat = _carried_caveat(change.commits)
    change.base_note = note(holder_of[fork], fork, len(original) - len(change.commits))
    return holder_of[fork]


def _head_time(repo: GitRepo, head: str, now: float) -> float:
    try:
        return repo.commit_info(head).commit_time
    except (KeyError, ValueError, RepoError):
        return now  # unreadable: kept, its row says why


def _count_stale(repo: GitRepo, found: Discovery, stale_days: int) -> None:
    """Stale against the project's own activity (the base's latest commit), not the wall clock: a
    clone of a quiet project, or one read years later, does not call every branch stale."""
    found.stale_days = stale_days
    if stale_days:
        cutoff = anchor_time(repo, found.base_commit) - stale_days * DAY_SECONDS
        found.stale_before = cutoff
        found.stale = sum(1 for c in found.changes if c.newest_time is not None and c.newest_time < cutoff)


def _base_refname(repo: GitRepo, base_name: str, base_commit: str) -> str | None:
    """The ref the base was resolved from (never listed as a change of its own)."""
    for candidate in (base_name, f"refs/heads/{base_name}", f"refs/remotes/{base_name}"):
        if candidate.startswith("refs/") and repo.symbolic_target(candidate) is None:
            try:
                if repo.resolve_commit(candidate) == base_commit:
                    return candidate
            except RepoError:
                continue
    return None


def _preference(member: tuple[str, str, str]) -> tuple[int, str]:
    """Which ref of a head names the change: the author's local branch, else the pull request (the
    unit people review and talk about), else a remote-tracking branch."""
    kind, _change_id, refname = member
    if refname.startswith("refs/heads/"):
        return (0, refname)
    return (1 if kind == "pr" else 2, refname)


def _plain_name(refname: str) -> bool:
    """A ref name that cannot pass for another: printable, no escaped undecodable bytes. A look-alike
    (an invisible character, a \\xff escape) is never folded into another ref's change as an alias:
    it keeps a row of its own, where the why panel flags it (issue 15)."""
    return refname.isprintable() and "\\x" not in refname


IN_SCOPE_KIND = "refs_in_scope"
IN_SCOPE_VERSION = 1  # bumped whenever what _scoped_heads makes of a ref changes


@dataclass
class _InScope:
    """What the queue's scope makes of every ref (`_scoped_heads`): the heads in scope with their refs, the refs
    left out counted by reason, the release lines; and every ref that cannot be read (`GitRepo.unreadable_refs`)."""

    heads: list[tuple[str, list[tuple[str, str, str]]]]
    left_out: dict[str, int]
    release_lines: list[RefInfo]
    unreadable: list[tuple[str, str, str]]

    def count_into(self, left_out: dict[str, int]) -> None:
        for reason, count in self.left_out.items():
            left_out[reason] = left_out.get(reason, 0) + count

    def stored(self) -> dict[str, object]:
        return {"heads": [[head, [list(member) for member in members]] for head, members in self.heads],
                "left_out": self.left_out, "release": [[ref.name, ref.target] for ref in self.release_lines]}

    @classmethod
    def from_stored(cls, value: object) -> _InScope | None:
        """The stored scan, or None where it is not one (a damaged or foreign entry: read the refs again)."""
        if not isinstance(value, dict):
            return None
        try:
            heads = [(str(head), [(str(kind), str(id_), str(ref)) for kind, id_, ref in members])
                     for head, members in value["heads"]]
            left_out = {str(reason): int(count) for reason, count in value["left_out"].items()}
            release = [RefInfo(str(name), str(target)) for name, target in value["release"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return cls(heads, left_out, release, [])


def _refs_in_scope(repo: GitRepo, scope: QueueConfig, base_refname: str | None,
                   cache: KeyValueCache | None) -> _InScope:
    """`_InScope` of the refs, cached under a digest of the ref store (`GitRepo.ref_digest`: the stat of the files
    holding them, no ref read), the base's ref and the scope's patterns. Reading and matching every ref was most of
    a warm `explain` of one of OpenHands' 9,199 refs (a second). Stored only where no ref was unreadable (a missing
    object may be fetched without any ref moving) and the digest after the reading is the one before it."""
    import hashlib
    import json

    digest = repo.ref_digest() if cache is not None else None
    key = None
    if cache is not None and digest is not None:
        question = [IN_SCOPE_VERSION, digest, base_refname, list(scope.include), list(scope.exclude),
                    list(scope.lines)]
        key = hashlib.sha256(json.dumps(question).encode()).hexdigest()
        found = _InScope.from_stored(cache.get_many(IN_SCOPE_KIND, [key]).get(key))
        if found is not None:
            return found
    left_out: dict[str, int] = {}
    release_lines: list[RefInfo] = []
    unreadable: list[tuple[str, str, str]] = []
    heads = _scoped_heads(repo, scope, base_refname, left_out, release_lines, unreadable)
    scan = _InScope(heads, left_out, release_lines, unreadable)
    if cache is not None and key is not None and not scan.unreadable and repo.ref_digest() == digest:
        cache.put_many(IN_SCOPE_KIND, {key: scan.stored()})
    return scan


def _scoped_heads(repo: GitRepo, scope: QueueConfig, base_refname: str | None, left_out: dict[str, int],
                  release_lines: list[RefInfo], unreadable: list[tuple[str, str, str]] | None = None,
                  ) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Head -> [(kind, id, ref)] of the refs in scope, the naming ref first; out-of-scope refs counted,
    and the release lines (refs left out by a default pattern, or named by `[queue] lines`) collected for
    _retarget; the refs that cannot be read added to `unreadable` (`GitRepo.refs`: the same pass)."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for ref in repo.refs(unreadable):
        kind_id = _kind_and_id(ref)
        if kind_id is None or ref.name == base_refname:
            continue
        reason = scope.left_out_by(ref_names(ref.name))
        if reason is not None:
            left_out[reason] = left_out.get(reason, 0) + 1
            if (DEFAULT_EXCLUDE_NOTE in reason or reason.startswith(LINE_NOTE)) and kind_id[0] == "branch":
                release_lines.append(ref)
            continue
        key = ref.target if _plain_name(ref.name) else f"{ref.target} {ref.name}"
        groups.setdefault(key, []).append((kind_id[0], kind_id[1], ref.name))
    for members in groups.values():
        members.sort(key=_preference)
    return [(key.split(" ", 1)[0], members) for key, members in groups.items()]


LINE_WALK_LIMIT = 5_000  # commits of one release line read at most (those the base lacks)
LINE_WALK_KIND = "release_line_commits"
LINE_WALK_VERSION = 1
MANY_HEADS = 300  # above this many heads in scope, the base's whole history is walked once for ancestry


class ReleaseLines:
    """The release lines queue scope left out (by a default exclusion), each with its own
    commits: those the base has not got. Read once per discovery; one walk per line, hiding the base."""

    def __init__(self, repo: GitRepo, base_commit: str, lines: list[RefInfo],
                 cache: KeyValueCache | None = None) -> None:
        self.repo = repo
        self._base_commit = base_commit
        self._lines = sorted(lines, key=lambda ref: ref.name)
        self.tips: dict[str, str] = {_short(line.name): line.target for line in self._lines}  # short name -> tip
        self._holders: dict[str, list[RefInfo]] | None = None
        self._cache = cache

    @property
    def holders(self) -> dict[str, list[RefInfo]]:
        """Commit id -> the lines whose own commit it is. Walked at the first change that asks: ansible's 47
        release lines took 11 s to walk for a queue whose every head was out of scope."""
        if self._holders is None:
            self._holders = {}
            for line in self._lines:
                for commit_id in self._own_commits(line):
                    self._holders.setdefault(commit_id, []).append(line)
        return self._holders

    def _own_commits(self, line: RefInfo) -> list[str]:
        """The line's commits the base has not got (at most LINE_WALK_LIMIT), cached by the two commit ids (a
        function of them, but in a shallow clone): hono's release lines were an eighth of a warm `list`."""
        key = f"{LINE_WALK_VERSION}:{LINE_WALK_LIMIT}:{self._base_commit}:{line.target}"
        cache = None if self.repo.is_shallow else self._cache
        stored = cache.get_many(LINE_WALK_KIND, [key]).get(key) if cache is not None else None
        if isinstance(stored, list) and all(isinstance(commit_id, str) for commit_id in stored):
            return stored
        walked, _truncated, _whole = self.repo.ancestry(line.target, [self._base_commit], LINE_WALK_LIMIT)
        own = [commit_id for commit_id, _parents in walked]
        if cache is not None:
            cache.put_many(LINE_WALK_KIND, {key: own})
        return own

    def line_of(self, change: Change) -> list[RefInfo]:
        """The release lines `change` was made on: walking its first-parent chain from the head down
        to the base, the lines owning the first commit met that is a line's own. A branch that merely
        merged a release line in (a forward-port) meets that line only off its first-parent chain."""
        by_id = {c.id: c for c in change.commits}
        commit_id: str | None = change.head
        while commit_id is not None and commit_id in by_id:
            if commit_id in self.holders:
                return self.holders[commit_id]
            parents = by_id[commit_id].parents
            commit_id = parents[0] if parents else None
        return []


def _retarget(repo: GitRepo, change: Change, lines: ReleaseLines) -> None:
    """A change made on a release line (a pull request into `v1.x`, a backport branch) is reviewed
    against that line, not the base: against main it would carry every commit the line has and main
    has not (a 40-line CI fix read as +4,663/-2,498 in 67 files). Its base becomes its fork point
    from the nearest such line, its base_ref names the line, and `base_note` says why. A head that
    is on the line already is merged upstream there (the pull request was merged into the line)."""
    if change.base is None or change.error or not lines.holders:
        return
    best: tuple[str, RefInfo] | None = None
    for line in lines.line_of(change):
        fork = repo.merge_base(line.target, change.head)
        if fork is None or fork == change.base or not repo.is_ancestor(change.base, fork):
            continue
        if best is None or repo.is_ancestor(best[0], fork):
            best = (fork, line)  # the nearest line: the one forked from last
    if best is None:
        return
    fork, line = best
    carried = len(change.commits)
    line_name = _short(line.name)
    # a line `[queue] lines` names (an integration branch) is no release line: said as "line"
    line_word = "release line" if QueueConfig().excluded_by(line_name) else "line"
    base_name = change.base_ref
    change.base = fork
    change.base_ref = line_name
    if fork == change.head:
        change.merged = MergedUpstream("line", f"its head is already on {line_word} {line_name}")
        change.base_note = f"made on {line_word} {line_name}, which already holds its head"
        return
    change.commits = repo.commits_between(line.target, change.head)
    change.title = _title(change.commits, change.id, repo, change.head)
    carried -= len(change.commits)
    change.base_note = (f"compared with {line_word} {line_name} (forked from it at {fork[:10]}), the line "
                        f"it was made on: against {base_name} it would also carry {carried} of that "
                        f"line's commit{'s' if carried != 1 else ''}")


def _branch_change(repo: GitRepo, kind: str, change_id: str, refname: str, head: str, base_name: str,
                   base_commit: str, in_base: BaseHistory | None = None) -> Change:
    """`in_base`, the base's whole history where discovery walked it, makes the walks per head cheap."""
    change = Change(id=change_id, kind=kind, ref=refname, head=head, base=None, base_ref=base_name)
    change.commits, change.base, problem = repo.pending_walk(base_commit, head, in_base)
    change.title = _title(change.commits, change_id, repo, head)
    change.diff_caveat = _carried_caveat(change.commits)
    if change.base is not None and repo.is_shallow:
        _shallow_merge_base(repo, change, base_name, base_commit)
    elif change.base is None:
        if repo.is_shallow:
            change.error = f"no merge-base with {base_name}: shallow clone (run `git fetch --unshallow`)"
        elif problem is not None:
            change.error = (f"cannot compare with {base_name}: the repository's objects are damaged or "
                            f"missing ({problem}); run `git fsck`")
        else:
            change.error = f"{NO_COMMON_HISTORY} {base_name}"
    return change


def _shallow_merge_base(repo: GitRepo, change: Change, base_name: str, base_commit: str) -> None:
    """git's merge base in a shallow clone is the newest common ancestor it can see: a cut may hide a later
    one, and the diff would then carry every commit of the base since the older one (80 commits for 1). Where
    the clone's other history shows the later one, it is the base; where it cannot tell, the change says so."""
    assert change.base is not None
    later, cut = repo.cut_above(change.base, base_commit, change.head)
    if later is not None:
        older = change.base
        change.base = later
        keep = {c.id for c in repo.commits_between(later, change.head)}
        change.commits = [c for c in change.commits if c.id in keep]
        change.title = _title(change.commits, change.id, repo, change.head)
        change.base_note = (f"shallow clone: git's merge base with {base_name} is {older[:10]}, behind a cut of "
                            f"the history; the later one, {later[:10]}, was found through the clone's other history")
    elif cut is not None:
        change.diff_caveat = (f"shallow clone: the merge base with {base_name}, {change.base[:10]}, may be older "
                              f"than the real one, hidden behind the cut at {cut[:10]}: if the diff carries "
                              "commits not of this change, run `git fetch --unshallow`")


def _range_changes(repo: GitRepo, spec: str, *, merges: bool, first_parent: bool,
                   limit: int) -> tuple[list[Change], list[str]]:
    """One change per commit of A..B, each diffed against its first parent. Merge commits are left
    out unless `merges` (then diffed as what the merge itself introduced) or `first_parent` (the main
    line: a merge there stands for the branch it brought in, diffed against its first parent)."""
    left, right = parse_range(spec)
    start, end = repo.resolve_commit(left), repo.resolve_commit(right)
    walked = repo.commits_between(start, end, limit=limit + 1, first_parent=first_parent)
    notes: list[str] = []
    if len(walked) > limit:
        walked = walked[:limit]
        notes.append(f"range {spec} has more than {limit:,} commits: only the newest {limit:,} were read "
                     "(the range walk limit); narrow the range to see older ones")
    changes = []
    skipped_merges = 0
    for commit in walked:
        if commit.is_merge and not (merges or first_parent):
            skipped_merges += 1
            continue
        change = _commit_change(repo, commit, whole_merge=first_parent)
        if commit.is_merge and merges and not first_parent:
            if len(commit.parents) == 2:
                change.remerge = True
                change.base_ref = f"automatic merge of {commit.id[:10]}'s parents"
            else:
                change.base_ref = f"{commit.id[:10]}^ (octopus merge: diffed against its first parent)"
                change.diff_caveat = (f"an octopus merge of {len(commit.parents)} parents: diffed against its first "
                                      "parent, so it shows every merged branch's lines again (git has no automatic "
                                      "merge of several parents to compare it with)")
        changes.append(change)
    if skipped_merges:
        noun = "merge commit" if skipped_merges == 1 else "merge commits"
        notes.append(f"{skipped_merges} {noun} left out of {spec} (--merges includes them, diffed as what "
                     "each merge introduced; --first-parent walks the main line)")
    return changes, notes


def _commit_change(repo: GitRepo, commit: CommitInfo, *, whole_merge: bool = True) -> Change:
    """One commit as a change, diffed against its first parent. A merge diffed so (`whole_merge`: outside a
    range, or on a --first-parent main line) stands for the branch it brought in: that branch's commits are
    the change's too (their authors may not approve it, their AI signals count), not the merger's one."""
    parent = commit.parents[0] if commit.parents else None
    change = Change(id=commit.id[:10], kind="commit", ref=None, head=commit.id, base=parent,
                    base_ref=f"{commit.id[:10]}^", title=commit.subject or commit.id[:10], commits=[commit])
    if parent is None and commit.id in repo.shallow_commits():
        change.error = "its parent is not in this shallow clone: nothing to diff against (git fetch --deepen=1)"
    elif parent is None:
        change.error = "root commit: no parent to diff against"
    elif not repo.has_commit(parent):
        change.error = "parent commit is missing (shallow clone)"
    elif whole_merge and commit.is_merge and len(commit.parents) >= 2:
        try:
            change.commits = [commit, *repo.commits_between(commit.parents[0], commit.parents[1], limit=1_000)]
        except RepoError:
            pass  # the side line is not in this clone: the merge alone
    return change


def commit_change(repo: GitRepo, spec: str) -> Change | None:
    """A single commit named by (an abbreviation of) its id, as a change of its own: the form the ids
    `list --range` prints take when no range is given. None when `spec` is not a commit id."""
    if not 4 <= len(spec) <= 64 or any(c not in "0123456789abcdefABCDEF" for c in spec):
        return None
    try:
        commit_id = repo.resolve_commit(spec)
    except RepoError:
        return None
    if not commit_id.lower().startswith(spec.lower()):
        return None
    return _commit_change(repo, repo.commit_info(commit_id))


def change_diff(repo: GitRepo, change: Change, should_stop: Callable[[], bool] | None = None) -> list[FileDiff]:
    """The diff a reviewer reads for this change (`should_stop`: see GitRepo.diff)."""
    if change.kind == "worktree":
        return repo.diff_worktree()
    if change.base is None:
        raise RepoError(change.error or f"{change.id}: no base to diff against")
    if change.remerge:
        return repo.diff_merge_introduced(change.head)
    return repo.diff(change.base, change.head, should_stop=should_stop)


def _on_remotes(found: Discovery, branch: str, repo: GitRepo | None = None) -> list[Change]:
    """The changes that a remote-tracking branch called `branch` (on any remote) points at. A remote's name
    may hold a slash (`fork/alice`): the repository's configured remotes are asked too."""
    if not branch or branch.startswith("refs/"):
        return []
    named = {f"refs/remotes/{remote}/{branch}" for remote in (repo.configured_remotes() if repo else ())}
    return [c for c in found.changes if any(_remote_branch(r, branch, named) for r in c.refs)]


def _remote_branch(ref: str, branch: str, configured: set[str]) -> bool:
    """Whether `ref` is the remote-tracking branch `branch` of a remote (`configured`: its refs on the configured
    remotes, whose names may hold a slash)."""
    return ref in configured or (ref.startswith("refs/remotes/") and ref.endswith("/" + branch)
                                 and ref.count("/") == 2 + branch.count("/") + 1)


_MARKED = re.compile(r"<U\+([0-9A-F]{4,6})>")


def find_change(found: Discovery, change_id: str, repo: GitRepo | None = None) -> Change:
    """The change named `change_id`: its id, any alias, a full ref name, 'worktree' for the working
    tree, a merged-upstream change by name, a branch name that only remotes have (`feat` for
    origin/feat; refused when remotes disagree on its head), or (given `repo`, outside a range) the
    head commit of a pending change (that change) or any other commit id (a change of its own)."""
    named = _by_name(found, change_id, repo)
    if named is not None:
        return named
    on_remotes = _on_remotes(found, change_id, repo)
    if len(on_remotes) == 1:  # `feat` for origin/feat (and upstream/feat at the same head)
        return on_remotes[0]
    if on_remotes:
        names = ", ".join(c.id for c in on_remotes)
        raise ChangeNotFound(f"{change_id!r} is a branch on several remotes at different heads: {names}; "
                             "name one of them")
    by_commit = _by_commit_id(found, change_id, repo)
    if by_commit is not None:
        return by_commit
    if change_id in (WORKTREE_ID, "worktree") and found.commit_range is None:
        if repo is not None and repo.is_bare:
            raise ChangeNotFound("a bare repository has no working tree: name a branch, a pull request or a commit")
        if repo is not None and repo.nothing_checked_out:
            raise ChangeNotFound("nothing was ever checked out here (no index: `git clone --no-checkout`?), so "
                                 "there is no working tree to review: name a branch, a pull request or a commit")
        if repo is not None and repo.head_commit() is None:
            raise ChangeNotFound("the checked-out branch has no commit yet (an orphan or new branch): what is staged "
                                 "there has nothing to be compared with; commit it, or name another change")
        raise ChangeNotFound("the working tree has no changes to tracked files (untracked files are not "
                             "reviewed: `git add -N PATH` makes one part of the working-tree change)")
    where = f" in {found.commit_range}" if found.commit_range else ""
    hint = ""
    if found.commit_range and any("merge commit" in w for w in found.warnings):
        hint = " (merge commits are left out: --merges includes them)"
    if repo is not None and found.commit_range:
        _refuse_ref_in_range(found, change_id, repo)
    out_of_scope = _out_of_scope(found, change_id, repo) if repo is not None and found.left_out else None
    if out_of_scope is not None:
        return out_of_scope
    if repo is not None and not found.commit_range:
        _refuse_not_pending(found, change_id, repo)
    raise ChangeNotFound(f"no pending change {change_id!r}{where}{hint}{_suggestions(found, change_id)}")


def _refuse_not_pending(found: Discovery, change_id: str, repo: GitRepo) -> None:
    """Raise what a branch that exists but is not pending is (the base, at the base, merged): suggesting other
    names by spelling misled."""
    # a branch only remotes have, by its short name: `fix-detect-color` for origin/fix-detect-color (QA47 #12e)
    remote_named = ([ref for remote in sorted({*repo.configured_remotes(), "origin"})
                     if repo.has_ref(ref := f"refs/remotes/{remote}/{change_id}")]
                    if change_id and not change_id.startswith("refs/")
                    else [])
    local = any(repo.has_ref(f"{prefix}{change_id}") for prefix in ("refs/heads/", "refs/remotes/", ""))
    if remote_named or local:
        at = _resolves_to(repo, change_id) if local else _resolves_to(repo, remote_named[0])
        if at == found.base_commit:
            base_names = {found.base_ref, found.base_ref.split("/", 1)[-1]}
            if change_id in base_names or f"origin/{change_id}" in base_names:
                raise ChangeNotFound(f"{change_id!r} is the base ({found.base_ref}): pending changes are compared "
                                     "with it, so it has nothing of its own to review (--base names another)")
            raise ChangeNotFound(f"{change_id!r} points at the base commit ({found.base_ref}): it has nothing of its "
                                 "own to review")
        if not local:
            shown = ", ".join(one_line(ref.removeprefix("refs/remotes/"), 80) for ref in remote_named)
            raise ChangeNotFound(f"{change_id!r} ({shown}) has nothing pending against {found.base_ref}: its commits "
                                 f"are all in {found.base_ref} already (merged), or it has none of its own")
        raise ChangeNotFound(f"{change_id!r} has nothing pending against {found.base_ref}: its commits are all "
                             f"in {found.base_ref} already (merged), or it has none of its own")


def _by_name(found: Discovery, change_id: str, repo: GitRepo | None) -> Change | None:
    """The change an id, alias or ref names; also as `list` prints an invisible character (`zero<U+200B>width`),
    and HEAD for the checked-out branch's change (`check HEAD` in a checkout of it)."""
    wanted = [change_id]
    if _MARKED.search(change_id):
        wanted.append(_MARKED.sub(lambda m: chr(int(m.group(1), 16)), change_id))
    for name in wanted:
        matched = [change for change in found.every_change()
                   if change.is_named(name) or (name == "worktree" and change.kind == "worktree")]
        if len({c.head for c in matched}) > 1:
            # `pull/12` for a local branch of that name and for the pull request: `check pull/12` in CI judged
            # the branch, with no word of the pull request
            named = "; ".join(f"{one_line(c.id, 60)} ({', '.join(one_line(r, 80) for r in c.refs)})" for c in matched)
            raise ChangeNotFound(f"{name!r} names {len(matched)} changes at different heads: {named}; name one by "
                                 "its full ref")
        if matched:
            return matched[0]
    if change_id == "HEAD" and repo is not None and not found.commit_range:
        head = repo.head_commit()
        at_head = [c for c in found.changes if c.kind != "worktree" and c.head == head]
        if len(at_head) == 1:
            return at_head[0]
    return None


def _out_of_scope(found: Discovery, change_id: str, repo: GitRepo) -> Change | None:
    """A branch named outright that queue scope left out (max_age_days, exclude, pr_only) is still a change
    to read: `check feature/old` said "its commits are all in main already (merged)" of a branch that was
    only older than the queue's age limit. None when no such ref has work the base lacks (or in a range)."""
    if found.commit_range:
        return None
    for refname in (f"refs/heads/{change_id}", f"refs/remotes/{change_id}", change_id):
        if not refname.startswith("refs/") or not repo.has_ref(refname):
            continue
        head = _resolves_to(repo, refname)
        if head is None or head == found.base_commit or repo.is_ancestor(head, found.base_commit):
            return None
        kind = "pr" if refname.startswith("refs/pull/") else "branch"
        return _branch_change(repo, kind, change_id, refname, head, found.base_ref, found.base_commit)
    return None


def _resolves_to(repo: GitRepo, name: str) -> str | None:
    try:
        return repo.resolve_commit(name)
    except RepoError:
        return None


def _refuse_ref_in_range(found: Discovery, change_id: str, repo: GitRepo) -> None:
    """In a range the changes are its commits: a branch or tag naming one of them is answered with the
    commit to name (the generic "no pending change ... its branch may have been deleted" misled)."""
    if not any(repo.has_ref(f"{prefix}{change_id}") for prefix in ("refs/heads/", "refs/remotes/", "refs/tags/", "")):
        return
    commit_id = _resolves_to(repo, change_id)
    if commit_id is None:
        return
    named = next((c for c in found.changes if c.kind == "commit" and c.head == commit_id), None)
    at = f"commit {named.id}" if named is not None else f"commit {commit_id[:10]}, which is not one of its commits"
    raise ChangeNotFound(f"in a range the changes are its commits: {change_id!r} is {at} "
                         f"({found.commit_range}; without --range, {change_id!r} is the branch against the base)")


def _by_commit_id(found: Discovery, change_id: str, repo: GitRepo | None) -> Change | None:
    """The change a commit id (or an abbreviation) names: outside a range the pending change whose head it
    is (an alias, like a second ref at its head: a gate given a pull request's head SHA checked its last
    commit alone and passed an unreviewed one), else the commit as a change of its own; inside a range
    the range's commit it abbreviates (`git log --oneline` prints 7 characters)."""
    hex_id = all(c in "0123456789abcdef" for c in change_id.lower())
    if found.commit_range is None and repo is not None:
        if 4 <= len(change_id) <= 64 and hex_id:
            # every abbreviation git accepts: from 4 characters `check 64b9` judged the last commit alone
            at_head = [c for c in found.changes if c.kind != "worktree" and c.head.startswith(change_id.lower())]
            if len(at_head) == 1:
                return at_head[0]
            if len(at_head) > 1:
                names = ", ".join(c.id for c in at_head[:4])
                raise ChangeNotFound(f"{change_id!r} abbreviates the heads of several pending changes ({names}): "
                                     "give more of the commit id, or a change's name")
        return commit_change(repo, change_id)
    if found.commit_range is not None and 4 <= len(change_id) <= 40 and hex_id:
        matches = [c for c in found.changes if c.kind == "commit" and c.head.startswith(change_id.lower())]
        if len(matches) == 1:
            return matches[0]
    return None


_PR_NAME = re.compile(r"^(?:#?|(?:refs/)?pull/|(?:[^/]+/)?pr/)(\d+)(?:/head)?$")


def _suggestions(found: Discovery, change_id: str, shown: int = 8) -> str:
    """The names closest to a mistyped one, else the first pending ones, saying how many more there are
    (the first 8 in discovery order read as all of them)."""
    ids = [c.id for c in found.changes]
    # compared as `list` prints them: an invisible character is `<U+200B>` there (and accepted so)
    names = {visible(name) for change in found.every_change() for name in change.names}
    close = _closest(names, change_id)
    if close:
        return close
    if not ids:
        return " (nothing is pending)"
    more = f", and {len(ids) - shown} more: `review-tui list` shows them" if len(ids) > shown else ""
    return f" (pending: {', '.join(ids[:shown])}{more})"


def refuse_naming_nothing(repo: GitRepo, change_id: str) -> None:
    """Raise find_change's "no pending change" where `change_id` cannot name anything find_change gives outside
    a range, before a discovery of every head: no ref by the names discovery gives (a full ref name, an id such as
    `origin/pr/5` or `feat`, a branch only remotes have such as `pr/5`), no commit id, not the working tree or
    HEAD. `explain pr/999999` discovered OpenHands' 8,074 pull requests for over 11 minutes first (QA53 #3). The
    names suggested are those of the refs: which of them are pending only the whole discovery says. With few heads
    (MANY_HEADS) that discovery is cheap, and its error names the pending changes: left to it."""
    wanted = [change_id]
    if _MARKED.search(change_id):
        wanted.append(_MARKED.sub(lambda m: chr(int(m.group(1), 16)), change_id))
    if any(name in (WORKTREE_ID, "worktree", "HEAD") for name in wanted):
        return
    ids: set[str] = set()
    remotes = repo.configured_remotes()
    configured = {f"refs/remotes/{remote}/{name}" for remote in remotes for name in wanted}
    # what _refuse_not_pending and _out_of_scope read besides: `origin/HEAD` "points at the base commit"
    read = {f"{prefix}{name}" for prefix in ("refs/heads/", "refs/remotes/") for name in wanted}
    # The names the scan below would stop at, looked up first (listing OpenHands' 9,199 ref names took 0.1 s)
    remote_branches = {f"refs/remotes/{remote}/{name}" for remote in remotes for name in wanted
                       if not name.startswith("refs/")}
    if any(repo.has_ref(name) for name in sorted(read | remote_branches | _full_names(wanted))):
        return
    for ref in repo.ref_names("refs/"):
        kind_id = _kind_and_id(RefInfo(ref, ""))
        short = kind_id[1] if kind_id is not None else ref
        if ref in read or any(name in (ref, short) or (not name.startswith("refs/")
                                                       and _remote_branch(ref, name, configured)) for name in wanted):
            return
        if kind_id is not None:
            ids.add(visible(short))
    if len(ids) <= MANY_HEADS:
        return  # few heads: the whole discovery is cheap, and its error lists the pending changes
    hex_id = all(c in "0123456789abcdefABCDEF" for c in change_id)
    if 4 <= len(change_id) <= 64 and hex_id and _resolves_to(repo, change_id) is not None:
        return
    hint = _closest(ids, change_id) or " (`review-tui list` shows the pending changes)"
    raise ChangeNotFound(f"no pending change {change_id!r}{hint}")


def _full_names(wanted: list[str]) -> set[str]:
    """The full ref names `refuse_naming_nothing` finds these names as: a full name itself, `pull/7` as refs/pull/7/head
    (the id discovery gives that ref)."""
    full = {name for name in wanted if name.startswith("refs/")}
    return full | {f"refs/{name}/head" for name in wanted if PR_REF_PATTERNS[0].match(f"refs/{name}/head")}


def _closest(names: set[str], change_id: str) -> str:
    """The " (did you mean ...?)" of the names closest to `change_id` (for a pull request's number, those ending
    in it), or "" where none is close."""
    import difflib

    named = _PR_NAME.match(change_id)
    if named:  # a pull request by its number (`17753`, `#17753`, `pull/17753`, `origin/pr/17753`): names ending in it
        number = named.group(1)
        by_number = sorted(n for n in names if n.rsplit("/", 1)[-1] in (number, f"pr-{number}"))
        if by_number:
            return " (did you mean " + " or ".join("'" + name + "'" for name in by_number[:3]) + "?)"
    wanted = visible(change_id)
    # A shared remote or folder ("origin/") says nothing of resemblance: with it, `origin/nope` was "close" to
    # origin/main and origin/sjf-p among cline's 1,957 branches (QA54). Names under the same first segment are
    # compared by what follows it.
    prefix = wanted.split("/", 1)[0] + "/" if "/" in wanted else ""
    scored = []
    for name in sorted(names):
        same = bool(prefix) and name.startswith(prefix)
        a, b = (wanted[len(prefix):], name[len(prefix):]) if same else (wanted, name)
        ratio = difflib.SequenceMatcher(None, a, b).ratio()
        if ratio >= 0.6:
            scored.append((-ratio, name))
    close = [name for _, name in sorted(scored)[:3]]
    if close:
        quoted = " or ".join("'" + name + "'" for name in close)
        return f" (did you mean {quoted}?)"
    return ""
