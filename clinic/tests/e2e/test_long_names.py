"""A very long client name wraps or is cut short with an ellipsis: no page grows wider than a
tablet's screen, in the client's page, the day calendar, the week and the desk."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clients.tests.builders import make_client, make_intake
from clinic.tests.builders import give_hours, local, make_booking, make_room, make_service
from clinic.tests.e2e.conftest import login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user

LONG = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessen"


@pytest.fixture
def long_world(transactional_db):
    practitioner = make_practitioner(display_name="Amara Okafor")
    give_hours(practitioner)
    service = make_service(name="Acupressure 30", duration_minutes=30, practitioners=[practitioner])
    room = make_room(name="Bamboo")
    client = make_client(first_name="Maximiliana-Theodora", last_name=LONG)
    make_intake(client)
    today = timezone.localdate()
    make_booking(practitioner=practitioner, service=service, start=local(today, 10), client=client, room=room)
    make_user(role="Reception", username="desk-long")
    return {"client": client, "practitioner": practitioner}


def test_a_long_name_never_widens_the_page(page, long_world):
    page.set_viewport_size({"width": 820, "height": 1100})  # a tablet held upright
    login_through_form(page, "desk-long", TEST_PASSWORD)
    client, practitioner = long_world["client"], long_world["practitioner"]
    for url in (
        f"/clients/{client.pk}/",
        "/clinic/calendar/",
        f"/clinic/calendar/week/{practitioner.pk}/",
        "/desk/",
    ):
        page.goto(url)
        assert page.get_by_text(LONG[:30], exact=False).first.is_visible()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} is {overflow}px wider than the screen"
