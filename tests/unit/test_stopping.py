"""A quit during a first analysis does not wait for the diff under way: a release-sized diff stops on
the way."""

from __future__ import annotations

import pytest

from app.analysis.analyzer import Analyzer
from app.core.git.repo import DiffStopped, GitRepo
from tests.conftest import ALICE


@pytest.fixture
def wide(make_repo):
    """main, and a branch `wide` that edits 300 files."""
    builder = make_repo()
    builder.commit("init", {f"pkg/mod_{i}.py": f"X = {i}\n" for i in range(300)}, author=ALICE)
    builder.branch("wide")
    builder.commit("touch everything", {f"pkg/mod_{i}.py": f"X = {i + 1}\n" for i in range(300)},
                   branch="wide", author=ALICE)
    return builder


def test_a_diff_asked_to_stop_stops_on_the_way(wide) -> None:
    repo = GitRepo(wide.path)
    base, head = wide.head("main"), wide.head("wide")
    asked: list[int] = []

    def stop_after_two_asks() -> bool:
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(DiffStopped):
        repo.diff(base, head, should_stop=stop_after_two_asks)
    assert len(asked) == 3  # asked every 64 files: it stopped a third of the way through, not at the end
    assert len(repo.diff(base, head, should_stop=lambda: False)) == 300  # never asked to stop: whole


def test_an_analysis_stopped_during_a_diff_reports_no_error(wide, monkeypatch) -> None:
    analyzer = Analyzer(str(wide.path))
    stop = {"now": False}
    diff = GitRepo.diff

    def diff_then_quit(self, base, head, **kwargs):  # the reviewer quits while the diff runs
        stop["now"] = True
        return diff(self, base, head, **kwargs)

    reports: list = []
    monkeypatch.setattr(GitRepo, "diff", diff_then_quit)
    ranked = analyzer.analyze_all(on_report=reports.append, should_stop=lambda: stop["now"])
    # The branch being diffed shows nothing half-read, and nothing shows an error (the working tree,
    # diffed before it, keeps its pending row).
    assert stop["now"] and all(r.error is None for r in [*ranked, *reports])
    assert "wide" not in {r.id for r in [*ranked, *reports]}
