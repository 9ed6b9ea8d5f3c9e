"""ReviewSession: one reviewer's sitting - the ledger session, active time per chunk, decisions.

The TUI creates one per run (app factory) and ends it on exit; the chunk screen reports what is on
screen and the reviewer's activity, and records decisions through it. Active time is measured by
an ActiveTimer and written to the ledger by `flush()`, which the chunk screen calls every
`persist_seconds`, so a crash loses at most that much time.

Evidence of reading: time counts only within the idle window after a key, a mouse event, a scroll
or regained focus, and that window is at most half the chunk's floor (`show_chunk`), so a reader
who opens a chunk and walks away never meets its floor. The screen also reports which changed
lines were on screen (`require_lines` / `saw_lines`): a chunk whose lines were not all scrolled
through this session has not been read, whatever the clock says.

Rubber stamps: approving a chunk with less active time than its floor (all of this reviewer's
sessions counted, at any head where the chunk's content was the same), or before every changed
line of it was on screen, is a fast approval. The caller asks `approval_check()` first and must
pass `confirmed_fast=True` to record one; the ledger marks it `fast`. A change-level approval with
chunks the reviewer never opened is likewise a rubber stamp (the ledger counts `unopened_chunks`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from app.core.git.diff import FileDiff
from app.core.planner.model import KIND_COLLAPSED, Chunk
from app.core.text import format_duration
from app.errors import ReviewTuiError
from app.storage.ledger import ChangeStatus, Comment, CommentThread, Decision, Ledger, NewDecision, ThreadState
from app.storage.notes import sign_decision
from app.storage.records import ANOTHER_CHANGE, REASON_LABELS, Uncounted
from app.tui.timer import DEFAULT_IDLE_SECONDS, ActiveTimer, LineId, SeenLines

if TYPE_CHECKING:
    from app.analysis.report import ChangeDetail, ChangePlan, ChangeReport
    from app.analysis.signoff import ReviewerView, SignOff
    from app.core.git.models import Change

    PlannedChange = ChangeDetail | ChangePlan  # what the status figures need: the change and its plan

OWN_CHANGE_STATE: Final = "own change"
"""A chunk's state when its reviewer authored the change: their approval is recorded but never counts."""

ChunkKey = tuple[str, str, str]
"""(change id, head, chunk content hash): what the timer counts time for."""

DEFAULT_PERSIST_SECONDS = 5.0
WINDOW_SHARE_OF_FLOOR = 0.5
"""The idle window on a chunk is at most this share of its floor: one act never meets a floor."""


class FastApprovalNotConfirmed(ReviewTuiError):
    """approve() of a chunk below its floor time without confirmed_fast=True."""


@dataclass(frozen=True)
class ApprovalCheck:
    """What approving a chunk now would record."""

    fast: bool
    """Active time is strictly below the floor, or changed lines were never on screen: the
    approval would be a rubber stamp."""
    active_seconds: float
    floor_seconds: float
    unseen_lines: int = 0
    """Changed lines of the chunk never scrolled onto the screen this session."""
    missing_files: int = 0
    """Files of the chunk whose content is not in this clone (a partial clone's): nobody read them here."""

    @property
    def message(self) -> str:
        reasons = []
        if self.missing_files:
            reasons.append(f"The content of {self.missing_files} file{'s' if self.missing_files != 1 else ''} "
                           "is not in this clone, so it was not read")
        if self.active_seconds < self.floor_seconds:
            reasons.append(f"You spent {format_duration(self.active_seconds, 'clock')} of a "
                           f"{format_duration(self.floor_seconds, 'clock')} floor")
        if self.unseen_lines:
            plural = "s" if self.unseen_lines != 1 else ""
            reasons.append(f"{self.unseen_lines} changed line{plural} never came on screen")
        return "; ".join(reasons) + ": record as a rubber stamp?"


def chunk_key(detail: PlannedChange, chunk: Chunk) -> ChunkKey:
    change = detail.change
    return (change.id, change.head, chunk.content_hash)


class ReviewSession:
    """One reviewer's sitting: the ledger session, the active-time tracker, decisions."""

    def __init__(self, ledger: Ledger, *, repo_key: str | Callable[[], str], reviewer: str,
                 session_id: int | None, timer: ActiveTimer[ChunkKey],
                 persist_seconds: float = DEFAULT_PERSIST_SECONDS) -> None:
        self.signoff: SignOff | None = None
        """The repository's sign-off judge (app/analysis/signoff.py): statuses then show only what
        `check` counts. Without one (a ledger alone) statuses come from this reviewer's ledger rows."""
        self.signer: Callable[[bytes], bytes] | None = None
        """Signs each decision's record line when it is made (a signing key is configured)."""
        self.unsigned_why: str | None = None
        """Why the last decision could not be signed (shown by the screen that recorded it)."""
        self.ledger = ledger
        self._repo_key = repo_key
        self.reviewer = reviewer
        self._session_id = session_id
        self._started_at = ledger.now()
        self._starting = threading.Lock()  # the queue's analysis thread notes changes too
        self.timer = timer
        self.persist_seconds = float(persist_seconds)
        self._views: dict[ChunkKey, int] = {}
        self._to_open: dict[ChunkKey, int | None] = {}  # chunks shown whose view is not recorded yet: index
        self._seen: dict[ChunkKey, SeenLines] = {}
        self._unsaved_seen: dict[ChunkKey, set[LineId]] = {}  # newly seen lines, stored by flush()
        self._noted: set[tuple[str, str]] = set()
        self._ended = False

    @classmethod
    def start(cls, ledger: Ledger, *, repo_key: str | Callable[[], str], reviewer: str,
              idle_seconds: float = DEFAULT_IDLE_SECONDS, persist_seconds: float = DEFAULT_PERSIST_SECONDS,
              clock: Callable[[], float] = time.monotonic) -> ReviewSession:
        """Start a ledger session; `clock` drives active time (monotonic seconds, injectable).

        `repo_key` may be a callable, while the project key is still being found (a walk to the root
        commit: 0.5 s on a large history, which a first paint must not wait for). The ledger is then
        only checked now (a locked one fails here, before any screen); the session is written, with
        this moment as its start, once the key is found (the queue's first review status asks for it),
        and at the latest when it ends."""
        if callable(repo_key):
            ledger.check_writable("starting a review session")
            session_id = None
        else:
            session_id = ledger.start_session(reviewer, repo_key)
        return cls(ledger, repo_key=repo_key, reviewer=reviewer, session_id=session_id,
                   timer=ActiveTimer[ChunkKey](idle_seconds, clock), persist_seconds=persist_seconds)

    @property
    def repo_key(self) -> str:
        """The project key the session's records are filed under."""
        if callable(self._repo_key):
            _ = self.session_id  # the key found, the session is written: a row while the app runs
        return str(self._repo_key)

    @property
    def session_id(self) -> int:
        """The ledger session's id (written once the project key is known, when that came later)."""
        with self._starting:
            if self._session_id is None:
                if callable(self._repo_key):
                    self._repo_key = self._repo_key()
                self._session_id = self.ledger.start_session(self.reviewer, str(self._repo_key),
                                                             started_at=self._started_at)
        return self._session_id

    @property
    def ended(self) -> bool:
        return self._ended

    # -- what is on screen ------------------------------------------------------------------
    def show_chunk(self, detail: ChangeDetail, chunk: Chunk) -> None:
        """`chunk` is on screen now: open its ledger view and start counting for it."""
        self._check_open()
        key = chunk_key(detail, chunk)
        # Counting starts first: when the ledger is locked elsewhere the view is recorded, and its
        # time stored, by a later flush.
        self.timer.show(key, window=WINDOW_SHARE_OF_FLOOR * float(chunk.floor_seconds))
        if key not in self._views:
            self._to_open[key] = chunk.index
        self._open_views()
        self.note_change(detail)

    def _open_views(self) -> None:
        for key, index in list(self._to_open.items()):
            self._views[key] = self.ledger.open_chunk(self.session_id, self.repo_key, key[0], key[1], key[2],
                                                      index)
            del self._to_open[key]

    def require_lines(self, detail: ChangeDetail, chunk: Chunk, lines: Iterable[LineId]) -> None:
        """The changed lines a reader must have on screen before the chunk counts as read (set once
        per chunk and session; later calls keep what was seen)."""
        key = chunk_key(detail, chunk)
        if key not in self._seen:
            self._seen[key] = seen = SeenLines(lines)
            try:  # what earlier sittings had on screen still counts: a long chunk is read in several
                seen.see(self.ledger.seen_lines(self.repo_key, key[0], key[2], self.reviewer))
            except ReviewTuiError:
                pass  # the ledger is busy: this sitting's lines still count, and are stored later

    def saw_lines(self, detail: ChangeDetail, chunk: Chunk, lines: Iterable[LineId]) -> int:
        """These lines of `chunk` are on screen now; returns how many of them are newly seen (stored
        with the next flush of active time)."""
        key = chunk_key(detail, chunk)
        seen = self._seen.get(key)
        if seen is None:
            return 0
        new = seen.newly_seen(lines)
        if new:
            self._unsaved_seen.setdefault(key, set()).update(new)
        return len(new)

    def seen_lines(self, detail: ChangeDetail, chunk: Chunk) -> SeenLines | None:
        """What this session saw of `chunk` (None when the screen never said what to require)."""
        return self._seen.get(chunk_key(detail, chunk))

    def hide_chunk(self) -> None:
        """No chunk is on screen (the chunk screen left or was covered)."""
        self.timer.hide()

    def activity(self) -> None:
        """A key or mouse event happened."""
        self.timer.activity()

    def focus(self, focused: bool) -> None:
        """The terminal gained or lost focus."""
        self.timer.focus(focused)

    def flush(self) -> float:
        """Write the active time settled so far to the ledger; returns the seconds written."""
        self.timer.tick()
        written = 0.0
        unsaved = self.timer.take()
        try:
            self._open_views()
            for key, seconds in list(unsaved.items()):
                view_id = self._views.get(key)
                if view_id is not None:
                    self.ledger.add_active_time(view_id, seconds)
                    written += seconds
                del unsaved[key]
            for key, lines in list(self._unsaved_seen.items()):
                self.ledger.add_seen_lines(self.repo_key, key[0], key[2], self.reviewer, lines)
                del self._unsaved_seen[key]
        finally:
            self.timer.give_back(unsaved)  # what a failed write left (empty when all went in)
        return written

    def end(self) -> None:
        """Flush time and end the ledger session (safe to call twice)."""
        if self._ended:
            return
        self.timer.hide()
        self.flush()
        self.ledger.end_session(self.session_id)
        self._ended = True

    def _check_open(self) -> None:
        if self._ended:
            raise ReviewTuiError("the review session has ended")

    # -- figures ----------------------------------------------------------------------------
    def active_seconds(self, detail: PlannedChange, chunk: Chunk) -> float:
        """Active seconds on the chunk's content by this reviewer, all sessions, including time
        not yet flushed."""
        self.timer.tick()
        key = chunk_key(detail, chunk)
        stored = self.ledger.active_seconds(self.repo_key, key[0], key[2], self.reviewer)
        return stored + self.timer.pending(key)

    def active_seconds_by_chunk(self, detail: PlannedChange) -> dict[str, float]:
        """`active_seconds` of every chunk of the change's plan, by content hash, in one ledger read."""
        self.timer.tick()
        change = detail.change
        stored = self.ledger.active_seconds_by_chunk(self.repo_key, change.id, self.reviewer)
        return {chunk.content_hash: stored.get(chunk.content_hash, 0.0)
                + self.timer.pending((change.id, change.head, chunk.content_hash)) for chunk in detail.plan.chunks}

    def _view(self, change: Change, hashes: list[str]) -> ReviewerView | None:
        return self.signoff.reviewer_view(change, hashes, self.reviewer) if self.signoff is not None else None

    def own_change(self, change: Change) -> str | None:
        """Why this reviewer's approvals of `change` never count (they authored or committed it), or None."""
        from app.analysis.signoff import own_change_reason

        if self.signoff is None:
            return None
        try:
            return own_change_reason(self.signoff.analyzer, change, self.reviewer)
        except ReviewTuiError:
            return None  # the config cannot be read: the sign-off line says why

    def _viewed(self, change_id: str) -> set[str]:
        return {view.chunk_hash for view in self.ledger.chunk_views_for(self.repo_key, change_id, self.reviewer)}

    def chunk_statuses(self, detail: PlannedChange) -> dict[str, str]:
        """content_hash -> new | opened | stale | approved | flagged | later (this reviewer's latest decision
        that counts), or why their newer approval does not count ("elsewhere", "unsigned", ..., and "own
        change" for an author's approval, which `check` never counts)."""
        hashes = [chunk.content_hash for chunk in detail.plan.chunks]
        view = self._view(detail.change, hashes)
        if view is None:
            return dict(self.ledger.chunk_status(self.repo_key, detail.change.id, hashes, self.reviewer))
        own = self.own_change(detail.change) is not None
        latest = _latest_by_chunk(view, detail.change, hashes)
        uncounted: dict[str, Uncounted] = {}
        for item in sorted(view.uncounted, key=lambda u: u.decision.created_at):
            if item.decision.chunk_hash is not None and item.decision.decision == "approve":
                uncounted[item.decision.chunk_hash] = item
        viewed = self._viewed(detail.change.id)
        # Chunks this reviewer approved in an earlier version (a push changed them): "stale", the word
        # the queue and `check` use, not "new" - they are the chunks to read again.
        standing = view.standing
        stale = ({hashes[i - 1] for i in standing.stale_chunks if 0 < i <= len(hashes)}
                 if standing is not None and standing.state == "stale" else set())
        states: dict[str, str] = {}
        for chunk_hash in hashes:
            decision, newer = latest.get(chunk_hash), uncounted.get(chunk_hash)
            # A newer approval that does not count says why, unless one that counts still covers the chunk
            # (check counts it: a carry elsewhere made chunks approved here read "elsewhere").
            covered = decision is not None and decision.decision == "approve"
            newest = newer is not None and (decision is None or newer.decision.created_at > decision.created_at)
            if newer is not None and newest and not covered:
                states[chunk_hash] = REASON_LABELS.get(newer.reason, "not counted")
            elif decision is not None:
                state = _STATE_OF_DECISION[decision.decision]
                states[chunk_hash] = OWN_CHANGE_STATE if own and state == "approved" else state
            else:
                states[chunk_hash] = "stale" if chunk_hash in stale else "opened" if chunk_hash in viewed else "new"
        return states

    def latest_decisions(self, detail: PlannedChange) -> dict[str, Decision]:
        """content_hash -> this reviewer's newest decision on that chunk content (chunks of the plan)
        among the decisions that count."""
        current = [chunk.content_hash for chunk in detail.plan.chunks]
        view = self._view(detail.change, current)
        if view is None:
            latest = self.ledger.latest_decisions(self.repo_key, detail.change.id, self.reviewer)
        else:
            latest = _latest_by_chunk(view, detail.change, current)
        wanted = set(current)
        return {chunk_hash: decision for chunk_hash, decision in latest.items() if chunk_hash in wanted}

    def rubber_stamped_chunks(self, detail: PlannedChange) -> set[str]:
        """Content hashes of the chunks whose standing approval was a rubber stamp (fast)."""
        return {chunk_hash for chunk_hash, decision in self.latest_decisions(detail).items()
                if decision.rubber_stamp}

    def unopened_chunks(self, detail: PlannedChange) -> list[Chunk]:
        """Chunks of the plan this reviewer never had on screen (any session, any head)."""
        viewed = self._viewed(detail.change.id)
        viewed.update(key[2] for key in [*self._views, *self._to_open] if key[0] == detail.change.id)
        return [chunk for chunk in detail.plan.chunks if chunk.content_hash not in viewed]

    def unread_chunks(self, detail: ChangeDetail) -> list[tuple[Chunk, ApprovalCheck]]:
        """Chunks opened but not read whole, and not approved as read already: changed lines never on
        screen, or content not in this clone. Approving the change over them is a rubber stamp, as
        approving each of them is."""
        decided = self.latest_decisions(detail)
        unopened = {c.content_hash for c in self.unopened_chunks(detail)}
        out = []
        for chunk in detail.plan.chunks:
            standing = decided.get(chunk.content_hash)
            if chunk.content_hash in unopened or (standing is not None and standing.decision == "approve"
                                                  and not standing.rubber_stamp):
                continue
            check = self.approval_check(detail, chunk)
            if check.unseen_lines or check.missing_files:
                out.append((chunk, check))
        return out

    def change_status(self, report: ChangeReport, chunk_hashes: list[str] | None) -> str:
        """The queue's status label of a change; exact when `chunk_hashes` (the plan) is known."""
        return self.change_status_of(report, chunk_hashes).label

    def change_status_of(self, report: ChangeReport, chunk_hashes: Iterable[str] | None) -> ChangeStatus:
        """Like change_status, as a ChangeStatus: this reviewer's standing as `check` counts it.

        Without the plan (queue rows drawn before their plan is built) the chunks are estimated
        from what the ledger knows at this head: the chunks this reviewer opened or decided there,
        out of the report's chunk count. Such a status never claims "approved" unless the whole
        change was approved or every one of the counted chunks was.
        """
        change = report.change
        if chunk_hashes is not None:
            hashes = list(chunk_hashes)
            return self._status(change, hashes)
        known: dict[str, None] = {}
        for view in self.ledger.chunk_views_for(self.repo_key, change.id, self.reviewer):
            if view.head == change.head:
                known[view.chunk_hash] = None
        decisions = self.ledger.decisions_for(self.repo_key, change.id, reviewer=self.reviewer)
        for decision in decisions:
            if decision.head == change.head and decision.chunk_hash is not None:
                known[decision.chunk_hash] = None
        status = self._status(change, list(known))
        expected = report.assessment.plan.chunk_count if report.assessment else 0
        total = expected if expected > len(known) else len(known)
        change_approved = any(d.chunk_hash is None and d.head == change.head and d.decision == "approve"
                              for d in decisions)
        if status.state in ("approved", "rubber-stamped") and not change_approved and status.approved < total:
            return ChangeStatus("in progress", status.approved, total, status.stale_chunks, 0)
        if status.state == "in progress":
            return ChangeStatus("in progress", status.approved, total, status.stale_chunks, 0)
        return status

    def _status(self, change: Change, hashes: list[str]) -> ChangeStatus:
        view = self._view(change, hashes)
        if view is None:
            return self.ledger.change_status(self.repo_key, change.id, change.head, hashes, self.reviewer)
        touched = bool(set(hashes) & self._viewed(change.id)) or bool(view.decisions)
        return status_of_view(view, hashes, touched)

    # -- decisions --------------------------------------------------------------------------
    def approval_check(self, detail: ChangeDetail, chunk: Chunk) -> ApprovalCheck:
        """Would approving `chunk` now be a rubber stamp? (active time strictly below its floor, changed
        lines never on screen, or files whose content is not in this clone)"""
        active = self.active_seconds(detail, chunk)
        floor = float(chunk.floor_seconds)
        seen = self.seen_lines(detail, chunk)
        unseen = seen.unseen if seen is not None else 0
        absent = {fd.path for fd in detail.files if fd.problem}
        missing = sum(1 for path in chunk.files if path in absent)
        return ApprovalCheck(active < floor or unseen > 0 or missing > 0, active, floor, unseen, missing)

    def approve(self, detail: ChangeDetail, chunk: Chunk, *, confirmed_fast: bool = False) -> Decision:
        """Approve `chunk`. Below its floor this needs confirmed_fast=True (else
        FastApprovalNotConfirmed) and is recorded as fast (a rubber stamp). A chunk this reviewer already
        approved (not as a rubber stamp) keeps that approval: nothing new is recorded."""
        self.flush()
        standing = self.latest_decisions(detail).get(chunk.content_hash)
        if standing is not None and standing.decision == "approve" and not standing.rubber_stamp:
            # approved already, by a chunk approval or by the change approval the last one recorded: a
            # second `a` added an approval and its time again to stats
            return standing
        check = self.approval_check(detail, chunk)
        if check.fast and not confirmed_fast:
            raise FastApprovalNotConfirmed(check.message)
        # fast as the check found it: lines never on screen or content not here make a rubber stamp too, however
        # long the chunk was open (the ledger alone would judge by time and record it as a real read)
        decision = self._decide(detail, chunk, "approve", active=check.active_seconds, fast=check.fast)
        if not check.fast:
            self._conclude_change(detail)
        return decision

    def _conclude_change(self, detail: ChangeDetail) -> None:
        """With every chunk approved by this reviewer, none of it a rubber stamp, the change is approved:
        `check` judged it so, but `stats` (senior gaps, coverage, staleness, first look) reads change-level
        approvals, so a team reviewing chunk by chunk had no senior gaps and 0% coverage there. Recorded
        once per head, as `A` would (and then nothing is left for `A` to approve)."""
        decided = self.latest_decisions(detail)
        hashes = [chunk.content_hash for chunk in detail.plan.chunks]
        if not hashes or any(h not in decided or decided[h].decision != "approve" or decided[h].rubber_stamp
                             or decided[h].chunk_hash is None for h in hashes):
            return
        change = detail.change
        if any(d.chunk_hash is None and d.decision == "approve" and d.head == change.head
               for d in self.ledger.decisions_for(self.repo_key, change.id, reviewer=self.reviewer)):
            return
        self._record(self._change_approval(detail, unopened=0))

    def flag(self, detail: ChangeDetail, chunk: Chunk, note: str) -> Decision:
        """Request changes on `chunk`, saying what (the note is required)."""
        if not note.strip():
            raise ValueError("a flag needs a note saying what should change")
        self.flush()
        return self._decide(detail, chunk, "flag", note=note)

    def later(self, detail: ChangeDetail, chunk: Chunk, note: str = "") -> Decision:
        """Come back to `chunk` later."""
        self.flush()
        return self._decide(detail, chunk, "later", note=note)

    def comment(self, detail: ChangeDetail, chunk: Chunk | None, path: str, line: int | None, side: str,
                body: str, *, reply_to: str | None = None) -> Comment:
        """A comment on `path` at `line` of `side` ('new' or 'old'; line None: the whole file);
        with `reply_to`, a reply in that comment's thread."""
        if not body.strip():
            raise ValueError("a comment cannot be empty")
        self._check_open()
        change = detail.change
        return self.ledger.add_comment(session_id=self.session_id, reviewer=self.reviewer, repo=self.repo_key,
                                       change_id=change.id, head=change.head,
                                       chunk_hash=chunk.content_hash if chunk else None,
                                       path=path, line=line, side=side, body=body, reply_to=reply_to)

    def reply(self, detail: ChangeDetail, thread: CommentThread, body: str) -> Comment:
        """Reply in `thread` (at the root comment's place)."""
        root = thread.root
        chunk = next((c for c in detail.plan.chunks if c.content_hash == root.chunk_hash), None)
        return self.comment(detail, chunk, root.path, root.line, root.side, body, reply_to=root.record_id)

    def set_resolved(self, detail: ChangeDetail, thread: CommentThread, resolved: bool) -> ThreadState:
        """Resolve (or reopen) a comment thread of the change."""
        self._check_open()
        change = detail.change
        return self.ledger.set_thread_state(session_id=self.session_id, reviewer=self.reviewer, repo=self.repo_key,
                                            change_id=change.id, head=change.head, thread_id=thread.thread_id,
                                            resolved=resolved)

    def threads(self, detail: ChangeDetail) -> list[CommentThread]:
        """Every comment thread on the change (all heads, all reviewers), oldest first; `outdated` set
        on those about a chunk a push has changed since."""
        from app.storage.ledger import with_outdated

        return with_outdated(self.ledger.threads_for(self.repo_key, detail.change.id),
                             (c.content_hash for c in detail.plan.chunks), detail.change.head)

    def approve_change(self, detail: ChangeDetail) -> Decision:
        """Approve the whole change. Chunks never opened are counted (`unopened_chunks`), which
        makes the decision a rubber stamp, as chunks not read whole do (`unread_chunks`); the caller
        confirms that beforehand.
        Each chunk read to its floor with no decision of this reviewer's is approved first, as read."""
        self._check_open()
        self.flush()
        self.note_change(detail)
        change = detail.change
        standing = next((d for d in self.ledger.decisions_for(self.repo_key, change.id, reviewer=self.reviewer)
                         if d.chunk_hash is None and d.decision == "approve" and d.head == change.head
                         and not d.rubber_stamp), None)
        if standing is not None:
            # approved already at this head (every chunk approved concluded it): a second `A` counted a fourth
            # approval in stats for three chunks read (QA49), as a second `a` on a chunk did
            return standing
        # Chunks read to their floor and not decided yet are approved as read: `stats` counts the reading
        # in coverage and time/floor only through chunk reviews, so reading every chunk and then pressing A
        # looked like a rubber stamp there (coverage 0%) while check called it an honest review.
        decided = self.latest_decisions(detail)
        unread = self.unread_chunks(detail)  # before the chunks read are approved below
        for chunk in detail.plan.chunks:
            if chunk.content_hash in decided:
                continue
            check = self.approval_check(detail, chunk)
            if check.active_seconds > 0 and not check.fast:
                self._decide(detail, chunk, "approve", active=check.active_seconds)
        approval = self._change_approval(detail, unopened=len(self.unopened_chunks(detail)))
        if unread:  # lines never on screen, or content not here: a stamp however long it was open
            approval = dataclasses.replace(approval, fast=True)
        return self._record(approval)

    def _change_approval(self, detail: ChangeDetail, *, unopened: int) -> NewDecision:
        change = detail.change
        hashes = [chunk.content_hash for chunk in detail.plan.chunks]
        return NewDecision(
            session_id=self.session_id, reviewer=self.reviewer, repo=self.repo_key, change_id=change.id,
            head=change.head, chunk_hash=None, decision="approve",
            floor_seconds=float(detail.plan.total_floor_seconds),
            unopened_chunks=unopened, chunk_hashes=hashes,
            changed_lines=detail.report.figures.lines_added + detail.report.figures.lines_deleted,
            tier=detail.tiers.tier, ai_share=detail.provenance.ai_share,
            complexity_added=float(detail.assessment.complexity.added),)

    def _decide(self, detail: ChangeDetail, chunk: Chunk, decision: str, *, note: str = "",
                active: float | None = None, fast: bool | None = None) -> Decision:
        self._check_open()
        self.note_change(detail)
        change = detail.change
        return self._record(NewDecision(
            session_id=self.session_id, reviewer=self.reviewer, repo=self.repo_key, change_id=change.id,
            head=change.head, chunk_hash=chunk.content_hash, decision=decision, chunk_index=chunk.index,
            note=note, floor_seconds=float(chunk.floor_seconds), active_seconds=active,
            changed_lines=_lines_read(chunk), tier=chunk.tier, ai_share=chunk.ai_share,
            complexity_added=float(chunk.complexity_added), fast=fast))

    def _record(self, new: NewDecision) -> Decision:
        """Record a decision, signed now when a signing key is configured (README "Trust model"):
        a local `check` under require_signatures then counts it without a `sync` first."""
        decision = self.ledger.record_decision(new)
        self.unsigned_why = None
        if self.signer is not None:
            covers = tuple(dict.fromkeys(new.chunk_hashes)) if new.chunk_hash is None and new.chunk_hashes else None
            self.unsigned_why = sign_decision(self.ledger, decision, covers, self.signer)
        return decision

    def note_change(self, detail: ChangeDetail) -> None:
        """Remember the change's figures at its head (the denominators of `stats`), once per session."""
        change = detail.change
        if (change.id, change.head) in self._noted:
            return
        report = detail.report
        self.ledger.note_change(
            repo=self.repo_key, change_id=change.id, head=change.head, base=change.base, title=change.title,
            tier=detail.tiers.tier, changed_lines=report.figures.lines_added + report.figures.lines_deleted,
            ai_share=detail.provenance.ai_share,
            complexity_added=float(detail.assessment.complexity.added),
            floor_seconds=float(detail.plan.total_floor_seconds), chunk_count=len(detail.plan.chunks),
            score=_number(report.score),
        )
        self._noted.add((change.id, change.head))


    # -- files marked viewed --------------------------------------------------------------------
    def viewed_paths(self, detail: ChangeDetail) -> set[str]:
        """The change's files this reviewer marked viewed whose content has not changed since."""
        marks = self.ledger.viewed_files(self.repo_key, detail.change.id, self.reviewer)
        # Only marked files are hashed: a 1,452-file change hashed all of them on every chunk opened.
        return {fd.path for fd in detail.files if fd.path in marks and marks[fd.path] == file_content_key(fd)}

    def set_viewed(self, detail: ChangeDetail, fd: FileDiff, viewed: bool) -> None:
        """Mark a file viewed as it is now, or take the mark away."""
        self._check_open()
        if viewed:
            self.ledger.mark_viewed(self.repo_key, detail.change.id, self.reviewer, fd.path, file_content_key(fd))
        else:
            self.ledger.unmark_viewed(self.repo_key, detail.change.id, self.reviewer, fd.path)


def file_content_key(fd: FileDiff) -> str:
    """What a "viewed" mark is given for: the file's change (paths, blob ids, and the diff's lines,
    which also covers uncommitted files whose new side has no blob yet). Any new push that touches
    the file changes it, and the mark lapses, as GitHub's does."""
    digest = hashlib.sha1(usedforsecurity=False)
    for part in (fd.status, fd.old_path or "", fd.new_path or "", fd.old_blob or "", fd.new_blob or ""):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    if not (fd.old_blob and fd.new_blob) or fd.status not in ("modified", "renamed", "copied"):
        for hunk in fd.hunks:
            for line in hunk.lines:
                digest.update(line.origin.encode() + line.text.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


_STATE_OF_DECISION = {"approve": "approved", "flag": "flagged", "later": "later"}


def _latest_by_chunk(view: ReviewerView, change: Change, hashes: list[str]) -> dict[str, Decision]:
    """The newest decision per chunk hash (decisions oldest first). A change-level decision decides
    on the chunks it covered, as `check` counts it (app/core/policy/rules.py `_targets`): an approved
    change shows its chunks approved, not "new"."""
    latest: dict[str, Decision] = {}
    for decision in view.decisions:
        if decision.chunk_hash is not None:
            latest[decision.chunk_hash] = decision
            continue
        covered = view.covers.get(decision.record_id)
        if covered is None:
            covered = tuple(hashes) if decision.head == change.head else ()
        for chunk_hash in covered:
            latest[chunk_hash] = decision
    return latest


def status_of_view(view: ReviewerView, hashes: list[str], touched: bool) -> ChangeStatus:
    """A reviewer's queue status from their standing under the policy (counted records only): the
    TUI never says "approved" for what `check` would not count, and says why.

    In order: approved / rubber-stamped (every current chunk approved by counted records), own
    change (an author's approval never counts), flagged, not counted (an approval of this content
    that does not count: given on another change, unsigned, unknown signer), stale, in progress, new.
    """
    total = len(hashes)
    standing = view.standing
    state = standing.state if standing is not None else "none"
    approved = standing.approved_chunks if standing is not None else 0
    if state == "approved":
        return ChangeStatus("approved", total, total, 0, 0)
    if state == "rubber stamp":
        return ChangeStatus("rubber-stamped", total, total, 0, 1)
    if state == "author":
        return ChangeStatus(OWN_CHANGE_STATE, approved, total, 0, 0)
    if state == "flagged":
        return ChangeStatus("flagged", approved, total, 0, 0)
    current = set(hashes)
    refused = sorted((u for u in view.uncounted if u.decision.decision == "approve" and (
        u.reason != ANOTHER_CHANGE or u.decision.chunk_hash in current or u.decision.chunk_hash is None)),
        key=lambda u: u.decision.created_at)
    if refused:
        return ChangeStatus("not counted", approved, total, 0, 0, REASON_LABELS.get(refused[-1].reason, ""))
    if state == "stale":
        stale = len(standing.stale_chunks) if standing is not None else 0
        return ChangeStatus("stale", approved, total, stale, 0)
    if touched or state == "partial":
        return ChangeStatus("in progress", approved, total, 0, 0)
    return ChangeStatus("new", 0, total, 0, 0)


def _lines_read(chunk: Chunk) -> int:
    """The changed lines a decision on `chunk` stands for in the ledger. A collapsed chunk (generated, lock or
    data files) is skimmed by design, its lines folded: as for an image, its approval has no lines and so no
    review rate (one honest 35 s skim of a 5,092-line lock file read as 530,000 lines an hour, QA45 #15)."""
    return 0 if chunk.kind == KIND_COLLAPSED else chunk.changed_lines
