"""What the analysis pipeline hands to its readers: a change's report (the queue row and `list
--json`) and its full detail (the change and chunk screens, `chunks` and `explain`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.git.models import Change, ChangeFigures, CommitInfo

if TYPE_CHECKING:
    from app.core.git.diff import FileDiff
    from app.core.impact.assess import TierAssessment
    from app.core.metrics import complexity as cx
    from app.core.planner.model import ReviewPlan
    from app.core.provenance.commits import AISignal
    from app.core.provenance.lines import ChangeProvenance
    from app.core.risk.score import RiskResult


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
