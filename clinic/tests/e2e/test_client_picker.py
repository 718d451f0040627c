"""The booking form's client picker in a real browser: it finds, is cleared, and finds again
without a reload, by mouse and by keyboard, with no script error on the way."""

from __future__ import annotations

import re

import pytest

from clients.tests.builders import make_client
from clinic.tests.e2e.conftest import login_through_form
from conftest import TEST_PASSWORD, make_user


@pytest.fixture
def picker_world(transactional_db):
    make_user(role="Reception", username="desk-picker")
    return {
        "noor": make_client(first_name="Noor", last_name="Haddad"),
        "nadia": make_client(first_name="Nadia", last_name="Hadley"),
        "oskar": make_client(first_name="Oskar", last_name="Lindqvist"),
    }


def test_the_picker_finds_clears_and_finds_again_without_a_reload(page, picker_world):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login_through_form(page, "desk-picker", TEST_PASSWORD)
    page.goto("/clinic/bookings/new/")
    search = page.get_by_role("searchbox", name=re.compile("^Client"))
    number = page.locator("input[name=client]")

    search.fill("Hadd")
    page.get_by_role("button", name=re.compile("^Noor Haddad")).click()
    assert number.input_value() == str(picker_world["noor"].pk)

    # Retype: the old matches give way to the new ones, and a pick takes the new client.
    search.fill("")
    search.type("Lindq", delay=30)
    page.get_by_role("button", name=re.compile("^Oskar Lindqvist")).wait_for()
    assert page.get_by_role("button", name=re.compile("^Noor Haddad")).count() == 0
    page.get_by_role("button", name=re.compile("^Oskar Lindqvist")).click()
    assert number.input_value() == str(picker_world["oskar"].pk)

    # And a third time, by keyboard, narrowing a list of two.
    search.fill("")
    search.type("Had", delay=30)
    page.get_by_role("button", name=re.compile("^Nadia Hadley")).wait_for()
    search.type("l", delay=30)
    page.wait_for_function("() => document.querySelectorAll('.client-picker-option').length === 1")
    search.press("Enter")
    assert number.input_value() == str(picker_world["nadia"].pk)
    assert errors == []
