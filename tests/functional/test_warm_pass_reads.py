"""Issue 18: a warm pass, where every report comes from the cache, reads nothing proportional to the base's
history: it asked whether the history index was at hand for the zero changes left to score, which read the whole
index (netbox: 1.6 MB of JSON on every warm `list` and TUI start)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.analysis.history import INDEX_KIND
from app.storage.cache import AnalysisCache


def test_a_warm_pass_reads_no_history_index(payments_repo: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cache = AnalysisCache.open(tmp_path / "analysis.db")
    cold = Analyzer(payments_repo, cache=cache).analyze_all()
    assert cache.count(INDEX_KIND) >= 1  # the cold pass walked the history and kept its index
    read: list[str] = []
    real = AnalysisCache.get_many

    def reading(self: AnalysisCache, kind: str, keys):  # type: ignore[no-untyped-def]
        read.append(kind)
        return real(self, kind, keys)

    monkeypatch.setattr(AnalysisCache, "get_many", reading)
    warm = Analyzer(payments_repo, cache=cache).analyze_all()
    assert [r.id for r in warm] == [r.id for r in cold] and all(r.complete for r in warm)
    assert [r.assessment.to_json() for r in warm if r.assessment] == [r.assessment.to_json() for r in cold
                                                                       if r.assessment]
    assert "report" in read and INDEX_KIND not in read
    cache.close()
