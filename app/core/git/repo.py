"""All git access: the one module that imports pygit2. Returns plain domain objects.

Nothing here shells out to git. Errors a user can cause (not a repository, unknown ref)
become RepoError with a one-line message.
"""

from __future__ import annotations

import os
import re
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import pygit2
from pygit2.enums import DeltaStatus, DiffFind, DiffOption, FileMode, FileStatus, SortMode

from app.core.git.ancestry import BaseHistory
from app.core.git.cli import GitCli, common_dir
from app.core.git.diff import DiffLine, DiffLines, FileDiff, Hunk, decode_path, decode_text
from app.core.git.models import CommitInfo, ref_for_git, ref_text
from app.core.git.refstore import ref_store_children, ref_store_digest, ref_store_names
from app.core.heap import give_back_heap, one_malloc_arena
from app.core.text import visible_path
from app.errors import RepoError

_STATUS_NAMES = {
    DeltaStatus.ADDED: "added",
    DeltaStatus.DELETED: "deleted",
    DeltaStatus.MODIFIED: "modified",
    DeltaStatus.RENAMED: "renamed",
    DeltaStatus.COPIED: "copied",
    DeltaStatus.TYPECHANGE: "typechange",
    DeltaStatus.UNTRACKED: "added",
}

# Files above this size are summarised (counted, not diffed line by line) so that one huge blob
# cannot exhaust memory or stall the UI.
MAX_DIFF_BLOB_BYTES = 20 * 1024 * 1024
RENAME_LIMIT = 1000
"""git's diff.renameLimit default: inexact renames are looked for only while the unpaired deleted x added files
are at most its square, after the exact renames (same blob) are paired, which has no limit. libgit2 compares each
added file with the first `rename_limit` deleted ones in path order only: saleor's pr/19407 (1,063 moved files
among 4,612 deleted) paired 484 of them in 13.8 s, git all of them in 1.4 s."""
BASENAME_SCORE = 75  # git's min_basename_score: halfway from the rename threshold (50%) to identical
MAX_TREE_DEPTH = 64  # files_named looks no deeper (a repository's tree is untrusted: no recursion limit to hit)

T = TypeVar("T")

# Bounded memory on big repositories (issue 18): libgit2 maps pack files in windows and caches parsed
# objects, by default up to 8 GiB of windows and 256 MiB of objects, all counted in the process's RSS.
# A cold `list --range` of 519 ansible commits held 156 MB of mapped pack and 190 MB of heap; with
# these bounds 62 MB and 164 MB; its peak RSS 416 -> 372 MB, no slower (52 s against 58-64 s).
# The limit holds only with windows smaller than a pack: by default one window (up to 1 GiB) mapped a
# whole 466 MB ansible pack, and every page the analysis touched stayed resident (RssFile 157 MB).
PACK_WINDOW_BYTES = 8 * 1024 * 1024
PACK_WINDOWS_BYTES = 32 * 1024 * 1024
OBJECT_CACHE_BYTES = 16 * 1024 * 1024
pygit2.settings.mwindow_size = PACK_WINDOW_BYTES
pygit2.settings.mwindow_mapped_limit = PACK_WINDOWS_BYTES
pygit2.settings.cache_max_size(OBJECT_CACHE_BYTES)


one_malloc_arena()


# The working files diff_worktree gave a content id, by that id: the file is read again when the id is
# asked for, and serves only while it still holds that content. Process-wide, as the analysis reads
# through a repository object per thread.
_WORKING_FILES: dict[str, Path] = {}


def _working_file(content_id: str) -> bytes | None:
    """The content of the working file that had `content_id`, if it still has it."""
    path = _WORKING_FILES.get(content_id)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if str(pygit2.hash(data)) == content_id else None


def walk_in_worker(path: str | os.PathLike[str], walk: Callable[[GitRepo], T],
                   should_stop: Callable[[], bool] | None = None) -> T:
    """`walk(GitRepo(path))` in a worker process of the shared pool, whose other tasks never read git:
    with libgit2's object cache off (a walk of the history reads each commit once: the cache only
    held 30 MB more at its peak), and with the memory given back when it ends (the worker lives on,
    measuring; it kept 50 MB more after a walk of ansible's history otherwise: the pack index stays
    mapped until the repository is freed, the heap until it is trimmed). `should_stop`: the walk's
    GitRepo.stop_check (the parent is exiting, and would wait for the walk to end)."""
    pygit2.settings.enable_caching(False)
    try:
        repo = GitRepo(path)
        repo.stop_check = should_stop
        try:
            return walk(repo)
        finally:
            repo.repo.free()
            del repo  # unmaps the pack index
    finally:
        give_back_heap()

_INDEX_DIRTY = (
    FileStatus.INDEX_NEW | FileStatus.INDEX_MODIFIED | FileStatus.INDEX_DELETED | FileStatus.INDEX_RENAMED
    | FileStatus.INDEX_TYPECHANGE | FileStatus.CONFLICTED
)
_WORKTREE_DIRTY = (
    FileStatus.INDEX_NEW | FileStatus.INDEX_MODIFIED | FileStatus.INDEX_DELETED | FileStatus.INDEX_RENAMED
    | FileStatus.INDEX_TYPECHANGE | FileStatus.WT_MODIFIED | FileStatus.WT_DELETED | FileStatus.WT_TYPECHANGE
    | FileStatus.WT_RENAMED | FileStatus.CONFLICTED  # a merge or rebase stopped on a conflict, nothing else staged
)


UNDONE_KIND = "lines_undone.1"  # GitRepo.lines_undone's answers in discovery's cache (bump when they change)
_VALID_ID = 1 << 3  # GIT_DIFF_FLAG_VALID_ID: the side's object id is known


def is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class DiffStopped(Exception):
    """A diff was asked to stop on the way (GitRepo.diff's should_stop): not an error, so not a RepoError."""


class WalkStopped(Exception):
    """A walk of the history stopped on the way (GitRepo.stop_check): not an error, so not a RepoError."""


STOP_CHECK_EVERY = 1024  # commits walked between two calls of GitRepo.stop_check


@dataclass
class NotesRead:
    """What GitRepo.notes_at found: the notes it read, and what it could not read, one line each."""

    notes: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unread: set[str] = field(default_factory=set)
    """Annotated ids whose note exists but was not read (too large, missing, not a blob): a writer
    must not replace such a note, it would drop what it could not see."""


@dataclass(frozen=True, slots=True)
class RefInfo:
    name: str  # full ref name
    target: str  # commit id


HISTORY_BY_GIT_MIN = 16
OLD_RUN = 1_000
"""The first-parent line is read back until this many commits in a row are older than the history's start
(GitRepo.history): a clock set back for a while inside the window does not end the walk, and the rest of a long
line (ansible: 45,000 commits before its 730-day window's 1,500) is not read."""
MERGE_AUTHORS_READ = 500  # commits of a merged branch read for its authors (GitRepo.work_authors)
"""A history of at least this many commits has its paths from the git command line (GitCli.touched_paths):
a shorter one is diffed here, without starting a process."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One commit of the base's first-parent line with the paths it touched against its first parent (for
    hotspot figures): one piece of work each, whether the project merges, squashes or commits on the line."""

    id: str
    author_email: str
    time: int
    paths: tuple[str, ...]
    co_authors: tuple[str, ...] = ()
    """A merge's other authors: `authors` are those of the commits it brought in (GitRepo.work_authors)."""

    @property
    def authors(self) -> tuple[str, ...]:
        return (self.author_email, *self.co_authors)


def _decode_message(commit: pygit2.Commit) -> str:
    raw = commit.raw_message
    encoding = commit.message_encoding or "utf-8"
    try:
        return raw.decode(encoding, errors="replace")
    except LookupError:  # an unknown encoding header is data, not a crash
        return raw.decode("utf-8", errors="replace")


def _sig_text(sig: pygit2.Signature, field: str, encoding: str | None = None) -> str:
    """A signature's name or email from its raw bytes, in the commit's `encoding` header as git reads them
    (a latin-1 commit's `José` read as `Jos�`). Never touches the decoded attribute: an unknown encoding
    raises LookupError there."""
    raw: bytes | None = getattr(sig, f"raw_{field}")
    if raw is None:
        return ""
    try:
        return raw.decode(encoding or "utf-8", errors="replace")
    except LookupError:  # an unknown encoding header is data, not a crash
        return raw.decode("utf-8", errors="replace")


def _fill_hunks(fd: FileDiff, patch: pygit2.Patch) -> None:
    """Copy a libgit2 patch's hunks into `fd`, counting its added and deleted lines. Each hunk's lines are held
    compactly (DiffLines: read straight into one buffer, no object a line) where git numbers them as counted from
    the hunk's starts, as it does; else as a list of DiffLine."""
    for hunk in patch.hunks:
        origins: list[str] = []
        data = bytearray()
        ends = array("I")
        lossy: dict[int, tuple[str, bytes]] = {}
        old, new = hunk.old_start, hunk.new_start  # the numbers git gives each line, counted
        counted = True
        for line in hunk.lines:
            origin = line.origin
            if origin not in ("+", "-", " "):
                continue  # "\ No newline at end of file" markers and file headers
            raw = line.raw_content
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if is_utf8(raw):
                data += raw
            else:  # shown as \xNN, as paths are: two different bytes must not both read "\ufffd"
                lossy[len(origins)] = (raw.decode("utf-8", errors="backslashreplace"), bytes(raw))
            origins.append(origin)
            ends.append(len(data))
            counted = counted and _numbered(line, old if origin != "+" else -1, new if origin != "-" else -1)
            old += origin != "+"
            new += origin != "-"
        joined = "".join(origins)
        fd.additions += joined.count("+")
        fd.deletions += joined.count("-")
        lines: Sequence[DiffLine] = DiffLines(hunk.old_start, hunk.new_start, joined, bytes(data), ends, lossy)
        if not counted:  # git numbered a line otherwise: kept as it gave them
            lines = [DiffLine(line.origin, line.old_lineno if line.old_lineno > 0 else None,
                              line.new_lineno if line.new_lineno > 0 else None, shown.text, shown.raw)
                     for line, shown in zip((ln for ln in hunk.lines if ln.origin in ("+", "-", " ")), lines,
                                            strict=True)]
        fd.hunks.append(Hunk(hunk.old_start, hunk.old_lines, hunk.new_start, hunk.new_lines,
                             decode_text(hunk.header.encode("utf-8", "replace")).split("@@")[-1].strip(), lines))


def _numbered(line: pygit2.DiffLine, old: int, new: int) -> bool:
    """Whether git gave the line these old and new numbers (-1: none on that side)."""
    return line.old_lineno == old and line.new_lineno == new


def new_side_runs(old: bytes, new: bytes) -> list[list[tuple[bool, str]]]:
    """Each hunk's new side of libgit2's line diff of `old` to `new` with the analyzer's three lines of context, in
    order: (added?, text); none when either side is binary: the indentation factor reads where brackets opened, from the
    same hunks the analyzer reads (calibration/factors.py added_code_indent)."""
    patch = pygit2.Patch.create_from(old, new, context_lines=3)
    if patch.delta.is_binary:
        return []
    return [[(line.origin == "+", decode_text(line.raw_content).rstrip("\r\n")) for line in hunk.lines
             if line.origin in ("+", " ")] for hunk in patch.hunks]


def changed_lines(old: bytes, new: bytes) -> list[tuple[str, int, int]]:
    """(origin "+" or "-", old line number, new line number; -1 on the side a line is not on) of each line `new`
    adds to or deletes from `old`, by libgit2's line diff as added_lines; none when either side is binary."""
    patch = pygit2.Patch.create_from(old, new, context_lines=0)
    if patch.delta.is_binary:
        return []
    return [(line.origin, line.old_lineno, line.new_lineno) for hunk in patch.hunks for line in hunk.lines
            if line.origin in "+-"]


def _find_renames(diff: pygit2.Diff) -> bool:
    """Pair renamed files as git does (RENAME_LIMIT): libgit2 looks at every deleted file for each added one
    while there are at most RENAME_LIMIT squared pairs; past that it pairs identical files only, and returns
    True: the caller looks for inexact renames among the rest (GitRepo._pair_rest)."""
    statuses = [delta.status for delta in diff.deltas]
    sources = statuses.count(DeltaStatus.DELETED) + statuses.count(DeltaStatus.TYPECHANGE)
    targets = statuses.count(DeltaStatus.ADDED)
    if sources * targets <= RENAME_LIMIT ** 2:
        diff.find_similar(DiffFind.FIND_RENAMES, rename_limit=max(sources, 1))
        return False
    diff.find_similar(DiffFind.FIND_RENAMES | DiffFind.FIND_EXACT_MATCH_ONLY, rename_limit=sources)
    return True


def _try_find_renames(diff: pygit2.Diff) -> bool:
    """_find_renames, or False where a blob is missing (damaged or partial clone): the files without pairing."""
    try:
        return _find_renames(diff)
    except pygit2.GitError:
        return False


_PAIRED = frozenset({DeltaStatus.RENAMED, DeltaStatus.COPIED})


def _listed(delta: pygit2.DiffDelta) -> bool:
    return delta.status != DeltaStatus.UNMODIFIED


def _is_paired(delta: pygit2.DiffDelta) -> bool:
    return delta.status in _PAIRED


def _side_path(delta: pygit2.DiffDelta) -> str:
    """The path of a deleted file's old side, else of the new side."""
    return decode_path(delta.old_file.raw_path if delta.status == DeltaStatus.DELETED else delta.new_file.raw_path)


def _unpaired(diff: pygit2.Diff, odb: pygit2.Odb) -> list[FileDiff]:
    """The deleted and added files of a diff, their ids and modes only (no line read): rename candidates. One whose
    blob is missing (partial or damaged clone) is none: libgit2 would give up on every pair."""
    out = []
    for delta in diff.deltas:
        old, new = delta.old_file, delta.new_file
        if delta.status == DeltaStatus.DELETED and old.mode != FileMode.COMMIT and str(old.id) in odb:
            out.append(FileDiff("deleted", decode_path(old.raw_path), None, old_blob=str(old.id), old_mode=old.mode))
        elif delta.status == DeltaStatus.ADDED and new.mode != FileMode.COMMIT and str(new.id) in odb:
            out.append(FileDiff("added", None, decode_path(new.raw_path), new_blob=str(new.id), new_mode=new.mode))
    return out


def _by_unique_basename(paths: Iterable[str]) -> dict[str, str]:
    """basename -> path, for the basenames only one of these paths has."""
    seen: dict[str, str | None] = {}
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        seen[name] = None if name in seen else path
    return {name: path for name, path in seen.items() if path is not None}


def _missing_tree(exc: Exception, fetch: str) -> str:
    """libgit2's "Unable to read tree <id>" in the words the missing-blob case uses; `fetch` is the git
    command that fetches what is missing in a partial clone."""
    words = str(exc).split()
    if len(words) == 5 and " ".join(words[:4]).lower() == "unable to read tree":
        return (f"tree {words[4][:10]} is not in this clone (a partial or damaged clone; in a partial clone "
                f"`{fetch}` fetches it)")
    return str(exc)


def _tree_entry(tree: pygit2.Tree, path: str) -> tuple[str, int] | None:
    """(object id, mode) of `path` in `tree`, None when absent."""
    try:
        entry = tree[path]
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return str(entry.id), int(entry.filemode)


_PLAIN_PATH = re.compile(r"[A-Za-z0-9._/@+=,-]+")  # a path libgit2 prints and parses back as it is
_PLAIN_MODES = (0o100644, 0o100755)
_NO_ID = "0" * 40


def _file_header(path: str, before: tuple[str, int] | None, after: tuple[str, int] | None) -> str:
    """The header libgit2 prints for one file of a tree diff (what its patch id reads of it: paths and modes)."""
    head = f"diff --git a/{path} b/{path}\n"
    if before is None and after is not None:
        return head + f"new file mode {after[1]:o}\nindex {_NO_ID}..{after[0]}\n"
    if after is None and before is not None:
        return head + f"deleted file mode {before[1]:o}\nindex {before[0]}..{_NO_ID}\n"
    assert before is not None and after is not None
    if before[1] != after[1]:
        return head + f"old mode {before[1]:o}\nnew mode {after[1]:o}\nindex {before[0]}..{after[0]}\n"
    return head + f"index {before[0]}..{after[0]} {after[1]:o}\n"


def _patch_of_blobs(repo: pygit2.Repository, old_id: str | None, new_id: str | None,
                    context_lines: int) -> pygit2.Patch | None:
    """A file libgit2 called binary although neither blob is (no NUL byte in its start, libgit2's own test): the
    text patch of its two blobs without a path, so that no attribute applies, or None. libgit2 reads `binary` and
    `-diff` from the checkout (the working tree's .gitattributes, then the index's), so a change's +/- depended on
    what was checked out when it was analysed (netbox marks project-static/dist/*.js binary: pr/23005 read +13/-73
    in a clone without a checkout, +6/-66 in one with it; 46 of 848 changes differed, QA56 F6), which no cache key
    sees. Read so, a change's figures are its two commits' alone, as in a bare clone."""
    try:
        blobs = [repo[blob_id].peel(pygit2.Blob) if blob_id else None for blob_id in (old_id, new_id)]
    except (KeyError, ValueError, pygit2.GitError):
        return None
    if any(blob is not None and blob.is_binary for blob in blobs):
        return None
    patch = pygit2.Patch.create_from(blobs[0], blobs[1], context_lines=context_lines)
    return None if patch.delta.is_binary else patch


def _join_typechanges(files: list[FileDiff]) -> list[FileDiff]:
    """Join each deletion and addition of one path (not always adjacent once renames are found)."""
    out: list[FileDiff] = []
    at: dict[str, int] = {}
    for fd in files:
        j = at.get(fd.path)
        if j is not None and {out[j].status, fd.status} == {"deleted", "added"}:
            gone, new = (out[j], fd) if out[j].status == "deleted" else (fd, out[j])
            out[j] = _typechange(gone, new)
            continue
        at[fd.path] = len(out)
        out.append(fd)
    return out


def _pair_moved_submodules(files: list[FileDiff]) -> list[FileDiff]:
    """A submodule moved to another path at the same commit, as one rename, as git's rename detection
    pairs it (`git diff --numstat`: 0 0). libgit2 finds renames by content, which a gitlink has none
    of here, so it reports a deletion and an addition (one line each)."""
    gone: dict[str, list[int]] = {}
    for index, fd in enumerate(files):
        if fd.status == "deleted" and fd.old_submodule:
            gone.setdefault(fd.old_submodule, []).append(index)
    if not gone:
        return files
    moved: dict[int, FileDiff] = {}
    dropped: set[int] = set()
    for index, fd in enumerate(files):
        candidates = gone.get(fd.new_submodule or "") if fd.status == "added" else None
        if candidates:
            at = candidates.pop(0)
            old = files[at]
            dropped.add(at)
            moved[index] = FileDiff("renamed", old.old_path, fd.new_path, similarity=100, old_mode=old.old_mode,
                                    new_mode=fd.new_mode, old_submodule=old.old_submodule,
                                    new_submodule=fd.new_submodule)
    return [moved.get(index, fd) for index, fd in enumerate(files) if index not in dropped]


def _typechange(gone: FileDiff, new: FileDiff) -> FileDiff:
    """One FileDiff for a path whose type changed (file -> symlink, submodule -> file ...).

    libgit2, like git, reports it as a deletion and an addition of the same path. Kept apart, the
    two would share one path in every per-path table (complexity, tiers, plans) and one would
    shadow the other; joined, the file reads like a full rewrite: every old line removed, every
    new line added, in one hunk.
    """
    fd = FileDiff("typechange", gone.old_path, new.new_path, gone.old_blob, new.new_blob,
                  binary=gone.binary or new.binary, old_size=gone.old_size, new_size=new.new_size,
                  old_mode=gone.old_mode, new_mode=new.new_mode, old_submodule=gone.old_submodule,
                  new_submodule=new.new_submodule)
    if fd.binary:
        return fd
    lines = [line for hunk in (*gone.hunks, *new.hunks) for line in hunk.lines]
    fd.deletions, fd.additions = gone.deletions, new.additions
    if lines:
        fd.hunks = [Hunk(1 if fd.deletions else 0, fd.deletions, 1 if fd.additions else 0, fd.additions, "",
                         lines)]
    return fd


_COMMIT_ID = re.compile(r"[0-9a-f]{40}")
"""A full commit id as the walk memo keys it (a ref name could move)."""

COMMITS_LISTED = 10_000  # commits_between lists at most this many: a list this long may be cut


class WalkMemo:
    """Answers of history walks, keyed by commit ids (so never stale): ancestry, merge-bases and the
    commits of a range. Discovery asks all three for every branch on every run; a warm run reads the
    answers from the analysis cache instead of walking history again. Only what was asked of it this
    run is written back (`to_dict`), so the entries of branches that have gone do not pile up."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        data = data or {}
        self._known: dict[str, Any] = dict(data.get("answers", {}))
        self.used: dict[str, Any] = {}
        self.added = False  # something new was learnt
        # whether the clone was shallow when this memo was first asked (GitRepo._memo): a discovery asks for
        # every head's walks, three of them (12,000 calls on rubygems.org's 4,990 pull request refs)
        self.shallow: bool | None = None
        self._earlier: _EarlierWalks | None = None

    @staticmethod
    def key(kind: str, *ids: str | int | None) -> str:
        return ":".join([kind, *(str(i) for i in ids)])

    def carry(self, earlier: str, data: dict[str, Any], base: str, new: Iterable[str]) -> None:
        """Answer the walks asked about `base` from those remembered about `earlier`, an earlier tip of its
        branch (the base before a fetch), where that is exact: `new` is every commit `base` has and `earlier`
        has not. A head that holds none of them has the same commits of its own, merge base and ancestry
        against either tip (saleor, 259 heads, the base one commit on: 5 s of walks again)."""
        self._earlier = _EarlierWalks(earlier, dict(data.get("answers", {})), base, frozenset(new))

    def get(self, key: str) -> Any:
        """The stored answer (JSON form) or None."""
        if key in self._known:
            self.used[key] = self._known[key]
            return self._known[key]
        if self._earlier is not None and (carried := self._earlier.answer(key)) is not None:
            self.put(key, carried)
            return carried
        return None

    def put(self, key: str, value: Any) -> None:
        self._known[key] = self.used[key] = value
        self.added = True

    @property
    def stale(self) -> bool:
        """Whether the stored form differs from what this run used (new answers, or gone branches)."""
        return self.added or len(self.used) != len(self._known)

    def to_dict(self) -> dict[str, Any]:
        return {"answers": self.used}


class _EarlierWalks:
    """The walk answers of an earlier tip of the base's branch, and what they say of the base now.

    Every answer stays true (its key names commits, not refs). With `new` the commits the base has and the
    earlier tip has not (their ancestries differ by exactly those): a head is an ancestor of the base if it was
    of the earlier tip or is one of them; a head whose own commits against the earlier tip (a whole list) hold
    none of them has the same own commits against the base, listed by the same walk of the same commits; and
    its merge base is the same where those commits sit on one commit alone (every best common ancestor is a
    parent of one of them: with several, which one libgit2 names is left to libgit2)."""

    def __init__(self, tip: str, answers: dict[str, Any], base: str, new: frozenset[str]) -> None:
        self.tip, self.answers, self.base, self.new = tip, answers, base, new

    def answer(self, key: str) -> Any:
        if key in self.answers:  # keyed by commit ids: true whatever the base (a release line's walks)
            return self.answers[key]
        kind, *ids = key.split(":")
        if kind == "ancestor" and len(ids) == 2 and ids[1] == self.base:
            was = self.answers.get(WalkMemo.key(kind, ids[0], self.tip))
            return None if was is None else bool(was) or ids[0] in self.new
        if kind == "between" and len(ids) == 3 and ids[0] == self.base:
            return self._own_commits(ids[1], ids[2])
        if kind == "merge-base" and len(ids) == 2 and ids[0] == self.base:
            own = self._own_commits(ids[1], str(COMMITS_LISTED))
            was = self.answers.get(WalkMemo.key(kind, self.tip, ids[1]))
            if own is None or not isinstance(was, list) or len(was) != 1:
                return None
            listed = {record[0] for record in own}
            under = {parent for record in own for parent in record[8] if parent not in listed}
            return was if under == set(was) else None
        return None

    def _own_commits(self, head: str, limit: str) -> list[Any] | None:
        """The head's commits against the earlier tip as remembered (records), where they are those against
        the base too: a whole list (shorter than its limit) holding none of the base's new commits."""
        was = self.answers.get(WalkMemo.key("between", self.tip, head, limit))
        if not isinstance(was, list) or not limit.isdigit() or len(was) >= int(limit):
            return None
        return None if any(record[0] in self.new for record in was) else was


def _commit_record(commit: CommitInfo) -> list[Any]:
    return [commit.id, commit.author_name, commit.author_email, commit.author_time, commit.committer_name,
            commit.committer_email, commit.commit_time, commit.message, list(commit.parents)]


def _commit_from_record(record: list[Any]) -> CommitInfo:
    cid, author, author_email, author_time, committer, committer_email, commit_time, message, parents = record
    return CommitInfo(str(cid), str(author), str(author_email), int(author_time), str(committer),
                      str(committer_email), int(commit_time), str(message), tuple(str(p) for p in parents))


class GitRepo:
    """A repository opened for analysis. Thread-compatible: pygit2 releases the GIL in libgit2 calls,
    but a GitRepo should be used from one thread at a time (open one per worker)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        target = Path(path).expanduser()
        if not target.exists():
            raise RepoError(f"{target}: no such file or directory")
        try:
            found = pygit2.discover_repository(str(target))
        except (pygit2.GitError, OSError) as exc:
            raise RepoError(f"{target}: cannot read repository ({exc})") from None
        if not found:
            raise RepoError(f"{target.resolve()}: not a git repository (run review-tui inside a clone, or pass "
                            "--repo PATH)")
        try:
            self.repo = pygit2.Repository(found)
        except pygit2.GitError as exc:
            raise RepoError(f"{target}: cannot open repository ({exc})") from None
        self.path = Path(self.repo.workdir or self.repo.path)
        self.walk_memo: WalkMemo | None = None  # set by the caller that can keep it (the analysis cache)
        self._lacking: dict[tuple[str, str], frozenset[str] | None] = {}  # (base, head) -> blobs_missing
        # Asked every STOP_CHECK_EVERY commits of a long walk (iter_commits, history): true makes the walk
        # raise WalkStopped. Set by walk_in_worker: a worker's walk is dropped when the parent exits.
        self.stop_check: Callable[[], bool] | None = None
        self._scratch_repo: pygit2.Repository | None = None
        # Paths whose diffs are counted, not read (FileDiff.counted_only): set by the analysis from its
        # configuration (the installed environments the plan collapses).
        self.count_only: Callable[[str], bool] | None = None
        # Paths a change's diff shows as binary (FileDiff.not_diffed): those the base's .gitattributes mark
        # `-diff` or `binary`, set by the analysis. The checkout's attributes never decide (_patch_of_blobs).
        self.not_diffed: Callable[[str], bool] | None = None
        # Given each file of a diff as soon as it is read (`diff`): the change screen's analysis lets a collapsed
        # file's lines go there (app/core/git/shed.py), so a big diff's vendored lines are never all held at once.
        self.on_read: Callable[[FileDiff], None] | None = None
        self._undone: dict[tuple[str, str], bool] = {}  # lines_undone's answers
        # where lines_undone keeps its answers between runs (discovery's cache: get_many/put_many), or None
        self.answers: Any = None
        self._named: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}  # (tree id, name) -> (path, blob id)

    # -- identity ---------------------------------------------------------------------------
    @property
    def is_bare(self) -> bool:
        return self.repo.is_bare

    @property
    def nothing_checked_out(self) -> bool:
        """Bare, or a working tree never checked out (`git clone --no-checkout`, a mirror without its config):
        HEAD then names the branch the repository was cloned at, not one someone is working on."""
        return self.repo.is_bare or not (self.git_dir / "index").exists()

    @property
    def is_empty(self) -> bool:
        """No commit at all. libgit2 says so only when HEAD is the unborn `master`: `git init -b main` read
        as not empty, and the error sent the user to --base."""
        if self.repo.is_empty:
            return True
        return self.repo.head_is_unborn and next(iter(self.repo.references), None) is None

    @property
    def is_shallow(self) -> bool:
        return self.repo.is_shallow

    @cached_property
    def is_partial_clone(self) -> bool:
        """Whether objects may be missing by design: a clone made with --filter (a promisor remote)."""
        try:
            return any((entry.name == "extensions.partialclone" and str(entry.value))
                       or (entry.name.startswith("remote.") and entry.name.endswith(".promisor")
                           and str(entry.value).strip().lower() in ("true", "1", "yes", "on"))
                       for entry in self.repo.config)
        except (pygit2.GitError, ValueError):
            return False

    def lacks_blobs(self, base: str, head: str) -> bool:
        """Whether a blob the diff base..head changes is not in the object database (trees only, no content
        read); True also when a tree cannot be read."""
        missing = self.blobs_missing(base, head)
        return missing is None or bool(missing)

    def blobs_missing(self, base: str, head: str) -> frozenset[str] | None:
        """The ids of the blobs the diff base..head changes that are not in the object database (trees only, no
        content read); None when a tree cannot be read."""
        key = (base, head)
        if key not in self._lacking:
            self._lacking[key] = self._blobs_missing(base, head)
        return self._lacking[key]

    def _blobs_missing(self, base: str, head: str) -> frozenset[str] | None:
        try:
            deltas = self.repo[base].peel(pygit2.Commit).tree.diff_to_tree(
                self.repo[head].peel(pygit2.Commit).tree).deltas
        except (KeyError, ValueError, pygit2.GitError):
            return None
        sides = (side for delta in deltas for side in (delta.old_file, delta.new_file))
        return frozenset(self.missing_objects(str(side.id) for side in sides
                                              if side.mode != FileMode.COMMIT and side.id.raw != bytes(20)))

    @cached_property
    def history_cut(self) -> bool:
        """Whether the history cannot be walked through: a shallow clone, or a partial clone filtered of its
        trees (`--filter=tree:0`), whose every older commit's diff is missing (it read as "no changes")."""
        if self.is_shallow:
            return True
        try:
            filters = [str(entry.value) for entry in self.repo.config
                       if entry.name.startswith("remote.") and entry.name.endswith(".partialclonefilter")]
        except (pygit2.GitError, ValueError):
            return False
        return any(value.strip().lower().startswith("tree:") for value in filters)

    @property
    def workdir(self) -> Path | None:
        return Path(self.repo.workdir) if self.repo.workdir else None

    @property
    def git_dir(self) -> Path:
        return Path(self.repo.path)

    def ref_digest(self) -> str | None:
        """A digest of every ref from the stat of the files holding them, reading no ref (refstore.py); None
        where it cannot vouch for them (a reftable store, a ref changed within the last RACY_SECONDS)."""
        import time

        git_dir = Path(self.repo.path)
        return ref_store_digest(git_dir, common_dir(git_dir), time.time())

    def user_config_value(self, name: str) -> str | None:
        """A setting from the user's global or system git config only (never the repository's own)."""
        for opener in (pygit2.Config.get_global_config, pygit2.Config.get_system_config):
            try:
                return str(opener()[name])
            except (KeyError, OSError, pygit2.GitError, ValueError):
                continue
        return None

    def user_config_values(self, name: str) -> list[str]:
        """Every value of a multi-valued setting in the user's global and system git config."""
        found: list[str] = []
        for opener in (pygit2.Config.get_system_config, pygit2.Config.get_global_config):
            try:
                found += [str(v) for v in opener().get_multivar(name)]
            except (KeyError, OSError, pygit2.GitError, ValueError):
                continue
        return found

    def config_value(self, name: str) -> str | None:
        try:
            return str(self.repo.config[name])
        except (KeyError, pygit2.GitError, ValueError):
            return None

    def set_local_config(self, name: str, value: str) -> None:
        """Set `name` in this repository's own config file (.git/config)."""
        try:
            pygit2.Config(str(Path(self.repo.path) / "config"))[name] = value
        except (OSError, pygit2.GitError) as exc:
            raise RepoError(f"{self.path}: cannot set {name}: {exc}") from None

    def head_ref(self) -> str | None:
        """The branch HEAD points at, or None when detached / unborn."""
        try:
            if self.repo.head_is_detached:
                return None
            return ref_text(self.repo.head.name)
        except pygit2.GitError:
            return None

    def head_commit(self) -> str | None:
        try:
            return str(self.repo.head.target)
        except pygit2.GitError:
            return None

    # -- refs -------------------------------------------------------------------------------
    def resolve_commit(self, spec: str) -> str:
        """A commit id for a branch name, full ref, remote branch, tag or (abbreviated) commit id."""
        if not spec:
            raise RepoError("empty revision")
        for candidate in (spec, f"refs/heads/{spec}", f"refs/remotes/{spec}", f"refs/tags/{spec}"):
            if self._ref_exists(candidate):
                try:
                    return str(self._lookup(candidate).peel(pygit2.Commit).id)
                except (pygit2.GitError, ValueError, KeyError):
                    problem = self.commit_problem(str(self._lookup(candidate).target))
                    raise RepoError(f"{spec!r} does not point at a readable commit"
                                    + (f" ({problem})" if problem else "")) from None
        if spec.startswith("-"):  # never let a name that looks like an option reach revparse
            raise RepoError(f"unknown revision {spec!r}")
        try:
            obj = self.repo.revparse_single(spec)
            return str(obj.peel(pygit2.Commit).id)
        except (KeyError, ValueError, UnicodeError, pygit2.GitError, pygit2.InvalidSpecError):
            raise RepoError(f"unknown revision {spec!r}") from None

    def has_ref(self, name: str) -> bool:
        """Whether the ref `name` (full name) exists, readable or not."""
        return self._ref_exists(name)

    def _lookup(self, name: str) -> pygit2.Reference:
        """The reference of a ref name in its text form (app.core.git.models.ref_text)."""
        return self.repo.lookup_reference(ref_for_git(name))

    def _ref_exists(self, name: str) -> bool:
        if not name.startswith("refs/"):
            return False
        try:
            self._lookup(name)
            return True
        except (KeyError, pygit2.InvalidSpecError, ValueError, UnicodeError):
            return False

    def symbolic_target(self, name: str) -> str | None:
        try:
            ref = self._lookup(name)
        except (KeyError, pygit2.InvalidSpecError, ValueError, UnicodeError):
            return None
        target = ref.target
        return ref_text(target) if isinstance(target, str) else None

    def configured_remotes(self) -> list[str]:
        """The remotes the repository's config names (a name may hold a slash: `fork/alice`)."""
        try:
            return [name for name in self.repo.remotes.names() if name]
        except (pygit2.GitError, ValueError):
            return []

    def ref_names(self, prefix: str) -> list[str]:
        """The names of the refs under `prefix` (a folder: `refs/notes/remotes/`), sorted. Read from the ref
        store's files where it can (refstore.py: packed-refs and the loose ref files under the prefix only), else
        from libgit2's listing of every ref, which opens every loose ref file."""
        git_dir = Path(self.repo.path)
        raw = ref_store_names(git_dir, common_dir(git_dir), prefix.encode("utf-8", "surrogateescape"))
        if raw is not None:
            return sorted(map(ref_text, raw))
        return sorted(name for name in map(ref_text, self.repo.references) if name.startswith(prefix))

    def ref_children(self, prefix: str) -> frozenset[str]:
        """The first name components under `prefix` that hold a ref one level or more below them: under
        `refs/remotes/`, the remotes with remote-tracking refs. From the ref store's files where it can (one loose
        ref file opened per child: not the 4,156 pull request refs of a fineract clone), else every ref's name."""
        git_dir = Path(self.repo.path)
        raw = ref_store_children(git_dir, common_dir(git_dir), prefix.encode("utf-8", "surrogateescape"))
        if raw is not None:
            return frozenset(ref_text(child) for child in raw)
        depth = prefix.count("/")
        return frozenset(name.split("/")[depth] for name in self.ref_names(prefix) if name.count("/") > depth)

    def refs(self, unreadable: list[tuple[str, str, str]] | None = None) -> list[RefInfo]:
        """Every ref that points (after peeling) at a commit, sorted by name. With `unreadable`, the refs left out
        because they cannot be read are added to it, as `unreadable_refs` gives them, from the same pass: a second
        pass looked up and peeled every ref again (a fifth of a cold discovery's ref reading on ansible's 60,713
        refs: 0.7 s of CPU; 77 ms on a fineract clone's 4,155)."""
        found: list[RefInfo] = []
        for name in self.repo.references:
            try:
                ref = self.repo.lookup_reference(name)
                if isinstance(ref.target, str):  # symbolic (e.g. origin/HEAD): listed via its target
                    continue
                commit = ref.peel(pygit2.Commit)
            except (pygit2.GitError, ValueError, KeyError):
                if unreadable is not None:  # a ref to a missing object (shallow, corrupt) or a non-commit
                    self._add_unreadable(name, unreadable)
                continue
            found.append(RefInfo(ref_text(name), str(commit.id)))
        if unreadable is not None:
            unreadable.sort()
        return sorted(found, key=lambda r: r.name)

    def unreadable_refs(self) -> list[tuple[str, str, str]]:
        """(name, target id, problem) for every direct ref that `refs` leaves out because its target
        is missing, is not a commit, or cannot be parsed (a malformed author line, say): such a
        branch is still pending work, and hiding it would be worse than saying it cannot be read."""
        found: list[tuple[str, str, str]] = []
        for name in self.repo.references:
            try:
                ref = self.repo.lookup_reference(name)
                if isinstance(ref.target, str):
                    continue
                ref.peel(pygit2.Commit)
            except (pygit2.GitError, ValueError, KeyError):
                self._add_unreadable(name, found)
        return sorted(found)

    def _add_unreadable(self, name: str, found: list[tuple[str, str, str]]) -> None:
        try:
            target = str(self.repo.lookup_reference(name).target)
        except (pygit2.GitError, ValueError, KeyError):
            return
        found.append((ref_text(name), target, self.commit_problem(target) or "not a commit"))

    # pygit2 types repo[oid] as a plain Object: these narrow it where the tree entry's mode or the
    # caller already says what it is (a mismatch is a damaged repository: ValueError).
    def _tree(self, oid: pygit2.Oid | str) -> pygit2.Tree:
        obj = self.repo[oid]
        if not isinstance(obj, pygit2.Tree):
            raise ValueError(f"{oid} is a {obj.type_str}, not a tree")
        return obj

    def _blob_data(self, oid: pygit2.Oid | str) -> bytes:
        obj = self.repo[oid]
        if not isinstance(obj, pygit2.Blob):
            raise ValueError(f"{oid} is a {obj.type_str}, not a blob")
        return obj.data

    def commit_problem(self, commit_id: str) -> str | None:
        """Why `commit_id` cannot be read as a commit (libgit2's one-line reason), or None if it can."""
        try:
            obj = self.repo[commit_id]
        except KeyError:
            return f"object {commit_id[:10]} is missing"
        except (pygit2.GitError, ValueError) as exc:
            return " ".join(str(exc).split())
        if obj.type == pygit2.GIT_OBJECT_COMMIT:
            return None
        try:
            obj.peel(pygit2.Commit)
            return None
        except (pygit2.GitError, ValueError, KeyError):
            return f"{obj.type_str} {commit_id[:10]} is not a commit"

    def _memo(self, *ids: str) -> WalkMemo | None:
        """The walk memo, when these ids are full commit ids (a ref name could move) and the history is
        whole (in a shallow clone a later fetch can deepen it)."""
        memo = self.walk_memo
        if memo is None or not all(_COMMIT_ID.fullmatch(i) for i in ids):
            return None
        if memo.shallow is None:  # asked once per memo, not per walk: libgit2 looks for the file each time
            memo.shallow = self.is_shallow
        return None if memo.shallow else memo

    def merge_base(self, a: str, b: str) -> str | None:
        return self.merge_base_or_problem(a, b)[0]

    def merge_base_or_problem(self, a: str, b: str) -> tuple[str | None, str | None]:
        """(the merge base or None, why it could not be computed: a damaged or missing object is
        not the same as "no common history")."""
        memo = self._memo(a, b)
        key = WalkMemo.key("merge-base", a, b)
        if memo is not None and (known := memo.get(key)) is not None:
            return (str(known[0]) if known[0] else None), None
        try:
            oid = self.repo.merge_base(a, b)
        except (pygit2.GitError, ValueError, KeyError) as exc:
            # not remembered: a failure may be passing (a missing object fetched later)
            return None, str(exc).strip() or type(exc).__name__
        found = str(oid) if oid else None
        if memo is not None:
            memo.put(key, [found])
        return found, None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        if ancestor == descendant:
            return True
        memo = self._memo(ancestor, descendant)
        key = WalkMemo.key("ancestor", ancestor, descendant)
        if memo is not None and (known := memo.get(key)) is not None:
            return bool(known)
        try:
            found = bool(self.repo.descendant_of(descendant, ancestor))
        except (pygit2.GitError, ValueError, KeyError):
            return False
        if memo is not None:
            memo.put(key, found)
        return found

    def has_commit(self, commit_id: str) -> bool:
        try:
            return isinstance(self.repo[commit_id], pygit2.Commit)
        except (KeyError, ValueError):
            return False

    def root_commit(self, start: str) -> str:
        """The oldest root commit reachable from start: the same in every clone, so it names the
        project in shared review records (paths differ between clones)."""
        root = start
        try:
            for commit in self.repo.walk(start, SortMode.TOPOLOGICAL | SortMode.REVERSE):
                root = str(commit.id)
                break
        except pygit2.GitError:
            pass
        return root

    def root_carries_over(self, earlier: str, start: str, *, limit: int = 10_000) -> bool:
        """Whether root_commit(start) is root_commit(earlier), for `earlier` an ancestor of `start`
        (an earlier tip of its branch, before a fetch), reading only the commits `earlier` lacks.

        It does when none of them is a root and each has all its parents among them and `earlier` (a
        main line that moved by commits, and by merges of its own new commits): libgit2's topological
        sort (Kahn's, its queue a stack without TIME) then takes `earlier` when nothing else is pending
        (every new commit descends from it), and from there orders the older history exactly as a walk
        from `earlier`, whose last commit, the first in reverse, stays the same. A merge of a branch
        forked before `earlier` can end the walk on another root of a project with several, so it
        (like a shallow clone, or more than `limit` new commits) answers False: walk again."""
        if self.is_shallow:
            return False
        parents: dict[str, list[str]] = {}
        try:
            walker = self.repo.walk(start, SortMode.NONE)
            walker.hide(earlier)
            for commit in walker:
                if len(parents) >= limit:
                    return False
                parents[str(commit.id)] = [str(p) for p in commit.parent_ids]
        except (pygit2.GitError, KeyError, ValueError):
            return False
        if any(not ids for ids in parents.values()):
            return False  # a new root: another history was merged in
        allowed = {*parents, earlier}
        return all(p in allowed for ids in parents.values() for p in ids)

    # -- commits ----------------------------------------------------------------------------
    def commit_info(self, commit_id: str) -> CommitInfo:
        return self._info(self.repo[commit_id].peel(pygit2.Commit))

    def tree_ids(self, commit_ids: Iterable[str]) -> dict[str, str]:
        """Each readable commit's tree id (the snapshot it records), by commit id."""
        out: dict[str, str] = {}
        for commit_id in commit_ids:
            try:
                out[commit_id] = str(self.repo[commit_id].peel(pygit2.Commit).tree_id)
            except (KeyError, ValueError, pygit2.GitError):
                continue
        return out

    def commit_time(self, commit_id: str) -> int:
        """A commit's committer time, 0 where it cannot be read (an ordering hint, never a figure)."""
        try:
            return int(self.repo[commit_id].peel(pygit2.Commit).commit_time)
        except (KeyError, ValueError, pygit2.GitError):
            return 0

    @staticmethod
    def _info(commit: pygit2.Commit) -> CommitInfo:
        author, committer, encoding = commit.author, commit.committer, commit.message_encoding
        return CommitInfo(
            id=str(commit.id),
            author_name=_sig_text(author, "name", encoding),
            author_email=_sig_text(author, "email", encoding),
            author_time=author.time,
            committer_name=_sig_text(committer, "name", encoding),
            committer_email=_sig_text(committer, "email", encoding),
            commit_time=committer.time,
            message=_decode_message(commit),
            parents=tuple(str(p) for p in commit.parent_ids),
        )

    def commits_between(self, hide: str | None, head: str, limit: int = COMMITS_LISTED, *,
                        first_parent: bool = False) -> list[CommitInfo]:
        """Commits reachable from head and not from hide (like `git log hide..head`), newest first;
        with `first_parent`, only the first-parent chain (`git log --first-parent`)."""
        memo = self._memo(head, *([hide] if hide else []))
        key = WalkMemo.key("between-first-parent" if first_parent else "between", hide, head, limit)
        if memo is not None and (known := memo.get(key)) is not None:
            return [_commit_from_record(record) for record in known]
        found, whole = self._commits_between(hide, head, limit, first_parent)
        if memo is not None and whole:
            memo.put(key, [_commit_record(c) for c in found])
        return found

    def pending_walk(self, base: str, head: str, in_base: BaseHistory | None
                     ) -> tuple[list[CommitInfo], str | None, str | None]:
        """commits_between(base, head) and merge_base_or_problem(base, head) in one. Given `in_base`,
        the base's whole history, both come from a walk of head's own commits alone: the commits of
        in_base that they sit on (the fork boundary) hide exactly what the base holds, and the one
        of them no other descends from is the merge base. Walking down to meet the base's history
        per head took flask's 2,828 fetched pull request heads a minute."""
        memo = self._memo(base, head)
        between_key = WalkMemo.key("between", base, head, COMMITS_LISTED)
        base_key = WalkMemo.key("merge-base", base, head)
        boundary = None
        if in_base is not None and (memo is None or memo.get(between_key) is None or memo.get(base_key) is None):
            boundary = self._fork_boundary(in_base, head, COMMITS_LISTED)
        if boundary is None:
            return self.commits_between(base, head), *self.merge_base_or_problem(base, head)
        assert in_base is not None
        commits, whole = self._commits_between(sorted(boundary), head, COMMITS_LISTED)
        best = in_base.best_common(boundary)
        newest = sorted(best, key=lambda c: -in_base.time[c])
        if len(best) > 1 and in_base.time[newest[0]] == in_base.time[newest[1]]:
            merge_base, problem = self.merge_base_or_problem(base, head)  # a tie: git's to break
        else:
            # none: no common history; several (criss-cross): libgit2 sorts them newest first and takes the
            # first (ansible: 374 such pull request heads, the same answer each, where its walk took 0.6 s each)
            merge_base, problem = (newest[0] if newest else None), None
        if memo is not None:
            if whole:
                memo.put(between_key, [_commit_record(c) for c in commits])
            if problem is None:
                memo.put(base_key, [merge_base])
        return commits, merge_base, problem

    def _fork_boundary(self, in_base: BaseHistory, head: str, limit: int) -> set[str] | None:
        """The commits of in_base that are parents of head's commits outside it, or None where more
        than `limit` commits or an unreadable one stand between (the plain walks then answer)."""
        seen: set[str] = set()
        boundary: set[str] = set()
        stack = [head]
        while stack:
            commit_id = stack.pop()
            if commit_id in seen:
                continue
            seen.add(commit_id)
            if len(seen) > limit:
                return None
            try:
                parents = self.repo[commit_id].peel(pygit2.Commit).parent_ids
            except (KeyError, ValueError, pygit2.GitError):
                return None
            for parent in map(str, parents):
                if parent in in_base:
                    boundary.add(parent)
                elif parent not in seen:
                    stack.append(parent)
        return boundary

    def _commits_between(self, hide: str | list[str] | None, head: str, limit: int,
                         first_parent: bool = False) -> tuple[list[CommitInfo], bool]:
        """The walk of commits_between, and whether it was read whole (only then is it remembered)."""
        walker = self.repo.walk(head, SortMode.TOPOLOGICAL | SortMode.TIME)
        if first_parent:
            walker.simplify_first_parent()
        whole = True
        for hidden in [hide] if isinstance(hide, str) else hide or []:
            try:
                walker.hide(hidden)
            except (pygit2.GitError, KeyError, ValueError):
                whole = False
        out: list[CommitInfo] = []
        try:
            for commit in walker:
                out.append(self._info(commit))
                if len(out) >= limit:
                    break
        except pygit2.GitError:
            whole = False  # missing parents in a shallow clone: the commits we could read
        return out, whole

    def heads_holding(self, heads: list[str], commits: set[str], hide: str) -> set[str] | None:
        """The heads whose history holds one of `commits` (none of which `hide` has), from one walk of what the
        heads hold and `hide` does not, parents first; None where that history cannot be read whole."""
        holding: set[str] = set()
        if not heads or not commits:
            return holding
        try:
            walker = self.repo.walk(heads[0], SortMode.TOPOLOGICAL | SortMode.REVERSE)
            for head in heads[1:]:
                walker.push(head)
            walker.hide(hide)
            for count, commit in enumerate(walker, 1):
                self._check_stop(count)
                commit_id = str(commit.id)
                if commit_id in commits or any(str(parent) in holding for parent in commit.parent_ids):
                    holding.add(commit_id)
        except (pygit2.GitError, KeyError, ValueError):
            return None
        return {head for head in heads if head in holding}

    def ids_between(self, hide: str, head: str, limit: int) -> set[str] | None:
        """The ids of the commits reachable from head and not from hide (`git rev-list hide..head`),
        or None past `limit` of them or where the history cannot be read (nothing is remembered)."""
        out: set[str] = set()
        try:
            walker = self.repo.walk(head, SortMode.NONE)
            walker.hide(hide)
            for commit in walker:
                out.add(str(commit.id))
                if len(out) > limit:
                    return None
        except (pygit2.GitError, KeyError, ValueError):
            return None
        return out

    def shallow_commits(self) -> frozenset[str]:
        """The commits a shallow clone's history is cut at (their parents were not fetched)."""
        if not self.is_shallow:
            return frozenset()
        try:
            text = (self._objects_dir().parent / "shallow").read_text(encoding="ascii", errors="replace")
        except OSError:
            return frozenset()
        return frozenset(line.strip() for line in text.splitlines() if len(line.strip()) == 40)

    def cut_above(self, merge_base: str, base: str, head: str, *,
                  limit: int = 50_000) -> tuple[str | None, str | None]:
        """In a shallow clone, whether a cut may hide a later common ancestor of base and head than
        `merge_base` (the newest git can see): (the later one, when the clone's other history shows it; a cut
        that may hide one, when it cannot tell), each None when there is none.

        A hidden common ancestor lies behind a cut S of one side's own history (reachable from that tip, not
        from the merge base). The clone often holds S's parents through other branches: the merge base of
        such a parent and the other tip is then a common ancestor, and the real merge base when it is later
        (click's parser-rewrite-1 at depth 50: one commit, where git's older merge base gave 80). Without
        the parents it may hide one only if it is older than a commit of the other side's own history; a
        side line of the base merged after the branch forked hides nothing the branch has."""
        cuts = self.shallow_commits() - {merge_base}
        if not cuts:
            return None, None
        sides = [self._side_cuts(tip, merge_base, cuts, limit) for tip in (base, head)]
        found: list[str] = []
        uncertain: str | None = None
        for (cuts_here, _), other, (_, other_oldest) in ((sides[0], head, sides[1]), (sides[1], base, sides[0])):
            for when, cut in sorted(cuts_here, reverse=True):
                parents = self._raw_parents(cut)
                for parent in parents:
                    later = self.merge_base(parent, other) if self.has_commit(parent) else None
                    if later and later != merge_base and not self.is_ancestor(later, merge_base):
                        found.append(later)
                all_here = bool(parents) and all(self.has_commit(p) for p in parents)
                if (uncertain is None and other_oldest is not None and when >= other_oldest and not all_here
                        and not self._forked_at(other, merge_base)):
                    uncertain = cut
        if found:
            best = found[0]
            for other_found in found[1:]:
                if self.is_ancestor(best, other_found):
                    best = other_found
            return best, None
        return None, uncertain

    def _forked_at(self, tip: str, merge_base: str, limit: int = 500) -> bool:
        """Whether every commit of tip's own history (not the merge base's) descends from the merge base: a
        branch made on it, not a line that also holds older history git might have matched on. Such a branch
        hides no later common ancestor behind the other side's cut (a pull request forked at the merge base
        of click's --shallow-since clone, whose cut lay on a merged side line, was doubted)."""
        try:
            walker = self.repo.walk(tip, SortMode.NONE)
            walker.hide(merge_base)
            base_id = pygit2.Oid(hex=merge_base)
            for number, commit in enumerate(walker):
                if number >= limit or not self.repo.descendant_of(commit.id, base_id):
                    return False
        except (pygit2.GitError, KeyError, ValueError):
            return False
        return True

    def _side_cuts(self, tip: str, merge_base: str, cuts: frozenset[str],
                   limit: int) -> tuple[list[tuple[int, str]], int | None]:
        """The cuts among tip's own commits (not the merge base's) with their times, and the oldest time."""
        found: list[tuple[int, str]] = []
        oldest: int | None = None
        try:
            walker = self.repo.walk(tip, SortMode.NONE)
            walker.hide(merge_base)
            for number, commit in enumerate(walker):
                oldest = commit.commit_time if oldest is None else min(oldest, commit.commit_time)
                if str(commit.id) in cuts:
                    found.append((commit.commit_time, str(commit.id)))
                if number >= limit:
                    break
        except (pygit2.GitError, KeyError, ValueError):
            pass
        return found, oldest

    def _raw_parents(self, commit_id: str) -> list[str]:
        """A commit's parents as its object names them: a shallow clone's cut commit has none for libgit2."""
        try:
            _type, data = self.repo.odb.read(commit_id)
        except (KeyError, ValueError, pygit2.GitError):
            return []
        header = bytes(data).split(b"\n\n", 1)[0]
        return [line[7:47].decode("ascii", "replace") for line in header.split(b"\n") if line.startswith(b"parent ")]

    def parents_between(self, hide: str, head: str, limit: int) -> list[tuple[str, list[str]]] | None:
        """(id, parent ids) of the commits reachable from head and not from hide, parents before
        children, or None past `limit` of them or where the history cannot be read. Reads no message."""
        out: list[tuple[str, list[str]]] = []
        try:
            walker = self.repo.walk(head, SortMode.TOPOLOGICAL | SortMode.REVERSE)
            walker.hide(hide)
            for commit in walker:
                out.append((str(commit.id), [str(p) for p in commit.parent_ids]))
                if len(out) > limit:
                    return None
        except (pygit2.GitError, KeyError, ValueError):
            return None
        return out

    def iter_commits(self, start: str, *, hide: str | None = None) -> Iterator[CommitInfo]:
        """Every commit reachable from start (and not from `hide`), in no particular order; stops
        quietly where history cannot be read (a shallow clone's missing parents)."""
        try:
            walker = self.repo.walk(start, SortMode.NONE)
            if hide is not None:
                try:
                    walker.hide(hide)
                except (pygit2.GitError, KeyError, ValueError):
                    pass  # every commit, then: more than asked, never fewer
            for count, commit in enumerate(walker):
                self._check_stop(count)
                yield self._info(commit)
        except (pygit2.GitError, KeyError, ValueError):
            return

    def _check_stop(self, count: int) -> None:
        if self.stop_check is not None and count % STOP_CHECK_EVERY == 0 and self.stop_check():
            raise WalkStopped

    def base_history(self, tip: str) -> BaseHistory | None:
        """Every commit reachable from tip, with its parents, from one walk; None where the history cannot
        be read whole (a shallow clone, a missing commit): ask is_ancestor and merge_base then."""
        if self.is_shallow:
            return None
        try:
            return BaseHistory((str(commit.id), [str(p) for p in commit.parent_ids], commit.commit_time)
                               for commit in self.repo.walk(tip, SortMode.TOPOLOGICAL | SortMode.REVERSE))
        except (pygit2.GitError, KeyError, ValueError):
            return None

    def ancestry(self, head: str, hide: list[str], limit: int) -> tuple[list[tuple[str, list[str]]], bool, bool]:
        """(id, parent ids) of the commits reachable from head and from none of `hide`, newest first, at
        most `limit` of them; whether the walk stopped at the limit; whether it read them all (not in a
        shallow clone, no hidden or parent commit missing). Reads no message."""
        walker = self.repo.walk(head, SortMode.TIME)
        whole = not self.is_shallow
        for commit_id in hide:
            try:
                walker.hide(commit_id)
            except (pygit2.GitError, KeyError, ValueError):
                whole = False
        out: list[tuple[str, list[str]]] = []
        try:
            for commit in walker:
                if len(out) >= limit:
                    return out, True, False
                out.append((str(commit.id), [str(p) for p in commit.parent_ids]))
        except pygit2.GitError:
            return out, False, False  # missing parents (shallow clone): what could be read
        return out, False, whole

    def patch_id(self, old: str | None, new: str, context_lines: int = 3) -> str | None:
        """The stable patch id (`git diff -U<context_lines> | git patch-id --stable`) of the diff between two
        commits' trees (old None: from the empty tree), or None when it cannot be computed (a missing object).
        Without context lines, as the merged-upstream check asks, the files that differ are diffed one by one
        (`_patch_id_of_files`), where libgit2's tree diff visits every entry of both trees (fineract: 5,525 patch
        ids, 87% of a cold discovery of its 4,110 pull requests)."""
        try:
            b = self.repo[new].peel(pygit2.Commit).tree
            a = None if old is None else self.repo[old].peel(pygit2.Commit).tree
            if context_lines == 0 and (by_files := self._patch_id_of_files(a, b)) is not None:
                return by_files or None
            diff = (b.diff_to_tree(swap=True, context_lines=context_lines) if a is None
                    else a.diff_to_tree(b, context_lines=context_lines))
            for delta in diff.deltas:  # a patch id reads every blob: never for one too large to diff
                for side in (delta.old_file, delta.new_file):
                    if side.flags & _VALID_ID and self.blob_size(str(side.id)) > MAX_DIFF_BLOB_BYTES:
                        return None
            return str(diff.patchid)
        except (KeyError, ValueError, pygit2.GitError):
            return None

    def _patch_id_of_files(self, old: pygit2.Tree | None, new: pygit2.Tree) -> str | None:
        """`patch_id` without context lines, from the blobs of the paths that differ (found by `_touched`, equal
        subtrees skipped): each file's patch from its two blobs under its path, put back together as the patch
        text libgit2 prints, and libgit2's patch id of that text (a stable patch id is the sum of its files').
        "" where a blob is too large (patch_id's None); None where this way is not known to give the tree diff's
        id: no file, a type or mode change alone, a link or submodule, a binary file, a path that is not plain
        ASCII, text libgit2 cannot parse back. Equal to the tree diff's on every patch id fineract's 4,110 pull
        requests needed (5,525), and on rubygems.org's and netbox's samples."""
        parts: list[bytes] = []
        for raw in sorted(self._touched_raw(old, new)):
            path = raw.decode("ascii", "replace")
            before = _tree_entry(old, path) if old is not None else None
            after = _tree_entry(new, path)
            if (not _PLAIN_PATH.fullmatch(path) or (before is None and after is None)
                    or (before is not None and (before[1] not in _PLAIN_MODES or before[0] == (after or ("",))[0]))
                    or (after is not None and after[1] not in _PLAIN_MODES)):
                return None
            if any(side is not None and self.blob_size(side[0]) > MAX_DIFF_BLOB_BYTES for side in (before, after)):
                return ""  # from the headers, as patch_id checks them: a blob that large is never loaded
            blobs = [self.repo[side[0]].peel(pygit2.Blob) if side else None for side in (before, after)]
            patch = pygit2.Patch.create_from(blobs[0], blobs[1], old_as_path=path, new_as_path=path, context_lines=0)
            if patch.delta.is_binary:
                return None
            data = patch.data
            body = data.find(b"\n--- ")
            if body < 0:
                return None
            parts.append(_file_header(path, before, after).encode("ascii") + data[body + 1:])
        if not parts:
            return None
        try:
            return str(pygit2.Diff.parse_diff(b"".join(parts)).patchid)
        except pygit2.GitError:
            return None

    def first_parents(self, commit_id: str, limit: int) -> list[str]:
        """Up to `limit` commits of the first-parent chain below `commit_id`, nearest first (the earlier
        tips of a branch that moved by commits and merges onto it)."""
        out: list[str] = []
        parent = self.first_parent(commit_id)
        while parent is not None and len(out) < limit:
            out.append(parent)
            parent = self.first_parent(parent)
        return out

    def commit_subject(self, commit_id: str) -> str:
        """A commit's subject (its message's first line, decoded as commit_info does), "" where it cannot be read."""
        try:
            return self.commit_info(commit_id).subject
        except (KeyError, ValueError, RepoError):
            return ""

    def first_parent(self, commit_id: str) -> str | None:
        """A commit's first parent, None for a root (or an unreadable) commit."""
        try:
            parents = self.repo[commit_id].peel(pygit2.Commit).parent_ids
        except (KeyError, ValueError, pygit2.GitError):
            return None
        return str(parents[0]) if parents else None

    def commit_patch_id(self, commit_id: str, context_lines: int = 3) -> str | None:
        """The patch id of a non-merge commit against its parent (None for merges and unreadable ones),
        the identity `git cherry` compares."""
        try:
            commit = self.repo[commit_id].peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError):
            return None
        parents = commit.parent_ids
        if len(parents) > 1:
            return None
        return self.patch_id(str(parents[0]) if parents else None, commit_id, context_lines)

    def net_paths(self, old: str, new: str) -> tuple[list[str], bool] | None:
        """(the paths the diff old..new touches, sorted and decoded as touched_paths decodes them,
        whether all of them are UTF-8), or None when a tree cannot be read."""
        try:
            old_tree, new_tree = (self.repo[c].peel(pygit2.Commit).tree for c in (old, new))
            touched = self._touched_raw(old_tree, new_tree)
        except (KeyError, ValueError, pygit2.GitError):
            return None
        return sorted(decode_path(raw) for raw in touched), all(is_utf8(raw) for raw in touched)

    def holds_paths(self, target: str, new: str, paths: Collection[str]) -> bool:
        """Whether commit `target` has each of `paths` exactly as commit `new` has it (same blob and
        mode, or absent from both); False for no paths. Reads trees only: with the paths of a branch's
        net diff, the squash-merge test that survives later edits to other files."""
        try:
            target_tree = self.repo[target].peel(pygit2.Commit).tree
            new_tree = self.repo[new].peel(pygit2.Commit).tree
        except (KeyError, ValueError, pygit2.GitError):
            return False
        return bool(paths) and all(_tree_entry(target_tree, path) == _tree_entry(new_tree, path) for path in paths)

    def absent_paths(self, commit_id: str, paths: Collection[str]) -> list[str]:
        """The paths among `paths` that commit `commit_id`'s tree does not have (tree lookups only);
        [] when the commit cannot be read."""
        try:
            tree = self.repo[commit_id].peel(pygit2.Commit).tree
        except (KeyError, ValueError, pygit2.GitError):
            return []
        return [path for path in paths if _tree_entry(tree, path) is None]

    def count_between(self, hide: str, head: str, limit: int = 100_000) -> int:
        """How many commits head has that hide has not (`git rev-list --count hide..head`), up to `limit`;
        0 when either cannot be read. Ids only: no commit object is decoded into a CommitInfo."""
        try:
            walker = self.repo.walk(pygit2.Oid(hex=head), SortMode.NONE)
            walker.hide(pygit2.Oid(hex=hide))
        except (KeyError, ValueError, pygit2.GitError):
            return 0
        count = 0
        for _commit in walker:
            count += 1
            if count >= limit:
                break
        return count

    def merge_conflicts(self, ancestor: str, ours: str, theirs: str, limit: int = 50) -> list[str] | None:
        """The paths a merge of `theirs` into `ours` would stop on (git merge-tree), up to `limit`; None when
        a tree cannot be read. Merged in the scratch repository: libgit2 writes the merged blobs."""
        try:
            scratch = self._scratch()
            base_tree, our_tree, their_tree = (scratch[c].peel(pygit2.Commit).tree for c in (ancestor, ours, theirs))
            index = scratch.merge_trees(base_tree, our_tree, their_tree)
        except (KeyError, ValueError, pygit2.GitError):
            return None
        if index.conflicts is None:
            return []
        paths: list[str] = []
        for base_entry, our_entry, their_entry in index.conflicts:
            entry = our_entry or their_entry or base_entry
            if entry is not None:
                paths.append(entry.path)
            if len(paths) >= limit:
                break
        return paths

    def history(self, start: str, *, since: int, max_commits: int = 5_000,
                paths: Collection[str] | None = None, hide: str | None = None,
                git_only: bool = False) -> list[HistoryEntry]:
        """The first-parent line from start, newest first, back to `since` (epoch seconds), with touched paths
        (against each commit's first parent) and whose work each commit is (`work_authors`): a merged pull
        request is one piece of work, its merge, as a squashed one is its one commit. Every reachable commit
        counted each pull request twice, its commits and its merge (lazygit's english.go "changed 52x in 90
        days": 31 commits and 22 merges of the same work), and made its merger an author of all of it.

        With `paths`, each entry's paths are only those of `paths` the commit touched (the same as
        the full list filtered, found by comparing tree entries along each path instead of diffing
        whole trees: a walk whose cost follows the paths asked about, not the repository's size).
        With `hide`, only the commits `hide` does not have (`git log hide..start`). `git_only` (whole tree):
        RepoError where git's diff-tree does not name the paths, rather than a tree diff per commit.

        The line is read from `start` down until OLD_RUN commits in a row are older than `since` (a walk
        whose cost follows the window, not the line's length): the list is the line's commits at or after
        `since` down to there, newest first (equal times in the line's order), the newest `max_commits` of
        them. A line whose clock went back further than that, for longer than that, has its commits beyond it
        left out (the whole line read, ansible's 45,000 commits, cost a one-pull-request `list` 0.7 s). With
        `hide`, the commits `hide` lacks, in libgit2's time order (a few, after a fetch: read whole)."""
        commits = self._window_commits(start, since, max_commits) if hide is None else \
            self._unhidden_commits(start, hide, since, max_commits)
        # The whole tree's history: one `git diff-tree` names the paths of every commit (ansible, 2,057
        # commits: 0.65 s, where a tree diff each took 17.7 s). Chosen paths are compared here, entry by
        # entry (1,366 paths: 1.4 s, beside the workers): a git process then would only add its mapped
        # pack index to the peak memory of the analysis.
        by_git = GitCli(self.git_dir).touched_paths(
            [(str(c.id), str(c.parent_ids[0]) if c.parent_ids else None) for c in commits]
        ) if paths is None and len(commits) >= HISTORY_BY_GIT_MIN else None
        if git_only and paths is None and by_git is None and len(commits) >= HISTORY_BY_GIT_MIN:
            raise RepoError("git does not name the paths of the history's commits")
        trie = _path_trie(paths) if paths is not None else None
        out: list[HistoryEntry] = []
        for commit in commits:
            self._check_stop(len(out))
            if by_git is not None:
                touched = [decode_path(raw) for raw in by_git[str(commit.id)]]
            else:
                touched = self._touched_paths(commit) if trie is None else _touched_among(commit, trie)
            authors = self.work_authors(commit)
            out.append(HistoryEntry(str(commit.id), authors[0], commit.commit_time, tuple(touched), authors[1:]))
        return out

    def _window_commits(self, start: str, since: int, max_commits: int) -> list[pygit2.Commit]:
        """The first-parent line from `start`, newest first, at or after `since`, read down to OLD_RUN older
        commits in a row (GitRepo.history); [] where the line cannot be read down to there (a missing commit)."""
        commits: list[pygit2.Commit] = []
        old = 0
        try:
            walker = self.repo.walk(start, SortMode.NONE)  # the line's order, read as it goes
            walker.simplify_first_parent()
            for read, commit in enumerate(walker):
                self._check_stop(read)
                if commit.commit_time >= since:
                    commits.append(commit)
                    old = 0
                elif (old := old + 1) >= OLD_RUN:
                    break
        except pygit2.GitError:
            return []  # an unreadable line (a missing commit) gives no history, as a whole-line sort did
        commits.sort(key=lambda commit: -commit.commit_time)  # stable: the line's order for equal times
        del commits[max_commits:]
        return commits

    def _unhidden_commits(self, start: str, hide: str, since: int, max_commits: int) -> list[pygit2.Commit]:
        """The first-parent line from `start`, in libgit2's time order, of the commits `hide` does not have, at or
        after `since` (the part of a history an extension needs: whole, or RepoError)."""
        commits: list[pygit2.Commit] = []
        try:
            walker = self.repo.walk(start, SortMode.TIME)
            walker.simplify_first_parent()
            try:
                walker.hide(hide)
            except (KeyError, ValueError, pygit2.GitError) as exc:
                raise RepoError(f"cannot read commit {hide[:10]}: {exc}") from None
            for commit in walker:
                if commit.commit_time < since or len(commits) >= max_commits:
                    break
                self._check_stop(len(commits))
                commits.append(commit)
        except pygit2.GitError as exc:
            raise RepoError(f"cannot read the history of {start[:10]}: {exc}") from None
        return commits

    def work_authors(self, commit: pygit2.Commit | str) -> tuple[str, ...]:
        """Whose work a commit of the first-parent line is (e-mails, lower case): its author's; a merge's, the
        authors of the commits it brought in (`git log --no-merges M^1..M`, the first MERGE_AUTHORS_READ),
        the pull request's people rather than who pressed the merge button; its own author's where it brought
        in none or they cannot be read."""
        if isinstance(commit, str):
            commit = self.repo[commit].peel(pygit2.Commit)
        own = (_sig_text(commit.author, "email", commit.message_encoding).lower(),)
        if len(commit.parent_ids) < 2:
            return own
        found: dict[str, None] = {}
        try:
            walker = self.repo.walk(commit.id, SortMode.NONE)
            walker.hide(commit.parent_ids[0])
            for read, other in enumerate(walker):
                if read >= MERGE_AUTHORS_READ:
                    break
                if len(other.parent_ids) < 2:
                    found.setdefault(_sig_text(other.author, "email", other.message_encoding).lower(), None)
        except (KeyError, ValueError, pygit2.GitError):
            return own
        return tuple(found) or own

    def _touched_paths(self, commit: pygit2.Commit) -> list[str]:
        try:
            if commit.parents:
                diff = commit.parents[0].tree.diff_to_tree(commit.tree)
            else:
                diff = commit.tree.diff_to_tree(swap=True)
        except pygit2.GitError:
            return []
        return [decode_path(d.new_file.raw_path if d.status != DeltaStatus.DELETED else d.old_file.raw_path)
                for d in diff.deltas]

    # -- diffs ------------------------------------------------------------------------------
    def diff(self, base: str, head: str, *, context_lines: int = 3,
             should_stop: Callable[[], bool] | None = None, renames_only: bool = False) -> list[FileDiff]:
        """The diff between two commits' trees, renames detected. A blob missing from the object
        database (partial or damaged clone) affects its own file only: see _diff_around_missing.
        Raises DiffStopped when `should_stop()` turns true on the way (a release-sized diff takes half a
        second, which a TUI quit during a first analysis waited for). `renames_only`: the renamed files alone,
        paired as for the whole diff, no other file's lines read (calibration, whose log reads without renames,
        pairs its commits' files as the analysis does: `calibration/factors.with_renames`)."""
        try:
            a = self.repo[base].peel(pygit2.Commit).tree
            b = self.repo[head].peel(pygit2.Commit).tree
            diff = a.diff_to_tree(b, context_lines=context_lines)
        except KeyError as exc:  # a commit gone since the change was found (branch deleted, objects pruned)
            gone = str(exc.args[0] if exc.args else "")[:10] or f"{base[:10]} or {head[:10]}"
            raise RepoError(f"commit {gone} is no longer in the repository (its branch deleted or garbage-"
                            "collected since it was listed): list the changes again") from None
        except (ValueError, pygit2.GitError) as exc:
            fetch = f"git diff --stat {base[:10]} {head[:10]}"
            raise RepoError(f"cannot diff {base[:10]}..{head[:10]}: {_missing_tree(exc, fetch)}") from None
        listed = _is_paired if renames_only else _listed
        try:
            exact_first = _find_renames(diff)
        except pygit2.GitError:
            around = self._diff_around_missing(a, b, context_lines)
            return [fd for fd in around if fd.status in ("renamed", "copied")] if renames_only else around
        if not exact_first:
            return self._file_diffs(diff, find_renames=False, should_stop=should_stop, context_lines=context_lines,
                                    keep=listed)
        # the rest paired before any file is read: a pair's deleted and added sides are never read to be dropped
        renamed = self._rest_renames(_unpaired(diff, self.repo.odb), context_lines)
        taken = {fd.old_path for fd in renamed} | {fd.new_path for fd in renamed}
        files = self._file_diffs(diff, find_renames=False, should_stop=should_stop, context_lines=context_lines,
                                 keep=lambda delta: listed(delta) and _side_path(delta) not in taken)
        return files + renamed

    def diff_merge_introduced(self, merge: str, *, context_lines: int = 3) -> list[FileDiff]:
        """What a two-parent merge introduced itself: the diff from the automatic merge of its parents
        to its own tree (what `git show --remerge-diff` shows). A clean merge gives no files; an evil
        merge gives its own lines; a conflicted path is diffed from its conflict-marked automatic
        merge to the resolution. The automatic merge is computed in a scratch repository."""
        try:
            commit = self.repo[merge].peel(pygit2.Commit)
            ours, theirs = (self.repo[p].peel(pygit2.Commit) for p in commit.parent_ids[:2])
        except (KeyError, ValueError, pygit2.GitError) as exc:
            raise RepoError(f"cannot read merge {merge[:10]}: {exc}") from None
        if len(commit.parent_ids) != 2:
            raise RepoError(f"{merge[:10]} is not a two-parent merge")
        scratch = self._scratch()
        try:
            ancestor_id = self.repo.merge_base(ours.id, theirs.id)
            ancestor = (self.repo[ancestor_id].peel(pygit2.Commit).tree if ancestor_id
                        else self._tree_of(scratch, {}))
            index = scratch.merge_trees(ancestor, ours.tree, theirs.tree)
        except (KeyError, ValueError, pygit2.GitError) as exc:
            raise RepoError(f"cannot merge the parents of {merge[:10]} again: {exc}") from None
        conflicted: list[tuple[str, pygit2.IndexEntry | None, pygit2.IndexEntry | None,
                               pygit2.IndexEntry | None]] = []
        if index.conflicts is not None:
            for base_entry, our_entry, their_entry in list(index.conflicts):
                path = next(e.path for e in (our_entry, their_entry, base_entry) if e is not None)
                conflicted.append((path, base_entry, our_entry, their_entry))
            for path, *_ in conflicted:
                del index.conflicts[path]
                resolved = _tree_entry(commit.tree, path)
                if resolved is not None:  # compared below, against the conflict-marked text
                    index.add(pygit2.IndexEntry(path, pygit2.Oid(hex=resolved[0]), FileMode(resolved[1])))
        diff = index.diff_to_tree(commit.tree, DiffOption.REVERSE, context_lines)
        exact_first = _find_renames(diff)
        files = self._file_diffs(diff, find_renames=False, repo=scratch, context_lines=context_lines)
        if exact_first:
            files = self._pair_rest(files, context_lines)
        for path, base_entry, our_entry, their_entry in conflicted:
            files.extend(self._conflict_diff(scratch, commit.tree, path, base_entry, our_entry, their_entry,
                                             context_lines))
        return files

    def _conflict_diff(self, scratch: pygit2.Repository, tree: pygit2.Tree, path: str,
                       base_entry: pygit2.IndexEntry | None, our_entry: pygit2.IndexEntry | None,
                       their_entry: pygit2.IndexEntry | None, context_lines: int) -> list[FileDiff]:
        """The resolution of one conflicted path: conflict-marked automatic merge -> merge's version."""
        try:
            marked = scratch.merge_file_from_index(base_entry, our_entry, their_entry, use_deprecated=True)
        except (pygit2.GitError, ValueError, KeyError):
            marked = ""
        resolved = _tree_entry(tree, path)
        new_data = self.blob(resolved[0]) if resolved else b""
        patch = pygit2.Patch.create_from(marked.encode("utf-8", "surrogateescape"), new_data, old_as_path=path,
                                         new_as_path=path, context_lines=context_lines)
        fd = FileDiff("modified" if resolved else "deleted", path, path if resolved else None,
                      new_blob=resolved[0] if resolved else None, new_mode=resolved[1] if resolved else 0)
        _fill_hunks(fd, patch)
        return [fd] if fd.hunks else []

    def _diff_around_missing(self, a: pygit2.Tree, b: pygit2.Tree, context_lines: int) -> list[FileDiff]:
        """Rename detection when some blob cannot be read. libgit2 gives up on the whole diff when
        one candidate's content is missing (a 102-file move became +28,794/-28,801 for one absent
        blob); instead: pair identical files by id (no content read), then run full rename
        detection again on the unpaired added and deleted files whose content is readable, in a
        scratch repository so nothing is written to this one."""
        diff = a.diff_to_tree(b, context_lines=context_lines)
        try:
            diff.find_similar(DiffFind.FIND_RENAMES | DiffFind.FIND_EXACT_MATCH_ONLY, rename_limit=len(diff))
        except pygit2.GitError:
            pass
        return self._pair_rest(self._file_diffs(diff, find_renames=False, context_lines=context_lines), context_lines)

    def _pair_rest(self, files: list[FileDiff], context_lines: int) -> list[FileDiff]:
        """`files` with the renames among the deleted and added files an exact pass left unpaired (_rest_renames)."""
        renamed = self._rest_renames([fd for fd in files if fd.status in ("deleted", "added") and fd.problem is None],
                                     context_lines)
        taken = {fd.old_path for fd in renamed} | {fd.new_path for fd in renamed}
        kept = [fd for fd in files
                if not (fd.status == "deleted" and fd.old_path in taken)
                and not (fd.status == "added" and fd.new_path in taken)]
        return kept + renamed if renamed else files

    def _rest_renames(self, unpaired: list[FileDiff], context_lines: int) -> list[FileDiff]:
        """The renames among deleted and added files an exact pass left unpaired, as git goes on after its exact
        renames: past RENAME_LIMIT, the files whose basename no other unpaired file has (_pair_basenames), then every
        pair of the rest while they are within it; in a scratch repository (nothing written here)."""
        gone = {fd.old_path: fd for fd in unpaired if fd.status == "deleted" and fd.old_blob}
        new = {fd.new_path: fd for fd in unpaired if fd.status == "added" and fd.new_blob}
        renamed: list[FileDiff] = []
        if len(gone) * len(new) > RENAME_LIMIT ** 2:
            renamed = self._pair_basenames(gone, new, context_lines)
            for fd in renamed:
                del gone[fd.old_path], new[fd.new_path]
        if gone and new and len(gone) * len(new) <= RENAME_LIMIT ** 2:
            renamed += self._pair_similar(gone, new, context_lines)
        return renamed

    def _pair_similar(self, gone: dict[str | None, FileDiff], new: dict[str | None, FileDiff],
                      context_lines: int) -> list[FileDiff]:
        """The renames libgit2 finds comparing every deleted file with every added one."""
        scratch = self._scratch()
        old_tree = self._tree_of(scratch, {p: (fd.old_blob, fd.old_mode) for p, fd in gone.items() if p})
        new_tree = self._tree_of(scratch, {p: (fd.new_blob, fd.new_mode) for p, fd in new.items() if p})
        sub = old_tree.diff_to_tree(new_tree, context_lines=context_lines)
        try:
            sub.find_similar(DiffFind.FIND_RENAMES, rename_limit=len(gone))
        except pygit2.GitError:
            return []
        return self._file_diffs(sub, find_renames=False, repo=scratch, context_lines=context_lines,
                                keep=_is_paired)

    def _pair_basenames(self, gone: dict[str | None, FileDiff], new: dict[str | None, FileDiff],
                        context_lines: int) -> list[FileDiff]:
        """git's step between exact and inexact renames (diffcore-rename.c's find_basename_matches): a deleted and an
        added file of a basename no other unpaired file has, paired when BASENAME_SCORE% similar. A package moved
        with its imports edited in every file is paired past RENAME_LIMIT. libgit2 measures each pair as one file
        modified, both versions put at the added file's path (FIND_REWRITES' similarity of a file to itself)."""
        olds = _by_unique_basename(p for p in gone if p)
        news = _by_unique_basename(p for p in new if p)
        pairs = {news[name]: olds[name] for name in olds.keys() & news.keys()}  # added path -> deleted path
        if not pairs:
            return []
        scratch = self._scratch()
        old_tree = self._tree_of(scratch, {n: (gone[o].old_blob, gone[o].old_mode) for n, o in pairs.items()})
        new_tree = self._tree_of(scratch, {n: (new[n].new_blob, new[n].new_mode) for n in pairs})
        sub = old_tree.diff_to_tree(new_tree, context_lines=context_lines)
        try:
            sub.find_similar(DiffFind.FIND_REWRITES)  # each pair's similarity; nothing split or paired
        except pygit2.GitError:
            return []
        similar = self._file_diffs(sub, find_renames=False, repo=scratch, context_lines=context_lines,
                                   keep=lambda delta: delta.status == DeltaStatus.MODIFIED
                                   and delta.similarity >= BASENAME_SCORE)
        scores = {decode_path(d.new_file.raw_path): d.similarity for d in sub.deltas}
        for fd in similar:
            fd.status, fd.old_path, fd.similarity = "renamed", pairs[fd.path], scores.get(fd.path, BASENAME_SCORE)
        return similar

    def _scratch(self) -> pygit2.Repository:
        """A throwaway bare repository that reads this one's objects (git alternates) and keeps
        whatever libgit2 writes (trees for a diff, blobs of an automatic merge) to itself, so
        analysis never adds objects to the user's repository. Removed with this GitRepo."""
        if self._scratch_repo is None:
            import shutil
            import tempfile
            import weakref

            where = tempfile.mkdtemp(prefix="review-tui-scratch-")
            weakref.finalize(self, shutil.rmtree, where, True)
            pygit2.init_repository(where, bare=True)
            alternates = Path(where) / "objects" / "info" / "alternates"
            alternates.write_text(str(self._objects_dir()) + "\n", encoding="utf-8")
            self._scratch_repo = pygit2.Repository(where)
        return self._scratch_repo

    def _objects_dir(self) -> Path:
        return common_dir(Path(self.repo.path)) / "objects"  # a linked worktree's objects are the main git dir's

    @staticmethod
    def _tree_of(repo: pygit2.Repository, entries: dict[str, tuple[str | None, int]]) -> pygit2.Tree:
        index = pygit2.Index()
        for path, (blob, mode) in entries.items():
            if blob:
                index.add(pygit2.IndexEntry(path, pygit2.Oid(hex=blob), FileMode(mode or pygit2.GIT_FILEMODE_BLOB)))
        tree = repo[index.write_tree(repo)]
        assert isinstance(tree, pygit2.Tree)
        return tree

    def commit_diff(self, commit_id: str, *, context_lines: int = 3) -> list[FileDiff]:
        """One commit's own diff: against its first parent, or against nothing for a root commit. A two-parent
        merge shows what it introduced itself (diff_merge_introduced): against its first parent, rich's
        "Merge branch 'master' into ..." read as the author adding master's new AI_POLICY.md."""
        try:
            commit = self.repo[commit_id].peel(pygit2.Commit)
            if len(commit.parent_ids) == 2:
                return self.diff_merge_introduced(commit_id, context_lines=context_lines)
            if commit.parents:
                diff = commit.parents[0].tree.diff_to_tree(commit.tree, context_lines=context_lines)
            else:  # the empty tree on the old side: every file added
                diff = commit.tree.diff_to_tree(context_lines=context_lines, swap=True)
        except (KeyError, ValueError, pygit2.GitError) as exc:
            fetch = f"git show --stat {commit_id[:10]}"
            raise RepoError(f"cannot diff commit {commit_id[:10]}: {_missing_tree(exc, fetch)}") from None
        return self._file_diffs(diff, context_lines=context_lines)

    def diff_worktree(self, *, context_lines: int = 3) -> list[FileDiff]:
        """Staged and unstaged changes of tracked files against HEAD (like `git diff HEAD`)."""
        head = self.head_commit()
        if head is None:
            return []
        tree = self.repo[head].peel(pygit2.Commit).tree
        # libgit2's diff merge applies a later diff onto an earlier one: HEAD->index, then index->workdir.
        diff = tree.diff_to_index(self.repo.index, DiffOption.NORMAL, context_lines)
        diff.merge(self.repo.diff(None, None, flags=DiffOption.NORMAL, context_lines=context_lines))
        files = self._identified(self._file_diffs(diff, workdir=True))
        skip = self.skip_worktree_paths if any(fd.status == "deleted" for fd in files) else frozenset()
        if any(fd.path in skip or (fd.old_path or "") in skip for fd in files):
            # a sparse checkout's files outside its cone are not deleted: for them the index is the tree
            staged = {fd.path: fd for fd in self._file_diffs(tree.diff_to_index(self.repo.index, DiffOption.NORMAL,
                                                                                   context_lines))}
            kept = [staged.get(fd.path) if fd.path in skip or (fd.old_path or "") in skip else fd for fd in files]
            files = [fd for fd in kept if fd is not None]
        unmerged = self._unmerged_paths()
        if not unmerged:
            return files
        # A conflict in progress (a merge or rebase stopped): libgit2 gives its paths no lines, where
        # `git diff HEAD` shows the working file, conflict markers and all; so does this.
        out = [fd for fd in files if fd.path not in unmerged]
        for path in sorted(unmerged):
            fd = self._head_to_workdir(tree, path, context_lines)
            if fd is not None:
                out.append(fd)
        return out

    def _identified(self, files: list[FileDiff]) -> list[FileDiff]:
        """Give each working file its content id where libgit2 left none (it hashes a working file only
        when it must compare it), and make it readable by that id (`blob`): the working tree's
        complexity, definitions and plan are then measured from its content like any version's. Its
        complexity was never measured (always CC+0) while its chunks were cut without definitions."""
        for fd in files:
            if (fd.new_blob is None and fd.new_path and fd.status != "deleted" and fd.new_submodule is None
                    and fd.new_mode != int(FileMode.LINK) and self.workdir is not None):
                path = self.workdir / fd.new_path
                try:
                    if not path.is_file() or path.stat().st_size > MAX_DIFF_BLOB_BYTES:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                fd.new_blob = self._working_content(path, data)
        return files

    @staticmethod
    def _working_content(path: Path, data: bytes) -> str:
        """The content id of a working file's `data`, remembered with where it was read."""
        content_id = str(pygit2.hash(data))
        _WORKING_FILES[content_id] = path
        return content_id

    def _unmerged_paths(self) -> set[str]:
        try:
            conflicts = self.repo.index.conflicts
            if conflicts is None:
                return set()
            return {next(e.path for e in entries if e is not None) for entries in conflicts}
        except (pygit2.GitError, KeyError, ValueError, StopIteration):
            return set()

    def _head_to_workdir(self, tree: pygit2.Tree, path: str, context_lines: int) -> FileDiff | None:
        """One path's working file against HEAD's version, or None when both are the same or absent."""
        before = _tree_entry(tree, path)
        old_data = self.blob_within(before[0], MAX_DIFF_BLOB_BYTES) if before else b""
        new_data = self.workdir_file(path)
        if (before is None and new_data is None) or old_data is None:
            return None
        status = "added" if before is None else "deleted" if new_data is None else "modified"
        fd = FileDiff(status, path if before else None, path if new_data is not None else None,
                      old_blob=before[0] if before else None,
                      new_blob=(self._working_content(self.workdir / path, new_data)
                                if new_data is not None and self.workdir is not None else None),
                      old_mode=before[1] if before else 0,
                      new_mode=int(FileMode.BLOB) if new_data is not None else 0)
        patch = pygit2.Patch.create_from(old_data, new_data or b"", old_as_path=path, new_as_path=path,
                                         context_lines=context_lines)
        if patch.delta.is_binary:
            fd.binary = True
        else:
            _fill_hunks(fd, patch)
        return fd if fd.hunks or fd.binary or status != "modified" else None

    def is_dirty(self) -> bool:
        if self.repo.is_bare or self.head_commit() is None:
            return False
        try:
            try:
                status = self.repo.status(untracked_files="no")
            except (pygit2.GitError, TypeError):
                status = self.repo.status()
        except pygit2.GitError:
            return False  # HEAD cannot be read (a malformed commit), or the index (index_problem says)
        # a sparse checkout's files outside its cone read as deleted: only then is it worth asking which they are
        skip = self.skip_worktree_paths if any(f & FileStatus.WT_DELETED for f in status.values()) else frozenset()
        return any(flags & (_INDEX_DIRTY if path in skip else _WORKTREE_DIRTY) for path, flags in status.items())

    def index_problem(self) -> str | None:
        """Why the index cannot be read (a split or sparse index libgit2 does not support), or None."""
        if self.repo.is_bare:
            return None
        try:
            self.repo.index.read()
            _ = len(self.repo.index)
        except (pygit2.GitError, OSError, ValueError) as exc:
            return str(exc).strip() or type(exc).__name__
        return None

    @cached_property
    def skip_worktree_paths(self) -> frozenset[str]:
        """Paths of the index marked skip-worktree (a sparse checkout's files outside its cone): absent from the
        working tree by design, never a deletion (`git status` and `git diff HEAD` ignore them, libgit2 does
        not). Only an index of version 3 or more can hold the mark; then `git ls-files -v` names them."""
        try:
            with open(self.git_dir / "index", "rb") as index:
                header = index.read(8)
        except OSError:
            return frozenset()
        if len(header) < 8 or header[:4] != b"DIRC" or int.from_bytes(header[4:], "big") < 3:
            return frozenset()
        try:
            out = GitCli(self.git_dir).run("ls-files", "-v", "-z")
        except RepoError:
            return frozenset()
        return frozenset(entry[2:] for entry in out.split("\0") if entry[:2] in ("S ", "s "))

    def _file_diffs(self, diff: pygit2.Diff, *, find_renames: bool = True, repo: pygit2.Repository | None = None,
                    should_stop: Callable[[], bool] | None = None, workdir: bool = False,
                    context_lines: int = 3, keep: Callable[[pygit2.DiffDelta], bool] | None = None) -> list[FileDiff]:
        """`workdir`: the new side is the working tree, whose content has an id but is no object (an
        intent-to-add file, `git add -N`, was "missing (partial clone)" and counted no line). `context_lines`:
        the diff's, for a file read again without the checkout's attributes (`_patch_of_blobs`). `keep`: which
        deltas to read (a rename pass's pairs alone: the rest of its diff is read already, _pair_rest)."""
        exact_first = find_renames and _try_find_renames(diff) and not workdir  # a working file: no object to pair
        odb = (repo or self.repo).odb
        files: list[FileDiff] = []
        for index, delta in enumerate(diff.deltas):
            if should_stop is not None and index % 64 == 0 and should_stop():
                raise DiffStopped
            if not (keep or _listed)(delta):
                continue
            # A submodule side names a commit of another repository: never a blob to look for here.
            old_file, new_file = delta.old_file, delta.new_file
            blobs = [f for f in (old_file, new_file) if f.mode != FileMode.COMMIT]
            stored = [f for f in blobs if not (workdir and f is new_file)]
            missing = [str(f.id) for f in stored
                       if f.flags & _VALID_ID and f.id.raw != bytes(20) and str(f.id) not in odb]
            sizes = [f.size or (self.blob_size(str(f.id)) if f.flags & _VALID_ID else 0) for f in blobs]
            too_big = max(sizes, default=0) > MAX_DIFF_BLOB_BYTES
            fd = self._file_diff(diff, index, delta, summarise=too_big or bool(missing),
                                 again=None if workdir else (repo or self.repo, context_lines))
            if missing:
                fd.binary = False
                fd.problem = (f"blob {missing[0][:10]} is missing (partial or damaged clone): "
                              "its lines are not shown or counted")
            elif self.on_read is not None and not workdir:
                self.on_read(fd)
            files.append(fd)
        files = _join_typechanges(_pair_moved_submodules(files))
        return self._pair_rest(files, context_lines) if exact_first else files

    def _file_diff(self, diff: pygit2.Diff, index: int, delta: pygit2.DiffDelta, *, summarise: bool,
                   again: tuple[pygit2.Repository, int] | None = None) -> FileDiff:
        old, new = delta.old_file, delta.new_file
        status = _STATUS_NAMES.get(delta.status, "modified")
        zero = "0" * 40
        old_id = None if str(old.id) == zero else str(old.id)
        new_id = None if str(new.id) == zero else str(new.id)
        old_gitlink, new_gitlink = old.mode == FileMode.COMMIT, new.mode == FileMode.COMMIT
        fd = FileDiff(
            status=status,
            old_path=None if status == "added" else decode_path(old.raw_path),
            new_path=None if status == "deleted" else decode_path(new.raw_path),
            old_blob=None if old_gitlink else old_id,
            new_blob=None if new_gitlink else new_id,
            old_submodule=old_id if old_gitlink else None,
            new_submodule=new_id if new_gitlink else None,
            similarity=delta.similarity if status in ("renamed", "copied") else 0,
            old_size=old.size,
            new_size=new.size,
            old_mode=int(old.mode),
            new_mode=int(new.mode),
        )
        if not fd.old_size and fd.old_blob:
            fd.old_size = self.blob_size(fd.old_blob)
        if not fd.new_size and fd.new_blob:
            fd.new_size = self.blob_size(fd.new_blob)
        if summarise:
            fd.binary = True  # shown as a summary: too large to read line by line
            return fd
        if self.not_diffed is not None and not fd.is_submodule and self.not_diffed(fd.path):
            fd.binary = fd.not_diffed = True  # as git diff shows it: "Binary files differ"
            return fd
        try:
            patch = diff[index]
        except (pygit2.GitError, IndexError, KeyError):
            fd.binary = True
            return fd
        if patch is None:
            return fd
        if patch.delta.is_binary and again is not None:
            patch = _patch_of_blobs(again[0], fd.old_blob, fd.new_blob, again[1]) or patch
        if patch.delta.is_binary:
            fd.binary = True
            return fd
        if self.count_only is not None and self.count_only(fd.path):
            _context, fd.additions, fd.deletions = patch.line_stats  # counted in libgit2: no line objects
            fd.counted_only = True
            return fd
        _fill_hunks(fd, patch)
        return fd

    def hunks_again(self, fd: FileDiff, context_lines: int = 3) -> list[Hunk]:
        """A text file's hunks read again from its two blobs, as `diff` read them (the same libgit2 patch of the
        same two blobs, paths and context: app/core/git/shed.py). Raises RepoError when a blob is gone."""
        try:
            old = self.repo[fd.old_blob].peel(pygit2.Blob) if fd.old_blob else None
            new = self.repo[fd.new_blob].peel(pygit2.Blob) if fd.new_blob else None
        except (KeyError, ValueError, pygit2.GitError):
            raise RepoError(f"{visible_path(fd.path)}: its content is no longer in the repository") from None
        patch = pygit2.Patch.create_from(old, new, old_as_path=fd.old_path or fd.path,
                                         new_as_path=fd.new_path or fd.path, context_lines=context_lines)
        if patch.delta.is_binary:  # binary by the checkout's attributes only: read as `diff` read it
            patch = _patch_of_blobs(self.repo, fd.old_blob, fd.new_blob, context_lines) or patch
        again = FileDiff(fd.status, fd.old_path, fd.new_path)
        _fill_hunks(again, patch)
        return again.hunks

    UNDONE_MAX_LINES = 40  # a commit with more added lines is never read as undone (lines_undone)
    UNDONE_MAX_FILES = 5  # nor one that changes more files

    def lines_undone(self, commit_id: str, head: str) -> bool:
        """Whether a small commit's every added line (not a blank one) is gone from `head`'s version of its file:
        a later commit undid or replaced its work (its subject no longer says what the change is: discovery's
        `_title`). False for a merge, a root commit, a commit that only deletes, adds more than UNDONE_MAX_LINES
        lines or changes more than UNDONE_MAX_FILES files, or whatever cannot be read. Answers are remembered per
        (commit, head), in `answers` too (discovery's cache) when it is given."""
        key = (commit_id, head)
        known = self._undone.get(key)
        if known is None:
            stored = f"{commit_id}:{head}"
            kept = self.answers.get_many(UNDONE_KIND, [stored]).get(stored) if self.answers is not None else None
            if isinstance(kept, bool):
                known = kept
            else:
                try:
                    known = self._lines_undone(commit_id, head)
                except (KeyError, ValueError, pygit2.GitError):
                    known = False
                if self.answers is not None:
                    self.answers.put_many(UNDONE_KIND, {stored: known})
            self._undone[key] = known
        return known

    def _lines_undone(self, commit_id: str, head: str) -> bool:
        commit = self.repo[commit_id].peel(pygit2.Commit)
        if len(commit.parents) != 1:
            return False
        diff = commit.parents[0].tree.diff_to_tree(commit.tree, context_lines=0)
        if len(diff) > self.UNDONE_MAX_FILES:  # deltas only, no patch made: a big commit is no small one
            return False
        added: dict[str, set[bytes]] = {}
        count = 0
        for patch in diff:
            if patch is None or patch.delta.is_binary:
                return False
            lines = {line.raw_content.strip() for hunk in patch.hunks for line in hunk.lines if line.origin == "+"}
            lines.discard(b"")
            count += len(lines)
            if count > self.UNDONE_MAX_LINES:
                return False
            if lines:
                added[patch.delta.new_file.path] = lines
        if not added:
            return False
        tree = self.repo[head].peel(pygit2.Commit).tree
        for path, lines in added.items():
            try:
                blob = tree[path].peel(pygit2.Blob)
            except KeyError:
                continue  # the file is gone at the head: so are its lines
            if lines & {line.strip() for line in blob.data.splitlines()}:
                return False
        return True

    def has_blobs(self, fd: FileDiff) -> bool:
        """Whether both sides of a file's change are blobs of this repository (neither a working file nor missing)."""
        odb = self.repo.odb
        return all(blob in odb for blob in (fd.old_blob, fd.new_blob) if blob)

    # -- objects ----------------------------------------------------------------------------
    def blob(self, blob_id: str) -> bytes:
        try:
            obj = self.repo[blob_id]
        except (KeyError, ValueError):
            working = _working_file(blob_id)
            if working is not None:
                return working
            raise RepoError(f"object {blob_id[:10]} is missing") from None
        if not isinstance(obj, pygit2.Blob):
            return b""
        return obj.data

    def blob_size(self, blob_id: str) -> int:
        """The size of a blob from its header: never loads the content."""
        try:
            _kind, size = self.repo.odb.read_header(blob_id)
            return int(size)
        except (KeyError, ValueError, pygit2.GitError):
            return 0

    def tree_paths(self, commit_id: str, limit: int = 200_000) -> list[str]:
        """Every file path of a commit's tree (up to `limit`), from tree objects only: no blob is read."""
        out: list[str] = []
        try:
            stack = [("", self.repo[commit_id].peel(pygit2.Commit).tree)]
            while stack and len(out) < limit:
                prefix, tree = stack.pop()
                for entry in tree:
                    name = prefix + decode_path(entry.raw_name or b"")
                    if entry.filemode == pygit2.GIT_FILEMODE_TREE:
                        stack.append((name + "/", self._tree(entry.id)))
                    else:
                        out.append(name)
        except (KeyError, ValueError, pygit2.GitError):
            pass  # a missing tree (shallow, damaged): the paths we could read
        return out

    def tree_files(self, commit_id: str, suffixes: tuple[str, ...], *, max_bytes: int = 1_000_000,
                   limit: int = 200_000) -> list[tuple[str, bytes]]:
        """(path, content) of every regular file of a commit whose name ends with one of `suffixes`,
        skipping files over `max_bytes` (generated code) and symlinks."""
        out: list[tuple[str, bytes]] = []
        for name, blob_id in self.tree_blobs(commit_id, suffixes, limit=limit):
            data = self.blob_within(blob_id, max_bytes)
            if data is not None:
                out.append((name, data))
        return out

    def tree_blobs(self, commit_id: str, suffixes: tuple[str, ...], *, limit: int = 200_000) -> list[tuple[str, str]]:
        """(path, blob id) of every regular file of a commit whose name ends with one of `suffixes`
        (symlinks left out), in the order `tree_files` gives them; no blob is read."""
        out: list[tuple[str, str]] = []
        try:
            stack = [("", self.repo[commit_id].peel(pygit2.Commit).tree)]
            while stack and len(out) < limit:
                prefix, tree = stack.pop()
                for entry in tree:
                    name = prefix + decode_path(entry.raw_name or b"")
                    if entry.filemode == pygit2.GIT_FILEMODE_TREE:
                        stack.append((name + "/", self._tree(entry.id)))
                    elif entry.filemode in (pygit2.GIT_FILEMODE_BLOB, pygit2.GIT_FILEMODE_BLOB_EXECUTABLE) \
                            and name.endswith(suffixes):
                        out.append((name, str(entry.id)))
        except (KeyError, ValueError, pygit2.GitError):
            pass  # a missing tree (shallow, damaged): the files we could read
        return out

    def directory_files(self, commit_id: str, directory: str, suffixes: tuple[str, ...], *,
                        max_bytes: int = 256_000, limit: int = 200) -> list[tuple[str, bytes]]:
        """(path, content) of the regular files directly in `directory` ("" for the root) of a commit whose
        names end with one of `suffixes` (at most `limit`, none over `max_bytes`); [] when it cannot be read."""
        try:
            tree = self.repo[commit_id].peel(pygit2.Commit).tree
            if directory:
                tree = self._tree(tree[directory].id)
        except (KeyError, ValueError, pygit2.GitError):
            return []
        out: list[tuple[str, bytes]] = []
        prefix = f"{directory}/" if directory else ""
        for entry in tree:
            name = decode_path(entry.raw_name or b"")
            if entry.filemode == pygit2.GIT_FILEMODE_BLOB and name.endswith(suffixes) and len(out) < limit:
                data = self.blob_within(str(entry.id), max_bytes)
                if data is not None:
                    out.append((prefix + name, data))
        return out

    def directory_listing(self, commit_id: str, directory: str, *, limit: int = 200) -> tuple[str, list[str]] | None:
        """(tree id, paths) of the regular files directly in `directory` of a commit, from its tree object alone (no
        blob read); None when it cannot be read or holds more than `limit` entries."""
        try:
            tree = self._tree(self.repo[commit_id].peel(pygit2.Commit).tree[directory].id)
        except (KeyError, ValueError, pygit2.GitError):
            return None
        if len(tree) > limit:
            return None
        prefix = f"{directory}/"
        return str(tree.id), [prefix + decode_path(entry.raw_name or b"") for entry in tree
                              if entry.filemode in (pygit2.GIT_FILEMODE_BLOB, pygit2.GIT_FILEMODE_BLOB_EXECUTABLE)]

    def missing_objects(self, ids: Iterable[str]) -> list[str]:
        """Those of `ids` the object database does not hold (a header check each, no content read)."""
        odb = self.repo.odb
        return [i for i in ids if i not in odb]

    def blob_within(self, blob_id: str, max_bytes: int) -> bytes | None:
        """A blob's content, or None when it is missing, not a blob, or over `max_bytes`."""
        try:
            blob = self.repo[blob_id]
        except (KeyError, ValueError, pygit2.GitError):
            return None
        return blob.data if isinstance(blob, pygit2.Blob) and blob.size <= max_bytes else None

    def changed_paths(self, base: str | None, head: str) -> list[str]:
        """The paths a diff base..head touches (both sides; base None: from the empty tree), from
        trees only: no patch, no blob."""
        try:
            b = self.repo[head].peel(pygit2.Commit).tree
            deltas = (self.repo[base].peel(pygit2.Commit).tree.diff_to_tree(b) if base
                      else b.diff_to_tree(swap=True)).deltas
        except (KeyError, ValueError, pygit2.GitError):
            return []
        return [decode_path(side.raw_path) for d in deltas for side in (d.old_file, d.new_file)]

    def touched_paths(self, base: str | None, head: str) -> set[str]:
        """The paths a diff base..head names (either side; base None: from the empty tree): the set of
        `changed_paths`, found by comparing tree entries and descending only into subtrees whose id
        differs (a tree diff of a large repository costs 4x more: it visits every entry of both trees)."""
        try:
            new = self.repo[head].peel(pygit2.Commit).tree
            old = self.repo[base].peel(pygit2.Commit).tree if base else None
            return {decode_path(raw) for raw in self._touched_raw(old, new)}
        except (KeyError, ValueError, pygit2.GitError):
            return set()

    @staticmethod
    def _touched_raw(old: pygit2.Tree | None, new: pygit2.Tree) -> set[bytes]:
        out: set[bytes] = set()
        _touched(new, old, b"", out)
        return out

    def file_at(self, commit_id: str, path: str) -> bytes | None:
        """The content of `path` in a commit's tree, or None."""
        try:
            tree = self.repo[commit_id].peel(pygit2.Commit).tree
            entry = tree[path]
            obj = self.repo[entry.id]
        except (KeyError, ValueError, pygit2.GitError):
            return None
        return obj.data if isinstance(obj, pygit2.Blob) else None

    def files_named(self, commit_id: str, name: str, *, limit: int = 200,
                    max_bytes: int = 256 * 1024) -> list[tuple[str, bytes]]:
        """Every file called `name` in a commit's tree (`.gitattributes` in any directory), with its content, up
        to `limit` files and `max_bytes` each (larger ones are left out). Each subtree is listed once per process
        (by its id), so the heads of many branches walk only the directories they changed."""
        try:
            tree = self.repo[commit_id].peel(pygit2.Commit).tree
        except (KeyError, ValueError, pygit2.GitError):
            return []
        found: list[tuple[str, bytes]] = []
        for path, blob_id in self._named_in(tree, name, 0)[:limit]:
            try:
                blob = self.repo[blob_id]
            except (KeyError, ValueError, pygit2.GitError):
                continue
            if isinstance(blob, pygit2.Blob) and blob.size <= max_bytes:
                found.append((path, blob.data))
        return found

    def paths_named(self, commit_id: str, name: str, *, limit: int = 20) -> list[str]:
        """The paths of the files called `name` in a commit's tree (no content read), up to `limit`."""
        try:
            tree = self.repo[commit_id].peel(pygit2.Commit).tree
        except (KeyError, ValueError, pygit2.GitError):
            return []
        return [path for path, _blob in self._named_in(tree, name, 0)[:limit]]

    def _named_in(self, tree: pygit2.Tree, name: str, depth: int) -> tuple[tuple[str, str], ...]:
        key = (str(tree.id), name)
        known = self._named.get(key)
        if known is not None:
            return known
        found: list[tuple[str, str]] = []
        for entry in tree:
            if entry.type_str == "blob" and entry.name == name:
                found.append((name, str(entry.id)))
            elif entry.type_str == "tree" and depth < MAX_TREE_DEPTH:
                try:
                    subtree = self._tree(entry.id)
                except (KeyError, ValueError, pygit2.GitError):
                    continue  # a partial clone may lack it
                found += [(f"{entry.name}/{path}", blob) for path, blob in self._named_in(subtree, name, depth + 1)]
        if len(self._named) > 200_000:
            self._named.clear()
        self._named[key] = tuple(found)
        return self._named[key]

    def workdir_file(self, relpath: str) -> bytes | None:
        if self.workdir is None:
            return None
        target = self.workdir / relpath
        try:
            return target.read_bytes() if target.is_file() else None
        except OSError:
            return None

    def note(self, commit_id: str, ref: str) -> str | None:
        try:
            return self.repo.lookup_note(commit_id, ref).message
        except (KeyError, ValueError, pygit2.GitError):
            return None

    def notes(self, ref: str) -> Iterator[tuple[str, str]]:
        """(annotated commit id, note text) for every note under `ref`."""
        try:
            for note in self.repo.notes(ref):  # type: ignore[call-arg]  # the stub omits libgit2's ref argument
                yield str(note.annotated_id), note.message
        except (KeyError, pygit2.GitError):
            return

    # -- provenance: blame with original positions (for app/core/provenance/lines.py) ------------------
    def blame_origins(self, path: str, head: str,
                      oldest: str | None) -> list[tuple[int, int, str | None, str, int]] | None:
        """Blame `path` at head within (oldest, head], one tuple per blame hunk:
        (first line at head, line count, introducing commit or None when the lines are older than
        the range, the file's path in that commit, the hunk's first line number in that commit).
        Renames are followed. None when the file cannot be blamed (missing path, bad ids, corrupt
        or shallow history): the caller then falls back to commit-level attribution.

        git's own blame (config-free, GitCli.blame_spans) first, libgit2's where git cannot run. libgit2's
        blame named commits older than `oldest` as the range's own (rich's dependabot.yml, 11 of 15 lines,
        --base v13.0.0), took three times as long, and its process grew by 5 MB a second over a pass of
        60 changes (1.5 GB); git's runs in a process of its own."""
        by_git = GitCli(self.git_dir).blame_spans(head, path, oldest)
        if by_git is not None:
            return by_git
        try:
            blame = self.repo.blame(path, newest_commit=head, oldest_commit=oldest or None)
            spans: list[tuple[int, int, str | None, str, int]] = []
            for hunk in blame:
                cid = str(hunk.final_commit_id)
                # libgit2 names a commit older than `oldest` without marking it a boundary
                older = bool(oldest) and (cid == oldest or self.is_ancestor(cid, oldest or ""))
                owner = None if hunk.boundary or older else cid
                spans.append((hunk.final_start_line_number, hunk.lines_in_hunk, owner,
                              hunk.orig_path or path, hunk.orig_start_line_number))
        except (KeyError, ValueError, UnicodeDecodeError, pygit2.GitError):
            return None
        return spans

    # -- git notes: reading a notes commit, writing notes atomically (for app/storage/notes.py) --------
    def reference_target(self, name: str) -> str | None:
        """The commit a ref points at, or None when the ref does not exist (or is not a commit)."""
        if not self._ref_exists(name):
            return None
        try:
            return str(self._lookup(name).peel(pygit2.Commit).id)
        except (pygit2.GitError, ValueError, KeyError):
            return None

    def notes_at(self, notes_commit: str | None, *, max_bytes: int | None = None,
                 max_notes: int = 200_000, max_total_bytes: int = 256 << 20) -> NotesRead:
        """Every note of one notes commit as {annotated object id: note bytes}, within bounds.

        Reads flat and fan-out trees alike (git writes `ab/cdef...` once a notes tree grows), and
        returns bytes: a note is untrusted data whose decoding is the caller's business. A notes tree
        is whatever its pusher made it: a gitlink, a tree where a note belongs, a blob where a
        fan-out subtree belongs, a missing object, a note larger than `max_bytes` (checked from the
        object header, before it is read), more than `max_notes` notes or `max_total_bytes` in all -
        each is a problem naming it, never an exception.
        """
        out = NotesRead()
        if notes_commit is None:
            return out
        try:
            tree = self.repo[notes_commit].peel(pygit2.Commit).tree
        except (KeyError, ValueError, TypeError, AttributeError, pygit2.GitError) as exc:
            raise RepoError(f"cannot read notes commit {notes_commit[:10]}: {exc}") from None
        entries = self._note_entries(tree, out.problems, max_notes)
        total = 0
        for key, (path, oid) in entries.items():
            where = "/".join(path)
            out.unread.add(key)
            try:
                kind, size = self.repo.odb.read_header(oid)
            except (KeyError, ValueError, pygit2.GitError):
                out.problems.append(f"note {where}: object {str(oid)[:10]} is missing; skipped")
                continue
            if kind != pygit2.GIT_OBJECT_BLOB:
                out.problems.append(f"note {where}: not a blob; skipped")
            elif max_bytes is not None and size > max_bytes:
                out.problems.append(f"note {where}: {size:,} bytes, larger than {max_bytes:,}; not read")
            elif total + size > max_total_bytes:
                out.problems.append(f"note {where}: the notes exceed {max_total_bytes:,} bytes in all; "
                                    "the rest not read")
                break
            else:
                try:
                    out.notes[key] = self._blob_data(oid)
                except (KeyError, ValueError, AttributeError, pygit2.GitError):
                    out.problems.append(f"note {where}: unreadable object {str(oid)[:10]}; skipped")
                    continue
                total += size
                out.unread.discard(key)
        return out

    def _note_entries(self, tree: pygit2.Tree, problems: list[str] | None = None,
                      max_notes: int = 1 << 62) -> dict[str, tuple[tuple[str, ...], pygit2.Oid]]:
        """{annotated id: (path parts in the notes tree, blob id)} for every note of a notes tree.

        What does not fit the notes layout is listed in `problems` (when given) and skipped."""
        found: dict[str, tuple[tuple[str, ...], pygit2.Oid]] = {}
        report = problems if problems is not None else []

        def walk(node: pygit2.Tree, parts: tuple[str, ...]) -> None:
            for entry in node:
                if len(found) >= max_notes:
                    report.append(f"more than {max_notes:,} notes; the rest not read")
                    raise StopIteration
                raw: bytes = entry.raw_name or b""
                path = (*parts, raw.decode("utf-8", errors="backslashreplace"))
                name = "".join(path).lower()
                hexname = all(c in "0123456789abcdef" for c in name)
                where = "/".join(path)
                if entry.filemode == pygit2.GIT_FILEMODE_TREE:
                    if hexname and len(name) < 40 and len(parts) < 32:
                        try:
                            walk(self._tree(entry.id), path)
                        except (KeyError, ValueError, pygit2.GitError):
                            report.append(f"{where}: missing or unreadable subtree; skipped")
                    elif hexname:
                        report.append(f"{where}: a tree where a note belongs; skipped")
                elif entry.filemode in (pygit2.GIT_FILEMODE_BLOB, pygit2.GIT_FILEMODE_BLOB_EXECUTABLE):
                    if hexname and len(name) in (40, 64):
                        found[name] = (path, entry.id)
                    elif hexname:
                        report.append(f"{where}: a blob where a fan-out subtree or note belongs; skipped")
                elif hexname:
                    kind = "gitlink" if entry.filemode == pygit2.GIT_FILEMODE_COMMIT else "link"
                    report.append(f"{where}: a {kind} where a note belongs; skipped")

        try:
            walk(tree, ())
        except StopIteration:
            pass
        return found

    def write_notes(self, ref: str, notes: dict[str, str], *, expected_tip: str | None,
                    message: str = "Notes added by review-tui") -> str | None:
        """Add or replace the notes of `notes` ({object id: text}) in one new commit on `ref`.

        Compare-and-swap: the commit is made only if `ref` still points at `expected_tip` (None: the
        ref must not exist), so a concurrent writer is never overwritten; returns the new tip, or
        None when another writer moved the ref first (re-read and retry). Existing notes keep their
        place in a fan-out tree; new ones are written flat, as libgit2 and git do for small trees.
        """
        if not notes:
            return expected_tip
        base_tree: pygit2.Tree | None = None
        parents: list[pygit2.Oid] = []
        if expected_tip is not None:
            try:
                tip_commit = self.repo[expected_tip].peel(pygit2.Commit)
            except (KeyError, ValueError, pygit2.GitError) as exc:
                raise RepoError(f"cannot read notes commit {expected_tip[:10]}: {exc}") from None
            base_tree, parents = tip_commit.tree, [tip_commit.id]
        existing = self._note_entries(base_tree) if base_tree is not None else {}
        edits: dict[tuple[str, ...], pygit2.Oid] = {}
        for object_id, text in notes.items():
            key = object_id.lower()
            path = existing[key][0] if key in existing else (key,)
            edits[path] = self.repo.create_blob(text.encode("utf-8"))
        tree = self._edit_tree(base_tree, edits)
        try:
            signature = self.repo.default_signature
        except (KeyError, pygit2.GitError):
            signature = pygit2.Signature("review-tui", "review-tui@localhost")
        try:
            oid = self.repo.create_commit(ref, signature, signature, message, tree, parents)
        except pygit2.GitError as exc:
            if "current tip" in str(exc) or "first parent" in str(exc):
                return None  # another writer moved the ref: nothing was written
            raise RepoError(f"cannot update {ref}: {exc}") from None
        return str(oid)

    def _edit_tree(self, tree: pygit2.Tree | None, edits: dict[tuple[str, ...], pygit2.Oid]) -> pygit2.Oid:
        """A copy of `tree` with blobs set at the given paths (parts), creating subtrees as needed."""
        builder = self.repo.TreeBuilder(tree) if tree is not None else self.repo.TreeBuilder()
        nested: dict[str, dict[tuple[str, ...], pygit2.Oid]] = {}
        for parts, blob in edits.items():
            if len(parts) == 1:
                builder.insert(parts[0], blob, pygit2.GIT_FILEMODE_BLOB)
            else:
                nested.setdefault(parts[0], {})[parts[1:]] = blob
        for name, sub_edits in nested.items():
            subtree = None
            if tree is not None and name in tree:
                obj = self.repo[tree[name].id]
                subtree = obj if isinstance(obj, pygit2.Tree) else None
            builder.insert(name, self._edit_tree(subtree, sub_edits), pygit2.GIT_FILEMODE_TREE)
        return builder.write()


# -- history of chosen paths ---------------------------------------------------------------------
_Trie = dict[str, "_Trie"]  # name -> the wanted paths below it; the key "" marks a wanted path ending there
_END = ""  # never a tree entry's name


def _path_trie(paths: Collection[str]) -> _Trie:
    """The wanted paths as a tree of names (a name can be both a wanted file and a directory of
    wanted paths: a file that became a directory)."""
    root: _Trie = {}
    for path in paths:
        node = root
        for part in path.split("/"):
            node = node.setdefault(part, {})
        node[_END] = {}
    return root


def path_history_exact(path: str) -> bool:
    """Whether `path` can be looked up by name in a tree (what GitRepo.history(paths=...) does):
    a decoded path with escaped undecodable bytes cannot."""
    return bool(path) and "\\x" not in path and not path.startswith("/") and "//" not in path


def _entry(tree: pygit2.Tree | None, name: str) -> pygit2.Object | None:
    if tree is None:
        return None
    try:
        return tree[name]
    except (KeyError, ValueError):
        return None


def _touched_among(commit: pygit2.Commit, trie: _Trie) -> list[str]:
    """The wanted paths whose entry differs between the commit and its first parent (every wanted
    path present in a root commit), as a tree diff reports them: a file (or link, or submodule) on
    either side, added, deleted, changed or re-moded."""
    try:
        parent_tree = commit.parents[0].tree if commit.parents else None
        out: list[str] = []
        _compare(commit.tree, parent_tree, trie, "", out)
        return out
    except pygit2.GitError:
        return []


def _compare(new: pygit2.Tree | None, old: pygit2.Tree | None, trie: _Trie, prefix: str, out: list[str]) -> None:
    for name, below in trie.items():
        if name == _END:
            continue
        a, b = _entry(new, name), _entry(old, name)
        if a is None and b is None:
            continue
        if a is not None and b is not None and a.id == b.id and a.filemode == b.filemode:
            continue  # the same entry: nothing under it changed
        if _END in below and ((a is not None and not isinstance(a, pygit2.Tree))
                              or (b is not None and not isinstance(b, pygit2.Tree))):
            out.append(prefix + name)  # a file (link, submodule) on either side: the diff names it
            if a is not None and b is not None and _kind(a.filemode) != _kind(b.filemode) \
                    and not isinstance(a, pygit2.Tree) and not isinstance(b, pygit2.Tree):
                out.append(prefix + name)  # a file that became a link (or back): deleted, then added
        if len(below) > (1 if _END in below else 0):
            _compare(a if isinstance(a, pygit2.Tree) else None, b if isinstance(b, pygit2.Tree) else None,
                     below, prefix + name + "/", out)


def _touched(new: pygit2.Tree | None, old: pygit2.Tree | None, prefix: bytes, out: set[bytes]) -> None:
    """Add to `out` every path (raw bytes) under `prefix` a tree diff old..new names: a non-tree entry
    added, deleted or changed (id or mode) on either side; a subtree only where its id differs."""
    olds = {entry.raw_name: entry for entry in old if entry.raw_name is not None} if old is not None else {}
    news = {entry.raw_name: entry for entry in new if entry.raw_name is not None} if new is not None else {}
    for raw, entry in news.items():
        before = olds.get(raw)
        # The same entry: nothing under it changed. A tree's mode is always the same, and pygit2's
        # filemode costs ten times an id (an enum per call): asked only of files with the same id.
        if before is not None and before.id == entry.id and (
                isinstance(entry, pygit2.Tree) or before.filemode == entry.filemode):
            continue
        new_tree = entry if isinstance(entry, pygit2.Tree) else None
        old_tree = before if isinstance(before, pygit2.Tree) else None
        if new_tree is not None or old_tree is not None:
            _touched(new_tree, old_tree, prefix + raw + b"/", out)
        if new_tree is None or (before is not None and old_tree is None):
            out.add(prefix + raw)  # a file (link, submodule) on either side
    for raw, before in olds.items():
        if raw not in news:
            if isinstance(before, pygit2.Tree):
                _touched(None, before, prefix + raw + b"/", out)
            else:
                out.add(prefix + raw)


def _kind(filemode: int) -> int:
    """A tree entry's type as a diff tells them apart: a regular file (executable or not), a link or a
    submodule (a change between them is two deltas, the old entry deleted and the new one added)."""
    return filemode & 0o170000
