"""radon's raw line metrics (`radon.raw.analyze`: loc, lloc, sloc, comments, multi, blank, single
comments), with the same figures in linear time.

radon strips every line and tokenizes it on its own; when a statement or string spans lines, it adds the
next line to the buffer and tokenizes the whole buffer again, until the tokenizer stops failing. A
statement of N lines therefore costs N tokenizations of up to N lines: a 4,000-line dict literal in a
test file (ansible's test_ohai.py, 159 KB) took 22 s, a hundred times the rest of its change.

This module runs radon's own loop and its own counting, and changes two things:
- Once a buffer has grown past a few lines, it stops trying the lines where the buffer would certainly
  fail. Those are the lines after which the tokenizer is still inside brackets, a string or a backslash
  continuation, which one streaming tokenization of the stripped lines from the statement's first line
  says (read only as far as the statement goes). At every line where radon's buffer could succeed, the
  buffer is still tokenized as radon tokenizes it, so the groups, tokens and counts are radon's. If the
  streaming tokenization and a buffer ever disagree, the whole source goes to radon itself.
- A line that makes a group of its own is counted once per process: its figures depend on its text
  alone, and most lines recur (both versions of a changed file, `else:` and `)` everywhere).
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator, Sequence

from radon.raw import Module, _logical, is_single_token
from radon.raw import analyze as radon_analyze

# A buffer that still fails after this many added lines switches to the streaming hint; most multi-line
# statements end sooner, and their files never pay for the extra tokenization.
RETRIES_BEFORE_HINT = 8

_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


class _Disagreement(Exception):
    """The streaming tokenization and radon's buffer disagree: use radon itself."""


def analyze(source: str) -> Module:
    """`radon.raw.analyze(source)`, in time linear in the length of a multi-line statement."""
    try:
        return _analyze(source)
    except _Disagreement:
        return radon_analyze(source)


def _tokens(buffer: str) -> list[tokenize.TokenInfo] | None:
    """radon's tokenization of a buffer, or None where radon would add another line."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(buffer).readline))
    except tokenize.TokenError:
        return None
    if any(t[0] == tokenize.ERRORTOKEN for t in tokens):
        return None
    return tokens


def closed_rows(lines: Sequence[str], start: int) -> Iterator[int]:
    """The rows from `start` on after which the tokenizer is outside every bracket, string and continuation,
    in order, tokenizing the stripped lines once as one text from `start` (where radon's buffer starts)
    and only as far as the caller reads. A buffer of whole lines that ends on a row not yielded ends
    inside a construct, where tokenize raises TokenError."""
    last = len(lines) - 1

    def readline_source() -> Iterator[str]:
        for row in range(start, last):
            yield lines[row] + "\n"
        yield lines[last]

    depth = 0
    try:
        for tok in tokenize.generate_tokens(readline_source().__next__):
            kind = tok[0]
            if kind == tokenize.OP:
                if tok.string in _OPENING:
                    depth += 1
                elif tok.string in _CLOSING:
                    depth = max(0, depth - 1)
            elif kind == tokenize.NEWLINE or (kind == tokenize.NL and depth == 0):
                row = start + tok.start[0] - 1
                if row <= last:
                    yield row
            elif kind == tokenize.ERRORTOKEN:
                raise _Disagreement
    except _Disagreement:
        raise
    except Exception as exc:  # TokenError; under 3.12+ the C tokenizer may raise SyntaxError
        raise _Disagreement from exc
    # The last line ends the text, and the text tokenized without an error: nothing is open at its
    # end, whether or not a token marks it (an empty last line, a comment after a continuation).
    yield last


# A line that makes a group of its own always counts the same, and most lines recur: in the other version
# of the same file (explain measures both), and across files (`else:`, `return None`, `)`). Its figures are
# kept per stripped line, up to this many lines per process.
LINE_MEMO_LIMIT = 200_000
_line_memo: dict[str, tuple[int, int, int, int, int, int] | None] = {}

Figures = tuple[int, int, int, int, int, int]  # comments, single comments, multi, blank, sloc, lloc


def _group_figures(tokens: list[tokenize.TokenInfo], parsed_lines: list[str]) -> Figures:
    """What one group of lines adds, counted exactly as radon.raw.analyze counts it."""
    comments = sum(1 for t in tokens if t[0] == tokenize.COMMENT)
    single_comments = multi = blank = sloc = 0
    if is_single_token(tokenize.COMMENT, tokens):
        single_comments = 1
    elif is_single_token(tokenize.STRING, tokens):
        _, _, (start_row, _), (end_row, _), _ = tokens[0]
        if end_row == start_row:
            single_comments = 1
        else:
            multi = sum(1 for line in parsed_lines if line)
            blank = sum(1 for line in parsed_lines if not line)
    else:
        sloc = sum(1 for line in parsed_lines if line)
        blank = len(parsed_lines) - sloc
    return comments, single_comments, multi, blank, sloc, _logical(tokens)


def _line_alone(line: str) -> Figures | None:
    """The figures of `line` as a group of its own, or None where radon would add the next line."""
    try:
        return _line_memo[line]
    except KeyError:
        pass
    tokens = _tokens(line)
    figures = None if tokens is None else _group_figures(tokens, [line])
    if len(_line_memo) >= LINE_MEMO_LIMIT:
        _line_memo.clear()
    _line_memo[line] = figures
    return figures


def _analyze(source: str) -> Module:
    lines = [line.strip() for line in source.splitlines()]
    totals = [0, 0, 0, 0, 0, 0]
    start = 0
    while start < len(lines):
        figures = _line_alone(lines[start])
        end = start
        # Where this statement can end, read once radon's way has failed RETRIES_BEFORE_HINT times: from
        # then on only those rows are tried, so a long statement costs two tokenizations, not one per line.
        hint: Iterator[int] | None = None
        next_closed = start
        while figures is None:
            end += 1
            if end >= len(lines):
                raise SyntaxError(f"SyntaxError at line: {start + 1}")  # radon's own error
            if hint is None and end - start >= RETRIES_BEFORE_HINT:
                hint = closed_rows(lines, start)
                next_closed = next(hint)
                if next_closed < end:
                    raise _Disagreement  # radon's buffer failed on a line the hint calls closed
            if hint is None or next_closed == end:
                tokens = _tokens("\n".join(lines[start:end + 1]))
                if tokens is not None:
                    figures = _group_figures(tokens, lines[start:end + 1])
                elif hint is not None:
                    raise _Disagreement  # the hint said this buffer would succeed
        for i, value in enumerate(figures):
            totals[i] += value
        start = end + 1
    comments, single_comments, multi, blank, sloc, lloc = totals
    loc = sloc + blank + multi + single_comments
    return Module(loc, lloc, sloc, comments, multi, blank, single_comments)
