"""Hostile repositories against the analysis and the CLI.

Invariants, on repositories an attacker (or just the real world) can produce:
- the analysis never raises: every pending change gets a report, and every change without an
  error gets its full detail;
- the chunks of every change partition its diff exactly;
- `review-tui list --json` exits 0 with valid JSON;
- no control character from repository content reaches the terminal through `list`, `explain`
  or `chunks` (stdout is a pipe, so rich adds no styling: any ESC came from the repository).
"""

from __future__ import annotations

import collections
import json
import shutil
import subprocess
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.errors import ReviewTuiError
from app.storage.cache import AnalysisCache

from .hostile import (
    AUTHORS,
    FILE,
    HOSTILE_LINES,
    TIMES,
    BranchPlan,
    CommitPlan,
    HistoryPlan,
    build_history,
    cli_json,
    examples,
    forbidden_chars,
    histories,
    kitchen_sink_plan,
    octopus,
    run_cli,
    signature,
    write_commit,
    write_tree,
)

EVERY_LINE = b"\n".join(HOSTILE_LINES) + b"\n"


# -- invariants ------------------------------------------------------------------------------------

def assert_partition(detail) -> None:
    """Every changed line of the diff is owned by exactly one chunk."""
    files = detail.files
    owned = []
    for chunk in detail.plan.chunks:
        for s in chunk.segments:
            lines = files[s.file_index].hunks[s.hunk_index].lines
            owned += [(s.file_index, s.hunk_index, i) for i in range(s.first, s.last + 1)
                      if lines[i].origin != " "]
    changed = [(f, h, i) for f, fd in enumerate(files) for h, hunk in enumerate(fd.hunks)
               for i, line in enumerate(hunk.lines) if line.origin != " "]
    assert len(owned) == len(set(owned)), f"{detail.change.id}: a changed line is in two chunks"
    assert collections.Counter(owned) == collections.Counter(changed), f"{detail.change.id}: a line is lost"
    # every file of the diff is somewhere in the plan, line-less ones (binary, renames) included
    planned = {path for chunk in detail.plan.chunks for path in chunk.files}
    assert {fd.path for fd in files} <= planned, f"{detail.change.id}: a file is missing from the plan"


def analyse_everything(repo: Path, cache_dir: Path, *, intact: bool = True) -> Analyzer:
    """Run the whole analysis (with a real cache, twice: cold then warm). With `intact`, every change
    without an error must give its detail; without, a ReviewTuiError is the only allowed failure."""
    for _ in range(2):
        cache = AnalysisCache.open(cache_dir / "cache.sqlite")
        try:
            analyzer = Analyzer(repo, cache=cache)
            reports = analyzer.analyze_all()
            assert len(reports) == len(analyzer.discovery.changes)
            for report in reports:
                json.dumps(report.to_json())
                assert report.complete
            for change in analyzer.discovery.changes:
                if change.error:
                    continue
                try:
                    detail = analyzer.detail(change)
                except ReviewTuiError:
                    if intact:
                        raise
                    continue
                assert_partition(detail)
                json.dumps(detail.plan.to_dict())
        finally:
            cache.close()
    return analyzer


def assert_clean_cli(repo: Path, change_ids: list[str]) -> None:
    """list / list --json / explain / chunks (rich and JSON) through the CLI code, in process."""
    runner = CliRunner()
    listed = runner.invoke(cli, ["list", "--json", "--repo", str(repo)])
    assert listed.exit_code == 0, listed.stderr
    assert isinstance(json.loads(listed.stdout), list)
    commands = [["list", "--repo", str(repo)]]
    for cid in change_ids:
        for name in ("explain", "chunks"):
            commands += [[name, "--repo", str(repo), "--", cid],
                         [name, "--json", "--repo", str(repo), "--", cid]]
    for args in commands:
        result = runner.invoke(cli, args)
        assert result.exit_code in (0, 2), (args, result.stderr, result.exception)
        if result.exit_code == 2:  # a change that cannot be analysed: one line, prefixed
            assert result.stderr.startswith("review-tui: error: "), result.stderr
            assert result.stderr.count("\n") == 1, result.stderr
        assert not forbidden_chars(result.stdout), (args, forbidden_chars(result.stdout))
        assert not forbidden_chars(result.stderr), (args, forbidden_chars(result.stderr))
        if "--json" in args and result.exit_code == 0:
            json.loads(result.stdout)


# -- generated hostile histories ---------------------------------------------------------------------

@settings(max_examples=examples(0.5), deadline=None)
@given(plan=histories())
def test_analysis_never_raises_and_chunks_partition_every_diff(plan: HistoryPlan, tmp_path_factory) -> None:
    root = tmp_path_factory.mktemp("hostile")
    repo = build_history(root / "repo", plan)
    analyzer = analyse_everything(repo, root)
    assert analyzer.discovery.every_change(), plan.describe()  # a branch of empty commits is merged ("empty")


@settings(max_examples=examples(0.25), deadline=None)
@given(plan=histories())
def test_cli_never_prints_a_control_byte_from_the_repository(plan: HistoryPlan, tmp_path_factory) -> None:
    root = tmp_path_factory.mktemp("hostile-cli")
    repo = build_history(root / "repo", plan)
    ids = [c.id for c in Analyzer(repo).discovery.changes]
    assert_clean_cli(repo, ids)


# -- one repository with every hostile input at once, through the real CLI --------------------------

@pytest.fixture(scope="module")
def kitchen_sink(tmp_path_factory) -> Path:
    repo = build_history(tmp_path_factory.mktemp("sink") / "repo", kitchen_sink_plan())
    octopus(repo)
    return repo


def test_kitchen_sink_through_the_real_cli(kitchen_sink: Path, tmp_path: Path) -> None:
    data = cli_json("list", "--json", "--repo", str(kitchen_sink))
    ids = {item["id"] for item in data}
    assert {"--force", "-x", "feature/one", "$(reboot)"} <= ids
    # the octopus merge records feature/one's tree: stacked on it with nothing of its own, it is hidden as empty
    # (hono pull/383), and listed on request, its escape-laden subject as clean as any
    merged = run_cli("list", "--json", "--include-merged", "--repo", str(kitchen_sink))
    assert "octopus" in {item["id"] for item in json.loads(merged.stdout)} and "octopus" not in ids
    assert not forbidden_chars(merged.stdout), forbidden_chars(merged.stdout)
    by_id = {item["id"]: item for item in data}
    assert by_id["--force"]["error"] is None and by_id["--force"]["files"] >= 7
    # the JSON text itself carries no raw control character either (C1 and DEL included)
    raw = run_cli("list", "--json", "--repo", str(kitchen_sink))
    assert not forbidden_chars(raw.stdout), forbidden_chars(raw.stdout)

    listed = run_cli("list", "--repo", str(kitchen_sink))
    assert listed.returncode == 0, listed.stderr
    assert not forbidden_chars(listed.stdout + listed.stderr), forbidden_chars(listed.stdout)
    for cid in sorted(ids):
        for command in ("explain", "chunks"):
            result = run_cli(command, "--repo", str(kitchen_sink), "--", cid)
            assert result.returncode in (0, 2), result.stderr
            assert not forbidden_chars(result.stdout), (command, cid, forbidden_chars(result.stdout))
            assert not forbidden_chars(result.stderr), (command, cid, forbidden_chars(result.stderr))
    # Rich markup in content is shown as text, never interpreted (a bare "[/]" would crash a parser)
    shown = run_cli("chunks", "--repo", str(kitchen_sink), "--", "--force").stdout.decode()
    assert "[bold]x[/].txt" in shown
    assert "␛]0;title␇" in shown  # the escape in a file name is shown as visible symbols
    explained = run_cli("explain", "--repo", str(kitchen_sink), "--", "--force").stdout.decode()
    # its title, the first commit's subject, shown as text (a subject's markup: test_queue, test_change_screen)
    assert "subject ␛]0;title␇ ␛[31mred" in explained


def test_kitchen_sink_analysis_and_worktree(kitchen_sink: Path, tmp_path: Path) -> None:
    """Check out the hostile branch (names with newlines and escapes land on disk), then edit it:
    the working-tree change goes through the same invariants."""
    work = tmp_path / "clone"
    shutil.copytree(kitchen_sink, work, symlinks=True)
    r = pygit2.Repository(str(work))
    r.checkout("refs/heads/--force", strategy=pygit2.enums.CheckoutStrategy.FORCE)
    r.set_head("refs/heads/--force")
    hostile_file = next(p for p in (work / "a b").rglob("*") if p.is_file())
    hostile_file.write_bytes(hostile_file.read_bytes() + b"\x1b]0;worktree title\x07\n")
    analyzer = analyse_everything(work, tmp_path)
    assert any(c.kind == "worktree" for c in analyzer.discovery.changes)
    assert_clean_cli(work, [":worktree", "worktree"])


# -- shallow clones and missing objects --------------------------------------------------------------

def test_shallow_clone_is_analysed_not_crashed(kitchen_sink: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git CLI not installed")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{kitchen_sink}",
                    str(shallow)], check=True, capture_output=True)
    assert pygit2.Repository(str(shallow)).is_shallow
    analyzer = analyse_everything(shallow, tmp_path, intact=False)
    errors = [c.error for c in analyzer.discovery.changes if c.error]
    assert errors and all("shallow" in e for e in errors), errors
    data = cli_json("list", "--json", "--repo", str(shallow))
    assert all(item["error"] is None or "shallow" in item["error"] for item in data)
    ids = [item["id"] for item in data]
    assert_clean_cli(shallow, ids)


def _loose_path(repo: Path, oid: str) -> Path:
    return repo / ".git" / "objects" / oid[:2] / oid[2:]


def _victims(repo: Path) -> dict[str, str]:
    """Objects whose loss a clone can suffer: one of each kind, on the --force branch."""
    r = pygit2.Repository(str(repo))
    tip = r.lookup_reference("refs/heads/--force").peel(pygit2.Commit)
    first = tip.parents[0].parents[0]  # the evil commit, under the branch's two file-less commits
    added = next(d for d in first.parents[0].tree.diff_to_tree(first.tree).deltas if d.status_char() == "A"
                 and d.new_file.mode == FILE)
    return {
        "blob added by the change": str(added.new_file.id),
        "tree of the change's head": str(tip.tree.id),
        "commit inside the change": str(first.id),
        "tip commit of the change": str(tip.id),
        "base commit": str(first.parents[0].id),
    }


@pytest.mark.parametrize("victim", ["blob added by the change", "tree of the change's head",
                                    "commit inside the change", "tip commit of the change", "base commit"])
def test_missing_object_never_crashes(kitchen_sink: Path, tmp_path: Path, victim: str) -> None:
    repo = tmp_path / "damaged"
    shutil.copytree(kitchen_sink, repo, symlinks=True)
    oid = _victims(repo)[victim]
    _loose_path(repo, oid).unlink()
    try:
        analyse_everything(repo, tmp_path, intact=False)
    except ReviewTuiError as exc:  # the base itself gone: discovery may refuse, with a message
        assert victim == "base commit", exc
    result = run_cli("list", "--json", "--repo", str(repo))
    if result.returncode == 0:
        data = json.loads(result.stdout)
        assert isinstance(data, list)
    else:  # only a missing base may stop the listing, and then with one clear line
        assert victim == "base commit"
        assert result.returncode == 2 and result.stderr.decode().count("\n") == 1, result.stderr


def test_hostile_git_ai_note_is_data(kitchen_sink: Path, tmp_path: Path) -> None:
    """A git-ai note (refs/notes/ai) that is not UTF-8, not the schema, and full of escapes."""
    repo = tmp_path / "noted"
    shutil.copytree(kitchen_sink, repo, symlinks=True)
    r = pygit2.Repository(str(repo))
    tip = str(r.lookup_reference("refs/heads/-x").target)
    note = (b"app/core.py\n  s_\x1b[31m::t_x 1-99999999999999999999,-5,a-b\n\xff\xfe\n---\n"
            b"{\"schema_version\": "
            b"\"authorship/3.0.0\", \"sessions\": [\x1b]0;t\x07")
    blob = r.odb.write(pygit2.enums.ObjectType.BLOB, note)
    tree = write_tree(r, {tip.encode(): (r[blob].data, FILE)})
    commit = write_commit(r, tree, [], author=signature(b"n", b"n@x", 0), message=b"notes\n")
    r.references.create("refs/notes/ai", pygit2.Oid(hex=commit), force=True)
    analyse_everything(repo, tmp_path)
    assert_clean_cli(repo, ["-x"])


# -- commits libgit2 cannot parse -------------------------------------------------------------------

def _malformed_repo(path: Path, *, on_base: bool) -> Path:
    """A repo whose `bad` branch tip (or main itself) has an author line with no <email>: git
    prints it, `git fsck` complains, libgit2 refuses to parse it."""
    r = pygit2.init_repository(str(path), initial_head="main")
    tree = write_tree(r, {b"a.py": (b"x = 1\n", FILE)})
    good = write_commit(r, tree, [], author=signature(b"A", b"a@example.com", 5))
    tree2 = write_tree(r, {b"a.py": (b"x = 2\n", FILE)})
    bad = write_commit(r, tree2, [good], author=signature(b"Broken", None, 6))
    r.references.create("refs/heads/main", pygit2.Oid(hex=bad if on_base else good), force=True)
    r.references.create("refs/heads/bad", pygit2.Oid(hex=bad), force=True)
    r.references.create("refs/heads/fine", pygit2.Oid(hex=write_commit(r, tree2, [good], author=signature(
        b"F", b"f@example.com", 7))), force=True)
    return path


def test_unparseable_branch_is_listed_with_its_error_not_dropped(tmp_path: Path) -> None:
    repo = _malformed_repo(tmp_path / "repo", on_base=False)
    data = cli_json("list", "--json", "--repo", str(repo))
    by_id = {item["id"]: item for item in data}
    assert set(by_id) >= {"bad", "fine"}, by_id  # before the fix, "bad" silently vanished
    assert by_id["fine"]["error"] is None
    assert "cannot read" in by_id["bad"]["error"] and "signature" in by_id["bad"]["error"]


def test_unparseable_base_gives_one_clear_line(tmp_path: Path) -> None:
    repo = _malformed_repo(tmp_path / "repo", on_base=True)
    result = run_cli("list", "--json", "--repo", str(repo))
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1 and "main" in err and "signature" in err, err
    # naming a readable base works around it
    data = cli_json("list", "--json", "--repo", str(repo), "--base", "fine")
    assert isinstance(data, list)


def test_typechange_is_one_file_with_every_line(tmp_path: Path) -> None:
    """file -> symlink: one FileDiff whose deleted and added lines are all there (libgit2 splits
    it in two, which made the path's complexity shadow itself and stay 'pending' forever)."""
    plan = HistoryPlan({b"app/core.py": (b"def f(x):\n    return x\n", FILE)},
                       [BranchPlan("-x", [CommitPlan({}, AUTHORS[0], TIMES[3], b"m\n")], retype=True)],
                       None, [])
    repo = build_history(tmp_path / "repo", plan)
    analyzer = analyse_everything(repo, tmp_path)
    detail = analyzer.detail("-x")
    (fd,) = [f for f in detail.files if f.path == "app/core.py"]
    assert fd.status == "typechange" and (fd.additions, fd.deletions) == (1, 2)
    assert not detail.assessment.complexity.pending
