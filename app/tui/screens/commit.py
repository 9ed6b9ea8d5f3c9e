"""CommitDiffScreen: one commit of a change, its own diff (against its first parent).

Reviewing a change commit by commit follows the author's steps: Enter on the change screen's
Commits tab (newest first, like git log) opens this screen on that commit; here the commits count
in the order they were made, and tab and p move to the next (newer) and previous (older) one. The
diff loads in a thread worker (a commit can be large) with the app's fresh Analyzer, and is shown
in a DiffView with everything a ReaderScreen offers: search, the commit's files, more context up
to the whole file (the file as it is in this commit), the editor, copying path:line.

Reading a commit records no review time: time and decisions belong to the chunks of the change
(the diff a merge would bring), which a commit's diff does not partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from app.core.git.diff import FileDiff, decode_text
from app.core.text import one_line, visible_path
from app.errors import ReviewTuiError
from app.tui.file_context import Expansions, FileLayout, split_lines, window_rows
from app.tui.screens import STYLES
from app.tui.screens.reader import FileEntry, FileSource, ReaderScreen, layout_choice, reader_bindings
from app.tui.widgets.diff_view import DiffView, DisplayLine, display_lines_for_files
from app.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from app.analysis.report import ChangeDetail
    from app.core.git.models import CommitInfo
    from app.tui.host import ReviewHost



class CommitDiffScreen(ReaderScreen):
    """The diff of one commit of a change (`commit_id`), with the change's other commits a key away."""

    ACTION_SCREEN: ClassVar[str] = "commit"
    CSS_PATH: ClassVar[list[str | PurePath]] = [STYLES / "reader.tcss", STYLES / "commit.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = reader_bindings("commit")

    @dataclass
    class DiffLoaded(Message):
        commit_id: str
        files: list[FileDiff]

    @dataclass
    class DiffFailed(Message):
        commit_id: str
        error: str

    def __init__(self, detail: ChangeDetail, commit_id: str) -> None:
        super().__init__()
        self.detail = detail
        self.commits: list[CommitInfo] = list(reversed(detail.change.commits))  # oldest first
        ids = [commit.id for commit in self.commits]
        self.position = ids.index(commit_id) if commit_id in ids else len(ids) - 1
        self.files: list[FileDiff] = []
        self._expansions = Expansions()
        self._layouts: dict[tuple[str, int], FileLayout | None] = {}

    @property
    def review_app(self) -> ReviewHost:
        return self.app  # type: ignore[return-value]  # the ReviewApp, seen through ReviewHost

    @property
    def commit(self) -> CommitInfo:
        return self.commits[self.position]

    def compose(self) -> ComposeResult:
        yield Static(id="commit-header")
        split, wrap = layout_choice(self.app)
        yield DiffView(id="commit-diff", split=split, wrap=wrap)
        yield self.search_bar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_commit()

    # -- loading ---------------------------------------------------------------------------------
    def _show_commit(self) -> None:
        self._draw_header(loading=True)
        self.files = []
        self.diff_view.set_lines([])
        self.diff_view.loading = True
        self.load_diff(self.commit.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="commit-diff", name="load commit diff")
    def load_diff(self, commit_id: str) -> None:
        """The commit's diff, with this thread's own Analyzer (pygit2 stays in one thread)."""
        try:
            files = self.review_app.fresh_analyzer().repo.commit_diff(commit_id)
        except ReviewTuiError as exc:
            self.post_message(self.DiffFailed(commit_id, str(exc)))
            return
        self.post_message(self.DiffLoaded(commit_id, files))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "commit-diff" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.post_message(self.DiffFailed(self.commit.id, f"internal error: {type(error).__name__}: {error}"))

    def on_commit_diff_screen_diff_loaded(self, message: DiffLoaded) -> None:
        if message.commit_id != self.commit.id:
            return  # the reader moved on meanwhile
        self.files = message.files
        self.diff_view.loading = False
        self.diff_view.set_lines(self._rows())
        self.diff_view.focus()
        self._draw_header()

    def on_commit_diff_screen_diff_failed(self, message: DiffFailed) -> None:
        if message.commit_id != self.commit.id:
            return
        self.diff_view.loading = False
        self.say(one_line(message.error, 300), title="Could not read the commit", severity="error")

    # -- drawing ---------------------------------------------------------------------------------
    def _draw_header(self, *, loading: bool = False) -> None:
        commit = self.commit
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"Commit {self.position + 1} of {len(self.commits)}", style="bold")
        text.append(" (oldest first)  ", style="dim")
        text.append(commit.short_id, style="dim")
        text.append("  " + one_line(commit.subject, 200))
        text.append("\n")
        text.append("by " + one_line(commit.author_name, 80), style="dim")
        signals = self.detail.commit_signals.get(commit.id, [])
        if signals:
            tools = ", ".join(dict.fromkeys(one_line(s.tool, 40) for s in signals))
            text.append(f"  ·  AI: {tools}", style="bold")
        if len(commit.parents) == 2:
            text.append("  ·  a merge: what it changed itself (a clean merge shows nothing)", style="dim")
        if loading:
            text.append("  ·  loading…", style="dim")
        elif self.files:
            added = sum(fd.additions for fd in self.files)
            deleted = sum(fd.deletions for fd in self.files)
            text.append(f"  ·  +{added} −{deleted} in {len(self.files)} file{'s' if len(self.files) != 1 else ''}",
                        style="dim")
        text.append("  ·  no review time is recorded here", style="dim italic")
        self.query_one("#commit-header", Static).update(text)

    def _rows(self) -> list[DisplayLine]:
        """The commit's rows, with more context where the reader asked for it."""
        rows: list[DisplayLine] = []
        for index, fd in enumerate(self.files):
            own = display_lines_for_files([fd])
            layout = self._layouts.get((self.commit.id, index)) if self._expansions.active(
                self.commit.id, index) else None
            if layout is None:
                rows.extend(own)
                continue
            spans = [(layout.position(h, 0), layout.position(h, len(hunk.lines) - 1) + 1)
                     for h, hunk in enumerate(fd.hunks) if hunk.lines]
            rows.append(own[0])  # the file header
            rows.extend(window_rows(layout, self._expansions.windows(self.commit.id, index, spans,
                                                                       len(layout.rows)), fd.path))
        return rows

    # -- commits ---------------------------------------------------------------------------------
    def action_next_commit(self) -> None:
        if self.position + 1 >= len(self.commits):
            self.say("This is the newest commit of the change.", timeout=2)
            return
        self.position += 1
        self._show_commit()

    def action_previous_commit(self) -> None:
        if self.position == 0:
            self.say("This is the oldest commit of the change.", timeout=2)
            return
        self.position -= 1
        self._show_commit()

    def action_back(self) -> None:
        self.dismiss(None)

    # -- reader hooks ----------------------------------------------------------------------------
    def _file_index_at_cursor(self) -> int | None:
        line = self.diff_view.cursor_line
        if line is None:
            return None
        return next((i for i, fd in enumerate(self.files) if fd.path == line.path), None)

    def reader_files(self) -> tuple[str, list[FileEntry], int]:
        entries = [FileEntry(fd.display_path, fd.status, fd.additions, fd.deletions) for fd in self.files]
        return (f"Files of commit {self.commit.short_id}", entries, self._file_index_at_cursor() or 0)

    def jump_to_file(self, index: int) -> None:
        found = self.diff_view.find_line(self.files[index].path)
        if found is not None:
            self.diff_view.move_to_line(found, top=True)

    def expand_context(self, whole_file: bool) -> None:
        view = self.diff_view
        index = self._file_index_at_cursor()
        if index is None:
            return
        fd = self.files[index]
        if fd.binary or not fd.hunks:
            self.say(f"{visible_path(fd.path, 120)} has no lines to show.", timeout=3)
            return
        key = (self.commit.id, index)
        if key not in self._layouts:
            self._layouts[key] = self._layout(fd)
        layout = self._layouts[key]
        if layout is None:
            self.say(f"Could not read {visible_path(fd.path, 120)} at {self.commit.short_id}.", severity="warning")
            return
        spans = [(layout.position(h, 0), layout.position(h, len(hunk.lines) - 1) + 1)
                 for h, hunk in enumerate(fd.hunks) if hunk.lines]
        line = view.cursor_line
        position = layout.position_of(line) if line is not None else None
        if position is None:
            position = spans[0][0]
        if not self._expansions.grow(self.commit.id, index, spans, len(layout.rows), position, whole=whole_file):
            self.say("The whole file is already shown.", timeout=2)
            return
        rows = self._rows()
        found = next((i for i, row in enumerate(rows) if line is not None and row.path == line.path
                      and row.kind == line.kind and row.old_no == line.old_no and row.new_no == line.new_no), 0)
        view.set_lines(rows, cursor_line=found)

    def _layout(self, fd: FileDiff) -> FileLayout | None:
        if fd.status == "deleted":
            return FileLayout(fd, [])
        data = self._read(self.commit.id, fd.path)
        if data is None:
            return None
        return FileLayout(fd, split_lines(decode_text(data)))

    def _read(self, commit_id: str, path: str) -> bytes | None:
        return self.review_app.analyzer.repo.file_at(commit_id, path)

    def file_source(self, path: str, side: str) -> FileSource | None:
        commit = self.commit
        fd = next((f for f in self.files if f.path == path), None)
        deleted = fd is not None and fd.status == "deleted"
        if side == "old" or deleted:  # only a file this commit deleted is opened in its old version
            parent = commit.parents[0] if commit.parents else None
            if not deleted or parent is None:
                return None
            return FileSource(parent[:10], lambda: self._read(parent, path))
        return FileSource(commit.short_id, lambda: self._read(commit.id, path))
