"""A repository's own `app.py` or `app/` never runs when review-tui is started inside it (issue 15).

``python -m app`` puts the current directory first on ``sys.path``: started in a checkout that holds
an ``app.py`` (or an ``app`` package), Python would run the repository's file instead of review-tui.
The tests start the CLI through tests/cli.py (``python -P -m app``) and users run the ``review-tui``
console script, whose ``sys.path`` starts at its own folder; both are checked here from inside a
repository whose ``app.py`` and ``app/__main__.py`` would leave a marker file if they ever ran.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import CLI
from tests.conftest import ALICE

TESTS = Path(__file__).resolve().parent.parent


def _trap(marker: Path) -> str:
    return f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\nraise SystemExit(99)\n"


@pytest.fixture
def trapped_repo(make_repo, tmp_path) -> tuple[Path, Path]:
    marker = tmp_path / "repository-code-ran"
    builder = make_repo("trapped")
    builder.commit("init", {"README.md": "hello\n"}, author=ALICE)
    builder.branch("feature")
    # multiprocessing.py: what the worker pool's forkserver imports first, in the repository as its cwd;
    # measuring big.py's 300 KB takes the worker pool (PARALLEL_MIN_BYTES), whose forkserver then
    # imports review-tui's `app` package.
    big = "".join(f"def f{i}(x):\n    if x > {i}:\n        return x\n    return {i}\n\n" for i in range(5_000))
    builder.commit("Add an app", {"app.py": _trap(marker), "app/__init__.py": _trap(marker),
                                  "app/__main__.py": _trap(marker), "app/cli.py": _trap(marker),
                                  "multiprocessing.py": _trap(marker), "big.py": big},
                   branch="feature", author=ALICE)
    builder.checkout("feature")
    assert (builder.path / "app.py").exists()
    return builder.path, marker


def _env(tmp_path: Path) -> dict[str, str]:
    # A user's environment: without the PYTHONSAFEPATH that this test process's own worker pools set.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    return {**env, "REVIEW_TUI_DATA_DIR": str(tmp_path / "data"),
            "REVIEW_TUI_CACHE_DIR": str(tmp_path / "cache"), "REVIEW_TUI_CONFIG_DIR": str(tmp_path / "config")}


def test_plain_python_m_app_would_run_the_repositorys_file(trapped_repo, tmp_path) -> None:
    """The hazard is real (so the tests below can fail): without -P the repository's app runs."""
    repo, marker = trapped_repo
    done = subprocess.run([sys.executable, "-m", "app", "--help"], cwd=repo, capture_output=True, text=True,
                          env=_env(tmp_path), timeout=60)
    assert done.returncode == 99 and marker.exists()


def test_the_test_cli_runs_review_tui_inside_a_repository_with_its_own_app(trapped_repo, tmp_path) -> None:
    repo, marker = trapped_repo
    done = subprocess.run([*CLI, "list", "--json"], cwd=repo, capture_output=True, text=True,
                          env=_env(tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    assert [row["id"] for row in json.loads(done.stdout)] == ["feature"]
    assert not marker.exists()


def test_the_console_script_runs_review_tui_inside_a_repository_with_its_own_app(trapped_repo, tmp_path) -> None:
    script = Path(sys.executable).with_name("review-tui")
    if not script.exists():
        pytest.skip("review-tui is not installed next to this interpreter")
    repo, marker = trapped_repo
    done = subprocess.run([str(script), "list", "--json"], cwd=repo, capture_output=True, text=True,
                          env=_env(tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def test_every_test_starts_the_cli_through_tests_cli() -> None:
    """A new test that writes `python -m app` by hand would bring the hazard back."""
    by_hand = re.compile(r"""(?<!"-P", )["']-m["'],\s*["']app["']""")
    offenders = [str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py")
                 if path.name != "cli.py" and path != Path(__file__).resolve()
                 and by_hand.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_helper_interpreters_keep_the_cwd_off_sys_path_and_the_users_editor_does_not_inherit_that(
        trapped_repo, monkeypatch) -> None:
    """In the trapped repository as the cwd: the forkserver the pool starts imports nothing from it,
    while the environment given to the user's editor is the user's own."""
    from app.core import workers

    repo, marker = trapped_repo
    monkeypatch.chdir(repo)
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    monkeypatch.setattr(workers, "_USER_SAFE_PATH", None)
    pool = workers.new_pool(1)
    assert pool is not None
    try:
        assert pool.submit(sum, [1, 2]).result(timeout=60) == 3
    finally:
        pool.shutdown()
    assert not marker.exists()
    assert "PYTHONSAFEPATH" not in workers.user_environment()
