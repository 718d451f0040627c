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
    """Queries of the POST on this database, as the test sees them. A real request on
    PostgreSQL runs 12:
    - the session; the user with their roles and whether the session's second-factor device is
      theirs (clinic.kernel.identity); the client, read with what its screening needs
      (clients.screening.with_screening: its intakes with their sites, what its clearances
      cover, the rules), the form's one lookup (the rest are ids);
    - BEGIN, the offer read with the practitioner, the service and whether any webhook endpoint
      is live (the practitioner's row locked); the calendar around the new one (time off,
      closures, working hours, the active rooms and the active bookings of the practitioner,
      the client and those rooms, in one UNION ALL); the chosen room's row locked (the queue
      for racing writers); the inserts (booking, history, outbox); COMMIT;
    - after it, the outbox's task.
    With no live endpoint nothing more is read for the webhooks, and no savepoint is taken
    around the insert (a room lost to a racing booking reruns the write). The session is saved
    at most once a minute (clinic.kernel.sessions), not by this request. Here the test's own
    transaction turns BEGIN and COMMIT into a savepoint and its release, and the task's insert
    runs only on a real commit; SQLite locks no row (its transaction is already the queue)."""
    return 11 if connection.vendor == "postgresql" else 10


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
