"""The why panel's notes break a word longer than the line where a path or name reads on (after a slash, a dot,
a hyphen or an underscore), not at the panel's edge: folded there, a path read as two words (stop 51). The factor
explanations did this already (Breakable); the tier reasons, the blast radius and AI notes, the base note and the
folded heads wrapped at spaces only."""

from __future__ import annotations

from rich.console import Console

from app.core.text import long_word_cuts, name_cut
from app.report.tables import item
from app.tui.widgets.why_panel import base_section, similar_section

PATH = ("packages/workspace-with-a-really-long-name/internal_modules_for_testing/deeply_nested_configuration_"
        "directory/package.json")


def _lines(renderable, width: int = 60) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def _ends_where_a_name_reads_on(lines: list[str], text: str) -> None:
    read = 0
    for line in lines:
        piece = line.strip().removeprefix("•").strip()
        if not piece or piece not in text[read:]:
            continue
        at = text.index(piece, read) + len(piece)
        assert at == len(text) or text[at] == " " or text[at - 1] in "/.-_:", (piece, lines)
        read = at
    assert read == len(text), lines  # the whole text was read


def test_a_tier_reason_and_the_base_note_break_a_long_path_after_its_slashes() -> None:
    reason = f"{PATH} matches 'package.json' (built-in): tier 1 — dependency manifest or lock file"
    lines = _lines(item("  • ", reason))
    assert lines[:2] == ["  • packages/workspace-with-a-really-long-name/",
                         "    internal_modules_for_testing/"], lines
    _ends_where_a_name_reads_on(lines, reason)
    note = f"compared with release/v1, the branch it was cut from: {PATH} is on it"
    _ends_where_a_name_reads_on(_lines(base_section(note)), note)
    head = "origin/feature/an-extraordinarily-long-branch-name-without-any-spaces-in-it-at-all"
    _ends_where_a_name_reads_on(_lines(similar_section([head])), "• " + head)


def test_a_long_word_is_cut_after_a_slash_then_a_dot_never_inside_a_files_suffix() -> None:
    text = "click._termui_impl.MaybeStripAnsi.__init__"
    assert text[:name_cut(text, 0, 40)] == "click._termui_impl.MaybeStripAnsi."
    assert long_word_cuts("see src/click/_compat.py:12", 20) == [14]  # "src/click/" | "_compat.py:12"
    assert long_word_cuts("short words only", 5) == []
    assert long_word_cuts("abcdefghijklmnop", 5) == [5, 10, 15]  # no place a name reads on: at the edge
