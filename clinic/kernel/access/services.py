"""Recording an access: one row, written by the view that showed or changed the record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clinic.kernel.access.models import AccessEvent, What
from clinic.kernel.addresses import client_address
from clinic.kernel.roles import primary_role


def record_access(request: HttpRequest, *, client_id: int, what: What, obj: Any = None) -> AccessEvent:
    """One event: who (and their role now), which client, what, which record, from where."""
    # Every caller sits behind a role check: the user is signed in.
    assert request.user.is_authenticated
    return AccessEvent.objects.create(
        user=request.user,
        role=primary_role(request.user) or "",
        client_id=client_id,
        what=what,
        object_kind=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        address=client_address(request),
    )
