"""Benchmark: a warm `review-tui list` of a large real queue (issue 18's "warm `list` <= 0.3 s").

A clone with thousands of pull request refs (rubygems.org: 4,990 `origin/pr/*`, ~700 pending) is listed
once cold to fill a cache of its own (the clone is only read), then, interleaved `--runs` times each:

- warm `list` (the table, into a file) and warm `list --json`, the installed entry point as a subprocess;
- `python -c pass` of the same interpreter (what starting Python costs) and `git for-each-ref | wc -l`
  (what listing the refs costs): the baselines, measured in the same run;
- with `--before OTHER_VENV/bin/python` (a venv whose editable install is another checkout), the same two
  warm commands of that review-tui, on the same cache; their outputs must be the same bytes (`--json`
  with its clock-dependent `age_seconds` left out), else the run fails.

It prints min/median/max wall seconds and CPU seconds (user+sys of the process and its children) of each,
the ratios of the medians to both baselines (wall and CPU: on a loaded machine the CPU ratio is the steadier),
and the load average before and after. Processes run with
bytecode caches (this sandbox sets PYTHONDONTWRITEBYTECODE, which makes every start compile the app).

    python bench/bench_warm_list.py REPO [--runs 5] [--dest DIR] [--before PYTHON] [--keep]
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

WARM_TARGET = 0.3  # seconds


@dataclass
class Row:
    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def line(self, against: dict[str, tuple[float, float]]) -> str:
        """Wall median (min-max) and CPU median; against each baseline (its wall and CPU medians), both ratios."""
        if not self.wall:
            return f"{self.name:32s} -"
        median, cpu = statistics.median(self.wall), statistics.median(self.cpu)
        ratios = "  ".join(f"{median / wall:6.1f}x wall, {cpu / base_cpu:6.1f}x cpu of {name}"
                           for name, (wall, base_cpu) in against.items() if wall > 0 and base_cpu > 0)
        return (f"{self.name:32s} {median:7.3f} s  ({min(self.wall):.3f}-{max(self.wall):.3f})  "
                f"cpu {cpu:6.3f} s ({min(self.cpu):.3f}-{max(self.cpu):.3f})  {ratios}")


def _env(dest: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for name in ("CACHE", "DATA", "CONFIG"):
        env[f"REVIEW_TUI_{name}_DIR"] = str(dest / name.lower())
    env.pop("REVIEW_TUI_NO_CACHE", None)
    env["COLUMNS"] = ""  # a pipe's layout, whatever the terminal the bench runs in
    return env


def timed(command: list[str] | str, env: dict[str, str], cwd: Path, *,
          shell: bool = False) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds of the process tree, stdout)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=cwd, shell=shell)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{command!r} exited {process.returncode}")
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, out.read()


def _steady(printed: bytes) -> object:
    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "age_seconds"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(printed))


def measure(repo: Path, dest: Path, *, runs: int = 5, before: str | None = None, log=print) -> list[Row]:
    dest.mkdir(parents=True, exist_ok=True)
    env = _env(dest)
    sides = {"after": sys.executable, **({"before": before} if before else {})}
    log(f"cold `list --json` of {repo} (fills {dest})")
    wall, cpu, _ = timed([sys.executable, "-P", "-m", "app", "list", "--json", "--no-progress", "--repo", str(repo)],
                         env, dest)
    log(f"  {wall:.1f} s wall, {cpu:.1f} s cpu")
    rows = {"pass": Row("python -c pass"), "refs": Row("git for-each-ref | wc -l")}
    commands: dict[str, list[str]] = {}
    for side, python in sides.items():
        for kind, extra in (("table", []), ("json", ["--json"])):
            rows[f"{side} {kind}"] = Row(f"{side}: warm `list{' --json' if extra else ''}`")
            commands[f"{side} {kind}"] = [python, "-P", "-m", "app", "list", *extra, "--no-progress", "--repo",
                                          str(repo)]
    for command in commands.values():  # each side once more: its own bytecode and memo entries written
        timed(command, env, dest)
    outputs: dict[str, set[object]] = {"table": set(), "json": set()}
    for run in range(runs):
        for key, row in rows.items():
            if key == "pass":
                wall, cpu, _ = timed([sys.executable, "-c", "pass"], env, dest)
            elif key == "refs":
                wall, cpu, _ = timed(f"git -C '{repo}' for-each-ref | wc -l", env, dest, shell=True)
            else:
                wall, cpu, printed = timed(commands[key], env, dest)
                kind = key.split()[1]
                outputs[kind].add(printed if kind == "table" else json.dumps(_steady(printed), sort_keys=True))
            row.wall.append(wall)
            row.cpu.append(cpu)
        log(f"  run {run + 1}/{runs} done")
    for kind, seen in outputs.items():
        if len(seen) != 1:
            raise SystemExit(f"`list` ({kind}) printed {len(seen)} different outputs across runs and sides")
    return list(rows.values())


def report(rows: list[Row]) -> str:
    by_name = {row.name: row for row in rows}
    against = {name: (statistics.median(by_name[row].wall), statistics.median(by_name[row].cpu))
               for name, row in (("python -c pass", "python -c pass"), ("for-each-ref", "git for-each-ref | wc -l"))}
    lines = [row.line(against if "list" in row.name else {}) for row in rows]
    for row in rows:
        if "warm `list" in row.name:
            met = "met" if statistics.median(row.wall) <= WARM_TARGET else "NOT met"
            lines.append(f"{row.name}: target <= {WARM_TARGET} s {met}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="a clone with many refs (only read)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dest", type=Path, help="the cache folder (default: a new temp folder)")
    parser.add_argument("--before", help="another venv's python whose review-tui to compare, interleaved")
    parser.add_argument("--keep", action="store_true", help="keep the temp cache folder")
    args = parser.parse_args(argv)
    dest = args.dest or Path(tempfile.mkdtemp(prefix="bench-warm-list-"))
    dest.mkdir(parents=True, exist_ok=True)
    print(f"cpus {os.cpu_count()}, load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)
    try:
        rows = measure(args.repo.resolve(), dest, runs=args.runs, before=args.before,
                       log=lambda line: print(line, flush=True))
        print(report(rows))
    finally:
        print(f"load after {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
        if args.dest is None and not args.keep:
            shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    main()
