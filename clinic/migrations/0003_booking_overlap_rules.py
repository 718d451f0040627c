"""No practitioner, room or client holds two overlapping active bookings: in the database.

PostgreSQL: exclusion constraints (btree_gist lets `=` on ids share a GiST index with `&&` on
time ranges). The room's range runs to `blocks_until` (end plus the turnover buffer).
Django's ExclusionConstraint would emit PostgreSQL-only SQL on every backend, so the
constraints are written here per vendor and are not part of the model state.

SQLite: triggers raise an integrity error on an overlapping insert or update. Caution for
later migrations: Django rebuilds a SQLite table to alter it, which drops its triggers; the
test `test_overlap_rules_exist_in_the_database` fails if that ever happens, and the fix is a
migration that runs `create_sqlite_triggers` again.
"""

from django.db import migrations

ACTIVE = "('booked', 'arrived', 'completed')"
# name, column, end column
RULES = [
    ("booking_practitioner_no_overlap", "practitioner_id", '"end"'),
    ("booking_client_no_overlap", "client_id", '"end"'),
    ("booking_room_no_overlap", "room_id", "blocks_until"),
]


def create_rules(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for name, column, end in RULES:
            schema_editor.execute(
                f"ALTER TABLE clinic_booking ADD CONSTRAINT {name} EXCLUDE USING gist "
                f"({column} WITH =, tstzrange(start, {end}, '[)') WITH &&) "
                f"WHERE (status IN {ACTIVE} AND {column} IS NOT NULL)"
            )
    elif vendor == "sqlite":
        create_sqlite_triggers(schema_editor)


def create_sqlite_triggers(schema_editor):
    for name, column, end in RULES:
        for event, same_row in (("INSERT", ""), ("UPDATE", "AND b.id <> NEW.id")):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {name}_{event.lower()} BEFORE {event} ON clinic_booking "
                f"WHEN NEW.status IN {ACTIVE} AND NEW.{column} IS NOT NULL AND EXISTS ("
                f"SELECT 1 FROM clinic_booking b WHERE b.{column} = NEW.{column} {same_row} "
                f"AND b.status IN {ACTIVE} AND b.start < NEW.{end} AND NEW.start < b.{end}) "
                f"BEGIN SELECT RAISE(ABORT, '{name}'); END"
            )


def drop_rules(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, _column, _end in RULES:
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE clinic_booking DROP CONSTRAINT IF EXISTS {name}")
        elif vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_rooms_services_bookings")]

    operations = [migrations.RunPython(create_rules, drop_rules)]
