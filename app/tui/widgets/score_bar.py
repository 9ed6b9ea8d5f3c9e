"""score_cell: a risk score as a compact coloured bar with its band symbol, for table cells.

DataTable cells accept Rich Text, so the queue shows e.g. "◑ 72 █████▊  " per row. The symbol
comes from the theme (band-symbol-<band>), so colour-blind users can tell bands apart by shape.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from app.tui.themes import ReviewTheme, band_style

_PARTIAL = " ▏▎▍▌▋▊▉"  # eighths of a cell, index 0..7


def bar(fraction: float, width: int) -> str:
    """A left-aligned bar `width` cells wide filled to `fraction` (0..1), in eighths of a cell."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_PARTIAL[part] if part and full < width else "")
    return text.ljust(width)


def score_cell(
    score: float | None,
    band: str | None,
    theme_vars: Mapping[str, str] | ReviewTheme | None,
    width: int = 8,
) -> Text:
    """"<symbol> <score> <bar>" coloured by band; `width` is the bar's width in cells.

    The whole cell is `width + 6` cells wide so a column lines up. `theme_vars` is usually
    `app.theme_variables`; a ReviewTheme works too. A missing score (analysis failed) shows "–".
    """
    from app.core.risk.score import shown_score  # here: the queue's first paint shows no score (3.5 ms of imports)

    symbol, style = band_style(theme_vars, band)
    if score is None:
        return Text(f"{symbol}   – " + " " * width, style=Style(dim=True), no_wrap=True, end="")
    value = min(100.0, max(0.0, float(score)))
    text = Text(no_wrap=True, end="")
    text.append(symbol, style)
    text.append(f" {shown_score(value):>3d} ", style)  # the floor: "65" beside "high" misread the band
    text.append(bar(value / 100, width), style)
    return text
