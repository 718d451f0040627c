"""The cautions a note's home-care points raised for the client, and the reason to go ahead."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("treatments", "0008_application_entered_as_and_reading")]

    operations = [
        migrations.AddField(
            model_name="historicaltreatmentnote",
            name="home_care_cautions",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="historicaltreatmentnote",
            name="home_care_reason",
            field=models.TextField(blank=True, max_length=1000),
        ),
        migrations.AddField(
            model_name="treatmentnote",
            name="home_care_cautions",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="treatmentnote",
            name="home_care_reason",
            field=models.TextField(blank=True, max_length=1000),
        ),
        migrations.AddConstraint(
            model_name="treatmentnote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("home_care_cautions", ""), models.Q(("home_care_reason", ""), _negated=True), _connector="OR"
                ),
                name="note_home_care_caution_has_reason",
            ),
        ),
    ]
