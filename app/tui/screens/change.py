"""ChangeScreen: one change. Why it scored what it did, its commits, and its review plan.

The header is drawn at once from the queue's report; the full analysis (diff, provenance,
complexity, plan) loads in a thread worker with its own Analyzer, under a loading indicator, so
the 21,670-line change never freezes the UI. Three tabs: the review plan (default: it is where
the reviewer goes next), the "why" panel (factors summing to the score, tier reasons, destructive
operations, AI), and the commits (AI-signalled ones marked with the tool and the signal).

Enter on a chunk opens T2's ChunkReviewScreen; coming back (screen resume) re-reads statuses and
time spent. `A` approves the whole change: if chunks were never opened or are under their floor time, or a
chunk is flagged, it asks first and says so (and whether it is recorded as a rubber stamp).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.color import Color
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from app.core.heap import HeapTrimmer
from app.core.planner.whitespace import skimmed_noun
from app.core.text import (
    added_count,
    author_names,
    compact_number,
    format_duration,
    human_age,
    one_line,
    percent,
    plural,
    share_text,
)
from app.errors import ReviewTuiError
from app.report.tables import Item, fit_plan_title, shared_first_directories
from app.report.tables import item as list_item  # `item` names the uncounted records below
from app.storage.records import ANOTHER_CHANGE, REASON_LABELS, UNSIGNED
from app.tui.keys import bindings_for, footer_bindings
from app.tui.messages import DetailFailed, DetailLoaded, PlanLoaded, ReviewRecorded
from app.tui.review_session import OWN_CHANGE_STATE
from app.tui.screens import STYLES
from app.tui.themes import band_style, resolve_colour
from app.tui.widgets.footer import KeyFooter
from app.tui.widgets.list_table import ListTable
from app.tui.widgets.score_bar import score_cell
from app.tui.widgets.why_panel import change_identifiers, top_factors, why_renderable

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from app.analysis.report import ChangeDetail, ChangePlan, ChangeReport
    from app.analysis.signoff import CheckOutcome
    from app.core.planner.model import Chunk
    from app.storage.ledger import CommentThread
    from app.storage.models import TrackRecordRun
    from app.tui.host import ReviewHost


CHUNK_ROWS_PER_PAINT = 60  # plan rows added per paint (a big plan's table fills in after its first paint)
OUTLINE_PAINT_WAIT = 2.0  # seconds the detail worker waits for the cached plan to be painted

CHUNK_STATUS_STYLES = {"new": "dim", "opened": "bold", "approved": "success", "flagged": "error",
                       "later": "warning", "stamped": "warning", "stale": "warning",
                       **dict.fromkeys([*REASON_LABELS.values(), OWN_CHANGE_STATE], "warning")}
CHUNK_STATUS_LABELS = {"new": "new", "opened": "opened", "approved": "✔ approved", "flagged": "✖ flagged",
                       "later": "↻ later", "stamped": "⚠ stamped", "stale": "⟳ stale",
                       **{label: f"✗ {label}" for label in REASON_LABELS.values()},
                       OWN_CHANGE_STATE: "✗ author"}  # "✗ own change" did not fit the 11-cell column
"""Chunk states; an approval that does not count shows why in a word (storage/records.py's
REASON_LABELS: "elsewhere", "unsigned", "bad sig", "unknown key"; "own change" for an author's), and the
sign-off line says more."""


MARKS_MAX = 22  # "☠ destructive ◆ seam" whole; more is cut
NOTE_MIN = 30  # the least room in which a plan's note is shown, cut, on the plan's summary line
TITLE_MIN = 20  # the chunk column keeps this many cells before the marks column widens ("discount.py +2 more")
# The plan's kind column ("code" on most rows) is shown from this width: at 120 columns its 11 cells went to the chunk's
# title, 37 cells cut "deno_dist/middleware/basic-auth/index.ts" (QA51 #13); a chunk that is not code says its kind
# among the marks below it.
KIND_COLUMN_MIN = 150
NARROW_COLUMNS = 100  # below it (no marks column) the chunk column takes what empty AI and spent columns kept


def _bindings() -> list[BindingType]:
    return footer_bindings(list(bindings_for("change")))


def fit_parts(parts: list[tuple[Text, int]], width: int) -> Text:
    """The `parts` of one line in their order, leaving out the least important (lowest number) until
    the rest fit in `width` cells; the most important one is kept (cut) even if it alone does not."""
    kept = list(parts)
    while len(kept) > 1 and sum(part.cell_len for part, _ in kept) > width:
        kept.remove(min(kept, key=lambda item: item[1]))
    line = Text(no_wrap=True, overflow="ellipsis")
    for part, _keep in kept:
        line.append_text(part)
    return line


class ChangeScreen(Screen[None]):
    CSS_PATH = STYLES / "change.tcss"  # parsed when a change is first opened, not before the queue paints
    """One change: header, the review plan, the why panel and the commits."""

    ACTION_SCREEN = "change"
    BINDINGS: ClassVar[list[BindingType]] = _bindings()

    def __init__(self, report: ChangeReport, similar: Sequence[str] = ()) -> None:
        super().__init__()
        self.report = report
        self.similar = tuple(similar)  # the near-duplicate heads the queue folded into this change's row
        self.detail: ChangeDetail | None = None
        # What the plan and commit tabs draw: the cached plan first (a change of 1,400 files opens at
        # once), then the full detail, which the chunk screen, the file list and approvals need.
        self.outline: ChangeDetail | ChangePlan | None = None
        self._commits_filled = False  # the commits table shows the current outline
        self._open_when_loaded: tuple[int, str | None] | None = None
        # Set once the cached plan is on screen: the diff is read after that, not while it is being
        # drawn (reading a 1,400-file diff holds the interpreter for seconds and would delay the paint).
        self._outline_painted = threading.Event()
        self._fill_generation = 0  # bumped by every fill of the plan table (stale batches are dropped)
        self._shared_directories: frozenset[str] = frozenset()  # the plan's (shared_first_directories)
        self.chunk_states: dict[str, str] = {}
        self.outcome: CheckOutcome | None = None
        """The sign-off verdict as `review-tui check` gives it (None until known)."""
        self.error: str | None = None
        self.track_record: TrackRecordRun | None = None
        """The repository's AI track record (latest calibrate), cited in the why panel."""

    @property
    def review_app(self) -> ReviewHost:
        return self.app  # type: ignore[return-value]  # the ReviewApp, seen through ReviewHost

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="change-header", markup=False)
        with TabbedContent(id="change-tabs", initial="tab-plan"):
            with TabPane("Review plan (p)", id="tab-plan"), Vertical(id="plan-box"):
                yield ListTable(id="chunks-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="plan-summary", markup=False)
                yield Static("", id="signoff", markup=False)
            with TabPane("Why (w)", id="tab-why"), VerticalScroll(id="why-scroll"):
                yield Static("", id="why-panel", markup=False)
            with TabPane("Commits (c)", id="tab-commits"):
                yield ListTable(id="commits-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._draw_header()
        try:
            self.track_record = self.review_app.analyzer.track_record
        except (ReviewTuiError, AttributeError):
            self.track_record = None  # no repository key (or no analyzer): nothing to cite
        self.query_one("#why-panel", Static).update(why_renderable(
            self.report.assessment, narrow=self.app.size.width < 100, names=change_identifiers(self.report.change),
            base_note=self.report.change.base_remarks, track_record=self.track_record, similar=self.similar))
        cached = self.review_app.cached_detail(self.report)
        if cached is not None:
            self._show_detail(cached)
        else:
            self.query_one("#change-tabs", TabbedContent).loading = True
            self.load_detail()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._redraw())

    def on_unmount(self) -> None:
        """Closed: the app keeps the detail only within its line budget (DetailCache), and this screen, which
        Textual may hold on to a while longer, lets go of the diff."""
        if self.detail is not None:
            self.review_app.detail_closed(self.detail)
        self.detail = None
        self.outline = None

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        self._draw_header()
        self._draw_why()
        if self.outline is not None:
            self._fill_chunks()
            # The commits table (500 rows for a release) is filled when its tab is first shown.
            self._commits_filled = False
            self._fill_commits_if_shown()

    def _draw_why(self) -> None:
        found = self.outline.report.assessment if self.outline else self.report.assessment
        self.query_one("#why-panel", Static).update(why_renderable(
            found, narrow=self.size.width < 100, names=change_identifiers(self.report.change),
            base_note=self.report.change.base_remarks, track_record=self.track_record, similar=self.similar))

    # -- loading (thread worker) ----------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="detail", name="load change detail")
    def load_detail(self) -> None:
        """The full analysis, with this thread's own Analyzer (pygit2 objects stay in one thread);
        the cached plan first, when there is one, so the screen fills in while the diff is read."""
        try:
            analyzer = self.review_app.fresh_analyzer()
            self.review_app.analyzer.lend_discovery(analyzer)  # what the queue found: not every ref read again
            outline = analyzer.change_plan(self.report.change)
            if outline is not None:
                self.post_message(PlanLoaded(outline))
                self._outline_painted.wait(timeout=OUTLINE_PAINT_WAIT)
            # Reading a diff frees as much as it keeps (pygit2's line objects, blobs, the analyzer's own), and
            # glibc kept those pages: lazygit's pr/296 held 407 MB (RSS) in a bare process, 291 MB given back
            # as the diff is read, with a peak of 361 MB.
            # The lines only collapsed chunks show are let go as they are read, and read again when one is
            # expanded (app/core/git/shed.py): pr/296's vendor/ lines were 121 MB of the 358 MB open.
            with HeapTrimmer():
                detail = analyzer.detail(self.report.change, shed=True)
        except ReviewTuiError as exc:
            self.post_message(DetailFailed(self.report.id, str(exc)))
            return
        self.post_message(DetailLoaded(detail))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "detail" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.post_message(DetailFailed(self.report.id, f"internal error: {type(error).__name__}: {error}"))

    def on_plan_loaded(self, message: PlanLoaded) -> None:
        if self.detail is None:
            self._show_outline(message.outline)

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        self.review_app.remember_detail(message.detail)
        self._show_detail(message.detail)
        if self._open_when_loaded is not None:
            position, focus_path = self._open_when_loaded
            self._open_when_loaded = None
            self.open_chunk(position, focus_path=focus_path)

    def on_detail_failed(self, message: DetailFailed) -> None:
        self.error = message.error
        self._open_when_loaded = None
        self.query_one("#change-tabs", TabbedContent).loading = False
        self.query_one("#plan-summary", Static).update(
            Text(f"Could not analyse this change: {one_line(message.error, 300)}", style="bold"))
        self.notify(one_line(message.error, 300), title="analysis failed", severity="error")

    def _show_detail(self, detail: ChangeDetail) -> None:
        self.detail = detail
        shown = self.outline
        if shown is not None and shown.plan == detail.plan and shown.report.assessment == detail.report.assessment:
            # The cached plan on screen is this plan: nothing to draw again (506 rows of a big change).
            self.outline, self.report = detail, detail.report
            if detail.change.gone_on_base or detail.change.behind_base:
                self._draw_why()  # known from the detail only: the base's tip moves, the cached plan stays
            try:
                self._refresh_outcome()  # the sign-off verdict needed the detail
            except ReviewTuiError as exc:
                self.notify(one_line(str(exc), 300), severity="warning")
            self._draw_signoff()
            return
        self._show_outline(detail)

    def _show_outline(self, outline: ChangeDetail | ChangePlan) -> None:
        first = self.outline is None
        self.outline = outline
        self.report = outline.report
        self.query_one("#change-tabs", TabbedContent).loading = False
        self._refresh_states()
        self._redraw()
        # Focus the plan only if it is the tab on show: the reviewer may have moved on while it loaded.
        if first and self.query_one("#change-tabs", TabbedContent).active == "tab-plan":
            self.query_one("#chunks-table", DataTable).focus()
        if first:
            self.call_after_refresh(self._outline_painted.set)

    def _refresh_states(self) -> None:
        if self.outline is None:
            return
        try:
            session = self.review_app.session
            states = session.chunk_statuses(self.outline)
            # An approval faster than the floor is a rubber stamp: say so, not just "approved".
            for chunk_hash in session.rubber_stamped_chunks(self.outline):
                if states.get(chunk_hash) == "approved":
                    states[chunk_hash] = "stamped"
            self.chunk_states = states
            self._refresh_outcome()
        except ReviewTuiError as exc:
            self.notify(one_line(str(exc), 300), severity="warning")

    def _refresh_outcome(self) -> None:
        """The sign-off verdict, from the full detail, or before it loads from the cached report and plan on
        screen (the same chunks, tier and AI share `check` judges): the detail waits for the worker pool while the
        queue analyses other changes, and the verdict of a change analysed already lagged 5-10 s behind it."""
        from app.analysis.report import ChangePlan

        signoff = self.review_app.session.signoff
        if signoff is None:
            self.outcome = None
        elif self.detail is not None:
            self.outcome = signoff.outcome(self.detail)
        elif isinstance(self.outline, ChangePlan):
            self.outcome = signoff.plan_outcome(self.outline)
        else:
            self.outcome = None

    def on_screen_resume(self) -> None:
        # Back from the chunk screen: decisions and time may have changed.
        if self.outline is not None:
            self._refresh_states()
            self._fill_chunks()
            self._draw_header()

    # -- drawing --------------------------------------------------------------------------
    def _variables(self) -> dict[str, str]:
        return getattr(self.app, "theme_variables", {}) or {}

    def _colour(self, name: str) -> Style:
        variables = self._variables()
        background = resolve_colour(variables.get("background"), Color(0, 0, 0)) or Color(0, 0, 0)
        colour = resolve_colour(variables.get(name), background)
        return Style(color=colour.rich_color) if colour else Style()

    def _tier_badge(self, tier: int | None) -> Text:
        if tier is None:
            return Text("T?", style="dim")
        variables = self._variables()
        background = resolve_colour(variables.get("background"), Color(0, 0, 0)) or Color(0, 0, 0)
        colour = resolve_colour(variables.get(f"tier-{tier}"), background)
        if colour is None:
            return Text(f" T{tier} ", style="bold")
        return Text(f" T{tier} ", style=Style(bgcolor=colour.rich_color, bold=True,
                                               color=colour.get_contrast_text(1.0).rich_color))

    def _draw_header(self) -> None:
        report = self.report
        change = report.change
        found = report.assessment
        width = self.size.width or self.app.size.width
        room = width - 2  # the header's padding
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(one_line(change.id, 120), style="bold")
        if change.title:
            text.append("  " + one_line(change.title, 200))
        text.append("\n")
        text.append_text(fit_parts(self._origin_parts(), room))
        text.append("\n")
        text.append_text(fit_parts(self._figure_parts(width), room))
        text.append("\n")
        destructive = Text()
        if found and found.destructive_ops:
            ops = found.destructive_ops
            destructive.append(f"  ☠ {len(ops)} destructive op{'s' if len(ops) != 1 else ''}", style="bold")
        # As many of the top factors as fit beside the destructive operations (at least one).
        for count in (4, 3, 2, 1):
            why = Text("why: ", style="dim") + top_factors(found, count) + destructive
            if why.cell_len <= room:
                break
        text.append_text(why)
        self.query_one("#change-header", Static).update(text)

    def _origin_parts(self) -> list[tuple[Text, int]]:
        """Who, where, how many commits, how old; the other names of the change go first when narrow."""
        change = self.report.change
        authors = author_names(change.authors)
        if not authors and change.kind == "worktree":
            # no commit yet: its author is whoever commits it here, as check judges self-approval
            from app.analysis.signoff import participants

            authors = [f"{who} (not committed yet)" for who in participants(self.review_app.analyzer, change)]
        author_text = ", ".join(authors[:3]) + (f" +{len(authors) - 3}" if len(authors) > 3 else "")
        parts = [(Text("by " + one_line(author_text or "unknown", 120)), 9)]
        base = change.base[:10] if change.base else "?"
        against = change.stacked_on or change.base_ref  # a stacked change is compared with the one below it
        # a commit of a range is diffed against its parent: "X^" named beside X's parent read as garbage (QA54)
        named = "" if change.kind == "commit" and against == f"{change.head[:10]}^" else f"{one_line(against, 40)} "
        parts.append((Text(f"{named}{base}...{change.head[:10]}", style="dim"), 5))
        if change.aliases:  # the other refs at this head: the same change by any of its names
            parts.append((Text("also " + ", ".join(one_line(alias, 60) for alias in change.aliases[:3])
                               + (f" +{len(change.aliases) - 3}" if len(change.aliases) > 3 else ""), style="dim"), 1))
        commits = len(change.commits)
        parts.append((Text(f"{commits} commit{'s' if commits != 1 else ''}", style="dim"), 4))
        newest = change.newest_time
        if newest:
            parts.append((Text(f"{human_age(self.review_app.now() - newest)} ago", style="dim"), 3))
        return [(Text("  ·  ", style="dim") + part if i else part, keep) for i, (part, keep) in enumerate(parts)]

    def _figure_parts(self, width: int) -> list[tuple[Text, int]]:
        """Score, band and tier, then the figures; what matters least is dropped first when narrow:
        the AI tools, fix × impact, the AI share; the review status and the floor stay."""
        report = self.report
        found = report.assessment
        band = found.risk.band if found else None
        risk = score_cell(report.score, band, self._variables(), width=6)
        if band:
            _symbol, style = band_style(self._variables(), band)
            risk.append(f" {band} ", style=style)
        risk.append(" ")
        risk.append_text(self._tier_badge(found.tiers.tier if found else None))
        parts = [(risk, 10)]
        if found is not None:
            parts.append((Text(f"  fix {percent(found.risk.likelihood)} × impact {found.risk.impact:.2g}",
                               style="dim"), 2))
        figures = report.figures
        size = Text("  ")
        if report.listed_only:  # a merged-upstream row the queue listed unanalysed: its diff is being read
            size.append("reading its diff…", style="dim")
        else:
            size.append(f"+{figures.lines_added}", style=self._colour("diff-added"))
            size.append("/")
            size.append(f"-{figures.lines_deleted}", style=self._colour("diff-removed"))
            size.append(f" in {figures.files} file{'s' if figures.files != 1 else ''}")
        parts.append((size, 6))
        share = found.ai.share if found else 0.0
        if share or (found and found.ai.tools):
            ai_style = self._colour("gutter-ai")
            parts.append((Text(f"  AI {share_text(share)}", style=ai_style), 5))
            tools = ", ".join(one_line(t, 30) for t in (found.ai.tools if found else ()))
            if tools:
                parts.append((Text(f" ({tools})", style=ai_style), 1))
        elif found and found.ai.evidence:  # as the queue's "AI?": an agent's branch name, no commit counted (QA48 #15)
            parts.append((Text("  AI? (see why)", style=self._colour("gutter-ai")), 5))
        if found is not None:
            parts.append((Text(f"  floor {format_duration(found.plan.floor_seconds)}"), 7))
        status = self._change_status()
        if status:
            parts.append((Text(f"  [{status}]", style="bold"), 8))
        if report.change.merged is not None:  # opened from the queue's merged rows (`m`): nothing waits for review
            parts.append((Text(f"  merged upstream ({report.change.merged.how})", style="bold dim"), 8))
        return parts

    def _change_status(self) -> str:
        if self.outline is None:
            return ""
        try:
            hashes = [chunk.content_hash for chunk in self.outline.plan.chunks]
            return self.review_app.session.change_status(self.outline.report, hashes)
        except ReviewTuiError:
            return ""

    def _chunk_columns(self, width: int, marks_width: int = 12, cc_width: int = 4,
                       spent: Mapping[str, float] | None = None) -> list[tuple[str, str, int | None]]:
        """(key, header, width) of the plan table at terminal `width`; None width = the title. The
        marks column is as wide as the widest marks (`marks_width`), CC+ as its widest figure (`cc_width`, 4
        or 5: "+1.1k"): the title gets the rest. Below NARROW_COLUMNS the title needs every cell: the status
        column is as wide as its widest state ("new": 6 cells, not 11), and the AI and spent columns are left out
        while no chunk has a figure in them (at 80 columns "-" and "new" kept 21 cells and cut the titles to
        "eks-ma…versions.tf +3", QA55 F13)."""
        chunks = self.outline.plan.chunks if self.outline is not None else []
        digits = len(str(len(chunks))) if chunks else 1
        narrow = width < NARROW_COLUMNS
        columns: list[tuple[str, str, int | None]] = [("index", "#", max(3, digits)), ("title", "chunk", None)]
        if width >= KIND_COLUMN_MIN:
            columns.append(("kind", "kind", 9))
        columns.append(("lines", "lines", 5))
        if width >= 90:
            columns.append(("cc", "CC+", cc_width))
        if not narrow or any(chunk.ai_share for chunk in chunks):
            columns.append(("ai", "AI", 4))
        columns += [("tier", "tier", 4), ("floor", "floor", 6)]
        states = [self._state_text(self.chunk_states.get(chunk.content_hash, "new")).cell_len for chunk in chunks]
        columns.append(("status", "status", max([len("status"), *states]) if narrow else 11))
        if not narrow or any((spent or {}).get(chunk.content_hash, 0.0) > 0 for chunk in chunks):
            columns.append(("spent", "spent", 6))
        if width >= 100:
            columns.append(("marks", "marks", marks_width))
        return columns

    def _fill_chunks(self) -> None:
        detail = self.outline
        if detail is None:
            return
        table = self.query_one("#chunks-table", DataTable)
        width = self.size.width or self.app.size.width
        try:
            spent = self.review_app.session.active_seconds_by_chunk(detail)
        except ReviewTuiError:
            spent = {}
        marks = max((self._marks(chunk).cell_len for chunk in detail.plan.chunks), default=0)
        cc = max([4, *(len(added_count(chunk.complexity_added)) for chunk in detail.plan.chunks)])  # "-" is 1
        narrowest = self._chunk_columns(width, len("marks"), cc, spent)
        room = width - (sum(w or 0 for _, _, w in narrowest) + 2 * len(narrowest) + 4) - TITLE_MIN
        # The marks column widens for the widest marks only as far as the title stays readable: at 100
        # columns a 22-cell mark on one chunk of 52 cut every title to "disc… 2 more".
        columns = self._chunk_columns(width, max(len("marks"), min(marks, MARKS_MAX, len("marks") + room)), cc, spent)
        fixed = sum(w or 0 for _, _, w in columns) + 2 * len(columns) + 4
        title_width = max(width - fixed, 12)
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, header, column_width in columns:
            justify = "right" if key in ("index", "lines", "cc", "ai", "floor", "spent") else "left"
            table.add_column(Text(header, style="bold", justify=justify),  # type: ignore[arg-type]
                             width=column_width or title_width, key=key)
        self._fill_generation += 1
        self._shared_directories = shared_first_directories((chunk.title for chunk in detail.plan.chunks), title_width)
        self._add_chunk_rows(columns, title_width, list(enumerate(detail.plan.chunks)), cursor,
                             self._fill_generation, spent)
        plan = detail.plan
        decided = sum(1 for c in plan.chunks
                      if self.chunk_states.get(c.content_hash) in ("approved", "stamped", "flagged",
                                                                   OWN_CHANGE_STATE))
        summary = [(Text(f"{len(plan.chunks)} chunk{'s' if len(plan.chunks) != 1 else ''}, "
                         f"{plan.changed_lines} changed line{'s' if plan.changed_lines != 1 else ''}, "
                         f"floor {format_duration(plan.total_floor_seconds)} · {decided} decided", style="dim"), 9)]
        # A plan's notes get what the counts leave, cut rather than left out: "big_table.py is >99% of this change"
        # is what a reviewer of that plan most needs to read (QA49 #14d)
        room = width - 2 - summary[0][0].cell_len
        for note in plan.notes:
            text = Text("  ·  " + one_line(note, 200), style="dim italic")
            if text.cell_len > room >= NOTE_MIN:
                text.truncate(room, overflow="ellipsis")
            summary.append((text, 2))
            room -= text.cell_len
        # The footer shows these keys too: the hint goes first when the line is full.
        summary.append((Text("   enter reviews a chunk · A approves the change", style="dim"), 1))
        self.query_one("#plan-summary", Static).update(fit_parts(summary, width - 2))
        self._draw_signoff()

    def _draw_signoff(self) -> None:
        """The verdict `review-tui check` would give now, and why this reviewer's own approvals
        that do not count do not (given on another change, unsigned, unknown key)."""
        widget = self.query_one("#signoff", Static)
        outcome = self.outcome
        shown = self.detail or self.outline  # the cached plan's verdict until the detail loads
        widget.display = outcome is not None and shown is not None
        if outcome is None or shown is None:
            return
        result = outcome.result
        # Wrapped, one line per missing thing: this is what stands between the change and a merge, so
        # it is read whole at 80 columns (cut to one line, "needs 2 more approvals, 1 of the…").
        text = Text()
        text.append("sign-off (as check sees it): ", style="dim")
        lines: list[Item] = []  # each wrapped under its own start, not back at the margin
        from app.analysis.signoff import content_missing

        # a cached plan is never one of content missing here (Analyzer._complete_plan keeps no such plan)
        missing_content = content_missing(self.detail) if self.detail is not None else None
        if missing_content is not None:  # check refuses to judge: nothing here may read as met
            text.append(one_line(missing_content, 400), style=self._colour("warning"))
        elif result.ok:
            text.append(one_line(result.summary, 300), style=self._colour("success"))
        else:
            text.append("policy NOT met", style=self._colour("warning"))
            lines += [list_item("  - ", one_line(missing, 300), self._colour("warning")) for missing in result.missing]
        mine, others = [], 0
        me = self.review_app.session.reviewer.strip().lower()
        refs = {c.content_hash: f"#{c.index}" for c in outcome.chunks}
        for item in outcome.counted.uncounted if outcome.counted is not None else []:
            if item.decision.reviewer.strip().lower() != me:
                others += 1
                continue
            if item.decision.decision == "approve":
                target = refs.get(item.decision.chunk_hash or "", "the change")
                hint = (" - O carries it over" if item.reason == ANOTHER_CHANGE
                        else " - set signing_key in your config.toml, then `review-tui sync` signs it"
                        if item.reason == UNSIGNED and self.review_app.session.signer is None else "")
                mine.append(f"your approval of {target} does not count: {item.why.split(';')[0]}{hint}")
        own = self.review_app.session.own_change(shown.change)
        if own and OWN_CHANGE_STATE in self.chunk_states.values() and not any(
                "cannot approve their own change" in missing for missing in result.missing):
            mine.insert(0, f"your approvals do not count: {own}")
        warning = self._colour("warning")
        lines += [list_item("  ", one_line(line, 300), warning) for line in list(dict.fromkeys(mine))[:3]]
        if shown.change.stacked_on:  # check judges the slices below too (signoff.with_stack)
            lines.append(list_item("  ", f"stacked on {one_line(shown.change.stacked_on, 80)}: check also needs "
                                   "its sign-off, as its work lands with this change", "dim"))
        if others:
            lines.append(list_item("  ", f"{others} other record(s) not counted (review-tui check lists them)", "dim"))
        widget.update(Group(text, *lines))

    def _add_chunk_rows(self, columns: list[tuple[str, str, int | None]], title_width: int,
                        rows: list[tuple[int, Chunk]], cursor: int, generation: int,
                        spent: dict[str, float]) -> None:
        """Add the plan's rows: the first screenfuls now, the rest after the next paint (a table
        measures every cell of every row it is given before it paints: 500 chunks cost 0.4 s)."""
        if generation != self._fill_generation or self.outline is None:
            return  # the table was filled again meanwhile
        table = self.query_one("#chunks-table", DataTable)
        now, later = rows[:CHUNK_ROWS_PER_PAINT], rows[CHUNK_ROWS_PER_PAINT:]
        before = table.row_count
        for position, chunk in now:
            cells = self._chunk_cells(chunk, title_width, spent.get(chunk.content_hash, 0.0))
            table.add_row(*[cells[key] for key, _, _ in columns], key=str(position))
        if later:
            self.call_after_refresh(self._add_chunk_rows, columns, title_width, later, cursor, generation, spent)
        # The cursor goes back to its row once, in the batch that adds it: moving it on every batch
        # undid a G (or j) pressed while a 2,000-chunk plan was still filling in.
        if table.row_count and (before <= cursor < table.row_count or (not later and cursor >= table.row_count)):
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1), animate=False)

    def _chunk_cells(self, chunk: Chunk, title_width: int, spent: float) -> dict[str, Text]:
        from app.core.risk.score import complexity_measured

        state = self.chunk_states.get(chunk.content_hash, "new")
        return {
            "index": Text(str(chunk.index), style="dim", justify="right"),
            "title": Text(fit_plan_title(chunk.title, title_width, self._shared_directories), no_wrap=True,
                          overflow="ellipsis"),
            "kind": Text(one_line(chunk.kind_label, 20)),
            # whole where they fit the column (5 cells), else compact: a venv's 1294095 read "12940"
            "lines": Text(_fitting(chunk.changed_lines, 5), justify="right"),
            # as the queue says it, its unit kept ("+1.1k"): the column widens to 5 cells when one needs it
            "cc": Text(added_count(chunk.complexity_added, complexity_measured(chunk.files)), justify="right",
                       style=self._colour("hotspot") if chunk.complexity_added >= 10 else ""),
            "ai": Text(share_text(chunk.ai_share) if chunk.ai_share else "-", justify="right",
                       style=self._colour("gutter-ai") if chunk.ai_share else "dim"),
            "tier": self._tier_badge(chunk.tier),
            "floor": Text(format_duration(chunk.floor_seconds), justify="right"),
            "status": self._state_text(state),
            "spent": self._spent_text(spent, chunk.floor_seconds),
            "marks": self._marks(chunk),
        }

    def _state_text(self, state: str) -> Text:
        label = CHUNK_STATUS_LABELS.get(state, one_line(state, 20))
        style = CHUNK_STATUS_STYLES.get(state, "")
        if style in ("success", "error", "warning"):
            return Text(label, style=self._colour(style))
        return Text(label, style=style)

    def _spent_text(self, spent: float, floor: float) -> Text:
        if spent <= 0:
            return Text("-", style="dim", justify="right")
        # Under the floor is shown in the warning colour: that time would make an approval a rubber stamp.
        style = self._colour("warning") if spent < floor else self._colour("success")
        return Text(format_duration(spent), style=style, justify="right")

    def _marks(self, chunk: Chunk) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if chunk.destructive:
            text.append("☠ destructive ", style="bold")
        if chunk.seams:
            text.append("◆ seam ", style="bold")  # changes an untested seam: write the adversarial test here
        if chunk.oversized:
            text.append("⚠ oversized ", style=self._colour("warning"))
        if chunk.whitespace_lines * 2 >= chunk.changed_lines > 0:  # mostly re-indented: a skim, not a read
            noun = skimmed_noun(chunk.files, short=True, licence=chunk.licence_lines > 0)
            text.append(f"⇥ {_fitting(chunk.whitespace_lines, 5)} {noun} ", style="dim")
        if chunk.kind not in ("code",) and self.size.width < KIND_COLUMN_MIN:
            text.append(one_line(chunk.kind_label, 12), style="dim")
        text.rstrip()
        return text

    def _fill_commits_if_shown(self) -> None:
        if not self._commits_filled and self.query_one("#change-tabs", TabbedContent).active == "tab-commits":
            self._fill_commits()

    def _fill_commits(self) -> None:
        detail = self.outline
        if detail is None:
            return
        self._commits_filled = True
        table = self.query_one("#commits-table", DataTable)
        width = self.size.width or self.app.size.width
        author_width = 16 if width >= 100 else 12
        commits = detail.commit_list()
        # Without any AI signal the AI column is a dash: the subject gets its room.
        ai_width = (34 if width >= 120 else 18) if any(signals for _, signals in commits) else 3
        subject_width = max(width - (10 + author_width + ai_width) - 2 * 4 - 4, 16)
        table.clear(columns=True)
        table.add_column(Text("commit", style="bold"), width=10, key="id")
        table.add_column(Text("author", style="bold"), width=author_width, key="author")
        table.add_column(Text("subject", style="bold"), width=subject_width, key="subject")
        table.add_column(Text("AI", style="bold"), width=ai_width, key="ai")
        ai_style = self._colour("gutter-ai")
        for commit, signals in commits:
            ai = Text(no_wrap=True, overflow="ellipsis")
            if signals:
                tools = list(dict.fromkeys(one_line(s.tool, 40) for s in signals))
                ai.append("✦ " + ", ".join(tools), style=ai_style + Style(bold=True))
                ai.append(" — " + "; ".join(one_line(s.signal, 120) for s in signals), style=ai_style)
            else:
                ai.append("-", style="dim")
            table.add_row(
                Text(commit.short_id, style="dim"),
                Text(one_line(commit.author_name, 80), no_wrap=True, overflow="ellipsis"),
                Text(one_line(commit.subject, 300), no_wrap=True, overflow="ellipsis"),
                ai,
                key=commit.id,
            )

    # -- actions ----------------------------------------------------------------------------
    def _chunk_position(self) -> int | None:
        table = self.query_one("#chunks-table", DataTable)
        if self.outline is None or table.row_count == 0:
            return None
        return min(max(table.cursor_row, 0), table.row_count - 1)

    def action_open_chunk(self) -> None:
        position = self._chunk_position()
        if position is not None:
            self.open_chunk(position)

    @on(DataTable.RowSelected, "#chunks-table")
    def _chunk_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.open_chunk(int(event.row_key.value))

    @on(DataTable.RowSelected, "#commits-table")
    def _commit_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a commit: that commit's own diff, to read the change step by step."""
        event.stop()
        if event.row_key.value is None:
            return
        if self.detail is None:
            self.notify("The change's diff is still loading.", severity="warning")
            return
        from app.tui.screens.commit import CommitDiffScreen

        if any(commit.id == event.row_key.value for commit in self.detail.change.commits):
            self.app.push_screen(CommitDiffScreen(self.detail, event.row_key.value))

    def action_files(self) -> None:
        """The change's files; enter reviews the chunk holding the chosen one, at that file."""
        detail = self.detail
        if detail is None:
            self.notify("The change is still loading.", severity="warning")
            return
        from app.tui.screens.reader import FileEntry, FileListScreen

        chunks = detail.plan.chunks
        holders = [[p for p, c in enumerate(chunks) if any(s.file_index == i for s in c.segments) or fd.path in c.files]
                   for i, fd in enumerate(detail.files)]
        entries = [FileEntry(fd.display_path, fd.status, fd.additions, fd.deletions,
                             f"chunk{'s' if len(held) != 1 else ''} {', '.join(str(chunks[p].index) for p in held)}"
                             if held else "")
                   for fd, held in zip(detail.files, holders, strict=True)]

        def chosen(index: int | None) -> None:
            if index is not None and holders[index]:
                self.open_chunk(holders[index][0], focus_path=detail.files[index].path)

        self.app.push_screen(FileListScreen(f"Files of {one_line(detail.change.id, 100)}", entries), chosen)

    def open_chunk(self, position: int, *, focus_path: str | None = None) -> None:
        """Review chunk `position` (0-based in the plan) on the chunk screen (the cursor on
        `focus_path`'s header when given); while the diff still loads, as soon as it is read."""
        if self.detail is None:
            if self.outline is not None and self.error is None:
                self._open_when_loaded = (position, focus_path)
                self.notify("Reading the change's diff: the chunk opens when it is read.", timeout=3)
            else:
                self.notify("The change is still loading.", severity="warning")
            return
        try:
            from app.tui.screens.chunk import ChunkReviewScreen
        except ImportError:
            self.notify("The chunk review screen is not part of this build.", severity="error")
            return
        try:
            screen = ChunkReviewScreen(self.detail, position, self.review_app.session, focus_path=focus_path)
        except ReviewTuiError as exc:
            self.notify(one_line(str(exc), 300), severity="error")
            return
        self.app.push_screen(screen)

    def action_next_unreviewed(self) -> None:
        """Open the first chunk with no decision (new or opened first, then "later")."""
        if self.outline is None:
            self.notify("The change is still loading.", severity="warning")
            return
        chunks = self.outline.plan.chunks
        for wanted in (("new", "stale", "opened"), ("later",)):
            for position, chunk in enumerate(chunks):
                if self.chunk_states.get(chunk.content_hash, "new") in wanted:
                    self.open_chunk(position)
                    return
        self.notify("Every chunk has a decision.", timeout=3)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_threads(self) -> None:
        """Every comment thread on the change: read, reply, resolve."""
        from app.tui.screens.threads import ThreadActions, ThreadsScreen

        detail = self.detail
        if detail is None:
            self.notify("The change is still loading.", severity="warning")
            return
        session = self.review_app.session

        def reply(thread: CommentThread, body: str) -> CommentThread | None:
            return self._thread_act(lambda: session.reply(detail, thread, body), thread)

        def set_resolved(thread: CommentThread, resolved: bool) -> CommentThread | None:
            return self._thread_act(lambda: session.set_resolved(detail, thread, resolved), thread)

        title = f"Comment threads · {one_line(detail.change.id, 60)}"
        self.app.push_screen(ThreadsScreen(title, lambda: session.threads(detail), ThreadActions(reply, set_resolved)))

    def _thread_act(self, act: Callable[[], object], thread: CommentThread) -> CommentThread | None:
        """Run a reply or resolve, then return the thread as stored (None, with a notice, on failure)."""
        assert self.detail is not None
        try:
            act()
            threads = self.review_app.session.threads(self.detail)
        except ReviewTuiError as exc:
            self.notify(one_line(str(exc), 300), title="Comment thread", severity="error", markup=False)
            return None
        return next((t for t in threads if t.thread_id == thread.thread_id), thread)

    def action_show_plan(self) -> None:
        self._show_tab("tab-plan", "#chunks-table")

    def action_show_why(self) -> None:
        self._show_tab("tab-why", "#why-scroll")

    def action_show_commits(self) -> None:
        self._show_tab("tab-commits", "#commits-table")

    def _show_tab(self, tab: str, focus: str) -> None:
        self.query_one("#change-tabs", TabbedContent).active = tab
        self.query_one(focus).focus()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-commits":
            self._fill_commits_if_shown()
        # Clicking a tab: put the keyboard in its content, so arrows and enter work at once.
        target = {"tab-plan": "#chunks-table", "tab-why": "#why-scroll",
                  "tab-commits": "#commits-table"}.get(event.pane.id or "")
        if target:
            self.query_one(target).focus()

    def action_approve_change(self) -> None:
        """Approve the whole change. As `a` asks before a fast chunk approval, this asks first when
        a chunk was never opened or is under its floor time, or when a chunk is flagged."""
        detail = self.detail
        if detail is None:
            self.notify("The change is still loading.", severity="warning")
            return
        try:
            question = self._approval_question(detail)
        except ReviewTuiError as exc:
            self.notify(one_line(str(exc), 300), severity="error")
            return
        if question is None:
            self._approve(detail)
            return
        from app.tui.screens.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self._approve(detail)

        self.app.push_screen(ConfirmDialog(f"Approve {one_line(detail.change.id, 60)}?", question,
                                           yes="Approve anyway", no="Cancel"), answered)

    def _approval_question(self, detail: ChangeDetail) -> str | None:
        """What approving the whole change now would skip over, or None when nothing does."""
        session = self.review_app.session
        chunks = detail.plan.chunks
        total = len(chunks)
        unopened = session.unopened_chunks(detail)
        active = session.active_seconds_by_chunk(detail)
        under = [c for c in chunks if c not in unopened and active[c.content_hash] < float(c.floor_seconds)]
        unread = session.unread_chunks(detail)
        flags = self._open_flags(detail)
        own = session.own_change(detail.change)
        if not (unopened or under or unread or flags or own):
            return None
        said = [f"This is your own change: {own}."] if own else []

        def some(n: int) -> str:
            return ("The chunk" if total == 1 else f"{n} of {total} chunks") + (" was" if n == 1 else " were")

        if unopened:
            said.append(f"{some(len(unopened))} never opened.")
        if under:
            said.append(f"{some(len(under))} read for less than {'its' if len(under) == 1 else 'their'} floor time.")
        # Every line of a chunk never opened never came on screen either: "692 changed lines never came on
        # screen" beside "46 of 50 chunks were never opened" read as the total (QA47 #9).
        closed = {c.content_hash for c in unopened}
        in_opened = sum(check.unseen_lines for chunk, check in unread if chunk.content_hash not in closed)
        unseen = in_opened + sum(c.changed_lines for c in unopened)
        if unseen:
            changed = sum(c.changed_lines for c in chunks)
            where = (f" ({in_opened:,} of them in the {plural(total - len(unopened), 'chunk')} you opened)"
                     if unopened and in_opened else "")
            said.append(f"{unseen:,} of {plural(changed, 'changed line')} never came on screen{where}.")
        if any(check.missing_files for _, check in unread):
            said.append("Some content is not in this clone, so it was not read.")
        if unopened or unread or sum(active.values()) < float(detail.plan.total_floor_seconds):
            said.append("Approving now is recorded as a rubber stamp.")
        if flags:
            said.append(self._flag_warning(flags))
        return " ".join(said)

    def _open_flags(self, detail: ChangeDetail) -> list[tuple[int, str]]:
        """(chunk number, reviewer) of each current chunk whose newest decision by a reviewer is a flag."""
        if self.outcome is not None:
            return [(ref.index, who) for ref, who in self.outcome.result.flagged]
        session = self.review_app.session
        latest = session.latest_decisions(detail)
        return [(c.index, session.reviewer) for c in detail.plan.chunks
                if c.content_hash in latest and latest[c.content_hash].decision == "flag"]

    def _flag_warning(self, flags: list[tuple[int, str]]) -> str:
        """The flags, and what the policy does with them (`flags_block`)."""
        me = self.review_app.session.reviewer.strip().lower()
        mine = sorted({n for n, who in flags if who.strip().lower() == me})
        theirs = sorted({n for n, who in flags if who.strip().lower() != me})
        said = []
        if mine:
            said.append(f"You flagged chunk {', '.join(f'#{n}' for n in mine)}: approving the change "
                        "withdraws your flag.")
        if theirs:
            signoff = self.review_app.session.signoff
            blocks = signoff is None or signoff.analyzer.config.policy.flags_block
            rule = ("until they approve it, sign-off fails (policy flags_block)" if blocks
                    else "the policy lets sign-off pass over it (flags_block = false)")
            said.append(f"Another reviewer flagged chunk {', '.join(f'#{n}' for n in theirs)}: {rule}.")
        return " ".join(said)

    def _approve(self, detail: ChangeDetail) -> None:
        try:
            decision = self.review_app.session.approve_change(detail)
        except ReviewTuiError as exc:
            self.notify(one_line(str(exc), 300), title="not recorded", severity="error")
            return
        if decision.rubber_stamp:
            self.notify(f"{one_line(detail.change.id, 80)} approved — recorded as a rubber stamp",
                        severity="warning")
        else:
            self.notify(f"{one_line(detail.change.id, 80)} approved")
        self._recorded(detail)

    def _recorded(self, detail: ChangeDetail) -> None:
        """A decision was recorded here: redraw, and tell the screens below."""
        self._refresh_states()
        self._fill_chunks()
        self._draw_header()
        for screen in self.app.screen_stack:
            if screen is not self:
                screen.post_message(ReviewRecorded(detail.change.id))

    def action_carry_over(self) -> None:
        """Carry this reviewer's approvals of the same edit on another change over to this change
        (asked first: it says the same review holds here)."""
        from app.analysis.signoff import carry_candidates, own_change_reason

        detail, session = self.detail, self.review_app.session
        if detail is None or session.signoff is None or self.outcome is None or self.outcome.counted is None:
            self.notify("The change is still loading.", severity="warning")
            return
        own = own_change_reason(session.signoff.analyzer, detail.change, session.reviewer)
        if own:
            self.notify(f"Nothing carried over: {one_line(own, 300)}.", severity="warning")
            return
        found = carry_candidates(self.outcome.counted, session.reviewer, self.outcome.chunks,
                                 remotes=session.signoff.analyzer.remote_names())
        if not found:
            self.notify("Nothing to carry over: none of your approvals given on another change covers "
                        "this change's chunks (or you decided on them here since).", severity="warning")
            return
        from app.tui.screens.dialogs import ConfirmDialog

        listed = "; ".join(f"{one_line(chunk.label, 80)} from {one_line(origin.change_id, 60)}"
                           for chunk, origin in found[:4])
        more = f" and {len(found) - 4} more" if len(found) > 4 else ""
        question = (f"Carry your approval{'s' if len(found) != 1 else ''} over to "
                    f"{one_line(detail.change.id, 60)}: {listed}{more}? The edit is identical; "
                    "`check` then counts them here.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._carry(detail)

        self.app.push_screen(ConfirmDialog("Carry approvals over?", question, yes="Carry over", no="Cancel"),
                             answered)

    def _carry(self, detail: ChangeDetail) -> None:
        from app.analysis.signoff import carry_over

        session = self.review_app.session
        assert session.signoff is not None
        try:
            carried = carry_over(session.signoff, detail, session.reviewer, session_id=session.session_id,
                                 signer=session.signer)
        except ReviewTuiError as exc:
            self.notify(one_line(str(exc), 300), title="not recorded", severity="error")
            return
        unsigned = [c.unsigned_why for c in carried if c.unsigned_why]
        self.notify(f"{plural(len(carried), 'approval')} carried over to {one_line(detail.change.id, 80)}"
                    + (f"; {one_line(unsigned[0], 200)}" if unsigned else ""),
                    severity="warning" if unsigned else "information")
        self._recorded(detail)

    def selected_chunk(self) -> Any:
        position = self._chunk_position()
        return None if position is None or self.outline is None else self.outline.plan.chunks[position]


def _fitting(count: int, width: int) -> str:
    """`count` whole when it fits `width` cells, else compact (1.3M)."""
    whole = str(count)
    return whole if len(whole) <= width else compact_number(count)
