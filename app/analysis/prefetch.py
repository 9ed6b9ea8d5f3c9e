"""A discovery started in a process of its own (Analyzer.prefetch_discovery, AnalyzerSpec.start_discovery)
from a thread of its own. Imports nothing of the analysis."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from app.core.git.discovery import Discovery


class DiscoveryStart(threading.Thread):
    """Starts Analyzer.prefetch_discovery's worker process from a thread of its own: the start waits
    for the forkserver to import the analyzers (0.15-0.2 s), which the caller's thread spends importing
    and painting the TUI instead. `job` gets the discovery, or why there is none. `discover` is given
    `progress_path` last: the file where the process keeps how far it got (write_progress), which
    Analyzer.take_prefetched_discovery reads while it waits; its folder is removed once the job ends."""

    def __init__(self, pool: ProcessPoolExecutor, discover: Callable[..., Discovery], args: tuple[Any, ...]) -> None:
        super().__init__(name="review-tui-discovery-start", daemon=True)
        from concurrent.futures import Future

        self.pool, self.discover, self.args = pool, discover, args
        self.job: Future[Discovery] = Future()
        self._folder = tempfile.mkdtemp(prefix="review-tui-discovery-")
        self.progress_path = os.path.join(self._folder, "progress")
        self.job.add_done_callback(lambda _job: self.discard_progress())
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
                inner = self.pool.submit(self.discover, *self.args, self.progress_path)
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
        self.discard_progress()

    def discard_progress(self) -> None:
        """Remove the progress file's folder (the job ended, or its outcome was taken)."""
        shutil.rmtree(self._folder, ignore_errors=True)

    def progress(self) -> str:
        """How far the discovery got, as its process last wrote it ("" before its first report)."""
        try:
            with open(self.progress_path, encoding="utf-8", errors="replace") as said:
                return said.read(300)
        except OSError:
            return ""


def write_progress(path: str, said: str) -> None:
    """In the discovery's process: replace the progress file's text at once (a reader never sees half of it)."""
    try:
        with open(f"{path}.new", "w", encoding="utf-8") as out:
            out.write(said)
        os.replace(f"{path}.new", path)
    except OSError:
        pass  # the folder is gone (the job was abandoned): nobody reads it any more


def _pass_on(to: Future[Any], done: Future[Any]) -> None:
    """Give `to` the outcome of `done` (a future the caller cannot hand out itself)."""
    if done.cancelled():
        to.set_exception(RuntimeError("cancelled"))
    elif (error := done.exception()) is not None:
        to.set_exception(error)
    else:
        to.set_result(done.result())
