"""Feed addresses made before tokens had an issue time count as issued now: they keep working
for ICAL_FEED_VALID_DAYS from the upgrade instead of stopping at once."""

from django.db import migrations
from django.utils import timezone


def date_existing_tokens(apps, schema_editor):
    Practitioner = apps.get_model("practitioners", "Practitioner")
    Practitioner.objects.exclude(ical_token="").filter(ical_token_issued_at__isnull=True).update(
        ical_token_issued_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("practitioners", "0004_feed_token_issued_and_client_names"),
    ]

    operations = [migrations.RunPython(date_existing_tokens, migrations.RunPython.noop)]
