"""Booking pages: bad input answered on the form, outsiders refused, htmx dialog fragments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from clients.tests.builders import make_client, make_intake
from clinic.models import Booking, BookingStatus
from clinic.tests.builders import future_day, give_hours, local, make_booking
from conftest import make_practitioner

DAY = future_day()
NEW = "/clinic/bookings/new/"
# The booking form's fields as the page shows them, with the value filled in.
TIME_INPUT = (
    '<input type="time" name="time" value="{value}" step="300" class="timeinput form-control" required'
    ' id="id_time">'
)
NOTE_INPUT = (
    '<input type="text" name="reception_note" value="{value}" maxlength="300" class="textinput form-control"'
    ' aria-describedby="id_reception_note_helptext" id="id_reception_note">'
)


@pytest.fixture
def client_(db):
    return make_client(first_name="Sam", last_name="Kowalski")


def form_data(who, prac, svc, **overrides):
    data = {
        "client": who.pk,
        "service": svc.pk,
        "practitioner": prac.pk,
        "date": DAY.isoformat(),
        "time": "10:00",
        "end_time": "",
        "room": "",
        "reception_note": "Prefers the quiet room",
    }
    data.update(overrides)
    return data


def test_reception_books_through_the_form(reception_client, client_, practitioner, service, room):
    response = reception_client.post(NEW, form_data(client_, practitioner, service))
    booking = Booking.objects.get(client=client_)
    assert response.status_code == 302
    assert response["Location"] == reverse("clinic:booking_detail", args=[booking.pk])
    assert booking.start == local(DAY, 10) and booking.room == room
    assert booking.reception_note == "Prefers the quiet room"


def test_htmx_booking_redirects_the_page_and_renders_a_fragment(
    reception_client, client_, practitioner, service, room
):
    fragment = reception_client.get(
        NEW + f"?practitioner={practitioner.pk}&date={DAY}&time=10:00", HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content and b'name="client"' in fragment.content
    # Prefilled from the calendar slot that was clicked.
    assertContains(fragment, TIME_INPUT.format(value="10:00"), html=True)
    assertContains(fragment, f'<option value="{practitioner.pk}" selected>Amara Okafor</option>', html=True)
    response = reception_client.post(NEW, form_data(client_, practitioner, service), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/clinic/bookings/")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": "09:30"}, "end_time", "The end must be after the start."),
        ({"practitioner": "999999"}, "practitioner", "Choose a practitioner from the list."),
        ({"time": "21:30"}, "time", "outside the practitioner&#x27;s working hours"),
        ({"date": (timezone.localdate() - timedelta(days=1)).isoformat()}, "time", "already passed"),
    ],
)
def test_bad_input_is_answered_next_to_the_field_with_the_input_kept(
    reception_client, client_, practitioner, service, room, overrides, field, message
):
    data = form_data(client_, practitioner, service, **overrides)
    response = reception_client.post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    # Input kept: the note as typed, the service and the practitioner still chosen.
    assertContains(response, NOTE_INPUT.format(value="Prefers the quiet room"), status_code=400, html=True)
    assertContains(
        response,
        f'<option value="{service.pk}" selected>Acupressure 60 (60 min)</option>',
        status_code=400,
        html=True,
    )
    if field != "practitioner":
        assertContains(
            response,
            f'<option value="{practitioner.pk}" selected>Amara Okafor</option>',
            status_code=400,
            html=True,
        )
    assert not Booking.objects.exists()


def test_a_conflict_is_a_clear_400_not_a_500(reception_client, client_, practitioner, service, room):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    response = reception_client.post(NEW, form_data(client_, practitioner, service, time="10:30"))
    assert response.status_code == 400
    assert "already has a booking at that time" in response.content.decode()


def test_needs_clearance_asks_for_the_acknowledgement_and_records_it(
    reception_client, receptionist, client_, practitioner, service, room
):
    make_intake(client_, diabetes=True)
    response = reception_client.post(NEW, form_data(client_, practitioner, service))
    assert response.status_code == 400
    assert "acknowledge_clearance" in response.context["form"].errors
    reception_client.post(NEW, form_data(client_, practitioner, service, acknowledge_clearance="on"))
    booking = Booking.objects.get(client=client_)
    assert booking.clearance_acknowledged_by == receptionist


def test_do_not_treat_is_refused_with_the_action(reception_client, client_, practitioner, service, room):
    make_intake(client_, fever_or_illness_today=True)
    response = reception_client.post(NEW, form_data(client_, practitioner, service))
    assert response.status_code == 400
    assert "reschedule" in response.content.decode().lower()
    assert not Booking.objects.exists()


def test_find_slots_lists_bookable_links(reception_client, client_, practitioner, service, room):
    url = reverse("clinic:find_slots") + f"?client={client_.pk}&service={service.pk}&from_date={DAY}"
    page = reception_client.get(url).content.decode()
    assert "Next free slots" in page
    assert f"client={client_.pk}" in page and "time=08:00" in page


def test_find_slots_reads_the_calendar_and_its_bookings_in_one_statement(
    reception_client, client_, practitioner, other_practitioner, service, room, django_assert_num_queries
):
    someone_else = make_practitioner()
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10))  # hers, no room
    make_booking(practitioner=someone_else, service=service, start=local(DAY, 13), client=client_)
    make_booking(practitioner=someone_else, service=service, start=local(DAY, 16), room=room)  # the only room
    url = reverse("clinic:find_slots") + f"?client={client_.pk}&service={service.pk}&from_date={DAY}"
    reception_client.get(url)
    # The session, the user (with roles and second factor), the request's savepoint; the
    # form's client and service; the practitioners offering the service and their hours
    # (one prefetch); the calendar of the first days (time off, closures, hours, the active
    # rooms and the bookings of the practitioners, the client and the rooms: one UNION ALL);
    # the rooms of the slots found; the form shown again: the chosen client's name (the
    # picker), the services and practitioners to choose from; the savepoint's release.
    with django_assert_num_queries(13):
        page = reception_client.get(url)
    assert page.status_code == 200
    offered = {
        (slot["practitioner"], slot["start"])
        for day, rows in page.context["days"]
        if day == DAY
        for _p, slots in rows
        for slot in slots
    }
    assert {(p, local(DAY, 8)) for p in (practitioner, other_practitioner)} <= offered
    assert (other_practitioner, local(DAY, 10)) in offered
    assert (practitioner, local(DAY, 10)) not in offered  # her own booking
    for taken in (13, 16):  # the client's booking, the room's
        assert not {(p, local(DAY, taken)) for p in (practitioner, other_practitioner)} & offered


def test_find_slots_without_a_service_is_a_400(reception_client):
    assert reception_client.get(reverse("clinic:find_slots") + "?service=").status_code == 400


def test_move_and_cancel_through_the_pages(reception_client, client_, practitioner, service, room):
    reception_client.post(NEW, form_data(client_, practitioner, service))
    booking = Booking.objects.get(client=client_)
    response = reception_client.post(
        reverse("clinic:booking_move", args=[booking.pk]),
        {"date": DAY.isoformat(), "time": "15:00", "practitioner": practitioner.pk, "reason": "Client asked"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == local(DAY, 15)
    detail = reception_client.get(reverse("clinic:booking_detail", args=[booking.pk])).content.decode()
    assert "Client asked" in detail  # the history shows the move
    response = reception_client.post(
        reverse("clinic:booking_cancel", args=[booking.pk]), {"reason": "Unwell"}
    )
    booking.refresh_from_db()
    assert response.status_code == 302 and booking.status == BookingStatus.CANCELLED


def test_moving_to_a_bad_time_keeps_the_input(reception_client, practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    response = reception_client.post(
        reverse("clinic:booking_move", args=[booking.pk]),
        {"date": DAY.isoformat(), "time": "22:00", "practitioner": practitioner.pk, "reason": "Late one"},
    )
    assert response.status_code == 400
    assert b"working hours" in response.content
    assertContains(
        response,
        '<input type="text" name="reason" value="Late one" maxlength="200" class="textinput form-control"'
        ' id="id_reason">',
        status_code=400,
        html=True,
    )
    assertContains(
        response,
        '<input type="time" name="time" value="22:00" step="300" class="timeinput form-control is-invalid"'
        ' required aria-invalid="true" aria-describedby="id_time_error" id="id_time">',
        status_code=400,
        html=True,
    )


def test_quick_actions_are_post_only_and_refuse_illegal_steps(reception_client, practitioner, service, room):
    just_started = timezone.now() - timedelta(minutes=1)
    booking = make_booking(practitioner=practitioner, service=service, start=just_started, room=room)
    url = reverse("clinic:booking_status", args=[booking.pk, "arrived"])
    assert reception_client.get(url).status_code == 405
    assert reception_client.post(url).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
    refused = reception_client.post(reverse("clinic:booking_status", args=[booking.pk, "no_show"]))
    assert refused.status_code == 409
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED  # arrived can't become a no-show


def test_reception_note_is_saved(reception_client, practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    reception_client.post(
        reverse("clinic:booking_note", args=[booking.pk]), {"reception_note": "Parking at back"}
    )
    booking.refresh_from_db()
    assert booking.reception_note == "Parking at back"


def test_course_plan_then_confirm_books_every_session(reception_client, client_, practitioner, service, room):
    data = {
        "client": client_.pk, "service": service.pk, "practitioner": practitioner.pk,
        "date": DAY.isoformat(), "time": "10:00", "sessions": 3, "every_weeks": 1, "room": "",
    }  # fmt: skip
    plan = reception_client.post(reverse("clinic:course_new"), {**data, "plan": "1"})
    assert plan.status_code == 200 and b"Book all 3 sessions" in plan.content
    assert not Booking.objects.exists()
    done = reception_client.post(reverse("clinic:course_new"), {**data, "confirm": "1"})
    assert done.status_code == 302
    assert Booking.objects.filter(client=client_, course__isnull=False).count() == 3


# --- Who may use these pages -------------------------------------------------------------

PAGES = [
    ("get", lambda b: NEW),
    ("get", lambda b: reverse("clinic:find_slots")),
    ("get", lambda b: reverse("clinic:course_new")),
    ("get", lambda b: reverse("clinic:booking_detail", args=[b.pk])),
    ("get", lambda b: reverse("clinic:booking_move", args=[b.pk])),
    ("get", lambda b: reverse("clinic:booking_cancel", args=[b.pk])),
    ("post", lambda b: reverse("clinic:booking_status", args=[b.pk, "arrived"])),
    ("post", lambda b: reverse("clinic:booking_note", args=[b.pk])),
]


@pytest.mark.parametrize(("method", "page"), PAGES)
def test_outsider_is_refused_and_nothing_changes(outsider_client, practitioner, service, room, method, page):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    response = getattr(outsider_client, method)(page(booking))
    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED and booking.reception_note == ""


@pytest.mark.parametrize(("method", "page"), PAGES[:6])
def test_reception_and_practitioners_may_use_them(
    reception_client, practitioner_client, practitioner, service, room, method, page
):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    assert reception_client.get(page(booking)).status_code == 200
    assert practitioner_client.get(page(booking)).status_code == 200


def test_an_unknown_booking_is_404(reception_client, db):
    assert reception_client.get(reverse("clinic:booking_detail", args=[999999])).status_code == 404


def test_find_slots_opened_for_a_client_shows_no_error_and_offers_their_usual_service(
    reception_client, client_, practitioner, service, room
):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 9), client=client_)
    response = reception_client.get(reverse("clinic:find_slots") + f"?client={client_.pk}")
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert response.context["form"]["service"].value() == service.pk
    assert "Next free slots" not in response.content.decode()  # nothing searched before Search


def test_find_slots_lists_whole_days_and_continues_from_the_next(
    reception_client, client_, practitioner, service, room
):
    # Two practitioners, 08:00-20:00 every day in 15-minute steps: 45 starts each a day for a
    # 60-minute service, 90 a day: one whole day fits in the page, the second would not.
    url = reverse("clinic:find_slots") + f"?service={service.pk}&from_date={DAY}"
    response = reception_client.get(url)
    days = response.context["days"]
    assert [day for day, _rows in days] == [DAY]
    (_day, rows) = days[0]
    assert [len(slots) for _p, slots in rows] == [45, 45]
    more = response.context["more_url"]
    assert f"from_date={DAY + timedelta(days=1)}" in more
    following = reception_client.get(more).context["days"]
    assert following[0][0] == DAY + timedelta(days=1)


def test_the_booking_form_starts_with_a_service(reception_client, client_, practitioner, service, room):
    page = reception_client.get(NEW)
    assert page.context["form"]["service"].value() == service.pk
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 9), client=client_)
    with_client = reception_client.get(f"{NEW}?client={client_.pk}")
    assert with_client.context["form"]["service"].value() == service.pk


def _slot_search(client, service, day):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("clinic:find_slots") + f"?service={service.pk}&from_date={day}"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_find_slots_reads_the_following_weeks_only_when_the_first_days_are_full(
    reception_client, practitioner, service, room, monkeypatch
):
    from clinic import booking_views
    from clinic.models import Closure

    monkeypatch.setattr(booking_views, "SLOTS_SHOWN", 10)  # the first days hold a page
    _, open_days = _slot_search(reception_client, service, DAY)
    shut_until = DAY + timedelta(days=booking_views.FIRST_SEARCH_DAYS)
    Closure.objects.create(start_date=DAY, end_date=shut_until, reason="Refit")
    response, after_closure = _slot_search(reception_client, service, DAY)
    # The first days gave nothing: the whole search window was read, and its slots listed.
    assert after_closure > open_days
    days = [day for day, _ in response.context["days"]]
    assert days and min(days) > shut_until


def test_a_search_short_of_a_page_looks_next_as_far_as_the_rate_found_says():
    from clinic import booking_views

    page = booking_views.SLOTS_SHOWN + 1
    # Half a page in three days: about six days should hold one; a quarter more is looked at.
    assert booking_views._days_for_a_page(3, page // 2) == 8
    assert booking_views._days_for_a_page(3, 0) == booking_views.SEARCH_DAYS  # nothing free yet
    assert booking_views._days_for_a_page(3, 1) == booking_views.SEARCH_DAYS  # never past the window


@pytest.mark.django_db
def test_the_first_days_searched_are_as_many_as_the_hours_need_to_hold_a_page():
    from clinic import booking_views
    from clinic.availability_loader import practitioners_for

    someone, idle = make_practitioner(), make_practitioner()
    give_hours(someone)  # 08:00-20:00 every day: 48 starts a day, half of them expected free
    by_id = {p.pk: p for p in practitioners_for(None)}  # their hours prefetched, as the page has them
    page = booking_views.SLOTS_SHOWN + 1
    assert booking_views._first_window([by_id[someone.pk]]) == max(
        booking_views.FIRST_SEARCH_DAYS, -(-page // 24)
    )
    # The whole clinic: a page in a day, the first days are enough.
    assert booking_views._first_window([by_id[someone.pk]] * 20) == booking_views.FIRST_SEARCH_DAYS
    assert booking_views._first_window([by_id[idle.pk]]) == booking_views.FIRST_SEARCH_DAYS  # no hours
