"""Edits of a .tf file that no apply turns into a destroyed or exposed resource (QA43 15k, QA55 F9).

A Terraform module's every pull request was Tier 0 ("an apply can destroy or expose production resources"), needing
two approvals and a senior, though many change nothing an apply does to the infrastructure. `neutral_edit` compares
the two parsed versions of a file and says what changed when all of it is one of:
- `DOCS`: comments, layout, the descriptions of variables and outputs (no `terraform plan` sees them);
- `OUTPUTS`: outputs added or edited; not one removed (a caller reading it fails) nor one that stops being
  `sensitive` (its value would show in every plan and log);
- `VALIDATIONS`: variables' `validation` blocks (a plan may refuse a caller's value; it destroys nothing);
- `VERSIONS`: the `terraform` block's `required_version`, and `required_providers` constraints that allow the same
  major versions of the same providers (`>= 5.34` -> `>= 5.95`). A constraint that lets in or shuts out a major
  version (`>= 4.57, < 6.0` -> `>= 4.57`, terraform-aws-eks pr/3646) can change plans: not neutral.
Anything else (a resource, a variable's default or type, a provider's source, a backend, a constraint not read)
is not; nor is a file that does not parse.
"""

from __future__ import annotations

import math
import re

from app.core.impact.destructive.model import ParseFailure, Work
from app.core.impact.destructive.terraform import Attr, Block, parse_hcl, truthy

DOCS, OUTPUTS, VALIDATIONS, VERSIONS = "docs", "outputs", "validations", "versions"
KINDS = (DOCS, OUTPUTS, VALIDATIONS, VERSIONS)

_VERSION = re.compile(r'\bversion\s*=\s*"([^"]*)"')
_SOURCE = re.compile(r'\bsource\s*=\s*"([^"]*)"')
_CONSTRAINT = re.compile(r"^\s*(>=|<=|~>|!=|>|<|=)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+][0-9A-Za-z.-]*)?\s*$")


def neutral_edit(old: str, new: str, path: str) -> frozenset[str] | None:
    """What changed between two versions of a .tf file, when nothing of it is something an apply destroys or exposes
    (`DOCS` alone for comments and layout); None otherwise, or when either version does not parse."""
    try:
        before, after = parse_hcl(old, path, Work()), parse_hcl(new, path, Work())
    except ParseFailure:
        return None
    if not _outputs_kept(before[1], after[1]):
        return None
    every = frozenset(KINDS)
    if _shape(*before, every) != _shape(*after, every):
        return None
    changed = frozenset(kind for kind in KINDS if _shape(*before, every - {kind}) != _shape(*after, every - {kind}))
    return changed or frozenset({DOCS})


def _outputs_kept(old: list[Block], new: list[Block]) -> bool:
    """Whether every output of the old version is still there, and still sensitive where it was."""
    outputs = {tuple(b.labels): b for b in new if b.kind == "output"}
    for block in old:
        if block.kind != "output":
            continue
        kept = outputs.get(tuple(block.labels))
        if kept is None or (truthy(block.value("sensitive")) and not truthy(kept.value("sensitive"))):
            return False
    return True


def _shape(attrs: dict[str, Attr], blocks: list[Block], ignored: frozenset[str]) -> object:
    """A file's top-level attributes and blocks with what `ignored` names left out."""
    return (sorted((name, attr.text) for name, attr in attrs.items()),
            [_block_shape(b, ignored) for b in blocks if not (b.kind == "output" and OUTPUTS in ignored)])


def _block_shape(block: Block, ignored: frozenset[str]) -> object:
    skipped: set[str] = set()
    if block.kind in ("variable", "output") and DOCS in ignored:
        skipped.add("description")
    if block.kind == "variable" and VALIDATIONS in ignored:
        skipped.add("validation")
    versions = block.kind == "terraform" and VERSIONS in ignored
    if versions:
        skipped.add("required_version")
    attrs = sorted((name, attr.text) for name, attr in block.attrs.items() if name not in skipped)
    nested = [_providers(b) if versions and b.kind == "required_providers" else _nested_shape(b)
              for b in block.blocks if b.kind not in skipped]
    return block.kind, block.labels, attrs, nested


def _nested_shape(block: Block) -> object:
    return (block.kind, block.labels, sorted((name, attr.text) for name, attr in block.attrs.items()),
            [_nested_shape(b) for b in block.blocks])


def _providers(block: Block) -> object:
    """`required_providers` with each constraint read as the major versions it allows: the same window is the same
    providers, whatever minor version the lower bound names."""
    return block.kind, sorted((name, _provider(attr.text)) for name, attr in block.attrs.items())


def _provider(text: str) -> object:
    found = _VERSION.search(text)
    constraint = found.group(1) if found else (text.strip('"') if text.startswith('"') else None)
    window = majors(constraint) if constraint is not None else None
    if window is None:
        return text  # a constraint not read: any change to it counts
    rest = _VERSION.sub("", text) if found else ""
    source = _SOURCE.search(rest)
    return (source.group(1) if source else None), _SOURCE.sub("", rest), window


def majors(constraint: str) -> tuple[int, float] | None:
    """The lowest and highest major version a Terraform version constraint allows (`inf` with no upper bound);
    None when a part is not read. `~> 5.0` allows 5 only, `~> 5` any from 5, `< 6.0` up to 5, `< 5.5` up to 5."""
    low, high = 0, math.inf
    for part in constraint.split(","):
        found = _CONSTRAINT.match(part)
        if found is None:
            return None
        op, major = found.group(1) or "=", int(found.group(2))
        below = bool(int(found.group(3) or 0) or int(found.group(4) or 0))  # X.Y.Z above X.0.0
        if op in (">=", ">", "~>", "="):
            low = max(low, major)
        if op == "=" or op == "<=" or (op == "~>" and found.group(3) is not None):
            high = min(high, major)
        elif op == "<":
            high = min(high, major if below else major - 1)
    return low, high
