"""The body map in a browser: regions chosen by pointer and by keyboard, a point picked on the
figure, a place on the body chosen for an intake; axe-core clean throughout."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from clients.tests.builders import make_client, make_intake
from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user
from treatments import services
from treatments.models import Point, TreatmentNote
from treatments.tests.builders import make_attended_booking


@pytest.fixture(autouse=True)
def catalogue(transactional_db):
    """The catalogue, techniques and point guides come from data migrations that a transactional
    test before this one flushed: load them again the way the migrations do."""
    if not Point.objects.exists():
        importlib.import_module("treatments.migrations.0002_load_point_catalogue").load_catalogue(apps, None)
        importlib.import_module("treatments.migrations.0003_seed_techniques").seed(apps, None)
    importlib.import_module("treatments.migrations.0014_load_point_guides").load_guides(apps, None)


def _draft(username: str) -> TreatmentNote:
    practitioner = make_practitioner(user=make_user(role=Role.PRACTITIONER, username=username))
    booking = make_attended_booking(practitioner)
    return TreatmentNote.objects.create(
        booking=booking, client=booking.client, practitioner=practitioner, service_date=booking.local_date
    )


def test_regions_are_marked_on_the_figure_by_pointer_and_by_keyboard(page, live_server):
    note = _draft("amara")
    login_through_form(page, "amara", TEST_PASSWORD)
    page.goto(f"/treatments/notes/{note.pk}/")
    region_map = page.locator("[data-body-map=toggle]")
    expect(region_map).to_be_visible()
    expect(page.locator("#regions-list")).to_be_hidden()  # the fallback list gives way to the map

    lower_back = region_map.get_by_role("checkbox", name="Lower back")
    lower_back.click()
    expect(lower_back).to_have_attribute("aria-checked", "true")
    assert page.locator("input[name=regions_treated][value=lower_back]").is_checked()

    neck = region_map.get_by_role("checkbox", name="Neck and throat")
    neck.first.focus()
    page.keyboard.press("Space")
    expect(neck.first).to_have_attribute("aria-checked", "true")
    expect(neck.last).to_have_attribute("aria-checked", "true")  # the same region on the other figure
    page.keyboard.press("Enter")  # again: unmarked
    expect(neck.first).to_have_attribute("aria-checked", "false")
    page.keyboard.press(" ")
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Note saved.").wait_for()
    note.refresh_from_db()
    assert sorted(note.regions_treated) == ["lower_back", "neck"]
    expect(
        page.locator("[data-body-map=toggle]").get_by_role("checkbox", name="Lower back")
    ).to_have_attribute("aria-checked", "true")


def test_a_point_is_picked_by_clicking_the_figure_and_added_through_the_picker(page, live_server):
    note = _draft("kenji")
    login_through_form(page, "kenji", TEST_PASSWORD)
    page.goto(f"/treatments/notes/{note.pk}/")
    page.locator("summary", has_text="Add one point with the picker").click()
    page.locator("[data-body-map=pick] [data-pick-point=GB39]").click()
    picker = page.get_by_role("combobox", name="Point")
    expect(picker).to_have_value("GB39")
    expect(picker).to_be_focused()
    page.locator("#point-suggestions [data-code=GB39]").wait_for()  # the same look-up as typing
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Add point", exact=True).click()
    page.get_by_text("GB39 Xuanzhong").first.wait_for()
    assert note.applications.get().point.code == "GB39"
    # The point now shows as dot 1 on the figure.
    expect(page.locator("#points-on-body .body-dot title").first).to_have_text(
        "1. GB39 Xuanzhong (Suspended Bell), both sides"
    )


def test_an_intakes_place_on_the_body_is_chosen_on_the_figure(page, live_server):
    make_practitioner(user=make_user(role=Role.PRACTITIONER, username="lucia"))
    client = make_client()
    login_through_form(page, "lucia", TEST_PASSWORD)
    page.goto(f"/clients/{client.pk}/intakes/new/")
    site_map = page.locator("[data-body-map=site]")
    expect(site_map).to_be_visible()
    site_map.get_by_role("button", name="Lower back").click()
    assert page.locator("select[name=sites-0-region]").input_value() == "lower_back"
    # The second row, chosen by focusing its select, then the figure by keyboard.
    page.locator("select[name=sites-1-region]").focus()
    site_map.get_by_role("button", name="Sacrum and buttocks").focus()
    page.keyboard.press("Enter")
    assert page.locator("select[name=sites-1-region]").input_value() == "sacrum"
    assert page.locator("select[name=sites-0-region]").input_value() == "lower_back"
    assert_accessible(page)


def test_the_chart_and_the_handout_show_the_figure_and_pass_axe(page, live_server):
    practitioner = make_practitioner(user=make_user(role=Role.PRACTITIONER, username="mei"))
    client = make_client(email="nadia@example.org")
    make_intake(client, sites=[{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}])
    booking = make_attended_booking(practitioner, client=client)
    note = TreatmentNote.objects.create(
        booking=booking,
        client=client,
        practitioner=practitioner,
        service_date=booking.local_date,
        regions_treated=["lower_back", "neck"],
    )
    services.update_note(
        note_id=note.pk,
        user=practitioner.user,
        fields={"plan": "Morning and evening for two weeks."},
        home_care_points=list(Point.objects.filter(code__in=["BL23", "PC6"])),
    )
    login_through_form(page, "mei", TEST_PASSWORD)

    page.goto(f"/treatments/clients/{client.pk}/chart/")
    expect(page.locator("#regions-treated")).to_contain_text("Lower back · 1 session")
    expect(page.locator("#regions-flagged")).to_contain_text("Varicose veins")
    assert_accessible(page)

    page.goto(f"/treatments/notes/{note.pk}/")
    page.get_by_role("link", name="Home-practice handout").click()
    expect(page.locator("#handout-point-BL23")).to_contain_text("Where:")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Make the PDF").click()
    page.get_by_text("PDF made and kept with the note.").wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="Email to nadia@example.org").click()
    page.get_by_text("The handout is on its way to nadia@example.org").wait_for()
    assert_accessible(page)
