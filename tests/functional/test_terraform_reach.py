"""A value that reaches an attribute forcing replacement through a variable (QA66): an environment renames its
database in a module call (`identifier = "orders"` -> `"orders-v2"`), a .tfvars file, or a module variable's
default, and the `aws_db_instance` block itself never changes: terraform plans destroy-and-recreate, and review-tui
found nothing. Now each is a terraform-replace (or terraform-variable-default) finding naming the resource's
address as terraform plans it and the attribute it reaches; what the resource's `lifecycle { ignore_changes }`
names, or a value that reaches no such attribute, is not."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE

DB_MODULE = '''locals {
  name = "${var.env}-${var.identifier}"
}

resource "aws_db_instance" "this" {
  identifier        = local.name
  engine            = var.engine
  availability_zone = var.az
  instance_class    = var.instance_class

  lifecycle {
    ignore_changes = [availability_zone]
  }
}
'''
DB_VARIABLES = '''variable "env" {}
variable "identifier" {}
variable "az" {}
variable "instance_class" {}

variable "engine" {
  default = "postgres"
}
'''
PROD = '''module "db" {
  source         = "../../modules/db"
  env            = "prod"
  identifier     = "orders"
  engine         = var.engine
  az             = "us-east-1a"
  instance_class = "db.r6g.large"
}

variable "engine" {}
'''
TFVARS = 'engine = "postgres"\n'


def _ops(path) -> dict[str, list[dict]]:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {item["id"]: item["destructive_ops"] for item in json.loads(result.stdout)}


def test_a_value_reaching_a_replacing_attribute_is_a_replacement(make_repo) -> None:
    repo = make_repo()
    repo.commit("environments", {"modules/db/main.tf": DB_MODULE, "modules/db/variables.tf": DB_VARIABLES,
                                 "envs/prod/main.tf": PROD, "envs/prod/terraform.tfvars": TFVARS}, author=ALICE)
    edits = {
        "rename-db": {"envs/prod/main.tf": PROD.replace('"orders"', '"orders-v2"')},
        "engine-tfvars": {"envs/prod/terraform.tfvars": 'engine = "mysql"\n'},
        "engine-default": {"modules/db/variables.tf": DB_VARIABLES.replace('"postgres"', '"aurora-postgresql"')},
        # what the module's lifecycle ignores, and what reaches no replacing attribute, replace nothing
        "move-az": {"envs/prod/main.tf": PROD.replace('"us-east-1a"', '"us-east-1b"')},
        "resize": {"envs/prod/main.tf": PROD.replace('"db.r6g.large"', '"db.r6g.xlarge"')},
    }
    for branch, files in edits.items():
        repo.branch(branch, "main")
        repo.commit(branch, files, branch=branch, author=ALICE)
    ops = _ops(repo.path)
    assert ops["move-az"] == [] and ops["resize"] == []
    [rename] = ops["rename-db"]
    assert (rename["kind"], rename["path"], rename["line"], rename["text"]) == (
        "terraform-replace", "envs/prod/main.tf", 4, 'identifier     = "orders-v2"')
    assert rename["explanation"] == (
        'module.db: identifier "orders" -> "orders-v2": terraform replaces module.db.aws_db_instance.this, destroying '
        "it (its data with it) and creating a new one: the value reaches its identifier, which forces replacement "
        "(modules/db/main.tf:6)")
    [tfvars] = ops["engine-tfvars"]
    assert (tfvars["kind"], tfvars["path"], tfvars["line"]) == ("terraform-replace", "envs/prod/terraform.tfvars", 1)
    assert tfvars["explanation"].startswith(
        'variable engine: engine "postgres" -> "mysql": terraform replaces module.db.aws_db_instance.this, ')
    assert tfvars["explanation"].endswith("reaches its engine, which forces replacement (modules/db/main.tf:7)")
    [default] = ops["engine-default"]
    assert (default["kind"], default["path"], default["line"]) == (
        "terraform-variable-default", "modules/db/variables.tf", 7)
    assert default["explanation"].startswith(
        'var.engine: variable engine default "postgres" -> "aurora-postgresql": for every caller that leaves it unset, '
        "terraform replaces aws_db_instance.this, destroying it")


def test_an_attribute_the_lifecycle_ignores_is_not_replaced(make_repo) -> None:
    repo = make_repo()
    db = ('resource "aws_db_instance" "main" {\n  engine = "postgres"\n\n'
          '  lifecycle {\n    ignore_changes = [engine]\n  }\n}\n')
    repo.commit("db", {"main.tf": db}, author=ALICE)
    repo.branch("engine", "main")
    repo.commit("engine", {"main.tf": db.replace('"postgres"', '"mysql"')}, branch="engine", author=ALICE)
    repo.branch("unignored", "main")
    repo.commit("unignored", {"main.tf": db.replace('"postgres"', '"mysql"').replace("[engine]", "[tags]")},
                branch="unignored", author=ALICE)
    repo.branch("quoted", "main")  # Terraform 0.11 wrote the names as strings
    repo.commit("quoted", {"main.tf": db.replace('"postgres"', '"mysql"').replace("[engine]", '["tags", "engine"]')},
                branch="quoted", author=ALICE)
    ops = _ops(repo.path)
    assert ops["engine"] == [] and ops["quoted"] == []
    assert [op["kind"] for op in ops["unignored"]] == ["terraform-replace"]


def test_a_root_module_deleted_whole_is_one_finding_that_says_nothing_plans_its_destroy(make_repo) -> None:
    """alphagov/govuk-aws 54e05ce9 'Remove remaining obsolete projects' deleted 12 root modules (each with its
    `backend "s3"`): 355 findings each saying "terraform destroys it", when no plan of that code destroys
    anything. A child module's directory deleted with its call still destroys, each resource said."""
    repo = make_repo()
    project = ('terraform {\n  backend "s3" {}\n}\n\n'
               'resource "aws_s3_bucket" "artefact" {\n  bucket = "artefact"\n}\n\n'
               'resource "aws_sns_topic" "artefact" {\n  name = "artefact"\n}\n\nmodule "role" {\n'
               '  source = "../../modules/role"\n}\n')
    repo.commit("projects", {"projects/artefact/main.tf": project,
                             "projects/artefact/variables.tf": 'variable "x" {}\n',
                             "projects/app/main.tf": 'terraform {\n  backend "s3" {}\n}\n\nmodule "cache" {\n'
                             '  source = "../../modules/cache"\n}\n',
                             "modules/cache/main.tf": 'resource "aws_elasticache_cluster" "this" {\n'
                             '  cluster_id = "cache"\n}\n',
                             "modules/role/main.tf": 'resource "aws_iam_role" "this" {\n  name = "r"\n}\n'},
                author=ALICE)
    repo.branch("drop-project", "main")
    repo.commit("drop project", {"projects/artefact/main.tf": None, "projects/artefact/variables.tf": None},
                branch="drop-project", author=ALICE)
    repo.branch("drop-cache", "main")
    repo.commit("drop cache", {"projects/app/main.tf": 'terraform {\n  backend "s3" {}\n}\n',
                               "modules/cache/main.tf": None}, branch="drop-cache", author=ALICE)
    ops = _ops(repo.path)
    [root] = ops["drop-project"]
    assert (root["kind"], root["path"], root["line"], root["side"], root["text"]) == (
        "terraform-root-module-deleted", "projects/artefact/main.tf", 1, "old", "terraform {")
    assert root["explanation"] == (
        'projects/artefact/: root module deleted whole (backend "s3"): no apply of this code destroys its 2 resources, '
        "1 module call; unless `terraform destroy` ran first, they keep running, unmanaged: check which it is "
        "(aws_s3_bucket.artefact, aws_sns_topic.artefact, module.role)")
    assert [(op["kind"], op["path"]) for op in ops["drop-cache"]] == [
        ("terraform-resource-deleted", "modules/cache/main.tf"), ("terraform-module-deleted", "projects/app/main.tf")]


def test_a_tfvars_switch_read_through_a_local_is_a_destroy(make_repo) -> None:
    """`count = local.cache ? 1 : 0` with `locals { cache = var.enable_cache && var.env == "prod" }`: the switch
    turned off in terraform.tfvars destroys the cluster; it was passed by as 'read by no count or for_each'."""
    repo = make_repo()
    main = ('locals {\n  cache = var.enable_cache && var.env == "prod"\n}\n\n'
            'resource "aws_elasticache_cluster" "cache" {\n  count      = local.cache ? 1 : 0\n'
            '  cluster_id = "cache"\n}\n')
    repo.commit("cache", {"main.tf": main, "terraform.tfvars": 'enable_cache = true\nenv = "prod"\n'}, author=ALICE)
    repo.branch("no-cache", "main")
    repo.commit("no cache", {"terraform.tfvars": 'enable_cache = false\nenv = "prod"\n'}, branch="no-cache",
                author=ALICE)
    [op] = _ops(repo.path)["no-cache"]
    assert (op["kind"], op["path"], op["line"]) == ("terraform-count-zero", "terraform.tfvars", 1)
    assert op["explanation"] == ("variable enable_cache: enable_cache true -> false: aws_elasticache_cluster.cache "
                                 "(count = local.cache ? 1 : 0) is destroyed")


def test_a_registry_module_input_that_replaces_is_a_replacement(make_repo) -> None:
    """`module "db" { source = "terraform-aws-modules/rds/aws" }`: the module's code is not in the repository, so
    its inputs that reach a replacing attribute come from a table (REGISTRY_MODULES)."""
    repo = make_repo()
    prod = ('module "db" {\n  source         = "terraform-aws-modules/rds/aws"\n  version        = "~> 6.0"\n'
            '  identifier     = "orders"\n  instance_class = "db.r6g.large"\n}\n')
    repo.commit("prod", {"prod/main.tf": prod}, author=ALICE)
    for branch, text in [("rename", prod.replace('"orders"', '"orders-v2"')),
                         ("resize", prod.replace("large", "xlarge"))]:
        repo.branch(branch, "main")
        repo.commit(branch, {"prod/main.tf": text}, branch=branch, author=ALICE)
    ops = _ops(repo.path)
    assert ops["resize"] == []
    [rename] = ops["rename"]
    assert (rename["kind"], rename["line"]) == ("terraform-replace", 4)
    assert rename["explanation"] == (
        'module.db: identifier "orders" -> "orders-v2": terraform replaces the aws_db_instance of module.db, '
        "destroying it (its data with it) and creating a new one: the value reaches its identifier, which forces "
        "replacement (as terraform-aws-modules/rds/aws passes it on)")


def test_a_node_group_s_instance_types_replace_it(make_repo) -> None:
    """aws_eks_node_group's instance_types, ami_type, capacity_type, disk_size, subnet_ids... are ForceNew in the
    AWS provider (internal/service/eks/node_group.go): changing the instance type drains and replaces every node;
    its scaling_config is changed in place."""
    repo = make_repo()
    group = ('resource "aws_eks_node_group" "workers" {\n  cluster_name   = "prod"\n  instance_types = ["m5.large"]\n\n'
             '  scaling_config {\n    desired_size = 3\n    max_size     = 6\n    min_size     = 3\n  }\n}\n')
    repo.commit("workers", {"eks.tf": group}, author=ALICE)
    for branch, text in [("bigger", group.replace("m5.large", "m6i.xlarge")), ("more", group.replace("= 6", "= 9"))]:
        repo.branch(branch, "main")
        repo.commit(branch, {"eks.tf": text}, branch=branch, author=ALICE)
    ops = _ops(repo.path)
    assert ops["more"] == []
    assert [(op["kind"], op["line"]) for op in ops["bigger"]] == [("terraform-replace", 3)]


def test_a_nested_block_s_replacing_attribute_replaces_it(make_repo) -> None:
    """QA66 F2: aws_eks_cluster's kubernetes_network_config.ip_family / service_ipv4_cidr and a node group's
    remote_access are ForceNew in the AWS provider, inside nested blocks the table did not read: a cluster moved to
    another service CIDR was no finding. A nested attribute that updates in place (vpc_config's endpoint access),
    and one the lifecycle ignores with its block, stay quiet."""
    repo = make_repo()
    cluster = ('resource "aws_eks_cluster" "main" {\n  name     = "prod"\n  role_arn = "arn:aws:iam::1:role/eks"\n\n'
               '  vpc_config {\n    endpoint_public_access = true\n  }\n\n'
               '  kubernetes_network_config {\n    service_ipv4_cidr = "172.20.0.0/16"\n  }\n}\n')
    life = "  lifecycle {\n    ignore_changes = [kubernetes_network_config]\n  }\n"
    ignoring = cluster.replace("}\n}\n", f"}}\n\n{life}}}\n")
    repo.commit("cluster", {"eks.tf": cluster, "other/eks.tf": ignoring}, author=ALICE)
    edits = {"cidr": {"eks.tf": cluster.replace("172.20", "10.100")},
             "public": {"eks.tf": cluster.replace("= true", "= false")},
             "ignored": {"other/eks.tf": ignoring.replace("172.20", "10.100")}}
    for branch, files in edits.items():
        repo.branch(branch, "main")
        repo.commit(branch, files, branch=branch, author=ALICE)
    ops = _ops(repo.path)
    assert ops["public"] == [] and ops["ignored"] == []
    assert [(op["kind"], op["line"], op["explanation"]) for op in ops["cidr"]] == [(
        "terraform-replace", 10, 'aws_eks_cluster.main: kubernetes_network_config.service_ipv4_cidr "172.20.0.0/16" '
        '-> "10.100.0.0/16" forces replacement: terraform destroys it and creates a new one (its data goes with it)')]


def test_a_reference_rewired_is_not_a_value_changed(make_repo) -> None:
    """terraform-aws-eks 416515a0: `cluster_name = time_sleep.this[0].triggers["cluster_name"]` ->
    `triggers["name"]` (the same cluster's name, read from a renamed key) was said to replace the node group."""
    repo = make_repo()
    module = 'resource "aws_eks_node_group" "this" {\n  cluster_name = var.cluster_name\n}\n'
    call = ('module "workers" {\n  source       = "./modules/workers"\n'
            '  cluster_name = time_sleep.this[0].triggers["cluster_name"]\n}\n')
    repo.commit("workers", {"modules/workers/main.tf": module, "main.tf": call}, author=ALICE)
    repo.branch("rewire", "main")
    repo.commit("rewire", {"main.tf": call.replace('["cluster_name"]', '["name"]')}, branch="rewire", author=ALICE)
    assert _ops(repo.path)["rewire"] == []


def test_a_resource_attribute_rewired_on_the_resource_is_not_a_replacement(make_repo) -> None:
    """`role_arn = aws_iam_role.a.arn` -> `aws_iam_role.b.arn` on the cluster itself: two references, whose values
    the configuration alone does not give; a literal role ARN changed still replaces the cluster."""
    repo = make_repo()
    cluster = 'resource "aws_eks_cluster" "this" {\n  name     = "prod"\n  role_arn = aws_iam_role.a.arn\n}\n'
    repo.commit("cluster", {"eks.tf": cluster}, author=ALICE)
    for branch, text in [("rewire", cluster.replace("aws_iam_role.a.arn", "aws_iam_role.b.arn")),
                         ("rename", cluster.replace('"prod"', '"prod-2"'))]:
        repo.branch(branch, "main")
        repo.commit(branch, {"eks.tf": text}, branch=branch, author=ALICE)
    ops = _ops(repo.path)
    assert ops["rewire"] == []
    assert [(op["kind"], op["line"]) for op in ops["rename"]] == [("terraform-replace", 2)]
