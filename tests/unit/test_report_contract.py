"""The typed contract between the analysis and its readers (app/analysis/report.py): the JSON of an
Assessment reads back to an equal Assessment, keeps the `list --json` key order, and a malformed
cache entry is a ValueError (the cache treats it as a miss), never a half-filled report."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.analysis.report import (
    AISummary,
    Assessment,
    ComplexitySummary,
    DestructiveFinding,
    FactorSummary,
    HistorySummary,
    PlanSummary,
    RiskSummary,
    TierSummary,
    WorstFunction,
)

LIST_KEYS = ["score", "band", "band_reason", "factors", "likelihood", "base_likelihood", "impact", "expected_cost",
             "risk_model", "tier", "tier_reasons", "ai_share", "ai_added", "ai_tools",
             "ai_method", "ai_notes", "ai_evidence", "ai_commits", "ai_commit_count", "complexity_added",
             "complexity_pending", "worst_function", "complexity_errors", "complexity_measured",
             "complexity_credited", "destructive_ops", "chunks", "floor_seconds", "chunk_hashes", "too_big", "history",
             "destructive_notes", "blast_radius", "seams", "file_problems", "unsafe_code",
             "risk_per_minute"]

text = st.text(max_size=12)
numbers = st.floats(allow_nan=False, allow_infinity=False, width=32)

assessments = st.builds(
    Assessment,
    risk=st.builds(RiskSummary, score=numbers, band=text, band_reason=text, factors=st.lists(st.builds(
        FactorSummary, name=text, raw=st.one_of(numbers, st.integers(), text), normalised=numbers, weight=numbers,
        contribution=numbers, explanation=text, kind=st.sampled_from(["likelihood", "impact"]), effect=numbers),
        max_size=3).map(tuple), likelihood=numbers, base_likelihood=numbers, impact=numbers, expected_cost=numbers,
        model=text),
    tiers=st.builds(TierSummary, tier=st.integers(0, 3), reasons=st.lists(text, max_size=3).map(tuple)),
    ai=st.builds(AISummary, share=numbers, added=st.integers(0), tools=st.lists(text, max_size=2).map(tuple),
                 method=text, notes=st.lists(text, max_size=2).map(tuple)),
    complexity=st.builds(ComplexitySummary, added=st.integers(), pending=st.booleans(),
                         worst_function=st.none() | st.builds(WorstFunction, name=text, path=st.none() | text,
                                                              grade=text, complexity=st.integers()),
                         errors=st.dictionaries(text, text, max_size=2), measured=st.booleans(),
                         credited=st.integers(0)),
    destructive_ops=st.lists(st.builds(DestructiveFinding, kind=text, path=text, line=st.none() | st.integers(1),
                                       side=st.sampled_from(["new", "old"]), text=text, explanation=text),
                             max_size=2).map(tuple),
    plan=st.builds(PlanSummary, chunk_count=st.integers(0), floor_seconds=st.integers(0),
                   chunk_hashes=st.lists(text, max_size=3).map(tuple)),
    history=st.none() | st.builds(HistorySummary, hottest_path=st.none() | text, hottest_changes=st.integers(0),
                                  recent_authors=st.integers(0), author_prior_commits=st.integers(0),
                                  window_days=st.integers(1)),
)


@given(assessments)
def test_json_reads_back_equal_and_in_list_order(found: Assessment) -> None:
    data = json.loads(json.dumps(found.to_json()))
    assert Assessment.from_json(data) == found
    expected = LIST_KEYS if found.history is not None else [k for k in LIST_KEYS if k != "history"]
    assert list(data) == expected


def _sample() -> dict:
    return Assessment(
        RiskSummary(42.5, "high", "tier 0", (FactorSummary("size", 120, 0.5, 10.0, 5.0, "120 lines"),)),
        TierSummary(0, ("a.tf matches '*.tf'",)), AISummary(0.25, 10, ("Claude Code",), "line", ()),
        ComplexitySummary(3, False, WorstFunction("f", "a.py", "B", 7), {}), (), PlanSummary(2, 600, ("h1", "h2")),
    ).to_json()


@pytest.mark.parametrize("damage", [
    lambda d: d.pop("score"),
    lambda d: d.update(tier="zero"),
    lambda d: d.update(factors=[{"name": "size"}]),
    lambda d: d.update(chunk_hashes="h1"),
    lambda d: d.update(worst_function=[1, 2]),
    lambda d: d.update(complexity_pending=None),
])
def test_a_malformed_entry_is_a_value_error(damage) -> None:
    data = _sample()
    assert Assessment.from_json(data).risk.factors[0].raw == 120  # an int stays an int
    damage(data)
    with pytest.raises(ValueError):
        Assessment.from_json(data)
