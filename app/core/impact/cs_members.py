"""What a change to a C# file alters that another file can name: its members, read by tree-sitter-c-sharp.

A C# file is one class to the dependency graph (class_names.py): its dependents are the files that name its type.
But a settings class named by half the codebase (bitwarden/server's GlobalSettings.cs, 2,206 of 4,850 files) is not
broken by a property added to it, and a property removed breaks only the files that name that property. So the
change's two versions are compared member by member: a member (method, property, field, event, enum member,
nested type, the type's own header) the change removes or rewrites is named by its word (`SelfHosted`), and the
file's dependents are those of its dependents that write one of these words. An added member breaks no one (but one
added to an interface, or an abstract one, breaks every implementer: the type's name stands for it). A private
member is seen only inside its type (unless the type is `partial`). Where the members cannot be told (a version
that does not parse, a namespace changed, an operator or indexer, a member whose name is no capitalised word, which
the graph does not keep), the answer is None: the whole file, every dependent, as before.
"""

from __future__ import annotations

from typing import Any

_TYPES = frozenset({"class_declaration", "struct_declaration", "interface_declaration", "record_declaration",
                    "record_struct_declaration", "enum_declaration"})
_NAMESPACES = frozenset({"namespace_declaration", "file_scoped_namespace_declaration"})
_NAMED = frozenset({"method_declaration", "property_declaration", "event_declaration", "delegate_declaration",
                    "enum_member_declaration"})
_VARIABLES = frozenset({"field_declaration", "event_field_declaration"})  # `int a, b;`: one name a declarator
_OF_THE_TYPE = frozenset({"constructor_declaration", "destructor_declaration"})  # named by the type's name
_UNNAMED = frozenset({"operator_declaration", "conversion_operator_declaration", "indexer_declaration"})
_BODIES = frozenset({"block", "arrow_expression_clause"})
_ACCESS = frozenset({"public", "protected", "internal", "private"})

_parser: Any = None


def _parse(data: bytes) -> Any:
    global _parser
    if _parser is None:
        import tree_sitter
        import tree_sitter_c_sharp

        _parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_c_sharp.language()))
    return _parser.parse(data)


class _Unknown(Exception):
    """A member whose dependents the graph cannot tell apart from the type's."""


def _modifiers(node: Any) -> set[str]:
    return {child.text.decode() for child in node.children if child.type == "modifier"}


def _signature(node: Any, data: bytes) -> bytes:
    """The declaration without its body (a method's block or `=> expression`): what a caller is compiled against."""
    cuts = [(child.start_byte, child.end_byte) for child in node.children if child.type in _BODIES]
    text, last = b"", node.start_byte
    for start, end in cuts:
        text, last = text + data[last:start], end
    return b" ".join((text + data[last:node.end_byte]).split())


class _Members:
    """Every member of one version: (enclosing types, name) -> its declarations' (signature, whole text)."""

    def __init__(self, data: bytes) -> None:
        tree = _parse(data)
        if tree.root_node.has_error:
            raise _Unknown("does not parse")
        self.data = data
        self.namespaces: list[str] = []
        self.members: dict[tuple[str, str], list[tuple[bytes, bytes]]] = {}
        self.abstract: dict[tuple[str, str], bool] = {}  # one an implementer must write (an interface's, abstract)
        self._scope(tree.root_node, "")

    def _scope(self, node: Any, owner: str) -> None:
        for child in node.children:
            if child.type in _NAMESPACES:
                name = child.child_by_field_name("name")
                self.namespaces.append(name.text.decode() if name is not None else "")
                self._scope(child.child_by_field_name("body") or child, owner)
            elif child.type in _TYPES:
                self._type(child, owner)
            elif child.type == "declaration_list":
                self._scope(child, owner)
            elif child.type == "delegate_declaration":
                self._member(child, owner, "", interface=False, partial=False)

    def _add(self, owner: str, name: str, node: Any, must_write: bool) -> None:
        key = (owner, name)
        text = b" ".join(self.data[node.start_byte:node.end_byte].split())
        self.members.setdefault(key, []).append((_signature(node, self.data), text))
        self.abstract[key] = self.abstract.get(key, False) or must_write

    def _type(self, node: Any, owner: str) -> None:
        name = node.child_by_field_name("name").text.decode()
        body = node.child_by_field_name("body")
        header = self.data[node.start_byte:body.start_byte if body is not None else node.end_byte]
        self.members.setdefault((owner, name), []).append((b" ".join(header.split()), b""))
        if body is None:
            return
        inner = f"{owner}.{name}" if owner else name
        interface = node.type == "interface_declaration"
        partial = "partial" in _modifiers(node)
        for member in body.children:
            if member.type in _TYPES:
                self._type(member, inner)
            elif member.type in _UNNAMED:
                raise _Unknown(member.type)
            elif member.type in _NAMED | _VARIABLES | _OF_THE_TYPE:
                self._member(member, inner, name, interface=interface, partial=partial)

    def _member(self, node: Any, owner: str, type_name: str, *, interface: bool, partial: bool) -> None:
        modifiers = _modifiers(node)
        private = ("private" in modifiers and "protected" not in modifiers) or not (
            interface or node.type == "enum_member_declaration" or modifiers & _ACCESS)
        if private and not partial and node.type not in _OF_THE_TYPE:
            return  # seen only inside its type, in this file
        must_write = "abstract" in modifiers or (interface and not any(c.type in _BODIES for c in node.children))
        if node.type in _OF_THE_TYPE:
            names = [type_name]
        elif node.type in _VARIABLES:
            declaration = next((c for c in node.children if c.type == "variable_declaration"), None)
            if declaration is None:
                raise _Unknown(node.type)
            names = [d.child_by_field_name("name").text.decode() for d in declaration.children
                     if d.type == "variable_declarator"]
        else:
            names = [node.child_by_field_name("name").text.decode()]
        for name in names:
            self._add(owner, name, node, must_write)


def altered_members(base: bytes, head: bytes) -> set[str] | None:
    """The words of the members the change from `base` to `head` removes or rewrites (the module doc), with the
    type's name for a member added that implementers must write; None where they cannot be told."""
    try:
        before, after = _Members(base), _Members(head)
    except (_Unknown, RecursionError, AttributeError, UnicodeDecodeError):
        return None
    if before.namespaces != after.namespaces:
        return None
    words: set[str] = set()
    for key, declarations in before.members.items():
        if sorted(after.members.get(key, ())) != sorted(declarations):  # overloads in any order
            words.add(key[1])
    for key in after.members.keys() - before.members.keys():
        if after.abstract.get(key):
            words.add(key[0].rsplit(".", 1)[-1])
    if any(not word[:1].isupper() for word in words):
        return None  # the graph keeps a file's capitalised words only (class_names.csharp_refs)
    return words
