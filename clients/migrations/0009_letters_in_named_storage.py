"""Physicians' letters are stored through the storage named "letters" in STORAGES.

The storage is not a database matter: only the migration state changes. (An AlterField would
make SQLite rebuild the table for nothing.)
"""

import clients.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clients", "0008_refill_phone_search_keys")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="physicianclearance",
                    name="letter",
                    field=models.FileField(
                        blank=True,
                        max_length=200,
                        storage=clients.models.letters_storage,
                        upload_to=clients.models.clearance_letter_path,
                    ),
                ),
            ],
        ),
    ]
