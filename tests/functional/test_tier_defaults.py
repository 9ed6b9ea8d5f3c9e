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
