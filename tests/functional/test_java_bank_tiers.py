"""A Java core-banking repository shaped as Apache Fineract is (QA58): Liquibase changelogs under db/changelog/ are
schema migrations (tier 0), not "documentation" by the CHANGELOG* rule; a Java package named infrastructure is
application code, not infrastructure as code; accounting and money arithmetic are tier 0, loans and savings tier 1;
and a changelog's renameColumn, renameTable and modifyDataType, and a changeSet edited in place, are destructive
operations, weighed half a drop."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE

_JAVA = "fineract-provider/src/main/java/org/apache/fineract"
_PARTS = "fineract-provider/src/main/resources/db/changelog/tenant/parts"
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/'
         'dbchangelog">\n  <changeSet author="fineract" id="1">\n')
_TAIL = "  </changeSet>\n</databaseChangeLog>\n"
_METHOD = "package x;\n\nclass A {\n    int f(int a) {\n        return a + 1;\n    }\n}\n"


def _listed(path) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {item["id"]: item for item in json.loads(result.stdout)}


def _repo(make_repo):
    repo = make_repo()
    repo.commit("init", {
        "README.md": "bank\n",
        f"{_PARTS}/0001_initial_schema.xml": _HEAD + '    <createTable tableName="m_loan"><column name="id" '
        'type="BIGINT"/><column name="principal_amount" type="DECIMAL(19,6)"/></createTable>\n' + _TAIL,
    }, author=ALICE)
    branches = {
        "changelog-index": {f"{_PARTS}/0002_index.xml": _HEAD + '    <createIndex tableName="m_loan" '
                            'indexName="ix_p"><column name="principal_amount"/></createIndex>\n' + _TAIL},
        "changelog-rename": {f"{_PARTS}/0002_rename.xml": _HEAD + '    <renameColumn tableName="m_loan" '
                             'oldColumnName="principal_amount" newColumnName="principal" '
                             'columnDataType="DECIMAL(19,6)"/>\n' + _TAIL},
        "changelog-retype": {f"{_PARTS}/0002_retype.xml": _HEAD + '    <modifyDataType tableName="m_loan" '
                             'columnName="principal_amount" newDataType="DECIMAL(19,2)"/>\n' + _TAIL},
        "changelog-widen": {f"{_PARTS}/0002_widen.xml": _HEAD + '    <modifyDataType tableName="m_loan" '
                            'columnName="principal_amount" newDataType="DECIMAL(21,6)"/>\n' + _TAIL},
        "infrastructure-code": {f"{_JAVA}/infrastructure/core/service/DateUtils.java": _METHOD},
        "infrastructure-security": {f"{_JAVA}/infrastructure/security/service/TokenService.java": _METHOD},
        "accounting": {f"{_JAVA}/accounting/journalentry/service/AccountingProcessorForLoan.java": _METHOD},
        "money": {f"{_JAVA}/organisation/monetary/domain/Money.java": _METHOD},
        "loan": {f"{_JAVA}/portfolio/loanaccount/domain/LoanCharge.java": _METHOD},
        "terraform": {"infrastructure/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'},
        # Fineract's dependency versions (pr/3224 bumped Spring Boot there) and a test module's build script
        "spring-boot-bump": {"buildSrc/src/main/groovy/org.apache.fineract.dependencies.gradle":
                             'dependency "org.springframework.boot:spring-boot-dependencies:3.1.0"\n'},
        # pr/3173's kind: a changeSet that has run, edited in place
        "edit-initial-schema": {f"{_PARTS}/0001_initial_schema.xml": _HEAD + '    <createTable tableName="m_loan">'
                                '<column name="id" type="BIGINT"/><column name="principal_amount" '
                                'type="DECIMAL(19,2)"/></createTable>\n' + _TAIL},
        # pr/3600 added the service's TLS key store
        "keystore": {"fineract-provider/src/main/resources/keystore.jks": "\x00\x01binary key store\x00"},
        "module-dependencies": {"fineract-client/dependencies.gradle": "dependencies {\n}\n"},
        "oauth2-tests": {"oauth2-tests/dependencies.gradle": "dependencies {\n}\n"},
    }
    for branch, files in branches.items():
        repo.branch(branch, "main")
        repo.commit(f"change {branch}", files, branch=branch, author=ALICE)
    return repo


def test_fineract_shaped_paths_get_the_tiers_a_banking_reviewer_expects(make_repo) -> None:
    listed = _listed(_repo(make_repo).path)
    tiers = {name: listed[name]["tier"] for name in listed}
    assert tiers == {
        "changelog-index": 0, "changelog-rename": 0, "changelog-retype": 0, "changelog-widen": 0,
        "infrastructure-code": 2, "infrastructure-security": 0, "accounting": 0, "money": 0, "loan": 1,
        "terraform": 0, "edit-initial-schema": 0, "keystore": 0, "spring-boot-bump": 1, "module-dependencies": 1,
        "oauth2-tests": 3,
    }, tiers
    index_reasons = " ".join(listed["changelog-index"]["tier_reasons"])
    assert "schema migration (Liquibase changelog)" in index_reasons and "documentation" not in index_reasons
    assert listed["changelog-index"]["destructive_ops"] == []  # an index loses nothing
    assert "an apply can destroy" not in " ".join(listed["infrastructure-code"]["tier_reasons"])
    assert "an apply can destroy" in " ".join(listed["terraform"]["tier_reasons"])


def test_liquibase_rename_is_weighed_half_a_narrowed_scale_whole_and_a_widening_passes(make_repo) -> None:
    """QA58 F5: a modifyDataType is judged against the type the base's changelogs gave the column: DECIMAL(19,6) to
    DECIMAL(19,2) rounds every amount (weighed 1), to DECIMAL(21,6) holds every value (no finding)."""
    listed = _listed(_repo(make_repo).path)
    [rename] = listed["changelog-rename"]["destructive_ops"]
    assert rename["kind"] == "schema-rename" and rename["line"] == 4, rename
    assert "column m_loan.principal_amount: Liquibase renameColumn renames it to principal" in rename["explanation"]
    [retype] = listed["changelog-retype"]["destructive_ops"]
    assert retype["kind"] == "schema-retype" and "from DECIMAL(19,6) to DECIMAL(19,2)" in retype["explanation"], retype
    assert "every value is rounded" in retype["explanation"]
    assert listed["changelog-rename"]["band"] == "critical"
    destructive = {f["name"]: f for f in listed["changelog-retype"]["factors"]}["destructive"]
    assert destructive["normalised"] == 1.0, destructive
    destructive = {f["name"]: f for f in listed["changelog-rename"]["factors"]}["destructive"]
    assert destructive["normalised"] == 0.5, destructive
    assert listed["changelog-widen"]["destructive_ops"] == []


def test_a_changeset_edited_in_place_is_destructive(make_repo) -> None:
    """Liquibase refuses to start on a database whose ran changeSet changed; Fineract migrates every tenant at
    startup. pr/3173 edits 0001_initial_schema.xml in place."""
    listed = _listed(_repo(make_repo).path)
    [edited] = listed["edit-initial-schema"]["destructive_ops"]
    assert edited["kind"] == "liquibase-edited-changeset" and edited["line"] == 3, edited
    assert "changeSet 1 by fineract" in edited["explanation"] and "refuses to start" in edited["explanation"]
    assert listed["changelog-index"]["destructive_ops"] == []  # a new changelog file edits no changeSet


def test_files_that_only_change_mode_are_one_look_per_mode_change(make_repo) -> None:
    """Fineract pr/3600 made 3,444 files executable (100644 -> 100755) and their chunk's floor was 9h34m, 10 s a file:
    one decision ("should these be executable?") is one look per mode change, whatever the files number."""
    repo = make_repo()
    files = {f"{_JAVA}/portfolio/p{i}/A{i}.java": _METHOD for i in range(40)}
    repo.commit("init", {"README.md": "bank\n", "docs/old.md": "old\n", **files}, author=ALICE)
    repo.branch("chmod", "main")
    repo.commit("chmod", {**dict.fromkeys(files, (_METHOD, 33261)),
                          "docs/old.md": None, "docs/new.md": "old\n"}, branch="chmod", author=ALICE)
    result = CliRunner().invoke(cli, ["chunks", "chmod", "--repo", str(repo.path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [light] = [c for c in json.loads(result.stdout)["chunks"] if len(c["files"]) == 41]
    assert light["floor_seconds"] == 20, light  # one rename and one mode change, 10 s each; not 41 x 10 s
    assert "40 files changing only their mode, one look per mode change (100644 -> 100755)" in \
        light["floor_derivation"], light["floor_derivation"]
