"""Where points are drawn (data/point_positions.csv) and how a client finds and presses them
(data/point_self_care.csv), loaded into PointGuide.

Called by the data migrations with their historical models (0014 loads the guides, later ones
reload them after a change to the files), so it uses only what PointGuide has had since 0013.
Idempotent: update_or_create by point. Lines starting with # in the files are comments (the
conventions, the selection and its sources).
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.apps.registry import Apps
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_rows(name: str) -> list[dict[str, str]]:
    """The rows of one data file, its comment lines skipped."""
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def load_guides(apps: Apps, schema_editor: BaseDatabaseSchemaEditor | None = None) -> None:
    """Create or update every positioned point's guide: its place and its self-care text.

    `apps` is a migration's historical registry (or django.apps.apps); the schema editor is unused."""
    Point = apps.get_model("treatments", "Point")
    PointGuide = apps.get_model("treatments", "PointGuide")
    points = {p.code: p for p in Point.objects.all()}
    texts = {row["code"].strip(): row for row in data_rows("point_self_care.csv")}
    for row in data_rows("point_positions.csv"):
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
