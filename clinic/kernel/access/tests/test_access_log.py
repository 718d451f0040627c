"""The access log: every read and write of a client's clinical record leaves one event, which
no one can change or remove, and which only managers read."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clients.tests.builders import back_office_client, make_clearance, make_client, make_intake
from clinic.kernel.access.models import AccessEvent, What
from clinic.kernel.roles import Role
from treatments.models import TreatmentNote
from treatments.tests.builders import add_point, make_attended_booking, make_note, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_reading_a_chart_a_note_an_intake_and_a_letter_adds_four_events(practitioner, practitioner_client):
    client = make_client()
    intake = make_intake(client)
    clearance = make_clearance(client, ["pregnancy"], letter_content_type="application/pdf")
    clearance.letter.save("letter.pdf", ContentFile(b"%PDF-1.4\n"))
    note = make_note(practitioner, client=client)

    pages = [
        (reverse("treatments:chart", args=[client.pk]), What.CHART_VIEWED),
        (reverse("treatments:note", args=[note.pk]), What.NOTE_VIEWED),
        (reverse("clients:intake_detail", args=[client.pk, intake.pk]), What.INTAKE_VIEWED),
        (reverse("clients:clearance_letter", args=[client.pk, clearance.pk]), What.LETTER_VIEWED),
    ]
    for url, _what in pages:
        assert practitioner_client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200

    events = list(AccessEvent.objects.order_by("id"))
    assert [e.what for e in events] == [what for _url, what in pages]
    assert {(e.client_id, e.user_id, e.role, e.address) for e in events} == {
        (client.pk, practitioner.user.pk, Role.PRACTITIONER, "203.0.113.7")
    }
    assert [(e.object_kind, e.object_id) for e in events] == [
        ("clients.client", client.pk),
        ("treatments.treatmentnote", note.pk),
        ("clients.intake", intake.pk),
        ("clients.physicianclearance", clearance.pk),
    ]


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(settings, practitioner_client):
    settings.PROXY_COUNT = 1
    client = make_client()
    practitioner_client.get(
        reverse("treatments:chart", args=[client.pk]),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4",  # the first is whatever the client claimed
    )
    assert AccessEvent.objects.get().address == "198.51.100.4"


def test_without_a_proxy_a_forwarded_header_is_ignored(practitioner_client):
    client = make_client()
    practitioner_client.get(
        reverse("treatments:chart", args=[client.pk]),
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert AccessEvent.objects.get().address == "203.0.113.9"


def test_the_client_page_logs_the_health_section_for_clinicians_only(practitioner_client, reception_client):
    client = make_client()
    url = reverse("clients:detail", args=[client.pk])
    assert reception_client.get(url).status_code == 200
    assert not AccessEvent.objects.exists()
    assert practitioner_client.get(url).status_code == 200
    assert AccessEvent.objects.get().what == What.HEALTH_VIEWED


def test_a_clinical_write_adds_one_event(practitioner, practitioner_client):
    note = sign(make_note(practitioner))
    response = practitioner_client.post(
        reverse("treatments:amendment_add", args=[note.pk]), {"text": "Left, not right.", "reason": "typo"}
    )
    assert response.status_code == 302
    event = AccessEvent.objects.get()
    assert (event.what, event.client_id, event.object_id) == (What.NOTE_AMENDED, note.client_id, note.pk)


def _event(user, client_id: int = 1) -> AccessEvent:
    return AccessEvent.objects.create(
        user=user, role=Role.PRACTITIONER, client_id=client_id, what=What.NOTE_VIEWED
    )


def test_on_sqlite_an_event_cannot_be_changed(practitioner):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite trigger")
    event = _event(practitioner.user)
    with pytest.raises(IntegrityError, match="access_event_append_only"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(client_id=2)


@pytest.mark.postgres_only
@pytest.mark.parametrize("write", ["update", "delete"])
def test_on_postgresql_an_event_cannot_be_changed_or_deleted(practitioner, write):
    event = _event(practitioner.user)
    rows = AccessEvent.objects.filter(pk=event.pk)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        rows.update(client_id=2) if write == "update" else rows.delete()
    assert AccessEvent.objects.get(pk=event.pk).client_id == 1


def test_the_admin_is_a_read_only_window_for_managers(manager, practitioner):
    event = _event(practitioner.user)
    browser = back_office_client(manager)
    assert browser.get(reverse("admin:access_accessevent_changelist")).status_code == 200
    filtered = browser.get(reverse("admin:access_accessevent_changelist"), {"what": What.NOTE_VIEWED})
    assert filtered.status_code == 200
    assert browser.get(reverse("admin:access_accessevent_add")).status_code == 403
    assert browser.post(reverse("admin:access_accessevent_delete", args=[event.pk])).status_code == 403
    change = browser.post(reverse("admin:access_accessevent_change", args=[event.pk]), {"client_id": 2})
    assert change.status_code == 403
    event.refresh_from_db()
    assert event.client_id == 1


def test_managers_see_who_opened_a_client_record(manager_client, practitioner):
    client = make_client()
    _event(practitioner.user, client.pk)
    response = manager_client.get(reverse("access:client_events", args=[client.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Amara Okafor" in response.content.decode() and "Note viewed" in response.content.decode()
    page = manager_client.get(reverse("clients:detail", args=[client.pk]))
    assert reverse("access:client_events", args=[client.pk]) in page.content.decode()


def test_the_client_panel_is_not_offered_to_others(practitioner_client):
    client = make_client()
    page = practitioner_client.get(reverse("clients:detail", args=[client.pk]))
    assert reverse("access:client_events", args=[client.pk]) not in page.content.decode()


def test_a_managers_report_lists_a_users_events_newest_first(manager_client, practitioner):
    first, second = _event(practitioner.user, 11), _event(practitioner.user, 22)
    response = manager_client.get(reverse("access:user_activity", args=[practitioner.user.pk]))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [second, first]


@pytest.mark.parametrize("who", ["outsider_client", "reception_client", "practitioner_client"])
def test_the_report_and_the_panel_are_for_managers_only(request, who, practitioner):
    browser = request.getfixturevalue(who)
    assert browser.get(reverse("access:user_activity", args=[practitioner.user.pk])).status_code == 403
    assert browser.get(reverse("access:client_events", args=[1])).status_code == 403


def test_starting_a_note_removing_a_point_a_plan_and_a_health_update_are_logged(
    practitioner, practitioner_client, receptionist, reception_client
):
    client = make_client()
    booking = make_attended_booking(practitioner, client=client)
    assert practitioner_client.post(reverse("treatments:booking_note", args=[booking.pk])).status_code == 302
    note = TreatmentNote.objects.get(booking=booking)
    point = add_point(note, "LI4")
    response = practitioner_client.post(reverse("treatments:application_remove", args=[note.pk, point.pk]))
    assert response.status_code == 302
    response = practitioner_client.post(
        reverse("treatments:plan_create", args=[client.pk]),
        {
            "goal": "Ease the shoulder",
            "planned_sessions": "6",
            "started_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    response = reception_client.post(reverse("clients:health_update", args=[client.pk]), {"changed": "no"})
    assert response.status_code == 302

    events = list(AccessEvent.objects.order_by("id").values_list("what", "user_id", "client_id"))
    assert events == [
        (What.NOTE_STARTED, practitioner.user.pk, client.pk),
        (What.POINT_REMOVED, practitioner.user.pk, client.pk),
        (What.PLAN_CREATED, practitioner.user.pk, client.pk),
        (What.HEALTH_UPDATE_RECORDED, receptionist.pk, client.pk),
    ]


def test_autosave_is_one_event_per_stretch_of_typing(practitioner, practitioner_client):
    note = make_note(practitioner)
    url = reverse("treatments:note_autosave", args=[note.pk])
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        for text in ("Shoulder", "Shoulder ache", "Shoulder ache, left"):
            assert (
                practitioner_client.post(url, {"subjective": text}, HTTP_HX_REQUEST="true").status_code == 200
            )
    assert AccessEvent.objects.filter(what=What.NOTE_SAVED).count() == 1
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=11)):
        assert (
            practitioner_client.post(url, {"subjective": "Later"}, HTTP_HX_REQUEST="true").status_code == 200
        )
    assert AccessEvent.objects.filter(what=What.NOTE_SAVED).count() == 2
