"""`seed_demo` builds the demo clinic and can run again without duplicating anything."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from clients.forms import normalise_phone
from clients.models import Client
from clients.screening import screening_for
from clinic.kernel.dates import clinic_tz
from clinic.kernel.roles import Role, primary_role
from clinic.management.commands.seed_demo import DEMO_PASSWORD, DEMO_STAFF
from clinic.models import Booking, BookingStatus
from conftest import login_client
from practitioners.models import Practitioner
from treatments.services import refusal_to_start


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for label in ("clinic", "practitioners", "clients", "treatments")
        for m in apps.get_app_config(label).get_models()
        if not m.__name__.startswith("Historical")
    }


@pytest.fixture(autouse=True)
def _development(settings):
    """The demo runs only in development (`make demo` sets DEBUG=1)."""
    settings.DEBUG = True


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()


def test_seed_demo_never_changes_an_existing_password(db):
    User = get_user_model()
    User.objects.create_user(username="manager", password="the-managers-own-password")
    call_command("seed_demo", stdout=StringIO())
    manager = User.objects.get(username="manager")
    assert manager.check_password("the-managers-own-password")
    assert not manager.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="amara").check_password(DEMO_PASSWORD)


def test_seed_demo_creates_logins_and_is_idempotent(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first

    User = get_user_model()
    for username, _first, _last, role, practitioner in DEMO_STAFF:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert primary_role(user) == role
        assert (username in out.getvalue()) and (DEMO_PASSWORD in out.getvalue())
        assert Practitioner.objects.filter(user=user).exists() == bool(practitioner)
    assert User.objects.get(username="manager").is_staff
    assert Practitioner.objects.count() == 3
    assert Role.RECEPTION in out.getvalue()


def test_demo_logins_work_through_the_login_form(client, db):
    call_command("seed_demo", stdout=StringIO())
    response = client.post("/accounts/login/", {"username": "reception", "password": DEMO_PASSWORD})
    assert response.status_code == 302


# One moment on each day of a week (Monday 2026-11-30 first), at hours through the day and night.
DEMO_MOMENTS = [(30, 6, 50), (1, 9, 40), (2, 11, 5), (3, 13, 30), (4, 16, 20), (5, 18, 10), (6, 23, 30)]


@pytest.mark.parametrize(("day", "hour", "minute"), DEMO_MOMENTS)
def test_the_demo_has_sessions_today_and_a_note_to_write_any_day_at_any_hour(db, day, hour, minute):
    month = 11 if day == 30 else 12
    moment = datetime(2026, month, day, hour, minute, tzinfo=clinic_tz())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        call_command("seed_demo", stdout=StringIO())
        today = timezone.localdate()
        todays = Booking.objects.filter(start__date=today).exclude(status=BookingStatus.CANCELLED)
        # The clinic's regular sessions fall on every day of the week, weekends included.
        assert todays.filter(reception_note="Demo booking").exists(), f"no sessions on {moment:%A}"
        arrived = [b for b in todays.filter(status=BookingStatus.ARRIVED) if b.start <= moment]
        assert arrived, f"no session under way at {moment:%a %H:%M}"
        booking = arrived[0]
        assert refusal_to_start(booking, booking.practitioner.user, screening_for(booking.client)) is None
        desk = login_client(get_user_model().objects.get(username="reception")).get(reverse("desk"))
        assert booking.client.last_name in desk.content.decode()
        my_day = login_client(booking.practitioner.user).get(reverse("my_day"))
        assert booking.client.last_name in my_day.content.decode()
        # And every demo client's phone number passes the app's own check (the edit form).
        for client in Client.objects.all():
            assert client.phone == "" or normalise_phone(client.phone) == client.phone, client.phone


def test_the_demo_takes_bookings_online(db, client):
    call_command("seed_demo", stdout=StringIO())
    page = client.get("/book/")
    assert page.status_code == 200
    assert "Book an appointment" in page.content.decode()
