"""Lines read when someone looks: a big change's collapsed files give their lines' bytes back once its plan is built.

A change's vendored, generated and lock files are collapsed chunks: skimmed, their lines shown only when a reviewer
expands one. lazygit's pr/296 (+3.2M lines, nearly all vendor/) held 121 MB of such lines while its screen was open.
`shed` keeps each of those hunks' origins and line counters (a byte a line: the counts, the plan's segments and
`len` need nothing more) and lets the bytes go; the first read of a line reads the file's patch again from its two
blobs (`GitRepo.hunks_again`: the same libgit2 patch of the same blobs, paths and context, so the same lines; the
origins are checked against those held, hunk by hunk) and fills every hunk of that file.

What was read again stays while it is among the last `LOADED_LINES` lines read this way (the files being looked at);
past that the file read longest ago is shed again. Reads go through one repository object of the source's own, one
at a time (a libgit2 repository is not to be shared between threads): a screen's thread and the UI may both read.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

from app.core.git.diff import DiffLines, FileDiff
from app.core.git.repo import GitRepo
from app.core.text import visible_path
from app.errors import RepoError

LOADED_LINES = 200_000
"""Lines of shed files held again at once (the files a reviewer opened); past it the file read longest ago is shed."""

_lock = threading.RLock()
_loaded: OrderedDict[int, _FileLines] = OrderedDict()  # id -> a file whose lines are held again, oldest first
_loaded_lines = 0
reads = 0
"""How many files were read again in this process (tests and the bench read it)."""


class Reopener:
    """The repository a change's shed files are read again from: a GitRepo of its own, opened at the first read."""

    def __init__(self, path: Path, context_lines: int = 3) -> None:
        self.path, self.context_lines = path, context_lines
        self._repo: GitRepo | None = None

    def repo(self) -> GitRepo:
        if self._repo is None:
            self._repo = GitRepo(self.path)
        return self._repo


class _FileLines:
    """The LineSource of one shed file: every hunk's DiffLines, filled together when one of them is read."""

    def __init__(self, reopener: Reopener, fd: FileDiff, hunks: list[DiffLines]) -> None:
        self.reopener, self.fd, self.hunks = reopener, fd, hunks
        self.lines = sum(len(lines) for lines in hunks)

    def load(self, lines: DiffLines) -> tuple[bytes, array[int], dict[int, tuple[str, bytes]]]:
        global reads
        with _lock:
            if lines.held:
                return lines._bytes()  # read again by another thread meanwhile
            again = self.reopener.repo().hunks_again(self.fd, self.reopener.context_lines)
            fresh = [hunk.lines for hunk in again]
            if len(fresh) != len(self.hunks) or not all(
                    isinstance(new, DiffLines) and new.origins == old.origins
                    for old, new in zip(self.hunks, fresh, strict=False)):
                raise RepoError(f"{visible_path(self.fd.path)}: its lines read again differ from those first read")
            reads += 1
            taken = None
            for old, new in zip(self.hunks, fresh, strict=True):
                assert isinstance(new, DiffLines)
                held = old.fill(new)
                if old is lines:
                    taken = held
            _remember(self)
            assert taken is not None
            return taken

    def shed(self) -> None:
        for lines in self.hunks:
            lines.shed(self)


def _remember(source: _FileLines) -> None:
    """Hold `source`'s lines as the newest read; shed the oldest files past LOADED_LINES (never the newest)."""
    global _loaded_lines
    _loaded[id(source)] = source
    _loaded_lines += source.lines
    while _loaded_lines > LOADED_LINES and len(_loaded) > 1:
        _key, oldest = _loaded.popitem(last=False)
        _loaded_lines -= oldest.lines
        oldest.shed()


def shed(files: Iterable[FileDiff], reopener: Reopener, repo: GitRepo,
         wanted: Callable[[FileDiff], bool]) -> int:
    """Let go of the line bytes of the `wanted` files (read again when a line is read); the lines shed. A file is
    shed only when git can read it again as it was read: a text file of compactly held hunks whose blobs are
    in `repo` (not a working file's, not a missing one's)."""
    count = 0
    with _lock:
        for fd in files:
            if not fd.hunks or not fd.text_read or fd.problem or fd.is_submodule or not wanted(fd):
                continue
            hunks = [hunk.lines for hunk in fd.hunks]
            if not all(isinstance(lines, DiffLines) and lines.held for lines in hunks) or not repo.has_blobs(fd):
                continue
            source = _FileLines(reopener, fd, [lines for lines in hunks if isinstance(lines, DiffLines)])
            source.shed()
            count += source.lines
    return count


def forget() -> None:
    """Stop holding the files read again (their lines are shed once more)."""
    global _loaded_lines
    with _lock:
        while _loaded:
            _key, source = _loaded.popitem(last=False)
            source.shed()
        _loaded_lines = 0
