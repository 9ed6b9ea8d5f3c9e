"""Domain objects shared by the core, storage, reports and the TUI."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.git.diff import FileDiff

WORKTREE_ID = ":worktree"  # a colon cannot appear in a ref name, so no branch can collide


NO_COMMON_HISTORY = "no common history with"  # Change.error of a change unrelated to its base: no failure

@dataclass(slots=True)
class CommitInfo:
    id: str
    author_name: str
    author_email: str
    author_time: int  # seconds since the epoch
    committer_name: str
    committer_email: str
    commit_time: int
    message: str  # decoded; may contain anything, it is data
    parents: tuple[str, ...] = ()

    @property
    def short_id(self) -> str:
        return self.id[:10]

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


# A pull request's ref: GitHub's own (refs/pull/42/head) and the remote-tracking form people fetch it as
PR_REF_PATTERNS = (re.compile(r"^refs/pull/(\d+)/head$"), re.compile(r"^refs/remotes/[^/]+/pr/(\d+)$"))


def pull_request_number(refnames: Iterable[str | None]) -> int | None:
    """The pull request number the first pull request ref among `refnames` names, or None."""
    for name in refnames:
        for pattern in PR_REF_PATTERNS:
            match = pattern.match(name or "")
            if match:
                return int(match.group(1))
    return None


@dataclass(frozen=True, slots=True)
class MergedUpstream:
    """Why a change's work is already in the base although its head is not an ancestor of it."""

    how: str  # "patch": every commit has a patch-equivalent base commit (cherry-pick, rebase merge);
    #           "squash": one base commit has the branch's whole net diff as its patch;
    #           "tree": every path the branch changes is already in the base as the branch has it;
    #           "number": its pull request's number ends the subject of a base commit that changes its files;
    #           "line": its head is on the release line it was made on (merged into that line);
    #           "empty": its diff against the merge base is empty (its commits undo each other, or
    #           merged the base's own work): nothing of it is left to review
    detail: str  # one line for people: which base commit(s) hold it

    def to_dict(self) -> dict[str, str]:
        return {"how": self.how, "detail": self.detail}


@dataclass(slots=True)
class Change:
    """One pending unit of review: a branch, a PR ref, a commit of a range, or the working tree.

    Refs that point at the same head (a PR ref and its branch, a local branch and its remote twin)
    are one change: `id`/`ref` name it, `aliases`/`alias_refs` list the others, and `names`/`is_named`
    accept any of them, so every command and every record can refer to it by whichever name it knows.
    """

    id: str
    kind: str  # branch | pr | commit | worktree
    ref: str | None  # full ref name for branches and PRs
    head: str  # commit id, or WORKTREE_ID for the working tree
    base: str | None  # merge-base commit id; None when it cannot be found (shallow clone)
    base_ref: str  # what the base was resolved from, e.g. "main"
    title: str = ""
    commits: list[CommitInfo] = field(default_factory=list)
    error: str | None = None  # set when the change cannot be analysed; others go on
    aliases: list[str] = field(default_factory=list)  # other ids naming the same head
    alias_refs: list[str] = field(default_factory=list)  # their full ref names
    merged: MergedUpstream | None = None  # set when the base already holds this change's work
    remerge: bool = False  # a merge commit diffed as what it introduced itself (not against a parent)
    base_note: str = ""  # why the base is not the queue's base (a change made on a release line), for people
    gone_on_base: list[str] = field(default_factory=list)  # files it modifies that its base deleted since (detail)
    partly_merged: str = ""  # its older commits' work reached the base as a squash merge: said, not hidden
    partly_upto: str | None = None  # the newest of its commits whose work the base holds (partly_merged's or
    # rebuilt_from's), so a change compared with a branch below it knows whether that part is its own
    rebuilt_from: str = ""  # set by the merged check: one of its commits records exactly the files of a base commit
    # it has not got (the base's history under other ids): "<that commit's id> <the base commit described>"
    diff_caveat: str = ""  # why the diff may show work not this change's own (an octopus merge, a shallow cut)
    behind_base: str = ""  # the base moved on under it: merge conflicts, or far behind (detail)
    stacked_on: str | None = None  # the pending change it is built on and compared with; its work lands with it

    @property
    def base_remarks(self) -> str:
        """What a reviewer should know about the base: `base_note`, and the files this change modifies
        that the base has deleted since it started (a modify/delete conflict: the change may be obsolete)."""
        remarks = [self.base_note] if self.base_note else []
        if self.partly_merged:
            remarks.append(self.partly_merged)
        if self.diff_caveat:
            remarks.append(self.diff_caveat)
        if self.behind_base:
            remarks.append(self.behind_base)
        if self.gone_on_base:
            shown = ", ".join(self.gone_on_base[:3])
            more = f" and {len(self.gone_on_base) - 3} more" if len(self.gone_on_base) > 3 else ""
            it = "it" if len(self.gone_on_base) == 1 else "them"
            remarks.append(f"{self.base_ref} no longer has {shown}{more} (deleted or moved since this change "
                           f"started), and the change modifies {it}: a merge conflict, and perhaps an obsolete change")
        return "; ".join(remarks)

    @property
    def names(self) -> list[str]:
        """Every id this change answers to, its own first."""
        return [self.id, *self.aliases]

    @property
    def refs(self) -> list[str]:
        """Every full ref name pointing at this change's head, its own first."""
        return [r for r in (self.ref, *self.alias_refs) if r]

    def is_named(self, name: str) -> bool:
        """Whether `name` (an id or a full ref name of the change or of any alias) names this change."""
        return name in self.names or name in self.refs

    @property
    def authors(self) -> list[str]:
        """Its authors, the one the queue names first: people before `[bot]` accounts, then most commits, then who
        started it. Newest first, hono's AES cookie encryption read "autofix-ci[bot] +1" for a formatting fix on
        top of four commits of its author (QA51 #19)."""
        counts: dict[str, int] = {}
        for commit in reversed(self.commits):  # oldest first: a tie goes to who started
            name = f"{commit.author_name} <{commit.author_email}>"
            counts[name] = counts.get(name, 0) + 1
        started = {name: i for i, name in enumerate(counts)}
        return sorted(counts, key=lambda name: ("[bot]" in name, -counts[name], started[name]))

    @property
    def author_emails(self) -> list[str]:
        seen: dict[str, None] = {}
        for commit in self.commits:
            seen.setdefault(commit.author_email, None)
        return list(seen)

    @property
    def newest_time(self) -> int | None:
        times = [c.commit_time for c in self.commits]
        return max(times) if times else None


@dataclass(slots=True)
class ChangeFigures:
    """The basic size figures of a change's diff."""

    lines_added: int = 0
    lines_deleted: int = 0
    files: int = 0
    directories: int = 0
    binary_files: int = 0
    renames: int = 0

    @classmethod
    def from_diff(cls, files: list[FileDiff]) -> ChangeFigures:
        return cls(
            lines_added=sum(f.additions for f in files),
            lines_deleted=sum(f.deletions for f in files),
            files=len(files),
            directories=len({f.directory for f in files}),
            binary_files=sum(1 for f in files if f.binary),
            renames=sum(1 for f in files if f.status == "renamed"),
        )


# -- ref names: bytes in git, one lossless text form everywhere else ------------------------------
#
# A ref name is bytes to git and may be any bytes but a few (`git check-ref-format`): a branch
# fetched from anyone can be `refs/heads/fix-\xff`. review-tui's single text form of a ref name is
# its UTF-8 decoding with every undecodable byte written `\xNN`. That is lossless and unambiguous
# because a ref name can never contain a backslash, it is valid UTF-8 (so SQLite, JSON and the
# terminal take it), and it reads as what it is. GitRepo converts at its boundary (ref_for_git).

_BYTE_ESCAPE = re.compile(rb"\\x([0-9a-fA-F]{2})")


def ref_text(name: str | bytes) -> str:
    """The text form of a ref name given as bytes or as pygit2's surrogate-escaped str."""
    raw = name if isinstance(name, bytes) else name.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "backslashreplace")


def ref_for_git(text: str) -> str:
    """The name pygit2 expects (a surrogate-escaped str) for the text form of a ref name."""
    if "\\" not in text:
        return text
    raw = _BYTE_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode("utf-8", "surrogateescape"))
    return raw.decode("utf-8", "surrogateescape")


def has_escaped_bytes(text: str) -> bool:
    """Whether a ref's text form stands for bytes that are not UTF-8 (shown escaped, flagged)."""
    return "\\x" in text
