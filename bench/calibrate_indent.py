"""Indentation in columns or in levels? (issue 12, QA51 #20)

    python bench/calibrate_indent.py [--repos bench/calibration_repos.txt] [--max-commits 1500] [--rounds 300]

The likelihood factor `indent` was log1p of the columns before the most indented added line of code (a tab
counting 4), so code indented by 2 spaces read half as nested as 4-space code. This script measures, on the
labels and built-in factors of calibrate_candidates.py (label_history, the same commits), the factor read in
other ways, each in place of `indent`:

- columns: the factor as it was (recomputed here as a check: it must equal the built-in figure)
- levels: columns divided by the file's indent unit (score.indent_unit: the most common increase in
  indentation between consecutive lines of the file's new version; a tab-indented file has a unit of one
  tab), a part level dropped
- levels_float: the same, the part level kept
- levels_added: the unit read from the commit's added lines of the file only, not the whole file
- columns_no_ci, levels_no_ci: the same, CI workflows (YAML, counted as code) left out of the factor
- levels_x4, levels_x4_float: 4 x levels (the columns a 4-space file would have: unchanged for 4-space and tab files)
- none: no indentation factor at all

It prints the mean of the leave-one-repository-out metrics on code-touching commits (calibrate_defaults.py's
`mean loro`), each repository's AUC and Popt, and for each variant its gain over `columns` with a paired 95%
bootstrap interval: each round resamples every held-out repository's code-touching commits (the same picks
for both rankings) and averages the six differences. A variant within that interval of 0 is noise.
With `--check LISTING` (the same NAME PATH HEAD format, e.g. clones of hono and lazygit) it instead scores each
listed history's code-touching commits, all of them, with the model fitted on the six in each variant: a check
on histories not fitted on, with the paired gain over columns.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate_candidates import repositories

from app.core.calibration.evaluate import METRICS
from app.core.calibration.factors import NULL_BLOB, read_first_parent_log
from app.core.calibration.run import label_history
from app.core.calibration.szz import CalibrateConfig
from app.core.git.cli import GitCli
from app.core.git.repo import GitRepo, new_side_runs
from app.core.risk.likelihood import LIKELIHOOD_FEATURES, fit_logistic
from app.core.risk.score import INDENT_MAX_BYTES, TAB_WIDTH, indent_width, is_code_path, is_test_path
from app.errors import ReviewTuiError

VARIANTS = ("columns", "levels", "levels_float", "levels_added", "columns_no_ci", "levels_no_ci", "levels_x4",
            "levels_x4_float", "none")
_YAML = (".yml", ".yaml")
Row = tuple[dict[str, float], int, int, str]
Scored = tuple[list[float], list[int], list[float]]  # scores, labels, changed lines of code-touching commits
_LEADING = re.compile(rb"^([ \t]*)[^\s*]", re.MULTILINE)  # a line's indentation, unless blank or a `*` comment line
INDENT_UNITS = range(2, 9)  # steps of 1 column (alignment) or of more than 8 (continuation lines) are not a unit


def indent_unit(text: bytes) -> int:
    """The columns of one indentation level in a file, from its own lines: the most common increase in
    indentation between consecutive lines that are not blank (a tab counting TAB_WIDTH, so a file indented by
    tabs has a unit of one tab), the smaller on a tie; TAB_WIDTH when the file shows none. Lines inside a block
    comment that start with `*` are skipped: their one-column step is alignment, not nesting."""
    steps: Counter[int] = Counter()
    previous = 0
    for lead in _LEADING.findall(text):
        width = len(lead) + (TAB_WIDTH - 1) * lead.count(b"\t")
        if width - previous in INDENT_UNITS:
            steps[width - previous] += 1
        previous = width
    return min(steps, key=lambda step: (-steps[step], step)) if steps else TAB_WIDTH


def variant_figures(path: str, head: str, shas: set[str]) -> dict[str, dict[str, float]]:
    """sha -> the deepest added line of code in each variant's measure (before log1p)."""
    repo = GitRepo(path)
    units: dict[str, int] = {}
    out: dict[str, dict[str, float]] = {}

    def read(blob: str) -> bytes | None:
        try:
            return repo.blob(blob)
        except ReviewTuiError:  # a missing blob counts for nothing, as in the calibration
            return None

    for commit in read_first_parent_log(GitCli(repo.git_dir), head):
        if commit.sha not in shas:
            continue
        deepest = dict.fromkeys(VARIANTS, 0.0)
        for file, (old, new) in commit.blobs.items():
            if new == NULL_BLOB or not is_code_path(file) or is_test_path(file):
                continue
            after = read(new)
            before = b"" if old == NULL_BLOB else read(old)
            if after is None or before is None or len(after) > INDENT_MAX_BYTES:
                continue
            lines = [text for run in new_side_runs(before, after) for added, text in run if added and text.strip()]
            if not lines:
                continue
            if new not in units:
                units[new] = indent_unit(after)
            unit = units[new]
            own = indent_unit("\n".join(lines).encode())
            widest = max(indent_width(line) for line in lines)
            found = {"columns": widest, "levels": widest // unit, "levels_float": widest / unit,
                     "levels_added": widest // own, "levels_x4": TAB_WIDTH * (widest // unit),
                     "levels_x4_float": TAB_WIDTH * widest / unit}
            if not file.lower().endswith(_YAML):
                found.update(columns_no_ci=widest, levels_no_ci=widest // unit)
            for name, value in found.items():
                deepest[name] = max(deepest[name], value)
        out[commit.sha] = deepest
    return out


def rows_of(name: str, path: str, head: str, max_commits: int, cache: dict) -> list[Row]:
    key = f"indent1:{name}:{head}:{max_commits}"
    if key not in cache:
        labelled = label_history(GitRepo(path), head, CalibrateConfig(max_fix_lines=200),
                                 max_commits=max_commits or None)
        cache[key] = [[s.feats, s.label, int(s.code), s.sha] for s in labelled.samples]
    rows = cache[key]
    key = f"{key}:{','.join(VARIANTS)}"
    if key not in cache:
        cache[key] = variant_figures(path, head, {r[3] for r in rows})
    figures = cache[key]
    return [({**r[0], **{f"v_{k}": v for k, v in figures.get(r[3], {}).items()}}, r[1], r[2], r[3]) for r in rows]


def with_variant(rows: list[Row], variant: str) -> list[Row]:
    if variant == "none":
        return rows
    return [({**f, "indent": math.log1p(f.get(f"v_{variant}", 0.0))}, y, c, s) for f, y, c, s in rows]


def features_for(variant: str) -> tuple[str, ...]:
    built_in = tuple(f for f in LIKELIHOOD_FEATURES if f != "ai_share")
    return tuple(f for f in built_in if f != "indent") if variant == "none" else built_in


def held_out_scores(data: dict[str, list[Row]], variant: str) -> dict[str, Scored]:
    """Per repository: the leave-one-repository-out model's scores on its code-touching commits, labels, lines."""
    out = {}
    shaped = {name: with_variant(rows, variant) for name, rows in data.items()}
    for held in shaped:
        train = [r for name, rows in shaped.items() if name != held for r in rows]
        model = fit_logistic([r[0] for r in train], [r[1] for r in train], 1.0, features=features_for(variant))
        code = [r for r in shaped[held] if r[2]]
        out[held] = ([model.probability(r[0]) for r in code], [r[1] for r in code],
                     [math.expm1(r[0]["size"]) for r in code])
    return out


def checked_scores(data: dict[str, list[Row]], check: list[Row], variant: str) -> Scored:
    """The model fitted on all of `data` (the built-in defaults), on the code-touching commits of `check`."""
    train = [r for rows in data.values() for r in with_variant(rows, variant)]
    model = fit_logistic([r[0] for r in train], [r[1] for r in train], 1.0, features=features_for(variant))
    code = [r for r in with_variant(check, variant) if r[2]]
    return [model.probability(r[0]) for r in code], [r[1] for r in code], [math.expm1(r[0]["size"]) for r in code]


def metrics_of(scored: Scored) -> dict[str, float]:
    return {name: metric(*scored) for name, metric in METRICS.items()}


def paired_mean_gain(a: dict[str, Scored], b: dict[str, Scored], rounds: int,
                     seed: int = 12) -> dict[str, tuple[float, float, float]]:
    """Mean over repositories of metric(a) - metric(b), with a percentile interval from resampling each
    repository's commits (the same picks for a and b)."""
    rng = random.Random(seed)
    value = {m: sum(metrics_of(a[r])[m] - metrics_of(b[r])[m] for r in a) / len(a) for m in METRICS}
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        gains: dict[str, float] = defaultdict(float)
        for repo in a:
            n = len(a[repo][1])
            pick = [rng.randrange(n) for _ in range(n)]
            for m, metric in METRICS.items():
                sa = metric(*([seq[i] for i in pick] for seq in a[repo]))
                sb = metric(*([seq[i] for i in pick] for seq in b[repo]))
                gains[m] += (sa - sb) / len(a)
        for m in METRICS:
            samples[m].append(gains[m])
    out = {}
    for m in METRICS:
        ordered = sorted(x for x in samples[m] if math.isfinite(x))
        low, high = int(0.025 * len(ordered)), min(len(ordered) - 1, int(0.975 * len(ordered)))
        out[m] = (value[m], ordered[low], ordered[high])
    return out


def study_parser(description: str | None) -> argparse.ArgumentParser:
    """The options every study of the six histories takes (this script's and calibrate_ownership.py's)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", default=str(Path(__file__).with_name("calibration_repos.txt")))
    parser.add_argument("--max-commits", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--cache", default="/tmp/calibrate_indent_cache.json")
    return parser


def main() -> int:
    parser = study_parser(__doc__)
    parser.add_argument("--check", help="a listing of other repositories (NAME PATH HEAD), each whole history "
                        "scored by the defaults fitted on the six: a check, not a fit")
    args = parser.parse_args()
    cache = json.loads(Path(args.cache).read_text()) if Path(args.cache).exists() else {}
    data: dict[str, list[Row]] = {}
    for name, path, head in repositories(args.repos):
        data[name] = rows_of(name, path, head, args.max_commits, cache)
        Path(args.cache).write_text(json.dumps(cache))
        rows = data[name]
        off = sum(1 for f, *_ in rows if abs(math.log1p(f.get("v_columns", 0.0)) - f["indent"]) > 1e-9)
        units = sum(1 for f, *_ in rows if f.get("v_columns", 0) and f["v_levels"] * 4 != f["v_columns"])
        print(f"{name}: {len(rows)} commits; columns differ from the built-in figure on {off}; "
              f"levels other than columns/{TAB_WIDTH} on {units}", file=sys.stderr, flush=True)
    if args.check:
        for name, path, head in repositories(args.check):
            check = rows_of(name, path, head, 0, cache)
            Path(args.cache).write_text(json.dumps(cache))
            scored = {v: {name: checked_scores(data, check, v)} for v in VARIANTS}
            print(f"{name} (defaults fitted on the six, all {len(scored['columns'][name][1])} code-touching commits)")
            for variant in VARIANTS:
                values = metrics_of(scored[variant][name])
                gain = paired_mean_gain(scored[variant], scored["columns"], args.rounds)
                print(f"  {variant:16} " + "  ".join(f"{m} {values[m]:.3f}" for m in METRICS)
                      + f"  AUC gain {gain['auc'][0]:+.3f} [{gain['auc'][1]:+.3f},{gain['auc'][2]:+.3f}]", flush=True)
        return 0
    scored = {v: held_out_scores(data, v) for v in VARIANTS}
    print(f"{'variant (mean of leave-one-repository-out)':44} " + "  ".join(f"{m:>14}" for m in METRICS))
    for variant in VARIANTS:
        per = [metrics_of(scored[variant][r]) for r in data]
        print(f"{variant:44} " + "  ".join(f"{sum(p[m] for p in per) / len(per):14.3f}" for m in METRICS))
    print("\nper repository, AUC / Popt")
    for repo in data:
        print(f"{repo:12} " + "  ".join(f"{v} {metrics_of(scored[v][repo])['auc']:.3f}/"
                                        f"{metrics_of(scored[v][repo])['popt']:.3f}" for v in VARIANTS))
    print(f"\ngain over columns, mean of six [paired 95% bootstrap interval, {args.rounds} rounds]")
    for variant in VARIANTS[1:]:
        gain = paired_mean_gain(scored[variant], scored["columns"], args.rounds)
        print(f"{variant:14} " + "  ".join(f"{m} {v:+.3f} [{lo:+.3f},{hi:+.3f}]" for m, (v, lo, hi) in gain.items()),
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
