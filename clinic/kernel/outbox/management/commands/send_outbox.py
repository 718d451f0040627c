"""The outbox's sweep, for cron and for start-up."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.kernel.outbox.tasks import start_sweeping, sweep_and_enqueue


class Command(BaseCommand):
    help = (
        "Enqueue every outgoing email whose delivery task was lost: due for longer than "
        "OUTBOX_SWEEP_SECONDS with no worker on it, or left 'sending' by a worker that stopped "
        "(its lease ran out). Reads and updates outbox messages (their next attempt time) and "
        "adds delivery tasks to the task backend; sends nothing itself. Also starts the workers' "
        "own periodic sweep if none is running. Safe to run from cron every few minutes and "
        "alongside running workers: a message is only ever sent by the one worker that claims it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-schedule", action="store_true", help="Sweep once; don't start the periodic sweep."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        enqueued = sweep_and_enqueue()
        started = False if options["no_schedule"] else start_sweeping()
        counts = {status: Message.objects.filter(status=status).count() for status in MessageStatus}
        self.stdout.write(
            f"Outbox: {enqueued} re-enqueued; {counts[MessageStatus.PENDING]} pending, "
            f"{counts[MessageStatus.FAILED]} failed (will retry), {counts[MessageStatus.GIVEN_UP]} given up"
            + ("; periodic sweep started." if started else ".")
        )
