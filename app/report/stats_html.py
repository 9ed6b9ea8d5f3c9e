"""`review-tui stats --html FILE`: one self-contained HTML file (inline CSS and SVG, no script, no
external asset) with the same tables and pictures as the terminal report, for sharing by mail or wiki.

Every text from the ledger (emails, keys) is HTML-escaped; the file never references the network.
"""

from __future__ import annotations

import html
import math

from app import __version__
from app.core.text import visible
from app.report.stats import FLOOR_RATE, MEANINGS, StatsReport, format_share
from app.report.stats_render import (
    COLUMNS,
    EMPTY_HINT,
    no_data_message,
    scope_line,
    sections,
    summary_lines,
)
from app.report.track_record import html_section

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1d232a;
       background: #fbfbfc; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.scope { color: #5b6570; margin-bottom: 16px; }
.summary { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 14px; }
.summary p { margin: 4px 0; }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; font-size: 13px; }
.scroll { overflow-x: auto; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e6e9ed; text-align: right; white-space: nowrap; }
th { background: #f1f3f5; font-weight: 600; } td:first-child, th:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
figure { margin: 0; background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 8px; }
figcaption { font-weight: 600; margin: 2px 4px 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; } dt { font-weight: 600; }
dd { margin: 0; color: #3a444e; } .note { color: #6b7580; }
"""


def _e(value: object) -> str:
    return html.escape(visible(str(value)), quote=True)


def count_ticks(peak: int, most: int = 5) -> list[int]:
    """Axis ticks for counts up to `peak`: whole numbers at a 1/2/5 x 10^n step, distinct, from 0 to
    the first tick at or above the peak, at most `most` of them (0, 1, 2 for a peak of 2, never 0, 0, 1, 2, 2)."""
    peak = max(1, math.ceil(peak))
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            count = -(-peak // step) + 1  # 0 .. the first multiple of step >= peak
            if count <= most:
                return [step * i for i in range(count)]
        magnitude *= 10


def histogram_svg(report: StatsReport, width: int = 520, height: int = 260) -> str:
    """Bars of chunk reviews per rate bin, green below 500 LOC/h and red above, with the 500 line."""
    bins = [*report.histogram, (math.nan, math.nan, report.rateless_approvals)]
    left, bottom, top = 44, 48, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    slot = plot_w / len(bins)
    ticks = count_ticks(max((n for _, _, n in bins), default=0))
    peak = ticks[-1]  # the axis ends at the top tick, so bars and labels share one scale
    parts = [f'<svg width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="histogram of review rates">']
    for tick in ticks:
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#eceff2"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
                     f'fill="#6b7580">{tick:,}</text>')
    line_x = None
    for i, (low, high, count) in enumerate(bins):
        x = left + i * slot
        bar_h = plot_h * count / peak
        untimed = math.isnan(low)
        colour = "#9b59b6" if untimed else ("#2e9d5b" if high <= FLOOR_RATE else "#d64541")
        label = "no rate" if untimed else (f"{low / 1000:,.0f}k+" if math.isinf(high) else f"{low:,.0f}")
        parts.append(f'<rect x="{x + 2:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot - 4:.1f}" '
                     f'height="{bar_h:.1f}" fill="{colour}"><title>{_e(label)}: {count:,}</title></rect>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + plot_h + 14}" font-size="10" '
                     f'text-anchor="middle" fill="#3a444e">{_e(label)}</text>')
        if not untimed and low == FLOOR_RATE:
            line_x = x
    if line_x is not None:
        parts.append(f'<line x1="{line_x:.1f}" y1="{top - 6}" x2="{line_x:.1f}" y2="{top + plot_h}" '
                     f'stroke="#b3261e" stroke-width="2" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{line_x + 4:.1f}" y="{top + 4}" font-size="11" fill="#b3261e">'
                     f'{FLOOR_RATE:.0f} LOC/h</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
                 f'fill="#3a444e">changed lines per active hour (bin start)</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(report: StatsReport, width: int = 520, height: int = 260) -> str:
    """Weekly rubber-stamp share of approvals as a line with points, 0-100%."""
    weeks = [w for w in report.weeks if w.approvals]
    left, bottom, top, right = 44, 48, 16, 14
    plot_w, plot_h = width - left - right, height - bottom - top
    parts = [f'<svg width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="weekly rubber-stamp share">']
    for tick in range(5):
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#eceff2"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
                     f'fill="#6b7580">{tick * 25}%</text>')
    if weeks:
        step = plot_w / max(len(weeks) - 1, 1)
        points = []
        for i, week in enumerate(weeks):
            x = left + (i * step if len(weeks) > 1 else plot_w / 2)
            y = top + plot_h - plot_h * (week.stamp_share or 0.0)
            points.append((x, y, week))
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#d64541" stroke-width="2"/>')
        label_every = max(1, math.ceil(len(points) / 8))
        for i, (x, y, week) in enumerate(points):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#d64541"><title>{_e(week.key)}: '
                         f'{format_share(week.stamp_share)} of {week.approvals:,} approvals</title></circle>')
            last = i == len(points) - 1
            if last or (i % label_every == 0 and len(points) - 1 - i >= label_every):
                anchor = "end" if last and len(points) > 1 else "middle"
                parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" '
                             f'text-anchor="{anchor}" '
                             f'fill="#3a444e">{_e(week.key)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
                 f'fill="#3a444e">share of approvals that were rubber stamps, per ISO week</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: StatsReport) -> str:
    """The whole report as one HTML document."""
    name = report.query.repo_name
    heading = f"review-tui stats: {name}" if name else "review-tui stats"
    body: list[str] = [f"<h1>{_e(heading)}</h1><div class='scope'>{_e(scope_line(report))}</div>"]
    if report.empty_ledger or report.no_data:
        message = EMPTY_HINT if report.empty_ledger else no_data_message(report)
        body.append(f"<div class='summary'><p>{_e(message)}</p></div>")
    else:
        body.append("<div class='summary'>" + "".join(f"<p>{_e(line)}</p>" for line in summary_lines(report))
                    + "</div>")
        body.append("<h2>Charts</h2><div class='charts'>"
                    "<figure><figcaption>Review rates of chunk reviews</figcaption>"
                    f"{histogram_svg(report)}</figure>"
                    "<figure><figcaption>Rubber-stamp share per week</figcaption>"
                    f"{trend_svg(report)}</figure>"
                    "</div>")
        for title, first, rows, cols in sections(report):
            if not rows:
                continue
            head = "".join(f"<th>{_e(c.header)}</th>" for c in cols)
            lines = "".join(
                f"<tr><td>{_e(f.key)}</td>" + "".join(f"<td>{_e(c.show(f))}</td>" for c in cols) + "</tr>"
                for f in rows
            )
            body.append(f"<h2>{_e(title)}</h2><div class='scroll'><table><thead><tr>"
                        f"<th>{_e(first)}</th>{head}"
                        f"</tr></thead><tbody>{lines}</tbody></table></div>")
        headers = {c.meaning: c.header for c in COLUMNS}
        body.append("<h2>What the numbers mean</h2><dl>" + "".join(
            f"<dt>{_e(headers.get(k, k))}</dt><dd>{_e(v)}</dd>" for k, v in MEANINGS.items()) + "</dl>")
        body.extend(f"<p class='note'>note: {_e(note)}</p>" for note in report.notes)
    if report.track_record is not None or report.track_record_missing:
        body.append(html_section(report.track_record, report.track_record_missing))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(heading)}</title><style>{CSS}</style></head><body>"
        + "".join(body)
        + f"<p class='note'>generated by review-tui {_e(__version__)}</p></body></html>\n"
    )
