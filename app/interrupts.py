"""Ctrl-C, whenever it comes: one line on stderr ("review-tui: interrupted", or the command's own) and exit 130.

A command ends on Ctrl-C through KeyboardInterrupt (app/commands/common.py's run_guarded, app/entry.py's main).
Three moments escaped that (QA56 F12), each measured by interrupting `list` at random moments of its first 4 s:
- Python raised the KeyboardInterrupt where it cannot propagate (a weakref callback of the import lock, a __del__):
  it printed "Exception ignored in: ..." and a bare "KeyboardInterrupt:", and the command ran on to exit 0 (1 run
  in 30). `install` hands such an interrupt to the main thread again (`_interrupt_again`).
- A Ctrl-C once the process is ending (a second one while the workers stop, or one after the command's output):
  it interrupted the interpreter's own joining of the worker pool ("Exception ignored in: <module 'threading'>"),
  whose workers were then never told to stop, and the exit waited for them for good. Once the process is ending
  (`ending`) a Ctrl-C only says the line, if not said yet, and the exit code is 130 (`_exit_code`).
- the forkserver importing the analyzers (app/core/workers.py `_start_forkserver_quietly`).
Nothing here imports more than the standard library: app/entry.py installs it before any other import."""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from typing import Any

INTERRUPTED = "review-tui: interrupted"

_installed = False  # by the process's entry point (install): in-process callers (tests) keep their own handling
_said = False
_ending = False
_late = False


def install() -> None:
    """At the process's start (app/entry.py main). The exit code's hook is registered first, so it runs after
    every other exit handler (atexit runs them last in, first out), once the workers are joined."""
    global _installed
    _installed = True
    sys.unraisablehook = _interrupt_again
    atexit.register(_exit_code)


def _interrupt_again(unraisable: Any, default: Any = sys.unraisablehook) -> None:
    """sys.unraisablehook: a KeyboardInterrupt Python could not raise where it came is raised in the main thread
    again, silently, from a thread of its own once this hook has returned (`_thread.interrupt_main` runs the
    SIGINT handler there at once: called here, it raised inside the hook, unraisable again); anything else printed
    as Python prints it. Once the process is ending it is let go: `_late_interrupt` has said it."""
    if issubclass(unraisable.exc_type, KeyboardInterrupt):
        if not _ending:
            threading.Thread(target=_interrupt_main_soon, name="review-tui-interrupt", daemon=True).start()
        return
    default(unraisable)


def _interrupt_main_soon() -> None:
    import _thread
    import time

    time.sleep(0.02)
    _thread.interrupt_main()


def say_interrupted(line: str = INTERRUPTED) -> None:
    """The one line a Ctrl-C ends with (only the first said), the process then ending (`ending`); said every time
    where `install` was not called (a command run in-process)."""
    global _said
    ending()
    if _said:
        return
    _said = _installed
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def ending() -> None:
    """The process is ending (its command ended, or was interrupted): from now on Ctrl-C raises nothing, where the
    interpreter's exit joins the worker pool; it says the line once and the exit code is 130. Only over Python's
    own handler (or the worker pool's, which defers to it), in the main thread: an ignored SIGINT stays ignored, a
    Textual app's or a test runner's is theirs."""
    global _ending
    if not _installed:
        return
    _ending = True
    if threading.current_thread() is not threading.main_thread():
        return
    current = signal.getsignal(signal.SIGINT)
    if current is signal.default_int_handler or getattr(current, "__module__", None) == "app.core.workers":
        signal.signal(signal.SIGINT, _late_interrupt)


def _late_interrupt(signum: int, frame: Any) -> None:
    global _late
    _late = True
    say_interrupted()


def _exit_code() -> None:
    """The last exit handler: after a Ctrl-C while the process was ending, exit 130 whatever the command's code.
    Else SIGINT is ignored from here on: the interpreter's last clean-up sets Python's handlers back to the
    default action, and a Ctrl-C there ended the process by the signal itself (exit -2 to a caller, 3 runs in 20
    given a second Ctrl-C 0.15 s after the first); one now leaves the command's own exit code."""
    if not _late:
        if _ending and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(130)
