"""Renderers of a StatsReport: the rich terminal report, JSON and CSV (the HTML one is stats_html.py).

All of them read the same numbers (Figures.to_dict) through the same column list, so the report a
manager reads and the file another tool parses never disagree. Reviewers are listed by email, never
ranked by speed; every column has a one-line meaning printed under the tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from app.core.text import csv_cell, format_duration, json_text, plural, visible
from app.report.stats import (
    FLOOR_RATE,
    MEANINGS,
    Figures,
    StatsReport,
    format_rate,
    format_ratio,
    format_share,
)
from app.report.tables import safe
from app.report.track_record import rich_table as track_record_table


def _count(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def _rate_spread(f: Figures) -> str:
    if f.rate_median is None:
        return "-"
    if f.rate_p25 is None or f.rate_p75 is None:
        return format_rate(f.rate_median)
    return f"{format_rate(f.rate_median)} [{format_rate(f.rate_p25)}-{format_rate(f.rate_p75)}]"


@dataclass(frozen=True)
class Column:
    """One column of the grouped tables: its header, the meaning key, and how to show the value."""

    header: str
    meaning: str
    show: Callable[[Figures], str]
    justify: str = "right"


COLUMNS: tuple[Column, ...] = (
    Column("changes", "changes", lambda f: _count(f.changes)),
    Column("chunks", "chunks", lambda f: _count(f.chunks)),
    Column("lines", "lines", lambda f: _count(f.lines)),
    Column("active", "active", lambda f: format_duration(f.active_seconds) if f.chunks else "-"),
    Column("time/floor", "time_vs_floor", lambda f: format_ratio(f.time_vs_floor)),
    Column("LOC/h median [p25-p75]", "rate", _rate_spread),
    Column(">500/h", "fast_share", lambda f: format_share(f.fast_share)),
    Column("stamps", "stamps", lambda f: f"{format_share(f.stamp_share)} ({f.rubber_stamps}/{f.approvals})"
           if f.approvals else "-"),
    Column("unopened", "unopened", lambda f: _count(f.unopened_chunks)),
    Column("coverage", "coverage", lambda f: format_share(f.coverage)),
    Column("stale", "stale", lambda f: _count(f.stale_approvals)),
    Column("first look", "first_look", lambda f: format_duration(f.first_look_median)),
    Column("senior gaps", "senior_gaps", lambda f: _count(f.senior_gaps)),
)
"""The grouped tables' columns, shared by the terminal, HTML and TUI views."""

WEEK_COLUMNS = ("changes", "chunks", "lines", "LOC/h median", "stamps", "unopened", "stale")
BAND_COLUMNS = ("chunks", "lines", "active", "time/floor", "LOC/h", "stamps")


def columns(names: Sequence[str] | None = None) -> list[Column]:
    if names is None:
        return list(COLUMNS)
    by_header = {c.header: c for c in (*COLUMNS, *EXTRA_COLUMNS)}
    return [by_header[name] for name in names]


EXTRA_COLUMNS: tuple[Column, ...] = (
    # Weeks show the median alone (their quartiles are not computed, to keep a long range fast).
    Column("LOC/h median", "rate", lambda f: format_rate(f.rate_median)),
    # AI bands have no quantiles: their rate is a ratio of sums over the timed approvals (QA47 #12f: beside
    # lines and active time that count flags too, "LOC/h 18,088" read as a wrong division under "rate")
    Column("LOC/h", "band_rate", lambda f: format_rate(f.rate)),
)


def band_columns() -> list[Column]:
    return columns(BAND_COLUMNS)


COMPACT_COLUMNS = ("changes", "chunks", "time/floor", "LOC/h median [p25-p75]", "stamps", "unopened",
                   "coverage", "stale", "senior gaps")  # senior gaps only where the seniors are known
"""What a narrow terminal keeps of the reviewer and tier tables (the rest is in --json/--csv/--html)."""


NARROW_WIDTH = 110
"""Below this many columns the tables keep only what an 80-column terminal can show whole."""
NARROW_COLUMNS = ("chunks", "time/floor", "LOC/h median", "stamps")
NARROW_WEEK_COLUMNS = ("chunks", "LOC/h median", "stamps", "stale")
NARROW_KEY_WIDTH = 24  # reviewer e-mail addresses are cut to this (32 where there is room)


def sections(report: StatsReport,
             width: int | None = None) -> list[tuple[str, str, list[Figures], list[Column]]]:
    """The grouped tables: (title, first column header, rows, columns), in reading order. Below 170
    columns the reviewer and tier tables keep the compact set, below NARROW_WIDTH the narrow one, rather
    than squash every header into "ti…" and "cha…"."""
    narrow = width is not None and width < NARROW_WIDTH
    compact = [name for name in COMPACT_COLUMNS if name != "senior gaps" or report.seniors_known]
    grouped = (columns(NARROW_COLUMNS) if narrow else columns(compact) if width is not None and width < 170
               else columns())
    return [
        ("Reviewers (by name; rates are normalised by the floor time, not ranked)", "reviewer",
         report.reviewers, grouped),
        # a decision records a tier: a chunk's its own, a whole-change approval the change's (the highest of its
        # files), so one change can count under one tier and its chunks under another ("Tier 2  0 changes  3
        # chunks" read as a bug without this)
        ("Tiers (as recorded: a chunk by its own, a change approval by the change's)", "tier",
         report.tiers, grouped),
        ("Weeks (ISO, UTC; a change in the week of its last decision)", "week", report.weeks,
         columns(NARROW_WEEK_COLUMNS if narrow else WEEK_COLUMNS)),
        ("AI share of reviewed code against time spent (is AI code read faster?)", "AI band", report.ai_bands,
         band_columns()),
    ]


def scope_line(report: StatsReport) -> str:
    q = report.query
    if q.repo:
        parts = [f"repo {q.repo_name} ({q.repo[:12]})" if q.repo_name else f"repo {q.repo[:12]}"]
    else:
        parts = ["all repositories"]
    data = report.to_dict()["filters"]
    if q.since is not None:
        parts.append(f"since {data['since'][:10]}")
    if q.until is not None:
        # the query's end is the next midnight; people asked for the day they named, inclusive
        last_day = dt.datetime.fromtimestamp(q.until - 1, dt.UTC).strftime("%Y-%m-%d")
        parts.append(f"through {last_day}")
    if q.reviewer:
        parts.append(f"reviewer {q.reviewer}")
    if q.tier is not None:
        parts.append(f"Tier {q.tier}")
    return " · ".join(parts)


EMPTY_HINT = (
    "No reviews recorded yet. To start: run `review-tui demo` (or `review-tui` in a repository), open a "
    "change, read a chunk and approve it (a); then `review-tui stats` has something to show."
)


def no_data_message(report: StatsReport) -> str:
    return f"No reviews match {scope_line(report)}. Widen the dates, or try --all."


def _approval_kinds(figures: Figures) -> str:
    """What the approvals are: chunk approvals and whole-change approvals of chunks not reviewed one by one; the
    sign-off of a change whose chunks were all reviewed is said apart, not counted again."""
    kinds = []
    if figures.change_approvals:
        kinds.append(f"{plural(figures.approvals - figures.change_approvals, 'chunk')}, "
                     f"{plural(figures.change_approvals, 'whole change')}")
    if figures.concluding_approvals:
        kinds.append(f"{plural(figures.concluding_approvals, 'sign-off')} of chunks already reviewed not counted "
                     "again")
    return f" ({'; '.join(kinds)})" if kinds else ""


def _no_rate(o: Figures) -> str:
    """Why there is no review rate: no approval at all (flags only: a flag stops at the first problem), or
    none of changed lines with reading time."""
    if not o.approvals:
        return "No approval yet, so there is no review rate (a flag stops at the first problem: it gives none)."
    return ("No chunk approval of changed lines was timed, so there is no review rate (change-level approvals carry "
            "no reading time; a binary file or a rename has no changed lines)"
            + (f"; time spent was {format_ratio(o.time_vs_floor)} the floor time." if o.time_vs_floor is not None
               else "."))


def _pace(ai: Figures, human: Figures) -> str:
    """Whether AI-heavy code got less or more reading than human-written code, judged by time/floor, which
    weighs size and complexity: by LOC/h, a one-line chunk stamped in 30 s of its 1 minute floor (120/h) read as
    "slower" than human code read to its floor at 298/h, while time/floor said 0.50x against 1.13x (QA64)."""
    if ai.time_vs_floor is None or human.time_vs_floor is None or ai.time_vs_floor == human.time_vs_floor:
        return ""
    return f" ({'faster' if ai.time_vs_floor < human.time_vs_floor else 'slower'} for their size and complexity)"


def summary_lines(report: StatsReport) -> list[str]:
    """The headline sentences (also used by the HTML report and the TUI)."""
    o = report.overall
    lines = [
        f"{plural(o.changes, 'change')} and {plural(o.chunks, 'chunk')} reviewed: "
        f"{plural(o.lines, 'changed line')} in "
        f"{format_duration(o.active_seconds)} of active time.",
        # how many reviews the median is of: "176,024 changed lines per hour" was the middle of two (QA47 #12f)
        (f"Median rate {format_rate(o.rate_median)} changed lines per hour of {plural(o.timed_chunks, 'timed chunk')}"
         f" (quartiles {format_rate(o.rate_p25)}-{format_rate(o.rate_p75)}); {format_share(o.fast_share)} of timed "
         f"chunk approvals were faster than {FLOOR_RATE:.0f}/h (the code rate: docs and tests are read faster); "
         f"time spent was {format_ratio(o.time_vs_floor)} the floor time." if o.rate_median is not None else
         # "Median rate - ... (quartiles ---); - of timed chunk reviews": no chunk approval was timed
         _no_rate(o)),
        f"Rubber stamps: {format_share(o.stamp_share)} of {plural(o.approvals, 'approval')}"
        f"{_approval_kinds(o)}; "
        f"{plural(o.unopened_chunks, 'chunk')} "
        f"approved unopened; coverage {format_share(o.coverage)}; {plural(o.stale_approvals, 'stale approval')}.",
    ]
    bands = {f.key: f for f in report.ai_bands}
    ai, human = bands.get("AI-heavy"), bands.get("human")
    if ai is not None and human is not None and ai.rate and human.rate:
        lines.append(
            f"AI-heavy chunks were read at {format_rate(ai.rate)} LOC/h against "
            f"{format_rate(human.rate)} for "
            f"human-written ones; time/floor {format_ratio(ai.time_vs_floor)} against "
            f"{format_ratio(human.time_vs_floor)}{_pace(ai, human)}."
        )
    if report.seniors_known:
        gaps = o.senior_gaps or 0
        lines.append(f"{plural(gaps, 'Tier 0/1 change')} {'was' if gaps == 1 else 'were'} approved without "
                     "the required senior.")
    if o.not_counted:
        many = o.not_counted != 1
        lines.append(f"{o.not_counted:,} approval{'s' if many else ''} of pending changes {'do' if many else 'does'} "
                     "not count for `review-tui check` (recorded without a reviewer identity, or unsigned or not "
                     "signed by an allowed key where the policy requires signatures).")
    if report.comments:
        lines.append(f"Comments: {report.comments:,} in {report.threads:,} thread{'s' if report.threads != 1 else ''} "
                     f"started, {report.open_threads:,} still open.")
    return lines


# -- terminal -------------------------------------------------------------------------------


def group_table(title: str, first: str, rows: list[Figures], cols: list[Column], full: bool = False,
                width: int | None = None, every: list[Column] | None = None) -> Group:
    """One group's title and table, fitting `width` columns (None: unbounded): keys are cut (to
    NARROW_KEY_WIDTH at the least; `full`, a pipe or file: never), then the last columns left out, rather
    than every cell squashed to "chu…" (the rest is in --json/--csv/--html). The title is a line of its
    own: as the table's title it wrapped at the table's width (a 40-column table at 160 columns). A line
    names the columns of `every` (the group's whole set) not shown."""
    heading = Text(title, style="bold")
    if width is None:
        return Group(heading, _group_table(first, rows, cols, None if full else 32))
    # full: keys whole, the last columns left out to fit the width asked for (--width, COLUMNS)
    # keys whole first when the table still fits (an address cut at 32 with 28 columns free at 160)
    key_widths: tuple[int | None, ...] = ((None,) if full else (NARROW_KEY_WIDTH,) if width < NARROW_WIDTH
                                          else (60, 32, NARROW_KEY_WIDTH))
    shown = cols[:1]
    for kept in range(len(cols), 0, -1):
        for key_width in key_widths:
            table = _group_table(first, rows, cols[:kept], key_width)
            if _table_width(table) <= width:
                shown = cols[:kept]
                break
        else:
            continue
        break
    parts: list[RenderableType] = [heading, table]
    meanings = {c.meaning for c in shown}  # "LOC/h median" shown is "LOC/h median [p25-p75]" without quartiles
    hidden = [c.header for c in (every or cols) if c.meaning not in meanings]
    if hidden:  # the legend defines them: say where they went; wrapped here, a TUI Static does not
        import textwrap

        note = (f"not shown at this width: {', '.join(hidden)} (a wider terminal, --width, or --json/--csv/--html "
                "have every column)")
        parts.append(Text(textwrap.fill(note, max(40, width - 4)), style="dim"))
    return Group(*parts)


def _group_table(first: str, rows: list[Figures], cols: list[Column], key_width: int | None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False)
    # Headers are Text: "[p25-p75]" must not be read as Rich markup.
    if key_width is None:
        table.add_column(Text(first), no_wrap=True, overflow="ignore")
    else:
        table.add_column(Text(first), no_wrap=True, overflow="ellipsis", max_width=key_width)
    for column in cols:
        table.add_column(Text(column.header), justify=column.justify, no_wrap=True)  # type: ignore[arg-type]
    for figures in rows:
        table.add_row(safe(figures.key, 500 if key_width is None else 60),
                      *[Text(column.show(figures)) for column in cols])
    return table


def _table_width(table: Table) -> int:
    """The cells `table` takes when nothing is squeezed."""
    console = Console(width=10_000, file=io.StringIO())
    return Measurement.get(console, console.options, table).maximum


def _bar(fraction: float, width: int) -> str:
    full = fraction * width
    whole = int(full)
    eighths = " ▏▎▍▌▋▊▉"
    rest = eighths[int((full - whole) * 8)] if whole < width else ""
    return ("█" * whole + rest.strip()).ljust(width)


def histogram_table(report: StatsReport, width: int = 40, floor_note: bool = True) -> Table:
    """Rate histogram with the 500 LOC/h line drawn between the bins below and above it (and, with
    `floor_note`, what the line means beside it)."""
    table = Table(title="Review rates of chunk reviews (changed lines per active hour)", title_justify="left",
                  box=None, pad_edge=False, show_header=False)
    table.add_column(justify="right", no_wrap=True, min_width=len("1,000-1,500"))
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    peak = max((n for _, _, n in report.histogram), default=report.rateless_approvals)
    peak = max(peak, report.rateless_approvals) or 1  # the "no rate" bar shares the scale
    for low, high, count in report.histogram:
        if low == FLOOR_RATE:
            table.add_row(Text(f"{FLOOR_RATE:.0f}", style="bold red"),
                          Text("┄" * width + f" {FLOOR_RATE:.0f} LOC/h" + (": faster reads miss defects"
                                                                         if floor_note else ""),
                               style="red"), "")
        label = f"{low:,.0f}+" if math.isinf(high) else f"{low:,.0f}-{high:,.0f}"
        style = "green" if high <= FLOOR_RATE else "red"
        table.add_row(label, Text(_bar(count / peak, width), style=style), f"{count:,}")
    table.add_row("no rate", Text(_bar(report.rateless_approvals / peak, width), style="magenta"),
                  f"{report.rateless_approvals:,}")
    return table


def trend_table(report: StatsReport, width: int = 40) -> Table:
    """Weekly share of approvals that were rubber stamps."""
    table = Table(title="Rubber-stamp share of approvals per week", title_justify="left", box=None,
                  pad_edge=False, show_header=False)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for week in report.weeks:
        share = week.stamp_share
        bar = Text(_bar(share or 0.0, width), style="red" if (share or 0) >= 0.25 else "yellow")
        table.add_row(week.key, bar, f"{format_share(share)} of {week.approvals:,}")
    return table


def legend(cols: Sequence[str] = tuple(MEANINGS)) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, title="What the numbers mean",
                  title_justify="left")
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    headers = {c.meaning: c.header for c in COLUMNS}
    for key in cols:
        table.add_row(Text(headers.get(key, key)), Text(MEANINGS[key]))
    return table


def render_rich(report: StatsReport, width: int = 160, full: bool = False, fit: bool = True) -> RenderableType:
    """The readable report: headline, grouped tables, the two pictures, the legend and the caveats.
    `full`: for a pipe or file, nothing is cut (see group_table); `fit`: the tables fit `width` (a pipe
    without --width or COLUMNS: they keep every column, whatever their width)."""
    if report.empty_ledger or report.no_data:
        return Group(Text(EMPTY_HINT if report.empty_ledger else no_data_message(report)),
                     *track_record_parts(report))
    bar_width = max(10, min(50, width - 40))
    parts: list[RenderableType] = [
        Panel(Text("\n".join(summary_lines(report))),
              title=Text(visible(f"Review stats: {scope_line(report)}")),
              title_align="left", expand=False),
    ]
    narrow = width < NARROW_WIDTH
    complete = {title: cols for title, _first, _rows, cols in sections(report)}
    for title, first, rows, cols in sections(report, width):
        if rows:
            parts.append(group_table(title, first, rows, cols, full, width if fit else None, complete[title]))
    parts.append(histogram_table(report, bar_width, floor_note=not narrow))
    if report.weeks:
        parts.append(trend_table(report, bar_width))
    parts.extend(track_record_parts(report))
    parts.append(legend())
    for note in report.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    return Group(*parts)


def track_record_parts(report: StatsReport) -> list[RenderableType]:
    """The AI track record table, or the one line saying there is none yet (nothing when neither applies)."""
    if report.track_record is not None:
        return [track_record_table(report.track_record)]
    return [Text(report.track_record_missing)] if report.track_record_missing else []


# -- machine-readable -----------------------------------------------------------------------


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def render_json(report: StatsReport) -> str:
    data = report.to_dict()
    if report.empty_ledger:
        data["message"] = EMPTY_HINT
    elif report.no_data:
        data["message"] = no_data_message(report)
    return json_text(_finite(data))


CSV_FIELDS = ("dimension", *Figures("").to_dict().keys())


def render_csv(report: StatsReport) -> str:
    """One row per group: dimension (overall, reviewer, tier, week, ai_band), then the raw numbers."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    groups = [("overall", [report.overall]), ("reviewer", report.reviewers), ("tier", report.tiers),
              ("week", report.weeks), ("ai_band", report.ai_bands)]
    for dimension, rows in groups:
        for figures in rows:
            row = {"dimension": dimension, **_finite(figures.to_dict())}
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
    return out.getvalue()
