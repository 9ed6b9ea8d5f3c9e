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


@pytest.fixture
def orphan_repo(make_repo):
    """A branch that can be analysed (feature/ok) and one with no common history with main (orphan)."""
    from tests.conftest import ALICE, BOB

    repo = make_repo("broken")
    repo.commit("init", {"app.py": "x = 1\n"}, author=ALICE)
    repo.branch("feature/ok")
    repo.commit("ok change", {"app.py": "x = 2\n"}, branch="feature/ok", author=BOB)
    repo.commit("unrelated history", {"other.py": "y = 1\n"}, ref="refs/heads/orphan", author=BOB, parents=[])
    repo.checkout()
    return repo
