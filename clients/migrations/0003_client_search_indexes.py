"""Indexes behind the client search that only PostgreSQL has.

- a pg_trgm GIN index on search_text: substring search ("%okaf%", "%07700%") stays fast
  with a hundred thousand clients;
- a varchar_pattern_ops btree on search_name: `LIKE 'oka%'` uses it whatever the
  database's collation.

On SQLite both steps do nothing: the plain btree on search_name (0001) serves name prefixes
as a range scan, and substring search scans the one short column.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS client_search_text_trgm ON clients_client "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS client_search_name_prefix ON clients_client "
    "(search_name varchar_pattern_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS client_search_name_prefix",
    "DROP INDEX IF EXISTS client_search_text_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_seed_contraindication_rules")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
