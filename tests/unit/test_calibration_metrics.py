"""Ranking metrics of the calibration (issue 12) on hand-checked cases."""

from __future__ import annotations

import math

import pytest

from app.core.calibration.evaluate import (
    METRICS,
    auc,
    bootstrap,
    paired_gain,
    popt,
    rate_interval,
    recall_at_lines,
    recall_top,
)


def test_auc_perfect_reversed_and_ties() -> None:
    assert auc([1, 2, 3, 4], [0, 0, 1, 1]) == 1.0
    assert auc([4, 3, 2, 1], [0, 0, 1, 1]) == 0.0
    assert auc([1, 1, 1, 1], [0, 1, 0, 1]) == 0.5
    assert math.isnan(auc([1, 2], [1, 1]))


def test_recall_top_counts_the_first_fifth() -> None:
    scores = list(range(10))  # top 20% = scores 9 and 8
    labels = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert recall_top(scores, labels) == pytest.approx(2 / 3)


def test_recall_at_lines_reads_by_density() -> None:
    # four changes of 10 lines and one of 160: 20% of 200 lines = 40 lines = the four small ones
    scores = [1.0, 1.0, 1.0, 1.0, 10.0]  # density 0.1 each against 0.0625
    labels = [1, 0, 1, 0, 1]
    lines = [10.0, 10.0, 10.0, 10.0, 160.0]
    assert recall_at_lines(scores, labels, lines) == pytest.approx(2 / 3)


def test_popt_is_one_for_the_optimal_order_and_zero_for_the_worst() -> None:
    labels = [1, 0, 1, 0]
    lines = [10.0, 50.0, 20.0, 5.0]
    assert popt([10.0, 0.0, 10.0, 0.0], labels, lines) == pytest.approx(1.0)
    assert popt([-1.0, 100.0, 0.0, 1.0], labels, lines) == pytest.approx(0.0)  # big clean first


def test_bootstrap_is_deterministic_and_brackets_the_value() -> None:
    scores = [i % 7 + (i % 3) * 0.5 for i in range(80)]
    labels = [1 if i % 7 > 4 else 0 for i in range(80)]
    lines = [float(5 + i % 11) for i in range(80)]
    for metric in METRICS.values():
        value, low, high = bootstrap(metric, scores, labels, lines, rounds=50)
        assert low <= value <= high
        assert bootstrap(metric, scores, labels, lines, rounds=50) == (value, low, high)


def test_wilson_interval() -> None:
    p, low, high = rate_interval(5, 50)
    assert p == 0.1 and 0.03 < low < 0.1 < high < 0.22
    assert math.isnan(rate_interval(0, 0)[0])


def test_a_gain_on_the_same_commits_is_a_win_only_when_its_paired_interval_is_above_zero() -> None:
    """QA50 #7 (uv): the own model's AUC 0.780 against the defaults' 0.779 replaced them; the two rankings of
    the same commits move together, so only the interval of their difference says whether one is ahead."""
    import random

    rng = random.Random(3)
    labels = [1 if rng.random() < 0.2 else 0 for _ in range(1500)]
    lines = [float(rng.randrange(1, 400)) for _ in labels]
    signal = [y + rng.gauss(0, 1.2) for y in labels]
    jitter = [s + rng.gauss(0, 0.02) for s in signal]  # the same ranking, slightly shaken
    sharper = [y + rng.gauss(0, 0.6) for y in labels]
    gain, low, high = paired_gain(METRICS["auc"], jitter, signal, labels, lines)
    assert low < 0 < high and abs(gain) < 0.01
    gain, low, high = paired_gain(METRICS["auc"], sharper, signal, labels, lines)
    assert gain > 0.05 and low > 0


def _old_bootstrap(metric, scores, labels, lines, rounds, seed=12, keep_order=False):  # type: ignore[no-untyped-def]
    """The resampling as calibrate did it before stop 51: a fresh draw for every metric and ranking."""
    import random

    rng = random.Random(seed)
    n = len(labels)
    samples = []
    for _ in range(rounds):
        pick = [rng.randrange(n) for _ in range(n)]
        got = metric([scores[i] for i in pick], [labels[i] for i in pick], [lines[i] for i in pick])
        if math.isfinite(got):
            samples.append(got)
    return samples if keep_order else sorted(samples)


def test_the_resamples_are_drawn_once_per_evaluation_and_give_the_same_intervals() -> None:
    """Stop 51: calibrate drew the same 200 resamples of the newer half 13 times (4 metrics x 3 rankings and the
    paired gain: 3% of its main thread on cline); they are drawn once and every figure is what it was."""
    from app.core.calibration import evaluate

    scores = [((i * 37) % 101) / 7 for i in range(311)]
    other = [((i * 53) % 97) / 3 for i in range(311)]
    labels = [1 if (i * 29) % 13 > 9 else 0 for i in range(311)]
    lines = [float(1 + (i * 17) % 400) for i in range(311)]
    evaluate._picks.cache_clear()
    for metric in METRICS.values():
        value, low, high = bootstrap(metric, scores, labels, lines, rounds=40)
        old = _old_bootstrap(metric, scores, labels, lines, 40)
        assert (value, low, high) == (metric(scores, labels, lines), old[int(0.025 * len(old))],
                                      old[min(len(old) - 1, int(0.975 * len(old)))])
    gain = paired_gain(METRICS["auc"], scores, other, labels, lines, rounds=40)
    # the paired gain's resamples: the old draw of both rankings on the same picks
    paired = [a - b for a, b in zip(_old_bootstrap(METRICS["auc"], scores, labels, lines, 40, keep_order=True),
                                    _old_bootstrap(METRICS["auc"], other, labels, lines, 40, keep_order=True),
                                    strict=True)]
    paired.sort()
    assert gain == (auc(scores, labels) - auc(other, labels), paired[1], paired[39])
    info = evaluate._picks.cache_info()
    assert (info.misses, info.hits) == (1, 4)


def test_calibrate_says_when_size_alone_ranks_better_than_the_model_in_use() -> None:
    """rubygems.org (QA57): size alone had AUC 0.823 against the defaults' 0.792 and nothing said so; a reader took
    the table's last column for a baseline the model beats."""
    from app.core.calibration.run import Calibration, Figures, Labelled
    from app.core.risk.likelihood import default_model
    from app.report.calibration import CalibrationRun, summary_lines

    def run(own: float, defaults: float, size: float, adopt: bool) -> list[str]:
        figures = [Figures(name, {"auc": (auc, auc - 0.02, auc + 0.02)})
                   for name, auc in (("own", own), ("defaults", defaults), ("size", size))]
        calibration = Calibration(Labelled("a" * 40, 100, 10, 8), 50, 5, 40, 4, ("size",), default_model(), figures,
                                  {}, adopt, [])
        return summary_lines(CalibrationRun("repo", calibration, "kept", cached=False, seconds=1.0))

    said = run(0.798, 0.792, 0.823, adopt=False)[-1]
    assert said.startswith("Size alone ranked the newer half better than the built-in defaults (AUC 0.823 against "
                           "0.792)")
    adopted = run(0.810, 0.792, 0.823, adopt=True)[-1]
    assert "better than this repository's own model (AUC 0.823 against 0.810)" in adopted
    assert not any(line.startswith("Size alone") for line in run(0.798, 0.792, 0.780, adopt=False))
