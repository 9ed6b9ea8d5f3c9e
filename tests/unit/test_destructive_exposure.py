"""Terraform that exposes production (QA55 F4 on terraform-aws-eks): ingress from anywhere, IAM statements open to
anyone or to every action, switches that make a resource public. Only what the change adds is reported; what
terraform-aws-eks writes every day (egress to anywhere, a `"*"` principal held by a condition) is not."""

from __future__ import annotations

from app.core.git.repo import GitRepo
from app.core.impact.destructive import terraform
from app.core.impact.destructive.model import Work
from app.core.impact.destructive.scan import blob_reader, scan_change
from app.core.impact.destructive.terraform_exposure import new_exposures
from tests.conftest import ALICE


def _exposed(base: str, head: str) -> list[tuple[str, str, str]]:
    old = terraform.parse_hcl(base, "main.tf", Work())[1]
    new = terraform.parse_hcl(head, "main.tf", Work())[1]
    return [(f.target, f.kind, f.reason) for f in new_exposures(terraform.Config(old), terraform.Config(new), {})]


RULE = ('resource "aws_security_group_rule" "ssh" {{\n  type        = "{kind}"\n  from_port   = 22\n'
        '  to_port     = 22\n  protocol    = "tcp"\n  cidr_blocks = [{cidr}]\n}}\n')


def test_ingress_opened_to_the_internet_is_found_and_egress_is_not() -> None:
    private = RULE.format(kind="ingress", cidr='"10.0.0.0/8"')
    assert _exposed(private, RULE.format(kind="ingress", cidr='"10.0.0.0/8", "0.0.0.0/0"')) == [
        ("aws_security_group_rule.ssh", "terraform-open-ingress",
         "ingress from anywhere (0.0.0.0/0) on port 22: reachable from the internet")]
    assert _exposed(private, RULE.format(kind="egress", cidr='"0.0.0.0/0"')) == []  # every group's default
    opened = RULE.format(kind="ingress", cidr='"0.0.0.0/0"')
    assert _exposed(opened, opened.replace("  protocol    = \"tcp\"\n", "  protocol = \"tcp\" # ssh\n")) == []
    group = ('resource "aws_security_group" "web" {{\n  ingress {{\n    from_port = 443\n    to_port = 443\n'
             '    ipv6_cidr_blocks = [{cidr}]\n  }}\n}}\n')
    assert [kind for _, kind, _ in _exposed(group.format(cidr='"fd00::/8"'), group.format(cidr='"::/0"'))] == [
        "terraform-open-ingress"]
    firewall = 'resource "google_compute_firewall" "f" {{\n  direction = "{d}"\n  source_ranges = ["0.0.0.0/0"]\n}}\n'
    assert len(_exposed("", firewall.format(d="INGRESS"))) == 1 and _exposed("", firewall.format(d="EGRESS")) == []


def test_iam_statements_open_to_anyone_or_every_action() -> None:
    policy = ('data "aws_iam_policy_document" "topic" {{\n  statement {{\n    sid = "Publish"\n'
              '    actions = [{actions}]\n    resources = [aws_sns_topic.t.arn]\n    principals {{\n'
              '      type = "AWS"\n      identifiers = [{who}]\n    }}\n{condition}  }}\n}}\n')
    mine = policy.format(actions='"SNS:Publish"', who='"arn:aws:iam::123:root"', condition="")
    assert _exposed(mine, policy.format(actions='"SNS:Publish"', who='"*"', condition="")) == [
        ("data.aws_iam_policy_document.topic", "terraform-iam-open",
         'Publish allows any principal ("*") with no condition: anyone, in any AWS account')]
    # terraform-aws-eks pr/1533: "*" held to the account by a condition, as AWS documents it
    held = ('    condition {\n      test = "StringEquals"\n      variable = "AWS:SourceOwner"\n'
            '      values = ["1"]\n    }\n')
    assert _exposed(mine, policy.format(actions='"SNS:Publish"', who='"*"', condition=held)) == []
    assert [kind for _, kind, _ in _exposed(mine, policy.format(actions='"*"', who='"arn:aws:iam::123:root"',
                                                                condition=""))] == ["terraform-iam-open"]
    assert _exposed(mine, policy.format(actions='"s3:Get*"', who='"arn:aws:iam::123:root"', condition="")) == []


def test_switches_that_make_a_resource_public() -> None:
    db = 'resource "aws_db_instance" "main" {{\n  engine = "postgres"\n  publicly_accessible = {p}\n}}\n'
    assert [kind for _, kind, _ in _exposed(db.format(p="false"), db.format(p="true"))] == ["terraform-public"]
    assert _exposed(db.format(p="var.public"), db.format(p="var.public")) == []
    block = ('resource "aws_s3_bucket_public_access_block" "b" {{\n  block_public_acls = {a}\n'
             '  block_public_policy = true\n}}\n')
    assert [reason for _, _, reason in _exposed(block.format(a="true"), block.format(a="false"))] == [
        "block_public_acls = false: S3 no longer blocks public access this way"]
    variable = 'variable "cluster_endpoint_public_access" {{\n  type = bool\n  default = {d}\n}}\n'
    assert [target for target, _, _ in _exposed(variable.format(d="false"), variable.format(d="true"))] == [
        "var.cluster_endpoint_public_access"]
    assert _exposed("", variable.format(d="true")) == []  # #314: a new variable keeps what EKS did unset


def test_a_scan_of_a_real_change_names_the_exposure_where_it_is_written(make_repo) -> None:
    builder = make_repo()
    first = builder.commit("base", {"infra/sg.tf": RULE.format(kind="ingress", cidr='"10.0.0.0/8"')}, author=ALICE)
    second = builder.commit("open ssh", {"infra/sg.tf": RULE.format(kind="ingress", cidr='"0.0.0.0/0"')},
                            author=ALICE)
    repo = GitRepo(builder.path)
    result = scan_change(repo.diff(first, second), blob_reader(repo.blob))
    [found] = result.findings
    assert (found.path, found.line, found.text) == ("infra/sg.tf", 6, 'cidr_blocks = ["0.0.0.0/0"]')


def test_infrastructure_under_examples_is_said_to_be_left_unscanned(make_repo) -> None:
    """QA55 F6: terraform-aws-eks pr/3488 turned deletion_protection off in examples/ and read "no destructive operation
    found", as if checked and clean. Examples are still not scanned (they show the module, they do not run it), and a
    note says so; a README beside them is no such file."""
    builder = make_repo()
    eks = 'module "eks" {{\n  source = "../.."\n  deletion_protection = {on}\n}}\n'
    first = builder.commit("base", {"examples/auto/main.tf": eks.format(on="true"), "README.md": "x\n"}, author=ALICE)
    second = builder.commit("off", {"examples/auto/main.tf": eks.format(on="false"), "README.md": "y\n"},
                            author=ALICE)
    repo = GitRepo(builder.path)
    result = scan_change(repo.diff(first, second), blob_reader(repo.blob))
    assert result.findings == []
    assert result.notes == ["examples/auto/main.tf: under tests, docs or examples, not scanned for destructive "
                            "operations (they show or test the infrastructure, they do not run it)"]
