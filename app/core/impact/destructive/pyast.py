"""Python source helpers shared by the detectors: parse within bounds, and read string values statically.

A string built at run time is read as far as the source says: constants, f-strings, `+` concatenation,
`%` and `.format()` are folded, and whatever is not known statically becomes a placeholder
(`{name}` in an f-string becomes `$name` for a shell word, `__expr_name` for SQL), so that
`f"DROP TABLE {name}"` is still a DROP TABLE and `f"/{d}/*"` is still a path that may be `//*`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from app.core.impact.destructive.model import MAX_PYTHON_BYTES, ParseFailure, Work
from app.core.pyparse import parse_python as _parse

Placeholder = Callable[[ast.expr], str]
_MAX_DEPTH = 40  # deeper string expressions than this are not folded (nobody writes them)


def parse_python(text: str, work: Work, tree: ast.Module | None = None) -> ast.Module:
    """The module's AST, or ParseFailure (too large, syntax error, nesting beyond the parser). `tree`:
    `ast.parse(text)`, where the caller parsed it already (the bound and the work count as if parsed here)."""
    if len(text) > MAX_PYTHON_BYTES:
        raise ParseFailure(f"{len(text):,} characters is over the {MAX_PYTHON_BYTES:,} parse bound")
    work.add(len(text))
    if tree is not None:
        return tree
    try:
        return _parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ParseFailure(f"Python does not parse: {exc.__class__.__name__}: {str(exc)[:80]}") from None


def dotted(node: ast.expr) -> str:
    """`a.b.c` for an attribute chain on a name (calls in between are kept as `()`), else ""."""
    parts: list[str] = []
    for _ in range(_MAX_DEPTH):
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts)).replace(".()", "()")
        else:
            return ""
    return ""


def root_name(node: ast.expr) -> str | None:
    for _ in range(_MAX_DEPTH):
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None
    return None


def sql_placeholder(node: ast.expr) -> str:
    name = re.sub(r"\W+", "_", dotted(node) or "expr").strip("_") or "expr"
    return f"__expr_{name}"


def shell_placeholder(node: ast.expr) -> str:
    name = re.sub(r"\W+", "_", dotted(node) or "expr").strip("_") or "expr"
    return f"${{{name}}}"


def _fstring(node: ast.JoinedStr, placeholder: Placeholder, known: dict[str, str] | None) -> str:
    out = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            out.append(value.value)
        elif isinstance(value, ast.FormattedValue):
            inner = value.value
            known_value = known.get(inner.id) if known is not None and isinstance(inner, ast.Name) else None
            out.append(known_value if known_value is not None else placeholder(inner))
    return "".join(out)


def _binop(node: ast.BinOp, placeholder: Placeholder, known: dict[str, str] | None, depth: int) -> str | None:
    """`a + b` (either side a string) and `"... %s" % x`."""
    left = string_value(node.left, placeholder, known, depth + 1)
    if isinstance(node.op, ast.Mod):
        return None if left is None else re.sub(r"%(?:\([^)]*\))?[sdr]", placeholder(node.right), left)
    if not isinstance(node.op, ast.Add):
        return None
    right = string_value(node.right, placeholder, known, depth + 1)
    if left is None and right is None:
        return None
    return (left if left is not None else placeholder(node.left)) + (
        right if right is not None else placeholder(node.right))


def _call(node: ast.Call, placeholder: Placeholder, known: dict[str, str] | None, depth: int) -> str | None:
    """`"...{}".format(x)`, and text()/dedent()/SQL() wrappers around a string."""
    if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = string_value(node.func.value, placeholder, known, depth + 1)
        return None if template is None else re.sub(r"\{[^{}]*\}", placeholder(node), template)
    if node.args and dotted(node.func).split(".")[-1] in ("text", "dedent", "SQL"):
        return string_value(node.args[0], placeholder, known, depth + 1)
    return None


def string_value(
    node: ast.expr | None, placeholder: Placeholder, known: dict[str, str] | None = None, depth: int = 0
) -> str | None:
    """The string an expression evaluates to as far as the source says, or None if it is not a string."""
    if node is None or depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return _fstring(node, placeholder, known)
    if isinstance(node, ast.BinOp):
        return _binop(node, placeholder, known, depth)
    if isinstance(node, ast.Call):
        return _call(node, placeholder, known, depth)
    if isinstance(node, ast.Name) and known is not None:
        return known.get(node.id)
    return None


def string_assignments(nodes: ast.Module | list[ast.AST], placeholder: Placeholder) -> dict[str, str]:
    """Names assigned a statically known string anywhere in the module (the last assignment wins):
    `sql = "DROP TABLE users"` then `op.execute(sql)`."""
    known: dict[str, str] = {}
    for node in ast.walk(nodes) if isinstance(nodes, ast.Module) else nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = string_value(node.value, placeholder, known)
            if value is not None:
                known[node.targets[0].id] = value
    return known
