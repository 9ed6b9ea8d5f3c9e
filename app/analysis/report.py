"""What the analysis pipeline hands to its readers: the typed contract between the analysis and the
CLI, the TUI and the reports.

- `ChangeReport`: one change's row (the queue, `list`), with its `Assessment` once analysed.
- `Assessment`: a frozen family, one section per concern - `risk` (score, band, factors), `tiers`,
  `ai` (provenance summary), `complexity`, `destructive_ops`, `plan` (summary), `history`.
- `ChangeDetail`: the full analysis of one change (the change and chunk screens, `chunks`, `explain`).

Readers use attributes (`report.assessment.risk.score`), never string keys. `Assessment.to_json()`
gives the flat `list --json` object (schema in README) and is what the analysis cache stores;
`Assessment.from_json()` reads it back (raising ValueError on a malformed entry).

Adding a field is one edit: declare it, with a default, in its section below. Its JSON key is the
section's `JSON_PREFIX` plus the field name, unless the field says otherwise with
`field(metadata=json_key("name"))`; JSON keys come out in declaration order (sections in the order
of `Assessment`). Bump `ANALYSIS_VERSION` in analyzer.py so cached reports are recomputed, and add
the key to README's `list --json` table. A new section is a new frozen dataclass here plus one field
of `Assessment` (`json_key(None)` keeps its keys flat at the top level, the default nests it under
the field's name, and `OMIT_NONE` leaves the key out while the value is None).
"""

from __future__ import annotations

import dataclasses
import functools
import time
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from app.core.git.models import Change, ChangeFigures, CommitInfo

if TYPE_CHECKING:
    from app.core.git.diff import FileDiff
    from app.core.impact.assess import TierAssessment
    from app.core.impact.graph import BlastRadius, ChangedSymbol
    from app.core.metrics import complexity as cx
    from app.core.planner.model import ReviewPlan
    from app.core.provenance.commits import AISignal
    from app.core.provenance.lines import ChangeProvenance
    from app.core.risk.score import RiskResult

_JSON_KEY = "json_key"
_FLAT = object()  # json_key(None): the section's keys go at the top level
OMIT_NONE: Mapping[str, Any] = types.MappingProxyType({"omit_none": True})


def json_key(name: str | None) -> dict[str, Any]:
    """Field metadata: this field's JSON key (None: a section whose keys are spliced in flat)."""
    return {_JSON_KEY: _FLAT if name is None else name}


# -- the sections -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FactorSummary:
    """One factor of the risk score (app/core/risk/score.py). An impact factor: `raw` measured,
    `normalised` 0..1, `weight` its cost units at full measure, `effect` its cost units. A likelihood
    factor: `normalised` in standard deviations from the fitted mean, `weight` the log-odds per
    standard deviation, `effect` its log-odds. `contribution`: its points of the score."""

    name: str
    raw: float | int | str
    normalised: float  # rounded to 4 places
    weight: float
    contribution: float
    explanation: str
    kind: str = "likelihood"  # likelihood | impact
    effect: float = 0.0


@dataclass(frozen=True)
class RiskSummary:
    """The risk score, expected cost on 0..100 (likelihood x impact): the contributions of `factors`
    add up to `score`."""

    JSON_PREFIX: ClassVar[str] = ""
    score: float
    band: str  # low | medium | high | critical
    band_reason: str
    factors: tuple[FactorSummary, ...] = ()
    likelihood: float = 0.0  # probability of a later fix, 0..1, rounded to 4 places
    base_likelihood: float = 0.0  # the model's probability for an average change
    impact: float = 0.0  # cost units (1 = a defect in ordinary code)
    expected_cost: float = 0.0  # likelihood x impact
    model: str = field(default="", metadata=json_key("risk_model"))  # which likelihood model ranked it

    @property
    def impact_factors(self) -> tuple[FactorSummary, ...]:
        return tuple(f for f in self.factors if f.kind == "impact")

    @property
    def likelihood_factors(self) -> tuple[FactorSummary, ...]:
        return tuple(f for f in self.factors if f.kind != "impact")


@dataclass(frozen=True)
class TierSummary:
    """The critical-path tier of the riskiest path (0 = can take the service down) and why."""

    JSON_PREFIX: ClassVar[str] = "tier_"
    tier: int = field(metadata=json_key("tier"))
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class AISummary:
    """AI provenance: the share of added lines written by AI tools, and how it was measured."""

    JSON_PREFIX: ClassVar[str] = "ai_"
    share: float  # 0..1, rounded to 4 places
    added: int
    tools: tuple[str, ...] = ()
    method: str = "line"  # "line" (blame / git-ai notes) or "commit" (fallback)
    notes: tuple[str, ...] = ()  # provenance warnings (malformed notes, squash merges)
    evidence: tuple[str, ...] = ()  # signals weighed that counted no commit as AI on their own (branch names)
    # the commits counted as AI-written, each with what fired ("a186b7e9e2 (Claude Code) author Claude <...>"),
    # the first AI_COMMITS_LISTED of commit_count
    commits: tuple[str, ...] = ()
    commit_count: int = 0


@dataclass(frozen=True)
class WorstFunction:
    name: str
    path: str | None
    grade: str
    complexity: int


@dataclass(frozen=True)
class ComplexitySummary:
    """Cyclomatic complexity the change adds; `pending` while blobs are still being measured."""

    JSON_PREFIX: ClassVar[str] = "complexity_"
    added: int
    pending: bool
    worst_function: WorstFunction | None = field(default=None, metadata=json_key("worst_function"))
    errors: Mapping[str, str] = field(default_factory=dict)  # path -> why it could not be measured
    # False when its code is only in languages no measurer reads (Terraform, SQL, shell): `added` is then 0 unmeasured,
    # shown "-" (CC+), as the why panel's complexity factor says "not measured" (QA55 F3, F9)
    measured: bool = True
    # complexity of functions found again renamed or moved within the change, not counted in `added` (QA58 F3)
    credited: int = 0


@dataclass(frozen=True)
class DestructiveFinding:
    """A destructive operation in the diff (it raises the change to Tier 0)."""

    kind: str
    path: str
    line: int | None
    side: str  # "new" (added or context line) or "old" (deleted line)
    text: str
    explanation: str


@dataclass(frozen=True)
class UnsafeFinding:
    """An `unsafe` block, function, impl, trait or extern block the change adds to Rust code (impact/unsafe_code.py):
    said to the reviewer, not weighed in the score."""

    path: str
    line: int  # in the new file
    kind: str  # block | fn | impl | trait | extern block
    text: str


@dataclass(frozen=True)
class PlanSummary:
    """The review plan in brief: how many chunks, their total floor time and content hashes."""

    JSON_PREFIX: ClassVar[str] = ""
    chunk_count: int = field(metadata=json_key("chunks"))
    floor_seconds: int
    chunk_hashes: tuple[str, ...] = ()
    too_big: bool = False
    """Its floor is over [chunks] split_hours (ChunkConfig.split_hours): too big to review as one change, split it."""


@dataclass(frozen=True)
class HistorySummary:
    """The touched files' recent history in the base (hot spots, ownership)."""

    hottest_path: str | None
    hottest_changes: int
    recent_authors: int
    author_prior_commits: int
    window_days: int


@dataclass(frozen=True)
class BlastSymbol:
    """A public symbol the change removes, re-signs or rewrites (impact/graph.py), and who uses it."""

    symbol: str  # dotted: package.module.Class.method
    path: str
    line: int
    change: str  # removed | signature | body | file | package (an import-level file as a whole; a Go file's package)
    before: str  # signature at the base ("module": a removed Python module, its importers the callers; "file": an
    # import-level file removed or renamed away)
    after: str  # signature at the head ("" when removed; a module or file renamed away: its new name)
    direct_callers: tuple[str, ...] = ()  # up to 20, dotted, tests excluded
    direct: int = 0
    transitive: int = 0
    modules: int = 0
    packages: int = 0
    tested_by: tuple[str, ...] = ()  # test modules that reference it

    @property
    def what_changed(self) -> str:
        """"(a) -> (a, b)" for a signature, "module removed" / "module renamed to x.y" (a file: "file removed" ...),
        else the change: "body", "removed", "file" (an import-level file as a whole; a Go file's: "package")."""
        if self.change == "signature":
            return f"{self.before} -> {self.after}"
        if self.before in ("module", "file"):
            return f"{self.before} renamed to {self.after}" if self.after else f"{self.before} removed"
        return self.change


@dataclass(frozen=True)
class BlastSummary:
    """Blast radius: the changed public symbols and how far their dependents reach; `seams` names the
    ones used across module boundaries that no test references."""

    symbols: tuple[BlastSymbol, ...] = ()
    seams: tuple[str, ...] = ()
    direct: int = 0
    modules: int = 0
    packages: int = 0
    graph_files: int = 0
    graph_lines: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """Everything the analysis concluded about one change, section by section."""

    risk: RiskSummary = field(metadata=json_key(None))
    tiers: TierSummary = field(metadata=json_key(None))
    ai: AISummary = field(metadata=json_key(None))
    complexity: ComplexitySummary = field(metadata=json_key(None))
    destructive_ops: tuple[DestructiveFinding, ...]
    plan: PlanSummary = field(metadata=json_key(None))
    history: HistorySummary | None = field(default=None, metadata=OMIT_NONE)
    destructive_notes: tuple[str, ...] = ()  # files the parsing detectors left to the regex fallback, and why
    blast_radius: BlastSummary | None = None  # None while the dependency graph is being built
    seams: tuple[BlastSymbol, ...] = ()  # the untested seams, the reviewer's checklist
    file_problems: Mapping[str, str] = field(default_factory=dict)  # path -> why its content was not read
    unsafe_code: tuple[UnsafeFinding, ...] = ()  # the unsafe Rust code the change adds (not weighed)

    def to_json(self) -> dict[str, Any]:
        """The flat JSON object of `list --json` (without the change's own fields). An assessment read
        back from the cache gives the object it was read from: a warm `list` prints what it read
        without encoding it again (the cache key holds ASSESSMENT_SCHEMA, so that object has the
        fields of these classes)."""
        stored: dict[str, Any] | None = self.__dict__.get("_stored_json")
        if stored is not None:
            return dict(stored)
        out: dict[str, Any] = {}
        _encode_fields(self, "", out)
        out["risk_per_minute"] = self.risk_per_minute
        return out

    @property
    def risk_per_minute(self) -> float | None:
        """Expected cost per minute of the review plan's floor time: what a reviewer with a fixed
        amount of time buys by reading this change (None for a change with nothing to read). Any
        change takes at least a minute (opening it, reading what it is for): without that floor an
        empty or mode-only change with a 10-second plan would top the order on noise."""
        if self.plan.chunk_count <= 0:
            return None
        return round(self.risk.expected_cost / (max(self.plan.floor_seconds, 60) / 60), 6)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Assessment:
        """Read back what to_json wrote; ValueError when it does not fit the types."""
        try:
            found = _decode_fields(cls, data, "")
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed assessment: {exc!r}") from exc
        object.__setattr__(found, "_stored_json", dict(data))  # frozen, and not a field: not compared
        return found


def _schema_fingerprint(classes: tuple[type[Any], ...]) -> str:
    """A digest of the fields (names, declared types, JSON keys) of the assessment's classes: part of
    the report cache key, so that a report cached under other fields is never read back as these."""
    import hashlib

    def key(f: dataclasses.Field[Any]) -> str:
        found = f.metadata.get(_JSON_KEY, f.name)
        return "<flat>" if found is _FLAT else str(found)  # the sentinel's repr differs in every process

    text = repr([(cls.__name__, [(f.name, str(f.type), key(f)) for f in dataclasses.fields(cls)])
                 for cls in classes])
    return hashlib.sha256(text.encode()).hexdigest()[:8]


# -- JSON, driven by the dataclass fields ---------------------------------------------------------

T = TypeVar("T")


def _key(f: dataclasses.Field[Any], prefix: str) -> Any:
    return f.metadata.get(_JSON_KEY, prefix + f.name)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        _encode_fields(value, getattr(value, "JSON_PREFIX", ""), out)
        return out
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _encode_fields(value: Any, prefix: str, out: dict[str, Any]) -> None:
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        key = _key(f, prefix)
        if key is _FLAT:
            _encode_fields(item, getattr(item, "JSON_PREFIX", ""), out)
        elif not (item is None and f.metadata.get("omit_none")):
            out[key] = _encode(item)


_FieldPlan = tuple[tuple[str, Any, Any, bool], ...]
_FIELD_PLANS: dict[tuple[type[Any], str], _FieldPlan] = {}


def _field_plan(cls: type[Any], prefix: str) -> _FieldPlan:
    """(field name, JSON key or _FLAT, type, required) per field of `cls`, worked out once per class:
    resolving the type hints costs far more than decoding, and a warm `list` decodes every report."""
    plan = _FIELD_PLANS.get((cls, prefix))
    if plan is None:
        hints = typing.get_type_hints(cls)
        plan = tuple((f.name, _key(f, prefix), hints[f.name],
                      f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
                     for f in dataclasses.fields(cls))
        _FIELD_PLANS[cls, prefix] = plan
    return plan


def _decode_fields(cls: type[T], data: Mapping[str, Any], prefix: str) -> T:
    values: dict[str, Any] = {}
    for name, key, kind, required in _field_plan(cls, prefix):
        if key is _FLAT:
            values[name] = _decode_fields(kind, data, getattr(kind, "JSON_PREFIX", ""))
        elif key in data:
            values[name] = _decoder(kind)(data[key])
        elif required:
            raise KeyError(key)
    return cls(**values)


_Decoder = Callable[[Any], Any]
_DECODERS: dict[Any, _Decoder] = {}


def _decoder(kind: Any) -> _Decoder:
    """The decoder of one field type, worked out once per type: a warm `list` decodes some 30,000
    values, and asking typing for each value's origin and arguments cost more than the decoding."""
    found = _DECODERS.get(kind)
    if found is None:
        found = _DECODERS[kind] = _make_decoder(kind)
    return found


def _make_decoder(kind: Any) -> _Decoder:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return _union_decoder(args)
    if origin is tuple:
        return _tuple_decoder(_decoder(args[0]))
    if origin in (Mapping, dict):
        return _mapping_decoder(_decoder(args[1]))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    if kind is float:
        return _number
    if kind in (int, str, bool):
        return _scalar_decoder(kind)
    return _same


def _same(value: Any) -> Any:
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return value  # an int stays an int: the JSON reads back byte for byte


def _scalar_decoder(kind: type[Any]) -> _Decoder:
    def scalar(value: Any) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"expected {kind.__name__}, got {value!r}")
        return value
    return scalar


def _union_decoder(args: tuple[Any, ...]) -> _Decoder:
    none_ok = type(None) in args
    options = [a for a in args if a is not type(None)]
    if len(options) == 1:
        inner = _decoder(options[0])

        def optional(value: Any) -> Any:
            return None if value is None and none_ok else inner(value)
        return optional
    allowed = tuple(options)

    def either(value: Any) -> Any:
        if value is None and none_ok:
            return None
        if not isinstance(value, allowed):  # plain scalars (FactorSummary.raw)
            raise TypeError(f"{value!r} is not one of {options}")
        return value
    return either


def _tuple_decoder(item: _Decoder) -> _Decoder:
    def tuple_of(value: Any) -> Any:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {value!r}")
        return tuple([item(v) for v in value])
    return tuple_of


def _mapping_decoder(item: _Decoder) -> _Decoder:
    def mapping_of(value: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {value!r}")
        return {str(k): item(v) for k, v in value.items()}
    return mapping_of


def _dataclass_decoder(kind: type[Any]) -> _Decoder:
    prefix = getattr(kind, "JSON_PREFIX", "")

    def instance(value: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {value!r}")
        return _decode_fields(kind, value, prefix)
    return instance


# -- the report and the detail ------------------------------------------------------------------

ASSESSMENT_SCHEMA = _schema_fingerprint((FactorSummary, RiskSummary, TierSummary, AISummary, WorstFunction,
                                        ComplexitySummary, DestructiveFinding, UnsafeFinding, PlanSummary,
                                        HistorySummary, BlastSymbol, BlastSummary, Assessment))


@dataclass
class ChangeReport:
    """Everything the queue and `list` show about one change; JSON-serialisable through to_json."""

    change: Change
    figures: ChangeFigures = field(default_factory=ChangeFigures)
    assessment: Assessment | None = None  # None when the change could not be analysed (see error)
    error: str | None = None
    complete: bool = False  # False while complexity is still being measured
    # A merged-upstream change listed as discovery found it (`list --include-merged`, the queue's `m`): not
    # diffed, not scored; its figures are unknown (null in JSON) until it is analysed on its own (opened, `explain`)
    listed_only: bool = False

    @property
    def id(self) -> str:
        return self.change.id

    @property
    def score(self) -> float | None:
        return self.assessment.risk.score if self.assessment is not None else None

    @property
    def from_later_base(self) -> bool:
        """Whether its figures are diffed from a later commit than git's merge base with the queue's base (made
        on a release line, stacked on another pending branch, built on a merged one: `change.base_note` says
        which): they are the change's own work, and `git diff --numstat BASE HEAD` with its base gives them.
        `list` and the queue mark its +/- (`*`) and say why; not one that failed or was listed undiffed."""
        return bool(self.change.base_note) and not (self.error or self.change.error) and not self.listed_only

    def to_json(self, now: float | None = None) -> dict[str, Any]:
        c = self.change
        newest = c.newest_time
        now = time.time() if now is None else now
        data: dict[str, Any] = {
            "id": c.id,
            "kind": c.kind,
            "ref": c.ref,
            "head": c.head,
            "base": c.base,
            "base_ref": c.base_ref,
            "base_note": c.base_note or None,
            "partly_merged": c.partly_merged or None,
            "diff_caveat": c.diff_caveat or None,
            "title": c.title,
            "authors": c.authors,
            "commits": len(c.commits),
            "lines_added": self.figures.lines_added,
            "lines_deleted": self.figures.lines_deleted,
            "files": self.figures.files,
            "directories": self.figures.directories,
            "binary_files": self.figures.binary_files,
            "renames": self.figures.renames,
            "updated_at": _iso(newest) if newest else None,
            "age_seconds": int(now - newest) if newest else None,
            "error": self.error or c.error,
            "aliases": list(c.aliases),
            "alias_refs": list(c.alias_refs),
            "merged_upstream": c.merged.to_dict() if c.merged else None,
        }
        if self.listed_only:  # not diffed: its size is unknown, not zero
            data.update(dict.fromkeys(("lines_added", "lines_deleted", "files", "directories", "binary_files",
                                       "renames")))
        if self.assessment is not None:
            data.update(self.assessment.to_json())
        else:  # a change that could not be analysed has every field, null (scripts read one shape)
            data.update(dict.fromkeys(assessment_keys()))
        return data


def listed_merged(merged: list[Change]) -> list[ChangeReport]:
    """The changes already merged upstream as discovery found them, unanalysed (`listed_only`): most recently
    active first (their newest commit: for a squash-merged pull request, its last push before the merge)."""
    ordered = sorted(merged, key=lambda c: (-(c.newest_time or 0), c.id))
    return [ChangeReport(change, error=change.error, listed_only=True) for change in ordered]


@functools.cache
def assessment_keys() -> tuple[str, ...]:
    """The JSON keys Assessment.to_json writes, worked out from its fields."""
    keys: list[str] = []

    def walk(cls: type[Any], prefix: str) -> None:
        for _name, key, kind, _required in _field_plan(cls, prefix):
            if key is _FLAT:
                walk(kind, getattr(kind, "JSON_PREFIX", ""))
            else:
                keys.append(key)

    walk(Assessment, "")
    return (*keys, "risk_per_minute")


@dataclass
class ChangeDetail:
    """The full analysis of one change, for the change and chunk screens and `chunks`/`explain`."""

    report: ChangeReport
    files: list[FileDiff]
    tiers: TierAssessment
    provenance: ChangeProvenance
    complexity: dict[str, cx.FileComplexity]
    risk: RiskResult
    plan: ReviewPlan
    commit_signals: dict[str, list[AISignal]]
    _moved: dict[int, list[frozenset[int]]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def change(self) -> Change:
        return self.report.change

    def moved_lines(self) -> dict[int, list[frozenset[int]]]:
        """Per file index, per hunk, the changed lines moved whole within the change (planner/moved.py), found once
        for the detail: every chunk screen opened on the change draws them (0.15 s a time on a 20,000-line change)."""
        if self._moved is None:
            from app.core.planner.moved import moved_lines

            self._moved = moved_lines(self.files)
        return self._moved

    @property
    def assessment(self) -> Assessment:
        assert self.report.assessment is not None  # a detail is always of an analysed change
        return self.report.assessment

    def commit_list(self) -> list[tuple[CommitInfo, list[AISignal]]]:
        return [(c, self.commit_signals.get(c.id, [])) for c in self.change.commits]


@dataclass
class ChangePlan:
    """A change's report, review plan and commit signals: all the change screen shows, which a cached
    plan gives at once while the full ChangeDetail (the diff the chunk screen reads) loads."""

    report: ChangeReport
    plan: ReviewPlan
    commit_signals: dict[str, list[AISignal]]

    @property
    def change(self) -> Change:
        return self.report.change

    def commit_list(self) -> list[tuple[CommitInfo, list[AISignal]]]:
        return [(c, self.commit_signals.get(c.id, [])) for c in self.change.commits]


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def blast_symbol(symbol: ChangedSymbol) -> BlastSymbol:
    data = symbol.to_dict()
    return BlastSymbol(data["symbol"], data["path"], data["line"], data["change"], data["before"],
                       data["after"], tuple(data["direct_callers"]), data["direct"], data["transitive"],
                       data["modules"], data["packages"], tuple(data["tested_by"]))


def blast_summary(blast: BlastRadius) -> BlastSummary:
    direct, modules, packages = blast.reach
    return BlastSummary(tuple(blast_symbol(s) for s in blast.symbols), tuple(s.name for s in blast.seams),
                        direct, modules, packages, blast.graph_files, blast.graph_lines, tuple(blast.notes))
