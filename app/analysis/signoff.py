"""A change's sign-off verdict: what `review-tui check` prints, the TUI shows and `stats` counts.

Which records count is decided in one place, app/storage/records.py (the approval binding of
app/core/policy/binding.py and the signature rules of app/storage/trust.py); the policy
(app/core/policy/rules.py) then judges the counted records against the change's current content.
This module joins them with the Analyzer's view of the change (its plan, tier, AI share, authors,
base commit and policy), so every reader gets the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.git.models import WORKTREE_ID
from app.core.policy.binding import ChangeBinding
from app.core.policy.rules import ChunkRef
from app.errors import ReviewTuiError
from app.storage.records import ANOTHER_CHANGE as ANOTHER_CHANGE_REASON
from app.storage.records import UNKNOWN_REVIEWER as _UNKNOWN_REVIEWER

if TYPE_CHECKING:
    from app.analysis.analyzer import Analyzer
    from app.analysis.report import ChangeDetail, ChangePlan
    from app.config import UserConfig
    from app.core.git.models import Change
    from app.core.planner.model import ReviewPlan
    from app.core.policy.rules import ApprovalRecord, PolicyResult, ReviewerStanding
    from app.storage.ledger import CommentThread, Decision, Ledger
    from app.storage.records import Counted, ReviewRecords, Uncounted
    from app.storage.trust import TrustRules


@dataclass
class CheckOutcome:
    """The policy verdict on one change, with what it was computed from."""

    change_id: str
    head: str
    tier: int
    ai_share: float
    chunks: list[ChunkRef]
    result: PolicyResult
    records: int
    """Decisions counted (after merging ledger and notes, binding and signatures applied)."""
    warnings: list[str] = field(default_factory=list)
    """Unreadable notes, notes of a newer version, an unusable ledger: reported, never fatal."""
    signatures: str = ""
    """What the repository requires of record signatures (one line)."""
    not_counted: list[str] = field(default_factory=list)
    """Records shown but not counted (another change, unsigned, unknown signer), one line each."""
    counted: Counted | None = None
    """The records themselves (the TUI shows a reviewer's own; not in the JSON)."""
    threads: list[CommentThread] = field(default_factory=list)
    """Comment threads on the change (ledger and notes merged), open ones first."""

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change_id,
            "head": self.head,
            "tier": self.tier,
            "ai_share": round(self.ai_share, 4),
            "chunks": [{"index": c.index, "title": c.title, "hash": c.content_hash} for c in self.chunks],
            "records": self.records,
            **self.result.to_dict(),
            "signatures": self.signatures,
            "not_counted": list(self.not_counted),
            "threads": [{"state": "resolved" if t.resolved else "open", "outdated": t.outdated,
                         "path": t.root.path, "line": t.root.line,
                         "side": t.root.side, "reviewer": t.root.reviewer, "body": t.root.body,
                         "replies": [{"reviewer": r.reviewer, "body": r.body} for r in t.replies],
                         "resolved_by": t.resolved_by.reviewer if t.resolved_by else None}
                        for t in self.threads],
            "warnings": list(self.warnings),
        }


def binding_for(analyzer: Analyzer, change: Change, chunk_hashes: list[str]) -> ChangeBinding:
    """The change's binding: its names (aliases included), its commits and its current chunks."""
    return ChangeBinding.of(change, chunk_hashes, remotes=analyzer.remote_names(),
                            pending=analyzer.pending_names())


def open_records(analyzer: Analyzer, ledger: Ledger | None, *, read_notes: bool = True) -> ReviewRecords:
    from app.storage.records import ReviewRecords

    return ReviewRecords(analyzer.repo, analyzer.repo_key, ledger, read_notes=read_notes)


AI_ROUNDING = 0.00005
"""How far a report's AI share (rounded to 4 places) may be from the exact one the policy judges."""


def evaluate_change(analyzer: Analyzer, detail: ChangeDetail, *, ledger: Ledger | None = None,
                    read_notes: bool = True, records: ReviewRecords | None = None) -> CheckOutcome:
    """The policy verdict on a change's current content. `records` (kept by a caller that asks
    about many changes, like the TUI) reads the notes once; else one is opened on `ledger`."""
    source = records if records is not None else open_records(analyzer, ledger, read_notes=read_notes)
    return _evaluate(analyzer, detail.change, detail.plan, detail.tiers.tier, detail.provenance.ai_share, source)


def _evaluate(analyzer: Analyzer, change: Change, plan: ReviewPlan, tier: int, ai_share: float,
              source: ReviewRecords) -> CheckOutcome:
    """The policy verdict on `change` cut into `plan`, of critical-path `tier` and `ai_share`: what evaluate_change
    reads of a full detail, and what the TUI has of a cached report and plan (SignOff.plan_outcome)."""
    from app.core.policy.rules import evaluate

    hashes = [c.content_hash for c in plan.chunks]
    binding = binding_for(analyzer, change, hashes)
    counted = source.for_change(binding, analyzer.resolved_base[1], analyzer.config.policy)
    untrusted_threads: list[str] = []
    from app.storage.ledger import with_outdated

    threads = with_outdated(source.threads_for(binding, analyzer.resolved_base[1], analyzer.config.policy,
                                               untrusted_threads), hashes, change.head)
    authors = participants(analyzer, change)
    _name_own_approvals(counted, authors)
    rules = source.rules(analyzer.resolved_base[1], analyzer.config.policy)
    result = evaluate(
        analyzer.config.policy, tier=tier, ai_share=ai_share, authors=authors,
        chunk_hashes=hashes, chunk_titles=[c.title for c in plan.chunks],
        decisions=one_person_per_key(counted, rules, authors) if rules.required else counted.records,
        head=change.head, open_threads=sum(1 for t in threads if not t.resolved),
    )
    chunks = [ChunkRef(c.index, c.title, c.content_hash) for c in plan.chunks]
    # the team config's own warnings first: a typo in [policy] (`senior` for `seniors`) enforces a weaker policy
    warnings = [*analyzer.config.warnings, *counted.warnings]
    if change.gone_on_base or change.partly_merged or change.diff_caveat or change.behind_base:
        warnings.append(change.base_remarks)  # what the diff shows that is not this change's own work
    if change.stacked_on:
        warnings.append(f"stacked on {change.stacked_on}: its work lands with this change, so `check` also asks "
                        "for its sign-off")
    return CheckOutcome(change.id, change.head, tier, ai_share, chunks, result, len(counted.records),
                        warnings, counted.signatures, [*counted.uncounted_lines(), *untrusted_threads],
                        counted, threads)


def with_stack(analyzer: Analyzer, outcome: CheckOutcome, change: Change, ledger: Ledger | None, *,
               read_notes: bool = True, seen: frozenset[str] = frozenset()) -> CheckOutcome:
    """`outcome`, not met while a change it is stacked on is not (merging it lands the whole stack): the
    slices of a stack are reviewed one by one, and a sign-off of the top one covered the untouched ones below."""
    lower_id = change.stacked_on
    if not lower_id or lower_id in seen:
        return outcome
    lower = analyzer.detail(lower_id)
    below = with_stack(analyzer, evaluate_change(analyzer, lower, ledger=ledger, read_notes=read_notes), lower.change,
                       ledger, read_notes=read_notes, seen=seen | {change.id})
    if below.result.ok:
        return outcome
    import dataclasses

    gap = f"stacked on {lower_id}, whose work lands with it and is not signed off: {below.result.summary}"
    result = dataclasses.replace(outcome.result, ok=False, missing=[*outcome.result.missing, gap])
    return dataclasses.replace(outcome, result=result)


def _name_own_approvals(counted: Counted, authors: list[str]) -> None:
    """An author's approval that does not count for another reason (unsigned) says first that it is the
    author's: 'not counted: unsigned' hid the reason that matters (QA41)."""
    import dataclasses

    from app.core.policy.rules import OWN_CHANGE

    own = {a.strip().lower() for a in authors}
    counted.uncounted = [
        dataclasses.replace(u, why=f"{OWN_CHANGE} (and {u.why})")
        if u.decision.reviewer.strip().lower() in own and u.reason != ANOTHER_CHANGE_REASON
        and u.decision.decision == "approve" else u
        for u in counted.uncounted]


def one_person_per_key(counted: Counted, rules: TrustRules, authors: list[str]) -> list[ApprovalRecord]:
    """The counted records with one reviewer per signing key, where signatures are required: the key is
    the person. One key allowed for two addresses met "two reviewers" alone, and an author approved her
    own change under her second address. Each key's records go under one address: an author's when the
    key may sign for one, else the first address it signed for."""
    import dataclasses

    first: dict[bytes, str] = {}
    for record in sorted(counted.records, key=lambda r: (r.created_at, r.record_id)):
        key = counted.signed_by.get(record.record_id)
        if key is not None and key not in first:
            author = next((a for a in authors if rules.allowed.admits_ever(a, key)), None)
            first[key] = author or record.reviewer
            if author is not None and author.lower() != record.reviewer.lower():
                # fail closed, and say why the author is named: they recorded nothing (a wildcard signer line)
                counted.warnings.append(f"the key that signed as {record.reviewer} may also sign as {author}, "
                                        "an author of the change: its approvals are judged as the author's")
    out = []
    for record in counted.records:
        key = counted.signed_by.get(record.record_id)
        out.append(record if key is None else dataclasses.replace(record, reviewer=first[key]))
    return out


@dataclass(frozen=True)
class ReviewerView:
    """One reviewer's standing on a change as `check` sees it: for the TUI's statuses."""

    standing: ReviewerStanding | None
    """Under the policy, from the reviewer's counted records only (None: no counted decision)."""
    decisions: list[Decision]
    """The reviewer's counted decisions, oldest first."""
    uncounted: list[Uncounted]
    """The reviewer's records bearing on the change that do not count, with why."""
    covers: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    """Record id of each counted change-level decision -> the chunk hashes it covered (None: unknown,
    then it binds to the head it was given at)."""


class SignOff:
    """The sign-off judge of one repository for a long-lived reader (the TUI): the notes are read
    once per position of the notes refs, the trust rules once per base commit."""

    def __init__(self, analyzer: Analyzer, ledger: Ledger | None) -> None:
        self.analyzer = analyzer
        self._ledger = ledger
        self._records: ReviewRecords | None = None

    @property
    def records(self) -> ReviewRecords:
        """Opened on first need: they are filed under the project key, which the TUI finds after its
        first paint."""
        if self._records is None:
            self._records = open_records(self.analyzer, self._ledger)
        return self._records

    def counted(self, change: Change, chunk_hashes: list[str]) -> Counted:
        a = self.analyzer
        return self.records.for_change(binding_for(a, change, chunk_hashes), a.resolved_base[1],
                                       a.config.policy)

    def outcome(self, detail: ChangeDetail) -> CheckOutcome:
        return evaluate_change(self.analyzer, detail, records=self.records)

    def plan_outcome(self, outline: ChangePlan) -> CheckOutcome | None:
        """The verdict from a change's cached report and plan (None without an assessment): the same content,
        chunks, tier and AI share `check` judges, known before the full detail (the diff) is read. The change
        screen shows it at once; its detail waited 5-10 s behind the queue's analysis in the shared pool."""
        found = outline.report.assessment
        if found is None:
            return None
        share = found.ai.share  # rounded to 4 places in the report
        if any(rule.ai_share_above is not None and abs(share - rule.ai_share_above) <= AI_ROUNDING
               for rule in self.analyzer.config.policy.rules):
            return None  # the rounded share cannot tell which side of a rule's threshold it is: the detail will
        return _evaluate(self.analyzer, outline.change, outline.plan, found.tiers.tier, share, self.records)

    def reviewer_view(self, change: Change, chunk_hashes: list[str], reviewer: str) -> ReviewerView:
        """Where `reviewer` stands on the change's current content, judged by the policy from the
        records that count, and which of their records do not count."""
        from app.core.policy.rules import evaluate

        counted = self.counted(change, chunk_hashes)
        mine, uncounted = counted.of_reviewer(reviewer)
        if not mine:
            return ReviewerView(None, [], uncounted)
        key = reviewer.strip().lower()
        records = [r for r in counted.records if r.reviewer.strip().lower() == key]
        # The tier and AI share only set what the change needs, not where one reviewer stands.
        result = evaluate(self.analyzer.config.policy, tier=3, ai_share=0.0,
                          authors=participants(self.analyzer, change), chunk_hashes=chunk_hashes,
                          decisions=records, head=change.head)
        covers = {r.record_id: r.covers for r in records if r.chunk_hash is None}
        return ReviewerView(result.reviewers[0] if result.reviewers else None, mine, uncounted, covers)



# -- who is reviewing, and their signing key ---------------------------------------------------

UNKNOWN_REVIEWER = _UNKNOWN_REVIEWER  # storage/records.py's: its approvals never count


def participants(analyzer: Analyzer, change: Change) -> list[str]:
    """Who is "the author" of `change` for self-approval: the author, committer and co-authors of its
    commits; for the working tree, which has no commit yet, whoever will commit it here (git's user.email).
    The working tree counted its own writer as an independent reviewer: `check :worktree` passed on a
    self-review."""
    from app.core.provenance.commits import change_participants

    found = change_participants(change.commits)
    if change.head == WORKTREE_ID:
        for who in _worktree_writers(analyzer):
            if who not in found:
                found.append(who)
    aliases = analyzer.mailmap_aliases()  # the base's .mailmap: one person's other addresses are theirs too
    for who in list(found):
        found.extend(sorted(a for a in aliases.get(who, ()) if a not in found))
    return found


def _worktree_writers(analyzer: Analyzer) -> list[str]:
    """Who writes this clone's working tree: git's user.email, else the placeholder every decision here
    is recorded under (without it, an approval by `unknown@localhost` counted as an independent review),
    and the reviewer this machine's config names (it is their tree). A broken user config is said
    where it is used, not here."""
    from app.config import load_user_config
    from app.errors import ConfigError

    email = analyzer.repo.config_value("user.email")
    writers = [email.strip().lower() if email and email.strip() else UNKNOWN_REVIEWER]
    try:
        mine = load_user_config().reviewer_email
    except ConfigError:
        mine = None
    if mine and mine.strip() and mine.strip().lower() not in writers:
        writers.append(mine.strip().lower())
    return writers


def reviewer_identity(user_config: UserConfig, analyzer: Analyzer) -> str:
    """Who is reviewing: the user config's reviewer_email, else git's user.email, else a placeholder."""
    if user_config.reviewer_email:
        return user_config.reviewer_email
    email = analyzer.repo.config_value("user.email")
    return email.strip() if email and email.strip() else UNKNOWN_REVIEWER


def decision_signer(user_config: UserConfig, analyzer: Analyzer, *,
                    interactive: bool = False) -> tuple[Callable[[bytes], bytes] | None, str]:
    """The signer of decisions as they are made (review-tui's signing_key, else git's SSH signing
    key), and why a configured key cannot be used (empty when it can, or none is configured).
    Not `interactive` (the TUI owns the terminal): ssh-keygen never asks for a passphrase, so a key
    with one signs through the agent or not at all."""
    from app.storage.signing import SignatureError, load_signer, signing_key_setting

    path = signing_key_setting(user_config.signing_key, analyzer.repo.config_value)
    if path is None:
        return None, ""
    try:
        return load_signer(path, interactive=interactive), ""
    except SignatureError as exc:
        return None, f"decisions are recorded unsigned: {exc}; `review-tui sync` signs them"


# -- carrying an approval over to another change making the same edit --------------------------


@dataclass(frozen=True)
class Carried:
    """One approval carried over: the new record, the chunk it approves, where it came from."""

    decision: Decision
    chunk: ChunkRef
    origin: Decision
    unsigned_why: str | None = None


def carry_candidates(counted: Counted, reviewer: str, chunks: list[ChunkRef],
                     from_change: str | None = None, remotes: frozenset[str] = frozenset()
                     ) -> list[tuple[ChunkRef, Decision]]:
    """(chunk, the reviewer's approval on another change) for each current chunk whose newest
    decision by `reviewer` is an approval given on another change (optionally only `from_change`):
    what `carry` would carry over. A chunk the reviewer decided on this change since is left alone,
    and so is one whose newest decision elsewhere is a flag."""
    from app.core.policy.binding import plain_id

    mine, uncounted = counted.of_reviewer(reviewer)
    elsewhere = [u for u in uncounted if u.reason == ANOTHER_CHANGE_REASON and (
        from_change is None or plain_id(u.decision.change_id, remotes) == plain_id(from_change, remotes))]
    found: list[tuple[ChunkRef, Decision]] = []
    for chunk in chunks:
        here = [d.created_at for d in mine if d.chunk_hash == chunk.content_hash]
        there = sorted((u for u in elsewhere if u.decision.chunk_hash == chunk.content_hash or (
            u.decision.chunk_hash is None and chunk.content_hash in (u.record.covers or ()))),
            key=lambda u: (u.decision.created_at, u.decision.record_id))
        if not there or there[-1].decision.decision != "approve":
            continue
        if here and max(here) >= there[-1].decision.created_at:
            continue
        found.append((chunk, there[-1].decision))
    return found


def own_change_reason(analyzer: Analyzer, change: Change, reviewer: str) -> str | None:
    """Why `reviewer`'s approvals cannot be carried over to `change` (None: they can): they authored,
    committed or co-authored a commit of it (a cherry-pick onto a backport), and `check` never counts
    an author's approval, so a carried one would be recorded as counting and then refused."""
    if analyzer.config.policy.allow_self_approval:
        return None
    if reviewer.strip().lower() not in participants(analyzer, change):
        return None
    did = ("are writing it (uncommitted changes on this machine are yours)" if change.head == WORKTREE_ID
           else "authored or committed a commit of it")
    return (f"you ({reviewer}) {did}, and an author's approval never counts "
            "(policy allow_self_approval); another reviewer has to approve it")


def carry_over(signoff: SignOff, detail: ChangeDetail, reviewer: str, *, session_id: int | None = None,
               from_change: str | None = None, signer: Callable[[bytes], bytes] | None = None) -> list[Carried]:
    """Carry `reviewer`'s approvals given on another change making the same edit over to this
    change: one new approval per chunk, given here (so it counts here), keeping whether the original
    was a rubber stamp and whether the chunk was opened (a stamp stays one) but adding no reading time
    (stats count the time once, where it was spent), signed now when a key is
    given, with the record and change it came from (ledger ``decision_carries``, notes keys
    ``carried`` and ``from``). The reviewer's explicit act: nothing carries over by itself."""
    from app.storage.ledger import NewDecision
    from app.storage.notes import sign_decision

    ledger = signoff.records.ledger
    if ledger is None:
        raise ReviewTuiError("carrying approvals over needs the review ledger")
    change = detail.change
    hashes = [c.content_hash for c in detail.plan.chunks]
    refs = [ChunkRef(c.index, c.title, c.content_hash) for c in detail.plan.chunks]
    counted = signoff.counted(change, hashes)
    carried: list[Carried] = []
    by_hash = {c.content_hash: c for c in detail.plan.chunks}
    for ref, origin in carry_candidates(counted, reviewer, refs, from_change, signoff.analyzer.remote_names()):
        chunk = by_hash[ref.content_hash]
        opened = origin.opened if origin.chunk_hash is not None else origin.unopened_chunks == 0
        note = f"carried over from {origin.change_id}" + (f": {origin.note}" if origin.note else "")
        # a change-level origin's floor is the whole change's: each chunk carries its own
        floor = origin.floor_seconds if origin.chunk_hash is not None else float(chunk.floor_seconds)
        decision = ledger.record_decision(NewDecision(
            session_id=session_id, reviewer=reviewer, repo=signoff.records.repo_key, change_id=change.id,
            head=change.head, chunk_hash=chunk.content_hash, decision="approve", chunk_index=chunk.index,
            note=note, floor_seconds=floor, active_seconds=0.0, fast=origin.fast,
            changed_lines=chunk.changed_lines, tier=chunk.tier, ai_share=chunk.ai_share,
            complexity_added=float(chunk.complexity_added), opened=opened,
            carried_from=(origin.record_id, origin.change_id)))
        why = (sign_decision(ledger, decision, None, signer, (origin.record_id, origin.change_id))
               if signer is not None else None)
        carried.append(Carried(decision, ref, origin, why))
    return carried


def content_missing(detail: ChangeDetail) -> str | None:
    """Why `check` cannot judge the change, when some of its files' content is not in this clone: the AI
    share, the tiers and the chunks were judged on what was there (a partial clone, as CI checkouts often
    are, let an AI-written change pass as human-written). None when everything is here."""
    problems = detail.assessment.file_problems if detail.assessment is not None else {}
    if not problems:
        return None
    from app.core.text import one_line, plural, visible_path

    path, why = next(iter(problems.items()))
    more = f" and {plural(len(problems) - 1, 'more file')}" if len(problems) > 1 else ""
    change = detail.change
    span = "HEAD" if change.head == WORKTREE_ID else f"{(change.base or '')[:12]} {change.head[:12]}"
    cause = one_line(why, 160).split("): ")[0] + (")" if "): " in why else "")  # "blob X is missing (...)"
    return (f"cannot judge {one_line(change.id, 80)}: the content of {plural(len(problems), 'file')} is not in "
            f"this clone ({visible_path(path, 120)}{more}: {cause}); fetch it (in a partial clone, `git diff --stat "
            f"{span}` reads and fetches it)")
