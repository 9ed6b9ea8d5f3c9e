"""Benchmark of the chunk review screen on the largest sample change, against a baseline.

The change is the payments sample's ai/generated-sdk-client (21,670 changed lines, 157 files);
its largest chunk is the collapsed sdk/openapi.json (about 5,000 changed lines). In one run, with
App.run_test (headless, real rendering through the compositor) and a real ledger file:
- open: the time from pushing ChunkReviewScreen on that chunk to its first paint (header, ledger
  session bookkeeping, rows, DiffView), first in a fresh app (stylesheets parsed, Pygments lexers
  compiled) and again in the same app (what every later chunk costs), and the time to expand its
  5,000 lines (press e, painted); the two opens also for the plan's largest code chunk;
- scroll: the median time per keypress (pagedown and j) on the expanded chunk, each press followed
  by pilot.pause() so it is painted, as wall time and as CPU time of this process, and as the time
  from the key to the first frame rendered after it (what a reader waits for);
- baseline: pushing a screen holding one Static (first and again), and the same keypresses on a
  screen whose binding only changes a Static's text, so the ratios are what the chunk screen costs
  on top of Textual.
Usage: python bench/bench_chunk_review.py [--presses 40] [--size 120x40] [--samples DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Static

from app.analysis.analyzer import Analyzer
from app.analysis.report import ChangeDetail
from app.core.planner.model import KIND_CODE
from app.samples import load
from app.storage.ledger import Ledger
from app.tui.review_session import ReviewSession
from app.tui.screens.chunk import ChunkReviewScreen
from app.tui.themes import default_theme_dirs, load_themes, theme_variable_defaults

CHANGE = "ai/generated-sdk-client"


class StaticScreen(Screen[None]):
    """The baseline screen: one Static; its keys only change the Static's text (so each repaints)."""

    BINDINGS: ClassVar[list[BindingType]] = [("pagedown", "bump", ""), ("j", "bump", "")]

    def compose(self) -> ComposeResult:
        yield Static("baseline", id="static")

    def action_bump(self) -> None:
        self.query_one(Static).update(f"pressed at {time.perf_counter():.6f}")


class HostApp(App[None]):
    """review-tui's themes and nothing else; screens are pushed by the benchmark."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[float] = []  # when each frame finished rendering (perf_counter)
        self.frame_screens: list[Screen[object]] = []  # the screen each frame showed
        themes, _errors = load_themes(default_theme_dirs())
        for theme in themes.values():
            self.register_theme(theme.to_textual())
        self.theme = "review-dark"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    def _display(self, screen: Screen[object], renderable: object) -> None:  # type: ignore[override]
        if renderable is not None:  # a frame was rendered (headless: nothing is written)
            self.frames.append(time.perf_counter())
            self.frame_screens.append(screen)
        super()._display(screen, renderable)  # type: ignore[arg-type]

    def frame_after(self, moment: float, screen: Screen[object] | None = None) -> float | None:
        """Seconds from `moment` to the first frame rendered after it (showing `screen`, if given)."""
        return next((t - moment for t, shown in zip(self.frames, self.frame_screens, strict=True)
                     if t > moment and (screen is None or shown is screen)), None)


async def measure(make_screen: Callable[[], Screen[None]], size: tuple[int, int], presses: int,
                  *, expand: bool = False) -> dict[str, float | list[float]]:
    """Open a screen (first paint), optionally expand it, then time keypresses."""
    app = HostApp()
    result: dict[str, float | list[float]] = {}
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        await app.push_screen(screen := make_screen())
        await pilot.pause()
        result["open"] = time.perf_counter() - started
        result["open frame"] = app.frame_after(started, screen) or float("nan")
        # Opened again in the same app, as a reviewer does: stylesheets are parsed, lexers compiled.
        await app.pop_screen()
        await pilot.pause()
        started = time.perf_counter()
        await app.push_screen(screen := make_screen())
        await pilot.pause()
        result["reopen"] = time.perf_counter() - started
        # Paint: the first frame showing the new screen (its diff rows included). "reopen" runs on
        # until the app is idle: later header and footer updates, rows rendered ahead of the view.
        result["reopen frame"] = app.frame_after(started, screen) or float("nan")
        if expand:
            started = time.perf_counter()
            await pilot.press("e")
            await pilot.pause()
            result["expand"] = time.perf_counter() - started
        for key in ("pagedown", "j"):
            walls, cpus, frames = [], [], []
            for _ in range(presses):
                started, cpu_started = time.perf_counter(), time.process_time()
                await pilot.press(key)
                await pilot.pause()
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu_started)
                frame = app.frame_after(started)
                if frame is not None:
                    frames.append(frame)
            result[f"{key} wall"] = statistics.median(walls)
            result[f"{key} cpu"] = statistics.median(cpus)
            # The latency a reader sees: key sent -> the frame showing its effect rendered (pilot's
            # wall time above also waits for the app to go idle, and CPU time counts work done after
            # the frame, such as rendering the next page ahead).
            result[f"{key} frame"] = statistics.median(frames) if frames else float("nan")
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


async def run(presses: int, size: tuple[int, int], samples_dir: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = samples_dir or Path(tmp) / "samples"
        started = time.perf_counter()
        load().build_all(root)
        analyzer = Analyzer(root / "payments-service")
        detail: ChangeDetail = analyzer.detail(CHANGE)
        chunks = detail.plan.chunks
        largest = max(range(len(chunks)), key=lambda i: chunks[i].changed_lines)
        largest_code = max((i for i, c in enumerate(chunks) if c.kind == KIND_CODE),
                           key=lambda i: chunks[i].changed_lines)
        figures = detail.report.figures
        elapsed = time.perf_counter() - started
        print(f"{CHANGE}: {figures.lines_added + figures.lines_deleted:,} changed lines, "
              f"{len(detail.files)} files, {len(chunks)} chunks (built and analysed in {elapsed:.2f} s)")
        print(f"largest chunk: #{chunks[largest].index} {chunks[largest].kind}, "
              f"{chunks[largest].changed_lines:,} lines; largest code chunk: #{chunks[largest_code].index}, "
              f"{chunks[largest_code].changed_lines:,} lines")

        with Ledger.open(Path(tmp) / "ledger.db") as ledger:
            session = ReviewSession.start(ledger, repo_key=analyzer.repo_key, reviewer="bench@example.com")
            baseline = await measure(StaticScreen, size, presses)
            big = await measure(lambda: ChunkReviewScreen(detail, largest, session), size, presses,
                                expand=True)
            code = await measure(lambda: ChunkReviewScreen(detail, largest_code, session), size, 3)
            session.end()

    print(f"\nterminal {size[0]}x{size[1]}, {presses} presses per key, medians")
    print(f"{'':44} {'time':>11} {'x baseline':>11}")
    # painted: the first frame showing the screen; idle: once the app has nothing left to do
    for when, label in (("open", "first open in an app, idle"), ("reopen", "opened again in the same app, idle"),
                        ("open frame", "first open in an app, painted"),
                        ("reopen frame", "opened again in the same app, painted")):
        base = float(baseline[when])  # type: ignore[arg-type]
        print(f"{'baseline: a Static screen, ' + label:44} {ms(base)}")
        for what, value in (("the largest chunk (collapsed)", big[when]),
                            ("the largest code chunk", code[when])):
            print(f"{what + ', ' + label:44} {ms(float(value))} {float(value) / base:10.1f}x")  # type: ignore[arg-type]
    base = float(baseline["reopen"])  # type: ignore[arg-type]
    print(f"{'expand the 5,092 lines (e)':44} {ms(float(big['expand']))} "  # type: ignore[arg-type]
          f"{float(big['expand']) / base:10.1f}x")  # type: ignore[arg-type]
    for key in ("pagedown", "j"):
        for kind in ("wall", "cpu"):
            base = float(baseline[f"{key} {kind}"])  # type: ignore[arg-type]
            value = float(big[f"{key} {kind}"])  # type: ignore[arg-type]
            ratio = f"{value / base:10.2f}x" if base > 0 else "       n/a"
            print(f"{key + ' ' + kind + ' (baseline)':44} {ms(base)}")
            print(f"{key + ' ' + kind + ' on the expanded chunk':44} {ms(value)} {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--size", default="120x40", help="terminal size, e.g. 80x24")
    parser.add_argument("--samples", type=Path, default=None, help="reuse sample repos built in DIR")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.lower().split("x"))
    asyncio.run(run(args.presses, (width, height), args.samples))


if __name__ == "__main__":
    main()
