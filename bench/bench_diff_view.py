"""Benchmark of the DiffView on a 30,000-line diff and a 5,000-line chunk, against a baseline.

In one run, with App.run_test (headless, real rendering through the compositor):
- the time to set 30,000 lines on a mounted DiffView and paint the first screen;
- the median time per keypress (PgDn and j), `pilot.press` + `pilot.pause()` so each press is
  rendered, on the 30,000-line diff and on a single 5,000-line chunk, as wall time (what a person
  waits, mostly Textual's frame pacing) and as CPU time of this process (what the work costs);
- the baseline: the same presses on a trivial app that shows only a Static, so the ratio is what
  the diff view costs on top of Textual's own key handling and screen update;
- each reading mode of the view (--modes): unified (the default), split (side by side), wrap
  (long lines wrapped), split+wrap. The 5,000-row chunk changes one line in four, so every one of
  its runs is a pair whose words are compared (word-level emphasis) on first paint;
- render CPU per page: the CPU time of render_line over the rows of 30 fresh pages (scrolled
  directly, no key handling, best of 3), in each mode, against the unified mode in the same run.
  Keypress times carry Textual's frame pacing and the machine's noise; this isolates the view's
  own work per page of new rows (lexing, word pairing, strips).
The diff is real: a repository built with the sample RepoBuilder and diffed by app.core.git.repo.
Usage: python bench/bench_diff_view.py [--presses 60] [--size 120x40] [--modes unified,split,wrap,split+wrap]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from app.core.git.repo import GitRepo
from app.samples import load
from app.tui.themes import default_theme_dirs, load_themes, theme_variable_defaults
from app.tui.widgets.diff_view import DiffView, DisplayLine, display_lines_for_files


def build_diff(folder: Path, functions: int, *, modify: bool) -> list[DisplayLine]:
    """A Python file of `functions` two-line functions, added (or, with `modify`, one line in four
    changed) in a real repository; returns the DiffView rows of that diff."""
    samples = load()
    builder = samples.RepoBuilder(folder)
    dev = samples.Person("Bench", "bench@example.com")

    def module(version: int) -> str:
        return "".join(
            f"def handler_{i}(event, retries=3):\n"
            f"    return event.get('key_{i}', {i if i % 4 or not version else i * 10}) + retries  # note\n"
            for i in range(functions)
        )

    base = builder.commit("base", {"svc/handlers.py": module(0) if modify else None, "README.md": "x\n"},
                          author=dev)
    head = builder.commit("change", {"svc/handlers.py": module(1)}, author=dev)
    return display_lines_for_files(GitRepo(str(folder)).diff(base, head))


MODES = {"unified": {"split": "off", "wrap": False}, "split": {"split": "on", "wrap": False},
         "wrap": {"split": "off", "wrap": True}, "split+wrap": {"split": "on", "wrap": True}}


class DiffApp(App[None]):
    def __init__(self, theme_name: str = "review-dark", mode: str = "unified") -> None:
        super().__init__()
        self.mode = mode
        themes, _errors = load_themes(default_theme_dirs())
        for theme in themes.values():
            self.register_theme(theme.to_textual())
        self.theme = theme_name

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    def compose(self) -> ComposeResult:
        options = MODES[self.mode]
        yield DiffView(id="diff", split=options["split"], wrap=bool(options["wrap"]))  # type: ignore[arg-type]


class BaselineApp(App[None]):
    """The trivial app: a Static and a key binding that changes its text (so each press repaints)."""

    BINDINGS: ClassVar[list[BindingType]] = [("pagedown", "bump", ""), ("j", "bump", "")]

    def compose(self) -> ComposeResult:
        yield Static("baseline", id="static")

    def action_bump(self) -> None:
        self.query_one(Static).update(f"pressed at {time.perf_counter():.6f}")


async def time_presses(app: App, key: str, presses: int, size: tuple[int, int],
                       lines: list[DisplayLine] | None = None) -> tuple[list[float], list[float], float]:
    """Per-press wall and CPU times for `key`, and (for a DiffView app) the time to set `lines`
    and paint the first screen."""
    load_time = 0.0
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if lines is not None:
            view = app.query_one(DiffView)
            started = time.perf_counter()
            view.set_lines(lines)
            await pilot.pause()
            load_time = time.perf_counter() - started
        walls, cpus = [], []
        for _ in range(presses):
            started, cpu_started = time.perf_counter(), time.process_time()
            await pilot.press(key)
            await pilot.pause()
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu_started)
    return walls, cpus, load_time


async def render_cpu_per_page(lines: list[DisplayLine], mode: str, size: tuple[int, int],
                              pages: int = 30, repeat: int = 3) -> float:
    """CPU seconds of render_line for one page of rows never drawn before, best of `repeat`."""
    best = float("inf")
    for _ in range(repeat):
        app = DiffApp(mode=mode)
        async with app.run_test(size=size) as pilot:
            view = app.query_one(DiffView)
            view.set_lines(lines)
            await pilot.pause()
            height = view.scrollable_content_region.height
            gc.collect()
            gc.disable()  # as timeit does: a collection of the whole run's objects is not the view's cost
            try:
                started = time.process_time()
                for page in range(1, pages + 1):
                    view.scroll_to(y=page * height, animate=False, immediate=True)
                    for y in range(height):
                        view.render_line(y)
                best = min(best, (time.process_time() - started) / pages)
            finally:
                gc.enable()
    return best


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


async def run(presses: int, size: tuple[int, int], modes: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        big = build_diff(Path(tmp) / "big", 15_000, modify=False)  # one added file: 30,000 rows
        chunk = build_diff(Path(tmp) / "chunk", 2_250, modify=True)  # a ~5,000-row modified chunk
        print(f"built repositories and diffs in {time.perf_counter() - started:.2f} s: "
              f"{len(big):,} rows and {len(chunk):,} rows")

    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for key in ("pagedown", "j"):
        walls, cpus, _ = await time_presses(BaselineApp(), key, presses, size)
        wall[f"baseline {key}"], cpu[f"baseline {key}"] = statistics.median(walls), statistics.median(cpus)
    load_times = []
    for mode in modes:
        for label, lines in (("30k", big), ("5k chunk", chunk)):
            for key in ("pagedown", "j"):
                walls, cpus, load_time = await time_presses(DiffApp(mode=mode), key, presses, size, lines)
                name = f"{mode} {label} {key}"
                wall[name], cpu[name] = statistics.median(walls), statistics.median(cpus)
                if key == "pagedown":
                    load_times.append((f"{mode} {label}", load_time))

    render = {(mode, label): await render_cpu_per_page(lines, mode, size)
              for mode in modes for label, lines in (("30k", big), ("5k chunk", chunk))}

    print(f"terminal {size[0]}x{size[1]}, {presses} presses per measurement, medians:")
    for label, load_time in load_times:
        print(f"  set_lines + first paint ({label}): {ms(load_time)}")
    print(f"  {'key':>8}  {'app':<32} {'wall':>10} {'ratio':>7}   {'cpu':>10} {'ratio':>7}")
    for key in ("pagedown", "j"):
        base = f"baseline {key}"
        print(f"  {key:>8}  {'baseline Static app':<32} {ms(wall[base])} {'':>7}   {ms(cpu[base])}")
        for mode in modes:
            for label in ("30k", "5k chunk"):
                name = f"{mode} {label} {key}"
                print(f"  {key:>8}  {'DiffView ' + mode + ' ' + label:<32} {ms(wall[name])} "
                      f"{wall[name] / wall[base]:6.2f}x   {ms(cpu[name])} {cpu[name] / cpu[base]:6.2f}x")
    print("render CPU per page of new rows (best of 3), against the unified mode:")
    for label in ("30k", "5k chunk"):
        unified = render.get(("unified", label))
        for mode in modes:
            value = render[(mode, label)]
            ratio = f"{value / unified:6.2f}x" if unified else "      -"
            print(f"  {'DiffView ' + mode + ' ' + label:<32} {ms(value)} {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--size", default="120x40", help="terminal WIDTHxHEIGHT")
    parser.add_argument("--modes", default="unified,split,wrap,split+wrap",
                        help=f"comma-separated reading modes of the view: {', '.join(MODES)}")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.lower().split("x"))
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(unknown)}; choose from {', '.join(MODES)}")
    asyncio.run(run(args.presses, (width, height), modes))


if __name__ == "__main__":
    main()
