"""`review-tui calibrate`: measure the likelihood model on the repository's own history (issue 12).

Labels the history SZZ-style and computes every commit's factors from its own parent
(app/core/calibration/), then fits the repository's own model on the older half and ranks the
newer half with it, the built-in defaults and size alone. When the own model wins by the rule in
app/core/calibration/run.py (ADOPT_RULE) it is refitted on every studied commit and stored
(app/storage/models.py), and from then on it ranks this repository's changes; when it does not, an
older stored model is dropped and the defaults rank. Either way the run's AI track record is kept
(models.db, every run; `stats`, `explain` and the why panel show the latest). The labelled history
is cached (analysis cache, keyed by head, options and .review-tui.toml), so a second run is quick. Ctrl-C stops cleanly:
nothing is stored.
"""

from __future__ import annotations

import hashlib
import math
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from app.commands.common import open_cache, repo_option

if TYPE_CHECKING:
    from app.config import RepoConfig
    from app.core.calibration.run import Calibration, Labelled, Progress, ToolRecord
    from app.core.git.repo import GitRepo
    from app.report.calibration import CalibrationRun

CACHE_KIND = "calibration"
# Commits studied when neither --max-commits nor --since says: the newest 10,000 first-parent commits take
# about 3 minutes on 2 cores, and they are today's code and practice. ansible's whole line (46,281 commits)
# took 13 minutes and 1 GB (bench/README.md, "A whole history").
DEFAULT_MAX_COMMITS = 10_000
INTERRUPTED = "review-tui: calibrate interrupted: nothing was stored (the model in use is unchanged)"


def _since(value: str | None) -> int | None:
    if value is None:
        return None
    from app.errors import UsageError

    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"--since {value!r}: expected a day as YYYY-MM-DD") from None
    return int(day.timestamp())


@click.command("calibrate")
@repo_option
@click.option("--since", metavar="DATE", default=None, help="Study only commits from this day on (YYYY-MM-DD, UTC).")
@click.option("--max-commits", type=click.IntRange(min=0), default=None, metavar="N",
              help=f"Study at most the newest N first-parent commits (their history still counts); 0 studies "
                   f"them all. Default: {DEFAULT_MAX_COMMITS:,} unless --since is given.")
@click.option("--json", "json_output", is_flag=True, help="Print the figures as JSON.")
@click.option("--progress/--no-progress", "progress", default=None,
              help="Say on stderr how far it got (measuring commits, tracing fixes): a bar when stderr is a "
                   "terminal; --progress also into a file or a CI log (a line every 10 s), --no-progress never.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also write a self-contained HTML report (with the effort curve) to FILE.")
@click.pass_context
def calibrate_command(ctx: click.Context, repo: str | None, since: str | None, max_commits: int | None,
                      json_output: bool, progress: bool | None, html_file: str | None) -> None:
    """Measure the risk model on this repository's history; use the repository's own model when it
    ranks later-fixed changes better than the built-in defaults."""
    capped = max_commits is None and since is None
    studied = DEFAULT_MAX_COMMITS if capped else (max_commits or None)
    from app.core.calibration.run import CalibrationInputError

    try:
        run = _calibrate(repo or (ctx.obj or {}).get("repo") or ".", _since(since), studied,
                         show_progress=progress if progress is not None else None if not json_output else False,
                         capped=capped)
    except KeyboardInterrupt:
        from app.interrupts import say_interrupted

        say_interrupted(INTERRUPTED)
        sys.exit(130)
    except CalibrationInputError as exc:
        # A script asking for --json gets a document to parse, a manager asking for --html is told why
        # there is none: before, one stderr line and nothing else.
        if json_output:
            from app.core.text import json_text

            click.echo(json_text({"error": str(exc), "adopted": False, "model": "built-in defaults"}))
        if html_file:
            raise CalibrationInputError(f"{exc}; no HTML report written: there is no evaluation to show") from None
        raise
    _emit(run, json_output=json_output, html_file=html_file)


def _calibrate(path: str, since: int | None, max_commits: int | None, *, show_progress: bool | None,
               capped: bool = False) -> CalibrationRun:
    from app.config import load_repo_config
    from app.core.calibration.run import CalibrationInputError, check_history, evaluate, track_record
    from app.core.git.repo import GitRepo
    from app.core.risk.likelihood import default_model
    from app.report.calibration import CalibrationRun

    started = time.perf_counter()
    repo = GitRepo(Path(path))
    head = check_history(repo)
    config = load_repo_config(repo, head)
    labelled, cached = _labelled(repo, head, config, since, max_commits, show_progress)
    try:
        calibration = evaluate(labelled, default_model())
    except CalibrationInputError as exc:
        if not labelled.fixes:
            raise  # nothing was traced: a rate of 0 would say nothing
        # Too few labels to fit and test a model, but each studied commit's fate is known: the
        # AI track record is kept (wide intervals say how little it rests on).
        key = repo.root_commit(head)
        kept = _keep_track_record(key, labelled, False, track_record(labelled.samples),
                                  config.calibrate.window_days, unless_larger=True)
        said = (f"the AI track record of the {len(labelled.samples)} studied commits is kept: review-tui stats"
                if kept else "the AI track record of an earlier run that studied more commits stays in use")
        raise CalibrationInputError(f"{exc} ({said})") from None
    outcome = _keep(repo, head, calibration)
    _keep_track_record(repo.root_commit(head), labelled, calibration.adopt, calibration.records,
                       config.calibrate.window_days)
    return CalibrationRun(str(repo.path), calibration, outcome, cached, time.perf_counter() - started, capped,
                          config.calibrate.window_days)


def _labelled(repo: GitRepo, head: str, config: RepoConfig, since: int | None, max_commits: int | None,
              show_progress: bool | None) -> tuple[Labelled, bool]:
    """The labelled history: from the cache when this head, these options and this config were
    labelled before, else labelled now (with a progress bar) and cached once complete."""
    from app.analysis import analyzer
    from app.core.calibration.run import LABELS_VERSION, Labelled, label_history
    from app.core.risk.likelihood import LIKELIHOOD_FEATURES

    # The analysis version too: what a factor counts changes with it (CI workflows became code, in-file Rust tests
    # left code_size) and labels cached before would hold the old figures, fitted on beside the new ones
    settings = (f"{config.digest}:{','.join(LIKELIHOOD_FEATURES)}:{config.calibrate.digest_text()}:"
                f"{analyzer.ANALYSIS_VERSION}")
    key = f"{LABELS_VERSION}:{head}:{since}:{max_commits}:{hashlib.sha256(settings.encode()).hexdigest()[:16]}"
    cache = open_cache()
    found = Labelled.from_json(cache.get(CACHE_KIND, key)) if cache is not None else None
    if found is not None:
        return found, True
    with _progress(show_progress) as progress:
        labelled = label_history(repo, head, config.calibrate, ai_config=config.ai, since=since,
                                 max_commits=max_commits, workers=config.complexity.workers or 1,
                                 progress=progress, chunks=config.chunks)
    if cache is not None and not labelled.missing_objects:  # content fetched later must be labelled again
        cache.put(CACHE_KIND, key, labelled.to_json())
    return labelled, False


class _Bar:
    """A rich progress bar on stderr, one task per stage."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from app.commands.common import console

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console(stderr=True), transient=True)
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(_STAGES.get(stage, stage), total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)

    def __enter__(self) -> Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


_STAGES = {"measuring": "Measuring commits", "tracing": "Tracing fixes"}


def _progress(show: bool | None) -> AbstractContextManager[Progress | None]:
    """A bar on a terminal's stderr (unless --no-progress); with --progress into a file or a log, a whole line at
    most every 10 s and at each stage, as `list --progress` writes (QA54: a calibrate logged to a file said nothing
    for 10 minutes); else nothing."""
    from app.commands.common import progress_line

    if show is not False and sys.stderr.isatty():
        return _Bar()
    line = progress_line(show)
    if line is None:
        return nullcontext(None)

    def logged(stage: str, done: int, total: int) -> None:
        line(f"{_STAGES.get(stage, stage).lower()} {done:,}/{total:,}")

    return nullcontext(logged)


def _keep(repo: GitRepo, head: str, calibration: Calibration) -> str:
    """Store the repository's own model when it won (refitted on every studied commit), else drop
    an older stored one; the sentence saying which."""
    from app import paths
    from app.core.calibration.run import L2, unweighed, usable_features
    from app.core.risk.likelihood import LIKELIHOOD_FEATURES, fit_logistic
    from app.storage.models import forget_model, store_model

    key = repo.root_commit(head)
    store = paths.models_path()
    own, defaults = calibration.figure("own").metrics["auc"], calibration.figure("defaults").metrics["auc"]
    versus = f"AUC {own[0]:.3f} against the defaults' {defaults[0]:.3f} on the newer half"
    gain, low, high = calibration.gain
    if math.isfinite(low):
        versus += f"; its gain on the same commits {gain:+.3f} [{low:+.3f}, {high:+.3f}]"
        if not calibration.adopt and gain > 0:
            versus += ": not reliably above 0"
    if not calibration.adopt:
        dropped = forget_model(store, key)
        return (f"The built-in defaults stay in use ({versus})"
                + ("; the model stored by an earlier calibration was removed." if dropped else "."))
    samples = calibration.labelled.samples
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    source = f"this repository's own model (fitted on {len(samples)} commits, calibrated {day})"
    # Features chosen on every studied commit, as the evaluation chose them on the older half: AI use is
    # recent almost everywhere, and pydantic-ai's 260 AI-assisted commits (17 in the older half) went unweighed
    rows = [s.feats for s in samples]
    model = fit_logistic(rows, [s.label for s in samples], L2, features=usable_features(rows), source=source)
    facts = {"head": head, "first": samples[0].sha, "last": samples[-1].sha, "commits": len(samples),
             "defect_inducing": calibration.labelled.inducing, "fix_commits": calibration.labelled.fixes,
             "calibrated": day, "metrics": {f.name: f.metrics for f in calibration.figures}}
    model = type(model)(model.intercept, model.coefficients, model.means, model.scales, model.source,
                        {**facts, "feature_list": list(LIKELIHOOD_FEATURES)})
    store_model(store, key, model, facts)
    left_out = unweighed(rows)
    return (f"This repository's own model is stored and now ranks its changes ({versus})"
            + (f"; {left_out}." if left_out else "."))


def _keep_track_record(key: str, lab: Labelled, adopted: bool, records: list[ToolRecord], window_days: int, *,
                       unless_larger: bool = False) -> bool:
    """Keep this run's AI track record (adopted or not): `stats` and the why panel read the latest.
    `unless_larger` (a run too small to evaluate): not when the latest kept one studied more commits
    (an 800-commit try replaced a complete 1,378-commit run's record). Whether it was kept."""
    from app import paths
    from app.storage.models import TrackRecordRun, latest_track_record, store_track_record

    if unless_larger:
        prior = latest_track_record(paths.models_path(), key)
        if prior is not None and prior.studied > len(lab.samples):
            return False
    first, last = lab.samples[0], lab.samples[-1]
    store_track_record(paths.models_path(), TrackRecordRun(
        key, time.time(), lab.head, first.sha, last.sha, first.time, last.time, len(lab.samples), lab.commits,
        lab.fixes, lab.inducing, adopted, tuple(records), window_days))
    return True


def _emit(run: CalibrationRun, *, json_output: bool, html_file: str | None) -> None:
    from app.core.text import json_text
    from app.report.calibration import render_html, render_rich, to_json

    if html_file:
        from app.errors import UsageError

        target = Path(html_file)
        partial = target.with_name(target.name + ".partial")
        try:
            partial.write_text(render_html(run, _display_name(run.repository)), encoding="utf-8")
            partial.replace(target)
        except OSError as exc:
            raise UsageError(f"cannot write {html_file}: {exc.strerror or exc}") from None
        click.echo(f"HTML report written to {html_file}", err=True)
    if json_output:
        click.echo(json_text(to_json(run)))
        return
    from app.commands.common import output_console, output_width

    out = output_console(output_width(None) or 120)
    for part in render_rich(run):
        out.print(part)
    sys.stdout.flush()


def _display_name(path: str) -> str | None:
    """The repository's name as `stats --html` gives it (its origin's, else its folder's)."""
    from app.core.git.display_name import repo_display_name
    from app.core.git.repo import GitRepo
    from app.errors import ReviewTuiError

    try:
        return repo_display_name(GitRepo(path))
    except ReviewTuiError:
        return None  # a title: the path it ran in is still a fine one
