"""What a commit's .gitattributes files say of its paths, as git and GitHub's linguist read them.

Every .gitattributes of the tree counts, not only the root one: a pattern in `a/b/.gitattributes` is relative to
`a/b/` (one without a slash matches a name at any depth below it, one with a slash is anchored there). Precedence is
git's: a deeper file overrides a shallower one, and in one file a later line overrides an earlier one, attribute by
attribute. So `vendor/** linguist-vendored` followed by `vendor/ours/** linguist-vendored=false` leaves
vendor/ours/ the project's own code, and a vendored tree's own `.gitattributes` can say the same of itself.

States: `attr` and `attr=true` set it (True); `-attr` and `attr=false` unset it (False, linguist's "not
generated/not vendored"); `!attr` leaves it unspecified again (None); `binary` is git's macro for `-diff`.
Patterns are matched with app/core/globs.py (a pattern naming a directory covers what is under it, as the root
file was read before; git itself would match the directory only). Quoted patterns and macro definitions are
skipped, and so are invalid globs: the file is the repository's, untrusted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from app.core.globs import GlobError, GlobSet, compile_glob

ATTRIBUTES_NAME = ".gitattributes"
MAX_ATTRIBUTES_BYTES = 256 * 1024  # a larger file is not read (untrusted content)
MAX_ATTRIBUTES_FILES = 200  # nor more files than this in one tree
GENERATED = "linguist-generated"
VENDORED = "linguist-vendored"
DIFF = "diff"
ATTRIBUTES = (GENERATED, VENDORED, DIFF)
MACHINE_STATE = {GENERATED: True, VENDORED: True, DIFF: False}
"""The state of each attribute that says a machine wrote the file (collapsed in plans, left out of the risk)."""


@dataclass(frozen=True)
class AttributeLine:
    """One pattern line of a .gitattributes: `glob` is its pattern relative to the repository root."""

    glob: str
    pattern: str  # as written in its file
    source: str  # the file's path: ".gitattributes", "crates/x/.gitattributes"
    states: tuple[tuple[str, bool | None], ...]  # (attribute, state) for the attributes of ATTRIBUTES it names


def _state(field: str) -> tuple[str, bool | None] | None:
    """(attribute, state) of one field of a line, for the attributes this module reads; None for others."""
    if field == "binary":
        return (DIFF, False)
    name, value = field, None
    if field.startswith(("-", "!")):
        name = field[1:]
    elif "=" in field:
        name, value = field.split("=", 1)
    if name not in ATTRIBUTES:
        return None
    if field.startswith("-"):
        return (name, False)
    if field.startswith("!"):
        return (name, None)
    if value is None or name == DIFF:  # `diff=driver` diffs as text
        return (name, True)
    lowered = value.lower()
    return (name, False) if lowered in ("false", "0", "no") else (name, True) if lowered in ("true", "1", "yes") \
        else None


def root_glob(directory: str, pattern: str) -> str:
    """`pattern` of the .gitattributes in `directory` ("" for the root) as a glob from the repository root."""
    if not directory:
        return pattern
    body = pattern[1:] if pattern.startswith("/") else pattern
    anchored = pattern.startswith("/") or "/" in body.rstrip("/")
    return f"{directory}/{body}" if anchored else f"{directory}/**/{body}"


def parse(source: str, data: bytes | None) -> list[AttributeLine]:
    """The lines of the .gitattributes at `source` that set one of ATTRIBUTES, in file order."""
    if not data or len(data) > MAX_ATTRIBUTES_BYTES:
        return []
    directory = source.rpartition("/")[0]
    lines: list[AttributeLine] = []
    for line in data.decode("utf-8", "replace").splitlines():
        fields = line.split()
        if len(fields) < 2 or fields[0].startswith(("#", '"', "[attr]", "!")):
            continue
        states = tuple(state for state in map(_state, fields[1:]) if state is not None)
        if not states:
            continue
        glob = root_glob(directory, fields[0])
        try:
            compile_glob(glob)
        except GlobError:
            continue
        lines.append(AttributeLine(glob, fields[0], source, states))
    return lines


class Attributes:
    """The attributes the .gitattributes files of one tree give its paths. `files`: (path of the file, its bytes),
    in any order (shallower files first by precedence)."""

    def __init__(self, files: Iterable[tuple[str, bytes | None]]) -> None:
        ordered = sorted(files, key=lambda item: (item[0].count("/"), item[0]))[:MAX_ATTRIBUTES_FILES]
        self.lines: tuple[AttributeLine, ...] = tuple(line for source, data in ordered for line in parse(source, data))

    def __bool__(self) -> bool:
        return bool(self.lines)

    @cached_property
    def _by_attribute(self) -> dict[str, tuple[GlobSet, list[bool | None], list[AttributeLine]]]:
        found: dict[str, tuple[list[str], list[bool | None], list[AttributeLine]]] = {}
        for line in self.lines:
            for name, state in line.states:
                globs, states, sources = found.setdefault(name, ([], [], []))
                globs.append(line.glob)
                states.append(state)
                sources.append(line)
        return {name: (GlobSet(globs), states, sources) for name, (globs, states, sources) in found.items()}

    def state(self, path: str, attribute: str) -> bool | None:
        """The attribute's state for `path`: True (set), False (unset, `=false`) or None (unspecified)."""
        return self.deciding(path, attribute)[0]

    def deciding(self, path: str, attribute: str) -> tuple[bool | None, AttributeLine | None]:
        """The attribute's state for `path` and the line that decided it (None where no line names it)."""
        known = self._by_attribute.get(attribute)
        if known is None:
            return None, None
        globs, states, sources = known
        index = globs.last_match(path)
        return (None, None) if index is None else (states[index], sources[index])

    def machine_globs(self) -> tuple[str, ...]:
        """The globs of every line that marks paths generated, vendored or not diffed, in precedence order."""
        return tuple(dict.fromkeys(line.glob for line in self.lines
                                   if any(state is MACHINE_STATE[name] for name, state in line.states)))


@dataclass(frozen=True)
class OwnCode:
    """What a change's .gitattributes files say the project wrote itself, at its base and at its head: a file
    `linguist-vendored=false` (or `-linguist-vendored`) is read whatever a licence beside it or a `vendor/` in its
    path suggests; one `linguist-generated=false` whatever its name or a generator's marker suggests; and either
    undoes what an earlier or shallower line of the base said. The head's word is taken only where it makes more
    of the change reviewed: its `false`, never its `true` (the base's .gitattributes is what collapses)."""

    base: Attributes
    head: Attributes

    def __call__(self, path: str) -> bool:
        """Not vendored: the project's own code, as the base or the head says."""
        return self.says_not(path, VENDORED)

    def says_not(self, path: str, attribute: str) -> bool:
        return self.base.state(path, attribute) is False or self.head.state(path, attribute) is False

    def not_generated(self, path: str) -> bool:
        return self.says_not(path, GENERATED)

    def attribute_machine(self, path: str) -> AttributeLine | None:
        """The base's line that marks `path` machine-written, unless the head unsets what it set."""
        for attribute, machine in MACHINE_STATE.items():
            state, line = self.base.deciding(path, attribute)
            if state is machine and not (machine and self.head.state(path, attribute) is False):
                return line
        return None
