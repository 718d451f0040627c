"""The outbox, one worker at a time: one row per key, retries with back-off, giving up, a worker
killed mid-send, the sweep, the heartbeat and the command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic.kernel.outbox import delivery
from clinic.kernel.outbox.health import worker_heartbeat_age
from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.kernel.outbox.services import retry_now, withdraw, write_message
from clinic.kernel.outbox.tasks import enqueue_delivery
from clinic.kernel.outbox.tests.backends import CountingEmailBackend
from conftest import run_outbox_worker

pytestmark = pytest.mark.django_db

COUNTING = "clinic.kernel.outbox.tests.backends.CountingEmailBackend"


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = COUNTING
    CountingEmailBackend.reset()
    yield CountingEmailBackend
    CountingEmailBackend.reset()


def message(key: str = "test:1", **overrides: Any) -> Message:
    fields: dict[str, Any] = {
        "kind": "test",
        "recipient": "ada@example.com",
        "subject": f"Hello {key}",
        "body": "Hi.",
    }
    fields.update(overrides)
    return write_message(key=key, **fields)


def test_the_same_key_makes_one_row_and_one_email(counting):
    first = message(attachments=[("a.ics", "BEGIN:VCALENDAR", "text/calendar")])
    again = message(subject="A second try")
    assert first.pk == again.pk and Message.objects.count() == 1
    run_outbox_worker()
    run_outbox_worker()
    assert counting.sent == ["Hello test:1"]


def test_writing_hands_the_message_over_only_when_the_transaction_commits(
    counting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        message()
    assert len(callbacks) == 1  # nothing enqueued before the commit
    with django_capture_on_commit_callbacks() as callbacks:
        message()
    assert callbacks == []  # the same key again: nothing more to send


def test_attachments_travel_with_the_email(mailoutbox):
    message(attachments=[("a.ics", "BEGIN:VCALENDAR", "text/calendar"), ("b.bin", b"\x00\x01", "x/y")])
    run_outbox_worker()
    (sent,) = mailoutbox
    assert [(a[0], a[2]) for a in sent.attachments] == [("a.ics", "text/calendar"), ("b.bin", "x/y")]
    assert sent.attachments[1][1] == b"\x00\x01"
    assert sent.extra_headers["X-Clinic-Message-Key"] == "test:1"


def test_a_failure_is_recorded_and_retried_after_a_doubling_back_off(counting, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    counting.down = True
    msg = message()
    before = timezone.now()
    assert delivery.deliver(msg.pk).status == "failed"
    msg.refresh_from_db()
    assert msg.status == MessageStatus.FAILED and msg.attempts == 1 and msg.claimed_until is None
    assert "SMTPServerDisconnected" in msg.last_error
    assert before + timedelta(seconds=59) < msg.next_attempt_at < before + timedelta(seconds=62)
    assert delivery.deliver(msg.pk).status == "skipped"  # not due yet
    Message.objects.update(next_attempt_at=timezone.now())
    assert delivery.deliver(msg.pk).status == "failed"
    msg.refresh_from_db()
    assert msg.attempts == 2 and msg.next_attempt_at > timezone.now() + timedelta(seconds=110)
    assert delivery.backoff(30) == timedelta(seconds=settings.OUTBOX_RETRY_MAX_SECONDS)


def test_after_the_last_attempt_the_message_is_given_up_with_the_reason(counting, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    counting.down = True
    msg = message()
    for _ in range(3):
        Message.objects.update(next_attempt_at=timezone.now())
        delivery.deliver(msg.pk)
    msg.refresh_from_db()
    assert msg.status == MessageStatus.GIVEN_UP and msg.attempts == 3
    assert msg.last_error.startswith("Gave up (3 attempts failed): SMTPServerDisconnected")
    assert delivery.deliver(msg.pk).status == "skipped"


def test_retry_now_gives_a_given_up_message_a_fresh_start(counting, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    counting.down = True
    msg = message()
    delivery.deliver(msg.pk)
    counting.down = False
    assert retry_now(message=msg)
    msg.refresh_from_db()
    assert msg.status == MessageStatus.PENDING and msg.attempts == 0
    run_outbox_worker()
    msg.refresh_from_db()
    assert msg.status == MessageStatus.SENT and counting.sent == ["Hello test:1"]
    assert not retry_now(message=msg)  # sent is sent


def test_a_worker_killed_mid_send_is_replaced_once_its_lease_runs_out(counting):
    msg = message()
    # A worker claimed it, then died: "sending", attempt counted, lease still running.
    lease_end = timezone.now() + timedelta(minutes=5)
    Message.objects.update(status=MessageStatus.SENDING, attempts=1, claimed_until=lease_end)
    run_outbox_worker()
    assert counting.sent == []  # nobody takes a message whose lease runs
    Message.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert delivery.sweep() == [msg.pk]
    run_outbox_worker()
    msg.refresh_from_db()
    assert counting.sent == ["Hello test:1"] and msg.status == MessageStatus.SENT and msg.attempts == 2


def test_the_sweep_finds_messages_whose_task_was_lost_and_leaves_fresh_ones(settings):
    settings.OUTBOX_SWEEP_SECONDS = 60
    old = message("test:old")
    message("test:new")
    Message.objects.filter(pk=old.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert delivery.sweep() == [old.pk]
    assert delivery.sweep() == []  # marked due now: not swept again within the grace


def test_a_withdrawn_message_is_not_sent(counting):
    msg = message()
    assert withdraw(key=msg.key, reason="the booking moved")
    run_outbox_worker()
    msg.refresh_from_db()
    assert counting.sent == [] and msg.status == MessageStatus.GIVEN_UP
    assert msg.last_error == "Withdrawn: the booking moved"


def test_a_sensitive_body_is_wiped_once_sent(mailoutbox):
    msg = message(body="Your link: https://x/secret", sensitive=True)
    run_outbox_worker()
    msg.refresh_from_db()
    assert msg.body == "" and "secret" in mailoutbox[0].body


def test_the_worker_leaves_a_heartbeat_in_the_shared_cache(mailoutbox):
    cache.clear()
    assert worker_heartbeat_age() is None
    message()
    run_outbox_worker()
    age = worker_heartbeat_age()
    assert age is not None and 0 <= age < 60


def test_send_outbox_sweeps_and_reports(settings):
    settings.OUTBOX_SWEEP_SECONDS = 60
    msg = message()
    Message.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    out = StringIO()
    call_command("send_outbox", "--no-schedule", stdout=out)
    assert "Outbox: 1 re-enqueued; 1 pending, 0 failed (will retry), 0 given up." in out.getvalue()
    msg.refresh_from_db()
    assert msg.next_attempt_at > timezone.now() - timedelta(seconds=5)


def test_send_outbox_starts_one_periodic_sweep(settings):
    cache.clear()
    call_command("send_outbox", stdout=StringIO())
    call_command("send_outbox", stdout=StringIO())
    sweeps = DBTaskResult.objects.filter(task_path__endswith="sweep_outbox")
    assert sweeps.count() == 1


def test_a_queue_that_refuses_the_task_breaks_no_writer(settings, counting):
    settings.TASKS = {"default": {"BACKEND": "clinic.kernel.outbox.tests.backends.RefusingTaskBackend"}}
    with transaction.atomic():
        msg = message()
    assert enqueue_delivery(msg.pk) is False  # logged, not raised: the sweep picks it up later
    assert Message.objects.get().status == MessageStatus.PENDING
