"""Blast-radius graph build time on a real repository, cold and warm, against a baseline in the same run.

    python bench/bench_graph.py /path/to/repo [--rev HEAD] [--workers 2]

Cold: read every Python/JS/TS/Go file of the commit and build the graph. Warm: load it back from the
JSON the analysis cache stores. Baseline: `ast.parse` of the same Python files alone (the floor of any
AST-based graph). The issue's target is under 10 s cold for a 300k-line repository on 2 cores.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.git.repo import GitRepo
from app.core.impact.graph import IMPORT_LEVEL_SUFFIXES, PY_SUFFIXES, Graph, build_graph


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo")
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-lines", type=int, default=0, help="use files in path order up to this many lines")
    args = parser.parse_args()
    repo = GitRepo(args.repo)
    commit = repo.resolve_commit(args.rev)
    cpu_before = _cpu()
    start = time.perf_counter()
    files = repo.tree_files(commit, PY_SUFFIXES + IMPORT_LEVEL_SUFFIXES)
    if args.max_lines:
        kept, total = [], 0
        for path, data in sorted(files):
            if total >= args.max_lines:
                break
            kept.append((path, data))
            total += data.count(b"\n")
        files = kept
    read = time.perf_counter() - start
    graph = build_graph(files, workers=args.workers)
    cold = time.perf_counter() - start
    cpu = _cpu() - cpu_before
    blob = json.dumps(graph.to_dict())
    start = time.perf_counter()
    Graph.from_dict(json.loads(blob))
    warm = time.perf_counter() - start
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path, data in files:
            if path.endswith(".py"):
                try:
                    ast.parse(data)
                except (SyntaxError, ValueError):
                    pass
    baseline = time.perf_counter() - start
    edges = sum(len(v) for v in graph.callers.values())
    print(
        f"files {graph.files}, lines {graph.lines:,}, symbols {len(graph.symbols):,}, edges {edges:,}, "
        f"unparsed {len(graph.unparsed)}; load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"cold {cold:.2f} s (reading {read:.2f} s, {args.workers} workers); warm {warm:.2f} s "
        f"(cache JSON {len(blob) / 1e6:.1f} MB); baseline ast.parse alone {baseline:.2f} s; "
        f"cold/baseline {cold / baseline:.2f}"
    )
    # Wall time on a shared machine says more about the neighbours than about this code; CPU time does
    # not. Workers run under the forkserver (not our children: their CPU is not counted), so the estimate
    # is from a one-process build: on an idle machine, about that CPU time divided by the workers.
    if args.workers == 1:
        print(f"cold CPU {cpu:.2f} s in one process: with 2 workers on an idle 2-core machine about "
              f"{cpu / 2:.1f} s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
