"""How the tests start review-tui in a subprocess: ``CLI + [args]``.

``python -m app`` puts the current directory first on ``sys.path``, so run from a directory that
holds its own ``app.py`` or ``app/`` (a repository under review may) it would run that code instead
of review-tui. ``-P`` (Python 3.11+) leaves the current directory off ``sys.path``: the tests import
the installed review-tui wherever they run, as the ``review-tui`` console script does.
"""

from __future__ import annotations

import sys

CLI: list[str] = [sys.executable, "-P", "-m", "app"]
"""The command line that runs review-tui's CLI with this interpreter."""

INTERPRETER_ARGS: list[str] = CLI[1:]
"""The same without the interpreter (for helpers that add ``sys.executable`` themselves)."""
