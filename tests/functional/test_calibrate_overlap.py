"""`calibrate`'s walk overlaps its blocks: this thread reads and queues the next block while the workers
measure the one before (on astral-sh/uv, done one after the other, a fifth of the walk had a core idle).
The figures are the same as measured one block after the other, and as measured in one block."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.calibration import factors
from app.core.calibration.factors import measure, read_first_parent_log
from app.core.git.cli import GitCli
from app.core.git.repo import GitRepo
from tests.conftest import ALICE, BOB


def _py(n: int, pad: int = 0) -> str:
    body = "\n".join(f"def f{i}(x):\n    if x > {i}:\n        return {i}\n    return 0\n" for i in range(n))
    return body + "\n" + "".join(f"# padding line {i} to make a large file\n" for i in range(pad))


def _rs(n: int, tests: int) -> str:
    code = "\n".join(f"fn f{i}(x: i32) -> i32 {{\n    if x > {i} {{ return {i}; }}\n    0\n}}\n" for i in range(n))
    body = "\n".join(f"    #[test]\n    fn t{i}() {{\n        if f0(1) > 0 {{ assert!(true); }}\n    }}\n"
                     for i in range(tests))
    return code + "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n" + body + "}\n"


def _history(make_repo) -> Path:
    """Python (large, measured cut, and small), Rust with in-file tests, and versions that come back (a revert:
    an old blob that an earlier commit wrote, measured by another block or still in flight)."""
    b = make_repo("overlap")
    b.commit("root", {"src/big.py": _py(3, 600), "src/small.py": _py(1), "src/lib.rs": _rs(1, 1)}, author=ALICE)
    b.commit("grow", {"src/big.py": _py(5, 600), "src/lib.rs": _rs(2, 1)}, author=BOB)
    b.commit("tests", {"src/lib.rs": _rs(2, 3), "src/small.py": _py(2)}, author=ALICE)
    b.commit("back", {"src/big.py": _py(3, 600), "src/lib.rs": _rs(1, 1)}, author=BOB)
    b.commit("again", {"src/big.py": _py(5, 600), "src/small.py": _py(1)}, author=ALICE)
    b.commit("more", {"src/big.py": _py(7, 600), "src/lib.rs": _rs(3, 3), "src/new.py": _py(4)}, author=BOB)
    return b.path


def test_the_next_block_is_read_while_the_workers_measure_the_one_before(make_repo, monkeypatch) -> None:
    repo = GitRepo(_history(make_repo))
    line = read_first_parent_log(GitCli(repo.git_dir), "HEAD")
    monkeypatch.setattr(factors, "BLOCK", 1)
    events: list[tuple[str, object]] = []
    second = {new for _, new in line[2].blobs.values()}

    def read(blob: str) -> bytes | None:
        events.append(("read", blob))
        return repo.blob(blob)

    measure(line, {c.sha for c in line[1:]}, read, workers=0,
            progress=lambda done, total: events.append(("done", done)))
    first_done = events.index(("done", 1))
    # the second studied commit's new versions were read before the first one's factors were summed up
    assert any(kind == "read" and blob in second for kind, blob in events[:first_done]), events


@pytest.mark.parametrize("memo", [factors.MEMO_BLOBS, 1], ids=["memo", "memo of one blob"])
def test_overlapped_blocks_give_the_figures_of_one_block(make_repo, monkeypatch, memo: int) -> None:
    repo = GitRepo(_history(make_repo))
    line = read_first_parent_log(GitCli(repo.git_dir), "HEAD")
    study = {c.sha for c in line[1:]}
    whole = measure(line, study, repo.blob, workers=0)
    monkeypatch.setattr(factors, "BLOCK", 1)
    monkeypatch.setattr(factors, "MEMO_BLOBS", memo)
    overlapped = measure(line, study, repo.blob, workers=1)
    assert [(m.sha, m.feats, m.code, m.lines) for m in overlapped] == [(m.sha, m.feats, m.code, m.lines) for m in whole]
    assert [m.feats["complexity"] for m in whole] != [0.0] * len(whole)
