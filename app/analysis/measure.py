"""Complexity measurement in a background thread (the work itself runs in worker processes), so
the analysis can read and score changes while blobs are measured."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from app.core.metrics import complexity as cx


class Offered(Protocol):
    """Figures measured by other tasks (the analyzer's _Offering: its head definitions' parses)."""

    metrics: dict[str, Any]  # blob -> future of its FileMetrics, once offered
    finished: threading.Event  # set once nothing more will be offered

    def shared(self) -> dict[str, str]:
        """The blobs (-> path measured as) the offering's tasks are expected to measure."""
        ...


# Blobs are read and measured this many bytes at a time: reading every missing blob first held
# 51 MB of source at once in a cold TUI start on the ansible scenario (3,339 Python file versions).
ROUND_BYTES = 16 * 1024 * 1024


class Measurement:
    """analyze_many running in a background thread, so that the calling thread can read and score
    the changes meanwhile (the work happens in worker processes; this thread mostly waits).

    The thread reads the blobs itself, through a repository object of its own (libgit2 objects are
    not safe to share between threads), a round of about ROUND_BYTES at a time."""

    def __init__(self, repo_path: Path, wanted: dict[str, str], workers: int, max_bytes: int,
                 should_stop: Callable[[], bool] | None, *, maintainability: bool = False,
                 offered: Offered | None = None) -> None:
        self.total = len(wanted)
        self.done = 0
        self.results: dict[str, cx.FileMetrics] = {}
        self._round: dict[str, cx.FileMetrics] = {}  # the round being measured: filled as its batches finish
        self._handed: set[str] = set()  # the results `fresh` gave out
        # Blobs not in the object database (a partial clone's, until fetched): their results say so and
        # must not be remembered, or a later fetch would keep the "nothing measured" of an unread file.
        self.unreadable: set[str] = set()
        self.error: BaseException | None = None
        self._abandoned = False  # set when the waiting thread gives up (Ctrl-C): the pool stops too
        stop = (lambda: self._abandoned or should_stop()) if should_stop else (lambda: self._abandoned)
        shared = offered.shared() if offered is not None else {}
        self._thread = threading.Thread(target=self._run, name="review-tui-complexity", daemon=True,
                                        args=(repo_path, wanted, workers, max_bytes, stop, maintainability,
                                              offered, {b: p for b, p in shared.items() if b in wanted}))
        self._thread.start()

    def _run(self, repo_path: Path, wanted: dict[str, str], workers: int, max_bytes: int,
             should_stop: Callable[[], bool], maintainability: bool, offered: Offered | None,
             shared: dict[str, str]) -> None:
        from app.core.git.repo import GitRepo
        from app.core.metrics import complexity as cx
        from app.errors import ReviewTuiError

        try:
            repo = GitRepo(repo_path)

            def readable(round_: list[tuple[str, str]]) -> Iterator[tuple[str, str, bytes]]:
                for blob, path in round_:
                    try:
                        yield blob, path, repo.blob(blob)
                    except ReviewTuiError:
                        self.unreadable.add(blob)
                        self.results[blob] = cx.FileMetrics(cx.language_of(path), cx.ANALYZER_SIZE,
                                                            error=cx.CONTENT_MISSING)

            def measure(these: dict[str, str]) -> None:
                for round_ in _rounds(these, repo.blob_size, ROUND_BYTES):
                    if should_stop():
                        break
                    def progress(done: int, total: int, before: int = self.done) -> None:
                        self.done = before + done

                    # Ranking needs cyclomatic complexity only; the maintainability index would double the
                    # cost of every blob, so only `explain` asks for it (for one change).
                    self._round = {}
                    self.results.update(cx.analyze_many(
                        readable(round_), workers=workers, max_bytes=max_bytes,
                        progress=progress, should_stop=should_stop, maintainability=maintainability,
                        results=self._round))
                    self.done = len(self.results)

            measure({b: p for b, p in wanted.items() if b not in shared})
            if offered is not None and shared and not should_stop():
                measure(self._take_offered(offered, shared, should_stop))  # what no offer measured
        except BaseException as exc:
            self.error = exc

    def _take_offered(self, offered: Offered, shared: dict[str, str],
                      should_stop: Callable[[], bool]) -> dict[str, str]:
        """Take the figures the offered tasks measured into the results; the blobs left to measure here: not
        offered, not started (cancelled), or failed."""
        while not offered.finished.wait(0.2):
            if should_stop():
                return {}
        left: dict[str, str] = {}
        for blob, path in shared.items():
            future = offered.metrics.get(blob)
            if future is None or future.cancel():
                left[blob] = path
                continue
            while True:
                try:
                    self.results[blob] = future.result(timeout=0.2)
                except TimeoutError:
                    if should_stop():
                        return {}
                    continue
                except Exception:
                    left[blob] = path
                break
            self.done = len(self.results)
        return left

    def rememberable(self) -> dict[str, cx.FileMetrics]:
        """The results worth caching: all but those of the unreadable blobs (the round being measured: its
        finished batches; asked from another thread while this one measures, what is done so far)."""
        found = {**dict(self._round), **dict(self.results)}  # each copied whole, under the interpreter's lock
        return {blob: m for blob, m in found.items() if blob not in self.unreadable}

    def fresh(self) -> dict[str, cx.FileMetrics]:
        """The results worth caching that no earlier call gave: a long run stores what its workers measured as it
        goes, and on an interruption (a killed `list` kept none of its measuring)."""
        found = {blob: m for blob, m in self.rememberable().items() if blob not in self._handed}
        self._handed.update(found)
        return found

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


def _rounds(wanted: dict[str, str], size_of: Callable[[str], int], limit: int) -> list[list[tuple[str, str]]]:
    """(blob, path) pairs in rounds of about `limit` bytes each (a larger blob makes a round alone)."""
    rounds: list[list[tuple[str, str]]] = [[]]
    filled = 0
    for blob, path in wanted.items():
        size = size_of(blob)
        if rounds[-1] and filled + size > limit:
            rounds.append([])
            filled = 0
        rounds[-1].append((blob, path))
        filled += size
    return [r for r in rounds if r]
