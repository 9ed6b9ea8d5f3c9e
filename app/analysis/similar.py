"""Near-duplicate pending changes: the same work under several heads, shown once.

A presentation step over finished reports (no git, no re-analysis): the queue's rows, `list`'s table and
footnote, and `list --json`'s `duplicate_of` read it.

The rule. Each chunk of a change's review plan has a content hash (`PlanSummary.chunk_hashes`: the chunk's kind,
its files' paths and modes, the units its lines are in, and its changed lines with their nearest context: what
an approval binds to). Two changes are near duplicates when at least `SIMILAR_SHARE` of EACH one's chunks are
chunks of the other (as multisets): a reviewer who read one has read four fifths of the other, chunk for chunk.
On cline/cline, backups, pre-rebase copies and rebases of one SDK migration (250-374 chunks each) shared
81-100% of their chunks with the newest head of their generation; unrelated changes touching the same files
share their untouched-context-free chunks rarely, as each chunk hashes its own changed lines.

Who is shown. Among each group, a pull request first (a change any `pull/N` or `origin/pr/N` ref names), then the
most recently active head (its newest commit), then the shorter name. A pull request is what was put up for review:
its number is what the reviewer answers on and what gets merged, and discovery names a head by its pull request
before its remote branch for the same reason; a branch copy of it (the author's older push, a fork's branch
mirrored, a backup) is one key away under it (the queue's `e`). Among branches alone, the newest copy is the one
its author still works on, a backup or pre-rebase snapshot is older by construction.
Grouping is greedy and never chains: a change joins the first shown one (most recent first) it is similar to
itself, so every folded change is within the rule of the change whose row it is folded into. A change is never
folded into a row of a milder risk band than its own: what it does not share may be what makes it riskier.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.core.risk.bands import BAND_NAMES

if TYPE_CHECKING:
    from app.analysis.report import ChangeReport

SIMILAR_SHARE = 0.8
"""The least share of each change's chunks the other has, for two changes to be folded into one row."""

MIN_FOLD_CHUNKS = 3
"""Changes of fewer chunks are never folded: a row of one or two chunks costs a glance, while a folded head takes a
key more to reach (the queue's `e` lists it under its row; `explain`); copies of big changes (cline: 250-374 chunks)
are what crowd a queue."""


def _chunks(report: ChangeReport) -> Counter[str] | None:
    found = report.assessment
    if found is None or report.listed_only or report.error or report.change.error or not found.plan.chunk_hashes:
        return None
    return Counter(found.plan.chunk_hashes)


def _band_rank(report: ChangeReport) -> int:
    found = report.assessment
    band = found.risk.band if found is not None else "low"
    return BAND_NAMES.index(band) if band in BAND_NAMES else 0


def _shown_first(report: ChangeReport) -> tuple[bool, int, int, str]:
    return (report.change.kind != "pr", -(report.change.newest_time or 0), len(report.id), report.id)


def similar_share(a: Counter[str], b: Counter[str]) -> float:
    """The share of the larger plan's chunks that the other plan has too (the smaller of the two shares)."""
    shared = sum((a & b).values())
    return shared / max(a.total(), b.total(), 1)


def near_duplicates(reports: Sequence[ChangeReport]) -> dict[str, list[str]]:
    """Shown change id -> the ids folded into its row, both in the order of `reports`; only groups of two or more.
    Cost: each change is compared only with the changes that share a chunk with it (an index by hash)."""
    plans = {r.id: plan for r in reports if (plan := _chunks(r)) is not None and plan.total() >= MIN_FOLD_CHUNKS}
    holders: dict[str, list[str]] = {}
    for change_id, plan in plans.items():
        for digest in plan:
            holders.setdefault(digest, []).append(change_id)
    order = {r.id: position for position, r in enumerate(reports)}
    by_id = {r.id: r for r in reports}
    taken: set[str] = set()
    groups: dict[str, list[str]] = {}
    for report in sorted((r for r in reports if r.id in plans), key=_shown_first):
        shown = report.id
        if shown in taken:
            continue
        taken.add(shown)
        plan = plans[shown]
        others = {other for digest in plan for other in holders[digest]} - taken
        # never hidden under a row of a milder band: the fifth a copy does not share may hold what makes it riskier
        folded = [other for other in others
                  if min(plan.total(), plans[other].total()) >= SIMILAR_SHARE * max(plan.total(), plans[other].total())
                  and similar_share(plan, plans[other]) >= SIMILAR_SHARE
                  and _band_rank(by_id[other]) <= _band_rank(report)]
        if folded:
            taken.update(folded)
            groups[shown] = sorted(folded, key=order.__getitem__)
    return dict(sorted(groups.items(), key=lambda group: order[group[0]]))


def duplicate_of(groups: dict[str, list[str]]) -> dict[str, str]:
    """Folded change id -> the id of the change whose row it is folded into."""
    return {folded: shown for shown, members in groups.items() for folded in members}
