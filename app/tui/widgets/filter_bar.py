"""The queue's filters: the pure QueueFilters model and the FilterBar widget that shows them.

QueueFilters is plain data (tests exercise it without a screen). The FilterBar is one line listing
the active filters and how many changes they let through; for the two text filters (search with
`/`, author with `w`) it swaps that line for an Input. Typing filters live; enter keeps the filter
and returns to the table; escape clears it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from app.core.risk.bands import BAND_NAMES
from app.core.text import one_line

TIERS = (0, 1, 2, 3)
BANDS_RISKIEST_FIRST = tuple(reversed(BAND_NAMES))
REVIEWED = frozenset({"approved", "flagged"})
"""Statuses that count as reviewed. A rubber stamp is NOT a review: "unreviewed" still shows it."""
NOT_WAITING = REVIEWED | {"merged"}
"""What "unreviewed" hides: reviewed changes, and those already merged upstream (shown with `m`), which wait for no
review (FIX57: with `m` on, `u` still listed uv's 10,147 merged changes)."""

TextField = Literal["search", "author"]


def search_text(change_id: str, title: str, authors: Sequence[str], paths: Sequence[str]) -> str:
    """What the search looks in, casefolded: the texts apart (NUL between them), so no match spans two."""
    return "\0".join([change_id, title, *authors, *paths]).casefold()


def _cycle(options: tuple[object, ...], current: object) -> object:
    """The next of None, options[0], options[1], ..., None."""
    if current is None:
        return options[0]
    index = options.index(current) + 1
    return options[index] if index < len(options) else None


@dataclass(frozen=True)
class QueueFilters:
    """Which changes the queue shows. All filters combine (AND)."""

    tier: int | None = None
    """Only changes of this tier."""
    band: str | None = None
    """Only changes in this risk band."""
    ai_only: bool = False
    """Only changes with AI-written lines or AI signals."""
    unreviewed: bool = False
    """Hide changes that are approved or flagged (rubber stamps stay: they were not reviewed)."""
    author: str = ""
    """Case-insensitive substring of an author's name or email."""
    search: str = ""
    """Case-insensitive substring of the change id, title, an author or a path the change touches."""
    touched_after: float | None = None
    """Hide changes whose newest commit is older than this (epoch seconds): untouched for [queue] stale_days."""
    touched_days: int = 0
    """The stale_days behind `touched_after`, to say it."""

    @property
    def active(self) -> bool:
        return self != QueueFilters()

    def next_tier(self) -> QueueFilters:
        return replace(self, tier=_cycle(TIERS, self.tier))  # type: ignore[arg-type]

    def next_band(self) -> QueueFilters:
        return replace(self, band=_cycle(BANDS_RISKIEST_FIRST, self.band))  # type: ignore[arg-type]

    def matches(self, *, change_id: str, title: str, authors: list[str], tier: int | None,
                band: str | None, ai: bool, status: str, paths: Sequence[str] = (),
                newest: float | None = None, searched: str | None = None) -> bool:
        """Whether a change with these properties passes every filter (`newest`: its newest commit's time).
        `searched`: its id, title, authors and paths already casefolded into one text (`search_text`), which
        the search then reads in their place."""
        if self.tier is not None and tier != self.tier:
            return False
        if self.touched_after is not None and newest is not None and newest < self.touched_after:
            return False
        if self.band is not None and band != self.band:
            return False
        if self.ai_only and not ai:
            return False
        if self.unreviewed and status in NOT_WAITING:
            return False
        if self.author:
            needle = self.author.casefold()
            if not any(needle in author.casefold() for author in authors):
                return False
        if self.search:
            needle = self.search.casefold()
            if searched is None:
                searched = search_text(change_id, title, authors, paths)
            if needle not in searched:
                return False
        return True

    def describe(self) -> list[str]:
        """The active filters as short phrases (repository-independent, but the text is user input)."""
        parts = []
        if self.tier is not None:
            parts.append(f"tier T{self.tier}")
        if self.band is not None:
            parts.append(f"band {self.band}")
        if self.ai_only:
            parts.append("AI only")
        if self.unreviewed:
            parts.append("unreviewed")
        if self.touched_after is not None:
            # against the base's activity, not the clock: the age column says "10mo" of a change shown here
            parts.append(f"touched within {self.touched_days}d of the base's last commit")
        if self.author:
            parts.append(f"author ~ {one_line(self.author, 30)}")
        if self.search:
            parts.append(f"“{one_line(self.search, 30)}”")
        return parts


class FilterBar(Horizontal):
    """One line: the active filters and counts, or an Input while editing search / author."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_edit", "Clear and close", show=False),
    ]

    @dataclass
    class TextChanged(Message):
        """The search or author text changed (live while typing)."""

        filter_bar: FilterBar
        field: TextField
        value: str

        @property
        def control(self) -> FilterBar:
            return self.filter_bar

    @dataclass
    class EditClosed(Message):
        """Editing ended (enter or escape): focus can go back to the table."""

        filter_bar: FilterBar

        @property
        def control(self) -> FilterBar:
            return self.filter_bar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._editing: TextField | None = None
        self._summary = Text()

    def compose(self) -> ComposeResult:
        yield Static("", id="filter-summary", markup=False)
        yield Input(id="filter-input", compact=True)

    def on_mount(self) -> None:
        self.query_one("#filter-input", Input).display = False

    @property
    def editing(self) -> TextField | None:
        return self._editing

    def show(self, filters: QueueFilters, shown: int, total: int | None, sort_label: str, *,
             expected: int | None = None, noun: str = "change", folded: int = 0) -> None:
        """Refresh the summary line; `total` None: not counted yet (discovery runs); `expected`: the changes an
        analysis still running will list, while fewer have arrived ("625 of 1,296 changes"); `noun`: what a row is
        ("commit" in a range, as the status line says); `folded`: near-duplicate heads folded into rows, said so
        the rows and the status line's pending count add up ("493 changes" beside "494 pending", QA55 F7)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        parts = filters.describe()
        if total is None:
            text.append(f"… {noun}s", style="dim")
        elif parts:
            text.append("filter: ", style="bold")
            text.append(" · ".join(parts))
            text.append(f"  ({shown} of {total}, x clears)", style="dim")
        else:
            of = f" of {expected:,}" if expected is not None and total < expected else ""
            text.append(f"{total:,}{of} {noun}{'s' if total != 1 or of else ''}", style="dim")
            if folded:
                text.append(f" +{folded:,} folded", style="dim")
        text.append(f"   sort: {sort_label}", style="dim")
        self._summary = text
        if self._editing is None:  # while editing, the line shows the field's label beside the Input
            self.query_one("#filter-summary", Static).update(text)

    def edit(self, field: TextField, value: str) -> None:
        """Open the Input for `field`, pre-filled with its current value, and focus it."""
        self._editing = field
        field_input = self.query_one("#filter-input", Input)
        field_input.placeholder = ("search id, title, author, path…" if field == "search"
                                   else "author name or email…")
        field_input.value = value
        summary = self.query_one("#filter-summary", Static)
        summary.update(Text("/" if field == "search" else "author:", style="bold"))
        summary.styles.width = "auto"
        field_input.display = True
        field_input.focus()

    def _close(self) -> None:
        self._editing = None
        self.query_one("#filter-input", Input).display = False
        summary = self.query_one("#filter-summary", Static)
        summary.styles.width = "1fr"
        summary.update(self._summary)
        self.post_message(self.EditClosed(self))

    @on(Input.Changed, "#filter-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._editing is not None:
            self.post_message(self.TextChanged(self, self._editing, event.value))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close()

    def action_cancel_edit(self) -> None:
        if self._editing is None:
            return
        field = self._editing
        self.post_message(self.TextChanged(self, field, ""))
        self._close()
