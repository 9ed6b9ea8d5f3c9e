"""Comment threads of a change: one thread to read, answer and resolve (ThreadDialog), and the list
of every thread on the change (ThreadsScreen).

A thread is a first comment on a line (or a whole file) and its replies, by anyone whose records
reached this ledger (this machine, or git notes through `review-tui sync`). Resolving and reopening
are recorded acts (app.storage.ledger.ThreadState), so two reviewers' acts merge.

Bodies, paths and emails come from people and repositories: they are shown through rich Text
(never markup) and `one_line`/`visible`, so "[bold]" or an escape sequence shows literally.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static
from textual.widgets.data_table import ColumnKey

from app.core.text import human_age, one_line, visible
from app.errors import ReviewTuiError
from app.storage.ledger import Comment, CommentThread
from app.tui.screens import STYLES
from app.tui.screens.dialogs import MAX_NOTE_CHARS, ActivityModal


def thread_state_label(thread: CommentThread) -> str:
    return ("resolved" if thread.resolved else "open") + (", outdated" if thread.outdated else "")


def thread_summary(thread: CommentThread, limit: int = 80) -> str:
    """The first line of the first comment, for lists and gutter tooltips."""
    return one_line(thread.root.body, limit)


def _comment_text(comment: Comment, now: float) -> Text:
    text = Text()
    text.append(one_line(comment.reviewer, 80), style="bold")
    text.append(f"  {human_age(max(0.0, now - comment.created_at))} ago", style="dim")
    if comment.source == "notes":
        text.append("  (from git notes)", style="dim")
    text.append("\n")
    text.append(visible(comment.body[:MAX_NOTE_CHARS]))
    return text


@dataclass(frozen=True)
class ThreadActions:
    """What a thread view may do, supplied by the screen that owns the review session."""

    reply: Callable[[CommentThread, str], CommentThread | None]
    """Add a reply; returns the thread as it is now (None when it could not be saved)."""
    set_resolved: Callable[[CommentThread, bool], CommentThread | None]
    """Resolve (True) or reopen (False); returns the thread as it is now."""


class ThreadDialog(ActivityModal["CommentThread | None"]):
    """One thread: its comments oldest first, a reply box, and resolve / reopen (ctrl+r).

    Dismisses with the thread as it was left (or None when nothing changed). Writing a reply is
    review work: the chunk beneath keeps counting time (`counts_as_review`)."""

    CSS_PATH = STYLES / "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+r", "toggle_resolved", "Resolve / reopen"),
    ]
    counts_as_review = True

    def __init__(self, thread: CommentThread, actions: ThreadActions, *,
                 on_activity: Callable[[], None] | None = None, now: Callable[[], float] | None = None) -> None:
        super().__init__(on_activity)
        self.thread = thread
        self._actions = actions
        self._now_given = now
        self._changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-panel", classes="thread-panel") as panel:
            panel.border_subtitle = "enter replies · ctrl+r resolves / reopens · escape closes"
            yield Static(id="thread-where")
            with VerticalScroll(id="thread-comments"):
                yield Static(id="thread-body")
            yield Input(placeholder="reply…", max_length=MAX_NOTE_CHARS, id="dialog-input")
            yield Static(Text(""), id="dialog-error")

    def on_mount(self) -> None:
        self._draw()
        self.query_one("#dialog-input", Input).focus()

    def _draw(self) -> None:
        thread = self.thread
        panel = self.query_one("#dialog-panel")
        state = thread_state_label(thread)
        panel.border_title = f"Thread · {state}"
        panel.set_class(thread.resolved, "resolved")
        where = Text(one_line(thread.root.where, 200), style="bold")
        if thread.resolved_by is not None:
            where.append(f"  resolved by {one_line(thread.resolved_by.reviewer, 60)}", style="dim")
        self.query_one("#thread-where", Static).update(where)
        clock = self._now_given or getattr(self.app, "now", None) or time.time
        now = float(clock())
        body = Text()
        for number, comment in enumerate(thread.comments):
            if number:
                body.append("\n\n")
            body.append_text(_comment_text(comment, now))
        self.query_one("#thread-body", Static).update(body)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self.query_one("#dialog-error", Static).update(Text("Type a reply, or press escape to close."))
            return
        updated = self._actions.reply(self.thread, value)
        if updated is None:
            return
        self.thread, self._changed = updated, True
        event.input.value = ""
        self.query_one("#dialog-error", Static).update(Text(""))
        self._draw()
        self.query_one("#thread-comments", VerticalScroll).scroll_end(animate=False)

    def action_toggle_resolved(self) -> None:
        updated = self._actions.set_resolved(self.thread, not self.thread.resolved)
        if updated is not None:
            self.thread, self._changed = updated, True
            self._draw()

    def action_close(self) -> None:
        self.dismiss(self.thread if self._changed else None)


class ThreadsScreen(ModalScreen[None]):
    """Every comment thread on a change: state, place, author, replies, first words. Enter opens one
    (to read, reply, resolve); r resolves or reopens the selected one; o hides resolved threads."""

    CSS_PATH = STYLES / "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,C", "close", "Close"),
        Binding("r", "toggle_resolved", "Resolve / reopen"),
        Binding("o", "toggle_open_only", "Open only / all"),
    ]
    FIXED_COLUMNS: ClassVar[tuple[tuple[str, int], ...]] = (
        ("state", 9), ("where", 28), ("by", 20), ("replies", 7), ("latest", 7))
    """Every column but the comment, with its width (the comment comes third)."""
    NARROW_COLUMNS: ClassVar[tuple[tuple[str, int], ...]] = (("state", 9), ("where", 20), ("replies", 7))
    """Below WIDE_TABLE cells: who and when are in the thread itself (enter)."""
    WIDE_TABLE = 96

    def __init__(self, title: str, load: Callable[[], list[CommentThread]], actions: ThreadActions, *,
                 open_thread: Callable[[CommentThread], None] | None = None,
                 now: Callable[[], float] | None = None) -> None:
        super().__init__()
        self._title = title
        self._load = load
        self._actions = actions
        self._open_thread = open_thread
        self._now_given = now
        self._open_only = False
        self.threads: list[CommentThread] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="threads-panel") as panel:
            panel.border_title = one_line(self._title, 70)
            yield Static(id="threads-summary")
            yield DataTable(id="threads-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def _now(self) -> float:
        clock = self._now_given or getattr(self.app, "now", None) or time.time
        return float(clock())

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#threads-table", DataTable).focus()
        # At mount the table has no size yet, so the comment column took its minimum: fit the
        # columns again once the first layout gave the table its width.
        self.call_after_refresh(self._fit_columns)

    def on_resize(self) -> None:
        self._fit_columns()

    def fixed_columns(self) -> tuple[tuple[str, int], ...]:
        """The columns besides the comment at the table's width."""
        table = self.query_one("#threads-table", DataTable)
        wide = (table.size.width or self.app.size.width) >= self.WIDE_TABLE
        return self.FIXED_COLUMNS if wide else self.NARROW_COLUMNS

    def _comment_width(self) -> int:
        """The comment column takes what the fixed columns leave (2 cells of padding each, the
        scrollbar); 12 cells at least."""
        table = self.query_one("#threads-table", DataTable)
        return max(12, table.size.width - sum(w + 2 for _, w in self.fixed_columns()) - 4)

    def _fit_columns(self) -> None:
        table = self.query_one("#threads-table", DataTable)
        column = table.columns.get(ColumnKey("comment"))
        if column is None or column.width != self._comment_width() or len(table.columns) != len(
                self.fixed_columns()) + 1:
            self.reload()

    def reload(self) -> None:
        try:
            every = self._load()
        except ReviewTuiError as exc:
            self.notify(one_line(str(exc), 300), title="Comment threads", severity="error", markup=False)
            every = []
        # Open conversations first (they are what needs an answer), each group in file and line order.
        every = sorted(every, key=lambda t: (t.resolved, t.root.path, t.root.line or 0, t.root.created_at))
        self.threads = [t for t in every if not (self._open_only and t.resolved)]
        open_count = sum(1 for t in every if not t.resolved)
        summary = Text(f"{len(every)} thread{'s' if len(every) != 1 else ''}, {open_count} open")
        if self._open_only:
            summary.append(" · showing open ones (o shows all)", style="dim")
        if not every:
            summary = Text("No comments on this change yet: press c on a line of a chunk to start one.")
        self.query_one("#threads-summary", Static).update(summary)
        table = self.query_one("#threads-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        fixed = self.fixed_columns()
        columns = [*fixed[:2], ("comment", self._comment_width()), *fixed[2:]]
        for label, width in columns:
            table.add_column(label, width=width, key=label)
        now = self._now()
        for index, thread in enumerate(self.threads):
            cells = {
                "state": Text(thread_state_label(thread), style="green" if thread.resolved else "bold yellow"),
                "where": Text(one_line(thread.root.where, 200), overflow="ellipsis", no_wrap=True),
                "comment": Text(thread_summary(thread, 300), overflow="ellipsis", no_wrap=True),
                "by": Text(one_line(thread.root.reviewer, 80), overflow="ellipsis", no_wrap=True),
                "replies": Text(str(len(thread.replies))),
                "latest": Text(human_age(max(0.0, now - thread.last_at))),
            }
            table.add_row(*(cells[label] for label, _ in columns), key=str(index))
        if self.threads:
            table.move_cursor(row=min(max(row, 0), len(self.threads) - 1), animate=False)

    @property
    def selected(self) -> CommentThread | None:
        table = self.query_one("#threads-table", DataTable)
        if not self.threads or table.row_count == 0:
            return None
        return self.threads[min(max(table.cursor_row, 0), len(self.threads) - 1)]

    @on(DataTable.RowSelected, "#threads-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        thread = self.selected
        if thread is None:
            return
        if self._open_thread is not None:
            self._open_thread(thread)
            return

        def closed(_changed: CommentThread | None) -> None:
            self.reload()

        self.app.push_screen(ThreadDialog(thread, self._actions, now=self._now), closed)

    def action_toggle_resolved(self) -> None:
        thread = self.selected
        if thread is not None and self._actions.set_resolved(thread, not thread.resolved) is not None:
            self.reload()

    def action_toggle_open_only(self) -> None:
        self._open_only = not self._open_only
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
