"""Do blast radius and untested seams predict later fixes? An SZZ-style check on a repository's own history.

    python bench/blast_calibration.py REPO [--back 700] [--window 400] [--max-fixes 200]

The dependency graph is built once at a base commit (`--back` first-parent commits before HEAD); the
`--window` first-parent commits after it are the changes studied, each measured against that graph (built
before any of them: no information from the future). A change is defect-inducing when a later commit whose
message says it fixes something modifies or deletes Python lines that `git blame` (ignoring whitespace)
attributes to it, SZZ-style (tests, docs and huge fixes skipped). Reported: each factor's AUC, and a
time-split logistic model (fit on the older half, tested on the newer) of size alone against size plus
blast radius and seams. A first look until the calibration harness of issue 12 runs it with the other
factors; it uses the git CLI (bench code, not the app).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.calibration.evaluate import auc
from app.core.git.repo import GitRepo
from app.core.impact.graph import IMPORT_LEVEL_SUFFIXES, PY_SUFFIXES, blast_radius, build_graph, is_test_path
from app.core.risk.likelihood import fit_logistic

FIX = re.compile(r"\b(fix(e[sd])?|bug|regression|crash|broken|hotfix)\b|closes? #\d+|fixes #\d+", re.I)
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, errors="replace").stdout


def blamed(repo: str, fix: str, max_lines: int) -> set[str]:
    """Commits that last touched the Python lines `fix` modifies or deletes."""
    found: set[str] = set()
    path = None
    ranges: dict[str, list[tuple[int, int]]] = {}
    for line in git(repo, "diff", "-U0", "-w", f"{fix}^", fix, "--", "*.py").splitlines():
        if line.startswith("--- "):
            path = line[6:] if line.startswith("--- a/") else None
        elif path and not is_test_path(path):
            match = HUNK.match(line)
            if match and match.group(2) != "0":
                start, count = int(match.group(1)), int(match.group(2) or 1)
                ranges.setdefault(path, []).append((start, count))
    if sum(c for spans in ranges.values() for _, c in spans) > max_lines:
        return found  # a huge fix (a rewrite) says little about which line was wrong
    for path, spans in ranges.items():
        args = [a for s, c in spans for a in ("-L", f"{s},+{c}")]
        for line in git(repo, "blame", "-w", "-s", "-l", *args, f"{fix}^", "--", path).splitlines():
            found.add(line.split(" ", 1)[0].lstrip("^"))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo")
    parser.add_argument("--back", type=int, default=700)
    parser.add_argument("--window", type=int, default=400)
    parser.add_argument("--max-fixes", type=int, default=200)
    parser.add_argument("--max-fix-lines", type=int, default=200)
    args = parser.parse_args()
    started = time.perf_counter()
    line = git(args.repo, "rev-list", "--first-parent", "HEAD").split()
    base = line[args.back]
    window = list(reversed(line[args.back - args.window:args.back]))  # oldest first
    in_window = set(window)
    later = line[: args.back]
    repo = GitRepo(args.repo)
    graph = build_graph(repo.tree_files(base, PY_SUFFIXES + IMPORT_LEVEL_SUFFIXES), workers=2)
    print(f"graph at {base[:10]}: {graph.files} files, {graph.lines:,} lines, {len(graph.symbols):,} symbols "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    fixes = [c for c in later if FIX.search(git(args.repo, "log", "-1", "--format=%s%n%b", c))][: args.max_fixes]
    inducing: set[str] = set()
    for fix in fixes:
        inducing |= blamed(args.repo, fix, args.max_fix_lines) & in_window
    rows: list[tuple[str, float, float, float, float, int]] = []
    for commit in window:
        numstat = git(args.repo, "diff", "--numstat", f"{commit}^", commit)
        size = sum(int(a) + int(d) for a, d, *_ in (r.split("\t") for r in numstat.splitlines()) if a.isdigit())
        changed = []
        parent = git(args.repo, "rev-parse", f"{commit}^").strip()
        for entry in git(args.repo, "diff", "--name-status", "--no-renames", f"{commit}^", commit).splitlines():
            status, path = entry.split("\t", 1)
            if path.endswith(".py") and status in ("M", "D"):
                # the commit's own change (from its parent), not everything since the window's graph
                changed.append((path, path, repo.file_at(commit, path), repo.file_at(parent, path)))
        result = blast_radius(graph, changed)
        direct, modules, _ = result.reach
        rows.append((commit, float(size), float(direct), float(modules), float(len(result.seams)),
                     int(commit in inducing)))
    labels = [r[5] for r in rows]
    print(f"{len(rows)} changes, {len(fixes)} fix commits, {sum(labels)} defect-inducing "
          f"(base rate {sum(labels) / len(rows):.2f}); load average {os.getloadavg()[0]:.1f}")
    for name, index in (("size", 1), ("blast direct", 2), ("blast modules", 3), ("seams", 4)):
        print(f"  AUC {name:14} {auc([r[index] for r in rows], labels):.3f}")
    half = len(rows) // 2
    names = {1: "size", 2: "direct", 3: "modules", 4: "seams"}
    for name, columns in (("size", [1]), ("size+blast+seams", [1, 2, 3, 4]), ("blast+seams", [2, 3, 4])):
        features = [{names[c]: math.log1p(r[c]) for c in columns} for r in rows]
        model = fit_logistic(features[:half], labels[:half], features=tuple(names[c] for c in columns))
        scores = [model.logit(f) for f in features[half:]]
        print(f"  time-split AUC {name:17} {auc(scores, labels[half:]):.3f}  weights "
              + " ".join(f"{model.coefficients[names[c]]:+.2f}" for c in columns))
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
