"""Terraform that destroys, found by comparing the parsed base and head configuration (python-hcl2).

The change's .tf files are parsed on both sides and grouped by directory (one root module or module
each: a resource moved between directories lives in another state, so it is destroyed). Reported:
- a resource or module in the base and not in the head, unless a `moved` block moves it or a
  `removed` block with `destroy = false` forgets it (a `removed` block that destroys is reported);
- count shrinking (1 -> 0, 3 -> 1), for_each becoming empty or losing keys, count replaced by for_each
  without `moved` blocks (every instance is re-addressed: destroyed and recreated);
- protection switched off on an existing resource: lifecycle prevent_destroy, deletion_protection,
  disable_api_termination and friends; create_before_destroy turned off; force_destroy or
  skip_final_snapshot turned on;
- attributes whose change forces replacement of stateful resources (a database's engine or
  identifier, a bucket's name, a disk's zone...): a curated table, since the provider schema is not
  at hand; an attribute the resource's `lifecycle { ignore_changes }` names is never replaced;
- a value that reaches such an attribute through a variable (`identifier = var.db_name`, through
  `locals` and local modules, `source = "./modules/db"`, read at the head): a module call's argument,
  a .tfvars value or a variable's default changed from one plain value to another (how an
  environment's database or cluster is renamed: its own resource block never changes);
- in .tfvars files, a count-like variable dropping to 0 or an enable/create flag turned off.
A new resource created with force_destroy = true destroys nothing and passes.

A resource destroyed weighs what it loses (`loss`, QA55 F10): one that holds only what the configuration writes (a
policy attachment, a security group rule, an inline policy) a quarter of a destroy, one that holds only a generated
name (random_pet) half; a resource of any other type (a cluster, a key, a log group, a database, or one not in the
tables) the whole, as does a module (what it holds is not read here) and every other finding.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from app.core.hcl import body_of, items, label, parse_tree, remembered
from app.core.impact.destructive.model import MAX_HCL_BYTES, SIDE_OLD, Finding, Lines, ParseFailure, Work
from app.core.text import plural, visible_path

_PROTECTIONS = (
    "deletion_protection",
    "enable_deletion_protection",
    "disable_api_termination",
    "termination_protection",
    "delete_protection",
    "deletion_protection_enabled",
)
_DANGERS = {
    "force_destroy": "destroying it also deletes everything in it (every object of a bucket)",
    "skip_final_snapshot": "destroying it keeps no final snapshot: the data is gone for good",
    "force_delete": "destroying it skips the provider's safety checks",
    "purge_protection_enabled": "",
}
# Resources whose protection is on when the attribute is left out (the Google provider's defaults): writing
# `= false` turns it off (microservices-demo's GKE cluster warns about exactly this in a comment).
_PROTECTED_BY_DEFAULT: dict[str, frozenset[str]] = {
    "deletion_protection": frozenset({"google_container_cluster", "google_sql_database_instance",
                                      "google_bigquery_table", "google_spanner_database",
                                      "google_spanner_instance", "google_alloydb_cluster"}),
}
# Attributes whose change makes the provider destroy and recreate the resource (from the providers'
# documentation, "Forces new resource"), for resources that hold data or run workloads.
FORCES_REPLACEMENT: dict[str, frozenset[str]] = {
    name: frozenset(attrs.split())
    for name, attrs in {
        "aws_db_instance": "identifier engine availability_zone storage_encrypted kms_key_id "
        "db_name username "
        "character_set_name timezone",
        "aws_rds_cluster": "cluster_identifier engine database_name master_username "
        "storage_encrypted kms_key_id "
        "availability_zones",
        "aws_docdb_cluster": "cluster_identifier engine storage_encrypted kms_key_id",
        "aws_neptune_cluster": "cluster_identifier engine storage_encrypted",
        "aws_redshift_cluster": "cluster_identifier database_name",
        "aws_s3_bucket": "bucket bucket_prefix",
        "aws_dynamodb_table": "name hash_key range_key",
        "aws_instance": "ami availability_zone subnet_id key_name private_ip",
        "aws_ebs_volume": "availability_zone encrypted snapshot_id kms_key_id",
        "aws_efs_file_system": "creation_token encrypted kms_key_id performance_mode",
        "aws_elasticache_cluster": "cluster_id engine",
        "aws_elasticache_replication_group": "replication_group_id at_rest_encryption_enabled",
        "aws_opensearch_domain": "domain_name",
        "aws_elasticsearch_domain": "domain_name",
        "aws_kinesis_stream": "name",
        "aws_sqs_queue": "name fifo_queue",
        "aws_eks_cluster": "name role_arn bootstrap_self_managed_addons "
        "kubernetes_network_config.ip_family kubernetes_network_config.service_ipv4_cidr "
        "outpost_config.control_plane_instance_type outpost_config.outpost_arns",
        "aws_eks_node_group": "cluster_name node_group_name node_group_name_prefix node_role_arn subnet_ids ami_type "
        "capacity_type disk_size instance_types remote_access.ec2_ssh_key remote_access.source_security_group_ids",
        "google_sql_database_instance": "name region",
        "google_storage_bucket": "name location",
        "google_compute_instance": "name zone",
        "google_compute_disk": "name zone image snapshot type",
        "google_bigquery_dataset": "dataset_id location",
        "google_bigquery_table": "dataset_id table_id",
        "google_container_cluster": "name location",
        "google_spanner_instance": "name config",
        "azurerm_resource_group": "name location",
        "azurerm_storage_account": "name location",
        "azurerm_postgresql_flexible_server": "name location resource_group_name",
        "azurerm_mssql_database": "name server_id",
        "azurerm_cosmosdb_account": "name location resource_group_name",
        "azurerm_linux_virtual_machine": "name location resource_group_name admin_username",
        "azurerm_kubernetes_cluster": "name location resource_group_name dns_prefix",
    }.items()
}
def _types(names: str) -> frozenset[str]:
    return frozenset(names.split())


# Resources that hold only what the configuration writes: destroyed, nothing kept is lost (terraform writes it again
# from the same code; a removal drops only what the change means to drop). A destroy of one weighs STATELESS_WEIGHT.
STATELESS = _types("""
    aws_iam_role_policy_attachment aws_iam_policy_attachment aws_iam_user_policy_attachment
    aws_iam_group_policy_attachment aws_iam_role_policy aws_iam_user_policy aws_iam_group_policy aws_iam_policy
    aws_security_group_rule aws_vpc_security_group_ingress_rule aws_vpc_security_group_egress_rule
    aws_route aws_route_table_association aws_main_route_table_association aws_lb_target_group_attachment
    aws_autoscaling_attachment aws_eks_access_policy_association aws_lambda_permission aws_cloudwatch_event_target
    aws_ec2_tag aws_autoscaling_group_tag
    google_project_iam_member google_project_iam_binding google_service_account_iam_member
    google_storage_bucket_iam_member azurerm_role_assignment kubernetes_cluster_role_binding kubernetes_role_binding
    null_resource terraform_data time_sleep local_file local_sensitive_file
""")
# Resources that hold a generated name or number and nothing else: what reads it gets another (GENERATED_WEIGHT).
# random_password, random_string and tls_private_key are secrets: not here, their loss weighs the whole.
GENERATED = _types("random_pet random_id random_integer random_shuffle random_uuid")
# Resources that hold data or identity, or run workloads, beyond FORCES_REPLACEMENT's: said so, weighed the whole.
STATEFUL = _types("""
    aws_kms_key aws_cloudwatch_log_group aws_eks_node_group aws_autoscaling_group aws_iam_role aws_iam_user
    aws_iam_access_key aws_route53_zone aws_acm_certificate aws_ecr_repository aws_secretsmanager_secret
    aws_rds_cluster_instance aws_backup_vault aws_cognito_user_pool aws_sns_topic aws_lb aws_eip
    random_password tls_private_key kubernetes_namespace kubernetes_persistent_volume_claim
""")
STATELESS_WEIGHT = 0.25
GENERATED_WEIGHT = 0.5


def loss(resource_type: str) -> tuple[float, str]:
    """What destroying a resource of this type loses: (its finding's weight, 0..1, and how the finding says it).
    A type in no table weighs the whole and says nothing: a missed destroy is worse than a loud one."""
    if resource_type in STATELESS:  # the finding's target names the type: the words do not repeat it
        return STATELESS_WEIGHT, (f"it holds only what the code writes: nothing kept is lost "
                                  f"(weighed {STATELESS_WEIGHT:g})")
    if resource_type in GENERATED:
        return GENERATED_WEIGHT, f"it holds only a generated value (weighed {GENERATED_WEIGHT:g})"
    if resource_type in STATEFUL or resource_type in FORCES_REPLACEMENT:
        return 1.0, "its state (data, identity or running work) is lost with it"
    return 1.0, ""


def _weighed(block: Block, reason: str) -> tuple[str, float]:
    """A destroy's reason with what it loses said, and its weight, for a resource; a module's weighs the whole."""
    if block.kind != "resource" or not block.labels:
        return reason, 1.0
    weight, said = loss(block.labels[0])
    return (f"{reason}; {said}" if said else reason), weight


_EMPTY_COLLECTION = re.compile(r"^(?:to(?:set|map|list)\()?\s*[\[{]\s*[\]}]\s*\)?$")
_COLLECTION_KEYS = re.compile(r'"((?:[^"\\]|\\.)*)"\s*(?==|:)|"((?:[^"\\]|\\.)*)"')
_COUNTISH = re.compile(
    r"(?:^|_)(?:count|replicas|instances|nodes|node_count|desired_size|min_size|capacity)$"
)
_FLAGISH = re.compile(r"^(?:enable|enabled|create|deploy)(?:_|$)|_(?:enabled|enable)$")


@dataclass
class Attr:
    text: str  # the expression as written, whitespace collapsed
    line: int


@dataclass
class Block:
    kind: str  # resource, module, data, moved, removed, lifecycle, ...
    labels: list[str]
    line: int
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    path: str = ""

    @property
    def address(self) -> str | None:
        if self.kind == "resource" and len(self.labels) == 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.kind == "module" and self.labels:
            return f"module.{self.labels[0]}"
        return None

    def nested(self, kind: str) -> Block | None:
        return next((b for b in self.blocks if b.kind == kind), None)

    def value(self, name: str) -> str | None:
        attr = self.attr_at(name)
        return None if attr is None else attr.text

    def attr_at(self, name: str) -> Attr | None:
        """An attribute, or a nested block's by a dotted name (`kubernetes_network_config.ip_family`: the first such
        block's)."""
        *blocks, last = name.split(".")
        block: Block | None = self
        for kind in blocks:
            block = block.nested(kind) if block is not None else None
        return None if block is None else block.attrs.get(last)


# ==================================================================================================
# parsing
# ==================================================================================================


_label = label


def _body(
    body: object, text: str, work: Work, path: str, depth: int = 0
) -> tuple[dict[str, Attr], list[Block]]:
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    if depth > 50:
        raise ParseFailure("HCL nests more than 50 blocks deep")
    for child in getattr(body, "children", []):
        work.add()
        data = getattr(child, "data", None)
        if data == "attribute":
            name = _label(child.children[0], text)
            value = child.children[-1]
            source = text[value.meta.start_pos : value.meta.end_pos]
            attrs[name] = Attr(" ".join(source.split()), child.meta.line)
        elif data == "block":
            parts = [c for c in child.children if getattr(c, "data", None) in ("identifier", "string")]
            inner = next((c for c in child.children if getattr(c, "data", None) == "body"), None)
            sub_attrs, sub_blocks = (
                _body(inner, text, work, path, depth + 1) if inner is not None else ({}, [])
            )
            kind = _label(parts[0], text) if parts else "?"
            blocks.append(
                Block(
                    kind, [_label(p, text) for p in parts[1:]], child.meta.line, sub_attrs, sub_blocks, path
                )
            )
    return attrs, blocks


def parse_hcl(text: str, path: str, work: Work) -> tuple[dict[str, Attr], list[Block]]:
    """Top-level attributes (tfvars) and blocks of an HCL file, or ParseFailure. Kept per (path, content) in
    this process (app/core/hcl.py): every branch of a root module reads the same base files."""
    if len(text.encode("utf-8", errors="replace")) > MAX_HCL_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_HCL_BYTES:,}-byte HCL parse bound")
    work.add(len(text))
    answer: tuple[dict[str, Attr], list[Block]] | ParseFailure = remembered(
        f"blocks-of:{path}", text, lambda: _parse_hcl(text, path, work))
    if isinstance(answer, ParseFailure):
        raise answer
    return answer


def _parse_hcl(text: str, path: str, work: Work) -> tuple[dict[str, Attr], list[Block]] | ParseFailure:
    try:
        return _parse_hcl_or_raise(text, path, work)
    except ParseFailure as failure:
        return failure  # remembered too: a file that does not parse fails the same way every time


def _parse_hcl_or_raise(text: str, path: str, work: Work) -> tuple[dict[str, Attr], list[Block]]:
    pieces = items(text)
    joined = _joined(pieces, path, work) if len(pieces) > 1 else None
    return joined if joined is not None else _parse_whole(text, path, work)


def _joined(pieces: list[tuple[int, str]], path: str, work: Work) -> tuple[dict[str, Attr], list[Block]] | None:
    """The file's attributes and blocks read piece by piece (app/core/hcl.py `items`: each top-level item is
    parsed once in a process, whichever versions of whichever files hold it), lines counted from the file's
    start; None when a piece does not parse (the whole file is then parsed, and fails as itself)."""
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    for line, piece in pieces:
        answer = remembered("hcl-item", piece, lambda piece=piece: _piece(piece, work))
        if answer is None:
            return None
        for name, attr in answer[0].items():
            attrs[name] = Attr(attr.text, attr.line + line)
        blocks += [_placed(block, line, path) for block in answer[1]]
    return attrs, blocks


def _piece(piece: str, work: Work) -> tuple[dict[str, Attr], list[Block]] | None:
    try:
        return _parse_whole(piece, "", work)
    except ParseFailure:
        return None


def _placed(block: Block, lines: int, path: str) -> Block:
    """A piece's block where it stands in its file: `lines` further down, in `path`."""
    return Block(block.kind, list(block.labels), block.line + lines,
                 {name: Attr(attr.text, attr.line + lines) for name, attr in block.attrs.items()},
                 [_placed(inner, lines, path) for inner in block.blocks], path)


def _parse_whole(text: str, path: str, work: Work) -> tuple[dict[str, Attr], list[Block]]:
    try:
        tree = parse_tree(text)
    except RecursionError:
        raise ParseFailure("HCL nests too deeply to parse") from None
    except Exception as exc:
        line = getattr(exc, "line", None)
        raise ParseFailure(
            f"HCL does not parse{f' at line {line}' if line else ''}: {exc.__class__.__name__}"
        ) from None
    body = body_of(tree)
    return _body(body, text, work, path) if body is not None else ({}, [])


# ==================================================================================================
# judging
# ==================================================================================================


@dataclass
class Config:
    """The blocks of one side of the change, per directory."""

    blocks: list[Block] = field(default_factory=list)

    def by_address(self) -> dict[tuple[str, str], Block]:
        return {(posixpath.dirname(b.path), b.address): b for b in self.blocks if b.address}

    def moves(self) -> dict[tuple[str, str], str]:
        """from-address -> to-address of `moved` blocks, per directory."""
        out = {}
        for block in self.blocks:
            if block.kind == "moved" and block.value("from"):
                source = re.sub(r"\[.*\]$", "", block.value("from") or "")
                out[(posixpath.dirname(block.path), source)] = block.value("to") or ""
        return out

    def removed(self) -> dict[tuple[str, str], Block]:
        return {
            (posixpath.dirname(b.path), re.sub(r"\[.*\]$", "", b.value("from") or "")): b
            for b in self.blocks
            if b.kind == "removed"
        }


def _finding(
    kind: str, block: Block, line: int, target: str, reason: str, lines: dict[str, Lines], side: str = "new",
    *, destroys: bool = False,
) -> Finding:
    """A finding on `block`; `destroys`: it destroys the block's instances, so it weighs (and says) what they lose."""
    source = lines.get(block.path)
    weight = 1.0
    if destroys:
        reason, weight = _weighed(block, reason)
    return Finding(
        kind,
        block.path,
        line,
        target,
        reason,
        source.text_of(line) if source else "",
        side,
        "hcl",
        f"{kind}:{target}",
        weight,
    )


def truthy(text: str | None) -> bool:
    return (text or "").strip().lower() in ("true", '"true"')


def falsy(text: str | None) -> bool:
    return (text or "").strip().lower() in ("false", '"false"')


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def _keys(text: str) -> set[str]:
    return {m.group(1) or m.group(2) for m in _COLLECTION_KEYS.finditer(text[:20_000])}


def _instances(
    old: Block, new: Block, address: str, lines: dict[str, Lines], moves: dict[tuple[str, str], str]
) -> Iterator[Finding]:
    count_old, count_new = old.value("count"), new.value("count")
    each_old, each_new = old.value("for_each"), new.value("for_each")
    line = (new.attrs.get("count") or new.attrs.get("for_each") or Attr("", new.line)).line
    if count_new is not None and _int(count_new) == 0 and (count_old is None or _int(count_old) != 0):
        yield _finding(
            "terraform-count-zero",
            new,
            line,
            address,
            f"count {count_old if count_old is not None else '(1)'} -> 0: terraform destroys every instance",
            lines,
            destroys=True,
        )
    elif _int(count_new) is not None and _int(count_old) is not None and _int(count_new) < _int(count_old):  # type: ignore[operator]
        gone = ", ".join(f"{address}[{i}]" for i in range(_int(count_new) or 0, min(_int(count_old) or 0, 8)))
        yield _finding(
            "terraform-count-shrink",
            new,
            line,
            address,
            f"count {count_old} -> {count_new}: terraform destroys {gone}",
            lines,
            destroys=True,
        )
    if (
        each_new is not None
        and _EMPTY_COLLECTION.match(each_new)
        and not (each_old is not None and _EMPTY_COLLECTION.match(each_old))
    ):
        yield _finding(
            "terraform-for-each-empty",
            new,
            line,
            address,
            f"for_each {each_old or '(none)'} -> {each_new}: terraform destroys every instance",
            lines,
            destroys=True,
        )
    elif each_new is not None and each_old is not None and each_old != each_new:
        before, after = _keys(each_old), _keys(each_new)
        literal = not re.search(r"\b(?:var|local|module|data)\.", each_old + each_new)
        if literal and before - after:
            gone = ", ".join(f'{address}["{k}"]' for k in sorted(before - after)[:8])
            yield _finding(
                "terraform-for-each-shrink",
                new,
                line,
                address,
                f"for_each loses {len(before - after)} key(s): terraform destroys {gone}",
                lines,
                destroys=True,
            )
    directory = posixpath.dirname(new.path)
    if (
        count_old is not None
        and each_new is not None
        and count_new is None
        and (directory, address) not in moves
    ):
        yield _finding(
            "terraform-readdressed",
            new,
            line,
            address,
            "count replaced by for_each without moved blocks: every instance is re-addressed, "
            "destroyed and recreated",
            lines,
            destroys=True,
        )


def _protections(old: Block, new: Block, address: str, lines: dict[str, Lines]) -> Iterator[Finding]:
    old_life, new_life = old.nested("lifecycle"), new.nested("lifecycle")
    if truthy(old_life.value("prevent_destroy") if old_life else None) and not truthy(
        new_life.value("prevent_destroy") if new_life else None
    ):
        line = (new_life.attrs["prevent_destroy"].line if new_life and "prevent_destroy" in new_life.attrs
                else (new_life or new).line)
        yield _finding(
            "terraform-prevent-destroy-removed",
            new,
            line,
            address,
            "lifecycle prevent_destroy turned off: terraform may now destroy it",
            lines,
        )
    if truthy(old_life.value("create_before_destroy") if old_life else None) and not truthy(
        new_life.value("create_before_destroy") if new_life else None
    ):
        yield _finding(
            "terraform-create-before-destroy-off",
            new,
            (new_life or new).line,
            address,
            "create_before_destroy turned off: a replacement destroys it first (downtime, and its "
            "data if it holds any)",
            lines,
        )
    for name in _PROTECTIONS:
        was, now = old.value(name), new.value(name)
        line = new.attrs[name].line if name in new.attrs else new.line
        shown = f"{name} {was if was is not None else '(unset)'} -> {now if now is not None else '(removed)'}"
        if truthy(was) and not truthy(now):
            yield _finding("terraform-deletion-protection-off", new, line, address,
                           f"{shown}: the cloud no longer refuses to delete it", lines)
        elif falsy(now) and was is not None and not _literal(was):
            # `= var.deletion_protection` is how modules wire it: the caller's `true` no longer reaches it
            yield _finding("terraform-deletion-protection-off", new, line, address,
                           f"{shown}: off whatever the caller sets, where it followed {was}; the cloud may no "
                           "longer refuse to delete it", lines)
        elif falsy(now) and was is None and (new.labels[:1] or [""])[0] in _PROTECTED_BY_DEFAULT.get(name, ()):
            yield _finding("terraform-deletion-protection-off", new, line, address,
                           f"{shown}: the provider's default is on, so this turns the protection off", lines)
    for name, why in _DANGERS.items():
        if why and truthy(new.value(name)) and not truthy(old.value(name)):
            yield _finding(
                "terraform-force-destroy", new, new.attrs[name].line, address, f"{name} = true: {why}", lines
            )


_REFERENCE = re.compile(r"\b(?:var|local|module|data|each|count|path|terraform)\.|\$\{|\?|\(")


def _literal(text: str | None) -> bool:
    """Whether an attribute is a plain value (a string without interpolation, a number, a bool) or unset:
    only then does a textual change mean the value changed. A resource's attribute (`aws_iam_role.a.arn`) is not."""
    return text is None or (not _REFERENCE.search(text) and _plain(text))


def _differs(was: str | None, now: str | None) -> bool:
    """Whether two attribute expressions surely have different values: both plain values, or two strings
    with the same interpolations around different literal text ("db-${var.env}" -> "db2-${var.env}")."""
    if _literal(was) and _literal(now):
        return True
    holes = re.compile(r"\$\{[^{}]*\}")
    if was is not None and now is not None and not was.startswith('"') and now.startswith('"'):
        # `var.name` -> "${var.name}-eks": the same value with text added is another value
        return holes.findall(now) == ["${" + was + "}"] and holes.sub("", now) != '""'
    if was is None or now is None or not (was.startswith('"') and now.startswith('"')):
        return False
    return holes.findall(was) == holes.findall(now) and holes.sub("", was) != holes.sub("", now)


def _replacements(old: Block, new: Block, address: str, lines: dict[str, Lines]) -> Iterator[Finding]:
    forcing = _forcing(new, old.labels[0] if old.labels else "")
    for name in sorted(forcing):
        was, now = old.value(name), new.value(name)
        if was == now or not _differs(was, now):
            continue  # an expression (var.x, local.y, a conditional) changed: its value may well not have
        written = new.attr_at(name)
        line = written.line if written is not None else new.line
        yield _finding(
            "terraform-replace",
            new,
            line,
            address,
            f"{name} {was if was is not None else '(unset)'} -> {now if now is not None else '(unset)'} "
            "forces replacement: terraform destroys it and creates a new one (its data goes with it)",
            lines,
        )


def _forcing(block: Block, resource_type: str) -> set[str]:
    """The attributes of this type forcing replacement that the block's lifecycle does not ignore (a nested block's,
    `kubernetes_network_config.ip_family`, ignored with its block)."""
    skip = ignored(block)
    return {name for name in FORCES_REPLACEMENT.get(resource_type, frozenset())
            if name not in skip and name.split(".")[0] not in skip}


ModuleBlocks = Callable[[str], list[Block]]  # a directory -> the blocks of its .tf files at the change's head
MODULE_DEPTH = 3  # local modules followed below the one read: deeper nesting is rare, and each level reads files
_VARIABLE = re.compile(r"\bvar\.(\w+)")
_LOCAL = re.compile(r"\blocal\.(\w+)")


def ignored(block: Block) -> frozenset[str]:
    """The attributes a resource's `lifecycle { ignore_changes = [...] }` names (terraform never plans a change of
    them, so never a replacement); every attribute for `ignore_changes = all`."""
    life = block.nested("lifecycle")
    text = (life.value("ignore_changes") if life else None) or ""
    if text.strip() == "all":
        return frozenset(block.attrs) | frozenset(name for names in FORCES_REPLACEMENT.values() for name in names)
    return frozenset(re.findall(r'(?:^|[\[,])\s*"?(\w+)"?\s*(?=[,\]])', text))  # 0.11 quoted the names


@dataclass(frozen=True)
class Reach:
    """An attribute that forces replacement, reached from a variable: in a resource of this repository (`path`,
    `line`), or in a registry module's resource of that type (`path` the module's source, `line` 0); `through`:
    the module calls that pass the value down."""

    resource: str  # an address (`aws_db_instance.this`), or a registry module's resource type
    attr: str
    path: str
    line: int
    through: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """Its address as terraform plans it (`module.db.aws_db_instance.this`); a registry module's by type."""
        calls = ".".join(self.through)
        if not self.line:
            return f"the {self.resource} of {calls}"
        return f"{calls}.{self.resource}" if calls else self.resource

    def under(self, address: str) -> Reach:
        return replace(self, through=(address, *self.through))


# Registry modules whose inputs reach an attribute that forces replacement (their code is not in the repository):
# source -> (the resource type, the inputs), from the modules' own variables as they pass them on.
REGISTRY_MODULES: dict[str, tuple[str, frozenset[str]]] = {
    source: (resource, frozenset(inputs.split()))
    for source, (resource, inputs) in {
        "terraform-aws-modules/rds/aws": ("aws_db_instance", "identifier engine db_name username availability_zone "
                                          "storage_encrypted kms_key_id character_set_name timezone"),
        "terraform-aws-modules/rds-aurora/aws": ("aws_rds_cluster", "name engine database_name master_username "
                                                 "storage_encrypted kms_key_id"),
        "terraform-aws-modules/s3-bucket/aws": ("aws_s3_bucket", "bucket bucket_prefix"),
        "terraform-aws-modules/dynamodb-table/aws": ("aws_dynamodb_table", "name hash_key range_key"),
        "terraform-aws-modules/eks/aws": ("aws_eks_cluster", "cluster_name name"),
    }.items()
}


def _reaching(reaches: Sequence[Reach]) -> str:
    first = reaches[0]
    more = f" (and {len(reaches) - 1} more)" if len(reaches) > 1 else ""
    where = f"{visible_path(first.path)}:{first.line}" if first.line else f"as {first.path} passes it on"
    return (f"terraform replaces {first.where}, destroying it (its data with it) and creating a new one: the value "
            f"reaches its {first.attr}, which forces replacement ({where}){more}")


def _module_reaches(block: Block, directory: str, module_blocks: ModuleBlocks | None,
                    depth: int) -> dict[str, list[Reach]]:
    """Argument name -> the replacing attributes it reaches inside a module call: a local module's, read at the
    head (MODULE_DEPTH levels down), or a registry module's in REGISTRY_MODULES."""
    source = (block.value("source") or "").strip().strip('"').removeprefix("registry.terraform.io/")
    if source in REGISTRY_MODULES:
        resource, inputs = REGISTRY_MODULES[source]
        return {name: [Reach(resource, name, source, 0)] for name in inputs}
    inner = local_source(block, directory)
    if inner is None or inner == directory or module_blocks is None or depth >= MODULE_DEPTH:
        return {}
    return forcing_variables(inner, module_blocks(inner), module_blocks, depth + 1)


def _variables_in(expression: str, local_values: dict[str, str], depth: int = 0) -> set[str]:
    """The variables an expression reads, through the module's locals (`identifier = local.identifier`)."""
    names = set(_VARIABLE.findall(expression))
    if depth < 5:
        for name in _LOCAL.findall(expression):
            if name in local_values:
                names |= _variables_in(local_values[name], local_values, depth + 1)
    return names


def local_source(block: Block, directory: str) -> str | None:
    """The directory of a module call's local source (`source = "./modules/db"`), None for any other source
    (a registry or git module: its code is not in this repository) or one outside the repository."""
    source = (block.value("source") or "").strip().strip('"')
    if not source.startswith(("./", "../")):
        return None
    resolved = posixpath.normpath(posixpath.join(directory, source))
    return None if resolved.startswith("..") else ("" if resolved == "." else resolved)


def forcing_variables(directory: str, blocks: Sequence[Block], module_blocks: ModuleBlocks | None,
                      depth: int = 0) -> dict[str, list[Reach]]:
    """Variable name -> the attributes forcing replacement its value reaches in the module at `directory`: read by
    a resource's attribute in FORCES_REPLACEMENT (not ignored by its lifecycle), or passed as an argument of a
    local module call that reaches one (MODULE_DEPTH levels down)."""
    local_values = {name: attr.text for block in blocks if block.kind == "locals" for name, attr in block.attrs.items()}
    found: dict[str, list[Reach]] = {}
    for block in blocks:
        if block.kind == "resource" and block.address:
            for attr in sorted(_forcing(block, block.labels[0])):
                written = block.attr_at(attr)
                if written is not None:
                    for name in sorted(_variables_in(written.text, local_values)):
                        found.setdefault(name, []).append(Reach(block.address, attr, block.path, written.line))
        elif block.kind == "module" and block.address:
            for argument, reaches in _module_reaches(block, directory, module_blocks, depth).items():
                if argument in block.attrs:
                    for name in sorted(_variables_in(block.attrs[argument].text, local_values)):
                        found.setdefault(name, []).extend(r.under(block.address) for r in reaches)
    return found


def _changed_value(was: str | None, now: str | None) -> bool:
    """Whether an argument, a .tfvars value or a default went from one plain value to another: unset or null
    on either side is left out (null -> "ipv4" most often writes down the provider's own default)."""
    if was is None or now is None or "null" in (was.strip(), now.strip()):
        return False
    return was != now and _plain(was) and _plain(now)


_QUOTED = re.compile(r'"(?:[^"\\$]|\\.|\$(?!\{))*"')


def _plain(text: str) -> bool:
    """Whether an expression is a constant: strings without interpolation, numbers, bools, and lists or maps of
    them. `time_sleep.this[0].triggers["name"]` is not (_literal passes a resource's attribute as a value)."""
    rest = _QUOTED.sub('""', text)
    rest = re.sub(r"\b[A-Za-z_][\w-]*\s*(?==(?!=))", "", rest)  # a map's keys
    rest = re.sub(r"\b(?:true|false)\b", "", rest)
    return re.fullmatch(r'[\s\[\]{}(),:=0-9.eE+\-"]*', rest) is not None


def _module_arguments(old: Block, new: Block, directory: str, address: str, lines: dict[str, Lines],
                      module_blocks: ModuleBlocks | None) -> Iterator[Finding]:
    """A module call's arguments whose new value reaches an attribute that forces replacement inside it."""
    for argument, reaches in sorted(_module_reaches(new, directory, module_blocks, 0).items()):
        was, now = old.value(argument), new.value(argument)
        if not _changed_value(was, now):
            continue
        yield _finding("terraform-replace", new, new.attrs[argument].line, address,
                       f"{argument} {was} -> {now}: {_reaching([r.under(address) for r in reaches])}", lines)


def compare(base: Config, head: Config, lines: dict[str, Lines],
            old_lines: dict[str, Lines] | None = None, module_blocks: ModuleBlocks | None = None) -> list[Finding]:
    """What applying the head configuration instead of the base one destroys. `lines`: each file's new text
    (the findings on the new side quote it); `old_lines`: its old text, quoted by a removed block's finding
    (it quoted the new file's line of the same number: `resource "aws_s3_bucket" "b"` for a removed database);
    `module_blocks`: a directory's blocks at the head (a local module's, what a variable's value reaches)."""
    findings: list[Finding] = []
    old_blocks, new_blocks = base.by_address(), head.by_address()
    moves, removed = head.moves(), head.removed()
    gone = _roots_gone(base, head, module_blocks) if module_blocks is not None else {}
    for key, old in old_blocks.items():
        address = key[1]
        new = new_blocks.get(key)
        if new is None:
            if key in moves:
                continue
            if key[0] in gone:
                gone[key[0]][1].append(old)
                continue
            forget = removed.get(key)
            life = forget.nested("lifecycle") if forget else None
            if forget is not None and life is not None and (life.value("destroy") or "").strip() == "false":
                continue  # `removed { lifecycle { destroy = false } }`: terraform forgets it, keeps it
            what = "every resource in it" if old.kind == "module" else "it"
            twin = _renamed_to(old, key[0], old_blocks, new_blocks)
            reason = (f"renamed to {twin} without a `moved` block: terraform destroys {what} and creates "
                      "another" if twin else f"removed from the configuration: terraform destroys {what}")
            findings.append(
                _finding(
                    "terraform-resource-deleted" if old.kind == "resource" else "terraform-module-deleted",
                    old,
                    old.line,
                    address,
                    reason,
                    old_lines if old_lines is not None else lines,
                    SIDE_OLD,
                    destroys=True,
                )
            )
            continue
        findings.extend(_instances(old, new, address, lines, moves))
        findings.extend(_protections(old, new, address, lines))
        if old.kind == "resource":
            findings.extend(_replacements(old, new, address, lines))
        elif old.kind == "module":
            findings.extend(_module_arguments(old, new, key[0], address, lines, module_blocks))
    findings.extend(_variable_defaults(base, head, lines, module_blocks))
    findings.extend(_root_removed(backend, blocks, old_lines if old_lines is not None else lines)
                    for backend, blocks in gone.values() if blocks)
    return findings


def _roots_gone(base: Config, head: Config, module_blocks: ModuleBlocks) -> dict[str, tuple[Block, list[Block]]]:
    """Directory -> (its backend block, []) of each root module the change deletes whole: a `terraform { backend }`
    or `cloud` block at the base, no .tf file at the head. No plan of the change destroys what it held."""
    found: dict[str, tuple[Block, list[Block]]] = {}
    kept = {posixpath.dirname(block.path) for block in head.blocks}
    for block in base.blocks:
        directory = posixpath.dirname(block.path)
        if (block.kind == "terraform" and directory not in found and directory not in kept
                and any(inner.kind in ("backend", "cloud") for inner in block.blocks)
                and not module_blocks(directory)):
            found[directory] = (block, [])
    return found


def _root_removed(settings: Block, blocks: list[Block], lines: dict[str, Lines]) -> Finding:
    """One finding for a root module deleted whole: terraform destroys none of its resources (no configuration is
    left to plan them from), so they were destroyed beforehand or keep running, unmanaged."""
    directory = posixpath.dirname(settings.path) or "."
    backend = next(inner for inner in settings.blocks if inner.kind in ("backend", "cloud"))
    state = f'backend "{backend.labels[0]}"' if backend.kind == "backend" and backend.labels else backend.kind
    resources = sum(1 for block in blocks if block.kind == "resource")
    held = ", ".join(part for part in (plural(resources, "resource") if resources else "",
                                       plural(len(blocks) - resources, "module call") if len(blocks) > resources
                                       else "") if part)
    names = ", ".join(block.address or "" for block in blocks[:3]) + (", ..." if len(blocks) > 3 else "")
    return _finding(
        "terraform-root-module-deleted", settings, settings.line, f"{directory}/",
        f"root module deleted whole ({state}): no apply of this code destroys its {held}; unless `terraform destroy` "
        f"ran first, they keep running, unmanaged: check which it is ({names})", lines, SIDE_OLD)


def _renamed_to(old: Block, directory: str, old_blocks: dict[tuple[str, str], Block],
                new_blocks: dict[tuple[str, str], Block]) -> str | None:
    """The address a removed block lives on under (a new block of its type, in its directory, with the same
    attributes and nested blocks): `aws_eks_cluster.this -> .main` read as a plain removal."""
    def body(block: Block) -> tuple[object, ...]:
        return (block.kind, block.labels[:-1], {k: a.text for k, a in block.attrs.items()},
                [body(b) for b in block.blocks])

    wanted = body(old)
    for (where, address), new in new_blocks.items():
        if where == directory and (where, address) not in old_blocks and body(new) == wanted:
            return address
    return None


def _variable_defaults(base: Config, head: Config, lines: dict[str, Lines],
                       module_blocks: ModuleBlocks | None = None) -> Iterator[Finding]:
    """A module's variable named after a protection or a danger whose default moves the unsafe way: every
    caller that leaves it unset loses the protection (`deletion_protection` true -> false) or gains the
    danger (`skip_final_snapshot` false -> true), and nothing in the callers' own code changes. Likewise a
    variable whose default changes value where it reaches an attribute that forces replacement."""
    def variables(config: Config) -> dict[tuple[str, str], Block]:
        return {(posixpath.dirname(b.path), b.labels[0]): b for b in config.blocks
                if b.kind == "variable" and b.labels}

    old_vars = variables(base)
    for key, new in variables(head).items():
        old = old_vars.get(key)
        name = key[1]
        if old is None:
            continue
        was, now = old.value("default"), new.value("default")
        if name not in _PROTECTIONS and not _DANGERS.get(name):
            if module_blocks is not None and _changed_value(was, now):
                reaches = forcing_variables(key[0], module_blocks(key[0]), module_blocks).get(name)
                if reaches:
                    yield _finding("terraform-variable-default", new, new.attrs["default"].line, f"var.{name}",
                                   f"variable {name} default {was} -> {now}: for every caller that leaves it unset, "
                                   f"{_reaching(reaches)}", lines)
            continue
        unsafe = (truthy(was) and not truthy(now)) if name in _PROTECTIONS else (truthy(now) and not truthy(was))
        if not unsafe:
            continue
        line = new.attrs["default"].line if "default" in new.attrs else new.line
        effect = ("loses the protection" if name in _PROTECTIONS else f"gets it: {_DANGERS[name]}")
        yield _finding("terraform-variable-default", new, line, f"var.{name}",
                       f"variable {name} default {was if was is not None else '(none)'} -> "
                       f"{now if now is not None else '(none)'}: every caller that leaves it unset {effect}", lines)


def gates(blocks: Sequence[Block]) -> dict[str, list[tuple[str, str]]]:
    """Variable name -> (address, `count`/`for_each` expression) of the resources and modules whose number
    of instances reads `var.<name>`, directly or through the directory's locals (`count = local.create ? 1 : 0`):
    what a .tfvars value turns on and off."""
    local_values = {name: attr.text for block in blocks if block.kind == "locals" for name, attr in block.attrs.items()}
    found: dict[str, list[tuple[str, str]]] = {}
    for block in blocks:
        for attr in ("count", "for_each"):
            expression = block.value(attr)
            if expression and block.address:
                for name in sorted(_variables_in(expression, local_values)):
                    found.setdefault(name, []).append((block.address, f"{attr} = {expression}"))
    return found


def compare_tfvars(path: str, base: dict[str, Attr], head: dict[str, Attr], lines: Lines,
                   uses: dict[str, list[tuple[str, str]]] | None = None,
                   forcing: dict[str, list[Reach]] | None = None) -> list[Finding]:
    """Values a .tfvars change turns to 0 or false where that destroys: judged by what reads them (`uses`,
    from gates() over the directory's .tf files) when that is known, else by the variable's name; and values
    changed where they reach an attribute that forces replacement (`forcing`, from forcing_variables())."""
    findings = []
    for name, attr in head.items():
        was = base.get(name)
        if was is None or was.text == attr.text:
            continue
        if forcing and forcing.get(name) and _changed_value(was.text, attr.text):
            findings.append(Finding("terraform-replace", path, attr.line, f"variable {name}",
                                    f"{name} {was.text} -> {attr.text}: {_reaching(forcing[name])}",
                                    lines.text_of(attr.line), detector="hcl", key=f"tfvars-replace:{name}:{attr.text}"))
            continue
        off = ((_int(attr.text) == 0 and (_int(was.text) or 0) > 0)
               or (truthy(was.text) and attr.text.strip().lower() == "false"))
        if uses is not None:
            users = uses.get(name, [])
            if not off or not users:
                continue  # read by no count or for_each here (memorystore = false gated a redis instance)
            address, expression = users[0]
            more = f" and {len(users) - 1} more are" if len(users) > 1 else " is"
            reason = f"{name} {was.text} -> {attr.text}: {address} ({expression}){more} destroyed"
        elif _COUNTISH.search(name) and _int(attr.text) == 0 and (_int(was.text) or 0) > 0:
            reason = f"{name} {was.text} -> 0: the resources it counts are destroyed"
        elif _FLAGISH.search(name) and truthy(was.text) and attr.text.strip().lower() == "false":
            # judged by the name alone (the configuration that reads it is not at hand here): said so, not
            # quoted as if `count = var.x ? 1 : 0` had been read
            reason = (f"{name} true -> false: by its name a switch; whatever it gates (a count or for_each "
                      f"reading var.{name}) is destroyed")
        else:
            continue
        findings.append(
            Finding(
                "terraform-count-zero",
                path,
                attr.line,
                f"variable {name}",
                reason,
                lines.text_of(attr.line),
                detector="hcl",
                key=f"tfvars:{name}:{attr.text}",
            )
        )
    return findings


def blocks_of(attrs_blocks: tuple[dict[str, Attr], list[Block]]) -> list[Block]:
    return attrs_blocks[1]


def config_of(files: Sequence[tuple[str, list[Block]]]) -> Config:
    return Config([block for _, blocks in files for block in blocks])
