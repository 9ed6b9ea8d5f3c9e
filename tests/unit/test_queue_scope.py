"""Queue scope (issue 13): `[queue]` in the repository file and the user file chooses which refs are
pending work. Release branches are left out by default; include/exclude globs, a maximum head age
and PR-refs-only narrow the queue further; whatever is left out is counted, never silently dropped."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.core.git.discovery import discover
from app.core.git.repo import GitRepo
from app.core.git.scope import DEFAULT_EXCLUDE, QueueConfig
from app.core.settings import SectionReader
from app.errors import ConfigError
from tests.cli import CLI
from tests.conftest import ALICE, BOB

DAY = 86_400


def list_json(path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), "--json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def queue_config(text: str) -> QueueConfig:
    import tomllib

    return QueueConfig.from_reader(SectionReader(tomllib.loads(text).get("queue", {}), "test.toml", "queue"))


@pytest.fixture
def busy(make_repo):
    """main and a realistic mix of refs: features, an old release line that main moved past (it
    'removes CI steps' relative to main), version branches, gh-pages, a PR ref."""
    b = make_repo("busy")
    b.commit("init", {"app.py": "x = 1\n", ".github/workflows/ci.yml": "jobs: {}\n"}, author=ALICE)
    b.branch("origin-1.14-line")
    b.commit("1.14: backport", {"app.py": "x = 1  # 1.14\n"}, branch="origin-1.14-line", author=ALICE)
    b.commit("CI: add lint step", {".github/workflows/ci.yml": "jobs: {lint: {}}\n"}, author=ALICE)
    for name in ("feature/a", "codex/bound-cache"):
        b.branch(name)
        b.commit(f"work on {name}", {f"{name.replace('/', '_')}.py": "y = 1\n"}, branch=name, author=BOB)
    release = b.head("origin-1.14-line")
    for ref in ("refs/remotes/origin/1.14", "refs/remotes/origin/release/2.0", "refs/heads/v1.x",
                "refs/remotes/origin/v1.3.x", "refs/heads/stable"):
        b.set_ref(ref, release)
    b.repo.references.delete("refs/heads/origin-1.14-line")
    b.commit("pages", {"index.html": "<p>\n"}, branch="gh-pages", author=ALICE, parents=[], replace_all=True)
    b.snapshots["pull-7"] = dict(b.snapshots["main"])  # the PR's own snapshot, so main's stays as it is
    b.commit("PR 7", {"pr.py": "p = 1\n"}, branch="pull-7", ref="refs/pull/7/head", parents=[b.head()], author=BOB)
    b.checkout()
    return b


def test_release_branches_are_left_out_by_default_and_counted(busy) -> None:
    found = discover(GitRepo(busy.path))
    assert sorted(c.id for c in found.changes) == ["codex/bound-cache", "feature/a", "pull/7"]
    assert sum(found.left_out.values()) == 6  # 1.14, release/2.0, v1.x, v1.3.x, stable, gh-pages
    assert any("release" in reason for reason in found.left_out)


def test_default_patterns_match_release_names_not_feature_names() -> None:
    config = QueueConfig()
    for name in ("1.14", "origin/1.14", "release/2.0", "origin/release/2.0", "releases/v3", "v1.x", "v1.3.x",
                 "2.0.x", "v0.22.1", "stable", "4.2-stable", "gh-pages", "maint/1.2", "lts/20",
                 # ansible's 22 `stable-2.x` lines topped its queue, "diffs" of years of history in reverse
                 "origin/stable-2.9", "stable-2.1", "release1.8.0", "origin/release-1.2",
                 # django-rest-framework's 10-year-old maintenance line ranked first of its branches (QA46)
                 "origin/version-2.4.x", "version-3.1",
                 # pydantic-ai's v1.x maintenance line after v2 was critical pending work (QA48 #19)
                 "origin/v1", "v12", "origin/v1-30-1"):
        assert config.excluded_by(name) is not None, name
    for name in ("feature/a", "v2-design-sketches", "maxisbey/v2-swap", "fix/release-notes", "codex/x",
                 "pull/7", "hotfix/login", "stable-diffusion-demo", "release-notes-typo", "version-bump",
                 # a version and more is a work branch (cobra's dependency-update branch), not a release line
                 "v1.9.0-dep-updates", "origin/v1.9.0-dep-updates", "1.14-fix-typo",
                 "origin/v2-main", "v2-swap", "vX", "v", "v1-fix-typo", "validators"):
        assert config.excluded_by(name) is None, name


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(busy) -> None:
    assert queue_config("[queue]\nexclude = []\n").exclude == ()
    extended = queue_config('[queue]\nextend_exclude = ["codex/*"]\n')
    assert extended.excluded_by("codex/bound-cache") == "codex/*"
    assert extended.excluded_by("release/2.0") is not None  # the defaults still apply
    assert set(DEFAULT_EXCLUDE) <= set(extended.exclude)


def test_repo_file_scope_is_read_from_the_base(busy) -> None:
    busy.commit("queue scope", {".review-tui.toml": '[queue]\ninclude = ["feature/*", "pull/*"]\n'},
                author=ALICE)
    busy.checkout()
    ids = sorted(r["id"] for r in list_json(busy.path))
    assert ids == ["feature/a", "pull/7"]


def test_user_file_scope_overrides_the_repo_file(busy, hermetic_dirs) -> None:
    busy.commit("queue scope", {".review-tui.toml": '[queue]\ninclude = ["feature/*"]\n'}, author=ALICE)
    busy.checkout()
    config_dir = hermetic_dirs / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text('[queue]\npr_only = true\ninclude = ["*"]\n')
    assert [r["id"] for r in list_json(busy.path)] == ["pull/7"]


def test_pr_only_keeps_changes_with_a_pr_ref(busy) -> None:
    found = discover(GitRepo(busy.path), scope=QueueConfig(pr_only=True))
    assert [c.id for c in found.changes] == ["pull/7"]
    assert any("not a pull request" in reason for reason in found.left_out)


def test_max_age_leaves_out_old_heads_and_counts_them(make_repo) -> None:
    b = make_repo("ages")
    b.commit("init", {"a.py": "a = 1\n"}, author=ALICE, when=1_700_000_000)
    b.branch("old")
    b.commit("old work", {"old.py": "o = 1\n"}, branch="old", author=BOB, when=1_700_000_000 + DAY)
    b.branch("new")
    b.commit("new work", {"new.py": "n = 1\n"}, branch="new", author=BOB, when=1_700_000_000 + 200 * DAY)
    b.checkout()
    found = discover(GitRepo(b.path), scope=QueueConfig(max_age_days=90), now=1_700_000_000 + 201 * DAY)
    assert [c.id for c in found.changes] == ["new"]
    assert found.left_out == {"head older than 90 days ([queue] max_age_days)": 1}


def test_stale_heads_are_counted_for_the_footer_hint(make_repo) -> None:
    """Stale is judged against the project's activity (the base's latest commit), so the count does
    not depend on when the clone is read."""
    b = make_repo("stale")
    b.commit("init", {"a.py": "a = 1\n"}, author=ALICE, when=1_700_000_000)
    for i, age in enumerate((300, 120, 5)):
        b.branch(f"b{i}")
        b.commit(f"w{i}", {f"w{i}.py": "w = 1\n"}, branch=f"b{i}", author=BOB,
                 when=1_700_000_000 + (400 - age) * DAY)
    b.commit("main today", {"a.py": "a = 2\n"}, author=ALICE, when=1_700_000_000 + 400 * DAY)
    b.checkout()
    for now in (1_700_000_000 + 400 * DAY, 1_900_000_000):
        found = discover(GitRepo(b.path), now=now)
        assert len(found.changes) == 3
        assert found.stale == 2  # untouched for 90+ days before main's latest commit (QueueConfig.stale_days)
    table = CliRunner().invoke(cli, ["list", "--repo", str(b.path)], catch_exceptions=False)
    assert "stale" in table.output and "max_age_days" in table.output and "ranked after the rest" in table.output
    from app.tui.screens.queue import hidden_parts

    # the TUI's status line: never the bare "stale" a status column uses for an approval a push outdated
    [(long, short, _)] = hidden_parts(found, show_merged=False, in_range=False)
    assert (long, short) == ("2 untouched 90d+ (o)", "2 old 90d+ (o)")


def test_stale_heads_are_ranked_after_the_live_ones(make_repo) -> None:
    """QA51 #17: hono's queue opened on pull requests 3-4 years old (41 of the top 50 over a year), its first live
    one at row 21. A change untouched for [queue] stale_days before the base's latest commit comes after the live
    ones, in both orders; among themselves they are ranked as before."""
    b = make_repo("stale-rank")
    b.commit("init", {"a.py": "a = 1\n"}, author=ALICE, when=1_700_000_000)
    big = "".join(f"def f{i}(x):\n    if x > {i}:\n        return x\n    return {i}\n\n" for i in range(40))
    for name, age, files in (("old-big", 300, {"auth/login.py": big}), ("old-small", 200, {"o.py": "o = 1\n"}),
                             ("live-small", 5, {"w.py": "w = 1\n"})):
        b.branch(name)
        b.commit(name, files, branch=name, author=BOB, when=1_700_000_000 + (400 - age) * DAY)
    b.commit("main today", {"a.py": "a = 2\n"}, author=ALICE, when=1_700_000_000 + 400 * DAY)
    b.checkout()
    for order in ("risk", "per-minute"):
        result = CliRunner().invoke(cli, ["list", "--repo", str(b.path), "--json", "--order", order],
                                    catch_exceptions=False)
        rows = json.loads(result.stdout)
        assert rows[0]["id"] == "live-small", (order, [(r["id"], r["score"]) for r in rows])
        assert rows[1]["id"] == "old-big" and rows[1]["score"] > rows[0]["score"]


def test_list_footer_counts_what_was_left_out(busy) -> None:
    result = CliRunner().invoke(cli, ["list", "--repo", str(busy.path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "6 refs left out" in result.output


@pytest.mark.parametrize(("text", "key"), [
    ("[queue]\ninclude = \"feature/*\"\n", "queue.include"),
    ("[queue]\nexclude = [\"[unclosed\"]\n", "queue.exclude"),
    ("[queue]\nmax_age_days = -1\n", "queue.max_age_days"),
    ("[queue]\npr_only = \"yes\"\n", "queue.pr_only"),
])
def test_bad_queue_config_names_file_and_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        queue_config(text)


def test_a_pull_request_into_a_release_line_is_reviewed_against_that_line(make_repo) -> None:
    """A PR made on v1.x carries the release line's own commits: against main it would be their
    sum. It is diffed against the line it was made on, and says so in base_ref."""
    b = make_repo("lines")
    b.commit("init", {"a.py": "a = 1\n"}, author=ALICE)
    b.branch("v1.x")
    for i in range(25):  # the release line's own history, which main never gets
        b.commit(f"1.x backport {i}", {f"back_{i}.py": f"b = {i}\n"}, branch="v1.x", author=ALICE)
    b.commit("main moves on", {"main.py": "m = 1\n"}, author=ALICE)
    b.snapshots["pull-3"] = dict(b.snapshots["v1.x"])
    b.commit("Fix for 1.x", {"a.py": "a = 2\n"}, branch="pull-3", ref="refs/pull/3/head", author=BOB,
             parents=[b.head("v1.x")])
    b.set_ref("refs/remotes/origin/v1.x", b.head("v1.x"))
    b.repo.references.delete("refs/heads/v1.x")
    b.checkout()
    [change] = discover(GitRepo(b.path)).changes
    assert change.id == "pull/3" and change.base_ref == "origin/v1.x"
    assert [c.subject for c in change.commits] == ["Fix for 1.x"]
    [row] = list_json(b.path)
    assert (row["lines_added"], row["lines_deleted"], row["files"]) == (1, 1, 1)


@pytest.fixture
def v1x_repo(make_repo):
    """main and a release line v1.x with a few big commits of its own (fewer than many a feature
    branch has), then: a small fix made on v1.x (the PR ref and its branch), a fix merged into v1.x
    already, a fix squash-merged into v1.x, and a forward-port branch made on main that merges v1.x."""
    b = make_repo("v1x")
    b.commit("init", {"a.py": "a = 1\n"}, author=ALICE)
    b.branch("v1.x")
    big = "".join(f"line_{i} = {i}\n" for i in range(400))
    b.commit("1.x: vendor the old client", {"old_client.py": big}, branch="v1.x", author=ALICE)
    b.commit("1.x: keep the old API", {"api.py": big}, branch="v1.x", author=ALICE)
    b.commit("main moves on", {"main.py": "m = 1\n"}, author=ALICE)
    b.branch("fix/notify-v1x", from_branch="v1.x")
    b.commit("ci: notify on maintainer PRs", {"ci.py": "notify = True\n"}, branch="fix/notify-v1x", author=BOB)
    b.set_ref("refs/pull/12/head", b.head("fix/notify-v1x"))
    b.branch("fix/landed-v1x", from_branch="v1.x")
    b.commit("1.x: landed fix", {"a.py": "a = 3\n"}, branch="fix/landed-v1x", author=BOB)
    b.merge("v1.x", "fix/landed-v1x", "Merge fix/landed-v1x", author=ALICE)
    b.branch("fix/squashed-v1x", from_branch="v1.x")
    b.commit("1.x: squashed fix, part 1", {"b.py": "b = 1\n"}, branch="fix/squashed-v1x", author=BOB)
    b.commit("1.x: squashed fix, part 2", {"b.py": "b = 2\n"}, branch="fix/squashed-v1x", author=BOB)
    b.commit("1.x: squashed fix (#14)", {"b.py": "b = 2\n"}, branch="v1.x", author=ALICE)
    b.branch("forward-port")
    b.merge("forward-port", "v1.x", "Merge v1.x into main", author=ALICE)
    b.set_ref("refs/remotes/origin/v1.x", b.head("v1.x"))
    b.repo.references.delete("refs/heads/v1.x")
    b.checkout()
    return b


def test_a_small_change_made_on_a_release_line_is_compared_with_that_line(v1x_repo) -> None:
    """fweinberger/pr-notify-slack-v1x in modelcontextprotocol/python-sdk: 15 commits, 14 of them the
    line's own; against main +4,663/-2,498 in 67 files, against v1.x one 40-line file."""
    found = discover(GitRepo(v1x_repo.path))
    change = next(c for c in found.changes if c.is_named("pull/12"))
    assert change.id == "fix/notify-v1x" and change.base_ref == "origin/v1.x"
    assert [c.subject for c in change.commits] == ["ci: notify on maintainer PRs"]
    assert "release line origin/v1.x" in change.base_note and "2 of that line's commits" in change.base_note
    rows = {row["id"]: row for row in list_json(v1x_repo.path)}
    row = rows["fix/notify-v1x"]
    assert (row["lines_added"], row["lines_deleted"], row["files"]) == (1, 0, 1)
    assert row["base_ref"] == "origin/v1.x" and "origin/v1.x" in row["base_note"]
    explained = CliRunner().invoke(cli, ["explain", "pull/12", "--repo", str(v1x_repo.path)], catch_exceptions=False)
    assert explained.exit_code == 0 and "Base: compared with release line origin/v1.x" in explained.output


def test_changes_merged_into_their_release_line_are_merged_upstream_there(v1x_repo) -> None:
    found = discover(GitRepo(v1x_repo.path))
    merged = {c.id: c.merged for c in found.merged}
    assert merged["fix/landed-v1x"] is not None and merged["fix/landed-v1x"].how == "line"
    assert merged["fix/squashed-v1x"] is not None and merged["fix/squashed-v1x"].how in ("tree", "squash")
    assert "the release line they were made on" in found.footer_lines()[0]


def test_a_forward_port_that_merges_a_release_line_into_main_stays_against_main(v1x_repo) -> None:
    """Its first-parent chain is main's; the release line's commits come in through the merge."""
    found = discover(GitRepo(v1x_repo.path))
    change = next(c for c in found.changes if c.id == "forward-port")
    assert change.base_ref == "main" and change.base_note == ""
    assert any(c.subject == "Merge v1.x into main" for c in change.commits)


def test_the_tui_refuses_a_bad_queue_table_in_one_line_before_its_screen(busy) -> None:
    """The TUI discovers after its first paint: what discovery would refuse is checked before."""
    busy.commit("scope", {".review-tui.toml": "[queue]\npr_only = \"yes\"\n"}, author=ALICE)
    busy.checkout()
    proc = subprocess.run([*CLI, "--repo", str(busy.path)], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("review-tui: error:") and "queue.pr_only" in line


def test_a_branch_left_out_by_scope_is_not_called_merged_and_is_read_when_named(make_repo) -> None:
    """QA42 #7: with `max_age_days`, an old unmerged branch made `list` say "every branch is merged" and
    `check feature/old` say its commits were all in main already (exit 2)."""
    b = make_repo("aged")
    b.commit("base", {"a.py": "def f(x):\n    return x\n", ".review-tui.toml": "[queue]\nmax_age_days = 30\n"},
             author=ALICE)
    b.branch("feature/old")
    b.commit("old work", {"a.py": "def f(x):\n    if x:\n        return 2\n    return x\n"},
             branch="feature/old", author=ALICE, when=1_577_836_800)  # 2020-01-01
    b.checkout()
    listed = CliRunner().invoke(cli, ["list", "--repo", str(b.path)])
    assert listed.exit_code == 0 and "every branch is merged." not in listed.stdout, listed.stdout
    assert "every branch in the queue's scope is merged, and 1 ref is left out by it" in " ".join(listed.stdout.split())
    explained = CliRunner().invoke(cli, ["explain", "feature/old", "--repo", str(b.path), "--json"])
    assert explained.exit_code == 0, explained.stderr
    assert json.loads(explained.stdout)["lines_added"] == 2
    checked = CliRunner().invoke(cli, ["check", "feature/old", "--repo", str(b.path), "--notes-only"])
    assert checked.exit_code == 1 and "needs 1 more approval" in checked.stdout, (checked.stdout, checked.stderr)


def test_a_warm_discovery_walks_no_release_line_and_walks_a_moved_one(v1x_repo, tmp_path, monkeypatch) -> None:
    """Issue 18: a release line's own commits (a walk of up to LINE_WALK_LIMIT of them, hiding the base) are cached
    by the line's tip and the base's: a warm discovery walks no line (hono's were an eighth of a warm `list`), and a
    line that moved is walked again, its verdicts those of a discovery without a cache."""
    from app.storage.cache import AnalysisCache

    cache = AnalysisCache(tmp_path / "analysis.db")
    walked: list[str] = []
    real = GitRepo.ancestry

    def counted(self, head, hide, limit):
        walked.append(head)
        return real(self, head, hide, limit)

    monkeypatch.setattr(GitRepo, "ancestry", counted)

    def verdicts(found) -> dict:
        return {c.id: (c.base_ref, c.base, c.merged and c.merged.how) for c in found.every_change()}

    line = GitRepo(v1x_repo.path).resolve_commit("refs/remotes/origin/v1.x")
    first = verdicts(discover(GitRepo(v1x_repo.path), cache=cache))
    assert line in walked and first["fix/notify-v1x"][0] == "origin/v1.x"
    walked.clear()
    assert verdicts(discover(GitRepo(v1x_repo.path), cache=cache)) == first and line not in walked
    # the line takes the fix in (a fast-forward): its new tip is walked, and the fix is merged upstream there
    v1x_repo.set_ref("refs/remotes/origin/v1.x", v1x_repo.head("fix/notify-v1x"))
    walked.clear()
    moved = verdicts(discover(GitRepo(v1x_repo.path), cache=cache))
    assert v1x_repo.head("fix/notify-v1x") in walked
    assert moved == verdicts(discover(GitRepo(v1x_repo.path))) and moved["fix/notify-v1x"][2] == "line"


@pytest.fixture
def feature_repo(make_repo):
    """netbox's shape (QA56 F1): `feature`, the next release's integration line, with big commits of its own and
    main merged into it now and then; a pull request made on it, one it has merged already, a fix made on main."""
    b = make_repo("feature-line")
    b.commit("init", {"a.py": "a = 1\n"}, author=ALICE)
    b.branch("feature")
    big = "".join(f"line_{i} = {i}\n" for i in range(400))
    b.commit("feature: new models", {"models.py": big}, branch="feature", author=ALICE)
    b.commit("main moves on", {"main.py": "m = 1\n"}, author=ALICE)
    b.merge("feature", "main", "Merge branch 'main' into feature", author=ALICE)
    b.commit("feature: new views", {"views.py": big}, branch="feature", author=ALICE)
    b.branch("pr-into-feature", from_branch="feature")
    b.commit("Optimize the views", {"views.py": big + "extra = 1\n"}, branch="pr-into-feature", author=BOB)
    b.set_ref("refs/pull/5/head", b.head("pr-into-feature"))
    b.branch("landed-on-feature", from_branch="feature")
    b.commit("feature: landed fix", {"a.py": "a = 3\n"}, branch="landed-on-feature", author=BOB)
    b.merge("feature", "landed-on-feature", "Merge landed-on-feature", author=ALICE)
    b.branch("fix-on-main")
    b.commit("Fix on main", {"main.py": "m = 2\n"}, branch="fix-on-main", author=BOB)
    b.set_ref("refs/remotes/origin/feature", b.head("feature"))
    b.repo.references.delete("refs/heads/feature")
    b.checkout()
    return b


def test_an_integration_branch_named_a_line_is_no_change_and_its_pull_requests_are_compared_with_it(
        feature_repo) -> None:
    before = {row["id"]: row for row in list_json(feature_repo.path)}
    assert before["pr-into-feature"]["lines_added"] > 800  # against main: the line's own commits too
    found = discover(GitRepo(feature_repo.path), scope=queue_config('[queue]\nlines = ["feature"]\n'))
    changes = {c.id: c for c in found.changes}
    assert set(changes) == {"pr-into-feature", "fix-on-main"}
    pr = changes["pr-into-feature"]
    assert pr.base_ref == "origin/feature" and [c.subject for c in pr.commits] == ["Optimize the views"]
    assert pr.base_note.startswith("compared with line origin/feature (forked from it at")
    assert changes["fix-on-main"].base_ref == "main"
    merged = {c.id: c.merged for c in found.merged}
    assert merged["landed-on-feature"] is not None and merged["landed-on-feature"].how == "line"
    assert any("a line, not a change: [queue] lines 'feature'" in reason for reason in found.left_out)


def test_lines_in_the_repository_file_shape_list_and_explain(feature_repo) -> None:
    feature_repo.commit("scope", {".review-tui.toml": '[queue]\nlines = ["feature"]\n'}, author=ALICE)
    feature_repo.checkout()
    rows = {row["id"]: row for row in list_json(feature_repo.path)}
    assert "origin/feature" not in rows
    row = rows["pr-into-feature"]
    assert (row["lines_added"], row["lines_deleted"], row["files"], row["base_ref"]) == (1, 0, 1, "origin/feature")
    explained = CliRunner().invoke(cli, ["explain", "pull/5", "--repo", str(feature_repo.path)],
                                   catch_exceptions=False)
    assert explained.exit_code == 0 and "Base: compared with line origin/feature" in explained.output


def test_a_bad_lines_pattern_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"queue\.lines"):
        queue_config('[queue]\nlines = [""]\n')
