"""A signed note never changes, whichever door a write comes through: in the database.

The services already refuse, under the note's row lock, any change to a signed note; these
triggers make the database say the same to the admin, a script or a crafted write:
- a signed note's row is not updated (nor deleted, on PostgreSQL);
- no point application is added to, changed on or taken off a signed note, and none is moved
  onto one; its home-care points are not added to;
- an amendment, once written, is not changed.
Each refusal is an integrity error naming the rule (`signed_note_is_final`, `amendment_is_final`).

SQLite: UPDATE and INSERT only. Django empties SQLite tables between transactional tests with
DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see), and deletes of clinical rows
are refused by PROTECT foreign keys and the admin already. As with the booking rules, Django
rebuilds a SQLite table to alter it, which drops its triggers: a later migration that alters
these tables runs `create_sqlite_triggers` again (`test_signed_note_rules_exist_in_the_database`
fails otherwise).
"""

from django.db import migrations

SIGNED = "'signed'"


def create_rules(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        create_postgresql_triggers(schema_editor)
    elif vendor == "sqlite":
        create_sqlite_triggers(schema_editor)


def create_postgresql_triggers(schema_editor):
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION treatments_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'check_violation';
        END $$;
        """
    )
    # The note a row belongs to is read from the column named in the trigger's first argument.
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION treatments_refuse_on_signed_note() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            column_name text := TG_ARGV[0];
        BEGIN
            IF (TG_OP <> 'INSERT' AND EXISTS (
                    SELECT 1 FROM treatments_treatmentnote
                    WHERE id = (to_jsonb(OLD) ->> column_name)::bigint AND status = 'signed'))
               OR (TG_OP <> 'DELETE' AND EXISTS (
                    SELECT 1 FROM treatments_treatmentnote
                    WHERE id = (to_jsonb(NEW) ->> column_name)::bigint AND status = 'signed'))
            THEN
                RAISE EXCEPTION 'signed_note_is_final' USING ERRCODE = 'check_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$;
        """
    )
    schema_editor.execute(
        "CREATE TRIGGER signed_note_is_final BEFORE UPDATE OR DELETE ON treatments_treatmentnote "
        f"FOR EACH ROW WHEN (OLD.status = {SIGNED}) EXECUTE FUNCTION treatments_refuse('signed_note_is_final')"
    )
    for table, column in (
        ("treatments_pointapplication", "note_id"),
        ("treatments_treatmentnote_home_care_points", "treatmentnote_id"),
    ):
        schema_editor.execute(
            f"CREATE TRIGGER signed_note_is_final BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION treatments_refuse_on_signed_note('{column}')"
        )
    schema_editor.execute(
        "CREATE TRIGGER amendment_is_final BEFORE UPDATE OR DELETE ON treatments_amendment "
        "FOR EACH ROW EXECUTE FUNCTION treatments_refuse('amendment_is_final')"
    )


def _is_signed(note_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM treatments_treatmentnote n WHERE n.id = {note_id} AND n.status = {SIGNED})"


def create_sqlite_triggers(schema_editor):
    statements = {
        "signed_note_is_final_update": (
            f"BEFORE UPDATE ON treatments_treatmentnote WHEN OLD.status = {SIGNED}",
            "signed_note_is_final",
        ),
        "signed_application_is_final_insert": (
            f"BEFORE INSERT ON treatments_pointapplication WHEN {_is_signed('NEW.note_id')}",
            "signed_note_is_final",
        ),
        "signed_application_is_final_update": (
            "BEFORE UPDATE ON treatments_pointapplication "
            f"WHEN {_is_signed('OLD.note_id')} OR {_is_signed('NEW.note_id')}",
            "signed_note_is_final",
        ),
        "signed_home_care_is_final_insert": (
            f"BEFORE INSERT ON treatments_treatmentnote_home_care_points "
            f"WHEN {_is_signed('NEW.treatmentnote_id')}",
            "signed_note_is_final",
        ),
        "amendment_is_final_update": ("BEFORE UPDATE ON treatments_amendment", "amendment_is_final"),
    }
    for name, (when, rule) in statements.items():
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN SELECT RAISE(ABORT, '{rule}'); END"
        )


SQLITE_TRIGGERS = (
    "signed_note_is_final_update",
    "signed_application_is_final_insert",
    "signed_application_is_final_update",
    "signed_home_care_is_final_insert",
    "amendment_is_final_update",
)


def drop_rules(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table, name in (
            ("treatments_treatmentnote", "signed_note_is_final"),
            ("treatments_pointapplication", "signed_note_is_final"),
            ("treatments_treatmentnote_home_care_points", "signed_note_is_final"),
            ("treatments_amendment", "amendment_is_final"),
        ):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS treatments_refuse_on_signed_note()")
        schema_editor.execute("DROP FUNCTION IF EXISTS treatments_refuse()")
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("treatments", "0009_home_care_caution_reason")]

    operations = [migrations.RunPython(create_rules, drop_rules)]
