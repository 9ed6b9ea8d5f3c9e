"""The `unsafe` Rust code a change adds: blocks, functions, impls, traits and extern blocks.

Inside `unsafe` the compiler no longer checks memory safety: what it checked (no dangling or aliased mutable
reference, no data race, no out-of-bounds read) rests on the reviewer, so a reviewer needs to see where the change
adds it. Read from the diff's added lines (comments and string literals on the line left out), never compiled. An
added line that only moves or re-indents an unsafe line the change deletes (the same text, whitespace aside,
anywhere in the change) adds nothing. Not weighed in the score: nothing here measured what an unsafe block costs
when it fails, or how often it does; it is said, in the why panel and `explain`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.core.git.diff import FileDiff
from app.core.text import visible_path

RUST_SUFFIX = ".rs"
MAX_SITES = 200  # sites kept per change
LISTED = 6  # locations a summary names

_NOISE = re.compile(r'//.*$|b?r(#*)"[^"]*"\1|b?"[^"\\]*(?:\\.[^"\\]*)*"|\'[^\'\\]\'|\'\\[^\']{1,10}\'')
# the string literal of `extern "C"` is blanked out with the other literals before this reads the line
_UNSAFE = re.compile(r"\bunsafe\s*(?:(\{)|(?:extern\s*)?(fn)\b|(impl)\b|(trait)\b|extern\s*(\{))")
_KINDS = ("block", "fn", "impl", "trait", "extern block")


@dataclass(frozen=True)
class UnsafeSite:
    """One `unsafe` the change adds: where (the new file's line) and what it opens."""

    path: str
    line: int
    kind: str  # block | fn | impl | trait | extern block
    text: str  # the line, stripped, at most 200 characters


def _code(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith(("*", "/*")):
        return ""  # a block comment's line
    return _NOISE.sub(" ", text)


def _kinds(text: str) -> list[str]:
    return [_KINDS[next(i for i, g in enumerate(m.groups()) if g is not None)]
            for m in _UNSAFE.finditer(_code(text))]


def added_unsafe(files: Sequence[FileDiff], skip: Callable[[str], bool] = lambda path: False) -> list[UnsafeSite]:
    """The unsafe blocks, functions, impls, traits and extern blocks the change's added Rust lines open, less those
    that only move or re-indent a deleted unsafe line of the change; a path `skip` names is not read."""
    rust = [fd for fd in files if fd.path.endswith(RUST_SUFFIX) and fd.text_read and not skip(fd.path)]
    removed: Counter[str] = Counter()
    for fd in rust:
        for line in fd.deleted_lines():
            if "unsafe" in line.text and _kinds(line.text):
                removed["".join(line.text.split())] += 1
    sites: list[UnsafeSite] = []
    for fd in rust:
        for line in fd.added_lines():
            if "unsafe" not in line.text or line.new_lineno is None:
                continue
            kinds = _kinds(line.text)
            key = "".join(line.text.split())
            if kinds and removed[key] > 0:
                removed[key] -= 1  # moved or re-indented: no new unsafe code
                continue
            sites.extend(UnsafeSite(fd.path, line.new_lineno, kind, line.text.strip()[:200]) for kind in kinds)
            if len(sites) >= MAX_SITES:
                return sites[:MAX_SITES]
    return sites


def _counted(kinds: Iterable[str]) -> str:
    counts = Counter(kinds)
    return ", ".join(f"{n} unsafe {kind}{'s' if n != 1 else ''}" for kind, n in
                     sorted(counts.items(), key=lambda kv: (-kv[1], _KINDS.index(kv[0]) if kv[0] in _KINDS else 9)))


def unsafe_summary(sites: Sequence[tuple[str, int, str]]) -> str:
    """"adds 2 unsafe blocks (src/ffi.rs:120, :188)" of (path, line, kind) sites; "" for none."""
    if not sites:
        return ""
    where: list[str] = []
    last = None
    for path, line, _kind in sites[:LISTED]:
        where.append(f":{line}" if path == last else f"{visible_path(path, 80)}:{line}")
        last = path
    more = f" (+{len(sites) - LISTED} more)" if len(sites) > LISTED else ""
    return f"adds {_counted(kind for _p, _l, kind in sites)} ({', '.join(where)}{more})"
