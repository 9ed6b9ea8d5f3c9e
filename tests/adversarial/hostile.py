"""Hostile repositories for the adversarial suite: a raw pygit2 writer and hypothesis strategies.

RepoBuilder takes str paths and valid signatures; an attacker's repository does not. This writer
builds trees and commits byte for byte (`odb.write`), so file names can hold newlines, non-UTF-8
bytes and escape sequences, signatures can be empty or malformed, dates can sit in 1970 or 2100,
and a commit can have any number of parents. Everything it writes is a real git object that
`git fsck` would at most warn about: these are repositories a reviewer can really fetch.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygit2
from hypothesis import settings
from hypothesis import strategies as st
from pygit2.enums import ObjectType

from tests.cli import CLI

FILE = 0o100644
EXEC = 0o100755
LINK = 0o120000
GITLINK = 0o160000
TREE = 0o040000

# -- raw object writing ------------------------------------------------------------------------

Entry = tuple[bytes, int]  # (data, mode); for a gitlink, data is the submodule commit id (hex)


def write_tree(repo: pygit2.Repository, files: dict[bytes, Entry]) -> pygit2.Oid:
    """Write nested trees for {b"dir/name": (data, mode)}. A path under a file replaces the file."""
    root: dict[bytes, Any] = {}
    for path, entry in files.items():
        parts = [p for p in path.split(b"/") if p]
        if not parts:
            continue
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = entry
    return _write_node(repo, root)


def _write_node(repo: pygit2.Repository, node: dict[bytes, Any]) -> pygit2.Oid:
    entries: list[tuple[bytes, int, bytes]] = []
    for name, value in node.items():
        if isinstance(value, dict):
            entries.append((name, TREE, _write_node(repo, value).raw))
        else:
            data, mode = value
            oid = pygit2.Oid(hex=data.decode()) if mode == GITLINK else repo.odb.write(ObjectType.BLOB, data)
            entries.append((name, mode, oid.raw))
    # git's order: byte order of names, a tree compared as if its name ended in "/"
    entries.sort(key=lambda e: e[0] + (b"/" if e[1] == TREE else b""))
    body = b"".join(b"%o %s\x00%s" % (mode, name, raw) for name, mode, raw in entries)
    return repo.odb.write(ObjectType.TREE, body)


def signature(name: bytes, email: bytes | None, when: int) -> bytes:
    """A signature line's value; email None writes a malformed one with no <address> at all."""
    if email is None:
        return b"%s %d +0000" % (name, when)
    return b"%s <%s> %d +0000" % (name, email, when)


def write_commit(repo: pygit2.Repository, tree: pygit2.Oid, parents: Sequence[str], *, author: bytes,
                 committer: bytes | None = None, message: bytes = b"change\n",
                 encoding: bytes | None = None) -> str:
    lines = [b"tree " + str(tree).encode()]
    lines += [b"parent " + p.encode() for p in parents]
    lines += [b"author " + author, b"committer " + (committer or author)]
    if encoding is not None:
        lines.append(b"encoding " + encoding)
    return str(repo.odb.write(ObjectType.COMMIT, b"\n".join(lines) + b"\n\n" + message))


# -- hostile values ------------------------------------------------------------------------------

HOSTILE_LINES: tuple[bytes, ...] = (
    b"\x1b[31mred\x1b[0m and \x1b[2J clear screen",
    b"\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07",  # OSC 8 hyperlink
    b"\x1b]0;pwned title\x07",  # window title
    b"\x1b]2;title\x1b\\",  # title with ST terminator
    b"ring\x07ring",
    b"nul\x00byte",
    b"[bold]bold[/bold] [link=https://x.example]x[/link] [/] [red",
    b"carriage\rreturn",
    b"\xc2\x9b31m UTF-8 C1 CSI",
    b"\x9b31m raw C1 byte",
    b"\x7f delete \x08 backspace",
    "\u202e reversed \u2066 isolate".encode(),
    b"\xff\xfe not utf-8 \xc3",
    b"def handler(x):",
    b"    if x:",
    b"        return 1",
    b"    return x",
    b"class Thing:",
    b"DROP TABLE users;",
    b"rm -rf /",
    b"\ttabbed",
    b"",
)

NAME_PARTS: tuple[bytes, ...] = (
    b"-rf", b"--help", b"-", b"a b.py", b"new\nline.py", b"\xff\xfe.py", b"caf\xc3\xa9.md", b"[bold]x[/].txt",
    b"\x1b[31mred.py", b"\x1b]0;title\x07.sh", b"tab\t.py", b"cr\r.txt", b"mod.py", b"package-lock.json",
    b"x.min.js", b"schema.sql", b"README.md", b"test_mod.py", b"main.go", b"bell\x07", b"\xc2\x9b.c",
)
DIR_PARTS: tuple[bytes, ...] = (b"", b"src/", b"-rf/", b"a b/", b"\xff/", b"docs/", b"migrations/", b"auth/",
                                b"vendor/", b"new\nline/", b"deep/er/still/")

AUTHORS: tuple[tuple[bytes, bytes | None], ...] = (
    (b"Alice Example", b"alice@example.com"),
    (b"", b""),  # empty name and email
    (b"No Mail", b""),
    (b"", b"nobody@example.com"),
    (b"Eve \x1b[31m\x07", b"eve\x1b]0;t\x07@example.com"),
    (b"\xff\xfe Latin-1 \xe9", b"\xff@\xfe"),
    (b"[bold]Rich[/] [link=x]", b"rich@example.com"),
    (b"Claude", b"noreply@anthropic.com"),
    (b"Bad Email", b"not-an-email"),
    (b"Broken", None),  # malformed: no <address>
    (b"Mallory (aider)", b"m@example.com"),
)
TIMES: tuple[int, ...] = (0, 1, 86_400, 1_767_225_600, 2**31 - 1, 2**31 + 7, 4_102_444_800, 32_503_680_000)
MESSAGES: tuple[bytes, ...] = (
    b"subject \x1b]0;title\x07 \x1b[31mred\n\nbody\x07\n",
    b"",
    b"\n\n\n",
    b"[bold]subject[/] [/]\n",
    b"\xff\xfe not utf-8\n",
    b"feat: thing\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
    b"x" * 3000 + b"\n",
    b"line one\r\nline two\r\n",
)
BRANCH_NAMES: tuple[str, ...] = (
    "-x", "--force", "--help", "-", "feature/one", "origin/main", "refs/heads/x", "HEAD", "pr/1", "\u00fcber",
    "x.y", "@", "$(reboot)", "a/b/c/d", "main2", "-rf/--", "%2e%2e", "worktree",
)
EXTRA_REFS: tuple[str, ...] = ("refs/remotes/origin/-x", "refs/pull/1/head", "refs/remotes/origin/pr/--x",
                               "refs/remotes/origin/HEAD-ish")


def valid_branch(name: str) -> bool:
    return pygit2.reference_is_valid_name(f"refs/heads/{name}") and name != "main"


# -- hypothesis strategies ------------------------------------------------------------------------

def examples(fraction: float, minimum: int = 3) -> int:
    """max_examples scaled from the active profile (dev 25, ci 40, nightly 600): expensive properties
    run a fraction of the profile's examples so the suite stays inside the CI budget."""
    return max(minimum, int(settings.default.max_examples * fraction))


free_name = st.binary(min_size=1, max_size=10).filter(
    lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b"..") and b.lower() != b".git")
paths = st.builds(lambda d, n: d + n, st.sampled_from(DIR_PARTS),
                  st.one_of(st.sampled_from(NAME_PARTS), free_name))


@st.composite
def text_contents(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.one_of(st.sampled_from(HOSTILE_LINES),
                                    st.sampled_from([b"y" * 300, b"z" * 2500]),
                                    st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass"))),
                          max_size=25))
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    tail = draw(st.sampled_from([newline, b""]))
    return newline.join(lines) + (tail if lines else b"")


@st.composite
def entries(draw: st.DrawFn) -> Entry | None:
    """What a commit puts at a path: text, binary, symlink, submodule, or None (delete)."""
    kind = draw(st.sampled_from(["text", "text", "text", "binary", "link", "gitlink", "exec", "delete"]))
    if kind == "delete":
        return None
    if kind == "binary":
        return draw(st.binary(min_size=1, max_size=300)) + b"\x00", FILE
    if kind == "link":
        targets = [b"../../etc/passwd", b"-rf", b"\x1b[31m", b"target.py", b"a" * 300]
        return draw(st.sampled_from(targets)), LINK
    if kind == "gitlink":
        return draw(st.binary(min_size=20, max_size=20)).hex().encode(), GITLINK
    return draw(text_contents()), (EXEC if kind == "exec" else FILE)


@dataclass
class CommitPlan:
    files: dict[bytes, Entry | None]
    author: tuple[bytes, bytes | None]
    when: int
    message: bytes
    encoding: bytes | None = None


@dataclass
class BranchPlan:
    name: str
    commits: list[CommitPlan]
    merge_from: list[str] = field(default_factory=list)  # other branches merged at the end (2+ = octopus)
    retype: bool = False  # turn an existing file into a symlink (a typechange)


@dataclass
class HistoryPlan:
    base_files: dict[bytes, Entry]
    branches: list[BranchPlan]
    main_moves_on: CommitPlan | None
    extra_refs: list[str]

    def describe(self) -> str:
        return f"{len(self.base_files)} base files, branches {[b.name for b in self.branches]}"


commit_plans = st.builds(
    CommitPlan,
    files=st.dictionaries(paths, entries(), max_size=5),
    author=st.sampled_from(AUTHORS),
    when=st.sampled_from(TIMES),
    message=st.sampled_from(MESSAGES),
    encoding=st.sampled_from([None, None, b"ISO-8859-1", b"x-bogus-encoding"]),
)


@st.composite
def histories(draw: st.DrawFn) -> HistoryPlan:
    base = draw(st.dictionaries(paths, entries().filter(lambda e: e is not None), min_size=1, max_size=6))
    base[b"app/core.py"] = (b"def f(x):\n    return x\n", FILE)  # something every branch can retype/edit
    names = draw(st.lists(st.sampled_from(BRANCH_NAMES).filter(valid_branch), min_size=1, max_size=4,
                          unique=True))
    branches = []
    for name in names:
        commits = draw(st.lists(commit_plans, min_size=1, max_size=3))
        branches.append(BranchPlan(name, commits, retype=draw(st.booleans())))
    if len(branches) >= 2 and draw(st.booleans()):
        others = [b.name for b in branches[1:]]
        branches[0].merge_from = draw(st.lists(st.sampled_from(others), min_size=1, max_size=len(others),
                                               unique=True))
    # (the base itself stays readable: a malformed base commit has its own test)
    main_moves_on = draw(st.one_of(st.none(), commit_plans.filter(lambda c: c.author[1] is not None)))
    extra = draw(st.lists(st.sampled_from(EXTRA_REFS), max_size=2, unique=True))
    return HistoryPlan(base, branches, main_moves_on, extra)


def build_history(path: Path, plan: HistoryPlan) -> Path:
    """Write `plan` as a real repository at `path` (non-bare, nothing checked out) and return it."""
    repo = pygit2.init_repository(str(path), initial_head="main")
    alice = signature(b"Alice Example", b"alice@example.com", 1_767_225_600)
    snapshots: dict[str, dict[bytes, Entry]] = {"main": dict(plan.base_files)}
    base = write_commit(repo, write_tree(repo, snapshots["main"]), [], author=alice, message=b"base\n")
    heads: dict[str, str] = {"main": base}

    def apply(branch: str, commit: CommitPlan, parents: list[str]) -> str:
        snap = snapshots[branch]
        for p, entry in commit.files.items():
            if entry is None:
                snap.pop(p, None)
            else:
                snap[p] = entry
        name, email = commit.author
        return write_commit(repo, write_tree(repo, snap), parents, author=signature(name, email, commit.when),
                            message=commit.message, encoding=commit.encoding)

    for branch in plan.branches:
        snapshots[branch.name] = dict(plan.base_files)
        head = base
        for commit in branch.commits:
            head = apply(branch.name, commit, [head])
        if branch.retype:
            snapshots[branch.name][b"app/core.py"] = (b"../README.md", LINK)
            head = apply(branch.name, CommitPlan({}, AUTHORS[0], TIMES[3], b"retype\n"), [head])
        heads[branch.name] = head
    for branch in plan.branches:
        if branch.merge_from:
            merged = snapshots[branch.name]
            for other in branch.merge_from:
                merged.update(snapshots[other])
            heads[branch.name] = apply(branch.name, CommitPlan({}, AUTHORS[0], TIMES[3], b"Merge\n"),
                                       [heads[branch.name], *(heads[o] for o in branch.merge_from)])
    # an empty commit on top of the first branch: no tree change at all
    first = plan.branches[0].name
    heads[first] = apply(first, CommitPlan({}, AUTHORS[1], TIMES[0], b""), [heads[first]])
    if plan.main_moves_on is not None:
        heads["main"] = apply("main", plan.main_moves_on, [base])
    for name, target in heads.items():
        repo.references.create(f"refs/heads/{name}", pygit2.Oid(hex=target), force=True)
    for i, ref in enumerate(plan.extra_refs):
        target = heads[plan.branches[i % len(plan.branches)].name]
        repo.references.create(ref, pygit2.Oid(hex=target), force=True)
    return path


# -- one repository with every hostile input at once -----------------------------------------------

EVERY_LINE = b"\n".join(HOSTILE_LINES) + b"\n"


def kitchen_sink_plan() -> HistoryPlan:
    """Every class of hostile input in one deterministic history."""
    base = {
        b"app/core.py": (b"def f(x):\n    return x\n", FILE),
        b"-rf": (b"old\n", FILE),
        b"docs/notes.md": (b"one\ntwo\n", FILE),
        b"to-link.txt": (b"plain file\n", FILE),
        b"sub": (b"0123456789abcdef0123456789abcdef01234567", GITLINK),
    }
    evil_commit = CommitPlan(
        files={
            b"new\nline/\x1b]0;title\x07.py": (EVERY_LINE, FILE),
            b"a b/[bold]x[/].txt": (EVERY_LINE.replace(b"\n", b"\r\n"), FILE),
            b"\xff\xfe/caf\xc3\xa9 \xe9.py": (b"def g():\n    return '\xff'\n", FILE),
            b"--help": (b"[link=https://evil.example]click[/link]\n" + b"L" * 70_000 + b"\n", EXEC),
            b"-rf": (b"\x00\x01binary now\x00", FILE),
            b"to-link.txt": (b"\x1b[31m../../etc/passwd", LINK),  # file -> symlink (typechange)
            b"sub": (b"89abcdef0123456789abcdef0123456789abcdef", GITLINK),  # submodule bump
            b"docs/notes.md": None,
        },
        author=AUTHORS[4], when=TIMES[0], message=MESSAGES[0], encoding=b"x-bogus-encoding",
    )
    return HistoryPlan(
        base_files=base,
        branches=[
            BranchPlan("--force", [evil_commit, CommitPlan({}, AUTHORS[8], TIMES[6], MESSAGES[3])]),
            BranchPlan("-x", [CommitPlan({b"app/core.py": (b"def f(x):\n    return x + 1 # \x1b[2J\n", FILE)},
                                         AUTHORS[1], TIMES[-1], MESSAGES[4])], retype=True),
            BranchPlan("feature/one", [CommitPlan({b"README.md": (b"[bold]hi[/]\n", FILE)}, AUTHORS[5],
                                                  TIMES[4], MESSAGES[7])]),
            BranchPlan("$(reboot)", [CommitPlan({b"x.py": (b"x = 1\n", FILE)}, AUTHORS[6], TIMES[5],
                                                     MESSAGES[1])]),
        ],
        main_moves_on=CommitPlan({b"main-only.txt": (b"later\n", FILE)}, AUTHORS[0], TIMES[3], MESSAGES[5]),
        extra_refs=["refs/remotes/origin/-x", "refs/pull/1/head"],
    )


def octopus(repo: Path) -> None:
    """An octopus merge of three branches plus an ordinary merge, on a branch of their own."""
    r = pygit2.Repository(str(repo))
    heads = [str(r.lookup_reference(f"refs/heads/{n}").target) for n in ("--force", "-x", "feature/one")]
    tree = r[heads[2]].peel(pygit2.Commit).tree.id
    sig = signature(b"Octo", b"octo@example.com", TIMES[6])
    merge = write_commit(r, tree, heads, author=sig, message=b"Merge three \x1b[31mbranches\n")
    merge = write_commit(r, tree, [merge, heads[0]], author=sig, message=b"Merge again\n")
    r.references.create("refs/heads/octopus", pygit2.Oid(hex=merge), force=True)



# -- what must never reach a terminal --------------------------------------------------------------

# C0 controls except newline and tab, DEL, C1 controls, the bidi overrides/isolates (Trojan Source),
# zero-width and other invisible characters (`feature` and `feature\u200b` must not look the same),
# and lone surrogates (bytes that were not UTF-8).
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f"
                       "\u2028-\u202e\u2060-\u206f\u2800\u3164\ufeff\uffa0\ud800-\udfff"
                       "\U000e0000-\U000e007f]")


def forbidden_chars(output: str | bytes) -> list[str]:
    """Every control character in `output`, repr'd with a little context, for assertion messages."""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    return [repr(text[max(0, m.start() - 20): m.end() + 20]) for m in FORBIDDEN.finditer(text)]


# -- the real CLI ----------------------------------------------------------------------------------

def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """`review-tui ARGS` in a subprocess (the installed entry point's code, same interpreter), output
    captured as bytes: stdout is a pipe, so rich emits no styling and any ESC came from content."""
    full_env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color", **(env or {})}
    full_env.pop("FORCE_COLOR", None)
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, timeout=timeout,
                          env=full_env)


def cli_json(*args: str, **kw: Any) -> Any:
    result = run_cli(*args, **kw)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return json.loads(result.stdout)
