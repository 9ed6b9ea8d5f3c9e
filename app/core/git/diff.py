"""Diff models: FileDiff / Hunk / DiffLine, plain data decoupled from pygit2.

Text is decoded as UTF-8 with replacement characters so that non-UTF-8 content is
shown, never crashes; the original bytes stay in git.
"""

from __future__ import annotations

import posixpath
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, overload

from app.core.text import visible_path

ADDED = "+"
DELETED = "-"
CONTEXT = " "
SYMLINK_MODE = 0o120000  # a symbolic link: its blob is the path it points at
GITLINK_MODE = 0o160000  # a submodule: the tree entry names a commit of another repository, not a blob


@dataclass(slots=True)
class DiffLine:
    """One line of a hunk. Line numbers are 1-based; None where the side lacks the line."""

    origin: str  # "+", "-" or " "
    old_lineno: int | None
    new_lineno: int | None
    text: str  # without the trailing newline
    raw: bytes | None = None
    """The line's bytes when they are not UTF-8 (`text` then holds replacement characters, which
    would make `\xe9` and `\xe8` look and hash alike); None for the usual UTF-8 line."""

    @property
    def is_change(self) -> bool:
        return self.origin != CONTEXT


class LineSource(Protocol):
    """Reads a shed file's lines again and fills its hunks' DiffLines (app/core/git/shed.py)."""

    def load(self, lines: DiffLines) -> tuple[bytes, array[int], dict[int, tuple[str, bytes]]]:
        """Read the file's lines again, fill its hunks (`DiffLines.fill`), and give `lines` its bytes."""
        ...


MARK_EVERY = 64  # DiffLines keeps both sides' line counters at every 64th line: a line's numbers in <= 63 steps


class DiffLines(Sequence[DiffLine]):
    """A hunk's lines held compactly, as git numbers them: their origins (one character each), their UTF-8 bytes
    end to end with each line's end offset, and a line's old and new numbers counted from the hunk's starts. A
    DiffLine is made when a line is read (indexing, slicing, iterating): equal to the one a list would hold.
    lazygit's +3.2M-line pr/296 held 747 MB of DiffLine objects (227 bytes a line); this holds ~41 a line.
    `lossy`: the lines whose bytes are not UTF-8, by index (their text shows backslash escapes, DiffLine.raw).

    Shed (`shed`): only the origins and counters are held, and the bytes are read again from git when a line is
    first read (`LineSource`: app/core/git/shed.py); a collapsed chunk's lines are read when someone looks."""

    __slots__ = ("_held", "_marks", "_source", "origins")

    def __init__(self, old_start: int, new_start: int, origins: str, data: bytes, ends: array[int],
                 lossy: dict[int, tuple[str, bytes]]) -> None:
        self.origins = origins
        # the bytes, each line's end offset and the lossy lines, in one tuple: a thread reading lines while
        # another sheds them keeps the tuple it took
        self._held: tuple[bytes, array[int], dict[int, tuple[str, bytes]]] | None = (data, ends, lossy)
        self._source: LineSource | None = None
        marks = array("I")
        old, new = old_start, new_start
        for at in range(0, len(origins), MARK_EVERY):
            if at:
                run = origins[at - MARK_EVERY:at]
                context = run.count(CONTEXT)
                old, new = old + context + run.count(DELETED), new + context + run.count(ADDED)
            marks += array("I", (old, new))
        self._marks = marks

    @staticmethod
    def numbered_as_git(old_start: int, new_start: int, origins: str,
                        numbers: Sequence[tuple[int | None, int | None]]) -> bool:
        """Whether each line's (old, new) numbers are those counted from the hunk's starts: what DiffLines gives."""
        old, new = old_start, new_start
        for origin, (old_no, new_no) in zip(origins, numbers, strict=True):
            want_old = old if origin != ADDED else None
            want_new = new if origin != DELETED else None
            if old_no != want_old or new_no != want_new:
                return False
            old += origin != ADDED
            new += origin != DELETED
        return True

    def __len__(self) -> int:
        return len(self.origins)

    @property
    def held(self) -> bool:
        """Whether the lines' bytes are held (False: shed, read again when a line is read)."""
        return self._held is not None

    @property
    def held_bytes(self) -> int:
        """About what the held lines take (their bytes and offsets); 0 when shed."""
        held = self._held
        return 0 if held is None else len(held[0]) + 4 * len(held[1])

    def shed(self, source: LineSource) -> None:
        """Let the bytes go; `source` reads them again (`fill`) when a line is next read."""
        self._source = source
        self._held = None

    def fill(self, other: DiffLines) -> tuple[bytes, array[int], dict[int, tuple[str, bytes]]]:
        """Take the bytes of `other`, the same lines read again (the same origins); what is now held."""
        held = other._bytes()
        self._held = held
        return held

    def _bytes(self) -> tuple[bytes, array[int], dict[int, tuple[str, bytes]]]:
        held = self._held
        if held is None:
            assert self._source is not None  # shed lines always have a source
            held = self._source.load(self)
        return held

    def _line(self, index: int, old: int, new: int,
              held: tuple[bytes, array[int], dict[int, tuple[str, bytes]]] | None = None) -> DiffLine:
        origin = self.origins[index]
        data, ends, lossy_lines = held or self._bytes()
        lossy = lossy_lines.get(index) if lossy_lines else None
        if lossy is not None:
            text, raw = lossy
        else:
            start = ends[index - 1] if index else 0
            text, raw = data[start:ends[index]].decode("utf-8"), None
        return DiffLine(origin, old if origin != ADDED else None, new if origin != DELETED else None, text, raw)

    def added_numbers(self) -> list[int]:
        """The new-side number of each added line, from the origins alone (shed lines are not read again)."""
        numbers: list[int] = []
        new = self._marks[1] if self._marks else 0
        for origin in self.origins:
            if origin == ADDED:
                numbers.append(new)
            new += origin != DELETED
        return numbers

    def _counters(self, index: int) -> tuple[int, int]:
        """The old and new line counters at line `index` (before it)."""
        mark = index // MARK_EVERY
        old, new = self._marks[2 * mark], self._marks[2 * mark + 1]
        run = self.origins[mark * MARK_EVERY:index]
        context = run.count(CONTEXT)
        return old + context + run.count(DELETED), new + context + run.count(ADDED)

    @overload
    def __getitem__(self, index: int) -> DiffLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[DiffLine]: ...

    def __getitem__(self, index: int | slice) -> DiffLine | list[DiffLine]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return list(self._run(start, stop))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("DiffLines index out of range")
        return self._line(index, *self._counters(index))

    def _run(self, start: int, stop: int) -> Iterator[DiffLine]:
        if start >= stop:
            return
        old, new = self._counters(start)
        held = self._bytes()
        for index in range(start, stop):
            line = self._line(index, old, new, held)
            old += line.origin != ADDED
            new += line.origin != DELETED
            yield line

    def __iter__(self) -> Iterator[DiffLine]:
        return self._run(0, len(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DiffLines | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list of its lines: unhashable as a list is

    def __repr__(self) -> str:
        return f"DiffLines({list(self)!r})"


@dataclass(slots=True)
class Hunk:
    old_start: int
    old_lines: int
    new_start: int
    new_lines: int
    header: str  # the text after the second "@@" (enclosing function context)
    lines: Sequence[DiffLine] = field(default_factory=list)
    """A list, or DiffLines (GitRepo's diffs: the same lines, held compactly)."""

    @property
    def origins(self) -> str:
        """Each line's origin, one character a line."""
        lines = self.lines
        return lines.origins if isinstance(lines, DiffLines) else "".join(line.origin for line in lines)

    @property
    def additions(self) -> int:
        return self.origins.count(ADDED)

    @property
    def deletions(self) -> int:
        return self.origins.count(DELETED)


@dataclass(slots=True)
class FileDiff:
    """The change to one file between two trees."""

    status: str  # added | deleted | modified | renamed | copied | typechange
    old_path: str | None
    new_path: str | None
    old_blob: str | None = None  # hex id, None when the side does not exist
    new_blob: str | None = None
    binary: bool = False
    similarity: int = 0  # rename similarity 0..100
    additions: int = 0
    deletions: int = 0
    old_size: int = 0
    new_size: int = 0
    hunks: list[Hunk] = field(default_factory=list)
    old_mode: int = 0
    new_mode: int = 0
    problem: str | None = None
    """Why this file's content could not be read (a blob missing from a partial or damaged clone):
    it is listed with no lines rather than guessed, and the rest of the diff is unaffected."""
    old_submodule: str | None = None
    """The commit a submodule (gitlink) side points at. That side has no blob (`old_blob` is None):
    the commit lives in the submodule's own repository. Its lines are git's "Subproject commit <id>"."""
    new_submodule: str | None = None
    counted_only: bool = False
    """Its lines were counted, not read (GitRepo.count_only: a file of a committed virtual environment,
    other projects' code): `additions` and `deletions` are exact, `hunks` is empty. A 6,765-file venv of
    1.3 million lines held 240 MB of line objects that nothing but the counts ever used."""
    not_diffed: bool = False
    """Binary because the base's .gitattributes mark it `-diff` or `binary` (GitRepo.not_diffed), as git shows it:
    no lines read or counted, whatever its content (crush's recorded agent sessions, 13,329 lines of YAML)."""

    @property
    def path(self) -> str:
        """The path a reviewer knows the file by: the new path unless it was deleted."""
        return self.new_path if self.new_path is not None else (self.old_path or "")

    @property
    def display_path(self) -> str:
        if self.status in ("renamed", "copied") and self.old_path != self.new_path:
            return f"{self.old_path} → {self.new_path}"
        return self.path

    @property
    def status_label(self) -> str:
        """The status as a file header says it: a symlink's change is its target's ("symlink modified":
        its one line is the path it points at, not content)."""
        modes = (self.old_mode, self.new_mode)
        if SYMLINK_MODE not in modes:
            return self.status
        if self.old_mode != self.new_mode and self.status not in ("added", "deleted"):
            return f"{self.status}: {'now a symlink' if self.new_mode == SYMLINK_MODE else 'no longer a symlink'}"
        return f"symlink {self.status}"

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path)

    @property
    def text_read(self) -> bool:
        """Its lines were read as text: neither binary (or too large) nor counted only."""
        return not self.binary and not self.counted_only

    @property
    def changed_lines(self) -> int:
        return self.additions + self.deletions

    @property
    def is_submodule(self) -> bool:
        return self.old_submodule is not None or self.new_submodule is not None

    def submodule_summary(self) -> str:
        """What happened to a submodule: "submodule vendor/lib: 847fc70 -> dc1b590", "... added at
        dc1b590", "... removed (was 847fc70)"; a side that is not a submodule is "file"."""
        old = self.old_submodule[:7] if self.old_submodule else ("file" if self.old_path is not None
                                                                 and self.status != "added" else None)
        new = self.new_submodule[:7] if self.new_submodule else ("file" if self.new_path is not None
                                                                 and self.status != "deleted" else None)
        where = f"submodule {visible_path(self.display_path)}"
        if old is None:
            return f"{where}: added at {new}"
        if new is None:
            return f"{where}: removed (was {old})"
        return f"{where}: {old} -> {new}" if old != new else f"{where}: at {new}"

    @property
    def is_pure_rename(self) -> bool:
        return self.status in ("renamed", "copied") and self.changed_lines == 0 and not self.binary

    def added_line_numbers(self) -> list[int]:
        """The new-side numbers of the added lines; a shed file's lines are not read again for them."""
        numbers: list[int] = []
        for hunk in self.hunks:
            lines = hunk.lines
            numbers += (lines.added_numbers() if isinstance(lines, DiffLines)
                        else [line.new_lineno for line in lines if line.origin == ADDED and line.new_lineno])
        return [number for number in numbers if number]

    def added_lines(self) -> Iterator[DiffLine]:
        for hunk in self.hunks:
            for line in hunk.lines:
                if line.origin == ADDED:
                    yield line

    def deleted_lines(self) -> Iterator[DiffLine]:
        for hunk in self.hunks:
            for line in hunk.lines:
                if line.origin == DELETED:
                    yield line


def decode_text(raw: bytes) -> str:
    """Decode repository bytes for display and analysis; never raises."""
    return raw.decode("utf-8", errors="replace")


def decode_path(raw: bytes) -> str:
    """Decode a path; undecodable bytes are shown as \\xNN escapes so they stay distinct."""
    return raw.decode("utf-8", errors="backslashreplace")
