"""TypeScript read by tree-sitter (app/core/metrics/typescript.py): functions, spans and complexity (QA51 #1),
and a reader's crash said in words (QA51 #3).

The figures of real hono files are checked against an independent count over TypeScript's own parser
(tests/fixtures/typescript/oracle.json, see the README there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.metrics import typescript
from app.core.metrics.complexity import ANALYZER_TREE_SITTER, FileMetrics, analyze_source, compare, reader_failed
from app.core.metrics.spans import KIND_CLASS, definition_spans

FIXTURES = Path(__file__).parent.parent / "fixtures" / "typescript"


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["hono_context_base.ts", "hono_context_head.ts", "hono_factory.ts", "hono_hooks.ts"])
def test_each_function_of_real_hono_files_matches_the_typescript_compilers_count(name: str) -> None:
    """Spans and complexity per function, as TypeScript's own parser counts them. hono_factory.ts was the file
    whose call signatures (an interface member on its own line starting with `<`) made tree-sitter's error
    swallow the class below: 7 functions, none found before the separator repair."""
    oracle = json.loads(_fixture("oracle.json"))[name]
    metrics = analyze_source(f"src/{name}", _fixture(name))
    assert (metrics.analyzer, metrics.error, metrics.fallback) == (ANALYZER_TREE_SITTER, None, None)
    assert sorted([f.start_line, f.end_line, f.complexity] for f in metrics.functions) == sorted(oracle)


def test_an_interface_call_signature_is_no_function_and_pull_4755_adds_no_phantom() -> None:
    """lizard made a `<closure>` of lines 96-806 of context.ts (CC 15) out of `interface Get<E> { <Key ...>(key:
    Key): ... }`, the worst function of pull/4755, and the phantom renumbered every closure below it (+59)."""
    base = analyze_source("src/context.ts", _fixture("hono_context_base.ts"))
    head = analyze_source("src/context.ts", _fixture("hono_context_head.ts"))
    assert not [f for f in head.functions if f.end_line - f.start_line > 100]
    assert sum(f.complexity - 1 for f in base.functions) == sum(f.complexity - 1 for f in head.functions) == 44
    delta = compare("src/context.ts", base, head)
    # Each method's body moved, unchanged, into a closure its new getter returns: matched by body, the moved
    # closures add nothing and each of the 15 getters is a new function of complexity 1 (lizard's reading: +59,
    # worst `<closure>` CC 15 grade C).
    assert (delta.complexity_added, delta.complexity_removed) == (15, 0)
    assert {(old, new) for _name, old, new in delta.changed_functions} == {(None, 1)}
    assert delta.worst is not None and (delta.worst.name, delta.worst.complexity) == ("Context.render", 1)
    # The methods' bodies moved into closures their getters return: `Context.header.<closure>`, not `<closure>#N`.
    assert "Context.header.<closure>" in [f.name for f in head.functions]
    assert not [f.name for f in head.functions if f.name.startswith(("<closure>", "return"))]


QA_SNIPPET = """\
interface Get<E> {
  <Key extends keyof E['Variables']>(key: Key): E['Variables'][Key]
  <Key extends keyof ContextVariableMap>(key: Key): ContextVariableMap[Key]
}
type IsAny<T> = boolean extends (T extends never ? true : false) ? true : false
function condtype<T>(x: T): T extends string ? 'a' : 'b' {
  return x as any
}
class A {
  get g(): X extends true ? number : string { return 1 }
  set g(v: number) {}
  get json(): JSONRespond { return (o: object, s?: number) => { if (s) { return 1 } return 2 } }
}
"""


def test_conditional_types_are_not_branches_and_a_conditional_return_type_keeps_its_function() -> None:
    metrics = analyze_source("src/t2.ts", QA_SNIPPET)
    assert [(f.name, f.start_line, f.complexity) for f in metrics.functions] == [
        ("condtype", 6, 1), ("A.g", 10, 1), ("A.set g", 11, 1), ("A.json", 12, 1), ("A.json.<closure>", 12, 2)]


NAMES = """\
const handler = <T,>(a: T): T => (a ? a : a)
const routes = { onError: function () { return 1 }, list() { return 2 }, nested: { deep: () => 3 } }
this.cb = () => 4
app.get('/users/:id', (c) => c.text('a'))
describe('router', () => { it('matches', () => { x ||= 1 }) })
items.map((x) => x)
export default () => 5
class Router { #match = (path: string) => path; static create = function () {} }
const findOrigin = ((origin) => (origin ? 1 : 2))(options.origin)
headers.split(',').map((h) => h.trim())
"""


def test_anonymous_functions_are_named_where_a_name_is_written() -> None:
    metrics = analyze_source("src/names.ts", NAMES)
    assert [(f.name, f.complexity) for f in metrics.functions] == [
        ("handler", 2), ("routes.list", 1), ("routes.nested.deep", 1), ("routes.onError", 1), ("this.cb", 1),
        ('app.get("/users/:id")', 1), ('describe("router")', 1), ('describe("router").it("matches")', 2),
        ("items.map(<closure>)", 1), ("default", 1), ("Router.#match", 1), ("Router.create", 1),
        ("findOrigin", 2), ("map(<closure>)", 1)]


def test_a_closure_inserted_above_renumbers_nothing_and_counts_only_itself() -> None:
    """Closures are numbered within their enclosing function: one added to `first` leaves `second`'s alone."""
    def source(extra: str) -> str:
        return ("export function first(xs: number[]) {\n" + extra + "  return xs.filter((x) => x > 0 && x < 9)\n}\n"
                "export function second(xs: number[]) {\n  return xs.filter((x) => x ? 1 : 0)\n}\n")

    before = analyze_source("src/f.ts", source(""))
    after = analyze_source("src/f.ts", source("  xs.filter((y) => y || 1)\n"))
    delta = compare("src/f.ts", before, after)
    assert delta.complexity_added == 2
    assert [(name, old, new) for name, old, new in delta.changed_functions] == [("first.xs.filter(<closure>)", None, 2)]
    assert "second.xs.filter(<closure>)" in [f.name for f in after.functions]


def test_typescript_spans_come_from_tree_sitter_with_classes_and_no_phantom() -> None:
    result = definition_spans("src/context.ts", _fixture("hono_context_head.ts"))
    assert (result.error, result.method, result.language) == (None, "tree-sitter", "typescript")
    assert [(s.qualname, s.start, s.end) for s in result.spans if s.kind == KIND_CLASS] == [("Context", 293, 806)]
    longest = max((s for s in result.spans if s.kind != KIND_CLASS), key=lambda s: s.end - s.start)
    assert longest.end - longest.start < 60
    metrics = analyze_source("src/context.ts", _fixture("hono_context_head.ts"))
    assert {s.qualname for s in result.spans if s.kind != KIND_CLASS} == {f.name for f in metrics.functions}


LIZARD_CRASH = """\
  ;[createElement, createElementForDom].forEach((createElement) => {
    it('update style', () => {
      const App = () => <div style={{ fontSize: '10px' }} />
      const App = () => <div style={{ '--my-var-1': '15px' }} />
    })
    it('style with CSS variables - 2', () => {
      const App = () => <div style={{ '--myVar-2': '20px' }} />
      const App = () => {
        return (
        )
      }
    })
  })
  describe('skip build child', () => {
"""


def test_a_reader_crash_is_said_in_words() -> None:
    """lizard's TSX reader raises IndexError on this (reduced from hono's src/jsx/dom/index.test.tsx): the
    user read `IndexError: list index out of range`. Its JavaScript reader does too, where lizard still reads (no
    JavaScript since tree-sitter reads it: as .jsx and .tsx tree-sitter does)."""
    from app.core.metrics.complexity import _analyse_lizard

    crashed = _analyse_lizard("src/jsx/dom/index.test.jsx", LIZARD_CRASH, "javascript")
    assert crashed.error == "could not be measured: lizard's JavaScript reader failed on it (IndexError)"
    assert analyze_source("src/jsx/dom/index.test.tsx", LIZARD_CRASH).analyzer == ANALYZER_TREE_SITTER
    assert analyze_source("src/jsx/dom/index.test.jsx", LIZARD_CRASH).analyzer == ANALYZER_TREE_SITTER
    assert reader_failed("lizard", None, IndexError("x")) == "could not be measured: lizard's reader failed on it " \
        "(IndexError)"


def test_an_unreadable_stretch_inside_a_function_is_said() -> None:
    metrics = analyze_source("src/bad.ts", "export function f(a: number) {\n  if (a) { return 1 }\n  return ) 2\n}\n")
    assert metrics.error is None and metrics.fallback is not None
    assert metrics.fallback.startswith("the TypeScript parser could not read line 3")
    assert compare("src/bad.ts", None, metrics).error == metrics.fallback


# --- properties ---------------------------------------------------------------------------------------------

_LINE = st.text(alphabet=st.sampled_from(list(" \t<>(){}[];:,'\"`/*abc?=|&x\r")), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINE, max_size=12))
def test_the_signature_separator_keeps_length_and_line_breaks(lines: list[str]) -> None:
    data = "\n".join(lines).encode()
    repaired = typescript.separate_signatures(data)
    assert len(repaired) == len(data)
    assert [i for i, b in enumerate(repaired) if b in b"\r\n"] == [i for i, b in enumerate(data) if b in b"\r\n"]
    assert [b for a, b in zip(data, repaired, strict=True) if a != b] == [ord(";")] * sum(
        1 for a, b in zip(data, repaired, strict=True) if a != b)


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(blacklist_characters="\0"), max_size=300))
def test_any_text_is_read_without_raising(text: str) -> None:
    metrics = analyze_source("src/any.ts", text)
    assert metrics.error is None
    assert all(1 <= f.start_line <= f.end_line and f.complexity >= 1 for f in metrics.functions)


_CONDITIONS = st.sampled_from(["a", "a && b", "a || b", "a ?? b", "a ? b : c", "(a && b) || c"])
_STATEMENTS = st.sampled_from(["if ({c}) {{ x() }}", "while ({c}) {{ x() }}", "for (const i of xs) {{ y({c}) }}",
                               "z = {c}", "try {{ x() }} catch (e) {{ y({c}) }}",
                               "switch (k) {{ case 1: y({c}); break; default: x() }}"])
_TYPES = st.sampled_from(["", ": number", ": T extends string ? A : B", ": Array<X | Y>", ": (a: T) => U"])


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(_STATEMENTS, _CONDITIONS), min_size=1, max_size=6), _TYPES, _TYPES)
def test_type_annotations_never_change_the_complexity(body: list[tuple[str, str]], param: str, result: str) -> None:
    """The same function with and without types (conditional ones too) has the same complexity."""
    code = "\n".join("  " + statement.format(c=condition) for statement, condition in body)

    def measured(annotation: str, returns: str) -> list[tuple[int, int, int]]:
        source = f"export function f(k{annotation}, xs{annotation}){returns} {{\n{code}\n}}\n"
        return [(f.start_line, f.end_line, f.complexity) for f in analyze_source("src/p.ts", source).functions]

    plain = measured("", "")
    assert plain == measured(param, result)
    decisions = sum(c.count("&&") + c.count("||") + c.count("??") + c.count("?") - c.count("??") * 2
                    for _, c in body)
    statements = sum(0 if statement.startswith("z =") else 1 for statement, _ in body)
    assert plain[0][2] == 1 + statements + decisions


def test_explain_says_a_crashed_reader_in_words_and_that_a_test_file_leaves_the_score_alone(make_repo) -> None:
    """QA51 #3: `! src/jsx/dom/index.test.tsx: IndexError: list index out of range`. A test file's complexity is
    left out of the score, so its failure to be measured changes nothing: the note says so; a code file's does not."""
    from app.analysis.analyzer import Analyzer
    from tests.conftest import ALICE, BOB

    b = make_repo("crash")
    b.commit("init", {"src/view.go": "package view\n", "src/view_test.go": "package view\n"}, author=ALICE)
    b.branch("edit")
    nested = "package view\nfunc f() {" + "if (a) {" * 3000 + "}" * 3001 + "\n"  # lizard gives up on it
    b.commit("edit", {"src/view.go": nested, "src/view_test.go": nested}, branch="edit", author=BOB)
    b.checkout()
    detail = Analyzer(b.path).detail("edit")
    errors = detail.report.to_json()["complexity_errors"]
    failed = "lizard gave up: code nested too deeply (RecursionError)"
    assert errors == {"src/view.go": failed,
                      "src/view_test.go": failed + " (a test file: its complexity is not part of the score)"}


_FUNCTIONS = st.lists(st.tuples(st.sampled_from(["f", "g", "A.m", "<closure>", "f.<closure>"]),
                                st.one_of(st.none(), st.sampled_from(["b1", "b2", "b3"])),
                                st.integers(1, 9)), max_size=8)


def _metrics(items: list[tuple[str, str | None, int]], with_bodies: bool) -> FileMetrics:
    from app.core.metrics.complexity import FunctionMetric, _unique_names, grade

    functions = _unique_names(FunctionMetric(name, line, line, cc, grade(cc), body if with_bodies else None)
                              for line, (name, body, cc) in enumerate(items, start=1))
    return FileMetrics("typescript", ANALYZER_TREE_SITTER, functions=functions,
                       total_complexity=sum(f.complexity for f in functions))


@settings(max_examples=300, deadline=None)
@given(_FUNCTIONS, _FUNCTIONS, st.booleans())
def test_matching_by_body_keeps_the_net_and_without_bodies_is_matching_by_name(
        old_items: list[tuple[str, str | None, int]], new_items: list[tuple[str, str | None, int]],
        with_bodies: bool) -> None:
    """Each old function is the old self of at most one new one, so added - removed is the file's net move; without
    body digests (Python, lizard's languages) the figures are those of matching by name alone."""
    old, new = _metrics(old_items, with_bodies), _metrics(new_items, with_bodies)
    delta = compare("src/x.ts", old, new)
    assert delta.complexity_added - delta.complexity_removed == new.total_complexity - old.total_complexity
    if not with_bodies:
        by_name = {f.name: f.complexity for f in old.functions}
        added = sum(max(0, f.complexity - by_name.get(f.name, 0)) for f in new.functions)
        assert delta.complexity_added == added


def test_a_lizard_crash_in_the_spans_is_said_in_words_too() -> None:
    """The chunk note read `not analysed by lizard (IndexError: list index out of range): cut at hunk edges`."""
    from app.core.metrics.spans import _lizard_spans

    assert definition_spans("src/view.jsx", LIZARD_CRASH).method == "tree-sitter"  # JavaScript: tree-sitter's now
    result = _lizard_spans("src/view.jsx", LIZARD_CRASH, "javascript")
    assert result.error is not None and result.error.startswith("definitions not read (lizard's ")
    assert result.error.endswith(" reader failed on it: IndexError)") and "list index" not in result.error
    assert definition_spans("src/view.tsx", LIZARD_CRASH).method == "tree-sitter"
