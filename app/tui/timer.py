"""ActiveTimer: the honest clock behind "time spent on a chunk". Pure logic, no Textual.

Time counts for the chunk on screen only while all three hold:
- the chunk is shown (`show` / `hide`);
- the terminal has focus, where the terminal reports focus (`focus(False)` on blur; a terminal that
  never reports focus is assumed focused, so the timer starts focused);
- the reviewer did something (a key or mouse event: `activity`) less than the idle window ago. The
  window after the last event is capped: time later than `last event + window` never counts, so a
  reviewer who walks away is credited at most one window, never the whole absence.

The window is `idle_seconds` (30 s by default), further capped per chunk by `show(key, window=...)`:
the review session passes half the chunk's floor time, so one piece of evidence (opening the chunk,
one key) can never by itself meet a floor. A reader who walked away right after opening a chunk
is credited at most half its floor, whatever the floor and the configured idle limit.

Every state change first settles the time elapsed under the old state, so accrual is exact for any
sequence of calls (no sampling error). Settled seconds collect per chunk key until `take()` drains
them; the caller (ReviewSession) writes them to the ledger every few seconds.

Showing a chunk and regaining terminal focus count as activity: both are the reviewer's own acts
(opening a chunk, switching back to the terminal), and reading starts right after them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

Clock = Callable[[], float]
Key = TypeVar("Key", bound=Hashable)

DEFAULT_IDLE_SECONDS = 30.0
"""The idle window of a large chunk; a small one's is half its floor (`show(window=...)`): an absent reader never
reaches a floor."""


class ActiveTimer(Generic[Key]):
    """Active seconds per chunk key, from show/hide, focus and activity events."""

    def __init__(self, idle_seconds: float = DEFAULT_IDLE_SECONDS, clock: Clock = time.monotonic) -> None:
        if idle_seconds <= 0:
            raise ValueError(f"idle_seconds must be positive, got {idle_seconds}")
        self.idle_seconds = float(idle_seconds)
        self.clock = clock
        self._shown: Key | None = None
        self._window = self.idle_seconds  # the idle window of the chunk on screen
        self._focused = True
        self._last_activity: float | None = None
        self._settled_to = clock()
        self._pending: dict[Key, float] = {}

    # -- state ------------------------------------------------------------------------------
    @property
    def shown(self) -> Key | None:
        """The key of the chunk on screen, or None."""
        return self._shown

    @property
    def focused(self) -> bool:
        return self._focused

    @property
    def last_activity(self) -> float | None:
        return self._last_activity

    def counting(self, now: float | None = None) -> bool:
        """Whether time is accruing right now."""
        now = self._now(now)
        return (self._shown is not None and self._focused and self._last_activity is not None
                and now < self._last_activity + self._window)

    @property
    def window(self) -> float:
        """Seconds after the last evidence of reading that still count, for the chunk on screen."""
        return self._window

    # -- events -----------------------------------------------------------------------------
    def show(self, key: Key, now: float | None = None, *, window: float | None = None) -> None:
        """Put chunk `key` on screen (the previous one, if any, stops counting). `window` caps the
        idle window while it is shown (never above `idle_seconds`)."""
        now = self._now(now)
        self._settle(now)
        self._shown = key
        self._window = self.idle_seconds if window is None else max(0.0, min(self.idle_seconds, float(window)))
        self._last_activity = now

    def hide(self, now: float | None = None) -> float:
        """Nothing is on screen any more; returns the seconds settled for the chunk that was."""
        now = self._now(now)
        added = self._settle(now)
        self._shown = None
        return added

    def activity(self, now: float | None = None) -> None:
        """A key or mouse event: the reviewer is here."""
        now = self._now(now)
        self._settle(now)
        self._last_activity = now

    def focus(self, focused: bool, now: float | None = None) -> None:
        """The terminal gained (True) or lost (False) focus."""
        now = self._now(now)
        self._settle(now)
        self._focused = focused
        if focused:
            self._last_activity = now

    def tick(self, now: float | None = None) -> float:
        """Settle the time up to `now`; returns the seconds added to the shown chunk since the
        previous settle (0 when nothing counts)."""
        return self._settle(self._now(now))

    # -- results ----------------------------------------------------------------------------
    def pending(self, key: Key) -> float:
        """Seconds settled for `key` and not yet taken."""
        return self._pending.get(key, 0.0)

    def take(self) -> dict[Key, float]:
        """Drain the settled seconds: {chunk key: seconds} (keys with time only)."""
        taken = {key: seconds for key, seconds in self._pending.items() if seconds > 0}
        self._pending.clear()
        return taken

    def give_back(self, taken: dict[Key, float]) -> None:
        """Return seconds taken but not stored (the ledger was locked): they are taken again with the
        next flush, so time spent is never lost nor counted twice."""
        for key, seconds in taken.items():
            self._pending[key] = self._pending.get(key, 0.0) + seconds

    # -- internals --------------------------------------------------------------------------
    def _now(self, now: float | None) -> float:
        return self.clock() if now is None else float(now)

    def _settle(self, now: float) -> float:
        """Credit [settled_to, now] under the current state, capped at last activity + idle."""
        start = self._settled_to
        if now <= start:
            return 0.0  # a clock that stands still or a stale timestamp adds nothing
        self._settled_to = now
        if self._shown is None or not self._focused or self._last_activity is None:
            return 0.0
        end = min(now, self._last_activity + self._window)
        added = end - max(start, self._last_activity)
        if added <= 0:
            return 0.0
        self._pending[self._shown] = self._pending.get(self._shown, 0.0) + added
        return added


LineId = tuple[str, str, int]
"""(path, "add" or "del", line number on that side): one changed line, whatever the layout shows."""


class SeenLines:
    """Which changed lines of a chunk have been on screen: the "scrolled through it" evidence.

    Lines are named by path, side and number rather than by row, so the record survives a change of
    layout (context expanded, side by side, wrapped). Only the lines passed as `required` matter.
    """

    def __init__(self, required: Iterable[LineId] = ()) -> None:
        self._required: frozenset[LineId] = frozenset(required)
        self._seen: set[LineId] = set()

    @property
    def required(self) -> int:
        return len(self._required)

    def see(self, lines: Iterable[LineId]) -> int:
        """These lines were on screen; returns how many required lines were seen for the first time."""
        return len(self.newly_seen(lines))

    def newly_seen(self, lines: Iterable[LineId]) -> set[LineId]:
        """These lines were on screen; returns the required ones seen for the first time."""
        new = {line for line in lines if line in self._required and line not in self._seen}
        self._seen.update(new)
        return new

    @property
    def unseen(self) -> int:
        """Required lines never on screen."""
        return len(self._required) - len(self._seen)

    @property
    def fraction(self) -> float:
        """Share of the required lines seen (1.0 when nothing is required)."""
        return 1.0 if not self._required else len(self._seen) / len(self._required)
