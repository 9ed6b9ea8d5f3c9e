"""What a Terraform destroy loses (QA55 F10, terraform-aws-eks a07013a1f4): renaming a policy and its attachment
without `moved` blocks (terraform destroys both and writes them again from the same code) weighed as much as
destroying a KMS key (what it encrypted can no longer be read). The destructive factor now weighs the heaviest
operation's loss, and each operation says it, in `list --json` and `explain` alike."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE

MODULE = '''resource "aws_kms_key" "this" {
  description         = "cluster secrets"
  enable_key_rotation = true
}

resource "aws_iam_policy" "custom" {
  name   = "custom"
  policy = data.aws_iam_policy_document.custom.json
}

resource "aws_iam_role_policy_attachment" "custom" {
  role       = aws_iam_role.this.name
  policy_arn = aws_iam_policy.custom.arn
}

resource "random_pet" "workers" {
  length = 2
}
'''


def _listed(path) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {item["id"]: item for item in json.loads(result.stdout)}


def test_a_destroy_weighs_what_it_loses_and_says_so(make_repo) -> None:
    repo = make_repo()
    repo.commit("module", {"main.tf": MODULE, "README.md": "eks\n"}, author=ALICE)
    renamed = (MODULE.replace('"aws_iam_policy" "custom"', '"aws_iam_policy" "cluster"')
               .replace('"aws_iam_role_policy_attachment" "custom"', '"aws_iam_role_policy_attachment" "cluster"')
               .replace("aws_iam_policy.custom.arn", "aws_iam_policy.cluster.arn"))
    dropped_key = MODULE.replace(MODULE[:MODULE.index("resource \"aws_iam_policy\"")], "")
    dropped_pet = MODULE[:MODULE.index('resource "random_pet"')]
    for branch, text in [("fix/rename-policy", renamed), ("feat/drop-kms", dropped_key),
                         ("chore/drop-pet", dropped_pet)]:
        repo.branch(branch, "main")
        repo.commit(branch, {"main.tf": text}, branch=branch, author=ALICE)
    listed = _listed(repo.path)
    factor = {branch: next(f for f in item["factors"] if f["name"] == "destructive")
              for branch, item in listed.items()}
    assert {b: (f["raw"], f["normalised"], f["effect"]) for b, f in factor.items()} == {
        "fix/rename-policy": (2, 0.25, 1.0), "feat/drop-kms": (1, 1.0, 4.0), "chore/drop-pet": (1, 0.5, 2.0)}
    assert factor["fix/rename-policy"]["explanation"].startswith(
        "2 destructive operations, each weighed less than a drop (each says what it loses): main.tf:6: "
        "aws_iam_policy.custom: ")
    ops = {b: [op["explanation"] for op in item["destructive_ops"]] for b, item in listed.items()}
    assert ops["fix/rename-policy"][1] == (
        "aws_iam_role_policy_attachment.custom: removed from the configuration: terraform destroys it; "
        "it holds only what the code writes: nothing kept is lost (weighed 0.25)")
    assert ops["feat/drop-kms"] == ["aws_kms_key.this: removed from the configuration: terraform destroys it; "
                                    "its state (data, identity or running work) is lost with it"]
    assert ops["chore/drop-pet"][0].endswith("it holds only a generated value (weighed 0.5)")
    # the key ranks above the rename, which changed more lines; a destroy stays loud: critical where it loses what
    # was kept (a key, a generated name), high where terraform writes the same policy again (QA66 F1)
    order = list(listed)
    assert order.index("feat/drop-kms") < order.index("fix/rename-policy"), order
    assert {branch: item["band"] for branch, item in listed.items()} == {
        "feat/drop-kms": "critical", "chore/drop-pet": "critical", "fix/rename-policy": "high"}
    for item in listed.values():
        assert item["score"] == round(sum(f["contribution"] for f in item["factors"]), 1)
    shown = CliRunner().invoke(cli, ["explain", "fix/rename-policy", "--repo", str(repo.path), "--width", "200"],
                               catch_exceptions=False).output
    assert "2 destructive operations, each weighed less than a drop" in shown and "0.25" in shown
