"""Django data migrations (django_data.py): a RunPython whose forward deletes rows its reverse cannot restore is
destructive (saleor's pr/19465: `WebhookEvent.objects.filter(event_type="observability").delete()` under
`RunPython.noop` was not flagged); one that only creates or updates, or whose reverse writes rows back, is not."""

from __future__ import annotations

from app.core.git.repo import GitRepo
from app.core.impact.destructive import django_data, migrations
from app.core.impact.destructive.model import Work
from app.core.impact.destructive.scan import ScanResult, blob_reader, scan_change
from tests.conftest import ALICE

SALEOR_0016 = '''from django.db import migrations


def drop_observability_event(apps, _schema_editor):
    WebhookEvent = apps.get_model("webhook", "WebhookEvent")
    # Delete any lingering subscriptions to it.
    WebhookEvent.objects.filter(event_type="observability").delete()


class Migration(migrations.Migration):
    dependencies = [("webhook", "0015_drop_export_completed_events")]

    operations = [
        migrations.RunPython(
            drop_observability_event, reverse_code=migrations.RunPython.noop
        )
    ]
'''


def _scan(code: str) -> list[tuple[str, int | None, str, float]]:
    found = migrations.scan_python_migration(code, "shop/migrations/0002_data.py", Work())
    return [(f.kind, f.line, f.target, f.weight) for f in found]


def _scan_new_migration(make_repo, path: str, text: str) -> ScanResult:
    """What scan_change finds in a real change that adds the migration `text` at `path` (its package there before)."""
    builder = make_repo()
    first = builder.commit("base", {f"{path.rsplit('/', 1)[0]}/__init__.py": ""}, author=ALICE)
    second = builder.commit("head", {path: text}, author=ALICE)
    repo = GitRepo(builder.path)
    return scan_change(repo.diff(first, second), blob_reader(repo.blob))


def test_a_filtered_delete_under_a_noop_reverse_is_destructive_in_a_real_change(make_repo) -> None:
    result = _scan_new_migration(make_repo, "saleor/webhook/migrations/0016_drop_observability_event.py", SALEOR_0016)
    assert [(f.kind, f.path, f.line, f.weight) for f in result.findings] == [
        (django_data.KIND, "saleor/webhook/migrations/0016_drop_observability_event.py", 7,
         django_data.FILTERED_DELETE_WEIGHT)]
    assert result.findings[0].summary() == (
        "saleor/webhook/migrations/0016_drop_observability_event.py:7: rows of webhook.WebhookEvent: "
        "RunPython(drop_observability_event), line 14, deletes those matched by .filter(event_type='observability'); "
        "its reverse, migrations.RunPython.noop, does not bring them back")


def test_deletes_through_a_name_a_loop_or_a_relation_table_and_with_no_reverse_at_all() -> None:
    code = (
        "from django.db import migrations\n"
        "def forward(apps, schema_editor):\n"
        "    App = apps.get_model('app', 'App')\n"
        "    stale = Token.objects.filter(expired=True)\n"
        "    stale.delete()\n"
        "    for row in Order.objects.filter(status='draft'):\n"
        "        row.delete()\n"
        "    App.permissions.through.objects.filter(permission=1).delete()\n"
        "    everything = Cart.objects.all()\n"
        "    everything.delete()\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunPython(forward)]\n"
    )
    half = django_data.FILTERED_DELETE_WEIGHT
    assert _scan(code) == [(django_data.KIND, 5, "rows of Token", half), (django_data.KIND, 7, "rows of Order", half),
                           (django_data.KIND, 8, "rows of app.App.permissions.through", half),
                           (django_data.KIND, 10, "every row of Cart", 1.0)]
    reason = migrations.scan_python_migration(code, "m/migrations/0002.py", Work())[0].reason
    assert reason.endswith("no reverse_code: the migration cannot be rolled back")


def test_creates_updates_and_a_reverse_that_writes_rows_back_are_not_destructive() -> None:
    code = (
        "from django.db import migrations\n"
        "def forward(apps, schema_editor):\n"
        "    Tag = apps.get_model('shop', 'Tag')\n"
        "    Tag.objects.create(name='new')\n"
        "    Tag.objects.filter(name='old').update(name='older')\n"
        "def prune(apps, schema_editor):\n"
        "    Tag.objects.filter(name='tmp').delete()\n"
        "def restore(apps, schema_editor):\n"
        "    Tag.objects.bulk_create([Tag(name='tmp')])\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.RunPython(forward, migrations.RunPython.noop),\n"
        "        migrations.RunPython(prune, restore),\n"
        "        migrations.RunPython(prune, reverse_code=imported_restore),\n"
        "    ]\n"
    )
    assert _scan(code) == []
    noop_lambda = code.replace("migrations.RunPython(prune, restore)", "migrations.RunPython(prune, lambda a, s: None)")
    assert _scan(noop_lambda) == [(django_data.KIND, 7, "rows of Tag", django_data.FILTERED_DELETE_WEIGHT)]


def test_rows_of_a_model_the_migration_creates_lose_nothing() -> None:
    code = (
        "from django.db import migrations\n"
        "def forward(apps, schema_editor):\n"
        "    Draft.objects.filter(kept=False).delete()\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.CreateModel(name='Draft', fields=[]),\n"
        "        migrations.RunPython(forward, migrations.RunPython.noop),\n"
        "    ]\n"
    )
    assert _scan(code) == []


SQL_0016 = '''from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("webhook", "0015_drop_export_completed_events")]

    operations = [
        migrations.RunSQL(
            """
            DELETE FROM webhook_webhookevent
            WHERE event_type = 'observability'
            """,
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
'''


def test_the_same_delete_in_run_sql_weighs_and_reads_like_the_run_python_one(make_repo) -> None:
    result = _scan_new_migration(make_repo, "saleor/webhook/migrations/0016_drop_observability_event.py", SQL_0016)
    assert [(f.kind, f.line, f.weight) for f in result.findings] == [
        (django_data.KIND, 10, django_data.FILTERED_DELETE_WEIGHT)]
    assert result.findings[0].summary() == (
        "saleor/webhook/migrations/0016_drop_observability_event.py:10: rows of webhook_webhookevent: "
        "RunSQL, line 8, deletes those matched by WHERE event_type = 'observability'; "
        "its reverse, migrations.RunSQL.noop, does not bring them back")


def test_run_sql_deletes_by_reverse_a_list_and_every_row() -> None:
    def migration(operation: str) -> str:
        return ("from django.db import migrations\n"
                "class Migration(migrations.Migration):\n"
                f"    operations = [{operation}]\n")

    no_reverse = migration('migrations.RunSQL(["UPDATE t SET a = 1 WHERE b = 2", '
                           '"DELETE FROM t WHERE id IN (SELECT t_id FROM u)"])')
    assert _scan(no_reverse) == [(django_data.KIND, 3, "rows of t", django_data.FILTERED_DELETE_WEIGHT)]
    # a reverse that inserts the rows back, or one built elsewhere, may restore them
    assert _scan(migration('migrations.RunSQL("DELETE FROM t WHERE a = 1", "INSERT INTO t SELECT * FROM t_old")')) == []
    assert _scan(migration('migrations.RunSQL("DELETE FROM t WHERE a = 1", reverse_sql=UNDO)')) == []
    # a reverse that writes no row does not; a delete of every row is sql-delete-all at a drop's weight, once
    assert _scan(migration('migrations.RunSQL("DELETE FROM t WHERE a = 1", "SELECT 1")')) == [
        (django_data.KIND, 3, "rows of t", django_data.FILTERED_DELETE_WEIGHT)]
    assert _scan(migration('migrations.RunSQL("DELETE FROM t WHERE 1 = 1", migrations.RunSQL.noop)')) == [
        ("sql-delete-all", 3, "every row of t", 1.0)]


# saleor's 0042_propagate_temporary_field (#16102), trimmed: raw DELETEs through a cursor inside RunPython under noop
SALEOR_0042 = '''from django.db import connection, migrations

BATCH = 1000


def copy_page_id(_apps, _schema_name):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE attribute_assignedpageattributevalue SET page_uniq = page_id WHERE page_uniq IS NULL")


def remove_page_id_duplicates(_apps, _schema_name):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM ATTRIBUTE_ASSIGNEDPAGEATTRIBUTEVALUE aa
            WHERE aa.id IN (
                SELECT tt.id FROM ATTRIBUTE_ASSIGNEDPAGEATTRIBUTEVALUE tt
                WHERE tt.page_uniq IS NULL
                LIMIT %s
            );
            """,
            [BATCH],
        )


class Migration(migrations.Migration):
    dependencies = [("attribute", "0041_auto_20240508_0855")]

    operations = [
        migrations.RunPython(copy_page_id, migrations.RunPython.noop),
        migrations.RunPython(remove_page_id_duplicates, migrations.RunPython.noop),
    ]
'''


def test_a_cursor_delete_inside_run_python_is_the_run_pythons_delete_in_a_real_change(make_repo) -> None:
    result = _scan_new_migration(make_repo, "saleor/attribute/migrations/0042_propagate_temporary_field.py",
                                 SALEOR_0042)
    # the forward that only updates deletes nothing; the one that deletes duplicates is flagged once, at the DELETE
    assert [(f.kind, f.line, f.weight) for f in result.findings] == [
        (django_data.KIND, 15, django_data.FILTERED_DELETE_WEIGHT)]
    assert result.findings[0].summary() == (
        "saleor/attribute/migrations/0042_propagate_temporary_field.py:15: rows of "
        "ATTRIBUTE_ASSIGNEDPAGEATTRIBUTEVALUE: RunPython(remove_page_id_duplicates), line 31, deletes those matched "
        "by WHERE aa.id IN ( SELECT tt.id FROM ATTRIBUTE_ASSIGNEDPAGEATTRIBUTEVALUE tt WHERE…; "
        "its reverse, migrations.RunPython.noop, does not bring them back")


def test_cursor_deletes_in_run_python_by_reverse_and_every_row() -> None:
    def migration(body: str, reverse: str) -> str:
        return ("from django.db import migrations\n"
                "def forward(apps, schema_editor):\n"
                f"    {body}\n"
                "def backward(apps, schema_editor):\n"
                "    Item = apps.get_model('shop', 'Item')\n"
                "    Item.objects.bulk_create([Item(id=1)])\n"
                "class Migration(migrations.Migration):\n"
                f"    operations = [migrations.RunPython(forward, {reverse})]\n")

    with_cursor = 'with schema_editor.connection.cursor() as c:\n        c.execute("DELETE FROM shop_item WHERE a = 1")'
    assert _scan(migration(with_cursor, "migrations.RunPython.noop")) == [
        (django_data.KIND, 4, "rows of shop_item", django_data.FILTERED_DELETE_WEIGHT)]
    # no reverse: flagged; a reverse that creates rows restores them
    chained = migration('connection.cursor().execute("DELETE FROM shop_item WHERE a = 1")', "None")
    assert _scan(chained) == [(django_data.KIND, 3, "rows of shop_item", django_data.FILTERED_DELETE_WEIGHT)]
    assert _scan(migration(with_cursor, "backward")) == []
    # every row stays sql-delete-all at a drop's weight, once
    assert _scan(migration('connection.cursor().execute("DELETE FROM shop_item")', "migrations.RunPython.noop")) == [
        ("sql-delete-all", 3, "every row of shop_item", 1.0)]


HELPER_MIGRATION = '''from django.db import connection, migrations


def remove_duplicates(Event, kind):
    Event.objects.filter(kind=kind, duplicate=True).delete()


def purge_log():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM webhook_log WHERE stale")


def forward(apps, _schema_editor):
    Event = apps.get_model("webhook", "WebhookEvent")
    remove_duplicates(Event, kind="order")
    purge_log()


def backward(apps, _schema_editor):
    remove_duplicates(apps.get_model("webhook", "WebhookEvent"), kind="draft")


class Migration(migrations.Migration):
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
'''


def test_a_delete_in_a_helper_the_forward_calls_is_the_forwards_delete_in_a_real_change(make_repo) -> None:
    """FIX131: a RunPython forward that calls a function of the same migration to do the deleting (a queryset's
    `.filter(...).delete()`, or a cursor's filtered DELETE) was read as deleting nothing. The helper is followed one
    level, the model the forward passes it named; a helper only the reverse calls deletes nothing forward."""
    path = "saleor/webhook/migrations/0017_remove_duplicates.py"
    result = _scan_new_migration(make_repo, path, HELPER_MIGRATION)
    assert [f.summary() for f in result.findings] == [
        f"{path}:5: rows of webhook.WebhookEvent: RunPython(forward), line 24, deletes those matched by "
        ".filter(kind=kind, duplicate=True) through remove_duplicates(); its reverse, migrations.RunPython.noop, does "
        "not bring them back",
        f"{path}:10: rows of webhook_log: RunPython(forward), line 24, deletes those matched by WHERE stale; its "
        "reverse, migrations.RunPython.noop, does not bring them back"]
    restoring = HELPER_MIGRATION.replace("migrations.RunPython.noop", "backward").replace(
        "    remove_duplicates(apps.get_model", "    apps.get_model('webhook', 'WebhookEvent').objects.create()\n"
        "    remove_duplicates(apps.get_model")
    assert _scan(restoring) == []  # a reverse that creates rows may restore them
