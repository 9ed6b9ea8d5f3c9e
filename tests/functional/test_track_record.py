"""The AI track record of `review-tui calibrate` beyond its own output (issue 12): kept in models.db on
every run (adopted or not), shown by `stats` (terminal, --json, --html), cited by `explain` and the
TUI's why panel when AI share moves a change's likelihood - real calibrate runs on repositories built
here, a real models.db, the real app under Pilot."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from app import paths
from tests.conftest import ALICE, BOB
from tests.functional.test_app import build_app
from tests.functional.test_calibrate_cli import DAY, T0, run
from tests.functional.test_change_screen import open_change

CLAUDE = "\n\nCo-authored-by: Claude <noreply@anthropic.com>"
CYCLES = 80


def ai_history(make_repo):
    """CYCLES cycles of: a one-line change (by Claude but every tenth), a large clean change, a fix -
    of the one-liner, or (every fourth cycle) of the large change. The one-liners by Claude are fixed
    far more often; the repository's own model (with ai_share: 72 AI commits) wins. A feature branch by
    Claude is pending."""
    b = make_repo()
    b.commit("Initial", {"pkg/__init__.py": "", "README.md": "ai history\n"}, author=ALICE, when=T0)
    when = T0
    for i in range(CYCLES):
        when += DAY
        b.commit(f"Tune f{i}" + (CLAUDE if i % 10 else ""),
                 {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i}\n"}, author=BOB, when=when)
        table = "\n".join(f"VALUE_{i}_{k} = {k}" for k in range(60)) + "\n"
        b.commit(f"Add table {i}", {f"pkg/table{i}.py": table}, author=ALICE, when=when + 3600)
        if i % 4 == 3:
            fixed = {f"pkg/table{i}.py": table.replace(f"VALUE_{i}_7 = 7", f"VALUE_{i}_7 = 8")}
        else:
            fixed = {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i} - 1\n"}
        pad = "\n".join(f"PAD_{i}_{k} = {k}" for k in range(40)) + "\n"
        b.commit(f"Fix f{i} off by one\n\nFixes #{i + 1}", {**fixed, f"pkg/pad{i}.py": pad}, author=ALICE,
                 when=when + 7200)
    b.branch("feature")
    b.commit("Add g" + CLAUDE, {"pkg/g.py": "def g(y):\n    if y:\n        return 1\n    return 2\n"},
             branch="feature", author=BOB, when=when + DAY)
    return b


def big_fixes_history(make_repo):
    """The large changes with many branches are the ones later fixed, as the built-in defaults expect:
    the own model cannot beat them, so they stay in use. No AI signals."""
    b = make_repo()
    b.commit("Initial", {"pkg/__init__.py": "", "README.md": "big fixes\n"}, author=ALICE, when=T0)
    when = T0
    for i in range(50):
        when += DAY
        b.commit(f"Tune f{i}", {f"pkg/m{i}.py": f"X{i} = {i}\n"}, author=BOB, when=when)
        body = "".join(f"def f{i}_{k}(x):\n    if x > {k}:\n        return x - {k}\n    return x\n\n"
                       for k in range(15))
        b.commit(f"Add module {i}", {f"pkg/big{i}.py": body}, author=ALICE, when=when + 3600)
        b.commit(f"Fix f{i}_3\n\nFixes #{i + 1}", {f"pkg/big{i}.py": body.replace("if x > 3:", "if x >= 3:", 1)},
                 author=ALICE, when=when + 7200)
    b.branch("feature")
    b.commit("Add h", {"pkg/h.py": "def h():\n    return 1\n"}, branch="feature", author=BOB, when=when + DAY)
    return b


EVIDENCE = ("AI track record here: Claude Code 52 of 72 later fixed (72%, 61%-81%) vs 17% without AI signals "
            "(calibrate of {day}, 241 commits)")


def calibrated(repo: Path) -> dict:
    result = run("calibrate", "--repo", str(repo), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def stats_json(repo: Path) -> dict:
    result = run("stats", "--repo", str(repo), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_stats_before_any_calibrate_says_so_in_one_line(make_repo, tmp_path):
    b = big_fixes_history(make_repo)
    out = run("stats", "--repo", str(b.path))
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if "track record" in line.lower()]
    assert lines == [f"AI track record: none yet - run `review-tui calibrate --repo {b.path}` to measure how often "
                     "changes by each AI tool were later fixed in this repository."]
    assert "later fixed" not in out.stdout.replace(lines[0], "")  # no empty table
    doc = stats_json(b.path)
    assert doc["ai_track_record"] is None and "review-tui calibrate --repo" in doc["ai_track_record_message"]
    every = json.loads(run("stats", "--all", "--json").stdout)
    assert every["ai_track_record"] is None and "--repo PATH" in every["ai_track_record_message"]


def test_every_calibrate_run_keeps_its_track_record_adopted_or_not(make_repo, tmp_path):
    kept = big_fixes_history(make_repo)
    doc = calibrated(kept.path)
    assert doc["own_model_wins"] is False and "stay in use" in doc["outcome"]
    record = stats_json(kept.path)["ai_track_record"]
    assert record["own_model_adopted"] is False
    assert record["studied"] == doc["studied"] == 151 and record["fix_commits"] == 50
    assert record["first_commit"] == doc["first"] and record["last_commit"] == doc["last"] == doc["head"]
    assert record["tools"] == doc["ai_track_record"]
    assert record["tools"] == [{"tool": None, "changes": 151, "later_fixed": 50, "rate": 0.3311,
                                "low": record["tools"][0]["low"], "high": record["tools"][0]["high"],
                                "median_follow_up_days": 25.0}]  # the history spans 50 days
    assert 0.26 < record["tools"][0]["low"] < 0.3311 < record["tools"][0]["high"] < 0.41

    adopted = ai_history(make_repo)
    calibrated(adopted.path)
    again = calibrated(adopted.path)  # a cached run is a run too: kept, and it is the latest
    assert again["cached"] is True and again["own_model_wins"] is True
    with sqlite3.connect(paths.models_path()) as conn:
        runs = conn.execute("SELECT count(*), sum(own_model_adopted) FROM calibration_runs").fetchone()
        assert runs == (3, 2)
        assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 1  # only the adopted model
    # each repository reads its own latest run
    assert stats_json(kept.path)["ai_track_record"]["studied"] == 151
    assert stats_json(adopted.path)["ai_track_record"]["studied"] == 1 + 3 * CYCLES


def test_stats_shows_the_track_record_in_the_terminal_json_and_html(make_repo, tmp_path):
    b = ai_history(make_repo)
    doc = calibrated(b.path)
    assert doc["own_model_wins"] is True and "ai_share" in doc["features"]
    record = stats_json(b.path)["ai_track_record"]
    assert [(t["tool"], t["changes"], t["later_fixed"], t["rate"]) for t in record["tools"]] == [
        ("Claude Code", 72, 52, 0.7222), (None, 169, 28, 0.1657)]
    assert record["own_model_adopted"] is True and record["studied"] == 241 and record["defect_inducing"] == 80
    assert record["head"] == doc["head"] and record["first_commit"] == doc["first"]

    out = run("stats", "--repo", str(b.path))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "AI track record: share of changes later fixed" in text
    rows = [line.split() for line in text.splitlines()]
    assert ["Claude", "Code", "72", "52", "72%", "(61%-81%)"] in rows
    assert ["no", "AI", "signal", "169", "28", "17%", "(12%-23%)"] in rows
    assert "241 first-parent commits studied" in text and "the own model was adopted" in text
    assert "No reviews recorded yet" in text  # the ledger is empty: the track record is shown all the same

    page_file = tmp_path / "stats.html"
    assert run("stats", "--repo", str(b.path), "--html", str(page_file)).returncode == 0
    page = page_file.read_text()
    assert "<td>Claude Code</td><td>72</td><td>52</td><td>72% (61%-81%)</td>" in page
    assert "<td>no AI signal</td><td>169</td><td>28</td><td>17% (12%-23%)</td>" in page


def test_explain_cites_the_track_record_when_ai_share_moves_the_likelihood(make_repo):
    b = ai_history(make_repo)
    before = run("explain", "feature", "--repo", str(b.path))
    assert before.returncode == 0 and "AI track record" not in before.stdout  # never calibrated
    calibrated(b.path)
    doc = json.loads(run("explain", "feature", "--repo", str(b.path), "--json").stdout)
    ai_share = next(f for f in doc["factors"] if f["name"] == "ai_share")
    assert ai_share["effect"] != 0 and doc["ai_share"] == 1.0
    day = stats_json(b.path)["ai_track_record"]["calibrated_at"][:10]
    assert doc["ai_track_record_evidence"] == EVIDENCE.format(day=day)
    out = run("explain", "feature", "--repo", str(b.path))
    assert EVIDENCE.format(day=day).replace(" ", "") in out.stdout.replace(" ", "").replace("\n", "")


def test_no_evidence_for_a_change_without_ai_signals(make_repo):
    b = big_fixes_history(make_repo)
    calibrated(b.path)
    doc = json.loads(run("explain", "feature", "--repo", str(b.path), "--json").stdout)
    assert doc["ai_track_record_evidence"] is None
    assert "AI track record" not in run("explain", "feature", "--repo", str(b.path)).stdout


def _plain(static: Static, width: int = 300) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(static.content)
    return console.export_text()


async def test_why_panel_shows_the_track_record_as_evidence(make_repo):
    b = ai_history(make_repo)
    calibrated(b.path)
    day = stats_json(b.path)["ai_track_record"]["calibrated_at"][:10]
    app = build_app(b.path)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_change(pilot, "feature")
        await pilot.press("w")
        await pilot.pause()
        why = _plain(screen.query_one("#why-panel", Static))
        assert EVIDENCE.format(day=day) in why
        # it sits with the factors, before the tier reasons
        assert why.index("= score") < why.index("AI track record here") < why.index("Tier T")


async def test_stats_screen_shows_the_track_record_or_says_there_is_none(make_repo, tmp_path):
    from app.core.git.repo import GitRepo
    from app.storage.ledger import Ledger
    from app.tui.screens.stats import StatsScreen
    from tests.functional.test_stats_screen import Host, settle

    b = ai_history(make_repo)
    calibrated(b.path)
    key = GitRepo(b.path).root_commit(b.head())
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        for repo_key, expected in ((key, "Claude Code   72   52   72% (61%-81%)"),
                                   ("c" * 40, "AI track record: none yet - run `review-tui calibrate`")):
            app = Host(ledger, repo_key)
            async with app.run_test(size=(160, 50)) as pilot:
                screen = app.screen
                assert isinstance(screen, StatsScreen)
                await settle(pilot, screen)
                shown = " ".join(_plain(screen.query_one("#stats-track-record", Static)).split())
                assert " ".join(expected.split()) in shown
                await pilot.press("a")  # every repository: the record is per repository
                await settle(pilot, screen)
                shown = _plain(screen.query_one("#stats-track-record", Static))
                assert "kept per repository" in shown and "Claude Code" not in shown


def test_a_run_with_too_few_labels_keeps_its_track_record_and_one_without_fixes_does_not(make_repo):
    few = make_repo()
    few.commit("Add m", {"m.py": "def m():\n    return 1\n"}, author=ALICE, when=T0)
    few.commit("Fix m", {"m.py": "def m():\n    return 2\n"}, author=BOB, when=T0 + DAY)
    out = run("calibrate", "--repo", str(few.path))
    assert out.returncode == 3 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "too few labels" in out.stderr and "the AI track record of the 2 studied commits is kept" in out.stderr
    record = stats_json(few.path)["ai_track_record"]
    assert record["own_model_adopted"] is False and record["studied"] == 2 and record["fix_commits"] == 1
    assert [(t["tool"], t["changes"], t["later_fixed"]) for t in record["tools"]] == [(None, 2, 1)]

    nofix = make_repo()
    for i in range(3):
        nofix.commit(f"Add m{i}", {f"m{i}.py": f"x = {i}\n"}, author=ALICE, when=T0 + i * DAY)
    out = run("calibrate", "--repo", str(nofix.path))
    assert out.returncode == 3 and "no fix commits found" in out.stderr and "track record" not in out.stderr
    assert stats_json(nofix.path)["ai_track_record"] is None


def test_a_smaller_run_with_too_few_labels_leaves_a_larger_runs_record_and_still_answers_json(make_repo):
    """An 800-commit try after a complete run replaced its AI track record, and `--json` printed nothing
    to parse, `--html` wrote nothing without saying so."""
    few = make_repo()
    for i in range(3):
        few.commit(f"Add m{i}", {f"m{i}.py": "def m():\n    return 1\n"}, author=ALICE, when=T0 + i * DAY)
        few.commit(f"Fix m{i}", {f"m{i}.py": "def m():\n    return 2\n"}, author=BOB, when=T0 + i * DAY + 60)
    assert run("calibrate", "--repo", str(few.path)).returncode == 3
    assert stats_json(few.path)["ai_track_record"]["studied"] == 6
    smaller = run("calibrate", "--repo", str(few.path), "--max-commits", "2", "--json")
    assert smaller.returncode == 3 and "an earlier run that studied more commits stays in use" in smaller.stderr
    assert json.loads(smaller.stdout)["error"].startswith("too few labels")
    assert stats_json(few.path)["ai_track_record"]["studied"] == 6
    html = run("calibrate", "--repo", str(few.path), "--html", str(few.path / "report.html"))
    assert html.returncode == 3 and "no HTML report written" in html.stderr
