"""What a Rich table prints, remembered by everything Rich reads to print it.

A warm `list` of a large queue spent half its time in Rich laying out and rendering a table of
700 rows whose every cell it had printed the run before (rubygems.org: 0.65 of 1.5 s of CPU). The
table's text is a function of: the table (its settings, columns, rows and every cell's text, spans
and styles), the console (width, colours, terminal or not, encoding, ...), Rich's own code, and the
code of this project's renderables a cell holds (`Breakable`). `render_digest` hashes all of it;
a cell of a kind it does not know gives no digest, and the table is rendered as before.

The digest names no time and no ref: a cell whose text changes (an age from "3h" to "4h", a new
score) changes it, and the table is rendered again.
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import TYPE_CHECKING, Any

from rich.box import Box
from rich.style import Style
from rich.table import Column, Row
from rich.text import Span, Text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

RENDERED_KIND = "rendered-table"
"""The analysis cache's kind of remembered table texts: one entry per command and layout (`memo_key`)."""
RENDER_MEMO_VERSION = 1


class _Unknown(Exception):
    """A value the digest cannot describe exactly: no digest, render as before."""


_PLAIN = (str, int, float, bool, type(None))


def _spec(value: Any, code: set[str]) -> Any:
    """A plain, exact description of `value` as Rich would read it; the modules whose code renders it go into
    `code`. Raises _Unknown for anything else."""
    kind = type(value)
    if kind is str:  # the commonest first: a style's name, a cell's text
        return value
    if kind is Text:
        return ("Text", value.plain, _spec(value.style, code), value.justify, value.overflow, value.no_wrap,
                value.end, value.tab_size, [(span.start, span.end, _spec(span.style, code)) for span in value.spans])
    if isinstance(value, _PLAIN):
        return (kind.__name__, value)
    if isinstance(value, Text | Span):
        raise _Unknown(kind.__name__)  # a subclass may render otherwise
    if isinstance(value, Style):
        return ("Style", repr(value), value.link)
    if isinstance(value, list | tuple):
        return [type(value).__name__, *(_spec(item, code) for item in value)]
    if isinstance(value, Box | Row | Column) or _own_renderable(value):
        if not isinstance(value, Box | Row | Column):
            code.add(type(value).__module__)
        fields = sorted(vars(value).items())
        return [type(value).__name__, *((name, _spec(field, code)) for name, field in fields)]
    raise _Unknown(type(value).__name__)


def _own_renderable(value: Any) -> bool:
    """A renderable of this project's reports (`tables.Breakable`): its module's code is part of the digest."""
    return type(value).__module__ == "app.report.tables" and hasattr(value, "__rich_console__")


def _code_identity(modules: set[str]) -> list[tuple[str, int, int]]:
    """Each module's file by size and modification time: an upgraded Rich, or an edited renderable, is another
    digest. Every loaded module of Rich counts (the table reaches most of them)."""
    names = sorted(name for name in sys.modules if name == "rich" or name.startswith("rich."))
    names += sorted(modules | {"app.report.tables", "app.core.text", __name__})
    out: list[tuple[str, int, int]] = []
    for name in names:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path is None:
            continue
        try:
            stat = os.stat(path)
        except OSError as exc:
            raise _Unknown(name) from exc
        out.append((path, stat.st_size, stat.st_mtime_ns))
    return out


def _console_spec(console: Console) -> list[Any]:
    options = console.options
    return [type(console).__mro__[1].__module__, console.width, console.color_system, console.is_terminal,
            console.no_color, console.legacy_windows, console.encoding, console.soft_wrap, console.tab_size,
            console.safe_box, repr(console.style), console.is_dumb_terminal, console.is_jupyter,
            getattr(console, "_highlight", None), getattr(console, "_markup", None), getattr(console, "_emoji", None),
            repr(options)]


def render_digest(table: Table, console: Console) -> str | None:
    """A digest of everything `console.print(table)` reads, or None where a part of the table is of a kind the
    digest cannot describe exactly."""
    code: set[str] = set()
    try:
        settings = sorted((name, _spec(value, code)) for name, value in vars(table).items()
                          if name not in ("columns", "rows"))
        columns = [[_spec(column, code)] for column in table.columns]  # a column's cells are among its fields
        rows = _spec(table.rows, code)
        described = repr([RENDER_MEMO_VERSION, settings, columns, rows, _console_spec(console),
                          _code_identity(code)])
    except _Unknown:
        return None
    return hashlib.sha256(described.encode("utf-8", "surrogatepass")).hexdigest()


def memo_key(command: str, repo_path: str, layout: str) -> str:
    """Where a command's table is remembered: one entry per repository, command and layout (the latest table of
    each), so they do not pile up."""
    return f"{RENDER_MEMO_VERSION}:{command}:{layout}:{repo_path}"
