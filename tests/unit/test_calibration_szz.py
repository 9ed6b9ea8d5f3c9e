"""SZZ labelling and per-commit factors (app/core/calibration/) on real repositories built here:
the labels are exactly the commits known by construction to have introduced what later fixes
changed; factors never use later commits; the git CLI never runs what the repository's config names."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from app.core.calibration.factors import read_first_parent_log
from app.core.calibration.run import CalibrationInputError, check_history, label_history
from app.core.calibration.szz import CalibrateConfig, FixMatcher, fixed_lines
from app.core.git.cli import GitCli, safe_env
from app.core.git.repo import GitRepo
from app.core.settings import SectionReader
from app.errors import ConfigError
from tests.conftest import ALICE, BOB

DAY = 86_400
T0 = 1_700_000_000


def _code(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def known_history(make_repo):
    """A history whose defect-inducing commits are known by construction. Returns (builder, ids)."""
    b = make_repo()
    ids: dict[str, str] = {}
    ids["root"] = b.commit("Initial calculator", {
        "calc/ops.py": _code("def add(a, b):", "    return a + b", "", "", "def old(a):", "    return a"),
        "README.md": "calc\n", "tests/test_ops.py": _code("def test_add():", "    assert True")},
        author=ALICE, when=T0)
    ids["divide"] = b.commit("Add divide", {
        "calc/ops.py": _code("def add(a, b):", "    return a + b", "", "", "def old(a):", "    return a", "", "",
                             "def divide(a, b):", "    # plain division", "    return a / b")},
        author=BOB, when=T0 + 10 * DAY)
    ids["docs"] = b.commit("Describe divide", {"README.md": "calc\n\ndivide divides\n"}, author=ALICE,
                           when=T0 + 11 * DAY)
    ids["clean"] = b.commit("Add mul", {"calc/more.py": _code("def mul(a, b):", "    return a * b")},
                            author=ALICE, when=T0 + 12 * DAY)
    # A fix that modifies divide's code line (and deletes its comment line, which is not traced).
    ids["fix1"] = b.commit("Fix crash on zero\n\nFixes #3", {
        "calc/ops.py": _code("def add(a, b):", "    return a + b", "", "", "def old(a):", "    return a", "", "",
                             "def divide(a, b):", "    return a / b if b else 0")},
        author=ALICE, when=T0 + 20 * DAY)
    # Cosmetic: its subject says typo, so the line of 'clean' it changes is not traced.
    ids["typo"] = b.commit("Fix typo in mul", {"calc/more.py": _code("def mul(a, b):", "    return b * a")},
                           author=BOB, when=T0 + 21 * DAY)
    # A fix of a test line only: test lines are not traced.
    ids["testfix"] = b.commit("Fix race in the add check",
                              {"tests/test_ops.py": _code("def test_add():", "    assert 1")},
                              author=BOB, when=T0 + 22 * DAY)
    # Over a year after the root: the root's line it changes is out of the window.
    ids["late"] = b.commit("Handle old input\n\nCloses #9", {
        "calc/ops.py": _code("def add(a, b):", "    return a + b", "", "", "def old(a):", "    return a or 0", "",
                             "", "def divide(a, b):", "    return a / b if b else 0")},
        author=ALICE, when=T0 + 400 * DAY)
    return b, ids


def _labels(path: Path, config: CalibrateConfig | None = None) -> dict[str, int]:
    repo = GitRepo(path)
    labelled = label_history(repo, check_history(repo), config or CalibrateConfig(), workers=0)
    return {s.sha: s.label for s in labelled.samples}


def test_labels_exactly_the_commits_later_fixes_trace_to(make_repo):
    b, ids = known_history(make_repo)
    labels = _labels(b.path)
    assert {sha for sha, y in labels.items() if y} == {ids["divide"]}
    repo = GitRepo(b.path)
    labelled = label_history(repo, check_history(repo), CalibrateConfig(), workers=0)
    assert labelled.fixes == 3  # fix1, testfix, late (Closes #9); the typo fix is cosmetic
    assert labelled.traced == 1


def test_window_days_and_patterns_are_configurable(make_repo):
    b, ids = known_history(make_repo)
    wide = CalibrateConfig(window_days=3650)
    assert {sha for sha, y in _labels(b.path, wide).items() if y} == {ids["divide"], ids["root"]}
    none = CalibrateConfig(fix_patterns=(r"\bnever-matches\b",))
    assert not any(_labels(b.path, none).values())
    reader = SectionReader({"fix_patterns": ["("]}, ".review-tui.toml", "calibrate")
    with pytest.raises(ConfigError, match=r"calibrate\.fix_patterns\[0\]: not a regular expression"):
        CalibrateConfig.from_reader(reader)


def test_fix_messages():
    matcher = FixMatcher(CalibrateConfig())
    assert matcher.is_fix("Handle empty input\n\nFixes #12")
    assert matcher.is_fix("Resolve race in pool (closes gh-40)")
    assert matcher.is_fix("fix: crash when the file is empty")
    assert not matcher.is_fix("Fix typo in the README")
    assert not matcher.is_fix("Add a prefix option")


def test_fixed_lines_skip_blank_comment_and_tests_and_cap_size():
    diff = ["diff --git a/x.py b/x.py", "--- a/x.py", "+++ b/x.py", "@@ -3,3 +3,1 @@",
            "-    value = 1", "-", "-    # note", "+    value = 2",
            "--- a/tests/test_x.py", "+++ b/tests/test_x.py", "@@ -1 +1 @@", "-assert x", "+assert y"]
    assert fixed_lines(diff, 10) == {"x.py": [3]}
    assert fixed_lines(diff, 0) == {}


def test_factors_come_from_each_commits_own_past(make_repo):
    """No information from the future: a commit's factors are the same whether the history ends
    right after it or a year later."""
    b, ids = known_history(make_repo)
    b.branch("then", at=ids["clean"])
    repo = GitRepo(b.path)
    early = {s.sha: s.feats for s in label_history(repo, ids["clean"], CalibrateConfig(), workers=0).samples}
    late = {s.sha: s.feats for s in label_history(repo, b.head(), CalibrateConfig(), workers=0).samples}
    assert set(early) == {ids["root"], ids["divide"], ids["docs"], ids["clean"]}
    for sha, feats in early.items():
        assert late[sha] == feats
    # divide is Bob's first commit in calc/ops.py, which Alice changed once in the 90 days before it
    assert early[ids["divide"]]["experience"] == 0.0
    assert early[ids["divide"]]["history"] > 0


def test_first_parent_log_reads_merges_against_their_first_parent(make_repo):
    b = make_repo()
    b.commit("root", {"a.py": "x = 1\n"}, author=ALICE, when=T0)
    b.branch("feat")
    b.commit("feature", {"b.py": "y = 2\nz = 3\n"}, branch="feat", author=BOB, when=T0 + DAY)
    merge = b.merge("main", "feat", "Merge feat", author=ALICE)
    commits = read_first_parent_log(GitCli(GitRepo(b.path).git_dir), b.head())
    assert [c.sha for c in commits][-1] == merge
    assert commits[-1].files == {"b.py": (2, 0)} and commits[-1].is_merge


# -- bad input -------------------------------------------------------------------------------------


def test_empty_repository(tmp_path):
    import pygit2

    pygit2.init_repository(str(tmp_path / "empty"))
    with pytest.raises(CalibrationInputError, match="has no commits"):
        check_history(GitRepo(tmp_path / "empty"))


def test_shallow_clone(make_repo, tmp_path):
    b, _ = known_history(make_repo)
    target = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{b.path}", str(target)], check=True,
                   env=safe_env(), capture_output=True)
    with pytest.raises(CalibrationInputError, match="shallow clone"):
        check_history(GitRepo(target))


def test_only_merges_on_the_first_parent(make_repo):
    b = make_repo()
    b.commit("root", {"a.py": "x = 1\n"}, author=ALICE, when=T0)
    for i in range(3):
        b.branch(f"f{i}")
        b.commit(f"work {i}", {f"m{i}.py": f"v = {i}\n"}, branch=f"f{i}", author=BOB, when=T0 + (i + 1) * DAY)
        b.merge("main", f"f{i}", f"Merge f{i}", author=ALICE)
    repo = GitRepo(b.path)
    with pytest.raises(CalibrationInputError, match=r"only merge commits \(3\)"):
        label_history(repo, check_history(repo), CalibrateConfig(), workers=0)


# -- the repository's config runs nothing ----------------------------------------------------------


def test_repository_config_cannot_run_anything(make_repo, tmp_path):
    """core.fsmonitor, diff.external, a textconv driver, a pager, gpg and hooks all point at a script
    that leaves a file behind; calibration runs git and the file never appears. The same script does
    run for a plain `git diff` in that repository, so the trap is real."""
    b, ids = known_history(make_repo)
    b.checkout()
    clean = _labels(b.path)
    assert any(clean.values()), clean  # some commit is defect-inducing: a failing blame would show
    marker = tmp_path / "ran"
    script = tmp_path / "trap.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\ncat \"$@\" 2>/dev/null\nexit 0\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    config = b.path / ".git" / "config"
    config.write_text(config.read_text() + (
        f"[core]\n\tfsmonitor = {script}\n\tpager = {script}\n\thooksPath = {tmp_path}\n"
        f"[diff]\n\texternal = {script}\n[diff \"trap\"]\n\ttextconv = {script}\n"
        f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {script}\n"
        # a list git 2.39 reads before an empty -c value clears it: a missing file failed every blame (QA44 #10)
        f"[blame]\n\tignoreRevsFile = {tmp_path / 'no-such-file'}\n"))
    (b.path / ".git" / "info").mkdir(exist_ok=True)
    (b.path / ".git" / "info" / "attributes").write_text("* diff=trap\n")
    assert _labels(b.path) == clean  # runs git log, diff-tree and blame
    assert not marker.exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "-C", str(b.path), "diff", ids["root"], ids["divide"]], env=env,
                   capture_output=True, check=False)
    assert marker.exists()  # the control: unneutralised git does run it


# -- complexity added, measured on the changed top-level blocks only --------------------------------

MODULE_BEFORE = '''"""A module."""
import os


@decorator(
    flag=True,
)
def alpha(x):
    if x:
        return 1
    return 2


class Shape:
    """Doc."""

    sides = 0

    @property
    def area(self):
        def inner(y):
            return y if y else 0
        return inner(self.sides)

    def name(self):
        return "shape"

    def name(self):  # a redefinition: numbered name#2
        return "again"


if os.name == "nt":
    def beta():
        return 1
else:
    def beta():
        return 2

TEXT = """
def not_a_function():
    pass
"""
'''


def _added(before: str, after: str) -> tuple[int, int]:
    from app.core.calibration.factors import reduced_pair
    from app.core.metrics.complexity import analyze_source, compare

    def measure(a: str, b: str) -> int:
        return compare("m.py", analyze_source("m.py", a, maintainability=False),
                       analyze_source("m.py", b, maintainability=False)).complexity_added

    small_before, small_after = reduced_pair(before, after)
    assert len(small_after) < len(after)
    return measure(before, after), measure(small_before, small_after)


@pytest.mark.parametrize("old, new", [
    ("        return inner(self.sides)", "        return inner(self.sides) if self.sides > 2 else 0"),
    ("            return y if y else 0", "            return y if y and y > 1 else 0"),
    ('        return "again"', '        return "again" if self else "no"'),
    ("        return 2\n\nTEXT", "        return 2 if os else 3\n\nTEXT"),
    ("    if x:\n        return 1", "    if x or os:\n        return 1"),
])
def test_reduced_pair_adds_the_same_complexity_as_the_whole_files(old, new):
    assert old in MODULE_BEFORE
    full, reduced = _added(MODULE_BEFORE, MODULE_BEFORE.replace(old, new))
    assert full == reduced and full > 0


def test_a_limited_run_reads_as_far_back_as_the_history_figures_look(make_repo):
    """With --max-commits, only the commits a studied commit's history figures can see (two years
    back) are read with their diffs: the figures are those of a run over the whole line."""
    b = make_repo()
    body = "def f(x):\n    return x\n"
    b.commit("start", {"calc/ops.py": body}, author=ALICE, when=T0)
    b.commit("early", {"calc/ops.py": body + "# 1\n"}, author=ALICE, when=T0 + 100 * DAY)
    b.commit("within two years", {"calc/ops.py": body + "# 2\n"}, author=ALICE, when=T0 + 900 * DAY)
    last = b.commit("studied", {"calc/ops.py": body + "# 3\n"}, author=ALICE, when=T0 + 950 * DAY)
    repo = GitRepo(b.path)
    whole = label_history(repo, last, CalibrateConfig(), workers=0)
    limited = label_history(repo, last, CalibrateConfig(), max_commits=1, workers=0)
    assert [s.sha for s in limited.samples] == [last]
    assert limited.commits == whole.commits == 4
    feats = {s.sha: s.feats for s in whole.samples}[last]
    assert limited.samples[0].feats == feats
    assert feats["experience"] > 0  # Alice's commit 50 days before: read although not studied


def test_large_python_files_are_measured_on_their_changed_blocks_in_the_workers(make_repo):
    """A large Python file's complexity added comes from its changed top-level blocks, cut and
    measured in the worker processes; where the cut does not parse (inside a multi-line string) the
    whole files are measured. Either way the figure is the one the whole files give."""
    from app.core.calibration.factors import REDUCE_BYTES, _complexity_added, read_first_parent_log
    from app.core.metrics.complexity import analyze_source, compare

    padding = "".join(f"\n\ndef pad_{i}(x):\n    return x + {i}\n" for i in range(REDUCE_BYTES // 30))
    before = MODULE_BEFORE + padding
    edits = [("        return inner(self.sides)", "        return inner(self.sides) if self.sides > 2 else 0"),
             # inside TEXT (the cut does not parse) and a condition in alpha
             ("    pass\n\"\"\"\n", "    if x:\n        pass\n\"\"\"\n"),
             ("    return x + 7\n", "    return x + 7 if x else (x or 1)\n")]
    b = make_repo()
    b.commit("start", {"m.py": before}, author=ALICE, when=T0)
    versions = [before]
    for n, (old, new) in enumerate(edits, start=1):
        assert old in versions[-1]
        versions.append(versions[-1].replace(old, new, 1))
        if n == 2:
            versions[-1] = versions[-1].replace("    if x:\n        return 1", "    if x or os:\n        return 1")
        b.commit(f"edit {n}", {"m.py": versions[-1]}, author=ALICE, when=T0 + n * DAY)
    repo = GitRepo(b.path)
    commits = read_first_parent_log(GitCli(repo.git_dir), b.head())[1:]
    expected = {c.sha: compare("m.py", analyze_source("m.py", old, maintainability=False),
                               analyze_source("m.py", new, maintainability=False)).complexity_added
                for c, old, new in zip(commits, versions[:-1], versions[1:], strict=True)}
    assert all(expected.values())
    for workers in (0, 2):
        assert _complexity_added(commits, repo.blob, workers, {}) == expected


def _rust_fn(name: str, branches: int, test: bool = False) -> str:
    body = "".join(f"    if x == {i} {{\n        return {i};\n    }}\n" for i in range(branches))
    return ("#[test]\n" if test else "") + f"fn {name}(x: i32) -> i32 {{\n{body}    x\n}}\n"


def test_the_tests_inside_a_rust_file_are_tests_to_the_calibration_as_to_the_analysis(make_repo):
    """QA: calibration counted the lines of a crate's `#[cfg(test)] mod tests` as code (code_size, no_tests,
    complexity, a code-touching commit) where the analysis of the same change counts them as tests: the model
    was fitted on other figures than the ones it ranks by. Both read them with spans.InFileTests now."""
    import math

    from app.analysis.analyzer import Analyzer

    b = make_repo("rust")
    b.commit("init", {"src/link.rs": "fn keep() -> i32 {\n    1\n}\n"}, author=ALICE, when=T0)
    code = "".join(_rust_fn(f"prod_{n}", 3) for n in range(3))  # 3 x 12 lines, CC 4 each
    tests = "".join(_rust_fn(f"test_{n}", 2, test=True) for n in range(4))  # 4 x 10 lines, CC 3 each
    module = "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n" + tests + "}\n"
    text = "fn keep() -> i32 {\n    1\n}\n" + code + module
    mixed = b.commit("Add link", {"src/link.rs": text}, author=ALICE, when=T0 + DAY)
    more = text.replace(module, module[:-2] + _rust_fn("test_more", 3, test=True) + "}\n")
    only_tests = b.commit("More link tests", {"src/link.rs": more}, author=ALICE, when=T0 + 2 * DAY)
    samples = {s.sha: s for s in label_history(GitRepo(b.path), b.head(), CalibrateConfig(), workers=0).samples}
    analyzer = Analyzer(b.path)
    for sha in (mixed, only_tests):
        explained = {f.name: f.explanation for f in analyzer.detail(sha).risk.factors}
        feats = samples[sha].feats
        lines = int(explained["code_size"].split()[0])
        assert feats["code_size"] == pytest.approx(math.log1p(lines)), (sha, explained["code_size"])
        assert feats["no_tests"] == 0.0
    assert samples[mixed].feats["code_size"] == pytest.approx(math.log1p(37))
    assert samples[mixed].feats["complexity"] == pytest.approx(math.log1p(12))  # the code's alone
    assert samples[mixed].code
    # a commit that only changes the tests inside the file is a test change, not code
    assert samples[only_tests].feats["code_size"] == 0.0 and samples[only_tests].feats["complexity"] == 0.0
    assert not samples[only_tests].code


def test_calibration_counts_a_function_moved_to_another_file_as_the_analysis_does(make_repo) -> None:
    """QA58 F3: a function moved to another file of the commit is not new complexity, in the history the model is
    fitted on as in the change it ranks."""
    from app.core.calibration.factors import _complexity_added, read_first_parent_log

    mover = "def route(x):\n    if x > 1:\n        return 1\n    elif x:\n        return 2\n    return 3\n"
    b = make_repo()
    b.commit("start", {"a.py": "def keep():\n    return 0\n\n\n" + mover, "b.py": "X = 1\n"}, author=ALICE, when=T0)
    b.commit("move route", {"a.py": "def keep():\n    return 0\n", "b.py": "X = 1\n\n\n" + mover,
                            "c.py": "def new(x):\n    return x or 1\n"}, author=ALICE, when=T0 + DAY)
    repo = GitRepo(b.path)
    [commit] = read_first_parent_log(GitCli(repo.git_dir), b.head())[1:]
    assert _complexity_added([commit], repo.blob, 0, {}) == {commit.sha: 2}  # new(); was 5: route counted whole


def test_blames_read_a_commit_graph_of_their_own_and_give_the_same_lines(make_repo):
    """The tracing stage's blames read a commit-graph with changed-path Bloom filters written into a scratch
    directory (2.7x less blame CPU on astral-sh/uv): the same origins as without it, and nothing written into the
    repository."""
    b, ids = known_history(make_repo)
    git = GitCli(b.path / ".git")
    before = sorted(p.relative_to(b.path) for p in (b.path / ".git").rglob("*"))
    jobs = [(ids["fix1"] + "~1", "calc/ops.py", [9, 10, 11]), (ids["late"] + "~1", "calc/ops.py", [1, 2, 6, 10])]
    plain = [git.blame_lines(commit, path, lines, since=T0 - DAY) for commit, path, lines in jobs]
    with git.blame_graph([commit for commit, _, _ in jobs]):
        assert git._graph is not None and (git._graph / "info" / "commit-graph").is_file()
        graphed = [git.blame_lines(commit, path, lines, since=T0 - DAY) for commit, path, lines in jobs]
    assert git._graph is None
    assert graphed == plain and any(plain)
    assert sorted(p.relative_to(b.path) for p in (b.path / ".git").rglob("*")) == before
    with git.blame_graph(["0" * 40]):  # git cannot write it (no such commit): blamed as before
        assert git._graph is None
        assert [git.blame_lines(c, p, n, since=T0 - DAY) for c, p, n in jobs] == plain


def test_history_and_size_leave_lock_generated_and_translation_files_out_in_both(make_repo) -> None:
    """FIX121: a lock file, generated protobuf code and a translation catalogue change with nearly every commit, so
    their pasts made any change touching them "hot" (uv's Cargo.lock: 455 of its newest 2,000 commits), and the
    calibration counted a lock file's lines as size where the analysis leaves them out. Both now leave the lock and
    generated files out of size, spread and history, and the catalogue out of history, and agree on the figures."""
    import math

    from app.analysis.analyzer import Analyzer

    b = make_repo()
    lock, generated, catalogue = "Cargo.lock", "api/v1/user.pb.go", "locale/de/LC_MESSAGES/app.po"
    files = {"src/app.py": "def run():\n    return 0\n", lock: "a\n", generated: "package v1\n", catalogue: "x\n"}
    b.commit("init", files, author=ALICE, when=T0)
    for n in range(4):  # the machine-written files change four times, src/app.py once
        files = {**files, lock: f"a{n}\n", generated: f"package v1\n// {n}\n", catalogue: f"x{n}\n"}
        if n == 0:
            files["src/app.py"] = "def run():\n    return 1\n"
        b.commit(f"regenerate {n}", files, author=BOB, when=T0 + (n + 1) * DAY)
    files = {**files, "src/app.py": "def run():\n    return 2\n", lock: "b\nc\nd\n", generated: "package v1\n// z\n",
             catalogue: "y\n"}
    change = b.commit("Use two", files, author=BOB, when=T0 + 10 * DAY)
    [sample] = [s for s in label_history(GitRepo(b.path), b.head(), CalibrateConfig(), workers=0).samples
                if s.sha == change]
    explained = {f.name: f.explanation.split("; ")[0] for f in Analyzer(b.path).detail(change).risk.factors}
    assert explained["history"] == "src/app.py changed 2x in 90 days", explained  # was Cargo.lock, 5x
    assert sample.feats["history"] == pytest.approx(math.log1p(2))
    assert explained["experience"] == "author changed these files 1 time before (each file counted)", explained
    assert sample.feats["experience"] == pytest.approx(math.log1p(1))
    # the catalogue's 2 lines are a person's (translators'), the lock's and the generated file's are not
    assert explained["size"] == "4 changed lines (+2/-2)", explained
    assert sample.feats["size"] == pytest.approx(math.log1p(4))  # was 10 with Cargo.lock's 4 and user.pb.go's 2
    assert explained["spread"] == "2 files in 2 directories", explained
    assert sample.feats["spread"] == pytest.approx(math.log1p(2))


def test_effort_is_the_lines_read_by_hand_and_markers_are_read_as_the_analysis_reads_them(make_repo) -> None:
    """FIX123: calibrate's effort (recall at 20% of lines, Popt) counted every changed line, so uv's Cargo.lock and
    snapshots (a quarter of its changed lines) made recall at 20% of lines 1.000 for every ranking; a file whose first
    line says "Code generated ... DO NOT EDIT." was size in calibration and not in the analysis; and urfave/cli's
    internal/build/build.go, its own build tool, was collapsed as build output. Effort, size and spread now count
    what the plan has a person read, as the analysis does, and a marked file keeps its history on both sides."""
    import math

    from app.analysis.analyzer import Analyzer

    b = make_repo()
    marked, tool = "internal/strings/kind_string.go", "internal/build/build.go"
    header = "// Code generated by \"stringer -type=Kind\"; DO NOT EDIT.\n\npackage strings\n"
    files = {"src/app.py": "def run():\n    return 0\n", "Cargo.lock": "a\n", marked: header + "// 0\n",
             tool: "package build\n"}
    b.commit("init", files, author=ALICE, when=T0)
    b.commit("regenerate", {**files, marked: header + "// 1\n"}, author=BOB, when=T0 + DAY)
    files = {**files, "src/app.py": "def run():\n    return 2\n", "Cargo.lock": "".join(f"{n}\n" for n in range(40)),
             marked: header + "// 2\n" + "".join(f"// {n}\n" for n in range(30)), tool: "package build\n\nvar x = 1\n"}
    change = b.commit("Use two", files, author=BOB, when=T0 + 10 * DAY)
    [sample] = [s for s in label_history(GitRepo(b.path), b.head(), CalibrateConfig(), workers=0).samples
                if s.sha == change]
    explained = {f.name: f.explanation.split("; ")[0] for f in Analyzer(b.path).detail(change).risk.factors}
    # src/app.py's 2 lines and build.go's 2, not the lock's 41 nor the stringer output's 31
    assert explained["size"] == "4 changed lines (+3/-1)", explained
    assert sample.feats["size"] == pytest.approx(math.log1p(4))
    assert sample.lines == 4
    assert explained["spread"] == "2 files in 2 directories", explained
    assert sample.feats["spread"] == pytest.approx(math.log1p(2))
    assert explained["history"] == f"{marked} changed 2x in 90 days", explained
    assert sample.feats["history"] == pytest.approx(math.log1p(2))


def test_the_effort_leaves_out_files_moved_unchanged(make_repo) -> None:
    """FIX123: the log reads without renames, so uv's #19770, which moved its integration tests, was 427,080 lines
    of effort where 6,020 were edited: alone more than 20% of the newer half's lines, recall at 20% of lines read
    1.000 for every ranking. A file moved unchanged is no reading; a moved file that is edited is read for its edit
    (renames paired as the analysis pairs them, FIX132)."""
    b = make_repo()
    body = "".join(f"def f{n}():\n    return {n}\n" for n in range(50))
    files = {"src/app.py": "def run():\n    return 0\n", "tests/old/test_big.py": body,
             "tests/old/test_b.py": body + "#\n"}
    b.commit("init", files, author=ALICE, when=T0)
    moved = {"src/app.py": "def run():\n    return 1\n", "tests/new/test_big.py": body,
             "tests/new/test_b.py": body + "# edited\n", "tests/old/test_big.py": None, "tests/old/test_b.py": None}
    change = b.commit("Move the tests", moved, author=BOB, when=T0 + DAY)
    [sample] = [s for s in label_history(GitRepo(b.path), b.head(), CalibrateConfig(), workers=0).samples
                if s.sha == change]
    assert sample.lines == 2 + 2  # src/app.py's edit and test_b.py's; test_big.py moved unchanged


def _calibrated_and_analysed(b, change: str):
    """Calibration's sample of `change`, and the analysis's factors of it: explanations (first clause) and raws."""
    from app.analysis.analyzer import Analyzer

    [sample] = [s for s in label_history(GitRepo(b.path), b.head(), CalibrateConfig(), workers=0).samples
                if s.sha == change]
    risk = Analyzer(b.path).detail(change).risk
    explained = {f.name: f.explanation.split("; ")[0] for f in risk.factors}
    analysed = {f.name: f.raw for f in risk.factors if f.kind == "likelihood"}
    return sample, explained, analysed


def test_a_renamed_file_counts_its_edit_in_every_factor_as_in_the_analysis(make_repo) -> None:
    """FIX132 (FIX130 F1): the log reads without renames, so a file moved with a small edit was its whole old version
    deleted and its whole new one added: attrs' 58c8e9ade6, moving its typing examples, was size 7.66 (about 2,100
    lines) and likelihood 0.218 in calibration, 26 lines and 0.011 in the queue, and the defaults were fitted on
    factors they are not applied to. Calibration pairs the commit's renames with the analysis's own rename finding
    (exact, then a unique basename, then similar), so size, spread, entropy, code and complexity count the edit."""
    import math

    b = make_repo()
    body = "".join(f"def f{n}(x):\n    if x > {n}:\n        return x\n    return {n}\n\n\n" for n in range(40))
    files = {"pkg/old/core.py": body, "pkg/old/util.py": "def one():\n    return 1\n", "README.md": "pkg\n",
             "docs/moved.md": "".join(f"line {n}\n" for n in range(60))}
    b.commit("init", files, author=ALICE, when=T0)
    edited = body.replace("    return 7\n", "    if x < 0:\n        return 0\n    return 7\n")
    renamed = {"pkg/old/core.py": None, "pkg/new/core.py": edited, "docs/moved.md": None,
               "guide/moved.md": files["docs/moved.md"], "pkg/old/util.py": "def one():\n    return 2\n"}
    change = b.commit("Move core into pkg/new and guard f7", renamed, author=BOB, when=T0 + DAY)
    sample, explained, analysed = _calibrated_and_analysed(b, change)
    # core.py's 2 added lines and util.py's 2, not 240 deleted and 242 added; the moved guide is no line
    assert explained["size"] == "4 changed lines (+3/-1)", explained
    assert sample.feats["size"] == pytest.approx(math.log1p(4))
    assert sample.lines == 4
    assert sample.feats["code_size"] == pytest.approx(math.log1p(4))
    assert sample.feats["complexity"] == pytest.approx(math.log1p(1))  # the new `if`, not core.py's 80 again
    for name in ("size", "spread", "entropy", "complexity", "code_size", "code_files", "code_base", "indent"):
        assert sample.feats[name] == pytest.approx(analysed[name], abs=1e-4), name  # raw: 4 decimals


def test_a_generated_file_moved_unchanged_is_read_for_its_marker_in_both(make_repo) -> None:
    """FIX132 F2: a file with no changed lines was not read for a generator's marker (meant for binary files and mode
    changes), in calibration nor in the analysis, so a generated file moved unchanged was a code file and spread in
    both. Both read it now; a moved binary file that opens with the same words is still no text to read."""
    import math

    b = make_repo()
    header = "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage v1\n"
    generated = header + "".join(f"var X{n} = {n}\n" for n in range(40))
    blob = b"// Code generated by protoc-gen-go. DO NOT EDIT.\n\0\1\2" + bytes(range(256)) * 4
    files = {"src/app.py": "def run():\n    return 0\n", "api/user.go": generated, "assets/logo.bin": blob}
    b.commit("init", files, author=ALICE, when=T0)
    moved = {"src/app.py": "def run():\n    return 1\n", "api/user.go": None, "internal/api/v1/user.go": generated,
             "assets/logo.bin": None, "static/logo.bin": blob}
    change = b.commit("Move the API under internal/", moved, author=BOB, when=T0 + DAY)
    sample, explained, analysed = _calibrated_and_analysed(b, change)
    # src/app.py and the moved binary, not the moved generated file
    assert explained["spread"] == "2 files in 2 directories", explained
    assert sample.feats["spread"] == pytest.approx(math.log1p(2))
    assert explained["code_files"].startswith("1 source file"), explained
    for name in ("size", "spread", "entropy", "code_files"):
        assert sample.feats[name] == pytest.approx(analysed[name], abs=1e-4), name
