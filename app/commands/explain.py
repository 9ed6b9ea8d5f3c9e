"""`review-tui explain CHANGE`: why a change scored what it did, factor by factor."""

from __future__ import annotations

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


@click.command()
@click.argument("change_id", metavar="CHANGE")
@repo_option
@base_option
@range_options
@click.option("--json", "json_output", is_flag=True, help="Print the breakdown as JSON.")
@width_option
@click.pass_context
def explain(ctx: click.Context, change_id: str, repo: str | None, base: str | None, commit_range: str | None,
            merges: bool | None, first_parent: bool | None, json_output: bool, width: int | None) -> None:
    """Why a change scored what it did: every factor and its contribution."""
    analyzer = make_analyzer(repo or ctx.obj.get("repo"), base or ctx.obj.get("base"),
                             **range_args(ctx, commit_range, merges, first_parent))
    analyzer.one_change = True  # discover only what its verdicts read
    analyzer.measure_maintainability = True  # in the complexity's own parse, not a second one
    print_team_config_warnings(analyzer)
    done = show_progress(analyzer)
    change = analyzer.change(change_id)
    # Explained before under these rules: the cached report and maintainability are the answer, no diff read
    known = analyzer.explanation(change)
    if known is None:
        detail = analyzer.detail(change)
        report, maintainability = detail.report, analyzer.maintainability(detail)
        analyzer.keep_explanation(detail, maintainability)
    else:
        report, maintainability = known
    done()
    note_merged(report.change)
    note_named_by_head(report.change, change_id)
    from app.report.track_record import evidence_line

    track_record = analyzer.track_record
    if json_output:
        assert report.assessment is not None  # an analysed change's
        data = {**report.to_json(), "maintainability": maintainability,
                "ai_track_record_evidence": evidence_line(track_record, report.assessment)}
        click.echo(json_text(data))
        return
    from app.report.tables import explain_view

    print_unpadded(console(width=width), explain_view(report, maintainability, track_record))
