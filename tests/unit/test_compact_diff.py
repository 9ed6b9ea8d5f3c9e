"""Issue 18, memory: a diff's lines are held compactly (DiffLines: one string of origins, the lines' bytes end to
end), not as one DiffLine object a line: lazygit's +3.2M-line pr/296 held 747 MB of them. Every way of reading
a hunk's lines (iterating, indexing from either end, slicing) gives the lines git gave, numbered as git numbers
them, with a line that is not UTF-8 shown by its escapes and its bytes kept."""

from __future__ import annotations

import gc

from app.core.git.diff import ADDED, CONTEXT, DELETED, DiffLine, DiffLines, Hunk
from app.core.git.repo import GitRepo
from tests.conftest import ALICE, BOB

OLD = [f"line {i}" for i in range(1, 301)]


def _edited() -> list[bytes]:
    """OLD with line 10 replaced, 150 lines inserted after line 100 (one not UTF-8), and lines 200-209 deleted."""
    new = [line.encode() for line in OLD]
    new[9] = b"line ten, rewritten"
    inserted = [f"added {i} caf\u00e9".encode() for i in range(150)]
    inserted[70] = b"latin-1 caf\xe9 \xe8"
    return new[:100] + inserted + new[100:199] + new[209:]


def _diff(make_repo):
    b = make_repo("compact")
    b.commit("init", {"data.txt": "\n".join(OLD) + "\n", "keep.txt": "k\n"}, author=ALICE)
    b.branch("edit")
    big = "".join(f"new {i}\n" for i in range(5_000))
    b.commit("Edit", {"data.txt": b"\n".join(_edited()) + b"\n", "big.txt": big}, branch="edit", author=BOB)
    b.checkout()
    return GitRepo(b.path).diff(b.head(), b.head("edit"))


def _expected_numbers(hunk: Hunk) -> list[tuple[int | None, int | None]]:
    old, new, out = hunk.old_start, hunk.new_start, []
    for line in hunk.lines:
        out.append((old if line.origin != ADDED else None, new if line.origin != DELETED else None))
        old += line.origin != ADDED
        new += line.origin != DELETED
    return out


def test_a_hunks_lines_read_every_way_are_the_lines_git_gave(make_repo) -> None:
    files = {fd.path: fd for fd in _diff(make_repo)}
    data = files["data.txt"]
    assert (data.additions, data.deletions) == (151, 11)
    assert all(isinstance(hunk.lines, DiffLines) for fd in files.values() for hunk in fd.hunks)
    for hunk in data.hunks:
        lines = list(hunk.lines)
        assert [(line.old_lineno, line.new_lineno) for line in lines] == _expected_numbers(hunk)
        assert [hunk.lines[i] for i in range(len(lines))] == lines  # indexing, past the 64-line marks too
        assert [hunk.lines[-k] for k in range(1, len(lines) + 1)] == lines[::-1]
        for start, stop in ((0, 1), (63, 130), (5, 5), (len(lines) - 3, len(lines) + 10), (-4, -1)):
            assert hunk.lines[start:stop] == lines[start:stop]
        assert hunk.lines[::7] == lines[::7]
        assert hunk.lines == lines and hunk.origins == "".join(line.origin for line in lines)
    every = [line for hunk in data.hunks for line in hunk.lines]
    assert [line.text for line in every if line.origin == DELETED] == [OLD[9], *OLD[199:209]]
    added = [line for line in every if line.origin == ADDED]
    assert [line.text for line in added][:3] == ["line ten, rewritten", "added 0 caf\u00e9", "added 1 caf\u00e9"]
    assert all(line.raw is None for line in added if line.text != "latin-1 caf\\xe9 \\xe8")
    [lossy] = [line for line in added if line.raw is not None]
    assert lossy == DiffLine(ADDED, None, 171, "latin-1 caf\\xe9 \\xe8", b"latin-1 caf\xe9 \xe8")
    assert all(line.origin == CONTEXT for line in every if line.origin not in (ADDED, DELETED))
    [big] = files["big.txt"].hunks
    assert big.lines[4_999] == DiffLine(ADDED, None, 5_000, "new 4999")


def test_a_diff_keeps_no_object_a_line(make_repo) -> None:
    """The 5,000 lines of big.txt and the 300 of data.txt are not 5,000 DiffLine objects waiting in memory."""
    gc.collect()
    before = sum(isinstance(o, DiffLine) for o in gc.get_objects())
    files = _diff(make_repo)
    gc.collect()
    assert sum(isinstance(o, DiffLine) for o in gc.get_objects()) - before < 100
    assert sum(len(hunk.lines) for fd in files for hunk in fd.hunks) > 5_000
