"""AI provenance at commit level: which commits of a change were written by an AI tool.

Evidence comes only from what git records (SPEC.md, "AI provenance signals"): commit trailers,
author / committer identities, bot accounts, tool-written body lines, branch prefixes, team patterns
from config, and git-ai notes (`refs/notes/ai`) that attest line ranges. Code style is never used.

Scoring follows the CHAOSS `disclosure` project: each signal carries additive points (Co-Authored-By
40, +35 for a known tool e-mail, Assisted-by 75, bot 75, git note 75), a commit's confidence is their
sum capped at 100, and a commit counts as AI-written when its confidence reaches
`ProvenanceConfig.min_confidence` (default 40: any single explicit disclosure is enough; a branch
prefix alone, 30 points, is not, because people push their own fixes onto agent branches).

This module reads commits (signals, trailers, the [ai] config); gitai.py reads git-ai notes and
lines.py attributes a change's added lines to commits and notes.

Repository text is untrusted data: parsing never raises on it, and work on it is bounded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.git.models import CommitInfo
from app.core.settings import SectionReader
from app.errors import ConfigError

if TYPE_CHECKING:  # only for annotations: the analysis receives an open GitRepo
    pass

# -- confidence points (CHAOSS disclosure scale; bands low 1-30, medium 31-70, high 71-100) -------
CO_AUTHOR_POINTS = 40  # a Co-Authored-By trailer naming an AI tool
KNOWN_EMAIL_POINTS = 35  # added when that trailer carries the tool's own e-mail address
POLICY_TRAILER_POINTS = 75  # Assisted-by / Generated-by: written on purpose to disclose AI use
TOOL_TRAILER_POINTS = 75  # trailers only a tool writes (Amp-Thread-ID, Replit-Commit-Author: Agent)
BOT_POINTS = 75  # the commit was authored or committed by an AI bot account
AUTHOR_POINTS = 75  # the author identity is the tool itself ("Copilot", "Dana Lee (aider)")
COMMITTER_POINTS = 40  # the tool committed (but did not author) the change
BODY_POINTS = 40  # a disclosure line written by the tool ("Generated with [Claude Code](...)")
SUBJECT_POINTS = 40  # aider's "aider: " subject prefix
NOTE_POINTS = 75  # a git-ai note attests AI line ranges
BRANCH_POINTS = 30  # the branch name follows an agent's convention (claude/, copilot/ ...): "low" band
CUSTOM_POINTS = 75  # default for a team pattern: the team wrote it to mean "AI"
MAX_CONFIDENCE = 100

# -- bounds on untrusted input ----------------------------------------------------------------------
MAX_MESSAGE_CHARS = 256 * 1024  # longer messages are scanned at head and tail only (trailers sit at the end)
MAX_SIGNAL_TEXT = 120  # a signal quotes at most this much of what fired
MAX_IDENTITY_CHARS = 512  # a "Name <email>" longer than this is cut before it is matched
MAX_COMMIT_LEVEL_DIFFS = 300  # commit-level fallback diffs at most this many commits
SQUASH_CO_AUTHORS = 3  # this many distinct Co-authored-by identities suggest a squash of several commits

NOTES_REF = "refs/notes/ai"
MAX_MEMO_IDENTITY = 1_000  # characters of author and committer names and e-mails, for _identity_findings
_Add = Callable[[str, str, str, int], None]  # (tool, signal text, kind, points): records one signal
CUSTOM_FIELDS = ("trailer", "author", "committer", "message", "branch")
KINDS = ("trailer", "author", "committer", "bot", "review", "body", "subject", "branch", "note", "custom")


# ==================================================================================================
# Signals
# ==================================================================================================


@dataclass(slots=True)
class AISignal:
    """One detection: which tool, what fired, how strong, on which commit (None: the whole branch)."""

    tool: str  # e.g. "Claude Code", "Aider", or a team pattern's tool name
    signal: str  # human-readable, quoting what fired
    kind: str  # one of KINDS
    confidence: int  # CHAOSS-style points, 1..100
    commit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "signal": self.signal, "kind": self.kind,
                "confidence": self.confidence, "commit": self.commit}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AISignal:
        return cls(str(data["tool"]), str(data["signal"]), str(data["kind"]), int(data["confidence"]),
                   None if data.get("commit") is None else str(data["commit"]))


def commit_confidence(signals: Iterable[AISignal]) -> int:
    """The additive confidence of a set of signals, capped at 100."""
    return min(MAX_CONFIDENCE, sum(s.confidence for s in signals))


def primary_tool(signals: Iterable[AISignal]) -> str | None:
    """The tool with the most points among the signals (first seen wins a tie)."""
    points: dict[str, int] = {}
    for s in signals:
        points[s.tool] = points.get(s.tool, 0) + s.confidence
    return max(points, key=lambda tool: points[tool]) if points else None


def credited_tools(signals: Iterable[AISignal], threshold: int) -> list[str]:
    """Every tool whose own signals on a commit reach the threshold, the primary one first: a commit crediting
    Claude and Cursor as co-authors named Claude alone."""
    signals = list(signals)
    points: dict[str, int] = {}
    for s in signals:
        points[s.tool] = points.get(s.tool, 0) + s.confidence
    primary = primary_tool(signals)
    return [t for t in dict.fromkeys([primary or "", *points]) if t and (t == primary or points[t] >= threshold)]


# ==================================================================================================
# Config
# ==================================================================================================


@dataclass(frozen=True, slots=True)
class CustomPattern:
    """A team's own signal: `regex` searched in `field`; a match credits `tool` with `confidence`."""

    tool: str
    field: str  # trailer ("Key: value" lines of the trailer block) | author / committer ("Name <email>")
    #             | message (whole message) | branch (the change's ref name)
    regex: re.Pattern[str]
    confidence: int = CUSTOM_POINTS


@dataclass(frozen=True, slots=True)
class ProvenanceConfig:
    """Settings of the `[ai]` section of .review-tui.toml."""

    min_confidence: int = 40
    """A commit counts as AI-written when its summed signal points reach this (1..100). 40 = any one
    explicit disclosure (a Co-Authored-By naming a tool); a branch prefix (30) alone is not enough but
    tips a weak signal over the line when a team raises the threshold."""
    notes_ref: str = NOTES_REF
    """Where git-ai line attestations are read from."""
    patterns: tuple[CustomPattern, ...] = ()
    """Team patterns, `[[ai.patterns]] tool = "InternalBot" field = "trailer" regex = "..."` (optional
    `confidence`, default 75)."""
    max_blame_files: int = 500
    """Above this many files with added lines, attribution stays at commit level (blame is per file)."""
    max_blame_lines: int = 20_000
    """Above this many added lines, attribution stays at commit level: blame costs per line of history,
    and zod's year-old branches of +60,000 lines took ten minutes of a first `list` to find "AI 0%"."""

    @classmethod
    def from_reader(cls, reader: SectionReader) -> ProvenanceConfig:
        default = cls()
        min_confidence = reader.get("min_confidence", int, default.min_confidence)
        if not 1 <= min_confidence <= MAX_CONFIDENCE:
            raise ConfigError(f"{reader.where('min_confidence')}: {min_confidence} is outside 1..100")
        notes_ref = reader.get("notes_ref", str, default.notes_ref)
        if not notes_ref.startswith("refs/notes/") or notes_ref == "refs/notes/":
            raise ConfigError(f"{reader.where('notes_ref')}: expected a ref under refs/notes/, "
                              f"got {notes_ref!r}")
        max_blame_files = reader.get("max_blame_files", int, default.max_blame_files)
        if max_blame_files < 0:
            raise ConfigError(f"{reader.where('max_blame_files')}: must be 0 or more, got {max_blame_files}")
        max_blame_lines = reader.get("max_blame_lines", int, default.max_blame_lines)
        if max_blame_lines < 0:
            raise ConfigError(f"{reader.where('max_blame_lines')}: must be 0 or more, got {max_blame_lines}")
        tables = reader.get_list_of("patterns", dict, [])
        patterns = tuple(_read_pattern(reader, i, table) for i, table in enumerate(tables))
        reader.finish()
        return cls(min_confidence, notes_ref, patterns, max_blame_files, max_blame_lines)


def _read_pattern(reader: SectionReader, index: int, table: dict[str, Any]) -> CustomPattern:
    sub = SectionReader(table, reader.source, f"{reader.section}.patterns[{index}]", reader.warnings)
    tool = sub.get("tool", str, "").strip()
    if not tool:
        raise ConfigError(f"{sub.where('tool')}: a pattern needs a non-empty tool name")
    where = sub.get("field", str, "")
    if where not in CUSTOM_FIELDS:
        raise ConfigError(f"{sub.where('field')}: expected one of {', '.join(CUSTOM_FIELDS)}, got {where!r}")
    source = sub.get("regex", str, "")
    if not source:
        raise ConfigError(f"{sub.where('regex')}: a pattern needs a regex")
    try:
        regex = re.compile(source, re.IGNORECASE | re.MULTILINE)
    except re.error as exc:
        raise ConfigError(f"{sub.where('regex')}: invalid regular expression {source!r} ({exc})") from None
    if _nested_repeat(source):
        raise ConfigError(f"{sub.where('regex')}: {source!r} repeats a repetition (like '(a+)+'), which can take "
                          "exponential time on a crafted commit message; write it without the nested repeat")
    confidence = sub.get("confidence", int, CUSTOM_POINTS)
    if not 1 <= confidence <= MAX_CONFIDENCE:
        raise ConfigError(f"{sub.where('confidence')}: {confidence} is outside 1..100")
    sub.finish()
    return CustomPattern(tool, where, regex, confidence)


def _nested_repeat(source: str) -> bool:
    """Whether a regex repeats (without bound) something that itself repeats: the shape of catastrophic
    backtracking (`^(a+)+$` against 34 a's and a `!` hung every command). Messages are untrusted; Python's
    re has no time limit, so such a pattern is refused when the config is read."""
    from re import _parser  # the parser re.compile itself uses

    repeats = {_parser.MAX_REPEAT, _parser.MIN_REPEAT, getattr(_parser, "POSSESSIVE_REPEAT", None)}

    def walk(items: Any, inside: bool) -> bool:
        for op, arg in items:
            if op in repeats:
                _low, high, sub = arg
                unbounded = high == _parser.MAXREPEAT or high > 16
                if unbounded and inside:
                    return True
                if walk(sub, inside or unbounded):
                    return True
            elif (op == _parser.SUBPATTERN and walk(arg[-1], inside)) or (
                    op == _parser.BRANCH and any(walk(branch, inside) for branch in arg[1])):
                return True
        return False

    try:
        return walk(_parser.parse(source, re.IGNORECASE | re.MULTILINE), False)
    except (re.error, RecursionError, ValueError, TypeError):
        return False


DEFAULT = ProvenanceConfig()


# ==================================================================================================
# Tool identities
# ==================================================================================================


@dataclass(frozen=True, slots=True)
class _Identity:
    tool: str
    name: re.Pattern[str]  # the whole display name, case-insensitive
    emails: frozenset[str] = frozenset()  # the tool's own addresses (lower case)
    email_pattern: re.Pattern[str] | None = None


def _name(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Names are matched whole and strictly (a co-author "Claude Dupont" is a person); an identity with a
# tool's known address matches whatever the name says.
_IDENTITIES = (
    # "Claude", or a model name in its place: "Claude Opus 4.6 (1M context)", "Claude Sonnet 4.5"
    _Identity("Claude Code", _name(r"^claude(?:[ -](?:code|opus|sonnet|haiku|instant|\d)[^<>]*"
                                   r"|(?: [a-z]+){1,2} \d[\d.]*(?: \([^()]*\))?)?$"),
              frozenset({"noreply@anthropic.com"})),
    # Amazon's Kiro: the autonomous agent commits as "Kiro Agent <N+kiro-agent@users.noreply.github.com>";
    # IDE users write "Kiro", "Kiro AI", "Kiro AI Assistant", sometimes with the model in parentheses.
    # Strict: "Kiro Tanaka" is a person.
    _Identity("Kiro", _name(r"^kiro(?: ai| agent| ai assistant| ai agent)?(?:\s*\([^()]*\))?$"),
              frozenset({"noreply@kiro.dev", "kiro@kiro.dev"}),
              email_pattern=_name(r"^\d+\+kiro-agent@users\.noreply\.github\.com$")),
    _Identity("Aider", _name(r"^aider(?:\s*\([^()]*\))?$"),
              frozenset({"aider@aider.chat", "noreply@aider.dev", "noreply@aider.chat"})),
    _Identity("GitHub Copilot", _name(r"^(?:github )?copilot$"),
              email_pattern=_name(r"^\d+\+copilot@users\.noreply\.github\.com$")),
    _Identity("Cursor", _name(r"^cursor(?: agent)?$"), frozenset({"cursoragent@cursor.com"})),
    _Identity("OpenAI Codex", _name(r"^(?:openai )?codex$"), frozenset({"noreply@openai.com"})),
    _Identity("OpenCode", _name(r"^opencode$"), frozenset({"noreply@opencode.ai"})),
    _Identity("Amp", _name(r"^amp$"), frozenset({"amp@ampcode.com"})),
    # Charm's Crush: its bash tool's prompt has the model sign "Co-Authored-By: Crush <crush@charm.land>" and
    # "Assisted-by: Crush:<model>" (internal/agent/tools/bash.md.tpl); "Charm Crush <crush@charm.land>" in 2026-05..08,
    # "<model> via Crush <charmcrush@users.noreply.github.com>" from its GitHub account. QA61: 215 of crush's own
    # commits carried only that co-author and read 0% AI.
    _Identity("Crush", _name(r"^(?:charm )?crush$"), frozenset({"crush@charm.land"}),
              email_pattern=_name(r"^(?:\d+\+)?charmcrush@users\.noreply\.github\.com$")),
    _Identity("Gemini", _name(r"^gemini(?: cli| code assist)?$")),
    _Identity("Devin", _name(r"^devin ai$")),
    # Sourcery's refactoring commits: "Sourcery AI <>" (empty e-mail), "'Refactored by Sourcery'" (rich pull/1955)
    _Identity("Sourcery", _name(r"^sourcery(?: ai)?$")),
    # Codebuff signs "🤖 Generated with Codebuff" / "Co-Authored-By: Codebuff <noreply@codebuff.com>" (hono #5206)
    _Identity("Codebuff", _name(r"^codebuff$"), frozenset({"noreply@codebuff.com"})),
    # All Hands' OpenHands (once OpenDevin) commits as "openhands <openhands@all-hands.dev>", co-authors as
    # "OpenHands-Claude", "OpenHands-GPT-5"; its GitHub account is openhands-agent. By name, not by address: the
    # same address signs "OpenHands Bot"'s "Auto-fix Python linting issues", a linter's output (QA53: OpenHands'
    # own 896 agent-written pull requests read "AI -").
    _Identity("OpenHands", _name(r"^open(?:hands|devin)(?:[- ](?:agent|ai|(?:claude|gpt|gemini|o\d|qwen|deepseek"
                                 r"|kimi|glm|sonnet|opus)[\w.-]*))?$"),
              email_pattern=_name(r"^\d+\+openhands-agent@users\.noreply\.github\.com$")),
    # Cline's agent commits as "Cline Agent <cline-agent@users.noreply.github.com>" or "<agent@cline.bot>", and as
    # "Cline <noreply@cline.bot>". Never the cline.bot domain: Cline's people commit as name@cline.bot (QA54).
    _Identity("Cline", _name(r"^cline(?: agent)?$"),
              frozenset({"agent@cline.bot", "noreply@cline.bot", "bot@cline.bot"}),
              email_pattern=_name(r"^(?:\d+\+)?cline-agent@users\.noreply\.github\.com$")),
)

# GitHub App accounts (name "login[bot]", e-mail "<id>+login[bot]@users.noreply.github.com").
_BOTS = {
    "claude[bot]": "Claude Code",
    "claude-code-action[bot]": "Claude Code",
    "copilot-swe-agent[bot]": "GitHub Copilot",
    "cursor[bot]": "Cursor",
    "openai-codex[bot]": "OpenAI Codex",
    "chatgpt-codex-connector[bot]": "OpenAI Codex",
    "devin-ai-integration[bot]": "Devin",
    "google-labs-jules[bot]": "Jules",
    "amazon-q-developer[bot]": "Amazon Q",
    "gemini-code-assist[bot]": "Gemini",
    "codeflash-ai[bot]": "Codeflash",  # an AI optimiser: its "Speed up function X" pull requests are its code
    "ellipsis-dev[bot]": "Ellipsis",  # reviews, and commits code of its own: "address comments left by @x on #N"
    # QA63 (outline): Codegen's agent authored 113 of its commits ("Fix flaky availableTeams test by sorting team
    # IDs"), Anthropic's GitHub agent ("<id>+Claude@users.noreply.github.com") two; both read as unknown automation
    "codegen-sh[bot]": "Codegen",
    "anthropic-code-agent[bot]": "Claude Code",
}
# AI code-review bots. GitHub's "Commit suggestion" credits the bot whose suggestion was applied with a
# Co-authored-by trailer: those lines were written by the bot (issue 13).
_REVIEW_BOTS = {
    "coderabbitai[bot]": "CodeRabbit",
    "gemini-code-assist[bot]": "Gemini",
    "copilot-pull-request-reviewer[bot]": "GitHub Copilot",
    "sourcery-ai[bot]": "Sourcery",
    "hyperlint-ai[bot]": "Hyperlint",
    "ellipsis-dev[bot]": "Ellipsis",
    "greptile-apps[bot]": "Greptile",
    "graphite-app[bot]": "Graphite",  # Graphite's AI reviewer; outline's "Update app/components/Lightbox.tsx" (QA63)
    "copilot autofix powered by ai": "GitHub Copilot",  # code scanning's suggested fix, applied in review
}
_BOT_EMAIL = re.compile(r"^(?:\d+\+)?([a-z0-9-]+\[bot\])@users\.noreply\.github\.com$", re.IGNORECASE)

# Loose keyword match for text that is already about AI (Assisted-by values, git-ai tool names).
_TOOL_WORDS = (
    (re.compile(r"\bclaude\b", re.IGNORECASE), "Claude Code"),
    (re.compile(r"\baider\b", re.IGNORECASE), "Aider"),
    (re.compile(r"\bcopilot\b", re.IGNORECASE), "GitHub Copilot"),
    (re.compile(r"\bcursor\b", re.IGNORECASE), "Cursor"),
    (re.compile(r"\bcodex\b", re.IGNORECASE), "OpenAI Codex"),
    (re.compile(r"\bdevin\b", re.IGNORECASE), "Devin"),
    (re.compile(r"\bjules\b", re.IGNORECASE), "Jules"),
    (re.compile(r"\bamazon[ -]?q\b|\bq developer\b", re.IGNORECASE), "Amazon Q"),
    (re.compile(r"\bgemini\b", re.IGNORECASE), "Gemini"),
    (re.compile(r"\bopencode\b", re.IGNORECASE), "OpenCode"),
    (re.compile(r"\bamp\b", re.IGNORECASE), "Amp"),
    (re.compile(r"\breplit\b", re.IGNORECASE), "Replit"),
    (re.compile(r"\bcodebuff\b", re.IGNORECASE), "Codebuff"),
    (re.compile(r"\bwindsurf\b", re.IGNORECASE), "Windsurf"),
    (re.compile(r"\bopen(?:hands|devin)\b", re.IGNORECASE), "OpenHands"),
)

_BRANCH_PREFIXES = {
    "kiro/": "Kiro",
    "claude/": "Claude Code",
    "copilot/": "GitHub Copilot",
    "cursor/": "Cursor",
    "codex/": "OpenAI Codex",
    "devin/": "Devin",
    "gemini/": "Gemini",
    "openhands/": "OpenHands",  # the branches OpenHands' agent and resolver push
    "codegen-bot/": "Codegen",  # Codegen's agent (QA63: 60 of outline's branches, some committed as "Codegen Bot")
}


# A model name as people and agents write it in an identity: "claude-sonnet-4-20250514", "gpt-4o",
# "Claude Opus 4.6", "Qwen 3.5 Max", "deepseek-reasoner", "o3". A family word alone ("Gemini") is not
# enough: it must carry a version or a model word, so nicknames ("Kent", "Mac16") never match.
_MODEL = re.compile(
    r"\b(?P<family>claude|gpt|gemini|qwen|deepseek|llama|mistral|codestral|devstral|grok|glm|kimi)"
    r"(?:[-_ .]?(?:\d[\w.]*|opus|sonnet|haiku|instant|reasoner|coder|chat|pro|flash|max|mini|turbo|k\d[\w.]*))+"
    r"|\b(?P<oseries>o[134](?:-mini|-pro|-preview)?)\b", re.IGNORECASE)
_MODEL_FAMILIES = {"gpt": "GPT", "qwen": "Qwen", "deepseek": "DeepSeek", "llama": "Llama", "mistral": "Mistral",
                   "codestral": "Mistral", "devstral": "Mistral", "grok": "Grok", "glm": "GLM", "kimi": "Kimi"}
# a UUID or a long hex id after an agent's name: its session, not the tool
_SESSION_ID = re.compile(r"[/@#][0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12}$|[/@#][0-9a-f]{16,}$", re.IGNORECASE)
_PARENTHESES = re.compile(r"\(([^()]{1,120})\)")


def model_in_name(name: str, *, anywhere: bool = False) -> tuple[str, str] | None:
    """(model as written, tool) when an identity's name carries a model name: in parentheses
    ("security_reviewer (claude-sonnet-4-20250514)"), or anywhere in it when `anywhere` (an
    Assisted-by value such as "GLM-5 via Crush")."""
    texts = [name] if anywhere else _PARENTHESES.findall(name)
    for text in texts:
        match = _MODEL.search(text[:MAX_IDENTITY_CHARS])
        if match:
            family = (match.group("family") or "gpt").lower()
            tool = tool_from_text(family) if family in ("claude", "gemini") else _MODEL_FAMILIES.get(family, "GPT")
            return clip_text(match.group(0), 60), tool or family
    return None


def clip_text(text: str, limit: int = MAX_SIGNAL_TEXT) -> str:
    text = " ".join(text.split())  # control characters and newlines never reach a signal
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bot_login(name: str, email: str) -> str | None:
    if name.strip().lower() in _BOTS:
        return name.strip().lower()
    match = _BOT_EMAIL.match(email.strip())
    if match and match.group(1).lower() in _BOTS:
        return match.group(1).lower()
    return None


# Automation that is not an AI writing code: dependency updates, CI and release bots, formatters. Any other
# "login[bot]" author is an unknown automation: a repository's own agent (pydantic-ai's pydanty[bot] opened 52
# pending changes that read 0% AI), named as evidence so a team can add it to [[ai.patterns]].
_PLAIN_AUTOMATION = frozenset({
    "dependabot[bot]", "dependabot-preview[bot]", "renovate[bot]", "renovate-bot", "github-actions[bot]",
    "pre-commit-ci[bot]", "mergify[bot]", "allcontributors[bot]", "imgbot[bot]", "greenkeeper[bot]", "pyup-bot",
    "pyup-io[bot]", "depfu[bot]", "snyk-bot", "snyk[bot]", "release-please[bot]", "semantic-release-bot",
    "changeset-bot[bot]", "github-merge-queue[bot]", "web-flow", "stale[bot]", "codecov[bot]", "autofix-ci[bot]",
    "deepsource-autofix[bot]", "restyled-io[bot]", "weblate", "transifex-integration[bot]", "crowdin-bot",
    "lgtm-com[bot]", "whitesource-bolt-for-github[bot]", "mend-bolt-for-github[bot]", "octo-sts[bot]",
    "step-security-bot", "azure-pipelines[bot]", "netlify[bot]", "vercel[bot]",
})


# ... and their variants: pre-commit-ci-lite[bot], dependabot-preview[bot], renovate-approve[bot]
_PLAIN_AUTOMATION_FAMILIES = ("dependabot", "renovate", "pre-commit-ci", "github-actions", "snyk", "mergify",
                              "codecov", "deepsource", "greenkeeper", "pyup", "allcontributors", "imgbot")


# A GitHub user account run as a machine by its name: `zaniebot`, `acme-bot`, `deploy_bot` (uv: 212 commits on main,
# 8 pending changes, no "[bot]": a user account, not an App). The login of its noreply e-mail, or a one-word name.
# Four letters at least before a bare "bot": "robot", "abbot", "talbot" are people's words and names.
_MACHINE = r"[a-z0-9][a-z0-9_-]*(?:[-_](?:bot|agent)|[a-z0-9]{4}bot)"
_MACHINE_USER = re.compile(rf"^(?:\d+\+)?({_MACHINE})@users\.noreply\.github\.com$", re.IGNORECASE)
_MACHINE_NAME = re.compile(rf"^{_MACHINE}$", re.IGNORECASE)


def unknown_bot(name: str, email: str) -> str | None:
    """The login of a GitHub App identity ("login[bot]"), or of a user account named as a machine (`zaniebot`), that
    review-tui knows neither as an AI tool nor as plain automation, else None: weak evidence, never a count (the
    repository's own agent, or a formatter)."""
    match = _BOT_EMAIL.match(email.strip())
    login = match.group(1).lower() if match else name.strip().lower()
    if not login.endswith("[bot]"):
        user = _MACHINE_USER.match(email.strip())
        login = user.group(1).lower() if user else login if _MACHINE_NAME.match(login) else ""
    if (not login or login in _PLAIN_AUTOMATION or login.startswith(_PLAIN_AUTOMATION_FAMILIES)
            or login in _BOTS or login in _REVIEW_BOTS):
        return None
    return login


def _review_login(name: str, email: str) -> str | None:
    """The login of an AI code-review bot identity ("coderabbitai[bot]"), else None."""
    if name.strip().lower() in _REVIEW_BOTS:
        return name.strip().lower()
    match = _BOT_EMAIL.match(email.strip())
    return match.group(1).lower() if match and match.group(1).lower() in _REVIEW_BOTS else None


def _identity_tool(name: str, email: str) -> tuple[str, bool] | None:
    """(tool, known e-mail) for an identity that is an AI tool, else None."""
    name, email = name.strip(), email.strip().lower()
    login = _bot_login(name, email)
    if login:
        return _BOTS[login], bool(_BOT_EMAIL.match(email))
    # A tool's own address first, then the tool after "via", then a tool's name: "Claude Sonnet 4 via Crush
    # <crush@charm.land>" is Crush running Claude, not Claude Code (QA61: crush 1e80982ddf)
    for identity in _IDENTITIES:
        pattern = identity.email_pattern
        if email in identity.emails or (pattern and pattern.match(email)):
            return identity.tool, True
    via = _via_tool(name)
    if via:
        return via, False
    for identity in _IDENTITIES:
        if identity.name.match(name):
            return identity.tool, False
    return None


def tool_from_text(text: str) -> str | None:
    """The canonical tool name a free-text mention refers to ("claude-opus-4" -> "Claude Code")."""
    for pattern, tool in _TOOL_WORDS:
        if pattern.search(text):
            return tool
    return None


def _split_identity(value: str) -> tuple[str, str]:
    """("Name", "email") from "Name <email>". String operations, not a regex: a backtracking pattern
    over a hostile 100 KB value with long blank runs took seconds."""
    value = " ".join(value.split())[:MAX_IDENTITY_CHARS]
    if value.endswith(">") and "<" in value:
        cut = value.rfind("<")
        return value[:cut].strip().strip('"'), value[cut + 1:-1].strip()
    return value, ""


# ==================================================================================================
# Commit messages: trailers, body, subject
# ==================================================================================================

_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")
# Keys git would accept as "recognised" in a mixed last paragraph (git: Signed-off-by plus configured
# trailers; teams that disclose AI configure these).
_KNOWN_KEYS = {"signed-off-by", "co-authored-by", "co-developed-by", "assisted-by", "generated-by",
               "amp-thread-id", "replit-commit-author", "reviewed-by", "acked-by", "tested-by", "made-with"}
# Trailers a tool writes to say it made the commit ("Made-with: Cursor", hono pull/4828): they count only when
# their value names a known AI tool ("Made-with: love", "Made-with: Vite" are no disclosure).
_MADE_WITH_KEYS = {"made-with", "generated-with", "created-with", "built-with"}
_CO_AUTHOR_KEYS = {"co-authored-by", "co-developed-by"}
_CLAUDE_BODY = re.compile(
    r"generated with \[?claude code\]?(?:\s*\(\s*https?://(?:www\.)?(?:claude\.com/claude-code|claude\.ai/code)"
    r"[^)\s]*\s*\))?", re.IGNORECASE)
# "Generated with <tool>" footers (any tool): the robot emoji and the markdown link are optional. The
# phrase must open the line (after an emoji or a tag), so prose ("the schema is generated with x()")
# never matches. A link or plain name counts when the emoji is there, or the tool or its site is a
# known AI tool; "Generated with [Sphinx](...)" is a build tool, not AI.
_GENERATED = re.compile(
    r"^[\W_]{0,12}?(?:<sub>\s*)?(?P<robot>🤖\s*)?generated (?:with|by|using)\s+"
    r"(?:\[(?P<link>[^\]\n]{1,40})\]\((?P<url>[^)\s]{1,200})\)(?P<rest>.*)"
    r"|(?P<plain>[a-z][\w .+-]{0,39}?)\s*[.!]?\s*)$", re.IGNORECASE)
_FOOTER_TOOLS = {
    "claude": "Claude Code", "claude code": "Claude Code", "claude cli": "Claude Code", "opencode": "OpenCode",
    "amp": "Amp", "qwen code": "Qwen Code", "qwen": "Qwen Code", "crush": "Crush", "gemini": "Gemini",
    "gemini cli": "Gemini", "gemini code assist": "Gemini", "antigravity": "Antigravity", "cursor": "Cursor",
    "cursor agent": "Cursor", "codex": "OpenAI Codex", "codex cli": "OpenAI Codex", "openai codex": "OpenAI Codex",
    "copilot": "GitHub Copilot", "github copilot": "GitHub Copilot", "kiro": "Kiro", "aider": "Aider",
    "windsurf": "Windsurf", "cline": "Cline", "roo code": "Roo Code", "goose": "Goose", "devin": "Devin",
    "jules": "Jules", "junie": "Junie", "augment": "Augment", "droid": "Factory Droid", "warp": "Warp",
    "codebuff": "Codebuff", "openhands": "OpenHands",
}
_FOOTER_SITES = {"opencode.ai": "OpenCode", "ampcode.com": "Amp", "claude.com": "Claude Code",
                 "claude.ai": "Claude Code", "cursor.com": "Cursor", "kiro.dev": "Kiro",
                 "github.com/qwenlm/qwen-code": "Qwen Code", "github.com/charmbracelet/crush": "Crush",
                 "aider.chat": "Aider", "windsurf.com": "Windsurf", "cline.bot": "Cline", "codebuff.com": "Codebuff"}
_AIDER_SUBJECT = re.compile(r"^aider:\s", re.IGNORECASE)
# Claude Squad (smtg-ai/claude-squad), which runs agents (Claude Code by default, Codex, Aider, Gemini) in worktrees,
# commits a session's work as "[claudesquad] update from '<session>' on <RFC 822 date>" (maybe pr/2507)
_CLAUDE_SQUAD_SUBJECT = re.compile(r"^\[claudesquad\] update from '", re.IGNORECASE)
_SCRIPT_VALUE = re.compile(r"[/\\]|\.(?:sh|py|pl|rb|js)\b", re.IGNORECASE)
_SQUASH_HEADER = re.compile(r"^squashed commit of the following:", re.IGNORECASE | re.MULTILINE)
_SQUASHED_COMMIT_LINE = re.compile(r"^commit [0-9a-f]{40}$", re.MULTILINE)
_PR_SUBJECT = re.compile(r"\(#\d+\)\s*$")


@dataclass(frozen=True, slots=True)
class Trailer:
    key: str  # as written
    value: str  # continuation lines folded in

    @property
    def token(self) -> str:
        return self.key.lower()


def _bounded(message: str) -> str:
    message = message.replace("\r\n", "\n").replace("\r", "\n")
    if len(message) > MAX_MESSAGE_CHARS:
        half = MAX_MESSAGE_CHARS // 2
        message = message[:half] + "\n" + message[-half:]
    return message


def parse_trailers(message: str) -> list[Trailer]:
    """The trailers of a commit message by git's rules: the last paragraph (never the title), made of
    `Key: value` lines (keys case-insensitive, blanks allowed around the colon) and indented
    continuation lines; a paragraph mixing prose is accepted when a quarter of its lines are trailers
    and one has a recognised key."""
    lines = _bounded(message).split("\n")
    # Trailing blank and comment lines end nothing (git ignores comments after the trailer block).
    while lines and (not lines[-1].strip() or lines[-1].startswith("#")):
        lines.pop()
    title_end = 0
    while title_end < len(lines) and lines[title_end].strip():
        title_end += 1
    start = len(lines)
    while start > title_end and lines[start - 1].strip():
        start -= 1
    if start <= title_end:
        return []  # the only paragraph is the title
    trailers, other_lines, recognised = _trailer_paragraph(lines[start:])
    if not trailers:
        return []
    if other_lines and not (recognised and len(trailers) * 4 >= len(trailers) + other_lines):
        return []
    return trailers


def _trailer_paragraph(lines: list[str]) -> tuple[list[Trailer], int, bool]:
    """The `Key: value` lines of one paragraph (continuations folded in), how many other lines it has, and whether
    a key is one git recognises."""
    trailers: list[Trailer] = []
    other_lines = 0
    recognised = False
    for line in lines:
        if line.startswith("#"):
            continue  # a comment inside the block
        if line[:1] in (" ", "\t") and trailers:
            last = trailers[-1]
            trailers[-1] = Trailer(last.key, f"{last.value} {line.strip()}".strip())
            continue
        match = _TRAILER.match(line)
        if match:
            trailers.append(Trailer(match.group(1), match.group(2).strip()))
            recognised = recognised or match.group(1).lower() in _KNOWN_KEYS
        else:
            other_lines += 1
    return trailers, other_lines, recognised


# The disclosure keys read in a paragraph before the last one (see inner_disclosures)
_DISCLOSURE_KEYS = {*_CO_AUTHOR_KEYS, "assisted-by", "generated-by", *_MADE_WITH_KEYS}
MAX_INNER_PARAGRAPHS = 200  # paragraphs of one message looked at for squashed commits' trailers


def inner_disclosures(message: str) -> list[Trailer]:
    """The disclosure trailers (Co-authored-by, Assisted-by, Generated-by, Made-with) of the paragraphs between the
    title and the last paragraph that are wholly trailers. GitHub's squash merge writes each squashed commit's
    subject, body and trailers as paragraphs of one message ("* feat: x", "Assisted-by: Crush", "* fix: y", ...,
    "---------", the co-authors): git reads only the last paragraph, and crush's squashed pull requests credited
    Crush in an inner one (QA61: 598e3ff99b, fc9db0563b, f8da538c50). A paragraph with any prose line is not read,
    nor an indented one (an example quoted in the body)."""
    paragraphs: list[list[str]] = [[]]
    for line in _bounded(message).split("\n"):
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            if len(paragraphs) > MAX_INNER_PARAGRAPHS:
                break
            paragraphs.append([])
    found: list[Trailer] = []
    for paragraph in paragraphs[1:-1]:  # not the title, not the last (parse_trailers reads that one)
        trailers, other_lines, _ = _trailer_paragraph(paragraph)
        if trailers and not other_lines:
            found.extend(t for t in trailers if t.token in _DISCLOSURE_KEYS)
    return found


def commit_signals(commit: CommitInfo, config: ProvenanceConfig = DEFAULT) -> list[AISignal]:
    """Every AI signal a commit's message and identities carry, each once. Never raises on content."""
    found: dict[tuple[str, str, str], AISignal] = {}

    def add(tool: str, signal: str, kind: str, points: int) -> None:
        key = (tool, kind, signal)
        if key not in found:
            found[key] = AISignal(tool, signal, kind, min(points, MAX_CONFIDENCE), commit.id)

    message = _bounded(commit.message or "")
    trailers = parse_trailers(message)
    for trailer in (*trailers, *inner_disclosures(message)):
        _trailer_signal(trailer, add)
    _identity_signals(commit, add)
    for line in message.split("\n"):
        match = _CLAUDE_BODY.search(line)
        if match:
            add("Claude Code", f"body line {clip_text(match.group(0))}", "body", BODY_POINTS)
            break
    _footer_signal(message, add, skip_tool="Claude Code" if any(s.kind == "body" for s in found.values()) else None)
    footer_tools = {s.tool for s in found.values() if s.kind == "body"}
    if footer_tools:
        for trailer in trailers:
            _footer_co_author(trailer, footer_tools, add)
    subject = message.split("\n", 1)[0]
    if _AIDER_SUBJECT.match(subject.strip()):
        add("Aider", "subject prefix aider:", "subject", SUBJECT_POINTS)
    elif _CLAUDE_SQUAD_SUBJECT.match(subject.strip()):
        add("Claude Squad", "subject [claudesquad] update from (an agent session's commit)", "subject", SUBJECT_POINTS)
    for pattern in config.patterns:
        _custom_signal(pattern, commit, message, trailers, add)
    return list(found.values())


def _footer_tool(name: str, url: str | None) -> str | None:
    """The AI tool a footer names (by name, then by its link's site), or None."""
    key = " ".join(name.lower().split())
    if key in _FOOTER_TOOLS:
        return _FOOTER_TOOLS[key]
    if url:
        address = url.lower().split("://", 1)[-1].removeprefix("www.")
        for site, tool in _FOOTER_SITES.items():
            if address.startswith(site):
                return tool
    return None


def _footer_signal(message: str, add: _Add, skip_tool: str | None) -> None:
    """One "Generated with <tool>" footer (the first that names an AI tool), as a body signal."""
    for line in message.split("\n"):
        if "enerated" not in line:
            continue  # cheap pre-filter: almost no line is a footer
        match = _GENERATED.match(line.strip()[:400])
        if not match:
            continue
        name = (match.group("link") or match.group("plain") or "").strip()
        tool = _footer_tool(name, match.group("url"))
        if tool is None and match.group("robot"):
            tool = tool_from_text(name) or clip_text(name, 40)
        if tool is None or tool == skip_tool:
            continue
        text = match.group(0).strip()
        if match.group("rest"):
            text = text[: len(text) - len(match.group("rest"))].strip()
        add(tool, f"body line {clip_text(text.lstrip('<sub> '))}", "body", BODY_POINTS)
        return


# "<model> via <tool>": Crush signs "Assisted-by: Claude Sonnet 4 via Crush", "GLM-5 via Crush <crush@charm.land>",
# "openai/gpt-5.5 via Crush (modified ver.)"; the agent is the tool, the model only what it ran.
_VIA = re.compile(r"\bvia\s+(?P<tool>[^()<>]{1,40}?)\s*\)?\s*(?:\([^()]*\))?\s*$", re.IGNORECASE)


def _via_tool(text: str) -> str | None:
    """The known AI tool named after "via" at the end of an agent's name ("Claude Opus 4.6 via Crush" -> "Crush"),
    or None: a person "via" something else ("Ann via Slack") names no tool."""
    match = _VIA.search(text[:MAX_IDENTITY_CHARS])
    return _footer_tool(match.group("tool"), None) if match else None


def _tool_key(text: str) -> str:
    """A name as a tool key: lower case, letters and digits only ("Codebuff", "code-buff" -> "codebuff")."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _footer_co_author(trailer: Trailer, footer_tools: set[str], add: _Add) -> None:
    """A co-author that is the tool the same message's "Generated with <tool>" footer names: by its name, or by a
    no-reply address at the tool's own domain ("🤖 Generated with Codebuff" / "Co-Authored-By: Codebuff
    <noreply@codebuff.com>", hono pull/5206). The footer alone is one disclosure; a co-author the message credits
    as that tool is a second. A person co-author ("Claude Dupont <claude@dupont.example>") matches neither."""
    if trailer.token not in _CO_AUTHOR_KEYS:
        return
    name, email = _split_identity(trailer.value)
    if _identity_tool(name, email) or _review_login(name, email) or model_in_name(name):
        return  # already a signal of its own (_trailer_signal)
    local, _, domain = email.lower().partition("@")
    own_domain = _tool_key(domain.split(".")[0]) if local.replace("-", "") in ("noreply", "bot", "agent") else ""
    for tool in sorted(footer_tools):
        key = _tool_key(tool)
        if key and (_tool_key(name) == key or own_domain == key):
            add(tool, f"trailer {clip_text(f'{trailer.key}: {trailer.value}')} (the tool the message's footer "
                "names)", "trailer", CO_AUTHOR_POINTS)
            return


def _trailer_signal(trailer: Trailer, add: _Add) -> None:
    token, value = trailer.token, trailer.value
    text = f"trailer {clip_text(f'{trailer.key}: {value}')}"
    if token in _CO_AUTHOR_KEYS:
        _co_author_signal(value, text, add)
    elif token == "assisted-by":
        _assisted_by_signal(value, text, add)
    elif token == "generated-by":
        # Generated-by also names scripts (e.g. "scripts/foo.sh"): those are not AI.
        if value and not _SCRIPT_VALUE.search(value):
            add(tool_from_text(value) or clip_text(value, 40), text, "trailer", POLICY_TRAILER_POINTS)
    elif token in _MADE_WITH_KEYS:
        made_with = tool_from_text(value)
        if made_with is not None:
            add(made_with, text, "trailer", TOOL_TRAILER_POINTS)
    elif token == "amp-thread-id":
        if value:
            add("Amp", text, "trailer", TOOL_TRAILER_POINTS)
    elif token == "replit-commit-author" and value.strip().lower() == "agent":
            add("Replit", text, "trailer", TOOL_TRAILER_POINTS)


def _co_author_signal(value: str, text: str, add: _Add) -> None:
    name, email = _split_identity(value)
    reviewer = _review_login(name, email)
    if reviewer is not None:
        known = bool(_BOT_EMAIL.match(email.strip()))
        add(_REVIEW_BOTS[reviewer], f"co-author {reviewer}: an AI review bot whose suggestion was applied "
            f"(the suggested lines are the bot's) - {text}", "review",
            CO_AUTHOR_POINTS + (KNOWN_EMAIL_POINTS if known else 0))
        return
    identity = _identity_tool(name, email)
    if identity:
        tool, known = identity
        add(tool, text, "trailer", CO_AUTHOR_POINTS + (KNOWN_EMAIL_POINTS if known else 0))
        return
    model = model_in_name(name)
    if model:
        add(model[1], f"{text} (model {model[0]} in the name)", "trailer", CO_AUTHOR_POINTS)


def _assisted_by_signal(value: str, text: str, add: _Add) -> None:
    """Kernel / Fedora form "AGENT:MODEL [tools]"; the older human form "Name <email>" is a person unless the
    identity is a tool's, names the tool it was used through ("Claude Opus 4.6 via Crush"), or a model."""
    if "<" in value and "@" in value:
        name, email = _split_identity(value)
        identity = _identity_tool(name, email)
        model = None if identity else model_in_name(name, anywhere=True)
        if identity or model:
            add(identity[0] if identity else model[1] if model else "", text, "trailer", POLICY_TRAILER_POINTS)
        return
    # an agent that adds its session's id ("devx/1e5cc708-aee9-...") is one tool, not one tool per session
    agent = _SESSION_ID.sub("", value.split(":", 1)[0].strip())
    if agent:
        # "Crush (glm-5-turbo)": the tool, then the model it ran
        named = _footer_tool(_PARENTHESES.sub("", agent), None) if "(" in agent else None
        add(_via_tool(agent) or named or tool_from_text(agent) or clip_text(agent, 40), text, "trailer",
            POLICY_TRAILER_POINTS)


def _identity_signals(commit: CommitInfo, add: _Add) -> None:
    identity = (commit.author_name or "", commit.author_email or "", commit.committer_name or "",
                commit.committer_email or "")
    # A hostile history's huge names are not kept: the memo is for the identities a history repeats.
    find = _identity_findings if sum(map(len, identity)) <= MAX_MEMO_IDENTITY else _identity_findings.__wrapped__
    for found in find(*identity):
        add(*found)


@functools.lru_cache(maxsize=8192)
def _identity_findings(author_name: str, author_email: str, committer_name: str,
                       committer_email: str) -> tuple[tuple[str, str, str, int], ...]:
    """The signals (tool, text, kind, points) an author and committer identity carry, in order. Kept per
    identity: a history repeats a few thousand identities over its commits (ansible: 10,500 over 54,000),
    and matching each against every tool's patterns was half the cost of reading a history's signals."""
    out: list[tuple[str, str, str, int]] = []

    def add(tool: str, signal: str, kind: str, points: int) -> None:
        out.append((tool, signal, kind, points))

    roles = (("author", author_name, author_email), ("committer", committer_name, committer_email))
    for role, name, email in roles:
        login = _bot_login(name, email)
        if login:
            add(_BOTS[login], f"bot {role} {login}", "bot", BOT_POINTS)
    if author_name.rstrip().lower().endswith("(aider)"):
        add("Aider", "author name ends with (aider)", "author", AUTHOR_POINTS)
    # A committer-only "(aider)" is the user's own edit that aider committed: human, no signal (SPEC).
    if not _bot_login(author_name, author_email):
        identity = _identity_tool(author_name, author_email)
        model = None if identity else model_in_name(author_name)
        if identity:
            add(identity[0], f"author {clip_text(f'{author_name} <{author_email}>')}", "author", AUTHOR_POINTS)
        elif model:
            add(model[1], f"author {clip_text(author_name)}: model {model[0]} in the name", "author", AUTHOR_POINTS)
    committer_is_aider = committer_name.rstrip().lower().endswith("(aider)")
    if not _bot_login(committer_name, committer_email) and not committer_is_aider:
        identity = _identity_tool(committer_name, committer_email)
        if identity and (committer_name, committer_email) != (author_name, author_email):
            add(identity[0], f"committer {clip_text(f'{committer_name} <{committer_email}>')}", "committer",
                COMMITTER_POINTS)
    return tuple(out)


def _custom_signal(pattern: CustomPattern, commit: CommitInfo, message: str, trailers: list[Trailer],
                   add: _Add) -> None:
    if pattern.field == "trailer":
        texts = [f"{t.key}: {t.value}" for t in trailers]
    elif pattern.field == "author":
        texts = [f"{commit.author_name} <{commit.author_email}>"]
    elif pattern.field == "committer":
        texts = [f"{commit.committer_name} <{commit.committer_email}>"]
    elif pattern.field == "message":
        texts = [message]
    else:
        return  # branch patterns are branch-level: see branch_signals
    for text in texts:
        match = pattern.regex.search(text)
        if match:
            add(pattern.tool, f"team pattern {pattern.field} /{clip_text(pattern.regex.pattern, 60)}/ matched "
                f"{clip_text(match.group(0), 60)!r}", "custom", pattern.confidence)
            return


def branch_signals(ref_name: str | None, config: ProvenanceConfig = DEFAULT) -> list[AISignal]:
    """Signals from the change's branch name (claude/, copilot/, ... or a team's branch pattern).
    They apply to every commit of the change, with low confidence (see ProvenanceConfig.min_confidence)."""
    if not ref_name:
        return []
    short = ref_name
    if short.startswith("refs/heads/"):
        short = short[len("refs/heads/"):]
    elif short.startswith("refs/remotes/"):
        short = short[len("refs/remotes/"):].split("/", 1)[-1]  # drop the remote's name
    signals: list[AISignal] = []
    for prefix, tool in _BRANCH_PREFIXES.items():
        if short.lower().startswith(prefix):
            signals.append(AISignal(tool, f"branch prefix {prefix}", "branch", BRANCH_POINTS, None))
    for pattern in config.patterns:
        if pattern.field == "branch":
            match = pattern.regex.search(short)
            if match:
                text = (f"team pattern branch /{clip_text(pattern.regex.pattern, 60)}/ "
                        f"matched {clip_text(match.group(0), 60)!r}")
                signals.append(AISignal(pattern.tool, text, "custom", pattern.confidence))
    return signals


# The subject git and the forges give a merge: "Merge pull request #6 from owner/codex/start-x",
# "Merge branch 'claude/y' into main", "Merge remote-tracking branch 'origin/cursor/z'".
_MERGE_FROM = re.compile(r"^Merge pull request #\d+ from [^/\s]+/(?P<pr>\S+)"
                         r"|^Merge (?P<remote>remote-tracking )?branch '(?P<branch>[^']+)'")


def merged_branch(commit: CommitInfo) -> str | None:
    """The branch a merge commit's subject says it merged (the pull request's head branch, without its
    owner; a remote-tracking branch without its remote), or None."""
    if not commit.is_merge:
        return None
    match = _MERGE_FROM.match(commit.subject)
    if match is None:
        return None
    if match.group("pr"):
        return match.group("pr")
    name = match.group("branch")
    return name.split("/", 1)[-1] if match.group("remote") else name


# The subject of a merge made ON a branch to bring it up to date names that branch: GitHub's "Update branch" button
# writes "Merge branch 'master' into codex/prompt-x"; by hand, "Merge master into codex/y".
_MERGE_INTO = re.compile(r"^Merge (?:remote-tracking )?(?:branch )?(?:'[^']+'|\S+) into (?P<into>[^\s']+)$")


def updated_branch(commit: CommitInfo) -> str | None:
    """The branch a merge commit's subject says it was made on ("... into codex/prompt-x"), or None."""
    if not commit.is_merge:
        return None
    match = _MERGE_INTO.match(commit.subject.strip())
    return match.group("into") if match else None


def squash_hint(commit: CommitInfo) -> str | None:
    """Why a commit looks like several commits squashed into one (its trailers then speak for all of
    them), or None."""
    message = _bounded(commit.message or "")
    co_authors = set()
    for line in message.split("\n"):
        match = _TRAILER.match(line.strip())
        if match and match.group(1).lower() in _CO_AUTHOR_KEYS:
            co_authors.add(" ".join(match.group(2).lower().split()))
    if len(co_authors) >= SQUASH_CO_AUTHORS:
        return f"{len(co_authors)} distinct Co-authored-by trailers"
    if _SQUASH_HEADER.search(message) or len(_SQUASHED_COMMIT_LINE.findall(message)) >= 2:
        return "a 'Squashed commit of the following' message"
    subject, _, body = message.partition("\n")
    # the coding agent's own pull request (author Copilot, a person co-author): its lines are the agent's
    by_a_person = (_identity_tool(commit.author_name, commit.author_email) is None
                   and _bot_login(commit.author_name, commit.author_email) is None)
    if (_PR_SUBJECT.search(subject) and by_a_person
            and sum(1 for line in body.split("\n") if line.startswith("* ")) >= 2):
        return "a squash-merged pull request (one bullet per squashed commit)"
    if _PR_SUBJECT.search(subject):
        for trailer in parse_trailers(message):
            if trailer.token not in _CO_AUTHOR_KEYS:
                continue
            name, email = _split_identity(trailer.value)
            login = _review_login(name, email)
            if login is not None:
                return (f"a squash-merged pull request crediting the AI review bot {login} (its applied "
                        "suggestion, not necessarily the whole change)")
            # Devin reviewing a person's pull request, a Copilot fix applied: GitHub credits the bot as a co-author
            if by_a_person and _GITHUB_APP_EMAIL.match(email) and _identity_tool(name, email) is not None:
                return (f"a squash-merged pull request of a person's crediting the bot {clip_text(name, 60)} as a "
                        "co-author (an applied suggestion or fix, not necessarily the whole change)")
    return None


# A GitHub App's or Copilot's commit address: "251103656+devin-ai-integration[bot]@users.noreply...", "...+Copilot@..."
_GITHUB_APP_EMAIL = re.compile(r"^\d+\+(?:[a-z0-9-]+\[bot\]|copilot)@users\.noreply\.github\.com$", re.IGNORECASE)


# ==================================================================================================
# Who wrote a change (for self-approval)
# ==================================================================================================

_EMAIL_IN_TRAILER = re.compile(r"<([^<>\s]+@[^<>\s]+)>|([^<>\s]+@[^<>\s]+)")


def co_author_emails(message: str) -> list[str]:
    """The emails of a commit's Co-authored-by / Co-developed-by trailers (as written)."""
    found: list[str] = []
    for trailer in parse_trailers(message):
        if trailer.token in _CO_AUTHOR_KEYS:
            match = _EMAIL_IN_TRAILER.search(trailer.value)
            if match:
                found.append(match.group(1) or match.group(2))
    return found


def unknown_bot_co_authors(message: str) -> list[str]:
    """The logins of a commit's co-authors that are unknown automation (unknown_bot): an AI review product
    review-tui has not met yet credits its applied suggestion so (QA54: greptile-apps[bot] on cline)."""
    found: list[str] = []
    for trailer in parse_trailers(message):
        if trailer.token in _CO_AUTHOR_KEYS:
            login = unknown_bot(*_split_identity(trailer.value))
            if login is not None and login not in found:
                found.append(login)
    return found


def change_participants(commits: Iterable[CommitInfo]) -> list[str]:
    """Everyone who is "the author" of a change for self-approval: the author, the committer and
    every co-author of any of its commits (lower-cased, first seen first)."""
    seen: dict[str, None] = {}
    for commit in commits:
        for email in (commit.author_email, commit.committer_email, *co_author_emails(commit.message)):
            if email and email.strip():
                seen.setdefault(email.strip().lower(), None)
    return list(seen)
