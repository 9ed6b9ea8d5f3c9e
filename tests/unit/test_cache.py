"""The analysis cache on real SQLite files: round trips, threads, processes, and recovery from bad files."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.storage.cache import CACHE_MIGRATIONS, AnalysisCache
from app.storage.db import CACHE_APPLICATION_ID

BLOB = "blob-metrics"
CHANGE = "change-result"


def test_round_trip_and_persistence(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "analysis.db"
    with AnalysisCache.open(path) as cache:
        assert cache.persistent and cache.notice is None
        assert cache.get(BLOB, "radon-6:abc") is None
        cache.put(BLOB, "radon-6:abc", {"functions": [{"name": "pay", "cc": 7}], "lines": 120})
        cache.put_many(CHANGE, {"base..head:cfg1": {"score": 81.5}, "base..head:cfg2": {"score": 12}})
        cache.put_many(BLOB, [("radon-6:def", {"lines": 3})])
        cache.put(BLOB, "radon-6:def", {"lines": 4})  # replaces
        assert cache.get(BLOB, "radon-6:abc") == {"functions": [{"name": "pay", "cc": 7}], "lines": 120}
        assert cache.get(CHANGE, "radon-6:abc") is None  # kinds are separate namespaces
        assert cache.count(BLOB) == 2 and cache.count() == 4
    with AnalysisCache.open(path) as reopened:
        assert reopened.get_many(CHANGE, ["base..head:cfg1", "missing", "base..head:cfg2"]) == {
            "base..head:cfg1": {"score": 81.5},
            "base..head:cfg2": {"score": 12},
        }
        assert reopened.get(BLOB, "radon-6:def") == {"lines": 4}
        reopened.clear(CHANGE)
        assert reopened.count(CHANGE) == 0 and reopened.count(BLOB) == 2


def test_default_path_is_the_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_TUI_CACHE_DIR", str(tmp_path / "c"))
    with AnalysisCache.open() as cache:
        cache.put(BLOB, "k", 1)
    assert (tmp_path / "c" / "analysis.db").is_file()


def test_get_many_beyond_one_statements_parameter_limit(tmp_path: Path) -> None:
    with AnalysisCache.open(tmp_path / "analysis.db") as cache:
        cache.put_many(BLOB, {f"blob-{n}": n for n in range(2500)})
        found = cache.get_many(BLOB, [f"blob-{n}" for n in range(0, 3000, 2)])
        assert found == {f"blob-{n}": n for n in range(0, 2500, 2)}


def test_a_value_that_is_not_json_is_the_callers_error(tmp_path: Path) -> None:
    with AnalysisCache.open(tmp_path / "analysis.db") as cache:
        with pytest.raises(TypeError):
            cache.put(BLOB, "k", {"when": object()})
        with pytest.raises(ValueError):
            cache.put(BLOB, "k", float("nan"))
        assert cache.count() == 0 and cache.notice is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(min_size=0, max_size=30), value=json_values)
def test_any_json_value_round_trips(tmp_path: Path, key: str, value: object) -> None:
    with AnalysisCache.open(tmp_path / "analysis.db") as cache:
        cache.put(CHANGE, key, value)
        assert cache.get_many(CHANGE, [key]) == {key: value}


def test_worker_threads_share_one_cache(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with AnalysisCache.open(tmp_path / "analysis.db") as cache:

        def worker(number: int) -> None:
            try:
                for item in range(50):
                    key = f"{number}:{item}"
                    cache.put(BLOB, key, {"worker": number, "item": item})
                    assert cache.get(BLOB, key) == {"worker": number, "item": item}
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [] and cache.notice is None
        assert cache.count(BLOB) == 300


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.storage.cache import AnalysisCache
    with AnalysisCache.open(Path(sys.argv[1])) as cache:
        for item in range(150):
            cache.put("blob", f"{sys.argv[2]}:{item}", item)
        assert cache.notice is None, cache.notice
    """
)


def test_two_processes_write_the_same_cache(tmp_path: Path) -> None:
    path = tmp_path / "analysis.db"
    AnalysisCache.open(path).close()  # created first, so both writers find the schema in place
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], stderr=subprocess.PIPE, text=True)
        for name in ("one", "two")
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0, stderr
    with AnalysisCache.open(path) as cache:
        assert cache.count("blob") == 300
        assert cache.get("blob", "two:149") == 149


@pytest.mark.parametrize(
    "content", [b"garbage, not a database" * 100, b"SQLite format 3\x00" + b"\x00\xff" * 600]
)
def test_a_corrupt_cache_file_is_moved_aside_and_recreated(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "analysis.db"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="app.storage.cache"):
        cache = AnalysisCache.open(path)
    with cache:
        assert cache.persistent
        assert (
            cache.notice is not None
            and "was unreadable" in cache.notice
            and "moved it to analysis.db.corrupt-" in cache.notice
        )
        assert any("moved it to" in record.getMessage() for record in caplog.records)
        cache.put(BLOB, "k", [1, 2])
        assert cache.get(BLOB, "k") == [1, 2]
    [aside] = tmp_path.glob("analysis.db.corrupt-*")
    assert aside.read_bytes() == content  # kept for inspection, untouched
    with AnalysisCache.open(path) as again:
        assert again.get(BLOB, "k") == [1, 2] and again.notice is None


def test_corruption_found_while_reading_is_a_miss_then_recovered(tmp_path: Path) -> None:
    path = tmp_path / "analysis.db"
    with AnalysisCache.open(path) as cache:
        cache.put_many(BLOB, {f"blob-{n}": "x" * 200 for n in range(200)})  # several pages
    page_size = 4096
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * page_size
    data[page_size:] = b"\xa5" * (len(data) - page_size)  # keep the header page, ruin the table pages
    path.write_bytes(bytes(data))
    with AnalysisCache.open(path) as cache:
        assert cache.get(BLOB, "blob-1") is None  # a miss, not a crash
        assert cache.notice is not None and "is corrupt (database disk image is malformed)" in cache.notice
        cache.put(BLOB, "blob-1", "fresh")
        assert cache.get(BLOB, "blob-1") == "fresh"
    assert len(list(tmp_path.glob("analysis.db.corrupt-*"))) == 1


def test_a_cache_from_a_newer_version_is_left_alone_and_memory_is_used(tmp_path: Path) -> None:
    path = tmp_path / "analysis.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE entries_v9 (x)")
    conn.execute(f"PRAGMA user_version = {len(CACHE_MIGRATIONS) + 1}")
    conn.execute(f"PRAGMA application_id = {CACHE_APPLICATION_ID}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with AnalysisCache.open(path) as cache:
        assert not cache.persistent and cache.notice is not None and "newer review-tui" in cache.notice
        cache.put(BLOB, "k", 1)
        assert cache.get(BLOB, "k") == 1
    assert path.read_bytes() == before


def test_a_locked_cache_drops_writes_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "analysis.db"
    with AnalysisCache.open(path, timeout=0.2) as cache:
        cache.put(BLOB, "old", 1)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            cache.put(BLOB, "new", 2)  # waits 0.2 s, then gives up without raising
            assert cache.notice is not None and "locked" in cache.notice
            assert cache.get(BLOB, "old") == 1  # WAL: reads still work
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert cache.get(BLOB, "new") is None
        cache.put(BLOB, "new", 2)
        assert cache.get(BLOB, "new") == 2
    assert list(tmp_path.glob("analysis.db.corrupt-*")) == []
