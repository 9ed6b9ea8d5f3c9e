"""Reading a diff as in delta and GitHub: word emphasis, syntax per block, side by side, wrap,
search and gutter markers, driven with Pilot on the DiffView of a real repository's diff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.color import Color
from textual.screen import ModalScreen

from app.core.git.diff import FileDiff
from app.core.git.repo import GitRepo
from app.samples import load
from app.tui.themes import default_theme_dirs, load_themes, theme_variable_defaults
from app.tui.widgets.diff_view import (
    SPLIT_MIN_WIDTH,
    DiffView,
    DisplayLine,
    LineMarker,
    display_lines_for_files,
    split_rows,
)

THEMES, _ = load_themes(default_theme_dirs())
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

BASE = '''"""Retry policy for payment calls."""

import time


def backoff(attempt):
    """How long to wait before attempt `attempt`.

    The wait grows exponentially with each attempt.
    return, def and class are only words in this docstring.
    """
    return 2 ** attempt


class RetryPolicy:
    retry_budget = 3  # tries

    def run(self, call):
        for attempt in range(self.retry_budget):
            time.sleep(backoff(attempt))
            call()
'''

HEAD = '''"""Retry policy for payment calls."""

import time


def backoff(attempt):
    """How long to wait before attempt `attempt`.

    The wait grows linearly with each attempt.
    return, def and class are only words in this docstring.
    """
    return 2 * attempt


class RetryPolicy:
    """Retries a call a bounded number of times."""
    retry_limit = 5  # tries

    def run(self, call):
        for attempt in range(self.retry_limit):
            time.sleep(backoff(attempt))
            raise NotImplementedError("payments are frozen \x1b[31m[bold]today[/]")
''' + "    # " + "long comment " * 30 + "\n"


@pytest.fixture(scope="module")
def retry_files(tmp_path_factory: pytest.TempPathFactory) -> list[FileDiff]:
    samples = load()
    path = tmp_path_factory.mktemp("retry") / "repo"
    builder = samples.RepoBuilder(path)
    dev = samples.Person("Dev", "dev@example.com")
    base = builder.commit("base", {"svc/retry.py": BASE}, author=dev)
    head = builder.commit("change", {"svc/retry.py": HEAD}, author=dev)
    return GitRepo(str(path)).diff(base, head)


class DiffHost(App[None]):
    def __init__(self, lines: list[DisplayLine], theme: str = "review-dark", **view_options: object) -> None:
        super().__init__()
        self._lines = lines
        self._options = view_options
        for review_theme in THEMES.values():
            self.register_theme(review_theme.to_textual())
        self.theme = theme
        self.layouts: list[DiffView.LayoutChanged] = []

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    def compose(self) -> ComposeResult:
        yield DiffView(self._lines, id="diff", **self._options)  # type: ignore[arg-type]

    def on_diff_view_layout_changed(self, message: DiffView.LayoutChanged) -> None:
        self.layouts.append(message)


def _rows(app: App) -> list[list[Segment]]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def _text(row: list[Segment]) -> str:
    return "".join(segment.text for segment in row)


def _row_with(app: App, needle: str) -> list[Segment]:
    return next(row for row in _rows(app) if needle in _text(row))


def _rgb(value: str) -> tuple[int, int, int]:
    return Color.parse(value).rich_color.get_truecolor()


def _styled(row: list[Segment], needle: str) -> list[Segment]:
    """The segments of `row` covering the first occurrence of `needle` (split where styles change)."""
    text = _text(row)
    start = text.index(needle)
    out, position = [], 0
    for segment in row:
        end = position + len(segment.text)
        if end > start and position < start + len(needle):
            out.append(segment)
        position = end
    return out


def _bg(segment: Segment) -> tuple[int, int, int] | None:
    style = segment.style
    return style.bgcolor.get_truecolor() if style and style.bgcolor else None


def _fg(segment: Segment) -> tuple[int, int, int] | None:
    style = segment.style
    return style.color.get_truecolor() if style and style.color else None


# -- word-level emphasis ---------------------------------------------------------------------------
async def test_changed_words_of_paired_lines_are_emphasised(retry_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(retry_files)
    app = DiffHost(lines)
    theme = THEMES["review-dark"]
    added_word, removed_word = _rgb(theme.variable("diff-added-word-bg")), _rgb(theme.variable("diff-removed-word-bg"))
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        new = _row_with(app, "retry_limit = 5")
        old = _row_with(app, "retry_budget = 3")
        # exactly the changed tokens carry the strong background, the rest of the line does not
        assert {_bg(s) for s in _styled(new, "retry_limit")} == {added_word}
        assert {_bg(s) for s in _styled(new, "5")} == {added_word}
        assert added_word not in {_bg(s) for s in _styled(new, "# tries")}
        assert {_bg(s) for s in _styled(old, "retry_budget")} == {removed_word}
        assert removed_word not in {_bg(s) for s in _styled(old, "= ")}
        # 2 ** attempt -> 2 * attempt: the operator changed, so the whole `**` is emphasised (not one `*`
        # of it: a changed operator reads as the token it is)
        power = _row_with(app, "return 2 ** attempt")
        assert [(s.text, _bg(s)) for s in _styled(power, "**")] == [("**", removed_word)]
        # an unrelated replacement is a whole-line change: no word emphasis
        raised = _row_with(app, "raise NotImplementedError")
        assert added_word not in {_bg(s) for s in raised}
        # the pairing skips the inserted docstring line: the class's retry_budget pairs with retry_limit
        view = app.query_one(DiffView)
        budget = next(i for i, line in enumerate(lines) if "retry_budget = 3" in line.text)
        assert "retry_limit = 5" in lines[view.partner(budget) or 0].text


# -- syntax per block -----------------------------------------------------------------------------
async def test_docstring_lines_colour_as_strings_not_code(retry_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(retry_files)
    app = DiffHost(lines)
    theme = THEMES["review-dark"]
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        inside = _row_with(app, "return, def and class are only words")
        # lexed line by line "return" and "def" would be keywords; in the block they are docstring text
        assert {_fg(s) for s in _styled(inside, "return, def and class")} == {_rgb(theme.variable("syntax-string"))}
        code = _row_with(app, "return 2 * attempt")
        assert {_fg(s) for s in _styled(code, "return")} == {_rgb(theme.variable("syntax-keyword"))}
        # the deleted line is lexed with the old side of the block, and is a docstring line there too
        old_doc = _row_with(app, "grows exponentially")
        assert {_fg(s) for s in _styled(old_doc, "The wait")} == {_rgb(theme.variable("syntax-string"))}


# -- side by side ---------------------------------------------------------------------------------
def test_split_rows_pair_runs_by_position_and_keep_every_line(retry_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(retry_files)
    rows, row_of = split_rows(lines)
    shown = [i for left, right in rows for i in {left, right} if i is not None]
    assert sorted(shown) == list(range(len(lines)))  # every line exactly once
    for index, (left, right) in enumerate(rows):
        for member in (left, right):
            if member is not None:
                assert row_of[member] == index
        if left is not None and right is not None and left != right:
            assert lines[left].kind == "del" and lines[right].kind == "add"
        if left is None:
            assert lines[right].kind == "add"  # type: ignore[index]
        if right is None:
            assert lines[left].kind == "del"  # type: ignore[index]


@pytest.mark.parametrize(("width", "split"), [(159, False), (160, True)])
async def test_side_by_side_starts_at_a_160_column_terminal(retry_files: list[FileDiff], width: int,
                                                             split: bool) -> None:
    """README and the help say 160; the view measured itself without its scrollbar and needed 162."""
    app = DiffHost(display_lines_for_files(retry_files))
    async with app.run_test(size=(width, 40)) as pilot:
        await pilot.pause()
        assert app.query_one(DiffView).split is split


async def test_wide_terminals_split_automatically_and_s_toggles(retry_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(retry_files)
    app = DiffHost(lines)
    async with app.run_test(size=(200, 50)) as pilot:
        view = app.query_one(DiffView)
        await pilot.pause()
        assert view.split and view.scrollable_content_region.width >= SPLIT_MIN_WIDTH
        row = _row_with(app, "retry_budget = 3")
        text = _text(row)
        # old on the left, new on the right, on one row, divided by a bar
        assert text.index("retry_budget = 3") < text.index("│") < text.index("retry_limit = 5")
        target = next(i for i, line in enumerate(lines) if "retry_limit = 5" in line.text)
        view.move_to_line(target)
        await pilot.press("s")
        await pilot.pause()
        assert not view.split and view.cursor_line_index == target  # the cursor stays on its line
        assert app.layouts[-1].split == "off"
        assert "│" not in _text(_row_with(app, "retry_limit = 5"))
        await pilot.press("s")
        await pilot.pause()
        assert view.split and view.cursor_line_index == target and app.layouts[-1].split == "on"


async def test_an_added_file_stays_unified_on_a_wide_terminal_unless_asked(tmp_path: Path) -> None:
    """QA49 #10: at 160 columns a new file was shown side by side: 78 blank columns on the left beside code cut
    at half the width. Auto layout splits only where there are lines on both sides; `s` still splits it."""
    samples = load()
    builder = samples.RepoBuilder(tmp_path / "repo")
    dev = samples.Person("Dev", "dev@example.com")
    base = builder.commit("base", {"README.md": "x\n"}, author=dev)
    wide = "from azure.containerapps.sandbox import AddPortRequest, PortAuthConfig, SandboxGroupClient  # noqa\n"
    head = builder.commit("add", {"svc/sandbox.py": wide * 20}, author=dev)
    lines = display_lines_for_files(GitRepo(str(builder.path)).diff(base, head))
    app = DiffHost(lines)
    async with app.run_test(size=(200, 50)) as pilot:
        view = app.query_one(DiffView)
        await pilot.pause()
        assert not view.split
        assert "PortAuthConfig, SandboxGroupClient  # noqa" in _text(_row_with(app, "AddPortRequest"))  # whole
        await pilot.press("s")
        await pilot.pause()
        assert view.split


async def test_narrow_terminals_stay_unified_unless_asked(retry_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(retry_files)
    app = DiffHost(lines)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(DiffView)
        await pilot.pause()
        assert not view.split
        await pilot.press("s")
        await pilot.pause()
        assert view.split
        row = _text(_row_with(app, "retry_budget = 3"))
        assert "│" in row and "retry_limit" in row
        # navigation works on split rows: every row is reachable and the cursor line is a real line
        seen = set()
        for _ in range(view.view_row_count + 2):
            seen.add(view.cursor_line_index)
            await pilot.press("j")
        assert seen >= {i for i, line in enumerate(lines) if line.kind != "del"}


# -- wrapping -------------------------------------------------------------------------------------
async def test_wrap_shows_long_lines_whole_and_keeps_the_cursor(retry_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(retry_files)
    long_index = next(i for i, line in enumerate(lines) if "long comment" in line.text)
    app = DiffHost(lines)
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(DiffView)
        view.move_to_line(long_index)
        await pilot.press("w")
        await pilot.pause()
        assert view.wrap and view.cursor_line_index == long_index
        assert view.virtual_size.height > len(lines)  # the long line takes several screen lines
        screen = "".join(_text(row).rstrip() for row in _rows(app))
        compact = re.sub(r"\s+|↪", "", screen)
        assert re.sub(r"\s+", "", lines[long_index].text) in compact
        assert view.max_scroll_x == 0
        await pilot.press("k")
        assert view.cursor_line_index == long_index - 1
        await pilot.press("w")
        await pilot.pause()
        assert not view.wrap and view.virtual_size.height == len(lines)


# -- search ---------------------------------------------------------------------------------------
async def test_search_highlights_matches_and_n_moves_between_them(retry_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(retry_files)
    app = DiffHost(lines)
    theme = THEMES["review-dark"]
    async with app.run_test(size=(120, 60)) as pilot:
        view = app.query_one(DiffView)
        await pilot.press("n")  # no search yet: nothing happens
        assert view.cursor_index == 0
        count = view.search("retry_")
        expected = [i for i, line in enumerate(lines) if "retry_" in line.text]
        assert count == len(expected) and list(view.match_lines) == expected
        await pilot.press("n")
        assert view.cursor_line_index == expected[0]
        await pilot.press("n", "n")
        assert view.cursor_line_index == expected[2]
        await pilot.press("N")
        assert view.cursor_line_index == expected[1]
        await pilot.pause()
        search_bg = _rgb(theme.variable("diff-search-bg"))
        row = _row_with(app, "retry_budget = 3")
        assert {_bg(s) for s in _styled(row, "retry_")} == {search_bg}
        # capitals make it case-sensitive; lower case matches any case
        assert view.search("RETRY") == 0
        assert view.search("retrypolicy") == 1
        view.search("")
        await pilot.pause()
        assert search_bg not in {_bg(s) for row in _rows(app) for s in row}


# -- markers and hostile text in every layout ------------------------------------------------------
async def test_markers_show_in_the_gutter_with_their_label(retry_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(retry_files)
    target = next(i for i, line in enumerate(lines) if "retry_limit = 5" in line.text)
    app = DiffHost(lines)
    async with app.run_test(size=(120, 60)) as pilot:
        view = app.query_one(DiffView)
        view.set_markers({("svc/retry.py", "new", lines[target].new_no): LineMarker("●", "accent", "2 comments")})
        view.move_to_line(target)
        await pilot.pause()
        row = _text(_row_with(app, "retry_limit = 5"))
        assert "●" in row[:view.gutter_width] and "◂ 2 comments" in row


@pytest.mark.parametrize(("size", "keys"), [((200, 50), []), ((100, 40), ["w"]), ((200, 50), ["w"])])
async def test_untrusted_text_is_literal_in_every_layout(retry_files: list[FileDiff], size: tuple[int, int],
                                                         keys: list[str]) -> None:
    lines = display_lines_for_files(retry_files)
    app = DiffHost(lines)
    async with app.run_test(size=size) as pilot:
        await pilot.press(*keys, "G")
        await pilot.pause()
        screen = "\n".join(_text(row) for row in _rows(app))
        assert "[bold]today[/]" in screen.replace("↪", "").replace("\n", "") or "[bold]" in screen
        for row in _rows(app):
            for segment in row:
                assert not CONTROL.search(segment.text), repr(segment.text)


# -- snapshots ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "keys"), [((200, 50), []), ((80, 24), ["w", "G"])])
def test_snapshot_reading(retry_files: list[FileDiff], snap_compare, size: tuple[int, int],
                          keys: list[str], tmp_path: Path) -> None:
    lines = display_lines_for_files(retry_files)
    target = next(i for i, line in enumerate(lines) if "retry_limit = 5" in line.text)

    async def setup(pilot) -> None:  # type: ignore[no-untyped-def]
        view = pilot.app.query_one(DiffView)
        view.search("attempt")
        view.set_markers({("svc/retry.py", "new", lines[target].new_no): LineMarker("●", "accent", "1 comment")})
        view.move_to_line(target)

    assert snap_compare(DiffHost(lines), terminal_size=size, press=keys, run_before=setup)


async def test_new_lines_with_a_cursor_line_scroll_to_it_even_from_a_short_diff() -> None:
    """A chunk of one line, then a long one with the cursor asked on line 200: the view must scroll
    there although its scrollbars only follow the new size at the next layout."""
    short = [DisplayLine("context", 1, 1, "x = 1", "a.py")]
    long = [DisplayLine("context", i, i, f"value_{i} = {i}", "a.py") for i in range(1, 300)]
    app = DiffHost(short)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        view.set_lines(long, cursor_line=200, top=True)
        await pilot.pause()
        assert view.cursor_line_index == 200 and view.scroll_y == 200
        view.set_lines(short)
        await pilot.pause()
        view.set_lines(long, cursor_line=150)
        await pilot.pause()
        top = round(view.scroll_y)
        assert top <= 150 < top + view.scrollable_content_region.height
        # new lines set while a modal covers the view (a choice in a list dialog): the jump holds
        view.set_lines(short)
        await pilot.pause()
        await app.push_screen(ModalScreen())
        view.set_lines(long, cursor_line=250, top=True)
        app.pop_screen()
        await pilot.pause()
        assert view.cursor_line_index == 250 and view.scroll_y == min(250, view.max_scroll_y)
