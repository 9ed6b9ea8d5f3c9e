"""Lines that only moved within a change (a block deleted in one place and added in another) are skimmed, not read
(QA57 F11, QA58 F3): the reviewer checks that the block moved intact. The chunks still partition the diff exactly;
only the floor changes."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.git.diff import DiffLine, FileDiff, Hunk
from app.core.planner.builder import build_plan
from app.core.planner.model import ChunkConfig
from app.core.planner.moved import MIN_ALNUM, MIN_LINES, moved_lines
from app.core.planner.whitespace import file_whitespace_lines
from tests.unit.test_chunks import assert_bound, assert_partition

_BLOCK = ["if (loan.isIndividual()) {", "    for (Mapping m : tx.mappings()) {", "        m.checks().markPaid();",
          "    }", "}"]


def _file(path: str, rows: list[tuple[str, str]], status: str = "modified") -> FileDiff:
    lines, old, new = [], 1, 1
    for origin, text in rows:
        lines.append(DiffLine(origin, old if origin != "+" else None, new if origin != "-" else None, text))
        old += origin != "+"
        new += origin != "-"
    hunk = Hunk(1, old - 1, 1, new - 1, "", lines)
    fd = FileDiff(status, path, path, hunks=[hunk])
    fd.additions, fd.deletions = hunk.additions, hunk.deletions
    return fd


def test_a_block_moved_to_another_file_is_moved_on_both_sides_re_indented_or_not() -> None:
    source = _file("A.java", [(" ", "class A {"), *(("-", "    " + line) for line in _BLOCK), (" ", "}")])
    target = _file("B.java", [(" ", "class B {"), ("+", "  void f() {"), *(("+", "    " + line) for line in _BLOCK),
                              ("+", "  }"), (" ", "}")])
    found = moved_lines([source, target])
    assert found == {0: [frozenset(range(1, 6))], 1: [frozenset(range(2, 7))]}, found


def test_an_edited_line_inside_a_moved_block_is_read_and_short_or_common_lines_never_move() -> None:
    edited = [*_BLOCK[:2], "        m.checks().markPaid(now);", *_BLOCK[3:]]
    source = _file("A.java", [*(("-", line) for line in _BLOCK), ("-", "return None"), ("-", "}"), ("-", "}")])
    target = _file("B.java", [*(("+", line) for line in edited), ("+", "}"), ("+", "}"), ("+", "return None")])
    found = moved_lines([source, target])
    # the two lines above the edit are a block of 2: too short; the edited line and the braces below it are read
    assert found == {}, found
    longer = [*_BLOCK[:3], "        m.log();", *_BLOCK[3:]]  # a line added inside the block as it moved
    target = _file("B.java", [*(("+", line) for line in longer)])
    source = _file("A.java", [*(("-", line) for line in _BLOCK)])
    found = moved_lines([source, target])
    # the three lines above the added one moved; it is read, and the two braces below it are too few to move
    assert found == {0: [frozenset({0, 1, 2})], 1: [frozenset({0, 1, 2})]}, found
    assert MIN_LINES == 3 and MIN_ALNUM == 20


def test_a_block_deleted_in_several_places_and_added_once_is_moved_in_each() -> None:
    """Three inline copies extracted into one method (fineract pr/4121's collateral loop)."""
    copies = [_file(f"S{i}.java", [(" ", "x();"), *(("-", line) for line in _BLOCK), ("+", "helper();")])
              for i in range(3)]
    helper = _file("H.java", [*(("+", line) for line in _BLOCK)], status="added")
    found = moved_lines([*copies, helper])
    assert found == {0: [frozenset(range(1, 6))], 1: [frozenset(range(1, 6))], 2: [frozenset(range(1, 6))],
                     3: [frozenset(range(5))]}, found
    duplicated = moved_lines([copies[0], helper, _file("I.java", [*(("+", line) for line in _BLOCK)], "added")])
    assert 2 not in duplicated  # added twice from one place: the second copy is new code to read


def test_the_plan_skims_moved_lines_and_says_so() -> None:
    body = [f"    total += ledger.amount_of(entry_{k}) * rate_{k}" for k in range(60)]
    source = _file("billing/old.py", [(" ", "def a():"), *(("-", line) for line in body), (" ", "    return 1")])
    target = _file("billing/new.py", [(" ", "def b():"), *(("+", line) for line in body), (" ", "    return 2")])
    plan = build_plan([source, target], config=ChunkConfig())
    moved = sum(c.moved_lines for c in plan.chunks)
    assert moved == 120, [c.floor_derivation for c in plan.chunks]
    assert any("120 moved lines (a block deleted in one place of the change and added in another: checked moved "
               "intact, skimmed) at 4000/h" in c.floor_derivation for c in plan.chunks)
    assert plan.notes == ["120 of 120 changed lines only moved (blocks of 3 lines or more deleted in one place of "
                          "the change and added in another, whitespace aside): check they moved intact, skimmed at "
                          "4,000 lines an hour"]
    assert plan.total_floor_seconds < 120 * 3600 / 500  # not read at the code rate


@st.composite
def moving_files(draw: st.DrawFn) -> list[FileDiff]:
    """Blocks deleted from some files and added to others, some edited on the way, with unrelated edits around."""
    blocks = [[f"value_{b}_{k} = compute(item_{b}, {k})" for k in range(draw(st.integers(1, 12)))]
              for b in range(draw(st.integers(1, 5)))]
    files: list[list[tuple[str, str]]] = [[] for _ in range(draw(st.integers(1, 4)))]
    for b, block in enumerate(blocks):
        files[draw(st.integers(0, len(files) - 1))].extend(("-", line) for line in block)
        added = list(block)
        if block and draw(st.booleans()):
            added[draw(st.integers(0, len(block) - 1))] += "  # edited"
        files[draw(st.integers(0, len(files) - 1))].extend(("+", "    " + line) for line in added)
        files[draw(st.integers(0, len(files) - 1))].append((" ", f"keep_{b}()"))
        files[draw(st.integers(0, len(files) - 1))].append(("+", "}"))
    return [_file(f"pkg/m{i}.py", rows or [(" ", "pass")]) for i, rows in enumerate(files)]


@settings(max_examples=80, deadline=None)
@given(moving_files(), st.integers(10, 200))
def test_moved_lines_keep_the_partition_exact_and_match_text_found_on_the_other_side(
        files: list[FileDiff], target: int) -> None:
    plan = build_plan(files, config=ChunkConfig(target_lines=target, data_min_lines=10**9))
    assert_partition(plan, files)
    assert_bound(plan, target)
    assert plan.total_floor_seconds == sum(c.floor_seconds for c in plan.chunks)
    found = moved_lines(files)
    deleted = {line.text.strip() for fd in files for hunk in fd.hunks for line in hunk.lines if line.origin == "-"}
    added = {line.text.strip() for fd in files for hunk in fd.hunks for line in hunk.lines if line.origin == "+"}
    marked = 0
    for index, hunks in found.items():
        reindented = file_whitespace_lines(files[index])
        for hunk, lines, skimmed in zip(files[index].hunks, hunks, reindented, strict=True):
            for i in lines:
                line = hunk.lines[i]
                assert line.origin in "+-" and line.text.strip() in (deleted if line.origin == "+" else added)
                marked += i not in skimmed
    # the plan skims exactly the lines the diff view marks moved (and not re-indented in place)
    assert sum(c.moved_lines for c in plan.chunks) == marked
    for chunk in plan.chunks:
        assert 0 <= chunk.moved_lines + chunk.whitespace_lines <= chunk.changed_lines


def test_finding_moved_lines_is_linear_on_a_hostile_change() -> None:
    """Repository content is untrusted: 60,000 identical lines deleted and added, and 60,000 lone braces, must not
    take quadratic time."""
    same = ["value = compute(item, 1) + other"] * 60_000
    braces = ["}"] * 60_000
    files = [_file("a.txt", [*(("-", t) for t in same), *(("-", t) for t in braces)]),
             _file("b.txt", [*(("+", t) for t in same), *(("+", t) for t in braces)])]
    started = time.perf_counter()
    found = moved_lines(files)
    assert time.perf_counter() - started < 5.0
    assert len(found[0][0]) >= 60_000 and len(found[1][0]) >= 60_000
