"""Packing a file tree into chunk drafts: nodes (leaves of changed lines, groups a reader wants
together) and the greedy packer that fills drafts of at most `target_lines` changed lines.

A node that fits is never cut; a group too large is opened and its children placed one by one;
one indivisible unit (a function, a collapsed file) larger than the target gets a draft of its
own, flagged oversized; a definition-free run larger than the target is cut at line boundaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.core.text import visible_path

FUNCTION_UNIT = "function"  # an indivisible unit
CODE_RUN = "code"  # divisible code: module level, class level, or a file without definitions
WHOLE_FILE = "file"  # a whole collapsed file: indivisible



@dataclass(slots=True)
class Leaf:
    """Changed lines of one file that the packer places together (or splits, when divisible).

    The lines are held as ranges [hunk index, first, last] (line indices into the hunk,
    inclusive) in diff order, each covering changed lines only: a hunk's lines are handled a run
    at a time rather than one by one.
    """

    file_index: int
    label: str  # function qualname, class name for class-level code, "" for module-level code
    kind: str  # FUNCTION_UNIT | CODE_RUN | WHOLE_FILE
    ranges: list[list[int]]
    split_note: str | None = None
    size: int = 0  # changed lines in `ranges`

    def add(self, hunk_index: int, first: int, last: int) -> None:
        """Own lines first..last of a hunk (all changed), after those already owned."""
        self.size += last - first + 1
        ranges = self.ranges
        if ranges:
            tail = ranges[-1]
            if tail[0] == hunk_index and tail[2] + 1 == first:
                tail[2] = last
                return
        ranges.append([hunk_index, first, last])

    def piece(self, start: int, stop: int, note: str) -> Leaf:
        """A leaf of this leaf's changed lines number start..stop-1 (counted in diff order)."""
        piece = Leaf(self.file_index, self.label, self.kind, [], note)
        seen = 0
        for hunk_index, first, last in self.ranges:
            count = last - first + 1
            low, high = max(start - seen, 0), min(stop - seen, count)
            if low < high:
                piece.add(hunk_index, first + low, first + high - 1)
            seen += count
            if seen >= stop:
                break
        return piece


@dataclass(slots=True)
class Group:
    """Nodes a reader wants together when they fit: a directory, a file, a class, a code run."""

    children: list[Leaf | Group]
    size: int = 0
    apart: bool = False  # when its parent is opened, it starts a draft of its own (a file's in-file tests)

    @classmethod
    def of(cls, children: list[Leaf | Group]) -> Group:
        return cls(children, sum(c.size for c in children))


@dataclass(slots=True)
class Draft:
    kind: str
    leaves: list[Leaf] = field(default_factory=list)
    size: int = 0
    oversized: bool = False
    oversize_reason: str | None = None
    light_files: list[int] = field(default_factory=list)  # file indices of binary/rename drafts
    environment: str | None = None  # a committed virtual environment's root: one collapsed chunk for all of it
    rule: str | None = None  # the .gitattributes pattern whose files a collapsed draft holds
    bytecode: bool = False  # compiled Python files (`__pycache__/`, .pyc): one binary chunk, one look, for all
    same_edit: bool = False  # the same small edit in several directories (_join_same_edits): kept as it is
    packed: str | None = None  # small edits of one area packed together (_pack_small_edits): that area
    deletion: bool = False  # files deleted whole, packed up to one sitting at the removal rate (_code_drafts)
    mirror: str | None = None  # a mirror directory's root: its copies of another directory's edits (mirrors.py)
    role: str | None = None  # a dependency bump's manifests, lock files or one vendored dependency (planner/bump.py)


class Packer:
    """Greedy packing of a node tree into drafts of at most `target` lines (see the module doc)."""

    def __init__(self, target: int, kind: str, paths: list[str]) -> None:
        self.target = target
        self.kind = kind
        self.paths = paths
        self.drafts: list[Draft] = []
        self.current: Draft | None = None

    def room(self) -> int:
        return self.target - (self.current.size if self.current else 0)

    def close(self) -> None:
        if self.current is not None and self.current.leaves:
            self.drafts.append(self.current)
        self.current = None

    def add(self, node: Leaf | Group) -> None:
        if self.current is None:
            self.current = Draft(self.kind)
        leaves = leaves_under(node)
        self.current.leaves += leaves
        self.current.size += sum(leaf.size for leaf in leaves)

    def place(self, node: Leaf | Group) -> None:
        if node.size == 0:
            return
        if isinstance(node, Group) and node.apart:
            self.close()
        if node.size <= self.room():
            self.add(node)
            return
        if node.size <= self.target:  # fits whole in a fresh chunk: never cut it
            self.close()
            self.add(node)
            return
        if isinstance(node, Group):
            for child in node.children:
                self.place(child)
            return
        self.close()
        if node.kind != CODE_RUN:  # one function or one collapsed file: indivisible, alone
            # a function is flagged oversized; a collapsed file is not: its floor is a fixed skim, not its lines
            oversized = node.kind == FUNCTION_UNIT
            reason = f"{node.label} alone has {node.size} changed lines (target {self.target})" if oversized else None
            self.current = Draft(self.kind, [node], node.size, oversized, reason)
            self.close()
            return
        # Divisible code larger than the target (a giant hunk): cut at line boundaries into
        # near-equal pieces; the last stays open for what follows.
        pieces = math.ceil(node.size / self.target)
        step = math.ceil(node.size / pieces)
        note = (f"{visible_path(self.paths[node.file_index])}: a run of {node.size} changed lines without definitions "
                f"cut at line boundaries into {pieces} chunks")
        for start in range(0, node.size, step):
            self.add(node.piece(start, start + step, note))
            if start + step < node.size:
                self.close()


def leaves_under(node: Leaf | Group) -> list[Leaf]:
    """The leaves under a node, in order."""
    if isinstance(node, Leaf):
        return [node]
    out: list[Leaf] = []
    stack: list[Leaf | Group] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Leaf):
            out.append(item)
        else:
            stack += reversed(item.children)
    return out


def sized(group: Group) -> Group:
    """Compute sizes bottom-up (groups were filled after creation)."""
    total = 0
    for child in group.children:
        if isinstance(child, Group):
            sized(child)
        total += child.size
    group.size = total
    return group
