"""Comment threads travel through git notes like decisions: Bob comments in his clone, Sam replies
and resolves in his, both sync through a bare remote (`git notes merge -s cat_sort_uniq`), and each
ledger ends with the same resolved thread; syncing again changes nothing."""

from __future__ import annotations

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
