"""Changed lines that only moved: a block of lines deleted in one place of a change and added in another (another
file, or elsewhere in the same file), the same text but for whitespace, as `git diff --color-moved` finds them. The
reviewer checks that the block moved intact; they do not read it again (QA57 F11: rubygems.org pr/6662 moved
thousands of i18n keys; QA58 F3: fineract pr/4121 moved methods to another service). The plan skims these lines as it
skims re-indented ones (planner/builder.py), and a block with edits inside is moved only around the edits: the
edited lines are read.

A block is at least MIN_LINES lines with MIN_ALNUM letters and digits among them, so a closing brace or a lone
`return None` is never "moved". Matching is greedy, first come first served, the longest of the first MAX_TRIES
places a block could come from (not yet taken), so the work stays near linear in the changed lines. Repository text
is only compared, never run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.core.git.diff import ADDED, DELETED, FileDiff

MIN_LINES = 3
MIN_ALNUM = 20  # letters and digits in a block (git's --color-moved asks 20 alphanumeric characters too)
MAX_TRIES = 4  # deleted places tried for each added line that starts a block
MAX_CHANGED_LINES = 1_000_000  # a larger change is not searched (its lines are read as before)

_BLANKS = re.compile(r"\s+")
_ALNUM = re.compile(r"[^\W_]", re.UNICODE)

Place = tuple[int, int, int]  # (file index, hunk index, line index in the hunk)


def _runs(files: Sequence[FileDiff], origin: str) -> tuple[list[str], list[Place], list[int]]:
    """Every `origin` line of the change in order, as its key (text without whitespace), its place, and the end
    (exclusive position) of the run of consecutive `origin` lines of one hunk it belongs to."""
    keys: list[str] = []
    places: list[Place] = []
    ends: list[int] = []
    for file_index, fd in enumerate(files):
        if fd.binary:
            continue
        for hunk_index, hunk in enumerate(fd.hunks):
            for line_index, line in enumerate(hunk.lines):
                if line.origin == origin:
                    keys.append(_BLANKS.sub("", line.text))
                    places.append((file_index, hunk_index, line_index))
                else:  # the run open so far ends here
                    ends.extend([len(keys)] * (len(keys) - len(ends)))
            ends.extend([len(keys)] * (len(keys) - len(ends)))
    return keys, places, ends


def moved_lines(files: Sequence[FileDiff]) -> dict[int, list[frozenset[int]]]:
    """Per file index (of `files`), per hunk, the indices of its changed lines in moved blocks, deleted and added
    sides both; a file with none is left out. Each added line is matched to one deleted line; a block deleted in
    several places and added once (duplicates extracted into one function) is moved in each of them."""
    if sum(fd.changed_lines for fd in files) > MAX_CHANGED_LINES:
        return {}
    old = _Side(*_runs(files, DELETED))
    new = _Side(*_runs(files, ADDED))
    if not old.keys or not new.keys:
        return {}
    found = _match(new, old, exclusive=True)  # (added start, deleted start, length)
    for j, p, length in found:
        new.moved[j:j + length] = old.moved[p:p + length] = b"\1" * length
    copies = _match(old, new, exclusive=False)  # deleted copies of a block that moved once
    lines: dict[tuple[int, int], set[int]] = {}
    for side in (old, new):
        for position, flag in enumerate(side.moved):
            if flag:
                file_index, hunk_index, line_index = side.places[position]
                lines.setdefault((file_index, hunk_index), set()).add(line_index)
    for p, _, length in copies:
        for file_index, hunk_index, line_index in old.places[p:p + length]:
            lines.setdefault((file_index, hunk_index), set()).add(line_index)
    out: dict[int, list[frozenset[int]]] = {}
    for (file_index, hunk_index), indices in lines.items():
        hunks = out.setdefault(file_index, [frozenset()] * len(files[file_index].hunks))
        hunks[hunk_index] = frozenset(indices)
    return out


class _Side:
    """The deleted or the added lines of a change: keys, places, run ends, letters and digits, and which moved."""

    __slots__ = ("alnum", "ends", "keys", "moved", "places", "starts")

    def __init__(self, keys: list[str], places: list[Place], ends: list[int]) -> None:
        self.keys, self.places, self.ends = keys, places, ends
        self.alnum = [len(_ALNUM.findall(key)) for key in keys]
        self.moved = bytearray(len(keys))
        self.starts: dict[tuple[str, ...], list[int]] = {}  # a block's first MIN_LINES keys -> where they start
        for p in range(len(keys) - MIN_LINES + 1):
            if p + MIN_LINES <= ends[p] and self.alnum[p]:
                self.starts.setdefault(tuple(keys[p:p + MIN_LINES]), []).append(p)


def _match(source: _Side, target: _Side, exclusive: bool) -> list[tuple[int, int, int]]:
    """Blocks of `source` lines not moved yet found in `target`, as (source start, target start, length), the longest
    of the first MAX_TRIES places each could come from. `exclusive`: target lines not moved yet, each taken once;
    else target lines already moved, any number of times."""
    found: list[tuple[int, int, int]] = []
    skip: dict[tuple[str, ...], int] = {}  # per window, its first target place not taken yet (exclusive)
    j = 0
    while j < len(source.keys):
        end = source.ends[j]
        window = tuple(source.keys[j:j + MIN_LINES]) if j + MIN_LINES <= end and not source.moved[j] else None
        candidates = target.starts.get(window, []) if window is not None else []
        if exclusive and candidates and window is not None:
            first = skip.get(window, 0)
            while first < len(candidates) and target.moved[candidates[first]]:  # taken ones are not tried again
                first += 1
            skip[window] = first
            candidates = candidates[first:first + MAX_TRIES]
        elif candidates:
            candidates = [p for p in candidates[:MAX_TRIES * 4] if target.moved[p]][:MAX_TRIES]
        best = (0, -1)
        for p in candidates:
            length, alnum = 0, 0
            while (j + length < end and p + length < target.ends[p] and not source.moved[j + length]
                   and bool(target.moved[p + length]) != exclusive
                   and target.keys[p + length] == source.keys[j + length]):
                alnum += target.alnum[p + length]
                length += 1
            if length >= MIN_LINES and alnum >= MIN_ALNUM and length > best[0]:
                best = (length, p)
        length, p = best
        if not length:
            j += 1
            continue
        if exclusive:
            target.moved[p:p + length] = b"\1" * length
        found.append((j, p, length))
        j += length
    return found
