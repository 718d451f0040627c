"""Reload the point guides after data/point_self_care.csv gained a text for every positioned
point (and the screening rules' cautions on the sacral and lower-leg points).

The same loader as 0014 (treatments/guide_data.py); saving each guide moves its updated_at, so
every process's cached catalogue picks up the new texts. Reversing leaves the rows alone.
"""

from django.db import migrations

from treatments.guide_data import load_guides


class Migration(migrations.Migration):
    dependencies = [("treatments", "0017_point_guide_updated_at")]

    operations = [migrations.RunPython(load_guides, migrations.RunPython.noop)]
