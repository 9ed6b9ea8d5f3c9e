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
