"""Ranking metrics of a defect-prediction model, with bootstrap confidence intervals (issue 12).

- AUC: the chance a random defect-inducing change is ranked above a random clean one (ties count half).
- recall_top: the share of defect-inducing changes in the top `share` of changes by score.
- recall_at_lines: effort-aware; changes ranked by score per changed line (density), the share of
  defect-inducing changes found before `share` of all changed lines are read (Kamei et al. 2013).
- popt: Popt = 1 - (area between the optimal and the model's effort curve) / (area between the optimal
  and the worst curve), the effort curve being found defects against changed lines read, ranked by density.
Bootstrap intervals resample changes with a fixed seed, so the same data give the same interval.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Sequence

Metric = Callable[[Sequence[float], Sequence[int], Sequence[float]], float]


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks of `values`, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Mann-Whitney AUC; NaN when only one class is present."""
    ranks = average_ranks(scores)
    pos = sum(labels)
    neg = len(labels) - pos
    if not pos or not neg:
        return math.nan
    return (sum(r for r, y in zip(ranks, labels, strict=True) if y) - pos * (pos + 1) / 2) / (pos * neg)


def recall_top(scores: Sequence[float], labels: Sequence[int], share: float = 0.2) -> float:
    """Share of the defect-inducing changes among the top `share` of changes (ties broken by position)."""
    if not sum(labels):
        return math.nan
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    top = order[: max(1, round(len(order) * share))]
    return sum(labels[i] for i in top) / sum(labels)


def _by_density(scores: Sequence[float], lines: Sequence[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i] / max(1.0, lines[i]), lines[i]))


def recall_at_lines(scores: Sequence[float], labels: Sequence[int], lines: Sequence[float],
                    share: float = 0.2) -> float:
    """Share of the defect-inducing changes found within `share` of all changed lines, read by density."""
    if not sum(labels):
        return math.nan
    budget = share * sum(max(1.0, x) for x in lines)
    spent = 0.0
    found = 0
    for i in _by_density(scores, lines):
        spent += max(1.0, lines[i])
        if spent > budget:
            break
        found += labels[i]
    return found / sum(labels)


def _curve_area(order: Sequence[int], labels: Sequence[int], lines: Sequence[float]) -> float:
    """Area under found-defects (share) against lines read (share), trapezoids."""
    total_lines = sum(max(1.0, x) for x in lines)
    total_found = sum(labels)
    area = 0.0
    x = y = 0.0
    for i in order:
        dx = max(1.0, lines[i]) / total_lines
        dy = labels[i] / total_found
        area += dx * (y + y + dy) / 2
        x += dx
        y += dy
    return area


def popt(scores: Sequence[float], labels: Sequence[int], lines: Sequence[float]) -> float:
    """Popt of the ranking by score density (1 = optimal, 0 = worst)."""
    if not sum(labels) or sum(labels) == len(labels):
        return math.nan
    n = range(len(labels))
    optimal = _curve_area(sorted(n, key=lambda i: (-labels[i], lines[i])), labels, lines)
    worst = _curve_area(sorted(n, key=lambda i: (labels[i], -lines[i])), labels, lines)
    model = _curve_area(_by_density(scores, lines), labels, lines)
    if optimal - worst <= 0:
        return math.nan
    return 1 - (optimal - model) / (optimal - worst)


METRICS: dict[str, Metric] = {
    "auc": lambda s, y, _lines: auc(s, y),
    "recall_top20": lambda s, y, _lines: recall_top(s, y),
    "recall_lines20": recall_at_lines,
    "popt": popt,
}


def bootstrap(metric: Metric, scores: Sequence[float], labels: Sequence[int], lines: Sequence[float], *,
              rounds: int = 200, seed: int = 12, level: float = 0.95) -> tuple[float, float, float]:
    """(value, low, high): the metric and its percentile bootstrap interval (resampling changes)."""
    value = metric(scores, labels, lines)
    samples: list[float] = []
    for pick in _picks(len(labels), rounds, seed):
        got = metric([scores[i] for i in pick], [labels[i] for i in pick], [lines[i] for i in pick])
        if math.isfinite(got):
            samples.append(got)
    return (value, *_percentiles(samples, level))


@functools.lru_cache(maxsize=2)
def _picks(n: int, rounds: int, seed: int) -> tuple[tuple[int, ...], ...]:
    """The resamples of `n` changes, the same for every metric and ranking of one evaluation (calibrate drew
    the same ones 13 times: 3% of its main thread on cline, stop 51)."""
    rng = random.Random(seed)
    return tuple(tuple(rng.randrange(n) for _ in range(n)) for _ in range(rounds))


def _percentiles(samples: list[float], level: float) -> tuple[float, float]:
    """The (low, high) percentile interval of bootstrap samples at `level`; NaNs when there are none."""
    if not samples:
        return math.nan, math.nan
    samples.sort()
    tail = (1 - level) / 2
    return (samples[min(len(samples) - 1, int(tail * len(samples)))],
            samples[min(len(samples) - 1, int((1 - tail) * len(samples)))])


def paired_gain(metric: Metric, better: Sequence[float], than: Sequence[float], labels: Sequence[int],
                lines: Sequence[float], *, rounds: int = 200, seed: int = 12,
                level: float = 0.95) -> tuple[float, float, float]:
    """(gain, low, high): how much `better` ranks above `than` by the metric, with a percentile interval from
    resampling the same changes for both (paired): two rankings of the same commits move together, so their own
    intervals overlap even where one is reliably ahead, and a gain of 0.0013 looked like a win where it was noise."""
    gain = metric(better, labels, lines) - metric(than, labels, lines)
    samples: list[float] = []
    for pick in _picks(len(labels), rounds, seed):
        picked_labels, picked_lines = [labels[i] for i in pick], [lines[i] for i in pick]
        got = (metric([better[i] for i in pick], picked_labels, picked_lines)
               - metric([than[i] for i in pick], picked_labels, picked_lines))
        if math.isfinite(got):
            samples.append(got)
    return (gain, *_percentiles(samples, level))


def rate_interval(events: int, trials: int, z: float = 1.96) -> tuple[float, float, float]:
    """A proportion and its Wilson score interval (for the later-fix rate per AI tool)."""
    if trials <= 0:
        return math.nan, math.nan, math.nan
    p = events / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)
