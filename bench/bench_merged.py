"""Benchmark of merged-upstream detection (issue 13) against discovery without it, in the same run.

On a repository with many branches and PR refs (a real clone: see bench/queue_figures.py), measures
min/median/max of N runs of:
- baseline: discover() with merged detection off (refs, scope, merge-bases, commit lists);
- cold: discover() with detection on and an empty analysis cache (every path set and the patch ids
  it needs computed, the base walked once);
- warm: the same with the cache the cold run filled (one cache batch of verdicts);
and prints each as a ratio of the baseline, with the number of changes found merged by each test.

Usage: python bench/bench_merged.py REPO [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from app.core.git.discovery import discover
from app.core.git.repo import GitRepo
from app.storage.cache import AnalysisCache


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"baseline": [], "cold": [], "warm": []}
    verdicts: Counter[str] = Counter()
    for _ in range(args.runs):
        started = time.perf_counter()
        discover(GitRepo(args.repo), detect_merged=False)
        figures["baseline"].append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as tmp:
            cache = AnalysisCache.open(Path(tmp) / "cache.db")
            started = time.perf_counter()
            found = discover(GitRepo(args.repo), cache=cache)
            figures["cold"].append(time.perf_counter() - started)
            started = time.perf_counter()
            discover(GitRepo(args.repo), cache=cache)
            figures["warm"].append(time.perf_counter() - started)
            verdicts = Counter(c.merged.how for c in found.merged if c.merged)
            listed = len(found.changes)
            cache.close()
    base = statistics.median(figures["baseline"])
    print(f"{args.repo}: {listed} listed, merged upstream {sum(verdicts.values())} {dict(verdicts)}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, values in figures.items():
        ratio = statistics.median(values) / base if base else float("nan")
        print(f"  {name:<8} min {min(values):6.2f} s  median {statistics.median(values):6.2f} s  "
              f"max {max(values):6.2f} s  = {ratio:.2f}x baseline")


if __name__ == "__main__":
    main()
