"""Near-duplicate pending changes fold into one row (QA54 F0: cline's top 32 rows were backups, pre-rebase
copies and old bases of one SDK migration): the same big change on three bases is one row "+2 similar heads",
`--json` keeps all three and marks two `duplicate_of` the newest; a different change to the same files stays."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE, BOB

MODULES = 8


def _module(i: int, version: str) -> str:
    body = "".join(f"def {version}_{i}_{k}(x):\n    if x > {k}:  # {version}\n        return x * {k}  # {version}\n"
                   f"    return x - {k}  # {version}\n\n\n"
                   for k in range(40))
    return f'"""Module {i}."""\n\n\n{body}'


@pytest.fixture
def copies(make_repo):
    return _copies(make_repo)


def _copies(make_repo, backup_ref: str = "refs/heads/big-backup"):
    b = make_repo("copies")
    b.commit("root", {f"pkg/mod{i}.py": _module(i, "old") for i in range(MODULES)}, author=ALICE, when=1_000_000)
    bases = [b.commit(f"notes {n}", {"NOTES.md": f"note {n}\n"}, author=ALICE, when=1_000_000 + n * 1000)
             for n in range(1, 4)]
    big = {f"pkg/mod{i}.py": _module(i, "new") for i in range(MODULES)}
    # the same rewrite on three bases (each its own NOTES.md), the pre-rebase copy one module short of it
    for n, (name, when) in enumerate((("big-backup", 2_000_000), ("big-pre-rebase", 2_100_000),
                                      ("big", 2_200_000))):
        files = {**big, "NOTES.md": f"note {n + 1}\n"}
        if name == "big-pre-rebase":
            files["pkg/mod0.py"] = _module(0, "draft")
        ref = backup_ref if name == "big-backup" else f"refs/heads/{name}"
        b.commit("rewrite the package", files, author=BOB, parents=[bases[n]], ref=ref,
                 when=when, replace_all=True)
    other = {f"pkg/mod{i}.py": _module(i, "other") for i in range(MODULES)}
    b.commit("another rewrite of the package", {**other, "NOTES.md": "note 3\n"}, author=BOB, parents=[bases[2]],
             ref="refs/heads/other", when=2_300_000, replace_all=True)
    b.checkout()
    return b


def _run(path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_copies_of_one_change_fold_into_the_newest(copies) -> None:
    rows = {r["id"]: r for r in json.loads(_run(copies.path, "--json"))}
    assert set(rows) == {"big", "big-backup", "big-pre-rebase", "other"}  # --json keeps every change
    assert rows["big-backup"]["duplicate_of"] == rows["big-pre-rebase"]["duplicate_of"] == "big"
    assert rows["big"]["duplicate_of"] is None and rows["other"]["duplicate_of"] is None

    table = _run(copies.path, "--width", "200")
    lines = table.splitlines()
    assert not [line for line in lines if " big-backup " in line or " big-pre-rebase " in line]  # no row of their own
    (big_row,) = [line for line in lines if " big " in line and "<-" not in line]
    assert "+2 similar heads" in big_row
    assert [line for line in lines if " other " in line and "similar" not in line]
    footnote = " ".join(table[table.index("near-duplicate") - 2:].split())
    # in rank order: the two tie, and the newer one (the pre-rebase copy) comes first
    assert "2 near-duplicate heads folded" in footnote and "big <- big-pre-rebase, big-backup" in footnote


async def test_the_queue_folds_them_too(copies) -> None:
    from textual.widgets import Static

    from tests.functional.test_app import build_app, queue_screen, settle
    from tests.functional.test_change_screen import rendered
    from tests.functional.test_queue_real import column

    app = build_app(copies.path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert sorted(row.id for row in queue.rows) == ["big", "other"]
        (big,) = [row for row in queue.rows if row.id == "big"]
        assert big.similar == ("big-pre-rebase", "big-backup")  # in rank order: they tie, the newer first
        assert any(title.startswith("+2 similar heads") for title in column(queue, "title"))
        # the rows and the status line's "4 pending" add up (QA55 F7: "493 changes" beside "494 pending")
        assert str(queue.query_one("#filter-summary", Static).content).startswith("2 changes +2 folded")
        queue.open_change("big")  # its why panel lists the heads folded into its row
        await settle(pilot)
        shown = " ".join(rendered(app.screen.query_one("#why-panel", Static)).split())
        assert "2 similar heads folded into this row" in shown
        assert "big-backup" in shown and "big-pre-rebase" in shown


async def test_without_a_title_column_the_change_cell_says_it(copies) -> None:
    """At 80 columns there is no title column: the fold's mark follows the change's name."""
    from tests.functional.test_app import build_app, queue_screen, settle
    from tests.functional.test_queue_real import column

    app = build_app(copies.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        assert not any(key == "title" for key, _width in queue._column_spec[0])
        assert [cell for cell in column(queue, "change") if cell.startswith("big +2 similar")], column(queue, "change")


def test_a_copy_of_a_more_severe_band_keeps_its_own_row(copies) -> None:
    """What a copy does not share may be what makes it riskier: a copy whose band is more severe than the newest
    head's is not hidden under that milder row (the real reports, one copy's band raised)."""
    from dataclasses import replace

    from app.analysis.analyzer import Analyzer
    from app.analysis.similar import near_duplicates

    reports = Analyzer(copies.path).analyze_all()
    assert near_duplicates(reports) == {"big": ["big-pre-rebase", "big-backup"]}
    raised = [replace(r, assessment=replace(r.assessment, risk=replace(r.assessment.risk, band="critical")))
              if r.id == "big-backup" else r for r in reports]
    assert next(r for r in raised if r.id == "big").assessment.risk.band != "critical"
    assert near_duplicates(raised) == {"big": ["big-pre-rebase"]}


def test_two_identical_small_changes_keep_their_rows(make_repo) -> None:
    """A row of one chunk costs a glance; a folded head can only be opened through its row's why panel or
    `explain`: changes of fewer than MIN_FOLD_CHUNKS chunks are never folded (the same one-line fix pushed twice)."""
    b = make_repo("twins")
    b.commit("init", {"app.py": "def f():\n    return 1\n"}, author=ALICE)
    for name in ("fix-a", "fix-b"):
        b.branch(name, at=b.head("main"))
        b.commit("fix f", {"app.py": "def f():\n    return 2\n"}, branch=name, author=BOB)
    b.checkout("main")
    rows = {r["id"]: r for r in json.loads(_run(b.path, "--json"))}
    assert rows["fix-a"]["duplicate_of"] is None and rows["fix-b"]["duplicate_of"] is None


def test_a_pull_request_is_the_row_its_branch_copies_fold_into(make_repo) -> None:
    """A fold holding a pull request and branch copies of the same work shows the pull request, even when a branch
    copy is newer (the author's later push, a backup): it is what was put up for review, the number the reviewer
    answers on; the branches are one key away (`e`). Before: the newest head, a branch, hid the pull request."""
    b = _copies(make_repo, backup_ref="refs/pull/7/head")  # the oldest of the three copies is a pull request
    rows = {r["id"]: r for r in json.loads(_run(b.path, "--json"))}
    assert rows["pull/7"]["kind"] == "pr"
    assert rows["pull/7"]["duplicate_of"] is None
    assert rows["big"]["duplicate_of"] == rows["big-pre-rebase"]["duplicate_of"] == "pull/7"


async def test_e_lists_the_folded_heads_under_their_row_and_enter_opens_one(copies) -> None:
    """A folded head opens from the queue (STOP50's leftover: only the why panel or `explain` named it): `e` on the
    row lists its folded heads right under it, each a row enter opens; `e` again, on the row or on one of them,
    folds them back and leaves the cursor on the row. The filter line still counts the queue's rows."""
    from textual.widgets import Static

    from app.tui.screens.change import ChangeScreen
    from app.tui.widgets.progress import AnalysisStatus
    from tests.functional.test_app import build_app, queue_screen, settle
    from tests.functional.test_queue_real import column

    app = build_app(copies.path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        ids = [row.id for row in queue.rows]
        await pilot.press(*["j"] * ids.index("big"))
        assert queue.selected_id() == "big"
        await pilot.press("e")
        await settle(pilot)
        at = [row.id for row in queue.rows].index("big")
        assert [(row.id, row.under) for row in queue.rows[at:at + 3]] == [
            ("big", None), ("big-pre-rebase", "big"), ("big-backup", "big")]
        assert queue.selected_id() == "big"  # the cursor stays on the row
        assert [cell for cell in column(queue, "change") if cell.startswith("└ big-pre-rebase")]
        assert str(queue.query_one("#filter-summary", Static).render()).startswith("2 changes")
        await pilot.press("j")
        assert queue.selected_id() == "big-pre-rebase"
        await pilot.pause()
        status = str(queue.query_one("#queue-status", AnalysisStatus).render())
        assert "big-pre-rebase: folded into big" in status and "enter opens it" in status
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChangeScreen) and app.screen.report.id == "big-pre-rebase"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("e")  # on a listed head: folds them back into their row
        await settle(pilot)
        assert sorted(row.id for row in queue.rows) == ["big", "other"]
        assert queue.selected_id() == "big"
        await pilot.press("j" if ids.index("big") == 0 else "k")  # a row with nothing folded into it
        await pilot.press("e")
        await settle(pilot)
        assert sorted(row.id for row in queue.rows) == ["big", "other"]
