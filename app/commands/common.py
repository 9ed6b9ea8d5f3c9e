"""What the commands share: the analyzer factory, the one-line error exit, consoles, the --repo
option, opening the TUI and printing the change list. Imports only click and app basics at module
level, so `review-tui --help` stays instant."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from app import paths
from app.core.text import json_text
from app.errors import ReviewTuiError

if TYPE_CHECKING:
    from rich.console import Console

    from app.analysis.analyzer import Analyzer
    from app.analysis.report import ChangeReport
    from app.storage.cache import AnalysisCache

REPO_OPTION_HELP = "Repository to inspect (default: the current directory)."

F = TypeVar("F", bound=Callable[..., Any])


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def fail(message: str, code: int = 2) -> None:
    """One line on stderr and a non-zero exit: the only way errors leave the CLI."""
    from app.core.text import one_line

    click.echo(f"review-tui: error: {one_line(message, 500)}", err=True)
    sys.exit(code)


def open_cache() -> AnalysisCache | None:
    if os.environ.get("REVIEW_TUI_NO_CACHE"):
        return None
    from app.storage.cache import AnalysisCache

    try:
        return AnalysisCache.open(paths.analysis_cache_path())
    except ReviewTuiError:
        return None  # a cache is an optimisation: run without it


def make_analyzer(repo: str | None, base: str | None = None, commit_range: str | None = None) -> Analyzer:
    from app.analysis.analyzer import Analyzer

    return Analyzer(Path(repo or "."), base=base, commit_range=commit_range, cache=open_cache())


def repo_option(f: F) -> F:
    return click.option("--repo", type=click.Path(file_okay=False), default=None, help=REPO_OPTION_HELP)(f)


def open_tui(repo: str | None, base: str | None) -> None:
    analyzer = make_analyzer(repo, base)
    _ = analyzer.discovery  # fail fast with a one-line error before the screen takes over
    try:
        from app.tui.app import run_tui
    except ImportError:
        print_list(analyzer.analyze_all(), json_output=False)
        return
    run_tui(analyzer)


def print_list(reports: list[ChangeReport], *, json_output: bool, base: str | None = None) -> None:
    if json_output:
        click.echo(json_text([r.to_json() for r in reports]))
        return
    from app.report.tables import change_table

    out = console()
    if not reports:
        out.print(f"No pending changes against {base or 'the base'}: every branch is merged.", markup=False)
        out.print("Hint: --base REF picks another base; --range A..B lists the commits of a range.",
                  markup=False)
        return
    out.print(change_table(reports, base=base, width=out.width))
