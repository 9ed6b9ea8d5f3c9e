"""`review-tui list`: the pending changes, riskiest first (a table, or JSON with --json)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from app.commands.common import (
    base_option,
    make_analyzer,
    print_list,
    print_notes,
    progress_line,
    range_args,
    range_options,
    repo_option,
    stderr_line,
    width_option,
)

if TYPE_CHECKING:
    from app.analysis.analyzer import Analyzer, Progress


@click.command("list")
@repo_option
@base_option
@range_options
@click.option("--include-merged", is_flag=True,
              help="Also list branches whose work is already in the base (squash-merged, cherry-picked), "
                   "marked merged upstream, below the pending ones; hidden by default. They are listed as found, "
                   "not analysed (no score or size: `explain CHANGE` analyses one).")
@click.option("--order", type=click.Choice(["risk", "per-minute"]), default="risk", show_default=True,
              help="risk: highest score first; per-minute: most expected cost per minute of review floor time "
                   "first (for a reviewer with a fixed amount of time).")
@click.option("--json", "json_output", is_flag=True, help="Print a JSON array (schema in README).")
@click.option("--progress/--no-progress", "progress", default=None,
              help="Say on stderr how far it got (finding the pending changes, then reading, scoring and completing "
                   "N/M of them): by default when stderr is a terminal; --progress also into a file or a CI log (a "
                   "line every 10 s), --no-progress never. stdout is the same either way.")
@width_option
@click.pass_context
def list_command(ctx: click.Context, repo: str | None, base: str | None, commit_range: str | None,
                 merges: bool | None, first_parent: bool | None, include_merged: bool, order: str,
                 json_output: bool, progress: bool | None, width: int | None) -> None:
    """List pending changes, riskiest first (or most risk per review minute first)."""
    analyzer = make_analyzer(repo or ctx.obj.get("repo"), base or ctx.obj.get("base"),
                             **range_args(ctx, commit_range, merges, first_parent))
    analyzer.start_workers_if_first_run()  # the pool's start beside discovery, not on the analysis's path
    # Thousands of refs took a minute and a half in silence (QA47), and a cold list of 8,074 pull requests 42
    # minutes with stderr empty (QA53 #2): stderr says how far it got, stdout is the table or JSON alone
    show = progress_line(progress)
    if show is not None:
        analyzer.discovery_progress = lambda said: show(f"finding the pending changes: {said}")
    print_config_warnings(analyzer)
    if show is not None:
        _ = analyzer.discovery  # found under its progress line, which is cleared before the notes
        show("")
    print_notes(analyzer)
    reports = analyzer.analyze_all(progress=None if show is None else _stderr_progress(show))
    risk_ranks = None
    if order != "risk":
        from app.analysis.analyzer import rank

        risk_ranks = {r.id: position for position, r in enumerate(reports, 1)}  # analyze_all: riskiest first
        reports = rank(reports, order, stale_before=analyzer.discovery.stale_before)
    if include_merged:  # below the ranked ones, unanalysed: nothing of them waits for review (uv: 9,721 of them)
        from app.analysis.report import listed_merged

        reports += listed_merged(analyzer.discovery.merged)
    print_list(reports, json_output=json_output, base=analyzer.discovery.base_ref, width=width,
               discovery=analyzer.discovery, include_merged=include_merged, risk_ranks=risk_ranks,
               split_hours=analyzer.config.chunks.split_hours,
               memo=None if analyzer.cache is None else (analyzer.cache, str(analyzer.repo.path)))


def print_config_warnings(analyzer: Analyzer) -> None:
    """The repository config's warnings (unknown keys, ignored rules, globs matching nothing), one
    line each on stderr: never fatal, never silent."""
    from app.config import unmatched_glob_warnings
    from app.core.text import one_line

    repo, found = analyzer.repo, analyzer.discovery
    # The warnings depend only on the rules, the base and the pending heads: a warm `list` reads
    # them from the cache instead of parsing the config and walking trees again.
    heads = "\n".join(sorted(f"{c.base}:{c.head}" for c in found.changes))
    key = f"{analyzer.config_digest}:{found.base_commit}:{hashlib.sha256(heads.encode()).hexdigest()[:16]}"
    cached = analyzer.cache.get("config-warnings", key) if analyzer.cache is not None else None
    if isinstance(cached, dict) and isinstance(cached.get("warnings"), list):
        warnings = [str(w) for w in cached["warnings"]]
    else:
        config = analyzer.config

        def pending_paths() -> list[str]:
            return [path for change in found.changes if change.base and change.kind != "worktree"
                    for path in repo.changed_paths(change.base, change.head)]

        warnings = list(config.warnings)
        warnings += unmatched_glob_warnings(config, lambda: repo.tree_paths(found.base_commit), pending_paths)
        if analyzer.cache is not None:
            analyzer.cache.put("config-warnings", key, {"warnings": warnings})
    for warning in warnings:
        click.echo(f"review-tui: warning: {one_line(warning, 500)}", err=True)


def _stderr_progress(show: Callable[[str], None] | None = None) -> Progress:
    line = show or stderr_line()

    def report(done: int, total: int, current: str) -> None:
        """`total` is three times the changes: each is read, scored, then completed (complexity, history); each
        step counts its own changes ("reading 120/1,296", "scoring 12/1,296", "completing 3/1,296")."""
        from app.core.text import one_line

        changes = total // 3
        if done >= total:
            line("")
            return
        at = min(2, done // max(1, changes))
        step = ("reading", "scoring", "completing")[at]
        line(f"{step} {done - at * changes:,}/{changes:,}: {one_line(current.removeprefix(f'{step} '), 60)}")

    return report
