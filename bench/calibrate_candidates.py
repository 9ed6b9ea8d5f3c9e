"""Would another just-in-time factor earn a place in the likelihood model? (issue 12)

    python bench/calibrate_candidates.py [--repos bench/calibration_repos.txt] [--max-commits 1500]

Labels the calibration repositories exactly as calibrate_defaults.py does (label_history: the same
commits, labels and built-in factors), then adds candidate factors from the Kamei et al. family that the
model does not use, each from the commit's own diff and the commits before it only:

- fix: the commit's own message says it fixes something (FixMatcher, the labelling's own rule) (FIX)
- la, ld: log1p(lines added), log1p(lines deleted), apart (LA, LD; `size` is their sum)
- code_la, code_ld: the same on code files that are not tests
- age: log1p(mean days since the touched code files last changed) (AGE)
- new_code: code files the commit creates
- nuc: log1p(earlier commits of the touched code files) (NUC)
- prior_fixes: log1p(earlier fix commits of the touched code files)
- message: log1p(characters in the message)
- deleted_share: the share of changed code lines that are deletions

For the built-in factors and for each candidate added alone, the mean over the repositories of the
leave-one-repository-out metrics on code-touching commits (the model fitted on the other repositories:
what the built-in defaults are to a new repository), as calibrate_defaults.py reports them. "Earlier"
counts within the first-parent log read (the newest 4,000 commits), as the history factors do.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.calibration.evaluate import METRICS
from app.core.calibration.factors import read_first_parent_log
from app.core.calibration.run import label_history
from app.core.calibration.szz import CalibrateConfig, FixMatcher
from app.core.git.cli import GitCli
from app.core.git.repo import GitRepo
from app.core.risk.likelihood import fit_logistic
from app.core.risk.score import is_code_path, is_test_path

BUILT_IN = ("size", "spread", "entropy", "complexity", "history", "authors", "experience", "no_tests",
            "code_size", "code_files", "code_base", "indent")
CANDIDATES = ("fix", "la", "ld", "code_la", "code_ld", "age", "new_code", "nuc", "prior_fixes", "message",
              "deleted_share")
Row = tuple[dict[str, float], int, bool, str]  # factors (built-in and candidates), defect-inducing, touches code, sha


def candidate_rows(path: str, head: str, max_commits: int) -> list[Row]:
    labelled = label_history(GitRepo(path), head, CalibrateConfig(max_fix_lines=200), max_commits=max_commits)
    matcher = FixMatcher(CalibrateConfig())
    log = read_first_parent_log(GitCli(path), head, 4000)  # oldest first
    last_change: dict[str, int] = {}
    changes: dict[str, int] = defaultdict(int)
    fixes: dict[str, int] = defaultdict(int)
    extra: dict[str, dict[str, float]] = {}
    for commit in log:
        code = [p for p in commit.files if is_code_path(p) and not is_test_path(p)]
        added = sum(commit.files[p][0] for p in code)
        deleted = sum(commit.files[p][1] for p in code)
        when = commit.info.commit_time
        ages = [(when - last_change[p]) / 86400 for p in code if p in last_change]
        is_fix = matcher.is_fix(commit.info.message)
        extra[commit.sha] = {
            "fix": float(is_fix),
            "la": math.log1p(sum(a for a, _ in commit.files.values())),
            "ld": math.log1p(sum(d for _, d in commit.files.values())),
            "code_la": math.log1p(added), "code_ld": math.log1p(deleted),
            "age": math.log1p(sum(ages) / len(ages)) if ages else 0.0,
            "new_code": float(sum(1 for p in code if p not in last_change)),
            "nuc": math.log1p(sum(changes[p] for p in code)),
            "prior_fixes": math.log1p(sum(fixes[p] for p in code)),
            "message": math.log1p(len(commit.info.message)),
            "deleted_share": deleted / (added + deleted) if added + deleted else 0.0,
        }
        for p in commit.files:
            last_change[p] = when
            changes[p] += 1
            fixes[p] += int(is_fix)
    return [({**s.feats, **extra.get(s.sha, dict.fromkeys(CANDIDATES, 0.0))}, s.label, s.code, s.sha)
            for s in labelled.samples]


def loro_means(data: dict[str, list[Row]], features: tuple[str, ...]) -> dict[str, float]:
    means: dict[str, list[float]] = defaultdict(list)
    for held in data:
        train = [r for name, rows in data.items() if name != held for r in rows]
        model = fit_logistic([r[0] for r in train], [r[1] for r in train], 1.0, features=features)
        code = [r for r in data[held] if r[2]]
        scores = [model.probability(r[0]) for r in code]
        labels = [r[1] for r in code]
        lines = [math.expm1(r[0]["size"]) for r in code]
        for name, metric in METRICS.items():
            means[name].append(metric(scores, labels, lines))
    return {name: sum(values) / len(values) for name, values in means.items()}


def arguments(doc: str | None) -> argparse.Namespace:
    """--repos and --max-commits, as this script and calibrate_ceiling.py take them."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", default=str(Path(__file__).with_name("calibration_repos.txt")))
    parser.add_argument("--max-commits", type=int, default=1500)
    return parser.parse_args()


def repositories(listing: str) -> list[tuple[str, str, str]]:
    """(name, path, head) of each repository the listing (calibration_repos.txt's format) names."""
    return [tuple(line.split()[:3]) for line in Path(listing).read_text().splitlines()  # type: ignore[misc]
            if line.strip() and not line.startswith("#")]


def main() -> int:
    args = arguments(__doc__)
    data: dict[str, list[Row]] = {}
    for name, path, head in repositories(args.repos):
        data[name] = candidate_rows(path, head, args.max_commits)
        print(f"{name}: {len(data[name])} commits", file=sys.stderr, flush=True)
    print(f"{'model (mean of leave-one-repository-out)':42} " + "  ".join(f"{m:>14}" for m in METRICS))
    for what, features in (("size alone", ("size",)), ("built-in factors", BUILT_IN),
                           *((f"built-in + {c}", (*BUILT_IN, c)) for c in CANDIDATES)):
        means = loro_means(data, features)
        print(f"{what:42} " + "  ".join(f"{means[m]:14.3f}" for m in METRICS), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
