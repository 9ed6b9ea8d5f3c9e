"""Saving a setting rewrites config.toml through tomlkit, which knows which table a key is in: the
theme chosen in the TUI lands in the top-level `theme`, never in `[keys] theme` (issue 11's bug: the
old line splicer overwrote that key binding and lost the theme), and the user's comments, order and
other settings stay as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.config import load_user_config, save_user_setting
from app.paths import user_config_path
from tests.functional.test_app import build_app, settle

KEYS_THEME = ('# my settings\nidle_seconds = 90  # long reads\n\n'
              '[keys]\ntheme = "ctrl+y"  # the theme picker\nsort = "o"\n')


def test_a_theme_binding_in_keys_is_not_the_theme(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(KEYS_THEME)
    save_user_setting("theme", "review-light", path)
    config = load_user_config(path)
    assert config.theme == "review-light"
    assert config.keys == {"theme": "ctrl+y", "sort": "o"}
    text = path.read_text()
    assert "# my settings" in text and "idle_seconds = 90  # long reads" in text
    assert 'theme = "ctrl+y"  # the theme picker' in text
    assert text.index('theme = "review-light"') < text.index("[keys]")  # top level, before any table


def test_saving_again_replaces_the_value_in_place(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "review-dark"  # mine\nidle_seconds = 30\n\n[keys]\ntheme = "ctrl+y"\n')
    save_user_setting("theme", "review-colorblind", path)
    save_user_setting("theme", "review-high-contrast", path)
    assert path.read_text() == ('theme = "review-high-contrast"  # mine\nidle_seconds = 30\n\n'
                                '[keys]\ntheme = "ctrl+y"\n')


def test_a_missing_file_and_its_folder_are_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_user_setting("theme", "review-light", path)
    assert load_user_config(path).theme == "review-light"


def test_tomlkit_is_imported_only_when_writing() -> None:
    code = ("import sys\nfrom app.config import load_user_config\nfrom app.cli import cli\n"
            "print('tomlkit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


async def test_switching_theme_in_the_tui_keeps_a_keys_theme_binding(payments_repo, warm_cache) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(KEYS_THEME)
    app = build_app(payments_repo, cache=warm_cache, user_config=load_user_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "review-light"
        await settle(pilot)
    config = load_user_config()
    assert config.theme == "review-light"
    assert config.keys["theme"] == "ctrl+y"
