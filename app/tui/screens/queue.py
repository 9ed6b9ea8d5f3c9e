"""QueueScreen: the start screen. Every pending change of the repository, ranked riskiest first.

The analysis runs in a thread worker with its own Analyzer (see app.tui.app on threads); reports
arrive as messages and rows appear and update as they do, so the table is usable while it fills
in. The table is rebuilt from the model (reports + statuses + sort + filters) rather than patched
cell by cell: a queue is tens to hundreds of rows, a rebuild is cheap, and the cursor is kept on
the same change.

Narrow terminals drop the less important columns (each column has the terminal width it needs);
the change id column takes what is left. Every repository string goes into rich Text objects after
app.core.text.one_line(), so markup or escape sequences in a branch name show literally.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.color import Color
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from app.core.text import (
    OTHER_BASE_MARK,
    TOO_BIG,
    added_count,
    author_names,
    compact_number,
    fit_change_id,
    fit_middle,
    format_duration,
    human_age,
    one_line,
    plural,
    share_text,
)
from app.errors import ReviewTuiError
from app.tui.keys import bindings_for, footer_bindings
from app.tui.messages import (
    AnalysisFinished,
    AnalysisProgressed,
    AnalysisStarted,
    DiscoveryProgressed,
    ReportArrived,
    ReviewRecorded,
)
from app.tui.themes import band_style, resolve_colour
from app.tui.widgets.filter_bar import FilterBar, QueueFilters, search_text
from app.tui.widgets.footer import KeyFooter
from app.tui.widgets.list_table import ListTable
from app.tui.widgets.progress import AnalysisStatus
from app.tui.widgets.score_bar import score_cell

if TYPE_CHECKING:
    from app.analysis.report import Assessment, ChangeReport
    from app.core.git.discovery import Discovery
    from app.core.git.models import MergedUpstream
    from app.tui.host import ReviewHost

# Review statuses in the order "sort by status" lists them: what needs the reviewer first.
STATUS_ORDER = ("in progress", "new", "stale", "not counted", "flagged", "own change", "rubber-stamped", "approved")
STATUS_STYLES = {
    "new": "dim",
    "in progress": "bold",
    "approved": "success",
    "rubber-stamped": "warning",
    "stale": "warning",
    "not counted": "warning",
    "own change": "warning",
    "flagged": "error",
    "failed": "error",
    "unrelated": "dim",
    "merged": "dim italic",
}
COMPACT_STATUS = {"rubber-stamped": "stamped", "own change": "author"}  # 8 cells below WIDE_STATUS_SCREEN
FOLDED_MARK = "└ "
"""Before the name of a near-duplicate head listed under the row it is folded into (`e`)."""
# The base commit a merged-upstream verdict names (merged.py `_describe`: its id, then its subject quoted)
_UPSTREAM_COMMIT = re.compile(r"\b[0-9a-f]{10}\b(?: '[^']*'| \"[^\"]*\")?")
THROTTLE_ROWS = 200  # a queue longer than this is rebuilt at most every REBUILD_INTERVAL while it fills
SLOW_REBUILD = 0.05  # so is one whose last rebuild and paint took longer than this (s): a starved UI thread
REBUILD_INTERVAL = 0.25
DISCOVERY_SAID = 0.2  # seconds at least between two of discovery's progress reports on the status line
SEARCH_PAUSE = 0.08  # on a queue longer than THROTTLE_ROWS the search filters once typing pauses this long (s)
SEARCH_ANSWERS = 16  # the answers for the texts typed last kept: backspace goes back to one
FIRST_ROWS = 120  # rows a rebuild adds at once (with those to the cursor and a screenful); the rest follow in batches


QUEUE_MARKS: tuple[tuple[str, str], ...] = (
    (f"+/-{OTHER_BASE_MARK}", "diffed from a later commit than git's merge base (made on a release line, stacked on "
                             "or built on another branch): the change's own work; on its row the status line says "
                             "which commit and why"),
    ("…", "still being scored or measured"),
    ("dim score", "provisional: scored before the change's complexity and history were read (the sort line counts "
                  "them); it rises or falls once they are"),
    ("AI?", "AI evidence weighed but not counted (an agent's branch name, weak signals)"),
)
"""The marks of the queue's cells and what they mean, for the help screen's legend."""

WHOLE_LINES = 10_000
"""A side of the +/- column below this is shown whole ("+1477/-1370"), one from it compact ("+83k/-331")."""


def _side(count: int) -> str:
    return str(count) if count < WHOLE_LINES else compact_number(count)


def line_counts(added: int, deleted: int, width: int) -> tuple[str, str]:
    """Lines added and deleted as they fit `width` cells with their signs and slash, each side by its own size:
    whole below WHOLE_LINES, compact from it ("+17715/-22355" reads "+17k/-22k" rather than "+17715/-2…"). One
    column read "+60k/-47k" beside "+83863/-331" when a side was compact only if the pair did not fit (QA54 F4)."""
    shown = _side(added), _side(deleted)
    if len(shown[0]) + len(shown[1]) + 3 <= width:  # "+", "/" and "-"
        return shown
    return compact_number(added), compact_number(deleted)


def compact_status(label: str) -> str:
    """A status as the status column says it below WIDE_STATUS_SCREEN: "in progress 2 of 5" -> "2 of 5"."""
    compact = COMPACT_STATUS.get(label, label.removeprefix("in progress ").strip() or label)
    return "✗ " + compact.removeprefix("not counted: ") if status_category(label) == "not counted" else compact


def status_category(label: str) -> str:
    """"in progress 1 of 3" -> "in progress"; other labels are their own category."""
    if label.startswith("in progress"):
        return "in progress"
    return "not counted" if label.startswith("not counted") else label


# -- the row model -----------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueRow:
    """One change as the queue sees it: its report, its rank by risk, its review status, its age."""

    report: ChangeReport
    rank: int
    status: str
    age: float | None
    similar: tuple[str, ...] = ()  # the near-duplicate heads folded into this row (analysis/similar.py)
    under: str | None = None  # a folded head listed under the row it is folded into (`e`): that row's change id

    @property
    def id(self) -> str:
        return self.report.id

    @property
    def assessment(self) -> Assessment | None:
        return None if self.error else self.report.assessment

    @property
    def error(self) -> str | None:
        return self.report.error or self.report.change.error

    @property
    def score(self) -> float | None:
        return self.assessment.risk.score if self.assessment else None

    @property
    def band(self) -> str | None:
        return self.assessment.risk.band if self.assessment else None

    @property
    def tier(self) -> int | None:
        return self.assessment.tiers.tier if self.assessment else None

    @property
    def impact(self) -> float | None:
        """Cost units of a defect in this change (1 = ordinary code)."""
        return self.assessment.risk.impact if self.assessment else None

    @property
    def per_minute(self) -> float | None:
        """Expected cost per minute of the review plan's floor time."""
        return self.assessment.risk_per_minute if self.assessment else None

    @property
    def ai_share(self) -> float | None:
        return self.assessment.ai.share if self.assessment else None

    @property
    def ai(self) -> bool:
        return self.assessment is not None and bool(self.assessment.ai.share or self.assessment.ai.tools)

    @property
    def ai_evidence(self) -> bool:
        """Evidence was weighed (an agent's branch name, weak signals) without counting as AI."""
        return self.assessment is not None and bool(self.assessment.ai.evidence)

    @property
    def listed_only(self) -> bool:
        """A change merged upstream, listed as discovery found it (`m`): analysed only when opened."""
        return self.report.listed_only

    @property
    def merged(self) -> bool:
        return self.report.change.merged is not None

    @property
    def scoring(self) -> bool:
        """Read (its size is known) but not scored yet."""
        return self.assessment is None and not self.error and not self.listed_only

    @property
    def complexity_pending(self) -> bool:
        return self.assessment is not None and self.assessment.complexity.pending

    @property
    def provisional(self) -> bool:
        """Scored before its complexity or history was read: the score only rises or falls once they are (QA54:
        a 45 "high" that became 75 "critical" looked final)."""
        return self.assessment is not None and not self.report.complete

    @property
    def too_big(self) -> bool:
        """Its review plan's floor is over [chunks] split_hours: too big to review as one change."""
        return self.assessment is not None and self.assessment.plan.too_big

    @property
    def complexity_added(self) -> int | None:
        if self.error or self.complexity_pending or (self.assessment and not self.assessment.complexity.measured):
            return None  # Terraform, SQL: not measured, shown "-" and sorted with the unknown
        return self.assessment.complexity.added if self.assessment else None

    @property
    def chunk_count(self) -> int | None:
        return self.assessment.plan.chunk_count if self.assessment else None

    @property
    def floor_seconds(self) -> int | None:
        return self.assessment.plan.floor_seconds if self.assessment else None

    @property
    def lines(self) -> int:
        return self.report.figures.lines_added + self.report.figures.lines_deleted

    @property
    def authors(self) -> list[str]:
        return self.report.change.authors

    @property
    def first_author(self) -> str:
        names = author_names(self.authors)
        if not names:
            return ""
        return names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "")

    @property
    def title(self) -> str:
        return self.report.change.title


@dataclass(frozen=True)
class QueueColumn:
    """A column of the queue: how wide, from which terminal width it shows, how it sorts."""

    key: str
    header: str
    width: int
    """Cells; 0 for a flexible column (it shares what the fixed ones leave)."""
    min_screen: int
    """Shown only when the terminal is at least this wide (0: always)."""
    sort: Callable[[QueueRow], Any] | None
    """The sort key; None when the value is missing (such rows sort last either way)."""
    descending: bool = False
    """Natural direction when first sorted (e.g. most AI first)."""
    justify: str = "left"


COLUMNS: tuple[QueueColumn, ...] = (
    QueueColumn("rank", "#", 3, 0, lambda r: r.rank, justify="right"),
    QueueColumn("score", "risk", 11, 0, lambda r: r.score, descending=True),
    QueueColumn("band", "band", 10, 180, lambda r: r.score, descending=True),
    QueueColumn("tier", "tier", 4, 60, lambda r: r.tier),
    QueueColumn("impact", "impact", 6, 130, lambda r: r.impact, descending=True, justify="right"),
    QueueColumn("ai", "AI", 4, 70, lambda r: r.ai_share, descending=True, justify="right"),
    # from 130 columns: at 120 its 7 cells went to titles cut at 15 characters (QA48 #14); the risk says it
    QueueColumn("cc", "CC+", 5, 130, lambda r: r.complexity_added, descending=True, justify="right"),
    # 11 cells: "+1477/-1370" whole, and "+9.9k/-9.9k" at most when compact.
    QueueColumn("lines", "+/-", 11, 80, lambda r: None if r.error or r.listed_only else r.lines, descending=True,
                justify="right"),
    QueueColumn("files", "files", 5, 170, lambda r: None if r.error or r.listed_only else r.report.figures.files,
                descending=True, justify="right"),
    QueueColumn("chunks", "chunks", 6, 150, lambda r: r.chunk_count, descending=True, justify="right"),
    QueueColumn("floor", "floor", 6, 100, lambda r: r.floor_seconds, descending=True,
                justify="right"),
    QueueColumn("change", "change", 0, 0, lambda r: r.id.casefold()),
    # Below 110 columns the title column would squeeze ids into fragments: a PR ref or a commit id then
    # carries its title in the change cell instead (cell_change), a branch name keeps the cell whole.
    QueueColumn("title", "title", 0, 110, lambda r: r.title.casefold()),
    QueueColumn("status", "status", 8, 0, lambda r: STATUS_ORDER.index(status_category(r.status))
                if status_category(r.status) in STATUS_ORDER else len(STATUS_ORDER)),
    QueueColumn("author", "author", 14, 190, lambda r: r.first_author.casefold() or None),
    QueueColumn("age", "age", 4, 90, lambda r: r.age, descending=True, justify="right"),
)
PER_MINUTE = QueueColumn("per_minute", "risk per review minute", 0, 1_000_000, lambda r: r.per_minute,
                         descending=True)
"""An order, not a column (`p`): expected cost per floor minute, for a reviewer with a fixed amount of
time. Never shown (its min_screen is out of reach); the risk column says what is being bought."""
COLUMN_BY_KEY = {c.key: c for c in (*COLUMNS, PER_MINUTE)}
WIDE_STATUS_SCREEN = 140
"""From this width the status column spells "in progress 2 of 5" out; below it says "2 of 5"."""
CHANGE_WIDTH = (12, 34)
TITLE_MAX = 70


def visible_columns(width: int, *, change_needs: int | None = None, rows: int = 0,
                    status_needs: int | None = None, marked: bool = False,
                    lines_needs: int | None = None, compact_needs: int | None = None) -> list[tuple[QueueColumn, int]]:
    """The columns shown at terminal `width`, with each one's cell width (flexible ones sized).
    `change_needs`: the cells the longest change cell needs (id and alias), so a short-id queue gives
    the rest to the titles (at 160 columns they were cut at 21 cells beside ids padded with 18 blanks);
    `rows`: how many rows, so rank 3,001 is whole; `status_needs`: the longest status shown (from
    WIDE_STATUS_SCREEN, where statuses are spelt out); `marked`: a row's +/- carries OTHER_BASE_MARK, a cell more
    ("+9.9k/-9.9k*"); `lines_needs`: the cells the widest +/- cell needs, so a queue of small changes gives the rest
    to the titles (a range's commits at 80 columns: "+4/-0" in 11 cells beside titles cut at 10, "retry: hon…");
    `compact_needs`: the longest status as said below WIDE_STATUS_SCREEN (compact_status)."""
    shown = [c for c in COLUMNS if width >= c.min_screen]
    widths = {c.key: c.width for c in shown}
    widths["rank"] = max(widths["rank"], len(str(rows)))
    if lines_needs is not None and "lines" in widths:
        widths["lines"] = max(len("+/-"), min(widths["lines"], lines_needs))
    if marked and "lines" in widths:
        widths["lines"] += 1
    if width < 70:
        widths["score"] = 9  # a shorter bar
    if width < WIDE_STATUS_SCREEN and compact_needs is not None:  # as wide as its statuses say: "new" in 8 cells
        widths["status"] = max(len("status"), min(widths["status"], compact_needs))
    if width >= WIDE_STATUS_SCREEN:  # as wide as the longest status shown: "new" and "stale" left 17 blanks
        wide = dict(widths, status=20 if status_needs is None else max(widths["status"], min(20, status_needs)))
        _size_flexible(wide, shown, width, change_needs)
        # ... unless that squeezes the titles: one "in progress 0 of 1" cut every title to 17 cells at 140
        if "title" not in wide or wide["title"] >= MIN_WIDE_STATUS_TITLE or wide["status"] <= widths["status"]:
            return [(c, wide[c.key]) for c in shown]
    _size_flexible(widths, shown, width, change_needs)
    return [(c, widths[c.key]) for c in shown]


def _wide_status(columns: list[tuple[QueueColumn, int]]) -> bool:
    """Whether the status column was given the room to spell statuses out (visible_columns)."""
    return any(column.key == "status" and width > column.width for column, width in columns)


MIN_WIDE_STATUS_TITLE = 24
"""The least title width for which the status column spells its statuses out."""


def _size_flexible(widths: dict[str, int], shown: list[QueueColumn], width: int, change_needs: int | None) -> None:
    """The change and title columns' widths, from what the fixed ones leave."""
    # 2 cells of padding per column, 2 for the scrollbar, 1 spare
    used = sum(w for key, w in widths.items() if key not in ("change", "title")) + 2 * len(shown) + 3
    spare = max(width - used, 0)
    flexible = [c for c in shown if c.width == 0]
    if len(flexible) == 2:  # change and title: the id (alias too) gets half up to CHANGE_WIDTH[1]; the title the rest
        change_width = min(max(spare // 2, CHANGE_WIDTH[0]), CHANGE_WIDTH[1])  # a cut id keeps its ends
        if change_needs is not None:
            change_width = max(CHANGE_WIDTH[0], min(change_width, change_needs))
        widths["change"] = change_width
        widths["title"] = min(max(spare - change_width, 10), TITLE_MAX)
    else:
        widths["change"] = min(max(spare, CHANGE_WIDTH[0]), CHANGE_WIDTH[1] + 10)


def _lines_needs(rows: list[QueueRow]) -> int | None:
    """The cells the widest +/- cell of `rows` shows whole in (line_counts), None before any row's size is known."""
    return max((len(_side(r.report.figures.lines_added)) + len(_side(r.report.figures.lines_deleted)) + 3
                for r in rows if not r.error and not r.listed_only), default=None)


def _status_needs(rows: list[QueueRow]) -> int | None:
    return max((len(r.status) for r in rows), default=None)


def _common_change_needs(rows: list[QueueRow]) -> int | None:
    """The cells the change column needs: the longest id in a short queue; in a long one, what nine rows in ten
    need. The rest are cut in the middle, keeping their ends: one `origin/max-pretty-depth` among 530 rows sized
    the column at 120 columns and left every title 17 cells (QA47 #8)."""
    needs = sorted(map(_change_needs, rows))
    if not needs:
        return None
    return needs[-1] if len(needs) < COMMON_NEEDS_ROWS else needs[len(needs) * 9 // 10]


COMMON_NEEDS_ROWS = 20
"""From this many rows the change column is sized for nine rows in ten, not the longest id."""


def _change_needs(row: QueueRow) -> int:
    """Cells the change cell of `row` shows whole: its id, and its first alias in parentheses."""
    aliases = row.report.change.aliases
    if row.under:  # a folded head listed under its row (`e`) after FOLDED_MARK
        return len(FOLDED_MARK) + len(one_line(row.id, 200))
    if not aliases:
        return len(one_line(row.id, 200))
    more = len(f" +{len(aliases) - 1}") if len(aliases) > 1 else 0
    # cell_change names the alias from 8 cells of room: "(" alias ")" after a space
    return len(one_line(row.id, 200)) + 3 + max(len(one_line(aliases[0], 200)), 8) + more


def sort_rows(rows: list[QueueRow], column: QueueColumn, reverse: bool) -> list[QueueRow]:
    """Rows sorted by `column` in its natural direction (flipped when `reverse`); rows without a
    value (failed, still pending) go last either way, in rank order."""
    sort = column.sort
    assert sort is not None
    present = [r for r in rows if sort(r) is not None]
    missing = sorted((r for r in rows if sort(r) is None), key=lambda r: r.rank)
    descending = column.descending != reverse
    present.sort(key=lambda r: (sort(r), r.rank) if not descending else (sort(r), -r.rank), reverse=descending)
    return present + missing


MERGED_ALIKE = frozenset(("rank", "score", "band", "tier", "impact", "ai", "cc", "lines", "files", "chunks", "floor",
                          "status"))
"""The columns whose cells every merged row listed unanalysed (`m`) shows alike."""


class _Cells:
    """Renders one row's cells as Rich Text, with the current theme's colours."""

    def __init__(self, variables: Mapping[str, str], background: Color, wide_status: bool,
                 title_shown: bool) -> None:
        self.variables = variables
        self.background = background
        self.wide_status = wide_status
        self.title_shown = title_shown
        self._styles: dict[str, Style] = {}
        self._alike: dict[tuple[str, int, str], Text] = {}

    def colour(self, name: str, fallback: str = "") -> Style:
        if name not in self._styles:
            value = self.variables.get(name) or fallback
            resolved = resolve_colour(value, self.background)
            self._styles[name] = Style(color=resolved.rich_color) if resolved else Style()
        return self._styles[name]

    def render(self, row: QueueRow, column: QueueColumn, width: int) -> Text:
        merged = row.report.change.merged
        if row.listed_only and merged is not None and not row.error and column.key in MERGED_ALIKE:
            # the same in every unanalysed merged row (the risk cell by how it was found merged): rendered once
            # for thousands of rows (uv's `m`: 9,721), one Text shared by them all
            key = (column.key, width, merged.how if column.key == "score" else "")
            shared = self._alike.get(key)
            if shared is None:
                shared = self._alike[key] = self._render(row, column, width)
            return shared
        return self._render(row, column, width)

    def _render(self, row: QueueRow, column: QueueColumn, width: int) -> Text:
        method: Callable[[QueueRow, int], Text] = getattr(self, f"cell_{column.key}")
        text = method(row, width)
        text.no_wrap = True
        text.overflow = "ellipsis"
        if column.justify == "right" and text.cell_len < width:
            # Padded rather than justify="right": DataTable drops the justify of unstyled Text.
            text.pad_left(width - text.cell_len)
        return text

    def cell_rank(self, row: QueueRow, width: int) -> Text:
        return Text("-" if row.merged else str(row.rank), style="dim")  # merged upstream: nothing to rank

    def cell_score(self, row: QueueRow, width: int) -> Text:
        if row.scoring:
            return Text("  …", style="dim")
        merged = row.report.change.merged
        if row.listed_only and merged is not None and not row.error:
            # not scored (it waits for no review): how it was found merged instead; enter analyses it
            return Text(f"  {merged.how}", style="dim italic")
        if row.error and row.score is None:  # cline's orphan media branches read "–" with no word of why (QA54 F0)
            return Text("not scored", style="dim italic")
        cell = score_cell(row.score, row.band, self.variables, width=width - 6)
        if row.provisional:  # dimmed until complete; the sort line counts them
            cell.stylize("dim")
        return cell

    def cell_band(self, row: QueueRow, width: int) -> Text:
        if row.band is None:
            return Text("-", style="dim")
        symbol, style = band_style(self.variables, row.band)
        return Text(f"{symbol} {row.band}", style=style + Style(dim=True) if row.provisional else style)

    def cell_tier(self, row: QueueRow, width: int) -> Text:
        if row.tier is None:
            return Text("-", style="dim")
        colour = resolve_colour(self.variables.get(f"tier-{row.tier}"), self.background)
        if colour is None:
            return Text(f"T{row.tier}", style="bold")
        return Text(f"T{row.tier}", style=Style(bgcolor=colour.rich_color, bold=True,
                                                 color=colour.get_contrast_text(1.0).rich_color))

    def cell_impact(self, row: QueueRow, width: int) -> Text:
        impact = row.impact
        if impact is None:
            return Text("…" if row.scoring else "-", style="dim")
        # cost units, as `list` prints them ("2x" read as a multiplier)
        return Text(f"{impact:.2g}" if impact < 100 else f"{impact:.0f}",
                    style="bold" if impact >= 4 else "" if impact >= 1 else "dim")

    def cell_ai(self, row: QueueRow, width: int) -> Text:
        share = row.ai_share
        if share is None:
            return Text("-", style="dim")
        if share <= 0:
            if row.ai:
                return Text("AI", style=self.colour("gutter-ai"))
            # below the threshold (an agent's branch name alone): weighed, shown, not counted
            return Text("AI?", style="dim") if row.ai_evidence else Text("-", style="dim")
        return Text(share_text(share), style=self.colour("gutter-ai"))

    def cell_cc(self, row: QueueRow, width: int) -> Text:
        if row.error or row.listed_only:
            return Text("-", style="dim")
        if row.complexity_pending or row.scoring:
            return Text("…", style="dim")
        value = row.complexity_added
        return Text("-" if value is None else added_count(value),
                    style=self.colour("hotspot") if value and value >= 10 else "")

    def cell_lines(self, row: QueueRow, width: int) -> Text:
        if row.error or row.listed_only:  # a merged one listed is not diffed: its size is unknown, not zero
            return Text("-", style="dim")
        marked = row.report.from_later_base  # `list`'s mark: its figures are from a later base than git's merge base
        figures = row.report.figures
        added, deleted = line_counts(figures.lines_added, figures.lines_deleted, width - 1 if marked else width)
        return Text.assemble((f"+{added}", self.colour("diff-added")), "/",
                             (f"-{deleted}", self.colour("diff-removed")),
                             (OTHER_BASE_MARK, self.colour("warning") + Style(bold=True)) if marked else "")

    def cell_files(self, row: QueueRow, width: int) -> Text:
        return Text("-" if row.error or row.listed_only else str(row.report.figures.files))

    def cell_chunks(self, row: QueueRow, width: int) -> Text:
        chunks = row.chunk_count
        return Text("-" if chunks is None else str(chunks))

    def cell_floor(self, row: QueueRow, width: int) -> Text:
        if row.scoring:
            return Text("…", style="dim")
        if row.error or row.floor_seconds is None:
            return Text("-")
        shown = format_duration(row.floor_seconds)
        if len(shown) > width:  # "480h02m" in 6 cells read "480h0…": the hours say it
            shown = f"{row.floor_seconds / 3600:.0f}h"
        return Text(shown)

    def cell_change(self, row: QueueRow, width: int) -> Text:
        text = self._change_text(row, width - 2 if row.under else width)
        if row.under:  # a folded head listed under its row (`e`): the branch of a tree
            text = Text.assemble((FOLDED_MARK, "dim"), text)
        return text

    def _change_text(self, row: QueueRow, width: int) -> Text:
        change = row.report.change
        name = one_line(row.id, 200)
        remote = (change.ref or "").startswith("refs/remotes/")
        marks = Text() if self.title_shown or row.error else self._title_marks(row)
        # a branch's name leaves its marks their room: "ai/generated-sdk-client to…" said neither
        fitted = max(width - marks.cell_len, min(width, CHANGE_WIDTH[0])) if change.kind not in ("pr", "commit") \
            else width
        text = Text(name if row.error else fit_change_id(name, fitted, remote=remote))
        if row.error and not self.title_shown:  # no title column: the error goes here
            text.append("  " + one_line(row.error, 200), style="italic")
        if row.error:
            text.stylize(self.colour("error", "red"))
            return text
        label = self._alias_label(row, width - len(name) - 1 - marks.cell_len)
        if label is not None:
            text.append(" " + label, style="dim")
            text.append_text(marks)
        elif not self.title_shown and row.title and change.kind in ("pr", "commit"):
            # No title column (narrow): a PR ref or a bare commit id says little by itself, so its title
            # follows it (the id gives up to 2/5 of the cell); a branch name says what it is and stays whole.
            # A remote's PR ref drops the remote it shares with every row: at 80 columns `origin/pr/3956`
            # read `orig…/pr/3956 wcwidth…`; `…/pr/3956` leaves the title five more cells (QA47 #8).
            if (change.ref or "").startswith("refs/remotes/") and "/" in name:
                name = "…/" + name.split("/", 1)[1]
            text = Text(fit_middle(name, min(len(name), max(12, width * 3 // 5))))
            text.append_text(marks)  # the title column's marks, which is not shown (FIX86)
            text.append(" " + one_line(row.title, 200), style="dim")
        elif not self.title_shown:
            text.append_text(marks)
        return text

    def _title_marks(self, row: QueueRow) -> Text:
        """Without a title column, its marks after the change's name: " too big +2 similar"."""
        text = Text()
        if row.too_big:
            text.append(" too big", style=self.colour("error", "red") + Style(bold=True))
        if row.similar:
            text.append(f" +{len(row.similar)} similar", style=self.colour("warning", "yellow"))
        return text

    def _alias_label(self, row: QueueRow, spare: int) -> str | None:
        """What names the other refs at the change's head in `spare` cells after its id: `(branch) +N`, or `+N`;
        None where there are none or, without a title column, the title says more."""
        change = row.report.change
        more = f" +{len(change.aliases) - 1}" if len(change.aliases) > 1 else ""
        room = spare - len(more) - 2
        # without a title column a PR's title says more than its branch's name cut to fit, or a "+1" (the +/- and
        # status columns sized to their rows left `origin/pr/2695 (feat…s-parity)` room at 80 columns)
        if not change.aliases or spare < 3 or (not self.title_shown and row.title and change.kind in ("pr", "commit")):
            return None
        # One change for refs at the same head: a PR ref says little without its branch's name.
        alias = one_line(change.aliases[0], 200)
        full = one_line(row.id, 200)
        remote = full.split("/", 1)[0] + "/"
        if "/" in full and alias.startswith(remote) and change.ref and change.ref.startswith("refs/remotes/"):
            alias = alias[len(remote):]  # "origin/pr/7 (fix/x)": the remote is said once
        return f"({fit_middle(alias, room)}){more}" if room >= 8 else f"+{len(change.aliases)}"

    def cell_title(self, row: QueueRow, width: int) -> Text:
        if row.error:
            return Text(f"not scored: {one_line(row.error, 300)}",
                        style=self.colour("error", "red") + Style(italic=True))
        text = Text()
        if row.too_big:  # its floor is over [chunks] split_hours
            text.append(f"{TOO_BIG} ", style=self.colour("error", "red") + Style(bold=True))
        if row.similar:  # near-duplicate heads folded into this row
            text.append(f"+{plural(len(row.similar), 'similar head')} ", style=self.colour("warning", "yellow"))
        return text.append(one_line(row.title, 300))

    def cell_status(self, row: QueueRow, width: int) -> Text:
        category = status_category(row.status)
        label = row.status if self.wide_status else compact_status(row.status)
        style_name = STATUS_STYLES.get(category, "")
        if style_name in ("success", "warning", "error"):
            return Text(label, style=self.colour(style_name))
        return Text(label, style=style_name)

    def cell_author(self, row: QueueRow, width: int) -> Text:
        return Text(one_line(row.first_author, 80) or "-")

    def cell_age(self, row: QueueRow, width: int) -> Text:
        return Text(human_age(row.age), style="dim")


def _where_merged(report: ChangeReport, merged: MergedUpstream, room: int) -> Text:
    """The status line on a merged row, in `room` cells: where its work is upstream."""
    detail = one_line(merged.detail, 300)
    upstream = _UPSTREAM_COMMIT.search(detail)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(one_line(report.id, 60), style="bold")
    if len(f"{report.id} merged upstream ({merged.how}): {detail}") > room and upstream is not None:
        detail = f"as {upstream.group(0)}"  # narrow: the commit that holds it, not the sentence around it
    text.append(f" merged upstream ({merged.how}): {detail}")
    hint = " · enter analyses it"
    if report.listed_only and text.cell_len + len(hint) <= room:
        text.append(hint, style="dim")  # where it fits: the commit upstream matters more
    return text


def hidden_parts(found: Discovery, *, show_merged: bool, in_range: bool) -> list[tuple[str, str, str]]:
    """(long, short, style) of what discovery kept out of the queue, for its status line."""
    parts: list[tuple[str, str, str]] = []
    if found.merged:
        shown = "shown" if show_merged else "hidden"
        parts.append((f"{len(found.merged)} merged upstream {shown} (m)", f"{len(found.merged)} merged {shown} (m)",
                      "dim"))
    if found.left_out:
        refs = f"{found.left_out_total} ref{'s' if found.left_out_total != 1 else ''}"
        parts.append((f"{refs} out of scope", f"{found.left_out_total} out of scope", "dim"))
    if found.stale:
        # "untouched", not "stale": a status column's "stale" is an approval a push outdated
        days = found.stale_days
        parts.append((f"{found.stale} untouched {days}d+ (o)", f"{found.stale} old {days}d+ (o)", "dim"))
    for warning in found.warnings if in_range else ():
        if "merge commit" in warning:
            merges = warning.split(" ", 1)[0]
            noun = "merge" if merges == "1" else "merges"
            parts.append((f"{merges} {noun} left out (--merges)", f"{merges} {noun} out", "dim"))
        elif "walk limit" in warning:
            parts.append(("cut at the range walk limit", "cut", "bold"))
    return parts


def _unrelated(report: ChangeReport) -> bool:
    """A change with no history in common with the base."""
    from app.core.git.models import NO_COMMON_HISTORY  # here: not before the first paint (5 ms of imports)

    return (report.change.error or "").startswith(NO_COMMON_HISTORY)


def _among_parts(reports: list[ChangeReport]) -> list[tuple[str, str, str]]:
    """(long, short, style) of the critical, AI-signalled, failed, unrelated, incomplete and marked changes among
    the pending `reports`, for those there are."""
    unrelated = sum(1 for r in reports if _unrelated(r))
    counted = (
        (sum(1 for r in reports if not r.error and r.assessment and r.assessment.risk.band == "critical"),
         "{} critical", "{} critical", ""),
        (sum(1 for r in reports if r.assessment and (r.assessment.ai.share or r.assessment.ai.tools)),
         "{} AI-signalled", "{} AI", ""),
        (sum(1 for r in reports if r.error or r.change.error) - unrelated, "{} failed to analyse", "{} failed", "bold"),
        # a pull request from another project's history: nothing failed (QA49 #13b)
        (unrelated, "{} with no common history", "{} unrelated", ""),
        # a partial clone: ranked on what is here, and check refuses them (list says so too)
        (sum(1 for r in reports if r.assessment is not None and r.assessment.file_problems),
         "{} missing file content (partial or damaged clone)", "{} content missing", "bold"),
        # the mark on their +/-, as `list`'s footnote says it; a marked row's cursor says why
        (sum(1 for r in reports if r.from_later_base), "{} " + OTHER_BASE_MARK + " diffed from a later base",
         "{} " + OTHER_BASE_MARK + " later base", "dim"),
    )
    return [(long.format(n), short.format(n), style) for n, long, short, style in counted if n]


class QueueScreen(Screen[None]):
    """Every pending change, ranked; sort, filter, search, refresh; enter opens a change."""

    ACTION_SCREEN = "queue"
    BINDINGS: ClassVar[list[BindingType]] = footer_bindings(bindings_for("queue"))
    SORT_CYCLE = ("rank", "score", "tier", "impact", "ai", "cc", "lines", "files", "chunks", "floor", "status",
                  "author", "age", "change")

    def __init__(self) -> None:
        super().__init__()
        self.reports: dict[str, ChangeReport] = {}
        self._ranks: dict[str, int] = {}
        self._similar: dict[str, list[str]] = {}  # shown id -> near-duplicate ids folded into its row
        self._folded: dict[str, str] = {}
        self._expanded: set[str] = set()  # rows whose folded heads are listed under them (`e`)
        self._ranks_stale = False
        self.statuses: dict[str, str] = {}
        self.filters = QueueFilters()
        self.sort_key = "rank"
        self.sort_reverse = False
        self.base_ref = ""
        self.show_merged = False  # the `m` toggle: list changes already merged upstream too
        self.discovery: Discovery | None = None  # of the last analysis: what the queue hides
        self.total: int | None = None  # pending changes found by the running/last analysis
        self.analysing = False
        self.rows: list[QueueRow] = []  # what the table shows, in order
        self._paths: dict[tuple[str, str], tuple[str, ...]] = {}  # (id, head) -> paths, for the search
        self._seen_this_run: set[str] = set()
        self._status_keys: dict[str, tuple[Any, ...]] = {}  # change id -> what its status was read for
        self._rebuild_pending = False
        self._rebuild_timer: Timer | None = None  # a throttled rebuild, while a long queue fills (_schedule_rebuild)
        self._model_changed = True  # since the last rebuild, more than the search or author text (_filtered_sorted)
        self._answers: dict[tuple[str, str], tuple[list[QueueRow], int]] = {}  # (search, author) -> rows, total
        self._answers_for: tuple[Any, ...] = ()  # the other filters and the sort of those answers
        self._search_texts: dict[str, tuple[ChangeReport, tuple[str, ...], str]] = {}  # id -> what search reads
        self._typing: Timer | None = None  # a long queue filters once typing pauses
        self._answered_at = 0.0
        self._column_spec: tuple[Any, ...] = ()  # the table's columns: (key, width) each, and the sort they show
        self._rebuilt_at = 0.0
        self._rebuild_cost = 0.0  # seconds the last rebuild took, with the paint after it (_rebuild_painted)
        # change id -> (its report, what else its row showed, its cells), for the layout _rendered_for (_rendered)
        self._rendered_rows: dict[str, tuple[ChangeReport, tuple[str, int, str, tuple[str, ...], str | None],
                                             list[Text]]] = {}
        self._rendered_for: tuple[Any, ...] = ()
        self._row_noted = False  # the status line says of a merged or marked row (_say_of_row)
        # Until the reviewer moves the cursor it stays on the top row while rows arrive and re-rank;
        # after that it follows the change it is on.
        self._cursor_chosen = False
        self._chosen_id: str | None = None  # the change the reviewer last put the cursor on
        self._placed: str | None = None  # the change the last rebuild put the cursor on
        self._layout_width = 0
        # perf_counter() marks for bench/bench_tui_start.py: first paint, first rows, analysis done.
        self.painted_at: float | None = None
        self.first_rows_at: float | None = None  # rows on screen (a cold row shows its size at once)
        self.first_scored_at: float | None = None  # a row with its risk score on screen
        self.finished_at: float | None = None

    @property
    def review_app(self) -> ReviewHost:
        return self.app  # type: ignore[return-value]  # the ReviewApp, seen through ReviewHost

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="queue-title", markup=False)
        yield FilterBar(id="queue-filters")
        table = ListTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="queue-empty", markup=False)
        yield AnalysisStatus(id="queue-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#queue-empty").display = False
        self._update_title()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._schedule_rebuild())
        self.query_one("#queue-status", AnalysisStatus).show_progress(0, 0, self._discovering())
        self.query_one("#queue-table", DataTable).focus()
        # Start analysing once the screen is up: the worker competes for the GIL, and a person
        # should see the queue's frame (and the progress line) at once.
        self.call_after_refresh(self._first_paint_done)

    def _first_paint_done(self) -> None:
        if self.painted_at is None:
            self.painted_at = time.perf_counter()
            self.review_app.after_first_paint()
            if self.review_app.started:
                self.review_app.finish_start()  # the project key's walk, for the review statuses the rows need
            self.analyse()  # on a fast start its thread first imports the analysis: app.finish_start then

    def _update_title(self) -> None:
        app = self.review_app
        name = app.repo_path.resolve().name
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("review-tui", style="bold")
        text.append(f"  {one_line(name, 60)}")
        commit_range = app.commit_range
        if not app.started:  # a fast start's first paint: the base and the reviewer follow at once
            self.query_one("#queue-title", Static).update(text)
            return
        base = self.base_ref or self._base_name(app)
        if commit_range:  # a range: one change per commit, each against its parent
            text.append(f"  commits of {one_line(commit_range, 80)}", style="dim")
        elif base:
            text.append(f"  against {one_line(base, 60)}", style="dim")
        # Who is recording (it decides self-approval): the whole address, else its name before the @ with
        # the domain visibly left out ("maintainers@…"); a silently cropped address would mislead.
        email = one_line(app.session.reviewer, 80)
        local, at, _domain = email.partition("@")
        room = (self.size.width or self.app.size.width) - 2 - text.cell_len
        for shown in (email, f"{local}@…" if at else email):
            if len(f"  reviewing as {shown}") <= room:
                text.append(f"  reviewing as {shown}", style="dim")
                break
        self.query_one("#queue-title", Static).update(text)

    def _discovering(self) -> str:
        commit_range = self.review_app.commit_range
        return f"reading the commits of {commit_range}…" if commit_range else "finding the pending changes…"

    @staticmethod
    def _base_name(app: ReviewHost) -> str:
        try:
            return app.analyzer.resolved_base[0]
        except ReviewTuiError:  # the analysis says why, on the status line
            return ""

    def on_resize(self) -> None:
        self._update_title()
        if not self.analysing and self.finished_at is not None:
            self.query_one("#queue-status", AnalysisStatus).show_summary(self._summary())
        width = self.size.width
        if [c.key for c, _ in visible_columns(width)] != [c.key for c, _ in visible_columns(self._layout_width)] \
                or width != self._layout_width:
            self._schedule_rebuild()

    # -- analysis (thread worker) -------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis", name="analyse queue")
    def analyse(self) -> list[ChangeReport]:
        """Discover and analyse every pending change with a fresh Analyzer (this thread's own)."""
        worker = get_current_worker()
        started = time.perf_counter()
        app = self.review_app
        if not app.started:
            app.import_for_start()  # here, not on the UI thread, which then only builds
            try:
                if not self.app.call_from_thread(app.finish_start):
                    return []  # a check refused: the app is ending, and the CLI says why
            except RuntimeError:
                return []  # the app is already gone
            self.app.call_from_thread(self._update_title)
        said_at = [0.0]

        def discovering(said: str) -> None:  # at most every DISCOVERY_SAID seconds, and not once cancelled
            if not worker.is_cancelled and time.perf_counter() - said_at[0] >= DISCOVERY_SAID:
                said_at[0] = time.perf_counter()
                self.post_message(DiscoveryProgressed(said))

        try:
            analyzer = app.fresh_analyzer(discovering)
            if worker.is_cancelled or app.quitting:
                return []  # quitting while discovery ran elsewhere: do not start it here
            discovery = analyzer.discovery
            self.post_message(AnalysisStarted(len(discovery.changes), discovery.base_ref, discovery))

            def progress(done: int, total: int, label: str) -> None:
                self.post_message(AnalysisProgressed(done, total, label))

            def arrived(report: ChangeReport) -> None:
                self.post_message(ReportArrived(report))

            reports = analyzer.analyze_all(progress=progress, on_report=arrived,
                                           should_stop=lambda: worker.is_cancelled)
        except ReviewTuiError as exc:
            self.post_message(AnalysisFinished([], time.perf_counter() - started, error=str(exc)))
            return []
        if not worker.is_cancelled:
            self._remember(reports)
        self.post_message(AnalysisFinished(reports, time.perf_counter() - started, cancelled=worker.is_cancelled))
        return reports

    def _remember(self, reports: list[ChangeReport]) -> None:
        """Note every analysed change in the ledger (the denominators of review statistics)."""
        app = self.review_app
        for report in reports:
            found = report.assessment
            if report.error or not report.complete or found is None:
                continue
            try:
                app.ledger.note_change(
                    repo=app.session.repo_key, change_id=report.id, head=report.change.head,
                    base=report.change.base, title=report.change.title, tier=found.tiers.tier,
                    changed_lines=report.figures.lines_added + report.figures.lines_deleted,
                    ai_share=found.ai.share, complexity_added=found.complexity.added,
                    floor_seconds=found.plan.floor_seconds, chunk_count=found.plan.chunk_count,
                    score=found.risk.score,
                )
            except ReviewTuiError as exc:  # statistics lose a row; the review goes on
                self.app.log.warning(f"could not note {report.id} in the ledger: {exc}")
                return

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "analysis" and event.state == WorkerState.ERROR:
            # A bug, not a user error: say so on the status line rather than crash the app.
            error = event.worker.error
            self.analysing = False
            self.query_one("#queue-status", AnalysisStatus).show_error(
                f"analysis failed: {type(error).__name__}: {error}")

    def on_analysis_started(self, message: AnalysisStarted) -> None:
        self.review_app.analyzer.forget_refs()  # a refresh (r) follows a fetch: remotes may have come
        if message.discovery is not None:  # which change each review record was given on
            self.review_app.analyzer.note_discovery(message.discovery)
        self._status_keys.clear()  # and the ledger may have records from elsewhere (sync): read once a run
        self.analysing = True
        self.total = message.total
        self.base_ref = message.base_ref
        self.discovery = message.discovery
        self._seen_this_run = set()
        self._update_title()
        if self.show_merged:  # the merged rows of this discovery (a refresh may have found more)
            self._list_merged()
        if message.total == 0 or self.show_merged:
            self._schedule_rebuild()

    def on_discovery_progressed(self, message: DiscoveryProgressed) -> None:
        """How far discovery got, before the changes are counted: a first run of a large project discovers for
        minutes, and a still "finding the pending changes…" looked frozen."""
        self.query_one("#queue-status", AnalysisStatus).show_progress(
            0, 0, f"{self._discovering().rstrip('…')}: {message.said}")

    def on_analysis_progressed(self, message: AnalysisProgressed) -> None:
        if self.analysing:
            self.query_one("#queue-status", AnalysisStatus).show_progress(message.done, message.total, message.label)

    def on_report_arrived(self, message: ReportArrived) -> None:
        report = message.report
        self._seen_this_run.add(report.id)
        self.reports[report.id] = report
        key = self._status_key(report)
        if self._status_keys.get(report.id) != key:  # the completed report of the same content: same status
            self.statuses[report.id] = self._status_of(report)
            self._status_keys[report.id] = key
        self._rerank()
        self._schedule_rebuild(streamed=True)

    def on_analysis_finished(self, message: AnalysisFinished) -> None:
        if message.cancelled:
            return
        self.analysing = False
        status = self.query_one("#queue-status", AnalysisStatus)
        if message.error:
            status.show_error(message.error)
            self.notify(message.error, severity="error", title="analysis failed")
            return
        # A refresh drops what is no longer pending (merged or deleted branches); merged rows `m` shows stay.
        kept = {r.id for r in message.reports} | {i for i, r in self.reports.items() if r.change.merged is not None}
        for gone in set(self.reports) - kept:
            self.reports.pop(gone, None)
            self.statuses.pop(gone, None)
        for report in message.reports:
            self.reports[report.id] = report
        self.total = len(message.reports)
        self._rerank()
        self.finished_at = time.perf_counter()
        status.show_summary(self._summary())
        self._schedule_rebuild()

    def on_review_recorded(self, message: ReviewRecorded) -> None:
        self.refresh_statuses()

    def on_screen_resume(self) -> None:
        # Back from a change: decisions may have been recorded there, and a merged row opened was analysed.
        for change_id, report in list(self.reports.items()):
            opened = self.review_app.opened_report(report) if report.listed_only else None
            if opened is not None:
                self.reports[change_id] = opened
                self._rerank()
        if self.reports:
            self.refresh_statuses()

    # -- the model ------------------------------------------------------------------------------
    def _status_of(self, report: ChangeReport) -> str:
        if _unrelated(report):
            return "unrelated"
        if report.error or report.change.error:
            return "failed"
        if report.change.merged is not None:
            return "merged"  # already in the base (squash-merged, cherry-picked): shown with `m`
        try:
            hashes = self.review_app.chunk_hashes_for(report)
            return str(self.review_app.session.change_status(report, hashes))
        except ReviewTuiError as exc:
            self.app.log.warning(f"status of {report.id}: {exc}")
            return "?"

    def _status_key(self, report: ChangeReport) -> tuple[Any, ...]:
        """What a change's status depends on besides the ledger (which refresh_statuses re-reads)."""
        hashes = self.review_app.chunk_hashes_for(report)
        return (report.change.head, report.error, report.change.error, report.change.merged is None,
                tuple(hashes) if hashes is not None else None)

    def refresh_statuses(self) -> None:
        """Re-read every change's review status from the ledger."""
        for change_id, report in self.reports.items():
            self.statuses[change_id] = self._status_of(report)
            self._status_keys[change_id] = self._status_key(report)
        self._schedule_rebuild()

    def _rerank(self) -> None:
        """The ranks are sorted again when next read: each of 3,000 reports sorted all of them on arrival."""
        self._ranks_stale = True

    @property
    def ranks(self) -> dict[str, int]:
        """Change id -> its rank by risk (1 = riskiest) among the reports so far; the merged-upstream rows
        (`m`) after every pending one, most recently active first, whatever their score once opened: they wait
        for no review, and the queue's order is the order to review in."""
        if self._ranks_stale:
            from app.analysis.analyzer import rank

            stale_before = self.discovery.stale_before if self.discovery is not None else None
            pending = [r for r in self.reports.values() if r.change.merged is None]
            merged = sorted((r for r in self.reports.values() if r.change.merged is not None),
                            key=lambda r: (-(r.change.newest_time or 0), r.id))
            ranked = rank(pending, stale_before=stale_before)
            self._ranks = {report.id: i for i, report in enumerate([*ranked, *merged], 1)}
            self._fold_similar(ranked)
            self._ranks_stale = False
        return self._ranks

    def _fold_similar(self, ranked: list[ChangeReport]) -> None:
        """Near-duplicate pending changes (a backup, a pre-rebase copy) fold into their most recent head's row
        (`list` folds the same): complete reports only, so a row does not come and go while its plan is made."""
        from app.analysis.similar import duplicate_of, near_duplicates

        self._similar = near_duplicates([r for r in ranked if r.complete])
        self._folded = duplicate_of(self._similar)

    def _all_rows(self) -> list[QueueRow]:
        now = self.review_app.now()
        ranks = self.ranks
        return [self._row(report, ranks, now) for change_id, report in self.reports.items()
                if change_id not in self._folded]

    def _row(self, report: ChangeReport, ranks: dict[str, int], now: float, under: str | None = None) -> QueueRow:
        newest = report.change.newest_time
        return QueueRow(report, ranks.get(report.id, 0), self.statuses.get(report.id, "new"),
                        now - newest if newest else None, () if under else tuple(self._similar.get(report.id, ())),
                        under)

    def _with_expanded(self, rows: list[QueueRow]) -> list[QueueRow]:
        """`rows` with the heads folded into each expanded row (`e`) listed right under it, in rank order."""
        if not self._expanded or not any(row.similar and row.id in self._expanded for row in rows):
            return rows
        now = self.review_app.now()
        ranks = self.ranks
        out: list[QueueRow] = []
        for row in rows:
            out.append(row)
            if row.similar and row.id in self._expanded:
                out += [self._row(self.reports[member], ranks, now, under=row.id) for member in row.similar
                        if member in self.reports]
        return out

    def _filtered_sorted(self) -> tuple[list[QueueRow], int]:
        """The rows the filters let through, in the sort's order, and how many there are in all. What only typing
        in the search (or author) changed is answered from the rows shown, or from the answer for that text a
        moment ago (backspace): 12,166 rows (uv with `m`) were filtered and sorted again for every key."""
        others = (self._textless, self.sort_key, self.sort_reverse)
        if self.filters.search and not self._paths_complete():
            self.load_paths()  # the search also matches touched paths: fetch them once, then filter again
        if self._model_changed or others != self._answers_for or time.perf_counter() - self._answered_at > 60:
            self._answers.clear()  # (after a minute too: the rows' ages)
            self._answers_for = others
            self._answered_at = time.perf_counter()
        self._model_changed = False
        texts = (self.filters.search.casefold(), self.filters.author.casefold())
        if ("", "") not in self._answers:  # what the other filters let through, in order: the typed texts narrow it
            rows = self._all_rows()
            filters = self._textless
            kept = rows if not filters.active else [r for r in rows if filters.matches(
                change_id="", title="", authors=[], tier=r.tier, band=r.band, ai=r.ai,
                status=status_category(r.status), newest=r.report.change.newest_time)]
            self._answers[("", "")] = (sort_rows(kept, COLUMN_BY_KEY[self.sort_key], self.sort_reverse), len(rows))
        known = self._answers.get(texts)
        if known is not None:
            return known
        # a longer text lets through a subset of the rows a shorter one did, in the same order
        narrower = next(rows_total for (search, author), rows_total in reversed(self._answers.items())
                        if search in texts[0] and author in texts[1])
        search, author = texts
        answer = ([r for r in narrower[0] if search in self._searched_text(r)
                   and (not author or any(author in name.casefold() for name in r.authors))], narrower[1])
        self._answers[texts] = answer
        while len(self._answers) > SEARCH_ANSWERS:
            del self._answers[next(key for key in self._answers if key != ("", ""))]
        return answer

    @property
    def _unsearched(self) -> list[QueueRow]:
        """The rows the filters but the search and author texts let through (_filtered_sorted keeps them)."""
        return self._answers[("", "")][0] if ("", "") in self._answers else self.rows

    @property
    def _textless(self) -> QueueFilters:
        return replace(self.filters, search="", author="")

    def _searched_text(self, row: QueueRow) -> str:
        """What the search looks in for `row` (its names, title, authors and touched paths), casefolded once."""
        paths = self._paths.get(self._path_key(row), ())
        known = self._search_texts.get(row.id)
        if known is None or known[0] is not row.report or known[1] is not paths:
            text = search_text(" ".join(row.report.change.names), row.title, row.authors, paths)
            known = self._search_texts[row.id] = (row.report, paths, text)
        return known[2]

    @staticmethod
    def _path_key(row: QueueRow) -> tuple[str, str]:
        return (row.id, row.report.change.head)

    def _paths_complete(self) -> bool:
        """Whether the search has every change's touched paths, or a worker is reading them."""
        if any(w.group == "paths" and not w.is_finished for w in self.workers):
            return True
        paths = self._paths
        return all((change_id, report.change.head) in paths for change_id, report in self.reports.items())

    @work(thread=True, exclusive=True, exit_on_error=False, group="paths", name="paths for search")
    def load_paths(self) -> None:
        """The paths each change touches (trees only: cheap), for the search; one pass per refresh."""
        analyzer = self.review_app.fresh_analyzer()
        found: dict[tuple[str, str], tuple[str, ...]] = {}
        for row in self._all_rows():
            key = self._path_key(row)
            change = row.report.change
            # a merged row (`m`) is found by its name and title: 9,721 tree diffs (uv) would keep this thread busy
            if key in self._paths or not change.base or change.kind == "worktree" or change.merged is not None:
                found.setdefault(key, ())
                continue
            found[key] = tuple(dict.fromkeys(analyzer.repo.changed_paths(change.base, change.head)))
        self.app.call_from_thread(self._paths_loaded, found)

    def _paths_loaded(self, found: dict[tuple[str, str], tuple[str, ...]]) -> None:
        for key, paths in found.items():
            self._paths.setdefault(key, paths)
        if self.filters.search:
            self._schedule_rebuild()

    def _summary(self) -> Text:
        """The status line once analysis ends: what is listed, then what the queue leaves out (merged
        upstream with its `m` toggle, refs out of scope, stale heads, merges left out of a range).
        Each part has a short form, used when the long line would not fit: the counts of what is
        hidden are what a narrow terminal must still show."""
        commit_range = self.review_app.analyzer.commit_range
        parts = self._listed_parts(commit_range)
        if self.discovery is not None:
            parts += hidden_parts(self.discovery, show_merged=self.show_merged, in_range=bool(commit_range))
        width = (self.size.width or self.app.size.width) - 2
        use_short = len(" · ".join(long for long, _short, _style in parts)) > width
        if use_short:
            # still too long: counts without a key go, last first, so the keys that show what is hidden
            # ((m), (o)) stay on the line (QA49: openai-agents-python's cut "819 old 90d+ (o)" to "819 …")
            while len(" · ".join(short for _long, short, _style in parts)) > width:
                keyless = [i for i, (_long, short, _style) in enumerate(parts) if i and "(" not in short]
                if not keyless:
                    break
                del parts[keyless[-1]]
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, (long, short, style) in enumerate(parts):
            if i:
                text.append(" · ", style=style)
            text.append(short if use_short else long, style=style)
        return text

    def _listed_parts(self, commit_range: str | None) -> list[tuple[str, str, str]]:
        """(long, short, style) of what the queue lists: the pending count (without the merged-upstream
        changes `m` shows), then the critical, AI-signalled and failed ones among them (_among_parts)."""
        reports = [r for r in self.reports.values() if r.change.merged is None]
        count = len(reports)
        if commit_range:
            noun = "commit" if count == 1 else "commits"
            parts = [(f"{count} {noun} of {one_line(commit_range, 60)}", f"{count} {noun}", "")]
        else:
            against = f" against {one_line(self.base_ref, 60)}" if self.base_ref else ""
            parts = [(f"{count} pending change{'s' if count != 1 else ''}{against}", f"{count} pending", "")]
        return parts + _among_parts(reports)

    # -- the table ------------------------------------------------------------------------------
    def _schedule_rebuild(self, *, typed: bool = False, streamed: bool = False) -> None:
        """Rebuild once after the current batch of messages (a burst of reports = one rebuild), and on a
        long queue at most every REBUILD_INTERVAL while reports stream in: with 3,000 changes a rebuild per
        refresh kept the UI thread busy for minutes, keys unanswered. `typed`: only the search or author text
        changed, which the rows at hand answer (_filtered_sorted). Once the analysis has ended a throttled rebuild
        waits no more: the final rows come with the summary that says the queue is complete, not up to 3 × a
        rebuild's cost later, moving rows under a reviewer who had started to work down them. `streamed`: a report
        arrived; on a queue of any length its rebuild waits so while the last rebuild and its paint were slow (a
        starved UI thread), where a key's is done at once."""
        if not typed:
            self._model_changed = True
        throttled = self.analysing and (len(self.reports) > THROTTLE_ROWS
                                        or (streamed and self._rebuild_cost > SLOW_REBUILD))
        if self._rebuild_pending:
            if self._rebuild_timer is not None and not throttled:
                self._rebuild_timer.stop()
                self._rebuild_timer = None
                self.call_after_refresh(self._rebuild)
            return
        self._rebuild_pending = True
        # the UI thread keeps at least three quarters of its time for keys: a 3,000-row rebuild takes 0.8 s
        interval = max(REBUILD_INTERVAL, 3 * self._rebuild_cost)
        wait = interval - (time.perf_counter() - self._rebuilt_at)
        if throttled and wait > 0:
            self._rebuild_timer = self.set_timer(wait, self._rebuild)
        else:
            self.call_after_refresh(self._rebuild)

    def _sort_label(self) -> str:
        column = COLUMN_BY_KEY[self.sort_key]
        descending = column.descending != self.sort_reverse
        name = "risk rank" if column.key == "rank" else column.header
        return f"{name} {'▼' if descending else '▲'}{self._partial_ranking()}"

    def _partial_ranking(self) -> str:
        """While the analysis scores, the order is that of the changes scored so far: say how many."""
        if not self.analysing or not self.total:
            return ""
        scored = provisional = 0
        for change_id in self._seen_this_run:
            report = self.reports.get(change_id)
            if report is not None and report.assessment is not None and report.change.merged is None:
                scored += 1
                provisional += not report.complete
        if scored < self.total:
            return f"  ({scored:,} scored so far)"  # of the changes the filter line counts (_expected)
        # every one scored, some before their complexity or history was read: dimmed, and counted here
        return f"  ({provisional:,} of {self.total:,} scores provisional)" if provisional else ""

    def _expected(self) -> int | None:
        """While rows still arrive, the changes discovery found: the filter line counts the rows of them, as "scored
        so far" does (QA54 F4: "625 changes ... (8 of 1,296 scored so far)" gave two denominators side by side)."""
        return self.total if self.analysing and not self.show_merged else None

    def _columns(self, width: int, rows: list[QueueRow]) -> list[tuple[QueueColumn, int]]:
        """The columns at `width`, sized by what these rows need (ids, statuses): the pending ones where there
        are any, so that `m` neither moves the columns nor makes every row be rendered again (a merged row
        shows no rank, and an id longer than the pending ones' is cut in its middle, as in a long queue)."""
        pending = [row for row in rows if not row.merged] or rows
        return visible_columns(width, change_needs=_common_change_needs(pending),
                               rows=sum(1 for r in self.reports.values() if r.change.merged is None) or 1,
                               status_needs=_status_needs(pending),
                               marked=any(row.report.from_later_base for row in pending),
                               lines_needs=_lines_needs(pending),
                               compact_needs=max((len(compact_status(r.status)) for r in pending), default=None))

    def _rebuild(self) -> None:
        self._rebuild_pending = False
        self._rebuild_timer = None
        self._rebuilt_at = time.perf_counter()
        table = self.query_one("#queue-table", ListTable)
        empty = self.query_one("#queue-empty", Static)
        filter_bar = self.query_one("#queue-filters", FilterBar)
        rows, total = self._filtered_sorted()
        listed = len(rows)
        rows = self._with_expanded(rows)
        if total == 0 and self.total == 0 and not self.analysing:
            table.display = False
            empty.display = True
            empty.update(self._empty_message())
        elif not rows and total and not self.analysing:
            # a filter that matches nothing (`t` on a tier no change has) left a blank table
            table.display = False
            empty.display = True
            active = one_line("; ".join(self.filters.describe()), 120)
            empty.update(Text.assemble(("No change matches the filter", "bold"),
                                       f" ({active}): x clears it.",
                                       justify="center"))
        else:
            table.display = True
            empty.display = False
        counted = None if self.total is None and not self.reports else total  # discovery runs: no count yet
        filter_bar.show(self.filters, listed, counted, self._sort_label(), expected=self._expected(),
                        noun="commit" if self.review_app.commit_range else "change", folded=len(self._folded))

        width = self.size.width or self.app.size.width
        self._layout_width = width
        # typing in the search moves no column; the folded heads `e` lists get the cells their names need
        columns = self._columns(width, [*self._unsearched, *(row for row in rows if row.under)])
        selected = self.selected_id()
        variables = getattr(self.app, "theme_variables", {}) or {}
        background = resolve_colour(variables.get("background"), Color(0, 0, 0)) or Color(0, 0, 0)
        cells = _Cells(variables, background, wide_status=_wide_status(columns),
                       title_shown=any(column.key == "title" for column, _ in columns))
        spec = (tuple((column.key, width) for column, width in columns), self.sort_key, self.sort_reverse)
        table.clear(columns=spec != self._column_spec)  # the same columns (a search typed) are kept as they are
        if spec != self._column_spec:
            self._column_spec = spec
            self._add_columns(table, columns)
        # the cursor stays on the change the reviewer chose while it is shown (a search that hid it and was
        # then typed back shows it again under the cursor), else on the one it was on, else the top row
        wanted = self._chosen_id if self._cursor_chosen else None
        position = {row.id: i for i, row in enumerate(rows)} if self._cursor_chosen else {}
        at = position.get(wanted or "", position.get(selected or "", 0))
        # rows below the screen are added a batch at a time after this, while keys are answered (ListTable)
        table.show_rows(rows, self._renderer(columns, cells, variables), at_once=max(FIRST_ROWS, at + self.size.height))
        self.rows = rows
        self._rebuild_cost = time.perf_counter() - self._rebuilt_at
        self.call_after_refresh(self._rebuild_painted, self._rebuilt_at)
        if rows and self.first_rows_at is None:
            self.call_after_refresh(self._mark_rows)
        if self.first_scored_at is None and any(row.score is not None for row in rows):
            self.call_after_refresh(self._mark_scored)
        self._placed = rows[at].id if rows else None
        table.move_cursor(row=at, animate=False)

    def _rebuild_painted(self, started: float) -> None:
        """A rebuild's cost is its paint's too: a cold start on a loaded machine (load 13-17 on 2 cores) rebuilt and
        painted a 35-row queue for every report, seconds each on the UI thread's share of a core, and keys waited
        4-6 s behind them (QA64 F7)."""
        if started == self._rebuilt_at:
            self._rebuild_cost = time.perf_counter() - started

    def _add_columns(self, table: ListTable, columns: list[tuple[QueueColumn, int]]) -> None:
        """The table's column headers, the sorted one with its direction."""
        for column, cell_width in columns:
            label = Text(column.header, style="bold")
            if column.key == self.sort_key:
                descending = column.descending != self.sort_reverse
                label.append(" ▼" if descending else " ▲")
            if column.justify == "right":
                label.justify = "right"
            table.add_column(label, width=max(cell_width, len(label.plain)), key=column.key)

    def _renderer(self, columns: list[tuple[QueueColumn, int]], cells: _Cells,
                  variables: Mapping[str, str]) -> Callable[[QueueRow], tuple[str, list[Text]]]:
        """(id, cells) of a row, rendered again only where the row shows something else than at the last
        rebuild (its report, status, rank, age or the heads folded into it) or the columns or theme changed: with
        uv's 9,721 merged rows (`m`) a rebuild rendered 117,000 cells for a sort or a status re-read."""
        layout = (tuple((column.key, width) for column, width in columns), tuple(sorted(variables.items())),
                  cells.wide_status, cells.title_shown)
        if layout != self._rendered_for or len(self._rendered_rows) > 2 * len(self.reports) + 100:
            self._rendered_rows.clear()
            self._rendered_for = layout
        rendered = self._rendered_rows

        def render(row: QueueRow) -> tuple[str, list[Text]]:
            shown = (row.status, 0 if row.merged else row.rank, human_age(row.age), row.similar, row.under)
            known = rendered.get(row.id)
            if known is None or known[0] is not row.report or known[1] != shown:
                known = (row.report, shown, [cells.render(row, column, width) for column, width in columns])
                rendered[row.id] = known
            return row.id, known[2]

        return render

    @on(DataTable.RowHighlighted, "#queue-table")
    def _cursor_moved(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one("#queue-table", DataTable)
        if event.cursor_row != table.cursor_row or not table.is_valid_row_index(event.cursor_row) \
                or table.coordinate_to_cell_key(table.cursor_coordinate).row_key != event.row_key:
            return  # the cursor has moved on since (a rebuild clears the table, then places it)
        key = event.row_key.value
        if key != self._placed:  # not where the last rebuild put it: the reviewer's own move
            self._chosen_id = None if key is None else str(key)
            # rebuilds only ever put the cursor on row 0 until the reviewer has chosen a row
            self._cursor_chosen = self._cursor_chosen or event.cursor_row > 0
        self._placed = None
        self._say_of_row()

    def _say_of_row(self) -> None:
        """On a merged row, the status line says where its work is upstream (the base commit, as discovery
        found it); on a row whose +/- carries OTHER_BASE_MARK, which base its figures are from and why; elsewhere,
        the summary. Not while the analysis runs: its progress has the line then."""
        if self.analysing or self.finished_at is None:
            return
        report = self.reports.get(self.selected_id() or "")
        status = self.query_one("#queue-status", AnalysisStatus)
        room = (self.size.width or self.app.size.width) - 2
        text = None
        if report is not None and report.change.merged is not None:
            text = _where_merged(report, report.change.merged, room)
        elif report is not None and (self._similar.get(report.id) or report.id in self._folded):
            text = self._fold_note(report, room)
        elif report is not None and report.from_later_base:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(one_line(report.id, 60), style="bold")
            text.append(OTHER_BASE_MARK, style="bold")
            text.append(f": {one_line(report.change.base_note, 300)}")  # it names the commit its diff is from
        elif report is not None and report.assessment is not None and report.assessment.plan.too_big:
            plan = report.assessment.plan
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(one_line(report.id, 60), style="bold")
            text.append(f": {TOO_BIG}: {plural(plan.chunk_count, 'chunk')}, a {format_duration(plan.floor_seconds)} "
                        "floor, over what one review can hold ([chunks] split_hours): ask for it in parts")
        if text is None:
            if self._row_noted:  # back from a merged or marked row: the summary (a pass over every report) once
                self._row_noted = False
                status.show_summary(self._summary())
            return
        self._row_noted = True
        status.show_summary(text)

    def _fold_note(self, report: ChangeReport, room: int) -> Text:
        """The status line on a row near-duplicate heads are folded into, or on one of them listed under it."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(one_line(report.id, 60), style="bold")
        head = self._folded.get(report.id)
        if head is None:
            members = self._similar[report.id]
            text.append(f": {plural(len(members), 'similar head')} folded into this row")
            hint = " · e folds them again" if report.id in self._expanded else " · e lists them under it"
        else:
            text.append(f": folded into {one_line(head, 60)}")
            share = self._shared(report.id, head)
            if share is not None:
                text.append(f", {share:.0%} of the chunks alike")
            hint = " · enter opens it · e folds it again"
        if text.cell_len + len(hint) <= room:
            text.append(hint, style="dim")
        return text

    def _shared(self, one: str, other: str) -> float | None:
        """The share of the larger of two changes' review chunks they have in common (analysis/similar.py)."""
        from collections import Counter

        from app.analysis.similar import similar_share

        plans = [self.reports[i].assessment for i in (one, other) if i in self.reports]
        if len(plans) != 2 or plans[0] is None or plans[1] is None:
            return None
        return similar_share(Counter(plans[0].plan.chunk_hashes), Counter(plans[1].plan.chunk_hashes))

    def _mark_rows(self) -> None:
        if self.first_rows_at is None:
            self.first_rows_at = time.perf_counter()

    def _mark_scored(self) -> None:
        if self.first_scored_at is None:
            self.first_scored_at = time.perf_counter()

    def _empty_message(self) -> Text:
        base = one_line(self.base_ref or "the base branch", 80)
        text = Text(justify="center")
        text.append("Nothing to review\n\n", style="bold")
        hidden = self.discovery.left_out_total if self.discovery is not None else 0
        merged = ("every branch is merged into it" if not hidden else
                  f"every branch in the queue's scope is merged into it ({hidden} ref{'s' if hidden != 1 else ''} "
                  "left out by [queue] settings)")
        text.append(f"No pending changes against {base}: {merged}.\n\n")
        text.append("Hint: ", style="bold")
        text.append("review-tui --base REF compares against another base;\n"
                    "review-tui list --range A..B lists the commits of a range.\n"
                    "Press r to look again.")
        return text

    def selected_id(self) -> str | None:
        """The change under the cursor (None when the table is empty)."""
        table = self.query_one("#queue-table", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        index = min(max(table.cursor_row, 0), len(self.rows) - 1)
        return self.rows[index].id if index < table.row_count else None  # (the rows below may still be coming)

    # -- actions ----------------------------------------------------------------------------
    def action_open(self) -> None:
        change_id = self.selected_id()
        if change_id is not None:
            self.open_change(change_id)

    @on(DataTable.RowSelected, "#queue-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.open_change(str(event.row_key.value))

    def open_change(self, change_id: str) -> None:
        report = self.reports.get(change_id)
        if report is None:
            return
        error = report.error or report.change.error
        if error:
            self.notify(one_line(error, 300), title=f"{one_line(change_id, 60)} could not be analysed",
                        severity="error")
            return
        from app.tui.screens.change import ChangeScreen

        self.app.push_screen(ChangeScreen(report, similar=self._similar.get(change_id, ())))

    def action_toggle_similar(self) -> None:
        """List the near-duplicate heads folded into the row under the cursor right under it, each a row of its own
        that enter opens; again (on the row or one of them) folds them back into it (QA54 F0's leftover: a folded
        head opened only from its row's why panel or with `explain`)."""
        change_id = self.selected_id()
        head = self._folded.get(change_id or "") or (change_id if self._similar.get(change_id or "") else None)
        if head is None:
            self.notify("No similar heads are folded into this row.", timeout=3)
            return
        if head in self._expanded:
            self._expanded.discard(head)
        else:
            self._expanded.add(head)
        self._chosen_id, self._cursor_chosen = head, True  # the cursor stays on the row folded into
        self._row_noted = True
        self._schedule_rebuild(typed=True)
        self.call_after_refresh(self._say_of_row)

    def action_sort(self) -> None:
        """Sort by the next visible column (the cycle skips columns hidden at this width)."""
        shown = {c.key for c, _ in visible_columns(self.size.width or self.app.size.width)}
        cycle = [key for key in self.SORT_CYCLE if key in shown or key == "rank"]
        position = cycle.index(self.sort_key) if self.sort_key in cycle else -1
        self.sort_key = cycle[(position + 1) % len(cycle)]
        self.sort_reverse = False
        self._schedule_rebuild()

    def action_sort_per_minute(self) -> None:
        """Toggle between risk per review minute and the risk rank."""
        self.sort_key = "rank" if self.sort_key == PER_MINUTE.key else PER_MINUTE.key
        self.sort_reverse = False
        self._schedule_rebuild()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._schedule_rebuild()

    @on(DataTable.HeaderSelected, "#queue-table")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        if key not in COLUMN_BY_KEY:
            return
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self._schedule_rebuild()

    def _set_filters(self, filters: QueueFilters) -> None:
        self.filters = filters
        self._schedule_rebuild()

    def action_filter_tier(self) -> None:
        self._set_filters(self.filters.next_tier())

    def action_filter_band(self) -> None:
        self._set_filters(self.filters.next_band())

    def action_filter_ai(self) -> None:
        self._set_filters(QueueFilters(**{**self.filters.__dict__, "ai_only": not self.filters.ai_only}))

    def action_filter_unreviewed(self) -> None:
        self._set_filters(QueueFilters(**{**self.filters.__dict__, "unreviewed": not self.filters.unreviewed}))

    def action_filter_old(self) -> None:
        """Hide or show the changes untouched for [queue] stale_days (the footer's "old" count): flask's first
        screens were 14-year-old pull requests, with no key to set them aside (QA47)."""
        found = self.discovery
        if self.filters.touched_after is not None:
            self._set_filters(QueueFilters(**{**self.filters.__dict__, "touched_after": None, "touched_days": 0}))
        elif found is None or found.stale_before is None:
            self.notify("No age limit to hide by: [queue] stale_days is 0.", timeout=3)
        else:
            self._set_filters(QueueFilters(**{**self.filters.__dict__, "touched_after": found.stale_before,
                                              "touched_days": found.stale_days}))

    def action_filter_author(self) -> None:
        self.query_one("#queue-filters", FilterBar).edit("author", self.filters.author)

    def action_search(self) -> None:
        self.query_one("#queue-filters", FilterBar).edit("search", self.filters.search)

    def action_clear_filters(self) -> None:
        self._set_filters(QueueFilters())

    @on(FilterBar.TextChanged)
    def _text_filter_changed(self, event: FilterBar.TextChanged) -> None:
        self.filters = QueueFilters(**{**self.filters.__dict__, event.field: event.value})
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        if len(self.reports) <= THROTTLE_ROWS:
            self._schedule_rebuild(typed=True)
        else:  # a long queue: filtered once typing pauses, not for every key of a word
            self._typing = self.set_timer(SEARCH_PAUSE, self._typed)

    def _typed(self) -> None:
        self._typing = None
        self._schedule_rebuild(typed=True)

    @property
    def search_pending(self) -> bool:
        """Typed text the table does not show yet (a long queue waits for typing to pause, SEARCH_PAUSE)."""
        return self._typing is not None or self._rebuild_pending

    @property
    def rebuild_pending(self) -> bool:
        """A rebuild of the table is due (after the next refresh, or when a filling long queue's throttle ends)."""
        return self._rebuild_pending

    @on(FilterBar.EditClosed)
    def _edit_closed(self) -> None:
        self.query_one("#queue-table", DataTable).focus()

    def action_toggle_merged(self) -> None:
        """Show or hide the changes whose work is already in the base (squash-merged, cherry-picked): listed
        at once as discovery found them, below the pending ones, and analysed only when opened. The analysis
        of the pending changes goes on untouched (it analysed all 9,721 of uv's: 10 minutes, 2 GB)."""
        self.show_merged = not self.show_merged
        if self.show_merged:
            self._list_merged()
        else:
            for change_id in [i for i, r in self.reports.items() if r.change.merged is not None]:
                del self.reports[change_id]
                self.statuses.pop(change_id, None)
                self._status_keys.pop(change_id, None)
        self._rerank()
        self._schedule_rebuild()
        if not self.analysing and self.finished_at is not None:
            self.query_one("#queue-status", AnalysisStatus).show_summary(self._summary())  # "… shown (m)"
        if self.discovery is None:  # still discovering: they are listed when it ends
            self.notify(f"{'Showing' if self.show_merged else 'Hiding'} the changes already merged upstream",
                        timeout=3)
            return
        merged = len(self.discovery.merged)
        self.notify(f"{'Showing' if self.show_merged else 'Hiding'} {merged} change{'s' if merged != 1 else ''} "
                    "already merged upstream" + (" (not analysed: enter analyses one)" if self.show_merged and merged
                                                 else ""), timeout=3)

    def _list_merged(self) -> None:
        """The merged-upstream changes of the last discovery as rows, from what discovery knows (name, title,
        how it was found merged): none is diffed or scored here. One opened keeps its analysis while its
        head stays; the rows of changes no longer merged upstream go."""
        from app.analysis.report import listed_merged

        found = self.discovery
        listed = listed_merged(found.merged) if found is not None else []
        heads = {r.id: r.change.head for r in listed}
        for change_id in [i for i, r in self.reports.items()
                          if r.change.merged is not None and heads.get(i) != r.change.head]:
            del self.reports[change_id]
            self.statuses.pop(change_id, None)
        for report in listed:
            known = self.reports.get(report.id)
            if known is None or known.change.merged is None or known.change.head != report.change.head:
                self.reports[report.id] = report  # (one pending before a refresh is merged upstream now)
                self.statuses[report.id] = "merged"
                self._status_keys.pop(report.id, None)
        self._rerank()

    def action_refresh(self) -> None:
        self.review_app.forget_base()
        self.query_one("#queue-status", AnalysisStatus).show_progress(0, 0, self._discovering())
        self.analyse()

    def action_stats(self) -> None:
        try:
            from app.tui.screens.stats import StatsScreen
        except ImportError:
            self.notify("The statistics screen is not part of this build: run `review-tui stats`.",
                        severity="warning")
            return
        self.app.push_screen(StatsScreen(self.review_app.ledger, self.review_app.session.repo_key))
