"""A new client books online from a phone (390 px wide) in a real browser: every public page
passes axe-core and fits the screen; the booking lands with its source and the emailed code."""

from __future__ import annotations

import re

from clinic.kernel.outbox.models import Message
from clinic.models import Booking, BookingSource
from clinic.online.models import OnlineSettings
from clinic.tests.builders import future_day, give_hours, make_room, make_service
from clinic.tests.e2e.conftest import assert_accessible
from conftest import make_practitioner

PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)


def test_a_new_client_books_online_on_a_phone(page, live_server, transactional_db):
    practitioner = make_practitioner()
    give_hours(practitioner)
    make_room()
    service = make_service(name="Shiatsu 60", practitioners=[practitioner])
    config = OnlineSettings.current()
    config.enabled = True
    config.save()
    config.services.set([service])
    config.practitioners.set([practitioner])
    day = future_day(weeks=1, weekday=2)

    page.set_viewport_size(PHONE)
    page.goto("/book/")
    _fits(page)
    page.get_by_label("Shiatsu 60").check()
    page.get_by_label("Practitioner").select_option("any")
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_role("button", name="See free times").click()

    page.get_by_role("heading", name="Shiatsu 60: choose a time").wait_for()
    _fits(page)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Your details").wait_for()
    _fits(page)
    page.get_by_label("First name").fill("Ines")
    page.get_by_label("Last name").fill("Moreau")
    page.get_by_label("Email").fill("ines@example.com")
    page.get_by_label("Phone").fill("020 7946 0123")
    page.get_by_label("Date of birth").fill("1988-03-04")
    page.get_by_label("I agree to be treated by the clinic").check()
    page.get_by_role("button", name="Email me a code").click()

    page.get_by_role("heading", name="Check your email").wait_for()
    _fits(page)
    body = Message.objects.get(kind="online booking code").body
    page.get_by_label("The 6-digit code from the email").fill(re.search(r"\d{6}", body).group(0))
    page.get_by_role("button", name="Book").click()

    page.get_by_role("heading", name="You're booked").wait_for()
    _fits(page)
    booking = Booking.objects.get()
    assert booking.source == BookingSource.ONLINE
    assert booking.client.email == "ines@example.com"

    # The private link in the confirmation: the booking, free times to move to, and cancelling.
    confirmation = Message.objects.get(key=f"booking:{booking.pk}:booked").body
    page.goto(re.search(r"/book/manage/[^/\s]+/", confirmation).group(0))
    page.get_by_role("heading", name="Your appointment").wait_for()
    _fits(page)
    page.get_by_role("button", name="Cancel my appointment").click()
    page.get_by_text("This appointment is cancelled.").wait_for()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
