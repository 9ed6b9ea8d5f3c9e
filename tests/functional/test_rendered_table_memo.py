"""Issue 18: a warm `list` prints the queue's table from the analysis cache when nothing Rich would read to print
it changed (`app/report/rendered.py`): rubygems.org's 698 rows spent 0.65 of a warm run's 1.5 s of CPU in Rich.
The text it prints is the text Rich prints, and a moved branch or base is never printed from an older table."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from rich.table import Table
from rich.text import Text

from app.cli import cli
from app.commands.common import _rendered, _write_rendered, output_console
from app.report.rendered import RENDERED_KIND, render_digest
from app.report.tables import Breakable
from app.storage.cache import AnalysisCache
from tests.conftest import ALICE, BOB


def _list(repo: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["list", "--repo", str(repo), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _fresh(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """What `list` prints with no cache at all: every report analysed, the table rendered by Rich."""
    with monkeypatch.context() as env:
        env.setenv("REVIEW_TUI_NO_CACHE", "1")
        return _list(repo, *args)


class _Renders:
    """Counts the tables Rich lays out (a spy on the real method: Rich still renders them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = Table.__rich_console__

        def counted(table: Table, console: Console, options: object):  # type: ignore[no-untyped-def]
            self.count += 1
            return real(table, console, options)  # type: ignore[arg-type]

        monkeypatch.setattr(Table, "__rich_console__", counted)


def test_a_warm_list_prints_its_table_from_the_cache_as_rich_prints_it(payments_repo: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = {args: _fresh(payments_repo, monkeypatch, *args) for args in [(), ("--width", "90")]}
    renders = _Renders(monkeypatch)
    for args, printed in fresh.items():
        assert _list(payments_repo, *args) == printed  # cold: rendered, kept
        before = renders.count
        assert _list(payments_repo, *args) == printed  # warm: read back
        assert renders.count == before, f"list {args}: the warm run laid the table out again"
    stored = AnalysisCache.open(Path(_cache_dir(monkeypatch)) / "analysis.db")
    try:
        assert stored.count(RENDERED_KIND) == 2  # one entry per layout, not one per run
    finally:
        stored.close()


def _cache_dir(monkeypatch: pytest.MonkeyPatch) -> str:
    import os

    return os.environ["REVIEW_TUI_CACHE_DIR"]


def test_a_moved_branch_or_base_is_never_printed_from_an_older_table(make_repo,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    b = make_repo("moving")
    b.commit("init", {"app.py": "def f():\n    return 1\n", "util.py": "X = 1\n"}, author=ALICE)
    for name, body in (("feature", "return 2"), ("other", "return 3")):
        b.branch(name)
        b.commit(f"Change f on {name}", {"app.py": f"def f():\n    {body}\n"}, branch=name, author=BOB)
    repo = b.path
    first = _list(repo)
    assert first == _fresh(repo, monkeypatch) and "feature" in first
    # the branch moves: its row's figures change
    b.commit("More on feature", {"app.py": "def f(x):\n    if x:\n        return 2\n    return 4\n",
                                 "new.py": "def g():\n    return 5\n"}, branch="feature", author=BOB)
    moved = _list(repo)
    assert moved != first
    assert moved == _fresh(repo, monkeypatch)
    # the base moves (another file): every row is measured against a new tip
    b.commit("Main moves on", {"util.py": "X = 2\n"}, author=ALICE)
    based = _list(repo)
    assert based == _fresh(repo, monkeypatch)
    # a branch goes away: its row with it
    b.repo.references.delete("refs/heads/other")
    gone = _list(repo)
    assert "Change f on other" in based and "Change f on other" not in gone
    assert gone == _fresh(repo, monkeypatch)


def _table(cells: list[object], **column: object) -> Table:
    table = Table(title="queue", title_justify="left")
    table.add_column("a", **column)  # type: ignore[arg-type]
    table.add_column("b")
    for cell in cells:
        table.add_row(cell, Text("x"))  # type: ignore[arg-type]
    return table


def test_the_digest_names_everything_rich_reads() -> None:
    narrow, wide = Console(width=60, file=io.StringIO()), Console(width=80, file=io.StringIO())
    base = render_digest(_table([Text("one"), Text("two")]), narrow)
    assert base is not None
    assert base == render_digest(_table([Text("one"), Text("two")]), narrow)  # the same table, the same digest
    others = [
        render_digest(_table([Text("one"), Text("tw0")]), narrow),  # a cell's text
        render_digest(_table([Text("one", style="red"), Text("two")]), narrow),  # a cell's style
        render_digest(_table([Text.assemble(("o", "bold"), "ne"), Text("two")]), narrow),  # a span
        render_digest(_table([Text("one"), Text("two")], justify="right"), narrow),  # a column's settings
        render_digest(_table([Text("one"), Text("two"), Text("three")]), narrow),  # a row more
        render_digest(_table([Text("one"), Text("two")]), wide),  # the console's width
        render_digest(_table([Text("one"), Breakable(Text("two"))]), narrow),  # another renderable
    ]
    assert len({base, *others}) == len(others) + 1
    from rich.panel import Panel

    assert render_digest(_table([Text("one"), Panel("two")]), narrow) is None  # unknown: rendered as before


def test_a_remembered_table_is_written_as_rich_writes_it(tmp_path: Path) -> None:
    """On a terminal (colours, a fitted width) as in a pipe: the text kept and written back is byte for byte what
    `Console.print` writes."""
    cache = AnalysisCache.open(tmp_path / "analysis.db")
    table = _table([Text.assemble(("risky", "bold red"), " change"), Breakable(Text("a.long/title-that wraps"))],
                   justify="right", style="dim")
    for terminal in (True, False):
        printed, written = io.StringIO(), io.StringIO()
        Console(file=printed, width=30, force_terminal=terminal, color_system="truecolor").print(table)
        for _ in range(2):  # rendered and kept, then read back
            written.seek(0)
            written.truncate()
            out = Console(file=written, width=30, force_terminal=terminal, color_system="truecolor")
            _write_rendered(out, _rendered(out, table, (cache, "repo"), "fit30"))
            assert written.getvalue() == printed.getvalue()
    assert output_console(None).width > 1_000  # the pipe's console the memo's layouts are named by
    cache.close()
