"""App-wide messages: what the analysis workers report back to the UI thread, and review events.

Workers run in threads; `post_message` is thread-safe, so a worker only ever talks to the UI through
these messages (never by touching widgets). Messages are named in the past tense: they say what
happened, and the receiver decides what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the queue's first paint must not import the analysis (and pygit2) for these names
    from app.analysis.report import ChangeDetail, ChangePlan, ChangeReport
    from app.core.git.discovery import Discovery


@dataclass
class AnalysisStarted(Message):
    """A (re-)analysis of the repository began; `total` is the number of pending changes found."""

    total: int
    base_ref: str
    discovery: Discovery | None = None  # what the queue hides (merged upstream, out of scope, stale)


@dataclass
class DiscoveryProgressed(Message):
    """Discovery, before any count, got this far (e.g. "1,234 of 9,081 heads read": repository-free text)."""

    said: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DiscoveryProgressed)


@dataclass
class AnalysisProgressed(Message):
    """The analysis moved on: step `done` of `total`, doing `label` (e.g. "measuring complexity")."""

    done: int
    total: int
    label: str

    def can_replace(self, message: Message) -> bool:
        # Only the newest progress matters: a backlog of progress messages is merged into one.
        return isinstance(message, AnalysisProgressed)


@dataclass
class ReportArrived(Message):
    """A change's report arrived (first with complexity pending, later complete)."""

    report: ChangeReport


@dataclass
class AnalysisFinished(Message):
    """The analysis ended: `reports` ranked riskiest first, or `error` when it failed as a whole."""

    reports: list[ChangeReport]
    seconds: float
    error: str | None = None
    cancelled: bool = False


@dataclass
class DetailLoaded(Message):
    """The full analysis of one change (its diff, risk, plan) is ready."""

    detail: ChangeDetail


@dataclass
class PlanLoaded(Message):
    """A change's cached review plan (the change screen draws it while the full detail loads)."""

    outline: ChangePlan


@dataclass
class DetailFailed(Message):
    """Loading one change's full analysis failed; `error` is a one-line message."""

    change_id: str
    error: str


@dataclass
class ReviewRecorded(Message):
    """A review decision about `change_id` was written to the ledger: statuses need refreshing."""

    change_id: str
