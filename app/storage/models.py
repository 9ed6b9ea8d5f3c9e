"""Likelihood models calibrated on a repository's own history (`review-tui calibrate`), one per
repository, and the AI track record of every calibrate run, in their own SQLite file
(app.paths.models_path(): data, not cache - deleting the cache keeps them).

A row holds the model's JSON (app/core/risk/likelihood.py) and the facts it came from (commit
range, counts, the metrics that made it win), keyed by the repository's root commit id (the
ledger's repo key, Analyzer.repo_key). Reading never fails the caller: a missing, unreadable,
newer or damaged file, or a model that no longer fits (another feature list, an unknown feature)
reads as "no stored model" and the built-in defaults rank.

Schema 2 adds `calibration_runs` (one row per completed calibrate run: when, the commit range and
counts it studied, whether the own model was adopted) and `track_records` (the later-fix rate per AI
tool of that run, and of the commits without AI signals, with its Wilson interval). Every run is
kept; readers take the latest run of a repository (`latest_track_record`). A schema-1 file is
migrated in place on its next open (its stored model is kept as it was); a reader that finds one
migrates it first, so an older file keeps working.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import LedgerError
from app.storage.db import LiteDatabase, SchemaTooOld, open_db, write_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

    from app.core.calibration.run import ToolRecord
    from app.core.risk.likelihood import LikelihoodModel

log = logging.getLogger(__name__)

MODELS_APPLICATION_ID = 0x5254554D  # "RTUM"


def _v1_models(db: Database) -> None:
    """Models schema 1: one calibrated model per repository."""
    db.execute(
        "CREATE TABLE models (repo TEXT PRIMARY KEY, model TEXT NOT NULL, facts TEXT NOT NULL,"
        " stored_at REAL NOT NULL) WITHOUT ROWID"
    )


def _v2_track_records(db: Database) -> None:
    """Models schema 2: every calibrate run and its AI track record (the models table is untouched)."""
    db.execute(
        "CREATE TABLE calibration_runs (id INTEGER PRIMARY KEY, repo TEXT NOT NULL, run_at REAL NOT NULL,"
        " head TEXT NOT NULL, first_commit TEXT NOT NULL, last_commit TEXT NOT NULL,"
        " first_time INTEGER NOT NULL, last_time INTEGER NOT NULL, studied INTEGER NOT NULL,"
        " first_parent_commits INTEGER NOT NULL, fix_commits INTEGER NOT NULL,"
        " defect_inducing INTEGER NOT NULL, own_model_adopted INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX calibration_runs_latest ON calibration_runs (repo, run_at, id)")
    db.execute(
        "CREATE TABLE track_records (run INTEGER NOT NULL REFERENCES calibration_runs (id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL, tool TEXT, changes INTEGER NOT NULL, later_fixed INTEGER NOT NULL,"
        " rate REAL, low REAL, high REAL, PRIMARY KEY (run, position)) WITHOUT ROWID"
    )


def _v3_follow_up(db: Database) -> None:
    """Models schema 3: how long each group's changes had for a later fix to come (the median days before the
    newest studied commit) and the run's tracing window, so `stats` says which rates can still rise. Rows of
    earlier runs keep NULL: unknown, no caveat."""
    db.execute("ALTER TABLE track_records ADD COLUMN follow_up_days REAL")
    db.execute("ALTER TABLE calibration_runs ADD COLUMN window_days INTEGER")


MODELS_MIGRATIONS = [_v1_models, _v2_track_records, _v3_follow_up]


def _open(path: Path, *, readonly: bool) -> LiteDatabase:
    db = open_db(path, readonly=readonly, migrations=MODELS_MIGRATIONS, app_id=MODELS_APPLICATION_ID,
                 what="calibrated models", lite=True)
    return db  # type: ignore[return-value]  # lite=True gives a LiteDatabase


def _open_reading(path: Path) -> LiteDatabase:
    """Open for reading; a file at an older schema is migrated first (kept, never lost)."""
    try:
        return _open(path, readonly=True)
    except SchemaTooOld:
        _open(path, readonly=False).close()
        return _open(path, readonly=True)


def store_model(path: Path, repo: str, model: LikelihoodModel, facts: dict[str, Any]) -> None:
    """Keep `model` as the repository's own (replacing an earlier one), in one transaction."""
    row = (repo, json.dumps(model.to_json(), sort_keys=True, allow_nan=False),
           json.dumps(facts, sort_keys=True, default=str), time.time())
    db = _open(path, readonly=False)
    try:
        with write_transaction(db, path, "storing the calibrated model"):  # type: ignore[arg-type]
            db.execute("INSERT OR REPLACE INTO models (repo, model, facts, stored_at) VALUES (?, ?, ?, ?)", row)
    finally:
        db.close()


def forget_model(path: Path, repo: str) -> bool:
    """Drop the repository's stored model (the defaults rank again); True when there was one."""
    if not path.exists():
        return False
    db = _open(path, readonly=False)
    try:
        with write_transaction(db, path, "forgetting the calibrated model"):  # type: ignore[arg-type]
            gone = db.execute("DELETE FROM models WHERE repo = ?", (repo,)).rowcount
    finally:
        db.close()
    return bool(gone)


def _reader_or_none(path: Path, consequence: str) -> LiteDatabase | None:
    """The file opened for reading, or None when there is none or it cannot be read (logged with what
    that means for the caller, never raised: ranking goes on with the defaults)."""
    if not path.exists():
        return None
    try:
        return _open_reading(path)
    except LedgerError as exc:
        log.warning("calibrated models unreadable, %s: %s", consequence, exc)
        return None


def stored_row(path: Path, repo: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The stored (model JSON, facts) of a repository, or None (also when the file cannot be read)."""
    db = _reader_or_none(path, "using the defaults")
    if db is None:
        return None
    try:
        found = db.execute("SELECT model, facts FROM models WHERE repo = ?", (repo,)).fetchone()
        if found is None:
            return None
        model, facts = json.loads(found[0]), json.loads(found[1])
        return (model, facts) if isinstance(model, dict) and isinstance(facts, dict) else None
    except (sqlite3.Error, ValueError) as exc:
        log.warning("calibrated model of %s unreadable, using the defaults: %s", repo, exc)
        return None
    finally:
        db.close()


def stored_model(path: Path, repo: str) -> LikelihoodModel | None:
    """The repository's own model when one is stored and still fits this review-tui (the same
    feature list it was fitted for); None otherwise - never raises."""
    from app.core.risk.likelihood import LIKELIHOOD_FEATURES, LikelihoodModel
    from app.errors import ConfigError

    row = stored_row(path, repo)
    if row is None:
        return None
    data, _facts = row
    extra = data.get("extra")
    if not isinstance(extra, dict) or extra.get("feature_list") != list(LIKELIHOOD_FEATURES):
        return None  # fitted when the model had other features: stale
    try:
        return LikelihoodModel.from_json(data, "stored model")
    except ConfigError:
        return None


# -- the AI track record of each calibrate run ---------------------------------------------------


@dataclass(frozen=True)
class TrackRecordRun:
    """The AI track record of one calibrate run: the later-fix rate per AI tool and for the commits
    without AI signals (`records`, tool None, last), and the history it came from."""

    repo: str
    run_at: float  # epoch seconds, UTC
    head: str
    first_commit: str  # the oldest and newest studied first-parent commits
    last_commit: str
    first_time: int  # their commit times
    last_time: int
    studied: int
    first_parent_commits: int
    fix_commits: int
    defect_inducing: int
    own_model_adopted: bool
    records: tuple[ToolRecord, ...] = field(default=())
    window_days: int | None = None  # how long after a change a fix was traced to it (None: a schema-2 run)

    def record_of(self, tool: str | None) -> ToolRecord | None:
        """The record of one tool (None: the commits without AI signals); tool names match case-insensitively."""
        wanted = tool.casefold() if tool is not None else None
        return next((r for r in self.records
                     if (r.tool.casefold() if r.tool is not None else None) == wanted), None)


def store_track_record(path: Path, run: TrackRecordRun) -> None:
    """Keep one calibrate run's track record (earlier runs stay), in one transaction."""
    import math

    def num(value: float) -> float | None:
        return value if math.isfinite(value) else None

    db = _open(path, readonly=False)
    try:
        with write_transaction(db, path, "storing the AI track record"):  # type: ignore[arg-type]
            cursor = db.execute(
                "INSERT INTO calibration_runs (repo, run_at, head, first_commit, last_commit, first_time, last_time,"
                " studied, first_parent_commits, fix_commits, defect_inducing, own_model_adopted, window_days)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run.repo, run.run_at, run.head, run.first_commit, run.last_commit, run.first_time, run.last_time,
                 run.studied, run.first_parent_commits, run.fix_commits, run.defect_inducing,
                 int(run.own_model_adopted), run.window_days))
            run_id = cursor.lastrowid
            for position, r in enumerate(run.records):
                db.execute("INSERT INTO track_records (run, position, tool, changes, later_fixed, rate, low, high,"
                           " follow_up_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (run_id, position, r.tool, r.changes, r.fixed, *(num(v) for v in r.rate),
                            num(r.follow_up_days)))
    finally:
        db.close()


def latest_track_record(path: Path, repo: str) -> TrackRecordRun | None:
    """The track record of the repository's latest calibrate run, or None (never calibrated, or the
    file cannot be read: logged, never raised)."""
    from app.core.calibration.run import ToolRecord

    db = _reader_or_none(path, "no AI track record")
    if db is None:
        return None
    try:
        found = db.execute(
            "SELECT id, run_at, head, first_commit, last_commit, first_time, last_time, studied,"
            " first_parent_commits, fix_commits, defect_inducing, own_model_adopted, window_days FROM calibration_runs"
            " WHERE repo = ? ORDER BY run_at DESC, id DESC LIMIT 1", (repo,)).fetchone()
        if found is None:
            return None
        rows = db.execute("SELECT tool, changes, later_fixed, rate, low, high, follow_up_days FROM track_records"
                          " WHERE run = ? ORDER BY position", (found[0],)).fetchall()
        nan = float("nan")

        def real(value: Any) -> float:
            return nan if value is None else float(value)

        records = tuple(ToolRecord(None if tool is None else str(tool), int(changes), int(fixed),
                                   (real(rate), real(low), real(high)), real(days))
                        for tool, changes, fixed, rate, low, high, days in rows)
        return TrackRecordRun(repo, float(found[1]), str(found[2]), str(found[3]), str(found[4]), int(found[5]),
                              int(found[6]), int(found[7]), int(found[8]), int(found[9]), int(found[10]),
                              bool(found[11]), records, None if found[12] is None else int(found[12]))
    except (sqlite3.Error, ValueError, TypeError) as exc:
        log.warning("AI track record of %s unreadable: %s", repo, exc)
        return None
    finally:
        db.close()
