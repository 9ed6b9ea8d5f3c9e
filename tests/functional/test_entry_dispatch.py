"""The `review-tui` script's entry (app/entry.py) against the click group it stands in front of: for a bare TUI
start it opens the TUI without click, and for everything else (help, version, commands, bad options, and a bare
start that fails before the screen) the script answers byte for byte what the click group answers: the same
stdout, stderr and exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import CLI
from tests.conftest import ALICE

CLICK_GROUP = [sys.executable, "-P", "-c", "import sys; sys.argv[0] = 'review-tui'; from app.cli import main; main()"]
"""The click group's own entry, as the script ran it before app/entry.py."""


def _cases(repo: Path, tmp_path: Path) -> list[list[str]]:
    a_file = tmp_path / "a-file"
    a_file.write_text("x\n")
    plain = tmp_path / "plain"
    plain.mkdir(exist_ok=True)
    return [
        ["--help"], ["-h"], ["--version"], ["list", "--help"], ["chunks", "--help"], ["nosuch"], ["--foo"],
        ["--rep", str(repo)], ["--repo"], ["--merges=1"], ["--repo", str(a_file)],
        ["--repo", str(repo), "list", "--nope"],
        # a bare start that ends before the screen: what it says is the group's line, through the shortcut
        ["--repo", str(tmp_path / "missing")], ["--repo", str(plain)], ["--repo", str(repo), "--base", "nope"],
        ["--repo", str(repo), "--merges"], ["--repo", str(repo), "--merges", "--first-parent"],
        ["--repo", str(repo), "--range", "nope..feature"], ["--repo=" + str(plain), "--base", "main"],
    ]


def _answer(command: list[str], args: list[str], tmp_path: Path) -> tuple[int, str, str]:
    env = {**os.environ, "REVIEW_TUI_CACHE_DIR": str(tmp_path / "cache"), "REVIEW_TUI_DATA_DIR": str(tmp_path / "data"),
           "REVIEW_TUI_CONFIG_DIR": str(tmp_path / "config"), "COLUMNS": "100"}
    done = subprocess.run([*command, *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                          cwd=tmp_path, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def repo(make_repo) -> Path:
    builder = make_repo("entry")
    builder.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    builder.branch("feature")
    builder.commit("feature", {"a.py": "x = 2\n"}, branch="feature", author=ALICE)
    builder.checkout()
    return builder.path


def test_the_script_answers_what_the_click_group_answers(repo, tmp_path):
    script = Path(sys.executable).with_name("review-tui")
    runners = [CLI] + ([[str(script)]] if script.exists() else [])
    for args in _cases(repo, tmp_path):
        expected = _answer(CLICK_GROUP, args, tmp_path)
        assert expected[0] != 0 or expected[1], args  # each case is answered: help text, or an error
        for runner in runners:
            assert _answer(runner, args, tmp_path) == expected, (runner, args)


def test_the_script_runs_the_entry(tmp_path):
    """The installed script and `python -m app` both start at app/entry.py (a script installed before it
    started at app.cli: reinstall)."""
    script = Path(sys.executable).with_name("review-tui")
    if not script.exists():
        pytest.skip("review-tui is not installed next to this interpreter")
    assert "from app.entry import main" in script.read_text()
    assert "from app.entry import main" in (Path(__file__).parents[2] / "app" / "__main__.py").read_text()
