"""The managers' pages for API keys and webhooks: managers only, a key or secret shown once,
bad input answered next to the field, and a fixed number of queries however many rows."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clients.models import hash_token
from clinic.integrations.models import ApiKey, Delivery, DeliveryStatus, Event, WebhookEndpoint
from clinic.integrations.services import register_endpoint
from clinic.integrations.tests.conftest import make_key
from conftest import login_client

pytestmark = pytest.mark.django_db

PAGES = ["integrations:api_keys", "integrations:webhooks"]
ACTIONS = ["integrations:api_key_revoke", "integrations:webhook_disable", "integrations:webhook_retry"]


@pytest.fixture
def records(manager):
    key, _raw = make_key(manager)
    endpoint, _secret = register_endpoint(
        name="Site", url="https://site.example/h", events=["booking.created"], by=manager
    )
    return {
        "integrations:api_key_revoke": key.pk,
        "integrations:webhook_disable": endpoint.pk,
        "integrations:webhook_retry": endpoint.pk,
    }


def test_anonymous_visitors_are_sent_to_sign_in(records):
    http = HttpClient()
    paths = [reverse(n) for n in PAGES] + [reverse(n, args=[pk]) for n, pk in records.items()]
    for path in paths:
        for answer in (http.get(path), http.post(path)):
            assert answer.status_code == 302 and answer["Location"].startswith(reverse("login")), path


def test_reception_practitioners_and_outsiders_are_refused(records, receptionist, practitioner, outsider):
    paths = [reverse(n) for n in PAGES] + [reverse(n, args=[pk]) for n, pk in records.items()]
    for user in (receptionist, practitioner.user, outsider):
        http = login_client(user)
        for path in paths:
            assert http.post(path, {"name": "x", "scopes": ["bookings"]}).status_code == 403, path
            assert http.get(path).status_code in (403, 405), path
    assert ApiKey.objects.live().count() == 1 and WebhookEndpoint.objects.live().count() == 1


def test_a_manager_makes_a_key_that_is_shown_once_and_kept_only_as_a_digest(manager_client):
    page = manager_client.post(
        reverse("integrations:api_keys"), {"name": "Website", "scopes": ["availability", "bookings"]}
    )
    assert page.status_code == 201
    raw = page.context["raw_key"]
    assert raw in page.content.decode()
    key = ApiKey.objects.get()
    assert key.key_hash == hash_token(raw) and raw not in (key.prefix, key.key_hash)
    assert key.scopes == ["availability", "bookings"]
    again = manager_client.get(reverse("integrations:api_keys")).content.decode()
    assert raw not in again and key.prefix in again and "Website" in again


def test_a_key_without_a_name_or_a_scope_is_refused_next_to_the_field(manager_client):
    page = manager_client.post(reverse("integrations:api_keys"), {"name": "Accounts", "scopes": []})
    assert page.status_code == 400
    assert page.context["form"].errors["scopes"]
    assert 'value="Accounts"' in page.content.decode()
    assert not ApiKey.objects.exists()


def test_a_webhook_address_must_be_https_and_its_secret_is_shown_once(manager_client, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    url = reverse("integrations:webhooks")
    plain = manager_client.post(
        url, {"name": "Site", "url": "http://site.example/h", "events": ["booking.created"]}
    )
    assert plain.status_code == 400 and plain.context["form"].errors["url"]
    assert not WebhookEndpoint.objects.exists()
    made = manager_client.post(
        url, {"name": "Site", "url": "https://site.example/h", "events": ["booking.created", "booking.moved"]}
    )
    assert made.status_code == 201
    secret = WebhookEndpoint.objects.get().secret
    assert secret in made.content.decode()
    assert secret not in manager_client.get(url).content.decode()


def test_the_webhooks_page_shows_each_addresss_last_delivery(manager_client, manager):
    endpoint, _secret = register_endpoint(
        name="Site", url="https://site.example/h", events=["booking.created"], by=manager
    )
    event = Event.objects.create(key="booking:1:created", kind="booking.created", booking_id=1, payload={})
    Delivery.objects.create(
        event=event, endpoint=endpoint, status=DeliveryStatus.FAILED, attempts=2, last_status_code=503,
        last_error="The receiver answered 503.",
    )  # fmt: skip
    page = manager_client.get(reverse("integrations:webhooks")).content.decode()
    assert "Failed, will retry" in page
    assert "answered 503" in page


def test_revoking_and_switching_off_take_effect_and_say_so(manager_client, records):
    manager_client.post(reverse("integrations:api_key_revoke", args=[records["integrations:api_key_revoke"]]))
    manager_client.post(
        reverse("integrations:webhook_disable", args=[records["integrations:webhook_disable"]])
    )
    assert not ApiKey.objects.live().exists() and not WebhookEndpoint.objects.live().exists()
    page = manager_client.get(reverse("integrations:api_keys"), follow=True).content.decode()
    assert "Revoked" in page


@pytest.mark.parametrize("rows", [1, 6])
def test_the_pages_run_a_fixed_number_of_queries(manager_client, manager, django_assert_num_queries, rows):
    for n in range(rows):
        make_key(manager, name=f"Key {n}")
        endpoint, _secret = register_endpoint(
            name=f"Hook {n}", url="https://h.example/x", events=["booking.created"], by=manager
        )
        event = Event.objects.create(key=f"e{n}", kind="booking.created", booking_id=n + 1, payload={})
        Delivery.objects.create(event=event, endpoint=endpoint)
    # The session, the user with their roles (the role check) and second factor, the rows (keys
    # with who made them; endpoints with their last delivery, one query); and the savepoint of
    # the test's transaction around the view and its release. The session is saved at most once
    # a minute (clinic.kernel.sessions), not here.
    with django_assert_num_queries(5):
        assert manager_client.get(reverse("integrations:api_keys")).status_code == 200
    with django_assert_num_queries(5):
        assert manager_client.get(reverse("integrations:webhooks")).status_code == 200


def test_failed_events_are_sent_again_on_request_and_delivered_ones_never(
    manager_client, manager, django_capture_on_commit_callbacks
):
    endpoint, _secret = register_endpoint(
        name="Site", url="https://site.example/h", events=["booking.created"], by=manager
    )
    rows = {}
    for n, status in enumerate([DeliveryStatus.GIVEN_UP, DeliveryStatus.FAILED, DeliveryStatus.DELIVERED]):
        event = Event.objects.create(key=f"e{n}", kind="booking.created", booking_id=n + 1, payload={})
        rows[status] = Delivery.objects.create(
            event=event, endpoint=endpoint, status=status, attempts=10,
            delivered_at=timezone.now() if status == DeliveryStatus.DELIVERED else None,
        )  # fmt: skip
    page = manager_client.get(reverse("integrations:webhooks")).content.decode()
    assert "Send failed events again" not in page  # the newest delivery went through
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_client.post(reverse("integrations:webhook_retry", args=[endpoint.pk]), follow=True)
    assert "2 event(s)" in answer.content.decode()
    states = {s: Delivery.objects.get(pk=d.pk) for s, d in rows.items()}
    assert [(d.status, d.attempts) for d in states.values()] == [
        (DeliveryStatus.PENDING, 0), (DeliveryStatus.PENDING, 0), (DeliveryStatus.DELIVERED, 10),
    ]  # fmt: skip
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_webhook")
    assert sorted(r.args_kwargs["args"][0] for r in queued) == sorted(
        [rows[DeliveryStatus.GIVEN_UP].pk, rows[DeliveryStatus.FAILED].pk]
    )


def test_a_webhook_address_inside_the_clinics_network_is_refused_next_to_the_field(manager_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    url = "https://169.254.169.254/latest/meta-data"
    page = manager_client.post(
        reverse("integrations:webhooks"), {"name": "Metadata", "url": url, "events": ["booking.created"]}
    )
    assert page.status_code == 400
    assert "inside the clinic&#x27;s own network" in str(page.context["form"].errors["url"])
    assert f'value="{url}"' in page.content.decode() and 'value="Metadata"' in page.content.decode()
    assert not WebhookEndpoint.objects.exists()
