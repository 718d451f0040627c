"""Making, finding and revoking API keys; registering and switching off webhook endpoints."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clients.models import hash_token
from clinic.integrations.addresses import url_problem
from clinic.integrations.models import (
    ApiKey,
    Delivery,
    DeliveryStatus,
    Event,
    Scope,
    WebhookEndpoint,
    WebhookEvent,
)
from clinic.integrations.tasks import enqueue_deliveries
from clinic.kernel.batches import id_batches

KEY_PREFIX = "clk_"
# The last use is written at most this often per key: a busy integration is not a write per call.
LAST_USED_EVERY = timedelta(minutes=1)


@transaction.atomic
def create_key(*, name: str, scopes: Iterable[str], by: User) -> tuple[ApiKey, str]:
    """A new key and the key itself, to show once: only its digest is kept."""
    chosen = [s for s in Scope.values if s in set(scopes)]
    if not chosen:
        raise ValueError("A key needs at least one scope.")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    prefix = raw[: len(KEY_PREFIX) + 8]
    # The integration's own user: inactive (it never signs in), no role, no usable password.
    user = User.objects.create_user(
        username=f"api-{prefix}", first_name=name[:150], last_name="(API)", password=None, is_active=False
    )
    key = ApiKey.objects.create(
        name=name, prefix=prefix, key_hash=hash_token(raw), scopes=chosen, user=user, created_by=by
    )
    return key, raw


def key_for(raw: str) -> ApiKey | None:
    """The live key whose digest this is (None: unknown or revoked), with its user."""
    if not raw.startswith(KEY_PREFIX):
        return None
    return ApiKey.objects.live().select_related("user").filter(key_hash=hash_token(raw)).first()


def note_use(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def revoke_key(*, key: ApiKey, by: User) -> bool:
    """Stop a key at once; False when it was revoked already."""
    return bool(ApiKey.objects.live().filter(pk=key.pk).update(revoked_at=timezone.now(), revoked_by=by))


def register_endpoint(*, name: str, url: str, events: Iterable[str], by: User) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, to show once. Refused (ValueError) without an
    event, or for an address webhooks may not go to (clinic.integrations.addresses)."""
    chosen = [e for e in WebhookEvent.values if e in set(events)]
    if not chosen:
        raise ValueError("An endpoint needs at least one event.")
    if problem := url_problem(url):
        raise ValueError(problem)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(name=name, url=url, events=chosen, secret=secret, created_by=by)
    return endpoint, secret


def disable_endpoint(*, endpoint: WebhookEndpoint) -> bool:
    """No new events go to it; deliveries already made still finish. False when already off."""
    return bool(WebhookEndpoint.objects.live().filter(pk=endpoint.pk).update(disabled_at=timezone.now()))


@transaction.atomic
def retry_deliveries(*, endpoint: WebhookEndpoint) -> int:
    """Send the endpoint's failed and given-up deliveries again now, with a fresh set of
    attempts (the receiver is fixed); how many. Delivered ones are never sent again."""
    stuck = Delivery.objects.filter(
        endpoint=endpoint, status__in=(DeliveryStatus.FAILED, DeliveryStatus.GIVEN_UP)
    )
    ids = list(stuck.select_for_update().values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
    )
    transaction.on_commit(partial(enqueue_deliveries, ids))
    return len(ids)


# Deliveries nothing will touch again: delivered, or given up (a retry sets one back to pending).
FINISHED = (DeliveryStatus.DELIVERED, DeliveryStatus.GIVEN_UP)
_UNFINISHED = [status for status in DeliveryStatus.values if status not in FINISHED]


def prune_events(*, before: datetime, dry_run: bool = False) -> int:
    """Delete the events that happened before `before` whose every delivery is delivered or
    given up, with those deliveries (how many events); an event with a delivery still to make
    is kept whatever its age. `dry_run`: count only."""
    old = Event.objects.filter(created_at__lt=before).exclude(deliveries__status__in=_UNFINISHED)
    if dry_run:
        return old.count()
    deleted = 0
    for ids in id_batches(old):
        with transaction.atomic():
            # The deliveries' rows locked, then their statuses read again: one retried meanwhile
            # keeps its event.
            rows = (
                Delivery.objects.select_for_update()
                .filter(event_id__in=ids)
                .values_list("event_id", "status")
            )
            busy = {event_id for event_id, status in rows if status not in FINISHED}
            done = [pk for pk in ids if pk not in busy]
            Delivery.objects.filter(event_id__in=done).delete()
            deleted += Event.objects.filter(pk__in=done).delete()[0]
    return deleted
