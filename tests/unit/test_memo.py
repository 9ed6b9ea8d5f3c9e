"""The per-content memo of parse answers: answers offered by worker processes are taken over, and the
reader parses for itself whatever no worker has started."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from app.core.impact.destructive import python_calls
from app.core.impact.destructive.model import Work
from app.core.impact.graph import (
    _head_defs,
    drop_offered_head_defs,
    head_defs_and_metrics,
    head_defs_answer,
    offer_head_defs,
    offer_with_scan,
    scan_defs_and_metrics,
)
from app.core.memo import ContentMemo, digest, part, shared_parts
from app.core.metrics.complexity import analyze_source
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
        offer_head_defs([("ops/head_offered.py", data, None)], submit)
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


def test_one_task_answers_for_two_memos_and_their_parts_follow_it():
    """A worker's (head definitions, complexity) task: each part is its item; cancelling a part of a task no
    worker started cancels the task (and so the other part: each reader then computes its own); a part of a
    task under way is waited for; a failed task fails both parts."""
    queued: Future[tuple[str, str]] = Future()
    first, second = part(queued, 0), part(queued, 1)
    assert first.cancel() and queued.cancelled() and second.cancelled() and second.cancel()

    running: Future[tuple[str, str]] = Future()
    running.set_running_or_notify_cancel()
    first, second = part(running, 0), part(running, 1)
    assert not first.cancel() and not running.cancelled()
    running.set_result(("defs", "metrics"))
    assert (first.result(), second.result()) == ("defs", "metrics")

    failed: Future[tuple[str, str]] = Future()
    failed.set_running_or_notify_cancel()
    failed.set_exception(RuntimeError("the pool broke"))
    assert isinstance(part(failed, 1).exception(), RuntimeError)
    memo: ContentMemo[str] = ContentMemo(8)
    key = ContentMemo.key("a.py", b"x = 1")
    memo.offer(key, part(failed, 0))
    assert memo.get_or_compute(key, lambda: "parsed here") == "parsed here"


def test_a_part_given_up_while_another_is_wanted_waits_for_the_task():
    """A (scan, head definitions, figures) task: a reader giving its part up while another part is still
    wanted does not cancel the task and waits for its answer (the version is parsed once, in the worker);
    the task is cancelled once every part is given up, and the last reader then computes its own."""
    queued: Future[tuple[str, str, str]] = Future()
    scan, defs, figures = shared_parts(queued, [0, 1, 2])
    assert not scan.cancel() and not queued.cancelled() and not scan.done()
    assert not figures.cancel() and not queued.cancelled()
    assert defs.cancel() and queued.cancelled() and scan.cancelled() and figures.cancelled()

    queued = Future()
    scan, defs = shared_parts(queued, [0, 1])
    memo: ContentMemo[str] = ContentMemo(8)
    key = ContentMemo.key("a.py", b"x = 1")
    memo.offer(key, scan)
    with ThreadPoolExecutor(1) as reader:
        found = reader.submit(memo.get_or_compute, key, lambda: "parsed here")
        wait([found], timeout=0.3)
        assert not found.done()  # waiting for the task, which the head definitions' reader still wants
        assert queued.set_running_or_notify_cancel()
        queued.set_result(("scan", "defs", "figures"))
        assert found.result(timeout=10) == "scan" and defs.result() == "defs"

    running: Future[tuple[str, str]] = Future()
    running.set_running_or_notify_cancel()
    scan, defs = shared_parts(running, [0, 1])
    assert not scan.cancel() and not defs.cancel() and not running.cancelled()
    running.set_exception(RuntimeError("the pool broke"))
    assert isinstance(scan.exception(), RuntimeError) and isinstance(defs.exception(), RuntimeError)


SHARED_PARSE = {  # content -> why: one parse serves both, or each parses on its own, with the same answers
    "plain": b"import os\n\nclass A:\n    def f(self, x):\n        return os.path.join(x) if x else None\n",
    "non-ASCII": "def caf\u00e9(x):\n    return 'd\u00e9j\u00e0' if x else 1\n".encode(),
    "byte-order mark": b"\xef\xbb\xbfdef f(x):\n    return x or 1\n",
    "declared latin-1": b"# -*- coding: latin-1 -*-\ndef f(x):\n    return '\xe9' if x else 1\n",
    "declared latin-1, written in UTF-8": "# coding: latin-1\ndef caf\u00e9(x):\n    return x or 1\n".encode(),
    "invalid UTF-8": b"def f(x):\n    return '\xff' if x else 1\n",
    "Python 2": b"def f(x):\n    print 'x'\n    return x and 1\n",
    "NUL byte": b"def f(x):\n    return 1\n\x00",
}


def test_head_definitions_and_complexity_from_one_parse_are_those_of_two():
    """Issue 18: a head version's definitions and its complexity come from one parse of it where the two parses
    would read the same text, and are each what its own parse gives, for every kind of content."""
    for why, data in SHARED_PARSE.items():
        for measured_as in ("lib/m.py", "lib/m.txt"):
            defs, metrics = head_defs_and_metrics("lib/m.py", data, measured_as, 2_000_000)
            assert defs == head_defs_answer("lib/m.py", data), why
            assert metrics == analyze_source(measured_as, data, max_bytes=2_000_000, maintainability=False), why


def test_a_head_version_the_measurement_wants_is_measured_by_its_head_definitions_task():
    """The real pool: one task per version, whose complexity figures are the measurement's own."""
    data = SHARED_PARSE["plain"]
    pool = new_pool(1)
    assert pool is not None
    submitted: list[Future[object]] = []
    measured: dict[str, Future[object]] = {}

    def submit(fn, *args):
        submitted.append(pool.submit(fn, *args))
        return submitted[-1]

    try:
        offer_head_defs([("lib/offered_m.py", data, "c" * 40), ("lib/other.py", data + b"\n", "d" * 40)], submit,
                        measured_as={"c" * 40: "lib/m.py"}.get, max_bytes=2_000_000, on_metrics=measured.__setitem__)
        wait(submitted, timeout=60)
        defs = _head_defs("lib/offered_m.py", data)
    finally:
        pool.shutdown(cancel_futures=True)
    assert len(submitted) == 2 and list(measured) == ["c" * 40]  # the other version is not measured
    assert defs == head_defs_answer("lib/offered_m.py", data)
    assert measured["c" * 40].result() == analyze_source("lib/m.py", data, maintainability=False)


def test_a_version_several_changes_share_is_read_and_hashed_once_for_both_offers():
    """The offering thread: a version another change has is not read again for its scan; the digest of
    each blob read is kept and builds both memos' keys (the keys the readers compute from the content), a
    version that is not valid UTF-8 keyed by its text as the scan's reader keys it; a head version that a
    memo knows is not offered again."""
    from app.core.git.diff import FileDiff
    from app.core.impact import graph
    from app.core.impact.destructive.scan import offer_python_scans
    from app.core.memo import digest

    latin = SCRIPT.replace("/", "/caf\xe9").encode("latin-1")  # not UTF-8: its text has U+FFFD
    blobs = {"a" * 40: SCRIPT.encode(), "b" * 40: (SCRIPT + "# changed\n").encode(), "c" * 40: latin}
    reads: list[str] = []

    def read(fd, side):
        blob = fd.old_blob if side == "old" else fd.new_blob
        reads.append(blob)
        return blobs[blob]

    def change(new: str) -> FileDiff:
        fd = FileDiff("modified", "ops/shared.py", "ops/shared.py", "a" * 40, new, old_size=400, new_size=400)
        assert fd.text_read
        return fd

    digests: dict[str, bytes] = {}
    with ThreadPoolExecutor(1) as pool:
        try:
            for fd in (change("b" * 40), change("c" * 40)):  # two changes of one base version
                offer_python_scans([fd], read, pool.submit, digests)
            assert sorted(reads) == ["a" * 40, "b" * 40, "c" * 40]  # the base version once
            assert digests == {blob: digest(data) for blob, data in blobs.items()}
            for blob, data in blobs.items():
                text = data.decode("utf-8", errors="replace")
                assert python_calls._verdicts[("ops/shared.py", blob)] == python_calls.memo_key(text, "ops/shared.py")
            found = python_calls.scan_python_calls(SCRIPT, "ops/shared.py", Work(), "a" * 40)
            assert found == python_calls.scan_answer(SCRIPT, "ops/shared.py")[0]

            graph.offer_head_defs([("lib/m.py", blobs["b" * 40], "b" * 40)], pool.submit, digests=digests)
            assert not graph.head_defs_wanted("lib/m.py", digests["b" * 40])  # offered under the content's key
            assert _head_defs("lib/m.py", blobs["b" * 40]) == head_defs_answer("lib/m.py", blobs["b" * 40])
        finally:
            python_calls.drop_offered_scans()
            graph.drop_offered_head_defs()


def test_one_parse_answers_for_the_scan_the_head_definitions_and_the_figures():
    """Issue 18: a version the destructive scan and the blast radius both read gives, from one task, the scan's
    answer, its head definitions and its figures, each what its own parse gives, for every kind of content."""
    calls = "import subprocess, shutil\n\ndef go(d):\n    subprocess.run(['rm', '-rf', d])\n    shutil.rmtree('/')\n"
    for why, data in {**SHARED_PARSE, "calls": calls.encode()}.items():
        text = data.decode("utf-8", errors="replace")
        for measured_as in ("lib/m.py", "lib/m.txt", None):
            scanned, defs, metrics = scan_defs_and_metrics("lib/m.py", text, measured_as, 2_000_000)
            assert scanned == python_calls.scan_answer(text, "lib/m.py"), why
            if "\ufffd" not in text:  # (offer_with_scan offers no other: the text is not the bytes)
                assert defs == head_defs_answer("lib/m.py", data), why
            if measured_as is None:
                assert metrics is None
            else:
                assert metrics == analyze_source(measured_as, data, max_bytes=2_000_000, maintainability=False), why
    assert scan_defs_and_metrics("lib/m.py", calls, None, 0)[0][0]  # the calls are found


def test_a_version_both_the_scan_and_the_head_definitions_read_is_one_task():
    """offer_with_scan: one task for both memos (and the figures); not offered again; a version whose head
    definitions are offered already, or whose text is not its bytes, is left to a scan task of its own."""
    text = "import subprocess\n\ndef go():\n    subprocess.run(['terraform', 'destroy'])\n"
    submitted: list[tuple[object, tuple[object, ...]]] = []

    def submit(fn, *args):
        submitted.append((fn, args))
        return Future()

    key_digest = digest(text.encode())
    found = offer_with_scan("lib/joint_m.py", text, key_digest, submit, measured_as="lib/joint_m.py", max_bytes=10)
    assert found is not None and found[1] is not None
    assert [fn for fn, _ in submitted] == [scan_defs_and_metrics]
    assert offer_with_scan("lib/joint_m.py", text, key_digest, submit) is None  # offered already
    bad = "x = '\ufffd'\n"
    assert offer_with_scan("lib/joint_bad.py", bad, digest(bad.encode()), submit) is None
    assert len(submitted) == 1
    # given up together: the scan's and the figures' readers first (the head definitions still wanted), then the
    # head definitions' offer is dropped, and the task with it (no reader of this process may wait for it)
    scan, figures = found
    assert figures is not None and not scan.cancel() and not figures.cancel() and not scan.done()
    drop_offered_head_defs()
    assert scan.cancelled() and figures.cancelled()
