"""The Kamei factors the likelihood model lacks, and its form (issue 12, stop 49).

    python bench/calibrate_kamei.py [--repos bench/calibration_repos.txt] [--max-commits 1500] [--rounds 200]
                                    [--cache /tmp/calibrate_kamei_cache.json] [--check LISTING]

Labels and built-in factors come from label_history (the same commits and labels as calibrate_defaults.py).
Each candidate is read from the first-parent log (the newest 4,000 commits), every commit seeing only the
commits before it and, like the analysis's history index, only those of the EXPERIENCE_DAYS (730) before it,
so each is something the analysis could count for a pending change from its base:

- fix: the change's own message says it fixes something (FixMatcher, the labelling's rule) (Kamei FIX)
- code_la, code_ld: log1p(lines added), log1p(lines deleted) in code files that are not tests, apart
  (`code_size` is log1p of their sum) (LA, LD)
- age: log1p(mean days since the touched code files last changed) (AGE); unknown when none changed before
- nuc: log1p(distinct earlier commits that changed the touched code files) (NUC)
- exp: log1p(the author's earlier commits, any file) (EXP)
- rexp: log1p(the author's earlier commits, each weighted 1 / (1 + its age in years)) (REXP)
- sexp: log1p(the author's earlier commits in the subsystems the change touches: first path component of a
  code file) (SEXP)
- prior_fixes: log1p(distinct earlier fix commits that changed the touched code files) (defect history)
- fixed_share: the share of the added code lines that land in code files an earlier fix changed

Merges count as the work of the commits they brought in (GitRepo.work_authors), as the analysis counts them.
A merge credited to several authors takes the most experienced one's figure.

Printed: the mean over the six of the leave-one-repository-out metrics on code-touching commits, for the
built-in factors, each candidate added alone, code_size split into code_la + code_ld, the L2 strength, and
the effort-aware order (the metrics read changes by likelihood / changed lines; here also by likelihood /
lines^a). Each row has its paired 95% bootstrap gain over the built-in factors (calibrate_indent.py's
paired_mean_gain: the same resampled commits of each held-out repository for both rankings).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate_candidates import repositories
from calibrate_indent import Row, Scored, metrics_of, paired_mean_gain, study_parser

from app.core.calibration.evaluate import METRICS
from app.core.calibration.factors import read_first_parent_log
from app.core.calibration.run import label_history
from app.core.calibration.szz import CalibrateConfig, FixMatcher
from app.core.git.cli import GitCli
from app.core.git.history import EXPERIENCE_DAYS
from app.core.git.repo import GitRepo
from app.core.risk.likelihood import (
    LIKELIHOOD_FEATURES,
    LikelihoodModel,
    _logistic,
    _solve,
    _standardisation,
    fit_logistic,
)
from app.core.risk.score import is_code_path, is_test_path
from app.errors import ReviewTuiError

BUILT_IN = tuple(f for f in LIKELIHOOD_FEATURES if f != "ai_share")
CANDIDATES = ("fix", "code_la", "code_ld", "age", "nuc", "exp", "rexp", "sexp", "prior_fixes", "fixed_share")
DAY = 86_400
Transform = Callable[[Row], Row]


def _authors(repo: GitRepo, commit) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    if not commit.is_merge:
        return (commit.info.author_email.lower(),)
    try:
        return repo.work_authors(commit.sha)
    except (KeyError, ValueError, ReviewTuiError):
        return (commit.info.author_email.lower(),)


def kamei_factors(path: str, head: str) -> dict[str, dict[str, float]]:
    """sha -> the candidates, each commit seeing only the EXPERIENCE_DAYS of commits before it."""
    repo = GitRepo(path)
    matcher = FixMatcher(CalibrateConfig())
    by_file: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)  # path -> (time, commit n, is fix)
    by_author: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)  # email -> (time, subsystems)
    out: dict[str, dict[str, float]] = {}
    for n, commit in enumerate(read_first_parent_log(GitCli(repo.git_dir), head, 4000)):
        when = commit.info.commit_time
        start = when - EXPERIENCE_DAYS * DAY
        code = [p for p in commit.files if is_code_path(p) and not is_test_path(p)]
        earlier = {p: [e for e in by_file.get(p, ()) if start <= e[0] <= when] for p in code}
        seen = [p for p in code if earlier[p]]
        added = sum(commit.files[p][0] for p in code)
        fixed_added = sum(commit.files[p][0] for p in code if any(e[2] for e in earlier[p]))
        subsystems = frozenset(p.split("/", 1)[0] if "/" in p else "" for p in code)
        authors = _authors(repo, commit)
        past = [[e for e in by_author.get(a, ()) if start <= e[0] <= when] for a in authors]
        out[commit.sha] = {
            "fix": float(matcher.is_fix(commit.info.message)),
            "code_la": math.log1p(added),
            "code_ld": math.log1p(sum(commit.files[p][1] for p in code)),
            "age": math.log1p(sum((when - max(e[0] for e in earlier[p])) / DAY for p in seen) / len(seen))
            if seen else math.nan,
            "nuc": math.log1p(len({e[1] for p in code for e in earlier[p]})),
            "exp": math.log1p(max(len(e) for e in past)),
            "rexp": math.log1p(max(sum(1 / (1 + (when - t) / (365 * DAY)) for t, _ in e) for e in past)),
            "sexp": math.log1p(max(sum(1 for _, s in e if s & subsystems) for e in past)),
            "prior_fixes": math.log1p(len({e[1] for p in code for e in earlier[p] if e[2]})),
            "fixed_share": fixed_added / added if added else math.nan,
        }
        for p in commit.files:
            by_file[p].append((when, n, bool(out[commit.sha]["fix"])))
        touched = frozenset(p.split("/", 1)[0] if "/" in p else "" for p in commit.files)
        for a in authors:
            by_author[a].append((when, touched))
    return out


def rows_of(name: str, path: str, head: str, max_commits: int, cache: dict[str, Any]) -> list[Row]:
    key = f"kamei1:{name}:{head}:{max_commits}"
    if key not in cache:
        labelled = label_history(GitRepo(path), head, CalibrateConfig(max_fix_lines=200),
                                 max_commits=max_commits or None)
        extra = kamei_factors(path, head)
        unknown = dict.fromkeys(CANDIDATES, math.nan)
        cache[key] = [[{**s.feats, **extra.get(s.sha, unknown)}, s.label, int(s.code), s.sha]
                      for s in labelled.samples]
    return [(r[0], r[1], int(r[2]), r[3]) for r in cache[key]]


def weighted_fit(rows: list[Row], features: tuple[str, ...], power: float, l2: float = 1.0) -> LikelihoodModel:
    """fit_logistic with each commit weighted by 1 / lines^power (normalised to a mean of 1): an effort-aware
    fit that cares more for getting small changes right, as the likelihood-per-line order needs."""
    names = list(features)
    means, scales = _standardisation([r[0] for r in rows], names)
    design = [[1.0] + [(r[0][n] - means[n]) / scales[n] if math.isfinite(r[0].get(n, math.nan)) else 0.0
                       for n in names] for r in rows]
    raw = [max(1.0, math.expm1(r[0]["size"])) ** -power for r in rows]
    weights = [w * len(raw) / sum(raw) for w in raw]
    labels = [r[1] for r in rows]
    beta = [0.0] * (len(names) + 1)
    k = len(beta)
    for _ in range(30):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y, c in zip(design, labels, weights, strict=True):
            p = _logistic(sum(b * v for b, v in zip(beta, x, strict=True)))
            w = c * max(p * (1 - p), 1e-9)
            for i in range(k):
                grad[i] += c * (p - y) * x[i]
                for j in range(i, k):
                    hess[i][j] += w * x[i] * x[j]
        for i in range(k):
            for j in range(i):
                hess[i][j] = hess[j][i]
            if i:
                grad[i] += l2 * beta[i]
                hess[i][i] += l2
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return LikelihoodModel(beta[0], {n: beta[i + 1] for i, n in enumerate(names)}, means, scales, "weighted")


def held_out(data: dict[str, list[Row]], features: tuple[str, ...], l2: float = 1.0,
             effort: float = 1.0, weighted: float = 0.0) -> dict[str, Scored]:
    """Per repository: the leave-one-repository-out model's scores on its code-touching commits. `effort`
    a != 1 multiplies each score by lines^(1 - a), so the metrics' likelihood-per-line order becomes
    likelihood / lines^a (AUC and top-20% of such scores mean nothing then)."""
    out: dict[str, Scored] = {}
    for held in data:
        train = [r for name, rows in data.items() if name != held for r in rows]
        model = (weighted_fit(train, features, weighted, l2) if weighted else
                 fit_logistic([r[0] for r in train], [r[1] for r in train], l2, features=features))
        code = [r for r in data[held] if r[2]]
        lines = [math.expm1(r[0]["size"]) for r in code]
        out[held] = ([model.probability(r[0]) * max(1.0, x) ** (1 - effort) for r, x in zip(code, lines, strict=True)],
                     [r[1] for r in code], lines)
    return out


def show(what: str, scored: dict[str, Scored], base: dict[str, Scored] | None, rounds: int) -> None:
    per = [metrics_of(scored[r]) for r in scored]
    line = f"{what:36} " + " ".join(f"{sum(p[m] for p in per) / len(per):6.3f}" for m in METRICS)
    if base is not None:
        gain = paired_mean_gain(scored, base, rounds)
        line += "  " + "  ".join(f"{m} {v:+.3f} [{lo:+.3f},{hi:+.3f}]" for m, (v, lo, hi) in gain.items())
    print(line, flush=True)
    print(" " * 37 + "per repository: " + "  ".join(
        f"{r} " + "/".join(f"{p[m]:.3f}" for m in METRICS) for r, p in zip(scored, per, strict=True)), flush=True)


def check(data: dict[str, list[Row]], listing: str, l2: float, cache: dict[str, Any], args: argparse.Namespace) -> None:
    """The defaults fitted on all of `data` with L2 1 and with `l2`, on each listed history (whole, and its
    newer half as `calibrate` tests it), with the paired gain of `l2` over 1."""
    train = [r for rows in data.values() for r in rows]
    models = {f"L2 {w:g}": fit_logistic([r[0] for r in train], [r[1] for r in train], w, features=BUILT_IN)
              for w in (1.0, l2)}
    for name, path, head in repositories(listing):
        rows = rows_of(name, path, head, 0, cache)
        Path(args.cache).write_text(json.dumps(cache))
        for part, chosen in (("all", rows), ("newer half", rows[len(rows) // 2:])):
            code = [r for r in chosen if r[2]]
            lines = [math.expm1(r[0]["size"]) for r in code]
            scored = {w: {name: ([m.probability(r[0]) for r in code], [r[1] for r in code], lines)}
                      for w, m in models.items()}
            scored["size"] = {name: ([r[0]["size"] for r in code], [r[1] for r in code], lines)}
            print(f"{name}, {part}: {len(code)} code-touching commits, {sum(r[1] for r in code)} defect-inducing")
            show("  size alone", scored["size"], None, args.rounds)
            show("  defaults fitted with L2 1", scored["L2 1"], None, args.rounds)
            show(f"  defaults fitted with L2 {l2:g}", scored[f"L2 {l2:g}"], scored["L2 1"], args.rounds)


def main() -> int:
    parser = study_parser(__doc__)
    parser.set_defaults(cache="/tmp/calibrate_kamei_cache.json", rounds=200)
    parser.add_argument("--check", help="a listing of other repositories (NAME PATH HEAD): the defaults fitted on "
                        "the six with L2 1 and with --check-l2, on each one's code-touching commits (all, and the "
                        "newer half as `calibrate` tests): a check, not a fit")
    parser.add_argument("--check-l2", type=float, default=100.0)
    parser.add_argument("--only", help="comma-separated row groups: candidates, split, l2, effort, combos, weighted")
    args = parser.parse_args()
    cache = json.loads(Path(args.cache).read_text()) if Path(args.cache).exists() else {}
    data: dict[str, list[Row]] = {}
    for name, path, head in repositories(args.repos):
        data[name] = rows_of(name, path, head, args.max_commits, cache)
        Path(args.cache).write_text(json.dumps(cache))
        rows = data[name]
        print(f"{name}: {len(rows)} commits, {sum(r[2] for r in rows)} code-touching, "
              f"{sum(r[1] for r in rows if r[2])} defect-inducing among them; fix commits "
              f"{sum(r[0]['fix'] == 1 for r in rows)}", file=sys.stderr, flush=True)
    if args.check:
        check(data, args.check, args.check_l2, cache, args)
        return 0
    groups = set((args.only or "candidates,split,l2,effort").split(","))
    print(f"{'model (mean of leave-one-repository-out)':36} " + " ".join(f"{m[:6]:>6}" for m in METRICS)
          + "  gain over the built-in factors [paired 95%]")
    base = held_out(data, BUILT_IN)
    show("built-in factors", base, None, args.rounds)
    show("size alone", held_out(data, ("size",)), base, args.rounds)
    if "candidates" in groups:
        for c in CANDIDATES:
            show(f"+ {c}", held_out(data, (*BUILT_IN, c)), base, args.rounds)
    if "split" in groups:
        split = (*(f for f in BUILT_IN if f != "code_size"), "code_la", "code_ld")
        show("code_size -> code_la + code_ld", held_out(data, split), base, args.rounds)
    if "combos" in groups:
        for combo in (("fix", "prior_fixes"), ("rexp", "sexp"), ("age", "nuc"), CANDIDATES):
            show("+ " + " + ".join(combo) if len(combo) < 5 else "+ all candidates",
                 held_out(data, (*BUILT_IN, *combo)), base, args.rounds)
    if "l2" in groups:
        for l2 in (0.1, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0):
            show(f"L2 {l2:g} (built-in factors)", held_out(data, BUILT_IN, l2), base, args.rounds)
    if "effort" in groups:
        for a in (0.5, 0.75, 0.9, 1.1, 1.25):
            show(f"order by likelihood / lines^{a:g}", held_out(data, BUILT_IN, effort=a), base, args.rounds)
    if "weighted" in groups:
        for power in (0.25, 0.5, 1.0):
            show(f"fit weighted by 1 / lines^{power:g}", held_out(data, BUILT_IN, weighted=power), base, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
