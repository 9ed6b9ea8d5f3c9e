"""`review-tui check` and `review-tui sync` on real repositories: two reviewers in two clones share
their reviews through git notes on a bare remote, CI checks a fresh clone, the author force-pushes.

The git CLI plays the teammates' part (clone, fetch, push, `git notes merge -s cat_sort_uniq`);
reviews are recorded through the Ledger API, as the TUI records them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.core.git.repo import GitRepo
from app.samples import load
from app.storage import notes
from app.storage.db import SCHEMA_VERSION
from app.storage.ledger import Ledger, NewDecision

SAMPLES = load()
AUTHOR = SAMPLES.Person("Ann Author", "ann@example.com")
BOB = "bob@example.com"
SAM = "sam@example.com"  # the senior

POLICY = """
[policy]
seniors = ["sam@example.com"]

[[policy.rules]]
name = "two reviewers, one senior"
approvals = 2
senior_approvals = 1
"""

ALPHA = "def alpha(x):\n    return x + 1\n"
BETA = "def beta(x):\n    return x * 2\n"
GAMMA = "def gamma(x):\n    return x - 3\n"
MERGE = ("merge", "-s", "cat_sort_uniq", "refs/notes/remotes/origin/review-tui")


def git(cwd: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def feature_files(gamma_body: str = "    return x - 3\n") -> dict[str, str]:
    return {
        "src/alpha/ops.py": ALPHA + "\n\ndef alpha2(x):\n    if x > 1:\n        return x\n    return -x\n",
        "src/beta/ops.py": BETA + "\n\ndef beta2(x):\n    for i in range(x):\n        x += i\n    return x\n",
        "src/gamma/ops.py": GAMMA + "\n\ndef gamma2(x):\n    while x > 10:\n        x //= 2\n" + gamma_body,
    }


@pytest.fixture
def team(tmp_path):
    """An author's repo with a three-chunk feature branch, a bare remote, and two reviewers' clones."""
    builder = SAMPLES.RepoBuilder(tmp_path / "author")
    builder.commit("base", {".review-tui.toml": POLICY, "src/alpha/ops.py": ALPHA, "src/beta/ops.py": BETA,
                            "src/gamma/ops.py": GAMMA}, author=AUTHOR)
    builder.branch("feature")
    builder.commit("feature: three helpers", feature_files(), branch="feature", author=AUTHOR)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(builder.path), str(remote))
    git(builder.path, "remote", "add", "origin", str(remote))
    clones = {}
    for who in ("bob", "sam"):
        clones[who] = tmp_path / who
        git(tmp_path, "clone", "-q", str(remote), str(clones[who]))
        git(clones[who], "config", "user.email", f"{who}@example.com")
    return {"builder": builder, "remote": remote, "tmp": tmp_path, **clones}


def data_dir(tmp: Path, who: str) -> Path:
    return tmp / f"data-{who}"


def run_cli(args: list[str], data: Path) -> object:
    return CliRunner().invoke(cli, args, env={"REVIEW_TUI_DATA_DIR": str(data), "REVIEW_TUI_NO_CACHE": "1"},
                              catch_exceptions=False)


def review(clone: Path, data: Path, reviewer: str, change: str = "origin/feature", *, fast: bool = False,
           only: set[int] | None = None, decision: str = "approve", whole: bool = False,
           open_chunks: bool = True) -> list:
    """Record a reviewer's reading time and decisions the way the TUI does, through the Ledger API."""
    analyzer = Analyzer(clone)
    detail = analyzer.detail(change)
    key, ch = analyzer.repo_key, detail.change
    chunks = [c for c in detail.plan.chunks if only is None or c.index in only]
    with Ledger.open(data / "ledger.db") as ledger:
        session = ledger.start_session(reviewer, key)
        made = []
        for chunk in chunks:
            if open_chunks:
                view = ledger.open_chunk(session, key, ch.id, ch.head, chunk.content_hash, chunk.index)
                ledger.add_active_time(view, 1 if fast else chunk.floor_seconds + 5)
            if not whole:
                made.append(ledger.record_decision(NewDecision(
                    session_id=session, reviewer=reviewer, repo=key, change_id=ch.id, head=ch.head,
                    chunk_hash=chunk.content_hash, decision=decision, chunk_index=chunk.index,
                    floor_seconds=chunk.floor_seconds)))
        if whole:
            hashes = [c.content_hash for c in detail.plan.chunks]
            made.append(ledger.record_decision(NewDecision(
                session_id=session, reviewer=reviewer, repo=key, change_id=ch.id, head=ch.head,
                chunk_hash=None,
                decision=decision, floor_seconds=detail.plan.total_floor_seconds, chunk_hashes=hashes)))
            notes.store_coverage(ledger, {made[-1].record_id: hashes})
        return made


def ledger_rows(data: Path) -> list[tuple]:
    with Ledger.open(data / "ledger.db") as ledger:
        tables = ("decisions", "comments", "decision_coverage", "reviewers")
        return [tuple(sorted(row.items())) for table in tables
                for row in ledger.db.query(f"SELECT * FROM {table} ORDER BY 1")]


def notes_tip(repo: Path) -> str | None:
    return GitRepo(repo).reference_target(notes.NOTES_REF)


def test_two_reviewers_share_reviews_through_notes_and_a_force_push_stales_exactly_one_chunk(team):
    tmp, bob, sam, remote = team["tmp"], team["bob"], team["sam"], team["remote"]
    bob_data, sam_data = data_dir(tmp, "bob"), data_dir(tmp, "sam")
    review(bob, bob_data, BOB)
    review(sam, sam_data, SAM)

    # Each alone: one approval of the two required.
    alone = run_cli(["check", "origin/feature", "--repo", str(bob)], bob_data)
    assert alone.exit_code == 1
    assert "needs 1 more senior approval" in alone.stdout

    # Bob exports and pushes; Sam exports, fetches Bob's notes and merges them with git's own strategy.
    first = run_cli(["sync", "--repo", str(bob)], bob_data)
    assert first.exit_code == 0 and "exported 3 record(s)" in first.stdout
    assert "git push origin refs/notes/review-tui" in first.stdout  # printed, not run
    assert git(remote, "for-each-ref", "refs/notes") == ""
    git(bob, "push", "-q", "origin", "refs/notes/review-tui")
    assert run_cli(["sync", "--repo", str(sam)], sam_data).exit_code == 0
    git(sam, "fetch", "-q", "origin", "refs/notes/review-tui:refs/notes/remotes/origin/review-tui")
    git(sam, "notes", "--ref=review-tui", *MERGE)
    git(sam, "push", "-q", "origin", "refs/notes/review-tui")
    head = git(sam, "rev-parse", "origin/feature").strip()
    merged = git(sam, "notes", "--ref=review-tui", "show", head).splitlines()
    assert len(merged) == 6 and merged == sorted(merged)
    assert {line.split(" ")[4] for line in merged} == {BOB, SAM}

    # Bob fetches the merged notes (fast-forward) and syncs: Sam's approvals land in his ledger.
    git(bob, "fetch", "-q", "origin", "refs/notes/review-tui:refs/notes/remotes/origin/review-tui")
    git(bob, "notes", "--ref=review-tui", *MERGE)
    synced = run_cli(["sync", "--repo", str(bob)], bob_data)
    assert "imported 3 decision(s)" in synced.stdout and "nothing new to export" in synced.stdout
    ok = run_cli(["check", "origin/feature", "--repo", str(bob)], bob_data)
    assert ok.exit_code == 0, ok.output
    assert "policy met" in ok.stdout

    # Running sync again changes nothing: same ledger rows, same notes ref target.
    before = (ledger_rows(bob_data), notes_tip(bob))
    again = run_cli(["sync", "--repo", str(bob)], bob_data)
    assert "imported 0 decision(s)" in again.stdout
    assert (ledger_rows(bob_data), notes_tip(bob)) == before

    # CI: a fresh clone with the notes fetched and no ledger at all.
    ci = tmp / "ci"
    git(tmp, "clone", "-q", str(remote), str(ci))
    git(ci, "fetch", "-q", "origin", "refs/notes/review-tui:refs/notes/review-tui")
    ci_check = ["check", "origin/feature", "--repo", str(ci), "--notes-only"]
    ci_run = run_cli([*ci_check, "--json"], tmp / "ci-data")
    assert ci_run.exit_code == 0, ci_run.output
    verdict = json.loads(ci_run.stdout)
    assert verdict["ok"] and sorted(verdict["approvals"]) == [BOB, SAM]
    assert verdict["senior_approvals"] == [SAM]
    assert not (tmp / "ci-data").exists()  # check writes no ledger

    # The author force-pushes a rewrite that changes only the gamma chunk.
    builder = team["builder"]
    builder.branch("feature", at=git(builder.path, "rev-parse", "main").strip())
    builder.commit("feature: three helpers (v2)", feature_files("    return x - 4\n"), branch="feature",
                   author=AUTHOR)
    git(builder.path, "push", "-q", "-f", "origin", "feature")
    git(ci, "fetch", "-q", "origin")
    stale = run_cli([*ci_check, "--json"], tmp / "ci-data")
    assert stale.exit_code == 1
    verdict = json.loads(stale.stdout)
    gamma = [c for c in verdict["chunks"] if "src/gamma" in c["title"]]
    assert [c["index"] for c in verdict["stale_chunks"]] == [gamma[0]["index"]]
    for standing in verdict["reviewers"]:  # the other chunks keep their approvals
        assert standing["approved_chunks"] == 2 and standing["stale_chunks"] == [gamma[0]["index"]]
    text = run_cli(ci_check, tmp / "ci-data")
    assert text.exit_code == 1
    assert f"1 chunk changed or new since an approval: #{gamma[0]['index']} {gamma[0]['title']}" in text.stdout
    assert "needs 2 more approvals, 1 of them senior" in text.stdout

    # Bob re-reads only the changed chunk: his approval counts again, Sam's is still stale.
    git(bob, "fetch", "-q", "origin")
    review(bob, bob_data, BOB, only={gamma[0]["index"]})
    partial = run_cli(["check", "origin/feature", "--repo", str(bob)], bob_data)
    assert partial.exit_code == 1
    assert "needs 1 more senior approval" in partial.stdout
    assert "1 chunk changed or new since an approval" in partial.stdout


@pytest.fixture
def solo(tmp_path):
    """One repository, checked locally with the default policy (seniors: sam)."""
    builder = SAMPLES.RepoBuilder(tmp_path / "repo")
    builder.commit("base", {".review-tui.toml": '[policy]\nseniors = ["sam@example.com"]\n',
                            "src/alpha/ops.py": ALPHA, "billing/charge.py": "RATE = 1\n"}, author=AUTHOR)
    builder.branch("plain")
    builder.commit("plain change", {"src/alpha/ops.py": ALPHA + "\n\ndef more(x):\n    return x\n"},
                   branch="plain", author=AUTHOR)
    builder.branch("ai")
    builder.commit("ai change\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
                   {"src/alpha/ops.py": ALPHA + "\n\ndef generated(x):\n    return x * 7\n"},
                   branch="ai", author=AUTHOR)
    builder.branch("money")
    builder.commit("billing change",
                   {"billing/charge.py": "RATE = 2\n\ndef charge(x):\n    return x * RATE\n"},
                   branch="money", author=AUTHOR)
    return builder.path, tmp_path / "data"


def check(repo: Path, data: Path, change: str, *extra: str):
    return run_cli(["check", change, "--repo", str(repo), *extra], data)


def test_every_change_needs_one_approval(solo):
    repo, data = solo
    none = check(repo, data, "plain")
    assert none.exit_code == 1 and "needs 1 more approval" in none.stdout
    review(repo, data, BOB, "plain")
    assert check(repo, data, "plain").exit_code == 0


def test_ai_share_above_30_percent_needs_a_senior(solo):
    repo, data = solo
    review(repo, data, BOB, "ai")
    junior = check(repo, data, "ai")
    assert junior.exit_code == 1
    assert ("needs 1 more senior approval "
            "(every change needs one approval; AI share above 30% needs a senior)") in junior.stdout
    review(repo, data, SAM, "ai")
    assert check(repo, data, "ai").exit_code == 0


def test_tier0_needs_two_approvals_one_senior(solo):
    repo, data = solo
    review(repo, data, SAM, "money")
    one = check(repo, data, "money", "--json")
    assert one.exit_code == 1
    verdict = json.loads(one.stdout)
    assert verdict["tier"] == 0 and verdict["required"]["approvals"] == 2
    assert verdict["missing"][0].startswith("needs 1 more approval")
    review(repo, data, BOB, "money")
    assert check(repo, data, "money").exit_code == 0


def test_the_author_cannot_approve_their_own_change(solo):
    repo, data = solo
    review(repo, data, AUTHOR.email, "plain")
    result = check(repo, data, "plain")
    assert result.exit_code == 1
    assert f"author {AUTHOR.email} cannot approve their own change" in result.stdout


def test_an_author_approving_under_the_address_the_mailmap_says_is_theirs_does_not_count(tmp_path):
    """QA44 #9: the base's .mailmap said ann@x and ann.real@x are one person; Ann committed as one and approved
    as the other, and `check` passed. A branch's own .mailmap cannot rename anyone (the base's is read)."""
    builder = SAMPLES.RepoBuilder(tmp_path / "repo")
    ann = SAMPLES.Person("Ann", "ann@example.com")
    mailmap = "Ann Real <Ann.Real@example.com> <ann@example.com>\n"
    builder.commit("base", {"src/alpha/ops.py": ALPHA, ".mailmap": mailmap}, author=AUTHOR)
    builder.branch("ann")
    builder.commit("ann's change", {"src/alpha/ops.py": ALPHA + "\n\ndef more(x):\n    return x\n"}, branch="ann",
                   author=ann)
    builder.branch("bob")
    builder.commit("bob's change", {"src/alpha/ops.py": ALPHA + "\n\ndef less(x):\n    return x\n",
                                    ".mailmap": "Bob <sam@example.com> <bob@example.com>\n"}, branch="bob", author=ann)
    data = tmp_path / "data"
    review(builder.path, data, "ann.real@example.com", "ann")
    result = check(builder.path, data, "ann")
    assert result.exit_code == 1
    assert "author ann.real@example.com cannot approve their own change" in result.stdout
    review(builder.path, data, "sam@example.com", "bob")  # the branch's mailmap does not make sam its author
    assert check(builder.path, data, "bob").exit_code == 0


def test_rubber_stamps_do_not_count(solo):
    repo, data = solo
    review(repo, data, BOB, "plain", fast=True)
    result = check(repo, data, "plain")
    assert result.exit_code == 1
    assert ("1 approval was a rubber stamp and does not count "
            "(bob@example.com: approved after 1s") in result.stdout


def test_a_change_approval_with_unopened_chunks_does_not_count(solo):
    repo, data = solo
    review(repo, data, BOB, "plain", whole=True, open_chunks=False)
    result = check(repo, data, "plain")
    assert result.exit_code == 1
    assert "never opened" in result.stdout and "rubber stamp" in result.stdout
    review(repo, data, SAM, "plain", whole=True)
    assert check(repo, data, "plain").exit_code == 0


def test_usage_and_repository_errors_exit_2(solo, tmp_path):
    repo, data = solo
    missing = check(repo, data, "no-such-branch")
    assert missing.exit_code == 2 and "no pending change 'no-such-branch'" in missing.stderr
    not_a_repo = check(tmp_path, data, "plain")
    assert not_a_repo.exit_code == 2 and "not a git repository" in not_a_repo.stderr
    # A reviewed change whose branch was deleted afterwards: its head no longer exists as a change.
    review(repo, data, BOB, "plain")
    git(repo, "branch", "-D", "plain")
    gone = check(repo, data, "plain")
    assert gone.exit_code == 2 and "deleted or merged" in gone.stderr
    # ...and its records, attached to a commit that still exists, are exported; nothing breaks.
    assert run_cli(["sync", "--repo", str(repo)], data).exit_code == 0


def _newer_schema(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


def _junk(path: Path) -> None:
    path.write_bytes(b"\x00\xffnot a ledger\x07" * 64)


@pytest.mark.parametrize("spoil", [_newer_schema, _junk], ids=["newer schema", "not sqlite"])
def test_a_ledger_check_cannot_read_stops_the_gate_instead_of_passing_without_its_flag(solo, spoil):
    """Bob's approval is in the notes; Sam's flag only in the local ledger. Without the ledger the
    gate would pass: a ledger that is there but unreadable is exit 2, one line, and left as it was."""
    repo, data = solo
    review(repo, data, BOB, "plain")
    assert run_cli(["sync", "--repo", str(repo)], data).exit_code == 0
    review(repo, data, SAM, "plain", decision="flag")
    assert check(repo, data, "plain").exit_code == 1
    ledger = data / "ledger.db"
    spoil(ledger)
    before = ledger.read_bytes()
    result = check(repo, data, "plain")
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("review-tui: error: ") and str(ledger) in lines[0], lines
    assert "--notes-only" in lines[0]  # says how to decide without it
    assert "Traceback" not in result.output and result.stdout == ""
    assert ledger.read_bytes() == before
    assert check(repo, data, "plain", "--notes-only").exit_code == 0  # the way to check without it


def test_newer_and_malformed_note_lines_are_reported_kept_and_skipped(solo):
    repo, data = solo
    made = review(repo, data, BOB, "plain")
    head = made[0].head
    newer = "review-tui/2 decision 2026-01-01T00:00:00.000000Z future1 bob%40example.com approve - shape=new"
    garbage = "review-tui/1 decision not-a-time r1 bob approve -"
    git(repo, "notes", "--ref=review-tui", "add", "-m", f"{newer}\n{garbage}", head)
    result = run_cli(["sync", "--repo", str(repo)], data)
    assert result.exit_code == 0
    assert "written by a newer review-tui (format 2); kept, not imported" in result.stderr
    assert "bad time 'not-a-time'; skipped" in result.stderr
    lines = git(repo, "notes", "--ref=review-tui", "show", head).splitlines()
    assert newer in lines and garbage in lines and len(lines) == 2 + len(made)
    assert check(repo, data, "plain", "--notes-only").exit_code == 0
    assert "format 2" in check(repo, data, "plain", "--notes-only").stderr


def test_note_lines_round_trip_every_field(solo):
    repo, data = solo
    made = review(repo, data, "o'neil+review@example.com", "plain", whole=True)[0]
    line = notes.format_decision(made, ("aa", "bb"))
    parsed = notes.parse_note(made.head, line + "\n", made.repo)
    assert not parsed.problems
    decision, covers = parsed.decisions[0]
    assert covers == ("aa", "bb")
    for name in ("reviewer", "change_id", "head", "chunk_hash", "decision", "fast", "unopened_chunks",
                 "opened", "record_id", "floor_seconds", "tier", "changed_lines"):
        assert getattr(decision, name) == getattr(made, name), name
    assert abs(decision.created_at - made.created_at) < 1e-5
    assert decision.source == "notes"


def test_two_syncs_at_once_lose_nothing(solo):
    repo, data = solo
    review(repo, data, BOB, "plain")
    other = data.parent / "other-data"
    review(repo, other, SAM, "plain")
    key = Analyzer(repo).repo_key
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            with Ledger.open(path / "ledger.db") as ledger:
                notes.sync(ledger, GitRepo(repo), key)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in (data, other, data, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [e for e in errors if "kept moving" not in str(e)]
    for d in (data, other):  # whoever lost twice runs again, as the message says
        with Ledger.open(d / "ledger.db") as ledger:
            notes.sync(ledger, GitRepo(repo), key)
    parsed = notes.read_notes(GitRepo(repo), key)
    assert sorted({d.reviewer for d, _ in parsed.decisions}) == [BOB, SAM]
    assert len(parsed.decisions) == 2 * len({d.chunk_hash for d, _ in parsed.decisions})


def test_writing_notes_never_overwrites_a_concurrent_writer(solo):
    repo_path, _ = solo
    repo = GitRepo(repo_path)
    head = repo.resolve_commit("plain")
    tip = repo.write_notes(notes.NOTES_REF, {head: "a\n"}, expected_tip=None)
    assert tip is not None
    assert repo.write_notes(notes.NOTES_REF, {head: "b\n"}, expected_tip=None) is None  # ref exists now
    newer = repo.write_notes(notes.NOTES_REF, {head: "a\nc\n"}, expected_tip=tip)
    assert repo.write_notes(notes.NOTES_REF, {head: "lost\n"}, expected_tip=tip) is None
    assert repo.notes_at(newer).notes == {head: b"a\nc\n"} and repo.reference_target(notes.NOTES_REF) == newer


def test_sync_fetches_merges_and_pushes_only_when_asked(team):
    tmp, bob, sam, remote = team["tmp"], team["bob"], team["sam"], team["remote"]
    bob_data, sam_data = data_dir(tmp, "bob"), data_dir(tmp, "sam")
    review(bob, bob_data, BOB)
    review(sam, sam_data, SAM)
    # Fetching from a remote without notes yet is fine; --push runs git push.
    pushed = run_cli(["sync", "--repo", str(bob), "--fetch", "origin", "--push", "origin"], bob_data)
    assert pushed.exit_code == 0, pushed.output
    assert "origin has no review notes yet" in pushed.stderr
    assert git(remote, "for-each-ref", "--format=%(refname)", "refs/notes") == "refs/notes/review-tui\n"
    # Sam fetches Bob's notes, merges them with cat_sort_uniq, exports hers and pushes the merge.
    both = run_cli(["sync", "--repo", str(sam), "--fetch", "origin", "--push", "origin"], sam_data)
    assert both.exit_code == 0, both.output
    assert "imported 3 decision(s)" in both.stdout and "exported 3 record(s)" in both.stdout
    assert "records are exported unsigned" in both.stderr
    assert "$ git notes --ref=review-tui " + " ".join(MERGE) in both.stderr
    # Bob only fetches: Sam's records arrive, and check passes on his machine.
    fetched = run_cli(["sync", "--repo", str(bob), "--fetch", "origin"], bob_data)
    assert "imported 3 decision(s)" in fetched.stdout
    assert "git push origin refs/notes/review-tui" in fetched.stdout  # the push is only printed
    assert "To share your records with the team (review-tui never pushes unasked):" in fetched.stdout
    assert "exported unsigned" not in fetched.stderr  # nothing was exported: no word on signing
    # Bob pushes only: the advice left is fetching, not "to share" what was just pushed
    pushed_only = run_cli(["sync", "--repo", str(bob), "--push", "origin"], bob_data)
    assert pushed_only.exit_code == 0, pushed_only.output
    assert "To share" not in pushed_only.stdout
    assert "To import the team's records too (review-tui never fetches unasked):" in pushed_only.stdout
    assert run_cli(["check", "origin/feature", "--repo", str(bob)], bob_data).exit_code == 0
    assert notes_tip(bob) == git(remote, "rev-parse", "refs/notes/review-tui").strip()


def test_sync_refuses_a_remote_that_is_not_configured(team):
    result = run_cli(["sync", "--repo", str(team["bob"]), "--push", "--upload-pack=evil"],
                     data_dir(team["tmp"], "bob"))
    assert result.exit_code == 2 and "is not a remote name" in result.stderr
    result = run_cli(["sync", "--repo", str(team["bob"]), "--fetch", "elsewhere"],
                     data_dir(team["tmp"], "bob"))
    assert result.exit_code == 2 and "no remote named 'elsewhere'" in result.stderr


def test_fetched_but_unmerged_remote_notes_are_read_by_check_and_imported_by_sync(team):
    tmp, bob, sam = team["tmp"], team["bob"], team["sam"]
    review(bob, data_dir(tmp, "bob"), BOB)
    review(sam, data_dir(tmp, "sam"), SAM)
    run_cli(["sync", "--repo", str(bob)], data_dir(tmp, "bob"))
    git(bob, "push", "-q", "origin", "refs/notes/review-tui")
    git(sam, "fetch", "-q", "origin", "refs/notes/review-tui:refs/notes/remotes/origin/review-tui")
    assert run_cli(["check", "origin/feature", "--repo", str(sam)], data_dir(tmp, "sam")).exit_code == 0
    synced = run_cli(["sync", "--repo", str(sam)], data_dir(tmp, "sam"))
    assert "imported 3 decision(s)" in synced.stdout and "remotes/origin/review-tui" in synced.stdout



def test_check_of_the_working_tree_says_uncommitted_not_a_head(tmp_path):
    """QA47 #12d: `check :worktree` printed ":worktree @ :worktree: policy NOT met"."""
    builder = SAMPLES.RepoBuilder(tmp_path / "repo")
    builder.commit("base", {"src/alpha/ops.py": ALPHA}, author=AUTHOR)
    builder.checkout()
    (builder.path / "src/alpha/ops.py").write_text(ALPHA + "\n\ndef more(x):\n    return x\n")
    said = check(builder.path, tmp_path / "data", ":worktree")
    assert said.exit_code == 1, said.output
    assert said.stdout.startswith(":worktree (uncommitted changes): policy NOT met (tier 2"), said.stdout
