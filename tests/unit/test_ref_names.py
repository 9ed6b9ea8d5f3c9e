"""Which remotes and notes refs a repository has, read from the ref store's files (issue 18: the TUI's start listed
every ref through libgit2 twice, for the remotes and for the notes refs, which opens every loose ref file: 4,156 of
them in a fineract clone with its pull request refs). The answers must be libgit2's, for loose and packed refs, a
symbolic ref, a broken ref file, a lock file, a folder left empty, a name that is not UTF-8, a linked worktree, and
a store this cannot read (reftable), where libgit2 answers.

Real repositories built with git; nothing mocked."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from app.core.git.cli import common_dir
from app.core.git.models import ref_text
from app.core.git.refstore import ref_store_children, ref_store_names
from app.core.git.repo import GitRepo
from app.storage.notes import notes_refs

PREFIXES = ["refs/remotes/", "refs/notes/remotes/", "refs/heads/", "refs/tags/", "refs/remotes/origin/pr/"]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Remote-tracking refs of three remotes (one named with a slash), half of them packed, a symbolic
    origin/HEAD, notes refs fetched from two remotes, and the debris a ref store can hold."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "T")
    git(path, "config", "user.email", "t@example.com")
    (path / "a.txt").write_text("a\n")
    git(path, "add", "a.txt")
    git(path, "commit", "-q", "-m", "one")
    head = git(path, "rev-parse", "HEAD")
    for number in range(6):
        git(path, "update-ref", f"refs/remotes/origin/pr/{number}", head)
    git(path, "update-ref", "refs/remotes/origin/main", head)
    git(path, "update-ref", "refs/remotes/fork/alice/topic", head)
    git(path, "update-ref", "refs/notes/remotes/origin/review-tui", head)
    git(path, "tag", "v1")
    git(path, "pack-refs", "--all")  # everything so far packed
    git(path, "update-ref", "refs/remotes/origin/pr/7", head)  # loose
    git(path, "update-ref", "refs/remotes/origin/pr/1", head)  # loose over its packed copy
    git(path, "update-ref", "refs/remotes/upstream/main", head)
    git(path, "update-ref", "refs/notes/remotes/fork/review-tui", head)
    git(path, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    refs = path / ".git" / "refs"
    (refs / "remotes" / "gone").mkdir()  # a remote's folder left empty
    (refs / "remotes" / "broken").mkdir()
    (refs / "remotes" / "broken" / "main").write_bytes(b"not an object id\n")  # libgit2 lists no such ref
    (refs / "remotes" / "upstream" / "next.lock").write_text(head + "\n")  # a lock file is not a ref
    (refs / "remotes" / "upstream" / "long").write_text("a" * 64 + "\n")  # not a SHA-1 id: not a ref to libgit2
    (refs / "remotes" / "upstream" / "bare").write_text(head)  # an id without its line break is one
    os.makedirs(os.fsencode(refs / "remotes" / "origin") + b"/caf\xe9", exist_ok=True)
    with open(os.fsencode(refs / "remotes" / "origin") + b"/caf\xe9/x", "w") as handle:  # a name not UTF-8
        handle.write(head + "\n")
    return path


def libgit2_names(path: Path, prefix: str) -> list[str]:
    return sorted(name for name in map(ref_text, GitRepo(path).repo.references) if name.startswith(prefix))


def test_names_and_remotes_are_libgit2s(repo: Path) -> None:
    git_dir = repo / ".git"
    for prefix in PREFIXES:
        assert ref_store_names(git_dir, git_dir, prefix.encode()) is not None  # the files answered, not libgit2
        assert GitRepo(repo).ref_names(prefix) == libgit2_names(repo, prefix), prefix
    assert "refs/remotes/origin/HEAD" in GitRepo(repo).ref_names("refs/remotes/")
    listed = GitRepo(repo).ref_names("refs/remotes/upstream/")
    assert "refs/remotes/upstream/bare" in listed and "refs/remotes/upstream/long" not in listed
    assert "refs/remotes/upstream/next.lock" not in listed
    remotes = {name.split("/")[2] for name in libgit2_names(repo, "refs/remotes/") if name.count("/") >= 3}
    assert ref_store_children(git_dir, git_dir, b"refs/remotes/") is not None
    assert GitRepo(repo).ref_children("refs/remotes/") == remotes == {"origin", "fork", "upstream"}
    assert notes_refs(GitRepo(repo)) == ["refs/notes/remotes/fork/review-tui", "refs/notes/remotes/origin/review-tui"]


def test_a_remote_whose_only_ref_is_packed_or_broken(repo: Path) -> None:
    """A remote known from packed-refs alone counts; one whose only loose ref libgit2 cannot read does not."""
    git(repo, "pack-refs", "--all")  # upstream/main packed now; its loose folder holds only the lock file
    assert GitRepo(repo).ref_children("refs/remotes/") == {"origin", "fork", "upstream"}
    (repo / ".git" / "refs" / "remotes" / "broken" / "main").write_text(git(repo, "rev-parse", "HEAD") + "\n")
    assert GitRepo(repo).ref_children("refs/remotes/") == {"origin", "fork", "upstream", "broken"}
    assert GitRepo(repo).ref_names("refs/remotes/broken/") == libgit2_names(repo, "refs/remotes/broken/")


def test_a_linked_worktree_reads_the_shared_refs(repo: Path, tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", "--detach", str(linked))
    git_dir = Path(GitRepo(linked).repo.path)
    assert common_dir(git_dir) != git_dir
    for prefix in PREFIXES:
        assert GitRepo(linked).ref_names(prefix) == libgit2_names(linked, prefix), prefix
    assert GitRepo(linked).ref_children("refs/remotes/") == {"origin", "fork", "upstream"}


def test_libgit2_answers_where_the_files_cannot(repo: Path) -> None:
    """A reftable store (here a stand-in folder: libgit2 still reads the files store), a per-worktree prefix and a
    symbolic link in the store are left to libgit2's listing: the same answers."""
    git_dir = repo / ".git"
    assert ref_store_names(git_dir, git_dir, b"refs/bisect/") is None
    link = git_dir / "refs" / "remotes" / "origin" / "linked"
    link.symlink_to(git_dir / "refs" / "remotes" / "origin" / "pr" / "7")
    assert ref_store_names(git_dir, git_dir, b"refs/remotes/") is None
    assert GitRepo(repo).ref_names("refs/remotes/") == libgit2_names(repo, "refs/remotes/")
    link.unlink()
    (git_dir / "reftable").mkdir()
    assert ref_store_names(git_dir, git_dir, b"refs/remotes/") is None
    assert ref_store_children(git_dir, git_dir, b"refs/remotes/") is None
    assert GitRepo(repo).ref_children("refs/remotes/") == {"origin", "fork", "upstream"}
    assert GitRepo(repo).ref_names("refs/notes/remotes/") == libgit2_names(repo, "refs/notes/remotes/")


def test_one_pass_finds_the_refs_and_the_unreadable_ones(repo: Path) -> None:
    """Discovery reads every ref once (`GitRepo.refs` with a list for the unreadable ones): the same refs, and the
    same unreadable ones, a ref to a missing object and one to a tree, as the two passes gave."""
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    (repo / ".git" / "refs" / "heads" / "lost").write_text("1" * 40 + "\n")
    (repo / ".git" / "refs" / "heads" / "a-tree").write_text(tree + "\n")
    unreadable: list[tuple[str, str, str]] = []
    assert GitRepo(repo).refs(unreadable) == GitRepo(repo).refs()
    assert unreadable == GitRepo(repo).unreadable_refs()
    assert [(name, target) for name, target, _problem in unreadable] == [
        ("refs/heads/a-tree", tree), ("refs/heads/lost", "1" * 40)]
