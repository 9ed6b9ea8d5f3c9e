"""Sign-off policy: who must approve what (SPEC.md "Policy").

Rules match a change by tier and AI share; the requirements of every matching rule combine by
maximum. Defaults mirror the 2026 industry rules: one approval for every change; a senior's
approval when more than 30% of the added lines are AI-written; Tier 0 needs two approvals, one
of them senior. An author never approves their own change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.settings import SectionReader
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
        reader.finish()
        return cls(seniors, reviewers, tuple(rules), opened, fast, self_ok)


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
