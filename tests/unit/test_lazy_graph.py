"""The dependency graph read only as far as its questions need (app/core/impact/lazy_graph.py): every
answer is the whole graph's, on real repositories whose callers hide behind every way graph.py
resolves a name (aliases, re-exports, stars, relative imports, module aliases, submodules by name,
suffix-named modules, NFKC identifiers), and a change's blast radius from the analyzer is the same read
lazily or whole, the lazy graph never cached as the commit's."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import app.core.impact.lazy_graph as lazy_module
from app.core.git.repo import GitRepo
from app.core.impact.graph import GRAPH_SUFFIXES, MODULE_LEVEL, build_graph
from app.core.impact.lazy_graph import import_words, lazy_graph_in_process
from tests.conftest import ALICE

# Each caller of core.engine.run (or of Engine.start) sits in a file that never names `core.engine`:
# it reaches the symbol through a re-export, an alias, a star, a module bound to a name, a relative
# import, a submodule named in a dotted name, or a module found by the suffix of its name.
HIDDEN = {
    "src/core/__init__.py": "from .engine import run as start_engine\nfrom .engine import *\n",
    "src/core/engine.py": "import json\n\n\ndef run(job):\n    return helper(job)\n\n\ndef helper(job):\n"
    "    return job\n\n\nclass Engine:\n    MODE = 'fast'\n\n    def __init__(self, size):\n"
    "        self.size = size\n\n"
    "    def start(self):\n        return run(self.size)\n\n\n__all__ = ['run', 'Engine']\n",
    "src/core/tools/__init__.py": "",
    "src/core/tools/relative.py": "from .. import engine\nfrom ..engine import Engine as Motor\n\n\n"
    "def go():\n    return engine.run(1) + Motor(2).start()\n",
    "src/core/tools/deep/__init__.py": "",
    "src/core/tools/deep/far.py": "from ...engine import (  # the engine (run)\n    run as launch,\n)\n"
    "from ...jobs.queue import Queue, enqueue\n\n\ndef far():\n    return launch(3) + enqueue() + Queue.put(1)\n",
    # `jobs.queue` names two modules: only `core.jobs.queue` tells this one, which far.py's relative import lacks
    "src/core/jobs/__init__.py": "",
    "src/core/jobs/queue.py": "def enqueue():\n    return 0\n\n\nclass Queue:\n    @staticmethod\n    def put(x):\n"
    "        return x\n",
    "src/other/jobs/queue.py": "def enqueue():\n    return 1\n\n\nclass Queue:\n    pass\n",
    # a submodule named in the dotted name only: `import core.jobs as j` names no `queue`
    "src/api/submodule.py": "import core.jobs as j\n\n\ndef via_submodule():\n    return j.queue.enqueue()\n",
    "src/api/__init__.py": "",
    "src/api/alias.py": "from core import start_engine\n\n\ndef handler():\n    return start_engine(4)\n",
    "src/api/starred.py": "from core import *\n\n\ndef via_star():\n    return run(5)\n",
    "src/api/forward.py": "import core.engine as eng\n\n\ndef forward():\n    return eng.run(6)\n",
    "src/api/twice.py": "from api.forward import eng as again\n\n\ndef twice():\n    return again.run(7)\n",
    "src/api/chain.py": "from api.alias import start_engine as begin\n\n\ndef chain():\n    return begin(8)\n",
    "src/api/package.py": "import core\n\n\ndef by_package():\n    return core.engine.run(9)\n",
    "src/api/suffix.py": "import engine\n\n\ndef by_suffix():\n    return engine.helper(10)\n",
    "src/api/mode.py": "from core.engine import Engine\n\nSPEED = Engine.MODE\n\n\ndef build():\n"
    "    return Engine(11)\n",
    # `run` written in full-width letters: Python reads it as `run` (NFKC); the file has no ASCII `run`
    "src/api/unicode.py": "# -*- coding: utf-8 -*-\nfrom core.engine import \uff52\uff55\uff4e\n\n\n"
    "def wide():\n    return \uff52\uff55\uff4e(12)  # \u00e9\n",
    "src/api/noise.py": "def run():\n    return 'another run'\n\n\ndef main():\n    return run()\n",
    "src/cli.py": "from api.chain import chain\nfrom api.twice import twice\n\n\ndef main():\n"
    "    return chain() + twice()\n",
    "tests/test_engine.py": "from core.engine import Engine\n\n\ndef test_start():\n"
    "    assert Engine(1).start() == 1\n",
    "tests/test_cli.py": "import cli\n\n\ndef test_main():\n    assert cli.main()\n",
    "web/app.js": "import { x } from './lib/x';\n",
    "web/lib/x.js": "export const x = 1;\n",
}


def _files(make_repo, files=HIDDEN):
    b = make_repo()
    commit = b.commit("base", dict(files), author=ALICE)
    repo = GitRepo(b.path)
    return repo.tree_files(commit, GRAPH_SUFFIXES)


@pytest.fixture(autouse=True)
def _never_whole(monkeypatch):
    """Read only what the questions need (a small repository would otherwise soon read it all)."""
    monkeypatch.setattr(lazy_module, "FULL_SHARE", 10.0)


def _assert_every_answer_is_the_whole_graphs(files) -> None:
    whole = build_graph(files)
    ids = sorted({*whole.symbols, *whole.callers, *(c for cs in whole.callers.values() for c in cs)})
    for sid in ids:  # a fresh lazy graph per question: nothing read for an earlier one helps it
        lazy = lazy_graph_in_process(files)
        assert set(lazy.callers_of(sid)) == whole.callers.get(sid, set()), sid
        assert set(lazy.tests_of(sid)) == whole.tests.get(sid, set()), sid
        assert lazy_graph_in_process(files).fan_in(sid) == whole.fan_in(sid), sid
    for module in sorted(whole.modules):
        lazy = lazy_graph_in_process(files)
        assert set(lazy.importers_of(module)) == whole.importers.get(module, set()), module
        assert lazy_graph_in_process(files).fan_in(module, module=True) == whole.fan_in(module, module=True)
    lazy = lazy_graph_in_process(files)
    for path, _ in files:
        assert lazy.symbols_in(path) == whole.symbols_in(path), path
    assert (lazy.files, lazy.lines, lazy.modules) == (whole.files, whole.lines, whole.modules)


def test_every_answer_is_the_whole_graphs_where_callers_hide(make_repo) -> None:
    files = _files(make_repo)
    whole = build_graph(files)
    # the hiding places are real: the whole graph finds a caller in each (a `*` in the referencing file
    # itself resolves nothing: api.starred is a file the lazy graph must not read a caller from either)
    assert whole.callers["core.engine:run"] == {
        "core.tools.relative:go", "core.tools.deep.far:far", "api.alias:handler", "api.chain:chain",
        "api.forward:forward", "api.twice:twice", "api.package:by_package", "api.unicode:wide",
        "core.engine:Engine.start"}
    assert whole.callers["core.engine:helper"] == {"api.suffix:by_suffix", "core.engine:run"}
    assert whole.callers["core.jobs.queue:enqueue"] == {"core.tools.deep.far:far", "api.submodule:via_submodule"}
    assert whole.callers["core.jobs.queue:Queue.put"] == {"core.tools.deep.far:far"}
    assert {"api.mode:SPEED", "core.tools.relative:go"} <= whole.callers["core.engine:Engine"]
    assert whole.tests["core.engine:Engine"] == {"tests.test_engine"}
    _assert_every_answer_is_the_whole_graphs(files)


def test_a_caller_only_the_whole_graph_would_find_is_found(make_repo) -> None:
    """The file that calls `run` through `from core import start_engine` never names `run` or
    `core.engine`, and `noise.py` names `run` without calling it: the lazy graph reads the first (it
    names an alias of run from a module that re-exports it) and answers as the whole graph does."""
    files = _files(make_repo)
    lazy = lazy_graph_in_process(files)
    assert "api.alias:handler" in lazy.callers_of("core.engine:run")
    assert "api.noise:main" not in lazy.callers_of("core.engine:run")
    _, reached = lazy.fan_in("core.engine:run")
    assert {"cli:main", "api.chain:chain"} <= reached
    assert lazy.parsed < len([p for p, _ in files if p.endswith(".py")])  # not every file was read
    assert "src/api/noise.py" not in lazy._summaries  # it names `run` but imports nothing that leads to it


def test_the_graphs_agree_on_this_repositorys_own_code() -> None:
    """This repository at its HEAD (a real layout: src-less packages, tests, relative imports)."""
    from pathlib import Path

    repo = GitRepo(Path(__file__).resolve().parents[2])
    files = [(p, d) for p, d in repo.tree_files(repo.resolve_commit("HEAD"), GRAPH_SUFFIXES)
             if p.startswith(("app/core/impact/", "app/core/git/", "app/analysis/"))]
    whole = build_graph(files)
    for sid in sorted(whole.symbols)[::7]:
        lazy = lazy_graph_in_process(files)
        assert lazy.fan_in(sid) == whole.fan_in(sid), sid
        assert set(lazy.tests_of(sid)) == whole.tests.get(sid, set()), sid


def test_the_graphs_agree_on_rails_models_associated_both_ways(make_repo) -> None:
    """Rails associations make dependents the walk does not go on from (class_names.py): read lazily, the same."""
    from tests.functional.test_ruby_blast import ASSOCIATED, RAILS_APP

    files = _files(make_repo, {**RAILS_APP, **ASSOCIATED})
    assert any(c.endswith(":<association>") for cs in build_graph(files).callers.values() for c in cs)
    _assert_every_answer_is_the_whole_graphs(files)


def test_reading_everything_past_the_share_gives_the_whole_graph(make_repo, monkeypatch) -> None:
    monkeypatch.setattr(lazy_module, "FULL_SHARE", 0.1)
    files = _files(make_repo)
    lazy = lazy_graph_in_process(files)
    whole = build_graph(files)
    assert set(lazy.callers_of("core.engine:run")) == whole.callers["core.engine:run"]
    assert lazy.parsed == len([p for p, _ in files if p.endswith(".py")])
    assert (lazy.callers, lazy.tests, lazy.importers) == (whole.callers, whole.tests, whole.importers)
    with pytest.raises(TypeError):
        lazy.to_dict()  # never cached as a commit's graph, even read whole


def test_import_words_see_every_import_statement() -> None:
    words = import_words(b"x = 1; from a.b import (c,  # note (d)\n    e as f)\nimport g.h \\\n    as i\n"
                         b"if x: from .j import *\nfrom k import (l  # c\n  as m)\n")
    assert {b"a", b"b", b"j", b"k"} <= words.sources
    assert {b"c", b"e", b"f", b"g", b"h", b"i", b"l", b"m"} <= words.names
    assert words.star and {(b"e", b"f"), (b"h", b"i"), (b"l", b"m")} <= words.aliases


_KEYWORD = re.compile(rb"\b(?:from|import)\b")


def _keywords_by_regex(text: bytes) -> list[tuple[int, int]]:
    """Where import_words looked, as it found them before (one regex search from each statement's end)."""
    text = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\\\n", b" ")
    out, at = [], 0
    while (found := _KEYWORD.search(text, at)) is not None:
        out.append((found.start(), found.end()))
        end = text.find(b"\n", found.end())
        at = max(len(text) if end < 0 else end, found.end())
    return out


_PIECES = st.sampled_from([b"from", b"import", b"xfrom", b"import_", b"_from", b"from9", b"\xc3\xa9from",
                           b"from\xc3\xa9", b" ", b"\n", b"\r\n", b"\\\n", b"(", b")", b"#", b"a", b"as", b"*", b".",
                           b",", b"9", b"\t"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_the_keywords_of_import_statements_are_found_where_the_regex_found_them(pieces) -> None:
    """import_words finds `from` and `import` with bytes.find (half its time on ansible's 1,555 files): at the
    same places as the regex `\\b(?:from|import)\\b` (bytes' word characters are ASCII ones), from each
    statement's end."""
    from app.core.impact.lazy_graph import _next_keyword

    text = b"".join(pieces)
    joined = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\\\n", b" ")
    found, at = [], 0
    while (keyword := _next_keyword(joined, at)) is not None:
        found.append(keyword)
        end = joined.find(b"\n", keyword[1])
        at = max(len(joined) if end < 0 else end, keyword[1])
    assert found == _keywords_by_regex(text)


def test_a_module_level_walk_reads_its_importers(make_repo) -> None:
    files = _files(make_repo)
    whole = build_graph(files)
    lazy = lazy_graph_in_process(files)
    assert lazy.fan_in("core.engine", module=True) == whole.fan_in("core.engine", module=True)
    assert f"core:{MODULE_LEVEL}" in lazy.importers_of("core.engine")


# -- through the analyzer --------------------------------------------------------------------------


def _lazy_everywhere(monkeypatch) -> None:
    import app.analysis.analyzer as analyzer_module

    monkeypatch.setattr(analyzer_module, "LAZY_GRAPH_MIN_FILES", 1)
    monkeypatch.setattr(analyzer_module, "LAZY_GRAPH_SHARE", 1)


@pytest.fixture
def engine_repo(make_repo):
    b = make_repo()
    b.commit("base", HIDDEN, author=ALICE)
    b.branch("feature/run-twice")
    engine = HIDDEN["src/core/engine.py"]
    b.commit("run takes a count", {"src/core/engine.py": engine.replace("def run(job):", "def run(job, times=1):")},
             branch="feature/run-twice", author=ALICE)
    b.branch("feature/drop-engine", from_branch="main")
    b.commit("drop the engine", {"src/core/engine.py": None}, branch="feature/drop-engine", author=ALICE)
    return b.path


def _list(repo) -> list[dict]:
    result = CliRunner().invoke(__import__("app.cli", fromlist=["cli"]).cli, ["list", "--repo", str(repo), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    for item in listed:
        item.pop("age_seconds", None)
    return listed


def test_list_is_the_same_with_the_graph_read_lazily_or_whole(engine_repo, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("REVIEW_TUI_CACHE_DIR", str(tmp_path / "whole"))
    whole = _list(engine_repo)
    _lazy_everywhere(monkeypatch)
    monkeypatch.setenv("REVIEW_TUI_CACHE_DIR", str(tmp_path / "lazy"))
    lazy = _list(engine_repo)
    assert lazy == whole
    radius = {item["id"]: item["blast_radius"] for item in lazy}
    callers = {c for s in radius["feature/run-twice"]["symbols"] for c in s["direct_callers"]}
    assert {"api.alias.handler", "core.tools.relative.go", "api.unicode.wide"} <= callers
    assert radius["feature/drop-engine"]["symbols"][0]["change"] == "removed"


def test_a_lazily_read_graph_is_not_cached_as_the_commits_but_its_files_are(engine_repo, monkeypatch,
                                                                          tmp_path) -> None:
    from app.analysis.analyzer import Analyzer
    from app.core.impact.lazy_graph import LazyGraph
    from app.storage.cache import AnalysisCache

    _lazy_everywhere(monkeypatch)
    cache = AnalysisCache.open(tmp_path / "cache.sqlite")
    analyzer = Analyzer(engine_repo, cache=cache)
    analyzer.analyze_all()
    graph = analyzer.graph()
    assert isinstance(graph, LazyGraph) and not graph.whole and graph.parsed > 0
    key = analyzer._graph_key()
    assert key is not None and cache.get("graph", key) is None  # never taken for the whole graph
    again = Analyzer(engine_repo, cache=AnalysisCache.open(tmp_path / "cache.sqlite"))
    again.start_graph()  # no demand given: the whole graph, its files' summaries read from the cache
    whole = again.graph()
    assert whole is not None and whole.whole
    state = again._graphs[again.discovery.base_commit]
    assert whole.to_dict() == build_graph(GitRepo(engine_repo).tree_files(again.discovery.base_commit,
                                                                          GRAPH_SUFFIXES)).to_dict()
    assert state.graph is whole


def test_a_few_changes_offer_the_reading_of_names_before_they_are_diffed(engine_repo, monkeypatch, tmp_path) -> None:
    """A pass of a few changes offers each graph's name reading to the started pool first, before any change is
    diffed (offered once they were, it queued behind the history and the parses, and the blast radius asked right
    after took it back: ansible's 1,555 files read and indexed on the analysis process's lock); the figures are
    those of a graph read whole. A graph then read whole drops the offer."""
    import app.analysis.analyzer as analyzer_module
    import app.core.workers as workers_module
    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    whole = [r.assessment.blast_radius for r in Analyzer(engine_repo, cache=None).analyze_all() if r.assessment]
    _lazy_everywhere(monkeypatch)
    events: list[str] = []
    offer, prepare = workers_module.offer, Analyzer._prepare

    def offering(pool, fn, /, *args):
        events.append(f"offer {fn.__name__}")
        return offer(pool, fn, *args)

    def preparing(self, change, *args, **kwargs):
        events.append("diff")
        return prepare(self, change, *args, **kwargs)

    monkeypatch.setattr(workers_module, "offer", offering)
    monkeypatch.setattr(Analyzer, "_prepare", preparing)
    analyzer = Analyzer(engine_repo, cache=AnalysisCache.open(tmp_path / "cache.sqlite"))
    starting = analyzer.start_workers_if_first_run()  # a first run: the pool starts beside discovery
    assert starting is not None
    starting.join()
    lazily = [r.assessment.blast_radius for r in analyzer.analyze_all() if r.assessment]
    assert events[0] == "offer _lazy_parts_in_worker" and events.index("diff") > 0
    assert lazily == whole and not analyzer._graph_offers
    monkeypatch.setattr(analyzer_module, "LAZY_GRAPH_SHARE", 10**6)  # offered, then read whole: dropped
    events.clear()
    again = Analyzer(engine_repo, cache=AnalysisCache.open(tmp_path / "again.sqlite"))
    assert [r.assessment.blast_radius for r in again.analyze_all() if r.assessment] == whole
    assert events[0] == "offer _lazy_parts_in_worker" and not again._graph_offers
