"""An Analyzer not built yet: what the TUI's fast start hands the app (issue 18).

Building an Analyzer imports pygit2 and the analysis (50-60 ms), which a first paint of the queue must
not wait for. The CLI checks by the filesystem alone that the repository is usable
(app/core/git/locate.py) and passes this; the app paints, then builds the analyzer (`build`), whose
checks (`Analyzer.check_inputs`) may still refuse what the filesystem could not judge (a broken
`[queue]` table, a base branch that cannot be read): the app then ends and the CLI prints that error
as one line. Importing this module imports nothing of the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache


@dataclass(frozen=True)
class AnalyzerSpec:
    """The repository (and settings) of an Analyzer to build later: the queue of the default base."""

    repo_path: Path
    use_cache: bool = True
    commit_range: str | None = None  # always None: a range is checked before the screen (kept for the title)

    def build(self) -> Analyzer:
        """The Analyzer, its inputs checked as the CLI checks them (raises ReviewTuiError)."""
        from app.analysis.analyzer import Analyzer

        analyzer = Analyzer(self.repo_path, cache=self._cache())
        analyzer.check_inputs()
        return analyzer

    def _cache(self) -> AnalysisCache | None:
        if not self.use_cache:
            return None
        from app import paths
        from app.errors import ReviewTuiError
        from app.storage.cache import AnalysisCache

        try:
            return AnalysisCache.open(paths.analysis_cache_path())
        except ReviewTuiError:
            return None  # a cache is an optimisation: run without it
