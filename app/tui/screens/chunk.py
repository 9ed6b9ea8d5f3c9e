"""ChunkReviewScreen: review one chunk of a change's plan, decide, and move on.

A header says where the chunk sits in the plan, what it holds (files and line ranges, tier, AI
share, complexity added), its floor time and how that was derived, the active time spent so far
(live, every second) and its status; below it the chunk's diff in a DiffView (lazily rendered,
so a 5,000-line chunk costs what a 50-line one does once on screen).

Time tracking: the screen tells the ReviewSession what is on screen (shown when the screen is
resumed or moves to another chunk; hidden when it is covered by another screen, except by a note
or comment dialog, which is review work; hidden when the app is suspended), forwards terminal
focus changes (App.app_focus, fed by AppFocus/AppBlur where the terminal reports focus) and every
key and mouse event as activity, and flushes the time to the ledger every `persist_seconds`. It also
tells the session which changed lines came on screen (whenever the diff scrolls, moves its cursor
or is resized, and every second): a code chunk counts as read only once all of them did.

Keys come from the action registry (app/tui/keys.py, screen "chunk"); scrolling keys belong to
the DiffView ("diff"). Reading keys (search, files, more context, editor, copy) come from
ReaderScreen ("reader"); on top of them this screen moves between chunks, remembers where the
reader was before each move (backspace goes back to that chunk and line), and takes more context
from the head version of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Static

from app.analysis.report import ChangeDetail
from app.core.git.diff import FileDiff, decode_text
from app.core.git.models import WORKTREE_ID
from app.core.git.repo import GitRepo
from app.core.planner.model import KIND_BINARY, KIND_COLLAPSED, KIND_RENAME, Chunk
from app.core.planner.whitespace import skimmed_noun
from app.core.text import NOT_MEASURED, format_duration, one_line, plural, share_text, visible_path
from app.errors import ReviewTuiError
from app.report.tables import chunk_locations, fit_chunk_title
from app.storage.db import DatabaseLocked
from app.storage.ledger import CommentThread, Decision
from app.tui.chunk_lines import DEFAULT_CONTEXT, ChunkLines, comment_target, fold_viewed
from app.tui.file_context import split_lines
from app.tui.keys import ActionSpec
from app.tui.review_session import ReviewSession
from app.tui.screens import STYLES
from app.tui.screens.dialogs import ActivityModal, ConfirmDialog, TextInputDialog
from app.tui.screens.reader import FileEntry, FileSource, ReaderScreen, layout_choice, reader_bindings
from app.tui.screens.threads import ThreadActions, ThreadDialog, ThreadsScreen, thread_summary
from app.tui.timer import LineId
from app.tui.widgets.diff_view import DiffView, DisplayLine, LineMarker, MarkerKey
from app.tui.widgets.footer import KeyFooter

UNDECIDED_FIRST = ("new", "stale", "opened")
"""States "next unreviewed" looks for first; "later" chunks come after them."""
DECIDED = ("approved", "flagged")

CLOCK_REFRESH_SECONDS = 1.0
# How long the UI thread's own writes (a chunk's view, its active time) wait for a lock held elsewhere:
# a commit of another review-tui passes, a held lock costs the screen no more than this.
BACKGROUND_WAIT_SECONDS = 0.1
# How long a decision waits for a ledger lock held by another process before "Decision not saved"
# (on the UI thread: the screen does not move meanwhile).
DECISION_WAIT_SECONDS = 1.0




class _ReviewDiffView(DiffView):
    """The DiffView of the chunk screen. Wheel scrolls are consumed by the scrolling widget and
    never bubble to the screen, so they are reported as activity here."""

    def on_mouse_scroll_down(self, _event: events.MouseScrollDown) -> None:
        self._report_activity()

    def on_mouse_scroll_up(self, _event: events.MouseScrollUp) -> None:
        self._report_activity()

    def _report_activity(self) -> None:
        screen = self.screen
        if isinstance(screen, ChunkReviewScreen):
            screen.session.activity()


class ChunkReviewScreen(ReaderScreen):
    """Review chunk `index` (0-based position in detail.plan.chunks) and the ones after it."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [STYLES / "chunk.tcss", STYLES / "reader.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = reader_bindings("chunk")
    EXTRA_ACTIONS: ClassVar[tuple[ActionSpec, ...]] = ()
    ACTION_SCREEN: ClassVar[str] = "chunk"

    @dataclass
    class ChunkDecided(Message):
        """A decision was recorded on a chunk (the change screen refreshes its statuses)."""

        detail: ChangeDetail
        chunk: Chunk
        decision: Decision

    def __init__(self, detail: ChangeDetail, index: int, session: ReviewSession, *,
                 context: int = DEFAULT_CONTEXT, focus_path: str | None = None) -> None:
        super().__init__()
        if not detail.plan.chunks:
            raise ReviewTuiError(f"{detail.change.id}: the review plan has no chunks")
        self.detail = detail
        self.session = session
        self.index = max(0, min(index, len(detail.plan.chunks) - 1))
        self._builder = ChunkLines(detail, context=context, file_text=self._head_lines)
        self._focus_path = focus_path  # put the cursor on this file's header when first shown
        self._jumps: list[tuple[int, int]] = []  # (chunk position, cursor line) before each move
        self._viewed: set[str] = set()  # paths marked viewed (at their current content)
        self._expanded: set[int] = set()
        self._statuses: dict[str, str] = {}
        self._stamped: set[str] = set()  # chunks whose standing approval was a rubber stamp
        self._on_screen = False  # the session counts time for the current chunk
        self._time_unsaved = False  # the last try to store active time found the ledger locked
        self._unsaved_notes: dict[str, str] = {}  # content hash -> a flag's note the locked ledger refused
        self._told_own_change = False  # an author approving is told once per screen that it will not count
        self._threads: list[CommentThread] = []  # every thread on the change, for the gutter

    # -- composition --------------------------------------------------------------------------
    @property
    def chunk(self) -> Chunk:
        return self.detail.plan.chunks[self.index]

    @property
    def chunks(self) -> list[Chunk]:
        return self.detail.plan.chunks

    @property
    def diff_view(self) -> DiffView:
        return self.query_one("#chunk-diff", DiffView)

    def compose(self) -> ComposeResult:
        with Vertical(id="chunk-header"):
            with Horizontal(id="chunk-top"):
                yield Label(id="chunk-position")
                yield Label(id="chunk-status")
                yield Label(id="chunk-tier")
                yield Label(id="chunk-clock")
            yield Static(id="chunk-title")
            yield Static(id="chunk-figures")
            yield Static(id="chunk-where")
        split, wrap = layout_choice(self.app)
        yield _ReviewDiffView(self._rows(self.chunk), id="chunk-diff", split=split, wrap=wrap)
        yield self.search_bar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self._statuses = self._load_statuses()
        try:
            self._viewed = self.session.viewed_paths(self.detail)
        except ReviewTuiError as exc:
            self._say(str(exc), title="Review ledger", severity="error")
        if self._viewed:
            self.diff_view.set_lines(self._rows(self.chunk))
        self._load_threads()
        self.call_after_refresh(self._mark_threads)  # not mounted yet in on_mount: the marks waited for a thread
        self._update_header()
        self.diff_view.focus()
        if self._focus_path is not None:
            found = self.diff_view.find_line(self._focus_path)
            if found is not None:
                self.call_after_refresh(self.diff_view.move_to_line, found, top=True)
        self.set_interval(self.session.persist_seconds, self._persist, name="persist active time")
        self.set_interval(CLOCK_REFRESH_SECONDS, self.refresh_clock, name="active time display")
        self.session.focus(self.app.app_focus)
        self.watch(self.app, "app_focus", self._app_focus_changed, init=False)
        self.app.app_suspend_signal.subscribe(self, self._app_suspended)
        self.app.app_resume_signal.subscribe(self, self._app_resumed)
        self.watch(self.diff_view, "scroll_y", self._diff_scrolled, init=False)

    def _diff_scrolled(self, _old: float, _new: float) -> None:
        self._seen_now()

    def on_resize(self, _event: events.Resize) -> None:
        self._fit_title()
        if self.is_mounted:  # the figures are wrapped for the width
            self.query_one("#chunk-figures", Static).update(self._two_lines(self._figures(self.chunk)))
        self.call_after_refresh(self._seen_now)

    def _fit_title(self) -> None:
        """The chunk's title in one line: directories go before file names are cut."""
        if self.is_mounted:
            width = max((self.size.width or self.app.size.width) - 2, 20)
            self.query_one("#chunk-title", Static).update(Text(fit_chunk_title(self.chunk.title, width)))

    def on_diff_view_cursor_moved(self, _event: DiffView.CursorMoved) -> None:
        self._seen_now()

    def _seen_now(self) -> None:
        """Record what is on screen; the header's "seen" share follows at once."""
        if self._note_seen():
            self.refresh_clock()

    def on_diff_view_layout_changed(self, message: DiffView.LayoutChanged) -> None:
        super().on_diff_view_layout_changed(message)
        self.call_after_refresh(self._note_seen)  # side by side or wrapped, other lines are on screen

    def _rows(self, chunk: Chunk) -> list[DisplayLine]:
        rows = self._builder.lines(chunk, expand=chunk.index in self._expanded)
        return fold_viewed(rows, self._viewed) if self._viewed else rows

    # -- evidence of reading ------------------------------------------------------------------
    @staticmethod
    def _line_id(line: DisplayLine) -> LineId | None:
        if line.elsewhere is not None:
            return None  # another chunk's change shown as context: read (and timed) there
        if line.kind == "add" and line.new_no is not None:
            return (line.path, "add", line.new_no)
        if line.kind == "del" and line.old_no is not None:
            return (line.path, "del", line.old_no)
        return None

    def _require_lines(self) -> None:
        """Code chunks must be scrolled through; collapsed, binary and rename chunks are glanced at.
        Every changed line counts, folded or not: a file marked viewed before its lines came on screen
        was required while folded in one sitting and not in the next, which read it as all seen."""
        chunk = self.chunk
        rows = (self._builder.lines(chunk, expand=chunk.index in self._expanded)
                if chunk.kind not in (KIND_COLLAPSED, KIND_BINARY, KIND_RENAME) else ())
        required = [line_id for row in rows if (line_id := self._line_id(row)) is not None]
        self.session.require_lines(self.detail, chunk, required)

    def _note_seen(self) -> int:
        """Tell the session which changed lines are on screen; returns how many are new."""
        if not self._on_screen or not self.is_mounted:
            return 0
        seen = [line_id for row in self.diff_view.visible_lines() if (line_id := self._line_id(row)) is not None]
        return self.session.saw_lines(self.detail, self.chunk, seen)

    # -- time tracking -----------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.session.activity()
        await super().on_event(event)

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        self._show()

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        top = self.app.screen
        if isinstance(top, ActivityModal) and top.counts_as_review:
            return  # writing a note or comment about this chunk is reviewing it
        self._hide()

    def on_unmount(self) -> None:
        self._hide()

    def _show(self) -> None:
        if self.session.ended:
            return
        try:
            with self.session.ledger.waiting_at_most(BACKGROUND_WAIT_SECONDS):
                self.session.show_chunk(self.detail, self.chunk)
        except DatabaseLocked:
            self._time_kept()  # the session counts anyway; a later flush records the view
        except ReviewTuiError as exc:
            self._say(str(exc), title="Review ledger", severity="error")
            return
        self._on_screen = True
        self._require_lines()
        self.call_after_refresh(self._seen_now)
        if self._status(self.chunk) == "new":
            self._statuses[self.chunk.content_hash] = "opened"  # what the ledger now says, without asking it
        self._update_header()

    def _hide(self) -> None:
        if not self._on_screen:
            return
        self._on_screen = False
        self.session.hide_chunk()
        self._persist()

    def _persist(self) -> None:
        """Store the active time so far. It hardly waits for a lock held elsewhere (this runs on the UI
        thread, every few seconds): a locked ledger keeps the time pending for the next try."""
        if self.session.ended:
            return
        try:
            with self.session.ledger.waiting_at_most(BACKGROUND_WAIT_SECONDS):
                self.session.flush()
        except DatabaseLocked:
            self._time_kept()
            return
        except ReviewTuiError as exc:
            self._say(str(exc), title="Could not save review time", severity="error")
            return
        self._time_unsaved = False

    def _time_kept(self) -> None:
        """Say once per lock that the time is kept in memory (said again only after a save went in)."""
        if not self._time_unsaved:
            self._time_unsaved = True
            self._say("The review ledger is locked by another process: your reading time is kept and "
                      "saved once it is free.", title="Review time not saved yet", severity="warning")

    def _app_focus_changed(self, focused: bool) -> None:
        self.session.focus(focused)

    def _app_suspended(self, _app: object) -> None:
        self._hide()

    def _app_resumed(self, _app: object) -> None:
        if self.app.screen is self:
            self._show()

    def _activity(self) -> None:
        self.session.activity()

    def _say(self, message: str, *, title: str = "", severity: str = "information",
             timeout: float | None = None) -> None:
        """A notification shown as plain text: messages may hold repository paths and titles."""
        self.notify(message, title=title, severity=severity, timeout=timeout, markup=False)  # type: ignore[arg-type]

    # -- header ------------------------------------------------------------------------------
    def _load_statuses(self) -> dict[str, str]:
        try:
            self._stamped = self.session.rubber_stamped_chunks(self.detail)
            return self.session.chunk_statuses(self.detail)
        except ReviewTuiError as exc:
            self._say(str(exc), title="Review ledger", severity="error")
            return {}

    def _status(self, chunk: Chunk) -> str:
        return self._statuses.get(chunk.content_hash, "new")

    def status_label(self, chunk: Chunk) -> str:
        """What the header's status badge says: a fast approval shows as "rubber-stamped"."""
        status = self._status(chunk)
        return "rubber-stamped" if status == "approved" and chunk.content_hash in self._stamped else status

    def _update_header(self) -> None:
        if not self.is_mounted:
            return
        chunk = self.chunk
        self.query_one("#chunk-position", Label).update(Text(f"Chunk {self.index + 1} of {len(self.chunks)}"))
        status = self.status_label(chunk)
        status_label = self.query_one("#chunk-status", Label)
        status_label.update(Text(f" {status} "))
        status_label.set_classes(f"status-{status.replace(' ', '-')}")  # "own change": status-own-change
        tier_label = self.query_one("#chunk-tier", Label)
        tier_label.update(Text(f" tier {chunk.tier} "))
        tier_label.set_classes(f"tier-{chunk.tier}" if 0 <= chunk.tier <= 3 else "")
        self._fit_title()
        self.query_one("#chunk-figures", Static).update(self._two_lines(self._figures(chunk)))
        self.query_one("#chunk-where", Static).update(Text(one_line(self._where(chunk), 400)))
        self.refresh_clock()

    def _two_lines(self, text: Text) -> Text:
        """`text` wrapped to the screen's width in two lines at most, the second ending in "…" when cut:
        the floor's derivation at its end was cut to "… 28m 37s; …" on one line at 80 columns."""
        from app.report.tables import wrap_between_values

        width = max((self.size.width or self.app.size.width) - 2, 20)
        plain = text.plain
        # broken between steps and figures, never inside a value ("= 47m" / "45s")
        lines, start = [], 0
        for line in wrap_between_values(plain, width).splitlines():
            start = plain.find(line, start)
            if start < 0:  # never expected (wrapping only drops spaces at the breaks): Rich's own wrap
                return text
            lines.append(text[start:start + len(line)])
            start += len(line)
        if len(lines) > 2:
            lines = [lines[0], lines[1][: width - 1] + Text("…")]
        return Text("\n").join(lines)

    def _figures(self, chunk: Chunk) -> Text:
        from app.core.risk.score import complexity_measured

        files = f"{len(chunk.files)} file{'s' if len(chunk.files) != 1 else ''}"
        if chunk.kind in (KIND_BINARY, KIND_RENAME):  # no lines: counts of lines would say nothing
            parts = [files, "binary content" if chunk.kind == KIND_BINARY else "no line changes"]
        else:
            parts = [f"+{chunk.additions} −{chunk.deletions}", files]
            if chunk.whitespace_lines:  # skimmed, not read: said where the reviewer looks (QA51 #25)
                parts.append(f"{chunk.whitespace_lines:,} of {chunk.changed_lines:,} lines only "
                             f"{skimmed_noun(chunk.files, licence=chunk.licence_lines > 0)}")
            if chunk.moved_lines:  # moved whole from or to elsewhere in the change: checked, skimmed
                parts.append(f"{chunk.moved_lines:,} of {chunk.changed_lines:,} lines only moved")
            if chunk.additions:
                tools = ", ".join(sorted(chunk.ai_tools)) if chunk.ai_tools else ""
                parts.append(f"AI {share_text(chunk.ai_share)}" + (f" ({tools})" if tools else ""))
            # "CC -": no measurer reads this code (Terraform, SQL), as the queue and the change screen say it
            parts.append(f"CC +{chunk.complexity_added}" if complexity_measured(chunk.files) else f"CC {NOT_MEASURED}")
        if chunk.destructive:
            parts.append("destructive operations")
        if chunk.oversized and chunk.oversize_reason:
            parts.append(f"oversized: {chunk.oversize_reason}")
        text = Text(one_line(" · ".join(parts), 300))
        text.append(" · floor ", style="dim")
        derivation = chunk.floor_derivation or format_duration(chunk.floor_seconds, 'clock')
        text.append(one_line(derivation, 300), style="dim")
        return text

    @staticmethod
    def _where(chunk: Chunk) -> str:
        if chunk.line_ranges:
            return chunk_locations(chunk.line_ranges, files=len(chunk.files), spans=len(chunk.line_ranges))
        return ", ".join(map(visible_path, chunk.files))

    def refresh_clock(self) -> None:
        """Show the active time spent so far (every second, and after each change)."""
        if not self.is_mounted:
            return
        chunk = self.chunk
        try:
            spent = self.session.active_seconds(self.detail, chunk)
        except ReviewTuiError:
            return  # the ledger is busy; the next refresh tries again
        self._note_seen()
        clock = self.query_one("#chunk-clock", Label)
        label = f"spent {format_duration(spent, 'clock')} / floor {format_duration(chunk.floor_seconds, 'clock')}"
        seen = self.session.seen_lines(self.detail, chunk)
        unread = seen is not None and seen.unseen > 0
        if unread and seen is not None:
            label += f" · seen {int(seen.fraction * 100)}%"  # rounded down: 100% only when all were
        if self._on_screen and not self.session.timer.counting():
            # the clock stopped (no key for the idle window, or the terminal lost focus): say so, or a
            # reader of a long function cannot tell their time no longer counts
            label += " · paused"  # "(idle)" was cut at 80 columns, leaving a dangling "·"
        clock.update(Text(label))
        clock.set_class(spent < chunk.floor_seconds or unread, "below-floor")

    # -- navigation --------------------------------------------------------------------------
    def show_chunk(self, index: int, *, cursor_line: int | None = None, top: bool = False,
                   remember: bool = True) -> None:
        """Move to chunk `index` (0-based, clamped), the cursor on `cursor_line` (a row of the new
        chunk; at the top of the view with `top`) or its first row; `remember` keeps the place left
        for jump_back."""
        index = max(0, min(index, len(self.chunks) - 1))
        if index == self.index:
            if cursor_line is not None:
                if remember and cursor_line != self.diff_view.cursor_line_index:
                    # a jump inside the chunk (the file list, a file of this chunk) is a move to undo too
                    self._jumps.append((self.index, self.diff_view.cursor_line_index))
                    del self._jumps[:-50]
                self.diff_view.move_to_line(cursor_line, top=top)
            return
        if remember:
            self._jumps.append((self.index, self.diff_view.cursor_line_index))
            del self._jumps[:-50]
        self.index = index
        self.diff_view.set_lines(self._rows(self.chunk), cursor_line=cursor_line, top=top)
        if self._on_screen:
            self._show()
        self._update_header()
        self.refresh_bindings()

    def action_jump_back(self) -> None:
        """Back to the chunk and line the reader was on before the last move."""
        if not self._jumps:
            self._say("No earlier place to go back to.", timeout=2)
            return
        index, line = self._jumps.pop()
        self.show_chunk(index, cursor_line=line, remember=False)

    def action_next_chunk(self) -> None:
        if self.index + 1 >= len(self.chunks):
            self._say("This is the last chunk.", timeout=2)
            return
        self.show_chunk(self.index + 1)

    def action_previous_chunk(self) -> None:
        if self.index == 0:
            self._say("This is the first chunk.", timeout=2)
            return
        self.show_chunk(self.index - 1)

    def next_unreviewed_index(self) -> int | None:
        """The next chunk after this one (wrapping) with no approval or flag: new or opened ones
        first, then those marked "later"; None when every other chunk is decided."""
        count = len(self.chunks)
        order = [(self.index + step) % count for step in range(1, count)]
        for wanted in (UNDECIDED_FIRST, ("later",)):
            for index in order:
                if self._status(self.chunks[index]) in wanted:
                    return index
        return None

    def action_next_unreviewed(self) -> None:
        index = self.next_unreviewed_index()
        if index is None:
            self._say("Every other chunk has a decision. Press escape to go back.", timeout=3)
            return
        self.show_chunk(index)

    def action_back(self) -> None:
        self._hide()
        self.dismiss(None)

    def action_expand(self) -> None:
        """A collapsed chunk: show its lines. Otherwise more context around the hunk at the cursor."""
        chunk = self.chunk
        if chunk.kind == KIND_COLLAPSED and not chunk.segments:
            self._say("Its lines are counted, not loaded (installed packages): the git diff command at the top "
                      "shows them.", timeout=4)
            return
        if chunk.kind == KIND_COLLAPSED and chunk.index not in self._expanded:
            self._expanded.add(chunk.index)
            self.diff_view.set_lines(self._rows(chunk))
            self.refresh_bindings()
            return
        self.expand_context(False)

    def expand_context(self, whole_file: bool) -> None:
        view = self.diff_view
        line = view.cursor_line
        if line is not None and line.kind in ("file", "hunk", "note"):  # a header: the line below it
            below = view.lines[view.cursor_line_index + 1:view.cursor_line_index + 3]
            line = next((row for row in below if row.kind in ("add", "del", "context")), line)
        problem = self._builder.expand_context(self.chunk, line, whole_file=whole_file)
        if problem:
            self._say(problem, timeout=3)
            return
        keep = view.cursor_line
        rows = self._rows(self.chunk)
        found = next((i for i, row in enumerate(rows) if keep is not None and row.path == keep.path
                      and row.kind == keep.kind and row.old_no == keep.old_no and row.new_no == keep.new_no), 0)
        view.set_lines(rows, cursor_line=found)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("expand", "expand_file"):
            return None if self.chunk.kind in (KIND_BINARY, KIND_RENAME) else True
        return True

    # -- reading: files, the head version ------------------------------------------------------
    def _chunks_of_file(self, file_index: int) -> list[int]:
        path = self.detail.files[file_index].path
        return [position for position, chunk in enumerate(self.chunks)
                if any(s.file_index == file_index for s in chunk.segments) or path in chunk.files]

    def reader_files(self) -> tuple[str, list[FileEntry], int]:
        entries = []
        for file_index, fd in enumerate(self.detail.files):
            where = [str(self.chunks[p].index) for p in self._chunks_of_file(file_index)]
            label = f"chunk{'s' if len(where) != 1 else ''} {', '.join(where)}" if where else ""
            entries.append(FileEntry(fd.display_path, fd.status, fd.additions, fd.deletions, label,
                                     viewed=fd.path in self._viewed))
        line = self.diff_view.cursor_line
        current = next((i for i, fd in enumerate(self.detail.files) if line is not None and fd.path == line.path), 0)
        return f"Files of {one_line(self.detail.change.id, 100)}", entries, current

    def jump_to_file(self, index: int) -> None:
        """Show file `index` of the change: in this chunk if it has it, else the first chunk that does."""
        positions = self._chunks_of_file(index)
        if not positions:
            self._say("That file has no chunk to review.", timeout=3)
            return
        target = self.index if self.index in positions else positions[0]
        path = self.detail.files[index].path
        rows = self._rows(self.chunks[target]) if target != self.index else list(self.diff_view.lines)
        found = next((i for i, row in enumerate(rows) if row.path == path and row.kind == "file"), None)
        if found is None:
            found = next((i for i, row in enumerate(rows) if row.path == path), 0)
        self.show_chunk(target, cursor_line=found, top=True)

    def action_mark_viewed(self) -> None:
        """Mark the file at the cursor viewed (its lines fold away) or, if it is, not viewed."""
        line = self.diff_view.cursor_line
        fd = next((f for f in self.detail.files if line is not None and f.path == line.path), None)
        if fd is None:
            self._say("Put the cursor on a file of the diff first.", timeout=3)
            return
        viewed = fd.path not in self._viewed
        try:
            self.session.set_viewed(self.detail, fd, viewed)
        except ReviewTuiError as exc:
            self._say(str(exc), title="Review ledger", severity="error")
            return
        (self._viewed.add if viewed else self._viewed.discard)(fd.path)
        rows = self._rows(self.chunk)
        header = next((i for i, row in enumerate(rows) if row.path == fd.path and row.kind == "file"), 0)
        self.diff_view.set_lines(rows, cursor_line=header)
        self._say(f"{'Viewed' if viewed else 'Not viewed'}: {visible_path(fd.path, 120)}", timeout=2)

    def _repo(self) -> GitRepo | None:
        """The repository, when the host app has one (ReviewApp's analyzer; a bare test host has none)."""
        analyzer = getattr(self.app, "analyzer", None)
        repo = getattr(analyzer, "repo", None)
        return repo if isinstance(repo, GitRepo) else None

    def _head_bytes(self, fd: FileDiff) -> bytes | None:
        """The file as the change's head has it (the working file for uncommitted changes)."""
        repo = self._repo()
        if repo is None:
            return None
        try:
            if self.detail.change.head == WORKTREE_ID:
                data: bytes | None = repo.workdir_file(fd.path)
            elif fd.new_blob:
                data = repo.blob(fd.new_blob)
            else:
                data = None
        except ReviewTuiError:
            return None
        return data

    def _head_lines(self, fd: FileDiff) -> list[str] | None:
        data = self._head_bytes(fd)
        return split_lines(decode_text(data)) if data is not None else None

    def file_source(self, path: str, side: str) -> FileSource | None:
        fd = next((f for f in self.detail.files if f.path == path), None)
        repo = self._repo()
        if fd is None or repo is None:
            return None
        change = self.detail.change
        if fd.status == "deleted":  # only the base version exists
            if fd.old_blob is None:
                return None
            old_blob = fd.old_blob
            return FileSource(f"{(change.base or 'base')[:10]}-base", lambda: repo.blob(old_blob))
        if side == "old":
            return None  # a deleted line of a file that still exists: opened where it was, in the head
        working = self._working_copy(fd)
        label = "worktree" if change.head == WORKTREE_ID else change.head[:10]
        return FileSource(label, lambda: self._head_bytes(fd), working_file=working)

    def _working_copy(self, fd: FileDiff) -> Path | None:
        """The checked-out file when it holds exactly the head version (or the change is the working tree)."""
        repo = self._repo()
        workdir = getattr(repo, "workdir", None)
        if workdir is None:
            return None
        target = Path(workdir) / fd.path
        if self.detail.change.head == WORKTREE_ID:
            return target if target.is_file() else None
        if repo is None or repo.head_commit() != self.detail.change.head:
            return None
        try:
            same = target.is_file() and target.read_bytes() == self._head_bytes(fd)
        except OSError:
            return None
        return target if same else None

    # -- decisions ---------------------------------------------------------------------------
    def action_approve(self) -> None:
        chunk = self.chunk
        try:
            check = self.session.approval_check(self.detail, chunk)
        except ReviewTuiError as exc:
            self._say(str(exc), title="Review ledger", severity="error")
            return
        if not check.fast:
            self._record(lambda: self.session.approve(self.detail, chunk), chunk)
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._record(lambda: self.session.approve(self.detail, chunk, confirmed_fast=True), chunk)

        title = ("Approve faster than the floor?" if check.active_seconds < check.floor_seconds
                 else "Approve without reading it all?")
        dialog = ConfirmDialog(title, check.message, yes="Rubber stamp",
                               no="Keep reviewing", on_activity=self._activity)
        self.app.push_screen(dialog, answered)

    def action_flag(self) -> None:
        chunk = self.chunk

        def answered(note: str | None) -> None:
            if note and not self._record(lambda: self.session.flag(self.detail, chunk, note), chunk):
                self._unsaved_notes[chunk.content_hash] = note  # typed once: offered again on the retry

        self.app.push_screen(TextInputDialog("Flag: request changes", f"What should change in: {chunk.title}",
                                             placeholder="what should change, and why",
                                             on_activity=self._activity,
                                             value=self._unsaved_notes.pop(chunk.content_hash, "")), answered)

    def action_later(self) -> None:
        chunk = self.chunk
        self._record(lambda: self.session.later(self.detail, chunk), chunk)

    def action_comment(self) -> None:
        chunk = self.chunk
        target = comment_target(self.diff_view.cursor_line)
        if target is None:
            self._say("Put the cursor on a line of the diff first.", timeout=3)
            return
        path, line, side = target
        existing = self._thread_at(path, line, side)
        if existing is not None:  # the line has a conversation already: open it (reply, resolve)
            self._open_thread(existing)
            return
        shown = visible_path(path)
        where = shown if line is None else f"{shown}:{line}" + (" (old)" if side == "old" else "")

        def answered(body: str | None) -> None:
            if not body:
                return
            try:
                self.session.comment(self.detail, chunk, path, line, side, body)
            except ReviewTuiError as exc:
                self._say(str(exc), title="Comment not saved", severity="error")
                return
            self._load_threads()
            self._say(f"Comment saved on {one_line(where, 120)}", timeout=2)

        self.app.push_screen(TextInputDialog("Comment", f"Comment on {where}", on_activity=self._activity),
                             answered)

    # -- comment threads ------------------------------------------------------------------------
    def _load_threads(self) -> None:
        try:
            self._threads = self.session.threads(self.detail)
        except ReviewTuiError as exc:
            self._say(str(exc), title="Comment threads", severity="error")
            self._threads = []
        self._mark_threads()

    def _mark_threads(self) -> None:
        """Gutter marks: ☠ a line a destructive operation names (its explanation beside the cursor line: the
        header said "destructive operations" and the reviewer hunted for the line), ● an open thread, ✓ a
        resolved one (the open one wins on a shared line; a thread on a destructive line keeps both labels)."""
        if not self.is_mounted:
            return
        markers: dict[MarkerKey, LineMarker] = {}
        for op in self.detail.tiers.destructive:
            if op.line is not None:
                markers[(op.path, op.side, op.line)] = LineMarker("☠", "error", f"destructive: {op.explanation}")
        dangers = {key: marker.label for key, marker in markers.items()}
        threaded: set[MarkerKey] = set()
        for thread in self._threads:
            if thread.outdated:
                continue  # its line number is from before a push changed the chunk: it may name another line
            root = thread.root
            key: MarkerKey = (root.path, root.side, root.line)
            if key in threaded and thread.resolved:
                continue
            threaded.add(key)
            replies = len(thread.replies)
            label = (f"{'resolved' if thread.resolved else 'open'} thread"
                     f"{f', {replies} repl' + ('y' if replies == 1 else 'ies') if replies else ''}: "
                     f"{thread_summary(thread, 60)} (c opens it)")
            if key in dangers:
                label = f"{dangers[key]} · {label}"
            markers[key] = LineMarker("✓" if thread.resolved else "●",
                                      "success" if thread.resolved else "warning", label)
        self.diff_view.set_markers(markers)

    def _thread_at(self, path: str, line: int | None, side: str) -> CommentThread | None:
        here = [t for t in self._threads if (t.root.path, t.root.line) == (path, line) and not t.outdated
                and (t.root.side == side or line is None)]
        return next((t for t in here if not t.resolved), here[0] if here else None)

    def thread_actions(self) -> ThreadActions:
        def reply(thread: CommentThread, body: str) -> CommentThread | None:
            try:
                self.session.reply(self.detail, thread, body)
            except ReviewTuiError as exc:
                self._say(str(exc), title="Reply not saved", severity="error")
                return None
            return self._reloaded(thread)

        def set_resolved(thread: CommentThread, resolved: bool) -> CommentThread | None:
            try:
                self.session.set_resolved(self.detail, thread, resolved)
            except ReviewTuiError as exc:
                self._say(str(exc), title="Thread not changed", severity="error")
                return None
            return self._reloaded(thread)

        return ThreadActions(reply, set_resolved)

    def _reloaded(self, thread: CommentThread) -> CommentThread:
        self._load_threads()
        return next((t for t in self._threads if t.thread_id == thread.thread_id), thread)

    def _open_thread(self, thread: CommentThread) -> None:
        self.app.push_screen(ThreadDialog(thread, self.thread_actions(), on_activity=self._activity),
                             lambda _changed: self._load_threads())

    def action_threads(self) -> None:
        title = f"Comment threads · {one_line(self.detail.change.id, 60)}"
        self.app.push_screen(ThreadsScreen(title, lambda: self.session.threads(self.detail), self.thread_actions()),
                             lambda _result: self._load_threads())

    def _record(self, decide: Callable[[], Decision], chunk: Chunk) -> bool:
        """Run a decision, then refresh statuses and move to the next unreviewed chunk. False when it
        was not recorded (said on screen). A locked ledger is not retried behind the reviewer's back:
        the decision would be stored later than given, perhaps after they moved on; they decide again."""
        try:
            with self.session.ledger.waiting_at_most(DECISION_WAIT_SECONDS):
                decision: Decision = decide()
        except DatabaseLocked:
            self._say(f"Nothing was recorded for chunk {self.chunks.index(chunk) + 1}: the review ledger is locked "
                      "by another process (another review-tui, or a tool such as a sqlite3 shell holding a write "
                      "lock). Decide again once it is free.", title="Decision not saved", severity="error",
                      timeout=15)
            return False
        except ReviewTuiError as exc:
            self._say(str(exc), title="Decision not saved", severity="error")
            return False
        self._statuses = self._load_statuses()
        self.post_message(self.ChunkDecided(self.detail, chunk, decision))
        verb = {"approve": "Rubber-stamped" if decision.rubber_stamp else "Approved", "flag": "Flagged",
                "later": "Marked for later"}[decision.decision]
        self._say(f"{verb}: chunk {self.chunks.index(chunk) + 1}", timeout=2)
        own = self.session.own_change(self.detail.change) if decision.decision == "approve" else None
        if own and not self._told_own_change:  # once a screen: the header's "[own change]" stays
            self._told_own_change = True
            self._say(f"Recorded, but it will not count: {own}.", title="Your own change", severity="warning")
        if self.session.unsigned_why:  # a signing key is set but could not sign: say so, sync will
            self._say(self.session.unsigned_why, title="Recorded unsigned", severity="warning")
        following = self.next_unreviewed_index()
        if following is not None:
            self.show_chunk(following)
        else:
            self._update_header()
            later = sum(1 for c in self.chunks if self._status(c) == "later")
            self._say("Every chunk has a decision. Press escape to go back." if not later else
                      f"Every chunk is decided or marked for later: {plural(later, 'chunk')} for later "
                      f"(u comes back to {'it' if later == 1 else 'them'}). Press escape to go back.", timeout=3)
        return True
