"""The client's record on request (a subject-access export): one zip with the record as a FHIR
R4B Bundle, the same record as a printable HTML page, and the clearance letters themselves.

The record comes from `treatments.selectors.get_client_record_for` (managers only); this module
only turns it into files. Bundle entries carry stable `urn:uuid:` ids (a UUID5 of the row), so
two exports of the same record name its parts the same way.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.resource import Resource

from clients.models import Intake, PhysicianClearance
from clinic.kernel.dates import clinic_tz
from clinic.models import Booking, BookingStatus
from treatments.models import NoteStatus, PointApplication, TreatmentNote
from treatments.selectors import ClientRecord

# Our own code systems: the point codes are the WHO standard ones (BL23, EX-HN3) or the
# clinic's own (TP-UT1), named under a URI of this application.
CODE_SYSTEM_BASE = "https://clinic-app.invalid/fhir/CodeSystem"
POINT_SYSTEM = f"{CODE_SYSTEM_BASE}/acupoint"
INTAKE_QUESTIONNAIRE = "https://clinic-app.invalid/fhir/Questionnaire/health-intake"
LOINC = "http://loinc.org"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
# UUID5 namespace for the entries' ids.
ENTRY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://clinic-app.invalid/fhir/export")

APPOINTMENT_STATUS = {
    BookingStatus.BOOKED: "booked",
    BookingStatus.ARRIVED: "arrived",
    BookingStatus.COMPLETED: "fulfilled",
    BookingStatus.CANCELLED: "cancelled",
    BookingStatus.NO_SHOW: "noshow",
}
# Intake fields that describe the questionnaire itself, not an answer.
INTAKE_META_FIELDS = {
    "id",
    "client",
    "taken_on",
    "source",
    "recorded_by",
    "needs_review",
    "reviewed_by",
    "reviewed_at",
    "created_at",
}

BUNDLE_NAME = "record.fhir.json"
HTML_NAME = "record.html"
LETTERS_FOLDER = "letters"


def entry_id(obj: models.Model, part: str = "") -> str:
    """A stable UUID for a row (and a part of it, such as a note's pain before)."""
    return str(uuid.uuid5(ENTRY_NAMESPACE, f"{obj._meta.label_lower}/{obj.pk}/{part}"))


def ref(uid: str, display: str = "") -> dict[str, str]:
    return {"reference": f"urn:uuid:{uid}", **({"display": display} if display else {})}


def sha1_base64(content: bytes) -> str:
    """FHIR's Attachment.hash: the SHA-1 of the data, base64-encoded (an integrity check the
    standard fixes, not a security measure)."""
    return base64.b64encode(hashlib.sha1(content, usedforsecurity=False).digest()).decode()


def instant(moment: datetime) -> str:
    return timezone.localtime(moment, clinic_tz()).isoformat()


@dataclass(frozen=True)
class Answer:
    """One intake answer: the field, its question, the value (for FHIR) and its words (for HTML)."""

    name: str
    question: str
    value: bool | int | str
    text: str


def intake_answers(intake: Intake) -> list[Answer]:
    """The questionnaire's answers in form order; empty text and unset numbers are left out."""
    answers = []
    for field in intake._meta.concrete_fields:
        if field.name in INTAKE_META_FIELDS:
            continue
        value = getattr(intake, field.attname)
        if value is None or value == "":
            continue
        question = str(field.verbose_name)
        question = question[:1].upper() + question[1:]
        if isinstance(field, models.BooleanField):
            answers.append(Answer(field.name, question, bool(value), "Yes" if value else "No"))
        elif field.choices:
            shown = str(getattr(intake, f"get_{field.name}_display")())
            answers.append(Answer(field.name, question, shown, shown))
        elif isinstance(value, int):
            answers.append(Answer(field.name, question, value, str(value)))
        else:
            answers.append(Answer(field.name, question, str(value), str(value)))
    return answers


@dataclass(frozen=True)
class Letter:
    """A clearance letter as it goes into the zip."""

    clearance: PhysicianClearance
    path: str  # inside the zip: letters/...
    content_type: str
    content: bytes | None  # None: the file is missing from storage

    @property
    def size(self) -> int:
        return len(self.content or b"")


def read_letters(record: ClientRecord) -> list[Letter]:
    letters = []
    for clearance in record.clearances:
        if not clearance.letter:
            continue
        suffix = PurePath(clearance.letter.name).suffix.lower()[:6]
        path = f"{LETTERS_FOLDER}/clearance-{clearance.pk}-{clearance.issued_on:%Y-%m-%d}{suffix}"
        try:
            with clearance.letter.open("rb") as handle:
                content: bytes | None = handle.read()
        except (FileNotFoundError, OSError):
            content = None
        content_type = clearance.letter_content_type or "application/octet-stream"
        letters.append(Letter(clearance, path, content_type, content))
    return letters


# -- FHIR ----------------------------------------------------------------------------------


def _patient(record: ClientRecord) -> dict[str, Any]:
    client = record.client
    telecom = []
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone})
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": entry_id(client),
        "identifier": [{"system": f"{CODE_SYSTEM_BASE}/client-id", "value": str(client.pk)}],
        "active": not client.is_archived,
        "name": [{"use": "official", "family": client.last_name, "given": [client.first_name]}],
        "birthDate": client.date_of_birth.isoformat(),
    }
    if client.preferred_name:
        patient["name"].append({"use": "usual", "given": [client.preferred_name]})
    if telecom:
        patient["telecom"] = telecom
    if client.address:
        patient["address"] = [{"text": client.address}]
    if client.emergency_contact_name:
        contact: dict[str, Any] = {"name": {"text": client.emergency_contact_name}}
        if client.emergency_contact_relationship:
            contact["relationship"] = [{"text": client.emergency_contact_relationship}]
        if client.emergency_contact_phone:
            contact["telecom"] = [{"system": "phone", "value": client.emergency_contact_phone}]
        patient["contact"] = [contact]
    if client.physician_name:
        patient["generalPractitioner"] = [{"display": client.physician_name}]
    return patient


def _appointment(booking: Booking, patient_id: str, name: str) -> dict[str, Any]:
    appointment: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": entry_id(booking),
        "status": APPOINTMENT_STATUS[BookingStatus(booking.status)],
        "serviceType": [{"text": booking.service.name}],
        "start": instant(booking.start),
        "end": instant(booking.end),
        "created": instant(booking.created_at),
        "participant": [
            {"actor": ref(patient_id, name), "status": "accepted"},
            {"actor": {"display": booking.practitioner.display_name}, "status": "accepted"},
        ],
    }
    if booking.status == BookingStatus.CANCELLED and booking.cancel_reason:
        appointment["cancelationReason"] = {"text": booking.cancel_reason}
    return appointment


def _questionnaire_response(intake: Intake, patient_id: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for answer in intake_answers(intake):
        kind = {bool: "valueBoolean", int: "valueInteger"}.get(type(answer.value), "valueString")
        items.append({"linkId": answer.name, "text": answer.question, "answer": [{kind: answer.value}]})
    sites = list(intake.sites.all())
    if sites:
        items.append(
            {
                "linkId": "sites",
                "text": "Conditions at places on the body",
                "item": [
                    {
                        "linkId": f"sites.{n}",
                        "text": site.get_condition_display(),
                        "answer": [{"valueString": _site_text(site)}],
                    }
                    for n, site in enumerate(sites, start=1)
                ],
            }
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": entry_id(intake),
        "questionnaire": INTAKE_QUESTIONNAIRE,
        "status": "completed",
        "subject": ref(patient_id),
        "authored": intake.taken_on.isoformat(),
        "item": items,
    }


def _site_text(site: Any) -> str:
    text = f"{site.get_region_display()} ({site.get_side_display()})"
    if site.occurred_on:
        text += f", {site.occurred_on:%d %b %Y}"
    return f"{text}: {site.note}" if site.note else text


def _encounter(note: TreatmentNote, patient_id: str, appointment_ids: dict[int, str]) -> dict[str, Any]:
    booking = note.booking
    encounter: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": entry_id(note, "encounter"),
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "subject": ref(patient_id),
        "participant": [{"individual": {"display": note.practitioner.display_name}}],
        "period": {"start": instant(booking.start), "end": instant(booking.end)},
    }
    if booking.pk in appointment_ids:
        encounter["appointment"] = [ref(appointment_ids[booking.pk])]
    return encounter


def application_text(application: PointApplication) -> str:
    """How a point was worked, in words: technique, duration, pressure, response."""
    parts = []
    if application.technique:
        parts.append(f"Technique: {application.technique}")
    if application.duration_seconds:
        parts.append(f"duration {application.duration_label}")
    if application.pressure is not None:
        parts.append(f"pressure {application.pressure}/5")
    if application.response:
        parts.append(f"response: {application.response}")
    return "; ".join(parts)


def _procedure(application: PointApplication, note: TreatmentNote, patient_id: str) -> dict[str, Any]:
    point = application.point
    site = application.get_side_display()
    if point.region:
        site = f"{point.get_region_display()}, {site.lower()}"
    procedure: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": entry_id(application),
        "status": "completed",
        "code": {
            "coding": [{"system": POINT_SYSTEM, "code": point.code, "display": point.label}],
            "text": f"Acupressure at {point.code}",
        },
        "subject": ref(patient_id),
        "encounter": ref(entry_id(note, "encounter")),
        "performedDateTime": note.service_date.isoformat(),
        "performer": [{"actor": {"display": note.practitioner.display_name}}],
        "bodySite": [{"text": f"{point.code}: {site}"}],
    }
    text = application_text(application)
    if text:
        procedure["note"] = [{"text": text}]
    return procedure


def _pain(note: TreatmentNote, which: str, score: int, patient_id: str) -> dict[str, Any]:
    when = note.booking.start if which == "before" else note.booking.end
    return {
        "resourceType": "Observation",
        "id": entry_id(note, f"pain-{which}"),
        "status": "final" if note.status == NoteStatus.SIGNED else "preliminary",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": PAIN_CODE, "display": PAIN_DISPLAY}]},
        "subject": ref(patient_id),
        "encounter": ref(entry_id(note, "encounter")),
        "effectiveDateTime": instant(when),
        "valueInteger": score,
        "note": [{"text": f"Pain {which} the session"}],
    }


def note_text(note: TreatmentNote) -> str:
    """The SOAP note and its amendments as plain text."""
    lines = [f"Treatment note, {note.service_date:%d %b %Y}, {note.practitioner.display_name}"]
    lines.append(f"Signed {instant(note.signed_at)}" if note.signed_at else "Unsigned draft")
    for label, text in (
        ("Subjective", note.subjective),
        ("Objective", note.objective),
        ("Assessment", note.assessment),
        ("Plan", note.plan),
        ("Plan for next time", note.next_session),
    ):
        if text:
            lines += ["", f"{label}:", text]
    regions = note.region_labels()
    if regions:
        lines += ["", f"Regions treated: {', '.join(regions)}"]
    home = [p.code for p in note.home_care_points.all()]
    if home:
        lines += ["", f"Home-care points: {' '.join(home)}"]
    for amendment in note.amendments.all():
        lines += ["", f"Amendment {instant(amendment.created_at)} by {amendment.author}: {amendment.reason}"]
        lines.append(amendment.text)
    return "\n".join(lines) + "\n"


def _note_document(note: TreatmentNote, patient_id: str) -> dict[str, Any]:
    content = note_text(note).encode()
    return {
        "resourceType": "DocumentReference",
        "id": entry_id(note),
        "status": "current",
        "docStatus": "final" if note.status == NoteStatus.SIGNED else "preliminary",
        "type": {"text": "Treatment note (SOAP)"},
        "subject": ref(patient_id),
        "date": instant(note.written_at),
        "context": {"encounter": [ref(entry_id(note, "encounter"))]},
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(content).decode(),
                    "size": len(content),
                    "hash": sha1_base64(content),
                    "title": f"Treatment note {note.service_date:%Y-%m-%d}",
                }
            }
        ],
    }


def _letter_document(letter: Letter, patient_id: str) -> dict[str, Any]:
    clearance = letter.clearance
    attachment: dict[str, Any] = {
        "contentType": letter.content_type,
        "url": letter.path,
        "title": f"Clearance letter from {clearance.physician_name}",
    }
    if letter.content is not None:
        attachment["size"] = letter.size
        attachment["hash"] = sha1_base64(letter.content)
    conditions = ", ".join(rule.label for rule in clearance.conditions.all())
    description = f"Physician clearance, {clearance.issued_on:%d %b %Y} to {clearance.expires_on:%d %b %Y}"
    if conditions:
        description += f", for: {conditions}"
    if letter.content is None:
        description += " (the file was missing from storage at export)"
    return {
        "resourceType": "DocumentReference",
        "id": entry_id(clearance),
        "status": "current",
        "type": {"text": "Physician clearance letter"},
        "subject": ref(patient_id),
        "date": instant(clearance.created_at),
        "author": [{"display": clearance.physician_name}],
        "description": description,
        "content": [{"attachment": attachment}],
    }


def build_bundle(record: ClientRecord, letters: list[Letter]) -> Bundle:
    """The record as a FHIR R4B collection Bundle; every resource is validated as it is built."""
    patient_id = entry_id(record.client)
    resources: list[dict[str, Any]] = [_patient(record)]
    appointment_ids = {}
    for booking in record.bookings:
        resources.append(_appointment(booking, patient_id, record.client.full_name))
        appointment_ids[booking.pk] = entry_id(booking)
    resources += [_questionnaire_response(intake, patient_id) for intake in record.intakes]
    for note in record.notes:
        resources.append(_encounter(note, patient_id, appointment_ids))
        resources.append(_note_document(note, patient_id))
        resources += [_procedure(a, note, patient_id) for a in note.applications.all()]
        if note.pain_before is not None:
            resources.append(_pain(note, "before", note.pain_before, patient_id))
        if note.pain_after is not None:
            resources.append(_pain(note, "after", note.pain_after, patient_id))
    resources += [_letter_document(letter, patient_id) for letter in letters]
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": _validated(r)} for r in resources]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "type": "collection",
            "timestamp": instant(timezone.now()),
            "entry": entries,
        }
    )


RESOURCE_CLASSES: dict[str, type[Resource]] = {
    cls.__name__: cls
    for cls in (
        Patient,
        Appointment,
        QuestionnaireResponse,
        Encounter,
        Procedure,
        Observation,
        DocumentReference,
    )
}


def _validated(resource: dict[str, Any]) -> Resource:
    return RESOURCE_CLASSES[resource["resourceType"]].model_validate(resource)


# -- The readable copy and the zip ------------------------------------------------------------


def render_html(record: ClientRecord, letters: list[Letter], *, exported_at: datetime) -> str:
    notes = [
        {"note": note, "applications": [(a, application_text(a)) for a in note.applications.all()]}
        for note in record.notes
    ]
    by_clearance = {letter.clearance.pk: letter for letter in letters}
    return render_to_string(
        "treatments/export/record.html",
        {
            "record": record,
            "client": record.client,
            "intakes": [(intake, intake_answers(intake)) for intake in record.intakes],
            "notes": notes,
            "clearances": [(clearance, by_clearance.get(clearance.pk)) for clearance in record.clearances],
            "exported_at": timezone.localtime(exported_at, clinic_tz()),
        },
    )


def export_filename(record: ClientRecord, day: date) -> str:
    return f"client-{record.client.pk}-record-{day:%Y-%m-%d}.zip"


def build_export(record: ClientRecord) -> bytes:
    """The zip: the Bundle, the HTML copy and the letters, in memory (one client's files)."""
    now = timezone.now()
    letters = read_letters(record)
    bundle = build_bundle(record, letters)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            BUNDLE_NAME, json.dumps(json.loads(bundle.model_dump_json(exclude_none=True)), indent=2)
        )
        archive.writestr(HTML_NAME, render_html(record, letters, exported_at=now))
        for letter in letters:
            if letter.content is not None:
                archive.writestr(letter.path, letter.content)
    return buffer.getvalue()
