"""Parsing detectors: fallback with a note, size bounds, hostile input in linear work, never raising.

No timings here: each detector counts its work (tokens, nodes, characters parsed) and the properties
bound that count by the input size; bench/bench_destructive.py measures seconds against a baseline.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.git.diff import DiffLine, FileDiff, Hunk
from app.core.git.repo import GitRepo
from app.core.impact.destructive import liquibase, migrations, python_calls, shell, sql, terraform
from app.core.impact.destructive.model import (
    MAX_HCL_BYTES,
    MAX_SQL_PARSES,
    Finding,
    ParseFailure,
    Work,
    new_findings,
)
from app.core.impact.destructive.scan import blob_reader, scan_change
from app.core.impact.destructive.yamlnodes import load_documents
from tests.conftest import ALICE


def _change(make_repo, base: dict[str, str], head: dict[str, str | None]):
    builder = make_repo()
    first = builder.commit("base", base, author=ALICE)
    second = builder.commit("head", head, author=ALICE)
    repo = GitRepo(builder.path)
    files = repo.diff(first, second)
    return scan_change(files, blob_reader(repo.blob))


# ==================================================================================================
# fallback: never silence
# ==================================================================================================


def test_hcl_that_does_not_parse_falls_back_to_regexes_with_a_note(make_repo) -> None:
    broken = (
        'resource "aws_db_instance" "main" {\n  lifecycle {\n    prevent_destroy = false\n  }\n  oops = \n'
    )
    result = _change(
        make_repo, {"infra/main.tf": 'resource "aws_db_instance" "main" {\n}\n'}, {"infra/main.tf": broken}
    )
    assert any("infra/main.tf" in note and "regex fallback" in note for note in result.notes), result.notes
    assert [f.detector for f in result.findings] == ["regex"]
    assert "prevent_destroy" in result.findings[0].explanation


def test_helm_template_yaml_falls_back_with_a_note(make_repo) -> None:
    template = (
        "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n"
        '        - name: x\n          {{- if .Values.reset }}\n          command: [sh, -c, "kubectl '
        'delete ns prod"]\n'
        "          {{- end }}\n"
    )
    result = _change(
        make_repo, {"charts/app/templates/job.yaml": "a: 1\n"}, {"charts/app/templates/job.yaml": template}
    )
    assert any("a Helm template (Go template syntax, not plain YAML): scanned by the regex fallback" in note
               for note in result.notes), result.notes
    assert not any("does not parse" in note for note in result.notes)  # it is not a broken file (QA43 #12)
    assert any(f.kind == "kubectl-delete" and f.detector == "regex" for f in result.findings)


def test_removing_a_step_that_installs_a_checker_takes_no_check_away(make_repo) -> None:
    """QA43 #8: terraform-aws-rds removed a step that downloads tflint (`curl .../tflint/releases ...`,
    `sudo mv tflint /usr/bin/`) and it read as "it ran tflint": critical. Removing the step that runs it is."""
    install = ('      - name: Install pre-commit dependencies\n        run: |\n          pip install pre-commit\n'
               '          curl -L "$(curl -s https://api.github.com/repos/terraform-linters/tflint/releases/latest'
               ' | grep -o https://.*tflint_linux_amd64.zip)" > tflint.zip && unzip tflint.zip && sudo mv tflint'
               ' /usr/bin/\n')
    check = "      - name: Lint\n        run: tflint --recursive\n"
    head = "on: pull_request\njobs:\n  pre-commit:\n    runs-on: ubuntu-latest\n    steps:\n"
    base = {".github/workflows/pre-commit.yml": head + install + check}
    no_install = _change(make_repo, base, {".github/workflows/pre-commit.yml": head + check})
    assert no_install.findings == [], no_install.findings
    no_check = _change(make_repo, base, {".github/workflows/pre-commit.yml": head + install})
    assert ["tflint" in f.reason for f in no_check.findings] == [True]


def test_a_check_rewritten_or_moved_into_pre_commit_is_not_removed(make_repo) -> None:
    """QA47 #6: flask's "use uv" commit turned `tox run -e ...` into `uv run --locked tox run -e ...` and read
    as "CI step removed: it ran tox", tier 0, critical, rank 1 of 3,742; rich pull/366 replaced its black and
    mypy steps by pre-commit/action and read as two removed checks. A test suite still run by any runner, or
    a linter now run by pre-commit, is not taken away; a test suite or CodeQL scan dropped for a lint run is."""
    wf = ".github/workflows/tests.yaml"
    top = "on: pull_request\njobs:\n  tests:\n    runs-on: ubuntu-latest\n    steps:\n"
    tox = top + "      - uses: actions/checkout@v4\n      - run: tox run -e ${{ matrix.tox }}\n"
    uv = top + "      - uses: actions/checkout@v4\n      - run: uv run --locked tox run -e ${{ matrix.tox }}\n"
    assert _change(make_repo, {wf: tox}, {wf: uv}).findings == []
    make = top + "      - run: make test\n"
    assert _change(make_repo, {wf: make}, {wf: top + "      - run: python -m pytest -q\n"}).findings == []

    lint = (top + "      - name: Format check with black\n        run: black --check .\n"
            "      - name: Typecheck with mypy\n        run: mypy rich\n"
            "      - name: CodeQL\n        uses: github/codeql-action/analyze@v3\n")
    pre_commit = top + "      - name: Perform linting\n        uses: pre-commit/action@v2.0.0\n"
    codeql = "      - name: CodeQL\n        uses: github/codeql-action/analyze@v3\n"
    moved = _change(make_repo, {wf: lint}, {wf: pre_commit + codeql})
    assert moved.findings == [], moved.findings
    dropped = _change(make_repo, {wf: lint}, {wf: pre_commit})
    assert [f.reason for f in dropped.findings] == ["removed: it ran codeql"], dropped.findings
    tests_gone = _change(make_repo, {wf: tox}, {wf: pre_commit})
    assert [f.reason for f in tests_gone.findings] == ["removed: it ran tox"]


def test_a_travis_test_script_changed_to_another_runner_is_not_removed(make_repo) -> None:
    """QA47 #6: flask 8d97d71430 changed `script: make test` to `script: - tox -e ...` in .travis.yml
    (read by the line detector): "CI step 'script: make test' removed", tier 0."""
    before = "language: python\nscript: make test\n"
    after = "language: python\nscript:\n  - tox -e $TOXENV\n"
    assert _change(make_repo, {".travis.yml": before}, {".travis.yml": after}).findings == []
    gone = _change(make_repo, {".travis.yml": before}, {".travis.yml": "language: python\nscript: echo ok\n"})
    assert [f.kind for f in gone.findings] == ["ci-protection-removed"], gone.findings


def test_a_package_script_run_by_another_package_manager_is_the_same_step(make_repo) -> None:
    """QA51 #14: hono's move from yarn to pnpm changed `npm run lint` to `pnpm lint` in the same job: read as
    "CI step 'npm run lint': removed", the queue's only destructive finding, critical. The same script is the same
    check whichever manager runs it; a lint step that is gone still is."""
    wf = ".github/workflows/ci.yml"
    top = "on: push\njobs:\n  main:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    npm = top + "      - run: npm run format\n      - run: npm run lint\n      - run: npm test\n"
    pnpm = top + "      - run: pnpm format\n      - run: pnpm lint\n      - run: pnpm test\n"
    assert _change(make_repo, {wf: npm}, {wf: pnpm}).findings == []
    bun = top + "      - run: bun run lint\n      - run: bun test\n"
    assert _change(make_repo, {wf: npm}, {wf: bun}).findings == []
    gone = _change(make_repo, {wf: npm}, {wf: top + "      - run: pnpm format\n      - run: pnpm test\n"})
    assert [f.reason for f in gone.findings] == ["removed: it ran npm run lint"], gone.findings


def test_a_paths_ignore_that_skips_the_checks_for_workflows_or_code_is_reported(make_repo) -> None:
    """QA51 #23: hono's `paths-ignore: ['.github/**']` on pull_request made a pull request that changes only the
    workflows run no test; nothing was said. Ignoring docs is the usual thing and stays quiet."""
    wf = ".github/workflows/ci.yml"
    steps = "jobs:\n  main:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n"
    base = "on:\n  push:\n  pull_request:\n    paths-ignore:\n      - 'docs/**'\n" + steps
    docs = "on:\n  push:\n  pull_request:\n    paths-ignore:\n      - 'docs/**'\n      - '*.md'\n" + steps
    assert _change(make_repo, {wf: base}, {wf: docs}).findings == []
    github = "on:\n  push:\n  pull_request:\n    paths-ignore:\n      - 'docs/**'\n      - '.github/**'\n" + steps
    [finding] = _change(make_repo, {wf: base}, {wf: github}).findings
    assert finding.kind == "ci-protection-disabled"
    assert finding.reason == ("pull_request paths-ignore gains .github/**: pull requests changing only such files "
                              "skip npm test")


def test_ci_steps_are_matched_in_their_own_job(make_repo) -> None:
    """QA50 #12: uv pull/1007 deleted the `musllinux` jobs (each ran "Test wheel") and dropped `if: false`
    from `linux-cross`; the deleted job's step was matched by name to the `windows` job's "Test wheel",
    disabled by an `if: false` both sides have, and read as "disabled by if: false on the job": critical,
    on a line no hunk touches. A step is its job's: a job off both sides is no change, a deleted job's
    step is removed with its job (old side), and a job turned off is blamed at its `if:` line."""
    wf = ".github/workflows/build.yml"

    def job(name: str, off: bool = False) -> str:
        return (f"  {name}:\n" + ("    if: false\n" if off else "") + "    runs-on: ubuntu-latest\n    steps:\n"
                "      - name: Build wheels\n        uses: PyO3/maturin-action@v1\n"
                "      - name: Test wheel\n        run: .venv/bin/app --help\n")

    top = "on: pull_request\njobs:\n"
    base = top + job("windows", off=True) + job("linux") + job("linux-cross", off=True) + job("musllinux")
    head = top + job("windows", off=True) + job("linux") + job("linux-cross")
    result = _change(make_repo, {wf: base}, {wf: head})
    assert [(f.kind, f.side, f.line, f.explanation) for f in result.findings] == [
        ("ci-protection-removed", "old", base.count("\n") - 1,  # musllinux's "- name: Test wheel", last but one
         "CI job 'musllinux': removed: its step 'Test wheel' no longer runs the tests"),
    ], result.findings

    turned_off = _change(make_repo, {wf: top + job("linux")}, {wf: top + job("linux", off=True)})
    assert [(f.kind, f.side, f.line) for f in turned_off.findings] == [("ci-protection-disabled", "new", 4)]
    assert "disabled by if: false on the job" in turned_off.findings[0].reason


def test_oversized_terraform_is_scanned_by_regex_with_a_note(make_repo) -> None:
    filler = "".join(
        f'variable "v{i}" {{\n  default = "{"x" * 40}"\n}}\n' for i in range(MAX_HCL_BYTES // 50)
    )
    result = _change(
        make_repo,
        {"infra/big.tf": filler},
        {"infra/big.tf": filler + 'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n'},
    )
    assert any("parse bound" in note for note in result.notes)
    assert any(f.kind == "terraform-force-destroy" for f in result.findings)


def test_a_drop_at_the_end_of_a_padded_migration_is_found(make_repo) -> None:
    """QA42 13b: 150,000 INSERTs before a DROP TABLE pushed it past the regex fallback's first 5,000 diff
    lines; the fallback reads the start and the end."""
    padding = "".join(f"INSERT INTO t VALUES ({i});\n" for i in range(45_000))  # over the 1 MB parse bound
    result = _change(make_repo, {"db/seed.sql": "-- seed\n"},
                     {"db/seed.sql": "-- seed\n" + padding + "DROP TABLE payments;\n"})
    assert any("first and last" in note for note in result.notes), (result.notes, result.findings)
    assert any("payments" in f.target for f in result.findings), result.findings


def test_docs_tests_and_skip_globs_are_not_scanned(make_repo) -> None:
    builder = make_repo()
    first = builder.commit("base", {"README.md": "x\n"}, author=ALICE)
    second = builder.commit(
        "head",
        {
            "docs/ops.md": "rm -rf /$DIR/*\n",
            "tests/test_x.py": 'import subprocess\nsubprocess.run(["terraform", "destroy"])\n',
            "scripts/reset-dev.sh": "#!/bin/sh\nrm -rf /$DIR/*\n",
        },
        author=ALICE,
    )
    repo = GitRepo(builder.path)
    files = repo.diff(first, second)
    assert scan_change(files, blob_reader(repo.blob), skip=["scripts/reset-dev.sh"]).findings == []
    assert [f.path for f in scan_change(files, blob_reader(repo.blob)).findings] == ["scripts/reset-dev.sh"]


def test_a_destructive_line_already_in_the_base_is_not_the_change(make_repo) -> None:
    script = "#!/bin/sh\nrm -rf /$DIR/*\n"
    result = _change(make_repo, {"deploy.sh": script}, {"deploy.sh": script + "echo done\n"})
    assert result.findings == []
    twice = _change(make_repo, {"deploy.sh": script}, {"deploy.sh": script + "rm -rf /$DIR/*\n"})
    assert [f.line for f in twice.findings] == [3]  # the added copy, not the old one


def test_new_findings_counts_repeats() -> None:
    def finding(line: int) -> Finding:
        return Finding("k", "p", line, "t", "r", key="same")

    assert new_findings([finding(1)], [finding(1), finding(5)], added_lines=[5]) == [finding(5)]
    assert new_findings([finding(1), finding(2)], [finding(1)]) == []


# ==================================================================================================
# detectors one by one
# ==================================================================================================


@pytest.mark.parametrize(
    "command, destructive",
    [
        (["rm", "-rf", "/"], True),
        (["rm", "-r", "-f", "$HOME/"], True),
        (["rm", "-rf", "${X:-/}"], True),
        (["rm", "-rf", "${X:?}/"], False),
        (["rm", "-rf", "$X/build"], False),
        (["rm", "-f", "/$X"], False),
        (["git", "push", "--force", "origin", "main"], True),
        (["git", "push", "origin", "+main"], True),
        (["git", "push", "origin", "main"], False),
        (["git", "push", "--prune", "origin"], True),
        (["terraform", "apply", "-destroy"], True),
        (["terraform", "apply", "-replace=aws_db_instance.main"], True),
        (["terraform", "apply", "-auto-approve"], False),
        (["tofu", "destroy"], True),
        (["kubectl", "delete", "pvc", "data"], True),
        (["kubectl", "delete", "-f", "k8s/"], True),
        (["kubectl", "delete", "job", "old"], False),
        (["helm", "uninstall", "api"], True),
        (["aws", "rds", "delete-db-instance", "--db-instance-identifier", "x"], True),
        (["aws", "s3", "ls"], False),
        (["gcloud", "sql", "instances", "delete", "orders"], True),
        (["az", "group", "delete", "-n", "rg"], True),
        (["gcloud", "compute", "instances", "list"], False),
        (["sudo", "env", "X=1", "dropdb", "orders"], True),
        (["redis-cli", "FLUSHALL"], True),
        (["bash", "-c", "kubectl delete ns prod"], True),
        (["find", "/", "-name", "*.log", "-delete"], True),
        (["find", ".", "-name", "*.pyc", "-delete"], False),
        (["find", ".", "-delete"], True),
        (["find", "build", "-delete"], False),
        (["mysql", "-e", "DROP DATABASE shop"], True),
        (["psql", "-c", "select 1"], False),
        (["mkfs.ext4", "/dev/sdb1"], True),
        (["mkfs", "-t", "ext4", "-L", "data", "/dev/nvme1n1"], True),
        (["sudo", "mkfs.xfs", "-f", "$DEVICE"], True),
        (["mkfs.btrfs", "/tmp/btrfs.img"], False),  # uv's CI: a file image made by truncate, mounted with -o loop
        (["mkfs.minix", "-n", "14", "minix.img"], False),
        (["dd", "if=/dev/zero", "of=/dev/sda", "bs=1M"], True),
        (["dd", "if=/dev/zero", "of=disk.img", "bs=1M", "count=10"], False),
    ],
)
def test_judge_argv(command: list[str], destructive: bool) -> None:
    assert bool(shell.judge_argv(command)) is destructive, shell.judge_argv(command)


def test_sql_always_true_where_variants() -> None:
    for statement in [
        "DELETE FROM t WHERE TRUE",
        "delete from t where 'a' = 'a'",
        "UPDATE t SET a = 1 WHERE 1",
        "DELETE FROM t WHERE (1 = 1)",
        "DELETE FROM t WHERE id = 5 OR 1 = 1",
        "DELETE FROM t WHERE NOT FALSE",
    ]:
        assert sql.scan_sql(statement, "x.sql", Work()), statement
    for statement in [
        "DELETE FROM t WHERE id = 5",
        "DELETE FROM t WHERE a = b",
        "DELETE FROM t WHERE 1 = 0",
        "UPDATE t SET a = 1 WHERE id = ?",
    ]:
        assert not sql.scan_sql(statement, "x.sql", Work()), statement


def test_an_always_true_where_too_nested_to_parse_still_counts() -> None:
    """50 parentheses around 1=1 overflow sqlglot's recursion: the delete of every row read as harmless."""
    deep = "DELETE FROM accounts WHERE " + "(" * 50 + "1=1" + ")" * 50 + ";"
    [found] = sql.scan_sql(deep, "V20__purge.sql", Work())
    assert found.target == "every row of accounts" and "could not be parsed" in found.explanation
    assert not sql.scan_sql("DELETE FROM accounts WHERE " + "(" * 50 + "id = 5" + ")" * 50 + ";", "x.sql", Work())


def test_sql_statements_past_the_parse_budget_are_still_classified() -> None:
    text = (
        "DROP TABLE t0;\n"
        + "SELECT 1;\n" * 10
        # `id = id + 1` looks like it may always hold: sqlglot is asked, and says it does not
        + "".join(f"UPDATE u{i} SET a = 1 WHERE id = id + 1;\n" for i in range(MAX_SQL_PARSES + 10))
    )
    text += "DROP TABLE last_one;\nDELETE FROM z WHERE 1 = 1;\n"
    state = sql.SqlState()
    findings = sql.scan_sql(text, "x.sql", Work(), state=state)
    assert state.parses == MAX_SQL_PARSES
    # past the budget the word-level check still catches the literal tautology
    assert [f.target for f in findings] == ["table t0", "table last_one", "every row of z"]


def test_yaml_alias_bomb_is_a_parse_failure_not_a_hang() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 6) + "]\n"
    work = Work()
    with pytest.raises(ParseFailure, match="expands"):
        load_documents(bomb, work)
    assert work.units < 300_000


def test_liquibase_changeset_reader_refuses_entities() -> None:
    xml = '<!DOCTYPE x [<!ENTITY a "b">]><databaseChangeLog><changeSet id="1" author="a"/></databaseChangeLog>'
    with pytest.raises(ParseFailure):
        liquibase.changesets(xml, Work())


def test_liquibase_xml_refuses_entities() -> None:
    xml = (
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<databaseChangeLog>'
        '<changeSet id="1" author="x"><dropTable tableName="&a;"/></changeSet></databaseChangeLog>\n'
    )
    with pytest.raises(ParseFailure, match="document type"):
        liquibase.scan_xml(xml, "c.xml", Work())


def test_python_calls_follow_clients_and_ignore_lookalikes() -> None:
    code = (
        "import boto3\nimport subprocess as sp\nfrom subprocess import run\n\n"
        'rds = boto3.client("rds")\nclass Repo:\n    def delete_user(self): ...\n'
        'Repo().delete_user()\nrds.delete_db_instance(DBInstanceIdentifier="orders")\n'
        'run(["git", "push", "origin", "--delete", "main"])\nsp.call("rm -rf /", shell=True)\n'
    )
    found = python_calls.scan_python_calls(code, "x.py", Work())
    assert [(f.line, f.kind) for f in found] == [(9, "cloud-delete"), (10, "git-push-delete"), (11, "rm-rf")]



@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ('from os import system as run_it\nrun_it("rm -rf /")\n', "rm-rf"),
        ('import os as o\no.popen("rm -rf /")\n', "rm-rf"),
        ('from shutil import rmtree as wipe\nwipe("/")\n', "rm-rf"),
        ('import sh\nsh.Command("rm", "-rf", "/")\n', "rm-rf"),
        ('import asyncio\nasync def f():\n    await asyncio.create_subprocess_shell("rm -rf /")\n', "rm-rf"),
    ],
)
def test_python_calls_find_aliased_calls_past_the_name_filter(code: str, kind: str) -> None:
    assert python_calls.may_run_or_delete(code)
    assert [f.kind for f in python_calls.scan_python_calls(code, "x.py", Work())] == [kind]


def test_python_files_naming_nothing_that_runs_or_deletes_are_not_parsed() -> None:
    # `os` alone (paths, environment), or `system` in prose without os, is not enough to parse the file
    # (each would fail to parse if it were).
    for code in ('import os\nHOME = os.environ["HOME"]\ndef broken(:\n',
                 '"""The file system layer."""\nfrom pathlib import Path\ndef broken(:\n'):
        work = Work()
        assert python_calls.scan_python_calls(code, "x.py", work) == [] and work.units == 0


def test_python_call_findings_are_remembered_per_path_and_content() -> None:
    code = 'import subprocess\nsubprocess.run("rm -rf /", shell=True)\n'
    first_work, again_work = Work(), Work()
    first = python_calls.scan_python_calls(code, "a.py", first_work)
    again = python_calls.scan_python_calls(code, "a.py", again_work)
    assert first == again and [f.path for f in first] == ["a.py"] and again_work.units == first_work.units
    assert [f.path for f in python_calls.scan_python_calls(code, "b.py", Work())] == ["b.py"]
    broken = "import subprocess\ndef f(:\n"
    for _ in range(2):  # a version that does not parse fails the same way when remembered
        with pytest.raises(ParseFailure, match="does not parse"):
            python_calls.scan_python_calls(broken, "c.py", Work())

_MOVE_MODEL = """from django.db import migrations


class Migration(migrations.Migration):
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='objectchange', name='user'),
                migrations.DeleteModel(name='ObjectChange'),
            ],
            database_operations=[
                migrations.AlterModelTable(name='ObjectChange', table='core_objectchange'),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            [migrations.RunSQL('DROP TABLE extras_legacy')],
            [migrations.DeleteModel(name='Legacy')],
        ),
    ]
"""


def test_django_state_only_operations_delete_nothing(make_repo) -> None:
    """netbox moved ObjectChange, ConfigRevision and L2VPN to other apps: a DeleteModel or RemoveField in
    SeparateDatabaseAndState's state_operations, beside an AlterModelTable rename, keeps every row, and read as
    dropped tables; its database_operations still count (QA56)."""
    result = _change(make_repo, {"extras/migrations/__init__.py": ""},
                     {"extras/migrations/0116_move_objectchange.py": _MOVE_MODEL})
    assert [(f.kind, f.line, f.target) for f in result.findings] == [("sql-drop", 16, "table extras_legacy")]


def test_django_operations_built_in_a_loop_name_what_they_drop() -> None:
    """netbox's ltree migration drops four MPTT columns of each model in one comprehension: it read as one
    "column ." (QA56). Each column is named; a loop over what the source does not say keeps the expression."""
    code = (
        "from django.db import migrations\n"
        "MODELS = ('region', 'sitegroup')\n"
        "LEGACY_FIELDS = ['lft', 'rght']\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        *[migrations.RemoveField(model_name=m, name=f) for m in MODELS for f in LEGACY_FIELDS],\n"
        "        *(migrations.DeleteModel(name=n) for n in ('Legacy',)),\n"
        "        *[migrations.RemoveField(model_name=m, name='path') for m in get_models()],\n"
        "    ]\n"
    )
    found = migrations.scan_python_migration(code, "dcim/migrations/0242_ltree_paths.py", Work())
    assert [(f.line, f.target) for f in found] == [
        (6, "column region.lft"), (6, "column region.rght"), (6, "column sitegroup.lft"),
        (6, "column sitegroup.rght"), (7, "model Legacy"), (8, "column {m}.path")]


def test_a_data_migration_deleting_every_row_through_the_orm() -> None:
    """netbox's 0018_tag_data emptied taggit's tables with `TaggitTag.objects.all().delete()` after copying
    them: the ORM's DELETE with no WHERE, which the SQL detector reports and the ORM one missed (QA56)."""
    code = (
        "from django.db import migrations\n"
        "def delete_taggit_tags(apps, schema_editor):\n"
        "    TaggitTag = apps.get_model('taggit', 'Tag')\n"
        "    TaggitTag.objects.all().delete()\n"
        "    ContentType.objects.filter(app_label='core').delete()\n"
        "    Token.objects.delete()\n"
        "    token.delete()\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunPython(delete_taggit_tags)]\n"
    )
    found = migrations.scan_python_migration(code, "extras/migrations/0018_tag_data.py", Work())
    assert [(f.kind, f.line, f.target) for f in found] == [
        ("sql-delete-all", 4, "every row of TaggitTag"), ("sql-delete-all", 6, "every row of Token"),
        # a filtered delete with no reverse_code, found at its RunPython: those rows for good (django_data.py)
        ("migration-delete-rows", 5, "rows of ContentType")]


def test_ruby_migration_down_undoes_up_and_interpolation() -> None:
    code = (
        "class X < ActiveRecord::Migration[7.1]\n  def up\n    create_table :carts\n"
        '    execute "DELETE FROM #{table_name}"\n  end\n\n  def down\n    drop_table :carts\n  end\nend\n'
    )
    found = migrations.scan_code_migration(code, "db/migrate/1_x.rb", "ruby", Work())
    assert [(f.line, f.target) for f in found] == [(4, "every row of {table_name}")]


def test_terraform_protection_removed_from_existing_only() -> None:
    work = Work()
    base = terraform.parse_hcl(
        'resource "aws_lb" "a" {\n  enable_deletion_protection = true\n}\n', "m.tf", work
    )
    head = terraform.parse_hcl(
        'resource "aws_lb" "a" {\n}\nresource "aws_lb" "b" {\n  enable_deletion_protection = false\n}\n',
        "m.tf",
        work,
    )
    findings = terraform.compare(terraform.Config(base[1]), terraform.Config(head[1]), {})
    assert [(f.target, f.kind) for f in findings] == [("aws_lb.a", "terraform-deletion-protection-off")]


def _tf_findings(base: str, head: str) -> list[tuple[str, str]]:
    work = Work()
    old = terraform.parse_hcl(base, "main.tf", work)
    new = terraform.parse_hcl(head, "main.tf", work)
    return [(f.target, f.kind) for f in terraform.compare(terraform.Config(old[1]), terraform.Config(new[1]), {})]


def test_terraform_protections_wired_through_variables_and_provider_defaults() -> None:
    """QA43 #2: the way modules write protections (`= var.deletion_protection`) was never seen being turned
    off; only a literal `true -> false` was."""
    eks = 'resource "aws_eks_cluster" "this" {\n  name = %s\n  deletion_protection = %s\n}\n'
    wired = eks % ("var.name", "var.deletion_protection")
    assert _tf_findings(wired, eks % ("var.name", "false")) == [
        ("aws_eks_cluster.this", "terraform-deletion-protection-off")]
    # a name with text added to the variable is surely another name: the cluster is replaced
    assert ("aws_eks_cluster.this", "terraform-replace") in _tf_findings(wired, eks % ('"${var.name}-eks"',
                                                                                      "var.deletion_protection"))
    assert _tf_findings(wired, eks % ("var.cluster_name", "var.deletion_protection")) == []  # may be the same
    gke = 'resource "google_container_cluster" "c" {\n  name = "demo"\n%s}\n'
    assert _tf_findings(gke % "", gke % "  deletion_protection = false\n") == [
        ("google_container_cluster.c", "terraform-deletion-protection-off")]
    lb = 'resource "aws_lb" "a" {\n%s}\n'
    assert _tf_findings(lb % "", lb % "  enable_deletion_protection = false\n") == []  # AWS's default is off
    variable = 'variable "%s" {\n  type = bool\n  default = %s\n}\n'
    assert _tf_findings(variable % ("skip_final_snapshot", "false"), variable % ("skip_final_snapshot", "true")) == [
        ("var.skip_final_snapshot", "terraform-variable-default")]
    assert _tf_findings(variable % ("deletion_protection", "true"), variable % ("deletion_protection", "false")) == [
        ("var.deletion_protection", "terraform-variable-default")]
    assert _tf_findings(variable % ("deletion_protection", "false"), variable % ("deletion_protection", "true")) == []


def test_lock_files_are_not_scanned(make_repo) -> None:
    """QA43 15g: zod's 406 KB pnpm-lock.yaml went to the YAML detector for a note that it is over the parse
    bound; a lock file runs nothing."""
    lock = "lockfileVersion: '9.0'\n" + "".join(f"  pkg{i}:\n    resolution: {{integrity: sha512-x}}\n"
                                                for i in range(20))
    result = _change(make_repo, {"a.txt": "x\n"}, {"pnpm-lock.yaml": lock, "web/.terraform.lock.hcl": "x {{{\n"})
    assert result.findings == [] and result.notes == []


def test_a_resource_renamed_without_moved_says_so() -> None:
    """QA43 15b: `aws_eks_cluster.this` -> `.main` read as a plain removal; the same body now lives on under
    the new address, and terraform destroys the cluster and creates another."""
    work = Work()
    cluster = 'resource "aws_eks_cluster" "%s" {\n  name = var.name\n  vpc_config {\n    a = 1\n  }\n}\n'
    old = terraform.parse_hcl(cluster % "this", "main.tf", work)
    new = terraform.parse_hcl(cluster % "main", "main.tf", work)
    [finding] = terraform.compare(terraform.Config(old[1]), terraform.Config(new[1]), {})
    assert finding.target == "aws_eks_cluster.this"
    assert finding.reason.startswith("renamed to aws_eks_cluster.main without a `moved` block")


# ==================================================================================================
# hostile input: work linear in the input, no exception but ParseFailure
# ==================================================================================================

_HOSTILE_PIECES = st.sampled_from(
    [
        "'",
        '"',
        "`",
        "$$",
        "$a$",
        "/*",
        "*/",
        "--",
        "#",
        ";",
        "(",
        ")",
        "((((",
        "))))",
        "\\",
        "\n",
        " " * 50,
        "DROP",
        "TABLE",
        "DELETE FROM x",
        "WHERE",
        "1=1",
        "{",
        "}",
        "[",
        "]",
        "<<~SQL",
        "SQL",
        "rm -rf /$X/*",
        "${",
        "$(",
        "-",
        "resource",
        '"r" "n"',
        "=",
        ":",
        "- ",
        "&a",
        "*a",
        "<<: *a",
        "<",
        ">",
        "<!--",
        "&amp;",
        "execute",
        "op.execute(",
        "f'",
        "{x}",
        "\t",
        "é",
        "\x00",
        "\r",
    ]
)


def _hostile(pieces: list[str], repeat: int) -> str:
    return "".join(pieces) * repeat


def _bounded(text: str, run) -> int:  # type: ignore[no-untyped-def]
    work = Work()
    try:
        run(text, work)
    except ParseFailure:
        pass
    return work.units


@given(st.lists(_HOSTILE_PIECES, min_size=1, max_size=30), st.integers(min_value=1, max_value=60))
def test_every_detector_does_linear_work_on_hostile_text(pieces: list[str], repeat: int) -> None:
    text = _hostile(pieces, repeat)
    n = len(text) + 1
    runs = {
        "sql": lambda t, w: sql.scan_sql(t, "x.sql", w),
        "shell": lambda t, w: shell.scan_script(t, "x.sh", work=w),
        "python": lambda t, w: python_calls.scan_python_calls(t, "x.py", w),
        "python-migration": lambda t, w: migrations.scan_python_migration(t, "m/x.py", w),
        "ruby": lambda t, w: migrations.scan_code_migration(t, "db/migrate/x.rb", "ruby", w),
        "go": lambda t, w: migrations.scan_code_migration(t, "migrations/x.go", "go", w),
        "yaml": lambda t, w: load_documents(t, w),
        "xml": lambda t, w: liquibase.scan_xml(t, "x.xml", w),
        "xml-changesets": lambda t, w: liquibase.edited_changesets(t, t + "<!-- -->", "x.xml", w),
        "hcl": lambda t, w: terraform.parse_hcl(t, "x.tf", w),
    }
    for name, run in runs.items():
        units = _bounded(text, run)
        # A constant factor over the input: tokens, lines and parsed characters are each at most n,
        # and sqlglot sees at most every character once per dialect it tries.
        assert units <= 12 * n, (name, units, n)


@given(
    st.binary(max_size=400),
    st.sampled_from(
        [
            "a.tf",
            "a.sql",
            ".github/workflows/a.yml",
            "k8s/a.yaml",
            "a.sh",
            "a.py",
            "db/migrate/a.rb",
            "c/a.xml",
            "Makefile",
            "infra/a.tfvars",
            ".gitlab-ci.yml",
            "migrations/a.go",
        ]
    ),
)
def test_scan_never_raises_on_arbitrary_bytes(data: bytes, path: str) -> None:
    line = DiffLine("+", None, 1, data.decode("utf-8", "replace")[:200])
    fd = FileDiff("modified", path, path, "old", "new", hunks=[Hunk(1, 1, 1, 1, "", [line])])
    versions = {"old": b"x = 1\n", "new": data}
    result = scan_change([fd], blob_reader(lambda blob: versions[blob]))
    for finding in result.findings:
        assert finding.path == path


def test_an_hcl_file_is_parsed_once_per_content_in_a_process(monkeypatch) -> None:
    """QA43 #13: eleven branches touching one root module parsed its base main.tf eleven times (lark, 0.2 s
    a file); the answer is kept per (path, content), and what does not parse fails alike every time."""
    import hcl2

    calls = []
    real = hcl2.parses_to_tree
    monkeypatch.setattr(hcl2, "parses_to_tree", lambda text: calls.append(text) or real(text))
    text = 'resource "aws_s3_bucket" "once" {\n  bucket = "a-bucket-parsed-once"\n}\n'
    for _ in range(3):
        _attrs, blocks = terraform.parse_hcl(text, "infra/once.tf", Work())
        assert [b.address for b in blocks] == ["aws_s3_bucket.once"]
    assert len(calls) == 1
    for _ in range(2):
        with pytest.raises(ParseFailure, match="does not parse"):
            terraform.parse_hcl('resource "x" {{{ "broken-once"\n', "infra/bad.tf", Work())
    assert len(calls) == 2


def test_an_edit_terraform_plan_cannot_see_is_tier_3(make_repo) -> None:
    """QA43 15k: terraform-aws-eks's "docs: add an option to a variable description" (#3659) needed two
    approvals and a senior, as Tier 0 work; comments, layout and variables' or outputs' descriptions change
    nothing `terraform plan` sees. A resource's description can force its replacement: it stays Tier 0."""
    from app.core.impact.assess import assess
    from app.core.impact.tiers import TierConfig

    variable = 'variable "tier" {\n  description = "%s"\n  type        = string\n}\n'
    group = 'resource "aws_security_group" "sg" {\n  description = "%s"\n}\n'

    def tier_of(base: str, head: str) -> tuple[int, list[str]]:
        builder = make_repo()
        first = builder.commit("base", {"main.tf": base}, author=ALICE)
        second = builder.commit("head", {"main.tf": head}, author=ALICE)
        repo = GitRepo(builder.path)
        found = assess(repo.diff(first, second), TierConfig(), read=blob_reader(repo.blob))
        return found.tier, found.reasons

    tier, reasons = tier_of(variable % "Node tier", "# the node tier\n" + variable % "Node tier (e.g. 8xl)")
    assert tier == 3 and "nothing terraform plan sees" in reasons[0], reasons
    assert tier_of(group % "web", group % "web servers")[0] == 0  # forces a new security group
    assert tier_of(variable % "a", variable.replace("string", "number") % "a")[0] == 0


def test_a_release_bump_of_a_manifest_is_tier_3(make_repo) -> None:
    """QA43 15h: ky's `"version": "2.0.1" -> "2.0.2"` in package.json made the change Tier 1 ("changes what
    code runs in production"); a dependency's version is another matter."""
    from app.core.impact.assess import assess
    from app.core.impact.tiers import TierConfig

    def tier_of(name: str, base: str, head: str) -> int:
        builder = make_repo()
        first = builder.commit("base", {name: base}, author=ALICE)
        second = builder.commit("head", {name: head}, author=ALICE)
        repo = GitRepo(builder.path)
        return assess(repo.diff(first, second), TierConfig(), read=blob_reader(repo.blob)).tier

    manifest = '{\n  "name": "ky",\n  "version": "%s",\n  "dependencies": {"x": "%s"}\n}\n'
    assert tier_of("package.json", manifest % ("2.0.1", "1"), manifest % ("2.0.2", "1")) == 3
    assert tier_of("package.json", manifest % ("2.0.1", "1"), manifest % ("2.0.1", "2")) == 1
    project = '[project]\nname = "x"\nversion = "%s"\ndependencies = ["y>=%s"]\n'
    assert tier_of("pyproject.toml", project % ("1.0", "1"), project % ("1.1", "1")) == 3
    assert tier_of("pyproject.toml", project % ("1.0", "1"), project % ("1.0", "2")) == 1


def test_aws_cdk_destructive_settings_are_found(make_repo) -> None:
    """QA43 #14: a CDK app (infrastructure in TypeScript) passed `RemovalPolicy.DESTROY`, `autoDeleteObjects:
    true` and `deletionProtection: false` unseen, at Tier 2."""
    stack = ("import * as cdk from 'aws-cdk-lib';\nimport * as s3 from 'aws-cdk-lib/aws-s3';\n"
             "export class Store extends cdk.Stack {\n  constructor(scope: any) {\n    super(scope, 'S');\n"
             "    new s3.Bucket(this, 'B', {%s});\n  }\n}\n")
    settings = "removalPolicy: cdk.RemovalPolicy.DESTROY,\n      autoDeleteObjects: true"
    result = _change(make_repo, {"lib/store.ts": stack % ""}, {"lib/store.ts": stack % settings})
    assert sorted(f.target for f in result.findings) == ["CDK autoDeleteObjects", "CDK removal policy DESTROY"]
    python = "import aws_cdk as cdk\nfrom aws_cdk import aws_rds as rds\nrds.DatabaseInstance(self, 'D'%s)\n"
    result = _change(make_repo, {"app/db.py": python % ""}, {"app/db.py": python % ", deletion_protection=False"})
    assert [f.target for f in result.findings] == ["CDK protection off"]
    plain = _change(make_repo, {"web/x.ts": "export const a = 1;\n"},  # not a CDK app: the word alone is nothing
                    {"web/x.ts": "export const removal = 'RemovalPolicy.DESTROY';\n"})
    assert plain.findings == []


@given(st.lists(st.sampled_from(["aws", "-", "_", "cdk", "lib", "@", "/", "x", " ", "é", "9"]), max_size=12))
def test_the_cdk_app_check_is_the_regex(parts: list[str]) -> None:
    """The substring test in front of the CDK regex (0.9 s of the ansible scenario's cold list) says what it says."""
    from app.core.impact.destructive.scan import _CDK_APP, is_cdk_app

    for text in ("".join(parts), "import aws_cdk\n", "xaws_cdk", "'@aws-cdk/core'", "aws-cdk", "aws_cdkx"):
        assert is_cdk_app(text) == bool(_CDK_APP.search(text))


def test_a_tfvars_switch_is_judged_by_the_count_that_reads_it(make_repo) -> None:
    """QA43 #9: microservices-demo's `memorystore = false` turns off the redis instance its directory counts by
    `var.memorystore ? 1 : 0`, and was missed (the name has no enable/create); `enable_memorystore = false`, read
    by nothing, got an explanation quoting a `count` that does not exist."""
    from app.analysis.analyzer import Analyzer

    redis = 'resource "google_redis_instance" "redis-cart" {\n  count = var.memorystore ? 1 : 0\n  name = "x"\n}\n'
    builder = make_repo()
    builder.commit("base", {"terraform/memorystore.tf": redis,
                            "terraform/terraform.tfvars": "memorystore = true\nenable_memorystore = true\n"},
                   author=ALICE)
    builder.branch("off")
    builder.commit("off", {"terraform/terraform.tfvars": "memorystore = false\nenable_memorystore = false\n"},
                   branch="off", author=ALICE)
    builder.checkout("main")
    ops = Analyzer(builder.path).detail("off").tiers.destructive
    assert [(op.kind, op.explanation.split(":")[0]) for op in ops] == [
        ("terraform-count-zero", "variable memorystore")], [op.summary() for op in ops]
    assert "google_redis_instance.redis-cart (count = var.memorystore ? 1 : 0)" in ops[0].explanation


AWS_AUTH_TF = '''data "aws_caller_identity" "current" {}

locals {
  auth_worker_roles = [
    for key, worker_group in(var.create_eks ? local.worker_groups_with_defaults : {}) : {
      worker_role_arn = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/${
        var.manage_worker_iam_resources ?
        aws_iam_instance_profile.workers[key].role :
        data.aws_iam_instance_profile.custom_worker_group_iam_instance_profile[key].role_name
      }"
      platform = worker_group.platform # "$${not an interpolation}"
    }
  ]
}

resource "kubernetes_config_map" "aws_auth" {
  count      = %s
  depends_on = [null_resource.wait_for_cluster[0]]

  metadata {
    name      = "aws-auth"
    namespace = "kube-system"
  }

  data = {
    mapRoles = yamlencode(local.auth_worker_roles)
  }
}
'''


def test_an_interpolation_across_lines_is_parsed_with_its_lines_kept(make_repo) -> None:
    """QA55 F11: terraform-aws-eks pr/1309's aws_auth.tf, valid Terraform 0.12+ (a conditional over three lines
    inside `${ ... }`), did not parse ("HCL does not parse at line 6: UnexpectedToken"): regex fallback, with a
    note. Its line breaks inside the interpolation are read as spaces, and every line number stays the file's."""
    from app.core.hcl import top_level_blocks

    base = AWS_AUTH_TF % "var.create_eks && var.manage_aws_auth ? 1 : 0"
    result = _change(make_repo, {"aws_auth.tf": base}, {"aws_auth.tf": AWS_AUTH_TF % "0"})
    assert result.notes == []
    [found] = result.findings
    assert (found.detector, found.kind, found.line, found.text) == ("hcl", "terraform-count-zero", 17, "count      = 0")
    assert top_level_blocks(base) == [("data", ["aws_caller_identity", "current"], 1, 1), ("locals", [], 3, 14),
                                      ("resource", ["kubernetes_config_map", "aws_auth"], 16, 28)]
    gone = _change(make_repo, {"aws_auth.tf": base}, {"aws_auth.tf": base[:base.index("resource \"kubernetes")]})
    assert [(f.detector, f.line, f.side) for f in gone.findings] == [("hcl", 16, "old")] and gone.notes == []
    # what python-hcl2 cannot read for another reason still says so, at the line it stopped on
    broken = _change(make_repo, {"aws_auth.tf": base}, {"aws_auth.tf": base.replace("= yamlencode(", "= = (")})
    assert any("aws_auth.tf: HCL does not parse at line 26" in note for note in broken.notes), broken.notes


def test_outputs_validations_and_version_constraints_are_ordinary_code_not_tier_0(make_repo) -> None:
    """QA55 F9: on terraform-aws-eks 83% of pull requests were Tier 0, an output added (pr/3647, +6/-0) or a
    provider's lower bound raised within its major (012e51c0, `>= 5.79` -> `>= 5.81`) among them. No apply turns
    those into a destroyed or exposed resource: tier 2. An output removed or made non-sensitive, a variable's
    default, a constraint that lets in or shuts out a major version (pr/3646, 681a868d), a backend: still tier 0."""
    from app.core.impact.assess import assess
    from app.core.impact.tiers import TierConfig

    def tier_of(name: str, base: str, head: str) -> tuple[int, str]:
        builder = make_repo()
        first = builder.commit("base", {name: base, "main.tf": 'resource "aws_eks_cluster" "this" {}\n'},
                               author=ALICE)
        second = builder.commit("head", {name: head}, author=ALICE)
        repo = GitRepo(builder.path)
        found = assess(repo.diff(first, second), TierConfig(), read=blob_reader(repo.blob))
        return found.tier, found.reasons[0]

    output = 'output "%s" {\n  description = "%s"\n  value       = %s\n%s}\n'
    arn = output % ("cluster_arn", "The ARN", "aws_eks_cluster.this.arn", "")
    token = output % ("token", "A token", "aws_eks_cluster.this.token", "  sensitive   = true\n")
    more = output % ("cluster_id", "The id", "aws_eks_cluster.this.id", "")
    added = tier_of("outputs.tf", arn + token, arn + token + more)
    assert added == (2, "outputs.tf: only outputs (none removed, none made non-sensitive) changed: nothing an apply "
                        "destroys or exposes: tier 2"), added
    assert tier_of("outputs.tf", arn + token, arn.replace(".arn", ".id") + token)[0] == 2
    assert tier_of("outputs.tf", arn + token, arn)[0] == 0  # a caller reading `token` fails
    assert tier_of("outputs.tf", arn + token, arn + token.replace("  sensitive   = true\n", ""))[0] == 0
    variable = 'variable "size" {\n  description = "Nodes"\n  type = number\n  default = %s\n%s}\n'
    check = '  validation {\n    condition = var.size > 0\n    error_message = "At least one node."\n  }\n'
    assert tier_of("variables.tf", variable % ("2", ""), variable % ("2", check)) == (
        2, "variables.tf: only variables' validations changed: nothing an apply destroys or exposes: tier 2")
    assert tier_of("variables.tf", variable % ("2", ""), variable % ("3", ""))[0] == 0
    versions = ('terraform {\n  required_version = "%s"\n%s  required_providers {\n    aws = {\n'
                '      source  = "%s"\n      version = "%s"\n    }\n  }\n}\n')

    def versions_tier(old: tuple[str, ...], new: tuple[str, ...], backend: str = "") -> int:
        return tier_of("versions.tf", versions % (old[0], "", old[1], old[2]),
                       versions % (new[0], backend, new[1], new[2]))[0]

    base = (">= 1.3", "hashicorp/aws", ">= 5.79")
    assert versions_tier(base, (">= 1.3", "hashicorp/aws", ">= 5.81")) == 2
    assert versions_tier(base, (">= 1.5.7", "hashicorp/aws", ">= 5.79")) == 2
    assert versions_tier(base, (">= 1.3", "hashicorp/aws", ">= 6.0")) == 0  # a major bump can change plans
    assert versions_tier(base, (">= 1.3", "hashicorp/aws", ">= 5.79, < 6.0.0")) == 0
    assert versions_tier(base, (">= 1.3", "example/aws", ">= 5.79")) == 0
    assert versions_tier(base, base, backend='  backend "s3" {\n    bucket = "state"\n  }\n') == 0
    from app.core.impact.destructive.terraform_neutral import majors

    assert majors(">= 4.57, < 6.0") == (4, 5) and majors("~> 5.0") == (5, 5) and majors("~> 5") == (5, math.inf)
    assert majors("< 5.5") == (0, 5) and majors("= 5.1.0") == (5, 5) and majors("latest") is None
def test_ruby_migration_drops_inside_strong_migrations_blocks_and_change_table() -> None:
    """rubygems.org's own migrations (QA57): `safety_assured { remove_column ... }` on one line (#4258, "Remove
    ApiKey#user_id entirely": scored 23 low, "no destructive operation found"), `t.remove` inside `change_table`
    (05a74ca, "Drop legacy info_checksum ... columns") and `remove_columns` of many columns over several lines, read
    as a column named after the table ("column api_keys")."""
    one_line = (
        "class RemoveUserIdFromApiKeys < ActiveRecord::Migration[7.0]\n  def change\n"
        "    safety_assured { remove_column :api_keys, :user_id, :integer }\n  end\nend\n"
    )
    found = migrations.scan_code_migration(one_line, "db/migrate/1_x.rb", "ruby", Work())
    assert [(f.line, f.target) for f in found] == [(3, "column api_keys.user_id")]
    change_table = (
        "class RemoveInfoChecksumV1 < ActiveRecord::Migration[8.1]\n  def change\n    safety_assured do\n"
        "      change_table :versions, bulk: true do |t|\n        t.remove :info_checksum, type: :string\n"
        "        t.remove :yanked_info_checksum, :other, type: :string\n        t.string :kept\n      end\n"
        "    end\n  end\nend\n"
    )
    found = migrations.scan_code_migration(change_table, "db/migrate/2_x.rb", "ruby", Work())
    assert [(f.line, f.target) for f in found] == [
        (5, "column versions.info_checksum"), (6, "column versions.yanked_info_checksum, other")]
    many = (
        "class RemoveLegacyScopes < ActiveRecord::Migration[7.1]\n  def change\n    safety_assured do\n"
        "      remove_columns :api_keys,\n"
        "                     *%i[show_dashboard index_rubygems push_rubygem],\n"
        "                     type: :boolean,\n                     null: false\n    end\n  end\nend\n"
    )
    found = migrations.scan_code_migration(many, "db/migrate/3_x.rb", "ruby", Work())
    assert [(f.line, f.target) for f in found] == [
        (4, "column api_keys.show_dashboard, index_rubygems, push_rubygem")]
    # look-alikes: a comment, a change_table that only adds, a rollback removing the column its up added
    benign = (
        "class AddNick < ActiveRecord::Migration[8.1]\n  def up\n    # safety_assured { remove_column :users, :x }\n"
        "    change_table :users do |u|\n      u.string :nick\n    end\n  end\n\n"
        "  def down\n    safety_assured { remove_column :users, :nick }\n  end\nend\n"
    )
    assert migrations.scan_code_migration(benign, "db/migrate/4_x.rb", "ruby", Work()) == []
    # maybe-finance/maybe's add_start_end_columns_to_balances.rb: generated columns (`t.virtual`) and PostgreSQL types
    # added in a change_table block, removed by the down: its 4 generated columns were read as dropped (QA65)
    generated = (
        "class AddStartEnd < ActiveRecord::Migration[7.2]\n  def up\n    change_table :balances do |t|\n"
        "      t.virtual :end_balance, type: :decimal, stored: true,\n        as: \"start + flows\"\n"
        "      t.inet :last_ip\n    end\n  end\n\n  def down\n    remove_column :balances, :end_balance\n"
        "    remove_column :balances, :last_ip\n    remove_column :balances, :start\n  end\nend\n"
    )
    found = migrations.scan_code_migration(generated, "db/migrate/5_x.rb", "ruby", Work())
    assert [(f.line, f.target) for f in found] == [(13, "column balances.start")]  # the one the up did not add


_LARAVEL_DROP = """<?php

use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\DB;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration
{
    public function up(): void
    {
        // Schema::drop('kept_in_a_comment');
        $dropRestricted = fn(Blueprint $table) => $table->dropColumn('restricted');
        Schema::table('pages', $dropRestricted);
        Schema::table('books', $dropRestricted);
        Schema::table('roles', function (Blueprint $table) {
            $table->dropColumn([
                'name',
                'hidden',
            ]);
            $table->dropSoftDeletes();
        });
        DB::table('joint_permissions')->truncate();
        DB::table('permissions')->where('name', 'x')->delete();
        Schema::dropIfExists('old_views');
        DB::statement('DROP TABLE legacy');
        DB::table('role_permissions')->insert(['display_name' => 'Delete All']);
    }

    public function down(): void
    {
        $create = fn(Blueprint $table) => $table->boolean('restricted')->default(0);
        Schema::table('pages', $create);
    }
};
"""

_LARAVEL_UNDO = """<?php

return new class extends Migration
{
    public function up(): void
    {
        Schema::create('webhooks', function (Blueprint $table) {
            $table->increments('id');
            $table->string('name');
        });
        Schema::table('pages', function (Blueprint $table) {
            $table->longText('markdown')->default('');
            $table->unsignedInteger('timeout')->default(3);
            $table->softDeletes();
        });
        $add = fn(Blueprint $table) => $table->boolean('restricted')->default(0);
        Schema::table('books', $add);
        DB::table('role_permissions')->insert(['display_name' => 'Delete All', 'name' => 'Update Own']);
    }

    public function down(): void
    {
        Schema::dropIfExists('webhooks');
        Schema::table('pages', function (Blueprint $table) {
            $table->dropColumn('markdown');
            $table->dropColumn(['timeout']);
            $table->dropSoftDeletes();
        });
        $drop = fn(Blueprint $table) => $table->dropColumn('restricted');
        Schema::table('books', $drop);
    }
};
"""


def test_laravel_migration_drops_are_destructive_and_their_rollbacks_of_what_up_added_are_not(make_repo) -> None:
    """QA59: a Laravel migration (`database/migrations/*.php`) was read by no detector. BookStack's 06a7f1b54
    "Added migration to drop entity restricted field" (a closure `$table->dropColumn('restricted')` passed to
    Schema::table for four tables) scored 30 medium, "no destructive operation found"; 5f1ee5fb0 "Removed role
    'name' field from database" too. A down() that drops what its up() created, and permission labels such as
    'Delete All' in a string, are no destruction."""
    result = _change(
        make_repo,
        {"database/migrations/.gitkeep": ""},
        {"database/migrations/2022_10_08_104202_drop_restricted.php": _LARAVEL_DROP,
         "database/migrations/2016_03_25_123157_add_markdown.php": _LARAVEL_UNDO},
    )
    found = sorted((f.line, f.target, f.kind) for f in result.findings)
    assert found == [
        (13, "column books.restricted", "migration-drop-column"),
        (13, "column pages.restricted", "migration-drop-column"),
        (17, "column roles.name, hidden", "migration-drop-column"),
        (21, "column roles.deleted_at", "migration-drop-column"),
        (23, "every row of joint_permissions", "sql-delete-all"),
        (25, "table old_views", "migration-drop"),
        (26, "table legacy", "sql-drop"),
    ], found
    assert all(f.path.endswith("drop_restricted.php") for f in result.findings)
    # a statement still opens as one: Postgres' UPDATE ONLY, an alias, MySQL's multi-table DELETE
    for statement in ("UPDATE ONLY users SET a = 1", "UPDATE users AS u SET a = 1", "DELETE t1 FROM t1 JOIN t2"):
        assert migrations._SQL_START.match(statement), statement
    for label in ("Delete All", "Update Own", "Update settings", "Delete the draft"):
        assert not migrations._SQL_START.match(label), label


def test_rails_column_renames_and_retypes_are_destructive_by_what_they_break() -> None:
    """QA57: rubygems.org pr/3801 `rename_column :users, :mfa_seed, :otp_seed` breaks the code still running
    during the deploy (strong_migrations blocks it unless safety_assured), and change_column can narrow a type: both
    are findings that name the operation, weighed half a drop. change_column_null(false) fails the migration itself
    if a row breaks it and change_column_default applies to later rows: neither is. A rollback that undoes the up's
    rename or retype, and a rename of a column the same migration added, are not."""
    rename = (
        "class RenameMfaSeed < ActiveRecord::Migration[7.0]\n  def change\n"
        "    safety_assured { rename_column :users, :mfa_seed, :otp_seed }\n  end\nend\n"
    )
    found = migrations.scan_code_migration(rename, "db/migrate/1_x.rb", "ruby", Work())
    assert [(f.kind, f.line, f.target, f.weight) for f in found] == [
        ("schema-rename", 3, "column users.mfa_seed", 0.5)]
    assert found[0].reason.startswith("rename_column renames it to otp_seed: the code still running during the deploy")
    retype = (
        "class Widen < ActiveRecord::Migration[7.0]\n  def up\n    change_column :versions, :size, :bigint\n"
        "    change_column_null :versions, :sha, false\n    change_column_default :versions, :yanked, to: 0\n"
        "    rename_table :linksets, :links\n  end\n\n  def down\n    change_column :versions, :size, :integer\n"
        "    rename_table :links, :linksets\n    rename_column :users, :otp_seed, :mfa_seed\n  end\nend\n"
    )
    found = migrations.scan_code_migration(retype, "db/migrate/2_x.rb", "ruby", Work())
    assert [(f.kind, f.line, f.target) for f in found] == [
        ("schema-retype", 3, "column versions.size"), ("schema-rename", 6, "table linksets"),
        ("schema-rename", 12, "column users.otp_seed")]  # the down's rename undoes no rename of its up
    assert found[0].reason.startswith("change_column to :bigint: a narrower type cuts or refuses")
    assert "in the down (rollback) section" in found[2].reason
    block = (
        "class Tidy < ActiveRecord::Migration[7.0]\n  def change\n    add_column :users, :nick, :string\n"
        "    rename_column :users, :nick, :handle\n    change_table :users do |t|\n      t.rename :login, :name\n"
        "      t.change :bio, :text\n      t.change_default :admin, false\n    end\n  end\nend\n"
    )
    found = migrations.scan_code_migration(block, "db/migrate/3_x.rb", "ruby", Work())
    assert [(f.kind, f.line, f.target) for f in found] == [
        ("schema-rename", 6, "column users.login"), ("schema-retype", 7, "column users.bio")]
    assert found[0].reason.startswith("rename (change_table) renames it to name:")


def test_a_squashed_django_migration_replays_its_drops_and_weighs_them_lightly() -> None:
    """netbox's b554e70ed "Squash migrations": `replaces = [...]` and the replaced migrations' RemoveFields read as 42
    new column drops (QA56 F10). Django runs a squash only on a database that has run none of the migrations it
    replaces: its drops are shown, said so, and weigh REPLAY_WEIGHT; a plain migration's keep their full weight."""
    squash = (
        "from django.db import migrations\n"
        "class Migration(migrations.Migration):\n"
        "    replaces = [('circuits', '0038_cabling_cleanup'), ('circuits', '0039_remove_peer')]\n"
        "    operations = [\n"
        "        migrations.RemoveField(model_name='circuittermination', name='_link_peer_id'),\n"
        "        migrations.RunSQL('DROP TABLE circuits_legacy'),\n"
        "    ]\n"
    )
    found = migrations.scan_python_migration(squash, "circuits/migrations/0038_squashed_0042.py", Work())
    assert [(f.line, f.target, f.weight) for f in found] == [
        (5, "column circuittermination._link_peer_id", migrations.REPLAY_WEIGHT),
        (6, "table circuits_legacy", migrations.REPLAY_WEIGHT)]
    assert all("squashed migration (`replaces`)" in f.reason for f in found)
    plain = squash.replace("    replaces = [('circuits', '0038_cabling_cleanup'), ('circuits', '0039_remove_peer')]\n",
                           "    replaces = []\n")
    found = migrations.scan_python_migration(plain, "circuits/migrations/0043_cleanup.py", Work())
    assert [(f.line, f.weight) for f in found] == [(5, 1.0), (6, 1.0)]
    assert not any("squashed" in f.reason for f in found)


def test_ruby_reversible_down_block_is_a_rollback() -> None:
    """maybe-finance/maybe's add_super_admin_to_users.rb (QA65): `reversible do |dir|`'s `dir.up` turns the users.role
    enum into a string (a widening: every label fits), and its `dir.down` turns it back: both were reported as
    narrowing retypes. The down block is a rollback of the up; what follows it is the up again."""
    text = (
        "class AddSuperAdminToUsers < ActiveRecord::Migration[7.2]\n  def change\n    reversible do |dir|\n"
        "      dir.up do\n        change_column :users, :role, :string, default: 'member'\n      end\n\n"
        "      dir.down do\n        change_column :users, :role, :user_role, using: 'role::user_role'\n"
        "        remove_column :users, :nick\n      end\n    end\n    remove_column :users, :legacy\n  end\nend\n"
    )
    found = migrations.scan_code_migration(text, "db/migrate/1_x.rb", "ruby", Work(), lambda table, column: "enum")
    # the down's drop of a column its up did not add is still a rollback's loss, as in a `def down`
    assert sorted((f.line, f.target) for f in found) == [(10, "column users.nick"), (13, "column users.legacy")]


@pytest.mark.parametrize(("old", "new", "verdict"), [
    ("VARCHAR(100)", "VARCHAR(160)", "widens"),  # Fineract's fadfcd68e (QA58 F5)
    ("varchar(160)", "VARCHAR(100)", "unknown"),
    ("DECIMAL(19, 6)", "DECIMAL(19,2)", "rounds"),  # every amount rounded: weighed 1
    ("DECIMAL(19,6)", "DECIMAL(21,6)", "widens"),
    ("int", "bigint", "widens"),
    ("bigint", "int", "unknown"),
    ("smallint", "decimal(8,2)", "widens"),
    ("varchar(255)", "text", "widens"),
    ("varchar", "text", "widens"),  # Rails' string with no limit (PostgreSQL) to text
    ("text", "varchar(?)", "unknown"),  # a limit written as a constant
    ("DATETIME", "DATETIME(6)", "widens"),  # Fineract's 0117_set_datetime_precision
    ("timestamp", "timestamp(6) NULL", "widens"),
    ("DATETIME(6)", "DATETIME", "unknown"),
    ("date", "timestamp", "widens"),
    ("timestamp", "date", "unknown"),
    ("String(length=50)", "String(length=100)", "widens"),  # SQLAlchemy
    ("BIGINT", "bigint", "same"),
    ("enum", "string", "widens"),  # maybe-finance/maybe's users.role, a PostgreSQL enum to a string (QA65)
    ("enum", "varchar(4)", "unknown"),
    ("string", "enum", "unknown"),
])
def test_a_retype_is_judged_by_whether_the_new_type_holds_every_old_value(old: str, new: str, verdict: str) -> None:
    from app.core.impact.destructive.reshape import compare_types

    assert compare_types(old, new) == verdict


def test_a_sqlite_table_rebuild_says_what_its_drop_loses() -> None:
    """QA60 (memos): SQLite changes a column or a constraint by a rebuild: create memo_new, copy every row of memo into
    it, DROP TABLE memo, rename memo_new. The drop read "deletes the table and all its data" at full weight. It is a
    rebuild now, weighed as a reshape; a copy that filters rows (a JOIN) still deletes the rows it leaves out, and a
    copy into a table the migration did not create, or a drop of a table nothing copied, is the drop it was."""
    create = "CREATE TABLE memo_new (id INTEGER PRIMARY KEY, content TEXT NOT NULL DEFAULT '');\n"
    rebuild = (create + "-- copy\nINSERT INTO memo_new (id, content)\nSELECT id, content FROM memo;\n"
               "DROP TABLE memo;\nALTER TABLE memo_new RENAME TO memo;\n")
    renamed = ("ALTER TABLE user RENAME TO user_old;\nCREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT);\n"
               "INSERT INTO user (id, name) SELECT id, name FROM (user_old);\nINSERT INTO user SELECT id, name FROM "
               "user_old;\nDROP TABLE user_old;\n")
    filtered = (create + "INSERT INTO memo_new (id, content) SELECT memo.id, memo.content FROM memo "
                "JOIN user ON memo.creator_id = user.id;\nDROP TABLE memo;\n")
    elsewhere = "INSERT INTO archive (id) SELECT id FROM memo;\nDROP TABLE memo;\n"
    plain = create + "INSERT INTO memo_new (id) VALUES (1);\nDROP TABLE memo;\n"

    def found(text: str) -> list[tuple[int | None, float, str]]:
        return [(f.line, f.weight, f.reason) for f in sql.scan_sql(text, "store/migration/sqlite/0.29/01.sql", Work())]

    [(line, weight, reason)] = found(rebuild)
    assert (line, weight) == (5, sql.REBUILD_WEIGHT)
    assert reason.startswith("DROP TABLE ends a table rebuild: its rows were copied into memo_new first"), reason
    [(_, weight, reason)] = found(renamed)
    assert weight == sql.REBUILD_WEIGHT and "copied into user first" in reason, reason
    [(_, weight, reason)] = found(filtered)
    assert weight == 1.0 and "filters them (JOIN): the rows it leaves out are deleted" in reason, reason
    for text in (elsewhere, plain):
        assert [(w, r) for _, w, r in found(text)] == [(1.0, "DROP TABLE deletes the table and all its data")], text


def test_a_guard_drop_of_the_migrations_own_scratch_table_is_no_loss(make_repo) -> None:
    """memos pr/5964 (0.29/00__memo_draft_state.sql): `DROP TABLE IF EXISTS _memo_old` before `ALTER TABLE memo
    RENAME TO _memo_old`, the copy back and `DROP TABLE IF EXISTS _memo_old`: the first drop read "deletes the table
    and all its data". It clears what an interrupted run of the same rebuild left; the rebuild's own drop is still
    said. A guard before a table the migration makes and keeps (`DROP TABLE IF EXISTS memo; CREATE TABLE memo`), or
    one without IF EXISTS, is the drop it was."""
    rebuild = ("PRAGMA foreign_keys = off;\n\nDROP TABLE IF EXISTS _memo_old;\n\n"
               "ALTER TABLE\n  memo RENAME TO _memo_old;\n\n"
               "CREATE TABLE memo (id INTEGER PRIMARY KEY, row_status TEXT NOT NULL DEFAULT 'NORMAL');\n\n"
               "INSERT INTO memo (id, row_status)\nSELECT id, row_status\nFROM\n  _memo_old;\n\n"
               "DROP TABLE IF EXISTS _memo_old;\n\nPRAGMA foreign_keys = on;\n")
    made_new = ("DROP TABLE IF EXISTS memo_new;\nCREATE TABLE memo_new (id INTEGER PRIMARY KEY);\n"
                "INSERT INTO memo_new (id) SELECT id FROM memo;\nDROP TABLE memo;\n"
                "ALTER TABLE memo_new RENAME TO memo;\n")
    kept = "DROP TABLE IF EXISTS memo;\nCREATE TABLE memo (id INTEGER PRIMARY KEY);\n"
    path = "store/migration/sqlite/0.29/00__memo_draft_state.sql"
    repo = make_repo("scratch")
    repo.commit("base", {"README.md": "r\n"}, author=ALICE)
    for branch, text in (("rebuild", rebuild), ("made-new", made_new), ("kept", kept)):
        repo.branch(branch, from_branch="main")
        repo.commit(branch, {path: text}, branch=branch, author=ALICE)
    repo.checkout("main")

    def found(branch: str) -> list[tuple[int | None, str]]:
        import json

        from click.testing import CliRunner

        from app.cli import cli

        result = CliRunner().invoke(cli, ["explain", branch, "--repo", str(repo.path), "--json"])
        assert result.exit_code == 0, result.output
        return [(op["line"], op["explanation"]) for op in json.loads(result.stdout)["destructive_ops"]]

    [(line, reason)] = found("rebuild")
    assert line == 15 and reason.startswith("table _memo_old: DROP TABLE ends a table rebuild"), reason
    [(line, reason)] = found("made-new")
    assert line == 4 and "ends a table rebuild" in reason, reason
    assert found("kept") == [(1, "table memo: DROP TABLE deletes the table and all its data")]


# ==================================================================================================
# alembic: a filtered delete in upgrade() that downgrade() does not restore (FIX126 F3)
# ==================================================================================================


def _alembic(upgrade: str, downgrade: str | None) -> list[tuple[str, int | None, str, float]]:
    text = ('import sqlalchemy as sa\nfrom alembic import op\n\nitems = sa.table("items", sa.column("state"))\n\n'
            f"def upgrade():\n    {upgrade}\n")
    if downgrade is not None:
        text += f"\ndef downgrade():\n    {downgrade}\n"
    return [(f.kind, f.line, f.target, f.weight)
            for f in migrations.scan_python_migration(text, "alembic/versions/1_x.py", Work())]


def test_an_alembic_filtered_delete_is_lost_unless_downgrade_inserts() -> None:
    rows = ("migration-delete-rows", 7, "rows of items", 0.5)
    assert _alembic('op.execute("DELETE FROM items WHERE state = \'old\'")', None) == [rows]
    assert _alembic('op.execute(sa.text("DELETE FROM items WHERE state = \'old\'"))', "pass") == [rows]
    assert _alembic("op.get_bind().execute(sa.delete(items).where(items.c.state == 'old'))",
                    'op.drop_index("ix_x")') == [rows]
    # a downgrade that inserts rows back restores them
    assert _alembic('op.execute("DELETE FROM items WHERE state = \'old\'")',
                    'op.execute("INSERT INTO items (state) VALUES (\'old\')")') == []
    assert _alembic('op.execute("DELETE FROM items WHERE state = \'old\'")', "op.bulk_insert(items, [])") == []
    # every row: sql-delete-all alone, not also a row delete
    assert _alembic('op.execute("DELETE FROM items")', "pass") == [("sql-delete-all", 7, "every row of items", 1.0)]


def test_an_alembic_sqlalchemy_delete_with_no_where_deletes_every_row(make_repo) -> None:
    """FIX131: `op.execute(sa.delete(items))` and `op.execute(items.delete())` are a DELETE with no WHERE, as the same
    SQL written out is, and so is a statement bound to a name first (`stmt = ...; op.get_bind().execute(stmt)`); only a
    filtered one with a where() was read before, and only passed inline."""
    every = ("sql-delete-all", 7, "every row of items", 1.0)
    assert _alembic("op.execute(sa.delete(items))", "pass") == [every]
    assert _alembic("op.execute(items.delete())", "pass") == [every]
    assert _alembic('op.execute(sa.delete(sa.table("items")).returning(sa.column("id")))', "pass") == [every]
    assert _alembic("stmt = items.delete()\n    op.get_bind().execute(stmt)", "pass") == [
        ("sql-delete-all", 8, "every row of items", 1.0)]
    assert _alembic("stmt = sa.delete(items).where(items.c.state == 'old')\n    op.get_bind().execute(stmt)",
                    "pass") == [("migration-delete-rows", 8, "rows of items", 0.5)]
    assert _alembic("op.execute(sa.update(items).values(state='new'))", "pass") == []  # no delete
    assert _alembic("session.delete(obj)", "pass") == []  # an ORM session's delete of one object, not executed SQL
    text = ('import sqlalchemy as sa\nfrom alembic import op\n\nsessions = sa.table("sessions", sa.column("id"))\n\n\n'
            "def upgrade():\n    op.execute(sa.delete(sessions))\n\n\ndef downgrade():\n    pass\n")
    result = _change(make_repo, {"README": "x"}, {"alembic/versions/2_purge.py": text})
    assert [f.summary() for f in result.findings] == [
        "alembic/versions/2_purge.py:8: every row of sessions: SQLAlchemy delete() with no where(): DELETE with no "
        "WHERE"]


def test_an_alembic_orm_delete_through_a_session_is_read_as_sqlalchemy_deletes_are(make_repo) -> None:
    """FIX131 F4: a session's bulk delete (`session.query(M).delete()`) was not read, as the query chain is no
    execute() argument. With no filter it deletes every row, as `sa.delete(t)` does; a filtered one in upgrade() is
    lost under a downgrade() that writes no row back (a session's add_all() or bulk save restores them)."""
    every = ("sql-delete-all", 7, "every row of Item", 1.0)
    assert _alembic("session.query(Item).delete()", "pass") == [every]
    assert _alembic("session.query(Item).execution_options(x=1).delete(synchronize_session=False)", "pass") == [every]
    assert _alembic("Session(bind=op.get_bind()).query(Item).delete()", "pass") == [every]
    rows = ("migration-delete-rows", 7, "rows of Item", 0.5)
    assert _alembic("session.query(Item).filter(Item.state == 'old').delete()", "pass") == [rows]
    assert _alembic("session.query(Item).filter_by(state='old').delete()", None) == [rows]
    assert _alembic("session.query(Item).filter_by(state='old').delete()", "session.add_all(saved)") == []
    assert _alembic("session.query(Item).filter_by(state='old').delete()",
                    "session.bulk_save_objects(saved)") == []
    assert _alembic("session.delete(item)", "pass") == []  # one object
    assert _alembic("session.query(Item).filter_by(state='old').all()", "pass") == []  # no delete
    text = ("from alembic import op\nfrom sqlalchemy.orm import Session\n\nfrom app.models import Token\n\n\n"
            "def upgrade():\n    session = Session(bind=op.get_bind())\n"
            "    session.query(Token).filter(Token.expired.is_(True)).delete()\n    session.commit()\n\n\n"
            "def downgrade():\n    pass\n")
    result = _change(make_repo, {"README": "x"}, {"alembic/versions/3_tokens.py": text})
    assert [f.summary() for f in result.findings] == [
        "alembic/versions/3_tokens.py:9: rows of Token: upgrade(), line 9, deletes those matched by "
        ".filter(Token.expired.is_(True)); downgrade() (line 13) does not bring them back: it inserts no row"]


def test_an_alembic_filtered_delete_reads_its_table_line_and_downgrade(make_repo) -> None:
    text = ('from alembic import op\n\n\ndef upgrade():\n    op.execute("DELETE FROM items WHERE state = \'old\'")\n'
            "\n\ndef downgrade():\n    pass\n")
    result = _change(make_repo, {"README": "x"}, {"alembic/versions/1_purge.py": text})
    assert [f.summary() for f in result.findings] == [
        "alembic/versions/1_purge.py:5: rows of items: upgrade(), line 5, deletes those matched by "
        "WHERE state = 'old'; downgrade() (line 8) does not bring them back: it inserts no row"]
