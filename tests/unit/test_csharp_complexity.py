"""C# read by lizard (QA62, bitwarden/server): a generic constraint clause (`where T : notnull`) derailed lizard's C#
reader, which lost every method after it in the file and read an `if` and a call as methods."""

from __future__ import annotations

from app.core.metrics.complexity import analyze_source
from app.core.metrics.csharp import for_lizard
from app.core.metrics.spans import KIND_FUNCTION, definition_spans

SOURCE = """public class Repo<T, TId> : IRepo<T> where T : class, ITableObject<TId>, new() where TId : IEquatable<TId>
{
    private async Task<string?> RenderAsync<TModel>(string name, TModel model)
        where TModel : notnull
    {
        if (!_cache.TryGetValue(name, out var template))
        {
            template = Compile(name);
        }
        return template != null ? template(model) : null;
    }

    public int First(int a)
    {
        var adults = from p in people where p.Age > 17 select p;
        return a > 1 ? 1 : 2;
    }

    public int Third(int a)
    {
        if (a > 2) return 1;
        return a > 1 ? 1 : 2;
    }
}
"""


def test_methods_after_a_generic_constraint_are_all_measured() -> None:
    metrics = analyze_source("src/Core/Repo.cs", SOURCE.encode())
    found = {(f.name, f.complexity, f.start_line, f.end_line) for f in metrics.functions if "*global*" not in f.name}
    assert found == {("Repo::RenderAsync<TModel>", 3, 3, 11), ("Repo::First", 2, 13, 17), ("Repo::Third", 3, 19, 23)}
    spans = {(s.qualname, s.start, s.end) for s in definition_spans("src/Core/Repo.cs", SOURCE).spans
             if s.kind == KIND_FUNCTION}
    assert ("Repo::Third", 19, 23) in spans and ("Repo::RenderAsync<TModel>", 3, 11) in spans, spans


def test_only_constraint_clauses_are_blanked_and_the_lines_stay() -> None:
    blanked = for_lizard("a.cs", SOURCE)
    assert blanked.count("\n") == SOURCE.count("\n") and len(blanked) == len(SOURCE)
    assert "notnull" not in blanked and "new()" not in blanked
    assert "where p.Age > 17" in blanked  # a LINQ query's where is code
    assert for_lizard("a.java", SOURCE) == SOURCE
    hostile = "void F() where T : " + "a" * 200_000
    assert len(for_lizard("a.cs", hostile)) == len(hostile)


def test_lizards_global_pseudo_function_is_no_function() -> None:
    """An expression-bodied method with a collection initializer (bitwarden's HandlebarsMailService.SendInvoiceUpcoming)
    makes lizard report `*global*`, a function from line 0 to the file's end: 82 of its 1,816 src/ C# files held one
    (twice, in the spans the plan cuts at)."""
    source = ("namespace A;\n\npublic class B\n{\n    public async Task SendAsync(string email, decimal amount,\n"
              "        bool mention) => await SendAll(new List<string> { email }, amount, mention);\n\n"
              "    public int F(int a)\n    {\n        return a > 1 ? 1 : 2;\n    }\n}\n")
    names = [f.name for f in analyze_source("src/B.cs", source.encode()).functions]
    assert "B::F" in names and not any("global" in name for name in names), names
    spans = [s.qualname for s in definition_spans("src/B.cs", source).spans]
    assert "B::F" in spans and not any("global" in name for name in spans), spans
