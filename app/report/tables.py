"""Rich tables for the CLI. Every value from a repository is wrapped in Text (never parsed as
markup) and passed through `visible` (never emits control characters)."""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.console import Group
from rich.style import StyleType
from rich.table import Table
from rich.text import Text

from app.core.impact.unsafe_code import unsafe_summary
from app.core.planner.whitespace import skimmed_noun
from app.core.risk.score import complexity_measured, shown_score
from app.core.text import (
    NAME_BREAK,
    NOT_MEASURED,
    OTHER_BASE_MARK,
    TOO_BIG,
    author_names,
    fit_change_id,
    fit_middle,
    format_duration,
    human_age,
    long_word_cuts,
    one_line,
    percent,
    plural,
    share_text,
    significant,
    visible_path,
)
from app.report.track_record import evidence_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console, ConsoleOptions, RenderResult

    from app.analysis.report import AISummary, Assessment, ChangeReport, FactorSummary
    from app.core.git.discovery import Discovery
    from app.core.git.models import Change
    from app.core.planner.model import LineRange, ReviewPlan
    from app.storage.models import TrackRecordRun

BAND_STYLES = {"low": "green", "medium": "yellow", "high": "dark_orange", "critical": "bold red"}


def safe(value: Any, limit: int = 200) -> Text:
    return Text(one_line(str(value), limit))


def band_text(score: float | None, band: str | None) -> Text:
    if score is None:
        return Text("…", style="dim")
    return Text(f"{shown_score(score):>3d} {band}", style=BAND_STYLES.get(band or "", ""))


def change_table(reports: Sequence[ChangeReport], *, base: str | None = None, width: int = 200,
                 full: bool = False, commit_range: str | None = None,
                 risk_ranks: dict[str, int] | None = None, similar: dict[str, list[str]] | None = None) -> Table:
    """The ranked queue as a table.

    On a terminal the table fits `width`: the columns take what their figures need (a cut "+2909/-8…"
    misreads a change's size), and where the title would get fewer than MIN_TITLE_CELLS the less
    important columns are left out, in OPTIONAL_COLUMNS order; when even that leaves too little, each
    title goes under its change id (an 80-column terminal showed titles as "fix co").

    `full` (output to a pipe or a file): change ids and titles are never cut. Ids keep their whole
    width (they are pasted into `explain` and scripts); titles come last and wrap within `width`
    instead of ending in an ellipsis; below 120 columns the optional columns are left out.

    `risk_ranks` (change id -> rank by risk), for another order (per review minute): `#` keeps each
    change's risk rank, as the TUI's does, and a `risk/min` column shows what the rows are sorted by.

    `similar` (shown change id -> ids folded into its row, `analysis/similar.py`): the folded changes get no row
    of their own (`#` keeps every change's rank), the shown one's title starts "+N similar heads"."""
    now = time.time()
    similar = similar or {}
    folded = {member for members in similar.values() for member in members}
    title = (f"Commits of {one_line(commit_range, 100)}" if commit_range
             else f"Pending changes against {one_line(base, 60)}" if base else "Pending changes")
    table = Table(title=title, title_justify="left", expand=False, pad_edge=False, box=box.SIMPLE_HEAD,
                  collapse_padding=True)
    has_score = has_plan = any(r.assessment is not None for r in reports)
    rows: list[dict[str, Any]] = []
    shown: list[ChangeReport] = []
    for position, r in enumerate(reports, 1):
        if r.id in folded:
            continue
        shown.append(r)
        rank = risk_ranks.get(r.id, position) if risk_ranks is not None else position
        cells = _row_cells(r, rank, now, has_score=has_score, has_plan=has_plan, full=full)
        if similar.get(r.id) and "title" in cells:
            cells["title"] = Text.assemble((f"+{plural(len(similar[r.id]), 'similar head')} ", "bold yellow"),
                                           cells["title"])
        if r.assessment is not None and r.assessment.plan.too_big and "title" in cells:
            cells["title"] = Text.assemble((f"{TOO_BIG} ", "bold red"), cells["title"])
        per_minute = r.assessment.risk_per_minute if r.assessment is not None else None
        if per_minute is not None:
            cells["risk/min"] = Text(f"{per_minute:.3g}")  # significant() kept zeros: 0.0100 beside 0.016
        rows.append(cells)

    # (name, least width, most width or None for the cell's own, column options), left to right
    columns: list[tuple[str, int, int | None, dict[str, Any]]] = [
        ("#", max(2, len(str(len(reports)))), None, {"justify": "right", "style": "dim"})]
    if has_score:
        columns += [("risk", 12, None, {})]
        if risk_ranks is not None:
            columns += [("risk/min", 8, None, {"justify": "right"})]
        columns += [("tier", 4, None, {"justify": "center"}), ("impact", 6, None, {"justify": "right"}),
                    ("AI", 4, None, {"justify": "right"}), ("CC+", 5, None, {"justify": "right"})]
    columns += [("change", 12, CHANGE_CELLS, {"overflow": "ellipsis"}), ("+/-", 9, None, {"justify": "right"}),
                ("files", 5, None, {"justify": "right"})]
    if has_plan:
        columns += [("chunks", 6, None, {"justify": "right"}), ("floor", 6, None, {"justify": "right"})]
    columns += [("title", MIN_TITLE_CELLS, 60, {"overflow": "ellipsis"}),
                ("author", 6, 18, {"overflow": "ellipsis"}), ("age", 3, None, {"justify": "right"})]
    if full:  # the title last: a pipe's rows end where their own title does, not padded to the longest one
        columns.sort(key=lambda column: column[0] == "title")
        id_cells = _full_columns(table, columns, shown, rows, width)
    else:
        id_cells = _fitted_columns(table, columns, rows, width)
    _shorten_ids(table, shown, rows, id_cells, full=full)
    stacked = any(str(c.header) == STACKED for c in table.columns)
    for cells in rows:
        if stacked:
            joined = Text("\n").join([cells["change"], cells.get("title", Text(""))])
            cells[STACKED] = Breakable(joined) if full else joined
        elif full and isinstance(cells.get("title"), Text):
            # wrapped at spaces, a long word after a slash, dot or hyphen: not "replace-staging-panels-wit" / "h-..."
            cells["title"] = Breakable(cells["title"])
        table.add_row(*[cells.get(str(c.header), Text("-")) for c in table.columns])
    return table


MIN_TITLE_CELLS = 20
"""The least room a title gets on a terminal before other columns give way."""
TITLE_CELLS = 60
"""The room a title gets before a long change id does, in a pipe or a file laid out for a width."""
TITLE_WANTED = 40
"""The room a title gets, in a pipe or a file laid out for a width, before the one id in ten that is longest."""
CHANGE_CELLS = 30
"""The most a change id takes on a terminal (a longer one is shortened with "…", see fit_change_id)."""
PIPE_ID_CELLS = 40
"""The most a change id takes in a pipe or a file unless the width asked for leaves it more: one 71-character
branch name widened every row's id column and pushed the figures off the page of `list | less`. A longer id is
shortened with "…" in the table and listed whole under it (what `explain`, `chunks` and `check` take)."""
NO_WIDTH = 10_000
"""A layout width at least this wide is no width asked for (a pipe without --width or COLUMNS)."""


def _shorten_ids(table: Table, reports: Sequence[ChangeReport], rows: Sequence[dict[str, Any]], cells: int, *,
                 full: bool) -> None:
    """Each id longer than its column's `cells` shortened visibly, keeping what tells it apart (fit_change_id,
    as the TUI's queue does), and a caption under the table that says how to get it whole: in a pipe or a file
    the shortened ids themselves, by rank, so one can be copied into `explain`; on a terminal, where most ids
    of a narrow table are shortened, one line saying where they are whole."""
    shortened: list[tuple[str, str]] = []
    for r, cells_of in zip(reports, rows, strict=True):
        whole = one_line(r.id, 500)
        if len(whole) <= cells:
            continue
        cells_of["change"] = Text(fit_change_id(whole, cells, remote=(r.change.ref or "").startswith("refs/remotes/")))
        shortened.append((cells_of["#"], whole))
    if not shortened:
        return
    if not full:
        table.caption = Text(f"{plural(len(shortened), 'id')} shortened with …: `--json`, or `list | cat`, "
                             "gives them whole", style="dim")
    else:
        rank_cells = max(len(rank) for rank, _ in shortened)
        table.caption = Text("\n".join(["shortened ids (…) whole, by rank (for explain, chunks and check):",
                                        *(f"  {rank:>{rank_cells}}  {whole}" for rank, whole in shortened)]))
    table.caption_justify = "left"
OPTIONAL_COLUMNS = ("age", "author", "files", "chunks", "CC+", "impact")
"""Left out in this order when the title would get too little room."""
STACKED = "change / title"


def _cells_width(rows: Sequence[dict[str, Any]], name: str) -> int:
    return max((max(cell_len(line) for line in cell.plain.split("\n")) for row in rows
                if isinstance(cell := row.get(name), Text)), default=1)


def _fitted_columns(table: Table, columns: list[tuple[str, int, int | None, dict[str, Any]]],
                    rows: Sequence[dict[str, Any]], width: int) -> int:
    """A terminal's columns: each as wide as its widest cell (within its bounds), the optional ones
    left out until the title has MIN_TITLE_CELLS, then the title under the id if it still has not.
    Returns the cells an id gets."""
    sizes = {name: max(least, len(name), min(_cells_width(rows, name), most or 10_000))
             for name, least, most, _ in columns if name != "title"}
    names = [name for name, *_ in columns]

    def room(kept: list[str]) -> int:  # what the title gets: each column pads one cell a side
        return width - sum(sizes[n] + 2 for n in kept if n != "title") - 2

    for optional in OPTIONAL_COLUMNS:
        if room(names) >= MIN_TITLE_CELLS:
            break
        names.remove(optional)
    stacked = room(names) < MIN_TITLE_CELLS
    id_cells = sizes["change"]
    for name, _least, most, options in columns:
        if name not in names:
            continue
        if name == "title":
            if not stacked:
                table.add_column(name, no_wrap=True, min_width=MIN_TITLE_CELLS,
                                 max_width=min(most or room(names), room(names)), **options)
        elif name == "change" and stacked:
            id_cells = max(12, room(names) + 2 + sizes["change"] - 2)
            table.add_column(STACKED, no_wrap=True, overflow="ellipsis", min_width=id_cells, max_width=id_cells)
        else:
            table.add_column(name, no_wrap=True, min_width=sizes[name], max_width=sizes[name], **options)
    return id_cells


def _full_columns(table: Table, columns: list[tuple[str, int, int | None, dict[str, Any]]],
                  reports: Sequence[ChangeReport], rows: Sequence[dict[str, Any]], width: int) -> int:
    """A pipe's or a file's columns: ids whole up to PIPE_ID_CELLS (or what the width leaves) and titles
    wrapped within `width`; the optional columns give way (OPTIONAL_COLUMNS order) until the title has
    MIN_TITLE_CELLS, then each title goes under its id. A line is longer than `width` only where an id is
    (from 120 columns every column was kept, and the table ran 29 cells past the width asked for). Returns the
    cells an id gets."""
    # the per-minute order's risk/min column: below 140 columns impact and CC+ give it their room
    crowded = {"impact", "CC+"} if width < 140 and any(name == "risk/min" for name, *_ in columns) else set()
    lengths = [len(one_line(r.id, 500)) for r in reports]
    longest_id = max(12, max(lengths, default=12))
    # the ids the table shows whole: one longer than CHANGE_CELLS is shortened (and listed whole under the
    # table) to the column the others need, not given room a title could use (QA52 #9: lazygit's "origin/pr/5732"
    # sat in a 45-column id column while its title folded at 26)
    id_budget = max(12, max((n for n in lengths if n <= CHANGE_CELLS), default=12))
    # each column as wide as its widest cell (an author's name up to 18): the title gets what is left
    fixed = {"change": id_budget, "author": min(18, max(6, _cells_width(rows, "author")))}
    cost = {name: fixed.get(name, max(least, len(name), _cells_width(rows, name))) + 2 for name, least, *_ in columns}
    names = [name for name, *_ in columns if name not in crowded]

    def room(kept: list[str]) -> int:
        return width - sum(cost[n] for n in kept if n != "title") - 2

    for optional in OPTIONAL_COLUMNS:
        if room(names) >= MIN_TITLE_CELLS:
            break
        if optional in names:
            names.remove(optional)
    title_room = room(names)
    if width < NO_WIDTH and title_room < TITLE_WANTED and id_budget > 12:
        # the title before the few long ids: down to what nine in ten ids need (lazygit's 599 ids: "origin/pr/5732",
        # 14 columns, beside a handful of 21-30-character branch names); the others shortened, listed whole below
        common = sorted(lengths)[max(0, (len(lengths) * 9 - 1) // 10)] if lengths else 12
        narrower = min(id_budget, max(12, common, id_budget - (TITLE_WANTED - title_room)))
        cost["change"] -= id_budget - narrower
        id_budget = narrower
        title_room = room(names)
    stacked = title_room < MIN_TITLE_CELLS
    if width < NO_WIDTH:
        # a width asked for: the title has the room first (up to TITLE_CELLS), an id what the title can spare
        spare = max(0, title_room - TITLE_CELLS) if not stacked else 0
        id_cells = min(longest_id, id_budget + spare)
    else:  # no width: every row as long as its own text, ids whole up to PIPE_ID_CELLS
        id_cells = min(longest_id, max(PIPE_ID_CELLS, id_budget))
    title_room -= max(0, id_cells - id_budget)
    for name, least, _most, options in columns:
        if name not in names or (name == "title" and stacked):
            continue
        if name == "change" and stacked:  # the title wraps under the id, in the id's and the title's room
            id_cells = max(id_cells, title_room + cost["change"])
            table.add_column(STACKED, no_wrap=False, overflow="fold", min_width=id_cells, max_width=id_cells)
        elif name == "change":
            table.add_column(name, no_wrap=True, overflow="ignore", min_width=id_cells, max_width=id_cells)
        elif name == "title":
            table.add_column("title", overflow="fold", no_wrap=False, min_width=MIN_TITLE_CELLS, max_width=title_room)
        elif name == "author":
            table.add_column("author", no_wrap=True, overflow="ellipsis", min_width=6, max_width=18)
        elif name == "age":
            table.add_column("age", no_wrap=True, justify="right", min_width=3)
        else:
            table.add_column(name, no_wrap=True, min_width=max(least, len(name)), **options)
    return id_cells


def _row_cells(r: ChangeReport, rank: int, now: float, *, has_score: bool, has_plan: bool,
               full: bool) -> dict[str, Any]:
    """One change's cells by column header (columns a layout leaves out are simply not read)."""
    found = r.assessment
    cells: dict[str, Any] = {"#": "-" if r.listed_only else str(rank)}  # a merged one listed is not ranked
    if has_score and found is not None:
        cells["risk"] = band_text(found.risk.score, found.risk.band)
        cells["tier"] = Text(f"T{found.tiers.tier}")
        cells["impact"] = Text(f"{found.risk.impact:.2g}")
        # "AI?": evidence weighed (an agent's branch name) that stayed below the threshold
        cells["AI"] = Text(share_text(found.ai.share) if found.ai.share else "AI?" if found.ai.evidence else "-")
        cells["CC+"] = Text("…" if found.complexity.pending
                            else str(found.complexity.added) if found.complexity.measured else NOT_MEASURED)
    elif has_score:
        # "…" is a score still to come: a change that cannot be scored says so (cline's orphan media branches, QA54)
        cells["risk"] = (Text("-", style="dim") if r.listed_only else Text("not scored", style="dim italic")
                         if r.error or r.change.error else band_text(None, None))
    cells["change"] = safe(r.id, 500 if full else 80)
    error = r.error or r.change.error
    if error:
        cells["title"] = Text(f"not scored: {one_line(error, 120)}", style="red")
    else:
        figures = r.figures
        cells["+/-"] = Text.assemble((f"+{figures.lines_added}", "green"), "/",
                                     (f"-{figures.lines_deleted}", "red"),
                                     (OTHER_BASE_MARK, "bold yellow") if r.from_later_base else "")
        cells["files"] = Text(str(figures.files))
        if r.listed_only:  # not diffed: its size is unknown, not zero
            cells["+/-"] = cells["files"] = Text("-", style="dim")
        if has_plan:
            cells["chunks"] = Text(str(found.plan.chunk_count) if found else "-")
            cells["floor"] = Text(format_duration(found.plan.floor_seconds if found else None))
        authors = author_names(r.change.authors)
        author = authors[0] if authors else "-"
        if len(authors) > 1:
            author += f" +{len(authors) - 1}"
        cells["title"] = safe(r.change.title, 1_000 if full else 120)
        if r.change.merged is not None:  # listed with --include-merged: nothing of it waits for review
            cells["title"] = Text.assemble((f"merged ({r.change.merged.how}) ", "bold dim"), cells["title"])
        cells["author"] = safe(author, 40)
        newest = r.change.newest_time
        cells["age"] = Text(human_age(int(now - newest) if newest else None))
    return cells


def other_base_footnote(reports: Sequence[ChangeReport], base: str | None) -> str | None:
    """The line under the table that explains OTHER_BASE_MARK, when a row carries it: which figures git gives."""
    marked = [r for r in reports if r.from_later_base]
    if not marked:
        return None
    return (f"{OTHER_BASE_MARK} {plural(len(marked), 'change')} diffed from a later commit than git's merge base "
            f"with {one_line(base or 'the base', 60)} (the release line one was made on, a branch one is built on, "
            "or commits the base has under other ids), so the figures are the change's own work: `explain ID` says "
            "why, and `git diff --numstat BASE HEAD` with `--json`'s base and head gives them")


def too_big_footnote(reports: Sequence[ChangeReport], split_hours: float | None = None, shown: int = 3) -> str | None:
    """The line under the table that names the changes too big to review as one (PlanSummary.too_big)."""
    big = [r for r in reports if r.assessment is not None and r.assessment.plan.too_big]
    if not big:
        return None
    over = f"{split_hours:g} h of honest review ([chunks] split_hours)" if split_hours else "[chunks] split_hours"
    named = ", ".join(f"{one_line(r.id, 60)} ({format_duration(r.assessment.plan.floor_seconds)})"
                      for r in big[:shown] if r.assessment is not None)
    more = f" +{len(big) - shown} more" if len(big) > shown else ""
    return (f"{plural(len(big), 'change')} marked \"{TOO_BIG}\": each needs over {over}, more than one review can "
            f"hold; ask for it in parts: {named}{more}")


def similar_footnote(groups: dict[str, list[str]], shown: int = 3) -> str:
    """The line under the table that says which heads were folded into which row (`analysis/similar.py`)."""
    from app.analysis.similar import SIMILAR_SHARE

    folded = sum(len(members) for members in groups.values())
    named = "; ".join(f"{one_line(head, 60)} <- {', '.join(one_line(m, 60) for m in members[:shown])}"
                      + (f" +{len(members) - shown} more" if len(members) > shown else "")
                      for head, members in list(groups.items())[:shown])
    more = f"; +{len(groups) - shown} more rows" if len(groups) > shown else ""
    return (f"{plural(folded, 'near-duplicate head')} folded into the row of the pull request, else the most recent "
            "head, they copy "
            f"(each shares {SIMILAR_SHARE:.0%}+ of its review chunks with it; \"+N similar heads\" on the row; "
            f"--json lists each, duplicate_of): {named}{more}")


def queue_footer(discovery: Discovery, *, merged_shown: bool = False) -> list[str]:
    """The lines under `list`'s table: what the queue hides and why (see Discovery.footer_lines)."""
    return discovery.footer_lines(merged_shown=merged_shown)


def at_average(likelihood: float) -> str:
    """The model's likelihood with every factor at its average, said as what it is: shown as "typical change
    3.8%" it read as a base rate (QA55 F8), where it is the built-in model at its six repositories' average factors
    (sizes are skewed: a change at the average is no typical one, and the histories' share of later-fixed changes is
    higher)."""
    return f"{percent(likelihood)} with every factor at its average"


def _risk_line(found: Assessment) -> Group:
    """Likelihood x impact = expected cost, and which model ranked the change."""
    risk = found.risk
    figures = [Text.assemble(("likelihood of a later fix ", "dim"), percent(risk.likelihood),
                             (f" ({at_average(risk.base_likelihood)})", "dim")),
               Text.assemble(("impact ", "dim"), f"{risk.impact:.2g} cost units"),
               Text.assemble(("expected cost ", "dim"), f"{risk.expected_cost:.2f}")]
    if found.risk_per_minute is not None:
        figures.append(Text.assemble(("per review minute ", "dim"), significant(found.risk_per_minute)))
    return Group(FigureLine(*figures),
                 Text.assemble(("ranked by ", "dim"), one_line(risk.model or "unknown model", 200)))


# Below this width the raw, normalised, weight and effect columns are left out (`--json` has them): with
# them an 80-column terminal left the why column 8 characters wide, one word per line.
WIDE_FACTORS_WIDTH = 110


class _FactorsTable:
    """Every factor: impact ones in cost units, likelihood ones in log-odds; the points add up. As wide as
    the console allows: the why column keeps room to be read."""

    def __init__(self, found: Assessment) -> None:
        self.found = found

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield _factors_table(self.found, wide=options.max_width >= WIDE_FACTORS_WIDTH)


def _factors_table(found: Assessment, *, wide: bool = True) -> Table:
    factors = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Factors (impact points: the score at the average "
                    "likelihood; likelihood points move it to this change's)", title_justify="left")
    figures = ("raw", "norm", "weight", "effect") if wide else ()
    for name in ("factor", "kind", *figures, "points"):
        factors.add_column(name, justify="left" if name in ("factor", "kind") else "right", no_wrap=True)
    factors.add_column("why", ratio=1)
    total = 0.0
    for f in found.risk.factors:
        total += f.contribution
        effect = f"+{f.effect:.2f} u" if f.kind == "impact" else f"{f.effect:+.2f}"
        cells = (safe(f.raw, 20), f"{f.normalised:.2f}", f"{f.weight:.3g}", effect) if wide else ()
        points = Text(f"{f.contribution:.1f}", style="bold" if f.contribution else "dim")
        factors.add_row(f.name, f.kind, *cells, points, Breakable(safe(f.explanation, 300)))
    factors.add_row("", *([""] * len(figures)), Text("total", style="bold"), Text(f"{total:.1f}", style="bold"), "")
    return factors


SHARED_SIGNAL_SD = 0.5  # "above average": this many standard deviations over the fitted mean


class Breakable:
    """Text that wraps at spaces and, for a word too long for the line, after a dot, slash, underscore,
    hyphen or colon, and only then anywhere: `click._termui_impl.MaybeStripAnsi.__init__` folded at 44
    columns read as `...__init_` / `_,`, two names."""

    def __init__(self, text: str | Text, style: str = "") -> None:
        self.text = text if isinstance(text, Text) else Text(text, style=style)

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        words = self.text.plain.split()
        pieces = [len(piece) for word in words for piece in NAME_BREAK.split(word)]
        return Measurement(min(max(pieces, default=1) + 1, max(map(len, words), default=1)),
                           max((len(line) for line in self.text.plain.splitlines()), default=0))

    def __rich_console__(self, console: Any, options: Any) -> Any:
        cuts = long_word_cuts(self.text.plain, max(options.max_width, 1))
        if not cuts:
            yield from console.render(self.text, options)
            return
        yield from console.render(Text("\n").join(self.text.divide(cuts)), options)


def item(marker: str, text: str | Text, style: StyleType = "") -> Item:
    """One line of a list, its wrapped lines indented under its text (see Item)."""
    return Item(marker, text if isinstance(text, Text) else Text(text, style=style))


class Item:
    """A list line whose wrapped lines are indented under its text, not back at the margin (a tier reason
    wrapped at 120 columns went on at column 0); no padding after the text, so a pipe gets no trailing
    blanks."""

    def __init__(self, marker: str, text: Text) -> None:
        self.marker = marker
        self.text = text

    def __rich_console__(self, console: Any, options: Any) -> Any:
        indent = len(self.marker)
        width = max(options.max_width - indent, 10)
        cuts = long_word_cuts(self.text.plain, width)  # a long path or name breaks where it reads on
        text = Text("\n").join(self.text.divide(cuts)) if cuts else self.text
        lines = text.wrap(console, width)
        for number, line in enumerate(lines):
            line.rstrip()
            yield Text(self.marker if number == 0 else " " * indent) + line


class FigureLine:
    """Figures on one line, wrapped between figures, never inside one ("per review minute" / "0.00043")."""

    def __init__(self, *figures: Text, gap: int = 3) -> None:
        self.figures = figures
        self.gap = gap

    def __rich_console__(self, console: Any, options: Any) -> Any:
        width = options.max_width
        line = Text()
        for figure in self.figures:
            if line and line.cell_len + self.gap + figure.cell_len > width:
                yield line
                line = Text()
            if line:
                line.append(" " * self.gap)
            line.append_text(figure)
        if line:
            yield line


def shared_signal_note(found: Assessment, name: Callable[[FactorSummary], str] = lambda f: f.name) -> str | None:
    """Why a likelihood factor well above average can lower the odds, when one does here ("size" with
    3,607 changed lines, on ansible): the model weighs its factors together, and factors that measure
    much the same thing share one signal. None when no factor reads that way."""
    likelihood = [f for f in found.risk.factors if f.kind == "likelihood"]
    above = [name(f) for f in likelihood if f.normalised > SHARED_SIGNAL_SD and f.effect < 0]
    # the same negative weight read the other way: "touched files did not change in 90 days; raises the odds"
    below = [name(f) for f in likelihood if f.normalised < -SHARED_SIGNAL_SD and f.effect > 0]
    if not above and not below:
        return None

    def clause(names: list[str], where: str, does: str) -> str:
        one = len(names) == 1
        verb, ending = ("is", "s") if one else ("are", "")
        return f"{', '.join(names)} {verb} {where} average here yet {does}{ending} the odds"

    said = [clause(names, where, does)
            for names, where, does in ((above, "above", "lower"), (below, "below", "raise")) if names]
    return ("; ".join(said) + ": the model weighs all its factors together, and one that overlaps others (size "
            "with code size, spread with code files, history with recent authors) can get a negative weight once "
            "those have counted its signal.")


LEARNED_DIRECTIONS = {
    # (factor, the way it moves the odds here) -> why, where that runs against what a reviewer expects
    ("experience", "raises"): (
        "experience (the author's changes to these files in the two years before, each file counted) raises the "
        "odds: in the history the model was fitted on, changes by people who had often changed the same files "
        "needed later fixes more often (who knows the code takes its hardest changes); a pattern of that history, "
        "not a judgement of the author."),
}


def learned_direction_note(found: Assessment, name: Callable[[FactorSummary], str] = lambda f: f.name) -> str | None:
    """Why a factor moves the odds the way it does here, when that runs against intuition (QA52 #13: "author
    changed these files 3106 times before ...; raises the odds" read as "the maintainer's expertise makes this
    riskier"): what it counts and what the model learned. None when no factor reads that way."""
    for factor in found.risk.factors:
        if factor.kind != "likelihood" or abs(factor.effect) < 0.005:
            continue
        note = LEARNED_DIRECTIONS.get((factor.name, "raises" if factor.effect > 0 else "lowers"))
        if note:
            return note.replace(factor.name, name(factor), 1)
    return None


TIER_RULES_HINT = ("to give this project's own critical code a tier, add [[tiers.rules]] entries (glob, tier, "
                   "reason) to .review-tui.toml; the last matching rule wins (README, \"Configuration\")")


def tier_rules_hint(found: Assessment) -> str | None:
    """How to declare tiers, where the change's tier is the default one (QA52 #11: lazygit's self-update and
    the code that runs git commands were default tier 2, and nothing said tiers can be declared)."""
    from app.core.impact.tiers import NO_TIER_RULE  # not assess: its detectors, 0.4 s before a plan is shown

    defaulted = any(NO_TIER_RULE in str(reason) for reason in found.tiers.reasons)
    # a reason that already names the rule to add for the change's directory (assess.directory_hint) says it better
    named = any("[[tiers.rules]] glob =" in str(reason) for reason in found.tiers.reasons)
    return TIER_RULES_HINT if defaulted and not named and not found.destructive_ops else None


def _assessed(report: ChangeReport) -> Assessment:
    assert report.assessment is not None  # an analysed change's report
    return report.assessment


def _unsafe_lines(found: Assessment) -> list[Text]:
    """The unsafe Rust code the change adds, where memory safety rests on the reviewer (said, not scored)."""
    said = unsafe_summary([(s.path, s.line, s.kind) for s in found.unsafe_code])
    return [Text(f"Unsafe code: {one_line(said, 300)} (memory safety rests on the reviewer; not scored)",
                 style="bold yellow")] if said else []


def explain_view(report: ChangeReport, maintainability: dict[str, dict[str, float | None]] | None = None,
                 track_record: TrackRecordRun | None = None) -> Group:
    """The score's breakdown of an analysed change (its report: a detail's, or the cached one): factors with
    contributions that add up to the score (with the AI track record of the latest calibrate as evidence when
    AI share moves the likelihood), then the reasons."""
    found = _assessed(report)
    head = Text.assemble(
        (one_line(report.change.id, 80), "bold"), "  ", (one_line(report.change.title, 100), ""), "\n",
        ("score ", "dim"), band_text(found.risk.score, found.risk.band),
        ("   tier ", "dim"), f"T{found.tiers.tier}",
        # evidence weighed but no line counted: "AI evidence only", not the queue's cell "AI?" after "AI" (QA54 F11)
        ("   AI ", "dim"), share_text(found.ai.share) if found.ai.share or not found.ai.evidence else "evidence only",
        ("   band: ", "dim"), one_line(found.risk.band_reason, 80),
    )
    factors = _FactorsTable(found)
    # before the factors: what to do with a change too big to review comes before why it scored so
    parts: list[Any] = [head, _risk_line(found), *_too_big_line(found)]
    if report.change.base_remarks:
        # whole: explain is where everything is said (a stacked change's conflict list was cut at 500 characters)
        parts.append(Text("Base: " + one_line(report.change.base_remarks, 4000), style="cyan"))
    parts.append(factors)
    for note in (shared_signal_note(found), learned_direction_note(found)):
        if note:
            parts.append(Text(note, style="dim"))
    evidence = evidence_line(track_record, found)
    if evidence:
        parts.append(Text(evidence, style="italic"))
    if found.file_problems:
        # a partial clone's missing blobs: the figures above count only what is here
        parts.append(Text(f"Content not in this clone: {plural(len(found.file_problems), 'file')} (every figure "
                          "above counts only what is here; `check` refuses to judge it)", style="bold yellow"))
        parts.extend(item("  ! ", f"{visible_path(path)}: {one_line(why, 200)}", style="yellow")
                     for path, why in list(found.file_problems.items())[:10])
    if found.tiers.reasons:
        parts.append(Text("Tier reasons", style="bold"))
        parts.extend(item("  • ", one_line(r, 300)) for r in found.tiers.reasons)
        hint = tier_rules_hint(found)
        if hint:
            parts.append(item("    ", hint, style="dim"))
    if found.destructive_ops:
        parts.append(Text("Destructive operations", style="bold red"))
        for op in found.destructive_ops:
            where = f"{op.path}:{op.line}" if op.line else op.path
            parts.append(item("  ✗ ", one_line(f"{visible_path(where)}: {op.explanation}", 300)))
            parts.append(item("      ", one_line(op.text, 200), style="dim"))
    for note in found.destructive_notes:
        parts.append(item("  ! ", one_line(note, 300), style="yellow"))
    parts.extend(_unsafe_lines(found))
    parts.extend(_blast_lines(found))
    parts.extend(_ai_provenance(found.ai, report.figures.lines_added))
    worst = found.complexity.worst_function
    if worst:
        parts.append(Text(f"Worst function: {one_line(worst.name, 80)} in {visible_path(worst.path or '', 80)}"
                          f" — grade {worst.grade}, CC {worst.complexity}"))
    # path -> (delta, before, after); a delta exists only where both sides were measured
    changed_mi: dict[str, tuple[float, float, float]] = {}
    for path, m in (maintainability or {}).items():
        delta, before, after = m.get("delta"), m.get("before"), m.get("after")
        if delta is not None and before is not None and after is not None:
            changed_mi[path] = (delta, before, after)
    if changed_mi:
        total = sum(delta for delta, _before, _after in changed_mi.values())
        parts.append(Text(f"Maintainability index (radon MI, 0-100, higher is easier): {total:+.1f} in "
                          f"{len(changed_mi)} file{'s' if len(changed_mi) != 1 else ''}"))
        # the largest moves either way, worst first: the five lowest hid the +24.9 that made a +24.5 total (QA48 #11)
        largest = sorted(changed_mi.items(), key=lambda kv: -abs(kv[1][0]))[:5]
        for path, (delta, before, after) in sorted(largest, key=lambda kv: kv[1][0]):
            parts.append(Text(f"  {visible_path(path, 80)}: {before:.1f} → {after:.1f} ({delta:+.1f})",
                              style="yellow" if delta < 0 else ""))
        if len(changed_mi) > len(largest):
            parts.append(Text(f"  +{len(changed_mi) - len(largest)} more (explain --json lists each)", style="dim"))
    for path, error in found.complexity.errors.items():
        parts.append(item("  ! ", one_line(f"{visible_path(path)}: {error}", 300), style="yellow"))
    return Group(*parts)


def _too_big_line(found: Assessment) -> list[Text]:
    """explain's line on a plan whose floor is over [chunks] split_hours (PlanSummary.too_big)."""
    if not found.plan.too_big:
        return []
    return [Text(f"{TOO_BIG.capitalize()}: its review plan is {plural(found.plan.chunk_count, 'chunk')} with a floor "
                 f"of {format_duration(found.plan.floor_seconds)}, over what one review can hold ([chunks] "
                 "split_hours): ask for it in parts that can each be reviewed", style="bold red")]


def _ai_provenance(ai: AISummary, lines_added: int) -> list[Any]:
    """explain's AI provenance section: the share, the commits counted and what fired, the warnings."""
    if not (ai.tools or ai.notes or ai.evidence):
        return []
    parts: list[Any] = [Text("AI provenance", style="bold")]
    if ai.tools or ai.notes:
        parts.append(Text(f"  {ai.added} of {lines_added} added lines by "
                          f"{one_line(', '.join(ai.tools), 200) or 'no tool'} ({ai.method} level)"))
    else:  # the queue's "AI?": what was weighed and why it counted no line (QA49 #6: explain said a flat "AI 0%")
        parts.append(Text("  no line counted as AI-written; evidence weighed:"))
        parts.extend(item("    · ", one_line(line, 300)) for line in ai.evidence[:10])
    parts.extend(item("  " if i == 0 else "    · ", line) for i, line in enumerate(ai_commit_lines(ai, shown=10)))
    if (ai.tools or ai.notes) and ai.evidence:
        parts.append(Text("  evidence weighed that counted no commit on its own:"))
        parts.extend(item("    · ", one_line(line, 300)) for line in ai.evidence[:10])
    parts.extend(item("  ! ", one_line(note, 300), style="yellow") for note in ai.notes)
    return parts


def ai_commit_lines(ai: AISummary, shown: int) -> list[str]:
    """What counted commits as AI-written: a heading, then (to indent under it) up to `shown` commits, each
    with the signals that fired."""
    if not ai.commits:
        return []
    lines = [f"{plural(ai.commit_count, 'commit')} counted as AI-written, by what fired:"]
    lines += [one_line(line, 300) for line in ai.commits[:shown]]
    if ai.commit_count > shown:
        lines.append(f"+{ai.commit_count - shown} more (the Commits tab names each)")
    return lines


def chunk_locations(ranges: Sequence[LineRange], files: int = 3, spans: int = 4) -> str:
    """Where a chunk's lines are, a file at a time: "pkg/aix.py:134-146, 238-239 (old 134-144); pkg/b.py:7".
    The range per line it replaces repeated each path ("pkg/aix.py:134-146, pkg/aix.py:238-239, ...")."""
    by_path: dict[str, tuple[list[str], list[str]]] = {}
    for r in ranges:
        span = str(r.start) if r.start == r.end else f"{r.start}-{r.end}"
        by_path.setdefault(r.path, ([], []))[0 if r.side == "new" else 1].append(span)

    def listed(items: list[str]) -> str:
        return ", ".join(items[:spans]) + (f", +{len(items) - spans}" if len(items) > spans else "")

    parts = []
    for path, (new, old) in list(by_path.items())[:files]:
        shown = visible_path(path)
        text = f"{shown}:{listed(new)}" if new else shown
        parts.append(text + (f" (old {listed(old)})" if old else ""))
    more = len(by_path) - files
    return "; ".join(parts) + (f"; +{more} more file{'s' if more != 1 else ''}" if more > 0 else "")


def _blast_lines(found: Assessment) -> list[Text | Item]:
    """The Seams checklist and the blast radius of the changed public symbols, for `explain`."""
    blast = found.blast_radius
    lines: list[Text | Item] = []
    if found.seams:
        lines.append(Text("Seams (changed, used from other modules, no test references them)", style="bold"))
        for seam in found.seams:
            callers = ", ".join(one_line(c, 80) for c in seam.direct_callers[:5])
            more = seam.direct - min(5, len(seam.direct_callers))
            where = f"{visible_path(seam.path)}:{seam.line}"
            lines.append(item("  ◆ ", one_line(f"{seam.symbol} ({seam.change}, {where}) used by "
                                                 f"{callers}" + (f" (+{more} more)" if more > 0 else ""), 300)))
    if blast is None:
        return lines
    symbols = [s for s in blast.symbols if s.direct]
    if symbols:
        # files and directories, as the why panel says: "modules (packages)" named Ruby and C# files wrongly (QA65 F9)
        where = f"{plural(blast.modules, 'file')} ({plural(blast.packages, 'directory', 'directories')})"
        lines.append(Text(f"Blast radius: {plural(blast.direct, 'direct dependent')} in {where}", style="bold"))
        for symbol in symbols[:10]:
            lines.append(item("  · ", one_line(f"{symbol.symbol}: {symbol.what_changed}; {symbol.direct} direct, "
                                              f"{symbol.transitive} transitive, tested by "
                                              f"{', '.join(symbol.tested_by[:3]) or 'no test'}", 300)))
    for note in blast.notes:
        lines.append(item("  ! ", one_line(note, 300), style="yellow"))
    return lines


def plan_table(change: Change, plan: ReviewPlan, *, width: int = 200) -> Group:
    """The review plan of `change`: one row per chunk with its size, risk marks and floor time."""
    summary = Text.assemble(
        (one_line(change.id, 80), "bold"), f"  {len(plan.chunks)} chunk{'s' if len(plan.chunks) != 1 else ''}, ",
        f"{plan.changed_lines} changed line{'s' if plan.changed_lines != 1 else ''}, ",
        f"floor {format_duration(plan.total_floor_seconds)} ",
        (f"(target {plan.target_lines} lines a chunk, {plan.order} order)", "dim"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    wide = width >= 110
    table.add_column("#", justify="right")
    table.add_column("chunk", ratio=1)
    table.add_column("lines", justify="right")
    table.add_column("CC+", justify="right")
    table.add_column("AI", justify="right")
    table.add_column("tier", justify="center")
    table.add_column("floor", justify="right")
    if wide:
        table.add_column("hash", style="dim")
    for chunk in plan.chunks:
        title = Text(one_line(chunk.title, 200))
        if chunk.kind != "code":
            title.append(f"  [{chunk.kind_label}]", style="dim")
        if chunk.whitespace_lines:
            title.append(f"  {chunk.whitespace_lines:,} of {chunk.changed_lines:,} lines only "
                         f"{skimmed_noun(chunk.files, licence=chunk.licence_lines > 0)}",
                         style="cyan")
        if chunk.moved_lines:
            title.append(f"  {chunk.moved_lines:,} of {chunk.changed_lines:,} lines only moved", style="cyan")
        if chunk.oversized:
            title.append("  oversized: " + one_line(chunk.oversize_reason or "", 120), style="yellow")
        if chunk.destructive:
            title.append("  destructive", style="bold red")
        if chunk.seams:
            title.append("  seam", style="bold magenta")
        title.append("\n" + one_line(chunk_locations(chunk.line_ranges), 300), style="dim")
        for note in chunk.notes[:2]:
            title.append("\n! " + one_line(note, 200), style="yellow")
        if len(chunk.notes) > 2:
            title.append(f"\n! (+{len(chunk.notes) - 2} more notes: --json shows all)", style="yellow")
        row: list[str | Text | Breakable] = [str(chunk.index), Breakable(title), str(chunk.changed_lines),
                                             str(chunk.complexity_added) if complexity_measured(chunk.files)
                                             else NOT_MEASURED,
               share_text(chunk.ai_share) if chunk.ai_share else "-", f"T{chunk.tier}",
               format_duration(chunk.floor_seconds)]
        if wide:
            row.append(chunk.content_hash[:10])
        table.add_row(*row)
    parts: list[Any] = [summary, table]
    for note in plan.notes:
        parts.append(Text("! " + one_line(note, 200), style="yellow"))
    if plan.chunks:
        top = plan.chunks[0]
        parts.append(Text(wrap_between_values("floor of chunk 1: " + one_line(top.floor_derivation, 300), width),
                          style="dim", no_wrap=True, overflow="fold"))
    return Group(*parts)


# Where a derivation ("... = 1m 04s; +2 CC x 10s = +20s -> 1m 24s") or a line of figures ("+9 −0 · 1 file") may break
_STEP = re.compile(r"(: |; | = | -> | · )")


def wrap_between_values(text: str, width: int) -> str:
    """`text` wrapped at `width` only between the steps of a derivation, never inside one: Rich broke
    "-> 1m 24s" as "-> 1m" / "24s". textwrap breaks at ASCII spaces only, so a no-break space holds a step."""
    import textwrap

    pieces = _STEP.split(text)
    held = "".join(piece if i % 2 else piece.replace(" ", "\u00a0") for i, piece in enumerate(pieces))
    lines = textwrap.wrap(held, max(width, 20), break_long_words=False, break_on_hyphens=False)
    return "\n".join(line.replace("\u00a0", " ") for line in lines)


# -- chunk titles in a column of fixed width (the change screen's plan, the chunk screen's header) ------
_COMMON_DIRECTORY = re.compile(r"^(\S+)/: ")  # the planner's "lib/pkg/: a.py and b.py"
_PATH = re.compile(r"(?:[^\s,:/]+/)+[^\s,:/]+")  # "lib/pkg/a.py"
_KIND_PREFIX = re.compile(r"^(?:Collapsed|Deleted): ")  # what the planner puts before a chunk's paths


def _elided(path: str, keep: int, directory: bool = False) -> str:
    """`path` with its middle directories cut, marked `…`: its first directory, the last `keep` and the file's name
    ("deno_dist/middleware/basic-auth/index.ts" -> "deno_dist/…/basic-auth/index.ts", keep 0
    "deno_dist/…/index.ts"); a `directory` keeps its first part and its last `keep` ("lib/…/modules")."""
    parts = path.split("/")
    dirs, name = (parts, []) if directory else (parts[:-1], parts[-1:])
    if len(dirs) <= keep + 1:
        return path
    return "/".join([dirs[0], "…", *dirs[len(dirs) - keep:], *name])


# A migration's timestamp (Rails' db/migrate/20260819155803_add_x.rb, Django-style 0042_, goose's 20240101120000_):
# cut first when a title does not fit, its name kept (QA57 F13: at 80 columns '202608…versions.rb +1')
_MIGRATION_STAMP = re.compile(r"(?<=/)\d{12,14}_(?=\w[^/\s,]*(?:$|[\s,]))")


def fit_chunk_title(title: str, width: int) -> str:
    """A chunk's title in `width` cells: whole when it fits, else with its paths' middle directories cut and
    marked `…`, the first directory and the file's name kept ("lib/ansible/modules/service.py" becomes
    "lib/…/modules/service.py", then "lib/…/service.py": deno_dist/middleware/basic-auth/index.ts and its src/ copy
    read alike as "middleware/basic-auth/index.ts", QA51 #13), then fewer names, and only then cut in the middle:
    cut first, 21 cells showed "lib/ansi…d service.py". A file's definition keeps its own name whole before the
    file's name (_fit_definition)."""
    title = one_line(title, 300)
    if len(title) <= width:
        return title
    if (unstamped := _MIGRATION_STAMP.sub("", title)) != title:  # a migration's name says more than its stamp
        return fit_chunk_title(unstamped, width)
    if (packed := _PACKED.match(title)) is not None:
        return _fit_packed(packed.group(1), packed.group(2), width)
    if (vendored := _VENDORED.match(title)) is not None:
        return _fit_vendored(vendored.group(1), vendored.group(2), width)
    if (same := _SAME_EDITS.match(title)) is not None:
        return _fit_same_edits(same.group(1), same.group(2), same.group(3), same.group(4) or "", width)
    if (kind := _KIND_PREFIX.match(title)) is not None:  # "Deleted: " stays while the paths keep 16 cells
        room = width - kind.end()
        return kind.group(0) + fit_chunk_title(title[kind.end():], room) if room >= 16 else \
            fit_chunk_title(title[kind.end():], width)
    head = _COMMON_DIRECTORY.match(title)
    names = title if head is None else title[head.end():]
    short = title  # kept when even two directories cannot tell two files apart
    paths = set(_PATH.findall(names))
    for keep in (2, 1, 0):
        if len({_elided(path, keep) for path in paths}) < len(paths):
            break  # two files of one name: "tax_rate.py, tax_rate.py and 1 more" told them apart no more
        short = _PATH.sub(functools.partial(_elided_path, keep=keep), names)
        if head is not None:
            short = f"{_elided(head.group(1), keep, directory=True)}/: {short}"
        # a directory says more than the second of a list of names: "src/validator/: validator.ts and 7 more"
        # before "src/…/: validator.ts, rule.ts and 6 more"
        spellings: list[str] = [short, *(_fewer_names(short)[:1] if head is not None else [])]
        for spelling in spellings:
            if len(spelling) <= width:
                return spelling
    # Still too long: fewer names, each whole, before any is cut ("basic.py, service.py" rather than
    # "basic.py…d service.py"; "apt.py and 15 more" rather than "apt.py, …y and 14 more").
    if (fewer := _fit_fewer(short, width)) is not None:
        return fewer
    named = _NAMED_PART.match(short)  # "caps.py: Collector.collect"
    # the file's path, then its name alone, the cut marked ("…/editor.py"), then the definition alone
    files = (named.group(1), f"…/{named.group(1).rsplit('/', 1)[1]}") if named and "/" in named.group(1) else \
        (named.group(1),) if named else ()
    if named is not None and (fitted := _fit_definition(files, named.group(2), width)) is not None:
        return fitted
    if named is not None:
        name, rest = named.group(1), named.group(2)
        more = _MORE.search(rest)  # "Vault.load and 5 more": "+5" if there is room, else the name alone
        room = width - len(name) - 2
        if more is not None and room - len(f" +{more.group(1)}") >= 8:
            suffix = f" +{more.group(1)}"
            return f"{name}: {fit_middle(rest[:more.start()], room - len(suffix))}{suffix}"
        if room >= 8:
            return f"{name}: {fit_middle(rest if more is None else rest[:more.start()], room)}"
    return _cut_first(short, width) if " " not in short else fit_middle(short, width)


# a title's first directory and the one after it: "modules/eks-managed-node-group/: main.tf and README.md"
_LEADING_DIRECTORIES = re.compile(r"^((?:Collapsed|Deleted): )?([^\s/:,…]+)/([^\s/:,…]+)/")


def shared_first_directories(titles: Iterable[str], width: int) -> frozenset[str]:
    """The first directories of a plan's titles too long for `width` that start several of them with different
    directories after them ("modules/" of modules/eks-managed-node-group/ and modules/fargate-profile/): kept first
    by fit_chunk_title, they told those chunks apart no more ("modules/…/: main.tf and README.md" three times in
    terraform-aws-eks ee9f0c646a's plan at 80 columns, FIX95 F13). A regex a title: a 2,000-chunk plan's rows
    still fill in as they paint."""
    seen: dict[str, set[str]] = {}
    for title in titles:
        if len(title) > width and (found := _LEADING_DIRECTORIES.match(title)) is not None:
            seen.setdefault(found.group(2), set()).add(found.group(3))
    return frozenset(first for first, nexts in seen.items() if len(nexts) > 1)


def fit_plan_title(title: str, width: int, shared: Collection[str]) -> str:
    """A chunk's title in `width` cells among its plan's (shared_first_directories): a first directory the plan's
    long titles share gives way, marked `…/`, to the directory after it when fit_chunk_title would cut that one
    ("…/eks-managed-node-…/: main.tf +1", not "modules/…/: main.tf and README.md"); else fit_chunk_title's."""
    fitted = fit_chunk_title(title, width)
    found = _LEADING_DIRECTORIES.match(title)
    if found is None or found.group(2) not in shared or found.group(3) in fitted:
        return fitted
    kind, after = found.group(1) or "", found.group(3)
    shorter = fit_chunk_title(kind + title[found.end(2) + 1:], width - 2)
    body = shorter[len(kind):] if shorter.startswith(kind) else ""
    # only where the directory after it is still said, 8 characters of it at least ("…/workfl…/" said less than
    # ".github/…/", and a definition's title alone, "var.metadata_options +42", is no path to mark)
    return f"{kind}…/{body}" if body.startswith(after[:8]) else fitted


def _fit_fewer(short: str, width: int) -> str | None:
    """A title that lists files with fewer names (`_fewer_names`), each whole, then the first with its middle
    directories cut, then that name cut; never the count of the others. None when the title lists no files."""
    fewer = _fewer_names(short)
    for shorter in fewer:
        if len(shorter) <= width:
            return shorter
    # then the first name with its middle directories cut, its first directory and its file's name kept: two chunks
    # of tests/x/versions.tf and examples/x/versions.tf read "eks-ma…versions.tf +3" and "+1" at 80 columns (QA55 F13)
    found = _PATH.match(fewer[0]) if fewer else None
    first = found.group(0) if found is not None else ""
    for keep in (1, 0) if first else ():
        for shorter in fewer:  # each spells the first name the same: "a/b/x.tf and 3 more", "a/b/x.tf +3"
            spelling = _elided(first, keep) + shorter[len(first):]
            if len(spelling) <= width:
                return spelling
    if fewer:  # the last spelling is "a.py +N": cut that name, never the count of the others
        name, _, count = fewer[-1].rpartition(" +")
        room = width - len(count) - 2
        if room >= 6:  # its first directory cut short before the name ("tests…/versions.tf"), else the name's middle
            cut = _cut_first(_elided(name, 0), room)
            return f"{cut if '/' in cut and not cut.startswith('…') else _cut_first(name, room)} +{count}"
    return None


def _cut_first(text: str, room: int) -> str:
    """A path or a "dir/: names" title in `room` cells by cutting its first directory's end, the cut marked and the
    rest whole ("deno_dist/…/index.ts" -> "deno_dis…/index.ts", "deno_dist/: request.ts" -> "deno…/: request.ts");
    cut in the middle when even that does not fit."""
    first, slash, rest = text.partition("/")
    if not slash or " " in first:
        return fit_middle(text, room)
    rest = rest[2:] if rest.startswith("…/") else rest
    whole = f"{first}/…{rest}" if rest.startswith(":") else f"{first}/…/{rest}"
    if len(whole) <= room and whole != text:  # the first directory whole: "lib/…: __init__.py"
        return whole
    keep = room - len(rest) - 2
    if keep >= 2:
        return f"{first[:keep]}…/{rest}"
    name = rest[2:] if rest.startswith(": ") else rest  # a title's files after its directory: "dir/: a.py"
    for marked in (f"…/{name}", f"…{name}"):  # the cut always marked
        if len(marked) <= room:
            return marked
    return fit_middle(name, room)


_SAME_EDITS = re.compile(r"^(Same edits?) as (\S+): (\S+?)( \(\d[\d,]* files\))?$")  # builder.py _mirror_chunk


def _fit_same_edits(what: str, source: str, where: str, files: str, width: int) -> str:
    """A mirror directory's chunk ("Same edits as modules/eks/: modules/self/ (3 files)"): what it is and where it
    is say the most, so the directories they share go first ("Same edits as eks/: self/ (3 files)"), then the
    source ("Same edits: modules/self/ (3 files)"), then the file count; the place is cut last, its end kept. Cut in
    the middle, 21 cells read "Same edi…p/ (3 files)" at 80 columns: neither what nor where (QA55 F13)."""
    shared = os.path.commonpath([source.rstrip("/"), where.rstrip("/")]) if source != "elsewhere" else ""
    shared = shared if shared and shared not in (source.rstrip("/"), where.rstrip("/")) else ""
    own = where[len(shared) + 1:] if shared else where
    spellings = [f"{what} as {source}: {where}{files}"]
    if shared:
        spellings.append(f"{what} as {source[len(shared) + 1:]}: {own}{files}")
    spellings += [f"{what}: {where}{files}", f"{what}: {own}{files}", f"{what}: {where}", f"{what}: {own}"]
    for spelling in spellings:
        if len(spelling) <= width:
            return spelling
    room = width - len(what) - 2
    if room >= 6:
        return f"{what}: {_cut_first(own, room) if '/' in own.rstrip('/') else fit_middle(own, room)}"
    return fit_middle(f"{what}: {own}", width)


_VENDORED = re.compile(r"^vendored: (\S+), (\d[\d,]* files?), ")  # planner/builder.py _bump_chunk


def _fit_vendored(name: str, files: str, width: int) -> str:
    """A vendored dependency's chunk: its line counts go first, then its file count, and its module path (a Go
    module's `golang.org/x/crypto`) is cut in the middle last: read as directories it became "golang.org/…/…81"."""
    for spelling in (f"vendored: {name}, {files}", f"vendored: {name}", name):
        if len(spelling) <= width:
            return spelling
    return fit_middle(name, width)


_PACKED = re.compile(r"^(\d[\d,]* small edits?) in (.+)$")  # the planner's "13 small edits in src/agents/ and tests/"


def _fit_packed(head: str, where: str, width: int) -> str:
    """A chunk of small edits: where they are with its directories' tops left out ("in agents/ and tests/"), then
    its first place alone ("in agents/ …"); the count of edits is never cut."""
    shorter = [_PATH.sub(functools.partial(_elided_path, keep=keep, directory=True), where) for keep in (2, 1, 0)]
    first = shorter[-1].split(" ")[0].rstrip(",")
    for spelling in (f"{head} in {where}", *(f"{head} in {short}" for short in shorter), f"{head} in {first} …"):
        if len(spelling) <= width:
            return spelling
    return fit_middle(head, width)


CLASS_SHOWN = 4  # the least of a class's name a title shows before its function: "…Client.create"


def _elided_path(match: re.Match[str], keep: int, directory: bool = False) -> str:
    return _elided(match.group(0), keep, directory)


def _fit_definition(names: tuple[str, ...], rest: str, width: int) -> str | None:
    """"caps.py: Collector.collect and 5 more" in `width` cells, the definition being what tells two chunks of one
    file apart: cut in its middle, "sandbox.py: ACAS…t.create +10" and "sandbox.py: ACAS…sed_port +20" read alike
    (QA49 #12). The count of the others gives way first, then the class (cut from its start, the function's own
    name whole: "sandbox.py: …Client.create +10"), then the file's name; a name too long even alone is cut in
    its middle. None when `rest` is no definition's name ("lines 10-50")."""
    more = _MORE.search(rest)
    qualname = rest if more is None else rest[:more.start()]
    if not qualname or (" " in qualname and not _CALLBACK.match(qualname)):
        return None
    count = "" if more is None else f" +{more.group(1)}"
    # where the class (or module) part ends; a Terraform address's type is no enclosing class: `aws_db_instance`
    # says what `.payments` is
    # (a test callback's text is no class: `describe("v.json()")`)
    callback = _CALLBACK.match(qualname) is not None
    scope = qualname.split("(", 1)[0]
    own = -1 if names[0].lower().endswith((".tf", ".hcl")) else max(scope.rfind("."), scope.rfind("::"))
    spellings = []
    for prefix in (*(f"{name}: " for name in names), ""):
        for tail in (count, ""):
            spellings.append(f"{prefix}{qualname}{tail}")
        for tail in (count, ""):
            room = width - len(prefix) - len(tail) - 1  # cells for the definition after the "…"
            if own > 0 and len(qualname) - own + CLASS_SHOWN <= room < len(qualname):  # "…ore." says nothing
                spellings.append(f"{prefix}…{qualname[-room:]}{tail}")
        if callback and width - len(prefix) - len(count) >= 16:  # its text cut in the middle, the file kept
            spellings.append(f"{prefix}{fit_middle(qualname, width - len(prefix) - len(count))}{count}")
    for spelling in spellings:
        if len(spelling) <= width:
            return spelling
    if len(count) and width - len(count) >= 8:
        return fit_middle(qualname, width - len(count)) + count
    return fit_middle(qualname, width) if width >= 8 else None


_CALLBACK = re.compile(r'^[\w$.]+\(".*"\)$')  # a JS/TS test callback named by its text: `it("rejects a body")`
_NAMED_PART = re.compile(r"^([^\s:]+): (.+)$")  # "caps.py: Collector.collect"
_TWO_NAMES = re.compile(r"^(.*\S) and (\S+)$")  # the planner's "a.py and b.py"
_LISTED = re.compile(r"^(.*\S), \S+ and (\d+) more$")  # its "a.py, b.py and 5 more"
_MORE = re.compile(r" and (\d+) more$")


def _fewer_names(title: str) -> list[str]:
    """Shorter spellings of a chunk title that lists files, most informative first."""
    listed = _LISTED.match(title)
    if listed is not None:
        more = int(listed.group(2)) + 1
        return [f"{listed.group(1)} and {more} more", f"{listed.group(1)} +{more} more", f"{listed.group(1)} +{more}"]
    two = _TWO_NAMES.match(title)
    if two is not None and not two.group(2).isdigit() and " more" not in title:
        return [f"{two.group(1)}, {two.group(2)}", f"{two.group(1)} and 1 more", f"{two.group(1)} +1 more",
                f"{two.group(1)} +1"]
    if _NAMED_PART.match(title) is None and (more_files := _MORE.search(title)) is not None:
        head = title[:more_files.start()]  # "a.py and 4 more"
        return [f"{head} +{more_files.group(1)} more", f"{head} +{more_files.group(1)}"]
    return []
