"""Already-merged detection (issue 13): a branch whose work is already in the base is "merged upstream"
even though its head is not an ancestor of the base: squash merges, cherry-picks, rebase merges.
Hidden by default, counted, shown on request, and still nameable in every command.

Each test builds the situation in a real repository: the base's copies of the branch's commits
have other ids (another parent, another committer time), as on GitHub."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.core.git import discovery
from app.core.git.discovery import discover
from app.core.git.repo import GitRepo
from tests.conftest import ALICE, BOB

APP = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(12))
UTIL = "".join(f"X{i} = {i}\n" for i in range(30))


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def list_json(path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), "--json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(autouse=True, params=["a walk per head", "the base's whole history"])
def heads_read(request, monkeypatch) -> None:
    """Every verdict the same whether discovery walks per head or, for many heads, reads the base's history."""
    if request.param == "the base's whole history":
        monkeypatch.setattr(discovery, "MANY_HEADS", 0)


@pytest.fixture(autouse=True, params=["nets walked", "nets by git"])
def nets_read(request, monkeypatch) -> None:
    """Every verdict the same whether the branches' net diffs are tree walks or one `git diff-tree` for all
    (past NETS_BY_GIT_MIN of them: issue 18)."""
    if request.param == "nets by git":
        from app.core.git import merged

        monkeypatch.setattr(merged, "NETS_BY_GIT_MIN", 0)


@pytest.fixture
def repo(make_repo):
    """main with app.py and util.py; a feature branch of two commits (one per file)."""
    b = make_repo("merged")
    b.commit("init", {"app.py": APP, "util.py": UTIL, "README.md": "# r\n"}, author=ALICE)
    b.branch("feature")
    b.commit("Faster f3", {"app.py": edit(APP, "return 3", "return 3 * 1")}, branch="feature", author=BOB)
    b.commit("More X", {"util.py": edit(UTIL, "X7 = 7", "X7 = 70")}, branch="feature", author=BOB)
    b.commit("main moves on", {"README.md": "# r\n\nmore\n"}, author=ALICE)
    return b


def feature_files(b) -> dict[str, str]:
    return {path: data.decode() for path, (data, _mode) in b.snapshots["feature"].items()
            if path in ("app.py", "util.py")}


def test_squash_merge_is_merged_upstream_even_after_later_edits_to_the_same_files(repo) -> None:
    files = feature_files(repo)
    repo.commit("Feature (#12)\n\n* Faster f3\n* More X\n", files, author=ALICE)  # the squash
    # main keeps editing the very files the squash touched, so the base no longer holds the
    # branch's versions of them: only the squash commit's patch can tell
    repo.commit("Later f9", {"app.py": edit(files["app.py"], "return 9", "return 9 + 0"),
                             "util.py": edit(files["util.py"], "X20 = 20", "X20 = 21")}, author=ALICE)
    repo.checkout()
    found = discover(GitRepo(repo.path))
    assert [c.id for c in found.changes] == []
    [merged] = found.merged
    assert merged.id == "feature" and merged.merged is not None
    assert merged.merged.how == "squash"
    assert "Feature (#12)" in merged.merged.detail  # names the base commit that holds it


def test_cherry_picked_commits_are_merged_upstream(repo) -> None:
    app = feature_files(repo)["app.py"]
    util = feature_files(repo)["util.py"]
    repo.commit("Faster f3", {"app.py": app}, author=BOB)  # picked one by one, other ids
    repo.commit("Unrelated", {"README.md": "# r\n\nmore\nand more\n"}, author=ALICE)
    repo.commit("More X", {"util.py": util}, author=BOB)
    repo.commit("Later", {"app.py": edit(app, "return 11", "return 11 + 0")}, author=ALICE)
    repo.checkout()
    found = discover(GitRepo(repo.path))
    [merged] = found.merged
    assert merged.merged.how == "patch"
    assert "2 of 2 commits" in merged.merged.detail


def test_partly_cherry_picked_branch_stays_pending(repo) -> None:
    repo.commit("Faster f3", {"app.py": feature_files(repo)["app.py"]}, author=BOB)  # only the first
    repo.checkout()
    found = discover(GitRepo(repo.path))
    assert [c.id for c in found.changes] == ["feature"]
    # its first commit is in the base already: it is compared with it, and says so (QA51: `git cherry`'s "-")
    [feature] = found.changes
    assert [c.subject for c in feature.commits] == ["More X"] and feature.partly_merged == ""
    assert feature.base_remarks.startswith("its first commit (up to ")
    assert "the same change as main's" in feature.base_remarks and "'Faster f3', cherry-picked" in feature.base_remarks
    assert found.merged == []


def test_base_holding_the_branchs_net_change_in_a_bigger_commit_is_merged(repo) -> None:
    """Neither a squash of exactly the branch nor a pick of its commits: one base commit brought the
    branch's changes along with others. Every path the branch changes is as the branch has it."""
    files = feature_files(repo)
    repo.commit("Big import", {**files, "other.py": "y = 1\n"}, author=ALICE)
    repo.checkout()
    [merged] = discover(GitRepo(repo.path)).merged
    assert merged.merged.how == "tree"


def test_branch_that_moves_on_after_its_squash_is_pending_again(repo) -> None:
    repo.commit("Feature (#12)", feature_files(repo), author=ALICE)
    repo.commit("Follow-up on the branch", {"app.py": edit(feature_files(repo)["app.py"], "return 5", "return 55")},
                branch="feature", author=BOB)
    repo.checkout()
    found = discover(GitRepo(repo.path))
    assert [c.id for c in found.changes] == ["feature"]
    # and it says so (QA44 #7): a reviewer would read the squashed lines again without knowing
    [change] = found.changes
    assert change.partly_merged.startswith("its first 2 of 3 commits (up to ")
    assert "reached main as " in change.partly_merged and "'Feature (#12)' as a squash merge" in change.partly_merged
    assert change.partly_merged in change.base_remarks
    [row] = list_json(repo.path)
    assert row["id"] == "feature" and row["partly_merged"] == change.partly_merged
    checked = CliRunner().invoke(cli, ["check", "feature", "--repo", str(repo.path), "--json"])
    assert change.partly_merged in json.loads(checked.stdout)["warnings"]  # a warning of check too (QA45 #10)


def test_a_branch_whose_older_commits_are_nowhere_in_the_base_says_nothing_of_squashes(repo) -> None:
    repo.commit("Unrelated (#13)", {"README.md": "# r\n\nother\n"}, author=ALICE)
    repo.checkout()
    [change] = discover(GitRepo(repo.path)).changes
    assert change.partly_merged == "" and change.base_remarks == ""


def test_list_hides_merged_upstream_counts_them_and_shows_them_on_request(repo) -> None:
    repo.commit("Feature (#12)", feature_files(repo), author=ALICE)
    repo.branch("open-work")
    repo.commit("Open work", {"new.py": "z = 1\n"}, branch="open-work", author=BOB)
    repo.checkout()
    assert [r["id"] for r in list_json(repo.path)] == ["open-work"]
    rows = {r["id"]: r for r in list_json(repo.path, "--include-merged")}
    assert set(rows) == {"open-work", "feature"}
    # nothing changed those files since: the cheapest test (the base has every file as the branch
    # has it) settles it before any patch id is computed
    assert rows["feature"]["merged_upstream"]["how"] == "tree"
    assert rows["open-work"]["merged_upstream"] is None
    table = CliRunner().invoke(cli, ["list", "--repo", str(repo.path)], catch_exceptions=False)
    assert table.exit_code == 0
    assert "1 merged upstream" in table.output and "--include-merged" in table.output
    # listed, a merged row says so where it is read (QA46 #2: unmarked, one took the top rank)
    shown = CliRunner().invoke(cli, ["list", "--repo", str(repo.path), "--include-merged", "--width", "200"],
                               catch_exceptions=False)
    [feature] = [line for line in shown.output.splitlines() if " feature " in line]
    [open_work] = [line for line in shown.output.splitlines() if " open-work " in line]
    assert "merged (tree) Faster f3" in feature and "merged" not in open_work


def test_a_merged_upstream_change_can_still_be_explained_by_name(repo) -> None:
    repo.commit("Feature (#12)", feature_files(repo), author=ALICE)
    repo.checkout()
    result = CliRunner().invoke(cli, ["explain", "feature", "--repo", str(repo.path), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["merged_upstream"]["how"] == "tree"
    # and each command on it says so, on stderr (it read like pending work)
    for command in (["explain"], ["chunks"], ["check"], ["chunks", "--json"]):
        done = CliRunner().invoke(cli, [*command, "feature", "--repo", str(repo.path)])
        assert "review-tui: note: feature is already merged upstream (tree: " in done.stderr, (command, done.stderr)


def test_merged_verdicts_are_cached_by_base_and_head(repo, tmp_path) -> None:
    """A second discovery on the same base and heads reads the verdicts instead of diffing again."""
    from app.storage.cache import AnalysisCache

    repo.commit("Feature (#12)", feature_files(repo), author=ALICE)
    repo.checkout()
    cache = AnalysisCache.open(tmp_path / "cache.sqlite")
    first = discover(GitRepo(repo.path), cache=cache)
    stored = cache.count("merged")
    assert stored >= 1
    second = discover(GitRepo(repo.path), cache=cache)
    assert [(c.id, c.merged.how) for c in second.merged] == [(c.id, c.merged.how) for c in first.merged]
    assert cache.count("merged") == stored


def test_after_a_fetch_a_branchs_diff_is_not_read_again_and_a_new_squash_is_found(repo, tmp_path,
                                                                                   monkeypatch) -> None:
    """The base moves (a fetch): each branch's verdict is asked again, but the paths and patch id of its
    net diff are read once and then come from the cache; the squash merge that arrived with a fetch is
    recognised as a first run at that base recognises it."""
    from app.storage.cache import AnalysisCache

    repo.checkout()
    cache = AnalysisCache.open(tmp_path / "cache.sqlite")
    assert [c.id for c in discover(GitRepo(repo.path), cache=cache).changes] == ["feature"]
    assert cache.count("net-diff") == 2  # its diff, and its first commit's (a squash merge of part of it?)

    read: list[tuple[str, str]] = []
    for name in ("net_paths", "patch_id"):
        original = getattr(GitRepo, name)
        monkeypatch.setattr(GitRepo, name, lambda self, old, new, *more, _f=original, _n=name, **options:
                            read.append((_n, new)) or _f(self, old, new, *more, **options))
    feature = repo.head("feature")
    files = feature_files(repo)
    repo.commit("Feature (#12)", files, author=ALICE)  # fetched: the squash, and a later edit of its files
    repo.commit("Later f9", {"app.py": edit(files["app.py"], "return 9", "return 9 + 0")}, author=ALICE)
    repo.checkout()
    moved = discover(GitRepo(repo.path), cache=cache)
    assert [(c.id, c.merged.how) for c in moved.merged] == [("feature", "squash")]
    # its paths came from the cache; its patch id, needed now, was read once (the squash's own, for the base)
    assert [what for what in read if what[1] == feature] == [("patch_id", feature)]

    read.clear()
    repo.commit("Another day", {"README.md": "# r\n\nagain\n"}, author=ALICE)
    repo.checkout()
    again = discover(GitRepo(repo.path), cache=cache)
    assert [(c.id, c.merged.how) for c in again.merged] == [("feature", "squash")]
    assert not [what for what in read if what[1] == feature]
    monkeypatch.undo()
    first_run = discover(GitRepo(repo.path), cache=AnalysisCache.open(tmp_path / "fresh.sqlite"))
    assert [(c.id, c.merged.detail) for c in first_run.merged] == [(c.id, c.merged.detail) for c in again.merged]


def test_the_paths_each_base_commit_touches_come_from_one_git_call_and_equal_the_tree_walks(make_repo,
                                                                                              monkeypatch) -> None:
    from app.core.git.cli import _parse_raw_diffs
    from app.core.git.merged import MergedDetector

    b = make_repo("touched")
    ids = [b.commit("root", {"a.py": "1\n", "dir/b.py": "2\n", 'odd\nname\t"q".py': "3\n", "café.py": "4\n"},
                    author=ALICE)]
    ids.append(b.commit("edit, delete, add", {"a.py": "1\n2\n", "dir/b.py": None, "dir/c/d.py": "5\n"}, author=ALICE))
    ids.append(b.commit("rename", {"café.py": None, "caffe.py": "4\n"}, author=ALICE))
    ids.append(b.commit("mode", {"a.py": ("1\n2\n", 0o100755)}, author=ALICE))
    ids.append(b.commit("symlink", {"link": ("a.py", 0o120000)}, author=ALICE))
    ids.append(b.commit("empty", {}, author=ALICE))
    ids += [b.commit(f"step {i}", {f"steps/s{i}.py": f"N = {i}\n"}, author=ALICE) for i in range(6)]
    repo = GitRepo(b.path)
    walked = {c: repo.touched_paths(repo.first_parent(c), c) for c in ids}
    assert walked[ids[0]] == {"a.py", "dir/b.py", 'odd\nname\t"q".py', "café.py"}
    assert walked[ids[2]] == {"café.py", "caffe.py"} and walked[ids[5]] == set()

    def no_walk(*args):
        raise AssertionError("walked a tree")

    monkeypatch.setattr(repo, "touched_paths", no_walk)
    assert MergedDetector(repo, ids[-1], "main")._touched(ids) == walked
    # Bytes that are not UTF-8 come back as bytes (decode_path names them as pygit2's paths are named); a
    # file that became a link is named twice; output that is not what was asked for is no answer.
    meta = ":100644 120000 1111111 2222222 "
    assert _parse_raw_diffs(f"{ids[0]}\0{meta}M\0caf\udce9.py\0{meta}T\0link\0", [ids[0]]) == {
        ids[0]: [b"caf\xe9.py", b"link", b"link"]}
    assert _parse_raw_diffs(f"{ids[0]}\0{meta}M\0a.py\0", [ids[0], ids[1]]) is None  # a commit missing
    assert _parse_raw_diffs(f"{ids[0]}\0{meta}M\0", [ids[0]]) is None  # a path missing

    # Without a git to run, the trees are walked.
    monkeypatch.undo()
    monkeypatch.setenv("PATH", "")
    assert MergedDetector(repo, ids[-1], "main")._touched(ids) == walked


def test_a_squash_found_by_the_tuis_worker_process_is_found_as_in_process(repo, tmp_path) -> None:
    """The TUI's first run at a base discovers in a worker process (patch ids, cached there): the
    squash is merged upstream there too, and the next run, in process, reads the same verdict."""
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    repo.commit("Feature (#12)", feature_files(repo), author=ALICE)
    repo.checkout()
    first = Analyzer(repo.path, cache=AnalysisCache.open(tmp_path / "cache.db"))
    first.prefetch_discovery()
    found = first.take_prefetched_discovery()
    assert found is not None and found.changes == [] and [c.id for c in found.merged] == ["feature"]
    assert found == discover(GitRepo(repo.path))
    later = Analyzer(repo.path, cache=AnalysisCache.open(tmp_path / "cache.db"))
    later.prefetch_discovery()
    assert later.take_prefetched_discovery() is None
    assert later.discovery == found


def test_a_branch_merged_the_ordinary_way_is_named_as_such_not_misspelt(repo) -> None:
    """`explain qa/sq` for a branch already in main suggested two other changes by spelling."""
    import subprocess

    subprocess.run(["git", "-C", str(repo.path), "branch", "done/old", "main~1"], check=True)
    for command in ("explain", "chunks", "check"):
        done = CliRunner().invoke(cli, [command, "done/old", "--repo", str(repo.path)])
        assert done.exit_code == 2
        assert "'done/old' has nothing pending against main: its commits are all in main already" in done.stderr, (
            command, done.stderr)
        assert "did you mean" not in done.stderr


def test_a_merged_branch_only_a_remote_has_is_named_as_merged_by_its_short_name(repo) -> None:
    """QA47 #12e: `explain fix-detect-color` for rich's merged origin/fix-detect-color listed 522 pending
    changes as suggestions; `explain origin/fix-detect-color` said it was merged."""
    import subprocess

    subprocess.run(["git", "-C", str(repo.path), "update-ref", "refs/remotes/origin/fix/old", "main~1"], check=True)
    done = CliRunner().invoke(cli, ["explain", "fix/old", "--repo", str(repo.path)])
    assert done.exit_code == 2 and "did you mean" not in done.stderr and "pending:" not in done.stderr
    assert "'fix/old' (origin/fix/old) has nothing pending against main: its commits are all in main" in done.stderr


def test_a_branch_whose_commits_undo_each_other_is_hidden_as_empty_not_pending(repo) -> None:
    """QA44 21i, QA46 #20: a change and its revert (ansible pull/82704, DRF pull/9383) was a pending row
    of +0/-0, 0 files, 0 chunks: nothing to review, listed as work."""
    repo.branch("undone")
    repo.commit("Try f5", {"app.py": edit(APP, "return 5", "return 50")}, branch="undone", author=BOB)
    repo.commit("Revert \"Try f5\"", {"app.py": APP}, branch="undone", author=BOB)
    repo.checkout()
    found = discover(GitRepo(repo.path))
    assert "undone" not in {c.id for c in found.changes}
    [undone] = [c for c in found.merged if c.id == "undone"]
    assert undone.merged is not None and undone.merged.how == "empty"
    table = CliRunner().invoke(cli, ["list", "--repo", str(repo.path)], catch_exceptions=False)
    assert "1 empty" in table.output and " undone " not in table.output
    said = CliRunner().invoke(cli, ["explain", "undone", "--repo", str(repo.path)])
    assert said.exit_code == 0
    assert ("review-tui: note: undone changes nothing (its net diff, merge base with main to head, is empty): "
            "nothing of it waits for review") in said.stderr


def test_work_within_or_built_on_a_squash_merged_branch_is_merged_or_compared_with_it(repo) -> None:
    """QA48 #3 (pydantic-ai): a long-lived line (v2-main) squash-merged into main; an ancestor of it was the queue's
    #2 and a branch of two commits on top of it #1, each a 60,000-line diff titled and attributed from the line's
    commits."""
    repo.set_ref("refs/heads/within", repo.head("feature"))  # a branch whose head is within the line
    app = feature_files(repo)["app.py"]
    earlier = repo.commit("f3 again", {"app.py": edit(app, "return 3 * 1", "return 3 * 2")}, branch="feature",
                          author=BOB)
    repo.branch("on-top", from_branch="feature")
    repo.commit("Banner", {"banner.py": "BANNER = 'hi'\n"}, branch="on-top", author=ALICE)
    repo.commit("Banner colours", {"banner.py": "BANNER = 'hi'\nCOLOUR = 1\n"}, branch="on-top", author=ALICE)
    repo.commit("Feature (#12)\n\n* Faster f3\n* More X\n", feature_files(repo), author=ALICE)  # the squash
    repo.checkout()
    found = discover(GitRepo(repo.path))
    merged = {c.id: c.merged for c in found.merged}
    assert merged["feature"] is not None and merged["feature"].how in ("tree", "squash")
    assert merged["within"] is not None and merged["within"].how == "within"
    assert merged["within"].detail.startswith("its head is a commit of feature, merged upstream: ")
    [on_top] = found.changes
    assert on_top.id == "on-top" and on_top.base == earlier
    assert [c.message.strip() for c in on_top.commits] == ["Banner colours", "Banner"]
    assert on_top.title == "Banner" and {c.author_email for c in on_top.commits} == {ALICE.email}
    assert "built on feature" in on_top.base_note and "3 commits of feature" in on_top.base_note
    listed = {row["id"]: row for row in list_json(repo.path)}
    assert set(listed) == {"on-top"} and listed["on-top"]["lines_added"] == 2


def test_a_branch_stacked_on_a_partly_merged_one_does_not_carry_its_partly_merged_note(repo) -> None:
    """QA49 #4 (openai-agents-python pull/660 on pull/650): compared with the slice below, the upper branch's Base
    line still said "its first 1 of 5 commits ... reached origin/main ...: their lines show here again" about a
    commit of the lower branch, which its diff no longer shows, and pointed at a `git diff` of the lower's work."""
    files = feature_files(repo)
    repo.commit("Feature so far (#12)", files, author=ALICE)  # feature's first two commits, squashed
    repo.commit("Faster f4", {"app.py": edit(files["app.py"], "return 4", "return 4 * 1")}, branch="feature",
                author=BOB)
    repo.branch("upper", "feature")
    repo.commit("Upper work", {"upper.py": "u = 1\n"}, branch="upper", author=BOB)
    repo.checkout()
    changes = {c.id: c for c in discover(GitRepo(repo.path)).changes}
    assert changes["feature"].partly_merged.startswith("its first 2 of 3 commits (up to ")  # its own: kept
    upper = changes["upper"]
    assert upper.stacked_on == "feature" and upper.partly_merged == ""
    assert "squash merge" not in upper.base_remarks and upper.base_remarks.startswith("stacked on feature")


def test_the_base_paragraph_is_whole_in_explain_and_the_why_panel() -> None:
    """QA49 #11: the Base paragraph (a stack, a squash-merged part, the files a merge would conflict in) was cut
    with "…" at 300 characters in the why panel and 500 in `explain`: the conflict list and the git diff to run
    were lost."""
    from rich.console import Console

    from app.tui.widgets.why_panel import base_section

    note = "stacked on origin/pr/650: " + ", ".join(f"tests/test_module_{k}.py" for k in range(40)) + "; the end"
    console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(base_section(note))
    said = console.export_text()
    shown = " ".join(said.split())
    assert "the end" in shown and "…" not in shown
    assert all(line.startswith("  ") for line in said.splitlines()[1:] if line.strip())  # wrapped under its start


def test_a_branch_whose_head_is_the_snapshot_of_a_base_commit_is_merged_upstream(repo) -> None:
    """QA49 (openai-agents-python pull/324, ranked 66 critical, +844/-137): the branch merged main in and was then
    merged; main moved on over the same files, so neither the tree test at the tip nor a squash's patch matched,
    while its head records exactly the files of one of main's commits."""
    files = feature_files(repo)
    repo.merge("feature", "main", "Merge main into feature", author=BOB)
    merged = repo.commit("Merge feature (#12)", {**files, "README.md": "# r\n\nmore\n"}, author=ALICE)
    assert repo.repo[merged].tree_id == repo.repo[repo.head("feature")].tree_id  # the same snapshot
    repo.commit("Later f9", {"app.py": edit(files["app.py"], "return 9", "return 9 + 0"),
                             "util.py": edit(files["util.py"], "X20 = 20", "X20 = 21")}, author=ALICE)
    repo.checkout()
    found = discover(GitRepo(repo.path))
    assert [c.id for c in found.changes] == []
    [feature] = found.merged
    assert feature.merged is not None and feature.merged.how == "tree"
    assert f"exactly those of main's commit {merged[:10]} 'Merge feature (#12)'" in feature.merged.detail


def test_a_branch_built_on_the_bases_history_under_other_ids_is_compared_with_its_own_work(make_repo) -> None:
    """QA49 (openai-agents-python pull/375: 150 commits, 748 files, 33 authors, critical): 148 of its commits were
    main's own early history under other ids (each recording exactly the files of one of main's commits), its own
    work the 2 commits after them. It is compared with the newest of those, and a stack above it still works."""
    b = make_repo("rebuilt")
    b.commit("init", {"app.py": APP, "util.py": UTIL}, author=ALICE)
    b.branch("rebuilt")
    steps = [("Faster f3", "app.py", "return 3", "return 3 * 1"), ("More X", "util.py", "X7 = 7", "X7 = 70"),
             ("Slower f5", "app.py", "return 5", "return 5 + 0")]
    for message, path, old, new in steps:  # main's history ...
        b.commit(message, {path: edit(b.snapshots["main"][path][0].decode(), old, new)}, author=ALICE)
    for message, path, old, new in steps[:2]:  # ... and its first two commits again, by someone else, other ids
        b.commit(f"{message} (imported)", {path: edit(b.snapshots["rebuilt"][path][0].decode(), old, new)},
                 branch="rebuilt", author=BOB)
    imported = b.head("rebuilt")
    b.commit("Add g", {"app.py": b.snapshots["rebuilt"]["app.py"][0].decode() + "def g():\n    return 0\n"},
             branch="rebuilt", author=BOB)
    b.commit("Tune X9", {"util.py": edit(b.snapshots["rebuilt"]["util.py"][0].decode(), "X9 = 9", "X9 = 90")},
             branch="rebuilt", author=BOB)
    b.branch("above", from_branch="rebuilt")
    b.commit("Tune X11", {"util.py": edit(b.snapshots["above"]["util.py"][0].decode(), "X11 = 11", "X11 = 0")},
             branch="above", author=BOB)
    b.checkout()
    changes = {c.id: c for c in discover(GitRepo(b.path)).changes}
    rebuilt = changes["rebuilt"]
    assert rebuilt.base == imported and [c.subject for c in rebuilt.commits] == ["Tune X9", "Add g"]
    assert "Tune X9" in rebuilt.title or "Add g" in rebuilt.title, rebuilt.title  # its own commits name it
    assert "main's own history under other commit ids" in rebuilt.base_remarks and rebuilt.partly_merged == ""
    assert "'More X'" in rebuilt.base_remarks  # names the base commit whose files it records
    above = changes["above"]
    assert above.stacked_on == "rebuilt" and [c.subject for c in above.commits] == ["Tune X11"]
    [row] = [r for r in list_json(b.path) if r["id"] == "rebuilt"]
    assert (row["lines_added"], row["lines_deleted"], row["files"]) == (3, 1, 2)  # git diff <imported> rebuilt


def test_a_branch_whose_oldest_commits_are_the_bases_own_one_by_one_is_compared_with_its_own_work(make_repo) -> None:
    """QA51 (hono pull/2372, 15 commits): its first 8 were main's own commits under other ids (`git cherry` marks
    them "-"), its own work one person's 7 commits after them; it read as "ci: fix bun version (#2362)" by five
    authors, tier 1 from the CI file. hono pull/743's first commit was main's "(#733)" squash, edited by a blank
    line when merged (no patch matches): the same "(#N)" subject touching the same file counts too."""
    b = make_repo("picked")
    b.commit("init", {"app.py": APP, "util.py": UTIL, "ci.yml": "on: push\n"}, author=ALICE)
    b.branch("jwt")
    b.commit("Docs", {"README.md": "# r\n"}, author=ALICE)  # so no copy records exactly the files of main's
    b.commit("ci: pin the runner (#31)", {"ci.yml": "on: push\nruns-on: x\n"}, author=ALICE)
    b.commit("Faster f3 (#32)", {"app.py": edit(APP, "return 3", "return 3 * 1")}, author=BOB)
    b.commit("Later f9", {"app.py": edit(b.snapshots["main"]["app.py"][0].decode(), "return 9", "return 9 + 0")},
             author=ALICE)
    # the branch is built on copies of main's first two commits: one the same patch, one edited when squashed
    b.commit("ci: pin the runner (#31)", {"ci.yml": "on: push\nruns-on: x\n"}, branch="jwt", author=ALICE)
    b.commit("Faster f3 (#32)", {"app.py": edit(APP, "return 3", "return 3 * 1\n")}, branch="jwt", author=BOB)
    copied = b.head("jwt")
    b.commit("Verify tokens", {"util.py": edit(UTIL, "X7 = 7", "X7 = 70")}, branch="jwt", author=BOB)
    b.commit("Tune X9", {"util.py": edit(b.snapshots["jwt"]["util.py"][0].decode(), "X9 = 9", "X9 = 90")},
             branch="jwt", author=BOB)
    b.branch("own-squash", from_branch="main")  # a "(#N)" subject of main's on a commit sharing no file: no verdict
    b.commit("Faster f3 (#32)", {"README.md": "f3\n"}, branch="own-squash", author=BOB)
    b.commit("Add g", {"util.py": UTIL + "G = 1\n"}, branch="own-squash", author=BOB)
    b.checkout()
    changes = {c.id: c for c in discover(GitRepo(b.path)).changes}
    jwt = changes["jwt"]
    assert jwt.base == copied and [c.subject for c in jwt.commits] == ["Tune X9", "Verify tokens"]
    assert jwt.title == "Verify tokens" and jwt.merged is None and jwt.partly_merged == ""
    assert "its first 2 commits (up to" in jwt.base_remarks and "'Faster f3 (#32)'" in jwt.base_remarks
    [row] = [r for r in list_json(b.path) if r["id"] == "jwt"]
    assert (row["lines_added"], row["lines_deleted"], row["files"], row["authors"]) == (
        2, 2, 1, ["Bob Example <bob@example.com>"])  # git diff <copied> jwt
    assert changes["own-squash"].base_note in (None, "") and len(changes["own-squash"].commits) == 2


def test_a_change_with_nothing_of_its_own_on_a_merged_branch_is_merged_upstream(make_repo) -> None:
    """QA51 (hono pull/543): a pull request and its revert, built on a pull request main has, was listed pending at
    +0/-0: compared with its own work there is none."""
    b = make_repo("undone")
    b.commit("init", {"app.py": APP, "util.py": UTIL}, author=ALICE)
    b.branch("lower")
    fast = edit(APP, "return 3", "return 3 * 1")
    b.commit("Faster f3", {"app.py": fast}, branch="lower", author=BOB)
    b.commit("More X", {"util.py": edit(UTIL, "X7 = 7", "X7 = 70")}, branch="lower", author=BOB)
    lower_util = b.snapshots["lower"]["util.py"][0].decode()
    b.branch("upper", from_branch="lower")
    b.commit("Try X8", {"util.py": edit(lower_util, "X8 = 8", "X8 = 80")}, branch="upper", author=BOB)
    b.commit('Revert "Try X8"', {"util.py": lower_util}, branch="upper", author=BOB)
    b.commit("Docs", {"README.md": "# r\n"}, author=ALICE)
    b.commit("Faster f3", {"app.py": fast}, author=ALICE)  # lower's commits picked one by one
    b.commit("More X", {"util.py": lower_util}, author=ALICE)
    b.commit("Later f9", {"app.py": edit(fast, "return 9", "return 9 + 0")}, author=ALICE)
    b.checkout()
    found = discover(GitRepo(b.path))
    assert [c.id for c in found.changes] == []
    merged = {c.id: c.merged for c in found.merged}
    assert merged["lower"] is not None and merged["lower"].how == "patch"
    assert merged["upper"] is not None and merged["upper"].how == "empty"
    assert "built on lower, merged upstream: nothing of its own" in merged["upper"].detail


def test_a_snapshot_of_the_base_below_where_the_branch_last_merged_the_base_in_is_not_a_new_start(make_repo) -> None:
    """openai-agents-python's pull/998: the fork's own work was squash-merged upstream (its merge of main
    records the squash's files), and it merged main in again since: comparing from that older merge would
    carry everything main did after it (+13,607 lines instead of +170)."""
    b = make_repo("remerged")
    b.commit("init", {"app.py": APP, "util.py": UTIL, "README.md": "# r\n"}, author=ALICE)
    b.branch("old")  # an older branch: the merged check then reads main's whole history, the squash included
    b.commit("Old work", {"util.py": edit(UTIL, "X2 = 2", "X2 = 20")}, branch="old", author=ALICE)
    b.branch("fork", from_branch="main")
    b.commit("Faster f3", {"app.py": edit(APP, "return 3", "return 3 * 1")}, branch="fork", author=BOB)
    b.commit("main: docs", {"README.md": "# r\n\ndocs\n"}, author=ALICE)
    b.merge("fork", "main", "Merge branch 'main' into fork", author=BOB)
    b.commit("Faster f3 (#7)", {"app.py": edit(APP, "return 3", "return 3 * 1")}, author=ALICE)  # the squash
    b.commit("main: more", {"util.py": edit(UTIL, "X1 = 1", "X1 = 10")}, author=ALICE)
    b.merge("fork", "main", "Merge branch 'main' into fork", author=BOB)
    merged_in = b.head("main")
    b.commit("Slower f5", {"app.py": edit(b.snapshots["fork"]["app.py"][0].decode(), "return 5", "return 5 + 0")},
             branch="fork", author=BOB)
    b.commit("main: later", {"README.md": "# r\n\ndocs\nlater\n"}, author=ALICE)
    b.checkout()
    [fork] = [c for c in discover(GitRepo(b.path)).changes if c.id == "fork"]
    assert fork.base == merged_in and fork.rebuilt_from == ""
    [row] = [r for r in list_json(b.path) if r["id"] == "fork"]
    assert (row["lines_added"], row["lines_deleted"], row["files"]) == (1, 1, 1)


def test_built_on_a_merged_branch_is_said_so_even_where_its_commit_is_also_a_base_snapshot(make_repo) -> None:
    """flask's pull/5229: the commit it was built on is both a merged pull request's and, file for file, a commit of
    main: the note names the pull request (what a reviewer can look up), the comparison is the same."""
    b = make_repo("built-on")
    b.commit("init", {"app.py": APP, "util.py": UTIL}, author=ALICE)
    b.branch("lower")
    b.commit("Faster f3", {"app.py": edit(APP, "return 3", "return 3 * 1")}, branch="lower", author=BOB)
    fork = b.head("lower")
    b.branch("upper", from_branch="lower")
    b.commit("More X", {"util.py": edit(UTIL, "X7 = 7", "X7 = 70")}, branch="upper", author=BOB)
    b.commit("Faster f3 (#5)", {"app.py": edit(APP, "return 3", "return 3 * 1")}, author=ALICE)  # the squash
    b.commit("main moves on", {"util.py": edit(UTIL, "X1 = 1", "X1 = 10")}, author=ALICE)
    b.checkout()
    [upper] = [c for c in discover(GitRepo(b.path)).changes if c.id == "upper"]
    assert upper.base == fork and [c.subject for c in upper.commits] == ["More X"]
    assert upper.base_note.startswith("built on lower, whose work is already in main")
    assert "history" not in upper.base_note


def test_a_verdict_does_not_depend_on_which_other_branches_bring_older_base_commits_into_the_check(make_repo) -> None:
    """The head of `back` records the files of two base commits: `a`, which it has (an ancestor), and `d`, which it
    has not got (main reverted to `a`'s files after it forked). `d` was committed with an earlier clock than `a`.
    Alone, `back` is merged upstream as `d`'s snapshot; with a branch forked before `a` the check also read `a`,
    took the newest commit recording those files for the only one, and `back` was a squash instead."""
    b = make_repo("skew")
    t0 = 1_767_225_600
    b.commit("init", {"app.py": APP, "util.py": UTIL}, author=ALICE, when=t0)
    b.branch("old")
    b.commit("Old work", {"README.md": "old\n"}, branch="old", author=BOB, when=t0 + 100)
    b.commit("a", {"util.py": edit(UTIL, "X1 = 1", "X1 = 10")}, author=ALICE, when=t0 + 5_000)
    at_a = b.snapshots["main"]["util.py"][0].decode()
    b.commit("b", {"util.py": edit(at_a, "X2 = 2", "X2 = 20")}, author=ALICE, when=t0 + 5_100)
    b.branch("back")
    b.commit("Back to a", {"util.py": at_a}, branch="back", author=BOB, when=t0 + 5_200)
    b.commit("d: revert b", {"util.py": at_a}, author=ALICE, when=t0 + 1_000)  # an earlier clock than a's
    b.commit("e", {"util.py": edit(at_a, "X3 = 3", "X3 = 30")}, author=ALICE, when=t0 + 6_000)
    b.checkout()
    with_old = {c.id: c.merged for c in discover(GitRepo(b.path)).merged}
    b.repo.references.delete("refs/heads/old")
    alone = {c.id: c.merged for c in discover(GitRepo(b.path)).merged}
    assert alone["back"] is not None and alone["back"].how == "tree" and "'d: revert b'" in alone["back"].detail
    assert with_old["back"] == alone["back"]


def test_a_squash_onto_a_base_that_moved_around_its_hunks_is_merged_upstream(repo) -> None:
    """uv's pull/19460: the squash commit and the branch change the same lines, but main had edited a line next to
    them in between, so their patches' context lines differ (181 merged pull requests listed as pending)."""
    files = feature_files(repo)
    moved = edit(APP, "def f4():", "def f4():  # four")  # within three lines of the branch's "return 3"
    repo.commit("Comment f4", {"app.py": moved}, author=ALICE)
    repo.commit("Feature (#12)", {"app.py": edit(moved, "return 3", "return 3 * 1"), "util.py": files["util.py"]},
                author=ALICE)  # the squash, onto the moved line
    repo.checkout()
    found = discover(GitRepo(repo.path))
    assert [c.id for c in found.changes] == []
    [merged] = found.merged
    assert merged.merged is not None and merged.merged.how == "squash" and "Feature (#12)" in merged.merged.detail


def test_a_pull_request_whose_number_ends_a_base_commits_subject_is_merged_upstream(repo) -> None:
    """uv: a pull request edited when it was squash-merged (or a stack landed slice by slice) matches no patch; its
    number at the end of main's commit subject, GitHub's squash merge, says it landed (242 of 423 there)."""
    repo.set_ref("refs/pull/12/head", repo.head("feature"))
    repo.repo.references.delete("refs/heads/feature")
    repo.commit("Unrelated (#12)", {"README.md": "# r\n\nmore\nand more\n"}, author=ALICE)  # another repo's #12
    repo.checkout()
    [pending] = discover(GitRepo(repo.path)).changes
    assert pending.id == "pull/12" and pending.merged is None  # a "(#12)" that touches none of its files

    edited = edit(edit(APP, "return 3", "return 3 * 1"), "return 6", "return 6 * 1")  # edited at the merge
    repo.commit("Faster f3 and f6 (#12)", {"app.py": edited}, author=ALICE)
    repo.checkout()
    found = discover(GitRepo(repo.path))
    assert found.changes == []
    [merged] = found.merged
    assert merged.merged is not None and merged.merged.how == "number"
    assert "#12 was squash-merged into main as" in merged.merged.detail
    assert "Faster f3 and f6 (#12)" in merged.merged.detail


def test_a_pull_request_number_merged_before_the_branch_started_is_no_verdict(repo) -> None:
    """A "(#12)" commit the branch already has (an earlier pull request of that number, reopened) says nothing of
    the branch's newer work."""
    repo.commit("Faster f3 first try (#12)", {"app.py": edit(APP, "return 3", "return 3 + 0")}, author=ALICE)
    repo.branch("again")
    repo.commit("Faster f3", {"app.py": edit(APP, "return 3", "return 3 * 1")}, branch="again", author=BOB)
    repo.set_ref("refs/pull/12/head", repo.head("again"))
    repo.repo.references.delete("refs/heads/again")
    repo.checkout()
    assert "pull/12" in [c.id for c in discover(GitRepo(repo.path)).changes]


def test_the_net_diffs_of_many_branches_come_from_one_git_call_and_equal_the_tree_walks(make_repo,
                                                                                         monkeypatch) -> None:
    """Issue 18 (discovery's fixed cost): the paths of each branch's net diff (merge base to head), read for
    more than NETS_BY_GIT_MIN branches by one `git diff-tree --stdin`, are the tree walk's (GitRepo.net_paths):
    edits, deletions, a file that became a directory, a mode change, a file that became a link, nothing."""
    from app.core.git import cli as git_cli
    from app.core.git.merged import NETS_BY_GIT_MIN, MergedDetector
    from app.core.git.models import Change

    b = make_repo("nets")
    ids = [b.commit("root", {"a.py": "1\n", "dir/b.py": "2\n", "x": "file\n", "café.py": "4\n"}, author=ALICE)]
    ids.append(b.commit("edit, delete, add", {"a.py": "1\n2\n", "dir/b.py": None, "dir/c/d.py": "5\n"}, author=ALICE))
    ids.append(b.commit("file to directory", {"x": None, "x/y.py": "6\n"}, author=ALICE))
    ids.append(b.commit("mode", {"a.py": ("1\n2\n", 0o100755)}, author=ALICE))
    ids.append(b.commit("file to link", {"café.py": ("a.py", 0o120000)}, author=ALICE))
    ids.append(b.commit("empty", {}, author=ALICE))
    ids += [b.commit(f"step {i}", {f"steps/s{i}.py": f"N = {i}\n"}, author=ALICE) for i in range(6)]
    repo = GitRepo(b.path)
    pairs = [(ids[0], head) for head in ids[1:]] + [(ids[4], ids[5])]  # ids[5] twice: asked with two bases
    assert len({head for _, head in pairs}) > NETS_BY_GIT_MIN
    walked = {f"{old}:{new}": repo.net_paths(old, new) for old, new in pairs}
    assert walked[f"{ids[0]}:{ids[2]}"][0] == ["a.py", "dir/b.py", "dir/c/d.py", "x", "x/y.py"]
    assert walked[f"{ids[4]}:{ids[5]}"] == ([], True)

    calls: list[tuple[str, ...]] = []
    run = git_cli.GitCli.run
    monkeypatch.setattr(git_cli.GitCli, "run", lambda self, *args, **kw: calls.append(args) or run(self, *args, **kw))
    detector = MergedDetector(repo, ids[-1], "main")
    detector._nets_by_git(pairs)
    assert len(calls) == 1
    by_git = {key: (net["paths"], net["utf8"]) for key, net in detector._nets.items()}
    # each pair once, except the head asked with two bases: left to the tree walk
    assert by_git == {key: net for key, net in walked.items() if not key.endswith(ids[5])}
    monkeypatch.setattr(repo, "net_paths", lambda old, new: pytest.fail(f"walked {old}..{new}")
                        if f"{old}:{new}" in by_git else walked[f"{old}:{new}"])
    for old, new in pairs:
        change = Change(id=new, kind="branch", ref=new, head=new, base=old, base_ref="main")
        assert (detector._net(change)["paths"], detector._net(change)["utf8"]) == walked[f"{old}:{new}"]

    # A few branches, or no git to run: each is walked, as before.
    few = MergedDetector(repo, ids[-1], "main")
    few._nets_by_git(pairs[:NETS_BY_GIT_MIN])
    assert not few._nets
    monkeypatch.setenv("PATH", "")
    without_git = MergedDetector(repo, ids[-1], "main")
    without_git._nets_by_git(pairs)
    assert not without_git._nets
