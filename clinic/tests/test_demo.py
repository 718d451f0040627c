"""clinic.demo seeds rooms, services, hours and a week of bookings, and a rerun changes nothing."""

from __future__ import annotations

from io import StringIO

from clients.tests.builders import make_client
from clinic import demo
from clinic.models import Booking, Closure, Room, Service
from conftest import make_practitioner, make_user
from practitioners.models import WorkingHours


def test_demo_seed_is_idempotent(db):
    for name in demo.HOURS:
        make_practitioner(display_name=name, user=make_user(role="Practitioner"))
    for _ in range(12):
        make_client()
    demo.seed(StringIO())
    counts = [m.objects.count() for m in (Room, Service, WorkingHours, Closure, Booking)]
    assert counts[0] == 3 and counts[1] == 5 and counts[4] > 20
    demo.seed(StringIO())
    assert [m.objects.count() for m in (Room, Service, WorkingHours, Closure, Booking)] == counts
