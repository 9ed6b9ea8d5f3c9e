"""The shared vocabulary of the destructive-operation detectors: findings, file versions, limits, work.

A detector reads the whole base and head version of one file (never diff fragments) and returns
Findings. Each names where (path, line, side), what is destroyed (`target`) and why (`reason`).
Detectors are pure functions of text: they never run anything and never raise on content; a file
they cannot parse is handed back to the regex fallback with a note.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.hcl import MAX_HCL_BYTES as MAX_HCL_BYTES  # the HCL parse bound, kept with the other bounds

# Size bounds: past them a file is not parsed (the regex fallback scans its diff, with a note). They
# keep every detector well under a second per file on a loaded 2-core machine (bench/bench_destructive.py).
MAX_PARSE_BYTES = 1_000_000  # SQL (a linear lexer), XML (expat), code migrations (a regex lexer)
MAX_PYTHON_BYTES = 200_000  # ast walks in Python: a larger .py file is generated code
MAX_YAML_BYTES = 256_000  # node conversion in Python: a larger YAML file is a generated bundle
MAX_SHELL_BYTES = 256_000  # shlex reads a character at a time
MAX_STATEMENT = 20_000  # a longer SQL statement is classified by its leading words only
MAX_SQL_PARSES = 200  # statements per file given to sqlglot (few need it); the rest are classified by their words
MAX_TEXT = 200  # Finding.text is clipped to this many characters
MAX_FINDINGS_PER_FILE = 100  # a generated dump full of DROPs must not flood the report

SIDE_NEW = "new"
SIDE_OLD = "old"


class ParseFailure(Exception):
    """A file could not be parsed in its format (syntax, size, hostile structure); the message says why."""


@dataclass(frozen=True)
class Finding:
    """A destructive operation in one file version.

    `line` is 1-based in the head version when `side` is "new", in the base version when "old" (what
    the change removes: a resource, a CI step, a protection). `key` identifies the operation apart from
    its line, so the same operation in base and head is recognised as unchanged.
    """

    kind: str
    path: str
    line: int | None
    target: str  # what is destroyed or exposed: "table users", "aws_db_instance.main", "namespace prod"
    reason: str  # why it destroys: "DROP TABLE deletes the table and all its rows"
    text: str = ""  # the offending source line, stripped and clipped
    side: str = SIDE_NEW
    detector: str = ""  # which parser found it: "sql", "hcl", "yaml:github", "shell", "python", "regex"
    key: str = ""
    # what it loses, 0..1 of a destroy's cost: 1 but for a Terraform resource that holds only configuration or a
    # generated name (terraform.loss); the risk score's destructive factor weighs the heaviest finding
    weight: float = 1.0

    @property
    def explanation(self) -> str:
        return f"{self.target}: {self.reason}"

    def summary(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.explanation}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "line": self.line,
            "side": self.side,
            "text": self.text,
            "target": self.target,
            "reason": self.reason,
            "explanation": self.explanation,
            "detector": self.detector,
            "weight": self.weight,
        }


@dataclass
class Work:
    """Units of work a detector did (tokens read, nodes walked, characters parsed). Tests bound it by
    the input size: a linear detector's work never exceeds a small multiple of its input."""

    units: int = 0

    def add(self, units: int = 1) -> None:
        self.units += units


@dataclass
class Lines:
    """Line numbers of offsets in a text (1-based), and the text of a line, in O(log n) each."""

    text: str
    starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        starts = [0]
        find = self.text.find
        index = find("\n")
        while index >= 0:
            starts.append(index + 1)
            index = find("\n", index + 1)
        self.starts = starts

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def text_of(self, line: int) -> str:
        if not 1 <= line <= len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return shown(self.text[start:end])


def shown(text: str) -> str:
    """A source line as a finding quotes it: stripped and clipped to MAX_TEXT characters."""
    text = text.strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def new_findings(
    base: Sequence[Finding], head: Sequence[Finding], added_lines: Iterable[int] = ()
) -> list[Finding]:
    """Head findings the base does not already have (compared by key, counting repeats): the
    operations this change introduces. When a key occurs more often in head than in base, the
    findings on lines the change added are the new ones."""
    added = set(added_lines)
    before = Counter(f.key or f.explanation for f in base)
    by_key: dict[str, list[Finding]] = {}
    for finding in head:
        by_key.setdefault(finding.key or finding.explanation, []).append(finding)
    fresh: list[Finding] = []
    for key, found in by_key.items():
        extra = len(found) - before[key]
        if extra <= 0:
            continue
        found.sort(key=lambda f: (f.line not in added, f.line or 0))
        fresh.extend(found[:extra])
    return sorted(fresh, key=lambda f: (f.line or 0, f.kind))
