"""Who the API lets in, walked through its own published schema: every operation refuses a
call with no key, an unknown or revoked key (401) and a key without the operation's scope
(403); past the key's rate limit it answers 429; every call made with a known key is one event
in the access log."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clients.tests.builders import make_client
from clinic.integrations.models import ApiKey, Scope
from clinic.integrations.services import revoke_key
from clinic.integrations.tests.conftest import Api, make_key
from clinic.kernel.access.models import AccessEvent, What
from clinic.tests.builders import future_day, local, make_booking

pytestmark = pytest.mark.django_db

# Each router's tag and the scope its operations need. An operation under another tag fails
# `test_every_operation_names_its_scope`: say here which scope guards it.
TAG_SCOPES = {
    "catalogue": Scope.AVAILABILITY,
    "bookings": Scope.BOOKINGS,
    "clients": Scope.CLIENTS,
    "clients-add": Scope.ADD_CLIENTS,
}


def operations(client) -> list[tuple[str, str, str]]:
    """(method, path template, scope) of every operation the schema publishes."""
    schema = client.get("/api/v1/openapi.json").json()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            (tag,) = operation["tags"]
            found.append((method, path, TAG_SCOPES.get(tag, "")))
    return found


def concrete(path: str, booking) -> str:
    """The template filled with real records: a refusal can't be a missing record's 404."""
    ids = {"booking_id": booking.pk, "client_id": booking.client_id}
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path).removeprefix("/api/v1")


@pytest.fixture
def booking(practitioner, service):
    return make_booking(practitioner=practitioner, service=service, start=local(future_day(), 10))


def call(api: Api, method: str, path: str):
    return api.get(path) if method == "get" else api.post(path)


def test_every_operation_names_its_scope(client):
    ops = operations(client)
    assert len(ops) >= 12  # services, practitioners, rooms, availability, 5 booking calls, 3 client calls
    assert all(scope for _m, _p, scope in ops), [p for _m, p, s in ops if not s]


def test_every_operation_refuses_a_call_without_a_key_or_with_a_wrong_one(client, booking):
    for method, path, _scope in operations(client):
        for api in (Api(None), Api("clk_not-a-key-at-all"), Api("something else")):
            response = call(api, method, concrete(path, booking))
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
    assert not AccessEvent.objects.exists()  # no key, no one to name


def test_every_operation_refuses_a_revoked_key(client, manager, booking):
    key, raw = make_key(manager)
    revoke_key(key=key, by=manager)
    for method, path, _scope in operations(client):
        response = call(Api(raw), method, concrete(path, booking))
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"


def test_every_operation_refuses_a_key_without_its_scope_and_lets_one_with_it_in(client, manager, booking):
    for method, path, scope in operations(client):
        others = [s for s in Scope.values if s != scope]
        _key, without = make_key(manager, *others)
        response = call(Api(without), method, concrete(path, booking))
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        assert "scope" in response.json()["detail"]
        _key, only = make_key(manager, scope)
        response = call(Api(only), method, concrete(path, booking))
        # Let in: whatever the answer to an empty body or a missing query, not a refusal.
        assert response.status_code not in (401, 403), f"{method} {path}: {response.status_code}"


def test_the_schema_and_its_reference_page_are_public_and_hold_no_data(client, booking):
    assert client.get("/api/v1/openapi.json").status_code == 200
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "cdn" not in page.content.decode().lower()  # the clinic may be offline: served here
    assert booking.client.last_name not in client.get("/api/v1/openapi.json").content.decode()


def test_past_the_rate_limit_a_key_is_answered_429_and_others_are_not(settings, manager):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    _key, raw = make_key(manager)
    _other, other_raw = make_key(manager, name="Accounts")
    answers = [Api(raw).get("/services").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = Api(raw).get("/services")
    assert refused["Retry-After"] == "60"
    assert Api(other_raw).get("/services").status_code == 200


def test_a_call_notes_the_keys_last_use(api, key_and_raw):
    key, _raw = key_and_raw
    assert key.last_used_at is None
    api.get("/services")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_every_call_with_a_key_is_in_the_access_log_named_for_the_integration(manager, practitioner, service):
    key, raw = make_key(manager, Scope.AVAILABILITY, Scope.CLIENTS)
    who = make_client()
    api = Api(raw)
    api.get("/services")
    api.get(f"/clients/{who.pk}")
    api.get("/bookings")  # out of scope: refused, and logged
    events = list(AccessEvent.objects.order_by("id"))
    assert [(e.what, e.user_id, e.object_kind, e.object_id) for e in events] == [
        (What.API_CALL, key.user_id, "integrations.apikey", key.pk)
    ] * 3
    assert [e.detail for e in events] == [
        "GET /api/v1/services 200",
        f"GET /api/v1/clients/{who.pk} 200",
        "GET /api/v1/bookings 403",
    ]
    assert [e.client_id for e in events] == [None, who.pk, None]
    assert events[0].role == ""  # the integration holds no staff role


def test_a_booking_made_through_the_api_names_its_client_in_the_access_log(api, practitioner, service, room):
    who = make_client()
    response = api.post(
        "/bookings",
        {"client_id": who.pk, "service_id": service.pk, "practitioner_id": practitioner.pk,
         "start": local(future_day(), 10).isoformat()},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    event = AccessEvent.objects.get()
    assert (event.client_id, event.detail) == (who.pk, "POST /api/v1/bookings 201")


def test_revoking_on_the_managers_page_stops_the_key_at_once(manager_client, api, key_and_raw):
    key, _raw = key_and_raw
    assert api.get("/services").status_code == 200
    manager_client.post(reverse("integrations:api_key_revoke", args=[key.pk]))
    assert api.get("/services").status_code == 401
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
