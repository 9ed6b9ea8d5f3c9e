"""Make untrusted repository text safe to show: no control sequence ever reaches a terminal."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

DurationStyle = Literal["short", "clock", "spaced"]

# C0 controls except tab, DEL, and C1 controls (0x80-0x9f, which some terminals treat like ESC sequences).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_NAMES = {"\x1b": "␛", "\x00": "␀", "\x07": "␇", "\r": "␍", "\n": "␤", "\x08": "␈", "\x7f": "␡"}


def _replace(match: re.Match[str]) -> str:
    ch = match.group(0)
    return _NAMES.get(ch) or f"\\x{ord(ch):02x}"


# Characters that change what a terminal shows without showing themselves: Unicode format characters
# (category Cf: bidi controls, zero-width space/joiners, word joiner, BOM, soft hyphen, tag
# characters), line/paragraph separators, and blank "letters" that render as nothing. `feature` and
# `feature\u200b` must not look the same.
# The format characters (Cf) of Unicode 15, as ranges, plus the extras; is_invisible() is the same
# test by category (a character a newer Unicode adds is caught there, and by json_text).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]")
_INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800\u2028\u2029\u034f\u180e")


def is_invisible(ch: str) -> bool:
    return ch in _INVISIBLE_EXTRA or unicodedata.category(ch) == "Cf"


def _mark(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group(0)):04X}>"


def visible(text: str) -> str:
    """`text` with every control character replaced by a visible symbol (␛, ␍, \\x01 ...).

    Tabs are kept (the renderers expand them). Bidirectional overrides, zero-width and other
    invisible characters are shown as ``<U+200B>`` so a line cannot visually reorder itself (Trojan
    Source) and two names that differ only invisibly do not look the same. Lone surrogates (bytes
    that were not UTF-8, decoded with surrogateescape) become ``\\xNN``.
    """
    if not text:
        return text
    text = _CONTROL.sub(_replace, text)
    if not text.isascii():  # a C-speed check: visible() runs for every diff line drawn
        text = _SURROGATE.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", text)
        text = _INVISIBLE.sub(_mark, text)
    return text


def has_invisible(text: str) -> bool:
    """Whether `text` holds characters that `visible` would mark (for flagging identifiers)."""
    return bool(_CONTROL.search(text)) or (not text.isascii() and (
        bool(_SURROGATE.search(text)) or bool(_INVISIBLE.search(text))))


_SURROGATE = re.compile("[\udc80-\udcff]")
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def csv_cell(value: Any) -> Any:
    """A CSV cell safe for a terminal and a spreadsheet: text made visible, and text that a
    spreadsheet would run as a formula (=, +, -, @, tab, CR first) prefixed with an apostrophe
    (OWASP's CSV-injection advice). Numbers are left as numbers."""
    if not isinstance(value, str):
        return value
    text = visible(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def one_line(text: str, limit: int = 200) -> str:
    """A single visible line, truncated with an ellipsis."""
    flat = visible(text.replace("\r\n", " ").replace("\n", " "))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def visible_path(path: str, limit: int = 200) -> str:
    """A file name on one line as it is: control characters as visible symbols, a newline as ␤ and a
    tab as ␉ too (one_line's space would show `new\nline.py` as another file, `new line.py`), cut with
    an ellipsis."""
    shown = visible(path).replace("\t", "␉")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# json.dumps escapes C0 controls but passes DEL, C1 controls (U+009B is a CSI to many terminals), bidi
# overrides and zero-width characters through as raw characters when ensure_ascii is off, and a lone
# surrogate would make the output invalid UTF-8.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e"
                          "\u2028-\u2029\u2060-\u206f\u2800\u3164\ufeff\uffa0\ufff9-\ufffb\ud800-\udfff"
                          "\U000e0000-\U000e007f]")


_BEYOND_ASCII = re.compile("[^\x00-\x7e]")


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON for a terminal: readable UTF-8, yet every control character escaped (\\u009b ...).

    Those characters only occur inside JSON strings, so the escaped text parses to the same data.
    """
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    if text.isascii() and "\x7f" not in text:  # DEL is ASCII yet unsafe
        return text
    # Both patterns match only characters from DEL up: look at the few distinct ones the text has
    # (a megabyte of `list --json` holds some hundred) before scanning all of it twice.
    odd = "".join(set(_BEYOND_ASCII.findall(text)))
    if not (_JSON_UNSAFE.search(odd) or _INVISIBLE.search(odd)):
        return text
    text = _JSON_UNSAFE.sub(_json_escape, text)
    text = _INVISIBLE.sub(_json_escape, text)
    return text


def _json_escape_char(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return _json_escape_char(match.group(0))


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 chunk", "2 chunks", "1,024 chunks" ("1 chunks" was printed in several places)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


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


def significant(value: float, digits: int = 2) -> str:
    """`value` with at least `digits` significant figures and never in exponent form: 0.00037, 0.052,
    1.40 (a per-minute rate of a huge change must not print as 0.000)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:.3f}"
    decimals = max(3, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{min(decimals, 12)}f}"


def compact_number(value: float) -> str:
    """12, 950, 5.2k, 48k, 1.3M: a count in at most 4 characters."""
    value = int(value)
    size = abs(value)
    if size < 1_000:
        return str(value)
    if size < 9_950:  # 9,950 would round to "10.0k"
        return f"{value / 1_000:.1f}k"
    if size < 1_000_000:
        return f"{value // 1_000}k"
    if size < 9_950_000:
        return f"{value / 1_000_000:.1f}M"
    return f"{value // 1_000_000}M"


def added_count(value: int, measured: bool = True) -> str:
    """Complexity added, as the queue's and the change screen's CC+ columns show it: "0", "+12", "+1.1k" (5 cells
    at most; a column of 4 cut "+1.1k" to "+1.1", a little over one, QA52 #5); "-" where no measurer reads the code
    (a .tf chunk showed "0" beside a why panel saying Terraform's complexity is not measured, QA55 F9)."""
    if not measured:
        return NOT_MEASURED
    return f"+{compact_number(value)}" if value else "0"


NOT_MEASURED = "-"
"""A CC+ cell of code no complexity measurer reads."""


def percent(probability: float) -> str:
    """A probability for people: whole percents from 10%, one decimal below, "<0.1%" for the rest, so a
    small but real chance never reads as "0%" (a rounded 0% looks like "cannot fail")."""
    if not math.isfinite(probability) or probability <= 0:
        return "0%"
    if probability < 0.001:
        return "<0.1%"
    return f"{probability:.1%}" if probability < 0.095 else f"{probability:.0%}"


def share_text(share: float) -> str:
    """A share of lines in whole percents that never rounds away from what it is: 17 AI lines of 4,897 read "0%"
    beside the tool that wrote them; "<1%" (and ">99%" for all but a few) say it."""
    if not math.isfinite(share) or share <= 0:
        return "0%"
    if share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"


_MARKERS = re.compile(r"<U\+[0-9A-F]{4,6}>|\\x[0-9a-f]{2}")


def fit_middle(text: str, width: int) -> str:
    """`text` cut to `width` cells by an ellipsis in the middle, which keeps both the start and the
    end of a branch name or path ("feature/retry-…-claude", "infra/te…m/main.tf")."""
    if width <= 0 or len(text) <= width:
        return text
    if width < 5:
        return text[: width - 1] + "…"
    head = (width - 1) * 2 // 5
    start = len(text) - (width - 1 - head)
    # a cut never splits a marker visible() wrote (`zer…0B>width` hid the very <U+200B> that tells two names
    # apart): the marker is kept whole, the other side giving up the cells, or dropped whole when it cannot
    markers = [(m.start(), m.end()) for m in _MARKERS.finditer(text)]
    for _ in range(8):  # moving one cut can land the other inside a neighbouring marker
        before = (head, start)
        for low, high in markers:
            if low < start < high:
                give = start - low
                start, head = (low, head - give) if head - give >= 1 else (high, head)
            if low < head < high:
                give = high - head
                head, start = (high, start + give) if start + give <= len(text) - 1 else (low, start)
        if (head, start) == before:
            break
    if any(low < cut < high for low, high in markers for cut in (head, start)):
        head, start = next((low for low, high in markers if low < head < high), head), start
        start = next((high for low, high in markers if low < start < high), start)
    return text[:head] + "…" + text[start:]


def fit_change_id(name: str, width: int, *, remote: bool = False) -> str:
    """A change's id in `width` cells, shortened visibly ("…") where it is longer, keeping what tells two ids
    apart: a local branch or a commit keeps its start and its end (`feature/some-…refund-flow-v2`); a remote
    branch (`remote`) drops its remote, which every such row shares, and keeps its end: `origin/u…ync-for-tests`
    beside `origin/u…ystem-proxies` told nothing; `…/feature/audit-log` does (the TUI's queue and `list`)."""
    if len(name) <= width:
        return name
    if not remote or width <= 1:
        return fit_middle(name, width)
    start = len(name) - width + 1
    rest = name.split("/", 1)[1] if "/" in name else name
    # a cut inside the remote's name drops it whole: `…/feature/audit-log`, not `…gin/feature/…`
    if start <= len(name) - len(rest) and len(rest) + 2 <= width:
        return "…/" + rest
    folder_end = len(name) - len(rest) + rest.find("/")  # where the first folder after the remote ends
    if rest.find("/") > 0 and start >= folder_end and width - 2 >= ROOMY_ID_CELLS:
        # the end alone lost the agent's or owner's folder too: `…/codex/horiz…-and-shards` keeps it
        return "…/" + fit_middle(rest, width - 2)
    return "…" + name[start:]


ROOMY_ID_CELLS = 28
"""From this many cells a shortened remote branch keeps its first folder (the agent's or the owner's, `codex/`)
besides its end."""


TOO_BIG = "too big: split"
"""Marks a change whose review plan's floor is over [chunks] split_hours (`PlanSummary.too_big`), in `list`,
`explain` and the queue alike."""

OTHER_BASE_MARK = "*"
"""Marks the +/- of a change diffed from a later commit than git's merge base with the queue's base
(`ChangeReport.from_later_base`), in `list` and the queue alike: OpenHands' pull/10925, made on release line v1,
read +1472/-1073 where `git diff --numstat $(git merge-base main R) R` gives +5956/-1079, and nothing in the
list said why (QA53 #4)."""


def author_names(authors: Sequence[str]) -> list[str]:
    """The people among `Name <email>` entries, each once: one person committing from two addresses read
    "Kar Petrosyan, Kar Petrosyan" (a name is compared case-insensitively; an entry without one is its
    address)."""
    names: dict[str, str] = {}
    for author in authors:
        name = author.split(" <")[0].strip() or author.strip()
        names.setdefault(name.casefold(), name)
    return list(names.values())


NAME_BREAK = re.compile(r"[./_\-:]")  # a qualified name or path reads on after these
_CAMEL_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")  # showSelection|InFocused: where no punctuation fits
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}(?=$|[\s:,;)])")  # ".py" in "a/b.py:12": a file's suffix


def _break_rank(text: str, at: int) -> int:
    """How good a line break after text[at] is: 2 after a slash, 1 after a dot, 0 after _ - :, and -1 (never)
    after the dot of a file's suffix."""
    char = text[at]
    if char == "/":
        return 2
    if char == ".":
        return -1 if _SUFFIX.match(text, at) else 1
    return 0


def name_cut(text: str, start: int, end: int) -> int:
    """Where the first line of a word too long for its line ends, text[start:end] being what fits: after a
    slash first (a path's parts), then a dot (a name's parts, never a file's suffix: `src/click/_compat.` / `py`),
    then an underscore, hyphen or colon, past the line's first third; else between the words of a camelCase name;
    else at `end`, anywhere. Folded at the edge, `click._termui_impl.MaybeStripAnsi.__init__` read as `...__init_`
    / `_`, and `@scope/extraordinarily-long-package-name-for-w` / `rapping-tests` as two words."""
    piece, width = text[start:end], end - start
    ends = [(_break_rank(text, start + m.start()), m.end()) for m in NAME_BREAK.finditer(piece)
            if width // 3 < m.end() < width]
    ends = [found for found in ends if found[0] >= 0] or [
        (0, m.start()) for m in _CAMEL_BREAK.finditer(piece) if width // 3 < m.start() < width]
    return start + (max(ends)[1] if ends else width)


def long_word_cuts(plain: str, width: int) -> list[int]:
    """Where to cut the words of `plain` longer than `width` (name_cut) so that each piece fits a line of its
    own: a wrapper that breaks at spaces then never folds a name at the edge."""
    cuts: list[int] = []
    for word in re.finditer(r"\S+", plain):
        start, end = word.span()
        while end - start > width:  # a long word starts its own line: cut it to lines of at most `width`
            start = name_cut(plain, start, start + width)
            cuts.append(start)
    return cuts
