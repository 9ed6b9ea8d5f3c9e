"""Ctrl-C during an analysis whose worker processes are busy: one line, exit 130, nothing left running."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.cli import CLI
from tests.conftest import ALICE


def _module(name: str, version: int) -> str:
    return "".join(f"def {name}_{i}(x):\n    if x > {i}:\n        return x - {version}\n"
                   f"    for y in range(x):\n        if y % 3:\n            x += y\n    return x\n\n\n"
                   for i in range(120))


def _group_members(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def test_ctrl_c_while_the_workers_measure_ends_cleanly(make_repo, tmp_path) -> None:
    builder = make_repo()
    builder.commit("init", {f"pkg/mod_{n}.py": _module(f"f{n}", 1) for n in range(40)}, author=ALICE)
    builder.branch("rewrite")
    builder.commit("rewrite", {f"pkg/mod_{n}.py": _module(f"g{n}", 2) for n in range(40)}, branch="rewrite",
                   author=ALICE)
    env = {**os.environ, "REVIEW_TUI_CACHE_DIR": str(tmp_path / "cache"), "REVIEW_TUI_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen([*CLI, "list", "--repo", str(builder.path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    # Interrupt once its worker processes are there (the forkserver's children), as a terminal does: the
    # whole process group gets the signal.
    deadline = time.monotonic() + 120
    while proc.poll() is None and len(_group_members(proc.pid)) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        return  # it finished before the signal came: nothing to check on this machine
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "review-tui: interrupted"
    assert "Traceback" not in err and "Exception ignored" not in err
    deadline = time.monotonic() + 30
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group_members(proc.pid) == []  # no worker, forkserver or tracker left behind
