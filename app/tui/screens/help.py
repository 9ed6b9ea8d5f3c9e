"""HelpScreen: every key of every screen, generated from the action registry so it cannot drift."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from app.tui.keys import bindings_for, help_sections

STYLES = Path(__file__).resolve().parent.parent / "styles"


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
            panel.border_subtitle = "escape, q or ? closes · rebind keys in config.toml [keys]"
            for title, rows in help_sections(self._overrides, self._current):
                yield Static(Text(title), classes="help-section-title")
                yield Static(self._table(rows), classes="help-keys")

    @staticmethod
    def _table(rows: list[tuple[str, str, str]]) -> Table:
        # Text cells, never markup: user-configured keys such as "[" must show as typed.
        table = Table.grid(padding=(0, 2))
        table.add_column(min_width=14, style="bold")
        table.add_column()
        table.add_column(style="dim")
        for keys, name, description in rows:
            table.add_row(Text(keys), Text(description), Text(name))
        return table
