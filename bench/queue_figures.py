"""Figures of a real repository's review queue, judged by git itself (an oracle independent of
review-tui's own merged detection).

Reads the JSON of `review-tui list --json` and, for every listed branch / PR change, asks the git
command line whether its work is already in the base:
- patch: every commit of base..head has a patch-equivalent commit in head..base (`git cherry`);
- squash: the branch's net diff (merge-base..head as one commit) has a patch-equivalent commit in
  the base (`git cherry` on a synthetic squash commit, as squash-merge cleaners do);
- tree: merging head into the base changes nothing (`git merge-tree --write-tree` gives the base's
  tree): the base already contains the branch's net change, even after later edits elsewhere.
It prints: changes listed, how many are already merged (by which test), duplicate heads, and the top
N with their score, band and the three largest factor contributions.

Usage: python bench/queue_figures.py REPO LIST.json [--base REF] [--top 10] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any


def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def all_upstream(cherry_output: str) -> bool:
    lines = [line for line in cherry_output.splitlines() if line.strip()]
    return bool(lines) and all(line.startswith("-") for line in lines)


def merged_by(repo: Path, base: str, head: str) -> str | None:
    """Which oracle test says head's work is already in base (patch, squash, tree), or None."""
    if all_upstream(git(repo, "cherry", base, head, check=False)):
        return "patch"
    merge_base = git(repo, "merge-base", base, head, check=False).strip()
    if not merge_base:
        return None
    squash = git(repo, "commit-tree", f"{head}^{{tree}}", "-p", merge_base, "-m", "squash",
                 check=False).strip()
    if squash and all_upstream(git(repo, "cherry", base, squash, check=False)):
        return "squash"
    merged = subprocess.run(["git", "-C", str(repo), "merge-tree", "--write-tree", base, head],
                            capture_output=True, text=True, check=False)
    base_tree = git(repo, "rev-parse", f"{base}^{{tree}}").strip()
    if merged.returncode == 0 and merged.stdout.split("\n", 1)[0].strip() == base_tree:
        return "tree"
    return None


def top_reasons(report: dict[str, Any], count: int = 3) -> str:
    factors = sorted(report.get("factors", []), key=lambda f: -float(f.get("contribution", 0)))
    parts = [f"{f['name']} +{f['contribution']}: {f.get('explanation', '')[:70]}"
             for f in factors[:count] if float(f.get("contribution", 0)) > 0]
    return "; ".join(parts)


def figures(repo: Path, reports: list[dict[str, Any]], base: str, top: int) -> dict[str, Any]:
    heads = Counter(r["head"] for r in reports)
    duplicates = sum(n - 1 for n in heads.values() if n > 1)
    verdicts: dict[str, str] = {}
    for report in reports:
        if report.get("kind") in ("branch", "pr") and report.get("head") and not report.get("error"):
            verdict = merged_by(repo, base, report["head"])
            if verdict:
                verdicts[report["id"]] = verdict
    ranked = sorted(reports, key=lambda r: -float(r.get("score") or 0))
    rows = [{"rank": i + 1, "id": r["id"], "score": r.get("score"), "band": r.get("band"),
             "merged": verdicts.get(r["id"]), "reasons": top_reasons(r)} for i, r in enumerate(ranked[:top])]
    return {"listed": len(reports), "already_merged": len(verdicts),
            "merged_by": dict(Counter(verdicts.values())), "duplicate_rows": duplicates,
            "heads_shared": sum(1 for n in heads.values() if n > 1), "top": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("listing", type=Path)
    parser.add_argument("--base", default="origin/main")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    reports = json.loads(args.listing.read_text())
    if isinstance(reports, dict):  # a later list --json wraps the rows with the queue's counts
        reports = reports.get("changes", [])
    result = figures(args.repo, reports, args.base, args.top)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(f"listed {result['listed']}, already merged {result['already_merged']} {result['merged_by']}, "
          f"duplicate rows {result['duplicate_rows']} ({result['heads_shared']} heads listed more than once)")
    for row in result["top"]:
        merged = f" [merged: {row['merged']}]" if row["merged"] else ""
        print(f"{row['rank']:>2}. {row['score']:>5} {row['band']:<8} {row['id']}{merged}\n      {row['reasons']}")


if __name__ == "__main__":
    main()
