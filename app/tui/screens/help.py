"""HelpScreen: every key of every screen, generated from the action registry so it cannot drift, and after the
queue's and the diff's keys what the marks of the queue's cells and the diff's gutter mean (QUEUE_MARKS,
DIFF_MARKS, each kept beside the code that draws them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from app.tui.keys import SCREEN_TITLES, bindings_for, help_sections
from app.tui.screens import STYLES
from app.tui.screens.queue import QUEUE_MARKS
from app.tui.widgets.diff_view import DIFF_MARKS


class HelpScreen(ModalScreen[None]):
    """A modal listing keys by screen, with the user's overrides applied; escape, q or ? closes it."""

    CSS_PATH = STYLES / "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("help"))

    def __init__(self, overrides: Mapping[str, str] | None = None, current: str | None = None) -> None:
        """`overrides` is UserConfig.keys, so the listed keys are the ones that work; the keys of the
        `current` screen (a registry screen name such as "chunk") come first."""
        super().__init__()
        self._overrides = dict(overrides or {})
        self._current = current

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-panel") as panel:
            panel.border_title = "Keys"
            # Text, not markup: "[keys]" as a string was read as a tag and vanished.
            panel.border_subtitle = Text("escape, q or ? closes · rebind keys in config.toml [keys]")
            sections = help_sections(self._overrides, self._current)
            every_row = [row for _title, rows in sections for row in rows]
            key_width = max(cell_len(keys) for keys, *_rest in [*every_row, *DIFF_MARKS, *QUEUE_MARKS])
            name_width = max(cell_len(name) for _keys, name, _description in every_row)
            for title, rows in sections:
                yield Static(Text(title), classes="help-section-title")
                yield Static(_KeysTable(rows, key_width, name_width), classes="help-keys")
                if title == SCREEN_TITLES["queue"]:  # the queue's marks after its keys (`*`: a later base)
                    yield Static(Text("Queue marks"), classes="help-section-title")
                    yield Static(self._marks(QUEUE_MARKS, key_width), classes="help-keys", id="help-queue-marks")
                if title == SCREEN_TITLES["diff"]:  # the diff's marks after its keys (a muted line: re-indented)
                    yield Static(Text("Diff marks"), classes="help-section-title")
                    yield Static(self._marks(DIFF_MARKS, key_width), classes="help-keys", id="help-diff-marks")

    @staticmethod
    def _marks(marks: tuple[tuple[str, str], ...], key_width: int) -> Table:
        """Marks (the queue's cells', the diff's gutter's) and what each means, the marks in the keys' column."""
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(width=key_width, no_wrap=True, style="bold")
        table.add_column(ratio=1)
        for mark, meaning in marks:
            table.add_row(Text(mark), Text(meaning))
        return table



MIN_DESCRIPTION_CELLS = 40
"""The least room the descriptions keep beside a column of action names: below it (an 80-column terminal left them
28 cells, "Show or hide changes already" / "merged upstream" beside a 20-cell name column) each name follows its
description, dimmed, in the description's cell."""


class _KeysTable:
    """One section's keys, laid out for the width it is given. Every section has the same column widths (the widest
    key and name of the whole help, the description the rest), so the columns line up down the whole help."""

    def __init__(self, rows: list[tuple[str, str, str]], key_width: int, name_width: int) -> None:
        self.rows, self.key_width, self.name_width = rows, key_width, name_width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)

    def table(self, width: int) -> Table:
        # Text cells, never markup: user-configured keys such as "[" must show as typed.
        named_apart = width - self.key_width - self.name_width - 4 >= MIN_DESCRIPTION_CELLS
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(width=self.key_width, no_wrap=True, style="bold")
        table.add_column(ratio=1)
        if named_apart:
            table.add_column(width=self.name_width, no_wrap=True, style="dim")
        for keys, name, description in self.rows:
            if named_apart:
                table.add_row(Text(keys), Text(description), Text(name))
            else:  # the name (what [keys] rebinds) after the description, where the line has room for it
                table.add_row(Text(keys), Text.assemble(description, ("  " + name, "dim")))
        return table
