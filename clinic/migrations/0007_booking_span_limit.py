"""No booking holds anyone for longer than MAX_BOOKING_SPAN (12 hours from its start to the end
of the room's turnover): in the database.

Range queries lean on this limit for their lower bound on `start` (clinic.models.meets), so
it must hold for every row, however written. PostgreSQL: a check constraint. SQLite: adding a
check constraint means rebuilding the table, which would drop the overlap triggers of
migration 0003, so triggers raise the error instead. Like the overlap rules, it is written
per vendor and is not part of the model state.
"""

from django.db import migrations

NAME = "booking_span_limit"
HOURS = 12  # clinic.models.MAX_BOOKING_SPAN


def create_rule(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE clinic_booking ADD CONSTRAINT {NAME} "
            f"CHECK (blocks_until - start <= interval '{HOURS} hours')"
        )
    elif vendor == "sqlite":
        # julianday() counts in floating-point days: half a second of tolerance.
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {NAME}_{event.lower()} BEFORE {event} ON clinic_booking "
                f"WHEN (julianday(NEW.blocks_until) - julianday(NEW.start)) * 86400 > {HOURS * 3600} + 0.5 "
                f"BEGIN SELECT RAISE(ABORT, '{NAME}'); END"
            )


def drop_rule(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE clinic_booking DROP CONSTRAINT IF EXISTS {NAME}")
    elif vendor == "sqlite":
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}_{event}")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0006_reminders_through_the_outbox")]

    operations = [migrations.RunPython(create_rule, drop_rule)]
