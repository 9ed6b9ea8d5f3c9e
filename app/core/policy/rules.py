"""Sign-off policy: who must approve what (SPEC.md "Policy").

Rules match a change by tier and AI share; the requirements of every matching rule combine by
maximum. Defaults mirror the 2026 industry rules: one approval for every change; a senior's
approval when more than 30% of the added lines are AI-written; Tier 0 needs two approvals, one
of them senior. An author never approves their own change.

`evaluate` judges a change's current content against the rules (pure: the records come in as
ApprovalRecords from the ledger or git notes): who counts, which chunks went stale, which approvals
were rubber stamps, and one human-readable line per gap. `review-tui check` prints that verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.settings import SectionReader
from app.core.text import format_duration, plural
from app.errors import ConfigError


@dataclass(frozen=True)
class PolicyRule:
    """One sign-off rule; it applies when the change's tier is in `tiers` (empty: any tier) and its AI share
    exceeds `ai_share_above` (None: any share)."""

    name: str
    tiers: tuple[int, ...] = ()
    ai_share_above: float | None = None
    approvals: int = 1
    senior_approvals: int = 0

    def applies(self, tier: int, ai_share: float) -> bool:
        if self.tiers and tier not in self.tiers:
            return False
        return self.ai_share_above is None or ai_share > self.ai_share_above


DEFAULT_RULES: tuple[PolicyRule, ...] = (
    PolicyRule("every change needs one approval", approvals=1),
    PolicyRule("AI share above 30% needs a senior", ai_share_above=0.30, approvals=1, senior_approvals=1),
    PolicyRule("Tier 0 needs two approvals, one senior", tiers=(0,), approvals=2, senior_approvals=1),
)


@dataclass(frozen=True)
class PolicyConfig:
    """Settings of the `[policy]` table."""

    seniors: tuple[str, ...] = ()
    """Emails of senior reviewers (case-insensitive)."""
    reviewers: tuple[str, ...] = ()
    """Emails of known reviewers (informational; anyone may review, unknown reviewers count as non-senior)."""
    rules: tuple[PolicyRule, ...] = DEFAULT_RULES
    """The sign-off rules; `[[policy.rules]]` entries replace the defaults when `use_default_rules = false`,
    else they are added to them."""
    require_all_chunks_opened: bool = True
    """An approval counts only when the reviewer opened every chunk of the change."""
    count_fast_approvals: bool = False
    """Whether approvals given faster than the floor time (rubber stamps) count toward the policy."""
    allow_self_approval: bool = False
    """Authors may never approve their own change unless this is set (not recommended)."""
    flags_block: bool = True
    """A chunk whose newest decision by some reviewer is a flag fails the policy until that reviewer
    approves it again (or approves the change)."""
    require_signatures: bool = False
    """Count only review records signed by a key that `allowed_signers_file` (read from the BASE
    commit) admits for the record's reviewer email; unsigned and unknown-signer records are shown,
    not counted."""
    allowed_signers_file: str = ".review-tui-signers"
    """The OpenSSH allowed-signers file, a path in the repository (read from the base commit)."""
    open_threads_block: bool = False
    """Every comment thread on the change must be resolved before it may merge (like a forge's
    "require conversation resolution"); off by default, and `check` lists open threads either way."""

    def is_senior(self, email: str) -> bool:
        return email.lower() in {s.lower() for s in self.seniors}

    @classmethod
    def from_reader(cls, reader: SectionReader) -> PolicyConfig:
        seniors = tuple(reader.get_list_of("seniors", str, []))
        reviewers = tuple(reader.get_list_of("reviewers", str, []))
        use_defaults = reader.get("use_default_rules", bool, True)
        entries = reader.get("rules", list, [])
        rules: list[PolicyRule] = list(DEFAULT_RULES) if use_defaults else []
        for i, entry in enumerate(entries):
            where = f"rules[{i}]"
            if not isinstance(entry, dict):
                raise ConfigError(f"{reader.where(where)}: expected a table ([[policy.rules]])")
            r = SectionReader(entry, reader.source, f"{reader.section}.{where}", reader.warnings)
            tiers = r.get_list_of("tiers", int, [])
            if any(t not in (0, 1, 2, 3) for t in tiers):
                raise ConfigError(f"{r.where('tiers')}: tiers are 0, 1, 2 or 3, got {tiers}")
            above = r.get("ai_share_above", float, None)
            if above is not None and not 0 <= above <= 1:
                raise ConfigError(f"{r.where('ai_share_above')}: a share between 0 and 1, got {above}")
            approvals = r.get("approvals", int, 1)
            seniors_needed = r.get("senior_approvals", int, 0)
            if approvals < 0 or seniors_needed < 0 or seniors_needed > max(approvals, seniors_needed):
                raise ConfigError(f"{r.where('approvals')}: counts must be >= 0")
            name = r.get("name", str, f"rule {i + 1}")
            r.finish()
            rules.append(PolicyRule(name, tuple(tiers), above, max(approvals, seniors_needed), seniors_needed))
        opened = reader.get("require_all_chunks_opened", bool, True)
        fast = reader.get("count_fast_approvals", bool, False)
        self_ok = reader.get("allow_self_approval", bool, False)
        flags_block = reader.get("flags_block", bool, True)
        require_signatures = reader.get("require_signatures", bool, False)
        signers_file = reader.get("allowed_signers_file", str, cls.allowed_signers_file)
        open_threads_block = reader.get("open_threads_block", bool, False)
        reader.finish()
        return cls(seniors, reviewers, tuple(rules), opened, fast, self_ok, flags_block, require_signatures,
                   signers_file, open_threads_block)


@dataclass
class Requirement:
    approvals: int = 0
    senior_approvals: int = 0
    because: list[str] = field(default_factory=list)


def requirement_for(config: PolicyConfig, tier: int, ai_share: float) -> Requirement:
    """What the change needs: the maximum over every rule that applies, with the rules named."""
    need = Requirement()
    for rule in config.rules:
        if rule.applies(tier, ai_share):
            need.approvals = max(need.approvals, rule.approvals)
            need.senior_approvals = max(need.senior_approvals, rule.senior_approvals)
            need.because.append(rule.name)
    return need


# -- evaluation ----------------------------------------------------------------------------------
#
# What counts as "a reviewer approved the change" (SPEC.md "Policy"): for the change's CURRENT
# content, every current chunk's content hash carries that reviewer's approval as their newest
# decision on it. A chunk approval covers a content hash, so it carries over to any head where the
# hash is unchanged; a change-level decision covers the chunk hashes it was given for (`covers`),
# or, when those are unknown, the content of the head it was given at. A later decision replaces
# an earlier one on the same hash (a flag revokes an approval; "later" too).

NOTHING_TO_REVIEW = "nothing to review: the change changes no file"
OWN_CHANGE = "authors, committers and co-authors cannot approve their own change"

CHANGE_AS_A_WHOLE = ""
"""The pseudo-hash a change without chunks (an empty diff) is approved under."""


@dataclass(frozen=True)
class ApprovalRecord:
    """One review decision as the policy sees it, whatever store it came from (ledger or git note)."""

    reviewer: str
    """The reviewer's email (git's user.email); compared case-insensitively."""
    decision: str
    """'approve', 'flag' or 'later'."""
    chunk_hash: str | None
    """The chunk content hash decided on; None for a decision on the whole change."""
    head: str
    """The head commit the decision was given at."""
    fast: bool = False
    """Given with less active reading time than the floor time (a rubber stamp)."""
    unopened_chunks: int = 0
    """Change-level: chunks the reviewer never opened before deciding (a rubber stamp when > 0)."""
    opened: bool = True
    """Chunk-level: the reviewer had the chunk on screen before deciding."""
    created_at: float = 0.0
    """Epoch seconds: orders decisions; the newest per reviewer and chunk wins."""
    record_id: str = ""
    """Unique id of the record (breaks ties between equal times, deduplicates imports)."""
    source: str = "local"
    """'local' (this machine's ledger) or 'notes' (shared through git notes)."""
    covers: tuple[str, ...] | None = None
    """Change-level: the chunk hashes the decision covered; None when unknown (then bound to `head`)."""
    active_seconds: float = 0.0
    """Active reading time when deciding (for the rubber-stamp message)."""
    floor_seconds: float | None = None
    """The floor time that applied (for the rubber-stamp message)."""
    change_id: str = ""
    """The change the decision was given on (binding.py: it counts there, its aliases and commits)."""
    note: str = ""
    """What a flag asks to change (shown wherever the flag is reported)."""

    @property
    def is_change_level(self) -> bool:
        return self.chunk_hash is None


@dataclass(frozen=True)
class ChunkRef:
    """A current chunk named for people: its plan position and title."""

    index: int
    title: str
    content_hash: str

    @property
    def label(self) -> str:
        return f"#{self.index} {self.title}" if self.title else f"#{self.index}"


@dataclass
class ReviewerStanding:
    """Where one reviewer's sign-off stands against the current content."""

    reviewer: str
    senior: bool
    counted: bool
    state: str
    """'approved' (counted), 'author', 'rubber stamp', 'stale', 'partial', 'flagged' or 'none'."""
    approved_chunks: int
    """Current chunks whose newest decision by this reviewer is an approval."""
    total_chunks: int
    detail: str = ""
    """Why it does not count, in words (empty when counted)."""
    stale_chunks: list[int] = field(default_factory=list)
    """Indexes of current chunks that changed since this reviewer approved the change's earlier content."""
    author: bool = False
    """They authored, committed or co-authored a commit of the change (their approval never counts unless
    the policy allows self-approval)."""


@dataclass
class PolicyResult:
    """The verdict of `evaluate`: whether the change may merge, and exactly what is missing."""

    ok: bool
    required: Requirement
    approvals: list[str]
    """Reviewers whose approval counts (emails as first seen)."""
    senior_approvals: list[str]
    """The subset of `approvals` given by seniors."""
    missing: list[str]
    """One human-readable line per gap; empty when ok."""
    stale_chunks: list[ChunkRef]
    """Current chunks that changed (or are new) since a reviewer approved the change's earlier content."""
    rubber_stamps: list[str]
    """Reviewers whose complete approval did not count because it was a rubber stamp."""
    self_approvals: list[str]
    """Authors who approved their own change (ignored unless allowed)."""
    flagged: list[tuple[ChunkRef, str]]
    """(chunk, reviewer) pairs whose newest decision on a current chunk is a flag."""
    reviewers: list[ReviewerStanding]
    flag_notes: dict[tuple[int, str], str] = field(default_factory=dict)
    """(chunk index, reviewer) -> what the flag asks to change."""
    open_threads: int = 0
    """Unresolved comment threads on the change (they block only with `open_threads_block`)."""
    earlier_flags: list[tuple[str, str]] = field(default_factory=list)
    """(reviewer, note) of flags on content the change no longer holds, whose reviewer has decided on
    nothing of its current content since: the concern stands until they look again."""

    @property
    def summary(self) -> str:
        """One line: what is missing, or that the policy is met."""
        if self.ok and self.required.because == [NOTHING_TO_REVIEW]:
            return f"policy met: {NOTHING_TO_REVIEW}"
        if self.ok:
            return (f"policy met: {plural(len(self.approvals), 'approval')}, {len(self.senior_approvals)} senior "
                    f"(needed {self.required.approvals}, {self.required.senior_approvals} senior)")
        return "; ".join(self.missing)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "required": {"approvals": self.required.approvals,
                         "senior_approvals": self.required.senior_approvals,
                         "because": list(self.required.because)},
            "approvals": list(self.approvals),
            "senior_approvals": list(self.senior_approvals),
            "missing": list(self.missing),
            "stale_chunks": [{"index": c.index, "title": c.title, "hash": c.content_hash}
                             for c in self.stale_chunks],
            "rubber_stamps": list(self.rubber_stamps),
            "self_approvals": list(self.self_approvals),
            "flagged": [{"index": c.index, "title": c.title, "hash": c.content_hash, "reviewer": who,
                         "note": self.flag_notes.get((c.index, who), "")}
                        for c, who in self.flagged],
            "earlier_flags": [{"reviewer": who, "note": note} for who, note in self.earlier_flags],
            "open_threads": self.open_threads,
            "reviewers": [
                {"reviewer": s.reviewer, "senior": s.senior, "author": s.author, "counted": s.counted,
                 "state": s.state,
                 "approved_chunks": s.approved_chunks, "total_chunks": s.total_chunks, "detail": s.detail,
                 "stale_chunks": list(s.stale_chunks)}
                for s in self.reviewers
            ],
        }


def _targets(record: ApprovalRecord, current: list[str], head: str | None) -> tuple[list[str], bool]:
    """The content hashes a record decides on, and whether it (also) decided on content no longer there."""
    if record.chunk_hash is not None:
        return [record.chunk_hash], False
    if record.covers is not None:
        covered = list(record.covers) or [CHANGE_AS_A_WHOLE]
        return covered, False
    # Covered hashes unknown: the record binds to its head's content, which is the current content
    # only when the head is the current head.
    if head is not None and record.head == head:
        return list(current) or [CHANGE_AS_A_WHOLE], False
    return [], True


def _stamp_reason(record: ApprovalRecord, config: PolicyConfig) -> str | None:
    """Why an approval is a rubber stamp that does not count under `config` (every reason), or None."""
    reasons: list[str] = []
    if record.fast and not config.count_fast_approvals:
        if record.floor_seconds is not None and record.active_seconds >= record.floor_seconds:
            # the time was there: what was not is the reading (lines never on screen, content not in the clone)
            reasons.append(f"recorded as a rubber stamp: not read whole in {format_duration(record.active_seconds)} "
                           "(changed lines never on screen, or content not in the clone)")
        elif record.floor_seconds is not None:
            reasons.append(f"approved after {format_duration(record.active_seconds)} of a "
                           f"{format_duration(record.floor_seconds)} floor")
        else:
            reasons.append("approved faster than the floor time")
    if config.require_all_chunks_opened:
        if record.chunk_hash is None and record.unopened_chunks > 0:
            reasons.append(f"{plural(record.unopened_chunks, 'chunk')} never opened")
        if record.chunk_hash is not None and not record.opened:
            reasons.append("approved a chunk without opening it")
    return ", ".join(reasons) or None


@dataclass
class _ChangeContent:
    """What one evaluation judges against: the current chunks, in plan order, and their authors."""

    current: list[str]  # distinct chunk hashes, plan order
    needed: list[str]  # what an approval must cover: the chunks, or the change as a whole when empty
    refs: dict[str, ChunkRef]
    author_keys: set[str]
    head: str | None

    @classmethod
    def of(cls, chunk_hashes: Sequence[str], chunk_titles: Sequence[str] | None, authors: Sequence[str],
           head: str | None) -> _ChangeContent:
        current = list(dict.fromkeys(chunk_hashes))
        titles = list(chunk_titles or [])
        refs: dict[str, ChunkRef] = {}
        for i, h in enumerate(chunk_hashes):  # a repeated hash keeps its first position
            refs.setdefault(h, ChunkRef(i + 1, titles[i] if i < len(titles) else "", h))
        author_keys = {a.strip().lower() for a in authors if a}
        return cls(current, current or [CHANGE_AS_A_WHOLE], refs, author_keys, head)


def evaluate(
    config: PolicyConfig,
    *,
    tier: int,
    ai_share: float,
    authors: Sequence[str],
    chunk_hashes: Sequence[str],
    decisions: Iterable[ApprovalRecord],
    head: str | None = None,
    chunk_titles: Sequence[str] | None = None,
    open_threads: int = 0,
) -> PolicyResult:
    """Whether the decisions meet the policy for a change's current content.

    `chunk_hashes` are the current plan's chunk content hashes in plan order (chunk #1 first);
    `chunk_titles` (same order) name them in messages. `decisions` are every known decision on the
    change, any head, any source: chunk approvals carry over by content hash. `head` is the current
    head, binding change-level decisions whose covered hashes are unknown. `open_threads` counts the
    change's unresolved comment threads (blocking with `open_threads_block`). Pure: no I/O.
    """
    # An empty diff (a clean merge, commits that cancel out) puts nothing in front of a reviewer; its
    # parents or commits are checked on their own. Asking for a sign-off would hold a gate on approving nothing.
    required = (requirement_for(config, tier, ai_share) if chunk_hashes
                else Requirement(0, 0, [NOTHING_TO_REVIEW]))
    content = _ChangeContent.of(chunk_hashes, chunk_titles, authors, head)
    by_reviewer: dict[str, list[ApprovalRecord]] = {}
    shown: dict[str, str] = {}
    for record in decisions:
        key = record.reviewer.strip().lower()
        by_reviewer.setdefault(key, []).append(record)
        shown.setdefault(key, record.reviewer.strip())

    standings, flagged, flag_notes, stale = _standings(by_reviewer, shown, content, config)
    earlier_flags = _mark_earlier_flags(by_reviewer, shown, standings, content)
    counted = [s for s in standings if s.counted]
    seniors = [s for s in counted if s.senior]
    gap_total = max(required.approvals - len(counted), 0)
    gap_senior = max(required.senior_approvals - len(seniors), 0)
    block_flags = config.flags_block and bool(flagged or earlier_flags)
    block_threads = config.open_threads_block and open_threads > 0
    ok = gap_total == 0 and gap_senior == 0 and not block_flags and not block_threads
    stale_refs = [content.refs[h] for h in content.current if h in stale]
    missing = [] if ok else _missing(required, gap_total, gap_senior, stale_refs, standings,
                                     flagged if block_flags else [], flag_notes)
    if gap_senior and not config.seniors:
        # No one can give it: rich's AI-assisted pull requests could never pass, and nothing said why (QA47 #14)
        missing.append(NO_SENIORS)
    blocking = _blocking(earlier_flags if block_flags else [], open_threads if block_threads else 0)
    if blocking:
        missing = [m for m in missing if m != NO_APPROVALS_YET] + blocking
    return PolicyResult(
        ok=ok,
        required=required,
        approvals=[s.reviewer for s in counted],
        senior_approvals=[s.reviewer for s in seniors],
        missing=missing,
        stale_chunks=stale_refs,
        rubber_stamps=[s.reviewer for s in standings if s.state == "rubber stamp"],
        self_approvals=[s.reviewer for s in standings if s.state == "author"],
        flagged=flagged,
        reviewers=standings,
        flag_notes=flag_notes,
        open_threads=open_threads,
        earlier_flags=earlier_flags,
    )


def _standings(by_reviewer: dict[str, list[ApprovalRecord]], shown: dict[str, str], content: _ChangeContent,
               config: PolicyConfig) -> tuple[list[ReviewerStanding], list[tuple[ChunkRef, str]],
                                              dict[tuple[int, str], str], set[str]]:
    """Each reviewer's standing (in key order), the flagged current chunks, the newest flag's note of
    each, and the chunks that went stale under an approval."""
    standings: list[ReviewerStanding] = []
    flagged: list[tuple[ChunkRef, str]] = []
    flag_notes: dict[tuple[int, str], str] = {}
    stale: set[str] = set()
    for key in sorted(by_reviewer):
        records = sorted(by_reviewer[key], key=lambda r: (r.created_at, r.record_id))
        standings.append(_standing(key, shown[key], records, content, config, flagged, stale))
        for record in records:  # the newest flag's note of each flagged chunk
            if record.decision == "flag" and record.chunk_hash in content.refs and record.note:
                flag_notes[(content.refs[record.chunk_hash].index, shown[key])] = record.note
    return standings, flagged, flag_notes, stale


def _blocking(earlier_flags: list[tuple[str, str]], open_threads: int) -> list[str]:
    """What blocks besides approvals and current flags: earlier flags that stand, open comment threads."""
    lines = [f"{who} flagged earlier content" + (f": {note}" if note else "")
             + f"; it changed since, and {who} has not decided on it again" for who, note in earlier_flags]
    if open_threads:
        lines.append(f"{plural(open_threads, 'comment thread')} still open (open_threads_block)")
    return lines


def _mark_earlier_flags(by_reviewer: dict[str, list[ApprovalRecord]], shown: dict[str, str],
                        standings: list[ReviewerStanding], content: _ChangeContent) -> list[tuple[str, str]]:
    """(reviewer, note) of every earlier flag that stands (_earlier_flags); a reviewer with one and no
    decision on the current content stands as `flagged`."""
    found: list[tuple[str, str]] = []
    for key, standing in zip(sorted(by_reviewer), standings, strict=True):
        notes = _earlier_flags(by_reviewer[key], content)
        found += [(shown[key], note) for note in notes]
        if notes and standing.state in ("none", "stale"):
            standing.state = "flagged"
            standing.detail = "flagged earlier content" + (f": {notes[-1]}" if notes[-1] else "") + "; changed since"
    return found


def _earlier_flags(records: list[ApprovalRecord], content: _ChangeContent) -> list[str]:
    """The notes of one reviewer's flags on chunks the change no longer holds, newer than anything they
    decided on its current content: a push to a flagged chunk (a one-line comment) made the flag vanish
    from `check`, and two others could approve without seeing it (GitHub's "changes requested" stays too)."""
    current = set(content.current)
    decided = [r for r in records if r.decision in ("approve", "flag")]
    # A decision on the change as a whole, covering its current content, answers every earlier flag.
    newest_whole = max((r.created_at for r in decided if r.chunk_hash is None
                        and (r.covers is None or current.intersection(r.covers))), default=None)
    # Chunk by chunk, only once the reviewer has decided on every current chunk: the flagged lines are in
    # one they have not seen yet otherwise (approving an untouched font file cleared a flag on the code).
    # A chunk decided before the flag existed then, so it is not where the flagged content went.
    on_chunks = {r.chunk_hash for r in decided if r.chunk_hash is not None and r.chunk_hash in current}
    newest_chunk = max((r.created_at for r in decided if r.chunk_hash is not None and r.chunk_hash in current),
                       default=None) if current and on_chunks == current else None
    answered = max((t for t in (newest_whole, newest_chunk) if t is not None), default=None)
    return [r.note for r in records
            if r.decision == "flag" and r.chunk_hash is not None and r.chunk_hash not in current
            and (answered is None or r.created_at > answered)]


def _latest(records: list[ApprovalRecord], content: _ChangeContent) -> tuple[dict[str, ApprovalRecord], bool]:
    """One reviewer's newest decision per target (chunk hash, or the change as a whole), and whether
    they approved content that is no longer in the change."""
    latest: dict[str, ApprovalRecord] = {}
    earlier_content = False
    for record in records:
        targets, old_head_only = _targets(record, content.current, content.head)
        for target in targets:
            latest[target] = record
        if old_head_only and record.decision == "approve":
            earlier_content = True
    needed = set(content.needed)
    if any(r.decision == "approve" and h not in needed for h, r in latest.items()):
        earlier_content = True
    return latest, earlier_content


def _standing(key: str, who: str, records: list[ApprovalRecord], content: _ChangeContent,
              config: PolicyConfig, flagged: list[tuple[ChunkRef, str]], stale: set[str]) -> ReviewerStanding:
    """Where one reviewer stands; their flags go to `flagged`, the chunks that went stale under
    their approval to `stale`."""
    latest, earlier_content = _latest(records, content)
    needed, current = content.needed, content.current
    approved = [h for h in needed if h in latest and latest[h].decision == "approve"]
    flagged += [(content.refs[h], who) for h in needed
                if h in latest and latest[h].decision == "flag" and h != CHANGE_AS_A_WHOLE]
    standing = ReviewerStanding(who, config.is_senior(key), False, "none", len(approved) if current else 0,
                                len(current), author=key in content.author_keys)
    if len(approved) == len(needed):
        standing.approved_chunks = len(current)
        _judge_complete_approval(standing, key, [latest[h] for h in needed], content, config)
    elif flags := [latest[h] for h in needed if h in latest and latest[h].decision == "flag"]:
        standing.state = "flagged"
        notes = [f.note for f in flags if f.note]
        standing.detail = "flagged a chunk" + (f": {notes[-1]}" if notes else "")
    elif (earlier_content or approved) and _is_author(key, content, config):
        # an author's approval never counts: saying "stale" would tell them re-reading makes it count
        standing.state, standing.detail = "author", OWN_CHANGE
    elif earlier_content:
        standing.state = "stale"
        unapproved = [h for h in needed if h not in approved and h != CHANGE_AS_A_WHOLE]
        standing.stale_chunks = [content.refs[h].index for h in unapproved]
        changed = ", ".join(f"#{i}" for i in standing.stale_chunks)
        standing.detail = (f"approved earlier content; {plural(len(unapproved), 'chunk')} "
                           f"changed or new since ({changed})")
        if not _is_author(key, content, config):
            stale.update(unapproved)
    elif approved:
        standing.state = "partial"
        standing.detail = _partial_detail([latest[h] for h in approved], len(needed), config)
    return standing


def _partial_detail(approvals: list[ApprovalRecord], needed: int, config: PolicyConfig) -> str:
    """"approved 1 of 2 chunks", saying how many are rubber stamps: read as "half done", a stamp
    surfaced only once every chunk was decided."""
    stamped = sum(1 for record in approvals if _stamp_reason(record, config))
    stamps = f" ({plural(stamped, 'rubber stamp')}, which will not count)" if stamped else ""
    return f"approved {len(approvals)} of {needed} chunks{stamps}"


def _is_author(key: str, content: _ChangeContent, config: PolicyConfig) -> bool:
    """Whether `key` is an author whose approvals never count (self-approval not allowed)."""
    return key in content.author_keys and not config.allow_self_approval


def _judge_complete_approval(standing: ReviewerStanding, key: str, records: list[ApprovalRecord],
                             content: _ChangeContent, config: PolicyConfig) -> None:
    """An approval of everything counts unless an author gave it or it was a rubber stamp."""
    distinct = {id(r): r for r in records}.values()
    stamps = [reason for reason in (_stamp_reason(r, config) for r in distinct) if reason]
    if key in content.author_keys and not config.allow_self_approval:
        standing.state, standing.detail = "author", OWN_CHANGE
    elif stamps:
        reasons = list(dict.fromkeys(stamps))
        more = f" and {len(reasons) - 2} more" if len(reasons) > 2 else ""
        standing.state, standing.detail = "rubber stamp", "; ".join(reasons[:2]) + more
    else:
        standing.state, standing.counted = "approved", True


NO_APPROVALS_YET = "no approvals yet"
NO_SENIORS = ("no seniors are configured, so no approval can count as senior: list their e-mails in [policy] seniors "
              "of .review-tui.toml (read from the base)")
STALE_NAMED = 5  # stale chunks named in check's line; the JSON lists them all


def _missing(required: Requirement, gap_total: int, gap_senior: int, stale_refs: list[ChunkRef],
             standings: list[ReviewerStanding], blocking_flags: list[tuple[ChunkRef, str]],
             flag_notes: dict[tuple[int, str], str] | None = None) -> list[str]:
    """One line per gap, most important first."""
    missing: list[str] = []
    because = f" ({'; '.join(required.because)})" if required.because else ""
    if gap_senior and max(gap_total, gap_senior) == gap_senior:
        noun = "approval" if gap_senior == 1 else "approvals"
        missing.append(f"needs {gap_senior} more senior {noun}{because}")
    elif gap_senior:
        missing.append(f"needs {max(gap_total, gap_senior)} more approvals, {gap_senior} of them senior{because}")
    elif gap_total:
        missing.append(f"needs {plural(gap_total, 'more approval')}{because}")
    if stale_refs:  # named up to STALE_NAMED: a rebase onto another base made one line of 83 chunk titles
        named = ", ".join(c.label for c in stale_refs[:STALE_NAMED])
        more = f" and {len(stale_refs) - STALE_NAMED} more" if len(stale_refs) > STALE_NAMED else ""
        # "changed or new": the records hold chunk hashes only, so a chunk added since the approval cannot be told
        # from one changed since (QA64 F1: saleor pr/18611's new chunk read "stale", approved by nobody)
        missing.append(f"{plural(len(stale_refs), 'chunk')} changed or new since an approval: {named}{more}")
    stamped = [s for s in standings if s.state == "rubber stamp"]
    if stamped:
        verb = ("approval was a rubber stamp and does not" if len(stamped) == 1
                else "approvals were rubber stamps and do not")
        missing.append(f"{len(stamped)} {verb} count (" + "; ".join(f"{s.reviewer}: {s.detail}" for s in stamped) + ")")
    missing += [f"author {s.reviewer} cannot approve their own change" for s in standings if s.state == "author"]
    notes = flag_notes or {}
    missing += [f"{chunk.label} is flagged by {who}" + (f": {notes[(chunk.index, who)]}"
                                                       if notes.get((chunk.index, who)) else "")
                for chunk, who in blocking_flags]
    missing += [f"{s.reviewer} {s.detail}" for s in standings if s.state == "partial"]
    return missing or [NO_APPROVALS_YET]  # nothing else to say: nobody has looked yet
