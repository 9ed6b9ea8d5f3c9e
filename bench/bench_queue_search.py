"""Benchmark: keystroke to repaint in the queue's search, with many rows (`m` on).

Opens the real app headless on REPO (its analysis cache and ledger from the XDG directories, so point them at a
warm cache), waits for the analysis to end, shows the changes merged upstream (`m`: astral-sh/uv lists ~12,000
rows then), opens the search (`/`) and types TEXT one key at a time, then deletes it again with backspace. For
each key it reports the seconds from the key press until the table shows that search's rows and the screen has
been refreshed with its first screenful of rows ("shown"), until every row of it is in the table ("all rows"),
and how many rows it lets through. "busy" is the time until the key's own handling returned.

With `--synthetic N`, REPO is any small repository (the payments sample: `review-tui demo --no-tui`) and N changes
merged upstream are added to what discovery found before `m` (titles drawn from a fixed word list, seeded), so the
table and the search are measured without a real repository of that size.

Usage: XDG_CACHE_HOME=... XDG_DATA_HOME=... python bench/bench_queue_search.py REPO [--text "add py"] [--size 120x40]
       [--synthetic 12000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path

WORDS = ("add", "fix", "remove", "update", "python", "resolver", "cache", "lock", "index", "install", "venv", "tool",
         "build", "test", "docs", "windows", "support", "error", "message", "path", "pyproject", "script", "sync")


def synthetic_merged(count: int) -> list[object]:
    """`count` changes merged upstream as discovery lists them (each with one commit), newest first."""
    import random

    from app.core.git.models import Change, CommitInfo, MergedUpstream

    rng = random.Random(66)
    changes = []
    for number in range(count, 0, -1):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()
        author = f"dev{rng.randint(1, 300)}"
        commit = CommitInfo(f"{number:040x}", author, f"{author}@example.com", 1_700_000_000 + number * 60,
                            author, f"{author}@example.com", 1_700_000_000 + number * 60, title)
        changes.append(Change(f"origin/pr/{number}", "pr", f"refs/remotes/origin/pr/{number}", commit.id, None,
                              "main", title=title, commits=[commit],
                              merged=MergedUpstream("tree", f"as {number:010x} '{title} (#{number})'")))
    return changes


async def run(repo: Path, text: str, size: tuple[int, int], pause: float, synthetic: int) -> None:
    from textual.widgets import DataTable

    from app.commands.common import make_analyzer
    from app.tui.app import make_app
    from app.tui.screens.queue import QueueScreen

    app = make_app(make_analyzer(str(repo)))
    async with app.run_test(size=size) as pilot:
        queue = app.screen_stack[0]
        assert isinstance(queue, QueueScreen)
        started = time.perf_counter()
        while queue.finished_at is None or queue.analysing:
            await pilot.pause(0.2)
        print(f"analysis ended after {time.perf_counter() - started:.1f} s; {len(queue.reports)} rows")
        if synthetic:
            assert queue.discovery is not None
            queue.discovery.merged.extend(synthetic_merged(synthetic))  # type: ignore[arg-type]
        started = time.perf_counter()
        await pilot.press("m")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        print(f"m: {time.perf_counter() - started:.2f} s, {len(queue.rows)} rows shown; load {os.getloadavg()[0]:.1f}")
        table = queue.query_one("#queue-table", DataTable)
        await pilot.press("/")
        await pilot.pause()
        keys = [*text, *(["backspace"] * len(text))]
        typed = ""
        for key in keys:
            typed = typed[:-1] if key == "backspace" else typed + key
            started = time.perf_counter()
            await pilot.press("space" if key == " " else key)
            busy = time.perf_counter() - started
            while (queue.filters.search != typed or getattr(queue, "_rebuild_pending", False)
                   or getattr(queue, "search_pending", False)
                   or table.row_count < min(len(queue.rows), size[1])):
                await pilot.pause(0.005)
            await pilot.pause()  # the refresh after the rebuild: the screen shows that search's first rows
            shown = time.perf_counter() - started
            while table.row_count < len(queue.rows):
                await pilot.pause(0.005)
            whole = time.perf_counter() - started
            print(f"  {typed!r:<12} {len(queue.rows):>6} rows  busy {busy:5.2f} s  shown {shown:5.2f} s  "
                  f"all rows {whole:5.2f} s")
            await asyncio.sleep(pause)
        await pilot.press("escape")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--text", default="add py")
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between keys (a person types)")
    parser.add_argument("--synthetic", type=int, default=0, help="add this many changes merged upstream")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    asyncio.run(run(args.repo, args.text, (width, height), args.pause, args.synthetic))


if __name__ == "__main__":
    main()
