"""Tier defaults on a real repository (issue 12): examples and tests under a critical path are not the critical
code, `crypto/` algorithms are not tier 0, globs ignore case, and the repository's own rules still win."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE


def _listed(path) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {item["id"]: item for item in json.loads(result.stdout)}


def _repo(make_repo, policy: str | None):
    repo = make_repo()
    files = {"README.md": "demo\n", "src/app.py": "x = 1\n"}
    if policy is not None:
        files[".review-tui.toml"] = policy
    repo.commit("init", files, author=ALICE)
    for branch, path in [("feature/auth-example", "examples/auth/login.py"),
                         ("feature/auth-tests", "src/auth/tests/test_login.py"),
                         ("feature/crypto-maths", "src/crypto/modular.py"),
                         ("feature/auth-mixed-case", "src/Auth/Login.py")]:
        repo.branch(branch, "main")
        repo.commit(f"add {path}", {path: "def f(a, b):\n    return a + b\n"}, branch=branch, author=ALICE)
    return repo


def test_default_tiers_of_examples_tests_crypto_and_mixed_case_paths(make_repo) -> None:
    listed = _listed(_repo(make_repo, None).path)
    assert listed["feature/auth-example"]["tier"] == 3
    assert listed["feature/auth-tests"]["tier"] == 3
    assert listed["feature/crypto-maths"]["tier"] == 1
    assert listed["feature/auth-mixed-case"]["tier"] == 0
    reasons = " ".join(listed["feature/auth-example"]["tier_reasons"])
    assert "a test, doc or example of tier-0 code ('**/auth/**')" in reasons


def test_the_repositorys_own_rules_still_decide_and_ignore_case(make_repo) -> None:
    policy = ('[[tiers.rules]]\nglob = "Examples/**"\ntier = 0\nreason = "the demo runs in production"\n'
              '[[tiers.rules]]\nglob = "**/crypto/**"\ntier = 0\nreason = "key management"\n')
    listed = _listed(_repo(make_repo, policy).path)
    assert listed["feature/auth-example"]["tier"] == 0
    assert listed["feature/crypto-maths"]["tier"] == 0
    assert "the demo runs in production" in " ".join(listed["feature/auth-example"]["tier_reasons"])
    assert "a test, doc or example" not in " ".join(listed["feature/auth-example"]["tier_reasons"])


def test_a_committed_virtual_environment_is_collapsed_low_tier_and_not_scanned(make_repo) -> None:
    """QA46 (DRF pull/9737): a pull request committing its venv/ was 5,885 chunks and a 2,831-hour floor,
    tier 0 from Django's own contrib/auth and critical for two of Django's own DROP statements. Other
    projects' installed packages are collapsed, tier 3, and never scanned for destructive operations;
    the repository's own code beside them is read as before."""
    repo = make_repo()
    repo.commit("init", {"README.md": "demo\n", "src/app.py": "x = 1\n"}, author=ALICE)
    repo.branch("feature/venv", "main")
    site = "venv/lib/python3.11/site-packages"
    drop = "def flush(cursor):\n    cursor.execute('DROP TABLE django_session')\n"
    repo.commit("oops, my venv", {
        "venv/pyvenv.cfg": "home = /usr/bin\n",
        f"{site}/django/contrib/auth/models.py": "".join(f"def f{i}(x):\n    if x:\n        return {i}\n"
                                                         f"    return 0\n\n\n" for i in range(60)) + drop,
        f"{site}/django/db/backends/flush.py": drop,
        f"{site}/_cffi_backend.so": "\x00\x01ELF binary\x00",
        "src/app.py": "x = 2\n",
    }, author=ALICE, branch="feature/venv")
    item = _listed(repo.path)["feature/venv"]
    assert item["tier"] == 2 and item["destructive_ops"] == [] and item["complexity_added"] == 0, item
    plan = CliRunner().invoke(cli, ["chunks", "feature/venv", "--repo", str(repo.path), "--json"],
                              catch_exceptions=False)
    chunks = json.loads(plan.stdout)["chunks"]
    # the whole environment is one chunk, one skim: its binary too (6,765 files were 4,499 chunks, 49 hours)
    [venv] = [c for c in chunks if any(f.startswith("venv/") for f in c["files"])]
    assert venv["kind"] == "collapsed" and len(venv["files"]) == 4 and venv["floor_seconds"] == 30
    assert venv["title"] == "Virtual environment: venv/ (4 files)"
    assert [c["files"] for c in chunks if c["kind"] == "code"] == [["src/app.py"]]
