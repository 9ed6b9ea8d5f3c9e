"""Likelihood models calibrated on a repository's own history (`review-tui calibrate`), one per
repository, in their own SQLite file (app.paths.models_path(): data, not cache - deleting the
cache keeps them).

A row holds the model's JSON (app/core/risk/likelihood.py) and the facts it came from (commit
range, counts, the metrics that made it win), keyed by the repository's root commit id (the
ledger's repo key, Analyzer.repo_key). Reading never fails the caller: a missing, unreadable,
newer or damaged file, or a model that no longer fits (another feature list, an unknown feature)
reads as "no stored model" and the built-in defaults rank.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import LedgerError
from app.storage.db import LiteDatabase, open_db, write_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

    from app.core.risk.likelihood import LikelihoodModel

log = logging.getLogger(__name__)

MODELS_APPLICATION_ID = 0x5254554D  # "RTUM"


def _v1_models(db: Database) -> None:
    """Models schema 1: one calibrated model per repository."""
    db.execute(
        "CREATE TABLE models (repo TEXT PRIMARY KEY, model TEXT NOT NULL, facts TEXT NOT NULL,"
        " stored_at REAL NOT NULL) WITHOUT ROWID"
    )


MODELS_MIGRATIONS = [_v1_models]


def _open(path: Path, *, readonly: bool) -> LiteDatabase:
    db = open_db(path, readonly=readonly, migrations=MODELS_MIGRATIONS, app_id=MODELS_APPLICATION_ID,
                 what="calibrated models", lite=True)
    return db  # type: ignore[return-value]  # lite=True gives a LiteDatabase


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


def stored_row(path: Path, repo: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The stored (model JSON, facts) of a repository, or None (also when the file cannot be read)."""
    if not path.exists():
        return None
    try:
        db = _open(path, readonly=True)
    except LedgerError as exc:
        log.warning("calibrated models unreadable, using the defaults: %s", exc)
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
