"""The per-content memo of parse answers: answers offered by worker processes are taken over, and the
reader parses for itself whatever no worker has started."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from app.core.impact.destructive import python_calls
from app.core.impact.destructive.model import Work
from app.core.impact.graph import _head_defs, offer_head_defs
from app.core.memo import ContentMemo
from app.core.workers import new_pool


def test_an_offer_no_worker_started_is_cancelled_and_computed_by_the_reader():
    memo: ContentMemo[str] = ContentMemo(8)
    key = ContentMemo.key("a.py", b"x = 1")
    queued: Future[str] = Future()  # never picked up by a worker
    memo.offer(key, queued)
    assert memo.get_or_compute(key, lambda: "parsed here") == "parsed here"
    assert queued.cancelled()
    assert memo.get_or_compute(key, lambda: "not asked again") == "parsed here"


def test_an_offer_under_way_is_waited_for_and_its_answer_kept():
    memo: ContentMemo[str] = ContentMemo(8)
    key = ContentMemo.key("a.py", b"x = 1")
    started, release = threading.Event(), threading.Event()

    def worker() -> str:
        started.set()
        release.wait(5)
        return "parsed by the worker"

    with ThreadPoolExecutor(1) as pool:
        memo.offer(key, pool.submit(worker))
        started.wait(5)
        threading.Timer(0.05, release.set).start()
        assert memo.get_or_compute(key, lambda: "parsed here") == "parsed by the worker"


def test_an_offer_that_failed_is_computed_by_the_reader():
    memo: ContentMemo[str] = ContentMemo(8)
    key = ContentMemo.key("a.py", b"x = 1")
    failed: Future[str] = Future()
    failed.set_running_or_notify_cancel()
    failed.set_exception(RuntimeError("the pool broke"))
    memo.offer(key, failed)
    assert memo.get_or_compute(key, lambda: "parsed here") == "parsed here"


def test_offers_are_bounded_and_dropped_offers_are_cancelled():
    memo: ContentMemo[int] = ContentMemo(2)
    futures = [Future[int]() for _ in range(3)]
    keys = [ContentMemo.key(f"{i}.py", b"") for i in range(3)]
    for key, future in zip(keys, futures, strict=True):
        memo.offer(key, future)
    assert futures[2].cancelled()  # no room: never held
    assert not memo.wants(keys[0])  # already offered
    memo.drop_offers()
    assert all(f.cancelled() for f in futures)
    assert memo.get_or_compute(keys[0], lambda: 7) == 7


SCRIPT = """import subprocess, shutil

def clean(path):
    shutil.rmtree("/")
    subprocess.run("terraform destroy -auto-approve", shell=True)
"""


def test_scans_and_head_definitions_computed_in_worker_processes_are_what_the_reader_finds():
    """The real pool: the findings and definitions a worker returns are the ones a parse here gives."""
    here_findings = python_calls.scan_answer(SCRIPT, "ops/clean.py")
    pool = new_pool(1)
    assert pool is not None
    submitted: list[Future[object]] = []

    def submit(fn, *args):
        submitted.append(pool.submit(fn, *args))
        return submitted[-1]

    try:
        data = SCRIPT.encode()
        python_calls.offer_scans([(SCRIPT, "ops/clean_offered.py", "1" * 40)], submit)
        offer_head_defs([("ops/head_offered.py", data)], submit)
        wait(submitted, timeout=60)  # both computed in the worker before anyone reads them
        offered = python_calls.scan_python_calls(SCRIPT, "ops/clean_offered.py", Work())
        defs = _head_defs("ops/head_offered.py", data)
    finally:
        pool.shutdown(cancel_futures=True)
        python_calls.drop_offered_scans()
    assert len(submitted) == 2 and not any(f.cancelled() for f in submitted)
    assert isinstance(here_findings[0], list) and here_findings[0]
    assert offered == [dataclasses.replace(f, path="ops/clean_offered.py") for f in here_findings[0]]
    assert defs is not None and set(defs) == {"clean"}


def test_a_version_the_offering_thread_read_is_neither_filtered_nor_hashed_again(monkeypatch):
    """The offering thread's pre-filter verdict and content key of a version read from a blob are kept
    for the analysis thread, which reads the same blob: it takes the answer without redoing either. A
    version read from no blob (a working-tree file), or once the analysis has ended, is worked out anew."""
    quiet = "def add(a, b):\n    return a + b\n"
    with ThreadPoolExecutor(1) as pool:
        python_calls.offer_scans([(SCRIPT, "ops/clean.py", "a" * 40), (quiet, "lib/add.py", "b" * 40)], pool.submit)
    expected = python_calls.scan_answer(SCRIPT, "ops/clean.py")[0]
    calls: list[str] = []
    filtered, keyed = python_calls.may_run_or_delete, python_calls.memo_key
    monkeypatch.setattr(python_calls, "may_run_or_delete", lambda text: calls.append("filter") or filtered(text))
    monkeypatch.setattr(python_calls, "memo_key", lambda text, path: calls.append("hash") or keyed(text, path))
    try:
        assert python_calls.scan_python_calls(SCRIPT, "ops/clean.py", Work(), "a" * 40) == expected
        assert python_calls.scan_python_calls(quiet, "lib/add.py", Work(), "b" * 40) == []
        assert calls == []
        assert python_calls.scan_python_calls(SCRIPT, "ops/clean.py", Work()) == expected  # no blob
        assert calls == ["filter", "hash"]
    finally:
        python_calls.drop_offered_scans()
    calls.clear()
    assert python_calls.scan_python_calls(quiet, "lib/add.py", Work(), "b" * 40) == []
    assert calls == ["filter"]  # the analysis ended: its verdicts went with it
