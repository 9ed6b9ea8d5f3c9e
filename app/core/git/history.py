"""History factors (Kamei et al. 2013: NDEV, NUC, EXP): how hot the touched files are and how
well the author knows them, from the base's own history.

The window ends at the base tip's commit time, not the wall clock, so figures are reproducible
and an old clone is judged by its own recent past.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from app.core.git.repo import GitRepo, HistoryEntry

WINDOW_DAYS = 90
EXPERIENCE_DAYS = 730  # how far back an author's prior commits in the files are counted
MAX_COMMITS = 20_000


@dataclass
class HistoryIndex:
    """Per-path commit lists of the base's history, built once and shared by every change."""

    base_commit: str
    window_start: int
    commits_by_path: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # path -> [(time, email)]

    @classmethod
    def build(cls, repo: GitRepo, base_commit: str, *, paths: Collection[str] | None = None) -> HistoryIndex:
        """The index of the base's history; with `paths`, of those paths only (the same figures for
        them, at a cost that follows the paths asked about rather than the repository's size)."""
        tip_time = repo.commit_info(base_commit).commit_time
        entries = repo.history(base_commit, since=tip_time - EXPERIENCE_DAYS * 86_400, max_commits=MAX_COMMITS,
                               paths=paths)
        return cls.from_entries(base_commit, tip_time - WINDOW_DAYS * 86_400, entries)

    @classmethod
    def from_entries(cls, base_commit: str, window_start: int, entries: list[HistoryEntry]) -> HistoryIndex:
        by_path: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for entry in entries:
            for path in entry.paths:
                by_path[path].append((entry.time, entry.author_email.lower()))
        return cls(base_commit, window_start, dict(by_path))

    def to_dict(self) -> dict[str, Any]:
        return {"base_commit": self.base_commit, "window_start": self.window_start,
                "commits_by_path": {p: [list(x) for x in v] for p, v in self.commits_by_path.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryIndex:
        return cls(data["base_commit"], data["window_start"],
                   {p: [(int(t), str(e)) for t, e in v] for p, v in data["commits_by_path"].items()})

    def figures(self, paths: list[str], author_emails: list[str]) -> HistoryFigures:
        authors = {e.lower() for e in author_emails}
        recent_changes: dict[str, int] = {}
        recent_authors: set[str] = set()
        prior = 0
        for path in paths:
            commits = self.commits_by_path.get(path, [])
            recent = [(t, e) for t, e in commits if t >= self.window_start]
            if recent:
                recent_changes[path] = len(recent)
            recent_authors.update(e for _, e in recent)
            prior += sum(1 for _, e in commits if e in authors)
        hottest = max(recent_changes.items(), key=lambda kv: (kv[1], kv[0]), default=(None, 0))
        return HistoryFigures(
            recent_changes=recent_changes,
            hottest_path=hottest[0],
            hottest_changes=hottest[1],
            recent_authors=len(recent_authors),
            author_prior_commits=prior,
            window_days=WINDOW_DAYS,
        )


@dataclass
class HistoryFigures:
    recent_changes: dict[str, int]  # path -> commits in the window
    hottest_path: str | None
    hottest_changes: int
    recent_authors: int  # distinct authors of the touched files in the window
    author_prior_commits: int  # the change's authors' earlier commits in the touched files
    window_days: int
