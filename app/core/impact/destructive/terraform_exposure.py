"""Terraform that exposes: what the head configuration opens to the internet or to anyone, and the base did not.

An apply can expose production as surely as it can destroy it; these findings sit with the destructive ones
(they raise the change to Tier 0 and are named in its why panel). Only plain values written in the
configuration are judged (an expression's value is not known here), and only where the meaning is not in doubt:
- ingress from anywhere (0.0.0.0/0, ::/0): AWS security group rules and groups, GCP firewalls, Azure
  network security rules (egress to anywhere is every security group's default, and is not reported);
- IAM policy documents: a statement that allows any principal ("*") without a condition, or every action;
- switches that make a resource public: `publicly_accessible = true`, an S3 public access block's flags turned
  off, a public-read ACL, and a module variable named for public access whose default turns it on.
A finding is new when the base has no finding of the same kind, place and value (`Finding.key`): a change that
only moves or reformats an open rule exposes nothing new.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence

from app.core.impact.destructive.model import Finding, Lines
from app.core.impact.destructive.terraform import Block, Config, falsy, truthy

_WORLD = re.compile(r'"(0\.0\.0\.0/0|::/0)"')
_EVERYTHING = re.compile(r'(?:^|[\[,]\s*)"\*"\s*(?=[\],]|$)')
_PUBLIC_ACLS = {'"public-read"', '"public-read-write"', '"publicRead"', '"publicReadWrite"', '"allUsers"'}
_S3_BLOCKS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
_PUBLIC_VARIABLE = re.compile(r"(?:^|_)(?:public_access|publicly_accessible|endpoint_public_access)$")
_AZURE_ANYWHERE = {'"*"', '"0.0.0.0/0"', '"Internet"', '"internet"', '"Any"'}


def new_exposures(base: Config, head: Config, lines: dict[str, Lines]) -> list[Finding]:
    """The exposures of the head configuration the base does not have (by kind, place and value). A variable's
    default counts only where the base had the variable: a new one wires an attribute whose provider default
    applied before (terraform-aws-eks #314 added `cluster_endpoint_public_access = true`, as EKS had it)."""
    before = {finding.key for finding in _exposures(base.blocks, lines)}
    variables = {(posixpath.dirname(b.path), _address(b)) for b in base.blocks if b.kind == "variable"}
    return [finding for finding in _exposures(head.blocks, lines) if finding.key not in before
            and (not finding.target.startswith("var.")
                 or (posixpath.dirname(finding.path), finding.target) in variables)]


def _exposures(blocks: Sequence[Block], lines: dict[str, Lines]) -> Iterator[Finding]:
    for block in blocks:
        address = _address(block)
        if address is None:
            continue
        kind = block.labels[0] if block.labels else ""
        yield from _open_ingress(block, kind, address, lines)
        if block.kind == "data" and kind == "aws_iam_policy_document":
            yield from _open_statements(block, address, lines)
        yield from _public_switches(block, kind, address, lines)


def _address(block: Block) -> str | None:
    if block.kind == "data" and len(block.labels) == 2:
        return f"data.{block.labels[0]}.{block.labels[1]}"
    if block.kind == "variable" and block.labels:
        return f"var.{block.labels[0]}"
    return block.address


def _found(kind: str, block: Block, line: int, target: str, reason: str, detail: str,
           lines: dict[str, Lines]) -> Finding:
    source = lines.get(block.path)
    return Finding(kind, block.path, line, target, reason, source.text_of(line) if source else "", "new", "hcl",
                   f"{kind}:{posixpath.dirname(block.path)}:{target}:{detail}")


def _ports(block: Block) -> str:
    low, high = block.value("from_port"), block.value("to_port")
    if low is None or not low.isdigit():
        return ""
    if high in (None, low):
        return f" on port {low}"
    return " on every port" if (low, high) in (("0", "65535"), ("0", "0")) else f" on ports {low}-{high}"


def _open_ingress(block: Block, kind: str, address: str, lines: dict[str, Lines]) -> Iterator[Finding]:
    rules: list[tuple[Block, tuple[str, ...]]] = []
    if kind == "aws_security_group_rule" and (block.value("type") or "").strip('"') == "ingress":
        rules.append((block, ("cidr_blocks", "ipv6_cidr_blocks")))
    elif kind == "aws_vpc_security_group_ingress_rule":
        rules.append((block, ("cidr_ipv4", "cidr_ipv6")))
    elif kind == "aws_security_group":
        rules += [(nested, ("cidr_blocks", "ipv6_cidr_blocks")) for nested in block.blocks if nested.kind == "ingress"]
    elif kind == "google_compute_firewall" and (block.value("direction") or "").strip('"').upper() != "EGRESS":
        rules.append((block, ("source_ranges",)))
    for rule, names in rules:
        for name in names:
            world = _WORLD.search(rule.value(name) or "")
            if world:
                yield _found("terraform-open-ingress", block, rule.attrs[name].line, address,
                             f"ingress from anywhere ({world.group(1)}){_ports(rule)}: reachable from the internet",
                             f"{name}:{world.group(1)}:{_ports(rule)}", lines)
    azure = [block] if kind == "azurerm_network_security_rule" else (
        [nested for nested in block.blocks if nested.kind == "security_rule"]
        if kind == "azurerm_network_security_group" else [])
    for rule in azure:
        source = rule.value("source_address_prefix")
        if (source in _AZURE_ANYWHERE and (rule.value("direction") or "").strip('"') == "Inbound"
                and (rule.value("access") or "").strip('"') == "Allow"):
            ports = (rule.value("destination_port_range") or "").strip('"')
            yield _found("terraform-open-ingress", block, rule.attrs["source_address_prefix"].line, address,
                         f"inbound from anywhere ({source.strip(chr(34))})"
                         f"{f' on port {ports}' if ports and ports != '*' else ''}: reachable from the internet",
                         f"{source}:{ports}", lines)


def _open_statements(block: Block, address: str, lines: dict[str, Lines]) -> Iterator[Finding]:
    for number, statement in enumerate(b for b in block.blocks if b.kind == "statement"):
        if (statement.value("effect") or '"Allow"').strip('"') != "Allow":
            continue
        name = (statement.value("sid") or "").strip('"') or f"statement {number + 1}"
        anyone = [p for p in statement.blocks if p.kind == "principals"
                  and _EVERYTHING.search((p.value("identifiers") or "").strip())]
        if anyone and statement.nested("condition") is None:
            yield _found("terraform-iam-open", block, anyone[0].attrs["identifiers"].line, address,
                         f"{name} allows any principal (\"*\") with no condition: anyone, in any AWS account",
                         f"{name}:principal", lines)
        actions = statement.value("actions") or ""
        if _EVERYTHING.search(actions.strip()):
            yield _found("terraform-iam-open", block, statement.attrs["actions"].line, address,
                         f"{name} allows every action (\"*\") of every service", f"{name}:actions", lines)


def _public_switches(block: Block, kind: str, address: str, lines: dict[str, Lines]) -> Iterator[Finding]:
    if truthy(block.value("publicly_accessible")):
        yield _found("terraform-public", block, block.attrs["publicly_accessible"].line, address,
                     "publicly_accessible = true: it gets an address reachable from the internet",
                     "publicly_accessible", lines)
    for name in ("acl", "predefined_acl", "entity"):
        if block.value(name) in _PUBLIC_ACLS:
            yield _found("terraform-public", block, block.attrs[name].line, address,
                         f"{name} = {block.value(name)}: anyone can read it", f"{name}:{block.value(name)}", lines)
    if kind in ("aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"):
        for name in _S3_BLOCKS:
            if falsy(block.value(name)):
                yield _found("terraform-public", block, block.attrs[name].line, address,
                             f"{name} = false: S3 no longer blocks public access this way", name, lines)
    public_by_default = block.kind == "variable" and _PUBLIC_VARIABLE.search(block.labels[0] if block.labels else "")
    if public_by_default and truthy(block.value("default")):
        yield _found("terraform-public", block, block.attrs["default"].line, address,
                     f"variable {block.labels[0]} defaults to true: every caller that leaves it unset is public",
                     "default", lines)
