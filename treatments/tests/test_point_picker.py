"""The point picker's suggestion endpoint (htmx fragment; a plain page without htmx)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("treatments:point_search")


def _codes(html: str) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', html)


def test_partial_pinyin_gets_ranked_suggestions(practitioner_client):
    response = practitioner_client.get(URL, {"point": "shen"}, HTTP_HX_REQUEST="true")
    codes = _codes(response.content.decode())
    assert response.status_code == 200
    assert {"HT7", "BL23", "GV24"} <= set(codes)  # Shenmen, Shenshu, Shenting
    assert len(codes) <= 10
    assert 'role="listbox"' in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "first"), [("UB23", "BL23"), ("p6", "PC6"), ("GV29", "EX-HN3"), ("hegu", "LI4")]
)
def test_an_exact_match_comes_first(practitioner_client, typed, first):
    response = practitioner_client.get(URL, {"q": typed}, HTTP_HX_REQUEST="true")
    assert _codes(response.content.decode())[0] == first


def test_a_misspelling_offers_the_close_names(practitioner_client):
    response = practitioner_client.get(URL, {"q": "Zusanly"}, HTTP_HX_REQUEST="true")
    assert "ST36" in _codes(response.content.decode())


def test_no_match_says_so(practitioner_client):
    response = practitioner_client.get(URL, {"q": "qqqq"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "No point matches “qqqq”" in response.content.decode()


def test_without_htmx_it_is_a_whole_page(manager_client):
    response = manager_client.get(URL, {"q": "BL2"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page and "Find a point" in page
    assert _codes(page)[0].startswith("BL2")


def test_very_long_input_is_cut_not_a_500(practitioner_client):
    assert practitioner_client.get(URL, {"q": "x" * 10_000}).status_code == 200


def test_outsider_and_reception_are_refused(outsider_client, reception_client):
    assert outsider_client.get(URL, {"q": "shen"}).status_code == 403
    assert reception_client.get(URL, {"q": "shen"}).status_code == 403


def test_on_a_note_each_suggestion_shows_the_cautions_for_that_client(practitioner, practitioner_client):
    from treatments.tests.builders import make_note, make_pregnant_client

    note = make_note(practitioner, client=make_pregnant_client())
    response = practitioner_client.get(URL, {"point": "LI", "note": note.pk}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Pregnancy: LI4 is a point to avoid" in page
    assert "Pregnancy: LI11" not in page


def test_a_note_the_user_cannot_find_is_a_404(practitioner_client):
    assert (
        practitioner_client.get(URL, {"q": "LI4", "note": "999999"}, HTTP_HX_REQUEST="true").status_code
        == 404
    )


@pytest.mark.parametrize("note", ["²", "١٢", "-3", "1e3", "9" * 40])
def test_an_odd_note_id_is_ignored_not_a_500(practitioner_client, note):
    """An id such as "²" passes str.isdigit() but int() refuses it: the picker answers without cautions."""
    response = practitioner_client.get(URL, {"q": "LI4", "note": note}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "LI4" in _codes(response.content.decode())
