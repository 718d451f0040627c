"""The back office is a window onto the clinical records, not a second door around the note page.

Crafted admin forms are posted as a manager and as a practitioner given `is_staff`: the signed
note, its points and the records stay exactly as they were, and the caution rules stay in force.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.tests.builders import back_office_client, make_client
from treatments.models import Amendment, Point, PointApplication, TreatmentNote, TreatmentPlan
from treatments.tests.builders import add_point, make_note, make_pregnant_client, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["manager", "staff practitioner"])
def back_office(request, manager, practitioner):
    """Both people who can reach the admin: the manager, and the note's own author made staff."""
    return back_office_client(manager if request.param == "manager" else practitioner.user)


@pytest.fixture
def signed_note(practitioner):
    note = make_note(practitioner, client=make_pregnant_client(), subjective="Low back ache, 6/10")
    add_point(note, "BL23", pressure=2)
    return sign(note)


def snapshot(note: TreatmentNote) -> tuple:
    note.refresh_from_db()
    rows = tuple(note.applications.values_list("point__code", "side", "pressure", "order", "override_reason"))
    return (note.status, note.subjective, note.client_id, note.practitioner_id, rows)


def application_form(note_id, point_code="LI4", **overrides):
    data = {
        "note": note_id,
        "point": Point.objects.get(code=point_code).pk,
        "side": "both",
        "order": 9,
        "pressure": 5,
        "duration_seconds": 60,
        "response": "",
        "cautions_shown": "",
        "override_reason": "",
    }
    data.update(overrides)
    return data


def test_a_point_cannot_be_added_to_a_signed_note(back_office, signed_note):
    before = snapshot(signed_note)
    for url in (reverse("admin:treatments_pointapplication_add"),):
        assert back_office.get(url).status_code == 403
        # LI4 at pressure 5 on a pregnant client, with no reason: refused at the door.
        assert back_office.post(url, application_form(signed_note.pk)).status_code == 403
    assert snapshot(signed_note) == before
    assert PointApplication.objects.count() == 1


def test_a_drafts_point_cannot_be_moved_onto_a_signed_note(back_office, practitioner, signed_note):
    draft = make_note(practitioner)
    moved = add_point(draft, "ST36")
    before = snapshot(signed_note)
    url = reverse("admin:treatments_pointapplication_change", args=[moved.pk])
    response = back_office.post(url, application_form(signed_note.pk, "ST36"))
    assert response.status_code == 403
    moved.refresh_from_db()
    assert moved.note_id == draft.pk
    assert snapshot(signed_note) == before


def test_the_signed_notes_inline_takes_no_new_rows(back_office, signed_note):
    before = snapshot(signed_note)
    url = reverse("admin:treatments_treatmentnote_change", args=[signed_note.pk])
    data = {
        "subjective": "rewritten",
        "applications-TOTAL_FORMS": "1",
        "applications-INITIAL_FORMS": "0",
        **{f"applications-0-{k}": v for k, v in application_form(signed_note.pk).items() if k != "note"},
    }
    assert back_office.post(url, data).status_code == 403
    assert snapshot(signed_note) == before


def test_a_draft_cannot_be_rewritten_or_moved_to_another_practitioner_or_client(
    back_office, practitioner, other_practitioner
):
    draft = make_note(practitioner, subjective="As the client said it")
    other = make_note(other_practitioner)
    before = snapshot(draft)
    url = reverse("admin:treatments_treatmentnote_change", args=[draft.pk])
    response = back_office.post(
        url,
        {
            "booking": other.booking_id,
            "client": other.client_id,
            "practitioner": other_practitioner.pk,
            "service_date": draft.service_date.isoformat(),
            "subjective": "Rewritten in the back office",
        },
    )
    assert response.status_code == 403
    assert snapshot(draft) == before
    assert back_office.post(reverse("admin:treatments_treatmentnote_add"), {}).status_code == 403


def test_amendments_are_not_written_or_changed_in_the_admin(back_office, practitioner, signed_note):
    amendment = Amendment.objects.create(
        note=signed_note, author=practitioner.user, reason="Wrong side", text="Left, not right."
    )
    add_url = reverse("admin:treatments_amendment_add")
    assert back_office.post(add_url, {"note": signed_note.pk, "reason": "r", "text": "t"}).status_code == 403
    change_url = reverse("admin:treatments_amendment_change", args=[amendment.pk])
    assert back_office.post(change_url, {"reason": "other", "text": "changed"}).status_code == 403
    amendment.refresh_from_db()
    assert (amendment.reason, amendment.text) == ("Wrong side", "Left, not right.")
    assert Amendment.objects.count() == 1


def test_the_records_are_readable_with_their_history(manager, practitioner, signed_note):
    back_office = back_office_client(manager)
    application = signed_note.applications.get()
    for url in (
        reverse("admin:treatments_treatmentnote_change", args=[signed_note.pk]),
        reverse("admin:treatments_treatmentnote_history", args=[signed_note.pk]),
        reverse("admin:treatments_pointapplication_change", args=[application.pk]),
        reverse("admin:treatments_pointapplication_history", args=[application.pk]),
    ):
        response = back_office.get(url)
        assert response.status_code == 200, url
    page = back_office.get(reverse("admin:treatments_treatmentnote_change", args=[signed_note.pk]))
    assert "Low back ache, 6/10" in page.content.decode()
    assert 'name="subjective"' not in page.content.decode()  # shown, not an input


def test_an_old_version_is_not_written_back_through_the_history_form(back_office, practitioner):
    note = make_note(practitioner, subjective="First words")
    note.subjective = "Second words"
    note.save()
    sign(note)
    first = note.history.order_by("history_id").first()
    url = reverse("admin:treatments_treatmentnote_simple_history", args=[note.pk, first.history_id])
    response = back_office.post(url, {"subjective": "First words", "status": "draft"})
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.is_signed and note.subjective == "Second words"


def test_a_plan_stays_on_its_clients_chart(manager, practitioner):
    back_office = back_office_client(manager)
    plan = TreatmentPlan.objects.create(
        client=make_client(),
        goal="Ease the back",
        planned_sessions=6,
        started_on="2026-01-05",
        created_by=manager,
    )
    url = reverse("admin:treatments_treatmentplan_change", args=[plan.pk])
    response = back_office.post(
        url,
        {
            "client": make_client().pk,
            "practitioner": practitioner.pk,
            "goal": "Ease the back and hips",
            "planned_sessions": 8,
            "started_on": "2026-01-05",
            "status": "active",
        },
    )
    assert response.status_code == 302
    before_client = plan.client_id
    plan.refresh_from_db()
    assert plan.client_id == before_client and plan.planned_sessions == 8
