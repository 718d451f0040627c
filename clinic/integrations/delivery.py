"""Sending one webhook delivery: claim it, POST it signed, record the answer. And the sweep.

The claim is one conditional UPDATE, as the outbox's: of two workers racing for a delivery
exactly one sends it, under a lease (OUTBOX_LEASE_SECONDS). A 2xx answer marks it delivered
and nothing sends it again; anything else (another status, a redirect, no answer) is a
failure, retried after the outbox's doubling back-off, up to OUTBOX_MAX_ATTEMPTS.

The receiver checks `X-Clinic-Signature: t=<unix time>,v1=<hex>`, the HMAC-SHA256 of
"<t>." followed by the body, keyed with the endpoint's secret, and may drop a repeat by
`X-Clinic-Delivery` (a worker killed between the receiver's answer and our UPDATE sends
once more after the lease, the one repeat possible).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from clinic.integrations.addresses import opener
from clinic.integrations.models import Delivery, DeliveryStatus
from clinic.kernel.outbox.delivery import Outcome, backoff, max_attempts, sweep_rows, take

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Clinic-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def valid_signature(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does (and the tests): recompute and compare in constant time."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's mistake, answered as a failure: a POST is never re-sent
    elsewhere (urllib would turn it into a GET without the body)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# Straight to addresses outside the clinic's network, checked as it connects (see addresses).
_opener = opener(_NoRedirects)


def claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for one attempt, the outbox's way."""
    return take(Delivery.objects.filter(pk=delivery_id).claimable(now), now, sending=DeliveryStatus.SENDING)


def post(delivery: Delivery) -> int:
    """POST the event; the receiver's status code (an HTTPError carries one too)."""
    event, endpoint = delivery.event, delivery.endpoint
    body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "clinic-webhooks/1",
        "X-Clinic-Event": event.kind,
        "X-Clinic-Event-Id": event.key,
        "X-Clinic-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature(endpoint.secret, int(time.time()), body),
    }
    request = urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def deliver(delivery_id: int) -> Outcome:
    """One attempt at one delivery, whatever its state; safe to call any number of times."""
    now = timezone.now()
    if not claim(delivery_id, now):
        return Outcome("skipped")
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING)
    code: int | None = None
    try:
        code = post(delivery)
    except Exception as error:  # no answer at all (refused, timed out, bad name): retry
        problem = f"{type(error).__name__}: {error}"
    else:
        if 200 <= code < 300:
            mine.update(
                status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), last_attempt_at=now,
                last_status_code=code, last_error="", claimed_until=None,
            )  # fmt: skip
            return Outcome("delivered")
        problem = f"The receiver answered {code}."
    return _record_failure(delivery, code, problem[:500], now)


def _record_failure(delivery: Delivery, code: int | None, problem: str, now: datetime) -> Outcome:
    mine = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING)
    seen = {"last_status_code": code, "last_error": problem, "last_attempt_at": now, "claimed_until": None}
    if delivery.attempts >= max_attempts():
        mine.update(status=DeliveryStatus.GIVEN_UP, **seen)
        logger.error(
            "Gave up webhook delivery %s after %s attempts: %s", delivery.pk, delivery.attempts, problem
        )
        return Outcome("given_up")
    retry_at = timezone.now() + backoff(delivery.attempts)
    mine.update(status=DeliveryStatus.FAILED, next_attempt_at=retry_at, **seen)
    logger.warning("Webhook delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, problem)
    return Outcome("failed", retry_at=retry_at)


def sweep(*, now: datetime | None = None, grace: timedelta | None = None, limit: int = 1000) -> list[int]:
    """Deliveries whose task was lost: due for longer than `grace` (default
    OUTBOX_SWEEP_SECONDS), or left "sending" by a worker whose lease ran out."""
    return sweep_rows(
        Delivery.objects.all(), waiting=(DeliveryStatus.PENDING, DeliveryStatus.FAILED),
        sending=DeliveryStatus.SENDING, now=now, grace=grace, limit=limit,
    )  # fmt: skip
