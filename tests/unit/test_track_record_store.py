"""The AI track record in models.db (app/storage/models.py) on real SQLite files: every calibrate run
kept and the latest read, intervals that are undefined stored as such, a schema-1 file (from before
the track record) migrated without losing its stored model - also when a reader meets it first -
and the renderers keeping tool names that hold Rich markup as text."""

from __future__ import annotations

import io
import json
import math
import sqlite3
from pathlib import Path

from rich.console import Console

from app.core.calibration.run import ToolRecord
from app.core.risk.likelihood import LIKELIHOOD_FEATURES, default_model
from app.storage.db import open_db
from app.storage.models import (
    MODELS_APPLICATION_ID,
    MODELS_MIGRATIONS,
    TrackRecordRun,
    latest_track_record,
    store_track_record,
    stored_model,
    stored_row,
)

REPO = "a" * 40
OTHER = "b" * 40


def a_run(repo: str = REPO, *, at: float = 1_764_800_000.0, studied: int = 1204,
          records: tuple[ToolRecord, ...] | None = None) -> TrackRecordRun:
    if records is None:
        records = (ToolRecord("Claude Code", 40, 12, (0.3, 0.18, 0.46), 19.5),
                   ToolRecord(None, 1164, 93, (0.08, 0.066, 0.097), 402.0))
    return TrackRecordRun(repo, at, "h" * 40, "f" * 40, "l" * 40, 1_700_000_000, 1_760_000_000, studied,
                          studied + 10, 150, 133, False, records, 365)


def test_every_run_is_kept_and_the_latest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "models.db"
    assert latest_track_record(path, REPO) is None  # nothing calibrated: no file is created to say so
    assert not path.exists()
    store_track_record(path, a_run(at=1000.0, studied=500))
    store_track_record(path, a_run(at=2000.0, studied=1204))
    store_track_record(path, a_run(OTHER, at=3000.0, studied=7))
    latest = latest_track_record(path, REPO)
    assert latest == a_run(at=2000.0, studied=1204)
    assert latest is not None and latest.record_of("claude code") == latest.records[0]
    assert latest.record_of(None) == latest.records[1] and latest.record_of("Cursor") is None
    assert latest_track_record(path, OTHER).studied == 7  # type: ignore[union-attr]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM calibration_runs").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM track_records").fetchone()[0] == 6


def test_an_undefined_rate_is_stored_as_null_and_read_back_undefined(tmp_path: Path) -> None:
    path = tmp_path / "models.db"
    nan = float("nan")
    store_track_record(path, a_run(records=(ToolRecord(None, 0, 0, (nan, nan, nan)),)))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT rate, low, high FROM track_records").fetchone() == (None, None, None)
    found = latest_track_record(path, REPO)
    assert found is not None and all(math.isnan(v) for v in found.records[0].rate)


def _schema_1_file(path: Path) -> tuple[str, str]:
    """A models.db as the release before the track record wrote it: schema 1, one stored model."""
    db = open_db(path, migrations=MODELS_MIGRATIONS[:1], app_id=MODELS_APPLICATION_ID, what="calibrated models",
                 lite=True)
    model = default_model().to_json()
    model["extra"] = {**model.get("extra", {}), "feature_list": list(LIKELIHOOD_FEATURES)}
    text, facts = json.dumps(model, sort_keys=True), json.dumps({"commits": 321, "calibrated": "2026-11-30"})
    db.execute("INSERT INTO models (repo, model, facts, stored_at) VALUES (?, ?, ?, ?)", (REPO, text, facts, 1.0))
    db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'calibration_runs'").fetchone() is None
    return text, facts


def test_a_schema_1_file_is_migrated_by_its_first_reader_and_keeps_its_model(tmp_path: Path) -> None:
    path = tmp_path / "models.db"
    text, facts = _schema_1_file(path)
    # `list` reads the stored model first: it still ranks (the file is migrated on the way)
    model = stored_model(path, REPO)
    assert model is not None and model.coefficients == default_model().coefficients
    assert stored_row(path, REPO) is not None
    assert latest_track_record(path, REPO) is None  # no calibrate has been run since: none yet
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MODELS_MIGRATIONS) == 3
        assert conn.execute("SELECT model, facts FROM models WHERE repo = ?", (REPO,)).fetchone() == (text, facts)


def test_a_schema_1_file_takes_a_track_record_and_keeps_its_model(tmp_path: Path) -> None:
    path = tmp_path / "models.db"
    text, facts = _schema_1_file(path)
    store_track_record(path, a_run())
    assert latest_track_record(path, REPO) == a_run()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT model, facts FROM models WHERE repo = ?", (REPO,)).fetchone() == (text, facts)
    assert stored_model(path, REPO) is not None


def test_a_schema_2_run_reads_back_without_follow_up_and_says_no_caveat(tmp_path: Path) -> None:
    """A run stored before the follow-up days were kept: its rows read as unknown (no caveat is made up), and
    the next run is stored with them."""
    from app.report.track_record import to_json

    path = tmp_path / "models.db"
    db = open_db(path, migrations=MODELS_MIGRATIONS[:2], app_id=MODELS_APPLICATION_ID, what="calibrated models",
                 lite=True)
    db.execute("INSERT INTO calibration_runs VALUES (1, ?, 5.0, 'h', 'f', 'l', 1, 2, 10, 12, 3, 2, 0)", (REPO,))
    db.execute("INSERT INTO track_records VALUES (1, 0, 'Devin', 4, 2, 0.5, 0.15, 0.85)")
    db.close()
    old = latest_track_record(path, REPO)
    assert old is not None and old.window_days is None and math.isnan(old.records[0].follow_up_days)
    doc = to_json(old)
    assert doc is not None and doc["caveats"] == [] and doc["tools"][0]["median_follow_up_days"] is None
    store_track_record(path, a_run(at=10.0))
    assert latest_track_record(path, REPO) == a_run(at=10.0)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


def test_a_group_too_recent_for_its_rate_to_be_final_is_named_in_every_rendering() -> None:
    from app.report.track_record import html_section, rich_table, to_json

    run = a_run()
    caveat = ("Claude Code: half its changes landed in the last 20 days of the studied history, less than the 365 "
              "days a later fix is traced within: its rate can still rise.")
    assert caveat in " ".join(_plain(rich_table(run)).split())
    assert f"<p>{caveat}</p>" in html_section(run, "")
    doc = to_json(run)
    assert doc is not None and doc["caveats"] == [caveat] and doc["window_days"] == 365
    assert [t["median_follow_up_days"] for t in doc["tools"]] == [19.5, 402.0]


def test_a_damaged_file_reads_as_no_track_record(tmp_path: Path) -> None:
    path = tmp_path / "models.db"
    path.write_bytes(b"this is not a database, just text" * 100)
    assert latest_track_record(path, REPO) is None


def _plain(renderable: object, width: int = 200) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def test_renderers_show_markup_in_tool_names_as_text() -> None:
    from app.report.track_record import html_section, rich_table, to_json

    hostile = "[bold red]Evil[/] \x1b[31mbot"
    run = a_run(records=(ToolRecord(hostile, 3, 1, (1 / 3, 0.06, 0.79)), ToolRecord(None, 9, 1, (1 / 9, 0.02, 0.43))))
    text = _plain(rich_table(run))
    assert "[bold red]Evil[/]" in text and "\x1b" not in text
    assert "33% (6.0%-79%)" in text and "11% (2.0%-43%)" in text and "no AI signal" in text
    assert "1,204 first-parent commits studied (ffffffffff..llllllllll, 2023-11-14 to 2025-10-09)" in text
    page = html_section(run, "")
    assert "[bold red]Evil[/]" in page and "\x1b" not in page and "<td>no AI signal</td>" in page
    doc = to_json(run)
    assert doc is not None and doc["tools"][0]["tool"] == hostile and doc["tools"][1]["tool"] is None
    assert doc["tools"][0]["later_fixed"] == 1 and doc["interval"] == "wilson-95"


def test_several_recent_groups_are_named_in_one_line() -> None:
    from app.report.track_record import follow_up_lines

    records = [ToolRecord("Claude Code", 40, 12, (0.3, 0.18, 0.46), 143.0),
               ToolRecord("pydanty", 46, 1, (0.02, 0.004, 0.11), 19.4),
               ToolRecord("Cursor", 0, 0, (math.nan,) * 3, math.nan),
               ToolRecord(None, 1164, 93, (0.08, 0.066, 0.097), 402.0)]
    assert follow_up_lines(records, 365) == [
        "Rates that can still rise, their changes mostly younger than the 365 days a later fix is traced within "
        "(ages counted back from the end of the studied history): Claude Code (median age 143 days), pydanty "
        "(median age 19 days)."]
    assert follow_up_lines(records, None) == []


def test_a_group_a_day_old_is_said_to_have_landed_in_the_last_day() -> None:
    """QA55 F8: terraform-aws-eks's one Claude Code change, a day old, "landed in the last 0 days"."""
    from app.report.track_record import follow_up_lines

    young = [ToolRecord("Claude Code", 1, 0, (0.0, 0.0, 0.79), 0.4), ToolRecord(None, 1118, 93, (0.08, 0.07, 0.1), 900)]
    [line] = follow_up_lines(young, 365)
    assert line.startswith("Claude Code: half its changes landed in the last day of the studied history"), line
