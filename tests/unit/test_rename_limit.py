"""Rename detection past libgit2's limit: libgit2 compares each added file with the first `rename_limit` deleted
files in path order only, so a move of more files than that left the later ones added and deleted (saleor's
pr/19407: +74,146/-859,898 where git says +0/-785,752). Renames are found as git finds them: identical files
first, however many, then similar ones among the rest within git's diff.renameLimit."""

from __future__ import annotations

from app.core.git.cli import GitCli
from app.core.git.repo import RENAME_LIMIT, GitRepo
from tests.conftest import ALICE, BOB

MOVED = RENAME_LIMIT + 100


def git_numstat(repo: GitRepo, base: str, head: str) -> tuple[int, int, int]:
    """Files, added and deleted lines of `git diff --numstat -M` (the git CLI, config neutralised)."""
    out = GitCli(repo.repo.path).run("diff", "--numstat", "-M", base, head)
    rows = [line.split("\t", 2) for line in out.splitlines()]
    return len(rows), sum(int(a) for a, _, _ in rows), sum(int(d) for _, d, _ in rows)


def test_a_move_of_more_files_than_the_limit_pairs_every_one_as_git_does(make_repo) -> None:
    b = make_repo("big-move")
    files = {f"old/mod_{i:04}.txt": f"module {i}\n" + "".join(f"line {j} of {i}\n" for j in range(8))
             for i in range(MOVED)}
    b.commit("init", files, author=ALICE)
    b.branch("move")
    delta: dict[str, str | None] = dict.fromkeys(files)
    for path, text in files.items():
        delta["new/" + path.split("/", 1)[1]] = text
    last = f"new/mod_{MOVED - 1:04}.txt"
    delta[last] = files[f"old/mod_{MOVED - 1:04}.txt"] + "one line more\n"  # similar, not identical
    b.commit("Move old to new", delta, branch="move", author=BOB)
    repo = GitRepo(b.path)
    got = repo.diff(b.head(), b.head("move"))
    assert {f.status for f in got} == {"renamed"}
    assert len(got) == MOVED
    by_path = {f.path: f for f in got}
    assert by_path[last].old_path == f"old/mod_{MOVED - 1:04}.txt" and by_path[last].additions == 1
    only = repo.diff(b.head(), b.head("move"), context_lines=0, renames_only=True)  # calibration's (FIX132)
    assert sorted((f.old_path, f.path, f.additions) for f in only) == sorted((f.old_path, f.path, f.additions)
                                                                               for f in got)
    assert (len(got), sum(f.additions for f in got), sum(f.deletions for f in got)) == git_numstat(
        repo, b.head(), b.head("move")) == (MOVED, 1, 0)


def test_a_move_past_the_limit_with_every_file_edited_is_paired_by_basename_as_git_does(make_repo) -> None:
    """A package moved with its imports edited in every file: no file is identical, and there are more unpaired
    files than git's limit compares pairwise; git pairs each with the one deleted file of its basename."""
    b = make_repo("edited-move")
    files = {f"pkg/mod_{i:04}.py": "import pkg.util\n" + "".join(f"VALUE_{j} = {i * 100 + j}\n" for j in range(12))
             for i in range(MOVED)}
    b.commit("init", files, author=ALICE)
    b.branch("move")
    delta: dict[str, str | None] = dict.fromkeys(files)
    for path, text in files.items():
        delta["lib/" + path.split("/", 1)[1]] = text.replace("import pkg.util", "import lib.util")
    b.commit("Move pkg to lib", delta, branch="move", author=BOB)
    repo = GitRepo(b.path)
    got = repo.diff(b.head(), b.head("move"))
    assert {f.status for f in got} == {"renamed"} and len(got) == MOVED
    assert all(f.old_path == "pkg/" + f.path.split("/", 1)[1] and f.similarity >= 75 for f in got)
    # calibration's pairing (FIX132) is the same, each pair's lines counted
    only = repo.diff(b.head(), b.head("move"), context_lines=0, renames_only=True)
    assert sorted((f.old_path, f.path, f.additions, f.deletions) for f in only) == sorted(
        (f.old_path, f.path, f.additions, f.deletions) for f in got)
    assert (len(got), sum(f.additions for f in got), sum(f.deletions for f in got)) == git_numstat(
        repo, b.head(), b.head("move")) == (MOVED, MOVED, MOVED)
