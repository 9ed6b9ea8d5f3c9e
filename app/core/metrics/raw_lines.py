"""radon's raw line metrics (`radon.raw.analyze`: loc, lloc, sloc, comments, multi, blank, single
comments), with the same figures in linear time.

radon strips every line and tokenizes it on its own; when a statement or string spans lines, it adds the
next line to the buffer and tokenizes the whole buffer again, until the tokenizer stops failing. A
statement of N lines therefore costs N tokenizations of up to N lines: a 4,000-line dict literal in a
test file (ansible's test_ohai.py, 159 KB) took 22 s, a hundred times the rest of its change.

This module runs radon's own loop and its own counting, and changes one thing: once a buffer has grown
past a few lines, it stops trying the lines where the buffer would certainly fail. Those are the lines
after which the tokenizer is still inside brackets, a string or a backslash continuation, which one
streaming tokenization of the stripped lines says. At every line where radon's buffer could succeed,
the buffer is still tokenized as radon tokenizes it, so the groups, tokens and counts are radon's. If
the streaming tokenization and a buffer ever disagree, the whole source goes to radon itself.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence

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


def closed_lines(lines: Sequence[str]) -> list[bool]:
    """Per stripped line, whether the tokenizer is outside every bracket, string and continuation at its
    end, tokenizing the lines once as one text. A buffer of whole lines that ends on a line that is not
    closed ends inside a construct, where tokenize raises TokenError."""
    closed = [False] * len(lines)
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines)).readline):
            kind = tok[0]
            if kind == tokenize.OP:
                if tok.string in _OPENING:
                    depth += 1
                elif tok.string in _CLOSING:
                    depth = max(0, depth - 1)
            elif kind == tokenize.NEWLINE or (kind == tokenize.NL and depth == 0):
                row = tok.start[0] - 1
                if row < len(closed):
                    closed[row] = True
            elif kind == tokenize.ERRORTOKEN:
                raise _Disagreement
    except Exception as exc:  # TokenError; under 3.12+ the C tokenizer may raise SyntaxError
        raise _Disagreement from exc
    if lines:
        # The last line ends the text, and the text tokenized without an error: nothing is open at its
        # end, whether or not a token marks it (an empty last line, a comment after a continuation).
        closed[-1] = True
    return closed


def _analyze(source: str) -> Module:
    lines = [line.strip() for line in source.splitlines()]
    closed: list[bool] | None = None
    lloc = comments = single_comments = multi = blank = sloc = 0
    start = 0
    while start < len(lines):
        end = start
        tokens = None
        while True:
            if closed is None or closed[end]:
                tokens = _tokens("\n".join(lines[start:end + 1]))
                if tokens is not None:
                    break
                if closed is not None:
                    raise _Disagreement  # the hint said this buffer would succeed
            end += 1
            if end >= len(lines):
                raise SyntaxError(f"SyntaxError at line: {start + 1}")  # radon's own error
            if closed is None and end - start >= RETRIES_BEFORE_HINT:
                closed = closed_lines(lines)
                if any(closed[start:end]):
                    raise _Disagreement  # radon's buffer failed on a line the hint calls closed
        parsed_lines = lines[start:end + 1]
        # Counting exactly as radon.raw.analyze does.
        comments += sum(1 for t in tokens if t[0] == tokenize.COMMENT)
        if is_single_token(tokenize.COMMENT, tokens):
            single_comments += 1
        elif is_single_token(tokenize.STRING, tokens):
            _, _, (start_row, _), (end_row, _), _ = tokens[0]
            if end_row == start_row:
                single_comments += 1
            else:
                multi += sum(1 for line in parsed_lines if line)
                blank += sum(1 for line in parsed_lines if not line)
        else:
            for line in parsed_lines:
                if line:
                    sloc += 1
                else:
                    blank += 1
        lloc += _logical(tokens)
        start = end + 1
    loc = sloc + blank + multi + single_comments
    return Module(loc, lloc, sloc, comments, multi, blank, single_comments)
