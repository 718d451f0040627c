"""The client's record on request: a manager's POST downloads one zip with the FHIR R4B Bundle,
a printable HTML copy and the letters; every export is logged; no one else may export."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from clients.tests.builders import make_clearance, make_client, make_intake
from clinic.kernel.access.models import AccessEvent, What
from clinic.tests.builders import make_booking
from treatments.export import LOINC, PAIN_CODE, POINT_SYSTEM
from treatments.tests.builders import add_point, make_attended_booking, make_note, sign, technique

pytestmark = pytest.mark.django_db

FHIR_CLASSES = {
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
LETTER = b"%PDF-1.4\n% Dr Test says the client may be treated.\n"


@pytest.fixture
def world(practitioner):
    client = make_client(first_name="Ada", last_name="Lovelace", is_archived=True)
    today = timezone.localdate()
    make_intake(client, taken_on=today - timedelta(days=40), medications="Ibuprofen", blood_thinners=True)
    make_intake(
        client,
        taken_on=today - timedelta(days=5),
        pregnant=True,
        pregnancy_weeks=14,
        sites=[{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}],
    )
    first = make_note(
        practitioner, client=client, day=today - timedelta(days=30), pain_before=7, pain_after=3
    )
    add_point(first, "BL23", side="left", technique=technique("static"), duration_seconds=90, pressure=3)
    add_point(first, "GB34", side="right", technique=technique("knead"))
    add_point(first, "GV4", side="midline", technique=technique("vib"))
    sign(first)
    second = make_note(practitioner, client=client, day=today - timedelta(days=2), pain_before=4)
    add_point(second, "LI4", side="both", technique=technique("circ"), response="tender")
    add_point(second, "ST36", side="left")
    sign(second)
    first.booking.status = "completed"
    first.booking.save()
    cancelled = make_attended_booking(
        practitioner, client=client, day=today - timedelta(days=10), status="cancelled", cancel_reason="Ill"
    )
    future = make_booking(
        practitioner=practitioner,
        service=cancelled.service,
        client=client,
        start=timezone.now() + timedelta(days=7),
    )
    clearance = make_clearance(client, ["pregnancy"], letter_content_type="application/pdf")
    clearance.letter.save("scan.pdf", ContentFile(LETTER))
    return {
        "client": client,
        "notes": [first, second],
        "bookings": {"completed": first.booking, "cancelled": cancelled, "future": future},
        "clearance": clearance,
    }


def export(http, client):
    return http.post(reverse("treatments:client_export", args=[client.pk]))


def test_a_manager_downloads_the_complete_record(manager_client, manager, world):
    client = world["client"]

    response = export(manager_client, client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="client-{client.pk}-record-{today:%Y-%m-%d}.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"record.fhir.json", "record.html"} <= names

    # The Bundle parses, and every entry parses again as its own resource class.
    raw = json.loads(archive.read("record.fhir.json"))
    bundle = Bundle.model_validate(raw)
    assert bundle.type == "collection"
    resources: dict[str, list[Any]] = {}
    for entry, raw_entry in zip(bundle.entry or [], raw["entry"], strict=True):
        kind = raw_entry["resource"]["resourceType"]
        resource = FHIR_CLASSES[kind].model_validate(raw_entry["resource"])
        assert entry.fullUrl == f"urn:uuid:{resource.id}"
        resources.setdefault(kind, []).append(resource)
    full_urls = {entry.fullUrl for entry in bundle.entry}

    # Every reference points at an entry of the Bundle.
    def references(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "reference":
                    yield value
                else:
                    yield from references(value)
        elif isinstance(node, list):
            for item in node:
                yield from references(item)

    assert set(references(raw)) <= full_urls

    [patient] = resources["Patient"]
    assert patient.name[0].family == "Lovelace"
    assert patient.active is False  # archived, and exported all the same
    patient_ref = f"urn:uuid:{patient.id}"

    # completed -> fulfilled, cancelled, the future one booked, the second session still "arrived".
    assert sorted(a.status for a in resources["Appointment"]) == [
        "arrived",
        "booked",
        "cancelled",
        "fulfilled",
    ]
    assert len(resources["QuestionnaireResponse"]) == 2
    answers = {
        item.linkId: item.answer[0]
        for response in resources["QuestionnaireResponse"]
        for item in response.item
        if item.answer
    }
    assert answers["medications"].valueString == "Ibuprofen"
    assert answers["pregnancy_weeks"].valueInteger == 14

    # Each point application: its code under our system, its side, its technique.
    procedures = {
        (p.code.coding[0].system, p.code.coding[0].code, p.bodySite[0].text, p.note[0].text if p.note else "")
        for p in resources["Procedure"]
    }
    expected_points = {
        ("BL23", "left", "Static / sustained pressure"),
        ("GB34", "right", "Kneading"),
        ("GV4", "midline", "Vibration"),
        ("LI4", "both", "Circular motion"),
        ("ST36", "left", ""),
    }
    assert len(procedures) == 5
    for code, side, how in expected_points:
        assert any(
            system == POINT_SYSTEM and got == code and side in site.lower() and how in note
            for system, got, site, note in procedures
        ), (code, side, procedures)
    encounters = {f"urn:uuid:{e.id}": e for e in resources["Encounter"]}
    for procedure in resources["Procedure"]:
        assert procedure.subject.reference == patient_ref
        assert procedure.encounter.reference in encounters
    first, second = world["notes"]
    assert {str(p.performedDateTime) for p in resources["Procedure"]} == {
        first.service_date.isoformat(),
        second.service_date.isoformat(),
    }
    appointments = {f"urn:uuid:{a.id}" for a in resources["Appointment"]}
    assert all(e.appointment[0].reference in appointments for e in encounters.values())

    # Each pain score: before and after in the first session, before only in the second.
    pains = sorted(
        (o.valueInteger, o.note[0].text)
        for o in resources["Observation"]
        if o.code.coding[0].system == LOINC and o.code.coding[0].code == PAIN_CODE
    )
    assert pains == [
        (3, "Pain after the session"),
        (4, "Pain before the session"),
        (7, "Pain before the session"),
    ]

    # The letter: in the zip, described with its size and hash.
    [letter_ref] = [
        d
        for d in resources["DocumentReference"]
        if (d.content[0].attachment.url or "").startswith("letters/")
    ]
    attachment = letter_ref.content[0].attachment
    assert archive.read(attachment.url) == LETTER
    assert attachment.contentType == "application/pdf"
    assert attachment.size == len(LETTER)
    # fhir.resources decodes base64Binary: the model holds the digest, the JSON its base64.
    digest = hashlib.sha1(LETTER, usedforsecurity=False).digest()
    assert attachment.hash == digest
    [raw_letter] = [e["resource"] for e in raw["entry"] if e["fullUrl"] == f"urn:uuid:{letter_ref.id}"]
    assert raw_letter["content"][0]["attachment"]["hash"] == base64.b64encode(digest).decode()

    # The readable copy lists the points and needs nothing from outside.
    html = archive.read("record.html").decode()
    for code in ("BL23", "GB34", "GV4", "LI4", "ST36"):
        assert code in html
    assert "Static / sustained pressure" in html
    assert "<style>" in html
    for outside in ("<link", "<script", "<img", "http://", "https://", "url("):
        assert outside not in html, outside

    [event] = AccessEvent.objects.filter(what=What.EXPORT)
    assert (event.client_id, event.user_id) == (client.pk, manager.pk)


@pytest.mark.parametrize("who", ["practitioner_client", "reception_client", "outsider_client"])
def test_no_one_else_may_export(request, who, world):
    response = export(request.getfixturevalue(who), world["client"])

    assert response.status_code == 403
    assert not AccessEvent.objects.filter(what=What.EXPORT).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, world):
    response = export(client, world["client"])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_link_followed_exports_nothing(manager_client, world):
    response = manager_client.get(reverse("treatments:client_export", args=[world["client"].pk]))

    assert response.status_code == 405
    assert not AccessEvent.objects.filter(what=What.EXPORT).exists()


def test_the_button_is_on_the_client_page_for_managers_only(manager_client, practitioner_client, world):
    url = reverse("clients:detail", args=[world["client"].pk])
    action = reverse("treatments:client_export", args=[world["client"].pk])

    assert action in manager_client.get(url).content.decode()
    assert action not in practitioner_client.get(url).content.decode()
