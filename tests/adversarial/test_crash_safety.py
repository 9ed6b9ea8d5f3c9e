"""Crash safety: `kill -9` the real TUI in the middle of a review, then start again.

The TUI runs as a real process on a pseudo-terminal (`review-tui --repo X`). The test opens a
change, reads its first chunk for a few seconds, approves it (confirming the rubber-stamp
question), reads on, then kills the process with SIGKILL. Afterwards the ledger opens, the
confirmed approval is there, and at most the last persist interval (plus a little scheduling
slack) of active time is lost.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.paths import ledger_path, user_config_path
from app.storage.ledger import Ledger
from tests.cli import INTERPRETER_ARGS

pty = pytest.importorskip("pty")
pytest.importorskip("app.tui.app")

PERSIST_SECONDS = 1.0
REVIEWER = "crash@example.com"


class Terminal:
    """A child process on a pty, its output drained by a thread so it never blocks on a full pipe."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the TUI
            os.execve(sys.executable, [sys.executable, *argv], env)
        self.output = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def wait_for(self, text: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; last output: {bytes(self.output[-800:])!r}")
            time.sleep(0.05)

    def send(self, keys: bytes, pause: float = 0.6) -> None:
        os.write(self.fd, keys)
        time.sleep(pause)

    def kill(self) -> int:
        os.kill(self.pid, signal.SIGKILL)
        _pid, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return status


@pytest.fixture
def review_repo(make_repo, samples) -> Path:
    alice = samples.Person("Alice Example", "alice@example.com")
    b = make_repo()
    b.commit("base", {"src/app.py": "def f():\n    return 1\n"}, author=alice)
    b.branch("feature")
    body = "".join(f"def g{i}(x):\n    if x > {i}:\n        return {i}\n    return x\n\n" for i in range(20))
    b.commit("Add the g functions", {"src/feature.py": body}, branch="feature", author=alice)
    b.checkout("main")
    return b.path


def test_kill_9_mid_review_loses_no_decision_and_only_seconds_of_time(review_repo: Path) -> None:
    config = user_config_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'reviewer_email = "{REVIEWER}"\npersist_seconds = {PERSIST_SECONDS}\n', "utf-8")
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40",
           "TEXTUAL_ANIMATIONS": "none"}
    term = Terminal([*INTERPRETER_ARGS, "--repo", str(review_repo)], env)
    try:
        term.wait_for(b"feature", timeout=60)  # the queue lists the change
        time.sleep(1.0)
        term.send(b"\r", pause=1.5)  # open the change
        term.send(b"\r", pause=0.5)  # open its first chunk
        opened = time.monotonic()
        time.sleep(3.0)
        term.send(b"a", pause=1.0)  # approve: faster than the floor, so the app asks first
        term.send(b"y", pause=0.5)  # confirm: now the decision is recorded
        term.send(b"j", pause=1.0)
        term.send(b"j", pause=PERSIST_SECONDS * 2.5)  # keep reading, past a persist tick
        read_for = time.monotonic() - opened
    finally:
        term.kill()

    key = Analyzer(review_repo).repo_key
    with Ledger.open(ledger_path()) as ledger:  # opens after the crash: no corruption, no lock left
        decisions = ledger.decisions_for(key, "feature", reviewer=REVIEWER)
        assert [d.decision for d in decisions] == ["approve"], decisions
        views = ledger.chunk_views_for(key, "feature", reviewer=REVIEWER)
        recorded = sum(v.active_seconds for v in views)
        # lost: at most one persist interval, plus the keystroke pauses' scheduling slack
        assert read_for - (PERSIST_SECONDS + 1.5) <= recorded <= read_for + 0.5, (recorded, read_for)
        # and a new session can start where the killed one stopped
        session = ledger.start_session(REVIEWER, key)
        assert ledger.session(session) is not None


@pytest.mark.parametrize("how", ["terminal closed", "SIGTERM"])
def test_a_closed_terminal_or_sigterm_ends_the_session_and_keeps_its_time(review_repo: Path, how: str) -> None:
    """Closing the terminal window (the kernel sends SIGHUP) or a SIGTERM quits as `q` does: the review
    session gets its end and the chunk's active time is written, although no persist tick came."""
    config = user_config_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'reviewer_email = "{REVIEWER}"\npersist_seconds = 60\n', "utf-8")  # no tick in this test
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40",
           "TEXTUAL_ANIMATIONS": "none"}
    term = Terminal([*INTERPRETER_ARGS, "--repo", str(review_repo)], env)
    done = (0, 0)
    try:
        term.wait_for(b"feature", timeout=60)
        time.sleep(1.0)
        term.send(b"\r", pause=1.5)  # open the change
        term.send(b"\r", pause=0.5)  # open its first chunk
        opened = time.monotonic()
        term.send(b"j", pause=1.0)
        term.send(b"j", pause=1.0)
        read_for = time.monotonic() - opened
        if how == "SIGTERM":
            os.kill(term.pid, signal.SIGTERM)
        else:
            os.close(term.fd)  # the window closes
        deadline = time.monotonic() + 30
        while not (done := os.waitpid(term.pid, os.WNOHANG))[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        status = done[1]
        until_exit = time.monotonic() - opened  # the chunk was on screen, unidle, until the app ended
    finally:
        if not done[0]:
            term.kill()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    key = Analyzer(review_repo).repo_key
    with Ledger.open(ledger_path()) as ledger:
        sessions = ledger.db.execute("SELECT ended_at FROM sessions").fetchall()
        assert len(sessions) == 1 and sessions[0][0] is not None
        recorded = sum(v.active_seconds for v in ledger.chunk_views_for(key, "feature", reviewer=REVIEWER))
        assert read_for - 1.0 <= recorded <= until_exit + 0.5, (recorded, read_for, until_exit)

