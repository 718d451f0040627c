"""Who is asking: the signed-in user, their roles and their second factor, in one statement.

On every signed-in page Django loads the user the session names (the backend's `get_user`,
then `django.contrib.auth.get_user` checks the session's password hash and flushes a session
that fails it); django-otp's OTPMiddleware loads the device the session names, to tell whether
the session passed the second step (`request.user.is_verified()`); and the role checks read the
user's groups (clinic.kernel.roles). That was three statements after the session's own read.
Here it is one: `UserBackend.get_user` reads the user with

- the names of their role groups (a subquery), kept on the user as `roles_of` computes them;
- while `VerifiedDeviceMiddleware` has the user loaded, whether the device the session names is
  a confirmed device of this user (an EXISTS).

The device itself is loaded only if some code reads `request.user.otp_device`'s attributes;
`is_verified()` needs only to know that there is one. django-otp's rules are kept: a device
that is unknown, unconfirmed or another user's verifies nothing, and its id is then removed
from the session. Everything else (the password hash, inactive users, the two-factor policy)
goes through Django's and django-otp's own code, unchanged.
"""

from __future__ import annotations

import functools
from contextlib import suppress
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from clinic.kernel.aggregates import JoinedText
from clinic.kernel.roles import Role, roles_from

UserModel = get_user_model()

# Only role names are joined, and none contains it: splitting gives back exactly those names.
ROLE_SEPARATOR = ","

# The device id of the session whose user is being loaded, set by VerifiedDeviceMiddleware
# around the load: get_user is given only the user's id.
_session_device: ContextVar[str | None] = ContextVar("clinic_session_device", default=None)

# On a user loaded while a session named a device: (that device id, whether it is a confirmed
# device of this user).
DEVICE_CHECKED = "_clinic_device_checked"


def _role_names() -> Subquery:
    memberships = UserModel.groups.through.objects.filter(user=OuterRef("pk"), group__name__in=Role.values)
    joined = JoinedText("group__name", separator=ROLE_SEPARATOR)
    # One row: the user's role names, joined (django-stubs cannot see an annotation on values()).
    return Subquery(memberships.values("user").annotate(names=joined).values("names"))  # type: ignore[misc]


def _devices_named(persistent_id: str) -> QuerySet[Any] | None:
    """The device rows a session's device id names, read as Device.from_persistent_id reads
    it (legacy ids included); None when it names no device model or no number."""
    persistent_id = OTPMiddleware._normalize_persistent_id(persistent_id)
    with suppress(ValueError, LookupError):
        return Device._filter_persistent_id(persistent_id)
    return None


class UserBackend(ModelBackend):
    """ModelBackend whose user arrives with their roles and, while a session's device is being
    checked, with the verdict on it. Signing in (authenticate) and permissions are ModelBackend's."""

    def get_user(self, user_id: Any) -> Any:
        persistent_id = _session_device.get()
        devices = _devices_named(persistent_id) if persistent_id else None
        try:
            user = self._users(devices).get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return self._with_identity(user, persistent_id, devices) if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id: Any) -> Any:
        persistent_id = _session_device.get()
        devices = _devices_named(persistent_id) if persistent_id else None
        try:
            user = await self._users(devices).aget(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return self._with_identity(user, persistent_id, devices) if self.user_can_authenticate(user) else None

    @staticmethod
    def _users(devices: QuerySet[Any] | None) -> QuerySet[Any]:
        users = UserModel._default_manager.annotate(clinic_role_names=_role_names())
        if devices is not None:
            mine = devices.filter(user=OuterRef("pk"), confirmed=True)
            users = users.annotate(clinic_device_confirmed=Exists(mine))
        return users

    @staticmethod
    def _with_identity(user: Any, persistent_id: str | None, devices: QuerySet[Any] | None) -> Any:
        names = user.clinic_role_names.split(ROLE_SEPARATOR) if user.clinic_role_names else ()
        user._clinic_roles = roles_from(names, is_superuser=user.is_superuser)
        if persistent_id:
            confirmed = devices is not None and user.clinic_device_confirmed
            setattr(user, DEVICE_CHECKED, (persistent_id, confirmed))
        return user


class VerifiedDeviceMiddleware(OTPMiddleware):
    """OTPMiddleware, in its place, answering from the user's own statement (UserBackend).

    A user loaded some other way (before this middleware, or by another backend) is checked as
    django-otp checks it, with its own statement."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        token = _session_device.set(persistent_id or None)
        try:
            authenticated = user.is_authenticated  # loads the user: UserBackend.get_user
        finally:
            _session_device.reset(token)
        self._init_user_fields(user)
        if authenticated:
            user.otp_device = self._session_device(request, user, persistent_id)
        return user

    def _session_device(self, request: HttpRequest, user: Any, persistent_id: str | None) -> Any:
        checked = getattr(user, DEVICE_CHECKED, None)
        if persistent_id and checked is not None and checked[0] == persistent_id:
            if checked[1]:
                return SimpleLazyObject(functools.partial(self._device_from_persistent_id, persistent_id))
            device = None
        else:
            device = self._device_from_persistent_id(persistent_id) if persistent_id else None
        # django-otp's last word: another user's or an unconfirmed device is none, and a session
        # naming no device it may use forgets the id.
        return self._finalize_device(request, user, device)
