"""Benchmark of merged-upstream detection (issue 13) against discovery without it, in the same run.

On a repository with many branches and PR refs (a real clone: see bench/queue_figures.py), measures
min/median/max of N runs of:
- baseline: discover() with merged detection off (refs, scope, merge-bases, commit lists);
- cold: discover() with detection on and an empty analysis cache (every path set and the patch ids
  it needs computed, the base walked once);
- warm: the same with the cache the cold run filled (one cache batch of verdicts);
- git CLI: what `git cherry` / `git patch-id --stable` would do for the same heads, in two processes: one
  `git diff-tree --stdin -p -U0` of every non-merge base commit since the oldest merge-base (up to MAX_BASE_WALK)
  and of every head against its merge-base, piped into `git patch-id --stable` (neutralised as the project's own
  git calls are; the heads and merge-bases come from the cold run, not timed);
and prints each as a ratio of the baseline and of the git CLI row, wall and CPU (this process plus its git
children: other work on the machine moves wall far more than CPU), with the load average before and after and the
number of changes found merged by each test.

Usage: python bench/bench_merged.py REPO [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from app.core.git.cli import GitCli
from app.core.git.discovery import discover
from app.core.git.merged import MAX_BASE_WALK
from app.core.git.models import Change
from app.core.git.repo import GitRepo
from app.storage.cache import AnalysisCache


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (git)."""
    now = os.times()
    return now.user + now.system + now.children_user + now.children_system


def _timed(figures: dict[str, list[tuple[float, float]]], name: str, job: Any) -> Any:
    wall, cpu = time.perf_counter(), _cpu()
    out = job()
    figures.setdefault(name, []).append((time.perf_counter() - wall, _cpu() - cpu))
    return out


def git_patch_ids(repo: GitRepo, base: str, changes: list[Change]) -> int:
    """The git CLI baseline: patch ids of the base's non-merge commits since the oldest merge-base and of each
    head's net diff, from one `git diff-tree --stdin -p -U0 | git patch-id --stable`. The number of ids."""
    cli = GitCli(repo.git_dir)
    bases = sorted({c.base for c in changes if c.base})
    oldest = cli.run("merge-base", "--octopus", *bases).strip() if len(bases) > 1 else (bases[0] if bases else "")
    walked = cli.run("rev-list", "--no-merges", f"--max-count={MAX_BASE_WALK}", base,
                     *([f"^{oldest}"] if oldest else [])).split()
    lines = walked + [f"{c.head} {c.base}" for c in changes if c.base]
    patch = subprocess.run(cli.argv("diff-tree", "--stdin", "-p", "-U0", "--no-renames", "--no-ext-diff",
                                    "--no-textconv", "--full-index"), input="\n".join(lines).encode(),
                           capture_output=True, env=cli._env, check=True).stdout
    ids = subprocess.run(cli.argv("patch-id", "--stable"), input=patch, capture_output=True, env=cli._env,
                         check=True).stdout
    return len(ids.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {}
    verdicts: Counter[str] = Counter()
    load = os.getloadavg()
    ids = 0
    for _ in range(args.runs):
        _timed(figures, "baseline", lambda: discover(GitRepo(args.repo), detect_merged=False))
        with tempfile.TemporaryDirectory() as tmp:
            cache = AnalysisCache.open(Path(tmp) / "cache.db")
            found = _timed(figures, "cold", lambda cache=cache: discover(GitRepo(args.repo), cache=cache))
            _timed(figures, "warm", lambda cache=cache: discover(GitRepo(args.repo), cache=cache))
            verdicts = Counter(c.merged.how for c in found.merged if c.merged)
            listed = len(found.changes)
            cache.close()
        ids = _timed(figures, "git CLI", lambda found=found: git_patch_ids(
            GitRepo(args.repo), found.base_commit, [*found.changes, *found.merged]))
    print(f"{args.repo}: {listed} listed, merged upstream {sum(verdicts.values())} {dict(verdicts)}; git CLI: "
          f"{ids:,} patch ids; load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f}")
    base = [statistics.median(v[i] for v in figures["baseline"]) for i in (0, 1)]
    cli = [statistics.median(v[i] for v in figures["git CLI"]) for i in (0, 1)]
    for name, values in figures.items():
        for i, what in enumerate(("wall", "CPU")):
            row = [v[i] for v in values]
            med = statistics.median(row)
            print(f"  {name:<8} {what:<4} min {min(row):7.2f} s  median {med:7.2f} s  max {max(row):7.2f} s  "
                  f"= {med / base[i] if base[i] else float('nan'):6.2f}x baseline, "
                  f"{med / cli[i] if cli[i] else float('nan'):6.2f}x git CLI")


if __name__ == "__main__":
    main()
