"""What the screens need from the app that hosts them, as a Protocol.

Screens reach the ReviewApp through `ReviewHost` rather than importing app/tui/app.py, which
imports the screens: the floors of the TUI stay free of import cycles (import-linter checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from app.analysis.analyzer import Analyzer
    from app.analysis.report import ChangeDetail, ChangeReport
    from app.storage.ledger import Ledger
    from app.tui.review_session import ReviewSession


class ReviewHost(Protocol):
    """The services ReviewApp offers its screens."""

    analyzer: Analyzer
    ledger: Ledger
    session: ReviewSession
    now: Callable[[], float]
    quitting: bool  # the app is exiting: background work stops at its next step

    @property
    def started(self) -> bool:
        """The analyzer and the session exist (a fast start builds them after the queue's first paint)."""
        ...

    @property
    def repo_path(self) -> Path: ...

    @property
    def commit_range(self) -> str | None: ...

    def after_first_paint(self) -> None:
        """What a fast start begins once the queue has painted (a first run's discovery process)."""
        ...

    def import_for_start(self) -> None:
        """Import what finish_start needs (a worker thread's job, before it)."""
        ...

    def finish_start(self) -> bool:
        """Build the analyzer and the session of a fast start (UI thread); False when its checks refused."""
        ...

    def fresh_analyzer(self, discovery_progress: Callable[[str], None] | None = None) -> Analyzer:
        """A new Analyzer for the calling thread; `discovery_progress` hears how far its discovery got."""
        ...

    def remember_detail(self, detail: ChangeDetail) -> None: ...

    def forget_base(self) -> None:
        """A re-scan: the base, its config and the changes' details are read again when next needed."""
        ...

    def cached_detail(self, report: ChangeReport) -> ChangeDetail | None: ...

    def opened_report(self, report: ChangeReport) -> ChangeReport | None: ...

    def detail_closed(self, detail: ChangeDetail) -> None: ...

    def chunk_hashes_for(self, report: ChangeReport) -> list[str] | None: ...
