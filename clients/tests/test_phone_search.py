"""A phone number typed the way the app shows it, or any usual way, finds the client, whatever
the clinic's country (PHONE_DEFAULT_REGION): on the client list and in the booking picker."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from clients import phones
from clients.models import Client
from clients.tests.builders import make_client
from clients.tests.test_client_records import form_data

pytestmark = pytest.mark.django_db

LIST = reverse("clients:list")
PICKER = reverse("clinic:client_search")


def found_on_list(http, typed: str) -> list[int]:
    response = http.get(LIST, {"q": typed})
    assert response.status_code == 200
    return [client.pk for client, _screening in response.context["rows"]]


def found_in_picker(http, typed: str) -> list[int]:
    response = http.get(PICKER, {"client_search": typed})
    assert response.status_code == 200
    return [row["pk"] for row in response.context["clients"]]


@pytest.fixture
def in_france(settings):
    settings.PHONE_DEFAULT_REGION = "FR"


@pytest.fixture
def in_britain(settings):
    settings.PHONE_DEFAULT_REGION = "GB"


@pytest.mark.parametrize(
    "typed",
    [
        "06 12 34 56 78",  # as the app shows it in France
        "0612345678",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "34 56 78",  # part of it
    ],
)
@pytest.mark.parametrize("search", [found_on_list, found_in_picker])
def test_a_french_clinic_finds_a_french_number_typed_any_usual_way(
    in_france, reception_client, search, typed
):
    wanted = make_client(last_name="Martin", phone="+33612345678")
    make_client(last_name="Bernard", phone="+33698765432")
    make_client(last_name="Okafor", phone="+447911123456")
    assert search(reception_client, typed) == [wanted.pk]


@pytest.mark.parametrize(
    "typed",
    ["07911 123456", "07911123456", "+44 7911 123456", "0044 7911 123456", "+44 (0)7911 123456", "911 123"],
)
@pytest.mark.parametrize("search", [found_on_list, found_in_picker])
def test_a_british_clinic_finds_a_british_number_typed_any_usual_way(
    in_britain, reception_client, search, typed
):
    wanted = make_client(last_name="Okafor", phone="+447911123456")
    make_client(last_name="Sato", phone="+447911654321")
    make_client(last_name="Martin", phone="+33612345678")
    assert search(reception_client, typed) == [wanted.pk]


@pytest.mark.parametrize("region", ["GB", "FR"])
def test_the_number_shown_on_the_list_is_a_number_that_finds_the_client(settings, reception_client, region):
    settings.PHONE_DEFAULT_REGION = region
    clients = [
        make_client(last_name="Okafor", phone="+447911123456"),
        make_client(last_name="Martin", phone="+33612345678"),
        make_client(last_name="Rivera", phone="+12015550123"),
    ]
    for client in clients:
        shown = phones.display(client.phone)
        assert shown in reception_client.get(LIST).content.decode()
        assert found_on_list(reception_client, shown) == [client.pk], shown
        assert found_in_picker(reception_client, shown) == [client.pk], shown


def test_a_client_saved_through_the_form_in_france_is_found_as_shown(in_france, reception_client):
    data = form_data(phone="06 12 34 56 78", emergency_contact_phone="01 23 45 67 89")
    response = reception_client.post(reverse("clients:create"), data)
    assert response.status_code == 302
    client = Client.objects.get()
    assert client.phone == "+33612345678"
    assert found_on_list(reception_client, "06 12 34 56 78") == [client.pk]


def test_numbers_saved_before_the_clinics_country_changed_are_still_found(settings, reception_client):
    settings.PHONE_DEFAULT_REGION = "GB"
    martin = make_client(last_name="Martin", phone="+33612345678")
    okafor = make_client(last_name="Okafor", phone="+447911123456")
    settings.PHONE_DEFAULT_REGION = "FR"
    assert found_on_list(reception_client, "06 12 34 56 78") == [martin.pk]
    assert found_on_list(reception_client, "+44 7911 123456") == [okafor.pk]
    assert found_on_list(reception_client, "00 44 7911 123456") == [okafor.pk]


def test_the_migration_refills_columns_written_by_the_old_rule(settings):
    """Clients saved before national forms were kept for every country are found after migrating."""
    settings.PHONE_DEFAULT_REGION = "FR"
    martin = make_client(last_name="Martin", phone="+33612345678")
    Client.objects.filter(pk=martin.pk).update(search_text="claire martin 33612345678")
    import_module("clients.migrations.0008_refill_phone_search_keys").refill(apps, None)
    assert list(Client.objects.search("06 12 34 56 78")) == [martin]
