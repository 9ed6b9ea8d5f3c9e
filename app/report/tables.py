"""Rich tables for the CLI. Every value from a repository is wrapped in Text (never parsed as
markup) and passed through `visible` (never emits control characters)."""

from __future__ import annotations

import time
from typing import Any

from rich.table import Table
from rich.text import Text

from app.core.text import one_line

BAND_STYLES = {"low": "green", "medium": "yellow", "high": "dark_orange", "critical": "bold red"}


def safe(value: Any, limit: int = 200) -> Text:
    return Text(one_line(str(value), limit))


def human_age(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("y", 31_536_000), ("mo", 2_592_000), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    if h:
        return f"{h}h{m:02d}m"
    if m:
        return f"{m}m{s:02d}s"
    return f"{s}s"


def change_table(reports, *, base: str | None = None) -> Table:
    now = time.time()
    title = f"Pending changes against {one_line(base, 60)}" if base else "Pending changes"
    table = Table(title=title, title_justify="left", expand=False)
    has_score = any("score" in r.extra for r in reports)
    table.add_column("#", justify="right", style="dim")
    if has_score:
        table.add_column("score", justify="right")
        table.add_column("tier", justify="center")
        table.add_column("AI", justify="right")
        table.add_column("CC+", justify="right")
    table.add_column("change", overflow="fold", max_width=36)
    table.add_column("+/-", justify="right")
    table.add_column("files", justify="right")
    if any("chunks" in r.extra for r in reports):
        table.add_column("chunks", justify="right")
        table.add_column("floor", justify="right")
    table.add_column("title", overflow="ellipsis", max_width=48, no_wrap=True)
    table.add_column("author", overflow="ellipsis", max_width=20, no_wrap=True)
    table.add_column("age", justify="right")
    for rank, r in enumerate(reports, 1):
        data = r.to_json(now)
        row: list[Any] = [str(rank)]
        if has_score:
            score, band = data.get("score"), data.get("band")
            row.append(Text(f"{score:.0f} {band}" if score is not None else "-", style=BAND_STYLES.get(band, "")))
            tier = data.get("tier")
            row.append(Text(f"T{tier}" if tier is not None else "-"))
            share = data.get("ai_share")
            row.append(Text(f"{share:.0%}" if share else "-"))
            row.append(Text(str(data.get("complexity_added", "-"))))
        row.append(safe(r.id, 80))
        if data["error"]:
            row += [Text("-"), Text("-")]
            if any("chunks" in x.extra for x in reports):
                row += [Text("-"), Text("-")]
            row += [Text(one_line(data["error"], 120), style="red"), Text(""), Text("")]
        else:
            row.append(Text.assemble((f"+{data['lines_added']}", "green"), "/", (f"-{data['lines_deleted']}", "red")))
            row.append(Text(str(data["files"])))
            if any("chunks" in x.extra for x in reports):
                row.append(Text(str(data.get("chunks", "-"))))
                row.append(Text(human_duration(data.get("floor_seconds"))))
            authors = data["authors"]
            author = authors[0].split(" <")[0] if authors else "-"
            if len(authors) > 1:
                author += f" +{len(authors) - 1}"
            row += [safe(data["title"], 120), safe(author, 40), Text(human_age(data["age_seconds"]))]
        table.add_row(*row)
    return table
