"""Each role lands on its own home page; other roles and outsiders are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("client_fixture", "home"),
    [
        ("manager_client", "/overview/"),
        ("practitioner_client", "/my-day/"),
        ("reception_client", "/desk/"),
    ],
)
def test_each_role_lands_on_its_home(request, client_fixture, home):
    client = request.getfixturevalue(client_fixture)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_outsider_is_told_they_have_no_role(outsider_client):
    response = outsider_client.get("/")
    assert response.status_code == 403
    assert b"no role" in response.content


@pytest.mark.parametrize("client_fixture", ["reception_client", "practitioner_client", "outsider_client"])
def test_only_managers_see_the_overview(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    assert client.get(reverse("overview")).status_code == 403


@pytest.mark.parametrize("client_fixture", ["reception_client", "practitioner_client", "outsider_client"])
def test_only_managers_reach_the_back_office(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    response = client.get(reverse("admin:index"))
    # Non-managers are not admin staff: the admin sends them to its login page.
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_manager_reaches_the_back_office(manager):
    from conftest import login_client

    manager.is_staff = True
    manager.save()
    assert login_client(manager).get(reverse("admin:index")).status_code == 200


def test_outsider_is_refused_the_desk_and_my_day(outsider_client):
    assert outsider_client.get(reverse("desk")).status_code == 403
    assert outsider_client.get(reverse("my_day")).status_code == 403


def test_reception_cannot_open_my_day(reception_client):
    assert reception_client.get(reverse("my_day")).status_code == 403


def test_navigation_differs_by_role(manager_client, reception_client):
    manager_page = manager_client.get(reverse("desk")).content.decode()
    desk_page = reception_client.get(reverse("desk")).content.decode()
    assert "Back office" in manager_page and "Overview" in manager_page
    assert "Back office" not in desk_page and "Overview" not in desk_page
    assert "Front desk" in desk_page
