"""A booking refused in the calendar's dialog shows its reason inside the dialog, with the input
kept and the calendar still around it: with DEBUG off, and with DEBUG on (where django-htmx's
debug handler used to replace the whole page with the form's 400 answer)."""

from __future__ import annotations

import re

import pytest

from clients.tests.builders import make_client, make_intake
from clinic.models import Booking
from clinic.tests.builders import future_day, give_hours, local, make_booking, make_room, make_service
from clinic.tests.e2e.conftest import login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user


@pytest.fixture
def dialog_world(transactional_db):
    practitioner = make_practitioner(display_name="Amara Okafor")
    give_hours(practitioner)
    service = make_service(name="Acupressure 60", practitioners=[practitioner], buffer_minutes=0)
    make_room(name="Bamboo")
    client = make_client(first_name="Noor", last_name="Haddad")
    make_intake(client)
    day = future_day()
    # Amara is busy from 10:00: a 60-minute session at 09:30 overlaps it.
    make_booking(practitioner=practitioner, service=service, start=local(day, 10))
    make_user(role="Reception", username="desk-dialog")
    return {"client": client, "service": service, "day": day}


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_refused_booking_shows_its_reason_inside_the_dialog(page, dialog_world, settings, debug):
    settings.DEBUG = debug
    login_through_form(page, "desk-dialog", TEST_PASSWORD)
    day = dialog_world["day"]
    page.goto(f"/clinic/calendar/?date={day.isoformat()}")
    # The page runs django-htmx's debug handler exactly when DEBUG is on.
    assert page.locator("script[src$='django-htmx.js']").count() == (1 if debug else 0)

    page.get_by_role("link", name="Book Amara Okafor at 09:30").click()
    dialog = page.locator("#booking-dialog")
    search = dialog.get_by_role("searchbox", name=re.compile("^Client"))
    search.wait_for()
    search.fill("Noor")
    dialog.get_by_role("button", name=re.compile("^Noor Haddad · born")).click()
    dialog.locator("select[name=service]").select_option(value=str(dialog_world["service"].pk))
    dialog.locator("input[name=reception_note]").fill("Prefers the quiet room")
    dialog.get_by_role("button", name="Book", exact=True).click()

    # The refusal, inside the dialog.
    error = dialog.locator(".invalid-feedback, .alert-danger").filter(has_text=re.compile(r"\w"))
    error.first.wait_for()
    assert dialog.is_visible()
    # The page around it is still the calendar.
    assert "/clinic/calendar/" in page.url
    assert page.locator("table.calendar-grid").is_visible()
    assert page.locator("nav[aria-label=Main]").is_visible()
    # The input is kept.
    assert dialog.locator("input[name=client]").input_value() == str(dialog_world["client"].pk)
    assert dialog.locator("select[name=service]").input_value() == str(dialog_world["service"].pk)
    assert dialog.locator("input[name=time]").input_value() == "09:30"
    assert dialog.locator("input[name=reception_note]").input_value() == "Prefers the quiet room"
    assert not Booking.objects.filter(client=dialog_world["client"]).exists()

    # The form still works in place: a free time books.
    dialog.locator("input[name=time]").fill("11:00")
    dialog.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(r"/clinic/bookings/\d+/"))
    assert Booking.objects.filter(client=dialog_world["client"], start=local(day, 11)).exists()
