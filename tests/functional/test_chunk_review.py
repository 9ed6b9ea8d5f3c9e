"""The chunk review screen on real sample changes: its rows (the plan's partition, context, AI and
hotspot markers, collapsed and light chunks), the keys a reviewer uses (move, approve with the
rubber-stamp confirmation, flag, comment, later, expand), time tracking through real Textual
events, untrusted text shown literally, and snapshots in two themes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rich.segment import Segment
from textual import events
from textual.app import App
from textual.color import Color
from textual.widgets import Static

from app.analysis.analyzer import Analyzer
from app.analysis.report import ChangeDetail
from app.core.planner.model import CHUNK_KINDS, KIND_BINARY, KIND_COLLAPSED, KIND_RENAME
from app.paths import ledger_path
from app.samples import load
from app.storage.ledger import Ledger
from app.tui.chunk_lines import ChunkLines, chunk_display_lines, comment_target
from app.tui.review_session import ReviewSession
from app.tui.screens.chunk import ChunkReviewScreen
from app.tui.screens.dialogs import ConfirmDialog, TextInputDialog
from app.tui.themes import default_theme_dirs, load_themes, resolve_colour, theme_variable_defaults
from app.tui.widgets.diff_view import DisplayLine
from tests.conftest import ALICE, BOB
from tests.functional.test_app import REVIEWER, build_app, queue_screen, settle

THEMES, _THEME_ERRORS = load_themes(default_theme_dirs())
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


class ManualClock:
    """The review timer's clock, advanced by the test."""

    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


class ChunkHost(App[None]):
    """A minimal host: review-tui's themes, then the chunk screen pushed on mount."""

    def __init__(self, detail: ChangeDetail, session: ReviewSession, index: int = 0,
                 theme: str = "review-dark") -> None:
        super().__init__()
        self._detail, self._session, self._index = detail, session, index
        for review_theme in THEMES.values():
            self.register_theme(review_theme.to_textual())
        self.theme = theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    def on_mount(self) -> None:
        self.push_screen(ChunkReviewScreen(self._detail, self._index, self._session))


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def payments(payments_repo: Path) -> Analyzer:
    return Analyzer(payments_repo)


class Details(dict):
    """ChangeDetails of the payments sample, analysed on first use and kept for the module."""

    def __init__(self, analyzer: Analyzer) -> None:
        super().__init__()
        self.analyzer = analyzer

    def __missing__(self, change_id: str) -> ChangeDetail:
        detail = self[change_id] = self.analyzer.detail(change_id)
        return detail


@pytest.fixture(scope="module")
def details(payments: Analyzer) -> Details:
    return Details(payments)


# Changes covering every kind of chunk: a huge one with collapsed and empty-file chunks, binaries,
# renames, AI-written code with hotspots, destructive infrastructure and SQL.
VARIED_CHANGES = ("ai/generated-sdk-client", "feature/receipt-pdf", "refactor/rename-gateway-modules",
                  "feature/retry-refactor-claude", "infra/recreate-staging-env",
                  "migration/drop-legacy-tables", "aider/add-refund-webhooks")


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger.open(tmp_path / "ledger.db") as opened:
        yield opened


def _session(ledger: Ledger, repo_key: str, clock: ManualClock | None = None, **kwargs) -> ReviewSession:
    return ReviewSession.start(ledger, repo_key=repo_key, reviewer=REVIEWER, clock=clock or ManualClock(),
                               **kwargs)


def _screen_text(app: App) -> str:
    rows: list[list[Segment]] = [list(strip) for strip in app.screen._compositor.render_strips()]
    return "\n".join("".join(segment.text for segment in row) for row in rows)


# -- rows ----------------------------------------------------------------------------------------
def _changed_lines_of_diff(detail: ChangeDetail) -> Counter:
    found: Counter = Counter()
    for fd in detail.files:
        for hunk in fd.hunks:
            for line in hunk.lines:
                if line.origin in "+-":
                    kind = "add" if line.origin == "+" else "del"
                    found[(fd.path, kind, line.old_lineno, line.new_lineno, line.text)] += 1
    return found


@pytest.mark.parametrize("context", [0, 3, 7])
def test_every_changed_line_is_shown_exactly_once_over_the_plan(details: dict[str, ChangeDetail],
                                                                 context: int) -> None:
    for change_id in VARIED_CHANGES:
        detail = details[change_id]
        builder = ChunkLines(detail, context=context)
        shown: Counter = Counter()
        for chunk in detail.plan.chunks:
            rows = builder.lines(chunk, expand=True)
            for row in rows:
                if row.kind in ("add", "del"):
                    shown[(row.path, row.kind, row.old_no, row.new_no, row.text)] += 1
            _assert_context_bounded(rows, context, change_id)
        assert shown == _changed_lines_of_diff(detail), change_id


def _assert_context_bounded(rows: list[DisplayLine], context: int, change_id: str) -> None:
    """Each hunk block starts and ends with at most `context` context lines."""
    blocks: list[list[DisplayLine]] = []
    for row in rows:
        if row.kind == "hunk":
            blocks.append([])
        elif row.kind == "file":
            continue
        elif blocks and row.kind in ("add", "del", "context"):
            blocks[-1].append(row)
    for block in blocks:
        kinds = [row.kind for row in block]
        assert any(k in ("add", "del") for k in kinds), change_id
        leading = next(i for i, k in enumerate(kinds) if k != "context")
        trailing = next(i for i, k in enumerate(reversed(kinds)) if k != "context")
        assert leading <= context and trailing <= context, change_id


def test_collapsed_chunks_show_a_summary_until_expanded(details: dict[str, ChangeDetail]) -> None:
    detail = details["ai/generated-sdk-client"]
    largest = max(detail.plan.chunks, key=lambda c: c.changed_lines)
    assert largest.kind == KIND_COLLAPSED and largest.changed_lines == 5092
    summary = chunk_display_lines(detail, largest)
    assert not [row for row in summary if row.kind in ("add", "del")]
    assert any("Press e to show its 5,092 changed lines" in row.text for row in summary)
    files = len(largest.files)
    noun = "file" if files == 1 else "files"
    assert any(f"Collapsed: {files} generated, vendored, lock or data {noun}, " in row.text for row in summary)
    assert any(row.kind == "file" and row.path == "sdk/openapi.json" for row in summary)
    expanded = chunk_display_lines(detail, largest, expand=True)
    assert sum(1 for row in expanded if row.kind in ("add", "del")) == 5092


def test_light_chunks_are_notes(details: dict[str, ChangeDetail]) -> None:
    binary = next(c for c in details["feature/receipt-pdf"].plan.chunks if c.kind == KIND_BINARY)
    rows = chunk_display_lines(details["feature/receipt-pdf"], binary)
    assert {row.kind for row in rows} == {"file", "note"}
    assert any("binary file added" in row.text for row in rows)
    rename = next(c for c in details["refactor/rename-gateway-modules"].plan.chunks if c.kind == KIND_RENAME)
    rows = chunk_display_lines(details["refactor/rename-gateway-modules"], rename)
    texts = [row.text for row in rows]
    assert "payments/gateway/errors.py moved to payments/providers/errors.py" in texts


def test_ai_lines_and_hotspots_are_marked(details: dict[str, ChangeDetail]) -> None:
    detail = details["feature/retry-refactor-claude"]
    rows = [row for chunk in detail.plan.chunks for row in chunk_display_lines(detail, chunk)]
    ai_lines = detail.provenance.ai_lines
    for row in rows:
        expected = ai_lines.get(row.path, {}).get(row.new_no) if row.kind == "add" else None
        assert row.ai_tool == expected
    assert sum(1 for row in rows if row.ai_tool) == detail.provenance.ai_added > 0
    # a hotspot sits on the definition line of a function whose complexity rose
    spots = {row.hotspot: row for row in rows if row.hotspot}
    delay = spots["CC 3→7 RetryPolicy.delay_for"]
    assert delay.path == "payments/retry.py" and "def delay_for" in delay.text
    rising = {(path, name) for path, fc in detail.complexity.items()
              for name, old, new in fc.changed_functions if new > (old if old is not None else 1)}
    marked = {(row.path, row.hotspot.split(" ", 2)[2].removesuffix(" (new)")) for row in spots.values()}
    assert marked <= rising


def test_a_hotspot_marks_a_definition_never_a_call() -> None:
    """QA46 #3: in Python, `await receive()` matched the C-family declaration form ("await" read as a
    type), and the hotspot marker landed on a call in the context lines."""
    from app.tui.chunk_lines import _definition_pattern

    python = _definition_pattern("Client.receive", "starlette/testclient.py")
    assert python.search("    async def receive(self) -> Message:")
    assert not python.search("        await receive()") and not python.search("    return receive(x)")
    java = _definition_pattern("Server.receive", "src/Server.java")
    assert java.search("    public synchronized Message receive(int timeout) {")
    assert not java.search("        receive(timeout);")


def test_comment_targets() -> None:
    assert comment_target(DisplayLine("del", 7, None, "x", "a.py")) == ("a.py", 7, "old")
    assert comment_target(DisplayLine("add", None, 9, "x", "a.py")) == ("a.py", 9, "new")
    assert comment_target(DisplayLine("context", 3, 4, "x", "a.py")) == ("a.py", 4, "new")
    assert comment_target(DisplayLine("file", None, None, "a.py (modified)", "a.py")) == ("a.py", None, "new")
    assert comment_target(None) is None


# -- the screen ----------------------------------------------------------------------------------
async def test_review_flow_records_exactly_what_was_decided(tmp_path: Path, payments: Analyzer,
                                                            details: dict[str, ChangeDetail]) -> None:
    """Open the first chunk of a 3-chunk sample change, move with tab/p, comment on a line, approve fast
    (confirm), flag with a note, come back later; quit; the ledger holds exactly that."""
    detail = details["feature/receipt-pdf"]
    first, second, third = detail.plan.chunks
    ledger = Ledger.open(tmp_path / "ledger.db")
    session = _session(ledger, payments.repo_key)
    app = ChunkHost(detail, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChunkReviewScreen) and screen.index == 0
        assert "Chunk 1 of 3" in _screen_text(app)
        await pilot.press("tab")
        assert screen.index == 1 and "Chunk 2 of 3" in _screen_text(app)
        await pilot.press("p")
        assert screen.index == 0
        await pilot.press("right_square_bracket", "j")  # the first line of the first hunk
        target = comment_target(screen.diff_view.cursor_line)
        assert target is not None and target[1] is not None
        await pilot.press("c", *"why?", "enter")
        await pilot.press("a")  # no time spent: the floor asks for confirmation
        assert isinstance(app.screen, ConfirmDialog)
        assert "You spent 0m00s of a" in _screen_text(app)
        await pilot.press("y")
        assert app.screen is screen and screen.index == 1  # on to the next unreviewed chunk
        await pilot.press("p")
        assert "rubber-stamped" in _screen_text(app)  # the fast approval is shown for what it is
        await pilot.press("tab")
        await pilot.press("f")
        assert isinstance(app.screen, TextInputDialog)
        await pilot.press("enter")  # an empty note is refused
        assert isinstance(app.screen, TextInputDialog)
        await pilot.press(*"dry run", "enter")
        assert app.screen is screen and screen.index == 2
        await pilot.press("l")
        await pilot.press("ctrl+q")
    session.end()
    decisions = ledger.decisions_for(payments.repo_key, detail.change.id)
    assert [(d.chunk_hash, d.decision, d.fast, d.rubber_stamp, d.note) for d in decisions] == [
        (first.content_hash, "approve", True, True, ""),
        (second.content_hash, "flag", False, False, "dry run"),
        (third.content_hash, "later", False, False, ""),
    ]
    comments = ledger.comments_for(payments.repo_key, detail.change.id)
    assert [(c.path, c.line, c.side, c.body, c.chunk_hash) for c in comments] == [
        (*target, "why?", first.content_hash)]
    views = ledger.chunk_views_for(payments.repo_key, detail.change.id)
    assert sorted(v.chunk_hash for v in views) == sorted(c.content_hash for c in detail.plan.chunks)
    assert ledger.session(session.session_id).ended_at is not None
    ledger.close()


async def test_approving_after_the_floor_needs_no_confirmation(ledger: Ledger, payments: Analyzer,
                                                               details: dict[str, ChangeDetail]) -> None:
    detail = details["feature/receipt-pdf"]
    clock = ManualClock()
    session = _session(ledger, payments.repo_key, clock)
    app = ChunkHost(detail, session, index=2)  # a binary chunk, floor 15 s
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        for _ in range(3):
            clock.now += 5
            await pilot.press("k")  # keys are activity
        screen.refresh_clock()
        assert "spent 0m15s / floor 0m15s" in _screen_text(app)
        await pilot.press("a")
        assert app.screen is screen  # no dialog
    decision = ledger.decisions_for(payments.repo_key, detail.change.id)[-1]
    assert (decision.decision, decision.fast, decision.active_seconds_at_decision) == ("approve", False, 15.0)


async def test_time_counts_only_while_focused_and_active(ledger: Ledger, payments: Analyzer,
                                                        details: dict[str, ChangeDetail]) -> None:
    detail = details["feature/receipt-pdf"]
    chunk = detail.plan.chunks[0]
    clock = ManualClock()
    session = _session(ledger, payments.repo_key, clock, idle_seconds=60, persist_seconds=0.1)
    app = ChunkHost(detail, session)
    async with app.run_test(size=(80, 24)) as pilot:
        clock.now += 10
        await pilot.press("j")  # +10
        clock.now += 10
        app.post_message(events.AppBlur())  # +10, then nothing while the terminal is in the background
        await pilot.pause()
        clock.now += 30
        app.post_message(events.AppFocus())
        await pilot.pause()
        clock.now += 5  # +5
        x, y = 20, 12
        scroll = events.MouseScrollDown(None, x, y, 0, 0, 0, False, False, False, screen_x=x, screen_y=y)
        app.post_message(scroll)  # through App.on_event, as a terminal's wheel event comes
        await pilot.pause()
        clock.now += 200  # a wheel scroll is activity too: +60 until the idle limit
        await pilot.pause(0.3)  # the screen's persist interval writes the time to the ledger
        stored = ledger.active_seconds(payments.repo_key, detail.change.id, chunk.content_hash, REVIEWER)
        assert stored == 85.0
        await pilot.press("escape")  # leaving the chunk stops the time
        clock.now += 30
    session.end()
    assert ledger.active_seconds(payments.repo_key, detail.change.id, chunk.content_hash, REVIEWER) == 85.0


async def test_dialog_time_counts_for_notes_but_not_for_confirmation(
        ledger: Ledger, payments: Analyzer, details: dict[str, ChangeDetail]) -> None:
    detail = details["feature/receipt-pdf"]
    chunk = detail.plan.chunks[0]
    clock = ManualClock()
    session = _session(ledger, payments.repo_key, clock)
    app = ChunkHost(detail, session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")  # writing a comment is reviewing
        clock.now += 20
        await pilot.press(*"ok", "enter")
        assert session.active_seconds(detail, chunk) == 20.0
        await pilot.press("a")  # the rubber-stamp question is not
        assert isinstance(app.screen, ConfirmDialog)
        clock.now += 20
        await pilot.press("n")
        assert session.active_seconds(detail, chunk) == 20.0
        assert ledger.decisions_for(payments.repo_key, detail.change.id) == []  # "No" records nothing


async def test_expanding_the_largest_chunk(ledger: Ledger, payments: Analyzer,
                                           details: dict[str, ChangeDetail]) -> None:
    detail = details["ai/generated-sdk-client"]
    index = max(range(len(detail.plan.chunks)), key=lambda i: detail.plan.chunks[i].changed_lines)
    session = _session(ledger, payments.repo_key)
    app = ChunkHost(detail, session, index=index)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen.diff_view
        assert view.line_count < 20
        assert "Press e to show" in _screen_text(app)
        await pilot.press("e")
        assert sum(1 for row in view.lines if row.kind == "add") == 5092
        # 5,000 rows, yet the screen holds a handful of widgets: rows are rendered lazily
        assert len(list(app.screen.walk_children())) < 40
        await pilot.press("G")
        assert view.cursor_index == view.line_count - 1
        last = len(detail.plan.chunks) - 1
        await pilot.press("u")  # the next unreviewed chunk...
        assert app.screen.index == min(index + 1, last)
        if index + 1 == last:
            await pilot.press("u")  # ...wrapping round to the first
            assert app.screen.index == 0


def _one_branch(make_repo, branch: str, subject: str, files: dict[str, str]) -> tuple[Analyzer, ChangeDetail]:
    """A repository whose main has a README and whose `branch` adds `files` in one commit: its detail."""
    dev = load().Person("Dev", "dev@example.com")
    builder = make_repo(branch.replace("/", "-"))
    builder.commit("base", {"README.md": "hello\n"}, author=dev)
    builder.branch(branch)
    builder.commit(subject, files, branch=branch, author=dev)
    analyzer = Analyzer(builder.path)
    return analyzer, analyzer.detail(branch)


async def test_untrusted_text_is_shown_literally(make_repo, tmp_path: Path) -> None:
    hostile = "x = 1  # \x1b[31mred\x1b[0m bell\x07 [bold red]loud[/] [link=http://evil]click[/link]"
    analyzer, detail = _one_branch(make_repo, "feature/hostile", "[bold]markup[/bold] title",
                                   {"src/[red]odd[/red].py": f"{hostile}\ny = 2\n"})
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        session = _session(ledger, analyzer.repo_key)
        app = ChunkHost(detail, session)
        async with app.run_test(size=(120, 24)):
            text = _screen_text(app)
            assert "[bold red]loud[/]" in text and "[link=http://evil]click[/link]" in text
            assert "␛[31mred␛[0m bell␇" in text
            assert "src/[red]odd[/red].py" in text  # a path in the header and the file row
            assert not CONTROL.search(text.replace("\n", ""))


async def test_a_long_title_cuts_middle_directories_before_names_and_refits_on_resize(make_repo,
                                                                                       tmp_path: Path) -> None:
    """The middle directories go first, the first one kept and the cut marked (QA51 #13), the names whole."""
    deep = "lib/project/subsystem/component/"
    analyzer, detail = _one_branch(make_repo, "feature/deep", "two deep files",
                                   {f"{deep}alpha_module.py": "a = 1\n", f"{deep}beta_module.py": "b = 2\n"})
    assert detail.plan.chunks[0].title == f"{deep[:-1]}/: alpha_module.py and beta_module.py"
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        app = ChunkHost(detail, _session(ledger, analyzer.repo_key))
        async with app.run_test(size=(60, 24)) as pilot:
            title = str(app.screen.query_one("#chunk-title", Static).render())
            assert title == "lib/…/component/: alpha_module.py and beta_module.py"  # whole names
            await pilot.resize_terminal(48, 24)
            await pilot.pause()
            title = str(app.screen.query_one("#chunk-title", Static).render())
            assert title == "lib/…/: alpha_module.py and beta_module.py"
            await pilot.resize_terminal(120, 24)
            await pilot.pause()
            assert str(app.screen.query_one("#chunk-title", Static).render()) == detail.plan.chunks[0].title


@pytest.mark.parametrize("theme_name", ["review-dark", "review-light"])
def test_snapshot(snap_compare, tmp_path: Path, payments: Analyzer, details: dict[str, ChangeDetail],
                  theme_name: str) -> None:
    detail = details["feature/retry-refactor-claude"]
    ledger = Ledger.open(tmp_path / "ledger.db")
    session = _session(ledger, payments.repo_key)
    try:
        # the cursor on the first hotspot row, so its annotation shows
        rows = chunk_display_lines(detail, detail.plan.chunks[0])
        hotspot_row = next(i for i, row in enumerate(rows) if row.hotspot)
        assert snap_compare(ChunkHost(detail, session, theme=theme_name), terminal_size=(80, 24),
                            press=["j"] * hotspot_row)
    finally:
        ledger.close()


# -- lines that only change whitespace ----------------------------------------------------------------
FORMATTED_BEFORE = ("export function parse(body: string) {\n"
                    "    const data = JSON.parse(body)\n"
                    "    if (!data) {\n"
                    "        return null\n"
                    "    }\n"
                    "    return data\n"
                    "}\n"
                    'export const message = "Internal Server Error"\n')
FORMATTED_AFTER = ("export function parse(body: string) {\n"
                   "  const data = JSON.parse(body)\n"
                   "  if (!data) {\n"
                   "    return null\n"
                   "  }\n"
                   "  return data\n"
                   "}\n"
                   "export const message = 'Internal Server Error'\n")


def _contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    def luminance(rgb: tuple[int, int, int]) -> float:
        linear = [(c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_lines_that_only_change_whitespace_are_muted_and_marked_with_the_count_the_chunk_says(
        make_repo, tmp_path: Path) -> None:
    """FIX70: the plan skims the lines a change only re-indents ("5 of 10 lines only re-indented"), but the diff
    drew them as loud as the real edit among them (hono's "chore: format" commit: 16 of 26 lines). They are muted
    (the context colour, no syntax colours or word marks, half their side's tint) and marked ⇥ beside their +/-,
    the cursor says why, and the real change keeps its colours; readable in every shipped theme."""
    repo = make_repo("format")
    repo.commit("init", {"src/parse.ts": FORMATTED_BEFORE}, author=ALICE)
    repo.branch("format")
    repo.commit("format", {"src/parse.ts": FORMATTED_AFTER}, branch="format", author=BOB)
    repo.checkout()
    analyzer = Analyzer(repo.path)
    detail = analyzer.detail("format")
    [chunk] = detail.plan.chunks
    assert (chunk.changed_lines, chunk.whitespace_lines) == (12, 10)
    rows = chunk_display_lines(detail, chunk)
    muted = [i for i, row in enumerate(rows) if row.reindented]
    assert len(muted) == chunk.whitespace_lines
    assert {rows[i].text.strip() for i in range(len(rows)) if rows[i].kind != "context" and i not in muted
            and rows[i].kind in ("add", "del")} == {'export const message = "Internal Server Error"',
                                                     "export const message = 'Internal Server Error'"}
    ledger = Ledger.open(tmp_path / "ledger.db")
    session = _session(ledger, analyzer.repo_key)
    try:
        app = ChunkHost(detail, session)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ChunkReviewScreen)
            view = screen.diff_view
            top = view.region.y
            real_add = next(i for i, row in enumerate(rows) if row.kind == "add" and not row.reindented)
            for name in sorted(THEMES):
                app.theme = name
                await pilot.pause()
                await pilot.pause()
                theme = THEMES[name]
                strips = [list(strip) for strip in app.screen._compositor.render_strips()]
                for index in muted:
                    row = strips[top + index]
                    text = "".join(segment.text for segment in row)
                    assert ("+⇥" if rows[index].kind == "add" else "-⇥") in text, (name, text)
                    code = next(seg for seg in row if seg.text.strip() and seg.text.strip() in rows[index].text)
                    assert code.style is not None and code.style.color is not None and code.style.bgcolor is not None
                    colour, background = code.style.color.get_truecolor(), code.style.bgcolor.get_truecolor()
                    assert colour == Color.parse(theme.variable("diff-context")).rich_color.get_truecolor()
                    side = "diff-added-bg" if rows[index].kind == "add" else "diff-removed-bg"
                    assert background != _theme_colour(theme, side)  # not the loud tint of a real change
                    assert _contrast(colour, background) >= 4.5, (name, colour, background)
                real = strips[top + real_add]
                assert "+⇥" not in "".join(segment.text for segment in real)
                assert _theme_colour(theme, "diff-added-bg") in {
                    seg.style.bgcolor.get_truecolor() for seg in real if seg.style and seg.style.bgcolor}
            view.move_cursor(muted[0])
            await pilot.pause()
            assert "only re-indented" in _screen_text(app).splitlines()[top + muted[0]]
    finally:
        ledger.close()


def _theme_colour(theme, variable: str) -> tuple[int, int, int]:
    """A theme's colour variable as drawn over its background (a "#rrggbb NN%" blends)."""
    background = Color.parse(theme.colors["background"]) if "background" in theme.colors else Color(0, 0, 0)
    resolved = resolve_colour(theme.variable(variable), background)
    assert resolved is not None
    return resolved.rich_color.get_truecolor()


# -- end to end through the real app --------------------------------------------------------------
async def test_end_to_end_through_the_review_app(payments_repo: Path, warm_cache) -> None:
    """The real app (make_app): open the queue's top change, enter its first chunk, move with n/p,
    approve it fast (confirmed), mark the next one for later, go back to the plan, quit; the ledger
    holds exactly those decisions, the change shows as in progress, and the session is ended."""
    ledger = Ledger.open(ledger_path())
    app = build_app(payments_repo, cache=warm_cache, ledger=ledger)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = queue_screen(app).rows
        at = next(i for i, row in enumerate(rows) if (row.chunk_count or 0) >= 2)  # the riskiest of 2+ chunks
        top = rows[at].id
        await pilot.press(*["down"] * at, "enter")
        await settle(pilot)
        change_screen = app.screen
        detail: ChangeDetail = change_screen.detail
        assert detail.change.id == top and len(detail.plan.chunks) >= 2
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChunkReviewScreen) and screen.index == 0
        await pilot.press("tab", "p", "a")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        assert app.screen is screen and screen.index == 1
        await pilot.press("l", "escape")
        await settle(pilot)
        assert app.screen is change_screen
        hashes = [c.content_hash for c in detail.plan.chunks]
        status = change_screen.review_app.session.change_status(detail.report, hashes)
        assert status == f"in progress 1 of {len(hashes)}"
        await pilot.press("ctrl+q")
    first, second = detail.plan.chunks[:2]
    decisions = ledger.decisions_for(app.session.repo_key, top)
    assert [(d.reviewer, d.chunk_hash, d.decision, d.fast, d.rubber_stamp) for d in decisions] == [
        (REVIEWER, first.content_hash, "approve", True, True),
        (REVIEWER, second.content_hash, "later", False, False),
    ]
    assert ledger.comments_for(app.session.repo_key, top) == []
    assert ledger.session(app.session.session_id).ended_at is not None
    ledger.close()


def test_chunk_kinds_all_render(details: dict[str, ChangeDetail]) -> None:
    """Every chunk of the varied changes renders, with at least one row; together they cover every kind."""
    seen: set[str] = set()
    for change_id in VARIED_CHANGES:
        detail = details[change_id]
        kinds = {chunk.kind for chunk in detail.plan.chunks}
        for chunk in detail.plan.chunks:
            rows = chunk_display_lines(detail, chunk)
            assert rows, (detail.change.id, chunk.index)
            if chunk.kind not in (KIND_COLLAPSED, KIND_BINARY, KIND_RENAME):
                assert any(row.kind in ("add", "del") for row in rows)
        seen |= kinds
    assert seen == set(CHUNK_KINDS)



async def test_a_destructive_line_is_marked_in_the_gutter_with_its_explanation(
        tmp_path: Path, payments: Analyzer, details: dict[str, ChangeDetail]) -> None:
    """QA43 15a: the chunk header said "destructive operations" and the reviewer hunted through the diff for
    the line; now it carries ☠, and the cursor on it says what the operation does."""
    detail = details["infra/recreate-staging-env"]
    ops = [op for op in detail.tiers.destructive if op.line is not None]
    assert ops
    ledger = Ledger.open(tmp_path / "ledger.db")
    session = _session(ledger, payments.repo_key)
    chunk_of = {path: i for i, c in enumerate(detail.plan.chunks) for path in c.files}
    app = ChunkHost(detail, session, index=chunk_of[ops[0].path])
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        view = app.screen.diff_view
        marked = [line for line in view.lines if (m := view.marker_for(line)) is not None and m.symbol == "☠"]
        assert marked, [op.summary() for op in ops]
        assert view.marker_for(marked[0]).label.startswith("destructive: ")
        assert "☠" in _screen_text(app)
    ledger.close()
