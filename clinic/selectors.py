"""The bookings a view reads, fetched for a user (role checked here: 403; missing: 404).
See clients/selectors.py for the naming every app follows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from clinic.kernel.roles import is_staff_member
from clinic.models import Booking


def get_booking_for(user: Any, pk: int) -> Booking:
    """A booking any staff member may work with, with what its pages show."""
    if not is_staff_member(user):
        raise PermissionDenied
    return get_object_or_404(
        Booking.objects.select_related("client", "practitioner", "service", "room", "course", "cancelled_by"),
        pk=pk,
    )
