"""The waitlist: freed times on the desk, offers by email once, claims (first wins), entries."""

from __future__ import annotations

import re
import threading
from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clients.tests.builders import make_client
from clinic.models import Booking, BookingStatus
from clinic.services import book, cancel_booking, move_booking
from clinic.tests.builders import future_day, local, make_closure, make_service, make_time_off
from clinic.waitlist import services
from clinic.waitlist.models import EntryStatus, Invite, Offer, WaitlistEntry
from clinic.waitlist.selectors import freed_slots
from clinic.waitlist.tests.builders import make_entry
from conftest import login_client, run_outbox_worker

DAY = future_day(weeks=1, weekday=2)  # a Wednesday, inside the look-ahead


def _cancelled_slot(practitioner, service, receptionist, at: int = 10):
    booking = book(
        client=make_client(),
        practitioner=practitioner,
        service=service,
        start=local(DAY, at),
        by=receptionist,
        notify=False,
    )
    cancel_booking(booking=booking, by=receptionist, reason="Client unwell")
    return booking


def _desk_text(http) -> str:
    response = http.get(reverse("desk"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_cancellation_shows_matching_entries_on_the_desk_and_not_the_others(
    practitioner, other_practitioner, service, receptionist, reception_client
):
    _cancelled_slot(practitioner, service, receptionist)
    # Another service the freed practitioner does not offer; and one they do, shorter, which fits.
    other_service = make_service(name="Cupping", practitioners=[other_practitioner])
    shorter = make_service(name="Tuina 30", duration_minutes=30, practitioners=[practitioner])
    make_entry(service=shorter, client=make_client(last_name="Shorter"))
    make_entry(service=service, client=make_client(last_name="Elsewhere"), practitioner=other_practitioner)
    make_entry(service=service, client=make_client(last_name="Matching"))
    make_entry(service=service, client=make_client(last_name="Wednesdays"), weekdays="2",
               earliest=time(9), latest=time(12))  # fmt: skip
    make_entry(service=other_service, client=make_client(last_name="Otherservice"))
    make_entry(service=service, client=make_client(last_name="Afternoons"), earliest=time(13))
    make_entry(service=service, client=make_client(last_name="Mondays"), weekdays="0")
    make_entry(service=service, client=make_client(last_name="Lapsed"),
               expires_at=timezone.now() - timedelta(minutes=1))  # fmt: skip
    make_entry(service=service, client=make_client(last_name="Later"), from_date=DAY + timedelta(days=1))
    make_entry(service=service, client=make_client(last_name="Gone"), status=EntryStatus.WITHDRAWN)

    page = _desk_text(reception_client)

    assert "Freed slots with waiting clients" in page
    matched = re.findall(r'class="waitlist-match">Test (\w+)', page)
    assert sorted(matched) == ["Matching", "Shorter", "Wednesdays"]


def test_a_moved_booking_frees_its_old_time(practitioner, service, receptionist, reception_client):
    booking = book(
        client=make_client(),
        practitioner=practitioner,
        service=service,
        start=local(DAY, 10),
        by=receptionist,
    )
    move_booking(booking=booking, start=local(DAY, 15), by=receptionist)
    make_entry(service=service, client=make_client(last_name="Mover"), latest=time(12))

    [slot] = freed_slots(timezone.now())

    assert slot.start == local(DAY, 10) and [e.client.last_name for e in slot.entries] == ["Mover"]


def test_a_freed_time_booked_again_is_no_longer_offered(practitioner, service, receptionist):
    _cancelled_slot(practitioner, service, receptionist)
    make_entry(service=service)
    assert len(freed_slots(timezone.now())) == 1
    book(
        client=make_client(),
        practitioner=practitioner,
        service=service,
        start=local(DAY, 10),
        by=receptionist,
    )
    assert freed_slots(timezone.now()) == []


def test_a_time_freed_by_a_closure_or_time_off_is_not_offered(
    practitioner, other_practitioner, service, receptionist
):
    _cancelled_slot(practitioner, service, receptionist, at=10)
    _cancelled_slot(other_practitioner, service, receptionist, at=10)
    make_entry(service=service)
    assert len(freed_slots(timezone.now())) == 2
    make_time_off(practitioner, DAY, start_time=time(9), end_time=time(12))
    assert [s.practitioner for s in freed_slots(timezone.now())] == [other_practitioner]
    make_closure(DAY)
    assert freed_slots(timezone.now()) == []


def test_archived_clients_are_not_matched(practitioner, service, receptionist):
    _cancelled_slot(practitioner, service, receptionist)
    make_entry(service=service, client=make_client(is_archived=True))
    assert freed_slots(timezone.now()) == []


@pytest.mark.parametrize("freed", [2, 8])
def test_freed_slots_take_a_fixed_number_of_queries(
    practitioner, other_practitioner, service, receptionist, django_assert_num_queries, freed
):
    for n in range(freed):
        who = practitioner if n % 2 else other_practitioner
        _cancelled_slot(who, service, receptionist, at=8 + n)
        make_entry(service=service)
    # The history, the active bookings, closures, time off, the practitioners, what they offer,
    # the entries, the offers.
    with django_assert_num_queries(8):
        slots = freed_slots(timezone.now())
    assert len(slots) == freed and all(len(s.entries) == freed for s in slots)


def test_nothing_freed_costs_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert freed_slots(timezone.now()) == []


def _offer(http, slot_key: str):
    return http.post(reverse("waitlist:offer"), {"slot": slot_key, "next": "desk"})


def test_an_offer_emails_each_matching_client_once(
    practitioner, service, receptionist, reception_client, mailoutbox
):
    _cancelled_slot(practitioner, service, receptionist)
    first = make_entry(service=service, client=make_client(email="ann@example.com"))
    second = make_entry(service=service, client=make_client(email="bo@example.com"))
    make_entry(service=service, client=make_client(email="late@example.com"), earliest=time(16))
    [slot] = freed_slots(timezone.now())

    assert _offer(reception_client, slot.key).status_code == 302
    assert _offer(reception_client, slot.key).status_code == 302  # a double submit
    run_outbox_worker()

    assert sorted(m.to[0] for m in _offers(mailoutbox)) == ["ann@example.com", "bo@example.com"]
    assert Invite.objects.count() == 2
    assert set(WaitlistEntry.objects.filter(status=EntryStatus.OFFERED)) == {first, second}

    # Someone added since is offered it too, and only they are emailed.
    make_entry(service=service, client=make_client(email="cy@example.com"))
    mailoutbox.clear()
    _offer(reception_client, slot.key)
    run_outbox_worker()
    assert [m.to[0] for m in _offers(mailoutbox)] == ["cy@example.com"]


def _offers(mailoutbox) -> list:
    """The waitlist's emails (the cancelled booking's own client is emailed too)."""
    return [m for m in mailoutbox if "/clinic/waitlist/claim/" in m.body]


def _token_from(message) -> str:
    return re.search(r"/clinic/waitlist/claim/([\w-]+)/", message.body).group(1)


def _offered_tokens(practitioner, service, receptionist, mailoutbox, clients=2) -> list[str]:
    _cancelled_slot(practitioner, service, receptionist)
    for n in range(clients):
        make_entry(service=service, client=make_client(email=f"c{n}@example.com"))
    [slot] = freed_slots(timezone.now())
    services.offer_slot(key=slot.key, by=receptionist)
    run_outbox_worker()
    return [_token_from(m) for m in sorted(_offers(mailoutbox), key=lambda m: m.to[0])]


def _open(http, token: str):
    response = http.get(reverse("waitlist:claim", args=[token]))
    assert response["Referrer-Policy"] == "no-referrer"
    return response


def test_the_first_claim_books_and_the_second_is_told_the_time_has_gone(
    client, practitioner, service, receptionist, mailoutbox
):
    from django.test import Client as HttpClient

    ann, bo = _offered_tokens(practitioner, service, receptionist, mailoutbox)
    ann_http, bo_http = HttpClient(), HttpClient()
    assert _open(ann_http, ann).status_code == 302
    assert _open(bo_http, bo).status_code == 302
    page = ann_http.get(reverse("waitlist:claim_confirm"))
    assert page.status_code == 200 and "Book this time" in page.content.decode()

    won = ann_http.post(reverse("waitlist:claim_confirm"))
    lost = bo_http.post(reverse("waitlist:claim_confirm"))

    assert won.status_code == 200 and "You're booked" in won.content.decode()
    assert lost.status_code == 410 and "this time has gone" in lost.content.decode()
    booking = Booking.objects.get(status=BookingStatus.BOOKED, start=local(DAY, 10))
    assert booking.client.email == "c0@example.com" and booking.created_by == receptionist
    statuses = dict(WaitlistEntry.objects.values_list("client__email", "status"))
    assert statuses == {"c0@example.com": EntryStatus.BOOKED, "c1@example.com": EntryStatus.WAITING}
    # The other client is told by email too, once, with no link that could book.
    run_outbox_worker()
    gone = [m for m in mailoutbox if m.subject.startswith("That time has gone")]
    assert [m.to for m in gone] == [["c1@example.com"]]
    assert "/clinic/waitlist/claim/" not in gone[0].body and "still on our waitlist" in gone[0].body
    # The used link and the lost one now open clear pages.
    assert "already booked" in _open(HttpClient(), ann).content.decode()
    assert "this time has gone" in _open(HttpClient(), bo).content.decode()


def test_an_expired_or_unknown_link_is_refused_with_a_clear_page(
    client, practitioner, service, receptionist, mailoutbox
):
    [token] = _offered_tokens(practitioner, service, receptionist, mailoutbox, clients=1)
    WaitlistEntry.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    expired = _open(client, token)
    unknown = _open(client, "not-a-real-token")

    assert expired.status_code == 410 and "This offer has expired" in expired.content.decode()
    assert unknown.status_code == 404 and "This link doesn" in unknown.content.decode()
    assert client.get(reverse("waitlist:claim_confirm")).status_code == 404
    assert not Booking.objects.filter(status=BookingStatus.BOOKED).exists()


def test_a_claim_still_keeps_the_booking_rules(practitioner, service, receptionist, mailoutbox, client):
    """The offer is claimed through the booking service: a clash made since is refused."""
    [token] = _offered_tokens(practitioner, service, receptionist, mailoutbox, clients=1)
    claimant = WaitlistEntry.objects.get().client
    book(client=claimant, practitioner=practitioner, service=service, start=local(DAY, 10, 30),
         by=receptionist, notify=False)  # fmt: skip  # the client is busy then now
    _open(client, token)
    response = client.post(reverse("waitlist:claim_confirm"))
    assert response.status_code == 410 and "this time has gone" in response.content.decode()


@pytest.mark.skipif(
    connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME"),
    reason="The in-memory SQLite test database hides races: PostgreSQL, or SQLite in a file.",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claims_make_one_booking(practitioner, service, receptionist, mailoutbox):
    _cancelled_slot(practitioner, service, receptionist)
    entries = [make_entry(service=service, client=make_client(email=f"r{n}@example.com")) for n in range(2)]
    [slot] = freed_slots(timezone.now())
    offer, _emailed = services.offer_slot(key=slot.key, by=receptionist)
    invites = list(Invite.objects.filter(offer=offer).order_by("pk"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claimer(invite_id: int) -> None:
        try:
            barrier.wait()
            services.claim(invite_id=invite_id)
            outcomes.append("booked")
        except services.ClaimClosed as closed:
            outcomes.append(closed.state)
        except Exception as error:  # pragma: no cover - shown in the failure
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(i.pk,)) for i in invites]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["booked", "gone"]
    assert Booking.objects.filter(status=BookingStatus.BOOKED, start=local(DAY, 10)).count() == 1
    assert Offer.objects.get().booking_id is not None
    assert sorted(
        WaitlistEntry.objects.filter(pk__in=[e.pk for e in entries]).values_list("status", flat=True)
    ) == [
        EntryStatus.BOOKED,
        EntryStatus.WAITING,
    ]


def test_reception_adds_and_withdraws_entries(reception_client, service, practitioner):
    who = make_client(last_name="Waiting")
    form = reception_client.get(reverse("waitlist:new") + f"?client={who.pk}")
    assert form.status_code == 200
    response = reception_client.post(
        reverse("waitlist:new"),
        {"client": who.pk, "service": service.pk, "practitioner": practitioner.pk, "weekdays": ["0", "2"],
         "earliest": "09:00", "latest": "13:00", "from_date": DAY.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(client=who)
    assert entry.weekdays == "02" and entry.status == EntryStatus.WAITING
    assert entry.expires_at > timezone.now() + timedelta(days=29)
    assert "Waiting" in reception_client.get(reverse("waitlist:list")).content.decode()

    assert reception_client.post(reverse("waitlist:withdraw", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN
    assert entry.history.count() == 2


def test_bad_input_is_answered_next_to_the_field(reception_client, service):
    who = make_client()
    response = reception_client.post(
        reverse("waitlist:new"),
        {"client": who.pk, "service": service.pk, "earliest": "14:00", "latest": "10:00",
         "from_date": DAY.isoformat(), "until_date": (DAY - timedelta(days=1)).isoformat()},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "Finish by must be later than the earliest start." in page
    assert "The last date must be on or after the first date." in page
    assert 'value="14:00"' in page  # the input is kept
    assert not WaitlistEntry.objects.exists()


def test_practitioners_and_outsiders_are_refused(practitioner_client, outsider_client, service):
    entry = make_entry(service=service)
    for http in (practitioner_client, outsider_client):
        assert http.get(reverse("waitlist:list")).status_code == 403
        assert http.post(reverse("waitlist:withdraw", args=[entry.pk])).status_code == 403
        assert http.post(reverse("waitlist:offer"), {"slot": "x"}).status_code == 403


def test_the_client_page_links_reception_to_the_waitlist(reception_client, practitioner_client, db):
    who = make_client()
    url = reverse("clients:detail", args=[who.pk])
    assert reverse("waitlist:new") in reception_client.get(url).content.decode()
    assert reverse("waitlist:new") not in practitioner_client.get(url).content.decode()


def test_entries_past_their_expiry_are_marked_expired(service):
    lapsed = make_entry(service=service, expires_at=timezone.now() - timedelta(seconds=1))
    current = make_entry(service=service)
    call_command("expire_waitlist", verbosity=0)
    lapsed.refresh_from_db()
    current.refresh_from_db()
    assert (lapsed.status, current.status) == (EntryStatus.EXPIRED, EntryStatus.WAITING)


def test_the_back_office_reads_entries_and_never_writes_them(manager, service):
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    entry = make_entry(service=service, client=make_client(last_name="Backoffice"))
    http = login_client(manager)
    assert "Backoffice" in http.get(reverse("admin:waitlist_waitlistentry_changelist")).content.decode()
    assert http.get(reverse("admin:waitlist_waitlistentry_history", args=[entry.pk])).status_code == 200
    assert http.get(reverse("admin:waitlist_waitlistentry_add")).status_code == 403
