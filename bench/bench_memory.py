"""Benchmark: peak memory and time of `review-tui list --json` on repositories built to hurt.

Cases (issue 8, resource bounds), each against a baseline run on a tiny repository in the same run:
- big-blob: a change adding a 200 MB text file (the diff layer summarises blobs over 20 MB and must
  never load one whole) next to a deleted file (so rename detection has a pair to consider);
- many-files: a change touching 50,000 files;
- long-file: a change adding one 1,000,000-line file.

Each case runs the real CLI in a fresh subprocess (with the analysis cache off, so every figure
is a cold analysis); the peak RSS is the largest of that process and its children (complexity
workers included), from getrusage(RUSAGE_CHILDREN) in a wrapper process that runs nothing else.
Repositories are built in a temp dir with pygit2 (blobs streamed from disk, so the builder itself
stays small).

    python bench/bench_memory.py            # full sizes (a few minutes, ~1 GB of temp disk)
    python bench/bench_memory.py --small    # the sizes tests/adversarial/test_resource_bounds.py uses
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pygit2
from pygit2.enums import ObjectType

FULL = {"blob_mb": 200, "files": 50_000, "lines": 1_000_000}
SMALL = {"blob_mb": 25, "files": 5_000, "lines": 200_000}
SIGNATURE = pygit2.Signature("Bench", "bench@example.com", 1_767_225_600, 0)

# The wrapper: run the command (argv[2:]) with its stdout going to a file (argv[1]), then report the
# peak RSS of everything it waited for. It imports nothing else, so its own footprint stays out.
_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "with open(sys.argv[1], 'wb') as out:\n"
    "    r = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.PIPE)\n"
    "elapsed = time.perf_counter() - t\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "sys.stderr.write(r.stderr.decode('utf-8', 'replace'))\n"
    "sys.stdout.write(f'{r.returncode} {peak} {elapsed:.3f}\\n')\n"
)


def _repo(path: Path) -> pygit2.Repository:
    return pygit2.init_repository(str(path), bare=True, initial_head="main")


def _tree(repo: pygit2.Repository, files: dict[str, pygit2.Oid]) -> pygit2.Oid:
    """Nested trees for {"a/b/c.txt": blob id}."""
    root: dict = {}
    for path, oid in files.items():
        node = root
        *dirs, name = path.split("/")
        for d in dirs:
            node = node.setdefault(d, {})
        node[name] = oid

    def write(node: dict) -> pygit2.Oid:
        tb = repo.TreeBuilder()
        for name, value in sorted(node.items()):
            if isinstance(value, dict):
                tb.insert(name, write(value), pygit2.GIT_FILEMODE_TREE)
            else:
                tb.insert(name, value, pygit2.GIT_FILEMODE_BLOB)
        return tb.write()

    return write(root)


def _two_commits(repo: pygit2.Repository, base: dict[str, pygit2.Oid], head: dict[str, pygit2.Oid]) -> None:
    """main at `base`, branch `feature` at `head` on top of it."""
    c0 = repo.create_commit("refs/heads/main", SIGNATURE, SIGNATURE, "base", _tree(repo, base), [])
    repo.create_commit("refs/heads/feature", SIGNATURE, SIGNATURE, "change", _tree(repo, head), [c0])


def _blob(repo: pygit2.Repository, data: bytes) -> pygit2.Oid:
    return repo.odb.write(ObjectType.BLOB, data)


def build_big_blob(path: Path, megabytes: int) -> Path:
    """A change adding a `megabytes` MB text file (plus deleting a small one) to a tiny repo."""
    repo = _repo(path)
    source = path / "big.txt.tmp"
    line = b"0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ the quick brown fox\n"
    block = line * (1024 * 1024 // len(line) + 1)
    with source.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(block[: 1024 * 1024])
    big = repo.create_blob_fromdisk(str(source))
    source.unlink()
    small = {"src/app.py": _blob(repo, b"def f():\n    return 1\n"), "old.txt": _blob(repo, b"gone\n" * 50)}
    head = {"src/app.py": _blob(repo, b"def f():\n    return 2\n"), "data/big.txt": big}
    _two_commits(repo, small, head)
    return path


def build_many_files(path: Path, count: int) -> Path:
    """A change touching `count` files (each edited by one line), spread over 100 directories."""
    repo = _repo(path)
    base, head = {}, {}
    for i in range(count):
        name = f"pkg{i % 100:02d}/mod{i:05d}.txt"
        base[name] = _blob(repo, b"line one\nline two %d\n" % i)
        head[name] = _blob(repo, b"line one\nline 2 %d\n" % i)
    _two_commits(repo, base, head)
    return path


def build_long_file(path: Path, lines: int) -> Path:
    """A change adding one `lines`-line text file."""
    repo = _repo(path)
    # short lines, so that even 1,000,000 of them stay under the 20 MB cap and are really diffed
    data = b"".join(b"v%d\n" % i for i in range(lines))
    assert len(data) < 20 * 1024 * 1024
    base = {"README.md": _blob(repo, b"hello\n")}
    _two_commits(repo, base, {**base, "data/long.txt": _blob(repo, data)})
    return path


def build_tiny(path: Path) -> Path:
    repo = _repo(path)
    _two_commits(repo, {"a.py": _blob(repo, b"x = 1\n")}, {"a.py": _blob(repo, b"x = 2\n")})
    return path


def measure(repo: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    """Run `review-tui list --json --repo repo` in a fresh wrapper: peak RSS (MB), seconds, parsed JSON."""
    out_file = repo.parent / f"{repo.name}.json"
    full_env = {**os.environ, "REVIEW_TUI_NO_CACHE": "1", **(env or {})}
    command = [sys.executable, "-P", "-m", "app", "list", "--json", "--repo", str(repo), *args]
    result = subprocess.run([sys.executable, "-c", _WRAPPER, str(out_file), *command], capture_output=True,
                            env=full_env, timeout=1800)
    fields = result.stdout.decode().split()
    if len(fields) != 3:
        raise RuntimeError(f"wrapper failed: {result.stdout!r} {result.stderr[-2000:]!r}")
    code, peak_kb, seconds = int(fields[0]), int(fields[1]), float(fields[2])
    data = json.loads(out_file.read_bytes()) if code == 0 else None
    return {"returncode": code, "peak_mb": peak_kb / 1024, "seconds": seconds,
            "stderr": result.stderr.decode("utf-8", "replace"), "data": data}


def run(sizes: dict[str, int], workdir: Path) -> list[tuple[str, dict]]:
    cases = [
        ("baseline (tiny repo)", lambda p: build_tiny(p)),
        (f"big-blob {sizes['blob_mb']} MB", lambda p: build_big_blob(p, sizes["blob_mb"])),
        (f"many-files {sizes['files']:,}", lambda p: build_many_files(p, sizes["files"])),
        (f"long-file {sizes['lines']:,} lines", lambda p: build_long_file(p, sizes["lines"])),
    ]
    results = []
    for i, (name, builder) in enumerate(cases):
        t = time.perf_counter()
        repo = builder(workdir / f"case{i}")
        built = time.perf_counter() - t
        figures = measure(repo)
        figures["build_seconds"] = built
        results.append((name, figures))
        print(f"{name:32} peak {figures['peak_mb']:8.1f} MB   list --json {figures['seconds']:7.2f} s   "
              f"(exit {figures['returncode']}, repo built in {built:.1f} s)", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="the test sizes instead of the full ones")
    args = parser.parse_args()
    sizes = SMALL if args.small else FULL
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        os.environ.setdefault("REVIEW_TUI_DATA_DIR", str(Path(tmp) / "data"))
        os.environ.setdefault("REVIEW_TUI_CONFIG_DIR", str(Path(tmp) / "config"))
        os.environ.setdefault("REVIEW_TUI_CACHE_DIR", str(Path(tmp) / "cache"))
        results = run(sizes, Path(tmp))
    base = results[0][1]["peak_mb"]
    print(f"\nabove the baseline's {base:.1f} MB:")
    for name, figures in results[1:]:
        print(f"  {name:32} +{figures['peak_mb'] - base:7.1f} MB")


if __name__ == "__main__":
    main()
