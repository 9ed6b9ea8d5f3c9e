"""Functional tests of the DiffView (driven with Pilot on diffs of real repositories), the action
registry it takes its keys from, and the help screen generated from that registry."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from rich.segment import Segment
from textual import events
from textual.app import App, ComposeResult
from textual.color import Color

from app.core.git.diff import FileDiff
from app.core.git.repo import GitRepo
from app.samples import load
from app.tui import keys
from app.tui.screens.help import HelpScreen
from app.tui.themes import default_theme_dirs, load_themes, theme_variable_defaults
from app.tui.widgets.diff_view import (
    DIFF_MARKS,
    MAX_LINE_CHARS,
    STRIP_CACHE_SIZE,
    DiffView,
    DisplayLine,
    display_lines_for_files,
)

HOSTILE = (
    "banner = 1  # \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07click\x1b]8;;\x07"
    " bell\x07 [bold red]x[/]"
)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _module(version: int, size: int = 60) -> str:
    """A Python module; `version` changes three separate places so the diff has three hunks."""
    out = ['"""Payments."""', "import math", ""]
    for i in range(size):
        if i in (5, 30, 55) and version:
            out.append(f"def step_{i}(x):\n    return math.floor(x * {i + version})  # v{version}")
        else:
            out.append(f"def step_{i}(x):\n    return x + {i}")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> list[FileDiff]:
    """A real diff: a 3-hunk Python change, hostile text, a binary file, a rename and a long line."""
    samples = load()
    path = tmp_path_factory.mktemp("repo") / "repo"
    builder = samples.RepoBuilder(path)
    dev = samples.Person("Dev", "dev@example.com")
    base = builder.commit("base", {
        "src/pay.py": _module(0),
        "README.md": "# Readme\n\nplain\n",
        "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00binary",
        "docs/old_name.txt": "same content\n" * 5,
    }, author=dev)
    head = builder.commit("change", {
        "src/pay.py": _module(1),
        "README.md": f"# Readme\n\nplain\n{HOSTILE}\n\tindented with a tab\n" + "w" * 3000 + "\n",
        "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x01binary!",
        "docs/old_name.txt": None,
        "docs/new_name.txt": "same content\n" * 5,
    }, author=dev)
    return GitRepo(str(path)).diff(base, head)


THEMES, THEME_ERRORS = load_themes(default_theme_dirs())


class DiffHost(App[None]):
    """A tiny host: one DiffView, review-tui's themes, cursor messages recorded."""

    def __init__(self, lines: list[DisplayLine], theme: str = "review-dark") -> None:
        super().__init__()
        self._lines = lines
        self._theme_name = theme
        self.moves: list[DiffView.CursorMoved] = []
        for review_theme in THEMES.values():
            self.register_theme(review_theme.to_textual())
        self.theme = theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    def compose(self) -> ComposeResult:
        yield DiffView(self._lines, id="diff")

    def on_diff_view_cursor_moved(self, message: DiffView.CursorMoved) -> None:
        self.moves.append(message)


def _screen_segments(app: App) -> list[list[Segment]]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def _colour_of(segment: Segment) -> tuple[int, int, int]:
    assert segment.style is not None and segment.style.color is not None
    return segment.style.color.get_truecolor()


def _rgb(value: str) -> tuple[int, int, int]:
    return Color.parse(value).rich_color.get_truecolor()


def _screen_text(app: App) -> str:
    return "\n".join("".join(seg.text for seg in row) for row in _screen_segments(app))


# -- the model -------------------------------------------------------------------------------------
def test_display_lines_follow_the_diff(sample_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(sample_files, ai_tools={"src/pay.py": {15: "Claude Code"}},
                                    hotspots={"src/pay.py": {15: "CC 3 step_5"}})
    headers = [line for line in lines if line.kind == "file"]
    assert [h.path for h in headers] == [fd.path for fd in sample_files]
    assert sum(1 for line in lines if line.kind == "hunk") == sum(len(fd.hunks) for fd in sample_files)
    pay = next(fd for fd in sample_files if fd.path == "src/pay.py")
    pay_rows = [line for line in lines if line.path == "src/pay.py"]
    assert sum(1 for line in pay_rows if line.kind == "add") == pay.additions
    assert sum(1 for line in pay_rows if line.kind == "del") == pay.deletions
    assert sum(1 for line in pay_rows if line.kind == "hunk") == 3
    # line numbers come through; deleted rows have no new number, added rows no old number
    assert all(line.new_no is None for line in pay_rows if line.kind == "del")
    assert all(line.old_no is None for line in pay_rows if line.kind == "add")
    marked = [line for line in lines if line.ai_tool]
    assert [(m.path, m.new_no, m.ai_tool, m.hotspot) for m in marked] == [("src/pay.py", 15, "Claude Code",
                                                                           "CC 3 step_5")]
    notes = [line.text for line in lines if line.kind == "note"]
    assert any("Binary" in text for text in notes)
    assert any(text.startswith("Renamed without content changes") for text in notes)


# -- keys, scrolling, mouse ------------------------------------------------------------------------
async def test_keys_move_the_cursor_and_scroll(sample_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(sample_files)
    app = DiffHost(lines)
    async with app.run_test(size=(80, 12)) as pilot:  # small, so a few pages fit in the diff
        view = app.query_one(DiffView)
        assert app.focused is view
        await pilot.press("j", "j", "down")
        assert view.cursor_index == 3 and view.cursor_line == lines[3]
        await pilot.press("k", "up")
        assert view.cursor_index == 1
        await pilot.pause()
        assert [m.line_index for m in app.moves][-5:] == [1, 2, 3, 2, 1]
        assert app.moves[-1].line == lines[1] and app.moves[-1].control is view

        page = view.scrollable_content_region.height
        await pilot.press("pagedown")
        assert view.scroll_y == page and view.cursor_index == 1 + page
        await pilot.press("space")
        assert view.scroll_y == 2 * page and view.cursor_index == 1 + 2 * page
        await pilot.press("pageup")
        assert view.scroll_y == page and view.cursor_index == 1 + page

        await pilot.press("G")
        assert view.cursor_index == len(lines) - 1
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("g")
        assert view.cursor_index == 0 and view.scroll_y == 0
        await pilot.press("end")
        assert view.cursor_index == len(lines) - 1
        await pilot.press("home")
        assert view.cursor_index == 0


async def test_hunk_jumps_land_on_each_hunk_header(sample_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(sample_files)
    hunk_rows = [i for i, line in enumerate(lines) if line.kind == "hunk"]
    assert len(hunk_rows) >= 4
    app = DiffHost(lines)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        visited = []
        for _ in hunk_rows:
            await pilot.press("right_square_bracket")
            visited.append(view.cursor_index)
            # the header is put at the top, so the whole hunk is in view
            assert view.scroll_y == min(view.cursor_index, view.max_scroll_y)
        assert visited == hunk_rows
        await pilot.press("]")  # past the last hunk: stays
        assert view.cursor_index == hunk_rows[-1]
        await pilot.press("[", "[")
        assert view.cursor_index == hunk_rows[-3]
        assert view.cursor_line is not None and view.cursor_line.kind == "hunk"


async def test_click_sets_cursor_and_wheel_scrolls(sample_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(sample_files)
    app = DiffHost(lines)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        await pilot.click(DiffView, offset=(20, 6))
        assert view.cursor_index == 6
        await pilot.pause()
        assert app.moves[-1].line_index == 6

        for _ in range(4):
            view.post_message(events.MouseScrollDown(view, 10, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert view.scroll_y > 0
        # the wheel does not move the cursor; the next key brings it back into view
        assert view.cursor_index == 6
        top = round(view.scroll_y)
        if top > 6:
            await pilot.press("j")
            assert view.cursor_index == top
        await pilot.click(DiffView, offset=(20, 2))
        assert view.cursor_index == round(view.scroll_y) + 2


async def test_long_lines_scroll_horizontally_and_huge_lines_are_clipped(tmp_path: Path) -> None:
    huge = "x" * 5_000_000
    lines = [
        DisplayLine("file", None, None, "big.txt  (modified, +2 −0)", "big.txt"),
        DisplayLine("add", None, 1, "short", "big.txt"),
        DisplayLine("add", None, 2, huge, "big.txt"),
    ]
    app = DiffHost(lines)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        assert view.virtual_size.width <= view.gutter_width + MAX_LINE_CHARS + 40
        started = time.perf_counter()
        view.set_lines(lines)
        await pilot.pause()
        assert time.perf_counter() - started < 1.0  # a 5 MB line is never rendered whole
        await pilot.press("G")
        assert view.cursor_index == 2
        await pilot.press("right", "right", "right")
        await pilot.pause()
        assert view.scroll_x == 3 * 20  # a quarter of the 80-column view a key (it was one column)
        await pilot.press("left")
        await pilot.pause()
        assert view.scroll_x == 40
        view.scroll_to(x=view.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        assert "…(4,999,000 more chars)" in _screen_text(app)


@pytest.mark.parametrize("wrap", [False, True])
async def test_a_note_wider_than_the_view_wraps_between_words_and_code_is_cut_bare(tmp_path: Path, wrap) -> None:
    """A note is prose: at 80 columns one ended mid-word ("the module it test"), then was cut with "…", and the
    manifests chunk's "what the bump changes: ..." lost the rest of the bump (FIX73). It wraps between words, in
    either layout, and is all on screen; a code line is cut bare where it is not wrapped (its rest is a scroll
    away, and an "…" could be read as code)."""
    note = "command_test.go is reviewed with command.go, the module it tests, which is in chunk 2 " * 2
    code = "x = compute(" + "argument, " * 20 + ")"
    lines = [DisplayLine("note", None, None, note, "a.go"), DisplayLine("add", None, 1, code, "a.go")]
    app = DiffHost(lines)
    async with app.run_test(size=(80, 12)) as pilot:
        view = app.query_one(DiffView)
        view.set_layout(wrap=wrap)
        await pilot.pause()
        rows = [row.rstrip() for row in _screen_text(app).splitlines()]
        first = next(i for i, row in enumerate(rows) if "command_test.go" in row)
        code_at = next(i for i, row in enumerate(rows) if "compute(" in row)
        pieces = [row.strip().removeprefix("↪").strip() for row in rows[first:code_at]]
        assert len(pieces) == 3 and all(row.strip().startswith("↪") for row in rows[first + 1:code_at]), rows
        assert " ".join(pieces) == note.strip(), pieces  # whole, and every line ends at a word's end
        if not wrap:
            assert not rows[code_at].rstrip("▁▂▃▄▅▆▇█▏▎▍▌▋▊▉ ").endswith("…") and "argument, )" not in rows[code_at]
        view.move_cursor(1)  # the code line under its note: the rows are where the view says
        await pilot.pause()
        assert view.cursor_line is lines[1]



@pytest.mark.parametrize("wrap", [False, True])
async def test_a_long_package_name_or_path_in_a_note_breaks_where_it_reads_on(tmp_path: Path, wrap) -> None:
    """A word longer than the line was folded at the edge: at 80 columns the bump note of a scoped package read
    "@organisation-with-long-scope/extraordinarily-long-package-name-for-w" / "rapping-tests" (stop 51). It breaks
    after a slash, then a dot, hyphen or underscore, as the why panel's explanations do."""
    name = "@organisation-with-long-scope/extraordinarily-long-package-name-for-wrapping-tests"
    path = ("packages/workspace-with-a-really-long-name/internal_modules_for_testing/deeply_nested_configuration_"
            "directory/src/a_module_with_an_unusually_long_file_name_for_testing_note_wrapping.py")
    note = (f"what the bump changes: bumps 1 dependency across a major version (or a 0.x minor: semver lets it "
            f"break callers): {name} ^1.0.0 -> ^2.0.0; read with {path}")
    lines = [DisplayLine("note", None, None, note, "a.go"), DisplayLine("add", None, 1, "x = 1", "a.go")]
    app = DiffHost(lines)
    async with app.run_test(size=(80, 16)) as pilot:
        view = app.query_one(DiffView)
        view.set_layout(wrap=wrap)
        await pilot.pause()
        rows = [row.rstrip() for row in _screen_text(app).splitlines()]
        first = next(i for i, row in enumerate(rows) if "what the bump" in row)
        code_at = next(i for i, row in enumerate(rows) if "x = 1" in row)
        pieces = [row.strip().removeprefix("↪").strip() for row in rows[first:code_at]]
        assert "".join(piece + ("" if piece.endswith(("/", "-", "_")) else " ") for piece in pieces).strip() == note
        assert "@organisation-with-long-scope/" in pieces and "extraordinarily-long-package-name-for-wrapping-tests" \
            in " ".join(pieces), pieces
        assert "packages/workspace-with-a-really-long-name/" in pieces, pieces  # a path breaks after a slash
        for piece in pieces:  # every piece ends at a word's end or where a name reads on, never inside a word
            at = note.index(piece) + len(piece)
            assert at == len(note) or note[at] == " " or note[at - 1] in "/-_.", (piece, note[at - 5:at + 5])

# -- untrusted text --------------------------------------------------------------------------------
async def test_escape_sequences_and_markup_show_literally(sample_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(sample_files)
    hostile = next(i for i, line in enumerate(lines) if "banner" in line.text)
    app = DiffHost(lines)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.query_one(DiffView)
        view.move_cursor(hostile)
        await pilot.pause()
        text = _screen_text(app)
        assert "[bold red]x[/]" in text
        assert "␛]8;;http://evil.example␇click␛]8;;␇" in text
        assert "␛[31mred␛[0m" in text
        for row in _screen_segments(app):
            for segment in row:
                assert not CONTROL.search(segment.text), repr(segment.text)
                # the OSC 8 URL must not have become a real link either
                assert segment.style is None or not segment.style.link
        screenshot = app.export_screenshot()
        assert "\x1b]8" not in screenshot and "\x07" not in screenshot and "\x1b" not in screenshot
        assert "    indented with a tab" in text  # tabs expanded, not raw


# -- theme colours reach the rendering -------------------------------------------------------------
@pytest.mark.parametrize("theme_name", ["review-dark", "review-colorblind"])
async def test_rows_use_the_theme_colours(sample_files: list[FileDiff], theme_name: str) -> None:
    lines = display_lines_for_files(sample_files)
    add_row = next(i for i, line in enumerate(lines) if line.kind == "add" and line.path == "src/pay.py")
    app = DiffHost(lines, theme=theme_name)
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.pause()
        theme = THEMES[theme_name]
        row = _screen_segments(app)[add_row]
        backgrounds = {seg.style.bgcolor.triplet for seg in row if seg.style and seg.style.bgcolor}
        assert Color.parse(theme.variable("diff-added-bg")).rich_color.triplet in backgrounds
        keyword = next(seg for seg in row if seg.text == "return")  # Python highlighted by token
        assert _colour_of(keyword) == _rgb(theme.variable("syntax-keyword"))
        sign = next(seg for seg in row if seg.text.strip() == "+")
        assert _colour_of(sign) == _rgb(theme.variable("diff-added"))

        # switching theme at runtime re-renders with the new colours (the strip cache is dropped)
        other = "review-light" if theme_name != "review-light" else "review-dark"
        app.theme = other
        await pilot.pause()
        await pilot.pause()
        row = _screen_segments(app)[add_row]
        backgrounds = {seg.style.bgcolor.triplet for seg in row if seg.style and seg.style.bgcolor}
        assert Color.parse(THEMES[other].variable("diff-added-bg")).rich_color.triplet in backgrounds


async def test_unknown_file_types_render_as_plain_text() -> None:
    lines = [DisplayLine("add", None, 1, "def looks_like_python(): pass", "notes.unknownext")]
    app = DiffHost(lines)
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        row = _screen_segments(app)[0]
        assert any(seg.text.startswith("def looks_like_python(): pass") for seg in row)


async def test_ai_lines_show_marker_and_tool_on_the_cursor_line(sample_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(sample_files, ai_tools={"src/pay.py": {15: "Claude Code"}},
                                    hotspots={"src/pay.py": {15: "CC 3 step_5"}})
    ai_row = next(i for i, line in enumerate(lines) if line.ai_tool)
    app = DiffHost(lines)
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.query_one(DiffView)
        rows = _screen_text(app).splitlines()
        assert "▌▲+" in rows[ai_row]
        assert "Claude Code" not in rows[ai_row]  # only the cursor line spells the tool out
        view.move_cursor(ai_row)
        await pilot.pause()
        assert "◂ AI: Claude Code · hotspot: CC 3 step_5" in _screen_text(app).splitlines()[ai_row]
        # hovering names the tool too, and a plain line clears the tooltip
        await pilot.hover(DiffView, offset=(30, ai_row))
        assert view.tooltip is not None and "AI: Claude Code" in str(view.tooltip)
        await pilot.hover(DiffView, offset=(30, 0))
        assert view.tooltip is None


async def test_a_narrow_terminal_degrades_without_crashing(sample_files: list[FileDiff]) -> None:
    lines = display_lines_for_files(sample_files)
    app = DiffHost(lines)
    async with app.run_test(size=(16, 6)) as pilot:
        view = app.query_one(DiffView)
        for key in ("j", "pagedown", "right", "right_square_bracket", "G", "g"):
            await pilot.press(key)
        await pilot.pause()
        assert view.cursor_index == 0
        assert all(len(row) == 16 for row in _screen_text(app).splitlines())


# -- scale -----------------------------------------------------------------------------------------
async def test_thirty_thousand_lines_load_and_scroll(tmp_path: Path) -> None:
    samples = load()
    builder = samples.RepoBuilder(tmp_path / "big")
    dev = samples.Person("Dev", "dev@example.com")
    base = builder.commit("base", {"README.md": "x\n"}, author=dev)
    body = "".join(f"def handler_{i}(event):\n    return event.get('k{i}', {i})\n" for i in range(15_000))
    head = builder.commit("big", {"gen/handlers.py": body}, author=dev)
    lines = display_lines_for_files(GitRepo(str(tmp_path / "big")).diff(base, head))
    assert len(lines) >= 30_000
    app = DiffHost([])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        view.set_lines(lines)
        await pilot.pause()
        assert view.virtual_size.height == len(lines)
        for key in ("pagedown", "pagedown", "j", "G", "k", "g"):
            await pilot.press(key)
        assert view.cursor_index == 0
        await pilot.press("G")
        await pilot.pause()
        assert f"{len(lines) - 2}" in _screen_text(app)  # the last rows are on screen
        # lazily rendered: no widget per line, and the strip cache stays bounded
        assert len(list(app.query("*"))) < 20
        assert len(view._strips) <= STRIP_CACHE_SIZE


# -- snapshots -------------------------------------------------------------------------------------
@pytest.mark.parametrize("theme_name", ["review-dark", "review-colorblind"])
def test_snapshot(sample_files: list[FileDiff], snap_compare, theme_name: str) -> None:
    lines = display_lines_for_files(sample_files, ai_tools={"src/pay.py": {15: "Claude Code"}},
                                    hotspots={"src/pay.py": {15: "CC 3 step_5"}})
    ai_row = next(i for i, line in enumerate(lines) if line.ai_tool)
    assert snap_compare(DiffHost(lines, theme=theme_name), terminal_size=(80, 24),
                        press=["j"] * ai_row)


def test_snapshot_of_lines_that_only_change_whitespace(tmp_path: Path, snap_compare) -> None:
    """FIX70: a formatting commit's re-indented lines muted and marked ⇥ (the commit screen's rows), its one real
    edit in full colour, the cursor on a muted line saying why; in the light theme."""
    from tests.functional.test_chunk_review import FORMATTED_AFTER, FORMATTED_BEFORE

    samples = load()
    builder = samples.RepoBuilder(tmp_path / "repo")
    dev = samples.Person("Dev", "dev@example.com")
    base = builder.commit("base", {"src/parse.ts": FORMATTED_BEFORE}, author=dev)
    head = builder.commit("format", {"src/parse.ts": FORMATTED_AFTER}, author=dev)
    lines = display_lines_for_files(GitRepo(str(tmp_path / "repo")).diff(base, head))
    assert sum(line.reindented for line in lines) == 10
    first = next(i for i, line in enumerate(lines) if line.reindented)
    assert snap_compare(DiffHost(lines, theme="review-light"), terminal_size=(90, 18), press=["j"] * first)


# -- the action registry and the help screen -------------------------------------------------------
def test_default_keys_are_valid_and_never_conflict() -> None:
    resolution = keys.resolve_keys({})
    assert resolution.warnings == ()
    for spec in keys.ACTIONS:
        assert keys.parse_keys(spec.default_keys), spec
    diff_actions = {b.action for b in keys.bindings_for("diff")}
    assert all(callable(getattr(DiffView, f"action_{action}", None)) for action in diff_actions)


def test_bindings_for_applies_valid_overrides() -> None:
    bindings = {b.id: b for b in keys.bindings_for("chunk", {"approve": "A,ctrl+a", "chunk.flag": "?"})}
    assert bindings["chunk.approve"].key == "A,ctrl+a"
    # "?" is the global help key by default only: the user's choice takes it (help keeps F1)
    assert bindings["chunk.flag"].key == "question_mark"
    assert keys.resolve_keys({"chunk.flag": "?"}).keys[("global", "help")] == ("f1",)
    # swapping two actions' keys is fine
    swapped = {b.id: b.key for b in keys.bindings_for("chunk", {"next_chunk": "p", "previous_chunk": "tab"})}
    assert (swapped["chunk.next_chunk"], swapped["chunk.previous_chunk"]) == ("p", "tab")
    assert keys.keymap_for({"line_down": "ctrl+n"}) == {"diff.line_down": "ctrl+n"}


def test_bad_overrides_warn_and_keep_defaults() -> None:
    overrides = {"aprove": "x", "comment": "ctrl+", "later": "", "approve": "A", "flag": "A"}
    warnings = keys.override_warnings(overrides)
    assert any("unknown action 'aprove'" in w for w in warnings)
    assert any(w.startswith("keys: flag = 'A' conflicts with approve") for w in warnings)  # both mine
    assert any("comment = 'ctrl+'" in w for w in warnings)
    assert any("later = ''" in w for w in warnings)
    bindings = {b.id: b.key for b in keys.bindings_for("chunk", overrides)}
    assert (bindings["chunk.approve"], bindings["chunk.flag"], bindings["chunk.comment"], bindings["chunk.later"]) \
        == ("A", "f", "c", "l")
    assert keys.keymap_for(overrides) == {"chunk.approve": "A"}


def test_an_override_takes_a_key_from_a_default_and_names_the_action_left_without_one() -> None:
    """"right" leaves the diff's sideways scroll for the next chunk: scroll_right (and search_next, which
    had only "n") have no key left, which the warnings say rather than leaving them silently on F24."""
    overrides = {"next_chunk": "n,right"}
    resolution = keys.resolve_keys(overrides)
    assert resolution.warnings == (
        "keys: next_chunk = 'n,→' takes scroll_right's key on the diff screen; scroll_right is now reachable "
        "only from the command palette (ctrl+p) - give it another key in [keys]",
        "keys: next_chunk = 'n,→' takes search_next's key on the diff screen; search_next is now reachable "
        "only from the command palette (ctrl+p) - give it another key in [keys]",
    )
    assert keys.resolve_keys({"next_chunk": "tab,ctrl+n"}).warnings == ()  # the README's example
    assert resolution.keys[("chunk", "next_chunk")] == ("n", "right")
    assert "right" not in resolution.keys[("diff", "scroll_right")]
    keymap = keys.keymap_for(overrides)
    assert keymap["chunk.next_chunk"] == "n,right"
    assert keymap["diff.scroll_right"] == ",".join(resolution.keys[("diff", "scroll_right")]) or keys.UNBOUND_KEY
    # a default that loses its only key is listed with none in the help
    help_rows = {name: shown for _title, rows in keys.help_sections(overrides) for shown, name, _ in rows}
    assert help_rows["next_chunk"] == "n / →"


async def test_keymap_override_rekeys_the_diff_view(sample_files: list[FileDiff]) -> None:
    app = DiffHost(display_lines_for_files(sample_files))
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_keymap(keys.keymap_for({"line_down": "ctrl+n"}))
        view = app.query_one(DiffView)
        await pilot.press("ctrl+n", "ctrl+n")
        assert view.cursor_index == 2


async def test_help_screen_lists_every_action_and_closes(sample_files: list[FileDiff]) -> None:
    app = DiffHost(display_lines_for_files(sample_files))
    async with app.run_test(size=(120, 120)) as pilot:  # tall enough for every action at once
        await app.push_screen(HelpScreen({"approve": "A"}))
        await pilot.pause()
        help_text = _screen_text(app)
        for spec in keys.ACTIONS:
            assert spec.description in help_text, spec
        assert re.search(r"\bA +Approve this chunk", help_text)
        for close_key in ("escape", "q", "question_mark"):
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(close_key)
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen)
            if close_key != "question_mark":
                await app.push_screen(HelpScreen())
                await pilot.pause()


async def test_help_screen_explains_the_marks_of_the_diff_after_its_keys(sample_files: list[FileDiff]) -> None:
    """FIX70: a muted line marked ⇥ (only re-indented) is explained where a reviewer looks for keys."""
    app = DiffHost(display_lines_for_files(sample_files))
    async with app.run_test(size=(120, 90)) as pilot:
        await app.push_screen(HelpScreen(current="chunk"))
        await pilot.pause()
        help_text = _screen_text(app)
        assert help_text.index(keys.SCREEN_TITLES["diff"]) < help_text.index("Diff marks")
        assert re.search(r"\+⇥ -⇥ +muted: re-indented, or a \.po line gettext wrote \(#:\), skimmed in the plan",
                         help_text)
        for mark, _meaning in DIFF_MARKS:
            assert mark in help_text


async def test_paging_shows_rows_rendered_ahead(sample_files: list[FileDiff], monkeypatch) -> None:
    """A page key renders at most the cursor's rows for its frame: the next and previous pages were
    rendered after the last paint, so the keypress does no work proportional to the page or the diff."""
    lines = display_lines_for_files(sample_files) * 20  # many pages
    app = DiffHost(lines)
    for_frame: list[int] = []  # rows rendered to draw a frame (not ahead of time)
    ahead = [False]
    real_render, real_warm = DiffView._render_row, DiffView._warm_rows

    def counting(self: DiffView, row: int, is_cursor: bool):  # type: ignore[no-untyped-def]
        if not ahead[0]:
            for_frame.append(row)
        return real_render(self, row, is_cursor)

    def warming(self: DiffView, rows: list[int]) -> None:
        ahead[0] = True
        try:
            real_warm(self, rows)
        finally:
            ahead[0] = False

    monkeypatch.setattr(DiffView, "_render_row", counting)
    monkeypatch.setattr(DiffView, "_warm_rows", warming)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        page = view.scrollable_content_region.height
        for key in ("pagedown", "pagedown", "pageup", "pagedown"):
            await pilot.pause(0.2)  # idle: the pages around the view are rendered ahead
            for_frame.clear()
            await pilot.press(key)
            await pilot.pause()
            assert set(for_frame) <= {view.cursor_index}, (key, sorted(set(for_frame)))
        assert view.scroll_y == 2 * page and len(lines) > 6 * page
