"""Issue 12's speed target: `review-tui calibrate` on a 10,000-commit repository within 5 minutes on 2 cores.

    python bench/bench_calibrate.py REPO [--max-commits 10000] [--before DIR] [--no-blame-baseline] [--out FILE]
                                   [--keep DIR]

A cold `calibrate --json --progress` (fresh REVIEW_TUI_* and XDG directories) of each variant: this code, and with
`--before DIR` an older `app` package (`git archive main app | tar -x -C DIR`, run with PYTHONPATH=DIR in this same
venv). The process tree is polled every 0.5 s (/proc): the CPU of review-tui's main process (all its threads),
of the git commands it ran (its reaped children) and of the rest (the complexity workers), each attributed to the
stage the progress lines say ("reading" before the first, "measuring", "tracing", "evaluating" after the last).

Baselines in the same run, from the same commits: `git log --first-parent --raw --numstat` of the commits calibrate
reads, and the `git blame` commands of its SZZ tracing run by plain subprocesses two at a time (the floor of the
tracing stage; the fix list comes from the product's own szz functions). Printed: wall and CPU of each, the ratios,
the load average before and after, and for each variant an estimate of the wall on a quiet 2-core machine: per
stage max(main process CPU, stage CPU / 2), i.e. the stage's CPU on two cores when its work overlaps, never below
its main process's part, and main + rest / 2 when the main process's part does not overlap the rest. And whether
the variants' JSON figures (the run's seconds dropped) are identical.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_one_pr import become_subreaper, children_cpu, load_text, reap_orphans

TICK = os.sysconf("SC_CLK_TCK")
STAGES = ("reading", "measuring", "tracing", "evaluating")


def _stat(pid: int) -> tuple[float, float] | None:
    """(own CPU, reaped children's CPU) of a process, seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@dataclass
class Run:
    name: str
    wall: float = 0.0
    cpu: float = 0.0  # the whole tree, from this process's reaped children
    stages: dict[str, dict[str, float]] = field(default_factory=dict)  # stage -> main / git / workers / wall
    output: str = ""

    def estimate(self) -> float:
        """Wall on a quiet 2-core machine if each stage's work overlaps: its CPU on two cores, never below the
        main process's part."""
        return sum(max(s["main"], (s["main"] + s["git"] + s["workers"]) / 2) for s in self.stages.values())

    def serial_estimate(self) -> float:
        """The same if the main process's part never overlaps the rest (the walk before its blocks overlapped)."""
        return sum(s["main"] + (s["git"] + s["workers"]) / 2 for s in self.stages.values())


def run_calibrate(name: str, repo: Path, max_commits: int, scratch: Path, pythonpath: str | None) -> Run:
    env = {**os.environ, **{f"XDG_{k}_HOME": str(scratch / name / k.lower()) for k in ("CACHE", "DATA", "CONFIG")}}
    for key in ("CACHE", "DATA", "CONFIG", "STATE"):
        env[f"REVIEW_TUI_{key}_DIR"] = str(scratch / name / f"rt-{key.lower()}")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    command = [str(Path(sys.executable).with_name("review-tui")), "calibrate", "--repo", str(repo), "--max-commits",
               str(max_commits), "--json", "--progress"]
    run = Run(name)
    stage = ["reading"]
    cpu_before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def follow() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            words = line.split()
            if len(words) > 1 and words[1] in ("measuring", "tracing") and stage[0] != "evaluating":
                stage[0] = words[1]

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    last = {"main": 0.0, "git": 0.0, "workers": 0.0}
    seen = {s: {"main": 0.0, "git": 0.0, "workers": 0.0, "wall": 0.0} for s in STAGES}
    tick = started
    quiet = [0]
    out_holder: list[str] = []
    threading.Thread(target=lambda: out_holder.append(proc.stdout.read() if proc.stdout else ""), daemon=True).start()
    while proc.poll() is None:
        time.sleep(0.5)
        main = _stat(proc.pid)
        if main is None:
            break
        below = _descendants(proc.pid)
        rest = sum(sum(s) for pid in below if (s := _stat(pid)) is not None)
        now = {"main": main[0], "git": main[1], "workers": rest}
        # tracing ends with no progress line: the evaluation is what runs once no git blame has been seen for 1 s
        quiet[0] = 0 if any(_comm(pid) == "git" for pid in below) else quiet[0] + 1
        if stage[0] == "tracing" and quiet[0] >= 2:
            stage[0] = "evaluating"
        current = stage[0]
        for key in now:
            seen[current][key] += max(0.0, now[key] - last[key])
        seen[current]["wall"] += time.perf_counter() - tick
        tick, last = time.perf_counter(), now
    proc.wait()
    run.wall = time.perf_counter() - started
    seen["evaluating"]["wall"] += run.wall - sum(s["wall"] for s in seen.values())
    reap_orphans()
    reader.join(timeout=5)
    run.cpu = children_cpu() - cpu_before
    run.stages = {s: v for s, v in seen.items() if v["wall"] > 0}
    run.output = out_holder[0] if out_holder else ""
    (scratch / name).mkdir(parents=True, exist_ok=True)
    (scratch / name / "out.json").write_text(run.output)
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: calibrate failed ({proc.returncode}): {run.output[-400:]}")
    return run


def baseline_log(repo: Path, max_commits: int) -> tuple[float, float, int]:
    """`git log --raw --numstat` of the commits calibrate reads (the studied ones and the two years before them)."""
    from app.core.calibration.factors import read_first_parent_line
    from app.core.git.cli import GitCli
    from app.core.git.history import EXPERIENCE_DAYS

    git = GitCli(Path(subprocess.run(["git", "-C", str(repo), "rev-parse", "--absolute-git-dir"], check=True,
                                     capture_output=True, text=True).stdout.strip()))
    line = read_first_parent_line(git, "HEAD")
    studied = line[-max_commits:] if max_commits else line
    oldest = studied[0].time - EXPERIENCE_DAYS * 86_400
    count = sum(1 for c in line if c.time >= oldest)
    cpu, started = children_cpu(), time.perf_counter()
    command = ["git", "-C", str(repo), "log", "--first-parent", "--no-renames", "--raw", "--numstat", "--no-abbrev",
               f"--max-count={count}", "HEAD", "--"]
    if subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode:
        print("  (blobs missing from this clone: the log is read without --numstat, as calibrate then does)")
        command.remove("--numstat")
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started, children_cpu() - cpu, count


def baseline_blame(repo: Path, max_commits: int) -> tuple[float, float, int]:
    """The tracing stage's `git blame` commands, two at a time, by plain subprocesses."""
    from app.core.calibration.factors import read_first_parent_line, read_first_parent_log
    from app.core.calibration.szz import CalibrateConfig, FixMatcher, fix_diffs, fixed_lines
    from app.core.git.cli import GitCli, _runs

    git = GitCli(Path(subprocess.run(["git", "-C", str(repo), "rev-parse", "--absolute-git-dir"], check=True,
                                     capture_output=True, text=True).stdout.strip()))
    line = read_first_parent_line(git, "HEAD")
    count = min(len(line), max_commits) if max_commits else len(line)
    commits = read_first_parent_log(git, "HEAD", count)
    config, matcher = CalibrateConfig(), FixMatcher(CalibrateConfig())
    fixes = [c for c in commits[1:] if c.parent and matcher.is_fix(c.info.message)]
    diffs = fix_diffs(git, [(c.sha, c.parent or "") for c in fixes])
    jobs = []
    for c in fixes:
        since = c.info.commit_time - config.window_days * 86_400 - 86_400
        for path, numbers in fixed_lines(diffs.get(c.sha, []), config.max_fix_lines).items():
            ranges = [arg for start, end in _runs(sorted(set(numbers))) for arg in ("-L", f"{start},{end}")]
            jobs.append(["git", "-C", str(repo), "-c", "blame.showRoot=true", "blame", "-w", "--first-parent",
                         "--no-textconv", "-s", "-l", f"--since=@{since}", *ranges, c.parent or "", "--", path])
    cpu, started = children_cpu(), time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda job: subprocess.run(job, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), jobs))
    return time.perf_counter() - started, children_cpu() - cpu, len(jobs)


def _figures(text: str) -> object:
    data = json.loads(text)
    if isinstance(data, dict):
        data.pop("seconds", None)
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--max-commits", type=int, default=10_000)
    parser.add_argument("--before", help="a directory holding the older `app` package")
    parser.add_argument("--no-blame-baseline", action="store_true", help="skip the git blame baseline (slow)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    parser.add_argument("--keep", type=Path, help="run in this directory and keep each variant's caches and JSON")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    if not become_subreaper():
        print("warning: not a subreaper: the workers' CPU is missing from the tree CPU", file=sys.stderr)
    print(f"cpus {os.cpu_count()}, load {load_text()}", flush=True)
    log_wall, log_cpu, read = baseline_log(repo, args.max_commits)
    print(f"baseline git log --raw --numstat of {read:,} commits: wall {log_wall:.1f} s, cpu {log_cpu:.1f} s "
          f"(load {load_text()})", flush=True)
    blame = (0.0, 0.0, 0) if args.no_blame_baseline else baseline_blame(repo, args.max_commits)
    if blame[2]:
        print(f"baseline git blame, {blame[2]:,} blames two at a time: wall {blame[0]:.1f} s, cpu {blame[1]:.1f} s "
              f"(load {load_text()})", flush=True)
    variants = [("after", None)] + ([("before", str(Path(args.before).resolve()))] if args.before else [])
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-calibrate-") as temporary:
        scratch = str(args.keep or temporary)
        for name, path in variants:
            run = run_calibrate(name, repo, args.max_commits, Path(scratch), path)
            runs.append(run)
            print(f"\n{name}: wall {run.wall:.1f} s, cpu of the tree {run.cpu:.1f} s, quiet 2-core estimate "
                  f"{run.estimate():.0f} s overlapped, {run.serial_estimate():.0f} s not (load {load_text()})",
                  flush=True)
            for stage, s in run.stages.items():
                print(f"  {stage:<10} wall {s['wall']:7.1f}  main {s['main']:7.1f}  git {s['git']:7.1f}  "
                      f"workers {s['workers']:7.1f}", flush=True)
            base = log_cpu + blame[1]
            tracing = run.stages.get("tracing", {})
            traced = tracing.get("main", 0.0) + tracing.get("git", 0.0) + tracing.get("workers", 0.0)
            if base:
                print(f"  cpu ratio to the baselines (log + blame cpu {base:.1f} s): {run.cpu / base:.2f}x", flush=True)
            if blame[1]:
                print(f"  tracing stage cpu {traced:.1f} s against the blame baseline's {blame[1]:.1f} s: "
                      f"{traced / blame[1]:.2f}x", flush=True)
    if len(runs) == 2:
        same = _figures(runs[0].output) == _figures(runs[1].output)
        print(f"\nfigures identical (calibrate --json, seconds dropped): {same}")
        print(f"cpu before/after {runs[1].cpu:.1f} / {runs[0].cpu:.1f} s; quiet estimate "
              f"{runs[1].estimate():.0f} / {runs[0].estimate():.0f} s")
    print(f"load {load_text()}")
    if args.out:
        args.out.write_text(json.dumps({"log": [log_wall, log_cpu, read], "blame": list(blame),
                                        "runs": [{"name": r.name, "wall": r.wall, "cpu": r.cpu, "stages": r.stages,
                                                  "estimate": r.estimate(), "serial_estimate": r.serial_estimate()}
                                                 for r in runs]}, indent=1))


if __name__ == "__main__":
    main()
