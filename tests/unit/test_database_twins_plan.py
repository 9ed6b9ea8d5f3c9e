"""A project that supports several databases keeps one copy of each migration per database (QA60, memos:
store/migration/{mysql,postgres,sqlite}/0.29/00__group.sql): the copies are read side by side, in one chunk."""

from __future__ import annotations

from app.core.planner.model import ChunkConfig
from tests.conftest import ALICE, BOB
from tests.unit.test_chunks import assert_partition, plan_for

GROUP = {"mysql": "CREATE TABLE `group` (\n  `id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
                  "  `name` VARCHAR(256)\n);\n",
         "postgres": "CREATE TABLE \"group\" (\n  id SERIAL PRIMARY KEY,\n  name TEXT NOT NULL\n);\n",
         "sqlite": "CREATE TABLE `group` (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  name TEXT NOT NULL\n);\n"}


def test_each_databases_copy_of_a_migration_is_read_in_one_chunk(make_repo) -> None:
    """pr/6068's shape: 00__group.sql for MySQL, PostgreSQL and SQLite and each driver's LATEST.sql were six chunks of
    23 to 28 lines, the copies of one migration three sittings apart. Now one chunk per file, its title naming the
    databases; a file with no twin (a SQLite-only rebuild) and SQL outside such directories stay as they were."""
    b = make_repo("memos")
    latest = {f"store/migration/{db}/LATEST.sql": "CREATE TABLE memo (id INT);\n" for db in GROUP}
    b.commit("init", {**latest, "store/store.go": "package store\n", "db/schema.sql": "CREATE TABLE a (id INT);\n"},
             author=ALICE)
    b.branch("group")
    change = {f"store/migration/{db}/0.29/00__group.sql": sql for db, sql in GROUP.items()}
    change |= {path: text + GROUP[path.split("/")[2]] for path, text in latest.items()}
    change["store/migration/sqlite/0.29/01__fix_memo_visibility.sql"] = "ALTER TABLE memo ADD COLUMN group_id INT;\n"
    change["db/schema.sql"] = "CREATE TABLE a (id INT, b INT);\n"
    b.commit("add group", change, branch="group", author=BOB)
    b.checkout()
    tiers = dict.fromkeys(change, 0)
    plan, files = plan_for(b.path, "main", "group", config=ChunkConfig(), file_tiers=tiers)
    assert_partition(plan, files)
    titles = sorted(chunk.title for chunk in plan.chunks)
    assert titles == ["db/schema.sql", "store/migration/sqlite/0.29/01__fix_memo_visibility.sql",
                      "store/migration/{mysql,postgres,sqlite}/0.29/00__group.sql",
                      "store/migration/{mysql,postgres,sqlite}/LATEST.sql"], titles
