"""Rich tables for the CLI. Every value from a repository is wrapped in Text (never parsed as
markup) and passed through `visible` (never emits control characters)."""

from __future__ import annotations

import time
from typing import Any

from rich import box
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


def band_text(score: float | None, band: str | None) -> Text:
    if score is None:
        return Text("…", style="dim")
    return Text(f"{score:>3.0f} {band}", style=BAND_STYLES.get(band or "", ""))


def change_table(reports, *, base: str | None = None, width: int = 200) -> Table:
    """The ranked queue as a table. Below 120 columns the less important columns are left out
    (CC+, files, chunks, author, age) rather than squashed to nothing."""
    now = time.time()
    wide = width >= 120
    title = f"Pending changes against {one_line(base, 60)}" if base else "Pending changes"
    table = Table(title=title, title_justify="left", expand=False, pad_edge=False, box=box.SIMPLE_HEAD,
                  collapse_padding=True)
    has_score = any("score" in r.extra for r in reports)
    has_plan = any("chunks" in r.extra for r in reports)

    optional = {"CC+", "files", "chunks", "author", "age"}

    def col(name: str, **kw) -> None:
        if not wide and name in optional:
            return
        kw.setdefault("no_wrap", True)
        kw.setdefault("min_width", len(name))
        table.add_column(name, **kw)

    col("#", justify="right", style="dim", min_width=2)
    if has_score:
        col("risk", justify="left", min_width=12)
        col("tier", justify="center")
        col("AI", justify="right", min_width=4)
        col("CC+", justify="right", min_width=5)
    change_width = 30 if wide else 22
    col("change", overflow="ellipsis", max_width=change_width, min_width=12)
    col("+/-", justify="right", min_width=9)
    col("files", justify="right")
    if has_plan:
        col("chunks", justify="right")
        col("floor", justify="right", min_width=6)
    used = sum((c.min_width or 0) + 2 for c in table.columns) + (change_width - 12)
    optional_width = (18 + 2 + 5 + 2) if wide else 0  # author and age come after the title
    col("title", overflow="ellipsis", min_width=10, max_width=max(10, min(60, width - used - optional_width - 2)))
    col("author", overflow="ellipsis", max_width=18, min_width=6)
    col("age", justify="right")
    for rank, r in enumerate(reports, 1):
        data = r.to_json(now)
        cells: dict[str, Any] = {"#": str(rank)}
        if has_score:
            cells["risk"] = band_text(data.get("score"), data.get("band"))
            tier = data.get("tier")
            cells["tier"] = Text(f"T{tier}" if tier is not None else "-")
            share = data.get("ai_share")
            cells["AI"] = Text(f"{share:.0%}" if share else "-")
            cc = data.get("complexity_added")
            cells["CC+"] = Text("…" if data.get("complexity_pending") else str(cc) if cc is not None else "-")
        cells["change"] = safe(r.id, 80)
        if data["error"]:
            cells["title"] = Text(one_line(data["error"], 120), style="red")
        else:
            cells["+/-"] = Text.assemble((f"+{data['lines_added']}", "green"), "/",
                                         (f"-{data['lines_deleted']}", "red"))
            cells["files"] = Text(str(data["files"]))
            if has_plan:
                cells["chunks"] = Text(str(data.get("chunks", "-")))
                cells["floor"] = Text(human_duration(data.get("floor_seconds")))
            authors = data["authors"]
            author = authors[0].split(" <")[0] if authors else "-"
            if len(authors) > 1:
                author += f" +{len(authors) - 1}"
            cells["title"] = safe(data["title"], 120)
            cells["author"] = safe(author, 40)
            cells["age"] = Text(human_age(data["age_seconds"]))
        table.add_row(*[cells.get(str(c.header), Text("-")) for c in table.columns])
    return table
