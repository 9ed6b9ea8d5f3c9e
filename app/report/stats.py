"""`review-tui stats`: the figures that show whether review is real, computed from the review ledger.

One computation feeds every view (rich report, JSON, CSV, HTML, the TUI's stats screen), so they
can never disagree. No Textual, no Rich here.

Units of counting (each view prints a one-line meaning for each figure):
- a **chunk review** is an approve or flag of one chunk (a "later" mark concludes nothing); its
  rate is changed lines per active hour, defined when it has active time;
- a **change review** is one reviewer's conclusive decisions on one change (chunk- or change-level);
- an **approval** is a chunk approval or a change-level approval; it is a **rubber stamp** when it
  was faster than its floor time or covered chunks the reviewer never opened (SPEC.md "Words").

Speed: a ledger may hold a million chunk reviews. Everything is aggregated inside SQLite through
the covering indexes of schema 4 (app/storage/db.py ``_v4_stats_indexes``): one grouped pass over
the chunk reviews (a small cube, rolled up here), one over the change reviews, and exact rate
quantiles read by walking an index ordered by rate (``LIMIT 2 OFFSET k``) instead of sorting.
The change-level pass runs in a second thread on its own connection (sqlite3 releases the GIL).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from app.core.policy import PolicyConfig, requirement_for
from app.errors import ReviewTuiError
from app.storage.db import (
    STATS_BAND,
    STATS_CHUNK_REVIEW,
    STATS_FLAGS,
    STATS_RATE,
    STATS_TIMED,
    STATS_WEEK,
)
from app.storage.ledger import Ledger

FLOOR_RATE = 500.0
"""LOC per hour above which defect detection drops (SmartBear/Cisco; SPEC.md): the line on the histogram."""

RATE_EDGES: tuple[float, ...] = (0, 100, 200, 300, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 5000, math.inf)
"""Histogram bins of review rates, LOC per active hour: [edge i, edge i+1)."""

BAND_NAMES = ("human", "mixed", "AI-heavy")
"""AI bands of a chunk: no AI-written line (or unknown), some, at least half (STATS_BAND)."""

WEEK_SECONDS = 604_800
MONDAY_OFFSET = 259_200  # 1970-01-01 was a Thursday; STATS_WEEK shifts by 3 days to start weeks on Monday

# STATS_FLAGS bits
HAS_FLOOR, APPROVAL, STAMP, UNOPENED, TIMED = 16, 8, 4, 2, 1

MEANINGS: dict[str, str] = {
    "changes": "changes the reviewer approved or flagged (chunk or whole change), in the week of the last "
               "decision",
    "chunks": "chunk reviews: approvals and flags of single chunks ('later' marks are not counted)",
    "lines": "changed lines in the reviewed chunks",
    "active": "active review time on those chunks (on screen, focused, not idle)",
    "rate": "changed lines per active hour: median [quartiles] of chunk reviews with time; 500+ is too fast",
    "time_vs_floor": "active time / floor time: 1.0x is the least time for an honest read of that size and "
                     "complexity (fair across big and small, simple and complex chunks)",
    "fast_share": "share of timed chunk reviews read faster than 500 changed lines per hour",
    "stamps": "rubber stamps / approvals: approvals faster than the floor, or of chunks never opened",
    "unopened": "chunks approved without ever being opened (chunk approvals, plus unopened chunks of change "
                "approvals)",
    "coverage": "changed lines the approver reviewed chunk by chunk / changed lines of the changes approved",
    "stale": "approvals that no longer cover the change (its content changed after the approval)",
    "first_look": "median time from the reviewer's first look at a change to the change-level decision",
    "senior_gaps": "Tier 0/1 changes approved without the senior approval the policy requires",
}


class StatsInputError(ReviewTuiError):
    """Bad input to stats (a date, an unknown reviewer): one line, exit 2."""


@dataclass(frozen=True)
class StatsQuery:
    """Which records to count. Times are epoch seconds (UTC); ``until`` is exclusive."""

    repo: str | None = None
    """Repo key (root commit id, Analyzer.repo_key); None: every repository in the ledger."""
    since: float | None = None
    until: float | None = None
    reviewer: str | None = None
    tier: int | None = None

    def where(self, prefix: str = "") -> tuple[str, list[Any]]:
        """SQL terms (`` AND ...``) and parameters for the filters, on columns every stats index covers."""
        terms: list[str] = []
        params: list[Any] = []
        for column, op, value in (("repo", "=", self.repo), ("reviewer", "=", self.reviewer),
                                  ("created_at", ">=", self.since), ("created_at", "<", self.until),
                                  ("tier", "=", self.tier)):
            if value is not None:
                terms.append(f" AND {prefix}{column} {op} ?")
                params.append(value)
        return "".join(terms), params


@dataclass(frozen=True)
class CurrentChange:
    """A pending change as the repository has it now (for stale approvals when the repo is known)."""

    head: str
    chunk_hashes: frozenset[str]


@dataclass
class Figures:
    """Every figure for one group of reviews (a reviewer, a tier, a week, an AI band, or everything)."""

    key: str
    changes: int = 0
    chunks: int = 0
    lines: int = 0
    active_seconds: float = 0.0
    timed_chunks: int = 0
    timed_lines: int = 0
    timed_seconds: float = 0.0
    rate_p25: float | None = None
    rate_median: float | None = None
    rate_p75: float | None = None
    fast_chunks: int | None = None  # timed chunk reviews faster than FLOOR_RATE (None: not computed)
    floor_seconds: float = 0.0
    floor_active_seconds: float = 0.0
    approvals: int = 0
    rubber_stamps: int = 0
    unopened_chunks: int = 0
    change_approvals: int = 0
    covered_lines: int = 0
    approved_lines: int = 0
    stale_approvals: int = 0
    first_look_median: float | None = None
    senior_gaps: int | None = None  # None: seniors unknown
    first_looks: list[float] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> float | None:
        """Changed lines per active hour over all timed chunk reviews (a ratio of sums)."""
        return self.timed_lines * 3600.0 / self.timed_seconds if self.timed_seconds > 0 else None

    @property
    def time_vs_floor(self) -> float | None:
        return self.floor_active_seconds / self.floor_seconds if self.floor_seconds > 0 else None

    @property
    def stamp_share(self) -> float | None:
        return self.rubber_stamps / self.approvals if self.approvals else None

    @property
    def fast_share(self) -> float | None:
        if self.fast_chunks is None or not self.timed_chunks:
            return None
        return self.fast_chunks / self.timed_chunks

    @property
    def coverage(self) -> float | None:
        return self.covered_lines / self.approved_lines if self.approved_lines else None

    def to_dict(self) -> dict[str, Any]:
        """Raw numbers (seconds, LOC/hour, shares 0..1); JSON, CSV and the rich report all read these."""
        return {
            "key": self.key, "changes": self.changes, "chunks": self.chunks, "lines": self.lines,
            "active_seconds": self.active_seconds, "timed_chunks": self.timed_chunks,
            "timed_lines": self.timed_lines, "timed_seconds": self.timed_seconds, "rate": self.rate,
            "rate_p25": self.rate_p25, "rate_median": self.rate_median, "rate_p75": self.rate_p75,
            "fast_chunks": self.fast_chunks, "fast_share": self.fast_share,
            "floor_seconds": self.floor_seconds, "floor_active_seconds": self.floor_active_seconds,
            "time_vs_floor": self.time_vs_floor, "approvals": self.approvals,
            "rubber_stamps": self.rubber_stamps, "stamp_share": self.stamp_share,
            "unopened_chunks": self.unopened_chunks, "change_approvals": self.change_approvals,
            "covered_lines": self.covered_lines, "approved_lines": self.approved_lines,
            "coverage": self.coverage, "stale_approvals": self.stale_approvals,
            "first_look_median_seconds": self.first_look_median, "senior_gaps": self.senior_gaps,
        }


@dataclass
class StatsReport:
    """The result of compute_stats: grouped figures, the rate histogram, and what was (not) knowable."""

    query: StatsQuery
    overall: Figures
    reviewers: list[Figures]  # by email, never by speed
    tiers: list[Figures]
    weeks: list[Figures]  # oldest first
    ai_bands: list[Figures]
    histogram: list[tuple[float, float, int]]  # (from, to, timed chunk reviews) in LOC/hour
    untimed_chunks: int  # chunk reviews without active time (no rate)
    known_reviewers: list[str]
    seniors_known: bool
    stale_method: str  # "repository" or "changes seen"
    empty_ledger: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def no_data(self) -> bool:
        return self.overall.chunks == 0 and self.overall.changes == 0

    def to_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "filters": {"repo": q.repo, "since": _iso_time(q.since), "until": _iso_time(q.until),
                        "reviewer": q.reviewer, "tier": q.tier},
            "empty_ledger": self.empty_ledger,
            "no_data": self.no_data,
            "floor_rate_loc_per_hour": FLOOR_RATE,
            "seniors_known": self.seniors_known,
            "stale_method": self.stale_method,
            "overall": self.overall.to_dict(),
            "reviewers": [f.to_dict() for f in self.reviewers],
            "tiers": [f.to_dict() for f in self.tiers],
            "weeks": [f.to_dict() for f in self.weeks],
            "ai_bands": [f.to_dict() for f in self.ai_bands],
            "rate_histogram": [{"from": lo, "to": None if math.isinf(hi) else hi, "chunks": n}
                               for lo, hi, n in self.histogram],
            "untimed_chunks": self.untimed_chunks,
            "known_reviewers": self.known_reviewers,
            "meanings": MEANINGS,
            "notes": self.notes,
        }


# -- helpers --------------------------------------------------------------------------------


def week_label(week: int) -> str:
    """ISO week ('2026-W01') of a STATS_WEEK number (its Monday, UTC)."""
    monday = dt.datetime.fromtimestamp(week * WEEK_SECONDS - MONDAY_OFFSET, dt.UTC)
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def tier_label(tier: int | None) -> str:
    return f"Tier {tier}" if tier is not None else "Tier ?"


def _iso_time(value: float | None) -> str | None:
    if value is None:
        return None
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(text: str, option: str) -> float:
    """'YYYY-MM-DD' (UTC midnight) -> epoch seconds; a one-line StatsInputError otherwise."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise StatsInputError(f"{option}: {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


def date_range(since: str | None, until: str | None) -> tuple[float | None, float | None]:
    """Epoch bounds for --since DATE (from its start) and --until DATE (through its end, inclusive)."""
    start = parse_date(since, "--since") if since else None
    end = parse_date(until, "--until") + 86_400 if until else None
    if start is not None and end is not None and end <= start:
        raise StatsInputError(f"--until {until} is before --since {since}")
    return start, end


def quantile_position(count: int, fraction: float) -> tuple[int, float]:
    """Index and interpolation weight of a quantile (linear, like statistics.quantiles 'inclusive')."""
    position = (count - 1) * fraction
    index = math.floor(position)
    return index, position - index


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index, weight = quantile_position(len(ordered), 0.5)
    upper = ordered[min(index + 1, len(ordered) - 1)]
    return ordered[index] + (upper - ordered[index]) * weight


# -- the computation ------------------------------------------------------------------------


def compute_stats(
    ledger: Ledger,
    query: StatsQuery,
    *,
    policy: PolicyConfig | None = None,
    current: Mapping[str, CurrentChange] | None = None,
) -> StatsReport:
    """Every figure of the stats report for the records matching ``query``.

    ``policy`` (the repo's PolicyConfig) makes senior gaps knowable when it lists seniors;
    ``current`` (pending changes of the repo, by change id) makes stale chunk approvals knowable.
    Raises StatsInputError for a reviewer the ledger does not know.
    """
    db = ledger.db
    known = [row[0] for row in db.execute("SELECT email FROM reviewers ORDER BY email")]
    if query.reviewer is not None:
        match = next((e for e in known if e.lower() == query.reviewer.lower()), None)
        if match is None:
            listed = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")
            raise StatsInputError(
                f"no reviews by {query.reviewer} in the ledger; known reviewers: {listed or 'none yet'}"
            )
        query = StatsQuery(query.repo, query.since, query.until, match, query.tier)
    seniors_known = policy is not None and bool(policy.seniors)
    report = StatsReport(
        query=query, overall=Figures("all"), reviewers=[], tiers=[], weeks=[], ai_bands=[], histogram=[],
        untimed_chunks=0, known_reviewers=known, seniors_known=seniors_known,
        stale_method="repository" if current is not None else "changes seen",
    )
    if db.execute("SELECT 1 FROM decisions WHERE decision IN ('approve', 'flag') LIMIT 1").fetchone() is None:
        report.empty_ledger = True
        return report

    groups = _Groups(report.overall, seniors_known)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stats-changes") as pool:
        changes = pool.submit(_change_rows, ledger, query)
        _chunk_cube(db, query, groups)
        _rate_quantiles(db, query, groups, report)
        change_reviews, change_decisions = changes.result()
    _add_change_reviews(change_reviews, groups)
    _add_change_decisions(change_decisions, groups, policy if seniors_known else None, current)
    if current is not None:
        _add_stale_chunk_approvals(db, query, groups, current)

    report.reviewers = [groups.reviewers[k] for k in sorted(groups.reviewers, key=str.lower)]
    report.tiers = [groups.tiers[k] for k in sorted(groups.tiers, key=lambda t: (t is None, t))]
    report.weeks = [groups.weeks[k] for k in sorted(groups.weeks)]
    report.ai_bands = [groups.bands[k] for k in sorted(groups.bands)]
    for figures in groups.all():
        figures.first_look_median = median(figures.first_looks)
        figures.first_looks = []
    if not seniors_known:
        report.notes.append("senior gaps unknown: no seniors configured (run with --repo PATH whose "
                            ".review-tui.toml lists [policy] seniors)")
    if current is None:
        report.notes.append("stale approvals estimated from the heads seen (change approvals given on a head "
                            "older than one seen later); run with --repo PATH for chunk-exact staleness")
    return report


class _Groups:
    """The figures being filled, by dimension."""

    def __init__(self, overall: Figures, seniors_known: bool) -> None:
        self.overall = overall
        self.reviewers: dict[str, Figures] = {}
        self.tiers: dict[int | None, Figures] = {}
        self.weeks: dict[int, Figures] = {}
        self.bands: dict[int, Figures] = {}
        self.seniors_known = seniors_known
        self._main: dict[tuple[str, int | None, int], tuple[Figures, ...]] = {}
        if seniors_known:
            overall.senior_gaps = 0

    def _get(self, table: dict, key: Any, label: Callable[[Any], str]) -> Figures:
        figures = table.get(key)
        if figures is None:  # the label is made once per group, not once per row
            figures = table[key] = Figures(label(key), senior_gaps=0 if self.seniors_known else None)
        return figures

    def reviewer(self, email: str) -> Figures:
        return self._get(self.reviewers, email, str)

    def tier(self, tier: int | None) -> Figures:
        return self._get(self.tiers, tier, tier_label)

    def week(self, week: int) -> Figures:
        return self._get(self.weeks, week, week_label)

    def band(self, band: int) -> Figures:
        return self._get(self.bands, band, lambda b: BAND_NAMES[b])

    def main(self, reviewer: str, tier: int | None, week: int) -> tuple[Figures, ...]:
        """The groups a record counts in (the AI bands are filled separately: chunk reviews only)."""
        key = (reviewer, tier, week)
        found = self._main.get(key)
        if found is None:
            found = self._main[key] = (self.overall, self.reviewer(reviewer), self.tier(tier), self.week(week))
        return found

    def all(self) -> Iterable[Figures]:
        yield self.overall
        for table in (self.reviewers, self.tiers, self.weeks, self.bands):
            yield from table.values()


def _chunk_cube(db: Any, query: StatsQuery, groups: _Groups) -> None:
    """One grouped pass over the chunk reviews, in the order of the stats_chunk_cube index."""
    where, params = query.where()
    sql = (
        f"SELECT reviewer, tier, {STATS_WEEK}, {STATS_BAND}, {STATS_FLAGS}, count(*), total(changed_lines),"
        f" total(active_seconds_at_decision), total(floor_seconds)"
        f" FROM decisions INDEXED BY stats_chunk_cube WHERE {STATS_CHUNK_REVIEW}{where}"
        f" GROUP BY reviewer, tier, {STATS_WEEK}, {STATS_BAND}, {STATS_FLAGS}"
    )
    for reviewer, tier, week, band, flags, count, lines, active, floor in db.execute(sql, params):
        lines = int(lines)
        approvals = count if flags & APPROVAL else 0
        for figures in (*groups.main(reviewer, tier, week), groups.band(band)):
            figures.chunks += count
            figures.lines += lines
            figures.active_seconds += active
            if flags & TIMED:
                figures.timed_chunks += count
                figures.timed_lines += lines
                figures.timed_seconds += active
            if flags & HAS_FLOOR:
                figures.floor_seconds += floor
                figures.floor_active_seconds += active
            figures.approvals += approvals
            if flags & STAMP:
                figures.rubber_stamps += count
            if flags & UNOPENED and approvals:
                figures.unopened_chunks += count


def _walk(db: Any, index: str, column: str | None, group: Any, where: str, params: list[Any],
          offset: int) -> list[float]:
    """Two consecutive rates from position ``offset`` of a group, walking an index ordered by rate."""
    group_term = f" AND {column} IS ?" if column else ""
    sql = (f"SELECT {STATS_RATE} FROM decisions INDEXED BY {index} WHERE {STATS_TIMED}{group_term}{where}"
           f" ORDER BY {STATS_RATE} LIMIT 2 OFFSET ?")
    args = ([group] if column else []) + params + [offset]
    return [row[0] for row in db.execute(sql, args)]


def _quantiles(db: Any, index: str, column: str | None, group: Any, count: int, where: str,
               params: list[Any], fractions: Sequence[float]) -> list[float | None]:
    out: list[float | None] = []
    for fraction in fractions:
        if count <= 0:
            out.append(None)
            continue
        offset, weight = quantile_position(count, fraction)
        values = _walk(db, index, column, group, where, params, offset)
        if not values:  # the ledger changed between the passes: leave it unknown rather than guess
            out.append(None)
            continue
        upper = values[1] if len(values) > 1 else values[0]
        out.append(values[0] + (upper - values[0]) * weight)
    return out


def _rate_quantiles(db: Any, query: StatsQuery, groups: _Groups, report: StatsReport) -> None:
    """Exact quartiles of the chunk review rates per reviewer, tier and overall (median per week),
    the share read faster than FLOOR_RATE, and the overall histogram."""
    where, params = query.where()
    quartiles = (0.25, 0.5, 0.75)
    plans: list[tuple[str, str | None, dict[Any, Figures] | None, Sequence[float], bool]] = [
        ("stats_rate", None, None, quartiles, False),
        ("stats_rate_by_reviewer", "reviewer", groups.reviewers, quartiles, True),
        ("stats_rate_by_tier", "tier", groups.tiers, quartiles, True),
        ("stats_rate_by_week", STATS_WEEK, groups.weeks, (0.5,), False),
    ]
    for index, column, table, fractions, count_fast in plans:
        members: list[tuple[Any, Figures]] = (
            [(None, groups.overall)] if table is None else list(table.items())
        )
        for group, figures in members:
            values = _quantiles(db, index, column, group, figures.timed_chunks, where, params, fractions)
            if len(values) == 3:
                figures.rate_p25, figures.rate_median, figures.rate_p75 = values
            else:
                figures.rate_median = values[0]
            if count_fast:
                group_term = f" AND {column} IS ?" if column else ""
                figures.fast_chunks = db.execute(
                    f"SELECT count(*) FROM decisions INDEXED BY {index} WHERE {STATS_TIMED}{group_term}"
                    f" AND {STATS_RATE} > ?{where}", [group, FLOOR_RATE, *params]).fetchone()[0]
    histogram = []
    for low, high in zip(RATE_EDGES, RATE_EDGES[1:], strict=False):
        upper = "" if math.isinf(high) else f" AND {STATS_RATE} < ?"
        args = [low] + ([] if math.isinf(high) else [high]) + params
        count = db.execute(
            f"SELECT count(*) FROM decisions INDEXED BY stats_rate WHERE {STATS_TIMED}"
            f" AND {STATS_RATE} >= ?{upper}{where}", args).fetchone()[0]
        histogram.append((low, high, count))
    report.histogram = histogram
    # "Faster than 500" overall is the tail of the histogram above the line.
    groups.overall.fast_chunks = db.execute(
        f"SELECT count(*) FROM decisions INDEXED BY stats_rate WHERE {STATS_TIMED}"
        f" AND {STATS_RATE} > ?{where}",
        [FLOOR_RATE, *params]).fetchone()[0]
    report.untimed_chunks = groups.overall.chunks - groups.overall.timed_chunks


def _change_rows(ledger: Ledger, query: StatsQuery) -> tuple[list[tuple], list[tuple]]:
    """Change reviews (one per reviewer and change) and change-level decisions, on this thread's own
    connection."""
    db = ledger.db
    where, params = query.where()
    # Per change review, in the order of stats_change_reviews: no sort. Kept in a temp table
    # (per connection) that the change-level decisions join for the lines their approver reviewed.
    db.execute("DROP TABLE IF EXISTS temp.stats_change_reviews")
    db.execute(
        "CREATE TEMP TABLE stats_change_reviews (reviewer TEXT, repo TEXT, change_id TEXT, last_at REAL,"
        " tier INTEGER, chunk_lines INTEGER, PRIMARY KEY (reviewer, repo, change_id)) WITHOUT ROWID"
    )
    try:
        db.execute(
            "INSERT INTO temp.stats_change_reviews SELECT reviewer, repo, change_id, max(created_at),"
            " min(tier),"
            " total(CASE WHEN chunk_hash IS NOT NULL THEN changed_lines ELSE 0 END)"
            " FROM decisions INDEXED BY stats_change_reviews"
            f" WHERE decision IN ('approve', 'flag'){where} GROUP BY reviewer, repo, change_id",
            params,
        )
        week = STATS_WEEK.replace("created_at", "last_at")
        reviews = db.execute(
            f"SELECT reviewer, tier, {week}, count(*) FROM temp.stats_change_reviews GROUP BY 1, 2, 3"
        ).fetchall()
        a_where, a_params = query.where("a.")
        decisions = db.execute(
            "SELECT a.reviewer, a.repo, a.change_id, a.head, a.decision, a.fast, a.unopened_chunks,"
            f" {STATS_WEEK.replace('created_at', 'a.created_at')}, coalesce(s.tier, a.tier),"
            " coalesce(s.ai_share, a.ai_share), coalesce(s.changed_lines, a.changed_lines), cr.chunk_lines,"
            " a.created_at - (SELECT min(v.opened_at) FROM chunk_views v WHERE v.repo = a.repo"
            "   AND v.change_id = a.change_id AND v.reviewer = a.reviewer AND v.opened_at <= a.created_at),"
            " EXISTS (SELECT 1 FROM changes_seen n WHERE n.repo = a.repo AND n.change_id = a.change_id"
            "   AND n.first_seen_at > s.first_seen_at),"
            " a.created_at"
            " FROM decisions a INDEXED BY stats_change_decisions"
            " LEFT JOIN changes_seen s ON s.repo = a.repo AND s.change_id = a.change_id AND s.head = a.head"
            " LEFT JOIN temp.stats_change_reviews cr"
            "   ON cr.reviewer = a.reviewer AND cr.repo = a.repo AND cr.change_id = a.change_id"
            f" WHERE a.chunk_hash IS NULL AND a.decision IN ('approve', 'flag'){a_where}"
            " ORDER BY a.created_at",
            a_params,
        ).fetchall()
    finally:
        db.execute("DROP TABLE IF EXISTS temp.stats_change_reviews")
    return reviews, decisions


def _add_change_reviews(rows: list[tuple], groups: _Groups) -> None:
    for reviewer, tier, week, count in rows:
        for figures in groups.main(reviewer, tier, week):
            figures.changes += count


def _add_change_decisions(rows: list[tuple], groups: _Groups, policy: PolicyConfig | None,
                          current: Mapping[str, CurrentChange] | None) -> None:
    """Change-level approvals: stamps, unopened chunks, coverage, staleness, first look, senior gaps."""
    # (repo, change, head) -> tier, AI share, week of the last approval, approvers (email -> counts
    # as a sign-off: a rubber stamp approves, but does not count unless the policy says so)
    approved: dict[tuple[str, str, str], tuple[int | None, float, int, dict[str, bool]]] = {}
    for (reviewer, repo, change_id, head, decision, fast, unopened, week, tier, ai_share, change_lines,
         reviewed_lines, first_look, newer_head_seen, _created) in rows:
        targets = groups.main(reviewer, tier, week)
        if first_look is not None:
            for figures in targets:
                figures.first_looks.append(first_look)
        if decision != "approve":
            continue
        stamp = bool(fast) or unopened > 0
        if current is not None and change_id in current:
            stale = current[change_id].head != head
        else:
            stale = bool(newer_head_seen)
        total = int(change_lines or 0)
        covered = min(int(reviewed_lines or 0), total)
        for figures in targets:
            figures.approvals += 1
            figures.change_approvals += 1
            figures.rubber_stamps += stamp
            figures.unopened_chunks += unopened
            figures.approved_lines += total
            figures.covered_lines += covered
            figures.stale_approvals += stale
        if policy is not None and tier is not None and tier <= 1:
            key = (repo, change_id, head)
            approvers = approved.get(key, (tier, 0.0, week, {}))[3]
            counts = policy.count_fast_approvals or not stamp
            approvers[reviewer] = approvers.get(reviewer, False) or counts
            approved[key] = (tier, float(ai_share or 0.0), week, approvers)
    if policy is None:
        return
    for tier, ai_share, week, approvers in approved.values():
        need = requirement_for(policy, tier if tier is not None else 2, ai_share)
        if need.senior_approvals <= 0:
            continue
        seniors = {email.lower() for email, counts in approvers.items() if counts and policy.is_senior(email)}
        if len(seniors) >= need.senior_approvals:
            continue
        # The gap counts for the change's tier and week, and for each reviewer who approved it.
        for figures in (groups.overall, groups.tier(tier), groups.week(week),
                        *(groups.reviewer(email) for email in approvers)):
            figures.senior_gaps = (figures.senior_gaps or 0) + 1


def _add_stale_chunk_approvals(db: Any, query: StatsQuery, groups: _Groups,
                               current: Mapping[str, CurrentChange]) -> None:
    """With the repository known: chunk approvals on pending changes whose content is no longer there."""
    if not current:
        return
    where, params = query.where()
    ids = list(current)
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        marks = ",".join("?" * len(batch))
        rows = db.execute(
            f"SELECT reviewer, change_id, chunk_hash, tier, {STATS_WEEK} FROM decisions"
            f" WHERE change_id IN ({marks}) AND chunk_hash IS NOT NULL AND decision = 'approve'{where}",
            [*batch, *params],
        )
        for reviewer, change_id, chunk_hash, tier, week in rows:
            if chunk_hash not in current[change_id].chunk_hashes:
                for figures in groups.main(reviewer, tier, week):
                    figures.stale_approvals += 1


def format_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def format_share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def recorded_repos(ledger: Ledger) -> list[str]:
    """Repo keys that have decisions (for messages when --repo matches nothing)."""
    return [row[0] for row in ledger.db.execute("SELECT DISTINCT repo FROM decisions ORDER BY repo")]
