"""Seed the rule for seizures that are not controlled: a doctor's approval first.

The existing `seizures` rule keeps its meaning (controlled seizures). A clinic that already
made its own rule for the code keeps it: existing rows are left as they are.
"""

from django.db import migrations

RULE = {
    "label": "Seizures or epilepsy, not controlled",
    "kind": "relative",
    "outcome": "needs_clearance",
    "action": "Bring a doctor's letter; keep the table low and know the client's seizure plan",
    "pressure_cap": None,
    "points_to_avoid": "",
    "regions": "",
}


def seed_rule(apps, schema_editor):
    Rule = apps.get_model("clients", "ContraindicationRule")
    Rule.objects.get_or_create(condition="uncontrolled_seizures", defaults=RULE)


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_seizure_control")]

    operations = [migrations.RunPython(seed_rule, migrations.RunPython.noop)]
