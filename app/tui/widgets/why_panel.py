"""Renderables for the change screen: why a change scored what it did, and who wrote what.

Pure functions from a ChangeDetail (or its report's extra) to Rich renderables, so the change
screen stays about layout and the content can be tested on its own. All repository text passes
through one_line()/visible() into Text objects: a "[bold]" in a commit message shows literally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from app.core.text import one_line

FACTOR_NAMES = {
    "tier": "tier",
    "destructive": "destructive ops",
    "ai_share": "AI share",
    "complexity": "complexity",
    "size": "size",
    "spread": "spread",
    "history": "churn history",
    "experience": "author experience",
    "tests": "tests",
}


def _raw(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return one_line(str(value), 20)


def factor_total(factors: Sequence[Mapping[str, Any]]) -> float:
    """The sum of the contributions, rounded like the score (app.core.risk.score makes them equal)."""
    return round(sum(float(f.get("contribution", 0.0)) for f in factors), 1)


def factors_table(extra: Mapping[str, Any], *, narrow: bool = False) -> Table:
    """The score's factors: raw value, normalised 0..1, weight, contribution, explanation; a total
    row shows that the contributions add up to the score. `narrow` drops raw and weight."""
    table = Table(box=None, pad_edge=False, expand=True, show_edge=False, header_style="bold")
    table.add_column("factor", no_wrap=True)
    if not narrow:
        table.add_column("raw", justify="right", no_wrap=True)
    table.add_column("norm", justify="right", no_wrap=True)
    if not narrow:
        table.add_column("weight", justify="right", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("why", ratio=1, overflow="fold")
    factors = list(extra.get("factors") or [])
    for factor in sorted(factors, key=lambda f: -float(f.get("contribution", 0.0))):
        contribution = float(factor.get("contribution", 0.0))
        style = "" if contribution > 0 else "dim"
        name = Text(FACTOR_NAMES.get(str(factor.get("name")), one_line(str(factor.get("name")), 30)), style=style)
        cells: list[Text] = [name]
        if not narrow:
            cells.append(Text(_raw(factor.get("raw")), style=style))
        cells.append(Text(f"{float(factor.get('normalised', 0.0)):.2f}", style=style))
        if not narrow:
            cells.append(Text(f"{float(factor.get('weight', 0.0)):g}", style=style))
        cells.append(Text(f"{contribution:.1f}", style="bold" if contribution > 0 else "dim"))
        cells.append(Text(one_line(str(factor.get("explanation", "")), 300), style=style))
        table.add_row(*cells)
    total = factor_total(factors)
    score = extra.get("score")
    table.add_section()
    total_cells: list[Text] = [Text("total", style="bold")]
    total_cells += [Text("")] * (3 if not narrow else 1)
    total_cells.append(Text(f"{total:.1f}", style="bold"))
    band = one_line(str(extra.get("band", "")), 20)
    reason = one_line(str(extra.get("band_reason", "")), 120)
    summary = f"= score {float(score):.1f}, {band}" if score is not None else "no score"
    total_cells.append(Text(f"{summary} ({reason})" if reason else summary, style="bold"))
    table.add_row(*total_cells)
    return table


def tier_section(extra: Mapping[str, Any]) -> RenderableType:
    tier = extra.get("tier")
    reasons = list(extra.get("tier_reasons") or [])
    text = Text()
    text.append(f"Tier T{tier}" if tier is not None else "Tier unknown", style="bold")
    if not reasons:
        text.append("  (no rule matched: default tier)", style="dim")
    for reason in reasons:
        text.append("\n  • ")
        text.append(one_line(str(reason), 300))
    return text


def destructive_section(extra: Mapping[str, Any]) -> RenderableType:
    ops = list(extra.get("destructive_ops") or [])
    text = Text()
    text.append(f"Destructive operations: {len(ops)}" if ops else "Destructive operations: none found",
                style="bold")
    for op in ops:
        where = one_line(str(op.get("path", "?")), 120)
        if op.get("line") is not None:
            where += f":{op['line']}"
        text.append("\n  ☠ ", style="bold")
        text.append(where, style="bold")
        side = op.get("side")
        if side == "old":
            text.append(" (removed line)", style="dim")
        text.append("  " + one_line(str(op.get("explanation", "")), 300))
        if op.get("text"):
            text.append("\n      " + one_line(str(op["text"]), 200), style="dim italic")
    return text


def ai_section(extra: Mapping[str, Any]) -> RenderableType:
    tools = [one_line(str(t), 60) for t in extra.get("ai_tools") or []]
    share = float(extra.get("ai_share") or 0.0)
    text = Text()
    text.append("AI: ", style="bold")
    if tools or share:
        text.append(f"{share:.0%} of added lines", style="bold")
        if extra.get("ai_added") is not None:
            text.append(f" ({extra['ai_added']} lines)")
        text.append(f" · tools: {', '.join(tools) if tools else 'unknown'}")
    else:
        text.append("no AI tool signalled in commits, notes or authors")
    method = extra.get("ai_method")
    if method:
        text.append(f"\n  how it was measured: {one_line(str(method), 200)}", style="dim")
    for note in extra.get("ai_notes") or []:
        text.append("\n  ⚠ ")
        text.append(one_line(str(note), 300))
    return text


def complexity_section(extra: Mapping[str, Any]) -> RenderableType:
    text = Text()
    text.append("Complexity: ", style="bold")
    if extra.get("complexity_pending"):
        text.append("still being measured…", style="dim")
        return text
    text.append(f"+{extra.get('complexity_added', 0)} cyclomatic")
    worst = extra.get("worst_function")
    if worst:
        text.append(f" · worst {one_line(str(worst.get('name')), 80)} CC {worst.get('complexity')}"
                    f" (grade {one_line(str(worst.get('grade')), 3)}) in {one_line(str(worst.get('path')), 100)}")
    for path, error in (extra.get("complexity_errors") or {}).items():
        text.append(f"\n  ⚠ {one_line(str(path), 100)}: {one_line(str(error), 200)}", style="dim")
    return text


def why_renderable(extra: Mapping[str, Any], *, narrow: bool = False) -> RenderableType:
    """The whole "why" panel: factors with their total, tier reasons, destructive ops, AI, complexity."""
    return Group(
        factors_table(extra, narrow=narrow),
        Text(""),
        tier_section(extra),
        Text(""),
        destructive_section(extra),
        Text(""),
        ai_section(extra),
        Text(""),
        complexity_section(extra),
    )


def top_factors(extra: Mapping[str, Any], count: int = 3) -> Text:
    """"tier 30.0 · destructive ops 20.0 · AI share 9.5": the biggest contributions, for a header."""
    factors = sorted(extra.get("factors") or [], key=lambda f: -float(f.get("contribution", 0.0)))
    parts = [f for f in factors if float(f.get("contribution", 0.0)) > 0][:count]
    text = Text()
    for i, factor in enumerate(parts):
        if i:
            text.append(" · ", style="dim")
        text.append(FACTOR_NAMES.get(str(factor.get("name")), one_line(str(factor.get("name")), 30)))
        text.append(f" {float(factor['contribution']):.1f}", style="bold")
    return text
