"""The records a view reads, fetched for a user: each helper checks the reader's role itself
(403) and the record's existence (404), so no view loads a client record by a bare id.

Every app names these the same way: `get_<record>_for(user, ...)` in `<app>/selectors.py`.
Loaders that feed a pure rule (`screening_for`, `screenings_for`) stay beside the rule.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from clients.models import Client, Intake, PhysicianClearance
from clinic.kernel.roles import is_clinician, is_staff_member


def get_client_for(user: Any, pk: int) -> Client:
    """A client any staff member may open (archived ones too: records are kept)."""
    if not is_staff_member(user):
        raise PermissionDenied
    return get_object_or_404(Client.objects.all(), pk=pk)


def get_intake_for(user: Any, client: Client, pk: int) -> Intake:
    """An intake of this client, for clinicians only: answers are clinical."""
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers can read health answers.")
    return get_object_or_404(client.intakes.prefetch_related("sites"), pk=pk)


def get_clearance_for(user: Any, client: Client, pk: int) -> PhysicianClearance:
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers can read doctors' letters.")
    return get_object_or_404(client.clearances.all(), pk=pk)
