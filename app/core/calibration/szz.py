"""SZZ labelling (Sliwerski, Zimmermann, Zeller 2005): which commits later needed a fix.

A fix commit is one whose message matches a fix pattern ("fix", "bug", "regression", "Fixes #12", ...)
and whose subject is not cosmetic ("typo", "lint", "docs", ...). Each fix's modified or deleted code
lines (blank, comment, test and doc lines skipped; whitespace ignored; fixes over `max_fix_lines`
lines skipped as refactorings) are blamed at the fix's parent along the first-parent line, and the
commit that wrote each line is defect-inducing when it came before the fix on that line and within
`window_days` of it. The patterns and limits are the `[calibrate]` section of .review-tui.toml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from app.core.git.cli import GitCli, unquote_path
from app.core.risk.score import is_code_path, is_test_path
from app.core.settings import SectionReader
from app.errors import ConfigError

DEFAULT_FIX_PATTERNS: tuple[str, ...] = (
    r"\b(fix(e[sd]|ing)?|bugs?|regression|crash(es)?|broken|hotfix)\b",
    r"\b(close[sd]?|fix(e[sd])?|resolve[sd]?) +(#|gh-|[\w.-]+/[\w.-]+#)\d+",
)
DEFAULT_COSMETIC_PATTERNS: tuple[str, ...] = (
    r"\b(typos?|lint(ing)?|flake8|mypy|ruff|format(ting)?|docs?|documentation|spelling|whitespace|changelog"
    r"|readme|ci|tests?|comment|grammar|pre-commit)\b",
)
COMMENT_STARTS = ("#", "//", "/*", "*", '"""', "'''", "--")
DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")
_SHA = re.compile(r"^[0-9a-f]{40}(?: |$)")


@dataclass(frozen=True)
class CalibrateConfig:
    """The `[calibrate]` section of .review-tui.toml."""

    fix_patterns: tuple[str, ...] = DEFAULT_FIX_PATTERNS
    """Regular expressions (case-insensitive) searched in the whole commit message: a match makes a fix."""
    cosmetic_patterns: tuple[str, ...] = DEFAULT_COSMETIC_PATTERNS
    """Searched in the subject line: a match makes the fix cosmetic (not traced)."""
    max_fix_lines: int = 200
    """A fix that modifies or deletes more code lines than this is a refactoring, not traced."""
    window_days: int = 365
    """An inducing commit counts only when the fix came at most this many days after it."""

    @classmethod
    def from_reader(cls, reader: SectionReader) -> CalibrateConfig:
        default = cls()
        fixes = tuple(reader.get_list_of("fix_patterns", str, list(default.fix_patterns)))
        cosmetic = tuple(reader.get_list_of("cosmetic_patterns", str, list(default.cosmetic_patterns)))
        for key, patterns in (("fix_patterns", fixes), ("cosmetic_patterns", cosmetic)):
            for i, pattern in enumerate(patterns):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(f"{reader.where(key)}[{i}]: not a regular expression ({exc})") from None
        if not fixes:
            raise ConfigError(f"{reader.where('fix_patterns')}: needs at least one pattern")
        max_fix_lines = reader.get("max_fix_lines", int, default.max_fix_lines)
        if max_fix_lines < 1:
            raise ConfigError(f"{reader.where('max_fix_lines')}: must be 1 or more, got {max_fix_lines}")
        window_days = reader.get("window_days", int, default.window_days)
        if not 1 <= window_days <= 3650:
            raise ConfigError(f"{reader.where('window_days')}: must be between 1 and 3650, got {window_days}")
        reader.finish()
        return cls(fixes, cosmetic, max_fix_lines, window_days)

    def digest_text(self) -> str:
        """Everything the labels depend on, for cache keys."""
        return repr((self.fix_patterns, self.cosmetic_patterns, self.max_fix_lines, self.window_days))


class FixMatcher:
    """Decides from a commit message whether the commit fixes something (and is not cosmetic)."""

    def __init__(self, config: CalibrateConfig) -> None:
        self._fix = [re.compile(p, re.IGNORECASE) for p in config.fix_patterns]
        self._cosmetic = [re.compile(p, re.IGNORECASE) for p in config.cosmetic_patterns]

    def is_fix(self, message: str) -> bool:
        text = message[:20_000]
        if not any(p.search(text) for p in self._fix):
            return False
        subject = text.split("\n", 1)[0]
        return not any(p.search(subject) for p in self._cosmetic)


def _traced_path(path: str) -> bool:
    return is_code_path(path) and not is_test_path(path) and not path.lower().endswith(DOC_SUFFIXES)


def fixed_lines(diff: Sequence[str], max_lines: int) -> dict[str, list[int]]:
    """Old-side line numbers of the code lines a fix modifies or deletes, from its `-U0` diff text.
    Blank, comment, test and doc lines are skipped; over `max_lines` lines in all gives {}."""
    lines: dict[str, list[int]] = {}
    path: str | None = None
    old_no = 0
    for line in diff:
        if line.startswith("--- "):
            name = unquote_path(line[4:])
            name = name[2:] if name.startswith("a/") else ""
            path = name if name and _traced_path(name) else None
        elif line.startswith(("+++ ", "diff ", "index ")):
            continue
        elif (match := _HUNK.match(line)) is not None:
            old_no = int(match.group(1))
        elif path and line.startswith("-"):
            text = line[1:].strip()
            if text and not text.startswith(COMMENT_STARTS):
                lines.setdefault(path, []).append(old_no)
            old_no += 1
    if sum(len(v) for v in lines.values()) > max_lines:
        return {}
    return lines


def fix_diffs(git: GitCli, fixes: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """The whitespace-blind `-U0` diff of each (fix, parent) pair, by fix, from one `git diff-tree`."""
    if not fixes:
        return {}
    feed = "".join(f"{fix} {parent}\n" for fix, parent in fixes).encode()
    out = git.run("diff-tree", "--stdin", "-p", "-U0", "-w", "--no-renames", "--no-ext-diff", "--no-textconv",
                  "--no-color", stdin=feed)
    diffs: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in out.splitlines():
        if _SHA.match(line):
            current = diffs.setdefault(line[:40], [])
        elif current is not None:
            current.append(line)
    return diffs


@dataclass
class FixTrace:
    """One fix commit and the earlier commits it traces its fixed lines to."""

    fix: str
    lines: int
    inducing: set[str]


def trace_fixes(git: GitCli, fixes: Sequence[tuple[str, str, int]], config: CalibrateConfig, *,
                progress: Callable[[int, int], None] | None = None, workers: int = 2) -> list[FixTrace]:
    """Blame each fix's fixed lines at its parent. `fixes` are (fix, parent, fix time); what each line
    is blamed on is returned raw (the caller keeps only commits before the fix, within the window)."""
    diffs = fix_diffs(git, [(f, p) for f, p, _ in fixes])
    jobs = []
    for fix, parent, when in fixes:
        for path, numbers in fixed_lines(diffs.get(fix, []), config.max_fix_lines).items():
            jobs.append((fix, parent, when, path, numbers))
    traces = {fix: FixTrace(fix, 0, set()) for fix, _, _ in fixes}
    since_days = config.window_days * 86_400

    def blame(job: tuple[str, str, int, str, list[int]]) -> tuple[str, int, list[str]]:
        fix, parent, when, path, numbers = job
        return fix, len(numbers), git.blame_lines(parent, path, numbers, since=when - since_days - 86_400)

    done = 0
    with git.blame_graph([job[1] for job in jobs]), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for fix, count, origins in pool.map(blame, jobs):
            trace = traces[fix]
            trace.lines += count
            trace.inducing.update(o for o in origins if not o.startswith("^"))
            done += 1
            if progress is not None:
                progress(done, len(jobs))
    return list(traces.values())
