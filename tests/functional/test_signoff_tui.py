"""The TUI and `check` agree on what counts (issue 15): one rule, app/storage/records.py.

A reviewer never sees "approved" in the TUI for an approval `check` refuses, and the TUI says why:
given on another change (the same edit on a copycat branch), unsigned where the policy requires
signatures, an author's own approval. Approvals made in the TUI with a signing key configured are
signed when they are made, so a local `check` under require_signatures counts them with no `sync`.
Real repositories, a real ledger, the real app through Pilot, and `check` as a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pygit2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from textual.widgets import Static

from app.analysis.analyzer import Analyzer
from app.config import UserConfig
from app.paths import ledger_path
from app.samples import load
from app.storage import signing
from app.storage.ledger import Ledger, NewDecision
from tests.cli import CLI
from tests.conftest import ALICE
from tests.functional.test_app import REVIEWER, build_app, queue_screen, settle
from tests.functional.test_change_screen import open_change

SAMPLES = load()
ANN = SAMPLES.Person("Ann Author", "ann@example.com")
GUARD = "    if not user.is_admin:\n        raise PermissionError(user)\n"
BASE = f"def charge(user, amount):\n{GUARD}    return amount\n"
DROPPED = "def charge(user, amount):\n    return amount\n"


def two_branches(root: Path, *, files: dict[str, str] | None = None, author=ANN) -> Path:
    """`feature` and `copycat` make the identical edit in separate commits."""
    b = SAMPLES.RepoBuilder(root / "repo")
    b.commit("base", {"pay.py": BASE, **(files or {})}, author=ANN)
    b.branch("feature")
    b.commit("drop the admin check", {"pay.py": DROPPED}, branch="feature", author=author)
    b.branch("copycat", at=b.head("main"))
    b.commit("same deletion", {"pay.py": DROPPED}, branch="copycat", author=author)
    b.checkout("main")
    return b.path


def read_and_approve(repo: Path, reviewer: str, change: str) -> None:
    """Read every chunk for longer than its floor and approve it, as the TUI records it."""
    analyzer = Analyzer(repo)
    detail = analyzer.detail(change)
    key, ch = analyzer.repo_key, detail.change
    with Ledger.open(ledger_path()) as ledger:
        session = ledger.start_session(reviewer, key)
        for chunk in detail.plan.chunks:
            view = ledger.open_chunk(session, key, ch.id, ch.head, chunk.content_hash, chunk.index)
            ledger.add_active_time(view, chunk.floor_seconds + 5)
            ledger.record_decision(NewDecision(session_id=session, reviewer=reviewer, repo=key, change_id=ch.id,
                                   head=ch.head, chunk_hash=chunk.content_hash, decision="approve",
                                   chunk_index=chunk.index, floor_seconds=chunk.floor_seconds))


def check(repo: Path, change: str) -> tuple[int, dict]:
    done = subprocess.run([*CLI, "check", change, "--repo", str(repo), "--json"], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    return done.returncode, json.loads(done.stdout)


def signoff_text(screen) -> str:
    """The sign-off block as one line of words (its items wrap under their own start)."""
    from tests.functional.test_change_screen import rendered

    return " ".join(rendered(screen.query_one("#signoff", Static), 300).split())


async def test_an_approval_given_on_another_change_shows_as_not_counted_with_why(tmp_path: Path) -> None:
    repo = two_branches(tmp_path)
    read_and_approve(repo, REVIEWER, "feature")
    assert check(repo, "feature")[0] == 0
    code, verdict = check(repo, "copycat")
    assert code == 1 and verdict["approvals"] == []
    app = build_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        statuses = queue_screen(app).statuses
        assert statuses["feature"] == "approved"
        assert statuses["copycat"] == "not counted: elsewhere"  # never "approved": check refuses it
        screen = await open_change(pilot, "copycat")
        assert list(screen.chunk_states.values()) == ["elsewhere"]
        text = signoff_text(screen)
        assert "policy NOT met" in text and "given on another change (feature)" in text
        assert screen.outcome is not None and screen.outcome.result.approvals == verdict["approvals"] == []


async def test_an_authors_own_approval_is_shown_as_own_change_not_approved(tmp_path: Path) -> None:
    me = SAMPLES.Person("Reviewer", REVIEWER)
    repo = two_branches(tmp_path, author=me)
    read_and_approve(repo, REVIEWER, "feature")
    code, verdict = check(repo, "feature")
    assert code == 1 and verdict["self_approvals"] == [REVIEWER]
    app = build_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert queue_screen(app).statuses["feature"] == "own change"


def ed25519_key(path: Path) -> ed25519.Ed25519PrivateKey:
    key = ed25519.Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return key


def signed_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose base requires signatures and admits REVIEWER's key; returns (repo, key file)."""
    key_file = tmp_path / "id_review"
    key = ed25519_key(key_file)
    policy = "[policy]\nrequire_signatures = true\n"
    signers = signing.signer_line([REVIEWER], key.public_key()) + "\n"
    return two_branches(tmp_path, files={".review-tui.toml": policy, ".review-tui-signers": signers}), key_file


async def test_unsigned_approvals_show_as_not_counted_where_signatures_are_required(tmp_path: Path) -> None:
    repo, _key = signed_repo(tmp_path)
    read_and_approve(repo, REVIEWER, "feature")  # recorded without a signing key: unsigned
    code, verdict = check(repo, "feature")
    assert code == 1 and any("unsigned" in line for line in verdict["not_counted"])
    app = build_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert queue_screen(app).statuses["feature"] == "not counted: unsigned"
        screen = await open_change(pilot, "feature")
        assert list(screen.chunk_states.values()) == ["unsigned"]
        assert "does not count: unsigned" in signoff_text(screen)


async def test_approvals_made_with_a_signing_key_are_signed_at_once_and_count_without_sync(tmp_path: Path) -> None:
    repo, key_file = signed_repo(tmp_path)
    app = build_app(repo, user_config=UserConfig(reviewer_email=REVIEWER, signing_key=str(key_file)))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature")
        session, detail = app.session, screen.detail
        assert session.signer is not None and detail is not None
        for chunk in detail.plan.chunks:
            session.show_chunk(detail, chunk)
            view = session._views[(detail.change.id, detail.change.head, chunk.content_hash)]
            app.ledger.add_active_time(view, chunk.floor_seconds + 5)
            session.approve(detail, chunk)
            assert session.unsigned_why is None
        session.hide_chunk()
        screen.on_screen_resume()
        await settle(pilot)
        assert set(screen.chunk_states.values()) == {"approved"}
        assert "policy met" in signoff_text(screen)
        assert session.change_status(detail.report, [c.content_hash for c in detail.plan.chunks]) == "approved"
    # A local check (no sync, no notes at all) counts the signed approvals.
    code, verdict = check(repo, "feature")
    assert code == 0 and verdict["approvals"] == [REVIEWER], verdict
    assert "refs/notes" not in subprocess.run(["git", "for-each-ref"], cwd=repo, capture_output=True,
                                              text=True).stdout


def test_stats_counts_the_approvals_check_refuses(tmp_path: Path) -> None:
    repo, _key = signed_repo(tmp_path)
    read_and_approve(repo, REVIEWER, "feature")  # unsigned where signatures are required

    def stats(*args: str) -> dict:
        done = subprocess.run([*CLI, "stats", *args, "--json"], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    with_repo = stats("--repo", str(repo))
    assert with_repo["overall"]["approvals"] == 1 and with_repo["overall"]["not_counted"] == 1
    assert [r["not_counted"] for r in with_repo["reviewers"]] == [1]
    assert stats("--all")["overall"]["not_counted"] is None  # no repository: what check counts is unknown
    text = subprocess.run([*CLI, "stats", "--repo", str(repo)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"}).stdout
    assert "1 approval of pending changes does not count for `review-tui check`" in text


async def test_a_key_that_needs_a_passphrase_never_prompts_in_the_tui(tmp_path: Path, monkeypatch) -> None:
    """Without an agent, ssh-keygen cannot unlock the key: the decision is recorded unsigned and the
    TUI says so, instead of ssh-keygen asking for a passphrase on the TUI's terminal."""
    import shutil

    import pytest

    if shutil.which("ssh-keygen") is None:
        pytest.skip("needs ssh-keygen")
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    repo, _plain = signed_repo(tmp_path)
    locked = tmp_path / "id_locked"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", str(locked)], check=True)
    app = build_app(repo, user_config=UserConfig(reviewer_email=REVIEWER, signing_key=str(locked)))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature")
        session, detail = app.session, screen.detail
        assert session.signer is not None and detail is not None
        chunk = detail.plan.chunks[0]
        session.show_chunk(detail, chunk)
        app.ledger.add_active_time(session._views[(detail.change.id, detail.change.head, chunk.content_hash)],
                                   chunk.floor_seconds + 5)
        session.approve(detail, chunk)
        assert session.unsigned_why is not None and "review-tui sync" in session.unsigned_why
        # no passphrase was typed: "incorrect passphrase supplied" read as a typo nobody made (QA42 13j)
        assert "needs its passphrase, and no ssh-agent holds it" in session.unsigned_why, session.unsigned_why
        session.hide_chunk()
    code, verdict = check(repo, "feature")
    assert code == 1 and any("unsigned" in line for line in verdict["not_counted"])


def test_whoever_commits_the_working_tree_here_is_its_author(make_repo) -> None:
    """The working tree has no commit, so it had no author: its writer's own approval passed `check
    :worktree`. Whoever will commit it here (git's user.email) is its author now."""
    repo = make_repo()
    repo.commit("base", {"pay.py": "def pay(x):\n    return x\n"}, author=ALICE)
    repo.checkout()
    subprocess.run(["git", "-C", str(repo.path), "config", "user.email", "Writer@Example.com"], check=True)
    (repo.path / "pay.py").write_text("def pay(x):\n    if x:\n        return 2 * x\n    return x\n")
    read_and_approve(repo.path, "writer@example.com", ":worktree")
    status, verdict = check(repo.path, ":worktree")
    assert status == 1 and verdict["self_approvals"] == ["writer@example.com"], verdict
    assert any("cannot approve their own change" in line for line in verdict["missing"])
    read_and_approve(repo.path, REVIEWER, ":worktree")  # someone else, at the same desk
    status, verdict = check(repo.path, ":worktree")
    assert status == 0, verdict
    # what the writer is told has no commit in it (QA46 #8: "authored or committed a commit of it")
    from app.analysis.analyzer import Analyzer
    from app.analysis.signoff import own_change_reason

    analyzer = Analyzer(repo.path)
    reason = own_change_reason(analyzer, analyzer.change(":worktree"), "writer@example.com")
    assert reason is not None and reason.startswith(
        "you (writer@example.com) are writing it (uncommitted changes on this machine are yours)")


def test_without_a_git_email_the_working_tree_is_still_its_writers(make_repo, tmp_path: Path, monkeypatch) -> None:
    """With no git user.email the TUI records decisions as unknown@localhost, and that approval of the
    working tree counted as an independent review. Now no approval by that placeholder counts (it may be
    anyone, the author too), and the tree is this machine's own writing: the reviewer this machine's
    config names cannot approve it either."""
    from app.paths import user_config_path

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.gitconfig: libgit2 ignores GIT_CONFIG_GLOBAL
    repo = make_repo()
    repo.commit("base", {"pay.py": "def pay(x):\n    return x\n"}, author=ALICE)
    repo.checkout()
    (repo.path / "pay.py").write_text("def pay(x):\n    if x:\n        return 2 * x\n    return x\n")
    read_and_approve(repo.path, "unknown@localhost", ":worktree")
    status, verdict = check(repo.path, ":worktree")
    assert status == 1 and verdict["approvals"] == [], verdict
    assert any("recorded as unknown@localhost, without a reviewer identity" in line
               for line in verdict["not_counted"]), verdict["not_counted"]
    user_config_path().parent.mkdir(parents=True, exist_ok=True)
    user_config_path().write_text('reviewer_email = "Me@Example.com"\n')
    read_and_approve(repo.path, "me@example.com", ":worktree")
    status, verdict = check(repo.path, ":worktree")
    assert status == 1 and verdict["self_approvals"] == ["me@example.com"], verdict
    read_and_approve(repo.path, REVIEWER, ":worktree")  # someone else, at the same desk
    assert check(repo.path, ":worktree")[0] == 0


def test_an_approval_without_a_reviewer_identity_counts_nowhere(tmp_path: Path) -> None:
    """Every machine with neither git's user.email nor reviewer_email records as unknown@localhost: the
    two-reviewer rule was met by a real reviewer plus that nobody (the author on a fresh laptop too).
    `check` lists it as not counted, saying why."""
    repo = two_branches(tmp_path)
    read_and_approve(repo, "unknown@localhost", "feature")
    code, verdict = check(repo, "feature")
    assert code == 1 and verdict["approvals"] == [], verdict
    assert any("unknown@localhost" in line and "does not count" in line for line in verdict["not_counted"])
    read_and_approve(repo, REVIEWER, "feature")
    assert check(repo, "feature")[0] == 0


async def test_a_change_whose_content_is_not_in_this_clone_reads_as_check_says_in_the_tui(tmp_path: Path) -> None:
    """QA44 #3: in a partial clone the queue said nothing of the missing content and the change screen's
    sign-off line ("as check sees it") could read "policy met" where `check` refuses to judge (exit 2)."""
    repo = two_branches(tmp_path)
    gone = Analyzer(repo).repo.file_at(SAMPLES.RepoBuilder(repo).head("feature"), "pay.py")
    assert gone is not None
    blob = str(pygit2.hash(gone))
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # a partial clone's unfetched blob
    read_and_approve(repo, REVIEWER, "feature")
    done = subprocess.run([*CLI, "check", "feature", "--repo", str(repo)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    assert done.returncode == 2 and "cannot judge feature: the content of 1 file is not in this clone" in done.stderr
    app = build_app(repo)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert "2 missing file content (partial or damaged clone)" in str(queue_screen(app)._summary())
        screen = await open_change(pilot, "feature")
        text = " ".join(signoff_text(screen).split())
        assert "cannot judge feature: the content of 1 file is not in this clone" in text
        assert "policy met" not in text
        # and approving a chunk of it asks, as for any read that did not happen
        detail = screen.detail
        assert detail is not None
        [chunk] = [c for c in detail.plan.chunks if "pay.py" in c.files]
        asked = app.session.approval_check(detail, chunk)
        assert asked.fast and asked.missing_files == 1
        assert asked.message.startswith("The content of 1 file is not in this clone, so it was not read")
    # `A` over an opened chunk of missing content asks too, and `y` records a rubber stamp (QA45 #9)
    app = build_app(repo)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_change(pilot, "copycat")
        await pilot.press("enter")  # the chunk screen: the chunk is opened
        await pilot.pause(0.2)
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("A")
        await pilot.pause(0.2)
        prompt = str(app.screen.query_one("#dialog-prompt", Static).render())
        assert "Some content is not in this clone, so it was not read." in prompt
        assert "Approving now is recorded as a rubber stamp." in prompt
        await pilot.press("y")
        await pilot.pause(0.2)
    with Ledger.open(ledger_path()) as ledger:
        [whole] = [d for d in ledger.iter_decisions() if d.change_id == "copycat" and d.chunk_hash is None]
    assert whole.decision == "approve" and whole.fast


def _two_slices(make_repo):
    """slice-2 built on slice-1, both pending against main."""
    b = make_repo("stack")
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    b.branch("slice-1")
    b.commit("Slice one", {"s1.py": "def one():\n    return 1\n"}, branch="slice-1", author=ANN)
    b.branch("slice-2", "slice-1")
    b.commit("Slice two", {"s2.py": "def two():\n    return 2\n"}, branch="slice-2", author=ANN)
    b.checkout()
    return b


def test_the_top_of_a_stack_passes_check_only_with_the_slices_below_it(make_repo) -> None:
    """QA48 #17: each slice of a stack is reviewed against the one below it; merging the top lands them all, so
    `check` on it is not met until every slice below is signed off too (and says which is not)."""
    b = _two_slices(make_repo)
    read_and_approve(b.path, REVIEWER, "slice-2")
    code, verdict = check(b.path, "slice-2")
    assert code == 1 and verdict["approvals"] == [REVIEWER]
    [gap] = verdict["missing"]
    assert gap.startswith("stacked on slice-1, whose work lands with it and is not signed off: needs 1 more approval")
    read_and_approve(b.path, REVIEWER, "slice-1")
    code, verdict = check(b.path, "slice-2")
    assert code == 0, verdict
    assert any("stacked on slice-1" in w for w in verdict["warnings"])


async def test_a_slice_of_a_stack_says_in_its_sign_off_that_check_needs_the_slices_below(make_repo) -> None:
    b = _two_slices(make_repo)
    app = build_app(b.path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "slice-2")
        await settle(pilot)
        said = " ".join(signoff_text(screen).split())
        assert "stacked on slice-1: check also needs its sign-off" in said, said
        header = str(screen.query_one("#change-header", Static).render())
        assert f"slice-1 {b.head('slice-1')[:10]}...{b.head('slice-2')[:10]}" in header, header
