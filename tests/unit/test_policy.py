"""Sign-off policy evaluation: who counts, what goes stale, what a rubber stamp is, and the messages."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.config import parse_repo_config
from app.core.policy.rules import ApprovalRecord, PolicyConfig, evaluate

ALICE, BOB, CAROL, SENIOR = "alice@x.org", "bob@x.org", "carol@x.org", "sam@x.org"
CONFIG = PolicyConfig(seniors=(SENIOR,))
HASHES = ["h1", "h2", "h3"]
TITLES = ["payments/retry.py: backoff", "payments/api.py: charge", "tests/test_retry.py"]
_ids = itertools.count(1)


def rec(reviewer: str, decision: str = "approve", chunk: str | None = None, *, head: str = "head2",
        at: float | None = None, fast: bool = False, opened: bool = True, unopened: int = 0,
        covers: tuple[str, ...] | None = None) -> ApprovalRecord:
    n = next(_ids)
    return ApprovalRecord(reviewer, decision, chunk, head, fast=fast, unopened_chunks=unopened, opened=opened,
                          created_at=float(at if at is not None else n), record_id=f"r{n:05d}", covers=covers,
                          active_seconds=12, floor_seconds=240)


def approve_all(reviewer: str, hashes=HASHES, **kw) -> list[ApprovalRecord]:
    return [rec(reviewer, "approve", h, **kw) for h in hashes]


def run(decisions, *, tier=2, ai_share=0.0, authors=(ALICE,), hashes=HASHES, config=CONFIG, head="head2"):
    return evaluate(config, tier=tier, ai_share=ai_share, authors=list(authors), chunk_hashes=hashes,
                    chunk_titles=TITLES[: len(hashes)], decisions=decisions, head=head)


def test_one_approval_meets_the_default_policy_and_none_does_not():
    empty = run([])
    assert not empty.ok and empty.missing[0].startswith("needs 1 more approval")
    result = run(approve_all(BOB))
    assert result.ok and result.approvals == [BOB] and result.missing == []


def test_approving_only_some_chunks_is_not_an_approval_and_says_how_far_it_got():
    result = run(approve_all(BOB, HASHES[:2]))
    assert not result.ok
    assert f"{BOB} approved 2 of 3 chunks" in result.missing
    # a stamp among them is said now, not only once every chunk is decided (QA40 12c)
    stamped = run([rec(BOB, chunk="h1"), rec(BOB, chunk="h2", fast=True)])
    assert f"{BOB} approved 2 of 3 chunks (1 rubber stamp, which will not count)" in stamped.missing


def test_ai_share_above_30_percent_needs_a_senior():
    assert run(approve_all(BOB), ai_share=0.30).ok  # the threshold is "above"
    result = run(approve_all(BOB), ai_share=0.31)
    assert not result.ok
    assert result.missing[0].startswith("needs 1 more senior approval")
    assert run(approve_all(SENIOR), ai_share=0.9).ok


def test_a_senior_gap_with_no_seniors_configured_says_so():
    """QA47 #14: out of the box no AI-assisted change could pass check (the rule wants a senior, nobody is one),
    and nothing said why."""
    from app.core.policy.rules import NO_SENIORS

    unconfigured = PolicyConfig()
    result = run(approve_all(BOB), ai_share=0.9, config=unconfigured)
    assert not result.ok and result.missing[-1] == NO_SENIORS and "[policy] seniors" in NO_SENIORS
    assert NO_SENIORS not in run(approve_all(BOB), ai_share=0.9).missing  # seniors configured: the gap alone
    assert NO_SENIORS not in run([], config=unconfigured).missing  # no senior needed: nothing to say


def test_tier0_needs_two_approvals_one_of_them_senior():
    assert run([], tier=0).missing[0].startswith("needs 2 more approvals, 1 of them senior")
    two_juniors = run(approve_all(BOB) + approve_all(CAROL), tier=0)
    assert not two_juniors.ok and two_juniors.missing[0].startswith("needs 1 more senior approval")
    one_senior = run(approve_all(SENIOR), tier=0)
    assert not one_senior.ok and one_senior.missing[0].startswith("needs 1 more approval")
    assert run(approve_all(SENIOR) + approve_all(BOB), tier=0).ok


def test_an_author_cannot_approve_their_own_change_in_any_casing():
    result = run(approve_all("Alice@X.org"))
    assert not result.ok
    assert "author Alice@X.org cannot approve their own change" in result.missing
    assert result.self_approvals == ["Alice@X.org"]
    allowed = PolicyConfig(seniors=(SENIOR,), allow_self_approval=True)
    assert run(approve_all(ALICE), config=allowed).ok


def test_fast_approvals_are_rubber_stamps_unless_the_config_counts_them():
    decisions = approve_all(BOB, fast=True) + approve_all(CAROL, fast=True)
    result = run(decisions)
    assert not result.ok
    assert any(m.startswith("2 approvals were rubber stamps and do not count") for m in result.missing)
    assert "approved after 12s of a 4m00s floor" in " ".join(result.missing)
    assert result.rubber_stamps == [BOB, CAROL]
    assert run(decisions, config=PolicyConfig(count_fast_approvals=True)).ok


def test_unopened_chunks_make_a_change_approval_a_rubber_stamp_when_opening_is_required():
    change_approval = [rec(BOB, "approve", None, covers=tuple(HASHES), unopened=2)]
    result = run(change_approval)
    assert not result.ok and "2 chunks never opened" in result.missing[1]
    assert run(change_approval, config=PolicyConfig(require_all_chunks_opened=False)).ok
    unopened_chunk = approve_all(BOB, HASHES[:2]) + [rec(BOB, "approve", HASHES[2], opened=False)]
    assert not run(unopened_chunk).ok


def test_unknown_reviewers_count_but_never_as_senior():
    result = run(approve_all("stranger@elsewhere.com"), ai_share=0.5)
    assert not result.ok and result.approvals == ["stranger@elsewhere.com"] and result.senior_approvals == []


def test_a_later_flag_revokes_an_approval_and_blocks_until_approved_again():
    decisions = approve_all(BOB) + [rec(BOB, "flag", "h2")]
    result = run(decisions)
    assert not result.ok
    assert f"#2 {TITLES[1]} is flagged by {BOB}" in result.missing
    assert run(decisions + [rec(BOB, "approve", "h2")]).ok


def test_a_flag_by_someone_else_blocks_unless_flags_do_not_block():
    decisions = approve_all(BOB) + [rec(CAROL, "flag", "h1")]
    assert not run(decisions).ok
    assert run(decisions, config=PolicyConfig(flags_block=False)).ok


def test_chunk_approvals_carry_over_by_hash_and_a_changed_chunk_is_named_stale():
    old = approve_all(BOB, ["h1", "old2", "h3"], head="head1")
    result = run(old, hashes=["h1", "new2", "h3"])
    assert not result.ok
    assert [c.index for c in result.stale_chunks] == [2]
    assert f"1 chunk changed or new since an approval: #2 {TITLES[1]}" in result.missing
    standing = result.reviewers[0]
    assert standing.state == "stale" and standing.approved_chunks == 2 and standing.stale_chunks == [2]
    assert run(old + [rec(BOB, "approve", "new2")], hashes=["h1", "new2", "h3"]).ok


def test_check_names_five_stale_chunks_and_counts_the_rest():
    """QA46 #19: a change rebased onto another base had every chunk stale, and check printed one line of
    83 chunk titles (4,000 characters). The JSON keeps them all."""
    hashes = [f"n{i}" for i in range(8)]
    old = approve_all(BOB, [f"o{i}" for i in range(8)], head="head1")
    result = evaluate(CONFIG, tier=2, ai_share=0.0, authors=[ALICE], chunk_hashes=hashes,
                      chunk_titles=[f"mod{i}.py" for i in range(8)], decisions=old, head="head2")
    assert [c.index for c in result.stale_chunks] == list(range(1, 9))
    [line] = [m for m in result.missing if "changed or new since" in m]
    assert line == ("8 chunks changed or new since an approval: #1 mod0.py, #2 mod1.py, #3 mod2.py, #4 mod3.py, "
                    "#5 mod4.py and 3 more")


def test_change_level_approval_binds_to_the_hashes_it_covered():
    covering = [rec(BOB, "approve", None, head="head1", covers=("h1", "h2", "h3"))]
    assert run(covering).ok  # same content at a new head: still approved
    moved = run(covering, hashes=["h1", "h2", "h4"])
    assert not moved.ok and [c.content_hash for c in moved.stale_chunks] == ["h4"]


def test_change_level_approval_without_coverage_binds_to_its_head():
    unknown = [rec(BOB, "approve", None, head="head1")]
    assert run(unknown, head="head1").ok
    at_other_head = run(unknown, head="head2")
    assert not at_other_head.ok and len(at_other_head.stale_chunks) == 3


def test_an_empty_change_has_nothing_to_review_and_needs_no_approval():
    nothing = run([], hashes=[])
    assert nothing.ok and nothing.summary == "policy met: nothing to review: the change changes no file"
    assert (nothing.required.approvals, nothing.required.senior_approvals) == (0, 0)
    # a change-level approval given anyway is still shown as one
    assert run([rec(BOB, "approve", None, covers=())], hashes=[]).approvals == [BOB]


def test_policy_config_reads_flags_block_and_rejects_bad_types():
    config = parse_repo_config(b"[policy]\nseniors = ['sam@x.org']\nflags_block = false\n", "t.toml").policy
    assert config.flags_block is False and config.is_senior("SAM@x.org")
    from app.errors import ConfigError

    with pytest.raises(ConfigError, match=r"t\.toml: policy\.flags_block"):
        parse_repo_config(b"[policy]\nflags_block = 'no'\n", "t.toml")


# -- invariants ------------------------------------------------------------------------------------

REVIEWERS = [ALICE, BOB, CAROL, SENIOR]
records = st.builds(
    lambda who, kind, chunk, at, fast, opened, unopened, covers: ApprovalRecord(
        who, kind, chunk, "head2", fast=fast, opened=opened, unopened_chunks=unopened if chunk is None else 0,
        created_at=float(at), record_id=f"{at}-{who}-{kind}-{chunk}",
        covers=covers if chunk is None else None),
    st.sampled_from(REVIEWERS), st.sampled_from(["approve", "approve", "flag", "later"]),
    st.sampled_from([*HASHES, "gone", None]), st.integers(0, 50), st.booleans(), st.booleans(),
    st.integers(0, 2), st.one_of(st.none(), st.just(tuple(HASHES)), st.just(("h1", "gone"))),
)
configs = st.builds(PolicyConfig, seniors=st.just((SENIOR,)), count_fast_approvals=st.booleans(),
                    require_all_chunks_opened=st.booleans(), allow_self_approval=st.booleans(),
                    flags_block=st.booleans())


@given(st.lists(records, max_size=12, unique_by=lambda r: r.record_id), configs, st.integers(0, 3),
       st.floats(0, 1), st.sampled_from(REVIEWERS), st.booleans())
def test_adding_an_honest_approval_never_turns_ok_into_not_ok(decisions, config, tier, ai, who, whole):
    before = run(decisions, tier=tier, ai_share=ai, config=config)
    late = 1000.0
    if whole:
        extra = [ApprovalRecord(who, "approve", None, "head2", created_at=late, record_id="zz",
                                covers=tuple(HASHES))]
    else:
        extra = [ApprovalRecord(who, "approve", h, "head2", created_at=late + i, record_id=f"zz{i}")
                 for i, h in enumerate(HASHES)]
    after = run(decisions + extra, tier=tier, ai_share=ai, config=config)
    if before.ok:
        assert after.ok
    assert len(after.approvals) >= len(before.approvals)


@given(st.lists(records, max_size=12, unique_by=lambda r: r.record_id), configs, st.randoms())
def test_the_order_decisions_arrive_in_does_not_matter(decisions, config, rnd):
    shuffled = list(decisions)
    rnd.shuffle(shuffled)
    a, b = run(decisions, config=config), run(shuffled, config=config)
    assert a.to_dict() == b.to_dict()


@given(st.lists(records, max_size=12, unique_by=lambda r: r.record_id), configs)
def test_ok_exactly_when_the_counted_approvals_meet_the_requirement(decisions, config):
    result = run(decisions, config=config, tier=0, ai_share=0.5)
    meets = (len(result.approvals) >= result.required.approvals
             and len(result.senior_approvals) >= result.required.senior_approvals
             and not (config.flags_block and result.flagged))
    assert result.ok == meets
    assert (result.missing == []) == result.ok
    authors = {ALICE} if not config.allow_self_approval else set()
    assert not authors & {a.lower() for a in result.approvals}


def test_an_authors_approval_of_earlier_content_is_still_the_authors_own_not_stale():
    # ALICE, the author, approved every chunk; a push changed h3 (now h3b): she is told her approval
    # never counts, not that re-reading the changed chunk would make it count
    result = run(approve_all(ALICE), hashes=["h1", "h2", "h3b"])
    [alice] = result.reviewers
    assert alice.state == "author" and result.self_approvals == [ALICE]
    assert f"author {ALICE} cannot approve their own change" in result.missing
    assert result.stale_chunks == []  # nothing of hers to re-read: it cannot count anyway
    assert run(approve_all(ALICE, HASHES[:2])).reviewers[0].state == "author"  # partial: the same


def test_a_flag_on_content_a_push_replaced_stands_until_its_reviewer_looks_again() -> None:
    """A one-line push to a flagged chunk made the flag vanish from check: two others could approve
    without seeing it. It now blocks (flags_block) until the flagger decides on the new content."""
    config = PolicyConfig()
    flag = ApprovalRecord("bob@x", "flag", "old-hash", "h1", created_at=10.0, record_id="f",
                          note="budget starves refunds")
    result = evaluate(config, tier=2, ai_share=0.0, authors=["alice@x"], chunk_hashes=["new-hash"],
                      decisions=[flag, ApprovalRecord("carol@x", "approve", "new-hash", "h2", created_at=20.0,
                                                      record_id="a")], head="h2")
    assert not result.ok and result.earlier_flags == [("bob@x", "budget starves refunds")]
    assert any("bob@x flagged earlier content: budget starves refunds" in m for m in result.missing)
    assert next(s for s in result.reviewers if s.reviewer == "bob@x").state == "flagged"
    looked_again = ApprovalRecord("bob@x", "approve", "new-hash", "h2", created_at=30.0, record_id="b")
    result = evaluate(config, tier=2, ai_share=0.0, authors=["alice@x"], chunk_hashes=["new-hash"],
                      decisions=[flag, looked_again], head="h2")
    assert result.ok and result.earlier_flags == []


def test_an_earlier_flag_stands_until_its_reviewer_has_decided_on_every_current_chunk() -> None:
    """QA42 #1: after a push replaced a flagged chunk, the flagger approving one untouched chunk (a font
    file) cleared the flag and the gate passed, though the flagged code, now in a new chunk, was never seen."""
    config = PolicyConfig()
    earlier = [ApprovalRecord("bob@x", "flag", "code-v1", "h1", created_at=10.0, record_id="f", note="rounding"),
               ApprovalRecord("bob@x", "approve", "docs", "h1", created_at=5.0, record_id="d")]
    others = [ApprovalRecord("carol@x", "approve", h, "h2", created_at=20.0, record_id=f"c{h}")
              for h in ("code-v2", "docs", "font")]

    def judge(*bob: ApprovalRecord):
        return evaluate(config, tier=2, ai_share=0.0, authors=["alice@x"], chunk_hashes=["code-v2", "docs", "font"],
                        decisions=[*earlier, *others, *bob], head="h2")

    font_only = judge(ApprovalRecord("bob@x", "approve", "font", "h2", created_at=30.0, record_id="b1"))
    assert not font_only.ok and font_only.earlier_flags == [("bob@x", "rounding")]
    # the new code chunk decided too (docs unchanged since bob approved it before the flag): answered
    all_seen = judge(ApprovalRecord("bob@x", "approve", "font", "h2", created_at=30.0, record_id="b1"),
                     ApprovalRecord("bob@x", "approve", "code-v2", "h2", created_at=31.0, record_id="b2"))
    assert all_seen.ok and all_seen.earlier_flags == []
    # or the change approved as a whole on its current content
    whole = judge(ApprovalRecord("bob@x", "approve", None, "h2", created_at=30.0, record_id="b3",
                                 covers=("code-v2", "docs", "font")))
    assert whole.earlier_flags == []


def test_a_stamp_given_after_the_floor_time_says_the_reading_was_missing_not_the_time():
    """QA45 #5: "approved after 1m39s of a 1m30s floor" read as a contradiction for a chunk whose lines never came
    on screen: the time was there, the reading was not."""
    from app.core.policy.rules import _stamp_reason

    record = ApprovalRecord("bo@x.org", "approve", "c1", "h", fast=True, active_seconds=99, floor_seconds=90)
    said = _stamp_reason(record, PolicyConfig())
    assert said == ("recorded as a rubber stamp: not read whole in 1m39s (changed lines never on screen, or content "
                    "not in the clone)")
    quick = ApprovalRecord("bo@x.org", "approve", "c1", "h", fast=True, active_seconds=30, floor_seconds=90)
    assert _stamp_reason(quick, PolicyConfig()) == "approved after 30s of a 1m30s floor"
