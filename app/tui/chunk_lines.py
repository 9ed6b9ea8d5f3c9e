"""The rows of one review chunk for the DiffView: its own changed lines with a little context.

Per file a file header; per segment (a run of changed lines the chunk owns in one hunk) a hunk
header and the segment's lines plus up to `context` context lines on each side. Context never
reaches past another chunk's changed line, so over a whole plan every changed line of the diff is
shown exactly once (the plan's partition), while context lines may repeat in neighbouring chunks.
Segments of one hunk whose windows touch are shown as one block (no line twice in a chunk).

Markers: AI-written lines (detail.provenance.ai_lines) and complexity hotspots, i.e. the definition
line of each function whose cyclomatic complexity rose (a new function: above 1, since
straight-line code is no hotspot). A hotspot's line is exact for the file's
worst function (its start line is measured); for the others it is found by name among the shown
new-side lines (a `def`/`func`/`function`/`fn` line, or a C-style declaration), which is cheap and
needs no blob; a function whose definition line is not shown gets no marker.

Light chunks (binary files, renames and other content-free changes) become note rows; a collapsed
chunk (generated, vendored, lock or large data files) becomes a summary until it is expanded.

More context on request (`expand_context`): the blocks of a file grow by CONTEXT_STEP lines each
side, or to the whole file, through app.tui.file_context (the unchanged lines come from the head
version, read by the `file_text` callable the screen hands in). A wider window may reach another
chunk's changed lines: they are shown dimmed, marked with the chunk that reviews them, so the
plan's partition stays what the reviewer decides on.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from app.core.git.diff import ADDED, CONTEXT, DELETED, FileDiff, Hunk
from app.core.metrics.spans import is_python
from app.core.planner.model import KIND_BINARY, KIND_COLLAPSED, KIND_RENAME, Chunk, Segment
from app.core.planner.translations import ROLE_TRANSLATIONS
from app.core.planner.whitespace import file_whitespace_lines
from app.core.text import plural, visible_path
from app.tui.file_context import Expansions, FileLayout, window_rows
from app.tui.widgets.diff_view import DisplayLine, LineKind

if TYPE_CHECKING:
    from app.analysis.report import ChangeDetail

DEFAULT_CONTEXT = 3

_KIND_OF_ORIGIN: dict[str, LineKind] = {ADDED: "add", DELETED: "del", CONTEXT: "context"}


@dataclass(frozen=True, slots=True)
class _Block:
    """Lines hunk.lines[start:stop] of one hunk, shown under one header."""

    hunk_index: int
    start: int
    stop: int


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A function of a file whose complexity rose in this change."""

    name: str
    old: int | None
    new: int

    @property
    def label(self) -> str:
        if self.old is None:
            return f"CC {self.new} {self.name} (new)"
        return f"CC {self.old}→{self.new} {self.name}"


def _hotspots(detail: ChangeDetail, path: str) -> list[Hotspot]:
    complexity = detail.complexity.get(path)
    if complexity is None:
        return []
    # A new function counts from 1 (straight-line code is no hotspot), a changed one from its old value.
    return [Hotspot(name, old, new) for name, old, new in complexity.changed_functions
            if new > (old if old is not None else 1)]


def _definition_pattern(name: str, path: str = "") -> re.Pattern[str]:
    """A line of `path` that defines function `name` (qualname "Class.method#2" -> "method")."""
    short = re.escape(name.rsplit("::", 1)[-1].rsplit(".", 1)[-1].split("#", 1)[0])
    # def / func (Go methods: func (r *T) name) / function / fn / fun / sub
    keyword = rf"\b(?:def|func|function|fn|fun|sub)\s+(?:\([^)]*\)\s*)?{short}\b"
    if is_python(path):  # Python defines only with `def`: `await name()` is a call, not a declaration
        return re.compile(keyword)
    # a C-family declaration: words (type, modifiers) before the name, no ';' after it
    return re.compile(rf"{keyword}|^\s*(?:[\w:<>\[\],*&]+\s+)+[*&]*{short}\s*\([^;]*$")


class ChunkLines:
    """Builds the rows of the chunks of one ChangeDetail; caches per-file hotspot lookups."""

    def __init__(self, detail: ChangeDetail, *, context: int = DEFAULT_CONTEXT,
                 file_text: Callable[[FileDiff], Sequence[str] | None] | None = None) -> None:
        self.detail = detail
        self.context = max(0, context)
        self._file_text = file_text
        self._patterns: dict[str, list[tuple[Hotspot, re.Pattern[str]]]] = {}
        self._expansions = Expansions()
        self._layouts: dict[int, FileLayout | None] = {}
        self._owners: dict[int, dict[tuple[int, int], int]] = {}
        self._whitespace: dict[int, list[frozenset[int]]] = {}  # per file, per hunk: lines only re-indented

    def lines(self, chunk: Chunk, *, expand: bool = False) -> list[DisplayLine]:
        """The rows of `chunk`; a collapsed chunk shows its changed lines only when `expand`."""
        if chunk.kind in (KIND_BINARY, KIND_RENAME):
            return self._light_rows(chunk)
        if chunk.kind == KIND_COLLAPSED and (not expand or not chunk.segments):
            return self._collapsed_summary(chunk)  # no segments: every line was counted, not read
        first = chunk.files[0] if chunk.files else ""
        rows: list[DisplayLine] = [DisplayLine("note", None, None, note, first) for note in chunk.notes]
        for file_index, segments in _by_file(chunk.segments):
            rows.extend(self._file_rows(chunk, file_index, segments))
        return rows

    # -- code ---------------------------------------------------------------------------------
    def _file_rows(self, chunk: Chunk, file_index: int, segments: list[Segment]) -> Iterator[DisplayLine]:
        fd = self.detail.files[file_index]
        path = fd.path
        additions = sum(s.additions for s in segments)
        deletions = sum(s.deletions for s in segments)
        share = f"+{additions} −{deletions}"
        if additions + deletions != fd.changed_lines:
            share += f" of +{fd.additions} −{fd.deletions}"
        yield DisplayLine("file", None, None, f"{visible_path(fd.display_path)}  ({fd.status_label}, {share})", path)
        if any(s.hunk_index >= len(fd.hunks) for s in segments):  # a plan of lines this diff has not got
            why = f"content not in this clone ({fd.problem})" if fd.problem else "its lines are not in this diff"
            yield DisplayLine("note", None, None, f"{visible_path(fd.display_path)}: {why}", path)
            return
        ai_here = self.detail.provenance.ai_lines.get(path, {})
        blocks = self._blocks(fd, segments)
        marks = self._hotspot_marks(fd, blocks)
        whitespace = self._whitespace_of(file_index)
        layout = self._layouts.get(file_index) if self._expansions.active(chunk.index, file_index) else None
        if layout is not None:
            spans = _spans(layout, blocks)
            own = {(s.hunk_index, line) for s in segments for line in range(s.first, s.last + 1)}
            owners = self._owners_of(file_index)

            def elsewhere(hunk: int, line: int) -> str | None:
                if (hunk, line) in own:
                    return None
                owner = owners.get((hunk, line))
                return f"chunk {owner}" if owner is not None else "another chunk"

            yield from window_rows(layout, self._expansions.windows(chunk.index, file_index, spans,
                                                                     len(layout.rows)),
                                   path, elsewhere=elsewhere, ai_tools=ai_here, hotspots=marks,
                                   whitespace=whitespace)
            return
        moved_hunks = self._moved_of(file_index)
        for block in blocks:
            hunk = fd.hunks[block.hunk_index]
            reindented = whitespace[block.hunk_index]
            moved = moved_hunks[block.hunk_index] if moved_hunks else frozenset()
            yield DisplayLine("hunk", None, None, _block_header(hunk, block), path)
            for number in range(block.start, block.stop):
                line = hunk.lines[number]
                new_no = line.new_lineno
                yield DisplayLine(
                    _KIND_OF_ORIGIN.get(line.origin, "context"), line.old_lineno, new_no, line.text, path,
                    ai_here.get(new_no) if new_no is not None and line.origin == ADDED else None,
                    marks.get(new_no) if new_no is not None else None,
                    reindented=number in reindented,
                    moved=number in moved and number not in reindented,
                )

    def _moved_of(self, file_index: int) -> list[frozenset[int]] | None:
        """Per hunk of the file, its lines moved whole within the change (drawn muted), found once per change."""
        return self.detail.moved_lines().get(file_index)

    def _whitespace_of(self, file_index: int) -> list[frozenset[int]]:
        """Per hunk of the file, its lines that only change whitespace (drawn muted), found once."""
        found = self._whitespace.get(file_index)
        if found is None:
            found = self._whitespace[file_index] = file_whitespace_lines(self.detail.files[file_index])
        return found

    def _blocks(self, fd: FileDiff, segments: list[Segment]) -> list[_Block]:
        """Each segment widened by up to `context` context lines (never over a changed line),
        segments of one hunk merged where their windows touch."""
        blocks: list[_Block] = []
        for segment in segments:
            lines = fd.hunks[segment.hunk_index].lines
            start = segment.first
            while start > 0 and segment.first - start < self.context and lines[start - 1].origin == CONTEXT:
                start -= 1
            stop = segment.last + 1
            limit = min(len(lines), segment.last + 1 + self.context)
            while stop < limit and lines[stop].origin == CONTEXT:
                stop += 1
            previous = blocks[-1] if blocks else None
            if previous and previous.hunk_index == segment.hunk_index and start <= previous.stop:
                blocks[-1] = _Block(segment.hunk_index, previous.start, max(previous.stop, stop))
            else:
                blocks.append(_Block(segment.hunk_index, start, stop))
        return blocks

    def _hotspot_marks(self, fd: FileDiff, blocks: list[_Block]) -> dict[int, str]:
        """{new line number: label} of the hotspots whose definition line this chunk shows."""
        path = fd.path
        found = self._patterns.get(path)
        if found is None:
            found = [(spot, _definition_pattern(spot.name, path)) for spot in _hotspots(self.detail, path)]
            self._patterns[path] = found
        if not found:
            return {}
        marks: dict[int, str] = {}
        shown: list[tuple[int, str]] = []
        for block in blocks:
            for line in fd.hunks[block.hunk_index].lines[block.start:block.stop]:
                if line.new_lineno is not None:
                    shown.append((line.new_lineno, line.text))
        numbers = {number for number, _ in shown}
        worst = self.detail.complexity[path].worst
        for spot, pattern in found:
            if worst is not None and worst.name == spot.name and worst.start_line in numbers:
                marks.setdefault(worst.start_line, spot.label)
                continue
            for number, text in shown:
                if pattern.search(text):
                    marks.setdefault(number, spot.label)
                    break
        return marks

    # -- more context -------------------------------------------------------------------------
    def expand_context(self, chunk: Chunk, line: DisplayLine | None, *, whole_file: bool) -> str | None:
        """Show more context around the block of `line` in `chunk` (`whole_file`: all of its file).
        Returns why it cannot (a sentence), or None when the rows changed."""
        if line is None or not line.path:
            return "Put the cursor on a line of the diff first."
        mine = [s for s in chunk.segments if s.path == line.path]
        if not mine or chunk.kind in (KIND_BINARY, KIND_RENAME):
            return "This file has no lines to show more context for."
        file_index = mine[0].file_index
        layout = self._layout(file_index)
        if layout is None:
            return f"Cannot read {line.path} in the head version: no more context."
        spans = _spans(layout, self._blocks(self.detail.files[file_index], mine))
        position = layout.position_of(line)
        if position is None:  # a header: the block below it
            position = spans[0][0]
        if not self._expansions.grow(chunk.index, file_index, spans, len(layout.rows), position,
                                     whole=whole_file):
            return "The whole file is already shown."
        return None

    def _layout(self, file_index: int) -> FileLayout | None:
        if file_index not in self._layouts:
            fd = self.detail.files[file_index]
            layout: FileLayout | None = None
            if not fd.binary and fd.hunks:
                if fd.status == "deleted":  # every line is in its one hunk: nothing to read
                    layout = FileLayout(fd, [])
                elif self._file_text is not None:
                    text = self._file_text(fd)
                    layout = FileLayout(fd, text) if text is not None else None
            self._layouts[file_index] = layout
        return self._layouts[file_index]

    def _owners_of(self, file_index: int) -> dict[tuple[int, int], int]:
        """{(hunk, line): index of the chunk owning that changed line} for one file."""
        if file_index not in self._owners:
            owners: dict[tuple[int, int], int] = {}
            for chunk in self.detail.plan.chunks:
                for segment in chunk.segments:
                    if segment.file_index == file_index:
                        for line in range(segment.first, segment.last + 1):
                            owners.setdefault((segment.hunk_index, line), chunk.index)
            self._owners[file_index] = owners
        return self._owners[file_index]

    # -- light and collapsed chunks -----------------------------------------------------------
    def _light_rows(self, chunk: Chunk) -> list[DisplayLine]:
        rows: list[DisplayLine] = []
        for change, note in zip(chunk.file_changes, chunk.notes, strict=False):
            path = str(change.get("path") or "")
            rows.append(DisplayLine("file", None, None, f"{visible_path(path)}  ({change.get('status', '?')})", path))
            rows.append(DisplayLine("note", None, None, note, path))
        for note in chunk.notes[len(chunk.file_changes):]:
            rows.append(DisplayLine("note", None, None, note, chunk.files[0] if chunk.files else ""))
        if chunk.kind == KIND_BINARY:
            rows.append(DisplayLine("note", None, None,
                                    "Binary content is not shown: check what the file is and where it goes.",
                                    chunk.files[0] if chunk.files else ""))
        return rows

    def _collapsed_summary(self, chunk: Chunk) -> list[DisplayLine]:
        first = chunk.files[0] if chunk.files else ""
        if chunk.role == ROLE_TRANSLATIONS:
            said = (f"Collapsed: {plural(len(chunk.files), 'translation file')}, +{chunk.additions} −{chunk.deletions} "
                    "lines. Skim for what breaks a page: placeholders, markup, quotes.")
        else:
            said = (f"Collapsed: {plural(len(chunk.files), 'generated, vendored, lock or data file')}, "
                    f"+{chunk.additions} −{chunk.deletions} lines. Skim for anything unexpected.")
        rows = [DisplayLine("note", None, None, said, first)]
        # a dependency bump's vendored dependency or lock files: what to review instead is said before the files
        lead = chunk.role in ("vendored", "locks", ROLE_TRANSLATIONS)
        if lead:
            rows.extend(DisplayLine("note", None, None, note, first) for note in chunk.notes)
        counted = [fd for fd in self._counted_only(chunk) if fd.changed_lines]
        if counted and not chunk.segments:  # said first: the list of files below can be thousands long
            from app.core.planner.builder import environment_root

            change = self.detail.change
            since = f"{change.base[:10]} {change.head[:10]}" if change.base and change.kind != "worktree" else "HEAD"
            roots = " ".join(shlex.quote(visible_path(root)) for root in sorted({environment_root(fd.path) or fd.path
                                                                              for fd in counted}))
            rows.extend(DisplayLine("note", None, None, note, first) for note in chunk.notes if not lead)
            rows.append(DisplayLine("note", None, None,
                                    f"Its {plural(chunk.changed_lines, 'changed line')} are counted, not loaded "
                                    "(installed packages: other projects' code).", first))
            rows.append(DisplayLine("note", None, None, f"To see them: git diff {since} -- {roots}", first))
        per_file: dict[int, list[Segment]] = dict(_by_file(chunk.segments))
        for file_index, segments in per_file.items():
            fd = self.detail.files[file_index]
            additions = sum(s.additions for s in segments)
            deletions = sum(s.deletions for s in segments)
            header = f"{visible_path(fd.display_path)}  ({fd.status_label}, +{additions} −{deletions})"
            rows.append(DisplayLine("file", None, None, header, fd.path))
        for fd in counted:
            header = f"{visible_path(fd.display_path)}  ({fd.status_label}, +{fd.additions} −{fd.deletions})"
            rows.append(DisplayLine("file", None, None, header, fd.path))
        if (chunk.segments or not counted) and not lead:
            rows.extend(DisplayLine("note", None, None, note, first) for note in chunk.notes)
        if chunk.segments:
            rows.append(DisplayLine("note", None, None,
                                    f"Press e to show its {plural(chunk.changed_lines, 'changed line')}.", first))
        return rows

    def _counted_only(self, chunk: Chunk) -> list[FileDiff]:
        """The files of a collapsed chunk whose lines were counted, not read (FileDiff.counted_only)."""
        wanted = set(chunk.files)
        return [fd for fd in self.detail.files if fd.counted_only and fd.path in wanted]


def _by_file(segments: list[Segment]) -> Iterator[tuple[int, list[Segment]]]:
    """Segments grouped by file, in the chunk's order (consecutive runs per file)."""
    current: int | None = None
    group: list[Segment] = []
    for segment in segments:
        if segment.file_index != current:
            if group and current is not None:
                yield current, group
            current, group = segment.file_index, []
        group.append(segment)
    if group and current is not None:
        yield current, group


def _spans(layout: FileLayout, blocks: list[_Block]) -> list[tuple[int, int]]:
    """The blocks as half-open spans of the file's layout."""
    return [(layout.position(b.hunk_index, b.start), layout.position(b.hunk_index, b.stop - 1) + 1)
            for b in blocks if b.stop > b.start]


def _block_header(hunk: Hunk, block: _Block) -> str:
    """A unified-diff header for the shown slice of a hunk: "@@ -a,b +c,d @@ context"."""
    old_pos, new_pos = hunk.old_start, hunk.new_start
    for line in hunk.lines[:block.start]:
        if line.origin != ADDED:
            old_pos += 1
        if line.origin != DELETED:
            new_pos += 1
    shown = hunk.lines[block.start:block.stop]
    old_count = sum(1 for line in shown if line.origin != ADDED)
    new_count = sum(1 for line in shown if line.origin != DELETED)
    # As in git, an empty side names the line before the gap.
    old_at = old_pos if old_count else max(0, old_pos - 1)
    new_at = new_pos if new_count else max(0, new_pos - 1)
    header = f"@@ -{old_at},{old_count} +{new_at},{new_count} @@"
    return f"{header} {hunk.header}" if hunk.header else header


def chunk_display_lines(detail: ChangeDetail, chunk: Chunk, context: int = DEFAULT_CONTEXT, *,
                        expand: bool = False) -> list[DisplayLine]:
    """The DiffView rows of `chunk` (see the module docstring); a one-off ChunkLines."""
    return ChunkLines(detail, context=context).lines(chunk, expand=expand)


def fold_viewed(rows: Sequence[DisplayLine], viewed: Collection[str]) -> list[DisplayLine]:
    """`rows` with the lines of every file in `viewed` folded into its header (marked "✓ viewed")
    and one note saying how many changed lines are folded, as GitHub folds a viewed file."""
    out: list[DisplayLine] = []
    index = 0
    while index < len(rows):
        row = rows[index]
        index += 1
        if row.kind != "file" or row.path not in viewed:
            out.append(row)
            continue
        hidden = 0
        while index < len(rows) and rows[index].path == row.path and rows[index].kind != "file":
            hidden += rows[index].kind in ("add", "del") and rows[index].elsewhere is None
            index += 1
        out.append(replace(row, text=row.text + "  ✓ viewed"))
        out.append(DisplayLine("note", None, None,
                               f"Marked viewed: {hidden:,} changed line{'s' if hidden != 1 else ''} folded "
                               "(v unfolds).", row.path))
    return out


def comment_target(line: DisplayLine | None) -> tuple[str, int | None, str] | None:
    """(path, line, side) a comment on this row refers to: a deleted line by its old number, an
    added or context line by its new number, a header or note the whole file (line None)."""
    if line is None or not line.path:
        return None
    if line.kind == "del":
        return line.path, line.old_no, "old"
    if line.kind in ("add", "context"):
        return line.path, line.new_no, "new"
    return line.path, None, "new"

