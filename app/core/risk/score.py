"""The risk score: additive over named factors, each normalised to 0..1 and weighted, so the
contributions add up to the score (0..100) and every point can be explained.

Factors and their roots (SPEC.md "The risk score"):
- tier: the critical-path tier of the riskiest path touched. The biggest weight: a bug in money,
  identity or infrastructure code costs most.
- destructive: destructive operations in added lines (terraform replace/destroy, DROP, rm -rf...).
  Incidents from "delete and recreate" are rare but unbounded in cost.
- ai_share: the share of added lines written by an AI tool (from git provenance, never style).
- complexity: cyclomatic complexity added (radon/lizard), saturating: 20 points of CC is a lot to
  read carefully; the worst function adds on top.
- size: lines added + deleted on a log scale (Kamei LA/LD; review quality falls past 400 lines).
- spread: files, directories, subsystems and the entropy of the change across files (Kamei NF/ND/NS).
- history: how often the touched files changed in the last 90 days and by how many authors (hotspots).
- experience: the author's earlier commits in these files; a newcomer to the code is riskier (Kamei EXP).
- tests: code changed without any test changed.
- blast_radius: the public symbols (Python) the change removes, re-signs or rewrites, and how many
  definitions, modules and packages depend on them (impact/graph.py). Impact, like tier: how far a
  failure spreads. Its 6 points and the 3 of seams came out of tier's 28.
- seams: changed symbols used across module boundaries that no test references: where assumptions
  of two modules meet untested.
"""

from __future__ import annotations

import math
import posixpath
from dataclasses import dataclass, field

from app.core.settings import SectionReader
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
}
DEFAULT_BANDS = {"medium": 25.0, "high": 45.0, "critical": 65.0}

_TEST_MARKERS = ("test_", "_test.", ".test.", ".spec.", "tests/", "test/", "__tests__/", "spec/")
_CODE_SUFFIXES = (".py", ".go", ".js", ".jsx", ".ts", ".tsx", ".java", ".kt", ".rb", ".rs", ".c", ".cc", ".cpp",
                  ".h", ".hpp", ".cs", ".swift", ".scala", ".php", ".m", ".lua", ".sh")


@dataclass(frozen=True)
class RiskConfig:
    """Settings of the `[risk]` table of .review-tui.toml."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    """Points each factor can contribute; the defaults sum to 100. Set one to 0 to ignore a factor."""
    bands: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_BANDS))
    """Lowest score of each band above "low"."""
    destructive_is_critical: bool = True
    """A change with a destructive operation is in the critical band whatever its score."""

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
        reader.finish()
        return cls(weights, bands, critical)


@dataclass
class RiskInputs:
    """The raw figures the score is computed from."""

    lines_added: int = 0
    lines_deleted: int = 0
    paths: list[str] = field(default_factory=list)
    lines_per_file: list[int] = field(default_factory=list)
    complexity_added: int = 0
    worst_complexity: int = 0
    worst_function: str | None = None
    ai_share: float = 0.0
    ai_tools: list[str] = field(default_factory=list)
    tier: int = 2
    tier_reason: str = ""
    destructive: list[str] = field(default_factory=list)  # one line per operation
    hottest_changes: int = 0
    hottest_path: str | None = None
    recent_authors: int = 0
    author_prior_commits: int = 0
    history_known: bool = True
    blast_known: bool = False  # whether the dependency graph (impact/graph.py) was at hand
    blast_symbols: int = 0  # public symbols the change removes, re-signs or rewrites that others use
    blast_direct: int = 0  # definitions that reference them directly (tests excluded)
    blast_modules: int = 0  # modules that depend on them, transitively
    blast_packages: int = 0
    blast_callers: list[str] = field(default_factory=list)  # a few direct callers, for the explanation
    seams: list[str] = field(default_factory=list)  # changed symbols used across modules that no test references


@dataclass
class Factor:
    name: str
    raw: float | int | str
    normalised: float
    weight: float
    contribution: float
    explanation: str


@dataclass
class RiskResult:
    score: float
    band: str
    factors: list[Factor]
    band_reason: str


def saturate(value: float, half: float) -> float:
    """0 at 0, 0.5 at `half`, approaching 1: diminishing returns without a hard cap."""
    return 0.0 if value <= 0 else value / (value + half)


def is_test_path(path: str) -> bool:
    lower = path.lower()
    name = posixpath.basename(lower)
    return any(m in lower for m in _TEST_MARKERS[4:]) or any(m in name for m in _TEST_MARKERS[:4])


def is_code_path(path: str) -> bool:
    return path.lower().endswith(_CODE_SUFFIXES)


def entropy(lines_per_file: list[int]) -> float:
    """Normalised Shannon entropy of changed lines across files (0 = one file, 1 = evenly spread)."""
    total = sum(lines_per_file)
    n = sum(1 for x in lines_per_file if x > 0)
    if total <= 0 or n <= 1:
        return 0.0
    h = -sum((x / total) * math.log2(x / total) for x in lines_per_file if x > 0)
    return h / math.log2(n)


def _tier_norm(tier: int) -> float:
    return {0: 1.0, 1: 0.6, 2: 0.25, 3: 0.0}.get(tier, 0.25)


def compute(inputs: RiskInputs, config: RiskConfig | None = None) -> RiskResult:
    """Score a change. Contributions are rounded to 0.1 and the score is their exact sum."""
    config = config or RiskConfig()
    w = config.weights
    factors: list[Factor] = []

    def add(name: str, raw: float | str, norm: float, why: str) -> None:
        norm = min(1.0, max(0.0, norm))
        factors.append(Factor(name, raw, norm, w.get(name, 0.0), round(norm * w.get(name, 0.0), 1), why))

    add("tier", inputs.tier, _tier_norm(inputs.tier),
        f"tier {inputs.tier}: {inputs.tier_reason}" if inputs.tier_reason else f"tier {inputs.tier}")
    n_destr = len(inputs.destructive)
    add("destructive", n_destr, 1.0 if n_destr else 0.0,
        (f"{n_destr} destructive operation{'s' if n_destr != 1 else ''}: {inputs.destructive[0]}"
         + (f" (+{n_destr - 1} more)" if n_destr > 1 else "")) if n_destr else "no destructive operation found")
    tools = ", ".join(inputs.ai_tools)
    add("ai_share", round(inputs.ai_share, 4), inputs.ai_share,
        f"{inputs.ai_share:.0%} of added lines written by AI ({tools})" if inputs.ai_share > 0
        else "no AI-written lines recorded in git")
    cc_norm = 0.7 * saturate(inputs.complexity_added, 20) + 0.3 * saturate(max(inputs.worst_complexity - 5, 0), 10)
    worst = f"; worst {inputs.worst_function} CC {inputs.worst_complexity}" if inputs.worst_function else ""
    add("complexity", inputs.complexity_added, cc_norm, f"+{inputs.complexity_added} cyclomatic complexity{worst}")
    lines = inputs.lines_added + inputs.lines_deleted
    add("size", lines, math.log10(1 + lines) / math.log10(1 + 2000),
        f"{lines} changed lines (+{inputs.lines_added}/-{inputs.lines_deleted}); past 400 lines review quality drops")
    for name, raw, norm, why in (_spread(inputs), *_history(inputs), _tests(inputs), *_impact_reach(inputs)):
        add(name, raw, norm, why)
    score = round(sum(f.contribution for f in factors), 1)
    band, reason = _band(score, n_destr > 0, config)
    return RiskResult(score, band, factors, reason)


# (name, raw value, normalised value before clamping, explanation) of one factor
_Measured = tuple[str, float | str, float, str]


def _spread(inputs: RiskInputs) -> _Measured:
    files = len(inputs.paths)
    dirs = len({posixpath.dirname(p) for p in inputs.paths})
    subsystems = len({p.split("/", 1)[0] if "/" in p else "" for p in inputs.paths})
    ent = entropy(inputs.lines_per_file)
    spread = 0.4 * saturate(max(files - 1, 0), 8) + 0.3 * saturate(max(subsystems - 1, 0), 2) + 0.3 * ent
    return "spread", files, spread, f"{files} files in {dirs} directories, {subsystems} subsystems, entropy {ent:.2f}"


def _history(inputs: RiskInputs) -> tuple[_Measured, _Measured]:
    """The churn of the touched files and the author's experience with them (unknown without history)."""
    if not inputs.history_known:
        return (("history", "unknown", 0.0, "history not available (shallow clone or working tree)"),
                ("experience", "unknown", 0.0, "history not available"))
    hist = 0.6 * saturate(inputs.hottest_changes, 6) + 0.4 * saturate(max(inputs.recent_authors - 1, 0), 3)
    hot = (f"{inputs.hottest_path} changed {inputs.hottest_changes}x in 90 days" if inputs.hottest_path
           else "touched files did not change in 90 days")
    authors = f"{inputs.recent_authors} recent author{'s' if inputs.recent_authors != 1 else ''}"
    exp = 1.0 / (1.0 + inputs.author_prior_commits / 3.0)
    return (("history", inputs.hottest_changes, hist, f"{hot}; {authors}"),
            ("experience", inputs.author_prior_commits, exp if any(not is_test_path(p) for p in inputs.paths) else 0.0,
             f"author has {inputs.author_prior_commits} earlier commits in these files"))


def _tests(inputs: RiskInputs) -> _Measured:
    code = [p for p in inputs.paths if is_code_path(p) and not is_test_path(p)]
    tests = [p for p in inputs.paths if is_test_path(p)]

    def count_files(n: int, kind: str) -> str:
        return f"{n} {kind} file{'s' if n != 1 else ''}"

    return ("tests", len(tests), 1.0 if code and not tests else 0.0,
            f"{count_files(len(code), 'code')} changed with no test change" if code and not tests
            else (f"{count_files(len(tests), 'test')} changed" if tests else "no code changed"))


def _band(score: float, destructive: bool, config: RiskConfig) -> tuple[str, str]:
    """The band of a score and why; a destructive operation makes it critical when configured so."""
    band, reason = "low", f"score {score:.0f} below {config.bands['medium']:.0f}"
    for name in ("medium", "high", "critical"):
        if score >= config.bands[name]:
            band, reason = name, f"score {score:.0f} >= {config.bands[name]:.0f}"
    if destructive and config.destructive_is_critical and band != "critical":
        band, reason = "critical", "raised to critical: destructive operation"
    return band, reason


def _impact_reach(inputs: RiskInputs) -> tuple[_Measured, _Measured]:
    """Blast radius and untested seams (impact/graph.py): how far a change's effects reach, and where
    modules meet without a test. Both are impact: they say what a failure costs, not how likely it is."""
    if not inputs.blast_known:
        return (("blast_radius", "unknown", 0.0, "blast radius not measured (no Python definitions or no graph)"),
                ("seams", "unknown", 0.0, "seams not measured"))
    if inputs.blast_symbols and inputs.blast_direct:
        callers = ", ".join(inputs.blast_callers[:3])
        more = f" (+{inputs.blast_direct - 3} more)" if inputs.blast_direct > 3 else ""
        why = (f"{inputs.blast_symbols} changed public symbol{'s' if inputs.blast_symbols != 1 else ''} used by "
               f"{inputs.blast_direct} definition{'s' if inputs.blast_direct != 1 else ''} in "
               f"{inputs.blast_modules} module{'s' if inputs.blast_modules != 1 else ''} "
               f"({inputs.blast_packages} package{'s' if inputs.blast_packages != 1 else ''}): {callers}{more}")
    else:
        why = "no changed public symbol is used elsewhere"
    reach = 0.6 * saturate(inputs.blast_modules, 4) + 0.4 * saturate(inputs.blast_direct, 10)
    n = len(inputs.seams)
    seams = (f"{n} untested seam{'s' if n != 1 else ''}: {', '.join(inputs.seams[:3])}"
             + (f" (+{n - 3} more)" if n > 3 else "")) if n else "no untested seam"
    return ("blast_radius", inputs.blast_modules, reach, why), ("seams", n, saturate(n, 1), seams)
