"""`review-tui calibrate` end to end, in a subprocess, on repositories built here: the bad-input
lines, the JSON shape, the stored model ranking `list` afterwards, the HTML report, Ctrl-C."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pygit2

from app.core.risk.likelihood import LIKELIHOOD_FEATURES
from tests.cli import CLI
from tests.conftest import ALICE, BOB
from tests.procs import children, interrupt_when_ready

DAY = 86_400
T0 = 1_700_000_000
CYCLES = 50


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, env=os.environ.copy(),
                          timeout=600)


def small_fixes_history(make_repo, ai_from: int | None = None):
    """CYCLES cycles of: a one-line change (later fixed), a large clean change, the fix. Defect-inducing
    commits are the small ones - the opposite of what the built-in defaults expect - so the
    repository's own model beats the defaults on the newer half. A feature branch is pending.
    From cycle `ai_from` on, the small and the large changes are written with Claude Code."""
    b = make_repo()
    b.commit("Initial", {"pkg/__init__.py": "", "README.md": "pkg\n"}, author=ALICE, when=T0)
    when = T0
    for i in range(CYCLES):
        when += DAY
        ai = "\n\nCo-authored-by: Claude <noreply@anthropic.com>" if ai_from is not None and i >= ai_from else ""
        b.commit(f"Tune f{i}{ai}", {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i}\n"}, author=BOB, when=when)
        big = "\n".join(f"VALUE_{i}_{k} = {k}" for k in range(60)) + "\n"
        b.commit(f"Add table {i}{ai}", {f"pkg/table{i}.py": big}, author=ALICE, when=when + 3600)
        pad = "\n".join(f"PAD_{i}_{k} = {k}" for k in range(40)) + "\n"
        b.commit(f"Fix f{i} off by one\n\nFixes #{i + 1}",
                 {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i} - 1\n", f"pkg/pad{i}.py": pad},
                 author=ALICE, when=when + 7200)
    b.branch("feature")
    b.commit("Add g", {"pkg/g.py": "def g(y):\n    if y:\n        return 1\n    return 2\n"}, branch="feature",
             author=BOB, when=when + DAY)
    return b


def test_bad_inputs_one_line_each(make_repo, tmp_path):
    (tmp_path / "plain").mkdir()
    pygit2.init_repository(str(tmp_path / "empty"))
    nofix = make_repo()
    for i in range(5):
        nofix.commit(f"Add m{i}", {f"m{i}.py": f"x = {i}\n"}, author=ALICE, when=T0 + i * DAY)
    few = make_repo()
    few.commit("Add m", {"m.py": "def m():\n    return 1\n"}, author=ALICE, when=T0)
    few.commit("Fix m", {"m.py": "def m():\n    return 2\n"}, author=BOB, when=T0 + DAY)
    cases = {
        tmp_path / "plain": "not a git repository",
        tmp_path / "empty": "has no commits",
        nofix.path: "no fix commits found in 5 studied commits",
        few.path: "too few labels: 1 defect-inducing commit found",
    }
    for path, expected in cases.items():
        result = run("calibrate", "--repo", str(path))
        assert result.returncode != 0, path
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr
        assert "Traceback" not in result.stderr
    assert ("1 defect-inducing commit found, but the older half has 1 (20 needed to fit on) and the newer half's "
            "code-touching commits have 0 (10 needed to test on)") in run("calibrate", "--repo", str(few.path)).stderr
    bad_date = run("calibrate", "--repo", str(few.path), "--since", "yesterday")
    assert bad_date.returncode != 0 and "expected a day as YYYY-MM-DD" in bad_date.stderr


def test_too_few_labels_names_the_half_that_is_short(make_repo):
    """30 defect-inducing commits, the 30 the two halves need together, but 23 of them in the older half:
    the line said "30 found ... 30 needed". It says the newer half is short, by how much."""
    b = make_repo()
    b.commit("Initial", {"pkg/__init__.py": "", "README.md": "pkg\n"}, author=ALICE, when=T0)
    when = T0

    def cycle(i: int) -> None:  # a small change, a clean one, and the fix of the small one
        nonlocal when
        when += DAY
        b.commit(f"Tune f{i}", {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i}\n"}, author=BOB, when=when)
        b.commit(f"Add table {i}", {f"pkg/table{i}.py": f"VALUE_{i} = {i}\n"}, author=ALICE, when=when + 3600)
        b.commit(f"Fix f{i} off by one\n\nFixes #{i + 1}", {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i} - 1\n"},
                 author=ALICE, when=when + 7200)

    for i in range(23):
        cycle(i)
    for k in range(49):  # clean commits: the halves split after the 23rd cycle (70 commits each)
        when += DAY
        b.commit(f"Add note {k}", {f"docs/note{k}.md": f"note {k}\n"}, author=ALICE, when=when)
    for i in range(23, 30):
        cycle(i)
    result = run("calibrate", "--repo", str(b.path))
    assert result.returncode == 3  # CalibrationInputError: this history cannot be calibrated on
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "review-tui: error: too few labels: 30 defect-inducing commits found, but the newer half's code-touching "
        "commits have 7 (10 needed to test on); the built-in defaults stay in use"), result.stderr


def test_calibrate_stores_the_winning_model_and_list_uses_it(make_repo, tmp_path):
    b = small_fixes_history(make_repo)
    before = json.loads(run("list", "--json", "--repo", str(b.path)).stdout)
    assert before[0]["risk_model"].startswith("built-in defaults")

    result = run("calibrate", "--repo", str(b.path), "--json", "--html", str(tmp_path / "report.html"))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["first_parent_commits"] == 1 + 3 * CYCLES + 0  # the feature branch is not on the line
    assert doc["fix_commits"] == CYCLES and doc["defect_inducing"] == CYCLES
    assert set(doc["metrics"]) == {"own", "defaults", "size"}
    for figures in doc["metrics"].values():
        assert set(figures) == {"auc", "recall_top20", "recall_lines20", "popt"}
        assert set(figures["auc"]) == {"value", "low", "high"}
    assert doc["metrics"]["own"]["auc"]["value"] > doc["metrics"]["defaults"]["auc"]["value"]
    assert doc["own_model_wins"] is True and "stored" in doc["outcome"]
    assert doc["ai_track_record"] == [{"tool": None, "changes": 1 + 3 * CYCLES, "later_fixed": CYCLES,
                                       "rate": round(CYCLES / (1 + 3 * CYCLES), 4),
                                       "low": doc["ai_track_record"][0]["low"],
                                       "high": doc["ai_track_record"][0]["high"],
                                       "median_follow_up_days": 25.0}]  # days of the 50 studied: its rate may rise
    assert doc["cached"] is False

    after = json.loads(run("list", "--json", "--repo", str(b.path)).stdout)
    assert after[0]["risk_model"].startswith(f"this repository's own model (fitted on {1 + 3 * CYCLES} commits, "
                                             "calibrated ")
    explain = run("explain", after[0]["id"], "--repo", str(b.path))
    assert "this repository's own model" in explain.stdout

    again = json.loads(run("calibrate", "--repo", str(b.path), "--json").stdout)
    assert again["cached"] is True and again["metrics"] == doc["metrics"]

    # In 80 columns every figure and its interval stays on one line of its cell.
    table = subprocess.run([*CLI, "calibrate", "--repo", str(b.path)], capture_output=True, text=True,
                           env={**os.environ, "COLUMNS": "80"}, timeout=600).stdout
    assert max(len(line) for line in table.splitlines()) <= 80
    for model in doc["metrics"].values():
        for metric in model.values():
            if metric["low"] is not None:
                assert f"{metric['value']:.3f} [{metric['low']:.2f}-{metric['high']:.2f}]" in table

    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script" not in page
    assert f"<h1>Calibration of {b.path.name}</h1>" in page  # the repository's name, not the path it ran in
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_list_after_calibrate_scores_the_cached_reports_again_without_measuring_them(make_repo):
    """QA50 #8: the first `list` after `calibrate` adopted the repository's own model re-read every change
    (uv: 181 s, 1.19 GB): the report cache was keyed by the model, which only the score depends on. Now the
    cached reports are scored again, nothing is stored under a new key, and the figures are a fresh run's."""
    from app.storage.cache import AnalysisCache

    b = small_fixes_history(make_repo)
    b.branch("second")
    b.commit("Add h", {"pkg/h.py": "def h(z):\n    return z or 3\n"}, branch="second",
             author=ALICE, when=T0 + 60 * DAY)
    before = json.loads(run("list", "--json", "--repo", str(b.path)).stdout)
    cache_path = Path(os.environ["REVIEW_TUI_CACHE_DIR"]) / "analysis.db"

    def stored() -> int:
        cache = AnalysisCache.open(cache_path)
        try:
            return cache.count("report")
        finally:
            cache.close()

    reports = stored()
    assert reports == len(before) == 2
    assert run("calibrate", "--repo", str(b.path)).returncode == 0
    after = json.loads(run("list", "--json", "--repo", str(b.path)).stdout)
    assert stored() == reports  # scored again under the same keys, not measured into new ones
    assert {item["risk_model"].split(" (")[0] for item in after} == {"this repository's own model"}
    assert [item["score"] for item in after] != [item["score"] for item in before]
    fresh = json.loads(subprocess.run([*CLI, "list", "--json", "--repo", str(b.path)], capture_output=True,
                                      text=True, env={**os.environ, "REVIEW_TUI_NO_CACHE": "1"}, timeout=600).stdout)
    for item in after + fresh:
        item.pop("age_seconds")  # the clock moved between the runs
    assert after == fresh


def test_the_stored_model_weighs_what_every_studied_commit_shows_not_only_the_older_half(make_repo):
    """QA48 #1 (pydantic-ai): features were chosen on the older half, where AI-assisted commits were 17 of 260,
    and the stored model, refitted on every commit, left AI share out without a word."""
    import sqlite3

    from app.core.calibration.run import MIN_NONZERO

    b = small_fixes_history(make_repo, ai_from=CYCLES - 20)  # 40 AI-assisted commits, all in the newer half
    result = run("calibrate", "--repo", str(b.path), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["own_model_wins"] is True and "ai_share" not in doc["features"]  # the evaluation: older half only
    stored = sqlite3.connect(Path(os.environ["REVIEW_TUI_DATA_DIR"]) / "models.db").execute(
        "SELECT model FROM models").fetchone()[0]
    assert "ai_share" in json.loads(stored)["coefficients"]
    assert "ai_share" not in doc["outcome"].split("not weighed")[-1]
    assert f"not weighed, seen in fewer than {MIN_NONZERO} of its {1 + 3 * CYCLES} commits: " in doc["outcome"]


def test_a_stale_stored_model_is_ignored(make_repo):
    from app import paths
    from app.core.git.repo import GitRepo
    from app.storage.models import stored_model

    b = small_fixes_history(make_repo)
    assert run("calibrate", "--repo", str(b.path), "--json").returncode == 0
    key = GitRepo(b.path).root_commit(b.head())
    assert stored_model(paths.models_path(), key) is not None
    import sqlite3

    with sqlite3.connect(paths.models_path()) as conn:
        (text,) = conn.execute("SELECT model FROM models").fetchone()
        data = json.loads(text)
        data["extra"]["feature_list"] = [*LIKELIHOOD_FEATURES, "a_feature_of_the_past"]
        conn.execute("UPDATE models SET model = ?", (json.dumps(data),))
    assert stored_model(paths.models_path(), key) is None
    listed = run("list", "--json", "--repo", str(b.path))
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["risk_model"].startswith("built-in defaults")


def test_ctrl_c_stops_cleanly_and_stores_nothing(make_repo):
    from app import paths

    b = small_fixes_history(make_repo)
    env = {**os.environ, "REVIEW_TUI_NO_CACHE": "1"}
    # Interrupt once the labelling runs (its first git child is there), not while Python starts.
    _, err = interrupt_when_ready([*CLI, "calibrate", "--repo", str(b.path)], lambda pid: bool(children(pid)), env)
    if err is None:
        return
    assert err.strip().splitlines()[-1].startswith("review-tui: calibrate interrupted: nothing was stored")
    assert "Traceback" not in err
    assert not paths.models_path().exists()


def test_a_missing_blob_leaves_its_commit_out_and_says_so(make_repo, tmp_path):
    """A partial or damaged clone: one commit's new file is not in the object store. `git log --numstat`
    fails on it as a whole; calibrate still studies every other commit and says which it left out."""
    b = small_fixes_history(make_repo)
    repo = pygit2.Repository(str(b.path))
    damaged = None
    for commit in repo.walk(repo.head.target):
        if commit.message.startswith("Add table 7"):
            damaged = commit
    assert damaged is not None
    blob = damaged.tree["pkg"]["table7.py"].id  # pyright: ignore[reportIndexIssue]
    loose = b.path / ".git" / "objects" / str(blob)[:2] / str(blob)[2:]
    loose.chmod(0o644)
    loose.unlink()

    result = run("calibrate", "--repo", str(b.path), "--json", "--html", str(tmp_path / "report.html"))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["missing_objects"] == 1
    assert doc["first_parent_commits"] == 1 + 3 * CYCLES and doc["studied"] == 3 * CYCLES  # all but that one
    assert doc["fix_commits"] == CYCLES and doc["defect_inducing"] == CYCLES  # every fix still traced
    text = run("calibrate", "--repo", str(b.path))
    assert text.returncode == 0, text.stderr
    said = " ".join(text.stdout.split())
    assert "1 commit of the studied span left out: a file they change is missing" in said
    # and why a second run takes as long as the first (QA48 #9: "cached: false" every time, unexplained)
    assert "the labels are not cached" in said and json.loads(
        run("calibrate", "--repo", str(b.path), "--json").stdout)["cached"] is False
    assert "missing from the repository" in (tmp_path / "report.html").read_text()


def test_a_real_partial_clone_says_what_is_missing_and_fetches_nothing(make_repo, tmp_path):
    """QA44 #4: in a blobless or treeless clone `git log` tried to fetch the missing objects, protocol.allow
    refused, and calibrate failed with git's "transport 'file' not allowed"."""
    b = small_fixes_history(make_repo)
    subprocess.run(["git", "-C", str(b.path), "config", "uploadpack.allowFilter", "true"], check=True)
    said = {}
    for name, shape in (("blobless", "blob:none"), ("treeless", "tree:0")):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", f"--filter={shape}", f"file://{b.path}", str(clone)], check=True)
        objects = sum(1 for _ in (clone / ".git" / "objects").rglob("*") if _.is_file())
        result = run("calibrate", "--repo", str(clone))
        assert result.returncode == 3 and result.stdout == "", result.stderr  # too little to calibrate on
        said[name] = result.stderr.strip()
        assert "\n" not in said[name] and "transport" not in said[name]
        assert sum(1 for _ in (clone / ".git" / "objects").rglob("*") if _.is_file()) == objects  # nothing fetched
    assert "change files whose content is not in this clone (a partial clone): calibrate needs" in said["blobless"]
    # which blobs are there is asked past the first missing one (QA45 #14: git stopped there, all later ones read
    # as missing, and a clone holding the studied commits' files was refused)
    from app.core.calibration.factors import _present_blobs
    from app.core.git.cli import GitCli

    listed = subprocess.run(["git", "-C", str(tmp_path / "blobless"), "rev-list", "--objects", "--missing=print",
                             "--all"], capture_output=True, text=True, check=True).stdout.split()
    absent = sorted(x[1:] for x in listed if x.startswith("?"))
    present = subprocess.run(["git", "-C", str(tmp_path / "blobless"), "rev-parse", "HEAD:pkg"], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert absent and _present_blobs(GitCli(tmp_path / "blobless" / ".git"), {absent[0], present}) == {present}
    assert "the history's trees are not in this clone (a treeless partial clone" in said["treeless"]


def test_the_newest_commits_by_default_all_with_zero_or_since(make_repo, monkeypatch):
    """A long history is studied from its newest DEFAULT_MAX_COMMITS (ansible's 46,281 took 13 minutes and
    1 GB whole), and the output says so and how to study it all. Run in process so that the default
    can be small enough for a history built here."""
    from click.testing import CliRunner

    import app.commands.calibrate as calibrate
    from app.cli import cli

    monkeypatch.setattr(calibrate, "DEFAULT_MAX_COMMITS", 140)  # enough labels to fit and test
    b = small_fixes_history(make_repo)
    line = 1 + 3 * CYCLES

    def calibrated(*args: str) -> str:
        result = CliRunner().invoke(cli, ["calibrate", "--repo", str(b.path), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    doc = json.loads(calibrated("--json"))
    assert (doc["studied"], doc["first_parent_commits"], doc["default_max_commits_applied"]) == (140, line, True)
    assert f"140 commits studied of {line} on the first-parent line (the newest: --max-commits 0 studies them all)" \
        in " ".join(calibrated().split())
    for args in (("--max-commits", "0"), ("--since", "2000-01-01")):
        doc = json.loads(calibrated("--json", *args))
        assert (doc["studied"], doc["default_max_commits_applied"]) == (line, False), args
        assert "the newest" not in calibrated(*args)
    doc = json.loads(calibrated("--json", "--max-commits", "145"))
    assert (doc["studied"], doc["default_max_commits_applied"]) == (145, False)


def test_an_ai_tool_whose_changes_are_recent_is_said_to_have_a_rate_that_can_still_rise(make_repo):
    """QA48 #22: pydanty's 46 changes, all of the last 3 months, read "2% later fixed" beside 16% for changes of
    years: a recent group has had less time to be fixed, and the track record did not say so."""
    b = small_fixes_history(make_repo, ai_from=CYCLES - 20)  # the AI-assisted commits are the newest 40 of 151
    result = run("calibrate", "--repo", str(b.path), "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["tool"]: r for r in json.loads(result.stdout)["ai_track_record"]}
    assert rows["Claude Code"]["median_follow_up_days"] < 30 < rows[None]["median_follow_up_days"]
    text = " ".join(run("calibrate", "--repo", str(b.path)).stdout.split())
    caveat = ("Rates that can still rise, their changes mostly younger than the 365 days a later fix is traced "
              "within (ages counted back from the end of the studied history): Claude Code (median age 10 days), "
              "no AI signal (median age 31 days).")  # the whole generated history spans 50 days
    assert caveat in text
    stats = run("stats", "--repo", str(b.path))  # kept with the track record: stats says it too
    assert stats.returncode == 0, stats.stderr
    assert caveat in " ".join(stats.stdout.split())


def test_a_commit_of_unmeasured_code_is_labelled_and_cached(make_repo):
    """A commit whose code is only shell (or Terraform, CI) has an unknown complexity, NaN: the labels cache, JSON,
    refused it, and calibrate on astral-sh/uv ended in "internal error: Out of range float values are not JSON
    compliant" after 24 minutes of tracing, every run."""
    b = small_fixes_history(make_repo)
    b.commit("Add deploy script", {"deploy.sh": "#!/bin/sh\nset -eu\necho deploy\n"}, author=ALICE,
             when=T0 + (CYCLES + 2) * DAY)
    first = run("calibrate", "--repo", str(b.path), "--json")
    assert first.returncode == 0 and first.stderr == "", first.stderr
    doc = json.loads(first.stdout)
    assert doc["first_parent_commits"] == 2 + 3 * CYCLES and doc["cached"] is False
    again = run("calibrate", "--repo", str(b.path), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["cached"] is True and json.loads(again.stdout)["metrics"] == doc["metrics"]


def test_labels_cached_by_another_analysis_version_are_labelled_again(make_repo, monkeypatch):
    """What a factor counts changes with the analysis version (CI workflows became code, in-file Rust tests left
    code_size), but the labels cache was keyed without it: after an upgrade `calibrate` fitted on the old
    figures (cached: true) and stored that model to rank the new ones."""
    from app.analysis import analyzer
    from app.commands.calibrate import _labelled
    from app.config import load_repo_config
    from app.core.calibration.run import check_history
    from app.core.git.repo import GitRepo

    b = small_fixes_history(make_repo)
    repo = GitRepo(b.path)
    head = check_history(repo)
    config = load_repo_config(repo, head)
    first, cached = _labelled(repo, head, config, None, None, False)
    assert not cached and _labelled(repo, head, config, None, None, False)[1]
    monkeypatch.setattr(analyzer, "ANALYSIS_VERSION", f"{analyzer.ANALYSIS_VERSION}-next")
    again, cached = _labelled(repo, head, config, None, None, False)
    assert not cached and again.to_json() == first.to_json()


def test_progress_goes_to_a_log_file_with_progress_and_nowhere_without(make_repo):
    """QA54 F9: `calibrate` with stderr in a file said nothing for 10 minutes. `--progress` writes whole lines
    (each stage, at most one per 10 s within it), as `list --progress` does; `--no-progress` none."""
    b = small_fixes_history(make_repo)
    logged = run("calibrate", "--repo", str(b.path), "--json", "--progress")
    assert logged.returncode == 0, logged.stderr
    lines = logged.stderr.splitlines()
    assert lines and all(line.startswith("review-tui: ") for line in lines), lines
    assert any(line.startswith("review-tui: measuring commits ") for line in lines), lines
    assert any(line.startswith("review-tui: tracing fixes ") for line in lines), lines
    quiet = run("calibrate", "--repo", str(b.path), "--json", "--no-progress", "--max-commits", "0")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


def test_a_commit_whose_complexity_nothing_measures_is_cached_as_unknown(make_repo):
    """A commit changing only a shell script or SQL has complexity unknown (NaN, QA55 F3), and the labels cache
    refused NaN: `calibrate` died "internal error: Out of range float values are not JSON compliant" on
    rubygems.org, whose 8,499 first-parent commits hold 562 such commits (QA57)."""
    import math

    from app.commands.calibrate import _labelled
    from app.config import load_repo_config
    from app.core.calibration.run import check_history
    from app.core.git.repo import GitRepo

    b = small_fixes_history(make_repo)
    b.commit("Deploy script", {"scripts/deploy.sh": "#!/bin/sh\nset -e\necho deploy\n"}, author=BOB,
             when=T0 + (CYCLES + 3) * DAY)
    b.commit("Backfill", {"db/backfill.sql": "UPDATE users SET active = true WHERE id > 10;\n"}, author=BOB,
             when=T0 + (CYCLES + 4) * DAY)
    result = run("calibrate", "--repo", str(b.path), "--json")
    assert result.returncode == 0, result.stderr
    repo = GitRepo(b.path)
    head = check_history(repo)
    config = load_repo_config(repo, head)
    assert json.loads(run("calibrate", "--repo", str(b.path), "--json").stdout)["cached"] is True
    first, cached = _labelled(repo, head, config, None, None, False)
    again, cached_again = _labelled(repo, head, config, None, None, False)
    assert not cached and cached_again
    for labelled in (first, again):  # kept as unknown, not as 0
        unknown = [s for s in labelled.samples if math.isnan(s.feats["complexity"])]
        assert len(unknown) == 2 and all(s.feats["size"] > 0 for s in unknown)
