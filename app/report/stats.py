"""`review-tui stats`: the figures that show whether review is real, computed from the review ledger.

One computation feeds every view (rich report, JSON, CSV, HTML, the TUI's stats screen), so they
can never disagree. No Textual, no Rich here.

Units of counting (each view prints a one-line meaning for each figure):
- a **chunk review** is an approve or flag of one chunk (a "later" mark concludes nothing); an approval's
  rate is changed lines per active hour, defined when it has active time (a flag has none: its reader
  stopped at the first blocking problem, see `_chunk_pass`);
- a **change review** is one reviewer's conclusive decisions on one change (chunk- or change-level);
- an **approval** is a chunk approval or a change-level approval; it is a **rubber stamp** when it
  was faster than its floor time or covered chunks the reviewer never opened (SPEC.md "Words").

Speed: a ledger may hold a million chunk reviews, so nothing here reads them row by row. The
ledger keeps summaries exact at write time (schema 5, app/storage/db.py ``_v5_stats_summaries``:
SQLite triggers on every insert, update and delete), keyed by UTC day; ``--since``/``--until``
are whole UTC days, so every filter is applied to the summaries without loss:
- chunk figures are sums over ``stats_chunk_days`` / ``stats_band_days`` (one row per reviewer,
  tier, day and repo, not per review);
- rate quantiles stay exact: the summaries' rate bins say which bin holds the k-th rate, and only
  that bin of an index ordered by rate is walked (``LIMIT 2 OFFSET p``, from its nearer end);
- change reviews come from ``stats_change_days``, change-level approvals from
  ``stats_change_facts`` (one row per change-level decision, with what it needs from the changes
  seen and the chunk views already joined).
The change-level pass runs in a second thread on its own connection (sqlite3 releases the GIL).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from app.core.policy.rules import PolicyConfig, requirement_for
from app.errors import ReviewTuiError
from app.report.track_record import to_json as track_record_json
from app.storage import stats_queries as sq
from app.storage.db import (
    NO_TIER,
    STATS_BAND_DAY_MEASURES,
    STATS_CHUNK_DAY_MEASURES,
    STATS_FAST_RATE,
    STATS_RATE_EDGES,
)
from app.storage.ledger import Comment, Ledger, ThreadState, build_threads

if TYPE_CHECKING:
    from app.storage.models import TrackRecordRun

_HEX_ID = re.compile(r"[0-9a-f]{7,64}")  # a range commit's change id (db._named_by_ref says the same in SQL)

FLOOR_RATE = STATS_FAST_RATE
"""LOC per hour above which defect detection drops (SmartBear/Cisco; SPEC.md): the line on the histogram."""

RATE_EDGES: tuple[float, ...] = STATS_RATE_EDGES
"""Histogram bins of review rates, LOC per active hour: [edge i, edge i+1) (the ledger's summary bins)."""

BAND_NAMES = ("human", "mixed", "AI-heavy")
"""AI bands of a chunk: no AI-written line (or unknown), some, at least half (STATS_BAND)."""

DAY_SECONDS = sq.DAY_SECONDS
WEEK_SECONDS = 604_800
MONDAY_OFFSET = 259_200  # 1970-01-01 was a Thursday; STATS_WEEK shifts by 3 days to start weeks on Monday

MEANINGS: dict[str, str] = {
    "changes": "changes the reviewer approved or flagged (chunk or whole change), in the week of the last "
               "decision",
    "chunks": "chunk reviews: approvals and flags of single chunks ('later' marks are not counted)",
    "lines": "changed lines in the reviewed chunks",
    "active": "active review time on those chunks (on screen, focused, not idle)",
    "rate": "changed lines per active hour: median [quartiles] of chunk approvals with time and changed lines (a "
            "flag stops at the first problem, an image has no lines: no rate); 500+ is too fast",
    "band_rate": "(AI bands) changed lines per active hour of the band's timed chunk approvals, all their lines over "
                 "all their time: flags and images have no rate, so it is not lines / active",
    "time_vs_floor": "active time / floor time of chunk approvals: 1.0x is the least time for an honest read of "
                     "that size and complexity (fair across big and small, simple and complex chunks); a flag and "
                     "a carried-over approval add neither",
    "fast_share": "share of timed chunk approvals read faster than 500 changed lines per hour",
    "stamps": "rubber stamps / approvals: approvals faster than the floor, or of chunks never opened",
    "unopened": "chunks approved without ever being opened (chunk approvals, plus unopened chunks of change "
                "approvals)",
    "coverage": "changed lines the approver reviewed chunk by chunk (any day, any tier) / changed lines of the "
                "changes approved",
    "stale": "approvals that no longer cover the change (its content changed after the approval)",
    "first_look": "median time from the reviewer's first look at a change to the change-level decision (first "
                  "looks are this machine's: records fetched with `sync` carry none, so '-' for those reviewers)",
    "senior_gaps": "Tier 0/1 changes approved without the senior approval the policy requires",
    "not_counted": "approvals of pending changes that `review-tui check` does not count (recorded without a "
                   "reviewer identity; or unsigned, badly signed or by a key the allowed signers do not admit, "
                   "where the policy requires signatures)",
}


class StatsInputError(ReviewTuiError):
    """Bad input to stats (a date, an unknown reviewer): one line, exit 2."""


@dataclass(frozen=True)
class StatsQuery:
    """Which records to count. Times are epoch seconds (UTC) at midnight (whole days: the ledger's
    summaries are per UTC day); ``until`` is exclusive."""

    repo: str | None = None
    """Repo key (root commit id, Analyzer.repo_key); None: every repository in the ledger."""
    since: float | None = None
    until: float | None = None
    reviewer: str | None = None
    tier: int | None = None
    repo_name: str | None = None
    """What a person calls the repository (its origin's name, else its folder), for titles."""

    def __post_init__(self) -> None:
        for name, value in (("since", self.since), ("until", self.until)):
            if value is not None and value % DAY_SECONDS:
                raise StatsInputError(f"stats {name} must be a UTC midnight (whole days), not {_iso_time(value)}")


@dataclass(frozen=True)
class CurrentChange:
    """A pending change as the repository has it now (for stale approvals when the repo is known)."""

    head: str
    chunk_hashes: frozenset[str]
    refused: frozenset[str] = frozenset()
    """Record ids of approvals given on this change that `check` does not count (app/storage/records.py:
    unsigned, badly signed or by an unknown key where the policy requires signatures)."""


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
    change_approvals: int = 0  # whole-change approvals counted as approvals (concluding ones are not)
    concluding_approvals: int = 0  # sign-offs of a change whose chunks the reviewer had all reviewed
    covered_lines: int = 0
    approved_lines: int = 0
    stale_approvals: int = 0
    first_look_median: float | None = None
    senior_gaps: int | None = None  # None: seniors unknown
    not_counted: int | None = None  # None: no repository, so what `check` counts is unknown
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
            "concluding_approvals": self.concluding_approvals,
            "covered_lines": self.covered_lines, "approved_lines": self.approved_lines,
            "coverage": self.coverage, "stale_approvals": self.stale_approvals,
            "first_look_median_seconds": self.first_look_median, "senior_gaps": self.senior_gaps,
            "not_counted": self.not_counted,
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
    rateless_approvals: int  # chunk approvals without a rate: no active time, or no changed lines (an image)
    known_reviewers: list[str]
    seniors_known: bool
    stale_method: str  # "repository" or "changes seen"
    empty_ledger: bool = False
    notes: list[str] = field(default_factory=list)
    comments: int = 0
    """Comments written in the window (by the reviewer, when one is chosen)."""
    threads: int = 0
    """Comment threads started in the window."""
    open_threads: int = 0
    """Of those threads, the ones not resolved now."""
    track_record: TrackRecordRun | None = None
    """The AI track record of the repository's latest `review-tui calibrate` (app/storage/models.py)."""
    track_record_missing: str = ""
    """When there is none: the one line saying so and what to run ("" when nothing is to be said)."""

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
            "rateless_approvals": self.rateless_approvals,
            "comments": {"comments": self.comments, "threads": self.threads, "open_threads": self.open_threads},
            "known_reviewers": self.known_reviewers,
            "meanings": MEANINGS,
            "notes": self.notes,
            "ai_track_record": track_record_json(self.track_record),
            **({"ai_track_record_message": self.track_record_missing}
               if self.track_record is None and self.track_record_missing else {}),
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


_DAYS_AGO = re.compile(r"(\d{1,5})\s*([dw])", re.IGNORECASE)


def parse_date(text: str, option: str, today: dt.date | None = None) -> float:
    """'YYYY-MM-DD', 'today', 'yesterday', or days / weeks ago ('7d', '2w') as a UTC day -> epoch seconds
    of its midnight; a one-line StatsInputError otherwise. A manager asking for "the last two weeks"
    had to do date arithmetic in the shell."""
    value = text.strip().lower()
    today = today or dt.datetime.now(dt.UTC).date()
    relative = _DAYS_AGO.fullmatch(value)
    if value in ("today", "yesterday"):
        day = today - dt.timedelta(days=0 if value == "today" else 1)
    elif relative:
        day = today - dt.timedelta(days=int(relative[1]) * (7 if relative[2] == "w" else 1))
    else:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise StatsInputError(f"{option}: {text!r} is not a date; use YYYY-MM-DD (e.g. 2026-01-31), today, "
                                  "yesterday, or days or weeks ago (7d, 2w)") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


def date_range(since: str | None, until: str | None,
               today: dt.date | None = None) -> tuple[float | None, float | None]:
    """Epoch bounds for --since DATE (from its start) and --until DATE (through its end, inclusive)."""
    start = parse_date(since, "--since", today) if since else None
    end = parse_date(until, "--until", today) + 86_400 if until else None
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


def _thread_figures(ledger: Ledger, query: StatsQuery) -> tuple[int, int, int]:
    """(comments, threads started, of them still open) in the query's window and scope."""

    def wanted(at: float, reviewer: str) -> bool:
        if (query.since is not None and at < query.since) or (query.until is not None and at >= query.until):
            return False
        return query.reviewer is None or reviewer.lower() == query.reviewer.lower()

    by_change: dict[tuple[str, str], list[Comment]] = {}
    for comment in ledger.iter_comments(repo=query.repo):
        by_change.setdefault((comment.repo, comment.change_id), []).append(comment)
    acts: dict[tuple[str, str], list[ThreadState]] = {}
    for act in ledger.iter_thread_states(repo=query.repo):
        acts.setdefault((act.repo, act.change_id), []).append(act)
    comments = threads = still_open = 0
    for key, found in by_change.items():
        comments += sum(1 for c in found if wanted(c.created_at, c.reviewer))
        for thread in build_threads(found, acts.get(key, ())):
            if wanted(thread.root.created_at, thread.root.reviewer):
                threads += 1
                still_open += not thread.resolved
    return comments, threads, still_open


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
    known = sq.known_reviewers(db)
    if query.reviewer is not None:
        match = next((e for e in known if e.lower() == query.reviewer.lower()), None)
        if match is None:
            listed = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")
            raise StatsInputError(
                f"no reviews by {query.reviewer} in the ledger; known reviewers: {listed or 'none yet'}"
            )
        query = replace(query, reviewer=match)
    seniors_known = policy is not None and bool(policy.seniors)
    report = StatsReport(
        query=query, overall=Figures("all"), reviewers=[], tiers=[], weeks=[], ai_bands=[], histogram=[],
        rateless_approvals=0, known_reviewers=known, seniors_known=seniors_known,
        stale_method="repository" if current is not None else "changes seen",
    )
    report.comments, report.threads, report.open_threads = _thread_figures(ledger, query)
    if not sq.has_conclusive_decisions(db):
        report.empty_ledger = True
        return report

    groups = _Groups(report.overall, seniors_known, current is not None)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stats-changes") as pool:
        changes = pool.submit(_change_pass, ledger, query, policy if seniors_known else None,
                              sorted(current) if current else [])
        with sq.snapshot(db):  # the summaries and the rate index read at one instant
            flags = sq.chunk_flags(db, query)
            bins = _chunk_pass(db, query, groups, [*flags, *sq.lineless_approvals(db, query)])
            _band_pass(db, query, groups)
            _carried_pass(db, query, groups)
            _rate_quantiles(db, query, groups, bins, report)
            # the "no rate" bar: approvals without time or without changed lines (a flag is no approval)
            report.rateless_approvals -= sum(row[3] for row in flags)
            refused: set[int] = set()
            if current is not None:
                _add_stale_chunk_approvals(db, query, groups, current)
                refused = _add_not_counted(db, query, groups, current)
            first_looks = _first_looks(db, query)
        found = changes.result()
    _add_change_reviews(found.reviews, found.changes, groups)
    _add_change_decisions(found, groups, policy if seniors_known else None, current, refused)

    _add_first_looks(first_looks, groups)
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


def _tier(value: int | None) -> int | None:
    """A summary's tier back to the ledger's (NO_TIER: none recorded)."""
    return None if value == NO_TIER else value


class _Groups:
    """The figures being filled, by dimension."""

    def __init__(self, overall: Figures, seniors_known: bool, counting_known: bool = False) -> None:
        self.overall = overall
        self.counting_known = counting_known
        self.reviewers: dict[str, Figures] = {}
        self.tiers: dict[int | None, Figures] = {}
        self.weeks: dict[int, Figures] = {}
        self.bands: dict[int, Figures] = {}
        self.seniors_known = seniors_known
        self._main: dict[tuple[str, int | None, int], tuple[Figures, ...]] = {}
        if seniors_known:
            overall.senior_gaps = 0
        if counting_known:
            overall.not_counted = 0

    def _get(self, table: dict[Any, Figures], key: Any, label: Callable[[Any], str]) -> Figures:
        figures = table.get(key)
        if figures is None:  # the label is made once per group, not once per row
            figures = table[key] = Figures(label(key), senior_gaps=0 if self.seniors_known else None,
                                           not_counted=0 if self.counting_known else None)
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


# Positions in a stats_chunk_days row of measures (STATS_CHUNK_DAY_MEASURES).
_SUMMED = len(STATS_BAND_DAY_MEASURES)  # the Figures sums, shared with stats_band_days
_FAST = STATS_CHUNK_DAY_MEASURES.index("fast_chunks")
_BINS = STATS_CHUNK_DAY_MEASURES.index("rate_bin_0")


def _add_sums(figures: Figures, sums: Sequence[Any]) -> None:
    """Add a summary row's sums (STATS_BAND_DAY_MEASURES order) to a group."""
    (chunks, lines, active, timed_chunks, timed_lines, timed_seconds, floor_seconds, floor_active, approvals,
     stamps, unopened) = sums[:_SUMMED]
    figures.chunks += chunks
    figures.lines += int(lines)
    figures.active_seconds += active
    figures.timed_chunks += timed_chunks
    figures.timed_lines += int(timed_lines)
    figures.timed_seconds += timed_seconds
    figures.floor_seconds += floor_seconds
    figures.floor_active_seconds += floor_active
    figures.approvals += approvals
    figures.rubber_stamps += stamps
    figures.unopened_chunks += unopened


_FLOAT_MEASURES = [i for i, m in enumerate(STATS_CHUNK_DAY_MEASURES) if m.endswith("seconds")]


def _chunk_pass(db: Any, query: StatsQuery, groups: _Groups,
                taken_back: Sequence[tuple[Any, ...]]) -> dict[int, tuple[Figures, list[Any]]]:
    """The chunk figures of every group from stats_chunk_days: SQLite sums the days into a cube of
    (reviewer, tier, week), rolled up here, less what `taken_back` says was added to its timed measures
    by the chunk flags (sq.chunk_flags) and the approvals of chunks without changed lines
    (sq.lineless_approvals). A flag stops at the first blocking problem, its lines not all read, so it has
    no review rate and no share of time/floor (a flag after 43 s of a 376-line chunk read as 31,764 LOC/h);
    an approved image has no rate either (it read as 0 LOC/h). Both stay chunk reviews, their lines and
    time counted. Returns each group's summed row (by id of its Figures), whose rate bins locate its
    quantiles."""
    taken: dict[tuple[Any, Any, Any], list[Any]] = {}
    for reviewer, tier, week, _count, *sums in taken_back:
        group = taken.setdefault((reviewer, tier, week), [0] * len(sums))
        group[:] = map(sum, zip(group, sums, strict=True))
    rows = sq.chunk_day_cube(db, query)
    totals: dict[int, tuple[Figures, list[Any]]] = {}
    for reviewer, tier, week, *values in rows:
        less = taken.get((reviewer, tier, week))
        if less is not None:
            values = [v - t for v, t in zip(values, less, strict=True)]
            for i in _FLOAT_MEASURES:  # a group left with flags only has no time, not a float residue
                values[i] = round(values[i], 6)
        # The overall total is the sum of the reviewers' afterwards: three groups per cube row, not four.
        for figures in groups.main(reviewer, _tier(tier), week)[1:]:
            held = totals.get(id(figures))
            if held is None:
                totals[id(figures)] = (figures, list(values))
            else:
                held[1][:] = map(sum, zip(held[1], values, strict=True))
    overall = [0] * len(STATS_CHUNK_DAY_MEASURES)
    for figures in groups.reviewers.values():
        overall[:] = map(sum, zip(overall, totals[id(figures)][1], strict=True))
    totals[id(groups.overall)] = (groups.overall, overall)
    weeks = {id(f) for f in groups.weeks.values()}
    for figures, values in totals.values():
        _add_sums(figures, values)
        if id(figures) not in weeks:  # the weekly trend shows medians, not the fast share
            figures.fast_chunks = values[_FAST]
    return totals


def _band_pass(db: Any, query: StatsQuery, groups: _Groups) -> None:
    """The AI bands' figures (is AI code read faster?) from stats_band_days, less what the chunk flags and
    the lineless approvals added to their timed measures (see _chunk_pass)."""
    for band, *values in sq.band_day_sums(db, query):
        _add_sums(groups.band(band), values)
    for band, *sums in sq.chunk_flags_by_band(db, query):
        figures = groups.band(band)
        _add_sums(figures, [-v for v in sums])
        for name in ("active_seconds", "timed_seconds", "floor_seconds", "floor_active_seconds"):
            setattr(figures, name, round(getattr(figures, name), 6))


def _carried_pass(db: Any, query: StatsQuery, groups: _Groups) -> None:
    """Take carried-over approvals back out of time/floor. Nobody read them here: the reading was
    counted, time and floor, where the original approval was given, so a carried one adds neither
    (its floor without time halved a real 1.22x to 0.61x)."""
    for reviewer, tier, week, band, floor, floor_active in sq.carried_floor_sums(db, query):
        for figures in (*groups.main(reviewer, _tier(tier), week), groups.band(band)):
            # round: a group left with carried approvals only must have no floor, not a float residue
            figures.floor_seconds = round(figures.floor_seconds - floor, 6)
            figures.floor_active_seconds = round(figures.floor_active_seconds - floor_active, 6)


class _RateWalker:
    """Exact rates at given ranks of one group, reading only the bin that holds each rank."""

    def __init__(self, db: Any, query: StatsQuery, index: sq.RateIndex, group: Any, bins: Sequence[int]) -> None:
        self.db, self.query, self.index, self.group, self.bins = db, query, index, group, list(bins)
        self.starts = [0]
        for count in self.bins:
            self.starts.append(self.starts[-1] + count)

    def values(self, rank: int, count: int) -> list[float]:
        """The rates at ``rank`` .. ``rank + count - 1`` (0-based, ascending) of the group."""
        out: list[float] = []
        while count > 0 and rank < self.starts[-1]:
            number = next(i for i, count_before in enumerate(self.starts[1:]) if rank < count_before)
            position, size = rank - self.starts[number], self.bins[number]
            take = min(count, size - position)
            if position <= size - position - take:  # walk from whichever end of the bin is nearer
                found = self._walk(number, position, take, "ASC")
            else:
                found = self._walk(number, size - position - take, take, "DESC")[::-1]
            if len(found) < take:  # the ledger changed under us: better unknown than wrong
                return out
            out.extend(found)
            rank += take
            count -= take
        return out

    def _walk(self, number: int, offset: int, limit: int, direction: str) -> list[float]:
        return sq.rates_in_bin(self.db, self.query, self.index, self.group, RATE_EDGES[number],
                               RATE_EDGES[number + 1], offset=offset, limit=limit, direction=direction)

    def quantiles(self, fractions: Sequence[float]) -> list[float | None]:
        out: list[float | None] = []
        for fraction in fractions:
            total = self.starts[-1]
            if total <= 0:
                out.append(None)
                continue
            rank, weight = quantile_position(total, fraction)
            values = self.values(rank, 2 if weight > 0 and rank + 1 < total else 1)
            if not values:
                out.append(None)
                continue
            upper = values[1] if len(values) > 1 else values[0]
            out.append(values[0] + (upper - values[0]) * weight)
        return out


def _rate_quantiles(db: Any, query: StatsQuery, groups: _Groups, totals: dict[int, tuple[Figures, list[Any]]],
                    report: StatsReport) -> None:
    """Exact quartiles of the chunk review rates per reviewer, tier and overall (median per week),
    and the overall histogram."""
    quartiles = (0.25, 0.5, 0.75)
    plans: list[tuple[sq.RateIndex, Iterable[tuple[Any, Figures]], Sequence[float]]] = [
        (sq.BY_ALL, [(None, groups.overall)], quartiles),
        (sq.BY_REVIEWER, groups.reviewers.items(), quartiles),
        (sq.BY_TIER, groups.tiers.items(), quartiles),
        (sq.BY_WEEK, groups.weeks.items(), (0.5,)),
    ]
    for index, members, fractions in plans:
        for group, figures in members:
            bins = totals[id(figures)][1][_BINS:] if id(figures) in totals else [0] * (len(RATE_EDGES) - 1)
            values = _RateWalker(db, query, index, group, bins).quantiles(fractions)
            if len(values) == 3:
                figures.rate_p25, figures.rate_median, figures.rate_p75 = values
            else:
                figures.rate_median = values[0]
    overall_bins = totals[id(groups.overall)][1][_BINS:]
    report.histogram = [(low, high, int(count)) for low, high, count
                        in zip(RATE_EDGES, RATE_EDGES[1:], overall_bins, strict=False)]
    report.rateless_approvals = groups.overall.chunks - groups.overall.timed_chunks


@dataclass
class _ChangeFound:
    """What the change-level pass read (plain rows, applied to the groups on the calling thread)."""

    reviews: list[tuple[Any, ...]] = field(default_factory=list)  # (reviewer, tier, week, change reviews)
    changes: list[tuple[Any, ...]] = field(default_factory=list)  # (tier, week, distinct changes reviewed)
    approvals: list[tuple[Any, ...]] = field(default_factory=list)  # per (reviewer, tier, week): sums of approvals
    senior_rows: list[tuple[Any, ...]] = field(default_factory=list)  # Tier 0/1 change approvals, oldest first
    current_rows: list[tuple[Any, ...]] = field(default_factory=list)  # change approvals of pending changes


def _change_pass(ledger: Ledger, query: StatsQuery, policy: PolicyConfig | None,
                 current_ids: list[str]) -> _ChangeFound:
    """Change reviews and change-level decisions from stats_change_days / stats_change_facts, on
    this thread's own connection."""
    db = ledger.db
    found = _ChangeFound()
    with sq.snapshot(db):
        aliases = sq.change_aliases(db, query.repo)
        found.reviews = sq.change_review_rows(db, query, aliases=aliases)
        found.changes = sq.change_review_rows(db, query, per_reviewer=False, aliases=aliases)
        found.approvals = sq.change_approval_sums(db, query)
        if policy is not None:
            found.senior_rows = sq.senior_approval_rows(db, query)
        found.current_rows = sq.current_approval_rows(db, query, current_ids)
    return found


def _first_looks(db: Any, query: StatsQuery) -> dict[tuple[str, int | None, int], list[float]]:
    """Seconds from the reviewer's first look at a change to each change-level decision, per
    (reviewer, tier, week): a median is not a sum, so these are read one per decision."""
    cells: dict[tuple[str, int | None, int], list[float]] = {}
    for reviewer, tier, week, seconds in sq.first_look_rows(db, query):
        cell = cells.get((reviewer, tier, week))
        if cell is None:
            cell = cells[(reviewer, tier, week)] = []
        cell.append(seconds)
    return cells


def _add_first_looks(cells: dict[tuple[str, int | None, int], list[float]], groups: _Groups) -> None:
    # Each cell's values are added to its four groups as one list (the medians sort them).
    for (reviewer, tier, week), values in cells.items():
        for figures in groups.main(reviewer, tier, week):
            figures.first_looks.extend(values)


def _add_change_reviews(per_reviewer: list[tuple[Any, ...]], distinct: list[tuple[Any, ...]],
                        groups: _Groups) -> None:
    """A reviewer's row counts the changes they reviewed; the overall, tier and week rows count each
    change once (one change reviewed by three people read "3 changes" in the headline)."""
    for reviewer, _tier, _week, count in per_reviewer:
        groups.reviewer(reviewer).changes += count
    for tier, week, count in distinct:
        for figures in (groups.overall, groups.tier(tier), groups.week(week)):
            figures.changes += count


def _add_change_decisions(found: _ChangeFound, groups: _Groups, policy: PolicyConfig | None,
                          current: Mapping[str, CurrentChange] | None, refused: set[int] | None = None) -> None:
    """Change-level approvals: stamps, unopened chunks, coverage, staleness, first look, senior gaps."""
    for reviewer, tier, week, approvals, stamps, unopened, lines, covered, newer_seen, concluding in found.approvals:
        for figures in groups.main(reviewer, tier, week):
            # a sign-off of chunks already reviewed one by one is not a review of its own: counted beside them,
            # one honest review read as two approvals and halved the stamp share (QA55 F14: 33% where the AI
            # band table, chunks only, said 50%)
            figures.approvals += approvals - concluding
            figures.change_approvals += approvals - concluding
            figures.concluding_approvals += concluding
            figures.rubber_stamps += stamps
            figures.unopened_chunks += unopened
            figures.approved_lines += int(lines)
            figures.covered_lines += int(covered)
            # Estimated: an approval is stale when a head first seen later exists.
            figures.stale_approvals += newer_seen
    for reviewer, tier, week, change_id, head, newer_seen in found.current_rows:
        # With the repository, an approval of a pending change is stale exactly when the change's
        # head moved since: that replaces the estimate (changes no longer pending keep it).
        assert current is not None
        correction = int(current[change_id].head != head) - newer_seen
        for figures in groups.main(reviewer, tier, week):
            figures.stale_approvals += correction
    if policy is None:
        return
    # (repo, head, a commit's change) -> tier, AI share, week of the last approval, approvers (email -> counts as a
    # sign-off: a rubber stamp approves, but does not count unless the policy says so). Keyed by head,
    # not by change id: the ids of one head are one change (a junior's `pull/7` and a senior's
    # `feature/x` approval of the same commit fill its senior gap, as `check` counts them).
    approved: dict[tuple[str, str, bool], tuple[int | None, float, int, dict[str, bool]]] = {}
    for reviewer, repo, change_id, head, stamp, week, tier, ai_share, row_id in found.senior_rows:
        if refused and row_id in refused:
            continue  # `check` does not count it (app/storage/records.py), so it fills no senior gap
        # a range's commit (a hex id) is its own change against its parent, not the branch at its head
        key = (repo, head, bool(_HEX_ID.fullmatch(change_id)))
        approvers = approved.get(key, (tier, 0.0, week, {}))[3]
        counts = policy.count_fast_approvals or not stamp
        approvers[reviewer] = approvers.get(reviewer, False) or counts
        approved[key] = (tier, float(ai_share or 0.0), week, approvers)
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


def _add_not_counted(db: Any, query: StatsQuery, groups: _Groups, current: Mapping[str, CurrentChange]) -> set[int]:
    """Approvals of pending changes that `check` refuses: counted per group; returns their row ids."""
    record_ids = [record_id for change in current.values() for record_id in change.refused]
    if not record_ids:
        return set()
    rows = sq.refused_approval_rows(db, query, record_ids)
    for _row_id, reviewer, tier, week in rows:
        for figures in groups.main(reviewer, tier, week):
            figures.not_counted = (figures.not_counted or 0) + 1
    return {row[0] for row in rows}


def _add_stale_chunk_approvals(db: Any, query: StatsQuery, groups: _Groups,
                               current: Mapping[str, CurrentChange]) -> None:
    """With the repository known: chunk approvals on pending changes whose content is no longer there."""
    if not current:
        return
    for reviewer, change_id, chunk_hash, tier, week in sq.chunk_approval_rows(db, query, list(current)):
        if chunk_hash not in current[change_id].chunk_hashes:
            for figures in groups.main(reviewer, tier, week):
                figures.stale_approvals += 1


def format_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def format_share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"
