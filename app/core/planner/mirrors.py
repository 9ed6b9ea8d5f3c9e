"""Mirror directories: a directory whose changed files repeat, file for file, the edits a change makes under
another directory (a generated copy, or a hand-kept one), found from the change itself.

Hono kept `deno_dist/`, denoify's copy of `src/` with `.ts` suffixes on its imports, in the repository: every
edit to src/X.ts came twice, and deno_dist/ was 26% of the changed lines and 42% of the floor time of the 74
changes that touched it, read as hand-written code (QA51 #6). Nothing here knows the name deno_dist: a changed
file is a copy when its edit (its changed lines, in order, stripped, relative import specifiers without their
`.ts`/`.js` suffix, `/index` or case) is the edit of a file at the same relative path under another directory of
the change. It is collapsed, "the same edit as src/X.ts", and left out of the risk inputs, as generated files
are: the original is read in full, so reading the same edit twice is not needed, even when the copy is kept
by hand; a push that makes the copy differ brings it back as code.

Two directories are mirrors only on evidence: at least MIN_FILES files with the same edit, or same edits of at
least a quarter of the chunk target in all (smaller ones, the same provider block added to the versions.tf of
fifteen modules, are joined into one chunk, `_join_same_edits`: read once, not fifteen times).
Which one is the copy: the one under examples, docs or tests (they show the code, they do not make it), then the one
whose every changed file is a copy (the original has changes of its own: tests
denoify leaves out), then the one named like build output (dist, build, out, gen ...), then the one whose
lines needed the import normalising (a generator adds the suffixes), then the later path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.core.git.diff import ADDED, DELETED, FileDiff
from app.core.text import visible_path

MIN_FILES = 3
_IMPORTING = re.compile(r"\b(?:import|export|from|require)\b")
_SPECIFIER = re.compile(r"""(['"])(\.{1,2}/[^'"\n]*?)(?:/index)?(?:\.d)?\.(?:[cm]?[jt]sx?)\1""")
_INDEX = re.compile(r"""(['"])(\.{1,2}/[^'"\n]*?)/index\1""")
# its case too: denoify wrote './exception.ts' for './Exception'
_RELATIVE = re.compile(r"""(['"])\.{1,2}/[^'"\n]*\1""")
_OUTPUT_NAME = re.compile(r"(?:^|[-_.])(?:dist|build|built|out|output|gen|generated|compiled|esm|cjs|umd|mirror|copy)"
                          r"(?:[-_.]|$)", re.IGNORECASE)
# what shows or tests the code copies it, never the other way round: a Terraform module repository's examples/ repeat
# the provider constraint its modules/ change (terraform-aws-eks pr/3655, QA55 F1)
_ILLUSTRATION_NAME = re.compile(r"^(?:examples?|samples?|demos?|docs?|tests?|testdata|fixtures?|__tests__)$",
                                re.IGNORECASE)


@dataclass(frozen=True)
class Mirror:
    """A changed file whose edit repeats `original`'s."""

    original: str  # the file whose edit it repeats (read there)
    root: str  # the mirror directory it is in (`deno_dist`)
    source: str  # the directory it mirrors (`src`)
    exact: bool  # its changed lines are the original's as they are (False: its import paths differ)


def _normalised(text: str) -> str:
    text = text.strip()
    if not _IMPORTING.search(text):
        return text
    return _RELATIVE.sub(lambda found: found.group().lower(), _INDEX.sub(r"\1\2\1", _SPECIFIER.sub(r"\1\2\1", text)))


def _edit(fd: FileDiff) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(normalised, stripped) changed lines of a file, in order, with its status; None when it has none."""
    if fd.binary or fd.counted_only or not fd.hunks or fd.status not in ("added", "deleted", "modified"):
        return None
    raw = [line.origin + line.text.strip() for hunk in fd.hunks for line in hunk.lines
           if line.origin in (ADDED, DELETED)]
    if not raw:
        return None
    normal = [line[0] + _normalised(line[1:]) for line in raw]
    return (fd.status, *normal), (fd.status, *raw)


def _split(a: str, b: str) -> tuple[str, str, str] | None:
    """(a's directory, b's directory, the relative path they share: at least the file name), or None."""
    left, right = a.split("/"), b.split("/")
    shared = 0
    while shared < min(len(left), len(right)) and left[-1 - shared] == right[-1 - shared]:
        shared += 1
    if shared == 0 or shared == len(left) or shared == len(right):
        return None
    return "/".join(left[:-shared]), "/".join(right[:-shared]), "/".join(left[-shared:])


@dataclass
class _Pairs:
    """The same edits two directories share: (file in the first, file in the second, changed lines, exact)."""

    files: list[tuple[str, str, int, bool]]

    def evident(self, min_lines: int) -> bool:
        return len(self.files) >= MIN_FILES or sum(lines for _, _, lines, _ in self.files) >= min_lines


def mirror_copies(files: Sequence[FileDiff], skip: Callable[[str], bool] = lambda path: False,
                  min_lines: int = 100) -> dict[str, Mirror]:
    """Every changed file that is a copy of another's edit (see the module docstring), by path. `skip`: paths
    that take no part (collapsed already: generated, vendored, lock files); `min_lines`: the changed lines two
    directories' same edits need when they are fewer than MIN_FILES files."""
    groups: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = {}
    for fd in files:
        edit = None if not fd.path or skip(fd.path) else _edit(fd)
        if edit is not None:
            groups.setdefault(edit[0], []).append((fd.path, edit[1]))
    pairs: dict[tuple[str, str], _Pairs] = {}
    for members in groups.values():
        for i, (a, raw_a) in enumerate(members):
            for b, raw_b in members[i + 1:]:
                split = _split(*sorted((a, b)))
                if split is not None:
                    left, right, _ = split
                    first, second = sorted((a, b))
                    pairs.setdefault((left, right), _Pairs([])).files.append(
                        (first, second, len(raw_a) - 1, raw_a == raw_b))
    evident = {dirs: found for dirs, found in pairs.items() if found.evident(min_lines)}
    if not evident:
        return {}
    rank = _ranks(files, evident)
    out: dict[str, Mirror] = {}
    # the pairs of the most original directories first: of src/, deno_dist/ and npm_dist/, both copies are src/'s
    for (left, right), found in sorted(evident.items(), key=lambda item: sorted(map(rank, item[0]))):
        source, copy = sorted((left, right), key=rank)
        for first, second, _, exact in found.files:
            original, copied = (first, second) if source == left else (second, first)
            if copied not in out and original not in out:
                out[copied] = Mirror(original, copy, source, exact)
    return out


Rank = tuple[int, int, int, int, str]


def _ranks(files: Sequence[FileDiff], evident: dict[tuple[str, str], _Pairs]) -> Callable[[str], Rank]:
    """The order in which directories are originals rather than copies (lowest first): one not under examples,
    docs or tests, with changes of its own, not named like build output, whose lines needed no import
    normalising, the earlier path."""
    paired: dict[str, set[str]] = {}
    for (left, right), found in evident.items():
        for first, second, _, _ in found.files:
            paired.setdefault(left, set()).add(first)
            paired.setdefault(right, set()).add(second)
    changed = [fd.path for fd in files if fd.path]
    own = {directory: any(path.startswith(f"{directory}/") and path not in mirrored for path in changed)
           for directory, mirrored in paired.items()}
    suffixed = {directory: _suffixed(files, mirrored) for directory, mirrored in paired.items()}

    def rank(directory: str) -> Rank:
        parts = directory.split("/")
        shows = any(_ILLUSTRATION_NAME.match(part) for part in parts)
        named = any(_OUTPUT_NAME.search(part) for part in parts)
        return (int(shows), 0 if own.get(directory) else 1, int(named), int(suffixed.get(directory, False)), directory)

    return rank


def _suffixed(files: Iterable[FileDiff], paths: set[str]) -> bool:
    """Whether these files' changed lines name relative imports with a suffix (`./x.ts`, `./x/index.js`)."""
    for fd in files:
        if fd.path in paths:
            for hunk in fd.hunks:
                if any(line.origin in (ADDED, DELETED) and _SPECIFIER.search(line.text) for line in hunk.lines):
                    return True
    return False


def describe(mirror: Mirror) -> str:
    """Why a copy is collapsed, in one line."""
    how = "" if mirror.exact else " (import paths aside)"
    return f"the same edit as {visible_path(mirror.original)}{how}: read there"
