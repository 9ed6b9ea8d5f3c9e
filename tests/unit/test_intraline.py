"""Word-level differences (app.core.intraline) and block lexing (app.tui.widgets.diff_syntax)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from app.core.intraline import MAX_ALIGN_CELLS, MIN_SIMILARITY, align, compare, similarity, tokenize, word_diff
from app.tui.widgets.diff_syntax import LOOKBACK_LINES, PAGE_LINES, StreamLexer, lex_lines, lexer_for_path

code_text = st.text(alphabet=st.sampled_from(list("abc_xyz019 ()[]=+-*/.,:'\"#\t")), max_size=60)


def _unchanged(text: str, ranges: tuple[tuple[int, int], ...]) -> str:
    out, position = [], 0
    for start, end in ranges:
        out.append(text[position:start])
        position = end
    out.append(text[position:])
    return "".join(out)


@given(code_text)
def test_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(tokenize(text)) == text


@given(code_text, code_text)
def test_what_is_not_emphasised_is_the_same_on_both_sides(old: str, new: str) -> None:
    edit = compare(old, new)
    for text, ranges in ((old, edit.old), (new, edit.new)):
        assert all(0 <= start < end <= len(text) for start, end in ranges)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))  # sorted, apart
    # the emphasis covers exactly the difference: remove it and the lines agree
    assert _unchanged(old, edit.old) == _unchanged(new, edit.new)
    assert 0.0 <= edit.similarity <= 1.0


@given(code_text)
def test_a_line_compared_with_itself_has_nothing_to_emphasise(text: str) -> None:
    edit = compare(text, text)
    assert edit.old == edit.new == () and edit.similarity == 1.0


def test_identifiers_change_whole_and_unrelated_lines_are_not_word_diffed() -> None:
    old, new = "    retry_budget = 3  # tries", "    retry_limit = 5  # tries"
    edit = word_diff(old, new)
    assert edit is not None
    assert [old[a:b] for a, b in edit.old] == ["retry_budget", "3"]
    assert [new[a:b] for a, b in edit.new] == ["retry_limit", "5"]
    assert word_diff("return None", 'raise ValueError("bad input")') is None
    # an operator changes whole: `>` -> `>=` emphasises `>=`, not the `=` alone
    old, new = "if total_length > max_length:", "if total_length >= max_length:"
    edit = word_diff(old, new)
    assert edit is not None and [old[a:b] for a, b in edit.old] == [">"] and [new[a:b] for a, b in edit.new] == [">="]
    assert tokenize("a->b != c ** 2") == ["a", "->", "b", " ", "!=", " ", "c", " ", "**", " ", "2"]
    # shared indentation does not make unrelated lines alike
    assert similarity("        total += amount", "        log.info(message)") < MIN_SIMILARITY


@given(st.lists(code_text, max_size=8), st.lists(code_text, max_size=8))
def test_alignment_keeps_order_and_pairs_only_alike_lines(old: list[str], new: list[str]) -> None:
    pairs = align(old, new)
    assert all(0 <= i < len(old) and 0 <= j < len(new) for i, j in pairs)
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in itertools.pairwise(pairs))
    assert all(similarity(old[i], new[j]) >= MIN_SIMILARITY for i, j in pairs)


def test_alignment_finds_a_changed_line_after_an_inserted_one() -> None:
    old = ["    retry_budget = 3", "    timeout = 10"]
    new = ['    """Retries a call."""', "    retry_limit = 3", "    timeout = 30"]
    assert align(old, new) == [(0, 1), (1, 2)]


def test_big_runs_pair_by_position() -> None:
    size = int(MAX_ALIGN_CELLS ** 0.5) + 2
    old = [f"value_{i} = {i}" for i in range(size)]
    new = [f"value_{i} = {i + 1}" for i in range(size)]
    assert align(old, new) == [(k, k) for k in range(size)]


# -- lexing per block ------------------------------------------------------------------------------
def test_a_block_is_lexed_as_one_text() -> None:
    lexer = lexer_for_path("svc/pay.py")
    assert lexer is not None
    lines = ['def f():', '    """Docs.', '    return def class', '    """', '    return 1']
    lexed = lex_lines(lexer, lines)
    assert lexed is not None
    assert ["".join(v for _, v in pieces) for pieces in lexed.lines] == lines
    assert {var for var, value in lexed.lines[2] if value.strip()} == {"syntax-string"}
    assert ("syntax-keyword", "return") in lexed.lines[4]
    assert lexed.open_after[1] and lexed.open_after[2] and not lexed.open_after[4]


def test_pages_continue_a_docstring_and_start_fresh_after_code() -> None:
    lexer = lexer_for_path("x.py")
    # a docstring opened a few lines before the second page and closed inside it
    lines = ["x = 1"] * (PAGE_LINES - 2) + ['"""', "return inside docs", "def also docs", '"""'] + \
        ["return 2"] * (PAGE_LINES + 5)
    assert lines[PAGE_LINES] == "def also docs"
    calls: list[int] = []

    def line(k: int) -> str:
        calls.append(k)
        return lines[k]

    stream = StreamLexer(lexer, len(lines), line)
    # jumping straight to the second page still sees the docstring (lookback)
    assert {v for v, text in stream.pieces(PAGE_LINES) if text.strip()} == {"syntax-string"}
    assert min(calls) == max(0, PAGE_LINES - LOOKBACK_LINES)
    assert ("syntax-keyword", "return") in stream.pieces(PAGE_LINES + 2)
    # the first page ends in code, so the third page (reached in order) is lexed on its own
    stream.pieces(0)
    calls.clear()
    stream.pieces(2 * PAGE_LINES)
    assert min(calls) == 2 * PAGE_LINES


def test_unknown_types_and_lexer_trouble_give_plain_text() -> None:
    stream = StreamLexer(lexer_for_path("notes.unknownext"), 1, lambda k: "def x(): pass")
    assert stream.pieces(0) == [(None, "def x(): pass")]


# -- the DiffView's row index ---------------------------------------------------------------------
@given(st.lists(st.sampled_from(["file", "hunk", "context", "add", "del", "note"]), max_size=40))
def test_runs_are_maximal_deleted_then_added_stretches_within_blocks(kinds: list[str]) -> None:
    from app.tui.widgets.diff_view import DisplayLine, block_bounds, change_runs

    lines = [DisplayLine(kind, None, None, "x", "a.py") for kind in kinds]  # type: ignore[arg-type]
    starts, stops = block_bounds(lines)
    runs, del_starts = change_runs(lines, frozenset(starts))
    blocks = list(zip(starts, stops, strict=True))
    content = {"context", "add", "del"}
    assert all(all(kinds[i] in content for i in range(a, b)) for a, b in blocks)
    covered = {i for a, b in blocks for i in range(a, b)}
    assert covered == {i for i, kind in enumerate(kinds) if kind in content}
    for run in runs:
        assert run.start < run.mid < run.stop
        assert all(kinds[i] == "del" for i in range(run.start, run.mid))
        assert all(kinds[i] == "add" for i in range(run.mid, run.stop))
        assert run.stop == len(kinds) or kinds[run.stop] != "add"  # maximal at the end
        assert run.start == 0 or kinds[run.start - 1] != "del" or run.start in starts
    # every deleted row directly followed by added rows is in a run
    for i in range(len(kinds) - 1):
        if kinds[i] == "del" and kinds[i + 1] == "add":
            assert any(run.start <= i < run.mid == i + 1 for run in runs)
    assert del_starts == [i for i, kind in enumerate(kinds)
                          if kind == "del" and (i == 0 or kinds[i - 1] != "del" or i in starts)]
