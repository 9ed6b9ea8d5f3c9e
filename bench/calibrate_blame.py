"""Line-level history of the changed code, defect-prone files, and the model's shape (issue 12, stop 50).

    python bench/calibrate_blame.py [--repos bench/calibration_repos.txt] [--rounds 200]
                                    [--cache /tmp/calibrate_blame_cache.json] [--kamei-cache FILE]

Rows (labels, built-in factors, calibrate_kamei.py's candidates) come from calibrate_kamei.py's cache (the same
label_history labels); this script adds, per commit, what `git blame` at the commit's own parent says of the code
lines it modifies or deletes (code files that are not tests; blank and comment lines skipped, whitespace ignored,
the first-parent line only, no further back than EXPERIENCE_DAYS; at most LINES_PER_FILE lines of FILES_PER_COMMIT
files, the files with the most such lines), and what the fixes before it had traced (the labelling's own SZZ
trace of every fix commit in the log, each known from its fix's time on). Nothing comes from after the commit:

- line_age: log1p(mean days since the changed lines were written; a line older than the window counts the window)
- recent: share of the changed lines written in the 30 days before
- recent_other: share of the changed lines written in the 90 days before by someone other than the change's author
- other_share: share of the changed lines written by someone else (any time in the window)
- buggy_lines: share of the changed lines written by a commit a fix before this change had already traced
- fix_lines: share of the changed lines written by a fix commit (code that was itself a fix)
- known_inducing: log1p(distinct earlier commits (the window) to the touched code files that a fix before this
  change had traced) (defect-prone files, as known at the time)
- inducing_rate: known_inducing's count / the files' earlier commits (unknown when none)

The change's context, as known at its time:

- repo_fix_rate: the share of fixes among the last 100 first-parent commits (smoothed)
- author_bug_rate: the share of the author's earlier commits (the window) a fix before this change had traced
- author_fix_rate: the share of fixes among the author's earlier commits
- friday, night: the author's own clock (git's %ai) says Friday, or 22:00-06:00
- pr_commits: log1p(the commits a merge brought in, beyond the merge)

And from the rows themselves (shape, not new information):

- deleted_share: code lines deleted / (added + deleted)
- size_x_complexity, size_x_indent: interactions (products of the log factors)
- code_size_sq: code_size squared (curvature)
- go: 1 for a commit whose code lines are mostly in .go files (a language effect: three Python and three Go
  histories, so each held-out history's language is in the training set too)
- entropy_code: normalised entropy of the changed lines across the code files only (the built-in entropy
  counts every file)

Printed as calibrate_kamei.py prints: the mean over the six of the leave-one-repository-out metrics on
code-touching commits with the paired 95% bootstrap gain over the built-in factors (L2 100, the defaults' fit),
each candidate added alone; then the newer halves (the leave-one-out model on each history's newer half, and
the history's own older-half model fitted with L2 1, 10, 100, 0.015 and 0.05 x its rows, as `review-tui
calibrate` evaluates it, against the leave-one-out defaults, with calibrate's adoption rule per history; L2 100
against L2 1 paired; the average of the own model's and the defaults' log-odds). `--check LISTING` does the
own-model part on other histories (NAME PATH HEAD), against the defaults fitted on the six.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate_candidates import repositories
from calibrate_indent import Row, Scored, metrics_of, study_parser
from calibrate_kamei import BUILT_IN, DAY, _authors, rows_of, show

from app.core.calibration.evaluate import METRICS, paired_gain
from app.core.calibration.factors import LogCommit, read_first_parent_log
from app.core.calibration.szz import CalibrateConfig, FixMatcher, fix_diffs, fixed_lines, trace_fixes
from app.core.git.cli import GitCli
from app.core.git.history import EXPERIENCE_DAYS
from app.core.git.repo import GitRepo
from app.core.risk.likelihood import fit_logistic
from app.core.risk.score import entropy, is_code_path, is_test_path

LINE_CANDIDATES = ("line_age", "recent", "recent_other", "other_share", "buggy_lines", "fix_lines")
FILE_CANDIDATES = ("known_inducing", "inducing_rate")
CONTEXT_CANDIDATES = ("repo_fix_rate", "author_bug_rate", "author_fix_rate", "friday", "night", "pr_commits")
SHAPE_CANDIDATES = ("deleted_share", "size_x_complexity", "size_x_indent", "code_size_sq", "go", "entropy_code")
LINES_PER_FILE = 60
FILES_PER_COMMIT = 6
DEFAULT_L2 = 100.0


def _sample(numbers: list[int], most: int) -> list[int]:
    if len(numbers) <= most:
        return numbers
    step = len(numbers) / most
    return [numbers[int(i * step)] for i in range(most)]


def blame_jobs(git: GitCli, commits: list[LogCommit], study: set[str]) -> list[tuple[str, str, int, str, list[int]]]:
    """(commit, parent, time, path, old line numbers) to blame: each studied commit's changed code lines."""
    pairs = [(c.sha, c.parent) for c in commits if c.sha in study and c.parent and not c.missing_objects]
    diffs: dict[str, list[str]] = {}
    for start in range(0, len(pairs), 200):
        diffs.update(fix_diffs(git, [(s, p or "") for s, p in pairs[start:start + 200]]))
    times = {c.sha: c.info.commit_time for c in commits}
    jobs = []
    for sha, parent in pairs:
        lines = fixed_lines(diffs.get(sha, []), 10**9)
        chosen = sorted(lines.items(), key=lambda kv: -len(kv[1]))[:FILES_PER_COMMIT]
        for path, numbers in chosen:
            jobs.append((sha, parent or "", times[sha], path, _sample(numbers, LINES_PER_FILE)))
    return jobs


def known_inducing_events(git: GitCli, commits: list[LogCommit]) -> list[tuple[int, str]]:
    """(fix time, a commit that fix traced lines to), for every fix of the log, as the labelling traces them."""
    config = CalibrateConfig(max_fix_lines=200)
    matcher = FixMatcher(config)
    fixes = [c for c in commits if c.parent and not c.missing_objects and matcher.is_fix(c.info.message)]
    traces = trace_fixes(git, [(c.sha, c.parent or "", c.info.commit_time) for c in fixes], config, workers=2)
    times = {c.sha: c.info.commit_time for c in commits}
    return sorted((times[t.fix], i) for t in traces for i in t.inducing if i in times and times[i] < times[t.fix])


def blame_factors(path: str, head: str, study: set[str]) -> dict[str, dict[str, float]]:
    repo = GitRepo(path)
    git = GitCli(repo.git_dir)
    commits = read_first_parent_log(git, head, 4000)
    times = {c.sha: c.info.commit_time for c in commits}
    matcher = FixMatcher(CalibrateConfig())
    is_fix = {c.sha: matcher.is_fix(c.info.message) for c in commits}
    authors: dict[str, frozenset[str]] = {}

    def who(sha: str) -> frozenset[str]:
        if sha not in authors:
            authors[sha] = frozenset(_authors(repo, by_sha[sha]))
        return authors[sha]

    by_sha = {c.sha: c for c in commits}
    events = known_inducing_events(git, commits)
    print(f"  {path}: {len(events)} traced (fix, inducing) pairs", file=sys.stderr, flush=True)
    jobs = blame_jobs(git, commits, study)
    print(f"  {path}: {len(jobs)} blames", file=sys.stderr, flush=True)
    window = EXPERIENCE_DAYS * DAY

    def blame(job: tuple[str, str, int, str, list[int]]) -> tuple[str, list[str]]:
        sha, parent, when, file, numbers = job
        return sha, git.blame_lines(parent, file, numbers, since=when - window)

    origins: dict[str, list[str]] = defaultdict(list)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for sha, found in pool.map(blame, jobs):
            origins[sha] += found
    out: dict[str, dict[str, float]] = {}
    by_file: dict[str, list[tuple[int, str]]] = defaultdict(list)
    e = 0
    known: set[str] = set()
    for commit in commits:
        when = commit.info.commit_time
        while e < len(events) and events[e][0] < when:
            known.add(events[e][1])
            e += 1
        code = [p for p in commit.files if is_code_path(p) and not is_test_path(p)]
        if commit.sha in study:
            mine = who(commit.sha)
            row: dict[str, float] = dict.fromkeys(LINE_CANDIDATES, math.nan)
            got = [o for o in origins.get(commit.sha, []) if o]
            if got:
                ages = [(when - times[o]) / DAY if not o.startswith("^") and o in times else window / DAY
                        for o in got]
                inside = [o for o in got if not o.startswith("^") and o in times]
                row["line_age"] = math.log1p(max(0.0, sum(ages) / len(ages)))
                row["recent"] = sum(a <= 30 for a in ages) / len(got)
                row["recent_other"] = sum(1 for o in inside if when - times[o] <= 90 * DAY
                                          and not (who(o) & mine)) / len(got)
                row["other_share"] = sum(1 for o in inside if not (who(o) & mine)) / len(got)
                row["buggy_lines"] = sum(1 for o in inside if o in known) / len(got)
                row["fix_lines"] = sum(1 for o in inside if is_fix[o]) / len(got)
            earlier = {s for p in code for t, s in by_file.get(p, ()) if when - window <= t <= when}
            bad = len(earlier & known)
            row["known_inducing"] = math.log1p(bad)
            row["inducing_rate"] = bad / len(earlier) if earlier else math.nan
            lines_per_file = [sum(commit.files[p]) for p in code]
            row["entropy_code"] = entropy(lines_per_file) if lines_per_file else math.nan
            go = sum(sum(commit.files[p]) for p in code if p.endswith(".go"))
            row["go"] = float(go * 2 > sum(lines_per_file)) if lines_per_file else math.nan
            out[commit.sha] = row
        for p in commit.files:
            by_file[p].append((when, commit.sha))
    return out


def context_factors(path: str, head: str, study: set[str]) -> dict[str, dict[str, float]]:
    """The change's context as known at its time: the repository's recent fix rate, the author's own record."""
    repo = GitRepo(path)
    git = GitCli(repo.git_dir)
    commits = read_first_parent_log(git, head, 4000)
    matcher = FixMatcher(CalibrateConfig())
    events = known_inducing_events(git, commits)
    clock = local_times(git, head)
    window = EXPERIENCE_DAYS * DAY
    e = 0
    known: set[str] = set()
    recent: list[bool] = []
    by_author: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)  # email -> (time, sha, is fix)
    out: dict[str, dict[str, float]] = {}
    for commit in commits:
        when = commit.info.commit_time
        while e < len(events) and events[e][0] < when:
            known.add(events[e][1])
            e += 1
        fix = matcher.is_fix(commit.info.message)
        authors = _authors(repo, commit)
        if commit.sha in study:
            past = [[x for x in by_author.get(a, ()) if when - window <= x[0] <= when] for a in authors]
            bug = [(sum(1 for x in p if x[1] in known) + 0.15) / (len(p) + 1) for p in past]
            fixes = [(sum(1 for x in p if x[2]) + 0.25) / (len(p) + 1) for p in past]
            local = clock.get(commit.sha, (0, 12))
            out[commit.sha] = {
                "repo_fix_rate": (sum(recent[-100:]) + 0.25 * 5) / (len(recent[-100:]) + 5),
                "author_bug_rate": max(bug),
                "author_fix_rate": max(fixes),
                "friday": float(local[0] == 4),
                "night": float(local[1] >= 22 or local[1] < 6),
                "pr_commits": math.log1p(len(git.run("rev-list", f"{commit.info.parents[0]}..{commit.sha}")
                                            .split()) - 1) if commit.is_merge else 0.0,
            }
        recent.append(fix)
        for a in authors:
            by_author[a].append((when, commit.sha, fix))
    return out


def local_times(git: GitCli, head: str) -> dict[str, tuple[int, int]]:
    """sha -> (weekday, hour) on the author's own clock (git's %ai keeps the author's time zone)."""
    out = {}
    for row in git.run("log", "--first-parent", "-n", "4000", "--format=%H %ai", head).splitlines():
        sha, day, clock, _zone = row.split(" ")
        stamp = datetime.fromisoformat(f"{day}T{clock}")
        out[sha] = (stamp.weekday(), stamp.hour)
    return out


def shaped(rows: list[Row]) -> list[Row]:
    out = []
    for feats, label, code, sha in rows:
        f = dict(feats)
        la, ld = math.expm1(f["code_la"]), math.expm1(f["code_ld"])
        f["deleted_share"] = ld / (la + ld) if la + ld else math.nan
        f["size_x_complexity"] = f["code_size"] * f["complexity"]
        f["size_x_indent"] = f["code_size"] * f["indent"]
        f["code_size_sq"] = f["code_size"] ** 2
        out.append((f, label, code, sha))
    return out


def rows_with_blame(name: str, path: str, head: str, kamei: dict[str, Any], cache: dict[str, Any],
                    save: Callable[[], None]) -> list[Row]:
    rows = rows_of(name, path, head, 1500, kamei)
    key = f"blame1:{name}:{head}:{LINES_PER_FILE}:{FILES_PER_COMMIT}"
    if key not in cache:
        cache[key] = blame_factors(path, head, {r[3] for r in rows})
        save()
    extra = cache[key]
    ckey = f"context1:{name}:{head}"
    if ckey not in cache:
        cache[ckey] = context_factors(path, head, {r[3] for r in rows})
        save()
    context = cache[ckey]
    nothing = dict.fromkeys(CONTEXT_CANDIDATES, math.nan)
    unknown = dict.fromkeys((*LINE_CANDIDATES, *FILE_CANDIDATES, "entropy_code", "go"), math.nan)
    return shaped([({**r[0], **{k: (math.nan if v is None else v) for k, v in extra.get(r[3], unknown).items()},
                     **context.get(r[3], nothing)}, r[1], r[2], r[3]) for r in rows])


def loro(data: dict[str, list[Row]], features: tuple[str, ...], l2: float = DEFAULT_L2,
         newer: bool = False) -> dict[str, Scored]:
    """Per repository: the model fitted on the other repositories, scoring its code-touching commits (all, or
    those of its newer half)."""
    out: dict[str, Scored] = {}
    for held in data:
        train = [r for name, rows in data.items() if name != held for r in rows]
        model = fit_logistic([r[0] for r in train], [r[1] for r in train], l2, features=features)
        rows = data[held][len(data[held]) // 2:] if newer else data[held]
        code = [r for r in rows if r[2]]
        out[held] = ([model.probability(r[0]) for r in code], [r[1] for r in code],
                     [math.expm1(r[0]["size"]) for r in code])
    return out


def own(data: dict[str, list[Row]], features: tuple[str, ...], l2: Callable[[int], float]) -> dict[str, Scored]:
    """Per repository: its own older-half model on its newer half's code-touching commits (`calibrate`'s split)."""
    out: dict[str, Scored] = {}
    for name, rows in data.items():
        older, newer = rows[: len(rows) // 2], rows[len(rows) // 2:]
        model = fit_logistic([r[0] for r in older], [r[1] for r in older], l2(len(older)), features=features)
        code = [r for r in newer if r[2]]
        out[name] = ([model.probability(r[0]) for r in code], [r[1] for r in code],
                     [math.expm1(r[0]["size"]) for r in code])
    return out


OWN_RULES: dict[str, Callable[[int], float]] = {
    "L2 1 (calibrate now)": lambda n: 1.0, "L2 10": lambda n: 10.0, "L2 100": lambda n: 100.0,
    "L2 0.015 x rows": lambda n: 0.015 * n, "L2 0.05 x rows": lambda n: 0.05 * n}


def adoption(scored_own: dict[str, Scored], scored_defaults: dict[str, Scored], rounds: int) -> None:
    """Per history, `calibrate`'s rule (ADOPT_RULE): the own model is used when its paired AUC gain over the
    defaults lies above 0; and the mean metrics of whichever model that rule would rank with."""
    used: dict[str, Scored] = {}
    for name in scored_own:
        own_s, def_s = scored_own[name], scored_defaults[name]
        gain = paired_gain(METRICS["auc"], own_s[0], def_s[0], own_s[1], own_s[2], rounds=rounds)
        adopt = gain[0] > 0 and gain[1] > 0
        used[name] = own_s if adopt else def_s
        print(f"    {name:11} own AUC {metrics_of(own_s)['auc']:.3f}, defaults {metrics_of(def_s)['auc']:.3f}, "
              f"gain {gain[0]:+.3f} [{gain[1]:+.3f},{gain[2]:+.3f}] -> {'own model' if adopt else 'defaults'}")
    per = [metrics_of(used[r]) for r in used]
    print("    ranking used, mean: " + " ".join(f"{m} {sum(p[m] for p in per) / len(per):.3f}" for m in METRICS))


def check(data: dict[str, list[Row]], listing: str, kamei: dict[str, Any], save: Callable[[], None],
          rounds: int) -> None:
    """Other histories: the defaults fitted on the six (L2 100) against each one's own older-half model fitted
    with each rule, on its newer half's code-touching commits, as `review-tui calibrate` evaluates."""
    train = [r for rows in data.values() for r in rows]
    defaults = fit_logistic([r[0] for r in train], [r[1] for r in train], DEFAULT_L2, features=BUILT_IN)
    for name, path, head in repositories(listing):
        rows = rows_of(name, path, head, 0, kamei)
        save()
        newer = [r for r in rows[len(rows) // 2:] if r[2]]
        print(f"{name}: {len(rows)} commits, newer half {len(newer)} code-touching, "
              f"{sum(r[1] for r in newer)} defect-inducing")
        scored_def = {name: ([defaults.probability(r[0]) for r in newer], [r[1] for r in newer],
                             [math.expm1(r[0]["size"]) for r in newer])}
        show("  defaults", scored_def, None, rounds)
        show("  size alone", size_only({name: rows}, newer=True), scored_def, rounds)
        for label, rule in OWN_RULES.items():
            scored = own({name: rows}, BUILT_IN, rule)
            show(f"  own, {label}", scored, scored_def, rounds)
            adoption(scored, scored_def, rounds)


def blend(data: dict[str, list[Row]]) -> dict[str, Scored]:
    """Per repository: the mean of its own older-half model's (L2 100) and the leave-one-out defaults' log-odds."""
    out: dict[str, Scored] = {}
    for held, rows in data.items():
        train = [r for name, other in data.items() if name != held for r in other]
        defaults = fit_logistic([r[0] for r in train], [r[1] for r in train], DEFAULT_L2, features=BUILT_IN)
        older, newer = rows[: len(rows) // 2], [r for r in rows[len(rows) // 2:] if r[2]]
        mine = fit_logistic([r[0] for r in older], [r[1] for r in older], DEFAULT_L2, features=BUILT_IN)
        scores = []
        for r in newer:
            a, b = mine.probability(r[0]), defaults.probability(r[0])
            z = (math.log(a / (1 - a)) + math.log(b / (1 - b))) / 2
            scores.append(1 / (1 + math.exp(-z)))
        out[held] = (scores, [r[1] for r in newer], [math.expm1(r[0]["size"]) for r in newer])
    return out


def size_only(data: dict[str, list[Row]], newer: bool = False) -> dict[str, Scored]:
    out: dict[str, Scored] = {}
    for name, rows in data.items():
        code = [r for r in (rows[len(rows) // 2:] if newer else rows) if r[2]]
        out[name] = ([r[0]["size"] for r in code], [r[1] for r in code], [math.expm1(r[0]["size"]) for r in code])
    return out


def coverage(data: dict[str, list[Row]]) -> None:
    for name, rows in data.items():
        code = [r for r in rows if r[2]]
        known = {c: sum(math.isfinite(r[0].get(c, math.nan)) for r in code)
                 for c in (*LINE_CANDIDATES, *FILE_CANDIDATES)}
        print(f"{name}: of {len(code)} code commits, known: " + ", ".join(f"{c} {n}" for c, n in known.items()),
              file=sys.stderr)


def main() -> int:
    parser = study_parser(__doc__)
    parser.set_defaults(cache="/tmp/calibrate_blame_cache.json", rounds=200)
    parser.add_argument("--kamei-cache", default="/tmp/calibrate_kamei_cache.json")
    parser.add_argument("--check", help="a listing of other histories (NAME PATH HEAD): the own-model rules there")
    parser.add_argument("--only", help="comma-separated row groups: candidates, combos, newer, own")
    args = parser.parse_args()
    kamei = json.loads(Path(args.kamei_cache).read_text()) if Path(args.kamei_cache).exists() else {}
    cache = json.loads(Path(args.cache).read_text()) if Path(args.cache).exists() else {}

    def save() -> None:
        Path(args.cache).write_text(json.dumps(cache))
        Path(args.kamei_cache).write_text(json.dumps(kamei))

    data = {name: rows_with_blame(name, path, head, kamei, cache, save)
            for name, path, head in repositories(args.repos)}
    coverage(data)
    if args.check:
        check(data, args.check, kamei, save, args.rounds)
        return 0
    groups = set((args.only or "candidates,combos,newer,own").split(","))
    print(f"{'model (mean of leave-one-repository-out)':36} " + " ".join(f"{m[:6]:>6}" for m in METRICS)
          + "  gain over the built-in factors [paired 95%]")
    base = loro(data, BUILT_IN)
    show("built-in factors, L2 100", base, None, args.rounds)
    show("size alone", size_only(data), base, args.rounds)
    if "candidates" in groups:
        for c in (*LINE_CANDIDATES, *FILE_CANDIDATES, *SHAPE_CANDIDATES, *CONTEXT_CANDIDATES):
            show(f"+ {c}", loro(data, (*BUILT_IN, c)), base, args.rounds)
    if "combos" in groups:
        for combo in (("line_age", "recent_other"), ("buggy_lines", "known_inducing"), LINE_CANDIDATES,
                      (*LINE_CANDIDATES, *FILE_CANDIDATES)):
            show("+ " + " + ".join(combo) if len(combo) < 3 else f"+ {len(combo)} blame factors",
                 loro(data, (*BUILT_IN, *combo)), base, args.rounds)
    if "newer" in groups:
        print("newer halves: the leave-one-repository-out model on each history's newer half")
        newer_base = loro(data, BUILT_IN, newer=True)
        show("built-in factors, L2 100", newer_base, None, args.rounds)
        show("size alone", size_only(data, newer=True), newer_base, args.rounds)
    if "own" in groups:
        print("the history's own older-half model on its newer half (gain over the leave-one-out defaults)")
        newer_base = loro(data, BUILT_IN, newer=True)
        for label, rule in OWN_RULES.items():
            scored = own(data, BUILT_IN, rule)
            show(f"own, {label}", scored, newer_base, args.rounds)
            adoption(scored, newer_base, args.rounds)
        show("own L2 100 against own L2 1", own(data, BUILT_IN, lambda n: 100.0),
             own(data, BUILT_IN, lambda n: 1.0), args.rounds)
        show("average of own and defaults' log-odds", blend(data), newer_base, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
