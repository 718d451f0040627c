"""No answer of the API can hold clinical content: every property of every response schema it
publishes is checked against the field names of the clinical models (intakes, sites, rules,
clearances, health updates, points, notes, applications, amendments, plans), and the real
answers and webhook bodies hold only what the schema says."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from clients.tests.builders import make_client, make_intake
from clinic.integrations.schemas import BookingOut
from clinic.integrations.webhooks import payload
from clinic.models import Booking
from clinic.tests.builders import future_day, local, make_booking

pytestmark = pytest.mark.django_db

# Not clinical: records the clinic's own tables share with the clinical ones (which record, its
# state, who, when). Each must be met on both sides (`test_the_allowed_names_are_all_needed`).
SHARED_NAMES = {
    "id": "every record's id",
    "name": "a service's, a room's or a practitioner's name",
    "status": "a booking's state (booked, cancelled...)",
    "source": "where a booking was made (desk, online, API)",
    "created_at": "when the booking was made",
    "practitioner": "who the booking is with",
    "client": "whose booking it is (client_id): a pointer, no content",
}
# On the booking itself: the screening gate's traces and staff's free text.
BOOKING_PRIVATE = {
    "clearance_acknowledged_by", "clearance_acknowledged_at", "awaiting_confirmation", "reception_note",
    "cancel_reason", "screening", "findings",
}  # fmt: skip


def clinical_names() -> set[str]:
    names: set[str] = set()
    for app in ("clients", "treatments"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__ in {"Client", "IntakeLink"} or model.__name__.startswith("Historical"):
                continue  # contact details (the API's to show), and the one-time link
            names |= {f.name for f in model._meta.get_fields()}
    return names | BOOKING_PRIVATE


def response_properties(schema: dict[str, Any]) -> set[str]:
    """Every property name reachable from any response of any operation."""
    components = schema["components"]["schemas"]
    seen: set[str] = set()
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    walk(components[name])
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for methods in schema["paths"].values():
        for operation in methods.values():
            walk(operation["responses"])
    return names


def stem(name: str) -> str:
    return name.removesuffix("_ids").removesuffix("_id")


@pytest.fixture
def schema(client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


def test_no_response_schema_has_a_clinical_field(schema):
    published = response_properties(schema)
    assert {"status", "start", "email", "phone", "display_name"} <= published  # the walk reaches them
    forbidden = clinical_names() - set(SHARED_NAMES)
    leaks = {name for name in published if name in forbidden or stem(name) in forbidden}
    assert leaks == set()


def test_the_allowed_names_are_all_needed(schema):
    published = {stem(n) for n in response_properties(schema)} | response_properties(schema)
    clinical = clinical_names()
    for name in SHARED_NAMES:
        assert name in published and name in clinical, name


def test_the_deny_list_holds_the_clinical_words(schema):
    """The list is built from the models: it must hold what a leak would be called."""
    names = clinical_names()
    assert {"subjective", "medications", "points_to_avoid", "pregnant", "technique", "pressure"} <= names


def test_a_booking_and_a_client_answer_only_what_the_schema_says(api, practitioner, service, schema):
    who = make_client(first_name="Ada", last_name="Byron")
    make_intake(who, diabetes=True, medications="Metformin")
    booking = make_booking(
        practitioner=practitioner, service=service, start=local(future_day(), 10), client=who,
        reception_note="Prefers the quiet room", cancel_reason="",
    )  # fmt: skip
    answered = api.get(f"/bookings/{booking.pk}")
    assert set(answered.json()) == set(schema["components"]["schemas"]["BookingOut"]["properties"])
    text = answered.content.decode() + api.get(f"/clients/{who.pk}").content.decode()
    for secret in ("Metformin", "diabetes", "quiet room", "needs_clearance", "screening"):
        assert secret not in text


def test_a_webhook_body_is_the_apis_booking(practitioner, service):
    booking = make_booking(practitioner=practitioner, service=service, start=local(future_day(), 10))
    body = payload("booking.created", "booking:1:created", Booking.objects.get(pk=booking.pk))
    assert set(body["data"]["booking"]) == set(BookingOut.model_fields)  # type: ignore[index]
