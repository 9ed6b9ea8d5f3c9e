"""Comment threads travel through git notes like decisions: Bob comments in his clone, Sam replies
and resolves in his, both sync through a bare remote (`git notes merge -s cat_sort_uniq`), and each
ledger ends with the same resolved thread; syncing again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from app.analysis.analyzer import Analyzer
from app.storage import notes
from app.storage.ledger import Comment, Ledger, ThreadState
from tests.functional.test_check_sync import MERGE, data_dir, git, run_cli
from tests.functional.test_check_sync import team as team  # the fixture, used by name


def _comment(clone: Path, data: Path, reviewer: str, body: str, reply_to: str | None = None) -> Comment:
    analyzer = Analyzer(clone)
    change = analyzer.change("origin/feature")
    with Ledger.open(data / "ledger.db") as ledger:
        session = ledger.start_session(reviewer, analyzer.repo_key)
        return ledger.add_comment(session_id=session, reviewer=reviewer, repo=analyzer.repo_key,
                                  change_id=change.id, head=change.head, chunk_hash=None,
                                  path="src/alpha/ops.py", line=4, side="new", body=body, reply_to=reply_to)


def _exchange(clone: Path, data: Path) -> None:
    """Fetch the team's notes, merge them, sync the ledger, push: what a reviewer runs."""
    git(clone, "fetch", "-q", "origin", "refs/notes/review-tui:refs/notes/remotes/origin/review-tui", check=False)
    if git(clone, "show-ref", "refs/notes/remotes/origin/review-tui", check=False).strip():
        git(clone, "notes", "--ref=review-tui", *MERGE)
    result = run_cli(["sync", "--repo", str(clone)], data)
    assert result.exit_code == 0, result.output
    git(clone, "push", "-q", "origin", "refs/notes/review-tui")


def _threads(clone: Path, data: Path):
    analyzer = Analyzer(clone)
    with Ledger.open(data / "ledger.db") as ledger:
        return ledger.threads_for(analyzer.repo_key, "origin/feature")


def test_a_thread_with_a_reply_and_a_resolution_reaches_both_reviewers(team) -> None:
    bob, sam, tmp = team["bob"], team["sam"], team["tmp"]
    bob_data, sam_data = data_dir(tmp, "bob"), data_dir(tmp, "sam")
    root = _comment(bob, bob_data, "bob@example.com", "alpha2 returns -x for x <= 1: intended?")
    _exchange(bob, bob_data)
    _exchange(sam, sam_data)
    [thread] = _threads(sam, sam_data)
    assert thread.root.record_id == root.record_id and not thread.resolved
    _comment(sam, sam_data, "sam@example.com", "Yes: the sign flips on purpose.", reply_to=root.record_id)
    analyzer = Analyzer(sam)
    with Ledger.open(sam_data / "ledger.db") as ledger:
        ledger.set_thread_state(session_id=None, reviewer="sam@example.com", repo=analyzer.repo_key,
                                change_id="origin/feature", head=analyzer.change("origin/feature").head,
                                thread_id=root.record_id, resolved=True)
    _exchange(sam, sam_data)
    _exchange(bob, bob_data)
    for clone, data in ((bob, bob_data), (sam, sam_data)):
        [thread] = _threads(clone, data)
        assert [c.body for c in thread.comments] == ["alpha2 returns -x for x <= 1: intended?",
                                                     "Yes: the sign flips on purpose."]
        assert thread.resolved and thread.resolved_by is not None
        assert thread.resolved_by.reviewer == "sam@example.com"
    before = notes.read_notes(Analyzer(bob).repo, Analyzer(bob).repo_key)
    assert not before.problems and len(before.thread_states) == 1 and len(before.comments) == 2
    _exchange(bob, bob_data)  # again: nothing new anywhere
    after = notes.read_notes(Analyzer(bob).repo, Analyzer(bob).repo_key)
    assert (len(after.comments), len(after.thread_states)) == (2, 1)


def test_thread_lines_round_trip_and_bad_ones_are_reported() -> None:
    act = ThreadState(id=None, session_id=None, reviewer="o'neil+x@example.com", repo="r", change_id="feat/x y",
                      head="c" * 40, thread_id="root-1", state="resolved", created_at=1_800_000_000.5,
                      source="local", record_id="act-1")
    line = notes.format_thread_state(act)
    parsed = notes.parse_note("c" * 40, line + "\n" + line.replace("resolved", "maybe", 1).replace("act-1", "a2")
                              + "\n", "r")
    assert parsed.thread_states == [ThreadState(**{**{n: getattr(act, n) for n in act.__slots__},  # type: ignore[attr-defined]
                                                  "source": "notes"})]
    assert len(parsed.malformed) == 1 and "unknown thread state" in parsed.malformed[0]


# -- what `check` says about flags and threads ---------------------------------------------------------
from tests.functional.test_check_sync import BOB, check, review  # noqa: E402
from tests.functional.test_check_sync import solo as solo  # noqa: E402  (the fixture, used by name)


def _comment_on(repo: Path, data: Path, change: str, body: str) -> Comment:
    analyzer = Analyzer(repo)
    found = analyzer.change(change)
    with Ledger.open(data / "ledger.db") as ledger:
        return ledger.add_comment(session_id=None, reviewer=BOB, repo=analyzer.repo_key, change_id=found.id,
                                  head=found.head, chunk_hash=None, path="src/alpha/ops.py", line=5, side="new",
                                  body=body)


def test_check_shows_what_a_flag_asks_for(solo) -> None:
    repo, data = solo
    review(repo, data, BOB, "plain", decision="flag")
    analyzer = Analyzer(repo)
    with Ledger.open(data / "ledger.db") as ledger:  # the flag's note, as the TUI records it
        ledger.db.execute("UPDATE decisions SET note = 'more() must reject negative x'")
    done = check(repo, data, "plain")
    assert done.exit_code == 1
    assert "flagged by bob@example.com: more() must reject negative x" in done.stdout
    assert "flagged a chunk: more() must reject negative x" in done.stdout
    assert analyzer.repo_key


def test_check_lists_threads_and_blocks_on_open_ones_only_when_asked(solo) -> None:
    repo, data = solo
    review(repo, data, BOB, "plain")
    root = _comment_on(repo, data, "plain", "Why does more() exist at all?")
    listed = check(repo, data, "plain")
    assert listed.exit_code == 0  # open threads do not block by default...
    assert "comment threads: 1, 1 open" in listed.stdout
    assert "[open] src/alpha/ops.py:5 bob@example.com: Why does more() exist at all?" in listed.stdout
    strict = repo / ".review-tui.toml"
    git(repo, "checkout", "-q", "main")
    strict.write_text('[policy]\nseniors = ["sam@example.com"]\nopen_threads_block = true\n')
    git(repo, "commit", "-qam", "require resolved threads")
    git(repo, "checkout", "-q", "plain")
    git(repo, "rebase", "-q", "main")
    review(repo, data, BOB, "plain")  # the rebased head: approve its content again
    blocked = check(repo, data, "plain", "--json")
    assert blocked.exit_code == 1  # ...but do with open_threads_block
    verdict = json.loads(blocked.stdout)
    assert verdict["open_threads"] == 1 and "1 comment thread still open (open_threads_block)" in verdict["missing"]
    assert verdict["threads"][0]["body"] == "Why does more() exist at all?"
    analyzer = Analyzer(repo)
    with Ledger.open(data / "ledger.db") as ledger:
        ledger.set_thread_state(session_id=None, reviewer=BOB, repo=analyzer.repo_key, change_id="plain",
                                head=analyzer.change("plain").head, thread_id=root.record_id, resolved=True)
    assert check(repo, data, "plain").exit_code == 0


def test_stats_counts_comments_and_open_threads(solo, hermetic_dirs) -> None:
    repo, data = solo
    review(repo, data, BOB, "plain")
    root = _comment_on(repo, data, "plain", "first")
    _comment_on(repo, data, "plain", "second")
    analyzer = Analyzer(repo)
    with Ledger.open(data / "ledger.db") as ledger:
        ledger.add_comment(session_id=None, reviewer="sam@example.com", repo=analyzer.repo_key, change_id="plain",
                           head=analyzer.change("plain").head, chunk_hash=None, path="src/alpha/ops.py", line=5,
                           side="new", body="a reply", reply_to=root.record_id)
        ledger.set_thread_state(session_id=None, reviewer=BOB, repo=analyzer.repo_key, change_id="plain",
                                head=analyzer.change("plain").head, thread_id=root.record_id, resolved=True)
    done = run_cli(["stats", "--repo", str(repo), "--json", "--ledger", str(data / "ledger.db")], data)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["comments"] == {"comments": 3, "threads": 2, "open_threads": 1}
    text = run_cli(["stats", "--repo", str(repo), "--ledger", str(data / "ledger.db")], data)
    assert "Comments: 3 in 2 threads started, 1 still open." in " ".join(text.stdout.split())
