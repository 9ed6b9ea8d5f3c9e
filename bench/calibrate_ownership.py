"""Would code ownership earn a place in the likelihood model? (issue 12)

    python bench/calibrate_ownership.py [--repos bench/calibration_repos.txt] [--max-commits 1500] [--rounds 300]

Bird et al. ("Don't touch my code! Examining the effects of ownership on software quality", FSE 2011) found
that components with many minor contributors (authors of under 5% of a component's changes) have more
failures, and Rahman and Devanbu ("Ownership, experience and defects: a fine-grained study of authorship",
ICSE 2011) that an author's experience with the very files changed predicts fewer defects where general
experience does not. The model's `experience` counts the author's earlier changes to the touched files and
points the wrong way (experienced authors make the large changes to central files). Ownership divides it by
the files' activity. Candidates, from the first-parent log read before each commit (the newest 4,000
commits, as calibrate_candidates.py reads them), over the code files (not tests) the commit changes that
changed before:

- ownership: the author's share of those files' earlier changes (unknown, neutral, when none changed before)
- minor: 1 when that share is under 5% (Bird's minor contributor), 0 otherwise
- owners: log1p(distinct authors of those files' earlier changes) (Bird's "total contributors")

Each is added alone to the built-in factors (labels and factors of label_history, cached in the same file as
calibrate_indent.py's), and the mean of the leave-one-repository-out metrics on code-touching commits is
printed with each one's paired 95% bootstrap gain over the built-in factors.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate_candidates import repositories
from calibrate_indent import Row, metrics_of, paired_mean_gain, rows_of, study_parser

from app.core.calibration.evaluate import METRICS
from app.core.calibration.factors import read_first_parent_log
from app.core.git.cli import GitCli
from app.core.git.repo import GitRepo
from app.core.risk.likelihood import LIKELIHOOD_FEATURES, fit_logistic
from app.core.risk.score import is_code_path, is_test_path

BUILT_IN = tuple(f for f in LIKELIHOOD_FEATURES if f != "ai_share")
CANDIDATES = ("ownership", "minor", "owners")


def ownership_factors(path: str, head: str) -> dict[str, dict[str, float]]:
    """sha -> the candidates, each commit seeing only the commits before it."""
    by_file: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # path -> author -> changes
    out: dict[str, dict[str, float]] = {}
    for commit in read_first_parent_log(GitCli(GitRepo(path).git_dir), head, 4000):
        author = commit.info.author_email.lower()
        code = [p for p in commit.files if is_code_path(p) and not is_test_path(p) and p in by_file]
        own = sum(by_file[p][author] for p in code)
        total = sum(n for p in code for n in by_file[p].values())
        share = own / total if total else math.nan
        out[commit.sha] = {"ownership": share, "minor": float(total > 0 and share < 0.05),
                           "owners": math.log1p(len({a for p in code for a in by_file[p]}))}
        for p in commit.files:
            by_file[p][author] += 1
    return out


def loro_scores(data: dict[str, list[Row]], features: tuple[str, ...]) -> dict:
    out = {}
    for held in data:
        train = [r for name, rows in data.items() if name != held for r in rows]
        model = fit_logistic([r[0] for r in train], [r[1] for r in train], 1.0, features=features)
        code = [r for r in data[held] if r[2]]
        out[held] = ([model.probability(r[0]) for r in code], [r[1] for r in code],
                     [math.expm1(r[0]["size"]) for r in code])
    return out


def main() -> int:
    args = study_parser(__doc__).parse_args()
    cache = json.loads(Path(args.cache).read_text()) if Path(args.cache).exists() else {}
    data: dict[str, list[Row]] = {}
    for name, path, head in repositories(args.repos):
        rows = rows_of(name, path, head, args.max_commits, cache)
        Path(args.cache).write_text(json.dumps(cache))
        extra = ownership_factors(path, head)
        unknown = dict.fromkeys(CANDIDATES, math.nan)
        data[name] = [({**f, **extra.get(sha, unknown)}, y, c, sha) for f, y, c, sha in rows]
        print(f"{name}: {len(rows)} commits", file=sys.stderr, flush=True)
    base = loro_scores(data, BUILT_IN)
    print(f"{'model (mean of leave-one-repository-out)':32} " + "  ".join(f"{m:>14}" for m in METRICS)
          + "  AUC gain [paired 95%]         Popt gain [paired 95%]")
    for what, features in (("built-in factors", BUILT_IN), *((f"+ {c}", (*BUILT_IN, c)) for c in CANDIDATES)):
        scored = loro_scores(data, features)
        per = [metrics_of(scored[r]) for r in data]
        gain = paired_mean_gain(scored, base, args.rounds)
        print(f"{what:32} " + "  ".join(f"{sum(p[m] for p in per) / len(per):14.3f}" for m in METRICS)
              + "".join(f"  {gain[m][0]:+.3f} [{gain[m][1]:+.3f},{gain[m][2]:+.3f}]" for m in ("auc", "popt")),
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
