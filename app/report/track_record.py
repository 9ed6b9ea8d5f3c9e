"""The AI track record of the latest `review-tui calibrate` run (app/storage/models.py), as others
show it: a rich table and a JSON document for `stats`, an HTML section for its report, and the one
line of evidence the why panel and `explain` give when AI share moves a change's likelihood.

Tool names come from commit trailers, authors and notes (repository content): they pass through
one_line() and reach Rich only inside Text objects, so markup in them shows as text.
"""

from __future__ import annotations

import html
import math
import shlex
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.core.text import one_line, percent, plural

if TYPE_CHECKING:
    from rich.console import RenderableType

    from app.analysis.report import Assessment
    from app.core.calibration.run import ToolRecord
    from app.storage.models import TrackRecordRun

NO_AI = "no AI signal"
TITLE = "AI track record: share of changes later fixed"


def no_record_line(repo_arg: str | None = None) -> str:
    """The one line shown instead of an empty table when the repository was never calibrated."""
    command = "review-tui calibrate" + (f" --repo {shlex.quote(repo_arg)}" if repo_arg else "")
    return (f"AI track record: none yet - run `{one_line(command, 300)}` to measure how often changes by each AI "
            "tool were later fixed in this repository.")


ALL_REPOS_LINE = "AI track record: kept per repository - run `review-tui stats --repo PATH` to see one."


def day(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")


def tool_name(record: ToolRecord) -> str:
    return one_line(record.tool, 60) if record.tool is not None else NO_AI


def _num(value: float) -> float | None:
    return round(value, 4) if math.isfinite(value) else None


def interval(record: ToolRecord) -> str:
    """"30% (17%-46%)", or "-" for a tool without changes."""
    rate, low, high = record.rate
    if not math.isfinite(rate):
        return "-"
    if not (math.isfinite(low) and math.isfinite(high)):
        return percent(rate)
    return f"{percent(rate)} ({percent(low)}-{percent(high)})"


def follow_up_lines(records: Iterable[ToolRecord], window_days: int | None) -> list[str]:
    """The groups whose changes are mostly too recent for their later-fix rate to be final, in one line (a fix is
    traced within `window_days` of a change; None: a run stored before the window was kept: no line)."""
    if window_days is None:
        return []
    recent = [r for r in records if r.changes and r.follow_up_days < window_days]
    if len(recent) == 1:
        (r,) = recent
        days = round(r.follow_up_days)
        last = "day" if days <= 1 else f"{days} days"  # "the last 0 days" for changes a day old (QA55 F8)
        return [f"{tool_name(r)}: half its changes landed in the last {last} of the studied "
                f"history, less than the {window_days} days a later fix is traced within: its rate can still rise."]
    if not recent:
        return []
    # one line, not one sentence per group: pydantic-ai's nine groups made seven lines of the same words
    groups = ", ".join(f"{tool_name(r)} (median age {plural(round(r.follow_up_days), 'day')})" for r in recent)
    return [f"Rates that can still rise, their changes mostly younger than the {window_days} days a later fix is "
            f"traced within (ages counted back from the end of the studied history): {groups}."]


def source_line(run: TrackRecordRun) -> str:
    """Where the figures come from: the run's day, the studied commits and their range."""
    return (f"From the calibrate of {day(run.run_at)}: {run.studied:,} first-parent commits studied "
            f"({run.first_commit[:10]}..{run.last_commit[:10]}, {day(run.first_time)} to {day(run.last_time)}), "
            f"{run.fix_commits:,} fix commits, {run.defect_inducing:,} changes later fixed; "
            f"{'the own model was adopted' if run.own_model_adopted else 'the built-in defaults stayed in use'}. "
            "Intervals: 95% Wilson.")


def to_json(run: TrackRecordRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "calibrated_at": datetime.fromtimestamp(run.run_at, UTC).isoformat(timespec="seconds"),
        "head": run.head, "first_commit": run.first_commit, "last_commit": run.last_commit,
        "first_commit_time": datetime.fromtimestamp(run.first_time, UTC).isoformat(timespec="seconds"),
        "last_commit_time": datetime.fromtimestamp(run.last_time, UTC).isoformat(timespec="seconds"),
        "studied": run.studied, "first_parent_commits": run.first_parent_commits,
        "fix_commits": run.fix_commits, "defect_inducing": run.defect_inducing,
        "own_model_adopted": run.own_model_adopted, "interval": "wilson-95", "window_days": run.window_days,
        "tools": [{"tool": r.tool, "changes": r.changes, "later_fixed": r.fixed, "rate": _num(r.rate[0]),
                   "low": _num(r.rate[1]), "high": _num(r.rate[2]), "median_follow_up_days": _num(r.follow_up_days)}
                  for r in run.records],
        "caveats": follow_up_lines(run.records, run.window_days),
    }


def rich_table(run: TrackRecordRun) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(TITLE, style="bold"), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("changes by", "changes", "later fixed", "rate (95% interval)"):
        table.add_column(Text(column), justify="left" if column == "changes by" else "right", no_wrap=True)
    for r in run.records:
        table.add_row(Text(tool_name(r), style="dim" if r.tool is None else ""), Text(f"{r.changes:,}"),
                      Text(f"{r.fixed:,}"), Text(interval(r)))
    caveats = [Text(line, style="yellow") for line in follow_up_lines(run.records, run.window_days)]
    return Group(table, *caveats, Text(source_line(run), style="dim"))


def html_section(run: TrackRecordRun | None, missing: str) -> str:
    esc = html.escape
    if run is None:
        return f"<h2>{esc(TITLE)}</h2><p>{esc(missing)}</p>"
    rows = "".join(f"<tr><td>{esc(tool_name(r))}</td><td>{r.changes:,}</td><td>{r.fixed:,}</td>"
                   f"<td>{esc(interval(r))}</td></tr>" for r in run.records)
    return (f"<h2>{esc(TITLE)}</h2><div class='scroll'><table><thead><tr><th>changes by</th><th>changes</th>"
            f"<th>later fixed</th><th>rate (95% interval)</th></tr></thead><tbody>{rows}</tbody></table></div>"
            + "".join(f"<p>{esc(line)}</p>" for line in follow_up_lines(run.records, run.window_days))
            + f"<p class='note'>{esc(source_line(run))}</p>")


def ai_moves_likelihood(found: Assessment) -> bool:
    """The change carries an AI signal and the likelihood model's AI share factor moves its log-odds."""
    if not (found.ai.share > 0 or found.ai.tools):
        return False
    return any(f.name == "ai_share" and f.kind != "impact" and abs(float(f.effect)) >= 0.005
               for f in found.risk.factors)


def evidence_line(run: TrackRecordRun | None, found: Assessment | None) -> str | None:
    """"AI track record here: claude 12 of 40 later fixed (30%, 17%-46%) vs 8.0% without AI signals
    (calibrate of 2026-12-03, 1,204 commits)" - when the change carries an AI signal and AI share
    moves its likelihood and the repository was calibrated; None otherwise."""
    if run is None or found is None or not ai_moves_likelihood(found):
        return None
    parts: list[str] = []
    for tool in found.ai.tools or ("",):
        record = run.record_of(tool) if tool else None
        name = one_line(tool, 60) if tool else "AI tools"
        if record is None and not tool:
            fixed = sum(r.fixed for r in run.records if r.tool is not None)
            changes = sum(r.changes for r in run.records if r.tool is not None)
            parts.append(f"{name} {fixed:,} of {changes:,} later fixed" + (
                f" ({percent(fixed / changes)})" if changes else ""))
        elif record is None or not record.changes:
            parts.append(f"{name}: no changes in the calibrated history")
        else:
            parts.append(f"{name} {record.fixed:,} of {record.changes:,} later fixed ({_paren(record)})")
    baseline = run.record_of(None)
    versus = (f" vs {percent(baseline.rate[0])} without AI signals"
              if baseline is not None and baseline.changes and math.isfinite(baseline.rate[0]) else "")
    return (f"AI track record here: {'; '.join(parts)}{versus} "
            f"(calibrate of {day(run.run_at)}, {run.studied:,} commits)")


def _paren(record: ToolRecord) -> str:
    rate, low, high = record.rate
    if math.isfinite(low) and math.isfinite(high):
        return f"{percent(rate)}, {percent(low)}-{percent(high)}"
    return percent(rate)
