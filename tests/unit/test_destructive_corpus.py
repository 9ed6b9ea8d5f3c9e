"""The destructive-operation corpus (sample_repos/destructive_corpus.py) against the parsing detectors.

Every case is a real two-commit branch in one repository built once for the module. A destructive case
missed, or reported without naming what it destroys, fails; a benign look-alike reported fails.
"""

from __future__ import annotations

import importlib

import pytest

from app.core.git.repo import GitRepo
from app.core.impact.destructive.scan import blob_reader, scan_change
from app.samples import load

load()
corpus = importlib.import_module("review_tui_sample_repos.destructive_corpus")


@pytest.fixture(scope="module")
def corpus_repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus") / "repo"
    _, ids = corpus.build(root)
    return GitRepo(root), ids


def _scan(corpus_repo, name):
    repo, ids = corpus_repo
    base, head = ids[name]
    files = repo.diff(base, head)
    return files, scan_change(files, blob_reader(repo.blob))


@pytest.mark.parametrize("case", [c for c in corpus.CASES if c.destructive], ids=lambda c: c.name)
def test_destructive_case_is_reported_with_what_and_where(corpus_repo, case) -> None:
    files, result = _scan(corpus_repo, case.name)
    assert result.findings, f"{case.name}: missed"
    assert not result.notes, result.notes  # every corpus file parses: no fallback
    words = " ".join(f.explanation.lower() for f in result.findings)
    assert case.expect in words, f"{case.name}: {words}"
    paths = {fd.old_path for fd in files} | {fd.new_path for fd in files}
    for finding in result.findings:
        assert finding.path in paths
        assert finding.line is not None and finding.line >= 1
        assert finding.target and finding.reason
        assert finding.detector != "regex"


@pytest.mark.parametrize("case", [c for c in corpus.CASES if not c.destructive], ids=lambda c: c.name)
def test_benign_look_alike_is_not_reported(corpus_repo, case) -> None:
    _, result = _scan(corpus_repo, case.name)
    assert result.findings == [], [f.summary() for f in result.findings]
    assert not result.notes, result.notes


def test_corpus_covers_every_family_both_ways() -> None:
    families = {c.family for c in corpus.CASES}
    assert families == {
        "terraform",
        "sql",
        "migration-code",
        "liquibase",
        "kubernetes",
        "shell",
        "python",
        "ci",
    }
    for family in families:
        kinds = {c.destructive for c in corpus.CASES if c.family == family}
        assert kinds == {True, False}, family
    assert len({c.name for c in corpus.CASES}) == len(corpus.CASES)


def test_corpus_builds_deterministically(tmp_path) -> None:
    _, first = corpus.build(tmp_path / "a")
    _, second = corpus.build(tmp_path / "b")
    assert first == second


def test_finding_lines_point_at_the_offending_source(corpus_repo) -> None:
    repo, ids = corpus_repo
    for name, expected in [
        ("sql-4000-spaces-before-drop", "DROP TABLE users;"),
        ("gha-step-if-false", "- name: Run tests"),
        ("k8s-job-kubectl-delete-namespace", "command:"),
        ("tf-deletion-protection-off", "deletion_protection = false"),
    ]:
        _, result = _scan(corpus_repo, name)
        finding = result.findings[0]
        text = repo.file_at(ids[name][1], finding.path).decode()
        line = text.split("\n")[finding.line - 1]
        assert expected in " ".join(line.split()), (name, line)
