"""Packing a file tree into chunk drafts: nodes (leaves of changed lines, groups a reader wants
together) and the greedy packer that fills drafts of at most `target_lines` changed lines.

A node that fits is never cut; a group too large is opened and its children placed one by one;
one indivisible unit (a function, a collapsed file) larger than the target gets a draft of its
own, flagged oversized; a definition-free run larger than the target is cut at line boundaries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from app.core.text import visible_path

FUNCTION_UNIT = "function"  # an indivisible unit
CODE_RUN = "code"  # divisible code: module level, class level, or a file without definitions
WHOLE_FILE = "file"  # a whole collapsed file: indivisible
LOAD_EPSILON = 1e-9  # weighed loads are floats: 266 lines at 400/266 each are the target, not a hair over it



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
    translation: str | None = None  # one language's catalogues, not the source language's (planner/translations.py)


class Packer:
    """Greedy packing of a node tree into drafts of at most `target` lines (see the module doc).

    `weights` (file index -> weight over 1) holds the files whose lines take longer to read than the target's
    (code of a tier read slower: 1.5 for tier 0, ChunkConfig.lines_per_chunk): a draft holds at most `target` lines
    weighed so, the target's reading effort (266 lines of tier 0); a draft without such lines still fills up to the
    target. `timing` (a leaf -> the seconds its floor takes: its lines at their rate, the complexity its function
    adds) and `sitting` bound a draft's floor too, so a chunk of complex code is cut before it passes one sitting."""

    def __init__(self, target: int, kind: str, paths: list[str], weights: Mapping[int, float] | None = None,
                 timing: Callable[[Leaf], float] | None = None, sitting: float = 0.0) -> None:
        self.target = target
        self.kind = kind
        self.paths = paths
        self.weights = weights or {}
        self.timing = timing if sitting > 0 else None
        self.sitting = sitting
        self.drafts: list[Draft] = []
        self.current: Draft | None = None
        self.load = 0.0  # the open draft's lines, weighed
        self.spent = 0.0  # the open draft's floor seconds (timing)
        self._group_loads: dict[int, tuple[float, float]] = {}  # id(group) -> its lines weighed, its seconds

    def room(self) -> float:
        return self.target - self.load

    def close(self) -> None:
        if self.current is not None and self.current.leaves:
            self.drafts.append(self.current)
        self.current = None
        self.load = self.spent = 0.0

    def add(self, node: Leaf | Group) -> None:
        if self.current is None:
            self.current = Draft(self.kind)
        leaves = leaves_under(node)
        self.current.leaves += leaves
        self.current.size += sum(leaf.size for leaf in leaves)
        load, seconds = self.weighed(node)
        self.load += load
        self.spent += seconds

    def weighed(self, node: Leaf | Group) -> tuple[float, float]:
        """A node's lines, each at its file's weight (1 but for the files of `weights`), and its floor seconds."""
        if not self.weights and self.timing is None:
            return node.size, 0.0
        if isinstance(node, Leaf):
            return (node.size * self.weights.get(node.file_index, 1.0),
                    self.timing(node) if self.timing is not None else 0.0)
        found = self._group_loads.get(id(node))
        if found is None:
            parts = [self.weighed(child) for child in node.children]
            found = self._group_loads[id(node)] = (sum(p[0] for p in parts), sum(p[1] for p in parts))
        return found

    def _fits(self, load: float, seconds: float, fresh: bool) -> bool:
        used, spent = (0.0, 0.0) if fresh else (self.load, self.spent)
        return (used + load <= self.target + LOAD_EPSILON
                and (self.timing is None or spent + seconds <= self.sitting + LOAD_EPSILON))

    def place(self, node: Leaf | Group) -> None:
        if node.size == 0:
            return
        if isinstance(node, Group) and node.apart:
            self.close()
        load, seconds = self.weighed(node)
        if self._fits(load, seconds, fresh=False):
            self.add(node)
            return
        if self._fits(load, seconds, fresh=True):  # fits whole in a fresh chunk: never cut it
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
            held = int(self.target * node.size / load + LOAD_EPSILON)  # the lines of its file a chunk holds
            at = "" if held == self.target else " at its tier's reading rate"
            reason = (f"{node.label} alone has {node.size} changed lines (target {held}{at})" if node.size > held
                      else f"{node.label} alone takes more than one sitting, its complexity traced")
            self.current = Draft(self.kind, [node], node.size, oversized, reason if oversized else None)
            self.close()
            return
        # Divisible code larger than the target (a giant hunk): cut at line boundaries into
        # near-equal pieces; the last stays open for what follows.
        pieces = math.ceil(max(load / self.target, seconds / self.sitting if self.timing is not None else 0.0)
                           - LOAD_EPSILON)
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
