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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from app.analysis.analyzer import Analyzer
    from app.analysis.prefetch import DiscoveryStart
    from app.core.git.discovery import Discovery
    from app.storage.cache import AnalysisCache


@dataclass
class AnalyzerSpec:
    """The repository (and settings) of an Analyzer to build later: the queue of the default base."""

    repo_path: Path
    use_cache: bool = True
    commit_range: str | None = None  # always None: a range is checked before the screen (kept for the title)
    prefetch: tuple[ProcessPoolExecutor, DiscoveryStart] | None = None  # start_discovery's, until adopted

    def start_discovery(self) -> None:
        """On a first run ever (no analysis cache yet: nothing is discovered at any base), start discovering
        in a process of its own now (the TUI: at its first paint), on the other core while this one imports
        the analysis, as Analyzer.prefetch_discovery does for the checked start; the analyzer built then
        adopts it. Without pygit2 here, the team's `[complexity] workers = 0` cannot be read first: this one
        process, on a first run only, is started anyway."""
        from app import paths

        cache_path = paths.analysis_cache_path()
        if not self.use_cache or cache_path.exists() or self.prefetch is not None:
            return
        from app.analysis.prefetch import DiscoveryStart
        from app.core.workers import new_pool

        pool = new_pool(1)  # on this thread: the forkserver starts where signals can be set
        if pool is None:
            return
        self.prefetch = (pool, DiscoveryStart(pool, discover_in_worker,
                                                (self.repo_path, None, None, cache_path, None, False, False)))

    def take_prefetch(self) -> tuple[ProcessPoolExecutor, DiscoveryStart] | None:
        prefetch, self.prefetch = self.prefetch, None
        return prefetch

    def drop_prefetch(self, *, wait: bool) -> None:
        """End a discovery no analyzer adopted (the app quit, or its checks refused, before)."""
        prefetch = self.take_prefetch()
        if prefetch is None:
            return
        if wait:
            prefetch[0].shutdown(wait=True, cancel_futures=True)
        else:
            prefetch[1].abandon()

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


def discover_in_worker(*args: Any) -> Discovery:
    """Analyzer.discovery in a worker process (the forkserver has the analysis imported already)."""
    from app.analysis.analyzer import _discover_in_worker

    return _discover_in_worker(*args)
