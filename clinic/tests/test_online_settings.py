"""The manager's online booking settings page: one form and one service with the back office,
messages next to the fields, the input kept, managers only."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clinic.online.models import OnlineSettings
from clinic.tests.builders import make_service

URL = reverse("online:settings")


def _post(service, *practitioners, **overrides):
    data = {
        "enabled": "on",
        "services": [service.pk],
        "practitioners": [p.pk for p in practitioners],
        "minimum_notice_hours": "4",
        "days_ahead": "30",
        "new_clients_allowed": "on",
        "cancellation_notice_hours": "24",
        "waitlist_online": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_manager_opens_online_booking_from_the_page(manager_client, service, practitioner):
    page = manager_client.get(URL)
    assert page.status_code == 200
    assert f'href="{URL}"' in manager_client.get(reverse("overview")).content.decode()  # in the nav

    answer = manager_client.post(URL, _post(service, practitioner))

    assert answer.status_code == 302
    config = OnlineSettings.current()
    assert config.enabled and config.waitlist_online and config.new_clients_allowed
    assert (config.minimum_notice_hours, config.days_ahead, config.cancellation_notice_hours) == (4, 30, 24)
    assert list(config.services.all()) == [service]
    assert list(config.practitioners.all()) == [practitioner]


def test_bad_values_are_answered_next_to_the_field_and_kept(manager_client, service, practitioner):
    answer = manager_client.post(
        URL, _post(service, practitioner, days_ahead="0", cancellation_notice_hours="9000")
    )
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "At least one day." in html
    assert "At most 720 hours (30 days)." in html
    assert 'value="9000"' in html and 'value="4"' in html
    assert not OnlineSettings.current().enabled


def test_a_notice_longer_than_the_window_is_refused(manager_client, service, practitioner):
    answer = manager_client.post(URL, _post(service, practitioner, minimum_notice_hours="48", days_ahead="2"))
    assert answer.status_code == 400
    assert "The minimum notice must be shorter than how far ahead" in answer.content.decode()


def test_open_with_nothing_to_book_or_a_service_nobody_offers_is_refused(
    manager_client, practitioner, service
):
    nobody = make_service(name="Cupping", practitioners=[])
    answer = manager_client.post(URL, _post(service, practitioner, services=[]))
    assert answer.status_code == 400
    assert "Choose at least one service, or close online booking." in answer.content.decode()

    answer = manager_client.post(URL, _post(nobody, practitioner))
    assert answer.status_code == 400
    assert "No practitioner chosen offers Cupping" in answer.content.decode()
    assert not OnlineSettings.current().services.exists()


def test_closed_with_nothing_chosen_is_fine(manager_client, service):
    answer = manager_client.post(URL, _post(service, enabled=None, services=[]))
    assert answer.status_code == 302
    assert not OnlineSettings.current().enabled


def test_the_back_office_uses_the_same_form_and_rules(back_office, service, practitioner):
    OnlineSettings.current()
    url = reverse("admin:online_onlinesettings_change", args=[1])
    nobody = make_service(name="Cupping", practitioners=[])
    refused = back_office.post(url, _post(nobody, practitioner))
    assert refused.status_code == 200  # the admin's own answer to a form with errors
    assert "No practitioner chosen offers Cupping" in refused.content.decode()
    saved = back_office.post(url, _post(service, practitioner, days_ahead="45"))
    assert saved.status_code == 302
    config = OnlineSettings.current()
    assert config.days_ahead == 45 and list(config.services.all()) == [service]


@pytest.mark.parametrize("who", ["anonymous", "reception", "practitioner", "outsider"])
def test_only_managers_open_the_settings(who, request, service, practitioner):
    http = HttpClient() if who == "anonymous" else request.getfixturevalue(f"{who}_client")
    for answer in (http.get(URL), http.post(URL, _post(service, practitioner))):
        assert answer.status_code in (302, 403)
        if answer.status_code == 302:
            assert answer["Location"].startswith(reverse("login"))
    assert not OnlineSettings.current().enabled


@pytest.mark.parametrize("size", [1, 6])
def test_the_page_costs_the_same_queries_however_many_services(
    manager_client, practitioner, django_assert_num_queries, size
):
    for n in range(size):
        make_service(name=f"Service {n}", practitioners=[practitioner])
    manager_client.get(URL)
    # The session, the user with their roles and second factor, the request's savepoint; the
    # settings row; the services and practitioners to choose from; those chosen (two); the
    # savepoint's release. The session is saved at most once a minute, not here.
    with django_assert_num_queries(9):
        assert manager_client.get(URL).status_code == 200
