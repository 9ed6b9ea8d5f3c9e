"""Complexity figures: agree with the radon CLI, measure other languages with lizard, never crash."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import lizard
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.metrics.complexity import (
    _LIZARD_LANGUAGES,
    ANALYZER_LIZARD,
    ANALYZER_RADON,
    ANALYZER_SIZE,
    ANALYZER_TREE_SITTER,
    MAX_ANALYSE_BYTES,
    ComplexityConfig,
    FileComplexity,
    FileMetrics,
    analyze_many,
    analyze_source,
    analyzer_for,
    compare,
    grade,
    language_of,
    python_by_lizard,
)
from app.core.settings import SectionReader
from app.errors import ConfigError

OLD_RETRY = '''"""Retry policies for outbound HTTP calls."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass


@dataclass
class RetryPolicy:
    """How often and how long to retry a failed call."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int) -> float:
        if attempt <= 0:
            return 0.0
        delay = self.base_delay * 2 ** (attempt - 1)
        return min(delay, self.max_delay)

    def should_retry(self, status: int, attempt: int) -> bool:
        if attempt >= self.attempts:
            return False
        return status >= 500 or status == 429

    def describe(self) -> str:
        parts = []
        for name in ("attempts", "base_delay", "max_delay"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name}={value}")
        return ", ".join(parts) if parts else "no retries"

    def delays(self) -> list[float]:
        def capped(attempt):
            return min(self.backoff(attempt), self.max_delay)
        return [capped(n) for n in range(1, self.attempts + 1) if n]


def legacy_delay(attempt):
    if attempt > 5:
        return 60
    return attempt * 2


def call_with_retry(func, policy, sleep=time.sleep):
    attempt = 0
    while True:
        attempt += 1
        try:
            return func()
        except ConnectionError as exc:
            status = getattr(exc, "status", 503)
            if not policy.should_retry(status, attempt):
                raise
            sleep(policy.backoff(attempt))


def jitter(delay, spread=0.1):
    def bounded(value):
        return max(0.0, value)
    return bounded(delay + random.uniform(-spread, spread) * delay)
'''

NEW_RETRY = '''"""Retry policies for outbound HTTP calls."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass


@dataclass
class RetryPolicy:
    """How often and how long to retry a failed call."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int, jitter: bool = False) -> float:
        if attempt <= 0:
            return 0.0
        delay = self.base_delay * 2 ** (attempt - 1)
        if jitter and delay < self.max_delay:
            delay = delay * random.uniform(0.5, 1.5)
        elif delay > self.max_delay:
            delay = self.max_delay
        return delay

    def should_retry(self, status: int, attempt: int) -> bool:
        if attempt >= self.attempts:
            return False
        return status >= 500 or status == 429

    def describe(self) -> str:
        return f"{self.attempts} attempts, {self.base_delay}s..{self.max_delay}s"

    def delays(self) -> list[float]:
        def capped(attempt):
            return min(self.backoff(attempt), self.max_delay)
        return [capped(n) for n in range(1, self.attempts + 1) if n]


def parse_retry_after(header: str | None) -> float | None:
    if not header:
        return None
    try:
        seconds = float(header)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def call_with_retry(func, policy, sleep=time.sleep, deadline=None):
    attempt = 0
    while True:
        attempt += 1
        try:
            return func()
        except ConnectionError as exc:
            status = getattr(exc, "status", 503)
            if not policy.should_retry(status, attempt):
                raise
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError("retry deadline passed") from exc
            sleep(policy.backoff(attempt))
        except TimeoutError:
            raise


def jitter(delay, spread=0.1):
    def bounded(value):
        if value < 0:
            return 0.0
        return value
    return bounded(delay + random.uniform(-spread, spread) * delay)
'''


def radon_cli(*args: str) -> Any:
    """Run the radon command line (the same radon the app uses) and parse its JSON."""
    done = subprocess.run([sys.executable, "-m", "radon", *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def flatten_cli_blocks(blocks: list[dict[str, Any]]) -> dict[str, tuple[int, str, int, int]]:
    """radon cc -j output as {qualified name: (complexity, rank, first line, last line)}.

    The CLI nests methods in their class and closures in their function; it also repeats each
    method at top level, which is skipped here (the class's copy is the one walked).
    """
    found: dict[str, tuple[int, str, int, int]] = {}

    def add(block: dict[str, Any], name: str) -> None:
        found[name] = (block["complexity"], block["rank"], block["lineno"], block["endline"])
        for closure in block.get("closures", []):
            add(closure, f"{name}.{closure['name']}")

    for block in blocks:
        if block["type"] == "class":
            for method in block["methods"]:
                add(method, f"{block['name']}.{method['name']}")
        elif block["type"] == "function":
            add(block, block["name"])
    return found


def as_table(metrics: FileMetrics) -> dict[str, tuple[int, str, int, int]]:
    return {f.name: (f.complexity, f.grade, f.start_line, f.end_line) for f in metrics.functions}


def test_python_figures_match_the_radon_cli_and_the_hand_computed_delta(tmp_path: Path) -> None:
    old_file, new_file = tmp_path / "old" / "retry.py", tmp_path / "new" / "retry.py"
    for file, text in ((old_file, OLD_RETRY), (new_file, NEW_RETRY)):
        file.parent.mkdir()
        file.write_text(text)
    old = analyze_source("src/retry.py", old_file.read_bytes())
    new = analyze_source("src/retry.py", new_file.read_bytes())

    for file, metrics in ((old_file, old), (new_file, new)):
        assert metrics.error is None and metrics.analyzer == ANALYZER_RADON and metrics.language == "python"
        cli = flatten_cli_blocks(radon_cli("cc", "-s", "-j", str(file))[str(file)])
        assert as_table(metrics) == cli
        assert metrics.maintainability == pytest.approx(radon_cli("mi", "-j", str(file))[str(file)]["mi"])
        assert metrics.total_complexity == sum(cc for cc, *_ in cli.values())
        assert metrics.lines == file.read_text().count("\n")

    # By hand: backoff 2 -> 5 (+3), call_with_retry 4 -> 7 (+3), parse_retry_after new (+4),
    # jitter.bounded 1 -> 2 (+1); describe 4 -> 1 (-3), legacy_delay removed (-2).
    assert as_table(new)["RetryPolicy.backoff"][0] == 5
    assert as_table(new)["call_with_retry"][0] == 7
    delta = compare("src/retry.py", old, new)
    assert delta.complexity_added == 3 + 3 + 4 + 1
    assert delta.complexity_removed == 3 + 2
    assert delta.worst is not None and (delta.worst.name, delta.worst.complexity) == ("call_with_retry", 7)
    assert delta.changed_functions == [
        ("RetryPolicy.backoff", 2, 5),
        ("RetryPolicy.describe", 4, 1),
        ("parse_retry_after", None, 4),
        ("call_with_retry", 4, 7),
        ("jitter.bounded", 1, 2),
    ]
    assert delta.mi_delta == pytest.approx(new.maintainability - old.maintainability)  # type: ignore[operator]
    assert delta.error is None


EVERY_RULE = """\
import asyncio

@decorate(1 if True else 2)
def rules(a, b=3 if x else 4, *args, **kw):
    assert a if b else None, "an assertion counts once, its condition not walked"
    values = [v for v in a if v if not v] + list({k: v for k, v in b.items() if k})
    f = lambda q: q and q or (1 if q else 2)
    while a and b or kw:
        break
    else:
        pass
    for item in args:
        if item:
            continue
        elif item is None:
            pass
    try:
        pass
    except ValueError:
        pass
    except (KeyError, TypeError):
        pass
    else:
        pass
    finally:
        pass
    try:
        pass
    except* OSError:
        pass
    match a:
        case [1, 2]:
            pass
        case {"k": v} if v:
            pass
        case _:
            pass
    match b:
        case 1 | 2:
            pass
    class Local:  # a class inside a function is no function of the file
        def hidden(self):
            return 1 if self else 2
    with open(a) as handle:
        return handle

async def fetch(urls):
    async for url in urls:
        await asyncio.sleep(0)
    else:
        pass
    def last_is_a_def():
        return 1
    def last_is_a_def2(x):
        return x or 1

class Outer:
    if True:
        def conditional(self, x):
            return x if x else 0

    class Inner:
        async def run(self, x):
            return [y async for y in x if y]

    def method(self):
        def closure():
            return 1 if self else 0
        return closure
"""


def test_the_ranking_measures_the_functions_radon_does(tmp_path: Path) -> None:
    """Ranking measures functions without radon's visitor (issue 18: its dispatch was half of the cold list's
    complexity time): every figure is still radon's, construct by construct, and code nested too deeply for
    radon is measured (or refused) by radon itself."""
    file = tmp_path / "rules.py"
    file.write_text(EVERY_RULE)
    fast = analyze_source("rules.py", EVERY_RULE, maintainability=False)
    assert fast.error is None and fast.analyzer == ANALYZER_RADON
    cli = flatten_cli_blocks(radon_cli("cc", "-s", "-j", str(file))[str(file)])  # no inner classes: radon's own
    by_radon = analyze_source("rules.py", EVERY_RULE)  # the maintainability index: radon's visitor
    assert as_table(fast) == as_table(by_radon) == {**cli, "Outer.Inner.run": (3, "A", 63, 64)}
    assert "rules.Local.hidden" not in cli and cli["fetch"][2:] == (47, 47)  # radon: its last statement is a def
    assert fast.total_complexity == by_radon.total_complexity == sum(cc for cc, *_ in cli.values()) + 3
    for depth in (150, 600):  # one radon measures, one it gives up on (RecursionError)
        deep = "def deep(a):\n    return a" + " + (a if a else 1)" * depth + "\n"
        by_radon = analyze_source("deep.py", deep)  # the maintainability index: radon's visitor
        ranked = analyze_source("deep.py", deep, maintainability=False)
        assert ranked.functions == by_radon.functions
        assert (ranked.error or "")[:15] == (by_radon.error or "")[:15]
        assert (ranked.error is None) == (depth == 150)


def test_the_ranking_and_radon_agree_on_every_python_file_of_this_project() -> None:
    """The same rule on a few hundred files of real code (this project's own, with its tests' embedded samples):
    every function, line and figure of the ranking's measurement is radon's visitor's. A radon release that
    changes a rule fails here, not silently in the ranking."""
    root = Path(__file__).resolve().parents[2]
    files = sorted([*root.joinpath("app").rglob("*.py"), *root.joinpath("tests").rglob("*.py"),
                    *root.joinpath("bench").rglob("*.py")])
    assert len(files) > 200
    for file in files:
        text = file.read_text(encoding="utf-8")
        fast, by_radon = analyze_source(file.name, text, maintainability=False), analyze_source(file.name, text)
        assert (fast.error, fast.functions, fast.total_complexity) == (
            by_radon.error, by_radon.functions, by_radon.total_complexity), file


def test_touched_lines_mark_a_function_changed_even_when_its_complexity_did_not_move() -> None:
    old = analyze_source("retry.py", OLD_RETRY)
    new = analyze_source("retry.py", NEW_RETRY)
    should_retry = next(f for f in new.functions if f.name == "RetryPolicy.should_retry")
    delta = compare("retry.py", old, new, touched_lines=[should_retry.start_line + 2])
    assert ("RetryPolicy.should_retry", 3, 3) in delta.changed_functions
    assert delta.complexity_added == 11  # touching adds no complexity of its own


def test_added_and_deleted_files_count_every_function() -> None:
    new = analyze_source("retry.py", NEW_RETRY)
    added = compare("retry.py", None, new)
    assert added.complexity_added == new.total_complexity and added.complexity_removed == 0
    assert added.mi_delta is None and all(old is None for _, old, _ in added.changed_functions)
    deleted = compare("retry.py", new, None)
    assert deleted.complexity_removed == new.total_complexity and deleted.complexity_added == 0
    assert deleted.worst is None and deleted.changed_functions == []


def test_nested_names_are_qualified_and_repeats_numbered() -> None:
    source = (
        "def top(a):\n    def inner(b):\n        return b or a\n    return inner\n\n"
        "class Outer:\n    class Inner:\n        def run(self, x):\n            return 1 if x else 2\n\n"
        "def top(a):\n    return a\n"
    )
    names = [f.name for f in analyze_source("m.py", source).functions]
    assert names == ["top", "top.inner", "Outer.Inner.run", "top#2"]


def test_python_that_does_not_parse_falls_back_to_lizard_and_says_why() -> None:
    """Issue 13: a file this interpreter cannot parse (a syntax error here; newer syntax or Python 2
    in the wild) is still measured, by lizard's Python reader, with radon-style qualified names, and
    the reason travels with the figures; nothing pretends every function is new."""
    broken = NEW_RETRY.replace("def describe(self) -> str:", "def describe(self) -> str")
    metrics = analyze_source("src/retry.py", broken.encode())
    line = broken.splitlines().index("    def describe(self) -> str") + 1
    assert metrics.error is None and metrics.analyzer == "lizard"
    assert metrics.fallback is not None and f"SyntaxError at line {line}: expected ':'" in metrics.fallback
    assert "RetryPolicy.backoff" in {f.name for f in metrics.functions}
    assert metrics.lines == broken.count("\n")
    # Measured alike on both sides (as the analyzer does), only real moves count, and the note says how.
    old = python_by_lizard(NEW_RETRY)
    delta = compare("src/retry.py", old, metrics)
    assert delta.complexity_added == 0
    assert delta.error == metrics.fallback


GO_SOURCE = """package retry

func (p *Policy) Backoff(attempt int) int {
	if attempt <= 0 || p == nil {
		return 0
	}
	for i := 0; i < attempt; i++ {
		if i > 10 {
			break
		}
	}
	return attempt * 2
}

func Plain() int { return 1 }
"""

TS_SOURCE = """export class RetryPolicy {
  backoff(attempt: number): number {
    if (attempt <= 0) { return 0; }
    return attempt > 5 && this.capped ? 60 : attempt * 2;
  }
}

export function parseRetryAfter(header?: string): number | undefined {
  switch (header) {
    case undefined: return undefined;
    case "": return 0;
    default: return Number(header);
  }
}
"""

JAVA_SOURCE = """class RetryPolicy {
  int backoff(int attempt) {
    if (attempt <= 0) return 0;
    while (attempt > 10 && attempt % 2 == 0) attempt--;
    return attempt;
  }
  int backoff(String attempt) { return attempt == null ? 0 : 1; }
}
"""


def test_typescript_is_measured_per_function_with_tree_sitter() -> None:
    metrics = analyze_source("src/retry.ts", TS_SOURCE.encode())
    assert (metrics.analyzer, metrics.language, metrics.error) == (ANALYZER_TREE_SITTER, "typescript", None)
    assert [(f.name, f.start_line, f.end_line, f.complexity) for f in metrics.functions] == [
        ("RetryPolicy.backoff", 2, 5, 4), ("parseRetryAfter", 8, 14, 3)]


@pytest.mark.parametrize(
    ("path", "source", "language", "expected"),
    [
        ("retry/policy.go", GO_SOURCE, "go", [("Policy.Backoff", 3, 13, 5), ("Plain", 15, 15, 1)]),
        ("src/RetryPolicy.java", JAVA_SOURCE, "java",
         [("RetryPolicy::backoff(int)", 2, 6, 4), ("RetryPolicy::backoff(String)", 7, 7, 2)]),
    ],
)
def test_other_languages_are_measured_per_function_with_lizard(
    path: str, source: str, language: str, expected: list[tuple[str, int, int, int]]
) -> None:
    metrics = analyze_source(path, source.encode())
    assert (metrics.analyzer, metrics.language, metrics.error) == (ANALYZER_LIZARD, language, None)
    assert [(f.name, f.start_line, f.end_line, f.complexity) for f in metrics.functions] == expected
    assert all(f.grade == grade(f.complexity) for f in metrics.functions)
    assert metrics.total_complexity == sum(cc for *_, cc in expected)
    assert metrics.maintainability is None


def test_every_lizard_extension_is_one_lizard_reads_and_none_is_python() -> None:
    for ext in _LIZARD_LANGUAGES:
        reader = lizard.get_reader_for(f"file.{ext}")
        assert reader is not None and reader.__name__ != "PythonReader", ext
        assert analyzer_for(f"dir/file.{ext.upper()}") == ANALYZER_LIZARD


def test_code_nested_too_deeply_for_lizard_is_reported_not_half_measured(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # lizard itself would print "[skip] ..." on the terminal and return a partial, error-free result.
    nested = "package deep\n\nfunc Deep() {" + "{" * 1500 + "}" * 1500 + "}\n"
    metrics = analyze_source("deep/deep.go", nested)
    assert metrics.error == "lizard gave up: code nested too deeply (RecursionError)"
    assert (metrics.analyzer, metrics.functions, metrics.lines) == (ANALYZER_LIZARD, [], 3)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("path", ["README.md", "Makefile", "config/settings.yaml", "data.sql", ".gitignore"])
def test_unknown_extensions_are_counted_by_size_only(path: str) -> None:
    metrics = analyze_source(path, b"def f(x):\n    if x: return 1\n    return 2")
    assert (metrics.analyzer, metrics.language, metrics.error) == (ANALYZER_SIZE, None, None)
    assert metrics.functions == [] and metrics.total_complexity == 0 and metrics.lines == 3


def test_binary_and_huge_files_are_counted_by_size_only() -> None:
    binary = analyze_source("lib/blob.py", b"x = 1\n\x00\x01\x02\n")
    assert (binary.analyzer, binary.language, binary.functions) == (ANALYZER_SIZE, "python", [])
    assert binary.lines == 2
    assert binary.error == "binary content (NUL bytes): counted by size"

    huge_source = b"def f(x):\n    return x and 1\n" * 200_000  # 29 bytes * 200 000
    assert len(huge_source) > MAX_ANALYSE_BYTES
    huge = analyze_source("gen/huge.py", huge_source)
    assert (huge.analyzer, huge.functions, huge.lines) == (ANALYZER_SIZE, [], 400_000)
    assert huge.error == "too large to analyse (5.8 MB): counted by size"
    # The limit is the caller's to lower (config: max_file_bytes), and applies to text too.
    small_limit = analyze_source("src/retry.ts", TS_SOURCE, max_bytes=100)
    assert small_limit.analyzer == ANALYZER_SIZE and small_limit.error is not None
    assert small_limit.error.startswith("too large to analyse (0.4 KB)")


def test_non_utf8_bytes_and_a_byte_order_mark_are_still_measured() -> None:
    source = "\ufeff# caf\xe9\ndef f(x):\n    return 'caf\xe9' if x else ''\n".encode("latin-1", "replace")
    metrics = analyze_source("m.py", b"\xef\xbb\xbf" + source[1:])
    assert metrics.error is None and [(f.name, f.complexity) for f in metrics.functions] == [("f", 2)]


def generated_items() -> list[tuple[str, str, bytes]]:
    items: list[tuple[str, str, bytes]] = []
    for i in range(12):
        source = NEW_RETRY.replace("attempts: int = 3", f"attempts: int = {i}")
        items.append((f"py{i}", f"pkg/m{i}.py", source.encode()))
    items.append(("go", "retry/policy.go", GO_SOURCE.encode()))
    items.append(("ts", "src/retry.ts", TS_SOURCE.encode()))
    items.append(("broken", "x.py", b"def f(:\n"))
    items.append(("bin", "x.py", b"\x00"))
    items.append(("readme", "README.md", b"# Retry\n\nSee retry.py.\n"))
    items.append(("py0", "another/path.py", b"this entry repeats key py0 and must not be measured"))
    return items


def test_analyze_many_matches_analyze_source_per_item_and_measures_each_key_once() -> None:
    items = generated_items()
    expected = {key: analyze_source(path, data) for key, path, data in reversed(items)}  # first wins
    expected["py0"] = analyze_source(items[0][1], items[0][2])
    reports: list[tuple[int, int]] = []

    in_process = analyze_many(items, workers=0)
    in_pool = analyze_many(items, workers=2, progress=lambda done, total: reports.append((done, total)))
    assert in_process == expected and in_pool == expected
    assert set(in_pool) == {key for key, _, _ in items} and len(in_pool) == len(items) - 1
    assert reports and reports[-1] == (len(expected), len(expected))
    assert len(reports) < len(expected)  # reported per batch of files: the worker processes did the work

    # From a worker thread, as the TUI calls it: no signal handlers, same answer.
    from_thread: dict[str, FileMetrics] = {}
    thread_reports: list[int] = []
    thread = threading.Thread(target=lambda: from_thread.update(
        analyze_many(items, workers=2, progress=lambda done, total: thread_reports.append(done))))
    thread.start()
    thread.join(timeout=60)
    assert from_thread == expected and len(thread_reports) < len(expected)


def test_a_long_measurement_keeps_few_batches_in_the_pool_so_offered_work_is_not_stuck_behind_it(
        monkeypatch) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from app.core.metrics import complexity
    from app.core.workers import pool_context

    class CountingPool(ProcessPoolExecutor):  # a real pool that records how many tasks it holds
        def __init__(self) -> None:
            super().__init__(max_workers=2, mp_context=pool_context())
            self.held: set = set()
            self.most = 0
            self.lock = threading.Lock()

        def submit(self, fn, /, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)
            with self.lock:
                self.held.add(future)
                self.most = max(self.most, len(self.held))
            future.add_done_callback(self._done)
            return future

        def _done(self, future) -> None:
            with self.lock:
                self.held.discard(future)

    source = OLD_RETRY.encode()
    items = [(f"k{i}", f"pkg/m{i}.py", source + f"\nVALUE_{i} = {i}\n".encode()) for i in range(400)]
    monkeypatch.setattr(complexity, "BATCH_BYTES", 20_000)  # the 600 KB here as if it were 8 MB
    pool = CountingPool()
    try:
        measured = analyze_many(items, workers=2, executor=pool, maintainability=False)
    finally:
        pool.shutdown()
    batches = complexity._batches({k: (p, d) for k, p, d in items},
                                  max(8, sum(len(d) for _, _, d in items) // complexity.BATCH_BYTES))
    assert len(batches) > 8  # more than the old fixed four batches per worker: each is short
    assert measured == {k: analyze_source(p, d, maintainability=False) for k, p, d in items}
    assert pool.most <= 3  # the workers' two batches and one waiting: offered work waits behind one


def test_analyze_many_stops_when_asked() -> None:
    items = generated_items()
    # Files counted by size take no time and are always there; nothing else is measured.
    readme = next(data for key, _, data in items if key == "readme")
    only_instant = {"readme": analyze_source("README.md", readme)}
    assert analyze_many(items, workers=0, should_stop=lambda: True) == only_instant
    assert analyze_many(items, workers=2, should_stop=lambda: True) == only_instant
    assert analyze_many([], workers=2) == {}
    # Stopping after the first measured file keeps what was measured, and only that.
    reports: list[int] = []
    partial = analyze_many(items, workers=0, progress=lambda done, total: reports.append(done),
                           should_stop=lambda: len(reports) > 1)
    assert partial == {**only_instant, "py0": analyze_source("pkg/m0.py", items[0][2])}


def test_dict_round_trip_survives_json() -> None:
    old = analyze_source("retry.py", OLD_RETRY)
    new = analyze_source("retry.py", NEW_RETRY)
    for metrics in (old, new, analyze_source("x.py", b"def f(:"), analyze_source("a.go", GO_SOURCE)):
        assert FileMetrics.from_dict(json.loads(json.dumps(metrics.to_dict()))) == metrics
    delta = compare("retry.py", old, new)
    assert FileComplexity.from_dict(json.loads(json.dumps(delta.to_dict()))) == delta
    with pytest.raises(ValueError, match="malformed FileMetrics"):
        FileMetrics.from_dict({"language": "python"})


def test_grades_follow_radon_bands() -> None:
    bands = {1: "A", 5: "A", 6: "B", 10: "B", 11: "C", 20: "C",
             21: "D", 30: "D", 31: "E", 40: "E", 41: "F", 99: "F"}
    assert {cc: grade(cc) for cc in bands} == bands


def test_language_detection_by_extension() -> None:
    assert (language_of("a/b.py"), analyzer_for("a/b.py")) == ("python", ANALYZER_RADON)
    assert (language_of("a/B.JAVA"), analyzer_for("a/B.JAVA")) == ("java", ANALYZER_LIZARD)
    assert (language_of("a.d/Makefile"), analyzer_for("a.d/Makefile")) == (None, ANALYZER_SIZE)
    assert (language_of(".py"), analyzer_for(".py")) == (None, ANALYZER_SIZE)  # a dotfile, not Python


def test_config_reads_and_checks_its_section() -> None:
    table = {"workers": 0, "max_file_bytes": 500_000, "colour": "red"}
    reader = SectionReader(table, "review.toml", "complexity")
    assert ComplexityConfig.from_reader(reader) == ComplexityConfig(workers=0, max_file_bytes=500_000)
    assert reader.warnings == ["review.toml: complexity.colour: unknown key (ignored)"]
    assert ComplexityConfig.from_reader(SectionReader({}, "f", "complexity")) == ComplexityConfig()
    with pytest.raises(ConfigError, match=r"review.toml: complexity.workers: must be between 0 and 64"):
        ComplexityConfig.from_reader(SectionReader({"workers": -1}, "review.toml", "complexity"))
    with pytest.raises(ConfigError, match=r"complexity.max_file_bytes: expected an integer"):
        ComplexityConfig.from_reader(SectionReader({"max_file_bytes": "2MB"}, "review.toml", "complexity"))


CODE_ALPHABET = st.sampled_from(list("{}()[];:,.=<>!&|?'\"`/\\*+-#@$%\n\t abcdefghijklmnorstuwxyz0123456789"))
CODE_WORDS = st.sampled_from([
    "def ", "class ", "if ", "else", "for ", "while ", "func ", "function ", "return ", "=>", "lambda ",
    "async ", "try:", "except", "match ", "case ", "    ", "\n", "//", "/*", "*/", "'''", '"""', "`${",
    "}", "{", ":", "(", ")", "&&", "||", "switch",
])
SOURCE_TEXT = st.one_of(st.text(max_size=400), st.text(CODE_ALPHABET, max_size=400),
                        st.lists(CODE_WORDS, max_size=80).map("".join))


# At least 60 examples; a profile asking for more (nightly) gets more.
@settings(max_examples=max(60, settings().max_examples), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=SOURCE_TEXT, path=st.sampled_from(["m.py", "main.go", "app.js", "app.ts", "Main.java"]))
def test_analyze_source_never_raises_and_is_deterministic(text: str, path: str) -> None:
    first = analyze_source(path, text)
    assert first == analyze_source(path, text.encode("utf-8", "surrogatepass"))
    assert first.analyzer in (ANALYZER_RADON, ANALYZER_LIZARD, ANALYZER_TREE_SITTER, ANALYZER_SIZE)
    assert first.total_complexity == sum(f.complexity for f in first.functions)
    if first.error is not None:
        assert first.functions == [] and "\n" not in first.error


def test_a_go_closure_is_named_after_its_function_and_keeps_its_name_when_one_is_added_above() -> None:
    """lizard names Go func literals `anonymous__N`, numbered through the file: the worst function read
    `anonymous__5`, and a closure added above renamed every later one (each read as changed)."""
    from app.core.metrics.complexity import analyze_source, compare

    def source(extra: str) -> str:
        return ("package x\n\n" + extra + "func RangeArgs(min int) Args {\n\treturn func(args []string) error {\n"
                "\t\tif len(args) < min {\n\t\t\treturn nil\n\t\t}\n\t\treturn nil\n\t}\n}\n")

    before = analyze_source("args.go", source(""))
    assert [f.name for f in before.functions] == ["RangeArgs", "RangeArgs.<closure>"]
    above = "func Any() Args {\n\treturn func(args []string) error { return nil }\n}\n\n"
    after = analyze_source("args.go", source(above))
    assert [f.name for f in after.functions] == ["Any", "Any.<closure>", "RangeArgs", "RangeArgs.<closure>"]
    delta = compare("args.go", before, after)
    assert {name for name, _old, _new in delta.changed_functions} == {"Any", "Any.<closure>"}


def test_a_typescript_test_callback_is_named_by_its_test_and_an_insertion_above_changes_nothing_else() -> None:
    """QA43 #4: ky's test callbacks were `<closure>#N`, numbered through the file: two inserted tests made
    every later test read as changed (+21 CC for +4 real)."""
    from app.core.metrics.complexity import analyze_source, compare

    def source(extra: str) -> str:
        return ("import test from 'ava';\n" + extra + "test('retry - after header', async t => {\n"
                "  if (t) { t.pass(); }\n});\ntest('retry - limit', async t => {\n  for (const x of [1]) {\n"
                "    if (x) { t.pass(); }\n  }\n});\n")

    before = analyze_source("test/retry.ts", source(""))
    assert [f.name for f in before.functions] == ['test("retry - after header")', 'test("retry - limit")']
    added = "test('retry - new', async t => {\n  if (t) { t.pass(); }\n});\n"
    delta = compare("test/retry.ts", before, analyze_source("test/retry.ts", source(added)))
    assert delta.complexity_added == 2  # the new test's own complexity, not every later test's again
    assert [name for name, _old, _new in delta.changed_functions] == ['test("retry - new")']


def test_go_methods_are_named_with_their_receiver_type() -> None:
    """Matched by bare name, a String() added to one type was compared with another type's: +4 for a
    one-line method, and the worst function read `String#2`."""
    from app.core.metrics.complexity import analyze_source, compare

    before = "package x\n\nfunc (a A) String() string {\n\tif a.ok {\n\t\treturn \"a\"\n\t}\n\treturn \"\"\n}\n"
    added = "func (b *B) String() string {\n\treturn \"b\"\n}\n\n"
    after = before.replace("func (a A)", added + "func (a A)")
    assert [f.name for f in analyze_source("x.go", after).functions] == ["B.String", "A.String"]
    delta = compare("x.go", analyze_source("x.go", before), analyze_source("x.go", after))
    assert delta.complexity_added == 1 and delta.changed_functions == [("B.String", None, 1)]


def test_a_rake_file_is_ruby_code() -> None:
    """QA57 F16: rubygems.org's lib/tasks/*.rake (operational tasks that change production data) counted 0 source
    lines and were measured by nothing: lizard has no reader for `.rake`. They are code, measured and cut as Ruby."""
    from app.core.metrics.spans import definition_spans
    from app.core.risk.score import is_code_path

    rake = ("namespace :mfa do\n  task backfill: :environment do\n    User.find_each { |u| u.save! }\n  end\nend\n"
            "def level(user)\n  user.mfa? && user.strong? ? :strong : :weak\nend\n")
    metrics = analyze_source("lib/tasks/multifactor_auth.rake", rake.encode())
    assert (metrics.analyzer, metrics.language, metrics.error) == (ANALYZER_LIZARD, "ruby", None)
    assert [(f.name, f.complexity) for f in metrics.functions] == [("level", 3)]
    assert language_of("lib/tasks/x.RAKE") == "ruby" and is_code_path("lib/tasks/multifactor_auth.rake")
    assert [s.qualname for s in definition_spans("lib/tasks/multifactor_auth.rake", rake).spans] == ["level"]


# -- functions moved or renamed within one change are not new complexity (QA58 F3) ---------------------------------

_LOAN_SERVICE = """package x;

class LoanService {
    void disburse(Loan loan) {
        if (loan.isActive()) {
            post(loan);
        }
    }

    private void updatePostDatedChecks(Loan loan, Tx loanTransaction) {
        if (loan.isIndividual()) {
            for (Mapping m : loanTransaction.mappings()) {
                if (m.installment() != null && m.isPaid()) {
                    m.checks().markPaid();
                } else if (m.installment() == null) {
                    break;
                }
            }
        }
    }

    boolean isLatestRepaymentOrWaiver(Tx tx, List<Tx> all) {
        boolean isLatestRepaymentOrWaiver = true;
        for (Tx other : all) {
            if (other.date().isAfter(tx.date()) || other.isReversed()) {
                isLatestRepaymentOrWaiver = false;
            }
        }
        return isLatestRepaymentOrWaiver;
    }
}
"""


def _moved_change() -> dict[str, FileComplexity]:
    """pr/4121's shape: updatePostDatedChecks moved to another class (a parameter renamed, one check added) and
    isLatestRepaymentOrWaiver renamed (its body names its old self in a local variable)."""
    new_service = (_LOAN_SERVICE.split("    private void updatePostDatedChecks")[0]
                   + "    boolean isLatestTransaction(Tx tx, List<Tx> all) {\n"
                   + _LOAN_SERVICE.split("boolean isLatestRepaymentOrWaiver(Tx tx, List<Tx> all) {\n")[1])
    domain = """package x;

class LoanDomainService {
    public void updatePostDatedChecks(final Loan loan, final Tx transaction) {
        if (loan.isIndividual() && transaction != null) {
            for (Mapping m : transaction.mappings()) {
                if (m.installment() != null && m.isPaid()) {
                    m.checks().markPaid();
                } else if (m.installment() == null) {
                    break;
                }
            }
        }
    }
}
"""
    texts = {("LoanService.java", True): _LOAN_SERVICE, ("LoanService.java", False): new_service,
             ("LoanDomainService.java", False): domain}
    results = {"LoanService.java": compare("LoanService.java", analyze_source("LoanService.java", _LOAN_SERVICE),
                                           analyze_source("LoanService.java", new_service)),
               "LoanDomainService.java": compare("LoanDomainService.java", None,
                                                 analyze_source("LoanDomainService.java", domain))}
    from app.core.metrics.complexity import credit_moves

    credit_moves(results, lambda path, old: texts.get((path, old)))
    return results


def test_a_function_moved_to_another_class_counts_only_what_it_grew_by() -> None:
    results = _moved_change()
    domain, service = results["LoanDomainService.java"], results["LoanService.java"]
    # updatePostDatedChecks: CC 6 before, 7 after (one `&&` added): +1, not +7
    assert domain.complexity_added == 1, domain
    assert ("LoanDomainService::updatePostDatedChecks", 6, 7) in domain.changed_functions
    [move] = domain.moves
    assert (move.old_path, move.credited, move.how) == ("LoanService.java", 6, "moved, edited"), move
    assert move.describe() == "updatePostDatedChecks from LoanService.java (6)"
    assert service.complexity_removed == 0  # given back: it was found again


def test_a_renamed_function_is_not_new_complexity() -> None:
    service = _moved_change()["LoanService.java"]
    assert service.complexity_added == 0, service  # was +4 for isLatestTransaction
    [renamed] = service.moves
    assert renamed.describe() == "isLatestRepaymentOrWaiver -> isLatestTransaction (4)", renamed


def test_a_python_function_renamed_in_place_is_matched_by_its_body() -> None:
    old = "def fetch(n):\n    if n:\n        return fetch(n - 1)\n    return 0\n"
    new = "def fetch_by_due_date(n):\n    if n:\n        return fetch_by_due_date(n - 1)\n    return 0\n"
    delta = compare("m.py", analyze_source("m.py", old), analyze_source("m.py", new))
    assert (delta.complexity_added, delta.complexity_removed) == (0, 0), delta
    assert [m.describe() for m in delta.moves] == ["fetch -> fetch_by_due_date (2)"]


def test_a_copied_function_is_still_new_complexity() -> None:
    """A copy beside its original is more code to review: only a function that left its old place is credited."""
    old = "def a(x):\n    if x:\n        return 1\n    return 2\n"
    new = old + "\n\ndef b(x):\n    if x:\n        return 1\n    return 2\n"
    delta = compare("m.py", analyze_source("m.py", old), analyze_source("m.py", new))
    from app.core.metrics.complexity import credit_moves

    assert credit_moves({"m.py": delta}) == [] and delta.complexity_added == 2


_BRANCHES = st.integers(min_value=0, max_value=4)


@st.composite
def _refactorings(draw: Any) -> tuple[dict[str, str], dict[str, str], int]:
    """Files of Python functions before and after: each function kept, edited (a branch more or less), renamed,
    moved to another file, or deleted; new ones added. And the complexity really added: the new functions' and what
    the edited ones grew by."""
    def function(name: str, branches: int, salt: int) -> str:
        body = "".join(f"    if x == {salt * 10 + i}:\n        return {i}\n" for i in range(branches))
        return f"def {name}(x):\n{body}    return -{salt}\n\n\n"

    files = ["a.py", "b.py", "c.py"]
    old: dict[str, str] = dict.fromkeys(files, "")
    new: dict[str, str] = dict.fromkeys(files, "")
    added = 0
    for number in range(draw(st.integers(min_value=0, max_value=8))):
        branches = draw(_BRANCHES)
        home = draw(st.sampled_from(files))
        old[home] += function(f"f{number}", branches, number)
        fate = draw(st.sampled_from(["keep", "edit", "rename", "move", "delete"]))
        if fate == "delete":
            continue
        place = draw(st.sampled_from(files)) if fate == "move" else home
        grown = max(0, branches + draw(st.integers(min_value=-2, max_value=2))) if fate == "edit" else branches
        new[place] += function(f"g{number}" if fate == "rename" else f"f{number}", grown, number)
        added += max(0, grown - branches)
    for number in range(draw(st.integers(min_value=0, max_value=3))):
        branches = draw(_BRANCHES)
        new[draw(st.sampled_from(files))] += function(f"n{number}", branches, 100 + number)
        added += branches + 1
    return old, new, added


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_refactorings())
def test_credited_moves_never_count_less_than_the_net_nor_give_back_what_was_not_removed(
        change: tuple[dict[str, str], dict[str, str], int]) -> None:
    from app.core.metrics.complexity import credit_moves

    old, new, really_added = change
    results = {path: compare(path, analyze_source(path, old[path]), analyze_source(path, new[path])) for path in old}
    before = sum(r.complexity_added for r in results.values())
    removed_before = sum(r.complexity_removed for r in results.values())
    net = sum(analyze_source(p, new[p]).total_complexity - analyze_source(p, old[p]).total_complexity for p in old)
    moves = credit_moves(results, lambda path, was: (old if was else new)[path])
    after = sum(r.complexity_added for r in results.values())
    removed_after = sum(r.complexity_removed for r in results.values())
    assert all(r.complexity_added >= 0 and r.complexity_removed >= 0 for r in results.values())
    assert after - removed_after == before - removed_before == net  # the net never moves
    assert max(0, net) <= after <= before
    assert after == really_added  # a function renamed or moved, edited or not, counts only what it grew by
    assert before - after == sum(m.credited for m in moves) <= removed_before  # gives back only what was removed
    new_functions = [f for p in new for f in analyze_source(p, new[p]).functions]
    # every function the change kept, renamed or moved is credited what it held, at most: never more than new
    assert sum(m.credited for r in results.values() for m in r.moves) <= sum(f.complexity for f in new_functions)


@pytest.mark.parametrize(("path", "source", "names"), [
    ("A.java", "class A {\n  void f(final Long id, @Nullable java.util.List<String> xs) { }\n  void f(int... n) { }\n"
     "  void g() { }\n}\n", ["A::f(Long, List)", "A::f(int...)", "A::g"]),
    ("a.kt", "class A {\n fun g(x: Int, y: String = \"\"): Int { return 1 }\n fun g(s: String): Int { return 2 }\n}\n",
     ["g(Int, String)", "g(String)"]),
    ("a.cpp", "int g(const std::string& s, int n) { return 1; }\nint g(double d) { return 2; }\n",
     ["g(const string&, int)", "g(double)"]),
    ("a.c", "int g(int a) { return 1; }\nint g(double d) { return 2; }\n", ["g", "g#2"]),  # C has no overloads
])
def test_overloads_are_named_by_their_parameter_types(path: str, source: str, names: list[str]) -> None:
    """QA58 F4: `validateForModify#2` (CC 101) told a reviewer nothing of which overload it was."""
    assert [f.name for f in analyze_source(path, source).functions] == names


def test_matching_moves_stays_linear_when_thousands_of_bodies_are_alike() -> None:
    """Repository content is untrusted: 4,000 empty methods moved to another class under other names."""
    import time

    from app.core.metrics.complexity import credit_moves

    old = "class A {\n" + "".join(f"  void a{i}() {{ }}\n" for i in range(4000)) + "}\n"
    new = "class B {\n" + "".join(f"  void b{i}() {{ }}\n" for i in range(4000)) + "}\n"
    results = {"A.java": compare("A.java", analyze_source("A.java", old), None),
               "B.java": compare("B.java", None, analyze_source("B.java", new))}
    started = time.perf_counter()
    moves = credit_moves(results, lambda path, was: old if was else new)
    assert time.perf_counter() - started < 5.0
    assert len(moves) == 4000 and results["B.java"].complexity_added == 0


def test_matching_moves_by_text_stays_bounded_when_nothing_matches() -> None:
    """4,000 functions deleted and 4,000 others added, none alike: the text comparison stops at its budget."""
    import time

    from app.core.metrics.complexity import credit_moves

    old = "class A {\n" + "".join(f"  int a{i}(int x) {{ return x + {i}; }}\n" for i in range(4000)) + "}\n"
    new = "class B {\n" + "".join(f"  int b{i}(int y) {{ return y * {i} - 1; }}\n" for i in range(4000)) + "}\n"
    results = {"A.java": compare("A.java", analyze_source("A.java", old), None),
               "B.java": compare("B.java", None, analyze_source("B.java", new))}
    started = time.perf_counter()
    assert credit_moves(results, lambda path, was: old if was else new) == []
    assert time.perf_counter() - started < 5.0
    assert results["B.java"].complexity_added == 4000


@pytest.mark.parametrize("path", ["my_gem.gemspec", "config.ru", "app/views/api/v1/gems/show.json.jbuilder",
                                  "Rakefile", "lib/tasks/Guardfile", "Capfile"])
def test_ruby_files_named_by_bundler_rack_rake_or_jbuilder_are_ruby_code(path: str) -> None:
    """FIX102's leftover: a gemspec, Rack's config.ru, a Jbuilder view, a Rakefile, Guardfile or Capfile was measured
    by nothing (no reader for its name) and counted 0 source lines. They are Ruby: measured, cut and counted."""
    from app.core.metrics.spans import definition_spans
    from app.core.risk.score import is_code_path

    text = "def level(user)\n  user.mfa? && user.strong? ? :strong : :weak\nend\n"
    metrics = analyze_source(path, text.encode())
    assert (metrics.language, metrics.error) == ("ruby", None)
    assert [(f.name, f.complexity) for f in metrics.functions] == [("level", 3)]
    assert is_code_path(path)
    assert [s.qualname for s in definition_spans(path, text).spans] == ["level"]


def test_a_gemfile_is_measured_as_ruby_but_weighed_as_a_manifest() -> None:
    """A Gemfile is Ruby (its `if`s and methods are measured) but its lines are dependencies, weighed by the
    dependencies factor as package.json's are: not source lines as well."""
    from app.core.risk.score import is_code_path

    assert language_of("Gemfile") == "ruby" and not is_code_path("Gemfile")


# -- Rust files read one top-level item at a time (rust_items) -----------------------------------------------------

RUST_ITEMS = '''use std::fmt;

/// A trait whose bodiless methods lizard misreads: it stays a level deeper to the end of the file.
pub trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String {
        if self.area() > 1.0 { "big".into() } else { "small".into() }
    }
}

pub struct Square(f64);

impl Square {
    pub fn new(side: f64) -> Self {
        if side < 0.0 {
            return Square(0.0);
        }
        Square(side)
    }

    fn grow(&mut self, by: f64) {
        for _ in 0..3 {
            if by > 0.0 && self.0 < 100.0 {
                self.0 += by;
            }
        }
    }
}

fn classify(x: i32) -> &'static str {
    match x {
        0 => "zero",
        n if n < 0 => "negative",
        _ => "positive",
    }
}

/* a comment holding a lone brace
}
*/
fn raw() -> &'static str {
    r#"a raw string
}
"#
}

#[cfg(test)]
mod tests {
    #[test]
    fn it_works() {
        assert_eq!(super::classify(0), "zero");
    }
}
'''


def _whole_lizard(path: str, text: str) -> list[tuple[str, int, int, int]]:
    import lizard

    from app.core.metrics.complexity import _lizard_functions

    return [(f.name, f.start_line, f.end_line, f.cyclomatic_complexity)
            for f in _lizard_functions(lizard, path, text)]


@pytest.mark.parametrize("edit", [
    lambda t: t,
    lambda t: t.replace("self.0 += by;", "self.0 += by;\n                if by > 9.0 { self.0 = 9.0; }"),
    lambda t: t.replace("fn area(&self) -> f64;", "fn area(&self) -> f64 { 0.0 }"),
    lambda t: t.replace('n if n < 0 => "negative",', ""),
    lambda t: "fn first() { if a { b } }\n}\n" + t,  # a stray brace: every later item read a level up
    lambda t: t.replace("/* a comment holding a lone brace", "/* a comment").replace("}\n*/", "*/"),
])
def test_rust_files_read_item_by_item_give_lizards_whole_file_figures(edit):
    """A Rust file is read a top-level item at a time, each item's figures remembered by its text; the
    functions, their lines and complexity are lizard's on the whole file, whatever state lizard is left in after
    an item (a trait's bodiless methods, a stray brace), and never cut inside a comment or a raw string."""
    import lizard

    from app.core.metrics import rust_items

    text = edit(RUST_ITEMS * 8)  # over rust_items.MIN_BYTES
    assert len(text) > rust_items.MIN_BYTES
    found = rust_items.functions(lizard, "src/shapes.rs", text)
    assert found == _whole_lizard("src/shapes.rs", text)
    assert found and len(rust_items.cut_points(lizard, "src/shapes.rs", text)) > 8
    measured = analyze_source("src/shapes.rs", text.encode())
    assert sorted((f.start_line, f.end_line, f.complexity) for f in measured.functions) == sorted(
        (start, end, ccn) for _, start, end, ccn in found)


def test_a_rust_file_lizard_must_read_whole_is_read_whole():
    """A "GENERATED CODE" comment stops lizard for the rest of the file: such a file is not cut."""
    import lizard

    from app.core.metrics import rust_items

    text = RUST_ITEMS * 8 + "// GENERATED CODE below\nfn later() { if x { y } }\n"
    assert rust_items.functions(lizard, "src/gen.rs", text) is None
    measured = analyze_source("src/gen.rs", text.encode())
    assert "later" not in {f.name for f in measured.functions}


RUST_IMPL = "pub struct Big;\n\nimpl Big {\n" + "\n".join(
    f"    pub fn method_{i}(&self, x: u32) -> u32 {{\n        if x > {i} {{\n            x - {i}\n        }} else {{\n"
    f"            {i}\n        }}\n    }}\n" for i in range(60)) + "}\n\nfn after(y: u32) -> u32 {\n    y\n}\n"


@pytest.mark.parametrize("edit", [
    lambda t: t,
    lambda t: t.replace("x - 30\n", "if x > 99 && x < 200 { 1 } else { x - 30 }\n"),
    lambda t: t.replace("    pub fn method_20(", "    fn declared(&self) -> u32;\n\n    pub fn method_20("),
    lambda t: t.replace("    pub fn method_40(&self, x: u32) -> u32 {\n",
                        "    pub fn method_40(&self, x: u32) -> u32 {\n}\n"),
])
def test_a_large_rust_impl_is_read_a_method_at_a_time_with_lizards_whole_file_figures(edit):
    """A large `impl` is read a method at a time where lizard's state after each method can be built again, and
    whole where it cannot (a bodiless method leaves a function open, a stray brace a level up): the same figures."""
    import lizard

    from app.core.metrics import rust_items

    for text in (RUST_IMPL, edit(RUST_IMPL)):
        assert len(text) > rust_items.SPLIT_BYTES
        assert sum(depth for _, depth in rust_items.cut_points(lizard, "src/big.rs", text)) >= 50
        assert rust_items.functions(lizard, "src/big.rs", text) == _whole_lizard("src/big.rs", text)
