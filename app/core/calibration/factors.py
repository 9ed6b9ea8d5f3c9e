"""Every likelihood factor of each commit on the first-parent line, from that commit's own parent.

`read_first_parent_log` reads the line once (one `git log`, with line counts and blob ids against
each commit's first parent); `measure` walks it oldest first, and `commit_inputs` is the ONE place
where a commit's RiskInputs are put together (a new likelihood factor is fed here): its size and
spread from its own diff, complexity added from its blobs before and after, and history, authors
and experience from the commits before it only (the analyzer's HistoryIndex rules: hottest file's
changes in the 90 days before, distinct recent authors, the author's commits in these files in the
two years before). Nothing comes from later commits: no information from the future.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from app.core.git.cli import GitCli, unquote_path
from app.core.git.history import EXPERIENCE_DAYS, WINDOW_DAYS, HistoryIndex
from app.core.git.models import CommitInfo
from app.core.metrics.complexity import FileMetrics, analyze_many, compare, language_of
from app.core.provenance.commits import DEFAULT, ProvenanceConfig, commit_confidence, commit_signals, primary_tool
from app.core.risk.likelihood import likelihood_features
from app.core.risk.score import RiskInputs, is_code_path, is_test_path

NULL_BLOB = "0" * 40
MAX_BLOB_BYTES = 300_000  # larger files are not measured for complexity (generated, vendored)
BLOCK = 400  # commits measured per complexity batch (one progress step, one pool round)


@dataclass
class LogCommit:
    """One first-parent commit as `git log` gives it, against its first parent."""

    info: CommitInfo
    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (added, deleted)
    blobs: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (old blob, new blob)

    @property
    def sha(self) -> str:
        return self.info.id

    @property
    def parent(self) -> str | None:
        return self.info.parents[0] if self.info.parents else None

    @property
    def is_merge(self) -> bool:
        return len(self.info.parents) > 1

    @property
    def touches_code(self) -> bool:
        return any(is_code_path(p) and not is_test_path(p) for p in self.files)

    @property
    def lines(self) -> int:
        return sum(a + d for a, d in self.files.values())


_FORMAT = "%x00%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f%B%x00"


def read_first_parent_log(git: GitCli, head: str) -> list[LogCommit]:
    """Every first-parent commit up to `head`, oldest first (merges diffed against their first parent)."""
    out = git.run("log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--raw", "--numstat",
                  "--no-abbrev", "--no-ext-diff", "--no-textconv", "--no-color", f"--format={_FORMAT}", head, "--")
    parts = out.split("\0")
    commits = [_parse_commit(parts[i], parts[i + 1] if i + 1 < len(parts) else "")
               for i in range(1, len(parts), 2)]
    commits.reverse()
    return commits


def _parse_commit(header: str, body: str) -> LogCommit:
    sha, parents, an, ae, at, cn, ce, ct, message = header.split("\x1f", 8)
    info = CommitInfo(sha, an, ae.lower(), int(at), cn, ce.lower(), int(ct), message, tuple(parents.split()))
    commit = LogCommit(info)
    for line in body.splitlines():
        if line.startswith(":"):
            meta, _, path = line.partition("\t")
            bits = meta.split()
            if len(bits) >= 4:
                commit.blobs[unquote_path(path)] = (bits[2], bits[3])
        elif line.count("\t") >= 2:
            added, deleted, path = line.split("\t", 2)
            commit.files[unquote_path(path)] = (int(added) if added.isdigit() else 0,
                                                int(deleted) if deleted.isdigit() else 0)
    return commit


def ai_tool(info: CommitInfo, config: ProvenanceConfig = DEFAULT) -> str | None:
    """The AI tool a commit's own signals name, when they reach the `[ai]` threshold."""
    signals = commit_signals(info, config)
    return primary_tool(signals) if commit_confidence(signals) >= config.min_confidence else None


def commit_inputs(commit: LogCommit, history: HistoryIndex, complexity_added: int, ai: str | None) -> RiskInputs:
    """The RiskInputs of one commit: its own diff, the complexity it added, the history before it."""
    paths = sorted(commit.files)
    figures = history.figures(paths, [commit.info.author_email])
    return RiskInputs(
        lines_added=sum(a for a, _ in commit.files.values()),
        lines_deleted=sum(d for _, d in commit.files.values()),
        paths=paths, lines_per_file=[a + d for a, d in commit.files.values()],
        complexity_added=complexity_added, ai_share=1.0 if ai else 0.0, ai_tools=[ai] if ai else [],
        hottest_changes=figures.hottest_changes, hottest_path=figures.hottest_path,
        recent_authors=figures.recent_authors, author_prior_commits=figures.author_prior_commits)


@dataclass
class Measured:
    """A studied commit's factors and the facts the evaluation needs."""

    sha: str
    time: int
    feats: dict[str, float]
    lines: int
    code: bool
    ai_tool: str | None


class _PastIndex:
    """Per-path (time, author) lists of the commits walked so far, and the HistoryIndex a commit sees."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[tuple[int, str]]] = defaultdict(list)

    def before(self, commit: LogCommit) -> HistoryIndex:
        when = commit.info.commit_time
        oldest = when - EXPERIENCE_DAYS * 86_400
        seen = {p: [e for e in self.by_path[p] if oldest <= e[0] <= when] for p in commit.files if p in self.by_path}
        return HistoryIndex(commit.parent or "", when - WINDOW_DAYS * 86_400, seen)

    def add(self, commit: LogCommit) -> None:
        for path in commit.files:
            self.by_path[path].append((commit.info.commit_time, commit.info.author_email))


def measure(commits: Sequence[LogCommit], study: set[str], read_blob: Callable[[str], bytes | None], *,
            ai_config: ProvenanceConfig = DEFAULT, workers: int = 2,
            progress: Callable[[int, int], None] | None = None) -> list[Measured]:
    """Factors of the commits in `study`, walking `commits` (oldest first) so that each sees only
    those before it. Complexity is measured a block of commits at a time (each blob once, `workers`
    processes)."""
    past = _PastIndex()
    out: list[Measured] = []
    wanted = [c for c in commits if c.sha in study]
    done = 0
    memo: dict[str, FileMetrics] = {}
    for block in _blocks(commits, study):
        added = _complexity_added([c for c in block if c.sha in study], read_blob, workers, memo)
        for commit in block:
            if commit.sha in study:
                ai = ai_tool(commit.info, ai_config)
                inputs = commit_inputs(commit, past.before(commit), added.get(commit.sha, 0), ai)
                out.append(Measured(commit.sha, commit.info.commit_time, likelihood_features(inputs),
                                    commit.lines, commit.touches_code, ai))
                done += 1
            past.add(commit)
        if progress is not None:
            progress(done, len(wanted))
    return out


def _blocks(commits: Sequence[LogCommit], study: set[str]) -> Iterator[list[LogCommit]]:
    """Consecutive runs of commits holding at most BLOCK studied ones."""
    block: list[LogCommit] = []
    count = 0
    for commit in commits:
        block.append(commit)
        count += commit.sha in study
        if count >= BLOCK:
            yield block
            block, count = [], 0
    if block:
        yield block


MEMO_BLOBS = 20_000  # measured blobs kept between blocks: a commit's old blob is mostly an earlier new one


def _complexity_added(commits: Sequence[LogCommit], read_blob: Callable[[str], bytes | None],
                      workers: int, memo: dict[str, FileMetrics]) -> dict[str, int]:
    """Cyclomatic complexity each commit adds (tests and unmeasured languages left out), by commit.
    `memo` holds blobs measured before (updated here, bounded)."""
    pairs: list[tuple[str, str, str, str]] = []  # commit, path, old blob, new blob
    items: list[tuple[str, str, bytes]] = []
    for commit in commits:
        for path, (old, new) in commit.blobs.items():
            if language_of(path) is None or is_test_path(path) or new == NULL_BLOB:
                continue
            pairs.append((commit.sha, path, old, new))
            for blob in (old, new):
                if blob != NULL_BLOB and blob not in memo:
                    data = read_blob(blob)
                    if data is not None and len(data) <= MAX_BLOB_BYTES:
                        items.append((blob, path, data))
    metrics: dict[str, FileMetrics] = analyze_many(items, workers, maintainability=False) if items else {}
    metrics = {**memo, **metrics}
    memo.update((new, metrics[new]) for _, _, _, new in pairs if new in metrics)
    for stale in list(memo)[:max(0, len(memo) - MEMO_BLOBS)]:
        del memo[stale]
    added: dict[str, int] = defaultdict(int)
    for sha, path, old, new in pairs:
        if new not in metrics or (old != NULL_BLOB and old not in metrics):
            continue  # a side too large (or unreadable) to measure: no figure rather than a wrong one
        added[sha] += compare(path, metrics.get(old), metrics[new]).complexity_added
    return dict(added)
