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

from .builder import Clock, Content, Person, RepoBuilder

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
    "feature/retry-refactor-claude": {"ai_added": 231, "human_added": 12, "tools": ("claude",)},
    "aider/add-refund-webhooks": {"ai_added": 126, "human_added": 9, "tools": ("aider",)},
    "copilot/fix-currency-rounding": {"ai_added": 59, "human_added": 0, "tools": ("copilot",)},
    "infra/recreate-staging-env": {"ai_added": 0, "human_added": 24, "tools": ()},
    "ai/generated-sdk-client": {"ai_added": 21670, "human_added": 0, "tools": ("cursor",)},
    "fix/ledger-double-post": {"ai_added": 0, "human_added": 14, "tools": ()},
    "docs/runbook-update": {"ai_added": 0, "human_added": 31, "tools": ()},
    "test/refund-coverage": {"ai_added": 0, "human_added": 77, "tools": ()},
    "refactor/rename-gateway-modules": {"ai_added": 0, "human_added": 147, "tools": ()},
    "feature/receipt-pdf": {"ai_added": 0, "human_added": 77, "tools": ()},
    "feature/multi-currency": {"ai_added": 0, "human_added": 77, "tools": ()},
    "migration/drop-legacy-tables": {"ai_added": 20, "human_added": 0, "tools": ("codex",)},
    "feature/fraud-rules-gitai": {"ai_added": 50, "human_added": 25, "tools": ("git-ai:cursor",)},
    "refs/pull/42/head": {"ai_added": 0, "human_added": 3, "tools": ()},
    "refs/remotes/origin/feature/audit-log": {"ai_added": 0, "human_added": 54, "tools": ()},
}

CLAUDE_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
CLAUDE_BODY = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"


# ==================================================================================================
# File contents of main. Raw strings: the sample's own escapes (\n in f-strings) stay as written.
# ==================================================================================================

README_MD = r"""# payments-service

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
"""

PYPROJECT_TOML = r"""[project]
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
"""

REQUIREMENTS_TXT = r"""requests==2.32.3
psycopg[binary]==3.2.1
pydantic==2.8.2
pytest==8.3.2
ruff==0.6.1
"""

REQUIREMENTS_TXT_V2 = r"""requests==2.32.3
psycopg[binary]==3.2.3
pydantic==2.9.2
pytest==8.3.3
ruff==0.6.9
mypy==1.11.2
"""

GITIGNORE = r"""__pycache__/
*.pyc
.venv/
.pytest_cache/
.terraform/
*.tfstate
*.tfstate.backup
state-backup/
"""

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
    postings = [
        Posting("provider:clearing", amount.amount),
        Posting(f"merchant:{merchant_id}", -(amount.amount - fee)),
    ]
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

# Main, later: honour the provider's Retry-After header (Tom, after the Claude branch forked).
RETRY_PY_V2 = RETRY_PY.replace(
    r"""            delay = policy.delay_for(attempt + 1)
            if on_retry is not None:""",
    r"""            delay = policy.delay_for(attempt + 1)
            retry_after = getattr(error, "retry_after", None)
            if isinstance(retry_after, (int, float)) and retry_after > delay:
                # The provider knows its own rate limit better than our backoff does.
                delay = min(float(retry_after), policy.max_delay * 4)
            if on_retry is not None:""",
)

GATEWAY_INIT_PY = r'''"""Payment provider clients."""

from .errors import CardDeclined, GatewayError, ProviderUnavailable
from .stripe_client import StripeClient

__all__ = ["CardDeclined", "GatewayError", "ProviderUnavailable", "StripeClient"]
'''

GATEWAY_ERRORS_PY = r'''"""Errors raised by provider clients, with the provider's codes mapped to ours."""

from __future__ import annotations


class GatewayError(Exception):
    """A provider call failed."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class CardDeclined(GatewayError):
    """The issuer declined; retrying will not help."""


class ProviderUnavailable(GatewayError):
    """The provider is down or rate limiting; safe to retry with the same idempotency key."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


DECLINE_MESSAGES = {
    "insufficient_funds": "The card has insufficient funds.",
    "expired_card": "The card has expired.",
    "incorrect_cvc": "The security code is incorrect.",
    "card_velocity_exceeded": "The card has been used too often; try later.",
}


def error_from_response(status: int, body: dict) -> GatewayError:
    """Turn a provider error response into the right exception."""
    error = body.get("error") or {}
    code = error.get("code") or error.get("decline_code")
    message = error.get("message") or f"provider returned {status}"
    if status == 402 or error.get("type") == "card_error":
        return CardDeclined(DECLINE_MESSAGES.get(code or "", message), status=status, code=code)
    if status == 429 or status >= 500:
        retry_after = body.get("retry_after")
        return ProviderUnavailable(message, status=status, retry_after=retry_after)
    return GatewayError(message, status=status, code=code)
'''

STRIPE_CLIENT_PY = r'''"""A thin Stripe client: charges and refunds with idempotency keys and retries."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Callable, Protocol

from ..models import Money
from ..retry import CAPTURE_POLICY, RetryPolicy, call_with_retry
from .errors import GatewayError, error_from_response

API_BASE = "https://api.stripe.com/v1"


class Transport(Protocol):
    def __call__(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]: ...


@dataclass
class ChargeResult:
    charge_id: str
    status: str
    captured: bool


class StripeClient:
    def __init__(
        self,
        api_key: str,
        transport: Transport,
        *,
        policy: RetryPolicy = CAPTURE_POLICY,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not api_key.startswith(("sk_live_", "sk_test_")):
            raise ValueError("not a Stripe secret key")
        self._api_key = api_key
        self._transport = transport
        self._policy = policy
        self._sleep = sleep

    @property
    def live(self) -> bool:
        return self._api_key.startswith("sk_live_")

    def _headers(self, idempotency_key: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._api_key}",
            "Idempotency-Key": idempotency_key,
            "Content-Type": "application/x-www-form-urlencoded",
        }

    def _request(self, method: str, path: str, params: dict[str, str], idempotency_key: str) -> dict:
        body = "&".join(f"{k}={v}" for k, v in sorted(params.items())).encode()
        headers = self._headers(idempotency_key)

        def once() -> dict:
            status, raw = self._transport(method, API_BASE + path, headers, body)
            try:
                payload = json.loads(raw or b"{}")
            except ValueError as exc:
                raise GatewayError(f"unparseable response ({status})", status=status) from exc
            if status >= 400:
                raise error_from_response(status, payload)
            return payload

        kwargs = {"sleep": self._sleep} if self._sleep else {}
        return call_with_retry(once, self._policy, **kwargs)

    def create_charge(
        self, amount: Money, source: str, *, capture: bool = True, idempotency_key: str | None = None
    ) -> ChargeResult:
        if amount.amount <= 0:
            raise ValueError("charge amount must be positive")
        params = {
            "amount": str(amount.amount),
            "currency": amount.currency.value.lower(),
            "source": source,
            "capture": "true" if capture else "false",
        }
        payload = self._request("POST", "/charges", params, idempotency_key or str(uuid.uuid4()))
        return ChargeResult(payload["id"], payload.get("status", "unknown"), bool(payload.get("captured")))

    def refund_charge(self, charge_id: str, amount: Money | None = None, *, idempotency_key: str) -> str:
        params = {"charge": charge_id}
        if amount is not None:
            params["amount"] = str(amount.amount)
        payload = self._request("POST", "/refunds", params, idempotency_key)
        if payload.get("status") not in ("succeeded", "pending"):
            raise GatewayError(f"refund {payload.get('id')} is {payload.get('status')}")
        return payload["id"]
'''

AUTH_INIT_PY = r'''"""API authentication."""
'''

TOKENS_PY = r'''"""API tokens: HMAC-signed, scoped, short-lived.

Format: base64url(json claims) + "." + base64url(hmac-sha256(claims, key)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

SCOPES = frozenset({"payments:read", "payments:write", "refunds:write", "admin"})
MAX_TTL = 3600


class TokenError(Exception):
    pass


@dataclass(frozen=True)
class Claims:
    subject: str
    scopes: frozenset[str]
    expires_at: int

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(subject: str, scopes: set[str], key: bytes, *, ttl: int = 900, now: int | None = None) -> str:
    unknown = set(scopes) - SCOPES
    if unknown:
        raise TokenError(f"unknown scopes: {sorted(unknown)}")
    if not 0 < ttl <= MAX_TTL:
        raise TokenError(f"ttl must be in 1..{MAX_TTL}")
    issued = int(now if now is not None else time.time())
    claims = {"sub": subject, "scp": sorted(scopes), "exp": issued + ttl}
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def verify_token(token: str, key: bytes, *, now: int | None = None) -> Claims:
    try:
        body, signature = token.split(".")
    except ValueError as exc:
        raise TokenError("malformed token") from exc
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        raise TokenError("bad signature")
    try:
        claims = json.loads(_unb64(body))
    except ValueError as exc:
        raise TokenError("unreadable claims") from exc
    current = int(now if now is not None else time.time())
    if claims.get("exp", 0) <= current:
        raise TokenError("token expired")
    scopes = frozenset(claims.get("scp") or ())
    if not scopes <= SCOPES:
        raise TokenError("token carries unknown scopes")
    return Claims(claims["sub"], scopes, claims["exp"])


def require_scope(token: str, key: bytes, scope: str) -> Claims:
    claims = verify_token(token, key)
    if not claims.allows(scope):
        raise TokenError(f"{claims.subject} lacks {scope}")
    return claims
'''

CRYPTO_INIT_PY = r'''"""Signing of outgoing payloads."""
'''

SIGNING_PY = r'''"""Sign and verify webhook payloads (HMAC-SHA256 over timestamp + canonical JSON)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    pass


def canonical_json(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign_payload(payload: dict, secret: bytes, *, timestamp: int | None = None) -> str:
    ts = int(timestamp if timestamp is not None else time.time())
    mac = hmac.new(secret, str(ts).encode() + b"." + canonical_json(payload), hashlib.sha256)
    return f"t={ts},v1={mac.hexdigest()}"


def verify_signature(payload: dict, header: str, secret: bytes, *, now: int | None = None) -> None:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if "t" not in parts or "v1" not in parts:
        raise SignatureError("missing timestamp or signature")
    try:
        ts = int(parts["t"])
    except ValueError as exc:
        raise SignatureError("bad timestamp") from exc
    current = int(now if now is not None else time.time())
    if abs(current - ts) > TOLERANCE_SECONDS:
        raise SignatureError("timestamp outside tolerance")
    expected = sign_payload(payload, secret, timestamp=ts).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts["v1"]):
        raise SignatureError("signature mismatch")
'''

REFUNDS_PY = r'''"""Refund rules and processing."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from .gateway import CardDeclined, GatewayError, StripeClient
from .ledger import Ledger, refund_entry
from .models import Money, Payment, PaymentStatus, Refund

REFUND_WINDOW = timedelta(days=180)
REASONS = frozenset({"requested_by_customer", "duplicate", "fraudulent"})


class RefundRejected(Exception):
    pass


def check_refund(payment: Payment, amount: Money, reason: str, *, now: datetime | None = None) -> None:
    """Raise RefundRejected when `amount` cannot be refunded for `payment`."""
    current = now or datetime.now(timezone.utc)
    if reason not in REASONS:
        raise RefundRejected(f"unknown reason {reason!r}")
    if amount.currency != payment.amount.currency:
        raise RefundRejected("refund currency differs from payment currency")
    if amount.amount <= 0:
        raise RefundRejected("refund amount must be positive")
    if payment.status not in (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED):
        raise RefundRejected(f"payment is {payment.status.value}")
    if current - payment.created_at > REFUND_WINDOW and reason != "fraudulent":
        raise RefundRejected("refund window has closed")
    if amount.amount > payment.refundable().amount:
        raise RefundRejected("amount exceeds what is left to refund")


class RefundService:
    def __init__(self, gateway: StripeClient, ledger: Ledger) -> None:
        self._gateway = gateway
        self._ledger = ledger

    def refund(self, payment: Payment, amount: Money, reason: str) -> Refund:
        check_refund(payment, amount, reason)
        refund_id = f"re_{uuid.uuid4().hex[:16]}"
        try:
            provider_id = self._gateway.refund_charge(
                payment.provider_charge_id or "", amount, idempotency_key=refund_id
            )
        except CardDeclined as exc:
            raise RefundRejected(f"provider refused: {exc}") from exc
        except GatewayError:
            raise
        self._ledger.post(refund_entry(refund_id, payment.merchant_id, amount))
        payment.refunded += amount.amount
        if payment.refunded == payment.amount.amount:
            payment.status = PaymentStatus.REFUNDED
        else:
            payment.status = PaymentStatus.PARTIALLY_REFUNDED
        return Refund(refund_id, payment.payment_id, amount, reason, provider_refund_id=provider_id)
'''

API_PY = r'''"""Request handlers. The HTTP layer (in the edge service) passes parsed JSON and headers in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from .auth.tokens import TokenError, require_scope
from .gateway import CardDeclined, GatewayError, StripeClient
from .ledger import Ledger, capture_entry
from .models import Currency, Payment, PaymentStatus, to_minor_units
from .refunds import RefundRejected, RefundService

FEE_BASIS_POINTS = 290
FIXED_FEE = 30


@dataclass
class Response:
    status: int
    body: dict = field(default_factory=dict)


@dataclass
class Services:
    gateway: StripeClient
    ledger: Ledger
    refunds: RefundService
    token_key: bytes
    payments: dict[str, Payment] = field(default_factory=dict)


def _error(status: int, message: str) -> Response:
    return Response(status, {"error": message})


def _authorize(headers: dict[str, str], services: Services, scope: str) -> str | Response:
    header = headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return _error(401, "missing bearer token")
    try:
        return require_scope(header[7:], services.token_key, scope).subject
    except TokenError as exc:
        return _error(403, str(exc))


def fee_for(amount: int) -> int:
    return amount * FEE_BASIS_POINTS // 10_000 + FIXED_FEE


def create_payment(body: dict, headers: dict[str, str], services: Services) -> Response:
    merchant = _authorize(headers, services, "payments:write")
    if isinstance(merchant, Response):
        return merchant
    try:
        currency = Currency(str(body.get("currency", "")).upper())
    except ValueError:
        return _error(422, "unsupported currency")
    amount = body.get("amount")
    if not isinstance(amount, (int, float)) or amount <= 0:
        return _error(422, "amount must be a positive number")
    source = body.get("source")
    if not isinstance(source, str) or not source.startswith(("tok_", "src_", "pm_")):
        return _error(422, "source must be a card token")
    money = to_minor_units(float(amount), currency)
    payment = Payment(f"pay_{uuid.uuid4().hex[:16]}", merchant, money)
    try:
        charge = services.gateway.create_charge(money, source, idempotency_key=payment.payment_id)
    except CardDeclined as exc:
        payment.status = PaymentStatus.FAILED
        services.payments[payment.payment_id] = payment
        return _error(402, str(exc))
    except GatewayError:
        return _error(502, "payment provider unavailable, retry with the same request")
    payment.provider_charge_id = charge.charge_id
    payment.status = PaymentStatus.CAPTURED if charge.captured else PaymentStatus.AUTHORIZED
    if payment.status is PaymentStatus.CAPTURED:
        entry = capture_entry(f"cap_{payment.payment_id}", merchant, money, fee_for(money.amount))
        services.ledger.post(entry)
    services.payments[payment.payment_id] = payment
    return Response(201, {"id": payment.payment_id, "status": payment.status.value})


def refund_payment(payment_id: str, body: dict, headers: dict[str, str], services: Services) -> Response:
    merchant = _authorize(headers, services, "refunds:write")
    if isinstance(merchant, Response):
        return merchant
    payment = services.payments.get(payment_id)
    if payment is None or payment.merchant_id != merchant:
        return _error(404, "no such payment")
    amount = body.get("amount")
    money = payment.refundable() if amount is None else to_minor_units(float(amount), payment.amount.currency)
    try:
        refund = services.refunds.refund(payment, money, str(body.get("reason", "requested_by_customer")))
    except RefundRejected as exc:
        return _error(409, str(exc))
    except GatewayError:
        return _error(502, "payment provider unavailable")
    return Response(201, {"id": refund.refund_id, "payment": payment_id, "status": payment.status.value})


def get_payment(payment_id: str, headers: dict[str, str], services: Services) -> Response:
    merchant = _authorize(headers, services, "payments:read")
    if isinstance(merchant, Response):
        return merchant
    payment = services.payments.get(payment_id)
    if payment is None or payment.merchant_id != merchant:
        return _error(404, "no such payment")
    return Response(
        200,
        {
            "id": payment.payment_id,
            "status": payment.status.value,
            "amount": payment.amount.amount,
            "currency": payment.amount.currency.value,
            "refunded": payment.refunded,
        },
    )
'''

TEST_RETRY_PY = r"""import random

import pytest

from payments.retry import RetryError, RetryPolicy, call_with_retry, exponential_backoff, full_jitter


def test_backoff_grows_and_caps():
    delays = [exponential_backoff(n, 0.1, 1.0) for n in range(1, 7)]
    assert delays == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


def test_jitter_stays_within_delay():
    rng = random.Random(3)
    assert all(0 <= full_jitter(2.0, rng) <= 2.0 for _ in range(100))


def test_retries_transient_errors_then_succeeds():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise TimeoutError("slow provider")
        return "ok"

    assert call_with_retry(flaky, RetryPolicy(jitter=False), sleep=lambda _: None) == "ok"
    assert len(calls) == 3


def test_gives_up_after_max_attempts():
    def always_down():
        raise ConnectionError("reset")

    with pytest.raises(RetryError) as info:
        call_with_retry(always_down, RetryPolicy(max_attempts=2), sleep=lambda _: None)
    assert info.value.attempts == 2


def test_does_not_retry_permanent_errors():
    def bad_request():
        raise ValueError("invalid amount")

    with pytest.raises(ValueError):
        call_with_retry(bad_request, RetryPolicy(), sleep=lambda _: None)


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=2.0, max_delay=1.0)
"""

TEST_LEDGER_PY = r"""import pytest

from payments.ledger import (
    JournalEntry,
    Ledger,
    LedgerError,
    Posting,
    UnbalancedEntry,
    capture_entry,
    refund_entry,
)
from payments.models import Currency, Money


def usd(cents):
    return Money(cents, Currency.USD)


def test_capture_credits_merchant_net_of_fee():
    ledger = Ledger()
    ledger.post(capture_entry("cap_1", "m1", usd(10_000), fee=320))
    assert ledger.balance("merchant:m1", Currency.USD) == usd(-9_680)
    assert ledger.balance("revenue:fees", Currency.USD) == usd(-320)
    assert ledger.trial_balance() == {Currency.USD: 0}


def test_refund_reverses_merchant_balance():
    ledger = Ledger()
    ledger.post(capture_entry("cap_1", "m1", usd(5_000), fee=0))
    ledger.post(refund_entry("re_1", "m1", usd(2_000)))
    assert ledger.balance("merchant:m1", Currency.USD) == usd(-3_000)


def test_unbalanced_entry_is_rejected():
    entry = JournalEntry("bad", Currency.USD, (Posting("a", 100), Posting("b", -90)))
    with pytest.raises(UnbalancedEntry):
        Ledger().post(entry)


def test_fee_must_be_smaller_than_amount():
    with pytest.raises(LedgerError):
        capture_entry("cap_2", "m1", usd(100), fee=100)
"""

TEST_REFUNDS_PY = r"""from datetime import datetime, timedelta, timezone

import pytest

from payments.models import Currency, Money, Payment, PaymentStatus
from payments.refunds import RefundRejected, check_refund

NOW = datetime(2026, 2, 1, tzinfo=timezone.utc)


def captured(amount=10_000, refunded=0, age_days=1):
    payment = Payment("pay_1", "m1", Money(amount, Currency.EUR), PaymentStatus.CAPTURED)
    payment.refunded = refunded
    payment.created_at = NOW - timedelta(days=age_days)
    return payment


def test_partial_refund_is_allowed():
    check_refund(captured(), Money(2_500, Currency.EUR), "requested_by_customer", now=NOW)


def test_refund_cannot_exceed_remaining_amount():
    with pytest.raises(RefundRejected):
        check_refund(captured(refunded=9_000), Money(2_000, Currency.EUR), "duplicate", now=NOW)


def test_refund_window_closes_except_for_fraud():
    old = captured(age_days=200)
    with pytest.raises(RefundRejected):
        check_refund(old, Money(100, Currency.EUR), "requested_by_customer", now=NOW)
    check_refund(old, Money(100, Currency.EUR), "fraudulent", now=NOW)
"""

TEST_MODELS_PY = r"""import pytest

from payments.models import Currency, Money, to_minor_units


def test_money_adds_within_one_currency():
    assert Money(150, Currency.USD) + Money(50, Currency.USD) == Money(200, Currency.USD)


def test_money_refuses_mixed_currencies():
    with pytest.raises(ValueError):
        Money(1, Currency.USD) + Money(1, Currency.EUR)


def test_to_minor_units_for_cents():
    assert to_minor_units(12.34, Currency.EUR) == Money(1234, Currency.EUR)
"""

CONFTEST_PY = r"""import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
"""

MAIN_TF = r"""terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
  backend "s3" {
    bucket         = "acmepay-terraform-state"
    key            = "payments/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      service     = "payments"
      environment = var.environment
    }
  }
}

resource "aws_db_subnet_group" "payments" {
  name       = "payments-${var.environment}"
  subnet_ids = var.private_subnet_ids
}

resource "aws_db_instance" "payments" {
  identifier                = "payments-${var.environment}"
  engine                    = "postgres"
  engine_version            = "16.3"
  instance_class            = var.db_instance_class
  allocated_storage         = var.db_storage_gb
  storage_encrypted         = true
  kms_key_id                = aws_kms_key.payments.arn
  db_subnet_group_name      = aws_db_subnet_group.payments.name
  username                  = "payments_admin"
  manage_master_user_password = true
  multi_az                  = var.environment == "prod"
  backup_retention_period   = 14
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "payments-${var.environment}-final"

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_kms_key" "payments" {
  description             = "payments ${var.environment} data key"
  deletion_window_in_days = 30
  enable_key_rotation     = true
}

resource "aws_s3_bucket" "receipts" {
  bucket = "acmepay-receipts-${var.environment}"
}

resource "aws_s3_bucket_versioning" "receipts" {
  bucket = aws_s3_bucket.receipts.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_sqs_queue" "webhooks" {
  name                       = "payments-webhooks-${var.environment}"
  visibility_timeout_seconds = 60
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.webhooks_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "webhooks_dlq" {
  name                      = "payments-webhooks-dlq-${var.environment}"
  message_retention_seconds = 1209600
}

resource "aws_iam_role" "payments_app" {
  name = "payments-app-${var.environment}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
"""

VARIABLES_TF = r"""variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type = string
  validation {
    condition     = contains(["staging", "prod"], var.environment)
    error_message = "environment must be staging or prod"
  }
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "db_instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "db_storage_gb" {
  type    = number
  default = 100
}
"""

PROD_TF = r"""module "payments_prod" {
  source             = "../"
  environment        = "prod"
  private_subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"]
  db_instance_class  = "db.r6g.large"
  db_storage_gb      = 500
}
"""

PROD_TF_V2 = PROD_TF.replace('db_instance_class  = "db.r6g.large"', 'db_instance_class  = "db.r6g.xlarge"')

STAGING_TF = r"""module "payments_staging" {
  source             = "../"
  environment        = "staging"
  private_subnet_ids = ["subnet-0c3d4e5f607182930", "subnet-0d4e5f60718293a4b"]
}
"""

MIGRATION_0001 = r"""-- 0001: initial schema
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('merchant', 'provider', 'revenue')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE payments (
    id                  TEXT PRIMARY KEY,
    merchant_id         TEXT NOT NULL REFERENCES accounts (id),
    amount              BIGINT NOT NULL CHECK (amount > 0),
    currency            CHAR(3) NOT NULL,
    status              TEXT NOT NULL,
    provider_charge_id  TEXT UNIQUE,
    refunded            BIGINT NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE journal_entries (
    id          TEXT PRIMARY KEY,
    currency    CHAR(3) NOT NULL,
    memo        TEXT NOT NULL DEFAULT '',
    posted_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE postings (
    entry_id    TEXT NOT NULL REFERENCES journal_entries (id),
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    amount      BIGINT NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (entry_id, account_id)
);

-- Imported from the old PHP system; read only, kept for the 2025 audit.
CREATE TABLE legacy_payments (
    legacy_id   BIGINT PRIMARY KEY,
    payload     JSONB NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""

MIGRATION_0002 = r"""-- 0002: refunds
CREATE TABLE refunds (
    id                  TEXT PRIMARY KEY,
    payment_id          TEXT NOT NULL REFERENCES payments (id),
    amount              BIGINT NOT NULL CHECK (amount > 0),
    reason              TEXT NOT NULL,
    provider_refund_id  TEXT UNIQUE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX refunds_payment_id ON refunds (payment_id);
"""

MIGRATION_0003 = r"""-- 0003: idempotency keys, so a retried request never charges twice
CREATE TABLE idempotency_keys (
    key             TEXT NOT NULL,
    merchant_id     TEXT NOT NULL REFERENCES accounts (id),
    request_hash    TEXT NOT NULL,
    response_status INTEGER,
    response_body   JSONB,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, key)
);
"""

MIGRATION_0004 = r"""-- 0004: indexes for the ledger reports
CREATE INDEX CONCURRENTLY postings_account_id ON postings (account_id);
CREATE INDEX CONCURRENTLY journal_entries_posted_at ON journal_entries (posted_at);
"""

CI_YML = r"""name: ci

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read
  pull-requests: read

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install -r requirements.txt
      - run: pytest -q

  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install ruff
      - run: ruff check .

  require-review:
    # Branch protection: Tier 0 paths need two approvals, one from a senior (see .review-tui.toml).
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - run: pip install review-tui
      - name: require-review
        run: review-tui check --base origin/${{ github.base_ref }} --head HEAD
"""

REVIEW_TUI_TOML = r"""# review-tui settings for payments-service.
# Tier 0: money movement, identity, infrastructure, schema. Tier 1: the rest of the service.
# Tier 3: docs and tests. Like CODEOWNERS, the LAST matching rule wins: broad rules first.

[tiers]

[[tiers.rules]]
glob = "payments/**"
tier = 1
reason = "core service code"

[[tiers.rules]]
glob = "payments/gateway/**"
tier = 0
reason = "talks to the card processor; a bug moves real money"

[[tiers.rules]]
glob = "payments/providers/**"
tier = 0
reason = "talks to the card processor; a bug moves real money"

[[tiers.rules]]
glob = "payments/retry.py"
tier = 0
reason = "retries decide whether a charge is sent twice"

[[tiers.rules]]
glob = "payments/auth/**"
tier = 0
reason = "API authentication"

[[tiers.rules]]
glob = "payments/crypto/**"
tier = 0
reason = "webhook signing keys and signatures"

[[tiers.rules]]
glob = "payments/ledger.py"
tier = 0
reason = "the books must balance"

[[tiers.rules]]
glob = "infra/**"
tier = 0
reason = "production infrastructure"

[[tiers.rules]]
glob = "migrations/**"
tier = 0
reason = "schema changes on the payments database"

[[tiers.rules]]
glob = "docs/**"
tier = 3
reason = "documentation"

[[tiers.rules]]
glob = "tests/**"
tier = 3
reason = "tests"

[policy]
seniors = ["maya.chen@acmepay.example", "priya.raman@acmepay.example"]
"""

ARCHITECTURE_MD = r"""# Architecture

The service is a library of request handlers (`payments/api.py`) wrapped by the edge service, which
owns HTTP, TLS and rate limiting. State lives in PostgreSQL (see `migrations/`).

## Money movement

1. `create_payment` validates the request and charges the card through `StripeClient` with an
   idempotency key equal to our payment id, so a retried request cannot charge twice.
2. A captured charge posts a journal entry: provider clearing is debited, the merchant is credited
   net of our fee, the fee goes to revenue.
3. Refunds post the reverse entry once the provider confirms.

The ledger is double-entry: every entry balances to zero per currency, and the trial balance over
all accounts is zero at all times. A non-zero trial balance pages the on-call engineer.

## Retries

Provider calls retry transient failures (timeouts, 429, 5xx) with capped exponential backoff and
full jitter (`payments/retry.py`). Card declines are never retried.
"""

RUNBOOK_MD = r"""# Runbook

## Trial balance is not zero

1. Stop the settlement job: `kubectl scale deploy/settlement --replicas=0`.
2. Find the unbalanced entries:
   `SELECT entry_id, sum(amount) FROM postings GROUP BY 1 HAVING sum(amount) <> 0;`
3. Page the ledger owner (Maya Chen) and open an incident.

## Provider outage

Stripe status: https://status.stripe.com. Our retries back off to 5 s; beyond that the API returns
502 and clients retry with the same idempotency key. Nothing to do unless the outage lasts more
than 30 minutes, in which case enable the maintenance banner.

## Rotating the webhook signing secret

1. Create the new secret in AWS Secrets Manager under `payments/webhook-secret-next`.
2. Deploy; the service signs with the old secret and accepts both.
3. After 24 hours, promote the new secret and remove the old one.
"""

API_MD = r"""# API

All requests carry `Authorization: Bearer <token>` with the scopes below.

| method | path | scope |
|---|---|---|
| POST | /payments | payments:write |
| GET | /payments/{id} | payments:read |
| POST | /payments/{id}/refunds | refunds:write |

Amounts are decimal numbers in the request (`12.34`) and minor units in responses (`1234`).
"""

CHANGELOG_MD = r"""# Changelog

## 0.4.0
- Retry-After from the provider is honoured.
- Settlement report per merchant and day.
- Ledger indexes for the reports.

## 0.3.0
- Idempotency keys on every charge.

## 0.2.0
- Refunds.
"""

SETTLEMENT_PY = r'''"""Daily settlement report per merchant: captures, refunds and fees, from the ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .ledger import Ledger
from .models import Currency


@dataclass(frozen=True)
class SettlementLine:
    merchant_id: str
    day: date
    currency: Currency
    captured: int
    refunded: int

    @property
    def net(self) -> int:
        return self.captured - self.refunded


def settlement_report(ledger: Ledger, merchants: list[str], day: date) -> list[SettlementLine]:
    """One line per merchant and currency with activity on `day`."""
    lines = []
    for merchant in sorted(merchants):
        account = f"merchant:{merchant}"
        totals: dict[Currency, list[int]] = defaultdict(lambda: [0, 0])
        for entry in ledger.entries_for(account):
            if entry.posted_at.date() != day:
                continue
            for posting in entry.postings:
                if posting.account != account:
                    continue
                if posting.amount < 0:
                    totals[entry.currency][0] += -posting.amount
                else:
                    totals[entry.currency][1] += posting.amount
        for currency, (captured, refunded) in sorted(totals.items()):
            lines.append(SettlementLine(merchant, day, currency, captured, refunded))
    return lines
'''

TEST_SETTLEMENT_PY = r"""from datetime import datetime, timezone

from payments.ledger import Ledger, capture_entry, refund_entry
from payments.models import Currency, Money
from payments.settlement import settlement_report


def test_report_nets_refunds_against_captures():
    ledger = Ledger()
    ledger.post(capture_entry("cap_1", "m1", Money(10_000, Currency.USD), fee=0))
    ledger.post(refund_entry("re_1", "m1", Money(2_500, Currency.USD)))
    today = datetime.now(timezone.utc).date()
    [line] = settlement_report(ledger, ["m1"], today)
    assert (line.captured, line.refunded, line.net) == (10_000, 2_500, 7_500)


def test_report_skips_merchants_without_activity():
    today = datetime.now(timezone.utc).date()
    assert settlement_report(Ledger(), ["m1", "m2"], today) == []
"""


# ==================================================================================================
# Branch contents
# ==================================================================================================

# -- feature/retry-refactor-claude ---------------------------------------------------------------
RETRY_PY_CLAUDE = r'''"""Retry policy for calls to payment providers.

Provider calls fail transiently (timeouts, 429s, 5xx). We retry those with capped exponential
backoff and jitter, so a burst of failures does not turn into a thundering herd at the provider.
The backoff strategy is pluggable: full jitter (default), equal jitter or decorrelated jitter.
"""

from __future__ import annotations

import enum
import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
NEVER_RETRY_CODES = frozenset({"card_declined", "insufficient_funds", "expired_card", "incorrect_cvc"})


class ErrorClass(enum.Enum):
    TRANSIENT = "transient"
    RATE_LIMITED = "rate_limited"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


class BackoffStrategy(enum.Enum):
    FULL_JITTER = "full_jitter"
    EQUAL_JITTER = "equal_jitter"
    DECORRELATED = "decorrelated"
    NONE = "none"


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
    strategy: BackoffStrategy = BackoffStrategy.FULL_JITTER
    retry_on: tuple[type[BaseException], ...] = (TimeoutError, ConnectionError)
    retry_unknown: bool = False

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("delays must satisfy 0 <= base_delay <= max_delay")
        if self.multiplier < 1:
            raise ValueError("multiplier must be >= 1")
        if self.strategy is BackoffStrategy.DECORRELATED and self.base_delay == 0:
            raise ValueError("decorrelated jitter needs a positive base_delay")

    def delay_for(
        self, attempt: int, rng: random.Random | None = None, previous: float | None = None
    ) -> float:
        """Seconds to wait before `attempt` (1-based; the first attempt never waits)."""
        if attempt <= 1:
            return 0.0
        ceiling = exponential_backoff(attempt - 1, self.base_delay, self.max_delay, self.multiplier)
        if not self.jitter or self.strategy is BackoffStrategy.NONE:
            return ceiling
        if self.strategy is BackoffStrategy.FULL_JITTER:
            return full_jitter(ceiling, rng)
        if self.strategy is BackoffStrategy.EQUAL_JITTER:
            return equal_jitter(ceiling, rng)
        start = previous if previous is not None else self.base_delay
        return decorrelated_jitter(start, self.base_delay, self.max_delay, rng)

    def is_retryable(self, error: BaseException) -> bool:
        kind = classify_error(error, self.retry_on)
        if kind in (ErrorClass.TRANSIENT, ErrorClass.RATE_LIMITED):
            return True
        if kind is ErrorClass.UNKNOWN:
            return self.retry_unknown
        return False


def classify_error(
    error: BaseException, transient_types: tuple[type[BaseException], ...] = (TimeoutError, ConnectionError)
) -> ErrorClass:
    """Sort an error into transient, rate limited, permanent or unknown."""
    code = getattr(error, "code", None)
    if isinstance(code, str) and code in NEVER_RETRY_CODES:
        return ErrorClass.PERMANENT
    if isinstance(error, transient_types):
        return ErrorClass.TRANSIENT
    status = getattr(error, "status", None)
    if not isinstance(status, int):
        return ErrorClass.UNKNOWN if isinstance(error, OSError) else ErrorClass.PERMANENT
    if status == 429:
        return ErrorClass.RATE_LIMITED
    if status in RETRYABLE_STATUS:
        return ErrorClass.TRANSIENT
    if 400 <= status < 500:
        return ErrorClass.PERMANENT
    if status >= 500:
        return ErrorClass.UNKNOWN
    return ErrorClass.PERMANENT


def exponential_backoff(retry: int, base: float, cap: float, multiplier: float = 2.0) -> float:
    """base * multiplier ** (retry - 1), never above cap."""
    if retry < 1:
        return 0.0
    return min(cap, base * multiplier ** (retry - 1))


def full_jitter(delay: float, rng: random.Random | None = None) -> float:
    """A uniform delay in [0, delay] ("Exponential Backoff and Jitter", AWS architecture blog)."""
    generator = rng or random
    return generator.uniform(0, delay)


def equal_jitter(delay: float, rng: random.Random | None = None) -> float:
    """Half the delay, plus a uniform share of the other half."""
    generator = rng or random
    half = delay / 2
    return half + generator.uniform(0, half)


def decorrelated_jitter(previous: float, base: float, cap: float, rng: random.Random | None = None) -> float:
    """min(cap, uniform(base, previous * 3)): grows with the last delay, not the attempt number."""
    generator = rng or random
    upper = max(base, previous * 3)
    return min(cap, generator.uniform(base, upper))


def call_with_retry(
    operation: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
    rng: random.Random | None = None,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run `operation`, retrying per `policy`; raise RetryError when attempts or time run out."""
    attempt = 0
    previous_delay: float | None = None
    started = clock()
    while True:
        attempt += 1
        try:
            return operation()
        except Exception as error:
            if not policy.is_retryable(error):
                raise
            if attempt >= policy.max_attempts:
                raise RetryError(attempt, error) from error
            delay = policy.delay_for(attempt + 1, rng, previous_delay)
            if classify_error(error, policy.retry_on) is ErrorClass.RATE_LIMITED:
                delay = max(delay, policy.base_delay * policy.multiplier)
            if deadline is not None and clock() - started + delay > deadline:
                raise RetryError(attempt, error) from error
            previous_delay = delay
            if on_retry is not None:
                on_retry(attempt, error, delay)
            sleep(delay)


DEFAULT_POLICY = RetryPolicy()
CAPTURE_POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0)
'''

RETRY_PY_CLAUDE_BUDGET = r'''

class RetryBudget:
    """Caps retries to a share of recent requests, so retries cannot multiply an outage.

    Every request earns `ratio` retries; `min_per_second` keeps low-traffic callers working.
    Counts are kept over a sliding window of `window` seconds.
    """

    def __init__(
        self,
        ratio: float = 0.2,
        min_per_second: float = 1.0,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 <= ratio <= 1:
            raise ValueError("ratio must be in [0, 1]")
        if window <= 0:
            raise ValueError("window must be positive")
        self._ratio = ratio
        self._min_per_second = min_per_second
        self._window = window
        self._clock = clock
        self._events: list[tuple[float, str]] = []

    def _trim(self, now: float) -> None:
        horizon = now - self._window
        while self._events and self._events[0][0] < horizon:
            self._events.pop(0)

    def record_request(self) -> None:
        self._events.append((self._clock(), "request"))

    def record_retry(self) -> None:
        self._events.append((self._clock(), "retry"))

    def can_retry(self) -> bool:
        now = self._clock()
        self._trim(now)
        requests = sum(1 for _, kind in self._events if kind == "request")
        retries = sum(1 for _, kind in self._events if kind == "retry")
        allowance = requests * self._ratio + self._min_per_second * self._window
        return retries < allowance


def call_with_budget(
    operation: Callable[[], T],
    policy: RetryPolicy,
    budget: RetryBudget,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """call_with_retry, but stop retrying as soon as the shared budget is spent."""
    budget.record_request()

    def spend(attempt: int, error: BaseException, delay: float) -> None:
        if not budget.can_retry():
            raise RetryError(attempt, error) from error
        budget.record_retry()

    return call_with_retry(operation, policy, sleep=sleep, on_retry=spend)
'''

TEST_RETRY_CLAUDE_IMPORT = (
    "from payments.retry import BackoffStrategy, ErrorClass, classify_error\n"
    "from payments.retry import decorrelated_jitter, equal_jitter\n"
)
TEST_RETRY_CLAUDE_TESTS = r"""

class StatusError(Exception):
    def __init__(self, status, code=None):
        super().__init__(f"status {status}")
        self.status = status
        self.code = code


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (TimeoutError(), ErrorClass.TRANSIENT),
        (StatusError(429), ErrorClass.RATE_LIMITED),
        (StatusError(503), ErrorClass.TRANSIENT),
        (StatusError(400), ErrorClass.PERMANENT),
        (StatusError(402, code="insufficient_funds"), ErrorClass.PERMANENT),
        (StatusError(507), ErrorClass.UNKNOWN),
        (ValueError(), ErrorClass.PERMANENT),
    ],
)
def test_classify_error(error, expected):
    assert classify_error(error) is expected


def test_equal_jitter_keeps_at_least_half():
    rng = random.Random(11)
    assert all(1.0 <= equal_jitter(2.0, rng) <= 2.0 for _ in range(100))


def test_decorrelated_jitter_is_capped():
    rng = random.Random(5)
    delay = 0.1
    for _ in range(50):
        delay = decorrelated_jitter(delay, 0.1, 3.0, rng)
        assert 0.1 <= delay <= 3.0


def test_strategy_none_is_plain_backoff():
    policy = RetryPolicy(strategy=BackoffStrategy.NONE, base_delay=0.5)
    assert [policy.delay_for(n) for n in (1, 2, 3)] == [0.0, 0.5, 1.0]


def test_deadline_stops_retrying():
    now = [0.0]

    def slow_failure():
        now[0] += 2.0
        raise TimeoutError()

    with pytest.raises(RetryError):
        call_with_retry(
            slow_failure,
            RetryPolicy(max_attempts=10),
            sleep=lambda _: None,
            deadline=3.0,
            clock=lambda: now[0],
        )
"""

TEST_RETRY_BUDGET_IMPORT = "from payments.retry import RetryBudget, call_with_budget\n"
TEST_RETRY_BUDGET_TESTS = r"""

def test_budget_stops_retry_storm():
    now = [0.0]
    budget = RetryBudget(ratio=0.1, min_per_second=0.0, window=10.0, clock=lambda: now[0])
    for _ in range(20):
        budget.record_request()
    budget.record_retry()
    assert budget.can_retry()
    budget.record_retry()
    assert not budget.can_retry()


def test_call_with_budget_gives_up_when_spent():
    budget = RetryBudget(ratio=0.0, min_per_second=0.0)

    def down():
        raise ConnectionError()

    with pytest.raises(RetryError):
        call_with_budget(down, RetryPolicy(max_attempts=5), budget, sleep=lambda _: None)
"""

# Tom's own follow-up on the Claude branch: exactly 12 added lines.
TEST_RETRY_HUMAN_TESTS = r"""

def test_budget_floor_allows_retries_while_idle():
    now = [0.0]
    # 0.5 retries per second over a 4 s window: two retries with no traffic at all.
    budget = RetryBudget(ratio=0.0, min_per_second=0.5, window=4.0, clock=lambda: now[0])
    budget.record_retry()
    assert budget.can_retry()
    budget.record_retry()
    assert not budget.can_retry()
    now[0] = 10.0
    assert budget.can_retry()
"""

# -- aider/add-refund-webhooks -------------------------------------------------------------------
WEBHOOKS_PY = r'''"""Outgoing webhooks for refund events, signed and retried per endpoint."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Callable

from .crypto.signing import sign_payload
from .models import Refund
from .retry import RetryError, RetryPolicy, call_with_retry

EVENT_TYPES = ("refund.created", "refund.succeeded", "refund.failed")
WEBHOOK_POLICY = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=30.0)


class DeliveryFailed(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"endpoint answered {status}")
        self.status = status


@dataclass
class Endpoint:
    url: str
    secret: bytes
    events: tuple[str, ...] = EVENT_TYPES
    enabled: bool = True

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.events


@dataclass
class Delivery:
    endpoint: str
    event_type: str
    attempts: int
    delivered: bool
    last_status: int | None = None


@dataclass
class WebhookDispatcher:
    post: Callable[[str, dict[str, str], bytes], int]
    endpoints: list[Endpoint] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep
    log: list[Delivery] = field(default_factory=list)

    def refund_event(self, refund: Refund, event_type: str) -> dict:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type}")
        return {
            "type": event_type,
            "data": {
                "id": refund.refund_id,
                "payment": refund.payment_id,
                "amount": refund.amount.amount,
                "currency": refund.amount.currency.value,
                "reason": refund.reason,
            },
        }

    def dispatch(self, refund: Refund, event_type: str) -> list[Delivery]:
        event = self.refund_event(refund, event_type)
        results = []
        for endpoint in self.endpoints:
            if not endpoint.wants(event_type):
                continue
            results.append(self._deliver(endpoint, event))
        self.log.extend(results)
        return results

    def _deliver(self, endpoint: Endpoint, event: dict) -> Delivery:
        body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
        headers = {"Content-Type": "application/json", "Acme-Signature": sign_payload(event, endpoint.secret)}
        attempts = 0
        last_status: int | None = None

        def once() -> int:
            nonlocal attempts, last_status
            attempts += 1
            status = self.post(endpoint.url, headers, body)
            last_status = status
            if status >= 500 or status == 429:
                raise DeliveryFailed(status)
            return status

        try:
            status = call_with_retry(once, WEBHOOK_POLICY, sleep=self.sleep)
        except (RetryError, DeliveryFailed):
            return Delivery(endpoint.url, event["type"], attempts, False, last_status)
        return Delivery(endpoint.url, event["type"], attempts, 200 <= status < 300, status)
'''

TEST_WEBHOOKS_PY = r"""from payments.models import Currency, Money, Refund
from payments.webhooks import Endpoint, WebhookDispatcher


def refund():
    return Refund("re_1", "pay_1", Money(500, Currency.GBP), "duplicate")


def test_dispatch_signs_and_delivers():
    sent = []

    def post(url, headers, body):
        sent.append((url, headers, body))
        return 200

    dispatcher = WebhookDispatcher(post, [Endpoint("https://merchant.example/hook", b"s3cret")])
    [delivery] = dispatcher.dispatch(refund(), "refund.created")
    assert delivery.delivered and delivery.attempts == 1
    assert sent[0][1]["Acme-Signature"].startswith("t=")


def test_server_errors_are_retried_then_recorded_as_failed():
    down = Endpoint("https://down.example", b"k")
    dispatcher = WebhookDispatcher(lambda *_: 503, [down], sleep=lambda _: None)
    [delivery] = dispatcher.dispatch(refund(), "refund.failed")
    assert not delivery.delivered
    assert delivery.last_status == 503


def test_disabled_endpoints_get_nothing():
    endpoint = Endpoint("https://off.example", b"k", enabled=False)
    assert WebhookDispatcher(lambda *_: 200, [endpoint]).dispatch(refund(), "refund.created") == []
"""

# Dana's own edit (committed by aider): the refund service announces refunds.
REFUNDS_PY_WEBHOOKS = (
    REFUNDS_PY.replace(
        "from .models import Money, Payment, PaymentStatus, Refund\n",
        "from .models import Money, Payment, PaymentStatus, Refund\n"
        "from .webhooks import WebhookDispatcher\n",
    )
    .replace(
        r"""    def __init__(self, gateway: StripeClient, ledger: Ledger) -> None:
        self._gateway = gateway
        self._ledger = ledger
""",
        r"""    def __init__(
        self, gateway: StripeClient, ledger: Ledger, webhooks: WebhookDispatcher | None = None
    ) -> None:
        self._gateway = gateway
        self._ledger = ledger
        self._webhooks = webhooks
""",
    )
    .replace("        return Refund(refund_id,", "        refund = Refund(refund_id,")
    .replace(
        "provider_refund_id=provider_id)\n",
        "provider_refund_id=provider_id)\n"
        "        if self._webhooks is not None:\n"
        '            self._webhooks.dispatch(refund, "refund.created")\n'
        "        return refund\n",
    )
)

# -- copilot/fix-currency-rounding ---------------------------------------------------------------
MODELS_PY_COPILOT = MODELS_PY.replace(
    "import enum\nfrom dataclasses import dataclass, field\nfrom datetime import datetime, timezone\n",
    "import enum\nfrom dataclasses import dataclass, field\nfrom datetime import datetime, timezone\n"
    "from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation\n",
).replace(
    r'''def to_minor_units(amount: float, currency: Currency) -> Money:
    """Convert a decimal amount (as sent by clients) to minor units."""
    return Money(int(round(amount * 100)), currency)


def format_money(money: Money) -> str:
    return f"{money.amount / 100:.2f} {money.currency.value}"
''',
    r'''# ISO 4217 minor unit exponents; currencies not listed use 2.
CURRENCY_EXPONENTS = {Currency.JPY: 0, Currency.KWD: 3}


def exponent_of(currency: Currency) -> int:
    return CURRENCY_EXPONENTS.get(currency, 2)


def to_minor_units(amount: float | str | Decimal, currency: Currency) -> Money:
    """Convert a decimal amount (as sent by clients) to minor units, rounding half to even.

    Goes through Decimal(str(amount)) so 1.005 is not first turned into 1.00499999... by binary floats.
    """
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    exponent = exponent_of(currency)
    quantum = Decimal(1).scaleb(-exponent)
    minor = value.quantize(quantum, rounding=ROUND_HALF_EVEN).scaleb(exponent)
    return Money(int(minor), currency)


def format_money(money: Money) -> str:
    exponent = exponent_of(money.currency)
    if exponent == 0:
        return f"{money.amount} {money.currency.value}"
    major = Decimal(money.amount).scaleb(-exponent)
    return f"{major:.{exponent}f} {money.currency.value}"
''',
)

TEST_MODELS_COPILOT_TESTS = r"""


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (1.005, Currency.USD, 100),
        (1.015, Currency.USD, 102),
        (1234, Currency.JPY, 1234),
        (1234.5, Currency.JPY, 1234),
        (1.2345, Currency.KWD, 1234),
        ("19.99", Currency.EUR, 1999),
    ],
)
def test_to_minor_units_rounds_half_even_per_currency(amount, currency, minor):
    assert to_minor_units(amount, currency) == Money(minor, currency)


def test_to_minor_units_rejects_garbage():
    with pytest.raises(ValueError):
        to_minor_units("12,34", Currency.EUR)
    with pytest.raises(ValueError):
        to_minor_units(float("nan"), Currency.EUR)


def test_format_money_uses_currency_exponent():
    assert format_money(Money(1234, Currency.JPY)) == "1234 JPY"
    assert format_money(Money(1234, Currency.KWD)) == "1.234 KWD"
    assert format_money(Money(1999, Currency.EUR)) == "19.99 EUR"
"""

# -- infra/recreate-staging-env ------------------------------------------------------------------
MAIN_TF_RECREATE = (
    MAIN_TF.replace(
        '  identifier                = "payments-${var.environment}"\n',
        '  identifier                = "payments-${var.environment}-v2"\n',
    )
    .replace(
        "  deletion_protection       = true\n  skip_final_snapshot       = false\n",
        "  deletion_protection       = false\n  skip_final_snapshot       = true\n",
    )
    .replace("\n  lifecycle {\n    prevent_destroy = true\n  }\n", "\n")
    .replace(
        'resource "aws_s3_bucket" "receipts" {\n  bucket = "acmepay-receipts-${var.environment}"\n}\n',
        'resource "aws_s3_bucket" "receipts" {\n'
        '  bucket        = "acmepay-receipts-${var.environment}"\n'
        "  force_destroy = true\n}\n",
    )
    .replace(
        r"""  visibility_timeout_seconds = 60
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.webhooks_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "webhooks_dlq" {
  name                      = "payments-webhooks-dlq-${var.environment}"
  message_retention_seconds = 1209600
}
""",
        "  visibility_timeout_seconds = 60\n}\n",
    )
)

STAGING_TF_RECREATE = STAGING_TF.replace(
    '  private_subnet_ids = ["subnet-0c3d4e5f607182930", "subnet-0d4e5f60718293a4b"]\n',
    '  private_subnet_ids = ["subnet-0c3d4e5f607182930", "subnet-0d4e5f60718293a4b"]\n'
    '  db_instance_class  = "db.t4g.small"\n  db_storage_gb      = 50\n',
)

RECREATE_ENV_SH = r"""#!/usr/bin/env bash
# Tear down and rebuild an environment from scratch (staging only!).
set -euo pipefail

ENVIRONMENT="${1:?usage: recreate_env.sh <environment>}"
cd "$(dirname "$0")/../infra/terraform/environments"

terraform init -reconfigure
terraform workspace select "$ENVIRONMENT"

# Start from a clean slate: old state backups confuse the import step below.
rm -rf ./state-backup

terraform apply -auto-approve -replace=aws_db_instance.payments
terraform apply -auto-approve -replace=aws_s3_bucket.receipts

echo "recreated $ENVIRONMENT"
"""

# -- fix/ledger-double-post ----------------------------------------------------------------------
LEDGER_PY_FIX = (
    LEDGER_PY.replace(
        "        self._entries: list[JournalEntry] = []\n",
        "        self._entries: list[JournalEntry] = []\n        self._posted_ids: set[str] = set()\n",
    )
    .replace(
        "        if entry.entry_id in self._entries:\n",
        "        # Compare ids, not entries: a retried capture builds a new entry object with the same id.\n"
        "        if entry.entry_id in self._posted_ids:\n",
    )
    .replace(
        "        self._entries.append(entry)\n",
        "        self._entries.append(entry)\n        self._posted_ids.add(entry.entry_id)\n",
    )
)

TEST_LEDGER_FIX_TESTS = r"""


def test_posting_the_same_entry_id_twice_is_rejected():
    ledger = Ledger()
    ledger.post(capture_entry("cap_9", "m1", usd(1_000), fee=0))
    with pytest.raises(DuplicatePosting):
        ledger.post(capture_entry("cap_9", "m1", usd(1_000), fee=0))
    assert ledger.balance("merchant:m1", Currency.USD) == usd(-1_000)
"""

# -- docs/runbook-update -------------------------------------------------------------------------
RUNBOOK_MD_UPDATE = (
    RUNBOOK_MD.replace(
        "3. Page the ledger owner (Maya Chen) and open an incident.\n",
        "3. Check for duplicate postings of one capture (retried requests):\n"
        "   `SELECT id, count(*) FROM journal_entries GROUP BY 1 HAVING count(*) > 1;`\n"
        "4. Page the ledger owner (Maya Chen) and open an incident in #inc-payments.\n",
    )
    + r"""
## Webhook backlog

The webhook queue should drain within a minute. When `payments-webhooks-dlq-*` grows:

1. Look at the last delivery errors in the dashboard "Payments / Webhooks".
2. If one merchant endpoint is down, disable it (`Endpoint.enabled = false`) and tell the merchant.
3. Replay the dead letters once it is back: `make replay-webhooks ENV=prod`.

## Database failover

RDS Multi-AZ fails over on its own in one to two minutes. The service reconnects; watch the 5xx rate.
Never restore a snapshot over the live instance: restore to a new identifier and switch the
secret `payments/db-url` after the ledger owner has checked the trial balance.
"""
)

ONCALL_MD = r"""# On-call

- Rotation: weekly, Monday 10:00 Europe/Berlin, in PagerDuty "payments-primary".
- Hand-over: open incidents, silenced alerts, anything deployed on Friday.
- First hour of any page: acknowledge, post in #inc-payments, follow docs/runbook.md.

## Alerts

| alert | meaning | first step |
|---|---|---|
| TrialBalanceNonZero | the ledger does not balance | runbook: trial balance |
| ProviderErrorRate | Stripe 5xx above 5% for 5 minutes | check status.stripe.com |
| WebhookDLQGrowing | deliveries failing | runbook: webhook backlog |
| RefundLatencyHigh | refunds slower than 30 s at p95 | check provider latency, then our queue |
"""

# -- test/refund-coverage ------------------------------------------------------------------------
TEST_REFUNDS_MORE = r"""


@pytest.mark.parametrize("status", [PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.REFUNDED])
def test_only_captured_payments_can_be_refunded(status):
    payment = captured()
    payment.status = status
    with pytest.raises(RefundRejected):
        check_refund(payment, Money(100, Currency.EUR), "duplicate", now=NOW)


def test_refund_currency_must_match():
    with pytest.raises(RefundRejected):
        check_refund(captured(), Money(100, Currency.USD), "duplicate", now=NOW)


def test_unknown_reason_is_rejected():
    with pytest.raises(RefundRejected):
        check_refund(captured(), Money(100, Currency.EUR), "changed_my_mind", now=NOW)


def test_zero_refund_is_rejected():
    with pytest.raises(RefundRejected):
        check_refund(captured(), Money(0, Currency.EUR), "duplicate", now=NOW)
"""

TEST_REFUND_SERVICE_PY = r"""import pytest

from payments.gateway import CardDeclined
from payments.ledger import Ledger, capture_entry
from payments.models import Currency, Money, Payment, PaymentStatus
from payments.refunds import RefundRejected, RefundService


class FakeGateway:
    def __init__(self, fail_with=None):
        self.fail_with = fail_with
        self.calls = []

    def refund_charge(self, charge_id, amount, *, idempotency_key):
        self.calls.append((charge_id, amount, idempotency_key))
        if self.fail_with:
            raise self.fail_with
        return f"re_provider_{len(self.calls)}"


def captured_payment(ledger):
    payment = Payment("pay_1", "m1", Money(4_000, Currency.USD), PaymentStatus.CAPTURED, "ch_1")
    ledger.post(capture_entry("cap_pay_1", "m1", payment.amount, fee=0))
    return payment


def test_full_refund_marks_payment_refunded():
    ledger = Ledger()
    payment = captured_payment(ledger)
    refund = RefundService(FakeGateway(), ledger).refund(payment, Money(4_000, Currency.USD), "duplicate")
    assert payment.status is PaymentStatus.REFUNDED
    assert refund.provider_refund_id == "re_provider_1"
    assert ledger.balance("merchant:m1", Currency.USD) == Money(0, Currency.USD)


def test_partial_refunds_accumulate():
    ledger = Ledger()
    payment = captured_payment(ledger)
    service = RefundService(FakeGateway(), ledger)
    service.refund(payment, Money(1_000, Currency.USD), "requested_by_customer")
    service.refund(payment, Money(1_000, Currency.USD), "requested_by_customer")
    assert payment.status is PaymentStatus.PARTIALLY_REFUNDED
    assert payment.refunded == 2_000


def test_provider_refusal_leaves_ledger_untouched():
    ledger = Ledger()
    payment = captured_payment(ledger)
    service = RefundService(FakeGateway(fail_with=CardDeclined("closed account")), ledger)
    with pytest.raises(RefundRejected):
        service.refund(payment, Money(1_000, Currency.USD), "duplicate")
    assert ledger.balance("merchant:m1", Currency.USD) == Money(-4_000, Currency.USD)
    assert payment.refunded == 0
"""

# -- refactor/rename-gateway-modules -------------------------------------------------------------
PROVIDERS_INIT_PY = GATEWAY_INIT_PY.replace(".stripe_client import", ".stripe import")

# -- feature/receipt-pdf -------------------------------------------------------------------------
RECEIPTS_INIT_PY = r'''"""Payment receipts rendered to PDF."""

from .render import ReceiptLayout, render_receipt

__all__ = ["ReceiptLayout", "render_receipt"]
'''

RECEIPTS_RENDER_PY = r'''"""Lay out a receipt and hand it to the PDF writer with our logo and font."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..models import Payment, format_money

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "receipts"
PAGE_WIDTH_MM = 80  # thermal-printer width; the PDF uses the same layout


@dataclass(frozen=True)
class ReceiptLayout:
    title: str
    lines: tuple[tuple[str, str], ...]
    footer: str

    def width(self) -> int:
        widest = max((len(label) + len(value) + 1 for label, value in self.lines), default=0)
        return max(widest, len(self.title), len(self.footer))


def layout_for(payment: Payment, merchant_name: str) -> ReceiptLayout:
    lines = [
        ("Merchant", merchant_name),
        ("Payment", payment.payment_id),
        ("Amount", format_money(payment.amount)),
    ]
    if payment.refunded:
        refunded = payment.amount.__class__(payment.refunded, payment.amount.currency)
        lines.append(("Refunded", format_money(refunded)))
    lines.append(("Status", payment.status.value.replace("_", " ")))
    return ReceiptLayout("Receipt", tuple(lines), "Thank you for paying with Acme Pay")


def render_text(layout: ReceiptLayout) -> str:
    width = layout.width()
    out = [layout.title.center(width), "-" * width]
    for label, value in layout.lines:
        out.append(label + value.rjust(width - len(label)))
    out += ["-" * width, layout.footer.center(width)]
    return "\n".join(out)


def render_receipt(payment: Payment, merchant_name: str, writer) -> bytes:
    """Render to PDF through `writer` (reportlab in production, a fake in tests)."""
    layout = layout_for(payment, merchant_name)
    writer.set_page(width_mm=PAGE_WIDTH_MM)
    writer.add_font("ReceiptSans", ASSETS / "fonts" / "ReceiptSans-Regular.ttf")
    writer.draw_image(ASSETS / "logo.png", width_mm=24)
    for line in render_text(layout).splitlines():
        writer.text_line(line, font="ReceiptSans", size=9)
    return writer.finish()
'''

TEST_RECEIPTS_PY = r"""from payments.models import Currency, Money, Payment, PaymentStatus
from payments.receipts.render import layout_for, render_text


def test_receipt_lists_refunds_when_there_are_some():
    payment = Payment("pay_7", "m1", Money(2_000, Currency.EUR), PaymentStatus.PARTIALLY_REFUNDED)
    payment.refunded = 500
    text = render_text(layout_for(payment, "Corner Shop"))
    assert "Refunded" in text
    assert "partially refunded" in text


def test_receipt_lines_are_aligned():
    payment = Payment("pay_8", "m1", Money(999, Currency.USD), PaymentStatus.CAPTURED)
    lines = render_text(layout_for(payment, "Corner Shop")).splitlines()
    assert len({len(line) for line in lines}) == 1
"""


def _png(width: int, height: int) -> bytes:
    """A real (tiny) PNG: a two-colour diagonal logo, RGB, no compression tricks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows += b"\x1f\x4e\x79" if (x + y) % 16 < 8 else b"\xf2\xa9\x00"
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes(rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _font_blob() -> bytes:
    """TrueType-looking bytes: the sfnt header and table directory, then seeded noise."""
    rng = random.Random(7)
    head = struct.pack(">IHHHH", 0x00010000, 4, 64, 2, 0)
    tables = b"".join(
        tag + struct.pack(">III", rng.getrandbits(32), 76 + i * 1024, 1024)
        for i, tag in enumerate((b"cmap", b"glyf", b"head", b"hmtx"))
    )
    return head + tables + bytes(rng.getrandbits(8) for _ in range(4096))


def _pdf_blob() -> bytes:
    """A small PDF with a deflated content stream (binary, as real PDFs are)."""
    stream = zlib.compress(b"BT /F1 9 Tf 10 200 Td (Receipt template) Tj ET\n" * 40)
    objects = [
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n",
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 227 400] /Contents 4 0 R >> endobj\n",
        b"4 0 obj << /Length %d /Filter /FlateDecode >> stream\n" % len(stream)
        + stream
        + b"\nendstream endobj\n",
    ]
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"".join(objects)
    return body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


# -- feature/multi-currency ----------------------------------------------------------------------
MODELS_PY_MULTI = MODELS_PY.replace(
    '    KWD = "KWD"\n',
    '    KWD = "KWD"\n    CHF = "CHF"\n    SEK = "SEK"\n    PLN = "PLN"\n',
)

FX_PY = r'''"""Foreign exchange: convert between currencies at the rates of the day, with a margin."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from .models import Currency, Money

DEFAULT_MARGIN = Decimal("0.015")


class RateMissing(Exception):
    pass


@dataclass
class FxRates:
    """Mid-market rates against EUR for one day."""

    day: date
    to_eur: dict[Currency, Decimal] = field(default_factory=dict)
    margin: Decimal = DEFAULT_MARGIN

    def rate(self, source: Currency, target: Currency) -> Decimal:
        if source == target:
            return Decimal(1)
        try:
            source_eur = Decimal(1) if source is Currency.EUR else self.to_eur[source]
            target_eur = Decimal(1) if target is Currency.EUR else self.to_eur[target]
        except KeyError as exc:
            raise RateMissing(f"no {exc.args[0].value} rate for {self.day}") from exc
        return source_eur / target_eur

    def convert(self, money: Money, target: Currency) -> Money:
        """Convert minor units, charging the margin on anything but a same-currency move."""
        if money.currency == target:
            return money
        rate = self.rate(money.currency, target) * (1 - self.margin)
        amount = (Decimal(money.amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return Money(int(amount), target)
'''

TEST_FX_PY = r"""from datetime import date
from decimal import Decimal

import pytest

from payments.fx import FxRates, RateMissing
from payments.models import Currency, Money

RATES = FxRates(
    date(2026, 2, 20),
    {Currency.USD: Decimal("0.92"), Currency.CHF: Decimal("1.05")},
    margin=Decimal(0),
)


def test_same_currency_is_untouched():
    assert RATES.convert(Money(100, Currency.USD), Currency.USD) == Money(100, Currency.USD)


def test_cross_rate_goes_through_eur():
    assert RATES.convert(Money(10_000, Currency.USD), Currency.CHF) == Money(8_762, Currency.CHF)


def test_missing_rate_is_an_error():
    with pytest.raises(RateMissing):
        RATES.convert(Money(100, Currency.SEK), Currency.EUR)
"""

API_PY_MULTI = None  # computed from the merged api.py in _build_multi_currency (needs main's version)

# -- migration/drop-legacy-tables ----------------------------------------------------------------
MIGRATION_0005 = r"""-- 0005: drop the tables imported from the PHP system; the 2025 audit is closed.
BEGIN;

DROP TABLE legacy_payments;

-- Refund rows were re-imported from Stripe into refunds_v2 during the audit.
DELETE FROM refunds;

ALTER TABLE payments DROP COLUMN IF EXISTS legacy_id;

COMMIT;
"""

MIGRATIONS_MD = r"""# Migrations

Files in `migrations/` run in order, once, inside a transaction where PostgreSQL allows it
(`CREATE INDEX CONCURRENTLY` cannot run in a transaction: such files contain nothing else).

## 0005_drop_legacy_tables

Removes `legacy_payments` now that the 2025 audit is closed, and clears `refunds`, whose rows were
re-imported into `refunds_v2`. Take a snapshot first: `make db-snapshot ENV=prod`.
"""

# -- feature/fraud-rules-gitai -------------------------------------------------------------------
FRAUD_INIT_PY = r'''"""Rule-based fraud screening run before a charge is sent to the provider."""
'''

FRAUD_RULES_PY = r'''"""Fraud rules: each rule scores an attempt; the sum decides allow, review or block."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..models import Currency, Money

REVIEW_AT = 50
BLOCK_AT = 80
HIGH_RISK_COUNTRIES = frozenset({"KP", "IR", "SY"})


@dataclass(frozen=True)
class Attempt:
    merchant_id: str
    card_fingerprint: str
    amount: Money
    ip_country: str
    card_country: str
    at: datetime


@dataclass
class Verdict:
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, points: int, reason: str) -> None:
        self.score += points
        self.reasons.append(reason)

    @property
    def decision(self) -> str:
        if self.score >= BLOCK_AT:
            return "block"
        if self.score >= REVIEW_AT:
            return "review"
        return "allow"


def amount_rule(attempt: Attempt, verdict: Verdict) -> None:
    limits = {Currency.JPY: 500_000, Currency.KWD: 1_000_000}
    limit = limits.get(attempt.amount.currency, 500_000)
    if attempt.amount.amount > limit:
        verdict.add(30, "amount above the single-payment limit")
    elif attempt.amount.amount > limit // 2:
        verdict.add(10, "large amount")


def geography_rule(attempt: Attempt, verdict: Verdict) -> None:
    if attempt.ip_country in HIGH_RISK_COUNTRIES or attempt.card_country in HIGH_RISK_COUNTRIES:
        verdict.add(80, "sanctioned country")
    elif attempt.ip_country != attempt.card_country:
        verdict.add(15, "card and IP countries differ")


def velocity_rule(attempt: Attempt, history: list[Attempt], verdict: Verdict) -> None:
    window = attempt.at - timedelta(minutes=10)
    recent = [a for a in history if a.card_fingerprint == attempt.card_fingerprint and a.at >= window]
    merchants = {a.merchant_id for a in recent}
    if len(recent) >= 5:
        verdict.add(40, f"{len(recent)} attempts with this card in 10 minutes")
    if len(merchants) >= 3:
        verdict.add(25, "card used at many merchants in 10 minutes")


def screen(attempt: Attempt, history: list[Attempt]) -> Verdict:
    verdict = Verdict()
    amount_rule(attempt, verdict)
    geography_rule(attempt, verdict)
    velocity_rule(attempt, history, verdict)
    return verdict
'''

# git-ai authorship note for the fraud commit: Cursor wrote these line ranges of rules.py.
GITAI_SESSION = "s_3f9a1c07b2e4d6"
GITAI_PROMPT = "t_8c21e5a0f4b379"
FRAUD_AI_RANGES = ((15, 40), (43, 66))  # 1-based, inclusive, in rules.py as committed: the classes and rules


def _gitai_note(path: str, ranges: tuple[tuple[int, int], ...]) -> str:
    spans = ",".join(f"{start}-{end}" for start, end in ranges)
    metadata = {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": None,
        "sessions": {
            GITAI_SESSION: {
                "agent_id": {
                    "tool": "cursor",
                    "id": "9d0c2f4e-7a1b-4c3d-8e5f-0a1b2c3d4e5f",
                    "model": "gpt-5",
                },
                "human_author": f"{MAYA.name} <{MAYA.email}>",
            }
        },
    }
    return f"{path}\n  {GITAI_SESSION}::{GITAI_PROMPT} {spans}\n---\n{json.dumps(metadata, indent=2)}\n"


# -- refs/pull/42/head (external contributor) ----------------------------------------------------
def _api_with_created_at(api: str) -> str:
    return api.replace(
        '            "refunded": payment.refunded,\n',
        '            "refunded": payment.refunded,\n'
        '            "created_at": payment.created_at.isoformat(),\n',
    )


# -- refs/remotes/origin/feature/audit-log -------------------------------------------------------
AUDIT_PY = r'''"""Append-only audit log of who did what to which payment."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class AuditRecord:
    actor: str
    action: str
    subject: str
    at: str
    previous_hash: str
    hash: str


class AuditLog:
    """Each record hashes the previous one, so an edited or deleted record breaks the chain."""

    def __init__(self) -> None:
        self._records: list[AuditRecord] = []

    def append(self, actor: str, action: str, subject: str, at: datetime | None = None) -> AuditRecord:
        when = (at or datetime.now(timezone.utc)).isoformat()
        previous = self._records[-1].hash if self._records else "0" * 64
        payload = json.dumps([actor, action, subject, when, previous]).encode()
        record = AuditRecord(actor, action, subject, when, previous, hashlib.sha256(payload).hexdigest())
        self._records.append(record)
        return record

    def verify(self) -> bool:
        previous = "0" * 64
        for record in self._records:
            payload = json.dumps([record.actor, record.action, record.subject, record.at, previous]).encode()
            if record.previous_hash != previous or hashlib.sha256(payload).hexdigest() != record.hash:
                return False
            previous = record.hash
        return True
'''

TEST_AUDIT_PY = r"""from dataclasses import replace

from payments.audit import AuditLog


def test_chain_verifies_until_tampered():
    log = AuditLog()
    log.append("maya", "refund", "pay_1")
    log.append("tom", "capture", "pay_2")
    assert log.verify()
    log._records[0] = replace(log._records[0], actor="mallory")
    assert not log.verify()
"""


# ==================================================================================================
# ai/generated-sdk-client: a generated API client, produced deterministically from a seeded RNG
# ==================================================================================================

SDK_RESOURCES = (
    "payment",
    "refund",
    "customer",
    "dispute",
    "payout",
    "invoice",
    "subscription",
    "plan",
    "price",
    "product",
    "coupon",
    "discount",
    "balance_transaction",
    "transfer",
    "charge",
    "mandate",
    "setup_intent",
    "payment_method",
    "tax_rate",
    "quote",
    "credit_note",
    "webhook_endpoint",
    "event",
    "file",
    "report_run",
    "account",
    "person",
    "capability",
    "topup",
    "application_fee",
    "terminal_reader",
    "location",
    "review",
    "radar_rule",
    "value_list",
    "checkout_session",
    "shipping_rate",
    "promotion_code",
    "invoice_item",
    "usage_record",
    "meter",
    "portal_session",
    "issuing_card",
    "cardholder",
    "authorization",
    "treasury_account",
    "financial_connection",
    "identity_session",
    "climate_order",
    "test_clock",
)

SDK_FIELDS = (
    ("amount", "int"),
    ("amount_received", "int"),
    ("currency", "str"),
    ("description", "str"),
    ("livemode", "bool"),
    ("metadata", "dict"),
    ("status", "enum"),
    ("created", "timestamp"),
    ("customer", "str"),
    ("email", "str"),
    ("name", "str"),
    ("phone", "str"),
    ("quantity", "int"),
    ("unit_amount", "int"),
    ("percent_off", "float"),
    ("tax_percent", "float"),
    ("expires_at", "timestamp"),
    ("cancel_at_period_end", "bool"),
    ("statement_descriptor", "str"),
    ("receipt_email", "str"),
    ("tags", "list"),
    ("country", "str"),
    ("balance", "int"),
    ("attempt_count", "int"),
    ("period_start", "timestamp"),
    ("period_end", "timestamp"),
    ("url", "str"),
    ("active", "bool"),
    ("reason", "str"),
    ("failure_code", "str"),
    ("line_items", "list"),
    ("application", "str"),
)

SDK_STATUSES = (
    "pending",
    "active",
    "succeeded",
    "failed",
    "canceled",
    "requires_action",
    "open",
    "closed",
    "draft",
)

_PY_TYPES = {
    "int": "int",
    "str": "str",
    "bool": "bool",
    "float": "float",
    "dict": "dict",
    "list": "list",
    "enum": "str",
    "timestamp": "int",
}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _plural(name: str) -> str:
    if name.endswith("y") and not name.endswith("ey"):
        return name[:-1] + "ies"
    if name.endswith(("s", "x")):
        return name + "es"
    return name + "s"


def _prefix(name: str) -> str:
    return "".join(part[:2] for part in name.split("_"))[:6]


def _sample_value(kind: str, rng: random.Random, statuses: tuple[str, ...]) -> object:
    if kind in ("int", "timestamp"):
        return rng.randrange(1, 2_000_000_000 if kind == "timestamp" else 100_000)
    if kind == "float":
        return round(rng.uniform(0, 100), 2)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "dict":
        return {"order_id": f"ord_{rng.randrange(10_000)}"}
    if kind == "list":
        return [f"item_{rng.randrange(100)}" for _ in range(rng.randrange(1, 4))]
    if kind == "enum":
        return rng.choice(statuses)
    return f"value_{rng.randrange(10_000)}"


def _sdk_model(
    name: str, fields: list[tuple[str, str]], statuses: tuple[str, ...], rng: random.Random
) -> str:
    cls = _camel(name)
    prefix = _prefix(name)
    max_lengths = ", ".join(
        f"{f!r}: {rng.choice((64, 255, 500, 5000))}" for f, kind in fields if kind == "str"
    )
    out = [
        f'"""Model of the `{name}` resource, with validation of the fields the API accepts."""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass, field",
        "from typing import Any",
        "",
        "from .._base import ValidationError, check_timestamp",
        "",
        f"{name.upper()}_STATUSES = {statuses!r}",
        f"{name.upper()}_MAX_LENGTHS = {{{max_lengths}}}",
        "",
        "",
        "@dataclass",
        f"class {cls}:",
        f'    """A {name.replace("_", " ")} as returned by the API."""',
        "",
        "    id: str",
    ]
    for fname, kind in fields:
        if kind in ("dict", "list"):
            out.append(f"    {fname}: {_PY_TYPES[kind]} = field(default_factory={_PY_TYPES[kind]})")
        else:
            out.append(f"    {fname}: {_PY_TYPES[kind]} | None = None")
    out += [
        "",
        "    @classmethod",
        f"    def from_dict(cls, data: dict[str, Any]) -> {cls}:",
        "        if not isinstance(data, dict):",
        f'            raise ValidationError("{name}: expected an object")',
        '        obj_id = data.get("id")',
        f'        if not isinstance(obj_id, str) or not obj_id.startswith("{prefix}_"):',
        f'            raise ValidationError("{name}.id: expected an id starting with {prefix}_")',
        '        kwargs: dict[str, Any] = {"id": obj_id}',
    ]
    for fname, kind in fields:
        out.append(f'        value = data.get("{fname}")')
        out.append("        if value is not None:")
        if kind == "list":
            out += [
                "            if not isinstance(value, list):",
                f'                raise ValidationError("{name}.{fname}: expected a list")',
                "            items = []",
                "            for index, item in enumerate(value):",
                "                if not isinstance(item, str):",
                f'                    raise ValidationError(f"{name}.{fname}[{{index}}]: expected a string")',
                "                items.append(item)",
                f'            kwargs["{fname}"] = items',
            ]
        elif kind == "enum":
            out += [
                f"            if value not in {name.upper()}_STATUSES:",
                f'                raise ValidationError(f"{name}.{fname}: unknown value {{value!r}}")',
                f'            kwargs["{fname}"] = value',
            ]
        elif kind == "timestamp":
            out.append(f'            kwargs["{fname}"] = check_timestamp("{name}.{fname}", value)')
        elif kind == "float":
            out += [
                "            if isinstance(value, bool) or not isinstance(value, (int, float)):",
                f'                raise ValidationError("{name}.{fname}: expected a number")',
                f'            kwargs["{fname}"] = float(value)',
            ]
        elif kind == "int":
            out += [
                "            if isinstance(value, bool) or not isinstance(value, int):",
                f'                raise ValidationError("{name}.{fname}: expected an integer")',
                f'            kwargs["{fname}"] = value',
            ]
        else:
            out += [
                f"            if not isinstance(value, {_PY_TYPES[kind]}):",
                f'                raise ValidationError("{name}.{fname}: expected {_PY_TYPES[kind]}")',
                f'            kwargs["{fname}"] = value',
            ]
    names = ", ".join(repr(f) for f, _ in fields)
    out += [
        "        return cls(**kwargs)",
        "",
        "    def to_dict(self) -> dict[str, Any]:",
        '        out: dict[str, Any] = {"id": self.id}',
        f"        for name in ({names},):",
        "            value = getattr(self, name)",
        "            if value is None or value == [] or value == {}:",
        "                continue",
        "            out[name] = value",
        "        return out",
        "",
        "    def validate(self) -> list[str]:",
        '        """Problems the API would reject on write; empty when the object is valid."""',
        "        problems: list[str] = []",
    ]
    for fname, kind in fields:
        if kind == "int":
            out += [
                f"        if self.{fname} is not None and self.{fname} < 0:",
                f'            problems.append("{fname} must not be negative")',
            ]
        elif kind == "str":
            out += [
                f"        if self.{fname} is not None"
                f" and len(self.{fname}) > {name.upper()}_MAX_LENGTHS[{fname!r}]:",
                f'            problems.append("{fname} is too long")',
            ]
        elif kind == "float":
            out += [
                f"        if self.{fname} is not None and not 0 <= self.{fname} <= 100:",
                f'            problems.append("{fname} must be a percentage")',
            ]
    out += ["        return problems", ""]
    return "\n".join(out)


def _sdk_endpoint(name: str, fields: list[tuple[str, str]], ops: set[str]) -> str:
    cls = _camel(name)
    plural = _plural(name)
    writable = [(f, k) for f, k in fields if k not in ("timestamp",)][:6]
    filters = [(f, k) for f, k in fields if k in ("str", "enum", "bool")][:3]
    out = [
        f'"""Client for /v1/{plural}: list, create, retrieve, update and delete."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any, Iterator",
        "",
        "from .._base import BaseEndpoint",
        f"from ..models.{name} import {cls}",
        "",
        "",
        f"class {cls}Endpoint(BaseEndpoint):",
        f'    path = "/v1/{plural}"',
        "",
        f"    def retrieve(self, {name}_id: str) -> {cls}:",
        f"        if not {name}_id:",
        f'            raise ValueError("{name}_id is required")',
        f'        return {cls}.from_dict(self._request("GET", f"{{self.path}}/{{{name}_id}}"))',
        "",
        "    def list(",
        "        self,",
        "        *,",
        "        limit: int = 10,",
        "        starting_after: str | None = None,",
    ]
    for fname, kind in filters:
        out.append(f"        {fname}: {_PY_TYPES[kind]} | None = None,")
    out += [
        f"    ) -> list[{cls}]:",
        "        if not 1 <= limit <= 100:",
        '            raise ValueError("limit must be in 1..100")',
        '        params: dict[str, Any] = {"limit": limit}',
        "        if starting_after is not None:",
        '            params["starting_after"] = starting_after',
    ]
    for fname, kind in filters:
        out += [f"        if {fname} is not None:"]
        if kind == "bool":
            out.append(f'            params["{fname}"] = "true" if {fname} else "false"')
        else:
            out.append(f'            params["{fname}"] = {fname}')
    out += [
        '        payload = self._request("GET", self.path, params=params)',
        f'        return [{cls}.from_dict(item) for item in payload.get("data", [])]',
        "",
        f"    def iterate(self, **filters: Any) -> Iterator[{cls}]:",
        '        """Every object, page by page."""',
        "        cursor = None",
        "        while True:",
        "            page = self.list(limit=100, starting_after=cursor, **filters)",
        "            yield from page",
        "            if len(page) < 100:",
        "                return",
        "            cursor = page[-1].id",
    ]
    if "create" in ops or "update" in ops:
        args = [f"        {f}: {_PY_TYPES[k]} | None = None," for f, k in writable]
        body = []
        for fname, kind in writable:
            body += [f"        if {fname} is not None:"]
            if kind == "dict":
                body += [
                    f"            for key, item in {fname}.items():",
                    f'                body[f"{fname}[{{key}}]"] = str(item)',
                ]
            elif kind == "list":
                body += [
                    f"            for index, item in enumerate({fname}):",
                    f'                body[f"{fname}[{{index}}]"] = item',
                ]
            elif kind == "bool":
                body += [f'            body["{fname}"] = "true" if {fname} else "false"']
            else:
                body += [f'            body["{fname}"] = str({fname})']
        for op in ("create", "update"):
            if op not in ops:
                continue
            target = "self.path" if op == "create" else f'f"{{self.path}}/{{{name}_id}}"'
            out += ["", f"    def {op}(", "        self,"]
            if op == "update":
                out.append(f"        {name}_id: str,")
            out += ["        *,", *args, "        idempotency_key: str | None = None,", f"    ) -> {cls}:"]
            if op == "update":
                out += [
                    f"        if not {name}_id:",
                    f'            raise ValueError("{name}_id is required")',
                ]
            out += ["        body: dict[str, str] = {}"] + body
            out += [
                f'        payload = self._request("POST", {target}, data=body,'
                " idempotency_key=idempotency_key)",
                f"        return {cls}.from_dict(payload)",
            ]
    if "delete" in ops:
        out += [
            "",
            f"    def delete(self, {name}_id: str) -> bool:",
            f'        payload = self._request("DELETE", f"{{self.path}}/{{{name}_id}}")',
            '        return bool(payload.get("deleted"))',
        ]
    out.append("")
    return "\n".join(out)


def _sdk_test(name: str, fields: list[tuple[str, str]], statuses: tuple[str, ...], rng: random.Random) -> str:
    cls = _camel(name)
    sample: dict[str, object] = {"id": f"{_prefix(name)}_{rng.randrange(10**8):08d}"}
    for fname, kind in fields:
        sample[fname] = _sample_value(kind, rng, statuses)
    out = [
        "import pytest",
        "",
        "from acmepay_sdk._base import ValidationError",
        f"from acmepay_sdk.models.{name} import {cls}",
        "",
        "SAMPLE = "
        + json.dumps(sample, sort_keys=True, indent=4).replace("true", "True").replace("false", "False"),
        "",
        "",
        f"def test_{name}_round_trip():",
        f"    assert {cls}.from_dict(SAMPLE).to_dict() == SAMPLE",
        "",
        "",
        f"def test_{name}_rejects_foreign_ids():",
        "    with pytest.raises(ValidationError):",
        f'        {cls}.from_dict({{**SAMPLE, "id": "xx_123"}})',
        "",
        "",
        f"def test_{name}_validates_clean_sample():",
        f"    assert {cls}.from_dict(SAMPLE).validate() == []",
    ]
    for fname, kind in fields:
        if kind in ("int", "str", "list", "enum", "bool"):
            wrong = {"int": '"12"', "str": "12", "list": '"a,b"', "enum": '"bogus"', "bool": '"yes"'}[kind]
            out += [
                "",
                "",
                f"def test_{name}_rejects_bad_{fname}():",
                "    with pytest.raises(ValidationError):",
                f'        {cls}.from_dict({{**SAMPLE, "{fname}": {wrong}}})',
            ]
    out.append("")
    return "\n".join(out)


SDK_BASE_PY = r'''"""Shared plumbing of the generated SDK: transport, errors, validation helpers."""

from __future__ import annotations

import json
import time
from typing import Any, Callable
from urllib.parse import urlencode


class ValidationError(ValueError):
    """The API returned (or the caller built) an object that does not match the schema."""


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.code = code


def check_timestamp(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{where}: expected a unix timestamp")
    if value < 0 or value > 4_102_444_800:
        raise ValidationError(f"{where}: timestamp out of range")
    return value


Transport = Callable[[str, str, dict[str, str], bytes], tuple[int, bytes]]


class BaseEndpoint:
    path = "/"

    def __init__(self, transport: Transport, api_key: str, base_url: str, max_retries: int = 2) -> None:
        self._transport = transport
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._max_retries = max_retries

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        url = self._base_url + path
        if params:
            url += "?" + urlencode(params)
        headers = {"Authorization": f"Bearer {self._api_key}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        body = urlencode(data or {}).encode()
        attempt = 0
        while True:
            attempt += 1
            status, raw = self._transport(method, url, headers, body)
            if status < 400:
                return json.loads(raw or b"{}")
            if status in (429, 502, 503) and attempt <= self._max_retries:
                time.sleep(0.5 * attempt)
                continue
            try:
                error = json.loads(raw).get("error", {})
            except ValueError:
                error = {}
            raise ApiError(status, error.get("message", "request failed"), error.get("code"))
'''


def _sdk_schema(specs: list[tuple[str, list[tuple[str, str]], tuple[str, ...], set[str]]]) -> str:
    json_types = {
        "int": "integer",
        "str": "string",
        "bool": "boolean",
        "float": "number",
        "dict": "object",
        "list": "array",
        "enum": "string",
        "timestamp": "integer",
    }
    components: dict[str, object] = {}
    paths: dict[str, object] = {}
    for name, fields, statuses, ops in specs:
        props: dict[str, object] = {"id": {"type": "string", "pattern": f"^{_prefix(name)}_"}}
        for fname, kind in fields:
            prop: dict[str, object] = {"type": json_types[kind]}
            if kind == "enum":
                prop["enum"] = list(statuses)
            if kind == "timestamp":
                prop["format"] = "unix-time"
            if kind == "list":
                prop["items"] = {"type": "string"}
            props[fname] = prop
        components[_camel(name)] = {"type": "object", "required": ["id"], "properties": props}
        ref = {"$ref": f"#/components/schemas/{_camel(name)}"}
        collection: dict[str, object] = {
            "get": {"operationId": f"list_{_plural(name)}", "responses": {"200": {"description": "a page"}}}
        }
        if "create" in ops:
            collection["post"] = {"operationId": f"create_{name}", "responses": {"200": {"content": ref}}}
        item: dict[str, object] = {
            "get": {"operationId": f"retrieve_{name}", "responses": {"200": {"content": ref}}}
        }
        if "update" in ops:
            item["post"] = {"operationId": f"update_{name}", "responses": {"200": {"content": ref}}}
        if "delete" in ops:
            deleted = {"200": {"description": "deleted"}}
            item["delete"] = {"operationId": f"delete_{name}", "responses": deleted}
        paths[f"/v1/{_plural(name)}"] = collection
        paths[f"/v1/{_plural(name)}/{{id}}"] = item
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Acme Pay API", "version": "2026-02-01"},
        "paths": paths,
        "components": {"schemas": components},
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def generate_sdk() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(models + schema, endpoints + client, tests) of the generated SDK, as {path: text}."""
    rng = random.Random(42)
    specs = []
    for name in SDK_RESOURCES:
        fields = sorted(rng.sample(SDK_FIELDS, rng.randrange(10, 18)))
        statuses = tuple(sorted(rng.sample(SDK_STATUSES, rng.randrange(3, 6))))
        ops = {op for op in ("create", "update", "delete") if rng.random() < 0.75}
        specs.append((name, fields, statuses, ops))
    root = "sdk/acmepay_sdk"
    models = {f"{root}/_base.py": SDK_BASE_PY, "sdk/openapi.json": _sdk_schema(specs)}
    endpoints: dict[str, str] = {}
    tests: dict[str, str] = {"sdk/tests/__init__.py": ""}
    for name, fields, statuses, ops in specs:
        models[f"{root}/models/{name}.py"] = _sdk_model(name, fields, statuses, rng)
        endpoints[f"{root}/endpoints/{name}.py"] = _sdk_endpoint(name, fields, ops)
        tests[f"sdk/tests/test_{name}.py"] = _sdk_test(name, fields, statuses, rng)
    models[f"{root}/models/__init__.py"] = "".join(
        f"from .{name} import {_camel(name)}  # noqa: F401\n" for name in SDK_RESOURCES
    )
    endpoints[f"{root}/endpoints/__init__.py"] = ""
    client = [
        '"""The Acme Pay API client: one attribute per resource."""',
        "",
        "from __future__ import annotations",
        "",
        "from ._base import Transport",
    ]
    client += [f"from .endpoints.{name} import {_camel(name)}Endpoint" for name in SDK_RESOURCES]
    client += [
        "",
        "",
        "class AcmePay:",
        "    def __init__(",
        '        self, api_key: str, transport: Transport, base_url: str = "https://api.acmepay.example"',
        "    ) -> None:",
        '        if not api_key.startswith(("ak_live_", "ak_test_")):',
        '            raise ValueError("not an Acme Pay API key")',
    ]
    client += [
        f"        self.{_plural(name)} = {_camel(name)}Endpoint(transport, api_key, base_url)"
        for name in SDK_RESOURCES
    ]
    client.append("")
    endpoints[f"{root}/client.py"] = "\n".join(client)
    endpoints[f"{root}/__init__.py"] = (
        '"""Acme Pay API client (generated)."""\n\nfrom .client import AcmePay  # noqa: F401\n'
    )
    return models, endpoints, tests


# ==================================================================================================
# The history
# ==================================================================================================

START = 1_767_603_600  # 2026-01-05 09:00 UTC


def _message(subject: str, body: str = "", trailers: tuple[str, ...] = ()) -> str:
    parts = [subject]
    if body:
        parts.append(body)
    if trailers:
        parts.append("\n".join(trailers))
    return "\n\n".join(parts) + "\n"


def _file(b: RepoBuilder, branch: str, path: str) -> str:
    """The current text of `path` on `branch` (edits below are applied to it)."""
    return b.snapshots[branch][path][0].decode("utf-8")


def _append(b: RepoBuilder, branch: str, path: str, text: str) -> str:
    return _file(b, branch, path) + text


def _insert_after(b: RepoBuilder, branch: str, path: str, anchor: str, text: str) -> str:
    current = _file(b, branch, path)
    if anchor not in current:
        raise ValueError(f"{path}: anchor not found")
    return current.replace(anchor, anchor + text, 1)


def _to_ref(b: RepoBuilder, branch: str, ref: str) -> None:
    """Move a scratch branch to a non-branch ref (a fetched PR, a remote-tracking branch)."""
    b.set_ref(ref, b.head(branch))
    b.repo.references.delete(f"refs/heads/{branch}")
    del b.snapshots[branch]


def _later(b: RepoBuilder, hours: float) -> None:
    b.clock.tick(int(hours * 3600))


def build_payments(path: Path) -> Path:
    """Build the payments-service repository at `path` (which must not exist yet) and return it."""
    b = RepoBuilder(path, clock=Clock(start=START, step=600))
    main = "main"

    # -- January: the service takes shape ------------------------------------------------------
    b.commit(
        _message("Initial service skeleton", "Money and payment models, packaging, test setup."),
        {
            "README.md": README_MD,
            "pyproject.toml": PYPROJECT_TOML,
            "requirements.txt": REQUIREMENTS_TXT,
            ".gitignore": GITIGNORE,
            "payments/__init__.py": INIT_PY,
            "payments/models.py": MODELS_PY,
            "tests/conftest.py": CONFTEST_PY,
            "tests/test_models.py": TEST_MODELS_PY,
        },
        author=MAYA,
    )
    _later(b, 50)
    b.commit(
        _message("Add double-entry ledger", "Every money movement is a balanced journal entry."),
        {"payments/ledger.py": LEDGER_PY, "tests/test_ledger.py": TEST_LEDGER_PY},
        author=MAYA,
    )
    _later(b, 45)
    b.commit(
        _message(
            "Add retry policy with capped exponential backoff",
            "Full jitter by default; card errors are never retried.",
        ),
        {"payments/retry.py": RETRY_PY, "tests/test_retry.py": TEST_RETRY_PY},
        author=TOM,
    )
    _later(b, 70)
    b.commit(
        _message("Add Stripe gateway client", "Charges and refunds with idempotency keys, retried."),
        {
            "payments/gateway/__init__.py": GATEWAY_INIT_PY,
            "payments/gateway/errors.py": GATEWAY_ERRORS_PY,
            "payments/gateway/stripe_client.py": STRIPE_CLIENT_PY,
        },
        author=TOM,
    )
    _later(b, 48)
    b.commit(
        _message("Add HMAC API tokens and webhook payload signing"),
        {
            "payments/auth/__init__.py": AUTH_INIT_PY,
            "payments/auth/tokens.py": TOKENS_PY,
            "payments/crypto/__init__.py": CRYPTO_INIT_PY,
            "payments/crypto/signing.py": SIGNING_PY,
        },
        author=PRIYA,
    )
    _later(b, 52)
    b.commit(
        _message("Terraform: payments database, queues and receipt bucket"),
        {
            "infra/terraform/main.tf": MAIN_TF,
            "infra/terraform/variables.tf": VARIABLES_TF,
            "infra/terraform/environments/prod.tf": PROD_TF,
            "infra/terraform/environments/staging.tf": STAGING_TF,
        },
        author=LUIS,
    )
    _later(b, 70)
    b.commit(
        _message("Initial schema and refunds migrations"),
        {"migrations/0001_init.sql": MIGRATION_0001, "migrations/0002_refunds.sql": MIGRATION_0002},
        author=PRIYA,
    )
    _later(b, 47)
    b.commit(
        _message("Refunds: rules and service", "Refund window of 180 days, except for fraud."),
        {"payments/refunds.py": REFUNDS_PY, "tests/test_refunds.py": TEST_REFUNDS_PY},
        author=TOM,
    )
    _later(b, 49)
    b.commit(
        _message("Request handlers for payments and refunds"),
        {"payments/api.py": API_PY, "docs/api.md": API_MD},
        author=MAYA,
    )
    _later(b, 68)
    b.commit(
        _message("CI: tests, lint and the review gate"),
        {".github/workflows/ci.yml": CI_YML},
        author=LUIS,
    )
    _later(b, 45)
    b.commit(
        _message("Architecture notes and runbook"),
        {"docs/architecture.md": ARCHITECTURE_MD, "docs/runbook.md": RUNBOOK_MD},
        author=MAYA,
    )
    _later(b, 50)
    b.commit(
        _message(
            "Add review tiers and seniors for review-tui",
            "Gateway, auth, crypto, ledger, infra and migrations are Tier 0.",
        ),
        {".review-tui.toml": REVIEW_TUI_TOML},
        author=PRIYA,
    )

    # -- February: branches start; main keeps moving ---------------------------------------------
    b.branch("feature/retry-refactor-claude", main)
    b.branch("fix/ledger-double-post", main)
    b.branch("feature/receipt-pdf", main)
    _later(b, 20)
    _retry_refactor_claude(b, "feature/retry-refactor-claude")
    _later(b, 30)
    b.commit(
        _message("Idempotency keys table", "A retried request must never charge twice."),
        {"migrations/0003_idempotency_keys.sql": MIGRATION_0003},
        author=TOM,
    )
    b.branch("aider/add-refund-webhooks", main)
    b.branch("copilot/fix-currency-rounding", main)
    b.branch("feature/multi-currency", main)
    b.branch("feature/settlement-report", main)
    _later(b, 5)
    b.commit(
        _message("Settlement report per merchant and day"),
        {"payments/settlement.py": SETTLEMENT_PY},
        branch="feature/settlement-report",
        author=TOM,
    )
    _later(b, 3)
    b.commit(
        _message("Tests for the settlement report"),
        {"tests/test_settlement.py": TEST_SETTLEMENT_PY},
        branch="feature/settlement-report",
        author=TOM,
    )
    _later(b, 20)
    _aider_webhooks(b, "aider/add-refund-webhooks")
    _later(b, 10)
    b.merge(main, "feature/settlement-report", "Merge branch 'feature/settlement-report'\n", author=MAYA)
    _later(b, 6)
    _copilot_rounding(b, "copilot/fix-currency-rounding")
    _later(b, 12)
    b.commit(
        _message("Support CHF, SEK and PLN"),
        {"payments/models.py": MODELS_PY_MULTI},
        branch="feature/multi-currency",
        author=MAYA,
    )
    b.branch("feature/fx-rates", "feature/multi-currency")
    _later(b, 20)
    b.commit(
        _message("prod: larger database instance", "CPU sat at 80% during the month-end settlement run."),
        {"infra/terraform/environments/prod.tf": PROD_TF_V2},
        author=LUIS,
    )
    b.branch("infra/recreate-staging-env", main)
    b.branch("ai/generated-sdk-client", main)
    b.branch("docs/runbook-update", main)
    _later(b, 4)
    b.commit(
        _message("FX rates with a margin, converted through EUR"),
        {"payments/fx.py": FX_PY, "tests/test_fx.py": TEST_FX_PY},
        branch="feature/fx-rates",
        author=TOM,
    )
    _later(b, 20)
    _infra_recreate(b, "infra/recreate-staging-env")
    _later(b, 8)
    _ledger_fix(b, "fix/ledger-double-post")
    _later(b, 24)
    b.commit(
        _message("Ledger indexes for the reports"),
        {"migrations/0004_ledger_indexes.sql": MIGRATION_0004},
        author=PRIYA,
    )
    b.branch("migration/drop-legacy-tables", main)
    b.branch("test/refund-coverage", main)
    b.branch("feature/fraud-rules-gitai", main)
    _later(b, 6)
    _generated_sdk(b, "ai/generated-sdk-client")
    _later(b, 18)
    b.commit(
        _message("retry: honour Retry-After from the provider"),
        {"payments/retry.py": RETRY_PY_V2},
        author=TOM,
    )
    _later(b, 5)
    _receipts(b, "feature/receipt-pdf")
    _later(b, 30)
    b.commit(
        _message("Update dependencies", "psycopg 3.2.3, pydantic 2.9.2, pytest 8.3.3; add mypy."),
        {"requirements.txt": REQUIREMENTS_TXT_V2},
        author=MAYA,
    )
    b.branch("scratch/audit-log", main)
    _later(b, 3)
    b.merge("feature/multi-currency", main, "Merge branch 'main' into feature/multi-currency\n", author=MAYA)
    _later(b, 2)
    b.merge(
        "feature/multi-currency",
        "feature/fx-rates",
        "Merge branch 'feature/fx-rates' into feature/multi-currency\n",
        author=MAYA,
    )
    b.repo.references.delete("refs/heads/feature/fx-rates")  # deleted after merging, as usual
    del b.snapshots["feature/fx-rates"]
    _later(b, 5)
    b.commit(
        _message("Accept settlement_currency on create_payment"),
        {
            "payments/api.py": _insert_after(
                b,
                "feature/multi-currency",
                "payments/api.py",
                '        return _error(422, "source must be a card token")\n',
                '    settlement = body.get("settlement_currency")\n'
                "    if settlement is not None:\n"
                "        try:\n"
                "            Currency(str(settlement).upper())\n"
                "        except ValueError:\n"
                '            return _error(422, "unsupported settlement currency")\n',
            )
        },
        branch="feature/multi-currency",
        author=TOM,
    )
    _later(b, 10)
    _migration_codex(b, "migration/drop-legacy-tables")
    _later(b, 7)
    _audit_log(b, "scratch/audit-log")
    _later(b, 20)
    b.commit(
        _message("Changelog for 0.4.0"),
        {"CHANGELOG.md": CHANGELOG_MD, "payments/__init__.py": INIT_PY},
        author=MAYA,
    )
    b.branch("scratch/pull-42", main)
    _later(b, 6)
    _refund_tests(b, "test/refund-coverage")
    _later(b, 9)
    _fraud_rules(b, "feature/fraud-rules-gitai")
    _later(b, 12)
    b.commit(
        _message("Include created_at in payment responses", "Closes #41."),
        {
            "payments/api.py": _api_with_created_at(_file(b, "scratch/pull-42", "payments/api.py")),
            "docs/api.md": _append(
                b,
                "scratch/pull-42",
                "docs/api.md",
                "\nPayment responses include `created_at` (ISO 8601, UTC).\n",
            ),
        },
        branch="scratch/pull-42",
        author=SAM,
    )
    _to_ref(b, "scratch/pull-42", "refs/pull/42/head")
    _later(b, 20)
    b.commit(
        _message("docs: error responses"),
        {
            "docs/api.md": _append(
                b,
                main,
                "docs/api.md",
                '\nErrors are JSON objects `{"error": "..."}` with status 401, 403, 404, 409, 422 or 502.\n',
            )
        },
        author=PRIYA,
    )
    b.branch("refactor/rename-gateway-modules", main)
    _later(b, 4)
    _runbook(b, "docs/runbook-update")
    _later(b, 3)
    _rename_gateway(b, "refactor/rename-gateway-modules")

    finish_as_clone(b, "https://git.acmepay.example/payments/payments-service.git")
    return path


def finish_as_clone(b: RepoBuilder, url: str) -> None:
    """Make the built repository look like a fresh clone: origin, origin/main, origin/HEAD, main checked out.

    origin/main points at main, so discovery that resolves "origin's HEAD" finds the same base.
    """
    b.repo.remotes.create("origin", url)
    b.set_ref("refs/remotes/origin/main", b.head("main"))
    b.repo.references.create("refs/remotes/origin/HEAD", "refs/remotes/origin/main", force=True)
    b.checkout("main")


def _retry_refactor_claude(b: RepoBuilder, branch: str) -> None:
    b.commit(
        _message(
            "Refactor retry policy into pluggable backoff strategies",
            "Classify provider errors (transient, rate limited, permanent, unknown) instead of a flat\n"
            "status list, add equal and decorrelated jitter, and a deadline across attempts.\n\n"
            + CLAUDE_BODY,
            (CLAUDE_TRAILER,),
        ),
        {
            "payments/retry.py": RETRY_PY_CLAUDE,
            "tests/test_retry.py": _insert_after(
                b, branch, "tests/test_retry.py", "full_jitter\n", TEST_RETRY_CLAUDE_IMPORT
            )
            + TEST_RETRY_CLAUDE_TESTS,
        },
        branch=branch,
        author=TOM,
    )
    _later(b, 3)
    tests = _insert_after(
        b, branch, "tests/test_retry.py", TEST_RETRY_CLAUDE_IMPORT, TEST_RETRY_BUDGET_IMPORT
    )
    b.commit(
        _message(
            "Add a retry budget shared across calls",
            "Retries stop once they exceed 20% of recent requests, so a provider outage does not\n"
            "triple our traffic to it.\n\n" + CLAUDE_BODY,
            ("co-authored-by: Claude Opus 4.6 (1M context) <noreply@anthropic.com>",),
        ),
        {
            "payments/retry.py": _append(b, branch, "payments/retry.py", RETRY_PY_CLAUDE_BUDGET),
            "tests/test_retry.py": tests + TEST_RETRY_BUDGET_TESTS,
        },
        branch=branch,
        author=TOM,
    )
    _later(b, 20)
    b.commit(
        _message("Test the retry budget floor with no traffic"),
        {"tests/test_retry.py": _append(b, branch, "tests/test_retry.py", TEST_RETRY_HUMAN_TESTS)},
        branch=branch,
        author=TOM,
    )


def _aider_webhooks(b: RepoBuilder, branch: str) -> None:
    aider = ("Co-authored-by: aider (gpt-5) <aider@aider.chat>",)
    b.commit(
        _message("aider: Add refund webhook dispatcher with signed deliveries", trailers=aider),
        {"payments/webhooks.py": WEBHOOKS_PY},
        branch=branch,
        author=DANA_AIDER,
    )
    _later(b, 1)
    b.commit(
        _message("aider: Add tests for refund webhooks", trailers=aider),
        {"tests/test_webhooks.py": TEST_WEBHOOKS_PY},
        branch=branch,
        author=DANA_AIDER,
    )
    _later(b, 2)
    # Dana's own edit, committed by aider with a generated message: the committer carries "(aider)",
    # the author does not, so the code is human.
    b.commit(
        _message("Dispatch refund.created from RefundService"),
        {"payments/refunds.py": REFUNDS_PY_WEBHOOKS},
        branch=branch,
        author=DANA,
        committer=DANA_AIDER,
    )


def _copilot_rounding(b: RepoBuilder, branch: str) -> None:
    co_author = ("Co-authored-by: tomokafor <31415926+tomokafor@users.noreply.github.com>",)
    b.commit(
        _message("Initial plan", trailers=co_author), {}, branch=branch, author=COPILOT, committer=GITHUB
    )
    _later(b, 0.5)
    b.commit(
        _message(
            "Fix currency rounding for zero- and three-decimal currencies",
            "to_minor_units multiplied by 100 for every currency and rounded a binary float, so\n"
            "JPY amounts were 100x too large and 1.005 USD became 100 cents by accident.\n"
            "Use ISO 4217 exponents and Decimal with ROUND_HALF_EVEN.",
            co_author,
        ),
        {"payments/models.py": MODELS_PY_COPILOT},
        branch=branch,
        author=COPILOT,
        committer=GITHUB,
    )
    _later(b, 0.3)
    tests = _file(b, branch, "tests/test_models.py").replace(
        "from payments.models import Currency, Money, to_minor_units\n",
        "from payments.models import Currency, Money, format_money, to_minor_units\n",
    )
    b.commit(
        _message("Add rounding tests for JPY, KWD and half-even cases", trailers=co_author),
        {"tests/test_models.py": tests + TEST_MODELS_COPILOT_TESTS},
        branch=branch,
        author=COPILOT,
        committer=GITHUB,
    )


def _infra_recreate(b: RepoBuilder, branch: str) -> None:
    b.commit(
        _message(
            "Recreate staging from scratch",
            "Staging drifted from prod (manual console edits). Drop the DLQ we never read, let the\n"
            "bucket and database be destroyed, and give the new instance a fresh identifier.",
        ),
        {
            "infra/terraform/main.tf": MAIN_TF_RECREATE,
            "infra/terraform/environments/staging.tf": STAGING_TF_RECREATE,
        },
        branch=branch,
        author=LUIS,
    )
    _later(b, 2)
    b.commit(
        _message("Add scripts/recreate_env.sh"),
        {"scripts/recreate_env.sh": (RECREATE_ENV_SH, 0o100755)},
        branch=branch,
        author=LUIS,
    )


def _ledger_fix(b: RepoBuilder, branch: str) -> None:
    b.commit(
        _message(
            "Fix double posting of retried captures",
            "Ledger.post compared the entry id against a list of entries, which never matched, so a\n"
            "retried capture was posted twice. Track posted ids in a set.",
        ),
        {
            "payments/ledger.py": LEDGER_PY_FIX,
            "tests/test_ledger.py": _file(b, branch, "tests/test_ledger.py").replace(
                "    capture_entry,\n", "    DuplicatePosting,\n    capture_entry,\n", 1
            )
            + TEST_LEDGER_FIX_TESTS,
        },
        branch=branch,
        author=PRIYA,
    )


def _generated_sdk(b: RepoBuilder, branch: str) -> None:
    models, endpoints, tests = generate_sdk()
    model_files: dict[str, Content] = {**models}
    endpoint_files: dict[str, Content] = {**endpoints}
    test_files: dict[str, Content] = {**tests}
    co_author = (f"Co-authored-by: {PRIYA.name} <{PRIYA.email}>",)
    b.commit(
        _message("Generate SDK models from openapi.json", "From the 2026-02-01 API schema.", co_author),
        model_files,
        branch=branch,
        author=CURSOR_AGENT,
    )
    _later(b, 0.2)
    b.commit(
        _message("Generate endpoint clients and the AcmePay facade", trailers=co_author),
        endpoint_files,
        branch=branch,
        author=CURSOR_AGENT,
    )
    _later(b, 0.2)
    b.commit(
        _message("Generate SDK tests", trailers=co_author), test_files, branch=branch, author=CURSOR_AGENT
    )


def _receipts(b: RepoBuilder, branch: str) -> None:
    b.commit(
        _message("Receipt assets: logo, font, PDF template"),
        {
            "assets/receipts/logo.png": _png(48, 48),
            "assets/receipts/fonts/ReceiptSans-Regular.ttf": _font_blob(),
            "assets/receipts/template.pdf": _pdf_blob(),
        },
        branch=branch,
        author=PRIYA,
    )
    _later(b, 3)
    b.commit(
        _message("Render payment receipts"),
        {
            "payments/receipts/__init__.py": RECEIPTS_INIT_PY,
            "payments/receipts/render.py": RECEIPTS_RENDER_PY,
            "tests/test_receipts.py": TEST_RECEIPTS_PY,
        },
        branch=branch,
        author=PRIYA,
    )


def _migration_codex(b: RepoBuilder, branch: str) -> None:
    b.commit(
        _message(
            "Drop legacy payment tables",
            "The 2025 audit is closed; legacy_payments is no longer read anywhere.",
            ("Co-authored-by: Codex <noreply@openai.com>",),
        ),
        {"migrations/0005_drop_legacy_tables.sql": MIGRATION_0005},
        branch=branch,
        author=PRIYA,
    )
    _later(b, 1)
    b.commit(
        _message("Document migration 0005", trailers=("Assisted-by: Codex:gpt-5-codex",)),
        {"docs/migrations.md": MIGRATIONS_MD},
        branch=branch,
        author=PRIYA,
    )


def _audit_log(b: RepoBuilder, branch: str) -> None:
    b.commit(
        _message("Hash-chained audit log"),
        {"payments/audit.py": AUDIT_PY},
        branch=branch,
        author=PRIYA,
    )
    _later(b, 4)
    b.commit(
        _message("Audit log tamper test"), {"tests/test_audit.py": TEST_AUDIT_PY}, branch=branch, author=PRIYA
    )
    _to_ref(b, branch, "refs/remotes/origin/feature/audit-log")


def _refund_tests(b: RepoBuilder, branch: str) -> None:
    b.commit(
        _message("Cover refund rejections", "Statuses, currency mismatch, unknown reason, zero amount."),
        {"tests/test_refunds.py": _append(b, branch, "tests/test_refunds.py", TEST_REFUNDS_MORE)},
        branch=branch,
        author=TOM,
    )
    _later(b, 2)
    b.commit(
        _message("Test RefundService against a fake gateway"),
        {"tests/test_refund_service.py": TEST_REFUND_SERVICE_PY},
        branch=branch,
        author=TOM,
    )


def _fraud_rules(b: RepoBuilder, branch: str) -> None:
    commit = b.commit(
        _message(
            "Rule-based fraud screening",
            "Amount, geography and card velocity rules; review at 50, block at 80.",
        ),
        {"payments/fraud/__init__.py": FRAUD_INIT_PY, "payments/fraud/rules.py": FRAUD_RULES_PY},
        branch=branch,
        author=MAYA,
    )
    note = _gitai_note("payments/fraud/rules.py", FRAUD_AI_RANGES)
    b.add_note(commit, note, ref="refs/notes/ai", author=MAYA)


def _runbook(b: RepoBuilder, branch: str) -> None:
    b.commit(
        _message("Runbook: duplicate postings, webhook backlog, failover"),
        {"docs/runbook.md": RUNBOOK_MD_UPDATE},
        branch=branch,
        author=LUIS,
    )
    _later(b, 1)
    b.commit(_message("Add on-call guide"), {"docs/oncall.md": ONCALL_MD}, branch=branch, author=LUIS)


def _rename_gateway(b: RepoBuilder, branch: str) -> None:
    moved: dict[str, Content] = {
        "payments/gateway/__init__.py": None,
        "payments/gateway/errors.py": None,
        "payments/gateway/stripe_client.py": None,
        "payments/providers/__init__.py": PROVIDERS_INIT_PY,
        "payments/providers/errors.py": _file(b, branch, "payments/gateway/errors.py"),
        "payments/providers/stripe.py": _file(b, branch, "payments/gateway/stripe_client.py"),
    }
    b.commit(
        _message("Move payment gateway modules to payments/providers", "No behaviour change."),
        moved,
        branch=branch,
        author=TOM,
    )
    _later(b, 1)
    b.commit(
        _message("Update imports after the providers move"),
        {
            "payments/api.py": _file(b, branch, "payments/api.py").replace(
                "from .gateway import", "from .providers import"
            ),
            "payments/refunds.py": _file(b, branch, "payments/refunds.py").replace(
                "from .gateway import", "from .providers import"
            ),
            "README.md": _file(b, branch, "README.md").replace(
                "| `payments/gateway/` | payment provider clients (Stripe) |",
                "| `payments/providers/` | payment provider clients (Stripe) |",
            ),
        },
        branch=branch,
        author=TOM,
    )
