"""Bookings through the API obey every desk rule (they go through the same services), answer a
refusal with the service's words and a 4xx, and name the integration as who booked."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from clients.models import Client
from clients.tests.builders import make_client, make_intake
from clinic.integrations.api import SCREENING_MESSAGE
from clinic.integrations.models import Scope
from clinic.integrations.tests.conftest import Api, make_key
from clinic.models import Booking, BookingSource, BookingStatus
from clinic.tests.builders import future_day, local, make_booking, make_closure, make_time_off

pytestmark = pytest.mark.django_db

DAY = future_day()
NOBODY = 10**9  # an id no record has


def booking_data(who, practitioner, service, start, **extra):
    return {
        "client_id": who.pk, "service_id": service.pk, "practitioner_id": practitioner.pk,
        "start": start.isoformat(), **extra,
    }  # fmt: skip


def test_a_booking_through_the_api_is_booked_and_names_the_integration(
    api, key_and_raw, practitioner, service, room
):
    key, _raw = key_and_raw
    who = make_client()
    response = api.post("/bookings", booking_data(who, practitioner, service, local(DAY, 10)))
    assert response.status_code == 201, response.content
    body = response.json()
    booking = Booking.objects.get()
    assert body["id"] == booking.pk and body["room"] == {"id": room.pk, "name": "Bamboo"}
    assert body["status"] == "booked" and body["source"] == "api"
    assert booking.source == BookingSource.API and booking.created_by == key.user
    record = booking.history.get()
    assert record.history_user == key.user
    assert "through the API" in record.history_change_reason


def test_the_api_can_not_double_book_a_practitioner(api, practitioner, service, room):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    response = api.post("/bookings", booking_data(make_client(), practitioner, service, local(DAY, 10, 30)))
    assert response.status_code == 409
    assert response.json() == {"detail": "Amara Okafor already has a booking at that time.", "field": "start"}
    assert Booking.objects.count() == 1


def test_the_api_can_not_double_book_a_client(api, practitioner, other_practitioner, service, room):
    who = make_client(first_name="Jo", last_name="Bloggs")
    make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 10), client=who)
    response = api.post("/bookings", booking_data(who, practitioner, service, local(DAY, 10)))
    assert response.status_code == 409
    assert response.json()["field"] == "client_id"
    assert Booking.objects.count() == 1


def test_the_api_can_not_book_a_closed_day_a_day_off_or_outside_hours(api, practitioner, service, room):
    make_closure(DAY, reason="Bank holiday")
    make_time_off(practitioner, DAY + timedelta(days=1), reason="Course")
    cases = [
        (local(DAY, 10), "The clinic is closed then."),
        (local(DAY + timedelta(days=1), 10), "The practitioner is off then."),
        (local(DAY + timedelta(days=2), 21), "That is outside the practitioner's working hours."),
        (local(DAY - timedelta(weeks=4), 10), "That time has already passed."),
    ]
    for start, message in cases:
        response = api.post("/bookings", booking_data(make_client(), practitioner, service, start))
        assert response.status_code == 409, start
        assert message in response.json()["detail"]
    assert not Booking.objects.exists()


def test_the_screening_gate_holds_and_says_nothing_clinical(api, practitioner, service, room):
    refused = make_client()
    make_intake(refused, fever_or_illness_today=True)
    needs_letter = make_client()
    make_intake(needs_letter, diabetes=True)
    answers = []
    for who in (refused, needs_letter):
        response = api.post("/bookings", booking_data(who, practitioner, service, local(DAY, 10)))
        assert response.status_code == 409
        answers.append(response.json())
        text = response.content.decode().lower()
        for clinical in ("fever", "diabet", "clearance", "doctor", "treat today"):
            assert clinical not in text
    # The same words for "do not treat" and "needs a letter": the answer tells them apart by nothing.
    assert answers == [{"detail": SCREENING_MESSAGE, "field": "client_id"}] * 2
    assert not Booking.objects.exists()


def test_a_room_taken_is_refused_naming_the_room(api, practitioner, other_practitioner, service, room):
    make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 10), room=room)
    response = api.post(
        "/bookings", booking_data(make_client(), practitioner, service, local(DAY, 10), room_id=room.pk)
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Bamboo is taken then (or still being turned over).",
        "field": "room_id",
    }


def test_a_time_without_its_utc_offset_is_refused_not_guessed(api, practitioner, service, room):
    data = booking_data(make_client(), practitioner, service, local(DAY, 10))
    data["start"] = f"{DAY.isoformat()}T10:00:00"
    response = api.post("/bookings", data)
    assert response.status_code == 422
    assert not Booking.objects.exists()


def test_unknown_records_are_told_apart_from_refusals(api, practitioner, service, room):
    who = make_client()
    assert (
        api.post(
            "/bookings", booking_data(who, practitioner, service, local(DAY, 10)) | {"client_id": NOBODY}
        ).json()["field"]
        == "client_id"
    )
    response = api.post(
        "/bookings", booking_data(who, practitioner, service, local(DAY, 10)) | {"service_id": NOBODY}
    )
    assert response.json() == {"detail": "Choose a service from the list.", "field": "service_id"}
    assert response.status_code == 400
    assert api.get(f"/bookings/{NOBODY}").status_code == 404
    assert api.post(f"/bookings/{NOBODY}/cancel", {}).status_code == 404


def test_move_and_cancel_go_through_the_desks_rules(api, key_and_raw, practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 14), room=room)
    taken = api.post(f"/bookings/{booking.pk}/move", {"start": local(DAY, 14, 30).isoformat()})
    assert taken.status_code == 409
    booking.refresh_from_db()
    assert booking.start == local(DAY, 10)

    moved = api.post(f"/bookings/{booking.pk}/move", {"start": local(DAY, 16).isoformat()})
    assert moved.status_code == 200, moved.content
    booking.refresh_from_db()
    assert booking.start == local(DAY, 16) == datetime.fromisoformat(moved.json()["start"])

    cancelled = api.post(f"/bookings/{booking.pk}/cancel", {"reason": "Client emailed"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = api.post(f"/bookings/{booking.pk}/cancel", {})
    assert again.status_code == 409
    assert "cancelled booking can't" in again.json()["detail"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Client emailed"
    key, _raw = key_and_raw
    assert booking.cancelled_by == key.user
    # After the booking (written straight here): the move and the cancellation, each named for
    # the integration in the history.
    moves = booking.history.order_by("history_id")[1:]
    assert [(r.history_user, r.start) for r in moves] == [(key.user, local(DAY, 16))] * 2


def test_bookings_are_listed_in_a_bounded_range_only(api, practitioner, service):
    inside = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10))
    make_booking(practitioner=practitioner, service=service, start=local(DAY + timedelta(days=3), 10))
    listed = api.get("/bookings", start=local(DAY, 0).isoformat(), end=local(DAY, 23).isoformat())
    assert listed.status_code == 200
    assert [b["id"] for b in listed.json()] == [inside.pk]
    too_wide = api.get(
        "/bookings", start=local(DAY, 0).isoformat(), end=local(DAY + timedelta(days=40), 0).isoformat()
    )
    assert too_wide.status_code == 400 and too_wide.json()["field"] == "end"
    assert api.get("/bookings", start=local(DAY, 0).isoformat()).status_code == 422  # no end: refused
    naive = api.get("/bookings", start=f"{DAY}T00:00:00", end=f"{DAY}T23:00:00")
    assert naive.status_code == 422


def test_free_times_leave_out_booked_ones_and_keep_to_fourteen_days(
    api, practitioner, other_practitioner, service, room
):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    response = api.get(
        "/availability",
        service_id=service.pk,
        practitioner_id=practitioner.pk,
        from_date=DAY.isoformat(),
        days=1,
    )
    assert response.status_code == 200
    starts = {datetime.fromisoformat(s["start"]) for s in response.json()}
    assert local(DAY, 8) in starts and local(DAY, 12) in starts
    # Booked 10:00-11:00 (and its room until 11:15): nothing that would meet it.
    assert not {local(DAY, 9, 30), local(DAY, 10), local(DAY, 10, 30)} & starts
    assert {s["practitioner_id"] for s in response.json()} == {practitioner.pk}
    assert api.get("/availability", service_id=service.pk, days=15).status_code == 422
    assert api.get("/availability", service_id=NOBODY).status_code == 400


def test_clients_contact_details_page_by_id(api):
    people = [make_client() for _ in range(3)]
    first = api.get("/clients", limit=2).json()
    assert [c["id"] for c in first] == [people[0].pk, people[1].pk]
    rest = api.get("/clients", after=first[-1]["id"], limit=2).json()
    assert [c["id"] for c in rest] == [people[2].pk]
    assert api.get("/clients", limit=1000).status_code == 422
    one = api.get(f"/clients/{people[0].pk}").json()
    assert set(one) == {
        "id",
        "first_name",
        "last_name",
        "preferred_name",
        "phone",
        "email",
        "email_reminders",
        "is_archived",
    }


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/bookings/99999999999999999999999", None),
        ("post", "/bookings/99999999999999999999999/cancel", {}),
        ("get", "/clients/99999999999999999999999", None),
        ("get", "/clients?after=99999999999999999999999", None),
        ("get", "/bookings?start=0001-01-01T00:00:00%2B00:00&end=0001-01-02T00:00:00%2B00:00", None),
        ("get", "/bookings?start=9999-12-31T00:00:00%2B00:00&end=9999-12-31T23:00:00%2B00:00", None),
        ("get", "/availability?service_id=1&from_date=9999-12-31", None),
        (
            "post",
            "/bookings",
            {"client_id": 10**30, "service_id": 1, "practitioner_id": 1, "start": "2030-01-01T10:00:00Z"},
        ),
        (
            "post",
            "/bookings",
            {"client_id": 1, "service_id": 1, "practitioner_id": 1, "start": "9999-12-31T23:30:00-05:00"},
        ),
    ],
)
def test_ids_and_times_past_what_the_database_holds_are_refused_not_a_500(api, method, path, data):
    response = api.get(path) if method == "get" else api.post(path, data)
    assert response.status_code == 422, response.content


def test_a_client_added_through_the_api_is_checked_as_at_the_desk(manager):
    _key, raw = make_key(manager, Scope.ADD_CLIENTS)
    api = Api(raw)
    person = {
        "first_name": "Ada",
        "last_name": "Byron",
        "date_of_birth": "1990-12-10",
        "phone": "07911 123 456",
    }
    made = api.post("/clients", person)
    assert made.status_code == 201, made.content
    client = Client.objects.get()
    assert made.json()["id"] == client.pk and client.phone == "+447911123456"
    assert client.consent_to_treatment_at is None  # given at the clinic, never by another system
    assert not client.email_reminders  # no email given
    again = api.post("/clients", person)
    assert again.status_code == 409 and Client.objects.count() == 1
    assert api.post("/clients", person | {"create_even_if_duplicate": True}).status_code == 201
    bad_phone = api.post("/clients", person | {"first_name": "Bo", "phone": "12"})
    assert bad_phone.status_code == 400 and bad_phone.json()["field"] == "phone"
    assert api.post("/clients", person | {"date_of_birth": "1800-01-01"}).status_code == 422
    assert Client.objects.count() == 2
