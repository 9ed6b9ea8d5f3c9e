"""Issue 18, memory: a change's collapsed files (vendored, generated, lock, data) give their lines' bytes back once
its plan is built, and read them again from git when a person looks (app/core/git/shed.py). lazygit's pr/296 held
121 MB of vendor/ lines while its screen was open (358 MB RSS against the issue's 300). Real sample repositories,
the real app; the lines read again are compared with a detail that never shed them."""

from __future__ import annotations

from app.analysis.analyzer import Analyzer
from app.analysis.report import ChangeDetail
from app.core.git import shed
from app.core.git.diff import DiffLines, FileDiff
from app.core.planner.model import KIND_COLLAPSED
from app.tui import app as tui_app
from app.tui.chunk_lines import chunk_display_lines
from app.tui.screens.chunk import ChunkReviewScreen
from tests.functional.test_app import build_app, settle
from tests.functional.test_detail_memory import open_change

GENERATED = "ai/generated-sdk-client"  # its largest chunk: sdk/openapi.json, 5,092 lines, collapsed


def _held(fd: FileDiff) -> list[bool]:
    return [isinstance(hunk.lines, DiffLines) and hunk.lines.held for hunk in fd.hunks]


def _lines(detail: ChangeDetail) -> list[list[list[object]]]:
    return [[list(hunk.lines) for hunk in fd.hunks] for fd in detail.files]


def _collapsed_only(detail: ChangeDetail) -> set[str]:
    chunks = detail.plan.chunks
    read = {s.path for c in chunks if c.kind != KIND_COLLAPSED for s in c.segments}
    return {s.path for c in chunks if c.kind == KIND_COLLAPSED for s in c.segments} - read


def test_collapsed_files_let_their_lines_go_and_read_the_same_lines_again_when_looked_at(payments_repo) -> None:
    kept = Analyzer(payments_repo).detail(GENERATED)  # never shed: what every view must still show
    detail = Analyzer(payments_repo).detail(GENERATED)
    analyzer = Analyzer(payments_repo)
    collapsed = _collapsed_only(detail)
    assert "sdk/openapi.json" in collapsed
    shed_lines = analyzer.shed_collapsed(detail)
    files = {fd.path: fd for fd in detail.files}
    assert shed_lines == sum(len(hunk.lines) for path in collapsed for hunk in files[path].hunks) >= 5092
    for fd in detail.files:
        assert _held(fd) == [fd.path not in collapsed] * len(fd.hunks), fd.path  # code is read as before
    # what needs no line still answers without reading any: counts, origins, the plan's figures
    reads = shed.reads
    assert [(fd.additions, fd.deletions) for fd in detail.files] == [(fd.additions, fd.deletions) for fd in kept.files]
    assert [[hunk.origins for hunk in fd.hunks] for fd in detail.files] == [
        [hunk.origins for hunk in fd.hunks] for fd in kept.files]
    assert tui_app.held_lines(detail) <= tui_app.held_lines(kept) - shed_lines * 39 // 40  # the cache's budget
    assert shed.reads == reads
    # the collapsed chunk expanded: the same rows, its file read again once
    largest = max(detail.plan.chunks, key=lambda c: c.changed_lines)
    assert largest.kind == KIND_COLLAPSED
    assert chunk_display_lines(detail, largest, expand=True) == chunk_display_lines(kept, largest, expand=True)
    assert shed.reads == reads + len({s.path for s in largest.segments})
    assert all(_held(files["sdk/openapi.json"]))
    # and every line of every file, as the first read gave it
    assert _lines(detail) == _lines(kept)


def test_the_files_read_again_are_held_within_a_budget_of_lines(payments_repo, monkeypatch) -> None:
    """Expanding chunk after chunk does not bring the whole diff back: past LOADED_LINES the file read longest ago
    gives its lines back again (and reads them a second time if it is looked at again)."""
    analyzer = Analyzer(payments_repo)
    detail = analyzer.detail(GENERATED)
    texts = [fd for fd in detail.files if fd.hunks and all(_held(fd))]
    assert len(texts) >= 2
    shed.forget()
    shed.shed(detail.files, shed.Reopener(analyzer.repo_path), analyzer.repo, lambda fd: True)
    monkeypatch.setattr(shed, "LOADED_LINES", 1)  # one file at a time
    first, second = texts[0], texts[1]
    reads = shed.reads
    first_lines = [list(hunk.lines) for hunk in first.hunks]
    assert all(_held(first)) and not any(_held(second))
    [list(hunk.lines) for hunk in second.hunks]
    assert all(_held(second)) and not any(_held(first))  # the older one went
    assert [list(hunk.lines) for hunk in first.hunks] == first_lines  # read a second time, the same
    assert shed.reads == reads + 3
    shed.forget()
    assert not any(_held(first)) and not any(_held(second))


async def test_the_app_opens_a_change_with_its_collapsed_lines_let_go_and_shows_them_on_e(payments_repo,
                                                                                         warm_cache) -> None:
    kept = Analyzer(payments_repo).detail(GENERATED)
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = await open_change(pilot, GENERATED)
        detail = screen.detail
        assert detail is not None
        files = {fd.path: fd for fd in detail.files}
        assert not any(_held(files["sdk/openapi.json"]))  # held while the screen is open: only its origins
        assert tui_app.held_lines(detail) <= tui_app.held_lines(kept) - 5092 * 39 // 40
        index = max(range(len(detail.plan.chunks)), key=lambda i: detail.plan.chunks[i].changed_lines)
        screen.open_chunk(index)
        await settle(pilot)
        chunk_screen = app.screen
        assert isinstance(chunk_screen, ChunkReviewScreen)
        await pilot.press("e")
        await settle(pilot)
        shown = [(row.kind, row.old_no, row.new_no, row.text) for row in chunk_screen.diff_view.lines
                 if row.kind in ("add", "del", "context")]
        assert len([row for row in shown if row[0] == "add"]) == 5092
        expected = [(row.kind, row.old_no, row.new_no, row.text)
                    for row in chunk_display_lines(kept, kept.plan.chunks[index], expand=True)
                    if row.kind in ("add", "del", "context")]
        assert shown == expected


def test_a_change_whose_plan_is_cached_lets_its_collapsed_lines_go_as_they_are_read(payments_repo,
                                                                                    warm_cache) -> None:
    """With the plan cached, the collapsed files' lines go as each file is read (never all held at once: the peak
    of pr/296's read); what the analysis reads of them (the mirror check reads a data file's edit) is read again,
    the same: the same report, the same plan."""
    kept = Analyzer(payments_repo, cache=warm_cache).detail(GENERATED)
    shed.forget()
    reads = shed.reads
    detail = Analyzer(payments_repo, cache=warm_cache).detail(GENERATED, shed=True)
    collapsed = _collapsed_only(detail)
    # complexity's and provenance's touched lines come from the origins: no file is read again for them
    assert shed.reads - reads <= len(collapsed) and shed._loaded_lines <= shed.LOADED_LINES
    assert tui_app.held_lines(detail) < tui_app.held_lines(kept)
    assert detail.report.assessment == kept.report.assessment and detail.plan == kept.plan
    assert detail.complexity == kept.complexity
    assert _lines(detail) == _lines(kept)
