"""Robust diffs (issue 13): a missing blob (partial or damaged clone) affects that file only, never the
rename detection of the rest, and its row says so; Python that does not parse under the running
interpreter is measured by a fallback that does not pretend every function is new."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.core.git.repo import GitRepo
from tests.conftest import ALICE, BOB

MODULE = "".join(f"def handler_{i}(event):\n    if event:\n        return {i}\n    return None\n\n\n"
                 for i in range(6))


def drop_loose_object(repo_path: Path, object_id: str) -> None:
    """What a partial clone looks like to a reader: the object is simply not there."""
    loose = repo_path / ".git" / "objects" / object_id[:2] / object_id[2:]
    assert loose.exists(), "the builder writes loose objects"
    loose.unlink()


@pytest.fixture
def moved(make_repo):
    """A branch that moves 30 files from pkg/ to lib/ (three of them edited) and edits notes.txt; the
    new blobs of notes.txt and of the edited lib/mod_11.py are then removed from the object database."""
    b = make_repo("moved")
    files = {f"pkg/mod_{i}.py": MODULE.replace("handler", f"h{i}") for i in range(30)}
    b.commit("init", {**files, "notes.txt": "v1\n"}, author=ALICE)
    b.branch("move")
    delta: dict[str, str | None] = dict.fromkeys(files)
    for path, text in files.items():
        new = "lib/" + path.split("/", 1)[1]
        delta[new] = text
    delta["lib/mod_3.py"] = files["pkg/mod_3.py"].replace("return 2", "return 20")
    delta["lib/mod_7.py"] = files["pkg/mod_7.py"] + "def extra():\n    return 1\n"
    delta["lib/mod_11.py"] = files["pkg/mod_11.py"].replace("return 4", "return 40")
    delta["notes.txt"] = "v2: a note whose blob the partial clone never fetched\n"
    b.commit("Move pkg to lib", delta, branch="move", author=BOB)
    b.checkout()
    for path in ("notes.txt", "lib/mod_11.py"):
        drop_loose_object(b.path, str(b.repo.create_blob(str(delta[path]).encode())))
    return b


def test_missing_blob_leaves_rename_detection_of_the_other_files_intact(moved) -> None:
    head = moved.head("move")
    files = GitRepo(moved.path).diff(moved.head(), head)
    by_path = {f.path: f for f in files}
    renamed = [f for f in files if f.status == "renamed"]
    assert len(renamed) == 29  # every move but the one whose new content cannot be read
    assert sum(f.additions for f in renamed) == 3 and sum(f.deletions for f in renamed) == 1
    for path in ("notes.txt", "lib/mod_11.py"):
        unreadable = by_path[path]
        assert unreadable.problem is not None and "missing" in unreadable.problem
        assert unreadable.additions == 0  # nothing is invented for content it cannot read


def test_missing_blob_row_says_so_and_the_change_still_ranks(moved) -> None:
    [report] = Analyzer(moved.path).analyze_all()
    data = report.to_json()
    assert report.error is None
    assert data["renames"] == 29
    assert data["lines_added"] == 3
    assert "missing" in data["file_problems"]["notes.txt"]
    assert "missing" in data["file_problems"]["lib/mod_11.py"]



def test_what_was_measured_without_the_content_is_not_remembered_once_it_is_fetched(moved, tmp_path) -> None:
    """A partial clone's missing blob measured as an empty file was cached as "no complexity" under its id:
    once fetched (and in every clone sharing the cache) the change kept CC+0, a lower band and floor."""
    from app.storage.cache import AnalysisCache

    with AnalysisCache.open(tmp_path / "shared.db") as cache:
        [before] = Analyzer(moved.path, cache=cache).analyze_all()
        assert "missing" in before.to_json()["file_problems"]["lib/mod_11.py"]
        moved.repo.create_blob(MODULE.replace("handler", "h11").replace("return 4", "return 40").encode())  # fetched
        [after] = Analyzer(moved.path, cache=cache).analyze_all()
    with AnalysisCache.open(tmp_path / "fresh.db") as cache:
        [fresh] = Analyzer(moved.path, cache=cache).analyze_all()
    measured = after.to_json()
    assert "lib/mod_11.py" not in measured["file_problems"]
    assert measured == fresh.to_json()


def test_a_change_measured_without_a_blob_is_cached_until_the_blob_comes(moved, tmp_path, monkeypatch) -> None:
    """QA52 #1: a report with missing blobs was never cached, so every warm `list` diffed the change again
    (lazygit's 6,184-file pr/296: 113-135 s a run). It is cached with the ids of the blobs it lacked: a warm
    run reads no diff, and once a lacked blob is in the object database (fetched) the change is measured again."""
    from app.storage.cache import AnalysisCache

    diffs: list[str] = []
    real_diff = GitRepo.diff

    def counted(repo: GitRepo, base: str, head: str, **kw):  # the real diff, counted
        diffs.append(head)
        return real_diff(repo, base, head, **kw)

    monkeypatch.setattr(GitRepo, "diff", counted)
    with AnalysisCache.open(tmp_path / "cache.db") as cache:
        [cold] = Analyzer(moved.path, cache=cache).analyze_all()
        assert diffs and "missing" in cold.to_json()["file_problems"]["lib/mod_11.py"]
        diffs.clear()
        [warm] = Analyzer(moved.path, cache=cache).analyze_all()
        assert diffs == [], "the warm run diffed the change again"
        assert warm.to_json() == cold.to_json()
        moved.repo.create_blob(MODULE.replace("handler", "h11").replace("return 4", "return 40").encode())  # fetched
        [fetched] = Analyzer(moved.path, cache=cache).analyze_all()
        assert diffs, "a blob the report lacked is here: measured again"
        assert "lib/mod_11.py" not in fetched.to_json()["file_problems"]
        assert "notes.txt" in fetched.to_json()["file_problems"]
        diffs.clear()
        [again] = Analyzer(moved.path, cache=cache).analyze_all()  # still lacking notes.txt: cached with that gap
        assert diffs == [] and again.to_json() == fetched.to_json()


def test_a_plan_made_without_the_content_is_made_again_once_it_is_fetched(moved, tmp_path) -> None:
    """QA45 #8: the plan of a change whose content was missing was cached; after the fetch `chunks`, the TUI and
    `check` kept its one "content not in this clone" chunk (70 s) and check judged that instead of refusing."""
    from app.storage.cache import AnalysisCache

    def titles(cache_path: Path) -> list[str]:
        with AnalysisCache.open(cache_path) as cache:
            return [chunk.title for chunk in Analyzer(moved.path, cache=cache).detail("move").plan.chunks]

    before = titles(tmp_path / "shared.db")
    assert any("content not in this clone" in title for title in before)
    for text in ("v2: a note whose blob the partial clone never fetched\n",  # notes.txt and lib/mod_11.py
                 MODULE.replace("handler", "h11").replace("return 4", "return 40")):
        moved.repo.create_blob(text.encode())  # fetched
    after = titles(tmp_path / "shared.db")
    assert not any("content not in this clone" in title for title in after)
    assert after == titles(tmp_path / "fresh.db")


def test_the_plan_of_a_change_measured_without_a_blob_is_cached_until_the_blob_comes(moved, tmp_path,
                                                                                   monkeypatch) -> None:
    """Issue 18: the plan of a change whose diff lacks a blob was never cached, so every open of lazygit's +3.2M-line
    pr/296 (10 blobs missing) planned it again (23 s). It is cached with the ids of the blobs it lacked, as its
    report is: the second open plans nothing and paints the cached plan; a fetched blob makes it planned again."""
    from app.storage.cache import AnalysisCache

    planned: list[str] = []
    real_plan = Analyzer._plan

    def counted(self: Analyzer, *args, **kw):  # the real planner, counted
        planned.append("plan")
        return real_plan(self, *args, **kw)

    monkeypatch.setattr(Analyzer, "_plan", counted)
    with AnalysisCache.open(tmp_path / "cache.db") as cache:
        first = Analyzer(moved.path, cache=cache).detail("move")
        assert planned and any("content not in this clone" in chunk.title for chunk in first.plan.chunks)
        planned.clear()
        again = Analyzer(moved.path, cache=cache)
        row = cache.get("plan", again._plan_key(again.change("move"), "risk"))
        assert sorted(row["missing"]) == sorted(fd.new_blob for fd in first.files if fd.problem)  # the gap it has
        outline = again.change_plan(again.change("move"))  # what the change screen paints before the diff is read
        assert outline is not None and outline.plan == first.plan
        assert again.detail("move").plan == first.plan and planned == [], "the second open planned it again"
        moved.repo.create_blob(MODULE.replace("handler", "h11").replace("return 4", "return 40").encode())  # fetched
        fetched = Analyzer(moved.path, cache=cache)
        assert fetched.cached_plan(fetched.change("move")) is None
        assert fetched.detail("move").plan != first.plan and planned, "a blob the plan lacked is here: planned again"


def test_a_chunk_whose_lines_this_clone_cannot_show_is_a_note_not_a_crash(make_repo) -> None:
    """QA45 #0: a full clone's cached plan opened in a blobless clone pointed at hunks this clone's diff has not
    got; the chunk screen crashed (IndexError) and the app exited."""
    import dataclasses

    from app.tui.chunk_lines import ChunkLines

    b = make_repo("crash")
    b.commit("init", {"mod.py": MODULE}, author=ALICE)
    b.branch("edit")
    b.commit("More", {"mod.py": MODULE.replace("return 2", "return 22")}, branch="edit", author=BOB)
    b.checkout()
    whole = Analyzer(b.path).detail("edit")
    drop_loose_object(b.path, str(b.repo.create_blob(MODULE.replace("return 2", "return 22").encode())))
    missing = Analyzer(b.path).detail("edit")
    assert missing.files[0].hunks == [] and whole.plan.chunks[0].segments
    assert [c.kind_label for c in missing.plan.chunks] == ["missing"]  # QA45 #6: unknown lines, not "no lines"
    rows = ChunkLines(dataclasses.replace(missing, plan=whole.plan)).lines(whole.plan.chunks[0])
    assert any(row.kind == "note" and "content not in this clone" in row.text for row in rows)


def test_a_file_whose_old_version_is_missing_adds_no_complexity(make_repo) -> None:
    """QA45 #1: a blobless clone holds the checked-out version but not the one before: measured as nothing,
    the old side made every function of the file "added" (CC+209 on a +27/-1 commit, raising the odds)."""
    b = make_repo("half")
    b.commit("init", {"mod.py": MODULE}, author=ALICE)
    b.branch("edit")
    b.commit("One more handler", {"mod.py": MODULE + "def extra(event):\n    return 1 if event else 0\n"},
             branch="edit", author=BOB)
    b.checkout()
    drop_loose_object(b.path, str(b.repo.create_blob(MODULE.encode())))
    [report] = Analyzer(b.path).analyze_all()
    data = report.to_json()
    assert "missing" in data["file_problems"]["mod.py"]
    assert data["complexity_added"] == 0 and data["worst_function"] is None


def test_a_partial_clone_sharing_a_full_clones_cache_still_says_what_it_lacks(make_repo, tmp_path) -> None:
    """QA45 #2: the full clone's cached report (no file problems) was served to the blobless clone: list lost its
    "file content is not in this clone" line and showed figures nobody here can read, while check refused."""
    import subprocess

    from app.storage.cache import AnalysisCache

    b = make_repo("source")
    b.commit("init", {"mod.py": MODULE}, author=ALICE)
    b.branch("edit")
    b.commit("More", {"mod.py": MODULE + "def extra(event):\n    return 1\n"}, branch="edit", author=BOB)
    b.checkout()
    subprocess.run(["git", "-C", str(b.path), "config", "uploadpack.allowFilter", "true"], check=True)
    full, partial = tmp_path / "full", tmp_path / "partial"
    subprocess.run(["git", "clone", "-q", "--no-single-branch", f"file://{b.path}", str(full)], check=True)
    subprocess.run(["git", "clone", "-q", "--no-single-branch", "--filter=blob:none", f"file://{b.path}", str(partial)],
                   check=True)
    assert GitRepo(partial).is_partial_clone and not GitRepo(full).is_partial_clone
    with AnalysisCache.open(tmp_path / "shared.db") as cache:
        [whole] = Analyzer(full, cache=cache).analyze_all()
        assert whole.to_json()["file_problems"] == {} and whole.to_json()["lines_added"] == 2
        [here] = Analyzer(partial, cache=cache).analyze_all()
    data = here.to_json()
    assert "missing" in data["file_problems"]["mod.py"] and data["lines_added"] == 0
    # and the merged-upstream check says it could not compare it (QA44 #14), on every run
    for _ in range(2):
        said = CliRunner().invoke(cli, ["list", "--repo", str(partial)], env={"REVIEW_TUI_CACHE_DIR": str(tmp_path)})
        assert "merged-upstream check could not read the content of 1 change (a partial clone)" in said.stderr


def test_check_refuses_to_judge_a_change_whose_content_is_missing(moved) -> None:
    """A CI checkout is often a partial clone: judged on the files that were there, an AI-written change
    passed as human-written. The gate says what is missing and how to fetch it, exit 2."""
    from click.testing import CliRunner

    from app.cli import cli

    for extra in ([], ["--json"]):
        done = CliRunner().invoke(cli, ["check", "move", "--repo", str(moved.path), *extra])
        assert done.exit_code == 2 and done.stdout == "", done.output
        line = done.stderr.strip()
        assert line.count("\n") == 0 and line.startswith("review-tui: error: cannot judge move: the content of 2 files")
        assert "fetch it (in a partial clone, `git diff --stat " in line


def test_list_explain_and_chunks_say_the_content_is_not_in_this_clone(moved) -> None:
    """Only check said so: list ranked the change on what was there, explain said nothing, and the plan called
    the files "mode changed" with a 10-second floor each."""
    from click.testing import CliRunner

    from app.cli import cli

    runner = CliRunner(env={"COLUMNS": "200"})
    listed = runner.invoke(cli, ["list", "--repo", str(moved.path)]).stdout
    assert ("file content is not in this clone for 1 change (a partial clone's blobs not fetched, or a damaged "
            "clone): move;") in listed
    explained = runner.invoke(cli, ["explain", "move", "--repo", str(moved.path)]).stdout
    assert "Content not in this clone: 2 files" in explained and "notes.txt: blob" in explained
    plan = runner.invoke(cli, ["chunks", "move", "--repo", str(moved.path)]).stdout
    assert "content not in this clone" in plan and "mode changed" not in plan, plan

PEP695 = """\
class Box[T]:
    def get(self) -> T:
        if self.value:
            return self.value
        return None

    def put(self, value: T) -> None:
        self.value = value


def first[T](items: list[T]) -> T:
    for item in items:
        if item:
            return item
    raise ValueError


type Pair = tuple[int, int]
"""


def _unparseable_change(make_repo, old: str, new: str):
    b = make_repo("syntax")
    b.commit("init", {"generic.py": old}, author=ALICE)
    b.branch("edit")
    b.commit("edit first", {"generic.py": new}, branch="edit", author=BOB)
    b.checkout()
    return Analyzer(b.path).detail("edit")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="PEP 695 parses from Python 3.12 on")
def test_pep695_file_under_311_is_measured_by_fallback_without_counting_every_function(make_repo) -> None:
    new = PEP695.replace("        if item:\n", "        if item and item != 0:\n")
    detail = _unparseable_change(make_repo, PEP695, new)
    fc = detail.complexity["generic.py"]
    assert fc.complexity_added == 1  # only `first` gained a branch; Box.get and Box.put did not move
    assert [name for name, _old, _new in fc.changed_functions] == ["first"]
    note = detail.report.to_json()["complexity_errors"]["generic.py"]
    assert "Python 3.11" in note and "lizard" in note and "every function" not in note


def test_python2_file_is_measured_by_fallback(make_repo) -> None:
    """Syntax no Python 3 parses (a print statement): still measured, and the why panel says how."""
    old = "def main(args):\n    if args:\n        print 'hello'\n    return 0\n\n\ndef other():\n    return 1\n"
    new = old.replace("    if args:\n", "    if args and len(args) > 1:\n")
    detail = _unparseable_change(make_repo, old, new)
    fc = detail.complexity["generic.py"]
    assert fc.complexity_added == 1
    assert "lizard" in detail.report.to_json()["complexity_errors"]["generic.py"]


def test_a_commit_pruned_since_it_was_listed_is_said_so(moved) -> None:
    """The TUI said "cannot diff bd4368a4f9..e2c7110d04: 'e2c7110d0491f782699…'": a bare KeyError."""
    from app.errors import RepoError

    repo = GitRepo(moved.path)
    head = repo.resolve_commit("refs/heads/move")
    gone = "e2c7110d0491f782699" + "0" * 21
    with pytest.raises(RepoError, match=r"^commit e2c7110d04 is no longer in the repository \(its branch deleted"):
        repo.diff(head, gone)


def test_a_merge_commits_own_diff_is_what_the_merge_introduced(make_repo) -> None:
    """QA47 #12h: the Commits tab showed a "Merge branch 'master' into ..." commit against its first parent,
    so master's new AI_POLICY.md read as the author's work. A clean merge introduces nothing; an evil merge
    its own line."""
    from app.core.git.repo import GitRepo
    from tests.conftest import ALICE

    b = make_repo()
    b.commit("init", {"app.py": "x = 1\n", "README.md": "r\n"}, author=ALICE)
    b.branch("feature")
    b.commit("feature work", {"app.py": "x = 2\n"}, branch="feature", author=ALICE)
    b.commit("AI policy", {"AI_POLICY.md": "be careful\n"}, author=ALICE)
    clean = b.commit("Merge branch 'main' into feature", {"AI_POLICY.md": "be careful\n"}, branch="feature",
                     author=ALICE, parents=[b.head("feature"), b.head("main")])
    evil = b.commit("Merge again", {"README.md": "r\nsneaked in\n"}, branch="feature", author=ALICE,
                    parents=[b.head("feature"), b.head("main")])
    repo = GitRepo(b.path)
    assert repo.commit_diff(clean) == []
    [own] = repo.commit_diff(evil)
    assert own.path == "README.md" and [line.text for line in own.added_lines()] == ["sneaked in"]


def test_the_checkouts_gitattributes_do_not_change_a_changes_figures(make_repo, tmp_path) -> None:
    """netbox marks project-static/dist/*.js `binary` in .gitattributes: libgit2 read it from the working tree (then
    the index), so pr/23005 was +13/-73 in a clone without a checkout and +6/-66 in one with it, and the cache kept
    whichever came first (QA56 F6). A change's figures are its two commits' alone, checked out or not; a file
    binary by its content stays binary."""
    import subprocess

    b = make_repo("attributes")
    png = b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256))
    b.commit("init", {"dist/app.js": "x = 1\n", "logo.png": png, ".gitattributes": "dist/*.js binary\n"},
             author=ALICE)
    b.branch("topic")
    b.commit("rebuild", {"dist/app.js": "x = 2\ny = 3\n", "logo.png": png + b"\x00"}, branch="topic", author=BOB)
    b.checkout()
    assert (b.path / ".gitattributes").exists()  # the checkout has them
    bare = tmp_path / "no-checkout"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(b.path), str(bare)], check=True)
    figures = []
    for path, topic in ((b.path, "topic"), (bare, "origin/topic")):
        repo = GitRepo(path)
        base, head = repo.resolve_commit("main" if path == b.path else "origin/main"), repo.resolve_commit(topic)
        files = {fd.path: fd for fd in repo.diff(base, head)}
        figures.append({p: (fd.binary, fd.additions, fd.deletions) for p, fd in files.items()})
        js = files["dist/app.js"]
        assert [h.origins for h in repo.hunks_again(js)] == [h.origins for h in js.hunks]
    assert figures[0] == figures[1]
    assert figures[0]["dist/app.js"] == (False, 2, 1) and figures[0]["logo.png"][0] is True
