"""AI share on a history written with Charm's Crush (QA61, charmbracelet/crush): Crush's prompt has the model sign
"Co-Authored-By: Crush <crush@charm.land>" (earlier "Charm Crush") and "Assisted-by: <model> via Crush"; GitHub's
squash merge keeps a squashed commit's "Assisted-by:" in a paragraph above the "---------" line. Each read 0% AI, or
credited the model (GLM, Claude Code) rather than the agent, so the per-tool track record split Crush five ways."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE

_GO = 'package agent\n\nfunc Run(n int) int {\n\tif n > 0 {\n\t\treturn n\n\t}\n\treturn 0\n}\n'
_BRANCHES = {
    "crush-co-author": "feat(ui): add fork dialog\n\nBody.\n\nCo-Authored-By: Charm Crush <crush@charm.land>\n",
    "claude-via-crush": "feat(workspace): add states\n\n🐰 Generated with Crush\n\n"
                        "Assisted-by: Claude Sonnet 4 via Crush <crush@charm.land>\n",
    "squashed": "fix(ci): grant permissions (#2901)\n\n* fix(ci): clear lint findings\n\nAssisted-by: Crush\n\n"
                "* fix: go mod tidy\n\n---------\n\nCo-authored-by: Bob Human <bob@example.org>\n",
    "quoted-example": "fix: follow the Assisted-by spec\n\nIt should be:\n\n    Assisted-by: AGENT_NAME:MODEL_VERSION\n"
                      "\nSee the docs.\n",
}


def test_crush_written_changes_read_as_crush_and_a_quoted_example_does_not(make_repo) -> None:
    repo = make_repo()
    repo.commit("init", {"README.md": "agent\n"}, author=ALICE)
    for branch, message in _BRANCHES.items():
        repo.branch(branch, "main")
        repo.commit(message, {f"internal/agent/{branch.replace('-', '_')}.go": _GO}, branch=branch, author=ALICE)
    result = CliRunner().invoke(cli, ["list", "--repo", str(repo.path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    listed = {item["id"]: item for item in json.loads(result.stdout)}
    for branch in ("crush-co-author", "claude-via-crush", "squashed"):
        assert listed[branch]["ai_share"] == 1.0, (branch, listed[branch]["ai_share"], listed[branch]["ai_commits"])
        assert listed[branch]["ai_tools"] == ["Crush"], (branch, listed[branch]["ai_tools"])
    assert not listed["quoted-example"]["ai_share"], listed["quoted-example"]["ai_commits"]
