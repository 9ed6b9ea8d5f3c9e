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


@pytest.mark.parametrize("command", [["explain", "HEAD"], ["chunks", "HEAD"], ["stats"], ["calibrate"]])
def test_ctrl_c_while_any_command_imports_its_modules_is_one_line_and_exit_130(make_repo, command) -> None:
    import subprocess
    import sys

    builder = make_repo()
    builder.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    done = subprocess.run([sys.executable, "-P", "-c", _SIGINT_AT_IMPORT, "app.commands.common", *command,
                           "--repo", str(builder.path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONSAFEPATH": "1"})
    assert (done.returncode, done.stderr) == (130, "review-tui: interrupted\n"), (done.returncode, done.stderr)


# QA56 F12: a real SIGINT at three moments the command's own handling did not cover. Each script runs the CLI as
# the installed script does (app.entry.main), in a session of its own, SIGINT as a terminal starts it.
_PRELUDE = '''
import os, signal, sys, threading
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["review-tui", *sys.argv[1:]]
'''

# While the interpreter's exit joins the worker pool (a second Ctrl-C after the first, or one just after the output):
# it interrupted concurrent.futures' own exit handler, whose workers were then never told to stop, and the process
# waited for them for good (or printed "Exception ignored in: <module 'threading'>" and ended by the signal).
_SIGINT_AT_POOL_EXIT = _PRELUDE + '''
import concurrent.futures.process  # its exit handler first, so the one below runs before it
threading._register_atexit(lambda: os.kill(os.getpid(), signal.SIGINT))
from app.entry import main
main()
'''

# Where Python cannot raise it (a weakref callback, as the import lock's): "Exception ignored in: ...", a bare
# "KeyboardInterrupt:", and the command ran on to exit 0.
_SIGINT_IN_A_CALLBACK = _PRELUDE + '''
import importlib.abc, weakref

class Thing:
    pass

class SigintInCallback(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "app.commands.list":
            sys.meta_path.remove(self)
            thing = Thing()
            ref = weakref.ref(thing, lambda _ref: os.kill(os.getpid(), signal.SIGINT))
            del thing
        return None

sys.meta_path.insert(0, SigintInCallback())
from app.entry import main
main()
'''

# While the forkserver, started from a thread beside a first run's discovery, imports the analyzers: its import
# traceback came under "interrupted" (it is no main thread: SIG_IGN could not be set for it).
_SIGINT_WHILE_THE_FORKSERVER_IMPORTS = _PRELUDE + '''
import time
from app.core import workers
workers._PRELOAD = [*workers._PRELOAD, "slow_preload"]  # found on PYTHONPATH: the forkserver's own sys.path

def interrupt_once_importing():
    while not os.path.exists(os.path.join(os.environ["SLOW_PRELOAD_DIR"], "importing")):
        time.sleep(0.01)
    os.killpg(os.getpgrp(), signal.SIGINT)

threading.Thread(target=interrupt_once_importing, daemon=True).start()
from app.entry import main
main()
'''


def _run_script(script: str, args: list[str], env: dict[str, str]):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-P", "-c", script, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**env, "PYTHONSAFEPATH": "1"},
                            start_new_session=True)
    try:
        _out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError("still running 90 s after the Ctrl-C") from None
    deadline = time.monotonic() + 30
    while group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_members(proc.pid) == []  # no worker, forkserver or tracker left behind
    return proc.returncode, err


def test_ctrl_c_while_the_exit_joins_the_workers_is_one_line_and_exit_130(make_repo, tmp_path) -> None:
    builder, env = _busy_repo(make_repo, tmp_path)
    code, err = _run_script(_SIGINT_AT_POOL_EXIT, ["list", "--repo", str(builder.path)], env)
    assert (code, err) == (130, "review-tui: interrupted\n"), (code, err)


def test_ctrl_c_in_a_callback_python_could_not_raise_it_in_still_ends_the_command(make_repo, tmp_path) -> None:
    builder, env = _busy_repo(make_repo, tmp_path)
    code, err = _run_script(_SIGINT_IN_A_CALLBACK, ["list", "--repo", str(builder.path)], env)
    assert (code, err) == (130, "review-tui: interrupted\n"), (code, err)


def test_ctrl_c_while_the_forkserver_imports_prints_nothing_of_it(make_repo, tmp_path) -> None:
    """A first `list` starts its pool from a thread beside its discovery (workers.start_soon)."""
    builder, env = _busy_repo(make_repo, tmp_path)
    (tmp_path / "slow_preload.py").write_text(
        "import os, time\nopen(os.path.join(os.path.dirname(__file__), 'importing'), 'w').close()\ntime.sleep(2)\n")
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    code, err = _run_script(_SIGINT_WHILE_THE_FORKSERVER_IMPORTS, ["list", "--repo", str(builder.path)],
                            {**env, "SLOW_PRELOAD_DIR": str(tmp_path), "PYTHONPATH": path})
    assert (code, err) == (130, "review-tui: interrupted\n"), (code, err)


def test_ctrl_c_to_the_tui_gives_the_terminal_back_then_one_line_and_exit_130(make_repo, tmp_path) -> None:
    """SIGINT to a TUI on the screen (`kill -INT`, a Ctrl-C the terminal sends as a signal): it quit with exit 0
    and said nothing. (Ctrl-C typed into the app is a key: Textual's "Press q to quit".)"""
    import pty
    import select
    import subprocess
    import sys

    builder, env = _busy_repo(make_repo, tmp_path)
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-P", "-c", _PRELUDE + "from app.entry import main\nmain()\n",
                             "--repo", str(builder.path)], stdin=follower, stdout=follower, stderr=follower,
                            env={**env, "TERM": "xterm-256color", "PYTHONSAFEPATH": "1"}, start_new_session=True)
    os.close(follower)
    screen, sent, deadline = b"", False, time.monotonic() + 90
    while time.monotonic() < deadline:
        if select.select([leader], [], [], 0.1)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        if not sent and b"Quit" in screen:  # the footer is painted: the app is on the screen
            os.killpg(proc.pid, signal.SIGINT)
            sent = True
    os.close(leader)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    assert sent, screen[-500:]
    assert proc.wait(timeout=30) == 130
    after = screen.rsplit(b"\x1b[?1049l", 1)  # what came once the app left the alternate screen
    assert len(after) == 2 and after[1].split(b"\x1b[?1006l")[-1].strip() == b"review-tui: interrupted", after
