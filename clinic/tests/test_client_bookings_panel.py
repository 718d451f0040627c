"""The client page's bookings panel (clinic/_client_bookings.html, included by the clients app)."""

from __future__ import annotations

from django.urls import reverse

from clients.tests.builders import make_client
from clinic.tests.builders import future_day, local, make_booking


def test_client_page_lists_the_clients_bookings_with_booking_links(
    reception_client, practitioner, service, room
):
    client = make_client(first_name="Lena")
    booking = make_booking(
        practitioner=practitioner, service=service, start=local(future_day(), 10), client=client
    )
    page = reception_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert reverse("clinic:booking_detail", args=[booking.pk]) in page
    assert f"{reverse('clinic:find_slots')}?client={client.pk}" in page


def test_client_without_bookings_gets_an_empty_state(reception_client, db):
    client = make_client()
    page = reception_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "No bookings yet." in page


def test_an_archived_clients_page_offers_no_booking_and_says_how_to_book(reception_client, db):
    client = make_client(first_name="Lena")
    client.archive()
    page = reception_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert reverse("clinic:find_slots") not in page
    assert f"{reverse('clinic:booking_new')}?client=" not in page
    assert reverse("clinic:course_new") not in page
    assert "Restore this client to book" in page
    assert "Find a free slot" not in page


def test_an_active_clients_page_offers_every_booking_action(reception_client, db):
    client = make_client()
    page = reception_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    for name in ("clinic:find_slots", "clinic:booking_new", "clinic:course_new"):
        assert f"{reverse(name)}?client={client.pk}" in page
    assert "Restore this client to book" not in page
