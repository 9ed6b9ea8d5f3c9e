"""A quit during a first analysis does not wait for the diff under way: a release-sized diff stops on
the way."""

from __future__ import annotations

import pytest

from app.analysis.analyzer import Analyzer
from app.core.git.repo import DiffStopped, GitRepo
from tests.conftest import ALICE


@pytest.fixture
def wide(make_repo):
    """main, and a branch `wide` that edits 300 files."""
    builder = make_repo()
    builder.commit("init", {f"pkg/mod_{i}.py": f"X = {i}\n" for i in range(300)}, author=ALICE)
    builder.branch("wide")
    builder.commit("touch everything", {f"pkg/mod_{i}.py": f"X = {i + 1}\n" for i in range(300)},
                   branch="wide", author=ALICE)
    return builder


def test_a_diff_asked_to_stop_stops_on_the_way(wide) -> None:
    repo = GitRepo(wide.path)
    base, head = wide.head("main"), wide.head("wide")
    asked: list[int] = []

    def stop_after_two_asks() -> bool:
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(DiffStopped):
        repo.diff(base, head, should_stop=stop_after_two_asks)
    assert len(asked) == 3  # asked every 64 files: it stopped a third of the way through, not at the end
    assert len(repo.diff(base, head, should_stop=lambda: False)) == 300  # never asked to stop: whole


def test_an_analysis_stopped_during_a_diff_reports_no_error(wide, monkeypatch) -> None:
    analyzer = Analyzer(str(wide.path))
    stop = {"now": False}
    diff = GitRepo.diff

    def diff_then_quit(self, base, head, **kwargs):  # the reviewer quits while the diff runs
        stop["now"] = True
        return diff(self, base, head, **kwargs)

    reports: list = []
    monkeypatch.setattr(GitRepo, "diff", diff_then_quit)
    ranked = analyzer.analyze_all(on_report=reports.append, should_stop=lambda: stop["now"])
    # The branch being diffed shows nothing half-read, and nothing shows an error (the working tree,
    # diffed before it, keeps its pending row).
    assert stop["now"] and all(r.error is None for r in [*ranked, *reports])
    assert "wide" not in {r.id for r in [*ranked, *reports]}


@pytest.fixture
def long_line(make_repo):
    """main with 40 commits."""
    builder = make_repo()
    for i in range(40):
        builder.commit(f"step {i}", {"pkg/mod.py": f"X = {i}\n"}, author=ALICE)
    return builder


@pytest.mark.parametrize("walk", ["iter_commits", "history"])
def test_a_walk_asked_to_stop_stops_on_the_way(long_line, monkeypatch, walk: str) -> None:
    """A worker's walk (walk_in_worker) asks its stop check every STOP_CHECK_EVERY commits: a review-tui
    exiting does not wait for a walk of a 54,000-commit history to end."""
    import app.core.git.repo as repo_module

    monkeypatch.setattr(repo_module, "STOP_CHECK_EVERY", 8)
    repo = GitRepo(long_line.path)
    head = long_line.head("main")
    asked: list[int] = []

    def stop_at_the_third_ask() -> bool:
        asked.append(1)
        return len(asked) >= 3

    def run() -> int:
        if walk == "iter_commits":
            return len(list(repo.iter_commits(head)))
        return len(repo.history(head, since=0, paths=["pkg/mod.py"]))

    assert run() == 40  # no stop check: the whole walk
    repo.stop_check = stop_at_the_third_ask
    with pytest.raises(repo_module.WalkStopped):
        run()
    assert len(asked) == 3  # at commits 0, 8 and 16 of 40


_RELEASE_SCRIPT = """
import glob, os, sys, tempfile, time
from app.core.impact.graph import summarise_batch
from app.core.memo import take_over
from app.core.workers import ParentExiting, new_pool, release_workers, released, shared_pool

source = b"".join(b"def f%d(x):\\n    if x:\\n        return g(x)\\n    return None\\n" % i for i in range(400))
pool = shared_pool(1)
running = pool.submit(summarise_batch, [("m.py", source)] * 4000)  # many seconds of work
queued = [pool.submit(summarise_batch, [("n.py", source)]) for _ in range(5)]
while not running.running():
    time.sleep(0.01)
time.sleep(0.2)
release_workers()
print("released", released())
print("running", type(running.exception(timeout=60)).__name__)
print("queued", sorted({type(f.exception(timeout=60)).__name__ for f in queued}))
computed = []
try:
    take_over(pool.submit(summarise_batch, [("o.py", source)]), lambda: computed.append(1))
except ParentExiting:
    print("take_over raised, computed", len(computed))
fresh = new_pool(2)  # a submit after the release starts no worker: one started once the exit has stopped
late = fresh.submit(summarise_batch, [("p.py", source)])  # the pool's manager is never stopped (a hung exit)
print("after release", type(late.exception(timeout=5)).__name__, len(fresh._processes or {}))
print("files", glob.glob(os.path.join(tempfile.gettempdir(), f"review-tui-{os.getpid()}-*.exiting")) != [])
print("pid", os.getpid())
"""


def test_an_exiting_review_tui_drops_its_workers_tasks(tmp_path) -> None:
    """release_workers (the CLI's last step, the TUI's quit): the task a worker runs stops on the way and
    the queued ones end at their start, so the exit, which waits for them all, does not; nothing waiting
    on them computes in their stead; the file that told the workers is gone after the exit."""
    import glob
    import os
    import subprocess
    import sys
    import tempfile

    done = subprocess.run([sys.executable, "-c", _RELEASE_SCRIPT], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    *lines, pid = done.stdout.splitlines()
    assert lines == ["released True", "running ParentExiting", "queued ['ParentExiting']",
                     "take_over raised, computed 0", "after release ParentExiting 0", "files True"]
    assert "Traceback" not in done.stderr
    assert glob.glob(os.path.join(tempfile.gettempdir(), f"review-tui-{pid.split()[1]}-*.exiting")) == []


_MID_SUBMIT_SCRIPT = """
import os, signal
from concurrent.futures import ProcessPoolExecutor
from app.core.workers import new_pool

pool = new_pool(1)
start = ProcessPoolExecutor._adjust_process_count

def interrupted_while_starting_a_worker(self):
    start(self)  # the worker is started; the manager thread that will stop it is not yet
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands here

ProcessPoolExecutor._adjust_process_count = interrupted_while_starting_a_worker
try:
    pool.submit(pow, 2, 3)
    print("no interrupt")
except KeyboardInterrupt:
    print("interrupted after the submit, manager running:", pool._executor_manager_thread is not None)
"""


def test_ctrl_c_during_a_submit_is_raised_once_the_pool_can_stop_its_worker(tmp_path) -> None:
    """Raised inside ProcessPoolExecutor.submit, between starting a worker and starting the thread that stops it, a
    KeyboardInterrupt left that worker (and the forkserver) running after the CLI exited: test_interrupt hung."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _MID_SUBMIT_SCRIPT], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["interrupted after the submit, manager running: True"]
