"""StatsScreen: the `review-tui stats` report inside the TUI (key S on the queue).

Same computation (app.report.stats.compute_stats) and the same rich tables and bars as the
command, so the screen and `review-tui stats` never disagree. The figures are computed in a thread
worker (a big ledger takes a moment); the ledger hands that thread its own SQLite connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from app.errors import ReviewTuiError
from app.report.stats import StatsQuery, StatsReport, compute_stats
from app.report.stats_render import (
    EMPTY_HINT,
    NARROW_WIDTH,
    group_table,
    histogram_table,
    legend,
    no_data_message,
    scope_line,
    sections,
    summary_lines,
    track_record_parts,
    trend_table,
)
from app.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from app.core.policy.rules import PolicyConfig
    from app.storage.ledger import Ledger
    from app.storage.models import TrackRecordRun


class StatsScreen(Screen[None]):
    """Review statistics for the app's repository (or every repository, toggled with `a`)."""

    DEFAULT_CSS = """
    StatsScreen #stats-status { height: auto; padding: 0 1; color: $text-muted; }
    StatsScreen #stats-body { padding: 0 1; }
    StatsScreen .stats-part { height: auto; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="stats.close"),
        Binding("r", "refresh", "Refresh", id="stats.refresh"),
        Binding("a", "toggle_scope", "This repo / all repos", id="stats.toggle_scope"),
        # as in the diff; `home` was the focused scroll view's and stopped at the reviewers table
        Binding("g,home", "scroll_to(0)", "Top", show=False, id="stats.top"),
        Binding("G,end", "scroll_to(-1)", "End", show=False, id="stats.end"),
    ]

    def __init__(self, ledger: Ledger | None = None, repo_key: str | None = None, *,
                 policy: PolicyConfig | None = None) -> None:
        """`ledger` and `repo_key` default to the host app's (ReviewApp.ledger, its analyzer's repo key)."""
        super().__init__()
        self._ledger = ledger
        self._repo_key = repo_key
        self._repo_name: str | None = None
        self._policy = policy
        self.all_repos = False
        self.report: StatsReport | None = None
        self._shown_width = 0

    def compose(self) -> ComposeResult:
        yield Static(Text("computing review statistics…"), id="stats-status")
        yield VerticalScroll(id="stats-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self._ledger is None:
            self._ledger = getattr(self.app, "ledger", None)
        analyzer = getattr(self.app, "analyzer", None)
        if self._repo_key is None:
            try:
                self._repo_key = analyzer.repo_key if analyzer is not None else None
            except ReviewTuiError:
                self._repo_key = None
        if self._policy is None and analyzer is not None and self._repo_key is not None:
            # the repository's seniors, as `review-tui stats` in it has them (the queue's S gave a repo
            # key and the screen then said "no seniors configured")
            try:
                self._policy = analyzer.config.policy
            except ReviewTuiError:
                pass  # a broken config: the status line says so elsewhere; gaps stay unknown
        self.all_repos = self._repo_key is None
        if analyzer is not None and self._repo_key is not None:
            from app.core.git.display_name import repo_display_name

            self._repo_name = repo_display_name(analyzer.repo)  # as `review-tui stats` names it ("httpx")
        self.compute()

    @property
    def query_for_scope(self) -> StatsQuery:
        return StatsQuery(repo=None if self.all_repos else self._repo_key,
                          repo_name=None if self.all_repos else self._repo_name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def compute(self) -> StatsReport:
        if self._ledger is None:
            raise ReviewTuiError("no review ledger is open")
        policy = None if self.all_repos else self._policy
        report = compute_stats(self._ledger, self.query_for_scope, policy=policy)
        report.track_record, report.track_record_missing = self._track_record()
        return report

    def _track_record(self) -> tuple[TrackRecordRun | None, str]:
        """The repository's AI track record (latest calibrate run), or the line saying there is none."""
        from app import paths
        from app.report.track_record import ALL_REPOS_LINE, no_record_line
        from app.storage.models import latest_track_record

        if self.all_repos or self._repo_key is None:
            return None, ALL_REPOS_LINE
        found = latest_track_record(paths.models_path(), self._repo_key)
        return found, "" if found is not None else no_record_line()

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "stats":
            return
        status = self.query_one("#stats-status", Static)
        if event.state == WorkerState.ERROR:
            status.update(Text(f"statistics failed: {event.worker.error}", style="bold red"))
        elif event.state == WorkerState.SUCCESS:
            self.report = cast("StatsReport", event.worker.result)
            await self._show(self.report)

    def _layout_width(self) -> int:
        return max(self.size.width - 4, 60)

    def on_resize(self) -> None:
        # Laid out for the width it was shown at: wider, it hid columns; narrower, it cut every cell.
        if self.report is not None and self._layout_width() != self._shown_width:
            self._relayout()

    @work(exclusive=True, group="stats-layout")
    async def _relayout(self) -> None:
        if self.report is not None:
            await self._show(self.report)

    async def _show(self, report: StatsReport) -> None:
        status = self.query_one("#stats-status", Static)
        body = self.query_one("#stats-body", VerticalScroll)
        await body.remove_children()  # finished before the new parts (same ids) are mounted
        status.update(Text(f"Review stats: {scope_line(report)}   (a: this repo / all repos, r: refresh)"))
        track = Static(Group(*track_record_parts(report)), classes="stats-part", id="stats-track-record")
        if report.empty_ledger or report.no_data:
            message = EMPTY_HINT if report.empty_ledger else no_data_message(report)
            await body.mount(Static(Text(message), classes="stats-part", id="stats-message"), track)
            return
        width = self._shown_width = self._layout_width()
        summary = Text("\n".join(summary_lines(report)))
        parts: list[Any] = [Static(summary, classes="stats-part", id="stats-summary")]
        complete = {title: cols for title, _first, _rows, cols in sections(report)}
        for title, first, rows, cols in sections(report, width):
            if rows:
                table = group_table(title, first, rows, cols, width=width, every=complete[title])
                parts.append(Static(table, classes="stats-part"))
        bars = min(40, max(10, width - 40))
        histogram = histogram_table(report, bars, floor_note=width >= NARROW_WIDTH)
        parts.append(Static(Group(histogram), classes="stats-part", id="stats-histogram"))
        if report.weeks:
            parts.append(Static(trend_table(report, bars), classes="stats-part", id="stats-trend"))
        parts.append(track)
        parts.append(Static(legend(), classes="stats-part"))
        parts.extend(Static(Text(f"note: {note}", style="dim"), classes="stats-part")
                     for note in report.notes)
        await body.mount(*parts)

    def action_scroll_to(self, where: int) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        (body.scroll_home if where == 0 else body.scroll_end)(animate=False)

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.query_one("#stats-status", Static).update(Text("computing review statistics…"))
        self.compute()

    def action_toggle_scope(self) -> None:
        if self._repo_key is None:
            self.notify("Not in a repository: showing every repository.")
            return
        self.all_repos = not self.all_repos
        self.action_refresh()
