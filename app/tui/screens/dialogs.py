"""Modal dialogs of the chunk review: a text input (flag note, comment) and a yes/no confirmation.

Both are small centred panels over the screen beneath. They report every key and mouse event to
an optional `on_activity` callback, so the review timer knows the reviewer is still at work while
typing a note. `TextInputDialog` is "review work" (`counts_as_review`): the chunk beneath keeps
counting; `ConfirmDialog` is not.

Text shown in them may come from the repository (a path): it is put in rich Text objects, never
parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from app.core.text import one_line
from app.tui.screens import STYLES

MAX_NOTE_CHARS = 4_000

ResultT = TypeVar("ResultT")  # what the dialog dismisses with


class ActivityModal(ModalScreen[ResultT]):
    """A modal that reports input events to `on_activity`."""

    counts_as_review: ClassVar[bool] = False
    """Whether time on this dialog counts as time on the chunk beneath."""

    def __init__(self, on_activity: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._on_activity = on_activity

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and self._on_activity is not None:
            self._on_activity()
        await super().on_event(event)


class TextInputDialog(ActivityModal[str | None]):
    """Asks for one line of text; dismisses with the text (stripped), or None when cancelled.

    Enter submits (an empty text is refused unless `allow_empty`), escape cancels.
    """

    CSS_PATH = STYLES / "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    counts_as_review = True

    def __init__(self, title: str, prompt: str, *, placeholder: str = "", allow_empty: bool = False,
                 on_activity: Callable[[], None] | None = None, value: str = "") -> None:
        super().__init__(on_activity)
        self._title = title
        self._prompt = prompt
        self._value = value
        self._placeholder = placeholder
        self._allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-panel") as panel:
            panel.border_title = one_line(self._title, 70)
            panel.border_subtitle = "enter saves · escape cancels"
            yield Static(Text(one_line(self._prompt, 300)), id="dialog-prompt")
            yield Input(self._value, placeholder=self._placeholder, max_length=MAX_NOTE_CHARS, id="dialog-input")
            yield Static(Text(""), id="dialog-error")

    def on_mount(self) -> None:
        self.query_one("#dialog-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value and not self._allow_empty:
            self.query_one("#dialog-error", Static).update(Text("Type something, or press escape to cancel."))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ActivityModal[bool]):
    """A yes/no question; dismisses with True (y, enter on Yes) or False (n, escape)."""

    CSS_PATH = STYLES / "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
        Binding("left,right,tab", "app.focus_next", "Switch", show=False),
    ]

    def __init__(self, title: str, question: str, *, yes: str = "Yes", no: str = "No",
                 on_activity: Callable[[], None] | None = None) -> None:
        super().__init__(on_activity)
        self._title = title
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-panel") as panel:
            panel.border_title = one_line(self._title, 70)
            panel.border_subtitle = "y yes · n / escape no"
            yield Static(Text(one_line(self._question, 1_000)), id="dialog-prompt")  # it wraps: never cut (QA48 #16)
            with Horizontal(id="dialog-buttons"):
                yield Button(self._yes, variant="warning", id="dialog-yes")
                yield Button(self._no, variant="primary", id="dialog-no")

    def on_mount(self) -> None:
        # "No" has the focus: an absent-minded enter must not record a rubber stamp.
        self.query_one("#dialog-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "dialog-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
