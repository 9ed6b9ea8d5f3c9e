"""A digest of a repository's refs read from the files that hold them, without reading a ref.

Listing OpenHands' 9,199 refs through libgit2 (a lookup and a peel of each) and matching each against the queue's
scope was a second of every warm `explain` of one pull request. What the scope makes of the refs is a function of
the refs, so it is cached under this digest (discovery's `_refs_in_scope`). The digest reads the stat of every loose
ref file (path, inode, size, change and modification times: git replaces a ref's file whole, through a lock file
renamed over it, so an update is a new inode and new times) and the packed-refs file whole. It is None where it
cannot vouch for the refs:
- a ref store it does not know (reftable), or a file it cannot stat;
- a racy store, as git calls its index entries racily clean: a ref file or folder, or packed-refs, changed within
  RACY_SECONDS of now. A second update within one tick of the file system's clock could leave every time and size as
  they were (a 40-hex ref is always 41 bytes); once the store has been quiet for longer than a tick, a digest
  taken then sees every later update.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

RACY_SECONDS = 2.0


def ref_store_digest(git_dir: Path, common: Path, now: float) -> str | None:
    """The digest of the refs of the repository whose git dir is `git_dir` (a linked worktree's own refs) and
    whose common dir is `common` (the shared refs and packed-refs); None as the module says."""
    if (common / "reftable").exists() or (git_dir / "reftable").exists():
        return None
    digest = hashlib.sha256(b"ref store 1\n")
    newest = 0
    roots = [common] if git_dir == common else [common, git_dir]
    try:
        for root in roots:
            packed = root / "packed-refs"
            if packed.exists():
                stat = packed.stat()
                newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
                digest.update(b"packed\0" + str(root).encode() + b"\0" + packed.read_bytes() + b"\0")
            newest = max(newest, _loose(root / "refs", digest))
    except OSError:
        return None
    if newest >= (now - RACY_SECONDS) * 1e9:
        return None
    return digest.hexdigest()


def _loose(refs: Path, digest: hashlib._Hash) -> int:
    """Feed the stat of every file and folder under `refs` to `digest`, in a fixed order; the newest time met."""
    newest = 0
    stack = [str(refs)]
    while stack:
        folder = stack.pop()
        stat = os.stat(folder)
        newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
        digest.update(f"dir\0{folder}\0{stat.st_ino}\n".encode(errors="surrogateescape"))
        with os.scandir(folder) as entries:
            ordered = sorted(entries, key=lambda entry: entry.name)
        for entry in ordered:
            if entry.is_symlink():
                raise OSError(f"{entry.path}: a symbolic link (its target's changes would not show)")
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                continue
            stat = entry.stat(follow_symlinks=False)
            newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
            digest.update(f"ref\0{entry.path}\0{stat.st_ino}\0{stat.st_size}\0{stat.st_mtime_ns}\0"
                          f"{stat.st_ctime_ns}\n".encode(errors="surrogateescape"))
    return newest


# Refs a linked worktree keeps in its own git dir (git's per-worktree refs): names under them are not read here.
_PER_WORKTREE = (b"refs/bisect/", b"refs/worktree/", b"refs/rewritten/")
_HEX = frozenset(b"0123456789abcdefABCDEF")


def ref_store_names(git_dir: Path, common: Path, prefix: bytes) -> list[bytes] | None:
    """The names (raw bytes) of the refs under `prefix` (a folder of refs: `refs/notes/remotes/`), as libgit2 lists
    them, from the files of the ref store: packed-refs read whole and only the loose ref files under the prefix's
    folder opened (libgit2's listing opens every loose ref of the repository: 4,156 files in a clone with pull
    request refs, twice at each TUI start). None where this cannot answer as libgit2 would: a reftable store, a
    per-worktree prefix, a symbolic link or an unreadable file."""
    if (not prefix.startswith(b"refs/") or not prefix.endswith(b"/") or prefix.startswith(_PER_WORKTREE)
            or (common / "reftable").exists() or (git_dir / "reftable").exists()):
        return None
    try:
        names = set(_packed_names(common / "packed-refs", prefix))
        _loose_names(os.fsencode(common), prefix, names, first_only=False)
    except OSError:
        return None
    return sorted(names)


def ref_store_children(git_dir: Path, common: Path, prefix: bytes) -> set[bytes] | None:
    """The first name components under `prefix` that hold at least one ref one level or more below them (under
    `refs/remotes/`: the remotes with a remote-tracking ref), opening at most one loose ref file per child found
    and those a child's search passes over; None as ref_store_names says."""
    if (not prefix.startswith(b"refs/") or not prefix.endswith(b"/") or prefix.startswith(_PER_WORKTREE)
            or (common / "reftable").exists() or (git_dir / "reftable").exists()):
        return None
    try:
        found = {name[len(prefix):].split(b"/", 1)[0] for name in _packed_names(common / "packed-refs", prefix)
                 if b"/" in name[len(prefix):]}
        folder = os.path.join(os.fsencode(common), prefix)
        if os.path.isdir(folder):
            with os.scandir(folder) as entries:
                children = sorted(entry.name for entry in entries if entry.is_dir(follow_symlinks=False))
            for child in children:
                if child not in found:
                    held: set[bytes] = set()
                    _loose_names(os.fsencode(common), prefix + child + b"/", held, first_only=True)
                    if held:
                        found.add(child)
    except OSError:
        return None
    return found


def _packed_names(packed: Path, prefix: bytes) -> list[bytes]:
    """The names under `prefix` that packed-refs holds (a missing file holds none)."""
    try:
        data = packed.read_bytes()
    except FileNotFoundError:
        return []
    names: list[bytes] = []
    for line in data.splitlines():
        if not line or line[:1] in (b"#", b"^"):
            continue
        _oid, _, name = line.partition(b" ")
        name = name.rstrip()
        if name.startswith(prefix):
            names.append(name)
    return names


def _loose_names(common: bytes, prefix: bytes, names: set[bytes], *, first_only: bool) -> None:
    """Add the name of every loose ref file under `prefix` whose content libgit2 reads as a ref (an object id or
    `ref: ` and a target; a `.lock` file is not a ref); with `first_only`, stop at the first. OSError for a
    symbolic link, whose target this would not follow as libgit2 does."""
    stack = [os.path.join(common, prefix.rstrip(b"/"))]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                ordered = sorted(entries, key=lambda entry: entry.name, reverse=True)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in ordered:
            if entry.is_symlink():
                raise OSError(f"{entry.path!r}: a symbolic link")
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif not entry.name.endswith(b".lock") and _is_ref_file(entry.path):
                names.add(os.path.relpath(entry.path, common).replace(os.sep.encode(), b"/"))
                if first_only:
                    return


def _is_ref_file(path: bytes) -> bool:
    """Whether libgit2 reads the loose ref file at `path` as a ref: `ref: ` and a target, or an object id (40 hex
    digits: libgit2 as pygit2 builds it reads SHA-1 repositories only) followed by nothing or white space."""
    with open(path, "rb") as handle:
        data = handle.read(256)
    if data.startswith(b"ref: "):
        return bool(data[5:].strip())
    return (len(data) >= 40 and all(byte in _HEX for byte in data[:40])
            and (len(data) == 40 or data[40:41].isspace()))
