"""Carrying an approval over to another change making the same edit (issue 15, item 2).

An approval counts only on the change it was given on; `review-tui carry CHANGE` (and `O` on the
change screen) is the reviewer's explicit statement that the same review holds on CHANGE. These
tests drive the real CLI and the real app on real repositories: what is carried (only your own
approvals, only identical content, never over a newer flag or a newer decision here), what it keeps
(a rubber stamp stays one), that `check` counts it, and that it travels through git notes (keys
``carried`` and ``from``) and is signed when a key is configured.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.config import UserConfig
from app.paths import ledger_path, user_config_path
from app.storage.ledger import Ledger, NewDecision
from app.tui.screens.dialogs import ConfirmDialog
from tests.cli import CLI
from tests.functional.test_app import REVIEWER, build_app, queue_screen, settle
from tests.functional.test_change_screen import open_change
from tests.functional.test_signoff_tui import check, read_and_approve, signed_repo, signoff_text, two_branches


def review_tui(repo: Path, *args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    if home is not None:
        env |= {"REVIEW_TUI_DATA_DIR": str(home / "data"), "REVIEW_TUI_CONFIG_DIR": str(home / "config")}
    return subprocess.run([*CLI, *args, "--repo", str(repo)], capture_output=True, text=True, timeout=300,
                          env=env)


def as_reviewer(signing_key: Path | None = None) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'reviewer_email = "{REVIEWER}"\n' + (f'signing_key = "{signing_key}"\n' if signing_key else ""))


def decide(repo: Path, change: str, decision: str, *, seconds_over_floor: float = 5,
           times_floor: float | None = None) -> None:
    analyzer = Analyzer(repo)
    detail = analyzer.detail(change)
    key, ch = analyzer.repo_key, detail.change
    with Ledger.open(ledger_path()) as ledger:
        session = ledger.start_session(REVIEWER, key)
        for chunk in detail.plan.chunks:
            view = ledger.open_chunk(session, key, ch.id, ch.head, chunk.content_hash, chunk.index)
            floor = chunk.floor_seconds
            seconds = floor * times_floor if times_floor is not None else floor + seconds_over_floor
            ledger.add_active_time(view, max(seconds, 0))
            ledger.record_decision(NewDecision(session_id=session, reviewer=REVIEWER, repo=key, change_id=ch.id,
                                   head=ch.head, chunk_hash=chunk.content_hash, decision=decision,
                                   chunk_index=chunk.index, floor_seconds=chunk.floor_seconds, note="why",
                                   changed_lines=chunk.changed_lines))


def test_carry_counts_your_approval_on_the_same_edit_and_only_once(tmp_path: Path) -> None:
    repo = two_branches(tmp_path)
    as_reviewer()
    read_and_approve(repo, REVIEWER, "feature")
    assert check(repo, "copycat")[0] == 1
    done = review_tui(repo, "carry", "copycat", "--from", "no-such-branch")  # a typo is no "nothing to carry"
    assert done.returncode == 2 and done.stderr.startswith("review-tui: error: unknown change 'no-such-branch'")
    done = review_tui(repo, "carry", "copycat")
    assert done.returncode == 0, done.stderr
    assert "carried over to copycat: #1" in done.stdout and "your approval on feature" in done.stdout
    code, verdict = check(repo, "copycat")
    assert code == 0 and verdict["approvals"] == [REVIEWER] and verdict["not_counted"] == []
    again = review_tui(repo, "carry", "copycat")
    assert again.returncode == 1 and "nothing to carry over" in again.stdout


def test_a_carried_rubber_stamp_stays_a_rubber_stamp(tmp_path: Path) -> None:
    repo = two_branches(tmp_path)
    as_reviewer()
    decide(repo, "feature", "approve", seconds_over_floor=-50)  # faster than the floor
    assert review_tui(repo, "carry", "copycat").returncode == 0
    code, verdict = check(repo, "copycat")
    assert code == 1 and verdict["rubber_stamps"] == [REVIEWER]


def test_a_newer_flag_elsewhere_or_someone_elses_approval_is_not_carried(tmp_path: Path) -> None:
    repo = two_branches(tmp_path)
    as_reviewer()
    read_and_approve(repo, "other@example.com", "feature")  # not yours: never carried by you
    assert review_tui(repo, "carry", "copycat").returncode == 1
    read_and_approve(repo, REVIEWER, "feature")
    decide(repo, "feature", "flag")  # you changed your mind there
    done = review_tui(repo, "carry", "copycat")
    assert done.returncode == 1 and check(repo, "copycat")[0] == 1


def test_a_carried_approval_travels_through_notes_and_counts_on_a_fresh_clone(tmp_path: Path) -> None:
    repo = two_branches(tmp_path)
    as_reviewer()
    read_and_approve(repo, REVIEWER, "feature")
    assert review_tui(repo, "carry", "copycat").returncode == 0
    assert review_tui(repo, "sync").returncode == 0
    head = Analyzer(repo).change("copycat").head
    note = subprocess.run(["git", "notes", "--ref=review-tui", "show", head], cwd=repo, capture_output=True,
                          text=True).stdout
    assert " carried=" in note and " from=feature" in note and "change=copycat" in note
    ci = review_tui(repo, "check", "copycat", "--notes-only", home=tmp_path / "ci")  # no ledger at all
    assert ci.returncode == 0, ci.stdout
    # Imported into another reviewer's ledger, the carried record keeps where it came from.
    assert review_tui(repo, "sync", home=tmp_path / "colleague").returncode == 0
    with Ledger.open(tmp_path / "colleague" / "data" / "ledger.db") as ledger:
        assert [origin[1] for origin in ledger.carries().values()] == ["feature"]


def test_a_carried_approval_adds_neither_time_nor_floor_to_stats_time_vs_floor(tmp_path: Path) -> None:
    """Nobody read the carried chunk: the reading counts once, where it was done. Its floor without its
    time halved a real 1.22x to 0.61x."""
    repo = two_branches(tmp_path)
    as_reviewer()
    decide(repo, "feature", "approve", times_floor=1.22)
    assert "time spent was 1.22x the floor time" in review_tui(repo, "stats").stdout
    assert review_tui(repo, "carry", "copycat").returncode == 0
    after = review_tui(repo, "stats")
    assert "time spent was 1.22x the floor time" in after.stdout, after.stdout
    assert "a flag and a carried-over approval add neither" in after.stdout
    figures = json.loads(review_tui(repo, "stats", "--json").stdout)
    assert figures["overall"]["approvals"] == 2  # still an approval, and a chunk review
    assert [(f["key"], f["time_vs_floor"]) for f in figures["reviewers"]] == [(REVIEWER, pytest.approx(1.22))]
    # Imported through the notes into a colleague's ledger, it is known as carried there too.
    assert review_tui(repo, "sync").returncode == 0
    assert review_tui(repo, "sync", home=tmp_path / "colleague").returncode == 0
    theirs = review_tui(repo, "stats", home=tmp_path / "colleague")
    assert "time spent was 1.22x the floor time" in theirs.stdout, theirs.stdout


def test_a_ledger_locked_by_a_sqlite3_shell_is_one_true_line(tmp_path: Path) -> None:
    """The lock's holder is not review-tui here: the message must not say it is."""
    repo = two_branches(tmp_path)
    as_reviewer()
    read_and_approve(repo, REVIEWER, "feature")
    holder = sqlite3.connect(ledger_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as a `sqlite3 ledger.db` shell does
    try:
        done = review_tui(repo, "carry", "copycat")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"review-tui: error: {ledger_path()} is locked by another process while recording a review decision "
        "(waited 5 s): another review-tui, or a tool holding a write lock such as a sqlite3 shell; close it or "
        "try again"]
    assert review_tui(repo, "carry", "copycat").returncode == 0  # nothing half-written: it carries now


def test_a_signed_carry_counts_where_signatures_are_required_without_sync(tmp_path: Path) -> None:
    repo, key_file = signed_repo(tmp_path)
    as_reviewer(key_file)
    read_and_approve(repo, REVIEWER, "feature")  # an old, unsigned approval
    done = review_tui(repo, "carry", "copycat")
    assert done.returncode == 0 and ", signed" in done.stdout, done.stdout + done.stderr
    code, verdict = check(repo, "copycat")
    assert code == 0 and verdict["approvals"] == [REVIEWER], verdict


async def test_O_on_the_change_screen_carries_over_after_asking(tmp_path: Path) -> None:
    repo = two_branches(tmp_path)
    read_and_approve(repo, REVIEWER, "feature")
    app = build_app(repo, user_config=UserConfig(reviewer_email=REVIEWER))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "copycat")
        assert "O carries it over" in signoff_text(screen)
        await pilot.press("O")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)  # asked first: it is the reviewer's statement
        await pilot.press("n")  # cancelled: nothing recorded
        await settle(pilot)
        assert list(screen.chunk_states.values()) == ["elsewhere"]
        await pilot.press("O")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert list(screen.chunk_states.values()) == ["approved"]
        assert "policy met" in signoff_text(screen) and "does not count" not in signoff_text(screen)
        await pilot.press("escape")
        await settle(pilot)
        assert queue_screen(app).statuses["copycat"] == "approved"
    assert check(repo, "copycat")[0] == 0


def test_a_carried_change_approval_gives_each_chunk_its_own_floor(tmp_path: Path) -> None:
    """A whole-change approval carried over becomes one approval per chunk, each with that chunk's floor
    (it recorded the whole change's floor on every chunk)."""
    from tests.functional.test_signoff_tui import ANN, BASE, DROPPED, SAMPLES

    b = SAMPLES.RepoBuilder(tmp_path / "repo")
    guide = "".join(f"Step {i}: check the ledger before you sign.\n" for i in range(40))
    b.commit("base", {"pay.py": BASE, "docs/guide.md": "# Guide\n"}, author=ANN)
    for name in ("feature", "copycat"):
        b.branch(name, at=b.head("main"))
        b.commit("same edit", {"pay.py": DROPPED, "docs/guide.md": "# Guide\n" + guide}, branch=name, author=ANN)
    b.checkout("main")
    as_reviewer()
    analyzer = Analyzer(b.path)
    detail = analyzer.detail("feature")
    chunks = detail.plan.chunks
    assert len(chunks) >= 2
    key, ch = analyzer.repo_key, detail.change
    with Ledger.open(ledger_path()) as ledger:
        session = ledger.start_session(REVIEWER, key)
        for chunk in chunks:
            view = ledger.open_chunk(session, key, ch.id, ch.head, chunk.content_hash, chunk.index)
            ledger.add_active_time(view, chunk.floor_seconds + 5)
        ledger.record_decision(NewDecision(session_id=session, reviewer=REVIEWER, repo=key, change_id=ch.id,
                               head=ch.head, chunk_hash=None, decision="approve",
                               floor_seconds=float(detail.plan.total_floor_seconds),
                               chunk_hashes=[c.content_hash for c in chunks]))
    assert review_tui(b.path, "carry", "copycat").returncode == 0
    with Ledger.open(ledger_path()) as ledger:
        carried = {d.chunk_hash: d.floor_seconds for d in ledger.decisions_for(key, "copycat")}
    assert carried == {c.content_hash: float(c.floor_seconds) for c in Analyzer(b.path).detail("copycat").plan.chunks}


def test_carry_refuses_an_approval_check_would_refuse_as_the_authors_own(tmp_path: Path) -> None:
    """The reviewer cherry-picked the change onto a backport: they are its committer now, and `check`
    never counts an author's approval, so carry must not record one and say it counts."""
    repo = two_branches(tmp_path)
    as_reviewer()
    read_and_approve(repo, REVIEWER, "feature")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_COMMITTER_NAME": "Rev",
           "GIT_COMMITTER_EMAIL": REVIEWER}
    git = ["git", "-c", "core.hooksPath=/dev/null", "-C", str(repo)]
    subprocess.run([*git, "checkout", "-q", "-b", "backport", "main"], check=True, env=env)
    subprocess.run([*git, "cherry-pick", "feature"], check=True, env=env, capture_output=True)
    subprocess.run([*git, "checkout", "-q", "main"], check=True, env=env)
    done = review_tui(repo, "carry", "backport")
    assert done.returncode == 1, done.stderr
    assert "nothing carried over to backport" in done.stdout and "an author's approval never counts" in done.stdout
    with Ledger.open(ledger_path()) as ledger:
        assert ledger.decisions_for(Analyzer(repo).repo_key, "backport") == []  # nothing recorded
    # --from a change that exists but holds nothing of yours is "nothing to carry", not an unknown change
    other = review_tui(repo, "carry", "copycat", "--from", "backport")
    assert other.returncode == 1 and "nothing to carry over to copycat" in other.stdout


async def test_a_carry_leaves_the_change_it_came_from_approved(tmp_path: Path) -> None:
    """After carrying feature's approval to copycat, feature's chunks read "✗ elsewhere" with "O carries it
    over" in the TUI, and check listed the carried record as not counted, though feature's own approval
    still counted."""
    from tests.functional.test_change_screen import column

    repo = two_branches(tmp_path)
    as_reviewer()
    read_and_approve(repo, REVIEWER, "feature")
    assert review_tui(repo, "carry", "copycat").returncode == 0
    code, verdict = check(repo, "feature")
    assert code == 0 and verdict["not_counted"] == [], verdict
    app = build_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature")
        assert set(column(screen.query_one("#chunks-table"), "status")) == {"✔ approved"}
        assert "does not count" not in signoff_text(screen)
