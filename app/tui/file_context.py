"""More context around a hunk, up to the whole file: a file's diff laid out with every line.

A diff carries three lines of context; a reviewer sometimes needs the function around a change or
the whole file. `FileLayout` lays out one file's diff with the unchanged lines between its hunks
(and before the first, after the last) filled in from the file's text on the new side, which is
the head version (for a deleted file every line is already in its one hunk, so nothing is read).
Positions in that layout are stable, so a block of shown lines can be widened by N lines each side
or to the whole file, and overlapping windows merged, without walking anything but the window.

`window_rows` turns windows of the layout into DisplayLines with a unified-diff header per window.
A changed line outside the lines being reviewed (another chunk's change that a wider window
reaches) is flagged `elsewhere`, so the view draws it dimmed and says where it is reviewed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.core.git.diff import ADDED, DELETED, FileDiff
from app.tui.widgets.diff_view import DisplayLine, LineKind

WHOLE_FILE = 1 << 30
"""An extra context size that always reaches both ends of the file."""
CONTEXT_STEP = 20
"""Lines added above and below a block each time more context is asked for (GitHub's step)."""

_KIND: dict[str, LineKind] = {ADDED: "add", DELETED: "del"}


@dataclass(frozen=True, slots=True)
class FullRow:
    """One line of a file's diff with full context."""

    origin: str
    """"+", "-" or " "."""
    old_no: int | None
    new_no: int | None
    text: str
    hunk: int | None
    """The hunk this line belongs to, None for a line between hunks (read from the file's text)."""
    line: int | None
    """Index in the hunk's lines."""


class FileLayout:
    """Every line of one file's diff in order: hunks and the unchanged lines around them."""

    def __init__(self, fd: FileDiff, new_text: Sequence[str]) -> None:
        rows: list[FullRow] = []
        hunk_starts: list[int] = []
        next_old = next_new = 1
        for number, hunk in enumerate(fd.hunks):
            # git names the line before an empty side ("+5,0": after line 5)
            first_new = hunk.new_start if hunk.new_lines else hunk.new_start + 1
            first_old = hunk.old_start if hunk.old_lines else hunk.old_start + 1
            self._gap(rows, new_text, next_new, first_new, first_old - first_new)
            hunk_starts.append(len(rows))
            rows.extend(FullRow(line.origin, line.old_lineno, line.new_lineno, line.text, number, index)
                        for index, line in enumerate(hunk.lines))
            next_new, next_old = first_new + hunk.new_lines, first_old + hunk.old_lines
        self._gap(rows, new_text, next_new, len(new_text) + 1, next_old - next_new)
        self.rows = rows
        self.hunk_starts = hunk_starts
        self._by_new = {row.new_no: at for at, row in enumerate(rows) if row.new_no is not None}
        self._by_old = {row.old_no: at for at, row in enumerate(rows)
                        if row.old_no is not None and row.origin == DELETED}

    @staticmethod
    def _gap(rows: list[FullRow], new_text: Sequence[str], start: int, stop: int, offset: int) -> None:
        """Unchanged lines start..stop-1 (new numbering; old = new + offset), as far as the text goes."""
        for number in range(start, min(stop, len(new_text) + 1)):
            rows.append(FullRow(" ", number + offset, number, new_text[number - 1], None, None))

    def position(self, hunk: int, line: int) -> int:
        """Where line `line` of hunk `hunk` sits in `rows`."""
        return self.hunk_starts[hunk] + line

    def position_of(self, line: DisplayLine) -> int | None:
        """Where a shown line sits in `rows` (by its numbers), None for headers and notes."""
        if line.kind == "del" and line.old_no is not None:
            return self._by_old.get(line.old_no)
        if line.kind in ("add", "context") and line.new_no is not None:
            return self._by_new.get(line.new_no)
        return None


def split_lines(text: str) -> list[str]:
    """A file's text as git numbers its lines: split on "\n" only (a form feed or a lone "\r" stays
    inside its line, as in the diff), without the empty string after a final newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def widen(spans: Sequence[tuple[int, int]], extras: Sequence[int], size: int) -> list[tuple[int, int]]:
    """Each half-open span widened by its extra lines on both sides (clamped to 0..size), with
    overlapping or touching spans merged, in order."""
    widened = sorted((max(0, start - extra), min(size, stop + extra))
                     for (start, stop), extra in zip(spans, extras, strict=True))
    merged: list[tuple[int, int]] = []
    for start, stop in widened:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def _header(rows: Sequence[FullRow], start: int, stop: int, whole: bool) -> str:
    shown = rows[start:stop]
    old_count = sum(1 for row in shown if row.origin != ADDED)
    new_count = sum(1 for row in shown if row.origin != DELETED)
    old_at = next((row.old_no for row in shown if row.old_no is not None and row.origin != ADDED), None)
    new_at = next((row.new_no for row in shown if row.new_no is not None and row.origin != DELETED), None)
    if old_at is None:  # as in git, an empty side names the line before the gap
        before = [row.old_no for row in rows[:start] if row.old_no is not None and row.origin != ADDED]
        old_at = before[-1] if before else 0
    if new_at is None:
        before = [row.new_no for row in rows[:start] if row.new_no is not None and row.origin != DELETED]
        new_at = before[-1] if before else 0
    header = f"@@ -{old_at},{old_count} +{new_at},{new_count} @@"
    return header + (" whole file" if whole else " more context")


def window_rows(
    layout: FileLayout,
    windows: Sequence[tuple[int, int]],
    path: str,
    *,
    elsewhere: Callable[[int, int], str | None] = lambda _hunk, _line: None,
    ai_tools: Mapping[int, str] | None = None,
    hotspots: Mapping[int, str] | None = None,
    whitespace: Sequence[frozenset[int]] = (),
) -> list[DisplayLine]:
    """DisplayLines of `windows` (half-open, merged, in order) of `layout`: a header per window,
    then its lines. `elsewhere(hunk, line)` names where a changed line is reviewed when it is not
    one of the lines under review (drawn dimmed); `ai_tools` and `hotspots` mark new line numbers;
    `whitespace` holds, per hunk, its lines that only change whitespace (marked `reindented`)."""
    ai_tools = ai_tools or {}
    hotspots = hotspots or {}
    rows = layout.rows
    out: list[DisplayLine] = []
    for start, stop in windows:
        out.append(DisplayLine("hunk", None, None, _header(rows, start, stop, start == 0 and stop == len(rows)),
                               path))
        for row in rows[start:stop]:
            kind = _KIND.get(row.origin, "context")
            away = elsewhere(row.hunk, row.line) if kind != "context" and row.hunk is not None \
                and row.line is not None else None
            mine = kind == "context" or away is None
            new_no = row.new_no
            out.append(DisplayLine(
                kind, row.old_no, new_no, row.text, path,
                ai_tools.get(new_no) if mine and kind == "add" and new_no is not None else None,
                hotspots.get(new_no) if mine and new_no is not None else None,
                away,
                reindented=row.hunk is not None and row.hunk < len(whitespace) and row.line in whitespace[row.hunk],
            ))
    return out


class Expansions:
    """How much extra context each shown block of a file has, per scope (a chunk, a commit).

    A block is a half-open span of a FileLayout; its extra context is keyed by the span's start,
    which does not move when other blocks grow. Growing acts on every block whose widened window
    holds the cursor, so after two windows merged one key press grows both ends of the merged one.
    """

    def __init__(self) -> None:
        self._extra: dict[tuple[object, int], dict[int, int]] = {}

    def active(self, scope: object, file_index: int) -> bool:
        return bool(self._extra.get((scope, file_index)))

    def windows(self, scope: object, file_index: int, spans: Sequence[tuple[int, int]],
                size: int) -> list[tuple[int, int]]:
        extra = self._extra.get((scope, file_index), {})
        return widen(spans, [extra.get(start, 0) for start, _ in spans], size)

    def grow(self, scope: object, file_index: int, spans: Sequence[tuple[int, int]], size: int,
             position: int, *, whole: bool) -> bool:
        """Give the block(s) around `position` CONTEXT_STEP more lines each side (`whole`: the whole
        file); False when there is nothing more to show."""
        extra = self._extra.setdefault((scope, file_index), {})
        windows = self.windows(scope, file_index, spans, size)
        if whole:
            if windows == [(0, size)]:
                return False
            for start, _ in spans:
                extra[start] = WHOLE_FILE
            return True
        window = min(windows, key=lambda w: 0 if w[0] <= position < w[1] else min(abs(position - w[0]),
                                                                                   abs(position - w[1])))
        if window == (0, size):
            return False
        for start, stop in spans:
            current = extra.get(start, 0)
            if window[0] <= max(0, start - current) and min(size, stop + current) <= window[1]:
                extra[start] = min(WHOLE_FILE, current + CONTEXT_STEP)
        return True
