"""Email backends for the outbox's tests: one that hangs, one that is down until told, one
that counts every send (thread-safe, for races)."""

from __future__ import annotations

import smtplib
import threading
from typing import Any, ClassVar

from django.core.mail.backends.base import BaseEmailBackend
from django_tasks_db import DatabaseBackend


class HangingEmailBackend(BaseEmailBackend):
    """A mail server that accepts the connection and then never answers (until released)."""

    calls: ClassVar[list[str]] = []
    release = threading.Event()

    def send_messages(self, email_messages: Any) -> int:
        self.calls.extend(m.subject for m in email_messages)
        self.release.wait(timeout=5)
        raise TimeoutError("timed out")


class CountingEmailBackend(BaseEmailBackend):
    """Records every message sent, by subject, from any thread; `down` makes every send fail."""

    sent: ClassVar[list[str]] = []
    down: ClassVar[bool] = False
    lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        cls.sent = []
        cls.down = False

    def send_messages(self, email_messages: Any) -> int:
        if self.down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        with self.lock:
            self.sent.extend(m.subject for m in email_messages)
        return len(email_messages)


class RefusingTaskBackend(DatabaseBackend):
    """A task queue whose server is down: every enqueue fails."""

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        raise ConnectionError("queue server down")
