"""Ruby as lizard can read it: an endless method (`def owns?(gem) = gems.include?(gem)`, Ruby 3.0+) becomes
`def owns?(gem); gems.include?(gem); end` on the same line.

lizard's Ruby reader knows no endless method: it opens a function at such a `def` and closes it at the class's
`end`, so every method after it was inside it and the endless ones before a normal `def` were lost, with their
branches (rubygems.org: 70 endless methods in 25 files; `owns_gem?` "spanned" lines 117-241 of a 241-line class).
Line numbers stay as they are, so spans and functions point at the real lines. Linear in the text: repository
content is untrusted, and a regex that looked for the trailing comment took 14 s on one 36 KB line.
"""

from __future__ import annotations

import re

# `def name(args) = body`; a name is a method's or an operator's (`def ==(other) = id == other.id`)
_NAME = r"(?:self\.)?(?:[A-Za-z_]\w*[?!]?|<=>|===?|!=|[<>]=?|\[\]=?|[-+*/%!~^&|]|<<|>>)"
_ENDLESS = re.compile(rf"^(?P<head>[ \t]*def[ \t]+{_NAME}[ \t]*(?:\([^()\n]*\))?)[ \t]*=[ \t]+(?P<body>\S[^\n]*)$",
                      re.MULTILINE)
_QUOTES_AND_BRACES = "\"'{}"
RUBY_SUFFIXES = (".rb", ".rake", ".gemspec", ".ru")


def for_lizard(path: str, text: str) -> str:
    """`text` with each one-line endless method written as a method with a body (Ruby files only)."""
    if not path.lower().endswith(RUBY_SUFFIXES) or "def " not in text:
        return text
    return _ENDLESS.sub(_with_body, text)


def _with_body(match: re.Match[str]) -> str:
    body, comment = _split_comment(match["body"].rstrip())
    return f"{match['head'].rstrip()}; {body}; end{comment}"


def _split_comment(body: str) -> tuple[str, str]:
    """(code, trailing comment): a comment starts at a ` #` after the line's last quote or brace (a `#` before
    it may sit in a string, `"#{x}"`), so `; end` goes before the comment, not into it."""
    last = max(body.rfind(char) for char in _QUOTES_AND_BRACES)
    starts = [i for i in (body.find(" #", last + 1), body.find("\t#", last + 1)) if i >= 0]
    if not starts:
        return body, ""
    start = min(starts)
    return body[:start], body[start:]
