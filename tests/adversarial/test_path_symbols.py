"""File names with control characters are shown as they are, with visible symbols: a newline as ␤,
a tab as ␉, an escape as ␛, wherever a path is shown (`chunks`, `explain`, the chunk screen's header).
A newline shown as a space would name another file (`new\\nline.py` read as `new line.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Static

from app.cli import cli
from tests.functional.test_app import build_app, settle
from tests.functional.test_change_screen import open_change, rendered
from tests.functional.test_submodules import git

from .hostile import forbidden_chars

NEWLINE_NAME = "pkg/new\nline.py"
ODD_NAME = "pkg/tab\there\x1b[31m.py"
SHOWN = {"feature/newline": "pkg/new␤line.py", "feature/odd": "pkg/tab␉here␛[31m.py"}


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    """feature/newline adds `pkg/new<LF>line.py`; feature/odd adds `pkg/tab<TAB>here<ESC>[31m.py`."""
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "pkg" / "base.py").write_text("x = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    for branch, name in (("feature/newline", NEWLINE_NAME), ("feature/odd", ODD_NAME)):
        git(repo, "checkout", "-q", "-b", branch, "main")
        (repo / name).write_text("def f(x):\n    return x\n")
        git(repo, "add", "--", name)
        git(repo, "commit", "-qm", branch)
    git(repo, "checkout", "-q", "main")
    return repo


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_shown(output: str, shown: str) -> None:
    assert shown in output, output
    assert not forbidden_chars(output), forbidden_chars(output)
    assert "\t" not in output and "new line.py" not in output and "new\nline.py" not in output, output


@pytest.mark.parametrize("branch", sorted(SHOWN))
def test_chunks_and_explain_show_control_characters_in_file_names_as_symbols(odd_names: Path, branch: str) -> None:
    shown = SHOWN[branch]
    chunks = run("chunks", "--repo", str(odd_names), branch)
    assert_shown(chunks, shown)
    assert f"1   {shown}: f " in chunks and f"{shown}:1-2" in chunks  # the chunk's title and where its lines are
    explained = run("explain", "--repo", str(odd_names), branch)
    assert_shown(explained, shown)
    assert f"{shown} matches no tier rule" in explained


@pytest.mark.parametrize("branch", sorted(SHOWN))
async def test_the_chunk_header_shows_control_characters_in_file_names_as_symbols(odd_names: Path,
                                                                                 branch: str) -> None:
    shown = SHOWN[branch]
    app = build_app(odd_names)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_change(pilot, branch)
        await pilot.press("enter")
        await settle(pilot)
        title = rendered(app.screen.query_one("#chunk-title", Static))
        where = rendered(app.screen.query_one("#chunk-where", Static))
        assert title.strip() == f"{shown}: f"
        assert where.strip() == f"{shown}:1-2"
        (header,) = [row.text for row in app.screen.diff_view.lines if row.kind == "file"]
        assert header == f"{shown}  (added, +2 −0)"
        assert_shown(title + where + header, shown)
