"""Recording an access: one row, written by the view that showed or changed the record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from clinic.kernel.access.models import AccessEvent, What
from clinic.kernel.addresses import client_address
from clinic.kernel.roles import primary_role


def record_access(
    request: HttpRequest,
    *,
    client_id: int | None,
    what: What,
    obj: Any = None,
    coalesce: timedelta | None = None,
    detail: str = "",
    user: Any = None,
) -> AccessEvent:
    """One event: who (and their role now), which client, what, which record, from where.

    With `coalesce`, a burst of the same act is one event: if this user already has this event
    for this record within that time, nothing is added (the autosave of a note every few
    seconds is one "note saved" per working stretch, not hundreds).
    """
    # Every caller sits behind a role check (the user is signed in) or names the user: an API
    # call, made with a key that acts as its integration's own user.
    user = user or request.user
    assert user.is_authenticated
    object_kind = obj._meta.label_lower if obj is not None else ""
    object_id = obj.pk if obj is not None else None
    if coalesce is not None:
        recent = (
            AccessEvent.objects.by_user(user.pk)
            .filter(
                what=what, object_kind=object_kind, object_id=object_id, at__gte=timezone.now() - coalesce
            )
            .newest_first()
            .first()
        )
        if recent is not None:
            return recent
    return AccessEvent.objects.create(
        user=user,
        role=primary_role(user) or "",
        client_id=client_id,
        what=what,
        object_kind=object_kind,
        object_id=object_id,
        address=client_address(request),
        detail=detail[:200],
    )
