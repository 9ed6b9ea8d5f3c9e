"""`[complexity] workers = 0` (FIX127): a user who sets it expects no worker processes. A cold `list` still
started the forkserver and a worker to read the dependency graph (start_graph passed max(1, workers))."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing

from click.testing import CliRunner

from app.cli import cli
from app.core import workers
from app.core.metrics import complexity
from tests.conftest import ALICE


def test_a_cold_list_with_no_workers_starts_no_process_and_lists_the_same(make_repo, tmp_path, monkeypatch) -> None:
    b = make_repo()
    files = {f"pkg/m{i}.py": f"from pkg.m{i - 1} import f{i - 1}\n\ndef f{i}(x):\n    return f{i - 1}(x) + {i}\n"
             for i in range(1, 30)}
    files["pkg/m0.py"] = "def f0(x):\n    return x\n"
    files[".review-tui.toml"] = "[complexity]\nworkers = 0\n"
    b.commit("base", files, author=ALICE)
    for name in ("one", "two"):  # two pending changes: not the one-change pass that runs inline anyway
        b.branch(f"feature/{name}", from_branch="main")
        b.commit(f"f0 in {name}", {"pkg/m0.py": f"def f0(x, y=0):\n    if y:\n        return y  # {name}\n"
                                                "    return x\n"}, branch=f"feature/{name}", author=ALICE)
    workers.retire_idle_pools(0.0)
    before = {p.pid for p in multiprocessing.active_children()}

    def listed(cache: str) -> list[object]:
        monkeypatch.setenv("REVIEW_TUI_CACHE_DIR", str(tmp_path / cache))  # a cold run each
        result = CliRunner().invoke(cli, ["list", "--repo", str(b.path), "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return [{k: v for k, v in row.items() if k != "age_seconds"} for row in json.loads(result.output)]

    alone = listed("none")
    assert not workers._shared  # no pool was started
    assert {p.pid for p in multiprocessing.active_children()} <= before  # nor any other child process
    real = complexity.ComplexityConfig.from_reader
    monkeypatch.setattr(complexity.ComplexityConfig, "from_reader",
                        classmethod(lambda cls, reader: dataclasses.replace(real(reader), workers=2)))
    with_workers = listed("two")
    assert workers._shared  # the same repository with workers: the graph read in them
    assert alone == with_workers and len(alone) == 2
    workers.retire_idle_pools(0.0)
