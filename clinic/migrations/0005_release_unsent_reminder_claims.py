"""Reminders claimed but never sent (a run killed mid-way, a mail server down) lost their
reminder for good under the old claim-then-send command. Release those claims, so the next
send_reminders run writes them to the outbox (only bookings still ahead are ever reminded)."""

from django.db import migrations


def release(apps, schema_editor):
    Booking = apps.get_model("clinic", "Booking")
    Booking.objects.filter(reminder_claimed_at__isnull=False, reminder_sent_at__isnull=True).update(
        reminder_claimed_at=None
    )


class Migration(migrations.Migration):
    dependencies = [("clinic", "0004_date_range")]

    operations = [migrations.RunPython(release, migrations.RunPython.noop)]
