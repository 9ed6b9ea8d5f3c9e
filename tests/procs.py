"""The processes running now, read from /proc, for tests that check what a command leaves behind; and a script run
in a fresh interpreter as a user's process would be."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path


def processes() -> Iterator[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process that can be read."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid, pgid = stat.rsplit(")", 1)[1].split()[:3]
            yield int(entry.name), state, int(ppid), int(pgid)


def children(pid: int) -> list[int]:
    return [child for child, _, parent, _ in processes() if parent == pid]


def group_members(pgid: int) -> list[int]:
    """The live processes of a process group (zombies left out: they have ended)."""
    return [pid for pid, state, _, group in processes() if group == pgid and state != "Z"]


def interrupt_when_ready(command: list[str], ready: Callable[[int], bool], env: dict[str, str],
                         sig: int = signal.SIGINT) -> tuple[int, str | None]:
    """Start `command` in a session of its own, and once `ready(pid)` holds send SIGINT to its process
    group, as a terminal's Ctrl-C does (any other `sig` to the process alone, as `kill PID` does). (its pid,
    which is its process group; its stderr, after checking it exited 128 + the signal, or None when it finished
    before the signal came: nothing to check on this machine)."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and not ready(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    try:
        _out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # what it left running holds its stdout and stderr open
        left = group_members(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"its output was still open 2 minutes after the signal: left running {left}") from None
    if proc.returncode == 0:
        return proc.pid, None
    # Ended by the signal itself is the same end to a shell ($? is 130 after Ctrl-C either way). Stop 51 found one
    # cause, Ctrl-C while the CLI imported its modules (traceback, exit -2: fixed in app/entry.py); what is left is
    # the interpreter's own start and the installed script's `import re`, before any of review-tui's code runs
    # (1 of 30 runs interrupted at random in their first 12 s under load). Stop 49 saw exit -2 after the
    # "interrupted" line here too: not seen again in 45 runs interrupted after the start.
    assert proc.returncode in (128 + sig, -sig), (proc.returncode, err)
    return proc.pid, err


def script_result(script: str, repo: Path, tmp_path: Path) -> dict:
    """Run `script` (an app driven headless, given the repo and a scratch directory) in a fresh interpreter with
    its own XDG directories, as a user's process would start; the JSON object it printed last."""
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-P", "-c", script, str(repo), str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
