"""The back office keeps bookings, courses, practitioners, services and rooms: no delete page,
no "delete selected"; rooms, services and practitioners are deactivated instead."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from clients.tests.builders import make_client
from clinic.models import Booking, Closure, Course, Room, Service
from clinic.tests.builders import future_day, local, make_booking, make_closure
from practitioners.models import Practitioner, TimeOff


@pytest.fixture
def records(practitioner, service, room):
    booking = make_booking(
        practitioner=practitioner, service=service, start=local(future_day(), 10), room=room
    )
    course = Course.objects.create(
        client=make_client(), practitioner=practitioner, service=service, sessions=2
    )
    return {Booking: booking, Course: course, Practitioner: practitioner, Service: service, Room: room}


KEPT = [Booking, Course, Practitioner, Service, Room]


@pytest.mark.parametrize("model", KEPT, ids=lambda m: m.__name__)
def test_the_delete_page_is_refused(back_office, records, model):
    record = records[model]
    meta = model._meta
    response = back_office.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[record.pk]))
    assert response.status_code == 403
    assert back_office.post(reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[record.pk]),
                            {"post": "yes"}).status_code == 403  # fmt: skip
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", KEPT, ids=lambda m: m.__name__)
def test_the_list_offers_no_delete_selected(back_office, records, model, rf, manager):
    request = rf.get("/")
    request.user = manager
    assert "delete_selected" not in admin.site._registry[model].get_actions(request)


@pytest.mark.parametrize("model", [Practitioner, Service, Room], ids=lambda m: m.__name__)
def test_deactivate_selected_switches_the_record_off(back_office, records, model):
    record = records[model]
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    response = back_office.post(url, {"action": "deactivate", "_selected_action": [record.pk]})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.is_active is False


def test_closures_and_time_off_may_still_be_deleted(back_office, practitioner):
    closure = make_closure(future_day())
    time_off = TimeOff.objects.create(
        practitioner=practitioner, start_date=future_day(), end_date=future_day()
    )
    back_office.post(reverse("admin:clinic_closure_delete", args=[closure.pk]), {"post": "yes"})
    back_office.post(reverse("admin:practitioners_timeoff_delete", args=[time_off.pk]), {"post": "yes"})
    assert not Closure.objects.exists() and not TimeOff.objects.exists()
