"""The back office keeps treatment records and the catalogue: nothing is deleted, things are retired."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone

from clients.tests.builders import back_office_client, make_client
from treatments.models import (
    Amendment,
    PlanStatus,
    Point,
    PointApplication,
    PointKind,
    Technique,
    TreatmentPlan,
)
from treatments.tests.builders import add_point, make_note, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(manager):
    return back_office_client(manager)


def make_plan(user) -> TreatmentPlan:
    return TreatmentPlan.objects.create(
        client=make_client(),
        goal="Ease the shoulder",
        planned_sessions=6,
        started_on=timezone.localdate(),
        created_by=user,
    )


def make_amendment(practitioner) -> Amendment:
    note = sign(make_note(practitioner))
    return Amendment.objects.create(
        note=note, author=practitioner.user, reason="Typo", text="Left, not right."
    )


def signed_with_a_point(practitioner) -> PointApplication:
    note = make_note(practitioner)
    application = add_point(note, "LI4")
    sign(note)
    return application


def make_custom_point() -> Point:
    return Point.objects.create(code="TP-UT1", kind=PointKind.TRIGGER, english="Upper trapezius 1")


RECORDS = {
    "plan": lambda p: make_plan(p.user),
    "point application on a draft": lambda p: add_point(make_note(p), "LI4"),
    "point application on a signed note": lambda p: signed_with_a_point(p),
    "amendment": make_amendment,
    "WHO point": lambda p: Point.objects.get(code="LI4"),
    "clinic's own point": lambda p: make_custom_point(),
    "technique": lambda p: Technique.objects.order_by("pk").first(),
}


@pytest.mark.parametrize("kind", RECORDS)
def test_a_manager_cannot_open_the_delete_page(back_office, practitioner, kind):
    record = RECORDS[kind](practitioner)
    meta = record._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[record.pk])
    assert back_office.get(url).status_code == 403
    assert back_office.post(url, {"post": "yes"}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", [TreatmentPlan, PointApplication, Amendment, Point, Technique])
def test_the_list_offers_no_delete_selected(model, rf, manager):
    request = rf.get("/")
    request.user = manager
    assert "delete_selected" not in site._registry[model].get_actions(request)


def test_points_on_a_draft_note_cannot_be_deleted_from_the_note_page_either(rf, manager, practitioner):
    note = make_note(practitioner)
    request = rf.get("/")
    request.user = manager
    inlines = site._registry[type(note)].get_inline_instances(request, note)
    inline = next(i for i in inlines if i.model is PointApplication)
    assert not inline.has_delete_permission(request, note)


def test_a_plan_is_stopped_not_deleted(back_office, practitioner):
    plan = make_plan(practitioner.user)
    response = back_office.post(
        reverse("admin:treatments_treatmentplan_changelist"),
        {"action": "mark_abandoned", "_selected_action": [plan.pk]},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ABANDONED


def test_a_clinics_own_point_is_deactivated(back_office):
    point = make_custom_point()
    response = back_office.post(
        reverse("admin:treatments_point_changelist"),
        {"action": "deactivate", "_selected_action": [point.pk]},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert not point.is_active


def test_the_code_of_a_who_or_extra_point_is_read_only(rf, manager):
    request = rf.get("/")
    request.user = manager
    admin = site._registry[Point]
    for code in ("LI4", "EX-HN3"):
        readonly = admin.get_readonly_fields(request, Point.objects.get(code=code))
        assert {"code", "kind", "channel", "number"} <= set(readonly)
    assert "code" not in admin.get_readonly_fields(request, make_custom_point())
    assert "code" not in admin.get_readonly_fields(request, None)


def test_posting_a_new_code_for_a_who_point_changes_nothing(back_office):
    point = Point.objects.get(code="LI4")
    back_office.post(
        reverse("admin:treatments_point_change", args=[point.pk]),
        {
            "code": "LI99",
            "kind": "custom",
            "english": point.english,
            "is_active": "on",
            "cautions-TOTAL_FORMS": "0",
            "cautions-INITIAL_FORMS": "0",
        },
    )
    point.refresh_from_db()
    assert (point.code, point.kind) == ("LI4", PointKind.WHO)
