"""Issue 15, attack 3: whoever can push refs/notes/review-tui must not be able to break `check` or
`sync`: malformed notes trees (a gitlink, a tree where a note belongs, a blob where a fan-out
subtree belongs, a missing object), a huge note, a flood of malformed lines. Each is built with git
itself in a real repository; `check` and `sync` must exit as usual (0/1), within bounds, with a
capped list of one-line warnings naming what was skipped.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from app.core.git.repo import GitRepo
from app.storage import notes
from tests.cli import CLI

NOTES = "refs/notes/review-tui"


def git(cwd: Path, *args: str, stdin: str | bytes | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(["git", *args], cwd=cwd, env=env, input=data, capture_output=True)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode().strip()


def review_tui(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args, "--repo", str(repo)], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def repo(make_repo, samples) -> Path:
    ann = samples.Person("Ann Author", "ann@example.com")
    b = make_repo()
    b.commit("base", {"src/app.py": "def f():\n    return 1\n"}, author=ann)
    b.branch("feature")
    b.commit("feature", {"src/app.py": "def f():\n    return 2\n"}, branch="feature", author=ann)
    b.checkout("main")
    return b.path


def notes_commit(repo: Path, tree_lines: list[str]) -> None:
    """Point refs/notes/review-tui at a commit of the tree made of `git mktree` lines."""
    tree = git(repo, "mktree", "--missing", stdin="".join(line + "\n" for line in tree_lines))
    commit = git(repo, "commit-tree", tree, "-m", "hostile notes")
    git(repo, "update-ref", NOTES, commit)


def blob(repo: Path, data: bytes) -> str:
    return git(repo, "hash-object", "-w", "--stdin", stdin=data)


def assert_clean_exit(done: subprocess.CompletedProcess[str], codes: tuple[int, ...] = (0, 1)) -> None:
    assert done.returncode in codes, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def test_malformed_notes_trees_are_warnings_not_crashes(repo: Path) -> None:
    head = git(repo, "rev-parse", "feature")
    main = git(repo, "rev-parse", "main")
    tree = git(repo, "rev-parse", "main^{tree}")
    good = blob(repo, b"not a record\n")
    missing = "1" * 40
    sub = git(repo, "mktree", stdin=f"100644 blob {good}\t{head[2:]}\n")
    notes_commit(repo, [
        f"160000 commit {main}\t{head}",              # a gitlink where a note belongs
        f"040000 tree {tree}\t{main}",                # a tree where a note belongs
        f"100644 blob {good}\t{head[:2]}",            # a blob where a fan-out subtree belongs
        f"100644 blob {missing}\t{'a' * 40}",        # a note whose object is missing
        f"040000 tree {'2' * 40}\t{'bc'}",            # a fan-out subtree that is missing
        f"040000 tree {sub}\t{head[:2]}x",            # not hex: not ours, ignored
    ])
    read = notes.read_notes(GitRepo(repo), "key")
    text = "\n".join(read.problems)
    for expected in ("gitlink", "a tree where a note belongs", "a blob where a fan-out", "is missing",
                     "missing or unreadable subtree"):
        assert expected in text
    for args in (("check", "feature", "--notes-only"), ("check", "feature"), ("sync",)):
        done = review_tui(repo, *args)
        assert_clean_exit(done)
        assert "gitlink" in done.stderr, args


def test_a_huge_note_is_not_read_and_a_flood_of_bad_lines_gives_capped_warnings(repo: Path) -> None:
    head = git(repo, "rev-parse", "feature")
    main = git(repo, "rev-parse", "main")
    huge = blob(repo, b"review-tui/1 decision x\n" * ((notes.MAX_NOTE_BYTES // 24) + 10))
    flood = blob(repo, b"".join(b"review-tui/1 decision bad%d\n" % n for n in range(50_000)))
    notes_commit(repo, [f"100644 blob {huge}\t{head}", f"100644 blob {flood}\t{main}"])
    done = review_tui(repo, "check", "feature", "--notes-only")
    assert_clean_exit(done)
    warnings = [line for line in done.stderr.splitlines() if line.startswith("review-tui: warning:")]
    assert any("larger than" in w and "not read" in w for w in warnings)
    assert len(warnings) <= notes.MAX_WARNINGS + 1
    assert any("more problem(s)" in w for w in warnings)
    sync = review_tui(repo, "sync")
    assert_clean_exit(sync, (0,))
    # the note that could not be read was not replaced by sync's export
    assert git(repo, "cat-file", "-s", f"{NOTES}:{head}") == str(
        len(b"review-tui/1 decision x\n") * ((notes.MAX_NOTE_BYTES // 24) + 10))


def test_a_record_count_past_the_cap_stops_reading(repo: Path) -> None:
    line = "review-tui/1 decision 2026-01-01T00:00:00.000000Z r{n} a%40x.example approve - change=feature"
    text = "\n".join(line.format(n=n) for n in range(200))
    parsed = notes.parse_note("0" * 40, text, "key", max_records=50)
    assert len(parsed.decisions) == 50
    assert any("more than 50 records" in p for p in parsed.problems)


def test_a_long_lived_reader_scans_for_moved_notes_refs_at_most_every_few_seconds(repo: Path, monkeypatch) -> None:
    """The TUI asked for every change's status, and each ask scanned every ref name for notes refs: with 3,000
    branches the queue froze for half a minute. A moved notes ref is still seen a few seconds later."""
    from app.storage import records

    scans = []
    real = notes.notes_refs
    monkeypatch.setattr(notes, "notes_refs", lambda r: scans.append(1) or real(r))
    clock = [1000.0]
    monkeypatch.setattr(records.time, "monotonic", lambda: clock[0])
    reader = records.ReviewRecords(GitRepo(repo), "key", None)
    first = reader.parsed_notes()
    for _ in range(100):
        assert reader.parsed_notes() is first
    assert len(scans) == 1
    git(repo, "notes", "--ref", "review-tui", "add", "-m", "review-tui/1 x", "HEAD")  # another reviewer's sync
    clock[0] += records.NOTES_RECHECK_SECONDS
    assert reader.parsed_notes() is not first and len(scans) == 2
