"""Reception at the desk, in a real browser: find the next free slot for a returning client
from the day view, book it, move it, cancel it; the day view passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from clients.tests.builders import make_client, make_intake
from clinic.models import Booking, BookingStatus
from clinic.tests.builders import future_day, give_hours, local, make_booking, make_room, make_service
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user


@pytest.fixture
def desk_world(transactional_db):
    practitioner = make_practitioner(display_name="Amara Okafor")
    give_hours(practitioner)
    service = make_service(name="Acupressure 60", practitioners=[practitioner])
    make_room(name="Bamboo")
    client = make_client(first_name="Noor", last_name="Haddad")
    make_intake(client)
    # A returning client: a completed session last week.
    last_week = local(timezone.localdate() - timedelta(days=7), 10)
    make_booking(
        practitioner=practitioner, service=service, start=last_week, client=client, status="completed"
    )
    desk = make_user(role="Reception", username="desk-e2e")
    return {"practitioner": practitioner, "client": client, "desk": desk, "service": service}


def test_reception_finds_books_moves_and_cancels(page, desk_world):
    client = desk_world["client"]
    login_through_form(page, "desk-e2e", TEST_PASSWORD)

    page.goto("/clinic/calendar/")
    assert_accessible(page)

    page.get_by_role("link", name="Find next free slot").click()
    # The client picker: type part of the name, then pick the match with the keyboard.
    search = page.get_by_role("searchbox", name=re.compile("^Client"))
    search.fill("Hadd")
    page.get_by_role("button", name=re.compile("^Noor Haddad · born")).wait_for()
    assert_accessible(page)  # the picker with its matches open
    search.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("input[name=client]").input_value() == str(client.pk)
    assert page.get_by_label("Client number").is_hidden()  # only needed without JavaScript
    page.get_by_label("Service").select_option(value=str(desk_world["service"].pk))
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile(r"^Book .* with Amara Okafor")).first.click()

    # The booking form arrives prefilled with the client, the service and the slot.
    page.get_by_role("button", name="Book", exact=True).click()
    page.get_by_text("Booked Noor Haddad").wait_for()
    booking = Booking.objects.get(client=client, status=BookingStatus.BOOKED)

    page.get_by_role("link", name=re.compile("^Move")).click()
    target = future_day()
    page.get_by_label("Date").fill(target.isoformat())
    page.get_by_label("New start time").fill("15:00")
    page.get_by_label("Reason for the move").fill("Client asked for the afternoon")
    page.get_by_role("button", name="Move").click()
    page.get_by_text("Moved to 15:00").wait_for()
    booking.refresh_from_db()
    assert booking.start == local(target, 15)
    assert page.get_by_text("Client asked for the afternoon").count() == 1  # in the history

    page.get_by_role("link", name=re.compile("^Cancel")).click()
    page.get_by_label("Reason").fill("Unwell")
    page.get_by_role("button", name="Cancel the session").click()
    page.get_by_text("Cancelled", exact=False).first.wait_for()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Unwell"


def test_an_empty_slot_opens_the_booking_dialog(page, desk_world):
    login_through_form(page, "desk-e2e", TEST_PASSWORD)
    day = future_day()
    page.goto(f"/clinic/calendar/?date={day.isoformat()}")
    page.get_by_role("link", name="Book Amara Okafor at 10:00").click()
    dialog = page.locator("#booking-dialog")
    search = dialog.get_by_role("searchbox", name=re.compile("^Client"))
    search.wait_for()
    assert dialog.locator("input[name=time]").input_value() == "10:00"
    search.fill("Noor")
    dialog.get_by_role("button", name=re.compile("^Noor Haddad · born")).click()
    assert dialog.locator("input[name=client]").input_value() == str(desk_world["client"].pk)
    dialog.locator("select[name=service]").select_option(value=str(desk_world["service"].pk))
    dialog.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(r"/clinic/bookings/\d+/"))
    assert Booking.objects.filter(client=desk_world["client"], start=local(day, 10)).exists()
