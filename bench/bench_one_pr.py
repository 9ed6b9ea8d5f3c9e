"""The fixed cost of a cold run (issue 18): cold `list --json` of a repository with ONE pending pull request,
against its own baseline in the same run (`git diff --numstat` of the change + `radon cc -s -j` CLI on its
changed Python file versions), wall and CPU of the whole process tree.

    python bench/bench_one_pr.py REPO [--runs 5] [--before OTHER_VENV/bin/python] [--out rows.json]
    python bench/bench_one_pr.py --build MIRROR_GIT_DIR --pr N DEST    (then REPO is DEST)

`--build` makes a working clone of one branch of the mirror (its default branch, `--single-branch`: no other
branch is pending) and fetches one pull request as `origin/pr/N`, as a reviewer's clone has it. Nothing is
written into the mirror (a local clone hard-links its objects).

Each run: the baseline once, then a cold `list --json` of every variant (this one, and `--before`'s), fresh
REVIEW_TUI_* directories each. The process tree's CPU is counted by making this script the subreaper of every
process review-tui starts (its forkserver and workers outlive nothing but are reaped here, not by init), so
the CPU figure holds the workers' parses and walks too. Printed: baseline, wall and tree CPU, min/median/max,
the ratio of medians, the load average before and after; and whether the variants' `list --json` figures
(ages dropped) are identical.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Orphaned descendants (review-tui's forkserver and its workers) are reparented to this process."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans(limit: float = 30.0) -> None:
    """Wait for every descendant left after the direct child ended (their CPU joins RUSAGE_CHILDREN)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Sample:
    wall: float
    cpu: float
    stdout: str = ""


def timed(command: list[str], *, env: dict[str, str] | None = None, cwd: str | None = None) -> Sample:
    """One process tree: wall seconds and the CPU of every process in it."""
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd or tempfile.gettempdir(), capture_output=True, check=False)
    wall = time.perf_counter() - started
    reap_orphans()
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} ... failed ({done.returncode}): {done.stderr.decode()[-800:]}")
    return Sample(wall, children_cpu() - cpu, done.stdout.decode("utf-8", "replace"))


def build(mirror: Path, number: int, dest: Path) -> Path:
    """A clone of the mirror's default branch with pull request `number` as origin/pr/<number>."""
    if not (dest / ".git").exists():
        subprocess.run(["git", "clone", "-q", "--no-checkout", "--single-branch", str(mirror), str(dest)], check=True)
        subprocess.run(
            ["git", "fetch", "-q", "origin", f"+refs/pull/{number}/head:refs/remotes/origin/pr/{number}"],
            cwd=dest, check=True,
        )
        head = subprocess.run(["git", "symbolic-ref", "--short", "HEAD"], cwd=dest, capture_output=True,
                              text=True, check=True).stdout.strip()
        subprocess.run(["git", "checkout", "-q", head], cwd=dest, check=True)
    return dest


@dataclass
class Row:
    name: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def _stats(values: list[float]) -> str:
    return f"{min(values):.2f}/{statistics.median(values):.2f}/{max(values):.2f} s"


def figures(stdout: str) -> list[dict[str, object]]:
    """`list --json` without what moves with the clock (ages)."""
    listed = json.loads(stdout)
    for item in listed:
        item.pop("age_seconds", None)
    return listed


def fresh_env(scratch: Path, count: int) -> dict[str, str]:
    folder = scratch / f"env{count}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "REVIEW_TUI_NO_CACHE")}
    env |= {
        "REVIEW_TUI_CACHE_DIR": str(folder / "cache"),
        "REVIEW_TUI_DATA_DIR": str(folder / "data"),
        "REVIEW_TUI_CONFIG_DIR": str(folder / "config"),
    }
    return env


def baseline_once(repo: Path, files: list[str], changes: list[tuple[str, str, str]]) -> Sample:
    from bench_list import _batches, radon_command

    total = Sample(0.0, 0.0)
    for command in _batches([*radon_command(), "cc", "-s", "-j"], files):
        one = timed(command)
        total.wall, total.cpu = total.wall + one.wall, total.cpu + one.cpu
    for _change_id, base, head in changes:
        one = timed(["git", "diff", "--numstat", f"{base}...{head}"], cwd=str(repo))
        total.wall, total.cpu = total.wall + one.wall, total.cpu + one.cpu
    return total


def load_text() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="a repository with one pending change (or --build's DEST)")
    parser.add_argument("--build", type=Path, metavar="MIRROR", help="clone this mirror into REPO first")
    parser.add_argument("--pr", type=int, help="the pull request --build fetches")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", help="the python of a venv whose review-tui is the older code")
    parser.add_argument("--out", type=Path, help="write the samples here as JSON")
    args = parser.parse_args(argv)
    if args.build:
        if args.pr is None:
            parser.error("--build needs --pr")
        build(args.build, args.pr, args.repo)
    repo = args.repo.resolve()
    if not become_subreaper():
        print("warning: not a subreaper: the workers' CPU is missing from the tree CPU", file=sys.stderr)
    from bench_list import write_versions

    variants = [("after", str(Path(sys.executable).with_name("review-tui")))]
    if args.before:
        variants.insert(0, ("before", str(Path(args.before).with_name("review-tui"))))
    rows = {name: Row(name) for name, _ in variants}
    base_row = Row("baseline")
    print(f"cpus {os.cpu_count()}, load {load_text()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-one-pr-") as scratch_name:
        scratch = Path(scratch_name)
        changes, written, _count, unique = write_versions(repo, scratch / "versions")
        print(f"{len(changes)} change(s), {len(written)} Python file versions ({unique} distinct)", flush=True)
        count = 0
        for number in range(args.runs):
            one = baseline_once(repo, [str(p) for p in written], changes)
            base_row.walls.append(one.wall)
            base_row.cpus.append(one.cpu)
            for name, entry in variants if number % 2 == 0 else reversed(variants):
                count += 1
                env = fresh_env(scratch, count)
                sample = timed([entry, "list", "--json", "--repo", str(repo)], env=env)
                rows[name].walls.append(sample.wall)
                rows[name].cpus.append(sample.cpu)
                rows[name].outputs.append(sample.stdout)
                print(f"run {number + 1}: {name} wall {sample.wall:.2f} s cpu {sample.cpu:.2f} s; baseline wall "
                      f"{one.wall:.2f} s cpu {one.cpu:.2f} s (load {load_text()})", flush=True)
    report(base_row, list(rows.values()))
    if args.out:
        args.out.write_text(json.dumps({r.name: {"wall": r.walls, "cpu": r.cpus}
                                        for r in [base_row, *rows.values()]}, indent=1))


def report(base_row: Row, rows: list[Row]) -> None:
    print(f"\nload {load_text()}")
    print(f"baseline (numstat + radon cc CLI): wall {_stats(base_row.walls)}, cpu {_stats(base_row.cpus)}")
    base_wall, base_cpu = statistics.median(base_row.walls), statistics.median(base_row.cpus)
    for row in rows:
        wall, cpu = statistics.median(row.walls), statistics.median(row.cpus)
        print(f"cold `list` [{row.name}]: wall {_stats(row.walls)} = {wall / base_wall:.1f}x, "
              f"tree cpu {_stats(row.cpus)} = {cpu / base_cpu:.1f}x")
    seen = {json.dumps(figures(out), sort_keys=True) for row in rows for out in row.outputs}
    print("figures (`list --json`, ages dropped) of every run: " + ("identical" if len(seen) == 1 else
                                                                   f"{len(seen)} different outputs"))


if __name__ == "__main__":
    main()
