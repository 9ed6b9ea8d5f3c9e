"""Likelihood: the probability that a change will later need a fix (issue 12).

A logistic regression on the Kamei just-in-time factors plus AI share, each transformed deterministically
(`likelihood_features`) and standardised with the means and scales stored in the model, so every factor's
contribution is a number of log-odds and `intercept + sum(contributions)` is the model's logit exactly.

The built-in model (`default_model`) is read from likelihood_default.json, fitted by
bench/calibrate_defaults.py on the histories listed in bench/calibration_repos.txt (SZZ-style labels: a
change is defect-inducing when a later fix modifies lines it wrote). `review-tui calibrate` can fit one on
the repository's own history.

Missing data: without history (shallow clone, working tree) the features `history`, `authors` and
`experience` are NaN; a NaN feature is neutral, it contributes 0 log-odds (it is taken to be at the
fitted mean), both when ranking and when fitting.
"""

from __future__ import annotations

import json
import math
import posixpath
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from app.core.risk.score import RiskInputs, entropy, is_test_path
from app.core.risk.score import code_lines as score_code_lines
from app.errors import ConfigError

LIKELIHOOD_FEATURES: tuple[str, ...] = (
    "size", "spread", "entropy", "complexity", "history", "authors", "experience", "no_tests", "ai_share",
    "code_size", "code_files", "code_base", "indent",
)
"""size: log1p(lines added + deleted) (Kamei LA+LD); spread: log1p(directories touched) (ND);
entropy: normalised Shannon entropy of changed lines across files; complexity: log1p(cyclomatic complexity added);
history: log1p(changes of the hottest touched file in the 90 days before) (NDEV/AGE family); authors: log1p(distinct
recent authors of the touched files) (NDEV); experience: log1p(the author's earlier changes to these files, summed
file by file) (EXP); no_tests: 1 when code changed and no test did; ai_share: the share of added lines written by an
AI tool (0..1); code_size: log1p(lines added + deleted in code files that are not tests) (Kamei LA+LD on the code
alone: test, doc and data lines are effort but seldom the defect); code_files: log1p(code files that are not tests
touched) (NF on the code alone); code_base: log1p(bytes of those code files before the change) (Kamei LT: changes to
large files need a fix more often); indent: log1p(columns before the most indented added line of code, a tab counting
4, each indentation level at most 4 columns past the one it sits under: an argument aligned under its opening
bracket is one level; score.py deepest_nesting) (nesting depth from the text, in any language: deeply nested new
code needs a fix more often, bench/README.md "indentation")."""

HISTORY_FEATURES = frozenset({"history", "authors", "experience"})
_MAX_LOGIT = 30.0
DEFAULT_MODEL_FILE = "likelihood_default.json"


def likelihood_features(inputs: RiskInputs) -> dict[str, float]:
    """The model's inputs for one change, before standardisation. Deterministic; NaN = unknown (neutral)."""
    lines = max(0, inputs.lines_added) + max(0, inputs.lines_deleted)
    dirs = len({posixpath.dirname(p) for p in inputs.paths})
    code_lines = score_code_lines(inputs)
    code = bool(code_lines)
    tests = any(is_test_path(p) for p in inputs.paths) or any(inputs.inline_test_lines.values())
    unknown = float("nan")
    return {
        "size": math.log1p(lines),
        "spread": math.log1p(dirs),
        "entropy": entropy(inputs.lines_per_file),
        "complexity": math.log1p(max(0, inputs.complexity_added)) if inputs.complexity_known else unknown,
        "history": math.log1p(max(0, inputs.hottest_changes)) if inputs.history_known else unknown,
        "authors": math.log1p(max(0, inputs.recent_authors)) if inputs.history_known else unknown,
        "experience": (math.log1p(max(0, inputs.author_prior_commits)) if inputs.history_known and not inputs.author_bot
                       else unknown),
        "no_tests": 1.0 if code and not tests else 0.0,
        "ai_share": min(1.0, max(0.0, inputs.ai_share)),
        "code_size": math.log1p(sum(max(0, n) for n in code_lines)),
        "code_files": math.log1p(len(code_lines)),
        "code_base": math.log1p(max(0, inputs.code_bytes_before)),
        "indent": math.log1p(max(0, inputs.deepest_indent)),
    }


def _logistic(z: float) -> float:
    z = max(-_MAX_LOGIT, min(_MAX_LOGIT, z))
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class LikelihoodModel:
    """A fitted logistic model on standardised features: logit = intercept + sum(coef * (x - mean) / scale)."""

    intercept: float
    coefficients: dict[str, float]
    means: dict[str, float]
    scales: dict[str, float]
    source: str
    """Which model this is, for the why panel: "built-in defaults (fitted on N commits of K repositories)"
    or "this repository (fitted YYYY-MM-DD on N commits, AUC x vs defaults y)"."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Free-form facts kept with the model (repositories, commit ranges, figures); not used for ranking."""

    def logit_contributions(self, feats: dict[str, float]) -> dict[str, float]:
        """Each feature's log-odds; `intercept + sum(values)` is the logit. Missing or NaN features give 0."""
        out: dict[str, float] = {}
        for name, coef in self.coefficients.items():
            value = feats.get(name, math.nan)
            if not math.isfinite(value):
                out[name] = 0.0
                continue
            out[name] = coef * (value - self.means[name]) / self.scales[name]
        return out

    def logit(self, feats: dict[str, float]) -> float:
        return self.intercept + sum(self.logit_contributions(feats).values())

    def probability(self, feats: dict[str, float]) -> float:
        return _logistic(self.logit(feats))

    def to_json(self) -> dict[str, Any]:
        return {"format": 1, "intercept": self.intercept, "coefficients": dict(self.coefficients),
                "means": dict(self.means), "scales": dict(self.scales), "source": self.source,
                "extra": dict(self.extra)}

    @classmethod
    def from_json(cls, data: Any, where: str = "likelihood model") -> LikelihoodModel:
        """Validate and build; any problem raises ConfigError naming `where` and the key."""
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a JSON object, got {type(data).__name__}")
        if data.get("format", 1) != 1:
            raise ConfigError(f"{where}: unknown format {data.get('format')!r} (expected 1)")
        intercept = _number(data.get("intercept"), f"{where}: intercept")
        tables = {}
        for key in ("coefficients", "means", "scales"):
            table = data.get(key)
            if not isinstance(table, dict):
                raise ConfigError(f"{where}: {key} must be an object of feature -> number")
            tables[key] = {str(k): _number(v, f"{where}: {key}.{k}") for k, v in table.items()}
        names = set(tables["coefficients"])
        unknown = sorted(names - set(LIKELIHOOD_FEATURES))
        if unknown:
            raise ConfigError(f"{where}: unknown feature {unknown[0]!r} (known: {', '.join(LIKELIHOOD_FEATURES)})")
        for key in ("means", "scales"):
            missing = sorted(names - set(tables[key]))
            if missing:
                raise ConfigError(f"{where}: {key} lacks feature {missing[0]!r}")
        bad = sorted(n for n in names if tables["scales"][n] <= 0)
        if bad:
            raise ConfigError(f"{where}: scales.{bad[0]} must be > 0")
        source = data.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ConfigError(f"{where}: source must be a non-empty string")
        extra = data.get("extra", {})
        if not isinstance(extra, dict):
            raise ConfigError(f"{where}: extra must be an object")
        return cls(intercept, tables["coefficients"], {n: tables["means"][n] for n in names},
                   {n: tables["scales"][n] for n in names}, source, extra)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where} must be a finite number, got {value!r}")
    return float(value)


def default_model() -> LikelihoodModel:
    """The built-in model shipped as package data (app/core/risk/likelihood_default.json)."""
    text = resources.files("app.core.risk").joinpath(DEFAULT_MODEL_FILE).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{DEFAULT_MODEL_FILE}: not JSON ({exc.msg} at line {exc.lineno})") from exc
    return LikelihoodModel.from_json(data, DEFAULT_MODEL_FILE)


def _standardisation(rows: list[dict[str, float]], names: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    means: dict[str, float] = {}
    scales: dict[str, float] = {}
    for name in names:
        values = [r[name] for r in rows if math.isfinite(r.get(name, math.nan))]
        mean = sum(values) / len(values) if values else 0.0
        var = sum((v - mean) ** 2 for v in values) / len(values) if values else 0.0
        means[name] = mean
        scales[name] = math.sqrt(var) if var > 1e-12 else 1.0
    return means, scales


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the Hessian is positive definite thanks to the L2 term)."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-15:
            continue
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            if factor:
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(a[r][r]) < 1e-15:
            continue
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def _newton_step(design: list[list[float]], labels: list[int], beta: list[float], l2: float) -> list[float]:
    """One IRLS/Newton step of L2-penalised logistic regression (the intercept, index 0, is not penalised)."""
    k = len(beta)
    grad = [0.0] * k
    hess = [[0.0] * k for _ in range(k)]
    for x, y in zip(design, labels, strict=True):
        p = _logistic(sum(b * v for b, v in zip(beta, x, strict=True)))
        w = max(p * (1 - p), 1e-9)
        for i in range(k):
            grad[i] += (p - y) * x[i]
            wx = w * x[i]
            for j in range(i, k):
                hess[i][j] += wx * x[j]
    for i in range(k):
        for j in range(i):
            hess[i][j] = hess[j][i]
        if i:
            grad[i] += l2 * beta[i]
            hess[i][i] += l2
    step = _solve(hess, grad)
    return [b - s for b, s in zip(beta, step, strict=True)]


def _penalised_loss(design: list[list[float]], labels: list[int], beta: list[float], l2: float) -> float:
    """The negative log-likelihood plus the L2 term that _newton_step minimises (stable for any logit)."""
    total = 0.0
    for x, y in zip(design, labels, strict=True):
        z = sum(b * v for b, v in zip(beta, x, strict=True))
        # log(1 + e^z) - y*z, computed without overflow
        total += (z if z > 0 else 0.0) + math.log1p(math.exp(-abs(z))) - y * z
    return total + l2 / 2 * sum(b * b for b in beta[1:])


def fit_logistic(rows: list[dict[str, float]], labels: list[int], l2: float = 1.0, *,
                 features: tuple[str, ...] = LIKELIHOOD_FEATURES, source: str = "",
                 iterations: int = 25) -> LikelihoodModel:
    """Fit by Newton's method (IRLS) with an L2 penalty `l2` on the standardised coefficients. Pure Python
    and deterministic: the same rows give the same model. NaN features are imputed at their mean (0)."""
    if len(rows) != len(labels):
        raise ValueError(f"{len(rows)} rows but {len(labels)} labels")
    if not rows:
        raise ValueError("no rows to fit")
    names = list(features)
    means, scales = _standardisation(rows, names)

    def standard(row: dict[str, float], name: str) -> float:
        v = row.get(name, math.nan)
        return (v - means[name]) / scales[name] if math.isfinite(v) else 0.0

    design = [[1.0] + [standard(r, n) for n in names] for r in rows]
    rate = min(max(sum(labels) / len(labels), 1e-4), 1 - 1e-4)
    beta = [math.log(rate / (1 - rate))] + [0.0] * len(names)
    loss = _penalised_loss(design, labels, beta, l2)
    for _ in range(iterations):
        new = _newton_step(design, labels, beta, l2)
        # Damped: a full Newton step can overshoot far (outlying rows, nearly separable labels; on
        # urfave/cli it ran the intercept to -1e8 and every probability to 0), so it is halved until
        # the penalised loss goes down. The loss never rises: the fit converges, deterministically.
        for _halving in range(40):
            new_loss = _penalised_loss(design, labels, new, l2)
            if new_loss <= loss:
                break
            new = [(a + b) / 2 for a, b in zip(new, beta, strict=True)]
        else:
            break  # no step lowers the loss: beta is the optimum to machine precision
        moved = max(abs(a - b) for a, b in zip(new, beta, strict=True))
        beta, loss = new, new_loss
        if moved < 1e-9:
            break
    coefficients = {n: beta[i + 1] for i, n in enumerate(names)}
    return LikelihoodModel(beta[0], coefficients, means, scales,
                           source or f"fitted on {len(rows)} commits")
