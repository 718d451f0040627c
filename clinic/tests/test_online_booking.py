"""Online booking (clinic.online): the public pages book through clinic.services.book, so the
desk's rules hold; the screening gate, the emailed code, the manage link and the throttles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, IntakeLink
from clients.tests.builders import make_client, make_intake
from clinic.kernel.outbox.models import Message
from clinic.models import Booking, BookingSource, BookingStatus
from clinic.online import services as online
from clinic.online.models import EmailCode, ManageLink, OnlineSettings
from clinic.services import confirm_request
from clinic.tests.builders import future_day, local, make_booking, make_closure, make_time_off

DAY = future_day(weeks=2, weekday=2)


DETAILS = {
    "first_name": "Nora",
    "last_name": "Quill",
    "email": "nora@example.com",
    "phone": "020 7946 0123",
    "date_of_birth": "1990-05-06",
    "consent": "on",
    "website": "",
}


def slot_value(practitioner, start):
    return f"{practitioner.pk}@{start.isoformat()}"


def choose(web, service, practitioner, start):
    return web.post(
        reverse("online:times"),
        {"service": service.pk, "practitioner": practitioner.pk, "day": start.date().isoformat(),
         "slot": slot_value(practitioner, start)},
    )  # fmt: skip


def without_tokens(html):
    """A page with its per-session CSRF token blanked (the one part that differs by design)."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", html)


def emailed_code(email):
    body = Message.objects.filter(kind="online booking code", recipient=email).latest("pk").body
    return re.search(r"\b(\d{6})\b", body).group(1)


def book_through_pages(web, service, practitioner, start, **details):
    assert choose(web, service, practitioner, start).status_code == 302
    assert web.post(reverse("online:details"), {**DETAILS, **details}).status_code == 302
    email = details.get("email", DETAILS["email"])
    return web.post(reverse("online:code"), {"code": emailed_code(email)})


def test_a_new_client_books_online_end_to_end(config, service, practitioner):
    web = HttpClient()
    page = web.get(
        reverse("online:times"), {"service": service.pk, "practitioner": "any", "day": DAY.isoformat()}
    )
    assert page.status_code == 200
    assert slot_value(practitioner, local(DAY, 10)) in page.content.decode()

    done = book_through_pages(web, service, practitioner, local(DAY, 10))

    assert done.status_code == 200
    assert "You're booked" in done.content.decode()
    assert "please fill in our health questionnaire" in done.content.decode()
    booking = Booking.objects.get()
    assert booking.source == BookingSource.ONLINE
    assert booking.created_by is None
    assert not booking.awaiting_confirmation
    assert booking.history.first().history_change_reason == "Booked online by the client"
    client = Client.objects.get(email="nora@example.com")
    assert booking.client == client and client.consent_to_treatment_at is not None
    confirmation = Message.objects.get(key=f"booking:{booking.pk}:booked")
    assert confirmation.sensitive
    assert "/book/manage/" in confirmation.body
    intake_link = IntakeLink.objects.get(client=client)
    intake_url = re.search(r"(http\S+/intake\S*)", confirmation.body).group(1)
    assert IntakeLink.objects.for_token(intake_url.rstrip("/").rsplit("/", 1)[1]).get() == intake_link
    assert confirmation.attachments[0]["filename"] == "appointment.ics"
    assert "BEGIN:VEVENT" in confirmation.attachments[0]["content"]


def test_the_same_answer_whether_the_email_is_known_or_not(config, service, practitioner):
    make_client(email="known@example.com")
    pages = []
    for email in ("known@example.com", "stranger@example.com"):
        web = HttpClient()
        choose(web, service, practitioner, local(DAY, 10))
        sent = web.post(reverse("online:details"), {**DETAILS, "email": email})
        page = web.get(sent["Location"])
        pages.append(
            (
                sent.status_code,
                sent["Location"],
                page.status_code,
                without_tokens(page.content.decode().replace(email, "EMAIL")),
            )
        )
    assert pages[0] == pages[1]
    assert Message.objects.filter(kind="online booking code").count() == 2
    assert not Client.objects.filter(email="stranger@example.com").exists()  # not before the code


def test_a_returning_client_is_recognised_by_the_proven_email(config, service, practitioner):
    known = make_client(email="known@example.com")
    make_intake(known)
    done = book_through_pages(
        HttpClient(), service, practitioner, local(DAY, 10), email="known@example.com", first_name="X"
    )
    assert "health questionnaire" not in done.content.decode()
    booking = Booking.objects.get()
    assert booking.client == known
    assert Client.objects.count() == 1
    assert "intake" not in Message.objects.get(key=f"booking:{booking.pk}:booked").body.lower()


def test_do_not_treat_is_asked_to_call_and_nothing_is_booked(config, service, practitioner):
    make_intake(make_client(email="sick@example.com"), fever_or_illness_today=True)
    page = book_through_pages(HttpClient(), service, practitioner, local(DAY, 10), email="sick@example.com")
    assert page.status_code == 200
    assert "Please call the clinic" in page.content.decode()
    assert "fever" not in page.content.decode().lower()
    assert not Booking.objects.exists()


def test_needs_clearance_is_held_as_a_request_reception_confirms(config, service, practitioner, receptionist):
    make_intake(make_client(email="sugar@example.com"), diabetes=True)
    page = book_through_pages(HttpClient(), service, practitioner, local(DAY, 10), email="sugar@example.com")
    assert "Request received" in page.content.decode()
    booking = Booking.objects.get()
    assert booking.awaiting_confirmation and booking.status == BookingStatus.BOOKED
    confirm_request(booking=booking, by=receptionist)
    booking.refresh_from_db()
    assert not booking.awaiting_confirmation
    assert booking.clearance_acknowledged_by == receptionist


def test_a_closed_day_offers_no_time_and_the_next_free_days(config, service, practitioner):
    make_closure(DAY)
    page = HttpClient().get(
        reverse("online:times"),
        {"service": service.pk, "practitioner": practitioner.pk, "day": DAY.isoformat()},
    )
    html = page.content.decode()
    assert slot_value(practitioner, local(DAY, 10)) not in html
    assert "Next free times" in html
    assert slot_value(practitioner, local(DAY + timedelta(days=1), 8)) in html


@pytest.mark.parametrize("booked", [1, 3])
def test_the_times_page_reads_the_calendar_in_one_statement(
    config, service, practitioner, other_practitioner, room, django_assert_num_queries, booked
):
    for n in range(booked):
        make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 8 + 2 * n), room=room)
    web = HttpClient()
    params = {"service": service.pk, "practitioner": "any", "day": DAY.isoformat()}
    web.get(reverse("online:times"), params)
    # The request's savepoint; the settings row; the services and the practitioners offered
    # online; the day's calendar (time off, closures, hours, the active rooms and their and the
    # practitioners' bookings: one UNION ALL); the savepoint's release.
    with django_assert_num_queries(6):
        page = web.get(reverse("online:times"), params)
    html = page.content.decode()
    assert slot_value(practitioner, local(DAY, 14)) in html
    assert slot_value(other_practitioner, local(DAY, 8)) not in html  # booked
    assert slot_value(practitioner, local(DAY, 8)) not in html  # the only room is taken


@pytest.mark.parametrize("case", ["taken", "outside hours", "closure", "time off", "room buffer", "notice"])
def test_a_crafted_post_for_a_time_that_is_not_free_is_refused(
    case, config, service, practitioner, other_practitioner, room
):
    start = local(DAY, 10)
    if case == "taken":
        make_booking(practitioner=practitioner, service=service, start=start)
    elif case == "outside hours":
        start = local(DAY, 22)
    elif case == "closure":
        make_closure(DAY)
    elif case == "time off":
        make_time_off(practitioner, DAY)
    elif case == "room buffer":  # the only room is still being turned over at 10:00
        make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 9), room=room)
    else:  # inside the manager's minimum notice
        start = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    before = Booking.objects.count()
    page = book_through_pages(HttpClient(), service, practitioner, start)
    assert page.status_code in (400, 409)
    assert "That time can't be booked" in page.content.decode()
    assert Booking.objects.count() == before


def test_two_clients_for_one_slot_get_one_booking(config, service, practitioner):
    first, second = HttpClient(), HttpClient()
    for web, email in ((first, "a@example.com"), (second, "b@example.com")):
        choose(web, service, practitioner, local(DAY, 10))
        web.post(reverse("online:details"), {**DETAILS, "email": email})
    answers = [
        web.post(reverse("online:code"), {"code": emailed_code(email)}).status_code
        for web, email in ((first, "a@example.com"), (second, "b@example.com"))
    ]
    assert answers == [200, 409]
    assert Booking.objects.filter(practitioner=practitioner).count() == 1


def test_a_used_or_expired_code_is_refused_with_a_clear_page(config, service, practitioner):
    web = HttpClient()
    choose(web, service, practitioner, local(DAY, 10))
    web.post(reverse("online:details"), DETAILS)
    EmailCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = web.post(reverse("online:code"), {"code": emailed_code(DETAILS["email"])})
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert not Booking.objects.exists()

    code = online.send_code("x@example.com")
    assert online.check_code(code.pk, emailed_code("x@example.com")) == "ok"
    assert online.check_code(code.pk, emailed_code("x@example.com")) == "used"


def test_a_wrong_code_keeps_the_form_with_a_message(config, service, practitioner):
    web = HttpClient()
    choose(web, service, practitioner, local(DAY, 10))
    web.post(reverse("online:details"), DETAILS)
    right = emailed_code(DETAILS["email"])
    page = web.post(reverse("online:code"), {"code": "000000" if right != "000000" else "111111"})
    assert page.status_code == 400
    assert "not right" in page.content.decode()


def test_details_past_the_limit_answer_429_and_send_nothing(config, service, practitioner, settings):
    settings.ONLINE_BOOKING_LIMIT_PER_EMAIL = 2
    web = HttpClient()
    choose(web, service, practitioner, local(DAY, 10))
    answers = [web.post(reverse("online:details"), DETAILS).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert Message.objects.filter(kind="online booking code").count() == 2


def test_the_honeypot_gets_the_same_page_and_no_code(config, service, practitioner):
    web = HttpClient()
    choose(web, service, practitioner, local(DAY, 10))
    sent = web.post(reverse("online:details"), {**DETAILS, "website": "http://spam.example"})
    assert sent.status_code == 302
    assert not Message.objects.filter(kind="online booking code").exists()


def test_the_pages_are_closed_unless_enabled(service):
    assert HttpClient().get(reverse("online:start")).status_code == 404


def test_csrf_is_checked_on_each_step(config, service, practitioner):
    web = HttpClient(enforce_csrf_checks=True)
    assert choose(web, service, practitioner, local(DAY, 10)).status_code == 403


def _manage(web, booking):
    token = online.new_manage_link(booking)
    opened = web.get(reverse("online:manage_link", args=[token]))
    assert opened["Referrer-Policy"] == "no-referrer"
    return opened


def test_the_manage_link_moves_and_cancels_through_the_services(config, service, practitioner):
    book_through_pages(HttpClient(), service, practitioner, local(DAY, 10))
    booking = Booking.objects.get()
    web = HttpClient()
    assert _manage(web, booking).status_code == 302
    page = web.get(reverse("online:manage"), {"day": DAY.isoformat()})
    assert page.status_code == 200
    moved = web.post(reverse("online:manage"), {"action": "move", "start": local(DAY, 14).isoformat()})
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.start == local(DAY, 14)
    assert set(ManageLink.objects.filter(booking=booking).values_list("expires_at", flat=True)) == {
        booking.end
    }
    assert booking.history.first().history_change_reason == "Moved online by the client"
    web.post(reverse("online:manage"), {"action": "cancel"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and not booking.late_cancellation


def test_a_late_online_cancel_is_flagged(config, service, practitioner):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=3)
    booking = make_booking(
        practitioner=practitioner, service=service, start=start, source=BookingSource.ONLINE
    )
    web = HttpClient()
    _manage(web, booking)
    page = web.get(reverse("online:manage"))
    assert "late cancellation" in page.content.decode()
    web.post(reverse("online:manage"), {"action": "cancel"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.late_cancellation


def test_an_unknown_or_expired_manage_link_is_refused_with_a_clear_page(config, service, practitioner):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10))
    token = online.new_manage_link(booking)
    ManageLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert HttpClient().get(reverse("online:manage_link", args=[token])).status_code == 410
    assert HttpClient().get(reverse("online:manage_link", args=["nope"])).status_code == 404
    assert HttpClient().get(reverse("online:manage")).status_code == 403


def test_reception_sees_the_request_and_confirms_it(config, service, practitioner, reception_client):
    make_intake(make_client(email="sugar@example.com"), diabetes=True)
    book_through_pages(HttpClient(), service, practitioner, local(DAY, 10), email="sugar@example.com")
    booking = Booking.objects.get()
    page = reception_client.get(reverse("clinic:booking_detail", args=[booking.pk]))
    assert "Requested online" in page.content.decode()
    confirm_form = f'<form method="post" action="{reverse("online:confirm", args=[booking.pk])}">'
    assert confirm_form in page.content.decode()
    day = reception_client.get(reverse("clinic:day"), {"date": DAY.isoformat()})
    assert "Requested online" in day.content.decode()
    answer = reception_client.post(reverse("online:confirm", args=[booking.pk]))
    assert answer.status_code == 302
    booking.refresh_from_db()
    assert not booking.awaiting_confirmation
    page = reception_client.get(reverse("clinic:booking_detail", args=[booking.pk]))
    assert "Requested online" not in page.content.decode() and ">Online<" in page.content.decode()
    reasons = list(booking.history.values_list("history_change_reason", "history_user_id"))
    assert reasons[-1] == ("Booked online by the client", None)


def test_the_manager_sets_online_booking_in_the_back_office(back_office, service):
    OnlineSettings.current()
    page = back_office.get(reverse("admin:online_onlinesettings_change", args=[1]))
    assert page.status_code == 200
    assert "Minimum notice hours" in page.content.decode()


def test_a_double_submitted_code_books_once(config, service, practitioner):
    web = HttpClient()
    choose(web, service, practitioner, local(DAY, 10))
    web.post(reverse("online:details"), DETAILS)
    code = emailed_code(DETAILS["email"])
    first = web.post(reverse("online:code"), {"code": code})
    again = web.post(reverse("online:code"), {"code": code})
    assert (first.status_code, again.status_code) == (200, 400)
    assert "Please start again" in again.content.decode()
    assert Booking.objects.count() == 1


def test_a_started_appointment_is_not_cancelled_online(config, service, practitioner):
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=10)
    booking = make_booking(practitioner=practitioner, service=service, start=start)
    web = HttpClient()
    _manage(web, booking)
    answer = web.post(reverse("online:manage"), {"action": "cancel"})
    assert answer.status_code == 409
    assert "has started" in answer.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
