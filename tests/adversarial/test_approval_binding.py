"""Issue 15, attack 5: an approval stays with the code that was reviewed, where it was reviewed.

A reviewer approves the deletion of an authorization check in `debug_charge()`; the author
force-pushes the branch so that the identical two lines are deleted from the real `charge()`.
Another, never-reviewed branch makes the very same deletion. Before, `check` passed both (the chunk
hash covered only the path and the changed lines). Now the chunk's binding covers the enclosing
function, nearby context, file mode and type and the raw bytes of its lines, and an approval counts
only on the change it was given on (or at one of its commits): both need a new look.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from app.analysis.analyzer import Analyzer
from app.samples import load
from app.storage.ledger import Ledger, NewDecision
from tests.cli import CLI

SAMPLES = load()
ANN = SAMPLES.Person("Ann Author", "ann@example.com")
BOB = "bob@example.com"

GUARD = "    if not user.is_admin:\n        raise PermissionError(user)\n"
BASE = (f"def charge(user, amount):\n{GUARD}    return amount\n\n\n"
        f"def debug_charge(user, amount):\n{GUARD}    return amount * 0\n")


def drop_guard_in(function: str) -> str:
    head, _, tail = BASE.partition(f"def {function}(")
    return head + f"def {function}(" + tail.replace(GUARD, "", 1)


def approve_all(repo: Path, reviewer: str, change: str, commit_range: str | None = None) -> None:
    analyzer = Analyzer(repo, commit_range=commit_range)
    detail = analyzer.detail(change)
    key, ch = analyzer.repo_key, detail.change
    with Ledger.open() as ledger:
        session = ledger.start_session(reviewer, key)
        for chunk in detail.plan.chunks:
            view = ledger.open_chunk(session, key, ch.id, ch.head, chunk.content_hash, chunk.index)
            ledger.add_active_time(view, chunk.floor_seconds + 5)
            ledger.record_decision(NewDecision(session_id=session, reviewer=reviewer, repo=key, change_id=ch.id,
                                   head=ch.head, chunk_hash=chunk.content_hash, decision="approve",
                                   chunk_index=chunk.index, floor_seconds=chunk.floor_seconds))


def check(repo: Path, change: str) -> tuple[int, dict]:
    done = subprocess.run([*CLI, "check", change, "--repo", str(repo), "--json"],
                          capture_output=True, text=True, timeout=300, env={**os.environ})
    return done.returncode, json.loads(done.stdout)


def test_an_approval_does_not_follow_the_lines_to_another_function_or_branch(tmp_path: Path) -> None:
    b = SAMPLES.RepoBuilder(tmp_path / "repo")
    b.commit("base", {"pay.py": BASE}, author=ANN)
    b.branch("feature")
    b.commit("debug: drop the admin check", {"pay.py": drop_guard_in("debug_charge")}, branch="feature",
             author=ANN)
    b.branch("copycat", at=b.head("main"))
    b.commit("same deletion", {"pay.py": drop_guard_in("debug_charge")}, branch="copycat", author=ANN)
    b.checkout("main")
    approve_all(b.path, BOB, "feature")
    code, verdict = check(b.path, "feature")
    assert code == 0, verdict
    # An unrelated branch with the identical edit: same lines, never reviewed.
    code, verdict = check(b.path, "copycat")
    assert code == 1 and verdict["approvals"] == []
    assert any("given on another change (feature)" in line for line in verdict["not_counted"])
    # The author force-pushes: the same two lines now leave the real charge().
    b.branch("feature", at=b.head("main"))
    b.commit("drop the admin check", {"pay.py": drop_guard_in("charge")}, branch="feature", author=ANN)
    b.checkout("main")
    code, verdict = check(b.path, "feature")
    assert code == 1 and verdict["approvals"] == [], verdict


def test_mode_type_and_raw_bytes_are_part_of_the_binding(tmp_path: Path) -> None:
    b = SAMPLES.RepoBuilder(tmp_path / "repo")
    b.commit("base", {"run.sh": "echo one\necho two\n", "link": "target-a\n", "latin.txt": b"caf\xe9 1\n"},
             author=ANN)
    variants = {
        "plain": {"run.sh": "echo one\necho 2\n"},
        "exec": {"run.sh": ("echo one\necho 2\n", 0o100755)},
        "text": {"link": "target-b\n"},
        "symlink": {"link": ("target-b\n", 0o120000)},
        "e9": {"latin.txt": b"caf\xe9 2\n"},
        "e8": {"latin.txt": b"caf\xe8 2\n"},
    }
    for name, files in variants.items():
        b.branch(name, at=b.head("main"))
        b.commit(name, files, branch=name, author=ANN)
    b.checkout("main")
    analyzer = Analyzer(b.path)
    hashes = {name: tuple(c.content_hash for c in analyzer.detail(name).plan.chunks) for name in variants}
    assert hashes["plain"] != hashes["exec"]  # 100644 -> 100755
    assert hashes["text"] != hashes["symlink"]  # regular file -> symlink
    assert hashes["e9"] != hashes["e8"]  # \xe9 and \xe8 both decode to U+FFFD


def test_approving_the_lower_of_two_stacked_branches_does_not_make_the_upper_one_stale(tmp_path: Path) -> None:
    """`upper` is built on `lower` (stacked pull requests): approving `lower` is not an approval of
    `upper` at an earlier content. Nobody opened `upper`: no reviewer of it is `stale`, its verdict
    names the approval as given on `lower`. The same branch approved and then pushed to stays stale."""
    b = SAMPLES.RepoBuilder(tmp_path / "repo")
    b.commit("base", {"pay.py": BASE}, author=ANN)
    b.branch("lower")
    b.commit("debug: drop the admin check", {"pay.py": drop_guard_in("debug_charge")}, branch="lower",
             author=ANN)
    b.branch("upper", at=b.head("lower"))
    b.commit("notes", {"NOTES.md": "# Notes\n\nthe debug path charges nothing\n"}, branch="upper", author=ANN)
    b.checkout("main")
    approve_all(b.path, BOB, "lower")
    assert check(b.path, "lower")[0] == 0
    code, verdict = check(b.path, "upper")
    assert code == 1 and verdict["approvals"] == [] and verdict["stale_chunks"] == [], verdict
    assert [r for r in verdict["reviewers"] if r["state"] == "stale"] == [], verdict["reviewers"]
    assert verdict["reviewers"] == [], verdict["reviewers"]
    # `lower` gets a new commit: its own approval, given at an earlier head, is stale there.
    b.commit("debug: log the charge", {"pay.py": drop_guard_in("debug_charge") + "# logged\n"}, branch="lower",
             author=ANN)
    b.checkout("main")
    code, verdict = check(b.path, "lower")
    assert code == 1 and [r["state"] for r in verdict["reviewers"]] == ["stale"], verdict["reviewers"]


def test_the_head_commit_of_a_pending_branch_names_the_branch_not_its_last_commit(tmp_path: Path) -> None:
    """A gate given the pull request's head SHA checked the last commit alone (a docs edit, approved) and
    passed, while the branch's unreviewed first commit removed an admin check."""
    b = SAMPLES.RepoBuilder(tmp_path / "repo")
    b.commit("base", {"pay.py": BASE}, author=ANN)
    b.branch("feature")
    b.commit("drop the admin check", {"pay.py": drop_guard_in("charge")}, branch="feature", author=ANN)
    head = b.commit("docs", {"README.md": "# pay\n"}, branch="feature", author=ANN)
    b.checkout("main")
    approve_all(b.path, BOB, head[:10], f"{head}^..{head}")  # the commit alone
    for name in (head, head[:7], head[:10]):
        done = subprocess.run([*CLI, "check", name, "--repo", str(b.path), "--json"], capture_output=True,
                              text=True, timeout=300)
        verdict = json.loads(done.stdout)
        assert done.returncode == 1 and verdict["change"] == "feature", verdict
        assert f"{name} is the head of feature (2 commits)" in done.stderr
