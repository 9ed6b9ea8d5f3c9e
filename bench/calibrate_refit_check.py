"""Does refitting the built-in defaults on changed factors help held-out repositories? (FIX132)

    python bench/calibrate_refit_check.py --old OLD_CACHE --new NEW_CACHE [--repos R] [--rounds 200]

OLD_CACHE and NEW_CACHE are bench/calibrate_defaults.py caches of the same histories (`--repos`, `--max-commits`),
written before and after a change to how factors are counted (LABELS_VERSION differs, so each holds its own rows).
Each repository is scored on its factors as now counted (NEW rows) by two models fitted on the other repositories:
one on their OLD rows (what the shipped defaults were fitted on) and one on their NEW rows (what `--write` would fit
now). The labels, commits and effort are the NEW rows' for both, so the two models are compared on the same commits:
per repository, whole history and newer half (code-touching commits), AUC / top-20% recall / recall at 20% of lines /
Popt with 95% bootstrap intervals, and the refit's paired gain.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate_defaults import Row, figures, usable_features

from app.core.calibration.evaluate import METRICS, paired_gain
from app.core.calibration.run import L2
from app.core.risk.likelihood import fit_logistic


def cached_rows(cache_file: str, names: list[str]) -> dict[str, list[Row]]:
    """Each listed repository's rows in a calibrate_defaults.py cache (its one entry for that name)."""
    cache = json.loads(Path(cache_file).read_text())
    out: dict[str, list[Row]] = {}
    for key, entry in cache.items():
        name = key.split(":")[2]
        if name in names:
            if name in out:
                raise SystemExit(f"{cache_file} holds more than one entry for {name}: use a cache of one run")
            out[name] = [(r[0], r[1], r[2], r[3]) for r in entry["rows"]]
    missing = [name for name in names if name not in out]
    if missing:
        raise SystemExit(f"{cache_file} has no rows for {', '.join(missing)}: run calibrate_defaults.py with it first")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", required=True)
    parser.add_argument("--repos", default=str(Path(__file__).with_name("calibration_repos.txt")))
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    names = [line.split()[0] for line in Path(args.repos).read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    old, new = cached_rows(args.old, names), cached_rows(args.new, names)
    for name in names:
        if [r[1] for r in old[name]] != [r[1] for r in new[name]]:
            raise SystemExit(f"{name}: the two caches label different commits (another --max-commits or head?)")
    features = usable_features([r for rows in new.values() for r in rows])
    means: dict[tuple[str, str], list[list[float]]] = {}
    print("refit: fitted on the factors as now counted; old-fit: on the factors as they were (the shipped defaults)")
    for split in ("whole", "newer"):
        for held in names:
            rows = new[held] if split == "whole" else new[held][len(new[held]) // 2:]
            test = [r for r in rows if r[2]]
            scores = {}
            for what, data in (("old-fit", old), ("refit", new)):
                train = [r for name, rs in data.items() if name != held for r in rs]
                model = fit_logistic([r[0] for r in train], [r[1] for r in train], L2, features=features)
                scores[what] = [model.probability(r[0]) for r in test]
                values = figures(scores[what], test, args.rounds)
                means.setdefault((split, what), []).append([v[0] for v in values])
                print(f"{split:5} {held:10} {what:7} "
                      + "  ".join(f"{v:.3f} [{lo:.2f},{hi:.2f}]" for v, lo, hi in values))
            labels, lines = [r[1] for r in test], [float(r[3]) for r in test]
            gains = [paired_gain(metric, scores["refit"], scores["old-fit"], labels, lines, rounds=args.rounds)
                     for metric in METRICS.values()]
            print(f"{split:5} {held:10} gain    "
                  + "  ".join(f"{g:+.3f} [{lo:+.3f},{hi:+.3f}]" for g, lo, hi in gains), flush=True)
    for (split, what), values in means.items():
        print(f"mean {split:5} {what:7} "
              + "  ".join(f"{sum(v[i] for v in values) / len(values):.3f}" for i in range(len(METRICS))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
