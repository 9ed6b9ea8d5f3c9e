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
