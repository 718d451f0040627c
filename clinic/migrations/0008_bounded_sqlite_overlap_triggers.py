"""SQLite's overlap triggers (migration 0003) read only the neighbourhood of the new booking.

Their `b.start < NEW.end AND NEW.start < b.end` is bounded on one side for the indexes on
(practitioner, start), (room, start) and (client, start): every insert read the whole history
before it. No booking holds anyone longer than MAX_BOOKING_SPAN (migration 0007), so an
overlapping one started at most that long (plus a minute's margin) before the new one.

Caution for later migrations, as in 0003: a SQLite table rebuild drops the triggers; the fix
is a migration that runs `create_sqlite_triggers` below again. PostgreSQL keeps its
exclusion constraints (GiST), which need no bound.
"""

from django.db import migrations

ACTIVE = "('booked', 'arrived', 'completed')"
RULES = [
    ("booking_practitioner_no_overlap", "practitioner_id", '"end"'),
    ("booking_client_no_overlap", "client_id", '"end"'),
    ("booking_room_no_overlap", "room_id", "blocks_until"),
]
LOOKBACK_MINUTES = 12 * 60 + 1  # clinic.models._LOOKBACK


def _create(schema_editor, *, bounded):
    bound = (
        f"AND b.start >= strftime('%Y-%m-%d %H:%M:%S', NEW.start, '-{LOOKBACK_MINUTES} minutes') "
        if bounded
        else ""
    )
    for name, column, end in RULES:
        for event, same_row in (("INSERT", ""), ("UPDATE", "AND b.id <> NEW.id")):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event.lower()}")
            schema_editor.execute(
                f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON clinic_booking "
                f"WHEN NEW.status IN {ACTIVE} AND NEW.{column} IS NOT NULL AND EXISTS ("
                f"SELECT 1 FROM clinic_booking b WHERE b.{column} = NEW.{column} {same_row} "
                f"AND b.status IN {ACTIVE} AND b.start < NEW.{end} {bound}AND NEW.start < b.{end}) "
                f"BEGIN SELECT RAISE(ABORT, '{name}'); END"
            )


def create_sqlite_triggers(schema_editor):
    _create(schema_editor, bounded=True)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        create_sqlite_triggers(schema_editor)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _create(schema_editor, bounded=False)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0007_booking_span_limit")]

    operations = [migrations.RunPython(forward, backward)]
