"""The background complexity measurement: reads its blobs a round at a time, in the shared pool."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from app.analysis import measure
from app.analysis.measure import Measurement
from app.core.git.repo import GitRepo
from app.core.metrics.complexity import analyze_many
from app.core.workers import shared_pool


def test_measuring_in_rounds_gives_the_figures_of_one_batch(payments_repo: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(payments_repo)
    head = repo.head_commit()
    assert head is not None
    wanted = {blob: path for path, blob in repo.tree_blobs(head, (".py", ".go", ".ts", ".tf", ".md"))}
    assert len(wanted) > 10
    at_once = analyze_many([(blob, path, repo.blob(blob)) for blob, path in wanted.items()], workers=0,
                           maintainability=False)

    rounds = measure._rounds(wanted, repo.blob_size, 2_000)
    assert len(rounds) > 3  # the bound is small: several rounds
    assert [pair for r in rounds for pair in r] == list(wanted.items())  # each blob once, in order
    for r in rounds:
        sizes = [repo.blob_size(blob) for blob, _ in r]
        assert len(r) == 1 or sum(sizes) <= 2_000  # only a blob larger than the bound makes a round alone

    monkeypatch.setattr(measure, "ROUND_BYTES", 2_000)
    measurement = Measurement(payments_repo, wanted, workers=2, max_bytes=2_000_000, should_stop=None)
    ticks: list[tuple[int, int]] = []
    assert measurement.wait(lambda done, total: ticks.append((done, total))) == at_once
    assert (measurement.done, measurement.total) == (len(wanted), len(wanted))


def test_a_missing_blob_says_so_and_is_not_to_be_remembered(payments_repo: Path) -> None:
    """Measured as empty content, a partial clone's unfetched blob was cached as "no functions" for good."""
    missing = "0123456789abcdef0123456789abcdef01234567"
    measurement = Measurement(payments_repo, {missing: "gone.py"}, workers=0, max_bytes=2_000_000, should_stop=None)
    [measured] = measurement.wait().values()
    assert measured.error == "content not in this clone (a partial or damaged clone): not measured"
    assert measured.functions == [] and measurement.rememberable() == {}
    assert (measurement.done, measurement.total) == (1, 1)


def test_the_complexity_and_graph_work_share_one_pool_per_process() -> None:
    first = shared_pool(2)
    assert first is not None and shared_pool(2) is first
    assert shared_pool(0) is None
    first.submit(pow, 2, 3).result(timeout=60)
    assert shared_pool(2) is first  # still the same pool after use


class _Offered:
    """What the analyzer's offering thread gives the measurement: futures of figures measured by its tasks."""

    def __init__(self, expected: dict[str, str], metrics: dict[str, Any]) -> None:
        self.expected, self.metrics, self.finished = expected, metrics, threading.Event()

    def shared(self) -> dict[str, str]:
        return self.expected


def test_figures_measured_by_the_offered_tasks_are_taken_and_the_rest_measured_here(payments_repo: Path) -> None:
    """Issue 18: the head definitions' tasks measure the versions they parse; the measurement takes their
    figures, and measures itself every version they did not: never offered, not started, failed."""
    repo = GitRepo(payments_repo)
    head = repo.head_commit()
    assert head is not None
    wanted = {blob: path for path, blob in repo.tree_blobs(head, (".py",))}
    assert len(wanted) >= 5
    at_once = analyze_many([(blob, path, repo.blob(blob)) for blob, path in wanted.items()], workers=0,
                           maintainability=False)
    taken, never, queued, failed = list(wanted)[:4]
    done: Future[Any] = Future()
    done.set_running_or_notify_cancel()
    done.set_result(at_once[taken])
    broken: Future[Any] = Future()
    broken.set_running_or_notify_cancel()
    broken.set_exception(RuntimeError("the pool broke"))
    offered = _Offered({b: wanted[b] for b in (taken, never, queued, failed)},
                       {taken: done, queued: Future(), failed: broken})
    measurement = Measurement(payments_repo, wanted, workers=0, max_bytes=2_000_000, should_stop=None,
                              offered=offered)
    threading.Timer(0.1, offered.finished.set).start()  # the offering ends after the measurement's own work
    assert measurement.wait() == at_once
    assert measurement.results[taken] is at_once[taken]  # taken, not measured again
    assert offered.metrics[queued].cancelled()
    assert (measurement.done, measurement.total) == (len(wanted), len(wanted))
