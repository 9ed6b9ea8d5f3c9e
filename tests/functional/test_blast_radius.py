"""Blast radius and seams end to end on the blast-radius sample (sample_repos/blast.py): a signature change
of a function six modules call ranks above an equally sized change of a leaf, its callers are named in
`explain`, `--json` and the why panel, its chunk leads the plan and is marked, and the graph is cached."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.core.git.repo import GitRepo
from app.core.memo import ContentMemo
from app.storage.cache import AnalysisCache
from app.tui.widgets.why_panel import why_renderable
from tests.conftest import ALICE

WIDE = "refactor/to-cents-currency"
LEAF = "feature/banner-greeting"
CALLERS = {
    "shop.billing.invoices.invoice_line",
    "shop.billing.refunds.refund_cents",
    "shop.orders.discounts.discounted",
    "shop.orders.totals.order_total",
    "shop.reports.daily.report_line",
    "shop.shipping.rates.shipping_cents",
}


@pytest.fixture(scope="module")
def blast_repo(sample_root):
    return sample_root / "blast-radius"


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_wide_signature_change_ranks_above_an_equally_sized_leaf_change(blast_repo) -> None:
    listed = json.loads(_run("list", "--repo", str(blast_repo), "--json"))
    assert [item["id"] for item in listed] == [WIDE, LEAF]
    wide, leaf = listed
    assert (
        (wide["lines_added"], wide["lines_deleted"]) == (leaf["lines_added"], leaf["lines_deleted"]) == (3, 3)
    )
    assert wide["tier"] == leaf["tier"]
    factors = {f["name"]: f for f in wide["factors"]}
    leaf_factors = {f["name"]: f for f in leaf["factors"]}
    assert factors["blast_radius"]["contribution"] > 0 and leaf_factors["blast_radius"]["contribution"] == 0
    assert factors["seams"]["contribution"] > 0 and leaf_factors["seams"]["contribution"] == 0
    # the blast radius and the seams are impact: they raise the wide change's cost, not its likelihood
    assert wide["impact"] - leaf["impact"] == pytest.approx(
        factors["blast_radius"]["effect"] + factors["seams"]["effect"], abs=0.001)
    assert wide["expected_cost"] > leaf["expected_cost"]


def test_json_names_the_callers_and_the_seam(blast_repo) -> None:
    data = json.loads(_run("explain", WIDE, "--repo", str(blast_repo), "--json"))
    blast = data["blast_radius"]
    assert (blast["direct"], blast["modules"], blast["packages"]) == (6, 6, 4)
    [symbol] = blast["symbols"]
    assert symbol["symbol"] == "shop.money.to_cents" and symbol["change"] == "signature"
    assert (symbol["before"], symbol["after"]) == ("(amount)", "(amount, currency)")
    assert set(symbol["direct_callers"]) == CALLERS
    assert [seam["symbol"] for seam in data["seams"]] == ["shop.money.to_cents"]
    leaf = json.loads(_run("explain", LEAF, "--repo", str(blast_repo), "--json"))
    assert leaf["seams"] == [] and leaf["blast_radius"]["direct"] == 0


def test_explain_and_the_why_panel_list_the_seam_and_its_callers(blast_repo) -> None:
    text = _run("explain", WIDE, "--repo", str(blast_repo))
    assert "Seams" in text and "shop.money.to_cents" in text and "shop.orders.totals" in text
    detail = Analyzer(blast_repo).detail(WIDE)
    from rich.console import Console

    console = Console(width=120, record=True, color_system=None)
    console.print(why_renderable(detail.assessment))
    panel = console.export_text()
    assert "Seams: 1 untested" in panel and "shop.money.to_cents" in panel and "used by" in panel


def test_the_seam_chunk_leads_the_plan_and_is_marked(blast_repo) -> None:
    data = json.loads(_run("chunks", WIDE, "--repo", str(blast_repo), "--json"))
    first = data["chunks"][0]
    assert first["seams"] == ["shop.money.to_cents"]
    assert any("untested seam" in note for note in first["notes"])


def test_graph_is_cached_per_base_and_reused(blast_repo, tmp_path) -> None:
    cache = AnalysisCache.open(tmp_path / "cache.sqlite")
    first = Analyzer(blast_repo, cache=cache)
    first.analyze_all()
    key = first._graph_key()
    assert key is not None and cache.get("graph", key) is not None
    again = Analyzer(blast_repo, cache=cache)
    again.start_graph()
    state = again._graphs[again.discovery.base_commit]
    assert state.graph is not None and state.build is None  # read back, not rebuilt


def test_a_listed_change_opens_with_the_blast_radius_and_tiers_the_list_found(blast_repo) -> None:
    """Opening a listed change (its detail, what the TUI's change screen loads) takes its tiers and
    blast radius from the cache instead of parsing its files again, and they are the ones a fresh
    analysis gives: the seams, and so the plan's marked chunk, included."""
    Analyzer(blast_repo, cache=AnalysisCache.open()).analyze_all()
    warm = Analyzer(blast_repo, cache=AnalysisCache.open())
    tiers, blast = warm._cached_parts(warm.change(WIDE))
    assert tiers is not None and blast is not None and blast.seams
    uncached = Analyzer(blast_repo)  # no cache: everything parsed again
    fresh = uncached.detail(WIDE)
    assert blast == uncached._blast(uncached._prepare(uncached.change(WIDE)), wait=True)  # every field, head lines too
    opened = warm.detail(WIDE)
    assert opened.tiers == fresh.tiers == tiers
    assert opened.report.assessment.to_json() == fresh.report.assessment.to_json()
    assert opened.plan.to_dict() == fresh.plan.to_dict()


def test_a_later_base_parses_only_the_files_that_changed_and_gets_the_same_graph(blast_repo, make_repo,
                                                                                  tmp_path) -> None:
    """Each file's summary is kept per (blob, path): the graph of a new base commit (main moved on)
    parses only the files that changed since, and is the graph a build from scratch gives."""
    from app.analysis.analyzer import _GraphBuild

    cache = AnalysisCache.open(tmp_path / "graph.db")
    base = Analyzer(blast_repo).discovery.base_commit
    assert base is not None
    first = _GraphBuild(blast_repo, base, 2, cache)
    first.wait()
    assert first.graph is not None and first.parsed == first.graph.files > 10
    again = _GraphBuild(blast_repo, base, 2, cache)
    again.wait()
    scratch = _GraphBuild(blast_repo, base, 2, None)
    scratch.wait()
    assert again.parsed == 0 and again.graph is not None and scratch.graph is not None
    assert again.graph.to_dict() == scratch.graph.to_dict() == first.graph.to_dict()

    b = make_repo()
    old = b.commit("start", {"pkg/a.py": "def f(x):\n    return x\n", "pkg/b.py": "from pkg.a import f\n\n\ndef g():\n"
                             "    return f(1)\n", "pkg/c.py": "def h():\n    return 2\n"},
                   author=ALICE)
    new = b.commit("g calls h", {"pkg/b.py": "from pkg.a import f\nfrom pkg.c import h\n\n\ndef g():\n"
                                 "    return f(1) + h()\n"}, author=ALICE)
    before = _GraphBuild(b.path, old, 1, cache)
    before.wait()
    after = _GraphBuild(b.path, new, 1, cache)
    after.wait()
    fresh = _GraphBuild(b.path, new, 1, None)
    fresh.wait()
    assert (before.parsed, after.parsed, fresh.parsed) == (3, 1, 3)
    assert after.graph is not None and fresh.graph is not None
    assert after.graph.to_dict() == fresh.graph.to_dict()
    assert after.graph.callers["pkg.c:h"] == {"pkg.b:g"}  # what the changed file says, not its old summary


def test_a_graph_read_in_many_batches_is_the_graph_of_every_file_at_once(make_repo, tmp_path, monkeypatch) -> None:
    """The background build reads the base tree a batch of files at a time (three here, for bounded
    memory), parses each in worker batches and caches each file's summary: the graph is the one
    build_graph makes in this process, its line count is every file's, and a second build reads them
    all back from the cache."""
    import app.analysis.analyzer as analyzer_module
    from app.analysis.analyzer import _GraphBuild

    monkeypatch.setattr(analyzer_module, "GRAPH_BATCH_FILES", 64)
    from app.core.impact.graph import build_graph

    files = {f"pkg/m{i}.py": (f"from pkg.m{i - 1} import f{i - 1}\n\n\ndef f{i}(x):\n    return f{i - 1}(x) + {i}\n"
                              if i else "def f0(x):\n    return x\n") for i in range(180)}
    b = make_repo()
    head = b.commit("a chain of 180 modules", {"pkg/__init__.py": "", **files}, author=ALICE)
    cache = AnalysisCache.open(tmp_path / "graph.db")
    built = _GraphBuild(b.path, head, 2, cache)
    built.wait()
    assert built.error is None and built.graph is not None and built.parsed == 181
    whole = build_graph([(path, text.encode()) for path, text in {"pkg/__init__.py": "", **files}.items()])
    assert built.graph.to_dict() == whole.to_dict()
    assert built.graph.lines == sum(text.count("\n") for text in files.values())
    assert built.graph.callers["pkg.m41:f41"] == {"pkg.m42:f42"}
    again = _GraphBuild(b.path, head, 2, cache)
    again.wait()
    assert again.parsed == 0 and again.graph is not None and again.graph.to_dict() == whole.to_dict()


def test_a_tree_over_the_source_bound_gets_no_graph_and_says_why(make_repo, monkeypatch) -> None:
    import app.analysis.analyzer as analyzer_module
    from app.analysis.analyzer import _GraphBuild

    b = make_repo()
    head = b.commit("two modules", {"a.py": "x = 1\n" * 100, "b.py": "y = 2\n" * 100}, author=ALICE)
    monkeypatch.setattr(analyzer_module, "MAX_GRAPH_LINES", 150)
    built = _GraphBuild(b.path, head, 1, None)
    built.wait()
    assert built.graph is None and built.parsed == 0 and not built.failed
    assert built.error == ("dependency graph not built: 200 lines of source is over the 150-line bound "
                           "(blast radius and seams not measured)")


def test_a_file_the_graph_suffixes_match_but_no_summary_reads_is_counted_not_fatal(make_repo) -> None:
    """`legacy.go.mod` ends with `go.mod` but is no go.mod: the background build failed on it ("zip()
    argument 2 is shorter than argument 1": no blast radius for the whole repository); now it is the graph
    build_graph makes, as the lazily read graph is."""
    from app.analysis.analyzer import _GraphBuild
    from app.core.impact.graph import GRAPH_SUFFIXES, build_graph
    from app.core.impact.lazy_graph import lazy_graph_in_process

    b = make_repo()
    head = b.commit("odd go.mod", {"a.py": "def f():\n    return 1\n", "b.py": "from a import f\n\n\ndef g():\n"
                                   "    return f()\n", "legacy.go.mod": "module x\n"}, author=ALICE)
    built = _GraphBuild(b.path, head, 1, None)
    built.wait()
    files = GitRepo(b.path).tree_files(head, GRAPH_SUFFIXES)
    assert built.error is None and built.graph is not None
    assert built.graph.to_dict() == build_graph(files).to_dict()
    lazy = lazy_graph_in_process(files)
    assert (lazy.files, lazy.lines) == (built.graph.files, built.graph.lines) == (2, 8)  # its line is counted
    assert lazy.callers_of("a:f") == built.graph.callers["a:f"] == {"b:g"}


# laid out like httpx: the code in `_private` modules, the package's __init__ re-exporting it
HTTPX_LIKE = {
    "pkg/__init__.py": "from ._client import *\nfrom ._status_codes import *\nfrom ._urls import *\n\n"
    "__all__ = ['URL', 'codes', 'get']\n",
    "pkg/_urlparse.py": "def urlparse(url: str = '', **kwargs: str) -> str:\n    return _split(url)\n\n\n"
    "def _split(url):\n    return url\n",
    "pkg/_urls.py": "from ._urlparse import urlparse\n\n\nclass URL:\n    def __init__(self, url):\n"
    "        self.raw = urlparse(url)\n",
    "pkg/_status_codes.py": "class codes:\n    FOUND = 302\n\n    @classmethod\n    def is_redirect(cls, value):\n"
    "        return value in (301, 302)\n\n    @classmethod\n    def get_reason_phrase(cls, value):\n"
    "        return 'Found'\n",
    "pkg/_client.py": "from ._status_codes import codes\nfrom ._urls import URL\n\n\ndef get(url):\n"
    "    return URL(url)\n\n\ndef follow(status):\n    return codes.is_redirect(status)\n\n\n"
    "def see_other(status):\n    return status == codes.FOUND\n",
    "pkg/_main.py": "from ._status_codes import codes\n\n\ndef reason(status):\n"
    "    return codes.get_reason_phrase(status)\n",
    "tests/test_client.py": "import pkg\n\n\ndef test_get():\n    assert pkg.get('x').raw == 'x'\n",
}


@pytest.fixture
def underscored_repo(make_repo):
    b = make_repo()
    b.commit("httpx-like layout", HTTPX_LIKE, author=ALICE)
    b.branch("qa/sig")
    b.commit("urlparse: url required, strict added", {"pkg/_urlparse.py": HTTPX_LIKE["pkg/_urlparse.py"].replace(
        "url: str = '', **kwargs", "url: str, strict: bool, **kwargs")}, branch="qa/sig", author=ALICE)
    b.branch("qa/drop-status", from_branch="main")
    b.commit("drop the status codes module", {"pkg/_status_codes.py": None}, branch="qa/drop-status", author=ALICE)
    return b.path


def test_a_private_modules_symbols_and_their_dependents_count(underscored_repo) -> None:
    """httpx and attrs keep all their code in `_private` modules: re-signing `_urlparse.urlparse`, which
    `_urls` calls, or deleting `_status_codes`, which two modules import, has dependents to count."""
    sig = json.loads(_run("explain", "qa/sig", "--repo", str(underscored_repo), "--json"))["blast_radius"]
    assert [(s["symbol"], s["change"], s["direct_callers"]) for s in sig["symbols"]] == [
        ("pkg._urlparse.urlparse", "signature", ["pkg._urls.URL.__init__"])]
    assert sig["direct"] == 1 and sig["seams"] == ["pkg._urlparse.urlparse"]
    dropped = json.loads(_run("explain", "qa/drop-status", "--repo", str(underscored_repo), "--json"))["blast_radius"]
    callers = {c for s in dropped["symbols"] for c in s["direct_callers"]}
    assert {"pkg._client.follow", "pkg._client.see_other", "pkg._main.reason"} <= callers
    assert dropped["modules"] >= 2
    text = _run("explain", "qa/drop-status", "--repo", str(underscored_repo))
    assert "pkg._status_codes.codes.is_redirect" in text and "no changed public symbol" not in text


def test_deleting_a_module_counts_every_module_that_imports_it(underscored_repo) -> None:
    """`pkg/__init__.py` star-imports `_status_codes` and uses none of its names: deleting the module
    still breaks it (the whole package fails to import), and explain says why, in the singular for one
    package."""
    dropped = json.loads(_run("explain", "qa/drop-status", "--repo", str(underscored_repo), "--json"))
    whole = dropped["blast_radius"]["symbols"][0]
    assert (whole["symbol"], whole["change"], whole["before"]) == ("pkg._status_codes", "removed", "module")
    assert sorted(whole["direct_callers"]) == ["pkg", "pkg._client", "pkg._main"]
    assert whole["tested_by"] == ["tests.test_client"]  # it imports pkg, which imports the module
    why = {f["name"]: f["explanation"] for f in dropped["factors"]}["blast_radius"]
    assert why.startswith("pkg, pkg._client, pkg._main import the removed module pkg._status_codes; ")
    text = " ".join(_run("explain", "qa/drop-status", "--repo", str(underscored_repo)).split())  # unwrapped
    assert "pkg._status_codes: module removed; 3 direct" in text
    assert "in 3 files (1 directory)" in text and "1 directories" not in text


def test_a_graph_file_whose_version_a_change_reads_is_parsed_once_for_both(make_repo) -> None:
    """A whole build that shares its parses with the pass's offering (the versions whose head definitions a
    blast radius reads): the graph is the one a build alone makes, each shared version's head definitions
    are what their own parse gives (one that does not parse too) and no task is offered for them again,
    and the complexity figures the measurement wants are the ones it would measure."""
    from dataclasses import dataclass, field

    from app.analysis.analyzer import _GraphBuild
    from app.core.impact import graph
    from app.core.metrics.complexity import analyze_source
    from app.core.workers import shared_pool

    sources = {"pkg/a.py": "def f(x):\n    if x:\n        return 1\n    return 2\n",
               "pkg/b.py": "from pkg.a import f\n\n\nclass G:\n    def g(self):\n        return f(1)\n",
               "pkg/broken.py": "def oops(:\n", "pkg/c.py": "def h():\n    return 2\n"}
    b = make_repo()
    head = b.commit("four modules", sources, author=ALICE)
    repo = GitRepo(b.path)
    blobs = dict(repo.tree_blobs(head, (".py",)))
    pool = shared_pool(2)
    assert pool is not None

    @dataclass
    class Offering:  # what _GraphBuild reads of the pass's _Offering
        sides: set[tuple[str, str]]
        measured: dict[str, str]
        max_bytes: int = 1_000_000
        metrics: dict[str, object] = field(default_factory=dict)
        pool_submit: object = pool.submit
        base_tests: set[tuple[str, str]] = field(default_factory=set)

    shared = ["pkg/a.py", "pkg/b.py", "pkg/broken.py"]
    offering = Offering({(p, blobs[p]) for p in shared}, {blobs["pkg/a.py"]: "pkg/a.py",
                                                         blobs["pkg/broken.py"]: "pkg/broken.py"})
    try:
        built = _GraphBuild(b.path, head, 2, None, share=offering)  # type: ignore[arg-type]
        built.wait()
        alone = _GraphBuild(b.path, head, 2, None)
        alone.wait()
        assert built.error is None and built.graph is not None and alone.graph is not None
        assert built.graph.to_dict() == alone.graph.to_dict()
        for path in shared:
            data = sources[path].encode()
            assert not graph.head_defs_wanted(path, ContentMemo.key(path, data)[1])  # known: not offered again
            assert graph._head_defs(path, data) == graph.head_defs_answer(path, data)
        assert graph._head_defs("pkg/broken.py", sources["pkg/broken.py"].encode()) is None
        assert set(offering.metrics) == {blobs["pkg/a.py"], blobs["pkg/broken.py"]}  # only what is measured
        for path in ("pkg/a.py", "pkg/broken.py"):
            figures = offering.metrics[blobs[path]].result()  # type: ignore[attr-defined]
            assert figures == analyze_source(path, sources[path].encode(), max_bytes=1_000_000, maintainability=False)
        assert graph.head_defs_wanted("pkg/c.py", ContentMemo.key("pkg/c.py", sources["pkg/c.py"].encode())[1])
    finally:
        graph._head_defs_memo._answers.clear()


def test_tests_the_change_adds_test_what_it_changes(make_repo) -> None:
    """The graph is the base's: a change that rewrites a function other modules call and adds the test of it
    read "1 untested seam" (6 of lazygit's 55 Go seams). Its own tests count, in Python (a new test module
    calling the function), in Go (a `_test.go` beside the package) and in TypeScript (a test importing the
    file); a change without tests still has its seams."""
    b = make_repo()
    b.commit("layout", {
        "pkg/__init__.py": "",
        "pkg/prices.py": "def net(amount):\n    return amount\n",
        "pkg/cart.py": "from pkg.prices import net\n\n\ndef total(items):\n    return sum(net(i) for i in items)\n",
        "go.mod": "module example.com/app\n\ngo 1.22\n",
        "rates/rates.go": "package rates\n\nfunc Rate() int {\n\treturn 1\n}\n",
        "cmd/main.go": "package main\n\nimport \"example.com/app/rates\"\n\nfunc main() {\n\t_ = rates.Rate()\n}\n",
        "web/util.ts": "export function pad(s: string): string {\n  return s;\n}\n",
        "web/app.ts": "import { pad } from './util';\n\nexport const title = pad('x');\n",
    }, author=ALICE)
    rewritten = {
        "pkg/prices.py": "def net(amount):\n    return round(amount, 2)\n",
        "rates/rates.go": "package rates\n\nfunc Rate() int {\n\treturn 2\n}\n",
        "web/util.ts": "export function pad(s: string): string {\n  return ` ${s}`;\n}\n",
    }
    b.branch("untested")
    b.commit("rewrite three functions", rewritten, branch="untested", author=ALICE)
    b.branch("tested")
    b.commit("rewrite three functions, with tests", {
        **rewritten,
        "tests/test_prices.py": "from pkg.prices import net\n\n\ndef test_net():\n    assert net(1.234) == 1.23\n",
        "rates/rates_test.go": "package rates\n\nimport \"testing\"\n\nfunc TestRate(t *testing.T) {\n"
                               "\tif Rate() != 2 {\n\t\tt.Fail()\n\t}\n}\n",
        "web/util.test.ts": "import { pad } from './util';\n\ntest('pad', () => expect(pad('a')).toBe(' a'));\n",
    }, branch="tested", author=ALICE)
    untested = json.loads(_run("explain", "untested", "--repo", str(b.path), "--json"))["blast_radius"]
    assert sorted(untested["seams"]) == ["pkg.prices.net", "rates/rates.go", "web/util.ts"]
    tested = json.loads(_run("explain", "tested", "--repo", str(b.path), "--json"))
    assert tested["seams"] == [] and tested["blast_radius"]["seams"] == []
    assert {s["symbol"]: s["tested_by"] for s in tested["blast_radius"]["symbols"]} == {
        "pkg.prices.net": ["tests.test_prices"], "rates/rates.go": ["rates/rates_test.go"],
        "web/util.ts": ["web/util.test.ts"]}
    why = {f["name"]: f["explanation"] for f in tested["factors"]}["seams"]
    assert why == "no untested seam"


def test_code_the_graph_does_not_read_has_no_measured_blast_radius(make_repo) -> None:
    """The graph of a repository's Python said "no changed public symbol is used elsewhere" of a Ruby change it never
    read (QA57 F5: rubygems.org pr/6605 removed a method that its own review plan showed used in another file). Code
    the graph reads none of (Kotlin) is not measured, and says which files; a change with Python in it is still
    measured, and Ruby now is: the job that names GemInfo depends on it."""
    b = make_repo()
    b.commit("app", {"pkg/__init__.py": "", "pkg/a.py": "def f(x):\n    return x\n",
                     "pkg/b.py": "from pkg.a import f\n\n\ndef g():\n    return f(1)\n",
                     "app/models/gem_info.rb": "class GemInfo\n  def info_checksum\n    1\n  end\nend\n",
                     "app/jobs/after_write_job.rb": "class AfterWriteJob\n  def run\n    GemInfo.new.info_checksum\n"
                                                    "  end\nend\n",
                     "android/Gem.kt": "class Gem {\n  fun checksum() = 1\n}\n"}, author=ALICE)
    b.branch("ruby/drop-checksum")
    b.commit("drop info_checksum", {"app/models/gem_info.rb": "class GemInfo\nend\n"}, branch="ruby/drop-checksum",
             author=ALICE)
    b.branch("kotlin/drop-checksum")
    b.commit("drop checksum", {"android/Gem.kt": "class Gem\n"}, branch="kotlin/drop-checksum", author=ALICE)
    b.branch("py/rename-f")
    b.commit("rename f", {"pkg/a.py": "def f(x, y=0):\n    return x + y\n"}, branch="py/rename-f", author=ALICE)
    listed = {item["id"]: {f["name"]: f for f in item["factors"]}
              for item in json.loads(_run("list", "--repo", str(b.path), "--json"))}
    kotlin = listed["kotlin/drop-checksum"]["blast_radius"]
    assert kotlin["explanation"] == ("blast radius not measured: the dependency graph reads Python, JavaScript, "
                                     "TypeScript, Go, Java, PHP, Rust, C# and Ruby files, not .kt")
    assert kotlin["contribution"] == 0
    ruby = listed["ruby/drop-checksum"]["blast_radius"]["explanation"]
    assert "imported or named by 1 file" in ruby and "app/jobs/after_write_job.rb" in ruby, ruby
    python = listed["py/rename-f"]["blast_radius"]["explanation"]
    assert "not measured" not in python and "pkg.b.g" in python


def test_a_blast_radius_measured_on_part_of_a_change_says_what_it_did_not_read(make_repo) -> None:
    """rubygems.org pr/2108 changed JavaScript the graph read and Ruby it did not (Kotlin here: Ruby is read now); "no
    changed public symbol is used elsewhere" read as the answer for the whole change. The measured part keeps its
    figure and the explanation says which kinds of the change's code were not read (scripts and SQL, which define
    nothing others import, are not named)."""
    b = make_repo()
    b.commit("app", {"web/util.js": "export function pad(s) {\n  return ' ' + s;\n}\n",
                     "android/Gem.kt": "class Gem {\n  fun checksum() = 1\n}\n",
                     "bin/setup.sh": "#!/bin/sh\necho setup\n"}, author=ALICE)
    b.branch("mixed")
    b.commit("webauthn", {"web/util.js": "export function pad(s) {\n  return '  ' + s;\n}\n",
                          "android/Gem.kt": "class Gem\n",
                          "bin/setup.sh": "#!/bin/sh\necho set up\n"}, branch="mixed", author=ALICE)
    b.branch("js-only")
    b.commit("pad", {"web/util.js": "export function pad(s) {\n  return '  ' + s;\n}\n",
                     "bin/setup.sh": "#!/bin/sh\necho set up\n"}, branch="js-only", author=ALICE)
    listed = {item["id"]: {f["name"]: f for f in item["factors"]}
              for item in json.loads(_run("list", "--repo", str(b.path), "--json"))}
    assert listed["mixed"]["blast_radius"]["explanation"] == (
        "no changed public symbol is used elsewhere (of the files the dependency graph reads; not read: .kt)")
    assert listed["js-only"]["blast_radius"]["explanation"] == "no changed public symbol is used elsewhere"


def test_explain_json_names_an_import_level_files_change_as_explain_says_it(make_repo) -> None:
    """FIX131: `explain --json` said "change": "module" of a JavaScript or Go file (and of one deleted), where the
    text said "file" or "package": the JSON names it as the text does, "file", "package" (a Go file's importers
    import its package), or "removed" with "before": "file" for a file deleted or renamed away."""
    b = make_repo()
    b.commit("base", {"web/lib/total.js": "export const total = (a) => a + 1;\n",
                      "web/app.js": "import { total } from './lib/total.js';\nconsole.log(total(1));\n",
                      "go.mod": "module example.com/ledger\n\ngo 1.22\n",
                      "ledger/ledger.go": "package ledger\n\nfunc Post(n int) int { return n }\n",
                      "cmd/main.go": "package main\n\nimport \"example.com/ledger/ledger\"\n\n"
                                     "func main() { ledger.Post(1) }\n"}, author=ALICE)
    b.branch("edit")
    b.commit("edit both", {"web/lib/total.js": "export const total = (a) => a + 2;\n",
                           "ledger/ledger.go": "package ledger\n\nfunc Post(n int) int { return n + 1 }\n"},
             branch="edit", author=ALICE)
    b.branch("drop", from_branch="main")
    b.commit("drop total", {"web/lib/total.js": None}, branch="drop", author=ALICE)

    def named(change: str) -> list[tuple[str, str, str, str]]:
        symbols = json.loads(_run("explain", change, "--repo", str(b.path), "--json"))["blast_radius"]["symbols"]
        return sorted((s["path"], s["change"], s["before"], s["after"]) for s in symbols)

    assert named("edit") == [("ledger/ledger.go", "package", "", ""), ("web/lib/total.js", "file", "", "")]
    assert named("drop") == [("web/lib/total.js", "removed", "file", "")]
    text = " ".join(_run("explain", "drop", "--repo", str(b.path)).split())
    assert "web/lib/total.js: file removed; 1 direct" in text, text
