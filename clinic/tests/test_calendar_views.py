"""The calendar pages: who may see them, what they show, and a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from clients.tests.builders import make_client, make_intake
from clinic.tests.builders import future_day, give_hours, local, make_booking, make_room, make_service
from conftest import make_practitioner

DAY = future_day()


def day_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"date": DAY.isoformat(), **params}.items())
    return f"{reverse('clinic:day')}?{query}"


PAGES = [
    lambda p: day_url(),
    lambda p: day_url(by="rooms"),
    lambda p: reverse("clinic:week", args=[p.pk]),
    lambda p: reverse("clinic:day_sheet"),
]


@pytest.mark.parametrize("page", PAGES)
def test_outsider_is_refused_every_calendar_page(outsider_client, practitioner, page):
    assert outsider_client.get(page(practitioner)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["reception_client", "practitioner_client", "manager_client"])
def test_staff_see_every_calendar_page(request, practitioner, service, room, page, who):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    response = request.getfixturevalue(who).get(page(practitioner))
    assert response.status_code == 200


def test_day_view_shows_a_column_per_practitioner_bookings_and_bookable_slots(
    reception_client, practitioner, other_practitioner, service, room
):
    client = make_client(first_name="Noor", last_name="Haddad")
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room, client=client)
    page = reception_client.get(day_url()).content.decode()
    assert "Amara Okafor" in page and "Kenji Sato" in page
    assert "Noor Haddad" in page and "10:00\u201311:00" in page  # an en dash
    assert "booking-booked" in page
    assert 'aria-label="Book Kenji Sato at 10:00"' in page  # the other column is free then
    assert 'aria-label="Book Amara Okafor at 10:00"' not in page


def test_rooms_view_has_a_column_per_room(reception_client, practitioner, service, room):
    make_room(name="Lotus")
    page = reception_client.get(day_url(by="rooms")).content.decode()
    assert "Bamboo" in page and "Lotus" in page


def test_cancelled_bookings_leave_the_grid_and_are_listed(reception_client, practitioner, service, room):
    make_booking(
        practitioner=practitioner, service=service, start=local(DAY, 10), room=room, status="cancelled"
    )
    page = reception_client.get(day_url()).content.decode()
    assert "Cancelled and no-shows" in page
    assert 'aria-label="Book Amara Okafor at 10:00"' in page


def test_reception_sees_the_screening_badge_but_no_clinical_detail(
    reception_client, practitioner, service, room
):
    client = make_client(first_name="Ines")
    make_intake(client, diabetes=True, medications="Metformin 500mg")
    booking = make_booking(
        practitioner=practitioner, service=service, start=local(DAY, 10), room=room, client=client
    )
    for url in (
        day_url(),
        reverse("clinic:booking_detail", args=[booking.pk]),
        reverse("clinic:day_sheet") + f"?date={DAY}",
    ):
        page = reception_client.get(url).content.decode()
        assert "clearance" in page, url
        assert "Needs a doctor&#x27;s clearance" in page or "Needs a doctor's clearance" in page
        assert "Metformin" not in page and "iabetes" not in page


def _world(n_bookings: int, n_practitioners: int = 10, day=DAY):
    service = make_service(
        name=f"Massage {n_bookings}", duration_minutes=30, buffer_minutes=0, needs_room=False
    )
    practitioners = []
    for _ in range(n_practitioners):
        p = make_practitioner()
        give_hours(p)
        practitioners.append(p)
    service.practitioners.set(practitioners)
    for p in practitioners:
        for i in range(n_bookings):
            client = make_client()
            make_intake(client)
            make_booking(
                practitioner=p,
                service=service,
                start=local(day, 8, 0) + (i * service.duration),
                client=client,
            )


# The day view's queries, whatever the number of practitioners and bookings:
#  1-2 session; the user with their roles and whether the device that verified the session
#      is a confirmed device of theirs (clinic.kernel.identity)
#  3-4 practitioners, their working hours (prefetch)
#  5   bookings of the day with client, service, room, practitioner
#  6   time off that day
#  7   closures that day
#  8-9 screening badges in bulk: newest intakes (with their sites and the clients' valid
#      clearances), the rules (clients.screening.screenings_for)
# 10-11 the request's transaction (ATOMIC_REQUESTS: savepoint and release under the test's
#      transaction); the session is saved at most once a minute (clinic.kernel.sessions)
DAY_VIEW_QUERIES = 11
MY_DAY_QUERIES = 11


@pytest.mark.parametrize("per_practitioner", [2, 12])
def test_day_view_runs_a_fixed_number_of_queries(
    reception_client, django_assert_num_queries, per_practitioner
):
    _world(per_practitioner)
    with django_assert_num_queries(DAY_VIEW_QUERIES):
        response = reception_client.get(day_url())
    assert response.status_code == 200
    assert response.content.decode().count("booking-card booking-booked") == 10 * per_practitioner


@pytest.mark.parametrize("per_practitioner", [2, 12])
def test_desk_runs_a_fixed_number_of_queries(reception_client, django_assert_num_queries, per_practitioner):
    from django.utils import timezone

    _world(per_practitioner, day=timezone.localdate())
    # The desk shows today: same queries as the day view, and one for freed times to offer the
    # waitlist (none here; clinic/waitlist/tests pins the count when there are).
    with django_assert_num_queries(DAY_VIEW_QUERIES + 1):
        assert reception_client.get(reverse("desk")).status_code == 200


def test_week_view_places_bookings_on_their_day(practitioner_client, practitioner, service, room):
    make_booking(
        practitioner=practitioner,
        service=service,
        start=local(DAY, 9),
        room=room,
        client=make_client(first_name="Wen"),
    )
    page = practitioner_client.get(
        reverse("clinic:week", args=[practitioner.pk]) + f"?date={DAY}"
    ).content.decode()
    assert "Wen" in page and DAY.strftime("%a %d %b") in page


def test_my_day_lists_the_practitioners_sessions_with_badges(
    practitioner_client, practitioner, service, room
):
    from django.utils import timezone

    now = timezone.localtime()
    start = now.replace(hour=23, minute=0, second=0, microsecond=0)
    client = make_client(first_name="Olu")
    make_intake(client)
    make_booking(
        practitioner=practitioner,
        service=service,
        start=start,
        room=room,
        client=client,
        end=start.replace(minute=30),
        blocks_until=start.replace(minute=45),
    )
    page = practitioner_client.get(reverse("my_day")).content.decode()
    assert "Olu" in page and "screening-badge" in page


def test_day_sheet_is_printable(reception_client, practitioner, service, room):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 9), room=room)
    page = reception_client.get(reverse("clinic:day_sheet") + f"?date={DAY}").content.decode()
    assert "data-print" in page and "print.css" in page


def _my_sessions(practitioner, service, count: int) -> list:
    """`count` attended sessions on DAY for the practitioner: the first signed, the second a draft."""
    from clinic.models import BookingStatus
    from treatments.tests.builders import make_note, sign

    bookings = []
    for i in range(count):
        booking = make_booking(
            practitioner=practitioner,
            service=service,
            start=local(DAY, 8) + i * service.duration,
            status=BookingStatus.ARRIVED,
        )
        bookings.append(booking)
    for booking, signed in zip(bookings[:2], (True, False), strict=False):
        note = make_note(practitioner, client=booking.client)
        note.booking = booking  # the builder made its own booking; use this one
        note.save()
        if signed:
            sign(note)
    return bookings


def test_my_day_moves_through_dates_and_shows_each_notes_state(practitioner_client, practitioner, service):
    _my_sessions(practitioner, service, 3)
    response = practitioner_client.get(f"{reverse('my_day')}?date={DAY}")
    page = response.content.decode()
    assert response.status_code == 200
    assert DAY.strftime("%A %-d %B %Y") in page
    assert page.count("Note signed") == 1
    assert page.count("Draft note, not signed") == 1
    assert page.count("No note yet") == 1
    assert "2 sessions have no signed note yet" in page
    assert f"?date={DAY - timedelta(days=1)}" in page and f"?date={DAY + timedelta(days=1)}" in page


@pytest.mark.parametrize("count", [2, 8])
def test_my_day_runs_a_fixed_number_of_queries(
    practitioner_client, practitioner, service, django_assert_num_queries, count
):
    _my_sessions(practitioner, service, count)
    # As many as the day view: its reads for one practitioner (the practitioner and hours are
    # read once, for the page), plus one for the notes' states.
    with django_assert_num_queries(MY_DAY_QUERIES):
        assert practitioner_client.get(f"{reverse('my_day')}?date={DAY}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        lambda p: reverse("my_day"),
        lambda p: reverse("clinic:day"),
        lambda p: reverse("clinic:week", args=[p.pk]),
        lambda p: reverse("clinic:day_sheet"),
    ],
)
@pytest.mark.parametrize("raw", ["2026-02-30", "tomorrow", "9999-12-31"])
def test_an_unreadable_date_is_said_next_to_the_date_field(practitioner_client, practitioner, url, raw):
    response = practitioner_client.get(f"{url(practitioner)}?date={raw}")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="goto-date-error"' in page
    assert "showing" in page and "instead" in page


def test_grid_cells_escape_names_and_link_to_the_booking_and_the_free_slot(
    reception_client, practitioner, service, room
):
    """The grid's rows are written in Python (clinic/templatetags/calendar_grid.py): every name
    stays escaped, and the cards and slots keep their links and labels."""
    practitioner.display_name = "Amara <b>Okafor</b>"
    practitioner.save(update_fields=["display_name"])
    room.name = "Bamboo & <i>Pine</i>"
    room.save(update_fields=["name"])
    client = make_client(first_name="<script>x</script>", last_name="O'Neil")
    booking = make_booking(
        practitioner=practitioner, service=service, start=local(DAY, 10), room=room, client=client
    )
    for url in (day_url(), day_url(by="rooms")):
        page = reception_client.get(url).content.decode()
        assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
        assert "<b>Okafor</b>" not in page and "<i>Pine</i>" not in page
        assert f'href="{reverse("clinic:booking_detail", args=[booking.pk])}"' in page
        assert 'class="booking-card booking-booked' in page
    page = reception_client.get(day_url()).content.decode()
    assert 'aria-label="Book Amara &lt;b&gt;Okafor&lt;/b&gt; at 11:00"' in page
    assert (
        f"{reverse('clinic:booking_new')}?date={DAY.isoformat()}&amp;time=11:00&amp;practitioner={practitioner.pk}"
        in page
    )
    assert "Bamboo &amp; &lt;i&gt;Pine&lt;/i&gt;" in page
    rooms_page = reception_client.get(day_url(by="rooms")).content.decode()
    assert f"&amp;room={room.pk}" in rooms_page
    assert "Amara &lt;b&gt;Okafor&lt;/b&gt;" in rooms_page  # by room, the card names the practitioner
