"""The file tree of a code file's change: its changed lines grouped into units (functions, class
bodies, runs of module-level code) and nested file > class > function | code run, ready to pack.

Definition edges come from app.core.metrics.spans. Exact parsing (`ast` for Python, lizard for
other languages) runs only where it decides a cut (a file whose own change exceeds the target);
every other Python file is named by the quick indentation scanner.
"""

from __future__ import annotations

import itertools
import operator
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.core.git.diff import ADDED, DELETED, DiffLine, FileDiff, Hunk
from app.core.hcl import HCL_SUFFIXES
from app.core.metrics.spans import (
    KIND_CLASS,
    KIND_FUNCTION,
    MAX_SPAN_CHARS,
    Span,
    SpanResult,
    definition_spans,
    is_python,
    unit_index,
)
from app.core.planner.packer import CODE_RUN, FUNCTION_UNIT, Group, Leaf, leaves_under, sized
from app.core.text import visible_path
from app.errors import ReviewTuiError

# Runs of one origin in a hunk's origin string ("  --++ +"): added or deleted lines.
_CHANGE_RUNS = re.compile(r"\++|-+")
_NEW_LINENO = operator.attrgetter("new_lineno")
_OLD_LINENO = operator.attrgetter("old_lineno")
_DEFINITION_NAME = re.compile(r"^\s*(?:async\s+def|def|class|func|function|fn|pub\s+fn)\s+([A-Za-z_]\w*)")
_DEFINITION_INITIALS = frozenset("adcfp")  # the first letters of the keywords above

BlobReader = Callable[[str], bytes]
SpansCache = dict[tuple[str, str, bool], SpanResult]


@dataclass(slots=True)
class CodeFile:
    """Per-file facts gathered before packing."""

    file_index: int
    path: str
    directory: str
    tree: Group
    notes: list[str] = field(default_factory=list)
    defined_units: set[str] = field(default_factory=set)  # qualnames of the units the change adds or edits

    @property
    def defined(self) -> set[str]:
        """Names of the definitions the change adds or edits ("RetryPolicy.backoff#2" -> "backoff"). None for
        Terraform: a block is used by its whole address, and its last label alone ("payments" of
        aws_db_instance.payments) paired a shell script that merely said "payments" with main.tf."""
        if self.path.lower().endswith(HCL_SUFFIXES):
            return set()
        return {q.rsplit(".", 1)[-1].split("#", 1)[0] for q in self.defined_units}



def read_spans(fd: FileDiff, side: str, exact: bool, read_blob: BlobReader | None,
               spans_cache: SpansCache | None) -> SpanResult | None:
    """Definitions of one side of a file, or None when there is nothing to read."""
    blob = fd.new_blob if side == "new" else fd.old_blob
    path = (fd.new_path if side == "new" else fd.old_path) or fd.path
    if read_blob is None or blob is None:
        return None
    if not exact and not is_python(path) and not path.lower().endswith(HCL_SUFFIXES):
        return None  # quick mode names Python and Terraform (its parse is shared); lizard is too slow for every file
    key = (blob, path, exact)
    if spans_cache is not None and key in spans_cache:
        return spans_cache[key]
    size = fd.new_size if side == "new" else fd.old_size
    if size > 4 * MAX_SPAN_CHARS:  # over the span cap in any encoding: do not even read it
        result = SpanResult(error=f"{size:,} bytes: definitions not read")
    else:
        try:
            raw = read_blob(blob)
        except (ReviewTuiError, OSError, LookupError, ValueError) as exc:
            result = SpanResult(error=f"content could not be read ({exc})")
        else:
            text = raw.decode("utf-8", errors="replace")
            result = definition_spans(path, text, exact=exact)
    if spans_cache is not None:
        spans_cache[key] = result
    return result


def code_file(index: int, fd: FileDiff, notes: list[str], origins_of: list[str], *, target_lines: int,
              read_blob: BlobReader | None, spans_cache: SpansCache | None,
              is_test: Callable[[DiffLine], bool] | None = None) -> CodeFile:
    """The tree of one code file (file `index` of the change), reading its definitions as needed.
    `is_test` says which changed lines lie in tests the file holds (Rust's #[cfg(test)] module): they
    go to a group of their own after the code's, chunked apart when the file is cut."""
    path = fd.path
    if fd.status in ("renamed", "copied") and fd.old_path and fd.old_path != fd.new_path:
        notes.append(f"{visible_path(path)}: {fd.status} from {visible_path(fd.old_path)}")
    # Exact definitions (both sides, ast or lizard) only where they decide a cut: the file's
    # change exceeds a chunk. Otherwise they only name what a chunk holds, and the quick
    # scanner reads the new side alone; deleted lines take their names from it (see _file_tree).
    exact = fd.changed_lines > target_lines
    if exact:
        sides = [side for side, needed in (("new", fd.additions > 0), ("old", fd.deletions > 0)) if needed]
    else:
        sides = ["new" if fd.new_blob is not None else "old"]
    owners: dict[str, tuple[list[int], SpanResult]] = {}
    for side in sides:
        result = read_spans(fd, side, exact, read_blob, spans_cache)
        if result is None:
            continue
        if result.error is not None:
            notes.append(f"{visible_path(path)} ({side} version) {result.error}: cut at hunk edges")
            owners = {}
            break
        if result.spans:
            # Past the last definition too, up to the diff's last line: lookups of changed
            # lines then need no bounds check (see _line_owners).
            diff_end = max(h.new_start + h.new_lines if side == "new" else h.old_start + h.old_lines
                           for h in fd.hunks)
            line_count = max(max(s.end for s in result.spans), diff_end)
            owners[side] = (unit_index(result.spans, line_count), result)
    code = file_tree(index, fd, owners, notes, origins_of, infer_deleted=not exact)
    if is_test is not None:
        code.tree = _tests_apart(code.tree, fd, is_test)
    return code


def _tests_apart(tree: Group, fd: FileDiff, is_test: Callable[[DiffLine], bool]) -> Group:
    """The file's tree with the lines of its in-file tests moved to a last group, kept apart (a unit
    holding both, a run across a module's end, is cut where the tests start or end)."""
    code: list[Leaf] = []
    tests: list[Leaf] = []
    for leaf in leaves_under(tree):
        parts = {False: Leaf(leaf.file_index, leaf.label, leaf.kind, []),
                 True: Leaf(leaf.file_index, leaf.label, leaf.kind, [])}
        for hunk_index, first, last in leaf.ranges:
            lines = fd.hunks[hunk_index].lines
            for test, run in itertools.groupby(range(first, last + 1), key=lambda i: is_test(lines[i])):
                numbers = list(run)
                parts[test].add(hunk_index, numbers[0], numbers[-1])
        code += [parts[False]] if parts[False].size else []
        tests += [parts[True]] if parts[True].size else []
    if not tests:
        return tree
    return sized(Group([Group(list(code)), Group(list(tests), apart=True)]))


def file_tree(index: int, fd: FileDiff, owners: dict[str, tuple[list[int], SpanResult]], notes: list[str],
              origins_of: list[str], *, infer_deleted: bool) -> CodeFile:
    """Group a file's changed lines into units and nest them: file > class > function | code run.

    With `infer_deleted` (quick mode, no old-side spans), a deleted line belongs to the new-side
    unit on both sides of it (an edit inside a function), else to a definition whose deleted
    header precedes it in the same run of deleted lines (a removed function), else to
    module-level code.

    Lines are taken a run of one origin at a time (a hunk's origin string cut by a regex),
    and within a run a stretch of one owner at a time: per-line work is one list lookup.
    """
    builder = _TreeBuilder(index, owners, infer_deleted)
    for hunk_index, hunk in enumerate(fd.hunks):
        origins = origins_of[hunk_index]
        for match in _CHANGE_RUNS.finditer(origins):  # context lines are shown, not owned
            first, stop = match.span()
            added = origins[first] == ADDED
            if added or not builder.infer:
                builder.owned_run(hunk_index, hunk.lines, first, stop, added)
            else:
                builder.deleted_run(hunk_index, hunk, first, stop)
    tree = sized(Group(builder.children))
    return CodeFile(index, fd.path, posixpath.dirname(fd.path), tree, notes, builder.defined)


class _TreeBuilder:
    """The state of one file_tree call: the units made so far and the open run of module-level code."""

    def __init__(self, index: int, owners: dict[str, tuple[list[int], SpanResult]], infer_deleted: bool) -> None:
        self.index = index
        self.new_owner, new_spans = owners.get("new", ([], SpanResult()))
        self.old_owner, old_spans = owners.get("old", ([], SpanResult()))
        self.new_defs, self.old_defs = new_spans.spans, old_spans.spans
        self.infer = infer_deleted and "old" not in owners and "new" in owners
        self.children: list[Leaf | Group] = []
        self.units: dict[str, Leaf] = {}  # qualname -> leaf, so a function's old and new lines join
        self.class_groups: dict[str, Group] = {}
        self.run: Leaf | None = None  # the open run of definition-free lines
        self.run_group: Group | None = None
        self.defined: set[str] = set()
        self.new_leaves: dict[int, Leaf] = {}  # span index -> its unit's leaf
        self.old_leaves: dict[int, Leaf] = {}
        self.nested: dict[int, list[bool]] = {}  # id(spans) -> per span: written inside another one

    def unit(self, label: str, kind: str, grouped: bool) -> Leaf:
        leaf = self.units.get(label)
        if leaf is None:
            leaf = self.units[label] = Leaf(self.index, label, kind, [])
            if grouped:
                top = _outer_name(label)
                group = self.class_groups.get(top)
                if group is None:
                    group = self.class_groups[top] = Group([])
                    self.children.append(group)
                group.children.append(leaf)
            else:
                self.children.append(leaf)
        return leaf

    def span_leaf(self, owner: int, spans: tuple[Span, ...], cache: dict[int, Leaf]) -> Leaf:
        """The leaf of a span's unit, made on first use (a new-side unit counts as defined here:
        the change adds or edits it)."""
        leaf = cache.get(owner)
        if leaf is None:
            span = spans[owner]
            nested = self.nested.get(id(spans))
            if nested is None:
                nested = self.nested[id(spans)] = _nested_flags(spans)
            # A method is grouped under the class written around it; a Go method's `VimEditor.motion` names its
            # receiver but stands at the top level, and grouping by that name cut the lines between methods apart.
            grouped = (_outer_name(span.qualname) != span.qualname and nested[owner]) or span.kind == KIND_CLASS
            leaf = cache[owner] = self.unit(span.qualname, FUNCTION_UNIT if span.kind == KIND_FUNCTION else CODE_RUN,
                                            grouped)
            if cache is self.new_leaves:
                self.defined.add(span.qualname)
        return leaf

    def place(self, leaf: Leaf | None, hunk_index: int, first: int, last: int) -> None:
        """Give lines first..last of a hunk to `leaf`, or (None) to the run of module-level code."""
        if leaf is None:  # module-level code: runs cut at hunk edges
            run, run_group = self.run, self.run_group
            if run is None or run_group is None or run.ranges[-1][0] != hunk_index:
                if run_group is None:
                    run_group = self.run_group = Group([])
                    self.children.append(run_group)
                run = self.run = Leaf(self.index, "", CODE_RUN, [])
                run_group.children.append(run)
            run.add(hunk_index, first, last)
            return
        leaf.add(hunk_index, first, last)
        self.run = self.run_group = None  # a definition interrupts the run of module-level lines

    def place_owned(self, owned: list[int], spans: tuple[Span, ...], cache: dict[int, Leaf], hunk_index: int,
                    first: int) -> None:
        """Place a run of lines whose span owners (-1: none) are `owned`, a stretch of one owner
        at a time."""
        for owner, stretch in itertools.groupby(owned):
            size = len(list(stretch))
            leaf = self.span_leaf(owner, spans, cache) if owner >= 0 else None
            self.place(leaf, hunk_index, first, first + size - 1)
            first += size

    def owned_run(self, hunk_index: int, lines: Sequence[DiffLine], first: int, stop: int, added: bool) -> None:
        """A run of added lines (or deleted ones, with old-side spans) placed by their own side's spans."""
        side_owner, defs, leaves, number_of = (
            (self.new_owner, self.new_defs, self.new_leaves, _NEW_LINENO) if added
            else (self.old_owner, self.old_defs, self.old_leaves, _OLD_LINENO))
        if not side_owner:
            self.place(None, hunk_index, first, stop - 1)
            return
        try:  # the owner lists reach the diff's last line (see code_file): one lookup per line
            owned = [side_owner[number or 0] for number in map(number_of, lines[first:stop])]
        except IndexError:  # a line numbered past its hunk's range (not from git)
            owned = _line_owners(side_owner, lines[first:stop], number_of)
        owner = owned[0]
        if owner >= 0 and owned.count(owner) == stop - first:  # one unit: the usual case
            (leaves.get(owner) or self.span_leaf(owner, defs, leaves)).add(hunk_index, first, stop - 1)
            self.run = self.run_group = None
        else:
            self.place_owned(owned, defs, leaves, hunk_index, first)

    def deleted_run(self, hunk_index: int, hunk: Hunk, first: int, stop: int) -> None:
        """A run of deleted lines without old-side spans: they share their neighbours' unit, or
        belong to a definition whose deleted header they follow."""
        new_owner, new_len = self.new_owner, len(self.new_owner)
        previous_new = _new_line_before(hunk, first)
        before = new_owner[previous_new] if previous_new < new_len else -1
        after = new_owner[previous_new + 1] if previous_new + 1 < new_len else -1
        if before == after and before >= 0:
            leaf = self.new_leaves.get(before) or self.span_leaf(before, self.new_defs, self.new_leaves)
            leaf.add(hunk_index, first, stop - 1)
            self.run = self.run_group = None
            return
        headers = _deleted_headers(hunk.lines[first:stop])
        start = 0
        for k in range(1, len(headers) + 1):
            if k == len(headers) or headers[k] is not headers[start]:
                named = headers[start]
                named_leaf = None if named is None else self.unit(named[1], named[2], False)
                self.place(named_leaf, hunk_index, first + start, first + k - 1)
                start = k


# A test callback's name quotes its text (`it("works with v.json()")`): a dot in the quotes names no class.
_QUOTED = re.compile(r'"[^"\n]*"')


def _nested_flags(spans: tuple[Span, ...]) -> list[bool]:
    """Per span (sorted outer-first, as spans gives them), whether another span's lines enclose it."""
    flags: list[bool] = []
    open_ends: list[int] = []
    for span in spans:
        while open_ends and open_ends[-1] < span.start:
            open_ends.pop()
        flags.append(bool(open_ends) and span.end <= open_ends[-1])
        open_ends.append(span.end)
    return flags


def _outer_name(qualname: str) -> str:
    """The outermost name of a qualname, the class a method is grouped under: "Retry.backoff" -> "Retry";
    the whole name when it has no dot outside quotes (`it("works with v.json()")`)."""
    if "." not in qualname:
        return qualname
    dot = _QUOTED.sub(lambda m: "_" * len(m[0]), qualname).find(".")
    return qualname if dot < 0 else qualname[:dot]


def _deleted_headers(lines: Sequence[DiffLine]) -> list[tuple[int, str, str] | None]:
    """Per deleted line, the removed definition it belongs to as (indent, name, kind), or None:
    a definition names itself in its deleted header and owns the deleted lines after it down to
    one indented no deeper than the header."""
    headers: list[tuple[int, str, str] | None] = []
    deleted_header: tuple[int, str, str] | None = None
    for line in lines:
        text = line.text
        stripped = text.lstrip()
        width = len(text) - len(stripped)
        # A header starts with one of its keywords' first letters: only then try the regex.
        header = _DEFINITION_NAME.match(text) if stripped[:1] in _DEFINITION_INITIALS else None
        if header:
            is_class = "class" in header.group(0).split()
            deleted_header = (width, header.group(1), CODE_RUN if is_class else FUNCTION_UNIT)
        elif deleted_header is not None and stripped and width <= deleted_header[0]:
            deleted_header = None
        headers.append(deleted_header)
    return headers


def _line_owners(owner: list[int], lines: Sequence[DiffLine],
                 number_of: Callable[[DiffLine], int | None]) -> list[int]:
    """owner[n] for each line's number n on one side (0 when it has none), -1 past the end of `owner`."""
    size = len(owner)
    return [owner[n] if n < size else -1 for n in [number or 0 for number in map(number_of, lines)]]


def _new_line_before(hunk: Hunk, index: int) -> int:
    """The new-side line number of the last line before `index` in the hunk that has one (the
    last added or context line), or the line before the hunk's start: where a deleted line sits."""
    lines = hunk.lines
    for k in range(index - 1, -1, -1):
        line = lines[k]
        if line.origin == ADDED:
            return line.new_lineno or 0
        if line.origin != DELETED and line.new_lineno:
            return line.new_lineno
    return hunk.new_start - 1 if hunk.new_start > 0 else 0

