"""Shared text helpers."""

from __future__ import annotations

from app.core.text import significant


def test_significant_keeps_small_rates_readable() -> None:
    # a 21,670-line change's risk per review minute is about 0.0004: never "0.000", never "3.7e-05"
    assert significant(0.000374) == "0.00037"
    assert significant(3.7e-05) == "0.000037"
    assert significant(0.0521) == "0.052"
    assert significant(1.4) == "1.400"
    assert significant(0) == "0.000"
