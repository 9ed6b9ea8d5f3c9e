"""How far can the likelihood model go on these histories? (issue 12)

    python bench/calibrate_ceiling.py [--repos bench/calibration_repos.txt] [--max-commits 1500]

The built-in model misses issue 12's AUC margin over size (+0.05). This script asks whether a different
model or ranking, or a factor read from the diff's text, would reach it. On the rows of
calibrate_candidates.py (the same labels and built-in factors), it adds factors read from each commit's
added lines in code files that are not tests (`git log -p -U0`, neutralised, diffed against the first
parent without rename detection, as the calibration reads a commit):

- hunks: log1p(hunks); modified: log1p(lines replaced, min(added, deleted) per hunk)
- control: log1p(added lines that branch, loop, return or raise); control_share: their share of added lines
- lines_per_hunk: log1p(changed lines per hunk); pure_add_share: the share of hunks that only add
- indent_mean: log1p(the mean indentation of added lines, a tab counting 4)

(`indent`, the deepest added line's indentation, earned its place: it is a built-in factor now.) It prints
the mean of the leave-one-repository-out metrics on code-touching commits (calibrate_defaults.py's `mean
loro`) for the built-in factors, each candidate added, "classify before size" (CBS+: the model's top share
read smallest first, then the rest smallest first; Huang et al. 2017) for the effort-aware columns, and,
when scikit-learn is installed (`pip install scikit-learn`; not a dependency of the app), a logistic fit by
scikit-learn, splines per factor and gradient-boosted trees on the same factors.
"""

from __future__ import annotations

import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate_candidates import BUILT_IN, Row, arguments, candidate_rows, repositories

from app.core.calibration.evaluate import METRICS, _curve_area
from app.core.git.cli import GitCli
from app.core.git.repo import GitRepo
from app.core.risk.likelihood import fit_logistic
from app.core.risk.score import indent_width, is_code_path, is_test_path

CONTENT = ("hunks", "modified", "control", "control_share", "lines_per_hunk", "pure_add_share", "indent_mean")
_CONTROL = re.compile(r"^\s*(?:if|elif|else|for|while|try|except|catch|switch|case|select|finally|with|defer|go"
                      r"|return|raise|panic|break|continue)\b|&&|\|\|")
_HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
Ranker = Callable[[Sequence[float], Sequence[float]], list[int]]


def content_factors(path: str, head: str) -> dict[str, dict[str, float]]:
    """The CONTENT factors of each first-parent commit up to `head`, by sha. A history with a missing blob
    stops `git log -p` there: the commits after it (older) are left out, and their factors count as unknown."""
    git = GitCli(GitRepo(path).git_dir)
    out = git.run("log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "-p", "-U0",
                  "--no-ext-diff", "--no-textconv", "--no-color", "--format=@@@COMMIT %H", head, check=False)
    counts: dict[str, dict[str, float]] = {}
    current: dict[str, float] | None = None
    code = False
    for line in out.splitlines():
        if line.startswith("@@@COMMIT "):
            current = counts.setdefault(line.split()[1], defaultdict(float))
            continue
        if current is None:
            continue
        if line.startswith("diff --git "):
            target = line.split(" b/", 1)[-1]
            code = is_code_path(target) and not is_test_path(target)
        elif not code or line.startswith(("+++", "---")):
            continue
        elif line.startswith("@@ "):
            match = _HUNK.match(line)
            if match:
                deleted, added = (int(g) if g is not None else 1 for g in match.groups())
                current["hunks"] += 1
                current["modified"] += min(added, deleted)
                current["pure_add_hunks"] += deleted == 0
        elif line.startswith("+") and line[1:].strip():
            current["added"] += 1
            current["control"] += bool(_CONTROL.search(line[1:]))
            current["indent_sum"] += indent_width(line[1:])
        elif line.startswith("-") and line[1:].strip():
            current["deleted"] += 1
    return {sha: _content(c) for sha, c in counts.items()}


def _content(c: dict[str, float]) -> dict[str, float]:
    added, hunks = c["added"], c["hunks"]
    return {"hunks": math.log1p(hunks), "modified": math.log1p(c["modified"]), "control": math.log1p(c["control"]),
            "control_share": c["control"] / added if added else 0.0,
            "lines_per_hunk": math.log1p((added + c["deleted"]) / hunks) if hunks else 0.0,
            "pure_add_share": c["pure_add_hunks"] / hunks if hunks else 0.0,
            "indent_mean": math.log1p(c["indent_sum"] / added) if added else 0.0}


def by_density(scores: Sequence[float], lines: Sequence[float]) -> list[int]:
    """The effort-aware order of evaluate.py: likelihood per changed line."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i] / max(1.0, lines[i]), lines[i]))


def classify_first(share: float) -> Ranker:
    """CBS+: the `share` of changes the model ranks highest, smallest first, then the rest smallest first."""
    def order(scores: Sequence[float], lines: Sequence[float]) -> list[int]:
        top = set(sorted(range(len(scores)), key=lambda i: -scores[i])[:int(len(scores) * share)])
        return sorted(range(len(scores)), key=lambda i: (i not in top, lines[i]))
    return order


def effort(order: list[int], labels: Sequence[int], lines: Sequence[float], share: float = 0.2) -> tuple[float, float]:
    """(recall at `share` of changed lines, Popt) of a reading order, as evaluate.py counts them."""
    budget, spent, found = share * sum(max(1.0, x) for x in lines), 0.0, 0
    for i in order:
        spent += max(1.0, lines[i])
        if spent > budget:
            break
        found += labels[i]
    n = range(len(labels))
    best = _curve_area(sorted(n, key=lambda i: (-labels[i], lines[i])), labels, lines)
    worst = _curve_area(sorted(n, key=lambda i: (labels[i], -lines[i])), labels, lines)
    return found / sum(labels), 1 - (best - _curve_area(order, labels, lines)) / (best - worst)


Fitter = Callable[[list[Row], tuple[str, ...]], Callable[[list[Row]], list[float]]]


def own_fit(train: list[Row], features: tuple[str, ...]) -> Callable[[list[Row]], list[float]]:
    model = fit_logistic([r[0] for r in train], [r[1] for r in train], 1.0, features=features)
    return lambda rows: [model.probability(r[0]) for r in rows]


def sklearn_fit(make: Callable[[], object]) -> Fitter:
    import numpy as np

    def matrix(rows: list[Row], features: tuple[str, ...]) -> object:
        return np.nan_to_num(np.array([[r[0].get(f, math.nan) for f in features] for r in rows], float))

    def fit(train: list[Row], features: tuple[str, ...]) -> Callable[[list[Row]], list[float]]:
        model = make()
        model.fit(matrix(train, features), [r[1] for r in train])  # type: ignore[attr-defined]
        return lambda rows: list(model.predict_proba(matrix(rows, features))[:, 1])  # type: ignore[attr-defined]
    return fit


def loro(data: dict[str, list[Row]], features: tuple[str, ...], fitter: Fitter = own_fit,
         ranker: Ranker = by_density) -> dict[str, float]:
    means: dict[str, list[float]] = defaultdict(list)
    for held in data:
        score = fitter([r for name, rows in data.items() if name != held for r in rows], features)
        code = [r for r in data[held] if r[2]]
        scores, labels = score(code), [r[1] for r in code]
        lines = [math.expm1(r[0]["size"]) for r in code]
        means["auc"].append(METRICS["auc"](scores, labels, lines))
        means["recall_top20"].append(METRICS["recall_top20"](scores, labels, lines))
        recall, popt = effort(ranker(scores, lines), labels, lines)
        means["recall_lines20"].append(recall)
        means["popt"].append(popt)
    return {name: sum(values) / len(values) for name, values in means.items()}


def main() -> int:
    args = arguments(__doc__)
    data: dict[str, list[Row]] = {}
    for name, path, head in repositories(args.repos):
        rows = candidate_rows(path, head, args.max_commits)
        content = content_factors(path, head)
        unknown = dict.fromkeys(CONTENT, math.nan)  # neutral in the fit: taken to be at the mean
        data[name] = [({**feats, **content.get(sha, unknown)}, label, code, sha) for feats, label, code, sha in rows]
        read = sum(1 for r in rows if r[3] in content)
        print(f"{name}: {len(rows)} commits, content read for {read}", file=sys.stderr, flush=True)
    models: list[tuple[str, tuple[str, ...], Fitter, Ranker]] = [
        ("size alone", ("size",), own_fit, by_density), ("built-in factors", BUILT_IN, own_fit, by_density),
        *((f"built-in + {c}", (*BUILT_IN, c), own_fit, by_density) for c in CONTENT),
        ("built-in + all of them", (*BUILT_IN, *CONTENT), own_fit, by_density),
        *((f"built-in, CBS+ top {share:.0%}", BUILT_IN, own_fit, classify_first(share)) for share in (0.2, 0.5)),
    ]
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import SplineTransformer, StandardScaler
    except ImportError:
        print("scikit-learn is not installed: the other model families are skipped", file=sys.stderr)
    else:
        models += [
            ("scikit-learn logistic, built-in", BUILT_IN, sklearn_fit(
                lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))), by_density),
            ("splines per factor, built-in", BUILT_IN, sklearn_fit(
                lambda: make_pipeline(SplineTransformer(n_knots=4, degree=2),
                                      LogisticRegression(C=0.3, max_iter=2000))), by_density),
            ("gradient-boosted trees, built-in + content", (*BUILT_IN, *CONTENT), sklearn_fit(
                lambda: HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_depth=3,
                                                       min_samples_leaf=40, random_state=0)), by_density),
        ]
    print(f"{'model (mean of leave-one-repository-out)':44} " + "  ".join(f"{m:>14}" for m in METRICS))
    for what, features, fitter, ranker in models:
        means = loro(data, features, fitter, ranker)
        print(f"{what:44} " + "  ".join(f"{means[m]:14.3f}" for m in METRICS), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
