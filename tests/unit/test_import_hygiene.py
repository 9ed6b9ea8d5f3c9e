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


def test_the_queue_paints_before_the_ledger_needs_sqlite_utils_or_cryptography(make_repo, tmp_path):
    """The queue's first paint reads nothing from an existing ledger: sqlite_utils (the ledger's queries,
    40 ms of imports) and cryptography (record signatures) load after it, when the rows need them."""
    import os

    from app.storage.ledger import Ledger
    from tests.conftest import ALICE

    builder = make_repo()
    builder.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    builder.branch("feature")
    builder.commit("feature", {"a.py": "x = 2\n"}, branch="feature", author=ALICE)
    ledger = tmp_path / "ledger.db"
    Ledger.open(ledger).close()  # created (and migrated) by an earlier run
    code = f"""
import sys
from app.analysis.analyzer import Analyzer
from app.config import UserConfig
from app.storage.ledger import Ledger
from app.tui.app import make_app
from app.tui.screens.queue import QueueScreen

loaded = []

def painted(self):
    loaded.extend(m for m in ("sqlite_utils", "cryptography") if m in sys.modules)
    self.app.exit()

QueueScreen._first_paint_done = painted
app = make_app(Analyzer({str(builder.path)!r}), user_config=UserConfig(reviewer_email="a@example.com"),
               ledger=Ledger.open(__import__("pathlib").Path({str(ledger)!r})))
app.run(headless=True, size=(80, 24))
print("LOADED:" + ",".join(loaded))
"""
    env = {**os.environ, "REVIEW_TUI_CACHE_DIR": str(tmp_path / "cache"), "REVIEW_TUI_CONFIG_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                         timeout=60).stdout
    assert out.strip().splitlines()[-1] == "LOADED:"


def test_the_why_panel_imports_no_destructive_detector():
    """A change screen draws its why panel (tier_rules_hint) from the cached report before its diff is read: importing
    the tier assessment for one string loaded every destructive detector, 0.4 s before a warm plan was on screen."""
    code = ("import sys\nfrom app.report.tables import tier_rules_hint\n"
            "class Tiers:\n    reasons = ['a.py matches no tier rule: default tier 2']\n"
            "class Found:\n    tiers = Tiers()\n    destructive_ops = ()\n"
            "assert tier_rules_hint(Found())\n"
            "print('LOADED:' + ','.join(sorted(m for m in sys.modules if m.startswith('app.core.impact.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = out.strip().splitlines()[-1].removeprefix("LOADED:").split(",")
    assert "app.core.impact.assess" not in loaded and not any(".destructive" in m for m in loaded), loaded
