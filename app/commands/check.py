"""`review-tui check CHANGE`: the CI gate. Exit 0 when the sign-off policy is met for the change's
current content, 1 when it is not (one line per gap), 2 on usage or repository errors.

Decisions come from two places, merged by record id: the local ledger (this machine's reviews and
everything `review-tui sync` imported), and the git notes refs read directly
(``refs/notes/review-tui`` and every fetched ``refs/notes/remotes/*/review-tui``), so a CI job on a
fresh clone that fetched the notes needs no ledger at all. `check` never writes a review record.

Which decisions belong to the change: those on any of its current chunk hashes (an approval covers
content, wherever it was given), change-level ones covering any of them, and every decision given
on this change under its own id or at one of its commits (these reveal stale approvals). Change ids
are compared without a remote's prefix, because a reviewer's clone calls the author's `feature`
branch `origin/feature`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from app.commands.common import range_args, range_options
from app.core.text import json_text

if TYPE_CHECKING:
    from app.analysis.analyzer import Analyzer
    from app.analysis.report import ChangeDetail
    from app.core.git.models import Change
    from app.core.policy.rules import ApprovalRecord, ChunkRef, PolicyResult
    from app.storage.ledger import Decision, Ledger


@dataclass
class CheckOutcome:
    """The policy verdict on one change, with what it was computed from."""

    change_id: str
    head: str
    tier: int
    ai_share: float
    chunks: list[ChunkRef]
    result: PolicyResult
    records: int
    """Decisions considered (after merging ledger and notes)."""
    warnings: list[str] = field(default_factory=list)
    """Unreadable notes, notes of a newer version, an unusable ledger: reported, never fatal."""
    signatures: str = ""
    """What the repository requires of record signatures (one line)."""
    not_counted: list[str] = field(default_factory=list)
    """Records shown but not counted (unsigned or unknown signer where signatures are required)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change_id,
            "head": self.head,
            "tier": self.tier,
            "ai_share": round(self.ai_share, 4),
            "chunks": [{"index": c.index, "title": c.title, "hash": c.content_hash} for c in self.chunks],
            "records": self.records,
            **self.result.to_dict(),
            "signatures": self.signatures,
            "not_counted": list(self.not_counted),
            "warnings": list(self.warnings),
        }


def _remote_names(analyzer: Analyzer) -> set[str]:
    return {ref.name.split("/")[2] for ref in analyzer.repo.refs()
            if ref.name.startswith("refs/remotes/") and ref.name.count("/") >= 3}


def _plain_id(change_id: str, remotes: set[str]) -> str:
    """A change id without a remote's prefix: `origin/feature` and `feature` name the same branch."""
    first, sep, rest = change_id.partition("/")
    return rest if sep and first in remotes else change_id


@dataclass
class Gathered:
    records: list[ApprovalRecord]
    warnings: list[str]
    not_counted: list[str]
    signatures: str


MAX_NOT_COUNTED_SHOWN = 20


def change_names(analyzer: Analyzer, change: Change, remotes: set[str]) -> set[str]:
    """Every name the change goes by, without a remote's prefix: its id, its ref, and its aliases -
    the other pending refs at the same head commit (one change under several names, e.g. a branch
    and its pull-request ref). The seam for issue 13's change aliases."""
    names = {_plain_id(change.id, remotes)}
    if change.ref:
        names.add(_plain_id(change.ref.removeprefix("refs/heads/").removeprefix("refs/remotes/"), remotes))
    for other in analyzer.discovery.changes:
        if other.head == change.head and other.kind != "worktree":
            names.add(_plain_id(other.id, remotes))
    return names


def gather_decisions(analyzer: Analyzer, detail: ChangeDetail, *, ledger: Ledger | None,
                     read_notes: bool = True) -> Gathered:
    """Every decision that bears on the change, from the notes refs and the ledger, filtered by the
    repository's trust rules (app/storage/trust.py), with warnings and what was not counted."""
    from app.storage import notes, trust

    warnings: list[str] = []
    repo_key = analyzer.repo_key
    rules = trust.load_rules(analyzer.repo, analyzer.discovery.base_commit, analyzer.config.policy)
    warnings += rules.problems
    found: dict[str, tuple[Decision, tuple[str, ...] | None]] = {}
    parsed = None
    if read_notes:
        # Notes first: their copy of a record carries its signature; the ledger's copy does not.
        parsed = notes.read_notes(analyzer.repo, repo_key)
        warnings += parsed.problems
        for decision, covers in parsed.decisions:
            found.setdefault(decision.record_id, (decision, covers))
    if ledger is not None:
        coverage = notes.coverage_of(ledger)
        for decision in ledger.iter_decisions(repo=repo_key):
            found.setdefault(decision.record_id, (decision, coverage.get(decision.record_id)))

    change = detail.change
    current = {c.content_hash for c in detail.plan.chunks}
    heads = {change.head, *(c.id for c in change.commits)}
    remotes = _remote_names(analyzer)
    own_ids = change_names(analyzer, change, remotes)

    def bears_on(decision: Decision, covers: tuple[str, ...] | None) -> bool:
        if decision.chunk_hash is not None and decision.chunk_hash in current:
            return True
        if decision.chunk_hash is None and covers and current.intersection(covers):
            return True
        return decision.head in heads or _plain_id(decision.change_id, remotes) in own_ids

    def made_here(decision: Decision) -> bool:
        """An approval counts only for the change it was given on (any of its names) or at one of its
        commits: another branch making the same edit, or the same lines moved, needs its own look."""
        return _plain_id(decision.change_id, remotes) in own_ids or decision.head in heads

    records: list[ApprovalRecord] = []
    not_counted: list[str] = []
    for decision, covers in found.values():
        if not bears_on(decision, covers):
            continue
        if not made_here(decision):
            not_counted.append(f"{decision.decision} by {decision.reviewer} (record {decision.record_id}): "
                               f"given on another change ({decision.change_id}); review this change to count")
            continue
        verdict = trust.verdict(decision.record_id, decision.reviewer, parsed, rules)
        if verdict.trusted:
            records.append(notes.approval_record(decision, covers))
        else:
            not_counted.append(f"{decision.decision} by {decision.reviewer} (record {decision.record_id}): "
                               f"{verdict.why}")
    not_counted.sort()
    if len(not_counted) > MAX_NOT_COUNTED_SHOWN:
        rest = len(not_counted) - MAX_NOT_COUNTED_SHOWN
        not_counted = [*not_counted[:MAX_NOT_COUNTED_SHOWN], f"... and {rest} more record(s) not counted"]
    return Gathered(records, warnings, not_counted, rules.describe())


def evaluate_change(analyzer: Analyzer, detail: ChangeDetail, *, ledger: Ledger | None,
                    read_notes: bool = True) -> CheckOutcome:
    """The policy verdict on a change's current content (what `check` prints; the TUI may show it too)."""
    from app.core.policy.rules import ChunkRef, evaluate
    from app.core.provenance.commits import change_participants

    gathered = gather_decisions(analyzer, detail, ledger=ledger, read_notes=read_notes)
    records = gathered.records
    plan = detail.plan
    tier = detail.tiers.tier
    ai_share = detail.provenance.ai_share
    result = evaluate(
        analyzer.config.policy, tier=tier, ai_share=ai_share,
        authors=change_participants(detail.change.commits),
        chunk_hashes=[c.content_hash for c in plan.chunks], chunk_titles=[c.title for c in plan.chunks],
        decisions=records, head=detail.change.head,
    )
    chunks = [ChunkRef(c.index, c.title, c.content_hash) for c in plan.chunks]
    return CheckOutcome(detail.change.id, detail.change.head, tier, ai_share, chunks, result, len(records),
                        gathered.warnings, gathered.signatures, gathered.not_counted)


def _open_ledger(warnings: list[str]) -> Ledger | None:
    """The user's ledger if there is one; a ledger that cannot be opened is reported, not fatal
    (the notes may hold every record that matters)."""
    from app import paths
    from app.errors import LedgerError
    from app.storage.ledger import Ledger

    path = paths.ledger_path()
    if not path.exists():
        return None
    try:
        return Ledger.open(path)
    except LedgerError as exc:
        warnings.append(f"review ledger not used: {exc}")
        return None


@click.command("check")
@click.argument("change")
@click.option("--repo", type=click.Path(file_okay=False), default=None,
              help="Repository to inspect (default: the current directory).")
@click.option("--base", default=None,
              help="Base branch or commit (default: origin's HEAD, else main, else master).")
@range_options
@click.option("--json", "json_output", is_flag=True, help="Print the verdict as JSON.")
@click.option("--notes-only", is_flag=True,
              help="Ignore the local review ledger: use only the records in git notes (CI).")
@click.pass_context
def check_command(ctx: click.Context, change: str, repo: str | None, base: str | None, commit_range: str | None,
                  merges: bool | None, first_parent: bool | None, json_output: bool, notes_only: bool) -> None:
    """Check CHANGE against the sign-off policy: exit 0 met, 1 not met, 2 usage or repository error.

    Reads review records from the local ledger and from git notes (refs/notes/review-tui and
    fetched refs/notes/remotes/*/review-tui); writes nothing."""
    from app.commands.common import make_analyzer
    from app.errors import ChangeNotFound

    obj = ctx.obj or {}
    analyzer = make_analyzer(repo or obj.get("repo"), base or obj.get("base"),
                             **range_args(ctx, commit_range, merges, first_parent))
    try:
        found = analyzer.change(change)
    except ChangeNotFound as exc:
        raise ChangeNotFound(
            f"{exc} - its branch may have been deleted or merged into {analyzer.discovery.base_ref}, "
            "or its head not fetched"
        ) from None
    detail = analyzer.detail(found)
    warnings: list[str] = []
    ledger = None if notes_only else _open_ledger(warnings)
    try:
        outcome = evaluate_change(analyzer, detail, ledger=ledger)
    finally:
        if ledger is not None:
            ledger.close()
    outcome.warnings[:0] = warnings
    if json_output:
        click.echo(json_text(outcome.to_json()))
    else:
        _print(outcome)
    for warning in outcome.warnings:
        click.echo(f"review-tui: warning: {warning}", err=True)
    sys.exit(0 if outcome.result.ok else 1)


def _print(outcome: CheckOutcome) -> None:
    from app.core.text import one_line

    result = outcome.result
    need = result.required
    verdict = "policy met" if result.ok else "policy NOT met"
    click.echo(f"{one_line(outcome.change_id, 80)} @ {outcome.head[:10]}: {verdict} "
               f"(tier {outcome.tier}, AI share {outcome.ai_share:.0%}, {len(outcome.chunks)} chunks; "
               f"needs {need.approvals} approval(s), {need.senior_approvals} senior)")
    for line in result.missing:
        click.echo(f"  - {one_line(line, 400)}")
    for standing in result.reviewers:
        role = "senior" if standing.senior else "reviewer"
        state = standing.state + (f": {standing.detail}" if standing.detail and not standing.counted else "")
        click.echo(f"  {one_line(standing.reviewer, 60)} ({role}): {one_line(state, 200)}")
    click.echo(f"  {outcome.signatures}")
    for line in outcome.not_counted:
        click.echo(f"  not counted: {one_line(line, 300)}")
