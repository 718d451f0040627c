"""Seed the techniques (docs/domain.md#techniques), each with the short names the quick line accepts.

Clinics edit them in the admin afterwards; reversing leaves them (notes may use them).
"""

from django.db import migrations

TECHNIQUES = [
    # name, Chinese name, short names, description
    ("Static / sustained pressure", "An fa", "static an hold press sustained",
     "A still, sustained press, built up and released gradually."),
    ("Deep pressure", "", "deep",
     "Firm pressure into deeper tissue."),
    ("Kneading", "Rou fa", "knead rou",
     "Small circular kneading of the tissue under the thumb or palm."),
    ("Pushing", "Tui fa", "push tui",
     "A steady linear push along a channel or muscle."),
    ("Rolling", "Gun fa", "roll gun",
     "Rolling the back of the hand over the area."),
    ("Pinching and grasping", "Na fa", "pinch grasp na",
     "Lifting and squeezing the tissue between thumb and fingers."),
    ("Rubbing and friction", "Ca fa", "rub friction ca",
     "Rubbing or friction that warms the area."),
    ("Vibration", "Zhen fa", "vib vibration zhen",
     "A fine rapid vibration through the point."),
    ("Tapping and pounding", "Pai fa", "tap percussion pound",
     "Rhythmic tapping or pounding (percussion)."),
    ("Circular motion", "Mo fa", "circ circular circle",
     "Slow circles on the point."),
]


def seed(apps, schema_editor):
    Technique = apps.get_model("treatments", "Technique")
    for order, (name, chinese, short, description) in enumerate(TECHNIQUES, start=1):
        Technique.objects.update_or_create(
            name=name,
            defaults={
                "chinese_name": chinese,
                "short_names": short,
                "description": description,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0002_load_point_catalogue")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
