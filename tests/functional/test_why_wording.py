"""The why panel says what its less obvious lines mean (QA52 on lazygit): an experience that raises the odds is
explained (#13), a change whose tier is the default one says how to declare tiers (#11), and a seam's long
"used by" list wraps under its own text (#10). Real repositories, the real app through Pilot."""

from __future__ import annotations

import re

from textual.widgets import Static

from tests.conftest import ALICE, BOB
from tests.functional.test_app import build_app
from tests.functional.test_change_screen import open_change, rendered


def _code(n: int) -> str:
    return "".join(f"def f{i}(x):\n    return x + {i + n}\n\n\n" for i in range(3))


async def test_an_experience_that_raises_the_odds_and_a_default_tier_are_explained(make_repo) -> None:
    b = make_repo("experienced")
    b.commit("root", {"app.py": _code(0)}, author=ALICE)
    for n in range(1, 13):  # alice knows app.py well: twelve changes of it
        b.commit(f"step {n}", {"app.py": _code(n)}, author=ALICE)
    b.branch("topic")
    b.commit("one more", {"app.py": _code(40)}, branch="topic", author=ALICE)
    b.checkout()
    async with build_app(b.path).run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "topic")
        experience = next(f for f in screen.detail.assessment.risk.factors if f.name == "experience")
        assert experience.effect > 0, "the default model's experience weight turned negative: pick another case"
        await pilot.press("w")
        await pilot.pause()
        why = " ".join(rendered(screen.query_one("#why-panel", Static), width=100).split())
    assert "author changed these files 13 times before" in why
    assert ("author experience (the author's changes to these files in the two years before, each file counted) "
            "raises the odds: in the history the model was fitted on, changes by people who had often changed the "
            "same files needed later fixes more often") in why
    assert "app.py matches no tier rule: default tier 2" in why
    assert "add [[tiers.rules]] entries (glob, tier, reason) to .review-tui.toml" in why


async def test_an_author_new_to_the_files_reads_plainly_in_the_why_panel(make_repo) -> None:
    """QA55 F8: "author experience 0 ... author changed these files 0 times before (each file counted); lowers the
    odds" on nearly every change of terraform-aws-eks. The panel says the author had not changed the files and why
    the model takes that to lower the odds."""
    b = make_repo("newcomer")
    b.commit("root", {"app.py": _code(0)}, author=ALICE)
    for n in range(1, 6):
        b.commit(f"step {n}", {"app.py": _code(n)}, author=ALICE)
    b.branch("topic")
    b.commit("first change by bob", {"app.py": _code(40)}, branch="topic", author=BOB)
    b.checkout()
    async with build_app(b.path).run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "topic")
        experience = next(f for f in screen.detail.assessment.risk.factors if f.name == "experience")
        assert experience.effect < 0, "the default model's experience weight turned negative: pick another case"
        await pilot.press("w")
        await pilot.pause()
        why = " ".join(rendered(screen.query_one("#why-panel", Static), width=100).split())
    assert "changed these files 0 times" not in why
    # the model at average factors is said as that, not as a "typical change" (read as a base rate, QA55 F8)
    assert re.search(r"Likelihood of a later fix \d+(\.\d+)?% \(\d+(\.\d+)?% with every factor at its average\)",
                     why) and "typical" not in why, why
    assert ("the author had not changed these files before; fewer such changes than the average change's author; "
            "in the history the model was fitted on, changes by authors with fewer needed later fixes less often, so "
            "this lowers the odds") in why, why


async def test_a_seams_callers_wrap_under_their_own_text(sample_root) -> None:
    async with build_app(sample_root / "blast-radius").run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "refactor/to-cents-currency")
        await pilot.press("w")
        await pilot.pause()
        lines = rendered(screen.query_one("#why-panel", Static), width=60).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("      used by "))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
    block = lines[start:end]
    assert len(block) >= 3 and "(+2 more)" in " ".join(block)
    assert all(line.startswith("      ") and line[6] != " " for line in block)  # each line at the item's indent
