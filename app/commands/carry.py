"""`review-tui carry CHANGE`: carry your approvals over from another change making the same edit.

An approval counts only on the change it was given on (README "Sign-off policy"): when a second
branch makes the identical edit (a backport, a re-opened pull request, a branch cut again), `check`
shows your approval there as "given on another change" and does not count it. Carrying it over is
your explicit statement that the same review holds here: one new approval per chunk, given on
CHANGE, keeping whether the original was a rubber stamp (it stays one) and adding no reading time
of its own (stats count the time once, where it was spent), recorded in the
ledger with the record and change it came from, exported to the notes by `sync` (keys ``carried``
and ``from``) and signed like any decision. Exit 0 when something was carried, 1 when nothing was.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from app.commands.common import base_option

if TYPE_CHECKING:
    from app.analysis.analyzer import Analyzer
    from app.storage.ledger import Ledger


@click.command("carry")
@click.argument("change")
@click.option("--from", "from_change", metavar="CHANGE", default=None,
              help="Only approvals given on this change (default: any other change making the same edit).")
@click.option("--repo", type=click.Path(file_okay=False), default=None,
              help="Repository to inspect (default: the current directory).")
@base_option
@click.pass_context
def carry_command(ctx: click.Context, change: str, from_change: str | None, repo: str | None,
                  base: str | None) -> None:
    """Carry your approvals of the same edit on another change over to CHANGE (then `check` counts them).

    Only your own approvals, only for chunks whose content is identical, and only where your newest
    decision on that content elsewhere is an approval and you have not decided on CHANGE since."""
    from app.analysis.signoff import SignOff, carry_over, decision_signer, own_change_reason, reviewer_identity
    from app.commands.common import make_analyzer
    from app.config import load_user_config
    from app.core.text import one_line, plural
    from app.errors import ChangeNotFound
    from app.storage.ledger import Ledger

    obj = ctx.obj or {}
    analyzer = make_analyzer(repo or obj.get("repo"), base or obj.get("base"))
    detail = analyzer.detail(analyzer.change(change))
    user_config = load_user_config()
    reviewer = reviewer_identity(user_config, analyzer)
    signer, unusable = decision_signer(user_config, analyzer, interactive=True)
    if unusable:
        click.echo(f"review-tui: warning: {unusable}", err=True)
    shown = one_line(detail.change.id, 80)
    own = own_change_reason(analyzer, detail.change, reviewer)
    if own:
        click.echo(f"nothing carried over to {shown}: {one_line(own, 300)}")
        sys.exit(1)
    with Ledger.open() as ledger:
        carried = carry_over(SignOff(analyzer, ledger), detail, reviewer, from_change=from_change, signer=signer)
        if not carried and from_change and not _names_a_change(analyzer, ledger, from_change):
            raise ChangeNotFound(f"unknown change {one_line(from_change, 80)!r} for --from: no branch or commit "
                                 "of this repository and no review record in the ledger has that name")
    if not carried:
        where = f" given on {one_line(from_change, 80)}" if from_change else ""
        click.echo(f"nothing to carry over to {shown}: no approval by {one_line(reviewer, 80)}{where} covers "
                   "its current chunks unless given on it already (`review-tui check` lists what does not count)")
        sys.exit(1)
    for item in carried:
        signed = "signed" if signer is not None and item.unsigned_why is None else "unsigned"
        click.echo(f"carried over to {shown}: {item.chunk.label} - your approval on "
                   f"{one_line(item.origin.change_id, 80)} (record {item.origin.record_id}) as record "
                   f"{item.decision.record_id}, {signed}")
        if item.unsigned_why:
            click.echo(f"review-tui: warning: {item.unsigned_why}", err=True)
    them = "it" if len(carried) == 1 else "them"
    click.echo(f"{plural(len(carried), 'approval')} carried over; `review-tui check {shown}` counts {them}, "
               f"`review-tui sync` shares {them}")


def _names_a_change(analyzer: Analyzer, ledger: Ledger, change_id: str) -> bool:
    """Whether --from names something: a change or commit of the repository, or a change a review
    record in the ledger was given on (its branch may be gone)."""
    from app.errors import ReviewTuiError

    try:
        analyzer.change(change_id)
        return True
    except ReviewTuiError:
        pass
    from app.core.policy.binding import plain_id

    remotes = analyzer.remote_names()
    plain = plain_id(change_id, remotes)
    names = {change_id, plain, *(f"{remote}/{plain}" for remote in remotes)}
    return any(ledger.decisions_for(analyzer.repo_key, name) for name in names)
