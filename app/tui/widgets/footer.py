"""The key footer of every screen: Textual's Footer, rebuilt at most once per refresh.

Textual's Footer schedules a full recompose (a widget per key, each styled) for every change of
the screen's bindings; opening a screen changes them several times in one frame (mount, focus,
the focused widget's keys), so the chunk screen rebuilt its footer three times before it was
idle. This one coalesces the changes of a frame into one rebuild.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Footer whose bindings changes within one refresh cause one recompose."""

    _recompose_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        await self.recompose()
