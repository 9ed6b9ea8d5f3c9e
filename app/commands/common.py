"""What the commands share: the analyzer factory, the one-line error exit, consoles, the --repo
option, opening the TUI and printing the change list. Imports only app basics at module level, not even
click (each use imports it): a bare `review-tui` opens the TUI from here without it (app/entry.py), and
`review-tui --help` stays instant."""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from app import paths
from app.core.text import json_text
from app.errors import ReviewTuiError

if TYPE_CHECKING:
    import click
    from rich.console import Console

    from app.analysis.analyzer import Analyzer
    from app.analysis.report import ChangeReport
    from app.analysis.spec import AnalyzerSpec
    from app.core.git.discovery import Discovery
    from app.core.git.merged import KeyValueCache
    from app.core.git.models import Change
    from app.storage.cache import AnalysisCache

REPO_OPTION_HELP = "Repository to inspect (default: the current directory)."

F = TypeVar("F", bound=Callable[..., Any])


def echo(message: str, err: bool = False) -> None:
    """One line through click.echo, imported here: a bare `review-tui` may never need click."""
    import click

    click.echo(message, err=err)


SIGPIPE_EXIT = 128 + 13
"""The exit status of a program killed by SIGPIPE, as git's is when `git log | head -1` closes the pipe."""


def closed_pipe_exit() -> None:
    """The reader of stdout went away (`| head -1`): stop quietly with git's status. Anything still
    buffered for stdout goes to /dev/null so that Python's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(SIGPIPE_EXIT)


OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
"""Errors of a write to stdout that are the output's fault, not review-tui's (`> /dev/full`)."""


def is_output_error(exc: OSError) -> bool:
    return exc.errno in OUTPUT_ERRNOS and exc.filename is None


def output_failed_exit(exc: OSError) -> None:
    """stdout cannot be written (a full disk, `> /dev/full`): one line on stderr, exit 1, nothing more
    written there (it was "internal error: OSError", exit 70, and `--help` a traceback)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    echo(f"review-tui: error: cannot write the output: {exc.strerror or exc}", err=True)
    sys.exit(1)


def _rich_console(**options: Any) -> Console:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # rich's own exits 1, which `check` uses for "policy not met"
            self.quiet = True
            closed_pipe_exit()

    return _Console(highlight=False, soft_wrap=False, **options)


def console(stderr: bool = False, width: int | None = None) -> Console:
    """A console for stdout (or stderr); `width` (--width) lays it out in that many columns, else Rich
    reads $COLUMNS or the terminal (80 in a pipe)."""
    return _rich_console(stderr=stderr, **({"width": width} if width else {}))


UNBOUNDED_WIDTH = 10_000
"""The layout width of output going to a pipe or file when no width was asked for: wide enough that
no change id or title is ever cut (they are pasted into other commands and scripts)."""


def output_width(requested: int | None = None) -> int | None:
    """Columns to lay the output out in: --width, else $COLUMNS, else the terminal's width when stdout
    is a terminal; None (nothing cut, nothing wrapped) when stdout is a pipe or a file."""
    if requested is not None:
        return requested
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size().columns
    return None


def output_console(width: int | None) -> Console:
    """A console for stdout laid out in `width` columns (None: unbounded, see output_width)."""
    return _rich_console(width=width or UNBOUNDED_WIDTH)


def width_option(f: F) -> F:
    import click

    return click.option("--width", type=click.IntRange(40, UNBOUNDED_WIDTH), default=None, metavar="COLUMNS",
                        help="Lay the table out in this many columns (default: $COLUMNS, else the terminal's "
                             "width; a pipe or file gets every title in full, and ids over 40 columns listed "
                             "whole under the table).")(f)


def base_option(f: F) -> F:
    import click

    return click.option("--base", default=None, metavar="REF",
                        help="Base branch or commit (default: origin's HEAD, else main, else master, else "
                             "origin/main, else origin/master).")(f)


def check_user_config() -> None:
    """Every command judges the user's config.toml alike: a broken value is the same one-line error
    for all (list and check ignored a `theme = 5` that the TUI and sync refused), and its warnings
    (an unknown key, a value out of range) the same lines on stderr. The TUI shows them on its screen."""
    from app.config import load_user_config
    from app.core.text import one_line

    for warning in load_user_config().warnings:
        echo(f"review-tui: warning: config: {one_line(warning, 500)}", err=True)


def print_team_config_warnings(analyzer: Analyzer) -> None:
    """The team config's own warnings (an unknown key: `senior` meant `seniors`), one line each on
    stderr, for the commands that read the policy and rules without listing: a typo in `[policy]` was
    said by `list` only, while `check` quietly enforced the weaker policy."""
    from app.core.text import one_line

    for warning in analyzer.config.warnings:
        echo(f"review-tui: warning: {one_line(warning, 500)}", err=True)


def fail(message: str, code: int = 2) -> None:
    """One line on stderr and a non-zero exit: the only way errors leave the CLI."""
    from app.core.text import one_line

    echo(f"review-tui: error: {one_line(message, 500)}", err=True)
    sys.exit(code)


def run_guarded(run: Callable[[], Any], passthrough: tuple[type[BaseException], ...] = ()) -> Any:
    """Runs a command (the click group's invoke, or app/entry.py's bare TUI start): a ReviewTuiError or an
    unexpected exception becomes one line on stderr and a non-zero exit instead of a traceback, Ctrl-C
    "interrupted" (130), a closed stdout pipe a quiet end. `passthrough`: click's own exits, left to its group."""
    try:
        return run()
    except ReviewTuiError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        interrupted_exit()
    except BrokenPipeError:
        closed_pipe_exit()  # not a bug: the reader of stdout went away
    except passthrough:
        raise
    except SystemExit:
        raise
    except OSError as exc:
        if is_output_error(exc):
            output_failed_exit(exc)
        if os.environ.get("REVIEW_TUI_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (set REVIEW_TUI_DEBUG=1 for the traceback)", 70)
    except Exception as exc:  # a bug: still one line, with a way to get the details
        if os.environ.get("REVIEW_TUI_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (set REVIEW_TUI_DEBUG=1 for the traceback)", 70)


def interrupted_exit() -> NoReturn:
    """Ctrl-C: one line ("review-tui: interrupted", as app/entry.py's main says it) and exit 130; another Ctrl-C
    while the process ends raises nothing (app/interrupts.py)."""
    from app.interrupts import say_interrupted

    say_interrupted()
    sys.exit(130)


def release_workers_at_exit() -> None:
    """At the process's end, before the interpreter's exit joins the worker pool: the tasks queued or running
    there end at once instead of at their end (a quit during a first analysis of ansible waited 1-2 s for them).
    Only there: in-process callers (tests) keep using the pool."""
    workers = sys.modules.get("app.core.workers")
    if workers is not None:
        workers.release_workers()


def flush_stdout() -> None:
    """A command's last step: a pipe closed after its last write shows up here (a quiet end), a full disk
    as one line."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        closed_pipe_exit()
    except OSError as exc:
        if not is_output_error(exc):
            raise
        output_failed_exit(exc)


def open_cache() -> AnalysisCache | None:
    if os.environ.get("REVIEW_TUI_NO_CACHE"):
        return None
    from app.storage.cache import AnalysisCache

    try:
        return AnalysisCache.open(paths.analysis_cache_path())
    except ReviewTuiError:
        return None  # a cache is an optimisation: run without it


def make_analyzer(repo: str | None, base: str | None = None, commit_range: str | None = None, *,
                  merges: bool = False, first_parent: bool = False) -> Analyzer:
    from app.analysis.analyzer import Analyzer

    if (merges or first_parent) and not commit_range:
        from app.errors import UsageError

        flag = "--merges" if merges else "--first-parent"
        raise UsageError(f"{flag} applies to a range: add --range A..B")
    return Analyzer(Path(repo or "."), base=base, commit_range=commit_range, cache=open_cache(), merges=merges,
                    first_parent=first_parent)


def repo_option(f: F) -> F:
    import click

    return click.option("--repo", type=click.Path(file_okay=False), default=None, help=REPO_OPTION_HELP)(f)


RANGE_HELP = ("Review the commits of A..B, one change each (the ids `list --range` prints); merge commits "
              "are left out unless --merges.")


def range_options(f: F) -> F:
    """--range A..B, --merges and --first-parent: the same three options on every command."""
    import click

    f = click.option("--first-parent", "first_parent", is_flag=True, default=None,
                     help="In a range, walk the first-parent chain only; a merge there is diffed against "
                          "its first parent (the branch it brought in).")(f)
    f = click.option("--merges", is_flag=True, default=None,
                     help="In a range, include merge commits, each diffed as what the merge itself "
                          "introduced (against the automatic merge of its parents).")(f)
    return click.option("--range", "commit_range", default=None, metavar="A..B", help=RANGE_HELP)(f)


def range_args(ctx: click.Context, commit_range: str | None, merges: bool | None,
               first_parent: bool | None) -> dict[str, Any]:
    """The range options of a command, falling back to the group's (`review-tui --range A..B list`)."""
    obj = ctx.obj or {}
    return range_kwargs(commit_range or obj.get("commit_range"),
                        merges if merges is not None else obj.get("merges"),
                        first_parent if first_parent is not None else obj.get("first_parent"))


def range_kwargs(commit_range: str | None, merges: bool | None, first_parent: bool | None) -> dict[str, Any]:
    """The range options as make_analyzer takes them; --merges and --first-parent together are refused."""
    args = {"commit_range": commit_range, "merges": bool(merges), "first_parent": bool(first_parent)}
    if args["merges"] and args["first_parent"]:
        from app.errors import UsageError

        # Two readings of a merge (what it introduced vs the branch it brought in): silently picking one
        # would show the other's reader a queue they did not ask for.
        raise UsageError("--merges and --first-parent are exclusive: pick one (--merges diffs a merge against "
                         "the automatic merge of its parents, --first-parent against its first parent)")
    return args


def print_notes(analyzer: Analyzer) -> None:
    """What discovery wants the reader to know (merges left out of a range, a range cut at its walk
    limit, a bounded merged-upstream check), one line each on stderr."""
    from app.core.text import one_line

    for note in analyzer.discovery.warnings:
        echo(f"review-tui: note: {one_line(note, 500)}", err=True)
    config_note = analyzer.uncommitted_config_note()
    if config_note:
        echo(f"review-tui: note: {one_line(config_note, 500)}", err=True)


def note_named_by_head(change: Change, name: str) -> None:
    """One line on stderr when a commit id named a pending change by its head: say which change is judged,
    and how to judge the commit alone."""
    from app.core.text import one_line

    if change.kind != "commit" and change.head.startswith(name.lower()) and name not in change.names:
        count = len(change.commits)
        echo(f"review-tui: note: {one_line(name, 64)} is the head of {one_line(change.id, 120)} "
                   f"({count} commit{'s' if count != 1 else ''}): that change is the one read; "
                   f"--range {one_line(name, 64)}^..{one_line(name, 64)} reads the commit alone", err=True)


def note_merged(change: Change) -> None:
    """One line on stderr when the base already holds the change's work: `explain`, `chunks` and `check`
    of a squash-merged or cherry-picked branch read like pending work (the queue hides it, `list` counts it
    under the table)."""
    from app.core.text import one_line

    if change.merged is not None and change.merged.how == "empty":
        echo(f"review-tui: note: {one_line(change.id, 80)} changes nothing ({one_line(change.merged.detail, 300)}"
                   "): nothing of it waits for review", err=True)
    elif change.merged is not None:
        echo(f"review-tui: note: {one_line(change.id, 80)} is already merged upstream "
                   f"({change.merged.how}: {one_line(change.merged.detail, 300)}): nothing of it waits for "
                   "review", err=True)


def at_a_terminal() -> bool:
    """Whether the TUI runs in a terminal a person sees: stdin, stdout and stderr all terminals."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def tui_target(repo: str | None, base: str | None, *, fast: bool = True,
               **range_kwargs: Any) -> Analyzer | AnalyzerSpec:
    """What the TUI opens. On the fast start (the default base, no range, a repository the filesystem
    shows usable: app/core/git/locate.py) an AnalyzerSpec, built after the queue's first paint (issue 18:
    pygit2 and the analysis were a quarter of the first paint); else an Analyzer checked now. Bad input is
    one line and a non-zero exit either way: what the filesystem cannot vouch for is checked here by
    pygit2, before the screen, with the errors of every other command; what only the analyzer can judge (a
    broken [queue] table, a base branch that cannot be read) ends the app after its first paint, and
    run_tui raises it once the terminal is given back. Not `fast` (the CLI: not at a terminal, where the
    screen's output would come before that line): everything is checked before the screen."""
    if fast and base is None and not any(range_kwargs.values()):
        from app.core.git.locate import plain_repository

        if plain_repository(repo or ".") is not None:
            from app.analysis.spec import AnalyzerSpec

            return AnalyzerSpec(Path(repo or "."), use_cache=not os.environ.get("REVIEW_TUI_NO_CACHE"))
    analyzer = make_analyzer(repo, base, **range_kwargs)
    # Fail fast with a one-line error before the screen takes over. Discovery itself runs beside
    # the screen's start (a worker process on a first run) or after its first paint; so does the
    # walk to the root commit for the project key, when this base's is not cached.
    analyzer.check_inputs()
    analyzer.prefetch_discovery()
    return analyzer


def open_tui(repo: str | None, base: str | None, **range_kwargs: Any) -> None:
    from app.analysis.spec import AnalyzerSpec
    from app.core.heap import pause_collection, resume_collection

    pause_collection()  # until the queue's first paint (or run_tui's end, or the list printed instead)
    target = tui_target(repo, base, fast=at_a_terminal(), **range_kwargs)
    try:
        from app.tui.app import run_tui
    except ImportError:
        resume_collection()
        analyzer = target.build() if isinstance(target, AnalyzerSpec) else target
        prefetched = analyzer.take_prefetched_discovery()
        if prefetched is not None:
            analyzer.adopt_discovery(prefetched)
        print_list(analyzer.analyze_all(), json_output=False)
        return
    try:
        run_tui(target)
    finally:
        resume_collection()
        if not isinstance(target, AnalyzerSpec):  # the app drops its own analyzer's
            target.drop_prefetched_discovery()  # taken by the queue, unless the screen never started


def _why_empty(discovery: Discovery | None) -> str:
    """Why the queue is empty: "every branch is merged" was said of a branch queue scope left out."""
    hidden = discovery.left_out_total if discovery is not None else 0
    if not hidden:
        return "every branch is merged"
    return (f"every branch in the queue's scope is merged, and {hidden} ref{'s are' if hidden != 1 else ' is'} "
            "left out by it (below; a change named to explain, chunks or check is still read)")


_TRAILING = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$")  # what ends a line: spaces and style codes, mixed
_STYLE_CODE = re.compile(r"\x1b\[[0-9;]*m")


def _unpadded_line(line: str) -> str:
    """A line without its trailing spaces, the style codes among them kept (a bold header's padding is
    "why   \x1b[0m \x1b[1m \x1b[0m")."""
    return _TRAILING.sub(lambda m: "".join(_STYLE_CODE.findall(m.group(0))), line)


def print_unpadded(out: Console, renderable: Any) -> None:
    """Print as `out` lays it out, each line without the spaces Rich pads it with to the console's width (a table's
    cells, a wrapped paragraph): `explain` and `chunks` padded 31 of 39 lines to --width (QA55 F8). Styles stay;
    the columns of a table stay where they are, only what follows a line's last visible character goes."""
    with out.capture() as captured:
        out.print(renderable)
    sys.stdout.write("".join(_unpadded_line(line) + "\n" for line in captured.get().splitlines()))


def _unpadded(lines: list[str]) -> list[str]:
    """A table's lines without the padding to its widest row: the rule under the header as long as it."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if out and line and set(line.strip()) <= set("─━"):
            line = line[:len(out[-1])]
        out.append(line)
    return out


def print_list(reports: list[ChangeReport], *, json_output: bool, base: str | None = None,
               width: int | None = None, discovery: Discovery | None = None,
               include_merged: bool = False, risk_ranks: dict[str, int] | None = None,
               split_hours: float | None = None, memo: tuple[KeyValueCache, str] | None = None) -> None:
    """The queue as a table (or JSON). `memo`, (the analysis cache, where in it): the table's text is read from
    there when nothing Rich would read to print it changed since it was kept (`report/rendered.py`)."""
    from app.analysis.similar import duplicate_of, near_duplicates

    groups = near_duplicates([r for r in reports if not r.listed_only])
    if json_output:  # every change, the folded ones marked
        folded_into = duplicate_of(groups)
        echo(json_text([{**r.to_json(), "duplicate_of": folded_into.get(r.id)} for r in reports]))
        return
    from app.report.tables import change_table, other_base_footnote, queue_footer, similar_footnote, too_big_footnote

    layout = output_width(width)
    full = not sys.stdout.isatty()
    # A terminal gets a table that fits its width. A pipe or file gets every title whole, and every id up to
    # PIPE_ID_CELLS (a longer one listed whole under the table): titles wrap within the width asked for.
    out = output_console(None if full else layout)
    commit_range = discovery.commit_range if discovery is not None else None
    if not reports and commit_range:
        out.print(f"No commits to review in {commit_range}.", markup=False)
    elif not reports:
        out.print(f"No pending changes against {base or 'the base'}: {_why_empty(discovery)}.", markup=False)
        out.print("Hint: --base REF picks another base; --range A..B lists the commits of a range.",
                  markup=False)
    else:
        table = change_table(reports, base=base, width=layout or UNBOUNDED_WIDTH, full=full,
                             commit_range=commit_range, risk_ranks=risk_ranks, similar=groups)
        _print_table(out, table, full=full, memo=memo, layout=layout)
    footnote = other_base_footnote(reports, base) if reports else None
    if footnote is not None:
        out.print(footnote, markup=False, highlight=False, width=layout)
    if groups:
        out.print(similar_footnote(groups), markup=False, highlight=False, width=layout)
    big = too_big_footnote([r for r in reports if r.id not in duplicate_of(groups)], split_hours)
    if big is not None:
        out.print(big, markup=False, highlight=False, width=layout)
    if discovery is not None:
        for line in queue_footer(discovery, merged_shown=include_merged):
            out.print(line, markup=False, highlight=False, width=layout)  # wrapped like the table
    missing = [r.id for r in reports if r.assessment is not None and r.assessment.file_problems]
    if missing:
        from app.core.text import one_line, plural

        shown = ", ".join(one_line(i, 60) for i in missing[:3]) + (", ..." if len(missing) > 3 else "")
        out.print(f"file content is not in this clone for {plural(len(missing), 'change')} (a partial clone's blobs "
                  f"not fetched, or a damaged clone): {shown}; their figures count only what is here, and `check` "
                  "refuses them",
                  markup=False, highlight=False, width=layout)


def _print_table(out: Console, table: Any, *, full: bool, memo: tuple[KeyValueCache, str] | None,
                 layout: int | None) -> None:
    text = _rendered(out, table, memo, f"{'full' if full else 'fit'}{layout or ''}")
    if full and not out.is_terminal:
        # Every row was padded to the longest title's width (372 columns on rich): `| less` wrapped each
        # row over 3-6 screen lines. The rows end where their text does (QA47 #7).
        sys.stdout.write("".join(line + "\n" for line in _unpadded(text.splitlines())))
    else:
        _write_rendered(out, text)


def _rendered(out: Console, table: Any, memo: tuple[KeyValueCache, str] | None, layout: str) -> str:
    """What `out.print(table)` prints, read from `memo` when it holds the text of a table that Rich would print
    alike (`render_digest`), else rendered and kept there."""
    from app.report.rendered import RENDERED_KIND, memo_key, render_digest

    digest = render_digest(table, out) if memo is not None else None
    key = memo_key("list", memo[1], layout) if memo is not None else ""
    if memo is not None and digest is not None:
        stored = memo[0].get_many(RENDERED_KIND, [key]).get(key)
        if isinstance(stored, dict) and stored.get("digest") == digest and isinstance(stored.get("text"), str):
            return str(stored["text"])
    with out.capture() as captured:
        out.print(table)
    text = captured.get()
    if memo is not None and digest is not None:
        memo[0].put_many(RENDERED_KIND, {key: {"digest": digest, "text": text}})
    return text


def _write_rendered(out: Console, text: str) -> None:
    """Write a captured rendering as `out.print` would have written it (to the console's file, flushed)."""
    try:
        out.file.write(text)
        out.file.flush()
    except BrokenPipeError:
        out.on_broken_pipe()


PROGRESS_WIDTH = 96  # "completing 2,340/2,508: " and a 60-character name


def stderr_line() -> Callable[[str], None]:
    """One line of stderr, rewritten in place: padded to one width (a shorter name after a longer one left its
    tail: "origin/pr/2996livedepth") and cut to the terminal's (a wrapped line is not overwritten by \r)."""
    out = console(stderr=True)

    def show(text: str) -> None:
        width = max(1, min(PROGRESS_WIDTH, out.width - 1))
        out.print(text[:width].ljust(width), end="\r", markup=False, highlight=False, no_wrap=True)

    return show


LOGGED_EVERY = 10.0
"""Seconds between two progress lines written to a file or a CI log (`list --progress`), within one step."""


def progress_line(wanted: bool | None) -> Callable[[str], None] | None:
    """Where a long command says how far it got, as git does: on a terminal's stderr, one line rewritten in
    place; with `--progress` into a file or a log too, a whole line at most every LOGGED_EVERY seconds (and
    at each new step); never with `--no-progress`. None: nowhere. Never stdout, which stays the same."""
    terminal = sys.stderr.isatty()
    if wanted is False or (wanted is None and not terminal):
        return None
    return stderr_line() if terminal else _logged_line()


def _logged_line(every: float = LOGGED_EVERY) -> Callable[[str], None]:
    import time

    from app.core.text import one_line

    said_at, said_step = [float("-inf")], [""]

    def show(text: str) -> None:
        step, now = text.split(" ", 1)[0], time.monotonic()
        if text and (step != said_step[0] or now - said_at[0] >= every):
            said_at[0], said_step[0] = now, step
            echo(f"review-tui: {one_line(text, 200)}", err=True)

    return show


def show_progress(analyzer: Analyzer) -> Callable[[], None]:
    """On a terminal, one stderr line saying what a command waits for (finding the pending changes, reading a
    change's diff and history): `explain` on a cold cache was 30-45 s of silence (QA48 #8). Returns what
    clears the line before the output."""
    if not sys.stderr.isatty():
        return lambda: None
    show = stderr_line()
    analyzer.discovery_progress = lambda said: show(f"finding the pending changes: {said}")
    analyzer.detail_progress = show
    return lambda: show("")
