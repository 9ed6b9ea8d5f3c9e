"""Every likelihood factor of each commit on the first-parent line, from that commit's own parent.

`read_first_parent_line` lists the line without diffs; `read_first_parent_log` reads the part of it
a run needs once (one `git log`, with line counts and blob ids against each commit's first parent);
`measure` walks it oldest first (complexity in one pool of worker processes for the whole walk), and
`commit_inputs` is the ONE place where a commit's RiskInputs are put together (a new likelihood
factor is fed here): its size and
spread from its own diff (its renamed files paired as the analysis's diff pairs them: `with_renames`),
complexity added from its blobs before and after, and history, authors
and experience from the commits before it only (the analyzer's HistoryIndex rules: hottest file's
changes in the 90 days before, distinct recent authors, the author's commits in these files in the
two years before). Nothing comes from later commits: no information from the future.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from app.core.git.cli import GitCli, unquote_path
from app.core.git.diff import FileDiff, decode_text
from app.core.git.history import EXPERIENCE_DAYS, WINDOW_DAYS, HistoryIndex
from app.core.git.models import CommitInfo
from app.core.git.repo import changed_lines, new_side_runs
from app.core.metrics.complexity import (
    ANALYZER_RADON,
    FileComplexity,
    FileMetrics,
    analyze_many,
    analyze_source,
    analyzer_for,
    compare,
    credit_moves,
    language_of,
    python_by_radon,
)
from app.core.metrics.spans import InFileTests, test_line_count
from app.core.planner.builder import blob_first_lines, collapsed_by_path, generated_marker_in, without_history
from app.core.planner.model import ChunkConfig
from app.core.provenance.commits import DEFAULT, ProvenanceConfig, commit_confidence, commit_signals, primary_tool
from app.core.risk.likelihood import likelihood_features
from app.core.risk.score import (
    INDENT_MAX_BYTES,
    RiskInputs,
    bot_author,
    code_lines,
    complexity_measured,
    deepest_nesting,
    is_code_path,
    is_test_path,
)
from app.core.workers import new_pool
from app.errors import RepoError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

NULL_BLOB = "0" * 40
DEFAULT_CHUNKS = ChunkConfig()
MAX_BLOB_BYTES = 300_000  # larger files are not measured for complexity (generated, vendored)
BLOCK = 400  # commits measured per complexity batch (one progress step, one pool round)


@dataclass
class LogCommit:
    """One first-parent commit as `git log` gives it, against its first parent."""

    info: CommitInfo
    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (added, deleted)
    blobs: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (old blob, new blob)
    modes: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (old mode, new mode)
    missing_objects: bool = False  # a blob it changes is not in the repository: paths known, not its lines
    work_authors: tuple[str, ...] = ()  # a merge's: the authors of the commits it brought in (GitRepo.work_authors)

    @property
    def authors(self) -> tuple[str, ...]:
        """Whose work it is, as the analysis's history index reads the base's line: a merge is its pull
        request's authors' work, not its merger's."""
        return self.work_authors or (self.info.author_email,)

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


_LOG = ("log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--raw", "--no-abbrev",
        "--no-ext-diff", "--no-textconv", "--no-color", f"--format={_FORMAT}")
GITLINK = "160000"  # a submodule's entry names a commit of another repository, not a blob of this one


@dataclass(frozen=True)
class LineCommit:
    """A first-parent commit as `git rev-list` gives it: no diff, so the whole line costs little."""

    sha: str
    time: int  # committer time, as LogCommit's info.commit_time
    merge: bool


def read_first_parent_line(git: GitCli, head: str) -> list[LineCommit]:
    """Every first-parent commit up to `head`, oldest first, without diffs (one `git rev-list`: 0.5 s
    for ansible's 45,681 commits, where the log with diffs takes 17 s)."""
    out = git.run("rev-list", "--first-parent", "--timestamp", "--parents", head, "--")
    line = []
    for row in reversed(out.splitlines()):
        fields = row.split()
        if len(fields) >= 2:
            line.append(LineCommit(fields[1], int(fields[0]), len(fields) > 3))
    return line


class MissingHistory(RepoError):
    """The history's trees are not in the clone: nothing can be studied."""


def _objects_missing(exc: RepoError) -> bool:
    """Whether git failed for an object not in the clone (a partial clone's, never fetched: GIT_NO_LAZY_FETCH)."""
    text = str(exc)
    return any(words in text for words in ("unable to read", "missing", "promisor remote", "not allowed"))


def read_first_parent_log(git: GitCli, head: str, count: int | None = None) -> list[LogCommit]:
    """Every first-parent commit up to `head` (the newest `count` only, if given), oldest first
    (merges diffed against their first parent).

    Counting a commit's lines reads its blobs, and one missing blob (a partial clone, a damaged or
    pruned object store) fails the whole `git log`. Then the line is read without line counts (trees
    only), the blobs it names are checked in one `git cat-file`, and the lines are counted for every
    commit whose blobs are all there; the others keep their paths and are marked `missing_objects`."""
    limit = () if count is None else (f"--max-count={count}",)
    try:
        return _parse_log(git.run(*_LOG, *limit, "--numstat", head, "--"))
    except RepoError as exc:
        if not _objects_missing(exc):
            raise
    try:
        commits = _parse_log(git.run(*_LOG, *limit, head, "--"))
    except RepoError as exc:
        if not _objects_missing(exc):
            raise
        raise MissingHistory("the history's trees are not in this clone (a treeless partial clone, --filter=tree:0): "
                             "calibrate needs a clone without --filter") from None
    present = _present_blobs(git, {blob for c in commits for blob in _blob_ids(c)})
    complete = []
    for commit in commits:
        if all(blob in present for blob in _blob_ids(commit)):
            complete.append(commit)
        else:
            commit.missing_objects = True
            commit.files = dict.fromkeys(commit.blobs, (0, 0))
    if complete:
        feed = "".join(f"{c.sha}\n" for c in complete).encode()
        counted = {c.sha: c for c in _parse_log(git.run(*_LOG, "--numstat", "--no-walk=unsorted", "--stdin",
                                                         stdin=feed))}
        for commit in complete:
            commit.files = counted[commit.sha].files if commit.sha in counted else commit.files
    return commits


def _parse_log(out: str) -> list[LogCommit]:
    parts = out.split("\0")
    commits = [_parse_commit(parts[i], parts[i + 1] if i + 1 < len(parts) else "")
               for i in range(1, len(parts), 2)]
    commits.reverse()
    return commits


def _blob_ids(commit: LogCommit) -> Iterator[str]:
    for path, (old, new) in commit.blobs.items():
        modes = commit.modes.get(path, ("", ""))
        for blob, mode in ((old, modes[0]), (new, modes[1])):
            if blob != NULL_BLOB and mode != GITLINK:
                yield blob


def _present_blobs(git: GitCli, blobs: set[str]) -> set[str]:
    """Those of `blobs` the object database has, from one `git cat-file --batch-check`."""
    if not blobs:
        return set()
    # config-free: in a partial clone git stops at the first missing object it may not fetch (every later one
    # then read as missing); with no promisor remote configured it answers "missing" and goes on
    out = git.run("cat-file", "--batch-check=%(objectname) %(objecttype)", stdin="".join(
        f"{b}\n" for b in sorted(blobs)).encode(), check=False, config_free=True)
    return {line.split(" ", 1)[0] for line in out.splitlines() if not line.endswith(" missing")}


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
                commit.modes[unquote_path(path)] = (bits[0].lstrip(":"), bits[1])
        elif line.count("\t") >= 2:
            added, deleted, path = line.split("\t", 2)
            commit.files[unquote_path(path)] = (int(added) if added.isdigit() else 0,
                                                int(deleted) if deleted.isdigit() else 0)
    return commit


def ai_tool(info: CommitInfo, config: ProvenanceConfig = DEFAULT) -> str | None:
    """The AI tool a commit's own signals name, when they reach the `[ai]` threshold."""
    signals = commit_signals(info, config)
    return primary_tool(signals) if commit_confidence(signals) >= config.min_confidence else None


def commit_inputs(commit: LogCommit, history: HistoryIndex, complexity_added: int, ai: str | None,
                  code_bytes_before: int = 0, deepest_indent: int = 0,
                  inline_tests: dict[str, int] | None = None, chunks: ChunkConfig = DEFAULT_CHUNKS,
                  touched: Sequence[str] | None = None) -> RiskInputs:
    """The RiskInputs of one commit: its own diff (`by_hand`: what the analysis counts), the complexity it added,
    the history before it, the bytes its changed code files held at its parent (`code_bytes_before`), the
    indentation of its most indented added line of code (`deepest_indent`) and its changed lines in tests inside
    source files (`inline_tests`, inline_test_lines). History, authors and experience leave out the paths whose
    past says nothing (`without_history`: lock files, generated code, translation catalogues), as the analysis does;
    `touched`: all the paths of the commit `by_hand` was taken of (a file marked generated keeps its history there)."""
    paths = sorted(commit.files)
    asked = sorted(touched) if touched is not None else paths
    figures = history.figures(own_paths([p for p in asked if not without_history(p, chunks)]), list(commit.authors))
    return RiskInputs(
        lines_added=sum(a for a, _ in commit.files.values()),
        lines_deleted=sum(d for _, d in commit.files.values()),
        paths=paths, lines_per_file=[sum(commit.files[p]) for p in paths],  # in the order of paths
        complexity_added=complexity_added, complexity_known=complexity_measured(paths),
        ai_share=1.0 if ai else 0.0, ai_tools=[ai] if ai else [],
        hottest_changes=figures.hottest_changes, hottest_path=figures.hottest_path,
        recent_authors=figures.recent_authors, author_prior_commits=figures.author_prior_commits,
        author_bot=bot_author(commit.authors), code_bytes_before=code_bytes_before, deepest_indent=deepest_indent,
        inline_test_lines=inline_tests or {})


def own_paths(paths: list[str]) -> list[str]:
    """A commit's paths but its vendored trees' (app/core/vendored.py), whose history the analysis leaves out of
    history, authors and experience (`Analyzer._history_paths`). A tool's record the commit touches is one its
    parent or itself has, so the commit's own paths answer the presence check `find_vendored` asks (the analysis
    asks the trees, for the evidence it names)."""
    from app.core.vendored import candidate_roots, find_vendored

    if not candidate_roots(paths):
        return paths
    touched = set(paths)
    vendored = find_vendored(paths, lambda wanted: [p for p in wanted if p in touched])
    return [path for path in paths if not vendored(path)]


def by_hand(commit: LogCommit, chunks: ChunkConfig = DEFAULT_CHUNKS,
            read_blob: Callable[[str], bytes | None] | None = None) -> LogCommit:
    """The commit without the files a machine writes: by their paths (`collapsed_by_path`: lock files, generated
    code, snapshots) and, given `read_blob`, by a generator's marker in their first lines (`generated_marker_in`).
    What the analysis's size, spread, code and complexity factors count of a pending change (`_by_hand` there), and
    the lines its plan has a person read: a dependency bump's go.sum or Cargo.lock lines were size, and effort."""
    drop = [path for path in commit.files if collapsed_by_path(path, chunks) is not None
            or (read_blob is not None and _marked_generated(commit, path, chunks, read_blob))]
    if not drop:
        return commit
    return replace(commit, files={p: n for p, n in commit.files.items() if p not in drop},
                   blobs={p: b for p, b in commit.blobs.items() if p not in drop},
                   modes={p: m for p, m in commit.modes.items() if p not in drop})


def may_rename(commit: LogCommit) -> bool:
    """Whether the commit deletes a file and adds one: only then can a diff pair a rename (most commits do not, and
    are not diffed again)."""
    deletes = any(new == NULL_BLOB != old for old, new in commit.blobs.values())
    adds = any(old == NULL_BLOB != new for old, new in commit.blobs.values())
    return deletes and adds


def with_renames(commit: LogCommit, renamed: Sequence[FileDiff]) -> LogCommit:
    """The commit as the analysis's diff shows it: each file `renamed` pairs (`GitRepo.diff(renames_only=True)`, the
    analysis's own rename finding: exact, then a unique basename, then similar within diff.renameLimit) one entry
    at its new path with the lines its edit changed. The log reads without renames (each path's own history), so it
    has the whole old file deleted and the whole new one added: attrs' 58c8e9ade6, which moved its typing examples,
    was size 7.66 (about 2,100 lines) and likelihood 0.218 in calibration, 26 lines and 0.011 in the queue; and
    uv's #19770, moving its integration tests, was 427,080 lines of effort where 6,020 are edits."""
    pairs = [fd for fd in renamed if fd.old_path in commit.blobs and fd.new_path in commit.blobs
             and fd.old_blob and fd.new_blob]
    if not pairs:
        return commit
    files, blobs, modes = dict(commit.files), dict(commit.blobs), dict(commit.modes)
    for fd in pairs:
        for table in (files, blobs, modes):
            table.pop(fd.old_path or "", None)
            table.pop(fd.new_path or "", None)
        path = fd.path
        files[path] = (fd.additions, fd.deletions)
        blobs[path] = (fd.old_blob or NULL_BLOB, fd.new_blob or NULL_BLOB)
        modes[path] = (f"{fd.old_mode:06o}", f"{fd.new_mode:06o}")
    return replace(commit, files=files, blobs=blobs, modes=modes)


def lines_read(hand: LogCommit) -> int:
    """The effort of a commit `by_hand` (renames paired, `with_renames`): its changed lines; a file moved unchanged
    has none, as the analysis's rename detection shows it."""
    return hand.lines


def _marked_generated(commit: LogCommit, path: str, chunks: ChunkConfig,
                      read_blob: Callable[[str], bytes | None]) -> bool:
    """Whether a changed text file's new version (a deleted file's old one) opens with a generator's marker. A file
    with no changed lines is read only when it was moved unchanged (`with_renames` pairs it: one blob, one mode), as
    the analysis reads a renamed file's (builder._generated_marker); a binary file's edit and a mode change are not."""
    old, new = commit.blobs.get(path, (NULL_BLOB, NULL_BLOB))
    blob = old if new == NULL_BLOB else new
    if blob == NULL_BLOB:
        return False
    if not any(commit.files.get(path, (0, 0))):
        old_mode, new_mode = commit.modes.get(path, ("", ""))
        if old != new or old_mode != new_mode:  # a binary file's edit or a mode change: no text
            return False
        head = blob_first_lines(blob, read_blob)
        # a binary file moved: git calls a file with a NUL byte near its start binary
        return not any("\0" in line for line in head) and generated_marker_in(head, chunks) is not None
    return generated_marker_in(blob_first_lines(blob, read_blob), chunks) is not None


def inline_test_lines(commit: LogCommit, tests: InFileTests) -> dict[str, int]:
    """path -> the commit's changed lines inside the tests a source file holds (Rust's `#[cfg(test)] mod tests`),
    counted as the analysis counts a pending change's (spans.test_line_count): without them a commit that only
    changed a crate's in-file tests was "code changed with no test change" and its test lines code_size."""
    out: dict[str, int] = {}
    for path, (old, new) in commit.blobs.items():
        before = tests.regions(path, None if old == NULL_BLOB else old)
        after = tests.regions(path, None if new == NULL_BLOB else new)
        if not before and not after:
            continue
        old_data = b"" if old == NULL_BLOB else tests.read_blob(old)
        new_data = b"" if new == NULL_BLOB else tests.read_blob(new)
        if old_data is None or new_data is None:
            continue
        count = test_line_count(changed_lines(old_data, new_data), before, after)
        if count:
            out[path] = count
    return out


def code_bytes_before(commit: LogCommit, read_blob: Callable[[str], bytes | None]) -> int:
    """Bytes, at the commit's parent, of the code files (not tests) it changes: what the analyzer reads
    as FileDiff.old_size of a pending change's code files (likelihood factor code_base)."""
    total = 0
    for path, (old, _) in commit.blobs.items():
        if old != NULL_BLOB and is_code_path(path) and not is_test_path(path):
            total += len(read_blob(old) or b"")
    return total


def added_code_indent(commit: LogCommit, read_blob: Callable[[str], bytes | None]) -> int:
    """The deepest indentation among the lines the commit adds to code files (not tests), each file
    diffed against its version at the parent: what the analyzer reads from a pending change's hunks
    (likelihood factor indent). A file whose content is missing counts for nothing."""
    deepest = 0
    for path, (old, new) in commit.blobs.items():
        if new == NULL_BLOB or not is_code_path(path) or is_test_path(path):
            continue
        after = read_blob(new)
        before = b"" if old == NULL_BLOB else read_blob(old)
        if after is None or before is None or len(after) > INDENT_MAX_BYTES:
            continue
        deepest = max(deepest, deepest_nesting(new_side_runs(before, after)))
    return deepest


@dataclass
class Measured:
    """A studied commit's factors and the facts the evaluation needs."""

    sha: str
    time: int
    feats: dict[str, float]
    lines: int  # the effort: the lines a person reads (`lines_read`), not a lock file's, generated code's or a move's
    code: bool
    ai_tool: str | None


class _PastIndex:
    """Per-path (time, author, n) lists of the commits walked so far, and the HistoryIndex a commit sees."""

    def __init__(self, chunks: ChunkConfig = DEFAULT_CHUNKS) -> None:
        self.by_path: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
        self.ids: list[str] = []
        self.chunks = chunks

    def before(self, commit: LogCommit) -> HistoryIndex:
        when = commit.info.commit_time
        oldest = when - EXPERIENCE_DAYS * 86_400
        seen = {p: [e for e in self.by_path[p] if oldest <= e[0] <= when] for p in commit.files if p in self.by_path}
        return HistoryIndex(commit.parent or "", when - WINDOW_DAYS * 86_400, seen, self.ids)

    def add(self, commit: LogCommit) -> None:
        self.ids.append(commit.sha)
        for path in commit.files:
            if without_history(path, self.chunks):
                continue  # never asked about (commit_inputs)
            self.by_path[path].extend((commit.info.commit_time, email, len(self.ids) - 1) for email in commit.authors)


Renames = Callable[[LogCommit], Sequence[FileDiff]]
"""A commit's renamed files as the analysis's diff pairs them (`GitRepo.diff(parent, commit, renames_only=True)`)."""


def measure(commits: Sequence[LogCommit], study: set[str], read_blob: Callable[[str], bytes | None], *,
            ai_config: ProvenanceConfig = DEFAULT, workers: int = 2, chunks: ChunkConfig = DEFAULT_CHUNKS,
            progress: Callable[[int, int], None] | None = None, renames: Renames | None = None) -> list[Measured]:
    """Factors of the commits in `study`, walking `commits` (oldest first) so that each sees only
    those before it. `renames`: each studied commit that deletes and adds files is paired by it (`with_renames`)
    before any factor is read, so its size, spread, code, complexity and effort are the analysis's; its history
    stays each path's own, as the analysis's history index reads the base's line. Complexity is measured a block
    of commits at a time (each blob once, in one pool of `workers` processes for the whole walk). A studied
    commit's blobs are read once for all its figures (BlobCache): its size, indentation and in-file test figures
    are taken as its complexity is queued, right before the same blobs are read for it.

    The blocks overlap: while the workers measure one block, this thread reads and queues the next and
    then sums up the one before (its complexity, history and experience). Done one after the other, the
    workers waited for this thread's part of every block and it for theirs: on astral-sh/uv a fifth of the
    walk had one core idle."""
    walk = _Walk(study, read_blob, ai_config, workers, chunks, renames)
    wanted = sum(1 for c in commits if c.sha in study)
    finished = False
    try:
        in_flight: _Queued | None = None
        for block in _blocks(commits, study):
            queued = walk.queue(block)
            if in_flight is not None:
                walk.finish(in_flight)
                if progress is not None:
                    progress(len(walk.out), wanted)
            in_flight = queued
        if in_flight is not None:
            walk.finish(in_flight)
            if progress is not None:
                progress(len(walk.out), wanted)
        finished = True
    finally:
        walk.close(finished)
    return walk.out


class _Measuring:
    """`_measure_block` run in a thread of its own (a daemon: never what the interpreter's exit waits for)."""

    def __init__(self, items: dict[str, tuple[str, bytes | str]], cut: dict[tuple[str, str], _Pair], workers: int,
                 pool: ProcessPoolExecutor | None, should_stop: Callable[[], bool]) -> None:
        self.found: dict[str, FileMetrics] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(items, cut, workers, pool, should_stop),
                                       name="calibrate-measure", daemon=True)
        self.thread.start()

    def _run(self, *args: Any) -> None:
        try:
            self.found = _measure_block(*args)
        except BaseException as exc:  # raised where the result is read
            self.error = exc

    def result(self) -> dict[str, FileMetrics]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.found


@dataclass
class _Queued:
    """One block of the walk, its complexity queued: the file changes measured, what they read from earlier
    blocks, and the measuring under way (`_measure_block` in a thread of its own, `_Measuring`)."""

    block: list[LogCommit]
    hand: dict[str, LogCommit]  # its studied commits `by_hand`, by commit
    touched: dict[str, list[str]]  # its studied commits' paths, renames paired (whose history the analysis asks)
    pairs: list[tuple[str, str, str | None, str]]  # commit, path, old blob, new blob
    cut: dict[tuple[str, str], _Pair]
    known: dict[str, FileMetrics]  # measured by an earlier block, taken from the memo as this one was queued
    keeps: set[str]  # its new blobs whose metrics finishing it adds to the memo
    measuring: _Measuring


class _Walk:
    """The state of `measure`'s walk: the history so far, the memo of measured blobs and the pools."""

    def __init__(self, study: set[str], read_blob: Callable[[str], bytes | None], ai_config: ProvenanceConfig,
                 workers: int, chunks: ChunkConfig = DEFAULT_CHUNKS, renames: Renames | None = None) -> None:
        self.study, self.ai_config, self.workers, self.chunks = study, ai_config, workers, chunks
        self.renames = renames
        self.past = _PastIndex(chunks)
        self.out: list[Measured] = []
        self.memo: dict[str, FileMetrics] = {}
        self.pending: set[str] = set()  # the block in flight's `keeps`: in the memo once it is finished
        self.last: dict[str, FileMetrics] = {}  # what the block finished last measured or read
        self.pool = new_pool(workers)
        self.stop = threading.Event()
        self.threads: list[_Measuring] = []
        self.read_blob = BlobCache(read_blob)
        self.tests = InFileTests(self.read_blob)
        self.shown: dict[str, tuple[int, int, dict[str, int]]] = {}  # a studied commit's blob figures, by commit

    def read_figures(self, commit: LogCommit) -> None:
        self.shown[commit.sha] = (code_bytes_before(commit, self.read_blob), added_code_indent(commit, self.read_blob),
                                  inline_test_lines(commit, self.tests))

    def paired(self, commit: LogCommit) -> LogCommit:
        """The commit with its renames paired (`with_renames`), where it may have any."""
        if self.renames is None or not may_rename(commit):
            return commit
        return with_renames(commit, self.renames(commit))

    def queue(self, block: list[LogCommit]) -> _Queued:
        """Read the block's studied commits' blobs and start measuring what no earlier block measured."""
        paired = {c.sha: self.paired(c) for c in block if c.sha in self.study}
        hand = {sha: by_hand(c, self.chunks, self.read_blob) for sha, c in paired.items()}
        pairs, items, cut, known = _queue_block(list(hand.values()), self.read_blob, self.memo, self.pending,
                                                self.read_figures)
        keeps = {new for _, _, _, new in pairs if new in items or new in known or new in self.pending}
        measuring = _Measuring(items, cut, self.workers, self.pool, self.stop.is_set)
        self.threads = [t for t in self.threads if t.thread.is_alive()] + [measuring]
        queued = _Queued(block, hand, {sha: list(c.files) for sha, c in paired.items()}, pairs, cut, known, keeps,
                         measuring)
        self.pending = keeps
        return queued

    def finish(self, queued: _Queued) -> None:
        """The block's complexity added, then each of its commits' factors from the commits before it."""
        measured = queued.measuring.result()
        metrics = {**self.memo, **self.last, **queued.known, **measured}
        added = _block_added(queued.pairs, queued.cut, metrics, self.tests)
        self.memo.update((new, metrics[new]) for _, _, _, new in queued.pairs if new in metrics)
        for stale in list(self.memo)[:max(0, len(self.memo) - MEMO_BLOBS)]:
            del self.memo[stale]
        self.last = {new: metrics[new] for _, _, _, new in queued.pairs if new in metrics}
        for commit in queued.block:
            if commit.sha in self.study:
                ai = ai_tool(commit.info, self.ai_config)
                hand = queued.hand[commit.sha]
                inputs = commit_inputs(hand, self.past.before(commit), added.get(commit.sha, 0), ai,
                                       *self.shown.pop(commit.sha), chunks=self.chunks,
                                       touched=queued.touched[commit.sha])
                # code-touching as the analysis reads it: a file whose changed lines are all its own tests is not
                self.out.append(Measured(commit.sha, commit.info.commit_time, likelihood_features(inputs),
                                         lines_read(hand), bool(code_lines(inputs)), ai))
            self.past.add(commit)

    def close(self, finished: bool) -> None:
        """Interrupted (not `finished`): the workers' last batches finish in the background, and the measuring
        threads, which look every 0.2 s, have stopped when this returns (nothing more is measured here): left to
        the interpreter's exit, they were joined there while the pool's manager thread closed, and
        concurrent.futures' exit hook wrote to its closed pipe ("Exception ignored ... Bad file descriptor")."""
        if not finished:
            self.stop.set()
        if self.pool is not None:
            self.pool.shutdown(wait=finished, cancel_futures=True)
        for measuring in self.threads:
            measuring.thread.join()


class BlobCache:
    """`read_blob` remembering the blobs read last, up to LIMIT bytes (least recently used out first): each
    studied commit's blobs were read three times over (its complexity, its code's size, its indentation), 28% of
    the main thread's time on cline (stop 51)."""

    LIMIT = 32 << 20
    LARGEST = 4 << 20  # a larger blob is read each time rather than crowd out the others

    def __init__(self, read_blob: Callable[[str], bytes | None]) -> None:
        self.read_blob = read_blob
        self.blobs: OrderedDict[str, bytes | None] = OrderedDict()
        self.size = 0

    def __call__(self, blob: str) -> bytes | None:
        if blob in self.blobs:
            self.blobs.move_to_end(blob)
            return self.blobs[blob]
        data = self.read_blob(blob)
        length = len(data or b"")
        if length <= self.LARGEST:
            self.blobs[blob] = data
            self.size += length
            while self.size > self.LIMIT:
                _old, dropped = self.blobs.popitem(last=False)
                self.size -= len(dropped or b"")
        return data


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

_Pair = tuple[str, bytes, bytes]  # (path, old content, new content) of a large Python file


def _complexity_added(commits: Sequence[LogCommit], read_blob: Callable[[str], bytes | None],
                      workers: int, memo: dict[str, FileMetrics],
                      pool: ProcessPoolExecutor | None = None, tests: InFileTests | None = None) -> dict[str, int]:
    """Cyclomatic complexity each commit adds (tests, the tests inside a source file too, and unmeasured
    languages left out), by commit, in one go (`measure` does the same a block at a time, overlapped).
    `memo` holds blobs measured before (updated here, bounded). A large Python file is measured on
    the top-level blocks that differ between its two versions only (`reduced_pair`, cut in the
    workers: `_measure_pairs`)."""
    pairs, items, cut, known = _queue_block(commits, read_blob, memo, set(), None)
    metrics = {**memo, **known, **_measure_block(items, cut, workers, pool, lambda: False)}
    memo.update((new, metrics[new]) for _, _, _, new in pairs if new in metrics)
    for stale in list(memo)[:max(0, len(memo) - MEMO_BLOBS)]:
        del memo[stale]
    return _block_added(pairs, cut, metrics, tests)


def _queue_block(commits: Sequence[LogCommit], read_blob: Callable[[str], bytes | None],
                 memo: dict[str, FileMetrics], pending: set[str], each: Callable[[LogCommit], None] | None,
                 ) -> tuple[list[tuple[str, str, str | None, str]], dict[str, tuple[str, bytes | str]],
                            dict[tuple[str, str], _Pair], dict[str, FileMetrics]]:
    """What the commits' file changes need measured: (the changes, by commit, path, old and new blob; the whole
    versions to measure, by blob; the large Python changes to measure cut; the memo's figures they read).
    A blob in `memo`, or in `pending` (measured by the block in flight), is not measured again.
    `each` is called with each commit before its files are queued."""
    pairs: list[tuple[str, str, str | None, str]] = []
    items: dict[str, tuple[str, bytes | str]] = {}
    cut: dict[tuple[str, str], _Pair] = {}  # (old, new) -> a large Python file's two versions
    known: dict[str, FileMetrics] = {}
    for commit in commits:
        if each is not None:
            each(commit)
        for path, (old, new) in commit.blobs.items():
            if language_of(path) is None or is_test_path(path) or new == NULL_BLOB:
                continue
            if _queue(path, old, new, read_blob, memo, pending, items, cut):
                pairs.append((commit.sha, path, None if old == NULL_BLOB else old, new))
                known.update((b, memo[b]) for b in (old, new) if b in memo)
    return pairs, items, cut, known


def _measure_block(items: dict[str, tuple[str, bytes | str]], cut: dict[tuple[str, str], _Pair], workers: int,
                   pool: ProcessPoolExecutor | None, should_stop: Callable[[], bool]) -> dict[str, FileMetrics]:
    """The metrics of a block's queued versions, by blob, and of its cut large Python changes, by
    "old:new:old" and "old:new:new". The cuts are submitted first and the whole files measured meanwhile,
    in the same pool. Stopped (`should_stop`): whatever is done."""
    cut_done = _submit_pairs(list(cut.items()), workers, pool, should_stop)
    todo = [(key, path, data) for key, (path, data) in items.items()]
    metrics: dict[str, FileMetrics] = (analyze_many(todo, workers, maintainability=False, executor=pool,
                                                    should_stop=should_stop) if todo else {})
    for (old_blob, new_blob), (old_metrics, new_metrics) in cut_done().items():
        metrics[f"{old_blob}:{new_blob}:old"], metrics[f"{old_blob}:{new_blob}:new"] = old_metrics, new_metrics
    return metrics


def _block_added(pairs: list[tuple[str, str, str | None, str]], cut: dict[tuple[str, str], _Pair],
                 metrics: dict[str, FileMetrics], tests: InFileTests | None) -> dict[str, int]:
    """The complexity each commit of a block adds, from the metrics of its files' versions."""
    found: dict[str, dict[str, FileComplexity]] = defaultdict(dict)
    for sha, path, before, after in pairs:
        old_key, new_key = before, after
        if (before or "", after) in cut:
            old_key, new_key = f"{before}:{after}:old", f"{before}:{after}:new"
        if new_key in metrics and (old_key is None or old_key in metrics):
            found[sha][path] = compare(path, metrics.get(old_key or ""), metrics[new_key],
                                       test_regions=tests.regions(path, after) if tests is not None else ())
    added: dict[str, int] = {}
    for sha, files in found.items():
        # a function moved to another file of the commit is not new, as the analysis counts it (by its body digest
        # here: the analysis also matches an edited one by its text); deleted files are not compared, so a function
        # moved out of a file deleted whole still counts
        credit_moves(files)
        # of the code, not the tests inside its file, as the analysis counts a change's complexity_added
        added[sha] = sum(c.complexity_added - c.test_complexity_added for c in files.values())
    return added


REDUCE_BYTES = 16_000  # Python files larger than this are measured on their changed top-level blocks


def _queue(path: str, old: str, new: str, read_blob: Callable[[str], bytes | None],
           memo: dict[str, FileMetrics], pending: set[str], items: dict[str, tuple[str, bytes | str]],
           cut: dict[tuple[str, str], _Pair]) -> bool:
    """Queue what one file change needs measured: a large Python file's two versions into `cut`,
    any other version not measured before into `items`. False when a side is too large or
    unreadable (no figure rather than a wrong one)."""
    python = analyzer_for(path) == ANALYZER_RADON
    if python and (old, new) in cut:
        return True
    wanted = [b for b in (old, new) if b != NULL_BLOB and (python or (b not in memo and b not in pending))]
    data = {b: read_blob(b) for b in wanted}
    if any(d is None or len(d) > MAX_BLOB_BYTES for d in data.values()):
        return False
    if (python and old != NULL_BLOB and old in data and new in data
            and len(data[old] or b"") + len(data[new] or b"") > REDUCE_BYTES):
        cut[(old, new)] = (path, data[old] or b"", data[new] or b"")
        return True
    for blob, content in data.items():
        if blob not in memo and blob not in pending:
            items[blob] = (path, content or b"")
    return True


_Measured = dict[tuple[str, str], tuple[FileMetrics, FileMetrics]]  # (old, new) -> their metrics


def _submit_pairs(pairs: list[tuple[tuple[str, str], _Pair]], workers: int,
                  pool: ProcessPoolExecutor | None,
                  should_stop: Callable[[], bool] = lambda: False) -> Callable[[], _Measured]:
    """Start measuring the large Python file changes (in `pool`, else here when collected); returns
    the function that collects the (old, new) metrics of each, keyed by its two blobs."""
    if pool is None or not pairs:
        return lambda: dict(_measure_pairs(pairs))
    count = max(1, min(len(pairs), workers * 4))
    batches: list[list[tuple[tuple[str, str], _Pair]]] = [pairs[i::count] for i in range(count)]
    futures = [pool.submit(_measure_pairs, batch) for batch in batches]

    def collect() -> _Measured:
        from concurrent.futures import wait

        try:
            while wait(futures, timeout=0.2).not_done:  # a stop is seen within 0.2 s
                if should_stop():
                    return {}
            return {key: found for future in futures for key, found in future.result()}
        except Exception:  # the pool broke: measured here (stopped: nothing more)
            return {} if should_stop() else dict(_measure_pairs(pairs))
    return collect


def _measure_pairs(pairs: list[tuple[tuple[str, str], _Pair]],
                   ) -> list[tuple[tuple[str, str], tuple[FileMetrics, FileMetrics]]]:
    """Each large Python file change measured on its changed top-level blocks (`reduced_pair`), or
    on the whole files where the cut does not parse (inside a multi-line string, say): never
    through the slow fallback reader for unparseable Python (35 s of a 76 s ansible run)."""
    out = []
    for key, (path, old_data, new_data) in pairs:
        before, after = reduced_pair(decode_text(old_data), decode_text(new_data))
        old_metrics, new_metrics = python_by_radon(before), python_by_radon(after)
        if (old_metrics is None or new_metrics is None or old_metrics.error or new_metrics.error
                or old_metrics.fallback or new_metrics.fallback):
            old_metrics = analyze_source(path, old_data, maintainability=False)
            new_metrics = analyze_source(path, new_data, maintainability=False)
        out.append((key, (old_metrics, new_metrics)))
    return out


_TOP_LEVEL = re.compile(r"(?:@|def |async def |class )")
_DEFINITION = re.compile(r"(?:def |async def |class )")
_MEMBER = re.compile(r"([ \t]+)(?:@|def |async def )")
_MEMBER_DEFINITION = re.compile(r"[ \t]+(?:def |async def )")


def _cut(lines: list[str], boundary: re.Pattern[str], definition: re.Pattern[str]) -> list[str]:
    """Lines cut before each line `boundary` matches, decorators kept with the definition they decorate."""
    blocks: list[str] = []
    current: list[str] = []
    decorating = False  # the current block is decorators still waiting for their def/class
    for line in lines:
        if boundary.match(line):
            if not decorating and current:
                blocks.append("".join(current))
                current = []
            decorating = line.lstrip().startswith("@") or (decorating and not definition.match(line))
        current.append(line)
    if current:
        blocks.append("".join(current))
    return blocks


_STATEMENT = re.compile(r"[A-Za-z_]")


def top_level_units(text: str) -> list[tuple[str, str]]:
    """A Python module as (class header, member) units: the prelude and each top-level function is
    one unit with an empty header; a class is its header (up to its first method) and one unit per
    method (with its decorators and whatever follows it up to the next one); top-level statements
    after a class are a unit of their own."""
    units: list[tuple[str, str]] = []
    for block in _cut(text.splitlines(keepends=True), _TOP_LEVEL, _DEFINITION):
        lines = block.splitlines(keepends=True)
        head = next((i for i, line in enumerate(lines) if _DEFINITION.match(line)), None)
        if head is None or not lines[head].startswith("class "):
            units.append(("", block))
            continue
        end = next((i for i in range(head + 1, len(lines)) if _STATEMENT.match(lines[i])), len(lines))
        first = next((i for i in range(head + 1, end) if _MEMBER.match(lines[i])), end)
        header = "".join(lines[:first])
        indent = _MEMBER.match(lines[first]).group(1) if first < end else ""  # type: ignore[union-attr]
        members = _cut(lines[first:end], re.compile(re.escape(indent) + r"(?:@|def |async def )"),
                       re.compile(re.escape(indent) + r"(?:def |async def )")) if first < end else []
        units += [(header, member) for member in members] or [(header, "")]
        if end < len(lines):
            units.append(("", "".join(lines[end:])))
    return units


def reduced_pair(old: str, new: str) -> tuple[str, str]:
    """Both versions without the units (top-level functions, methods; see top_level_units) they share
    unchanged. Functions are matched by qualified name and a function's complexity depends on its
    own body only, so the complexity added is the same as measured on the whole files, at a cost
    that follows the size of the change rather than of the file."""
    old_units, new_units = top_level_units(old), top_level_units(new)

    def key(unit: tuple[str, str]) -> tuple[str, str]:
        return unit[0].split("\n", 1)[0], unit[1]  # a method is the same under an edited class docstring

    shared = Counter(map(key, old_units)) & Counter(map(key, new_units))
    # Same-named definitions are numbered in order ("f", "f#2"): keep every one of a name that changed.
    changed = {_unit_name(u) for units in (old_units, new_units) for u in _unshared(units, shared, key)}

    def keep(units: list[tuple[str, str]]) -> str:
        groups: list[tuple[str, list[str]]] = []
        for unit in units:
            if _unit_name(unit) not in changed:
                continue
            if not unit[0] or not groups or groups[-1][0] != unit[0]:
                groups.append((unit[0], []))
            groups[-1][1].append(unit[1])
        return "".join(_group_text(header, members) for header, members in groups)

    return keep(old_units), keep(new_units)


_NAME = re.compile(r"^[ \t]*(?:async[ \t]+def|def|class)[ \t]+(\w+)", re.M)


def _unit_name(unit: tuple[str, str]) -> tuple[str, str]:
    found = _NAME.search(unit[1])
    return unit[0].split("\n", 1)[0], found.group(1) if found else ""


def _unshared(units: list[tuple[str, str]], shared: Counter[tuple[str, str]],
              key: Callable[[tuple[str, str]], tuple[str, str]]) -> list[tuple[str, str]]:
    left = Counter(shared)
    out = []
    for unit in units:
        if left[key(unit)] > 0:
            left[key(unit)] -= 1
        else:
            out.append(unit)
    return out


def _group_text(header: str, members: list[str]) -> str:
    """Members under their class header, the class ended by a `pass` (its header may have no body here)."""
    if not header:
        return "".join(members)
    text = header + "".join(members)
    found = _MEMBER.match(members[0]) if members and members[0] else None
    second = header.splitlines()[1:2]
    indent = found.group(1) if found else (re.match(r"[ \t]+", second[0]) if second else None)
    pad = indent if isinstance(indent, str) else (indent.group(0) if indent else "    ")
    return text + ("" if text.endswith("\n") else "\n") + pad + "pass\n"
