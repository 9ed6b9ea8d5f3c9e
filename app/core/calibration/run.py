"""`review-tui calibrate`'s core: label a repository's history, then a time-split evaluation.

`label_history` studies the newest first-parent commits (after `since`, at most `max_commits`), each
with its factors from its own parent (factors.py) and its SZZ label (szz.py). Only the studied commits
and the two years before the oldest of them (all its history figures can see) are read with diffs. `evaluate` splits the
studied commits in time: the repository's own model is fitted on the older half and, with the
built-in defaults and size alone, ranks the newer half's code-touching commits (AUC, recall in the
top 20%, recall at 20% of changed lines, Popt, each with a 95% bootstrap interval).

The rule for using the repository's own model (ADOPT_RULE): on the newer half's commits, the 95%
interval of its AUC gain over the defaults (a paired bootstrap: both rankings on the same resamples)
lies above 0.

The AI track record: of the studied commits, the share later fixed (defect-inducing) per AI tool
the commit's own signals name (app/core/provenance/commits.py, the `[ai]` threshold) and for
commits without AI signals, each with a Wilson interval.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from app.core.calibration.evaluate import METRICS, auc, bootstrap, paired_gain, rate_interval
from app.core.calibration.factors import (
    DEFAULT_CHUNKS,
    LineCommit,
    LogCommit,
    MissingHistory,
    measure,
    read_first_parent_line,
    read_first_parent_log,
)
from app.core.calibration.szz import CalibrateConfig, FixMatcher, trace_fixes
from app.core.git.cli import GitCli
from app.core.git.diff import FileDiff
from app.core.git.history import EXPERIENCE_DAYS
from app.core.git.repo import GitRepo
from app.core.planner.model import ChunkConfig
from app.core.provenance.commits import DEFAULT, ProvenanceConfig
from app.core.risk.likelihood import LIKELIHOOD_FEATURES, LikelihoodModel, fit_logistic
from app.errors import ReviewTuiError

LABELS_VERSION = 7  # 2: factor indent; 3: a merge is its pull request's authors' work; 4: no history of lock, generated
# or translation files, no size of lock or generated files (FIX121); 5: the effort is the lines read by hand, files
# marked generated are not size, Go/Python/Rust under build/ are (FIX123); 6: renamed files paired as the analysis's
# diff pairs them, a move counting its edit, not its whole file deleted and added (FIX132); 7: a generated file moved
# unchanged is read for its marker, as the analysis reads it: no size, spread or code file (FIX135)
"""Part of every cache key of labelled history: bump when labelling or factors change meaning."""
MIN_NONZERO = 30
"""A feature seen (non-zero) in fewer changes than this is left out of a fit (ai_share in pre-AI histories)."""
MIN_TRAIN_POSITIVES = 20
MIN_TEST_POSITIVES = 10
ADOPT_RULE = ("the repository's own model is used when, on the newer half's commits, the 95% interval of its "
              "AUC gain over the built-in defaults (both ranking the same resampled commits) lies above 0")
L2 = 100.0
"""The L2 penalty on the standardised coefficients of every fit: the built-in defaults' (bench/calibrate_defaults.py)
and the repository's own model here. With 1 the own older-half model ranked each history's newer half worse than
with 100 (six calibration histories, mean AUC 0.687 -> 0.707, Popt 0.800 -> 0.826; hono 0.738 -> 0.746; bench/README.md
"Line-level history ... and calibrate's own penalty", stop 50)."""
ROUNDS = 200

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): "measuring" commits, "tracing" blamed files."""


class CalibrationInputError(ReviewTuiError):
    """The history cannot be calibrated on (empty, shallow, no fixes, too few labels): one line."""

    exit_code = 3


@dataclass
class Sample:
    """One studied commit: its factors, whether a later fix traced lines to it, and what the metrics need."""

    sha: str
    time: int
    feats: dict[str, float]
    label: int
    code: bool
    lines: int
    ai_tool: str | None


@dataclass
class Labelled:
    """The labelled history of one repository (what the cache keeps)."""

    head: str
    commits: int  # first-parent commits up to head
    fixes: int  # fix commits among them (after the first studied commit)
    traced: int  # fixes whose lines were blamed on a studied commit
    samples: list[Sample] = field(default_factory=list)
    missing_objects: int = 0  # commits of the studied span left out: a blob they change is not in the repository

    def to_json(self) -> dict[str, Any]:
        # An unknown factor is NaN (complexity of a commit of only Terraform or shell, QA55 F3), which JSON cannot
        # hold: null in the cache. Written as NaN, the cache refused the labels after uv's 24 minutes of tracing and
        # calibrate ended in an internal error, every time.
        samples = [{**asdict(s), "feats": {k: v if math.isfinite(v) else None for k, v in s.feats.items()}}
                   for s in self.samples]
        return {"version": LABELS_VERSION, "head": self.head, "commits": self.commits, "fixes": self.fixes,
                "traced": self.traced, "samples": samples, "missing_objects": self.missing_objects}

    @classmethod
    def from_json(cls, data: Any) -> Labelled | None:
        """None for anything not written by this version (a cache entry is only a cache)."""
        try:
            if data.get("version") != LABELS_VERSION:
                return None
            samples = [Sample(str(s["sha"]), int(s["time"]),
                              {k: math.nan if v is None else float(v) for k, v in s["feats"].items()},
                              int(s["label"]), bool(s["code"]), int(s["lines"]),
                              None if s["ai_tool"] is None else str(s["ai_tool"])) for s in data["samples"]]
            return cls(str(data["head"]), int(data["commits"]), int(data["fixes"]), int(data["traced"]), samples,
                       int(data.get("missing_objects", 0)))
        except (AttributeError, KeyError, TypeError, ValueError):
            return None

    @property
    def inducing(self) -> int:
        return sum(s.label for s in self.samples)


def check_history(repo: GitRepo) -> str:
    """The head commit to calibrate on, or a one-line CalibrationInputError saying what is missing."""
    if repo.is_empty:
        raise CalibrationInputError("the repository has no commits: nothing to calibrate on "
                                    "(the built-in defaults stay in use)")
    if repo.is_shallow:
        raise CalibrationInputError("the repository is a shallow clone: calibrate needs the full history "
                                    "(git fetch --unshallow); the built-in defaults stay in use")
    head = repo.head_commit()
    if head is None:
        raise CalibrationInputError("the repository has no HEAD commit: nothing to calibrate on")
    return head


def _studied(line: Sequence[LineCommit], since: int | None, max_commits: int | None) -> list[LineCommit]:
    chosen = [c for c in line if since is None or c.time >= since]
    if max_commits is not None:
        chosen = chosen[-max_commits:] if max_commits > 0 else []
    return chosen


def _read_studied(git: GitCli, head: str, since: int | None, max_commits: int | None,
                  ) -> tuple[list[LineCommit], list[LogCommit], list[LogCommit], int]:
    """(the first-parent line, the commits read with their diffs, the studied ones among them, how
    many studied commits miss objects and are left out)."""
    line = read_first_parent_line(git, head)
    if len(line) > 1 and all(c.merge for c in line[1:]):
        raise CalibrationInputError(
            f"the first-parent history holds only merge commits ({len(line) - 1}): calibrate needs the "
            "changes themselves on the main line; the built-in defaults stay in use")
    chosen = {c.sha for c in _studied(line, since, max_commits)}
    # The commits read with their diffs: the studied ones and those before them that a studied
    # commit's history figures can see (EXPERIENCE_DAYS back); older ones cannot change a figure.
    seen_from = min((c.time for c in line if c.sha in chosen), default=0) - EXPERIENCE_DAYS * 86_400
    first_needed = next((i for i, c in enumerate(line) if c.time >= seen_from), len(line))
    try:
        commits = read_first_parent_log(git, head, len(line) - first_needed) if chosen else []
    except MissingHistory as exc:
        raise CalibrationInputError(f"{exc}; the built-in defaults stay in use") from None
    study = [c for c in commits if c.sha in chosen]
    missing = sum(c.missing_objects for c in study)  # neither measured nor diffed as a fix: said, not hidden
    study = [c for c in study if not c.missing_objects]
    if missing and missing >= len(study):  # a partial clone: what is left says little about this history
        raise CalibrationInputError(
            f"{missing} of the {missing + len(study)} commits to study change files whose content is not in this "
            "clone (a partial clone): calibrate needs a clone without --filter; "
            "the built-in defaults stay in use")
    if not study:
        raise CalibrationInputError("no commits to study (check --since / --max-commits); "
                                    "the built-in defaults stay in use")
    return line, commits, study, missing


def label_history(repo: GitRepo, head: str, config: CalibrateConfig, *, ai_config: ProvenanceConfig = DEFAULT,
                  since: int | None = None, max_commits: int | None = None, workers: int = 2,
                  progress: Progress | None = None, chunks: ChunkConfig = DEFAULT_CHUNKS) -> Labelled:
    """Factors and SZZ labels of the studied commits (see the module docstring); `chunks`: which files a machine
    writes (collapsed_globs), left out of the factors as the analysis leaves them out."""
    git = GitCli(repo.git_dir)
    line, commits, study, missing = _read_studied(git, head, since, max_commits)
    position = {c.sha: i for i, c in enumerate(commits)}
    first = position[study[0].sha]
    for commit in commits:
        if commit.is_merge:  # a merged pull request is its authors' work (the analysis's history index: the same)
            try:
                commit.work_authors = repo.work_authors(commit.sha)
            except (KeyError, ValueError, ReviewTuiError):
                pass

    def read_blob(blob: str) -> bytes | None:
        try:
            return repo.blob(blob)
        except ReviewTuiError:
            return None

    def renames(commit: LogCommit) -> list[FileDiff]:
        if commit.parent is None:
            return []
        try:
            return repo.diff(commit.parent, commit.sha, context_lines=0, renames_only=True)
        except ReviewTuiError:  # not diffable (a damaged clone): its files as the log reads them
            return []

    measured = measure(commits, {c.sha for c in study}, read_blob, ai_config=ai_config, workers=workers, chunks=chunks,
                       progress=(lambda d, t: progress("measuring", d, t)) if progress else None, renames=renames)
    matcher = FixMatcher(config)
    fixes = [c for c in commits[first + 1:]
             if c.parent and not c.missing_objects and matcher.is_fix(c.info.message)]
    traces = trace_fixes(git, [(c.sha, c.parent or "", c.info.commit_time) for c in fixes], config,
                         progress=(lambda d, t: progress("tracing", d, t)) if progress else None, workers=workers)
    inducing: set[str] = set()
    traced = 0
    window = config.window_days * 86_400
    times = {c.sha: c.info.commit_time for c in commits}
    for trace in traces:
        found = {sha for sha in trace.inducing
                 if first <= position.get(sha, -1) < position[trace.fix]
                 and times[trace.fix] - times[sha] <= window}
        inducing |= found
        traced += bool(found)
    samples = [Sample(m.sha, m.time, m.feats, int(m.sha in inducing), m.code, m.lines, m.ai_tool) for m in measured]
    return Labelled(head, len(line), len(fixes), traced, samples, missing)


# -- evaluation ----------------------------------------------------------------------------------


@dataclass
class Figures:
    """One ranking's metrics on the newer half: name -> (value, low, high)."""

    name: str
    metrics: dict[str, tuple[float, float, float]]


@dataclass
class ToolRecord:
    """The later-fix rate of the studied commits of one AI tool (None: no AI signal)."""

    tool: str | None
    changes: int
    fixed: int
    rate: tuple[float, float, float]
    follow_up_days: float = math.nan
    """The median days its changes had, before the newest studied commit, for a later fix to come: changes of
    the last months read "2% later fixed" beside 16% for changes of years (QA48 #22). NaN: not known."""


@dataclass
class Calibration:
    """Everything `calibrate` reports."""

    labelled: Labelled
    train: int
    train_positive: int
    test: int  # code-touching commits of the newer half
    test_positive: int
    features: tuple[str, ...]
    own: LikelihoodModel
    figures: list[Figures]
    curves: dict[str, list[tuple[float, float]]]
    adopt: bool
    records: list[ToolRecord]
    gain: tuple[float, float, float] = (math.nan, math.nan, math.nan)  # own AUC minus the defaults', paired interval

    def figure(self, name: str) -> Figures:
        return next(f for f in self.figures if f.name == name)


def feature_counts(rows: Sequence[dict[str, float]]) -> dict[str, int]:
    """How many rows see each feature (non-zero, finite)."""
    return {f: sum(1 for r in rows if r.get(f, 0.0) != 0.0 and math.isfinite(r.get(f, math.nan)))
            for f in LIKELIHOOD_FEATURES}


def usable_features(rows: Sequence[dict[str, float]]) -> tuple[str, ...]:
    """The features seen (non-zero, finite) in at least MIN_NONZERO rows."""
    counts = feature_counts(rows)
    return tuple(f for f in LIKELIHOOD_FEATURES if counts[f] >= MIN_NONZERO)


def unweighed(rows: Sequence[dict[str, float]]) -> str:
    """Which features a model fitted on `rows` leaves out, and why, for people ("" when none): an AI share
    seen in 17 of 2,777 commits cannot be weighed, and nothing said so."""
    counts = feature_counts(rows)
    left = [f"{name} ({counts[name]})" for name in LIKELIHOOD_FEATURES if counts[name] < MIN_NONZERO]
    if not left:
        return ""
    return (f"not weighed, seen in fewer than {MIN_NONZERO} of its {len(rows):,} commits: {', '.join(left)}")


def labels_needed(labelled: Labelled) -> tuple[list[Sample], list[Sample]]:
    """The older half (to fit) and the newer half's code-touching commits (to test), or the one line
    saying how many labels were found and how many are needed."""
    samples = labelled.samples
    if labelled.fixes == 0:
        raise CalibrationInputError(
            f"no fix commits found in {len(samples)} studied commits (set [calibrate] fix_patterns in "
            ".review-tui.toml if this history words them differently); the built-in defaults stay in use")
    half = len(samples) // 2
    older = samples[:half]
    newer = [s for s in samples[half:] if s.code]
    train_pos = sum(s.label for s in older)
    test_pos = sum(s.label for s in newer)
    # Each half needs its own share: a total of 30 is not enough when the newer half holds 7 of them
    # ("30 found, 30 needed" read as a contradiction), so the line names the half that is short.
    short = []
    if train_pos < MIN_TRAIN_POSITIVES:
        short.append(f"the older half has {train_pos} ({MIN_TRAIN_POSITIVES} needed to fit on)")
    if test_pos < MIN_TEST_POSITIVES:
        short.append(f"the newer half's code-touching commits have {test_pos} ({MIN_TEST_POSITIVES} needed to test on)")
    if short:
        found = labelled.inducing
        raise CalibrationInputError(
            f"too few labels: {found} defect-inducing commit{'' if found == 1 else 's'} found, but "
            f"{' and '.join(short)}; the built-in defaults stay in use")
    return older, newer


def evaluate(labelled: Labelled, defaults: LikelihoodModel, *, rounds: int = ROUNDS) -> Calibration:
    """Fit on the older half, rank the newer half's code-touching commits; see the module docstring."""
    older, newer = labels_needed(labelled)
    features = usable_features([s.feats for s in older])
    own = fit_logistic([s.feats for s in older], [s.label for s in older], L2, features=features,
                       source=f"this repository's own model (fitted on {len(older)} commits)")
    rankings = {
        "own": [own.probability(s.feats) for s in newer],
        "defaults": [defaults.probability(s.feats) for s in newer],
        "size": [s.feats["size"] for s in newer],
    }
    labels = [s.label for s in newer]
    lines = [float(s.lines) for s in newer]
    figures = [Figures(name, {metric: bootstrap(fn, scores, labels, lines, rounds=rounds)
                              for metric, fn in METRICS.items()}) for name, scores in rankings.items()]
    curves = {name: effort_curve(scores, labels, lines) for name, scores in rankings.items()}
    curves["optimal"] = effort_curve([float(y) for y in labels], labels, lines)
    # Adopted only where it is reliably better on the same commits: its paired gain's interval is above 0
    # (uv: 0.780 against 0.779 switched the whole queue to a model whose AI weight came from censored labels)
    gain = paired_gain(METRICS["auc"], rankings["own"], rankings["defaults"], labels, lines, rounds=rounds)
    adopt = gain[0] > 0 and gain[1] > 0
    return Calibration(labelled, len(older), sum(s.label for s in older), len(newer), sum(labels), features,
                       own, figures, curves, adopt, track_record(labelled.samples), gain)


def effort_curve(scores: Sequence[float], labels: Sequence[int], lines: Sequence[float],
                 points: int = 100) -> list[tuple[float, float]]:
    """(share of changed lines read, share of defect-inducing commits found), reading by score per
    line as the effort-aware metrics do; at most `points` + 1 points, from (0, 0) to (1, 1)."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i] / max(1.0, lines[i]), lines[i]))
    total_lines = sum(max(1.0, x) for x in lines) or 1.0
    total_found = sum(labels) or 1
    curve = [(0.0, 0.0)]
    x = y = 0.0
    step = max(1, len(order) // points)
    for n, i in enumerate(order, 1):
        x += max(1.0, lines[i]) / total_lines
        y += labels[i] / total_found
        if n % step == 0 or n == len(order):
            curve.append((round(x, 4), round(y, 4)))
    return curve


def track_record(samples: Sequence[Sample]) -> list[ToolRecord]:
    """Later-fix rate per AI tool (most changes first), then for commits without AI signals, each with the
    median days its changes had for a later fix to come."""
    by_tool: dict[str | None, list[int]] = {}
    ages: dict[str | None, list[float]] = {}
    newest = max((s.time for s in samples), default=0)
    for s in samples:
        by_tool.setdefault(s.ai_tool, []).append(s.label)
        ages.setdefault(s.ai_tool, []).append((newest - s.time) / 86_400)
    tools = sorted((t for t in by_tool if t is not None), key=lambda t: (-len(by_tool[t]), t))
    order: list[str | None] = [*tools, None]
    return [ToolRecord(t, len(by_tool.get(t, [])), sum(by_tool.get(t, [])),
                       rate_interval(sum(by_tool.get(t, [])), len(by_tool.get(t, []))),
                       statistics.median(ages[t]) if t in ages else math.nan) for t in order]


def size_auc(samples: Sequence[Sample]) -> float:
    """AUC of size alone over the given samples (a quick check for tests and benches)."""
    return auc([s.feats["size"] for s in samples], [s.label for s in samples])
