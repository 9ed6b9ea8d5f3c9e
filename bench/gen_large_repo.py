"""Generate a large, realistic repository for the benchmarks, deterministically.

The repository (built with sample_repos' RepoBuilder) looks like a mid-sized Python service:
- `--files` Python modules of about `--lines` lines each, in a dozen packages, made of classes and
  functions with branches, loops, try blocks, comprehensions and closures (so radon has real work),
  plus a few docs and config files;
- a main branch with some history (several authors over a few months, so history factors are real);
- `--branches` feature branches, each touching a few files: small fixes, medium features, new
  modules, some commits carrying AI trailers (Claude, Copilot, aider author names);
- one branch `feature/huge-rewrite` with a change of about 30,000 changed lines (scaled down with
  --files/--lines for small builds).

Everything derives from seeded random generators and a fixed clock, so the same arguments always
give the same commit ids. A finished build leaves a marker file in its .git holding the generator
version and the arguments; a later call with the same ones reuses it.

    python bench/gen_large_repo.py DEST [--files 300] [--lines 2000] [--branches 50] [--force]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.samples import load

# Bump when the generated content changes, so old builds are not reused.
GENERATOR_VERSION = "1"
MARKER = "review-tui-bench-repo.json"  # file name inside <repo>/.git
HUGE_BRANCH = "feature/huge-rewrite"
HUGE_TARGET_LINES = 30_000  # changed lines (added + deleted) of the huge branch at full size
FULL_FILES, FULL_LINES = 300, 2000

PACKAGES = ["billing", "accounts", "ledger", "payments", "risk", "notifications", "reports", "search",
            "inventory", "shipping", "auth", "common"]
NOUNS = ["account", "invoice", "payment", "order", "customer", "ledger", "entry", "refund", "batch", "report",
         "session", "token", "record", "item", "shipment", "balance", "rate", "limit", "policy", "event",
         "queue", "job", "cache", "window", "quota", "route", "price", "discount", "tax", "currency"]
VERBS = ["load", "save", "compute", "validate", "apply", "resolve", "merge", "split", "build", "fetch",
         "update", "reconcile", "normalise", "schedule", "dispatch", "render", "parse", "collect", "check",
         "estimate", "refresh", "archive", "retry", "settle", "match"]
ADJECTIVES = ["pending", "active", "stale", "failed", "partial", "daily", "monthly", "remote", "local",
              "cached", "primary", "fallback"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}_{rng.choice(ADJECTIVES)}_{rng.choice(NOUNS)}"


def _class_name(rng: random.Random) -> str:
    noun = rng.choice(NOUNS).title()
    return f"{rng.choice(ADJECTIVES).title()}{noun}{rng.choice(['Service', 'Manager', 'Store', 'Policy', 'Builder'])}"


def _statements(rng: random.Random, indent: str, depth: int, budget: int) -> list[str]:
    """A block of plausible statements using `value`, `items`, `limit` and `total`."""
    out: list[str] = []
    while len(out) < budget:
        kind = rng.random()
        if depth < 3 and kind < 0.22:
            var = rng.choice(["value", "limit", "total"])
            out.append(f"{indent}if {var} > {rng.randint(0, 99)} and not {rng.choice(['items', 'flags'])}:")
            out += _statements(rng, indent + "    ", depth + 1, rng.randint(1, 3))
            if rng.random() < 0.5:
                out.append(f"{indent}elif {var} == {rng.randint(0, 9)}:")
                out += _statements(rng, indent + "    ", depth + 1, 1)
            if rng.random() < 0.5:
                out.append(f"{indent}else:")
                out += _statements(rng, indent + "    ", depth + 1, rng.randint(1, 2))
        elif depth < 3 and kind < 0.36:
            out.append(f"{indent}for index, item in enumerate(items):")
            out.append(f"{indent}    if item is None or index % {rng.randint(2, 7)} == 0:")
            out.append(f"{indent}        continue")
            out += _statements(rng, indent + "    ", depth + 1, rng.randint(1, 3))
        elif depth < 2 and kind < 0.42:
            out.append(f"{indent}while total < {rng.randint(10, 500)} and limit:")
            out.append(f"{indent}    total += {rng.randint(1, 9)}")
            out.append(f"{indent}    limit -= 1")
        elif depth < 3 and kind < 0.50:
            out.append(f"{indent}try:")
            out.append(f"{indent}    total += int(str(value).strip() or {rng.randint(0, 9)})")
            out.append(f"{indent}except (TypeError, ValueError) as exc:")
            out.append(f"{indent}    log.warning(\"bad value %r: %s\", value, exc)")
            if rng.random() < 0.4:
                out.append(f"{indent}    raise {rng.choice(['ValueError', 'RuntimeError'])}(str(exc)) from exc")
        elif kind < 0.58:
            out.append(f"{indent}selected = [x for x in items if x and x != {rng.randint(0, 50)}]")
            out.append(f"{indent}total += len(selected)")
        elif kind < 0.64:
            out.append(f"{indent}flag = value is None or (limit > {rng.randint(1, 9)} and total < limit)")
            out.append(f"{indent}total += 1 if flag else {rng.randint(0, 3)}")
        elif kind < 0.70:
            out.append(f"{indent}# {rng.choice(VERBS)} the {rng.choice(NOUNS)} before the {rng.choice(NOUNS)}")
            out.append(f"{indent}total = max(total, {rng.randint(0, 99)})")
        elif kind < 0.78:
            out.append(f"{indent}key = \"{rng.choice(NOUNS)}:\" + str(value)")
            out.append(f"{indent}cache[key] = cache.get(key, 0) + {rng.randint(1, 5)}")
        else:
            out.append(f"{indent}total += {rng.randint(1, 999)} * (limit or 1)")
    return out


def function_block(rng: random.Random, name: str, indent: str = "", method: bool = False,
                   size: int | None = None) -> list[str]:
    """One function (or method) of roughly `size` lines with a docstring and a return."""
    size = size or rng.randint(10, 45)
    params = "self, value, items, limit=10" if method else "value, items, limit=10"
    lines = [f"{indent}def {name}({params}):",
             f'{indent}    """{name.replace("_", " ").capitalize()} for the given value."""',
             f"{indent}    total = 0",
             f"{indent}    cache: dict[str, int] = {{}}"]
    if rng.random() < 0.2:  # a closure now and then: radon measures it separately
        lines += [f"{indent}    def helper(x):",
                  f"{indent}        return x if x > {rng.randint(0, 9)} else -x",
                  f"{indent}    total += helper(limit)"]
    lines += _statements(rng, indent + "    ", 0, max(3, size - len(lines) - 1))
    lines.append(f"{indent}    return total")
    return lines


def class_block(rng: random.Random, name: str, methods: int) -> list[str]:
    lines = [f"class {name}:", f'    """{name}: keeps its state between calls."""', "",
             "    def __init__(self, limit=10):", "        self.limit = limit", "        self.seen = {}", ""]
    used: set[str] = set()
    for _ in range(methods):
        method = _name(rng)
        while method in used:
            method = _name(rng) + f"_{len(used)}"
        used.add(method)
        lines += function_block(rng, method, "    ", method=True, size=rng.randint(8, 35)) + [""]
    return lines


@dataclass
class Module:
    """A module as a header plus named top-level blocks, so edits can work function by function."""

    header: list[str]
    blocks: list[tuple[str, list[str]]] = field(default_factory=list)

    def text(self) -> str:
        out = list(self.header)
        for _, block in self.blocks:
            out += ["", ""] + block
        return "\n".join(out) + "\n"

    def line_count(self) -> int:
        return len(self.header) + sum(len(b) + 2 for _, b in self.blocks)


def make_block(rng: random.Random, used: set[str], size_hint: int | None = None) -> tuple[str, list[str]]:
    """A new top-level function or class with a name not in `used`."""
    if rng.random() < 0.3:
        name = _class_name(rng)
        while name in used:
            name += "X"
        used.add(name)
        return name, class_block(rng, name, rng.randint(2, 6) if size_hint is None else max(2, size_hint // 25))
    name = _name(rng)
    while name in used:
        name += "_v"
    used.add(name)
    return name, function_block(rng, name, size=size_hint)


def make_module(seed: int, package: str, target_lines: int) -> Module:
    rng = random.Random(seed)
    header = [f'"""{package.title()} module {seed}: {rng.choice(VERBS)}s {rng.choice(NOUNS)}s."""', "",
              "from __future__ import annotations", "", "import logging", "import math",
              f"from {package} import common", "", "log = logging.getLogger(__name__)",
              f"DEFAULT_LIMIT = {rng.randint(5, 500)}"]
    module = Module(header)
    used: set[str] = set()
    while module.line_count() < target_lines:
        module.blocks.append(make_block(rng, used))
    return module


def _cut_points(body: list[str], indent: str) -> list[int]:
    """Line indexes where statements at `indent` can be inserted (or removed up to) and the code
    stays valid: a line at exactly that indent that does not continue a compound statement."""
    points = []
    for i in range(4, len(body)):
        line = body[i]
        if not line.startswith(indent) or line.startswith(indent + " ") or body[i - 1].rstrip().endswith(":"):
            continue
        if line.strip().startswith(("elif", "else", "except", "finally", "def ", "return")):
            continue
        points.append(i)
    return points


def edit_module(module: Module, rng: random.Random, *, edits: int, additions: int, removals: int,
                new_block_lines: int | None = None) -> Module:
    """A copy with `edits` blocks rewritten, `additions` new blocks and `removals` blocks removed."""
    blocks = list(module.blocks)
    used = {name for name, _ in blocks}
    for _ in range(min(removals, max(len(blocks) - 1, 0))):
        blocks.pop(rng.randrange(len(blocks)))
    for _ in range(min(edits, len(blocks))):
        index = rng.randrange(len(blocks))
        name, body = blocks[index]
        # Rewrite part of the body: a realistic edit keeps the signature and much of the code.
        indent = "        " if body[0].startswith("class") else "    "
        cuts = _cut_points(body, indent)
        if not cuts:
            continue
        cut = rng.choice(cuts)
        resume = rng.choice([c for c in cuts if c >= cut]) if rng.random() < 0.6 else cut  # old lines go
        keep, tail = body[:cut], body[resume:]
        extra = _statements(rng, indent, 1, rng.randint(3, 12))
        blocks[index] = (name, keep + extra + tail)
    for _ in range(additions):
        blocks.insert(rng.randrange(len(blocks) + 1), make_block(rng, used, new_block_lines))
    return Module(list(module.header), blocks)


@dataclass(frozen=True)
class Size:
    files: int
    lines: int
    branches: int


def _people(samples) -> list:
    Person = samples.Person
    return [Person("Ana Ruiz", "ana@corp.example"), Person("Ben Okafor", "ben@corp.example"),
            Person("Chen Wei", "chen@corp.example"), Person("Dana Lee", "dana@corp.example"),
            Person("Eli Novak", "eli@corp.example"), Person("Femi Ade", "femi@corp.example")]


AI_TRAILERS = [
    "Co-Authored-By: Claude <noreply@anthropic.com>",
    "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
    "Co-authored-by: Codex <noreply@openai.com>",
]


def generate(dest: Path, size: Size) -> dict:
    """Build the repository at `dest` (which must not exist) and return a summary."""
    samples = load()
    people = _people(samples)
    aider = samples.Person("Dana Lee (aider)", "dana@corp.example")
    # A day between commits on main keeps the history inside the 90-day window used by hotspots.
    clock = samples.Clock(start=1_767_225_600 - 120 * 86_400, step=86_400 // 2)
    builder = samples.RepoBuilder(dest, clock=clock)
    rng = random.Random(20260101)

    paths = [f"src/{PACKAGES[i % len(PACKAGES)]}/{PACKAGES[i % len(PACKAGES)]}_{i:03d}.py" for i in range(size.files)]
    modules = {path: make_module(i, PACKAGES[i % len(PACKAGES)], rng.randint(size.lines * 3 // 4, size.lines * 5 // 4))
               for i, path in enumerate(paths)}
    files: dict[str, str] = {path: m.text() for path, m in modules.items()}
    files["README.md"] = "# Corp service\n\nA generated repository for review-tui benchmarks.\n"
    files["pyproject.toml"] = '[project]\nname = "corp-service"\nversion = "1.0.0"\n'
    files[".github/workflows/ci.yml"] = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    for package in PACKAGES:
        files[f"src/{package}/__init__.py"] = f'"""The {package} package."""\n'
    builder.commit("Initial import", files, author=people[0])

    # History on main: a few files at a time, several authors (hotspots and experience figures).
    for n in range(40):
        touched = rng.sample(paths, k=min(len(paths), rng.randint(1, 4)))
        delta = {}
        for path in touched:
            modules[path] = edit_module(modules[path], rng, edits=rng.randint(1, 3), additions=rng.randint(0, 1),
                                        removals=0)
            delta[path] = modules[path].text()
        builder.commit(f"{rng.choice(VERBS).capitalize()} {rng.choice(NOUNS)} handling ({n})", delta,
                       author=rng.choice(people))
    builder.checkout("main")
    main_tip = builder.head("main")

    summary: dict = {"files": len(files), "main_commits": 41, "branches": {}}
    for b in range(size.branches):
        kind = rng.random()
        name = f"{rng.choice(['feature', 'fix', 'chore'])}/{rng.choice(VERBS)}-{rng.choice(NOUNS)}-{b:02d}"
        builder.branch(name, "main")
        author = rng.choice(people)
        commits = rng.randint(1, 3)
        for c in range(commits):
            delta = {}
            if kind < 0.55:  # small fix: one or two files, a function or two
                touched = rng.sample(paths, k=min(len(paths), rng.randint(1, 2)))
                for path in touched:
                    delta[path] = edit_module(modules[path], rng, edits=rng.randint(1, 2), additions=0,
                                              removals=0).text()
            elif kind < 0.9:  # medium feature: a few files, new functions
                touched = rng.sample(paths, k=min(len(paths), rng.randint(2, 5)))
                for path in touched:
                    delta[path] = edit_module(modules[path], rng, edits=rng.randint(1, 4),
                                              additions=rng.randint(1, 3), removals=rng.randint(0, 1)).text()
            else:  # a new module plus a couple of edits
                package = rng.choice(PACKAGES)
                new_path = f"src/{package}/{package}_new_{b:02d}_{c}.py"
                delta[new_path] = make_module(10_000 + b * 10 + c, package, size.lines // 2).text()
                for path in rng.sample(paths, k=min(len(paths), 2)):
                    delta[path] = edit_module(modules[path], rng, edits=1, additions=1, removals=0).text()
            message = f"{rng.choice(VERBS).capitalize()} the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}s"
            commit_author = author
            if rng.random() < 0.25:
                message += "\n\nDone with an assistant.\n\n" + rng.choice(AI_TRAILERS)
            elif rng.random() < 0.05:
                commit_author = aider
            builder.commit(message, delta, branch=name, author=commit_author)
        summary["branches"][name] = commits

    # The huge change: new modules plus rewrites of existing ones, about HUGE_TARGET_LINES changed lines.
    target = HUGE_TARGET_LINES * size.files * size.lines // (FULL_FILES * FULL_LINES)
    target = max(target, 600)
    builder.branch(HUGE_BRANCH, "main")
    rewrite = rng.sample(paths, k=min(len(paths), max(4, size.files // 10)))
    delta: dict[str, str] = {}
    for path in rewrite:
        blocks = len(modules[path].blocks)
        delta[path] = edit_module(modules[path], rng, edits=blocks // 3, additions=blocks // 5,
                                  removals=blocks // 8).text()
    changed = _changed_lines(builder, files_before={p: modules[p].text() for p in rewrite}, files_after=delta)
    n = 0
    while changed < target:
        package = PACKAGES[n % len(PACKAGES)]
        text = make_module(50_000 + n, package, min(size.lines, target - changed + 20)).text()
        delta[f"src/{package}/rewrite/{package}_core_{n:02d}.py"] = text
        changed += text.count("\n")
        n += 1
    # Tests beside the new code.
    for k in range(max(1, n // 3)):
        delta[f"tests/test_rewrite_{k:02d}.py"] = make_module(70_000 + k, "tests", 120).text()
    builder.commit("Rewrite the core services\n\nSplit the monolith into per-package cores.", delta,
                   branch=HUGE_BRANCH, author=people[2])
    summary["branches"][HUGE_BRANCH] = 1
    summary["huge_changed_lines_estimate"] = changed
    builder.checkout("main")
    summary["main"] = main_tip
    return summary


def _changed_lines(builder, *, files_before: dict[str, str], files_after: dict[str, str]) -> int:
    """Changed lines (added + deleted) between two versions of some files, as git counts them."""
    import difflib

    total = 0
    for path, after in files_after.items():
        before = files_before.get(path, "").splitlines()
        for line in difflib.unified_diff(before, after.splitlines(), lineterm="", n=0):
            if line[:1] in "+-" and not line.startswith(("+++", "---")):
                total += 1
    return total


def marker_text(size: Size) -> str:
    return json.dumps({"version": GENERATOR_VERSION, "files": size.files, "lines": size.lines,
                       "branches": size.branches}, sort_keys=True)


def ensure_repo(dest: Path, size: Size, *, force: bool = False, quiet: bool = False) -> Path:
    """The generated repository at `dest`, built unless a build of the same version and size is there."""
    dest = Path(dest)
    marker = dest / ".git" / MARKER
    if not force and marker.is_file() and marker.read_text(encoding="utf-8") == marker_text(size):
        return dest
    if dest.exists():
        if not marker.is_file() and any(dest.iterdir()):
            # Only ever delete what this generator built: DEST might be a typo for something precious.
            raise SystemExit(f"{dest} exists and is not a generated repository: choose another DEST")
        shutil.rmtree(dest)
    scratch = dest.with_name(dest.name + ".building")
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    summary = generate(scratch, size)
    (scratch / ".git" / MARKER).write_text(marker_text(size), encoding="utf-8")
    scratch.rename(dest)  # only a complete build gets the real name
    if not quiet:
        print(f"generated {dest}: {summary['files']} files, {len(summary['branches'])} branches, "
              f"huge change ~{summary['huge_changed_lines_estimate']:,} lines, "
              f"in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return dest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="where to build the repository")
    parser.add_argument("--files", type=int, default=FULL_FILES, help="Python modules on main")
    parser.add_argument("--lines", type=int, default=FULL_LINES, help="lines per module (about)")
    parser.add_argument("--branches", type=int, default=50, help="feature branches (plus the huge one)")
    parser.add_argument("--force", action="store_true", help="rebuild even when a current build exists")
    args = parser.parse_args(argv)
    path = ensure_repo(args.dest, Size(args.files, args.lines, args.branches), force=args.force)
    print(path)


if __name__ == "__main__":
    main()
