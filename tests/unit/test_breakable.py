"""Breakable (app/report/tables.py): long names wrap after their dots and underscores, never lose a
character, and never pass the width."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from app.report.tables import Breakable


def lines_of(renderable: object, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_a_qualified_name_breaks_after_a_dot_not_inside_a_word() -> None:
    text = "used by click._termui_impl.MaybeStripAnsi.__init__, click.utils.echo"
    lines = lines_of(Breakable(text), 24)
    assert lines == ["used by", "click._termui_impl.", "MaybeStripAnsi.__init__,", "click.utils.echo"]


def test_in_a_table_column_the_name_breaks_at_its_parts() -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column("factor", no_wrap=True)
    table.add_column("why", ratio=1)
    table.add_row("blast_radius", Breakable("callers: click._termui_impl.MaybeStripAnsi.__init__"))
    lines = lines_of(table, 40)
    assert [line[13:].strip() for line in lines] == ["callers:", "click._termui_impl.", "MaybeStripAnsi.__init__"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab._/-", min_size=1, max_size=60), min_size=1, max_size=8),
       st.integers(min_value=4, max_value=40))
def test_nothing_is_lost_and_no_line_passes_the_width(words: list[str], width: int) -> None:
    text = " ".join(words)
    lines = lines_of(Breakable(text), width)
    assert all(len(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_a_dot_is_preferred_to_an_underscore() -> None:
    lines = lines_of(Breakable("click.shell_completion.BashComplete.get_completion_args,"), 54)
    assert lines == ["click.shell_completion.BashComplete.", "get_completion_args,"]


def test_a_path_breaks_after_a_slash_and_never_before_its_suffix() -> None:
    """`src/click/_compat.` / `py:15-19` read as two names."""
    lines = lines_of(Breakable("src/click/_compat.py:15-19 (old 15); tests/test_formatting.py:469-484;"), 20)
    assert all(not line.endswith(".") for line in lines), lines
    assert "".join(lines).replace(" ", "") == "src/click/_compat.py:15-19(old15);tests/test_formatting.py:469-484;"
    assert lines[0] == "src/click/"
