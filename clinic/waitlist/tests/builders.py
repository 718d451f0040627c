"""Waitlist test builders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from clients.tests.builders import make_client
from clinic.waitlist.models import WaitlistEntry


def make_entry(*, service: Any, **overrides: Any) -> WaitlistEntry:
    fields: dict[str, Any] = {
        "client": overrides.pop("client", None) or make_client(),
        "service": service,
        "from_date": timezone.localdate(),
        "expires_at": timezone.now() + timedelta(days=30),
    }
    fields.update(overrides)
    return WaitlistEntry.objects.create(**fields)
