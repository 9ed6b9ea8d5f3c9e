"""Reading a diff: what the chunk screen and the commit screen share beyond the DiffView itself.

`ReaderScreen` is the base of every screen that shows a diff to read: search within it (`/`, then
n / N in the view), the list of the change's files with a jump to one (`F`), more context around
the hunk at the cursor (`e`) or the whole file (`E`), opening the file at the cursor line in the
reader's editor (`o`) and copying `path:line` (`y`). Its keys come from the "reader" screen of the
action registry (app/tui/keys.py). A subclass says what it shows through a few hooks
(`reader_files`, `jump_to_file`, `expand_context`, `file_source`).

Opening an editor: `$VISUAL`, else `$EDITOR`, else `vi`, with the cursor's line (`+N file` for
vi-likes, `file:N` for VS Code, Sublime, Helix and Zed). When the head version is what is checked
out, the working file is opened; otherwise the head version (the base version for a deleted file)
is written to a read-only file in a private temp folder named after the commit, so the editor
shows the code under review rather than whatever the working tree holds. The TUI suspends while
the editor runs (App.suspend) and resumes after it.

Copying uses OSC 52 through Textual's copy_to_clipboard (terminals that allow it put the text on
the system clipboard) and says what was copied in a notification, so it is never silent.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Static

from app.core.text import fit_middle, one_line, visible_path
from app.core.workers import user_environment
from app.tui.keys import bindings_for, footer_bindings
from app.tui.screens import STYLES
from app.tui.widgets.diff_view import DiffView, DisplayLine, SplitMode
from app.tui.widgets.list_table import ListTable

# -- the reader's layout choice, kept for the next diff view of the same app ---------------------
_layouts: weakref.WeakKeyDictionary[App[object], tuple[SplitMode, bool]] = weakref.WeakKeyDictionary()


def layout_choice(app: App[object]) -> tuple[SplitMode, bool]:
    """(split mode, wrap) the reader last chose in this app; ("auto", False) at first."""
    return _layouts.get(app, ("auto", False))


def remember_layout(app: App[object], split: SplitMode, wrap: bool) -> None:
    _layouts[app] = (split, wrap)


# -- files ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FileEntry:
    """One row of the file list."""

    path: str
    """The path shown (may be "old → new" for a rename)."""
    status: str
    additions: int
    deletions: int
    where: str = ""
    """Where it is reviewed, e.g. "chunks 2, 5"."""
    viewed: bool = False


class FileListScreen(ModalScreen[int | None]):
    """The files of a change; enter dismisses with the chosen row's index, escape with None."""

    CSS_PATH = STYLES / "reader.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_list", "Close")]

    def __init__(self, title: str, entries: list[FileEntry], *, current: int = 0) -> None:
        super().__init__()
        self._title = title
        self._entries = entries
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="files-panel"):
            yield Static(Text(one_line(self._title, 200)), id="files-title")
            yield ListTable(id="files-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("enter jumps to the file · escape closes · ✓ viewed", style="dim"), id="files-help")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # The panel is 95% of the screen (at most 150) less border and padding; each column takes
        # two cells of padding. The path gets what is left, cut in the middle to keep its name.
        inner = min(150, self.app.size.width * 95 // 100) - 4 - 2
        fixed = (("", 1), ("status", 8), ("lines", 10), ("where", 9))
        path_width = max(12, inner - sum(w for _, w in fixed) - 2 * (len(fixed) + 1) - 1)
        for label, column_width in (fixed[0], ("file", path_width), *fixed[1:]):
            table.add_column(Text(label, style="bold"), width=column_width)
        for index, entry in enumerate(self._entries):
            table.add_row(
                Text("✓" if entry.viewed else " ", style="bold"),
                Text(fit_middle(visible_path(entry.path, 300), path_width), no_wrap=True),
                Text(one_line(entry.status, 20)),
                Text(f"+{entry.additions} −{entry.deletions}", justify="right"),
                Text(one_line(entry.where, 60), style="dim", no_wrap=True, overflow="ellipsis"),
                key=str(index),
            )
        if self._entries:
            table.move_cursor(row=max(0, min(self._current, len(self._entries) - 1)), animate=False)
        table.focus()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(int(event.row_key.value) if event.row_key.value is not None else None)

    def action_dismiss_list(self) -> None:
        self.dismiss(None)


# -- the editor -----------------------------------------------------------------------------------
_COLON_EDITORS = {"code", "code-insiders", "codium", "subl", "sublime_text", "hx", "helix", "zed"}


def editor_command(editor: str, path: str, line: int) -> list[str]:
    """The argv opening `path` at `line` with the `editor` command line (as $EDITOR holds it)."""
    argv = shlex.split(editor) or ["vi"]
    name = os.path.basename(argv[0])
    if name in ("code", "code-insiders", "codium"):
        return [*argv, "--goto", f"{path}:{line}"]
    if name in _COLON_EDITORS:
        return [*argv, f"{path}:{line}"]
    return [*argv, f"+{line}", path]


def chosen_editor(environ: dict[str, str] | None = None) -> str:
    environ = dict(os.environ) if environ is None else environ
    return environ.get("VISUAL") or environ.get("EDITOR") or "vi"


_snapshot_root: Path | None = None


def _remove_snapshots() -> None:
    if _snapshot_root is not None:
        for folder, _dirs, files in os.walk(_snapshot_root):
            for name in files:  # the snapshots are read-only: make them removable first
                os.chmod(os.path.join(folder, name), 0o600)
        shutil.rmtree(_snapshot_root, ignore_errors=True)


def snapshot_file(label: str, path: str, data: bytes) -> Path:
    """`data` written read-only under a private temp folder as <label>/<path> (path parts that could
    leave the folder are replaced), so an editor can open the version under review."""
    global _snapshot_root
    if _snapshot_root is None:
        _snapshot_root = Path(tempfile.mkdtemp(prefix="review-tui-files-"))
        atexit.register(_remove_snapshots)
    parts = [part if part not in ("", ".", "..") else "_" for part in PurePosixPath(path).parts if part != "/"]
    safe_label = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)[:40] or "version"
    target = _snapshot_root.joinpath(safe_label, *(parts or ["file"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.chmod(0o600)
    target.write_bytes(data)
    target.chmod(0o444)
    return target


def run_editor(app: App[object], argv: list[str]) -> str | None:
    """Run the editor with the TUI suspended; an error message, or None when it ran."""
    def run() -> str | None:
        try:
            subprocess.run(argv, check=False, env=user_environment())
        except FileNotFoundError:
            return f"editor not found: {argv[0]} (set $VISUAL or $EDITOR)"
        except OSError as exc:
            return f"could not start the editor {argv[0]}: {exc.strerror or exc}"
        return None

    try:
        with app.suspend():
            return run()
    except SuspendNotSupported:
        if app.is_headless:  # tests: no terminal to hand over, the editor is a plain program
            return run()
        return "this terminal cannot hand the screen to an editor"


@dataclass(frozen=True, slots=True)
class FileSource:
    """Where the version of a file under review can be read."""

    label: str
    """Names the version, e.g. the head commit's short id (the temp folder's name)."""
    read: Callable[[], bytes | None]
    """The file's content in that version, or None when it cannot be read."""
    working_file: Path | None = None
    """The checked-out file when it holds exactly that version (opened in place)."""


def cursor_location(lines: list[DisplayLine] | tuple[DisplayLine, ...], index: int) -> tuple[str, int, str] | None:
    """(path, line number, side) the cursor row stands for: an added or context line its new
    number, a deleted line its old number (side "old"), a header the file's first line."""
    if not lines:
        return None
    line = lines[index]
    if not line.path:
        return None
    if line.kind == "del" and line.old_no is not None:
        return line.path, line.old_no, "old"
    if line.kind in ("add", "context") and line.new_no is not None:
        return line.path, line.new_no, "new"
    return line.path, 1, "new"


def nearest_new_line(lines: list[DisplayLine] | tuple[DisplayLine, ...], index: int) -> int:
    """The new-side line number at or after row `index` in the same file (before it if none), else 1:
    where a deleted line sits in the head version."""
    path = lines[index].path
    for step in (1, -1):
        position = index
        while 0 <= position < len(lines) and lines[position].path == path:
            if lines[position].new_no is not None:
                return lines[position].new_no or 1
            position += step
    return 1


# -- the base screen ------------------------------------------------------------------------------
class DiffSearch(Input):
    """The search line under a diff: enter searches, escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close search", show=False)]

    def action_close(self) -> None:
        screen = self.screen
        if isinstance(screen, ReaderScreen):
            screen.close_search()


def reader_bindings(screen: str) -> list[BindingType]:
    """BINDINGS for a ReaderScreen subclass: its own registry screen's keys first (the footer lists
    them in this order, and a reviewer's own actions matter most), then the reading keys."""
    return footer_bindings([*bindings_for(screen), *bindings_for("reader")])


class ReaderScreen(Screen[None]):
    """A screen showing a DiffView to read, with the reader's actions (see the module docstring).

    Subclasses set BINDINGS = reader_bindings("<their registry screen>").
    """

    # -- hooks -------------------------------------------------------------------------------------
    @property
    def diff_view(self) -> DiffView:
        return self.query_one(DiffView)

    def reader_files(self) -> tuple[str, list[FileEntry], int]:
        """(title, the file list, the row of the file at the cursor)."""
        return "Files", [], 0

    def jump_to_file(self, index: int) -> None:
        """Show file `index` of reader_files()."""

    def expand_context(self, whole_file: bool) -> None:
        """More context around the block at the cursor (whole_file: the entire file)."""
        self.say("More context is not available here.", timeout=3)

    def file_source(self, path: str, side: str) -> FileSource | None:
        """The version of `path` to open in the editor: the head version, or the base version
        when `side` is "old" and the file no longer exists in the head."""
        return None

    def say(self, message: str, *, title: str = "", severity: str = "information",
            timeout: float | None = None) -> None:
        """A notification shown as plain text: messages may hold repository paths."""
        self.notify(message, title=title, severity=severity, timeout=timeout, markup=False)  # type: ignore[arg-type]

    def search_bar(self) -> DiffSearch:
        """The search line (yield one in compose, under the DiffView)."""
        return DiffSearch(placeholder="search the diff (enter: find, escape: close)", id="diff-search",
                          classes="-hidden")

    # -- layout memory -------------------------------------------------------------------------------
    def on_diff_view_layout_changed(self, message: DiffView.LayoutChanged) -> None:
        remember_layout(self.app, message.split, message.wrap)

    # -- search --------------------------------------------------------------------------------------
    def action_search(self) -> None:
        bar = self.query_one(DiffSearch)
        bar.remove_class("-hidden")
        bar.value = self.diff_view.search_text
        bar.focus()

    def close_search(self) -> None:
        self.query_one(DiffSearch).add_class("-hidden")
        self.diff_view.focus()

    @on(Input.Submitted, "#diff-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        view = self.diff_view
        count = view.search(event.value)
        self.close_search()
        if not event.value:
            self.say("Search cleared.", timeout=2)
        elif not count:
            self.say(f"No line matches {one_line(event.value, 60)!r}.", timeout=3)
        else:
            view.next_match(+1)
            self.say(f"{count} line{'s' if count != 1 else ''} match{'es' if count == 1 else ''} · "
                     "n / N: next / previous", timeout=3)

    # -- files ---------------------------------------------------------------------------------------
    def action_files(self) -> None:
        title, entries, current = self.reader_files()
        if not entries:
            self.say("No files to list.", timeout=2)
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.jump_to_file(index)

        self.app.push_screen(FileListScreen(title, entries, current=current), chosen)

    # -- context -------------------------------------------------------------------------------------
    def action_expand(self) -> None:
        self.expand_context(False)

    def action_expand_file(self) -> None:
        self.expand_context(True)

    # -- editor and clipboard --------------------------------------------------------------------------
    def action_copy_location(self) -> None:
        view = self.diff_view
        found = cursor_location(list(view.lines), view.cursor_line_index) if view.lines else None
        if found is None:
            self.say("Put the cursor on a line of the diff first.", timeout=3)
            return
        path, number, side = found
        text = f"{path}:{number}"
        self.app.copy_to_clipboard(text)
        suffix = " (the base version's line)" if side == "old" else ""
        self.say(f"Copied {one_line(text, 200)}{suffix}", timeout=3)

    def action_open_editor(self) -> None:
        view = self.diff_view
        lines = list(view.lines)
        found = cursor_location(lines, view.cursor_line_index) if lines else None
        if found is None:
            self.say("Put the cursor on a line of the diff first.", timeout=3)
            return
        path, number, side = found
        source = self.file_source(path, side)
        if source is None and side == "old":  # a deleted line: where it was, in the head version
            side, number = "new", nearest_new_line(lines, view.cursor_line_index)
            source = self.file_source(path, side)
        if source is None:
            self.say(f"{visible_path(path, 120)} cannot be opened from here.", severity="warning", timeout=4)
            return
        if source.working_file is not None:
            target = source.working_file
        else:
            data = source.read()
            if data is None:
                self.say(f"Could not read {visible_path(path, 120)} at {source.label}.", severity="error")
                return
            target = snapshot_file(source.label, path, data)
        error = run_editor(self.app, editor_command(chosen_editor(), str(target), max(1, number)))
        if error:
            self.say(error, title="Editor", severity="error")
        self.refresh()
