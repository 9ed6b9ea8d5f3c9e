"""`review-tui chunks CHANGE`: the review plan of a change, chunk by chunk with floor times."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import click

from app.commands.common import (
    base_option,
    console,
    make_analyzer,
    note_merged,
    note_named_by_head,
    print_team_config_warnings,
    print_unpadded,
    range_args,
    range_options,
    repo_option,
    show_progress,
    width_option,
)
from app.core.text import json_text

if TYPE_CHECKING:
    from app.analysis.analyzer import Analyzer
    from app.core.git.models import Change
    from app.core.planner.model import ReviewPlan


@click.command()
@click.argument("change_id", metavar="CHANGE")
@repo_option
@base_option
@range_options
@click.option("--order", type=click.Choice(["risk", "path"]), default="risk", show_default=True,
              help="Riskiest chunks first, or in file order.")
@click.option("--json", "json_output", is_flag=True, help="Print the plan as JSON.")
@width_option
@click.pass_context
def chunks(ctx: click.Context, change_id: str, repo: str | None, base: str | None, commit_range: str | None,
           merges: bool | None, first_parent: bool | None, order: str, json_output: bool,
           width: int | None) -> None:
    """The review plan of a change: chunks a person can read in one sitting, with floor times."""
    analyzer = make_analyzer(repo or ctx.obj.get("repo"), base or ctx.obj.get("base"),
                             **range_args(ctx, commit_range, merges, first_parent))
    analyzer.one_change = True  # discover only what its verdicts read
    print_team_config_warnings(analyzer)
    done = show_progress(analyzer)
    change = analyzer.change(change_id)
    # The plan is all this prints: a plan cached for this content and these rules is the answer, without reading
    # the diff again (a 1,400-file change's plan in a fraction of a second; lazygit's pr/296, +3.2M lines, 30 s)
    plan = analyzer.cached_plan(change, order)
    if plan is None:
        detail = analyzer.detail(change, order=order)
        change, plan = detail.change, detail.plan
    done()
    note_merged(change)
    note_named_by_head(change, change_id)
    plan = _numbered_as_reviewed(analyzer, change, plan)
    if json_output:
        data = {"change": change.id, "head": change.head, "base": change.base, **plan.to_dict()}
        click.echo(json_text(data))
        return
    from app.report.tables import plan_table

    out = console(width=width)
    print_unpadded(out, plan_table(change, plan, width=out.width))


def _numbered_as_reviewed(analyzer: Analyzer, change: Change, plan: ReviewPlan) -> ReviewPlan:
    """`plan` in its own order, each chunk keeping the number it has in the risk-ordered plan that
    `check` and the TUI name it by ("#2"): --order sorts the rows, it does not rename the chunks."""
    if plan.order == "risk":
        return plan
    reviewed = analyzer.cached_plan(change, "risk") or analyzer.detail(change).plan
    numbers: dict[str, list[int]] = {}
    for chunk in reviewed.chunks:
        numbers.setdefault(chunk.content_hash, []).append(chunk.index)
    chunks = [dataclasses.replace(chunk, index=numbers[chunk.content_hash].pop(0))
              if numbers.get(chunk.content_hash) else chunk for chunk in plan.chunks]
    return dataclasses.replace(plan, chunks=chunks)
