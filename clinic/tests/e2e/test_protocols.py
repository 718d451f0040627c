"""Protocols in a browser: saved on their page, applied to a pregnant client's note in one action,
where the pregnancy-caution point asks for its reason before anything is added; axe-core clean."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user
from treatments.models import Point, Protocol, TreatmentNote
from treatments.tests.builders import make_attended_booking, make_pregnant_client


@pytest.fixture(autouse=True)
def catalogue(transactional_db):
    if not Point.objects.exists():
        importlib.import_module("treatments.migrations.0002_load_point_catalogue").load_catalogue(apps, None)
        importlib.import_module("treatments.migrations.0003_seed_techniques").seed(apps, None)
    importlib.import_module("treatments.migrations.0014_load_point_guides").load_guides(apps, None)


def test_a_protocol_saved_then_applied_to_a_pregnant_clients_note_asks_for_the_caution_reason(
    page, live_server
):
    practitioner = make_practitioner(user=make_user(role=Role.PRACTITIONER, username="amara"))
    booking = make_attended_booking(practitioner, client=make_pregnant_client())
    note = TreatmentNote.objects.create(
        booking=booking, client=booking.client, practitioner=practitioner, service_date=booking.local_date
    )
    login_through_form(page, "amara", TEST_PASSWORD)

    page.goto("/treatments/protocols/")
    assert_accessible(page)
    page.get_by_role("link", name="New protocol").click()
    page.get_by_label("Name").fill("Low back")
    page.get_by_label("Points").fill("BL23 both 60s static; LI4 both 60s; GB39 L 60s")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Save protocol").click()
    page.get_by_text("Protocol “Low back” saved.").wait_for()
    protocol = Protocol.objects.get()

    page.goto(f"/treatments/notes/{note.pk}/")
    page.locator("summary", has_text="Apply a protocol").click()
    page.get_by_label("Protocol").select_option(label="Low back")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the protocol's points").click()
    cautions = page.locator("#protocol-cautions")
    expect(cautions).to_contain_text("Nothing was added yet")
    expect(cautions).to_contain_text("LI4")
    assert note.applications.count() == 0
    assert_accessible(page)

    page.get_by_label("Reason for going ahead with LI4").fill("Cleared by her midwife; light hold")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the protocol's points").click()
    page.get_by_text("3 points added from “Low back”.").wait_for()
    rows = list(note.applications.select_related("point").order_by("order"))
    assert [r.point.code for r in rows] == ["BL23", "LI4", "GB39"]
    assert rows[1].override_reason == "Cleared by her midwife; light hold"
    assert protocol.items.count() == 3
    expect(page.locator("#applications")).to_contain_text("Cleared by her midwife")
    assert_accessible(page)
