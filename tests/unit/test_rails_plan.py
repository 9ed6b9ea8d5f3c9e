"""A Rails change's review plan (QA57, rubygems.org): the schema dump Rails writes (db/schema.rb) is read in the chunk
of the migration that writes it, skimmed, not collapsed on its own at the plan's end."""

from __future__ import annotations

from app.core.planner.model import ChunkConfig
from tests.conftest import ALICE, BOB
from tests.unit.test_chunks import assert_partition, plan_for

SCHEMA = ('# This file is auto-generated from the current state of the database. Instead\n'
          '# of editing this file, please use the migrations feature of Active Record to\n\n'
          'ActiveRecord::Schema[8.1].define(version: %s) do\n  create_table "versions", force: :cascade do |t|\n'
          '%s    t.string "number"\n  end\nend\n')
MIGRATION = ("class RemoveChecksums < ActiveRecord::Migration[8.1]\n  def change\n"
             "    safety_assured { remove_column :versions, :info_checksum, :string }\n  end\nend\n")


def test_the_schema_dump_is_read_with_its_migration_and_skimmed(make_repo) -> None:
    """pr/6605's shape: a migration drops a column and db/schema.rb loses its line. The dump joins the migration's
    chunk (named after the migration), its lines skimmed at 4,000 an hour and said so; without a migration in the
    change (a dump regenerated alone) it stays collapsed."""
    b = make_repo("rails")
    b.commit("init", {"db/schema.rb": SCHEMA % ("2026_01_01", '    t.string "info_checksum"\n'),
                      "app/models/version.rb": "class Version\nend\n"}, author=ALICE)
    b.branch("drop")
    migration = "db/migrate/20260608190000_remove_checksums.rb"
    b.commit("Drop checksums", {migration: MIGRATION, "db/schema.rb": SCHEMA % ("2026_06_08", "")},
             branch="drop", author=BOB)
    b.branch("regenerate")
    b.commit("Regenerate", {"db/schema.rb": SCHEMA % ("2026_06_09", '    t.string "info_checksum"\n')},
             branch="regenerate", author=BOB)
    b.checkout()
    plan, files = plan_for(b.path, "main", "drop", config=ChunkConfig(), destructive_paths=[migration])
    assert_partition(plan, files)
    [chunk] = plan.chunks
    assert chunk.kind == "code" and chunk.files == [migration, "db/schema.rb"] and chunk.destructive
    assert chunk.title == f"{migration} and db/schema.rb"
    assert "5 code lines T2 at 500/h" in chunk.floor_derivation
    assert ("3 schema dump lines (written by Rails from the migrations: checked against them, skimmed) at 4000/h"
            in chunk.floor_derivation)
    assert any(note.startswith("db/schema.rb: marked generated ('auto-generated' in its first lines): the schema "
                               f"the migrations write, read with {migration} and skimmed") for note in chunk.notes)
    plan, files = plan_for(b.path, "main", "regenerate", config=ChunkConfig())
    [chunk] = plan.chunks
    assert chunk.kind == "collapsed" and chunk.title == "Collapsed: db/schema.rb"


def test_a_stylesheet_deleted_whole_is_a_skim_not_a_read(make_repo) -> None:
    """QA57 F18: rubygems.org's c588a10258 'Redesign: Remove Old Layout / Styles (#6690)' read its deleted
    stylesheets line by line at 2,000 an hour (1,794 lines: 53m49s for one chunk). A stylesheet deleted whole is one
    collapsed skim: what to check is that nothing still uses its classes. One edited is read."""
    b = make_repo("css")
    rules = "".join(f".old-{k} {{\n  color: #{k:03d};\n  margin: {k}px;\n}}\n" for k in range(300))
    b.commit("init", {"app/assets/stylesheets/legacy.css": rules, "app/assets/stylesheets/kept.scss": rules,
                      "app/helpers/legacy.rb": "module Legacy\n  def old\n    1\n  end\nend\n"}, author=ALICE)
    b.branch("drop")
    b.commit("Remove old styles", {"app/assets/stylesheets/legacy.css": None,
                                   "app/assets/stylesheets/kept.scss": rules.replace("#001", "#002"),
                                   "app/helpers/legacy.rb": None}, branch="drop", author=BOB)
    b.checkout()
    plan, files = plan_for(b.path, "main", "drop", config=ChunkConfig())
    assert_partition(plan, files)
    by_title = {chunk.title: chunk for chunk in plan.chunks}
    gone = by_title["Collapsed: app/assets/stylesheets/legacy.css"]
    assert gone.kind == "collapsed" and gone.changed_lines == 1200 and gone.floor_seconds == 30
    assert any("a stylesheet deleted whole" in note for note in gone.notes)
    assert all(chunk.kind == "code" for title, chunk in by_title.items() if "legacy.css" not in title)


def test_a_migrations_title_at_80_columns_keeps_its_name_not_its_timestamp() -> None:
    """QA57 F13: pr/6786 at 80x24 titled its migrations' chunk '202608…versions.rb +1': the directory and the name
    cut, the timestamp kept. The timestamp goes first; a title that fits keeps it."""
    from app.report.tables import fit_chunk_title

    title = ("db/migrate/20260819155803_add_content_address_to_versions.rb, "
             "db/migrate/20260819155903_add_ruby_abi_to_deletions.rb and 1 more")
    assert fit_chunk_title(title, 40) == "…/add_content_address_to_versions.rb +2"
    assert fit_chunk_title(title, 200) == title
    assert fit_chunk_title("db/migrate/20260608190000_remove_checksums.rb", 34) == "db/migrate/remove_checksums.rb"
    assert fit_chunk_title("db/12345678901234_x/20260608190000_remove.rb and 1 more", 45) == (
        "db/12345678901234_x/remove.rb and 1 more")  # a directory's digits stay


STRUCTURE = ("SET statement_timeout = 0;\nSET lock_timeout = 0;\n\nCREATE TABLE public.versions (\n"
             "    id bigint NOT NULL,\n%s    number character varying\n);\n")


def test_a_sql_schema_dump_is_read_with_its_migration_as_schema_rb_is(make_repo) -> None:
    """FIX102 left db/structure.sql (Rails' `schema_format = :sql`: pg_dump's output, no generator marker) read as a
    tier-0 migration wherever it fell. It is a schema dump: tier 2, collapsed, and read with the migration that writes
    it, skimmed, as db/schema.rb is."""
    from app.core.impact.tiers import TierConfig, tier_of

    b = make_repo("rails-sql")
    b.commit("init", {"db/structure.sql": STRUCTURE % "    info_checksum character varying,\n",
                      "app/models/version.rb": "class Version\nend\n"}, author=ALICE)
    b.branch("drop")
    migration = "db/migrate/20260608190000_remove_checksums.rb"
    b.commit("Drop checksums", {migration: MIGRATION, "db/structure.sql": STRUCTURE % ""}, branch="drop", author=BOB)
    b.checkout()
    config = TierConfig()
    assert tier_of("db/structure.sql", config)[0] == 2 and tier_of("db/cache_structure.sql", config)[0] == 2
    assert tier_of("db/seeds/fill.sql", config)[0] == 0
    tiers = {path: tier_of(path, config)[0] for path in (migration, "db/structure.sql")}
    plan, files = plan_for(b.path, "main", "drop", config=ChunkConfig(), destructive_paths=[migration],
                           file_tiers=tiers)
    assert_partition(plan, files)
    [chunk] = plan.chunks
    assert chunk.kind == "code" and chunk.files == [migration, "db/structure.sql"] and chunk.destructive
    assert "1 schema dump lines" in chunk.floor_derivation or "schema dump line" in chunk.floor_derivation
    assert any(note.startswith("db/structure.sql: Rails' SQL schema dump, written from the migrations") and
               note.endswith(f"read with {migration} and skimmed") for note in chunk.notes), chunk.notes
