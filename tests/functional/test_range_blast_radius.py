"""A commit of `list --range` is measured on a dependency graph of its past, never of code written after it:
the callers a later commit adds do not count, and another range start is another graph (not a cached
report of the first)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE, BOB

MONEY = "def to_cents(amount):\n    return int(round(amount * 100))\n"
MONEY_CURRENCY = "def to_cents(amount, currency):\n    return int(round(amount * currency.scale))\n"


def _caller(name: str) -> str:
    return f"from shop.money import to_cents\n\n\ndef {name}(x):\n    return to_cents(x) + 1\n"


def _blast_of(repo, commit: str, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["list", "--repo", str(repo), "--json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [report] = [r for r in json.loads(result.stdout) if r["head"] == commit]
    return report["blast_radius"]


def test_range_commits_see_no_callers_from_their_future(make_repo, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REVIEW_TUI_CACHE_DIR", str(tmp_path / "cache"))  # one cache for every run below
    builder = make_repo()
    start = builder.commit("money", {"src/shop/__init__.py": "", "src/shop/money.py": MONEY}, author=ALICE)
    callers = builder.commit("six callers", {f"src/shop/use{i}.py": _caller(f"use{i}") for i in range(6)},
                             author=ALICE)
    resign = builder.commit("to_cents takes a currency", {"src/shop/money.py": MONEY_CURRENCY}, author=BOB)
    builder.commit("three more callers", {f"src/shop/later{i}.py": _caller(f"later{i}") for i in range(3)},
                   author=ALICE)  # main's tip: code written after the range

    own_past = _blast_of(builder.path, resign, "--range", f"{callers}..{resign}")
    assert own_past["direct"] == 6  # the six callers it had; not the three added after it

    older_start = _blast_of(builder.path, resign, "--range", f"{start}..{resign}")
    assert older_start["direct"] == 0  # measured on the graph at that range's start: not the cached report

    branch_view = _blast_of(builder.path, resign, "--range", f"{callers}..{resign}")
    assert branch_view == own_past  # and the first range read back from the cache is unchanged


def test_a_change_is_charged_only_with_what_it_changed_not_with_its_base_moving_on(make_repo) -> None:
    """A branch that only adds a comment to money.py, started before main re-signed to_cents, changes
    no symbol: the graph is main's tip, but what changed is read from the branch's own starting point."""
    builder = make_repo()
    builder.commit("money", {"src/shop/__init__.py": "", "src/shop/money.py": MONEY,
                             **{f"src/shop/use{i}.py": _caller(f"use{i}") for i in range(6)}}, author=ALICE)
    builder.branch("comment")
    head = builder.commit("a comment", {"src/shop/money.py": "# money helpers\n" + MONEY},
                          branch="comment", author=BOB)
    builder.commit("to_cents takes a currency", {"src/shop/money.py": MONEY_CURRENCY}, author=ALICE)
    blast = _blast_of(builder.path, head)
    assert blast["symbols"] == [] and blast["direct"] == 0


def test_a_range_commit_is_not_charged_with_the_commits_before_it(make_repo) -> None:
    builder = make_repo()
    start = builder.commit("money", {"src/shop/__init__.py": "", "src/shop/money.py": MONEY,
                                     **{f"src/shop/use{i}.py": _caller(f"use{i}") for i in range(6)}}, author=ALICE)
    resign = builder.commit("to_cents takes a currency", {"src/shop/money.py": MONEY_CURRENCY}, author=ALICE)
    comment = builder.commit("a comment", {"src/shop/money.py": "# money helpers\n" + MONEY_CURRENCY},
                             author=BOB)
    resigned = _blast_of(builder.path, resign, "--range", f"{start}..{comment}")
    assert [(s["symbol"], s["change"]) for s in resigned["symbols"]] == [("shop.money.to_cents", "signature")]
    assert resigned["direct"] == 6
    assert _blast_of(builder.path, comment, "--range", f"{start}..{comment}")["symbols"] == []
