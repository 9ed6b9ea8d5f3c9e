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
RUBY_SUFFIXES = (".rb", ".rake", ".gemspec", ".ru", ".jbuilder")
# Ruby in files lizard's reader table does not name, measured and cut as the .rb they are (`lizard_path`): Rake tasks
# (lib/tasks/*.rake: operational code that changes production data; QA57 F16), gem specifications, Rack's config.ru
# (the application's boot and middleware), Jbuilder views (the JSON an API returns)
RUBY_ALIASES = frozenset({"rake", "gemspec", "ru", "jbuilder"})
# Ruby files named without a suffix: Rake's, Bundler's, Guard's and Capistrano's (FIX102's leftover)
RUBY_NAMES = frozenset({"rakefile", "gemfile", "guardfile", "capfile"})


def is_ruby(path: str) -> bool:
    """Whether `path` is Ruby by its suffix or its name."""
    lower = path.lower()
    return lower.endswith(RUBY_SUFFIXES) or lower.rsplit("/", 1)[-1] in RUBY_NAMES


def lizard_path(path: str) -> str:
    """The name lizard picks its reader by: a Rake file's, a gemspec's, a Rakefile's ... as Ruby (`x.rake.rb`), any
    other as it is."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in RUBY_NAMES or ("." in name and name.rsplit(".", 1)[-1] in RUBY_ALIASES):
        return f"{path}.rb"
    return path


def for_lizard(path: str, text: str) -> str:
    """`text` with each one-line endless method written as a method with a body (Ruby files only)."""
    if not is_ruby(path) or "def " not in text:
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


# -- test DSL blocks -----------------------------------------------------------------------------
# RSpec's `describe`/`context` and shoulda's `context` hold tests; `it`, `specify`, `scenario`, shoulda's `should` and
# minitest's `test "..." do` are tests. They are blocks, not methods: lizard sees none of them, so a 1,600-line
# shoulda file had no spans and its chunks were named after two helper defs at its end (QA57 F9).
_CONTAINERS = frozenset({"describe", "context", "feature", "shared_examples", "shared_examples_for", "shared_context"})
_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)(?:RSpec\.)?(?P<verb>describe|context|feature|shared_examples(?:_for)?|shared_context|it|"
    r"specify|scenario|example|should(?:_not)?|test)[ \t]*\(?[ \t]*"
    r"(?:(?P<quote>[\"'])(?P<text>[^\"'\n]{0,200})(?P=quote)|(?P<name>[A-Z][\w:]{0,100}|:\w{1,100}|#\w{1,100}))?"
    r"[^\n]*?\bdo[ \t]*(?:\|[^|\n]*\|)?[ \t]*(?:#[^\n]*)?$")
_END = re.compile(r"([ \t]*)end\b")
MAX_TEST_BLOCKS = 2_000
RUBY_TEST_FILE = re.compile(r"(?:^|/)(?:spec|test)s?/|_(?:spec|test)\.rb$")


def test_blocks(path: str, text: str) -> list[tuple[bool, str, int, int]]:
    """(a container?, name, first line, last line) of each `describe "x" do ... end`-style block of a Ruby test file,
    its `end` the next line at the opener's own indentation that starts with `end` (rubocop's layout); a block whose
    end is not found is left out. Named as JS test callbacks are, `should("return x")`, a test inside a container
    after it: `context("with yanked versions").should("be indexed")`. One pass over the lines: linear in the text."""
    if not path.lower().endswith(".rb") or not RUBY_TEST_FILE.search(path) or " do" not in text:
        return []
    found: list[tuple[bool, str, int, int]] = []
    opened: list[tuple[int, bool, str, int]] = []  # (indent, container?, name, first line) of the open blocks
    for number, line in enumerate(text.split("\n"), 1):
        closing = _END.match(line)
        if closing is not None:
            width = len(closing[1])
            while opened and opened[-1][0] > width:
                opened.pop()  # never closed at its own indentation: left out
            if opened and opened[-1][0] == width:
                _, container, name, first = opened.pop()
                found.append((container, name, first, number))
                if len(found) >= MAX_TEST_BLOCKS:
                    break
            continue
        match = _BLOCK.match(line)
        if match is None or len(opened) >= MAX_TEST_BLOCKS:
            continue
        label = match["text"] if match["text"] is not None else (match["name"] or "")
        name = f'{match["verb"]}("{label}")'
        container = match["verb"] in _CONTAINERS
        outer = next((entry[2] for entry in reversed(opened) if entry[1]), None)
        opened.append((len(match["indent"]), container, name if container or outer is None else f"{outer}.{name}",
                       number))
    return found
