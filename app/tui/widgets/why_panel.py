"""Renderables for the change screen: why a change scored what it did, and who wrote what.

Pure functions from a change's Assessment (None: not analysed) to Rich renderables, so the change
screen stays about layout and the content can be tested on its own. All repository text passes
through one_line()/visible() into Text objects: a "[bold]" in a commit message shows literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from app.core.impact.unsafe_code import unsafe_summary
from app.core.text import (
    TOO_BIG,
    format_duration,
    has_invisible,
    one_line,
    percent,
    plural,
    share_text,
    significant,
    visible_path,
)
from app.report.tables import (
    Breakable,
    ai_commit_lines,
    at_average,
    item,
    learned_direction_note,
    shared_signal_note,
    tier_rules_hint,
)
from app.report.track_record import evidence_line

if TYPE_CHECKING:
    from app.analysis.report import Assessment, FactorSummary
    from app.storage.models import TrackRecordRun

FACTOR_NAMES = {
    "tier": "tier",
    "destructive": "destructive ops",
    "ai_share": "AI share",
    "complexity": "complexity",
    "size": "size",
    "code_size": "code size",
    "code_files": "code files",
    "code_base": "code file size",
    "indent": "indentation",  # a column, not a count of levels: continuation lines count too
    "spread": "spread",
    "history": "churn history",
    "authors": "recent authors",
    "no_tests": "no test change",
    "experience": "author experience",
    "tests": "tests",
    "blast_radius": "blast radius",
    "seams": "untested seams",
    "dependencies": "dependency bump",
}


def _raw(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return one_line(str(value), 20)


def factor_total(factors: Sequence[FactorSummary]) -> float:
    """The sum of the contributions, rounded like the score (app.core.risk.score makes them equal)."""
    return round(sum(f.contribution for f in factors), 1)


def _factor_name(factor: FactorSummary) -> str:
    return FACTOR_NAMES.get(factor.name, one_line(factor.name.replace("_", " "), 30))


def effect_text(factor: FactorSummary) -> str:
    """An impact factor's cost units ("+4.0 u"), a likelihood factor's log-odds ("+0.62")."""
    effect = float(factor.effect)
    return f"+{effect:.1f} u" if factor.kind == "impact" else f"{effect:+.2f}"


def risk_headline(found: Assessment | None) -> Text:
    """"likelihood 34% (average 12%) × impact 5.0 u = expected cost 1.70 · ranked by <model>"."""
    text = Text()
    if found is None:
        return text
    risk = found.risk
    text.append("Likelihood of a later fix ", style="bold")
    text.append(percent(float(risk.likelihood)), style="bold")
    text.append(f" ({at_average(float(risk.base_likelihood))})", style="dim")
    text.append(" × impact ", style="bold")
    text.append(f"{float(risk.impact):.2g} u", style="bold")
    text.append(" = expected cost ", style="bold")
    text.append(f"{float(risk.expected_cost):.2f}", style="bold")
    per_minute = found.risk_per_minute
    if per_minute is not None:
        text.append(f" ({significant(per_minute)} per review minute)", style="dim")
    text.append("\nranked by: ", style="dim")
    text.append(one_line(risk.model or "unknown model", 200), style="dim")
    text.append("\nu: cost units, 1 = a defect in ordinary code. Impact points are the score at the average "
                "likelihood; likelihood points move it from there to this change's.", style="dim")
    return text


def factors_table(found: Assessment | None, *, narrow: bool = False) -> Table:
    """The score's factors in two sections, impact then likelihood: raw value, normalised value,
    weight, effect (cost units or log-odds), points, explanation; a total row shows that the points
    add up to the score. `narrow` drops raw, normalised and weight."""
    table = Table(box=None, pad_edge=False, expand=True, show_edge=False, header_style="bold")
    table.add_column("factor", no_wrap=True)
    if not narrow:
        table.add_column("raw", justify="right", no_wrap=True)
        table.add_column("norm", justify="right", no_wrap=True)
        table.add_column("weight", justify="right", no_wrap=True)
    table.add_column("effect", justify="right", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("why", ratio=1)
    factors = list(found.risk.factors) if found else []
    for kind, title in (("impact", "impact"), ("likelihood", "likelihood")):
        group = [f for f in factors if (f.kind == "impact") == (kind == "impact")]
        if not group:
            continue
        table.add_row(Text(title, style="bold underline"))
        for factor in sorted(group, key=lambda f: -abs(f.contribution)):
            table.add_row(*_factor_cells(factor, narrow))
    total = factor_total(factors)
    score = found.risk.score if found else None
    table.add_section()
    total_cells: list[Text] = [Text("total", style="bold")]
    total_cells += [Text("")] * (4 if not narrow else 1)
    total_cells.append(Text(f"{total:.1f}", style="bold"))
    band = one_line(found.risk.band if found else "", 20)
    reason = one_line(found.risk.band_reason if found else "", 120)
    summary = f"= score {float(score):.1f}, {band}" if score is not None else "no score"
    total_cells.append(Text(f"{summary} ({reason})" if reason else summary, style="bold"))
    table.add_row(*total_cells)
    return table


def _factor_cells(factor: FactorSummary, narrow: bool) -> list[Text | Breakable]:
    contribution = float(factor.contribution)
    style = "" if contribution else "dim"
    cells: list[Text | Breakable] = [Text(_factor_name(factor), style=style)]
    if not narrow:
        cells.append(Text(_raw(factor.raw), style=style))
        cells.append(Text(f"{float(factor.normalised):.2f}", style=style))
        cells.append(Text(f"{float(factor.weight):.3g}", style=style))
    cells.append(Text(effect_text(factor), style=style))
    cells.append(Text(f"{contribution:+.1f}" if factor.kind != "impact" else f"{contribution:.1f}",
                      style="bold" if contribution else "dim"))
    cells.append(Breakable(one_line(factor.explanation, 300), style=style))
    return cells


def tier_section(found: Assessment | None) -> RenderableType:
    tier = found.tiers.tier if found else None
    reasons = list(found.tiers.reasons) if found else []
    text = Text()
    text.append(f"Tier T{tier}" if tier is not None else "Tier unknown", style="bold")
    if not reasons:
        text.append("  (no rule matched: default tier)", style="dim")
    hint = tier_rules_hint(found) if found else None
    # each reason's wrapped lines under its text, not back at the margin under its bullet
    return Group(text, *(item("  • ", one_line(str(reason), 300)) for reason in reasons),
                 *([item("    ", hint, style="dim")] if hint else []))


def destructive_section(found: Assessment | None) -> RenderableType:
    ops = list(found.destructive_ops) if found else []
    parts: list[RenderableType] = [
        Text(f"Destructive operations: {len(ops)}" if ops else "Destructive operations: none found", style="bold")]
    for op in ops:
        where = visible_path(op.path, 120)
        if op.line is not None:
            where += f":{op.line}"
        line = Text(where, style="bold")
        if op.side == "old":
            line.append(" (removed line)", style="dim")
        line.append("  " + one_line(op.explanation, 300))
        parts.append(item("  ☠ ", line))
        if op.text:
            parts.append(item("      ", one_line(op.text, 200), style="dim italic"))
    parts += [item("  ⚠ ", one_line(note, 200), style="dim") for note in (found.destructive_notes if found else ())]
    return Group(*parts)


def unsafe_section(found: Assessment | None) -> list[RenderableType]:
    """The unsafe Rust code the change adds, under the destructive operations: where memory safety rests on the
    reviewer (not weighed in the score); nothing when it adds none."""
    said = unsafe_summary([(s.path, s.line, s.kind) for s in found.unsafe_code]) if found else ""
    return [item("  ⚠ ", Text.assemble(("Unsafe code: ", "bold"), one_line(said, 300),
                                       (" (memory safety rests on the reviewer)", "dim")))] if said else []


def seams_section(found: Assessment | None) -> RenderableType:
    """Blast radius (who depends on what the change touches) and the untested seams: the reviewer's
    checklist of where adversarial tests are needed."""
    blast = found.blast_radius if found else None
    seams = found.seams if found else ()
    # the score's own word when the graph did not read the change's code (Ruby, PHP ...): under a factor saying
    # "blast radius not measured", "no changed public symbol is used elsewhere" and "none untested" contradicted it
    unmeasured = next((f.explanation for f in found.risk.factors if f.name == "blast_radius" and f.raw == "unknown"),
                      None) if found and blast is not None else None
    if unmeasured is not None:
        text = Text.assemble(("Seams: ", "bold"), ("not measured", "dim"), "\n", ("Blast radius: ", "bold"),
                             (one_line(unmeasured.removeprefix("blast radius "), 300), "dim"))
        for note in blast.notes if blast else ():
            text.append(f"\n  ⚠ {one_line(note, 200)}", style="dim")
        return Breakable(text)
    parts: list[RenderableType] = [
        Text(f"Seams: {len(seams)} untested" if seams else "Seams: none untested", style="bold")]
    for seam in seams[:8]:
        line = Text(one_line(seam.symbol, 120), style="bold")
        line.append(f"  {one_line(seam.change, 20)} at {visible_path(seam.path, 100)}:{seam.line}; "
                    "no test references it", style="not bold")
        parts.append(item("  ◆ ", line))
        callers = [one_line(c, 80) for c in seam.direct_callers[:4]]
        if callers:
            more = seam.direct - len(callers)
            # wrapped under its own text: "(+17 more)" went on at column 0 (QA52 #10)
            parts.append(item("      ", "used by " + ", ".join(callers) + (f" (+{more} more)" if more > 0 else ""),
                              style="dim"))
    text = Text()
    text.append("Blast radius: ", style="bold")
    symbols = [s for s in blast.symbols if s.direct] if blast else []
    if blast is None:
        text.append("not measured yet…", style="dim")
    elif not symbols:
        text.append("no changed public symbol is used elsewhere")
    else:
        # the words `explain` uses: "modules (packages)" named Ruby and C# files wrongly (QA65 F9)
        text.append(f"{plural(blast.direct, 'direct dependent')} in {plural(blast.modules, 'file')} "
                    f"({plural(blast.packages, 'directory', 'directories')})")
        for symbol in symbols[:5]:
            text.append(f"\n  {one_line(symbol.symbol, 100)} "
                        f"({one_line('signature' if symbol.change == 'signature' else symbol.what_changed, 60)}): "
                        f"{symbol.direct} direct, {symbol.transitive} transitive")
    for note in blast.notes if blast else ():
        text.append(f"\n  ⚠ {one_line(note, 200)}", style="dim")
    return Group(*parts, Breakable(text))  # a note's long path breaks where it reads on, not at the edge


AI_METHODS = {"line": "line by line (each added line traced to the commit that wrote it)",
              "commit": "by commit (every added line of a commit with an AI signal counted: an upper bound)"}


def ai_section(found: Assessment | None) -> RenderableType:
    ai = found.ai if found else None
    tools = [one_line(t, 60) for t in ai.tools] if ai else []
    share = float(ai.share) if ai else 0.0
    text = Text()
    text.append("AI: ", style="bold")
    if tools or share:
        text.append(f"{share_text(share)} of added lines", style="bold")
        if ai is not None:
            text.append(f" ({ai.added} lines)")
        text.append(f" · tools: {', '.join(tools) if tools else 'unknown'}")
    else:
        text.append("no AI tool signalled in commits, notes or authors")
    if ai is not None and ai.method:
        # "how it was measured: line" said little (QA61 F9)
        how = AI_METHODS.get(ai.method, one_line(ai.method, 200))
        text.append(f"\n  how it was measured: {how}", style="dim")
    # each commit wrapped under its own bullet, as explain shows them
    lines = ai_commit_lines(ai, shown=5) if ai else []
    if lines:
        rest = Text()
        _ai_warnings(rest, ai)
        commits = [item("  " if i == 0 else "    · ", line) for i, line in enumerate(lines)]
        return Group(Breakable(text), *commits,
                     *([Breakable(rest[1:])] if rest.plain else []))  # rest opens with its own newline
    _ai_warnings(text, ai)
    return Breakable(text)


def _ai_warnings(text: Text, ai: Any) -> None:
    """The AI section's provenance warnings and the evidence weighed below the threshold, appended to `text`."""
    for note in ai.notes if ai else ():
        text.append("\n  ⚠ ")
        text.append(one_line(note, 300))
    for index, evidence in enumerate(ai.evidence if ai else ()):
        if index == 0:
            text.append("\n  evidence weighed:", style="dim")
        text.append("\n  · ", style="dim")
        text.append(one_line(evidence, 300), style="dim")


def complexity_section(found: Assessment | None) -> RenderableType:
    text = Text()
    text.append("Complexity: ", style="bold")
    complexity = found.complexity if found else None
    if complexity is not None and complexity.pending:
        text.append("still being measured…", style="dim")
        return text
    if complexity is not None and not complexity.measured:
        text.append("not measured (no measurer reads this change's code: Terraform, SQL, Blade templates ...)",
                    style="dim")
        return Breakable(text)
    text.append(f"+{complexity.added if complexity else 0} cyclomatic")
    if complexity is not None and complexity.credited:  # renamed or moved functions: not new (QA58 F3)
        text.append(f" ({complexity.credited} more in functions moved or renamed, not counted: the complexity "
                    "factor names them)", style="dim")
    worst = complexity.worst_function if complexity else None
    if worst:
        text.append(f" · worst {one_line(worst.name, 80)} CC {worst.complexity}"
                    f" (grade {one_line(worst.grade, 3)}) in {visible_path(str(worst.path), 100)}")
    for path, error in (complexity.errors if complexity else {}).items():
        text.append(f"\n  ⚠ {visible_path(str(path), 100)}: {one_line(str(error), 200)}", style="dim")
    return Breakable(text)


def suspicious_identifiers(names: Sequence[tuple[str, str | None]]) -> list[str]:
    """Of (label, name) pairs - the change id, its ref, authors, committers - those that hold
    invisible characters (zero-width, bidi, controls) or bytes that are not UTF-8 (shown as \\xNN):
    two such names can look alike, so they are flagged."""
    found: list[str] = []
    for label, value in names:
        if value and (has_invisible(value) or "\\x" in value):
            found.append(f"{label} {one_line(value, 120)}")
    return list(dict.fromkeys(found))


def change_identifiers(change: Any) -> list[tuple[str, str | None]]:
    """(label, name) of a Change's id, ref, and every commit's author, committer and co-authors."""
    from app.core.provenance.commits import co_author_emails

    names: list[tuple[str, str | None]] = [("change", change.id), ("ref", change.ref)]
    for commit in change.commits:
        # names as well as addresses: `Eve \x1b[2J` and a name with a zero-width joiner went unflagged
        names += [("author", commit.author_name), ("author", commit.author_email),
                  ("committer", commit.committer_name), ("committer", commit.committer_email)]
        names += [("co-author", email) for email in co_author_emails(commit.message)]
    return names


def identifier_section(names: Sequence[tuple[str, str | None]]) -> RenderableType:
    flagged = suspicious_identifiers(names)
    text = Text()
    if flagged:
        text.append("Look-alike names\n", style="bold red")
        for item in flagged:
            text.append(f"  ⚠ {item}: holds invisible or non-UTF-8 characters (shown escaped)\n",
                        style="red")
    return text


def base_section(base_note: str) -> RenderableType:
    """Which base the change was compared with, when it is not the queue's (a release line)."""
    # indented as a block: its wrapped lines under its first, not at the panel's edge
    return Group(Text("Base", style="bold"), Padding(Breakable(one_line(base_note, 4000)), (0, 0, 0, 2)))


def track_record_evidence(found: Assessment | None, track_record: TrackRecordRun | None) -> list[RenderableType]:
    """The AI track record as evidence under the factors, when AI share moves this change's likelihood
    (app/report/track_record.py evidence_line); nothing otherwise."""
    line = evidence_line(track_record, found)
    return [Text(line, style="italic")] if line else []


def similar_section(similar: Sequence[str]) -> RenderableType:
    """The near-duplicate heads the queue folded into this change's row (analysis/similar.py)."""
    from app.analysis.similar import SIMILAR_SHARE

    lines: list[RenderableType] = [Text(f"{plural(len(similar), 'similar head')} folded into this row", style="bold"),
             Padding(Text(f"each shares {SIMILAR_SHARE:.0%}+ of its review chunks with this one (a backup, a "
                          "pre-rebase copy, the same work on another base); `e` on its queue row lists them, "
                          "enter opens one"),
                     (0, 0, 0, 2))]
    lines += [Padding(Breakable(f"• {one_line(head, 200)}"), (0, 0, 0, 2)) for head in similar[:20]]
    if len(similar) > 20:
        lines.append(Padding(Text(f"+{len(similar) - 20} more (`list --json`: duplicate_of)"), (0, 0, 0, 2)))
    return Group(*lines)


def too_big_section(found: Assessment) -> RenderableType:
    """A change whose review plan's floor is over [chunks] split_hours: what to do with it first."""
    return Group(Text(f"{TOO_BIG.capitalize()}", style="bold red"),
                 Padding(Text(f"its review plan is {plural(found.plan.chunk_count, 'chunk')} with a floor of "
                              f"{format_duration(found.plan.floor_seconds)}, over what one review can hold "
                              "([chunks] split_hours): ask for it in parts that can each be reviewed"), (0, 0, 0, 2)))


def why_renderable(found: Assessment | None, *, narrow: bool = False,
                   names: Sequence[tuple[str, str | None]] = (), base_note: str = "",
                   track_record: TrackRecordRun | None = None, similar: Sequence[str] = ()) -> RenderableType:
    """The whole "why" panel: look-alike names (of `names`, see change_identifiers), the base when
    it is not the queue's (`base_note`), factors with their total, the AI track record of the
    latest calibrate when AI share moves the likelihood, tier reasons, destructive ops, AI, complexity."""
    flagged = [identifier_section(names)] if suspicious_identifiers(names) else []
    if base_note:
        flagged.append(base_section(base_note))
    if similar:
        flagged.append(similar_section(similar))
    if found is not None and found.plan.too_big:
        flagged.append(too_big_section(found))
    return Group(
        *flagged,
        risk_headline(found),
        Text(""),
        factors_table(found, narrow=narrow),
        *shared_signal(found),
        *track_record_evidence(found, track_record),
        Text(""),
        tier_section(found),
        Text(""),
        destructive_section(found),
        *unsafe_section(found),
        Text(""),
        seams_section(found),
        Text(""),
        ai_section(found),
        Text(""),
        complexity_section(found),
    )


def shared_signal(found: Assessment | None) -> list[Text]:
    """shared_signal_note and learned_direction_note as dim lines under the factors, when a factor reads that way."""
    notes = [shared_signal_note(found, _factor_name), learned_direction_note(found, _factor_name)] if found else []
    return [Text(note, style="dim") for note in notes if note]


def top_factors(found: Assessment | None, count: int = 3) -> Text:
    """"tier 30.0 · destructive ops 20.0 · AI share 9.5": the biggest contributions, for a header."""
    factors = sorted(found.risk.factors if found else (), key=lambda f: -f.contribution)
    parts = [f for f in factors if f.contribution > 0][:count]
    text = Text()
    if found is not None and not parts:  # an empty diff, or every factor at or below the average change
        return Text("no factor raises the score", style="dim")
    for i, factor in enumerate(parts):
        if i:
            text.append(" · ", style="dim")
        text.append(_factor_name(factor))
        text.append(f" {float(factor.contribution):.1f}", style="bold")
    return text
