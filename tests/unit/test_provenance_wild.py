"""AI provenance as it is written in the wild (issue 13): each signal class on a real commit shaped like
the public ones it was modelled on, the people it must not catch, and branch-name evidence that is
shown even when it stays below the threshold.

Shapes (public commits and agent instructions, 2025-2026):
- "Generated with <tool>" footers of tools other than Claude Code, with or without the robot emoji
  and the markdown link: OpenCode, Amp, Qwen Code, Crush, Gemini CLI, Antigravity, "Claude CLI.".
- An AI review bot as co-author: GitHub's "Commit suggestion" credits the bot whose suggestion was
  applied (coderabbitai[bot], gemini-code-assist[bot], copilot-pull-request-reviewer[bot], sourcery-ai[bot]).
- A model name in a name: `security_reviewer (claude-sonnet-4-20250514) <orchestra@local>` as author,
  `kdeps (Cloud/deepseek - deepseek-reasoner) <noreply@kdeps.com>` or `QoderAI (Qwen 3.5 Max)` as co-author.
- Amazon's Kiro: the autonomous agent commits as `Kiro Agent <N+kiro-agent@users.noreply.github.com>`
  on `kiro/*` branches; IDE users add `Co-authored-by: Kiro ...` trailers.
"""

from __future__ import annotations

import pytest

from app.core.git.repo import GitRepo
from app.core.provenance.commits import (
    DEFAULT,
    branch_signals,
    commit_confidence,
    commit_signals,
    squash_hint,
    unknown_bot,
)
from app.samples import load

samples = load()
Person = samples.Person
RepoBuilder = samples.RepoBuilder

ANN = Person("Ann Human", "ann@example.org")


def person(text: str) -> Person:
    name, _, email = text.partition(" <")
    return Person(name, email.rstrip(">"))


# (id, message, author, committer or None, expected tool, expected kind, text the signal must quote)
WILD_ROWS = [
    # -- "Generated with <tool>" footers ---------------------------------------------------------
    ("opencode-footer", "Fix parser\n\n🤖 Generated with [opencode](https://opencode.ai)\n\n"
     "Co-Authored-By: Ann Human <ann@example.org>\n", ANN, None,
     "OpenCode", "body", "Generated with [opencode](https://opencode.ai)"),
    ("amp-footer-no-emoji", "Fix parser\n\nGenerated with [Amp](https://ampcode.com)\n", ANN, None,
     "Amp", "body", "Generated with [Amp](https://ampcode.com)"),
    ("qwen-footer", "feat: log rotation\n\nBody.\n\n🤖 Generated with [Qwen Code](https://github.com/QwenLM/qwen-code)\n",
     ANN, None, "Qwen Code", "body", "Generated with [Qwen Code]"),
    ("crush-footer", "Harden protocols\n\n🤖 Generated with [Crush](https://github.com/charmbracelet/crush)\n",
     ANN, None, "Crush", "body", "Generated with [Crush]"),
    ("gemini-cli-plain", "Refactor loader\n\nGenerated with Gemini CLI\n", ANN, None,
     "Gemini", "body", "Generated with Gemini CLI"),
    ("antigravity-plain", "chore(census): record itineraries\n\nGenerated with Antigravity\n", ANN, None,
     "Antigravity", "body", "Generated with Antigravity"),
    ("claude-cli", "Add SSE parser\n\n🤖 Generated with Claude CLI.\n", ANN, None,
     "Claude Code", "body", "Generated with Claude CLI"),
    # -- an AI review bot's applied suggestion ---------------------------------------------------
    ("coderabbit-suggestion", "Update src/imgtools/logging/__init__.py\n\n"
     "Co-authored-by: coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>\n", ANN, None,
     "CodeRabbit", "review", "coderabbitai[bot]"),
    ("gemini-review-suggestion", "Apply suggestions from code review\n\n"
     "Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>\n",
     ANN, None, "Gemini", "review", "gemini-code-assist[bot]"),
    ("copilot-reviewer-suggestion", "Update handler.py\n\nCo-authored-by: copilot-pull-request-reviewer[bot] "
     "<175728472+copilot-pull-request-reviewer[bot]@users.noreply.github.com>\n", ANN, None,
     "GitHub Copilot", "review", "copilot-pull-request-reviewer[bot]"),
    ("sourcery-suggestion", "Apply suggestion\n\n"
     "Co-authored-by: sourcery-ai[bot] <58596630+sourcery-ai[bot]@users.noreply.github.com>\n", ANN, None,
     "Sourcery", "review", "sourcery-ai[bot]"),
    # -- a model name in a name ------------------------------------------------------------------
    ("model-in-author", "Review fixes", person("security_reviewer (claude-sonnet-4-20250514) <orchestra@local>"),
     None, "Claude Code", "author", "claude-sonnet-4-20250514"),
    ("gpt-in-author", "Port module", person("Ann Dev (gpt-4o) <ann@example.org>"), None,
     "GPT", "author", "gpt-4o"),
    ("model-in-co-author", "Fix\n\nCo-Authored-By: kdeps (Cloud/deepseek - deepseek-reasoner) <noreply@kdeps.com>\n",
     ANN, None, "DeepSeek", "trailer", "deepseek-reasoner"),
    ("spaced-model-in-co-author", "Fix\n\nCo-authored-by: QoderAI (Qwen 3.5 Max) <qoder_ai@qoder.com>\n",
     ANN, None, "Qwen", "trailer", "Qwen 3.5 Max"),
    # "<model> via <tool>": the agent is the tool (QA61: crush credited GLM, Kimi, Qwen, GPT and Claude Code for its
    # own commits, splitting its track record five ways); a model alone still names its family
    ("model-in-assisted-by", "Harden\n\nAssisted-by: GLM-5 via Crush <crush@charm.land>\n", ANN, None,
     "Crush", "trailer", "GLM-5 via Crush"),
    ("model-via-tool-no-address", "Harden\n\nAssisted-by: Claude Sonnet 4.5 via Crush\n", ANN, None,
     "Crush", "trailer", "Claude Sonnet 4.5 via Crush"),
    ("model-via-tool-remark", "Add test\n\nAssisted-By: openai/gpt-5.5 via Crush (modified ver.)\n", ANN, None,
     "Crush", "trailer", "via Crush (modified ver.)"),
    # a tool's own address wins over another tool's name: Crush running Claude, not Claude Code (crush 1e80982ddf)
    ("claude-model-via-crush", "feat(workspace): x\n\n🐰 Generated with Crush\n\n"
     "Assisted-by: Claude Sonnet 4 via Crush <crush@charm.land>\n", ANN, None, "Crush", "trailer",
     "Claude Sonnet 4 via Crush"),
    ("via-in-parentheses", "fix\n\nAssisted-by: Claude Opus 4.6 (via Crush)\n", ANN, None, "Crush", "trailer",
     "(via Crush)"),
    ("tool-then-model-in-parentheses", "fix\n\nAssisted-by: Crush (glm-5-turbo)\n", ANN, None, "Crush", "trailer",
     "Crush (glm-5-turbo)"),
    ("model-alone-in-assisted-by", "Harden\n\nAssisted-by: GLM-5 <agent@example.org>\n", ANN, None,
     "GLM", "trailer", "GLM-5"),
    # -- Charm's Crush (QA61): its own address as co-author, with no "Generated with Crush" footer -----------------
    ("crush-co-author", "feat(ui): x\n\nBody.\n\nCo-Authored-By: Charm Crush <crush@charm.land>\n", ANN, None,
     "Crush", "trailer", "Charm Crush <crush@charm.land>"),
    ("crush-github-account", "fix(agent): y\n\n"
     "Co-authored-by: eu.anthropic.claude-opus-5 via Crush <charmcrush@users.noreply.github.com>\n", ANN, None,
     "Crush", "trailer", "via Crush"),
    # -- a disclosure before the last paragraph: GitHub's squash merge (crush 598e3ff99b), a trailing link (cline) ---
    ("squash-inner-assisted-by", "fix(ci): grant permissions (#2901)\n\n* fix(ci): clear lint findings\n\n"
     "Assisted-by: Crush:qwen3.7-max\n\n* fix: go mod tidy\n\n---------\n\n"
     "Co-authored-by: Ann Human <ann@example.org>\n", ANN, None, "Crush", "trailer", "Assisted-by: Crush:qwen3.7-max"),
    ("co-author-before-a-link", "chore(cli): bump CLI\n\nCo-Authored-By: Claude Sonnet 4.6 (1M context) "
     "<noreply@anthropic.com>\n\n🔮 View transcript: https://agentlogs.example/s/x\n", ANN, None,
     "Claude Code", "trailer", "Claude Sonnet 4.6"),
    ("claude-new-model-name", "Fix\n\nCo-Authored-By: Claude Fable 5 <claude@example.org>\n", ANN, None,
     "Claude Code", "trailer", "Claude Fable 5"),
    # -- Amazon's Kiro ---------------------------------------------------------------------------
    ("kiro-agent-author", "Add login form", person("Kiro Agent <244629292+kiro-agent@users.noreply.github.com>"),
     None, "Kiro", "author", "Kiro Agent"),
    ("kiro-trailer", "Add HLS player\n\nCo-authored-by: Kiro AI <kiro@example.com>\n", ANN, None,
     "Kiro", "trailer", "Kiro AI"),
    ("kiro-trailer-known-mail", "Add KIRO.md\n\nCo-Authored-By: Kiro <noreply@kiro.dev>\n", ANN, None,
     "Kiro", "trailer", "Kiro <noreply@kiro.dev>"),
    ("kiro-with-model", "Fix\n\nCo-authored-by: Kiro AI (Claude Opus 4.6) <kiro@kiro.dev>\n", ANN, None,
     "Kiro", "trailer", "Kiro AI (Claude Opus 4.6)"),
    # -- hono's (QA51 #10): Codebuff's footer and co-author in one paragraph, Cursor's Made-with trailer --------
    ("codebuff-footer-and-co-author", "fix(types): allow a final JSON handler\n\nBody.\n\n"
     "🤖 Generated with Codebuff\nCo-Authored-By: Codebuff <noreply@codebuff.com>\n", ANN, None,
     "Codebuff", "trailer", "Codebuff <noreply@"),
    ("codebuff-footer", "fix\n\n🤖 Generated with Codebuff\n", ANN, None,
     "Codebuff", "body", "Generated with Codebuff"),
    ("made-with-cursor", "fix(json): reject undefined\n\nBody.\n\nMade-with: Cursor\n", ANN, None,
     "Cursor", "trailer", "Made-with: Cursor"),
    # -- OpenHands' (QA53): the agent as author, co-authors named after the model it ran ---------------------
    ("openhands-author", "Fix issue #8145: Add runtime docs\n", person("openhands <openhands@all-hands.dev>"),
     None, "OpenHands", "author", "openhands"),
    ("openhands-co-author", "Fix favicon\n\nCo-authored-by: openhands <openhands@all-hands.dev>\n", ANN, None,
     "OpenHands", "trailer", "openhands <openhands@all-hands.dev>"),
    ("openhands-model-co-author", "Refactor\n\nCo-authored-by: OpenHands-GPT-5 <openhands@all-hands.dev>\n", ANN,
     None, "OpenHands", "trailer", "OpenHands-GPT-5"),
    ("opendevin-author", "Fix issue #7888: Update resolver doc\n", person("OpenHands <opendevin@all-hands.dev>"),
     None, "OpenHands", "author", "OpenHands"),
    # -- cline's (QA54): Cline's agent as author, AI review bots whose suggestions were applied, Ellipsis' own code --
    ("cline-agent-author", "fix(cli): reject deferred cd commands\n",
     person("Cline Agent <cline-agent@users.noreply.github.com>"), None, "Cline", "author", "Cline Agent"),
    ("cline-agent-own-address", "fix\n", person("Cline Agent <agent@cline.bot>"), None, "Cline", "author", "Cline"),
    ("greptile-suggestion", "Apply suggestions from code review\n\n"
     "Co-authored-by: greptile-apps[bot] <165735046+greptile-apps[bot]@users.noreply.github.com>\n", ANN, None,
     "Greptile", "review", "greptile-apps[bot]"),
    ("ellipsis-suggestion", "Update src/api.ts\n\n"
     "Co-authored-by: ellipsis-dev[bot] <65095814+ellipsis-dev[bot]@users.noreply.github.com>\n", ANN, None,
     "Ellipsis", "review", "ellipsis-dev[bot]"),
    ("ellipsis-author", "address comments left by @ann on #2472\n",
     person("ellipsis-dev[bot] <65095814+ellipsis-dev[bot]@users.noreply.github.com>"), None,
     "Ellipsis", "bot", "ellipsis-dev[bot]"),
    # a tool review-tui does not know, named by the footer and credited as co-author by the same message
    ("footer-tool-as-co-author",
     "feat: x\n\n🤖 Generated with Zencoder\nCo-Authored-By: Zencoder <noreply@zencoder.ai>\n", ANN, None,
     "Zencoder", "trailer", "(the tool the message's footer names)"),
]

# Real shapes that are people or prose, never AI.
WILD_HUMAN_ROWS = [
    ("prose-generated-with", "Fix schema\n\nThe output schema is generated with model_json_schema(), which\n"
     "defaults to validation mode.\n", ANN, None),
    ("generated-with-a-build-tool", "Docs\n\nGenerated with [Sphinx](https://www.sphinx-doc.org)\n", ANN, None),
    ("nickname-in-parentheses", "Fix", person("Gyeongjun Paik (Kent) <paikend@gmail.com>"), None),
    ("machine-in-parentheses", "Fix", person("Anton Dzyatkovsky (Mac16) <anton@example.org>"), None),
    ("nickname-no-space", "Fix", person("Carmen(Jia) Liu <carmen@example.org>"), None),
    ("person-named-kiro", "Pair\n\nCo-authored-by: Kiro Tanaka <kiro@tanaka.example>\n", ANN, None),
    ("human-review-co-author", "Apply suggestions from code review\n\n"
     "Co-authored-by: Bob Reviewer <12345+bobr@users.noreply.github.com>\n", ANN, None),
    ("ci-bot-co-author", "Update snapshots\n\n"
     "Co-authored-by: github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\n", ANN, None),
    ("dependabot-co-author", "Bump x\n\n"
     "Co-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>\n", ANN, None),
    ("person-named-claude", "Pair\n\nCo-authored-by: Claude Dupont <claude@dupont.example>\n", ANN, None),
    ("made-with-no-tool", "Landing page\n\nMade-with: love\n", ANN, None),
    # OpenHands' lint workflow signs with the agent's address: a linter's fixes, not the agent's code
    ("openhands-lint-bot", "🤖 Auto-fix Python linting issues\n", person("OpenHands Bot <openhands@all-hands.dev>"),
     None),
    ("made-with-a-build-tool", "Scaffold\n\nMade-with: Vite\n", ANN, None),
    # Cline's people commit from the cline.bot domain too: only the agent's own names and addresses count
    ("cline-employee", "fix(core): stop stored capability lists revoking tool calling\n",
     person("Max Paulus <max@cline.bot>"), None),
    # QA61: an example quoted (indented) in the body, a person "via" something, trailers inside prose
    ("quoted-trailer-example", "fix: follow the Assisted-by spec\n\nIt should be:\n\n"
     "    Assisted-by: AGENT_NAME:MODEL_VERSION\n    Assisted-by: Crush:kimi-k2.6\n\nSee the docs.\n",
     ANN, None),
    ("person-via-a-chat", "Pair\n\nCo-authored-by: Ann via Slack <ann@example.org>\n", ANN, None),
    ("person-named-crush", "Pair\n\nCo-authored-by: Crush Smith <crush@smith.example>\n", ANN, None),
    ("inner-paragraph-with-prose", "Fix\n\nWe now print\nAssisted-by: Crush:x\nin commits we make.\n\nEnd.\n",
     ANN, None),
    ("prose-naming-a-tool", "Fix\n\nMade with Cursor's help, reviewed by hand; Codebuff suggested the test.\n",
     ANN, None),
]


@pytest.fixture(scope="module")
def wild_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepo, dict[str, str]]:
    builder = RepoBuilder(tmp_path_factory.mktemp("wild") / "repo")
    ids = {"root": builder.commit("init", {"a.txt": "a\n"}, author=ANN)}
    for row in WILD_ROWS + WILD_HUMAN_ROWS:
        name, message, author, committer = row[:4]
        ids[name] = builder.commit(message, {"a.txt": f"{name}\n"}, author=author, committer=committer)
    return GitRepo(builder.path), ids


@pytest.mark.parametrize("row", WILD_ROWS, ids=[r[0] for r in WILD_ROWS])
def test_each_wild_signal_class_is_detected_and_named(wild_repo, row) -> None:
    repo, ids = wild_repo
    name, _, _, _, tool, kind, quoted = row
    commit = repo.commit_info(ids[name])
    signals = commit_signals(commit)
    matching = [s for s in signals if s.tool == tool and s.kind == kind]
    assert matching, f"{name}: expected a {kind} signal for {tool}, got {signals}"
    assert any(quoted in s.signal for s in matching), [s.signal for s in matching]
    # Each of these is an explicit disclosure: on its own it counts the commit as AI-written.
    assert commit_confidence(signals) >= DEFAULT.min_confidence


@pytest.mark.parametrize("row", WILD_HUMAN_ROWS, ids=[r[0] for r in WILD_HUMAN_ROWS])
def test_people_and_prose_raise_no_signal(wild_repo, row) -> None:
    repo, ids = wild_repo
    assert commit_signals(repo.commit_info(ids[row[0]])) == []


def test_review_bot_signal_says_the_suggestion_was_the_bots() -> None:
    from app.core.git.models import CommitInfo

    message = ("Apply suggestions from code review\n\n"
               "Co-authored-by: coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>\n")
    commit = CommitInfo("c" * 40, "Ann", "ann@example.org", 0, "Ann", "ann@example.org", 0, message, ("p" * 40,))
    [signal] = commit_signals(commit)
    assert "suggestion" in signal.signal and "review bot" in signal.signal


def test_a_squashed_pull_request_crediting_a_review_bot_is_an_upper_bound() -> None:
    """vLLM-style squash merge: the bot wrote one applied suggestion of a whole pull request."""
    from app.core.git.models import CommitInfo

    message = ("[Bugfix] Fix int32 overflow in SiLU kernel (#42201)\n\nSigned-off-by: Ann <ann@example.org>\n"
               "Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>\n")
    commit = CommitInfo("d" * 40, "Ann", "ann@example.org", 0, "GitHub", "noreply@github.com", 0, message,
                        ("p" * 40,))
    hint = squash_hint(commit)
    assert hint is not None and "review bot" in hint


@pytest.mark.parametrize(("co_author", "tool", "kind"), [
    ("codeflash-ai[bot] <148906541+codeflash-ai[bot]@users.noreply.github.com>", "Codeflash", "trailer"),
    ("hyperlint-ai[bot] <154288675+hyperlint-ai[bot]@users.noreply.github.com>", "Hyperlint", "review"),
    # QA63 (outline): Codegen's agent, and a suggestion of Graphite's AI reviewer committed from the pull request
    ("codegen-sh[bot] <131295404+codegen-sh[bot]@users.noreply.github.com>", "Codegen", "trailer"),
    ("graphite-app[bot] <96075541+graphite-app[bot]@users.noreply.github.com>", "Graphite", "review"),
])
def test_less_common_ai_bots_as_co_authors(co_author: str, tool: str, kind: str) -> None:
    """QA48 #21: pydantic-ai's "Speed up function `_estimate_string_tokens` (#2156)" credits Codeflash, an AI
    optimiser, and a docs pull request Hyperlint's AI review: both read as 0% with no evidence."""
    from app.core.git.models import CommitInfo

    message = f"Speed up function `_estimate_string_tokens` (#2156)\n\nCo-authored-by: {co_author}\n"
    commit = CommitInfo("a" * 40, "Ann", "ann@example.org", 0, "Ann", "ann@example.org", 0, message, ("p" * 40,))
    [signal] = commit_signals(commit)
    assert (signal.tool, signal.kind) == (tool, kind) and signal.confidence >= 40


def test_a_commit_crediting_two_tools_names_both(tmp_path) -> None:
    """QA48 #6: `Co-authored-by: Claude ...` and `Co-authored-by: Cursor Agent ...` on one commit gave ai_tools
    ["Claude Code"]; a weak mention of a third tool names nothing more."""
    from app.analysis.analyzer import Analyzer

    b = RepoBuilder(tmp_path / "r")
    b.commit("init", {"app.py": "def f():\n    return 1\n"}, author=ANN)
    b.branch("both")
    b.commit("Fix retry\n\nCo-authored-by: Claude Opus 4.6 <noreply@anthropic.com>\n"
             "Co-authored-by: Cursor Agent <cursoragent@cursor.com>\n",
             {"app.py": "def f():\n    return 2\n"}, branch="both", author=ANN)
    b.checkout()
    data = Analyzer(b.path).detail("both").report.to_json()
    assert data["ai_tools"] == ["Claude Code", "Cursor"] and data["ai_share"] == 1.0


@pytest.mark.parametrize("co_author", [
    "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
    "Copilot <175728472+Copilot@users.noreply.github.com>",
    "Copilot Autofix powered by AI <175728472+Copilot@users.noreply.github.com>",
])
def test_a_persons_squashed_pull_request_crediting_an_ai_bot_is_an_upper_bound(co_author: str) -> None:
    """QA48 #4 (pydantic-ai): Devin reviews the pull requests there, and GitHub credits an applied suggestion with
    a Co-authored-by trailer: a contributor's 980-line squash read as 100% Devin, with no upper-bound note."""
    from app.core.git.models import CommitInfo

    message = f"Add `list_prompts` to `McpServer` (#3889)\n\nCo-authored-by: {co_author}\n"
    commit = CommitInfo("e" * 40, "Bernardo", "bd@example.org", 0, "GitHub", "noreply@github.com", 0, message,
                        ("p" * 40,))
    assert any(s.confidence >= 40 for s in commit_signals(commit))
    hint = squash_hint(commit)
    assert hint is not None and "not necessarily the whole change" in hint
    own = CommitInfo("f" * 40, "Copilot", "198982749+Copilot@users.noreply.github.com", 0, "GitHub",
                     "noreply@github.com", 0, message, ("p" * 40,))
    assert squash_hint(own) is None or "review bot" in squash_hint(own)  # the bot's own pull request: its lines


@pytest.mark.parametrize(("ref", "tool"), [
    ("refs/heads/kiro/add-login-form", "Kiro"),
    ("refs/remotes/origin/kiro/spec-1", "Kiro"),
    ("refs/remotes/origin/claude/issue-1919-20260122-1901", "Claude Code"),
    ("refs/remotes/origin/codex/add-otel-mcp-attributes", "OpenAI Codex"),
    ("refs/remotes/origin/openhands/fix-cli-graceful-shutdown", "OpenHands"),
    ("refs/remotes/origin/codegen-bot/fix-oauth-empty-401-response-10251", "Codegen"),
])
def test_agent_branch_prefixes_seen_in_the_wild(ref: str, tool: str) -> None:
    [signal] = branch_signals(ref)
    assert signal.tool == tool and signal.kind == "branch"
    assert signal.confidence < DEFAULT.min_confidence  # a branch name alone never counts a commit as AI


# ==================================================================================================
# Branch-name evidence below the threshold: weighed, and said so
# ==================================================================================================


def _render(renderable) -> str:
    from rich.console import Console

    console = Console(width=160, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def test_agent_branch_with_human_commits_shows_its_branch_evidence(tmp_path) -> None:
    """A claude/ branch whose commits carry no signal: 0% AI, but the row and the why panel name the
    branch-name evidence that was weighed (30 points, below the 40-point threshold)."""
    from app.analysis.analyzer import Analyzer
    from app.tui.widgets.why_panel import why_renderable

    b = RepoBuilder(tmp_path / "r")
    b.commit("init", {"app.py": "def f():\n    return 1\n"}, author=ANN)
    b.branch("claude/fix-retry")
    b.commit("Fix retry", {"app.py": "def f():\n    return 2\n"}, branch="claude/fix-retry", author=ANN)
    b.checkout()
    analyzer = Analyzer(b.path)
    detail = analyzer.detail("claude/fix-retry")
    data = detail.report.to_json()
    assert data["ai_share"] == 0
    evidence = data["ai_evidence"]
    assert any("branch prefix claude/" in e and "below" in e for e in evidence), evidence
    assert "branch prefix claude/" in _render(why_renderable(detail.assessment))
    # QA49 #6: explain says "AI?" as the queue does, and what was weighed, not a flat "AI 0%"
    from app.report.tables import explain_view

    said = _render(explain_view(detail.report))
    assert "AI evidence only" in " ".join(said.split()) and "AI 0%" not in said
    assert "no line counted as AI-written; evidence weighed:" in said and "branch prefix claude/" in said


def test_explain_lists_the_weighed_evidence_beside_the_commits_that_counted(tmp_path) -> None:
    """QA49 #9b: a change with an AI commit that also merged a Codex cloud branch (commits authored as the person)
    names both: the counted commit and the merged codex/ branch weighed for its commits."""
    from app.analysis.analyzer import Analyzer
    from app.report.tables import explain_view

    b = RepoBuilder(tmp_path / "r")
    b.commit("init", {"app.py": "def f():\n    return 1\n"}, author=ANN)
    b.branch("feature")
    b.commit("Tune\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", {"b.py": "X = 1\n"}, branch="feature",
             author=ANN)
    b.branch("codex/start-retry", from_branch="feature")
    b.commit("Retry", {"app.py": "def f():\n    return 2\n"}, branch="codex/start-retry", author=ANN)
    b.merge("feature", "codex/start-retry", "Merge pull request #6 from ann/codex/start-retry\n", author=ANN)
    b.repo.references.delete("refs/heads/codex/start-retry")  # merged and deleted, as the forge does
    b.checkout()
    said = " ".join(_render(explain_view(Analyzer(b.path).detail("feature").report)).split())
    assert "1 commit counted as AI-written" in said
    assert ("evidence weighed that counted no commit on its own: · 1 commit merged in from 1 branch with the branch "
            "prefix codex/ (codex/start-retry by ") in said


def test_the_why_panel_and_explain_name_the_commit_and_the_signal_that_counted(tmp_path) -> None:
    """QA48 #2 (pydantic-ai): a claude/ branch whose commit Claude committed was 100% AI, and the why panel and
    `explain` named only the branch prefix, which they also said was not enough on its own."""
    from app.analysis.analyzer import Analyzer
    from app.report.tables import explain_view
    from app.tui.widgets.why_panel import why_renderable

    claude = Person("Claude", "noreply@anthropic.com")
    b = RepoBuilder(tmp_path / "r")
    b.commit("init", {"app.py": "def f():\n    return 1\n"}, author=ANN)
    b.branch("claude/slack-session")
    own = b.commit("Fix retry", {"app.py": "def f():\n    return 2\n"}, branch="claude/slack-session", author=ANN,
                   committer=claude)
    b.commit("Docs", {"README.md": "retry\n"}, branch="claude/slack-session", author=ANN)
    b.checkout()
    detail = Analyzer(b.path).detail("claude/slack-session")
    data = detail.report.to_json()
    assert data["ai_share"] > 0 and data["ai_commit_count"] == 1
    [line] = data["ai_commits"]
    assert line.startswith(own[:10]) and "Claude <noreply@anthropic.com>" in line and "(Claude Code)" in line
    panel = _render(why_renderable(detail.assessment))
    assert "1 commit counted as AI-written, by what fired:" in panel and own[:10] in panel
    assert own[:10] in _render(explain_view(detail.report))


def test_a_pr_ref_inherits_the_branch_evidence_of_its_alias(tmp_path) -> None:
    """refs/pull/N/head names no branch; its twin origin/codex/... does: the one change gets the evidence."""
    from app.analysis.analyzer import Analyzer

    b = RepoBuilder(tmp_path / "r")
    b.commit("init", {"app.py": "x = 1\n"}, author=ANN)
    b.snapshots["pull-12"] = dict(b.snapshots["main"])
    head = b.commit("Add y", {"app.py": "x = 1\ny = 2\n"}, branch="pull-12", ref="refs/pull/12/head", author=ANN,
                    parents=[b.head()])
    b.set_ref("refs/remotes/origin/codex/add-y", head)
    b.checkout()
    [report] = Analyzer(b.path).analyze_all()
    assert any("branch prefix codex/" in e for e in report.to_json()["ai_evidence"])


def test_the_readme_lists_every_signal_class_with_its_points() -> None:
    """The README's signal table is what users tune min_confidence and team patterns against: every
    kind of signal the code emits has a row giving its points, and every bot, review bot and agent
    branch prefix the code recognises is named there."""
    from pathlib import Path

    from app.core.provenance import commits as c

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("Every signal class review-tui recognises", 1)[1].split("\n\n", 2)[1]
    rows: dict[str, list[str]] = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        for kind in cells[2].split(", "):
            rows.setdefault(kind, []).append(cells[3])
    assert set(rows) == set(c.KINDS)
    points = {"trailer": {c.CO_AUTHOR_POINTS, c.KNOWN_EMAIL_POINTS, c.POLICY_TRAILER_POINTS, c.TOOL_TRAILER_POINTS},
              "author": {c.AUTHOR_POINTS}, "committer": {c.COMMITTER_POINTS}, "bot": {c.BOT_POINTS},
              "review": {c.CO_AUTHOR_POINTS, c.KNOWN_EMAIL_POINTS}, "body": {c.BODY_POINTS},
              "subject": {c.SUBJECT_POINTS}, "branch": {c.BRANCH_POINTS}, "note": {c.NOTE_POINTS},
              "custom": {c.CUSTOM_POINTS}}
    assert set(points) == set(c.KINDS)
    for kind, expected in points.items():
        written = " ".join(rows[kind])
        for value in expected:
            assert str(value) in written, (kind, value)
    for name in [*c._BOTS, *c._REVIEW_BOTS, *c._BRANCH_PREFIXES]:
        assert f"`{name}`" in table, name


def test_an_unknown_bot_author_is_evidence_with_the_way_to_count_it_and_dependabot_is_not(tmp_path) -> None:
    """QA48 #9: a repository's own agent (pydantic-ai's pydanty[bot]) wrote pending changes that read 0% AI with
    no hint at all. A GitHub App author that is neither a known AI tool nor plain automation is now named as
    evidence (the queue's "AI?"), with the [[ai.patterns]] entry that counts it; it never counts a line alone."""
    from app.analysis.analyzer import Analyzer
    from app.report.tables import change_table

    agent = Person("acme-agent[bot]", "251103656+acme-agent[bot]@users.noreply.github.com")
    dependabot = Person("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
    b = RepoBuilder(tmp_path / "r")
    b.commit("init", {"app.py": "def f():\n    return 1\n", "requirements.txt": "rich==13.0\n"}, author=ANN)
    b.branch("fix-retry")
    b.commit("Fix retry (agent run 12)", {"app.py": "def f():\n    return 2\n"}, branch="fix-retry", author=agent)
    b.commit("Fix retry docs", {"app.py": "def f():\n    return 3\n"}, branch="fix-retry", author=agent)
    b.checkout()
    b.branch("bump-rich")
    b.commit("Bump rich from 13.0 to 13.1", {"requirements.txt": "rich==13.1\n"}, branch="bump-rich",
             author=dependabot)
    b.checkout()
    analyzer = Analyzer(b.path)
    agent_data = analyzer.detail("fix-retry").report.to_json()
    assert agent_data["ai_share"] == 0 and agent_data["ai_tools"] == []
    assert agent_data["ai_evidence"] == [
        "2 commits authored by acme-agent[bot], an automation review-tui does not know: if it is an AI agent, a "
        "[[ai.patterns]] entry in .review-tui.toml counts its lines"]
    assert analyzer.detail("bump-rich").report.to_json()["ai_evidence"] == []
    for login in ("pre-commit-ci-lite[bot]", "dependabot-preview[bot]", "github-actions[bot]", "renovate[bot]"):
        assert unknown_bot(login, f"1+{login}@users.noreply.github.com") is None, login
    assert unknown_bot("Ann Human", "ann@example.org") is None
    # QA50 #14: a user account named as a machine (uv's zaniebot, 212 commits on main), never a person's word or name
    assert unknown_bot("zaniebot", "242828183+zaniebot@users.noreply.github.com") == "zaniebot"
    assert unknown_bot("zaniebot", "zaniebot@accounts.zanie.blue") == "zaniebot"
    assert unknown_bot("deploy_bot", "ops@example.org") == "deploy_bot"
    for person, mail in (("robot", "robot@example.org"), ("Talbot", "1+talbot@users.noreply.github.com"),
                         ("abbot", "abbot@example.org"), ("renovate-bot", "bot@renovateapp.com")):
        assert unknown_bot(person, mail) is None, person
    assert unknown_bot("acme-agent[bot]", "") == unknown_bot("Acme", "9+acme-agent[bot]@users.noreply.github.com")
    table = _render(change_table(analyzer.analyze_all(), width=200)).splitlines()
    assert "AI?" in next(line for line in table if "fix-retry" in line)
    assert "AI?" not in next(line for line in table if "bump-rich" in line)


def test_an_unknown_bot_co_author_is_evidence_and_a_ci_bot_co_author_is_not(tmp_path) -> None:
    """QA54: an AI review product review-tui does not know credits its applied suggestion as a co-author
    (greptile-apps[bot] on cline read AI 0% with no word): named like an unknown bot author; github-actions is not."""
    from app.analysis.analyzer import Analyzer

    b = RepoBuilder(tmp_path / "r")
    b.commit("init", {"app.py": "def f():\n    return 1\n"}, author=ANN)
    b.branch("review")
    b.commit("Apply suggestions from code review\n\nCo-authored-by: acme-review[bot] "
             "<7+acme-review[bot]@users.noreply.github.com>\n", {"app.py": "def f():\n    return 2\n"},
             branch="review", author=ANN)
    b.commit("Update snapshots\n\nCo-authored-by: github-actions[bot] "
             "<41898282+github-actions[bot]@users.noreply.github.com>\n", {"app.py": "def f():\n    return 3\n"},
             branch="review", author=ANN)
    b.checkout()
    data = Analyzer(b.path).detail("review").report.to_json()
    assert data["ai_share"] == 0
    assert data["ai_evidence"] == [
        "1 commit co-authored by acme-review[bot], an automation review-tui does not know: if it is an AI agent, a "
        "[[ai.patterns]] entry in .review-tui.toml counts its lines"]


def test_a_co_author_is_credited_as_the_tool_the_footer_names_only_when_it_is_that_tool() -> None:
    """QA51 #10: "🤖 Generated with Codebuff" + "Co-Authored-By: Codebuff <noreply@codebuff.com>" (hono pull/5206) read
    as human: the footer's robot was taken by the pattern's leading punctuation, and the co-author was no tool
    review-tui knew. A co-author whose name, or whose no-reply address's domain, is the tool the footer names is a
    second disclosure; a person co-author beside a footer is not."""
    from app.core.git.models import CommitInfo

    def signals(message: str):
        return commit_signals(CommitInfo("c" * 40, "Ann", "ann@example.org", 0, "Ann", "ann@example.org", 0, message,
                                         ("p" * 40,)))

    found = signals("feat: x\n\n🤖 Generated with Zencoder\nCo-Authored-By: Zen Agent <noreply@zencoder.ai>\n")
    assert sorted((s.tool, s.kind, s.confidence) for s in found) == [("Zencoder", "body", 40),
                                                                      ("Zencoder", "trailer", 40)]
    assert commit_confidence(found) == 80
    person = signals("feat: x\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
                     "Co-Authored-By: Claude Dupont <claude@dupont.example>\n")
    assert [(s.tool, s.kind) for s in person] == [("Claude Code", "body")]
    other = signals("feat: x\n\n🤖 Generated with Zencoder\nCo-Authored-By: Codex Fan <noreply@example.org>\n")
    assert [(s.tool, s.kind) for s in other] == [("Zencoder", "body")]


def test_a_signal_under_a_raised_threshold_is_shown_as_evidence(tmp_path) -> None:
    """A footer alone (40 points) stays under a team's raised threshold: the change's evidence (the queue's "AI?",
    the why panel) names it, so the reviewer still sees the disclosure."""
    from app.core.provenance.commits import ProvenanceConfig
    from app.core.provenance.lines import analyze_provenance

    builder = RepoBuilder(tmp_path / "r")
    builder.commit("init", {"a.txt": "a\n"}, author=ANN)
    builder.branch("fix")
    weak = builder.commit("fix\n\n🤖 Generated with Codebuff\n", {"b.txt": "b\n"}, branch="fix", author=ANN)
    repo = GitRepo(builder.path)
    base, head = repo.resolve_commit("main"), repo.resolve_commit("fix")
    result = analyze_provenance(repo, repo.commits_between(base, head), repo.diff(base, head), base=base, head=head,
                                ref="refs/heads/fix", config=ProvenanceConfig(min_confidence=60))
    assert result.ai_commits == [] and result.ai_share == 0
    assert any(weak[:10] in line and "Generated with Codebuff" in line and "below the 60-point threshold" in line
               for line in result.evidence), result.evidence


@pytest.mark.parametrize(("name", "email", "tool"), [
    ("codegen-sh[bot]", "131295404+codegen-sh[bot]@users.noreply.github.com", "Codegen"),
    ("anthropic-code-agent[bot]", "242468646+Claude@users.noreply.github.com", "Claude Code"),
])
def test_an_ai_agents_app_as_the_author_is_a_bot_signal(name: str, email: str, tool: str) -> None:
    """QA63: 113 of outline's commits authored by codegen-sh[bot] and two by anthropic-code-agent[bot] read as
    unknown automation (weak evidence, 0% AI)."""
    from app.core.git.models import CommitInfo

    commit = CommitInfo("e" * 40, name, email, 0, "GitHub", "noreply@github.com", 0, "Fix lint errors in tests\n",
                        ("p" * 40,))
    [signal] = commit_signals(commit)
    assert (signal.tool, signal.kind) == (tool, "bot") and signal.confidence >= 71
