"""Pending-change discovery: unmerged branches, remote-tracking branches, PR refs, commits of a
range, and the working tree. Every change is reviewed as base...head (merge-base to head)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.git.diff import FileDiff
from app.core.git.models import WORKTREE_ID, Change, CommitInfo
from app.core.git.repo import GitRepo, RefInfo
from app.errors import ChangeNotFound, RepoError

_PR_PATTERNS = (re.compile(r"^refs/pull/(\d+)/head$"), re.compile(r"^refs/remotes/([^/]+)/pr/(.+)$"))
_DEFAULT_BASES = ("main", "master")


@dataclass
class Discovery:
    """What `discover` found: the resolved base and the pending changes, newest activity first."""

    base_ref: str
    base_commit: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def resolve_base(repo: GitRepo, base: str | None) -> tuple[str, str]:
    """(name, commit id) of the base: --base, else origin's HEAD, else main, else master."""
    if repo.is_empty:
        raise RepoError(f"{repo.path}: the repository has no commits yet")
    if base:
        return base, repo.resolve_commit(base)
    origin_head = repo.symbolic_target("refs/remotes/origin/HEAD")
    if origin_head:
        try:
            return _short(origin_head), repo.resolve_commit(origin_head)
        except RepoError:
            pass  # a dangling origin/HEAD: fall through to main/master
    unreadable: RepoError | None = None
    for name in _DEFAULT_BASES:
        try:
            return name, repo.resolve_commit(f"refs/heads/{name}")
        except RepoError as exc:
            if repo.has_ref(f"refs/heads/{name}"):
                unreadable = unreadable or exc  # the branch exists but cannot be read: say so
            continue
    if unreadable is not None:
        raise RepoError(f"{repo.path}: base branch {unreadable}: pass --base REF")
    raise RepoError(f"{repo.path}: no base branch found (no origin/HEAD, main or master): pass --base REF")


def _short(refname: str) -> str:
    for prefix in ("refs/heads/", "refs/remotes/", "refs/tags/"):
        if refname.startswith(prefix):
            return refname[len(prefix):]
    return refname.removeprefix("refs/")


def _kind_and_id(ref: RefInfo) -> tuple[str, str] | None:
    name = ref.name
    if _PR_PATTERNS[0].match(name):
        return "pr", name.removeprefix("refs/").removesuffix("/head")  # pull/42
    if _PR_PATTERNS[1].match(name):
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


def _title(commits: list[CommitInfo], fallback: str) -> str:
    for commit in commits:  # newest first; a merge's subject says little about the change
        if not commit.is_merge and commit.subject:
            return commit.subject
    return commits[0].subject if commits and commits[0].subject else fallback


def discover(
    repo: GitRepo, *, base: str | None = None, commit_range: str | None = None, include_worktree: bool = True
) -> Discovery:
    """Find the pending changes of `repo`. A change whose history cannot be read carries an error
    instead of failing the whole discovery."""
    base_name, base_commit = resolve_base(repo, base)
    found = Discovery(base_name, base_commit)
    if commit_range:
        found.changes = _range_changes(repo, commit_range, base_name)
        return found

    base_refname = None
    for candidate in (base_name, f"refs/heads/{base_name}", f"refs/remotes/{base_name}"):
        if candidate.startswith("refs/") and repo.symbolic_target(candidate) is None:
            try:
                if repo.resolve_commit(candidate) == base_commit:
                    base_refname = candidate
                    break
            except RepoError:
                continue

    local_heads: set[str] = set()
    candidates: list[tuple[str, str, RefInfo]] = []
    for ref in repo.refs():
        kind_id = _kind_and_id(ref)
        if kind_id is None or ref.name == base_refname:
            continue
        kind, change_id = kind_id
        if ref.name.startswith("refs/heads/"):
            local_heads.add(ref.target)
        candidates.append((kind, change_id, ref))

    for kind, change_id, ref in candidates:
        if ref.name.startswith("refs/remotes/") and kind == "branch" and ref.target in local_heads:
            continue  # the remote-tracking twin of a local branch at the same commit: list it once
        if ref.target == base_commit or repo.is_ancestor(ref.target, base_commit):
            continue  # merged already
        found.changes.append(_branch_change(repo, kind, change_id, ref.name, ref.target, base_name, base_commit))

    for name, target, problem in repo.unreadable_refs():
        kind_id = _kind_and_id(RefInfo(name, target))
        if kind_id is not None and name != base_refname:  # listed with its error, never silently dropped
            found.changes.append(Change(id=kind_id[1], kind=kind_id[0], ref=name, head=target, base=None,
                                        base_ref=base_name, title=kind_id[1],
                                        error=f"cannot read {target[:10]}: {problem}"))

    head = repo.head_commit()
    listed = {c.head for c in found.changes}
    if repo.head_ref() is None and head and head not in listed and not repo.is_ancestor(head, base_commit):
        found.changes.append(_branch_change(repo, "branch", "HEAD", "HEAD", head, base_name, base_commit))

    if include_worktree and not repo.is_bare and repo.is_dirty():
        branch = repo.head_ref()
        where = _short(branch) if branch else "detached HEAD"
        found.changes.append(
            Change(id=WORKTREE_ID, kind="worktree", ref=None, head=WORKTREE_ID, base=head, base_ref="HEAD",
                   title=f"Uncommitted changes on {where}")
        )
    found.changes.sort(key=lambda c: (-(c.newest_time or 0), c.id))
    return found


def _branch_change(repo: GitRepo, kind: str, change_id: str, refname: str, head: str, base_name: str,
                   base_commit: str) -> Change:
    change = Change(id=change_id, kind=kind, ref=refname, head=head, base=None, base_ref=base_name)
    change.commits = repo.commits_between(base_commit, head)
    change.title = _title(change.commits, change_id)
    change.base, problem = repo.merge_base_or_problem(base_commit, head)
    if change.base is None:
        if repo.is_shallow:
            change.error = f"no merge-base with {base_name}: shallow clone (run `git fetch --unshallow`)"
        elif problem is not None:
            change.error = (f"cannot compare with {base_name}: the repository's objects are damaged or "
                            f"missing ({problem}); run `git fsck`")
        else:
            change.error = f"no common history with {base_name}"
    return change


def _range_changes(repo: GitRepo, spec: str, base_name: str) -> list[Change]:
    left, right = parse_range(spec)
    start, end = repo.resolve_commit(left), repo.resolve_commit(right)
    changes = []
    for commit in repo.commits_between(start, end):
        parent = commit.parents[0] if commit.parents else None
        change = Change(id=commit.id[:10], kind="commit", ref=None, head=commit.id, base=parent,
                        base_ref=f"{commit.id[:10]}^", title=commit.subject or commit.id[:10], commits=[commit])
        if parent is None:
            change.error = "root commit: no parent to diff against"
        elif not repo.has_commit(parent):
            change.error = "parent commit is missing (shallow clone)"
        changes.append(change)
    return changes


def change_diff(repo: GitRepo, change: Change) -> list[FileDiff]:
    """The diff a reviewer reads for this change."""
    if change.kind == "worktree":
        return repo.diff_worktree()
    if change.base is None:
        raise RepoError(change.error or f"{change.id}: no base to diff against")
    return repo.diff(change.base, change.head)


def find_change(found: Discovery, change_id: str) -> Change:
    """The change with this id; also accepts a full ref name or 'worktree' for the working tree."""
    for change in found.changes:
        if change_id in (change.id, change.ref) or (change_id == "worktree" and change.kind == "worktree"):
            return change
    known = ", ".join(c.id for c in found.changes[:8]) or "none"
    raise ChangeNotFound(f"no pending change {change_id!r} (pending: {known})")
