"""Work offered to the worker pool that the offering thread may still do itself (workers.offer / take), and
what uses it: the lazily read graph's parses (graph.summarise_shared), its name index (_GraphBuild), and the
pool started beside discovery on a first run (issue 18: the fixed cost of a cold run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import workers
from app.core.impact import graph as graph_module
from app.core.impact.graph import summarise_batch, summarise_shared
from app.core.workers import new_pool, offer, take
from tests.conftest import ALICE


def _blocker(flag: Path) -> list[str]:
    """A command a worker runs until `flag` exists: the worker is busy, and the test says when it is not."""
    return [sys.executable, "-c", f"import os, time\nwhile not os.path.exists({str(flag)!r}): time.sleep(0.01)"]


@pytest.fixture
def busy_pool(tmp_path):
    """A pool of one worker, kept busy until the flag file is made (at the latest when the test ends)."""
    pool = new_pool(1)
    assert pool is not None
    flag = tmp_path / "free"
    blocked = pool.submit(subprocess.run, _blocker(flag))
    yield pool, blocked, flag
    flag.touch()
    blocked.result()
    pool.shutdown(wait=True, cancel_futures=True)


def _files(count: int) -> list[tuple[str, bytes]]:
    return [(f"pkg/m{i}.py", (f"from pkg.m{i - 1} import f{i - 1}\n\n\ndef f{i}(x):\n    return f{i - 1}(x) + {i}\n"
                              if i else "def f0(x):\n    return x\n").encode()) for i in range(count)]


def test_an_offer_no_worker_has_started_is_computed_here_and_never_run_there(busy_pool) -> None:
    """The pool queues a task for a worker (its future says "running") while its only worker is busy: the
    offering thread does not wait for it, and the worker, once free, does not run it again."""
    pool, blocked, flag = busy_pool
    offered = offer(pool, summarise_batch, _files(3))
    assert take(offered, lambda: ["computed here"]) == ["computed here"]
    assert not blocked.done()  # answered while the worker was still busy
    flag.touch()
    blocked.result()
    assert offered.future.cancelled() or offered.future.result() == (False, None)


def test_an_offer_a_worker_has_claimed_is_its_answer(tmp_path) -> None:
    pool = new_pool(1)
    assert pool is not None
    try:
        files = _files(4)
        offered = offer(pool, summarise_batch, files)
        ran, rows = offered.future.result()  # the worker claimed and ran it
        assert ran and rows == summarise_batch(files)
        assert take(offered, lambda: pytest.fail("computed again")) == rows
        assert not os.path.exists(offered.claim)  # claims do not pile up
    finally:
        pool.shutdown(wait=True)


def test_shared_summaries_are_the_batch_summaries_in_order(monkeypatch) -> None:
    monkeypatch.setattr(graph_module, "SHARED_BATCH_BYTES", 200)
    files = _files(60)
    assert summarise_shared(files, workers=2) == summarise_batch(files)


def test_shared_summaries_do_not_wait_for_a_busy_pool(busy_pool, monkeypatch) -> None:
    """Every worker busy: each batch is summarised by the asking thread, and the pool runs none of them."""
    pool, blocked, _ = busy_pool
    monkeypatch.setattr(graph_module, "SHARED_BATCH_BYTES", 200)
    monkeypatch.setattr(workers, "shared_pool", lambda n: pool)
    files = _files(40)
    assert summarise_shared(files, workers=1) == summarise_batch(files)
    assert not blocked.done()


def test_the_name_index_read_in_a_worker_is_the_one_read_here(make_repo) -> None:
    from app.analysis.analyzer import _lazy_parts_in_worker, _read_lazy_parts
    from app.core.git.repo import GitRepo
    from app.core.impact.graph import GRAPH_SUFFIXES

    b = make_repo()
    head = b.commit("modules", {**{p: d.decode() for p, d in _files(30)}, "web/app.js": "import x from './x'\n",
                                "caf\u00e9.py": "def \u00e9t\u00e9():\n    return 1\n"}, author=ALICE)
    repo = GitRepo(b.path)
    entries = repo.tree_blobs(head, GRAPH_SUFFIXES)
    pool = new_pool(1)
    assert pool is not None
    try:
        there = pool.submit(_lazy_parts_in_worker, b.path, entries).result()
    finally:
        pool.shutdown(wait=True)
    here = _read_lazy_parts(repo, entries)
    assert here is not None and there is not None
    (parts, blobs), (their_parts, their_blobs) = here, there
    assert (parts.order, parts.lines, parts.at_once, blobs) == (their_parts.order, their_parts.lines,
                                                               their_parts.at_once, their_blobs)
    assert (parts.names.files, parts.names.sources, parts.names.names, parts.names.stars, parts.names.aliases,
            parts.names.not_ascii) == (their_parts.names.files, their_parts.names.sources, their_parts.names.names,
                                       their_parts.names.stars, their_parts.names.aliases,
                                       their_parts.names.not_ascii)


def test_a_first_run_starts_the_pool_before_discovery_and_a_later_run_does_not(make_repo, tmp_path,
                                                                              monkeypatch) -> None:
    import app.analysis.analyzer as analyzer_module
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    monkeypatch.setattr(analyzer_module, "LAZY_GRAPH_MIN_FILES", 1)  # a graph that is not small (see below)
    b = make_repo()
    b.commit("base", {"a.py": "x = 1\n"}, author=ALICE)
    first = AnalysisCache.open(tmp_path / "cache.sqlite")
    assert first.fresh
    analyzer = Analyzer(b.path, cache=first)
    started = analyzer.start_workers_if_first_run()
    assert started is not None and analyzer._discovery is None  # before discovery
    started.join()
    pool = workers.shared_pool(analyzer.config.complexity.workers)
    assert pool is not None and pool._processes  # a worker is up
    first.close()
    later = AnalysisCache.open(tmp_path / "cache.sqlite")
    assert not later.fresh
    assert Analyzer(b.path, cache=later).start_workers_if_first_run() is None


def test_a_first_list_of_one_small_change_on_a_small_graph_starts_no_worker_and_says_the_same(make_repo,
                                                                                              tmp_path) -> None:
    """FIX119: a one-pull-request `list` of httpx or ripgrep paid more CPU for the forkserver, its preloads, the
    resource tracker and two workers than for the work they took. Such a run (one change of a few files, a graph
    of fewer than LAZY_GRAPH_MIN_FILES files) runs in process, with the figures a run with the workers gives."""
    from app.analysis.analyzer import INLINE_FILES, Analyzer
    from app.storage.cache import AnalysisCache

    b = make_repo()
    b.commit("base", {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(30)}, author=ALICE)
    b.branch("feature/small")
    b.commit("f0 takes two", {"pkg/m0.py": "def f0(x, y=0):\n    if y:\n        return y\n    return x\n",
                              "pkg/m1.py": "from pkg.m0 import f0\n\ndef f1(x):\n    return f0(x, 1)\n"},
             branch="feature/small", author=ALICE)
    b.branch("feature/wide", from_branch="main")
    b.commit("every module", {f"pkg/m{i}.py": f"def f{i}(x):\n    return x - {i}\n" for i in range(INLINE_FILES + 1)},
             branch="feature/wide", author=ALICE)

    def listed(*, early: bool, name: str) -> tuple[list[object], Analyzer]:
        analyzer = Analyzer(b.path, cache=AnalysisCache.open(tmp_path / f"{name}.sqlite"))
        if early:
            started = analyzer.start_workers_if_first_run()
            assert started is None  # the graph is small: nothing started before discovery
        reports = analyzer.analyze_all()
        return [(r.id, r.assessment.risk.score if r.assessment else None, r.assessment) for r in reports], analyzer

    wide = b.head("feature/wide")
    workers.retire_idle_pools(0.0)
    b.set_ref("refs/heads/feature/wide", b.head("main"))  # pending: feature/small alone
    alone, inline = listed(early=True, name="inline")
    assert inline._inline and not workers._shared  # no pool was started
    with_workers, pooled = listed(early=False, name="pooled")  # the TUI's way: workers as before
    assert not pooled._inline and workers._shared
    assert alone == with_workers and len(alone) == 1
    b.set_ref("refs/heads/feature/wide", wide)  # two pending changes: the workers are used
    workers.retire_idle_pools(0.0)
    _both, two = listed(early=True, name="two")
    assert not two._inline
    b.set_ref("refs/heads/feature/small", b.head("main"))  # one change of more than INLINE_FILES files: so is it
    workers.retire_idle_pools(0.0)
    _wide, one = listed(early=True, name="wide")
    assert not one._inline


def test_without_a_folder_for_claims_the_answer_is_still_computed(monkeypatch) -> None:
    """A temporary directory that cannot be written: no claim can be made, and the answer is the same."""
    monkeypatch.setattr(workers, "_claims", os.path.join(os.devnull, "claims"))
    pool = new_pool(1)
    assert pool is not None
    try:
        files = _files(3)
        assert take(offer(pool, summarise_batch, files), lambda: summarise_batch(files)) == summarise_batch(files)
    finally:
        pool.shutdown(wait=True)
