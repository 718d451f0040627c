"""The notes a view reads, fetched for a user (role checked here: 403; missing: 404). See
clients/selectors.py for the naming every app follows; clients and bookings come through
their own apps' selectors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from clinic.kernel.roles import is_clinician
from treatments.models import TreatmentNote


def get_note_for(user: Any, pk: int) -> TreatmentNote:
    """A note, for a clinician: notes are clinical content."""
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers can read treatment notes.")
    return get_object_or_404(
        TreatmentNote.objects.select_related("client", "practitioner", "booking__service", "signed_by"), pk=pk
    )
