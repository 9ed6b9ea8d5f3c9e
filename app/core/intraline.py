"""Word-level (intra-line) differences between deleted and added lines, as delta and GitHub show them.

A diff says a line changed; a reviewer wants to see *what* in it changed. Within one run of a hunk
(a block of deleted lines followed by a block of added lines) the deleted and added lines are
paired, each pair is compared token by token, and the changed tokens are returned as character
ranges to emphasise.

- Tokens suit code: identifiers and numbers (`\\w+`) are whole tokens, so `retry_budget` →
  `retry_limit` marks the identifier rather than a few letters of it; runs of whitespace are one
  token; every other character (operators, brackets, quotes) is a token of its own.
- Similarity counts the non-whitespace tokens the match keeps (2 * kept / total): tokens, not
  characters, so renaming a long identifier still leaves a line like its old self, and whitespace
  is left out so the indentation two unrelated lines share does not make them look alike.
- Pairs below MIN_SIMILARITY are not word-diffed (a rewritten line is just "changed"); 0.4 is
  delta's default (`--max-line-distance 0.6`).
- Pairing in a run is an order-preserving alignment maximising total similarity (a weighted LCS)
  when the run is small (at most MAX_ALIGN_CELLS comparisons, nearly every run in practice);
  bigger runs pair lines by position, which is what GitHub's split view does, so a 2,000-line
  rewrite costs one comparison per line shown rather than four million.
Pure Python and difflib: no display code, usable by any renderer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

MIN_SIMILARITY = 0.4
"""Pairs less alike than this are shown as whole-line changes, with no word emphasis."""
MAX_ALIGN_CELLS = 400
"""Runs needing more comparisons than this (e.g. 20 deleted x 20 added lines) pair by position."""
MAX_WORD_DIFF_CHARS = 2_000
"""Lines longer than this are not word-diffed (minified code: the emphasis would be noise)."""

# Multi-character operators are one token (`>` -> `>=` emphasises `>=`, not the `=` alone), longest first.
_OPERATORS = ("**=", "//=", ">>=", "<<=", "...", "===", "!==", "->", "=>", "==", "!=", "<=", ">=", "+=", "-=",
              "*=", "/=", "%=", "&=", "|=", "^=", "**", "//", "<<", ">>", "&&", "||", "::", ":=", "++", "--", "?.",
              "??")
_TOKEN = re.compile(r"\w+|\s+|" + "|".join(re.escape(op) for op in _OPERATORS) + r"|[^\w\s]")

Range = tuple[int, int]
"""A half-open range of character offsets [start, end)."""


def tokenize(text: str) -> list[str]:
    """`text` split into code tokens: words/numbers, whitespace runs, operators (`>=`, `->`, `**`), single
    other characters.

    The tokens joined give `text` back exactly.
    """
    return _TOKEN.findall(text)


@dataclass(frozen=True, slots=True)
class LineEdit:
    """What changed between a deleted line and the added line paired with it."""

    old: tuple[Range, ...]
    """Changed character ranges of the deleted line, sorted, not overlapping."""
    new: tuple[Range, ...]
    """Changed character ranges of the added line, sorted, not overlapping."""
    similarity: float
    """0..1: how alike the two lines are (1 = the same)."""


def _offsets(tokens: Sequence[str]) -> list[int]:
    """Start offset of every token, plus the total length at the end."""
    out = [0]
    for token in tokens:
        out.append(out[-1] + len(token))
    return out


def _merge(ranges: list[Range]) -> tuple[Range, ...]:
    """Adjacent ranges joined (the opcodes of one side can touch)."""
    merged: list[Range] = []
    for start, end in ranges:
        if start == end:
            continue
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def compare(old: str, new: str) -> LineEdit:
    """The changed ranges of `old` and `new` and their similarity (no cut-off applied)."""
    if old == new:
        return LineEdit((), (), 1.0)
    a, b = tokenize(old), tokenize(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    a_at, b_at = _offsets(a), _offsets(b)
    old_ranges: list[Range] = []
    new_ranges: list[Range] = []
    kept = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            kept += sum(1 for token in a[i1:i2] if not token.isspace())
            continue
        old_ranges.append((a_at[i1], a_at[i2]))
        new_ranges.append((b_at[j1], b_at[j2]))
    total = sum(1 for token in a if not token.isspace()) + sum(1 for token in b if not token.isspace())
    similarity = 2 * kept / total if total else 1.0  # two blank lines differing in whitespace only
    return LineEdit(_merge(old_ranges), _merge(new_ranges), similarity)


def word_diff(old: str, new: str, *, cutoff: float = MIN_SIMILARITY) -> LineEdit | None:
    """The word-level edit of a paired line, or None when the lines are too unlike (or too long)
    for word emphasis to help."""
    if len(old) > MAX_WORD_DIFF_CHARS or len(new) > MAX_WORD_DIFF_CHARS:
        return None
    edit = compare(old, new)
    return edit if edit.similarity >= cutoff else None


def similarity(old: str, new: str) -> float:
    """How alike two lines are, 0..1 (see the module docstring)."""
    if len(old) > MAX_WORD_DIFF_CHARS or len(new) > MAX_WORD_DIFF_CHARS:
        return 0.0
    return compare(old, new).similarity


def _words(text: str) -> Counter[str]:
    return Counter(token for token in tokenize(text) if not token.isspace())


def _likeness(old: str, new: str, cutoff: float, old_words: Counter[str], new_words: Counter[str]) -> float:
    """similarity(old, new), or 0.0 when a cheap upper bound (the shared tokens, in any order)
    already says the pair is below `cutoff`: unrelated lines cost a Counter, not a SequenceMatcher."""
    total = sum(old_words.values()) + sum(new_words.values())
    if total and 2 * sum((old_words & new_words).values()) / total < cutoff:
        return 0.0
    return similarity(old, new)


def align(old: Sequence[str], new: Sequence[str], *, cutoff: float = MIN_SIMILARITY) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines old[i] and new[j] to word-diff, in order (both indexes increase).

    A small run gets the alignment with the greatest total similarity among pairs at or above
    `cutoff`; a big one (over MAX_ALIGN_CELLS comparisons) pairs line k with line k where they
    are alike enough.
    """
    m, n = len(old), len(new)
    if not m or not n:
        return []
    if m * n > MAX_ALIGN_CELLS:
        return [(k, k) for k in range(min(m, n)) if similarity(old[k], new[k]) >= cutoff]
    old_words = [_words(a) for a in old]
    new_words = [_words(b) for b in new]
    score = [[_likeness(a, b, cutoff, aw, bw) for b, bw in zip(new, new_words, strict=True)]
             for a, aw in zip(old, old_words, strict=True)]
    # best[i][j]: the best total over old[i:] and new[j:]; filled from the end.
    best = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(m - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(n - 1, -1, -1):
            value = max(below[j], row[j + 1])
            if score[i][j] >= cutoff:
                value = max(value, score[i][j] + below[j + 1])
            row[j] = value
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < m and j < n:
        here = best[i][j]
        if score[i][j] >= cutoff and here == score[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif here == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs
