"""Writes to treatment notes. Every change to a note goes through here.

Each function locks the note row (`select_for_update`, a no-op on SQLite where IMMEDIATE
transactions serialise writers instead) and checks, under that lock, that the note is still
a draft and the user is its author. A signed note is never changed: only amendments follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clients.screening import ScreeningStatus, screening_for
from clinic.models import Booking
from treatments import safety
from treatments.catalogue import Catalogue, current_catalogue
from treatments.models import (
    ATTENDED_STATUSES,
    Amendment,
    NoteStatus,
    Point,
    PointApplication,
    Technique,
    TreatmentNote,
)


class NoteError(Exception):
    """A write to a note that the rules refuse; the message says why, for the user."""


class NoteLocked(NoteError):
    """The note is signed (or not the user's to edit)."""


class HomeCareNeedsReason(NoteError):
    """A caution applies to a home-care point for this client and no reason was given."""


@dataclass(frozen=True)
class NewApplication:
    point: Point
    side: str
    technique: Technique | None = None
    duration_seconds: int | None = None
    pressure: int | None = None
    response: str = ""
    cautions_shown: str = ""
    override_reason: str = ""
    entered_as: str = ""
    reading: str = ""


def home_care_flags(
    points: Sequence[Point], *, catalogue: Catalogue, screening: Any
) -> tuple[safety.Flag, ...]:
    """The cautions the client's home-care points raise, as for points pressed in a session.

    The client presses them without the practitioner, so no side or pressure is known: every
    side and any pressure count.
    """
    return tuple(
        flag
        for point in points
        for flag in catalogue.flags_for(point, side=None, pressure=None, screening=screening)
    )


def refusal_to_start(booking: Any, user: Any, screening: Any) -> str | None:
    """Why no note can be started for this booking by this user, or None if one can."""
    if booking.status not in ATTENDED_STATUSES:
        return "A note is written for a session the client attended: mark the booking arrived first."
    if booking.practitioner.user_id != user.pk:
        return f"Only {booking.practitioner} (who treated the client) writes this session's note."
    if screening.status == ScreeningStatus.DO_NOT_TREAT:
        return f"This client cannot be treated now. {screening.action}"
    return None


@transaction.atomic
def start_note(*, booking: Any, user: Any) -> TreatmentNote:
    """The draft note of an attended booking (the existing one if it was already started)."""
    # Two clicks racing to start the same note: the booking's row lock makes the second wait
    # and then find the first one's note (PostgreSQL; SQLite's IMMEDIATE mode serialises them).
    Booking.objects.select_for_update().filter(pk=booking.pk).exists()
    existing = TreatmentNote.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    reason = refusal_to_start(booking, user, screening_for(booking.client))
    if reason:
        raise NoteError(reason)
    return TreatmentNote.objects.create(
        booking=booking,
        client=booking.client,
        practitioner=booking.practitioner,
        service_date=booking.local_date,
    )


def lock_draft(note_id: int, *, user: Any) -> TreatmentNote:
    """The note, locked for this transaction, if the user may still change it."""
    note = TreatmentNote.objects.select_for_update().select_related("practitioner").get(pk=note_id)
    if note.is_signed:
        raise NoteLocked("This note is signed and can no longer change: add an amendment instead.")
    if not note.is_author(user):
        raise NoteLocked("Only the note's author can change a draft.")
    return note


@transaction.atomic
def update_note(
    *,
    note_id: int,
    user: Any,
    fields: dict[str, Any],
    home_care_points: Sequence[Point] | None = None,
    home_care_reason: str = "",
) -> TreatmentNote:
    """Save a draft's fields; with `home_care_points`, set them, held to the client's cautions.

    A home-care point a caution applies to (LI4 for a pregnant client) is refused unless
    `home_care_reason` says why; the cautions and the reason are kept on the note.
    """
    note = lock_draft(note_id, user=user)
    for name, value in fields.items():
        setattr(note, name, value)
    if home_care_points is not None:
        flags = home_care_flags(
            home_care_points, catalogue=current_catalogue(), screening=screening_for(note.client)
        )
        cautions = safety.summary(flags)
        if cautions and not home_care_reason.strip():
            raise HomeCareNeedsReason(f"{cautions}\nGive a reason to set these home-care points anyway.")
        note.home_care_cautions = cautions
        note.home_care_reason = home_care_reason.strip() if cautions else ""
    note.save()
    if home_care_points is not None:
        note.home_care_points.set(home_care_points)
    return note


@transaction.atomic
def add_applications(*, note_id: int, user: Any, rows: Sequence[NewApplication]) -> list[PointApplication]:
    note = lock_draft(note_id, user=user)
    missing = [row.point.code for row in rows if row.cautions_shown and not row.override_reason.strip()]
    if missing:
        raise NoteError(f"Give a reason for going ahead with {', '.join(missing)}.")
    start = (note.applications.aggregate(top=Max("order"))["top"] or 0) + 1
    # One create per row (not bulk_create) so each row gets its audit-history entry.
    return [
        PointApplication.objects.create(
            note=note,
            point=row.point,
            side=row.side,
            technique=row.technique,
            duration_seconds=row.duration_seconds,
            pressure=row.pressure,
            response=row.response,
            cautions_shown=row.cautions_shown,
            override_reason=row.override_reason.strip(),
            entered_as=row.entered_as.strip()[:60],
            reading=row.reading,
            order=start + offset,
        )
        for offset, row in enumerate(rows)
    ]


@transaction.atomic
def remove_application(*, note_id: int, user: Any, application_id: int) -> None:
    note = lock_draft(note_id, user=user)
    deleted, _ = note.applications.filter(pk=application_id).delete()
    if not deleted:
        raise NoteError("That point is not on this note.")


@transaction.atomic
def sign_note(*, note_id: int, user: Any) -> TreatmentNote:
    note = lock_draft(note_id, user=user)
    note.status = NoteStatus.SIGNED
    note.signed_by = user
    note.signed_at = timezone.now()
    note.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
    return note


@transaction.atomic
def add_amendment(*, note_id: int, user: Any, text: str, reason: str) -> Amendment:
    note = TreatmentNote.objects.select_for_update().get(pk=note_id)
    if not note.is_signed:
        raise NoteError("A draft is edited directly; amendments are for signed notes.")
    return Amendment.objects.create(note=note, text=text, reason=reason, author=user)


def previous_signed_note(note: TreatmentNote) -> TreatmentNote | None:
    """The client's newest signed note before this one."""
    return (
        TreatmentNote.objects.signed()
        .filter(client_id=note.client_id)
        .exclude(pk=note.pk)
        .newest_first()
        .first()
    )


@transaction.atomic
def copy_last_protocol(
    *, note_id: int, user: Any, catalogue: Catalogue, screening: Any
) -> tuple[list[PointApplication], list[str]]:
    """Copy the points of the client's newest signed note into this draft.

    A point whose caution applies to the client today is not copied (it would need a fresh
    reason); its code is returned so the page can say so.
    """
    note = lock_draft(note_id, user=user)
    previous = previous_signed_note(note)
    if previous is None:
        raise NoteError("This client has no signed note to start from.")
    rows, skipped = [], []
    for old in previous.applications.select_related("point", "technique"):
        flags = catalogue.flags_for(old.point, side=old.side, pressure=old.pressure, screening=screening)
        if safety.needs_reason(flags):
            skipped.append(old.point.code)
            continue
        rows.append(
            NewApplication(
                point=old.point,
                side=old.side,
                technique=old.technique,
                duration_seconds=old.duration_seconds,
                pressure=old.pressure,
                entered_as=old.entered_as,
                reading=old.reading,
            )
        )
    return add_applications(note_id=note.pk, user=user, rows=rows), skipped
