"""The outbox's background tasks, through Django's Tasks API.

Written against the API, not a backend: the TASKS setting picks the database backend
(django-tasks-db, the default), RQ on Redis (django-tasks-rq) or, on Django 6, its built-in
`django.tasks`, with no change here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from clinic.kernel.outbox import delivery
from clinic.kernel.outbox.health import beat
from clinic.kernel.tasks import task

if TYPE_CHECKING:
    from django_tasks.base import Task

logger = logging.getLogger(__name__)

# Which sweep chain is the live one (see `sweep_outbox`).
SWEEP_CHAIN_KEY = "outbox:sweep-chain"
# Other queues of side effects that leave through the task backend (webhook deliveries) sweep
# with the outbox: their apps add a function here in AppConfig.ready (the kernel imports no app).
# Each takes the grace and returns how many it enqueued again.
EXTRA_SWEEPS: list[Callable[[timedelta | None], int]] = []


@task()
def deliver_message(message_id: int) -> str:
    """One attempt at one message; a failure schedules the next attempt after the back-off."""
    outcome = delivery.deliver(message_id)
    if outcome.retry_at is not None:
        enqueue_delivery(message_id, run_after=outcome.retry_at)
    return outcome.status


def enqueue_row(job: Task[[int], Any], row_id: int, run_after: datetime | None = None) -> bool:
    """Hand the task for one row (a message, a webhook delivery) to the task backend. Never
    raises: if the backend can't take it now (a queue server down, or no support for delayed
    tasks), the row stays due in its table and the sweep enqueues it again."""
    try:
        if run_after is None:
            job.enqueue(row_id)
            return True
        later = job.using(run_after=run_after)
        if not later.get_backend().supports_defer:
            return False
        later.enqueue(row_id)
    except Exception:
        logger.exception("Could not enqueue %s(%s); the sweep will pick it up.", job.name, row_id)
        return False
    return True


def enqueue_delivery(message_id: int, run_after: datetime | None = None) -> bool:
    """Hand a message to the task backend (`enqueue_row`)."""
    return enqueue_row(deliver_message, message_id, run_after)


def sweep_and_enqueue(*, grace: timedelta | None = None) -> int:
    """Enqueue every message (and, through EXTRA_SWEEPS, every webhook delivery) whose task was
    lost; returns how many."""
    ids = delivery.sweep(grace=grace)
    for message_id in ids:
        enqueue_delivery(message_id)
    return len(ids) + sum(extra(grace) for extra in EXTRA_SWEEPS)


@task()
def sweep_outbox(chain: str) -> int:
    """The periodic sweep, run by the workers themselves: it re-enqueues lost messages, beats
    the heartbeat, and schedules itself again OUTBOX_SWEEP_SECONDS later.

    One chain runs at a time: the cache names the live chain, a stale copy (two starts, a
    restart) finds another name there and stops. If the chain dies, its name expires after
    three intervals and the next `send_outbox` starts a new one."""
    beat()
    interval = settings.OUTBOX_SWEEP_SECONDS
    owner = cache.get(SWEEP_CHAIN_KEY)
    if owner != chain and not (owner is None and cache.add(SWEEP_CHAIN_KEY, chain, timeout=interval * 3)):
        return 0
    try:
        return sweep_and_enqueue()
    finally:
        cache.set(SWEEP_CHAIN_KEY, chain, timeout=interval * 3)
        try:
            sweep_outbox.using(run_after=timezone.now() + timedelta(seconds=interval)).enqueue(chain)
        except Exception:
            logger.exception("Could not schedule the next outbox sweep; send_outbox will restart it.")


def start_sweeping() -> bool:
    """Start the periodic sweep unless a chain is live. Backends without delayed tasks can't
    run it; a cron job running `send_outbox` every minute does the same work there."""
    if not sweep_outbox.get_backend().supports_defer:
        return False
    chain = uuid.uuid4().hex
    if not cache.add(SWEEP_CHAIN_KEY, chain, timeout=settings.OUTBOX_SWEEP_SECONDS * 3):
        return False
    sweep_outbox.enqueue(chain)
    return True
