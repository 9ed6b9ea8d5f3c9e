"""More context around hunks (app.tui.file_context) on real diffs built with the sample RepoBuilder."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.core.git.diff import FileDiff
from app.core.git.repo import GitRepo
from app.samples import load
from app.tui.file_context import CONTEXT_STEP, Expansions, FileLayout, split_lines, widen, window_rows


def _diff(tmp_path: Path, old: str, new: str) -> FileDiff:
    samples = load()
    builder = samples.RepoBuilder(tmp_path / "repo")
    dev = samples.Person("Dev", "dev@example.com")
    base = builder.commit("base", {"m.py": old}, author=dev)
    head = builder.commit("head", {"m.py": new}, author=dev)
    (fd,) = GitRepo(str(tmp_path / "repo")).diff(base, head)
    return fd


def _module(changed: set[int], size: int = 120) -> str:
    return "".join(f"value_{i} = {i * 10 if i in changed else i}\n" for i in range(size))


def test_split_lines_numbers_lines_as_git_does() -> None:
    assert split_lines("a\nb\n") == ["a", "b"]
    assert split_lines("a\r\nb") == ["a\r", "b"]
    assert split_lines("page\x0cbreak\n") == ["page\x0cbreak"]  # a form feed is not a line break
    assert split_lines("") == []


def test_layout_has_every_line_of_both_versions(tmp_path: Path) -> None:
    old, new = _module(set()), _module({5, 60, 61, 118})
    fd = _diff(tmp_path, old, new)
    assert len(fd.hunks) == 3
    layout = FileLayout(fd, split_lines(new))
    assert [r.text for r in layout.rows if r.origin != "-"] == split_lines(new)
    assert [r.text for r in layout.rows if r.origin != "+"] == split_lines(old)
    assert [r.new_no for r in layout.rows if r.origin != "-"] == list(range(1, len(split_lines(new)) + 1))


def test_windows_grow_by_a_step_then_to_the_whole_file_and_mark_other_lines(tmp_path: Path) -> None:
    new = _module({5, 60, 61, 118})
    fd = _diff(tmp_path, _module(set()), new)
    layout = FileLayout(fd, split_lines(new))
    spans = [(layout.position(h, 0), layout.position(h, len(hunk.lines) - 1) + 1) for h, hunk in enumerate(fd.hunks)]
    mine = spans[1:2]  # the middle hunk is "ours"; the others belong elsewhere
    expansions = Expansions()
    size = len(layout.rows)
    assert expansions.windows("c", 0, mine, size) == mine
    assert expansions.grow("c", 0, mine, size, mine[0][0], whole=False)
    (window,) = expansions.windows("c", 0, mine, size)
    assert window == (mine[0][0] - CONTEXT_STEP, mine[0][1] + CONTEXT_STEP)
    assert expansions.grow("c", 0, mine, size, mine[0][0], whole=True)
    assert expansions.windows("c", 0, mine, size) == [(0, size)]
    assert not expansions.grow("c", 0, mine, size, 0, whole=True)  # nothing more to show
    own = {(1, line) for line in range(len(fd.hunks[1].lines))}
    rows = window_rows(layout, [(0, size)], fd.path,
                       elsewhere=lambda h, i: None if (h, i) in own else "chunk 9")
    assert rows[0].kind == "hunk" and "whole file" in rows[0].text
    changed = [row for row in rows if row.kind in ("add", "del")]
    assert {row.elsewhere for row in changed if "value_60 " in row.text or "value_61 " in row.text} == {None}
    assert {row.elsewhere for row in changed if "value_5 " in row.text} == {"chunk 9"}
    assert all(row.elsewhere is None for row in rows if row.kind == "context")


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)), min_size=1, max_size=6),
       st.lists(st.integers(0, 50), min_size=6, max_size=6))
def test_widened_windows_cover_their_spans_in_order_and_never_overlap(raw: list[tuple[int, int]],
                                                                       extras: list[int]) -> None:
    size = 260
    spans = sorted({(start, min(size, start + length)) for start, length in raw})
    windows = widen(spans, extras[:len(spans)], size)
    assert all(0 <= a < b <= size for a, b in windows)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(windows))
    for start, stop in spans:
        assert any(a <= start and stop <= b for a, b in windows)
