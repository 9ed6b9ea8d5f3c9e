"""YAML documents as plain nodes that remember their line, read with PyYAML's safe composer.

Composing (not constructing) keeps every scalar as the text written (`on:` stays the key "on", not
True) and gives each node its line. Anchors and aliases are expanded, `<<` merge keys applied; the
expansion is bounded (MAX_NODES) so that a billion-laughs document is a parse failure, not a hang.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from app.core.impact.destructive.model import MAX_YAML_BYTES, ParseFailure, Work

MAX_NODES = 200_000


@dataclass
class Node:
    """A mapping (`items`), a sequence (`children`) or a scalar (`value`), at 1-based `line`."""

    line: int
    value: str | None = None
    items: dict[str, Node] | None = None
    children: list[Node] | None = None
    key_lines: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> Node | None:
        return None if self.items is None else self.items.get(key)

    def text(self, key: str, default: str = "") -> str:
        node = self.get(key)
        return default if node is None or node.value is None else node.value

    def scalars(self) -> Iterator[Node]:
        """Every scalar under this node, depth first (bounded by MAX_NODES at load time)."""
        stack = [self]
        while stack:
            node = stack.pop()
            if node.value is not None:
                yield node
            stack.extend(reversed(list((node.items or {}).values()) + (node.children or [])))

    def strings(self) -> list[str]:
        """A scalar or a list of scalars, as a list of strings (`script: x` and `script: [x, y]`)."""
        if self.value is not None:
            return [self.value]
        return [child.value for child in self.children or [] if child.value is not None]


def load_documents(text: str, work: Work) -> list[Node]:
    """Every document of a YAML stream, or ParseFailure (syntax, size, alias expansion)."""
    import yaml

    if len(text) > MAX_YAML_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_YAML_BYTES:,} parse bound")
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = list(yaml.compose_all(text, Loader=loader_class))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ParseFailure(
            f"YAML does not parse{where}: {getattr(exc, 'problem', None) or exc.__class__.__name__}"
        ) from None
    budget = [MAX_NODES]
    return [_convert(doc, work, budget, 0) for doc in raw if doc is not None]


def _convert(node: object, work: Work, budget: list[int], depth: int) -> Node:
    import yaml

    budget[0] -= 1
    work.add()
    if budget[0] < 0:
        raise ParseFailure(f"YAML expands to more than {MAX_NODES:,} nodes (anchors and aliases)")
    if depth > 200:
        raise ParseFailure("YAML nests more than 200 levels")
    line = node.start_mark.line + 1  # type: ignore[attr-defined]
    if isinstance(node, yaml.ScalarNode):
        return Node(line, value=str(node.value))
    if isinstance(node, yaml.SequenceNode):
        return Node(line, children=[_convert(child, work, budget, depth + 1) for child in node.value])
    items: dict[str, Node] = {}
    key_lines: dict[str, int] = {}
    merges: list[Node] = []
    for key_node, value_node in node.value:  # type: ignore[attr-defined]
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else f"<{key_node.tag}>"
        value = _convert(value_node, work, budget, depth + 1)
        if key == "<<":
            merges.extend(value.children if value.children is not None else [value])
            continue
        items[key] = value
        key_lines[key] = key_node.start_mark.line + 1
    for merged in merges:  # explicit keys win over merged ones, earlier merges over later ones
        for key, value in (merged.items or {}).items():
            if key not in items:
                items[key] = value
                key_lines[key] = merged.key_lines.get(key, value.line)
    return Node(line, items=items, key_lines=key_lines)
