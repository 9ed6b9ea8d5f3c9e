"""AnalysisStatus: one line under the queue saying what the analysis is doing, then what it found.

While analysing: "analysing ▕████▌     ▏ 7/30  measuring complexity of 12 changes". Afterwards a
summary ("15 pending changes against origin/main · 4 critical · 6 AI-signalled"). Drawn with
block characters rather than Textual's ProgressBar so it costs one line, has no animation (stable
snapshots) and reads well in a plain 80x24 terminal.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from app.core.text import one_line
from app.tui.widgets.score_bar import bar

BAR_WIDTH = 12


class AnalysisStatus(Static):
    """The queue's status line: progress while analysing, a summary or an error afterwards."""

    DEFAULT_CSS = """
    AnalysisStatus {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    AnalysisStatus.-busy {
        color: $text;
    }
    AnalysisStatus.-error {
        color: $error;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.busy = False

    def show_progress(self, done: int, total: int, label: str) -> None:
        """Step `done` of `total`; `label` names the current step (repository text: made visible)."""
        self.busy = True
        self.set_class(True, "-busy")
        self.set_class(False, "-error")
        text = Text(no_wrap=True, overflow="ellipsis")
        if total:
            text.append("analysing ", style="bold")
            text.append(f"▕{bar(done / total, BAR_WIDTH)}▏", style="bold")
            # a share, not "n/total": a change takes three steps (read, scored, completed), and "63/231" for 77
            # changes read as a count of them
            text.append(f" {min(100, done * 100 // total):>2}%  ")
        # else: no count yet (discovery): a bar and "0/0" would say nothing
        text.append(one_line(label, 120), style="italic")
        # one line whatever it says: no layout of the screen for it (a cold start says a step several times a
        # second, and each layout cost the UI thread a pass over every widget: keys waited seconds under load)
        self.update(text, layout=False)

    def show_summary(self, summary: Text | str) -> None:
        """The analysis ended: what it found."""
        self.busy = False
        self.set_class(False, "-busy")
        self.set_class(False, "-error")
        self.update(summary if isinstance(summary, Text) else Text(summary, no_wrap=True, overflow="ellipsis"))

    def show_error(self, message: str) -> None:
        self.busy = False
        self.set_class(False, "-busy")
        self.set_class(True, "-error")
        self.update(Text(one_line(message, 300), no_wrap=True, overflow="ellipsis"))
