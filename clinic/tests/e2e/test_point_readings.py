"""In the browser: the picker's two readings of a bare B code, and reasons kept across re-previews."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user
from treatments.models import Point
from treatments.tests.builders import make_note, make_pregnant_client


@pytest.fixture(autouse=True)
def catalogue(transactional_db):
    """The catalogue comes from data migrations, which an earlier transactional test flushed."""
    if not Point.objects.exists():
        importlib.import_module("treatments.migrations.0002_load_point_catalogue").load_catalogue(apps, None)
        importlib.import_module("treatments.migrations.0003_seed_techniques").seed(apps, None)


def _note_page(page, username: str, client=None):
    practitioner = make_practitioner(user=make_user(role=Role.PRACTITIONER, username=username))
    note = make_note(practitioner, client=client)
    login_through_form(page, username, TEST_PASSWORD)
    page.goto(f"/treatments/notes/{note.pk}/")
    return note


def test_the_picker_takes_the_older_reading_of_b47_and_the_note_records_it(page, live_server):
    note = _note_page(page, "rosa")
    page.locator("summary", has_text="Add one point with the picker").focus()
    page.keyboard.press("Enter")
    page.get_by_role("combobox", name="Point").focus()
    page.keyboard.type("B47")
    page.locator("#point-suggestions [data-reading=older]").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.get_by_role("combobox", name="Point").input_value() == "B47"

    with page.expect_navigation():
        page.get_by_role("button", name="Add point").focus()
        page.keyboard.press("Enter")
    saved = note.applications.get()
    assert (saved.point.code, saved.entered_as, saved.reading) == ("BL52", "B47", "older")
    assert "entered as B47, older numbering" in page.locator("#applications").inner_text()


def test_a_reason_typed_in_the_preview_survives_editing_the_line(page, live_server):
    _note_page(page, "tomas", client=make_pregnant_client())
    line = page.get_by_label("Quick line")
    line.focus()
    page.keyboard.type("LI4 both 60s")
    page.keyboard.press("Control+Enter")
    reason = page.locator("#reason-1")
    reason.wait_for()
    reason.fill("Labour prep, midwife's request")

    line.focus()
    page.keyboard.press("Home")
    page.keyboard.type("ST36 L; ")
    page.keyboard.press("Control+Enter")
    page.locator("#quick-preview tr[data-entry='2'] #reason-2").wait_for()
    assert page.locator("#reason-2").input_value() == "Labour prep, midwife's request"
