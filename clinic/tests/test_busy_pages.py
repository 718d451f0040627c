"""A page that meets a lock timeout, a statement timeout or a deadlock answers 503 "busy, try
again" (nothing saved), never a server error; other database errors are not disguised."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import OperationalError
from django.urls import reverse
from psycopg import errors as pg_errors

from clinic.models import Booking
from clinic.tests.builders import future_day, local, make_booking

pytestmark = pytest.mark.django_db


def raising(driver_error: Exception):
    """A stand-in for a model write that the database refuses with `driver_error` (wrapped as
    Django wraps a driver's error)."""

    def write(*args, **kwargs):
        try:
            raise driver_error
        except Exception as cause:
            raise OperationalError(str(cause)) from cause

    return write


@pytest.fixture
def past_booking(practitioner, service, room):
    return make_booking(
        practitioner=practitioner, service=service, start=local(future_day(-1), 10), room=room
    )


@pytest.mark.parametrize(
    "driver_error",
    [
        pg_errors.LockNotAvailable("canceling statement due to lock timeout"),
        pg_errors.QueryCanceled("canceling statement due to statement timeout"),
        pg_errors.DeadlockDetected("deadlock detected"),
        sqlite3.OperationalError("database is locked"),
    ],
    ids=["lock timeout", "statement timeout", "deadlock", "sqlite busy"],
)
def test_a_status_button_meeting_contention_answers_busy(
    reception_client, past_booking, monkeypatch, driver_error
):
    monkeypatch.setattr(Booking, "mark_arrived", raising(driver_error))
    url = reverse("clinic:booking_status", args=[past_booking.pk, "arrived"])

    page = reception_client.post(url)
    fragment = reception_client.post(url, headers={"HX-Request": "true"})

    assert page.status_code == fragment.status_code == 503
    assert page["Retry-After"] == "5"
    assert "nothing was saved" in page.content.decode() and "<nav" in page.content.decode()
    assert "nothing was saved" in fragment.content.decode() and "<nav" not in fragment.content.decode()
    past_booking.refresh_from_db()
    assert past_booking.status == "booked"


def test_another_database_error_is_not_disguised_as_busy(reception_client, past_booking, monkeypatch):
    monkeypatch.setattr(Booking, "mark_arrived", raising(pg_errors.UndefinedTable("no such table")))
    with pytest.raises(OperationalError):
        reception_client.post(reverse("clinic:booking_status", args=[past_booking.pk, "arrived"]))
