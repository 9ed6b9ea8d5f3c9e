"""GitRepo.patch_id without context lines (the merged-upstream check's identity) from the blobs of the files that
differ, not libgit2's diff of the two whole trees (which visits every entry of both: fineract's cold discovery
spent 87% of its time there). The answer must be the tree diff's, for every kind of change; where the per-file way
is not known to give it (a link, a submodule, a binary file, a mode change alone, a path that is not plain ASCII),
the tree diff answers as before."""

from __future__ import annotations

import pygit2
import pytest

from app.core.git import repo as repo_module
from app.core.git.repo import GitRepo
from sample_repos.builder import EXEC_MODE, GITLINK_MODE, LINK_MODE
from tests.conftest import ALICE

BODY = "".join(f"def f{i}(x):\n    if x > {i}:\n        return {i}\n    return x\n\n\n" for i in range(40))


def tree_diff_patch_id(repo: GitRepo, old: str, new: str) -> str | None:
    """What patch_id gave before: libgit2's patch id of the diff of the two whole trees."""
    a, b = (repo.repo[c].peel(pygit2.Commit).tree for c in (old, new))
    return str(a.diff_to_tree(b, context_lines=0).patchid)


CHANGES: dict[str, tuple[dict, bool]] = {
    # name: (the commit's files, whether the per-file way answers)
    "edit in a deep folder": ({"src/pkg/deep/mod.py": BODY.replace("return 7", "return 7 * 1")}, True),
    "edits in two files": ({"src/pkg/deep/mod.py": BODY.replace("> 3", ">= 3"),
                            "README.md": "# project\n\nmore words\n"}, True),
    "a new file": ({"src/pkg/new_module.py": "X = 1\nY = 2\n"}, True),
    "a deleted file": ({"docs/notes.txt": None}, True),
    "a new executable script": ({"tools/run.sh": ("#!/bin/sh\necho hi\n", EXEC_MODE)}, True),
    "content and mode changed": ({"tools/build.sh": ("#!/bin/sh\nmake all\n", EXEC_MODE)}, True),
    "no newline at the end": ({"README.md": "# project\n\nno newline"}, True),
    "whitespace only": ({"src/pkg/deep/mod.py": BODY.replace("    return x\n", "\treturn x\n")}, True),
    "mode alone": ({"tools/build.sh": ("#!/bin/sh\nmake\n", EXEC_MODE)}, False),
    "a path with a space": ({"docs/release notes.txt": "1.0\n"}, False),
    "a path that is not ASCII": ({"docs/résumé.txt": "cv\n"}, False),
    "a link": ({"latest": ("src/pkg/deep/mod.py", LINK_MODE)}, False),
    "a submodule": ({"vendor/lib": (b"a" * 40, GITLINK_MODE)}, False),
    "a binary file": ({"assets/logo.bin": b"\x00\x01\x02" * 50}, False),
    "a file and a link": ({"README.md": "# changed\n", "latest": ("README.md", LINK_MODE)}, False),
}


@pytest.fixture
def built(make_repo):
    b = make_repo("patch-ids")
    base = b.commit("init", {"src/pkg/deep/mod.py": BODY, "README.md": "# project\n", "docs/notes.txt": "n\n",
                             "tools/build.sh": "#!/bin/sh\nmake\n", "assets/keep.bin": b"\x00keep"}, author=ALICE)
    return b, base


@pytest.mark.parametrize("name", CHANGES)
def test_a_patch_id_is_the_tree_diffs_whichever_way_it_is_read(built, name) -> None:
    b, base = built
    files, by_files = CHANGES[name]
    b.branch(name.replace(" ", "-"), at=base)
    head = b.commit(name, files, branch=name.replace(" ", "-"), author=ALICE)
    repo = GitRepo(b.path)
    assert repo.patch_id(base, head, context_lines=0) == tree_diff_patch_id(repo, base, head)
    assert repo.commit_patch_id(head, context_lines=0) == tree_diff_patch_id(repo, base, head)
    trees = [repo.repo[c].peel(pygit2.Commit).tree for c in (base, head)]
    assert (repo._patch_id_of_files(*trees) is not None) is by_files  # the old code had no such way: it fails there


def test_two_equal_changes_made_on_different_versions_share_a_patch_id_and_a_different_change_does_not(built) -> None:
    """What the merged check relies on: a squash onto a moved base (other lines, same edit) is the same patch."""
    b, base = built
    b.branch("side", at=base)
    moved = b.commit("main edits elsewhere", {"src/pkg/deep/mod.py": BODY.replace("> 30", "> 31")}, author=ALICE)
    mine = b.commit("mine", {"src/pkg/deep/mod.py": BODY.replace("return 7", "return 7 * 1")}, branch="side",
                    author=ALICE)
    both = BODY.replace("> 30", "> 31")
    squash = b.commit("squash", {"src/pkg/deep/mod.py": both.replace("return 7", "return 7 * 1")}, author=ALICE)
    other = b.commit("other", {"src/pkg/deep/mod.py": both.replace("return 7", "return 7 * 2")}, author=ALICE)
    repo = GitRepo(b.path)
    ids = {c: repo.commit_patch_id(c, context_lines=0) for c in (mine, squash, other)}
    assert ids[mine] == ids[squash] != ids[other]
    assert ids[mine] == tree_diff_patch_id(repo, base, mine) and ids[squash] == tree_diff_patch_id(repo, moved, squash)


def test_a_blob_too_large_to_diff_gives_no_patch_id_either_way(built, monkeypatch) -> None:
    b, base = built
    head = b.commit("big", {"README.md": "# project\n" + "line\n" * 200}, author=ALICE)
    monkeypatch.setattr(repo_module, "MAX_DIFF_BLOB_BYTES", 100)
    assert GitRepo(b.path).patch_id(base, head, context_lines=0) is None
