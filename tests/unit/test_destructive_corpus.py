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

    def base_files(directory, suffixes):  # as the analyzer reads them (a changelog's or a migration's neighbours)
        return [(path, data.decode()) for path, data in repo.directory_files(base, directory, suffixes)]

    return files, scan_change(files, blob_reader(repo.blob), base_files=base_files)


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


@pytest.mark.parametrize("name", ["dbmate-down-renames-back", "laravel-down-renames-back", "knex-down-renames-back"])
def test_a_rollback_undoing_its_ups_rename_or_retype_is_no_loss(corpus_repo, name) -> None:
    """FIX106: the up's rename (and retype) is a finding, the down that renames (retypes) it back is not."""
    _, result = _scan(corpus_repo, name)
    assert all(f.side == "new" and "down" not in f.reason for f in result.findings)
    assert len(result.findings) == (2 if name.startswith("laravel") else 1), [f.summary() for f in result.findings]


def test_the_same_reshape_weighs_and_reads_the_same_in_every_format(corpus_repo) -> None:
    """FIX106: a rename weighs 0.5 and says why in the same words whatever wrote it; a constraint drop 0.25; a
    narrowed DECIMAL scale 1 (every amount rounded)."""
    renames = ["sql-rename-column", "liquibase-xml-sql-rename-column", "knex-rename-column", "sequelize-rename-column",
               "alembic-alter-column-rename", "laravel-rename-column", "django-rename-field"]
    reasons = set()
    for name in renames:
        (finding,) = _scan(corpus_repo, name)[1].findings
        assert finding.weight == 0.5 and finding.kind == "schema-rename", name
        old = finding.target.rsplit(".", 1)[-1]
        reasons.add(finding.reason.split(" renames it to ", 1)[1].split(":", 1)[1].replace(old, "{old}"))
    assert len(reasons) == 1, reasons
    for name in ["sql-drop-constraint", "liquibase-xml-drop-foreign-key", "laravel-drop-foreign",
                 "rails-remove-foreign-key", "sequelize-remove-constraint", "django-remove-constraint",
                 "alembic-drop-constraint"]:
        (finding,) = _scan(corpus_repo, name)[1].findings
        assert (finding.kind, finding.weight) == ("schema-drop-constraint", 0.25), name
    for name in ["liquibase-xml-narrowed-decimal-scale", "django-alter-field-rounds"]:
        (finding,) = _scan(corpus_repo, name)[1].findings
        assert (finding.kind, finding.weight) == ("schema-retype", 1.0), name


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
