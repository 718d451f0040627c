"""Ten clicks on "Cancel" for one booking at once: one cancellation, one email to the client."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from clinic.kernel.outbox.models import Message
from clinic.models import BookingStatus
from clinic.tests.builders import future_day, local, make_booking
from conftest import login_client, run_outbox_worker

RACERS = 10


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME")


@pytest.mark.skipif(_in_memory_sqlite(), reason="an in-memory SQLite database hides races")
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_cancels_of_one_booking_send_one_email(
    practitioner, service, room, receptionist, mailoutbox
):
    booking = make_booking(
        practitioner=practitioner, service=service, start=local(future_day(), 10), room=room
    )
    url = reverse("clinic:booking_cancel", args=[booking.pk])
    desks = [login_client(receptionist) for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    codes: list[int | str] = []

    def click(desk) -> None:
        try:
            barrier.wait()
            codes.append(desk.post(url, {"reason": "Unwell"}).status_code)
        except Exception as error:
            codes.append(f"error: {type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(desk,)) for desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(codes, key=str) == [302] + [400] * (RACERS - 1), codes  # the others: already cancelled
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.history.filter(status=BookingStatus.CANCELLED).count() == 1
    assert Message.objects.filter(kind="cancelled").count() == 1
    run_outbox_worker()
    assert [m.subject for m in mailoutbox].count(mailoutbox[0].subject) == 1 and len(mailoutbox) == 1
