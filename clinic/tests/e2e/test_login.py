"""A receptionist signs in through the real login form in a real browser."""

from __future__ import annotations

import re

from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_user


def test_reception_signs_in_and_lands_on_the_front_desk(page, live_server, transactional_db):
    make_user(role=Role.RECEPTION, username="riley", first_name="Riley", last_name="Chen")

    login_through_form(page, "riley", TEST_PASSWORD)

    assert re.search(r"/desk/$", page.url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Front desk")
    assert page.get_by_role("navigation", name="Main").get_by_text("Front desk").is_visible()
    assert_accessible(page)


def test_wrong_password_shows_a_message_on_the_form(page, live_server, transactional_db):
    make_user(role=Role.RECEPTION, username="riley")

    login_through_form(page, "riley", "not-the-password")

    assert "/accounts/login/" in page.url
    assert page.get_by_text("Please enter a correct username and password").is_visible()
    assert page.get_by_label("Username").input_value() == "riley"
    assert_accessible(page)
