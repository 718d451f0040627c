"""Load where points are drawn (data/point_positions.csv) and how a client finds and presses them
(data/point_self_care.csv) into PointGuide.

Idempotent (update_or_create by point) so a later migration can rerun it after a CSV fix.
Lines starting with # in the CSVs are comments (the selection and its source). Reversing
leaves the rows alone, like the catalogue's loader.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def load_guides(apps, schema_editor):
    Point = apps.get_model("treatments", "Point")
    PointGuide = apps.get_model("treatments", "PointGuide")
    points = {p.code: p for p in Point.objects.all()}
    texts = {row["code"].strip(): row for row in _rows("point_self_care.csv")}
    for row in _rows("point_positions.csv"):
        code = row["code"].strip()
        text = texts.get(code, {})
        PointGuide.objects.update_or_create(
            point=points[code],
            defaults={
                "figure": row["figure"].strip(),
                "x": float(row["x"]),
                "y": float(row["y"]),
                "position_note": row["note"].strip(),
                "how_to_find": (text.get("how_to_find") or "").strip(),
                "how_to_press": (text.get("how_to_press") or "").strip(),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0013_point_guides")]

    operations = [migrations.RunPython(load_guides, migrations.RunPython.noop)]
