"""ListTable: a DataTable of rows (the queue, the review plan, a change's commits) that also moves
with j/k, g/G and Home/End. The DataTable's own Home/End scroll sideways, which a list never needs:
in a 2,000-chunk plan End did nothing a reader could see."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.widgets import DataTable

from app.tui.keys import bindings_for


class ListTable(DataTable[Text]):
    """A row-cursor table whose keys come from the registry's "list" actions."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("list"))

    def action_row_down(self) -> None:
        self.action_cursor_down()

    def action_row_up(self) -> None:
        self.action_cursor_up()

    def action_row_first(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_row_last(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
