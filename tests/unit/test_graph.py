"""The dependency graph behind blast radius and seams (app/core/impact/graph.py), on real repositories."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from app.core.git.repo import GitRepo
from app.core.impact.graph import (
    MAX_WALK,
    Graph,
    blast_radius,
    build_graph,
    module_name,
    summarise,
    summarise_import_level,
    summarise_python,
)
from tests.conftest import ALICE

PROJECT = {
    "src/shop/__init__.py": "from .money import to_cents as to_cents\n",
    "src/shop/money.py": "def to_cents(amount):\n    return int(amount * 100)\n\n\n"
    "def _round(x):\n    return x\n\n\nclass Wallet:\n    def pay(self, amount):\n"
    "        return self.check(amount)\n\n    def check(self, amount):\n        return amount\n",
    "src/shop/orders.py": "from shop.money import to_cents\n\n\n"
    "def total(a):\n    return to_cents(a) + 1\n",
    "src/shop/billing/invoices.py": "from .. import money as m\n\n\n"
    "def line(a):\n    return m.to_cents(a)\n\n\n"
    "def wallet():\n    return m.Wallet().pay(1)\n",
    "src/shop/billing/refunds.py": "import shop\n\n\n"
    "def refund(a):\n    return -shop.to_cents(a)\n",
    "src/shop/report.py": "from shop.orders import total\n\n\ndef daily():\n    return total(3)\n",
    "tests/test_orders.py": "from shop.orders import total\n\n\n"
    "def test_total():\n    assert total(1) == 101\n",
    "web/app.js": "import { total } from './lib/total';\nconst x = require('./lib/format');\n",
    "web/lib/total.js": "export function total() {}\n",
    "web/lib/format.js": "module.exports = {}\n",
    "broken.py": "def oops(:\n",
}


def _graph(make_repo, files=PROJECT):
    builder = make_repo()
    commit = builder.commit("base", dict(files), author=ALICE)
    repo = GitRepo(builder.path)
    return repo, commit, build_graph(repo.tree_files(commit, (".py", ".js", ".go")))


def test_module_names() -> None:
    assert module_name("src/shop/money.py") == "shop.money"
    assert module_name("shop/__init__.py") == "shop"
    assert module_name("web/app.js") == "web/app.js"


def test_references_resolve_through_every_import_form(make_repo) -> None:
    _, _, graph = _graph(make_repo)
    callers = graph.callers["shop.money:to_cents"]
    assert {"shop.orders:total", "shop.billing.invoices:line", "shop.billing.refunds:refund"} <= callers
    assert "shop.money:Wallet.pay" in graph.callers["shop.money:Wallet.check"]  # self.method
    # m.Wallet().pay(): the class is referenced; the method through an instance is not resolved
    assert "shop.billing.invoices:wallet" in graph.callers["shop.money:Wallet"]
    assert "shop.money:Wallet.pay" not in graph.callers
    assert graph.tests["shop.orders:total"] == {"tests.test_orders"}
    assert graph.unparsed == ["broken.py"]
    assert graph.callers["web/lib/total.js"] == graph.callers["web/lib/format.js"] == {"web/app.js:<module>"}


def test_fan_in_is_transitive_and_excludes_the_symbol_itself(make_repo) -> None:
    _, _, graph = _graph(make_repo)
    direct, transitive = graph.fan_in("shop.money:to_cents")
    assert "shop.report:daily" not in direct and "shop.report:daily" in transitive  # via orders.total


def test_blast_radius_of_a_signature_change_and_its_seam(make_repo) -> None:
    _, _, graph = _graph(make_repo)
    head = PROJECT["src/shop/money.py"].replace("def to_cents(amount):", "def to_cents(amount, currency):")
    result = blast_radius(graph, [("src/shop/money.py", "src/shop/money.py", head.encode(), None)])
    assert [(s.name, s.change) for s in result.symbols] == [("shop.money.to_cents", "signature")]
    symbol = result.symbols[0]
    assert symbol.before == "(amount)" and symbol.after == "(amount, currency)"
    assert symbol.modules >= 4 and symbol.packages >= 2 and symbol.cross_module
    assert [s.name for s in result.seams] == ["shop.money.to_cents"]  # no test references to_cents
    assert result.seam_ranges({}) == [("src/shop/money.py", "new", 1, 2, "shop.money.to_cents")]


def test_a_head_version_is_judged_by_its_own_content_every_time(make_repo) -> None:
    # The head versions' definitions are remembered per (path, content): the same content gives the
    # same answer again, another content at the same path its own.
    _, _, graph = _graph(make_repo)
    path = "src/shop/money.py"
    resigned = PROJECT[path].replace("def to_cents(amount):", "def to_cents(amount, currency):").encode()
    unchanged = PROJECT[path].encode()
    for _ in range(2):
        assert [s.change for s in blast_radius(graph, [(path, path, resigned, None)]).symbols] == ["signature"]
        assert blast_radius(graph, [(path, path, unchanged, None)]).symbols == []
    assert blast_radius(graph, [(path, path, b"def to_cents(:\n", None)]).notes == [
        f"{path}: the new version does not parse: its symbols count as changed"]


def test_tested_symbols_private_names_and_removals(make_repo) -> None:
    _, _, graph = _graph(make_repo)
    orders = "from shop.money import to_cents\n\n\ndef total(a, b=0):\n    return to_cents(a) + b\n"
    result = blast_radius(graph, [("src/shop/orders.py", "src/shop/orders.py", orders.encode(), None)])
    assert [(s.name, s.tested_by) for s in result.symbols] == [("shop.orders.total", ["tests.test_orders"])]
    assert result.seams == []  # a test references it
    money = "def to_cents(amount):\n    return int(amount * 100)\n"
    removed = blast_radius(graph, [("src/shop/money.py", "src/shop/money.py", money.encode(), None)])
    assert {(s.name, s.change) for s in removed.symbols} == {
        ("shop.money.Wallet", "removed"),
        ("shop.money.Wallet.pay", "removed"),
        ("shop.money.Wallet.check", "removed"),
    }
    assert "shop.money._round" not in {s.name for s in removed.symbols}  # private: nobody outside may use it


def test_import_level_files_get_module_fan_in(make_repo) -> None:
    _, _, graph = _graph(make_repo)
    result = blast_radius(
        graph, [("web/lib/total.js", "web/lib/total.js", b"export function total(a) {}\n", None)]
    )
    assert [(s.name, s.change, s.direct) for s in result.symbols] == [
        ("web/lib/total.js", "module", ["web/app.js:<module>"])  # the file, not its "<module>"
    ]


def test_a_typescript_esm_import_of_the_js_name_reaches_the_ts_file() -> None:
    """ky writes `from '../utils/merge.js'` for source/utils/merge.ts (TypeScript's ESM convention, as tsc
    resolves it): no such import resolved, and every ky change read "no changed public symbol is used
    elsewhere" (QA43 #3)."""
    files = {
        "source/utils/merge.ts": "export const deepMerge = (a: object) => a;\n",
        "source/core/Ky.ts": "import {deepMerge} from '../utils/merge.js';\nexport class Ky {}\n",
        "source/index.mts": "export * from './core/Ky.js';\n",
        "source/old.mts": "export const x = 1;\n",
        "source/cli.cts": "const {x} = require('./old.mjs');\n",
    }
    graph = Graph.build([summarise_import_level(path, text.encode()) for path, text in files.items()])
    merge = blast_radius(graph, [("source/utils/merge.ts", "source/utils/merge.ts", b"export const a = 1;\n", None)])
    assert [s.direct for s in merge.symbols] == [["source/core/Ky.ts:<module>"]]
    ky = blast_radius(graph, [("source/core/Ky.ts", "source/core/Ky.ts", b"export class K {}\n", None)])
    assert [s.direct for s in ky.symbols] == [["source/index.mts:<module>"]]
    old = blast_radius(graph, [("source/old.mts", "source/old.mts", b"export const y = 1;\n", None)])
    assert [s.direct for s in old.symbols] == [["source/cli.cts:<module>"]]


def test_graph_round_trips_through_json(make_repo) -> None:
    _, _, graph = _graph(make_repo)
    again = Graph.from_dict(json.loads(json.dumps(graph.to_dict())))
    assert again.callers == graph.callers and again.tests == graph.tests
    assert again.symbols.keys() == graph.symbols.keys() and again.lines == graph.lines


def test_walk_is_bounded(make_repo) -> None:
    chain = {
        f"m{i}.py": f"from m{i + 1} import f{i + 1}\n\n\ndef f{i}():\n    return f{i + 1}()\n"
        for i in range(MAX_WALK + 50)
    }
    graph = Graph.build([summarise_python(path, text.encode()) for path, text in chain.items()])
    _, transitive = graph.fan_in(f"m{MAX_WALK + 40}:f{MAX_WALK + 40}")
    assert len(transitive) <= MAX_WALK + 1


def test_parallel_build_equals_serial(make_repo) -> None:
    files = {
        f"pkg/mod{i}.py": f"from pkg.mod{(i + 1) % 300} import f\n\n\ndef f():\n    return {i}\n"
        for i in range(300)
    }
    builder = make_repo()
    commit = builder.commit("base", files, author=ALICE)
    items = GitRepo(builder.path).tree_files(commit, (".py",))
    assert build_graph(items, workers=2).to_dict() == build_graph(items, workers=1).to_dict()


@given(
    st.text(
        alphabet=st.sampled_from(list("def class import from ():.,=\n    abcxyz_0123@'\"#*")), max_size=400
    )
)
def test_summaries_never_raise(text: str) -> None:
    summary = summarise_python("pkg/x.py", text.encode())
    Graph.build([summary])


def test_what_changed_is_read_from_the_changes_own_base_not_the_graphs(make_repo) -> None:
    """The graph is of a later commit where to_cents gained a parameter: a change that started before
    that and leaves to_cents alone is charged with nothing; one that alters to_cents's body in its
    own base version is charged with a body change, measured against the graph's callers."""
    _, _, graph = _graph(make_repo)
    path = "src/shop/money.py"
    own_base = PROJECT[path].replace("def to_cents(amount):", "def to_cents(amount, currency):").encode()
    untouched = own_base + b"\n# a comment only\n"
    assert blast_radius(graph, [(path, path, untouched, own_base)]).symbols == []
    assert [s.change for s in blast_radius(graph, [(path, path, untouched, None)]).symbols] == ["signature"]
    rewritten = own_base.replace(b"return", b"return 0 +", 1)
    found = blast_radius(graph, [(path, path, rewritten, own_base)]).symbols
    assert [(s.name, s.change) for s in found] == [("shop.money.to_cents", "body")]
    assert found[0].modules >= 4  # its callers, from the graph


# httpx and attrs keep their code in `_private` modules and re-export it from the package's __init__
UNDERSCORED = {
    "pkg/__init__.py": "from ._client import *\nfrom ._urls import *\n\n__all__ = ['URL', 'get']\n",
    "pkg/_urlparse.py": "def urlparse(url=''):\n    return _split(url)\n\n\ndef _split(url):\n    return url\n",
    "pkg/_helpers.py": "def _normalise(url):\n    return url.strip()\n",
    "pkg/_urls.py": "from ._helpers import _normalise\nfrom ._urlparse import urlparse\n\n\nclass URL:\n"
    "    def __init__(self, url):\n        self.parts = urlparse(_normalise(url))\n",
    "pkg/_client.py": "from ._urls import URL\n\n\ndef get(url):\n    return URL(url)\n",
    "tests/test_urls.py": "import pkg\n\n\ndef test_url():\n    assert pkg.URL('x').parts == 'x'\n",
}


def test_a_private_modules_names_count_and_a_starred_re_export_reaches_them(make_repo) -> None:
    _, _, graph = _graph(make_repo, UNDERSCORED)
    assert graph.tests["pkg._urls:URL"] == {"tests.test_urls"}  # pkg.URL, through `from ._urls import *`
    path = "pkg/_urlparse.py"
    head = UNDERSCORED[path].replace("urlparse(url='')", "urlparse(url, strict)").replace("return url", "return 1")
    result = blast_radius(graph, [(path, path, head.encode(), None)])
    assert [(s.name, s.change, s.direct) for s in result.symbols] == [
        ("pkg._urlparse.urlparse", "signature", ["pkg._urls:URL.__init__"])]  # _split: used in its module only
    assert [s.name for s in result.seams] == ["pkg._urlparse.urlparse"]
    removed = blast_radius(graph, [(path, None, None, None)])
    assert [(s.name, s.change, s.direct) for s in removed.symbols] == [
        ("pkg._urlparse", "removed", ["pkg._urls:<module>"]),  # its importer fails to import
        ("pkg._urlparse.urlparse", "removed", ["pkg._urls:URL.__init__"])]
    assert removed.reach == (2, 3, 1)  # and what imports _urls fails in turn


def test_a_private_name_another_module_uses_counts(make_repo) -> None:
    _, _, graph = _graph(make_repo, UNDERSCORED)
    path = "pkg/_helpers.py"
    head = UNDERSCORED[path].replace("(url)", "(url, lower)")
    assert [(s.name, s.change, s.cross_module) for s in blast_radius(graph, [(path, path, head.encode(), None)]).symbols
            ] == [("pkg._helpers._normalise", "signature", True)]


def test_a_class_attribute_that_is_no_method_names_the_class(make_repo) -> None:
    files = {"pkg/_status.py": "class codes:\n    FOUND = 302\n\n    def phrase(self):\n        return 'Found'\n",
             "pkg/_client.py": "from ._status import codes\n\n\ndef see_other(status):\n"
             "    return status == codes.FOUND\n\n\ndef reason(status):\n    return codes.phrase(status)\n"}
    _, _, graph = _graph(make_repo, files)
    assert graph.callers["pkg._status:codes"] == {"pkg._client:see_other"}
    assert graph.callers["pkg._status:codes.phrase"] == {"pkg._client:reason"}
    removed = blast_radius(graph, [("pkg/_status.py", None, None, None)])
    assert [(s.name, s.direct) for s in removed.symbols] == [
        ("pkg._status", ["pkg._client:<module>"]), ("pkg._status.codes", ["pkg._client:see_other"]),
        ("pkg._status.codes.phrase", ["pkg._client:reason"])]


CONSTANTS = {
    "pkg/__init__.py": "from ._limits import *\n",
    "pkg/_limits.py": "MAX_RETRIES = 3\nTIMEOUT: float = 5.0\n",
    "pkg/client.py": "from pkg._limits import MAX_RETRIES\n\n\ndef fetch():\n    return MAX_RETRIES\n",
    "pkg/lazy.py": "def later():\n    import pkg._limits\n    return 1\n",
    "pkg/optional.py": "try:\n    from ._limits import TIMEOUT\nexcept ImportError:\n    TIMEOUT = 1.0\n",
}


def test_a_removed_module_counts_every_importer_and_its_names(make_repo) -> None:
    """A module of constants deleted: each unguarded import of it (a star import, `from m import NAME`, an
    `import` inside a function) is a direct dependent, and a removed constant another module imports by name
    is a break; the import under `try: ... except ImportError` is not."""
    _, _, graph = _graph(make_repo, CONSTANTS)
    result = blast_radius(graph, [("pkg/_limits.py", None, None, None)])
    by_name = {s.name: s for s in result.symbols}
    whole = by_name["pkg._limits"]
    assert (whole.change, whole.before, whole.after) == ("removed", "module", "")
    assert whole.direct == ["pkg.client:<module>", "pkg.lazy:later", "pkg:<module>"]
    assert by_name["pkg._limits.MAX_RETRIES"].direct == ["pkg.client:fetch"]
    assert result.import_breaks() == ["pkg, pkg.client, pkg.lazy.later import the removed module pkg._limits"]
    renamed = blast_radius(graph, [("pkg/_limits.py", "pkg/limits.py", CONSTANTS["pkg/_limits.py"].encode(), None)])
    assert [(s.name, s.after) for s in renamed.symbols] == [("pkg._limits", "pkg.limits")]
    changed = blast_radius(graph, [("pkg/_limits.py", "pkg/_limits.py", b"MAX_RETRIES = 5\nTIMEOUT: float = 5.0\n",
                                    None)])
    assert [(s.name, s.change) for s in changed.symbols] == [("pkg._limits.MAX_RETRIES", "body")]


OWN_METHODS = {
    "pkg/__init__.py": "",
    "pkg/strip.py": "class Stripper:\n    def __init__(self, stream):\n        self.stream = stream\n\n"
    "    def again(self):\n        return Stripper(self.stream)\n\n\n"
    "def wrap(stream):\n    return Stripper(stream)\n",
    "pkg/user.py": "from pkg.strip import Stripper\n\n\ndef use(s):\n    return Stripper(s)\n",
}


def test_a_class_s_own_methods_that_name_it_are_not_its_dependents(make_repo) -> None:
    """click's removed MaybeStripAnsi counted its own __init__ and write, removed with it, as two of its
    three dependents."""
    _, _, graph = _graph(make_repo, OWN_METHODS)
    assert "pkg.strip:Stripper.again" in graph.callers["pkg.strip:Stripper"]  # the graph still has the edge
    gone = blast_radius(graph, [("pkg/strip.py", "pkg/strip.py", b"def wrap(stream):\n    return stream\n", None)])
    stripper = next(s for s in gone.symbols if s.name == "pkg.strip.Stripper")
    assert stripper.change == "removed"
    assert stripper.direct == ["pkg.strip:wrap", "pkg.user:use"]


DOCUMENTED = {
    "pkg/__init__.py": "",
    "pkg/out.py": 'def echo(message):\n    """Print a message."""\n    # write it out\n    return message\n\n\n'
    'def banner(title):\n    text = """\n# heading\n"""\n    return text + title\n',
    "pkg/user.py": "from pkg.out import banner, echo\n\n\ndef run():\n    return echo(banner('x'))\n",
}


def test_a_docstring_or_comment_edit_is_not_a_rewrite_but_a_hash_line_in_a_string_is(make_repo) -> None:
    """click's "Fix docs and changelog" (docstrings and comments only) counted echo as rewritten, with its
    56 users as blast radius."""
    _, _, graph = _graph(make_repo, DOCUMENTED)
    docs = DOCUMENTED["pkg/out.py"].replace('"""Print a message."""', '"""Print a message.\n\n    Flushes.\n    """')
    docs = docs.replace("# write it out", "# Write it out.")
    assert blast_radius(graph, [("pkg/out.py", "pkg/out.py", docs.encode(), None)]).symbols == []
    code = DOCUMENTED["pkg/out.py"].replace("return message", "return message.strip()")
    assert [s.name for s in blast_radius(graph, [("pkg/out.py", "pkg/out.py", code.encode(), None)]).symbols] == [
        "pkg.out.echo"]
    text = DOCUMENTED["pkg/out.py"].replace("# heading", "# title")  # text inside a string, not a comment
    assert [s.name for s in blast_radius(graph, [("pkg/out.py", "pkg/out.py", text.encode(), None)]).symbols] == [
        "pkg.out.banner"]



def test_a_hash_line_is_text_in_every_string_of_a_definition_the_walk_reads_or_not() -> None:
    """The string lines are noted while the summary's walk passes (not by a walk of each definition with
    a comment-like line): a string in a nested function, an f-string, a method's, and one in the parts
    the walk leaves out (a return annotation, a class keyword) each make a "# line" text, whose edit is
    a rewrite; the same line as a comment is not. Every hash equals the one a walk of the definition gives."""
    import ast

    from app.core.impact.graph import _body_hash, _docstring_lines, _string_lines

    source = (
        'def outer():\n    def inner():\n        return """\n# in a nested function\n"""\n    return inner\n\n\n'
        'def fmt(x):\n    return f"""{x}\n# in an f-string\n"""\n\n\n'
        'def annotated() -> """\n# in a return annotation\n""":\n    # a comment\n    return 1\n\n\n'
        'class Keyed(Base, meta="""\n# in a class keyword\n"""):\n    def method(self):\n'
        '        return """\n# in a method\n"""\n'
    )
    lines = source.encode().split(b"\n")
    tree = ast.parse(source)
    walked = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            start, end = node.lineno, node.end_lineno or node.lineno
            walked[node.name] = _body_hash(lines, start, end, _docstring_lines(node), _string_lines(node))
    summary = summarise_python("pkg/m.py", source.encode())
    assert {d.qual.split(".")[-1]: d.body for d in summary.defs if d.qual != "outer.inner"} == {
        name: body for name, body in walked.items() if name != "inner"}
    for text in ("in a nested function", "in an f-string", "in a return annotation", "in a class keyword",
                 "in a method"):
        edited = summarise_python("pkg/m.py", source.replace(text, "edited").encode())
        assert {d.qual: d.body for d in edited.defs} != {d.qual: d.body for d in summary.defs}, text
    uncommented = summarise_python("pkg/m.py", source.replace("# a comment", "# another").encode())
    assert {d.qual: d.body for d in uncommented.defs} == {d.qual: d.body for d in summary.defs}


GO_MODULE = {
    "go.mod": "module github.com/acme/cli\n\ngo 1.21\n",
    "command.go": "package cli\n\nfunc Run(args []string) error {\n\treturn nil\n}\n",
    "flags.go": "package cli\n\nfunc Flag(name string) string {\n\treturn name\n}\n",
    "doc/man.go": 'package doc\n\nimport "github.com/acme/cli"\n\nfunc Man() { _ = cli.Flag("x") }\n',
    "pkg/args/args.go": "package args\n\nfunc Exact(n int) int {\n\treturn n\n}\n",
    "cmd/tool/main.go": 'package main\n\nimport (\n\t"fmt"\n\n\t"github.com/acme/cli"\n'
                        '\t"github.com/acme/cli/pkg/args"\n)\n\n'
                        'func main() { fmt.Println(cli.Run(nil), args.Exact(1)) }\n',
}


def test_go_imports_name_packages_the_module_root_included(make_repo) -> None:
    """A Go import names a package (a directory) through go.mod's module path. The root package of a
    library (cobra's `github.com/spf13/cobra`) never had a dependent, and only one file of a package
    had its importers: every change to cobra had a blast radius of 0."""
    builder = make_repo()
    commit = builder.commit("base", dict(GO_MODULE), author=ALICE)
    repo = GitRepo(builder.path)
    graph = build_graph(repo.tree_files(commit, (".go", "go.mod")))
    for path, importers in [("command.go", {"doc/man.go", "cmd/tool/main.go"}),
                            ("flags.go", {"doc/man.go", "cmd/tool/main.go"}),
                            ("pkg/args/args.go", {"cmd/tool/main.go"})]:
        found = blast_radius(graph, [(path, path, GO_MODULE[path].replace("return", "return /* */").encode(), None)])
        assert [{c.split(":", 1)[0] for c in s.direct} for s in found.symbols] == [importers], path
    # without go.mod, an import path still finds the one package directory it ends with
    graph = build_graph(repo.tree_files(commit, (".go",)))
    found = blast_radius(graph, [("pkg/args/args.go", "pkg/args/args.go", b"package args\n", None)])
    assert [s.direct for s in found.symbols] == [["cmd/tool/main.go:<module>"]]


def test_an_import_level_change_is_said_as_a_file_others_import(make_repo) -> None:
    """For Go the why read "1 changed public symbol used directly by 2 definitions": Go is read at
    import level, so what is known is which files import the changed file's package."""
    import json

    from click.testing import CliRunner

    from app.cli import cli

    builder = make_repo()
    builder.commit("base", dict(GO_MODULE), author=ALICE)
    builder.branch("edit")
    builder.commit("edit", {"flags.go": GO_MODULE["flags.go"].replace("return name", "return name + \"\"")},
                   branch="edit", author=ALICE)
    builder.checkout("main")
    done = CliRunner().invoke(cli, ["explain", "edit", "--repo", str(builder.path), "--json"])
    [blast] = [f for f in json.loads(done.stdout)["factors"] if f["name"] == "blast_radius"]
    assert blast["explanation"].startswith("1 changed file, imported or named by 2 files"), blast
    assert " in 1 directory" in blast["explanation"] or " directories" in blast["explanation"], blast  # not "packages"


CONSTRUCTED = {
    "pkg/__init__.py": "",
    "pkg/foo.py": "class Foo:\n    def __init__(self, a):\n        self.a = a\n\n"
                  "    @classmethod\n    def make(cls):\n        return Foo(1)\n",
    "pkg/use.py": "from pkg.foo import Foo\n\n\ndef build():\n    return Foo(1)\n",
    "tests/test_foo.py": "from pkg.foo import Foo\n\n\ndef test_foo():\n    assert Foo(1).a == 1\n",
}


def test_a_constructors_callers_are_those_of_its_class(make_repo) -> None:
    """QA47: rich pull/4010 renamed a keyword of Traceback.__init__: "0 direct callers, tested by no test", while
    console.py and seven tests call Traceback(...). A class's name called is its constructor called; the class's
    own methods stay out of its dependents."""
    _, _, graph = _graph(make_repo, CONSTRUCTED)
    head = CONSTRUCTED["pkg/foo.py"].replace("def __init__(self, a):\n        self.a = a",
                                             "def __init__(self, b):\n        self.a = b")
    result = blast_radius(graph, [("pkg/foo.py", "pkg/foo.py", head.encode(), None)])
    init = next(s for s in result.symbols if s.name == "pkg.foo.Foo.__init__")
    assert init.change == "signature" and init.direct == ["pkg.use:build"]
    assert init.tested_by == ["tests.test_foo"] and not [s for s in result.seams if s.name == init.name]


# Hono's layout (QA51 #2): tests import what they test from their directory's index, which re-exports it
BARRELS = {
    "src/context.ts": "export class Context {}\n",
    "src/helper/streaming/sse.ts": "import { Context } from '../../context'\nexport const streamSSE = () => 1\n"
                                   "export class SSEStreamingApi {}\n",
    "src/helper/streaming/stream.ts": "export const stream = () => 2\n",
    "src/helper/streaming/text.ts": "export const streamText = () => 3\n",
    "src/helper/streaming/index.ts": "export { stream } from './stream'\nexport type { SSEMessage } from './sse'\n"
                                     "export { streamSSE, SSEStreamingApi } from './sse'\n"
                                     "export { streamText } from './text'\n",
    "src/helper/streaming/sse.test.ts": "import { Context } from '../../context'\nimport { streamSSE } from '.'\n"
                                        "it('streams', () => streamSSE())\n",
    # jsx/dom/index.ts imports a name, then exports it again; a test imports it renamed, under a comment
    "src/jsx/dom/components.ts": "export const ErrorBoundary = 1\nexport const Suspense = 2\n",
    "src/jsx/dom/render.ts": "export const render = () => 0\n",
    "src/jsx/dom/index.ts": "import { ErrorBoundary, Suspense } from './components'\n"
                            "import { render as paint } from './render'\nexport { ErrorBoundary, Suspense, paint }\n",
    "src/jsx/dom/components.test.tsx": "import {\n  ErrorBoundary as ErrorBoundaryDom, // for dom\n"
                                       "} from '.'\ntest('x', () => ErrorBoundaryDom)\n",
    # `export *` of two files: a name is the one file's that declares it; two barrels deep
    "src/utils/a.ts": "export function alpha() {}\n",
    "src/utils/b.ts": "export const beta = 1\n",
    "src/utils/index.ts": "export * from './a'\nexport * from './b'\n",
    "src/index.ts": "export * as utils from './utils'\nexport * from './utils'\n",
    "src/use.ts": "import { alpha, beta } from './utils'\nimport { stream, streamText } from './helper/streaming'\n"
                  "import { render } from './jsx/dom/render'\n",
    "test/alpha.test.ts": "import { alpha } from '../src'\n",
}


def test_a_typescript_test_of_a_barrel_tests_the_files_it_re_exports_from(make_repo) -> None:
    """A test that imports `streamSSE` from '.' tests sse.ts, which index.ts re-exports it from; sse.ts read
    "no test references it" next to sse.test.ts (QA51 #2: 68 of hono's 181 seams were tested so). Only
    the file the imported name comes from: stream.ts and text.ts stay untested seams, as does render.ts,
    whose name the test does not import; a name through two `export *` barrels is the declaring file's."""
    from app.core.impact.lazy_graph import lazy_graph_in_process

    files = _files_of(make_repo, BARRELS)
    graph = build_graph(files)
    tested = {path: sorted(graph.tests_of(path)) for path in BARRELS if graph.tests_of(path)}
    assert tested == {
        "src/context.ts": ["src/helper/streaming/sse.test.ts"],
        "src/helper/streaming/index.ts": ["src/helper/streaming/sse.test.ts"],
        "src/helper/streaming/sse.ts": ["src/helper/streaming/sse.test.ts"],
        "src/jsx/dom/index.ts": ["src/jsx/dom/components.test.tsx"],
        "src/jsx/dom/components.ts": ["src/jsx/dom/components.test.tsx"],
        "src/index.ts": ["test/alpha.test.ts"],
        "src/utils/index.ts": ["test/alpha.test.ts"],
        "src/utils/a.ts": ["test/alpha.test.ts"],
    }
    changed = [(p, p, b"export const changed = 1\n", None) for p in (
        "src/helper/streaming/sse.ts", "src/helper/streaming/stream.ts", "src/jsx/dom/components.ts",
        "src/jsx/dom/render.ts", "src/utils/a.ts", "src/utils/b.ts")]
    result = blast_radius(graph, changed)
    assert sorted(s.path for s in result.seams) == [
        "src/helper/streaming/stream.ts", "src/jsx/dom/render.ts", "src/utils/b.ts"]
    [sse] = [s for s in result.symbols if s.path == "src/helper/streaming/sse.ts"]
    assert sse.tested_by == ["src/helper/streaming/sse.test.ts"]
    assert sse.direct == ["src/helper/streaming/index.ts:<module>"]
    lazy = lazy_graph_in_process(files)
    assert {path: sorted(lazy.tests_of(path)) for path in BARRELS if lazy.tests_of(path)} == tested


def _files_of(make_repo, files):
    builder = make_repo()
    commit = builder.commit("base", dict(files), author=ALICE)
    return GitRepo(builder.path).tree_files(commit, (".py", ".ts", ".tsx", ".js", ".go"))


def test_import_statements_are_read_in_linear_time() -> None:
    """A megabyte without a quote after every `import` (hostile content) was read by a lazy
    `import[^'"]*?from` in minutes; imports are now found by their `from`, read back to their keyword."""
    import time

    for text in ("import " * 150_000, "import {" * 100_000, "export { " + "a, " * 300_000, "from 'x' " * 100_000):
        started = time.perf_counter()
        summarise_import_level("src/x.ts", text.encode())
        assert time.perf_counter() - started < 5, text[:20]
    summary = summarise_import_level("src/x.ts", b"import type {} from '../..'\nimport D, { a as b } from './d'\n"
                                     b"import './side'\nconst r = require('./r')\nexport * from './s'\n")
    assert list(summary.imports) == ["../..", "./d", "./s", "./side", "./r"]


GO_TESTED = {
    "go.mod": "module github.com/acme/tool\n\ngo 1.21\n",
    # pkg/tasks: tested beside it, `package tasks` (Go's own unit test, which never imports its package)
    "pkg/tasks/tasks.go": "package tasks\n\nfunc NewTask() int {\n\treturn 1\n}\n",
    "pkg/tasks/async.go": "package tasks\n\nfunc Async() int {\n\treturn 2\n}\n",
    "pkg/tasks/tasks_test.go": "package tasks\n\nimport \"testing\"\n\nfunc TestNewTask(t *testing.T) {\n"
                               "\tif NewTask() != 1 {\n\t\tt.Fail()\n\t}\n}\n",
    # pkg/escape: its only test is `package escape_test` beside it
    "pkg/escape/escape.go": "package escape\n\nfunc Quote(s string) string {\n\treturn s\n}\n",
    "pkg/escape/escape_test.go": "package escape_test\n\nimport (\n\t\"testing\"\n\n"
                                 "\t\"github.com/acme/tool/pkg/escape\"\n)\n\n"
                                 "func TestQuote(t *testing.T) { _ = escape.Quote(\"x\") }\n",
    # pkg/lines: tested only beside it
    "pkg/lines/lines.go": "package lines\n\nfunc Count() int {\n\treturn 4\n}\n",
    "pkg/lines/lines_test.go": "package lines\n\nimport \"testing\"\n\nfunc TestCount(t *testing.T) { _ = Count() }\n",
    # pkg/plain: no test anywhere beside it
    "pkg/plain/plain.go": "package plain\n\nfunc Plain() int {\n\treturn 3\n}\n",
    "pkg/gui/gui.go": "package gui\n\nimport (\n\t\"github.com/acme/tool/pkg/escape\"\n"
                      "\t\"github.com/acme/tool/pkg/lines\"\n\t\"github.com/acme/tool/pkg/plain\"\n"
                      "\t\"github.com/acme/tool/pkg/tasks\"\n)\n\n"
                      "func Run() { _ = tasks.NewTask() + plain.Plain() + lines.Count(); _ = escape.Quote(\"\") }\n",
    # a test elsewhere that imports pkg/tasks for one helper
    "pkg/commands/sync_test.go": "package commands\n\nimport (\n\t\"testing\"\n\n"
                                 "\t\"github.com/acme/tool/pkg/tasks\"\n)\n\n"
                                 "func TestSync(t *testing.T) { _ = tasks.Async() }\n",
    "pkg/commands/sync.go": "package commands\n\nfunc Sync() {}\n",
}


def test_a_go_packages_own_test_files_test_it(make_repo) -> None:
    """QA52 #3: Go's unit tests are `x_test.go` beside the code, `package p` (or `package p_test`), and never
    import the package they test: at import level they were no test of it, so 1,130 of lazygit's 1,576
    "untested seams" had tests beside them, and what "tested" pkg/gocui/escape.go were the tests elsewhere
    that import gocui for a helper. A `_test.go` file tests the package of its directory, and the one named
    after the changed file leads its tests; a package with no test beside it stays an untested seam."""
    from app.core.impact.lazy_graph import lazy_graph_in_process

    files = _files_of(make_repo, GO_TESTED)
    files += [("go.mod", GO_TESTED["go.mod"].encode())]
    changed = [(p, p, GO_TESTED[p].replace("return", "return 0 +").encode(), None)
               for p in ("pkg/tasks/tasks.go", "pkg/tasks/async.go", "pkg/escape/escape.go", "pkg/lines/lines.go",
                         "pkg/plain/plain.go")]
    for graph in (build_graph(files), lazy_graph_in_process(files)):
        result = blast_radius(graph, changed)
        assert {s.path: s.tested_by for s in result.symbols} == {
            "pkg/tasks/tasks.go": ["pkg/tasks/tasks_test.go", "pkg/commands/sync_test.go"],
            "pkg/tasks/async.go": ["pkg/tasks/tasks_test.go", "pkg/commands/sync_test.go"],
            "pkg/escape/escape.go": ["pkg/escape/escape_test.go"],
            "pkg/lines/lines.go": ["pkg/lines/lines_test.go"],
            "pkg/plain/plain.go": [],
        }
        assert [s.path for s in result.seams] == ["pkg/plain/plain.go"]


def test_explain_counts_no_untested_seam_where_a_go_package_has_its_own_test(make_repo) -> None:
    """The seams factor and the why's seams: only the package with no test beside it (QA52 #3: lazygit's
    pr/5732 read "43 untested seams: pkg/tasks/tasks.go, ..." next to pkg/tasks/tasks_test.go)."""
    from click.testing import CliRunner

    from app.cli import cli

    builder = make_repo()
    builder.commit("base", dict(GO_TESTED), author=ALICE)
    builder.branch("edit")
    builder.commit("edit", {p: GO_TESTED[p].replace("return", "return 0 +") for p in
                            ("pkg/tasks/tasks.go", "pkg/lines/lines.go", "pkg/plain/plain.go")},
                   branch="edit", author=ALICE)
    builder.checkout("main")
    done = CliRunner().invoke(cli, ["explain", "edit", "--repo", str(builder.path), "--json"])
    report = json.loads(done.stdout)
    [seams] = [f for f in report["factors"] if f["name"] == "seams"]
    assert "1 untested seam: pkg/plain/plain.go" in seams["explanation"], seams
    assert [s["path"] for s in report["seams"]] == ["pkg/plain/plain.go"]
    [tasks] = [s for s in report["blast_radius"]["symbols"] if s["path"] == "pkg/tasks/tasks.go"]
    assert tasks["tested_by"] == ["pkg/tasks/tasks_test.go", "pkg/commands/sync_test.go"]


def test_the_tests_a_change_adds_count_for_a_whole_graph_and_a_lazy_one(make_repo) -> None:
    """A test file the change adds (none of the base graph's files) tests what it references, resolved against
    the graph as a cached whole graph or as one read lazily; the Go package with no test of its own but the
    one the change adds is no seam either."""
    from app.core.impact.graph import summarise, tests_in_change
    from app.core.impact.lazy_graph import lazy_graph_in_process

    files = _files_of(make_repo, GO_TESTED)
    files += [("go.mod", GO_TESTED["go.mod"].encode())]
    files += [("shop/__init__.py", b""), ("shop/money.py", b"def cents(x):\n    return x * 100\n"),
              ("app/bill.py", b"from shop.money import cents\n\n\ndef bill(x):\n    return cents(x)\n")]
    added = {"tests/test_money.py": "import shop.money as m\n\n\ndef test_cents():\n    assert m.cents(1) == 100\n",
             "pkg/plain/plain_test.go": "package plain\n"}
    changed = [("shop/money.py", "shop/money.py", b"def cents(x):\n    return round(x * 100)\n", None),
               ("pkg/plain/plain.go", "pkg/plain/plain.go",
                GO_TESTED["pkg/plain/plain.go"].replace("return", "return 0 +").encode(), None)]
    for graph in (build_graph(files), lazy_graph_in_process(files)):
        assert {s.path for s in blast_radius(graph, changed).seams} == {"shop/money.py", "pkg/plain/plain.go"}
        own = tests_in_change(graph, [summarise(path, text.encode()) for path, text in added.items()])
        result = blast_radius(graph, changed, own)
        assert result.seams == []
        assert {s.path: s.tested_by for s in result.symbols} == {
            "shop/money.py": ["tests.test_money"], "pkg/plain/plain.go": ["pkg/plain/plain_test.go"]}


# outline's layout (QA63): its own code imported by tsconfig path aliases, a comment and a trailing comma in the config
ALIASED = {
    "tsconfig.json": '{\n  "compilerOptions": {\n    "paths": {\n      "@server/*": ["./server/*"],\n'
                     '      "~/*": ["./app/*"],\n      // a package\'s types, not a file of ours\n'
                     '      "vite": ["./node_modules/vite/index.d.ts"],\n    },\n  },\n}\n',
    "server/models/User.ts": "export class User {}\n",
    "server/models/index.ts": "export { User } from './User'\n",
    "server/policies/user.ts": 'import { User } from "@server/models";\nimport vite from "vite";\n',
    "server/routes/users.ts": 'import { User } from "@server/models/User";\n',
    "app/stores/UsersStore.ts": 'import { User } from "~/models/User";\n',
    "app/models/User.ts": "export class User {}\n",
    # a package with a config of its own, extending the root's base config: `@lib/*` from there
    "tsconfig.base.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@lib/*": ["libs/*/src"]}}}\n',
    "apps/web/tsconfig.json": '{"extends": "../../tsconfig.base.json", "compilerOptions": {"strict": true}}\n',
    "apps/web/main.tsx": 'import { fmt } from "@lib/format";\nimport { x } from "shared/x";\n',
    "libs/format/src/index.ts": "export const fmt = 1;\n",
    "shared/x.ts": "export const x = 1;\n",
}


def test_typescript_path_aliases_lead_to_the_files_they_name(make_repo) -> None:
    """outline imports its own code as `@server/models` and `~/stores/X` through tsconfig.json's `paths`
    (8,080 of its 11,417 imports of its own files): none was resolved, and a change to server/models/User.ts
    had none of its dependents. An alias leads to a file as tsc resolves it (a directory's index, baseUrl, a
    project config extending the root's); a package's alias leads nowhere."""
    from app.core.impact.lazy_graph import lazy_graph_in_process

    builder = make_repo()
    commit = builder.commit("base", dict(ALIASED), author=ALICE)
    from app.core.impact.graph import GRAPH_SUFFIXES

    files = GitRepo(builder.path).tree_files(commit, GRAPH_SUFFIXES)
    for graph in (build_graph(files), lazy_graph_in_process(files)):
        def direct(path: str) -> list[str]:
            found = blast_radius(graph, [(path, path, b"export const changed = 1;\n", None)])  # noqa: B023
            return sorted(c for s in found.symbols for c in s.direct)

        assert direct("server/models/index.ts") == ["server/policies/user.ts:<module>"]
        assert direct("server/models/User.ts") == ["server/models/index.ts:<module>", "server/routes/users.ts:<module>"]
        assert direct("app/models/User.ts") == ["app/stores/UsersStore.ts:<module>"]
        assert direct("libs/format/src/index.ts") == ["apps/web/main.tsx:<module>"]
        assert direct("shared/x.ts") == ["apps/web/main.tsx:<module>"]  # the base config's baseUrl


def test_a_tsconfig_that_is_no_json_resolves_nothing_and_breaks_nothing(make_repo) -> None:
    files = {"tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["src/*"]', "src/a.ts": "export const a = 1;\n",
             "src/b.ts": 'import { a } from "@/a";\nimport { c } from "./c";\n', "src/c.ts": "export const c = 1;\n"}
    graph = Graph.build([s for s in (summarise(p, t.encode()) for p, t in files.items()) if s is not None])
    assert graph.callers.get("src/a.ts") is None
    assert graph.callers["src/c.ts"] == {"src/b.ts:<module>"}


def test_a_typescript_test_named_for_a_file_beside_it_tests_it(make_repo) -> None:
    """outline's API tests (server/routes/api/documents/documents.test.ts) call the routes through a test server and
    import nothing of documents.ts: every route change read "changes an untested seam ... no test references it".
    `x.test.ts` or `x.spec.tsx` tests the x.ts beside it, or above its `__tests__/`; not a file of another name."""
    from app.core.impact.lazy_graph import lazy_graph_in_process

    files = {
        "server/routes/api/documents/documents.ts": "export const router = 1;\n",
        "server/routes/api/documents/documents.test.ts": 'import { buildUser } from "../../../test/factories";\n',
        "server/routes/api/documents/index.ts": 'import { router } from "./documents";\n',
        "server/routes/api/documents/schema.ts": "export const Schema = 1;\n",
        "server/routes/api/index.ts": 'import "./documents";\nimport { Schema } from "./documents/schema";\n',
        "server/test/factories.ts": "export const buildUser = 1;\n",
        "app/components/Button.tsx": "export const Button = 1;\n",
        "app/components/__tests__/Button.spec.tsx": "it('renders', () => 1);\n",
        "app/pages/Home.tsx": 'import { Button } from "../components/Button";\n',
    }
    summaries = [summarise_import_level(path, text.encode()) for path, text in files.items()]
    for graph in (Graph.build(summaries), lazy_graph_in_process(_files_of(make_repo, files))):
        assert sorted(graph.tests_of("server/routes/api/documents/documents.ts")) == [
            "server/routes/api/documents/documents.test.ts"]
        assert sorted(graph.tests_of("app/components/Button.tsx")) == ["app/components/__tests__/Button.spec.tsx"]
        assert not graph.tests_of("server/routes/api/documents/schema.ts")
        found = blast_radius(graph, [(p, p, b"export const x = 2;\n", None) for p in (
            "server/routes/api/documents/documents.ts", "server/routes/api/documents/schema.ts")])
        assert [s.path for s in found.seams] == ["server/routes/api/documents/schema.ts"]
