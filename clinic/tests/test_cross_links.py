"""Clinicians reach the treatment note from the booking and My day, and the chart from the
client page; reception sees neither link."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from clinic.models import BookingStatus
from clinic.tests.builders import make_booking, make_service


def _attended(practitioner):
    service = make_service(practitioners=[practitioner], needs_room=False)
    start = timezone.now().replace(microsecond=0)  # now: on "today" whatever the hour
    return make_booking(practitioner=practitioner, service=service, start=start, status=BookingStatus.ARRIVED)


def test_booking_page_links_to_its_note_for_clinicians_only(
    practitioner, practitioner_client, reception_client
):
    booking = _attended(practitioner)
    note_url = reverse("treatments:booking_note", args=[booking.pk])
    page = reverse("clinic:booking_detail", args=[booking.pk])
    assert note_url in practitioner_client.get(page).content.decode()
    assert note_url not in reception_client.get(page).content.decode()


def test_my_day_links_to_the_note_of_an_arrived_client(practitioner, practitioner_client):
    booking = _attended(practitioner)
    page = practitioner_client.get(reverse("my_day")).content.decode()
    assert reverse("treatments:booking_note", args=[booking.pk]) in page


def test_client_page_links_to_the_chart_for_clinicians_only(
    practitioner, practitioner_client, reception_client
):
    booking = _attended(practitioner)
    chart = reverse("treatments:chart", args=[booking.client_id])
    page = reverse("clients:detail", args=[booking.client_id])
    assert chart in practitioner_client.get(page).content.decode()
    assert chart not in reception_client.get(page).content.decode()
