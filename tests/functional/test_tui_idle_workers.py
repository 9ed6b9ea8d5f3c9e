"""Issue 18, memory: the worker processes that measured a first run do not stay alive while the TUI waits for the
reviewer. On lazygit a queue idle after its first analysis kept two workers of 35-45 MB each for the session;
now the app stops them once nothing has been given to them for a while (workers.retire_idle_pools), and a task
given later starts new ones from the forkserver."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.procs import script_result

SCRIPT = textwrap.dedent("""
    import asyncio, json, os, sys
    from pathlib import Path
    from app.analysis.analyzer import Analyzer
    from app.core import workers
    from app.storage.cache import AnalysisCache
    from app.storage.ledger import Ledger
    import app.tui.app as tui_app

    tui_app.IDLE_CHECK_SECONDS = 0.2
    workers.IDLE_SECONDS = 1.0
    repo, data = Path(sys.argv[1]), Path(sys.argv[2])
    analyzer = Analyzer(repo, cache=AnalysisCache.open(data / "cache.db"))
    app = tui_app.make_app(analyzer, ledger=Ledger.open(data / "ledger.db"))

    def alive(pid):
        return os.path.exists(f"/proc/{pid}") and "zombie" not in open(f"/proc/{pid}/status").read()

    async def main():
        async with app.run_test(size=(120, 40)) as pilot:
            pids = set()
            queue = app.screen_stack[0]
            for _ in range(3000):  # the queue analyses every change, in worker processes
                for pool in workers._shared.values():
                    pids |= set(getattr(pool, "_processes", None) or {})
                if queue.finished_at and not queue.analysing and not app.workers:
                    break
                await pilot.pause(0.05)
            for _ in range(300):  # idle: the app retires the pool
                await pilot.pause(0.1)
                if not workers._shared and pids and not any(alive(pid) for pid in pids):
                    break
            gone = {"pools": len(workers._shared), "workers_seen": len(pids),
                    "alive": sorted(pid for pid in pids if alive(pid))}
            pool = workers.shared_pool(1)  # a later task gets a pool of its own
            gone["later"] = pool.submit(sum, [1, 2]).result(timeout=60)
            print(json.dumps(gone))

    asyncio.run(main())
""")


def test_an_idle_tui_stops_its_worker_processes(payments_repo: Path, tmp_path: Path) -> None:
    result = script_result(SCRIPT, payments_repo, tmp_path)
    assert result["workers_seen"] >= 1, result  # the first run measured in worker processes
    assert result == {"pools": 0, "workers_seen": result["workers_seen"], "alive": [], "later": 3}


def test_a_task_given_to_a_retired_pool_runs_in_its_successor() -> None:
    from app.core import workers

    pool = workers.new_pool(1)
    assert pool is not None
    with workers._shared_lock:
        workers._shared[1], before = pool, workers._shared.get(1)
    try:
        assert pool.submit(sum, [1, 2]).result(timeout=60) == 3
        workers.retire_idle_pools(idle=60.0)  # given a task just now: kept (an earlier test's idle pool may go)
        assert workers._shared.get(1) is pool and not getattr(pool, "retired", False)
        assert workers.retire_idle_pools(idle=0.0) >= 1  # this one, and any an earlier test left idle
        assert 1 not in workers._shared and getattr(pool, "retired", False)
        assert pool.submit(sum, [2, 3]).result(timeout=60) == 5  # a caller holding the old pool
        successor = workers._shared[1]
        assert successor is not pool and not getattr(successor, "retired", False)
    finally:
        with workers._shared_lock:
            if before is not None:
                workers._shared[1] = before
        pool.shutdown(wait=True)
