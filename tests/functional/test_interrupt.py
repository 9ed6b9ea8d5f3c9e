"""Ctrl-C during an analysis whose worker processes are busy: one line, exit 130, nothing left running."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.cli import CLI
from tests.conftest import ALICE
from tests.procs import group_members, interrupt_when_ready


def _module(name: str, version: int) -> str:
    return "".join(f"def {name}_{i}(x):\n    if x > {i}:\n        return x - {version}\n"
                   f"    for y in range(x):\n        if y % 3:\n            x += y\n    return x\n\n\n"
                   for i in range(300))


def _busy_repo(make_repo, tmp_path):
    """A branch rewriting 80 modules of 300 functions: enough to measure (seconds on two cores) that the workers
    are surely busy when the signal comes; and the environment that keeps its caches in `tmp_path`."""
    builder = make_repo()
    builder.commit("init", {f"pkg/mod_{n}.py": _module(f"f{n}", 1) for n in range(80)}, author=ALICE)
    builder.branch("rewrite")
    builder.commit("rewrite", {f"pkg/mod_{n}.py": _module(f"g{n}", 2) for n in range(80)}, branch="rewrite",
                   author=ALICE)
    env = {**os.environ, "REVIEW_TUI_CACHE_DIR": str(tmp_path / "cache"), "REVIEW_TUI_DATA_DIR": str(tmp_path)}
    return builder, env


def test_ctrl_c_while_the_workers_measure_ends_cleanly(make_repo, tmp_path) -> None:
    builder, env = _busy_repo(make_repo, tmp_path)
    # Ready once the resource tracker, the forkserver and a worker run beside the CLI.
    group, err = interrupt_when_ready([*CLI, "list", "--repo", str(builder.path)],
                                      lambda pid: len(group_members(pid)) >= 4, env)
    assert err is not None, "the list ended before its workers were busy: nothing was interrupted"
    assert err.strip().splitlines()[-1] == "review-tui: interrupted"
    assert "Traceback" not in err and "Exception ignored" not in err
    deadline = time.monotonic() + 30
    while group_members(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_members(group) == []  # no worker, forkserver or tracker left behind


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_while_the_workers_measure_takes_them_along(make_repo, tmp_path, sig) -> None:
    """`kill PID` of a `list` (QA53 #6): its forkserver, workers and resource tracker outlived it (parent 1)."""
    builder, env = _busy_repo(make_repo, tmp_path)
    group, err = interrupt_when_ready([*CLI, "list", "--json", "--repo", str(builder.path)],
                                      lambda pid: len(group_members(pid)) >= 4, env, sig)
    assert err is not None, "the list ended before its workers were busy: nothing was stopped"
    assert "Traceback" not in err and "Exception ignored" not in err
    deadline = time.monotonic() + 30
    while group_members(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_members(group) == []  # no worker, forkserver or tracker left behind


# A real SIGINT to the process itself the moment a module is imported: Ctrl-C while the interpreter imports
# click and the commands (about 0.3 s of a start under load), where a loop of 40 `list` runs interrupted at random
# moments in their first 0.6 s ended 21 times in a traceback and exit -2 (stop 51).
_SIGINT_AT_IMPORT = '''
import importlib.abc, os, signal, sys

# as a terminal starts it (a test runner may have been started with SIGINT ignored, which its children inherit)
signal.signal(signal.SIGINT, signal.default_int_handler)

AT = sys.argv[1]

class SigintAt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == AT:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, SigintAt())
sys.argv = ["review-tui", *sys.argv[2:]]
from app.entry import main
main()
'''


@pytest.mark.parametrize("module", ["click", "app.commands.list", "app.commands.common"])
def test_ctrl_c_while_the_cli_imports_its_modules_is_one_line_and_exit_130(make_repo, module) -> None:
    import subprocess
    import sys

    builder = make_repo()
    builder.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    done = subprocess.run([sys.executable, "-P", "-c", _SIGINT_AT_IMPORT, module, "list", "--repo",
                           str(builder.path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONSAFEPATH": "1"})
    assert (done.returncode, done.stderr) == (130, "review-tui: interrupted\n"), (done.returncode, done.stderr)
