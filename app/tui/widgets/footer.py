"""The key footer of every screen: Textual's Footer, rebuilt at most once per refresh.

Textual's Footer schedules a full recompose (a widget per key, each styled) for every change of
the screen's bindings; opening a screen changes them several times in one frame (mount, focus,
the focused widget's keys), so the chunk screen rebuilt its footer three times before it was
idle. This one coalesces the changes of a frame into one rebuild.

On a narrow terminal Textual's footer cuts off its last keys, and "? Keys", the way to every other key,
came last ("? Ke▏^p Palette" at 80 columns). This one shows the keys that fit, in order, always
keeping the help key; the rest are in the help screen and the command palette.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from app.tui.keys import UNBOUND_KEY

HELP_ACTIONS = ("help", "app.help")  # the help key: shown whatever the width
PALETTE_WIDTH = 13  # "▏ ^p Palette ", docked at the right


def key_width(key: FooterKey) -> int:
    """Cells a key takes in the footer: " k " plus "description " (Textual's paddings)."""
    return len(key.key_display) + 2 + (len(key.description) + 1 if key.description else 0)


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

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        # an action the user's [keys] left without a key is on UNBOUND_KEY: not a key to show
        widgets = [w for w in widgets if not (isinstance(w, FooterKey) and w.key == UNBOUND_KEY)]
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        if len(keys) != len(widgets) - sum(1 for w in widgets if w.has_class("-command-palette")):
            yield from widgets  # grouped keys: Textual's own layout
            return
        room = (self.app.size.width or 200) - PALETTE_WIDTH
        helper = next((k for k in keys if k.action in HELP_ACTIONS), None)
        budget = room - (key_width(helper) if helper is not None else 0)
        kept: list[Widget] = []
        for key in keys:
            if key is helper:
                continue
            if key_width(key) > budget:
                break
            budget -= key_width(key)
            kept.append(key)
        if helper is not None:
            kept.append(helper)
        self.styles.grid_size_columns = len(kept)
        yield from kept
        yield from (w for w in widgets if w.has_class("-command-palette"))

    def on_resize(self, event: Resize) -> None:
        before, self._laid_out_for = getattr(self, "_laid_out_for", None), event.size.width
        if before is not None and before != event.size.width:  # the first size is the one composed for
            self.bindings_changed(self.screen)
