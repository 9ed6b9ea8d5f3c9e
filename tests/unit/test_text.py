"""Shared text helpers."""

from __future__ import annotations

from app.core.text import percent, share_text, significant


def test_significant_keeps_small_rates_readable() -> None:
    # a 21,670-line change's risk per review minute is about 0.0004: never "0.000", never "3.7e-05"
    assert significant(0.000374) == "0.00037"
    assert significant(3.7e-05) == "0.000037"
    assert significant(0.0521) == "0.052"
    assert significant(1.4) == "1.400"
    assert significant(0) == "0.000"


def test_json_text_escapes_every_unsafe_character_among_harmless_unicode() -> None:
    """The fast path (the text's few distinct non-ASCII characters looked at first) must not let an
    unsafe one through when the rest of the text is harmless UTF-8 (accents, CJK, emoji)."""
    import json

    from app.core.text import _INVISIBLE, _JSON_UNSAFE, json_text

    harmless = "café 日本 \U0001f600 naïve"
    unsafe = ["\x7f", "\x9b", "\u200b", "\u202e", "\u2028", "\ufeff", "\U000e0041", "\u0600", "\ud800"]
    assert json_text({"t": harmless}) == json.dumps({"t": harmless}, indent=2, ensure_ascii=False)
    for ch in unsafe:
        data = {"title": f"{harmless} {ch} end", "list": [harmless, ch]}
        text = json_text(data)
        assert not _JSON_UNSAFE.search(text) and not _INVISIBLE.search(text), repr(ch)
        assert json.loads(text) == data


def test_percent_never_rounds_a_real_chance_to_zero() -> None:
    assert percent(0.0042) == "0.4%"
    assert percent(0.0004) == "<0.1%"
    assert percent(0.042) == "4.2%"
    assert percent(0.34) == "34%"
    assert percent(0.0) == "0%"
    assert percent(float("nan")) == "0%"
    assert percent(1.0) == "100%"


def test_a_share_of_lines_never_rounds_to_none_or_all() -> None:
    # QA48 #12: 17 AI lines of 4,897 read "0%" beside "Claude Code"
    assert [share_text(v) for v in (0.0, 0.0035, 0.01, 0.42, 0.996, 1.0)] == ["0%", "<1%", "1%",
                                                                                 "42%", ">99%", "100%"]


def test_the_queue_says_a_tiny_ai_share_is_there(make_repo) -> None:
    import json

    from click.testing import CliRunner

    from app.cli import cli
    from tests.conftest import ALICE

    b = make_repo()
    b.commit("init", {"a.py": "x = 0\n"}, author=ALICE)
    b.branch("mostly-human")
    body = "".join(f"V{i} = {i}\n" for i in range(400))
    b.commit("Tables", {"t.py": body}, branch="mostly-human", author=ALICE)
    b.commit("One more\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", {"t.py": body + "W = 1\n"},
             branch="mostly-human", author=ALICE)
    b.checkout()
    listed = CliRunner().invoke(cli, ["list", "--repo", str(b.path)])
    row = next(line for line in listed.stdout.splitlines() if "mostly-human" in line)
    assert " <1% " in row, listed.stdout
    data = json.loads(CliRunner().invoke(cli, ["list", "--repo", str(b.path), "--json"]).stdout)
    assert 0 < data[0]["ai_share"] < 0.005


def test_one_person_with_two_addresses_is_one_author() -> None:
    from app.core.text import author_names

    assert author_names(["Kar Petrosyan <kar@users.noreply.github.com>", "kar petrosyan <kar@gmail.com>",
                         "Tom <tom@example.com>", "<bot@example.com>"]) == [
        "Kar Petrosyan", "Tom", "<bot@example.com>"]


def test_a_middle_cut_never_splits_a_visible_marker() -> None:
    """QA42 #10: `feat/zer…0B>width-real` kept two characters of the <U+200B> that tells a look-alike branch
    apart, and `evil…E>gnp.py` those of a bidi override. A marker is kept whole, or dropped whole."""
    import re

    from app.core.text import fit_middle

    for text in ("feat/zero<U+200B>width-real", "src/evil<U+202E>gnp.py", "fix-\\xffabcdefgh",
                 "<U+202E><U+202E><U+202E>abcdefghijkl"):
        for width in range(5, len(text)):
            shown = fit_middle(text, width)
            assert len(shown) <= width, (text, width, shown)
            for part in shown.split("…"):
                assert not re.search(r"<U\+[0-9A-F]{0,5}$|^[0-9A-F]{0,5}>|\\x?[0-9a-f]?$", part.replace("\\xff", "")), \
                    (text, width, shown)
    assert fit_middle("feat/zero<U+200B>width-real", 22) == "fea…<U+200B>width-real"
