"""ReviewSession against a real ledger file and a real change of the payments sample: active time
persisted by flush, fast approvals (rubber stamps) at the floor boundary, flags, later, comments,
change-level approval with unopened chunks, and the statuses the queue and plan show."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.analysis.report import ChangeDetail
from app.core.planner.model import KIND_COLLAPSED
from app.core.text import format_duration
from app.report.stats import StatsQuery, compute_stats
from app.storage.ledger import Ledger
from app.tui.review_session import FastApprovalNotConfirmed, ReviewSession

REVIEWER = "reviewer@example.com"


class ManualClock:
    """A monotonic clock the test advances by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def receipt(payments_repo: Path) -> tuple[str, ChangeDetail]:
    """feature/receipt-pdf: a code chunk (floor 771 s) and two binary chunks (30 s, 15 s)."""
    analyzer = Analyzer(payments_repo)
    detail = analyzer.detail("feature/receipt-pdf")
    assert [c.kind for c in detail.plan.chunks] == ["code", "binary", "binary"]
    return analyzer.repo_key, detail


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    with Ledger.open(tmp_path / "ledger.db") as opened:
        yield opened


def _start(ledger: Ledger, repo_key: str, clock: ManualClock, **kwargs) -> ReviewSession:
    return ReviewSession.start(ledger, repo_key=repo_key, reviewer=REVIEWER, clock=clock, **kwargs)


def _read(session: ReviewSession, clock: ManualClock, seconds: float, step: float = 5.0) -> None:
    """Read for `seconds`, pressing a key every `step` seconds (inside every chunk's idle window)."""
    while seconds > 0:
        advance = min(step, seconds)
        clock.now += advance
        seconds -= advance
        session.activity()


def test_flush_persists_time_and_a_crash_loses_only_the_unflushed_part(tmp_path: Path, ledger: Ledger,
                                                                        receipt) -> None:
    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    chunk = detail.plan.chunks[0]
    session.show_chunk(detail, chunk)
    _read(session, clock, 12)
    assert session.flush() == 12.0
    _read(session, clock, 3)  # not flushed: what a crash now would lose
    other_process = Ledger.open(tmp_path / "ledger.db")
    try:
        assert other_process.active_seconds(repo_key, detail.change.id, chunk.content_hash, REVIEWER) == 12.0
    finally:
        other_process.close()
    assert session.active_seconds(detail, chunk) == 15.0  # the live figure includes the pending part
    # the change screen's spent column: every chunk's time in one read, the same figures
    by_chunk = session.active_seconds_by_chunk(detail)
    assert by_chunk == {c.content_hash: session.active_seconds(detail, c) for c in detail.plan.chunks}
    assert by_chunk[chunk.content_hash] == 15.0 and sum(by_chunk.values()) == 15.0
    session.end()
    assert ledger.active_seconds(repo_key, detail.change.id, chunk.content_hash, REVIEWER) == 15.0


def test_time_stops_when_hidden_blurred_or_idle(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock, idle_seconds=20)
    chunk = detail.plan.chunks[0]
    session.show_chunk(detail, chunk)
    clock.now += 5
    session.focus(False)
    clock.now += 100
    session.focus(True)
    clock.now += 300  # idle: only 20 s count after regaining focus
    session.hide_chunk()
    clock.now += 50
    session.activity()
    clock.now += 10
    assert session.active_seconds(detail, chunk) == 25.0


def test_approval_exactly_at_the_floor_is_not_fast(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    chunk = detail.plan.chunks[2]
    assert chunk.floor_seconds == 15
    session.show_chunk(detail, chunk)
    _read(session, clock, 15, step=5)  # a key every 5 s: inside the 7.5 s window of a 15 s floor
    check = session.approval_check(detail, chunk)
    assert (check.fast, check.active_seconds, check.floor_seconds) == (False, 15.0, 15.0)
    decision = session.approve(detail, chunk)
    assert not decision.fast and not decision.rubber_stamp
    assert decision.active_seconds_at_decision == 15.0 and decision.floor_seconds == 15.0


def test_approval_below_the_floor_needs_confirming_and_is_a_rubber_stamp(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    chunk = detail.plan.chunks[0]
    session.show_chunk(detail, chunk)
    _read(session, clock, 12.5)
    check = session.approval_check(detail, chunk)
    assert check.fast
    assert check.message == "You spent 0m12s of a 12m51s floor: record as a rubber stamp?"
    with pytest.raises(FastApprovalNotConfirmed):
        session.approve(detail, chunk)
    assert ledger.decisions_for(repo_key, detail.change.id) == []  # nothing recorded unconfirmed
    decision = session.approve(detail, chunk, confirmed_fast=True)
    assert decision.fast and decision.rubber_stamp
    assert decision.active_seconds_at_decision == 12.5
    # the decision carries the chunk's figures for stats
    assert (decision.chunk_hash, decision.chunk_index, decision.floor_seconds, decision.changed_lines,
            decision.tier, decision.ai_share, decision.complexity_added) == (
        chunk.content_hash, chunk.index, 771.0, chunk.changed_lines, chunk.tier, chunk.ai_share,
        float(chunk.complexity_added))
    assert decision.session_id == session.session_id and decision.reviewer == REVIEWER


def test_time_from_earlier_sessions_counts_towards_the_floor(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    chunk = detail.plan.chunks[1]  # floor 30 s
    clock = ManualClock()
    first = _start(ledger, repo_key, clock)
    first.show_chunk(detail, chunk)
    _read(first, clock, 20)
    first.end()
    second = _start(ledger, repo_key, clock)
    second.show_chunk(detail, chunk)
    _read(second, clock, 9)
    assert second.approval_check(detail, chunk).fast  # 29 s of 30
    _read(second, clock, 1)
    assert not second.approve(detail, chunk).fast


def test_flag_later_and_comment_are_recorded(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    code, logo, font = detail.plan.chunks
    session.show_chunk(detail, code)
    with pytest.raises(ValueError):
        session.flag(detail, code, "   ")  # a flag must say what to change
    flagged = session.flag(detail, code, "render_receipt ignores the currency")
    later = session.later(detail, logo)
    comment = session.comment(detail, code, "payments/receipts/render.py", 26, "new", "why 42?")
    old_side = session.comment(detail, code, "payments/receipts/render.py", 3, "old", "kept?")
    assert (flagged.decision, flagged.note, flagged.fast) == (
        "flag", "render_receipt ignores the currency", False)
    assert later.decision == "later" and later.chunk_hash == logo.content_hash
    stored = ledger.comments_for(repo_key, detail.change.id)
    assert [(c.path, c.line, c.side, c.body, c.chunk_hash) for c in stored] == [
        ("payments/receipts/render.py", 26, "new", "why 42?", code.content_hash),
        ("payments/receipts/render.py", 3, "old", "kept?", code.content_hash),
    ]
    assert comment.head == old_side.head == detail.change.head
    assert session.chunk_statuses(detail) == {code.content_hash: "flagged", logo.content_hash: "later",
                                              font.content_hash: "new"}
    assert session.change_status(detail.report, [c.content_hash for c in detail.plan.chunks]) == "flagged"


def test_change_statuses_with_and_without_the_plan(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    hashes = [c.content_hash for c in detail.plan.chunks]
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    code, logo, font = detail.plan.chunks
    assert session.change_status(detail.report, hashes) == "new"
    assert session.change_status(detail.report, None) == "new"
    session.show_chunk(detail, logo)
    assert session.chunk_statuses(detail)[logo.content_hash] == "opened"
    _read(session, clock, 30)
    session.approve(detail, logo)
    assert session.change_status(detail.report, hashes) == "in progress 1 of 3"
    # before the plan is known, the report's chunk count is the denominator
    assert session.change_status(detail.report, None) == "in progress 1 of 3"
    for chunk in (font, code):
        session.show_chunk(detail, chunk)
        _read(session, clock, chunk.floor_seconds)
        session.approve(detail, chunk)
    assert session.change_status(detail.report, hashes) == "approved"
    assert session.change_status(detail.report, None) == "approved"


def test_approving_a_change_with_unopened_chunks_is_a_rubber_stamp(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    session.show_chunk(detail, detail.plan.chunks[0])
    _read(session, clock, 60)
    assert [c.index for c in session.unopened_chunks(detail)] == [2, 3]
    decision = session.approve_change(detail)
    assert decision.chunk_hash is None and decision.unopened_chunks == 2 and decision.rubber_stamp
    assert decision.floor_seconds == detail.plan.total_floor_seconds
    hashes = [c.content_hash for c in detail.plan.chunks]
    assert session.change_status(detail.report, hashes) == "rubber-stamped"
    # the change's figures were noted for stats
    seen = ledger.change_seen(repo_key, detail.change.id, detail.change.head)
    assert seen is not None
    assert (seen.chunk_count, seen.floor_seconds, seen.tier, seen.changed_lines, seen.score) == (
        3, float(detail.plan.total_floor_seconds), detail.tiers.tier,
        detail.report.figures.lines_added + detail.report.figures.lines_deleted, detail.report.score)


def test_approving_a_change_read_in_full_is_not_a_rubber_stamp(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    for chunk in detail.plan.chunks:
        session.show_chunk(detail, chunk)
        _read(session, clock, chunk.floor_seconds)
    assert session.unopened_chunks(detail) == []
    decision = session.approve_change(detail)
    assert decision.unopened_chunks == 0 and not decision.fast and not decision.rubber_stamp
    assert decision.active_seconds_at_decision == detail.plan.total_floor_seconds


def test_end_flushes_and_closes_the_ledger_session(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    chunk = detail.plan.chunks[0]
    session.show_chunk(detail, chunk)
    _read(session, clock, 7)
    session.end()
    session.end()  # twice is harmless
    stored = ledger.session(session.session_id)
    assert stored is not None and stored.ended_at is not None and stored.reviewer == REVIEWER
    assert ledger.active_seconds(repo_key, detail.change.id, chunk.content_hash) == 7.0
    with pytest.raises(Exception, match="ended"):
        session.show_chunk(detail, chunk)


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0m00s"), (12.9, "0m12s"), (240, "4m00s"),
                                                (3_723, "1h02m03s")])
def test_format_duration(seconds: float, shown: str) -> None:
    assert format_duration(seconds, "clock") == shown


def test_replies_and_resolution_through_the_session(ledger: Ledger, receipt) -> None:
    repo_key, detail = receipt
    session = _start(ledger, repo_key, ManualClock())
    chunk = detail.plan.chunks[0]
    root = session.comment(detail, chunk, chunk.files[0], 3, "new", "Is this rounding right?")
    [thread] = session.threads(detail)
    reply = session.reply(detail, thread, "Yes, banker's rounding.")
    assert (reply.reply_to, reply.path, reply.line, reply.chunk_hash) == (root.record_id, root.path, 3,
                                                                         chunk.content_hash)
    session.set_resolved(detail, thread, True)
    [thread] = session.threads(detail)
    assert thread.resolved and [c.body for c in thread.replies] == ["Yes, banker's rounding."]
    session.set_resolved(detail, thread, False)
    assert not session.threads(detail)[0].resolved


@pytest.mark.parametrize("stamp_one", [False, True])
def test_approving_every_chunk_honestly_approves_the_change(ledger: Ledger, receipt, stamp_one: bool,
                                                            payments_repo: Path) -> None:
    """check judges a change whose every chunk a reviewer approved as approved by them, but stats reads
    change-level approvals (senior gaps, coverage, staleness): a team reviewing chunk by chunk had no
    senior gaps and 0% coverage there. The last honest chunk approval now records the change's, once;
    a rubber-stamped chunk leaves it to `A` (which says so)."""
    from app.analysis.signoff import SignOff

    repo_key, detail = receipt
    clock = ManualClock()
    session = _start(ledger, repo_key, clock)
    session.signoff = SignOff(Analyzer(payments_repo), ledger)  # as the TUI has it: records read as check reads them
    for number, chunk in enumerate(detail.plan.chunks):
        session.show_chunk(detail, chunk)
        stamped = stamp_one and number == 1
        _read(session, clock, 1 if stamped else chunk.floor_seconds + 1)
        session.approve(detail, chunk, confirmed_fast=stamped)
    change_level = [d for d in ledger.decisions_for(repo_key, detail.change.id) if d.chunk_hash is None]
    # stats counts the chunk approvals, the change's sign-off said apart: counted beside them, one honest review read
    # as n + 1 approvals and its stamp share (n/(n+1) in the headline) disagreed with the AI band table's (QA55 F14)
    chunks = len(detail.plan.chunks)
    report = compute_stats(ledger, StatsQuery(repo=repo_key))
    overall, [band] = report.overall, [f for f in report.ai_bands if f.approvals]
    assert (overall.approvals, overall.concluding_approvals) == (chunks, 0 if stamp_one else 1)
    assert overall.stamp_share == band.stamp_share == (1 / chunks if stamp_one else 0)
    if stamp_one:
        assert change_level == []
        return
    [approval] = change_level
    assert approval.decision == "approve" and not approval.rubber_stamp and approval.head == detail.change.head
    before = ledger.decisions_for(repo_key, detail.change.id)
    again = session.approve(detail, detail.plan.chunks[0])  # `a` again on an approved chunk: nothing new
    assert ledger.decisions_for(repo_key, detail.change.id) == before and again.decision == "approve"
    # nor on the last chunk, whose approval recorded the change's (QA42 #4: it recorded a third approval)
    last = session.approve(detail, detail.plan.chunks[-1])
    assert ledger.decisions_for(repo_key, detail.change.id) == before and last.decision == "approve"
    # nor `A` once the chunks concluded it (QA49: stats then counted 4 approvals for 3 chunks read)
    whole = session.approve_change(detail)
    assert ledger.decisions_for(repo_key, detail.change.id) == before and whole == approval


def test_a_skimmed_collapsed_chunk_is_approved_without_a_review_rate(payments_repo: Path, ledger: Ledger) -> None:
    """One honest 35 s skim of a 5,092-line generated file (folded by design) went into stats as 530,000 changed
    lines an hour: a fast approval in the 5,000+ bin and thousands of "lines reviewed". Like an image, it keeps its
    time and floor and counts in "no rate"."""
    analyzer = Analyzer(payments_repo)
    detail = analyzer.detail("ai/generated-sdk-client")
    chunk = next(c for c in detail.plan.chunks if c.kind == KIND_COLLAPSED and c.changed_lines > 5000)
    clock = ManualClock()
    session = _start(ledger, analyzer.repo_key, clock)
    session.show_chunk(detail, chunk)
    _read(session, clock, float(chunk.floor_seconds) + 5)
    decision = session.approve(detail, chunk)
    assert not decision.rubber_stamp and decision.changed_lines == 0
    session.end()
    report = compute_stats(ledger, StatsQuery(repo=analyzer.repo_key))
    overall = report.overall
    assert (overall.approvals, overall.timed_chunks, report.rateless_approvals) == (1, 0, 1)
    assert overall.active_seconds == pytest.approx(chunk.floor_seconds + 5)
    assert not any(count for _, _, count in report.histogram)  # no bin, least of all 5,000+ lines an hour
