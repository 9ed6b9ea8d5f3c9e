"""`review-tui check CHANGE`: the CI gate. Exit 0 when the sign-off policy is met for the change's
current content, 1 when it is not (one line per gap), 2 on usage or repository errors.

Decisions come from two places, merged by record id: the local ledger (this machine's reviews and
everything `review-tui sync` imported), and the git notes refs read directly
(``refs/notes/review-tui`` and every fetched ``refs/notes/remotes/*/review-tui``), so a CI job on a
fresh clone that fetched the notes needs no ledger at all. `check` never writes a review record.

Which records count is decided in app/storage/records.py (the same answer the TUI and `stats` give):
an approval counts on the change it was given on (its aliases, its commits) or where the reviewer
carried it over, and, when the policy requires signatures, only when signed by an allowed key. The
verdict itself is app/analysis/signoff.py's.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from app.commands.common import base_option, note_merged, note_named_by_head, range_args, range_options
from app.core.text import json_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.analysis.report import ChangeDetail
    from app.analysis.signoff import CheckOutcome
    from app.storage.ledger import Ledger


def _open_ledger() -> Ledger | None:
    """The user's ledger if there is one (a fresh CI clone has none). A ledger that is there but cannot
    be read (written by a newer review-tui, not a ledger, locked) stops the gate with exit 2, as it
    stops `stats`: it may hold a flag that blocks the change, so a verdict without it could pass
    what should fail. `--notes-only` is the way to check without it."""
    from app import paths
    from app.errors import LedgerError
    from app.storage.ledger import Ledger

    path = paths.ledger_path()
    if not path.exists():
        return None
    try:
        return Ledger.open(path)
    except LedgerError as exc:
        raise type(exc)(f"{exc} - check cannot decide without it (--notes-only: git notes alone)") from None


@click.command("check")
@click.argument("change")
@click.option("--repo", type=click.Path(file_okay=False), default=None,
              help="Repository to inspect (default: the current directory).")
@base_option
@range_options
@click.option("--json", "json_output", is_flag=True, help="Print the verdict as JSON.")
@click.option("--notes-only", is_flag=True,
              help="Ignore the local review ledger: use only the records in git notes (CI).")
@click.pass_context
def check_command(ctx: click.Context, change: str, repo: str | None, base: str | None, commit_range: str | None,
                  merges: bool | None, first_parent: bool | None, json_output: bool, notes_only: bool) -> None:
    """Check CHANGE against the sign-off policy: exit 0 met, 1 not met, 2 usage or repository error.

    Reads review records from the local ledger and from git notes (refs/notes/review-tui and
    fetched refs/notes/remotes/*/review-tui); writes nothing."""
    from app.analysis.signoff import evaluate_change, with_stack
    from app.commands.common import make_analyzer, show_progress
    from app.errors import ChangeNotFound

    obj = ctx.obj or {}
    analyzer = make_analyzer(repo or obj.get("repo"), base or obj.get("base"),
                             **range_args(ctx, commit_range, merges, first_parent))
    analyzer.one_change = True  # discover only what its verdicts read
    try:
        found = analyzer.change(change)
    except ChangeNotFound as exc:
        if not str(exc).startswith("no pending change") or analyzer.commit_range:
            raise  # it says what is wrong already (a range's commit, a branch with nothing pending)
        raise ChangeNotFound(  # the base as discovery names it, without discovering every head (QA53 #3)
            f"{exc} - its branch may have been deleted or merged into {analyzer.resolved_base[0]}, "
            "or its head not fetched"
        ) from None
    note_merged(found)
    note_named_by_head(found, change)
    done = show_progress(analyzer)
    detail = analyzer.detail(found)
    done()
    _refuse_incomplete(detail)
    ledger = None if notes_only else _open_ledger()
    if ledger is None:
        outcome = with_stack(analyzer, evaluate_change(analyzer, detail, ledger=None), detail.change, None)
    else:
        from app.storage.db import translate_errors

        with ledger, translate_errors(ledger.path, "reading review records"):
            outcome = with_stack(analyzer, evaluate_change(analyzer, detail, ledger=ledger), detail.change, ledger)
    if json_output:
        click.echo(json_text(outcome.to_json()))
    else:
        _print(outcome)
    for warning in outcome.warnings:
        click.echo(f"review-tui: warning: {warning}", err=True)
    sys.exit(0 if outcome.result.ok else 1)


def _line_writer() -> Callable[[str], None]:
    """click.echo, wrapping at words in a terminal (a long reviewer line broke as "approve / d 1 of 9");
    a pipe or file keeps one line per item, for grep and CI logs."""
    if not sys.stdout.isatty():
        return click.echo
    import shutil
    import textwrap

    width = max(shutil.get_terminal_size().columns, 40)

    def echo(line: str) -> None:
        indent = " " * (len(line) - len(line.lstrip(" ")))
        if line.lstrip(" ").startswith("- "):
            indent += "  "
        click.echo(textwrap.fill(line, width, subsequent_indent=indent + "  ", break_on_hyphens=False,
                                 break_long_words=False))  # an id stays whole, to be copied

    return echo


def _print(outcome: CheckOutcome) -> None:
    from app.core.policy.rules import NOTHING_TO_REVIEW
    from app.core.text import one_line, plural

    echo = _line_writer()
    result = outcome.result
    need = result.required
    verdict = "policy met" if result.ok else "policy NOT met"
    from app.core.git.models import WORKTREE_ID

    # the working tree's "head" is itself: ":worktree @ :worktree" said nothing (QA47 #12d)
    at = " (uncommitted changes)" if outcome.head == WORKTREE_ID else f" @ {outcome.head[:10]}"
    echo(f"{one_line(outcome.change_id, 80)}{at}: {verdict} "
         f"(tier {outcome.tier}, AI share {outcome.ai_share:.0%}, {plural(len(outcome.chunks), 'chunk')}; "
         f"needs {plural(need.approvals, 'approval')}"
         f"{f', {need.senior_approvals} of them senior' if need.senior_approvals else ''})")
    if not outcome.chunks:
        echo(f"  - {NOTHING_TO_REVIEW}")
    for line in result.missing:
        echo(f"  - {one_line(line, 400)}")
    for standing in result.reviewers:
        role = ", ".join(["senior" if standing.senior else "reviewer"] + ["author"] * standing.author)
        state = standing.state + (f": {standing.detail}" if standing.detail and not standing.counted else "")
        echo(f"  {one_line(standing.reviewer, 60)} ({role}): {one_line(state, 300)}")
    echo(f"  {outcome.signatures}")
    for line in outcome.not_counted:
        echo(f"  not counted: {one_line(line, 300)}")
    if outcome.threads:
        open_count = sum(1 for t in outcome.threads if not t.resolved)
        echo(f"  comment threads: {len(outcome.threads)}, {open_count} open")
        for thread in outcome.threads:
            state = ("resolved" if thread.resolved else "open") + (", outdated" if thread.outdated else "")
            count = len(thread.replies)
            replies = f", {count} repl{'y' if count == 1 else 'ies'}" if count else ""
            echo(f"    [{state}] {one_line(thread.root.where, 80)} {one_line(thread.root.reviewer, 60)}"
                 f"{replies}: {one_line(thread.root.body, 200)}")


def _refuse_incomplete(detail: ChangeDetail) -> None:
    """A gate judges the whole change or nothing (see signoff.content_missing)."""
    from app.analysis.signoff import content_missing
    from app.errors import ReviewTuiError

    why = content_missing(detail)
    if why is not None:
        raise ReviewTuiError(f"{why} and check again")
