"""What a person calls a repository, for titles: its origin's name, else its folder's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.git.repo import GitRepo

GENERIC_NAMES = frozenset({"repo"})
"""Folder or URL names that say nothing of the project (a mirror's `.../pallets+click/repo`, a scratch
`/tmp/a/repo`): the title names them with their parent, `pallets+click/repo`, not as "repo repo"."""


def repo_display_name(repo: GitRepo) -> str:
    """What a person calls the repository: its origin's name (`.../payments-service.git` ->
    payments-service), else the folder it is checked out in (a `.git` folder: the one holding it)."""
    url = (repo.config_value("remote.origin.url") or "").strip()
    if url:
        name = _project_name(url.replace("\\", "/").replace(":", "/").split("/"))
        if name:
            return name
    folder = repo.path
    return _project_name(folder.parts) or str(folder)


def _project_name(parts: Sequence[str]) -> str:
    """The last path component without `.git` (`.git` itself: its parent), with its parent when it is
    generic (`repo`)."""
    parts = [part for part in parts if part and part not in ("/", ".")]
    while parts:
        name = parts.pop()
        name = name[:-4] if name.lower().endswith(".git") else name
        if not name:
            continue
        if name.lower() in GENERIC_NAMES and parts:
            return f"{parts[-1]}/{name}"
        return name
    return ""
