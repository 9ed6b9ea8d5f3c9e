"""`review-tui stats` on a ledger of known reviews recorded through the same Ledger API the TUI uses:
every figure exactly, rubber stamps at the floor boundary, ISO weeks across a year boundary, the
filters, the JSON / CSV / rich / HTML views agreeing, and each bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlite_utils import Database

from app import paths
from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.core.policy.rules import PolicyConfig, PolicyRule
from app.report.stats import (
    CurrentChange,
    Figures,
    StatsInputError,
    StatsQuery,
    compute_stats,
    date_range,
    format_rate,
    format_ratio,
    format_share,
    median,
    week_label,
)
from app.report.stats_html import render_html
from app.report.stats_render import render_csv, render_json, render_rich, summary_lines
from app.storage.db import LEDGER_APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, STATS_WEEK
from app.storage.ledger import Ledger, NewDecision, iso_week_sql
from app.storage.stats_queries import change_aliases

R = "r" * 40  # repo key of the main repository
S = "s" * 40  # another repository
ANA = "ana@example.com"  # senior
BO = "bo@example.com"


def utc(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()


class Clock:
    """A settable clock handed to the ledger (a real parameter, not a patch)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def read(ledger: Ledger, clock: Clock, session: int, repo: str, change: str, head: str, chunk: str,
         at: float, seconds: float) -> None:
    """Open a chunk at ``at`` and read it for ``seconds`` of active time, as the TUI's timer does."""
    clock.now = at
    view = ledger.open_chunk(session, repo, change, head, chunk)
    clock.now = at + seconds
    ledger.add_active_time(view, seconds)


def decide(ledger: Ledger, clock: Clock, at: float, session: int, reviewer: str, repo: str, change: str,
           head: str, chunk: str | None, **kw) -> None:
    clock.now = at
    ledger.record_decision(NewDecision(session_id=session, reviewer=reviewer, repo=repo, change_id=change, head=head,
                           chunk_hash=chunk, decision=kw.pop("decision", "approve"), **kw))


def record_scenario(ledger: Ledger, clock: Clock) -> None:
    """The known reviews every test below counts (the expected figures are worked out in the tests).

    - ana, Sun 2025-12-28 (ISO 2025-W52), change A (Tier 1, AI 50%): chunk a-1 read exactly its floor
      (720 s for 100 lines), a-2 read 0.001 s short of its floor (360 s for 50 lines), then the change.
    - bo, Tue 2025-12-30 (2026-W01), change B (Tier 0, human): b-1 read 1800 s (200 lines), b-3 read
      300 s and flagged (60 lines), b-2 never opened; the change approved anyway; B then got a new head.
    - ana, Mon 2026-01-05 (2026-W02), change C (Tier 2, AI 20%): c-1 read 600 s (40 lines), c-2 approved
      without opening it.
    - bo, Wed 2025-12-31, another repository: d-1 read exactly its floor (30 lines, 216 s).
    """
    t0 = utc(2025, 12, 28, 10)
    clock.now = t0 - 100
    ledger.note_change(repo=R, change_id="A", head="a1", tier=1, changed_lines=150, ai_share=0.5, chunk_count=2)
    s = ledger.start_session(ANA, R, reviewer_name="Ana")
    read(ledger, clock, s, R, "A", "a1", "a-1", t0, 720)
    read(ledger, clock, s, R, "A", "a1", "a-2", t0 + 800, 359.999)
    decide(ledger, clock, t0 + 1300, s, ANA, R, "A", "a1", "a-1", floor_seconds=720, changed_lines=100,
           tier=1, ai_share=0.5)
    decide(ledger, clock, t0 + 1310, s, ANA, R, "A", "a1", "a-2", floor_seconds=360, changed_lines=50,
           tier=1, ai_share=0.5)
    decide(ledger, clock, t0 + 1400, s, ANA, R, "A", "a1", None, chunk_hashes=["a-1", "a-2"], floor_seconds=1000,
           changed_lines=150, tier=1, ai_share=0.5)

    t1 = utc(2025, 12, 30, 9)
    clock.now = t1 - 100
    ledger.note_change(repo=R, change_id="B", head="b1", tier=0, changed_lines=400, ai_share=0.0, chunk_count=3)
    s = ledger.start_session(BO, R)
    read(ledger, clock, s, R, "B", "b1", "b-1", t1, 1800)
    read(ledger, clock, s, R, "B", "b1", "b-3", t1 + 1900, 300)
    decide(ledger, clock, t1 + 2210, s, BO, R, "B", "b1", "b-3", decision="later", floor_seconds=432,
           changed_lines=60, tier=0, ai_share=0.0)
    decide(ledger, clock, t1 + 2300, s, BO, R, "B", "b1", "b-1", floor_seconds=1440, changed_lines=200, tier=0,
           ai_share=0.0)
    decide(ledger, clock, t1 + 2320, s, BO, R, "B", "b1", "b-3", decision="flag", floor_seconds=432,
           changed_lines=60, tier=0, ai_share=0.0)
    decide(ledger, clock, t1 + 2400, s, BO, R, "B", "b1", None, chunk_hashes=["b-1", "b-2", "b-3"],
           floor_seconds=2592, changed_lines=400, tier=0, ai_share=0.0)
    clock.now = t1 + 5000
    ledger.note_change(repo=R, change_id="B", head="b2", tier=0, changed_lines=410, ai_share=0.0, chunk_count=3)

    t2 = utc(2025, 12, 31, 12)
    s = ledger.start_session(BO, S)
    read(ledger, clock, s, S, "D", "d1", "d-1", t2, 216)
    decide(ledger, clock, t2 + 300, s, BO, S, "D", "d1", "d-1", floor_seconds=216, changed_lines=30, tier=2)

    t3 = utc(2026, 1, 5, 9)
    s = ledger.start_session(ANA, R)
    read(ledger, clock, s, R, "C", "c1", "c-1", t3, 600)
    decide(ledger, clock, t3 + 700, s, ANA, R, "C", "c1", "c-1", floor_seconds=288, changed_lines=40, tier=2,
           ai_share=0.2)
    decide(ledger, clock, t3 + 710, s, ANA, R, "C", "c1", "c-2", floor_seconds=144, changed_lines=20, tier=2,
           ai_share=0.2)


@pytest.fixture
def ledger(tmp_path: Path):
    clock = Clock()
    with Ledger.open(tmp_path / "ledger.db", clock=clock) as opened:
        record_scenario(opened, clock)
        yield opened


SENIORS = PolicyConfig(seniors=(ANA,))
RATE_A2 = 50 * 3600 / 359.999  # 500.0013889...: just faster than 500 LOC/h


def test_every_overall_figure_of_one_repository(ledger: Ledger) -> None:
    report = compute_stats(ledger, StatsQuery(repo=R), policy=SENIORS)
    o = report.overall
    # Chunk reviews: a-1, a-2, b-1, b-3 (flag), c-1, c-2; the "later" on b-3 and repo S are not counted.
    assert (o.changes, o.chunks, o.lines) == (3, 6, 470)
    assert o.active_seconds == pytest.approx(3779.999, abs=1e-9)
    # Rates and time/floor are of chunk approvals: c-2 has no time, and the flag b-3 (a reviewer stops at
    # the first problem, its 60 lines not all read) has no rate and no floor (its 300 s are active time).
    assert (o.timed_chunks, o.timed_lines) == (4, 390)
    assert o.rate == pytest.approx(390 * 3600 / 3479.999)
    # Rates 240, 400, 500, 500.0014: exact median and quartiles.
    assert (o.rate_p25, o.rate_median) == (360.0, 450.0)
    assert o.rate_p75 == pytest.approx(500 + (RATE_A2 - 500) / 4)
    assert o.fast_chunks == 1 and o.fast_share == pytest.approx(1 / 4)  # a-2; 500 exactly is not fast
    assert o.floor_seconds == pytest.approx(720 + 360 + 1440 + 288 + 144)
    assert o.time_vs_floor == pytest.approx(3479.999 / 2952)
    # Approvals: a-1, a-2, b-1, c-1, c-2 and the change approval of B (b-2 unopened). A's change approval signs
    # off chunks ana reviewed one by one (150 of 150 lines): not a review of its own, so not counted again.
    assert (o.approvals, o.change_approvals, o.concluding_approvals) == (6, 1, 1)
    # Stamps: a-2 (0.001 s short of its floor), c-2 (unopened), B (a chunk unopened); a-1 (== floor) is not.
    assert (o.rubber_stamps, o.stamp_share) == (3, 3 / 6)
    # The headline says what the 6 are, and the sign-off it did not count again.
    assert ("Rubber stamps: 50% of 6 approvals (5 chunks, 1 whole change; 1 sign-off of chunks already reviewed not"
            " counted again);") in summary_lines(report)[2]
    assert o.unopened_chunks == 2  # c-2, and b-2 inside B's change approval
    # Coverage: A 150 of 150 reviewed by ana; B 260 (b-1 + flagged b-3) of the 400 lines seen at b1.
    assert (o.covered_lines, o.approved_lines) == (410, 550)
    assert o.stale_approvals == 1  # B was approved at b1, then b2 was seen
    assert o.first_look_median == pytest.approx((1400 + 2400) / 2)
    assert o.senior_gaps == 1  # B: Tier 0 approved by bo alone; A (Tier 1, AI 50%) had ana, a senior
    assert report.histogram == [(0, 100, 0), (100, 200, 0), (200, 300, 1), (300, 400, 0), (400, 500, 1),
                                (500, 600, 2), (600, 800, 0), (800, 1000, 0), (1000, 1500, 0),
                                (1500, 2000, 0), (2000, 3000, 0), (3000, 5000, 0), (5000, math.inf, 0)]
    assert report.rateless_approvals == 1 and report.seniors_known and report.stale_method == "changes seen"


def test_reviewers_are_listed_by_name_with_their_own_figures(ledger: Ledger) -> None:
    report = compute_stats(ledger, StatsQuery(repo=R), policy=SENIORS)
    ana, bo = report.reviewers
    assert (ana.key, bo.key) == (ANA, BO)
    assert (ana.changes, ana.chunks, ana.lines, ana.approvals, ana.rubber_stamps, ana.unopened_chunks) == (
        2, 4, 210, 4, 2, 1)  # a-1, a-2, c-1, c-2: A's sign-off of a-1, a-2 is not counted again
    assert (ana.rate_p25, ana.rate_median) == (370.0, 500.0)  # rates 240, 500, 500.0014
    assert ana.rate_p75 == pytest.approx((500 + RATE_A2) / 2)
    assert ana.fast_chunks == 1
    assert (ana.covered_lines, ana.approved_lines, ana.stale_approvals, ana.senior_gaps) == (150, 150, 0, 0)
    assert ana.first_look_median == 1400
    assert ana.time_vs_floor == pytest.approx((720 + 359.999 + 600) / (720 + 360 + 288 + 144))
    assert (bo.changes, bo.chunks, bo.lines, bo.approvals, bo.rubber_stamps, bo.unopened_chunks) == (
        1, 2, 260, 2, 1, 1)
    assert (bo.rate_p25, bo.rate_median, bo.rate_p75) == (400.0, 400.0, 400.0)  # b-1's 400; the flag has none
    assert bo.time_vs_floor == pytest.approx(1800 / 1440)
    assert (bo.covered_lines, bo.approved_lines, bo.stale_approvals, bo.senior_gaps) == (260, 400, 1, 1)
    assert bo.first_look_median == 2400


def test_iso_weeks_across_the_year_boundary(ledger: Ledger) -> None:
    report = compute_stats(ledger, StatsQuery(repo=R))
    weeks = {w.key: w for w in report.weeks}
    assert list(weeks) == ["2025-W52", "2026-W01", "2026-W02"]
    w52, w01, w02 = weeks.values()
    assert (w52.changes, w52.chunks, w52.lines, w52.approvals, w52.rubber_stamps) == (1, 2, 150, 2, 1)
    assert (w01.changes, w01.chunks, w01.lines, w01.approvals, w01.rubber_stamps) == (1, 2, 260, 2, 1)
    assert (w02.changes, w02.chunks, w02.lines, w02.approvals, w02.rubber_stamps) == (1, 2, 60, 2, 1)
    assert w52.rate_median == pytest.approx((500 + RATE_A2) / 2) and w02.rate_median == 240.0
    assert (w52.stamp_share, w01.stamp_share, w02.stamp_share) == (1 / 2, 1 / 2, 1 / 2)


def test_tiers_and_ai_bands(ledger: Ledger) -> None:
    report = compute_stats(ledger, StatsQuery(repo=R), policy=SENIORS)
    tiers = {t.key: t for t in report.tiers}
    assert list(tiers) == ["Tier 0", "Tier 1", "Tier 2"]
    assert (tiers["Tier 0"].chunks, tiers["Tier 0"].changes, tiers["Tier 0"].senior_gaps) == (2, 1, 1)
    assert (tiers["Tier 1"].chunks, tiers["Tier 1"].approvals, tiers["Tier 1"].senior_gaps) == (2, 2, 0)
    assert tiers["Tier 2"].rate_median == 240.0 and tiers["Tier 2"].unopened_chunks == 1
    bands = {b.key: b for b in report.ai_bands}
    assert list(bands) == ["human", "mixed", "AI-heavy"]
    # Is AI code read faster? AI-heavy a-1 + a-2: 150 lines in 1079.999 s; human b-1: 200 in 1800 s (the
    # flag b-3 has no rate).
    assert bands["AI-heavy"].rate == pytest.approx(150 * 3600 / 1079.999)
    assert bands["human"].rate == pytest.approx(200 * 3600 / 1800)
    assert (bands["human"].chunks, bands["human"].lines, bands["human"].timed_chunks) == (2, 260, 1)
    assert bands["mixed"].rate == pytest.approx(40 * 3600 / 600)
    assert bands["AI-heavy"].time_vs_floor == pytest.approx(1079.999 / 1080)


def test_filters_reviewer_tier_and_dates(ledger: Ledger) -> None:
    only_ana = compute_stats(ledger, StatsQuery(repo=R, reviewer="ANA@example.com")).overall
    assert (only_ana.chunks, only_ana.lines, only_ana.approvals, only_ana.changes) == (4, 210, 4, 2)
    tier0 = compute_stats(ledger, StatsQuery(repo=R, tier=0)).overall
    assert (tier0.chunks, tier0.lines, tier0.approvals, tier0.rubber_stamps) == (2, 260, 2, 1)
    since, until = date_range("2025-12-29", "2026-01-04")  # ISO week 2026-W01, both days included
    assert until - since == 7 * 86_400
    week = compute_stats(ledger, StatsQuery(since=since, until=until))  # all repos: B and D
    assert (week.overall.chunks, week.overall.lines, week.overall.approvals) == (3, 290, 3)
    assert [w.key for w in week.weeks] == ["2026-W01"]
    assert [r.key for r in week.reviewers] == [BO]
    everything = compute_stats(ledger, StatsQuery())
    assert (everything.overall.chunks, everything.overall.changes) == (7, 4)
    # "the last two weeks" without date arithmetic: days and weeks ago, today, yesterday (UTC days)
    today = dt.date(2026, 1, 5)
    assert date_range("1w", "yesterday", today) == date_range("2025-12-29", "2026-01-04")
    assert date_range("7D", "today", today) == date_range("2025-12-29", "2026-01-05")
    assert date_range("2w", None, today)[0] == date_range("2025-12-22", None)[0]


def test_rubber_stamp_boundary_is_strictly_below_the_floor(tmp_path: Path) -> None:
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        s = ledger.start_session(ANA, R)
        for name, seconds in (("at-floor", 60.0), ("just-below", 59.999), ("above", 60.001)):
            read(ledger, clock, s, R, "X", "x1", name, utc(2026, 2, 2), seconds)
            decide(ledger, clock, utc(2026, 2, 2, 1), s, ANA, R, "X", "x1", name, floor_seconds=60.0,
                   changed_lines=10)
        o = compute_stats(ledger, StatsQuery()).overall
        assert (o.approvals, o.rubber_stamps) == (3, 1)


def test_stale_chunk_approvals_are_exact_when_the_repository_is_known(ledger: Ledger) -> None:
    # B is still pending at b2 where b-1 changed content (now b-1x) and b-3 is unchanged.
    current = {"B": CurrentChange("b2", frozenset({"b-1x", "b-2", "b-3"}))}
    report = compute_stats(ledger, StatsQuery(repo=R), current=current)
    assert report.stale_method == "repository"
    assert report.overall.stale_approvals == 2  # the change approval at b1, and b-1's chunk approval
    unchanged = compute_stats(ledger, StatsQuery(repo=R),
                              current={"B": CurrentChange("b1", frozenset({"b-1", "b-2", "b-3"}))})
    assert unchanged.overall.stale_approvals == 0


def test_unknown_reviewer_and_seniors_unknown(ledger: Ledger) -> None:
    with pytest.raises(StatsInputError, match=r"no reviews by zed@example\.com.*ana@example\.com, bo@example\.com"):
        compute_stats(ledger, StatsQuery(reviewer="zed@example.com"))
    report = compute_stats(ledger, StatsQuery(repo=R))
    assert report.overall.senior_gaps is None and not report.seniors_known
    assert any("seniors" in note for note in report.notes)


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))
def test_week_numbers_match_the_ledgers_iso_week(seconds: float) -> None:
    db = sqlite3.connect(":memory:")
    week, iso = db.execute(f"SELECT {STATS_WEEK}, {iso_week_sql('created_at')} FROM (SELECT ? AS created_at)",
                           (seconds,)).fetchone()
    assert week_label(week) == iso


# -- the command: views agree, bad input --------------------------------------------------------


def run(*args: str):
    # A wide terminal, so that the rich report's rows are whole lines.
    return CliRunner().invoke(cli, ["stats", *args], catch_exceptions=False, env={"COLUMNS": "250"})


@pytest.fixture
def user_ledger() -> Path:
    clock = Clock()
    with Ledger.open(paths.ledger_path(), clock=clock) as opened:
        record_scenario(opened, clock)
    return paths.ledger_path()


def test_json_csv_and_rich_report_show_the_same_numbers(user_ledger: Path) -> None:
    data = json.loads(run("--all", "--json").output)
    rows = list(csv.DictReader(io.StringIO(run("--all", "--csv").output)))
    overall = next(r for r in rows if r["dimension"] == "overall")
    assert data["overall"]["chunks"] == int(overall["chunks"]) == 7
    assert data["overall"]["rate_median"] == float(overall["rate_median"]) == 500.0
    assert data["overall"]["stamp_share"] == pytest.approx(float(overall["stamp_share"]))
    assert [r["key"] for r in rows if r["dimension"] == "reviewer"] == [r["key"] for r in data["reviewers"]]
    assert [r["key"] for r in rows if r["dimension"] == "week"] == ["2025-W52", "2026-W01", "2026-W02"]
    for name in ("lines", "approvals", "rubber_stamps", "covered_lines"):
        assert [int(r[name]) for r in rows if r["dimension"] == "reviewer"] == [
            r[name] for r in data["reviewers"]]
    rich = run("--all").output
    for reviewer in data["reviewers"]:
        row = next(line for line in rich.splitlines() if line.strip().startswith(reviewer["key"]))
        assert f"{reviewer['lines']:,}" in row
        assert format_ratio(reviewer["time_vs_floor"]) in row
        assert format_rate(reviewer["rate_median"]) in row
        assert f"{format_share(reviewer['stamp_share'])} ({reviewer['rubber_stamps']}/{reviewer['approvals']})" in row
    assert "500 LOC/h" in rich and "Rubber-stamp share of approvals per week" in rich
    assert "What the numbers mean" in rich


def test_html_report_is_self_contained_with_its_charts(user_ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = run("--all", "--html", str(target))
    assert result.exit_code == 0
    page = target.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert page.count("<svg") == 2 and "500 LOC/h" in page
    assert ANA in page and "2026-W01" in page and "<table>" in page


def test_html_escapes_ledger_text(tmp_path: Path) -> None:
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        evil = "<img src=x onerror=alert(1)>@example.com"
        s = ledger.start_session(evil, R)
        read(ledger, clock, s, R, "X", "x1", "c", utc(2026, 2, 2), 60)
        decide(ledger, clock, utc(2026, 2, 2, 1), s, evil, R, "X", "x1", "c", floor_seconds=30, changed_lines=5)
        page = render_html(compute_stats(ledger, StatsQuery()))
        assert "<img" not in page and "&lt;img src=x" in page


def test_empty_ledger_says_how_to_start() -> None:
    result = run("--all")
    assert result.exit_code == 0 and "No reviews recorded yet" in result.output and "review-tui demo" in result.output
    assert not paths.ledger_path().exists()  # reading stats creates nothing
    Ledger.open(paths.ledger_path()).close()  # a ledger with sessions but no decisions is empty too
    data = json.loads(run("--all", "--json").output)
    assert data["empty_ledger"] is True and data["overall"]["chunks"] == 0 and "demo" in data["message"]


def test_a_range_without_data_and_bad_input(user_ledger: Path) -> None:
    result = run("--all", "--since", "2027-01-01")
    assert result.exit_code == 0 and "No reviews match all repositories · since 2027-01-01" in result.output
    for args, message in ((["--since", "2026-02-30"], "--since: '2026-02-30' is not a date"),
                          (["--until", "last tuesday"], "--until: 'last tuesday' is not a date"),
                          (["--since", "2026-02-01", "--until", "2026-01-01"], "is before --since"),
                          (["--reviewer", "zed@example.com"], "known reviewers: ana@example.com, bo@example.com"),
                          (["--json", "--csv"], "exclusive"),
                          # a typo'd ledger is not an empty one (QA46 #18: "No reviews recorded yet", rc 0)
                          (["--ledger", "/nonexistent/ledger.db"], "'/nonexistent/ledger.db' does not exist")):
        result = CliRunner().invoke(cli, ["stats", "--all", *args])
        assert result.exit_code == 2, args
        assert result.output.count("\n") == 1 and message in result.output, result.output


def write_v1_ledger(path: Path) -> None:
    """A ledger as the first release wrote it: schema 1 only, filled by plain SQL."""
    db = Database(sqlite3.connect(path))
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute(f"PRAGMA application_id = {LEDGER_APPLICATION_ID}")
    db.execute("INSERT INTO reviewers VALUES (?, ?)", (ANA, "Ana"))
    db.execute("INSERT INTO sessions (id, reviewer, repo, started_at) VALUES (7, ?, ?, 100.0)", (ANA, R))
    db.execute(
        "INSERT INTO decisions (session_id, reviewer, repo, change_id, head, chunk_hash, decision,"
        " active_seconds_at_decision, floor_seconds, opened, changed_lines, tier, created_at, record_id)"
        " VALUES (7, ?, ?, 'feature/refunds', 'h1', 'A', 'approve', 95.5, 60, 1, 40, 1, 200.0, 'rec-1')",
        (ANA, R),
    )
    db.conn.commit()
    db.close()


def test_an_older_schema_is_migrated_and_its_reviews_counted() -> None:
    path = paths.ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_v1_ledger(path)
    data = json.loads(run("--all", "--json").output)
    assert (data["overall"]["chunks"], data["overall"]["lines"]) == (1, 40)
    assert data["overall"]["rate_median"] == pytest.approx(40 * 3600 / 95.5)
    assert [w["key"] for w in data["weeks"]] == ["1970-W01"]
    with Ledger.open(path) as ledger:
        assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert ledger.decisions_for(R, "feature/refunds")[0].record_id == "rec-1"


POLICY = b'[policy]\nseniors = ["ana@example.com"]\n'


def test_repo_scope_brings_its_policy_and_its_pending_changes(make_repo, monkeypatch) -> None:
    from tests.conftest import ALICE

    builder = make_repo("service")
    builder.commit("base", {".review-tui.toml": POLICY, "pay.py": "def pay(x):\n    return x\n"}, author=ALICE)
    builder.branch("feature")
    builder.commit("feature", {"pay.py": "def pay(x):\n    if x:\n        return 2 * x\n    return x\n"},
                   branch="feature", author=ALICE)
    analyzer = Analyzer(builder.path)
    key = analyzer.repo_key
    detail = analyzer.detail("feature")
    clock = Clock()
    with Ledger.open(paths.ledger_path(), clock=clock) as ledger:
        record_scenario(ledger, clock)
        s = ledger.start_session(BO, key)
        # bo approved an older version of the feature's only chunk: stale now.
        read(ledger, clock, s, key, "feature", "old-head", "old-content", utc(2026, 1, 6), 100)
        decide(ledger, clock, utc(2026, 1, 6, 1), s, BO, key, "feature", "old-head", "old-content",
               floor_seconds=30, changed_lines=4, tier=0)
        current = [c.content_hash for c in detail.plan.chunks]
        assert "old-content" not in current
    data = json.loads(run("--repo", str(builder.path), "--json").output)
    assert data["filters"]["repo"] == key and data["seniors_known"] and data["stale_method"] == "repository"
    assert (data["overall"]["chunks"], data["overall"]["stale_approvals"]) == (1, 1)
    assert data["overall"]["senior_gaps"] == 0  # no change-level Tier 0/1 approval to judge
    monkeypatch.chdir(builder.path)  # the current directory is the default scope
    assert json.loads(run("--json").output)["filters"]["repo"] == key
    everything = json.loads(run("--all", "--json").output)
    assert everything["filters"]["repo"] is None and everything["overall"]["chunks"] == 8


def test_an_approval_given_under_another_name_of_a_pending_change_is_judged_against_it(make_repo) -> None:
    """Bo approved the feature's old content as `pull/7`, the pull request ref at the branch's head:
    with the repository, stats knows that approval is stale (it looked only under `feature`)."""
    from tests.conftest import ALICE

    builder = make_repo("service")
    builder.commit("base", {".review-tui.toml": POLICY, "pay.py": "def pay(x):\n    return x\n"}, author=ALICE)
    builder.branch("feature")
    head = builder.commit("feature", {"pay.py": "def pay(x):\n    if x:\n        return 2 * x\n    return x\n"},
                          branch="feature", author=ALICE)
    subprocess.run(["git", "-C", str(builder.path), "update-ref", "refs/pull/7/head", str(head)], check=True)
    analyzer = Analyzer(builder.path)
    assert analyzer.detail("pull/7").change.id == "feature"
    key = analyzer.repo_key
    clock = Clock()
    with Ledger.open(paths.ledger_path(), clock=clock) as ledger:
        s = ledger.start_session(BO, key)
        read(ledger, clock, s, key, "pull/7", "old-head", "old-content", utc(2026, 1, 6), 100)
        decide(ledger, clock, utc(2026, 1, 6, 1), s, BO, key, "pull/7", "old-head", "old-content",
               floor_seconds=30, changed_lines=4, tier=0)
    data = json.loads(run("--repo", str(builder.path), "--json").output)
    assert data["stale_method"] == "repository"
    assert (data["overall"]["chunks"], data["overall"]["stale_approvals"]) == (1, 1)


def test_rich_report_fits_an_80_column_terminal(ledger: Ledger) -> None:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(render_rich(compute_stats(ledger, StatsQuery()), width=80))
    text = console.export_text()
    assert "Reviewers" in text and "500 LOC/h" in text
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    # Whole headers and figures, not "ti…", "cha…", "0.2…": the narrow column set fits.
    headers = [line for line in lines if line.split()[:1] in (["reviewer"], ["tier"], ["week"])]
    assert len(headers) == 3 and not any("…" in line for line in headers)
    assert headers[0].split() == ["reviewer", "chunks", "time/floor", "LOC/h", "median", "stamps"]
    rows = lines[lines.index(headers[1]) + 2:]
    assert rows[0].startswith(" Tier ") and "…" not in rows[0]
    assert "1,000-1,500" in text  # histogram labels whole
    assert json.loads(render_json(compute_stats(ledger, StatsQuery())))["overall"]["chunks"] == 7
    assert render_csv(compute_stats(ledger, StatsQuery())).startswith("dimension,key,changes")


# -- the summaries of schema 5: kept exact by triggers, rebuilt by the migration -----------------------

SUMMARIES = ("stats_chunk_days", "stats_band_days", "stats_change_days", "stats_change_facts")
RAW_TABLES = ("reviewers", "sessions", "chunk_views", "decisions", "comments", "changes_seen", "decision_coverage")


def summary_rows(db: Database) -> dict[str, list[tuple]]:
    """Every summary row, sorted, floats rounded (sums added in another order may differ in the last bit)."""
    out = {}
    for table in SUMMARIES:
        rows = db.execute(f"SELECT * FROM {table}").fetchall()
        out[table] = sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows)
    return out


def copy_as_schema_4(source: Path, target: Path) -> None:
    """The same raw records in a ledger of schema 4 (before the summaries existed)."""
    db = Database(sqlite3.connect(target))
    for migration in MIGRATIONS[:4]:
        migration(db)
    db.execute("PRAGMA user_version = 4")
    db.execute(f"PRAGMA application_id = {LEDGER_APPLICATION_ID}")
    db.execute("ATTACH DATABASE ? AS source", (str(source),))
    for table in RAW_TABLES:  # the columns schema 4 had (later schemas add some, e.g. comments.reply_to)
        columns = ", ".join(row[1] for row in db.execute(f"PRAGMA main.table_info({table})").fetchall())
        db.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM source.{table}")
    db.conn.commit()
    db.execute("DETACH DATABASE source")
    db.close()


def assert_summaries_match_a_rebuild(ledger: Ledger, tmp_path: Path, name: str = "rebuilt") -> None:
    """The trigger-kept summaries equal what migration 5 computes from the raw rows in one pass."""
    copy_as_schema_4(ledger.path, tmp_path / f"{name}.db")
    with Ledger.open(tmp_path / f"{name}.db") as rebuilt:
        assert summary_rows(ledger.db) == summary_rows(rebuilt.db)
        # the ids of one change: the triggers' pairs name the same changes as migration 10's backfill
        assert change_aliases(ledger.db, None) == change_aliases(rebuilt.db, None)


def test_an_older_ledger_is_backfilled_and_counts_exactly_like_one_kept_by_triggers(ledger: Ledger,
                                                                                     tmp_path: Path) -> None:
    copy_as_schema_4(ledger.path, tmp_path / "v4.db")
    with Ledger.open(tmp_path / "v4.db") as migrated:
        assert migrated.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert summary_rows(migrated.db) == summary_rows(ledger.db)
        for query in (StatsQuery(), StatsQuery(repo=R, tier=0), StatsQuery(*date_range("2025-12-29", None))):
            assert (compute_stats(migrated, query, policy=SENIORS).to_dict()
                    == compute_stats(ledger, query, policy=SENIORS).to_dict())
    # and the counts are the known ones (test_overall_figures_are_exact has the rest)
    assert summary_rows(ledger.db)["stats_chunk_days"] and compute_stats(ledger, StatsQuery()).overall.chunks == 7


def test_imported_decisions_update_the_summaries_once(ledger: Ledger, tmp_path: Path) -> None:
    clock = Clock()
    with Ledger.open(tmp_path / "other.db", clock=clock) as other:
        # Another clone's ledger that imported our records from git notes (twice: the second is a no-op).
        records = list(ledger.iter_decisions())
        assert other.import_decisions(records) == len(records)
        assert other.import_decisions(records) == 0
        theirs, ours = compute_stats(other, StatsQuery()).overall, compute_stats(ledger, StatsQuery()).overall
        assert (theirs.chunks, theirs.lines, theirs.approvals, theirs.rubber_stamps, theirs.changes) == (
            ours.chunks, ours.lines, ours.approvals, ours.rubber_stamps, ours.changes) == (7, 500, 7, 3, 4)
        assert (theirs.rate_p25, theirs.rate_median, theirs.rate_p75) == (ours.rate_p25, ours.rate_median,
                                                                          ours.rate_p75)
        assert theirs.first_look_median is None  # no chunk views came with the notes
        assert_summaries_match_a_rebuild(other, tmp_path)


def test_summaries_follow_deletes_and_updates_made_outside_the_ledger(ledger: Ledger, tmp_path: Path) -> None:
    # What a user might do by hand in the sqlite3 shell: the summaries must not drift.
    db = ledger.db
    with db.conn:
        db.execute("BEGIN")
        db.execute("DELETE FROM decisions WHERE chunk_hash = 'a-2'")
        db.execute("UPDATE decisions SET tier = 3, created_at = created_at + 86400 WHERE chunk_hash = 'c-1'")
        db.execute("DELETE FROM chunk_views WHERE chunk_hash = 'b-1'")
        db.execute("UPDATE changes_seen SET changed_lines = 999 WHERE change_id = 'B' AND head = 'b1'")
        db.execute("DELETE FROM changes_seen WHERE change_id = 'B' AND head = 'b2'")
    assert_summaries_match_a_rebuild(ledger, tmp_path)
    o = compute_stats(ledger, StatsQuery(repo=R)).overall
    assert (o.chunks, o.lines, o.approved_lines, o.stale_approvals) == (5, 420, 150 + 999, 0)
    # bo's first look at B is now b-3's opening (500 s before the approval); ana's at A is 1400 s.
    assert o.first_look_median == (1400 + 500) / 2


CHUNKS = ("k1", "k2", "k3")


@st.composite
def ledger_actions(draw: st.DrawFn) -> list[tuple]:
    """Random TUI-like activity: reading chunks, deciding on chunks and changes, seeing new heads."""
    steps = []
    for _ in range(draw(st.integers(1, 12))):
        reviewer = draw(st.sampled_from((ANA, BO)))
        change = draw(st.sampled_from(("X", "Y", "origin/X")))  # origin/X: X's twin, at X's heads
        day = draw(st.integers(0, 9))
        kind = draw(st.sampled_from(("read", "decide", "approve change", "seen")))
        steps.append((kind, reviewer, change, day, draw(st.sampled_from(CHUNKS)),
                      draw(st.sampled_from((0.0, 59.0, 60.0, 61.0, 900.0))), draw(st.sampled_from((None, 0, 1, 2))),
                      draw(st.sampled_from(("approve", "flag", "later"))), draw(st.integers(0, 200)),
                      draw(st.sampled_from((None, 0.0, 0.4, 0.9)))))
    return steps


@settings(max_examples=15, deadline=None)  # each example builds and migrates two ledger files
@given(ledger_actions())
def test_summaries_kept_by_triggers_equal_a_rebuild_from_the_raw_rows(tmp_path_factory, steps) -> None:
    tmp = tmp_path_factory.mktemp("summaries")
    clock = Clock()
    with Ledger.open(tmp / "l.db", clock=clock) as ledger:
        sessions = {who: ledger.start_session(who, R) for who in (ANA, BO)}
        for number, (kind, who, change, day, chunk, seconds, tier, decision, lines, ai) in enumerate(steps):
            at = utc(2026, 3, 2) + day * 86_400 + number * 60
            head = f"{change.removeprefix('origin/')}{day // 5}"  # a new head every five days
            if kind == "read":
                read(ledger, clock, sessions[who], R, change, head, chunk, at, seconds)
            elif kind == "decide":
                decide(ledger, clock, at, sessions[who], who, R, change, head, chunk, decision=decision,
                       floor_seconds=60.0, changed_lines=lines, tier=tier, ai_share=ai)
            elif kind == "approve change":
                decide(ledger, clock, at, sessions[who], who, R, change, head, None, chunk_hashes=list(CHUNKS),
                       floor_seconds=180.0, changed_lines=lines, tier=tier, ai_share=ai)
            else:
                clock.now = at
                ledger.note_change(repo=R, change_id=change, head=head, tier=tier, changed_lines=lines, ai_share=ai)
        assert_summaries_match_a_rebuild(ledger, tmp)
        everything = compute_stats(ledger, StatsQuery())
        reviews = [d for d in ledger.iter_decisions() if d.chunk_hash is not None and d.decision != "later"]
        assert everything.overall.chunks == len(reviews)
        assert everything.overall.lines == sum(d.changed_lines for d in reviews)
        # a flag has no rate, nor an approval of a chunk without changed lines
        timed = sorted(d.changed_lines * 3600 / d.active_seconds_at_decision for d in reviews
                       if d.active_seconds_at_decision > 0 and d.decision == "approve" and d.changed_lines)
        assert everything.overall.rate_median == (median(timed) if timed else None)
        assert sum(n for _, _, n in everything.histogram) == len(timed)
        # origin/X is X's twin where a change seen or a change decision puts both ids at one head
        decisions = list(ledger.iter_decisions())
        reviewed = {d.change_id for d in decisions if d.decision in ("approve", "flag")}
        at_head = {(d.change_id, d.head) for d in decisions if d.decision != "later"}  # chunk decisions too
        at_head |= set(ledger.db.execute("SELECT change_id, head FROM changes_seen").fetchall())
        twins = any(("origin/X", head) in at_head for change, head in at_head if change == "X")
        assert everything.overall.changes == len(reviewed) - (twins and {"X", "origin/X"} <= reviewed)


def test_one_change_reviewed_by_three_people_is_one_change_and_three_reviewer_rows(tmp_path: Path) -> None:
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        t = utc(2026, 2, 2, 9)
        clock.now = t - 100
        ledger.note_change(repo=R, change_id="M", head="m1", tier=2, changed_lines=9, ai_share=0.0, chunk_count=1)
        for n, who in enumerate((ANA, BO, "cy@example.com")):
            s = ledger.start_session(who, R)
            read(ledger, clock, s, R, "M", "m1", "m-1", t + 1000 * n, 120)
            decide(ledger, clock, t + 1000 * n + 200, s, who, R, "M", "m1", None, chunk_hashes=["m-1"],
                   floor_seconds=60, changed_lines=9, tier=2)
        report = compute_stats(ledger, StatsQuery(repo=R))
    assert report.overall.changes == 1  # it read "3 changes" in the headline
    assert [(w.key, w.changes) for w in report.weeks] == [("2026-W06", 1)]
    assert [(t.key, t.changes) for t in report.tiers] == [("Tier 2", 1)]
    assert [(r.key, r.changes) for r in report.reviewers] == [(ANA, 1), (BO, 1), ("cy@example.com", 1)]
    assert report.overall.approvals == 3
    assert summary_lines(report)[0].startswith("1 change and 0 chunks reviewed: ")
    assert "; 0 stale approvals." in summary_lines(report)[2]
    csv_rows = list(csv.reader(io.StringIO(render_csv(report))))
    header = csv_rows[0]
    overall = next(row for row in csv_rows if row[0] == "overall")
    assert overall[header.index("changes")] == "1"


def test_the_ids_of_one_head_on_reviewers_machines_are_one_change_and_fill_its_senior_gap(tmp_path: Path) -> None:
    """Ana has the branch, Bo only its remote twin, Cy the pull request ref: three ids of one head.
    It read as three changes, and Bo's approval as a Tier 1 change with no senior approval."""
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        t = utc(2026, 2, 2, 9)
        clock.now = t - 100
        ledger.note_change(repo=R, change_id="feature/x", head="h1", tier=1, changed_lines=9, ai_share=0.0,
                           chunk_count=1)
        for n, (who, change_id) in enumerate(((ANA, "feature/x"), (BO, "origin/feature/x"),
                                              ("cy@example.com", "pull/7"))):
            s = ledger.start_session(who, R)
            read(ledger, clock, s, R, change_id, "h1", "x-1", t + 1000 * n, 120)
            decide(ledger, clock, t + 1000 * n + 200, s, who, R, change_id, "h1", None, chunk_hashes=["x-1"],
                   floor_seconds=60, changed_lines=9, tier=1)
        # another change, pushed once (two heads, one id), reviewed by Bo at each head: one change
        clock.now = t
        for n, head in enumerate(("y1", "y2")):
            s = ledger.start_session(BO, R)
            read(ledger, clock, s, R, "feature/y", head, f"y-{n}", t + 5000 + 1000 * n, 120)
            decide(ledger, clock, t + 5000 + 1000 * n + 200, s, BO, R, "feature/y", head, None,
                   chunk_hashes=[f"y-{n}"], floor_seconds=60, changed_lines=9, tier=2)
        report = compute_stats(ledger, StatsQuery(repo=R), policy=SENIORS)
    assert report.overall.changes == 2
    assert sorted((t.key, t.changes) for t in report.tiers) == [("Tier 1", 1), ("Tier 2", 1)]
    assert [(r.key, r.changes) for r in report.reviewers] == [(ANA, 1), (BO, 2), ("cy@example.com", 1)]
    assert report.overall.senior_gaps == 0  # ana, a senior, approved that head as feature/x


def test_stats_in_a_repository_with_no_commits_is_an_error_not_every_repository(
        user_ledger: Path, tmp_path: Path, monkeypatch) -> None:
    empty = tmp_path / "empty"
    subprocess.run(["git", "init", "-q", str(empty)], check=True)
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 2  # it reported every repository's records as if asked for --all
    assert "the repository has no commits yet" in result.output and "stats --all" in result.output
    assert "Review stats" not in result.output
    monkeypatch.chdir(tmp_path)  # not a repository at all: every repository, as before
    assert "Review stats: all repositories" in run().output
    broken = tmp_path / "broken"  # a repository that cannot be opened (QA42 13d: dubious ownership) is an error
    (broken / "src").mkdir(parents=True)
    (broken / ".git").write_text("gitdir: /nonexistent/git/dir\n")
    monkeypatch.chdir(broken / "src")
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 2 and "stats --all" in result.output, result.output


def test_with_no_timed_chunk_review_the_rate_line_says_so(tmp_path: Path) -> None:
    """A change-level approval alone printed "Median rate - changed lines per hour (quartiles ---)"."""
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        s = ledger.start_session(ANA, R)
        decide(ledger, clock, utc(2026, 2, 2), s, ANA, R, "M", "m1", None, chunk_hashes=["m-1"],
               floor_seconds=60, changed_lines=9, tier=2)
        lines = summary_lines(compute_stats(ledger, StatsQuery(repo=R)))
    assert lines[1] == ("No chunk approval of changed lines was timed, so there is no review rate (change-level "
                        "approvals carry no reading time; a binary file or a rename has no changed lines).")
    assert "---" not in "\n".join(lines)


def test_an_approved_image_keeps_its_time_and_floor_but_gives_no_rate(tmp_path: Path) -> None:
    """A binary chunk has no changed lines: 40 s on it read as 0 LOC/h, and one approved image made the median
    of a reviewer's rates 0. It stays a chunk approval (time, floor, stamp), counted in the "no rate" bar."""
    clock = Clock()
    with Ledger.open(tmp_path / "ledger.db", clock=clock) as ledger:
        record_scenario(ledger, clock)
        t = utc(2026, 1, 6, 9)
        s = ledger.start_session(ANA, R)
        read(ledger, clock, s, R, "C", "c1", "c-logo", t, 40)
        decide(ledger, clock, t + 50, s, ANA, R, "C", "c1", "c-logo", floor_seconds=30, changed_lines=0)
        report = compute_stats(ledger, StatsQuery(repo=R))
        assert_summaries_match_a_rebuild(ledger, tmp_path)
    o, ana = report.overall, next(r for r in report.reviewers if r.key == ANA)
    assert (o.chunks, o.approvals, o.timed_chunks, o.timed_lines) == (7, 7, 4, 390)  # its time counts as active
    assert o.active_seconds == pytest.approx(3779.999 + 40) and o.timed_seconds == pytest.approx(3479.999)
    assert (o.rate_p25, o.rate_median) == (360.0, 450.0)  # the rates of the four reads, as before
    assert ana.rate_median == 500.0  # of 240, 500 and 500.0014 (with the image at 0 LOC/h: 370)
    assert o.floor_seconds == pytest.approx(2952 + 30) and o.time_vs_floor == pytest.approx((3479.999 + 40) / 2982)
    assert report.histogram[0] == (0, 100, 0) and report.rateless_approvals == 2  # c-2 (no time) and the image
    assert summary_lines(report)[1].startswith(
        "Median rate 450 changed lines per hour of 4 timed chunks (quartiles 360-")
    human = next(band for band in report.ai_bands if band.key == "human")  # b-1 is its only timed read
    assert (human.timed_chunks, human.timed_seconds, human.active_seconds) == (1, 1800, 1800 + 300 + 40)


def test_with_flags_only_the_rate_line_says_there_is_no_approval_yet(tmp_path: Path) -> None:
    """A first flag in the demo read "No chunk approval of changed lines was timed ... a binary file or a rename has
    no changed lines": none of that was the reason."""
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        s = ledger.start_session(ANA, R)
        read(ledger, clock, s, R, "F", "f1", "tf", utc(2026, 2, 2), 14)
        decide(ledger, clock, utc(2026, 2, 2) + 20, s, ANA, R, "F", "f1", "tf", decision="flag", floor_seconds=226,
               changed_lines=21, note="keep deletion_protection")
        lines = summary_lines(compute_stats(ledger, StatsQuery(repo=R)))
    assert lines[1] == "No approval yet, so there is no review rate (a flag stops at the first problem: it gives none)."


def test_with_only_images_approved_the_headline_still_gives_time_against_the_floor(tmp_path: Path) -> None:
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        s = ledger.start_session(ANA, R)
        read(ledger, clock, s, R, "I", "i1", "logo", utc(2026, 2, 2), 40)
        decide(ledger, clock, utc(2026, 2, 2) + 50, s, ANA, R, "I", "i1", "logo", floor_seconds=30, changed_lines=0)
        lines = summary_lines(compute_stats(ledger, StatsQuery(repo=R)))
    assert lines[1].startswith("No chunk approval of changed lines was timed, so there is no review rate")
    assert lines[1].endswith("; time spent was 1.33x the floor time.")
    # the "no rate" bar shares the histogram's scale: it ran past the chart and pushed the counts off (QA45 #11)
    from app.report.stats_render import histogram_table

    console = Console(width=100, record=True)
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:  # one read at a rate, two images beside it
        s = ledger.start_session(ANA, R)
        read(ledger, clock, s, R, "J", "j1", "code", utc(2026, 2, 3), 600)
        decide(ledger, clock, utc(2026, 2, 3) + 700, s, ANA, R, "J", "j1", "code", floor_seconds=300,
               changed_lines=40)
        read(ledger, clock, s, R, "J", "j1", "icon", utc(2026, 2, 3) + 800, 20)
        decide(ledger, clock, utc(2026, 2, 3) + 900, s, ANA, R, "J", "j1", "icon", floor_seconds=15, changed_lines=0)
        console.print(histogram_table(compute_stats(ledger, StatsQuery(repo=R)), width=30))
    text = console.export_text()
    [bar] = [line for line in text.splitlines() if line.strip().startswith("no rate")]
    assert bar.rstrip().endswith(" 2") and bar.count("█") == 30, text  # the chart's width, not twice it


def test_a_working_tree_approval_keeps_the_tier_it_was_given_at(tmp_path: Path) -> None:
    """The working tree's head names whatever it holds now: a Tier 2 approval of yesterday's edit was re-judged
    at today's Tier 0 (a senior gap, its stamp counted in Tier 0)."""
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        s = ledger.start_session(BO, R)
        clock.now = utc(2026, 2, 2) - 10
        ledger.note_change(repo=R, change_id=":worktree", head=":worktree", tier=2, changed_lines=2, ai_share=0.0)
        decide(ledger, clock, utc(2026, 2, 2), s, BO, R, ":worktree", ":worktree", None, chunk_hashes=["w-1"],
               floor_seconds=60, changed_lines=2, tier=2)
        clock.now = utc(2026, 2, 3)  # the next day the tree holds a Tier 0 edit
        ledger.note_change(repo=R, change_id=":worktree", head=":worktree", tier=0, changed_lines=3, ai_share=0.0)
        report = compute_stats(ledger, StatsQuery(repo=R), policy=SENIORS)
    assert [(t.key, t.approvals) for t in report.tiers] == [("Tier 2", 1)]
    assert report.overall.senior_gaps == 0


def test_a_range_commit_and_a_branch_at_its_head_are_two_changes(tmp_path: Path) -> None:
    """The head merge commit of a range (9 lines against its parent) and the branch (+159 from its merge-base)
    share a head: stats counted one change, and the senior's approval of the commit filled the branch's gap."""
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        t = utc(2026, 2, 2, 9)
        for n, (who, change_id) in enumerate(((ANA, "abcdef1234"), (BO, "qa/powershell"))):
            s = ledger.start_session(who, R)
            read(ledger, clock, s, R, change_id, "h1", f"c-{n}", t + 1000 * n, 120)
            decide(ledger, clock, t + 1000 * n + 200, s, who, R, change_id, "h1", None, chunk_hashes=[f"c-{n}"],
                   floor_seconds=60, changed_lines=9, tier=1)
        assert change_aliases(ledger.db, R) == {}
        report = compute_stats(ledger, StatsQuery(repo=R), policy=PolicyConfig(
            seniors=(ANA,), rules=(*PolicyConfig().rules, PolicyRule("tier 1 needs a senior", tiers=(1,),
                                                                      senior_approvals=1))))
    assert report.overall.changes == 2
    assert report.overall.senior_gaps == 1  # the branch: Bo alone


def test_one_change_chunk_reviewed_under_a_local_and_a_remote_name_is_one_change(tmp_path: Path) -> None:
    """Alice approved a chunk of her branch as `feature/r` in her clone, Maya the same chunk at the same
    head as `origin/feature/r` in hers: no change-level decision, no shared changes seen, and stats
    counted two changes. Chunk decisions pair the ids of a head too (schema 12), kept by triggers and
    equal to a rebuild."""
    clock = Clock()
    with Ledger.open(tmp_path / "l.db", clock=clock) as ledger:
        t = utc(2026, 2, 2, 9)
        for n, (who, name) in enumerate(((ANA, "feature/r"), (BO, "origin/feature/r"))):
            s = ledger.start_session(who, R)
            read(ledger, clock, s, R, name, "r1", "r-1", t + 1000 * n, 120)
            decide(ledger, clock, t + 1000 * n + 200, s, who, R, name, "r1", "r-1", floor_seconds=60,
                   changed_lines=9, tier=2)
        assert compute_stats(ledger, StatsQuery(repo=R)).overall.changes == 1
        assert_summaries_match_a_rebuild(ledger, tmp_path)


def test_the_ai_verdict_weighs_size_and_complexity(ledger: Ledger) -> None:
    """QA64: one AI-written line stamped in 30 s of its 1 minute floor (120 LOC/h) read as "slower" than human code
    read to its floor at 298 LOC/h, while time/floor said AI-heavy code got half its floor against 1.13x."""
    report = compute_stats(ledger, StatsQuery(repo=R))

    def band(key: str, lines: int, seconds: float, floor: float) -> Figures:
        return Figures(key, timed_lines=lines, timed_seconds=seconds, floor_active_seconds=seconds,
                       floor_seconds=floor)

    def verdict(*bands: Figures) -> str:
        report.ai_bands = list(bands)
        return next(x for x in summary_lines(report) if x.startswith("AI-heavy"))

    human = band("human", 298, 3600, 3600 / 1.13)
    assert verdict(human, band("AI-heavy", 1, 30, 60)) == (
        "AI-heavy chunks were read at 120 LOC/h against 298 for human-written ones; time/floor 0.50x against 1.13x "
        "(faster for their size and complexity).")
    assert verdict(human, band("AI-heavy", 500, 3600, 3600 / 1.13)).endswith("time/floor 1.13x against 1.13x.")
