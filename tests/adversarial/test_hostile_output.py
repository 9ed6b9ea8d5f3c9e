"""Issue 15, attacks 1 and 2: no byte of a repository or of the review notes reaches the terminal.

One real repository holds every hostile identifier at once: a branch `refs/heads/fix-\\xff` (not
UTF-8), a branch `feature\\u200b` beside `feature`, an `Assisted-by:` trailer carrying OSC 52 (set
the clipboard) and a C1 CSI, committer and co-author fields with escapes; and its review notes hold
records whose reviewer, change id and note carry ESC, C1, DCS, bidi and zero-width characters and a
spreadsheet formula. Every command (list, list --json, explain, chunks, check, check --json, sync,
stats in every format) and every TUI screen (queue, change panels, chunk, stats) must show all of it
as inert, visible text: no ESC, C1, DCS, bidi, zero-width or surrogate character, JSON that is
valid UTF-8 even in a C locale, no CSV cell a spreadsheet would run, and no crash.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.config import UserConfig
from app.paths import ledger_path
from app.storage.ledger import Ledger

from .hostile import forbidden_chars, run_cli

tui_app = pytest.importorskip("app.tui.app")

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # base64 of "rm -rf ~"
EVIL_REVIEWER = f"evil{OSC52}\x9b31m\x90qdcs\x1b\\\u202e\u200b@x.example"
EVIL_NOTE = "=HYPERLINK(\"https://evil.example\",\"click\")"


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {**os.environ, "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com",
            "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
    done = subprocess.run(["git", *args], cwd=cwd, env=base, capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8", "replace").strip()


def note_line(head: str, n: int, reviewer: str, change: str, note: str, decision: str = "approve") -> str:
    q = lambda v: urllib.parse.quote(v, safe="@._~+-")  # noqa: E731
    return (f"review-tui/1 decision 2026-01-0{n}T00:00:00.000000Z hostile{n} {q(reviewer)} {decision} - "
            f"head={head} change={q(change)} note={q(note)}")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("hostile-output") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("def charge(x):\n    return x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "feature")
    (repo / "app.py").write_text("def charge(x):\n    if x:\n        return 1\n    return x\n")
    git(repo, "commit", "-qam", f"feat: charge\n\nAssisted-by: Helper{OSC52}\x9b31m\n"
                                f"Co-authored-by: Mallory <m{OSC52}@example.com>\n",
        env={"GIT_COMMITTER_NAME": f"Eve{OSC52}", "GIT_COMMITTER_EMAIL": "eve\u200b@example.com"})
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "update-ref", "refs/heads/feature\u200b", head)
    git(repo, "update-ref", b"refs/heads/fix-\xff".decode("utf-8", "surrogateescape"), head)  # type: ignore[arg-type]
    git(repo, "checkout", "-q", "main")
    lines = [note_line(head, 1, EVIL_REVIEWER, "feature", EVIL_NOTE),
             note_line(head, 2, "senior@example.com\u200b", f"feature{OSC52}", "\u202eevil", "flag"),
             note_line(head, 3, "dcs\x90@x.example", "fix-\\xff", "@SUM(1+1)"),
             note_line(head, 4, '=HYPERLINK("https://evil.example")@x.example', "feature", "-1+1")]
    git(repo, "notes", "--ref=review-tui", "add", "-m", "\n".join(lines), head)
    return repo


def assert_inert(output: bytes, where: str) -> None:
    text = output.decode("utf-8")  # valid UTF-8, whatever the locale
    bad = forbidden_chars(text)
    assert not bad, f"{where}: {bad[:5]}"


C_LOCALE = {"LC_ALL": "C", "LANG": "C"}


def test_every_command_shows_hostile_repo_and_notes_as_inert_text(hostile: Path, tmp_path: Path) -> None:
    repo = str(hostile)
    listed = run_cli("list", "--json", "--repo", repo, env=C_LOCALE)
    assert listed.returncode == 0, listed.stderr
    assert_inert(listed.stdout, "list --json")
    # refs at one head are one change whose other names are aliases (issue 13): every name, id or
    # alias, is listed and names the change in every command below
    ids = [name for item in json.loads(listed.stdout.decode("utf-8")) for name in (item["id"], *item["aliases"])]
    assert {"feature", "feature\u200b", "fix-\\xff"} <= set(ids)
    commands = [("list",), ("sync",), ("stats", "--all"), ("stats", "--all", "--json"),
                ("stats", "--all", "--csv"), ("stats", "--all", "--html", str(tmp_path / "s.html"))]
    for change in ids:
        commands += [("explain", "--", change), ("chunks", "--", change), ("check", "--", change),
                     ("check", "--json", "--", change), ("carry", "--", change)]
    for args in commands:
        for env in (C_LOCALE, {}) if args[0] in ("list", "explain") else (C_LOCALE,):
            cwd_args = ("--repo", repo) if args[0] != "stats" else ()
            done = run_cli(*args[:1], *cwd_args, *args[1:], env=env)
            assert done.returncode in (0, 1), (args, done.stderr[-1500:])
            assert b"Traceback" not in done.stderr, args
            assert_inert(done.stdout, " ".join(args))
            assert_inert(done.stderr, " ".join(args) + " (stderr)")
    html = (tmp_path / "s.html").read_text("utf-8")
    assert not forbidden_chars(html) and "&lt;U+200B&gt;" in html
    stats_csv = run_cli("stats", "--all", "--csv").stdout.decode("utf-8")
    cells = [cell for row in csv.reader(io.StringIO(stats_csv)) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not _number(c))]
    assert any("evil␛]52" in c for c in cells)  # the hostile reviewer is there, made visible
    assert "'=HYPERLINK(\"https://evil.example\")@x.example" in cells  # neutralised, not dropped
    explained = run_cli("explain", "--repo", repo, "--", "feature").stdout.decode("utf-8")
    provenance = explained.split("AI provenance", 1)[1].split("\n", 2)[1]
    assert "␛]52;c;cm0gLXJmIH4=␇" in provenance, provenance
    assert "feature<U+200B>" in run_cli("list", "--repo", repo).stdout.decode("utf-8")
    # the spelling `list` prints names the change (QA42 #3: only the raw bytes did), not its look-alike
    pasted = run_cli("explain", "--repo", repo, "--json", "--", "feature<U+200B>")
    assert pasted.returncode == 0, pasted.stderr
    assert json.loads(pasted.stdout)["id"] in ("feature\u200b", "feature") and "feature\u200b" in (
        json.loads(pasted.stdout)["id"], *json.loads(pasted.stdout)["aliases"])
    typo = run_cli("explain", "--repo", repo, "--", "featur<U+200B>").stderr.decode("utf-8")
    assert "did you mean 'feature<U+200B>'" in typo or "did you mean 'feature'" in typo, typo


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def test_every_screen_shows_hostile_refs_and_notes_as_inert_text(hostile: Path) -> None:
    from .test_tui_hostile import scan, settle

    assert run_cli("sync", "--repo", str(hostile)).returncode == 0  # the hostile records enter the ledger
    analyzer = Analyzer(hostile)
    ids = [c.id for c in analyzer.discovery.changes]
    ledger = Ledger.open(ledger_path())
    app = tui_app.make_app(analyzer, user_config=UserConfig(reviewer_email="r@example.com"), ledger=ledger)
    seen: dict[str, str] = {}
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await scan(pilot, "queue", seen)
            for row in range(len(ids)):
                await pilot.press("home", *(["down"] * row), "enter")
                await scan(pilot, f"change #{row}", seen)
                if app.screen is app.screen_stack[0]:
                    continue
                for panel in ("p", "w", "c"):
                    await pilot.press(panel)
                    await scan(pilot, f"change #{row} panel {panel}", seen)
                await pilot.press("enter")
                await scan(pilot, f"change #{row} chunk 1", seen)
                while len(app.screen_stack) > 1:
                    await pilot.press("escape")
                    await settle(pilot)
            await pilot.press("S")
            await scan(pilot, "stats screen", seen)
    finally:
        app.end_session()
        ledger.close()
    assert any("<U+200B>" in text for text in seen.values())
    assert any("fix-\\xff" in text for text in seen.values())
    assert any("Look-alike names" in text and "feature<U+200B>" in text for text in seen.values())
    # the committer's name (an OSC 52 in it), not only addresses, is flagged (QA42 #11)
    assert any("Look-alike names" in text and "committer Eve␛]52" in text for text in seen.values())
