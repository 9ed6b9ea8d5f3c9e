"""Which review records bear on a change, and which were given on it: the approval binding (issue 15).

A chunk's content hash binds an approval to the code (path, mode, enclosing definition, context and
the changed bytes: app/core/planner). This module binds it to the *change*: an approval counts only on
the change it was given on - under any of its names (its id, its ref, its aliases) - or at one of its
commits, unless the record names another pending change (a branch stacked below it). Another branch
making the identical edit, or the same lines moved elsewhere, shows the approval as given on another
change; the reviewer may carry it over (a new record given here).
A change's names are its id and its aliases (refs at the same head), as discovery groups them.

Change ids are compared without a remote's prefix, because a reviewer's clone calls the author's
`feature` branch `origin/feature`. Pure: no I/O; storage/records.py applies it to the ledger and the
notes, and every reader (check, the TUI, stats) asks storage/records.py.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container, Iterable
from dataclasses import dataclass

from app.core.git.models import Change
from app.core.policy.rules import ApprovalRecord

_COMMIT_ID = re.compile(r"[0-9a-f]{7,40}")  # a commit's change id (`list --range`): the commit's own change


def plain_id(change_id: str, remotes: Collection[str]) -> str:
    """A change id without a remote's prefix: `origin/feature` and `feature` name the same branch."""
    first, sep, rest = change_id.partition("/")
    return rest if sep and first in remotes else change_id


def change_names(change: Change, remotes: Collection[str]) -> frozenset[str]:
    """Every name the change goes by, without a remote's prefix: its id and its aliases (the other
    refs at the same head: a branch and its pull-request ref, a local branch and its remote twin;
    issue 13's discovery groups them), and the short form of each of their refs."""
    names = {plain_id(name, remotes) for name in change.names}
    for ref in change.refs:
        names.add(plain_id(ref.removeprefix("refs/heads/").removeprefix("refs/remotes/"), remotes))
    return frozenset(names)


@dataclass(frozen=True)
class ChangeBinding:
    """What a change is, for deciding which records bear on it and which were given on it."""

    names: frozenset[str]
    """Its names without remote prefixes (change_names)."""
    heads: frozenset[str]
    """Its head and every commit of it: a record given at one of them was given on this change."""
    current: frozenset[str]
    """The content hashes of its current chunks."""
    remotes: frozenset[str] = frozenset()
    pending: Container[str] = frozenset()
    """The names of every pending change (change_names of each): a record given under another one of
    them at a commit of this change was given on that change (a branch stacked under this one), not
    on this one at an earlier content. Only asked whether a name is one (the analyzer of one change
    finds them all only when a record asks: `Analyzer.pending_names`)."""
    head: str = ""

    @classmethod
    def of(cls, change: Change, chunk_hashes: Iterable[str], *, remotes: Collection[str] = (),
           pending: Container[str] = frozenset()) -> ChangeBinding:
        return cls(change_names(change, remotes), frozenset({change.head, *(c.id for c in change.commits)}),
                   frozenset(chunk_hashes), frozenset(remotes), pending, change.head)

    def given_here(self, record: ApprovalRecord) -> bool:
        """Given on this change (any of its names), or at one of its commits under a name that is
        not another change's: this branch before a force-push or new commits, or under a name this
        clone does not have (the author's `pull/7` where only `feature` was fetched). An approval of
        a branch stacked below this one, or of one commit of it reviewed on its own, is another
        change's: approving the first of two stacked branches does not make the second `stale`."""
        name = plain_id(record.change_id, self.remotes)
        if name in self.names:
            return True
        if record.head not in self.heads:
            return False
        if record.head == self.head:
            return True
        return name not in self.pending and not _COMMIT_ID.fullmatch(name)

    def bears_on(self, record: ApprovalRecord) -> bool:
        """Whether the record is about this change at all: given here, or a decision on one of its
        current chunks' content (then, given elsewhere, it is shown as not counted)."""
        if record.chunk_hash is not None and record.chunk_hash in self.current:
            return True
        if record.chunk_hash is None and record.covers and self.current.intersection(record.covers):
            return True
        return self.given_here(record)

    def stored_ids(self) -> list[str]:
        """The change ids a store may hold records of this change under (with each remote's prefix)."""
        return sorted({*self.names, *(f"{remote}/{name}" for name in self.names for remote in self.remotes)})
