"""`review-tui calibrate`'s output: the rich tables, the JSON document and the self-contained HTML
report (inline SVG effort curve, no script, nothing fetched; every piece of repository text escaped)."""

from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.calibration.run import ADOPT_RULE, Calibration, ToolRecord
from app.report.track_record import follow_up_lines

if TYPE_CHECKING:
    from rich.console import RenderableType

METRIC_NAMES = {"auc": "AUC", "recall_top20": "recall, top 20% of changes",
                "recall_lines20": "recall at 20% of changed lines", "popt": "Popt"}
MODEL_NAMES = {"own": "this repository's own model", "defaults": "built-in defaults", "size": "size alone"}
NO_AI = "no AI signal"
KEPT = ("This track record is kept (models.db, every run): `review-tui stats` shows the latest, and the why panel "
        "and `explain` cite it where AI share moves a change's likelihood.")


@dataclass
class CalibrationRun:
    """A calibration and what became of it."""

    repository: str
    calibration: Calibration
    outcome: str  # one sentence: stored / kept the defaults / removed an older stored model
    cached: bool
    seconds: float
    capped: bool = False  # the studied commits are the default's newest (no --max-commits, no --since)
    window_days: int = 365  # [calibrate] window_days: how long after a change a fix is traced to it


def follow_up_caveats(run: CalibrationRun) -> list[str]:
    """The groups whose changes are mostly too recent for their rate to be final (track_record.follow_up_lines)."""
    return follow_up_lines(run.calibration.records, run.window_days)


def _num(value: float) -> float | None:
    return None if not math.isfinite(value) else round(value, 4)


def _tool_name(record: ToolRecord) -> str:
    return record.tool if record.tool is not None else NO_AI


def to_json(run: CalibrationRun) -> dict[str, Any]:
    c = run.calibration
    lab = c.labelled
    samples = lab.samples
    return {
        "repository": run.repository, "head": lab.head, "first_parent_commits": lab.commits,
        "studied": len(samples), "default_max_commits_applied": run.capped,
        "first": samples[0].sha if samples else None,
        "last": samples[-1].sha if samples else None,
        "missing_objects": lab.missing_objects,
        "fix_commits": lab.fixes, "fixes_traced": lab.traced, "defect_inducing": lab.inducing,
        "base_rate": _num(lab.inducing / len(samples)) if samples else None,
        "split": {"older": c.train, "older_defect_inducing": c.train_positive,
                  "newer_code_touching": c.test, "newer_defect_inducing": c.test_positive},
        "features": list(c.features),
        "metrics": {f.name: {m: {"value": _num(v), "low": _num(lo), "high": _num(hi)}
                             for m, (v, lo, hi) in f.metrics.items()} for f in c.figures},
        "rule": ADOPT_RULE, "own_model_wins": c.adopt, "outcome": run.outcome,
        "own_model": {"intercept": round(c.own.intercept, 4),
                      "coefficients": {k: round(v, 4) for k, v in c.own.coefficients.items()}},
        "ai_track_record": [{"tool": r.tool, "changes": r.changes, "later_fixed": r.fixed,
                             "rate": _num(r.rate[0]), "low": _num(r.rate[1]), "high": _num(r.rate[2]),
                             "median_follow_up_days": _num(r.follow_up_days)}
                            for r in c.records],
        "cached": run.cached,
    }


def _interval(value: tuple[float, float, float]) -> str:
    v, lo, hi = value
    if not math.isfinite(v):
        return "-"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{v:.3f}"
    return f"{v:.3f} [{lo:.2f}-{hi:.2f}]"  # no space: a cell never wraps inside its interval


def summary_lines(run: CalibrationRun) -> list[str]:
    c = run.calibration
    lab = c.labelled
    n = len(lab.samples)
    rate = lab.inducing / n if n else math.nan
    skipped = ([f"{lab.missing_objects} {'commit' if lab.missing_objects == 1 else 'commits'} of the studied span "
                "left out: a file they change is missing from the repository's objects (a partial or damaged "
                "clone); they are neither measured nor traced as fixes, and the labels are not cached (content "
                "fetched later would change them): each run labels the history again."] if lab.missing_objects else [])
    newest = (" (the newest: --max-commits 0 studies them all)"
              if run.capped and n + lab.missing_objects < lab.commits else "")
    return [
        f"{n} commits studied of {lab.commits} on the first-parent line{newest} ({lab.head[:10]}); "
        f"{lab.fixes} fix commits, {lab.traced} traced to earlier commits; {lab.inducing} defect-inducing "
        f"(base rate {rate:.3f}).",
        f"Fitted on the older {c.train} commits ({c.train_positive} defect-inducing); tested on the newer half's "
        f"{c.test} code-touching commits ({c.test_positive} defect-inducing). Values with 95% bootstrap intervals.",
        *skipped,
        *_size_wins(c),
    ]


def _size_wins(c: Calibration) -> list[str]:
    """A line when the changes' size alone ranked the newer half better than the model in use: on rubygems.org size
    had AUC 0.823 against the defaults' 0.792 and nothing said so (QA57)."""
    used = c.figure("own" if c.adopt else "defaults").metrics["auc"][0]
    size = c.figure("size").metrics["auc"][0]
    if not (math.isfinite(used) and math.isfinite(size)) or size <= used:
        return []
    model = MODEL_NAMES["own"] if c.adopt else "the built-in defaults"
    return [f"Size alone ranked the newer half better than {model} "
            f"(AUC {size:.3f} against {used:.3f}): on this history the other factors do not improve on the changes' "
            "size; each factor's part is still shown in the why panel."]


def render_rich(run: CalibrationRun) -> list[RenderableType]:
    from rich.table import Table
    from rich.text import Text

    c = run.calibration
    out: list[RenderableType] = [Text(line) for line in summary_lines(run)]
    metrics = Table(title="Ranking the newer half", title_justify="left", show_edge=False)
    metrics.add_column("metric", min_width=16)
    for figure in c.figures:
        # Headers on two lines at most ("this repository's / own model"): the figures' cells never wrap.
        header = textwrap.fill(MODEL_NAMES[figure.name], 17)
        metrics.add_column(header, justify="right", no_wrap=True)
    for key, name in METRIC_NAMES.items():
        metrics.add_row(name, *[_interval(f.metrics[key]) for f in c.figures])
    out.append(metrics)
    record = Table(title="AI track record: share of changes later fixed", title_justify="left", show_edge=False)
    for column in ("changes by", "changes", "later fixed", "rate [95%]"):
        record.add_column(column, justify="left" if column == "changes by" else "right",
                          no_wrap=column == "rate [95%]")
    for r in c.records:
        record.add_row(Text(_tool_name(r)), str(r.changes), str(r.fixed), _interval(r.rate))
    out.append(record)
    out.extend(Text(line, style="yellow") for line in follow_up_caveats(run))
    out.append(Text(KEPT, style="dim"))
    out.append(Text(f"Rule: {ADOPT_RULE}."))
    out.append(Text(run.outcome))
    return out


# -- HTML ------------------------------------------------------------------------------------------

_COLOURS = {"own": "#1f77b4", "defaults": "#d62728", "size": "#7f7f7f", "optimal": "#2ca02c"}


def effort_svg(curves: dict[str, list[tuple[float, float]]], size: int = 360) -> str:
    """The effort curve (share of defect-inducing commits found against share of changed lines read)."""
    pad = 40
    inner = size - 2 * pad
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 160}" height="{size}" '
             f'role="img" aria-label="effort curve">',
             f'<rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" fill="none" stroke="#999"/>',
             f'<line x1="{pad}" y1="{pad + inner}" x2="{pad + inner}" y2="{pad}" stroke="#ccc" '
             'stroke-dasharray="4 4"/>']
    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        x = pad + tick * inner
        y = pad + (1 - tick) * inner
        parts.append(f'<text x="{x:.1f}" y="{pad + inner + 14}" font-size="10" text-anchor="middle">{tick:.1f}</text>')
        parts.append(f'<text x="{pad - 6}" y="{y + 3:.1f}" font-size="10" text-anchor="end">{tick:.1f}</text>')
    parts.append(f'<text x="{pad + inner / 2}" y="{size - 4}" font-size="11" text-anchor="middle">'
                 'share of changed lines read</text>')
    parts.append(f'<text x="12" y="{pad + inner / 2}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 12 {pad + inner / 2})">share of defect-inducing found</text>')
    for row, (name, points) in enumerate(curves.items()):
        colour = _COLOURS.get(name, "#000")
        coords = " ".join(f"{pad + x * inner:.1f},{pad + (1 - y) * inner:.1f}" for x, y in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
        label = html.escape(MODEL_NAMES.get(name, name))
        parts.append(f'<rect x="{size + 4}" y="{pad + row * 18}" width="12" height="3" fill="{colour}"/>')
        parts.append(f'<text x="{size + 20}" y="{pad + row * 18 + 5}" font-size="11">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(run: CalibrationRun, name: str | None = None) -> str:
    """The report as one HTML page, titled with `name` (what a person calls the repository, as
    `stats --html` is) else the path it ran in."""
    c = run.calibration
    esc = html.escape
    title = name or run.repository
    rows = "".join(f"<tr><td>{esc(name)}</td>" + "".join(
        f"<td>{esc(_interval(f.metrics[key]))}</td>" for f in c.figures) + "</tr>"
        for key, name in METRIC_NAMES.items())
    heads = "".join(f"<th>{esc(MODEL_NAMES[f.name])}</th>" for f in c.figures)
    tools = "".join(f"<tr><td>{esc(_tool_name(r))}</td><td>{r.changes}</td><td>{r.fixed}</td>"
                    f"<td>{esc(_interval(r.rate))}</td></tr>" for r in c.records)
    coefficients = "".join(f"<tr><td>{esc(k)}</td><td>{v:+.3f}</td></tr>" for k, v in c.own.coefficients.items())
    summary = "".join(f"<p>{esc(line)}</p>" for line in summary_lines(run))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>review-tui calibrate: {esc(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:60em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}}</style>
</head><body>
<h1>Calibration of {esc(title)}</h1>
{summary}
<h2>Ranking the newer half</h2>
<table><tr><th>metric</th>{heads}</tr>{rows}</table>
<h2>Effort curve (newer half, ranked by likelihood per changed line)</h2>
{effort_svg(c.curves)}
<h2>AI track record: share of changes later fixed</h2>
<table><tr><th>changes by</th><th>changes</th><th>later fixed</th><th>rate [95%]</th></tr>{tools}</table>
{"".join(f"<p>{esc(line)}</p>" for line in follow_up_caveats(run))}
<p>{esc(KEPT)}</p>
<h2>The repository's own model (standardised coefficients, fitted on the older half)</h2>
<table><tr><th>feature</th><th>log-odds per sd</th></tr>{coefficients}</table>
<p>Rule: {esc(ADOPT_RULE)}.</p>
<p><strong>{esc(run.outcome)}</strong></p>
</body></html>
"""
