"""Storage races: several processes on one ledger and one analysis cache at the same moment.

Two reviewer processes write the same ledger at once (active time every few milliseconds,
decisions in between), while a third runs the analysis (`review-tui list --json`, which writes the
analysis cache) and `review-tui sync` (which imports and exports ledger records through git notes)
in a loop. Nothing may be lost and no process may fail with "database is locked".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.storage.ledger import Ledger
from tests.cli import CLI

ROUNDS = 60  # per writer: 60 active-time ticks and 20 decisions, about 1-3 s on two cores
TICK = 0.25

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from app.storage.ledger import Ledger, NewDecision

    ledger_path, repo_key, change, head, who, rounds, tick, go = sys.argv[1:9]
    rounds, tick, go = int(rounds), float(tick), float(go)
    while time.time() < go:  # start together
        time.sleep(0.001)
    ledger = Ledger.open(Path(ledger_path), timeout=10)
    session = ledger.start_session(who, repo_key)
    views = [ledger.open_chunk(session, repo_key, change, head, f"{who}-chunk-{i}", i) for i in range(3)]
    for n in range(rounds):
        ledger.add_active_time(views[n % 3], tick)
        if n % 3 == 2:
            ledger.record_decision(NewDecision(session_id=session, reviewer=who, repo=repo_key, change_id=change,
                                   head=head, chunk_hash=f"{who}-chunk-{n % 3}", decision="approve",
                                   floor_seconds=1.0, note=f"round {n}"))
    ledger.end_session(session)
    ledger.close()
    print("ok")
""")

ANALYST = textwrap.dedent("""
    import subprocess, sys, time
    repo, rounds, go = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    while time.time() < go:
        time.sleep(0.001)
    for n in range(rounds):
        for args in (["list", "--json"], ["sync"]):
            r = subprocess.run([sys.executable, "-P", "-m", "app", *args, "--repo", repo], capture_output=True)
            if r.returncode != 0:
                sys.stderr.buffer.write(r.stderr)
                sys.exit(r.returncode)
    print("ok")
""")


@pytest.fixture
def shared_repo(make_repo, samples) -> Path:
    alice = samples.Person("Alice Example", "alice@example.com")
    b = make_repo()
    b.commit("base", {"src/app.py": "def f():\n    return 1\n"}, author=alice)
    for name in ("feature", "other"):
        b.branch(name)
        body = "def g(x):\n    if x:\n        return 1\n    return 2\n"
        b.commit(f"{name} change", {f"src/{name}.py": body}, branch=name, author=alice)
    b.checkout("main")
    return b.path


def test_two_reviewers_and_an_analysis_never_lose_a_write(shared_repo: Path, hermetic_dirs: Path) -> None:
    from app.paths import ledger_path

    analyzer = Analyzer(shared_repo)
    change = analyzer.change("feature")
    repo_key, head = analyzer.repo_key, change.head
    path = ledger_path()
    Ledger.open(path).close()  # created (and migrated) once, as the first TUI start would
    go = time.time() + 1.5  # time for every interpreter to start and import
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = {who: subprocess.Popen([sys.executable, "-c", WRITER, str(path), repo_key, "feature", head, who,
                                    str(ROUNDS), str(TICK), str(go)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for who in ("alice@example.com", "bob@example.com")}
    procs["analysis+sync"] = subprocess.Popen([sys.executable, "-c", ANALYST, str(shared_repo), "3", str(go)],
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    for who, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, f"{who}: {err.decode(errors='replace')[-2000:]}"
        assert b"locked" not in err and out.strip().endswith(b"ok"), (who, err[-500:])

    with Ledger.open(path) as ledger:
        for who in ("alice@example.com", "bob@example.com"):
            views = ledger.chunk_views_for(repo_key, "feature", reviewer=who)
            assert len(views) == 3
            assert sum(v.active_seconds for v in views) == pytest.approx(ROUNDS * TICK)  # no tick lost
            decisions = ledger.decisions_for(repo_key, "feature", reviewer=who)
            expected = sorted(f"round {n}" for n in range(ROUNDS) if n % 3 == 2)
            assert sorted(d.note for d in decisions) == expected
            assert all(d.chunk_hash == f"{who}-chunk-2" for d in decisions)
    # the analysis process filled the cache while the ledger was busy
    listed = subprocess.run([*CLI, "list", "--json", "--repo", str(shared_repo)],
                            capture_output=True, check=True)
    assert {item["id"] for item in json.loads(listed.stdout)} == {"feature", "other"}
