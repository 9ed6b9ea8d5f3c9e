"""Smoke test of the benchmarks in bench/: the large-repo generator and the `list` benchmark's
measuring function, at a tiny size. Benchmarks report times and ratios; nothing here asserts a time."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pygit2
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
TINY = {"files": 6, "lines": 150, "branches": 3}


def _bench_module(name: str) -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # bench_list imports gen_large_repo as a sibling
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return _bench_module("gen_large_repo")


@pytest.fixture(scope="module")
def tiny_repo(gen, tmp_path_factory) -> Path:
    return gen.ensure_repo(tmp_path_factory.mktemp("bench") / "repo", gen.Size(**TINY), quiet=True)


def _branch_heads(path: Path) -> dict[str, str]:
    repo = pygit2.Repository(str(path))
    return {name: str(repo.lookup_reference(name).target) for name in repo.references if name.startswith("refs/heads/")}


def test_generator_builds_branches_and_a_huge_change_of_valid_python(gen, tiny_repo):
    heads = _branch_heads(tiny_repo)
    assert len(heads) == TINY["branches"] + 2  # main, the feature branches, the huge one
    assert f"refs/heads/{gen.HUGE_BRANCH}" in heads
    repo = pygit2.Repository(str(tiny_repo))
    seen: set[str] = set()

    def python_blobs(tree: pygit2.Tree):
        for entry in tree:
            obj = repo[entry.id]
            if isinstance(obj, pygit2.Tree):
                yield from python_blobs(obj)
            elif entry.name.endswith(".py") and str(entry.id) not in seen:
                seen.add(str(entry.id))
                yield entry.name, obj.data

    functions = 0
    for name in heads:
        for path, data in python_blobs(repo.lookup_reference(name).peel(pygit2.Commit).tree):
            tree = ast.parse(data, path)  # generated code must parse: radon and the chunker read it
            functions += sum(isinstance(node, ast.FunctionDef) for node in ast.walk(tree))
    assert functions > 50
    main = repo.lookup_reference("refs/heads/main").peel(pygit2.Commit)
    huge = repo.lookup_reference(f"refs/heads/{gen.HUGE_BRANCH}").peel(pygit2.Commit)
    stats = repo.diff(main, huge).stats
    assert stats.insertions + stats.deletions >= 600  # the scaled-down "30,000-line" change


def test_generator_is_deterministic_and_reuses_a_current_build(gen, tiny_repo, tmp_path):
    again = gen.ensure_repo(tmp_path / "again", gen.Size(**TINY), quiet=True)
    assert _branch_heads(again) == _branch_heads(tiny_repo)  # same arguments, same commit ids
    sentinel = again / ".git" / "sentinel"
    sentinel.write_text("kept")
    gen.ensure_repo(again, gen.Size(**TINY), quiet=True)
    assert sentinel.exists()  # reused, not rebuilt
    gen.ensure_repo(again, gen.Size(TINY["files"], TINY["lines"], TINY["branches"] + 1), quiet=True)
    assert not sentinel.exists()  # other arguments: rebuilt
    assert len(_branch_heads(again)) == TINY["branches"] + 3


def test_list_benchmark_measures_baseline_cold_and_warm(tiny_repo):
    bench_list = _bench_module("bench_list")
    lines: list[str] = []
    results = bench_list.measure(tiny_repo, warm_runs=1, log=lines.append)
    assert results.changes == results.listed == TINY["branches"] + 1
    assert results.python_versions >= results.unique_blobs > 0
    assert results.radon_invocations >= 1
    assert results.baseline_seconds > 0 and results.cold_seconds > 0 and results.cold_ratio > 0
    assert len(results.warm_seconds) == len(results.startup_seconds) == 1
    table = bench_list.table(results)
    for row in ("baseline total", "cold / baseline", "warm `list --json`", "python -c pass", "warm / startup"):
        assert row in table
    assert any("radon cc" in line for line in lines)


def test_batches_split_long_command_lines():
    bench_list = _bench_module("bench_list")
    args = [f"/tmp/some/long/path/file_{i:06d}.py" for i in range(200_000)]
    batches = bench_list._batches(["radon", "cc"], args)
    assert len(batches) > 1
    assert [a for batch in batches for a in batch[2:]] == args  # every file once, in order
    assert all(batch[:2] == ["radon", "cc"] for batch in batches)


def test_generator_never_deletes_a_folder_it_did_not_build(gen, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        gen.ensure_repo(precious, gen.Size(**TINY), quiet=True)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_warm_list_benchmark_measures_against_both_baselines(payments_repo, tmp_path):
    """bench_warm_list: one cold `list`, then the warm table and JSON with `python -c pass` and `git for-each-ref`
    beside them; the report names every row and both ratios (no time asserted)."""
    bench = _bench_module("bench_warm_list")
    lines: list[str] = []
    rows = bench.measure(payments_repo, tmp_path / "cache", runs=1, log=lines.append)
    assert [row.name for row in rows] == ["python -c pass", "git for-each-ref | wc -l", "after: warm `list`",
                                          "after: warm `list --json`"]
    assert all(len(row.wall) == len(row.cpu) == 1 for row in rows)
    printed = bench.report(rows)
    assert "cpu of python -c pass" in printed and "cpu of for-each-ref" in printed and "target <= 0.3 s" in printed


def test_effort_study_reads_the_density_order_as_calibrate_does():
    """bench/calibrate_effort.py measures other reading orders with its own recall at 20% of lines and Popt: on
    the density order they must be calibrate's (evaluate.py) figures, or its gains compare unlike things."""
    from app.core.calibration.evaluate import popt, recall_at_lines

    study = _bench_module("calibrate_effort")
    rows = [({"code_size": 1.0}, int(i % 7 == 0 or i % 11 == 3), 1, (i * 37) % 300) for i in range(200)]
    p = [((i * 13) % 17) / 20 + 0.01 for i in range(200)]
    case = study.Case(rows, p, rows, p)
    labels, lines = [r[1] for r in rows], [float(r[3]) for r in rows]
    got = study.effort_aware(study.density(case), labels, [study.effort(r) for r in rows])
    assert got["lines20"] == recall_at_lines(p, labels, lines)
    assert abs(got["popt"] - popt(p, labels, lines)) < 1e-12
    # reading every later-fixed change first, smallest first, is the optimal curve: Popt 1
    truth = [y / study.effort(r) for y, r in zip(labels, rows, strict=True)]
    assert study.effort_aware(truth, labels, [study.effort(r) for r in rows])["popt"] == 1.0
