"""The notes a view reads, fetched for a user (role checked here: 403; missing: 404). See
clients/selectors.py for the naming every app follows; clients and bookings come through
their own apps' selectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from clients.models import Client, ContraindicationRule, HealthUpdate, Intake, PhysicianClearance
from clients.selectors import get_client_for
from clinic.kernel.roles import is_clinician, is_manager
from clinic.models import Booking
from treatments.models import (
    Amendment,
    HomeCareHandout,
    PointApplication,
    Protocol,
    TreatmentNote,
    TreatmentPlan,
)


def get_note_for(user: Any, pk: int) -> TreatmentNote:
    """A note, for a clinician: notes are clinical content."""
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers can read treatment notes.")
    return get_object_or_404(
        TreatmentNote.objects.select_related("client", "practitioner", "booking__service", "signed_by"), pk=pk
    )


def get_handout_for(user: Any, pk: int) -> HomeCareHandout:
    """A stored home-practice handout, for a clinician (it is clinical content)."""
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers read handouts.")
    return get_object_or_404(
        HomeCareHandout.objects.select_related("note__client", "note__practitioner"), pk=pk
    )


def get_protocol_for(user: Any, pk: int) -> Protocol:
    """A protocol the clinician may see: the clinic's shared ones and their own (another's
    private protocol is refused, 403)."""
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers use protocols.")
    protocol = get_object_or_404(Protocol.objects.select_related("owner__user"), pk=pk)
    if not protocol.shared and (protocol.owner is None or protocol.owner.user_id != user.pk):
        raise PermissionDenied("This protocol is another practitioner's own.")
    return protocol


@dataclass(frozen=True)
class ClientRecord:
    """Everything the clinic holds on one client, as the subject-access export reads it."""

    client: Client
    intakes: list[Intake]
    bookings: list[Booking]
    notes: list[TreatmentNote]
    clearances: list[PhysicianClearance]
    health_updates: list[HealthUpdate]
    plans: list[TreatmentPlan]


def get_client_record_for(user: Any, client_id: int) -> ClientRecord:
    """A client's complete record, for a manager only (the export answers a subject-access
    request: the whole file leaves the clinic). Archived clients too: their records are kept.

    A fixed number of queries, whatever the size of the record.
    """
    if not is_manager(user):
        raise PermissionDenied("Only managers can export a client's record.")
    client = get_client_for(user, client_id)
    notes = list(
        TreatmentNote.objects.for_client(client)
        .order_by("service_date", "written_at", "id")
        .select_related("practitioner", "signed_by", "booking")
        .prefetch_related(
            Prefetch("applications", queryset=PointApplication.objects.select_related("point", "technique")),
            Prefetch("amendments", queryset=Amendment.objects.select_related("author")),
            "home_care_points",
        )
    )
    return ClientRecord(
        client=client,
        intakes=list(client.intakes.order_by("taken_on", "created_at", "id").prefetch_related("sites")),
        bookings=list(
            client.bookings.order_by("start", "id").select_related("practitioner", "service", "room")
        ),
        notes=notes,
        clearances=list(
            client.clearances.order_by("issued_on", "id").prefetch_related(
                Prefetch("conditions", queryset=ContraindicationRule.objects.order_by("label"))
            )
        ),
        health_updates=list(client.health_updates.order_by("recorded_on", "created_at", "id")),
        plans=list(TreatmentPlan.objects.filter(client=client).order_by("started_on", "id")),
    )
