"""Parsing Python source (repository content: parsed, never run) safely from several threads at once."""

from __future__ import annotations

import ast
import threading
import warnings

# One parse at a time per process. CPython 3.11 before 3.11.9 raises "SystemError: AST constructor recursion depth
# mismatch" when two threads build ASTs at once (cpython gh-106905): the TUI's analysis worker and a chunk screen's
# span reader did, and the worker died. The GIL serialises most of a parse anyway, so the lock costs little.
# It also keeps two threads from restoring each other's warning filters (warnings.catch_warnings is process-wide).
_LOCK = threading.Lock()


def parse_python(source: str | bytes) -> ast.Module:
    """`ast.parse(source)`, its warnings about the parsed code (invalid escape sequences...) silenced: they are
    about the repository's content, not ours. Raises what ast.parse raises (SyntaxError, ValueError, RecursionError,
    MemoryError)."""
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)
