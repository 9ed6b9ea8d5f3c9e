"""`review-tui stats`: whether review is real, per reviewer, tier and week, from the review ledger.

The repository decides the scope: ``--repo PATH`` (or the current directory when it is a git
repository) counts that repository's records (the ledger's ``repo`` column holds its root commit id,
Analyzer.repo_key) and brings its sign-off policy (who is senior) and its pending changes (which
approvals went stale); ``--all`` counts every repository and says what it cannot know.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.commands.common import width_option

if TYPE_CHECKING:

    from app.analysis.analyzer import Analyzer
    from app.core.policy.rules import PolicyConfig
    from app.report.stats import CurrentChange, StatsQuery, StatsReport
    from app.storage.ledger import Ledger
    from app.storage.models import TrackRecordRun


def resolve_scope(repo: str | None, all_repos: bool) -> Analyzer | None:
    """The Analyzer of the repository to count, or None for every repository.

    An explicit --repo that is not a repository is an error; the current directory that is not one
    simply means "all repositories".
    """
    from app.commands.common import make_analyzer
    from app.errors import RepoError

    if all_repos:
        return None
    if repo is not None:
        analyzer = make_analyzer(repo)
        _ = analyzer.repo_key  # fail now, with the one-line RepoError
        return analyzer
    try:
        analyzer = make_analyzer(".")
    except RepoError as exc:
        cwd = Path.cwd()
        if any((folder / ".git").exists() for folder in (cwd, *cwd.parents)):
            # a repository that cannot be opened (not owned by this user, damaged) is no reason to count
            # every repository's records under its name
            raise RepoError(f"{exc} (`review-tui stats --all` counts every repository)") from None
        return None  # not a repository: every repository's records
    try:
        _ = analyzer.repo_key
    except RepoError as exc:  # a repository with no commits yet: an error, not silently "all"
        raise RepoError(f"{exc} (`review-tui stats --all` counts every repository)") from None
    return analyzer


def current_changes(analyzer: Analyzer, ledger: Ledger, repo_key: str) -> dict[str, CurrentChange]:
    """Pending changes that have approvals in the ledger, with their current chunk hashes, under each of
    their names."""
    from app.analysis.signoff import SignOff
    from app.errors import ReviewTuiError
    from app.report.stats import CurrentChange
    from app.storage.records import ANOTHER_CHANGE
    from app.storage.stats_queries import approved_change_ids

    approved = approved_change_ids(ledger.db, repo_key)
    signoff = SignOff(analyzer, ledger)
    current: dict[str, CurrentChange] = {}
    for change in analyzer.discovery.changes:
        # Approvals given under another of its names (a twin's, the pull request ref's) are its own.
        if change.error or approved.isdisjoint(change.names):
            continue
        try:
            plan = analyzer.detail(change).plan
        except ReviewTuiError:
            continue  # a change that cannot be analysed now: its staleness stays estimated
        hashes = [chunk.content_hash for chunk in plan.chunks]
        # What `check` refuses among the approvals given on this change (one rule: storage/records.py).
        refused = frozenset(u.decision.record_id for u in signoff.counted(change, hashes).uncounted
                            if u.reason != ANOTHER_CHANGE and u.decision.decision == "approve")
        found = CurrentChange(change.head, frozenset(hashes), refused)
        current.update(dict.fromkeys(change.names, found))
    return current


def build_report(ledger: Ledger, query: StatsQuery, analyzer: Analyzer | None) -> StatsReport:
    """compute_stats with what the repository adds (policy, pending changes), when there is one."""
    from app.report.stats import compute_stats

    policy: PolicyConfig | None = None
    current = None
    if analyzer is not None and query.repo is not None:
        policy = analyzer.config.policy
        current = current_changes(analyzer, ledger, query.repo)
    return compute_stats(ledger, query, policy=policy, current=current)


@click.command("stats")
@click.option("--repo", type=click.Path(file_okay=False), default=None,
              help="Count this repository's reviews (default: the current directory if it is a repository).")
@click.option("--all", "all_repos", is_flag=True, help="Count the reviews of every repository in the ledger.")
@click.option("--since", metavar="DATE", default=None,
              help="From this day on (YYYY-MM-DD, today, yesterday, 7d or 2w ago; UTC).")
@click.option("--until", metavar="DATE", default=None, help="Up to and including this day (same forms as --since).")
@click.option("--reviewer", metavar="EMAIL", default=None, help="Only this reviewer's reviews.")
@click.option("--tier", type=click.IntRange(0, 3), default=None, help="Only this tier (0-3).")
@click.option("--json", "json_output", is_flag=True, help="Print the figures as JSON.")
@click.option("--csv", "csv_output", is_flag=True, help="Print the figures as CSV (one row per group).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write a self-contained HTML report (tables and charts) to this file instead of the "
                   "terminal report (--json/--csv still print).")
@click.option("--ledger", "ledger_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Review ledger to read (default: the user's ledger; a file named here must exist).")
@width_option
@click.pass_context
def stats_command(ctx: click.Context, repo: str | None, all_repos: bool, since: str | None, until: str | None,
                  reviewer: str | None, tier: int | None, json_output: bool, csv_output: bool,
                  html_file: str | None, ledger_file: str | None, width: int | None) -> None:
    """Show whether review is real: rates, rubber stamps, coverage, policy gaps, AI share, by reviewer,
    tier and week."""
    from app import paths
    from app.core.git.display_name import repo_display_name
    from app.report.stats import StatsInputError, StatsQuery, date_range

    if json_output and csv_output:
        raise StatsInputError("--json and --csv are exclusive: pick one")
    if all_repos and repo is not None:
        raise StatsInputError("--repo and --all are exclusive: pick one")
    start, end = date_range(since, until)
    repo = repo or (ctx.obj or {}).get("repo")
    analyzer = resolve_scope(repo, all_repos)
    query = StatsQuery(repo=analyzer.repo_key if analyzer else None, since=start, until=end,
                       reviewer=reviewer, tier=tier,
                       repo_name=repo_display_name(analyzer.repo) if analyzer else None)
    path = Path(ledger_file) if ledger_file else paths.ledger_path()
    report = _report_for(path, query, analyzer)
    report.track_record, report.track_record_missing = track_record_for(analyzer, repo)
    _emit(report, json_output=json_output, csv_output=csv_output, html_file=html_file, width=width)


def track_record_for(analyzer: Analyzer | None, repo_arg: str | None) -> tuple[TrackRecordRun | None, str]:
    """The latest calibrate run's AI track record of the repository in scope, or the one line saying
    there is none (with the command to run; for --all, where to look)."""
    from app.report.track_record import ALL_REPOS_LINE, no_record_line

    if analyzer is None:
        return None, ALL_REPOS_LINE
    found = analyzer.track_record
    return found, "" if found is not None else no_record_line(repo_arg)


def _report_for(path: Path, query: StatsQuery, analyzer: Analyzer | None) -> StatsReport:
    """Open (and migrate) the ledger and compute; a missing ledger is an empty one, not created."""
    from app.report.stats import Figures, StatsReport
    from app.storage.ledger import Ledger

    if not path.exists():
        return StatsReport(query, Figures("all"), [], [], [], [], [], 0, [], False, "changes seen",
                           empty_ledger=True)
    from app.storage.db import translate_errors

    with Ledger.open(path) as ledger, translate_errors(path, "reading review stats"):
        # read-write: an older schema is migrated, never lost; a damaged page is one clear line
        return build_report(ledger, query, analyzer)


def _emit(report: StatsReport, *, json_output: bool, csv_output: bool, html_file: str | None,
          width: int | None = None) -> None:
    from app.report.stats import StatsInputError
    from app.report.stats_render import render_csv, render_json, render_rich

    if html_file:
        from app.report.stats_html import render_html

        try:
            Path(html_file).write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            raise StatsInputError(f"cannot write {html_file}: {exc.strerror or exc}") from None
        click.echo(f"HTML report written to {html_file}", err=True)
    if json_output:
        click.echo(render_json(report))
    elif csv_output:
        click.echo(render_csv(report), nl=False)
    elif not html_file:  # the HTML file is the report asked for: no terminal report besides it
        from app.commands.common import output_console, output_width

        layout = output_width(width)
        full = not sys.stdout.isatty()  # a pipe or file: reviewer names and keys never cut
        # laid out in --width (or COLUMNS) columns when given, a pipe too: it was 251 wide at --width 60
        console = output_console(layout)
        console.print(render_rich(report, width=layout or 200, full=full, fit=layout is not None))
    sys.stdout.flush()
