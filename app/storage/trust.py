"""Which review records `check` may count: signatures against the base commit's allowed signers.

The rules (README "Trust model"):
- A record read from git notes may carry an SSH signature over its exact line (notes.py); the
  signature verifying only says which key signed it.
- The repository's policy names an OpenSSH allowed-signers file; it is read from the BASE commit
  (like the policy itself), so a branch cannot add a signer for itself or switch the rule off.
- A record is *trusted* when its signature verifies and the allowed-signers file admits the signing
  key for the record's reviewer email (namespace review-tui) at the record's own time (valid-after /
  valid-before, as git judges a commit signature by the commit's time).
- With ``require_signatures`` only trusted records count; the others are listed as not counted.
  Without it every record counts and `check` says that records are not authenticated.
- Records only in the local ledger (not yet exported by `sync`) are unsigned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.storage.signing import AllowedSigners, fingerprint

if TYPE_CHECKING:
    from app.core.git.repo import GitRepo
    from app.core.policy.rules import PolicyConfig
    from app.storage.notes import ParsedNotes

MAX_SIGNERS_BYTES = 1 << 20


@dataclass
class TrustRules:
    required: bool
    allowed: AllowedSigners
    source: str
    """Where the allowed signers came from, for messages."""
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not self.required:
            return ("signatures: not required by this repository's policy; review records are NOT "
                    "authenticated (anyone who can push refs/notes/review-tui can add one)")
        return f"signatures: required; signers from {self.source} ({len(self.allowed.signers)} key(s))"


@dataclass(frozen=True)
class Verdict:
    trusted: bool
    why: str
    reason: str = ""
    """Why it is not trusted, as a code: "unsigned", "bad signature", "unknown signer" or "key not
    valid then" (outside the key's valid-after/valid-before); empty when signed by an allowed key."""


def load_rules(repo: GitRepo, base_commit: str | None, policy: PolicyConfig) -> TrustRules:
    """The trust rules of a change: the policy's switch and the allowed signers at `base_commit`."""
    path = policy.allowed_signers_file
    if base_commit is None:
        source = f"{path} (no base commit: no signer is allowed)"
        return TrustRules(policy.require_signatures, AllowedSigners(), source)
    source = f"{path} at {base_commit[:10]}"
    data = repo.file_at(base_commit, path)
    rules = TrustRules(policy.require_signatures, AllowedSigners(), source)
    if data is None:
        if policy.require_signatures:
            rules.problems.append(f"signatures are required but {path} is not in the base commit "
                                  f"{base_commit[:10]}: no record can count")
        return rules
    if len(data) > MAX_SIGNERS_BYTES:
        rules.problems.append(f"{source}: larger than {MAX_SIGNERS_BYTES:,} bytes; not read")
        return rules
    rules.allowed = AllowedSigners.parse(data.decode("utf-8", errors="replace"), source)
    rules.problems += rules.allowed.problems
    return rules


def verdict(record_id: str, reviewer: str, parsed: ParsedNotes | None, rules: TrustRules,
            at: float | None = None) -> Verdict:
    """Whether one record read from `parsed` (made at `at`) may count, and why (one short phrase)."""
    key = parsed.signers.get(record_id) if parsed is not None else None
    failure = parsed.unverified.get(record_id) if parsed is not None else None
    return judge(reviewer, key, failure, rules, at)


def judge(reviewer: str, key: bytes | None, failure: str | None, rules: TrustRules,
          at: float | None = None) -> Verdict:
    """Whether a record made at `at` whose signature verified with `key` (None: unsigned, or its
    signature failed with `failure`) may count for `reviewer` under `rules`. A key the allowed
    signers limit with valid-after / valid-before signs only records whose own time is inside
    (as git judges a commit signature by the commit's time)."""
    if key is None:
        if failure:
            return Verdict(not rules.required, f"signature not valid: {failure}", "bad signature")
        return Verdict(not rules.required, "unsigned" + (" (signatures are required)" if rules.required else ""),
                       "unsigned")
    if rules.allowed.admits(reviewer, key, at=at):
        return Verdict(True, f"signed by {fingerprint(key)}")
    if rules.allowed.admits_ever(reviewer, key):
        when = "an unknown time" if at is None else _utc(at)
        why = (f"signed by {fingerprint(key)}, a key {rules.source} allows for this reviewer only at other "
               f"times (valid-after/valid-before) than the record's, {when}")
        return Verdict(not rules.required, why, "key not valid then")
    why = f"signed by {fingerprint(key)}, a key {rules.source} does not allow for this reviewer"
    return Verdict(not rules.required, why, "unknown signer")


def _utc(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")
