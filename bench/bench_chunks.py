"""Benchmark: planning review chunks against producing the diff, in the same run.

Builds a temp repository (RepoBuilder) with 100 Python modules of 40 functions each, and a
branch that edits, adds and removes functions in every module: a change of about 27,000 changed
lines. Times GitRepo.diff (the baseline: libgit2 producing the diff lines) and build_plan
(reading blobs and definition spans included, no cache), interleaved, and prints the medians (and
the best runs) of both, in CPU time and wall time, and their ratio. CPU time is the figure to go
by on a shared machine: other processes stretch wall time, not the CPU time of this one.
Target: build_plan at most 1x the diff time, and under 1 s.

    python bench/bench_chunks.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time

from app.core.git.repo import GitRepo
from app.core.planner.builder import build_plan
from app.samples import load

FILES = 100
FUNCTIONS = 40


def _function(name: str, seed: int, statements: int = 8) -> list[str]:
    rng = random.Random(seed)
    lines = [f"def {name}(items, limit={seed % 7}):", f'    """Process {name}."""', "    total = 0"]
    for k in range(statements):
        if k % 3 == 0:
            lines += [f"    if len(items) > {rng.randint(1, 99)}:", "        total -= 1"]
        else:
            lines.append(f"    total += {rng.randint(1, 999)} * limit")
    return lines + ["    return total"]


def old_module(i: int) -> str:
    out = ["import math", ""]
    for f in range(FUNCTIONS):
        out += ["", ""] + _function(f"f_{i}_{f}", i * 100 + f)
    return "\n".join(out) + "\n"


def new_module(i: int) -> str:
    """Every third function edited, one in thirteen removed, one in four followed by a new one."""
    out = ["import math", "import os", ""]
    for f in range(FUNCTIONS):
        if f % 13 == 5:
            continue
        body = _function(f"f_{i}_{f}", i * 100 + f)
        if f % 3 == 0:
            body = body[:3] + [f"    total += {f} * math.pi", "    total = round(total)"] + body[5:]
        out += ["", ""] + body
        if f % 4 == 1:
            out += ["", ""] + _function(f"g_{i}_{f}", i * 1000 + f, statements=10)
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs of each (the median is reported)")
    args = parser.parse_args()
    samples = load()
    author = samples.Person("Bench", "bench@example.com")
    with tempfile.TemporaryDirectory() as folder:
        builder = samples.RepoBuilder(folder)
        builder.commit("base", {f"pkg{i % 10}/mod{i}.py": old_module(i) for i in range(FILES)}, author=author)
        builder.branch("feature")
        builder.commit("change", {f"pkg{i % 10}/mod{i}.py": new_module(i) for i in range(FILES)},
                       branch="feature", author=author)
        repo = GitRepo(folder)
        base, head = builder.head("main"), builder.head("feature")
        times: dict[tuple[str, str], list[float]] = {(name, clock): [] for name in ("diff", "plan")
                                                      for clock in ("cpu", "wall")}
        for _ in range(args.repeat):
            # Interleaved so that machine noise hits both alike.
            wall, cpu = time.perf_counter(), time.process_time()
            files = repo.diff(base, head)
            times["diff", "cpu"].append(time.process_time() - cpu)
            times["diff", "wall"].append(time.perf_counter() - wall)
            wall, cpu = time.perf_counter(), time.process_time()
            plan = build_plan(files, read_blob=repo.blob)
            times["plan", "cpu"].append(time.process_time() - cpu)
            times["plan", "wall"].append(time.perf_counter() - wall)
        changed = sum(f.changed_lines for f in files)
        text_lines = sum(old_module(i).count("\n") + new_module(i).count("\n") for i in range(FILES))
        print(f"change: {len(files)} files, {changed:,} changed lines, {text_lines:,} lines of old+new text; "
              f"{len(plan.chunks)} chunks, floor {plan.total_floor_seconds / 3600:.1f} h")
        print(f"{'':26}{'CPU median':>11}{'(best)':>9}{'wall median':>13}{'(best)':>9}")
        for name, label in (("diff", "GitRepo.diff (baseline)"), ("plan", "build_plan")):
            row = [f"{label:26}"]
            for clock, width in (("cpu", 11), ("wall", 13)):
                runs = times[name, clock]
                median, best = statistics.median(runs) * 1000, min(runs) * 1000
                row += [f"{median:>{width - 3}.1f} ms", f"{best:>6.1f} ms"]
            print("".join(row))
        medians = {key: statistics.median(runs) for key, runs in times.items()}
        ratios = [f"{clock} {medians['plan', clock] / medians['diff', clock]:.2f}x"
                  for clock in ("cpu", "wall")]
        print(f"ratio plan/diff (medians of {args.repeat}): {', '.join(ratios)}"
              "  (target <= 1.0x and < 1 s)")


if __name__ == "__main__":
    main()
