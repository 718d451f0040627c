"""API calls in the access log: an event may name no client, and says which call it was.

Altering the table makes SQLite rebuild it, which drops its append-only trigger: it is made
again last (0002's function)."""

from importlib import import_module

from django.db import migrations, models

_final = import_module("clinic.kernel.access.migrations.0002_sqlite_events_are_final")


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0003_more_clinical_events'),
    ]

    operations = [
        migrations.AddField(
            model_name='accessevent',
            name='detail',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name='accessevent',
            name='client_id',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='accessevent',
            name='what',
            field=models.CharField(choices=[('intake_viewed', 'Intake viewed'), ('letter_viewed', 'Clearance letter viewed'), ('note_viewed', 'Note viewed'), ('chart_viewed', 'Chart viewed'), ('health_viewed', 'Client health page viewed'), ('export', 'Export'), ('intake_taken', 'Intake taken'), ('intake_reviewed', 'Intake reviewed'), ('clearance_recorded', 'Clearance recorded'), ('note_started', 'Note started'), ('note_saved', 'Note saved'), ('note_signed', 'Note signed'), ('note_amended', 'Note amended'), ('points_added', 'Points added'), ('point_removed', 'Point removed'), ('health_update', 'Health update recorded'), ('plan_created', 'Treatment plan created'), ('api_call', 'API call')], max_length=32),
        ),
        migrations.RunPython(_final.create_sqlite_triggers, migrations.RunPython.noop),
    ]
