"""ListTable: a DataTable of rows (the queue, the review plan, a change's commits) that also moves
with j/k, g/G and Home/End. The DataTable's own Home/End scroll sideways, which a list never needs:
in a 2,000-chunk plan End did nothing a reader could see."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import zip_longest
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets._data_table import Row, RowKey

from app.tui.keys import bindings_for


class ListTable(DataTable[Text]):
    """A row-cursor table whose keys come from the registry's "list" actions."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("list"))
    TAIL_BATCH = 1_000
    """Rows of a pending tail (show_rows) added per turn of the event loop: about 50 ms of a loaded machine."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # (update count, ordered rows, y offsets) kept up to date by add_keyed_rows: DataTable recomputed both
        # over every row after each added batch (2 s of adding uv's 12,015 rows a thousand at a time); set before
        # DataTable's __init__, which reads ordered_rows
        self._appended: tuple[int, list[Row], list[tuple[RowKey, int]]] | None = None
        super().__init__(*args, **kwargs)
        self._tail: Sequence[Any] = ()  # rows show_rows has not added yet, from _tail_at on
        self._tail_at = 0
        self._tail_render: Callable[[Any], tuple[str, Sequence[Text]]] | None = None
        self._tail_queued = False

    def show_rows(self, items: Sequence[Any], render: Callable[[Any], tuple[str, Sequence[Text]]], *,
                  at_once: int) -> None:
        """Add `items` at the bottom as (key, cells) rows from `render`: the first `at_once` now, the rest a
        TAIL_BATCH at a time while keys go on being answered (uv's queue with `m` listed 12,166 rows, and a
        search that let most of them through kept the keyboard waiting while every row was added). A pending
        tail is added before End or a move past it (`fill_to`); a later show_rows or clear drops it."""
        self._tail, self._tail_at, self._tail_render = items, 0, render
        self.fill_to(at_once - 1)
        self._queue_tail()

    @property
    def rows_pending(self) -> int:
        """Rows show_rows has still to add."""
        return len(self._tail) - self._tail_at

    def fill_to(self, index: int) -> None:
        """Add the pending rows up to and including position `index` of the rows given to show_rows."""
        render = self._tail_render
        end = min(index + 1, len(self._tail))
        if render is None or end <= self._tail_at:
            return
        batch = [render(item) for item in self._tail[self._tail_at:end]]
        self._tail_at = end
        self.add_keyed_rows(batch)
        if self._tail_at >= len(self._tail):
            self._tail, self._tail_at, self._tail_render = (), 0, None

    def _queue_tail(self) -> None:
        if self.rows_pending and not self._tail_queued:
            self._tail_queued = True
            self.call_later(self._add_tail_batch)

    def _add_tail_batch(self) -> None:
        self._tail_queued = False
        if self.rows_pending:
            self.fill_to(self._tail_at + self.TAIL_BATCH - 1)
            self._queue_tail()

    def clear(self, columns: bool = False) -> ListTable:
        self._tail, self._tail_at, self._tail_render = (), 0, None
        super().clear(columns)
        return self

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
        ordered, offsets = list(self.ordered_rows), list(self._y_offsets)
        for key, cells in rows:
            row_key = RowKey(key)
            if row_key in locations:
                self.add_row(*cells, key=key)  # raises DuplicateKey, as add_row does
            if len(cells) > len(columns):
                raise ValueError("More values provided than there are columns.")
            locations[row_key] = len(table_rows)
            data[row_key] = dict(zip_longest(columns, cells))
            row = table_rows[row_key] = Row(row_key, 1, None, False)
            new_rows.add(row_key)
            ordered.append(row)
            offsets.append((row_key, 0))
        if not rows:
            return
        self._appended = (self._update_count + 1, ordered, offsets)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and len(self.columns) > 0 and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    @property
    def ordered_rows(self) -> list[Row]:
        known = self._appended
        if known is not None and known[0] == self._update_count and len(known[1]) == self.row_count:
            return known[1]
        return super().ordered_rows

    @property
    def _y_offsets(self) -> list[tuple[RowKey, int]]:
        known = self._appended
        if known is not None and known[0] == self._update_count and len(known[1]) == self.row_count:
            return known[2]
        return super()._y_offsets

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
        self.fill_to(len(self._tail))
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
