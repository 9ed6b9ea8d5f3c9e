"""Are the likelihood's probabilities right, not only its ranking? Reliability of the built-in model (issue 12).

    python bench/calibrate_reliability.py [--repos bench/calibration_repos.txt] [--check LISTING]
                                          [--max-commits 1500] [--check-max-commits 10000] [--rounds 200]
                                          [--cache /tmp/calibrate_reliability_cache.json]

Rows come from the app's own labelling (app/core/calibration/run.py label_history, what `review-tui calibrate`
does): each studied commit's factors from its own parent and its SZZ label, with its time and changed lines. The
six histories of calibration_repos.txt are labelled as calibrate_defaults.py labels them (the newest 1,500
first-parent commits, fixes of at most 200 lines); `--check LISTING` (NAME PATH HEAD lines, the same format) adds
histories the defaults never saw, labelled as `calibrate` labels them by default (the newest 10,000).

Each model is judged on commits it was not fitted on:

- "loro": each of the six by the model fitted on the other five (what the defaults are to a new repository);
- "newer": the newer half of each of the six by the model fitted on the older halves of all six (a time split);
- the `--check` histories (all their commits, and their newer halves) by the model fitted on all six, which is
  what likelihood_default.json is.

For each it prints, on code-touching commits: calibration-in-the-large (observed / expected defect-inducing
commits), the calibration slope and intercept (the logistic fit of the label on the model's log-odds: 1 and 0 when
the probabilities are right, a slope below 1 when they are too extreme), Brier score, the expected calibration
error over deciles, then the reliability table (deciles of predicted probability: commits, mean prediction,
observed rate with its Wilson interval) and the same by size (changed lines), where a model that extrapolates
to big changes shows it; and the ranking metrics (AUC, top-20% recall, recall at 20% of lines, Popt, 95%
bootstrap intervals) beside size alone. Labels of the newest year are censored (a fix can still come), so each
summary line also gives the figures on the commits with a whole year of follow-up ("aged").

The forms compared (`--forms`, default all): "linear" (the shipped form: log-odds linear in the standardised
factors) and "capped" (every factor bounded to the 1st-99th percentile of the training commits before the fit and
when predicting: a bounded, saturating size term, so a change beyond what the training saw is not extrapolated).
For the `--check` histories, "+intercept" also shifts the model's log-odds by the one constant fitted on the
history's older half (its own base rate, the ranking unchanged) and judges that on its newer half.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.calibration.evaluate import METRICS, bootstrap, rate_interval
from app.core.calibration.run import L2, label_history, usable_features
from app.core.calibration.szz import CalibrateConfig
from app.core.git.repo import GitRepo
from app.core.risk.likelihood import LikelihoodModel, fit_logistic

YEAR = 365 * 86_400
SIZE_BANDS = (0, 10, 50, 200, 500, 1000, 10**12)
CACHE_VERSION = "rel1"


@dataclass(frozen=True)
class Row:
    feats: dict[str, float]
    label: int
    code: bool
    lines: int
    time: int
    aged: bool  # a whole labelling window of follow-up before the newest studied commit


class Model:
    """A fitted model with the factors bounded (`caps`: name -> (low, high)) and its log-odds shifted."""

    def __init__(self, model: LikelihoodModel, caps: dict[str, tuple[float, float]], shift: float = 0.0) -> None:
        self.model, self.caps, self.shift = model, caps, shift

    def bounded(self, feats: dict[str, float]) -> dict[str, float]:
        return {k: min(max(v, self.caps[k][0]), self.caps[k][1]) if k in self.caps and math.isfinite(v) else v
                for k, v in feats.items()}

    def probability(self, feats: dict[str, float]) -> float:
        z = self.model.logit(self.bounded(feats)) + self.shift
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


Fit = Callable[[list[Row]], Model]


def rows_of(name: str, path: str, head: str, max_commits: int, max_fix_lines: int,
            cache: dict[str, Any], cache_file: Path) -> list[Row]:
    key = f"{CACHE_VERSION}:{name}:{head}:{max_commits}:{max_fix_lines}"
    if key not in cache:
        started = time.perf_counter()
        labelled = label_history(GitRepo(Path(path)), head, CalibrateConfig(max_fix_lines=max_fix_lines),
                                 max_commits=max_commits)
        cache[key] = {"rows": [[s.feats, s.label, int(s.code), s.lines, s.time] for s in labelled.samples],
                      "fixes": labelled.fixes, "traced": labelled.traced,
                      "seconds": round(time.perf_counter() - started, 1)}
        cache_file.write_text(json.dumps(cache))
    entry = cache[key]
    newest = max(r[4] for r in entry["rows"])
    rows = [Row(r[0], int(r[1]), bool(r[2]), int(r[3]), int(r[4]), r[4] <= newest - YEAR) for r in entry["rows"]]
    pos = sum(r.label for r in rows)
    print(f"{name:10} {len(rows):,} commits, {entry['fixes']} fixes ({entry['traced']} traced), {pos} "
          f"defect-inducing (base rate {pos / len(rows):.3f}); labelled in {entry['seconds']} s", flush=True)
    return rows


def fit_linear(rows: list[Row]) -> Model:
    feats = [r.feats for r in rows]
    return Model(fit_logistic(feats, [r.label for r in rows], L2, features=usable_features(feats)), {})


def fit_capped(rows: list[Row]) -> Model:
    caps = {}
    for name in rows[0].feats:
        values = sorted(v for r in rows if math.isfinite(v := r.feats.get(name, math.nan)))
        if values:
            caps[name] = (values[len(values) // 100], values[min(len(values) - 1, len(values) * 99 // 100)])
    bounded = Model(fit_linear(rows).model, caps)
    feats = [bounded.bounded(r.feats) for r in rows]
    return Model(fit_logistic(feats, [r.label for r in rows], L2, features=usable_features(feats)), caps)


def own_intercept(model: Model, rows: Sequence[Row]) -> Model:
    """`model` with its log-odds shifted by the constant that makes it fit `rows` best (maximum likelihood)."""
    logits = [logit(model.probability(r.feats)) for r in rows]
    labels = [r.label for r in rows]
    shift = 0.0
    for _ in range(50):  # Newton on the one constant
        probs = [1 / (1 + math.exp(-max(-30.0, min(30.0, z + shift)))) for z in logits]
        grad = sum(p - y for p, y in zip(probs, labels, strict=True))
        hess = sum(p * (1 - p) for p in probs) or 1.0
        shift -= grad / hess
        if abs(grad / hess) < 1e-9:
            break
    return Model(model.model, model.caps, model.shift + shift)


FORMS: dict[str, Fit] = {"linear": fit_linear, "capped": fit_capped}


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def calibration_line(probs: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """(slope, intercept) of the logistic fit of the labels on the model's log-odds (Cox's calibration line)."""
    fitted = fit_logistic([{"size": logit(p)} for p in probs], list(labels), 1e-6, features=("size",))
    slope = fitted.coefficients["size"] / fitted.scales["size"]
    return slope, fitted.intercept - slope * fitted.means["size"]


def deciles(probs: Sequence[float], labels: Sequence[int], bins: int = 10) -> list[tuple[int, float, int]]:
    """Equal-count bins by predicted probability: (commits, mean prediction, defect-inducing)."""
    order = sorted(range(len(probs)), key=lambda i: probs[i])
    out = []
    for b in range(bins):
        part = order[b * len(order) // bins:(b + 1) * len(order) // bins]
        if part:
            out.append((len(part), sum(probs[i] for i in part) / len(part), sum(labels[i] for i in part)))
    return out


def summary(probs: Sequence[float], labels: Sequence[int]) -> str:
    if not labels or not sum(labels):
        return "no defect-inducing commits"
    expected = sum(probs)
    slope, intercept = calibration_line(probs, labels)
    brier = sum((p - y) ** 2 for p, y in zip(probs, labels, strict=True)) / len(labels)
    ece = sum(abs(m * n - k) for n, m, k in deciles(probs, labels)) / len(labels)
    return (f"n {len(labels):,}, observed {sum(labels)} / expected {expected:.1f} = {sum(labels) / expected:.2f}, "
            f"slope {slope:.2f} intercept {intercept:+.2f}, Brier {brier:.4f}, ECE {ece:.4f}")


def reliability(probs: Sequence[float], rows: Sequence[Row]) -> None:
    labels = [r.label for r in rows]
    aged = [i for i, r in enumerate(rows) if r.aged]
    print(f"    all:  {summary(probs, labels)}")
    print(f"    aged: {summary([probs[i] for i in aged], [labels[i] for i in aged])}")
    print("    decile  commits  predicted  observed [95%]")
    for b, (n, mean, k) in enumerate(deciles(probs, labels), 1):
        rate, lo, hi = rate_interval(k, n)
        print(f"    {b:6}  {n:7}  {mean:9.3f}  {rate:.3f} [{lo:.3f},{hi:.3f}]")
    print("    lines       commits  predicted  observed [95%]     aged: commits predicted observed")
    for lo_lines, hi_lines in itertools.pairwise(SIZE_BANDS):
        band = [i for i, r in enumerate(rows) if lo_lines <= r.lines < hi_lines]
        if not band:
            continue
        k = sum(labels[i] for i in band)
        rate, lo, hi = rate_interval(k, len(band))
        old = [i for i in band if rows[i].aged]
        old_k = sum(labels[i] for i in old)
        old_text = (f"{len(old):5} {sum(probs[i] for i in old) / len(old):9.3f} {old_k / len(old):8.3f}"
                    if old else "")
        name = f"{lo_lines}-{hi_lines - 1}" if hi_lines < 10**12 else f"{lo_lines}+"
        print(f"    {name:10}  {len(band):7}  {sum(probs[i] for i in band) / len(band):9.3f}  "
              f"{rate:.3f} [{lo:.3f},{hi:.3f}]     {old_text}")


def ranking(probs: Sequence[float], rows: Sequence[Row], rounds: int) -> str:
    labels = [r.label for r in rows]
    lines = [float(r.lines) for r in rows]
    out = []
    for name, scores in (("model", list(probs)), ("size", [r.feats["size"] for r in rows])):
        values = [bootstrap(fn, scores, labels, lines, rounds=rounds) for fn in METRICS.values()]
        out.append(f"{name} " + " ".join(f"{v:.3f} [{lo:.2f},{hi:.2f}]" for v, lo, hi in values))
    return "; ".join(out)


def judge(title: str, model: Model, rows: Sequence[Row], rounds: int) -> None:
    code = [r for r in rows if r.code]
    probs = [model.probability(r.feats) for r in code]
    print(f"  {title}: code-touching commits; AUC, top-20%, recall at 20% of lines, Popt: "
          f"{ranking(probs, code, rounds)}")
    reliability(probs, code)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", default=str(Path(__file__).with_name("calibration_repos.txt")))
    parser.add_argument("--check", help="histories not fitted on (NAME PATH HEAD lines)")
    parser.add_argument("--max-commits", type=int, default=1500)
    parser.add_argument("--check-max-commits", type=int, default=10_000)
    parser.add_argument("--max-fix-lines", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--forms", default=",".join(FORMS))
    parser.add_argument("--cache", default="/tmp/calibrate_reliability_cache.json")
    args = parser.parse_args()
    cache_file = Path(args.cache)
    cache: dict[str, Any] = json.loads(cache_file.read_text()) if cache_file.exists() else {}

    def listing(file: str, max_commits: int) -> dict[str, list[Row]]:
        out = {}
        for line in Path(file).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                name, path, head = line.split()[:3]
                out[name] = rows_of(name, path, head, max_commits, args.max_fix_lines, cache, cache_file)
        return out

    data = listing(args.repos, args.max_commits)
    checks = listing(args.check, args.check_max_commits) if args.check else {}
    for form in args.forms.split(","):
        fit = FORMS[form]
        print(f"\n== form {form} (L2 {L2}) ==")
        pooled: dict[str, tuple[list[float], list[Row]]] = {"loro": ([], []), "newer": ([], [])}
        older = [r for rows in data.values() for r in rows[: len(rows) // 2]]
        on_older = fit(older)
        for held, rows in data.items():
            loro = fit([r for name, rs in data.items() if name != held for r in rs])
            newer = [r for r in rows[len(rows) // 2:] if r.code]
            for what, model, part in (("loro", loro, [r for r in rows if r.code]), ("newer", on_older, newer)):
                pooled[what][0].extend(model.probability(r.feats) for r in part)
                pooled[what][1].extend(part)
            code = [r for r in rows if r.code]
            print(f"{held}: loro {summary([loro.probability(r.feats) for r in code], [r.label for r in code])}")
        for what, (probs, rows) in pooled.items():
            print(f"  six histories pooled, {what}: {ranking(probs, rows, args.rounds)}")
            reliability(probs, rows)
        on_all = fit([r for rows in data.values() for r in rows])
        for name, rows in checks.items():
            judge(f"{name} (not fitted on), all studied", on_all, rows, args.rounds)
            judge(f"{name}, newer half", on_all, rows[len(rows) // 2:], args.rounds)
            shifted = own_intercept(on_all, rows[: len(rows) // 2])
            judge(f"{name}, newer half, +intercept {shifted.shift:+.2f} from the older half", shifted,
                  rows[len(rows) // 2:], args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
