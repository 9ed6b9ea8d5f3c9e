"""Benchmark on real code (issue 18): every row of the issue's table, each against its baseline in
the same run, on a scenario built by bench/real_scenario.py from a fetched public repository.

    python bench/bench_real.py MIRROR_GIT_DIR [--dest DIR] [--runs 5] [--heavy-runs N] [--rows a,b,...]
                               [--before OTHER_VENV/bin/python] [--timeout 900]
                               [--save DIR] [--compare DIR] [--out results.json]

MIRROR_GIT_DIR is the git dir `fetch` brought (e.g. /work/.mirror/ansible+ansible/repo); the scenario
(48 real pull requests replayed on one base, a release-sized change, the base's full history) is
built once in --dest (default $TMPDIR/review-tui-real) and reused. Nothing fetched is committed.

Every review-tui figure is a fresh process of the installed entry point (or a child of this script
for the TUI rows), cold runs with empty caches (a new REVIEW_TUI_CACHE_DIR each), and each row is
measured --runs times, interleaved with its baseline, so a loaded machine moves both sides alike.
Printed per row: baseline and review-tui as min/median/max, the ratio of the medians, the target,
and the load average before and after. With --before (the interpreter of a venv whose editable
install is an older checkout), every row is measured for that review-tui and for this one,
interleaved, against the same baseline measurement, and their `list --json` figures and
`chunks --json` plans on the scenario are compared: the before/after table of one run.
--heavy-runs measures the heavy rows (cold list, TUI, explain, range) fewer times. Rows:

  cold_list    cold `list --json`, all branches   | `git diff --numstat` per change + `radon cc -s -j`
                                                  |   CLI on every changed Python file version
  warm_list    warm `list --json`                 | `python -c pass`
  moved_list   `list --json` after a fetch: the   | `python -c pass`
               cache warm for the base 5 commits  |
               back, the base moved to its tip;   |
               the TUI's first paint and first    |
               ranked row after it                |
  tui          TUI queue first paint warm / cold, | a trivial Textual app's first paint
               cold first rows, first ranked row, |
               all rows scored, cold peak RSS     |
               and PSS (shared pages split)       |
  one_pr       cold `list` on a one-PR repository | its own numstat + radon cc CLI
  plan         plan of the release-sized change   | GitRepo.diff of it (in process); `chunks` warm/cold
  open         open that change in the TUI (warm) | a screen holding one Static
  chunk        its largest chunk's first paint,   | the same on a one-Static screen
               keypress: key to frame, wall, CPU  |
  explain      cold `explain` on the PR touching  | `git blame base..head -- file` CLI per changed file
               the most Python files              |
  range        cold `list --range` over the range | `git log --numstat` of the range
               (default 519 commits), peak RSS    |

Every process runs as a user's would: PYTHONDONTWRITEBYTECODE (set in some sandboxes) is dropped and
each variant's app is byte-compiled first, as `pip install` leaves an installed package.

A run that exceeds --timeout (or --rss-limit-mb) is killed and reported as such; a row whose run
was killed is not repeated. Peak RSS is the largest sum of RSS over the process and its children,
sampled every 0.2 s from /proc, beside the largest sum of their PSS (a page shared by n processes counts 1/n);
a child still in its parent's address space (vfork, before it execs git) is counted once.

Correctness: --save DIR writes the `list --json` of the scenario and the `chunks --json` of every
branch (from cold runs); --compare DIR checks a later run against them (ages dropped), so the
figures and plans of a faster review-tui can be proven identical to today's.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

START = time.perf_counter()  # for the TUI children: imports below are part of what they measure

MOVED_BY = 5  # commits the base moves in the moved_list row (a day of ansible's main line)
ROWS = ("cold_list", "warm_list", "moved_list", "tui", "quit", "one_pr", "plan", "open", "chunk", "explain", "range")
RELEASE = "release/next"


# -- running things ----------------------------------------------------------------------------
@dataclass
class Run:
    """One process run: wall seconds, peak RSS and PSS (MB, process tree), whether it was killed, stdout."""

    seconds: float
    peak_mb: float
    killed: str | None
    stdout: str
    peak_pss_mb: float = 0.0


def _tree_pids(root: int) -> list[int]:
    """`root` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _tree_memory_kb(root: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) of `root` and its descendants. RSS counts a page each process maps
    (the pack index a worker and the main process both read, the libraries the forkserver's children
    share) once per process; PSS splits it among them: the memory the tree really holds. A child that
    runs in its parent's address space (subprocess's vfork, until the git it starts execs) is not
    counted again: caught in that moment it counts the parent twice (a cold saleor `list`: 742 MB of RSS
    and 665 MB of PSS in one sample, at most 507 and 447 in the run's others)."""
    rss = pss = 0
    for pid in _tree_pids(root):
        if _in_parents_memory(pid):
            continue
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith(b"Pss:"):
                        pss += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return rss, pss


_LIBC: list[Any] = []
_SYS_KCMP, _KCMP_VM = 312, 1  # x86_64's kcmp(2): whether two processes share one address space


def _in_parents_memory(pid: int) -> bool:
    """Whether `pid` shares its parent's address space (a vfork child before its exec), by kcmp(2); False where
    that cannot be asked (another architecture, no permission)."""
    import ctypes
    import platform

    if platform.machine() != "x86_64":
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        if not _LIBC:
            _LIBC.append(ctypes.CDLL(None, use_errno=True))
        return bool(_LIBC[0].syscall(_SYS_KCMP, pid, ppid, _KCMP_VM, 0, 0) == 0)
    except (OSError, ValueError, IndexError):
        return False


class _Watch(threading.Thread):
    """Samples a process tree's peak RSS and PSS every 0.2 s; kills it past the timeout or the RSS limit."""

    def __init__(self, process: subprocess.Popen[bytes], started: float, timeout: float,
                 rss_limit_mb: float) -> None:
        super().__init__(daemon=True)
        self.process, self.started, self.timeout, self.rss_limit_mb = process, started, timeout, rss_limit_mb
        self.stop = threading.Event()
        self.peak, self.peak_pss, self.killed = 0, 0, None

    def run(self) -> None:
        while not self.stop.is_set() and self.process.poll() is None:
            rss, pss = _tree_memory_kb(self.process.pid)
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            elapsed = time.perf_counter() - self.started
            if elapsed > self.timeout:
                self.killed = f"killed after {elapsed:.0f} s"
            elif self.peak > self.rss_limit_mb * 1024:
                self.killed = f"killed at {self.peak / 1024:.0f} MB RSS after {elapsed:.0f} s"
            if self.killed:
                os.killpg(self.process.pid, signal.SIGKILL)
                return
            self.stop.wait(0.2)


_NEUTRAL: list[str] = []


def _neutral_cwd() -> str:
    if not _NEUTRAL:
        _NEUTRAL.append(tempfile.mkdtemp(prefix="bench-cwd-"))
    return _NEUTRAL[0]


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = 900,
    rss_limit_mb: float = 3_000,
    check: bool = True,
) -> Run:
    """Run `command`, sampling its process tree's RSS; kill it past `timeout` or `rss_limit_mb`.

    Without `cwd`, in an empty folder: a review-tui older than a0c41e4 started its worker pool's
    forkserver with the current directory first on sys.path, so run from a checkout its workers
    imported that checkout's `app` (a `before` run measured the `after` code in its workers)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            env=user_env() if env is None else env,
            cwd=cwd if cwd is not None else _neutral_cwd(),
            start_new_session=True,
        )
        # The process tree's RSS is sampled in a thread while this one waits: polling the exit every
        # 0.2 s rounded every run up to the next 0.2 s (`python -c pass` read 0.2 s, not 0.02 s).
        watch = _Watch(process, started, timeout, rss_limit_mb)
        watch.start()
        process.wait()
        seconds = time.perf_counter() - started
        watch.stop.set()
        watch.join()
        peak, peak_pss, killed = watch.peak, watch.peak_pss, watch.killed
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if check and not killed and process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:4])} ... failed ({process.returncode}): {stderr.strip()[-800:]}"
        )
    return Run(seconds, peak / 1024, killed, stdout, peak_pss / 1024)


def user_env() -> dict[str, str]:
    """This environment as a user's shell has it: Python may keep bytecode caches (a sandbox that sets
    PYTHONDONTWRITEBYTECODE makes every start compile the whole app, which no installed tool pays)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_app(python: str) -> None:
    """Byte-compile the app of `python`'s venv once, as `pip install` does for an installed package."""
    where = run([python, "-c", "import app, os; print(os.path.dirname(app.__file__))"]).stdout.strip()
    run([python, "-m", "compileall", "-q", where], env=user_env())


def entry_point() -> list[str]:
    from bench_list import entry_point as installed

    return installed()


# The scenario's release-sized change is a release branch (release/next), which the queue's default
# scope (issue 13) leaves out as a release line; a team reviewing its release lists it, and so does
# the benchmark: every review-tui it starts reads this user config.
QUEUE_CONFIG = "[queue]\nexclude = []  # list release/next too (a release-branch default otherwise)\n"


def write_user_config(config_dir: Path) -> Path:
    """A REVIEW_TUI_CONFIG_DIR holding the benchmark's user config."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(QUEUE_CONFIG)
    return config_dir


class Env:
    """Fresh REVIEW_TUI_* directories for a cold run; the same ones again for the warm runs after."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def fresh(self) -> dict[str, str]:
        self.count += 1
        folder = self.root / f"env{self.count}"
        env = {
            **user_env(),
            "REVIEW_TUI_CACHE_DIR": str(folder / "cache"),
            "REVIEW_TUI_DATA_DIR": str(folder / "data"),
            "REVIEW_TUI_CONFIG_DIR": str(write_user_config(folder / "config")),
        }
        env.pop("REVIEW_TUI_NO_CACHE", None)
        return env


# -- results -------------------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the table: baseline and review-tui samples (seconds, or MB where unit says)."""

    name: str
    baseline_label: str
    baseline: list[float] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)
    unit: str = "s"
    target: str = ""
    notes: list[str] = field(default_factory=list)
    killed: str | None = None

    def ratio(self) -> float | None:
        if not self.baseline or not self.samples:
            return None
        base = statistics.median(self.baseline)
        return statistics.median(self.samples) / base if base else None


def _stats(values: list[float], unit: str) -> str:
    if not values:
        return "-"
    fmt = (lambda v: f"{v:.0f}") if unit == "MB" else (lambda v: f"{v * 1000:.1f}ms" if v < 1 else f"{v:.2f}")
    lo, mid, hi = min(values), statistics.median(values), max(values)
    suffix = "" if unit == "MB" or mid < 1 else "s"
    return f"{fmt(lo)}/{fmt(mid)}/{fmt(hi)}{suffix}" + (" MB" if unit == "MB" else "")


def render(rows: list[Row]) -> str:
    header = ("what", "baseline (min/median/max)", "review-tui (min/median/max)", "ratio", "target")
    lines = [header]
    for row in rows:
        ratio = row.ratio()
        measured = _stats(row.samples, row.unit) + (f" [{row.killed}]" if row.killed else "")
        lines.append(
            (
                row.name,
                f"{row.baseline_label}: {_stats(row.baseline, 's')}" if row.baseline_label else "-",
                measured,
                f"{ratio:.2f}x" if ratio is not None else "-",
                row.target,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    for row in rows:
        out += [f"  {row.name}: {note}" for note in row.notes]
    return "\n".join(out)


def load_text() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- the TUI children (run as `bench_real.py --child NAME`; each prints one JSON line) -------------
def _review_app(repo: str) -> Any:
    from app import paths
    from app.analysis.analyzer import Analyzer
    from app.config import UserConfig
    from app.storage.cache import AnalysisCache
    from app.storage.ledger import Ledger
    from app.tui.app import make_app

    analyzer = Analyzer(repo, cache=AnalysisCache.open(paths.analysis_cache_path()))
    if hasattr(analyzer, "check_inputs"):  # what the CLI does before the screen (fail fast)
        analyzer.check_inputs()
        analyzer.prefetch_discovery()
    else:  # an older review-tui discovered here
        _ = analyzer.discovery
    return make_app(
        analyzer, user_config=UserConfig(reviewer_email="bench@example.com"), ledger=Ledger.open()
    )


def child_open(repo: str, change_id: str) -> dict[str, float]:
    """Seconds from asking the queue to open `change_id` to the first frame showing its change
    screen with the plan ("open"), and with its full detail loaded ("detail"); and the same for
    pushing a one-Static screen in the same app (the baseline). A frame is timed as it is rendered,
    so a refresh held up by other work is counted and nothing after it is."""
    from textual.screen import Screen
    from textual.widgets import Static

    from app.tui.screens.change import ChangeScreen
    from app.tui.screens.queue import QueueScreen

    class StaticScreen(Screen[None]):
        def compose(self) -> Any:
            yield Static("baseline")

    app = _review_app(repo)
    marks: dict[str, float] = {}
    state: dict[str, Any] = {"phase": "queue"}

    def mark(name: str) -> None:
        marks.setdefault(name, time.perf_counter() - state["t0"])

    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is None:
            return
        phase = state["phase"]
        if phase == "static" and isinstance(screen, StaticScreen):
            mark("static")
        elif phase in ("open", "detail") and isinstance(screen, ChangeScreen):
            # Open = the change screen painted with its plan (what the reviewer reads and picks a
            # chunk from); the full detail (the diff the chunk screen reads) may still be loading.
            if getattr(screen, "outline", None) or screen.detail or screen.error:  # an older review-tui: the detail
                mark("open")
            if screen.detail is not None or screen.error is not None:
                mark("detail")

    app._display = timed_display  # type: ignore[method-assign]

    def poll() -> None:
        screen = app.screen
        phase = state["phase"]
        if (
            phase == "queue"
            and isinstance(screen, QueueScreen)
            and screen.finished_at
            and not screen.analysing
        ):
            state.update(phase="static", t0=time.perf_counter())
            app.push_screen(StaticScreen())
        elif phase == "static" and "static" in marks:
            app.pop_screen()
            state["phase"] = "back"
        elif phase == "back" and isinstance(screen, QueueScreen):
            state.update(phase="open", t0=time.perf_counter())
            screen.open_change(change_id)
        elif phase == "open" and isinstance(screen, ChangeScreen):
            if "screen" not in marks:
                mark("screen")
            if "open" in marks:
                state["phase"] = "detail"
        elif phase == "detail" and "detail" in marks:
            state["phase"] = "done"
            app.exit()

    app.call_later(lambda: app.set_interval(0.005, poll))
    app.run(headless=True, size=(120, 40))
    return marks


def child_chunk(repo: str, change_id: str, presses: int) -> dict[str, Any]:
    """First paint and keypress times of the change's largest chunk, next to a one-Static screen."""
    import asyncio

    from bench_chunk_review import StaticScreen, measure

    from app import paths
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache
    from app.storage.ledger import Ledger
    from app.tui.review_session import ReviewSession
    from app.tui.screens.chunk import ChunkReviewScreen

    analyzer = Analyzer(repo, cache=AnalysisCache.open(paths.analysis_cache_path()))
    detail = analyzer.detail(change_id)
    chunks = detail.plan.chunks
    largest = max(range(len(chunks)), key=lambda i: chunks[i].changed_lines)

    async def go() -> dict[str, Any]:
        with Ledger.open() as ledger:
            session = ReviewSession.start(ledger, repo_key=analyzer.repo_key, reviewer="bench@example.com")
            baseline = await measure(StaticScreen, (120, 40), presses)
            big = await measure(lambda: ChunkReviewScreen(detail, largest, session), (120, 40), presses)
            session.end()
        return {
            "baseline": baseline,
            "chunk": big,
            "lines": chunks[largest].changed_lines,
            "kind": chunks[largest].kind,
            "title": chunks[largest].title,
        }

    return asyncio.run(go())


def child_plan(repo: str, change_id: str, repeat: int) -> dict[str, list[float]]:
    """GitRepo.diff of the change and build_plan on it (blob reads and spans included), interleaved."""
    from app.core.git.discovery import discover, find_change
    from app.core.git.repo import GitRepo
    from app.core.planner.builder import build_plan

    git = GitRepo(repo)
    from app.core.git.scope import QueueConfig

    change = find_change(discover(git, scope=QueueConfig(exclude=())), change_id)
    assert change.base is not None
    out: dict[str, list[float]] = {"diff": [], "plan": [], "diff_cpu": [], "plan_cpu": []}
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        files = git.diff(change.base, change.head)
        out["diff"].append(time.perf_counter() - wall)
        out["diff_cpu"].append(time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        build_plan(files, read_blob=git.blob)
        out["plan"].append(time.perf_counter() - wall)
        out["plan_cpu"].append(time.process_time() - cpu)
    return out


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--change", default=RELEASE)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if args.child == "open":
        result: Any = child_open(args.repo, args.change)
    elif args.child == "chunk":
        result = child_chunk(args.repo, args.change, args.repeat)
    elif args.child == "plan":
        result = child_plan(args.repo, args.change, args.repeat)
    else:
        raise SystemExit(f"unknown child {args.child}")
    print(json.dumps(result))


def _child(
    python: str, name: str, repo: Path, env: dict[str, str], timeout: float, **options: Any
) -> tuple[Any, Run]:
    command = [python, __file__, "--child", name, "--repo", str(repo)]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    done = run(command, env=env, timeout=timeout)
    data = json.loads(done.stdout.strip().splitlines()[-1]) if not done.killed else None
    return data, done


def _tui_child(
    python: str, case: str, repo: Path, env: dict[str, str], timeout: float
) -> tuple[dict[str, float] | None, Run]:
    command = [
        python,
        str(Path(__file__).with_name("bench_tui_start.py")),
        "--child",
        case,
        "--repo",
        str(repo),
    ]
    done = run(command, env=env, timeout=timeout)
    return (json.loads(done.stdout.strip().splitlines()[-1]) if not done.killed else None), done


# -- the rows ------------------------------------------------------------------------------------
@dataclass
class Baseline:
    """What the hand-made `list` baseline runs: changed Python file versions written to disk
    (once, not timed) and the changes to numstat."""

    files: list[str]
    changes: list[tuple[str, str, str]]
    unique_blobs: int


QUIT_AFTER = 3.0


def _quit_seconds(entry: list[str], repo: Path, env: dict[str, str], timeout: float) -> float | None:
    """Start the TUI in a pseudo-terminal, press `q` QUIT_AFTER seconds later, and return how long the
    process took to end after it (None if it did not within `timeout`)."""
    import fcntl
    import pty
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: the TUI, in a 120x35 terminal
        os.execvpe(entry[0], [*entry, "--repo", str(repo)], {**env, "TERM": "xterm-256color"})
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 35, 120, 0, 0))
    os.set_blocking(fd, False)
    started = time.monotonic()
    pressed: float | None = None
    try:
        while time.monotonic() - started < timeout:
            try:
                os.read(fd, 65536)  # keep the terminal's output drained
            except BlockingIOError:
                pass
            except OSError:
                pass  # the child closed its side
            if pressed is None and time.monotonic() - started >= QUIT_AFTER:
                os.write(fd, b"q")
                pressed = time.monotonic()
            if os.waitpid(pid, os.WNOHANG)[0]:
                return time.monotonic() - pressed if pressed is not None else 0.0
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return None
    finally:
        os.close(fd)


def prepare_baseline(repo: Path, folder: Path) -> Baseline:
    from bench_list import write_versions

    changes, written, _count, unique = write_versions(repo, folder)
    return Baseline([str(p) for p in written], changes, unique)


def time_baseline(repo: Path, baseline: Baseline, timeout: float) -> float:
    """One run of the hand-made baseline: radon cc CLI on every version + numstat per change."""
    from bench_list import _batches, radon_command

    total = 0.0
    for command in _batches([*radon_command(), "cc", "-s", "-j"], baseline.files):
        total += run(command, timeout=timeout).seconds
    for _change_id, base, head in baseline.changes:
        total += run(["git", "diff", "--numstat", f"{base}...{head}"], cwd=str(repo), timeout=timeout).seconds
    return total


class Shared:
    """What the variants of one run share: the temp folders, and each iteration's baselines (measured
    once and set beside every variant's figure, so before and after meet the same baseline)."""

    def __init__(self, scratch: Path, timeout: float, log: Callable[[str], None]) -> None:
        self.scratch = scratch
        self.envs = Env(scratch)
        self.timeout = timeout
        self.log = log
        self.iteration = 0
        self._values: dict[tuple[int, str], Any] = {}
        self._prepared: dict[str, Baseline] = {}

    def value(self, key: str, measure: Callable[[], Any]) -> Any:
        if (self.iteration, key) not in self._values:
            self._values[self.iteration, key] = measure()
        return self._values[self.iteration, key]

    def list_baseline(self, repo: Path) -> float:
        """numstat + radon cc CLI on `repo` (its versions written once, untimed)."""
        if str(repo) not in self._prepared:
            prepared = prepare_baseline(repo, self.scratch / f"versions-{len(self._prepared)}")
            self.log(
                f"baseline of {repo.name}: {len(prepared.files)} Python file versions "
                f"({prepared.unique_blobs} distinct) of {len(prepared.changes)} changes"
            )
            self._prepared[str(repo)] = prepared
        return self.value(
            f"list:{repo}", lambda: time_baseline(repo, self._prepared[str(repo)], self.timeout)
        )


class Bench:
    """The rows for one variant of review-tui (an interpreter whose `review-tui` is that variant)."""

    def __init__(
        self,
        scenario: Any,
        label: str,
        python: str,
        shared: Shared,
        timeout: float,
        rss_limit_mb: float,
    ) -> None:
        self.scenario = scenario
        self.label = label
        self.python = python
        self.entry = [str(Path(python).with_name("review-tui"))]
        self.shared = shared
        self.repo = Path(scenario.dest)
        self.one = Path(scenario.one_pr_dest)
        self.timeout = timeout
        self.rss_limit_mb = rss_limit_mb
        self.envs = shared.envs
        self.warm_env: dict[str, str] | None = None  # the cache a cold list filled
        self.earlier_cache: Path | None = None  # a cache filled at the base MOVED_BY commits back
        self.rows: dict[str, Row] = {}
        self.first_list: str | None = None

    def row(self, key: str, name: str, baseline_label: str = "", unit: str = "s", target: str = "") -> Row:
        if key not in self.rows:
            self.rows[key] = Row(f"{name} [{self.label}]", baseline_label, unit=unit, target=target)
        return self.rows[key]

    def cli(self, *args: str, env: dict[str, str], repo: Path | None = None) -> Run:
        command = [*self.entry, *args, "--repo", str(repo or self.repo)]
        return run(command, env=env, timeout=self.timeout, rss_limit_mb=self.rss_limit_mb)

    def ensure_warm_env(self) -> dict[str, str]:
        if self.warm_env is None:
            env = self.envs.fresh()
            done = run(
                [*self.entry, "list", "--json", "--repo", str(self.repo)],
                env=env,
                timeout=max(self.timeout, 3_600),
            )
            if done.killed:
                raise RuntimeError(
                    f"the cold `list` that fills the cache for the warm rows was {done.killed}"
                )
            self.first_list, self.warm_env = done.stdout, env
        return self.warm_env

    # -- the rows, one sample each --------------------------------------------------------------
    def cold_list(self) -> None:
        row = self.row("cold_list", "cold `list`, all branches", "numstat + radon cc CLI", target="<= 0.5x")
        row.baseline.append(self.shared.list_baseline(self.repo))
        env = self.envs.fresh()
        done = self.cli("list", "--json", env=env)
        self._record(row, done)
        if not done.killed:
            self.warm_env = env
            self.first_list = self.first_list or done.stdout
            rss = self.row("cold_list_rss", "cold `list`, peak RSS", unit="MB", target="<= 300 MB")
            rss.samples.append(done.peak_mb)
            pss = self.row("cold_list_pss", "cold `list`, peak PSS (shared pages split)", unit="MB")
            pss.samples.append(done.peak_pss_mb)

    def warm_list(self) -> None:
        env = self.ensure_warm_env()
        row = self.row("warm_list", "warm `list`", "python -c pass", target="<= 0.3 s")
        row.baseline.append(self.shared.value("pass", lambda: run([sys.executable, "-c", "pass"]).seconds))
        self._record(row, self.cli("list", "--json", env=env))

    def moved_list(self) -> None:
        """`list` after a fetch moved the base: each sample starts from a copy of a cache a cold run
        filled at the base MOVED_BY first-parent commits back (the pull requests and their files
        unchanged), so every sample is the first run at the new base. The queue is the default one,
        without release/next: that branch holds the base, so its merge base moves with it and its
        1,366 files are analysed again (3 s, work a moved release branch does need)."""
        import shutil

        def default_queue() -> dict[str, str]:
            env = self.envs.fresh()
            (Path(env["REVIEW_TUI_CONFIG_DIR"]) / "config.toml").write_text("")
            return env

        row = self.row("moved_list", f"`list` after the base moved {MOVED_BY} commits", "python -c pass",
                       target="<= 0.3 s")
        if self.earlier_cache is None:
            env = default_queue()
            done = self.cli("list", "--json", "--base", f"{self.scenario.base}~{MOVED_BY}", env=env)
            if done.killed:
                row.killed = done.killed
                return
            self.earlier_cache = Path(env["REVIEW_TUI_CACHE_DIR"])
        row.baseline.append(self.shared.value("pass", lambda: run([sys.executable, "-c", "pass"]).seconds))
        env = default_queue()
        shutil.copytree(self.earlier_cache, env["REVIEW_TUI_CACHE_DIR"])
        self._record(row, self.cli("list", "--json", env=env))
        # and the TUI's first start after that fetch, from another copy
        env = default_queue()
        shutil.copytree(self.earlier_cache, env["REVIEW_TUI_CACHE_DIR"])
        marks, done = _tui_child(self.python, "queue", self.repo, env, self.timeout)
        for key, name, mark in (("moved_tui_paint", "TUI first painted queue", "first_paint"),
                                ("moved_tui_row", "TUI first ranked row", "first_scored")):
            tui = self.row(key, f"{name} after the base moved {MOVED_BY} commits", target="as warm")
            if marks and mark in marks:
                tui.samples.append(marks[mark])
            elif done.killed:
                tui.killed = done.killed

    def tui(self) -> None:
        def trivial() -> float | None:
            marks, _ = _tui_child(sys.executable, "trivial", self.repo, user_env(), self.timeout)
            return marks["first_paint"] if marks else None

        base = self.shared.value("trivial", trivial)
        env = self.envs.fresh()
        cold, done = _tui_child(self.python, "queue", self.repo, env, self.timeout)
        warm = _tui_child(self.python, "queue", self.repo, env, self.timeout)[0] if cold else None
        for key, name, marks, mark, target in (
            ("tui_warm_paint", "TUI first painted queue, warm", warm, "first_paint", "<= 1.5x"),
            ("tui_cold_paint", "TUI first painted queue, cold", cold, "first_paint", "<= 1.5x"),
            ("tui_cold_rows", "TUI cold: first rows (sizes)", cold, "first_rows", "<= 1.5 s"),
            ("tui_cold_row", "TUI cold: first ranked row", cold, "first_scored", "<= 1.5 s"),
            ("tui_cold_all", "TUI cold: all rows scored", cold, "analysed", "progressive"),
        ):
            row = self.row(key, name, "trivial Textual app" if base is not None else "", target=target)
            if base is not None:
                row.baseline.append(base)
            if marks and mark in marks:
                row.samples.append(marks[mark])
            elif done.killed:
                row.killed = done.killed
        self.row("tui_cold_rss", "TUI cold: peak RSS", unit="MB", target="<= 300 MB").samples.append(
            done.peak_mb
        )
        self.row("tui_cold_pss", "TUI cold: peak PSS (shared pages split)", unit="MB").samples.append(
            done.peak_pss_mb
        )

    def quit(self) -> None:
        """`q` pressed QUIT_AFTER seconds into a first analysis (workers measuring and walking), against
        the same quit on a warm start, where nothing runs: the seconds until the process has ended."""
        warm = self.ensure_warm_env()
        row = self.row("quit", f"TUI quit {QUIT_AFTER:.0f} s into the first analysis", "the same quit, warm",
                       target="as warm")
        row.baseline.append(_quit_seconds(self.entry, self.repo, warm, self.timeout))
        seconds = _quit_seconds(self.entry, self.repo, self.envs.fresh(), self.timeout)
        if seconds is None:
            row.killed = "did not end"
        else:
            row.samples.append(seconds)

    def one_pr(self) -> None:
        row = self.row(
            "one_pr",
            f"cold `list`, one-PR repo ({self.scenario.one_pr})",
            "numstat + radon cc CLI",
            target="proportional",
        )
        row.baseline.append(self.shared.list_baseline(self.one))
        self._record(row, self.cli("list", "--json", env=self.envs.fresh(), repo=self.one))

    def plan(self) -> None:
        data, _done = _child(
            self.python, "plan", self.repo, user_env(), self.timeout, change=RELEASE, repeat=1
        )
        diff = data["diff"][0] if data else None
        row = self.row(
            "plan_alone", f"plan of {RELEASE} (build_plan, in process)", "GitRepo.diff", target="<= 1x"
        )
        if data:
            row.baseline.append(diff)
            row.samples.append(data["plan"][0])
        warm = self.ensure_warm_env()
        for key, name, env in (
            ("chunks_warm", f"`chunks {RELEASE}` warm", warm),
            ("chunks_cold", f"`chunks {RELEASE}` cold", self.envs.fresh()),
        ):
            row = self.row(key, name, "GitRepo.diff", target="plan <= 1x on top of the diff")
            if diff is not None:
                row.baseline.append(diff)
            self._record(row, self.cli("chunks", RELEASE, "--json", env=env))

    def open(self) -> None:
        env = self.ensure_warm_env()
        data, done = _child(self.python, "open", self.repo, env, self.timeout, change=RELEASE)
        row = self.row("open", f"open {RELEASE} in the TUI (warm)", "push a Static screen", target="<= 1 s")
        if data:
            row.baseline.append(data["static"])
            row.samples.append(data["open"])
        else:
            row.killed = done.killed
        loaded = self.row("open_detail", f"open {RELEASE}: its diff loaded (chunks can open)", target="-")
        if data and "detail" in data:
            loaded.samples.append(data["detail"])

    def chunk(self) -> None:
        env = self.ensure_warm_env()
        data, done = _child(self.python, "chunk", self.repo, env, self.timeout, change=RELEASE, repeat=10)
        if not data:
            self.row("chunk_open", "largest chunk paints").killed = done.killed
            return
        base, big = data["baseline"], data["chunk"]
        # Paint: the first frame showing the chunk screen with its diff; settled: the app idle after
        # it (header and footer updates, rows rendered ahead). An older review-tui's bench lacks the frame.
        painted = self.row(
            "chunk_open",
            f"largest chunk ({data['lines']} lines, {data['kind']}) paints",
            "a Static screen",
            target="<= 0.1 s",
        )
        if "reopen frame" in big:
            painted.baseline.append(base["reopen frame"])
            painted.samples.append(big["reopen frame"])
        opened = self.row("chunk_settled", "largest chunk, app idle after it opened", "a Static screen")
        opened.baseline.append(base["reopen"])
        opened.samples.append(big["reopen"])
        first = self.row("chunk_first_open", "largest chunk, first open in an app", "a Static screen")
        first.baseline.append(base["open"])
        first.samples.append(big["open"])
        for key in ("pagedown", "j"):
            # frame: key -> its frame rendered; wall: pilot's press + pause (waits for idle, so it
            # includes rendering ahead); cpu: this process's CPU over the same span
            for clock in ("frame", "wall", "cpu"):
                row = self.row(
                    f"{key}_{clock}",
                    f"scroll keypress `{key}`, median {'key to frame' if clock == 'frame' else clock}",
                    "same key, one-Static screen",
                    target="<= 16 ms" if clock == "frame" else "",
                )
                row.baseline.append(base[f"{key} {clock}"])
                row.samples.append(big[f"{key} {clock}"])

    def explain(self) -> None:
        name, files = self._explain_target()
        row = self.row(
            "explain",
            f"cold `explain {name}` ({len(files)} files)",
            "git blame base..head per file",
            target="seconds",
        )
        if row.killed:
            return
        base = run(
            ["git", "merge-base", self.scenario.base, self.scenario.prs[name]], cwd=str(self.repo)
        ).stdout.strip()
        head = self.scenario.prs[name]

        def blame_all() -> float:
            return sum(
                run(
                    ["git", "blame", "--porcelain", f"{base}..{head}", "--", path],
                    cwd=str(self.repo),
                    timeout=self.timeout,
                ).seconds
                for path in files
            )

        row.baseline.append(self.shared.value("blame", blame_all))
        self._record(row, self.cli("explain", name, "--json", env=self.envs.fresh()))

    def _explain_target(self) -> tuple[str, list[str]]:
        """The pull request with the most changed Python files that still exist at its head."""

        def pick() -> tuple[str, list[str]]:
            best: tuple[int, str, list[str]] = (-1, "", [])
            for name, head in sorted(self.scenario.prs.items()):
                out = run(
                    ["git", "diff", "--name-only", "--diff-filter=AMR", f"{self.scenario.base}...{head}"],
                    cwd=str(self.repo),
                ).stdout.split()
                python = [p for p in out if p.endswith(".py")]
                if len(python) > best[0]:
                    best = (len(python), name, out)
            return best[1], best[2]

        return self._cached_target(pick)

    def _cached_target(self, pick: Callable[[], tuple[str, list[str]]]) -> tuple[str, list[str]]:
        if not hasattr(self.shared, "explain_target"):
            self.shared.explain_target = pick()  # type: ignore[attr-defined]
        return self.shared.explain_target  # type: ignore[attr-defined,no-any-return]

    def range(self) -> None:
        spec = f"{self.scenario.range_start}..{self.scenario.range_end}"
        count = int(run(["git", "rev-list", "--count", spec], cwd=str(self.repo)).stdout)
        row = self.row(
            "range", f"cold `list --range` ({count} commits)", "git log --numstat", target="minutes"
        )
        if row.killed:
            return
        row.baseline.append(
            self.shared.value(
                "log",
                lambda: (
                    run(["git", "log", "--numstat", spec], cwd=str(self.repo), timeout=self.timeout).seconds
                ),
            )
        )
        done = self.cli("list", "--json", "--range", spec, env=self.envs.fresh())
        self._record(row, done)
        self.row("range_rss", "cold `list --range`, peak RSS", unit="MB", target="<= 300 MB").samples.append(
            done.peak_mb
        )
        self.row("range_pss", "cold `list --range`, peak PSS (shared pages split)", unit="MB").samples.append(
            done.peak_pss_mb
        )

    def _record(self, row: Row, done: Run) -> None:
        if done.killed:
            row.killed = done.killed
        else:
            row.samples.append(done.seconds)


HEAVY = ("cold_list", "tui", "quit", "plan", "explain", "range")


def measure(
    benches: list[Bench],
    rows: list[str],
    runs: int,
    heavy_runs: int,
    shared: Shared,
    log: Callable[[str], None],
) -> list[Row]:
    """Every selected row, `runs` times (the heavy ones `heavy_runs` times), variants interleaved."""
    for number in range(runs):
        shared.iteration = number
        for name in rows:
            if name in HEAVY and number >= heavy_runs:
                continue
            for bench in benches:
                if name in ("explain", "range") and bench.rows.get(name) and bench.rows[name].killed:
                    continue  # a killed run is not repeated
                started = time.perf_counter()
                try:
                    getattr(bench, name)()
                except Exception as exc:  # one broken row must not lose the others' figures
                    bench.row(f"{name}_error", f"{name}: failed").notes.append(f"{type(exc).__name__}: {exc}")
                    log(f"run {number + 1}: {name} [{bench.label}] FAILED: {type(exc).__name__}: {exc}")
                log(
                    f"run {number + 1}/{runs}: {name} [{bench.label}] done in "
                    f"{time.perf_counter() - started:.1f} s (load {load_text()})"
                )
    ordered: list[Row] = []
    keys = list(dict.fromkeys(key for bench in benches for key in bench.rows))
    for key in keys:
        ordered += [bench.rows[key] for bench in benches if key in bench.rows]
    return ordered


# -- correctness: figures and plans before and after -----------------------------------------------
def snapshot(bench: Bench) -> dict[str, Any]:
    """`list --json` (ages dropped) and `chunks --json` of every branch, from the cache a cold list filled."""
    env = bench.ensure_warm_env()
    assert bench.first_list is not None
    listed = json.loads(bench.first_list)
    for item in listed:
        item.pop("age_seconds", None)
    plans = {}
    for item in listed:
        if item.get("error"):
            continue
        plans[item["id"]] = json.loads(bench.cli("chunks", item["id"], "--json", env=env).stdout)
    return {"list": listed, "chunks": plans}


def compare(saved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """The differences between two snapshots, as readable lines (empty: identical)."""
    problems: list[str] = []
    before = {item["id"]: item for item in saved["list"]}
    after = {item["id"]: item for item in now["list"]}
    if [i["id"] for i in saved["list"]] != [i["id"] for i in now["list"]]:
        problems.append("the ranking (order of `list --json`) differs")
    for change_id in sorted(before.keys() | after.keys()):
        old, new = before.get(change_id), after.get(change_id)
        if old is None or new is None:
            problems.append(f"{change_id}: listed {'after' if old is None else 'before'} only")
            continue
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                problems.append(f"{change_id}: {key}: {str(old.get(key))[:80]} -> {str(new.get(key))[:80]}")
    for change_id in sorted(saved["chunks"].keys() | now["chunks"].keys()):
        if saved["chunks"].get(change_id) != now["chunks"].get(change_id):
            problems.append(f"{change_id}: `chunks --json` differs")
    return problems


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(argv)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror", type=Path, help="git dir of the fetched mirror")
    parser.add_argument("--dest", type=Path, default=Path(tempfile.gettempdir()) / "review-tui-real")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", default=",".join(ROWS), help=f"comma-separated subset of {','.join(ROWS)}")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a run is killed")
    parser.add_argument(
        "--rss-limit-mb", type=float, default=3_000, help="RSS (process tree) before a run is killed"
    )
    parser.add_argument(
        "--heavy-runs", type=int, help=f"runs of the heavy rows ({', '.join(HEAVY)}); default --runs"
    )
    parser.add_argument(
        "--before",
        help="the interpreter of a `before` checkout's venv: every row is measured "
        "for it and for this one, interleaved, and their figures and plans compared",
    )
    parser.add_argument("--save", type=Path, help="write the figures and plans snapshot here")
    parser.add_argument("--compare", type=Path, help="compare the figures and plans with a saved snapshot")
    parser.add_argument("--out", type=Path, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    rows = [r for r in args.rows.split(",") if r]
    unknown = sorted(set(rows) - set(ROWS))
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)}")

    from real_scenario import build

    scenario = build(args.mirror, args.dest, log=lambda m: print(m, file=sys.stderr))
    print(
        f"scenario: {scenario.dest}: {len(scenario.prs)} pull requests + {RELEASE} "
        f"({scenario.release_commits} commits) on {scenario.base[:10]}; "
        f"cpus {os.cpu_count()}; load before: {load_text()}",
        flush=True,
    )
    heavy_runs = args.runs if args.heavy_runs is None else args.heavy_runs
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="bench-real-") as scratch:
        # this process (the baseline's discovery) and every child started with user_env() read it
        os.environ["REVIEW_TUI_CONFIG_DIR"] = str(write_user_config(Path(scratch) / "user-config"))
        shared = Shared(Path(scratch), args.timeout, log)
        variants = (
            [("before", args.before), ("after", sys.executable)] if args.before else [("now", sys.executable)]
        )
        for _label, python in variants:
            compile_app(python)
        benches = [
            Bench(scenario, label, python, shared, args.timeout, args.rss_limit_mb)
            for label, python in variants
        ]
        results = measure(benches, rows, args.runs, heavy_runs, shared, log)
        print(f"\n{args.runs} runs per row ({heavy_runs} of {', '.join(HEAVY)}); load after: {load_text()}\n")
        print(render(results))
        if args.out:
            args.out.write_text(json.dumps([vars(r) for r in results], indent=1))
        problems: list[str] = []
        if args.before:
            problems = compare(snapshot(benches[0]), snapshot(benches[-1]))
            print(
                "\nfigures (`list --json`) and plans (`chunks --json` of every change), before vs after: "
                + ("identical" if not problems else f"{len(problems)} difference(s)")
            )
        if args.save or args.compare:
            now = snapshot(benches[-1])
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / "snapshot.json").write_text(json.dumps(now, indent=1, sort_keys=True))
                print(
                    f"\nsaved figures of {len(now['list'])} changes and {len(now['chunks'])} plans "
                    f"to {args.save}"
                )
            if args.compare:
                found = compare(json.loads((args.compare / "snapshot.json").read_text()), now)
                print(
                    f"\nfigures and plans vs {args.compare}: "
                    + ("identical" if not found else f"{len(found)} difference(s)")
                )
                problems += found
        for line in problems[:50]:
            print(f"  {line}")
        if problems:
            sys.exit(1)


if __name__ == "__main__":
    main()
