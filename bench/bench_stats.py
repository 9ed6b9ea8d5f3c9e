"""Benchmark: `review-tui stats --json` on a ledger of 1,000,000 chunk reviews, against a plain
``SELECT count(*)`` over the same table in the same run.

The ledger is filled FAST: rows are generated in Python and bulk-inserted with ``executemany``
inside one transaction (not one Ledger call per row); the schema (its indexes and the stats
summaries' triggers) comes from opening the file through ``Ledger.open``, as the app does. The
triggers fire for every row of an ``executemany`` exactly as for a Ledger write, so the summaries
that `stats` reads are built by the same write path; after filling, the bench checks them against
the raw rows. Each chunk review is a chunk view (active time) plus its decision; every change also
gets a change-level decision and a ``changes_seen`` row (some changes were seen at a second, newer
head: stale approvals).

The timed work is exactly what the command runs: ``compute_stats`` plus ``render_json``. It also
times the command end to end in a subprocess (Python start and imports included) for reference.
Target: ``stats --json`` under 1 s.

    python bench/bench_stats.py [--reviews 1000000] [--repeat 3] [--keep PATH]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.storage.db import STATS_CHUNK_REVIEW
from app.storage.ledger import Ledger

# 2025-06-02 00:00 UTC (a Monday): the data spans the 2025/2026 year boundary.
START = 1_748_822_400.0
REPOS = ("a" * 40, "b" * 40)
TIER_WEIGHTS = (0.1, 0.25, 0.45, 0.2)


def fill_ledger(path: Path, chunk_reviews: int, *, seed: int = 7, reviewers: int = 24,
                span_days: float = 400.0) -> dict[str, int]:
    """Create (or extend) the ledger at ``path`` with ``chunk_reviews`` synthetic chunk reviews.

    Deterministic for a seed. Returns the number of rows written per table.
    """
    rng = random.Random(seed)
    emails = [f"reviewer{i:02d}@example.com" for i in range(reviewers)]
    # Each reviewer has a habitual pace (time spent / floor time); a few are hasty.
    pace = {email: math.exp(rng.gauss(0.25, 0.45)) for email in emails}
    views: list[tuple] = []
    decisions: list[tuple] = []
    seen: list[tuple] = []
    sessions: list[tuple] = []
    step = span_days * 86_400 / max(chunk_reviews, 1)
    now = START
    change_number = 0
    produced = 0
    record = 0
    while produced < chunk_reviews:
        change_number += 1
        repo = REPOS[change_number % len(REPOS)]
        change_id = f"feature/change-{change_number}"
        head = f"{change_number:040x}"
        tier = rng.choices(range(4), TIER_WEIGHTS)[0]
        ai_share = rng.choice((0.0, 0.0, 0.0, 0.15, 0.5, 0.8, 1.0))
        chunk_count = min(rng.randint(1, 19), chunk_reviews - produced)
        reviewer = rng.choice(emails)
        session_id = len(sessions) + 1
        sessions.append((session_id, reviewer, repo, now, None, "bench", "bench"))
        change_lines = 0
        change_floor = 0.0
        change_active = 0.0
        unopened = 0
        first_open = now
        for index in range(chunk_count):
            chunk_tier = min(3, tier + (rng.random() < 0.3))
            lines = rng.randint(4, 380)
            complexity = rng.choice((0, 0, 1, 2, 5))
            floor = max(30.0, lines / 500 * 3600 * (1.5 if chunk_tier <= 1 else 1.0) + 60 * complexity)
            chunk_hash = f"{change_number:032x}{index:08x}"
            opened = rng.random() > 0.03
            active = floor * pace[reviewer] * math.exp(rng.gauss(0, 0.5)) if opened else 0.0
            opened_at = now
            now += step
            if opened:
                views.append((session_id, reviewer, repo, change_id, head, chunk_hash, index,
                              active, opened_at, opened_at + active))
            else:
                unopened += 1
            record += 1
            decision = "flag" if rng.random() < 0.05 else "approve"
            decisions.append((session_id, reviewer, repo, change_id, head, chunk_hash, index, decision, "",
                              active, floor, int(decision == "approve" and active < floor), 0, int(opened),
                              lines, chunk_tier, ai_share, float(complexity), opened_at + active + 1,
                              "local", f"bench-{record}"))
            change_lines += lines
            change_floor += floor
            change_active += active
            produced += 1
        record += 1
        decisions.append((session_id, reviewer, repo, change_id, head, None, None, "approve", "",
                          change_active, change_floor, int(change_active < change_floor), unopened,
                          int(unopened == 0), change_lines, tier, ai_share, 0.0, now + 2, "local",
                          f"bench-{record}"))
        seen.append((repo, change_id, head, "base", f"change {change_number}", tier, change_lines, ai_share,
                     0.0, change_floor, chunk_count, 50.0, first_open, now))
        if rng.random() < 0.08:  # the author pushed again after the approval: a newer head was seen
            seen.append((repo, change_id, f"{change_number:039x}f", "base", f"change {change_number}", tier,
                         change_lines + 10, ai_share, 0.0, change_floor, chunk_count, 50.0, now + 60, now + 60))
    with Ledger.open(path) as ledger:
        conn = ledger.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR IGNORE INTO reviewers (email, name) VALUES (?, ?)",
                             [(e, e.split("@")[0].title()) for e in emails])
            base = conn.execute("SELECT coalesce(max(id), 0) FROM sessions").fetchone()[0]
            conn.executemany("INSERT INTO sessions (id, reviewer, repo, started_at, ended_at, app_version, host)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)", [(s[0] + base, *s[1:]) for s in sessions])
            conn.executemany(
                "INSERT INTO chunk_views (session_id, reviewer, repo, change_id, head, chunk_hash, chunk_index,"
                " active_seconds, opened_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(v[0] + base, *v[1:]) for v in views])
            conn.executemany(
                "INSERT INTO decisions (session_id, reviewer, repo, change_id, head, chunk_hash, chunk_index,"
                " decision, note, active_seconds_at_decision, floor_seconds, fast, unopened_chunks, opened,"
                " changed_lines, tier, ai_share, complexity_added, created_at, source, record_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(d[0] + base, *d[1:]) for d in decisions])
            conn.executemany(
                "INSERT OR IGNORE INTO changes_seen (repo, change_id, head, base, title, tier, changed_lines,"
                " ai_share, complexity_added, floor_seconds, chunk_count, score, first_seen_at, last_seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", seen)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("ANALYZE")
    return {"sessions": len(sessions), "chunk_views": len(views), "decisions": len(decisions),
            "changes_seen": len(seen)}


def check_summaries(ledger: Ledger) -> list[str]:
    """Totals of the stats summaries against the same totals over the raw rows (empty: they agree)."""
    db = ledger.db
    pairs = {
        "chunk reviews": (
            "SELECT count(*), total(changed_lines), sum(active_seconds_at_decision > 0)"
            f" FROM decisions WHERE {STATS_CHUNK_REVIEW}",
            "SELECT sum(chunks), total(lines), sum(timed_chunks) FROM stats_chunk_days"),
        "AI bands": (f"SELECT count(*) FROM decisions WHERE {STATS_CHUNK_REVIEW}",
                     "SELECT sum(chunks) FROM stats_band_days"),
        "change decisions": ("SELECT count(*) FROM decisions WHERE chunk_hash IS NULL"
                             " AND decision IN ('approve', 'flag')", "SELECT count(*) FROM stats_change_facts"),
        "change reviews": ("SELECT count(*) FROM (SELECT DISTINCT repo, reviewer, change_id FROM decisions"
                           " WHERE decision IN ('approve', 'flag'))",
                           "SELECT count(*) FROM (SELECT DISTINCT repo, reviewer, change_id FROM stats_change_days)"),
    }
    problems = []
    for name, (raw_sql, summary_sql) in pairs.items():
        raw, summary = db.execute(raw_sql).fetchone(), db.execute(summary_sql).fetchone()
        if tuple(raw) != tuple(summary):
            problems.append(f"{name}: raw {tuple(raw)} != summaries {tuple(summary)}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000, help="chunk reviews to generate")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="reuse / keep the ledger at this path")
    args = parser.parse_args()

    from app.report.stats import StatsQuery, compute_stats
    from app.report.stats_render import render_json

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "ledger.db"
        if not path.exists():
            started = time.perf_counter()
            counts = fill_ledger(path, args.reviews)
            print(f"filled {path} in {time.perf_counter() - started:.1f} s: "
                  + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        with Ledger.open(path) as ledger:  # read-write: a ledger kept from an older schema is migrated
            db = ledger.db
            problems = check_summaries(ledger)
            print("summaries match the raw rows" if not problems else "SUMMARIES DISAGREE: " + "; ".join(problems))
            baseline: list[float] = []
            timed: list[float] = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                total = db.execute("SELECT count(*) FROM decisions").fetchone()[0]
                baseline.append(time.perf_counter() - started)
                started = time.perf_counter()
                text = render_json(compute_stats(ledger, StatsQuery()))
                timed.append(time.perf_counter() - started)
        env = {**os.environ, "REVIEW_TUI_NO_CACHE": "1"}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-P", "-m", "app", "stats", "--all", "--json", "--ledger", str(path)],
                              capture_output=True, text=True, env=env, check=False)
        process = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
    best_count, best_stats = min(baseline), min(timed)
    print(f"decisions table: {total:,} rows; JSON {len(text):,} bytes")
    print(f"SELECT count(*)        : best {best_count * 1000:8.1f} ms  "
          f"median {statistics.median(baseline) * 1000:8.1f} ms")
    print(f"stats --json (in-proc) : best {best_stats * 1000:8.1f} ms  "
          f"median {statistics.median(timed) * 1000:8.1f} ms")
    print(f"stats --json (process) : {process * 1000:8.1f} ms "
          f"(exit {done.returncode}; Python start and imports included)")
    print(f"ratio stats / count(*) : {best_stats / best_count:,.1f}x   target stats < 1000 ms: "
          f"{'met' if best_stats < 1.0 else 'MISSED'}")


if __name__ == "__main__":
    main()
