"""Seconds the destructive-operation scan spends on hostile files, against a baseline in the same run.

    python bench/bench_destructive.py

Each case is one file at (or past) its parser's size bound, shaped to hurt: thousands of statements, a
4,000-space line, unclosed quotes and comments, deep nesting, YAML anchors, a 2 MB SQL dump (past the
bound: the bounded regex fallback reads it). The scan goes through scan_change on a real repository
diff, as the analysis runs it. Baseline: reading the same blobs and splitting them into lines. The
issue's bar is one second a file; the ratio shows how far above the cost of merely reading it we are.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.git.repo import GitRepo
from app.core.impact.destructive.model import (
    MAX_HCL_BYTES,
    MAX_PARSE_BYTES,
    MAX_PYTHON_BYTES,
    MAX_SHELL_BYTES,
    MAX_YAML_BYTES,
)
from app.core.impact.destructive.scan import blob_reader, scan_change
from app.samples import load


def cases() -> dict[str, str]:
    return {
        "db/dump.sql": "DROP TABLE t;\n" * (2_000_000 // 14),  # 2 MB: past the bound, regex fallback
        "db/many.sql": "".join(f"DELETE FROM t{i} WHERE id = id + {i};\n" for i in range(MAX_PARSE_BYTES // 40)),
        "db/spaces.sql": (" " * 4_000 + "DROP TABLE users;\n") * (MAX_PARSE_BYTES // 4_020),
        "db/quotes.sql": "SELECT '" + "x" * (MAX_PARSE_BYTES - 20) + "\n",
        "db/nested.sql": "DELETE FROM t WHERE " + "(" * 5_000 + "1" + ")" * 5_000 + ";\n",
        "infra/main.tf": "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n'
                                 for i in range(MAX_HCL_BYTES // 52)),
        "scripts/run.sh": "".join(f"rm -rf /$DIR{i}/* && echo '{i}\n" for i in range(MAX_SHELL_BYTES // 32)),
        ".github/workflows/ci.yml": "on: push\njobs:\n" + "".join(
            f"  j{i}:\n    steps:\n      - run: pytest -k t{i} || true\n" for i in range(MAX_YAML_BYTES // 60)),
        "alembic/versions/x.py": "from alembic import op\n\n\ndef upgrade():\n" + "".join(
            f"    op.execute(f'DROP TABLE {{t{i}}}')\n" for i in range(MAX_PYTHON_BYTES // 40)),
        "k8s/job.yaml": "---\n".join("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                                     "    - {name: c, command: [sh, -c, 'rm -rf /$X/*']}\n"
                                     for _ in range(MAX_YAML_BYTES // 130)),
    }


def main() -> int:
    load()
    samples = sys.modules["review_tui_sample_repos"]
    with tempfile.TemporaryDirectory() as tmp:
        builder = samples.RepoBuilder(Path(tmp) / "hostile")
        author = samples.Person("Bench", "bench@example.com")
        base = builder.commit("base", {"README.md": "x\n"}, author=author)
        files = cases()
        head = builder.commit("head", dict(files), author=author)
        repo = GitRepo(builder.path)
        diff = {fd.path: fd for fd in repo.diff(base, head)}
        worst = 0.0
        print(f"load average {os.getloadavg()[0]:.1f}")
        for path, text in files.items():
            fd = diff[path]
            start = time.perf_counter()
            data = repo.blob(fd.new_blob or "")
            data.decode("utf-8", "replace").split("\n")
            baseline = time.perf_counter() - start
            start = time.perf_counter()
            result = scan_change([fd], blob_reader(repo.blob))
            seconds = time.perf_counter() - start
            worst = max(worst, seconds)
            notes = "; ".join(n.split(": ", 1)[1][:60] for n in result.notes)
            print(f"{path:28} {len(text) / 1e6:5.2f} MB  {seconds:6.2f} s  (x{seconds / max(baseline, 1e-6):6.0f} "
                  f"reading)  {len(result.findings):3} findings  {notes}")
        print(f"worst file: {worst:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
