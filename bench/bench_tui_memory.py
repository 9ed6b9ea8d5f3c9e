"""Benchmark: the review TUI's memory on a real repository's queue, and the biggest change opened, cold and warm.

Issue 18 asks for memory under 300 MB with the biggest change open, and a warm open of a big change within a second.
Each TUI case runs the real app (Textual's headless driver, 140x40) in a fresh Python process, on the repository
given, and reads /proc while it runs:
- all scored: every pending change analysed and drawn (a cold cache: the first run on the repository);
- change open: CHANGE opened from the queue (as Enter on its row), once its full detail is loaded;
- open (s): seconds from Enter to the change's plan on screen, and to its detail loaded.
The same child then runs again with the cache now warm: a new process opening CHANGE (its plan from the cache).
Peak RSS is the process's VmHWM; "tree" adds its worker processes' RSS at that moment. Baselines in the same
run: the bare interpreter (`python -c pass`), a trivial Textual app, and `git diff --numstat` of CHANGE (the
git CLI reading the same diff; it may fail on a blob the clone lacks: its exit code is shown).

    python bench/bench_tui_memory.py --repo /tmp/x/repo --change origin/pr/296

The repository needs its pending changes as refs (e.g. pull requests fetched as refs/remotes/origin/pr/N).
Caches, ledger and config live in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

START = time.perf_counter()
BENCH = Path(__file__).resolve().parent

# The wrapper of a baseline: run the command, report the peak RSS (KB) of what it waited for, and its exit code.
_WRAPPER = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM of a process, in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
    except OSError:
        return {"rss": 0, "hwm": 0}
    return {"rss": int(fields["VmRSS"].split()[0]) // 1024, "hwm": int(fields["VmHWM"].split()[0]) // 1024}


def _descendants() -> list[int]:
    found, todo = [], [os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    kids = [int(k) for k in handle.read().split()]
                found += kids
                todo += kids
        except OSError:
            continue
    return found


def _pss(pid: int | str = "self") -> int:
    """The process's proportional set size in MB (a page shared by n processes counts 1/n; 0 when unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next((int(line.split()[1]) // 1024 for line in handle if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def _memory() -> dict[str, int]:
    if str(BENCH) not in sys.path:  # the child runs with -P: bench/ is not on its path
        sys.path.append(str(BENCH))
    from bench_real import _in_parents_memory  # a git child caught before its exec: the app's memory again

    own = _status()
    others = [pid for pid in _descendants() if not _in_parents_memory(pid)]
    return {"rss_mb": own["rss"], "peak_mb": own["hwm"],
            "tree_mb": own["rss"] + sum(_status(pid)["rss"] for pid in others),
            "pss_mb": _pss() + sum(_pss(pid) for pid in others)}


def child_trivial() -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Trivial(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

        def on_mount(self) -> None:
            self.set_timer(0.5, self.exit)

    Trivial().run(headless=True, size=(140, 40))
    return _memory()


def child_tui(repo: str, change_id: str, idle: float) -> dict[str, Any]:
    """The app as `review-tui` builds it; every change scored, then `change_id` opened, then closed and the app
    left idle for `idle` seconds."""
    from app.commands import common
    from app.config import UserConfig
    from app.core.heap import pause_collection
    from app.tui.app import make_app
    from app.tui.screens.change import ChangeScreen
    from app.tui.screens.queue import QueueScreen

    pause_collection()
    try:
        import app.core.workers as workers
        import app.tui.app as tui_app

        workers.IDLE_SECONDS = min(getattr(workers, "IDLE_SECONDS", idle), max(idle - 6.0, 1.0))
        tui_app.IDLE_CHECK_SECONDS = min(getattr(tui_app, "IDLE_CHECK_SECONDS", 5.0), 5.0)
    except ImportError:
        pass
    app = make_app(common.tui_target(repo, None), user_config=UserConfig(reviewer_email="bench@example.com"))
    marks: dict[str, Any] = {}

    def poll() -> None:
        screen = app.screen_stack[-1] if app.screen_stack else None
        if "all_scored" not in marks:
            queue = app.screen_stack[0] if app.screen_stack else None
            if (isinstance(queue, QueueScreen) and queue.finished_at and not queue.analysing and queue.rows
                    and not getattr(queue, "_rebuild_pending", False)):
                marks["all_scored"] = {**_memory(), "seconds": time.perf_counter() - START, "rows": len(queue.rows)}
                if change_id not in queue.reports:
                    marks["error"] = f"{change_id} is not in the queue"
                    app.exit()
                    return
                marks["enter"] = time.perf_counter()
                queue.open_change(change_id)
            return
        if "closed_at" in marks:
            if time.perf_counter() - marks["closed_at"] >= idle:
                marks["closed_idle"] = _memory()
                marks.pop("closed_at")
                app.exit()
            return
        if not isinstance(screen, ChangeScreen):
            return
        if screen.outline is not None and "plan_s" not in marks:
            marks["plan_s"] = time.perf_counter() - marks["enter"]
        if screen.detail is not None or screen.error:
            marks["detail_s"] = time.perf_counter() - marks["enter"]
            marks["change_open"] = {**_memory(), "error": screen.error}
            marks["closed_at"] = time.perf_counter()
            app.pop_screen()

    app.call_later(lambda: app.set_interval(0.02, poll))
    app.run(headless=True, size=(140, 40))
    marks.pop("enter", None)
    if "error" in marks:
        raise SystemExit(marks["error"])
    return marks


def _child(case: str, env: dict[str, str], repo: Path, change: str, idle: float = 30.0) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-P", __file__, "--child", case, "--repo", str(repo), "--change", change,
                          "--idle", str(idle)], env=env, capture_output=True, text=True, timeout=7200)
    if out.returncode != 0:
        raise RuntimeError(f"{case} child failed: {out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _wrapped(command: list[str], cwd: Path | None = None) -> tuple[int, float]:
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *command], capture_output=True, text=True, cwd=cwd,
                         check=True)
    code, peak_kb = out.stdout.split()
    return int(code), int(peak_kb) / 1024


def _git_diff(repo: Path, change: str) -> tuple[int, float]:
    """`git diff --numstat` of the change against its merge base with the default base (origin/HEAD)."""
    base = subprocess.run(["git", "-C", str(repo), "merge-base", "origin/HEAD", change], capture_output=True,
                          text=True).stdout.strip()
    return _wrapped(["git", "-C", str(repo), "-c", "core.fsmonitor=false", "diff", "--numstat", "--no-ext-diff",
                     "--no-textconv", base or "HEAD", change])


def _row(name: str, figures: dict[str, Any], bare: float) -> str:
    return (f"  {name:44} peak {figures['peak_mb']:6d} MB ({figures['peak_mb'] / bare:5.1f}x bare)   "
            f"now {figures['rss_mb']:6d} MB   tree {figures['tree_mb']:6d} MB   PSS {figures.get('pss_mb', 0):6d} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--change", required=True, help="the change to open, e.g. origin/pr/296")
    parser.add_argument("--idle", type=float, default=30.0,
                        help="seconds the app is left idle after the change is closed (default 30)")
    parser.add_argument("--child", choices=["trivial", "tui"])
    args = parser.parse_args()
    if args.child == "trivial":
        print(json.dumps(child_trivial()))
        return
    if args.child == "tui":
        print(json.dumps(child_tui(args.repo, args.change, args.idle)))
        return
    repo = Path(args.repo).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-tui-memory-") as tmp:
        env = {**os.environ, **{f"REVIEW_TUI_{name}_DIR": str(Path(tmp) / name.lower())
                                for name in ("DATA", "CONFIG", "CACHE")}}
        _code, bare = _wrapped([sys.executable, "-c", "pass"])
        trivial = _child("trivial", env, repo, args.change)
        git_code, git_peak = _git_diff(repo, args.change)
        cold = _child("tui", env, repo, args.change, args.idle)
        warm = _child("tui", env, repo, args.change, args.idle)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"bench_tui_memory on {repo} ({args.change}), load average at the end {load}")
    print(f"  {'bare interpreter':44} peak {bare:6.0f} MB")
    print(_row("trivial Textual app", trivial, bare))
    print(f"  {'git diff --numstat':44} peak {git_peak:6.0f} MB (exit {git_code})")
    for name, run in (("cold", cold), ("warm", warm)):
        scored, opened = run["all_scored"], run["change_open"]
        print(_row(f"{name}: all {scored['rows']} scored", scored, bare) + f"   at {scored['seconds']:.1f} s")
        print(_row(f"{name}: {args.change} open", opened, bare)
              + f"   plan {run.get('plan_s', float('nan')):.2f} s, detail {run['detail_s']:.2f} s"
              + (f"   error: {opened['error']}" if opened.get("error") else ""))
        print(_row(f"{name}: closed, then idle {args.idle:.0f} s", run["closed_idle"], bare))


if __name__ == "__main__":
    main()
