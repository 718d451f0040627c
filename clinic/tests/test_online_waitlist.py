"""Clients join the waitlist online (where the manager allows it): what they would take, their
details, the emailed code; the entry goes through clinic.waitlist.services and is offered like
any other when a matching time comes free."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from clients.tests.builders import make_client, make_intake
from clinic.kernel.outbox.models import Message
from clinic.services import book, cancel_booking
from clinic.tests.builders import future_day, local, make_service
from clinic.tests.test_online_booking import DETAILS, emailed_code, without_tokens
from clinic.waitlist import services as waitlist
from clinic.waitlist.models import EntryStatus, Invite, WaitlistEntry
from clinic.waitlist.selectors import freed_slots

DAY = future_day(weeks=1, weekday=2)  # a Wednesday, inside the waitlist's look-ahead


@pytest.fixture
def open_list(config):
    config.waitlist_online = True
    config.save()
    return config


def wishes(service, **overrides):
    data = {
        "service": service.pk,
        "practitioner": "",
        "weekdays": ["2"],
        "earliest": "09:00",
        "latest": "13:00",
        "from_date": timezone.localdate().isoformat(),
        "until_date": "",
    }
    data.update(overrides)
    return data


def ask(web, service, **overrides):
    return web.post(reverse("online:waitlist"), {**wishes(service), **DETAILS, **overrides})


def join(web, service, **overrides):
    assert ask(web, service, **overrides).status_code == 302
    email = overrides.get("email", DETAILS["email"])
    return web.post(reverse("online:waitlist_code"), {"code": emailed_code(email)})


def test_a_new_client_joins_through_the_waitlist_service(open_list, service, settings, reception_client):
    page = HttpClient().get(reverse("online:waitlist"), {"service": service.pk, "day": DAY.isoformat()})
    assert page.status_code == 200 and f'value="{DAY.isoformat()}"' in page.content.decode()

    done = join(HttpClient(), service)

    assert done.status_code == 200
    assert "You're on the waitlist" in done.content.decode()
    entry = WaitlistEntry.objects.get()
    assert entry.client == Client.objects.get(email=DETAILS["email"])
    assert (entry.service, entry.practitioner, entry.weekdays) == (service, None, "2")
    assert entry.status == EntryStatus.WAITING and entry.created_by is None
    assert entry.history.first().history_change_reason == "Joined online by the client"
    # It expires as the desk's entries do.
    expected = timezone.now() + timedelta(days=settings.WAITLIST_ENTRY_DAYS)
    assert abs(entry.expires_at - expected) < timedelta(minutes=5)
    # The desk's list shows who asked online.
    desk = reception_client.get(reverse("waitlist:list")).content.decode()
    assert "Quill" in desk and "Joined online" in desk


def test_an_online_entry_is_offered_when_a_matching_time_frees(
    open_list, service, practitioner, receptionist
):
    join(HttpClient(), service, email="waiting@example.com")
    booking = book(
        client=make_client(), practitioner=practitioner, service=service, start=local(DAY, 10),
        by=receptionist, notify=False,
    )  # fmt: skip
    cancel_booking(booking=booking, by=receptionist, reason="Client unwell")

    [slot] = freed_slots(timezone.now())
    assert [e.client.email for e in slot.entries] == ["waiting@example.com"]
    waitlist.offer_slot(key=slot.key, by=receptionist)
    invite = Invite.objects.get()
    assert invite.sent_to == "waiting@example.com"
    assert Message.objects.filter(kind="waitlist offer", recipient="waiting@example.com").exists()


def test_the_same_answer_whether_the_email_is_known_or_not(open_list, service):
    make_intake(make_client(email="known@example.com"))
    answers = []
    for email in ("known@example.com", "stranger@example.com"):
        web = HttpClient()
        sent = ask(web, service, email=email)
        page = web.get(sent["Location"])
        done = web.post(reverse("online:waitlist_code"), {"code": emailed_code(email)})
        answers.append(
            (
                sent.status_code,
                sent["Location"],
                page.status_code,
                without_tokens(page.content.decode().replace(email, "EMAIL")),
                done.status_code,
                without_tokens(done.content.decode().replace(email, "EMAIL")),
            )
        )
    assert answers[0] == answers[1]
    assert Client.objects.filter(email="known@example.com").count() == 1
    assert WaitlistEntry.objects.count() == 2


def test_closed_unless_the_manager_allows_it(config, service):
    web = HttpClient()
    assert web.get(reverse("online:waitlist")).status_code == 404
    assert ask(web, service).status_code == 404
    assert not Message.objects.exists()
    times = web.get(reverse("online:times"), {"service": service.pk, "day": DAY.isoformat()})
    assert reverse("online:waitlist") not in times.content.decode()
    config.waitlist_online, config.enabled = True, False
    config.save()
    assert web.get(reverse("online:waitlist")).status_code == 404


def test_closed_between_the_code_and_the_entry_adds_nothing(open_list, service):
    web = HttpClient()
    ask(web, service)
    open_list.waitlist_online = False
    open_list.save()
    answer = web.post(reverse("online:waitlist_code"), {"code": emailed_code(DETAILS["email"])})
    assert answer.status_code == 404
    assert not WaitlistEntry.objects.exists()


def test_past_the_limit_answers_429_and_sends_nothing(open_list, service, settings):
    settings.ONLINE_BOOKING_LIMIT_PER_EMAIL = 2
    web = HttpClient()
    answers = [ask(web, service).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert Message.objects.filter(kind="online booking code").count() == 2


def test_the_honeypot_gets_the_same_page_and_no_code(open_list, service):
    web = HttpClient()
    sent = ask(web, service, website="http://spam.example")
    assert sent.status_code == 302 and sent["Location"] == reverse("online:waitlist_code")
    assert not Message.objects.exists()
    assert web.post(reverse("online:waitlist_code"), {"code": "123456"}).status_code == 410
    assert not WaitlistEntry.objects.exists()


def test_bad_answers_are_shown_by_the_field_and_kept(open_list, service):
    answer = ask(HttpClient(), service, earliest="14:00", latest="10:00", email="nope@")
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "Finish by must be later than the earliest start." in html
    assert "Enter a valid email address." in html
    assert 'value="14:00"' in html and 'value="nope@"' in html
    assert not Message.objects.exists()


def test_a_service_not_offered_online_can_not_be_chosen(open_list, service, practitioner):
    hidden = make_service(name="Cupping", practitioners=[practitioner])
    answer = ask(HttpClient(), hidden)
    assert answer.status_code == 400
    assert "Select a valid choice" in answer.content.decode()
    assert not Message.objects.exists()


def test_a_client_who_must_not_be_treated_is_asked_to_call(open_list, service):
    make_intake(make_client(email="sick@example.com"), fever_or_illness_today=True)
    page = join(HttpClient(), service, email="sick@example.com")
    assert "Please call the clinic" in page.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_a_full_day_links_to_the_waitlist(open_list, service, practitioner):
    page = HttpClient().get(
        reverse("online:times"),
        {"service": service.pk, "practitioner": practitioner.pk, "day": DAY.isoformat()},
    )
    link = re.search(r'href="(/book/waitlist/\?[^"]+)"', page.content.decode()).group(1)
    assert f"service={service.pk}" in link and f"day={DAY.isoformat()}" in link
    assert reverse("online:waitlist") in HttpClient().get(reverse("online:start")).content.decode()


def test_csrf_is_checked(open_list, service):
    assert ask(HttpClient(enforce_csrf_checks=True), service).status_code == 403


@pytest.mark.parametrize("size", [1, 6])
def test_the_form_costs_the_same_queries_however_many_services(
    open_list, practitioner, django_assert_num_queries, size
):
    open_list.services.add(
        *[make_service(name=f"Service {n}", practitioners=[practitioner]) for n in range(size)]
    )
    web = HttpClient()
    web.get(reverse("online:waitlist"))
    # The request's savepoint; the settings row; the services and practitioners offered
    # online; the savepoint's release.
    with django_assert_num_queries(5):
        assert web.get(reverse("online:waitlist")).status_code == 200
