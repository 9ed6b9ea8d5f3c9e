"""The history of chosen paths (GitRepo.history(paths=...)) is the full history filtered to them:
the same commits touch each path whether whole trees are diffed or entries compared along the
paths, through edits, deletions, re-moded files, files that become links, a file that becomes a
directory, merges and the root commit. A property over random histories, and the index built on
it by the analyzer."""

from __future__ import annotations

import os

import pygit2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.git.history import HistoryIndex, anchor_time
from app.core.git.repo import GitRepo
from tests.conftest import ALICE, BOB, SAMPLES

POOL = ("a.py", "src/b.py", "src/c.py", "src/deep/d.py", "x", "x/y.py", "docs/e.md", "src/deep")
MODES = (0o100644, 0o100755, 0o120000)  # a file, an executable, a link (file <-> link: two deltas)

step = st.tuples(st.sampled_from(POOL), st.one_of(st.none(), st.integers(0, 3)), st.sampled_from(MODES))


def _apply(snapshot: dict[str, tuple[bytes, int]], path: str, version: int | None,
           mode: int) -> dict[str, object]:
    """The delta setting `path` (None deletes it), keeping the tree valid: a file and a directory of
    the same name cannot both exist, so the other one goes."""
    delta: dict[str, object] = {}
    if version is None:
        delta[path] = None
    else:
        for other in snapshot:
            if other.startswith(path + "/") or path.startswith(other + "/"):
                delta[other] = None
        content = f"{path} v{version}\n".encode()
        delta[path] = (content, mode)
    return delta


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(main_steps=st.lists(step, min_size=1, max_size=12), side_steps=st.lists(step, max_size=5),
       wanted=st.sets(st.sampled_from((*POOL, "missing.py", "src/missing/z.py")), min_size=1))
def test_history_of_chosen_paths_is_the_full_history_filtered(make_repo, main_steps, side_steps, wanted) -> None:
    builder = _random_history(make_repo, main_steps, side_steps)
    repo = GitRepo(str(builder.path))
    head = builder.head("main")
    full = repo.history(head, since=0, max_commits=1_000)
    chosen = repo.history(head, since=0, max_commits=1_000, paths=wanted)
    assert [e.id for e in full] == [e.id for e in chosen]
    for whole, limited in zip(full, chosen, strict=True):
        assert sorted(p for p in whole.paths if p in wanted) == sorted(limited.paths), whole.id

    tip = repo.repo[head].peel(pygit2.Commit).commit_time
    everything = HistoryIndex.build(repo, head)
    only = HistoryIndex.build(repo, head, paths=wanted)
    for path in wanted:
        assert everything.entries(path) == only.entries(path)
    assert everything.figures(sorted(wanted), [ALICE.email]) == only.figures(sorted(wanted), [ALICE.email])
    assert tip > 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(main_steps=st.lists(step, min_size=1, max_size=12), side_steps=st.lists(step, max_size=5))
def test_touched_paths_are_the_paths_a_tree_diff_names(make_repo, main_steps, side_steps) -> None:
    """GitRepo.touched_paths (entries compared, equal subtrees skipped; what merged-upstream detection
    keys commits by) names exactly the paths of a tree diff, between any two commits and from the
    empty tree."""
    builder = _random_history(make_repo, main_steps, side_steps)
    repo = GitRepo(str(builder.path))
    ids = [e.id for e in repo.history(builder.head("main"), since=0, max_commits=1_000)]
    for old in [None, *ids]:
        for new in ids:
            assert repo.touched_paths(old, new) == set(repo.changed_paths(old, new)), (old, new)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(main_steps=st.lists(step, min_size=1, max_size=12), side_steps=st.lists(step, max_size=5),
       wanted=st.sets(st.sampled_from((*POOL, "missing.py", "src/missing/z.py")), min_size=1))
def test_history_from_git_names_what_the_tree_diffs_name(make_repo, main_steps, side_steps, wanted) -> None:
    """The paths of a long whole-tree history come from one `git diff-tree`: the same entries, in the same
    order, as pygit2's tree diffs (a file that became a link named twice, a merge against its first
    parent); the history of chosen paths (compared in process) agrees with it."""
    from app.core.git import repo as repo_module

    builder = _random_history(make_repo, main_steps, side_steps)
    repo = GitRepo(str(builder.path))
    head = builder.head("main")
    default = repo_module.HISTORY_BY_GIT_MIN
    try:
        repo_module.HISTORY_BY_GIT_MIN = 10**9
        by_pygit2 = [repo.history(head, since=0, max_commits=1_000, paths=p) for p in (None, wanted)]
        repo_module.HISTORY_BY_GIT_MIN = 1
        by_git = [repo.history(head, since=0, max_commits=1_000, paths=p) for p in (None, wanted)]
    finally:
        repo_module.HISTORY_BY_GIT_MIN = default
    assert by_git[0] == by_pygit2[0]
    assert [(e.id, sorted(e.paths)) for e in by_git[1]] == [
        (e.id, sorted(p for p in whole.paths if p in wanted)) for e, whole in zip(by_pygit2[1], by_git[0], strict=True)]


def test_without_a_git_to_run_the_history_is_diffed_in_process(make_repo, monkeypatch) -> None:
    from app.core.git import repo as repo_module

    builder = make_repo()
    for number in range(20):
        builder.commit(f"step {number}", {f"s{number % 3}.py": f"N = {number}\n"}, author=ALICE)
    repo = GitRepo(str(builder.path))
    monkeypatch.setattr(repo_module, "HISTORY_BY_GIT_MIN", 10**9)
    expected = repo.history(builder.head("main"), since=0)
    monkeypatch.setattr(repo_module, "HISTORY_BY_GIT_MIN", 1)
    monkeypatch.setenv("PATH", "")
    assert repo.history(builder.head("main"), since=0) == expected
    assert len(expected) == 20 and all(len(e.paths) == 1 for e in expected)


def _random_history(make_repo, main_steps, side_steps):
    builder = make_repo()
    builder.commit("root", {"a.py": "a\n", "src/b.py": "b\n"}, author=ALICE)
    for number, (path, version, mode) in enumerate(main_steps):
        delta = _apply(builder.snapshots["main"], path, version, mode)
        builder.commit(f"main {number}", delta, author=ALICE)  # type: ignore[arg-type]
        if number == len(main_steps) // 2 and side_steps:
            builder.branch("side")
            for side_number, (side_path, side_version, side_exec) in enumerate(side_steps):
                side_delta = _apply(builder.snapshots["side"], "side/" + side_path, side_version, side_exec)
                builder.commit(f"side {side_number}", side_delta, branch="side", author=ALICE)  # type: ignore[arg-type]
            builder.merge("main", "side", "merge side", author=ALICE)
    return builder


def test_the_analyzer_builds_the_index_for_the_touched_paths_only(payments_repo, tmp_path, monkeypatch) -> None:
    """A queue of fewer than EARLY_HISTORY_CHANGES changes (the samples' has 15: their limit raised here)."""
    import app.analysis.analyzer as analyzer_module
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    monkeypatch.setattr(analyzer_module, "EARLY_HISTORY_CHANGES", 10**6)
    cache = AnalysisCache.open(tmp_path / "cache.db")
    analyzer = Analyzer(payments_repo, cache=cache)
    reports = analyzer.analyze_all()
    stored = cache.get("history-fp", analyzer.discovery.base_commit)
    touched = {fd.path for change in analyzer.discovery.changes if not change.error
               for fd in analyzer.diff(change)}
    assert set(stored["covers"]) == touched
    assert all(r.assessment is not None and r.assessment.history is not None for r in reports if not r.error)
    assert SAMPLES is not None


@pytest.mark.parametrize("git", ["answers", "cannot run", "no worker"])
def test_a_long_queue_has_the_index_of_every_path_built_while_it_is_diffed(payments_repo, tmp_path, monkeypatch,
                                                                          git) -> None:
    """Issue 18: a queue of EARLY_HISTORY_CHANGES or more changes has a worker build the index of every path
    (git names each commit's paths) before its changes are diffed, with the figures the index of their paths
    gives; where git cannot run in the worker, or no worker starts the build, the analysis thread builds the
    index of its paths, as before."""
    from concurrent.futures import Future

    import app.analysis.analyzer as analyzer_module
    import app.core.workers as workers_module
    from app.analysis.analyzer import Analyzer
    from app.core.git import repo as repo_module
    from app.storage.cache import AnalysisCache

    def run(name: str) -> tuple[dict[str, object], object]:
        cache = AnalysisCache.open(tmp_path / f"{name}.db")
        analyzer = Analyzer(payments_repo, cache=cache)
        reports = analyzer.analyze_all()
        stored = cache.get("history-fp", analyzer.discovery.base_commit)
        return {r.id: r.assessment.history for r in reports if r.assessment is not None}, stored["covers"]

    monkeypatch.setattr(analyzer_module, "EARLY_HISTORY_CHANGES", 10**6)
    by_paths, covers = run("paths")
    assert covers and any(figures is not None for figures in by_paths.values())
    monkeypatch.setattr(analyzer_module, "EARLY_HISTORY_CHANGES", 2)
    monkeypatch.setattr(repo_module, "HISTORY_BY_GIT_MIN", 1)  # the sample's history is short
    offered: list[tuple[object, ...]] = []
    shared_pool = workers_module.shared_pool

    class Recording:  # the real pool; the history builds sent to it are noted
        def __init__(self, pool) -> None:
            self.pool = pool

        def submit(self, fn, *args):
            if fn.__name__ != "_index_in_worker":
                return self.pool.submit(fn, *args)
            offered.append(args[2:])
            if git == "no worker":
                return Future()  # a pending future: cancellable
            if git == "cannot run":
                return self.pool.submit(_index_without_git, *args)
            return self.pool.submit(fn, *args)

    monkeypatch.setattr(workers_module, "shared_pool", lambda n: Recording(shared_pool(n)))
    early, covers = run(git)
    assert [paths for paths, _, _ in offered] == [None]  # once, before the paths are known: every path
    assert early == by_paths
    assert (covers is None) == (git == "answers")


def _index_without_git(*args):
    """history._index_in_worker where git cannot run (no PATH)."""
    import os

    from app.analysis.history import _index_in_worker

    path = os.environ.get("PATH", "")
    os.environ["PATH"] = ""
    try:
        return _index_in_worker(*args)
    finally:  # the worker serves the session's other tests
        os.environ["PATH"] = path


@pytest.mark.parametrize("submitted", [True, False])
def test_a_first_run_builds_the_index_in_a_worker_process(payments_repo, tmp_path, monkeypatch, submitted) -> None:
    """A first run's walk for the history index leaves the analysis thread: a worker process builds it,
    with the figures the analysis thread's own build gives. An offer that no worker has started is
    built in process, with the same figures."""
    from concurrent.futures import Future

    import app.analysis.analyzer as analyzer_module
    import app.core.workers as workers_module
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    walks: list[str] = []  # where each walk for the index ran

    def run(workers: int) -> tuple[dict[str, object], list[str]]:
        config = tmp_path / f"config{workers}.toml"
        config.write_text(f"[complexity]\nworkers = {workers}\n")
        analyzer = Analyzer(payments_repo, cache=AnalysisCache.open(tmp_path / f"cache{workers}.db"),
                            config_path=config)
        reports = analyzer.analyze_all()
        return {r.id: r.assessment.history for r in reports if r.assessment is not None}, walks

    in_process, _ = run(0)
    walks.clear()
    history = GitRepo.history
    monkeypatch.setattr(GitRepo, "history",
                        lambda self, start, **kw: walks.append("here") or history(self, start, **kw))
    shared_pool = workers_module.shared_pool

    class Recording:  # the real pool; what is sent to it is noted, or left unstarted
        def __init__(self, pool) -> None:
            self.pool = pool

        def submit(self, fn, *args):
            if fn.__name__ != "_index_in_worker":
                return self.pool.submit(fn, *args)
            walks.append("worker")
            return self.pool.submit(fn, *args) if submitted else Future()  # a pending future: cancellable

    monkeypatch.setattr(workers_module, "shared_pool", lambda n: Recording(shared_pool(n)))
    monkeypatch.setattr(analyzer_module, "EARLY_HISTORY_CHANGES", 10**6)  # the build of the queue's paths
    in_workers, walked = run(2)
    assert walked == (["worker"] if submitted else ["worker", "here"])
    assert in_workers == in_process and any(figures is not None for figures in in_process.values())


DAY = 86_400
START = 1_600_000_000
# Gaps between commits: an hour, a month, half of the experience window; and a clock set back (a commit
# older than its parent, as a skewed machine writes it).
gap = st.sampled_from((3_600, 30 * DAY, 365 * DAY, -40 * DAY))
dated_step = st.tuples(st.sampled_from(POOL), st.integers(0, 3), gap, st.booleans())


def _dated_history(make_repo, before, after, side):
    """main: a root and `before` steps (the earlier base, returned first), then `after` steps with a side
    branch forked from the earlier base (its own dates, possibly older than anything on main) merged in
    the middle. Each step: (path, version, gap to the previous commit, whether Bob writes it)."""
    builder = make_repo()
    when = START
    builder.commit("root", {"a.py": "a\n", "src/b.py": "b\n"}, author=ALICE, when=when)

    def step(branch, number, path, version, dt, bob, when):
        when += dt
        delta = _apply(builder.snapshots[branch], f"{branch}/{path}" if branch == "side" else path, version, 0o100644)
        builder.commit(f"{branch} {number}", delta, branch=branch, author=BOB if bob else ALICE,  # type: ignore[arg-type]
                       when=when)
        return when

    for number, (path, version, dt, bob) in enumerate(before):
        when = step("main", number, path, version, dt, bob, when)
    earlier = builder.head("main")
    builder.branch("side")
    side_when = when
    for number, (path, version, dt, bob) in enumerate(side):
        side_when = step("side", number, path, version, dt, bob, side_when)
    for number, (path, version, dt, bob) in enumerate(after):
        when = step("main", len(before) + number, path, version, dt, bob, when)
        if side and number == len(after) // 2:
            builder.merge("main", "side", "merge side", author=ALICE)
    return builder, earlier, builder.head("main")


def _same_index(one: HistoryIndex, other: HistoryIndex) -> None:
    assert (one.base_commit, one.window_start) == (other.base_commit, other.window_start)
    assert set(one.commit_ids) == set(other.commit_ids)
    assert one.commits_by_path.keys() == other.commits_by_path.keys()
    for path in one.commits_by_path:
        assert sorted(one.entries(path)) == sorted(other.entries(path)), path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(dated_step, min_size=1, max_size=8), after=st.lists(dated_step, min_size=1, max_size=8),
       side=st.lists(dated_step, max_size=4),
       wanted=st.one_of(st.none(), st.sets(st.sampled_from((*POOL, "side/a.py", "side/src/b.py")), min_size=1)))
def test_an_index_extended_to_a_later_base_is_the_index_a_full_walk_builds(make_repo, before, after, side,
                                                                          wanted) -> None:
    """After a fetch the base is a later commit whose history holds the earlier base: its index is the
    earlier index plus the commits since, filtered to the new window, exactly as a full walk finds it,
    through merges of old-dated branches and clocks set back. Where it cannot be exact (the new window
    begins before the earlier one's) the extension declines and a full walk is made."""
    builder, earlier, later = _dated_history(make_repo, before, after, side)
    repo = GitRepo(str(builder.path))
    extended = HistoryIndex.build(repo, earlier, paths=wanted).extended(repo, later, paths=wanted)
    full = HistoryIndex.build(repo, later, paths=wanted)
    # the windows end at each base's anchor: its own time, or where that lies in the future (generated dates run
    # to 2036) that of its newest first-parent ancestor that does not, here perhaps a merge older than both
    earlier_time, later_time = anchor_time(repo, earlier), anchor_time(repo, later)
    if extended is None:
        assert later_time < earlier_time  # only a skewed clock sends the window back
        return
    _same_index(extended, full)
    authors = [ALICE.email, BOB.email]
    paths = sorted(wanted) if wanted is not None else sorted(full.commits_by_path)
    assert extended.figures(paths, authors) == full.figures(paths, authors)
    # and once more: an extended index extends like a built one
    again = HistoryIndex.from_dict(extended.to_dict())
    assert again.walked is not None and again.walked >= len(extended.commit_ids)


def test_after_a_fetch_the_history_index_grows_from_the_earlier_bases(make_repo, tmp_path, monkeypatch) -> None:
    """The base moved by two commits (a fetch): the analysis walks those two, not the base's whole history,
    and every change's history figures are those of a first run at the new base."""
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    builder = make_repo()
    for number in range(12):
        builder.commit(f"main {number}", {f"m{number % 4}.py": f"N = {number}\n"}, author=(ALICE, BOB)[number % 2])
    builder.branch("feature")
    builder.commit("feature", {"m1.py": "N = 'feature'\n", "new.py": "X = 1\n"}, branch="feature", author=BOB)
    cache = AnalysisCache.open(tmp_path / "cache.db")
    Analyzer(str(builder.path), cache=cache).analyze_all()
    earlier = builder.head("main")
    builder.commit("fetched 1", {"m1.py": "N = 'main'\n"}, author=ALICE)
    builder.commit("fetched 2", {"other.py": "Y = 2\n"}, author=BOB)

    walks: list[str | None] = []
    history = GitRepo.history

    def recording(self, start, **kwargs):
        walks.append(kwargs.get("hide"))
        return history(self, start, **kwargs)

    monkeypatch.setattr(GitRepo, "history", recording)
    moved = Analyzer(str(builder.path), cache=cache).analyze_all()
    assert walks == [earlier]
    monkeypatch.setattr(GitRepo, "history", history)
    first = Analyzer(str(builder.path), cache=AnalysisCache.open(tmp_path / "first.db")).analyze_all()

    def figures(reports):
        return {r.id: r.assessment.history for r in reports if r.assessment is not None}

    assert figures(moved) == figures(first)
    feature = figures(first)["feature"]  # m1.py: Bob's three commits and Alice's fetched one
    assert (feature.hottest_path, feature.hottest_changes, feature.recent_authors,
            feature.author_prior_commits) == ("m1.py", 4, 2, 3)


def test_a_base_tip_dated_in_the_future_does_not_empty_the_windows(make_repo) -> None:
    """QA44 #16: one commit dated 2031 on the base tip left every 90-day window empty: "0 recent authors" and
    "did not change in 90 days" on every change, and every branch called stale. The windows end at the newest
    first-parent ancestor not in the future (the project's activity, not the wall clock)."""
    import subprocess

    from app.core.git.history import HistoryIndex

    b = make_repo("skew")
    for i in range(3):
        b.commit(f"c{i}", {"a.py": f"x = {i}\n"}, author=ALICE)
    b.checkout()
    fair = HistoryIndex.build(GitRepo(b.path), b.head("main")).figures(["a.py"], [])
    env = {**os.environ, "GIT_COMMITTER_DATE": "2031-01-01T00:00:00Z", "GIT_AUTHOR_DATE": "2031-01-01T00:00:00Z"}
    subprocess.run(["git", "-C", str(b.path), "-c", "user.name=S", "-c", "user.email=s@x", "commit", "-q",
                    "--allow-empty", "-m", "clock skew"], check=True, env=env)
    skewed = HistoryIndex.build(GitRepo(b.path), GitRepo(b.path).resolve_commit("HEAD")).figures(["a.py"], [])
    assert skewed.recent_authors == fair.recent_authors == 1 and skewed.hottest_changes == fair.hottest_changes == 3


def test_the_walk_reads_the_line_down_to_a_run_of_commits_older_than_the_window(make_repo, monkeypatch) -> None:
    """The history is read down the first-parent line until OLD_RUN commits in a row are older than the window
    (ansible: 1,500 commits of its 730 days, where the whole line of 45,000 was read for a one-pull-request
    `list`): a clock set back for fewer commits than that does not end the walk, and a commit dated inside the
    window below such a run is not reached."""
    import app.core.git.repo as repo_module

    monkeypatch.setattr(repo_module, "OLD_RUN", 3, raising=False)  # (raising: the old code has none)
    old = START - 3 * 365 * DAY  # outside the 730-day window of the tip

    def figures(olds: int) -> tuple[int, int]:
        builder = make_repo()
        builder.commit("root", {"a.py": "root\n"}, author=ALICE, when=old - DAY)
        builder.commit("skewed, deep", {"a.py": "skewed\n"}, author=BOB, when=START - DAY)  # inside the window
        for number in range(olds):
            builder.commit(f"old {number}", {"b.py": f"{number}\n"}, author=ALICE, when=old + number)
        for number in range(2):
            builder.commit(f"new {number}", {"a.py": f"{number}\n"}, author=ALICE, when=START + number)
        repo = GitRepo(str(builder.path))
        index = HistoryIndex.build(repo, builder.head("main"))
        return len(index.entries("a.py")), index.figures(["a.py"], [BOB.email]).author_prior_commits

    assert figures(2) == (3, 1)  # two old commits: the walk goes on, and finds Bob's skewed one
    assert figures(3) == (2, 0)  # three in a row: it ends there
