"""Benchmark: how long until the review TUI shows the queue, against a trivial Textual app.

Each case runs in a fresh Python process (so imports count, as they do for a user) with Textual's
headless driver at 80x24, and reports seconds from interpreter start to:
- first paint: the queue screen has been composited once (title, empty table, progress line);
- first rows: the first rows have been painted (a cold row shows its size before its score);
- first scored: the first row with its risk score has been painted;
- analysed: every change is fully analysed (complexity included) and drawn.
Cases: a trivial app (one Static; its first paint is the baseline), the queue on the payments
sample with a cold analysis cache (first run ever: the 21,670-line change is measured), and with
the cache warm (every later run). The ledger and caches live in a temporary directory.

With --on PATH the queue cases run on that repository instead (a generated bench repo, a real
scenario from real_scenario.py: its release branch listed too); the first ranked row's ratio to the
trivial app's first paint is issue 18's figure (target <= 1.5x).

Usage: python bench/bench_tui_start.py [--runs 3] [--on PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

START = time.perf_counter()  # as early as possible: imports below are part of what is measured


def child_trivial() -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    marks: dict[str, float] = {}

    class Trivial(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

        def on_mount(self) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            marks["first_paint"] = time.perf_counter() - START
            marks["first_paint_cpu"] = time.process_time()  # this process's CPU since it started, all threads
            self.exit()

    Trivial().run(headless=True, size=(80, 24))
    return marks


def child_queue(repo: str, until: str = "analysed") -> dict[str, float]:
    # In the order of the CLI (app/commands/common.py open_tui). A review-tui with a fast start
    # (tui_target) hands the app what the CLI would: an AnalyzerSpec when the filesystem shows the
    # repository usable, the analyzer built after the first paint. An older one built the analyzer and
    # what it starts in the background (a first run's discovery) before the TUI's imports.
    # First what the `review-tui` script imports: its entry (app/entry.py: a bare start without click and the
    # command modules), or, in a review-tui before it, the click group and every command (app.cli).
    try:
        import app.entry
    except ImportError:
        import app.cli
    from app.commands import common

    try:  # as open_tui does first, where it does (the collector held off until the first paint)
        from app.core.heap import pause_collection
    except ImportError:
        pass
    else:
        pause_collection()
    analyzer: Any
    if hasattr(common, "tui_target"):
        analyzer = common.tui_target(repo, None)
    else:
        from app import paths
        from app.analysis.analyzer import Analyzer
        from app.storage.cache import AnalysisCache

        analyzer = Analyzer(repo, cache=AnalysisCache.open(paths.analysis_cache_path()))
        # An older review-tui's CLI started the walk to the root commit (the project key) here; a newer
        # one (known_repo_key) leaves it to the queue's first paint.
        if hasattr(analyzer, "prefetch_repo_key") and not hasattr(Analyzer, "known_repo_key"):
            analyzer.prefetch_repo_key()
        if hasattr(analyzer, "check_inputs"):  # and fail fast (an older one discovered here)
            analyzer.check_inputs()
            analyzer.prefetch_discovery()
        else:
            _ = analyzer.discovery

    from app.config import UserConfig
    from app.tui.app import make_app
    from app.tui.screens.queue import QueueScreen

    # The ledger as run_tui opens it: a fast start's app opens its own (after the first paint), and neither
    # run_tui nor this child imports the ledger's module for it.
    ledger = None
    if not (hasattr(common, "tui_target") and not hasattr(analyzer, "analyze_all")):
        from app.storage.ledger import Ledger

        ledger = Ledger.open()
    app = make_app(analyzer, user_config=UserConfig(reviewer_email="bench@example.com"), ledger=ledger)
    marks: dict[str, float] = {}
    first_paint_done = getattr(QueueScreen, "_first_paint_done", None)
    if first_paint_done is not None:  # this process's CPU since it started (all threads) at the first paint

        def painted(screen: Any) -> None:
            marks.setdefault("first_paint_cpu", time.process_time())
            first_paint_done(screen)

        QueueScreen._first_paint_done = painted  # type: ignore[method-assign]

    def poll() -> None:
        screen = app.screen_stack[0] if app.screen_stack else None
        if not isinstance(screen, QueueScreen):
            return
        if screen.painted_at and "first_paint" not in marks:
            marks["first_paint"] = screen.painted_at - START
        if screen.first_rows_at and "first_rows" not in marks:
            marks["first_rows"] = screen.first_rows_at - START
        # an older review-tui has no first_scored_at: its rows came scored
        scored = screen.first_scored_at if hasattr(screen, "first_scored_at") else screen.first_rows_at
        if scored and "first_scored" not in marks:
            marks["first_scored"] = scored - START
        if until != "analysed" and until in marks:  # cut short: the later marks are not wanted
            app.exit()
            return
        # all drawn: the last reports' rebuild of the table may still be pending when the analysis ends
        if (screen.finished_at and not screen.analysing and screen.rows and "first_rows" in marks
                and not getattr(screen, "_rebuild_pending", False)):
            marks["analysed"] = time.perf_counter() - START
            marks["rows"] = len(screen.rows)
            app.exit()

    app.call_later(lambda: app.set_interval(0.005, poll))
    app.run(headless=True, size=(80, 24))
    try:  # as the CLI's exit does: the workers drop what is queued (a child cut short at its first ranked row)
        from app.core.workers import release_workers
    except ImportError:
        pass
    else:
        release_workers()
    return marks


def run_case(case: str, env: dict[str, str], repo: Path, until: str = "analysed",
             python: str = sys.executable) -> dict[str, float]:
    out = subprocess.run([python, __file__, "--child", case, "--repo", str(repo), "--until", until], env=env,
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["trivial", "queue"])
    parser.add_argument("--repo")
    parser.add_argument("--on", type=Path, help="run the queue cases on this repository, not the payments sample")
    parser.add_argument("--until", choices=["first_scored", "analysed"], default="analysed",
                        help="end each queue case at this mark (first_scored: the cold cases do not score every "
                             "change; the warm case then runs on the cache of a full analysis, made once per run)")
    parser.add_argument("--cold-only", action="store_true", help="no warm case (a real queue's full analysis "
                                                                   "takes minutes)")
    parser.add_argument("--python", help="the interpreter of another review-tui's venv: its queue cases run too, "
                                         "interleaved (before/after)")
    args = parser.parse_args()
    if args.child == "trivial":
        print(json.dumps(child_trivial()))
        return
    if args.child == "queue":
        print(json.dumps(child_queue(args.repo, args.until)))
        return

    from app.samples import load

    pythons = {"": sys.executable} if args.python is None else {"after": sys.executable, "before": args.python}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = args.on if args.on is not None else load().build_all(root / "samples")["payments-service"]
        results: dict[str, list[dict[str, float]]] = {"trivial": []}
        for name in pythons:
            results[f"cold{name}"], results[f"warm{name}"] = [], []
        for run in range(args.runs):
            results["trivial"].append(run_case("trivial", _env(root, f"t{run}"), repo))
            order = list(pythons.items()) if run % 2 == 0 else list(pythons.items())[::-1]  # alternate who goes first
            for name, python in order:
                env = _env(root, f"{name}{run}")  # cold: a new cache per run
                results[f"cold{name}"].append(run_case("queue", env, repo, args.until, python))
                if args.cold_only:
                    continue
                if args.until != "analysed":
                    run_case("queue", env, repo, "analysed", python)  # fill the cache for the warm case
                results[f"warm{name}"].append(run_case("queue", env, repo, args.until, python))  # same cache, warm

    base = statistics.median(r["first_paint"] for r in results["trivial"])
    what = str(args.on) if args.on is not None else "payments-service sample (15 pending changes, one of 21,670 lines)"
    print(f"{what}, 80x24 headless, median of {args.runs} runs (min-max in brackets), seconds from interpreter "
          f"start; load average before {' '.join(f'{x:.2f}' for x in load_before)}, after "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    trivial = [r["first_paint"] for r in results["trivial"]]
    print(f"  trivial Textual app, first paint                 {base:7.3f}   1.00x  "
          f"[{min(trivial):.3f}-{max(trivial):.3f}]")
    keys = (("first_paint", "queue first paint"), ("first_rows", "first rows painted"),
            ("first_scored", "first scored row painted"), ("analysed", "fully analysed"))
    for name in pythons:
        for case, label in ((f"warm{name}", "warm cache"), (f"cold{name}", "cold cache")):
            for key, what in keys:
                values = [r[key] for r in results[case] if key in r]
                if not values:
                    continue
                value = statistics.median(values)
                print(f"  {name:6s} {label:10s} {what:26s} {value:7.3f}  {value / base:5.2f}x  "
                      f"[{min(values):.3f}-{max(values):.3f}]")


def _env(root: Path, tag: str) -> dict[str, str]:
    """The environment of one case: its own data, config and cache folders (a new tag: a cold cache)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user's install runs: byte-compiled
    for name in ("DATA", "CONFIG", "CACHE"):
        env[f"REVIEW_TUI_{name}_DIR"] = str(root / f"{name.lower()}{tag}")
    config = root / f"config{tag}" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[queue]\nexclude = []\n")  # a release branch of the repository listed too
    return env


if __name__ == "__main__":
    main()
