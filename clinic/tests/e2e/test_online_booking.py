"""Clients on a phone (390 px wide) in a real browser: a new client books, gets the confirmation
with the intake link, answers the intake, and reception's calendar shows the booking as online;
a returning client proves the email with the code and moves the booking through the manage
link; a late cancel through the link is flagged; a client joins the waitlist and claims a freed
time. Every public page passes axe-core and fits the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clients.models import Intake, IntakeSource
from clients.tests.builders import make_client, make_intake
from clinic.kernel.outbox.models import Message
from clinic.kernel.roles import Role
from clinic.models import Booking, BookingSource, BookingStatus
from clinic.online import services as online
from clinic.online.models import OnlineSettings
from clinic.services import book, cancel_booking
from clinic.tests.builders import future_day, give_hours, local, make_booking, make_room, make_service
from clinic.tests.e2e.conftest import answer_intake_no, assert_accessible, login_through_form
from clinic.waitlist import services as waitlist
from clinic.waitlist.models import EntryStatus, WaitlistEntry
from clinic.waitlist.selectors import freed_slots
from conftest import TEST_PASSWORD, make_practitioner, make_user, run_outbox_worker

PHONE = {"width": 390, "height": 844}
DAY = future_day(weeks=1, weekday=2)  # a Wednesday, inside the booking window and the look-ahead


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)


@pytest.fixture
def clinic(transactional_db):
    """Online booking open for one service with one practitioner; a receptionist."""
    practitioner = make_practitioner(display_name="Amara Okafor")
    give_hours(practitioner)
    make_room()
    service = make_service(name="Shiatsu 60", practitioners=[practitioner])
    config = OnlineSettings.current()
    config.enabled = True
    config.waitlist_online = True
    config.save()
    config.services.set([service])
    config.practitioners.set([practitioner])
    receptionist = make_user(role=Role.RECEPTION, username="riley", first_name="Riley", last_name="Chen")
    mail.outbox.clear()
    return {"practitioner": practitioner, "service": service, "receptionist": receptionist}


def _code_from_email(email: str) -> str:
    body = Message.objects.filter(kind="online booking code", recipient=email).latest("pk").body
    return re.search(r"\b\d{6}\b", body).group(0)


def _details(page, email: str) -> None:
    page.get_by_label("First name").fill("Ines")
    page.get_by_label("Last name").fill("Moreau")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill("020 7946 0123")
    page.get_by_label("Date of birth").fill("1988-03-04")
    page.get_by_label("I agree to be treated by the clinic").check()


def _book_on_the_phone(page, email: str) -> Booking:
    """Through every step of the public pages, each checked by axe-core at 390 px."""
    page.set_viewport_size(PHONE)
    page.goto("/book/")
    _fits(page)
    page.get_by_label("Shiatsu 60").check()
    page.get_by_label("Practitioner").select_option("any")
    page.get_by_label("Day").fill(DAY.isoformat())
    page.get_by_role("button", name="See free times").click()

    page.get_by_role("heading", name="Shiatsu 60: choose a time").wait_for()
    _fits(page)
    page.get_by_label(re.compile(r"^10:00 with")).check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Your details").wait_for()
    _fits(page)
    _details(page, email)
    page.get_by_role("button", name="Email me a code").click()

    page.get_by_role("heading", name="Check your email").wait_for()
    _fits(page)
    page.get_by_label("The 6-digit code from the email").fill(_code_from_email(email))
    page.get_by_role("button", name="Book").click()

    page.get_by_role("heading", name="You're booked").wait_for()
    _fits(page)
    return Booking.objects.get(client__email=email)


def _delivered_to(email: str) -> str:
    """The background worker sends what the pages queued; the client's last email's text."""
    run_outbox_worker()
    return str([m for m in mail.outbox if m.to == [email]][-1].body)


def test_a_new_client_books_answers_the_intake_and_reception_sees_it(page, clinic):
    booking = _book_on_the_phone(page, "ines@example.com")
    assert booking.source == BookingSource.ONLINE and booking.start == local(DAY, 10)

    # The confirmation, as delivered: the manage link and the online intake link.
    confirmation = _delivered_to("ines@example.com")
    assert "/book/manage/" in confirmation
    intake_link = re.search(r"/clients/intake/[^/\s]+/", confirmation).group(0)

    page.goto(intake_link)
    page.get_by_role("heading", name=re.compile("^Hello Ines")).wait_for()
    _fits(page)
    answer_intake_no(page)
    page.get_by_label("I consent to treatment").check()
    page.get_by_label("Your full name (signature)").fill("Ines Moreau")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Thank you, Ines").wait_for()
    _fits(page)
    assert Intake.objects.get(client=booking.client).source == IntakeSource.ONLINE

    # Reception, signed in on the desk's browser: the day's calendar shows it, marked online.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login_through_form(page, "riley", TEST_PASSWORD)
    page.goto(f"/clinic/calendar/?date={DAY.isoformat()}")
    card = page.locator(f'[href="/clinic/bookings/{booking.pk}/"]').first
    card.wait_for()
    assert "Moreau" in card.inner_text() and "Online" in card.inner_text()


def test_a_returning_client_proves_the_email_and_moves_the_booking(page, clinic):
    known = make_client(first_name="Noor", last_name="Haddad", email="noor@example.com")
    make_intake(known)
    booking = _book_on_the_phone(page, "noor@example.com")
    assert booking.client == known  # recognised by the proven address, no second record
    confirmation = _delivered_to("noor@example.com")
    assert "/clients/intake/" not in confirmation  # the intake is current

    page.goto(re.search(r"/book/manage/[^/\s]+/", confirmation).group(0))
    page.get_by_role("heading", name="Your appointment").wait_for()
    assert "/book/manage/" in page.url and page.url.endswith("/book/manage/")  # the token is gone
    _fits(page)
    page.get_by_label("From").fill((DAY + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Show free times").click()
    choice = page.get_by_role("radio").first
    new_start = choice.get_attribute("value")
    choice.check()
    page.get_by_role("button", name="Move to this time").click()
    page.get_by_role("heading", name="Your appointment").wait_for()
    _fits(page)

    booking.refresh_from_db()
    assert booking.start.isoformat() == new_start and booking.start.date() == DAY + timedelta(days=1)
    assert booking.history.first().history_change_reason == "Moved online by the client"


def test_a_late_cancel_through_the_link_is_flagged(page, clinic):
    start = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    booking = make_booking(
        practitioner=clinic["practitioner"],
        service=clinic["service"],
        start=start,
        source=BookingSource.ONLINE,
    )
    page.set_viewport_size(PHONE)
    page.goto(f"/book/manage/{online.new_manage_link(booking)}/")
    page.get_by_role("heading", name="Your appointment").wait_for()
    assert page.get_by_text("This is a late cancellation").is_visible()
    _fits(page)
    page.get_by_role("button", name="Cancel my appointment").click()
    page.get_by_text("This appointment is cancelled.").wait_for()
    _fits(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.late_cancellation


def test_a_client_joins_the_waitlist_online_and_claims_a_freed_time(page, clinic):
    page.set_viewport_size(PHONE)
    page.goto("/book/")
    page.get_by_role("link", name="Join the waitlist").click()
    page.get_by_role("heading", name="Join the waitlist").wait_for()
    _fits(page)
    page.get_by_label("Service").select_option(value=str(clinic["service"].pk))
    page.get_by_label("Wed").check()
    page.get_by_label("Finish by").fill("13:00")
    _details(page, "wait@example.com")
    page.get_by_role("button", name="Email me a code").click()

    page.get_by_role("heading", name="Check your email").wait_for()
    _fits(page)
    page.get_by_label("The 6-digit code from the email").fill(_code_from_email("wait@example.com"))
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_role("heading", name="You're on the waitlist").wait_for()
    _fits(page)
    entry = WaitlistEntry.objects.get(client__email="wait@example.com")
    assert entry.weekdays == "2"

    # A Wednesday morning comes free; reception offers it; the client claims it from the email.
    freed = book(
        client=make_client(), practitioner=clinic["practitioner"], service=clinic["service"],
        start=local(DAY, 10), by=clinic["receptionist"], notify=False,
    )  # fmt: skip
    cancel_booking(booking=freed, by=clinic["receptionist"], reason="Client unwell")
    [slot] = freed_slots(timezone.now())
    waitlist.offer_slot(key=slot.key, by=clinic["receptionist"])
    claim_link = re.search(r"/clinic/waitlist/claim/[^/\s]+/", _delivered_to("wait@example.com")).group(0)

    page.goto(claim_link)
    page.get_by_role("heading", name="A time has come free").wait_for()
    _fits(page)
    page.get_by_role("button", name="Book this time").click()
    page.get_by_role("heading", name="You're booked").wait_for()
    _fits(page)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.BOOKED

    # The used link, and a manage link that is not one, explain themselves.
    page.goto(claim_link)
    page.get_by_role("heading", name="You have already booked this time").wait_for()
    _fits(page)
    page.goto("/book/manage/not-a-real-link/")
    page.get_by_role("heading", name="This link doesn't work").wait_for()
    _fits(page)


def test_refusals_on_the_phone_explain_themselves(page, clinic):
    """The pages that say no: the details with their errors, a time taken meanwhile, a client
    asked to call, a full waitlist form with its errors."""
    page.set_viewport_size(PHONE)
    make_intake(make_client(email="sick@example.com"), fever_or_illness_today=True)
    page.goto(f"/book/times/?service={clinic['service'].pk}&practitioner=any&day={DAY.isoformat()}")
    page.get_by_label(re.compile(r"^10:00 with")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_text("Please correct the answers marked below.").wait_for()
    _fits(page)

    _details(page, "sick@example.com")
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("The 6-digit code from the email").fill(_code_from_email("sick@example.com"))
    page.get_by_role("button", name="Book").click()
    page.get_by_role("heading", name="Please call the clinic").wait_for()
    _fits(page)

    page.goto(f"/book/times/?service={clinic['service'].pk}&practitioner=any&day={DAY.isoformat()}")
    page.get_by_label(re.compile(r"^10:00 with")).check()
    page.get_by_role("button", name="Continue").click()
    _details(page, "late@example.com")
    page.get_by_role("button", name="Email me a code").click()
    make_booking(practitioner=clinic["practitioner"], service=clinic["service"], start=local(DAY, 10))
    page.get_by_label("The 6-digit code from the email").fill(_code_from_email("late@example.com"))
    page.get_by_role("button", name="Book").click()
    page.get_by_role("heading", name="That time can't be booked").wait_for()
    _fits(page)

    page.goto("/book/waitlist/")
    page.get_by_label("Start no earlier than").fill("14:00")
    page.get_by_label("Finish by").fill("10:00")
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_text("Finish by must be later than the earliest start.").wait_for()
    _fits(page)


def test_too_many_tries_get_a_page_that_explains_itself(page, clinic, settings):
    """The throttle's answer (429) is a public page too: it fits the phone and passes axe-core."""
    settings.ONLINE_BOOKING_LIMIT_PER_EMAIL = 1
    page.set_viewport_size(PHONE)
    for _ in range(2):
        page.goto(f"/book/times/?service={clinic['service'].pk}&practitioner=any&day={DAY.isoformat()}")
        page.get_by_label(re.compile(r"^10:00 with")).check()
        page.get_by_role("button", name="Continue").click()
        _details(page, "eager@example.com")
        page.get_by_role("button", name="Email me a code").click()
    page.get_by_role("heading", name="Too many attempts").wait_for()
    _fits(page)
    assert Message.objects.filter(kind="online booking code", recipient="eager@example.com").count() == 1
