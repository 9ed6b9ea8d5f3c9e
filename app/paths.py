"""Every file location review-tui uses: config, data (ledger, cache), bundled resources.

Environment overrides keep tests and CI hermetic:
REVIEW_TUI_DATA_DIR, REVIEW_TUI_CONFIG_DIR, REVIEW_TUI_CACHE_DIR.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "review-tui"
REPO_CONFIG_NAME = ".review-tui.toml"


def data_dir() -> Path:
    """Where the review ledger and built demo repos live."""
    env = os.environ.get("REVIEW_TUI_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Where the user config (config.toml) and user themes live."""
    env = os.environ.get("REVIEW_TUI_CONFIG_DIR")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Where the analysis cache lives (safe to delete at any time)."""
    env = os.environ.get("REVIEW_TUI_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def ledger_path() -> Path:
    """The SQLite review ledger: sessions, active time, decisions, comments."""
    return data_dir() / "ledger.db"


def analysis_cache_path() -> Path:
    """The SQLite analysis cache keyed by commit and blob ids."""
    return cache_dir() / "analysis.db"


def models_path() -> Path:
    """The SQLite file of likelihood models calibrated on each repository's own history (`calibrate`)."""
    return data_dir() / "models.db"


def user_config_path() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def demo_dir() -> Path:
    return data_dir() / "demo"


def resource_dir(name: str) -> Path:
    """A bundled resource folder (themes, sample_repos).

    In a wheel they are force-included under app/_data/; in a source checkout or an
    editable install they sit at the top of the repository.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / name
    if packaged.is_dir():
        return packaged
    return here.parent / name
