"""A score given before a change's complexity and history are read is provisional (QA54 on cline: a 45 "high" that
became 75 "critical" read as final): its score and band cells are dimmed and the sort line counts them, until the
completed report replaces it."""

from __future__ import annotations

import threading

from textual.color import Color
from textual.widgets import Static

from app.tui.screens.queue import _Cells
from tests.functional.test_app import build_app, queue_screen, settle


async def test_provisional_scores_are_dimmed_and_counted_until_complete(payments_repo, tmp_path, monkeypatch):
    import app.analysis.analyzer as analyzer_module
    from app.storage.cache import AnalysisCache

    go_on = threading.Event()
    emit = analyzer_module._Pass.emit

    def held_emit(run, report):  # the real analysis, held before its first completed report
        if report.complete and report.assessment is not None:
            go_on.wait(60)
        emit(run, report)

    monkeypatch.setattr(analyzer_module._Pass, "emit", held_emit)
    app = build_app(payments_repo, cache=AnalysisCache.open(tmp_path / "cold.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        queue = queue_screen(app)
        summary = queue.query_one("#filter-summary", Static)
        for _ in range(3000):
            await pilot.pause(0.02)
            if queue.total and len(queue.rows) == queue.total and "provisional" in str(summary.render()):
                break
        line = str(summary.render())
        provisional = [row for row in queue.rows if row.provisional]
        render = _Cells(app.theme_variables, Color(0, 0, 0), wide_status=False, title_shown=True)
        cells = [(render.cell_score(row, 14), render.cell_band(row, 12)) for row in provisional]
        go_on.set()
        assert line.endswith(f"({queue.total} of {queue.total} scores provisional)"), line
        assert len(provisional) == queue.total
        for score, band in cells:
            assert any(str(span.style) == "dim" and (span.start, span.end) == (0, len(score)) for span in score.spans)
            assert band.style.dim, band.style
        await settle(pilot)
        assert "provisional" not in str(summary.render())
        assert not any(row.provisional for row in queue.rows)


def _larger_than_early(tmp_path):
    """A repository whose five pending changes each add more than EARLY_LINES lines (none is 'small')."""
    from app.analysis.analyzer import EARLY_LINES
    from tests.functional.test_signoff_tui import ANN, SAMPLES

    b = SAMPLES.RepoBuilder(tmp_path / "repo")
    b.commit("base", {"core.py": "def ping():\n    return 1\n"}, author=ANN)
    for n in range(5):
        functions = EARLY_LINES // 4 + 10 + 7 * n
        body = "".join(f"def f{i}(x):\n    if x > {i}:\n        return x - {i}\n    return x\n"
                       for i in range(functions))
        b.branch(f"feature/{n}", at=b.head("main"))
        b.commit(f"module {n}", {f"mod{n}.py": body}, branch=f"feature/{n}", author=ANN)
    b.checkout("main")
    return b.path


async def test_a_ranked_row_comes_before_every_change_is_diffed_when_none_is_small(tmp_path, monkeypatch):
    """Issue 18 (FIX87): openai-agents-python's 48 largest pull requests (775+ lines each) got no early score, so the
    cold queue's first ranked row waited for all 49 diffs. Now, with the diffs after the first EARLY_CANDIDATES held,
    a ranked row is on screen, dimmed as provisional; once the analysis ends, every row is ranked and final."""
    import app.analysis.analyzer as analyzer_module
    from app.storage.cache import AnalysisCache

    repo = _larger_than_early(tmp_path)
    go_on = threading.Event()
    diff = analyzer_module.Analyzer.diff
    calls = [0]

    def held_diff(self, change, should_stop=None):  # the real diff; the later changes' wait until told
        calls[0] += 1
        if calls[0] > analyzer_module.EARLY_CANDIDATES:
            go_on.wait(60)
        return diff(self, change, should_stop)

    monkeypatch.setattr(analyzer_module.Analyzer, "diff", held_diff)
    app = build_app(repo, cache=AnalysisCache.open(tmp_path / "cold.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        queue = queue_screen(app)
        try:
            for _ in range(1000):
                await pilot.pause(0.02)
                if any(row.score is not None for row in queue.rows):
                    break
            scored = [row for row in queue.rows if row.score is not None]
            read = len(queue.reports)
            smallest = min((row.lines for row in queue.rows), default=None)
        finally:
            go_on.set()
        assert queue.total == 5
        assert read <= analyzer_module.EARLY_CANDIDATES < queue.total  # the other diffs are still held
        assert len(scored) == 1 and scored[0].provisional and scored[0].rank == 1, [r.id for r in queue.rows]
        assert scored[0].lines == smallest  # the smallest of those read
        await settle(pilot)
        assert len(queue.rows) == 5
        assert all(row.score is not None and not row.provisional for row in queue.rows)
        shown = {row.id: row.report.assessment for row in queue.rows}
    # the same figures as `list` gives (which scores nothing early), read cold into a cache of its own
    listed = analyzer_module.Analyzer(repo, cache=AnalysisCache.open(tmp_path / "list.db")).analyze_all()
    assert shown == {report.id: report.assessment for report in listed}
