"""Load where points are drawn (data/point_positions.csv) and how a client finds and presses them
(data/point_self_care.csv) into PointGuide.

The loader lives in treatments/guide_data.py so a later migration can rerun it after a change to
the files. Reversing leaves the rows alone, like the catalogue's loader.
"""

from django.db import migrations

from treatments.guide_data import load_guides


class Migration(migrations.Migration):
    dependencies = [("treatments", "0013_point_guides")]

    operations = [migrations.RunPython(load_guides, migrations.RunPython.noop)]
