"""Changed lines that only change whitespace (re-indented) are skimmed, not read (QA51 #25: hono pull/2077 re-indented
package.json whole, 1,094 changed lines of which `git diff -w` leaves 10: three chunks and a 2 h 44 min floor).

The chunks still partition the diff exactly and the line counts stay git's; only the effort (the floor, and how many
lines one chunk holds of a file that is mostly re-indented) changes."""

from __future__ import annotations

import json
import re
import subprocess

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import cli
from app.core.git.diff import DiffLine, FileDiff, Hunk
from app.core.planner.builder import build_plan
from app.core.planner.model import ChunkConfig
from app.core.planner.whitespace import file_whitespace_lines, whitespace_only
from tests.conftest import ALICE, BOB
from tests.unit.test_chunks import assert_bound, assert_partition, plan_for


def _hunk(rows: list[tuple[str, str]]) -> tuple[list[DiffLine], str]:
    lines, old, new = [], 1, 1
    for origin, text in rows:
        lines.append(DiffLine(origin, old if origin != "+" else None, new if origin != "-" else None, text))
        old += origin != "+"
        new += origin != "-"
    return lines, "".join(origin for origin, _ in rows)


def test_lines_are_paired_in_order_within_a_block_of_changes_as_git_diff_w_pairs_them() -> None:
    lines, origins = _hunk([
        (" ", "{"),
        ("-", '  "name": "hono",'), ("-", '  "version": "4.0.0-rc.3",'), ("-", '  "private": false'),
        ("+", '    "name": "hono",'), ("+", '    "version": "4.0.0-rc.2",'), ("+", '    "private":false'),
        (" ", "}"),
        ("-", "a()"), ("-", "b()"), ("+", "b()"), ("+", "a()"),  # a swap: one line moved, the other kept, as -w sees it
        ("+", "  c()"), ("-", "c()"),  # pairs across the order of its origins
    ])
    assert whitespace_only(lines, origins, "package.json") == [1, 3, 4, 6, 8, 11, 12, 13]


def test_lines_that_are_not_utf8_pair_by_their_bytes() -> None:
    """`\xe9` and `\xe8` both read as a replacement character: the same text, not the same line."""
    lines, origins = _hunk([("-", "name = '\ufffd'"), ("-", "  x = 1"), ("+", "name  = '\ufffd'"), ("+", "x = 1")])
    lines[0].raw, lines[2].raw = b"name = '\xe9'", b"name  = '\xe8'"
    assert whitespace_only(lines, origins, "legacy.txt") == [1, 3]
    lines[2].raw = b"name  = '\xe9'"
    assert whitespace_only(lines, origins, "legacy.txt") == [0, 1, 2, 3]


def test_where_indentation_is_syntax_a_re_indented_line_is_a_real_change() -> None:
    """In Python (YAML, Makefiles ...) a line indented further moved into a block: read, not skimmed. Its other
    whitespace may still change alone."""
    lines, origins = _hunk([("-", "x = f(a,b)"), ("-", "return x"), ("+", "x = f(a, b)"), ("+", "    return x")])
    assert whitespace_only(lines, origins, "app/core.py") == [0, 2]
    assert whitespace_only(lines, origins, "app/core.js") == [0, 1, 2, 3]
    assert whitespace_only(lines, origins, "deploy/values.yaml") == [0, 2]


MANIFEST = {
    "name": "hono", "version": "4.0.0-rc.3", "description": "Ultrafast web framework",
    "scripts": {f"test:{k}": f"vitest --run test/{k}" for k in range(60)},
    "exports": {f"./{k}": {"types": f"./dist/types/{k}.d.ts", "import": f"./dist/{k}.js"} for k in range(60)},
}


def test_a_re_indented_manifest_is_one_chunk_skimmed_and_counted_as_git_counts_it(make_repo) -> None:
    """The shape of hono pull/2077: package.json re-indented from 2 to 4 spaces, its version lowered and an export
    added. One chunk (was several), its floor the real lines at the code rate and the rest skimmed, the counts
    git's numstat; the plan, the chunk's row and `chunks` say how many lines are only re-indented."""
    b = make_repo("reindent")
    b.commit("init", {"package.json": json.dumps(MANIFEST, indent=2) + "\n", "src/app.ts": "export const a = 1\n"},
             author=ALICE)
    b.branch("reindent")
    head = dict(MANIFEST, version="4.0.0-rc.2")
    head["exports"] = dict(MANIFEST["exports"], **{"./body-limit": {"import": "./dist/body-limit.js"}})
    b.commit("re-indent", {"package.json": json.dumps(head, indent=4) + "\n"}, branch="reindent", author=BOB)
    b.checkout()
    numstat = subprocess.run(["git", "diff", "--numstat", "main", "reindent"], cwd=b.path, capture_output=True,
                             text=True, check=True).stdout.split()
    real = subprocess.run(["git", "diff", "-w", "--numstat", "main", "reindent"], cwd=b.path, capture_output=True,
                          text=True, check=True).stdout.split()
    plan, files = plan_for(b.path, "main", "reindent", config=ChunkConfig(), file_tiers={"package.json": 1})
    assert_partition(plan, files)
    [chunk] = plan.chunks
    assert (chunk.additions, chunk.deletions) == (int(numstat[0]), int(numstat[1]))
    assert chunk.changed_lines - chunk.whitespace_lines == int(real[0]) + int(real[1]) == 5
    assert chunk.changed_lines > 400 and not chunk.oversized
    assert chunk.floor_derivation.startswith(f"5 code lines T1 at 500/h x1.25 = 45s; {chunk.whitespace_lines} "
                                             "re-indented lines at 4000/h = ")
    assert chunk.floor_seconds == int(5 / 500 * 3600 * 1.25 + chunk.whitespace_lines / 4000 * 3600)
    assert any("only re-indented (`git diff -w` hides them)" in note for note in chunk.notes)
    assert plan.notes == [f"{chunk.whitespace_lines:,} of {chunk.changed_lines:,} changed lines only re-indented (the "
                          "same text as a line they replace but for whitespace, as `git diff -w` pairs them): skimmed "
                          "at 4,000 lines an hour, not read line by line"]
    # skimmed no faster than code, it is cut at the target as before
    slow = plan_for(b.path, "main", "reindent", config=ChunkConfig(whitespace_lines_per_hour=500.0),
                    file_tiers={"package.json": 1})[0]
    assert len(slow.chunks) == -(-chunk.changed_lines // 400)
    assert slow.total_floor_seconds > 3 * plan.total_floor_seconds
    result = CliRunner().invoke(cli, ["chunks", "reindent", "--repo", str(b.path), "--width", "200"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"package.json  {chunk.whitespace_lines:,} of {chunk.changed_lines:,} lines only re-indented" \
        in result.output
    data = CliRunner().invoke(cli, ["chunks", "reindent", "--repo", str(b.path), "--json"], catch_exceptions=False)
    [row] = json.loads(data.stdout)["chunks"]
    assert row["whitespace_lines"] == chunk.whitespace_lines and row["changed_lines"] == chunk.changed_lines


def test_a_few_re_indented_lines_among_real_edits_are_skimmed_but_cut_as_before(make_repo) -> None:
    b = make_repo("mixed")
    body = "".join(f"export function f{k}(a) {{\n  return a + {k}\n}}\n" for k in range(40))
    b.commit("init", {"src/m.js": body}, author=ALICE)
    b.branch("edit")
    edited = body.replace("  return a + 3\n", "    return a + 3\n").replace("return a + 7", "return a * 7")
    b.commit("edit", {"src/m.js": edited}, branch="edit", author=BOB)
    b.checkout()
    plan, _files = plan_for(b.path, "main", "edit")
    [chunk] = plan.chunks
    assert (chunk.changed_lines, chunk.whitespace_lines) == (4, 2)
    assert chunk.floor_derivation.startswith("2 code lines T2 at 500/h = 14s; 2 re-indented lines at 4000/h = 1s")
    assert plan.notes == []  # a few: said in the chunk, not at the top of the plan


@st.composite
def reindented_files(draw: st.DrawFn) -> list[FileDiff]:
    """Random hunks whose added lines are often a removed line re-indented, sometimes changed."""
    files = []
    for f in range(draw(st.integers(1, 4))):
        hunks, old_no, new_no = [], 1, 1
        for _ in range(draw(st.integers(1, 3))):
            old_no += draw(st.integers(0, 20))
            new_no += draw(st.integers(0, 20))
            start_old, start_new = old_no, new_no
            lines: list[DiffLine] = []
            every = draw(st.sampled_from([0, 2, 20]))  # every Nth line changed for real (0: none)
            for block in range(draw(st.integers(1, 4))):
                texts = [f"item {f} {block} {k}" for k in range(draw(st.integers(0, 150)))]
                for text in texts:
                    lines.append(DiffLine("-", old_no, None, "  " + text))
                    old_no += 1
                for k, text in enumerate(texts):
                    kept = not every or k % every
                    lines.append(DiffLine("+", None, new_no, ("    " + text) if kept else text + " changed"))
                    new_no += 1
                lines.append(DiffLine(" ", old_no, new_no, "}"))
                old_no, new_no = old_no + 1, new_no + 1
            hunks.append(Hunk(start_old, old_no - start_old, start_new, new_no - start_new, "", lines))
        fd = FileDiff("modified", f"d{f % 2}/f{f}.json", f"d{f % 2}/f{f}.json", hunks=hunks)
        fd.additions = sum(h.additions for h in hunks)
        fd.deletions = sum(h.deletions for h in hunks)
        files.append(fd)
    return files


@settings(max_examples=80, deadline=None)
@given(reindented_files(), st.integers(10, 200))
def test_re_indented_diffs_are_still_partitioned_exactly(files: list[FileDiff], target: int) -> None:
    config = ChunkConfig(target_lines=target, data_min_lines=10**9)
    plan = build_plan(files, config=config)
    assert_partition(plan, files)
    assert_bound(plan, target)
    assert plan.total_floor_seconds == sum(c.floor_seconds for c in plan.chunks)
    # the diff view mutes the lines the plan skims (FIX70): the same lines
    assert sum(c.whitespace_lines for c in plan.chunks) == sum(len(lines) for fd in files
                                                              for lines in file_whitespace_lines(fd))
    for chunk in plan.chunks:
        assert 0 <= chunk.whitespace_lines <= chunk.changed_lines
        # a chunk over the target is one of a file nine in ten re-indented, cut by its reading effort
        if chunk.changed_lines > target and not chunk.oversized:
            [note] = [n for n in chunk.notes if "only re-indented (`git diff -w`" in n]
            skimmed, changed = (int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:of its|changed)", note))
            assert skimmed * 10 >= changed * 9 and chunk.whitespace_lines
            assert chunk.changed_lines <= int(re.findall(r"up to ([\d,]+) lines", note)[0].replace(",", ""))
