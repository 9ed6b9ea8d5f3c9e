"""Issue 15, item 7: damaged inputs give one clear line and a non-zero exit, never exit 70.

- a ledger with one garbage page: `stats` (every format) exits 0 or 2 with one line, for every page;
- `demo --dest` on a path that cannot be a folder: one line naming it, exit 2;
- a damaged commit object between base and branch: "the repository's objects are damaged", not
  "no common history".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.paths import ledger_path
from app.storage.ledger import Ledger, NewDecision
from tests.cli import CLI


def review_tui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "REVIEW_TUI_NO_CACHE": "1"})


def one_clear_line(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode in (0, 2), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    if done.returncode:
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("review-tui: error: "), lines


def test_a_garbage_page_anywhere_in_the_ledger_is_one_line(tmp_path: Path) -> None:
    path = ledger_path()
    with Ledger.open(path) as ledger:
        session = ledger.start_session("a@example.com", "repo")
        for n in range(60):
            ledger.record_decision(NewDecision(session_id=session, reviewer="a@example.com", repo="repo", change_id="c",
                                   head="a" * 40, chunk_hash=f"k{n}", decision="approve", floor_seconds=1.0,
                                   note="x" * 300))
    pristine = tmp_path / "pristine.db"
    shutil.copy(path, pristine)
    data, page = pristine.read_bytes(), 4096
    assert len(data) // page > 10
    failed = 0
    for number in range(1, len(data) // page):
        damaged = bytearray(data)
        damaged[number * page:(number + 1) * page] = b"\xde\xad\xbe\xef" * (page // 4)
        path.write_bytes(bytes(damaged))
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        done = review_tui("stats", "--all", "--json" if number % 2 else "--csv")
        one_clear_line(done)
        failed += bool(done.returncode)
    assert failed  # some pages matter: the test did hit the damage


def test_demo_on_a_path_that_cannot_be_a_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    done = review_tui("demo", "--no-tui", "--dest", str(blocker / "sub"))
    assert done.returncode == 2
    one_clear_line(done)
    assert str(blocker / "sub") in done.stderr


def test_demo_never_replaces_a_folder_it_did_not_build(tmp_path: Path) -> None:
    """`demo --dest DIR` replaced a user's own DIR/go-ledger repository (and its uncommitted files) with
    the sample, exit 0. It now refuses, builds nothing, and rebuilds only its own samples."""
    mine = tmp_path / "go-ledger"
    mine.mkdir()
    (mine / "notes.txt").write_text("uncommitted notes")
    for extra in ([], ["--force"]):
        done = review_tui("demo", "--no-tui", "--dest", str(tmp_path), *extra)
        assert done.returncode == 2
        one_clear_line(done)
        assert f"{mine} exists and is not a review-tui sample repository" in done.stderr
        assert (mine / "notes.txt").read_text() == "uncommitted notes"
        assert not (tmp_path / "payments-service").exists()  # nothing half done
    (mine / "notes.txt").unlink()
    mine.rmdir()
    (tmp_path / "go-ledger").mkdir()  # an empty folder holds nothing to lose
    assert review_tui("demo", "--no-tui", "--dest", str(tmp_path)).returncode == 0
    again = review_tui("demo", "--no-tui", "--dest", str(tmp_path), "--force")  # its own samples: rebuilt
    assert again.returncode == 0, again.stderr


def test_a_damaged_commit_is_not_reported_as_no_common_history(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    env = {**os.environ, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "A",
           "GIT_COMMITTER_EMAIL": "a@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                              text=True).stdout.strip()

    repo.mkdir()
    git("init", "-q", "-b", "main")
    for n in range(3):
        (repo / f"f{n}.txt").write_text(f"{n}\n")
        git("add", "-A")
        git("commit", "-qm", f"c{n}")
    git("checkout", "-qb", "feature", "HEAD~1")
    (repo / "f0.txt").write_text("changed\n")
    git("commit", "-qam", "feature")
    git("checkout", "-q", "main")
    damaged = git("rev-parse", "HEAD~1")
    loose = repo / ".git" / "objects" / damaged[:2] / damaged[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"garbage")
    done = review_tui("check", "feature", "--repo", str(repo))
    one_clear_line(done)
    assert done.returncode == 2 and "damaged or missing" in done.stderr
    assert "no common history" not in done.stderr


def test_an_empty_repository_on_main_says_it_has_no_commits(tmp_path: Path) -> None:
    """libgit2 calls a repository empty only when HEAD is the unborn `master`: `git init -b main` read as a
    repository with no base branch, and the error sent the user to --base (which cannot help)."""
    repo = tmp_path / "empty"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    for args in (["list"], ["list", "--base", "main"], ["explain", "x"], ["check", "x"]):
        done = review_tui(*args, "--repo", str(repo))
        assert done.returncode == 2
        one_clear_line(done)
        assert "the repository has no commits yet" in done.stderr, (args, done.stderr)


def test_an_output_that_cannot_be_written_is_one_line_not_an_internal_error(tmp_path: Path) -> None:
    """`> /dev/full`: `--help` printed a traceback, every command "internal error: OSError", exit 70."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    for args in (["--help"], ["list", "--repo", str(tmp_path)], ["demo", "--no-tui", "--dest", str(tmp_path / "s")]):
        with open("/dev/full", "w") as full:
            done = subprocess.run([*CLI, *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
                                  env={**os.environ, "REVIEW_TUI_NO_CACHE": "1"})
        assert done.returncode in (1, 2), (args, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
