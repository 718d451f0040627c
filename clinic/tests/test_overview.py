"""The manager's overview: the week's figures, today's load, and bookings that need attention."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clients.tests.builders import make_client, make_intake
from clinic.models import BookingStatus
from clinic.tests.builders import make_booking, make_service
from conftest import make_practitioner


def _world(n_clients: int):
    """`n_clients` clients booked in the coming days: half with a fever today, half clear."""
    practitioner = make_practitioner()
    service = make_service(practitioners=[practitioner], needs_room=False)
    start = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    bookings = []
    for i in range(n_clients):
        client = make_client()
        make_intake(client, fever_or_illness_today=(i % 2 == 0))
        bookings.append(
            make_booking(
                practitioner=practitioner,
                service=service,
                client=client,
                start=start + timedelta(hours=2 * i),
            )
        )
    return practitioner, bookings


def test_overview_lists_bookings_whose_client_must_not_be_treated(manager_client):
    _practitioner, bookings = _world(4)
    page = manager_client.get(reverse("overview")).content.decode()
    feverish = [b for i, b in enumerate(bookings) if i % 2 == 0]
    fine = [b for i, b in enumerate(bookings) if i % 2 == 1]
    for booking in feverish:
        assert reverse("clinic:booking_detail", args=[booking.pk]) in page
    for booking in fine:
        assert reverse("clinic:booking_detail", args=[booking.pk]) not in page
    # The overview shows the action, not the condition.
    assert "Do not treat" in page


def test_week_figures_count_outcomes(manager_client):
    practitioner = make_practitioner()
    service = make_service(practitioners=[practitioner], needs_room=False)
    # Today, earlier, so the bookings fall in this week and can have happened.
    start = timezone.localtime().replace(hour=0, minute=5, second=0, microsecond=0)
    make_booking(practitioner=practitioner, service=service, start=start, status=BookingStatus.COMPLETED)
    make_booking(
        practitioner=practitioner,
        service=service,
        start=start + timedelta(hours=1),
        status=BookingStatus.NO_SHOW,
    )
    make_booking(
        practitioner=practitioner,
        service=service,
        start=start + timedelta(hours=2),
        status=BookingStatus.CANCELLED,
        late_cancellation=True,
    )
    week = manager_client.get(reverse("overview")).context["week"]
    assert (week.booked, week.completed, week.cancelled, week.late_cancelled, week.no_shows) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert week.no_show_rate == 50


def test_overview_runs_a_fixed_number_of_queries(manager_client, django_assert_num_queries):
    _world(3)
    manager_client.get(reverse("overview"))  # the first request fills the role cache
    # savepoint, session, the user with their roles (the role check) and second factor
    # (clinic.kernel.identity); the week's aggregate;
    # practitioners with counts; the upcoming bookings (ids only); screenings_for's newest
    # intakes (with their sites and clearances) and the rules; the rows of the bookings that need attention;
    # intakes to review; draft notes; then the savepoint's release (the session is saved at
    # most once a minute, not here).
    with django_assert_num_queries(OVERVIEW_QUERIES):
        manager_client.get(reverse("overview"))
    _world(12)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        manager_client.get(reverse("overview"))


OVERVIEW_QUERIES = 12
