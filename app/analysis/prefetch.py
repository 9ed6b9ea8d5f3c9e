"""A discovery started in a process of its own (Analyzer.prefetch_discovery, AnalyzerSpec.start_discovery)
from a thread of its own. Imports nothing of the analysis."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from app.core.git.discovery import Discovery


class DiscoveryStart(threading.Thread):
    """Starts Analyzer.prefetch_discovery's worker process from a thread of its own: the start waits
    for the forkserver to import the analyzers (0.15-0.2 s), which the caller's thread spends importing
    and painting the TUI instead. `job` gets the discovery, or why there is none."""

    def __init__(self, pool: ProcessPoolExecutor, discover: Callable[..., Discovery], args: tuple[Any, ...]) -> None:
        super().__init__(name="review-tui-discovery-start", daemon=True)
        from concurrent.futures import Future

        self.pool, self.discover, self.args = pool, discover, args
        self.job: Future[Discovery] = Future()
        self._lock = threading.Lock()  # a start under way ends before an abandon stops the process
        self._abandoned = False
        import multiprocessing.popen_forkserver  # noqa: F401 - on the caller's thread (_import_before_threads)
        self.start()

    def run(self) -> None:
        with self._lock:
            if self._abandoned:
                self.job.set_exception(RuntimeError("abandoned"))
                return
            try:
                inner = self.pool.submit(self.discover, *self.args)
            except Exception as exc:  # no process (no fork, no /dev/shm): the queue discovers itself
                self.pool.shutdown(wait=False)
                self.job.set_exception(exc)
                return
        inner.add_done_callback(functools.partial(_pass_on, self.job))

    def abandon(self) -> None:
        """Stop the discovery's process now (Analyzer.abandon_prefetched_discovery)."""
        with self._lock:
            self._abandoned = True
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.terminate()
            self.pool.shutdown(wait=False, cancel_futures=True)


def _pass_on(to: Future[Any], done: Future[Any]) -> None:
    """Give `to` the outcome of `done` (a future the caller cannot hand out itself)."""
    if done.cancelled():
        to.set_exception(RuntimeError("cancelled"))
    elif (error := done.exception()) is not None:
        to.set_exception(error)
    else:
        to.set_result(done.result())
