"""DiffView: a scrolling, syntax-highlighted diff that stays fast on 30,000 lines.

It is a line-API widget (a ScrollView with render_line): only the rows on screen are rendered, each
row's Strips are cached in an LRU cache, and nothing is mounted per diff line. The model is a plain
sequence of DisplayLine built by `display_lines_for_files` from app.core.git.diff FileDiffs (or by
app.tui.chunk_lines for one review chunk).

What it shows, as delta and GitHub do:
- syntax colours lexed per block of consecutive lines, one stream per side (old: context and
  deleted lines; new: context and added lines), so docstrings and block comments colour right
  (app.tui.widgets.diff_syntax; lazily, a page at a time);
- word-level emphasis on the changed parts of paired deleted/added lines (app.core.intraline:
  pairs aligned within each run of a hunk, a similarity cut-off, code-aware tokens);
- a unified or a side-by-side (split) layout; split is chosen automatically from SPLIT_MIN_WIDTH
  columns unless toggled; long lines scroll horizontally or wrap (toggle), notes wrap in every layout;
- search matches highlighted, with next/previous match keys;
- per-line markers in the gutter set by the screen (`set_markers`, e.g. comment threads).

Laziness: loading walks the rows once (widths, block and run bounds); a keypress costs only the rows
it repaints. Per-block lexers, run alignments and word edits are computed on first render of a row
that needs them and kept in bounded LRU caches. Changing layout, wrap or width rebuilds the row map
(one pass over the rows, on that key or resize only).

Repository text is untrusted: every line goes through app.core.text.visible() and is turned into
Segments directly (never Rich markup), so "[bold]" or an escape sequence in a diff shows literally.
Colours come from the current theme's variables ($diff-added, $syntax-keyword, ... see
app/tui/themes.py), re-read whenever the styles or the theme change.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from app.core.git.diff import FileDiff
from app.core.intraline import MAX_ALIGN_CELLS, LineEdit, align, word_diff
from app.core.planner.whitespace import file_whitespace_lines
from app.core.text import name_cut, visible, visible_path
from app.tui.keys import bindings_for
from app.tui.themes import COLOR_VARIABLE_DEFAULTS, resolve_colour
from app.tui.widgets.diff_syntax import Piece, StreamLexer, lexer_for_path

LineKind = Literal["file", "hunk", "context", "add", "del", "note"]
CONTENT_KINDS = frozenset({"context", "add", "del"})
SplitMode = Literal["auto", "on", "off"]

MAX_LINE_CHARS = 1_000
"""Characters of one line that are rendered; the rest is summarised as "…(N more chars)"."""
TAB_SIZE = 4
STRIP_CACHE_SIZE = 1_024
WARM_PAGES = 1  # pages above and below the view rendered ahead, after each paint
WARM_SLICE_SECONDS = 0.008  # rendering ahead yields to input after this long (then goes on)
BLOCK_CACHE_SIZE = 64
SPLIT_ALIGN_BUDGET = 50_000
"""Line comparisons the split layout may spend aligning runs; runs past it are laid out by position."""
EDIT_CACHE_SIZE = 2_048
TEXT_CACHE_SIZE = 4_096
SPLIT_MIN_WIDTH = 160
"""In "auto" layout the diff is shown side by side from this many columns (two ~75-column halves)."""
REINDENTED_MARK = "⇥"
"""Beside the +/− of a changed line a tool rewrote: only its whitespace, or a catalogue's `#:`
(DisplayLine.reindented)."""
MOVED_MARK = "⇄"
"""Beside the +/− of a changed line that only moved (DisplayLine.moved)."""
DIFF_MARKS: tuple[tuple[str, str], ...] = (
    ("+ -", "an added, a removed line (its changed words stand out)"),
    (f"+{REINDENTED_MARK} -{REINDENTED_MARK}",
     "muted: re-indented, or a .po line gettext wrote (#:), skimmed in the plan"),
    (f"+{MOVED_MARK} -{MOVED_MARK}", "muted: moved whole from or to elsewhere in the change, skimmed in the plan"),
    ("dim + -", "another chunk's change shown as context (the cursor names the chunk)"),
    ("▌", "a line an AI tool wrote"),
    ("▲", "a complexity hotspot: a function whose complexity rose"),
)
"""The marks of the diff's gutter and what they mean, for the help screen's legend."""
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class DisplayLine:
    """One row of the diff view."""

    kind: LineKind
    """file (a file header), hunk (a hunk header), context, add, del, or note (a remark such as "binary")."""
    old_no: int | None
    """Line number on the old side (None for added lines and headers)."""
    new_no: int | None
    """Line number on the new side (None for deleted lines and headers)."""
    text: str
    """Raw text, untrusted; made visible at render time."""
    path: str
    """The file this row belongs to (chooses the syntax lexer)."""
    ai_tool: str | None = None
    """The AI tool that wrote this line, when provenance knows it."""
    hotspot: str | None = None
    """A complexity hotspot starting here, e.g. "CC 14 RetryPolicy.run"."""
    elsewhere: str | None = None
    """Set on a changed line shown only as context of this view, reviewed elsewhere (e.g. "chunk 3"):
    it is drawn dimmed."""
    reindented: bool = False
    """A changed line that only changes whitespace (re-indented: the same text as a line of the other side but
    for whitespace, app.core.planner.whitespace; or a gettext catalogue's `#:`/`#,`/`#|`/date line, `tool_written`; the
    plan skims it): drawn muted, with REINDENTED_MARK."""
    moved: bool = False
    """A changed line of a block deleted in one place of the change and added in another (app.core.planner.moved; the
    plan skims it: the reviewer checks it moved intact): drawn muted, with MOVED_MARK."""


@dataclass(frozen=True, slots=True)
class LineMarker:
    """A one-cell mark in the gutter of a line (a comment thread, say), set by the screen."""

    symbol: str
    variable: str = "accent"
    """The theme variable colouring it (any of the app's theme variables)."""
    label: str = ""
    """Said after the line when the cursor is on it, and in the tooltip."""


MarkerKey = tuple[str, str, int | None]
"""(path, "old" or "new", line number): which line a marker sits on; line None = the file header."""


def _note(text: str, path: str) -> DisplayLine:
    return DisplayLine("note", None, None, text, path)


def display_lines_for_files(
    files: Sequence[FileDiff],
    *,
    ai_tools: Mapping[str, Mapping[int, str]] | None = None,
    hotspots: Mapping[str, Mapping[int, str]] | None = None,
) -> list[DisplayLine]:
    """FileDiffs -> rows: a header per file, a header per hunk, then its lines.

    `ai_tools` and `hotspots` map a path to {new line number: tool name / hotspot label}; they mark
    added and context lines (deleted lines have no new number). A changed line that only changes whitespace
    is marked `reindented`.
    """
    ai_tools = ai_tools or {}
    hotspots = hotspots or {}
    rows: list[DisplayLine] = []
    for fd in files:
        path = fd.path
        counts = f"+{fd.additions} −{fd.deletions}" if not fd.binary else "binary"
        header = f"{visible_path(fd.display_path)}  ({fd.status_label}, {counts})"
        rows.append(DisplayLine("file", None, None, header, path))
        if fd.binary:
            size = max(fd.old_size, fd.new_size)
            known = f" ({size:,} bytes)" if size else ""  # git leaves sizes at 0 for unloaded binaries
            rows.append(_note(f"Binary or very large file{known}: content not shown.", path))
            continue
        if fd.old_mode and fd.new_mode and fd.old_mode != fd.new_mode:
            rows.append(_note(f"Mode changed {fd.old_mode:o} → {fd.new_mode:o}.", path))
        if fd.counted_only:
            rows.append(_note("A file of a committed virtual environment (installed packages): its lines are "
                              "counted, not loaded.", path))
            continue
        if not fd.hunks:
            if fd.is_pure_rename:
                rows.append(_note(f"Renamed without content changes (similarity {fd.similarity}%).", path))
            elif fd.status in ("added", "deleted"):
                rows.append(_note(f"Empty file {fd.status}.", path))
            continue
        tools_here = ai_tools.get(path, {})
        spots_here = hotspots.get(path, {})
        whitespace = file_whitespace_lines(fd)
        for hunk, reindented in zip(fd.hunks, whitespace, strict=True):
            header = f"@@ -{hunk.old_start},{hunk.old_lines} +{hunk.new_start},{hunk.new_lines} @@"
            if hunk.header:
                header += " " + hunk.header
            rows.append(DisplayLine("hunk", None, None, header, path))
            for number, line in enumerate(hunk.lines):
                kind: LineKind = "add" if line.origin == "+" else "del" if line.origin == "-" else "context"
                new_no = line.new_lineno
                rows.append(DisplayLine(
                    kind, line.old_lineno, new_no, line.text, path,
                    tools_here.get(new_no) if new_no is not None else None,
                    spots_here.get(new_no) if new_no is not None else None,
                    reindented=number in reindented,
                ))
    return rows


# -- text -----------------------------------------------------------------------------------------
def display_text(raw: str, limit: int = MAX_LINE_CHARS) -> tuple[str, str]:
    """(visible, tab-expanded text of one line cut at `limit` characters, the "…(N more chars)" note
    or ""). The cut comes first so a 5 MB line costs as much as a 1,000-character one."""
    extra = len(raw) - limit
    text = visible(raw[:limit] if extra > 0 else raw)
    if "\t" in text:
        text = text.expandtabs(TAB_SIZE)
    return text, (f" …({extra:,} more chars)" if extra > 0 else "")


def clip_text(raw: str, limit: int = MAX_LINE_CHARS) -> str:
    """Visible, tab-expanded text of one line, cut at `limit` characters with a "…(N more chars)" note."""
    text, note = display_text(raw, limit)
    return text + note


def line_width(raw: str) -> int:
    """Cells clip_text(raw) needs: exact, and cheap for the common plain-ASCII line."""
    if len(raw) <= MAX_LINE_CHARS and raw.isascii() and raw.isprintable():
        return len(raw)
    return cell_len(clip_text(raw))


def find_all(text: str, needle: str, *, fold: bool) -> list[tuple[int, int]]:
    """Every non-overlapping occurrence of `needle` in `text` as (start, end); case-folded when `fold`."""
    if not needle:
        return []
    haystack = text.lower() if fold else text
    out = []
    start = haystack.find(needle)
    while start >= 0:
        out.append((start, start + len(needle)))
        start = haystack.find(needle, start + len(needle))
    return out


def _overlay(pieces: Iterable[tuple[Style, str]], ranges: Sequence[tuple[int, int]],
             extra: Style) -> list[tuple[Style, str]]:
    """`pieces` with `extra` added to the characters inside `ranges` (sorted, not overlapping)."""
    if not ranges:
        return list(pieces)
    out: list[tuple[Style, str]] = []
    position = 0
    index = 0
    for style, text in pieces:
        start, end = position, position + len(text)
        cut = start
        while index < len(ranges) and ranges[index][0] < end:
            r_start, r_end = max(ranges[index][0], start), min(ranges[index][1], end)
            if r_start > cut:
                out.append((style, text[cut - start:r_start - start]))
            if r_end > r_start:
                out.append((style + extra, text[r_start - start:r_end - start]))
                cut = r_end
            if ranges[index][1] <= end:
                index += 1
            else:
                break
        if cut < end:
            out.append((style, text[cut - start:]))
        position = end
    return out


# -- colours --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Palette:
    """Rich styles derived from the theme's variables, rebuilt on every style/theme change."""

    base: Style
    gutter: Style
    gutter_cursor: Style
    ai: Style
    hotspot: Style
    line: dict[str, Style]  # kind -> background/foreground for the code area
    cursor: dict[str, Style]  # the same with the cursor background
    sign: dict[str, Style]
    word: dict[str, Style]  # kind -> background emphasising the changed words of a paired line
    search: Style
    elsewhere: Style
    reindented: dict[str, Style]  # add/del -> the muted style of a line that only changes whitespace
    annotation: Style
    divider: Style
    syntax: dict[str, Style]  # syntax-* variable -> foreground
    code: dict[tuple[bool, str], dict[str | None, Style]]  # (cursor, kind) -> syntax variable -> style
    variables: Mapping[str, str]
    background: Color


def _build_palette(variables: Mapping[str, str], base: Style) -> _Palette:
    background = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
    foreground = Color.from_rich_color(base.color) if base.color else Color(220, 220, 220)

    def colour(name: str) -> Color:
        resolved = resolve_colour(variables.get(name), background)
        if resolved is None:  # missing or broken in this theme: use review-tui's default
            resolved = resolve_colour(COLOR_VARIABLE_DEFAULTS[name], background)
        assert resolved is not None
        return resolved

    def fg(name: str, bold: bool | None = None) -> Style:
        return Style(color=colour(name).rich_color, bold=bold)

    def bg(c: Color) -> Style:
        return Style(bgcolor=c.rich_color)

    panel = resolve_colour(variables.get("panel"), background) or background
    cursor_bg = colour("diff-cursor-bg")
    line = {
        "context": Style(color=colour("diff-context").rich_color, bgcolor=background.rich_color),
        "add": Style(color=foreground.rich_color, bgcolor=colour("diff-added-bg").rich_color),
        "del": Style(color=foreground.rich_color, bgcolor=colour("diff-removed-bg").rich_color),
        "file": Style(color=colour("diff-file-header").rich_color, bgcolor=panel.rich_color, bold=True),
        "hunk": Style(color=colour("diff-hunk-header").rich_color, bgcolor=background.rich_color),
        "note": Style(color=colour("diff-context").rich_color, bgcolor=background.rich_color, italic=True),
    }
    cursor = {kind: style + bg(cursor_bg) for kind, style in line.items()}
    search_bg = colour("diff-search-bg")
    syntax = {name: fg(name) for name in COLOR_VARIABLE_DEFAULTS if name.startswith("syntax-")}
    # Every (line style, syntax colour) sum once per theme, not once per token drawn.
    code: dict[tuple[bool, str], dict[str | None, Style]] = {}
    for is_cursor, styles in ((False, line), (True, cursor)):
        for kind, style in styles.items():
            code[(is_cursor, kind)] = {None: style, **{name: style + value for name, value in syntax.items()}}
    return _Palette(
        base=base,
        gutter=fg("diff-gutter"),
        gutter_cursor=Style(color=foreground.rich_color, bold=True),
        ai=fg("gutter-ai", bold=True),
        hotspot=fg("hotspot", bold=True),
        line=line,
        cursor=cursor,
        sign={"add": fg("diff-added", bold=True), "del": fg("diff-removed", bold=True)},
        word={"add": bg(colour("diff-added-word-bg")), "del": bg(colour("diff-removed-word-bg"))},
        search=Style(bgcolor=search_bg.rich_color, color=search_bg.get_contrast_text(1.0).rich_color, bold=True),
        elsewhere=Style(color=colour("diff-context").rich_color, bgcolor=background.rich_color, dim=True),
        # re-indented: half the tint of its side, the text in the context colour (no syntax colours, no word marks)
        reindented={kind: Style(color=colour("diff-context").rich_color,
                                bgcolor=background.blend(colour(variable), 0.5).rich_color)
                    for kind, variable in (("add", "diff-added-bg"), ("del", "diff-removed-bg"))},
        annotation=Style(color=colour("gutter-ai").rich_color, italic=True),
        divider=fg("diff-gutter"),
        syntax=syntax,
        code=code,
        variables=variables,
        background=background,
    )


# -- blocks and runs ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Block:
    """A stretch of consecutive content rows of one file between headers, lexed as two streams."""

    old_rows: list[int]  # rows on the old side (context and deleted), in order
    new_rows: list[int]  # rows on the new side (context and added)
    old: StreamLexer
    new: StreamLexer


@dataclass(frozen=True, slots=True)
class _Run:
    """Deleted rows [start, mid) followed by added rows [mid, stop): the unit of line pairing."""

    start: int
    mid: int
    stop: int


def block_bounds(lines: Sequence[DisplayLine]) -> tuple[list[int], list[int]]:
    """(starts, stops) of the blocks: stretches of consecutive content rows of one file."""
    starts: list[int] = []
    stops: list[int] = []
    path: str | None = None
    for index, line in enumerate(lines):
        if line.kind in CONTENT_KINDS:
            if path is None or line.path != path:
                if path is not None:
                    stops.append(index)
                starts.append(index)
                path = line.path
        elif path is not None:
            stops.append(index)
            path = None
    if path is not None:
        stops.append(len(lines))
    return starts, stops


def change_runs(lines: Sequence[DisplayLine], block_starts: frozenset[int]) -> tuple[list[_Run], list[int]]:
    """The runs (deleted rows then added rows, within a block, both sides non-empty) and the first
    row of every stretch of deleted rows."""
    runs: list[_Run] = []
    del_starts: list[int] = []
    run_start = run_mid = -1
    previous = ""
    for index, line in enumerate(lines):
        kind = line.kind
        # a row continues the stretch before it: same kind, or an added row after deleted ones
        continues = index not in block_starts and (kind == previous or (kind == "add" and previous == "del"))
        if kind == "del" and not continues:
            del_starts.append(index)
        if continues and kind == "add" and previous == "del" and run_start >= 0:
            run_mid = index
        elif not continues or kind not in ("add", "del"):
            if run_mid >= 0:
                runs.append(_Run(run_start, run_mid, index))
            run_start, run_mid = (index, -1) if kind == "del" else (-1, -1)
        previous = kind
    if run_mid >= 0:
        runs.append(_Run(run_start, run_mid, len(lines)))
    return runs, del_starts


class _TextOf:
    """The display text of the k-th of `rows` (what a StreamLexer reads)."""

    __slots__ = ("_rows", "_view")

    def __init__(self, view: DiffView, rows: list[int]) -> None:
        self._view = view
        self._rows = rows

    def __call__(self, k: int) -> str:
        return self._view._display_text(self._rows[k])[0]


@dataclass(frozen=True, slots=True)
class Cell:
    """One line on one side, rendered once and cut for each screen line: the gutter and the full
    (uncropped) code as segments. Plain segment lists, not Strips: every Strip carries caches of its
    own, so a screen line builds exactly one Strip, in render_line."""

    gutter: list[Segment]
    gutter_width: int
    code: list[Segment]
    prose: str | None = None  # a note's text (prose for people, not code): wrapped between words in every layout


@lru_cache(maxsize=1024)
def prose_breaks(text: str, width: int) -> tuple[int, ...]:
    """Where each line of a note wrapped at `width` cells starts (cells into `text`): after the last space that
    fits; a word longer than the line where a path or name reads on (name_cut: after a slash, a dot, - _ :),
    else at the edge. A note cut at the edge ended mid-word ("the module it test"), and the manifests chunk's
    "what the bump changes: ..." lost the rest of the bump (FIX73); a package name folded at the edge read
    as two words ("...-name-for-w" / "rapping-tests")."""
    starts = [0]
    if width < 2:
        return tuple(starts)
    cells = [0]  # cells before each character, and after the last
    for char in text:
        cells.append(cells[-1] + (1 if char.isascii() else cell_len(char)))
    line = 0  # the character the line starts at
    after_space = None  # the character that follows the line's last space
    for index, char in enumerate(text):
        if cells[index + 1] - cells[line] > width:
            if after_space is not None and after_space > line:
                line = after_space
            else:  # a word longer than the line
                line = name_cut(text, line, index) if index - line > 1 else index
            starts.append(cells[line])
            after_space = None
        if char == " ":
            after_space = index + 1
    return tuple(starts)


def _cut(segments: list[Segment], start: int, end: int, fill: Style) -> list[Segment]:
    """Cells [start, end) of `segments`, padded with `fill` to end - start cells."""
    parts = list(Segment.divide(segments, [start, end]))  # fewer parts when the text ends sooner
    middle = parts[1] if len(parts) > 1 else []
    missing = (end - start) - sum(segment.cell_length for segment in middle)
    if missing > 0:
        middle.append(Segment(" " * missing, fill))
    return middle


class DiffView(ScrollView, can_focus=True):
    """A lazily rendered diff with a cursor line, line numbers, AI, hotspot and screen markers."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("diff"))

    DEFAULT_CSS = """
    DiffView {
        background: $surface;
        color: $foreground;
        overflow: auto auto;
        scrollbar-gutter: stable;
    }
    """

    @dataclass
    class CursorMoved(Message):
        """The cursor line changed (by key, click or set_lines)."""

        diff_view: DiffView
        line_index: int
        line: DisplayLine

        @property
        def control(self) -> DiffView:
            return self.diff_view

    @dataclass
    class LayoutChanged(Message):
        """The reader toggled the split layout or wrapping (screens keep the choice for the next view)."""

        diff_view: DiffView
        split: SplitMode
        wrap: bool

        @property
        def control(self) -> DiffView:
            return self.diff_view

    def __init__(
        self,
        lines: Sequence[DisplayLine] = (),
        *,
        split: SplitMode = "auto",
        wrap: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._lines: Sequence[DisplayLine] = ()
        self._split_mode: SplitMode = split
        self._wrap = wrap
        self._hunk_rows: list[int] = []
        self._two_sided = False  # the lines hold additions and deletions: auto layout may put them side by side
        self._widths: list[int] = []
        self._block_starts: list[int] = []
        self._block_stops: list[int] = []
        self._run_starts: list[int] = []
        self._runs: list[_Run] = []
        self._del_starts: list[int] = []  # first row of each stretch of deleted rows
        self._cursor = 0  # a view row
        self._old_width = 1
        self._new_width = 1
        self._widest = 0  # of the lines that scroll sideways (not the notes, which wrap)
        self._note_rows: list[int] = []
        # The view rows: None = one per line (unified); else (left line, right line) per row.
        self._pairs: list[tuple[int | None, int | None]] | None = None
        self._row_of_line: list[int] | None = None
        self._offsets: list[int] | None = None  # wrap: first visual line of each view row (+ total)
        self._layout_width = 0
        self._strips: LRUCache[tuple[int, bool], list[Cell]] = LRUCache(STRIP_CACHE_SIZE)
        self._blocks: LRUCache[int, _Block] = LRUCache(BLOCK_CACHE_SIZE)
        self._del_lexers: LRUCache[int, tuple[list[int], StreamLexer]] = LRUCache(BLOCK_CACHE_SIZE)
        self._texts: LRUCache[int, tuple[str, str]] = LRUCache(TEXT_CACHE_SIZE)
        self._alignments: dict[int, list[tuple[int, int]]] = {}  # run start -> pairs within the run
        self._partners: dict[int, int] = {}
        self._edits: LRUCache[tuple[int, int], LineEdit | None] = LRUCache(EDIT_CACHE_SIZE)
        self._markers: dict[MarkerKey, LineMarker] = {}
        self._search = ""
        self._search_fold = True
        self._matches: list[int] = []  # line indexes with a match, in order
        self._palette: _Palette | None = None
        self._hover_index: int | None = None
        self._warm_scheduled = False
        self._load(lines)

    # -- model ----------------------------------------------------------------------------------
    def set_lines(self, lines: Sequence[DisplayLine], *, cursor_line: int | None = None,
                  top: bool = False) -> None:
        """Replace the content and reset caches; the cursor goes to `cursor_line` (a line index,
        kept in view; at the top of the view with `top`) or to the first line."""
        self._load(lines)
        self._relayout()
        if cursor_line is None or not self._lines:
            self.scroll_to(0, 0, animate=False, immediate=True)
        else:
            self._cursor = self._view_row(max(0, min(cursor_line, len(self._lines) - 1)))
            self._place_cursor(top)
            # Textual only scrolls a widget whose scrollbars allow it, and those follow the new
            # virtual size at the next layout: place the cursor again once that has happened.
            self.call_after_refresh(self._place_cursor, top)
        self.refresh()
        if self._lines:
            self.post_message(self.CursorMoved(self, self.cursor_line_index, self._lines[self.cursor_line_index]))

    def _load(self, lines: Sequence[DisplayLine]) -> None:
        """Passes over the rows: widths, hunk headers, blocks (for lexing) and runs (for pairing)."""
        self._lines = lines
        self._clear_caches()
        self._cursor = 0
        self._hunk_rows = [index for index, line in enumerate(lines) if line.kind == "hunk"]
        kinds = {line.kind for line in lines}
        self._two_sided = "add" in kinds and "del" in kinds
        self._widths = [line_width(line.text) for line in lines]
        self._block_starts, self._block_stops = block_bounds(lines)
        self._runs, self._del_starts = change_runs(lines, frozenset(self._block_starts))
        self._run_starts = [run.start for run in self._runs]
        # a note is prose: it wraps in every layout (_row_height), so it never widens the scrolled code
        self._note_rows = [index for index, line in enumerate(lines) if line.kind == "note"]
        notes = frozenset(self._note_rows)
        self._widest = max((w for index, w in enumerate(self._widths) if index not in notes), default=0)
        max_old = max((line.old_no for line in lines if line.old_no is not None), default=0)
        max_new = max((line.new_no for line in lines if line.new_no is not None), default=0)
        self._old_width = len(str(max_old)) if max_old else 1
        self._new_width = len(str(max_new)) if max_new else 1
        if self._search:
            self._find_matches()

    def _clear_caches(self) -> None:
        self._strips.clear()
        self._blocks.clear()
        self._del_lexers.clear()
        self._texts.clear()
        self._alignments.clear()
        self._partners.clear()
        self._edits.clear()

    @property
    def lines(self) -> Sequence[DisplayLine]:
        """The rows shown (read-only: use set_lines to change them)."""
        return self._lines

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def gutter_width(self) -> int:
        """Cells left of the code in the unified layout: old no, new no, marker, AI, hotspot, sign, space."""
        return self._old_width + 1 + self._new_width + 1 + 4 + 1

    def _side_gutter_width(self, side: str) -> int:
        """Cells left of the code in one half of the split layout: a space (the right half's numbers
        touched the divider, "│319"), number, marker, AI, hotspot, sign, space."""
        return 1 + (self._old_width if side == "old" else self._new_width) + 1 + 4 + 1

    @property
    def cursor_index(self) -> int:
        """The cursor's view row: a line index in the unified layout, a row of pairs when split."""
        return self._cursor

    @property
    def cursor_line_index(self) -> int:
        """Index in `lines` of the line under the cursor (in a split row: the new side if it has one)."""
        return self._line_of_row(self._cursor)

    @property
    def cursor_line(self) -> DisplayLine | None:
        """The row under the cursor (for "comment on this line"), None when empty."""
        return self._lines[self.cursor_line_index] if self._lines else None

    def visible_lines(self) -> list[DisplayLine]:
        """The lines on screen now, in every layout: the chunk screen's evidence that a reader
        scrolled through a chunk.

        A view row counts when all of it is on screen: in the wrapped layout a long line cut off at
        the bottom (or top) edge has not been seen yet, unless it is taller than the view, when any
        part of it on screen counts (it can never be seen whole). Side by side, a row shows two
        lines (deleted beside added) and both count.
        """
        height = self.scrollable_content_region.height
        count = self.view_row_count
        if not self._lines or height <= 0 or not count:
            return []
        top = max(0, round(self.scroll_y))
        bottom = top + height  # first visual line below the view
        first, _ = self._row_at_visual(top)
        last, _ = self._row_at_visual(bottom - 1)
        shown: list[DisplayLine] = []
        for row in range(max(0, first), min(last, count - 1) + 1):
            row_top, rows = self._visual_top(row), self._visual_height(row)
            whole = top <= row_top and row_top + rows <= bottom
            if whole or rows > height:
                shown.extend(self._lines[index] for index in self._row_lines(row) if index is not None)
        return shown

    @property
    def hunk_rows(self) -> Sequence[int]:
        """Indexes (in `lines`) of the hunk header rows."""
        return self._hunk_rows

    @property
    def view_row_count(self) -> int:
        """Rows of the current layout (lines when unified, pairs when split)."""
        return len(self._pairs) if self._pairs is not None else len(self._lines)

    def find_line(self, path: str, *, old_no: int | None = None, new_no: int | None = None) -> int | None:
        """Index of the first line of `path` with that old or new number (a header when both are None)."""
        for index, line in enumerate(self._lines):
            if line.path != path:
                continue
            if old_no is None and new_no is None:
                if line.kind == "file":
                    return index
            elif (new_no is not None and line.new_no == new_no) or (old_no is not None and line.old_no == old_no):
                return index
        return None

    # -- layout: unified or split, wrapped or not ---------------------------------------------------
    @property
    def split_mode(self) -> SplitMode:
        return self._split_mode

    @property
    def split(self) -> bool:
        """Whether the diff is shown side by side now."""
        if self._split_mode == "auto":
            # the terminal's width, as README and the help say: the view's own is 2 less (its scrollbar), so
            # a 160-column terminal never got it. Only where both sides have lines: an added file side by side
            # was an empty left half beside code cut at half the width (QA49 #10)
            return self._two_sided and max(self._content_width(), self.app.size.width) >= SPLIT_MIN_WIDTH
        return self._split_mode == "on"

    @property
    def wrap(self) -> bool:
        return self._wrap

    def set_layout(self, *, split: SplitMode | None = None, wrap: bool | None = None) -> None:
        """Change the layout, keeping the cursor's line in view."""
        line = self.cursor_line_index if self._lines else 0
        if split is not None:
            self._split_mode = split
        if wrap is not None:
            self._wrap = wrap
        self._strips.clear()
        self._relayout()
        if self._lines:
            self._cursor = self._view_row(line)
            self._scroll_into_view(self._cursor, center=True)
        self.refresh()

    def action_toggle_split(self) -> None:
        self.set_layout(split="off" if self.split else "on")
        self.post_message(self.LayoutChanged(self, self._split_mode, self._wrap))

    def sideways_step(self) -> int:
        """Columns a left or right key scrolls: a quarter of the view, at least 8 (one column a key took
        three keys to move three columns)."""
        return max(8, self.size.width // 4)

    def action_scroll_left(self) -> None:
        if self.scroll_x <= 0:
            raise SkipAction()  # nothing to the left: the key is someone else's
        self.scroll_to(x=max(0, self.scroll_x - self.sideways_step()), animate=False)

    def action_scroll_right(self) -> None:
        if self.scroll_x >= self.max_scroll_x:
            raise SkipAction()
        self.scroll_to(x=min(self.max_scroll_x, self.scroll_x + self.sideways_step()), animate=False)

    def action_toggle_wrap(self) -> None:
        self.set_layout(wrap=not self._wrap)
        self.post_message(self.LayoutChanged(self, self._split_mode, self._wrap))

    def _content_width(self) -> int:
        width = self.scrollable_content_region.width
        return width if width > 0 else self.app.size.width

    def _relayout(self) -> None:
        """Rebuild the view rows and the virtual size for the current layout and width."""
        width = self._content_width()
        self._layout_width = width
        self._pairs = self._row_of_line = None
        if self.split:
            self._pairs, self._row_of_line = split_rows(self._lines, self._split_alignments())
        self._offsets = None
        # a note wider than the view wraps whatever the layout (the manifests chunk's "what the bump changes: ..."
        # was cut at the edge): the rows then have heights, as every row has when wrapped
        if self._wrap or any(self._widths[index] > width - self.gutter_width for index in self._note_rows):
            self._offsets = [0, *accumulate(self._row_height(row, width) for row in range(self.view_row_count))]
        if self._wrap:
            assert self._offsets is not None
            self.virtual_size = Size(width, self._offsets[-1])
        elif self._pairs is not None:
            half_code = self._half_widths(width)[0] - self._side_gutter_width("old")
            self.virtual_size = Size(width + max(0, self._widest + 1 - half_code),
                                     len(self._pairs) if self._offsets is None else self._offsets[-1])
        else:
            # +1 leaves room for the cursor line's trailing annotation to start on screen.
            self.virtual_size = Size(self.gutter_width + self._widest + 1,
                                     len(self._lines) if self._offsets is None else self._offsets[-1])

    @staticmethod
    def _half_widths(width: int) -> tuple[int, int]:
        left = (width - 1) // 2
        return left, max(1, width - 1 - left)

    def _row_height(self, row: int, width: int) -> int:
        """Visual lines of view row `row` at `width`: wrapped, or a note's (which wraps in every layout)."""
        def lines_for(index: int | None, code_width: int) -> int:
            if index is None:
                return 1
            if self._lines[index].kind == "note":  # between words
                return len(prose_breaks(self._display_text(index)[0], code_width))
            return max(1, -(-self._widths[index] // max(1, code_width))) if self._wrap else 1

        if self._pairs is None:
            return lines_for(row, width - self.gutter_width)
        left, right = self._pairs[row]
        if left is not None and left == right and self._lines[left].kind not in CONTENT_KINDS:
            return lines_for(left, width - self.gutter_width)
        left_width, right_width = self._half_widths(width)
        return max(lines_for(left, left_width - self._side_gutter_width("old")),
                   lines_for(right, right_width - self._side_gutter_width("new")))

    def on_resize(self, _event: events.Resize) -> None:
        width = self._content_width()
        if width != self._layout_width:
            line = self.cursor_line_index if self._lines else 0
            self._strips.clear()
            self._relayout()
            if self._lines:
                self._cursor = self._view_row(line)

    def _view_row(self, line_index: int) -> int:
        return self._row_of_line[line_index] if self._row_of_line is not None else line_index

    def _line_of_row(self, row: int) -> int:
        if self._pairs is None:
            return row
        if not self._pairs:
            return 0
        left, right = self._pairs[row]
        return right if right is not None else left if left is not None else 0

    def _visual_top(self, row: int) -> int:
        return self._offsets[row] if self._offsets is not None else row

    def _visual_height(self, row: int) -> int:
        return self._offsets[row + 1] - self._offsets[row] if self._offsets is not None else 1

    def _row_at_visual(self, y: int) -> tuple[int, int]:
        """(view row, line within it) at visual line `y`."""
        if self._offsets is None:
            return y, 0
        row = bisect.bisect_right(self._offsets, y) - 1
        return row, y - self._offsets[row]

    # -- cursor -----------------------------------------------------------------------------------
    @property
    def allow_vertical_scroll(self) -> bool:
        """Scrolling follows the content at once. Textual allows it once the scrollbar shows, which
        happens at the next layout, and a screen under a modal gets none: a jump made right after
        new lines arrive (the file list's choice, say) would be lost."""
        return not self.disabled and self.virtual_size.height > self.scrollable_content_region.height

    @property
    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def move_cursor(self, index: int, *, top: bool = False) -> None:
        """Put the cursor on view row `index` (clamped) and scroll it into view.

        `top` scrolls the row to the top of the view (used for hunk jumps, so the hunk shows whole).
        """
        count = self.view_row_count
        if not count:
            return
        index = max(0, min(index, count - 1))
        old = self._cursor
        self._cursor = index
        if top:
            self.scroll_to(y=self._visual_top(index), animate=False, immediate=True)
        else:
            self._scroll_into_view(index)
        if old != index:
            self._refresh_row(old)
            self._refresh_row(index)
            line = self.cursor_line_index
            self.post_message(self.CursorMoved(self, line, self._lines[line]))

    def move_to_line(self, line_index: int, *, top: bool = False) -> None:
        """Put the cursor on the view row showing line `line_index`."""
        if self._lines:
            self.move_cursor(self._view_row(max(0, min(line_index, len(self._lines) - 1))), top=top)

    def _place_cursor(self, top: bool) -> None:
        if top:
            self.scroll_to(y=self._visual_top(self._cursor), animate=False, immediate=True)
        else:
            self._scroll_into_view(self._cursor, center=True)

    def _scroll_into_view(self, row: int, *, center: bool = False) -> None:
        height = self._page_height
        top, rows = self._visual_top(row), self._visual_height(row)
        scroll_y = round(self.scroll_y)
        # a jump (a search match, a comment's line) lands with a few lines below it: on the last rows it sat
        # under the "N lines match" notice and the screen's edge
        margin = min(3, height // 4) if center else 0
        if center and not (scroll_y <= top and top + rows <= scroll_y + height - margin):
            self.scroll_to(y=max(0, top - height // 3), animate=False, immediate=True)
        elif top < scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + rows > scroll_y + height:
            self.scroll_to(y=min(top, top + rows - height), animate=False, immediate=True)

    def _refresh_row(self, row: int) -> None:
        self.refresh_lines(self._visual_top(row), self._visual_height(row))

    def _cursor_on_screen(self, moving_down: bool) -> int:
        """The cursor, or if the wheel scrolled it away, the nearest row on screen."""
        top = round(self.scroll_y)
        bottom = top + self._page_height - 1
        cursor_top = self._visual_top(self._cursor)
        if top <= cursor_top <= bottom:
            return self._cursor
        if moving_down:
            return self._row_at_visual(top)[0]
        return min(self._row_at_visual(bottom)[0], self.view_row_count - 1)

    def action_line_down(self) -> None:
        start = self._cursor_on_screen(True)
        self.move_cursor(start + 1 if start == self._cursor else start)

    def action_line_up(self) -> None:
        start = self._cursor_on_screen(False)
        self.move_cursor(start - 1 if start == self._cursor else start)

    def action_cursor_page_down(self) -> None:
        self._page(+1)

    def action_cursor_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        """Scroll a page and keep the cursor at the same place on screen."""
        count = self.view_row_count
        if not count:
            return
        height = self._page_height
        total = self._offsets[-1] if self._offsets is not None else count
        max_y = max(0, total - height)
        old_top = round(self.scroll_y)
        start = self._cursor_on_screen(direction > 0)
        new_top = max(0, min(max_y, old_top + direction * height))
        if new_top == old_top:  # already at an end: move the cursor to the last/first row instead
            self.move_cursor(count - 1 if direction > 0 else 0)
            return
        self.scroll_to(y=new_top, animate=False, immediate=True)
        target = self._row_at_visual(self._visual_top(start) + (new_top - old_top))[0]
        self.move_cursor(max(0, min(count - 1, target)))

    def action_next_hunk(self) -> None:
        position = bisect.bisect_right(self._hunk_rows, self.cursor_line_index)
        if position < len(self._hunk_rows):
            self.move_to_line(self._hunk_rows[position], top=True)

    def action_prev_hunk(self) -> None:
        position = bisect.bisect_left(self._hunk_rows, self.cursor_line_index) - 1
        if position >= 0:
            self.move_to_line(self._hunk_rows[position], top=True)

    def action_top(self) -> None:
        self.move_cursor(0)

    def action_bottom(self) -> None:
        self.move_cursor(self.view_row_count - 1)

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        visual = round(self.scroll_y) + offset.y
        total = self._offsets[-1] if self._offsets is not None else self.view_row_count
        if not 0 <= visual < total:
            return None
        return self._row_at_visual(visual)[0]

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event)
        if row is not None:
            self.focus()
            self.move_cursor(row)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Hovering an AI-written, hotspot or marked line shows what it is in a tooltip."""
        row = self._row_at(event)
        if row == self._hover_index:
            return
        self._hover_index = row
        label = self._annotation(self._lines[self._line_of_row(row)]) if row is not None else ""
        self.tooltip = Text(label) if label else None

    # -- search ---------------------------------------------------------------------------------------
    @property
    def search_text(self) -> str:
        return self._search

    @property
    def match_lines(self) -> Sequence[int]:
        """Indexes of the lines holding a match of the current search, in order."""
        return self._matches

    def search(self, text: str) -> int:
        """Highlight every occurrence of `text` (case-insensitive unless it has a capital, as in
        less and vim's smartcase) and return how many lines hold one; "" clears the search."""
        self._search = text
        self._search_fold = text == text.lower()
        self._find_matches()
        self._strips.clear()
        self.refresh()
        return len(self._matches)

    def _find_matches(self) -> None:
        needle = self._search.lower() if self._search_fold else self._search
        if not needle:
            self._matches = []
            return
        fold = self._search_fold
        self._matches = [
            index for index, line in enumerate(self._lines)
            if needle in (clip_text(line.text).lower() if fold else clip_text(line.text))
        ]

    def next_match(self, direction: int = 1) -> bool:
        """Move the cursor to the next (direction 1) or previous (-1) line with a match, wrapping
        around; False when nothing matches."""
        if not self._matches:
            return False
        line = self.cursor_line_index
        if direction > 0:
            position = bisect.bisect_right(self._matches, line)
            target = self._matches[position % len(self._matches)]
        else:
            position = bisect.bisect_left(self._matches, line) - 1
            target = self._matches[position]  # -1 wraps to the last one
        self.move_to_line(target)
        self._scroll_into_view(self._cursor, center=True)
        return True

    def action_search_next(self) -> None:
        self.next_match(+1)

    def action_search_previous(self) -> None:
        self.next_match(-1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("search_next", "search_previous"):
            return bool(self._search)
        return True

    # -- markers ---------------------------------------------------------------------------------------
    def set_markers(self, markers: Mapping[MarkerKey, LineMarker]) -> None:
        """Replace the gutter markers: {(path, "old"/"new", line number or None for the file header):
        LineMarker}. A context line shows a marker of either side."""
        self._markers = dict(markers)
        self._strips.clear()
        self.refresh()

    def marker_for(self, line: DisplayLine) -> LineMarker | None:
        markers = self._markers
        if not markers:
            return None
        if line.kind == "file":
            return markers.get((line.path, "new", None)) or markers.get((line.path, "old", None))
        if line.kind == "del":
            return markers.get((line.path, "old", line.old_no))
        if line.kind in ("add", "context"):
            return markers.get((line.path, "new", line.new_no)) or (
                markers.get((line.path, "old", line.old_no)) if line.kind == "context" else None)
        return None

    def _annotation(self, line: DisplayLine) -> str:
        parts = []
        if line.ai_tool:
            parts.append(f"AI: {visible(line.ai_tool)}")
        if line.hotspot:
            parts.append(f"hotspot: {visible(line.hotspot)}")
        if line.elsewhere:
            parts.append(f"changed in {visible(line.elsewhere)}")
        elif line.reindented:
            parts.append("only re-indented: the same text as a line it replaces but for whitespace")
        elif line.moved:
            parts.append("moved: a block deleted in one place of the change and added in another; check it moved "
                         "intact")
        marker = self.marker_for(line)
        if marker is not None and marker.label:
            parts.append(visible(marker.label))
        return " · ".join(parts)

    # -- styles -------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        super().on_mount()  # type: ignore[no-untyped-call]
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._relayout()
        if self._lines:  # the screen learns the initial cursor line the same way as later ones
            line = self.cursor_line_index
            self.post_message(self.CursorMoved(self, line, self._lines[line]))

    def _theme_changed(self, _theme: object) -> None:
        self._palette = None
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
        self._strips.clear()

    @property
    def palette(self) -> _Palette:
        if self._palette is None:
            variables = getattr(self.app, "theme_variables", {}) or {}
            self._palette = _build_palette(variables, self.rich_style)
        return self._palette

    # -- rendering ----------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row, sub = self._row_at_visual(scroll_y + y)
        if not 0 <= row < self.view_row_count:
            return Strip.blank(width, self.rich_style)
        is_cursor = row == self._cursor
        key = (row, is_cursor)
        cells = self._strips.get(key)
        if cells is None:
            cells = self._render_row(row, is_cursor)
            self._strips[key] = cells
        if not self._warm_scheduled:
            self._warm_scheduled = True
            self.call_after_refresh(self._warm_neighbours)
        palette = self.palette
        fills = [self._fill(index, is_cursor) for index in self._row_lines(row)]
        if len(cells) == 1:
            return Strip(self._place(cells[0], fills[0], width, scroll_x, sub), width)
        left_width, right_width = self._half_widths(width)
        divider = Segment("│", palette.divider + Style(bgcolor=palette.background.rich_color))
        return Strip([*self._place(cells[0], fills[0], left_width, scroll_x, sub), divider,
                      *self._place(cells[1], fills[1], right_width, scroll_x, sub)], width)

    def _warm_neighbours(self) -> None:
        """After a paint, render the rows of the next and the previous page ahead (lexing their
        blocks and pairing their words), so paging shows rows already rendered: the keypress only
        places them. Works in slices of WARM_SLICE_SECONDS so that a key pressed meanwhile waits
        no longer than one slice."""
        self._warm_scheduled = False
        count = self.view_row_count
        if not count or not self.is_mounted:
            return
        height = self._page_height
        top = self._row_at_visual(round(self.scroll_y))[0]
        bottom = self._row_at_visual(round(self.scroll_y) + height - 1)[0]
        reach = WARM_PAGES * height + 2  # a row or two more: a scrollbar may cover the last line
        wanted = [*range(bottom + 1, min(count, bottom + 1 + reach)), *range(max(0, top - reach), top)]
        self._warm_rows([row for row in wanted if (row, False) not in self._strips and row != self._cursor])

    def _warm_rows(self, rows: list[int]) -> None:
        deadline = time.perf_counter() + WARM_SLICE_SECONDS
        for position, row in enumerate(rows):
            if row < self.view_row_count and (row, False) not in self._strips:
                self._strips[row, False] = self._render_row(row, False)
            if time.perf_counter() > deadline and position + 1 < len(rows):
                self.set_timer(0.001, partial(self._warm_rows, rows[position + 1:]))
                return

    def _place(self, cell: Cell, fill: Style, width: int, scroll_x: int, sub: int) -> list[Segment]:
        """One cell cut to `width` cells: scrolled by `scroll_x`, or the `sub`-th wrapped line."""
        gutter_width = cell.gutter_width
        if gutter_width >= width:  # a terminal narrower than the gutter: show what fits
            return _cut(cell.gutter, 0, width, fill)
        code_width = width - gutter_width
        start, end = sub * code_width if self._wrap else scroll_x, 0
        if cell.prose is not None:  # a note wraps between words in every layout, and stays put when code scrolls
            starts = prose_breaks(cell.prose, code_width)
            start = starts[min(sub, len(starts) - 1)]
            end = starts[sub + 1] if sub + 1 < len(starts) else 0
        gutter = cell.gutter
        if sub and (self._wrap or cell.prose is not None):
            gutter = [Segment(" " * (gutter_width - 2) + "↪ ", self.palette.gutter + fill)]
        if end:  # the line's words, padded to the edge
            return [*gutter, *_cut(cell.code, start, end, fill), Segment(" " * (start + code_width - end), fill)]
        return [*gutter, *_cut(cell.code, start, start + code_width, fill)]

    def _row_lines(self, row: int) -> list[int | None]:
        """The line(s) a view row shows: one in the unified layout or for a split header, else two."""
        if self._pairs is None:
            return [row]
        left, right = self._pairs[row]
        if left is not None and left == right and self._lines[left].kind not in CONTENT_KINDS:
            return [left]
        return [left, right]

    def _fill(self, index: int | None, is_cursor: bool) -> Style:
        if index is None:
            return (self.palette.cursor if is_cursor else self.palette.line)["context"]
        return self._line_style(self._lines[index], is_cursor)[0]

    def _line_style(self, line: DisplayLine, is_cursor: bool) -> tuple[Style, bool]:
        """The style of a line's row and whether it is muted (another chunk's change, or one that only changes
        whitespace): drawn without syntax colours or word marks, the row filled alike past its text."""
        palette = self.palette
        kind = line.kind
        cursor_bg = Style(bgcolor=palette.cursor["context"].bgcolor) if is_cursor else Style()
        if line.elsewhere:
            return palette.elsewhere + cursor_bg, True
        if (line.reindented or line.moved) and kind in palette.reindented:
            return palette.reindented[kind] + cursor_bg, True
        return (palette.cursor if is_cursor else palette.line)[kind], False

    def _render_row(self, row: int, is_cursor: bool) -> list[Cell]:
        shown = self._row_lines(row)
        if len(shown) == 1:
            index = shown[0]
            assert index is not None
            return [self._render_cell(index, is_cursor, None)]
        return [self._render_cell(index, is_cursor, side) if index is not None
                else self._blank_cell(side, is_cursor)
                for index, side in zip(shown, ("old", "new"), strict=True)]

    def _blank_cell(self, side: str, is_cursor: bool) -> Cell:
        palette = self.palette
        style = (palette.cursor if is_cursor else palette.line)["context"]
        width = self._side_gutter_width(side)
        return Cell([Segment(" " * width, style)], width, [])

    def _gutter(self, line: DisplayLine, line_style: Style, is_cursor: bool,
                side: str | None) -> tuple[list[Segment], int]:
        palette = self.palette
        kind = line.kind
        gutter_style = line_style + (palette.gutter_cursor if is_cursor else palette.gutter)
        if side is None:
            old = str(line.old_no) if line.old_no is not None else ""
            new = str(line.new_no) if line.new_no is not None else ""
            numbers = f"{old:>{self._old_width}} {new:>{self._new_width}} "
            width = self.gutter_width
        else:
            number = line.old_no if side == "old" else line.new_no
            digits = self._old_width if side == "old" else self._new_width
            numbers = f" {number if number is not None else '':>{digits}} "
            width = self._side_gutter_width(side)
        segments = [Segment(numbers, gutter_style)]
        marker = self.marker_for(line)
        if marker is not None:
            colour = resolve_colour(palette.variables.get(marker.variable), palette.background)
            style = line_style + (Style(color=colour.rich_color, bold=True) if colour else Style(bold=True))
            segments.append(Segment((visible(marker.symbol) or " ")[:1], style))
        else:
            segments.append(Segment(" ", line_style))
        if kind in ("file", "hunk", "note"):
            segments.append(Segment({"file": "▶  ", "hunk": "⋯  ", "note": "   "}[kind] + " ", line_style))
        else:
            segments.append(Segment("▌" if line.ai_tool else " ", line_style + palette.ai))
            segments.append(Segment("▲" if line.hotspot else " ", line_style + palette.hotspot))
            sign = {"add": "+", "del": "-"}.get(kind, " ")
            sign_style = line_style + palette.sign.get(kind, Style())
            if line.elsewhere or line.reindented or line.moved:
                sign_style += Style(dim=True)
            mark = " "
            if not line.elsewhere and kind in ("add", "del"):
                mark = REINDENTED_MARK if line.reindented else MOVED_MARK if line.moved else " "
            segments.append(Segment(sign + mark, sign_style))
        return segments, width

    def _render_cell(self, index: int, is_cursor: bool, side: str | None) -> Cell:
        """The gutter and the full (uncropped) code strip of line `index` (on one side when split)."""
        palette = self.palette
        line = self._lines[index]
        kind = line.kind
        line_style, muted = self._line_style(line, is_cursor)
        gutter, gutter_width = self._gutter(line, line_style, is_cursor, side)
        text, note = self._display_text(index)
        if kind in CONTENT_KINDS:
            if muted:
                pieces: list[tuple[Style, str]] = [(line_style, value) for _, value in self._syntax(index)]
            else:
                styles = palette.code[(is_cursor, kind)]
                pieces = [(styles[variable], value) for variable, value in self._syntax(index)]
            if kind in ("add", "del") and not muted:
                edit_ranges = self._word_ranges(index)
                if edit_ranges:
                    pieces = _overlay(pieces, edit_ranges, palette.word[kind])
        else:
            pieces = [(line_style, text)]
        if self._search:
            pieces = _overlay(pieces, find_all(text, self._search.lower() if self._search_fold else self._search,
                                               fold=self._search_fold), palette.search)
        segments = [Segment(value, style) for style, value in pieces if value]
        if note:
            segments.append(Segment(note, line_style + Style(italic=True, dim=True)))
        if is_cursor and (annotation := self._annotation(line)):
            segments.append(Segment("  ◂ " + annotation, line_style + palette.annotation))
        return Cell(gutter, gutter_width, segments, prose=text if kind == "note" else None)

    # -- syntax and word emphasis (lazy, cached) -------------------------------------------------------
    def _display_text(self, index: int) -> tuple[str, str]:
        """display_text of line `index`, cached: rendering, lexing and word pairing all read it."""
        found = self._texts.get(index)
        if found is None:
            found = display_text(self._lines[index].text)
            self._texts[index] = found
        return found

    def _block_of(self, index: int) -> tuple[int, _Block] | None:
        position = bisect.bisect_right(self._block_starts, index) - 1
        if position < 0 or index >= self._block_stops[position]:
            return None
        start = self._block_starts[position]
        block = self._blocks.get(start)
        if block is None:
            stop = self._block_stops[position]
            lines = self._lines
            # The old side only matters for deleted rows (context rows take the new side's colours),
            # so it is lexed up to the last deleted row: a block without deletions never lexes it.
            last_del = next((i for i in range(stop - 1, start - 1, -1) if lines[i].kind == "del"), start - 1)
            old_rows = [i for i in range(start, last_del + 1) if lines[i].kind != "add"]
            new_rows = [i for i in range(start, stop) if lines[i].kind != "del"]
            lexer = lexer_for_path(lines[start].path)
            block = _Block(old_rows, new_rows, StreamLexer(lexer, len(old_rows), _TextOf(self, old_rows)),
                           StreamLexer(lexer, len(new_rows), _TextOf(self, new_rows)))
            self._blocks[start] = block
        return start, block

    def _syntax(self, index: int) -> list[Piece]:
        """The syntax pieces of content line `index`, lexed with its block's side: added and context
        lines with the new side, deleted lines with the old side (see _old_side)."""
        found = self._block_of(index)
        if found is None:
            return [(None, display_text(self._lines[index].text)[0])]
        start, block = found
        if self._lines[index].kind != "del":
            return block.new.pieces(bisect.bisect_left(block.new_rows, index))
        rows, stream = self._old_side(index, start, block)
        return stream.pieces(bisect.bisect_left(rows, index))

    def _old_side(self, index: int, block_start: int, block: _Block) -> tuple[list[int], StreamLexer]:
        """The rows and lexer colouring deleted line `index`.

        The old side of a block is its context and deleted lines; lexing all of it would lex every
        context line a second time. A stretch of deleted lines whose preceding line leaves nothing
        open on the new side (no docstring or block comment continues) is lexed on its own; one
        after an open line is lexed with the whole old side, so it colours as its context says.
        """
        run_start = self._del_starts[bisect.bisect_right(self._del_starts, index) - 1]
        found = self._del_lexers.get(run_start)
        if found is None:
            before = run_start - 1
            open_before = before >= block_start and block.new.open_after(bisect.bisect_left(block.new_rows, before))
            if open_before:
                found = (block.old_rows, block.old)
            else:
                lines = self._lines
                stop = run_start
                while stop < len(lines) and lines[stop].kind == "del" and lines[stop].path == lines[run_start].path:
                    stop += 1
                rows = list(range(run_start, stop))
                found = (rows, StreamLexer(lexer_for_path(lines[run_start].path), len(rows), _TextOf(self, rows)))
            self._del_lexers[run_start] = found
        return found

    def _run_of(self, index: int) -> _Run | None:
        position = bisect.bisect_right(self._run_starts, index) - 1
        if position < 0:
            return None
        run = self._runs[position]
        return run if index < run.stop else None

    def _run_pairs(self, run: _Run) -> list[tuple[int, int]]:
        """The aligned (deleted k, added k') pairs of a run, relative to its halves (cached)."""
        pairs = self._alignments.get(run.start)
        if pairs is None:
            old = [self._display_text(i)[0] for i in range(run.start, run.mid)]
            new = [self._display_text(i)[0] for i in range(run.mid, run.stop)]
            pairs = align(old, new)
            self._alignments[run.start] = pairs
            for i, j in pairs:
                self._partners[run.start + i] = run.mid + j
                self._partners[run.mid + j] = run.start + i
        return pairs

    def _split_alignments(self) -> dict[int, list[tuple[int, int]]]:
        """Alignments for the split layout: runs where pairing can move lines off their position
        (not 1 x 1, small enough to align), within SPLIT_ALIGN_BUDGET comparisons."""
        budget = SPLIT_ALIGN_BUDGET
        out: dict[int, list[tuple[int, int]]] = {}
        for run in self._runs:
            cells = (run.mid - run.start) * (run.stop - run.mid)
            if cells == 1 or cells > MAX_ALIGN_CELLS:
                continue
            if run.start not in self._alignments:
                if budget < cells:
                    continue
                budget -= cells
            out[run.start] = self._run_pairs(run)
        return out

    def partner(self, index: int) -> int | None:
        """The line a deleted or added line is paired with for word emphasis, if any."""
        run = self._run_of(index)
        if run is None:
            return None
        self._run_pairs(run)
        return self._partners.get(index)

    def word_edit(self, index: int) -> LineEdit | None:
        """The word-level edit between a deleted or added line and its partner (None: not paired,
        or too unlike)."""
        other = self.partner(index)
        if other is None:
            return None
        key = (min(index, other), max(index, other))
        if key in self._edits:
            return self._edits[key]
        old, new = (self._display_text(i)[0] for i in key)
        edit = word_diff(old, new)
        self._edits[key] = edit
        return edit

    def _word_ranges(self, index: int) -> tuple[tuple[int, int], ...]:
        edit = self.word_edit(index)
        if edit is None:
            return ()
        return edit.old if self._lines[index].kind == "del" else edit.new


def split_rows(
    lines: Sequence[DisplayLine], aligned: Mapping[int, Sequence[tuple[int, int]]] | None = None,
) -> tuple[list[tuple[int | None, int | None]], list[int]]:
    """The rows of the side-by-side layout and, for every line, the row showing it.

    Headers and notes span the row (left == right) and context lines show on both sides. In a run
    of deleted then added lines, `aligned` (run's first row -> pairs (i, j) of its i-th deleted and
    j-th added line, from app.core.intraline.align) puts each pair on one row, with the lines
    between pairs side by side; a run without an entry is laid out by position (the k-th deleted
    line beside the k-th added one, as GitHub's split view does). Every line is on exactly one row.
    """
    aligned = aligned or {}
    rows: list[tuple[int | None, int | None]] = []
    row_of = [0] * len(lines)
    count = len(lines)
    index = 0

    def add(left: int | None, right: int | None) -> None:
        for member in (left, right):
            if member is not None:
                row_of[member] = len(rows)
        rows.append((left, right))

    while index < count:
        kind = lines[index].kind
        if kind not in ("del", "add"):
            add(index, index)
            index += 1
            continue
        path = lines[index].path
        first = index
        dels: list[int] = []
        adds: list[int] = []
        while index < count and lines[index].kind == "del" and lines[index].path == path:
            dels.append(index)
            index += 1
        while index < count and lines[index].kind == "add" and lines[index].path == path:
            adds.append(index)
            index += 1
        i0 = j0 = 0
        for i, j in [*aligned.get(first, ()), (len(dels), len(adds))]:
            for k in range(max(i - i0, j - j0)):
                add(dels[i0 + k] if i0 + k < i else None, adds[j0 + k] if j0 + k < j else None)
            if i < len(dels) and j < len(adds):
                add(dels[i], adds[j])
            i0, j0 = i + 1, j + 1
    return rows, row_of
