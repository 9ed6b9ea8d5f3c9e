"""Issue 15, attacks 4, 6 and 7 (sync): forged review records, self-approval through other roles,
and what `sync` runs - each in real repositories made here, with real SSH keys from ssh-keygen.

4. Whoever can push refs/notes/review-tui can write any line. With `require_signatures` only records
   signed by a key the BASE commit's allowed-signers file admits for the record's reviewer count:
   unsigned forgeries, forgeries signed by the attacker's key, and a branch that adds the attacker's
   key to its own copy of the file all leave `check --notes-only` at exit 1. Real signed records
   pass, and `ssh-keygen -Y verify` accepts them.
6. A committer or a Co-authored-by of any commit of the change cannot approve it.
7. `sync --fetch` lists its git commands (ls-remote included) and the repository's config cannot
   make git run a program of its choosing (remote.*.uploadpack).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.analysis.analyzer import Analyzer
from app.samples import load
from app.storage import notes, signing
from app.storage.ledger import Ledger, NewDecision
from tests.cli import CLI

SAMPLES = load()
ANN = SAMPLES.Person("Ann Author", "ann@example.com")
BOB, SAM, MALLORY = "bob@example.com", "sam@example.com", "mallory@example.com"
pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")

POLICY = """
[policy]
seniors = ["sam@example.com"]
require_signatures = {required}

[[policy.rules]]
name = "two reviewers, one senior"
approvals = 2
senior_approvals = 1
"""


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
    done = subprocess.run(["git", *args], cwd=cwd, env=base, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def keygen(folder: Path, name: str) -> Path:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def review_tui(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REVIEW_TUI_DATA_DIR": str(home / "data"),
           "REVIEW_TUI_CONFIG_DIR": str(home / "config"), "REVIEW_TUI_NO_CACHE": "1",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def approve_all(repo: Path, home: Path, reviewer: str, change: str = "feature") -> None:
    """Approve every chunk after reading it for longer than its floor, as the TUI records it."""
    analyzer = Analyzer(repo)
    detail = analyzer.detail(change)
    key, ch = analyzer.repo_key, detail.change
    with Ledger.open(home / "data" / "ledger.db") as ledger:
        session = ledger.start_session(reviewer, key)
        for chunk in detail.plan.chunks:
            view = ledger.open_chunk(session, key, ch.id, ch.head, chunk.content_hash, chunk.index)
            ledger.add_active_time(view, chunk.floor_seconds + 5)
            ledger.record_decision(NewDecision(session_id=session, reviewer=reviewer, repo=key, change_id=ch.id,
                                   head=ch.head, chunk_hash=chunk.content_hash, decision="approve",
                                   chunk_index=chunk.index, floor_seconds=chunk.floor_seconds))


def home_of(tmp: Path, who: str, key: Path | None) -> Path:
    home = tmp / f"home-{who}"
    (home / "config").mkdir(parents=True)
    if key is not None:
        (home / "config" / "config.toml").write_text(f'signing_key = "{key}"\n')
    return home


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "keys"
    folder.mkdir()
    return {who: keygen(folder, who.split("@")[0]) for who in (BOB, SAM, MALLORY)}


def make_repo(tmp: Path, keys: dict[str, Path], *, required: bool) -> Path:
    signers = "".join(f"{who} {(keys[who].with_suffix('.pub')).read_text().strip()}\n" for who in (BOB, SAM))
    b = SAMPLES.RepoBuilder(tmp / "repo")
    b.commit("base", {".review-tui.toml": POLICY.format(required=str(required).lower()),
                      ".review-tui-signers": signers, "src/app.py": "def f(x):\n    return x\n"}, author=ANN)
    b.branch("feature")
    b.commit("feature", {"src/app.py": "def f(x):\n    if x:\n        return 1\n    return x\n"},
             branch="feature", author=ANN)
    b.checkout("main")
    return b.path


def forged_line(repo: Path, reviewer: str, key: Path | None) -> tuple[str, str]:
    """(head, a note line claiming `reviewer` approved every chunk of feature, signed by `key` if given)."""
    analyzer = Analyzer(repo)
    detail = analyzer.detail("feature")
    head = detail.change.head
    lines = []
    for n, chunk in enumerate(detail.plan.chunks):
        line = (f"review-tui/1 decision 2030-01-01T00:00:00.000000Z forged{n} {reviewer.replace('@', '%40')} "
                f"approve {chunk.content_hash} head={head} change=feature fast=0 opened=1 active=99999")
        if key is not None:
            private = signing.load_private_key(key)
            line = notes.sign_line(line, lambda data, k=private: signing.sign(data, k))
        lines.append(line)
    return head, "\n".join(lines)


def add_note(repo: Path, head: str, text: str) -> None:
    existing = subprocess.run(["git", "notes", "--ref=review-tui", "show", head], cwd=repo,
                              capture_output=True, text=True).stdout
    git(repo, "notes", "--ref=review-tui", "add", "-f", "-m", (existing + "\n" + text).strip(), head)


def test_forged_records_do_not_count_when_signatures_are_required(tmp_path: Path, keys) -> None:
    repo = make_repo(tmp_path, keys, required=True)
    bob = home_of(tmp_path, "bob", keys[BOB])
    approve_all(repo, bob, BOB)
    synced = review_tui(repo, bob, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "signing exported records with" in synced.stderr

    # Bob's exported line verifies with OpenSSH's own tool against the committed allowed signers.
    head = git(repo, "rev-parse", "feature")
    line = git(repo, "notes", "--ref=review-tui", "show", head).splitlines()[0]
    body, blob = notes.split_signature(line)
    assert blob is not None
    (tmp_path / "line.sig").write_text(signing.armor(blob))
    (tmp_path / "signers").write_text(git(repo, "show", "main:.review-tui-signers") + "\n")
    verified = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "signers"), "-I", BOB,
                               "-n", "review-tui", "-s", str(tmp_path / "line.sig")], input=body.encode(),
                              capture_output=True)
    assert verified.returncode == 0 and b"Good" in verified.stdout, verified.stderr

    ci = tmp_path / "ci-home"
    alone = review_tui(repo, ci, "check", "feature", "--notes-only")
    assert alone.returncode == 1 and "signatures: required" in alone.stdout

    # Attack: unsigned lines claiming the senior's approval (fast=0 opened=1 active=99999).
    add_note(repo, *forged_line(repo, SAM, None))
    unsigned = review_tui(repo, ci, "check", "feature", "--notes-only")
    assert unsigned.returncode == 1, unsigned.stdout
    assert "not counted: approve by sam@example.com" in unsigned.stdout and "unsigned" in unsigned.stdout

    # Attack: the same lines signed by the attacker's own key, and that key added on the branch.
    add_note(repo, *forged_line(repo, SAM, keys[MALLORY]))
    git(repo, "checkout", "-q", "feature")
    mallory_pub = keys[MALLORY].with_suffix(".pub").read_text().strip()
    with (repo / ".review-tui-signers").open("a") as handle:
        handle.write(f"{SAM} {mallory_pub}\n")
    git(repo, "commit", "-qam", "add a signer")
    git(repo, "checkout", "-q", "main")
    signed_by_mallory = review_tui(repo, ci, "check", "feature", "--notes-only")
    assert signed_by_mallory.returncode == 1, signed_by_mallory.stdout
    assert "does not allow for this reviewer" in signed_by_mallory.stdout

    # The real senior signs (and Bob looks at the branch's new chunk too): the gate opens.
    approve_all(repo, bob, BOB)
    assert review_tui(repo, bob, "sync").returncode == 0
    sam = home_of(tmp_path, "sam", keys[SAM])
    approve_all(repo, sam, SAM)
    assert review_tui(repo, sam, "sync").returncode == 0
    met = review_tui(repo, ci, "check", "feature", "--notes-only", "--json")
    assert met.returncode == 0, met.stdout
    assert sorted(json.loads(met.stdout)["approvals"]) == [BOB, SAM]


def test_a_repo_without_required_signatures_says_records_are_unauthenticated(tmp_path: Path, keys) -> None:
    repo = make_repo(tmp_path, keys, required=False)
    done = review_tui(repo, tmp_path / "ci", "check", "feature", "--notes-only")
    assert done.returncode == 1
    assert "signatures: not required" in done.stdout and "NOT authenticated" in done.stdout


@pytest.mark.parametrize("role", ["committer", "co-author"])
def test_committers_and_co_authors_cannot_approve(tmp_path: Path, keys, role: str) -> None:
    repo = make_repo(tmp_path, keys, required=False)
    git(repo, "checkout", "-q", "feature")
    (repo / "src" / "more.py").write_text("def g():\n    return 2\n")
    git(repo, "add", "-A")
    env = {"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": ANN.email}
    message = "more"
    if role == "committer":
        env.update(GIT_COMMITTER_NAME="Sam", GIT_COMMITTER_EMAIL=SAM)
    else:
        message += f"\n\nCo-authored-by: Sam Senior <{SAM}>"
    git(repo, "commit", "-qm", message, env=env)
    git(repo, "checkout", "-q", "main")
    for who in (BOB, SAM):
        home = tmp_path / "reviews"
        approve_all(repo, home, who)
    done = review_tui(repo, tmp_path / "reviews", "check", "feature", "--json")
    verdict = json.loads(done.stdout)
    assert done.returncode == 1 and verdict["self_approvals"] == [SAM], done.stdout


def test_sync_lists_its_git_commands_and_ignores_the_repos_uploadpack(tmp_path: Path, keys) -> None:
    repo = make_repo(tmp_path, keys, required=False)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil-upload-pack"
    evil.write_text(f"#!/bin/sh\ntouch {marker}\nexec git-upload-pack \"$@\"\n")
    evil.chmod(0o755)
    git(repo, "config", "remote.origin.uploadpack", str(evil))
    git(repo, "config", "core.hooksPath", str(tmp_path / "hooks"))
    done = review_tui(repo, home_of(tmp_path, "bob", None), "sync", "--fetch", "origin")
    assert done.returncode == 0, done.stderr
    listed = done.stderr.split("$ ")[0]  # printed before the first command runs
    assert "git ls-remote --upload-pack=git-upload-pack origin refs/notes/review-tui" in listed
    assert not marker.exists()


def _evil(tmp_path: Path, name: str) -> tuple[Path, Path]:
    marker = tmp_path / f"ran-{name}"
    script = tmp_path / f"evil-{name}"
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {marker}\nexit 1\n")
    script.chmod(0o755)
    return script, marker


def test_sync_runs_no_program_the_repositorys_config_names_for_fetch_or_push(tmp_path: Path, keys) -> None:
    """core.gitProxy (behind a URL the config rewrites to git://), push.gpgSign with gpg.program, and the
    hooks of a remote that is a path here all ran from `sync` (QA38: a marker was written each time)."""
    repo = make_repo(tmp_path, keys, required=False)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    hook, hook_ran = _evil(tmp_path, "hook")
    for name in ("pre-receive", "update", "post-receive", "post-update", "reference-transaction"):
        shutil.copy(hook, remote / "hooks" / name)
    gpg, gpg_ran = _evil(tmp_path, "gpg")
    git(remote, "config", "receive.certNonceSeed", "seed")  # the remote asks for signed pushes
    git(repo, "config", "push.gpgSign", "if-asked")
    git(repo, "config", "gpg.program", str(gpg))
    git(repo, "config", "user.signingkey", "ABC")
    home = home_of(tmp_path, "bob", None)
    approve_all(repo, home, BOB)
    done = review_tui(repo, home, "sync", "--push", "origin")
    assert done.returncode == 0, done.stderr
    assert not hook_ran.exists() and not gpg_ran.exists()
    assert git(remote, "for-each-ref", "refs/notes/")  # the push itself happened
    proxy, proxy_ran = _evil(tmp_path, "proxy")
    git(repo, "remote", "add", "hub", "https://github.example/acme/pay.git")
    git(repo, "config", "url.git://example.invalid/.insteadOf", "https://github.example/")
    git(repo, "config", "core.gitProxy", str(proxy))
    done = review_tui(repo, home, "sync", "--fetch", "hub")
    assert done.returncode == 2 and "Traceback" not in done.stderr  # no such host: a one-line error
    assert not proxy_ran.exists()


def test_sync_reaches_an_ssh_remote_with_the_users_ssh(tmp_path: Path, keys) -> None:
    """`-c core.sshCommand=` made git run an empty program: "fatal: unable to fork" for every git@host remote.
    The repository's own sshCommand is still never run."""
    repo = make_repo(tmp_path, keys, required=False)
    git(repo, "remote", "add", "origin", "git@example.invalid:acme/pay.git")
    theirs, theirs_ran = _evil(tmp_path, "repo-ssh")
    git(repo, "config", "core.sshCommand", str(theirs))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ours, ours_ran = _evil(tmp_path, "user-ssh")
    shutil.copy(ours, bin_dir / "ssh")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("GIT_SSH_COMMAND", None)
    env.pop("GIT_SSH", None)
    home = home_of(tmp_path, "bob", None)
    done = subprocess.run([*CLI, "sync", "--fetch", "origin"], cwd=repo, capture_output=True, text=True, timeout=120,
                          env={**env, "REVIEW_TUI_DATA_DIR": str(home / "data"),
                               "REVIEW_TUI_CONFIG_DIR": str(home / "config"), "GIT_CONFIG_GLOBAL": os.devnull,
                               "GIT_CONFIG_NOSYSTEM": "1"})
    assert done.returncode == 2 and "unable to fork" not in done.stderr, done.stderr
    assert "example.invalid" in ours_ran.read_text()  # the user's ssh was asked to connect
    assert not theirs_ran.exists()


@pytest.mark.parametrize(("window", "counts"), [
    ('valid-before="20291231Z"', False),  # the key was retired before the record (2030-01-01) was made
    ('valid-after="20300102Z"', False),  # ... or admitted only later
    ('valid-after="20291231Z",valid-before="203001011200Z"', True),
    ('valid-after="20291231",valid-before="20300102"', True),  # local time, as ssh-keygen reads it
])
def test_valid_after_and_valid_before_bound_a_key_by_the_records_time(tmp_path: Path, keys, window: str,
                                                                      counts: bool) -> None:
    """git's allowed-signers options: a key counts only for records made inside its window, and
    OpenSSH, asked about the record's time (-Overify-time), agrees."""
    bob_pub = keys[BOB].with_suffix(".pub").read_text().strip()
    signers = f'{BOB} namespaces="review-tui",{window} {bob_pub}\n'
    b = SAMPLES.RepoBuilder(tmp_path / "repo")
    b.commit("base", {".review-tui.toml": "[policy]\nrequire_signatures = true\n", ".review-tui-signers": signers,
                      "src/app.py": "def f(x):\n    return x\n"}, author=ANN)
    b.branch("feature")
    b.commit("feature", {"src/app.py": "def f(x):\n    return x + 1\n"}, branch="feature", author=ANN)
    b.checkout("main")
    head, text = forged_line(b.path, BOB, keys[BOB])  # Bob's own signed approval, made 2030-01-01T00:00Z
    add_note(b.path, head, text)
    verdict = review_tui(b.path, tmp_path / "ci", "check", "feature", "--notes-only")
    assert verdict.returncode == (0 if counts else 1), verdict.stdout + verdict.stderr
    assert ("valid-after/valid-before" in verdict.stdout) is not counts
    assert "ignored" not in verdict.stderr  # the options are understood, not skipped

    body, blob = notes.split_signature(text.splitlines()[0])
    assert blob is not None
    (tmp_path / "line.sig").write_text(signing.armor(blob))
    (tmp_path / "signers").write_text(signers)
    openssh = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "signers"), "-I", BOB, "-n",
                              "review-tui", "-s", str(tmp_path / "line.sig"), "-Overify-time=20300101000000Z"],
                             input=body.encode(), capture_output=True)
    assert (openssh.returncode == 0) is counts, openssh.stderr


def test_a_bad_validity_time_is_a_warning_naming_the_line(tmp_path: Path, keys) -> None:
    parsed = signing.AllowedSigners.parse(
        f'{BOB} valid-before="2030-01-01" {keys[BOB].with_suffix(".pub").read_text().strip()}\n', "signers")
    assert parsed.signers == [] and parsed.problems == [
        "signers: line 1: bad timestamp '2030-01-01' (YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]); ignored"]


def test_one_key_is_one_reviewer_whatever_addresses_it_may_sign_for(tmp_path: Path, keys) -> None:
    """An allowed-signers line may list several addresses for one key. Approvals signed by that key as
    bob@ and as robert@ met "two reviewers" alone; the author signing as her second address approved
    her own change. Under require_signatures the key is the person."""
    repo = make_repo(tmp_path, keys, required=True)
    bob_pub = keys[BOB].with_suffix(".pub").read_text().strip()
    ann_key = keygen(tmp_path / "keys", "ann")
    signers = (f"{BOB},robert@example.com {bob_pub}\n{SAM} {keys[SAM].with_suffix('.pub').read_text().strip()}\n"
               f"{ANN.email},ann.dev@example.com {ann_key.with_suffix('.pub').read_text().strip()}\n")
    (repo / ".review-tui-signers").write_text(signers)
    git(repo, "commit", "-qam", "signers with second addresses")
    for who, key in ((BOB, keys[BOB]), ("robert@example.com", keys[BOB])):
        home = home_of(tmp_path, who.split("@")[0], key)
        approve_all(repo, home, who)
        assert review_tui(repo, home, "sync").returncode == 0
    ci = tmp_path / "ci-home"
    verdict = json.loads(review_tui(repo, ci, "check", "feature", "--notes-only", "--json").stdout)
    assert verdict["approvals"] == [BOB], verdict["reviewers"]
    ann = home_of(tmp_path, "ann-dev", ann_key)
    approve_all(repo, ann, "ann.dev@example.com")
    assert review_tui(repo, ann, "sync").returncode == 0
    verdict = json.loads(review_tui(repo, ci, "check", "feature", "--notes-only", "--json").stdout)
    assert verdict["approvals"] == [BOB] and verdict["self_approvals"] == [ANN.email], verdict["reviewers"]
    # the author is named because the key signed as ann.dev@ may sign as her too: said (QA42 13a)
    assert any("the key that signed as ann.dev@example.com may also sign as" in w for w in verdict["warnings"]), \
        verdict["warnings"]


def test_an_authors_unsigned_approval_says_first_that_it_is_the_authors(tmp_path: Path, keys) -> None:
    """Under require_signatures the author's own approval read `not counted: ... unsigned`: the reason
    that matters, that she wrote the change, was not given."""
    repo = make_repo(tmp_path, keys, required=True)
    ann = home_of(tmp_path, "ann", None)
    approve_all(repo, ann, ANN.email)
    verdict = json.loads(review_tui(repo, ann, "check", "feature", "--json").stdout)
    [line] = [n for n in verdict["not_counted"] if ANN.email in n]
    assert "cannot approve their own change (and unsigned" in line, line
