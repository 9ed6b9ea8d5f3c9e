"""Issue 17: a TUI's live WAL must survive other processes opening and closing the ledger.

On POSIX, closing ANY file descriptor of a file drops every advisory lock the process holds on it,
SQLite's included. If review-tui ever opened the ledger with a plain ``open()`` while one of its
own SQLite connections was live (as the header check did when a second thread or a second
``Ledger.open`` connected), the next outside read-write connection to close - `review-tui check`,
`review-tui stats`, `sqlite3 ledger.db` - believed it was the last user, checkpointed and unlinked
the ``-wal``. The TUI then kept appending to a deleted file: decisions invisible to every other
process and lost on kill -9.

The test runs a writer process that uses the ledger the way the TUI does (a Ledger opened on the
main thread, a worker thread reading through its own connection, a second Ledger.open), and
between its writes runs each outside program to completion. After every step the writer's open
file descriptors must not include a deleted ``-wal``; after SIGKILL every decision must be there.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.storage.ledger import Ledger
from tests.cli import CLI

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")

WRITER = textwrap.dedent("""
    import sys, threading
    from pathlib import Path
    from app.storage.ledger import Ledger, NewDecision
    from app.storage.cache import AnalysisCache

    ledger_path, cache_path = Path(sys.argv[1]), Path(sys.argv[2])
    ledger = Ledger.open(ledger_path)  # the TUI's main-thread connection
    cache = AnalysisCache.open(cache_path)
    session = ledger.start_session("alice@example.com", "repo-key")
    # A worker thread reads the ledger (and the cache) through connections of its own, as the
    # TUI's background analysis does; a second Ledger.open is what make_app/run_tui used to do.
    reader = threading.Thread(target=lambda: (ledger.decisions_for("repo-key", "feature"),
                                              cache.get("kind", "key")))
    reader.start(); reader.join()
    second = Ledger.open(ledger_path)
    second.decisions_for("repo-key", "feature")
    cache.put("kind", "k0", {"n": 0})
    count = 0
    print("ready", flush=True)
    for line in sys.stdin:
        for _ in range(int(line)):
            count += 1
            ledger.record_decision(NewDecision(session_id=session, reviewer="alice@example.com", repo="repo-key",
                                   change_id="feature", head="h" * 40, chunk_hash=f"chunk-{count}",
                                   decision="approve", floor_seconds=1.0, note=f"decision {count}"))
            cache.put("kind", f"k{count}", {"n": count})
        print(f"recorded {count}", flush=True)
""")


def _deleted_wal_fds(pid: int) -> list[str]:
    """The writer's open descriptors on a -wal file that was unlinked (shown as '(deleted)')."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if "-wal" in target and target.endswith("(deleted)"):
            found.append(target)
    return found


def _plain_sqlite3_open_close(path: Path) -> None:
    """What `sqlite3 ledger.db` does: a read-write connection that reads and closes."""
    conn = sqlite3.connect(path)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


@pytest.fixture
def small_repo(make_repo, samples) -> Path:
    alice = samples.Person("Alice Example", "alice@example.com")
    b = make_repo()
    b.commit("base", {"src/app.py": "def f():\n    return 1\n"}, author=alice)
    b.branch("feature")
    b.commit("feature", {"src/app.py": "def f():\n    return 2\n"}, branch="feature", author=alice)
    b.checkout("main")
    return b.path


def test_outside_connections_never_unlink_a_live_wal(small_repo: Path, hermetic_dirs: Path) -> None:
    from app.paths import analysis_cache_path, ledger_path

    ledger_file, cache_file = ledger_path(), analysis_cache_path()
    Ledger.open(ledger_file).close()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(ledger_file), str(cache_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env, text=True)
    assert writer.stdin is not None and writer.stdout is not None
    app = list(CLI)
    outsiders = [
        ("review-tui check", lambda: subprocess.run([*app, "check", "feature", "--repo", str(small_repo)],
                                                    capture_output=True, env=env, timeout=120)),
        ("review-tui stats", lambda: subprocess.run([*app, "stats", "--all"], capture_output=True, env=env,
                                                    timeout=120)),
        ("sqlite3 ledger", lambda: _plain_sqlite3_open_close(ledger_file)),
        ("sqlite3 cache", lambda: _plain_sqlite3_open_close(cache_file)),
    ]
    recorded = 0
    unlinked: list[str] = []  # outside programs after which the writer held a deleted -wal
    try:
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        for name, run in outsiders:
            run()
            writer.stdin.write("3\n")
            writer.stdin.flush()
            recorded += 3
            assert writer.stdout.readline().strip() == f"recorded {recorded}", writer.stderr.read()
            if _deleted_wal_fds(writer.pid):
                unlinked.append(name)
    finally:
        writer.kill()  # SIGKILL: no clean close, no checkpoint
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    with Ledger.open(ledger_file) as ledger:
        notes = {d.note for d in ledger.decisions_for("repo-key", "feature")}
    lost = [n for n in range(1, recorded + 1) if f"decision {n}" not in notes]
    conn = sqlite3.connect(cache_file)
    stored = conn.execute("SELECT count(*) FROM entries WHERE kind = 'kind'").fetchone()[0]
    conn.close()
    assert (lost, stored, unlinked) == ([], recorded + 1, []), (
        f"lost decisions {lost} of {recorded}; cache entries {stored} of {recorded + 1}; "
        f"the writer appended to an unlinked -wal after: {unlinked}")
