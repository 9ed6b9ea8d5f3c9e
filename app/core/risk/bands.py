"""The risk bands, mildest first: the order a fold, a filter, a theme and the ranking compare bands in.

A module of its own so the TUI's first paint can name the bands without importing the score (test_fast_start)."""

BAND_NAMES = ("low", "medium", "high", "critical")
