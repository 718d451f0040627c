"""The three staff roles, as Django groups, and the checks views use.

A user's role is the group they belong to. Superusers count as managers. A logged-in user
with no role (an "outsider") is refused everywhere except their own account pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponseBase


class Role(models.TextChoices):
    MANAGER = "Manager", "Manager"
    PRACTITIONER = "Practitioner", "Practitioner"
    RECEPTION = "Reception", "Reception"


# Who may read clinical content (intake answers, findings, treatment notes).
CLINICAL_ROLES = (Role.MANAGER, Role.PRACTITIONER)
# Who works the front desk (bookings, the calendar, client contact details).
STAFF_ROLES = (Role.MANAGER, Role.PRACTITIONER, Role.RECEPTION)


def roles_of(user: Any) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_clinic_roles", None)
    if cached is None:
        # A user signed in by the session arrives with them (clinic.kernel.identity).
        cached = roles_from(user.groups.values_list("name", flat=True), is_superuser=user.is_superuser)
        user._clinic_roles = cached
    return cached


def roles_from(group_names: Iterable[str], *, is_superuser: bool) -> frozenset[str]:
    """The roles among a user's group names; a superuser is a manager whatever their groups."""
    names = set(group_names)
    if is_superuser:
        names.add(Role.MANAGER)
    return frozenset(n for n in names if n in Role.values)


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_manager(user: Any) -> bool:
    return has_role(user, Role.MANAGER)


def is_clinician(user: Any) -> bool:
    """Practitioners and managers: the people who may read clinical content."""
    return has_role(user, *CLINICAL_ROLES)


def is_staff_member(user: Any) -> bool:
    return has_role(user, *STAFF_ROLES)


def primary_role(user: Any) -> str | None:
    """The role whose home page a user lands on (manager wins over practitioner over desk)."""
    roles = roles_of(user)
    for role in (Role.MANAGER, Role.PRACTITIONER, Role.RECEPTION):
        if role in roles:
            return role
    return None


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Anonymous visitors go to the login page; logged-in users without the role get 403."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


manager_required = role_required(Role.MANAGER)
clinician_required = role_required(*CLINICAL_ROLES)
staff_required = role_required(*STAFF_ROLES)


# What each role may do in the admin and through model permissions. "app.*" is every
# permission of an app; "app.view_*" every view permission of it.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.MANAGER: (
        "clinic.*",
        "practitioners.*",
        "clients.*",
        "treatments.*",
        # The waitlist: read in the back office, written on its pages.
        "waitlist.view_*",
        # Imports: read in the back office, made on their pages.
        "imports.view_importrun",
        # The outbox: read, and "Retry now" (the change permission); rows are never edited.
        "outbox.view_message",
        "outbox.change_message",
        # The access log: read only; rows are never added, changed or deleted by hand.
        "access.view_accessevent",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        # Online booking: what clients may book (one row); codes and links are never shown.
        "online.view_onlinesettings",
        "online.change_onlinesettings",
        # Other systems: keys, webhook endpoints and deliveries, read (their pages write them).
        "integrations.view_*",
    ),
    Role.PRACTITIONER: (
        "clinic.view_*",
        "clinic.change_booking",
        "practitioners.view_*",
        "clients.view_*",
        "clients.add_*",
        "clients.change_*",
        "treatments.view_*",
        "treatments.add_*",
        "treatments.change_*",
    ),
    Role.RECEPTION: (
        "clinic.view_*",
        "clinic.add_booking",
        "clinic.change_booking",
        "practitioners.view_practitioner",
        "clients.view_client",
        "clients.add_client",
        "clients.change_client",
    ),
}


def sync_role_permissions(**_: Any) -> None:
    """Create the role groups and give each its permissions (run after every migrate).

    Permissions of models added by later migrations only exist after migrate has run, so this
    runs on post_migrate rather than inside a migration.
    """
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.select_related("content_type"))
    for role, specs in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = [p for p in perms if _matches(p, specs)]
        group.permissions.set(wanted)


def _matches(perm: Any, specs: tuple[str, ...]) -> bool:
    app = perm.content_type.app_label
    for spec in specs:
        spec_app, _, spec_code = spec.partition(".")
        if spec_app != app:
            continue
        if spec_code == "*" or spec_code == perm.codename:
            return True
        if spec_code.endswith("*") and perm.codename.startswith(spec_code[:-1]):
            return True
    return False
