"""The calendar's moves (drag, resize, keys): the move form answering JSON, through the one move
service; the week of everyone; the grid's data for the script, at a fixed number of queries."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.urls import reverse

from clients.tests.builders import make_client, make_intake
from clinic.models import Booking, BookingStatus
from clinic.services import BookingError, move_booking
from clinic.tests.builders import (
    future_day,
    give_hours,
    local,
    make_booking,
    make_closure,
    make_service,
    make_time_off,
)
from conftest import make_practitioner

DAY = future_day()
JSON = {"HTTP_ACCEPT": "application/json"}


def move_url(booking: Booking) -> str:
    return reverse("clinic:booking_move", args=[booking.pk])


def drop(who, booking, practitioner, at: str, **extra):
    data = {"date": DAY.isoformat(), "time": at, "practitioner": practitioner.pk, "room": "", **extra}
    return who.post(move_url(booking), data, **JSON)


@pytest.fixture
def booked(practitioner, service, room):
    return make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)


def test_a_drop_moves_the_booking_and_answers_json(
    reception_client, booked, other_practitioner, receptionist
):
    response = drop(reception_client, booked, other_practitioner, "14:15")
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is True and "14:15" in answer["message"]
    booked.refresh_from_db()
    assert booked.start == local(DAY, 14, 15) and booked.end == local(DAY, 15, 15)
    assert booked.practitioner == other_practitioner
    assert answer["practitioner"] == other_practitioner.pk
    newest = booked.history.first()
    assert newest.history_user == receptionist and newest.start == local(DAY, 14, 15)


def test_a_resize_changes_only_the_end(reception_client, booked, practitioner):
    response = drop(reception_client, booked, practitioner, "10:00", end_time="11:30")
    assert response.status_code == 200, response.content
    booked.refresh_from_db()
    assert (booked.start, booked.end) == (local(DAY, 10), local(DAY, 11, 30))
    assert booked.blocks_until == booked.end + booked.service.buffer


def test_a_resize_onto_the_next_session_is_refused_with_the_reason(
    reception_client, booked, practitioner, service
):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 11, 30))
    response = drop(reception_client, booked, practitioner, "10:00", end_time="12:00")
    assert response.status_code in (400, 409)
    answer = response.json()
    assert answer["ok"] is False and answer["message"]
    booked.refresh_from_db()
    assert booked.end == local(DAY, 11)


def test_a_drop_onto_a_taken_time_is_refused_with_the_services_message(
    reception_client, booked, other_practitioner, service
):
    make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 14))
    history = booked.history.count()
    response = drop(reception_client, booked, other_practitioner, "14:30")
    assert response.status_code == 409 or response.status_code == 400
    answer = response.json()
    assert answer["ok"] is False
    # The service's own words, as the form would show them.
    with pytest.raises(BookingError) as refusal:
        move_booking(booking=booked, start=local(DAY, 14, 30), practitioner=other_practitioner, by=None)
    assert refusal.value.message in answer["message"]
    booked.refresh_from_db()
    assert booked.start == local(DAY, 10) and booked.history.count() == history


@pytest.mark.parametrize(
    ("refusal", "words"),
    [
        (lambda p: make_closure(DAY, reason="Floods"), "closed"),
        (lambda p: make_time_off(p, DAY), "off then"),
    ],
)
def test_a_drop_onto_a_closure_or_time_off_is_refused(reception_client, booked, practitioner, refusal, words):
    refusal(practitioner)
    response = drop(reception_client, booked, practitioner, "15:00")
    assert response.status_code == 400
    assert words in response.json()["message"].lower()


def test_a_drop_outside_working_hours_is_refused(reception_client, booked, practitioner):
    response = drop(reception_client, booked, practitioner, "21:00")
    assert response.status_code == 400
    assert "working hours" in response.json()["message"]


def test_an_end_before_the_start_is_a_400_with_the_reason(reception_client, booked, practitioner):
    response = drop(reception_client, booked, practitioner, "10:00", end_time="09:45")
    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": "The end must be after the start."}


def test_a_client_who_must_not_be_treated_is_not_moved(reception_client, booked, practitioner):
    make_intake(booked.client, fever_or_illness_today=True)  # after the booking was made
    response = drop(reception_client, booked, practitioner, "12:00")
    assert response.status_code == 400
    assert "can't be booked" in response.json()["message"]
    booked.refresh_from_db()
    assert booked.start == local(DAY, 10)


def test_an_arrived_session_cannot_be_dragged(reception_client, practitioner, service, room):
    arrived = make_booking(
        practitioner=practitioner,
        service=service,
        start=local(DAY, 10),
        room=room,
        status=BookingStatus.ARRIVED,
    )
    response = drop(reception_client, arrived, practitioner, "12:00")
    assert response.status_code == 400 and "can't be moved" in response.json()["message"]


def test_the_move_needs_the_csrf_token(receptionist, booked, practitioner):
    from conftest import login_client

    strict = login_client(receptionist)
    strict.handler.enforce_csrf_checks = True
    response = drop(strict, booked, practitioner, "12:00")
    assert response.status_code == 403
    booked.refresh_from_db()
    assert booked.start == local(DAY, 10)


def test_outsiders_cannot_move(client, outsider_client, booked, practitioner):
    assert drop(client, booked, practitioner, "12:00").status_code == 302  # to the login page
    assert drop(outsider_client, booked, practitioner, "12:00").status_code == 403
    booked.refresh_from_db()
    assert booked.start == local(DAY, 10)


def test_the_form_page_moves_and_resizes_without_script(reception_client, booked, practitioner):
    response = reception_client.post(
        move_url(booked),
        {"date": DAY.isoformat(), "time": "13:00", "end_time": "13:45", "practitioner": practitioner.pk},
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.start, booked.end) == (local(DAY, 13), local(DAY, 13, 45))


def test_the_grid_gives_the_script_what_it_needs(reception_client, booked, practitioner):
    page = reception_client.get(reverse("clinic:day") + f"?date={DAY}").content.decode()
    assert f'data-move-url="{move_url(booked)}"' in page
    assert 'data-start="10:00" data-end="11:00"' in page
    assert f'data-day="{DAY.isoformat()}" data-practitioner="{practitioner.pk}"' in page
    assert '<tr class="hour-start" data-time="10:00">' in page
    assert 'id="calendar-keys"' in page and "Escape puts it back" in page
    assert 'aria-live="polite"' in page


def test_only_booked_sessions_are_movable_on_the_grid(reception_client, practitioner, service, room):
    make_booking(
        practitioner=practitioner,
        service=service,
        start=local(DAY, 10),
        room=room,
        status=BookingStatus.ARRIVED,
    )
    page = reception_client.get(reverse("clinic:day") + f"?date={DAY}").content.decode()
    assert "booking-arrived" in page and "data-move-url" not in page and "resize-handle" not in page


def test_the_pages_name_their_view_for_the_menu_to_remember(reception_client, practitioner):
    day = reception_client.get(reverse("clinic:day")).content.decode()
    rooms = reception_client.get(reverse("clinic:day") + "?by=rooms").content.decode()
    week = reception_client.get(reverse("clinic:week", args=[practitioner.pk])).content.decode()
    everyone = reception_client.get(reverse("clinic:week_all")).content.decode()
    assert f'data-calendar-view="{reverse("clinic:day")}"' in day
    assert f'data-calendar-view="{reverse("clinic:day")}?by=rooms"' in rooms
    assert f'data-calendar-view="{reverse("clinic:week", args=[practitioner.pk])}"' in week
    assert f'data-calendar-view="{reverse("clinic:week_all")}"' in everyone
    assert "data-calendar-link" in day


def test_only_todays_grid_carries_the_now_line(reception_client, practitioner):
    assert "data-now=" in reception_client.get(reverse("clinic:day")).content.decode()
    later = reception_client.get(reverse("clinic:day") + f"?date={DAY}").content.decode()
    assert "data-now=" not in later
    this_week = reception_client.get(reverse("clinic:week", args=[practitioner.pk])).content.decode()
    assert "data-now=" in this_week


# The week of everyone ------------------------------------------------------------------------

WEEK_ALL = reverse("clinic:week_all")


def test_outsiders_cannot_see_the_week_of_everyone(client, outsider_client):
    assert client.get(WEEK_ALL).status_code == 302
    assert outsider_client.get(WEEK_ALL).status_code == 403


@pytest.mark.parametrize("who", ["reception_client", "practitioner_client", "manager_client"])
def test_staff_see_the_week_of_everyone(request, who):
    assert request.getfixturevalue(who).get(WEEK_ALL).status_code == 200


def test_the_week_of_everyone_puts_each_session_on_its_day_and_practitioner(
    reception_client, practitioner, other_practitioner, service, room
):
    make_booking(
        practitioner=other_practitioner,
        service=service,
        start=local(DAY + timedelta(days=2), 9, 30),
        room=room,
        client=make_client(first_name="Farah", last_name="Nasser"),
    )
    make_time_off(practitioner, DAY + timedelta(days=1))
    make_closure(DAY + timedelta(days=4), reason="Staff training")
    page = reception_client.get(f"{WEEK_ALL}?date={DAY + timedelta(days=3)}").content.decode()
    assert "Amara Okafor" in page and "Kenji Sato" in page
    wednesday = page.index((DAY + timedelta(days=2)).strftime("%a %-d %b"))
    thursday = page.index((DAY + timedelta(days=3)).strftime("%a %-d %b"))
    farah = page.index("Farah Nasser")
    assert wednesday < farah < thursday
    # In Kenji's column (the second) of that row: one practitioner cell before it in the row.
    row = page[wednesday:farah]
    assert row.count("<td") == 2
    assert "Time off" in page and "Closed" in page and "Staff training" in page


def test_a_bad_date_on_the_week_of_everyone_is_a_400(reception_client):
    response = reception_client.get(f"{WEEK_ALL}?date=2026-02-30")
    assert response.status_code == 400


def _busy_week(per_day: int, practitioners: int = 4) -> None:
    service = make_service(name=f"Shiatsu {per_day}", duration_minutes=30, buffer_minutes=0, needs_room=False)
    people = [make_practitioner() for _ in range(practitioners)]
    for p in people:
        give_hours(p, intervals=((time(8), time(20)),))
    service.practitioners.set(people)
    for p in people:
        make_time_off(p, DAY + timedelta(days=5))
        for offset in range(5):
            for i in range(per_day):
                client = make_client()
                make_intake(client)
                start = local(DAY + timedelta(days=offset), 8) + i * service.duration
                make_booking(practitioner=p, service=service, start=start, client=client)


# The weeks' queries, whatever the number of practitioners and bookings: the day view's
# (clinic/tests/test_calendar_views.py names them), over seven days. A practitioner's week (where
# sessions are dragged between days) fetches the one practitioner with their hours (2 queries
# for the list's 2) and lists the practitioners for its menu (1 more); each session there is
# movable. The week of everyone shows every practitioner's sessions (4 here).
WEEK_PAGES = {
    "everyone": (11, lambda someone: WEEK_ALL, "booking-card booking-booked", 4),
    "practitioner": (12, lambda someone: reverse("clinic:week", args=[someone.pk]), "data-move-url", 1),
}


@pytest.mark.parametrize("page", WEEK_PAGES)
@pytest.mark.parametrize("per_day", [1, 6])
def test_the_weeks_run_a_fixed_number_of_queries(reception_client, django_assert_num_queries, page, per_day):
    queries, url, marker, practitioners = WEEK_PAGES[page]
    make_closure(DAY + timedelta(days=6))
    _busy_week(per_day)
    someone = Booking.objects.order_by("pk").first().practitioner
    with django_assert_num_queries(queries):
        response = reception_client.get(f"{url(someone)}?date={DAY}")
    assert response.status_code == 200
    assert response.content.decode().count(marker) == practitioners * 5 * per_day


def _emails_after(action, mailoutbox):
    from conftest import run_outbox_worker

    action()
    run_outbox_worker()
    return [(m.subject, m.body) for m in mailoutbox]


def test_the_client_hears_moved_for_a_new_start_and_changed_for_a_new_end(
    reception_client, booked, practitioner, mailoutbox
):
    (resized,) = _emails_after(
        lambda: drop(reception_client, booked, practitioner, "10:00", end_time="11:30"), mailoutbox
    )
    assert resized[0].startswith("Your appointment has changed")
    assert "Your appointment has changed; it is now:" in resized[1] and "10:00 to 11:30" in resized[1]
    mailoutbox.clear()
    (moved,) = _emails_after(lambda: drop(reception_client, booked, practitioner, "14:00"), mailoutbox)
    assert moved[0].startswith("Your appointment has moved")
    assert "Your appointment has moved to:" in moved[1] and "14:00 to 15:30" in moved[1]


def test_another_practitioner_at_the_same_time_is_a_change_the_client_hears_of(
    reception_client, booked, other_practitioner, mailoutbox
):
    (changed,) = _emails_after(
        lambda: drop(reception_client, booked, other_practitioner, "10:00"), mailoutbox
    )
    assert (
        changed[0].startswith("Your appointment has changed")
        and other_practitioner.display_name in changed[1]
    )


def test_another_room_alone_is_recorded_but_emails_no_one(reception_client, booked, practitioner, mailoutbox):
    from clinic.tests.builders import make_room

    garden = make_room(name="Garden")
    sent = _emails_after(
        lambda: drop(reception_client, booked, practitioner, "10:00", room=garden.pk), mailoutbox
    )
    booked.refresh_from_db()
    assert booked.room == garden and booked.start == local(DAY, 10)
    assert booked.history.first().room_id == garden.pk
    assert sent == []
