"""Each file version parsed once for the figures several parts of the analysis read (issue 18): the parses are
counted in real runs (a counting wrapper around the parser or the summariser, nothing replaced)."""

from __future__ import annotations

import ast
import json
import warnings

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.core.impact import graph
from app.core.memo import ContentMemo
from app.core.metrics import complexity as cx
from tests.conftest import ALICE

# ansible's modules open so (a third of its Python files declare their encoding)
DECLARED = (b"#!/usr/bin/python\n# -*- coding: utf-8 -*-\n\"\"\"Caf\xc3\xa9 module.\"\"\"\n\n\n"
            b"def run(x):\n    if x and x > 1:\n        return '\xc3\xa9t\xc3\xa9'\n    return subprocess.call(x)\n\n\n"
            b"class Box:\n    def get(self, k):\n        return [v for v in k if v]\n")


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


def _bytes_parse(data: bytes) -> ast.AST:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(data)


@pytest.fixture
def parses(monkeypatch):
    """Every ast.parse of this process, by the source's bytes."""
    seen: list[bytes] = []
    real = ast.parse

    def counting(source, *args, **kwargs):
        seen.append(source.encode("utf-8", "surrogatepass") if isinstance(source, str) else bytes(source))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    return seen


@pytest.mark.parametrize("data", [
    DECLARED,
    b"# vim: set fileencoding=utf8 :\nname = '\xe2\x82\xac'\n",
    b"#!/usr/bin/env python\n# coding=UTF-8\nx = 1\n",
    b"x = 1\n# coding: latin-1\ny = '\xc3\xa9'\n",  # not a declaration: only the first two lines' comments are
])
def test_a_version_that_declares_utf8_gives_the_tree_its_bytes_parse_gives(data: bytes) -> None:
    tree = cx.python_tree(data)
    assert tree is not None
    assert _dump(tree) == _dump(_bytes_parse(data)) == _dump(ast.parse(data.decode("utf-8")))


@pytest.mark.parametrize("data", [
    b"# -*- coding: latin-1 -*-\nname = '\xc3\xa9'\n",  # read as two latin-1 characters by the bytes parse
    b"# coding: no-such-codec\nx = 1\n",  # the bytes parse raises
    b"\xef\xbb\xbf# coding: utf-8\nx = 1\n",
])
def test_a_version_read_otherwise_by_its_declaration_is_parsed_by_each(data: bytes) -> None:
    assert cx.python_tree(data) is None


def test_a_version_declaring_utf8_is_parsed_once_for_its_scan_definitions_and_figures(parses) -> None:
    """The scan, the head definitions and the complexity of a module that declares `coding: utf-8` share one
    parse, as they did for a module without the line: three parses each before, and the same answers."""
    path = "lib/ansible/modules/thing.py"
    from app.core.impact.destructive.python_calls import scan_answer

    scan, defs, figures = graph.scan_defs_and_metrics(path, DECLARED.decode(), path, 1_000_000)
    assert len(parses) == 1
    defs_alone, figures_alone = graph.head_defs_and_metrics(path, DECLARED, path, 1_000_000)
    summary, figures_too = graph.summary_and_metrics(path, DECLARED, path, 1_000_000)
    assert len(parses) == 3
    del parses[:]
    assert scan == scan_answer(DECLARED.decode(), path)
    assert defs == defs_alone == graph.head_defs_answer(path, DECLARED) is not None
    assert summary == graph.summarise_python(path, DECLARED).to_list()
    assert figures == figures_alone == figures_too == cx.analyze_source(path, DECLARED, maintainability=False)
    assert len(parses) == 4  # each on its own
    assert [f.name for f in figures.functions] == ["run", "Box.get"]


def test_a_test_files_head_version_is_summarised_and_measured_by_one_worker_task(parses) -> None:
    """The blast radius's own tests (the head versions of the test files a change edits) were summarised by
    the analysis thread, once per change that has the version, and parsed again for their complexity: the
    offering's task does both from one parse, and the analysis thread takes its summary over."""
    from app.core.workers import shared_pool

    pool = shared_pool(2)
    assert pool is not None
    path, data = "test/units/test_thing.py", DECLARED + b"\n\ndef test_run():\n    assert run(2)\n"
    figures: dict[str, object] = {}
    try:
        graph.offer_test_summaries([(path, data, "blob1")], pool.submit, measured_as={"blob1": path}.get,
                                   max_bytes=1_000_000, on_metrics=figures.__setitem__)
        assert not graph.own_test_wanted(path, ContentMemo.key(path, data)[1])  # offered: not again
        measured = figures["blob1"].result(timeout=60)  # type: ignore[attr-defined]
        taken = graph.own_test_summary(path, data)
        again = graph.own_test_summary(path, data)  # another change with the same version
        assert parses == []  # nothing parsed in this process
        assert taken == again == graph.summarise(path, data)
        assert measured == cx.analyze_source(path, data, max_bytes=1_000_000, maintainability=False)
    finally:
        graph._test_summary_memo._answers.clear()


def test_a_test_file_two_changes_share_is_summarised_once(make_repo, monkeypatch) -> None:
    """Two branches that add the same test file (a backport): with no worker processes the analysis summarises
    its head version once for both blast radii (twice before), and their figures are those of a run that
    summarises it per change."""
    test_file = "from pkg.prices import net\n\n\ndef test_net():\n    assert net(1.234) == 1.23\n"
    b = make_repo()
    b.commit("layout", {"pkg/__init__.py": "", "pkg/prices.py": "def net(amount):\n    return amount\n",
                        "pkg/cart.py": "from pkg.prices import net\n\n\ndef total(items):\n"
                                       "    return sum(net(i) for i in items)\n",
                        ".review-tui.toml": "[complexity]\nworkers = 0\n"}, author=ALICE)
    for name in ("one", "two"):
        b.branch(name, from_branch="main")
        b.commit(f"round net, tested ({name})", {
            "pkg/prices.py": "def net(amount):\n    return round(amount, 2)\n", "tests/test_prices.py": test_file,
            f"pkg/{name}.py": "X = 1\n"}, branch=name, author=ALICE)
    summarised: list[str] = []
    real = graph.summarise_python

    def counting(path, data, tree=None):
        summarised.append(path)
        return real(path, data, tree)

    monkeypatch.setattr(graph, "summarise_python", counting)
    memo = getattr(graph, "_test_summary_memo", ContentMemo(1))
    memo._answers.clear()
    try:
        result = CliRunner().invoke(cli, ["list", "--repo", str(b.path), "--json"], catch_exceptions=False)
    finally:
        memo._answers.clear()
    assert result.exit_code == 0, result.output
    assert summarised.count("tests/test_prices.py") == 1
    listed = {item["id"]: item for item in json.loads(result.stdout)}
    for name in ("one", "two"):
        [seams] = [f for f in listed[name]["factors"] if f["name"] == "seams"]
        assert seams["explanation"] == "no untested seam"  # its own test tests what it rewrites


def test_a_test_files_base_version_is_measured_by_the_graph_builds_parse(make_repo) -> None:
    """The base version of a test file a change edits: a graph built whole parses it, and the measurement wanted it
    too (262 versions of the ansible scenario parsed twice). The build's task gives both, from one parse; its head
    definitions are not remembered (no one reads a test file's), and the graph is the one a build alone makes."""
    from dataclasses import dataclass, field

    from app.analysis.analyzer import _GraphBuild
    from app.core.git.repo import GitRepo
    from app.core.workers import shared_pool

    sources = {"pkg/a.py": "def f(x):\n    if x:\n        return 1\n    return 2\n",
               "tests/test_a.py": "from pkg.a import f\n\n\ndef test_f():\n    assert f(1) == 1 if True else 0\n"}
    b = make_repo()
    head = b.commit("a module and its test", sources, author=ALICE)
    blobs = dict(GitRepo(b.path).tree_blobs(head, (".py",)))
    pool = shared_pool(2)
    assert pool is not None

    @dataclass
    class Offering:  # what _GraphBuild reads of the pass's _Offering
        base_tests: set[tuple[str, str]]
        measured: dict[str, str]
        sides: set[tuple[str, str]] = field(default_factory=set)
        max_bytes: int = 1_000_000
        metrics: dict[str, object] = field(default_factory=dict)
        pool_submit: object = pool.submit

    test_blob = blobs["tests/test_a.py"]
    offering = Offering({("tests/test_a.py", test_blob)}, {test_blob: "tests/test_a.py"})
    built = _GraphBuild(b.path, head, 2, None, share=offering)  # type: ignore[arg-type]
    built.wait()
    alone = _GraphBuild(b.path, head, 2, None)
    alone.wait()
    assert built.error is None and built.graph is not None and alone.graph is not None
    assert built.graph.to_dict() == alone.graph.to_dict()
    assert set(offering.metrics) == {test_blob}
    figures = offering.metrics[test_blob].result()  # type: ignore[attr-defined]
    data = sources["tests/test_a.py"].encode()
    assert figures == cx.analyze_source("tests/test_a.py", data, max_bytes=1_000_000, maintainability=False)
    assert graph.head_defs_wanted("tests/test_a.py", ContentMemo.key("tests/test_a.py", data)[1])
