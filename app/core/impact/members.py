"""What a change to a C#, Java or Ruby file alters that another file can name: its members, read by tree-sitter.

A C# or Java file is one class to the dependency graph (class_names.py): its dependents are the files that name its
type. But a settings class named by half the codebase (bitwarden/server's GlobalSettings.cs, 2,206 of 4,850 files)
is not broken by a property added to it, and a property removed breaks only the files that name that property. So
the change's two versions are compared member by member: a member (method, property, field, event, enum member,
nested type, the type's own header) the change removes or rewrites is named by its word (`SelfHosted`), and the
file's dependents are those of its dependents that write one of these words (Graph.words). An added member breaks
no one (but one added to an interface, or an abstract one, breaks every implementer: the type's name stands for it;
a constructor or initializer is named by the type's name). A member that uses a changed one (a public method calling
a private helper rewritten) changes with it, over and over; a private member is seen only inside its type (unless a
C# type is `partial`), and an override is called through its base type (EF Core calls OnModelCreating): the type's
name stands for it. Where the members cannot be told (a version that does not parse, its namespace or package
changed, a C# operator or indexer, a C# member whose name is no capitalised word, which the graph does not keep for
C#), the answer is None: the whole file, every dependent, as before. Usings and imports are left out: they change
how the file itself reads names, not what it offers; so is a base type or interface added to a type's list (one
taken away changes the type).

Ruby (a class or module a file, class_names.py): its methods by their words, where that is sound (the Ruby section
below); a file's dependents write `.balance`, `balance(` or `:balance`, or run with its objects: a file's words
include those of the files it derives from, mixes in or is mixed into (Graph.names_any, Graph.heirs), and one that
names a method by a value (`public_send(kind)`) may name any; a method that a file the changed one derives from or
mixes in names (a concern calling its includer's method) reaches every dependent (graph._naming).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(rb"[A-Za-z_]\w*")


@dataclass(frozen=True)
class _Grammar:
    module: str  # the tree-sitter grammar's package
    namespaces: frozenset[str]  # declarations whose name other files must write to reach the types
    scopes: frozenset[str]  # nodes whose children are declarations (a block namespace's body)
    types: frozenset[str]
    bodies: frozenset[str]  # a type's body, or a part of it holding members (Java's enum_body_declarations)
    named: frozenset[str]  # members with a `name`
    variables: frozenset[str]  # `int a, b;`: one name a declarator
    of_the_type: frozenset[str]  # named by the type's name: constructors, initializers
    unnamed: frozenset[str]  # members no word names
    code: frozenset[str]  # a member's code, left out of its signature
    capitalised: bool  # the graph keeps only the capitalised words of a file (class_names.csharp_refs)


_CSHARP = _Grammar(
    "tree_sitter_c_sharp",
    namespaces=frozenset({"namespace_declaration", "file_scoped_namespace_declaration"}),
    scopes=frozenset({"declaration_list"}),
    types=frozenset({"class_declaration", "struct_declaration", "interface_declaration", "record_declaration",
                     "record_struct_declaration", "enum_declaration"}),
    bodies=frozenset({"declaration_list", "enum_member_declaration_list"}),
    named=frozenset({"method_declaration", "property_declaration", "event_declaration", "delegate_declaration",
                     "enum_member_declaration"}),
    variables=frozenset({"field_declaration", "event_field_declaration"}),
    of_the_type=frozenset({"constructor_declaration", "destructor_declaration"}),
    unnamed=frozenset({"operator_declaration", "conversion_operator_declaration", "indexer_declaration"}),
    code=frozenset({"block", "arrow_expression_clause"}),
    capitalised=True,
)
_JAVA = _Grammar(
    "tree_sitter_java",
    namespaces=frozenset({"package_declaration"}),
    scopes=frozenset(),
    types=frozenset({"class_declaration", "interface_declaration", "enum_declaration", "record_declaration",
                     "annotation_type_declaration"}),
    bodies=frozenset({"class_body", "interface_body", "enum_body", "enum_body_declarations", "annotation_type_body"}),
    named=frozenset({"method_declaration", "annotation_type_element_declaration", "enum_constant"}),
    variables=frozenset({"field_declaration", "constant_declaration"}),
    of_the_type=frozenset({"constructor_declaration", "compact_constructor_declaration", "static_initializer",
                           "block"}),
    unnamed=frozenset(),
    code=frozenset({"block", "constructor_body"}),
    capitalised=False,
)
_ACCESS = frozenset({"public", "protected", "internal", "private"})
_BASES = frozenset({"base_list", "superclass", "super_interfaces", "extends_interfaces"})  # what a type derives from
_parsers: dict[str, Any] = {}


def _parse(module: str, data: bytes) -> Any:
    """`data` parsed by the tree-sitter grammar of this package (`tree_sitter_java`)."""
    parser = _parsers.get(module)
    if parser is None:
        import importlib

        import tree_sitter

        language = importlib.import_module(module).language()
        parser = _parsers[module] = tree_sitter.Parser(tree_sitter.Language(language))
    return parser.parse(data)


class _Unknown(Exception):
    """A member whose dependents the graph cannot tell apart from the type's."""


def _modifiers(node: Any) -> set[str]:
    """A declaration's modifier keywords: C#'s `modifier` children, Java's `modifiers` node's keywords."""
    found = set()
    for child in node.children:
        if child.type == "modifier":
            found.add(child.text.decode())
        elif child.type == "modifiers":
            found.update(keyword.type if not keyword.is_named else keyword.text.decode()
                         for keyword in child.children if not keyword.is_named or keyword.type == "marker_annotation")
    return found


def _text(data: bytes, start: int, end: int) -> bytes:
    return b" ".join(data[start:end].split())


class _Members:
    """Every member of one version: (enclosing types, name) -> its declarations' (signature, whole text)."""

    def __init__(self, grammar: _Grammar, data: bytes) -> None:
        tree = _parse(grammar.module, data)
        if tree.root_node.has_error:
            raise _Unknown("does not parse")
        self.grammar, self.data = grammar, data
        self.namespaces: list[bytes] = []
        self.members: dict[tuple[str, str], list[tuple[bytes, bytes]]] = {}
        self.abstract: dict[tuple[str, str], bool] = {}  # one an implementer must write (an interface's, abstract)
        self.bases: dict[tuple[str, str], set[bytes]] = {}  # a type's base types and interfaces
        self.private: set[tuple[str, str]] = set()  # seen only inside its type: no other file names it
        self.overriding: set[tuple[str, str]] = set()  # reached through its base type's member, by its callers
        self.uses: dict[tuple[str, str], set[bytes]] = {}  # the words a member's declarations write
        self._scope(tree.root_node, "")

    def _scope(self, node: Any, owner: str) -> None:
        grammar = self.grammar
        for child in node.children:
            if child.type in grammar.namespaces:
                name = child.child_by_field_name("name")
                self.namespaces.append(_text(self.data, child.start_byte, child.end_byte) if name is None
                                       else name.text)
                body = child.child_by_field_name("body")
                self._scope(body if body is not None else child, owner)
            elif child.type in grammar.types:
                self._type(child, owner)
            elif child.type in grammar.scopes:
                self._scope(child, owner)
            elif child.type == "delegate_declaration":  # C#: a namespace's delegate type
                self._member(child, owner, "", interface=False, partial=False)

    def _add(self, owner: str, name: str, node: Any, must_write: bool) -> None:
        key = (owner, name)
        self.uses.setdefault(key, set()).update(_WORD.findall(self.data, node.start_byte, node.end_byte))
        cuts = [(c.start_byte, c.end_byte) for c in node.children if c.type in self.grammar.code]
        signature, last = b"", node.start_byte
        for start, end in cuts:  # the declaration without its code: what a caller is compiled against
            signature, last = signature + self.data[last:start], end
        signature = b" ".join((signature + self.data[last:node.end_byte]).split())
        self.members.setdefault(key, []).append((signature, _text(self.data, node.start_byte, node.end_byte)))
        self.abstract[key] = self.abstract.get(key, False) or must_write

    def _type(self, node: Any, owner: str) -> None:
        name = node.child_by_field_name("name").text.decode()
        body = node.child_by_field_name("body")
        end = body.start_byte if body is not None else node.end_byte
        # the header without what the type derives from: one more interface implemented breaks no one, one less may
        bases = [child for child in node.children if child.type in _BASES]
        header, last = b"", node.start_byte
        for base in bases:
            header, last = header + self.data[last:base.start_byte], base.end_byte
        self.members.setdefault((owner, name), []).append((b" ".join((header + self.data[last:end]).split()), b""))
        self.bases[(owner, name)] = {_text(self.data, named.start_byte, named.end_byte) for base in bases
                                     for named in _named_leaves(base)}
        if body is not None:
            self._body(body, f"{owner}.{name}" if owner else name, name, interface=node.type.startswith(
                ("interface", "annotation")), partial="partial" in _modifiers(node))

    def _body(self, body: Any, owner: str, type_name: str, *, interface: bool, partial: bool) -> None:
        grammar = self.grammar
        for member in body.children:
            if member.type in grammar.types:
                self._type(member, owner)
            elif member.type in grammar.unnamed:
                raise _Unknown(member.type)
            elif member.type in grammar.bodies:
                self._body(member, owner, type_name, interface=interface, partial=partial)
            elif member.type in grammar.named | grammar.variables | grammar.of_the_type:
                self._member(member, owner, type_name, interface=interface, partial=partial)

    def _member(self, node: Any, owner: str, type_name: str, *, interface: bool, partial: bool) -> None:
        grammar, modifiers = self.grammar, _modifiers(node)
        private = "private" in modifiers and "protected" not in modifiers
        if grammar.capitalised and not (interface or node.type == "enum_member_declaration" or modifiers & _ACCESS):
            private = True  # C#: a class's member is private unless it says otherwise (Java's: its package's)
        coded = any(c.type in grammar.code for c in node.children)
        must_write = "abstract" in modifiers or (interface and not coded and node.type in grammar.named)
        if node.type in grammar.of_the_type:
            names = [type_name]
        elif node.type in grammar.variables:
            names = [d.child_by_field_name("name").text.decode() for d in self._declarators(node)]
        else:
            names = [node.child_by_field_name("name").text.decode()]
        for name in names:
            self._add(owner, name, node, must_write)
            if private and not partial and node.type not in grammar.of_the_type:
                self.private.add((owner, name))
            if "override" in modifiers or "@Override" in modifiers:
                self.overriding.add((owner, name))

    @staticmethod
    def _declarators(node: Any) -> list[Any]:
        """A field's variable declarators (C# holds them in a `variable_declaration`, Java right in the field)."""
        holder = next((c for c in node.children if c.type == "variable_declaration"), node)
        found = [d for d in holder.children if d.type == "variable_declarator"]
        if not found:
            raise _Unknown(node.type)
        return found


def _named_leaves(node: Any) -> list[Any]:
    """The types a base clause lists: `: A, IB<C>` -> A, IB<C>; Java's `implements A, B` -> A, B."""
    out = []
    for child in node.named_children:
        out.extend(_named_leaves(child) if child.type == "type_list" else [child])
    return out


def _reaching(changed: set[tuple[str, str]], before: _Members, after: _Members) -> set[tuple[str, str]]:
    """The changed members and those of the file that use them, over and over: a private helper rewritten changes
    the public method that calls it, whose callers name only that method."""
    reached, names = set(changed), {key[1].encode() for key in changed}
    keys = set(before.members)  # a member the change adds: no other file names it yet
    while True:
        more = {key for key in keys - reached
                if not names.isdisjoint(after.uses.get(key) or before.uses.get(key) or ())}
        if not more:
            return reached
        reached |= more
        names |= {key[1].encode() for key in more}


def _outside(reached: set[tuple[str, str]], before: _Members, after: _Members) -> set[str]:
    """The words other files name these members by: none for a private one, the type's for an override."""
    words = set()
    for key in reached:
        if (key not in before.members or key in before.private) and (key not in after.members or key in after.private):
            continue
        words.add(key[0].rsplit(".", 1)[-1] if key in before.overriding | after.overriding and key[0] else key[1])
    return words


def altered_members(path: str, base: bytes, head: bytes) -> set[str] | None:
    """The words of the members the change of a C#, Java or Ruby file from `base` to `head` removes or rewrites (the
    module doc), with the type's name for a member added that implementers must write; None where they cannot be
    told."""
    if path.endswith(".rb"):
        try:
            return _ruby_altered(base, head)
        except (_Unknown, RecursionError, AttributeError, UnicodeDecodeError):
            return None
    grammar = _CSHARP if path.endswith(".cs") else _JAVA if path.endswith(".java") else None
    if grammar is None:
        return None
    try:
        before, after = _Members(grammar, base), _Members(grammar, head)
    except (_Unknown, RecursionError, AttributeError, UnicodeDecodeError):
        return None
    if before.namespaces != after.namespaces:
        return None
    changed = {key for key, declarations in before.members.items()
               if sorted(after.members.get(key, ())) != sorted(declarations)}  # overloads in any order
    words = _outside(_reaching(changed, before, after), before, after)
    for key, bases in before.bases.items():
        if bases - after.bases.get(key, set()):
            words.add(key[1])
    for key in after.members.keys() - before.members.keys():
        if after.abstract.get(key):
            words.add(key[0].rsplit(".", 1)[-1])
    if grammar.capitalised and any(not word[:1].isupper() for word in words):
        return None  # the graph keeps a C# file's capitalised words only (class_names.csharp_refs)
    return words


# -- Ruby ----------------------------------------------------------------------------------------------------------
# Ruby has no member declarations a compiler checks: a class's callers name its methods (`.balance`, `balance(`,
# `:balance` in `send`, `delegate`, a form's field), so a method's word is all a dependent can name it by. What makes
# that unsound falls back to the whole file (None): a class-level statement changed or using a changed method
# (`has_many`, `validates`, `before_action :set_x`, `scope`, `delegate`, `alias_method`, `define_method`, `included
# do`, a constant), and a method the language or Rails calls without its name being written (`initialize` through
# `new`, `to_s` through interpolation, `perform` through `perform_later`, `method_missing`, an operator).
_RUBY_WORD = re.compile(rb"@{0,2}[A-Za-z_]\w*(?:[?!](?!=))?")
_RUBY_VISIBILITY = frozenset({b"private", b"protected", b"public"})
_RUBY_ATTRIBUTES = frozenset({b"attr_reader", b"attr_writer", b"attr_accessor"})
_RUBY_CALLED_UNNAMED = frozenset({  # called by Ruby or Rails, not by a name a dependent writes
    "initialize", "initialize_copy", "method_missing", "respond_to_missing?", "respond_to?", "to_s", "to_str",
    "inspect", "to_param", "to_partial_path", "to_model", "to_key", "as_json", "to_json", "serializable_hash", "to_h",
    "to_hash", "to_a", "to_ary", "to_proc", "each", "eql?", "hash", "call", "coerce", "included", "extended",
    "inherited", "prepended", "const_missing", "method_added", "perform", "view_template", "template", "render?",
    "before_render"})
HEIR = "<"  # a Ruby file's word `<syncer`: it subclasses, includes, extends or prepends a constant ending `Syncer`


def heir_word(constant: str) -> str:
    """The word a file writes by deriving from or mixing in a constant (`Account::Syncer` -> `<syncer`): it has every
    method of the constant's file, named or not."""
    return HEIR + constant.rsplit("::", 1)[-1].replace("_", "").lower()


def _code(node: Any) -> bytes:
    """A node's tokens without comments or layout: what runs."""
    if node.type == "comment":
        return b""
    if not node.children:
        return bytes(node.text)
    return b" ".join(part for part in (_code(child) for child in node.children) if part)


class _RubyMembers:
    """One version of a Ruby file: its methods by (owner, name) and its other statements (the Ruby comment above)."""

    def __init__(self, data: bytes) -> None:
        tree = _parse("tree_sitter_ruby", data)
        if tree.root_node.has_error:
            raise _Unknown("does not parse")
        self.methods: dict[tuple[str, str], list[bytes]] = {}  # (owner, `name` or `self.name`) -> (visibility, code)
        self.private: set[tuple[str, str]] = set()
        self.uses: dict[tuple[str, str], set[bytes]] = {}  # the words and instance variables a method writes
        self.statements: list[bytes] = []  # every other statement, with its owner
        self.statement_uses: set[bytes] = set()
        self.owners: set[str] = set()
        self._body(tree.root_node, "", singleton=False)

    def _body(self, body: Any, owner: str, *, singleton: bool) -> None:
        visibility = b"public"
        for node in body.named_children:
            if node.type == "comment":
                continue
            if node.type == "identifier" and node.text in _RUBY_VISIBILITY:
                visibility = bytes(node.text)
            elif node.type in ("method", "singleton_method"):
                self._method(node, owner, visibility, singleton=singleton)
            elif node.type == "call" and self._wrapped(node, owner, visibility, singleton=singleton):
                continue
            elif node.type in ("class", "module"):
                name = node.child_by_field_name("name")
                inner = f"{owner}::{name.text.decode()}" if owner else name.text.decode()
                self.owners.add(inner)
                self._statement(owner, node, header=True)
                if (inner_body := node.child_by_field_name("body")) is not None:
                    self._body(inner_body, inner, singleton=False)
            elif node.type == "singleton_class":  # `class << self`
                self._statement(owner, node, header=True)
                if (inner_body := node.child_by_field_name("body")) is not None:
                    self._body(inner_body, owner, singleton=True)
            else:
                self._statement(owner, node)

    def _wrapped(self, call: Any, owner: str, visibility: bytes, *, singleton: bool) -> bool:
        """Read `private def x`, `attr_reader :a, :b` as methods; False for any other call (a statement)."""
        method, arguments = call.child_by_field_name("method"), call.child_by_field_name("arguments")
        if call.child_by_field_name("receiver") is not None or method is None or arguments is None:
            return False
        values = arguments.named_children
        if method.text in _RUBY_VISIBILITY and len(values) == 1 and values[0].type in ("method", "singleton_method"):
            self._method(values[0], owner, bytes(method.text), singleton=singleton)
            return True
        if method.text in _RUBY_ATTRIBUTES and values and all(v.type == "simple_symbol" for v in values):
            for value in values:
                name = value.text.decode().lstrip(":")
                key = (owner, f"self.{name}" if singleton else name)
                self.methods.setdefault(key, []).append(visibility + b" " + bytes(method.text))
                self.uses.setdefault(key, set()).update({name.encode(), b"@" + name.encode()})
                if visibility != b"public" and not singleton:
                    self.private.add(key)
            return True
        return False

    def _method(self, node: Any, owner: str, visibility: bytes, *, singleton: bool) -> None:
        name = node.child_by_field_name("name")
        if name is None:
            raise _Unknown("a method without a name")
        word = name.text.decode().rstrip("=") if name.type == "setter" else name.text.decode()
        own = singleton or node.type == "singleton_method"  # a class method: `private` does not hide it
        key = (owner, f"self.{word}" if own else word)
        self.methods.setdefault(key, []).append(b"public " + _code(node) if own else visibility + b" " + _code(node))
        self.uses.setdefault(key, set()).update(_RUBY_WORD.findall(bytes(node.text)))
        if visibility != b"public" and not own:
            self.private.add(key)

    def _statement(self, owner: str, node: Any, *, header: bool = False) -> None:
        """A statement not a method: a class's header (its name and superclass, not its body), a DSL call, a
        constant, code at the top level."""
        body = node.child_by_field_name("body") if header else None
        text = bytes(node.text)[:body.start_byte - node.start_byte] if body is not None else bytes(node.text)
        code = b" ".join(text.split()) if body is not None else _code(node)
        self.statements.append(owner.encode() + b" " + code)
        self.statement_uses.update(_RUBY_WORD.findall(text))


def _method_word(key: tuple[str, str]) -> str:
    return key[1].removeprefix("self.")


def _ruby_altered(base: bytes, head: bytes) -> set[str] | None:
    """The words of the methods a change of a Ruby file removes, rewrites or adds (an added one may override an
    inherited method its callers already call), and the methods that use them, over and over; None where a
    statement other than a method changes or uses one, or a changed method is called unnamed (the comment above)."""
    before, after = _RubyMembers(base), _RubyMembers(head)
    if sorted(before.statements) != sorted(after.statements):
        return None
    keys = before.methods.keys() | after.methods.keys()
    reached = {key for key in keys if sorted(before.methods.get(key, ())) != sorted(after.methods.get(key, ()))}
    if not reached:
        return set()
    names: set[bytes] = set()
    while True:
        for key in reached:  # a changed method's name, and the instance variables it writes or reads
            names.add(_method_word(key).encode())
            names.update(word for word in before.uses.get(key, set()) | after.uses.get(key, set())
                         if word.startswith(b"@"))
        more = {key for key in keys - reached
                if not names.isdisjoint(after.uses.get(key, set()) | before.uses.get(key, set()))}
        if not more:
            break
        reached |= more
    if not names.isdisjoint(before.statement_uses | after.statement_uses):
        return None  # `before_action :set_account`, `validates :name`, `delegate ... to: :account`
    words = set()
    for key in reached:
        word = _method_word(key)
        if word in _RUBY_CALLED_UNNAMED or not _RUBY_WORD.fullmatch(word.encode()):
            return None
        if any(key in version.methods and key not in version.private for version in (before, after)):
            words.add(word)
    # a subclass or includer has the methods, private ones too, without naming them; its callers name its constant
    words.update(heir_word(owner) for owner in before.owners | after.owners)
    return words
