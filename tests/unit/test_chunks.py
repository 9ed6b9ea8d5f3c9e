"""Review plans: exact partition, size bound, function edges, grouping, collapsed files, hashes, floors."""

from __future__ import annotations

import collections
import difflib
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.git.diff import DiffLine, FileDiff, Hunk
from app.core.git.repo import GitRepo
from app.core.metrics.complexity import analyze_source
from app.core.metrics.spans import definition_spans, unit_index
from app.core.planner.builder import GlobSet, _ordered, build_plan, machine_written
from app.core.planner.model import ChunkConfig, ReviewPlan, code_floor, content_floor, content_kind
from app.core.settings import SectionReader
from app.core.text import format_duration
from app.errors import ConfigError
from app.samples import load
from tests.conftest import ALICE

samples = load()
DEV = samples.Person("Dev One", "dev@example.com")


# -- helpers ----------------------------------------------------------------------------------------

def file_diff(path: str, old: str | None, new: str | None, blobs: dict[str, bytes], context: int = 3) -> FileDiff:
    """A FileDiff built with difflib (unified-diff hunks), its blobs stored in `blobs`."""
    old_lines = old.splitlines() if old is not None else []
    new_lines = new.splitlines() if new is not None else []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    hunks: list[Hunk] = []
    for group in matcher.get_grouped_opcodes(context):
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine(" ", i1 + k + 1, j1 + k + 1, old_lines[i1 + k]) for k in range(i2 - i1)]
            if tag in ("replace", "delete"):
                lines += [DiffLine("-", i1 + k + 1, None, old_lines[i1 + k]) for k in range(i2 - i1)]
            if tag in ("replace", "insert"):
                lines += [DiffLine("+", None, j1 + k + 1, new_lines[j1 + k]) for k in range(j2 - j1)]
        o1, o2, n1, n2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        hunks.append(Hunk(o1 + 1 if o2 > o1 else o1, o2 - o1, n1 + 1 if n2 > n1 else n1, n2 - n1, "", lines))

    def store(text: str | None) -> str | None:
        if text is None:
            return None
        blob_id = hashlib.sha1(text.encode()).hexdigest()
        blobs[blob_id] = text.encode()
        return blob_id

    status = "added" if old is None else "deleted" if new is None else "modified"
    fd = FileDiff(status, None if old is None else path, None if new is None else path, store(old), store(new),
                  hunks=hunks, old_size=len(old or ""), new_size=len(new or ""))
    fd.additions = sum(h.additions for h in hunks)
    fd.deletions = sum(h.deletions for h in hunks)
    return fd


def owned(plan: ReviewPlan, files: list[FileDiff]) -> list[tuple[int, int, int]]:
    """Every changed line the plan's chunks own, as (file, hunk, line index), with repeats."""
    out = []
    for chunk in plan.chunks:
        for s in chunk.segments:
            lines = files[s.file_index].hunks[s.hunk_index].lines
            out += [(s.file_index, s.hunk_index, i) for i in range(s.first, s.last + 1) if lines[i].origin != " "]
    return out


def changed(files: list[FileDiff]) -> list[tuple[int, int, int]]:
    return [(f, h, i) for f, fd in enumerate(files) for h, hunk in enumerate(fd.hunks)
            for i, line in enumerate(hunk.lines) if line.origin != " "]


def assert_partition(plan: ReviewPlan, files: list[FileDiff]) -> None:
    got = owned(plan, files)
    assert len(got) == len(set(got)), "a changed line is in two chunks"
    assert collections.Counter(got) == collections.Counter(changed(files)), "a changed line is lost"
    for chunk in plan.chunks:
        assert chunk.changed_lines == sum(s.changed_lines for s in chunk.segments)


def assert_bound(plan: ReviewPlan, target: int) -> None:
    for chunk in plan.chunks:
        if chunk.kind == "collapsed":  # a fixed skim per file: never oversized, whatever its lines
            assert not chunk.oversized, chunk.title
        elif chunk.changed_lines > target and any("cut by reading effort" in n for n in chunk.notes):
            assert not chunk.oversized and chunk.whitespace_lines  # a file nearly all re-indented: cut by effort
        elif chunk.changed_lines > target:
            assert chunk.oversized and chunk.oversize_reason, chunk.title
            assert len(chunk.functions) == 1
        else:
            assert not chunk.oversized


def blob_reader(blobs: dict[str, bytes]):
    return blobs.__getitem__


def function(name: str, body_lines: int, variant: int = 0) -> list[str]:
    return [f"def {name}(x):"] + [f"    x = x + {variant * 1000 + k}" for k in range(body_lines)] + ["    return x", ""]


def program(functions: list[tuple[str, int, int]]) -> str:
    lines = ["import os", ""]
    for name, size, variant in functions:
        lines += function(name, size, variant)
    return "\n".join(lines) + "\n"


# -- the partition and the bound ------------------------------------------------------------------------

@st.composite
def synthetic_files(draw: st.DrawFn, suffix: str = ".txt") -> list[FileDiff]:
    """Random diffs built directly: files with hunks of random +/-/context lines, no blobs."""
    files = []
    for f in range(draw(st.integers(0, 6))):
        hunks = []
        old_no = new_no = 1
        for _ in range(draw(st.integers(1, 4))):
            old_no += draw(st.integers(0, 30))
            new_no += draw(st.integers(0, 30))
            origins = draw(st.lists(st.sampled_from(" +-"), min_size=1, max_size=140))
            if all(o == " " for o in origins):
                origins[0] = "+"
            lines = []
            start_old, start_new = old_no, new_no
            for k, origin in enumerate(origins):
                text = f"line {f} {k} {origin}"
                if origin == " ":
                    lines.append(DiffLine(" ", old_no, new_no, text))
                    old_no, new_no = old_no + 1, new_no + 1
                elif origin == "-":
                    lines.append(DiffLine("-", old_no, None, text))
                    old_no += 1
                else:
                    lines.append(DiffLine("+", None, new_no, text))
                    new_no += 1
            hunks.append(Hunk(start_old, old_no - start_old, start_new, new_no - start_new, "", lines))
        directory = draw(st.sampled_from(["", "a", "a/b", "c"]))
        fd = FileDiff("modified", f"{directory}/f{f}{suffix}".lstrip("/"), f"{directory}/f{f}{suffix}".lstrip("/"),
                      hunks=hunks)
        fd.additions = sum(h.additions for h in hunks)
        fd.deletions = sum(h.deletions for h in hunks)
        files.append(fd)
    return files


@settings(max_examples=120, deadline=None)
@given(synthetic_files(), st.integers(10, 60), st.sampled_from(["risk", "path"]))
def test_random_diffs_are_partitioned_exactly_and_bounded(files: list[FileDiff], target: int, order: str) -> None:
    plan = build_plan(files, config=ChunkConfig(target_lines=target), order=order)
    assert_partition(plan, files)
    assert_bound(plan, target)
    assert [c.index for c in plan.chunks] == list(range(1, len(plan.chunks) + 1))
    assert plan.total_floor_seconds == sum(c.floor_seconds for c in plan.chunks)


@settings(max_examples=120, deadline=None)
@given(synthetic_files(".tf"), st.integers(10, 60), st.lists(st.integers(0, 3), min_size=6, max_size=6))
def test_chunks_of_critical_code_fit_one_sitting_uncapped(files: list[FileDiff], target: int,
                                                          tiers: list[int]) -> None:
    """Code of a tier read slower is cut to the target's reading effort (target / multiplier lines), so no chunk's
    floor is capped at one sitting unless it is one unit that cannot be cut (QA55 F12: 400 lines of tier 0 were
    1h 12m, capped at 1h, approvable "at the floor" at 400 lines an hour)."""
    # one sitting reads `target` plain code lines: a chunk of the target at tier 0 (x1.5) would be 1.5 sittings
    config = ChunkConfig(target_lines=target, lines_per_hour=target, seconds_per_complexity_point=0, min_seconds=0)
    file_tiers = {fd.path: tiers[number] for number, fd in enumerate(files)}
    plan = build_plan(files, config=config, file_tiers=file_tiers)
    assert_partition(plan, files)
    for chunk in plan.chunks:
        assert chunk.changed_lines <= target and not chunk.oversized  # runs without definitions: always cut
        assert "capped" not in chunk.floor_derivation, chunk.floor_derivation
        assert chunk.floor_seconds <= config.max_chunk_seconds, chunk.floor_derivation
        # the target's reading effort: each file's lines weighed by its tier's multiplier (never below 1)
        effort = sum(s.changed_lines * max(1.0, config.multiplier(file_tiers[s.path])) for s in chunk.segments)
        assert effort <= target + 1e-6


def test_tier_lines_per_chunk() -> None:
    config = ChunkConfig()
    assert [config.lines_per_chunk("code", tier) for tier in range(4)] == [266, 320, 400, 400]
    assert [config.lines_per_chunk(kind, 0) for kind in ("test", "docs", "data")] == [400, 400, 400]
    # a target longer than a sitting: cut at what one sitting reads at the kind's rate and the tier's multiplier
    long = ChunkConfig(target_lines=2000)
    assert [long.lines_per_chunk("code", tier) for tier in range(4)] == [333, 400, 500, 625]
    assert long.lines_per_chunk("test", 0) == 800


@st.composite
def python_changes(draw: st.DrawFn) -> tuple[list[FileDiff], dict[str, bytes]]:
    """Random Python files whose functions are added, removed, resized or rewritten."""
    blobs: dict[str, bytes] = {}
    files = []
    for f in range(draw(st.integers(1, 4))):
        count = draw(st.integers(1, 7))
        old = [(f"f{k}", draw(st.integers(0, 40)), 0) for k in range(count)]
        new = []
        for name, size, _ in old:
            action = draw(st.sampled_from(["keep", "edit", "drop", "grow"]))
            if action == "keep":
                new.append((name, size, 0))
            elif action == "edit":
                new.append((name, size, 1))
            elif action == "grow":
                new.append((name, size + draw(st.integers(1, 60)), 0))
            if draw(st.integers(0, 4)) == 0:
                new.append((f"{name}_new", draw(st.integers(0, 50)), 2))
        files.append(file_diff(f"pkg{f % 2}/m{f}.py", program(old), program(new), blobs))
    return [fd for fd in files if fd.hunks], blobs


def function_of_line(files: list[FileDiff], blobs: dict[str, bytes]) -> dict[tuple[int, int, int], tuple[int, str]]:
    """(file, hunk, line) -> (file, outermost function) by ast, as the test's own oracle."""
    out = {}
    for f, fd in enumerate(files):
        sides = {}
        for side, blob in (("+", fd.new_blob), ("-", fd.old_blob)):
            if blob:
                spans = definition_spans(fd.path, blobs[blob].decode()).spans
                sides[side] = (spans, unit_index(spans, max((s.end for s in spans), default=0)))
        for h, hunk in enumerate(fd.hunks):
            for i, line in enumerate(hunk.lines):
                if line.origin == " " or line.origin not in sides:
                    continue
                spans, owner = sides[line.origin]
                number = line.new_lineno if line.origin == "+" else line.old_lineno
                if number is not None and number < len(owner) and owner[number] >= 0:
                    out[(f, h, i)] = (f, spans[owner[number]].qualname)
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(python_changes(), st.integers(10, 80), st.lists(st.integers(0, 3), min_size=4, max_size=4))
def test_python_changes_cut_only_at_function_edges(change: tuple[list[FileDiff], dict[str, bytes]],
                                                   target: int, tiers: list[int]) -> None:
    files, blobs = change
    config = ChunkConfig(target_lines=target)
    file_tiers = {fd.path: tiers[number] for number, fd in enumerate(files)}
    plan = build_plan(files, read_blob=blob_reader(blobs), config=config, file_tiers=file_tiers)
    assert_partition(plan, files)
    for chunk in plan.chunks:  # a chunk holds the target's reading effort, its code's tiers weighed
        effort = sum(s.changed_lines * target / config.lines_per_chunk("code", file_tiers[s.path])
                     for s in chunk.segments)
        assert effort <= target + 1e-6 or (chunk.oversized and len(chunk.functions) == 1), chunk.title
    chunk_of = {}
    for chunk in plan.chunks:
        for s in chunk.segments:
            for i in range(s.first, s.last + 1):
                chunk_of[(s.file_index, s.hunk_index, i)] = chunk.index
    by_function: dict[tuple[int, str], set[int]] = collections.defaultdict(set)
    sizes: collections.Counter[tuple[int, str]] = collections.Counter()
    for ref, unit in function_of_line(files, blobs).items():
        by_function[unit].add(chunk_of[ref])
        sizes[unit] += 1
    for unit, chunks in by_function.items():
        if sizes[unit] <= config.lines_per_chunk("code", tiers[unit[0]]):
            assert len(chunks) == 1, f"{unit} ({sizes[unit]} lines) split over chunks {chunks}"
        else:  # oversized: alone in its chunk
            (index,) = chunks
            chunk = plan.chunks[index - 1]
            assert chunk.oversized and chunk.functions == [unit[1]]
            assert f"{unit[1]} alone has {sizes[unit]} changed lines" in (chunk.oversize_reason or "")


# -- hashes ---------------------------------------------------------------------------------------------

A_OLD = program([(f"a{k}", 6, 0) for k in range(6)])
A_NEW = program([(f"a{k}", 6, 1 if k in (1, 4) else 0) for k in range(6)])


def plan_for(repo_path: Path, base: str, head: str, **kwargs) -> tuple[ReviewPlan, list[FileDiff]]:
    repo = GitRepo(repo_path)
    base, head = repo.resolve_commit(base), repo.resolve_commit(head)
    files = repo.diff(repo.merge_base(base, head) or base, head)
    return build_plan(files, read_blob=repo.blob, **kwargs), files


def hashes_of(plan: ReviewPlan, path: str) -> list[str]:
    return [c.content_hash for c in plan.chunks if c.files == [path]]


def test_hashes_stay_when_unrelated_files_or_line_numbers_change_and_move_when_lines_change(tmp_path: Path) -> None:
    b = samples.RepoBuilder(tmp_path)
    b.commit("base", {"pkg/a.py": A_OLD, "other/b.py": "x = 1\n"}, author=DEV)
    b.branch("one")
    b.commit("one", {"pkg/a.py": A_NEW, "other/b.py": "x = 2\n"}, branch="one", author=DEV)
    b.branch("two")
    b.commit("two", {"pkg/a.py": A_NEW, "other/b.py": "y = 3\nz = 4\n"}, branch="two", author=DEV)
    # "rebased": the base moved on (lines inserted above every edit), same edits on top.
    b.commit("base moves", {"pkg/a.py": "# header\n" * 10 + A_OLD}, author=DEV)
    b.branch("rebased")
    b.commit("rebased", {"pkg/a.py": "# header\n" * 10 + A_NEW}, branch="rebased", author=DEV)
    b.branch("edited")
    b.commit("edited", {"pkg/a.py": A_NEW.replace("x = x + 1002", "x = x + 9999")}, branch="edited", author=DEV)

    one, _ = plan_for(tmp_path, b.head("main"), b.head("one"))
    two, _ = plan_for(tmp_path, b.head("main"), b.head("two"))
    rebased, _files = plan_for(tmp_path, b.head("main"), b.head("rebased"))
    edited, _ = plan_for(tmp_path, b.head("main"), b.head("edited"))
    assert rebased.chunks[0].segments[0].new_start != one.chunks[0].segments[0].new_start  # lines did move
    assert hashes_of(one, "pkg/a.py") and hashes_of(one, "pkg/a.py") == hashes_of(two, "pkg/a.py")
    assert hashes_of(one, "pkg/a.py") == hashes_of(rebased, "pkg/a.py")
    assert hashes_of(one, "other/b.py") != hashes_of(two, "other/b.py")
    assert hashes_of(edited, "pkg/a.py") != hashes_of(one, "pkg/a.py")


def test_hash_covers_kind_path_context_and_text_not_line_numbers() -> None:
    blobs: dict[str, bytes] = {}
    a = file_diff("m.py", "p\nq\na\nb\nc\n", "p\nq\na\nB\nc\n", blobs)
    b = file_diff("m.py", "z\n" * 5 + "p\nq\na\nb\nc\n", "z\n" * 5 + "p\nq\na\nB\nc\n", blobs)  # other numbers
    c = file_diff("n.py", "p\nq\na\nb\nc\n", "p\nq\na\nB\nc\n", blobs)  # same edit, other path
    d = file_diff("m.py", "p\nX\na\nb\nc\n", "p\nX\na\nB\nc\n", blobs)  # same edit, other neighbours
    ha, hb, hc, hd = (build_plan([fd]).chunks[0].content_hash for fd in (a, b, c, d))
    assert ha == hb != hc
    assert hd != ha


# -- grouping, kinds, order --------------------------------------------------------------------------------

def test_a_function_that_fits_is_never_split_and_an_oversized_one_says_why() -> None:
    blobs: dict[str, bytes] = {}
    old = program([(f"f{k}", 3, 0) for k in range(5)] + [("huge", 3, 0)])
    new = program([(f"f{k}", 3 + 28, 0) for k in range(5)] + [("huge", 3 + 150, 0)])
    fd = file_diff("svc/work.py", old, new, blobs)
    plan = build_plan([fd], read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=100), order="path")
    assert_partition(plan, [fd])
    assert [c.functions for c in plan.chunks] == [["f0", "f1", "f2"], ["f3", "f4"], ["huge"]]
    assert [c.changed_lines for c in plan.chunks] == [84, 56, 150]
    huge = plan.chunks[2]
    assert huge.oversized and huge.oversize_reason == "huge alone has 150 changed lines (target 100)"
    assert plan.chunks[0].title == "svc/work.py: f0 and 2 more"


def test_giant_hunk_of_top_level_code_is_cut_at_line_boundaries() -> None:
    blobs: dict[str, bytes] = {}
    fd = file_diff("db/seed.sql", None, "".join(f"INSERT INTO t VALUES ({k});\n" for k in range(250)), blobs)
    plan = build_plan([fd], read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=100), order="path")
    assert_partition(plan, [fd])
    assert [c.changed_lines for c in plan.chunks] == [84, 84, 82]
    assert not any(c.oversized for c in plan.chunks)
    assert "cut at line boundaries" in " ".join(plan.chunks[0].notes)
    assert plan.chunks[0].title == "db/seed.sql: lines 1-84"


def test_test_file_joins_its_module_and_directories_stay_apart() -> None:
    blobs: dict[str, bytes] = {}
    files = [
        file_diff("payments/retry.py", program([("backoff", 3, 0)]), program([("backoff", 3, 1)]), blobs),
        file_diff("tests/test_retry.py", None, "def test_backoff():\n    assert True\n", blobs),
        file_diff("tests/test_other.py", None, "def test_other():\n    assert True\n", blobs),
        file_diff("docs/notes.py", None, "X = 1\n", blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), order="path")
    assert_partition(plan, files)
    assert [c.files for c in plan.chunks] == [["docs/notes.py"], ["payments/retry.py", "tests/test_retry.py"],
                                              ["tests/test_other.py"]]
    assert any("the code it tests" in n for n in plan.chunks[1].notes)


def test_path_order_is_gits_order_of_paths_with_the_roots_files_among_them() -> None:
    """`chunks --order path` listed `requirements.txt` before `.github/workflows/test-suite.yml` (the planner
    groups the root's files first); `git diff` and a file browser put `.github/` first (QA46 #13)."""
    blobs: dict[str, bytes] = {}
    files = [
        file_diff("requirements.txt", "click\n", "click\nrich\n", blobs),
        file_diff(".github/workflows/test-suite.yml", "on: push\n", "on: [push, pull_request]\n", blobs),
        file_diff("starlette/app.py", "a = 1\n", "a = 2\n", blobs),
        file_diff("Makefile", "all:\n", "all: test\n", blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), order="path")
    assert_partition(plan, files)
    assert [c.files for c in plan.chunks] == [[".github/workflows/test-suite.yml"], ["Makefile", "requirements.txt"],
                                              ["starlette/app.py"]]
    assert [c.index for c in plan.chunks] == [1, 2, 3]


def test_a_use_joins_the_definition_it_uses_when_they_fit() -> None:
    blobs: dict[str, bytes] = {}
    files = [
        file_diff("api/handlers.py", "import x\n", "import x\nwait = compute_backoff(3)\n", blobs),
        file_diff("payments/retry.py", None, "def compute_backoff(n):\n    return n * 2\n", blobs),
        file_diff("web/views.py", "a = 1\n", "a = 2\n", blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), order="path")
    assert [c.files for c in plan.chunks] == [["payments/retry.py", "api/handlers.py"], ["web/views.py"]]
    assert any("uses compute_backoff" in n for n in plan.chunks[0].notes)


def test_a_use_joins_only_a_definition_it_can_mean() -> None:
    """QA50 #5 (uv): a CI file's `apple-native` feature was paired with Rust's `fn native()`, and the CLI's call of
    `auth_set` with the integration tests' helper of that name. Another language, or a test's helper used by
    production code, is no definition of what a file uses."""
    blobs: dict[str, bytes] = {}
    files = [
        file_diff(".github/workflows/ci.yml", "on: push\n", "on: push\nenv:\n  F: apple-native\n", blobs),
        file_diff("crates/auth/src/keyring.rs", None, "pub fn native() -> Self {\n    Self {}\n}\n", blobs),
        file_diff("crates/cli/src/lib.rs", "mod a;\n", "mod a;\nfn go() { commands::auth_setting(); }\n", blobs),
        file_diff("crates/cli/tests/common/mod.rs", None, "pub fn auth_setting() -> u8 {\n    1\n}\n", blobs),
        file_diff("crates/cli/tests/login.rs", None, "fn check() { common::auth_setting(); }\n", blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), order="path")
    assert_partition(plan, files)
    notes = [n for c in plan.chunks for n in c.notes]
    assert not any("uses native" in n for n in notes), notes
    assert not any("lib.rs uses auth_setting" in n for n in notes), notes
    assert any("login.rs uses auth_setting" in n for n in notes), notes  # a test using the tests' helper: paired


def test_lock_vendored_generated_and_data_files_are_collapsed_with_their_own_floor() -> None:
    blobs: dict[str, bytes] = {}
    files = [
        file_diff("package-lock.json", None, '{\n  "a": 1\n}\n', blobs),
        file_diff("vendor/lib/util.js", None, "function f() {}\n", blobs),
        file_diff("vendor/lib/more.js", None, "function g() {}\n", blobs),
        file_diff("api/client_pb2.py", None, "X = 1\n", blobs),
        file_diff("sdk/model.py", None, '"""Generated model. Do not edit: regenerate."""\nX = 1\n', blobs),
        file_diff("data/rates.csv", None, "".join(f"{k},1.0\n" for k in range(300)), blobs),
        file_diff("data/small.csv", None, "a,b\n", blobs),
        file_diff("app/main.py", None, "print('hi')\n", blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=100))
    assert_partition(plan, files)
    kinds = {tuple(c.files): c.kind for c in plan.chunks}
    assert kinds == {("app/main.py",): "code", ("data/small.csv",): "code", ("package-lock.json",): "collapsed",
                     ("vendor/lib/more.js", "vendor/lib/util.js"): "collapsed", ("api/client_pb2.py",): "collapsed",
                     ("sdk/model.py",): "collapsed", ("data/rates.csv",): "collapsed"}
    assert [c.kind for c in plan.chunks][:2] == ["code", "code"]  # read before skimmed
    vendored = next(c for c in plan.chunks if c.files[0].startswith("vendor/"))
    assert (vendored.floor_seconds, vendored.floor_derivation) == (60, "2 collapsed files x 30s = 1m")
    rates = next(c for c in plan.chunks if c.files == ["data/rates.csv"])
    assert not rates.oversized  # skimmed at a fixed floor: its 300 lines are no reading to split
    assert any("data file with 300 changed lines" in n for n in rates.notes)


def test_a_manifest_is_read_and_a_typescript_build_script_is_source() -> None:
    """QA51 #25: hono's package.json re-indented whole (1,094 changed lines) was skimmed as a data file, hiding a
    version downgrade and a new export; a JSON file of a tier 0 or 1 path is read. QA51 #24: hono's build/build.ts
    (its build script, with tests) was collapsed as build output; a compiler writes .js and .d.ts there, not .ts."""
    blobs: dict[str, bytes] = {}
    manifest = "{\n" + "".join(f'    "k{k}": "{k}",\n' for k in range(300)) + '    "version": "4.0.0"\n}\n'
    files = [
        file_diff("package.json", None, manifest, blobs),
        file_diff("data/fixtures.json", None, manifest, blobs),
        file_diff("build/build.ts", None, "export function build() {}\n", blobs),
        file_diff("build/out.js", None, "function f() {}\n", blobs),
        file_diff("dist/index.d.ts", None, "export declare function f(): void\n", blobs),
    ]
    tiers = {"package.json": 1, "data/fixtures.json": 2, "build/build.ts": 2, "build/out.js": 2, "dist/index.d.ts": 2}
    plan = build_plan(files, read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=400), file_tiers=tiers)
    assert_partition(plan, files)
    kind_of = {path: c.kind for c in plan.chunks for path in c.files}
    assert kind_of["data/fixtures.json"] == "collapsed" and kind_of["package.json"] != "collapsed"
    assert kind_of["build/build.ts"] == "code"
    assert kind_of["build/out.js"] == kind_of["dist/index.d.ts"] == "collapsed"


def test_go_python_and_rust_under_build_are_source_and_build_output_is_still_collapsed() -> None:
    """FIX123: urfave/cli's internal/build/build.go (its own build tool) was collapsed as build output, out of the
    risk and of calibration; no compiler writes .go, .py or .rs into build/. setuptools' copies under build/lib/ and a
    generated name there (build/api.pb.go) stay collapsed."""
    blobs: dict[str, bytes] = {}
    files = [
        file_diff("internal/build/build.go", None, "package main\n\nfunc main() {}\n", blobs),
        file_diff("tools/build/release.py", None, "def release():\n    return 1\n", blobs),
        file_diff("dist/src/lib.rs", None, "pub fn f() {}\n", blobs),
        file_diff("build/lib/pkg/mod.py", None, "X = 1\n", blobs),
        file_diff("build/api.pb.go", None, "package api\n", blobs),
        file_diff("build/app.js", None, "function f() {}\n", blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=400))
    assert_partition(plan, files)
    kind_of = {path: c.kind for c in plan.chunks for path in c.files}
    assert kind_of == {"internal/build/build.go": "code", "tools/build/release.py": "code", "dist/src/lib.rs": "code",
                       "build/lib/pkg/mod.py": "collapsed", "build/api.pb.go": "collapsed", "build/app.js": "collapsed"}


def test_generator_headers_in_their_usual_spellings_collapse_added_and_deleted_files() -> None:
    """QA47 #1: rich's width tables say "# Auto generated by tools/make_width_tables.py" (a space, not a hyphen):
    they were 48 chunks, 24 hours of code reading, and drove the likelihood. A deleted generated file is
    recognised by its old first lines; a docstring that merely mentions generating stays code."""
    blobs: dict[str, bytes] = {}
    table = "# Auto generated by tools/make_width_tables.py\n" + "".join(f"({k}, {k + 1}),\n" for k in range(50))
    files = [
        file_diff("rich/_unicode_data/unicode17.py", None, table, blobs),
        file_diff("rich/_unicode_data/unicode9.py", table, None, blobs),
        file_diff("gen/schema.py", None, "# This file was generated from schema.json\nX = 1\n", blobs),
        file_diff("lib/tokens.py", None, '"""Tokens generated by the lexer, and what they mean."""\nX = 1\n', blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs))
    assert_partition(plan, files)
    kinds = {path: c.kind for c in plan.chunks for path in c.files}
    assert kinds == {"rich/_unicode_data/unicode17.py": "collapsed", "rich/_unicode_data/unicode9.py": "collapsed",
                     "gen/schema.py": "collapsed", "lib/tokens.py": "code"}
    assert machine_written(files[1], ChunkConfig()) == "marked generated ('auto generated' in its first lines)"


def test_recorded_http_cassettes_are_collapsed() -> None:
    """QA48 #18: pydantic-ai's VCR cassettes were 36 of a change's 40 hours of floor, read as test code."""
    blobs: dict[str, bytes] = {}
    cassette = "interactions:\n" + "".join(f"- request:\n    body: '{k}'\n" for k in range(120))
    files = [file_diff("tests/models/cassettes/test_openai/test_stream.yaml", None, cassette, blobs),
             file_diff("spec/fixtures/vcr_cassettes/login.yml", None, cassette, blobs)]
    assert [machine_written(fd, ChunkConfig()) for fd in files] == [
        "generated, vendored or lock file (matches 'cassettes/')",
        "generated, vendored or lock file (matches 'vcr_cassettes/')"]


def test_a_generator_marker_under_a_comment_banner_is_found() -> None:
    """QA48 #7: gh-aw's compiled workflows say "DO NOT EDIT" on line 17, under an ASCII-art banner; each was
    4 hours of T1 code reading. A hand-written file whose code starts early is not read past its first lines."""
    blobs: dict[str, bytes] = {}
    banner = "".join(f"#  |  art line {k} |\n" for k in range(15))
    lock = banner + "#\n# This file was automatically generated by gh-aw. DO NOT EDIT.\n" + "on: push\n" * 30
    code = "# helpers\nimport os\n\n\n" + "x = 1\n" * 12 + "# do not edit the line below by hand\n" + "y = 2\n" * 9
    files = [file_diff(".github/workflows/review.lock.yml", None, lock, blobs),
             file_diff("src/helpers.py", None, code, blobs)]
    assert machine_written(files[0], ChunkConfig()) == "marked generated ('do not edit' in its first lines)"
    assert machine_written(files[1], ChunkConfig()) is None


def test_a_modified_files_marker_is_read_from_its_new_version_once() -> None:
    """QA52 #4: a generated file edited mid-file (lazygit's test_list.go, one line added in its middle) showed no
    marker in its diff and was read as code. Its new version's first lines are read, once per blob for both the
    risk and the plan; a blob that cannot be read (a partial clone's) leaves the file a person's, as before."""
    from app.errors import RepoError

    blobs: dict[str, bytes] = {}
    body = "".join(f"\tTest{k:03},\n" for k in range(40))
    old = "// THIS FILE IS AUTO-GENERATED. You can regenerate it by running `go generate ./...`\n\n" + body
    fd = file_diff("pkg/integration/tests/test_list.go", old, old.replace("\tTest020,\n", "\tTest020,\n\tNew,\n"),
                   blobs)
    assert fd.hunks[0].new_start > 1
    reads: list[str] = []

    def read(blob: str) -> bytes:
        reads.append(blob)
        return blobs[blob]

    assert machine_written(fd, ChunkConfig()) is None  # no reader: the diff alone
    said = "marked generated ('auto-generated' in its first lines)"
    assert machine_written(fd, ChunkConfig(), read_blob=read) == said
    assert machine_written(fd, ChunkConfig(), read_blob=read) == said
    assert reads == [fd.new_blob]  # once for the process
    assert [c.kind for c in build_plan([fd], read_blob=read).chunks] == ["collapsed"]

    def missing(blob: str) -> bytes:
        raise RepoError(f"object {blob[:10]} is missing")

    hand = file_diff("pkg/gui/gui.go", "package gui\n" + body, "package gui\n" + body.replace("Test030", "X"), blobs)
    assert machine_written(hand, ChunkConfig(), read_blob=read) is None
    other = file_diff("pkg/gen/list.go", old + "\tOther,\n", old.replace("Test020", "Renamed") + "\tOther,\n", blobs)
    assert machine_written(other, ChunkConfig(), read_blob=missing) is None


def test_risk_order_reads_tier_0_and_destructive_chunks_before_seams() -> None:
    """QA47 #10: flask pull/5603 deletes modules, so every deleted public function is an untested seam: its
    chunk deleting the CI and publish workflows (tier 0, destructive) came 22nd, after 21 tier 2-3 seam chunks."""
    from app.core.planner.model import Chunk

    seam_t2 = Chunk(1, "ctx.py", "code", tier=2, seams=["flask.ctx.f"], changed_lines=399)
    seam_t3 = Chunk(2, "examples", "code", tier=3, seams=["task_app.views"], changed_lines=100)
    workflows = Chunk(3, ".github/workflows", "code", tier=0, destructive=True, changed_lines=172)
    destructive_t2 = Chunk(4, "db.py", "code", tier=2, destructive=True, changed_lines=20)
    plain_t0 = Chunk(5, "auth.py", "code", tier=0, changed_lines=10)
    plain_t1 = Chunk(6, "config.py", "code", tier=1, changed_lines=500)
    ordered = _ordered([seam_t2, seam_t3, workflows, destructive_t2, plain_t0, plain_t1], "risk")
    assert [c.title for c in ordered] == [".github/workflows", "auth.py", "db.py", "ctx.py", "examples", "config.py"]


def test_committed_build_output_is_collapsed() -> None:
    """QA47: flask pull/5696 committed a Sphinx build (_build/_static/*.css, _build/api/*.html): 179 chunks, 81 h."""
    blobs: dict[str, bytes] = {}
    css = "".join(f".c{k} {{ color: red; }}\n" for k in range(50))
    files = [file_diff(path, None, css, blobs) for path in (
        "docs/_build/_static/pygments.css", "docs/_build/html/api.html", "site/_site/index.html", "htmlcov/x.html")]
    files.append(file_diff("docs/conf.py", "x = 1\n", "x = 2\n", blobs))
    plan = build_plan(files, read_blob=blob_reader(blobs))
    kinds = {path: c.kind for c in plan.chunks for path in c.files}
    assert kinds.pop("docs/conf.py") == "code" and set(kinds.values()) == {"collapsed"}, kinds


def test_instructions_to_ai_agents_are_prose() -> None:
    """QA47 #3: Zed's .rules, Cursor's .mdc, .clinerules ... say what an agent must never run; they are docs."""
    for path in (".rules", ".cursor/rules/governance.mdc", ".clinerules", ".windsurfrules", "AGENTS.md"):
        assert content_kind(path) == "docs", path
    assert content_kind("src/rules.py") == "code" and content_kind("rules") == "code"


def test_the_same_small_edit_in_many_directories_is_one_chunk_and_different_edits_stay_apart() -> None:
    """QA43 #5: one provider block added to the versions.tf of fifteen modules was fifteen chunks, most at the
    one-minute least floor. Different edits in different packages stay apart (a push to one of them does not
    make the others' approvals stale)."""
    blobs: dict[str, bytes] = {}
    block = "terraform {\n  provider_meta \"aws\" {\n    user_agent = [\"github.com/x\"]\n  }\n}\n"
    same = [file_diff(f"modules/m{k}/versions.tf", "# v\n", "# v\n" + block, blobs) for k in range(6)]
    other = [file_diff(f"src/p{k}/ops.py", "x = 1\n", f"x = 1\ny{k} = {k}\n", blobs) for k in range(3)]
    plan = build_plan(same + other, read_blob=blob_reader(blobs), order="path")
    assert_partition(plan, same + other)
    assert [len(c.files) for c in plan.chunks] == [6, 1, 1, 1]
    assert plan.chunks[0].floor_seconds < 6 * 60  # one sitting, not six floors at the former 60 s minimum


def test_a_tier_0_file_named_or_marked_generated_is_read_not_skimmed() -> None:
    """QA42 #5: a file's name and first lines are its author's to choose; 247 lines of hand-written payment
    code named charge_pb2.py were one 30-second collapsed chunk, left out of the risk too."""
    blobs: dict[str, bytes] = {}
    code = "".join(f"def rule_{i}(x):\n    if x > {i}:\n        return {i}\n    return 0\n\n\n" for i in range(10))
    files = [file_diff("payments/gateway/charge_pb2.py", None, code, blobs),
             file_diff("payments/sdk/model.py", None, '"""Generated model. Do not edit."""\n' + code, blobs),
             file_diff("api/client_pb2.py", None, code, blobs)]
    tiers = {"payments/gateway/charge_pb2.py": 0, "payments/sdk/model.py": 0, "api/client_pb2.py": 2}
    plan = build_plan(files, read_blob=blob_reader(blobs), file_tiers=tiers)
    assert_partition(plan, files)
    kinds = {f: c.kind for c in plan.chunks for f in c.files}
    assert kinds == {"payments/gateway/charge_pb2.py": "code", "payments/sdk/model.py": "code",
                     "api/client_pb2.py": "collapsed"}
    assert machine_written(files[0], ChunkConfig(), 0) is None and machine_written(files[0], ChunkConfig(), 2)
    lock = file_diff("infra/.terraform.lock.hcl", None, 'provider "x" {\n  version = "1"\n}\n', blobs)
    assert machine_written(lock, ChunkConfig(), 0)  # a lock file is the package manager's, even there


def test_globs_match_like_gitignore() -> None:
    globs = GlobSet(["vendor/", "*.lock", "docs/generated/", "src/**/gen_*.py"])
    assert globs.match("vendor/a.js") == "vendor/" and globs.match("x/vendor/y/z.go") == "vendor/"
    assert globs.match("vendored.py") is None
    assert globs.match("Cargo.lock") == "*.lock" and globs.match("a/b/poetry.lock") == "*.lock"
    assert globs.match("docs/generated/api.md") == "docs/generated/" and globs.match("x/docs/generated/a") is None
    assert globs.match("src/a/b/gen_x.py") == "src/**/gen_x.py".replace("gen_x", "gen_*")
    assert globs.match("src/gen_x.py") is not None and globs.match("lib/src/gen_x.py") is None


def test_risk_order_puts_tier_destructive_ai_and_complexity_first() -> None:
    blobs: dict[str, bytes] = {}
    # five different edits (the same edit in five directories is one chunk)
    files = [file_diff(f"d{k}/m.py", "a\n", f"a\nb{k}\n", blobs) for k in range(5)]
    plan = build_plan(files, file_tiers={"d4/m.py": 0}, destructive_paths={"d3/m.py"},
                      ai_lines={"d2/m.py": {2: "claude"}}, function_complexity={"d1/m.py": {"f": 5}})
    assert [c.files[0] for c in plan.chunks] == ["d4/m.py", "d3/m.py", "d2/m.py", "d1/m.py", "d0/m.py"]
    assert plan.chunks[2].ai_share == 1.0 and plan.chunks[2].ai_tools == {"claude": 1}
    assert plan.chunks[3].complexity_added == 5  # no span named f: given to the file's first chunk
    by_path = build_plan(files, file_tiers={"d4/m.py": 0}, order="path")
    assert [c.files[0] for c in by_path.chunks] == [f"d{k}/m.py" for k in range(5)]
    with pytest.raises(ValueError):
        build_plan(files, order="size")


def test_complexity_goes_to_the_chunk_holding_the_function() -> None:
    blobs: dict[str, bytes] = {}
    old = program([(f"f{k}", 3, 0) for k in range(4)])
    new = program([(f"f{k}", 40, 0) for k in range(4)])
    fd = file_diff("m.py", old, new, blobs)
    plan = build_plan([fd], read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=80), order="path",
                      function_complexity={"m.py": {"f1": 4, "f3": 2, "gone": 7, "f0": -3}})
    assert [(c.functions, c.complexity_added) for c in plan.chunks] == [(["f0", "f1"], 4 + 7), (["f2", "f3"], 2)]
    # a function inside a placed one goes with it (QA51 #21: hono's it() callbacks inside a describe went to the
    # chunk of the file's first lines); a name that only starts the same does not
    nested = build_plan([fd], read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=80), order="path",
                        function_complexity={"m.py": {"f3.inner": 5, "f3x.inner": 1}})
    assert [c.complexity_added for c in nested.chunks] == [1, 5]


def _go_method(receiver: str, name: str, branches: int) -> str:
    body = "".join(f"\tif x == {k} {{\n\t\tx++\n\t}}\n" for k in range(branches))
    return f"func (e *{receiver}) {name}(x int) int {{\n{body}\treturn x\n}}\n\n"


def test_a_go_methods_complexity_stays_with_its_chunk() -> None:
    """QA52 #7: lizard names a Go method with its receiver (`Editor.motion`), the spans named it `motion`, so no
    chunk held it by name, and a method *named* like the receiver type (`View.Editor`) took all of `Editor.*`:
    lazygit's vim_editor.go read CC+ 0 on the chunk holding its worst function and +186 on another."""
    blobs: dict[str, bytes] = {}
    text = "package gocui\n\n" + _go_method("View", "Editor", 0) + "".join(
        _go_method("Editor", f"m{k}", 1 + k % 4) for k in range(24))
    fd = file_diff("vim_editor.go", None, text, blobs)
    functions = analyze_source("vim_editor.go", text).functions
    plan = build_plan([fd], read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=60), order="path",
                      function_complexity={"vim_editor.go": {f.name: f.complexity for f in functions}})
    assert len(plan.chunks) > 2
    for chunk in plan.chunks:
        (first, last), = {(r.start, r.end) for r in chunk.line_ranges}  # one stretch of lines: not cut apart
        assert chunk.complexity_added == sum(f.complexity for f in functions if first <= f.start_line <= last)
    assert "Editor.m0" in plan.chunks[0].functions


# -- floor time -----------------------------------------------------------------------------------------

def test_floor_time_arithmetic_and_derivation() -> None:
    config = ChunkConfig()
    assert code_floor(312, 4, 0, config) == (
        3429, "312 code lines T0 at 500/h x1.5 = 56m 09s; +4 CC x 10s x1.5 = +1m -> 57m 09s")
    assert code_floor(400, 0, 2, config) == (2880, "400 code lines T2 at 500/h = 48m")
    assert code_floor(5, 0, 3, config) == (28, "5 code lines T3 at 500/h x0.8 = 28s")
    # capped at one sitting only as one unit that cannot be cut, and said so; a chunk that could be cut keeps its
    # whole floor (the builder cuts chunks to fit a sitting: the cap hid part of it, QA55 F12)
    assert code_floor(1000, 0, 0, config) == (10800, "1000 code lines T0 at 500/h x1.5 = 3h 00m 00s")
    assert code_floor(1000, 0, 0, config, uncuttable="f alone has 1000 changed lines (target 266)") == (
        3600, "1000 code lines T0 at 500/h x1.5 = 3h 00m 00s; capped at one sitting 1h 00m 00s: one unit that "
              "cannot be cut (f alone has 1000 changed lines (target 266)), read over more than one sitting: a "
              "careful read takes longer than this floor")
    fast = ChunkConfig(lines_per_hour=1000, seconds_per_complexity_point=0, min_seconds=0,
                       tier_multipliers=(2.0, 1.0, 1.0, 1.0), max_chunk_seconds=36_000)
    assert code_floor(1000, 9, 0, fast)[0] == 7200
    assert format_duration(3725, "spaced") == "1h 02m 05s" and format_duration(59, "spaced") == "59s"


def test_a_tiny_chunk_s_floor_is_its_lines_at_their_rate_with_a_small_minimum() -> None:
    """QA64 F11: every chunk's floor was at least 60 s, so a one-line fix read honestly in 10 s was a rubber stamp.
    Now its line at the code rate (7 s; 10 s at tier 0) decides, raised to 5 s at least; larger chunks keep theirs."""
    config = ChunkConfig()
    assert [code_floor(1, 0, tier, config)[0] for tier in range(4)] == [10, 9, 7, 5]
    assert code_floor(1, 0, 2, config) == (7, "1 code line T2 at 500/h = 7s")
    assert content_floor({("docs", 2): 1}, 0, config) == (5, "1 docs line at 1200/h = 3s; raised to the minimum 5s")
    assert code_floor(40, 0, 0, config)[0] == 432  # a 2-second approval of 40 tier-0 lines is still a stamp
    assert code_floor(20, 0, 2, config)[0] == 144 and code_floor(400, 0, 0, config)[0] == 4320  # as before
    # a team's configured minimum is honoured, the former 60 s too
    team = ChunkConfig.from_reader(SectionReader({"min_seconds": 60}, ".review-tui.toml", "chunks"))
    assert code_floor(1, 0, 2, team) == (60, "1 code line T2 at 500/h = 7s; raised to the minimum 1m")


def test_each_kind_of_content_is_read_at_its_own_rate_and_only_code_at_its_tier() -> None:
    config = ChunkConfig()
    seconds, derivation = content_floor({("code", 0): 120, ("test", 0): 133, ("docs", 2): 40}, 6, config)
    assert derivation == ("120 code lines T0 at 500/h x1.5 = 21m 36s; 133 test lines at 800/h = 9m 58s; "
                          "40 docs lines at 1200/h = 2m; +6 CC x 10s x1.5 = +1m 30s -> 35m 04s")
    assert seconds == 2104
    # tests of tier-0 code are floored as tests: the same lines as tier-0 code would take 1.5 x 500/800 longer
    as_tests = content_floor({("test", 0): 400}, 0, config)[0]
    assert as_tests == 1800 < content_floor({("code", 0): 400}, 0, config)[0] == 4320
    assert [content_kind(p) for p in ("payments/retry.py", "tests/test_retry.py", "ledger_test.go",
                                      "web/cart.spec.ts", "docs/runbook.md", "README.rst", "rates.csv",
                                      "tests/fixtures/charge.json", "conftest.py")] == [
        "code", "test", "test", "test", "docs", "docs", "data", "data", "test"]
    # prose named without a suffix is docs (a README was read at the code rate); a suffixless script is not
    assert [content_kind(p) for p in ("README", "LICENSE", "docs/CHANGELOG", "scripts/build", "Makefile")] == [
        "docs", "docs", "docs", "code", "code"]
    # pip's dependency files are pins of what runs in production, read as code (QA46 #16: at the prose rate
    # a 300-line requirements file got half the floor); other .txt files are prose
    assert [content_kind(p) for p in ("requirements.txt", "requirements-dev.txt", "constraints.txt",
                                      "requirements/base.txt", "requirements.in", "docs/notes.txt")] == [
        "code", "code", "code", "code", "code", "docs"]
    # gettext catalogues are translated prose (QA46: DRF's translations commit was a 119-chunk, 39-hour code plan)
    assert [content_kind(p) for p in ("rest_framework/locale/fa/LC_MESSAGES/django.po", "locale/django.pot")] == [
        "docs", "docs"]


def test_tier_0_code_is_cut_to_fit_one_sitting_and_only_a_function_too_long_is_capped(tmp_path: Path) -> None:
    """A real repository: 12 edited functions of a tier-0 module (384 changed lines) were one chunk of 1h 09m, capped
    at 1h, approvable "at its floor" at 384 lines an hour (QA55 F12); now two chunks within a sitting, cut at function
    edges, uncapped. One function of 420 changed lines cannot be cut: its floor is capped, as its derivation says."""
    b = samples.RepoBuilder(tmp_path)
    b.commit("base", {"auth/login.py": program([(f"f{k}", 16, 0) for k in range(12)]),
                      "auth/big.py": program([("huge", 210, 0)])}, author=DEV)
    b.branch("work")
    b.commit("edit", {"auth/login.py": program([(f"f{k}", 16, 1) for k in range(12)]),
                      "auth/big.py": program([("huge", 210, 1)])}, branch="work", author=DEV)
    tiers = {"auth/login.py": 0, "auth/big.py": 0}
    plan, files = plan_for(tmp_path, "main", "work", file_tiers=tiers)
    assert_partition(plan, files)
    login = [c for c in plan.chunks if c.files == ["auth/login.py"]]
    assert sum(c.changed_lines for c in login) == 12 * 16 * 2  # each body line rewritten
    assert len(login) == 2 and all(c.changed_lines <= 266 and not c.oversized for c in login)
    for chunk in login:
        assert "capped" not in chunk.floor_derivation and chunk.floor_seconds < 3600, chunk.floor_derivation
        assert chunk.floor_derivation.startswith(f"{chunk.changed_lines} code lines T0 at 500/h x1.5")
    (huge,) = [c for c in plan.chunks if c.files == ["auth/big.py"]]
    assert huge.oversized and huge.oversize_reason == (
        "huge alone has 420 changed lines (target 266 at its tier's reading rate)")
    assert huge.floor_seconds == 3600 and huge.floor_derivation == (
        "420 code lines T0 at 500/h x1.5 = 1h 15m 36s; capped at one sitting 1h 00m 00s: one unit that cannot be cut "
        "(huge alone has 420 changed lines (target 266 at its tier's reading rate)), read over more than one "
        "sitting: a careful read takes longer than this floor")


def test_complex_code_is_cut_before_its_floor_passes_one_sitting(tmp_path: Path) -> None:
    """300 changed lines of ordinary code fit the target, but with the 600 points of complexity its functions add
    (10 s each) the chunk was 2h 16m, capped at 1h (the demo's generated SDK client: four chunks of 1h 01m-1h 03m):
    it is cut at function edges into chunks within a sitting, uncapped."""
    b = samples.RepoBuilder(tmp_path)
    b.commit("base", {"svc/models.py": program([(f"m{k}", 15, 0) for k in range(10)])}, author=DEV)
    b.branch("work")
    b.commit("edit", {"svc/models.py": program([(f"m{k}", 15, 1) for k in range(10)])}, branch="work", author=DEV)
    complexity = {"svc/models.py": {f"m{k}": 60 for k in range(10)}}
    plan, files = plan_for(tmp_path, "main", "work", function_complexity=complexity)
    assert_partition(plan, files)
    assert len(plan.chunks) == 3 and sum(c.complexity_added for c in plan.chunks) == 600
    assert plan.total_floor_seconds == 300 * 7.2 + 600 * 10  # nothing hidden by a cap
    for chunk in plan.chunks:
        assert not chunk.oversized and chunk.floor_seconds <= 3600 and "capped" not in chunk.floor_derivation


@pytest.mark.parametrize("kind", ["code", "test", "docs", "data"])
def test_only_a_unit_that_cannot_be_cut_is_capped_at_one_sitting(kind: str) -> None:
    config = ChunkConfig()
    assert content_floor({(kind, 0): 1_000_000}, 10_000, config, uncuttable="one unit")[0] == 3600
    assert content_floor({(kind, 0): 1_000_000}, 10_000, config)[0] > 3600  # could be cut: its whole floor


# -- configuration --------------------------------------------------------------------------------------

def test_config_from_reader() -> None:
    reader = SectionReader({"target_lines": 200, "tier_multipliers": {"0": 2}, "extra_collapsed_globs": ["gen/"],
                            "mystery": 1}, ".review-tui.toml", "chunks")
    config = ChunkConfig.from_reader(reader)
    assert config.target_lines == 200 and config.tier_multipliers == (2.0, 1.25, 1.0, 0.8)
    assert "gen/" in config.collapsed_globs and "*.lock" in config.collapsed_globs
    assert reader.warnings == [".review-tui.toml: chunks.mystery: unknown key (ignored)"]
    listed = ChunkConfig.from_reader(SectionReader({"tier_multipliers": [1, 1, 1, 1]}, "f.toml", "chunks"))
    assert listed.tier_multipliers == (1.0, 1.0, 1.0, 1.0)
    with pytest.raises(ConfigError, match=r"chunks\.target_lines"):
        ChunkConfig.from_reader(SectionReader({"target_lines": "big"}, "f.toml", "chunks"))
    with pytest.raises(ConfigError, match=r"chunks\.tier_multipliers"):
        ChunkConfig.from_reader(SectionReader({"tier_multipliers": [1, 2]}, "f.toml", "chunks"))


def test_plan_round_trips_through_json() -> None:
    blobs: dict[str, bytes] = {}
    files = [file_diff("a/x.py", program([("f", 3, 0)]), program([("f", 3, 1)]), blobs),
             FileDiff("renamed", "a/old.txt", "a/new.txt", "1" * 40, "1" * 40, similarity=100)]
    plan = build_plan(files, read_blob=blob_reader(blobs), ai_lines={"a/x.py": {4: "aider"}})
    data = json.loads(json.dumps(plan.to_dict()))
    assert ReviewPlan.from_dict(data).to_dict() == plan.to_dict()


# -- bad input ------------------------------------------------------------------------------------------

def test_empty_change_gives_an_empty_plan() -> None:
    plan = build_plan([], read_blob=None)
    assert plan.chunks == [] and plan.total_floor_seconds == 0 and plan.notes


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def test_repo_with_only_binaries_only_renames_or_only_deletions(tmp_path: Path) -> None:
    b = samples.RepoBuilder(tmp_path)
    body = program([(f"f{k}", 5, 0) for k in range(3)])
    b.commit("base", {"img/logo.png": PNG, "img/icon.png": PNG + b"1", "src/old_name.py": body,
                      "src/gone.py": body, "src/keep.py": body}, author=DEV)
    b.branch("binary")
    other_png = b"\x00" + bytes(range(255, 0, -1)) * 3
    b.commit("bin", {"img/logo.png": PNG + b"changed", "img/icon.png": None, "img/new.png": other_png},
             branch="binary", author=DEV)
    b.branch("rename")
    b.commit("mv", {"src/old_name.py": None, "lib/new_name.py": body}, branch="rename", author=DEV)
    b.branch("delete")
    b.commit("rm", {"src/gone.py": None, "src/keep.py": program([("f0", 5, 0)])}, branch="delete", author=DEV)

    binary, _ = plan_for(tmp_path, "main", "binary")
    assert [(c.kind, len(c.files)) for c in binary.chunks] == [("binary", 3)]
    assert binary.chunks[0].floor_derivation == "3 binary files x 15s = 45s"
    assert binary.chunks[0].title == "Binary: img/ (3 files)"

    renamed, _ = plan_for(tmp_path, "main", "rename")
    assert [c.kind for c in renamed.chunks] == ["rename"]
    assert renamed.chunks[0].title == "No line changes: src/old_name.py renamed to lib/new_name.py"
    assert renamed.chunks[0].floor_seconds == 10

    deleted, files = plan_for(tmp_path, "main", "delete")
    assert_partition(deleted, files)
    # gone.py: 26 lines; keep.py loses f1 and f2 (8 lines each), named from their deleted headers.
    assert all(c.additions == 0 for c in deleted.chunks) and deleted.changed_lines == 26 + 2 * 8
    assert [c.functions for c in deleted.chunks] == [["f0", "f1", "f2", "f1", "f2"]]


def test_binary_hash_follows_the_new_blob(tmp_path: Path) -> None:
    b = samples.RepoBuilder(tmp_path)
    b.commit("base", {"img/a.png": PNG}, author=DEV)
    b.branch("x")
    b.commit("x", {"img/a.png": PNG + b"x"}, branch="x", author=DEV)
    b.branch("y")
    b.commit("y", {"img/a.png": PNG + b"y"}, branch="y", author=DEV)
    x, _ = plan_for(tmp_path, "main", "x")
    y, _ = plan_for(tmp_path, "main", "y")
    assert x.chunks[0].content_hash != y.chunks[0].content_hash


def test_crlf_no_trailing_newline_huge_line_and_unparsable_python(tmp_path: Path) -> None:
    b = samples.RepoBuilder(tmp_path)
    crlf_old = program([("alpha", 3, 0), ("beta", 3, 0)]).replace("\n", "\r\n")
    broken = "def broken(:\n" + "".join(f"    x{k} = {k}\n" for k in range(30))
    b.commit("base", {"win/crlf.py": crlf_old, "tail/tail.py": "a = 1\nb = 2", "src/broken.py": "x = 0\n"},
             author=DEV)
    b.branch("bad")
    b.commit("bad", {
        "win/crlf.py": program([("alpha", 3, 1), ("beta", 3, 0)]).replace("\n", "\r\n"),
        "tail/tail.py": "a = 1\nb = 3",
        "src/broken.py": broken,
        "big/one_line.py": "x = [" + "1, " * 1_700_000 + "]",
    }, branch="bad", author=DEV)
    plan, files = plan_for(tmp_path, "main", "bad", config=ChunkConfig(target_lines=20))
    assert_partition(plan, files)
    assert_bound(plan, 20)
    crlf = next(c for c in plan.chunks if c.files == ["win/crlf.py"])
    assert crlf.functions == ["alpha"]
    tail = next(c for c in plan.chunks if c.files == ["tail/tail.py"])
    assert tail.changed_lines == 2
    huge = next(c for c in plan.chunks if c.files == ["big/one_line.py"])
    assert huge.changed_lines == 1 and any("definitions not read" in n for n in huge.notes)
    broken_chunks = [c for c in plan.chunks if c.files == ["src/broken.py"]]
    assert len(broken_chunks) == 2
    assert all(any("does not parse" in n and "cut at hunk edges" in n for n in c.notes) for c in broken_chunks)


def test_unreadable_blob_falls_back_to_hunk_edges() -> None:
    blobs: dict[str, bytes] = {}
    fd = file_diff("m.py", program([("f", 3, 0)]), program([("f", 30, 0)]), blobs)

    def missing(blob_id: str) -> bytes:
        raise ConfigError("object is missing")  # any ReviewTuiError, as GitRepo.blob raises RepoError

    plan = build_plan([fd], read_blob=missing, config=ChunkConfig(target_lines=10))
    assert_partition(plan, [fd])
    assert any("could not be read" in n for n in plan.chunks[0].notes)


def test_chunk_locations_name_each_file_once_with_its_ranges() -> None:
    """`chunks` prints where a chunk's lines are, a file at a time (it repeated each path per range)."""
    from app.core.planner.model import LineRange
    from app.report.tables import chunk_locations

    ranges = [LineRange("pkg/aix.py", "new", 134, 146), LineRange("pkg/aix.py", "new", 238, 239),
              LineRange("pkg/aix.py", "old", 134, 144), LineRange("pkg/b.py", "new", 7, 7),
              LineRange("pkg/gone.py", "old", 1, 30)]
    assert chunk_locations(ranges) == "pkg/aix.py:134-146, 238-239 (old 134-144); pkg/b.py:7; pkg/gone.py (old 1-30)"
    many = [LineRange(f"m{i}.py", "new", i, i) for i in range(5)] + [LineRange("m0.py", "new", 9, 9)] * 5
    assert chunk_locations(many) == "m0.py:0, 9, 9, 9, +2; m1.py:1; m2.py:2; +2 more files"


def test_a_chunk_of_empty_files_is_not_labelled_a_rename(make_repo) -> None:
    """Two empty __init__.py added read "No line changes: 2 files (2 added empty)  [rename]"."""
    from click.testing import CliRunner

    from app.cli import cli
    from tests.conftest import ALICE

    repo = make_repo("empty")
    repo.commit("base", {"app.py": "x = 1\n"}, author=ALICE)
    repo.branch("feature")
    repo.commit("feature", {"pkg/__init__.py": "", "pkg/sub/__init__.py": ""}, branch="feature", author=ALICE)
    done = CliRunner(env={"COLUMNS": "120"}).invoke(cli, ["chunks", "feature", "--repo", str(repo.path)])
    assert "[no lines]" in done.stdout and "[rename]" not in done.stdout, done.stdout


def test_a_chunk_of_several_files_is_titled_after_its_biggest_code_file() -> None:
    """cobra's lint chunk was titled `.golangci.yml, Makefile and 11 more` with its Go code in "and 11
    more"; a chunk holding a new middleware module was titled after its test files."""
    blobs: dict[str, bytes] = {}
    files = [
        file_diff("README.md", "# x\n", "# x\n\nmore\n", blobs),
        file_diff("Makefile", "all:\n", "all:\n\tgo vet\n", blobs),
        file_diff("args.go", None, "package x\n\n" + "".join(f"var v{n} = {n}\n" for n in range(30)), blobs),
        file_diff("args_test.go", None, "package x\n\nvar t = 1\n", blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), order="path")
    assert_partition(plan, files)
    assert [c.title for c in plan.chunks] == ["args.go, Makefile and 2 more"]


def test_complexity_added_in_a_test_is_not_raised_by_the_tier_of_the_code_it_tests() -> None:
    """Test lines are read at the test rate whatever the tier, but the complexity a new table test
    added was traced at the tier-0 multiplier of the code it tests: five minutes of a T0 premium."""
    from app.core.planner.model import ChunkConfig, content_floor

    config = ChunkConfig()
    lines = {("code", 0): 15, ("test", 0): 57}
    seconds, derivation = content_floor(lines, 8, config, test_complexity=5)
    assert "+3 CC x 10s x1.5 = +45s" in derivation and "+5 test CC x 10s = +50s" in derivation
    assert seconds == content_floor(lines, 0, config)[0] + 45 + 50


def test_a_test_split_from_its_module_is_not_said_to_be_reviewed_with_it() -> None:
    """'command_test.go is reviewed with command.go' was the note of a chunk without command.go."""
    blobs: dict[str, bytes] = {}
    files = [
        file_diff("pay/retry.py", None, program([(f"f{n}", 30, 0) for n in range(12)]), blobs),
        file_diff("pay/test_retry.py", None, program([(f"test_{n}", 30, 0) for n in range(8)]), blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=300), order="path")
    assert_partition(plan, files)
    test_chunks = [c for c in plan.chunks if "pay/test_retry.py" in c.files]
    assert test_chunks and all("pay/retry.py" not in c.files for c in test_chunks)
    notes = [n for c in test_chunks for n in c.notes]
    assert "pay/test_retry.py tests pay/retry.py, which is in another chunk" in notes
    assert not any("is reviewed with" in n for n in notes)


def test_a_module_and_its_test_stay_in_one_chunk_when_they_fit_one() -> None:
    """cobra's command.go (263 lines) and command_test.go (58) fit one chunk together, but the packing
    filled the first chunk with cobra.go, its test and command.go, and command_test.go went on alone."""
    blobs: dict[str, bytes] = {}
    files = [
        file_diff("pay/a.py", None, program([(f"a{n}", 20, 0) for n in range(9)]), blobs),
        file_diff("pay/test_a.py", None, program([(f"test_a{n}", 20, 0) for n in range(2)]), blobs),
        file_diff("pay/b.py", None, program([(f"b{n}", 20, 0) for n in range(4)]), blobs),
        file_diff("pay/test_b.py", None, program([(f"test_b{n}", 20, 0) for n in range(3)]), blobs),
    ]
    plan = build_plan(files, read_blob=blob_reader(blobs), config=ChunkConfig(target_lines=400), order="path")
    assert_partition(plan, files)
    assert_bound(plan, 400)
    where = {path: c.index for c in plan.chunks for path in c.files}
    assert where["pay/test_a.py"] == where["pay/a.py"] and where["pay/test_b.py"] == where["pay/b.py"], where


def test_a_git_lfs_pointer_says_what_it_stands_for(make_repo) -> None:
    """QA44 21o: a branch adding a 700 MB model tracked by Git LFS, in a clone without git-lfs, was a 3-line code
    chunk with a one-minute floor and no word of the object behind it."""
    from app.analysis.analyzer import Analyzer

    b = make_repo("lfs")
    b.commit("init", {"README.md": "# r\n"}, author=ALICE)
    b.branch("model")
    pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:" + "ab" * 32 + "\nsize 734003200\n")
    b.commit("Add weights", {"assets/weights.bin": pointer}, branch="model", author=ALICE)
    b.checkout()
    [chunk] = Analyzer(b.path).detail("model").plan.chunks
    assert ("assets/weights.bin: a Git LFS pointer to a 734.0 MB object stored outside git: its content is not "
            "reviewed here") in chunk.notes


def _plan_notes_of_a_branch_made_by_hand(make_repo, name: str, files: dict[str, str], edit) -> list[str]:
    """The plan notes of a branch whose one commit `edit(worktree)` makes by hand (what the builder cannot write:
    a mode change, a symbolic link), committed with git."""
    import subprocess

    from app.analysis.analyzer import Analyzer

    b = make_repo(name)
    b.commit("init", files, author=ALICE)
    b.checkout()
    git = ["git", "-C", str(b.path), "-c", "user.name=A", "-c", "user.email=a@x"]
    subprocess.run([*git, "checkout", "-q", "-b", name], check=True)
    edit(b.path)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", name], check=True)
    subprocess.run([*git, "checkout", "-q", "main"], check=True)
    return [note for chunk in Analyzer(b.path).detail(name).plan.chunks for note in chunk.notes]


def test_a_file_made_executable_says_so(make_repo) -> None:
    """QA44 21e: `chmod +x` on a module read "mode 100644 -> 1" once cut: that it can now be run is the news."""
    notes = _plan_notes_of_a_branch_made_by_hand(make_repo, "chmod", {"tool.py": "print('hi')\n"},
                                                 lambda root: (root / "tool.py").chmod(0o755))
    assert notes == ["tool.py: made executable (mode 100644 -> 100755): it can now be run as a program"]


def test_a_symbolic_link_out_of_the_repository_says_where_it_points(make_repo) -> None:
    """QA44 21h: a committed link to ../../etc/passwd read as a one-line text file, with no note."""
    import os

    def links(root: Path) -> None:
        (root / "conf").mkdir()
        os.symlink("../../etc/passwd", root / "conf" / "users")
        os.symlink("../README.md", root / "conf" / "readme")  # inside: no note

    notes = _plan_notes_of_a_branch_made_by_hand(make_repo, "links", {"README.md": "# r\n"}, links)
    assert ("conf/users: a symbolic link to ../../etc/passwd, outside the repository: what it points at is not in "
            "this change") in notes
    assert not any("conf/readme: a symbolic link" in n for n in notes)


def test_a_file_deleted_whole_is_skimmed_not_read_as_code() -> None:
    """QA46 #0e, QA47 #1: rich's deletion of the 543-line _cell_widths.py was 3 chunks and 1h05m at the code rate.
    Its lines are read at the removed rate; a deleted function inside a kept file is still code to read."""
    blobs: dict[str, bytes] = {}
    module = "".join(f"def f{k}(x):\n    return x + {k}\n\n" for k in range(181))  # 543 lines
    files = [file_diff("rich/_cell_widths.py", module, None, blobs),
             file_diff("rich/cells.py", "def a():\n    return 1\n\n\ndef b():\n    return 2\n",
                       "def a():\n    return 1\n", blobs)]
    plan = build_plan(files, read_blob=blob_reader(blobs))
    assert_partition(plan, files)
    gone = [c for c in plan.chunks if "rich/_cell_widths.py" in c.files]
    assert sum(s.changed_lines for c in gone for s in c.segments if s.path == "rich/_cell_widths.py") == 543
    assert all("removed lines at 2000/h" in c.floor_derivation for c in gone), [c.floor_derivation for c in gone]
    assert sum(c.floor_seconds for c in gone) < 20 * 60  # 16m 18s for the module (+ the kept file's 3 lines)
    kept = next(c for c in plan.chunks if "rich/cells.py" in c.files)
    assert "4 code lines T2 at 500/h" in kept.floor_derivation  # b deleted from a kept file: read


def test_committed_bytecode_is_one_binary_chunk_with_one_look() -> None:
    """QA49 #5 (openai-agents-python pull/9): deleting 404 committed .pyc files was 15 binary chunks, one per
    __pycache__/ directory at 15 s a file: 1h42m of floor for one clean-up decision."""
    files = [FileDiff("deleted", f"src/pkg{d}/__pycache__/m{k}.cpython-311.pyc", None, binary=True, old_mode=0o100644,
                      old_blob=f"{d}{k}".ljust(40, "0"))
             for d in range(3) for k in range(20)]
    files.append(FileDiff("added", None, "logo.png", binary=True, new_blob="f" * 40, new_mode=0o100644))
    plan = build_plan(files)
    [bytecode] = [c for c in plan.chunks if "compiled Python" in c.title]
    assert bytecode.kind == "binary" and len(bytecode.files) == 60
    assert bytecode.title == "Binary: compiled Python (60 .pyc files in 3 directories)"
    assert bytecode.floor_seconds == 30 and "0 added or changed, 60 deleted" in bytecode.notes[-1]
    assert [c.title for c in plan.chunks if c is not bytecode] == ["Binary: logo.png"]


def _module(name: str, functions: int, variant: int = 0) -> str:
    return program([(f"{name}_{k}", 3, variant if k == 0 else 0) for k in range(functions)])


def test_small_edits_of_one_tier_in_one_area_are_packed_into_one_chunk(make_repo) -> None:
    """QA49 #8: openai-agents-python pull/4087 had 28 chunks, 17 under 50 lines: 1- to 21-line edits in different
    src/agents/ modules, each a chunk, a decision and a one-minute floor. Small edits of one tier close together
    (one area of the tree: src/agents/, tests/) share a chunk up to the target; another area, another tier, a big
    file's definitions and a collapsed file stay as they were."""
    repo = make_repo("scattered")
    modules = {f"src/agents/{package}{name}.py": _module(name, 8)
               for package, name in (("tracing/", "processors"), ("memory/", "session"), ("sandbox/", "docker"),
                                     ("sandbox/util/", "tar_utils"), ("", "function_schema"))}
    big = program([(f"step_{k}", 30, 0) for k in range(30)])
    base = {**modules, "src/agents/run/loop.py": big, "src/payments/charge.py": _module("charge", 4),
            "src/agents/auth/keys.py": _module("keys", 4), "src/agents/db/drop.py": _module("drop", 4),
            "docs/guide.md": "# Guide\n\nText.\n", "tests/test_session.py": _module("test_session", 3),
            "tests/mcp/test_util.py": _module("test_util", 3), "uv.lock": "a\n"}
    repo.commit("base", base, author=DEV)
    repo.branch("feature")
    edits = {path: _module(path.rsplit("/", 1)[-1][:-3], 8, 1) for path in modules}
    edits["src/agents/run/loop.py"] = program([(f"step_{k}", 30, 1 if k < 20 else 0) for k in range(30)])
    edits["src/payments/charge.py"] = _module("charge", 4, 1)  # another area
    edits["src/agents/auth/keys.py"] = _module("keys", 4, 1)  # tier 0
    edits["src/agents/db/drop.py"] = _module("drop", 4, 1)  # destructive
    edits["docs/guide.md"] = "# Guide\n\nMore text.\n"
    edits["tests/test_session.py"] = _module("test_session", 3, 1)
    edits["tests/mcp/test_util.py"] = _module("test_util", 3, 1)
    edits["uv.lock"] = "b\n" * 40
    repo.commit("scattered small edits", edits, branch="feature", author=DEV)
    tiers = {"src/agents/auth/keys.py": 0, "tests/test_session.py": 3, "tests/mcp/test_util.py": 3}
    plan, files = plan_for(repo.path, "main", "feature", file_tiers=tiers, order="path",
                           destructive_paths=["src/agents/db/drop.py"])
    assert_partition(plan, files)
    assert_bound(plan, 400)
    titles = [c.title for c in plan.chunks]
    packed = next(c for c in plan.chunks if c.title.startswith("6 small edits in "))
    # session.py's test went with it (tests/test_session.py): the title says both areas
    assert packed.title == "6 small edits in src/agents/ and tests/"
    assert sorted(packed.files) == sorted([*modules, "tests/test_session.py"])
    assert packed.floor_seconds > ChunkConfig().min_seconds and packed.changed_lines < 100
    assert any("small edits packed into one chunk (each under 100 changed lines, tier 2, in src/agents/)" in note
               for note in packed.notes)
    assert "1 small edit" not in " ".join(titles)
    assert "src/payments/charge.py: charge_0" in titles  # another area (src/payments/): alone
    # a tier 0 or destructive edit is read on its own and leads the plan
    assert "src/agents/auth/keys.py: keys_0" in titles and "src/agents/db/drop.py: drop_0" in titles
    assert "tests/mcp/test_util.py: test_util_0" in titles  # tier 3: not with the tier 2 edits
    assert "docs/guide.md" in titles  # docs/ is another area
    assert any(t.startswith("src/agents/run/loop.py: step_") for t in titles)  # a big file keeps its own chunks
    assert "Collapsed: uv.lock" in titles
    # without packing, each small edit is a chunk and a decision of its own; the floor is the same lines at the same
    # rates (each chunk's floor is rounded down to whole seconds), now that no minimum of a minute pads each
    unpacked, _ = plan_for(repo.path, "main", "feature", file_tiers=tiers, order="path",
                           destructive_paths=["src/agents/db/drop.py"], config=ChunkConfig(pack_small_edits=False))
    assert len(unpacked.chunks) == len(plan.chunks) + 4
    assert abs(plan.total_floor_seconds - unpacked.total_floor_seconds) <= 4


def test_small_edits_pack_up_to_the_target_neighbours_in_the_tree_together() -> None:
    blobs: dict[str, bytes] = {}
    new = ["x = 1\n" + "".join(f"y{j} = {j + k}\n" for j in range(20)) for k in range(30)]  # 20 lines: small
    files = [file_diff(f"src/agents/m{k:02}/mod.py", "x = 1\n", new[k], blobs) for k in range(30)]
    plan = build_plan(files, read_blob=blob_reader(blobs), order="path", config=ChunkConfig(target_lines=100))
    assert_partition(plan, files)
    assert [c.changed_lines for c in plan.chunks] == [100] * 6  # edits under a quarter of the target, packed to it
    assert plan.chunks[0].files == [f"src/agents/m{k:02}/mod.py" for k in range(5)]
    assert plan.chunks[0].title == "5 small edits in src/agents/"


def test_a_file_that_is_one_huge_literal_is_collapsed_as_data_and_the_plan_says_so(make_repo) -> None:
    """QA49 #14d: a 120,000-line dict literal with no definitions was cut at line edges into 301 identical chunk
    rows, a 240-hour floor. Values only (strings, numbers, brackets) past five chunks' lines are data written as
    code: one collapsed chunk, skimmed, and a plan note says how much of the change it is. Code of the same size
    (assignments), and the same literal in a tier 0 path, are still read."""
    rows = "".join(f'    "key_{k:05d}": {{"name": "item {k}", "weight": {k / 7:.4f}, "tags": ["a", "b"]}},\n'
                   for k in range(2_100))
    literal = f'"""Lookup table."""\n\nTABLE = {{\n{rows}}}\n'
    code = "".join(f"value_{k} = compute({k})\n" for k in range(2_100))
    repo = make_repo("literal")
    repo.commit("base", {"src/agents/schema.py": "x = 1\n"}, author=DEV)
    repo.branch("feature")
    repo.commit("table", {"src/agents/table.py": literal, "src/agents/schema.py": "x = 2\n",
                          "src/agents/steps.py": code, "payments/rates.py": literal}, branch="feature", author=DEV)
    plan, files = plan_for(repo.path, "main", "feature", file_tiers={"payments/rates.py": 0}, order="path")
    assert_partition(plan, files)
    table = [c for c in plan.chunks if "src/agents/table.py" in c.files]
    assert len(table) == 1 and table[0].kind == "collapsed" and table[0].files == ["src/agents/table.py"]
    assert table[0].floor_seconds == ChunkConfig().collapsed_seconds
    assert any("2,104 changed lines of literal values, no definitions (data written as code): collapsed as data, "
               "not cut into 6 chunks" in note for note in table[0].notes)
    assert [note.split(":")[0] for note in plan.notes] == ["src/agents/table.py is 33% of this change"]
    assert "mark it generated" in plan.notes[0]
    assert sum(1 for c in plan.chunks if "src/agents/steps.py" in c.files) >= 5  # code: read
    assert sum(1 for c in plan.chunks if "payments/rates.py" in c.files) >= 5  # tier 0: read in full


@st.composite
def scattered_edits(draw: st.DrawFn) -> tuple[list[FileDiff], dict[str, int]]:
    """Many files of a few changed lines each, in nearby directories, of random tiers."""
    files, tiers = [], {}
    for f in range(draw(st.integers(1, 14))):
        lines = [DiffLine("+", None, k + 1, f"line {f} {k}") for k in range(draw(st.integers(1, 12)))]
        path = f"{draw(st.sampled_from(['src/a', 'src/a/b', 'src/c', 'tests', 'tests/x', '']))}/f{f}.txt".lstrip("/")
        fd = FileDiff("modified", path, path, hunks=[Hunk(1, 0, 1, len(lines), "", lines)])
        fd.additions = len(lines)
        files.append(fd)
        tiers[path] = draw(st.sampled_from([0, 2, 2, 2, 3]))
    return files, tiers


@settings(max_examples=100, deadline=None)
@given(scattered_edits(), st.integers(40, 200))
def test_packed_small_edits_are_whole_files_of_one_tier_within_the_target(
        change: tuple[list[FileDiff], dict[str, int]], target: int) -> None:
    files, file_tiers = change
    plan = build_plan(files, config=ChunkConfig(target_lines=target), file_tiers=file_tiers)
    assert_partition(plan, files)
    assert_bound(plan, target)
    for chunk in plan.chunks:
        if " small edit" not in chunk.title:
            continue
        assert chunk.changed_lines <= target and len(chunk.files) > 1
        # one tier (a directory's chunk may hold several: its least), never tier 0
        assert chunk.tier > 0 and all(file_tiers[path] >= chunk.tier for path in chunk.files)
        for path in chunk.files:  # whole files: none of a packed file's lines is in another chunk
            whole = next(fd.changed_lines for fd in files if fd.path == path)
            assert sum(s.changed_lines for s in chunk.segments if s.path == path) == whole
            assert whole < target // 4


def _rust_fn(name: str, branches: int, test: bool = False) -> str:
    body = "".join(f"    if x == {i} {{\n        return {i};\n    }}\n" for i in range(branches))
    head = "#[test]\n" if test else ""
    return f"{head}fn {name}(x: i32) -> i32 {{\n{body}    x\n}}\n"


def test_rust_unit_tests_in_the_source_file_are_test_lines(make_repo) -> None:
    """QA50 #3: Rust keeps its unit tests in the file it tests (`#[cfg(test)] mod tests`); uv's link.rs had 347
    lines of them floored as code, their +31 CC in the code's complexity and code_size, and a chunk mixing
    production functions with test functions. They are test lines: the test rate and test CC, left out of
    complexity_added and code_size, and chunked apart from the code when the file is cut."""
    from app.analysis.analyzer import Analyzer

    b = make_repo("rust")
    b.commit("init", {"src/link.rs": "fn keep() -> i32 {\n    1\n}\n",
                      ".review-tui.toml": "[chunks]\ntarget_lines = 60\n"}, author=ALICE)
    b.branch("tests-inside")
    code = "".join(_rust_fn(f"prod_{n}", 3) for n in range(3))  # 3 x 12 lines, CC 4 each
    tests = "".join(_rust_fn(f"test_{n}", 2, test=True) for n in range(4))  # 4 x 10 lines, CC 3 each
    text = ("fn keep() -> i32 {\n    1\n}\n" + code + "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n"
            + tests + "}\n")
    b.commit("Add link", {"src/link.rs": text}, branch="tests-inside", author=ALICE)
    b.checkout()
    detail = Analyzer(b.path).detail("tests-inside")
    assert detail.complexity["src/link.rs"].complexity_added == 24
    assert detail.complexity["src/link.rs"].test_complexity_added == 12
    assert detail.assessment.complexity.added == 12  # the code's alone
    explained = {f.name: f.explanation for f in detail.risk.factors}
    assert explained["code_size"].startswith("37 changed lines in source files"), explained["code_size"]
    chunks = detail.plan.chunks
    test_chunks = [c for c in chunks if c.title.startswith("src/link.rs: tests")]
    assert test_chunks, [c.title for c in chunks]
    for chunk in chunks:
        in_tests = chunk in test_chunks
        assert ("code lines" in chunk.floor_derivation) != in_tests, (chunk.title, chunk.floor_derivation)
        assert ("test lines" in chunk.floor_derivation) == in_tests, (chunk.title, chunk.floor_derivation)
    assert sum(int(c.floor_derivation.split(" test lines")[0].rsplit(" ", 1)[-1]) for c in test_chunks) == 45
    assert any("test CC" in c.floor_derivation for c in test_chunks)
    # the plan's kind column (TUI and `chunks`) says what a test file's chunk says: `test`, not `code`
    for chunk in chunks:
        assert chunk.kind_label == ("test" if chunk in test_chunks else "code"), (chunk.title, chunk.kind_label)
        assert chunk.kind == "code"  # the line chunk it is (--json), read at the test rate
        assert type(chunk).from_dict(chunk.to_dict()).kind_label == chunk.kind_label  # as the cache keeps it


def test_a_tree_added_with_its_own_licence_is_proposed_as_vendored(make_repo) -> None:
    """QA50 #4: uv pull/19743 copied mimalloc (its own LICENSE) into a crate: 73 code chunks, a 57-hour floor, and its
    upstream complexity in the score. A directory the change adds with its own licence is one collapsed chunk with
    one skim's floor, left out of the risk, and a note says how to mark it; a new package of the project's own (its
    manifest added beside its licence) is read as code."""
    from app.analysis.analyzer import Analyzer

    b = make_repo("vendored")
    b.commit("init", {"src/lib.rs": "fn keep() -> i32 {\n    1\n}\n"}, author=ALICE)
    b.branch("vendor-it")
    c_source = "".join(f"int f{n}(int x) {{\n    if (x > {n}) {{\n        return x;\n    }}\n    return {n};\n}}\n"
                       for n in range(120))  # 720 lines, 240 CC
    b.commit("Vendor mimalloc", {"crates/alloc/mimalloc/LICENSE": "MIT License\n\nCopyright (c) Microsoft\n",
                                 "crates/alloc/mimalloc/src/alloc.c": c_source,
                                 "crates/alloc/mimalloc/src/init.c": c_source.replace("int f", "int g"),
                                 "crates/alloc/mimalloc/include/mimalloc.h": "int f0(int x);\n",
                                 "newpkg/LICENSE": "MIT\n", "newpkg/Cargo.toml": "[package]\nname = \"newpkg\"\n",
                                 "newpkg/src/lib.rs": "pub fn hello() -> i32 {\n    2\n}\n",
                                 "src/lib.rs": "fn keep() -> i32 {\n    2\n}\n"},
             branch="vendor-it", author=ALICE)
    b.checkout()
    detail = Analyzer(b.path).detail("vendor-it")
    vendored = [c for c in detail.plan.chunks if c.title.startswith("Vendored? crates/alloc/mimalloc/")]
    assert len(vendored) == 1, [c.title for c in detail.plan.chunks]
    [chunk] = vendored
    assert sorted(chunk.files) == ["crates/alloc/mimalloc/LICENSE", "crates/alloc/mimalloc/include/mimalloc.h",
                                   "crates/alloc/mimalloc/src/alloc.c", "crates/alloc/mimalloc/src/init.c"]
    assert chunk.floor_derivation.startswith("one vendored tree: one skim"), chunk.floor_derivation
    assert any("`crates/alloc/mimalloc/** linguist-vendored`" in note for note in chunk.notes), chunk.notes
    assert not any("mimalloc" in path for c in detail.plan.chunks if c is not chunk for path in c.files)
    assert any("newpkg/src/lib.rs" in c.files and c.kind == "code" for c in detail.plan.chunks)
    assert detail.assessment.complexity.added < 10  # mimalloc's 480 CC is not the change's


_C_SOURCE = "".join(f"int f{n}(int x) {{\n    if (x > {n}) {{\n        return x;\n    }}\n    return {n};\n}}\n"
                    for n in range(40))  # 240 lines, 80 CC


@pytest.mark.parametrize("attribute", ["linguist-vendored=false", "-linguist-vendored"])
def test_a_gitattributes_at_the_head_says_a_licensed_tree_is_the_projects_own(make_repo, attribute: str) -> None:
    """QA: a wrong vendored guess could not be undone: a directory the change adds with its own LICENSE was one
    "Vendored?" skim left out of the risk whatever the project said. linguist's override at the change's head,
    `path/** linguist-vendored=false` (or `-linguist-vendored`), makes it code again: read line by line and in the
    risk, as GitHub reads it; `vendor/**` too. What a head says is vendored still counts only from the base."""
    from app.analysis.analyzer import Analyzer

    b = make_repo("own")
    b.commit("init", {"src/lib.rs": "fn keep() -> i32 {\n    1\n}\n",
                      ".gitattributes": "legacy/** linguist-vendored\n"}, author=ALICE)
    b.branch("own-allocator")
    b.commit("Our allocator", {"crates/alloc/ouralloc/LICENSE": "MIT License\n\nCopyright (c) us\n",
                               "crates/alloc/ouralloc/src/alloc.c": _C_SOURCE,
                               "vendor/ours/pool.c": _C_SOURCE.replace("int f", "int p"),
                               "legacy/old.c": _C_SOURCE.replace("int f", "int l"),
                               "hidden/more.c": _C_SOURCE.replace("int f", "int h"),
                               ".gitattributes": (f"legacy/** linguist-vendored\ncrates/alloc/ouralloc/** {attribute}\n"
                                                  f"vendor/** {attribute}\nhidden/** linguist-vendored\n")},
             branch="own-allocator", author=ALICE)
    b.checkout()
    detail = Analyzer(b.path).detail("own-allocator")
    chunks = detail.plan.chunks
    assert not [c.title for c in chunks if c.title.startswith("Vendored?")]
    code = {path for c in chunks if c.kind == "code" for path in c.files}
    assert {"crates/alloc/ouralloc/src/alloc.c", "vendor/ours/pool.c", "hidden/more.c"} <= code, code
    assert detail.assessment.complexity.added >= 3 * 80  # the three are the change's own, in its risk
    # the base's word that legacy/ is vendored still holds; the head's own `linguist-vendored` is not taken
    [legacy] = [c for c in chunks if "legacy/old.c" in c.files]
    assert legacy.kind == "collapsed" and any("base's .gitattributes" in n for n in legacy.notes), legacy.notes


def test_a_vendored_guess_says_how_to_undo_it(make_repo) -> None:
    from app.analysis.analyzer import Analyzer

    b = make_repo("guess")
    b.commit("init", {"src/lib.rs": "fn keep() -> i32 {\n    1\n}\n"}, author=ALICE)
    b.branch("copy")
    b.commit("Copy", {"third/lib/LICENSE": "MIT\n", "third/lib/a.c": _C_SOURCE}, branch="copy", author=ALICE)
    b.checkout()
    [chunk] = [c for c in Analyzer(b.path).detail("copy").plan.chunks if c.title.startswith("Vendored?")]
    assert any("`third/lib/** -linguist-vendored`" in note for note in chunk.notes), chunk.notes


def test_a_use_by_bare_name_joins_only_a_definition_of_its_own_language_and_never_a_tests_helper(make_repo) -> None:
    """QA50 #5: on uv, ci.yml's `apple-native` feature was taken for a use of keyring.rs's `fn native()` (a T1
    workflow pulled into a Rust chunk), and lib.rs's `commands::auth_set` for a use of the `auth_set` helper of
    tests/it/common/mod.rs, and a doc comment's or a message's `--keyring-provider native` for a use of `native()`.
    A Rust definition still joins the Rust file that uses it."""
    from app.analysis.analyzer import Analyzer

    b = make_repo("names")
    b.commit("init", {"README.md": "# r\n"}, author=ALICE)
    b.branch("links")
    b.commit("Keyring and auth", {
        "crates/auth/src/keyring.rs": "pub fn native() -> i32 {\n    1\n}\n",
        ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n      - run: cargo test --features apple-native\n",
        "crates/uv/tests/it/common/mod.rs": "pub fn auth_set() -> i32 {\n    2\n}\n",
        "crates/uv/src/lib.rs": "fn run() -> i32 {\n    commands::auth_set()\n}\n",
        "crates/store/src/backoff.rs": "pub fn compute_backoff(n: i32) -> i32 {\n    n * 2\n}\n",
        "crates/client/src/retry.rs": "fn retry() -> i32 {\n    compute_backoff(3)\n}\n",
        "crates/cli/src/help.rs": "/// Only `--keyring-provider native` for now.\nfn help() -> &'static str {\n"
                                  "    \"`--keyring-provider native` is required\"\n}\n",
    }, branch="links", author=ALICE)
    b.checkout()
    notes = [note for chunk in Analyzer(b.path).detail("links").plan.chunks for note in chunk.notes]
    together = [note for note in notes if "reviewed together" in note]
    assert together == ["crates/client/src/retry.rs uses compute_backoff, defined in crates/store/src/backoff.rs: "
                        "reviewed together"], together


def test_a_ruby_class_in_a_namespace_defines_its_own_name_not_the_namespace(make_repo) -> None:
    """maybe-finance/maybe pr/2449: `class Valuation::Name` was read as a definition of Valuation, and account.rb
    "uses Valuation, defined in app/models/valuation/name.rb" (Valuation is valuation.rb's); `def self.build` defined
    `self`. The namespaced class defines Name, which the rake helper does use."""
    from app.analysis.analyzer import Analyzer

    b = make_repo("ledger")
    b.commit("init", {"app/models/valuation.rb": "class Valuation\n  def kind\n    1\n  end\nend\n"}, author=ALICE)
    b.branch("names")
    b.commit("Valuation names", {
        "app/models/valuation/name.rb": "class Valuation::Name\n  def self.build(kind)\n    new(kind)\n  end\nend\n",
        "app/models/account.rb": "class Account\n  def anchor\n    Valuation.new(self)\n  end\nend\n",
        "lib/tasks/names.rb": "class Names\n  def label\n    Valuation::Name.build(1)\n  end\nend\n",
    }, branch="names", author=ALICE)
    b.checkout()
    notes = [note for chunk in Analyzer(b.path).detail("names").plan.chunks for note in chunk.notes]
    together = [note for note in notes if "reviewed together" in note]
    assert together == ["lib/tasks/names.rb uses Name, defined in app/models/valuation/name.rb: reviewed together"], \
        together


def test_a_licence_added_to_a_directory_the_base_has_collapses_nothing(make_repo) -> None:
    """A LICENSE added beside new files of the project's own (its directory already in the base) is no tree copied
    in: taken for one, it would have put those files in one 30-second skim, out of the risk score."""
    from app.analysis.analyzer import Analyzer

    b = make_repo("licence-beside-own-code")
    b.commit("init", {"src/app/views.py": "def index():\n    return 1\n"}, author=ALICE)
    b.branch("sneaky")
    handler = "".join(f"def handle_{n}(request):\n    if request.user:\n        return {n}\n    return None\n\n\n"
                      for n in range(40))
    b.commit("Add handlers", {"src/app/LICENSE": "MIT License\n", "src/app/handlers.py": handler},
             branch="sneaky", author=ALICE)
    b.checkout()
    detail = Analyzer(b.path).detail("sneaky")
    assert not any(c.title.startswith("Vendored?") for c in detail.plan.chunks), [c.title for c in detail.plan.chunks]
    assert any("src/app/handlers.py" in c.files and c.kind == "code" for c in detail.plan.chunks)
    assert detail.assessment.complexity.added >= 40  # its complexity counts


def _ts_tests(describes: int, its: int, lines_per_it: int) -> str:
    """A TypeScript test file: `describes` top-level describe blocks of `its` it blocks each."""
    out = ["import { validator } from './validator'", ""]
    for d in range(describes):
        out.append(f"describe('Validator {d}: v.json()', () => {{")
        for k in range(its):
            out.append(f"  it('Should be valid - case {d}.{k}', async () => {{")
            out += [f"    expect(await validator.check({d}, {k}, {n})).toBe(true)" for n in range(lines_per_it)]
            out.append("  })")
        out += ["})", ""]
    return "\n".join(out) + "\n"


def test_files_deleted_whole_are_one_decision_per_directory_cut_only_at_top_level_definitions(make_repo) -> None:
    """QA51 #12: hono pull/743 deleted src/validator/ (validator.ts 509 lines, validator.test.ts 1,018 ...) and
    src/middleware/validator/: 8 chunks of ~400 lines cut at arbitrary lines, a test split mid-`it(`, titled
    `(anonymous)#30 and 27 more`. A deletion is skimmed (2,000 lines/h): the files deleted whole of one directory
    are one chunk up to one sitting's skim, apart from the edits; a larger file is cut at its top-level definitions
    only, and the pieces are named by their describe/it text."""
    repo = make_repo("deleted")
    module = "".join(f"export function rule{k}(value: string): boolean {{\n  return value.length > {k}\n}}\n\n"
                     for k in range(120))  # 480 lines
    huge = _ts_tests(8, 10, 30)  # 8 top-level describes of 323 lines: 2,586 lines
    repo.commit("base", {"src/validator/validator.ts": module,
                         "src/validator/validator.test.ts": _ts_tests(3, 10, 30),
                         "src/middleware/validator/middleware.test.ts": huge,
                         "src/hono.ts": program([("route", 4, 0)])}, author=DEV)
    repo.branch("remove")
    gone = dict.fromkeys(["src/validator/validator.ts", "src/validator/validator.test.ts",
                          "src/middleware/validator/middleware.test.ts"])
    repo.commit("remove the old validator", {**gone, "src/hono.ts": program([("route", 4, 1)])}, branch="remove",
                author=DEV)
    plan, files = plan_for(repo.path, "main", "remove")
    assert_partition(plan, files)
    titles = [c.title for c in plan.chunks]
    whole = next(c for c in plan.chunks if "src/validator/validator.ts" in c.files)
    # the module and its 1,000-line test: one chunk, one decision, skimmed
    assert whole.title == "Deleted: src/validator/: validator.ts and validator.test.ts", titles
    assert whole.changed_lines == 480 + 971 and not whole.oversized
    assert whole.floor_derivation.startswith("1451 removed lines at 2000/h")
    paired = "src/validator/validator.test.ts is reviewed with src/validator/validator.ts, the code it tests"
    assert paired in whole.notes
    # the kept file's edit is a chunk of its own, read as code
    assert "src/hono.ts" in titles
    # the 2,586-line test: cut only where a top-level describe ends, each piece named by its describe text
    pieces = [c for c in plan.chunks if c.files == ["src/middleware/validator/middleware.test.ts"]]
    assert len(pieces) == 2 and all(c.changed_lines <= 2000 for c in pieces)
    describe_starts = {n + 1 for n, line in enumerate(huge.splitlines()) if line.startswith("describe(")}
    for piece in pieces[1:]:
        assert piece.line_ranges[0].start in describe_starts
    assert pieces[0].title.startswith('Deleted: src/middleware/validator/middleware.test.ts: describe("Validator 0: '
                                      'v.json()") and ')
    assert all("(anonymous)" not in title for title in titles)
    assert sum(c.floor_seconds for c in pieces) == pytest.approx(2586 / 2000 * 3600, abs=2)


def test_a_test_of_a_generic_name_pairs_only_beside_its_module_or_with_what_it_imports(make_repo) -> None:
    """QA51 #11: hono names nearly every module index.ts, and a test was paired with the changed module of its stem
    nearest in the tree at any distance: runtime-tests/lambda-edge/index.test.ts was "reviewed with
    src/jsx/hooks/index.ts, the code it tests". A test named index, mod, main, utils ... is a module's when it sits
    beside it (its directory, `__tests__/`, the mirrored tests/ path) or imports it; other names pair as before."""
    repo = make_repo("generic")
    ts = "export const value = {n}\n"
    base = {"src/jsx/hooks/index.ts": ts.format(n=1), "src/middleware/cors/index.ts": ts.format(n=1),
            "src/middleware/cors/index.test.ts": "import { value } from '.'\n",
            "src/router/index.ts": ts.format(n=1), "src/router/__tests__/index.test.ts": "import '../index'\n",
            "src/helper/html/index.ts": ts.format(n=1),
            "runtime-tests/html/index.test.ts": "import { html } from '../../src/helper/html'\n",
            "runtime-tests/lambda-edge/index.test.ts": "import { handle } from '../../src/adapter/lambda-edge'\n",
            "pkg/a/utils.py": "A = 1\n", "pkg/b/utils.py": "B = 1\n",
            "tests/test_utils.py": "from pkg.b.utils import B\n", "payments/retry.py": "R = 1\n",
            "tests/test_retry.py": "def test_r():\n    assert True\n"}
    repo.commit("base", base, author=DEV)
    repo.branch("feature")
    edits = {path: text.replace("1", "2") + "// edited\n" if path.endswith(".ts") else text + "X = 2\n"
             for path, text in base.items()}
    repo.commit("edit everything", edits, branch="feature", author=DEV)
    plan, files = plan_for(repo.path, "main", "feature")
    assert_partition(plan, files)
    notes = {note for chunk in plan.chunks for note in chunk.notes if "the code it tests" in note or " tests " in note}
    tested = {note.split(" is reviewed with " if " is reviewed with " in note else " tests ")[0]:
              note.split(" is reviewed with " if " is reviewed with " in note else " tests ")[1].split(",")[0]
              for note in notes}
    assert tested == {
        "src/middleware/cors/index.test.ts": "src/middleware/cors/index.ts",  # beside it
        "src/router/__tests__/index.test.ts": "src/router/index.ts",  # in __tests__/ beside it
        "runtime-tests/html/index.test.ts": "src/helper/html/index.ts",  # imports it
        "tests/test_utils.py": "pkg/b/utils.py",  # imports it (pkg/a/utils.py is as near)
        "tests/test_retry.py": "payments/retry.py",  # a name of its own: paired as before
    }, notes


def test_a_small_file_deleted_whole_stays_with_its_directorys_edits(make_repo) -> None:
    """Deleting a 14-line vitest.config.ts beside a 4-line test edit (hono pull/3556) stays one chunk: only a
    directory whose deleted files hold more lines than a chunk has them chunked apart."""
    repo = make_repo("small-delete")
    config = "".join(f"export const option{k} = {k}\n" for k in range(14))
    repo.commit("base", {"runtime-tests/bun/vitest.config.ts": config,
                         "runtime-tests/bun/index.test.tsx": "it('works', () => {\n  expect(1).toBe(1)\n})\n"},
                author=DEV)
    repo.branch("drop")
    edited = "it('works', () => {\n  expect(2).toBe(2)\n})\n"
    repo.commit("drop the config", {"runtime-tests/bun/vitest.config.ts": None,
                                    "runtime-tests/bun/index.test.tsx": edited}, branch="drop", author=DEV)
    plan, files = plan_for(repo.path, "main", "drop", file_tiers={"runtime-tests/bun/index.test.tsx": 3})
    assert_partition(plan, files)
    assert [sorted(c.files) for c in plan.chunks] == [["runtime-tests/bun/index.test.tsx",
                                                       "runtime-tests/bun/vitest.config.ts"]]
    assert not plan.chunks[0].title.startswith("Deleted")


def test_a_mirror_is_told_by_the_edits_it_repeats_not_by_its_name() -> None:
    """mirrors.py: the copy is the directory whose every changed file repeats the other's edit (lib/ keeps a
    test of its own), whatever it is called; a single small same edit is no evidence (left to
    _join_same_edits); a copy edited otherwise is no copy; suffixes, `/index` and case of relative imports
    aside, an import line is the same edit. One file pair is evidence from a quarter of the target's lines."""
    from app.core.planner.mirrors import mirror_copies

    blobs: dict[str, bytes] = {}
    body = "".join(f"export const f{i} = (a: number) => a + {i}\n" for i in range(100))
    files = [file_diff("lib/a.ts", "import { X } from './Util'\n", "import { X, Y } from './Util'\n" + body, blobs),
             file_diff("lib/a.test.ts", "", "test('a', () => 1)\n", blobs),
             file_diff("mirror/a.ts", "import { X } from './util.ts'\n", "import { X, Y } from './util/index.ts'\n"
                       + body, blobs),
             file_diff("pkg/one/x.ts", "a\n", "b\n", blobs), file_diff("pkg/two/x.ts", "a\n", "b\n", blobs),
             file_diff("lib/b.ts", "1\n", body, blobs), file_diff("mirror/b.ts", "1\n", body + "extra\n", blobs)]
    copies = mirror_copies(files)
    assert {path: (m.original, m.root, m.source, m.exact) for path, m in copies.items()} == {
        "mirror/a.ts": ("lib/a.ts", "mirror", "lib", False)}
    plan = build_plan(files)
    [collapsed] = [c for c in plan.chunks if c.kind == "collapsed"]
    assert collapsed.title == "Same edit as lib/a.ts: mirror/a.ts" and collapsed.files == ["mirror/a.ts"]
    assert all("mirror/a.ts" not in c.files for c in plan.chunks if c.kind == "code")


def test_a_reason_many_collapsed_files_share_is_said_once_naming_them() -> None:
    """QA54 F8: cline's 45 Jest snapshot files were one collapsed chunk with the same note 45 times ("+43 more
    notes"); the reason is said once, with the first files and how many more share it."""
    blobs: dict[str, bytes] = {}
    snap = "".join(f"exports[`prompt {k}`] = `line {k}`;\n" for k in range(30))
    files = [file_diff(f"src/core/__snapshots__/prompt{k:02d}.snap", None, snap, blobs) for k in range(5)]
    plan = build_plan(files, read_blob=blob_reader(blobs))
    assert_partition(plan, files)
    [chunk] = plan.chunks
    said = [note for note in chunk.notes if "collapsed" in note]
    assert said == ["src/core/__snapshots__/prompt00.snap, src/core/__snapshots__/prompt01.snap and 3 more files: "
                    "generated, vendored or lock file (matches '__snapshots__/'): collapsed"], chunk.notes
