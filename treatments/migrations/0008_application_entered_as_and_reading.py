"""What the practitioner typed for each point, and which reading of a bare B36-B54 they chose."""

from django.db import migrations, models

READINGS = [("who", "WHO numbering"), ("older", "older numbering")]


class Migration(migrations.Migration):
    dependencies = [("treatments", "0007_amendment_history")]

    operations = [
        migrations.AddField(
            model_name="historicalpointapplication",
            name="entered_as",
            field=models.CharField(blank=True, max_length=60, verbose_name="entered as"),
        ),
        migrations.AddField(
            model_name="historicalpointapplication",
            name="reading",
            field=models.CharField(blank=True, choices=READINGS, max_length=8),
        ),
        migrations.AddField(
            model_name="pointapplication",
            name="entered_as",
            field=models.CharField(blank=True, max_length=60, verbose_name="entered as"),
        ),
        migrations.AddField(
            model_name="pointapplication",
            name="reading",
            field=models.CharField(blank=True, choices=READINGS, max_length=8),
        ),
        migrations.AddConstraint(
            model_name="pointapplication",
            constraint=models.CheckConstraint(
                condition=models.Q(("reading", ""), models.Q(("entered_as", ""), _negated=True), _connector="OR"),
                name="application_reading_has_entered_as",
            ),
        ),
    ]
