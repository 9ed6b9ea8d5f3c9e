"""Change discovery and `review-tui list` on real repositories, including every bad input of issue 2."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner

from app.cli import cli
from app.core.git.discovery import discover, find_change, parse_range
from app.core.git.models import WORKTREE_ID
from app.core.git.repo import GitRepo
from app.errors import ChangeNotFound, RepoError
from tests.cli import CLI
from tests.conftest import ALICE, BOB


def run_cli(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def list_json(path) -> list[dict]:
    result = run_cli("list", "--repo", str(path), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def basic(make_repo):
    """main with two commits, an unmerged feature, a merged branch, a PR ref and a remote branch."""
    b = make_repo("basic")
    b.commit("init", {"app.py": "def f():\n    return 1\n", "README.md": "# app\n"}, author=ALICE)
    b.branch("merged")
    b.commit("merged work", {"m.txt": "m\n"}, branch="merged", author=BOB)
    b.merge("main", "merged", "Merge merged", author=ALICE)
    b.branch("feature/x")
    b.commit("feature: add g", {"app.py": "def f():\n    return 1\n\n\ndef g():\n    return 2\n"},
             branch="feature/x", author=BOB)
    b.commit("main moves on", {"README.md": "# app\n\nmore\n"}, author=ALICE)
    pr = b.commit("external PR", {"contrib.py": "x = 1\n"}, ref="refs/pull/7/head", author=BOB,
                  parents=[b.head("main")], branch="pr-scratch")
    b.set_ref("refs/remotes/origin/feature/remote-only", pr)
    b.checkout()
    return b


def test_discovers_unmerged_branches_prs_and_remote_branches(basic):
    found = discover(GitRepo(basic.path))
    ids = {c.id: c.kind for c in found.changes}
    # the PR ref and the remote branch share a head: one change, the other name an alias (issue 13)
    assert ids == {"feature/x": "branch", "pull/7": "pr"}
    assert next(c for c in found.changes if c.id == "pull/7").aliases == ["origin/feature/remote-only"]
    assert found.base_ref == "main"


def test_branch_diff_is_merge_base_to_head(basic):
    data = {c["id"]: c for c in list_json(basic.path)}
    feature = data["feature/x"]
    # main moved on after the fork: its README change must not appear in the branch's diff
    assert (feature["lines_added"], feature["lines_deleted"], feature["files"]) == (4, 0, 1)
    assert feature["title"] == "feature: add g"
    assert feature["authors"] == ["Bob Example <bob@example.com>"]
    assert feature["commits"] == 1
    assert feature["base"] == basic.repo.merge_base(basic.head("main"), basic.head("feature/x")).hex \
        if hasattr(pygit2.Oid, "hex") else str(basic.repo.merge_base(basic.head("main"), basic.head("feature/x")))


def test_the_author_named_first_is_the_person_who_did_most_of_the_work(make_repo):
    """QA51 #19: hono's AES cookie encryption read "autofix-ci[bot] +1": the newest commit's author came first, a
    formatting bot's fix on top of four commits of its author. People first, then most commits, then who started."""
    from tests.conftest import SAMPLES

    bot = SAMPLES.Person("autofix-ci[bot]", "114827586+autofix-ci[bot]@users.noreply.github.com")
    b = make_repo("authors")
    b.commit("init", {"a.py": "a = 1\n"}, author=ALICE)
    b.branch("cookie")
    for i, who in enumerate((BOB, ALICE, ALICE, bot, ALICE)):
        b.commit(f"step {i}", {"a.py": f"a = {i + 2}\n"}, branch="cookie", author=who)
    b.checkout()
    [row] = [r for r in list_json(b.path) if r["id"] == "cookie"]
    assert row["authors"] == ["Alice Example <alice@example.com>", "Bob Example <bob@example.com>",
                              "autofix-ci[bot] <114827586+autofix-ci[bot]@users.noreply.github.com>"]


def test_json_schema_fields(basic):
    for item in list_json(basic.path):
        for key in ("id", "kind", "ref", "head", "base", "title", "authors", "commits", "lines_added",
                    "lines_deleted", "files"):
            assert key in item


def test_origin_head_is_preferred_base(make_repo):
    b = make_repo()
    b.commit("init", {"a": "1\n"}, author=ALICE)
    b.branch("develop")
    b.commit("dev work", {"b": "2\n"}, branch="develop", author=ALICE)
    b.branch("topic", from_branch="develop")
    b.commit("topic work", {"c": "3\n"}, branch="topic", author=BOB)
    b.set_ref("refs/remotes/origin/develop", b.head("develop"))
    b.checkout()
    b.repo.references.create("refs/remotes/origin/HEAD", "refs/remotes/origin/develop", force=True)
    found = discover(GitRepo(b.path))
    assert found.base_ref == "origin/develop"
    assert [c.id for c in found.changes] == ["topic"]  # main is an ancestor of develop: merged


def test_master_fallback_and_explicit_base(make_repo):
    b = make_repo(initial_branch="master")
    b.commit("init", {"a": "1\n"}, author=ALICE, branch="master")
    b.branch("topic", from_branch="master")
    b.commit("topic", {"a": "2\n"}, branch="topic", author=ALICE)
    b.checkout("master")
    assert discover(GitRepo(b.path)).base_ref == "master"
    assert [c.id for c in discover(GitRepo(b.path), base="topic").changes] == []


def test_a_bare_mirror_is_compared_with_the_branch_its_head_names(make_repo):
    """ansible's mirror (`git clone --mirror`): HEAD names `devel`, there is no main, master or origin/HEAD,
    and `list` stopped at "no base branch found"; a working tree's HEAD is the branch checked out, never the base."""
    b = make_repo(initial_branch="devel", bare=True)
    b.commit("init", {"a": "1\n"}, author=ALICE, branch="devel")
    b.branch("topic", from_branch="devel")
    b.commit("topic", {"a": "2\n"}, branch="topic", author=ALICE)
    b.branch("master", from_branch="devel")  # an old line: HEAD still names the default
    b.commit("old line", {"b": "1\n"}, branch="master", author=ALICE)
    found = discover(GitRepo(b.path))
    assert found.base_ref == "devel" and [c.id for c in found.changes] == ["master", "topic"]
    work = make_repo(initial_branch="devel")
    work.commit("init", {"a": "1\n"}, author=ALICE, branch="devel")
    work.checkout()
    with pytest.raises(RepoError, match="no base branch found"):
        discover(GitRepo(work.path))
    work.branch("topic", from_branch="devel")
    work.commit("topic", {"a": "2\n"}, branch="topic", author=ALICE)
    (work.path / ".git" / "index").unlink()  # as `git clone --no-checkout` leaves it: HEAD is the cloned branch
    found = discover(GitRepo(work.path))
    # and no working tree: libgit2 read the missing index as every file deleted, a critical 166-file change on click
    assert found.base_ref == "devel" and [c.id for c in found.changes] == ["topic"]
    with pytest.raises(ChangeNotFound, match="nothing was ever checked out"):
        find_change(found, WORKTREE_ID, GitRepo(work.path))


def test_a_branch_under_pr_without_a_number_is_a_branch(make_repo):
    """QA48 #13: origin/pr/gh-aw-improvements, an ordinary branch, was a pull request; origin/pr/7 (the usual
    `+refs/pull/*/head:refs/remotes/origin/pr/*` refspec) still is."""
    b = make_repo()
    b.commit("init", {"a": "1\n"}, author=ALICE)
    for i, name in enumerate(("refs/remotes/origin/pr/gh-aw-improvements", "refs/remotes/origin/pr/7")):
        b.commit(f"work {i}", {f"f{i}": "x\n"}, author=ALICE, ref=name, parents=[b.head()])
    b.checkout()
    kinds = {c.id: c.kind for c in discover(GitRepo(b.path)).changes}
    assert kinds == {"origin/pr/gh-aw-improvements": "branch", "origin/pr/7": "pr"}


def test_range_lists_each_commit(basic):
    repo = GitRepo(basic.path)
    main = basic.head("main")
    found = discover(repo, commit_range=f"{main}~2..{main}")
    assert all(c.kind == "commit" and len(c.id) == 10 for c in found.changes)
    # merge commits are left out of a range unless asked for (issue 13), and that is said
    assert [c.title for c in found.changes] == ["main moves on", "merged work"]
    assert any("1 merge commit left out" in w for w in found.warnings)
    with_merges = discover(repo, commit_range=f"{main}~2..{main}", merges=True)
    assert [c.title for c in with_merges.changes] == ["main moves on", "Merge merged", "merged work"]


@pytest.mark.parametrize("spec", ["main", "a...b", "..main", "main..", "a..b..c"])
def test_malformed_range(spec):
    with pytest.raises(RepoError, match="malformed range"):
        parse_range(spec)


def test_worktree_change_when_dirty(basic):
    (basic.path / "app.py").write_text("def f():\n    return 42\n")
    (basic.path / "staged.py").write_text("s = 1\n")
    repo = basic.repo
    repo.index.add("staged.py")
    repo.index.write()
    data = {c["id"]: c for c in list_json(basic.path)}
    wt = data[WORKTREE_ID]
    assert wt["kind"] == "worktree"
    assert (wt["lines_added"], wt["lines_deleted"], wt["files"]) == (2, 1, 2)


def test_clean_worktree_is_not_a_change(basic):
    assert WORKTREE_ID not in {c["id"] for c in list_json(basic.path)}
    said = CliRunner().invoke(cli, ["explain", WORKTREE_ID, "--repo", str(basic.path)])
    assert said.exit_code == 2 and "the working tree has no changes to tracked files" in said.output


def test_an_intent_to_add_file_counts_its_lines_in_the_worktree_change(basic):
    """`git add -N new.py`: its content is in the working tree only (an id, no object); it was taken for a
    blob missing from a partial clone and counted +0/-0."""
    (basic.path / "new.py").write_text("def new():\n    return 1\n")
    subprocess.run(["git", "-C", str(basic.path), "add", "-N", "new.py"], check=True)
    wt = {c["id"]: c for c in list_json(basic.path)}[WORKTREE_ID]
    assert (wt["lines_added"], wt["lines_deleted"], wt["files"], wt["file_problems"]) == (2, 0, 1, {})


def test_the_working_tree_is_measured_and_planned_as_the_same_edit_committed(make_repo):
    """QA46 #1: the working files had no id (libgit2 leaves them unhashed), so their complexity was never
    measured (CC+0, no worst function, the likelihood's complexity factor wrong) and their chunks were
    named without definitions. Now the same edit reads the same uncommitted as committed, and no
    object is written into the repository to get there."""
    before = "class C:\n    def allowed(self, origin):\n        return origin in self.allowed\n"
    after = ("class C:\n    def allowed(self, origin):\n        if origin.endswith('/'):\n"
             "            origin = origin[:-1]\n        return origin in self.allowed\n")
    b = make_repo("working")
    b.commit("init", {"cors.py": before}, author=ALICE)
    b.branch("fix")
    b.commit("trailing slash", {"cors.py": after}, branch="fix", author=BOB)
    b.checkout()
    (b.path / "cors.py").write_text(after)
    objects = {p.name for p in (b.path / ".git" / "objects").rglob("*") if p.is_file()}

    def explained(change_id: str) -> dict:
        said = run_cli("explain", change_id, "--json", "--repo", str(b.path))
        assert said.exit_code == 0, said.output
        return json.loads(said.stdout)

    def chunk_titles(change_id: str) -> list[str]:
        said = run_cli("chunks", change_id, "--json", "--repo", str(b.path))
        assert said.exit_code == 0, said.output
        return [c["title"] for c in json.loads(said.stdout)["chunks"]]

    working, committed = explained(WORKTREE_ID), explained("fix")
    assert working["complexity_added"] == committed["complexity_added"] == 1
    assert working["worst_function"] == committed["worst_function"]
    assert working["worst_function"]["name"] == "C.allowed"
    assert chunk_titles(WORKTREE_ID) == chunk_titles("fix") == ["cors.py: C.allowed"]
    assert {p.name for p in (b.path / ".git" / "objects").rglob("*") if p.is_file()} == objects
    # an id of content in no object (the branch has the same bytes, so the first one was its blob) serves
    # only while the file holds that content
    (b.path / "cors.py").write_text(after + "# only here\n")
    content_id = next(fd.new_blob for fd in GitRepo(b.path).diff_worktree())
    assert content_id is not None and GitRepo(b.path).blob(content_id) == (after + "# only here\n").encode()
    (b.path / "cors.py").write_text(after + "# later\n")
    with pytest.raises(RepoError, match="missing"):
        GitRepo(b.path).blob(content_id)


def test_a_conflict_in_progress_shows_the_working_file_as_git_diff_head_does(make_repo):
    """QA44 #6: a rebase stopped on a conflict; the conflicted file was "modified, no line changes" with a
    10-second floor, while `git diff HEAD` showed its conflict markers and the code between them."""
    b = make_repo("conflict")
    b.commit("init", {"args.go": "package cobra\n", "other.go": "package cobra\n"}, author=ALICE)
    b.branch("topic")
    b.commit("topic", {"args.go": "package cobra\n\nfunc topic() int { return 1 }\n"}, branch="topic", author=BOB)
    b.commit("main", {"args.go": "package cobra\n\n// main's comment\n"}, author=ALICE)
    b.checkout()
    git = ["git", "-C", str(b.path), "-c", "user.name=A", "-c", "user.email=a@x"]
    (b.path / "other.go").write_text("package cobra\n\nvar staged = 1\n")
    merged = subprocess.run([*git, "merge", "topic"], capture_output=True, text=True)
    assert merged.returncode != 0 and "CONFLICT" in merged.stdout
    expected = subprocess.run([*git, "diff", "HEAD", "--numstat"], capture_output=True, text=True).stdout
    files = {fd.path: fd for fd in GitRepo(b.path).diff_worktree()}
    assert {p: (fd.additions, fd.deletions) for p, fd in files.items()} == {
        line.split("\t")[2]: (int(line.split("\t")[0]), int(line.split("\t")[1])) for line in expected.splitlines()}
    added = [line.text for hunk in files["args.go"].hunks for line in hunk.lines if line.origin == "+"]
    assert added[0] == "<<<<<<< HEAD" and "func topic() int { return 1 }" in added


def test_a_conflict_alone_makes_the_working_tree_a_change(make_repo):
    """QA45 #7: a merge stopped with only conflicted paths (a one-commit rebase or cherry-pick, every time) had
    no :worktree change at all, though `git diff HEAD` shows the markers."""
    b = make_repo("only-conflict")
    b.commit("base", {"a.txt": "line\n"}, author=ALICE)
    b.branch("o")
    b.commit("o", {"a.txt": "line\nother\n"}, branch="o", author=BOB)
    b.commit("m", {"a.txt": "line\nmine\n"}, author=ALICE)
    b.checkout()
    git = ["git", "-C", str(b.path), "-c", "user.name=A", "-c", "user.email=a@x"]
    assert subprocess.run([*git, "merge", "o"], capture_output=True).returncode != 0
    numstat = subprocess.run([*git, "diff", "HEAD", "--numstat"], capture_output=True, text=True).stdout.split()
    worktree = {c["id"]: c for c in list_json(b.path)}[WORKTREE_ID]
    assert (worktree["lines_added"], worktree["lines_deleted"], worktree["files"]) == (int(numstat[0]),
                                                                                        int(numstat[1]), 1)


def test_a_sparse_checkouts_files_outside_its_cone_are_not_deletions(basic):
    """QA44 #1: a clean sparse checkout of httpx was a critical ":worktree" of +0/-23001 in 94 files: the
    skip-worktree files, absent on disk by design, read as deleted (git status and git diff HEAD ignore them)."""
    git = ["git", "-C", str(basic.path)]
    subprocess.run([*git, "update-index", "--skip-worktree", "README.md"], check=True)
    (basic.path / "README.md").unlink()
    assert subprocess.run([*git, "status", "--short"], capture_output=True, text=True).stdout == ""
    assert WORKTREE_ID not in {c["id"] for c in list_json(basic.path)}
    (basic.path / "app.py").write_text("def f():\n    return 2\n")
    worktree = {c["id"]: c for c in list_json(basic.path)}[WORKTREE_ID]
    assert (worktree["lines_added"], worktree["lines_deleted"], worktree["files"]) == (1, 1, 1)


def test_an_index_libgit2_cannot_read_is_said_not_taken_for_a_clean_tree(basic):
    """QA44 #2: with a split index the uncommitted edit vanished and explain said there were no changes."""
    subprocess.run(["git", "-C", str(basic.path), "update-index", "--split-index"], check=True)
    (basic.path / "app.py").write_text("def f():\n    return 2\n")
    result = CliRunner().invoke(cli, ["list", "--repo", str(basic.path), "--json"])
    assert result.exit_code == 0
    assert "review-tui: note: the working tree's changes are not shown: its index cannot be read (" in result.stderr


def test_an_orphan_branch_with_staged_files_says_it_has_nothing_to_compare_with(basic):
    """QA44 21n: `git checkout --orphan` with 125 files staged: explain said "no changes to tracked files"."""
    subprocess.run(["git", "-C", str(basic.path), "checkout", "-q", "--orphan", "qa/orphan"], check=True)
    said = CliRunner().invoke(cli, ["explain", WORKTREE_ID, "--repo", str(basic.path)])
    assert said.exit_code == 2 and "the checked-out branch has no commit yet (an orphan or new branch)" in said.output


def test_a_name_two_changes_answer_to_is_refused_naming_both(basic):
    """QA44 21m: a local branch `pull/7` beside the pull request refs/pull/7/head: `check pull/7` (README's CI
    recipe) judged the branch with no word of the pull request of the same name."""
    basic.branch("pull/7", at=basic.head("main"))
    basic.commit("a branch named like the pull request", {"x.txt": "x\n"}, branch="pull/7", author=ALICE)
    basic.checkout()
    said = CliRunner().invoke(cli, ["check", "pull/7", "--repo", str(basic.path)])
    assert said.exit_code == 2 and "'pull/7' names 2 changes at different heads: " in said.output
    assert "refs/heads/pull/7" in said.output and "refs/pull/7/head" in said.output
    assert CliRunner().invoke(cli, ["explain", "refs/pull/7/head", "--repo", str(basic.path)]).exit_code == 0


def test_a_branch_only_a_remote_with_a_slash_in_its_name_has_is_found_by_its_name(basic, tmp_path):
    """QA44 21p: `git remote add fork/alice ...`: `check qa/ai` said there was no such change although the
    remote had it (README: a branch only remotes have is named as it is there)."""
    fork = tmp_path / "fork"
    subprocess.run(["git", "clone", "-q", str(basic.path), str(fork)], check=True)
    git = ["git", "-C", str(fork), "-c", "user.name=F", "-c", "user.email=f@x"]
    subprocess.run([*git, "checkout", "-q", "-b", "qa/ai"], check=True)
    (fork / "ai.py").write_text("x = 1\n")
    subprocess.run([*git, "add", "ai.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "qa ai"], check=True)
    subprocess.run(["git", "-C", str(basic.path), "remote", "add", "fork/alice", str(fork)], check=True)
    subprocess.run(["git", "-C", str(basic.path), "fetch", "-q", "fork/alice"], check=True)
    said = CliRunner().invoke(cli, ["explain", "qa/ai", "--repo", str(basic.path), "--json"])
    assert said.exit_code == 0, said.output
    assert json.loads(said.stdout)["id"] == "fork/alice/qa/ai"


def test_detached_head_is_listed_once(basic):
    basic.repo.set_head(pygit2.Oid(hex=basic.head("feature/x")))
    ids = [c["id"] for c in list_json(basic.path)]
    assert ids.count("feature/x") == 1 and "HEAD" not in ids
    lone = basic.commit("detached work", {"z": "z\n"}, branch="feature/x", author=ALICE,
                        ref="refs/heads/tmp-for-detached")
    basic.repo.references.delete("refs/heads/tmp-for-detached")
    basic.repo.set_head(pygit2.Oid(hex=lone))
    assert "HEAD" in [c["id"] for c in list_json(basic.path)]


def test_branch_named_like_an_option(make_repo):
    b = make_repo()
    b.commit("init", {"a": "1\n"}, author=ALICE)
    b.branch("--force")
    b.commit("sneaky", {"a": "2\n"}, branch="--force", author=ALICE)
    b.checkout()
    ids = [c["id"] for c in list_json(b.path)]
    assert ids == ["--force"]
    result = run_cli("list", "--repo", str(b.path), "--base=--force", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_markup_and_control_characters_are_printed_as_text(make_repo):
    b = make_repo()
    b.commit("init", {"a": "1\n"}, author=ALICE)
    b.branch("evil")
    b.commit("[bold red]pwned[/] \x1b]0;title\x07 \x1b[2J", {"a": "2\n"}, branch="evil",
             author=SAMPLES_PERSON("[link=http://x]Mallory[/link]", "m@x"))
    b.checkout()
    result = CliRunner(env={"COLUMNS": "250"}).invoke(cli, ["list", "--repo", str(b.path)])
    assert result.exit_code == 0
    assert "[bold red]pwned[/]" in result.output
    assert "[link=http://x]" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "␛" in result.output


def SAMPLES_PERSON(name, email):
    from tests.conftest import SAMPLES

    return SAMPLES.Person(name, email)


def test_non_utf8_names_and_contents(make_repo):
    b = make_repo()
    b.commit("init", {"a": "1\n"}, author=ALICE)
    b.branch("latin1")
    b.commit(b"caf\xe9 message", {"caf\udce9.txt".encode("utf-8", "surrogateescape").decode("utf-8", "replace"):
                                  b"caf\xe9 bytes\n"}, branch="latin1", author=ALICE)
    b.checkout()
    items = list_json(b.path)
    assert items[0]["lines_added"] == 1
    assert "caf" in items[0]["title"]


def test_a_latin1_commits_author_is_read_in_its_encoding(make_repo):
    """QA44 #13: `i18n.commitEncoding=ISO-8859-1` writes the author's name in latin-1 with an encoding header;
    the subject was decoded by it and the name was not (`Jos\ufffd`)."""
    b = make_repo("latin")
    b.commit("init", {"a.txt": "a\n"}, author=ALICE)
    b.checkout()
    (b.path / "a.txt").write_text("b\n")
    name = "José".encode("latin-1")  # the bytes a latin-1 terminal gives git, as written to the commit
    env = {**os.environb, b"GIT_AUTHOR_NAME": name, b"GIT_AUTHOR_EMAIL": b"jose@x", b"GIT_COMMITTER_NAME": name,
           b"GIT_COMMITTER_EMAIL": b"jose@x"}
    (b.path.parent / "message").write_bytes("café à la mode\n".encode("latin-1"))
    subprocess.run(["git", "-C", str(b.path), "checkout", "-q", "-b", "latin"], check=True)
    subprocess.run(["git", "-C", str(b.path), "-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-qa", "-F",
                    str(b.path.parent / "message")], check=True, env=env)
    raw = subprocess.run(["git", "-C", str(b.path), "cat-file", "commit", "latin"], capture_output=True, check=True)
    assert b"encoding ISO-8859-1" in raw.stdout and "José".encode("latin-1") in raw.stdout
    [commit] = GitRepo(b.path).commits_between(b.head("main"), b.head("latin"))
    assert (commit.author_name, commit.committer_name, commit.subject) == ("José", "José", "café à la mode")


def test_non_utf8_raw_path(tmp_path):
    # A path whose bytes are not UTF-8, written with pygit2's raw tree API.
    repo = pygit2.init_repository(str(tmp_path / "raw"), initial_head="main")
    sig = pygit2.Signature("A", "a@x", 1_700_000_000, 0)
    empty = repo.TreeBuilder().write()
    base = repo.create_commit("refs/heads/main", sig, sig, "init", empty, [])
    tb = repo.TreeBuilder()
    tb.insert(b"na\xefve.txt".decode("latin-1"), repo.create_blob(b"x\n"), pygit2.GIT_FILEMODE_BLOB)
    repo.create_commit("refs/heads/raw", sig, sig, "raw name", tb.write(), [base])
    repo.checkout("refs/heads/main")
    items = list_json(tmp_path / "raw")
    assert items[0]["files"] == 1


def test_shallow_clone_reports_missing_merge_base_per_change(basic, tmp_path):
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{basic.path}", str(clone)],
                   check=True)
    repo = GitRepo(clone)
    assert repo.is_shallow
    found = discover(repo)
    errors = [c.error for c in found.changes if c.error]
    assert errors and all("shallow" in e for e in errors)
    from app.core.git.discovery import _commit_change

    for boundary in repo.shallow_commits():  # QA44 21a: it has a parent, the clone has not ("root commit")
        error = _commit_change(repo, repo.commit_info(boundary)).error
        assert error is not None and error.startswith("its parent is not in this shallow clone")
    result = run_cli("list", "--repo", str(clone), "--json")
    assert result.exit_code == 0
    assert any(item["error"] for item in json.loads(result.stdout))


def test_a_shallow_clone_cut_above_the_real_merge_base(make_repo, tmp_path):
    """QA44 #1: main's history cut above where a branch forked, an older common ancestor (a release line merged
    into main) was taken for the merge base, and the branch's one commit read as 80, with no word of why. Where
    the clone's other history holds the cut's parent (another branch made after the fork), the real merge base is
    found through it (where it cannot tell, the change says so: on click at depth 50, not reproduced here)."""
    b = make_repo("cut")
    for i in range(3):
        b.commit(f"c{i}", {"a.txt": f"{i}\n"}, author=ALICE)
    b.branch("release")
    b.commit("release fix", {"rel.txt": "1\n"}, branch="release", author=BOB)
    for i in range(3, 11):
        b.commit(f"c{i}", {"a.txt": f"{i}\n"}, author=ALICE)
    b.branch("feature")
    b.commit("feature work", {"f.txt": "x\n"}, branch="feature", author=BOB)
    for i in range(11, 21):
        b.commit(f"c{i}", {"a.txt": f"{i}\n"}, author=ALICE)
        if i == 14:
            b.branch("other")
            b.commit("other work", {"o.txt": "o\n"}, branch="other", author=BOB)
    b.merge("main", "release", "Merge release", author=ALICE)
    for i in range(21, 26):
        b.commit(f"c{i}", {"a.txt": f"{i}\n"}, author=ALICE)
    b.checkout()
    fork = b.repo.merge_base(b.head("main"), b.head("feature"))

    def feature_of(depth: int):
        clone = tmp_path / f"depth{depth}"
        subprocess.run(["git", "clone", "-q", "--depth", str(depth), "--no-single-branch", f"file://{b.path}",
                        str(clone)], check=True)
        return next(c for c in discover(GitRepo(clone)).changes if c.id.endswith("feature"))

    cut = feature_of(12)  # main is cut at c15; the feature's own history reaches back to c0
    assert cut.error is None
    # `other` (at c14, the cut's parent) reaches c10: the real merge base, where git saw only c2
    assert cut.base == str(fork) and [c.subject for c in cut.commits] == ["feature work"]
    assert cut.base_remarks.startswith("shallow clone: git's merge base with origin/main is ")
    whole = feature_of(40)
    assert whole.error is None and [c.subject for c in whole.commits] == ["feature work"] and not whole.base_remarks


def test_a_treeless_clone_has_no_history_figures_and_says_which_tree_is_missing(basic, tmp_path):
    """QA44 #5: `--filter=tree:0` (GitHub's advice for CI): every older commit's diff was missing, so the
    history read as "did not change in 90 days, 0 recent authors" as fact; a change's row showed libgit2's words."""
    subprocess.run(["git", "-C", str(basic.path), "config", "uploadpack.allowFilter", "true"], check=True)
    clone = tmp_path / "treeless"
    subprocess.run(["git", "clone", "-q", "--filter=tree:0", f"file://{basic.path}", str(clone)],
                   check=True)
    git = ["git", "-C", str(clone), "-c", "user.name=Q", "-c", "user.email=q@x"]
    subprocess.run([*git, "checkout", "-q", "-b", "qa/edit"], check=True)
    (clone / "app.py").write_text("def f():\n    return 3\n")
    subprocess.run([*git, "commit", "-qam", "local edit"], check=True)
    subprocess.run([*git, "checkout", "-q", "main"], check=True)
    repo = GitRepo(clone)
    assert repo.history_cut and not repo.is_shallow
    rows = {row["id"]: row for row in list_json(clone)}
    missing = [row for row in rows.values() if row["error"]]
    assert missing and all(": tree " in row["error"] and "is not in this clone" in row["error"] for row in missing)
    readable = [row for row in rows.values() if not row["error"]]
    assert readable  # the trees fetched with the checkout
    for row in readable:
        why = {f["name"]: f["explanation"] for f in row["factors"]}
        assert why["history"].startswith("history not available (shallow or treeless clone")
    assert GitRepo(basic.path).history_cut is False


def test_a_shallow_clone_sharing_a_full_clones_cache_has_no_history_in_any_command(basic, tmp_path):
    """QA44 #16: list served the full clone's cached history figures in a shallow clone while explain said
    "history not available": one change, two scores."""
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    full, shallow = tmp_path / "full", tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--no-single-branch", f"file://{basic.path}", str(full)], check=True)
    subprocess.run(["git", "clone", "-q", "--depth", "2", "--no-single-branch", f"file://{basic.path}", str(shallow)],
                   check=True)
    with AnalysisCache.open(tmp_path / "shared.db") as cache:
        listed_full = {r.change.id: r for r in Analyzer(full, cache=cache).analyze_all()}
        assert listed_full["origin/feature/x"].assessment.history is not None
        listed = {r.change.id: r for r in Analyzer(shallow, cache=cache).analyze_all()}
        explained = Analyzer(shallow, cache=cache).detail("origin/feature/x").report
    row = listed["origin/feature/x"]
    assert row.assessment.history is None and explained.assessment.history is None
    assert row.assessment.risk.score == explained.assessment.risk.score


def test_many_heads_are_sorted_merged_or_pending_by_one_walk_as_by_one_walk_each(make_repo, monkeypatch):
    """Above MANY_HEADS heads one walk of the base's history says which are merged already; the queue is the
    one a walk per head gives (52,185 fetched pull request refs took minutes of walks)."""
    from app.core.git import discovery as disc

    b = make_repo("many")
    trunk = [b.commit(f"c{i}", {"a.txt": f"{i}\n"}, author=ALICE) for i in range(disc.MANY_HEADS + 20)]
    for i, commit in enumerate(trunk):
        b.set_ref(f"refs/pull/{i}/head", commit)  # merged: on main already, each a head of its own
    b.branch("open-1", at=trunk[3])
    b.commit("open work", {"b.txt": "b\n"}, branch="open-1", author=BOB)
    b.set_ref("refs/pull/9999/head", b.head("open-1"))
    b.checkout()
    many = discover(GitRepo(b.path))
    monkeypatch.setattr(disc, "MANY_HEADS", 10**9)
    one_each = discover(GitRepo(b.path))
    assert [(c.id, c.aliases, c.head) for c in many.changes] == [(c.id, c.aliases, c.head) for c in one_each.changes]
    assert [c.id for c in many.changes] == ["open-1"] and many.left_out == one_each.left_out
    history = GitRepo(b.path).base_history(b.head("main"))
    assert history is not None and set(history.parents) == set(trunk)


def test_a_shallow_clone_whose_cut_only_hides_an_older_side_line_judges_the_branch(make_repo, tmp_path):
    """QA45 #3: a CI clone at depth 5 cut a side line merged into main after the branch forked; git's merge base
    was the true one, yet every such pull request carried the "may lie behind the cut" error and check refused."""
    b = make_repo("side")
    for i in range(21):
        b.commit(f"m{i}", {"f.txt": f"{i}\n"}, author=ALICE)
    b.branch("side")
    b.branch("feature")
    for i in range(10):
        b.commit(f"s{i}", {"s.txt": f"{i}\n"}, branch="side", author=BOB)
    b.merge("main", "side", "Merge side", author=ALICE)
    b.commit("t1", {"f.txt": "t1\n"}, author=ALICE)
    b.commit("f1", {"g.txt": "feat\n"}, branch="feature", author=BOB)
    b.checkout()
    subprocess.run(["git", "-C", str(b.path), "config", "uploadpack.allowFilter", "true"], check=True)
    clone = tmp_path / "d5"
    subprocess.run(["git", "clone", "-q", "--depth", "5", "--no-single-branch", f"file://{b.path}", str(clone)],
                   check=True)
    repo = GitRepo(clone)
    assert repo.shallow_commits()  # the side line is cut
    feature = next(c for c in discover(repo).changes if c.id.endswith("feature"))
    assert feature.error is None and [c.subject for c in feature.commits] == ["f1"] and not feature.base_remarks


def test_bare_repo_works_without_worktree_change(basic, tmp_path):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(basic.path), str(bare)], check=True)
    ids = {c["id"] for c in list_json(bare)}
    assert "feature/x" in ids and WORKTREE_ID not in ids
    said = CliRunner().invoke(cli, ["explain", WORKTREE_ID, "--repo", str(bare)])  # QA44 21d
    assert said.exit_code == 2 and "a bare repository has no working tree" in said.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["list", "--repo", "{tmp}"], "not a git repository"),
        (["list", "--repo", "{tmp}/missing"], "no such file or directory"),
        (["list", "--repo", "{empty}"], "no commits yet"),
        (["list", "--repo", "{basic}", "--base", "no-such-branch"],
         "--base no-such-branch: unknown revision 'no-such-branch'"),
        (["list", "--repo", "{basic}", "--range", "main"], "malformed range"),
        (["list", "--repo", "{basic}", "--range", "nope..main"], "unknown revision 'nope'"),
        # the TUI (no subcommand) checks the same before its screen, without discovering first
        (["--repo", "{tmp}"], "not a git repository"),
        (["--repo", "{empty}"], "no commits yet"),
        (["--repo", "{basic}", "--base", "no-such-branch"], "--base no-such-branch: unknown revision 'no-such-branch'"),
        (["--repo", "{basic}", "--range", "main"], "malformed range"),
        (["--repo", "{basic}", "--range", "main..nope"], "unknown revision 'nope'"),
    ],
)
def test_bad_input_gives_one_line_error_and_nonzero_exit(basic, tmp_path, args, message):
    empty = tmp_path / "empty"
    pygit2.init_repository(str(empty))
    plain = tmp_path / "plain"
    plain.mkdir()
    real = [a.format(tmp=plain, empty=empty, basic=basic.path) for a in args]
    proc = subprocess.run([*CLI, *real], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("review-tui: error:"), proc.stderr
    assert message in lines[0]
    assert "Traceback" not in proc.stderr


def test_a_pull_request_number_alone_suggests_the_names_that_end_in_it(basic):
    """QA46 #11: `explain 7` got the list of pending changes, where `pull/7` is the one meant."""
    said = CliRunner().invoke(cli, ["explain", "7", "--repo", str(basic.path)])
    assert said.exit_code == 2 and "no pending change '7' (did you mean 'pull/7'?)" in said.output
    said = CliRunner().invoke(cli, ["explain", "#7", "--repo", str(basic.path)])
    assert "(did you mean 'pull/7'?)" in said.output
    # QA50 #11: a pull request named as another clone fetches it (origin/pr/N, pr/N) finds its name here
    for other in ("origin/pr/7", "pr/7"):
        said = CliRunner().invoke(cli, ["check", other, "--repo", str(basic.path)])
        assert said.exit_code == 2 and f"no pending change '{other}' (did you mean 'pull/7'?)" in said.output


def test_a_change_is_titled_by_its_newest_subject_that_is_not_a_follow_up(make_repo):
    """QA46: the newest subject of a real pull request was often a follow-up ("Fix tests" for "Add async
    test client": 12 of 21 starlette, 77 of 88 django-rest-framework multi-commit changes). The first
    subject that says what the change is titles it; a coding agent's empty "Initial plan" does not."""
    b = make_repo("titles")
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    b.branch("client")
    for subject, text in (("Initial plan", "x = 1\n"), ("Add async test client", "x = 2\n"), ("Fix tests", "x = 3\n"),
                          ("Remove backend parameter", "x = 3.5\n"),
                          ("Address review comments", "x = 4\n"), ("Fix mypy errors", "x = 5\n")):
        b.commit(subject, {"a.py": text}, branch="client", author=BOB)
    b.branch("tidy")
    for subject, text in (("Fix typo", "y = 1\n"), ("fixup! Fix typo", "y = 2\n")):
        b.commit(subject, {"b.py": text}, branch="tidy", author=BOB)
    b.checkout()
    titles = {c.id: c.title for c in discover(GitRepo(b.path)).changes}
    assert titles["client"] == "Add async test client"
    assert titles["tidy"] == "fixup! Fix typo"  # nothing but follow-ups: the newest, as before


def test_a_change_made_on_another_branch_is_titled_from_its_authors_own_commits(make_repo):
    """QA47 #2: flask's pull requests into its long-gone `website` branch each carry that branch's 274 commits
    of 30 authors: all 39 were titled "New website; with mailinglist archives." (2010). The newest author's own
    commits title such a change, and it says it was probably made on another branch. A maintainer's push on
    top of a contributor's work (two people) keeps the contributor's title."""
    b = make_repo("carried")
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    b.branch("website")
    b.commit("New website; with mailinglist archives.", {"site/index.html": "<p>\n"}, branch="website", author=ALICE)
    for k in range(5):
        b.commit(f"Update page {k}", {f"site/p{k}.html": "<p>\n"}, branch="website",
                 author=SAMPLES_PERSON(f"Helper {k}", f"helper{k}@example.com"))
    b.branch("pr/851", "website")
    b.commit("Added Flask-Misaka to the extensions page", {"site/ext.html": "<p>\n"}, branch="pr/851", author=BOB)
    b.repo.references.delete("refs/heads/website")  # long gone: while it is there, pr/851 is stacked on it
    b.branch("pushed")
    b.commit("Add retry to the client", {"b.py": "y = 1\n"}, branch="pushed", author=BOB)
    b.commit("Update docs", {"b.py": "y = 2\n"}, branch="pushed", author=ALICE)
    b.commit("[pre-commit.ci] auto fixes", {"b.py": "y = 3\n"}, branch="pushed",
             author=SAMPLES_PERSON("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]@users.noreply.github.com"))
    b.checkout()
    changes = {c.id: c for c in discover(GitRepo(b.path)).changes}
    assert changes["pr/851"].title == "Added Flask-Misaka to the extensions page"
    assert changes["pr/851"].diff_caveat == ("probably made on another branch: Bob Example's 1 commit sits on 6 "
                                             "commits of 6 other people, which the diff holds too")
    assert changes["pushed"].title == "Add retry to the client" and not changes["pushed"].diff_caveat


def test_a_stack_of_branches_is_reviewed_slice_by_slice(make_repo):
    """QA48 #17 (pydantic-ai): realtime-slice-1 to -4, each built on the one below, were each reviewed against main
    in full: 268 hours of floor for a stack whose top alone was 96. Each slice is compared with the one below; a
    fork's copy of a branch ahead of upstream's is one branch, not a stack; a slice that merged main in since
    keeps main as its base (against the slice below it would carry main's newer work)."""
    b = make_repo("stack")
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    b.branch("slice-1")
    b.commit("Slice one, first", {"s0.py": "zero = 0\n"}, branch="slice-1", author=BOB)
    b.commit("Slice one", {"s1.py": "one = 1\n"}, branch="slice-1", author=BOB)
    b.set_ref("refs/heads/slice-1\u200b", b.head("slice-1"))  # a look-alike twin, kept apart: not a stack
    b.branch("slice-2", "slice-1")
    b.commit("Slice two", {"s2.py": "two = 2\n"}, branch="slice-2", author=BOB)
    b.commit("Slice two, tests", {"test_s2.py": "def test(): pass\n"}, branch="slice-2", author=BOB)
    b.branch("slice-3", "slice-2")
    pushed = b.commit("Slice three", {"s3.py": "three = 3\n"}, branch="slice-3", author=BOB)
    b.set_ref("refs/remotes/upstream/slice-3", pushed)  # upstream's copy of the same branch, one commit behind
    b.commit("Slice three, more", {"s3.py": "three = 33\n"}, branch="slice-3", author=BOB)
    b.commit("main moves on", {"a.py": "x = 2\n"}, author=ALICE)
    b.branch("remerged", "slice-1")
    b.merge("remerged", "main", "Merge main", author=BOB)
    b.commit("On new main", {"r.py": "r = 1\n"}, branch="remerged", author=BOB)
    b.checkout()
    changes = {c.id: c for c in discover(GitRepo(b.path)).changes}
    assert changes["slice-1"].base_note == "" and len(changes["slice-1"].commits) == 2  # the one below: whole
    assert changes["slice-1\u200b"].base_note == ""
    assert [c.subject for c in changes["slice-2"].commits] == ["Slice two, tests", "Slice two"]
    assert changes["slice-2"].base == b.head("slice-1") and changes["slice-2"].title == "Slice two"
    assert changes["slice-2"].base_note.startswith(
        f"stacked on slice-1: compared with its head {b.head('slice-1')[:10]}")
    assert "it would also carry 2 commits of slice-1" in changes["slice-2"].base_note
    assert changes["slice-3"].base == b.head("slice-2") and [c.subject for c in changes["slice-3"].commits] == [
        "Slice three, more", "Slice three"]
    assert changes["upstream/slice-3"].base_note.startswith("stacked on slice-2: ")
    assert changes["remerged"].base == b.head("main") and changes["remerged"].base_note == ""
    listed = {row["id"]: row for row in list_json(b.path)}
    assert (listed["slice-2"]["lines_added"], listed["slice-3"]["lines_added"]) == (2, 1)
    assert listed["slice-2"]["base_note"].startswith("stacked on slice-1")


def test_outside_any_repository_the_error_names_the_directory_and_the_way_out(tmp_path):
    """QA46 #10: `review-tui` run outside a clone said ".: not a git repository"."""
    proc = subprocess.run(CLI, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == (f"review-tui: error: {tmp_path.resolve()}: not a git repository (run review-tui "
                                   "inside a clone, or pass --repo PATH)")


# -- remembered history walks (issue 18: a warm run must not walk history for every branch) -------
def _discovered(found) -> list[tuple]:
    return [(c.id, c.kind, c.ref, c.head, c.base, c.title, c.error,
             [(x.id, x.message, x.parents, x.author_email, x.commit_time) for x in c.commits])
            for c in found.changes]


class _CountingWalks:
    """The real pygit2 repository, counting the history walks asked of it."""

    def __init__(self, repo) -> None:
        self._repo = repo
        self.walks = 0

    def __getattr__(self, name):
        if name in ("walk", "merge_base", "descendant_of"):
            self.walks += 1
        return getattr(self._repo, name)

    def __getitem__(self, key):  # reading one object is not a walk
        return self._repo[key]


def _repo_with(path, memo) -> tuple[GitRepo, _CountingWalks]:
    repo = GitRepo(path)
    counter = _CountingWalks(repo.repo)
    repo.repo = counter
    repo.walk_memo = memo
    return repo, counter


def test_remembered_walks_give_the_same_discovery_and_walk_nothing_warm(basic):
    from app.core.git.repo import WalkMemo

    # The merged-upstream check keeps its verdicts in the analysis cache, not in the walk memo (see
    # test_queue_merged.py::test_merged_verdicts_are_cached_by_base_and_head): here it is left out.
    plain = discover(GitRepo(basic.path), detect_merged=False)
    cold_repo, cold_walks = _repo_with(basic.path, WalkMemo())
    assert _discovered(discover(cold_repo, detect_merged=False)) == _discovered(plain)
    assert cold_walks.walks > 0 and cold_repo.walk_memo.stale
    stored = json.loads(json.dumps(cold_repo.walk_memo.to_dict()))  # as the analysis cache keeps it

    warm_repo, warm_walks = _repo_with(basic.path, WalkMemo(stored))
    assert _discovered(discover(warm_repo, detect_merged=False)) == _discovered(plain)
    assert warm_walks.walks == 0 and not warm_repo.walk_memo.stale


def test_remembered_walks_follow_moved_and_deleted_branches(basic):
    from app.core.git.repo import WalkMemo

    cold_repo, _ = _repo_with(basic.path, WalkMemo())
    discover(cold_repo)
    stored = cold_repo.walk_memo.to_dict()
    basic.commit("feature: more", {"h.py": "h = 1\n"}, branch="feature/x", author=BOB)  # the branch moves
    pygit2.Repository(str(basic.path)).references.delete("refs/remotes/origin/feature/remote-only")
    repo, walks = _repo_with(basic.path, WalkMemo(stored))
    assert _discovered(discover(repo)) == _discovered(discover(GitRepo(basic.path)))
    assert walks.walks > 0 and repo.walk_memo.stale  # the moved head was walked; the gone one is dropped
    assert len(repo.walk_memo.to_dict()["answers"]) < len(stored["answers"]) + 3


def test_walks_remembered_at_an_earlier_tip_answer_for_the_moved_base(basic):
    """After a fetch moves the base, the walks remembered at its earlier tip answer for it where that is exact
    (heads holding none of its new commits); a head that holds one (here: merged by the move) is answered too
    (an ancestor now), and the discovery is the one a cold walk gives."""
    from app.core.git.repo import WalkMemo

    earlier = basic.head("main")
    basic.branch("feature/y")
    basic.commit("feature y", {"y.py": "y = 1\n"}, branch="feature/y", author=BOB)
    basic.branch("feature/n")
    moved = basic.commit("fix n", {"n.py": "n = 1\n"}, branch="feature/n", author=ALICE)
    cold_repo, _ = _repo_with(basic.path, WalkMemo())
    assert {c.id for c in discover(cold_repo, detect_merged=False).changes} >= {"feature/n", "feature/y"}
    stored = json.loads(json.dumps(cold_repo.walk_memo.to_dict()))

    basic.set_ref("refs/heads/main", moved)  # the base moves on by one commit: feature/n's
    basic.checkout()
    plain = discover(GitRepo(basic.path), detect_merged=False)
    assert "feature/n" not in {c.id for c in plain.changes}
    repo, walks = _repo_with(basic.path, WalkMemo())
    repo.walk_memo.carry(earlier, stored, moved, GitRepo(basic.path).ids_between(earlier, moved, 10) or set())
    assert _discovered(discover(repo, detect_merged=False)) == _discovered(plain)
    cold, cold_walks = _repo_with(basic.path, WalkMemo())
    discover(cold, detect_merged=False)
    assert walks.walks == 0 < cold_walks.walks  # every answer carried over (10 walks cold)
    assert repo.walk_memo.stale  # the answers carried are kept for this base


def test_a_warm_list_reads_the_walks_from_the_cache(basic, tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_TUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REVIEW_TUI_NO_CACHE", raising=False)
    first = list_json(basic.path)
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    with AnalysisCache.open(tmp_path / "cache" / "analysis.db") as cache:
        analyzer = Analyzer(basic.path, cache=cache)
        walks = _CountingWalks(analyzer.repo.repo)
        analyzer.repo.repo = walks
        assert sorted(c.id for c in analyzer.discovery.changes) == sorted(c["id"] for c in first)
        assert walks.walks == 0


def test_the_root_commit_is_found_beside_discovery_and_kept_for_the_next_run(tmp_path: Path) -> None:
    from app.analysis.analyzer import Analyzer
    from app.samples import load
    from app.storage.cache import AnalysisCache

    builder = load().RepoBuilder(tmp_path / "repo")
    builder.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    root = builder.head()
    builder.branch("feature")
    builder.commit("more", {"b.py": "y = 2\n"}, branch="feature", author=ALICE)
    builder.commit("main moves", {"c.py": "z = 3\n"}, author=ALICE)
    with AnalysisCache.open(tmp_path / "cache.db") as cache:
        analyzer = Analyzer(builder.path, cache=cache)
        analyzer.prefetch_repo_key()
        assert analyzer._root_walk is not None  # started before discovery
        assert "feature" in [c.id for c in analyzer.discovery.changes]
        assert analyzer.repo_key == root
        again = Analyzer(builder.path, cache=cache)
        again.prefetch_repo_key()
        assert again._root_walk is None and again.repo_key == root  # from the cache: no walk


def test_finding_the_root_commit_early_leaves_a_missing_base_to_discovery(tmp_path: Path) -> None:
    from app.analysis.analyzer import Analyzer
    from app.errors import ReviewTuiError
    from app.samples import load

    builder = load().RepoBuilder(tmp_path / "repo")
    builder.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    analyzer = Analyzer(builder.path, base="no-such-branch")
    analyzer.prefetch_repo_key()  # no error here, no walk
    assert analyzer._root_walk is None
    with pytest.raises(ReviewTuiError, match="no-such-branch"):
        _ = analyzer.discovery


def test_a_symlink_change_is_shown_as_one(tmp_path):
    """A symlink whose target changed read as an ordinary modified file ("link (modified, +1 −1)")."""
    from app.analysis.analyzer import Analyzer
    from app.tui.chunk_lines import chunk_display_lines

    repo = tmp_path / "links"
    git = ["git", "-c", "user.email=a@example.com", "-c", "user.name=A", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "a.py").write_text("a = 1\n")
    (repo / "c.txt").write_text("c\n")
    (repo / "link").symlink_to("a.py")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    (repo / "link").unlink()
    (repo / "link").symlink_to("c.txt")
    detail = Analyzer(repo).detail(WORKTREE_ID)
    [fd] = detail.files
    assert fd.status_label == "symlink modified"
    rows = [row.text for row in chunk_display_lines(detail, detail.plan.chunks[0])]
    assert rows[0] == "link  (symlink modified, +1 −1)" and "a.py" in rows and "c.txt" in rows


def test_bytes_that_are_not_utf8_are_shown_as_escapes_and_stay_distinct(tmp_path):
    """Latin-1 é and ï both read "�" in the diff: now `\\xe9` and `\\xef`, as paths show such bytes."""
    from app.analysis.analyzer import Analyzer
    from app.tui.chunk_lines import chunk_display_lines

    repo = tmp_path / "latin"
    git = ["git", "-c", "user.email=a@example.com", "-c", "user.name=A", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "latin.txt").write_bytes(b"caf\xe9 latin1\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    (repo / "latin.txt").write_bytes(b"caf\xe9 latin1\nna\xefve \xe9\n")
    detail = Analyzer(repo).detail(WORKTREE_ID)
    rows = [row.text for row in chunk_display_lines(detail, detail.plan.chunks[0])]
    assert "na\\xefve \\xe9" in rows and "caf\\xe9 latin1" in rows and not any("\ufffd" in r for r in rows)


def test_a_ci_checkout_without_origin_head_or_main_uses_origin_main(make_repo, tmp_path):
    """GitHub's actions/checkout fetches origin's branches as remote-tracking refs, checks the pull
    request out detached, and sets no origin/HEAD and no local main: `check` stopped with "no base
    branch found" on every pull request of the README's workflow."""
    import subprocess

    b = make_repo()
    b.commit("init", {"a": "1\n"}, author=ALICE)
    b.branch("topic")
    b.commit("topic work", {"a": "2\n"}, branch="topic", author=BOB)
    b.checkout("main")
    ci = tmp_path / "ci"
    git = ["git", "-c", "init.defaultBranch=unused", "-C", str(ci)]
    subprocess.run(["git", "init", "-q", str(ci)], check=True)
    subprocess.run([*git, "remote", "add", "origin", str(b.path)], check=True)
    subprocess.run([*git, "fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*"], check=True)
    subprocess.run([*git, "checkout", "-q", "--detach", "origin/topic"], check=True)
    found = discover(GitRepo(ci))
    assert found.base_ref == "origin/main"
    assert [c.id for c in found.changes] == ["origin/topic"]


def test_an_older_base_on_the_default_line_says_every_change_carries_its_newer_commits(make_repo):
    """QA47 #13: `list --base v13.0.0` on rich diffed each pull request from 836 commits back, 8 minutes and
    3.8 GB, with no word of it."""
    b = make_repo("older-base")
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    old = b.head("main")
    for k in range(3):
        b.commit(f"main {k}", {"a.py": f"x = {k + 2}\n"}, author=ALICE)
    b.branch("feature")
    b.commit("feature", {"b.py": "y = 1\n"}, branch="feature", author=BOB)
    b.checkout()
    repo = GitRepo(b.path)
    found = discover(repo, base=old)
    assert [w for w in found.warnings if "behind main" in w] == [
        f"--base {old} is 3 commits behind main: each change made on main carries them all; --range {old}..main "
        "reads those commits one by one, and --base main (the default) each change alone"]
    assert not [w for w in discover(repo, base="main").warnings if "behind" in w]
    assert not [w for w in discover(repo).warnings if "behind" in w]


def test_discovery_says_how_far_it_got(make_repo):
    """QA47: flask's 2,833 refs took a minute and a half of "finding the pending changes" with no count."""
    b = make_repo("progress")
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    for k in range(3):
        b.branch(f"f{k}", "main")
        b.commit(f"work {k}", {f"f{k}.py": "y = 1\n"}, branch=f"f{k}", author=BOB)
    b.checkout()
    said: list[str] = []
    found = discover(GitRepo(b.path), progress=said.append)
    assert len(found.changes) == 3 and said[0] == "0 of 3 heads read"


def test_a_branch_that_only_merges_the_branch_it_is_stacked_on_is_hidden_as_empty(make_repo):
    """QA51 #9 (hono pull/383): a fork's "Merge pull request #1" of pending pull/382, with nothing of its own, was
    ranked as a pending change at +0/-0. Stacked on the branch it merges, its own diff is empty: it is hidden with
    the merged ones ("empty"), says why, and is still nameable; the branch below it stays pending."""
    b = make_repo("merge-only")
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    b.branch("fork-main")
    b.branch("coverage", "fork-main")
    b.commit("try adding coverage", {"ci.yml": "coverage: true\n"}, branch="coverage", author=BOB)
    b.commit("more", {"a.py": "x = 1\ny = 2\n"}, branch="coverage", author=BOB)
    b.merge("fork-main", "coverage", "Merge pull request #1 from bob/coverage", author=BOB)  # a merge commit
    b.commit("main moves on", {"b.py": "b = 1\n"}, author=ALICE)
    b.checkout()
    found = discover(GitRepo(b.path))
    assert [c.id for c in found.changes] == ["coverage"]
    [hidden] = found.merged
    assert hidden.id == "fork-main" and hidden.merged is not None and hidden.merged.how == "empty"
    assert hidden.merged.detail.startswith("stacked on coverage, which holds all of its work: nothing of its own "
                                           f"is left beyond coverage ({b.head('coverage')[:10]} to its head")
    assert hidden.stacked_on == "coverage"
    assert found.footer_lines() == ["1 merged upstream change hidden (already in main or a change they are stacked on: "
                                    "1 empty; --include-merged shows them)"]
    listed = {row["id"]: row for row in list_json(b.path)}
    assert set(listed) == {"coverage"} and listed["coverage"]["lines_added"] == 2
    result = CliRunner().invoke(cli, ["explain", "fork-main", "--repo", str(b.path)], catch_exceptions=False)
    assert result.exit_code == 0 and "fork-main changes nothing (stacked on coverage" in result.stderr
    # one that adds work of its own on top of the merge stays pending, compared with the branch below
    b.commit("own work", {"c.py": "c = 1\n"}, branch="fork-main", author=BOB)
    found = discover(GitRepo(b.path))
    assert sorted(c.id for c in found.changes) == ["coverage", "fork-main"] and not found.merged


def test_a_change_is_not_titled_by_a_commit_its_later_commit_undid(make_repo) -> None:
    """netbox's pr/22890 read "dcim: Add 300GE QSFP-DD interface type" (its oldest commit), whose two lines its second
    commit replaced: the whole diff adds the HPE Synergy interconnect type (QA56 F9). A later commit that builds on
    the first keeps the first's subject."""
    b = make_repo("undone")
    choices = "TYPE_100GE = '100gbase-x'\n"
    b.commit("init", {"choices.py": choices}, author=ALICE)
    b.branch("pr-22890")
    b.commit("dcim: Add 300GE QSFP-DD interface type",
             {"choices.py": choices + "TYPE_300GE_QSFP_DD = '300gbase-x-qsfpdd'\n# 300GE\n"}, branch="pr-22890",
             author=BOB)
    b.commit("Add HPE Synergy interconnect type", {"choices.py": choices + "TYPE_HPE_SYNERGY_INTERCONNECT = 'hpe'\n"},
             branch="pr-22890", author=BOB)
    b.branch("builds-on")
    b.commit("Add the 400GE type", {"choices.py": choices + "TYPE_400GE = '400gbase-x'\n"}, branch="builds-on",
             author=BOB)
    b.commit("Add the 400GE label", {"choices.py": choices + "TYPE_400GE = '400gbase-x'\nLABEL = '400GE'\n"},
             branch="builds-on", author=BOB)
    b.checkout()
    titles = {c.id: c.title for c in discover(GitRepo(b.path)).changes}
    assert titles == {"pr-22890": "Add HPE Synergy interconnect type", "builds-on": "Add the 400GE type"}
