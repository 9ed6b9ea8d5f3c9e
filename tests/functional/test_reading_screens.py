"""Reading a change in the real app on the payments sample: search in the chunk's diff, the file
list and jumps (with the way back), more context up to the whole file, the editor and the
clipboard, the commit-by-commit view, and snapshots of each."""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from app.analysis.analyzer import Analyzer
from app.core.git.repo import GitRepo
from app.tui.app import ReviewApp
from app.tui.file_context import FileLayout, split_lines
from app.tui.review_session import ReviewSession, file_content_key
from app.tui.screens.chunk import ChunkReviewScreen
from app.tui.screens.commit import CommitDiffScreen
from app.tui.screens.reader import FileListScreen, editor_command
from app.tui.widgets.diff_view import DiffView
from tests.functional.test_app import REVIEWER, build_app, settle
from tests.functional.test_change_screen import open_change

CHANGE = "infra/recreate-staging-env"  # 3 chunks over 3 files, 4 hunks in main.tf, 2 commits


def still_app(payments_repo: Path, warm_cache) -> ReviewApp:  # type: ignore[no-untyped-def]
    """The real app with a review clock that stands still, so snapshots do not show seconds passing."""
    app = build_app(payments_repo, cache=warm_cache)
    app.session.end()
    app.session = ReviewSession.start(app.ledger, repo_key=app.analyzer.repo_key, reviewer=REVIEWER,
                                      clock=lambda: 5_000.0)
    return app


def _screen_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


async def open_chunk(pilot, position: int = 0) -> ChunkReviewScreen:  # type: ignore[no-untyped-def]
    change = await open_change(pilot, CHANGE)
    change.open_chunk(position)
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ChunkReviewScreen)
    return screen


# -- search ---------------------------------------------------------------------------------------
async def test_slash_searches_the_chunk_and_n_walks_the_matches(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_chunk(pilot)
        view = screen.diff_view
        await pilot.press("slash")
        assert app.focused is not None and app.focused.id == "diff-search"
        await pilot.press(*"resource", "enter")
        await pilot.pause()
        assert app.focused is view  # back to reading
        expected = [i for i, line in enumerate(view.lines) if "resource" in line.text.lower()]
        assert expected and list(view.match_lines) == expected
        first = next((i for i in expected if i > 0), expected[0])  # the first match after the cursor
        assert view.cursor_line_index == first
        await pilot.press("n")
        assert view.cursor_line_index == expected[(expected.index(first) + 1) % len(expected)]
        await pilot.press("N")
        assert view.cursor_line_index == first
        # escape closes the search line without searching
        await pilot.press("slash", "x", "escape")
        assert app.focused is view and view.search_text == "resource"


# -- files and jumps ------------------------------------------------------------------------------
async def test_file_list_jumps_to_the_chunk_of_a_file_and_backspace_returns(payments_repo: Path,
                                                                             warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_chunk(pilot)
        detail = screen.detail
        view = screen.diff_view
        await pilot.press("j", "j", "j")
        before = (screen.index, view.cursor_line_index)
        await pilot.press("F")
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, FileListScreen)
        table = listing.query_one(DataTable)
        assert table.row_count == len(detail.files)
        text = _screen_text(app)
        for fd in detail.files:
            assert fd.path in text
        target = next(i for i, fd in enumerate(detail.files) if fd.path == "scripts/recreate_env.sh")
        await pilot.press(*["down"] * (target - table.cursor_row), "enter")
        await pilot.pause()
        assert app.screen is screen
        assert "scripts/recreate_env.sh" in screen.chunk.files
        line = view.cursor_line
        assert line is not None and line.path == "scripts/recreate_env.sh" and line.kind == "file"
        await pilot.pause()
        assert view.scroll_y == min(view.cursor_index, view.max_scroll_y)  # the file shows from its header
        await pilot.press("backspace")
        await pilot.pause()
        assert (screen.index, view.cursor_line_index) == before
        await pilot.press("backspace")  # nothing earlier: stays, says so
        assert (screen.index, view.cursor_line_index) == before


async def test_change_screen_file_list_opens_the_chunk_at_the_file(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        change = await open_change(pilot, CHANGE)
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, FileListScreen)
        files = [fd.path for fd in change.detail.files]
        await pilot.press(*["down"] * files.index("infra/terraform/environments/staging.tf"), "enter")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChunkReviewScreen)
        # the chunk holding it (with main.tf: small chunks of one terraform tree are one), at that file
        assert "infra/terraform/environments/staging.tf" in screen.chunk.files
        line = screen.diff_view.cursor_line
        assert line is not None and line.path == "infra/terraform/environments/staging.tf"


# -- more context ----------------------------------------------------------------------------------
async def test_e_adds_context_and_E_shows_the_whole_head_file(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_chunk(pilot)
        chunk = screen.chunk
        assert chunk.files[0] == "infra/terraform/main.tf"
        fd = next(f for f in screen.detail.files if f.path == "infra/terraform/main.tf")
        head = split_lines(GitRepo(payments_repo).blob(fd.new_blob).decode())  # type: ignore[arg-type]
        view = screen.diff_view
        shown_before = {line.new_no for line in view.lines if line.kind == "context"}
        await pilot.press("j", "j")
        await pilot.press("e")
        await pilot.pause()
        shown_after = {line.new_no for line in view.lines if line.kind == "context"}
        assert shown_after > shown_before  # more lines around the hunk
        assert any("more context" in line.text for line in view.lines if line.kind == "hunk")
        await pilot.press("E")
        await pilot.pause()
        new_side = [line for line in view.lines if line.kind in ("add", "context") and line.path == fd.path]
        assert [line.new_no for line in new_side] == list(range(1, len(head) + 1))
        assert [line.text for line in new_side] == head  # the head version, line for line
        deleted = [line for line in view.lines if line.kind == "del" and line.path == fd.path]
        assert len(deleted) == fd.deletions
        # lines this chunk does not own are marked with the chunk that reviews them (none here: whole files)
        assert all(line.elsewhere is None for line in view.lines)
        await pilot.press("E")
        assert "already shown" in " ".join(str(n.message) for n in app._notifications)


def test_file_layout_fills_the_gaps_between_hunks_from_the_text(payments_repo: Path) -> None:
    detail = Analyzer(payments_repo).detail(CHANGE)
    repo = GitRepo(payments_repo)
    for fd in detail.files:
        if fd.status != "modified":
            continue
        head = split_lines(repo.blob(fd.new_blob).decode())  # type: ignore[arg-type]
        base = split_lines(repo.blob(fd.old_blob).decode())  # type: ignore[arg-type]
        layout = FileLayout(fd, head)
        assert [r.text for r in layout.rows if r.origin != "-"] == head
        assert [r.text for r in layout.rows if r.origin != "+"] == base
        assert [r.old_no for r in layout.rows if r.origin != "+"] == list(range(1, len(base) + 1))


# -- editor and clipboard --------------------------------------------------------------------------
@pytest.fixture
def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR: a real program that records its arguments and the file it was given."""
    log = tmp_path / "editor.log"
    script = tmp_path / "fake-editor"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        f"log = pathlib.Path({str(log)!r})\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        "log.write_text(repr(sys.argv[1:]) + '\\n' + path.read_text())\n"
    )
    script.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    return log


async def test_o_opens_the_head_version_at_the_cursor_line(payments_repo: Path, warm_cache,
                                                           fake_editor: Path) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_chunk(pilot)
        view = screen.diff_view
        target = next(i for i, line in enumerate(view.lines) if line.kind == "add")
        view.move_to_line(target)
        line = view.lines[target]
        await pilot.press("o")
        await pilot.pause()
        argv_text, _, content = fake_editor.read_text().partition("\n")
        argv = eval(argv_text)  # the fake editor wrote repr(list)
        assert argv[0] == f"+{line.new_no}"
        opened = Path(argv[1])
        # the sample's checkout is main, not the change: the head version was written aside, read-only
        fd = next(f for f in screen.detail.files if f.path == line.path)
        assert content == GitRepo(payments_repo).blob(fd.new_blob).decode()  # type: ignore[arg-type]
        assert opened.name == Path(line.path).name
        assert not opened.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert app.screen is screen


def test_editor_command_lines() -> None:
    assert editor_command("vim", "/t/a.py", 12) == ["vim", "+12", "/t/a.py"]
    assert editor_command("code --wait", "/t/a.py", 12) == ["code", "--wait", "--goto", "/t/a.py:12"]
    assert editor_command("hx", "/t/a.py", 3) == ["hx", "/t/a.py:3"]
    assert editor_command("'/opt/my editor/bin/nvim'", "/t/a b.py", 1) == ["/opt/my editor/bin/nvim", "+1",
                                                                         "/t/a b.py"]


async def test_y_copies_path_and_line(payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_chunk(pilot)
        view = screen.diff_view
        target = next(i for i, line in enumerate(view.lines) if line.kind == "add")
        view.move_to_line(target)
        await pilot.press("y")
        expected = f"{view.lines[target].path}:{view.lines[target].new_no}"
        assert app.clipboard == expected
        assert f"Copied {expected}" in " ".join(str(n.message) for n in app._notifications)


# -- commit by commit ------------------------------------------------------------------------------
async def test_enter_on_a_commit_shows_its_own_diff_and_tab_walks_the_commits(payments_repo: Path,
                                                                              warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        change = await open_change(pilot, CHANGE)
        newest, oldest = change.detail.change.commits  # the Commits tab lists them newest first
        repo = GitRepo(payments_repo)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")  # the first row: the newest commit
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CommitDiffScreen) and screen.commit.id == newest.id
        assert "Commit 2 of 2" in _screen_text(app)  # counted in the order they were made
        view = screen.query_one(DiffView)
        expected = repo.commit_diff(newest.id)
        assert [line.path for line in view.lines if line.kind == "file"] == [fd.path for fd in expected]
        assert newest.subject in _screen_text(app)
        await pilot.press("tab")  # no newer commit: stays
        assert screen.commit.id == newest.id
        await pilot.press("p")
        await settle(pilot)
        assert screen.commit.id == oldest.id and "Commit 1 of 2" in _screen_text(app)
        expected = repo.commit_diff(oldest.id)
        assert [line.path for line in view.lines if line.kind == "file"] == [fd.path for fd in expected]
        await pilot.press("E")  # the whole file as this commit has it
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is change


# -- snapshots ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_snapshot_file_list(snap_compare, payments_repo: Path, warm_cache, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_chunk(pilot)
        await pilot.press("F")
        await pilot.pause()

    assert snap_compare(still_app(payments_repo, warm_cache), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(120, 40), (200, 50)])
def test_snapshot_whole_file_with_search(snap_compare, payments_repo: Path, warm_cache,
                                         size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await open_chunk(pilot)
        await pilot.press("j", "j", "E")
        await pilot.press("slash", *"aws_", "enter")
        await pilot.pause()
        assert screen.diff_view.match_lines

    assert snap_compare(still_app(payments_repo, warm_cache), terminal_size=size, run_before=run_before)


def test_snapshot_commit_view(snap_compare, payments_repo: Path, warm_cache) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_change(pilot, CHANGE)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(still_app(payments_repo, warm_cache), terminal_size=(120, 40), run_before=run_before)


# -- files marked viewed ---------------------------------------------------------------------------
async def test_v_marks_a_file_viewed_folds_it_and_the_mark_lapses_when_the_file_changes(
        payments_repo: Path, warm_cache) -> None:
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        change = await open_change(pilot, "feature/retry-refactor-claude")  # one chunk, two files
        change.open_chunk(0)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChunkReviewScreen)
        view = screen.diff_view
        retry = next(f for f in screen.detail.files if f.path == "payments/retry.py")
        changed_before = sum(1 for line in view.lines if line.kind in ("add", "del"))
        view.move_to_line(next(i for i, line in enumerate(view.lines) if line.path == retry.path))
        await pilot.press("v")
        await pilot.pause()
        lines = list(view.lines)
        header = next(i for i, line in enumerate(lines) if line.kind == "file" and line.path == retry.path)
        assert "✓ viewed" in lines[header].text
        folded = lines[header + 1]
        assert folded.kind == "note" and f"{retry.changed_lines} changed lines folded" in folded.text
        assert lines[header + 2].path != retry.path  # nothing else of the file is shown
        assert sum(1 for line in view.lines if line.kind in ("add", "del")) == changed_before - retry.changed_lines
        session = app.session
        assert session.viewed_paths(screen.detail) == {retry.path}  # in the ledger
        await pilot.press("F")
        await pilot.pause()
        assert re.search(r"✓ +payments/retry\.py", _screen_text(app))
        await pilot.press("escape", "escape")  # the file list, then the chunk
        await pilot.pause()
        change.open_chunk(0)  # opened again: still folded
        await pilot.pause()
        again = app.screen
        assert isinstance(again, ChunkReviewScreen)
        assert not any(line.kind in ("add", "del") and line.path == retry.path for line in again.diff_view.lines)
        # a new push changes the file: its mark, given to other content, no longer counts
        app.ledger.mark_viewed(app.analyzer.repo_key, screen.detail.change.id, REVIEWER, retry.path, "an older key")
        assert session.viewed_paths(screen.detail) == set()
        # v on a viewed file takes the mark away
        app.ledger.mark_viewed(app.analyzer.repo_key, screen.detail.change.id, REVIEWER, retry.path,
                               file_content_key(retry))
        await pilot.press("escape")
        change.open_chunk(0)
        await pilot.pause()
        third = app.screen
        assert isinstance(third, ChunkReviewScreen)
        third.diff_view.move_to_line(0)
        await pilot.press("j")
        await pilot.press("v")
        await pilot.pause()
        assert session.viewed_paths(screen.detail) == set()
        assert sum(1 for line in third.diff_view.lines if line.kind in ("add", "del")) == changed_before


async def test_a_file_folded_as_viewed_in_an_earlier_sitting_is_still_required_reading(
        payments_repo: Path, warm_cache) -> None:
    """Marked viewed before its lines came on screen: folded in the next sitting, its lines were not
    required there, so the chunk read as 100% seen and approving it no longer asked."""
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        change = await open_change(pilot, "feature/retry-refactor-claude")  # one chunk, two files
        detail = change.detail
        assert detail is not None
        chunk = detail.plan.chunks[0]
        retry = next(f for f in detail.files if f.path == "payments/retry.py")
        app.ledger.mark_viewed(app.analyzer.repo_key, detail.change.id, REVIEWER, retry.path, file_content_key(retry))
        change.open_chunk(0)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChunkReviewScreen)
        assert not any(line.kind in ("add", "del") and line.path == retry.path for line in screen.diff_view.lines)
        seen = app.session.seen_lines(detail, chunk)
        assert seen is not None and seen.required == chunk.changed_lines
        assert seen.unseen >= retry.changed_lines  # folded, never on screen


def test_snapshot_viewed_file_folded(snap_compare, payments_repo: Path, warm_cache) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        change = await open_change(pilot, "feature/retry-refactor-claude")
        change.open_chunk(0)
        await pilot.pause()
        await pilot.press("j", "v")
        await pilot.pause()

    assert snap_compare(still_app(payments_repo, warm_cache), terminal_size=(80, 24), run_before=run_before)
