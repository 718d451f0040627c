"""Load the acupoint catalogue (361 WHO points, the extra points, their cautions) from data/*.csv.

Every database gets the same catalogue this way, including test databases. The loader is
idempotent (update_or_create by code) so a later migration can rerun it after a CSV fix.
Reversing leaves the rows alone: notes may already point at them.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Extra points that lie on the midline (one point, not a left/right pair).
MIDLINE_EXTRA = {"EX-HN3", "EX-HN10", "EX-HN11", "EX-B5", "EX-B8", "EX-B9"}


def _rows(name):
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_catalogue(apps, schema_editor):
    Point = apps.get_model("treatments", "Point")
    PointCaution = apps.get_model("treatments", "PointCaution")
    for filename, kind in (("who_points.csv", "who"), ("extra_points.csv", "extra")):
        for row in _rows(filename):
            code = row["code"].strip()
            channel = row["channel"].strip()
            aliases = [a.strip() for a in (row.get("aliases") or "").replace(";", ",").split(",")]
            Point.objects.update_or_create(
                code=code,
                defaults={
                    "kind": kind,
                    "channel": channel,
                    "number": int(row["number"]),
                    "pinyin": row["pinyin"].strip(),
                    "english": row["english"].strip(),
                    "region": row["region"].strip(),
                    "location": row["location"].strip(),
                    "alt_location": (row.get("alt_location") or "").strip(),
                    "aliases": ", ".join(a for a in aliases if a),
                    "midline": channel in ("GV", "CV") or code in MIDLINE_EXTRA,
                },
            )
    points = {p.code: p for p in Point.objects.all()}
    for row in _rows("point_cautions.csv"):
        PointCaution.objects.update_or_create(
            point=points[row["code"].strip()],
            kind=row["kind"].strip(),
            condition=row["condition"].strip(),
            defaults={"note": row["note"].strip()},
        )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_catalogue")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
