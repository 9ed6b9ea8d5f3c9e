"""Command line wiring: the `review-tui` group, its error handling, and the commands of
app/commands/ registered on it. Nothing else lives here; heavy imports are deferred into the
commands so `review-tui --help` stays instant."""

from __future__ import annotations

import sys
from typing import Any

import click

from app import __version__, paths
from app.commands.calibrate import calibrate_command
from app.commands.carry import carry_command
from app.commands.check import check_command
from app.commands.chunks import chunks
from app.commands.common import (
    base_option,
    check_user_config,
    closed_pipe_exit,
    fail,
    flush_stdout,
    interrupted_exit,
    is_output_error,
    open_tui,
    output_failed_exit,
    range_args,
    range_options,
    release_workers_at_exit,
    run_guarded,
)
from app.commands.demo import demo
from app.commands.explain import explain
from app.commands.list import list_command
from app.commands.stats import stats_command
from app.commands.sync import sync_command


def _epilog() -> str:
    return (
        f"Review ledger: {paths.ledger_path()}  |  analysis cache: {paths.analysis_cache_path()}  |  "
        f"user config: {paths.user_config_path()}"
    )


class _Group(click.Group):
    """Turns ReviewTuiError and unexpected exceptions into one-line errors instead of tracebacks;
    usage errors are one line too, and a closed stdout pipe ends the command quietly."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else (prog_name or "review-tui")
            fail(f"{exc.format_message()} (see '{where} --help')", exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt):  # Ctrl-C while click parses the command line
                interrupted_exit()
            click.echo("review-tui: aborted", err=True)
            sys.exit(1)
        except BrokenPipeError:
            closed_pipe_exit()
        except OSError as exc:  # `--help > /dev/full`: click writes the help here
            if not is_output_error(exc):
                raise
            output_failed_exit(exc)
        flush_stdout()
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        return run_guarded(lambda: super(_Group, self).invoke(ctx),
                           passthrough=(click.exceptions.Exit, click.exceptions.Abort, click.ClickException))


@click.group(cls=_Group, invoke_without_command=True, epilog=_epilog(),
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--repo", type=click.Path(file_okay=False), default=None,
              help="Repository to inspect (default: the current directory).")
@base_option
@range_options
@click.version_option(__version__, prog_name="review-tui")
@click.pass_context
def cli(ctx: click.Context, repo: str | None, base: str | None, commit_range: str | None, merges: bool | None,
        first_parent: bool | None) -> None:
    """review-tui: rank every pending change of a git repository by risk, split it into chunks a
    person can really read, and record honest review time.

    Without a command, opens the review TUI on the repository (on the commits of a range with --range)."""
    ctx.ensure_object(dict)
    ctx.obj.update(repo=repo, base=base, commit_range=commit_range, merges=merges, first_parent=first_parent)
    if ctx.invoked_subcommand is not None:
        check_user_config()
    else:
        open_tui(repo, base, **range_args(ctx, commit_range, merges, first_parent))


for _command in (list_command, demo, explain, chunks, check_command, carry_command, sync_command, stats_command,
                 calibrate_command):
    cli.add_command(_command)


def _exit_on_signal(signum: int, frame: Any) -> None:
    """SIGTERM (`kill PID`) or SIGHUP (the terminal closed): exit 128 + its number through the process's exit,
    which releases and stops the worker processes, as Ctrl-C does. The signals' default action ended the process
    at once: the forkserver, its workers and the resource tracker ran on with parent 1 (QA53 #6)."""
    workers = sys.modules.get("app.core.workers")
    if workers is None or not workers.terminate_deferred(signum):
        raise SystemExit(128 + signum)


def main() -> None:
    """The click group's entry point: the `review-tui` script (app/entry.py) runs it for every command line
    but a bare TUI start (whose app handles SIGTERM and SIGHUP itself)."""
    import signal

    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is signal.SIG_DFL:  # one ignored at start (nohup) stays ignored
            signal.signal(signum, _exit_on_signal)
    try:
        cli(prog_name="review-tui")
    finally:
        release_workers_at_exit()
