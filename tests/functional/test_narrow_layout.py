"""What matters reads whole at 80x24, 100x30 and 120x40: the change screen's header keeps the review
status and drops the least important figures first, and the sign-off verdict wraps instead of being
cut ("needs 2 more approvals, 1 of the…")."""

from __future__ import annotations

import pytest

from tests.functional.test_app import build_app
from tests.functional.test_change_screen import open_change
from tests.functional.test_reading_screens import _screen_text

CHANGE = "feature/retry-refactor-claude"  # tier 0, 95% AI: the policy asks two approvals, one senior


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_the_whole_signoff_verdict_and_the_review_status_are_on_screen(payments_repo, warm_cache, size):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=size) as pilot:
        screen = await open_change(pilot, CHANGE)
        detail = screen.detail
        app.session.approve_change(detail)  # unopened: a rubber stamp, which adds a second missing item
        screen._recorded(detail)
        await pilot.pause()
        text = _screen_text(app)
        header = text.splitlines()[:4]
        assert any("[rubber-stamped]" in line for line in header), header
        # the figures and status lines are whole (the id and title line may end in "…": a title is cut to fit)
        assert not any(line.rstrip().endswith("…") for line in header[1:]), header
        assert "high" in header[2] and "T0" in header[2] and "floor 49m00s" in header[2]  # FIX64: 2 lines skimmed
        missing = screen.outcome.result.missing
        assert len(missing) == 2 and "needs 2 more approvals, 1 of them senior" in missing[0]
        shown = _words(text)
        assert "sign-off (as check sees it): policy NOT met" in shown
        for item in missing:
            assert _words(item) in shown, (item, text)
        # each item's wrapped lines go on under its text, not back at the screen's edge
        block = text[text.index("sign-off (as check sees it)"):].splitlines()[1:]
        items = [line for line in block if line.lstrip().startswith("- ")]
        assert len(items) == 2, block
        text_column = items[0].index("- ") + 2
        wrapped = block[block.index(items[0]) + 1]  # the first item is long enough to wrap at every size
        assert wrapped[:text_column].strip() == "" and wrapped[text_column] != " ", block
