"""HCL (Terraform) read with python-hcl2's lark parser: once per file version in a process.

The destructive-operation detector (core/impact/destructive/terraform.py) and the review plan's definition
spans (core/metrics/spans.py) read the same `.tf` files; lark parses about 100-200 KB/s, and a cold `list`
of a Terraform repository spent most of its time parsing the same blobs again. Repository text is
untrusted: callers bound its size (MAX_HCL_BYTES) and catch what the parser raises.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

MAX_HCL_BYTES = 96_000  # python-hcl2 (lark) parses about 100-200 KB/s
HCL_SUFFIXES = (".tf", ".hcl")
_TREES_KEPT = 16  # lark trees are large: kept only while their file is read by both callers
_ANSWERS_KEPT = 4_096  # what callers make of a tree is small: a repository's .tf versions across all changes
_TREES: OrderedDict[bytes, Any] = OrderedDict()
_ANSWERS: OrderedDict[tuple[str, bytes], Any] = OrderedDict()
_LOCK = threading.Lock()


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).digest()


def _bounded_put(cache: OrderedDict[Any, Any], key: Any, value: Any, kept: int) -> None:
    with _LOCK:
        cache[key] = value
        while len(cache) > kept:
            cache.popitem(last=False)


def remembered(kind: str, text: str, compute: Any) -> Any:
    """`compute()`'s answer for this content, kept per process (`kind` names what is computed): a root
    module's base files were parsed again for each of the 22 branches that touch it."""
    key = (kind, digest(text))
    with _LOCK:
        if key in _ANSWERS:
            _ANSWERS.move_to_end(key)
            return _ANSWERS[key]
    answer = compute()
    _bounded_put(_ANSWERS, key, answer, _ANSWERS_KEPT)
    return answer


def parse_tree(text: str) -> Any:
    """python-hcl2's parse tree of `text` (raises what the parser raises), cached by content."""
    import hcl2

    source = text if text.endswith("\n") else text + "\n"
    key = digest(source)
    with _LOCK:
        tree = _TREES.get(key)
        if tree is not None:
            _TREES.move_to_end(key)
            return tree
    tree = hcl2.parses_to_tree(source)
    _bounded_put(_TREES, key, tree, _TREES_KEPT)
    # the plan's spans of this version, read now from the tree at hand: the destructive detector parses a
    # file first, and the tree is gone from the small cache by the time the plan asks (8 s, not 4.7 s, on eks)
    _bounded_put(_ANSWERS, ("blocks", digest(text)), _blocks_of(tree, text), _ANSWERS_KEPT)
    return tree


def label(node: object, text: str) -> str:
    """A block's type or label, or an attribute's name, as written (quotes stripped)."""
    meta = getattr(node, "meta", None)
    raw = text[meta.start_pos : meta.end_pos] if meta is not None and not meta.empty else str(node)
    return raw.strip().strip('"')


def body_of(tree: Any) -> Any:
    return next((c for c in getattr(tree, "children", []) if getattr(c, "data", None) == "body"), None)


def top_level_blocks(text: str) -> list[tuple[str, list[str], int, int]]:
    """(type, labels, first line, last line) of each top-level block: `resource "aws_db_instance" "main"`
    is ("resource", ["aws_db_instance", "main"], 12, 40). Raises what the parser raises."""
    found: list[tuple[str, list[str], int, int]] = remembered("blocks", text, lambda: _top_level_blocks(text))
    return found


def _top_level_blocks(text: str) -> list[tuple[str, list[str], int, int]]:
    return _blocks_of(parse_tree(text), text)


def _blocks_of(tree: Any, text: str) -> list[tuple[str, list[str], int, int]]:
    body = body_of(tree)
    found: list[tuple[str, list[str], int, int]] = []
    for child in getattr(body, "children", []):
        if getattr(child, "data", None) != "block":
            continue
        parts = [label(c, text) for c in child.children if getattr(c, "data", None) in ("identifier", "string")]
        if parts:
            found.append((parts[0], parts[1:], child.meta.line, child.meta.end_line))
    return found


def block_name(kind: str, labels: list[str]) -> str:
    """How Terraform addresses a block: aws_db_instance.main, module.vpc, var.name, data.aws_ami.x."""
    prefix = {"resource": "", "module": "module.", "variable": "var.", "output": "output.", "data": "data.",
              "provider": "provider.", "check": "check."}.get(kind)
    if prefix is None or not labels:
        return kind if not labels else f"{kind}.{'.'.join(labels)}"
    return prefix + ".".join(labels)
