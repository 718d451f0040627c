"""Booking create through the page: what it costs in queries, pinned (issue 12).

The count includes everything the POST runs: the session, the user and their role, the form's
client, service and practitioner, the service's checks, the window of bookings, the screening,
the inserts (booking, history, outbox). It does not grow with the
clinic's history: overlap checks are answered from the one bounded read of the window.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.tests.builders import make_client, make_intake
from clinic.models import Booking
from clinic.tests.builders import future_day, local, make_booking

DAY = future_day()
NEW = "/clinic/bookings/new/"


def form_data(who, practitioner, service, **overrides):
    data = {
        "client": who.pk, "service": service.pk, "practitioner": practitioner.pk, "date": DAY.isoformat(),
        "time": "10:00", "end_time": "", "room": "", "reception_note": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def create_queries() -> int:
    """Queries of the POST on this database, as the test sees them. A real request runs 14:
    the session, the user, django-otp's verifying device, the user's groups (role check), the
    client (the form's one lookup; the rest are ids), then in the booking's transaction the
    offer read with the practitioner and the service (and, on PostgreSQL, the practitioner's
    row locked), the calendar (time off, closures, working hours and the active rooms in one
    UNION ALL), the bookings around the new one, the screening (the intakes with their sites and the
    client's valid clearances, then the rules), the inserts (booking, history, outbox), and the
    webhook endpoints that might want the event (one read; with none, nothing more). The
    session is saved at most once a minute (clinic.kernel.sessions), not by this request. The
    test's own transaction turns the booking's transaction into a savepoint and its release:
    two statements more. PostgreSQL also locks the chosen room's row (the queue for racing
    writers)."""
    return 17 if connection.vendor == "postgresql" else 16


def test_booking_create_runs_a_pinned_number_of_queries_whatever_the_history(
    reception_client, practitioner, other_practitioner, service, room
):
    who = make_client()
    make_intake(who)
    # History: the practitioner's, the client's and the room's earlier sessions.
    for weeks in range(1, 9):
        earlier = local(DAY - timedelta(weeks=weeks), 10)
        make_booking(practitioner=practitioner, service=service, start=earlier, client=who, room=room)
        make_booking(practitioner=other_practitioner, service=service, start=earlier + timedelta(hours=2))
    with CaptureQueriesContext(connection) as ctx:
        response = reception_client.post(NEW, form_data(who, practitioner, service))
    assert response.status_code == 302
    assert Booking.objects.filter(start=local(DAY, 10), room=room).count() == 1
    listed = "\n".join(q["sql"][:160] for q in ctx.captured_queries)
    assert len(ctx.captured_queries) == create_queries(), listed


def test_a_session_longer_than_the_span_limit_is_refused_on_the_form(
    reception_client, practitioner, service, room
):
    """The database refuses a booking holding anyone for more than 12 hours (range queries rely
    on it); the form says so next to the end time instead of a 500."""
    response = reception_client.post(
        NEW, form_data(make_client(), practitioner, service, time="08:00", end_time="20:00")
    )
    assert response.status_code == 400
    assert "at most 12 hours" in response.context["form"].errors["end_time"][0]
    assert not Booking.objects.exists()
