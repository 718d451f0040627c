"""Writing to the outbox, the back office's hands on it (retry now, withdraw), and pruning.

`write_message` is what every app calls: inside the caller's transaction it creates the
message row (once per key, however often it is called) and, when that transaction commits,
hands the message to the task backend. Nothing here talks to the mail server.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from clinic.kernel.batches import id_batches
from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.kernel.outbox.tasks import enqueue_delivery

# An attachment as Django's EmailMessage.attach() takes it: (filename, content, mimetype).
Attachment = tuple[str, str | bytes, str]


def _stored(attachments: Iterable[Attachment]) -> list[dict[str, object]]:
    stored: list[dict[str, object]] = []
    for filename, content, mimetype in attachments:
        if isinstance(content, bytes):
            encoded = base64.b64encode(content).decode("ascii")
            stored.append({"filename": filename, "mimetype": mimetype, "content": encoded, "base64": True})
        else:
            stored.append({"filename": filename, "mimetype": mimetype, "content": content})
    return stored


def write_message(
    *,
    key: str,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    topic: str = "",
    attachments: Iterable[Attachment] = (),
    sensitive: bool = False,
    new_key: bool = False,
) -> Message:
    """The message for `key`, created now if new and queued for delivery once the caller's
    transaction commits. The same key never makes a second row nor a second email: a caller
    that runs twice (a double submit, a rerun command) gets the first message back.

    `new_key`: the key names a row the caller's transaction has just created (a new booking's
    id), so no message can have it yet: one INSERT instead of a lookup, a savepoint and the
    INSERT (the unique key still refuses a second row)."""
    fields = {
        "kind": kind,
        "topic": topic,
        "recipient": recipient,
        "subject": subject[:300],
        "body": body,
        "attachments": _stored(attachments),
        "sensitive": sensitive,
    }
    if new_key:
        message, created = Message.objects.create(key=key, **fields), True
    else:
        message, created = Message.objects.get_or_create(key=key, defaults=fields)
    if created:
        transaction.on_commit(partial(enqueue_delivery, message.pk))
    return message


@transaction.atomic
def retry_now(*, message: Message) -> bool:
    """Send a failed, given-up or waiting message again at once, with a fresh set of attempts.
    False when there is nothing to retry (already sent, or being sent right now)."""
    now = timezone.now()
    retried = (
        Message.objects.filter(pk=message.pk)
        .exclude(status=MessageStatus.SENT)
        .exclude(status=MessageStatus.SENDING, claimed_until__gt=now)
        .update(status=MessageStatus.PENDING, attempts=0, next_attempt_at=now, claimed_until=None)
    )
    if retried:
        transaction.on_commit(partial(enqueue_delivery, message.pk))
    return bool(retried)


def withdraw(*, key: str, reason: str) -> bool:
    """Stop a message that is not sent yet (a reminder for a time the booking no longer has).
    One already in a worker's hands can't be stopped; False then, or when there is none."""
    return bool(
        Message.objects.filter(key=key, status__in=(MessageStatus.PENDING, MessageStatus.FAILED)).update(
            status=MessageStatus.GIVEN_UP, last_error=f"Withdrawn: {reason}"
        )
    )


# Messages nothing will touch again: sent, or given up (a retry from the back office would
# set one back to pending, which the prune then leaves alone).
FINISHED = (MessageStatus.SENT, MessageStatus.GIVEN_UP)


def prune(*, before: datetime, dry_run: bool = False) -> int:
    """Delete the messages written before `before` that are sent or given up (how many); those
    still to send are kept whatever their age. `dry_run`: count only."""
    old = Message.objects.filter(created_at__lt=before, status__in=FINISHED)
    if dry_run:
        return old.count()
    deleted = 0
    for ids in id_batches(old):
        # The status is checked again by the DELETE itself: a message retried meanwhile stays.
        deleted += Message.objects.filter(pk__in=ids, status__in=FINISHED).delete()[0]
    return deleted
