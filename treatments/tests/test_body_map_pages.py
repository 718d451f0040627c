"""The body map on the note page (regions as checkboxes) and on the chart (regions over time)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.tests.builders import make_client, make_intake
from treatments.models import PointGuide
from treatments.tests.builders import add_point, make_note, make_pregnant_client, make_protocol, sign

pytestmark = pytest.mark.django_db


def test_the_note_form_draws_each_region_as_a_checkbox_keeping_the_list_as_fallback(
    note, practitioner_client
):
    note.regions_treated = ["lower_back"]
    note.save()
    page = practitioner_client.get(note.get_absolute_url()).content.decode()
    # The map drives the real checkboxes, which stay in the form for browsers without JavaScript.
    assert 'data-body-map="toggle"' in page and 'data-target="regions_treated"' in page
    assert 'data-fallback="regions-list"' in page
    assert re.search(r'<input[^>]*name="regions_treated"[^>]*value="lower_back"[^>]*checked', page)
    region_map = page[page.index('data-body-map="toggle"') : page.index('id="regions-list"')]
    shapes = re.findall(r'<path[^>]*data-region="lower_back"[^>]*>', region_map)
    assert shapes and all('role="checkbox"' in s and 'aria-checked="true"' in s for s in shapes)
    assert all('tabindex="0"' in s and 'aria-label="Lower back"' in s for s in shapes)
    neck = re.findall(r'<path[^>]*data-region="neck"[^>]*>', region_map)
    assert neck and all('aria-checked="false"' in s for s in neck)


def test_regions_ticked_through_the_form_are_saved_as_before(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:note_update", args=[note.pk]),
        {"subjective": "Stiff", "regions_treated": ["lower_back", "neck"], "home_care": ""},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.regions_treated == ["lower_back", "neck"]


def test_the_chart_shades_regions_by_sessions_and_outlines_the_intake_sites(
    practitioner, practitioner_client
):
    client = make_client()
    make_intake(client, sites=[{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}])
    for regions in (["lower_back"], ["lower_back", "neck"], ["lower_back"]):
        note = make_note(practitioner, client=client, subjective="Session", regions_treated=regions)
        sign(note)
    page = practitioner_client.get(reverse("treatments:chart", args=[client.pk])).content.decode()
    assert "Lower back · 3 sessions" in page and "Neck and throat · 1 session" in page
    assert re.search(r'data-region="lower_back" class="body-region level-4', page)
    assert re.search(r'data-region="neck" class="body-region level-1', page)
    assert re.search(r'data-region="lower_leg" class="body-region level-0 flagged', page)
    assert "Varicose veins</strong>: Lower leg (calf and shin) (left)" in page


def test_the_intake_form_offers_the_map_for_the_places_on_the_body(practitioner_client):
    client = make_client()
    page = practitioner_client.get(reverse("clients:intake_new", args=[client.pk])).content.decode()
    assert 'data-body-map="site"' in page and "clinic/bodymap.js" in page
    assert 'name="sites-0-region"' in page  # the fallback: the form's own select


def test_a_notes_points_are_numbered_dots_on_the_figure_with_cautions_marked(
    practitioner, practitioner_client
):
    note = make_note(practitioner, client=make_pregnant_client())
    add_point(note, "BL23", side="left")
    add_point(note, "LI4", side="both", cautions_shown="Pregnancy: LI4", override_reason="Labour is due")
    add_point(note, "BL67")
    add_point(note, "LU3")  # no position on the figure
    page = practitioner_client.get(note.get_absolute_url()).content.decode()
    points_map = page[
        page.index('id="points-on-body"') : page.index("</details>", page.index('id="points-on-body"'))
    ]
    # BL23 on the left only: one dot numbered 1; LI4 on both sides: two dots numbered 2, flagged.
    assert points_map.count("<title>1. BL23 Shenshu") == 1
    assert points_map.count("<title>2. LI4 Hegu") == 2
    assert re.search(
        r'<g class="body-dot caution">\s*<circle[^>]*></circle>\s*<text[^>]*>2</text>\s*<title>2. LI4',
        points_map,
    )
    assert re.search(r'<g class="body-dot">\s*<circle[^>]*></circle>\s*<text[^>]*>1</text>', points_map)
    # BL67 was added without a reason, but a caution applies to it for this pregnant client.
    assert re.search(
        r'<g class="body-dot caution">\s*<circle[^>]*></circle>\s*<text[^>]*>3</text>', points_map
    )
    assert "Not drawn (no position on the figure yet): LU3." in points_map


def test_the_picker_offers_every_positioned_point_as_a_button_on_the_figure(note, practitioner_client):
    page = practitioner_client.get(note.get_absolute_url()).content.decode()
    picker = page[page.index('data-body-map="pick"') :]
    buttons = re.findall(
        r'<g class="body-dot[^"]*" role="button" tabindex="0" data-pick-point="([^"]+)"', picker
    )
    assert len(buttons) == PointGuide.objects.count() and "GB39" in buttons and "BL23" in buttons


def test_the_picker_marks_the_points_with_a_caution_for_this_client(practitioner, practitioner_client):
    note = make_note(practitioner, client=make_pregnant_client())
    page = practitioner_client.get(note.get_absolute_url()).content.decode()
    picker = page[page.index('data-body-map="pick"') :]
    assert re.search(r'<g class="body-dot caution" role="button" tabindex="0" data-pick-point="SP6"', picker)
    assert re.search(r'<g class="body-dot" role="button" tabindex="0" data-pick-point="ST36"', picker)


def _note_page_queries(practitioner, http, points: int) -> int:
    note = make_note(practitioner, client=make_pregnant_client(), regions_treated=["lower_back"])
    for code in ["BL23", "LI4", "GB39", "PC6", "ST36"] * (points // 5):
        add_point(
            note,
            code,
            cautions_shown="c" if code == "LI4" else "",
            override_reason="r" if code == "LI4" else "",
        )
    http.get(note.get_absolute_url())  # warm the catalogue (with its guides) and the session
    with CaptureQueriesContext(connection) as queries:
        assert http.get(note.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_note_page_with_its_figures_runs_the_same_queries_for_5_and_25_points(
    practitioner, practitioner_client
):
    assert _note_page_queries(practitioner, practitioner_client, 5) == _note_page_queries(
        practitioner, practitioner_client, 25
    )


def test_the_draft_note_page_query_count_is_pinned(
    practitioner, practitioner_client, django_assert_num_queries
):
    note = make_note(practitioner, client=make_pregnant_client(), regions_treated=["lower_back"])
    add_point(note, "BL23")
    make_protocol(practitioner)
    practitioner_client.get(note.get_absolute_url())  # warm the catalogue (points, cautions, guides)
    # The request: session, the user with their roles and second factor, savepoint. The page:
    # the note; the access log's INSERT; the catalogue's version; the screening (newest intake
    # with its sites and the client's clearances, the rules); the point applications (with
    # point and technique); the home-care points (the form's initial value, and again for the
    # handout link); the previous signed note; the protocols offered (whether any, then the
    # choices); the techniques. Then the release (the session is saved at most once a minute,
    # not here). The figures cost nothing: the positions come with the catalogue.
    with django_assert_num_queries(16):
        practitioner_client.get(note.get_absolute_url())
