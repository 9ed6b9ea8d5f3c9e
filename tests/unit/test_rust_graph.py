"""Rust in the dependency graph (impact/rust_names.py) and the unsafe code a change adds (impact/unsafe_code.py), on
small Cargo workspaces built by the tests."""

from __future__ import annotations

import json

from app.core.git.repo import GitRepo
from app.core.impact.graph import GRAPH_SUFFIXES, blast_radius, build_graph
from app.core.impact.lazy_graph import lazy_graph_in_process
from app.core.impact.rust_names import rust_refs, use_paths
from tests.conftest import ALICE

WORKSPACE = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n\n[package]\nname = "acme"\nversion = "0.1.0"\n\n'
                  '[[bin]]\nname = "acme"\npath = "crates/app/main.rs"\n',
    "crates/app/main.rs": "mod flags;\nmod search;\n\nfn main() {\n    let args = flags::parse();\n"
                          "    search::run(&args);\n}\n",
    "crates/app/flags.rs": "use acme_text::Width;\n\npub struct Args { pub width: Width }\n\n"
                           "pub fn parse() -> Args {\n    Args { width: Width(80) }\n}\n",
    "crates/app/search.rs": "use crate::flags::Args;\n\npub fn run(args: &Args) -> usize {\n"
                            "    acme_text::shout(\"x\").len() + args.width.0\n}\n",
    "crates/text/Cargo.toml": '[package]\nname = "acme-text"\nversion = "0.1.0"\n',
    "crates/text/src/lib.rs": "mod shout;\npub mod wrap;\n\npub use crate::shout::shout;\n\n"
                              "pub struct Width(pub usize);\n",
    "crates/text/src/shout.rs": "/// use crate::wrap; (a comment: no dependency)\npub fn shout(s: &str) -> String {\n"
                                "    s.to_uppercase()\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n"
                                "    use crate::wrap::fill;\n\n    #[test]\n    fn loud() {\n"
                                "        assert_eq!(shout(\"a\"), \"A\");\n        let _ = fill;\n    }\n}\n",
    "crates/text/src/wrap/mod.rs": "mod fill;\n\npub use self::fill::fill;\n",
    "crates/text/src/wrap/fill.rs": "use super::super::Width;\n\npub fn fill(w: Width) -> usize {\n    w.0\n}\n",
    "crates/text/src/unused.rs": "pub fn nothing() {}\n",
    "crates/text/tests/integration.rs": "use acme_text::wrap::fill;\n\n#[test]\nfn fills() {\n"
                                        "    assert_eq!(fill(acme_text::Width(3)), 3);\n}\n",
}


def _files(make_repo, files):
    builder = make_repo()
    commit = builder.commit("base", dict(files), author=ALICE)
    return builder, GitRepo(builder.path).tree_files(commit, GRAPH_SUFFIXES)


def _edited(path: str, files=WORKSPACE) -> tuple[str, str, bytes, None]:
    return path, path, (files[path] + "\n// edited\npub fn more() {}\n").encode(), None


def test_use_trees_and_paths_in_code_are_read_comments_and_strings_aside() -> None:
    assert use_paths("crate::a::{self, b::C as D, e::*}") == ["crate::a", "crate::a::b::C", "crate::a::e"]
    assert use_paths("std::{fmt, io::{self, Write}}") == ["std::fmt", "std::io", "std::io::Write"]
    refs, own_tests = rust_refs(
        'use crate::flags::Args; // use crate::gone;\nfn f() { let s = "crate::nope"; let c = \'{\';\n'
        "    super::x::g(); }\nimpl<'a> A<'a> { fn h(&self) { crate::a::b(); } }\n"
        "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { crate::t::u(); }\n}\n")
    assert refs == [("<module>", "crate::flags::Args"), ("<module>", "super::x::g"), ("<module>", "crate::a::b"),
                    ("<tests>", "self::*"), ("<tests>", "crate::t::u")]
    assert own_tests
    assert rust_refs("pub fn f() {}\n") == ([], False)


def test_rust_paths_reach_the_module_files_they_name(make_repo) -> None:
    """`crate::`, `super::`, `self::` and a child module's name lead to the module's file (x.rs or x/mod.rs), a
    workspace crate's name (acme-text, written acme_text) to its lib target's file, the longest leading part that is
    a file naming it; a `mod x;` alone is no dependency, nor is a path in a comment or a string; the binary declared
    by [[bin]] path (ripgrep's crates/core/main.rs) is a crate root. The same answers from a graph read lazily."""
    _builder, files = _files(make_repo, WORKSPACE)
    for graph in (build_graph(files), lazy_graph_in_process(files)):
        def direct(path: str, graph=graph) -> set[str]:
            return {c.split(":", 1)[0] for c in graph.fan_in(path)[0]}

        assert direct("crates/app/flags.rs") == {"crates/app/main.rs", "crates/app/search.rs"}
        assert direct("crates/app/search.rs") == {"crates/app/main.rs"}
        # `super::super::Width` from wrap/fill.rs, `acme_text::Width` from flags.rs; integration.rs names it only in
        # a #[test] function: a test of it, no caller
        assert direct("crates/text/src/lib.rs") == {"crates/app/flags.rs", "crates/text/src/wrap/fill.rs"}
        assert graph.tests_of("crates/text/src/lib.rs") == {"crates/text/tests/integration.rs"}
        # `acme_text::shout`: the function lib.rs re-exports, in the module file of that name
        assert direct("crates/text/src/shout.rs") == {"crates/text/src/lib.rs", "crates/app/search.rs"}
        assert direct("crates/text/src/wrap/fill.rs") == {"crates/text/src/wrap/mod.rs",
                                                          "crates/text/tests/integration.rs"}
        assert direct("crates/text/src/wrap/mod.rs") == set()  # `pub mod wrap;` alone uses nothing of it
        assert direct("crates/text/src/unused.rs") == set()
        # transitive: shout.rs -> lib.rs -> what names the crate, and main.rs through them
        assert {c.split(":", 1)[0] for c in graph.fan_in("crates/text/src/shout.rs")[1]} >= {
            "crates/app/search.rs", "crates/app/main.rs"}


def test_a_rust_files_own_tests_test_it_and_are_no_callers(make_repo) -> None:
    """A `#[cfg(test)] mod tests` tests its file (and what it names), and is no caller of what it names: shout.rs's
    tests name wrap/fill.rs. A file under tests/ is an integration test of what it names. A file with no test of its
    own nor one naming it is an untested seam."""
    _builder, files = _files(make_repo, WORKSPACE)
    changed = [_edited(p) for p in ("crates/text/src/shout.rs", "crates/text/src/wrap/fill.rs",
                                    "crates/app/flags.rs", "crates/text/src/wrap/mod.rs")]
    for graph in (build_graph(files), lazy_graph_in_process(files)):
        result = blast_radius(graph, changed)
        assert {s.path: s.tested_by for s in result.symbols} == {  # wrap/mod.rs: no dependent, no blast radius
            "crates/text/src/shout.rs": ["crates/text/src/shout.rs"],
            "crates/text/src/wrap/fill.rs": ["crates/text/src/shout.rs", "crates/text/tests/integration.rs"],
            "crates/app/flags.rs": [],
        }
        assert "crates/text/src/shout.rs:<module>" not in graph.fan_in("crates/text/src/wrap/fill.rs")[0]
        assert [s.path for s in result.seams] == ["crates/app/flags.rs"]


def test_an_ambiguous_crate_name_claims_no_dependency(make_repo) -> None:
    """Two packages named alike (a fuzz crate copying the main one's name): which one `acme_text::` names is not
    known, so neither is said to be used; nor is the root of a directory with two binaries and no lib.rs."""
    files = {**WORKSPACE, "fuzz/Cargo.toml": '[package]\nname = "acme_text"\nversion = "0.0.0"\n',
             "fuzz/src/lib.rs": "pub fn shout() {}\n",
             "tools/src/bin/a.rs": "mod shared;\nfn main() { shared::go(); crate::helper(); }\n",
             "tools/src/bin/b.rs": "fn main() {}\npub fn helper() {}\n",
             "tools/src/bin/shared.rs": "pub fn go() {}\n"}
    _builder, tree = _files(make_repo, files)
    graph = build_graph(tree)
    assert {c.split(":", 1)[0] for c in graph.fan_in("crates/text/src/lib.rs")[0]} == {
        "crates/text/src/wrap/fill.rs"}  # crate:: from inside the crate still resolves
    assert graph.fan_in("fuzz/src/lib.rs")[0] == set()
    assert {c.split(":", 1)[0] for c in graph.fan_in("tools/src/bin/shared.rs")[0]} == {"tools/src/bin/a.rs"}
    assert graph.fan_in("tools/src/bin/b.rs")[0] == set()


def test_explain_says_a_rust_changes_blast_radius_and_the_unsafe_code_it_adds(make_repo) -> None:
    """Before, a Rust change read "blast radius not measured", and the unsafe block it added was said nowhere."""
    from click.testing import CliRunner

    from app.cli import cli

    builder = make_repo()
    builder.commit("base", dict(WORKSPACE), author=ALICE)
    builder.branch("edit")
    flags = WORKSPACE["crates/app/flags.rs"].replace(
        "Args { width: Width(80) }",
        "let raw = [80usize];\n    let w = unsafe { *raw.as_ptr() };\n    Args { width: Width(w) }") + (
        "\npub unsafe fn raw(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n// unsafe { comment }\n"
        "pub const S: &str = \"unsafe { string }\";\n")
    builder.commit("edit", {"crates/app/flags.rs": flags}, branch="edit", author=ALICE)
    builder.checkout("main")
    done = CliRunner().invoke(cli, ["explain", "edit", "--repo", str(builder.path), "--json"])
    report = json.loads(done.stdout)
    [blast] = [f for f in report["factors"] if f["name"] == "blast_radius"]
    assert blast["explanation"].startswith("1 changed file, imported or named by 2 files"), blast
    assert [(s["line"], s["kind"]) for s in report["unsafe_code"]] == [(7, "block"), (11, "fn"), (12, "block")]
    text = CliRunner().invoke(cli, ["explain", "edit", "--repo", str(builder.path)], env={"COLUMNS": "200"}).stdout
    assert "Unsafe code: adds 2 unsafe blocks, 1 unsafe fn (crates/app/flags.rs:7, :11, :12)" in text, text


def test_moved_unsafe_code_is_not_new() -> None:
    """An unsafe line the change only re-indents or moves to another file adds nothing; an unsafe impl, trait and
    extern block are each said."""
    from app.core.git.diff import FileDiff, Hunk
    from app.core.impact.unsafe_code import added_unsafe, unsafe_summary

    def diff(path: str, lines: list[tuple[str, str]]) -> FileDiff:
        from app.core.git.diff import DiffLine

        numbered, new = [], 0
        for origin, text in lines:
            new += origin != "-"
            numbered.append(DiffLine(origin, None if origin == "+" else 1, None if origin == "-" else new, text))
        return FileDiff("modified", path, path, hunks=[Hunk(1, 1, 1, len(lines), "", numbered)])

    files = [diff("src/a.rs", [("-", "    let x = unsafe { f() };"), ("+", "        let x = unsafe { f() };"),
                               ("+", "unsafe impl Send for A {}"), ("+", "pub unsafe trait T {}")]),
             diff("src/b.rs", [("+", 'unsafe extern "C" {'), ("+", "let y = unsafe { g() };")]),
             diff("src/c.py", [("+", "unsafe { }")])]
    sites = added_unsafe(files)
    assert [(s.path, s.line, s.kind) for s in sites] == [
        ("src/a.rs", 2, "impl"), ("src/a.rs", 3, "trait"), ("src/b.rs", 1, "extern block"), ("src/b.rs", 2, "block")]
    assert unsafe_summary([(s.path, s.line, s.kind) for s in sites]) == (
        "adds 1 unsafe block, 1 unsafe impl, 1 unsafe trait, 1 unsafe extern block (src/a.rs:2, :3, src/b.rs:1, :2)")


def test_a_rust_edit_of_comments_or_own_tests_alone_reaches_no_one(make_repo) -> None:
    """ripgrep's pr/3466 fixed typos in comments and pr/3493 added tests to a file's `mod tests`: read at file level,
    each counted every importer of the file as its blast radius. Comments and a file's own tests are nothing its
    importers use; a change to its code still is, and without its base version it counts."""
    _builder, files = _files(make_repo, WORKSPACE)
    graph = build_graph(files)
    base = WORKSPACE["crates/text/src/shout.rs"]
    comments = base.replace("/// use crate::wrap;", "/// Shouts. use crate::wrap;").replace("}\n}\n", "}\n} // end\n")
    tests = base.replace('assert_eq!(shout("a"), "A");', 'assert_eq!(shout("a"), "A");\n        assert!(true);')
    code = base.replace("s.to_uppercase()", "s.to_uppercase().trim().to_string()")
    path = "crates/text/src/shout.rs"
    for head, reached in [(comments, False), (tests, False), (code, True)]:
        result = blast_radius(graph, [(path, path, head.encode(), base.encode())])
        assert bool(result.symbols) is reached, head
    assert blast_radius(graph, [(path, path, tests.encode(), None)]).symbols  # no base version: counted


def test_an_integration_test_the_change_adds_tests_what_it_names_by_the_crates_name(make_repo) -> None:
    """A test file the change adds is none of the base graph's: its paths are resolved against the graph, cached
    (to_dict/from_dict) or read lazily, which keep the Cargo.toml layouts, so `acme_text::wrap::fill` in a new
    crates/text/tests/fill.rs tests wrap/fill.rs (a graph keeping no layout resolved no crate name: nothing)."""
    from app.core.impact.graph import Graph, summarise, tests_in_change

    _builder, files = _files(make_repo, WORKSPACE)
    added = summarise("crates/text/tests/fill.rs",
                      b"use acme_text::wrap::fill;\n\n#[test]\nfn f() {\n"
                      b"    assert_eq!(fill(acme_text::Width(1)), 1);\n}\n")
    assert added is not None
    whole = build_graph(files)
    cached = Graph.from_dict(json.loads(json.dumps(whole.to_dict())))
    for graph in (whole, cached, lazy_graph_in_process(files)):
        own = tests_in_change(graph, [added])
        assert own == {"crates/text/src/wrap/fill.rs": {"crates/text/tests/fill.rs"},
                       "crates/text/src/lib.rs": {"crates/text/tests/fill.rs"}}


def test_a_module_declared_under_cfg_test_is_test_code(make_repo) -> None:
    """ripgrep's searcher declares `#[cfg(test)] mod testutil;` in lib.rs: testutil.rs, which names the sink, read as
    one of the sink's production callers. The file of a module declared under `#[cfg(test)]` is test code: it tests
    what it names. The same from a graph read lazily."""
    files = {"Cargo.toml": '[package]\nname = "searcher"\nversion = "0.1.0"\n',
             "src/lib.rs": "mod sink;\npub mod searcher;\n\n#[cfg(test)]\nmod testutil;\n",
             "src/sink.rs": "pub trait Sink {}\n",
             "src/searcher.rs": "use crate::sink::Sink;\n\npub fn search<S: Sink>(_s: S) {}\n",
             "src/testutil.rs": "use crate::sink::Sink;\n\npub struct KitchenSink;\nimpl Sink for KitchenSink {}\n"}
    _builder, tree = _files(make_repo, files)
    for graph in (build_graph(tree), lazy_graph_in_process(tree)):
        [sink] = blast_radius(graph, [_edited("src/sink.rs", files)]).symbols
        assert [c.split(":", 1)[0] for c in sink.direct] == ["src/searcher.rs"]
        assert sink.tested_by == ["src/testutil.rs"]


FACADE = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
    "crates/search/Cargo.toml": '[package]\nname = "acme-search"\nversion = "0.1.0"\n',
    "crates/search/src/lib.rs": "mod searcher;\nmod sink;\n\n"
                                "pub use crate::{searcher::{Searcher, Builder as SearcherBuilder}, sink::*};\n\n"
                                "pub fn version() -> u8 { 1 }\n",
    "crates/search/src/searcher.rs": "pub struct Searcher;\npub struct Builder;\n",
    "crates/search/src/sink.rs": "pub trait Sink {}\n",
    "crates/facade/Cargo.toml": '[package]\nname = "acme"\nversion = "0.1.0"\n',
    "crates/facade/src/lib.rs": "pub extern crate acme_search as search;\n",
    "crates/cli/Cargo.toml": '[package]\nname = "acme-cli"\nversion = "0.1.0"\n',
    "crates/cli/src/main.rs": "mod make;\nmod version;\nmod sinks;\n\nuse acme::search::Searcher;\n\n"
                              "fn main() { let _ = Searcher; make::make(); }\n",
    "crates/cli/src/make.rs": "pub fn make() -> acme_search::SearcherBuilder { acme_search::SearcherBuilder }\n",
    "crates/cli/src/version.rs": "pub fn v() -> u8 { acme_search::version() }\n",
    "crates/cli/src/sinks.rs": "use acme_search::Sink;\n",  # through lib.rs's glob re-export: sink.rs
}


def test_a_path_through_pub_use_reaches_the_items_own_module(make_repo) -> None:
    """FIX111 F1: a crate's lib.rs re-exports its modules' items, so every user of the crate was a dependent of every
    file it re-exports. `acme::search::Searcher` (a facade's `pub extern crate ... as search`, then `pub use`) and
    `acme_search::SearcherBuilder` (renamed) are searcher.rs; lib.rs, which re-exports it, is a dependent of
    searcher.rs, but its users (version.rs names its own `version()`) are not reached through it, unless the change
    alters what lib.rs re-exports."""
    _builder, files = _files(make_repo, FACADE)
    searcher, lib = "crates/search/src/searcher.rs", "crates/search/src/lib.rs"
    for graph in (build_graph(files), lazy_graph_in_process(files)):
        def direct(path: str, graph=graph) -> set[str]:
            return {c.split(":", 1)[0] for c in graph.fan_in(path)[0]}

        assert direct(searcher) == {lib, "crates/cli/src/main.rs", "crates/cli/src/make.rs"}
        assert direct(lib) == {"crates/facade/src/lib.rs", "crates/cli/src/version.rs"}
        assert direct("crates/search/src/sink.rs") == {lib, "crates/cli/src/sinks.rs"}  # through the glob (FIX131)
        assert "crates/cli/src/version.rs" not in {c.split(":", 1)[0] for c in graph.fan_in(searcher)[1]}
        body = FACADE[lib].replace("{ 1 }", "{ 2 }")
        unexported = FACADE[lib].replace("Builder as SearcherBuilder", "Builder")
        reached = []
        for new in (body, unexported):
            result = blast_radius(graph, [(lib, lib, new.encode(), FACADE[lib].encode())])
            reached.append({c.split(":", 1)[0] for s in result.symbols for c in s.direct})
        assert "crates/cli/src/make.rs" not in reached[0]  # version() changed: make.rs names none of lib.rs's own
        assert {"crates/cli/src/make.rs", "crates/cli/src/main.rs"} <= reached[1]  # they went through its pub use


GLOBS = {
    "Cargo.toml": '[package]\nname = "acme"\nversion = "0.1.0"\n',
    "src/lib.rs": "mod sink;\nmod printer;\npub mod prelude;\nmod flags;\n\n"
                  "pub use sink::*;\npub use self::printer::*;\n\npub fn version() -> u8 { 1 }\n",
    "src/sink.rs": "pub trait Sink {}\npub struct SinkError;\n",
    "src/printer/mod.rs": "mod json;\nmod standard;\n\npub use self::json::*;\npub use self::standard::Standard;\n",
    "src/printer/json.rs": "pub struct Json;\npub const fn width() -> usize { 80 }\n",
    "src/printer/standard.rs": "pub struct Standard;\n",
    "src/prelude.rs": "pub use crate::flags::*;\n",
    "src/flags.rs": "pub enum Color { Never, Always }\nmacro_rules! made { () => { pub struct Made; } }\nmade!();\n",
    "src/bin/sinks.rs": "use acme::Sink;\nfn main() {}\n",
    "src/bin/json.rs": "fn main() { let _ = acme::Json; let _ = acme::width(); }\n",
    "src/bin/version.rs": "fn main() { acme::version(); }\n",
    "src/bin/standard.rs": "use acme::Standard;\nfn main() {}\n",
    "src/bin/colors.rs": "use acme::prelude::*;\nfn main() { let _ = Color::Never; }\n",
    "src/bin/made.rs": "fn main() { let _ = acme::prelude::Made; }\n",
}


def test_a_glob_re_export_is_followed_to_the_module_defining_the_name(make_repo) -> None:
    """FIX131: `pub use sink::*;` in lib.rs made every user of the crate a transitive dependent of sink.rs, whatever
    it named. A name is now found as rustc finds it: `acme::Sink` is sink.rs, `acme::Json` json.rs two globs deep
    (`pub use self::printer::*` then `pub use self::json::*`), `acme::Standard` standard.rs (a glob, then a named
    re-export); a file that glob-imports a module (`use acme::prelude::*`) depends on what it re-exports; a name no
    module is seen defining (a macro's) reaches every module its globs lead to. The re-exporting files still depend
    on what they re-export, but the walk does not go on from them to their users."""
    _builder, files = _files(make_repo, GLOBS)
    for graph in (build_graph(files), lazy_graph_in_process(files)):
        def dependents(path: str, graph=graph) -> tuple[set[str], set[str]]:
            direct, transitive = graph.fan_in(path)
            return {c.split(":", 1)[0] for c in direct}, {c.split(":", 1)[0] for c in transitive}

        assert dependents("src/sink.rs") == ({"src/lib.rs", "src/bin/sinks.rs"},) * 2
        for printer, user in (("json", "src/bin/json.rs"), ("standard", "src/bin/standard.rs")):  # lib.rs re-exports
            assert dependents(f"src/printer/{printer}.rs") == ({"src/printer/mod.rs", "src/lib.rs", user},) * 2
        assert dependents("src/lib.rs")[0] == {"src/bin/version.rs"}  # its own version(): not its re-exports' users
        assert dependents("src/flags.rs")[0] == {"src/prelude.rs", "src/bin/colors.rs", "src/bin/made.rs"}
        changed = blast_radius(graph, [("src/sink.rs", "src/sink.rs", b"pub trait Sink { fn f(); }\n",
                                        GLOBS["src/sink.rs"].encode())])
        assert [({c.split(":", 1)[0] for c in s.direct}, s.transitive) for s in changed.symbols] == [
            ({"src/lib.rs", "src/bin/sinks.rs"}, 2)]
