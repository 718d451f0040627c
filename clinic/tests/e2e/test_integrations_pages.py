"""The managers' API keys and webhooks pages in a browser: a key and an address made through
the forms by keyboard, each shown once, and axe-core clean as they stand then."""

from __future__ import annotations

import pytest

from clinic.integrations.models import ApiKey, WebhookEndpoint
from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_user


@pytest.fixture
def manager_user(transactional_db):
    return make_user(role=Role.MANAGER, username="morgan", first_name="Morgan", last_name="Hale")


def test_a_manager_makes_a_key_and_an_address_and_the_pages_are_accessible(page, manager_user, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    login_through_form(page, "morgan", TEST_PASSWORD)

    page.goto("/clinic/integrations/api-keys/")
    assert_accessible(page)  # the empty state
    page.get_by_label("Name").fill("Website booking")
    page.get_by_label("Read and manage bookings").check()
    page.get_by_role("button", name="Make the key").press("Enter")
    shown = page.get_by_label("Key").input_value()
    assert shown.startswith("clk_") and ApiKey.objects.get().prefix == shown[:12]
    assert_accessible(page)  # the key shown once, and the table

    page.goto("/clinic/integrations/webhooks/")
    page.get_by_label("Name").fill("Website")
    page.get_by_label("Address").fill("https://site.example/hooks")
    page.get_by_label("Booking created").check()
    page.get_by_role("button", name="Add").press("Enter")
    assert page.get_by_label("Secret").input_value() == WebhookEndpoint.objects.get().secret
    assert_accessible(page)
