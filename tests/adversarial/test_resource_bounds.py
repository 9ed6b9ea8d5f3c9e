"""Resource bounds: a huge blob, a change of thousands of files, a very long file.

The real CLI runs in a fresh subprocess (cache off: a cold analysis), and its peak RSS (children
included) is compared with a baseline run on a tiny repository in the same test session. Sizes
here are the small ones of bench/bench_memory.py (same code paths: the 25 MB blob is over the
20 MB summarising cap); `python bench/bench_memory.py` runs the full 200 MB / 50,000 files /
1,000,000 lines and prints the figures.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from app.core.git.repo import MAX_DIFF_BLOB_BYTES

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_memory.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_memory", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_memory", module)
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def baseline_mb(tmp_path_factory) -> float:
    repo = bench.build_tiny(tmp_path_factory.mktemp("tiny") / "repo")
    figures = bench.measure(repo)
    assert figures["returncode"] == 0, figures["stderr"]
    return figures["peak_mb"]


def test_big_blob_is_summarised_never_loaded(tmp_path: Path, baseline_mb: float) -> None:
    size_mb = bench.SMALL["blob_mb"]
    assert size_mb * 1024 * 1024 > MAX_DIFF_BLOB_BYTES  # the case must exercise the cap
    repo = bench.build_big_blob(tmp_path / "repo", size_mb)
    figures = bench.measure(repo)
    assert figures["returncode"] == 0, figures["stderr"]
    # Loading the blob once would cost its full size (inflating it, about twice): stay well under.
    grown = figures["peak_mb"] - baseline_mb
    assert grown < size_mb * 0.5, f"peak grew by {grown:.1f} MB for a {size_mb} MB blob"
    (change,) = figures["data"]
    assert change["error"] is None and change["binary_files"] == 1  # summarised, not diffed
    assert change["lines_added"] < 10  # the big file's lines are not counted one by one


def test_thousands_of_files_complete_with_bounded_memory(tmp_path: Path, baseline_mb: float) -> None:
    count = bench.SMALL["files"]
    repo = bench.build_many_files(tmp_path / "repo", count)
    figures = bench.measure(repo)
    assert figures["returncode"] == 0, figures["stderr"]
    (change,) = figures["data"]
    assert change["files"] == count and change["lines_added"] == count and change["lines_deleted"] == count
    # measured about +14 MB for 5,000 files: a budget of 20 KB a file leaves room, not a leak
    grown = figures["peak_mb"] - baseline_mb
    assert grown < count * 20 / 1024, f"peak grew by {grown:.1f} MB for {count} files"
    assert figures["seconds"] < 60


def test_very_long_file_completes_with_bounded_memory(tmp_path: Path, baseline_mb: float) -> None:
    lines = bench.SMALL["lines"]
    repo = bench.build_long_file(tmp_path / "repo", lines)
    figures = bench.measure(repo)
    assert figures["returncode"] == 0, figures["stderr"]
    (change,) = figures["data"]
    assert change["lines_added"] == lines and change["chunks"] >= 1
    # measured about +56 MB for 200,000 lines (the diff lines themselves): 1 KB a line is the budget
    grown = figures["peak_mb"] - baseline_mb
    assert grown < lines / 1024, f"peak grew by {grown:.1f} MB for {lines:,} lines"
    assert figures["seconds"] < 60
