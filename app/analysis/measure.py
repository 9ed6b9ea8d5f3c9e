"""Complexity measurement in a background thread (the work itself runs in worker processes), so
the analysis can read and score changes while blobs are measured."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.metrics import complexity as cx


class Measurement:
    """analyze_many running in a background thread, so that the calling thread can read and score
    the changes meanwhile (the work happens in worker processes; this thread mostly waits)."""

    def __init__(self, items: list[tuple[str, str, bytes]], workers: int, max_bytes: int,
                 should_stop: Callable[[], bool] | None) -> None:
        self.total = len(items)
        self.done = 0
        self.results: dict[str, cx.FileMetrics] = {}
        self.error: BaseException | None = None
        self._abandoned = False  # set when the waiting thread gives up (Ctrl-C): the pool stops too
        stop = (lambda: self._abandoned or should_stop()) if should_stop else (lambda: self._abandoned)
        self._thread = threading.Thread(target=self._run, args=(items, workers, max_bytes, stop),
                                        name="review-tui-complexity", daemon=True)
        self._thread.start()

    def _run(self, items: list[tuple[str, str, bytes]], workers: int, max_bytes: int,
             should_stop: Callable[[], bool]) -> None:
        from app.core.metrics import complexity as cx

        def progress(done: int, total: int) -> None:
            self.done = done

        try:
            # Ranking needs cyclomatic complexity only; the maintainability index would double the
            # cost of every blob, so `explain` computes it on demand for one change.
            self.results = cx.analyze_many(items, workers=workers, max_bytes=max_bytes, progress=progress,
                                           should_stop=should_stop, maintainability=False)
        except BaseException as exc:
            self.error = exc

    def abandon(self) -> None:
        """Stop measuring soon (the pool checks about every 0.2 s); harmless once finished."""
        self._abandoned = True

    def wait(self, tick: Callable[[int, int], None] | None = None) -> dict[str, cx.FileMetrics]:
        """The measured metrics, once every item is done; `tick(done, total)` while waiting."""
        try:
            while self._thread.is_alive():
                self._thread.join(0.2)
                if tick is not None:
                    tick(self.done, self.total)
        except BaseException:
            self.abandon()  # e.g. KeyboardInterrupt: do not leave the workers measuring
            raise
        if self.error is not None:
            raise self.error
        return self.results
