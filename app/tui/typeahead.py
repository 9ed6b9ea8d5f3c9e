"""Keys typed ahead: in order, each where the keys before it led, never on a screen not yet shown.

Textual forwards each key to the focused widget as soon as it is read, while what a key does (open
the search line, push a screen, move the focus) happens a few messages later. A burst of keys -
typed quickly, pasted, or typed while a slow step held the screen still and then read all at once -
therefore went to whatever had the focus when the burst started: `/sdk` opened the queue's search
line and `sdk` went to the table behind it (`s` re-sorted the queue); keys typed while a screen
was being built acted on that screen once it appeared, unseen.

The rules, as review-tui applies them to every key (`TypeAhead`, used by ReviewApp.on_event):

1. Keys act one after another, each on the screen and widget the keys before it left: a key that
   arrives while the previous key's effects are still being processed is held back and delivered
   once the app has settled (two consecutive rounds of callbacks through the app and every widget of
   the current screen found nothing left to do, the screen mounted). So `/retry` typed in one go
   searches for "retry". A key that arrives when the app is idle goes out at once: ordinary typing
   is not slowed.
2. A key acts only on a screen that was already on the terminal when the key was typed. A key typed
   before the current screen appeared (pushed, or uncovered by closing the one above it) is dropped,
   and a notification says how many were. Keys typed while a chunk screen was being built can then
   never approve the chunk that appears, a `y` typed ahead can never answer a question that was not
   yet asked, and `j j enter` typed while a change was opening never opens one of its chunks. One
   exception: on a screen uncovered again (one the reader has seen before), a key that leaves it (its
   back or quit key, LEAVING) acts: Escape, Escape, q typed in one burst on a chunk screen goes back
   twice and quits, as help says, where it left the change screen up (STOP51).
3. Keys typed while a screen is loading its content in the background (the change screen analysing
   a change) act on the screen as it is: the empty plan ignores them, decision keys say "still
   loading"; nothing is kept for the plan that appears later.

"Typed" is when Textual read the key from the terminal (the event's time); keys typed before
review-tui started are read when it starts and count as typed then.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual._time import get_time  # the clock of every Message's `time`

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.screen import Screen

LEAVING = frozenset({"back", "close", "dismiss", "cancel", "quit", "app.quit", "app.pop_screen"})
"""The actions that leave a screen: typed ahead, they act on a screen uncovered again (rule 2's exception)."""
QUIET_ROUNDS = 2
"""Consecutive rounds with nothing left to do before the next key goes out."""
MAX_ROUNDS = 40
"""A screen that keeps itself busy (an animation, a timer firing each round) cannot hold keys
back for ever: after this many rounds the next key goes out anyway."""


def _pending(pump: MessagePump) -> bool:
    """Whether `pump` has messages waiting (Textual keeps no public counter of them)."""
    queue = getattr(pump, "_message_queue", None)
    return queue is not None and not queue.empty()


class TypeAhead:
    """Delivers keys to `deliver` one at a time, each after the app settled from the one before,
    and drops keys typed before the screen they would reach was shown."""

    def __init__(self, app: App[Any], deliver: Callable[[events.Key], Awaitable[None]]) -> None:
        self._app = app
        self._deliver = deliver
        self._held: deque[events.Key] = deque()
        self._busy = False
        self._rounds = 0
        self._quiet = 0
        self._waiting = 0
        self._state: tuple[object, object] | None = None
        self._screen_since = float("-inf")
        self._uncovered = False  # the screen on top was on the terminal before (shown, covered, shown again)
        self._shown: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
        self.dropped = 0
        """Keys dropped since the last notification (rule 2)."""

    @property
    def held(self) -> int:
        """Keys waiting for the app to settle."""
        return len(self._held)

    @property
    def idle(self) -> bool:
        """No key is being delivered or waiting: the next key goes out at once."""
        return not self._busy

    def screen_changed(self, screen: Screen[Any]) -> None:
        """Another screen is on top now (subscribed to App.screen_change_signal)."""
        self._screen_since = get_time()
        self._uncovered = screen in self._shown
        try:  # a screen another covers was on the terminal (the queue is there before this signal first fires)
            self._shown.update(self._app.screen_stack[:-1])
        except Exception:  # no stack yet or any more: nothing was shown
            pass
        self._shown.add(screen)

    def take(self, event: events.Key) -> bool:
        """Called for every key the app reads: False when the caller should deliver it now; True
        when it is held back (delivered later, in order) or dropped."""
        if self._busy:
            self._held.append(event)
            return True
        if self._stale(event):
            self._say_dropped()
            return True
        self._start()
        return False

    def _stale(self, event: events.Key) -> bool:
        """Typed before the screen now on top was shown (rule 2), unless it leaves a screen uncovered again."""
        if event.time < self._screen_since and not (self._uncovered and self._leaves(event)):
            self.dropped += 1
            return True
        return False

    def _leaves(self, event: events.Key) -> bool:
        """Whether the key is bound, on the screen on top, to an action that leaves it (LEAVING)."""
        try:
            found = self._app.screen.active_bindings.get(event.key)
        except Exception:  # no screen (closing): nothing to act on
            return False
        return found is not None and found.enabled and found.binding.action in LEAVING

    def _say_dropped(self) -> None:
        if self.dropped:
            count, self.dropped = self.dropped, 0
            self._app.notify(f"{count} key{'s' if count != 1 else ''} typed before this screen appeared "
                             f"{'were' if count != 1 else 'was'} ignored.", timeout=3)

    def _start(self) -> None:
        """A key is being delivered: hold the next ones until the app settled from it."""
        self._busy = True
        self._rounds = 0
        self._quiet = 0
        self._state = None
        self._app.call_next(self._round)  # after the app has forwarded the key

    def _nodes(self) -> list[MessagePump]:
        app = self._app
        nodes: list[MessagePump] = [app]
        try:
            screen = app.screen
        except Exception:  # no screen yet (start-up) or none any more (closing)
            return nodes
        nodes.extend(screen.walk_children(with_self=True))
        return nodes

    def _snapshot(self) -> tuple[object, object]:
        try:
            screen = self._app.screen
        except Exception:
            return (None, None)
        return (screen, screen.focused)

    async def _round(self) -> None:
        """(On the app's message pump.) Deliver the next held key once the app has settled from the
        last one; else run another round of callbacks through the app and the screen."""
        nodes = self._nodes()
        state = self._snapshot()
        ready = state[0] is not None and bool(getattr(state[0], "is_mounted", True))
        quiet = ready and state == self._state and not any(_pending(node) for node in nodes)
        self._quiet = self._quiet + 1 if quiet else 0
        self._state = state
        if self._quiet >= QUIET_ROUNDS or self._rounds >= MAX_ROUNDS:
            await self._settled()
            return
        self._rounds += 1
        self._waiting = len(nodes)
        for node in nodes:
            if not node.call_later(self._one_done):
                self._waiting -= 1
        if not self._waiting:
            self._again()

    def _one_done(self) -> None:
        self._waiting -= 1
        if self._waiting == 0:
            self._again()

    def _again(self) -> None:
        if not self._app.call_later(self._round):
            self._busy = False  # the app is closing: nothing will be delivered any more
            self._held.clear()

    async def _settled(self) -> None:
        """The app settled: deliver the next held key that is not stale, or stop holding."""
        while self._held:
            event = self._held.popleft()
            if self._stale(event):
                continue
            self._start()
            await self._deliver(event)
            return
        self._busy = False
        self._say_dropped()
