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
