"""Shared fixtures: hermetic user dirs, real repositories built with the sample RepoBuilder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from app.samples import load

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("dev", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# Nightly: HYPOTHESIS_PROFILE=nightly pytest  (hundreds of examples per property)
settings.register_profile("nightly", max_examples=600, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

SAMPLES = load()


@pytest.fixture(autouse=True)
def hermetic_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own ledger, cache and config dirs: nothing touches the real user's files."""
    root = tmp_path_factory.mktemp("user")
    for name in ("DATA", "CONFIG", "CACHE"):
        monkeypatch.setenv(f"REVIEW_TUI_{name}_DIR", str(root / name.lower()))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("REVIEW_TUI_NO_CACHE", raising=False)
    return root


@pytest.fixture
def samples():
    return SAMPLES


@pytest.fixture
def make_repo(tmp_path):
    """make_repo(name='r', **kw) -> RepoBuilder on a fresh directory."""
    counter = {"n": 0}

    def factory(name: str | None = None, **kwargs):
        counter["n"] += 1
        return SAMPLES.RepoBuilder(tmp_path / (name or f"repo{counter['n']}"), **kwargs)

    return factory


ALICE = SAMPLES.Person("Alice Example", "alice@example.com")
BOB = SAMPLES.Person("Bob Example", "bob@example.com")


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory) -> Path:
    """The bundled sample repos, built once per test session (tests must not modify them)."""
    dest = tmp_path_factory.mktemp("samples")
    SAMPLES.build_all(dest)
    return dest


@pytest.fixture(scope="session")
def payments_repo(sample_root) -> Path:
    return sample_root / "payments-service"


@pytest.fixture
def later_base_repo(make_repo) -> Path:
    """Changes diffed from a later commit than git's merge base with main (QA53 #4: OpenHands' pull/10925 made on
    release line v1, pull/10889 stacked on pull/7876), all remote refs as a pull request's are: origin/on-v1, made
    on release line v1 (+1/-1, where against main it would carry v1's 500 lines), origin/upper, stacked on
    origin/lower (+7/-0 of its own), and origin/lower itself (+120/-0, from git's merge base)."""
    b = make_repo("lines")
    b.commit("init", {"app.py": "def f():\n    return 1\n"}, author=ALICE)
    b.branch("v1")
    b.commit("v1: vendor the old client", {"old.py": "x = 1\n" * 300, "uv.lock": "lock = 1\n" * 200},
             branch="v1", author=ALICE)
    b.commit("main moves on", {"main.py": "m = 1\n"}, author=ALICE)
    b.branch("on-v1", from_branch="v1")
    b.commit("Fix f on v1", {"app.py": "def f():\n    return 2\n"}, branch="on-v1", author=ALICE)
    b.branch("lower")
    b.commit("Lower: a big feature", {"big.py": "y = 2\n" * 120}, branch="lower", author=ALICE)
    b.branch("upper", from_branch="lower")
    b.commit("Upper: on top of lower", {"top.py": "z = 3\n" * 7}, branch="upper", author=ALICE)
    for name in ("v1", "on-v1", "lower", "upper"):
        b.set_ref(f"refs/remotes/origin/{name}", b.head(name))
        b.repo.references.delete(f"refs/heads/{name}")
    b.checkout()
    return b.path
