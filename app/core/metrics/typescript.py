"""TypeScript, TSX and JavaScript (JSX too) read with tree-sitter: their functions and classes, their spans and
cyclomatic complexity.

lizard reads TypeScript with a token-level reader that derails on type-level syntax (QA51 #1): an interface's
call signature (`interface Get<E> { <K>(key: K): V }`) opened a phantom function to the end of the file, the
`? :` of a conditional type in an annotation counted as branches, a function whose return type is a conditional
type was dropped, getters with long return types were named `return`, and its reader crashed on some TSX
(IndexError). tree-sitter parses the language: a function is a function node, types are type nodes and are never
counted. Repository text is untrusted: it is parsed, never run, and nothing here raises for any input.
lizard derails on modern JavaScript as it did on TypeScript (a class field holding an arrow function, JSX, a
generator method), so JavaScript (.js, .jsx, .mjs, .cjs) is read the same way with tree-sitter's JavaScript grammar,
whose node types are those of TypeScript's without the types; it parses JSX in any of them.

Complexity is McCabe's, counted as lizard counts JavaScript so the two languages' figures compare: 1 per
function, plus 1 per `if` (an `else if` is one), `for`, `for … in/of`, `while`, `do … while`, `catch`, `case`
(not `default`), ternary `? :`, `&&`, `||`, `??` and the assignments `&&=`, `||=`, `??=`. A nested function
is measured on its own and adds nothing to its outer one. Names: a declared function, method or class by its
name, qualified by what encloses it (`Context.json`, `Context.json.<closure>`); an anonymous one by where it is
bound (`const handler = () =>` is `handler`, `{ onError: function () {} }` is `onError`, `this.x = () =>` is
`this.x`) or by the call it is handed to (`app.get("/users")`, `describe("x").it("y")`, `items.map(<closure>)`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

KIND_FUNCTION = "function"
KIND_CLASS = "class"

TYPESCRIPT_SUFFIXES = (".ts", ".mts", ".cts", ".tsx")
JAVASCRIPT_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs")
TYPESCRIPT = "typescript"
JAVASCRIPT = "javascript"
_TSX = "tsx"

_FUNCTIONS = frozenset({
    "function_declaration", "generator_function_declaration", "function_expression", "generator_function",
    "arrow_function", "method_definition",
})
_CLASSES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
# Type-level syntax (and imports): never code, never walked.
_TYPE_ONLY = frozenset({
    "type_annotation", "type_parameters", "type_arguments", "interface_declaration", "type_alias_declaration",
    "ambient_declaration", "function_signature", "method_signature", "abstract_method_signature",
    "index_signature", "import_statement", "opting_type_annotation", "omitting_type_annotation",
    "asserts_annotation", "type_predicate_annotation",
})
_DECISIONS = frozenset({
    "if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement", "catch_clause",
    "switch_case", "ternary_expression",
})
_LOGICAL = frozenset({"&&", "||", "??", "&&=", "||=", "??="})
# Expressions that leave the value they wrap where it is bound: `(x as Handler)`, `(async () => {})`.
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
                       "await_expression"})
_MAX_LABEL = 60
_MAX_TITLE = 40  # of a call's first argument in a name: nested test titles add up
_SPACES = re.compile(r"\s+")
_BLANKS = re.compile(rb"\s+")


@dataclass(slots=True)
class Definition:
    """One function or class of a TypeScript file. Lines are 1-based and inclusive."""

    kind: str  # "function" | "class"
    name: str  # qualified; repeated names are not numbered here
    start_line: int
    end_line: int
    complexity: int = 1  # functions: 1 + decision points; classes: 0
    body: str | None = None  # functions: a digest of the body's text without whitespace (see `_digest`)


@dataclass(slots=True)
class Reading:
    """What tree-sitter read of one file."""

    definitions: list[Definition] = field(default_factory=list)  # in the order met
    unreadable: list[tuple[int, int]] = field(default_factory=list)  # line ranges the parser could not read


_parsers: dict[str, Any] = {}


def _parser(grammar: str) -> Any:
    parser = _parsers.get(grammar)
    if parser is None:
        import tree_sitter

        if grammar == JAVASCRIPT:
            import tree_sitter_javascript

            language = tree_sitter_javascript.language()
        else:
            import tree_sitter_typescript

            language = (tree_sitter_typescript.language_tsx() if grammar == _TSX
                        else tree_sitter_typescript.language_typescript())
        parser = _parsers[grammar] = tree_sitter.Parser(tree_sitter.Language(language))
    return parser


def is_typescript(path: str) -> bool:
    return path.lower().endswith(TYPESCRIPT_SUFFIXES)


def is_javascript(path: str) -> bool:
    return path.lower().endswith(JAVASCRIPT_SUFFIXES)


def language_of(path: str) -> str | None:
    """"typescript" or "javascript" for a file this module reads, else None."""
    return TYPESCRIPT if is_typescript(path) else JAVASCRIPT if is_javascript(path) else None


def _grammar(path: str) -> str:
    lowered = path.lower()
    return _TSX if lowered.endswith(".tsx") else JAVASCRIPT if lowered.endswith(JAVASCRIPT_SUFFIXES) else TYPESCRIPT


def read(path: str, text: str) -> Reading:
    """The functions and classes of `text`, the content of the TypeScript (TSX) or JavaScript (JSX) file `path`.

    Raises only for a broken tree-sitter installation (ImportError); the callers report that as not measured."""
    grammar = _grammar(path)
    parser = _parser(grammar)
    data = text.encode("utf-8", "surrogatepass")
    tree = parser.parse(data)
    if tree.root_node.has_error and grammar != JAVASCRIPT:
        # tree-sitter-typescript (0.23) reads a call signature on its own line (`interface Get { <K>(key: K): V`
        # newline `<K>(...)`) as the continuation of the member above, and its error can swallow the rest of the
        # file (hono's src/helper/factory/index.ts: 350 lines, a class and its methods). The same text with
        # an explicit separator before each such line is kept when it parses with fewer unreadable lines.
        repaired = separate_signatures(data)
        if repaired != data:
            other = parser.parse(repaired)
            if _unreadable_lines(other.root_node) < _unreadable_lines(tree.root_node):
                tree = other
    reading = Reading()
    _walk(tree.root_node, reading)
    return reading


_ENDS_MEMBER = re.compile(rb"[\w\])'\"`>]$")
_LINE_COMMENT = re.compile(rb"\s//.*$")


def separate_signatures(data: bytes) -> bytes:
    """`data` with a `;` in place of the indentation character just before each indented line that starts with
    `<` or `(` where the code line above (comments skipped) ends like a complete type member: a name, a closing
    bracket or quote, `>`. Same length and the same line breaks, so every position and line number holds."""
    lines = data.split(b"\n")
    previous = b""  # the last code line, its comment cut off
    for index, line in enumerate(lines):
        body = line.lstrip(b" \t")
        if not body or body.startswith((b"//", b"/*", b"*")):
            continue
        indent = len(line) - len(body)
        if indent and body[:1] in (b"<", b"(") and _ENDS_MEMBER.search(previous):
            lines[index] = line[:indent - 1] + b";" + body
        previous = _LINE_COMMENT.sub(b"", line.rstrip())
    return b"\n".join(lines)


def _unreadable_lines(root: Any) -> int:
    lines: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            lines.update(range(node.start_point[0], node.end_point[0] + 1))
        elif node.has_error:
            stack.extend(node.children)
    return len(lines)


def _walk(root: Any, reading: Reading) -> None:
    """Depth first, without recursion (a file nests as deep as it likes): each node with the qualified name
    prefix of what encloses it and the function its decisions count for."""
    stack: list[tuple[Any, str, Definition | None]] = [(root, "", None)]
    definitions = reading.definitions
    while stack:
        node, prefix, owner = stack.pop()
        kind = node.type
        if kind in _TYPE_ONLY:
            continue
        if kind == "ERROR" or node.is_missing:
            reading.unreadable.append((node.start_point[0] + 1, node.end_point[0] + 1))
        if kind in _FUNCTIONS:
            owner = Definition(KIND_FUNCTION, prefix + _function_label(node), node.start_point[0] + 1,
                               node.end_point[0] + 1, body=_digest(node.child_by_field_name("body")))
            definitions.append(owner)
            prefix = owner.name + "."
        elif kind in _CLASSES and node.is_named:  # not the keyword `class`
            name = node.child_by_field_name("name")
            label = _text(name) if name is not None else _binding(node) or "<class>"
            definitions.append(Definition(KIND_CLASS, prefix + label, node.start_point[0] + 1,
                                          node.end_point[0] + 1, 0))
            prefix = prefix + label + "."
        elif owner is not None and _is_decision(node, kind):
            owner.complexity += 1
        if node.child_count:
            stack.extend((child, prefix, owner) for child in reversed(node.children))


def _digest(body: Any) -> str | None:
    """The same body, wherever it moved and however it was re-indented or re-wrapped, gives the same digest:
    compare() matches a renumbered or moved closure by it (hono pull/4755 moved each method's body into the
    closure its getter returns)."""
    if body is None:
        return None
    return hashlib.blake2b(_BLANKS.sub(b"", body.text), digest_size=8).hexdigest()


def _is_decision(node: Any, kind: str) -> bool:
    if kind in _DECISIONS:
        return True
    if kind in ("binary_expression", "augmented_assignment_expression"):
        operator = node.child_by_field_name("operator")
        return operator is not None and operator.type in _LOGICAL
    return False


def _text(node: Any) -> str:
    text = _SPACES.sub(" ", node.text.decode("utf-8", "replace")).strip()
    return text if len(text) <= _MAX_LABEL else text[:_MAX_LABEL - 1] + "…"


def _function_label(node: Any) -> str:
    name = node.child_by_field_name("name")
    if name is not None:
        label = _text(name)
        if node.type == "method_definition":
            if any(child.type == "set" for child in node.children[:3]):
                label = "set " + label  # the getter keeps the bare name
            owner = _binding(node.parent) if node.parent is not None and node.parent.type == "object" else None
            return f"{owner}.{label}" if owner else label  # `const api = { get() {} }`: api.get
        return label
    return _binding(node) or _call_label(node) or "<closure>"


def _bound_at(node: Any) -> tuple[Any, Any]:
    """(the expression `node` is the value of, its parent): through parentheses, `as`, `!`, `await`."""
    child, parent = node, node.parent
    while parent is not None and parent.type in _WRAPPERS:
        child, parent = parent, parent.parent
    return child, parent


def _binding(node: Any, depth: int = 0) -> str | None:
    """The name a value is bound to, where one is written: `const x =`, `x: ...` in an object literal (prefixed
    by the object's own name), a class field, `this.x =`, `export default`, a JSX attribute (`onClick={...}`)."""
    child, parent = _bound_at(node)
    if parent is None:
        return None
    kind = parent.type
    if kind == "variable_declarator":
        name = parent.child_by_field_name("name")
        return _text(name) if name is not None and name.type == "identifier" else None
    if kind in ("public_field_definition", "field_definition", "property_signature"):
        name = parent.child_by_field_name("name") or parent.child_by_field_name("property")
        return _text(name) if name is not None else None
    if kind == "pair" and parent.child_by_field_name("value") == child:
        key = parent.child_by_field_name("key")
        if key is None:
            return None
        label = _text(key).strip("'\"`")
        owner = _binding(parent.parent, depth + 1) if depth < 3 and parent.parent is not None else None
        return f"{owner}.{label}" if owner else label
    if kind in ("assignment_expression", "augmented_assignment_expression") \
            and parent.child_by_field_name("right") == child:
        left = parent.child_by_field_name("left")
        return _text(left) if left is not None else None
    if kind == "export_statement":
        return "default"
    if kind == "jsx_expression" and parent.parent is not None and parent.parent.type == "jsx_attribute":
        name = parent.parent.named_children[0] if parent.parent.named_child_count else None
        return _text(name) if name is not None else None  # `<ul onClick={() => …}>`: onClick
    if kind == "call_expression" and parent.child_by_field_name("function") == child and depth < 3:
        return _binding(parent, depth + 1)  # `const find = ((o) => {...})(options)`: the function is `find`
    return None


def _call_label(node: Any) -> str | None:
    """`callee("first argument")` for a function handed to a call whose first argument is a string (a route, a
    test's title), else `callee(<closure>)`; None when `node` is not a call's argument."""
    child, parent = _bound_at(node)
    if parent is None or parent.type != "arguments" or parent.parent is None:
        return None
    callee = parent.parent.child_by_field_name("function")
    if callee is None:
        return None
    name = _SPACES.sub("", _text(callee))
    prop = callee.child_by_field_name("property") if callee.type == "member_expression" else None
    if prop is not None and (len(name) > 40 or "(" in name):
        name = _text(prop)  # a chain, `headers.split(',').map(...)`: `map(<closure>)`
    elif prop is None and ("{" in name or "=>" in name):
        name = "<function>"  # a function written in place, a UMD wrapper's `(function (global, factory) {...})(...)`
    first = parent.named_children[0] if parent.named_child_count else None
    if first is not None and first != child and first.type in ("string", "template_string") \
            and "\n" not in _text(first):
        title = _text(first).strip(chr(39) + chr(34) + "`")
        return f'{name}("{title if len(title) <= _MAX_TITLE else title[:_MAX_TITLE - 1] + "…"}")'
    return f"{name}(<closure>)"
