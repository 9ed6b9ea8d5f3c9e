"""A long analysis keeps what it finished as it goes (QA54 F4: a cold `list` of cline's 1,296 branches stored nothing
for 40 minutes, Ctrl-C lost it all, and a TUI opened meanwhile on the same cache started from zero), and its
progress counts move in every step (QA54 F1: "analysing 10/1,296: reading ..." printed 15 times over).

Real repositories (the sample RepoBuilder), a real SQLite cache, a second connection to it as another process
would open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import app.analysis.analyzer as analyzer_module
from app.analysis.analyzer import Analyzer
from app.analysis.report import ChangeReport
from app.storage.cache import AnalysisCache
from tests.conftest import ALICE, BOB

BRANCHES = 8


def _module(name: str, version: int) -> str:
    return "".join(f"def {name}_{i}(x):\n    if x > {i + version}:\n        return x - {version}\n"
                   f"    for y in range(x):\n        if y % 3:\n            x += y\n    return x\n\n\n"
                   for i in range(4))


@pytest.fixture
def branches_repo(make_repo) -> Path:
    builder = make_repo()
    builder.commit("init", {f"pkg/mod_{n}.py": _module(f"f{n}", 1) for n in range(BRANCHES)}, author=ALICE)
    for n in range(BRANCHES):
        builder.branch(f"topic-{n}")
        builder.commit(f"rework module {n}", {f"pkg/mod_{n}.py": _module(f"g{n}", n + 2)}, branch=f"topic-{n}",
                       author=BOB)
    return builder.path


class _Interrupted(Exception):
    pass


def _stored(path: Path) -> dict[str, float]:
    """The reports another process finds in the cache now: key -> when it was written."""
    other = AnalysisCache.open(path)
    try:
        rows = other._db.execute("SELECT key, stored_at FROM entries WHERE kind = 'report'").fetchall()
    finally:
        other.close()
    return dict(rows)


def _outcome(reports: list[ChangeReport]) -> list[tuple[object, ...]]:
    return [(r.id, r.figures, r.assessment.to_json() if r.assessment else None, r.error, r.complete)
            for r in reports]


def test_an_interrupted_analysis_keeps_what_it_finished_and_a_rerun_reuses_it(branches_repo, tmp_path,
                                                                              monkeypatch) -> None:
    monkeypatch.setattr(analyzer_module, "STORE_EVERY", 2)  # batches of two: a queue of 8 changes stores 4 times
    path = tmp_path / "interrupted" / "analysis.db"
    cache = AnalysisCache.open(path)
    seen_by_another: list[int] = []
    completed: list[str] = []

    def arrived(report: ChangeReport) -> None:
        if not (report.complete and report.assessment is not None):
            return  # a size or a pending score
        if len(completed) == 5:
            raise _Interrupted  # as Ctrl-C or a kill would, in the middle of the pass
        completed.append(report.id)
        seen_by_another.append(len(_stored(path)))

    with pytest.raises(_Interrupted):
        Analyzer(branches_repo, cache=cache).analyze_all(on_report=arrived)
    cache.close()
    # while it ran, another process on the cache saw the finished reports a batch at a time, not none till the end
    assert seen_by_another[-1] >= 4, seen_by_another
    kept = _stored(path)
    assert len(kept) == len(completed) == 5  # all it finished: the last batch was written as it was interrupted

    # A new run (a `list`) reuses them, the same cache entries untouched, and measures only the other three
    cache = AnalysisCache.open(path)
    again = Analyzer(branches_repo, cache=cache).analyze_all()
    cache.close()
    after = _stored(path)
    assert {key: after[key] for key in kept} == kept  # not measured nor written again
    assert len(after) == BRANCHES

    # and says what an uninterrupted run says
    fresh = AnalysisCache.open(tmp_path / "whole" / "analysis.db")
    whole = Analyzer(branches_repo, cache=fresh).analyze_all()
    fresh.close()
    assert len(whole) == BRANCHES
    assert _outcome(again) == _outcome(whole)


def test_a_list_stores_its_reports_in_batches_as_it_completes_them(branches_repo, tmp_path, monkeypatch) -> None:
    """`list` (no rows shown) completes every change in the last step: a second process reads the first batches
    while the pass is still completing the others."""
    monkeypatch.setattr(analyzer_module, "STORE_EVERY", 3)
    path = tmp_path / "analysis.db"
    cache = AnalysisCache.open(path)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int, label: str) -> None:
        if label.startswith("completing "):
            seen.append((done - total * 2 // 3, len(_stored(path))))

    reports = Analyzer(branches_repo, cache=cache).analyze_all(progress=progress)
    cache.close()
    assert len(reports) == BRANCHES and len(_stored(path)) == BRANCHES
    assert len(seen) == BRANCHES and max(stored for _, stored in seen) >= 6, seen
    assert [stored for _, stored in seen] == [3 * (completed // 3) for completed, _ in seen], seen


def test_each_step_of_the_progress_counts_its_own_changes(branches_repo, tmp_path) -> None:
    """Reading the diffs counted nothing: the count stood still while branch after branch was read."""
    said: list[tuple[int, int, str]] = []
    cache = AnalysisCache.open(tmp_path / "analysis.db")
    Analyzer(branches_repo, cache=cache).analyze_all(progress=lambda done, total, label: said.append(
        (done, total, label)))
    cache.close()
    total = said[0][1]
    assert {t for _, t, _ in said} == {total} and total == 3 * BRANCHES
    reading = [done for done, _, label in said if label.startswith("reading topic")]
    scoring = [done for done, _, label in said if label.startswith("scoring topic")]
    completing = [done for done, _, label in said if label.startswith("completing topic")]
    assert reading == list(range(BRANCHES))  # 0 read, reading the first; 1 read, reading the second ...
    assert scoring == [BRANCHES + n for n in range(BRANCHES)]
    assert completing == [2 * BRANCHES + n for n in range(len(completing))]
    assert [done for done, _, _ in said] == sorted(done for done, _, _ in said)  # never back
    assert said[-1] == (total, total, "")


def test_lists_progress_names_the_step_and_counts_its_changes() -> None:
    import app.commands.list as list_module

    lines: list[str] = []
    report = list_module._stderr_progress(lines.append)
    for done, label in [(0, "reading origin/a"), (4, "reading origin/e"), (1_296 + 10, "scoring origin/b"),
                        (2 * 1_296, "reading the history of the touched files"),
                        (2 * 1_296 + 3, "completing origin/c"), (3 * 1_296, "")]:
        report(done, 3 * 1_296, label)
    assert lines == ["reading 0/1,296: origin/a", "reading 4/1,296: origin/e", "scoring 10/1,296: origin/b",
                     "completing 0/1,296: reading the history of the touched files",
                     "completing 3/1,296: origin/c", ""]


def _entries(path: Path, kind: str) -> dict[str, float]:
    other = AnalysisCache.open(path)
    try:
        rows = other._db.execute("SELECT key, stored_at FROM entries WHERE kind = ?", (kind,)).fetchall()
    finally:
        other.close()
    return dict(rows)


def _measuring() -> bool:
    import threading

    return any(thread.name == "review-tui-complexity" for thread in threading.enumerate())


def test_a_list_stopped_while_scoring_keeps_what_the_workers_measured(branches_repo, tmp_path) -> None:
    """`list` completes its changes only once every blob is measured: one stopped while it scored (Ctrl-C, kill)
    kept none of the complexity its workers had measured meanwhile, and a rerun measured it all again."""
    import time

    path = tmp_path / "interrupted" / "analysis.db"
    cache = AnalysisCache.open(path)
    scored: list[str] = []

    def progress(done: int, total: int, label: str) -> None:
        if not label.startswith("scoring "):
            return
        scored.append(label)
        if len(scored) == BRANCHES // 2:  # halfway through scoring, once the workers have measured every blob
            deadline = time.monotonic() + 120
            while _measuring() and time.monotonic() < deadline:
                time.sleep(0.05)
            raise _Interrupted  # as Ctrl-C or a kill would

    with pytest.raises(_Interrupted):
        Analyzer(branches_repo, cache=cache).analyze_all(progress=progress)
    cache.close()
    assert _stored(path) == {}  # no change was completed: scoring stores no report
    kept = _entries(path, "metrics")
    assert len(kept) == 2 * BRANCHES  # each branch's two versions of its module (the base's is shared by none)

    # the rerun measures nothing again: the figures stored are the ones it reads, untouched
    cache = AnalysisCache.open(path)
    again = Analyzer(branches_repo, cache=cache).analyze_all()
    cache.close()
    assert _entries(path, "metrics") == kept
    fresh = AnalysisCache.open(tmp_path / "whole" / "analysis.db")
    whole = Analyzer(branches_repo, cache=fresh).analyze_all()
    fresh.close()
    assert _outcome(again) == _outcome(whole)
    assert _entries(tmp_path / "whole" / "analysis.db", "metrics").keys() == kept.keys()


def _rewrites_repo(make_repo) -> Path:
    """Three branches rewriting 10 modules of 300 functions each: seconds of measuring on two cores."""
    builder = make_repo()

    def module(name: str, version: int) -> str:
        return "".join(f"def {name}_{i}(x):\n    if x > {i}:\n        return x - {version}\n"
                       f"    for y in range(x):\n        if y % 3:\n            x += y\n    return x\n\n\n"
                       for i in range(300))

    builder.commit("init", {f"pkg/mod_{n}.py": module(f"f{n}", 1) for n in range(30)}, author=ALICE)
    for branch in range(3):
        builder.branch(f"rewrite-{branch}")
        builder.commit("rewrite", {f"pkg/mod_{n}.py": module(f"g{n}", 2)
                                   for n in range(10 * branch, 10 * branch + 10)},
                       branch=f"rewrite-{branch}", author=BOB)
    return builder.path


def _list_json(repo: Path, env: dict[str, str]) -> str:
    import subprocess

    from tests.cli import CLI

    done = subprocess.run([*CLI, "list", "--json", "--no-progress", "--repo", str(repo)], capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(done.stdout)
    for row in rows:
        row.pop("age_seconds", None)  # the only figure that moves with the clock
    return json.dumps(rows, sort_keys=True)


def test_a_list_killed_while_its_workers_measure_keeps_their_figures_and_the_rerun_says_the_same(
        make_repo, tmp_path) -> None:
    """A real `list`, killed (SIGTERM, as `kill PID`) while it waits for the complexity of changes it has scored,
    before it completed any: the figures measured before the signal are stored, the rerun measures only the
    others, and prints what an uninterrupted run prints, byte for byte."""
    import os
    import pty
    import re
    import signal
    import subprocess
    import time

    from tests.cli import CLI

    repo = _rewrites_repo(make_repo)
    env = {**os.environ, "REVIEW_TUI_CACHE_DIR": str(tmp_path / "cache"), "REVIEW_TUI_DATA_DIR": str(tmp_path / "d"),
           "REVIEW_TUI_CONFIG_DIR": str(tmp_path / "c")}
    # stderr on a terminal: every progress step is said (to a file, one line in 10 s)
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*CLI, "list", "--json", "--progress", "--repo", str(repo)], stdout=subprocess.DEVNULL,
                            stderr=follower, env=env, start_new_session=True)
    os.close(follower)
    said, measured = b"", None
    deadline = time.monotonic() + 300
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                said += os.read(leader, 4096)
            except OSError:
                break
            counts = re.findall(rb"measuring complexity: (\d+)/(\d+) files", said)
            if counts and 0 < int(counts[-1][0]) < int(counts[-1][1]):
                measured = int(counts[-1][0])
                os.kill(proc.pid, signal.SIGTERM)
                break
        assert proc.wait(timeout=120) in (128 + signal.SIGTERM, -signal.SIGTERM)
    finally:
        os.close(leader)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert measured is not None, said[-2000:]
    assert b"completing 1/" not in said  # stopped before any change was completed
    path = tmp_path / "cache" / "analysis.db"
    assert _stored(path) == {}
    kept = _entries(path, "metrics")
    assert len(kept) >= measured > 0  # what the workers had measured when the signal came (old code: none)

    rerun = _list_json(repo, env)
    after = _entries(path, "metrics")
    assert {key: after[key] for key in kept} == kept  # read, not measured again
    assert len(after) - len(kept) < len(after)  # the rerun measured only what the killed run had not
    whole_env = {**env, "REVIEW_TUI_CACHE_DIR": str(tmp_path / "whole")}
    assert rerun == _list_json(repo, whole_env)
    assert _entries(tmp_path / "whole" / "analysis.db", "metrics").keys() == after.keys()
