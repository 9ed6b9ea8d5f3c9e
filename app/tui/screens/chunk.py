"""ChunkReviewScreen: review one chunk of a change's plan, decide, and move on.

A header says where the chunk sits in the plan, what it holds (files and line ranges, tier, AI
share, complexity added), its floor time and how that was derived, the active time spent so far
(live, every second) and its status; below it the chunk's diff in a DiffView (lazily rendered,
so a 5,000-line chunk costs what a 50-line one does once on screen).

Time tracking: the screen tells the ReviewSession what is on screen (shown when the screen is
resumed or moves to another chunk; hidden when it is covered by another screen, except by a note
or comment dialog, which is review work; hidden when the app is suspended), forwards terminal
focus changes (App.app_focus, fed by AppFocus/AppBlur where the terminal reports focus) and every
key and mouse event as activity, and flushes the time to the ledger every `persist_seconds`.

Keys come from the action registry (app/tui/keys.py, screen "chunk"); scrolling keys belong to
the DiffView ("diff").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from app.analysis.report import ChangeDetail
from app.core.planner.model import KIND_BINARY, KIND_COLLAPSED, KIND_RENAME, Chunk
from app.core.text import format_duration, one_line
from app.errors import ReviewTuiError
from app.storage.ledger import Decision
from app.tui.chunk_lines import DEFAULT_CONTEXT, ChunkLines, comment_target
from app.tui.keys import ActionSpec, bindings_for, footer_bindings
from app.tui.review_session import ReviewSession
from app.tui.screens.dialogs import ActivityModal, ConfirmDialog, TextInputDialog
from app.tui.widgets.diff_view import DiffView, DisplayLine

STYLES = Path(__file__).resolve().parent.parent / "styles"

UNDECIDED_FIRST = ("new", "opened")
"""States "next unreviewed" looks for first; "later" chunks come after them."""
DECIDED = ("approved", "flagged")

CLOCK_REFRESH_SECONDS = 1.0




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


class ChunkReviewScreen(Screen[None]):
    """Review chunk `index` (0-based position in detail.plan.chunks) and the ones after it."""

    CSS_PATH = STYLES / "chunk.tcss"
    BINDINGS: ClassVar[list[BindingType]] = footer_bindings(bindings_for("chunk"))
    EXTRA_ACTIONS: ClassVar[tuple[ActionSpec, ...]] = ()
    ACTION_SCREEN: ClassVar[str] = "chunk"

    @dataclass
    class ChunkDecided(Message):
        """A decision was recorded on a chunk (the change screen refreshes its statuses)."""

        detail: ChangeDetail
        chunk: Chunk
        decision: Decision

    def __init__(self, detail: ChangeDetail, index: int, session: ReviewSession, *,
                 context: int = DEFAULT_CONTEXT) -> None:
        super().__init__()
        if not detail.plan.chunks:
            raise ReviewTuiError(f"{detail.change.id}: the review plan has no chunks")
        self.detail = detail
        self.session = session
        self.index = max(0, min(index, len(detail.plan.chunks) - 1))
        self._builder = ChunkLines(detail, context=context)
        self._expanded: set[int] = set()
        self._statuses: dict[str, str] = {}
        self._stamped: set[str] = set()  # chunks whose standing approval was a rubber stamp
        self._on_screen = False  # the session counts time for the current chunk

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
        yield _ReviewDiffView(self._rows(self.chunk), id="chunk-diff")
        yield Footer()

    def on_mount(self) -> None:
        self._statuses = self._load_statuses()
        self._update_header()
        self.diff_view.focus()
        self.set_interval(self.session.persist_seconds, self._persist, name="persist active time")
        self.set_interval(CLOCK_REFRESH_SECONDS, self.refresh_clock, name="active time display")
        self.session.focus(self.app.app_focus)
        self.watch(self.app, "app_focus", self._app_focus_changed, init=False)
        self.app.app_suspend_signal.subscribe(self, self._app_suspended)
        self.app.app_resume_signal.subscribe(self, self._app_resumed)

    def _rows(self, chunk: Chunk) -> list[DisplayLine]:
        return self._builder.lines(chunk, expand=chunk.index in self._expanded)

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
            self.session.show_chunk(self.detail, self.chunk)
        except ReviewTuiError as exc:
            self._say(str(exc), title="Review ledger", severity="error")
            return
        self._on_screen = True
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
        if self.session.ended:
            return
        try:
            self.session.flush()
        except ReviewTuiError as exc:
            self._say(str(exc), title="Could not save review time", severity="error")

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
        status_label.set_classes(f"status-{status}")
        tier_label = self.query_one("#chunk-tier", Label)
        tier_label.update(Text(f" tier {chunk.tier} "))
        tier_label.set_classes(f"tier-{chunk.tier}" if 0 <= chunk.tier <= 3 else "")
        self.query_one("#chunk-title", Static).update(Text(one_line(chunk.title, 300)))
        self.query_one("#chunk-figures", Static).update(self._figures(chunk))
        self.query_one("#chunk-where", Static).update(Text(one_line(self._where(chunk), 400)))
        self.refresh_clock()

    def _figures(self, chunk: Chunk) -> Text:
        files = f"{len(chunk.files)} file{'s' if len(chunk.files) != 1 else ''}"
        if chunk.kind in (KIND_BINARY, KIND_RENAME):  # no lines: counts of lines would say nothing
            parts = [files, "binary content" if chunk.kind == KIND_BINARY else "no line changes"]
        else:
            parts = [f"+{chunk.additions} −{chunk.deletions}", files]
            if chunk.additions:
                tools = ", ".join(sorted(chunk.ai_tools)) if chunk.ai_tools else ""
                parts.append(f"AI {chunk.ai_share:.0%}" + (f" ({tools})" if tools else ""))
            parts.append(f"CC +{chunk.complexity_added}")
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
            return ", ".join(str(r) for r in chunk.line_ranges)
        return ", ".join(chunk.files)

    def refresh_clock(self) -> None:
        """Show the active time spent so far (every second, and after each change)."""
        if not self.is_mounted:
            return
        chunk = self.chunk
        try:
            spent = self.session.active_seconds(self.detail, chunk)
        except ReviewTuiError:
            return  # the ledger is busy; the next refresh tries again
        clock = self.query_one("#chunk-clock", Label)
        floor = format_duration(chunk.floor_seconds, "clock")
        clock.update(Text(f"spent {format_duration(spent, 'clock')} / floor {floor}"))
        clock.set_class(spent < chunk.floor_seconds, "below-floor")

    # -- navigation --------------------------------------------------------------------------
    def show_chunk(self, index: int) -> None:
        """Move to chunk `index` (0-based, clamped)."""
        index = max(0, min(index, len(self.chunks) - 1))
        if index == self.index:
            return
        self.index = index
        self.diff_view.set_lines(self._rows(self.chunk))
        if self._on_screen:
            self._show()
        self._update_header()
        self.refresh_bindings()

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
        chunk = self.chunk
        if chunk.kind != KIND_COLLAPSED or chunk.index in self._expanded:
            return
        self._expanded.add(chunk.index)
        self.diff_view.set_lines(self._rows(chunk))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "expand":
            chunk = self.chunk
            return True if chunk.kind == KIND_COLLAPSED and chunk.index not in self._expanded else None
        return True

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

        dialog = ConfirmDialog("Approve faster than the floor?", check.message, yes="Rubber stamp",
                               no="Keep reviewing", on_activity=self._activity)
        self.app.push_screen(dialog, answered)

    def action_flag(self) -> None:
        chunk = self.chunk

        def answered(note: str | None) -> None:
            if note:
                self._record(lambda: self.session.flag(self.detail, chunk, note), chunk)

        self.app.push_screen(TextInputDialog("Flag: request changes", f"What should change in: {chunk.title}",
                                             placeholder="e.g. retry budget must not go below zero",
                                             on_activity=self._activity), answered)

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
        where = path if line is None else f"{path}:{line}" + (" (old)" if side == "old" else "")

        def answered(body: str | None) -> None:
            if not body:
                return
            try:
                self.session.comment(self.detail, chunk, path, line, side, body)
            except ReviewTuiError as exc:
                self._say(str(exc), title="Comment not saved", severity="error")
                return
            self._say(f"Comment saved on {one_line(where, 120)}", timeout=2)

        self.app.push_screen(TextInputDialog("Comment", f"Comment on {where}", on_activity=self._activity),
                             answered)

    def _record(self, decide: Callable[[], Decision], chunk: Chunk) -> None:
        """Run a decision, then refresh statuses and move to the next unreviewed chunk."""
        try:
            decision: Decision = decide()
        except ReviewTuiError as exc:
            self._say(str(exc), title="Decision not saved", severity="error")
            return
        self._statuses = self._load_statuses()
        self.post_message(self.ChunkDecided(self.detail, chunk, decision))
        verb = {"approve": "Rubber-stamped" if decision.rubber_stamp else "Approved", "flag": "Flagged",
                "later": "Marked for later"}[decision.decision]
        self._say(f"{verb}: chunk {self.chunks.index(chunk) + 1}", timeout=2)
        following = self.next_unreviewed_index()
        if following is not None:
            self.show_chunk(following)
        else:
            self._update_header()
            self._say("Every chunk has a decision. Press escape to go back.", timeout=3)
