"""Fixtures shared by the functional (TUI) tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.storage.cache import AnalysisCache


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory, payments_repo: Path) -> AnalysisCache:
    """An analysis cache with the payments sample measured once, shared by the TUI tests: the
    complexity of a 21,670-line change is measured once per session, not once per test."""
    cache = AnalysisCache.open(tmp_path_factory.mktemp("cache") / "analysis.db")
    Analyzer(payments_repo, cache=cache).analyze_all()
    return cache
