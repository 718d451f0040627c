"""For the test suite and `manage.py bench`, which sign a test client in directly (force_login):
the session as a correct second-factor code leaves it (django_otp.login), so the pages measured
or tested are the ones a verified user sees, not the verify step. Code that can call this can
already write to the database; it opens nothing to a browser."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from clinic.kernel.sessions import SIGNED_IN_AT, TOUCHED_AT


def mark_verified(client: HttpClient, user: Any) -> None:
    """The session names a confirmed device that verified it (a backup-code device with no
    codes stands in for the authenticator app), and carries the sign-in's and the last save's
    times, as the sign-in request leaves them (clinic.kernel.sessions)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="test sign-in", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = time.time()
    session[TOUCHED_AT] = int(time.time())
    session.save()
