"""Worker processes for CPU-bound analysis (complexity, graph summaries): one pool for the process.

Workers are forked from a forkserver that has imported the analyzers once, so each starts warm; fork
itself is unsafe in a process running threads, as the TUI does. The complexity measurement and the
dependency graph share one pool (`shared_pool`): with a pool each, a cold TUI start ran four workers
on two cores, 55 MB more for no more throughput.
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from app.core.heap import give_back_heap

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

# What the forkserver imports before forking any worker.
_PRELOAD = ["app.core.forkserver_start", "app.core.metrics.complexity", "app.core.impact.graph", "radon.complexity",
            "radon.metrics", "radon.raw", "app.core.metrics.raw_lines", "lizard", "app.core.metrics.typescript",
            "tree_sitter", "tree_sitter_typescript", "tree_sitter_javascript"]

T = TypeVar("T")

_USER_SAFE_PATH = os.environ.get("PYTHONSAFEPATH")  # as the user started review-tui (see pool_context)

_shared: dict[int, ProcessPoolExecutor] = {}
_shared_lock = threading.Lock()

# The parent's "exiting" file (release_workers creates it) and, in a worker, its parent's: a file, because a
# worker forked from the forkserver shares nothing else with the parent that a check every few ms could read.
_exiting_file: str | None = None
_parent_exiting_file: str | None = None
_released = False
# Held while a task is submitted and while release_workers marks the process exiting: a submit from another
# thread either ends before the release or sees it. A submit can start a worker process; one started after
# the interpreter's exit has stopped the pool's manager is never stopped, and the exit waits for it forever.
_submit_gate = threading.Lock()
# Ctrl-C while the main thread submits is raised when the submit is done: raised inside it, between starting a
# worker and the pool's manager thread (or recording the worker), it left a worker nobody stops, and the forkserver
# and resource tracker with it, after the CLI had exited (test_interrupt hung under load: 2 runs in 15).
_main_submitting = False
_interrupt_pending = False
_terminate_pending = 0  # the SIGTERM or SIGHUP that came during such a submit (terminate_deferred)


def new_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of `workers` processes of its own, for a caller that shuts it down itself (calibrate
    stops its pool on Ctrl-C); None when processes cannot be used."""
    from concurrent.futures import ProcessPoolExecutor

    if workers < 1:
        return None
    try:
        pool = _releasable(ProcessPoolExecutor)(max_workers=workers, mp_context=pool_context(),
                                                initializer=_quiet_worker, initargs=(_exiting_path(),))
    except Exception:
        return None
    return pool


def _defer_interrupts_in_submit() -> None:
    """On the main thread, where Python raises KeyboardInterrupt, and only over its default handler (a Textual
    app or a test runner keeps its own): Ctrl-C during a submit is raised once the submit is done."""
    if threading.current_thread() is threading.main_thread() and (
            signal.getsignal(signal.SIGINT) is signal.default_int_handler):
        signal.signal(signal.SIGINT, _on_interrupt)


def _on_interrupt(signum: int, frame: Any) -> None:
    global _interrupt_pending
    if _main_submitting:
        _interrupt_pending = True
        return
    signal.default_int_handler(signum, frame)


def terminate_deferred(signum: int) -> bool:
    """For the CLI's SIGTERM and SIGHUP handler (cli.main), which exits 128 + the signal's number: whether this
    process's main thread is submitting a task, the signal then raised as that exit once the submit is done
    (_on_interrupt says why)."""
    global _terminate_pending
    if _main_submitting:
        _terminate_pending = signum
        return True
    return False


def shared_pool(workers: int) -> ProcessPoolExecutor | None:
    """The process's pool of `workers` processes, started on first use and kept until exit (a broken
    one is replaced); None when processes cannot be used. Callers never shut it down: they cancel
    what they queued and no longer want."""
    if workers < 1:
        return None
    with _shared_lock:
        pool = _shared.get(workers)
        if pool is not None and not getattr(pool, "_broken", False):
            return pool
        pool = new_pool(workers)
        if pool is not None:
            if not _shared:
                atexit.register(_drop_shared)
            _shared[workers] = pool
        return pool


def started_pool(workers: int) -> ProcessPoolExecutor | None:
    """The process's shared pool of `workers` processes if it is started already (`start_soon`), else None: for
    a task worth offering early only where no one waits for the pool to start (0.3-0.5 s in the submit)."""
    with _shared_lock:
        pool = _shared.get(workers) if workers >= 1 else None
    return pool if pool is not None and not getattr(pool, "_broken", False) else None


# Seconds a pool must have had no task queued or running before retire_idle_pools stops its workers.
IDLE_SECONDS = 20.0


def retire_idle_pools(idle: float | None = None) -> int:
    """Stop the worker processes of every shared pool that has had no task queued or running for `idle`
    seconds (IDLE_SECONDS): the TUI calls it while it waits for the reviewer. A queue idle after its first
    analysis kept two workers of 35-45 MB each (RSS; lazygit) for the whole session. The pool is taken out of
    `_shared` first, so the next task starts a new one (its workers forked from the forkserver, which stays
    up, warm, in a fraction of a second); a task given to the retired pool by a caller that still holds it
    goes to that new one (ReleasablePool.submit). How many pools were retired."""
    wait = IDLE_SECONDS if idle is None else idle
    retired: list[ProcessPoolExecutor] = []
    with _submit_gate, _shared_lock:
        for key, pool in list(_shared.items()):
            busy = bool(getattr(pool, "_pending_work_items", None))
            if busy or time.monotonic() - getattr(pool, "last_submit", 0.0) < wait:
                continue
            pool.retired = True  # type: ignore[attr-defined]  # a ReleasablePool (_releasable)
            del _shared[key]
            retired.append(pool)
    for pool in retired:
        pool.shutdown(wait=False)
    return len(retired)


def start_soon(workers: int) -> threading.Thread | None:
    """Start the shared pool and its first worker from a thread of their own, for an analysis that will
    need them (a first run): the forkserver imports the analyzers while this process discovers and diffs.
    Started by the first task instead, it held the analysis thread 0.3-0.5 s in that submit (a cold `list`
    of one pull request on ansible). The thread (None when nothing is started), for a caller that waits."""
    if workers < 1 or _released:
        return None

    def start() -> None:
        pool = shared_pool(workers)
        if pool is not None:
            try:
                pool.submit(int)  # a worker forked now: the next task finds it started
            except Exception:
                pass  # a broken pool: the first task finds out and does without

    thread = threading.Thread(target=start, name="review-tui-pool-start", daemon=True)
    thread.start()
    return thread


class Offered(NamedTuple):
    """A task offered to the pool that the process offering it may still run itself (`offer`, `take`)."""

    claim: str  # the file whoever runs the task creates first
    future: Future[tuple[bool, Any]]  # (whether the worker ran it, its answer)


def offer(pool: ProcessPoolExecutor, fn: Callable[..., Any], /, *args: Any) -> Offered:
    """Offer `fn(*args)` to the pool; `take` has its answer. Unlike a future's own state (a task is
    "running" once the pool has queued it for a worker, while the workers may all be busy for seconds), the
    claim says whether a worker has started it."""
    global _claim_count
    with _shared_lock:
        _claim_count += 1
        path = os.path.join(_claims_folder(), str(_claim_count))
    return Offered(path, pool.submit(_run_claimed, path, fn, *args))


def take(offered: Offered, compute: Callable[[], T]) -> T:
    """The answer of an offered task: `compute()`'s, here, when no worker has claimed the task yet (it is
    then never run there); else the worker's, waited for, or `compute()`'s if that worker failed (a broken
    pool). Once this process is exiting (release_workers), ParentExiting instead of computing here."""
    if claim(offered.claim):
        offered.future.cancel()
        offered.future.add_done_callback(lambda _: _unlink(offered.claim))  # no worker looks for it now
        if _released:  # the process is exiting (as memo.take_over): nothing is worth computing here now
            raise ParentExiting("review-tui is exiting")
        return compute()
    try:
        ran, answer = offered.future.result()
    except Exception:
        if _released:
            raise ParentExiting("review-tui is exiting") from None
        return compute()
    finally:
        _unlink(offered.claim)
    return cast("T", answer) if ran else compute()


def drop(offered: Offered) -> None:
    """An offered task no longer wanted: a worker that has not claimed it never runs it (one that has finishes
    it, unread)."""
    if claim(offered.claim):
        offered.future.cancel()
    offered.future.add_done_callback(lambda _: _unlink(offered.claim))


def claim(path: str) -> bool:
    """Whether this process is the first to claim `path` (creating the file; False when it exists, or
    cannot be created)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:
        return False
    return True


def _run_claimed(path: str, fn: Callable[..., T], /, *args: Any) -> tuple[bool, T | None]:
    """In a worker: `fn(*args)` if the task is still unclaimed (offer)."""
    return (True, fn(*args)) if claim(path) else (False, None)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


_claims: str | None = None
_claim_count = 0


def _claims_folder() -> str:
    """This process's folder of claim files (removed at exit). Where none can be made, a path under which no
    file can be created: every claim then fails, and `take` waits for a worker that runs nothing and computes
    the answer itself."""
    global _claims
    if _claims is None:
        try:
            _claims = tempfile.mkdtemp(prefix=f"review-tui-{os.getpid()}-claims-")
        except OSError:
            _claims = os.path.join(os.devnull, "claims")
        else:
            atexit.register(shutil.rmtree, _claims, True)
    return _claims


def _exiting_path() -> str:
    global _exiting_file
    if _exiting_file is None:
        _exiting_file = os.path.join(tempfile.gettempdir(),
                                     f"review-tui-{os.getpid()}-{secrets.token_hex(8)}.exiting")
        atexit.register(_remove_exiting_file)  # after the exit has joined the workers
    return _exiting_file


def release_workers() -> None:
    """Tell this process's workers that it is exiting: every task queued there ends at its start and a
    running one on the way (parent_exiting), so the exit, which waits for them all, does not. The workers
    themselves are left to concurrent.futures' exit: stopping them outright raced with it."""
    global _released
    with _submit_gate:
        _released = True
    if _exiting_file is None:
        return  # no pool was started
    try:
        with open(_exiting_file, "a"):
            pass
    except OSError:
        pass  # the exit then waits for the walk, as it would anyway


def released() -> bool:
    """In the parent: whether release_workers was called (the process is exiting: nothing more is
    worth computing, in a worker or in its stead)."""
    return _released


def parent_exiting() -> bool:
    """In a worker: whether the process that started it has called release_workers."""
    return _parent_exiting_file is not None and os.path.exists(_parent_exiting_file)


class ParentExiting(Exception):
    """A worker's task dropped because the process that queued it is exiting (release_workers)."""


def check_parent() -> None:
    """Raise ParentExiting in a worker whose parent is exiting: a long task calls it on the way."""
    if parent_exiting():
        raise ParentExiting("review-tui is exiting")


def _unless_exiting(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    check_parent()
    try:
        return fn(*args, **kwargs)
    finally:
        # A task's parse trees and file contents are garbage now; glibc would keep their pages for the
        # worker's next task, which rarely needs as many (ansible, cold queue: two workers held 96 MB
        # PSS at the tree's peak, 74 MB with this).
        give_back_heap()


@functools.cache
def _releasable(pool_type: type[ProcessPoolExecutor]) -> type[ProcessPoolExecutor]:
    """The pool class whose every task is dropped at its start once the parent is exiting: the exit
    waits for every task queued (concurrent.futures cancels none), and a graph build queues eight."""

    class ReleasablePool(pool_type):  # type: ignore[valid-type,misc]
        retired = False  # stopped while idle (retire_idle_pools): its tasks go to the shared pool now
        last_submit = 0.0  # time.monotonic() of the latest task given

        def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
            global _main_submitting, _interrupt_pending, _terminate_pending
            on_main = threading.current_thread() is threading.main_thread()
            if on_main:
                _defer_interrupts_in_submit()
                _main_submitting = True
            try:
                with _submit_gate:
                    if _released:  # as a worker would drop it, without starting one
                        from concurrent.futures import Future

                        dropped: Future[T] = Future()
                        dropped.set_exception(ParentExiting("review-tui is exiting"))
                        return dropped
                    if not self.retired:
                        self.last_submit = time.monotonic()
                        future: Future[T] = super().submit(_unless_exiting, fn, *args, **kwargs)
                        return future
                return self._successor().submit(fn, *args, **kwargs)
            finally:
                if on_main:
                    _main_submitting = False
                    if _interrupt_pending:
                        _interrupt_pending = False
                        raise KeyboardInterrupt
                    if _terminate_pending:
                        signum, _terminate_pending = _terminate_pending, 0
                        raise SystemExit(128 + signum)

        def _successor(self) -> ProcessPoolExecutor:
            """The shared pool that took over from this retired one (retire_idle_pools)."""
            successor = shared_pool(self._max_workers)
            if successor is None:
                raise RuntimeError("cannot schedule new futures: no worker pool can be started")
            return successor

    return ReleasablePool


def _remove_exiting_file() -> None:
    if _exiting_file is not None:
        try:
            os.unlink(_exiting_file)
        except OSError:
            pass


def _drop_shared() -> None:
    """At exit, while the modules still exist: left to the interpreter's final collection, a pool's
    clean-up callback finds multiprocessing half torn down and prints a traceback."""
    with _shared_lock:
        for pool in _shared.values():
            pool.shutdown(wait=False, cancel_futures=True)
        _shared.clear()


def pool_context() -> BaseContext:
    import multiprocessing

    # The forkserver (and a spawned worker) is a new interpreter started with `-c` in the current
    # directory, which Python puts first on sys.path: in a repository with its own `app/` or
    # `multiprocessing.py` at the root, the forkserver's imports would run the repository's code.
    # PYTHONSAFEPATH (3.11+) keeps that directory off sys.path in every interpreter started from here.
    os.environ["PYTHONSAFEPATH"] = "1"

    _start_resource_tracker()
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Has no effect once the forkserver runs, which is fine: it was started with these.
        context.set_forkserver_preload(_PRELOAD)
        _start_forkserver_quietly()
        return context
    return multiprocessing.get_context("spawn")


def user_environment() -> dict[str, str]:
    """The environment as the user set it, for a program the user chose (their editor): PYTHONSAFEPATH
    is review-tui's own setting for its helper interpreters, and would change how a Python script the
    user runs finds its own modules."""
    env = dict(os.environ)
    if _USER_SAFE_PATH is None:
        env.pop("PYTHONSAFEPATH", None)
    else:
        env["PYTHONSAFEPATH"] = _USER_SAFE_PATH
    return env


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (the forkserver needs it), handing it a stderr that is
    a file. In the TUI, Textual has replaced sys.stderr with a capture whose fileno() is -1, and a
    tracker started then failed ("bad value(s) in fds_to_keep"): no pool could start, and a cold TUI
    run measured no blast radius. Started when a first pool is, not before the TUI's first paint,
    which its import alone delayed by 13 ms; the pool's own error says it if it still cannot start."""
    from multiprocessing import resource_tracker

    captured = sys.stderr
    try:
        usable = captured is not None and captured.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    try:
        if not usable and sys.__stderr__ is not None:
            sys.stderr = sys.__stderr__  # for the instant of the start: the tracker keeps only the fd
        resource_tracker.ensure_running()
    except (OSError, ValueError):
        pass
    finally:
        sys.stderr = captured


def _start_forkserver_quietly() -> None:
    """Start the forkserver with SIGINT ignored and stderr on /dev/null, both of which it and every
    worker forked from it inherit (Python keeps a signal ignored at start-up ignored). Otherwise a
    Ctrl-C to the process group prints tracebacks under the parent's own "interrupted" line: of the
    forkserver importing the analyzers, or of a worker unpickling its task after the parent has
    abandoned the pool. Only the main thread may change a handler, and another thread must not take fd 2 from the
    TUI that draws on it; elsewhere (the pool started beside a first `list`'s discovery, `start_soon`, or the TUI's
    analysis threads) SIGINT is blocked in the starting thread, a mask the forkserver inherits, until its first
    import (app/core/forkserver_start.py) ignores it and puts its stderr on /dev/null: a Ctrl-C in that second
    printed the forkserver's import traceback under "interrupted" (QA56 F12: 2 runs in 20 interrupted in their
    first 4 s)."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            forkserver.ensure_running()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    saved_stderr = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        forkserver.ensure_running()
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        signal.signal(signal.SIGINT, previous)


def _quiet_worker(exiting_file: str | None = None) -> None:
    """Worker set-up: the terminal belongs to the TUI, so nothing a worker prints may reach it.
    `exiting_file`: the parent's (parent_exiting)."""
    global _parent_exiting_file
    _parent_exiting_file = exiting_file
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    warnings.simplefilter("ignore")
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker
    sys.stdout = sys.stderr
