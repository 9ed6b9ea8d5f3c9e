"""Make untrusted repository text safe to show: no control sequence ever reaches a terminal."""

from __future__ import annotations

import re

# C0 controls except tab, DEL, and C1 controls (0x80-0x9f, which some terminals treat like ESC sequences).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_NAMES = {"\x1b": "␛", "\x00": "␀", "\x07": "␇", "\r": "␍", "\n": "␤", "\x08": "␈", "\x7f": "␡"}


def _replace(match: re.Match[str]) -> str:
    ch = match.group(0)
    return _NAMES.get(ch) or f"\\x{ord(ch):02x}"


def visible(text: str) -> str:
    """`text` with every control character replaced by a visible symbol (␛, ␍, \\x01 ...).

    Tabs are kept (the renderers expand them). Bidirectional overrides are also neutralised so a
    line cannot visually reorder itself (Trojan Source).
    """
    if not text:
        return text
    text = _CONTROL.sub(_replace, text)
    if any("\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069" for ch in text):
        text = re.sub("[\u202a-\u202e\u2066-\u2069]", lambda m: f"<U+{ord(m.group(0)):04X}>", text)
    return text


def one_line(text: str, limit: int = 200) -> str:
    """A single visible line, truncated with an ellipsis."""
    flat = visible(text.replace("\r\n", " ").replace("\n", " "))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
