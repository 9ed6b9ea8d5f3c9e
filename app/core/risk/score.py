"""The risk score: expected cost = likelihood x impact, explained factor by factor.

Two questions, answered apart (issue 12):
- **likelihood**: how probable it is that the change will later need a fix. It comes from a fitted
  model (app/core/risk/likelihood.py: logistic regression on normalised Kamei factors), handed in
  as a `LikelihoodView`: the model's intercept (the log-odds of a change at every factor's mean)
  and each factor's contribution in log-odds. This module never fits or loads a model.
- **impact**: what such a fix costs, in *cost units* (1 = a defect in ordinary, tier-2 code): the
  critical-path tier of the riskiest path (tier 0 4, tier 1 2, tier 2 1, tier 3 0.25), destructive
  operations (+4: "delete and recreate" incidents are rare but unbounded), the blast radius (up to
  +2: how far the public symbols the change rewrites reach) and untested seams (up to +1). Impact
  is added, not multiplied, so each part is a share of it that can be shown.

The expected cost is E = likelihood x impact, and the score puts it on 0..100 with diminishing
returns: score = 100 E / (E + half_cost), half_cost 1 by default (a certain defect in ordinary code
scores 50). The bands keep their meaning and numbers: with the defaults a tier-2 change is medium
from a 33% likelihood, a tier-0 change from 8% and high from 20%; documentation (0.25 units) stays low.

Every point is explained, in a fixed order a reader can follow: first the impact at the *average*
likelihood (the model's base rate), split between the impact factors by their cost units; then the
likelihood factors move that up or down, each by its log-odds times the average slope of the score
along the way (the exact difference divided by the summed log-odds). Contributions are rounded to
0.1 and the score is their exact sum, as before.

`[risk.weights]` of older configs keep working: each weight is read relative to its default, so the
default leaves the fitted model alone, 0 drops the factor (a likelihood factor's log-odds or an
impact factor's cost) and twice the default doubles it (`weight_multiplier`).
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.planner.model import is_translation_path
from app.core.settings import SectionReader
from app.core.text import one_line, plural, share_text, visible_path
from app.errors import ConfigError

DEFAULT_WEIGHTS: dict[str, float] = {
    "tier": 19.0,
    "destructive": 20.0,
    "ai_share": 15.0,
    "complexity": 12.0,
    "size": 8.0,
    "spread": 5.0,
    "history": 5.0,
    "experience": 3.0,
    "tests": 4.0,
    "blast_radius": 6.0,
    "seams": 3.0,
    "dependencies": 6.0,  # as blast_radius, the other "how far it reaches" cost of full measure 2 units
}
DEFAULT_BANDS = {"medium": 25.0, "high": 45.0, "critical": 65.0}

_TEST_MARKERS = ("test_", "_test.", ".test.", ".spec.", "tests/", "test/", "__tests__/", "spec/")
# Infrastructure code (Terraform/HCL) and SQL are what people write in an IaC or database repository: left out,
# every change there scored as "no code changed" (a 15,000-line module rewrite below a one-line comment).
# The rest: what the planner reads as code too (a 2,673-line PowerShell module was "0 changed lines in source files",
# score 0, while its plan was 4 hours of code; QA47 #4).
_CODE_SUFFIXES = (".py", ".go", ".js", ".jsx", ".ts", ".tsx", ".java", ".kt", ".rb", ".rake", ".rs", ".c", ".cc",
                  ".cpp", ".h", ".hpp", ".cs", ".swift", ".scala", ".php", ".m", ".lua", ".sh", ".tf", ".hcl", ".sql",
                  ".mjs", ".cjs", ".mts", ".cts", ".vue", ".svelte", ".dart", ".ex", ".exs", ".erl", ".pyx", ".pxd",
                  ".bash", ".zsh", ".ps1", ".psm1", ".psd1", ".bat", ".cmd", ".pl", ".pm", ".r", ".jl", ".groovy",
                  ".gradle", ".kts", ".clj", ".cljs", ".hs", ".ml", ".fs", ".zig", ".sol", ".mm", ".cxx", ".hh",
                  ".hxx", ".gemspec", ".ru", ".jbuilder")
# Code named without a suffix (Ruby's task and tool files). Not a Gemfile: a list of dependencies, weighed as such by
# the dependencies factor, as package.json and go.mod are (its lines as code lines would count a bump twice).
_CODE_NAMES = frozenset({"rakefile", "guardfile", "capfile"})


IMPACT_FACTORS = ("tier", "destructive", "blast_radius", "seams", "dependencies")
"""The factors that say what a failure costs; every other weight names a likelihood factor."""
TIER_COST = {0: 4.0, 1: 2.0, 2: 1.0, 3: 0.25}
"""Cost units of a defect by tier (1 = ordinary code). Money, identity and infrastructure (tier 0)
cost about four times as much to get wrong; docs and tests (tier 3) a quarter."""
DESTRUCTIVE_COST = 4.0
"""Cost units a destructive operation adds: as much as a tier-0 defect again."""
BLAST_COST = 2.0
"""Cost units at full reach (many modules depend on what the change rewrites)."""
SEAMS_COST = 1.0
"""Cost units at full untested-seam measure."""
DEPENDENCY_COST = 2.0
"""Cost units at full measure of a dependency bump (app/core/dependencies.py): the blast radius's, read the other
way: a bump rewrites code that every caller of the dependency runs, none of it read in the change (a vendored tree is
tier 3, its manifest tier 1 whatever it says). Measured as U/(U+1) of the summed units U (DIRECT_UNITS: a new
dependency, a major bump or a downgrade 1, a minor or patch update or a removal 0.25; a lock-only entry 0.05, at most
1 for all of those; a dev/test-only one a quarter of that, DEV_SHARE: it does not change what runs in production):
one new dependency is +1 unit, three 0.x-minor bumps and an update of golang.org/x +1.5, one patch update +0.4,
a test tool's major bump +0.4. It is impact, so a bump's likelihood (the calibrated model's, untouched) still scales
it: a 0.5% one gains about a point, and the why panel says what moved."""
DEFAULT_HALF_COST = 1.0


@dataclass(frozen=True)
class RiskConfig:
    """Settings of the `[risk]` table of .review-tui.toml."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    """Emphasis of each factor, read relative to its default (`weight_multiplier`): the default
    leaves the fitted likelihood model and the impact costs as they are, 0 drops the factor."""
    bands: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_BANDS))
    """Lowest score of each band above "low"."""
    destructive_is_critical: bool = True
    """A change with a destructive operation is in the critical band whatever its score (at least high when its
    heaviest operation loses no stored data, LOSES_NOTHING_KEPT)."""
    half_cost: float = DEFAULT_HALF_COST
    """The expected cost (likelihood x impact units) that scores 50."""

    def weight_multiplier(self, name: str) -> float:
        """How much of a factor's fitted effect (log-odds) or cost counts: weight / default weight;
        1 for a factor with no weight of its own."""
        default = DEFAULT_WEIGHTS.get(name)
        if not default:
            return 1.0
        return self.weights.get(name, default) / default

    @classmethod
    def from_reader(cls, reader: SectionReader) -> RiskConfig:
        weights = dict(DEFAULT_WEIGHTS)
        wr = reader.sub("weights")
        for name in DEFAULT_WEIGHTS:
            weights[name] = wr.get_number(name, DEFAULT_WEIGHTS[name], minimum=0, maximum=1000)
        wr.finish()
        bands = dict(DEFAULT_BANDS)
        br = reader.sub("bands")
        for name in DEFAULT_BANDS:
            bands[name] = br.get_number(name, DEFAULT_BANDS[name], minimum=0, maximum=100)
        br.finish()
        if not bands["medium"] <= bands["high"] <= bands["critical"]:
            raise ConfigError(f"{reader.where('bands')}: thresholds must rise: medium <= high <= critical")
        critical = reader.get("destructive_is_critical", bool, True)
        half_cost = reader.get_number("half_cost", DEFAULT_HALF_COST, minimum=0.01, maximum=1000)
        reader.finish()
        return cls(weights, bands, critical, half_cost)


@dataclass(frozen=True)
class LikelihoodView:
    """What the score needs of a likelihood model for one change (likelihood.py makes it)."""

    intercept: float
    """Log-odds of a change at every factor's mean (the model's base rate)."""
    contributions: dict[str, float]
    """Log-odds each factor adds to the intercept; intercept + sum = the change's log-odds."""
    values: dict[str, float] = field(default_factory=dict)
    """Each factor's measured value, as the model read it."""
    coefficients: dict[str, float] = field(default_factory=dict)
    """Log-odds per standard deviation of each factor."""
    source: str = ""
    """Which model: "built-in defaults (...)" or the repository's own fit."""


@dataclass
class RiskInputs:
    """The raw figures the score is computed from."""

    lines_added: int = 0
    lines_deleted: int = 0
    paths: list[str] = field(default_factory=list)
    lines_per_file: list[int] = field(default_factory=list)
    complexity_added: int = 0
    # of the complexity of functions found again renamed or moved (another file, another class), what is not counted
    # in complexity_added (complexity.credit_moves), the largest of those moves in words, and added minus removed
    complexity_credited: int = 0
    complexity_moves: list[str] = field(default_factory=list)
    complexity_net: int = 0
    # False when the change's code is only in languages nothing measures (Terraform, SQL): its "+0" is unknown
    complexity_known: bool = True
    worst_complexity: int = 0
    worst_function: str | None = None
    ai_share: float = 0.0
    ai_tools: list[str] = field(default_factory=list)
    tier: int = 2
    tier_reason: str = ""
    destructive: list[str] = field(default_factory=list)  # one line per operation
    # what each of them loses, 0..1 of DESTRUCTIVE_COST (Finding.weight; missing: 1): the factor weighs the heaviest
    destructive_weights: list[float] = field(default_factory=list)
    hottest_changes: int = 0
    hottest_path: str | None = None
    recent_authors: int = 0
    author_prior_commits: int = 0
    author_bot: str = ""  # the bot account (`login[bot]`) that wrote the whole change: its experience is not known
    history_known: bool = True
    code_bytes_before: int = 0  # bytes, at the change's base, of the code files (not tests) it changes
    deepest_indent: int = 0  # nesting indent of the most indented added line of code (deepest_nesting; a tab counts 4)
    blast_known: bool = False  # whether the dependency graph (impact/graph.py) was at hand
    # the kinds of the change's code files when the graph reads none of them (".rb", ".tf"): not measured
    blast_unread: list[str] = field(default_factory=list)
    # the kinds of its code files the graph does not read when it reads others (a Rails change's .rb beside its .js)
    blast_skipped: list[str] = field(default_factory=list)
    blast_symbols: int = 0  # public symbols the change removes, re-signs or rewrites that others use
    blast_direct: int = 0  # definitions that reference them directly (tests excluded)
    blast_modules: int = 0  # modules that depend on them, transitively
    blast_packages: int = 0
    blast_files: int = 0  # of blast_symbols: the changed files read at import level (Go, JavaScript)
    blast_callers: list[str] = field(default_factory=list)  # a few direct callers, for the explanation
    # why importers break beyond using a name: "pkg, pkg.cli import the removed module pkg._codes"
    blast_breaks: list[str] = field(default_factory=list)
    seams: list[str] = field(default_factory=list)  # changed symbols used across modules that no test references
    empty: bool = False  # no file changed (a clean merge): nothing in it can cost anything
    # path -> its changed lines inside the tests a source file holds (Rust's #[cfg(test)] module): test lines
    inline_test_lines: dict[str, int] = field(default_factory=dict)
    # the dependencies its manifests add, remove or move: [kind, name, old, new, file] (dependencies.py)
    dependencies: list[list[str]] = field(default_factory=list)
    dependencies_locked: int = 0  # lock file entries no manifest of the change names (what came along)
    dependencies_locked_dev: int = 0  # of those, the ones their lock file says only development and tests use
    dependencies_named: list[list[str]] = field(default_factory=list)  # a lock-only bump's riskiest entries, named
    # its manifests and lock files not read, and why: [path, "binary" | "too large: ..." | "does not parse: ..."]
    dependencies_unread: list[list[str]] = field(default_factory=list)


@dataclass
class Factor:
    """One line of the explanation: a likelihood factor (its `effect` in log-odds) or an impact
    factor (its `effect` in cost units); `contribution` is its share of the score's points."""

    name: str
    raw: float | int | str
    normalised: float
    """Impact: 0..1 of the factor's full cost. Likelihood: standard deviations from the fitted mean."""
    weight: float
    """Impact: cost units at full measure. Likelihood: log-odds per standard deviation."""
    contribution: float
    explanation: str
    kind: str = "likelihood"  # likelihood | impact
    effect: float = 0.0


@dataclass
class RiskResult:
    score: float
    band: str
    factors: list[Factor]
    band_reason: str
    likelihood: float = 0.0
    """Probability of a later fix, 0..1."""
    base_likelihood: float = 0.0
    """The model's probability for a change at every factor's mean."""
    impact: float = 0.0
    """Cost units (1 = a defect in ordinary code)."""
    expected_cost: float = 0.0
    """likelihood x impact."""
    model: str = ""
    """Which likelihood model ranked the change."""


def saturate(value: float, half: float) -> float:
    """0 at 0, 0.5 at `half`, approaching 1: diminishing returns without a hard cap."""
    return 0.0 if value <= 0 else value / (value + half)


def is_test_path(path: str) -> bool:
    lower = path.lower()
    name = posixpath.basename(lower)
    return any(m in lower for m in _TEST_MARKERS[4:]) or any(m in name for m in _TEST_MARKERS[:4])


# CI pipelines are programs too (steps, conditions, shell): a change to hono's release workflow, +135/-50 in 7
# workflow files, had a likelihood of 0.4% ("0 changed lines in source files"), level with a typo fix (QA51 #22)
_CI_PIPELINE = re.compile(r"(?:^|/)(?:\.github/workflows/[^/]+|\.github/actions/.+/action|\.gitlab-ci)\.ya?ml$")


def is_code_path(path: str) -> bool:
    """Source code: by its suffix, or a CI pipeline; not a translation catalogue written as code (Laravel's
    lang/de/auth.php returns an array of strings)."""
    lower = path.lower()
    return ((lower.endswith(_CODE_SUFFIXES) or posixpath.basename(lower) in _CODE_NAMES
             or _CI_PIPELINE.search(lower) is not None) and not is_translation_path(path))


def complexity_measured(paths: Iterable[str]) -> bool:
    """Whether the complexity a change adds is known: it changes no source code (+0 is then measured), or some of
    its source code is in a language a measurer reads. Terraform, SQL, shell and CI files alone are not: "+0"
    there lowered a Terraform module's odds for complexity nobody measured (QA55 F3)."""
    from app.core.metrics.complexity import language_of

    code = [path for path in paths if is_code_path(path) and not is_test_path(path)]
    return not code or any(language_of(path) for path in code)


def code_lines(inputs: RiskInputs) -> list[int]:
    """The changed lines of each source file that is not a test, less those in the tests it holds."""
    return [n for _, n in _code_files(inputs)]


def _code_files(inputs: RiskInputs) -> list[tuple[str, int]]:
    inline = inputs.inline_test_lines
    # a file all of whose changed lines are in its tests is a test change; a rename (0 lines) is still a code file
    return [(p, n - inline.get(p, 0)) for p, n in zip(inputs.paths, inputs.lines_per_file, strict=False)
            if is_code_path(p) and not is_test_path(p) and (not inline.get(p) or n > inline[p])]


SHOWN_KINDS = 5


def _code_kinds(inputs: RiskInputs) -> str:
    """The kinds of the source files counted, most lines first: ".rb, .erb" for a Rails change (QA65 F9: a list of
    other languages' suffixes read as if Ruby were not counted)."""
    lines: dict[str, int] = {}
    for path, n in _code_files(inputs):
        name = posixpath.basename(path)
        suffix = posixpath.splitext(name)[1].lower()
        kind = "CI pipelines" if _CI_PIPELINE.search(path.lower()) else suffix or visible_path(name)
        lines[kind] = lines.get(kind, 0) + max(0, n)
    kinds = sorted(lines, key=lambda kind: (-lines[kind], kind))
    shown = ", ".join(kinds[:SHOWN_KINDS]) + (" ..." if len(kinds) > SHOWN_KINDS else "")
    return f"{shown}; tests excluded" if shown else "tests excluded"


TAB_WIDTH = 4
INDENT_MAX_BYTES = 300_000  # a larger code file is generated or vendored: its lines say nothing of nesting


def indent_width(line: str) -> int:
    """Columns of leading whitespace, a tab counting TAB_WIDTH; 0 for a blank line."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += TAB_WIDTH
        else:
            return width
    return 0


def bot_author(authors: Iterable[str]) -> str:
    """The bot account when every author (a name, an e-mail or both) is a GitHub App's `login[bot]`, else "":
    dependabot's 1,155 earlier edits of a Gemfile are no experience of it (QA57 F14: +1.3 points)."""
    names = list(authors)
    return names[0].split(" <", 1)[0] if names and all("[bot]" in name.lower() for name in names) else ""


def deepest_indent(lines: Iterable[str]) -> int:
    """The indentation of the most indented non-blank line: nesting depth read from the text alone,
    the same in every language (Hindle et al., "Reading beside the lines", 2008)."""
    return max(map(indent_width, lines), default=0)


# Indentation in nesting levels: each level deeper than the line it sits under counts at most NESTING_STEP columns
# (the 4 of the languages the likelihood was fitted on). A continuation line aligned under its opening bracket or first
# argument (rubocop's Layout/ArgumentAlignment, PEP 8's "aligned with opening delimiter") jumps many columns in one
# level; a hanging indent, a block or a chain of nested ternaries steps a level a line and counts as it did.
NESTING_STEP = 4


def deepest_nesting(runs: Iterable[Iterable[tuple[bool, str]]]) -> int:
    """The nesting indent of the most indented added line: its columns, each indentation level past the one it sits
    under counted at most NESTING_STEP (QA57 F6: an argument aligned under `f.select(` at column 44 of rubygems.org's
    2-space Ruby read as 44 columns of nesting, +11 points; its nesting is 4 levels). Each run is one hunk's new side
    in order, (added?, text): its context lines say which levels are open; a run starts at its first line's columns,
    so a line whose opener is out of the hunk counts its columns. Never more than `deepest_indent` of the added
    lines, and the same for code indented a level at most NESTING_STEP columns at a time."""
    deepest = 0
    for run in runs:
        levels: list[tuple[int, int]] = []  # the open levels: (columns, nesting indent), outermost first
        for added, text in run:
            if not text.strip():
                continue
            width = indent_width(text)
            while levels and levels[-1][0] > width:
                levels.pop()
            if not levels:
                nesting = width
            elif levels[-1][0] == width:
                nesting = levels[-1][1]
            else:
                nesting = levels[-1][1] + min(width - levels[-1][0], NESTING_STEP)
            if not levels or levels[-1][0] != width:
                levels.append((width, nesting))
            if added:
                deepest = max(deepest, nesting)
    return deepest


def entropy(lines_per_file: list[int]) -> float:
    """Normalised Shannon entropy of changed lines across files (0 = one file, 1 = evenly spread)."""
    total = sum(lines_per_file)
    n = sum(1 for x in lines_per_file if x > 0)
    if total <= 0 or n <= 1:
        return 0.0
    h = -sum((x / total) * math.log2(x / total) for x in lines_per_file if x > 0)
    return h / math.log2(n)


def _sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    z = math.exp(logit)
    return z / (1.0 + z)


def score_of(expected_cost: float, half_cost: float = DEFAULT_HALF_COST) -> float:
    """An expected cost on 0..100: 50 at `half_cost`, approaching 100."""
    return 100.0 * saturate(expected_cost, half_cost)


def compute(inputs: RiskInputs, likelihood: LikelihoodView, config: RiskConfig | None = None) -> RiskResult:
    """Score a change from its likelihood (the model's view of it) and its impact (measured here).
    Contributions are rounded to 0.1 and the score is their exact sum."""
    config = config or RiskConfig()
    impact_parts = _impact_factors(inputs, config)
    impact = sum(f.effect for f in impact_parts)
    parts = {name: value * config.weight_multiplier(_weight_name(name))
             for name, value in likelihood.contributions.items() if name != "intercept"}
    p0 = _sigmoid(likelihood.intercept)
    p = _sigmoid(likelihood.intercept + sum(parts.values()))
    at_base = score_of(p0 * impact, config.half_cost)
    total = score_of(p * impact, config.half_cost)
    for f in impact_parts:
        f.contribution = round(at_base * f.effect / impact, 1) if impact > 0 else 0.0
    summed = sum(parts.values())
    if abs(summed) > 1e-9:
        slope = (total - at_base) / summed
    else:  # the derivative of the score along the log-odds, at this point
        e = p * impact
        slope = 100.0 * config.half_cost / (e + config.half_cost) ** 2 * impact * p * (1 - p)
    explain = _likelihood_explanations(inputs)
    factors = [*impact_parts]
    for name, effect in sorted(parts.items(), key=lambda kv: -abs(kv[1])):
        coef = likelihood.coefficients.get(name, 0.0) * config.weight_multiplier(_weight_name(name))
        factors.append(Factor(name, _raw_value(likelihood.values.get(name)),
                              round(effect / coef, 4) if coef else 0.0, round(coef, 4), round(effect * slope, 1),
                              _explain_feature(name, effect, explain, coef), "likelihood", round(effect, 4)))
    # + 0.0: rounded contributions of a near-zero score summed to -0.0, shown "-0" (QA47 #12b)
    score = round(sum(f.contribution for f in factors), 1) + 0.0
    band, reason = _band(score, _heaviest_destructive(inputs), config)
    return RiskResult(score, band, factors, reason, p, p0, round(impact, 4), round(p * impact, 4),
                      likelihood.source)


def _impact_factors(inputs: RiskInputs, config: RiskConfig) -> list[Factor]:
    """The impact factors with their cost units (`effect`); contributions are filled in by compute."""
    out: list[Factor] = []
    full_cost = {"tier": TIER_COST[0], "destructive": DESTRUCTIVE_COST, "blast_radius": BLAST_COST,
                 "seams": SEAMS_COST, "dependencies": DEPENDENCY_COST}
    # an empty diff costs nothing whatever its tier: a clean merge showed impact 1 beside +0/-0
    tier_norm = 0.0 if inputs.empty else TIER_COST.get(inputs.tier, TIER_COST[2]) / TIER_COST[0]
    measured: list[_Measured] = [
        ("tier", inputs.tier, tier_norm,
         f"tier {inputs.tier}: {inputs.tier_reason}" if inputs.tier_reason else f"tier {inputs.tier}"),
        _destructive(inputs),
        *_impact_reach(inputs),
        # listed only where the change moves a dependency: "no dependency changed" on every other row is noise
        *([_dependencies(inputs)] if inputs.dependencies or inputs.dependencies_locked else []),
    ]
    for name, raw, norm, why in measured:
        norm = min(1.0, max(0.0, norm))
        weight = full_cost[name] * config.weight_multiplier(name)
        out.append(Factor(name, raw, norm, weight, 0.0, why, "impact", round(norm * weight, 4)))
    return out


# Likelihood factor names (likelihood.py) read with the weight of the older additive factor that
# measured the same thing, so `[risk.weights]` of an existing config keeps its meaning.
_WEIGHT_OF: dict[str, str] = {
    "entropy": "spread", "authors": "history", "no_tests": "tests", "code_size": "size", "code_files": "spread",
    "code_base": "size", "indent": "complexity",
}


def _weight_name(feature: str) -> str:
    return _WEIGHT_OF.get(feature, feature)


def _credited(inputs: RiskInputs) -> str:
    """What the complexity factor did not count as new (QA58 F3): " (net +22: 27 more in functions moved or renamed,
    not counted: isLatest -> isLatestTransaction (11), updateAndSave from Impl.java (7), and 4 more)"."""
    if not inputs.complexity_credited:
        return ""
    moves = inputs.complexity_moves[:_MOVES_NAMED]
    more = len(inputs.complexity_moves) - len(moves)
    named = ", ".join(one_line(move, 120) for move in moves) + (f", and {more} more" if more else "")
    return (f" (net {inputs.complexity_net:+d}: {inputs.complexity_credited} more in functions moved or renamed, not "
            f"counted: {named})")


_MOVES_NAMED = 2


def _likelihood_explanations(inputs: RiskInputs) -> dict[str, str]:
    """What each likelihood factor measured, in words, by factor name."""
    tools = ", ".join(inputs.ai_tools)
    worst = f"; worst {inputs.worst_function} CC {inputs.worst_complexity}" if inputs.worst_function else ""
    lines = inputs.lines_added + inputs.lines_deleted
    files = len(inputs.paths)
    dirs = len({posixpath.dirname(p) for p in inputs.paths})
    out = {
        "ai_share": (f"{share_text(inputs.ai_share)} of added lines written by AI ({tools})" if inputs.ai_share > 0
                     else "no AI-written lines recorded in git"),
        "complexity": (f"+{inputs.complexity_added} cyclomatic complexity{_credited(inputs)}{worst}"
                       if inputs.complexity_known else
                       "complexity not measured (no measurer reads this change's code: Terraform, SQL, "
                       "Blade templates ...): counted as average"),
        "size": f"{lines} changed lines (+{inputs.lines_added}/-{inputs.lines_deleted})",
        "spread": f"{files} file{'s' if files != 1 else ''} in {dirs} director{'ies' if dirs != 1 else 'y'}",
        "entropy": f"entropy {entropy(inputs.lines_per_file):.2f} of the changed lines across {plural(files, 'file')}",
        "no_tests": _tests(inputs)[3],
        **_code_explanations(inputs),
    }
    if inputs.history_known:
        out["history"] = (f"{visible_path(inputs.hottest_path)} changed {inputs.hottest_changes}x in 90 days"
                          if inputs.hottest_path else "touched files did not change in 90 days")
        out["authors"] = f"{inputs.recent_authors} recent author{'s' if inputs.recent_authors != 1 else ''}"
        earlier = inputs.author_prior_commits
        if inputs.author_bot:
            out["experience"] = (f"the author is a bot ({one_line(inputs.author_bot)[:60]}): how often it changed "
                                 "these files before says nothing of knowing them: counted as average")
            return out
        # a sum over the files (one commit touching three of them counts three), so not "commits" (QA51 #15)
        out["experience"] = ("the author had not changed these files before" if earlier <= 0 else
                             f"author changed these files {earlier} time{'s' if earlier != 1 else ''} before "
                             "(each file counted)")
    else:
        for name in ("history", "authors", "experience"):
            out[name] = "history not available (shallow or treeless clone, or working tree): counted as average"
    return out


def _code_explanations(inputs: RiskInputs) -> dict[str, str]:
    """The code_size and code_files factors in words: the changed lines and files that are code, not tests."""
    code = code_lines(inputs)
    # "source files": the model's code is a programming language's file by its name (.py, .go, .sh ...), not
    # the plan's "code lines" (everything read at code speed: config, CI files, scripts without a suffix)
    return {"code_size": f"{sum(max(0, n) for n in code)} changed lines in source files ({_code_kinds(inputs)})",
            "code_files": f"{len(code)} source file{'s' if len(code) != 1 else ''} changed (tests excluded)",
            "code_base": f"the changed source files held {inputs.code_bytes_before:,} bytes before the change",
            # the figure is the nesting indent, not the line's column: an argument aligned under its opening
            # bracket counts one level (deepest_nesting), so "starts at column 10" was false for a line at column 42
            "indent": (f"the most indented added line of source code is indented {inputs.deepest_indent} columns "
                       "(each level at most 4; a line aligned under a bracket is one level)"
                       if inputs.deepest_indent else "no indented line of source code added")}


def _explain_feature(name: str, effect: float, explain: dict[str, str], coefficient: float = 0.0) -> str:
    what = explain.get(name, name.replace("_", " "))
    if abs(effect) < 0.005:
        return what if what.endswith("average") else f"{what}; about average"
    if name == "experience" and coefficient and not what.endswith("average"):
        return f"{what}; {_learned_experience(effect, coefficient)}"
    return f"{what}; {'raises' if effect > 0 else 'lowers'} the odds"


def _learned_experience(effect: float, coefficient: float) -> str:
    """Why the author's experience moves the odds the way it does, from the fitted weight: "the author had not
    changed these files before; lowers the odds" read as a contradiction on nearly every change (QA55 F8). The
    model's history found changes by authors who had changed their files more needing later fixes more often
    (a positive weight), so an author below the average lowers the odds; said as that, not as a judgement."""
    below = (effect < 0) == (coefficient > 0)  # the author's earlier changes are fewer than the average change's
    fewer = "fewer" if below else "more"
    return (f"{fewer} such changes than the average change's author; in the history the model was fitted on, "
            f"changes by authors with {fewer} needed later fixes {'less' if effect < 0 else 'more'} often, so this "
            f"{'raises' if effect > 0 else 'lowers'} the odds")


def _raw_value(value: float | None) -> float | str:
    """A factor's measured value for the explanation; "unknown" where the model had none (NaN)."""
    if value is None or not math.isfinite(value):
        return "unknown"
    return round(value, 4)


# (name, raw value, normalised value before clamping, explanation) of one factor
_Measured = tuple[str, float | str, float, str]


def _destructive_weights(inputs: RiskInputs) -> list[float]:
    """Each destructive operation's weight; an operation of no known weight weighs the whole."""
    n = len(inputs.destructive)
    return [*inputs.destructive_weights[:n], *[1.0] * (n - len(inputs.destructive_weights))]


def _heaviest_destructive(inputs: RiskInputs) -> float | None:
    return max(_destructive_weights(inputs), default=None)


def _destructive(inputs: RiskInputs) -> _Measured:
    """The destructive factor: DESTRUCTIVE_COST times what the heaviest operation loses (its weight), named first.
    A policy attachment renamed weighs a quarter of a cluster or a key destroyed (QA55 F10); an operation of no
    known weight weighs the whole."""
    ops = inputs.destructive
    n = len(ops)
    if not n:
        return "destructive", 0, 0.0, "no destructive operation found"
    weights = _destructive_weights(inputs)
    heaviest = max(range(n), key=lambda i: (weights[i], -i))
    more = f" (+{n - 1} more)" if n > 1 else ""
    light = sum(1 for w in weights if w < 1.0)
    # what a light operation loses differs by kind (a Terraform policy attachment: configuration; a schema rename: no
    # row, but the running code's names), so each says it; the factor only counts them
    if weights[heaviest] < 1.0:
        said = ", each weighed less than a drop (each says what it loses)" if n > 1 else ""
    else:
        said = f", {light} of them weighed less than a drop (each says what it loses)" if light else ""
    return "destructive", n, weights[heaviest], f"{plural(n, 'destructive operation')}{said}: {ops[heaviest]}{more}"


def _tests(inputs: RiskInputs) -> _Measured:
    code = [p for p in inputs.paths if is_code_path(p) and not is_test_path(p)]
    tests = [p for p in inputs.paths if is_test_path(p) or inputs.inline_test_lines.get(p)]

    def count_files(n: int, kind: str) -> str:
        return f"{n} {kind} file{'s' if n != 1 else ''}"

    return ("tests", len(tests), 1.0 if code and not tests else 0.0,
            f"{count_files(len(code), 'code')} changed with no test change" if code and not tests
            else (f"{count_files(len(tests), 'test')} changed" if tests else "no code changed"))


def shown_score(score: float) -> int:
    """The whole number a score is shown as (list, explain, the TUI's queue and change screen): its floor, never
    rounded up. A band starts at an exact score, so 64.9 is "high" below the 65 where "critical" starts; rounded,
    it read "65 high". The floor keeps the number beside a band inside that band's range for every whole-number
    edge, while the score itself (`--json`, the why panel's one decimal) and its band stay exact."""
    return math.floor(score)


def _threshold(value: float) -> str:
    return f"{value:g}"  # a configured 62.5 is said as such, not "62"


LOSES_NOTHING_KEPT = 0.25
"""The weight of the lightest destructive operations (a Terraform policy attachment or security group rule written
again from the same code, a constraint dropped, NULLs filled): they lose no stored data or name, so they raise a
change to high, not critical, where they would sit above every change that destroys a database (QA66 F1: an
infrastructure repository's queue read `19 critical` above `34 high` for a one-line variable default)."""


def _band(score: float, destructive: float | None, config: RiskConfig) -> tuple[str, str]:
    """The band of a score and why. `destructive` is the weight of the heaviest destructive operation (None: no
    such operation): one that loses something kept makes the change critical when configured so; a lighter one
    makes it at least high."""
    band, reason = "low", f"score {shown_score(score)} below {_threshold(config.bands['medium'])}"
    for name in ("medium", "high", "critical"):
        if score >= config.bands[name]:
            band, reason = name, f"score {shown_score(score)} >= {_threshold(config.bands[name])}"
    if destructive is None or not config.destructive_is_critical or band == "critical":
        return band, reason
    if destructive > LOSES_NOTHING_KEPT:
        return "critical", "raised to critical: destructive operation"
    if band != "high":
        return "high", "raised to high: destructive operation that loses no stored data"
    return band, reason


def _dependencies(inputs: RiskInputs) -> _Measured:
    """What a dependency bump brings in (DEPENDENCY_COST): the riskiest kinds of change first, named."""
    from app.core.dependencies import DependencyChange, describe, units

    direct = [DependencyChange.from_list(entry) for entry in inputs.dependencies]
    named = [DependencyChange.from_list(entry) for entry in inputs.dependencies_named]
    locked = inputs.dependencies_locked
    files = ", ".join(dict.fromkeys(visible_path(c.where) for c in direct or named)) or "lock file"
    unread = [(visible_path(str(path)), one_line(str(why), 120)) for path, why in inputs.dependencies_unread]
    locked_dev = min(locked, inputs.dependencies_locked_dev)
    why = f"{files}: {describe(direct, locked, named=named, unread=unread, locked_dev=locked_dev)}"
    return "dependencies", len(direct) + locked, saturate(units(direct, locked, locked_dev), 1.0), why


def _impact_reach(inputs: RiskInputs) -> tuple[_Measured, _Measured]:
    """Blast radius and untested seams (impact/graph.py): how far a change's effects reach, and where
    modules meet without a test. Both are impact: they say what a failure costs, not how likely it is."""
    if not inputs.blast_known:
        why = ("blast radius not measured: the dependency graph reads Python, JavaScript, TypeScript, Go, Java, PHP, "
               f"Rust, C# and Ruby files, not {', '.join(inputs.blast_unread)}" if inputs.blast_unread
               else "blast radius not measured (no Python definitions or no graph)")
        return (("blast_radius", "unknown", 0.0, why), ("seams", "unknown", 0.0, "seams not measured"))
    clauses = list(inputs.blast_breaks)
    if inputs.blast_symbols and inputs.blast_direct and inputs.blast_files == inputs.blast_symbols:
        # Go, JavaScript, Java, PHP, C# and Rust are read at file level: what is known is who imports the changed
        # files or names what they define (a C# type, a Rust path): "imported (as a package or module)" read wrong
        # for bitwarden/server's IUserService.cs, reached by the files that name the type (QA62 F5)
        callers = ", ".join(inputs.blast_callers[:3])
        more = f" (+{inputs.blast_direct - 3} more)" if inputs.blast_direct > 3 else ""
        # at import level a module is a file and a package its directory (ky's "5 packages" were directories
        # of one npm package)
        directories = "directory" if inputs.blast_packages == 1 else "directories"
        clauses.append(f"{plural(inputs.blast_files, 'changed file')}, imported or named by "
                       f"{plural(inputs.blast_direct, 'file')}, reaching {plural(inputs.blast_modules, 'file')} "
                       f"in {inputs.blast_packages} {directories}: {callers}{more}")
    elif inputs.blast_symbols and inputs.blast_direct:
        callers = ", ".join(inputs.blast_callers[:3])
        more = f" (+{inputs.blast_direct - 3} more)" if inputs.blast_direct > 3 else ""
        # direct users, then how far their own users reach: "7 definitions in 17 modules" read as
        # seven definitions spread over seventeen modules
        clauses.append(f"{plural(inputs.blast_symbols, 'changed public symbol')} used directly by "
                       f"{plural(inputs.blast_direct, 'definition')}, reaching "
                       f"{plural(inputs.blast_modules, 'module')} ({plural(inputs.blast_packages, 'package')}) "
                       f"with their dependents: {callers}{more}")
    why = "; ".join(clauses) or "no changed public symbol is used elsewhere"
    if inputs.blast_skipped:
        # measured on part of the change only: say which part was not read (QA57: rubygems.org pr/2108's .js read,
        # its Ruby not, and "no changed public symbol is used elsewhere" read as the whole change's answer)
        why += f" (of the files the dependency graph reads; not read: {', '.join(inputs.blast_skipped)})"
    reach = 0.6 * saturate(inputs.blast_modules, 4) + 0.4 * saturate(inputs.blast_direct, 10)
    n = len(inputs.seams)
    seams = (f"{n} untested seam{'s' if n != 1 else ''}: {', '.join(inputs.seams[:3])}"
             + (f" (+{n - 3} more)" if n > 3 else "")) if n else "no untested seam"
    return ("blast_radius", inputs.blast_modules, reach, why), ("seams", n, saturate(n, 1), seams)
