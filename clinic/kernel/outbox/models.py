"""One row per email to send: what to send, to whom, and where its delivery stands."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    GIVEN_UP = "given_up", "Given up"


# A worker may claim a message in these states (once its lease, if any, has run out).
CLAIMABLE = (MessageStatus.PENDING, MessageStatus.FAILED, MessageStatus.SENDING)
# Still to be sent: what the back office lists as open.
OPEN = (MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.FAILED)


class MessageQuerySet(models.QuerySet["Message"]):
    def claimable(self, now: datetime) -> MessageQuerySet:
        """Due and free: pending or failed with its next attempt due, or left "sending" by a
        worker whose lease ran out (killed mid-send)."""
        lease_free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        return self.filter(lease_free, status__in=CLAIMABLE, next_attempt_at__lte=now)

    def about(self, *topics: str) -> MessageQuerySet:
        return self.filter(topic__in=topics)


class Message(models.Model):
    # The caller's name for this email ("booking:12:cancelled:..."): one key, one row, one email.
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, help_text="What sort of email (booked, reminder, intake link...).")
    # What the email is about ("booking:12"), for showing its status on that record's page.
    topic = models.CharField(max_length=100, blank=True)
    recipient = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # [{"filename": ..., "mimetype": ..., "content": ..., "base64": bool}]
    attachments = models.JSONField(default=list, blank=True)
    sensitive = models.BooleanField(
        default=False,
        help_text="The body holds a secret (a one-time link): never shown here, wiped once sent.",
    )
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The lease: a worker sending the message holds it until then; after it, another may retry.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SENT) | Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
                violation_error_message="A sent message records when it was sent.",
            ),
        ]
        indexes = [
            # The sweep and the claim: open messages by due time.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # A record's page: the emails about it.
            models.Index(fields=["topic"], name="outbox_topic_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.get_status_display().lower()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def attachment_tuples(self) -> list[tuple[str, Any, str]]:
        """The attachments as EmailMessage.attach() takes them."""
        found = []
        for item in self.attachments or []:
            content = item["content"]
            if item.get("base64"):
                content = base64.b64decode(content)
            found.append((item["filename"], content, item.get("mimetype", "application/octet-stream")))
        return found
