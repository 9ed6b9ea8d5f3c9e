"""Definition spans: ast and lizard readers, the quick indentation scanner, and hostile input."""

from __future__ import annotations

import textwrap
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.metrics.spans import Span, definition_spans, indent_spans, language_of, unit_index

SOURCE = textwrap.dedent('''\
    """Module docstring."""
    import os

    @decorator
    @decorator_with(
        "args",
    )
    class RetryPolicy:
        attempts = 3

        def backoff(self, n):
            def jitter():
                return 1
            return n * jitter()

        @property
        def limit(self):
            return 10

        @limit.setter
        def limit(self, value):
            pass

        class Inner:
            def deep(self):
                return """
    text at column zero inside a string
    """


    if os.environ:
        def conditional():
            pass

    async def fetch(
        url,
        timeout,
    ) -> None:
        await thing()
    ''')

EXPECTED = [
    Span("class", "RetryPolicy", 4, 28),
    Span("function", "RetryPolicy.backoff", 11, 14),
    Span("function", "RetryPolicy.backoff.jitter", 12, 13),
    Span("function", "RetryPolicy.limit", 16, 18),
    Span("function", "RetryPolicy.limit#2", 20, 22),
    Span("class", "RetryPolicy.Inner", 24, 28),
    Span("function", "RetryPolicy.Inner.deep", 25, 28),
    Span("function", "conditional", 32, 33),
    Span("function", "fetch", 35, 39),
]


def test_python_spans_cover_classes_methods_nested_decorated_and_conditional_definitions() -> None:
    result = definition_spans("payments/retry.py", SOURCE)
    assert result.error is None and result.method == "ast"
    assert list(result.spans) == EXPECTED


def test_quick_scanner_agrees_with_ast_on_formatted_code() -> None:
    quick = definition_spans("payments/retry.py", SOURCE, exact=False)
    assert quick.method == "indent"
    assert list(quick.spans) == EXPECTED


def test_unit_index_gives_outermost_function_or_innermost_class() -> None:
    spans = definition_spans("a.py", SOURCE).spans
    owner = unit_index(spans, 39)
    name = {i: s.qualname for i, s in enumerate(spans)}
    assert owner[2] == -1  # module level
    assert name[owner[9]] == "RetryPolicy"  # class attribute: class-level code
    assert name[owner[13]] == "RetryPolicy.backoff"  # inside the closure: still the method
    assert name[owner[26]] == "RetryPolicy.Inner.deep"
    assert name[owner[27]] == "RetryPolicy.Inner.deep"  # a string line at column zero
    assert owner[31] == -1  # the `if` between definitions


def test_syntax_error_is_reported_not_raised() -> None:
    result = definition_spans("broken.py", "def f(:\n    pass\n")
    assert result.spans == ()
    assert result.error is not None and "does not parse" in result.error and "line 1" in result.error


def test_nul_bytes_and_crlf() -> None:
    assert "does not parse" in (definition_spans("x.py", "x = 1\0\n").error or "")
    crlf = definition_spans("x.py", "import os\r\n\r\ndef f():\r\n    return 1\r\n")
    assert crlf.error is None and list(crlf.spans) == [Span("function", "f", 3, 4)]
    assert list(indent_spans("import os\r\n\r\ndef f():\r\n    return 1\r\n").spans) == [Span("function", "f", 3, 4)]


def test_huge_and_single_line_inputs_are_refused_with_a_note() -> None:
    one_line = "var a=1;" * 700_000  # 5.6 MB on one line
    result = definition_spans("app.min.js", one_line)
    assert result.spans == () and "characters" in (result.error or "")
    minified = definition_spans("bundle.py", "x = 1; " * 2_000)
    assert minified.spans == () and "line of" in (minified.error or "")


def test_other_languages_via_lizard_and_unknown_ones_have_no_spans() -> None:
    go = definition_spans("svc/main.go", "package main\n\nfunc Run(a int) int {\n\tif a > 1 {\n\t\treturn 2\n\t}\n"
                                         "\treturn 3\n}\n")
    assert go.method == "lizard" and [(s.qualname, s.start, s.end) for s in go.spans] == [("Run", 3, 8)]
    assert definition_spans("README.md", "# title\n\ntext\n").spans == ()
    assert definition_spans("README.md", "# title\n").error is None
    assert language_of("notes.txt") is None and language_of("a.ts") == "typescript"
    # Quick mode never runs lizard: it names Python only.
    assert definition_spans("svc/main.go", "package main\nfunc Run() {\n}\n", exact=False).spans == ()


# -- the quick scanner against ast on generated programs --------------------------------------------

_names = st.sampled_from(["alpha", "beta", "gamma", "delta", "run_it", "Thing"])


@st.composite
def _program(draw: st.DrawFn, depth: int = 0, indent: str = "") -> list[str]:
    """Random formatted Python: definitions (decorated, multi-line headers, docstrings with
    column-zero lines, nested) mixed with statements and blank lines."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 5 if depth < 3 else 1))
        if choice <= 1:
            lines.append(f"{indent}x = {draw(st.integers(0, 9))}")
            if draw(st.booleans()):
                lines.append("")
        elif choice == 2:
            lines += [f'{indent}s = """', "column zero text", f'{indent}"""']
        else:
            kind = draw(st.sampled_from(["def", "class", "async def"]))
            name = draw(_names)
            if draw(st.booleans()):
                lines.append(f"{indent}@decorate")
            if kind != "class" and draw(st.booleans()):
                lines += [f"{indent}{kind} {name}(", f"{indent}    a,", f"{indent}):"]
            else:
                lines.append(f"{indent}{kind} {name}{'' if kind == 'class' else '()'}:")
            if draw(st.booleans()):
                lines += [f'{indent}    """Doc.', "", "zero indent doc line", f'{indent}    """']
            lines += draw(_program(depth + 1, indent + "    "))
            lines += [""] * draw(st.integers(0, 2))
            if draw(st.booleans()):
                lines.append(f"{indent}# trailing comment")
    return lines


@settings(max_examples=150, deadline=None)
@given(_program())
def test_quick_scanner_matches_ast_on_random_formatted_programs(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    exact = definition_spans("gen.py", text)
    assert exact.error is None, text
    assert list(indent_spans(text).spans) == list(exact.spans), text


def test_rust_tests_inside_a_source_file_are_found_past_braces_in_strings_and_comments() -> None:
    """QA50 #3: the tests a Rust file holds (`#[cfg(test)]` items, `#[test]` functions) are test regions."""
    from app.core.metrics.spans import in_regions, test_regions

    text = "\n".join([
        'fn a() -> &\'static str { "}" }',          # 1
        "#[cfg(not(test))]",                        # 2: not a test
        "fn b() {}",                                # 3
        "#[cfg(test)]",                             # 4
        "mod tests {",                              # 5
        "    // a } in a comment",                  # 6
        "    #[test]",                              # 7
        "    fn t() { let c = '{'; let r = r#\"}\"#; }",  # 8
        "}",                                        # 9
        "#[tokio::test(flavor = \"multi_thread\")]",  # 10
        "async fn u() {",                           # 11
        "}",                                        # 12
        "#[cfg(test)]",                             # 13
        "mod more;",                                # 14
        "fn c() {}",                                # 15
    ]) + "\n"
    regions = test_regions("src/link.rs", text)
    assert regions == ((4, 9), (10, 12), (13, 14))
    assert [n for n in range(1, 16) if in_regions(n, regions)] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert test_regions("src/link.py", text) == ()


def test_ruby_endless_methods_are_methods_of_their_own_line() -> None:
    """Ruby 3's endless methods (`def owns?(gem) = ...`): lizard opened a method there and closed it at the class's
    end, so rubygems.org's `owns_gem?` spanned lines 117-241 with every method after it, and the endless methods
    before a normal one were lost with their branches (QA57). Complexity reads them as spans do."""
    from app.core.metrics.complexity import analyze_source

    code = (
        "class Policy\n"
        "  def show? = false\n"
        "  def owns?(gem) = gem.nil? || gems.include?(gem) ? true : false # rubocop:disable Style/X\n"
        "  def label = \"#{name} (#{id})\"\n"
        "\n"
        "  def deny(error)\n"
        "    @error = error if error\n"
        "    false\n"
        "  end\n"
        "\n"
        "  def ==(other) = other.id == id\n"
        "  def name=(value)\n"
        "    @name = value\n"
        "  end\n"
        "end\n"
    )
    found = definition_spans("app/policies/policy.rb", code)
    assert [(s.qualname, s.start, s.end) for s in found.spans] == [
        ("show?", 2, 2), ("owns?", 3, 3), ("label", 4, 4), ("deny", 6, 9), ("==", 11, 11), ("name", 12, 14)]
    metrics = analyze_source("app/policies/policy.rb", code)
    by_name = {f.name: (f.start_line, f.end_line, f.complexity) for f in metrics.functions}
    assert by_name["owns?"] == (3, 3, 3) and by_name["deny"] == (6, 9, 2) and by_name["show?"] == (2, 2, 1)


def test_ruby_endless_method_rewrite_is_linear_on_a_hostile_line() -> None:
    """Repository content is untrusted: the first rewrite looked for the trailing comment with a lazy regex, 14 s
    on one 36 KB line of ` #a` repeated before a quote (quadratic); a 600 KB line must take well under a second."""
    import time

    from app.core.metrics.ruby import for_lizard

    line = "def a = x" + " #a" * 200_000 + '"\n'
    started = time.perf_counter()
    assert for_lizard("x.rb", line).startswith("def a; x #a")
    assert time.perf_counter() - started < 1.0
    assert for_lizard("a.rb", "def ok? = true # rubocop:disable X\n") == "def ok?; true; end # rubocop:disable X\n"


def test_ruby_test_dsl_blocks_are_the_test_files_definitions() -> None:
    """QA57 F9: rubygems.org's test/models/version_test.rb, 1,600 lines of shoulda `context`/`should` blocks, had no
    spans but two helper defs, so a 398-line chunk of five contexts was titled 'derived_abi and 1 more'. describe and
    context blocks hold tests (classes, for the plan's units), it/should/test blocks are tests (functions), named as
    JS test callbacks are; a helper def is still a method; a block in a file that is not a test is not read."""
    shoulda = textwrap.dedent('''\
        class VersionTest < ActiveSupport::TestCase
          context "#as_json" do
            setup do
              @version = create(:version)
            end

            should "only have relevant API fields" do
              assert_equal 3, @version.as_json.size
            end
          end

          test "derives the ABI" do
            assert derived_abi
          end

          def derived_abi
            true
          end
        end
        ''')
    spans = definition_spans("test/models/version_test.rb", shoulda).spans
    assert [(s.kind, s.qualname, s.start, s.end) for s in spans] == [
        ("class", 'context("#as_json")', 2, 10),
        ("function", 'context("#as_json").should("only have relevant API fields")', 7, 9),
        ("function", 'test("derives the ABI")', 12, 14),
        ("function", "derived_abi", 16, 18),
    ]
    rspec = textwrap.dedent('''\
        RSpec.describe Rubygem, type: :model do
          describe "#yank" do
            it "removes the version" do |example|
              expect(subject.yank).to be(true)
            end
            it { is_expected.to be_valid }
          end
        end
        ''')
    spans = definition_spans("spec/models/rubygem_spec.rb", rspec).spans
    assert [(s.kind, s.qualname, s.start, s.end) for s in spans] == [
        ("class", 'describe("Rubygem")', 1, 8), ("class", 'describe("#yank")', 2, 7),
        ("function", 'describe("#yank").it("removes the version")', 3, 5),  # not lizard's '"removes the version"'
        ("function", "it", 6, 6)]  # lizard's, as before
    assert [s.qualname for s in definition_spans("app/models/rubygem.rb", rspec).spans] == ['"removes the version"',
                                                                                           "it"]  # lizard's alone


def test_ruby_test_blocks_are_read_in_linear_time() -> None:
    from app.core.metrics.ruby import test_blocks

    started = time.perf_counter()
    assert test_blocks("spec/x_spec.rb", '  it "x" do\n' * 20_000) == []  # no block ever ends
    assert len(test_blocks("spec/x_spec.rb", 'it "x" do\n' * 3_000 + "end\n" * 3_000)) == 2_000  # capped
    assert time.perf_counter() - started < 2.0
