"""Webhook deliveries through Django's Tasks API (the same backend as the outbox's emails)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from clinic.integrations import delivery
from clinic.kernel.outbox.tasks import enqueue_row
from clinic.kernel.tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one delivery; a failure schedules the next after the back-off."""
    outcome = delivery.deliver(delivery_id)
    if outcome.retry_at is not None:
        enqueue_delivery(delivery_id, run_after=outcome.retry_at)
    return outcome.status


def enqueue_delivery(delivery_id: int, run_after: datetime | None = None) -> bool:
    """Hand a delivery to the task backend the outbox's way (`enqueue_row`): one it can't take now
    stays due, and the outbox's sweep (`sweep_webhooks`) enqueues it again."""
    return enqueue_row(deliver_webhook, delivery_id, run_after)


def enqueue_deliveries(ids: Iterable[int]) -> None:
    for delivery_id in ids:
        enqueue_delivery(delivery_id)


def sweep_webhooks(grace: timedelta | None = None) -> int:
    """Enqueue every delivery whose task was lost; run by the outbox's periodic sweep."""
    ids = delivery.sweep(grace=grace)
    enqueue_deliveries(ids)
    return len(ids)
