"""The SQL behind `review-tui stats`: reads of the ledger's schema-5 summaries and rate indexes.

app/report/stats.py turns these rows into figures; it holds no SQL, so the schema lives here and in
app/storage/db.py only. Every filter is a `StatsFilter` (report.stats.StatsQuery satisfies it):
times are epoch seconds at UTC midnight, ``until`` exclusive; the summaries are keyed by UTC day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from app.storage.db import (
    NO_TIER,
    STATS_BAND,
    STATS_BAND_DAY_MEASURES,
    STATS_CHUNK_DAY_MEASURES,
    STATS_CHUNK_FLAG,
    STATS_CHUNK_REVIEW,
    STATS_LINELESS_APPROVAL,
    STATS_RATE,
    STATS_TIMED,
    STATS_WEEK,
    stats_measure_terms,
)

DAY_SECONDS = 86_400
BATCH = 500  # ids per IN (...) list


def week_of(epoch_seconds: float) -> int:
    """STATS_WEEK of a time, computed in Python."""
    return int((epoch_seconds + 259_200) / 604_800)


class StatsFilter(Protocol):
    """Which records to count (see report.stats.StatsQuery)."""

    @property
    def repo(self) -> str | None: ...
    @property
    def since(self) -> float | None: ...
    @property
    def until(self) -> float | None: ...
    @property
    def reviewer(self) -> str | None: ...
    @property
    def tier(self) -> int | None: ...


def _terms(filters: Iterable[tuple[str, str, Any]]) -> tuple[str, list[Any]]:
    terms: list[str] = []
    params: list[Any] = []
    for column, op, value in filters:
        if value is not None:
            terms.append(f" AND {column} {op} ?")
            params.append(value)
    return "".join(terms), params


def decision_terms(query: StatsFilter, prefix: str = "") -> tuple[str, list[Any]]:
    """SQL terms (`` AND ...``) and parameters for the filters on decisions rows (the rate indexes)."""
    return _terms(((f"{prefix}repo", "=", query.repo), (f"{prefix}reviewer", "=", query.reviewer),
                   (f"{prefix}created_at", ">=", query.since), (f"{prefix}created_at", "<", query.until),
                   (f"{prefix}tier", "=", query.tier)))


def summary_terms(query: StatsFilter, tier_column: str = "tier") -> tuple[str, list[Any]]:
    """The same filters on a summary table of schema 5 (UTC ``day`` numbers; ``tier_column`` is the
    column holding the record's own tier)."""
    return _terms((("repo", "=", query.repo), ("reviewer", "=", query.reviewer),
                   ("day", ">=", None if query.since is None else int(query.since // DAY_SECONDS)),
                   ("day", "<", None if query.until is None else int(query.until // DAY_SECONDS)),
                   (tier_column, "=", query.tier)))


@contextmanager
def snapshot(db: Any) -> Iterator[None]:
    """One read transaction (WAL: writers go on), so that every query sees the same ledger."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def known_reviewers(db: Any) -> list[str]:
    return [row[0] for row in db.execute("SELECT email FROM reviewers ORDER BY email")]


def has_conclusive_decisions(db: Any) -> bool:
    """Whether any approve or flag was ever recorded."""
    return db.execute("SELECT 1 FROM decisions WHERE decision IN ('approve', 'flag') LIMIT 1").fetchone() is not None


def approved_change_ids(db: Any, repo_key: str) -> set[str]:
    """Ids of the changes of one repository that have an approval."""
    return {row[0] for row in db.execute(
        "SELECT DISTINCT change_id FROM decisions WHERE repo = ? AND decision = 'approve'", (repo_key,))}


def chunk_day_cube(db: Any, query: StatsFilter) -> list[tuple[Any, ...]]:
    """(reviewer, tier, week, *sums of STATS_CHUNK_DAY_MEASURES) from stats_chunk_days."""
    where, params = summary_terms(query)
    sums = ", ".join(f"sum({m})" for m in STATS_CHUNK_DAY_MEASURES)
    return list(db.execute(
        f"SELECT reviewer, tier, week, {sums} FROM stats_chunk_days WHERE 1{where} GROUP BY reviewer, tier, week",
        params,
    ).fetchall())


def band_day_sums(db: Any, query: StatsFilter) -> Iterable[tuple[Any, ...]]:
    """(band, *sums of STATS_BAND_DAY_MEASURES) from stats_band_days."""
    where, params = summary_terms(query)
    sums = ", ".join(f"sum({m})" for m in STATS_BAND_DAY_MEASURES)
    return db.execute(f"SELECT band, {sums} FROM stats_band_days WHERE 1{where} GROUP BY band",  # type: ignore[no-any-return]
                      params)


def carried_floor_sums(db: Any, query: StatsFilter) -> list[tuple[Any, ...]]:
    """(reviewer, tier, week, band, floor seconds, floor active seconds) of carried-over chunk approvals
    (decision_carries), summed as the summaries sum them: what stats takes back out of time/floor."""
    where, params = decision_terms(query)
    return list(db.execute(
        f"SELECT reviewer, coalesce(tier, {NO_TIER}), {STATS_WEEK}, {STATS_BAND}, sum(coalesce(floor_seconds, 0)),"
        " sum(CASE WHEN floor_seconds IS NOT NULL THEN active_seconds_at_decision ELSE 0 END)"
        f" FROM decisions WHERE record_id IN (SELECT record_id FROM decision_carries) AND {STATS_CHUNK_REVIEW}"
        f"{where} GROUP BY 1, 2, 3, 4", params).fetchall())


# What a chunk flag adds to the summaries' timed measures, which stats takes back out: a flag keeps its
# place as a chunk review (chunks, lines, active time) but has no rate and no share of time/floor.
_FLAG_TAKES_BACK = frozenset(m for m in STATS_CHUNK_DAY_MEASURES
                             if m.startswith(("timed_", "floor_", "fast_", "rate_bin_")))
# A timed approval of a chunk without changed lines keeps its time and its floor (a rubber stamp of an
# image is one), but its 0 lines per hour is no rate: the rate measures are taken back.
_LINELESS_TAKES_BACK = frozenset(m for m in STATS_CHUNK_DAY_MEASURES if m.startswith(("timed_", "fast_", "rate_bin_")))


def _taken_back(db: Any, query: StatsFilter, rows: str, gives_back: frozenset[str], group: Sequence[str],
                measures: Sequence[str]) -> list[tuple[Any, ...]]:
    """Per group, the terms the summaries added up (db.py's own) for the measures the `rows` give back,
    0 for the others: each row is the group's columns, how many rows, then one value per measure."""
    where, params = decision_terms(query)
    terms = stats_measure_terms()
    sums = ", ".join(f"sum({terms[m]})" if m in gives_back else "0" for m in measures)
    places = ", ".join(str(i + 1) for i in range(len(group)))
    return list(db.execute(f"SELECT {', '.join(group)}, count(*), {sums} FROM decisions WHERE {rows}{where}"
                           f" GROUP BY {places}", params).fetchall())


_BY_CUBE = ("reviewer", f"coalesce(tier, {NO_TIER})", STATS_WEEK)


def chunk_flags(db: Any, query: StatsFilter) -> list[tuple[Any, ...]]:
    """The chunk flags summed per (reviewer, tier, week), as the summaries counted them: what stats takes
    back out of the timed figures (rates, time/floor). Each row: reviewer, tier, week, how many flags,
    then one value per STATS_CHUNK_DAY_MEASURES name (0 for the measures a flag keeps)."""
    return _taken_back(db, query, STATS_CHUNK_FLAG, _FLAG_TAKES_BACK, _BY_CUBE, STATS_CHUNK_DAY_MEASURES)


def lineless_approvals(db: Any, query: StatsFilter) -> list[tuple[Any, ...]]:
    """The timed approvals of chunks without changed lines, per (reviewer, tier, week), as chunk_flags:
    what stats takes back out of the rates."""
    return _taken_back(db, query, STATS_LINELESS_APPROVAL, _LINELESS_TAKES_BACK, _BY_CUBE, STATS_CHUNK_DAY_MEASURES)


def chunk_flags_by_band(db: Any, query: StatsFilter) -> list[tuple[Any, ...]]:
    """What the flags and the lineless approvals give back, per AI band: band, then one value per
    STATS_BAND_DAY_MEASURES name."""
    rows = (_taken_back(db, query, STATS_CHUNK_FLAG, _FLAG_TAKES_BACK, (STATS_BAND,), STATS_BAND_DAY_MEASURES)
            + _taken_back(db, query, STATS_LINELESS_APPROVAL, _LINELESS_TAKES_BACK, (STATS_BAND,),
                          STATS_BAND_DAY_MEASURES))
    return [(band, *sums) for band, _count, *sums in rows]


@dataclass(frozen=True)
class RateIndex:
    """An index of schema 4 ordered by rate within a group (column None: one group, everything)."""

    name: str
    column: str | None


BY_ALL = RateIndex("stats_rate", None)
BY_REVIEWER = RateIndex("stats_rate_by_reviewer", "reviewer")
BY_TIER = RateIndex("stats_rate_by_tier", "tier")
BY_WEEK = RateIndex("stats_rate_by_week", STATS_WEEK)


def rates_in_bin(db: Any, query: StatsFilter, index: RateIndex, group: Any, low: float, high: float, *,
                 offset: int, limit: int, direction: str) -> list[float]:
    """Rates in [low, high) of one group, walked along its index from one end."""
    where, params = decision_terms(query)
    group_term = f" AND {index.column} IS ?" if index.column else ""
    upper = "" if math.isinf(high) else f" AND {STATS_RATE} < ?"
    args = ([group] if index.column else []) + [low] + ([] if math.isinf(high) else [high])
    # approvals of changed lines only: a flag, or an approved image, has no rate (stats takes them out of
    # the bins, `chunk_flags`, `lineless_approvals`)
    sql = (f"SELECT {STATS_RATE} FROM decisions INDEXED BY {index.name} WHERE {STATS_TIMED}"
           f" AND decision = 'approve' AND changed_lines != 0{group_term}"
           f" AND {STATS_RATE} >= ?{upper}{where} ORDER BY {STATS_RATE} {direction} LIMIT ? OFFSET ?")
    return [row[0] for row in db.execute(sql, [*args, *params, limit, offset])]


def change_aliases(db: Any, repo: str | None) -> dict[tuple[str, str], str]:
    """(repo, change id) -> the id its change is counted under, for the ids recorded for one change
    (stats_change_aliases: `feature/x` here, `origin/feature/x` or `pull/7` on another reviewer's
    machine): the least id of each group linked by shared heads. Ids with no other name are left out."""
    where, params = _terms((("repo", "=", repo),))
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for repo_key, change_id, other_id in db.execute(
            f"SELECT repo, change_id, other_id FROM stats_change_aliases WHERE 1{where}", params):
        a, b = root((repo_key, change_id)), root((repo_key, other_id))
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {node: root(node)[1] for node in list(parent)}


def change_review_rows(db: Any, query: StatsFilter, *, per_reviewer: bool = True,
                       aliases: dict[tuple[str, str], str] | None = None) -> list[tuple[Any, ...]]:
    """(reviewer, tier, week, change reviews): a change review counts once, in the week of its last
    decision and at its lowest tier. Not `per_reviewer`: (tier, week, changes), each change reviewed
    counting once whoever reviewed it (the overall, tier and week figures; three reviewers of one change
    are one change there, three in the reviewer table). The ids of one change (`change_aliases`) count
    once."""
    import json

    where, params = summary_terms(query)
    last_week = STATS_WEEK.replace("created_at", "max(last_at)")
    who = "reviewer, " if per_reviewer else ""
    if aliases is None:  # a caller asking both ways reads them once (change_aliases)
        aliases = change_aliases(db, query.repo)
    counts: dict[tuple[Any, ...], int] = {}
    for *cell, count in db.execute(
            f"SELECT {who}tier, week, count(*) FROM ("
            f" SELECT {who}min(NULLIF(tier, {NO_TIER})) AS tier, {last_week} AS week"
            f" FROM stats_change_days WHERE 1{where} GROUP BY repo, {who}change_id"
            f") GROUP BY {who}tier, week", params):
        counts[tuple(cell)] = count
    if not aliases:
        return [(*cell, count) for cell, count in counts.items()]
    # The ids with other names are few (read through stats_change_days_by_change): each one's count
    # is taken back and their change counted once.
    merged: dict[tuple[Any, ...], tuple[int | None, float]] = {}
    for repo, *reviewer, change_id, tier, last_at in db.execute(
            f"SELECT repo, {who}change_id, min(NULLIF(tier, {NO_TIER})), max(last_at) FROM stats_change_days"
            " WHERE (repo, change_id) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')"
            f" FROM json_each(?)){where} GROUP BY repo, {who}change_id",
            [json.dumps(list(aliases)), *params]):
        cell = (*reviewer, tier, week_of(last_at))
        counts[cell] -= 1
        key = (repo, *reviewer, aliases[(repo, change_id)])
        if (held := merged.get(key)) is not None:
            tier = held[0] if tier is None else tier if held[0] is None else min(tier, held[0])
            last_at = max(last_at, held[1])
        merged[key] = (tier, last_at)
    for (_repo, *reviewer, _change), (tier, last_at) in merged.items():
        cell = (*reviewer, tier, week_of(last_at))
        counts[cell] = counts.get(cell, 0) + 1
    return [(*cell, count) for cell, count in counts.items() if count]


def change_approval_sums(db: Any, query: StatsFilter) -> list[tuple[Any, ...]]:
    """(reviewer, tier, week, approvals, stamps, unopened chunks, approved lines, covered lines,
    newer heads seen, concluding approvals) of change-level approvals. A concluding approval is no stamp and
    the reviewer's chunk reviews cover its lines: the sign-off the TUI records once every chunk is approved."""
    where, params = summary_terms(query, "filter_tier")
    return list(db.execute(
        "SELECT reviewer, tier, week, count(*), sum(stamp), sum(unopened_chunks), sum(approved_lines),"
        " sum(min(reviewed_lines, approved_lines)), sum(newer_seen),"
        " sum(NOT stamp AND approved_lines > 0 AND reviewed_lines >= approved_lines)"
        f" FROM stats_change_facts WHERE decision = 'approve'{where} GROUP BY reviewer, tier, week",
        params).fetchall())


def senior_approval_rows(db: Any, query: StatsFilter) -> list[tuple[Any, ...]]:
    """(reviewer, repo, change id, head, stamp, week, tier, AI share, decision row id) of Tier 0/1
    change approvals, oldest first."""
    where, params = summary_terms(query, "filter_tier")
    return list(db.execute(
        "SELECT reviewer, repo, change_id, head, stamp, week, tier, ai_share, id FROM stats_change_facts"
        f" WHERE decision = 'approve' AND tier <= 1{where} ORDER BY created_at, id", params).fetchall())


def refused_approval_rows(db: Any, query: StatsFilter, record_ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """(decision row id, reviewer, tier, week) of the approvals among these records (those `check`
    does not count), with the query's filters."""
    import json

    where, params = decision_terms(query)
    return list(db.execute(
        f"SELECT id, reviewer, tier, {STATS_WEEK} FROM decisions WHERE decision = 'approve'"
        f" AND record_id IN (SELECT value FROM json_each(?)){where}",
        [json.dumps(sorted(set(record_ids))), *params]).fetchall())


def current_approval_rows(db: Any, query: StatsFilter, change_ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """(reviewer, tier, week, change id, head, newer heads seen) of change approvals of these changes."""
    where, params = summary_terms(query, "filter_tier")
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(change_ids), BATCH):
        batch = list(change_ids[start:start + BATCH])
        rows += db.execute(
            "SELECT reviewer, tier, week, change_id, head, newer_seen FROM stats_change_facts"
            f" WHERE decision = 'approve' AND change_id IN ({','.join('?' * len(batch))}){where}",
            [*batch, *params]).fetchall()
    return rows


def first_look_rows(db: Any, query: StatsFilter) -> Iterable[tuple[Any, ...]]:
    """(reviewer, tier, week, seconds from the first look at a change to a change-level decision)."""
    where, params = summary_terms(query, "filter_tier")
    return db.execute(  # type: ignore[no-any-return]
        "SELECT reviewer, tier, week, created_at - first_view_at FROM stats_change_facts"
        f" WHERE first_view_at <= created_at{where}", params)


def chunk_approval_rows(db: Any, query: StatsFilter, change_ids: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """(reviewer, change id, chunk hash, tier, week) of chunk approvals on these changes."""
    where, params = decision_terms(query)
    for start in range(0, len(change_ids), BATCH):
        batch = list(change_ids[start:start + BATCH])
        marks = ",".join("?" * len(batch))
        yield from db.execute(
            f"SELECT reviewer, change_id, chunk_hash, tier, {STATS_WEEK} FROM decisions"
            f" WHERE change_id IN ({marks}) AND chunk_hash IS NOT NULL AND decision = 'approve'{where}",
            [*batch, *params],
        )
