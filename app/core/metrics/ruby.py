"""Ruby as lizard can read it: an endless method (`def owns?(gem) = gems.include?(gem)`, Ruby 3.0+) becomes
`def owns?(gem); gems.include?(gem); end` on the same line.

lizard's Ruby reader knows no endless method: it opens a function at such a `def` and closes it at the class's
`end`, so every method after it was inside it and the endless ones before a normal `def` were lost, with their
branches (rubygems.org: 70 endless methods in 25 files; `owns_gem?` "spanned" lines 117-241 of a 241-line class).
Line numbers stay as they are, so spans and functions point at the real lines.
"""

from __future__ import annotations

import re

# `def name(args) = body  # comment`; a name is a method's or an operator's (`def ==(other) = id == other.id`)
_NAME = r"(?:self\.)?(?:[A-Za-z_]\w*[?!]?|<=>|===?|!=|[<>]=?|\[\]=?|[-+*/%!~^&|]|<<|>>)"
_ENDLESS = re.compile(rf"^(?P<head>[ \t]*def[ \t]+{_NAME}[ \t]*(?:\([^()\n]*\))?)[ \t]*=[ \t]+"
                      r"(?P<body>\S[^\n]*?)(?P<comment>[ \t]+#[^\"'{}\n]*)?$", re.MULTILINE)
RUBY_SUFFIXES = (".rb", ".rake", ".gemspec", ".ru")


def for_lizard(path: str, text: str) -> str:
    """`text` with each one-line endless method written as a method with a body (Ruby files only)."""
    if not path.lower().endswith(RUBY_SUFFIXES) or "def " not in text:
        return text
    return _ENDLESS.sub(lambda m: f"{m['head']}; {m['body']}; end{m['comment'] or ''}", text)
