"""DiffView: a scrolling, syntax-highlighted diff that stays fast on 30,000 lines.

It is a line-API widget (a ScrollView with render_line): only the rows on screen are rendered, each
row's Strip is cached in an LRU cache, and nothing is mounted per diff line. The model is a plain
sequence of DisplayLine built by `display_lines_for_files` from app.core.git.diff FileDiffs.

Repository text is untrusted: every line goes through app.core.text.visible() and is turned into
Segments directly (never Rich markup), so "[bold]" or an escape sequence in a diff shows literally.
Colours come from the current theme's variables ($diff-added, $syntax-keyword, ... see
app/tui/themes.py), re-read whenever the styles or the theme change.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from app.core.git.diff import FileDiff
from app.core.text import visible
from app.tui.keys import bindings_for
from app.tui.themes import COLOR_VARIABLE_DEFAULTS, resolve_colour

LineKind = Literal["file", "hunk", "context", "add", "del", "note"]

MAX_LINE_CHARS = 1_000
"""Characters of one line that are rendered; the rest is summarised as "…(N more chars)"."""
TAB_SIZE = 4
STRIP_CACHE_SIZE = 1_024
TOKEN_CACHE_SIZE = 4_096


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
    added and context lines (deleted lines have no new number).
    """
    ai_tools = ai_tools or {}
    hotspots = hotspots or {}
    rows: list[DisplayLine] = []
    for fd in files:
        path = fd.path
        counts = f"+{fd.additions} −{fd.deletions}" if not fd.binary else "binary"
        rows.append(DisplayLine("file", None, None, f"{fd.display_path}  ({fd.status}, {counts})", path))
        if fd.binary:
            size = max(fd.old_size, fd.new_size)
            known = f" ({size:,} bytes)" if size else ""  # git leaves sizes at 0 for unloaded binaries
            rows.append(_note(f"Binary or very large file{known}: content not shown.", path))
            continue
        if fd.old_mode and fd.new_mode and fd.old_mode != fd.new_mode:
            rows.append(_note(f"Mode changed {fd.old_mode:o} → {fd.new_mode:o}.", path))
        if not fd.hunks:
            if fd.is_pure_rename:
                rows.append(_note(f"Renamed without content changes (similarity {fd.similarity}%).", path))
            elif fd.status in ("added", "deleted"):
                rows.append(_note(f"Empty file {fd.status}.", path))
            continue
        tools_here = ai_tools.get(path, {})
        spots_here = hotspots.get(path, {})
        for hunk in fd.hunks:
            header = f"@@ -{hunk.old_start},{hunk.old_lines} +{hunk.new_start},{hunk.new_lines} @@"
            if hunk.header:
                header += " " + hunk.header
            rows.append(DisplayLine("hunk", None, None, header, path))
            for line in hunk.lines:
                kind: LineKind = "add" if line.origin == "+" else "del" if line.origin == "-" else "context"
                new_no = line.new_lineno
                rows.append(DisplayLine(
                    kind, line.old_lineno, new_no, line.text, path,
                    tools_here.get(new_no) if new_no is not None else None,
                    spots_here.get(new_no) if new_no is not None else None,
                ))
    return rows


# -- syntax highlighting ------------------------------------------------------------------------
# Token families checked from the most specific; the first match picks the theme variable.
_TOKEN_VARIABLES: tuple[tuple[_TokenType, str], ...] = (
    (Token.Comment, "syntax-comment"),
    (Token.Literal.String, "syntax-string"),
    (Token.Literal.Number, "syntax-number"),
    (Token.Keyword, "syntax-keyword"),
    (Token.Name.Function, "syntax-function"),
    (Token.Name.Decorator, "syntax-function"),
    (Token.Name.Class, "syntax-class"),
    (Token.Name.Builtin, "syntax-builtin"),
    (Token.Name.Tag, "syntax-keyword"),
    (Token.Name.Attribute, "syntax-function"),
    (Token.Operator, "syntax-operator"),
)
_variable_for_token: dict[_TokenType, str | None] = {}


def _token_variable(token: _TokenType) -> str | None:
    """The syntax-* variable colouring `token`, or None for plain text (memoised per token type)."""
    try:
        return _variable_for_token[token]
    except KeyError:
        # pygments' _TokenType.__contains__ asks "is a subtype of"; its stub sees a tuple of str
        found = next((var for family, var in _TOKEN_VARIABLES
                      if token in family), None)  # type: ignore[comparison-overlap]
        _variable_for_token[token] = found
        return found


_lexers: dict[str, Lexer | None] = {}


def lexer_for_path(path: str) -> Lexer | None:
    """A Pygments lexer chosen by file name (cached per extension), or None for plain text."""
    name = posixpath.basename(path)
    stem, dot, ext = name.rpartition(".")
    key = f".{ext.lower()}" if dot and stem else name
    if key not in _lexers:
        try:
            # stripnl/ensurenl off: each call gets one line and must give back exactly its text.
            _lexers[key] = get_lexer_for_filename(name, stripnl=False, ensurenl=False)
        except (ClassNotFound, ValueError):
            _lexers[key] = None
    return _lexers[key]


# -- rendering helpers --------------------------------------------------------------------------
def clip_text(raw: str, limit: int = MAX_LINE_CHARS) -> str:
    """Visible, tab-expanded text of one line, cut at `limit` characters with a "…(N more chars)" note.

    The cut comes first so a 5 MB line costs as much as a 1,000-character one.
    """
    extra = len(raw) - limit
    text = visible(raw[:limit] if extra > 0 else raw)
    if "\t" in text:
        text = text.expandtabs(TAB_SIZE)
    if extra > 0:
        text += f" …({extra:,} more chars)"
    return text


def _clipped_width(raw: str) -> int:
    """Cells clip_text(raw) will need, cheaply: the horizontal scroll range is bounded by the clip,
    so a 5 MB line costs as much as a 1,000-character one. Tabs are counted as a full tab stop, and
    the few characters visible() widens are ignored (an estimate is enough for a scroll range)."""
    extra = len(raw) - MAX_LINE_CHARS
    if extra > 0:
        raw = raw[:MAX_LINE_CHARS]
    width = len(raw) if raw.isascii() else cell_len(raw)
    if "\t" in raw:
        width += raw.count("\t") * (TAB_SIZE - 1)
    if extra > 0:
        width += len(f" …({extra:,} more chars)")
    return width


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
    annotation: Style
    syntax: dict[str, Style]  # syntax-* variable -> foreground


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
    sign = {
        "add": fg("diff-added", bold=True),
        "del": fg("diff-removed", bold=True),
    }
    syntax = {name: fg(name) for name in COLOR_VARIABLE_DEFAULTS if name.startswith("syntax-")}
    return _Palette(
        base=base,
        gutter=fg("diff-gutter"),
        gutter_cursor=Style(color=foreground.rich_color, bold=True),
        ai=fg("gutter-ai", bold=True),
        hotspot=fg("hotspot", bold=True),
        line=line,
        cursor=cursor,
        sign=sign,
        annotation=Style(color=colour("gutter-ai").rich_color, italic=True),
        syntax=syntax,
    )


class DiffView(ScrollView, can_focus=True):
    """A lazily rendered diff with a cursor line, line numbers, AI and hotspot markers."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("diff"))

    DEFAULT_CSS = """
    DiffView {
        background: $surface;
        color: $foreground;
        overflow: auto auto;
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

    def __init__(
        self,
        lines: Sequence[DisplayLine] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._lines: Sequence[DisplayLine] = ()
        self._hunk_rows: list[int] = []
        self._cursor = 0
        self._old_width = 1
        self._new_width = 1
        self._strips: LRUCache[tuple[int, bool], tuple[Strip, Strip]] = LRUCache(STRIP_CACHE_SIZE)
        self._tokens: LRUCache[tuple[str, str], list[tuple[str | None, str]]] = LRUCache(TOKEN_CACHE_SIZE)
        self._palette: _Palette | None = None
        self._hover_index: int | None = None
        self._load(lines)

    # -- model ----------------------------------------------------------------------------------
    def set_lines(self, lines: Sequence[DisplayLine]) -> None:
        """Replace the content, reset caches, scroll and cursor to the top."""
        self._load(lines)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()
        if self._lines:
            self.post_message(self.CursorMoved(self, 0, self._lines[0]))

    def _load(self, lines: Sequence[DisplayLine]) -> None:
        self._lines = lines
        self._strips.clear()
        self._cursor = 0
        hunks: list[int] = []
        max_old = max_new = 0
        widest = 0
        for index, line in enumerate(lines):
            if line.kind == "hunk":
                hunks.append(index)
            if line.old_no is not None and line.old_no > max_old:
                max_old = line.old_no
            if line.new_no is not None and line.new_no > max_new:
                max_new = line.new_no
            width = _clipped_width(line.text)
            if width > widest:
                widest = width
        self._hunk_rows = hunks
        self._old_width = len(str(max_old)) if max_old else 1
        self._new_width = len(str(max_new)) if max_new else 1
        # +1 leaves room for the cursor line's trailing annotation to start on screen.
        self.virtual_size = Size(self.gutter_width + widest + 1, len(lines))

    @property
    def lines(self) -> Sequence[DisplayLine]:
        """The rows shown (read-only: use set_lines to change them)."""
        return self._lines

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def gutter_width(self) -> int:
        """Cells left of the code: old no, new no, AI marker, hotspot marker, sign, space."""
        return self._old_width + 1 + self._new_width + 1 + 3 + 1

    @property
    def cursor_index(self) -> int:
        """Index of the cursor row in `lines`."""
        return self._cursor

    @property
    def cursor_line(self) -> DisplayLine | None:
        """The row under the cursor (for "comment on this line"), None when empty."""
        return self._lines[self._cursor] if self._lines else None

    @property
    def hunk_rows(self) -> Sequence[int]:
        """Indexes of the hunk header rows."""
        return self._hunk_rows

    # -- cursor -----------------------------------------------------------------------------------
    @property
    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def move_cursor(self, index: int, *, top: bool = False) -> None:
        """Put the cursor on row `index` (clamped) and scroll it into view.

        `top` scrolls the row to the top of the view (used for hunk jumps, so the hunk shows whole).
        """
        if not self._lines:
            return
        index = max(0, min(index, len(self._lines) - 1))
        old = self._cursor
        self._cursor = index
        height = self._page_height
        scroll_y = round(self.scroll_y)
        if top or index < scroll_y:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= scroll_y + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)
        if old != index:
            self.refresh_line(old)
            self.refresh_line(index)
            self.post_message(self.CursorMoved(self, index, self._lines[index]))

    def _cursor_on_screen(self, moving_down: bool) -> int:
        """The cursor, or if the wheel scrolled it away, the nearest row on screen."""
        top = round(self.scroll_y)
        bottom = min(len(self._lines), top + self._page_height) - 1
        if top <= self._cursor <= bottom:
            return self._cursor
        return top if moving_down else bottom

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
        if not self._lines:
            return
        height = self._page_height
        max_y = max(0, len(self._lines) - height)
        old_top = round(self.scroll_y)
        start = self._cursor_on_screen(direction > 0)
        new_top = max(0, min(max_y, old_top + direction * height))
        if new_top == old_top:  # already at an end: move the cursor to the last/first row instead
            self.move_cursor(len(self._lines) - 1 if direction > 0 else 0)
            return
        self.scroll_to(y=new_top, animate=False, immediate=True)
        self.move_cursor(start + (new_top - old_top))

    def action_next_hunk(self) -> None:
        position = bisect.bisect_right(self._hunk_rows, self._cursor)
        if position < len(self._hunk_rows):
            self.move_cursor(self._hunk_rows[position], top=True)

    def action_prev_hunk(self) -> None:
        position = bisect.bisect_left(self._hunk_rows, self._cursor) - 1
        if position >= 0:
            self.move_cursor(self._hunk_rows[position], top=True)

    def action_top(self) -> None:
        self.move_cursor(0)

    def action_bottom(self) -> None:
        self.move_cursor(len(self._lines) - 1)

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = round(self.scroll_y) + offset.y
        return index if 0 <= index < len(self._lines) else None

    def on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if index is not None:
            self.focus()
            self.move_cursor(index)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Hovering an AI-written or hotspot line shows the tool / hotspot in a tooltip."""
        index = self._row_at(event)
        if index == self._hover_index:
            return
        self._hover_index = index
        label = self._annotation(self._lines[index]) if index is not None else ""
        self.tooltip = Text(label) if label else None

    @staticmethod
    def _annotation(line: DisplayLine) -> str:
        parts = []
        if line.ai_tool:
            parts.append(f"AI: {visible(line.ai_tool)}")
        if line.hotspot:
            parts.append(f"hotspot: {visible(line.hotspot)}")
        return " · ".join(parts)

    # -- styles -------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        super().on_mount()  # type: ignore[no-untyped-call]  # textual's ScrollView.on_mount is unannotated
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        if self._lines:  # the screen learns the initial cursor line the same way as later ones
            self.post_message(self.CursorMoved(self, self._cursor, self._lines[self._cursor]))

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
        index = scroll_y + y
        width = self.size.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self._cursor
        key = (index, is_cursor)
        cached = self._strips.get(key)
        if cached is None:
            cached = self._render_row(self._lines[index], is_cursor)
            self._strips[key] = cached
        gutter, code = cached
        code_width = max(0, width - gutter.cell_length)
        palette = self.palette
        fill = (palette.cursor if is_cursor else palette.line)[self._lines[index].kind]
        code = code.crop_extend(scroll_x, scroll_x + code_width, fill)
        return Strip.join([gutter, code]).crop(0, width)

    def _render_row(self, line: DisplayLine, is_cursor: bool) -> tuple[Strip, Strip]:
        """The gutter and the full (uncropped) code strip of one row."""
        palette = self.palette
        kind = line.kind
        line_style = (palette.cursor if is_cursor else palette.line)[kind]
        gutter_style = line_style + (palette.gutter_cursor if is_cursor else palette.gutter)
        old = str(line.old_no) if line.old_no is not None else ""
        new = str(line.new_no) if line.new_no is not None else ""
        gutter_segments = [Segment(f"{old:>{self._old_width}} {new:>{self._new_width}} ", gutter_style)]
        if kind in ("file", "hunk", "note"):
            marker = {"file": "▶  ", "hunk": "⋯  ", "note": "   "}[kind]
            gutter_segments.append(Segment(marker + " ", line_style))
        else:
            gutter_segments.append(Segment("▌" if line.ai_tool else " ", line_style + palette.ai))
            gutter_segments.append(Segment("▲" if line.hotspot else " ", line_style + palette.hotspot))
            sign = {"add": "+", "del": "-"}.get(kind, " ")
            gutter_segments.append(Segment(sign + " ", line_style + palette.sign.get(kind, Style())))
        gutter = Strip(gutter_segments, self.gutter_width)

        text = clip_text(line.text)
        segments: list[Segment] = []
        if kind in ("add", "del", "context"):
            for variable, value in self._highlight(line.path, text):
                style = line_style + palette.syntax[variable] if variable else line_style
                segments.append(Segment(value, style))
        else:
            segments.append(Segment(text, line_style))
        if is_cursor and (annotation := self._annotation(line)):
            segments.append(Segment("  ◂ " + annotation, line_style + palette.annotation))
        return gutter, Strip(segments)

    def _highlight(self, path: str, text: str) -> list[tuple[str | None, str]]:
        """(syntax variable or None, text) pieces of one line, cached by lexer and text."""
        lexer = lexer_for_path(path)
        if lexer is None or not text.strip():
            return [(None, text)]
        key = (lexer.name, text)
        pieces = self._tokens.get(key)
        if pieces is None:
            pieces = []
            try:
                for token, value in lexer.get_tokens(text):
                    if value:
                        variable = _token_variable(token)
                        if pieces and pieces[-1][0] == variable:
                            pieces[-1] = (variable, pieces[-1][1] + value)
                        else:
                            pieces.append((variable, value))
            except Exception:  # a lexer bug must never take the diff down: show the line plain
                pieces = [(None, text)]
            # Lexers may emit newlines or drop trailing text; only trust them when the text survives.
            if "".join(value for _, value in pieces) != text:
                pieces = [(None, text)]
            self._tokens[key] = pieces
        return pieces
