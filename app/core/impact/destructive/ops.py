"""A destructive operation found in a diff: the result every detector of this package returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.text import visible_path

MAX_TEXT = 200  # DestructiveOp.text is clipped to this many characters


@dataclass(frozen=True)
class DestructiveOp:
    """A destructive operation found in a diff. It raises its change to Tier 0.

    `line` is a new-file line number when `side` is "new" (an added or context line), an old-file one
    when `side` is "old" (a deleted line); None for a whole-file finding.
    """

    kind: str
    path: str
    line: int | None
    text: str  # the offending line, stripped, at most MAX_TEXT characters
    explanation: str
    side: str = "new"
    weight: float = 1.0  # what it loses, 0..1 of a destroy's cost (Finding.weight)

    def summary(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{visible_path(where)}: {self.explanation}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "line": self.line, "side": self.side, "text": self.text,
                "explanation": self.explanation, "weight": self.weight}
