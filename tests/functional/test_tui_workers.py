"""Worker processes start from inside the TUI: a cold first run measures the blast radius too.

Textual captures output while the app runs (sys.stderr.fileno() is -1 then), and multiprocessing's
resource tracker, started lazily by the first worker pool, passed that -1 on: "bad value(s) in
fds_to_keep", the dependency graph was never built and its absence was cached as if measured (later
everything ran in the app's own process instead, on one core). The app runs in a fresh interpreter
here, so no earlier test has started the tracker for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

from tests.cli import CLI
from tests.procs import script_result

SCRIPT = textwrap.dedent("""
    import asyncio, json, sys, time
    from pathlib import Path
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache
    from app.storage.ledger import Ledger
    from app.tui.app import make_app

    repo, data = Path(sys.argv[1]), Path(sys.argv[2])
    analyzer = Analyzer(repo, cache=AnalysisCache.open())  # the user's cache, which `list` reads next
    app = make_app(analyzer, ledger=Ledger.open(data / "ledger.db"))

    async def main():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            for _ in range(600):  # the queue analyses every change in workers
                if not app.workers:
                    break
                await pilot.pause(0.1)
            graph = analyzer.graph(wait=True)  # built in the background while the app ran
            from app.core import workers  # the pool started from inside the app (else all ran in process)
            pools = [p for p in workers._shared.values() if not getattr(p, "_broken", False)]
            print(json.dumps({"graph": graph is not None, "note": analyzer._graph_note, "pools": len(pools)}))

    asyncio.run(main())
""")


def test_a_cold_tui_run_builds_the_dependency_graph(payments_repo: Path, tmp_path: Path) -> None:
    result = script_result(SCRIPT, payments_repo, tmp_path)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert result == {"graph": True, "note": None, "pools": 1}
    # what the TUI cached is what a fresh `list` measures: a change that uses shared code has its blast radius
    listed = subprocess.run([*CLI, "list", "--repo", str(payments_repo), "--json"], capture_output=True,
                            text=True, env=env, timeout=300)
    reports = {r["id"]: r for r in json.loads(listed.stdout)}
    assert all(not r["blast_radius"]["notes"] for r in reports.values() if r.get("blast_radius")), listed.stdout


def test_a_first_run_discovers_in_a_worker_process_exactly_as_in_process(payments_repo: Path,
                                                                          tmp_path: Path) -> None:
    """The TUI's first run at a base discovers in a worker process while its screen starts; what comes
    back is what discovering in process finds. A later run leaves the (warm) discovery to the queue."""
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    first = Analyzer(payments_repo, cache=AnalysisCache.open(tmp_path / "cache.db"))
    first.check_inputs()
    first.prefetch_discovery()
    waiting = first.sibling()
    # What the queue's thread does while the process discovers: gets ready to score (reads the config).
    found = first.take_prefetched_discovery(meanwhile=waiting.prepare_to_score)
    assert found is not None, "no worker process discovered"
    reference = Analyzer(payments_repo, cache=AnalysisCache.open(tmp_path / "reference.db")).discovery
    assert found == reference and found.changes
    assert first.take_prefetched_discovery() is None  # taken once: a refresh discovers again

    later = Analyzer(payments_repo, cache=AnalysisCache.open(tmp_path / "cache.db"))
    later.prefetch_discovery()
    assert later.take_prefetched_discovery() is None  # warm: 50 ms after the first paint, in process
    assert later.discovery == reference


def test_quitting_abandons_a_prefetched_discovery_and_its_waiter_gets_none_at_once(payments_repo: Path,
                                                                                   tmp_path: Path) -> None:
    """A quit during a cold first discovery waited for it (33-46 s on ansible): the exit joins the
    queue's thread, which waited for the discovery process. Abandoning it stops the process and hands
    the waiter None. The discovery is held up by a real write lock on its cache (its writes wait)."""
    import sqlite3
    import threading

    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    path = tmp_path / "cache.db"
    analyzer = Analyzer(payments_repo, cache=AnalysisCache.open(path))
    analyzer.check_inputs()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # every cache write of the discovery waits for this lock
    try:
        analyzer.prefetch_discovery()
        assert analyzer._prefetch_start is not None, "no worker process discovered"
        taken: list[object] = []
        waiter = threading.Thread(target=lambda: taken.append(analyzer.take_prefetched_discovery()))
        waiter.start()
        waiter.join(0.3)
        assert waiter.is_alive()  # still waiting for the held-up discovery
        analyzer.abandon_prefetched_discovery()  # what ReviewApp.exit does
        waiter.join(5)
        assert not waiter.is_alive() and taken == [None]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert [c.id for c in Analyzer(payments_repo, cache=AnalysisCache.open(path)).discovery.changes]  # cache usable


def test_a_quit_while_the_discovery_process_is_still_starting_leaves_no_process(payments_repo: Path,
                                                                                tmp_path: Path) -> None:
    """The discovery's process is started from a thread (its start waits for the forkserver): a quit
    at once, before or while it starts, stops it all the same, and its waiter gets None."""
    import time

    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    analyzer = Analyzer(payments_repo, cache=AnalysisCache.open(tmp_path / "cache.db"))
    analyzer.check_inputs()
    analyzer.prefetch_discovery()
    start = analyzer._prefetch_start
    assert start is not None
    analyzer.abandon_prefetched_discovery()
    began = time.monotonic()
    assert analyzer.take_prefetched_discovery() is None
    assert time.monotonic() - began < 5
    start.join(5)
    assert not start.is_alive() and start.job.done()


def test_a_team_that_turned_worker_processes_off_gets_none_at_start(make_repo, tmp_path: Path) -> None:
    """`[complexity] workers = 0`: the TUI's first discovery stays in process like everything else."""
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache
    from tests.conftest import ALICE

    b = make_repo()
    b.commit("init", {"a.py": "x = 1\n", ".review-tui.toml": "[complexity]\nworkers = 0\n"}, author=ALICE)
    b.branch("feature")
    b.commit("more", {"a.py": "x = 2\n"}, branch="feature", author=ALICE)
    b.checkout()
    analyzer = Analyzer(b.path, cache=AnalysisCache.open(tmp_path / "cache.db"))
    analyzer.check_inputs()
    analyzer.prefetch_discovery()
    assert analyzer.take_prefetched_discovery() is None
    assert [c.id for c in analyzer.discovery.changes] == ["feature"]


def _main_and_a_feature(make_repo):
    """A repository with main and one pending branch, `feature`, checked out on main."""
    from tests.conftest import ALICE, BOB

    b = make_repo()
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    b.branch("feature")
    b.commit("more", {"a.py": "x = 2\n"}, branch="feature", author=BOB)
    b.checkout()
    return b


def test_after_a_fetch_the_first_discovery_stays_in_process(make_repo, tmp_path: Path) -> None:
    """The base moved by a commit since the last run (a fetch): discovery reads only what is new
    (the earlier tip's findings are cached), so no process is started for it, and it finds what a
    first run at the new base finds."""
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache
    from tests.conftest import ALICE

    b = _main_and_a_feature(make_repo)
    cache = AnalysisCache.open(tmp_path / "cache.db")
    first = Analyzer(b.path, cache=cache)
    first.check_inputs()
    first.prefetch_discovery()
    assert first.take_prefetched_discovery() is not None  # a first run: discovered in a worker process
    b.commit("fetched", {"b.py": "y = 1\n"}, author=ALICE)  # main moves on
    b.checkout()
    moved = Analyzer(b.path, cache=cache)
    moved.check_inputs()
    moved.prefetch_discovery()
    assert moved.take_prefetched_discovery() is None
    fresh = Analyzer(b.path, cache=AnalysisCache.open(tmp_path / "fresh.db")).discovery
    assert moved.discovery == fresh and [c.id for c in fresh.changes] == ["feature"]


def test_after_a_fetch_the_project_key_is_carried_over_without_a_walk(make_repo, tmp_path: Path,
                                                                       monkeypatch) -> None:
    """The project key is the root commit, cached per base. After main moves on (a fetch), it is the
    earlier tip's, checked on the new commits alone: no walk of the whole history (0.45 s on ansible);
    when another history is merged in (a new root), the whole history is walked again."""
    from app.analysis.analyzer import Analyzer
    from app.core.git.repo import GitRepo
    from app.storage.cache import AnalysisCache
    from tests.conftest import ALICE

    b = _main_and_a_feature(make_repo)
    cache = AnalysisCache.open(tmp_path / "cache.db")
    first = Analyzer(b.path, cache=cache)
    first.prefetch_repo_key()
    key = first.repo_key
    walks: list[str] = []
    real = GitRepo.root_commit

    def counted(self: GitRepo, start: str) -> str:
        walks.append(start)
        return real(self, start)

    monkeypatch.setattr(GitRepo, "root_commit", counted)
    b.commit("main moves", {"b.py": "y = 1\n"}, author=ALICE)
    b.checkout()
    moved = Analyzer(b.path, cache=cache)
    moved.prefetch_repo_key()
    assert moved.repo_key == key and walks == []
    assert Analyzer(b.path, cache=cache).repo_key == key  # kept for the new base

    git = ["git", "-C", str(b.path), "-c", "user.email=a@example.com", "-c", "user.name=A"]
    subprocess.run([*git, "checkout", "-q", "--orphan", "other"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "another history"], check=True)
    subprocess.run([*git, "checkout", "-q", "main"], check=True)
    subprocess.run([*git, "merge", "-q", "--allow-unrelated-histories", "-m", "merge it", "other"], check=True)
    merged = Analyzer(b.path, cache=cache)
    merged.prefetch_repo_key()
    assert merged.repo_key == real(GitRepo(str(b.path)), merged.resolved_base[1]) and len(walks) == 1


def test_a_first_runs_discovery_process_says_how_far_it_got_while_it_works(make_repo, tmp_path: Path) -> None:
    """FIX78 (QA53 #5): a first run's discovery of OpenHands (8,074 PR refs) took 5 minutes in its process
    while the queue said only "finding the pending changes…". The process keeps its progress in a file that
    the waiting thread reads and passes on ("50 of 55 heads read", then the merged checks'); the file's folder
    goes with the job. The discovery is held up after its merged checks by a real write lock on its cache."""
    import sqlite3
    import threading

    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache
    from tests.conftest import ALICE

    b = make_repo()
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    for i in range(55):  # more than PROGRESS_EVERY (50) heads: the worker process reports once
        b.branch(f"f{i}")
        b.commit(f"change {i}", {f"m{i}.py": f"y = {i}\n"}, branch=f"f{i}", author=ALICE)
    b.checkout()
    path = tmp_path / "cache.db"
    analyzer = Analyzer(b.path, cache=AnalysisCache.open(path))
    analyzer.check_inputs()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the discovery's cache writes wait for this lock
    said: list[str] = []
    try:
        analyzer.prefetch_discovery()
        start = analyzer._prefetch_start
        assert start is not None, "no worker process discovered"
        taken: list[object] = []
        waiter = threading.Thread(target=lambda: taken.append(analyzer.take_prefetched_discovery(
            progress=said.append)))
        waiter.start()
        last = "50 of 55 checked for a merge upstream"  # where the lock holds it up
        for _ in range(200):
            if said and said[-1] == last:
                break
            waiter.join(0.05)
        # "0 of 55 heads read" too when the waiter reads the file before the first 50 heads are read (a loaded run)
        assert said and said[-1] == last and set(said) <= {"0 of 55 heads read", "50 of 55 heads read", last}
        assert waiter.is_alive()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    waiter.join(30)
    assert not waiter.is_alive() and len(taken[0].changes) == 55  # type: ignore[attr-defined]
    assert not Path(start.progress_path).parent.exists()  # cleaned up with the job
