"""The addresses a repository's .mailmap says belong to one person (git's gitmailmap(5) format).

Only the email pairs matter here: `Proper Name <proper@x> <commit@x>` and `<proper@x> <commit@x>` make
proper@x and commit@x one person; a line with one address maps a name only. Self-approval widens the
author's addresses with these (an author approving under the address the .mailmap says is theirs
passed `check`); nothing here ever grants an identity, so a .mailmap can only exclude more approvals.
"""

from __future__ import annotations

import re

_ADDRESS = re.compile(r"<([^<>]*)>")
MAX_MAILMAP_BYTES = 4_000_000  # a larger file is not a mailmap anyone wrote by hand: not read


def mailmap_groups(text: str) -> dict[str, frozenset[str]]:
    """Each address (lower-cased) named with another on a line -> every address of its person."""
    parent: dict[str, str] = {}

    def root(address: str) -> str:
        parent.setdefault(address, address)
        while parent[address] != address:
            parent[address] = parent[parent[address]]
            address = parent[address]
        return address

    for line in text.splitlines():
        line = line.split("#", 1)[0]
        addresses = [a.strip().lower() for a in _ADDRESS.findall(line)]
        if len(addresses) >= 2 and addresses[0] and addresses[1]:
            first, second = root(addresses[0]), root(addresses[1])
            if first != second:
                parent[max(first, second)] = min(first, second)
    groups: dict[str, set[str]] = {}
    for address in list(parent):
        groups.setdefault(root(address), set()).add(address)
    return {address: frozenset(members) for members in groups.values() for address in members}
