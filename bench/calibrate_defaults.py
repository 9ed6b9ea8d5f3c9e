"""Fit the built-in likelihood model (app/core/risk/likelihood_default.json) on real histories, SZZ-style.

    python bench/calibrate_defaults.py [--repos bench/calibration_repos.txt] [--max-commits 1500] [--l2 100] [--write]

Each line of the repos file is `NAME PATH HEAD_COMMIT` (a clone under /work/real/, made from the `fetch`
tool's mirror). For each repository, the last `--max-commits` first-parent commits up to HEAD_COMMIT are the
changes studied; every factor of a change comes from its own parent (history and experience from the
commits before it only). A change is defect-inducing when a later first-parent commit whose message says it
fixes something modifies or deletes code lines that `git blame -w --first-parent` at the fix's parent
attributes to it, within a year (blank, comment, test and doc lines skipped; fixes touching more than
`--max-fix-lines` lines skipped; cosmetic fixes - typo, lint, docs, format - skipped).

Reported, per repository and on its code-touching commits, AUC, recall in the top 20% of changes, recall at
20% of changed lines (effort-aware) and Popt with 95% bootstrap intervals (app/core/calibration/evaluate.py)
for: the model fitted on the other repositories (leave-one-repository-out: what the built-in defaults are to a
new repository), size alone, and on the newer half, the repository's own model fitted on its older half.
With --write the model fitted on all repositories is written to likelihood_default.json. The L2 penalty on the
standardised coefficients is 100 (0.015 per training commit): the strongest that gained on every target of
the leave-one-repository-out table without a loss beyond the noise (bench/calibrate_kamei.py; bench/README.md,
"Kamei factors and the model's form"); the fits of the six histories of stop 22-48 used 1.
Labels and factors come from the app's own calibration (app/core/calibration/run.py label_history), the
same labelling `review-tui calibrate` uses.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.analysis.analyzer import ANALYSIS_VERSION
from app.core.calibration.evaluate import METRICS, bootstrap
from app.core.calibration.run import L2, LABELS_VERSION, MIN_NONZERO, label_history
from app.core.calibration.run import usable_features as _usable
from app.core.calibration.szz import CalibrateConfig
from app.core.git.repo import GitRepo
from app.core.risk.likelihood import LIKELIHOOD_FEATURES, default_model, fit_logistic


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", default=str(Path(__file__).with_name("calibration_repos.txt")))
    parser.add_argument("--max-commits", type=int, default=1500)
    parser.add_argument("--max-fix-lines", type=int, default=200)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--cache", default="/tmp/calibrate_defaults_cache.json")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    data = histories(args.repos, args.max_commits, args.max_fix_lines, args.cache)
    report(data, args.l2)
    if args.write:
        write(data, args.l2, args.max_commits)
    return 0


def histories(listing: str, max_commits: int, max_fix_lines: int, cache_file: str) -> dict[str, list[Row]]:
    """Per repository of `listing`, its studied commits as rows (labelled once, then read from `cache_file`),
    with a line per repository on what was found (bench/calibrate_effort.py reads the same rows)."""
    data: dict[str, list[Row]] = {}
    cache = json.loads(Path(cache_file).read_text()) if Path(cache_file).exists() else {}
    for line in Path(listing).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, path, head = line.split()[:3]
        # the versions: a change to a factor or to the labels is not read back from rows measured before it
        key = f"a{ANALYSIS_VERSION}:l{LABELS_VERSION}:{name}:{head}:{max_commits}:{max_fix_lines}"
        if key not in cache:
            started = time.perf_counter()
            labelled = label_history(GitRepo(path), head, CalibrateConfig(max_fix_lines=max_fix_lines),
                                     max_commits=max_commits)
            study = labelled.samples
            rows = [[s.feats, s.label, int(s.code), s.lines] for s in study]
            cache[key] = {"rows": rows, "fixes": labelled.fixes, "useful": labelled.traced,
                          "first": study[0].sha, "last": study[-1].sha,
                          "seconds": round(time.perf_counter() - started, 1)}
            Path(cache_file).write_text(json.dumps(cache))
        entry = cache[key]
        data[name] = [(r[0], r[1], r[2], r[3]) for r in entry["rows"]]
        pos = sum(r[1] for r in entry["rows"])
        print(f"{name:8} {len(entry['rows'])} commits {entry['first'][:10]}..{entry['last'][:10]}, "
              f"{entry['fixes']} fixes ({entry['useful']} blamed), {pos} defect-inducing "
              f"(base rate {pos / len(entry['rows']):.3f}), {entry['seconds']} s", flush=True)
    return data


def usable_features(rows: list[tuple[dict[str, float], int, int]]) -> tuple[str, ...]:
    return _usable([r[0] for r in rows])


Row = tuple[dict[str, float], int, int, int]  # features, defect-inducing, touches code, changed lines


def figures(scores: list[float], rows: list[Row], rounds: int) -> list[tuple[float, float, float]]:
    labels = [r[1] for r in rows]
    # the lines read by hand (`by_hand`: not lock, vendored or generated files' lines), as `calibrate` reads the effort
    lines = [float(r[3]) for r in rows]
    return [bootstrap(metric, scores, labels, lines, rounds=rounds) for metric in METRICS.values()]


def show(name: str, what: str, values: list[tuple[float, float, float]]) -> None:
    print(f"{name:10} {what:9} " + "  ".join(f"{v:.3f} [{lo:.2f},{hi:.2f}]" for v, lo, hi in values))


def report(data: dict[str, list[Row]], l2: float, rounds: int = 200) -> None:
    """Per repository, on its code-touching commits: the model fitted on the other repositories
    (leave-one-repository-out, what the built-in defaults are to a new repository), size alone, and the
    repository's own model fitted on its older half and tested on its newer half against the LORO model; "dflt"
    is likelihood_default.json as shipped (fitted on all of them, so not held out here)."""
    features = usable_features([r for rows in data.values() for r in rows])
    print(f"\nfeatures {', '.join(features)}; l2={l2}; metrics on code-touching commits: "
          f"{', '.join(METRICS)} (value [95% bootstrap CI])")
    means: dict[str, list[float]] = defaultdict(list)
    shipped = default_model()  # "dflt": the file as shipped, fitted on every repository (this one too)
    for held in data:
        train = [r for name, rows in data.items() if name != held for r in rows]
        loro = fit_logistic([r[0] for r in train], [r[1] for r in train], l2, features=features)
        code = [r for r in data[held] if r[2]]
        pos = sum(r[1] for r in code)
        print(f"{held}: {len(code)} code-touching commits, {pos} defect-inducing (base rate {pos / len(code):.3f})")
        # Effort-aware metrics rank by score per changed line: "size" (log1p lines) reads the smallest
        # change first (ManualUp), "size-lf" (lines squared) the largest first; AUC and top-20% are size's.
        for what, scores in (("loro", [loro.probability(r[0]) for r in code]),
                             ("dflt", [shipped.probability(r[0]) for r in code]),
                             ("size", [r[0]["size"] for r in code]),
                             ("size-lf", [math.expm1(r[0]["size"]) ** 2 for r in code])):
            values = figures(scores, code, rounds)
            show("", what, values)
            means[what].extend([v[0] for v in values])
        half = len(data[held]) // 2
        older = data[held][:half]
        newer = [r for r in data[held][half:] if r[2]]
        own = fit_logistic([r[0] for r in older], [r[1] for r in older], l2, features=features)
        for what, model in (("own/new", own), ("loro/new", loro), ("dflt/new", shipped)):
            values = figures([model.probability(r[0]) for r in newer], newer, rounds)
            show("", what, values)
            means[what].extend([v[0] for v in values])
        size_new = figures([r[0]["size"] for r in newer], newer, rounds)
        show("", "size/new", size_new)
        means["size/new"].extend([v[0] for v in size_new])
    k = len(METRICS)
    for what, values in means.items():
        cols = [sum(values[i::k]) / len(values[i::k]) for i in range(k)]
        print(f"mean {what:9} " + "  ".join(f"{c:.3f}" for c in cols))


def write(data: dict[str, list[Row]], l2: float, max_commits: int) -> None:
    rows = [r for rs in data.values() for r in rs]
    source = f"built-in defaults (fitted on {len(rows)} commits of {len(data)} repositories)"
    features = usable_features(rows)
    model = fit_logistic([r[0] for r in rows], [r[1] for r in rows], l2, features=features, source=source)
    doc = model.to_json()
    doc["extra"] = {"repositories": sorted(data), "max_commits": max_commits, "l2": l2,
                    "features": list(features),
                    "left_out": {f: f"seen in fewer than {MIN_NONZERO} changes" for f in LIKELIHOOD_FEATURES
                                 if f not in features},
                    "script": "bench/calibrate_defaults.py"}
    target = Path(__file__).resolve().parent.parent / "app/core/risk/likelihood_default.json"
    target.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    print(f"wrote {target}: " + ", ".join(f"{k} {v:+.3f}" for k, v in model.coefficients.items()))


if __name__ == "__main__":
    raise SystemExit(main())
