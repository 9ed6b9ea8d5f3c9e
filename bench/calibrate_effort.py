"""Which effort-aware order should read the likelihood? (issue 12, FIX130)

    python bench/calibrate_effort.py [--repos bench/calibration_repos.txt] [--max-commits 1500] [--rounds 200]
                                     [--cache /tmp/calibrate_defaults_cache.json]

Recall at 20% of lines and Popt read the changes in an order and count the defect-inducing ones found per line
read by hand (the effort `calibrate` uses, FIX123). app/core/calibration/evaluate.py reads them by likelihood per
line (density, `_by_density`); the queue's "risk per review minute" divides the expected cost by the plan's floor
minutes (at least one). The effort-aware literature ranks otherwise, so each order below is measured on the rows of
calibrate_defaults.py (its cache: the same labels and factors), the likelihood model fitted as the built-in defaults
are (L2 100, the same features):

- density: likelihood / lines (what calibrate reports; ties smallest first)
- smallest first: 1 / lines (Yang et al. 2016's unsupervised "LT"-family baseline on the effort itself; what
  calibrate's "size" row reads), and smallest code change first (1 / LA+LD of code files, ties by lines)
- smallest files first (1 / bytes of the touched code files before the change: Yang's "LT", their best)
- likelihood^b / lines for a few b, and b chosen on the training commits (b > 1 trusts the likelihood more than its
  calibration against size says; b < 1 leans towards smallest first)
- likelihood / (lines + k) for a few k, and with k chosen on the training repositories (best mean Popt of the
  training model on them): a constant cost per change, as opening a change costs a reader
- likelihood / max(lines, 8.3): the queue's minute floor (a minute at 500 code lines an hour)
- per floor minute: likelihood / max(1, floor minutes), the floor estimated as the planner reads it (code lines at
  500/h, the other lines read by hand at the test rate 800/h, 10 s per point of complexity added): the queue's
  "risk per review minute" with every change's impact equal (calibration does not measure impact)
- EALR (Kamei et al. 2013): a ridge linear regression of defect-inducing / lines on the standardised factors
  (L2 100), read by its prediction
- a fitted effort-aware objective: Poisson regression of the label with the lines read as exposure (a log-lines
  offset; the same factors and L2), read by its fitted defects per line
- CBS / CBS+ (Huang et al. 2017 / 2019): changes the classifier calls defect-prone first (likelihood at least the
  training base rate, which is what a classifier trained on balanced classes calls p >= 0.5; or at least 0.5), each
  group smallest first (CBS) or by density (CBS+)

Three settings, each on code-touching commits: leave one repository out on the whole history (what the defaults are
to a new repository; the figures of bench/README.md "The effort is the lines read by hand"), leave one repository
out tested on each history's newer half (a repository and a time not fitted on), and each repository's own model
fitted on its older half tested on its newer half (what `calibrate` measures). Printed: the mean of the six for AUC
and top-20% recall of the likelihood (no order changes those) and of each order's key, recall at 20% of lines and
Popt, and each order's paired 95% bootstrap gain over density (calibrate_indent.py's paired_mean_gain: the same
resampled commits of each repository for both orders); then per repository, density against the best order.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate_defaults import Row, histories, usable_features

from app.core.calibration.evaluate import auc, average_ranks, recall_top
from app.core.calibration.run import L2
from app.core.risk.likelihood import _solve, _standardisation, fit_logistic

FLOOR_LINES = 500 / 60  # the code lines of one minute at ChunkConfig.lines_per_hour: the queue's minute floor
K_GRID = (0.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0)
B_GRID = (0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0)


@dataclass
class Case:
    """What an order sees of one set of test commits and of the commits its model was fitted on."""

    test: list[Row]
    p: list[float]  # the likelihood of each test commit
    train: list[Row]
    p_train: list[float]


Key = Callable[[Case], list[float]]  # a key per test commit: read highest first, ties smallest first


def effort(row: Row) -> float:
    return max(1.0, float(row[3]))


def read_order(key: Sequence[float], lines: Sequence[float]) -> list[int]:
    return sorted(range(len(key)), key=lambda i: (-key[i], lines[i]))


def recall_at_lines(order: Sequence[int], labels: Sequence[int], lines: Sequence[float], share: float = 0.2) -> float:
    """evaluate.recall_at_lines for a given reading order."""
    if not sum(labels):
        return math.nan
    budget = share * sum(lines)
    spent = 0.0
    found = 0
    for i in order:
        spent += lines[i]
        if spent > budget:
            break
        found += labels[i]
    return found / sum(labels)


def _area(order: Sequence[int], labels: Sequence[int], lines: Sequence[float]) -> float:
    total_lines, total_found = sum(lines), sum(labels)
    area = y = 0.0
    for i in order:
        dy = labels[i] / total_found
        area += lines[i] / total_lines * (2 * y + dy) / 2
        y += dy
    return area


def popt(order: Sequence[int], labels: Sequence[int], lines: Sequence[float],
         bounds: tuple[float, float] | None = None) -> float:
    """evaluate.popt for a given reading order; `bounds`: the optimal and worst areas, when already known."""
    if not sum(labels) or sum(labels) == len(labels):
        return math.nan
    best, worst = bounds or popt_bounds(labels, lines)
    return 1 - (best - _area(order, labels, lines)) / (best - worst) if best > worst else math.nan


def popt_bounds(labels: Sequence[int], lines: Sequence[float]) -> tuple[float, float]:
    n = range(len(labels))
    return (_area(sorted(n, key=lambda i: (-labels[i], lines[i])), labels, lines),
            _area(sorted(n, key=lambda i: (labels[i], -lines[i])), labels, lines))


METRICS = ("auc", "top20", "key_auc", "key_top20", "lines20", "popt")
EFFORT_METRICS = ("lines20", "popt")


def measure(p: Sequence[float], key: Sequence[float], labels: Sequence[int],
            lines: Sequence[float]) -> dict[str, float]:
    return {"auc": auc(p, labels), "top20": recall_top(p, labels), "key_auc": auc(key, labels),
            "key_top20": recall_top(key, labels), **effort_aware(key, labels, lines)}


def effort_aware(key: Sequence[float], labels: Sequence[int], lines: Sequence[float],
                 bounds: tuple[float, float] | None = None) -> dict[str, float]:
    order = read_order(key, lines)
    return {"lines20": recall_at_lines(order, labels, lines), "popt": popt(order, labels, lines, bounds)}


# -- the orders ----------------------------------------------------------------------------------


def density(case: Case) -> list[float]:
    return [p / effort(r) for p, r in zip(case.p, case.test, strict=True)]


def smallest(case: Case) -> list[float]:
    return [1 / effort(r) for r in case.test]


def smallest_code(case: Case) -> list[float]:
    return [1 / max(1.0, math.expm1(r[0]["code_size"])) for r in case.test]


def smallest_files(case: Case) -> list[float]:
    return [-r[0]["code_base"] if math.isfinite(r[0].get("code_base", math.nan)) else 0.0 for r in case.test]


def power(b: float) -> Key:
    def key(case: Case) -> list[float]:
        return [p ** b / effort(r) for p, r in zip(case.p, case.test, strict=True)]
    return key


def chosen_b(case: Case) -> float:
    """The exponent b of B_GRID whose order p^b / lines reads the training commits best (Popt, in-sample)."""
    labels = [r[1] for r in case.train if r[2]]
    lines = [effort(r) for r in case.train if r[2]]
    p = [x for x, r in zip(case.p_train, case.train, strict=True) if r[2]]

    def score(b: float) -> float:
        return popt(read_order([x ** b / n for x, n in zip(p, lines, strict=True)], lines), labels, lines)

    return max(B_GRID, key=lambda b: (score(b), -abs(b - 1)))


def fitted_b(case: Case) -> list[float]:
    return power(chosen_b(case))(case)


def plus_k(k: float) -> Key:
    def key(case: Case) -> list[float]:
        return [p / (effort(r) + k) for p, r in zip(case.p, case.test, strict=True)]
    return key


def chosen_k(case: Case) -> float:
    """The k of K_GRID whose order reads the training repositories best (mean Popt of the training model's own
    likelihoods, repository by repository where the rows say which; here all training rows as one)."""
    labels = [r[1] for r in case.train if r[2]]
    lines = [effort(r) for r in case.train if r[2]]
    p = [x for x, r in zip(case.p_train, case.train, strict=True) if r[2]]

    def score(k: float) -> float:
        return popt(read_order([x / (n + k) for x, n in zip(p, lines, strict=True)], lines), labels, lines)

    return max(K_GRID, key=lambda k: (score(k), -k))


def fitted_k(case: Case) -> list[float]:
    return plus_k(chosen_k(case))(case)


def minute_floor(case: Case) -> list[float]:
    return [p / max(effort(r), FLOOR_LINES) for p, r in zip(case.p, case.test, strict=True)]


def floor_minutes(row: Row) -> float:
    """The plan's floor of a commit as far as the rows tell: its code lines at 500/h, its other lines read by hand
    at the test rate (800/h), 10 s per point of complexity added; at least a minute (Assessment.risk_per_minute)."""
    code = min(float(row[3]), math.expm1(row[0]["code_size"]))
    complexity = row[0].get("complexity", 0.0)
    points = math.expm1(complexity) if math.isfinite(complexity) else 0.0
    seconds = code / 500 * 3600 + (float(row[3]) - code) / 800 * 3600 + 10 * points
    return max(1.0, seconds / 60)


def per_minute(case: Case) -> list[float]:
    return [p / floor_minutes(r) for p, r in zip(case.p, case.test, strict=True)]


def standardised_design(case: Case) -> Callable[[Row], list[float]]:
    """A row's design vector (1, then each usable factor standardised on the training rows; a missing one 0)."""
    names = list(usable_features(case.train))
    means, scales = _standardisation([r[0] for r in case.train], names)

    def design(row: Row) -> list[float]:
        return [1.0] + [(row[0][n] - means[n]) / scales[n] if math.isfinite(row[0].get(n, math.nan)) else 0.0
                        for n in names]
    return design


def ealr(case: Case) -> list[float]:
    """Kamei's EALR: ridge regression of label / lines on the standardised factors, the same L2 as the defaults."""
    design = standardised_design(case)
    xs = [design(r) for r in case.train]
    ys = [r[1] / effort(r) for r in case.train]
    k = len(xs[0])
    gram = [[sum(x[i] * x[j] for x in xs) + (L2 if i == j and i else 0.0) for j in range(k)] for i in range(k)]
    beta = _solve(gram, [sum(x[i] * y for x, y in zip(xs, ys, strict=True)) for i in range(k)])
    return [sum(b * v for b, v in zip(beta, design(r), strict=True)) for r in case.test]


def poisson(case: Case) -> list[float]:
    """A fitted effort-aware objective: Poisson regression of the label with the lines as exposure (log-lines
    offset), the same factors, standardisation and L2 as the defaults; read by the fitted defects per line."""
    design = standardised_design(case)
    xs = [design(r) for r in case.train]
    offsets = [math.log(effort(r)) for r in case.train]
    labels = [r[1] for r in case.train]
    k = len(xs[0])
    beta = [math.log(sum(labels) / sum(math.exp(o) for o in offsets))] + [0.0] * (k - 1)
    for _ in range(50):
        mu = [math.exp(min(30.0, o + sum(b * v for b, v in zip(beta, x, strict=True))))
              for x, o in zip(xs, offsets, strict=True)]
        grad = [sum((m - y) * x[i] for x, y, m in zip(xs, labels, mu, strict=True)) + (L2 * beta[i] if i else 0.0)
                for i in range(k)]
        hess = [[sum(m * x[i] * x[j] for x, m in zip(xs, mu, strict=True)) + (L2 if i == j and i else 0.0)
                 for j in range(k)] for i in range(k)]
        step = _solve(hess, grad)
        beta = [b - st for b, st in zip(beta, step, strict=True)]
        if max(abs(st) for st in step) < 1e-7:
            break
    return [sum(b * v for b, v in zip(beta, design(r), strict=True)) for r in case.test]


def cbs(threshold: float | None, plus: bool) -> Key:
    """Predicted defect-prone first (p >= threshold; None: the training base rate), each group smallest first
    (CBS) or by density (CBS+)."""
    def key(case: Case) -> list[float]:
        cut = sum(r[1] for r in case.train) / len(case.train) if threshold is None else threshold
        within = density(case) if plus else [1 / (1 + effort(r)) for r in case.test]
        return [2.0 * (p >= cut) + w for p, w in zip(case.p, within, strict=True)]
    return key


ORDERS: dict[str, Key] = {
    "density (calibrate now)": density,
    "smallest first (1/lines)": smallest,
    "smallest code first (1/LA+LD)": smallest_code,
    "smallest files first (1/LT)": smallest_files,
    **{f"p^{b:g} / lines": power(b) for b in (0.75, 1.25, 1.5)},
    "p^b / lines, b fitted": fitted_b,
    **{f"p / (lines + {k:g})": plus_k(k) for k in (5.0, 20.0, 50.0)},
    "p / (lines + k), k fitted": fitted_k,
    "p / max(lines, 8.3): minute floor": minute_floor,
    "p / floor minutes (queue, impact 1)": per_minute,
    "EALR (ridge on label/lines)": ealr,
    "Poisson per line (log-lines offset)": poisson,
    "CBS, p >= base rate": cbs(None, plus=False),
    "CBS+, p >= base rate": cbs(None, plus=True),
    "CBS+, p >= 0.5": cbs(0.5, plus=True),
}


# -- settings ------------------------------------------------------------------------------------


def cases(data: dict[str, list[Row]], setting: str) -> dict[str, Case]:
    """Per repository: its test commits (code-touching) and what the model was fitted on, in `setting`:
    loro (other repositories, whole history), loro-newer (other repositories, tested on the newer half),
    own-newer (its own older half, tested on its newer half)."""
    features = usable_features([r for rows in data.values() for r in rows])
    out: dict[str, Case] = {}
    for held, rows in data.items():
        if setting == "own-newer":
            train = rows[:len(rows) // 2]
        else:
            train = [r for name, other in data.items() if name != held for r in other]
        test = [r for r in (rows if setting == "loro" else rows[len(rows) // 2:]) if r[2]]
        model = fit_logistic([r[0] for r in train], [r[1] for r in train], L2, features=features)
        out[held] = Case(test, [model.probability(r[0]) for r in test], train,
                         [model.probability(r[0]) for r in train])
    return out


Scored = tuple[list[float], list[float], list[int], list[float]]  # likelihood, key, labels, lines


class Resamples:
    """The bootstrap's resampled commits of each repository, drawn once, with what every order shares on them (the
    labels, lines and Popt's optimal and worst areas), and each order's effort-aware figures on them."""

    def __init__(self, sizes: dict[str, int], rounds: int, seed: int = 12) -> None:
        rng = random.Random(seed)
        self.picks = [{repo: [rng.randrange(n) for _ in range(n)] for repo, n in sizes.items()}
                      for _ in range(rounds)]
        self.shared: dict[tuple[int, str], tuple[list[int], list[float], tuple[float, float]]] = {}

    def figures(self, scored: dict[str, Scored]) -> list[dict[str, float]]:
        """Per round, the mean over repositories of each effort-aware metric."""
        out = []
        for n, pick in enumerate(self.picks):
            sums: dict[str, float] = defaultdict(float)
            for repo, idx in pick.items():
                _, key, labels, lines = scored[repo]
                if (n, repo) not in self.shared:
                    picked_labels, picked_lines = [labels[i] for i in idx], [lines[i] for i in idx]
                    self.shared[n, repo] = (picked_labels, picked_lines, popt_bounds(picked_labels, picked_lines))
                got = effort_aware([key[i] for i in idx], *self.shared[n, repo])
                for m in EFFORT_METRICS:
                    sums[m] += got[m] / len(pick)
            out.append(sums)
        return out


def paired_gain(a: dict[str, Scored], b: dict[str, Scored], resamples: Resamples,
                cache: dict[int, list[dict[str, float]]] | None = None) -> dict[str, tuple[float, float, float]]:
    """Mean over repositories of metric(a) - metric(b) for the effort-aware metrics, with the percentile interval
    of resampling each repository's commits (the same picks for both; calibrate_indent.py's paired_mean_gain).
    `cache` keeps each ranking's figures by id, so the base of many comparisons is resampled once."""
    cache = {} if cache is None else cache
    for scored in (a, b):
        if id(scored) not in cache:
            cache[id(scored)] = resamples.figures(scored)
    value = {m: sum(effort_aware(*a[r][1:])[m] - effort_aware(*b[r][1:])[m] for r in a) / len(a)
             for m in EFFORT_METRICS}
    result = {}
    for m in EFFORT_METRICS:
        ordered = sorted(x[m] - y[m] for x, y in zip(cache[id(a)], cache[id(b)], strict=True)
                         if math.isfinite(x[m] - y[m]))
        result[m] = (value[m], ordered[int(0.025 * len(ordered))],
                     ordered[min(len(ordered) - 1, int(0.975 * len(ordered)))])
    return result


def run(data: dict[str, list[Row]], setting: str, rounds: int, only: Sequence[str] = ()) -> None:
    per_case = cases(data, setting)
    scored: dict[str, dict[str, Scored]] = {}
    for name, key in ORDERS.items():
        if only and name != "density (calibrate now)" and not any(o in name for o in only):
            continue
        scored[name] = {repo: (c.p, key(c), [r[1] for r in c.test], [effort(r) for r in c.test])
                        for repo, c in per_case.items()}
    ks = {repo: (chosen_k(c), chosen_b(c)) for repo, c in per_case.items()}
    print(f"\n== {setting}: mean of {len(data)} repositories (code-touching commits); k and b fitted per held-out "
          f"repository: {', '.join(f'{r} {k:g}, {b:g}' for r, (k, b) in ks.items())}")
    print(f"{'order':38} {'AUC':>6} {'top20':>6} {'keyAUC':>6} {'keyTop':>6} {'rec@20%L':>8} {'Popt':>6}"
          "   gain over density [paired 95%]: rec@20%L, Popt")
    base = scored["density (calibrate now)"]
    resamples = Resamples({repo: len(c.test) for repo, c in per_case.items()}, rounds)
    cache: dict[int, list[dict[str, float]]] = {}
    per_repo: dict[str, dict[str, dict[str, float]]] = {}
    for name, by_repo in scored.items():
        per_repo[name] = {repo: measure(*s) for repo, s in by_repo.items()}
        mean = {m: sum(v[m] for v in per_repo[name].values()) / len(by_repo) for m in METRICS}
        line = f"{name:38} " + " ".join(f"{mean[m]:6.3f}" for m in METRICS[:4]) + f" {mean['lines20']:8.3f} " \
            f"{mean['popt']:6.3f}"
        if by_repo is not base:
            gain = paired_gain(by_repo, base, resamples, cache)
            line += "   " + "  ".join(f"{v:+.3f} [{lo:+.3f},{hi:+.3f}]" for v, lo, hi in gain.values())
        print(line, flush=True)
    print("per repository (n code commits, inducing): rec@20%L / Popt")
    shown = [name for name in ("density (calibrate now)", "smallest first (1/lines)", "p / (lines + k), k fitted",
                               "p / floor minutes (queue, impact 1)", "Poisson per line (log-lines offset)",
                               "CBS+, p >= base rate") if name in per_repo]
    print(f"{'repository':22} " + " ".join(f"{s[:18]:>18}" for s in shown))
    for repo, c in per_case.items():
        print(f"{repo:11} {len(c.test):4} ({sum(r[1] for r in c.test):3}) " + " ".join(
            f"{per_repo[s][repo]['lines20']:8.3f} / {per_repo[s][repo]['popt']:.3f}" for s in shown), flush=True)


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    ra, rb = average_ranks(a), average_ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    return cov / math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))


def queue(listing: str, name: str, listed: str, max_commits: int, max_fix_lines: int, rounds: int) -> None:
    """The queue's own order on real commits: `listed` is `review-tui list --range A..HEAD --first-parent --json`
    of repository `name` (A: the last commit of the older half), joined by commit to the labels of label_history;
    each order read on the newer half's code-touching commits with calibrate's effort (lines read by hand)."""
    import json

    from app.core.calibration.run import label_history
    from app.core.calibration.szz import CalibrateConfig
    from app.core.git.repo import GitRepo
    from app.core.risk.likelihood import default_model

    path, head = next((p, h) for n, p, h in (line.split()[:3] for line in Path(listing).read_text().splitlines()
                                            if line.strip() and not line.startswith("#")) if n == name)
    samples = label_history(GitRepo(path), head, CalibrateConfig(max_fix_lines=max_fix_lines),
                            max_commits=max_commits).samples
    rows = {r["head"]: r for r in json.loads(Path(listed).read_text())}
    newer = [s for s in samples[len(samples) // 2:] if s.code]
    both = [s for s in newer if s.sha in rows and rows[s.sha].get("risk_per_minute") is not None]
    shipped = default_model()
    labels = [s.label for s in both]
    lines = [max(1.0, float(s.lines)) for s in both]
    listed_p = [float(rows[s.sha]["likelihood"]) for s in both]
    minutes = [max(60, rows[s.sha]["floor_seconds"]) / 60 for s in both]
    keys = {
        "density, calibrate's likelihood (calibrate)": [shipped.probability(s.feats) / n for s, n in
                                                           zip(both, lines, strict=True)],
        "density, the queue's likelihood": [p / n for p, n in zip(listed_p, lines, strict=True)],
        "likelihood per floor minute (impact 1)": [p / m for p, m in zip(listed_p, minutes, strict=True)],
        "risk per review minute (the queue's p)": [float(rows[s.sha]["risk_per_minute"]) for s in both],
        "expected cost per line": [float(rows[s.sha]["expected_cost"]) / n for s, n in zip(both, lines, strict=True)],
        "smallest first": [1 / n for n in lines],
    }
    print(f"\n== the queue's order on {name}'s newer half: {len(both)} of {len(newer)} code-touching commits listed, "
          f"{sum(labels)} defect-inducing")
    print(f"floor minutes against lines read by hand: Spearman {spearman(minutes, lines):.3f}; at the one-minute "
          f"floor: {sum(m <= 1 for m in minutes)}; median lines per floor minute "
          f"{sorted(n / m for n, m in zip(lines, minutes, strict=True))[len(lines) // 2]:.1f}")
    print(f"likelihood, the queue's against calibration's: Spearman "
          f"{spearman(listed_p, [shipped.probability(s.feats) for s in both]):.3f}; AUC "
          f"{auc(listed_p, labels):.3f} / {auc([shipped.probability(s.feats) for s in both], labels):.3f}")
    base_key = keys["density, calibrate's likelihood (calibrate)"]
    p = [0.0] * len(base_key)
    # the same orders read with the effort in floor minutes: each order is best on the effort it divides by
    for effort_name, cost in (("lines read by hand", lines), ("floor minutes", minutes)):
        base = keys["density, calibrate's likelihood (calibrate)" if cost is lines else
                    "likelihood per floor minute (impact 1)"]
        print(f"effort: {effort_name}; gains over {'density' if cost is lines else 'likelihood per floor minute'}")
        resamples = Resamples({name: len(base_key)}, rounds)
        for what, key in keys.items():
            got = effort_aware(key, labels, cost)
            line = (f"  {what:46} rec@20% {got['lines20']:.3f}  Popt {got['popt']:.3f}  Spearman with calibrate's "
                    f"{spearman(key, base_key):.3f}")
            if key is not base:
                gain = paired_gain({name: (p, key, labels, cost)}, {name: (p, base, labels, cost)}, resamples)
                line += "  gain " + "  ".join(f"{v:+.3f} [{lo:+.3f},{hi:+.3f}]" for v, lo, hi in gain.values())
            print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", default=str(Path(__file__).with_name("calibration_repos.txt")))
    parser.add_argument("--max-commits", type=int, default=1500)
    parser.add_argument("--max-fix-lines", type=int, default=200)
    parser.add_argument("--cache", default="/tmp/calibrate_defaults_cache.json")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--settings", default="loro,loro-newer,own-newer")
    parser.add_argument("--orders", default="", help="comma-separated parts of order names: only those (and density)")
    parser.add_argument("--queue", metavar="NAME=LIST_JSON", action="append", default=[],
                        help="`list --range --first-parent --json` of a listed repository's newer half: the queue's "
                        "own orders on it, instead of the settings")
    args = parser.parse_args()
    if args.queue:
        for item in args.queue:
            name, listed = item.split("=", 1)
            queue(args.repos, name, listed, args.max_commits, args.max_fix_lines, args.rounds)
        return 0
    data = histories(args.repos, args.max_commits, args.max_fix_lines, args.cache)
    for setting in args.settings.split(","):
        run(data, setting, args.rounds, [o for o in args.orders.split(",") if o])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
