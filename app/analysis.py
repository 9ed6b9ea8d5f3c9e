"""The analysis pipeline: discover pending changes, compute their figures, cache them.

This layer joins the pure core (git, metrics, risk, plans) with the cache in storage. The CLI
and the TUI both drive it; neither computes anything itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.changes import Discovery, change_diff, discover, find_change
from app.core.diff import FileDiff
from app.core.models import Change, ChangeFigures
from app.core.repo import GitRepo
from app.errors import ReviewTuiError

# Bump when the shape or meaning of a cached report changes.
ANALYSIS_VERSION = "1"

Progress = Callable[[int, int, str], None]


@dataclass
class ChangeReport:
    """Everything known about one change, as shown by `list` and the TUI queue."""

    change: Change
    figures: ChangeFigures = field(default_factory=ChangeFigures)
    extra: dict[str, Any] = field(default_factory=dict)  # risk, plan summary... filled by later stages
    error: str | None = None

    @property
    def id(self) -> str:
        return self.change.id

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


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class Analyzer:
    """Analyses the pending changes of one repository. Open one per thread (it owns a GitRepo)."""

    def __init__(self, repo_path: str | Path, *, base: str | None = None, commit_range: str | None = None,
                 cache: Any | None = None) -> None:
        self.repo = GitRepo(repo_path)
        self.base = base
        self.commit_range = commit_range
        self.cache = cache
        self._discovery: Discovery | None = None

    @property
    def discovery(self) -> Discovery:
        if self._discovery is None:
            self._discovery = discover(self.repo, base=self.base, commit_range=self.commit_range)
        return self._discovery

    def refresh(self) -> Discovery:
        self._discovery = None
        return self.discovery

    def change(self, change_id: str) -> Change:
        return find_change(self.discovery, change_id)

    def diff(self, change: Change) -> list[FileDiff]:
        return change_diff(self.repo, change)

    def _cache_key(self, change: Change) -> str | None:
        if change.kind == "worktree" or change.base is None:
            return None  # the working tree has no commit id to key on
        return f"{ANALYSIS_VERSION}:{change.base}:{change.head}"

    def analyze(self, change: Change) -> ChangeReport:
        """Figures for one change; a change that cannot be analysed carries its error, never raises."""
        report = ChangeReport(change)
        if change.error:
            report.error = change.error
            return report
        key = self._cache_key(change)
        if key and self.cache is not None:
            cached = self.cache.get("change", key)
            if cached is not None:
                report.figures = ChangeFigures(**cached["figures"])
                report.extra = cached.get("extra", {})
                return report
        try:
            files = self.diff(change)
        except ReviewTuiError as exc:
            report.error = str(exc)
            return report
        report.figures = ChangeFigures.from_diff(files)
        if key and self.cache is not None:
            self.cache.put("change", key, {"figures": report.figures.__dict__ if hasattr(report.figures, "__dict__")
                                           else _fields(report.figures), "extra": report.extra})
        return report

    def analyze_all(self, progress: Progress | None = None) -> list[ChangeReport]:
        changes = self.discovery.changes
        reports = []
        for i, change in enumerate(changes):
            if progress:
                progress(i, len(changes), change.id)
            reports.append(self.analyze(change))
        if progress:
            progress(len(changes), len(changes), "")
        return rank(reports)


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def rank(reports: list[ChangeReport]) -> list[ChangeReport]:
    """Riskiest first: by score when the risk model has run, else by size."""
    def key(r: ChangeReport) -> tuple:
        score = r.extra.get("score")
        size = r.figures.lines_added + r.figures.lines_deleted
        return (r.error is not None, -(score if score is not None else -1), -size, r.id)

    return sorted(reports, key=key)
