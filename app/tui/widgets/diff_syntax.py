"""Syntax highlighting of diff text, lexed per block of consecutive lines rather than per line.

A lexer fed one line at a time cannot know that the line sits inside a docstring or a block
comment, so such lines come out coloured as code. Here the lines of one side of a diff block
(the old side: context and deleted lines; the new side: context and added lines) are lexed
together as one text, the way delta and GitHub do, and the tokens are cut back into lines.

It stays lazy for huge blocks (a 30,000-line added file is one hunk): a block is lexed in pages
of PAGE_LINES lines and only the pages on screen are ever lexed. A page whose previous page is
known to end in plain code (its last token neither a string nor a block comment, so no docstring
or block comment is open) starts lexing at its own first line, which makes reading down a file cost
one lexing per line; any other page starts LOOKBACK_LINES earlier, so a construct opened shortly
before it is still seen. A construct opened more than LOOKBACK_LINES before such a page (a
200-line docstring reached by a jump) can be mis-coloured; a block's first page is always exact.

Lines arrive already made visible (app.core.text.visible, tabs expanded), so they hold no
newline; the pieces of each line join back to exactly its text, or the line is shown plain.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound

PAGE_LINES = 64
LOOKBACK_LINES = 64

Piece = tuple[str | None, str]
"""(syntax-* theme variable or None for plain text, text)."""

# Token families checked from the most specific; the first match picks the theme variable.
_TOKEN_VARIABLES: tuple[tuple[_TokenType, str], ...] = (
    (Token.Comment, "syntax-comment"),
    (Token.Literal.String, "syntax-string"),
    (Token.Literal.Number, "syntax-number"),
    (Token.Keyword, "syntax-keyword"),
    (Token.Name.Function, "syntax-function"),
    (Token.Name.Decorator, "syntax-function"),
    (Token.Name.Class, "syntax-class"),
    (Token.Name.Builtin, "syntax-builtin"),
    (Token.Name.Tag, "syntax-keyword"),
    (Token.Name.Attribute, "syntax-function"),
    (Token.Operator, "syntax-operator"),
)
_variable_for_token: dict[_TokenType, str | None] = {}


def _within(token: _TokenType, family: _TokenType) -> bool:
    """pygments' "is `token` `family` or a subtype of it" (its stub sees a token type as a tuple of
    str, so mypy would call the `in` test impossible)."""
    return token in family  # type: ignore[comparison-overlap]


def token_variable(token: _TokenType) -> str | None:
    """The syntax-* variable colouring `token`, or None for plain text (memoised per token type)."""
    try:
        return _variable_for_token[token]
    except KeyError:
        found = next((var for family, var in _TOKEN_VARIABLES if _within(token, family)), None)
        _variable_for_token[token] = found
        return found


_lexers: dict[str, Lexer | None] = {}


def lexer_for_path(path: str) -> Lexer | None:
    """A Pygments lexer chosen by file name (cached per extension), or None for plain text."""
    name = posixpath.basename(path)
    stem, dot, ext = name.rpartition(".")
    key = f".{ext.lower()}" if dot and stem else name
    if key not in _lexers:
        try:
            # stripnl/ensurenl off: the text handed in must come back exactly, line for line.
            _lexers[key] = get_lexer_for_filename(name, stripnl=False, ensurenl=False)
        except (ClassNotFound, ValueError):
            _lexers[key] = None
    return _lexers[key]


_SINGLE_LINE_COMMENTS = (Token.Comment.Single, Token.Comment.Hashbang, Token.Comment.Preproc,
                         Token.Comment.PreprocFile)


def _may_be_open(token: _TokenType) -> bool:
    """Whether a line ending in `token` may end inside a construct that goes on (a docstring,
    a block comment, a string): conservative, only plain code and line comments say no."""
    if _within(token, Token.Comment):
        return not any(_within(token, family) for family in _SINGLE_LINE_COMMENTS)
    return _within(token, Token.Literal.String)


@dataclass(slots=True)
class Lexed:
    """Lines lexed as one text."""

    lines: list[list[Piece]]
    open_after: list[bool]
    """Per line: whether a string or comment may still be open after it (so the line after it
    cannot be lexed on its own); see _may_be_open."""


def lex_lines(lexer: Lexer, lines: list[str]) -> Lexed | None:
    """The pieces of each of `lines`, lexed as one text; None if the lexer fails or loses text."""
    text = "\n".join(lines)
    out: list[list[Piece]] = [[]]
    open_after: list[bool] = []
    last: _TokenType = Token.Text
    try:
        for token, value in lexer.get_tokens(text):
            if not value:
                continue
            variable = token_variable(token)
            parts = value.split("\n")
            for number, part in enumerate(parts):
                if number:
                    open_after.append(_may_be_open(last) or _within(token, Token.Literal.String) or
                                      (_within(token, Token.Comment) and _may_be_open(token)))
                    out.append([])
                if part.strip():
                    last = token
                if part:
                    current = out[-1]
                    if current and current[-1][0] == variable:
                        current[-1] = (variable, current[-1][1] + part)
                    else:
                        current.append((variable, part))
    except Exception:  # a lexer bug must never take the diff down: the caller shows plain text
        return None
    if len(out) != len(lines):
        return None
    open_after.append(_may_be_open(last))
    return Lexed(out, open_after)


class StreamLexer:
    """Lazily lexed lines of one side of one diff block; `pieces(i)` lexes only i's page."""

    def __init__(self, lexer: Lexer | None, count: int, line: Callable[[int], str]) -> None:
        self._lexer = lexer
        self._count = count
        self._line = line
        self._pages: dict[int, list[list[Piece]]] = {}
        self._open: dict[int, list[bool]] = {}  # page -> per line, may a string or comment be open after it

    def pieces(self, index: int) -> list[Piece]:
        """The pieces of line `index` of the stream (its text, plain, when there is no lexer)."""
        text = self._line(index)
        if self._lexer is None or not text:
            return [(None, text)]
        page = index // PAGE_LINES
        lexed = self._pages.get(page)
        if lexed is None:
            lexed = self._lex_page(page)
            self._pages[page] = lexed
        pieces = lexed[index - page * PAGE_LINES]
        if "".join(value for _, value in pieces) != text:  # never show text the lexer altered
            return [(None, text)]
        return pieces

    def _lex_page(self, page: int) -> list[list[Piece]]:
        start = page * PAGE_LINES
        stop = min(self._count, start + PAGE_LINES)
        previous = self._open.get(page - 1)
        closed = page == 0 or (previous is not None and not previous[-1])
        first = start if closed else max(0, start - LOOKBACK_LINES)
        lines = [self._line(i) for i in range(first, stop)]
        assert self._lexer is not None
        lexed = lex_lines(self._lexer, lines)
        if lexed is None:
            self._open[page] = [True] * (stop - start)
            return [[(None, text)] for text in lines[start - first:]]
        self._open[page] = lexed.open_after[start - first:]
        return lexed.lines[start - first:]

    def open_after(self, index: int) -> bool:
        """Whether a string or comment may still be open after line `index` (lexing its page)."""
        if self._lexer is None:
            return False
        self.pieces(index)
        page = index // PAGE_LINES
        return self._open.get(page, [True] * PAGE_LINES)[index - page * PAGE_LINES]
