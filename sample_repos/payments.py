"""The "payments-service" sample repository: a small Python payments service with pending branches.

Its main history is a few months of ordinary work by four people; the pending branches cover what a
reviewer meets in practice: AI-assisted refactors of critical code (Claude, aider, Copilot, Cursor,
Codex, git-ai notes), destructive infrastructure and SQL, a huge generated change, renames, binary
files, merge commits, docs-only and tests-only changes, a fetched pull request, a remote-tracking
branch and a branch that is already merged. Every author, date and byte is fixed, so the commit ids
are the same on every build.

`EXPECTED` records, per pending branch, how many added lines come from AI-signalled commits (or
git-ai note ranges) and how many from humans; tests check it against `git diff --numstat`.
"""

from __future__ import annotations

import json
import random
import struct
import zlib
from pathlib import Path

from .builder import Clock, Person, RepoBuilder

NAME = "payments-service"

# -- people ----------------------------------------------------------------------------------------
MAYA = Person("Maya Chen", "maya.chen@acmepay.example")  # tech lead, senior
PRIYA = Person("Priya Raman", "priya.raman@acmepay.example")  # senior backend
TOM = Person("Tom Okafor", "tom.okafor@acmepay.example")  # backend
LUIS = Person("Luis Ortega", "luis.ortega@acmepay.example")  # platform engineer
DANA = Person("Dana Lee", "dana.lee@acmepay.example")  # backend, uses aider
DANA_AIDER = Person("Dana Lee (aider)", "dana.lee@acmepay.example")
SAM = Person("Sam Rivera", "sam@rivera.dev")  # external contributor (pull request 42)
COPILOT = Person("Copilot", "198982749+Copilot@users.noreply.github.com")
GITHUB = Person("GitHub", "noreply@github.com")
CURSOR_AGENT = Person("Cursor Agent", "cursoragent@cursor.com")

SENIORS = (MAYA.email, PRIYA.email)

# -- what the branches are -------------------------------------------------------------------------
PENDING_BRANCHES = (
    "feature/retry-refactor-claude",
    "aider/add-refund-webhooks",
    "copilot/fix-currency-rounding",
    "infra/recreate-staging-env",
    "ai/generated-sdk-client",
    "fix/ledger-double-post",
    "docs/runbook-update",
    "test/refund-coverage",
    "refactor/rename-gateway-modules",
    "feature/receipt-pdf",
    "feature/multi-currency",
    "migration/drop-legacy-tables",
    "feature/fraud-rules-gitai",
)
MERGED_BRANCHES = ("feature/settlement-report",)
PULL_REFS = ("refs/pull/42/head",)
REMOTE_PENDING = ("refs/remotes/origin/feature/audit-log",)

# Added lines per pending change (base...head), split by provenance. "ai_added" counts lines added by
# commits that carry an AI signal, or (feature/fraud-rules-gitai) lines inside git-ai note ranges.
# Each branch is written so that no commit rewrites a line added by an earlier commit of the same
# branch: per-commit counts, the branch diff and blame restricted to base..head all agree.
EXPECTED: dict[str, dict[str, object]] = {
    "feature/retry-refactor-claude": {"ai_added": 0, "human_added": 12, "tools": ("claude",)},
    "aider/add-refund-webhooks": {"ai_added": 0, "human_added": 0, "tools": ("aider",)},
    "copilot/fix-currency-rounding": {"ai_added": 0, "human_added": 0, "tools": ("copilot",)},
    "infra/recreate-staging-env": {"ai_added": 0, "human_added": 0, "tools": ()},
    "ai/generated-sdk-client": {"ai_added": 0, "human_added": 0, "tools": ("cursor",)},
    "fix/ledger-double-post": {"ai_added": 0, "human_added": 0, "tools": ()},
    "docs/runbook-update": {"ai_added": 0, "human_added": 0, "tools": ()},
    "test/refund-coverage": {"ai_added": 0, "human_added": 0, "tools": ()},
    "refactor/rename-gateway-modules": {"ai_added": 0, "human_added": 0, "tools": ()},
    "feature/receipt-pdf": {"ai_added": 0, "human_added": 0, "tools": ()},
    "feature/multi-currency": {"ai_added": 0, "human_added": 0, "tools": ()},
    "migration/drop-legacy-tables": {"ai_added": 0, "human_added": 0, "tools": ("codex",)},
    "feature/fraud-rules-gitai": {"ai_added": 0, "human_added": 0, "tools": ("git-ai:cursor",)},
    "refs/pull/42/head": {"ai_added": 0, "human_added": 0, "tools": ()},
    "refs/remotes/origin/feature/audit-log": {"ai_added": 0, "human_added": 0, "tools": ()},
}

CLAUDE_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
CLAUDE_BODY = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"


# ==================================================================================================
# File contents of main. Raw strings: the sample's own escapes (\n in f-strings) stay as written.
# ==================================================================================================

README_MD = r'''# payments-service

Acme Pay's payment service: takes card payments through Stripe, keeps a double-entry ledger,
issues refunds and signs outgoing webhooks.

## Layout

| path | what |
|---|---|
| `payments/api.py` | request handlers (framework-free, wrapped by the gateway service) |
| `payments/ledger.py` | double-entry ledger; every money movement is a balanced journal entry |
| `payments/refunds.py` | refund rules and processing |
| `payments/retry.py` | retry policy for provider calls |
| `payments/gateway/` | payment provider clients (Stripe) |
| `payments/auth/` | API tokens |
| `payments/crypto/` | payload signing |
| `infra/terraform/` | AWS infrastructure |
| `migrations/` | PostgreSQL schema migrations, applied in order |

## Development

```
python -m venv .venv && . .venv/bin/activate
pip install -r requirements.txt
pytest
```

Changes under `payments/gateway`, `payments/auth`, `infra` and `migrations` need two approvals,
one of them from a senior engineer (see `.review-tui.toml`).
'''

PYPROJECT_TOML = r'''[project]
name = "payments-service"
version = "0.4.0"
requires-python = ">=3.11"
dependencies = [
    "requests>=2.31",
    "psycopg[binary]>=3.1",
    "pydantic>=2.5",
]

[project.optional-dependencies]
dev = ["pytest>=8.0", "ruff>=0.4", "mypy>=1.8"]

[tool.ruff]
line-length = 100

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

REQUIREMENTS_TXT = r'''requests==2.32.3
psycopg[binary]==3.2.1
pydantic==2.8.2
pytest==8.3.2
ruff==0.6.1
'''

REQUIREMENTS_TXT_V2 = r'''requests==2.32.3
psycopg[binary]==3.2.3
pydantic==2.9.2
pytest==8.3.3
ruff==0.6.9
mypy==1.11.2
'''

GITIGNORE = r'''__pycache__/
*.pyc
.venv/
.pytest_cache/
.terraform/
*.tfstate
*.tfstate.backup
state-backup/
'''

INIT_PY = r'''"""Acme Pay payments service."""

__version__ = "0.4.0"
'''

MODELS_PY = r'''"""Domain models: money, payments and refunds."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone


class Currency(str, enum.Enum):
    USD = "USD"
    EUR = "EUR"
    GBP = "GBP"
    JPY = "JPY"
    KWD = "KWD"


class PaymentStatus(str, enum.Enum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


@dataclass(frozen=True)
class Money:
    """An amount in minor units (cents) of one currency."""

    amount: int
    currency: Currency

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def is_zero(self) -> bool:
        return self.amount == 0


def to_minor_units(amount: float, currency: Currency) -> Money:
    """Convert a decimal amount (as sent by clients) to minor units."""
    return Money(int(round(amount * 100)), currency)


def format_money(money: Money) -> str:
    return f"{money.amount / 100:.2f} {money.currency.value}"


@dataclass
class Payment:
    payment_id: str
    merchant_id: str
    amount: Money
    status: PaymentStatus = PaymentStatus.PENDING
    provider_charge_id: str | None = None
    refunded: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def refundable(self) -> Money:
        """What can still be refunded."""
        if self.status not in (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED):
            return Money(0, self.amount.currency)
        return Money(self.amount.amount - self.refunded, self.amount.currency)


@dataclass
class Refund:
    refund_id: str
    payment_id: str
    amount: Money
    reason: str
    provider_refund_id: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
'''

LEDGER_PY = r'''"""Double-entry ledger: every money movement is a balanced journal entry."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .models import Currency, Money


class LedgerError(Exception):
    pass


class UnbalancedEntry(LedgerError):
    pass


class DuplicatePosting(LedgerError):
    pass


@dataclass(frozen=True)
class Posting:
    account: str
    amount: int  # minor units; debits positive, credits negative


@dataclass(frozen=True)
class JournalEntry:
    entry_id: str
    currency: Currency
    postings: tuple[Posting, ...]
    memo: str = ""
    posted_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def validate(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedEntry(f"{self.entry_id}: an entry needs at least two postings")
        total = sum(p.amount for p in self.postings)
        if total != 0:
            raise UnbalancedEntry(f"{self.entry_id}: postings sum to {total}, not 0")
        seen: set[str] = set()
        for posting in self.postings:
            if posting.amount == 0:
                raise UnbalancedEntry(f"{self.entry_id}: zero posting to {posting.account}")
            if posting.account in seen:
                raise UnbalancedEntry(f"{self.entry_id}: {posting.account} posted twice")
            seen.add(posting.account)


class Ledger:
    """In-memory ledger; the Postgres store mirrors the same rules in SQL constraints."""

    def __init__(self) -> None:
        self._entries: list[JournalEntry] = []
        self._balances: dict[tuple[str, Currency], int] = defaultdict(int)

    def post(self, entry: JournalEntry) -> None:
        """Validate and apply an entry; posting the same entry id twice is an error."""
        entry.validate()
        if entry.entry_id in self._entries:
            raise DuplicatePosting(entry.entry_id)
        for posting in entry.postings:
            self._balances[(posting.account, entry.currency)] += posting.amount
        self._entries.append(entry)

    def balance(self, account: str, currency: Currency) -> Money:
        return Money(self._balances[(account, currency)], currency)

    def entries_for(self, account: str) -> list[JournalEntry]:
        return [e for e in self._entries if any(p.account == account for p in e.postings)]

    def trial_balance(self) -> dict[Currency, int]:
        """Sum of all balances per currency; always zero for a consistent ledger."""
        totals: dict[Currency, int] = defaultdict(int)
        for (_, currency), amount in self._balances.items():
            totals[currency] += amount
        return dict(totals)


def capture_entry(entry_id: str, merchant_id: str, amount: Money, fee: int) -> JournalEntry:
    """Customer funds arrive: provider clearing is debited, merchant and fees credited."""
    if fee < 0 or fee >= amount.amount:
        raise LedgerError(f"{entry_id}: fee {fee} out of range for {amount.amount}")
    postings = [Posting("provider:clearing", amount.amount), Posting(f"merchant:{merchant_id}", -(amount.amount - fee))]
    if fee:
        postings.append(Posting("revenue:fees", -fee))
    return JournalEntry(entry_id, amount.currency, tuple(postings), memo="capture")


def refund_entry(entry_id: str, merchant_id: str, amount: Money) -> JournalEntry:
    return JournalEntry(
        entry_id,
        amount.currency,
        (Posting(f"merchant:{merchant_id}", amount.amount), Posting("provider:clearing", -amount.amount)),
        memo="refund",
    )
'''

RETRY_PY = r'''"""Retry policy for calls to payment providers.

Provider calls fail transiently (timeouts, 429s, 5xx). We retry those with capped exponential
backoff and jitter, so a burst of failures does not turn into a thundering herd at the provider.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class RetryError(Exception):
    """Every attempt failed; carries the last error."""

    def __init__(self, attempts: int, last_error: BaseException) -> None:
        super().__init__(f"gave up after {attempts} attempts: {last_error}")
        self.attempts = attempts
        self.last_error = last_error


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry one kind of call."""

    max_attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 5.0
    multiplier: float = 2.0
    jitter: bool = True
    retry_on: tuple[type[BaseException], ...] = (TimeoutError, ConnectionError)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("delays must satisfy 0 <= base_delay <= max_delay")
        if self.multiplier < 1:
            raise ValueError("multiplier must be >= 1")

    def delay_for(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before `attempt` (1-based; the first attempt never waits)."""
        if attempt <= 1:
            return 0.0
        delay = exponential_backoff(attempt - 1, self.base_delay, self.max_delay, self.multiplier)
        if self.jitter:
            delay = full_jitter(delay, rng)
        return delay

    def is_retryable(self, error: BaseException) -> bool:
        if isinstance(error, self.retry_on):
            return True
        status = getattr(error, "status", None)
        return status in RETRYABLE_STATUS


def exponential_backoff(retry: int, base: float, cap: float, multiplier: float = 2.0) -> float:
    """base * multiplier ** (retry - 1), never above cap."""
    if retry < 1:
        return 0.0
    return min(cap, base * multiplier ** (retry - 1))


def full_jitter(delay: float, rng: random.Random | None = None) -> float:
    """A uniform delay in [0, delay] ("Exponential Backoff and Jitter", AWS architecture blog)."""
    generator = rng or random
    return generator.uniform(0, delay)


def call_with_retry(
    operation: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
) -> T:
    """Run `operation`, retrying per `policy`; raise RetryError when attempts run out."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return operation()
        except Exception as error:
            if not policy.is_retryable(error):
                raise
            if attempt >= policy.max_attempts:
                raise RetryError(attempt, error) from error
            delay = policy.delay_for(attempt + 1)
            if on_retry is not None:
                on_retry(attempt, error, delay)
            sleep(delay)


DEFAULT_POLICY = RetryPolicy()
CAPTURE_POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0)
'''
