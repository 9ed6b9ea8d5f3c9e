"""What a change can break: path tiers (tiers.py), destructive operations (destructive/), and their join (assess.py)."""

# The dependency graph's format and rules (graph.py). Here, not there, so a warm `list` keys its cached
# reports on it without importing the graph.
# 23: a Rails view of a name in several formats is reached in each (`render :show`: show.html.erb and
#     show.json.jbuilder; a view's partial: the one of its own format) (class_names.ClassFiles.ruby_files);
# 22: a Ruby file's words kept, with those of the files it derives from, mixes in or is mixed into (which
#     dependents name a method a change alters: members.py);
# 21: config/routes.rb parsed by tree-sitter-ruby, not told by indentation; a namespace's bare verb, `scope
#     controller:` and `controller :x` blocks route; Jbuilder views are views (class_names.route_refs);
# 20: a Rails controller's `render :x` / `render partial: "x"` name its own views, config/routes.rb depends on the
#     controllers it routes to (class_names.route_refs);
# 19: a Rust glob re-export (`pub use a::*`) followed to the module defining the name, a glob import reaching what
#     its module re-exports (rust_names.py);
# 18: an ERB view's `render @entries`, `render entry` depend on the partial entries/_entry (FIX124);
# 17: a Rails association makes a dependent the walk to transitive dependents does not go on from (FIX124);
# 16: ERB views name Stimulus controllers (by identifier), Ruby constants and the partials they render;
# 15: Ruby files (class_names.py): a constant names the file Zeitwerk loads it from (app/*/, concerns, lib/),
#     an association its model; `x_test.rb`, `x_spec.rb` test the constant their path mirrors;
# 14: a C# or Java file's words kept (which dependents name an altered member: members.py); C# ties in path order;
#     a Rust path followed through
#     `pub use` re-exports to the item's module, a named re-export stopping the walk (rust_names.py);
# 13: C# files (class_names.py): a type word names the file named for it; `FooTests.cs` is a test;
# 12: a JS/TS `x.test.ts` tests the `x.ts` beside it (or above its `__tests__/`);
# 11: Rust files (rust_names.py: `use`, `crate::`/`super::` paths, workspace crates by Cargo.toml's package name)
#     and Cargo.toml; a Rust file's own `#[cfg(test)]` tests test it;
# 10: TypeScript/JavaScript path aliases (tsconfig.json's `paths` and `baseUrl`, ts_paths.py) resolve to files;
# 9: Java and PHP files (class_names.py) and composer.json's PSR-4 prefixes; `FooTest.java`, `FooIT.java` are tests;
# 8: a Go `_test.go` file tests the package of its directory (its own tests, `package p` or `p_test`);
# 7: a JavaScript/TypeScript test of a barrel tests what the barrel re-exports (the names each file imports
#    and exports are kept); imports found by their `from`, linear in the text;
# 6: a TypeScript import of `./x.js` is x.ts (ESM), .mts/.cts read, `export ... from` imports;
# 5: Go imports name packages (directories), through go.mod;
# 4: a docstring or comment edit is no body change;
# 3: module-level names and who imports each module; 2: star imports
GRAPH_VERSION = "23"
