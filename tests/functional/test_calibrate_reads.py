"""`calibrate` reads each blob of a studied commit once for all its figures (stop 51: three reads of every
blob, its complexity, its code's size and its indentation, were 28% of the main thread on cline)."""

from __future__ import annotations

from collections import Counter

from app.core.calibration.factors import measure, read_first_parent_log
from app.core.git.cli import GitCli
from app.core.git.repo import GitRepo
from tests.conftest import ALICE


def _ts(n: int) -> str:
    body = "\n".join(f"  if (x > {i}) {{\n    return {i};\n  }}" for i in range(n))
    return f"export function f(x: number): number {{\n{body}\n  return 0;\n}}\n"


def _py(n: int) -> str:
    return "\n".join(f"def f{i}(x):\n    if x > {i}:\n        return {i}\n    return 0\n" for i in range(n))


def test_each_blob_of_the_studied_commits_is_read_once_and_the_figures_are_unchanged(make_repo) -> None:
    b = make_repo("reads")
    b.commit("root", {"src/a.ts": _ts(2), "src/b.py": _py(2), "README.md": "hi\n"}, author=ALICE)
    for n in range(3, 7):
        b.commit(f"grow {n}", {"src/a.ts": _ts(n), "src/b.py": _py(n), "README.md": f"hi {n}\n"}, author=ALICE)
    repo = GitRepo(b.path)
    line = read_first_parent_log(GitCli(repo.git_dir), "HEAD")
    reads: Counter[str] = Counter()

    def counted(blob: str) -> bytes | None:
        reads[blob] += 1
        return repo.blob(blob)

    study = {c.sha for c in line[1:]}
    measured = measure(line, study, counted, workers=0)
    assert reads and max(reads.values()) == 1, reads.most_common(3)
    # what the figures were when each blob was read each time it was wanted
    again = measure(line, study, repo.blob, workers=0)
    assert [m.feats for m in measured] == [m.feats for m in again]
    last = measured[-1].feats
    assert last["complexity"] > 0 and last["indent"] > 0 and last["code_base"] > 0
