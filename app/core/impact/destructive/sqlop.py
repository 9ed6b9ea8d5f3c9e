"""What one SQL statement or migration call does to data (`Op`), and names as a reviewer and a comparison read them:
shared by the SQL reader (sql.py) and the schema reshapes every format builds (reshape.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Op:
    """What one statement does to data: a destruction (`kind` set) or a creation to remember."""

    kind: str  # sql-drop | sql-truncate | sql-drop-column | sql-delete-all | sql-update-all | created | added | changed
    # | copied (rows of `table` into `target`; `reason`: what filters the copy)
    target: str
    reason: str = ""
    table: str = ""
    columns: tuple[str, ...] = ()
    weight: float = 1.0  # what it loses, 0..1 of a drop's cost (Finding.weight): a rename loses no row


def readable(name: str) -> str:
    """A name as a reviewer reads it: the placeholder of a run-time value (`__expr_table`) as `{table}`."""
    return re.sub(r"__expr_(\w+)", r"{\1}", name)


def bare(name: str) -> str:
    """`public."Users"` -> `users`: the last part of a name, unquoted, lower case."""
    last = name.strip().split(".")[-1]
    return last.strip('"`[] ').lower()
