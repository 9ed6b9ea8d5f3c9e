"""A change too big to review as one (STOP50's leftover, QA54 F0: cline's 97-180 h SDK migrations ranked on top with
nothing to say nobody will review them): a review plan whose floor is over [chunks] split_hours is "too big: split"
in `list` (its title and a footnote), `--json` (`too_big`), `explain` and the queue (title, or after the name where
there is no title column). A change under it is not."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE, BOB
from tests.functional.test_similar_heads import _module


@pytest.fixture
def sizes(make_repo):
    b = make_repo("sizes")
    # two hours here (Google's 1,000 lines): the default, 8, needs a working day of floor, 4,000 lines and more
    b.commit("root", {"README.md": "x\n", ".review-tui.toml": "[chunks]\nsplit_hours = 2\n"}, author=ALICE)
    b.branch("huge", at=b.head("main"))
    b.commit("add the whole package", {f"pkg/mod{i}.py": _module(i, "new") for i in range(8)}, branch="huge",
             author=BOB)
    b.branch("small", at=b.head("main"))
    b.commit("add one module", {"pkg/mod0.py": _module(0, "one")}, branch="small", author=BOB)
    b.checkout("main")
    return b


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_list_and_explain_say_too_big(sizes) -> None:
    rows = {r["id"]: r for r in json.loads(_cli("list", "--repo", str(sizes.path), "--json"))}
    assert rows["huge"]["floor_seconds"] > 2 * 3600 > rows["small"]["floor_seconds"]
    assert rows["huge"]["too_big"] is True and rows["small"]["too_big"] is False

    table = _cli("list", "--repo", str(sizes.path), "--width", "200")
    (huge,) = [line for line in table.splitlines() if " huge " in line and "marked" not in line]
    (small,) = [line for line in table.splitlines() if " small " in line]
    assert "too big: split add the whole package" in huge and "too big" not in small
    footnote = " ".join(table[table.index("1 change marked"):].split())
    assert ('1 change marked "too big: split": each needs over 2 h of honest review ([chunks] split_hours), more '
            "than one review can hold; ask for it in parts: huge (") in footnote

    explained = " ".join(_cli("explain", "huge", "--repo", str(sizes.path), "--width", "120").split())
    assert "Too big: split: its review plan is 8 chunks with a floor of" in explained
    assert "Too big" not in _cli("explain", "small", "--repo", str(sizes.path), "--width", "120")


@pytest.mark.parametrize("size", [(120, 24), (80, 24)])
async def test_the_queue_marks_it(sizes, size) -> None:
    from tests.functional.test_app import build_app, queue_screen, settle
    from tests.functional.test_queue_real import column

    app = build_app(sizes.path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        cells = dict(zip([row.id for row in queue.rows], column(queue, "title" if size[0] >= 110 else "change"),
                         strict=True))
        if size[0] >= 110:
            assert cells["huge"].startswith("too big: split add the whole")
        else:  # no title column: after the name
            assert cells["huge"].startswith("huge too big")
        assert "too big" not in cells["small"]
