"""RepoBuilder: write commits, branches and merges into a real git repository, deterministically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pygit2

FILE_MODE = 0o100644
EXEC_MODE = 0o100755
LINK_MODE = 0o120000
GITLINK_MODE = 0o160000


@dataclass(frozen=True)
class Person:
    name: str
    email: str


class Clock:
    """A fixed, monotonically advancing clock so commit ids never change between builds."""

    def __init__(self, start: int = 1_767_225_600, step: int = 3_600, offset_minutes: int = 0) -> None:
        self.now = start  # 2026-01-01T00:00:00Z
        self.step = step
        self.offset = offset_minutes

    def tick(self, seconds: int | None = None) -> int:
        self.now += self.step if seconds is None else seconds
        return self.now


Content = bytes | str | tuple[bytes | str, int] | None


class RepoBuilder:
    """Build a repository commit by commit from in-memory file maps.

    Each branch keeps a snapshot {path: (bytes, mode)}. `commit` applies a delta (None deletes a
    path) to the branch's snapshot and writes a commit on top of the branch tip.
    """

    def __init__(
        self, path: str | Path, *, initial_branch: str = "main", bare: bool = False, clock: Clock | None = None
    ) -> None:
        self.path = Path(path)
        self.repo = pygit2.init_repository(str(self.path), bare=bare, initial_head=initial_branch)
        self.clock = clock or Clock()
        self.bare = bare
        self.initial_branch = initial_branch
        self.snapshots: dict[str, dict[str, tuple[bytes, int]]] = {}
        self._blobs: dict[bytes, pygit2.Oid] = {}  # content -> id: most snapshots repeat most files

    # -- writing ---------------------------------------------------------------------------
    def _blob(self, data: bytes) -> pygit2.Oid:
        oid = self._blobs.get(data)
        if oid is None:
            oid = self._blobs[data] = self.repo.create_blob(data)
        return oid

    def _write_tree(self, files: dict[str, tuple[bytes, int]]) -> pygit2.Oid:
        root: dict = {}
        for path, (data, mode) in files.items():
            parts = path.split("/")
            node = root
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise ValueError(f"{path}: a parent is a file")
            node[parts[-1]] = (data, mode)
        return self._write_node(root)

    def _write_node(self, node: dict) -> pygit2.Oid:
        tb = self.repo.TreeBuilder()
        for name in sorted(node):
            value = node[name]
            if isinstance(value, dict):
                tb.insert(name, self._write_node(value), pygit2.GIT_FILEMODE_TREE)
            else:
                data, mode = value
                if mode == GITLINK_MODE:
                    tb.insert(name, pygit2.Oid(hex=data.decode()), mode)
                else:
                    tb.insert(name, self._blob(data), mode)
        return tb.write()

    @staticmethod
    def _normalise(content: Content) -> tuple[bytes, int] | None:
        if content is None:
            return None
        mode = FILE_MODE
        if isinstance(content, tuple):
            content, mode = content
        if isinstance(content, str):
            content = content.encode("utf-8")
        return content, mode

    def commit(
        self,
        message: str | bytes,
        files: dict[str, Content] | None = None,
        *,
        branch: str | None = None,
        author: Person,
        committer: Person | None = None,
        when: int | None = None,
        parents: list[str] | None = None,
        replace_all: bool = False,
        ref: str | None = None,
    ) -> str:
        """Commit `files` (a delta; None deletes) on `branch` and return the commit id.

        `ref` writes to an arbitrary ref (e.g. refs/pull/7/head) instead of refs/heads/<branch>.
        """
        branch = branch or self.initial_branch
        refname = ref or f"refs/heads/{branch}"
        snapshot = {} if replace_all else dict(self.snapshots.get(branch, {}))
        for path, content in (files or {}).items():
            value = self._normalise(content)
            if value is None:
                snapshot.pop(path, None)
            else:
                snapshot[path] = value
        tree = self._write_tree(snapshot)
        if parents is None:
            try:
                parents = [str(self.repo.lookup_reference(refname).target)]
            except KeyError:
                parents = []
        t = when if when is not None else self.clock.tick()
        sig_a = pygit2.Signature(author.name, author.email, t, self.clock.offset)
        c = committer or author
        sig_c = pygit2.Signature(c.name, c.email, t, self.clock.offset)
        if isinstance(message, bytes):
            # Raw bytes (e.g. not UTF-8): write the object directly so the bytes survive as they are.
            oid = self._raw_commit(message, tree, parents, sig_a, sig_c)
            self.repo.references.create(refname, oid, force=True)
        else:
            oid = self.repo.create_commit(None, sig_a, sig_c, message, tree, [pygit2.Oid(hex=p) for p in parents])
            self.repo.references.create(refname, oid, force=True)
        self.snapshots[branch] = snapshot
        return str(oid)

    def _raw_commit(self, message: bytes, tree, parents, author, committer) -> pygit2.Oid:
        def sig(s: pygit2.Signature) -> bytes:
            sign = "+" if s.offset >= 0 else "-"
            off = abs(s.offset)
            return f"{s.name} <{s.email}> {s.time} {sign}{off // 60:02d}{off % 60:02d}".encode()

        lines = [b"tree " + str(tree).encode()]
        lines += [b"parent " + p.encode() for p in parents]
        lines += [b"author " + sig(author), b"committer " + sig(committer), b"", message]
        return self.repo.odb.write(pygit2.enums.ObjectType.COMMIT, b"\n".join(lines))

    def branch(self, name: str, from_branch: str | None = None, at: str | None = None) -> None:
        """Create `name` from another branch's tip (or a commit id) and copy its snapshot."""
        source = from_branch or self.initial_branch
        target = at or str(self.repo.lookup_reference(f"refs/heads/{source}").target)
        self.repo.references.create(f"refs/heads/{name}", pygit2.Oid(hex=target), force=True)
        if at is None:
            self.snapshots[name] = dict(self.snapshots.get(source, {}))
        else:
            self.snapshots[name] = self._snapshot_of(target)

    def _snapshot_of(self, commit_id: str) -> dict[str, tuple[bytes, int]]:
        files: dict[str, tuple[bytes, int]] = {}

        def walk(tree: pygit2.Tree, prefix: str) -> None:
            for entry in tree:
                path = prefix + entry.name
                if entry.filemode == pygit2.GIT_FILEMODE_TREE:
                    walk(self.repo[entry.id], path + "/")
                elif entry.filemode == GITLINK_MODE:
                    files[path] = (str(entry.id).encode(), GITLINK_MODE)
                else:
                    files[path] = (self.repo[entry.id].data, entry.filemode)

        walk(self.repo[commit_id].peel(pygit2.Commit).tree, "")
        return files

    def merge(self, into: str, from_branch: str, message: str, *, author: Person) -> str:
        """A merge commit of `from_branch` into `into`: a three-way merge of the two snapshots.

        A path changed on only one side since the merge base takes that side; a path changed on both
        sides must end identical (the samples never build real conflicts) or ValueError is raised.
        """
        head_into = self.head(into)
        head_from = self.head(from_branch)
        base_id = self.repo.merge_base(head_into, head_from)
        base = self._snapshot_of(str(base_id)) if base_id else {}
        ours, theirs = self.snapshots[into], self.snapshots[from_branch]
        merged: dict[str, tuple[bytes, int]] = {}
        for path in set(base) | set(ours) | set(theirs):
            b, o, t = base.get(path), ours.get(path), theirs.get(path)
            if o == t:
                value = o
            elif o == b:
                value = t
            elif t == b:
                value = o
            else:
                raise ValueError(f"merge conflict on {path}")
            if value is not None:
                merged[path] = value
        delta: dict[str, Content] = dict(merged)
        return self.commit(message, delta, branch=into, author=author, parents=[head_into, head_from],
                           replace_all=True)

    def head(self, branch: str | None = None) -> str:
        return str(self.repo.lookup_reference(f"refs/heads/{branch or self.initial_branch}").target)

    def set_ref(self, refname: str, target: str) -> None:
        self.repo.references.create(refname, pygit2.Oid(hex=target), force=True)

    def add_note(self, commit_id: str, text: str, *, ref: str, author: Person) -> None:
        t = self.clock.tick()
        sig = pygit2.Signature(author.name, author.email, t, self.clock.offset)
        self.repo.create_note(text, sig, sig, commit_id, ref, True)

    def checkout(self, branch: str | None = None) -> None:
        """Point HEAD at `branch` and write its files into the working tree."""
        if self.bare:
            return
        refname = f"refs/heads/{branch or self.initial_branch}"
        self.repo.checkout(refname, strategy=pygit2.enums.CheckoutStrategy.FORCE)
        self.repo.set_head(refname)
