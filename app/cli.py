"""Command line: parse arguments, run one job, print results. Heavy imports are deferred into
the commands that need them so `review-tui --help` stays instant."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from app import __version__, paths
from app.core.text import json_text
from app.errors import ReviewTuiError

REPO_OPTION_HELP = "Repository to inspect (default: the current directory)."


def _epilog() -> str:
    return (
        f"Review ledger: {paths.ledger_path()}  |  analysis cache: {paths.analysis_cache_path()}  |  "
        f"user config: {paths.user_config_path()}"
    )


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def fail(message: str, code: int = 2) -> None:
    """One line on stderr and a non-zero exit: the only way errors leave the CLI."""
    from app.core.text import one_line

    click.echo(f"review-tui: error: {one_line(message, 500)}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns ReviewTuiError and unexpected exceptions into one-line errors instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReviewTuiError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            click.echo("review-tui: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line, with a way to get the details
            if os.environ.get("REVIEW_TUI_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set REVIEW_TUI_DEBUG=1 for the traceback)", 70)


def _open_cache():
    if os.environ.get("REVIEW_TUI_NO_CACHE"):
        return None
    from app.storage.cache import AnalysisCache

    try:
        return AnalysisCache.open(paths.analysis_cache_path())
    except ReviewTuiError:
        return None  # a cache is an optimisation: run without it


def make_analyzer(repo: str | None, base: str | None = None, commit_range: str | None = None):
    from app.analysis.analyzer import Analyzer

    return Analyzer(Path(repo or "."), base=base, commit_range=commit_range, cache=_open_cache())


@click.group(cls=_Group, invoke_without_command=True, epilog=_epilog(),
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--repo", type=click.Path(file_okay=False), default=None, help=REPO_OPTION_HELP)
@click.option("--base", default=None, help="Base branch or commit (default: origin's HEAD, else main, else master).")
@click.version_option(__version__, prog_name="review-tui")
@click.pass_context
def cli(ctx: click.Context, repo: str | None, base: str | None) -> None:
    """review-tui: rank every pending change of a git repository by risk, split it into chunks a
    person can really read, and record honest review time.

    Without a command, opens the review TUI on the repository."""
    ctx.ensure_object(dict)
    ctx.obj["repo"] = repo
    ctx.obj["base"] = base
    if ctx.invoked_subcommand is None:
        _open_tui(repo, base)


def _open_tui(repo: str | None, base: str | None) -> None:
    analyzer = make_analyzer(repo, base)
    analyzer.discovery  # fail fast with a one-line error before the screen takes over
    try:
        from app.tui.app import run_tui
    except ImportError:
        _print_list(analyzer.analyze_all(), json_output=False)
        return
    run_tui(analyzer)


def _repo_opt(f):
    return click.option("--repo", type=click.Path(file_okay=False), default=None, help=REPO_OPTION_HELP)(f)


@cli.command("list")
@_repo_opt
@click.option("--base", default=None, help="Base branch or commit.")
@click.option("--range", "commit_range", default=None, metavar="A..B", help="List each commit of A..B instead.")
@click.option("--json", "json_output", is_flag=True, help="Print a JSON array (schema in README).")
@click.pass_context
def list_command(ctx: click.Context, repo: str | None, base: str | None, commit_range: str | None,
                 json_output: bool) -> None:
    """List pending changes, riskiest first."""
    analyzer = make_analyzer(repo or ctx.obj.get("repo"), base or ctx.obj.get("base"), commit_range)
    _print_config_warnings(analyzer)
    progress = None if json_output or not sys.stderr.isatty() else _stderr_progress()
    reports = analyzer.analyze_all(progress=progress)
    _print_list(reports, json_output=json_output, base=analyzer.discovery.base_ref)


def _print_config_warnings(analyzer) -> None:
    """The repository config's warnings (unknown keys, ignored rules, globs matching nothing), one
    line each on stderr: never fatal, never silent."""
    from app.config import unmatched_glob_warnings
    from app.core.text import one_line

    import hashlib

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


def _stderr_progress():
    console = _console(stderr=True)

    def report(done: int, total: int, current: str) -> None:
        from app.core.text import one_line

        if done < total:
            console.print(f"analysing {done + 1}/{total} {one_line(current, 60)}", end="\r", markup=False)
        else:
            console.print(" " * 80, end="\r")

    return report


def _print_list(reports, *, json_output: bool, base: str | None = None) -> None:
    if json_output:
        click.echo(json_text([r.to_json() for r in reports]))
        return
    from app.report.tables import change_table

    console = _console()
    if not reports:
        console.print(f"No pending changes against {base or 'the base'}: every branch is merged.", markup=False)
        console.print("Hint: --base REF picks another base; --range A..B lists the commits of a range.",
                      markup=False)
        return
    console.print(change_table(reports, base=base, width=console.width))


@cli.command()
@click.option("--dest", type=click.Path(file_okay=False), default=None,
              help="Where to build the sample repos (default: the user data dir).")
@click.option("--no-tui", is_flag=True, help="Only build the sample repos and print where they are.")
@click.option("--force", is_flag=True, help="Rebuild even when the repos are up to date.")
def demo(dest: str | None, no_tui: bool, force: bool) -> None:
    """Build the bundled sample repositories and open the TUI on the payments service."""
    from app.samples import load

    target = Path(dest) if dest else paths.demo_dir()
    built = load().build_all(target, force=force)
    if no_tui:
        for name, where in built.items():
            click.echo(f"{name}: {where}")
        return
    main_repo = built.get("payments-service") or next(iter(built.values()))
    click.echo(f"sample repositories in {target}", err=True)
    _open_tui(str(main_repo), None)


@cli.command()
@click.argument("change_id", metavar="CHANGE")
@_repo_opt
@click.option("--base", default=None, help="Base branch or commit.")
@click.option("--json", "json_output", is_flag=True, help="Print the breakdown as JSON.")
@click.pass_context
def explain(ctx: click.Context, change_id: str, repo: str | None, base: str | None, json_output: bool) -> None:
    """Why a change scored what it did: every factor and its contribution."""
    analyzer = make_analyzer(repo or ctx.obj.get("repo"), base or ctx.obj.get("base"))
    detail = analyzer.detail(change_id)
    maintainability = analyzer.maintainability(detail)
    if json_output:
        data = {**detail.report.to_json(), "maintainability": maintainability}
        click.echo(json_text(data))
        return
    from app.report.tables import explain_view

    _console().print(explain_view(detail, maintainability))


@cli.command()
@click.argument("change_id", metavar="CHANGE")
@_repo_opt
@click.option("--base", default=None, help="Base branch or commit.")
@click.option("--order", type=click.Choice(["risk", "path"]), default="risk", show_default=True,
              help="Riskiest chunks first, or in file order.")
@click.option("--json", "json_output", is_flag=True, help="Print the plan as JSON.")
@click.pass_context
def chunks(ctx: click.Context, change_id: str, repo: str | None, base: str | None, order: str,
           json_output: bool) -> None:
    """The review plan of a change: chunks a person can read in one sitting, with floor times."""
    analyzer = make_analyzer(repo or ctx.obj.get("repo"), base or ctx.obj.get("base"))
    detail = analyzer.detail(change_id, order=order)
    if json_output:
        data = {"change": detail.change.id, "head": detail.change.head, "base": detail.change.base,
                **detail.plan.to_dict()}
        click.echo(json_text(data))
        return
    from app.report.tables import plan_table

    console = _console()
    console.print(plan_table(detail, width=console.width))


def _register_commands() -> None:
    """Commands that live in their own modules; each defers its heavy imports into its body."""
    from app.commands.check import check_command
    from app.commands.stats import stats_command
    from app.commands.sync import sync_command

    for command in (check_command, sync_command, stats_command):
        cli.add_command(command)


_register_commands()


def main() -> None:
    cli(prog_name="review-tui")
