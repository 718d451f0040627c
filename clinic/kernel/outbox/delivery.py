"""Sending one message: claim it, send it, record what happened. And the sweep.

The claim is one conditional UPDATE (due, and nobody's lease running): of two workers racing
for a message exactly one wins, so no message is sent twice by two workers. The winner holds a
lease (OUTBOX_LEASE_SECONDS); a worker killed mid-send leaves the message "sending" until the
lease runs out, and then the sweep or any task may claim it again, so nothing is lost.

The one repeat this allows, stated plainly: a worker killed after the mail server accepted the
message but before the UPDATE that marks it sent leaves it "sending"; after the lease it is
sent again. Delivery is at least once at the SMTP boundary. The window is the time between the
server's reply and that UPDATE, a single statement, with nothing else in between.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from clinic.kernel.outbox.health import beat
from clinic.kernel.outbox.models import Message, MessageStatus

logger = logging.getLogger(__name__)


def max_attempts() -> int:
    return max(1, settings.OUTBOX_MAX_ATTEMPTS)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: doubling from the base, up to the cap."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(0, attempts - 1), settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Outcome:
    # "sent" (a webhook: "delivered"), "failed", "given_up" or "skipped" (not claimable: done,
    # taken, not due)
    status: str
    retry_at: datetime | None = None


def take(rows: QuerySet[Any], now: datetime, *, sending: str) -> bool:
    """Claim `rows` (one claimable row: a message, a webhook delivery) for one attempt under a
    lease, in one conditional UPDATE (autocommit: the claim is visible to every worker at once)."""
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    return bool(rows.update(status=sending, claimed_until=lease, attempts=F("attempts") + 1))


def claim(message_id: int, now: datetime) -> bool:
    """Take the message for one send."""
    return take(Message.objects.filter(pk=message_id).claimable(now), now, sending=MessageStatus.SENDING)


def send(message: Message) -> None:
    """Through Django's email backend; SMTP waits at most EMAIL_TIMEOUT per network step."""
    email = EmailMessage(subject=message.subject, body=message.body, to=[message.recipient])
    email.extra_headers["X-Clinic-Message-Key"] = message.key  # lets a mailbox spot a repeat
    for filename, content, mimetype in message.attachment_tuples():
        email.attach(filename, content, mimetype)
    email.send()


def _permanent(error: Exception) -> bool:
    """The server refused the address itself: trying again would only be refused again."""
    return isinstance(error, smtplib.SMTPRecipientsRefused)


def deliver(message_id: int) -> Outcome:
    """One attempt at one message, whatever its state; safe to call any number of times."""
    beat()
    now = timezone.now()
    if not claim(message_id, now):
        return Outcome("skipped")
    message = Message.objects.get(pk=message_id)
    try:
        send(message)
    except Exception as error:  # any failure of the backend: record it, never lose the message
        return _record_failure(message, error)
    done = {"status": MessageStatus.SENT, "sent_at": timezone.now(), "claimed_until": None, "last_error": ""}
    if message.sensitive:
        done["body"] = ""  # the one-time link lived only to be sent
    # Sent is sent: even if the lease ran out meanwhile, this send happened.
    Message.objects.filter(pk=message_id).exclude(status=MessageStatus.SENT).update(**done)
    return Outcome("sent")


def _record_failure(message: Message, error: Exception) -> Outcome:
    text = f"{type(error).__name__}: {error}"[:2000]
    attempts = message.attempts
    mine = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING)
    if attempts >= max_attempts() or _permanent(error):
        reason = "the address was refused" if _permanent(error) else f"{attempts} attempts failed"
        mine.update(
            status=MessageStatus.GIVEN_UP, claimed_until=None, last_error=f"Gave up ({reason}): {text}"
        )
        logger.error(
            "Gave up outbox message %s (%s) to %s: %s", message.pk, message.kind, message.recipient, text
        )
        return Outcome("given_up")
    retry_at = timezone.now() + backoff(attempts)
    mine.update(status=MessageStatus.FAILED, claimed_until=None, next_attempt_at=retry_at, last_error=text)
    logger.warning(
        "Outbox message %s failed (attempt %s), retry at %s: %s", message.pk, attempts, retry_at, text
    )
    return Outcome("failed", retry_at=retry_at)


def sweep(*, now: datetime | None = None, grace: timedelta | None = None, limit: int = 1000) -> list[int]:
    """Messages whose task was lost: due for longer than `grace` (default OUTBOX_SWEEP_SECONDS)
    with nobody on them, or left "sending" by a worker whose lease ran out. Each is marked due
    now (so the next sweep leaves it alone for a while) and returned for enqueueing."""
    return sweep_rows(
        Message.objects.all(), waiting=(MessageStatus.PENDING, MessageStatus.FAILED),
        sending=MessageStatus.SENDING, now=now, grace=grace, limit=limit,
    )  # fmt: skip


def sweep_rows(
    rows: QuerySet[Any],
    *,
    waiting: tuple[str, ...],
    sending: str,
    now: datetime | None = None,
    grace: timedelta | None = None,
    limit: int = 1000,
) -> list[int]:
    """`sweep` for any table of rows sent the outbox's way (status, next_attempt_at,
    claimed_until): the ids of those whose task was lost."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS) if grace is None else grace
    due = Q(status__in=waiting, next_attempt_at__lte=now - grace)
    abandoned = Q(status=sending, claimed_until__lte=now)
    ids = list(rows.filter(due | abandoned).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    # An abandoned send keeps its status: the claim takes "sending" once the lease is over.
    rows.filter(pk__in=ids, status__in=waiting).update(next_attempt_at=now)
    return ids
