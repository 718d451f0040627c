"""The access log is append-only on SQLite too: a trigger refuses any UPDATE of an event.

PostgreSQL's rule is django-pgtrigger's (0001, UPDATE and DELETE). SQLite gets UPDATE only:
Django empties SQLite tables between transactional tests with DELETE; deletes are refused by
the back office and by no page offering one. Django rebuilds a SQLite table to alter it, which
drops its triggers: a later migration altering this table runs `create_sqlite_triggers` again.
"""

from django.db import migrations

SQLITE_TRIGGER = "access_event_append_only_update"


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {SQLITE_TRIGGER} BEFORE UPDATE ON access_accessevent "
            "BEGIN SELECT RAISE(ABORT, 'access_event_append_only'); END"
        )


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {SQLITE_TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("access", "0001_access_events")]

    operations = [migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers)]
