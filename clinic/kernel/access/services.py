"""Recording an access: one row, written by the view that showed or changed the record."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from clinic.kernel.access.models import AccessEvent, What
from clinic.kernel.roles import primary_role


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from.

    Behind our own proxy (BEHIND_PROXY), the last X-Forwarded-For entry is the one that proxy
    added (nginx's $proxy_add_x_forwarded_for): the first address a trusted hop vouches for.
    Entries left of it come from the client and could be anything.
    """
    candidates = []
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            candidates.append(forwarded.split(",")[-1].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


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
