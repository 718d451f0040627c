"""Webhooks: the booking services write one event per change, a delivery per endpoint that asked
for it, and the task queue POSTs it signed to a real local receiver, retrying with a doubling
back-off until it answers, and never again once it has."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clients.tests.builders import make_client
from clinic.integrations import delivery as webhook_delivery
from clinic.integrations.delivery import SIGNATURE_HEADER, valid_signature
from clinic.integrations.models import Delivery, DeliveryStatus, Event, WebhookEndpoint, WebhookEvent
from clinic.integrations.services import disable_endpoint, register_endpoint
from clinic.models import Booking
from clinic.services import BookingError, book, cancel_booking, change_status, move_booking
from clinic.tests.builders import future_day, local, make_booking
from conftest import run_outbox_worker

pytestmark = pytest.mark.django_db

DAY = future_day()
ALL_EVENTS = tuple(WebhookEvent.values)


class Receiver:
    """A local HTTP server that answers 500 to its first `failures` requests, then 200."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[tuple[int, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server calls it by this name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(receiver.requests) < receiver.failures else 200
                receiver.requests.append((status, dict(self.headers), body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/clinic"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def accepted(self) -> list[tuple[dict[str, str], bytes]]:
        return [(headers, body) for status, headers, body in self.requests if status == 200]


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on this machine
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def endpoint_and_secret(receiver, manager):
    return register_endpoint(name="Website", url=receiver.url, events=ALL_EVENTS, by=manager)


def book_one(by, practitioner, service, hour: int = 10) -> Booking:
    return book(
        client=make_client(), practitioner=practitioner, service=service, start=local(DAY, hour), by=by
    )


def test_a_receiver_that_fails_twice_gets_the_event_once_it_recovers_exactly_once_signed(
    settings, receiver, endpoint_and_secret, receptionist, practitioner, service, room
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 0  # each retry due at once: the worker runs them all now
    receiver.failures = 2
    _endpoint, secret = endpoint_and_secret
    booking = book_one(receptionist, practitioner, service)

    run_outbox_worker()

    assert [status for status, _h, _b in receiver.requests] == [500, 500, 200]
    ((headers, body),) = receiver.accepted
    assert valid_signature(secret, headers[SIGNATURE_HEADER], body)
    assert not valid_signature("whsec_another", headers[SIGNATURE_HEADER], body)
    assert not valid_signature(secret, headers[SIGNATURE_HEADER], body.replace(b"booked", b"cancelled"))
    event = json.loads(body)
    assert event["type"] == "booking.created" and event["data"]["booking"]["id"] == booking.pk
    assert headers["X-Clinic-Event"] == "booking.created"
    # Every attempt carried the same delivery id and the same body: a receiver may drop a repeat.
    assert {h["X-Clinic-Delivery"] for _s, h, _b in receiver.requests} == {headers["X-Clinic-Delivery"]}
    assert {b for _s, _h, b in receiver.requests} == {body}
    sent = Delivery.objects.get()
    assert (sent.status, sent.attempts, sent.last_status_code) == (DeliveryStatus.DELIVERED, 3, 200)

    # Exactly once: the worker again, the sweep again, the task run by hand again: nothing more.
    run_outbox_worker()
    assert webhook_delivery.deliver(sent.pk).status == "skipped"
    assert len(receiver.requests) == 3


def test_each_failure_waits_twice_as_long_and_the_last_gives_up(
    settings, receiver, endpoint_and_secret, receptionist, practitioner, service, room
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_MAX_ATTEMPTS = 3
    receiver.failures = 10
    book_one(receptionist, practitioner, service)
    pending = Delivery.objects.get()
    waits = []
    for _attempt in range(2):
        outcome = webhook_delivery.deliver(pending.pk)
        assert outcome.status == "failed"
        pending.refresh_from_db()
        assert pending.status == DeliveryStatus.FAILED and pending.last_status_code == 500
        assert pending.last_attempt_at is not None
        waits.append(pending.next_attempt_at - pending.last_attempt_at)
        assert webhook_delivery.deliver(pending.pk).status == "skipped"  # not due yet
        Delivery.objects.filter(pk=pending.pk).update(next_attempt_at=timezone.now())
    assert timedelta(seconds=60) <= waits[0] < timedelta(seconds=61)
    assert timedelta(seconds=120) <= waits[1] < timedelta(seconds=121)
    assert webhook_delivery.deliver(pending.pk).status == "given_up"
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.GIVEN_UP and "500" in pending.last_error


def test_a_receiver_that_is_not_there_is_retried_not_lost(
    settings, manager, receptionist, practitioner, service, room
):
    settings.WEBHOOK_ALLOW_HTTP = settings.WEBHOOK_ALLOW_PRIVATE = True
    register_endpoint(name="Gone", url="http://127.0.0.1:9/nothing", events=ALL_EVENTS, by=manager)
    book_one(receptionist, practitioner, service)
    assert webhook_delivery.deliver(Delivery.objects.get().pk).status == "failed"
    failed = Delivery.objects.get()
    assert failed.last_status_code is None and failed.last_error


def test_every_booking_event_is_written_once_for_each_endpoint_that_asked(
    manager, receptionist, practitioner, other_practitioner, service, room
):
    _everything, _secret = register_endpoint(
        name="All", url="https://a.example/h", events=ALL_EVENTS, by=manager
    )
    cancels, _secret = register_endpoint(
        name="Cancels", url="https://b.example/h", events=[WebhookEvent.CANCELLED], by=manager
    )
    off, _secret = register_endpoint(name="Off", url="https://c.example/h", events=ALL_EVENTS, by=manager)
    disable_endpoint(endpoint=off)

    booking = book_one(receptionist, practitioner, service)
    move_booking(booking=booking, start=local(DAY, 12), by=receptionist)
    change_status(booking=booking, action="arrived", reason="Arrived", now=local(DAY, 11, 55))
    change_status(booking=booking, action="undo", reason="By mistake", now=local(DAY, 11, 56))
    change_status(booking=booking, action="no_show", reason="No-show", now=local(DAY, 12, 30))
    other = book_one(receptionist, other_practitioner, service, hour=15)
    cancel_booking(booking=other, by=receptionist, reason="Called")

    kinds = list(Event.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        WebhookEvent.CREATED, WebhookEvent.MOVED, WebhookEvent.ARRIVED, WebhookEvent.NO_SHOW,
        WebhookEvent.CREATED, WebhookEvent.CANCELLED,
    ]  # fmt: skip
    pairs = set(Delivery.objects.values_list("event__kind", "endpoint__name"))
    assert pairs == {(k, "All") for k in kinds} | {(WebhookEvent.CANCELLED, "Cancels")}
    assert not Delivery.objects.filter(endpoint=off).exists()
    moved = Event.objects.get(kind=WebhookEvent.MOVED).payload
    assert datetime.fromisoformat(moved["data"]["booking"]["start"]) == local(DAY, 12)
    assert cancels.deliveries.count() == 1


def test_a_refused_booking_sends_nothing(manager, receptionist, practitioner, service, room):
    register_endpoint(name="All", url="https://a.example/h", events=ALL_EVENTS, by=manager)
    book_one(receptionist, practitioner, service)
    with pytest.raises(BookingError):
        book_one(receptionist, practitioner, service)
    assert Event.objects.count() == 1 and Delivery.objects.count() == 1


def test_one_event_reaches_one_endpoint_once_whatever_the_database_is_asked(
    manager, receptionist, practitioner, service, room
):
    endpoint, _secret = register_endpoint(
        name="All", url="https://a.example/h", events=ALL_EVENTS, by=manager
    )
    book_one(receptionist, practitioner, service)
    event = Event.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(event=event, endpoint=endpoint)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(key=event.key, kind=event.kind, booking_id=event.booking_id, payload={})


def test_no_endpoint_no_event(receptionist, practitioner, service, room):
    book_one(receptionist, practitioner, service)
    assert not Event.objects.exists()


def test_the_desks_arrived_button_is_an_event(reception_client, manager, practitioner, service):
    register_endpoint(name="All", url="https://a.example/h", events=ALL_EVENTS, by=manager)
    # Started a moment ago (written straight, whatever the hour the test runs at).
    booking = make_booking(
        practitioner=practitioner, service=service, start=timezone.now() - timedelta(minutes=5)
    )
    response = reception_client.post(reverse("clinic:booking_status", args=[booking.pk, "arrived"]))
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.kind, event.booking_id) == (WebhookEvent.ARRIVED, booking.pk)
    assert event.payload["data"]["booking"]["status"] == "arrived"


def test_a_committed_booking_hands_its_deliveries_to_the_task_queue(
    django_capture_on_commit_callbacks, manager, receptionist, practitioner, service, room
):
    register_endpoint(name="All", url="https://a.example/h", events=ALL_EVENTS, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        book_one(receptionist, practitioner, service)
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_webhook")
    assert [row.args_kwargs["args"] for row in queued] == [[Delivery.objects.get().pk]]


def test_of_two_workers_one_claims_a_delivery(manager, receptionist, practitioner, service, room):
    register_endpoint(name="All", url="https://a.example/h", events=ALL_EVENTS, by=manager)
    book_one(receptionist, practitioner, service)
    pending = Delivery.objects.get()
    now = timezone.now()
    assert [webhook_delivery.claim(pending.pk, now), webhook_delivery.claim(pending.pk, now)] == [True, False]


def test_a_delivery_to_an_address_inside_the_network_is_not_sent_and_says_why(
    settings, receiver, manager, receptionist, practitioner, service, room
):
    """Registered while allowed (by name, as a re-pointed name would be), then the rule on: the
    worker resolves the name itself, connects nowhere inside, and keeps the delivery to retry."""
    local_name = receiver.url.replace("127.0.0.1", "localhost")
    register_endpoint(name="Inside", url=local_name, events=ALL_EVENTS, by=manager)
    settings.WEBHOOK_ALLOW_PRIVATE = False
    book_one(receptionist, practitioner, service)
    pending = Delivery.objects.get()

    assert webhook_delivery.deliver(pending.pk).status == "failed"
    pending.refresh_from_db()
    assert receiver.requests == []
    assert pending.status == DeliveryStatus.FAILED and pending.last_status_code is None
    assert "inside the clinic's own network (127.0.0.1" in pending.last_error

    # The same delivery goes once the address is allowed: it was the rule that held it back.
    settings.WEBHOOK_ALLOW_PRIVATE = True
    Delivery.objects.filter(pk=pending.pk).update(next_attempt_at=timezone.now())
    assert webhook_delivery.deliver(pending.pk).status == "delivered"
    assert len(receiver.accepted) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/h",
        "https://localhost:8443/h",
        "https://10.1.2.3/h",
        "https://192.168.0.10/h",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/h",
        "https://[fd00::5]/h",
        "https://100.64.0.1/h",
        "https://0.0.0.0/h",
    ],
)
def test_the_service_refuses_an_address_inside_the_network_whoever_calls_it(settings, manager, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValueError, match="inside the clinic's own network"):
        register_endpoint(name="Inside", url=url, events=ALL_EVENTS, by=manager)
    assert not WebhookEndpoint.objects.exists()


def test_the_service_refuses_plain_http_unless_allowed(settings, manager):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValueError, match="https://"):
        register_endpoint(name="Plain", url="http://site.example/h", events=ALL_EVENTS, by=manager)
    assert not WebhookEndpoint.objects.exists()


def test_an_internet_address_or_a_name_not_yet_found_is_accepted(settings, manager):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    for url in ("https://93.184.215.14/h", "https://[2606:4700::1111]/h", "https://site.example/h"):
        register_endpoint(name="Out", url=url, events=ALL_EVENTS, by=manager)
    assert WebhookEndpoint.objects.count() == 3


def test_an_https_delivery_is_held_to_the_same_rule(
    settings, manager, receptionist, practitioner, service, room
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    register_endpoint(name="Inside", url="https://127.0.0.1:9/h", events=ALL_EVENTS, by=manager)
    settings.WEBHOOK_ALLOW_PRIVATE = False
    book_one(receptionist, practitioner, service)
    pending = Delivery.objects.get()
    assert webhook_delivery.deliver(pending.pk).status == "failed"
    pending.refresh_from_db()
    assert "inside the clinic's own network (127.0.0.1)" in pending.last_error
