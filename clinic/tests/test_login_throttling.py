"""Lock-out is keyed on the user name and the real client address, behind the proxies the clinic
trusts (PROXY_COUNT): an attacker's wrong passwords never lock the practitioner out from her own
address, and a forged X-Forwarded-For header does not give an attacker a fresh address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic import settings as project_settings
from clinic.kernel.roles import Role
from conftest import TEST_PASSWORD, make_user

PROXY = "10.0.0.1"  # nginx, the only proxy: REMOTE_ADDR of every request
ATTACKER = "203.0.113.66"
PRACTITIONER_HOME = "198.51.100.7"


@pytest.fixture
def amara(db):
    return make_user(role=Role.PRACTITIONER, username="amara")


@pytest.fixture
def behind_one_proxy(settings):
    settings.PROXY_COUNT = 1


def sign_in(client, password: str, forwarded_for: str | None = None, remote: str = PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": "amara", "password": password}, **headers)


def test_by_default_no_proxy_is_trusted():
    assert project_settings.PROXY_COUNT == 0
    assert project_settings.AXES_CLIENT_IP_CALLABLE == "clinic.kernel.addresses.client_address"


def test_wrong_passwords_from_an_attacker_do_not_lock_the_practitioner_out(client, amara, behind_one_proxy):
    for _ in range(project_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "guess", forwarded_for=ATTACKER)
    assert sign_in(client, TEST_PASSWORD, forwarded_for=ATTACKER).status_code == 429

    response = sign_in(client, TEST_PASSWORD, forwarded_for=PRACTITIONER_HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_forged_forwarded_header_does_not_give_a_fresh_address(client, amara, behind_one_proxy):
    # The attacker sends its own header; the proxy appends the attacker's real address to it.
    for n in range(project_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "guess", forwarded_for=f"192.0.2.{n}, {ATTACKER}")
    assert sign_in(client, TEST_PASSWORD, forwarded_for=f"192.0.2.99, {ATTACKER}").status_code == 429
    assert sign_in(client, TEST_PASSWORD, forwarded_for=PRACTITIONER_HOME).status_code == 302


def test_without_a_proxy_the_header_is_ignored(client, amara):
    for n in range(project_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "guess", forwarded_for=f"192.0.2.{n}", remote=ATTACKER)
    assert sign_in(client, TEST_PASSWORD, forwarded_for="192.0.2.99", remote=ATTACKER).status_code == 429
    assert sign_in(client, TEST_PASSWORD, remote=PRACTITIONER_HOME).status_code == 302


CDN = "192.0.2.200"


@pytest.mark.parametrize(
    "forged",
    ["", "10.{n}.0.1, "],
    ids=["plain", "forged-prefix"],
)
def test_two_proxies_take_the_first_of_the_two_entries_they_wrote(client, amara, settings, forged):
    settings.PROXY_COUNT = 2
    for n in range(project_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "guess", forwarded_for=f"{forged.format(n=n)}{ATTACKER}, {CDN}")
    assert (
        sign_in(client, TEST_PASSWORD, forwarded_for=f"{forged.format(n=99)}{ATTACKER}, {CDN}").status_code
        == 429
    )
    assert sign_in(client, TEST_PASSWORD, forwarded_for=f"{PRACTITIONER_HOME}, {CDN}").status_code == 302
