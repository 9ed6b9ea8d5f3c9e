"""Make untrusted repository text safe to show: no control sequence ever reaches a terminal."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

DurationStyle = Literal["short", "clock", "spaced"]

# C0 controls except tab, DEL, and C1 controls (0x80-0x9f, which some terminals treat like ESC sequences).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
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
    if _BIDI.search(text):  # a regex scan: visible() runs for every diff line drawn
        text = _BIDI.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", text)
    return text


def one_line(text: str, limit: int = 200) -> str:
    """A single visible line, truncated with an ellipsis."""
    flat = visible(text.replace("\r\n", " ").replace("\n", " "))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# json.dumps escapes C0 controls but passes DEL, C1 controls (U+009B is a CSI to many terminals) and
# bidi overrides through as raw characters when ensure_ascii is off.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON for a terminal: readable UTF-8, yet every control character escaped (\\u009b ...).

    Those characters only occur inside JSON strings, so the escaped text parses to the same data.
    """
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def human_age(seconds: float | None) -> str:
    """3m, 5h, 2d, 4mo, 1y ("-" when unknown)."""
    if seconds is None:
        return "-"
    seconds = max(int(seconds), 0)
    for unit, size in (("y", 31_536_000), ("mo", 2_592_000), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def format_duration(seconds: float | None, style: DurationStyle = "short") -> str:
    """The one duration formatter, in three layouts ("-" when unknown):

    - "short" (tables, headers, messages): rounded; "1h05m", "4m10s", "12s".
    - "clock" (the review clock): rounded down, so time spent is never flattered; "0m12s", "1h02m03s".
    - "spaced" (floor-time derivations inside review plans): rounded down; "1h 02m 05s", "37m 26s",
      "2m", "45s".
    """
    if seconds is None:
        return "-"
    total = round(seconds) if style == "short" else max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if style == "clock":
        return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
    if style == "spaced":
        if hours:
            return f"{hours}h {minutes:02d}m {secs:02d}s"
        if minutes:
            return f"{minutes}m" if secs == 0 else f"{minutes}m {secs:02d}s"
        return f"{secs}s"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def fit_middle(text: str, width: int) -> str:
    """`text` cut to `width` cells by an ellipsis in the middle, which keeps both the start and the
    end of a branch name or path ("feature/retry-…-claude", "infra/te…m/main.tf")."""
    if width <= 0 or len(text) <= width:
        return text
    if width < 5:
        return text[: width - 1] + "…"
    head = (width - 1) * 2 // 5
    tail = width - 1 - head
    return text[:head] + "…" + text[len(text) - tail:]
