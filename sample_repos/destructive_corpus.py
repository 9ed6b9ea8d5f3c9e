"""A corpus of destructive changes and benign look-alikes, per format, built into one real repository.

Each Case is a base file map and a head file map; `build(dest)` writes every case as its own two-commit
branch `case/<name>` (base commit, then head), deterministically. `destructive` says whether a
reviewer must be warned; `expect` is a word the finding's target or reason must contain.
The tests (tests/unit/test_destructive_corpus.py) and bench/destructive_table.py read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .builder import Clock, Person, RepoBuilder

AUTHOR = Person("Corpus Builder", "corpus@example.com")


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    base: dict[str, str]
    head: dict[str, str | None]
    destructive: bool
    expect: str = ""  # a word the finding must contain (target or reason), lower case
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _d(
    name: str, family: str, base: dict[str, str], head: dict[str, str | None], expect: str, note: str = ""
) -> Case:
    return Case(name, family, base, head, True, expect, note)


def _b(name: str, family: str, base: dict[str, str], head: dict[str, str | None], note: str = "") -> Case:
    return Case(name, family, base, head, False, "", note)


# ==================================================================================================
# Terraform
# ==================================================================================================

_DB = """resource "aws_db_instance" "main" {
  identifier          = "orders-db"
  engine              = "postgres"
  instance_class      = "db.t3.medium"
  allocated_storage   = 50
  deletion_protection = true
  skip_final_snapshot = false
  count               = 1

  lifecycle {
    prevent_destroy = true
  }

  tags = {
    Team = "orders"
  }
}
"""
_BUCKET = """resource "aws_s3_bucket" "logs" {
  bucket = "orders-logs"
}
"""
_VPC = """module "vpc" {
  source = "./modules/vpc"
  cidr   = "10.0.0.0/16"
}
"""
_QUEUES = """resource "aws_sqs_queue" "jobs" {
  for_each = toset(["emails", "invoices"])
  name     = "orders-${each.key}"
}
"""
_WORKERS = """resource "aws_instance" "worker" {
  count         = 2
  ami           = "ami-0abc"
  instance_type = "t3.small"
}
"""
_TF = "infra/main.tf"


def _tf(*blocks: str) -> dict[str, str]:
    return {_TF: "\n".join(blocks)}


TERRAFORM = [
    _d(
        "tf-count-1-to-0",
        "terraform",
        _tf(_DB),
        _tf(_DB.replace("count               = 1", "count               = 0")),
        "count",
    ),
    _d(
        "tf-for-each-to-empty",
        "terraform",
        _tf(_QUEUES),
        _tf(_QUEUES.replace('["emails", "invoices"]', "[]")),
        "for_each",
    ),
    _d("tf-for-each-loses-key", "terraform", _tf(_QUEUES), _tf(_QUEUES.replace('"emails", ', "")), "emails"),
    _d(
        "tf-count-shrinks",
        "terraform",
        _tf(_WORKERS),
        _tf(_WORKERS.replace("count         = 2", "count         = 1")),
        "worker[1]",
    ),
    _d("tf-resource-removed", "terraform", _tf(_DB, _BUCKET), _tf(_DB), "aws_s3_bucket.logs"),
    _d("tf-module-removed", "terraform", _tf(_DB, _VPC), _tf(_DB), "module.vpc"),
    _d(
        "tf-file-deleted",
        "terraform",
        {**_tf(_DB), "infra/storage.tf": _BUCKET},
        {"infra/storage.tf": None},
        "aws_s3_bucket.logs",
    ),
    _d(
        "tf-renamed-without-moved",
        "terraform",
        _tf(_BUCKET),
        _tf(_BUCKET.replace('"logs"', '"access_logs"')),
        "aws_s3_bucket.logs",
    ),
    _d(
        "tf-prevent-destroy-removed",
        "terraform",
        _tf(_DB),
        _tf(_DB.replace("  lifecycle {\n    prevent_destroy = true\n  }\n\n", "")),
        "prevent_destroy",
    ),
    _d(
        "tf-prevent-destroy-false",
        "terraform",
        _tf(_DB),
        _tf(_DB.replace("prevent_destroy = true", "prevent_destroy = false")),
        "prevent_destroy",
    ),
    _d(
        "tf-deletion-protection-off",
        "terraform",
        _tf(_DB),
        _tf(_DB.replace("deletion_protection = true", "deletion_protection = false")),
        "deletion_protection",
    ),
    _d(
        "tf-skip-final-snapshot-on",
        "terraform",
        _tf(_DB),
        _tf(_DB.replace("skip_final_snapshot = false", "skip_final_snapshot = true")),
        "snapshot",
    ),
    _d(
        "tf-engine-forces-replacement",
        "terraform",
        _tf(_DB),
        _tf(_DB.replace('engine              = "postgres"', 'engine              = "mysql"')),
        "replacement",
    ),
    _d(
        "tf-bucket-name-forces-replacement",
        "terraform",
        _tf(_BUCKET),
        _tf(_BUCKET.replace('"orders-logs"', '"orders-logs-v2"')),
        "replacement",
    ),
    _d(
        "tf-removed-block-destroys",
        "terraform",
        _tf(_DB, _BUCKET),
        _tf(_DB, "removed {\n  from = aws_s3_bucket.logs\n}\n"),
        "aws_s3_bucket.logs",
    ),
    _d(
        "tf-count-to-for-each",
        "terraform",
        _tf(_WORKERS),
        _tf(_WORKERS.replace("count         = 2", 'for_each      = toset(["a", "b"])')),
        "re-addressed",
    ),
    _d(
        "tf-force-destroy-on-existing",
        "terraform",
        _tf(_BUCKET),
        _tf(
            _BUCKET.replace('bucket = "orders-logs"', 'bucket        = "orders-logs"\n  force_destroy = true')
        ),
        "force_destroy",
    ),
    _d(
        "tfvars-count-to-zero",
        "terraform",
        {"infra/prod.tfvars": 'db_count = 1\nregion = "eu-west-1"\n'},
        {"infra/prod.tfvars": 'db_count = 0\nregion = "eu-west-1"\n'},
        "db_count",
    ),
    _b(
        "tf-renamed-with-moved",
        "terraform",
        _tf(_BUCKET),
        _tf(
            _BUCKET.replace('"logs"', '"access_logs"'),
            "moved {\n  from = aws_s3_bucket.logs\n  to   = aws_s3_bucket.access_logs\n}\n",
        ),
    ),
    _b("tf-moved-to-another-file", "terraform", _tf(_DB, _BUCKET), {**_tf(_DB), "infra/storage.tf": _BUCKET}),
    _b(
        "tf-removed-forget",
        "terraform",
        _tf(_DB, _BUCKET),
        _tf(_DB, "removed {\n  from = aws_s3_bucket.logs\n  lifecycle {\n    destroy = false\n  }\n}\n"),
    ),
    _b(
        "tf-new-bucket-force-destroy",
        "terraform",
        _tf(_DB),
        _tf(
            _DB,
            'resource "aws_s3_bucket" "scratch" {\n  bucket        = "orders-scratch"\n'
            "  force_destroy = true\n}\n",
        ),
    ),
    _b(
        "tf-identifier-moved-to-a-local",
        "terraform",
        _tf(_DB.replace('"orders-db"', "var.identifier")),
        _tf(_DB.replace('"orders-db"', "local.identifier")),
    ),
    _d(
        "tf-interpolated-identifier-changes",
        "terraform",
        _tf(_DB.replace('"orders-db"', '"orders-${var.env}"')),
        _tf(_DB.replace('"orders-db"', '"orders-v2-${var.env}"')),
        "replacement",
    ),
    _b("tf-tags-change", "terraform", _tf(_DB), _tf(_DB.replace('Team = "orders"', 'Team = "payments"'))),
    _b(
        "tf-instance-class-in-place",
        "terraform",
        _tf(_DB),
        _tf(_DB.replace('"db.t3.medium"', '"db.t3.large"')),
    ),
    _b(
        "tf-count-grows",
        "terraform",
        _tf(_WORKERS),
        _tf(_WORKERS.replace("count         = 2", "count         = 3")),
    ),
    _b(
        "tf-data-source-removed",
        "terraform",
        _tf(_DB, 'data "aws_ami" "ubuntu" {\n  most_recent = true\n}\n'),
        _tf(_DB),
    ),
    _b(
        "tf-comment-mentions-count-zero",
        "terraform",
        _tf(_DB),
        _tf(
            _DB.replace(
                "  count               = 1\n",
                "  count               = 1 # set count = 0 to destroy; prevent_destroy = false\n",
            )
        ),
    ),
    _b(
        "tf-protection-turned-on",
        "terraform",
        _tf(_BUCKET),
        _tf(_BUCKET.replace("}", "  lifecycle {\n    prevent_destroy = true\n  }\n}")),
    ),
]

# ==================================================================================================
# SQL files and migration formats
# ==================================================================================================

_CREATE_USERS = "CREATE TABLE users (id bigint primary key, email text not null);\n"

SQL = [
    _d(
        "sql-lowercase-drop",
        "sql",
        {"db/schema.sql": _CREATE_USERS},
        {"db/migrations/004_cleanup.sql": "drop table users;\n"},
        "users",
    ),
    _d(
        "flyway-v3-drop",
        "sql",
        {"src/main/resources/db/migration/V1__init.sql": _CREATE_USERS},
        {
            "src/main/resources/db/migration/V3__drop_legacy.sql": "-- legacy orders are archived\n"
            "DROP TABLE legacy_orders;\n"
        },
        "legacy_orders",
    ),
    _d(
        "dbmate-down-drops-unrelated",
        "sql",
        {"db/migrations/20240101_init.sql": _CREATE_USERS},
        {
            "db/migrations/20240301_nick.sql": "-- migrate:up\nALTER TABLE users ADD COLUMN nick text;\n\n"
            "-- migrate:down\nDROP TABLE users;\n"
        },
        "users",
    ),
    _d(
        "goose-up-drop-column",
        "sql",
        {"migrations/00001_init.sql": _CREATE_USERS},
        {
            "migrations/00002_drop_email.sql": "-- +goose Up\nALTER TABLE users DROP COLUMN email;\n\n"
            "-- +goose Down\nALTER TABLE users ADD COLUMN email text;\n"
        },
        "email",
    ),
    _d(
        "goose-down-drops-unrelated",
        "sql",
        {"migrations/00001_init.sql": _CREATE_USERS},
        {
            "migrations/00003_index.sql": "-- +goose Up\nCREATE INDEX users_email ON users (email);\n\n"
            "-- +goose Down\nDROP TABLE users;\n"
        },
        "users",
    ),
    _d(
        "sql-delete-where-1-1",
        "sql",
        {"db/cleanup.sql": "SELECT 1;\n"},
        {"db/cleanup.sql": "SELECT 1;\nDELETE FROM users WHERE 1=1;\n"},
        "always true",
    ),
    _d(
        "sql-delete-no-where-multiline",
        "sql",
        {"db/cleanup.sql": "SELECT 1;\n"},
        {"db/cleanup.sql": "SELECT 1;\nDELETE\n  FROM users\n;\n"},
        "users",
    ),
    _d(
        "sql-4000-spaces-before-drop",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {"db/patch.sql": "SELECT 1;\n" + " " * 4000 + "DROP TABLE users;\n"},
        "users",
    ),
    _d(
        "sql-truncate",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {"db/patch.sql": "SELECT 1;\ntruncate orders;\n"},
        "orders",
    ),
    _d(
        "sql-update-without-where",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {"db/patch.sql": "SELECT 1;\nUPDATE users SET email = lower(email);\n"},
        "users",
    ),
    _d(
        "sql-drop-schema-cascade",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {"db/patch.sql": "SELECT 1;\nDROP SCHEMA billing CASCADE;\n"},
        "billing",
    ),
    _d(
        "sql-mysql-drop-without-column-word",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {"db/patch.sql": "SELECT 1;\nALTER TABLE users DROP email;\n"},
        "email",
    ),
    _d(
        "sql-drop-after-dollar-quoted-body",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {
            "db/patch.sql": "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nDROP "
            "TABLE invoices;\n"
        },
        "invoices",
    ),
    _b(
        "sql-scratch-table",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {
            "db/patch.sql": "CREATE TABLE tmp_ids (id bigint);\nINSERT INTO tmp_ids SELECT id FROM users;\n"
            "DELETE FROM tmp_ids;\nDROP TABLE tmp_ids;\n"
        },
    ),
    _b(
        "dbmate-down-undoes-up",
        "sql",
        {"db/migrations/20240101_init.sql": _CREATE_USERS},
        {
            "db/migrations/20240302_orders.sql": "-- migrate:up\nCREATE TABLE orders (id bigint);\n"
            "ALTER TABLE users ADD COLUMN nick text;\n\n"
            "-- migrate:down\nDROP TABLE orders;\nALTER TABLE users DROP COLUMN nick;\n"
        },
    ),
    _b(
        "golang-migrate-down-file-pair",
        "sql",
        {"db/migrations/000001_init.up.sql": _CREATE_USERS},
        {
            "db/migrations/000002_orders.up.sql": "CREATE TABLE orders (id bigint);\n",
            "db/migrations/000002_orders.down.sql": "DROP TABLE orders;\n",
        },
    ),
    # an index and a default guard nothing (FIX106: a constraint drop is a finding, below)
    _b(
        "sql-drop-index-and-default",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {
            "db/patch.sql": "DROP INDEX users_email;\nALTER TABLE users ALTER COLUMN email DROP DEFAULT;\n"
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
        },
    ),
    _b(
        "sql-delete-with-where",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {
            "db/patch.sql": "DELETE FROM sessions WHERE expires_at < now();\n"
            "DELETE FROM users WHERE id IN (SELECT user_id FROM bans);\n"
        },
    ),
    _b(
        "sql-drop-in-comment-and-string",
        "sql",
        {"db/patch.sql": "SELECT 1;\n"},
        {
            "db/patch.sql": "-- DROP TABLE users;\n/* TRUNCATE orders; */\n"
            "INSERT INTO audit (note) VALUES ('DROP TABLE users; DELETE FROM x');\n"
        },
    ),
    _b(
        "sql-backfill-new-column",
        "sql",
        {"db/migrations/001.sql": _CREATE_USERS},
        {
            "db/migrations/002_nick.sql": "ALTER TABLE users ADD COLUMN nick text;\nUPDATE users "
            "SET nick = '';\n"
        },
    ),
    _b(
        "sql-unchanged-drop-context",
        "sql",
        {"db/patch.sql": "DROP TABLE old_audit;\nSELECT 1;\n"},
        {"db/patch.sql": "DROP TABLE old_audit;\nSELECT 2;\n"},
    ),
]

# ==================================================================================================
# migrations in code
# ==================================================================================================

_ALEMBIC = '''"""{doc}"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
{up}


def downgrade():
{down}
'''


def _alembic(up: str, down: str = "    pass", doc: str = "change") -> dict[str, str]:
    return {"alembic/versions/b2_change.py": _ALEMBIC.format(doc=doc, up=up, down=down)}


_ALEMBIC_BASE = {
    "alembic/versions/a1_init.py": _ALEMBIC.format(
        doc="init", up="    op.create_table('users')", down="    op.drop_table('users')"
    )
}
_DJANGO_HEAD = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [
{ops}
    ]
"""


def _django(ops: str) -> dict[str, str]:
    return {"billing/migrations/0002_change.py": _DJANGO_HEAD.format(ops=ops)}


_RAILS = """class {name} < ActiveRecord::Migration[7.1]
{body}
end
"""
MIGRATIONS = [
    _d(
        "alembic-lowercase-execute",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic('    op.execute("drop table users")'),
        "users",
    ),
    _d(
        "alembic-fstring-drop",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic('    table = "users"\n    op.execute(f"DROP TABLE {table}")'),
        "drop table",
    ),
    _d(
        "alembic-concatenated-drop",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic('    name = get_name()\n    op.execute("DROP TABLE " + name)'),
        "drop table",
    ),
    _d(
        "alembic-sql-in-variable",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic('    sql = "TRUNCATE audit_log"\n    conn = op.get_bind()\n    conn.execute(sa.text(sql))'),
        "audit_log",
    ),
    _d(
        "alembic-drop-column",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic('    op.drop_column("users", "email")'),
        "email",
    ),
    _d(
        "alembic-batch-drop-column",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic(
            '    with op.batch_alter_table("users") as batch_op:\n        batch_op.drop_column("email")'
        ),
        "email",
    ),
    _d(
        "alembic-downgrade-drops-unrelated",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic('    op.add_column("users", sa.Column("nick", sa.Text()))', '    op.drop_table("users")'),
        "users",
    ),
    _d(
        "django-delete-model",
        "migration-code",
        {"billing/models.py": "x = 1\n"},
        _django('        migrations.DeleteModel(name="Invoice"),'),
        "invoice",
    ),
    _d(
        "django-runsql-delete-all",
        "migration-code",
        {"billing/models.py": "x = 1\n"},
        _django('        migrations.RunSQL("DELETE FROM billing_audit"),'),
        "billing_audit",
    ),
    _d(
        "django-remove-field",
        "migration-code",
        {"billing/models.py": "x = 1\n"},
        _django('        migrations.RemoveField(model_name="invoice", name="tax_id"),'),
        "tax_id",
    ),
    _d(
        "rails-drop-table",
        "migration-code",
        {"db/schema.rb": "# schema\n"},
        {
            "db/migrate/20240301_drop_legacy.rb": _RAILS.format(
                name="DropLegacy", body="  def up\n    drop_table :legacy_orders\n  end"
            )
        },
        "legacy_orders",
    ),
    _d(
        "rails-execute-heredoc",
        "migration-code",
        {"db/schema.rb": "# schema\n"},
        {
            "db/migrate/20240302_cleanup.rb": _RAILS.format(
                name="Cleanup",
                body="  def up\n    execute <<~SQL\n      delete from sessions\n    SQL\n  end",
            )
        },
        "sessions",
    ),
    _d(
        "goose-go-exec-drop",
        "migration-code",
        {"go.mod": "module x\n"},
        {
            "db/migrations/00004_drop.go": "package migrations\n\nfunc upDrop(tx *sql.Tx) error {\n"
            '\t_, err := tx.Exec("DROP TABLE payments")\n\treturn err\n}\n'
        },
        "payments",
    ),
    _d(
        "knex-drop-table",
        "migration-code",
        {"package.json": "{}\n"},
        {
            "migrations/20240301_drop.js": "exports.up = function (knex) {\n  return "
            "knex.schema.dropTable('carts');\n};\n"
            "exports.down = function () {};\n"
        },
        "carts",
    ),
    _b(
        "alembic-create-then-downgrade-drop",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic('    op.create_table("orders", sa.Column("id", sa.Integer))', '    op.drop_table("orders")'),
    ),
    _b(
        "alembic-add-column-downgrade-drops-it",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic(
            '    op.add_column("users", sa.Column("nick", sa.Text()))', '    op.drop_column("users", "nick")'
        ),
    ),
    _b(
        "alembic-drop-index",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic('    op.drop_index("ix_users_email")'),
    ),
    _b(
        "alembic-docstring-mentions-drop",
        "migration-code",
        _ALEMBIC_BASE,
        _alembic(
            '    op.add_column("users", sa.Column("nick", sa.Text()))',
            doc="Add nick. The next migration will drop table users; truncate audit later.",
        ),
    ),
    _b(
        "rails-add-then-down-removes-it",
        "migration-code",
        {"db/schema.rb": "# schema\n"},
        {
            "db/migrate/20240303_nick.rb": _RAILS.format(
                name="Nick",
                body="  def up\n    add_column :users, :nick, :string\n  end\n\n"
                "  def down\n    remove_column :users, :nick\n  end",
            )
        },
    ),
]

# ==================================================================================================
# Liquibase
# ==================================================================================================

_XML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/'
    'dbchangelog">\n'
)
_XML_TAIL = "</databaseChangeLog>\n"


def _xml(body: str) -> dict[str, str]:
    return {"db/changelog/002-change.xml": _XML_HEAD + body + _XML_TAIL}


def _lb_yaml(changes: str, rollback: str = "") -> dict[str, str]:
    text = (
        "databaseChangeLog:\n  - changeSet:\n      id: 2\n      author: dev\n      changes:\n"
        + changes
        + (f"      rollback:\n{rollback}" if rollback else "")
    )
    return {"db/changelog/002-change.yaml": text}


_LB_BASE = {
    "db/changelog/001-init.xml": _XML_HEAD + '  <changeSet id="1" author="dev">\n'
    '    <createTable tableName="users"><column name="id" type="bigint"/></createTable>\n'
    "  </changeSet>\n" + _XML_TAIL
}
LIQUIBASE = [
    _d(
        "liquibase-xml-drop-table",
        "liquibase",
        _LB_BASE,
        _xml('  <changeSet id="2" author="dev">\n    <dropTable tableName="users"/>\n  </changeSet>\n'),
        "users",
    ),
    _d(
        "liquibase-xml-drop-column",
        "liquibase",
        _LB_BASE,
        _xml(
            '  <changeSet id="2" author="dev">\n    <dropColumn tableName="users" columnName="email"/>\n'
            "  </changeSet>\n"
        ),
        "email",
    ),
    _d(
        "liquibase-xml-sql-delete",
        "liquibase",
        _LB_BASE,
        _xml('  <changeSet id="2" author="dev">\n    <sql>delete from users</sql>\n  </changeSet>\n'),
        "users",
    ),
    _d(
        "liquibase-yaml-drop-table",
        "liquibase",
        _LB_BASE,
        _lb_yaml("        - dropTable:\n            tableName: users\n"),
        "users",
    ),
    _d(
        "liquibase-json-drop-table",
        "liquibase",
        _LB_BASE,
        {
            "db/changelog/003.json": '{"databaseChangeLog": [{"changeSet": {"id": "3", "author": '
            '"dev", "changes": '
            '[{"dropTable": {"tableName": "orders"}}]}}]}\n'
        },
        "orders",
    ),
    _b(
        "liquibase-xml-create-with-rollback-drop",
        "liquibase",
        _LB_BASE,
        _xml(
            '  <changeSet id="2" author="dev">\n    <createTable tableName="orders">'
            '<column name="id" type="bigint"/></createTable>\n'
            '    <rollback><dropTable tableName="orders"/></rollback>\n  </changeSet>\n'
        ),
    ),
    _b(
        "liquibase-yaml-add-column-rollback-drop",
        "liquibase",
        _LB_BASE,
        _lb_yaml(
            "        - addColumn:\n            tableName: users\n            columns:\n"
            "              - column:\n                  name: nick\n                  type: text\n",
            "        - dropColumn:\n            tableName: users\n            columnName: nick\n",
        ),
    ),
    # an index holds no data: dropping it slows queries, it loses nothing
    _b(
        "liquibase-xml-drop-index",
        "liquibase",
        _LB_BASE,
        _xml('  <changeSet id="2" author="dev">\n    <dropIndex tableName="users" indexName="ix_email"/>\n'
             "  </changeSet>\n"),
    ),
    # QA58 (Apache Fineract, 39 renameColumn and 163 modifyDataType in its changelogs): the rows stay, but every
    # query and report that names the column, and a narrower type's values, break; weighed half a drop
    _d(
        "liquibase-xml-rename-column",
        "liquibase",
        _LB_BASE,
        _xml('  <changeSet id="2" author="dev">\n    <renameColumn tableName="users" oldColumnName="email" '
             'newColumnName="mail" columnDataType="varchar(100)"/>\n  </changeSet>\n'),
        "email",
    ),
    _d(
        "liquibase-xml-rename-table",
        "liquibase",
        _LB_BASE,
        _xml('  <changeSet id="2" author="dev">\n    <renameTable oldTableName="users" '
             'newTableName="accounts"/>\n  </changeSet>\n'),
        "users",
    ),
    _d(
        "liquibase-yaml-modify-data-type",
        "liquibase",
        _LB_BASE,
        _lb_yaml("        - modifyDataType:\n            tableName: users\n            columnName: balance\n"
                 "            newDataType: DECIMAL(19,2)\n"),
        "decimal(19,2)",
    ),
    # QA58 (Apache Fineract pr/3173 edits 0001_initial_schema.xml; 40970e830 took a renameColumn out of a changeSet that
    # had run, with a validCheckSum): Liquibase refuses to start on a database whose ran changeSet changed
    _d(
        "liquibase-xml-edited-changeset",
        "liquibase",
        _LB_BASE,
        {"db/changelog/001-init.xml": _XML_HEAD + '  <changeSet id="1" author="dev">\n'
         '    <createTable tableName="users"><column name="id" type="bigint"/><column name="email" type="text"/>'
         "</createTable>\n  </changeSet>\n" + _XML_TAIL},
        "refuses to start",
    ),
    # reformatted, commented, and a changeSet added after it: what ran is unchanged
    _b(
        "liquibase-xml-reformatted-changeset-and-a-new-one",
        "liquibase",
        _LB_BASE,
        {"db/changelog/001-init.xml": _XML_HEAD + '  <changeSet id="1" author="dev">\n    <comment>users</comment>\n'
         '    <createTable tableName="users">\n      <column name="id" type="bigint"/>\n    </createTable>\n'
         '  </changeSet>\n  <changeSet id="2" author="dev">\n    <createTable tableName="orders"><column name="id" '
         'type="bigint"/></createTable>\n  </changeSet>\n' + _XML_TAIL},
    ),
    # renaming or retyping a column the same changeset adds: nothing reads it yet
    _b(
        "liquibase-xml-add-then-rename-column",
        "liquibase",
        _LB_BASE,
        _xml('  <changeSet id="2" author="dev">\n    <addColumn tableName="users"><column name="nick" type="text"/>'
             '</addColumn>\n    <renameColumn tableName="users" oldColumnName="nick" newColumnName="alias"/>\n'
             '    <modifyDataType tableName="users" columnName="nick" newDataType="varchar(20)"/>\n'
             "  </changeSet>\n"),
    ),
]

# ==================================================================================================
# Kubernetes
# ==================================================================================================


def _job(command: str, name: str = "cleanup") -> str:
    return (
        f"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  namespace: ops\nspec:\n  template:\n"
        f"    spec:\n      restartPolicy: Never\n      containers:\n        - name: run\n"
        f"          image: bitnami/kubectl:1.29\n          command: {command}\n"
    )


_DEPLOY = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n"
    "      containers:\n        - name: api\n          image: registry/api:1.0\n"
)
_PVC = (
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: orders-data\n  namespace: prod\nspec:\n"
    "  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 50Gi\n"
)
_PV = (
    "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: orders-pv\nspec:\n  capacity:\n    "
    "storage: 50Gi\n"
    "  persistentVolumeReclaimPolicy: Retain\n"
)
KUBERNETES = [
    _d(
        "k8s-job-kubectl-delete-namespace",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY},
        {"k8s/cleanup-job.yaml": _job('["kubectl", "delete", "namespace", "prod"]')},
        "namespace prod",
    ),
    _d(
        "k8s-job-block-list-command",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY},
        {
            "k8s/cleanup-job.yaml": _job(
                "\n            - kubectl\n            - delete\n            - ns\n            - prod"
            )
        },
        "namespace prod",
    ),
    _d(
        "k8s-job-sh-c-delete",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY},
        {"k8s/cleanup-job.yaml": _job('["/bin/sh", "-c", "echo bye && kubectl delete namespace staging"]')},
        "namespace staging",
    ),
    _d(
        "k8s-cronjob-rm-rf-data",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY},
        {
            "k8s/purge.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: purge\nspec:\n"
            "  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
            "          containers:\n            - name: purge\n              image: busybox\n"
            '              command: ["sh", "-c", "rm -rf /$DATA_DIR/*"]\n'
        },
        "data_dir",
    ),
    _d(
        "k8s-pvc-removed",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY + "---\n" + _PVC},
        {"k8s/api.yaml": _DEPLOY},
        "orders-data",
    ),
    _d(
        "k8s-reclaim-policy-delete",
        "kubernetes",
        {"k8s/pv.yaml": _PV},
        {"k8s/pv.yaml": _PV.replace("Retain", "Delete")},
        "reclaim",
    ),
    _b(
        "k8s-job-kubectl-delete-pod",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY},
        {"k8s/restart-job.yaml": _job('["kubectl", "delete", "pod", "-l", "app=api"]', "restart")},
    ),
    _b(
        "k8s-image-bump",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY},
        {"k8s/api.yaml": _DEPLOY.replace("1.0", "1.1")},
    ),
    _b(
        "k8s-pvc-moved-to-own-file",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY + "---\n" + _PVC},
        {"k8s/api.yaml": _DEPLOY, "k8s/storage.yaml": _PVC},
    ),
    _b(
        "k8s-job-kubectl-get",
        "kubernetes",
        {"k8s/api.yaml": _DEPLOY},
        {"k8s/report-job.yaml": _job('["kubectl", "get", "namespace", "prod", "-o", "yaml"]', "report")},
    ),
]

# ==================================================================================================
# shell scripts, Makefiles, Dockerfiles
# ==================================================================================================

_SH = "#!/usr/bin/env bash\nset -euo pipefail\n"
SHELL = [
    _d(
        "sh-rm-rf-root-variable",
        "shell",
        {"scripts/deploy.sh": _SH + "echo deploy\n"},
        {"scripts/deploy.sh": _SH + "echo deploy\nrm -rf /$DIR/*\n"},
        "dir",
    ),
    _d(
        "sh-rm-rf-quoted-variable-slash",
        "shell",
        {"scripts/clean.sh": _SH + "echo clean\n"},
        {"scripts/clean.sh": _SH + 'echo clean\nrm -rf "$BUILD_ROOT"/\n'},
        "build_root",
    ),
    _d(
        "sh-git-push-delete-main",
        "shell",
        {"scripts/release.sh": _SH + "git push origin main\n"},
        {"scripts/release.sh": _SH + "git push origin --delete main\n"},
        "main",
    ),
    _d(
        "sh-git-push-colon-refspec",
        "shell",
        {"scripts/release.sh": _SH + "git push origin main\n"},
        {"scripts/release.sh": _SH + "git push origin :release\n"},
        "release",
    ),
    _d(
        "sh-terraform-destroy",
        "shell",
        {"scripts/infra.sh": _SH + "terraform plan\n"},
        {"scripts/infra.sh": _SH + "terraform -chdir=infra destroy -auto-approve\n"},
        "destroy",
    ),
    _d(
        "sh-kubectl-delete-namespace",
        "shell",
        {"scripts/reset.sh": _SH + "kubectl get pods\n"},
        {"scripts/reset.sh": _SH + "kubectl get pods && kubectl --context prod delete namespace payments\n"},
        "namespace payments",
    ),
    _d(
        "sh-psql-drop",
        "shell",
        {"scripts/db.sh": _SH + "psql -c 'select 1'\n"},
        {"scripts/db.sh": _SH + "psql \"$DATABASE_URL\" -c 'drop table users'\n"},
        "users",
    ),
    _d(
        "sh-aws-s3-rb",
        "shell",
        {"scripts/cleanup.sh": _SH + "aws s3 ls\n"},
        {"scripts/cleanup.sh": _SH + "aws s3 rb s3://orders-backups --force\n"},
        "bucket",
    ),
    _d(
        "makefile-rm-rf-variable",
        "shell",
        {"Makefile": "build:\n\tgo build ./...\n"},
        {"Makefile": "build:\n\tgo build ./...\n\nclean:\n\trm -rf $(OUT_DIR)/*\n"},
        "out_dir",
    ),
    _d(
        "dockerfile-run-continued",
        "shell",
        {"Dockerfile": "FROM debian\nRUN apt-get update\n"},
        {"Dockerfile": "FROM debian\nRUN apt-get update && \\\n    rm -rf /$CACHE/*\n"},
        "cache",
    ),
    _b(
        "sh-rm-rf-build-dirs",
        "shell",
        {"scripts/clean.sh": _SH + "echo clean\n"},
        {"scripts/clean.sh": _SH + "echo clean\nrm -rf build dist .pytest_cache\n"},
    ),
    _b(
        "sh-rm-rf-guarded-variable",
        "shell",
        {"scripts/clean.sh": _SH + "echo clean\n"},
        {"scripts/clean.sh": _SH + 'echo clean\nrm -rf "${DIR:?}/"*\n'},
    ),
    _b(
        "sh-rm-rf-variable-subdir",
        "shell",
        {"scripts/clean.sh": _SH + "echo clean\n"},
        {"scripts/clean.sh": _SH + 'echo clean\nrm -rf "$TMPDIR/review-cache" "$OUT/build"\n'},
    ),
    _b(
        "sh-git-push-branch",
        "shell",
        {"scripts/release.sh": _SH + "git fetch\n"},
        {"scripts/release.sh": _SH + "git fetch\ngit push origin main --tags\n"},
    ),
    _b(
        "sh-echo-mentions-destroy",
        "shell",
        {"scripts/infra.sh": _SH + "terraform plan\n"},
        {
            "scripts/infra.sh": _SH + "terraform plan\necho 'never run terraform destroy or rm -rf / here'\n"
            "# rm -rf /\n"
        },
    ),
    _b(
        "sh-terraform-plan-destroy",
        "shell",
        {"scripts/infra.sh": _SH + "terraform plan\n"},
        {"scripts/infra.sh": _SH + "terraform plan -destroy -out=destroy.plan\n"},
    ),
]

# ==================================================================================================
# calls in Python code
# ==================================================================================================

PYTHON = [
    _d(
        "py-subprocess-terraform-destroy",
        "python",
        {"tools/infra.py": "import subprocess\n"},
        {
            "tools/infra.py": "import subprocess\n\n\ndef teardown():\n"
            '    subprocess.run(["terraform", "destroy", "-auto-approve"], check=True)\n'
        },
        "destroy",
    ),
    _d(
        "py-shell-true-rm",
        "python",
        {"tools/clean.py": "import subprocess\n"},
        {
            "tools/clean.py": "import subprocess\n\n\ndef clean(d):\n"
            '    subprocess.run(f"rm -rf /{d}/*", shell=True)\n'
        },
        "rm",
    ),
    _d(
        "py-os-system-kubectl",
        "python",
        {"tools/reset.py": "import os\n"},
        {"tools/reset.py": 'import os\n\nos.system("kubectl delete namespace " + "prod")\n'},
        "namespace prod",
    ),
    _d(
        "py-boto3-delete-bucket",
        "python",
        {"tools/aws.py": "import boto3\n"},
        {
            "tools/aws.py": 'import boto3\n\ns3 = boto3.client("s3")\n\n\ndef purge():\n'
            '    s3.delete_bucket(Bucket="orders-backups")\n'
        },
        "bucket",
    ),
    _d(
        "py-boto3-terminate-instances",
        "python",
        {"tools/aws.py": "import boto3\n"},
        {
            "tools/aws.py": 'import boto3\n\n\ndef stop_all(ids):\n    ec2 = boto3.client("ec2")\n'
            "    ec2.terminate_instances(InstanceIds=ids)\n"
        },
        "instances",
    ),
    _d(
        "py-boto3-resource-bucket-delete",
        "python",
        {"tools/aws.py": "import boto3\n"},
        {
            "tools/aws.py": 'import boto3\n\nbucket = boto3.resource("s3").Bucket("orders-logs")\n'
            "bucket.objects.all().delete()\nbucket.delete()\n"
        },
        "delete",
    ),
    _d(
        "py-gcloud-bucket-delete",
        "python",
        {"tools/gcp.py": "from google.cloud import storage\n"},
        {
            "tools/gcp.py": "from google.cloud import storage\n\nclient = storage.Client()\n"
            'client.bucket("orders-archive").delete(force=True)\n'
        },
        "delete",
    ),
    _d(
        "py-azure-resource-group-delete",
        "python",
        {"tools/az.py": "x = 1\n"},
        {
            "tools/az.py": "from azure.mgmt.resource import ResourceManagementClient\n\n\ndef "
            "drop(cred, sub):\n"
            "    client = ResourceManagementClient(cred, sub)\n"
            '    client.resource_groups.begin_delete("orders-prod")\n'
        },
        "orders-prod",
    ),
    _b(
        "py-subprocess-terraform-plan",
        "python",
        {"tools/infra.py": "import subprocess\n"},
        {
            "tools/infra.py": 'import subprocess\n\nsubprocess.run(["terraform", "plan", "-out", '
            '"tf.plan"], check=True)\n'
        },
    ),
    _b(
        "py-boto3-delete-object",
        "python",
        {"app/storage.py": "import boto3\n"},
        {
            "app/storage.py": 'import boto3\n\ns3 = boto3.client("s3")\n\n\ndef forget(key):\n'
            '    s3.delete_object(Bucket="uploads", Key=key)\n'
        },
    ),
    _b(
        "py-orm-and-http-deletes",
        "python",
        {"app/users.py": "x = 1\n"},
        {
            "app/users.py": "import requests\n\n\ndef remove(session, user, url):\n    session.delete(user)\n"
            '    requests.delete(url)\n    cache = {}\n    cache.pop("k", None)\n'
        },
    ),
    _b(
        "py-rmtree-tempdir",
        "python",
        {"app/work.py": "import shutil\n"},
        {"app/work.py": "import shutil\nimport tempfile\n\nd = tempfile.mkdtemp()\nshutil.rmtree(d)\n"},
    ),
]

# ==================================================================================================
# CI: GitHub Actions and GitLab CI
# ==================================================================================================

_WF = """name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Run tests
        run: pytest -q
      - name: Lint
        run: ruff check .
      - name: Upload coverage
        uses: actions/upload-artifact@v4
        with:
          name: coverage
          path: coverage.xml
  codeql:
    runs-on: ubuntu-latest
    steps:
      - uses: github/codeql-action/analyze@v3
"""
_WF_PATH = ".github/workflows/ci.yml"


def _wf(text: str) -> dict[str, str]:
    return {_WF_PATH: text}


_GL = """stages: [test, deploy]
unit-tests:
  stage: test
  script:
    - pytest -q
lint:
  stage: test
  script:
    - ruff check .
include:
  - template: Security/SAST.gitlab-ci.yml
deploy:
  stage: deploy
  script:
    - ./deploy.sh
"""
_GL_PATH = ".gitlab-ci.yml"
CI = [
    _d(
        "gha-step-if-false",
        "ci",
        _wf(_WF),
        _wf(_WF.replace("      - name: Run tests\n", "      - name: Run tests\n        if: false\n")),
        "pytest",
    ),
    _d(
        "gha-job-if-false-expression",
        "ci",
        _wf(_WF),
        _wf(_WF.replace("  codeql:\n    runs-on", "  codeql:\n    if: ${{ false }}\n    runs-on")),
        "codeql",
    ),
    _d(
        "gha-continue-on-error",
        "ci",
        _wf(_WF),
        _wf(
            _WF.replace(
                "        run: pytest -q\n", "        run: pytest -q\n        continue-on-error: true\n"
            )
        ),
        "continue-on-error",
    ),
    _d("gha-or-true", "ci", _wf(_WF), _wf(_WF.replace("run: pytest -q", "run: pytest -q || true")), "pytest"),
    _d(
        "gha-step-removed",
        "ci",
        _wf(_WF),
        _wf(_WF.replace("      - name: Lint\n        run: ruff check .\n", "")),
        "ruff",
    ),
    _d(
        "gha-job-removed",
        "ci",
        _wf(_WF),
        _wf(
            _WF.replace(
                "  codeql:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: github/codeql-action/analyze@v3\n",
                "",
            )
        ),
        "codeql",
    ),
    _d(
        "gha-no-longer-on-pull-request",
        "ci",
        _wf(_WF),
        _wf(_WF.replace("  pull_request:\n", "")),
        "pull request",
    ),
    _d("gha-workflow-deleted", "ci", _wf(_WF), {_WF_PATH: None}, "pytest"),
    _d(
        "gha-run-git-push-delete",
        "ci",
        _wf(_WF),
        _wf(
            _WF.replace(
                "        run: ruff check .\n",
                "        run: |\n          ruff check .\n          git push origin --delete main\n",
            )
        ),
        "main",
    ),
    _d(
        "gitlab-job-removed",
        "ci",
        {_GL_PATH: _GL},
        {_GL_PATH: _GL.replace("lint:\n  stage: test\n  script:\n    - ruff check .\n", "")},
        "ruff",
    ),
    _d(
        "gitlab-allow-failure",
        "ci",
        {_GL_PATH: _GL},
        {
            _GL_PATH: _GL.replace(
                "unit-tests:\n  stage: test\n", "unit-tests:\n  stage: test\n  allow_failure: true\n"
            )
        },
        "allow_failure",
    ),
    _d(
        "gitlab-job-hidden",
        "ci",
        {_GL_PATH: _GL},
        {_GL_PATH: _GL.replace("unit-tests:", ".unit-tests:")},
        "hidden",
    ),
    _d(
        "gitlab-rules-never",
        "ci",
        {_GL_PATH: _GL},
        {
            _GL_PATH: _GL.replace(
                "lint:\n  stage: test\n", "lint:\n  stage: test\n  rules:\n    - when: never\n"
            )
        },
        "never",
    ),
    _d(
        "gitlab-sast-include-removed",
        "ci",
        {_GL_PATH: _GL},
        {_GL_PATH: _GL.replace("include:\n  - template: Security/SAST.gitlab-ci.yml\n", "")},
        "sast",
    ),
    _b("gha-step-renamed", "ci", _wf(_WF), _wf(_WF.replace("name: Run tests", "name: Unit tests"))),
    _b(
        "gha-step-moved-to-new-job",
        "ci",
        _wf(_WF),
        _wf(
            _WF.replace("      - name: Lint\n        run: ruff check .\n", "")
            + "  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Lint\n        run: "
            "ruff check .\n"
        ),
    ),
    _b(
        "gha-continue-on-error-on-upload",
        "ci",
        _wf(_WF),
        _wf(
            _WF.replace(
                "        uses: actions/upload-artifact@v4\n",
                "        uses: actions/upload-artifact@v4\n        continue-on-error: true\n",
            )
        ),
    ),
    _b(
        "gha-conditional-deploy-step",
        "ci",
        _wf(_WF),
        _wf(
            _WF + "  deploy:\n    if: github.event_name == 'push'\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: ./deploy.sh\n"
        ),
    ),
    _b(
        "gha-on-key-reordered",
        "ci",
        _wf(_WF),
        _wf(
            _WF.replace(
                "on:\n  pull_request:\n  push:\n    branches: [main]\n",
                "on:\n  push:\n    branches: [main]\n  pull_request:\n    types: [opened, synchronize]\n",
            )
        ),
    ),
    _b("gitlab-job-renamed", "ci", {_GL_PATH: _GL}, {_GL_PATH: _GL.replace("unit-tests:", "pytest:")}),
    _b(
        "gitlab-allow-failure-on-deploy",
        "ci",
        {_GL_PATH: _GL},
        {
            _GL_PATH: _GL.replace(
                "deploy:\n  stage: deploy\n", "deploy:\n  stage: deploy\n  allow_failure: true\n"
            )
        },
    ),
    _b(
        "gitlab-stage-changed",
        "ci",
        {_GL_PATH: _GL},
        {
            _GL_PATH: _GL.replace("stages: [test, deploy]", "stages: [check, test, deploy]").replace(
                "lint:\n  stage: test", "lint:\n  stage: check"
            )
        },
    ),
]

# ==================================================================================================
# Renames, retypes, constraint drops and NULL fills: the same weight and wording in every format (reshape.py; FIX106,
# from QA58 F5/F6 on Apache Fineract's Liquibase changelogs and QA59 F10 on BookStack's Laravel migrations)
# ==================================================================================================

_TYPED_BASE = {
    "db/changelog/001-init.xml": _XML_HEAD + '  <changeSet id="1" author="dev">\n'
    '    <createTable tableName="m_client"><column name="id" type="bigint"/>'
    '<column name="fullname" type="VARCHAR(100)"/><column name="balance" type="DECIMAL(19, 6)"/></createTable>\n'
    "  </changeSet>\n" + _XML_TAIL
}
_LB_YAML_BASE = {"db/changelog/001-init.yaml": (
    "databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: dev\n      changes:\n"
    "        - createTable:\n            tableName: users\n            columns:\n"
    "              - column:\n                  name: id\n                  type: bigint\n")}
_LB_JSON_BASE = {"db/changelog/001-init.json": (
    '{"databaseChangeLog": [{"changeSet": {"id": "1", "author": "dev", "changes": '
    '[{"createTable": {"tableName": "users", "columns": [{"column": {"name": "id", "type": "bigint"}}]}}]}}]}\n')}
_LARAVEL = """<?php

use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration
{{
    public function up(): void
    {{
        Schema::table('users', function (Blueprint $table) {{
{up}
        }});
    }}

    public function down(): void
    {{
        Schema::table('users', function (Blueprint $table) {{
{down}
        }});
    }}
}};
"""


def _laravel(up: str, down: str = "") -> dict[str, str]:
    return {"database/migrations/2024_03_01_000000_change_users.php": _LARAVEL.format(up=up, down=down)}


_KNEX = """exports.up = function (knex) {{
  return knex.schema.alterTable('users', (table) => {{
{up}
  }});
}};

exports.down = function (knex) {{
  return knex.schema.alterTable('users', (table) => {{
{down}
  }});
}};
"""
_SEQUELIZE = """module.exports = {{
  async up(queryInterface, Sequelize) {{
{up}
  }},
  async down(queryInterface, Sequelize) {{
{down}
  }},
}};
"""
_DJANGO_BASE = {"billing/migrations/0001_initial.py": """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Invoice",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("number", models.CharField(max_length=100, unique=True)),
                ("amount", models.DecimalField(max_digits=19, decimal_places=6)),
                ("issued", models.DateField()),
                ("paid", models.NullBooleanField()),
            ],
        ),
    ]
"""}
_PACKAGE = {"package.json": "{}\n"}
_RAILS_SCHEMA = ('ActiveRecord::Schema[7.1].define(version: 2024_03_01_000000) do\n'
                 '  create_table "versions", force: :cascade do |t|\n    t.integer "size"\n    t.string "summary"\n'
                 '    t.string "number", limit: 255\n  end\nend\n')
RESHAPES = [
    _d("sql-rename-column", "sql", {"db/patch.sql": "SELECT 1;\n"},
       {"db/patch.sql": "SELECT 1;\nALTER TABLE users RENAME COLUMN email TO mail;\n"}, "renames it to mail"),
    _d("sql-mysql-change-renames", "sql", {"db/patch.sql": "SELECT 1;\n"},
       {"db/patch.sql": "SELECT 1;\nALTER TABLE users CHANGE email mail varchar(100);\n"}, "renames it to mail"),
    _d("sql-alter-column-type", "sql", {"db/patch.sql": "SELECT 1;\n"},
       {"db/patch.sql": "SELECT 1;\nALTER TABLE invoices ALTER COLUMN amount TYPE numeric(19,2);\n"},
       "narrower type"),
    _d("sql-rename-table", "sql", {"db/patch.sql": "SELECT 1;\n"},
       {"db/patch.sql": "SELECT 1;\nRENAME TABLE users TO accounts;\n"}, "renames it to accounts"),
    _d("sql-drop-constraint", "sql", {"db/patch.sql": "SELECT 1;\n"},
       {"db/patch.sql": "SELECT 1;\nALTER TABLE users DROP CONSTRAINT users_email_key;\n"}, "stops refusing"),
    _d("sql-drop-foreign-key", "sql", {"db/patch.sql": "SELECT 1;\n"},
       {"db/patch.sql": "SELECT 1;\nALTER TABLE orders DROP FOREIGN KEY fk_orders_users;\n"}, "fk_orders_users"),
    # dropped to be re-created on other columns: the table stays guarded
    _b("sql-drop-and-readd-constraint", "sql", {"db/patch.sql": "SELECT 1;\n"},
       {"db/patch.sql": "ALTER TABLE orders DROP FOREIGN KEY fk_orders_users;\n"
        "ALTER TABLE orders ADD CONSTRAINT fk_orders_buyers FOREIGN KEY (buyer_id) REFERENCES users (id);\n"}),
    # the up's rename is one finding; the down renaming it back undoes it (tests: exactly one finding)
    _d("dbmate-down-renames-back", "sql", {"db/migrations/20240101_init.sql": _CREATE_USERS},
       {"db/migrations/20240401_mail.sql": "-- migrate:up\nALTER TABLE users RENAME COLUMN email TO mail;\n\n"
        "-- migrate:down\nALTER TABLE users RENAME COLUMN mail TO email;\n"}, "renames it to mail"),
    # Liquibase: a widening passes (QA58 F5: Fineract's fadfcd68e widened m_client.fullname to VARCHAR(160)), a DECIMAL
    # scale narrowed rounds every amount
    _b("liquibase-xml-widening-modify-data-type", "liquibase", _TYPED_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <modifyDataType tableName="m_client" columnName="fullname" '
            'newDataType="VARCHAR(160)"/>\n  </changeSet>\n')),
    _d("liquibase-xml-narrowed-decimal-scale", "liquibase", _TYPED_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <modifyDataType tableName="m_client" columnName="balance" '
            'newDataType="DECIMAL(19, 2)"/>\n  </changeSet>\n'), "rounded"),
    _d("liquibase-xml-narrowed-varchar", "liquibase", _TYPED_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <modifyDataType tableName="m_client" columnName="fullname" '
            'newDataType="VARCHAR(50)"/>\n  </changeSet>\n'), "from varchar(100) to varchar(50)"),
    _d("liquibase-xml-sql-rename-column", "liquibase", _LB_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <sql>ALTER TABLE users RENAME COLUMN email TO mail</sql>\n'
            "  </changeSet>\n"), "renames it to mail"),
    _d("liquibase-xml-sql-modify-column", "liquibase", _LB_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <sql>ALTER TABLE users MODIFY email VARCHAR(50) NOT NULL</sql>\n'
            "  </changeSet>\n"), "narrower type"),
    _d("liquibase-xml-drop-foreign-key", "liquibase", _LB_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <dropForeignKeyConstraint baseTableName="orders" '
            'constraintName="fk_orders_users"/>\n  </changeSet>\n'), "stops refusing"),
    _d("liquibase-yaml-drop-unique-constraint", "liquibase", _LB_BASE,
       _lb_yaml("        - dropUniqueConstraint:\n            tableName: users\n"
                "            constraintName: users_email_key\n"), "users_email_key"),
    _d("liquibase-xml-not-null-fills-nulls", "liquibase", _LB_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <addNotNullConstraint tableName="users" columnName="email" '
            'defaultNullValue="none" columnDataType="varchar(100)"/>\n  </changeSet>\n'), "every null of email"),
    _b("liquibase-xml-not-null-alone", "liquibase", _LB_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <addNotNullConstraint tableName="users" columnName="email" '
            'columnDataType="varchar(100)"/>\n  </changeSet>\n')),
    _b("liquibase-xml-drop-and-readd-foreign-key", "liquibase", _LB_BASE,
       _xml('  <changeSet id="2" author="dev">\n    <dropForeignKeyConstraint baseTableName="orders" '
            'constraintName="fk_orders_users"/>\n    <addForeignKeyConstraint baseTableName="orders" '
            'baseColumnNames="buyer_id" constraintName="fk_orders_buyers" referencedTableName="users" '
            'referencedColumnNames="id"/>\n  </changeSet>\n')),
    _d("liquibase-yaml-edited-changeset", "liquibase", _LB_YAML_BASE,
       {"db/changelog/001-init.yaml": _LB_YAML_BASE["db/changelog/001-init.yaml"].replace("bigint", "int")},
       "refuses to start"),
    _d("liquibase-json-edited-changeset", "liquibase", _LB_JSON_BASE,
       {"db/changelog/001-init.json": _LB_JSON_BASE["db/changelog/001-init.json"].replace("bigint", "int")},
       "refuses to start"),
    _b("liquibase-yaml-reformatted-changeset", "liquibase", _LB_YAML_BASE,
       {"db/changelog/001-init.yaml": _LB_YAML_BASE["db/changelog/001-init.yaml"].replace("users", "'users'")
        .replace("      id: 1\n      author: dev\n", "      author: dev\n      id: 1\n      comment: the users\n")}),
    _d("liquibase-xml-deleted-changeset", "liquibase",
       {"db/changelog/001-init.xml": _LB_BASE["db/changelog/001-init.xml"].replace(
           "  </changeSet>\n", '  </changeSet>\n  <changeSet id="2" author="dev">\n    <addColumn tableName="users">'
           '<column name="nick" type="text"/></addColumn>\n  </changeSet>\n')},
       _LB_BASE, "never get it"),
    # Laravel (QA59 F10: BookStack's 2020_11_07 simplify_activities renames key and extra, and ->change()s entity_id)
    _d("laravel-rename-column", "migration-code", _PACKAGE,
       _laravel("            $table->renameColumn('key', 'type');"),
       "renames it to type"),
    _d("laravel-change-column", "migration-code", _PACKAGE,
       _laravel("            $table->string('name', 50)->nullable()->change();"), "to string(50)"),
    # BookStack's 2023_02_20 increase_attachments_path_length: string('path') (VARCHAR(255)) to text, judged against the
    # migration that created the column; a shorter string is a narrowing
    _b("laravel-change-widens", "migration-code",
       {"database/migrations/2014_01_01_000000_create_users.php": _LARAVEL.replace("Schema::table", "Schema::create")
        .format(up="            $table->string('name');", down="")},
       _laravel("            $table->text('name')->change();")),
    _d("laravel-change-narrows", "migration-code",
       {"database/migrations/2014_01_01_000000_create_users.php": _LARAVEL.replace("Schema::table", "Schema::create")
        .format(up="            $table->string('name', 100);", down="")},
       _laravel("            $table->string('name', 50)->change();"), "from varchar(100) to string(50)"),
    _d("laravel-drop-foreign", "migration-code", _PACKAGE,
       _laravel("            $table->dropForeign(['team_id']);"), "stops refusing"),
    _d("laravel-down-renames-back", "migration-code", _PACKAGE,
       _laravel("            $table->renameColumn('key', 'type');\n            $table->integer('entity_id')->change();",
                "            $table->renameColumn('type', 'key');\n            $table->string('entity_id')->change();"),
       "renames it to type"),
    _d("knex-rename-column", "migration-code", _PACKAGE,
       {"migrations/20240301_mail.js": _KNEX.format(up="    table.renameColumn('email', 'mail');", down="")},
       "renames it to mail"),
    _d("knex-alter-column", "migration-code", _PACKAGE,
       {"migrations/20240301_name.js": _KNEX.format(up="    table.string('name', 50).notNullable().alter();",
                                                    down="")}, "column users.name"),
    _d("knex-down-renames-back", "migration-code", _PACKAGE,
       {"migrations/20240301_mail.js": _KNEX.format(up="    table.renameColumn('email', 'mail');",
                                                    down="    table.renameColumn('mail', 'email');")},
       "renames it to mail"),
    _d("sequelize-rename-column", "migration-code", _PACKAGE,
       {"migrations/20240301-mail.js": _SEQUELIZE.format(
           up="    await queryInterface.renameColumn('users', 'email', 'mail');", down="")}, "renames it to mail"),
    _d("sequelize-change-column", "migration-code", _PACKAGE,
       {"migrations/20240301-name.js": _SEQUELIZE.format(
           up="    await queryInterface.changeColumn('users', 'name', { type: Sequelize.STRING(50) });", down="")},
       "sequelize.string(50)"),
    _d("sequelize-remove-constraint", "migration-code", _PACKAGE,
       {"migrations/20240301-fk.js": _SEQUELIZE.format(
           up="    await queryInterface.removeConstraint('orders', 'orders_user_id_fkey');", down="")},
       "orders_user_id_fkey"),
    _d("django-rename-field", "migration-code", _DJANGO_BASE,
       {"billing/migrations/0002_change.py": _DJANGO_HEAD.format(
           ops='        migrations.RenameField(model_name="invoice", old_name="number", new_name="reference"),')},
       "renames it to reference"),
    _d("django-rename-model", "migration-code", _DJANGO_BASE,
       {"billing/migrations/0002_change.py": _DJANGO_HEAD.format(
           ops='        migrations.RenameModel(old_name="Invoice", new_name="Bill"),')}, "renames it to bill"),
    _d("django-alter-field-narrows", "migration-code", _DJANGO_BASE,
       {"billing/migrations/0002_change.py": _DJANGO_HEAD.format(
           ops='        migrations.AlterField(model_name="invoice", name="number", '
               'field=models.CharField(max_length=50, unique=True)),')}, "max_length=50"),
    _d("django-alter-field-rounds", "migration-code", _DJANGO_BASE,
       {"billing/migrations/0002_change.py": _DJANGO_HEAD.format(
           ops='        migrations.AlterField(model_name="invoice", name="amount", '
               'field=models.DecimalField(max_digits=19, decimal_places=2)),')}, "rounded"),
    # what Django writes an AlterField for most: choices, help_text, a longer max_length
    _b("django-alter-field-choices-and-widening", "migration-code", _DJANGO_BASE,
       {"billing/migrations/0002_change.py": _DJANGO_HEAD.format(
           ops='        migrations.AlterField(model_name="invoice", name="number", field=models.CharField('
               'max_length=200, unique=True, help_text="The number", choices=[("a", "A")])),')}),
    # netbox's 0034_created_datetimefield (72 AlterFields DateField -> DateTimeField) and 0019_nullbooleanfield_to_
    # booleanfield: the column holds every value it held
    _b("django-alter-field-date-to-datetime-and-nullboolean", "migration-code", _DJANGO_BASE,
       {"billing/migrations/0002_change.py": _DJANGO_HEAD.format(
           ops='        migrations.AlterField(model_name="invoice", name="issued", field=models.DateTimeField()),\n'
               '        migrations.AlterField(model_name="invoice", name="paid", field=models.BooleanField(null=True)),'
       )}),
    _d("django-remove-constraint", "migration-code", _DJANGO_BASE,
       {"billing/migrations/0002_change.py": _DJANGO_HEAD.format(
           ops='        migrations.RemoveConstraint(model_name="invoice", name="billing_invoice_unique_number"),')},
       "billing_invoice_unique_number"),
    _d("alembic-alter-column-rename", "migration-code", _ALEMBIC_BASE,
       _alembic('    op.alter_column("users", "email", new_column_name="mail")'), "renames it to mail"),
    _d("alembic-drop-constraint", "migration-code", _ALEMBIC_BASE,
       _alembic('    op.drop_constraint("fk_orders_users", "orders")'), "fk_orders_users"),
    _b("alembic-alter-column-widens", "migration-code", _ALEMBIC_BASE,
       _alembic('    op.alter_column("users", "email", type_=sa.String(length=200),\n'
                '                    existing_type=sa.String(length=100))')),
    # change_column judged against db/schema.rb at the base (rubygems.org's integer -> bigint and string -> text
    # migrations widen; a shorter limit narrows)
    _b("rails-change-column-widens", "migration-code", {"db/schema.rb": _RAILS_SCHEMA},
       {"db/migrate/20240306_widen.rb": _RAILS.format(
           name="Widen", body="  def up\n    change_column :versions, :size, :bigint\n"
           "    change_column :versions, :summary, :text\n  end")}),
    _d("rails-change-column-narrows", "migration-code", {"db/schema.rb": _RAILS_SCHEMA},
       {"db/migrate/20240306_narrow.rb": _RAILS.format(
           name="Narrow", body="  def up\n    change_column :versions, :number, :string, limit: 100\n  end")},
       "from varchar(255) to :string"),
    _d("rails-remove-foreign-key", "migration-code", {"db/schema.rb": "# schema\n"},
       {"db/migrate/20240304_fk.rb": _RAILS.format(name="Fk", body="  def up\n    remove_foreign_key :orders, :users\n"
                                                   "  end")}, "stops refusing"),
    _d("rails-change-column-null-fills", "migration-code", {"db/schema.rb": "# schema\n"},
       {"db/migrate/20240305_null.rb": _RAILS.format(
           name="Null", body="  def change\n    change_column_null :users, :locale, false, 'en'\n  end")},
       "every null of locale"),
    _b("rails-change-column-null-alone", "migration-code", {"db/schema.rb": "# schema\n"},
       {"db/migrate/20240305_null.rb": _RAILS.format(
           name="Null", body="  def change\n    change_column_null :users, :locale, false\n  end")}),
]

CASES: list[Case] = [*TERRAFORM, *SQL, *MIGRATIONS, *LIQUIBASE, *RESHAPES, *KUBERNETES, *SHELL, *PYTHON, *CI]


def build(dest: str | Path) -> tuple[RepoBuilder, dict[str, tuple[str, str]]]:
    """Write every case as branch case/<name> (base commit, head commit); name -> (base id, head id)."""
    builder = RepoBuilder(Path(dest), clock=Clock(start=1_767_225_600, step=60))
    ids: dict[str, tuple[str, str]] = {}
    for case in CASES:
        branch = f"case/{case.name}"
        base = builder.commit(
            f"{case.name}: base", dict(case.base), branch=branch, author=AUTHOR, parents=[], replace_all=True
        )
        head = builder.commit(f"{case.name}: head", dict(case.head), branch=branch, author=AUTHOR)
        ids[case.name] = (base, head)
    return builder, ids
