"""A Terraform module's everyday pull requests (QA55 F9, terraform-aws-eks): 83% were Tier 0, an output added or a
provider's lower bound raised among them; and their chunks showed CC+ 0 beside a why panel saying Terraform's
complexity is not measured. An output, a validation or a version constraint within its majors is ordinary code
(Tier 2); complexity no measurer reads is shown "-" in the table, the plan and the change screen alike."""

from __future__ import annotations

import json

from click.testing import CliRunner
from textual.widgets import DataTable

from app.cli import cli
from tests.conftest import ALICE
from tests.functional.test_app import build_app
from tests.functional.test_change_screen import column, open_change

MAIN = 'resource "aws_eks_cluster" "this" {\n  name     = var.name\n  role_arn = var.role_arn\n}\n'
OUTPUT = 'output "cluster_%s" {\n  description = "The cluster %s"\n  value       = aws_eks_cluster.this.%s\n}\n'
VERSIONS = ('terraform {\n  required_version = ">= 1.3"\n  required_providers {\n    aws = {\n'
            '      source  = "hashicorp/aws"\n      version = "%s"\n    }\n  }\n}\n')


def _module(make_repo):
    repo = make_repo()
    repo.commit("module", {"main.tf": MAIN, "outputs.tf": OUTPUT % ("arn", "ARN", "arn"),
                           "versions.tf": VERSIONS % ">= 5.79", "scripts/render.py": "def render(x):\n    return x\n"},
                author=ALICE)
    changes = {
        "feat/output-id": {"outputs.tf": OUTPUT % ("arn", "ARN", "arn") + "\n" + OUTPUT % ("id", "id", "id")},
        "fix/min-provider": {"versions.tf": VERSIONS % ">= 5.81"},
        "feat/aws-v6": {"versions.tf": VERSIONS % ">= 6.0"},
        "feat/render": {"main.tf": MAIN.replace("var.name", "var.cluster_name"),
                        "scripts/render.py": "def render(x):\n    if x:\n        return x\n    return None\n"},
    }
    for branch, files in changes.items():
        repo.branch(branch, "main")
        repo.commit(branch, files, branch=branch, author=ALICE)
    repo.checkout()
    return repo


def test_outputs_and_versions_within_a_major_are_tier_2_and_tf_complexity_shows_as_not_measured(make_repo) -> None:
    repo = _module(make_repo)
    result = CliRunner().invoke(cli, ["list", "--repo", str(repo.path), "--json"], catch_exceptions=False)
    listed = {item["id"]: item for item in json.loads(result.stdout)}
    assert {branch: item["tier"] for branch, item in listed.items()} == {
        "feat/output-id": 2, "fix/min-provider": 2, "feat/aws-v6": 0, "feat/render": 0}
    assert listed["fix/min-provider"]["tier_reasons"] == [
        "versions.tf: only the terraform and provider version constraints (the same major versions) changed: nothing "
        "an apply destroys or exposes: tier 2"]
    assert {branch: item["complexity_measured"] for branch, item in listed.items()} == {
        "feat/output-id": False, "fix/min-provider": False, "feat/aws-v6": False, "feat/render": True}
    plan = CliRunner().invoke(cli, ["chunks", "feat/output-id", "--repo", str(repo.path), "--width", "120"],
                              catch_exceptions=False).output
    [row] = [line for line in plan.splitlines() if "outputs.tf" in line and "T2" in line]
    assert row.split()[-6:-3] == ["5", "-", "-"], row  # lines, CC+ (not "0") and AI


async def test_the_change_screen_shows_tf_chunks_complexity_as_not_measured(make_repo) -> None:
    repo = _module(make_repo)
    async with build_app(repo.path).run_test(size=(160, 40)) as pilot:
        screen = await open_change(pilot, "feat/render")
        table = screen.query_one("#chunks-table", DataTable)
        cells = dict(zip(column(table, "title"), column(table, "cc"), strict=True))
        assert [cc for title, cc in cells.items() if "main.tf" in title] == ["-"], cells
        assert [cc for title, cc in cells.items() if "render.py" in title] == ["+1"], cells
