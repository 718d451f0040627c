"""Is a worker alive? Every task run writes a heartbeat to the shared cache (the database cache
by default, Redis by setting), so any process can tell: the web server's readiness check, the
back office."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "outbox:worker-heartbeat"


def beat() -> None:
    """Record that a worker is running tasks now (the periodic sweep keeps it fresh when idle)."""
    try:
        cache.set(HEARTBEAT_KEY, time.time(), timeout=None)
    except Exception:  # a cache outage must not stop mail going out
        logger.exception("Could not write the worker heartbeat.")


def worker_heartbeat_age() -> float | None:
    """Seconds since a worker last ran a task, or None when none ever did (or the cache can't
    be read). A healthy worker beats at least every OUTBOX_SWEEP_SECONDS."""
    try:
        last = cache.get(HEARTBEAT_KEY)
    except Exception:
        logger.exception("Could not read the worker heartbeat.")
        return None
    if not isinstance(last, int | float):
        return None
    return max(0.0, time.time() - float(last))
