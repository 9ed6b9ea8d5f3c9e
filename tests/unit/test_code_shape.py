"""The shape of the code in app/ (issue 11): no function longer than 80 lines and none that radon
grades E or F (cyclomatic complexity above 30). Big functions are where bugs hide and reviews go
shallow; this keeps the house from growing them back."""

from __future__ import annotations

import ast
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

APP = Path(__file__).resolve().parents[2] / "app"
MAX_LINES = 80


def _sources() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_no_function_is_longer_than_80_lines() -> None:
    long: list[str] = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    long.append(f"{path.relative_to(APP.parent)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []


def test_no_function_is_graded_e_or_f_by_radon() -> None:
    complex_ = [f"{path.relative_to(APP.parent)}:{block.lineno} {block.fullname} "
                f"({cc_rank(block.complexity)}, {block.complexity})"
                for path in _sources() for block in cc_visit(path.read_text(encoding="utf-8"))
                if cc_rank(block.complexity) in ("E", "F")]
    assert complex_ == []


def test_python_is_parsed_only_through_the_locked_parser() -> None:
    """Two threads building ASTs at once can raise "SystemError: AST constructor recursion depth mismatch" on
    CPython 3.11 before 3.11.9 (gh-106905; seen once in this suite): every parse of repository code goes
    through app.core.pyparse, which takes one lock."""
    direct = [f"{path.relative_to(APP.parent)}:{node.lineno}" for path in _sources() if path.name != "pyparse.py"
              for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "parse"
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "ast"]
    assert direct == []
