"""The analysis pipeline: discover pending changes, measure them, score them, plan their review.

This layer joins the pure core (git, metrics, provenance, tiers, risk, plans) with the cache in
storage. The CLI and the TUI both drive it; neither computes anything itself.

Cost model (issue 3): producing patches is cheap, complexity is not. So metrics are cached per
blob id (a blob is measured once, ever), every unique blob of every change is measured in one
parallel batch, and ranking is progressive: cheap factors first, complexity when it arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import RepoConfig, load_repo_config
from app.core import complexity as cx
from app.core.changes import Discovery, change_diff, discover, find_change
from app.core.chunks import ReviewPlan, build_plan
from app.core.diff import FileDiff
from app.core.history import HistoryIndex
from app.core.models import Change, ChangeFigures, CommitInfo
from app.core.provenance import AISignal, ChangeProvenance, analyze_provenance, commit_signals
from app.core.repo import GitRepo
from app.core.risk import RiskInputs, RiskResult, compute
from app.core.tiers import TierAssessment, assess
from app.errors import ReviewTuiError

# Bump when the shape or meaning of a cached report changes.
ANALYSIS_VERSION = "4"

Progress = Callable[[int, int, str], None]


@dataclass
class ChangeReport:
    """Everything the queue and `list` show about one change; JSON-serialisable through to_json."""

    change: Change
    figures: ChangeFigures = field(default_factory=ChangeFigures)
    extra: dict[str, Any] = field(default_factory=dict)  # risk, tiers, AI, plan summary
    error: str | None = None
    complete: bool = False  # False while complexity is still being measured

    @property
    def id(self) -> str:
        return self.change.id

    @property
    def score(self) -> float | None:
        return self.extra.get("score")

    def to_json(self, now: float | None = None) -> dict[str, Any]:
        c = self.change
        newest = c.newest_time
        now = time.time() if now is None else now
        data: dict[str, Any] = {
            "id": c.id,
            "kind": c.kind,
            "ref": c.ref,
            "head": c.head,
            "base": c.base,
            "base_ref": c.base_ref,
            "title": c.title,
            "authors": c.authors,
            "commits": len(c.commits),
            "lines_added": self.figures.lines_added,
            "lines_deleted": self.figures.lines_deleted,
            "files": self.figures.files,
            "directories": self.figures.directories,
            "binary_files": self.figures.binary_files,
            "renames": self.figures.renames,
            "updated_at": _iso(newest) if newest else None,
            "age_seconds": int(now - newest) if newest else None,
            "error": self.error or c.error,
        }
        data.update(self.extra)
        return data


@dataclass
class ChangeDetail:
    """The full analysis of one change, for the change and chunk screens and `chunks`/`explain`."""

    report: ChangeReport
    files: list[FileDiff]
    tiers: TierAssessment
    provenance: ChangeProvenance
    complexity: dict[str, cx.FileComplexity]
    risk: RiskResult
    plan: ReviewPlan
    commit_signals: dict[str, list[AISignal]]

    @property
    def change(self) -> Change:
        return self.report.change

    def commit_list(self) -> list[tuple[CommitInfo, list[AISignal]]]:
        return [(c, self.commit_signals.get(c.id, [])) for c in self.change.commits]


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class Analyzer:
    """Analyses the pending changes of one repository. Use one per thread (it owns a GitRepo)."""

    def __init__(self, repo_path: str | Path, *, base: str | None = None, commit_range: str | None = None,
                 cache: Any | None = None, config_path: Path | None = None) -> None:
        self.repo_path = Path(repo_path)
        self.repo = GitRepo(repo_path)
        self.base = base
        self.commit_range = commit_range
        self.cache = cache
        self.config_path = config_path
        self._discovery: Discovery | None = None
        self._config: RepoConfig | None = None
        self._history: HistoryIndex | None = None
        self._repo_key: str | None = None

    # -- discovery and settings -------------------------------------------------------------
    @property
    def discovery(self) -> Discovery:
        if self._discovery is None:
            self._discovery = discover(self.repo, base=self.base, commit_range=self.commit_range)
        return self._discovery

    @property
    def config(self) -> RepoConfig:
        if self._config is None:
            self._config = load_repo_config(self.repo, self.discovery.base_commit, self.config_path)
        return self._config

    @property
    def repo_key(self) -> str:
        """A name for this project that is the same in every clone: its root commit id."""
        if self._repo_key is None:
            base = self.discovery.base_commit
            cached = self.cache.get("root", base) if self.cache is not None else None
            if cached is None:
                cached = {"root": self.repo.root_commit(base)}
                if self.cache is not None:
                    self.cache.put("root", base, cached)
            self._repo_key = str(cached["root"])
        return self._repo_key

    def refresh(self) -> Discovery:
        """Forget what was discovered (refs moved, the worktree changed) and look again."""
        self._discovery = None
        self._config = None
        self._history = None
        self.repo = GitRepo(self.repo_path)
        return self.discovery

    def change(self, change_id: str) -> Change:
        return find_change(self.discovery, change_id)

    def diff(self, change: Change) -> list[FileDiff]:
        return change_diff(self.repo, change)

    @property
    def history(self) -> HistoryIndex | None:
        if self._history is None and not self.repo.is_shallow:
            base = self.discovery.base_commit
            cached = self.cache.get("history", base) if self.cache is not None else None
            if cached is not None:
                self._history = HistoryIndex.from_dict(cached)
            else:
                self._history = HistoryIndex.build(self.repo, base)
                if self.cache is not None:
                    self.cache.put("history", base, self._history.to_dict())
        return self._history

    # -- analysis ---------------------------------------------------------------------------
    def _cache_key(self, change: Change) -> str | None:
        if change.kind == "worktree" or change.base is None:
            return None  # the working tree has no commit id to key on
        return f"{ANALYSIS_VERSION}:{self.config.digest}:{change.base}:{change.head}"

    def cached_report(self, change: Change) -> ChangeReport | None:
        key = self._cache_key(change)
        if key is None or self.cache is None:
            return None
        data = self.cache.get("report", key)
        if data is None:
            return None
        try:
            return ChangeReport(change, ChangeFigures(**data["figures"]), data["extra"], None, True)
        except (KeyError, TypeError):
            return None

    def _store(self, report: ChangeReport) -> None:
        key = self._cache_key(report.change)
        if key and self.cache is not None and report.complete and report.error is None:
            figures = {name: getattr(report.figures, name) for name in report.figures.__slots__}
            self.cache.put("report", key, {"figures": figures, "extra": report.extra})

    def _metrics(self, files: list[FileDiff], *, measure: bool) -> dict[str, cx.FileMetrics]:
        """Metrics of every old/new blob of `files` that an analyzer covers, from cache or measured."""
        tag = cx.cache_tag(self.config.complexity.max_file_bytes)
        wanted: dict[str, str] = {}
        for fd in files:
            if fd.binary:
                continue
            for blob, path in ((fd.old_blob, fd.old_path), (fd.new_blob, fd.new_path)):
                if blob and path and cx.analyzer_for(path) != cx.ANALYZER_SIZE:
                    wanted.setdefault(blob, path)
        found: dict[str, cx.FileMetrics] = {}
        if self.cache is not None and wanted:
            for key, value in self.cache.get_many("metrics", [f"{tag}:{b}" for b in wanted]).items():
                try:
                    found[key.split(":")[-1]] = cx.FileMetrics.from_dict(value)
                except ValueError:
                    pass
        missing = [b for b in wanted if b not in found]
        if missing and measure:
            items = [(b, wanted[b], self._blob_or_empty(b)) for b in missing]
            measured = cx.analyze_many(items, workers=self.config.complexity.workers,
                                       max_bytes=self.config.complexity.max_file_bytes)
            found.update(measured)
            if self.cache is not None:
                self.cache.put_many("metrics", {f"{tag}:{b}": m.to_dict() for b, m in measured.items()})
        return found

    def _blob_or_empty(self, blob: str) -> bytes:
        try:
            return self.repo.blob(blob)
        except ReviewTuiError:
            return b""

    def _complexity(self, files: list[FileDiff], metrics: dict[str, cx.FileMetrics]) -> dict[str, cx.FileComplexity]:
        out: dict[str, cx.FileComplexity] = {}
        for fd in files:
            if fd.binary or not fd.path or cx.analyzer_for(fd.path) == cx.ANALYZER_SIZE:
                continue
            old = metrics.get(fd.old_blob) if fd.old_blob else None
            new = metrics.get(fd.new_blob) if fd.new_blob else None
            if (fd.old_blob and old is None) or (fd.new_blob and new is None):
                continue  # not measured yet
            touched = [line.new_lineno for line in fd.added_lines() if line.new_lineno]
            out[fd.path] = cx.compare(fd.path, old, new, touched_lines=touched)
        return out

    def _full(self, change: Change, *, measure: bool = True, order: str = "risk") -> ChangeDetail:
        files = self.diff(change)
        cfg = self.config
        tiers = assess(files, cfg.tiers)
        prov = analyze_provenance(self.repo, change.commits, files, base=change.base, head=change.head,
                                  ref=change.ref, config=cfg.ai)
        metrics = self._metrics(files, measure=measure)
        complexity = self._complexity(files, metrics)
        measurable = [fd for fd in files if not fd.binary and fd.path and cx.analyzer_for(fd.path) != cx.ANALYZER_SIZE]
        complete = len(complexity) >= len(measurable)
        history = None if change.kind == "worktree" else self.history
        paths = [fd.path for fd in files]
        figures = ChangeFigures.from_diff(files)
        worst = max((c.worst for c in complexity.values() if c.worst), key=lambda f: f.complexity, default=None)
        inputs = RiskInputs(
            lines_added=figures.lines_added,
            lines_deleted=figures.lines_deleted,
            paths=paths,
            lines_per_file=[fd.changed_lines for fd in files],
            complexity_added=sum(c.complexity_added for c in complexity.values()),
            worst_complexity=worst.complexity if worst else 0,
            worst_function=worst.name if worst else None,
            ai_share=prov.ai_share,
            ai_tools=list(prov.tools),
            tier=tiers.tier,
            tier_reason=tiers.reasons[0] if tiers.reasons else "",
            destructive=[op.summary() for op in tiers.destructive],
            history_known=history is not None,
        )
        if history is not None:
            hf = history.figures(paths, change.author_emails)
            inputs.hottest_changes, inputs.hottest_path = hf.hottest_changes, hf.hottest_path
            inputs.recent_authors, inputs.author_prior_commits = hf.recent_authors, hf.author_prior_commits
        risk = compute(inputs, cfg.risk)
        function_cc = {path: {name: max(new - (old or 0), 0) for name, old, new in fc.changed_functions}
                       for path, fc in complexity.items()}
        plan = build_plan(files, read_blob=self.repo.blob, config=cfg.chunks, file_tiers=tiers.file_tiers,
                          ai_lines=prov.ai_lines, function_complexity=function_cc,
                          destructive_paths={op.path for op in tiers.destructive}, order=order)
        worst_path = next((p for p, c in complexity.items() if c.worst is worst), None) if worst else None
        extra: dict[str, Any] = {
            **risk.to_dict(),
            "tier": tiers.tier,
            "tier_reasons": tiers.reasons,
            "ai_share": round(prov.ai_share, 4),
            "ai_added": prov.ai_added,
            "ai_tools": list(prov.tools),
            "ai_method": prov.method,
            "ai_notes": [*prov.errors, *([prov.squash_warning] if prov.squash_warning else [])],
            "complexity_added": inputs.complexity_added,
            "complexity_pending": not complete,
            "worst_function": ({"name": worst.name, "path": worst_path, "grade": worst.grade,
                                "complexity": worst.complexity} if worst else None),
            "complexity_errors": {p: c.error for p, c in complexity.items() if c.error},
            "destructive_ops": [op.to_dict() for op in tiers.destructive],
            "chunks": len(plan.chunks),
            "floor_seconds": plan.total_floor_seconds,
        }
        if history is not None:
            extra["history"] = hf.to_dict()
        report = ChangeReport(change, figures, extra, None, complete)
        signals = {c.id: commit_signals(c, cfg.ai) for c in change.commits}
        return ChangeDetail(report, files, tiers, prov, complexity, risk, plan, signals)

    def analyze(self, change: Change, *, measure: bool = True) -> ChangeReport:
        """One change's report; a change that cannot be analysed carries its error, never raises."""
        if change.error:
            return ChangeReport(change, error=change.error, complete=True)
        cached = self.cached_report(change)
        if cached is not None:
            return cached
        try:
            report = self._full(change, measure=measure).report
        except ReviewTuiError as exc:
            return ChangeReport(change, error=str(exc), complete=True)
        self._store(report)
        return report

    def detail(self, change: Change | str, *, order: str = "risk") -> ChangeDetail:
        """Everything about one change (diff, tiers, provenance, complexity, risk, plan)."""
        if isinstance(change, str):
            change = self.change(change)
        if change.error:
            raise ReviewTuiError(f"{change.id}: {change.error}")
        detail = self._full(change, order=order)
        self._store(detail.report)
        return detail

    def analyze_all(self, progress: Progress | None = None,
                    on_report: Callable[[ChangeReport], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> list[ChangeReport]:
        """Every pending change, ranked. Progressive: cached and cheap results come first (with
        complexity pending), then every unmeasured blob of every change is measured in one
        parallel batch, then the reports are completed."""
        changes = self.discovery.changes
        total = len(changes)
        reports: dict[str, ChangeReport] = {}
        pending: list[Change] = []
        for i, change in enumerate(changes):
            if should_stop and should_stop():
                break
            if progress:
                progress(i, total * 2, f"reading {change.id}")
            report = self.analyze(change, measure=False)
            reports[change.id] = report
            if not report.complete:
                pending.append(change)
            if on_report:
                on_report(report)
        if pending and not (should_stop and should_stop()):
            if progress:
                progress(total, total * 2, f"measuring complexity of {len(pending)} changes")
            all_files: list[FileDiff] = []
            for change in pending:
                try:
                    all_files.extend(self.diff(change))
                except ReviewTuiError:
                    pass
            self._metrics(all_files, measure=True)
            for j, change in enumerate(pending):
                if should_stop and should_stop():
                    break
                if progress:
                    progress(total + j, total * 2, f"scoring {change.id}")
                report = self.analyze(change, measure=True)
                reports[change.id] = report
                if on_report:
                    on_report(report)
        if progress:
            progress(total * 2, total * 2, "")
        return rank(list(reports.values()))


def rank(reports: list[ChangeReport]) -> list[ChangeReport]:
    """Riskiest first: by score, then size; changes that failed to analyse go last."""
    def key(r: ChangeReport) -> tuple:
        score = r.extra.get("score")
        size = r.figures.lines_added + r.figures.lines_deleted
        return (r.error is not None, -(score if score is not None else -1), -size, r.id)

    return sorted(reports, key=key)
