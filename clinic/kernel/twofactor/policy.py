"""Who must pass the second step, and where an unverified session may still go."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp import user_has_device

from clinic.kernel.roles import has_role


def required_by_role(user: Any) -> bool:
    """The clinic requires a second factor of this user (TWO_FACTOR_REQUIRED, OTP_REQUIRED_ROLES);
    superusers always count, whatever their groups."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return bool(user.is_superuser or has_role(user, *settings.OTP_REQUIRED_ROLES))


def must_verify(user: Any, *, back_office: bool = False) -> bool:
    """A signed-in user who has not yet given a code must give one before going further.

    Required by role; or by choice (anyone who enrolled, e.g. reception, uses it); or, while
    the requirement is on, for the back office, whoever opens it."""
    if required_by_role(user) or (back_office and settings.TWO_FACTOR_REQUIRED):
        return True
    return user_has_device(user)
