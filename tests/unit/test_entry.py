"""The script's entry (app/entry.py): a bare TUI start is read without click only where the click group would
read it the same way; every other command line is left to the group."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.entry import COMPLETE_VAR, tui_options


@pytest.mark.parametrize(("args", "expected"), [
    ([], {}),
    (["--repo", "missing"], {"repo": "missing"}),
    (["--repo=missing"], {"repo": "missing"}),
    (["--repo=a=b"], {"repo": "a=b"}),  # click splits at the first '=' too
    (["--base", "main", "--repo", "missing"], {"base": "main", "repo": "missing"}),
    (["--range", "a..b", "--merges"], {"commit_range": "a..b", "merges": True}),
    (["--range=a..b", "--first-parent", "--merges"], {"commit_range": "a..b", "first_parent": True, "merges": True}),
])
def test_a_bare_start_is_read_as_the_group_reads_it(args, expected):
    assert tui_options(args, {}) == expected


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--version"], ["list"], ["--repo", "missing", "list"], ["--", "list"], ["--foo"],
    ["--rep", "x"],  # click suggests --repo: its error
    ["--repo"], ["--base"], ["--range"],  # a value missing: click's error
    ["--repo", ""], ["--repo="], ["--base", "-x"], ["--base", "--repo"],  # empty, or a value like an option
    ["--repo", "a", "--repo", "b"], ["--merges", "--merges"],  # repeated
    ["--merges=1"], ["--first-parent="],  # a flag given a value: click's error
    ["-r", "x"], ["missing"],
])
def test_everything_else_is_left_to_the_click_group(args):
    assert tui_options(args, {}) is None


def test_shell_completion_is_left_to_the_click_group():
    assert tui_options([], {COMPLETE_VAR: "bash_source"}) is None
    assert tui_options([], {COMPLETE_VAR: ""}) is None
    assert tui_options([], {"OTHER": "x"}) == {}


def test_a_repo_click_would_refuse_is_left_to_it(tmp_path: Path):
    """click's Path(file_okay=False) refuses a file (and an unreadable directory) with its own error; a missing
    path and a directory it passes on unchanged, as the shortcut does."""
    a_file = tmp_path / "f"
    a_file.write_text("x")
    assert tui_options(["--repo", str(a_file)], {}) is None
    assert tui_options(["--repo", str(tmp_path)], {}) == {"repo": str(tmp_path)}
    assert tui_options(["--repo", str(tmp_path / "missing")], {}) == {"repo": str(tmp_path / "missing")}
    (tmp_path / "link").symlink_to(a_file)
    assert tui_options(["--repo", str(tmp_path / "link")], {}) is None
