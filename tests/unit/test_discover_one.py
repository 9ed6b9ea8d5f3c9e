"""One change named by `explain`, `chunks` or `check` (QA49 #4, issue 18): past MANY_HEADS heads only the heads that
hold one of its commits are discovered and checked for a merge upstream (discovery.discover_one), and every verdict
about it is the one the whole discovery gives: its base, commits and title, stacked on, built on or within another,
merged upstream, partly merged, rebuilt from the base's history.

Each test builds its repository for real (no git mocked); MANY_HEADS is lowered so that a handful of heads stand for
the thousands of fetched pull requests."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.core.git import discovery, refstore
from app.core.git.discovery import discover, discover_one, find_change
from app.core.git.merged import VERDICT_KIND, VERDICT_VERSION
from app.core.git.models import Change
from app.core.git.repo import GitRepo
from app.errors import ChangeNotFound
from app.storage.cache import AnalysisCache
from tests.conftest import ALICE, BOB

APP = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(12))
UTIL = "".join(f"X{i} = {i}\n" for i in range(30))


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.fixture(autouse=True)
def many_heads(monkeypatch) -> None:
    monkeypatch.setattr(discovery, "MANY_HEADS", 2)


def fields(change: Change) -> dict:
    return {"id": change.id, "kind": change.kind, "ref": change.ref, "head": change.head, "base": change.base,
            "base_ref": change.base_ref, "title": change.title, "commits": [c.id for c in change.commits],
            "error": change.error, "aliases": change.aliases, "alias_refs": change.alias_refs,
            "merged": change.merged and (change.merged.how, change.merged.detail), "base_note": change.base_note,
            "partly_merged": change.partly_merged, "partly_upto": change.partly_upto,
            "rebuilt_from": change.rebuilt_from, "diff_caveat": change.diff_caveat, "stacked_on": change.stacked_on}


@pytest.fixture
def queue(make_repo):
    """A queue with every verdict one change can get from the others: a stack of three, a branch within and one
    built on a squash-merged line, a cherry-picked one, a partly merged one, one whose first commit was picked, a
    rebuilt one, a pull request and its twin branch, a remote branch and its local twin, and unrelated branches."""
    b = make_repo("queue")
    b.commit("init", {"app.py": APP, "util.py": UTIL, "README.md": "# r\n"}, author=ALICE)
    for name, old, new in [("plain-a", "X1 = 1", "X1 = 11"), ("plain-b", "X2 = 2", "X2 = 22")]:
        b.branch(name)
        b.commit(f"{name} work", {"util.py": edit(UTIL, old, new)}, branch=name, author=BOB)
    # a stack: low <- mid <- top
    b.branch("low")
    b.commit("Low", {"low.py": "L = 1\n"}, branch="low", author=BOB)
    b.branch("mid", from_branch="low")
    b.commit("Mid", {"mid.py": "M = 1\n"}, branch="mid", author=BOB)
    b.branch("top", from_branch="mid")
    b.commit("Top", {"top.py": "T = 1\n"}, branch="top", author=BOB)
    b.set_ref("refs/pull/7/head", b.head("mid"))  # the middle slice's pull request: one change, two names
    b.set_ref("refs/remotes/origin/top", b.head("top"))
    # a line squash-merged into main, a branch within it and one built on it
    b.branch("line")
    b.commit("Faster f3", {"app.py": edit(APP, "return 3", "return 3 * 1")}, branch="line", author=BOB)
    b.set_ref("refs/heads/within", b.head("line"))
    b.commit("Slower f5", {"app.py": edit(edit(APP, "return 3", "return 3 * 1"), "return 5", "return 5 + 0")},
             branch="line", author=BOB)
    b.branch("on-line", from_branch="line")
    b.commit("Banner", {"banner.py": "B = 1\n"}, branch="on-line", author=ALICE)
    # a branch whose first two commits are squash-merged into main, then goes on (partly merged)
    b.branch("partly")
    more_x = edit(edit(UTIL, "X7 = 7", "X7 = 70"), "X8 = 8", "X8 = 80")
    b.commit("More X", {"util.py": edit(UTIL, "X7 = 7", "X7 = 70")}, branch="partly", author=BOB)
    b.commit("Tune X8", {"util.py": more_x}, branch="partly", author=BOB)
    b.commit("Even more X", {"util.py": edit(more_x, "X7 = 70", "X7 = 71")}, branch="partly", author=BOB)
    # a branch whose first commit is cherry-picked into main, then goes on (compared with its own work)
    b.branch("picked")
    b.commit("Faster f9", {"app.py": edit(APP, "return 9", "return 9 * 1")}, branch="picked", author=BOB)
    b.commit("Tune X29", {"util.py": edit(UTIL, "X29 = 29", "X29 = 0")}, branch="picked", author=BOB)
    b.commit("Line (#9)\n\n* Faster f3\n* Slower f5\n", {"app.py": b.snapshots["line"]["app.py"][0].decode()},
             author=ALICE)
    b.commit("More X (#3)", {"util.py": more_x}, author=ALICE)
    b.commit("Faster f9", {"app.py": edit(b.snapshots["main"]["app.py"][0].decode(), "return 9", "return 9 * 1")},
             author=ALICE)
    b.commit("main moves on", {"README.md": "# r\n\nmore\n"}, author=ALICE)
    b.checkout()
    return b


def test_every_change_is_found_alone_as_the_whole_discovery_finds_it(queue) -> None:
    full = discover(GitRepo(queue.path))
    merged = {c.id: c.merged.how for c in full.merged if c.merged}
    assert merged.keys() == {"line", "within"} and merged["line"] in ("tree", "squash") and merged["within"] == "within"
    pending = {c.id: c for c in full.changes}
    assert pending["top"].stacked_on == "mid" and pending["mid"].stacked_on == "low"
    assert "built on line" in pending["on-line"].base_note and pending["partly"].partly_merged
    assert pending["picked"].rebuilt_from and [c.subject for c in pending["picked"].commits] == ["Tune X29"]
    names = [name for change in full.every_change() for name in (*change.names, *change.refs)]
    assert {"pull/7", "refs/remotes/origin/top", "origin/top"} <= set(names)
    for name in names:
        one = discover_one(GitRepo(queue.path), name)
        assert one is not None and one.scoped_to == name, name
        assert fields(find_change(one, name)) == fields(find_change(full, name)), name
    # what it read: the change and the heads holding one of its commits, not the queue
    assert {c.id for c in discover_one(GitRepo(queue.path), "plain-a").every_change()} == {"plain-a"}
    assert {c.id for c in discover_one(GitRepo(queue.path), "mid").every_change()} == {"low", "mid", "top"}
    assert {c.id for c in discover_one(GitRepo(queue.path), "on-line").every_change()} == {"on-line", "line", "within"}


def outcome(found, name: str, repo: GitRepo) -> dict | str:
    try:
        return fields(find_change(found, name, repo))
    except ChangeNotFound as exc:
        return str(exc)


def test_a_branch_only_remotes_have_is_found_alone_by_its_short_name(queue) -> None:
    """`explain pr/11830` on OpenHands (QA53 #3) discovered its 8,074 pull requests: `origin/pr/11830` did not."""
    queue.set_ref("refs/remotes/origin/pr/12", queue.head("plain-b"))  # an alias of plain-b
    queue.set_ref("refs/remotes/origin/pr/13", queue.head("mid"))
    queue.branch("remote-only", from_branch="low")
    queue.commit("Remote only", {"remote.py": "R = 1\n"}, branch="remote-only", author=BOB)
    queue.set_ref("refs/remotes/origin/pr/14", queue.head("remote-only"))
    queue.set_ref("refs/remotes/origin/pr/15", queue.head("line"))  # merged upstream
    queue.set_ref("refs/remotes/origin/twin", queue.head("plain-a"))  # on two remotes at different heads
    queue.set_ref("refs/remotes/upstream/twin", queue.head("plain-b"))
    queue.checkout()
    repo = GitRepo(queue.path)
    full = discover(repo)
    for name in ("pr/12", "pr/13", "pr/14", "pr/15", "origin/pr/14"):
        one = discover_one(repo, name)
        assert one is not None, name
        assert outcome(one, name, repo) == outcome(full, name, repo), name
    assert "has nothing pending against main" in outcome(full, "pr/15", repo)
    assert discover_one(repo, "twin") is None  # find_change refuses it, saying which heads


def test_a_name_that_is_not_one_heads_refs_is_left_to_the_whole_discovery(queue, monkeypatch) -> None:
    repo = GitRepo(queue.path)
    for name in ("main", "nothing", queue.head("top")[:10], "worktree", ":worktree", "HEAD", "top<U+200B>"):
        assert discover_one(repo, name) is None, name
    monkeypatch.setattr(discovery, "MANY_HEADS", 300)  # few heads: the whole discovery is cheap
    assert discover_one(repo, "top") is None


def test_a_change_made_on_a_release_line_is_left_to_the_whole_discovery(queue) -> None:
    queue.branch("release/1.0", from_branch="main")
    queue.commit("Release fix", {"README.md": "# r\n\nfix\n"}, branch="release/1.0", author=ALICE)
    queue.branch("backport", from_branch="release/1.0")
    queue.commit("Backport", {"back.py": "B = 2\n"}, branch="backport", author=BOB)
    queue.checkout()
    full = discover(GitRepo(queue.path))
    assert find_change(full, "backport").base_ref == "release/1.0"
    assert discover_one(GitRepo(queue.path), "backport") is None


def test_explain_of_one_change_checks_only_the_heads_that_hold_its_commits(queue, tmp_path) -> None:
    """The merged-upstream verdicts a cold `explain plain-a` leaves in the cache are its own alone; its report is
    the one `list` gives."""
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    cache = AnalysisCache(cache_dir / "analysis.db")
    analyzer = Analyzer(queue.path, cache=cache)
    analyzer.one_change = True
    report = analyzer.detail("plain-a").report
    heads = {c.id: c.head for c in discover(GitRepo(queue.path)).every_change()}
    base = GitRepo(queue.path).resolve_commit("main")
    keys = {name: f"{VERDICT_VERSION}:{base}:{head}" for name, head in heads.items()}
    known = cache.get_many(VERDICT_KIND, list(keys.values()))
    assert [name for name, key in keys.items() if key in known] == ["plain-a"]
    result = CliRunner().invoke(cli, ["list", "--repo", str(queue.path), "--json"], catch_exceptions=False)
    [row] = [r for r in json.loads(result.stdout) if r["id"] == "plain-a"]
    mine = report.to_json()
    assert row.pop("duplicate_of") is None  # list's fold of near-duplicate heads, a presentation over the reports
    assert {k: v for k, v in mine.items() if k != "age_seconds"} == {k: v for k, v in row.items()
                                                                     if k != "age_seconds"}


def test_check_of_one_change_asks_every_pending_change_only_for_a_records_name(queue) -> None:
    """`check` binds a record given at one of the change's commits under another pending change's name to that
    change: the analyzer of one change answers which names are pending as the whole discovery does."""
    full = discover(GitRepo(queue.path))
    analyzer = Analyzer(queue.path)
    analyzer.one_change = True
    analyzer.change("top")
    names = analyzer.pending_names()
    assert analyzer._discovery is None  # nothing asked yet: not discovered
    whole = Analyzer(queue.path)
    _ = whole.discovery
    expected = whole.pending_names()
    assert "mid" in names and "pull/7" in names and "line" not in names and "within" not in names
    assert all(name in names for name in expected)
    assert [c.id for c in analyzer.discovery.changes] == [c.id for c in full.changes]


def test_a_warm_explain_walks_no_pending_heads_history_and_merges_nothing(queue, monkeypatch) -> None:
    """Issue 18: which heads hold one of the change's commits (a walk of every pending head's history: OpenHands'
    9,000 pull requests, 2 s) and what a merge into the base's tip would stop on (lazygit's pr/296: 1 s) are
    functions of commit ids, cached by them: a second `explain` of the same change asks git for neither."""
    calls: list[str] = []
    for name in ("heads_holding", "merge_conflicts"):
        real = getattr(GitRepo, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(GitRepo, name, counted)

    def explain() -> str:
        result = CliRunner().invoke(cli, ["explain", "mid", "--repo", str(queue.path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    first = explain()
    assert sorted(set(calls)) == ["heads_holding", "merge_conflicts"]
    calls.clear()
    assert explain() == first
    assert calls == []


def counting(monkeypatch, *names: str) -> list[str]:
    """The calls of these GitRepo methods, counted (they still run)."""
    calls: list[str] = []
    for name in names:
        real = getattr(GitRepo, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(GitRepo, name, counted)
    return calls


def test_a_warm_explain_reads_no_ref_and_still_sees_a_moved_one(queue, tmp_path, monkeypatch) -> None:
    """Issue 18: what the queue's scope makes of every ref (a lookup, a peel and a glob match of each: a second of a
    warm `explain` among OpenHands' 9,199 refs) is cached under a digest of the ref store's files. A warm discovery of
    one change reads no ref, and a ref moved, added or deleted is another digest: it is read again."""
    monkeypatch.setattr(refstore, "RACY_SECONDS", 0.0)  # the store was written a moment ago
    cache = AnalysisCache(tmp_path / "analysis.db")
    calls = counting(monkeypatch, "refs", "unreadable_refs", "ref_names", "base_history")

    def holders(name: str = "mid") -> set[str]:
        analyzer = Analyzer(queue.path, cache=cache)
        analyzer.one_change = True
        analyzer.change(name)
        found = analyzer._one_discovery
        assert found is not None and found.scoped_to == name
        return {c.id for c in found.every_change()}

    assert holders() == {"low", "mid", "top"} and "refs" in calls
    calls.clear()
    assert holders() == {"low", "mid", "top"} and holders("plain-a") == {"plain-a"}
    assert calls == []  # nor ref names: the name is looked up
    # a new head on top of the stack holds mid's commits: a holder
    queue.branch("tip", from_branch="top")
    queue.commit("Tip", {"tip.py": "P = 1\n"}, branch="tip", author=BOB)
    assert holders() == {"low", "mid", "top", "tip"} and "refs" in calls
    # moved off the stack: no longer a holder, as the whole discovery says
    queue.set_ref("refs/heads/tip", queue.head("plain-a"))
    calls.clear()
    assert holders() == {"low", "mid", "top"} and "refs" in calls
    full = discover(GitRepo(queue.path))
    assert fields(find_change(discover_one(GitRepo(queue.path), "mid", cache=cache), "mid")) == fields(
        find_change(full, "mid"))
    # the whole discovery (a warm `list`) reads the same scan from the cache
    calls.clear()
    assert [c.id for c in discover(GitRepo(queue.path), cache=cache).changes] == [c.id for c in full.changes]
    assert calls == []
    # the base moves on: its history is read again, and every verdict is the whole discovery's
    queue.commit("main moves again", {"README.md": "# r\n\nmore still\n"}, author=ALICE)
    full = discover(GitRepo(queue.path))
    calls.clear()
    for name in ("mid", "plain-a", "on-line", "partly"):
        one = discover_one(GitRepo(queue.path), name, cache=cache)
        assert one is not None and fields(find_change(one, name)) == fields(find_change(full, name)), name
    assert calls.count("base_history") == 1 and calls.count("refs") == 1  # the new tip's, then from the cache


def test_a_ref_store_written_a_moment_ago_is_read_again(queue, tmp_path, monkeypatch) -> None:
    """A second update within one tick of the file system's clock may leave a ref file's times and size as they
    were: a store changed within RACY_SECONDS is read, never taken from the cache or put in it."""
    assert GitRepo(queue.path).ref_digest() is None  # the fixture has just written it
    cache = AnalysisCache(tmp_path / "analysis.db")
    calls = counting(monkeypatch, "refs")
    for _ in range(2):
        discover_one(GitRepo(queue.path), "mid", cache=cache)
    assert calls == ["refs", "refs"]
    monkeypatch.setattr(refstore, "RACY_SECONDS", 0.0)
    digest = GitRepo(queue.path).ref_digest()
    assert digest is not None and GitRepo(queue.path).ref_digest() == digest
    (queue.path / ".git" / "refs" / "heads" / "mid").write_text(queue.head("low") + "\n")  # in place, as no git does
    assert GitRepo(queue.path).ref_digest() != digest
