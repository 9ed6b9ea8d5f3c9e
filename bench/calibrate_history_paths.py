"""History without lock, generated and translation files (FIX121), and one new candidate: hunks (issue 12).

    python bench/calibrate_history_paths.py --before CACHE --after CACHE [--repos bench/calibration_repos.txt]
                                            [--max-commits 1500] [--rounds 200] [--hunks-cache FILE]

`--before` and `--after` are calibrate_defaults.py caches (`--cache`) of the same repositories, the first written
by the code before FIX121 (history counted every path's past; calibration's size, spread and code factors counted
lock and generated files), the second after it. Their rows are the same commits with the same labels, in the same
order; only the factors differ. Printed: the leave-one-repository-out mean on code-touching commits (L2 100, the
defaults' fit) before and after, and the paired 95% bootstrap gain of after over before (calibrate_indent.py's
paired_mean_gain: each history's commits resampled, the same picks for both). Both are scored on the commits that
touch code by either definition, with the changed lines of every file as the effort (what `calibrate` reads).

Then one candidate not tried before (bench/README.md lists what was): **code_hunks**, log1p(the hunks of the
change's code files that are not tests, as the analyzer shows them: libgit2's diff with 3 lines of context),
added to the built-in factors: whether a change scattered over many places of its files is more often fixed than
one of the same size in one block. Read from each commit's blobs against its parent (no future information).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calibrate_candidates import repositories
from calibrate_indent import Scored, metrics_of, paired_mean_gain

from app.core.calibration.evaluate import METRICS
from app.core.calibration.factors import NULL_BLOB, by_hand, read_first_parent_log
from app.core.calibration.run import L2, label_history
from app.core.calibration.szz import CalibrateConfig
from app.core.git.cli import GitCli
from app.core.git.repo import GitRepo, new_side_runs
from app.core.risk.likelihood import LIKELIHOOD_FEATURES, fit_logistic
from app.core.risk.score import is_code_path, is_test_path
from app.errors import ReviewTuiError

BUILT_IN = tuple(f for f in LIKELIHOOD_FEATURES if f != "ai_share")  # AI share: too few in these histories
Row = tuple[dict[str, float], int, int, float]  # factors, label, code-touching, changed lines (effort)


def cached_rows(cache_file: str, name: str, head: str, max_commits: int) -> list[list]:
    """The rows calibrate_defaults.py cached for a repository (either cache key version)."""
    cache = json.loads(Path(cache_file).read_text())
    for version in ("v5c", "v4c"):
        entry = cache.get(f"{version}:{name}:{head}:{max_commits}:200")
        if entry is not None:
            return entry["rows"]
    raise SystemExit(f"{cache_file} has no rows of {name} at {head[:10]} ({max_commits} commits)")


def held_out(data: dict[str, list[Row]], features: tuple[str, ...]) -> dict[str, Scored]:
    """Per repository: the leave-one-repository-out model's scores on its code-touching commits, labels, lines."""
    out = {}
    for held in data:
        train = [r for name, rows in data.items() if name != held for r in rows]
        model = fit_logistic([r[0] for r in train], [r[1] for r in train], L2, features=features)
        code = [r for r in data[held] if r[2]]
        out[held] = ([model.probability(r[0]) for r in code], [r[1] for r in code], [r[3] for r in code])
    return out


def show(what: str, scored: dict[str, Scored], base: dict[str, Scored] | None, rounds: int) -> None:
    per = [metrics_of(s) for s in scored.values()]
    line = f"{what:44} " + "  ".join(f"{sum(p[m] for p in per) / len(per):.3f}" for m in METRICS)
    if base is not None:
        gain = paired_mean_gain(scored, base, rounds)
        line += "   gain " + "  ".join(f"{v:+.3f} [{lo:+.3f},{hi:+.3f}]" for v, lo, hi in gain.values())
    print(line, flush=True)


def hunk_counts(path: str, head: str, shas: set[str]) -> dict[str, int]:
    """sha -> hunks of its code files that are not tests (lock and generated files left out, as by the factors)."""
    repo = GitRepo(path)

    def read(blob: str) -> bytes | None:
        try:
            return repo.blob(blob)
        except ReviewTuiError:
            return None

    out: dict[str, int] = {}
    for commit in read_first_parent_log(GitCli(repo.git_dir), head):
        if commit.sha not in shas:
            continue
        hunks = 0
        for file, (old, new) in by_hand(commit).blobs.items():
            if not is_code_path(file) or is_test_path(file):
                continue
            before = b"" if old == NULL_BLOB else read(old)
            after = b"" if new == NULL_BLOB else read(new)
            if before is None or after is None:
                continue
            hunks += len(new_side_runs(before, after))
        out[commit.sha] = hunks
    return out


def hunk_rows(name: str, path: str, head: str, max_commits: int, cache: dict) -> list[Row]:
    key = f"hunks1:{name}:{head}:{max_commits}"
    if key not in cache:
        labelled = label_history(GitRepo(path), head, CalibrateConfig(max_fix_lines=200), max_commits=max_commits)
        counts = hunk_counts(path, head, {s.sha for s in labelled.samples})
        cache[key] = [[{**s.feats, "code_hunks": math.log1p(counts.get(s.sha, 0))}, s.label, int(s.code), s.lines]
                      for s in labelled.samples]
    return [(r[0], r[1], r[2], float(r[3])) for r in cache[key]]


def compare_fix(args, names: list[tuple[str, str, str]]) -> None:  # type: ignore[no-untyped-def]
    before: dict[str, list[Row]] = {}
    after: dict[str, list[Row]] = {}
    for name, _, head in names:
        old, new = (cached_rows(f, name, head, args.max_commits) for f in (args.before, args.after))
        assert len(old) == len(new) and all(a[1] == b[1] for a, b in zip(old, new, strict=True)), name
        code = [bool(a[2] or b[2]) for a, b in zip(old, new, strict=True)]
        lines = [math.expm1(a[0]["size"]) for a in old]  # every changed line: the effort, the same for both
        before[name] = [(a[0], a[1], int(c), n) for a, c, n in zip(old, code, lines, strict=True)]
        after[name] = [(b[0], b[1], int(c), n) for b, c, n in zip(new, code, lines, strict=True)]
        moved = {f: sum(1 for a, b in zip(old, new, strict=True) if abs(a[0][f] - b[0][f]) > 1e-9)
                 for f in ("size", "spread", "history", "authors", "experience", "code_size")}
        print(f"{name}: {len(old)} commits, {sum(code)} code-touching by either definition "
              f"({sum(1 for a, b in zip(old, new, strict=True) if a[2] != b[2])} changed); factor changed on: "
              + ", ".join(f"{f} {n}" for f, n in moved.items()), flush=True)
    print(f"\n{'(mean of leave-one-repository-out, L2 ' + str(L2) + ')':44} " + "  ".join(METRICS)
          + f"   paired gain over before [95%, {args.rounds} rounds]")
    show("size alone (after)", held_out(after, ("size",)), None, args.rounds)
    old_scores = held_out(before, BUILT_IN)
    show("built-in factors, before", old_scores, None, args.rounds)
    new_scores = held_out(after, BUILT_IN)
    show("built-in factors, after", new_scores, old_scores, args.rounds)
    for repo in new_scores:
        a, b = metrics_of(old_scores[repo]), metrics_of(new_scores[repo])
        print(f"  {repo:12} " + "  ".join(f"{m} {a[m]:.3f} -> {b[m]:.3f}" for m in METRICS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", default=str(Path(__file__).with_name("calibration_repos.txt")))
    parser.add_argument("--max-commits", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--before", help="calibrate_defaults.py's cache written before FIX121")
    parser.add_argument("--after", help="calibrate_defaults.py's cache written after it")
    parser.add_argument("--hunks-cache", default="/tmp/calibrate_hunks_cache.json")
    args = parser.parse_args()
    names = repositories(args.repos)
    if args.before and args.after:
        compare_fix(args, names)
    cache = json.loads(Path(args.hunks_cache).read_text()) if Path(args.hunks_cache).exists() else {}
    data: dict[str, list[Row]] = {}
    for name, path, head in names:
        data[name] = hunk_rows(name, path, head, args.max_commits, cache)
        Path(args.hunks_cache).write_text(json.dumps(cache))
    print("\ncandidate (mean of leave-one-repository-out)")
    base = held_out(data, BUILT_IN)
    show("built-in factors", base, None, args.rounds)
    show("+ code_hunks", held_out(data, (*BUILT_IN, "code_hunks")), base, args.rounds)
    show("code_hunks instead of code_files", held_out(data, (*(f for f in BUILT_IN if f != "code_files"),
                                                            "code_hunks")), base, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
