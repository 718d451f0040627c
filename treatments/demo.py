"""Demo session notes: signed notes for past attended demo bookings, and a treatment plan.

Idempotent: the same bookings (the earliest attended ones) get a note once; a second run finds
them noted and changes nothing. With no attended bookings (clinic demo not loaded) it says so.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clients.screening import screenings_for
from clinic.models import ATTENDED_STATUSES, Booking
from treatments import safety
from treatments.catalogue import current_catalogue
from treatments.models import (
    NoteStatus,
    PointApplication,
    Technique,
    TreatmentNote,
    TreatmentPlan,
)
from treatments.quickline import parse_quick_line, technique_names

MAX_NOTES = 12

# (quick line, subjective, objective, assessment, plan, pain before, pain after)
SESSIONS = [
    ("BL23 both 90s static p3; GB39 both 60s; PC6 both 60s; BL40 both 60s knead p2",
     "Low back ache for two weeks, worse after sitting.", "Tight lumbar muscles, tender at BL23.",
     "Eased; bends further with less pain.", "Self-press GB39 twice a day.", 7, 4),
    ("LI4 both 60s static; GB20 both 90s knead; GB21 both 60s; EX-HN5 both 45s circ",
     "Tension headaches at the end of the working day.", "Raised shoulders, tender GB20.",
     "Headache gone by the end of the session.", "Shoulder rolls hourly at work.", 6, 2),
    ("PC6 both 2m static p2; ST36 both 90s; SP6 L 60s; HT7 both 60s",
     "Poor sleep and low appetite.", "Pale, tired; abdomen soft.",
     "Relaxed, nearly fell asleep.", "Press HT7 before bed.", 4, 2),
    ("ST36 both 90s static p3; SP9 both 60s; EX-LE5 R 60s knead; GB34 both 60s",
     "Right knee stiff on stairs.", "Mild swelling, right knee.", "Moves more freely.",
     "Gentle cycling; ice if swollen.", 5, 3),
]  # fmt: skip
PLAN_GOAL = "Reduce low back pain so the client can garden for an hour without pain."


def _attended_bookings() -> list[Booking]:
    now = timezone.now()
    return list(
        Booking.objects.filter(status__in=ATTENDED_STATUSES, end__lt=now)
        .select_related("client", "practitioner__user")
        .order_by("start", "id")[:MAX_NOTES]
    )


@transaction.atomic
def seed(stdout: Any) -> None:
    bookings = _attended_bookings()
    if not bookings:
        stdout.write("treatments: no attended past bookings to write demo notes for (skipped).")
        return
    catalogue = current_catalogue()
    techniques = technique_names(Technique.objects.filter(is_active=True))
    screenings = screenings_for([b.client_id for b in bookings])
    created = 0
    for index, booking in enumerate(bookings):
        if TreatmentNote.objects.filter(booking=booking).exists():
            continue
        line, subjective, objective, assessment, plan, before, after = SESSIONS[index % len(SESSIONS)]
        note = TreatmentNote.objects.create(
            booking=booking,
            client=booking.client,
            practitioner=booking.practitioner,
            service_date=booking.local_date,
            subjective=subjective,
            objective=objective,
            assessment=assessment,
            plan=plan,
            pain_before=before,
            pain_after=after,
        )
        screening = screenings.get(booking.client_id)
        rows: list[PointApplication] = []
        for entry in parse_quick_line(line, points=catalogue, techniques=techniques):
            if entry.point is None or entry.side is None:
                continue  # not for the demo's own lines, which all parse
            flags = catalogue.flags_for(
                entry.point, side=entry.side, pressure=entry.pressure, screening=screening
            )
            if safety.needs_reason(flags):
                continue  # the demo practitioner leaves out points cautioned for this client
            rows.append(
                PointApplication(
                    note=note, point=entry.point, side=entry.side, technique=entry.technique,
                    duration_seconds=entry.seconds, pressure=entry.pressure, order=len(rows) + 1,
                )
            )  # fmt: skip
        bulk_create_with_history(rows, PointApplication)
        # Written and signed just after the session, as a practitioner would (points first: a
        # signed note takes no more).
        TreatmentNote.objects.filter(pk=note.pk).update(written_at=booking.end + timedelta(minutes=5))
        note.status = NoteStatus.SIGNED
        note.signed_by = booking.practitioner.user
        note.signed_at = booking.end + timedelta(minutes=20)
        note.save(update_fields=["status", "signed_by", "signed_at"])
        created += 1
    first = bookings[0]
    _plan, plan_created = TreatmentPlan.objects.get_or_create(
        client=first.client,
        goal=PLAN_GOAL,
        defaults={
            "practitioner": first.practitioner,
            "planned_sessions": 6,
            "started_on": first.local_date,
            "created_by": first.practitioner.user,
        },
    )
    stdout.write(f"treatments: {created} signed demo notes, {int(plan_created)} treatment plan added.")
