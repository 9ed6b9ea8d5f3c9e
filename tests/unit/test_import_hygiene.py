"""Layering rules as tests: the analysis core and storage never pull in the TUI or rich, and the
CLI's --help stays instant because heavy modules are imported lazily."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys, pkgutil, importlib
import app.core, app.storage
for pkg in (app.core, app.storage):
    for mod in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(mod.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich") or m.startswith("app.tui"))
print(",".join(bad))
"""


def test_core_and_storage_do_not_import_textual_or_rich():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_core_imports_pygit2_only_through_repo():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "app"
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "import pygit2" in p.read_text() and p.name != "repo.py"]
    assert offenders == []


def test_help_does_not_import_the_tui_or_the_analysis():
    code = ("import sys; from app.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = ('textual', 'pygit2', 'radon')\n"
            "print('LOADED:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "LOADED:"
