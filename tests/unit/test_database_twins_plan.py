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


def _store(db: str, extra: str = "") -> str:
    return (f"package {db}\n\nfunc (d *DB) ListMemos() string {{\n\tquery := \"SELECT id, content{extra} FROM memo\"\n"
            "\treturn query\n}\n")


def test_each_drivers_copy_of_a_store_change_is_read_together_when_one_chunk_holds_them(make_repo) -> None:
    """memos pr/6068: one schema change (a group_id column) edits store/db/{mysql,postgres,sqlite}/memo.go alike; the
    three were read in three chunks, each beside its driver's new group.go. The copies of one file are read in one
    chunk when it holds them all; copies too big for one chunk (each driver's 200-line group.go) stay with their
    driver's other files."""
    b = make_repo("drivers")
    b.commit("init", {f"store/db/{db}/memo.go": _store(db) for db in GROUP}, author=ALICE)
    b.branch("group")
    big = "".join(f"func (d *DB) Group{k}() int {{\n\treturn {k}\n}}\n\n" for k in range(60))
    change = {f"store/db/{db}/memo.go": _store(db, ", group_id") for db in GROUP}
    change |= {f"store/db/{db}/group.go": f"package {db}\n\n" + big for db in GROUP}
    b.commit("add group", change, branch="group", author=BOB)
    b.checkout()
    plan, files = plan_for(b.path, "main", "group", config=ChunkConfig(), file_tiers=dict.fromkeys(change, 2))
    assert_partition(plan, files)
    memos = [chunk for chunk in plan.chunks if any(path.endswith("memo.go") for path in chunk.files)]
    assert len(memos) == 1 and sorted(p for p in memos[0].files if p.endswith("memo.go")) == [
        f"store/db/{db}/memo.go" for db in sorted(GROUP)], [c.files for c in plan.chunks]
    assert "store/db/{mysql,postgres,sqlite}/memo.go" in memos[0].title, memos[0].title
    groups = [chunk.files for chunk in plan.chunks if any(path.endswith("group.go") for path in chunk.files)]
    assert all(sum(path.endswith("group.go") for path in files) == 1 for files in groups), groups
