"""`manage.py prune_sent`: old emails and webhook events that are finished go; anything still to
send stays whatever its age; young ones stay; a dry run deletes nothing; twice is harmless."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clinic.integrations.models import Delivery, DeliveryStatus, Event, WebhookEndpoint
from clinic.kernel.batches import id_batches
from clinic.kernel.outbox.models import Message, MessageStatus

pytestmark = pytest.mark.django_db

OLD = timezone.now() - timedelta(days=800)
YOUNG = timezone.now() - timedelta(days=10)


def _message(key: str, status: str, created_at) -> Message:
    return Message.objects.create(
        key=key, kind="booked", recipient="a@example.com", subject="s", body="b", status=status,
        created_at=created_at, sent_at=created_at if status == MessageStatus.SENT else None,
    )  # fmt: skip


def _event(key: str, created_at, *statuses: str, endpoint: list[WebhookEndpoint]) -> Event:
    """An event with a delivery of each status, one per endpoint."""
    event = Event.objects.create(
        key=key, kind="booking.created", booking_id=1, payload={}, created_at=created_at
    )
    for status, to in zip(statuses, endpoint, strict=False):
        delivered_at = created_at if status == DeliveryStatus.DELIVERED else None
        Delivery.objects.create(event=event, endpoint=to, status=status, delivered_at=delivered_at)
    return event


@pytest.fixture
def endpoint(manager) -> list[WebhookEndpoint]:
    return [
        WebhookEndpoint.objects.create(
            name=name,
            url=f"https://{name}.example/h",
            events=["booking.created"],
            secret="s",
            created_by=manager,
        )
        for name in ("site", "crm")
    ]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("prune_sent", *args, stdout=out)
    return out.getvalue()


def test_only_old_finished_emails_and_events_go(endpoint):
    gone = [
        _message("old-sent", MessageStatus.SENT, OLD),
        _message("old-given-up", MessageStatus.GIVEN_UP, OLD),
    ]
    kept = [
        _message("old-pending", MessageStatus.PENDING, OLD),
        _message("old-failed", MessageStatus.FAILED, OLD),
        _message("old-sending", MessageStatus.SENDING, OLD),
        _message("young-sent", MessageStatus.SENT, YOUNG),
    ]
    done = _event("old-done", OLD, DeliveryStatus.DELIVERED, DeliveryStatus.GIVEN_UP, endpoint=endpoint)
    unwanted = _event("old-no-endpoint", OLD, endpoint=endpoint)
    waiting = _event("old-waiting", OLD, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, endpoint=endpoint)
    young = _event("young-done", YOUNG, DeliveryStatus.DELIVERED, endpoint=endpoint)

    assert "Deleted 2 email(s) and 2 webhook event(s)" in _run()

    assert set(Message.objects.values_list("key", flat=True)) == {m.key for m in kept}
    assert not Message.objects.filter(pk__in=[m.pk for m in gone]).exists()
    assert set(Event.objects.values_list("key", flat=True)) == {waiting.key, young.key}
    assert not Delivery.objects.filter(event_id__in=[done.pk, unwanted.pk]).exists()
    assert Delivery.objects.filter(event=waiting).count() == 2  # kept whole, the delivered one too

    assert "Deleted 0 email(s) and 0 webhook event(s)" in _run()  # twice is harmless


def test_a_dry_run_counts_and_deletes_nothing(endpoint):
    _message("old-sent", MessageStatus.SENT, OLD)
    _event("old-done", OLD, DeliveryStatus.DELIVERED, endpoint=endpoint)
    assert "Would delete 1 email(s) and 1 webhook event(s)" in _run("--dry-run")
    assert Message.objects.count() == 1 and Event.objects.count() == 1 and Delivery.objects.count() == 1


def test_days_chooses_the_age_and_must_leave_today(endpoint):
    _message("ten-days", MessageStatus.SENT, YOUNG)
    assert "Deleted 0 email(s)" in _run("--days", "30")
    assert "Deleted 1 email(s)" in _run("--days", "5")
    with pytest.raises(CommandError, match="at least 1"):
        _run("--days", "0")


def test_id_batches_walk_every_row_once_in_batches():
    for n in range(7):
        _message(f"m{n}", MessageStatus.SENT, OLD)
    batches = list(id_batches(Message.objects.all(), size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert sorted(pk for b in batches for pk in b) == sorted(Message.objects.values_list("pk", flat=True))
