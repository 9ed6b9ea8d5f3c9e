"""ListTable: a DataTable of rows (the queue, the review plan, a change's commits) that also moves
with j/k, g/G and Home/End. The DataTable's own Home/End scroll sideways, which a list never needs:
in a 2,000-chunk plan End did nothing a reader could see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets._data_table import Row, RowKey

from app.tui.keys import bindings_for


class ListTable(DataTable[Text]):
    """A row-cursor table whose keys come from the registry's "list" actions."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("list"))

    def add_keyed_rows(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """Add (key, cells) rows at the bottom, as add_row would one by one, with the work add_row does per row
        that is the same for all done once: it re-sorted the columns and re-set the cursor (firing its watchers)
        for every row, two thirds of the time of 9,721 rows (uv's merged changes, `m`). Where this Textual's
        DataTable lacks what it relies on, row by row."""
        if not all(hasattr(self, name) for name in ("_row_locations", "_data", "_new_rows")):
            for key, cells in rows:
                self.add_row(*cells, key=key)
            return
        columns = [column.key for column in self.ordered_columns]
        locations, data, table_rows, new_rows = self._row_locations, self._data, self.rows, self._new_rows
        was_empty = self.row_count == 0
        for key, cells in rows:
            row_key = RowKey(key)
            if row_key in locations:
                self.add_row(*cells, key=key)  # raises DuplicateKey, as add_row does
            if len(cells) > len(columns):
                raise ValueError("More values provided than there are columns.")
            locations[row_key] = len(table_rows)
            data[row_key] = dict(zip_longest(columns, cells))
            table_rows[row_key] = Row(row_key, 1, None, False)
            new_rows.add(row_key)
        if not rows:
            return
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and len(self.columns) > 0 and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Where every column has its width and no new row has a label or an auto height, the new cells
        change nothing but the table's height: DataTable measured each of them all the same (a console size
        query per cell, 10 s for uv's 9,721 merged rows)."""
        new = [key for key in new_rows if key in self._row_locations]
        if (self.columns and not any(column.auto_width for column in self.columns.values())
                and not any(self.rows[key].label is not None or self.rows[key].auto_height for key in new)):
            width = sum(column.get_render_width(self) for column in self.columns.values())
            self.virtual_size = Size(width + self._row_label_column_width,
                                     self._total_row_height + (self.header_height if self.show_header else 0))
            return
        super()._update_dimensions(new)

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
