"""The private iCalendar feed: parses, holds only that practitioner's sessions, and a wrong or
revoked token gets 404. The settings page is for the practitioner themself and managers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clients.tests.builders import make_client, make_intake
from clinic.tests.builders import future_day, local, make_booking


@pytest.fixture
def feed_world(practitioner, other_practitioner, service, room):
    mine = make_client(first_name="Priya", last_name="Raman")
    make_intake(mine, diabetes=True, medications="Metformin")
    make_booking(
        practitioner=practitioner, service=service, start=local(future_day(), 10), room=room, client=mine
    )
    make_booking(
        practitioner=practitioner,
        service=service,
        start=local(future_day(), 14),
        room=room,
        status="cancelled",
    )
    theirs = make_client(first_name="Zed", last_name="Other")
    make_booking(
        practitioner=other_practitioner, service=service, start=local(future_day(), 10), client=theirs
    )
    practitioner.regenerate_ical_token()
    return practitioner


def feed(client, token):
    return client.get(reverse("ical_feed", args=[token]))


def test_feed_parses_and_holds_only_that_practitioners_active_sessions(client, feed_world):
    response = feed(client, feed_world.ical_token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Booked - Acupressure 60"]
    assert events[0].decoded("DTSTART") == local(future_day(), 10)
    text = response.content.decode()
    assert "Priya" not in text and "Zed" not in text and "Raman" not in text
    assert "Metformin" not in text and "iabetes" not in text and "clearance" not in text.lower()


def test_wrong_token_is_404(client, feed_world):
    assert feed(client, "not-the-token").status_code == 404


def test_revoked_token_is_404(client, feed_world):
    token = feed_world.ical_token
    feed_world.revoke_ical_token()
    assert feed(client, token).status_code == 404


def test_regenerating_retires_the_old_address(practitioner_client, feed_world):
    old = feed_world.ical_token
    response = practitioner_client.post(reverse("practitioners:feed_regenerate", args=[feed_world.pk]))
    assert response.status_code == 302
    feed_world.refresh_from_db()
    assert feed_world.ical_token and feed_world.ical_token != old
    assert feed(practitioner_client, old).status_code == 404
    assert feed(practitioner_client, feed_world.ical_token).status_code == 200


def test_practitioner_sees_and_revokes_their_own_feed(practitioner_client, practitioner):
    practitioner.regenerate_ical_token()
    page = practitioner_client.get(reverse("practitioners:feed_settings", args=[practitioner.pk]))
    assert page.status_code == 200 and practitioner.ical_token in page.content.decode()
    practitioner_client.post(reverse("practitioners:feed_revoke", args=[practitioner.pk]))
    practitioner.refresh_from_db()
    assert practitioner.ical_token == ""


def test_manager_manages_any_practitioners_feed(manager_client, practitioner):
    assert (
        manager_client.get(reverse("practitioners:feed_settings", args=[practitioner.pk])).status_code == 200
    )
    manager_client.post(reverse("practitioners:feed_regenerate", args=[practitioner.pk]))
    practitioner.refresh_from_db()
    assert practitioner.ical_token


@pytest.mark.parametrize("who", ["outsider_client", "reception_client", "other_practitioner_client"])
def test_others_cannot_see_or_change_a_practitioners_feed(request, practitioner, who):
    practitioner.regenerate_ical_token()
    token = practitioner.ical_token
    http = request.getfixturevalue(who)
    page = http.get(reverse("practitioners:feed_settings", args=[practitioner.pk]))
    assert page.status_code in (403, 404)
    assert token not in page.content.decode()
    http.post(reverse("practitioners:feed_regenerate", args=[practitioner.pk]))
    http.post(reverse("practitioners:feed_revoke", args=[practitioner.pk]))
    practitioner.refresh_from_db()
    assert practitioner.ical_token == token


# Names only by choice -----------------------------------------------------------------------


def test_the_feed_names_clients_only_when_the_practitioner_opts_in(practitioner_client, feed_world):
    settings_page = reverse("practitioners:feed_settings", args=[feed_world.pk])
    page = practitioner_client.get(settings_page).content.decode()
    assert 'name="ical_shows_client_names"' in page and " checked" not in page

    response = practitioner_client.post(
        reverse("practitioners:feed_privacy", args=[feed_world.pk]), {"ical_shows_client_names": "on"}
    )
    assert response.status_code == 302
    feed_world.refresh_from_db()
    assert feed_world.ical_shows_client_names
    events = Calendar.from_ical(feed(practitioner_client, feed_world.ical_token).content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Priya R. - Acupressure 60"]

    practitioner_client.post(reverse("practitioners:feed_privacy", args=[feed_world.pk]), {})
    feed_world.refresh_from_db()
    assert not feed_world.ical_shows_client_names
    assert "Priya" not in feed(practitioner_client, feed_world.ical_token).content.decode()


def test_names_are_off_for_a_new_practitioner(practitioner):
    assert practitioner.ical_shows_client_names is False


# Addresses expire ---------------------------------------------------------------------------


def test_a_new_address_records_when_it_was_made(feed_world):
    assert timezone.now() - feed_world.ical_token_issued_at < timedelta(minutes=1)
    feed_world.revoke_ical_token()
    assert feed_world.ical_token_issued_at is None


def test_an_address_older_than_the_configured_days_gets_the_same_404(client, feed_world, settings):
    settings.ICAL_FEED_VALID_DAYS = 30
    token = feed_world.ical_token
    type(feed_world).objects.filter(pk=feed_world.pk).update(
        ical_token_issued_at=timezone.now() - timedelta(days=29)
    )
    assert feed(client, token).status_code == 200
    type(feed_world).objects.filter(pk=feed_world.pk).update(
        ical_token_issued_at=timezone.now() - timedelta(days=30, seconds=1)
    )
    assert feed(client, token).status_code == 404


def test_an_address_lasts_180_days_by_default(client, feed_world):
    type(feed_world).objects.filter(pk=feed_world.pk).update(
        ical_token_issued_at=timezone.now() - timedelta(days=179)
    )
    assert feed(client, feed_world.ical_token).status_code == 200
    type(feed_world).objects.filter(pk=feed_world.pk).update(
        ical_token_issued_at=timezone.now() - timedelta(days=181)
    )
    assert feed(client, feed_world.ical_token).status_code == 404


def test_the_settings_page_says_the_address_expired_and_offers_a_new_one(practitioner_client, feed_world):
    old = feed_world.ical_token
    type(feed_world).objects.filter(pk=feed_world.pk).update(
        ical_token_issued_at=timezone.now() - timedelta(days=200)
    )
    page = practitioner_client.get(reverse("practitioners:feed_settings", args=[feed_world.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "has expired" in body and old not in body
    assert reverse("practitioners:feed_regenerate", args=[feed_world.pk]) in body

    practitioner_client.post(reverse("practitioners:feed_regenerate", args=[feed_world.pk]))
    feed_world.refresh_from_db()
    assert feed(practitioner_client, feed_world.ical_token).status_code == 200
    assert feed(practitioner_client, old).status_code == 404
    body = practitioner_client.get(reverse("practitioners:feed_settings", args=[feed_world.pk])).content
    assert b"has expired" not in body and feed_world.ical_token.encode() in body
