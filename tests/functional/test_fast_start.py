"""The TUI's fast start (issue 18): on the default base the queue paints before pygit2 and the analysis
are imported, the CLI having judged the repository by the filesystem alone; what only the analyzer can
refuse ends the app after its first paint, as one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pygit2
import pytest

from app.analysis.spec import AnalyzerSpec
from app.commands.common import tui_target
from app.core.git.locate import plain_repository
from app.errors import ConfigError
from tests.cli import CLI
from tests.conftest import ALICE

# The CLI's own start (the script's app.entry main: tui_target, run_tui) as at a terminal, the screen run
# headless in 80x24.
RUN_CLI = """
import sys
from app.tui import app as tui_app
run = tui_app.ReviewApp.run
tui_app.ReviewApp.run = lambda self, **kw: run(self, headless=True, size=(80, 24))
from app.commands import common
common.at_a_terminal = lambda: True  # as in a terminal, where a person sees the screen
{setup}
from app.entry import main
sys.argv = ["review-tui", *sys.argv[1:]]
main()
"""

# What the queue's first paint had imported, and what the queue showed once analysed.
FIRST_PAINT = """
import sys
from app.tui import app as tui_app
from app.tui.screens.queue import QueueScreen

seen = {}
first = QueueScreen._first_paint_done

def painted(self):
    if "at_paint" not in seen:
        seen["at_paint"] = sorted(m for m in ("pygit2", "app.analysis.analyzer", "app.core.git.repo",
                                              "app.tui.review_session", "sqlite_utils", "app.core.git.models",
                                              "app.core.risk.score") if m in sys.modules)
        seen["title_at_paint"] = str(self.query_one("#queue-title").render())
    first(self)
    self.set_interval(0.02, lambda: done(self))

def done(self):
    if self.finished_at and not self.analysing and not self._rebuild_pending:
        seen["rows"] = sorted(row.id for row in self.rows)
        seen["title"] = str(self.query_one("#queue-title").render())
        self.app.exit()

QueueScreen._first_paint_done = painted
"""


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "REVIEW_TUI_CACHE_DIR": str(tmp_path / "cache"),
            "REVIEW_TUI_DATA_DIR": str(tmp_path / "data"), "REVIEW_TUI_CONFIG_DIR": str(tmp_path / "config"),
            "TEXTUAL_ANIMATIONS": "none"}


def _run(tmp_path: Path, args: list[str], setup: str = "", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text('reviewer_email = "alice@example.com"\n')
    return subprocess.run([sys.executable, "-c", RUN_CLI.replace("{setup}", setup), *args], capture_output=True,
                          text=True, env=_env(tmp_path), timeout=timeout)


def _two_branches(make_repo, config: str | None = None):
    builder = make_repo("fast")
    files = {"a.py": "x = 1\n", **({".review-tui.toml": config} if config is not None else {})}
    builder.commit("init", files, author=ALICE)
    builder.branch("feature")
    builder.commit("feature", {"a.py": "x = 2\n"}, branch="feature", author=ALICE)
    builder.checkout()
    return builder


def test_the_queue_paints_before_pygit2_and_the_analysis_are_imported(make_repo, tmp_path):
    """The first paint (the queue's frame: its title, the progress line, the footer) comes before pygit2,
    the analysis and a new ledger's schema are imported (a quarter of the first paint on ansible), and before
    the git models and the risk score the rows' cells need (8 ms); the queue then fills in as before, with the
    base and the reviewer in the title."""
    builder = _two_branches(make_repo)
    proc = _run(tmp_path, ["--repo", str(builder.path)],
                setup=FIRST_PAINT + "\nimport atexit, json\natexit.register(lambda: print(json.dumps(seen)))\n")
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["at_paint"] == []
    assert seen["title_at_paint"].startswith("review-tui  fast")
    assert seen["rows"] == ["feature"]
    assert "against main" in seen["title"] and "reviewing as alice@example.com" in seen["title"]
    # a first run's new ledger (its schema: sqlite_utils, 60 ms) is created after the paint, and used
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "ledger.db") as db:
        assert db.execute("SELECT change_id FROM changes_seen").fetchall() == [("feature",)]
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (1,)


def test_a_broken_queue_table_found_after_the_first_paint_ends_the_app_with_one_line(make_repo, tmp_path):
    """The filesystem cannot read the base's `.review-tui.toml`: its broken [queue] table is found once
    the screen has painted. The app ends, and the CLI says what `list` says, as one line, exit 2."""
    builder = _two_branches(make_repo, config='[queue]\ninclude = "feature/*"\n')
    assert isinstance(tui_target(str(builder.path), None), AnalyzerSpec)  # the fast start: no check before the screen
    listed = _run(tmp_path, ["list", "--repo", str(builder.path)])
    assert listed.returncode == 2 and "queue.include" in listed.stderr
    proc = _run(tmp_path, ["--repo", str(builder.path)])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == listed.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr


def test_outside_a_terminal_everything_is_checked_before_the_screen(make_repo, tmp_path):
    """Piped (a script, CI), the screen's output would come before the line: the broken [queue] table is refused
    before the screen, the one line alone on stderr."""
    builder = _two_branches(make_repo, config='[queue]\ninclude = "feature/*"\n')
    with pytest.raises(ConfigError, match=r"queue\.include"):
        tui_target(str(builder.path), None, fast=False)
    proc = subprocess.run([*CLI, "--repo", str(builder.path)], capture_output=True, text=True, env=_env(tmp_path),
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("review-tui: error:") and "queue.include" in line


@pytest.mark.parametrize("args", [["--base", "main"], ["--range", "main..feature"]])
def test_a_base_or_range_given_is_checked_before_the_screen(make_repo, tmp_path, args):
    builder = _two_branches(make_repo)
    target = tui_target(str(builder.path), "main" if args[0] == "--base" else None,
                        **({"commit_range": args[1]} if args[0] == "--range" else {}))
    assert not isinstance(target, AnalyzerSpec)
    assert isinstance(tui_target(str(builder.path), None), AnalyzerSpec)


def test_the_filesystem_check_vouches_only_for_a_usable_repository(make_repo, tmp_path):
    """plain_repository says yes only where pygit2 would open the repository and find a default base:
    a clone, a linked worktree (a gitfile), a bare repository; anything else is pygit2's to judge."""
    builder = _two_branches(make_repo)
    assert plain_repository(builder.path) is not None
    (builder.path / "sub" / "dir").mkdir(parents=True)
    assert plain_repository(builder.path / "sub" / "dir").git_dir == builder.path / ".git"  # type: ignore[union-attr]
    worktree = tmp_path / "linked"
    subprocess.run(["git", "-C", str(builder.path), "worktree", "add", "-q", str(worktree), "feature"], check=True)
    assert plain_repository(worktree) is not None
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(builder.path), str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "pack-refs", "--all"], check=True)  # the base only in packed-refs
    assert plain_repository(bare) is not None
    plain = tmp_path / "plain"
    plain.mkdir()
    assert plain_repository(plain) is None
    assert plain_repository(tmp_path / "missing") is None
    empty = tmp_path / "empty"
    pygit2.init_repository(str(empty))
    assert plain_repository(empty) is None  # no commits: pygit2 says so
    other = make_repo("other-base")
    other.commit("init", {"a.py": "x\n"}, author=ALICE)
    subprocess.run(["git", "-C", str(other.path), "branch", "-q", "-m", "main", "trunk"], check=True)
    assert plain_repository(other.path) is not None  # never checked out: HEAD's branch is the base, as for pygit2
    subprocess.run(["git", "-C", str(other.path), "checkout", "-q", "trunk"], check=True)
    assert plain_repository(other.path) is None  # no default base: pygit2 says so


ADOPTED = """
import atexit, json
from app.analysis import analyzer as an
seen = {"adopted": False}
adopt = an.Analyzer.adopt_prefetched_discovery
def adopted(self, *args):
    seen["adopted"] = True
    return adopt(self, *args)
an.Analyzer.adopt_prefetched_discovery = adopted
from app.tui.screens.queue import QueueScreen
first = QueueScreen._first_paint_done
def painted(self):
    first(self)
    self.set_interval(0.02, lambda: self.finished_at and not self.analysing and self.app.exit())
QueueScreen._first_paint_done = painted
atexit.register(lambda: print(json.dumps(seen)))
"""


def test_a_first_run_discovers_in_a_process_started_at_the_first_paint(make_repo, tmp_path):
    """A first run ever (no analysis cache) starts discovering in a process of its own at the first paint,
    before the analysis is imported, and the analyzer built then takes its answer; a later run (the cache
    there) discovers in the queue's thread, as before."""
    builder = _two_branches(make_repo)
    for expected in (True, False):
        proc = _run(tmp_path, ["--repo", str(builder.path)], setup=ADOPTED)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"adopted": expected}


WARM_PAINT = """
import atexit, json, sys
from app.tui.screens.queue import QueueScreen
seen = {}
first = QueueScreen._first_paint_done
def painted(self):
    if "at_paint" not in seen:
        seen["at_paint"] = sorted(m for m in ("app.storage.ledger", "app.storage.db", "sqlite3") if m in sys.modules)
    first(self)
    self.set_interval(0.02, lambda: self.finished_at and not self.analysing and self.app.exit())
QueueScreen._first_paint_done = painted
atexit.register(lambda: print(json.dumps(seen)))
"""


def test_a_later_start_paints_before_the_ledger_is_opened(make_repo, tmp_path):
    """With the ledger there (every start after the first), the queue still paints before the ledger's module,
    sqlite3 and the ledger's schema check (20-40 ms of a warm first paint on ansible): finish_start opens it
    after the paint, and the review session is recorded there as before."""
    import sqlite3

    builder = _two_branches(make_repo)
    for run in (1, 2):
        proc = _run(tmp_path, ["--repo", str(builder.path)], setup=WARM_PAINT)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"at_paint": []}
        with sqlite3.connect(tmp_path / "data" / "ledger.db") as db:
            assert db.execute("SELECT count(*) FROM sessions").fetchone() == (run,)


def test_a_ledger_of_a_newer_review_tui_found_after_the_first_paint_ends_the_app_with_one_line(make_repo, tmp_path):
    """The ledger is opened after the first paint: one written by a newer review-tui ends the app there, and the
    CLI says what it said before the screen, as one line and a non-zero exit; the ledger is left as it was."""
    import sqlite3

    builder = _two_branches(make_repo)
    assert _run(tmp_path, ["--repo", str(builder.path)], setup=WARM_PAINT).returncode == 0
    with sqlite3.connect(tmp_path / "data" / "ledger.db") as db:
        db.execute("PRAGMA user_version = 999")
    proc = _run(tmp_path, ["--repo", str(builder.path)])
    assert proc.returncode != 0
    assert proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("review-tui: error:") and "999" in line, proc.stderr
    with sqlite3.connect(tmp_path / "data" / "ledger.db") as db:
        assert db.execute("PRAGMA user_version").fetchone() == (999,)
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (1,)


COLLECTOR = """
import atexit, gc, json
from app.tui.screens.queue import QueueScreen
seen = {}
first = QueueScreen._first_paint_done
def painted(self):
    if "at_paint" not in seen:
        seen["at_paint"] = gc.isenabled()
        first(self)
        seen["after_paint"] = gc.isenabled()
    else:
        first(self)
    self.set_interval(0.02, lambda: self.finished_at and not self.analysing and self.app.exit())
QueueScreen._first_paint_done = painted
atexit.register(lambda: print(json.dumps({**seen, "at_exit": gc.isenabled()})))
"""


def test_the_garbage_collector_waits_for_the_first_paint_and_only_for_it(make_repo, tmp_path):
    """The start's imports and first screen make objects that live on: the cyclic collector is held off
    from the CLI's tui_target to the queue's first paint (a warm start on ansible collected young objects 120
    times before it), and collects again from then on, on a first run and a later one."""
    builder = _two_branches(make_repo)
    for _run_number in (1, 2):
        proc = _run(tmp_path, ["--repo", str(builder.path)], setup=COLLECTOR)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"at_paint": False, "after_paint": True,
                                                                     "at_exit": True}


def test_the_collector_is_back_when_the_tui_cannot_be_imported(make_repo, tmp_path):
    """Without Textual the CLI prints the list instead of the screen: with the collector on for the analysis."""
    builder = _two_branches(make_repo)
    setup = ("import atexit, builtins, gc, json\nreal_import = builtins.__import__\n"
             "def no_tui(name, *args, **kwargs):\n"
             "    if name == 'app.tui.app':\n        raise ImportError(name)\n"
             "    return real_import(name, *args, **kwargs)\n"
             "builtins.__import__ = no_tui\n"
             "from app.analysis import analyzer as an\nanalyze_all = an.Analyzer.analyze_all\n"
             "seen = {}\n"
             "def analyze(self, *a, **k):\n    seen['analysing'] = gc.isenabled()\n"
             "    return analyze_all(self, *a, **k)\n"
             "an.Analyzer.analyze_all = analyze\n"
             "atexit.register(lambda: print(json.dumps(seen)))\n")
    proc = _run(tmp_path, ["--repo", str(builder.path)], setup=setup)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"analysing": True}


NO_CLICK = """
import atexit, json, sys
from app.tui.screens.queue import QueueScreen
seen = {}
first = QueueScreen._first_paint_done
clicks = lambda: sorted(m for m in sys.modules if m.split(".")[0] == "click" or m.startswith("app.cli"))
commands = lambda: sorted(m for m in sys.modules
                          if m.startswith(("app.cli", "app.commands.")) and m != "app.commands.common")
def painted(self):
    seen.setdefault("click_at_paint", clicks())
    seen.setdefault("at_paint", commands())
    first(self)
    self.set_interval(0.02, lambda: done(self))
def done(self):
    if self.finished_at and not self.analysing and not self._rebuild_pending:
        seen["rows"] = sorted(row.id for row in self.rows)
        self.app.exit()
QueueScreen._first_paint_done = painted
atexit.register(lambda: print(json.dumps({**seen, "at_exit": commands()})))
"""


@pytest.mark.parametrize("args", [[], ["--base", "main"], ["--range", "main..feature", "--first-parent"]])
def test_a_bare_start_opens_the_queue_without_click_or_the_command_modules(make_repo, tmp_path, args):
    """`review-tui` (and its own options) goes from the script's entry straight to open_tui: the command modules
    (app.cli and click: 55 ms of a warm first paint's CPU on ansible) are never imported. On the fast start
    (the default base) click is not imported before the queue's first paint either: it comes later with the
    ledger's sqlite_utils (a base or range given opens the analysis cache, and sqlite_utils, before the screen).
    The queue opens on the repository as before."""
    builder = _two_branches(make_repo)
    proc = _run(tmp_path, ["--repo", str(builder.path), *args], setup=NO_CLICK)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen.pop("at_paint") == [] and seen.pop("at_exit") == []
    head = subprocess.run(["git", "-C", str(builder.path), "rev-parse", "feature"], capture_output=True, text=True,
                          check=True).stdout.strip()
    [row] = seen.pop("rows")
    assert head.startswith(row) if "--range" in args else row == "feature"  # a range's rows are its commits
    if not args:
        assert seen["click_at_paint"] == []
