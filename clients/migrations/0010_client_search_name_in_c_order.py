"""The client search's name order, as an index PostgreSQL can walk (issue 12).

Search results are listed by `search_name` in byte ("C") order (clients.search.search_order).
The varchar_pattern_ops index (0003) finds a prefix but cannot give that order, so a
common-surname search walked the list's name index, reading every name before the prefix.
A btree on search_name COLLATE "C" serves both: LIKE 'q%' as a range, in order, and LIMIT
stops at the page's end. SQLite's plain btree on search_name (0001) already does both.
"""

from django.db import migrations

NAME = "client_search_name_c_order"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {NAME} ON clients_client (search_name COLLATE "C", id)'
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0009_letters_in_named_storage")]

    operations = [migrations.RunPython(forward, backward)]
