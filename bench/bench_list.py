"""Benchmark: `review-tui list --json`, cold and warm, against doing the same by hand, in one run.

The baseline is what a reviewer would run without review-tui to get the same two expensive facts
about every pending change: `radon cc -s -j` (as a CLI, batched into as few invocations as the
command line allows) on the old and new version of every changed Python file of every change,
plus `git diff --numstat base...head` for every change. The file versions are written to a temp
folder first; that writing is timed apart and not part of the baseline.

Printed, from one run:
- cold: `review-tui list --json` with a fresh cache (REVIEW_TUI_CACHE_DIR), wall time of the
  installed entry point run as a subprocess; target at most 0.5x the baseline;
- warm: the same command again on the same cache (median of --warm-runs); target under 0.3 s,
  also shown against `python -c pass` of the same interpreter, so the startup cost is visible.

    python bench/bench_list.py [--size small|full] [--repo PATH] [--dest DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gen_large_repo, when run as a script

from gen_large_repo import FULL_FILES, FULL_LINES, Size, ensure_repo

SIZES = {"small": Size(40, 600, 12), "full": Size(FULL_FILES, FULL_LINES, 50)}
COLD_TARGET = 0.5  # cold list / baseline
WARM_TARGET = 0.3  # seconds
# Room left for the environment when filling a command line (ARG_MAX counts both).
_ENV_ALLOWANCE = 16_384


@dataclass
class Results:
    """What one measuring run found; times in seconds."""

    changes: int
    python_versions: int  # old + new versions of changed Python files, over all changes
    unique_blobs: int  # distinct ones among them (review-tui measures each blob once)
    write_seconds: float  # writing the versions to disk (not part of the baseline)
    radon_seconds: float
    radon_invocations: int
    numstat_seconds: float
    cold_seconds: float
    warm_seconds: list[float] = field(default_factory=list)
    startup_seconds: list[float] = field(default_factory=list)
    listed: int = 0  # changes in `list --json` output

    @property
    def baseline_seconds(self) -> float:
        return self.radon_seconds + self.numstat_seconds

    @property
    def cold_ratio(self) -> float:
        return self.cold_seconds / self.baseline_seconds if self.baseline_seconds else float("inf")

    @property
    def warm(self) -> float:
        return statistics.median(self.warm_seconds)

    @property
    def startup(self) -> float:
        return statistics.median(self.startup_seconds)


def entry_point() -> list[str]:
    """The installed `review-tui` script next to this interpreter, else `python -P -m app`."""
    script = Path(sys.executable).with_name("review-tui")
    if script.exists():
        return [str(script)]
    found = shutil.which("review-tui")
    return [found] if found else [sys.executable, "-P", "-m", "app"]


def _timed(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} ... failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed, done.stdout


def _batches(prefix: list[str], args: list[str]) -> list[list[str]]:
    """Split `args` over as few command lines as the system allows."""
    limit = max(os.sysconf("SC_ARG_MAX") - sum(len(k) + len(v) + 2 for k, v in os.environ.items())
                - _ENV_ALLOWANCE, 4_096)
    out: list[list[str]] = []
    current: list[str] = []
    used = sum(len(a) + 1 for a in prefix)
    for arg in args:
        cost = len(arg) + 1 + 8  # + the argv pointer
        if current and used + cost > limit:
            out.append(prefix + current)
            current, used = [], sum(len(a) + 1 for a in prefix)
        current.append(arg)
        used += cost
    if current:
        out.append(prefix + current)
    return out


def write_versions(repo_path: Path, folder: Path) -> tuple[list[tuple[str, str, str]], list[Path], int, int]:
    """Write the old and new version of every changed Python file of every pending change under
    `folder` (one subfolder per change and side). Returns ((change id, base, head) per change,
    the files written, their count and the number of distinct blobs among them)."""
    from app.analysis.analyzer import Analyzer
    from app.core.metrics import complexity as cx

    analyzer = Analyzer(repo_path)
    changes: list[tuple[str, str, str]] = []
    written: list[Path] = []
    blobs: set[str] = set()
    for number, change in enumerate(analyzer.discovery.changes):
        if change.error or change.base is None or change.kind == "worktree":
            continue
        changes.append((change.id, change.base, change.head))
        for fd in analyzer.diff(change):
            if fd.binary:
                continue
            for side, blob, path in (("old", fd.old_blob, fd.old_path), ("new", fd.new_blob, fd.new_path)):
                if blob and path and cx.analyzer_for(path) == cx.ANALYZER_RADON:
                    target = folder / f"c{number:03d}" / side / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(analyzer.repo.blob(blob))
                    written.append(target)
                    blobs.add(blob)
    return changes, written, len(written), len(blobs)


def radon_command() -> list[str]:
    script = Path(sys.executable).with_name("radon")
    return [str(script)] if script.exists() else [sys.executable, "-m", "radon"]


def measure(repo_path: Path, *, warm_runs: int = 3, log=print) -> Results:
    """Run the baseline, the cold list and the warm lists once on `repo_path`."""
    repo_path = Path(repo_path).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-list-") as scratch:
        scratch_path = Path(scratch)
        start = time.perf_counter()
        changes, files, versions, unique = write_versions(repo_path, scratch_path / "versions")
        write_seconds = time.perf_counter() - start
        log(f"wrote {versions} file versions ({unique} distinct blobs) of {len(changes)} changes "
            f"in {write_seconds:.1f} s (not timed in the baseline)")

        # Baseline 1: radon cc as a CLI, as few invocations as the command line allows.
        radon_seconds = 0.0
        functions = 0
        commands = _batches([*radon_command(), "cc", "-s", "-j"], [str(f) for f in files])
        for command in commands:
            elapsed, out = _timed(command)
            radon_seconds += elapsed
            functions += sum(len(v) for v in json.loads(out or "{}").values() if isinstance(v, list))
        log(f"radon cc: {len(files)} files, {functions} blocks, {len(commands)} invocation(s), {radon_seconds:.2f} s")

        # Baseline 2: git diff --numstat base...head for every change.
        numstat_seconds = 0.0
        for _change_id, base, head in changes:
            elapsed, _ = _timed(["git", "diff", "--numstat", f"{base}...{head}"], cwd=repo_path)
            numstat_seconds += elapsed
        log(f"git diff --numstat: {len(changes)} changes, {numstat_seconds:.2f} s")

        env = {**os.environ, "REVIEW_TUI_CACHE_DIR": str(scratch_path / "cache"),
               "REVIEW_TUI_DATA_DIR": str(scratch_path / "data"), "REVIEW_TUI_CONFIG_DIR": str(scratch_path / "config")}
        env.pop("REVIEW_TUI_NO_CACHE", None)
        command = [*entry_point(), "list", "--json", "--repo", str(repo_path)]
        cold_seconds, out = _timed(command, env=env)
        listed = len(json.loads(out))
        log(f"cold list: {listed} changes, {cold_seconds:.2f} s")
        warm = [_timed(command, env=env)[0] for _ in range(warm_runs)]
        startup = [_timed([sys.executable, "-c", "pass"])[0] for _ in range(warm_runs)]
        return Results(len(changes), versions, unique, write_seconds, radon_seconds, len(commands),
                       numstat_seconds, cold_seconds, warm, startup, listed)


def table(results: Results) -> str:
    r = results
    rows = [
        ("baseline: radon cc -s -j (CLI)", f"{r.radon_seconds:8.2f} s",
         f"{r.python_versions} file versions, {r.radon_invocations} invocation(s)"),
        ("baseline: git diff --numstat", f"{r.numstat_seconds:8.2f} s", f"{r.changes} changes"),
        ("baseline total", f"{r.baseline_seconds:8.2f} s", ""),
        ("cold `list --json`", f"{r.cold_seconds:8.2f} s",
         f"{r.listed} changes, {r.unique_blobs} distinct Python blobs"),
        ("cold / baseline", f"{r.cold_ratio:8.2f} x",
         f"target <= {COLD_TARGET}x: {'met' if r.cold_ratio <= COLD_TARGET else 'NOT met'}"),
        ("warm `list --json` (median)", f"{r.warm:8.3f} s",
         f"target < {WARM_TARGET} s: {'met' if r.warm < WARM_TARGET else 'NOT met'}; "
         f"runs {' '.join(f'{t:.3f}' for t in r.warm_seconds)}"),
        ("python -c pass (median)", f"{r.startup:8.3f} s", "the same interpreter's bare startup"),
        ("warm / startup", f"{r.warm / r.startup:8.1f} x", ""),
    ]
    width = max(len(name) for name, _, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}  {note}".rstrip() for name, value, note in rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="benchmark an existing repository instead of a generated one")
    parser.add_argument("--size", choices=sorted(SIZES), default="full", help="size of the generated repository")
    parser.add_argument("--dest", type=Path, help="where to generate (default: a folder in the temp dir, reused)")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm runs (the median is reported)")
    args = parser.parse_args(argv)
    if args.repo:
        repo = args.repo
    else:
        size = SIZES[args.size]
        dest = args.dest or Path(tempfile.gettempdir()) / f"review-tui-bench-{args.size}"
        repo = ensure_repo(dest, size)
    print(f"repository: {repo}  (cpus: {os.cpu_count()}, load: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    results = measure(repo, warm_runs=args.warm_runs)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
