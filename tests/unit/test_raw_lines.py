"""radon's raw line metrics in linear time: the same figures as radon.raw.analyze on every source."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from radon.raw import analyze as radon_analyze

from app.core.metrics import raw_lines


def outcome(analyze, source: str) -> object:
    try:
        return analyze(source)
    except SyntaxError as exc:  # radon's answer to a source whose last statement never ends
        return ("SyntaxError", str(exc))


def same_as_radon(source: str) -> None:
    assert outcome(raw_lines.analyze, source) == outcome(radon_analyze, source)


BIG_LITERAL = "DATA = {\n" + "".join(f"    'key{i}': [{i}, '{i}'],  # row {i}\n" for i in range(300)) + "}\n"

TRICKY = {
    "a long dict literal": BIG_LITERAL,
    "a long docstring": 'def f():\n    """Doc.\n\n' + "    text line\n" * 40 + '    """\n    return 1\n',
    "a long call with comments and blank lines": "call(\n" + "    arg,  # why\n\n" * 30 + ")\nx = 1\n",
    "backslash continuations": "x = 1 + \\\n" * 20 + "    2\ny = 3\n",
    "a continuation then an empty line": "x = a\\\n\ny = 2\n" + BIG_LITERAL,
    "one-line compound statements": "if x: return 0\ntry: 1/0\nexcept E: pass\na = 1; b = 2; c = 3\n",
    "strings joined across lines": "s = ('a'\n" + "     'b'\n" * 20 + "     'c')\n",
    "an f-string inside brackets": "print(\n" + "    f'{x!r:>10}'\n    ,\n" * 12 + ")\n",
    "nested brackets": "x = [(\n{1: [2,\n3]},\n" * 10 + ")]" * 10 + "\n",
    "no newline at the end": BIG_LITERAL + "last = 1",
    "trailing empty lines": BIG_LITERAL + "\n\n\n",
    "CRLF line endings": BIG_LITERAL.replace("\n", "\r\n"),
    "a form feed": "x = 1\n\f\ndef f(\n" + "    a,\n" * 12 + "):\n    pass\n",
    "a statement that never ends": "x = [1,\n" + "2,\n" * 30,
    "a string that never ends": 'x = """\n' + "text\n" * 30,
    "an empty source": "",
    "only comments": "# one\n# two\n",
}


@pytest.mark.parametrize("source", TRICKY.values(), ids=TRICKY.keys())
def test_the_figures_are_radons(source):
    same_as_radon(source)


def test_a_long_statement_is_tokenized_once_not_once_per_line(monkeypatch):
    """radon tokenizes a 300-line literal 300 times, up to 300 lines each (45,000 lines in all)."""
    tokenized_lines = []
    real = raw_lines._tokens

    def counting(buffer: str):
        tokenized_lines.append(buffer.count("\n") + 1)
        return real(buffer)

    monkeypatch.setattr(raw_lines, "_tokens", counting)
    assert raw_lines.analyze(BIG_LITERAL) == radon_analyze(BIG_LITERAL)
    lines = BIG_LITERAL.count("\n")
    # the first tries as radon makes them, then the one buffer that ends the statement
    assert sum(tokenized_lines) < lines + raw_lines.RETRIES_BEFORE_HINT ** 2


def test_a_hint_that_disagrees_with_radons_buffer_hands_the_source_to_radon(monkeypatch):
    """A long statement that ends in a continuation before an empty line: radon's buffer tokenizes
    where the hint's text does not, so the two disagree; radon's own answer is used."""
    handed_over = []
    monkeypatch.setattr(raw_lines, "radon_analyze", lambda source: handed_over.append(source) or "radon")
    source = "x = (\n" + "1,\n" * 12 + ") + a\\\n\nz = 1\n"
    assert raw_lines.analyze(source) == "radon"
    assert handed_over == [source]


LINES = st.sampled_from([
    "x = 1", "", "# note", "def f(a,", "    b):", "return (", ")", "]", "}", "[1,", "{'a':", "2,",
    '"""', "'''", 'doc = """text', 'end"""', "s = 'a' \\", "y = 2;z = 3", "if x: pass", "try:",
    "    pass", "else:", "call(arg)  # why", "f'{x}'", "\\", "  indented = 1", "class C:", "@decorator",
    "lambda: (", "x = 'unterminated", "\t", "pass  # :", "a = b[1:2]",
])


@settings(max_examples=800, deadline=None)
@given(st.lists(LINES, max_size=40), st.sampled_from(["\n", "\r\n"]), st.booleans(), st.sampled_from([1, 8]))
def test_any_sequence_of_lines_gives_radons_figures(lines, newline, final_newline, retries):
    """With the hint taken after one failed line, every multi-line statement goes through it."""
    source = newline.join(lines) + (newline if final_newline and lines else "")
    default = raw_lines.RETRIES_BEFORE_HINT
    raw_lines.RETRIES_BEFORE_HINT = retries
    try:
        same_as_radon(source)
    finally:
        raw_lines.RETRIES_BEFORE_HINT = default


def test_a_line_seen_before_is_not_tokenized_again(monkeypatch):
    """`explain` measures both versions of a file, which share most of their lines."""
    raw_lines._line_memo.clear()
    tokenized = []
    real = raw_lines._tokens
    monkeypatch.setattr(raw_lines, "_tokens", lambda buffer: tokenized.append(buffer) or real(buffer))
    old = "import os\n\ndef f(x):\n    if x: return 0\n    return os.sep  # why\n"
    new = old + "\ndef g():\n    return 1\n"
    assert raw_lines.analyze(old) == radon_analyze(old)
    tokenized.clear()
    assert raw_lines.analyze(new) == radon_analyze(new)
    assert tokenized == ["def g():", "return 1"]


def test_the_line_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(raw_lines, "LINE_MEMO_LIMIT", 3)
    raw_lines._line_memo.clear()
    source = "".join(f"x{i} = {i}  # {i}\n" for i in range(10)) + BIG_LITERAL
    same_as_radon(source)
    assert len(raw_lines._line_memo) <= 3
