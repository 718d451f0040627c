"""Writes to treatment notes. Every change to a note goes through here.

Each function locks the note row (`select_for_update`, a no-op on SQLite where IMMEDIATE
transactions serialise writers instead) and checks, under that lock, that the note is still
a draft and the user is its author. A signed note is never changed: only amendments follow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from clients.models import Client
from clients.screening import ScreeningResult, ScreeningStatus, screening_for
from clinic.kernel.outbox.models import Message
from clinic.kernel.outbox.services import write_message
from clinic.kernel.roles import is_clinician, is_manager
from clinic.models import Booking
from practitioners.models import Practitioner
from treatments import handouts, safety
from treatments.catalogue import Catalogue, current_catalogue
from treatments.models import (
    Amendment,
    HomeCareHandout,
    NoteStatus,
    Point,
    PointApplication,
    Protocol,
    ProtocolItem,
    Technique,
    TreatmentNote,
    TreatmentPlan,
)


class NoteError(Exception):
    """A write to a note that the rules refuse; the message says why, for the user."""


class NoteLocked(NoteError):
    """The note is signed (or not the user's to edit)."""


class NoteIncomplete(NoteError):
    """The note lacks what a signature needs; `problems` lists each gap, for the user."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


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
    points: Sequence[Point], *, catalogue: Catalogue, screening: ScreeningResult | None
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


def refusal_to_start(booking: Booking, user: User, screening: ScreeningResult) -> str | None:
    """Why no note can be started for this booking by this user, or None if one can."""
    if not booking.was_attended:
        return "A note is written for a session the client attended: mark the booking arrived first."
    if booking.practitioner.user_id != user.pk:
        return f"Only {booking.practitioner} (who treated the client) writes this session's note."
    if screening.status == ScreeningStatus.DO_NOT_TREAT:
        return f"This client cannot be treated now. {screening.action}"
    return None


@transaction.atomic
def start_note(*, booking: Booking, user: User) -> TreatmentNote:
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


def lock_draft(note_id: int, *, user: User) -> TreatmentNote:
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
    user: User,
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
        _check_home_care(note, home_care_points, home_care_reason)
    note.save()
    if home_care_points is not None:
        note.home_care_points.set(home_care_points)
    return note


def _check_home_care(note: TreatmentNote, points: Sequence[Point], reason: str) -> None:
    """Hold home-care points to the client's cautions; keep the cautions and the reason on the note."""
    flags = home_care_flags(points, catalogue=current_catalogue(), screening=screening_for(note.client))
    cautions = safety.summary(flags)
    if cautions and not reason.strip():
        raise HomeCareNeedsReason(f"{cautions}\nGive a reason to set these home-care points anyway.")
    note.home_care_cautions = cautions
    note.home_care_reason = reason.strip() if cautions else ""


# The SOAP text a signature needs some words in. "Plan for next time" alone does not record
# the session, so it is not one of them.
SOAP_TEXT_FIELDS = ("subjective", "objective", "assessment", "plan")
# A letter or a digit in any script: "...", "-" or blank lines alone are not words.
_WORD_CHARACTER = re.compile(r"[^\W_]")


def has_words(text: str) -> bool:
    return bool(_WORD_CHARACTER.search(text or ""))


def signing_problems(note: TreatmentNote, *, has_points: bool) -> list[str]:
    """What the note lacks before it can be signed; empty when it says what happened.

    A signed note is the lasting record of a session, so it needs both halves of one: some
    words in S, O, A or P (spaces and punctuation alone do not count), and what was treated:
    at least one point applied or one body region ticked.
    """
    problems = []
    if not any(has_words(getattr(note, name)) for name in SOAP_TEXT_FIELDS):
        problems.append(
            "Write what happened in at least one of S, O, A or P before signing "
            "(spaces and punctuation alone do not count)."
        )
    if not has_points and not note.regions_treated:
        problems.append("Record at least one point applied or one body region treated before signing.")
    return problems


@transaction.atomic
def add_applications(*, note_id: int, user: User, rows: Sequence[NewApplication]) -> list[PointApplication]:
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
def remove_application(*, note_id: int, user: User, application_id: int) -> None:
    note = lock_draft(note_id, user=user)
    deleted, _ = note.applications.filter(pk=application_id).delete()
    if not deleted:
        raise NoteError("That point is not on this note.")


@transaction.atomic
def sign_note(
    *,
    note_id: int,
    user: User,
    fields: dict[str, Any] | None = None,
    home_care_points: Sequence[Point] | None = None,
    home_care_reason: str = "",
) -> TreatmentNote:
    """Save `fields` (the note as the page showed it when Sign was pressed) and sign, under one lock.

    Without `fields` the note is signed as saved. A note that `signing_problems` finds wanting
    raises NoteIncomplete, and home-care points a caution applies to without a reason raise
    HomeCareNeedsReason; either way nothing is written, not even the fields.
    """
    note = lock_draft(note_id, user=user)
    for name, value in (fields or {}).items():
        setattr(note, name, value)
    problems = signing_problems(note, has_points=note.applications.exists())
    if problems:
        raise NoteIncomplete(problems)
    if home_care_points is not None:
        _check_home_care(note, home_care_points, home_care_reason)
        note.home_care_points.set(home_care_points)  # before signing: a signed note takes none
    note.status = NoteStatus.SIGNED
    note.signed_by = user
    note.signed_at = timezone.now()
    note.save()
    return note


@transaction.atomic
def add_amendment(*, note_id: int, user: User, text: str, reason: str) -> Amendment:
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
    *, note_id: int, user: User, catalogue: Catalogue, screening: ScreeningResult | None
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


def create_plan(*, client: Client, user: User, values: dict[str, Any]) -> TreatmentPlan:
    """A course of care for the client, by a clinician (the view checks the role)."""
    plan = TreatmentPlan(
        client=client,
        goal=values["goal"],
        planned_sessions=values["planned_sessions"],
        started_on=values["started_on"],
        created_by=user,
        practitioner=getattr(user, "practitioner", None),
    )
    plan.full_clean()
    plan.save()
    return plan


# -- Protocols ---------------------------------------------------------------------------------


class ProtocolError(Exception):
    """A change to a protocol that the rules refuse; the message says why, for the user."""


@dataclass(frozen=True)
class ProtocolStep:
    point: Point
    side: str
    technique: Technique | None = None
    duration_seconds: int | None = None
    pressure: int | None = None


def can_change_protocol(user: User, protocol: Protocol) -> bool:
    """Its owner changes a protocol; a manager changes any shared one."""
    if protocol.owner is not None and protocol.owner.user_id == user.pk:
        return True
    return protocol.shared and is_manager(user)


@transaction.atomic
def save_protocol(
    *,
    user: User,
    protocol_id: int | None,
    name: str,
    description: str,
    shared: bool,
    steps: Sequence[ProtocolStep],
) -> Protocol:
    """Create a protocol (protocol_id None) or replace an existing one's fields and points."""
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers keep protocols.")
    if not steps:
        raise ProtocolError("A protocol has at least one point.")
    if protocol_id is None:
        owner = Practitioner.objects.filter(user=user).first()
        protocol = Protocol(owner=owner, created_by=user)
    else:
        protocol = (
            Protocol.objects.select_for_update(of=("self",)).select_related("owner").get(pk=protocol_id)
        )
        if not can_change_protocol(user, protocol):
            raise PermissionDenied("Only its owner, or a manager for a shared one, changes this protocol.")
    if not shared and protocol.owner is None:
        raise ProtocolError("Only a practitioner keeps a private protocol: this one stays shared.")
    protocol.name = name.strip()
    protocol.description = description.strip()
    protocol.shared = shared
    protocol.full_clean()
    protocol.save()
    protocol.items.all().delete()
    # One create per item (not bulk_create) so each gets its history entry.
    for order, step in enumerate(steps, start=1):
        ProtocolItem.objects.create(
            protocol=protocol,
            point=step.point,
            side=step.side,
            technique=step.technique,
            duration_seconds=step.duration_seconds,
            pressure=step.pressure,
            order=order,
        )
    return protocol


@transaction.atomic
def delete_protocol(*, user: User, protocol_id: int) -> None:
    protocol = Protocol.objects.select_for_update(of=("self",)).select_related("owner").get(pk=protocol_id)
    if not can_change_protocol(user, protocol):
        raise PermissionDenied("Only its owner, or a manager for a shared one, deletes this protocol.")
    protocol.delete()


@dataclass(frozen=True)
class PendingCaution:
    """A protocol point that a caution applies to for this client, waiting for a reason."""

    item: ProtocolItem
    flags: tuple[safety.Flag, ...]


class ProtocolNeedsReasons(NoteError):
    """Some of the protocol's points need a reason for this client; nothing was added."""

    def __init__(self, pending: Sequence[PendingCaution]) -> None:
        self.pending = list(pending)
        codes = ", ".join(p.item.point.code for p in self.pending)
        super().__init__(
            f"A caution applies to {codes} for this client: give a reason for each, or leave it out."
        )


def protocol_cautions(
    items: Sequence[ProtocolItem], *, catalogue: Catalogue, screening: ScreeningResult | None
) -> list[PendingCaution]:
    """The items a caution applies to for this client, as when each point is added by hand."""
    pending = []
    for item in items:
        flags = catalogue.flags_for(item.point, side=item.side, pressure=item.pressure, screening=screening)
        if safety.needs_reason(flags):
            pending.append(PendingCaution(item, flags))
    return pending


@transaction.atomic
def apply_protocol(
    *,
    note_id: int,
    user: User,
    protocol_id: int,
    reasons: dict[int, str],
    skip: Sequence[int] = (),
    catalogue: Catalogue,
    screening: ScreeningResult | None,
) -> list[PointApplication]:
    """Add a protocol's points to a draft note, in order, in one go.

    Each point is checked against the client's cautions exactly as one added by hand: a point
    with a caution needs its reason (`reasons`, by item id) or is left out on purpose (`skip`);
    otherwise ProtocolNeedsReasons is raised and nothing is added.
    """
    protocol = Protocol.objects.visible_to(user).filter(pk=protocol_id).first()
    if protocol is None:
        raise NoteError("That protocol is not one of yours or the clinic's shared ones.")
    items = [item for item in protocol.items.select_related("point", "technique") if item.pk not in skip]
    if not items:
        raise NoteError("No point of the protocol is left to add.")
    pending = protocol_cautions(items, catalogue=catalogue, screening=screening)
    cautioned = {p.item.pk: p.flags for p in pending}
    missing = [p for p in pending if not reasons.get(p.item.pk, "").strip()]
    if missing:
        raise ProtocolNeedsReasons(missing)
    rows = [
        NewApplication(
            point=item.point,
            side=item.side,
            technique=item.technique,
            duration_seconds=item.duration_seconds,
            pressure=item.pressure,
            cautions_shown=safety.summary(cautioned.get(item.pk, ())),
            override_reason=reasons.get(item.pk, "").strip() if item.pk in cautioned else "",
            entered_as=item.point.code,
        )
        for item in items
    ]
    return add_applications(note_id=note_id, user=user, rows=rows)


# -- Home-practice handouts --------------------------------------------------------------------


@transaction.atomic
def make_handout(
    *, note_id: int, user: User, catalogue: Catalogue, screening: ScreeningResult | None
) -> HomeCareHandout:
    """Print the note's home-care points as a PDF and keep it with the note.

    Raises NoteError when no point can go on it (none set, or every one held back by a caution
    without an override). The file is written before the row commits: a rollback leaves an
    unreferenced file in the private storage, never a row without its file.
    """
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers make handouts.")
    # The note's row lock: two clicks make two handouts one after the other, each complete.
    note = TreatmentNote.objects.select_for_update().select_related("client").get(pk=note_id)
    handout = handouts.build_handout(
        note, catalogue=catalogue, screening=screening, plan=handouts.current_plan(note)
    )
    if not handout.points:
        left = f" ({handout.left_out_codes} held back by a caution)" if handout.left_out else ""
        raise NoteError(f"No home-care point to put on a handout{left}: set the home-care points first.")
    row = HomeCareHandout(
        note=note, points=handout.codes[:300], left_out=handout.left_out_codes[:300], created_by=user
    )
    try:
        pdf = handouts.render_pdf(handout)
    except handouts.PdfUnavailable as error:
        raise NoteError(str(error)) from error
    row.pdf.save("handout.pdf", ContentFile(pdf), save=False)
    row.save()
    return row


@transaction.atomic
def email_handout(*, handout: HomeCareHandout, user: User) -> Message:
    """Send the handout's PDF to the client through the outbox: once per handout, however often
    this is called (the message key is the handout's)."""
    if not is_clinician(user):
        raise PermissionDenied("Only practitioners and managers send handouts.")
    client = handout.note.client
    if not client.email:
        raise NoteError("The client has no email address on file: print the handout instead.")
    with handout.pdf.open("rb") as handle:
        content = handle.read()
    context = {"client": client, "handout": handout, "clinic_name": settings.CLINIC_NAME}
    return write_message(
        key=f"handout:{handout.pk}",
        kind="handout",
        topic=f"note:{handout.note_id}",
        recipient=client.email,
        subject=f"Your home-practice points - {settings.CLINIC_NAME}",
        body=render_to_string("treatments/email/handout.txt", context),
        attachments=[("home-practice.pdf", content, "application/pdf")],
    )
