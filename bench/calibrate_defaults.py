"""Fit the built-in likelihood model (app/core/risk/likelihood_default.json) on real histories, SZZ-style.

    python bench/calibrate_defaults.py [--repos bench/calibration_repos.txt] [--max-commits 1500] [--write]

Each line of the repos file is `NAME PATH HEAD_COMMIT` (a clone under /work/real/, made from the `fetch`
tool's mirror). For each repository, the last `--max-commits` first-parent commits up to HEAD_COMMIT are the
changes studied; every factor of a change comes from its own parent (history and experience from the
commits before it only). A change is defect-inducing when a later first-parent commit whose message says it
fixes something modifies or deletes code lines that `git blame -w --first-parent` at the fix's parent
attributes to it, within a year (blank, comment, test and doc lines skipped; fixes touching more than
`--max-fix-lines` lines skipped; cosmetic fixes - typo, lint, docs, format - skipped).

Reported, per repository and on its code-touching commits, AUC, recall in the top 20% of changes, recall at
20% of changed lines (effort-aware) and Popt with 95% bootstrap intervals (app/core/calibration/evaluate.py)
for: the model fitted on the other repositories (leave-one-repository-out: what the built-in defaults are to a
new repository), size alone, and on the newer half, the repository's own model fitted on its older half.
With --write the model fitted on all repositories is written to likelihood_default.json.
Uses the git CLI with the user's and system config ignored (bench code, not the app).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.calibration.evaluate import METRICS, bootstrap
from app.core.git.models import CommitInfo
from app.core.metrics.complexity import analyze_source, compare, language_of
from app.core.provenance.commits import commit_confidence, commit_signals
from app.core.risk.likelihood import LIKELIHOOD_FEATURES, fit_logistic, likelihood_features
from app.core.risk.score import RiskInputs, is_code_path, is_test_path

FIX = re.compile(r"\b(fix(e[sd]|ing)?|bugs?|regression|crash(es)?|broken|hotfix)\b|(closes?|fixes|resolves) #\d+",
                 re.I)
COSMETIC = re.compile(r"\b(typos?|lint(ing)?|flake8|mypy|ruff|format(ting)?|docs?|documentation|spelling|"
                      r"whitespace|changelog|readme|ci|tests?|comment|grammar|pre-commit)\b", re.I)
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")
COMMENT = ("#", "//", "/*", "*", '"""', "'''")
DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc")
ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}
YEAR = 365 * 86_400
WINDOW = 90 * 86_400
EXPERIENCE = 730 * 86_400


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, errors="replace",
                          env=ENV).stdout


@dataclass
class Change:
    sha: str
    time: int
    email: str
    message: str
    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (added, deleted)
    blobs: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (old blob, new blob)
    feats: dict[str, float] = field(default_factory=dict)
    label: int = 0


def read_log(repo: str, head: str) -> list[Change]:
    """Every first-parent commit up to head, oldest first, with numstat and blob ids against its first parent."""
    out = git(repo, "log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--raw", "--numstat",
              "--no-abbrev", "--format=%x00%H%x1f%ct%x1f%ae%x1f%B%x1e", head)
    changes: list[Change] = []
    for record in out.split("\0")[1:]:
        head_part, _, body = record.partition("\x1e")
        sha, ct, email, message = head_part.split("\x1f", 3)
        change = Change(sha, int(ct), email.lower(), message)
        for line in body.splitlines():
            if line.startswith(":"):
                meta, _, path = line.partition("\t")
                parts = meta.split()
                change.blobs[path] = (parts[2], parts[3])
            elif "\t" in line:
                a, d, path = line.split("\t", 2)
                change.files[path] = (int(a) if a.isdigit() else 0, int(d) if d.isdigit() else 0)
        changes.append(change)
    changes.reverse()
    return changes


class Blobs:
    """Blob contents through one `git cat-file --batch` process."""

    def __init__(self, repo: str) -> None:
        self.proc = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=ENV)

    def read(self, sha: str) -> bytes | None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(sha.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) < 3:
            return None
        data = self.proc.stdout.read(int(header[2]) + 1)[:-1]
        return data

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def complexity_added(change: Change, blobs: Blobs) -> int:
    total = 0
    for path, (old, new) in change.blobs.items():
        if language_of(path) is None or is_test_path(path) or set(new) == {"0"}:
            continue
        new_data = blobs.read(new)
        if new_data is None or len(new_data) > 300_000:
            continue
        old_data = None if set(old) == {"0"} else blobs.read(old)
        old_m = analyze_source(path, old_data, maintainability=False) if old_data is not None else None
        new_m = analyze_source(path, new_data, maintainability=False)
        total += compare(path, old_m, new_m).complexity_added
    return total


def ai_share(change: Change) -> float:
    info = CommitInfo(change.sha, "", change.email, change.time, "", "", change.time, change.message)
    return 1.0 if commit_confidence(commit_signals(info)) >= 50 else 0.0


def measure(changes: list[Change], blobs: Blobs, study: set[str]) -> None:
    """Features of the studied changes, each from the history before it (no information from the future)."""
    by_path: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for change in changes:
        if change.sha in study:
            paths = sorted(change.files)
            recent_changes: dict[str, int] = {}
            authors: set[str] = set()
            prior = 0
            for path in paths:
                past = by_path.get(path, [])
                recent = [e for t, e in past if t >= change.time - WINDOW]
                if recent:
                    recent_changes[path] = len(recent)
                authors.update(recent)
                prior += sum(1 for t, e in past if e == change.email and t >= change.time - EXPERIENCE)
            inputs = RiskInputs(
                lines_added=sum(a for a, _ in change.files.values()),
                lines_deleted=sum(d for _, d in change.files.values()),
                paths=paths, lines_per_file=[a + d for a, d in change.files.values()],
                complexity_added=complexity_added(change, blobs), ai_share=ai_share(change),
                hottest_changes=max(recent_changes.values(), default=0), recent_authors=len(authors),
                author_prior_commits=prior)
            change.feats = likelihood_features(inputs)
        for path in change.files:
            by_path[path].append((change.time, change.email))


def fixed_lines(repo: str, fix: Change, max_lines: int) -> dict[str, list[int]]:
    """Old-side line numbers of the code lines a fix modifies or deletes (blank/comment/test/doc skipped)."""
    lines: dict[str, list[int]] = {}
    path: str | None = None
    old_no = 0
    for line in git(repo, "diff", "-U0", "-w", "--no-renames", f"{fix.sha}^", fix.sha).splitlines():
        if line.startswith("--- "):
            candidate = line[6:] if line.startswith("--- a/") else None
            path = candidate if candidate and is_code_path(candidate) and not is_test_path(candidate) \
                and not candidate.endswith(DOC_SUFFIXES) else None
        elif line.startswith("+++ "):
            continue
        elif (match := HUNK.match(line)) is not None:
            old_no = int(match.group(1))
        elif path and line.startswith("-"):
            text = line[1:].strip()
            if text and not text.startswith(COMMENT):
                lines.setdefault(path, []).append(old_no)
            old_no += 1
    if sum(len(v) for v in lines.values()) > max_lines:
        return {}
    return lines


def label(repo: str, changes: list[Change], max_fix_lines: int) -> tuple[int, int]:
    """Mark defect-inducing changes; returns (fix commits, fixes that blamed something)."""
    index = {c.sha: c for c in changes}
    fixes = [c for c in changes if FIX.search(c.message) and not COSMETIC.search(c.message.split("\n", 1)[0])]
    useful = 0
    for fix in fixes:
        found = False
        for path, numbers in fixed_lines(repo, fix, max_fix_lines).items():
            args = [a for n in numbers for a in ("-L", f"{n},{n}")]
            out = git(repo, "blame", "-w", "--first-parent", "-s", "-l", *args, f"{fix.sha}^", "--", path)
            for row in out.splitlines():
                sha = row.split(" ", 1)[0].lstrip("^")
                inducing = index.get(sha)
                if inducing and inducing.time <= fix.time and fix.time - inducing.time <= YEAR:
                    inducing.label = 1
                    found = True
        useful += found
    return len(fixes), useful


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", default=str(Path(__file__).with_name("calibration_repos.txt")))
    parser.add_argument("--max-commits", type=int, default=1500)
    parser.add_argument("--max-fix-lines", type=int, default=200)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--cache", default="/tmp/calibrate_defaults_cache.json")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    data: dict[str, list[tuple[dict[str, float], int, int]]] = {}
    cache = json.loads(Path(args.cache).read_text()) if Path(args.cache).exists() else {}
    for line in Path(args.repos).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, path, head = line.split()[:3]
        key = f"v2:{name}:{head}:{args.max_commits}:{args.max_fix_lines}"
        if key not in cache:
            started = time.perf_counter()
            changes = read_log(path, head)
            study = changes[-args.max_commits:]
            blobs = Blobs(path)
            measure(changes, blobs, {c.sha for c in study})
            blobs.close()
            fixes, useful = label(path, changes, args.max_fix_lines)
            rows = [[c.feats, c.label, int(any(is_code_path(p) and not is_test_path(p) for p in c.files))]
                    for c in study]
            cache[key] = {"rows": rows, "fixes": fixes, "useful": useful,
                          "first": study[0].sha, "last": study[-1].sha,
                          "seconds": round(time.perf_counter() - started, 1)}
            Path(args.cache).write_text(json.dumps(cache))
        entry = cache[key]
        data[name] = [(r[0], r[1], r[2]) for r in entry["rows"]]
        pos = sum(r[1] for r in entry["rows"])
        print(f"{name:8} {len(entry['rows'])} commits {entry['first'][:10]}..{entry['last'][:10]}, "
              f"{entry['fixes']} fixes ({entry['useful']} blamed), {pos} defect-inducing "
              f"(base rate {pos / len(entry['rows']):.3f}), {entry['seconds']} s", flush=True)
    report(data, args.l2)
    if args.write:
        write(data, args.l2, args.max_commits)
    return 0


MIN_NONZERO = 30  # a feature seen in fewer changes than this (ai_share in pre-AI histories) is left out


def usable_features(rows: list[tuple[dict[str, float], int, int]]) -> tuple[str, ...]:
    counts = {f: sum(1 for r in rows if r[0][f] not in (0.0,) and math.isfinite(r[0][f])) for f in LIKELIHOOD_FEATURES}
    return tuple(f for f in LIKELIHOOD_FEATURES if counts[f] >= MIN_NONZERO)


Row = tuple[dict[str, float], int, int]  # features, defect-inducing, touches code


def figures(scores: list[float], rows: list[Row], rounds: int) -> list[tuple[float, float, float]]:
    labels = [r[1] for r in rows]
    lines = [math.expm1(r[0]["size"]) for r in rows]
    return [bootstrap(metric, scores, labels, lines, rounds=rounds) for metric in METRICS.values()]


def show(name: str, what: str, values: list[tuple[float, float, float]]) -> None:
    print(f"{name:10} {what:9} " + "  ".join(f"{v:.3f} [{lo:.2f},{hi:.2f}]" for v, lo, hi in values))


def report(data: dict[str, list[Row]], l2: float, rounds: int = 200) -> None:
    """Per repository, on its code-touching commits: the model fitted on the other repositories
    (leave-one-repository-out, what the built-in defaults are to a new repository), size alone, and the
    repository's own model fitted on its older half and tested on its newer half against the LORO model."""
    features = usable_features([r for rows in data.values() for r in rows])
    print(f"\nfeatures {', '.join(features)}; l2={l2}; metrics on code-touching commits: "
          f"{', '.join(METRICS)} (value [95% bootstrap CI])")
    means: dict[str, list[float]] = defaultdict(list)
    for held in data:
        train = [r for name, rows in data.items() if name != held for r in rows]
        loro = fit_logistic([r[0] for r in train], [r[1] for r in train], l2, features=features)
        code = [r for r in data[held] if r[2]]
        pos = sum(r[1] for r in code)
        print(f"{held}: {len(code)} code-touching commits, {pos} defect-inducing (base rate {pos / len(code):.3f})")
        for what, scores in (("loro", [loro.probability(r[0]) for r in code]),
                             ("size", [r[0]["size"] for r in code])):
            values = figures(scores, code, rounds)
            show("", what, values)
            means[what].extend([v[0] for v in values])
        half = len(data[held]) // 2
        older = data[held][:half]
        newer = [r for r in data[held][half:] if r[2]]
        own = fit_logistic([r[0] for r in older], [r[1] for r in older], l2, features=features)
        for what, model in (("own/new", own), ("loro/new", loro)):
            values = figures([model.probability(r[0]) for r in newer], newer, rounds)
            show("", what, values)
            means[what].extend([v[0] for v in values])
        size_new = figures([r[0]["size"] for r in newer], newer, rounds)
        show("", "size/new", size_new)
        means["size/new"].extend([v[0] for v in size_new])
    k = len(METRICS)
    for what, values in means.items():
        cols = [sum(values[i::k]) / len(values[i::k]) for i in range(k)]
        print(f"mean {what:9} " + "  ".join(f"{c:.3f}" for c in cols))


def write(data: dict[str, list[Row]], l2: float, max_commits: int) -> None:
    rows = [r for rs in data.values() for r in rs]
    source = f"built-in defaults (fitted on {len(rows)} commits of {len(data)} repositories)"
    features = usable_features(rows)
    model = fit_logistic([r[0] for r in rows], [r[1] for r in rows], l2, features=features, source=source)
    doc = model.to_json()
    doc["extra"] = {"repositories": sorted(data), "max_commits": max_commits, "l2": l2,
                    "features": list(features),
                    "left_out": {f: f"seen in fewer than {MIN_NONZERO} changes" for f in LIKELIHOOD_FEATURES
                                 if f not in features},
                    "script": "bench/calibrate_defaults.py"}
    target = Path(__file__).resolve().parent.parent / "app/core/risk/likelihood_default.json"
    target.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    print(f"wrote {target}: " + ", ".join(f"{k} {v:+.3f}" for k, v in model.coefficients.items()))


if __name__ == "__main__":
    raise SystemExit(main())
