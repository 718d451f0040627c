"""The body map on the note page (regions as checkboxes) and on the chart (regions over time)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clients.tests.builders import make_client, make_intake
from treatments.tests.builders import make_note, sign

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
    shapes = re.findall(r'<path[^>]*data-region="lower_back"[^>]*>', page)
    assert shapes and all('role="checkbox"' in s and 'aria-checked="true"' in s for s in shapes)
    assert all('tabindex="0"' in s and 'aria-label="Lower back"' in s for s in shapes)
    neck = re.findall(r'<path[^>]*data-region="neck"[^>]*>', page)
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
