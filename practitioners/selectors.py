"""The practitioner records a view reads, fetched for a user. See clients/selectors.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from clinic.kernel.roles import is_manager
from practitioners.models import Practitioner, TimeOff


def get_practitioner_for(user: Any, pk: int) -> Practitioner:
    """Managers reach every practitioner; a practitioner only themself (others: 404)."""
    practitioner = get_object_or_404(Practitioner, pk=pk)
    if is_manager(user) or practitioner.user_id == user.pk:
        return practitioner
    raise Http404("No such practitioner.")


def get_schedule_owner_for(user: Any, pk: int) -> Practitioner:
    """Whose schedule a page changes: managers anyone's, a practitioner only their own (403)."""
    practitioner = get_object_or_404(Practitioner, pk=pk)
    if is_manager(user) or practitioner.user_id == user.pk:
        return practitioner
    raise PermissionDenied("You manage only your own time off.")


def get_time_off_for(user: Any, pk: int) -> TimeOff:
    """One time off: managers anyone's, a practitioner only their own (403)."""
    time_off = get_object_or_404(TimeOff.objects.select_related("practitioner"), pk=pk)
    if is_manager(user) or time_off.practitioner.user_id == user.pk:
        return time_off
    raise PermissionDenied("You manage only your own time off.")


def own_practitioner(user: Any) -> Practitioner | None:
    return Practitioner.objects.filter(user_id=user.pk).first()
