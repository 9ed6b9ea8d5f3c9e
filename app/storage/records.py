"""Which review records count for a change: the one place `check`, the TUI and `stats` ask (issue 15).

A record counts toward a change's sign-off when all of these hold (README "Sign-off policy" and
"Trust model"):

1. it bears on the change and was *given on it* (app/core/policy/binding.py): on the change under
   any of its names, or at one of its commits. A decision on the same content given on another
   change is listed as not counted ("given on another change") until the reviewer carries it over;
2. it is *trusted* (app/storage/trust.py): when the base commit's policy requires signatures, its
   signature verifies and the base commit's allowed-signers file admits the key for its reviewer.
   A record's signed line comes from the notes or, for records signed when they were made, from the
   ledger (``record_signatures``);
3. then the policy (app/core/policy/rules.py) judges the counted records against the current
   content: stale approvals, rubber stamps, authors, flags.

Comments and thread acts (resolve, reopen) follow rule 2 too: where signatures are required, an
unsigned or unknown-signer comment or act is left out of the change's threads (and listed as not
counted), so nobody who can push the notes ref opens or resolves a thread for someone else.

`ReviewRecords` reads the ledger and the notes refs of one repository; the notes are parsed once per
position of the notes refs, the trust rules once per base commit, so the TUI can ask for every row
of its queue.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from app.core.policy.binding import ChangeBinding
from app.core.policy.rules import ApprovalRecord
from app.storage import notes, trust
from app.storage.ledger import Comment, CommentThread, Decision, Ledger, ThreadState, build_threads

if TYPE_CHECKING:
    from app.core.git.repo import GitRepo
    from app.core.policy.rules import PolicyConfig

NOTES_RECHECK_SECONDS = 2.0  # a long-lived reader (the TUI) looks for moved notes refs at most this often
MAX_NOT_COUNTED_SHOWN = 20
UNKNOWN_REVIEWER = "unknown@localhost"
"""Who a decision is recorded as on a machine with neither git's user.email nor review-tui's reviewer_email."""
NO_IDENTITY_WHY = (f"recorded as {UNKNOWN_REVIEWER}, without a reviewer identity (git user.email or reviewer_email): "
                   f"nobody can tell who approved, so it does not count")

_Shared = TypeVar("_Shared", Comment, ThreadState)

_Candidate = tuple[Decision, tuple[str, ...] | None, bytes | None, str | None]

ANOTHER_CHANGE = "another change"
UNSIGNED = "unsigned"
BAD_SIGNATURE = "bad signature"
UNKNOWN_SIGNER = "unknown signer"
KEY_NOT_VALID_THEN = "key not valid then"
NO_IDENTITY = "no identity"
REASON_LABELS = {ANOTHER_CHANGE: "elsewhere", UNSIGNED: "unsigned", BAD_SIGNATURE: "bad sig",
                 UNKNOWN_SIGNER: "unknown key", KEY_NOT_VALID_THEN: "expired key", NO_IDENTITY: "anonymous"}
"""Short labels for narrow columns (the TUI's chunk status)."""


@dataclass(frozen=True)
class Uncounted:
    """A record that bears on the change but does not count, and why."""

    decision: Decision
    record: ApprovalRecord
    reason: str
    """ANOTHER_CHANGE, NO_IDENTITY, UNSIGNED, BAD_SIGNATURE, UNKNOWN_SIGNER or KEY_NOT_VALID_THEN."""
    why: str
    """In words, e.g. "given on another change (feature-a); review this change to count"."""

    @property
    def line(self) -> str:
        d = self.decision
        return f"{d.decision} by {d.reviewer} (record {d.record_id}): {self.why}"


@dataclass
class Counted:
    """The records of one change: those that count, those shown but not counted, and what was read."""

    decisions: list[Decision]
    """Decisions that count (binding and signatures satisfied), oldest first."""
    records: list[ApprovalRecord]
    """The same as the policy sees them (with covered hashes)."""
    uncounted: list[Uncounted]
    warnings: list[str] = field(default_factory=list)
    signatures: str = ""
    """What the repository requires of record signatures (one line)."""
    signed_by: dict[str, bytes] = field(default_factory=dict)
    """Record id -> the allowed key that signed it (records that count with a signature)."""

    def uncounted_lines(self, limit: int = MAX_NOT_COUNTED_SHOWN) -> list[str]:
        lines = sorted(u.line for u in self.uncounted)
        if len(lines) > limit:
            lines = [*lines[:limit], f"... and {len(lines) - limit} more record(s) not counted"]
        return lines

    def of_reviewer(self, reviewer: str) -> tuple[list[Decision], list[Uncounted]]:
        """One reviewer's counted decisions and not-counted records (emails compared case-insensitively)."""
        key = reviewer.strip().lower()
        return ([d for d in self.decisions if d.reviewer.strip().lower() == key],
                [u for u in self.uncounted if u.decision.reviewer.strip().lower() == key])


class ReviewRecords:
    """Every review record of one repository, from the ledger and the notes refs, judged per change."""

    def __init__(self, repo: GitRepo, repo_key: str, ledger: Ledger | None, *, read_notes: bool = True) -> None:
        self.repo = repo
        self.repo_key = repo_key
        self.ledger = ledger
        self.read_notes = read_notes
        self._notes: tuple[tuple[tuple[str, str | None], ...], notes.ParsedNotes] | None = None
        self._notes_checked_at = float("-inf")
        self._rules: dict[tuple[str | None, bool, str], trust.TrustRules] = {}

    def parsed_notes(self) -> notes.ParsedNotes | None:
        """The parsed notes refs, re-read only when a notes ref moved. Whether one moved is asked at most
        every NOTES_RECHECK_SECONDS: finding the notes refs scans every ref name, and the TUI asked for each
        change's status (3,000 branches: 3,000 scans of 3,000 refs, half a minute with the queue frozen)."""
        if not self.read_notes:
            return None
        now = time.monotonic()
        if self._notes is not None and now - self._notes_checked_at < NOTES_RECHECK_SECONDS:
            return self._notes[1]
        self._notes_checked_at = now
        refs = notes.notes_refs(self.repo)
        tips = tuple((ref, self.repo.reference_target(ref)) for ref in refs)
        if self._notes is None or self._notes[0] != tips:
            self._notes = (tips, notes.read_notes(self.repo, self.repo_key, refs))
        return self._notes[1]

    def carries(self, parsed: notes.ParsedNotes | None) -> dict[str, tuple[str, str]]:
        """{record id: (record id, change id) it carried over}, from the ledger and the notes."""
        found = dict(parsed.carries) if parsed is not None else {}
        if self.ledger is not None:
            found.update(self.ledger.carries())
        return found

    def rules(self, base_commit: str | None, policy: PolicyConfig) -> trust.TrustRules:
        key = (base_commit, policy.require_signatures, policy.allowed_signers_file)
        if key not in self._rules:
            self._rules[key] = trust.load_rules(self.repo, base_commit, policy)
        return self._rules[key]

    def _candidates(self, binding: ChangeBinding, parsed: notes.ParsedNotes | None) -> dict[str, _Candidate]:
        """{record id: (decision, covered hashes, signing key, why its signature failed)} of every
        record that may bear on the change. Copies of a record: the notes' first, then the ledger's
        signed copy, then the ledger's row; a copy whose signature verified wins over one without."""
        found: dict[str, _Candidate] = {}
        sources = [parsed] if parsed is not None else []
        rows: list[Decision] = []
        if self.ledger is not None:
            rows = self.ledger.decisions_bearing_on(self.repo_key, chunk_hashes=binding.current,
                                                    change_ids=binding.stored_ids(), heads=binding.heads)
            sources.append(notes.signed_copies(self.ledger, self.repo_key, [d.record_id for d in rows]))
        for source in sources:
            for decision, covers in source.decisions:
                key = source.signers.get(decision.record_id)
                held = found.get(decision.record_id)
                if held is None or (held[2] is None and key is not None):
                    found[decision.record_id] = (decision, covers, key, source.unverified.get(decision.record_id))
        if rows:
            coverage = notes.coverage_of(self.ledger) if self.ledger is not None else {}
            for decision in rows:
                found.setdefault(decision.record_id, (decision, coverage.get(decision.record_id), None, None))
        return found

    def for_change(self, binding: ChangeBinding, base_commit: str | None, policy: PolicyConfig) -> Counted:
        """The records bearing on one change, split into those that count and those that do not."""
        rules = self.rules(base_commit, policy)
        parsed = self.parsed_notes()
        warnings = [*rules.problems, *(parsed.problems if parsed is not None else [])]
        counted = Counted([], [], [], warnings, rules.describe())
        for decision, covers, key, failure in self._candidates(binding, parsed).values():
            record = notes.approval_record(decision, covers)
            if not binding.bears_on(record):
                continue
            if not binding.given_here(record):
                why = f"given on another change ({decision.change_id}); review this change or carry it over"
                counted.uncounted.append(Uncounted(decision, record, ANOTHER_CHANGE, why))
                continue
            if decision.reviewer.strip().lower() == UNKNOWN_REVIEWER:
                # every machine without an identity records as this one "person": it may be the author
                counted.uncounted.append(Uncounted(decision, record, NO_IDENTITY, NO_IDENTITY_WHY))
                continue
            verdict = trust.judge(decision.reviewer, key, failure, rules, decision.created_at)
            if verdict.trusted:
                counted.decisions.append(decision)
                counted.records.append(record)
                if key is not None:
                    counted.signed_by[decision.record_id] = key
            else:
                counted.uncounted.append(Uncounted(decision, record, verdict.reason, verdict.why))
        counted.uncounted = self._unanswered(counted, parsed)
        order = sorted(range(len(counted.decisions)),
                       key=lambda i: (counted.decisions[i].created_at, counted.decisions[i].record_id))
        counted.decisions = [counted.decisions[i] for i in order]
        counted.records = [counted.records[i] for i in order]
        return counted

    def _unanswered(self, counted: Counted, parsed: notes.ParsedNotes | None) -> list[Uncounted]:
        """The not-counted records still worth showing: a decision given elsewhere is answered when
        it was carried over here, or when its reviewer decided on the same content here since."""
        answered = {self.carries(parsed).get(d.record_id, ("", ""))[0] for d in counted.decisions}
        newest_here: dict[tuple[str, str], float] = {}
        approved_here: set[tuple[str, str]] = set()
        for d in counted.decisions:
            if d.chunk_hash is not None:
                who = (d.reviewer.strip().lower(), d.chunk_hash)
                newest_here[who] = max(newest_here.get(who, d.created_at), d.created_at)
                if d.decision == "approve":
                    approved_here.add(who)

        def answered_here(u: Uncounted) -> bool:
            d = u.decision
            if u.reason != ANOTHER_CHANGE:
                return False
            who = (d.reviewer.strip().lower(), d.chunk_hash or "")
            # the same content approved here too, earlier or later: the approval here covers it (a carry
            # to another branch made every branch holding the chunk list its approval as not counted)
            later = newest_here.get(who, float("-inf"))
            return d.record_id in answered or who in approved_here or later >= d.created_at

        return [u for u in counted.uncounted if not answered_here(u)]

    def threads_for(self, binding: ChangeBinding, base_commit: str | None, policy: PolicyConfig,
                    not_counted: list[str] | None = None) -> list[CommentThread]:
        """The comment threads on the change (under any of its names), from the notes and the ledger
        merged by record id; open ones first, then by place. Comments and acts the trust rules do not
        admit are left out, each described in `not_counted` when given."""
        parsed = self.parsed_notes()
        comments = {c.record_id: c for c in (parsed.comments if parsed is not None else ())}
        states = {s.record_id: s for s in (parsed.thread_states if parsed is not None else ())}
        if self.ledger is not None:
            for comment in self.ledger.iter_comments(repo=self.repo_key):
                comments.setdefault(comment.record_id, comment)
            for state in self.ledger.iter_thread_states(repo=self.repo_key):
                states.setdefault(state.record_id, state)
        from app.core.policy.binding import plain_id

        def here(change_id: str) -> bool:
            return plain_id(change_id, binding.remotes) in binding.names

        mine = [c for c in comments.values() if here(c.change_id)]
        acts = [s for s in states.values() if here(s.change_id)]
        rules = self.rules(base_commit, policy)
        if rules.required:
            shown = not_counted if not_counted is not None else []
            mine = _trusted(mine, "comment", parsed, rules, shown)
            acts = _trusted(acts, "thread act", parsed, rules, shown)
        threads = build_threads(mine, acts)
        return sorted(threads, key=lambda t: (t.resolved, t.root.path, t.root.line or 0, t.root.created_at))


def _trusted(records: list[_Shared], what: str, parsed: notes.ParsedNotes | None, rules: trust.TrustRules,
             not_counted: list[str]) -> list[_Shared]:
    """The records that may count under `rules`; the others are described in `not_counted`."""
    kept = []
    for record in records:
        verdict = trust.verdict(record.record_id, record.reviewer, parsed, rules, record.created_at)
        if verdict.trusted:
            kept.append(record)
        elif len(not_counted) < 2 * MAX_NOT_COUNTED_SHOWN:
            not_counted.append(f"{what} by {record.reviewer} (record {record.record_id}): {verdict.why}")
    return kept
