"""Issue #8, the point recorded is the point meant: readings of a bare B36-B54 on every entry path.

Without the older-numbering option a bare B36-B54 has two readings (WHO, and the older books'
numbering): the quick line, the single-point form and the picker show both, nothing is saved
until one is chosen, and the note records what was typed and which reading was taken. With
the option on, a bare B code is read the older way, and a BL/UB code is always a WHO code.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clients.tests.builders import make_client, make_intake
from treatments.lookup import _legacy_bladder_to_who
from treatments.models import Point, PointApplication
from treatments.tests.builders import make_note, sign

pytestmark = pytest.mark.django_db

LEGACY_RANGE = range(36, 55)


def _older(number: int) -> int:
    return _legacy_bladder_to_who(number)


def _label(code: str) -> tuple[str, str, str]:
    point = Point.objects.get(code=code)
    return point.code, point.pinyin, point.english


def _preview(client, note, data):
    return client.post(reverse("treatments:quick_preview", args=[note.pk]), data)


def _quick_add(client, note, data):
    return client.post(reverse("treatments:quick_add", args=[note.pk]), data)


def _add_one(client, note, data):
    return client.post(reverse("treatments:application_add", args=[note.pk]), data)


# -- The older numbering never renumbers an explicit WHO code ------------------------------------


def test_bl40_with_the_older_numbering_on_stays_bl40_and_gets_its_caution(practitioner, practitioner_client):
    client = make_client()
    make_intake(client, sites=[{"condition": "varicose_veins", "region": "knee", "side": "right"}])
    note = make_note(practitioner, client=client)
    data = {"text": "BL40 R 60s static", "legacy_bladder": "on"}

    page = _preview(practitioner_client, note, data).content.decode()
    assert "BL40</strong> Weizhong" in page and "BL45" not in page
    assert 'name="reason-1"' in page  # varicose veins behind the right knee

    refused = _quick_add(practitioner_client, note, data)
    assert refused.status_code == 400 and not PointApplication.objects.exists()

    _quick_add(practitioner_client, note, {**data, "reason-1": "Worked above the vein, light touch"})
    saved = note.applications.get()
    assert saved.point.code == "BL40" and saved.reading == "" and saved.cautions_shown


@pytest.mark.parametrize("prefix", ["BL", "bl ", "UB", "UB-", "V"])
@pytest.mark.parametrize("number", [36, 40, 45, 47, 52, 54])
def test_explicit_bladder_codes_are_saved_as_written_whatever_the_option(
    note, practitioner_client, prefix, number
):
    response = _quick_add(
        practitioner_client, note, {"text": f"{prefix}{number} L 30s", "legacy_bladder": "on"}
    )
    assert response.status_code == 302
    assert note.applications.get().point.code == f"BL{number}"

    response = _add_one(
        practitioner_client, note, {"point": f"{prefix}{number}", "side": "left", "legacy_bladder": "on"}
    )
    assert response.status_code == 302
    assert [a.point.code for a in note.applications.all()] == [f"BL{number}", f"BL{number}"]


# -- The quick line ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", LEGACY_RANGE)
def test_quick_line_shows_both_readings_of_a_bare_b_and_saves_nothing_until_one_is_chosen(
    note, practitioner_client, number
):
    text = f"B{number} L 60s"
    page = _preview(practitioner_client, note, {"text": text}).content.decode()
    for code in (f"BL{number}", f"BL{_older(number)}"):
        code, pinyin, english = _label(code)
        assert f"<strong>{code}</strong> {pinyin} ({english})" in page
    assert 'name="reading-1"' in page and 'value="who"' in page and 'value="older"' in page

    refused = _quick_add(practitioner_client, note, {"text": text})
    assert refused.status_code == 400
    assert "Entry 1 (“B" in refused.content.decode()
    assert not PointApplication.objects.exists()

    response = _quick_add(practitioner_client, note, {"text": text, "reading-1": "older"})
    assert response.status_code == 302
    saved = note.applications.get()
    assert (saved.point.code, saved.entered_as, saved.reading) == (
        f"BL{_older(number)}",
        f"B{number}",
        "older",
    )


def test_the_who_reading_can_be_chosen_too(note, practitioner_client):
    _quick_add(practitioner_client, note, {"text": "LI4 R; b-47 L", "reading-2": "who"})
    saved = note.applications.get(point__code="BL47")
    assert (saved.entered_as, saved.reading) == ("b-47", "who")


def test_a_bogus_reading_is_refused_not_a_500(note, practitioner_client):
    response = _quick_add(practitioner_client, note, {"text": "B47 L", "reading-1": "gach"})
    assert response.status_code == 400
    assert not PointApplication.objects.exists()


@pytest.mark.parametrize("number", LEGACY_RANGE)
def test_with_the_older_numbering_on_a_bare_b_is_read_the_older_way_and_recorded(
    note, practitioner_client, number
):
    data = {"text": f"B{number} R 60s", "legacy_bladder": "on"}
    page = _preview(practitioner_client, note, data).content.decode()
    assert f"BL{_older(number)}</strong>" in page and 'name="reading-1"' not in page
    assert _quick_add(practitioner_client, note, data).status_code == 302
    saved = note.applications.get()
    assert (saved.point.code, saved.entered_as, saved.reading) == (
        f"BL{_older(number)}",
        f"B{number}",
        "older",
    )


def test_the_reading_shows_on_the_note_page_and_the_chart(note, practitioner_client):
    _quick_add(practitioner_client, note, {"text": "B47 L 60s; P6 R", "reading-1": "older"})
    page = practitioner_client.get(note.get_absolute_url()).content.decode()
    assert re.search(r"BL52</strong> Zhishi.*— entered as B47, older numbering", page)
    assert re.search(r"PC6</strong> Neiguan.*— entered as P6", page)
    sign(note)
    chart = practitioner_client.get(reverse("treatments:chart", args=[note.client_id])).content.decode()
    assert "BL52</strong> Zhishi — entered as B47, older numbering" in chart


# -- The single-point form -----------------------------------------------------------------------


@pytest.mark.parametrize("number", LEGACY_RANGE)
def test_single_point_form_asks_which_reading_of_a_bare_b(note, practitioner_client, number):
    refused = _add_one(practitioner_client, note, {"point": f"B{number}", "side": "left"})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert not PointApplication.objects.exists()
    for code in (f"BL{number}", f"BL{_older(number)}"):
        code, pinyin, english = _label(code)
        assert f"<strong>{code}</strong> {pinyin} ({english})" in page
    assert 'name="reading"' in page and f'value="B{number}"' in page  # the input is kept

    accepted = _add_one(
        practitioner_client, note, {"point": f"B{number}", "side": "left", "reading": "older"}
    )
    assert accepted.status_code == 302
    saved = note.applications.get()
    assert (saved.point.code, saved.entered_as, saved.reading) == (
        f"BL{_older(number)}",
        f"B{number}",
        "older",
    )


@pytest.mark.parametrize("reading", ["gach", "x" * 50, "WHO "])
def test_a_bogus_reading_in_the_form_asks_again_and_never_500s(note, practitioner_client, reading):
    ambiguous = _add_one(practitioner_client, note, {"point": "B45", "side": "left", "reading": reading})
    assert ambiguous.status_code == 400 and 'name="reading"' in ambiguous.content.decode()
    plain = _add_one(practitioner_client, note, {"point": "LI4", "side": "left", "reading": reading})
    assert plain.status_code == 302
    assert note.applications.get().reading == ""


def test_single_point_form_with_the_option_reads_the_older_way(note, practitioner_client):
    response = _add_one(practitioner_client, note, {"point": "b 54", "side": "right", "legacy_bladder": "on"})
    assert response.status_code == 302
    saved = note.applications.get()
    assert (saved.point.code, saved.entered_as, saved.reading) == ("BL40", "b 54", "older")


def test_a_name_two_points_share_is_not_picked(note, practitioner_client):
    response = _add_one(practitioner_client, note, {"point": "Zigong", "side": "both"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "CV19" in page and "EX-CA1" in page
    assert not PointApplication.objects.exists()


# -- The picker ----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", LEGACY_RANGE)
def test_the_picker_offers_both_readings_first_and_says_which_is_which(practitioner_client, number):
    response = practitioner_client.get(
        reverse("treatments:point_search"), {"point": f"B{number}"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    tags = re.findall(r"<li[^>]*data-code=[^>]*>", page)
    options = [
        (re.search(r'data-code="([^"]+)"', t).group(1), (re.findall(r'data-reading="(\w+)"', t) or [""])[0])
        for t in tags
    ]
    assert options[:2] == [(f"BL{number}", "who"), (f"BL{_older(number)}", "older")]
    assert "fw-semibold" not in page.split("</li>")[0]  # neither is taken as the exact match
    assert "WHO numbering" in page and "older numbering" in page


def test_the_picker_shows_one_reading_for_a_who_code(practitioner_client):
    page = practitioner_client.get(
        reverse("treatments:point_search"), {"point": "BL47"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "data-reading" not in page
    assert re.findall(r'data-code="([^"]+)"', page)[0] == "BL47"


# -- Re-previewing keeps what was typed -----------------------------------------------------------


def test_the_preview_is_inside_the_quick_line_form_so_reasons_go_with_the_next_preview(
    practitioner, practitioner_client
):
    from treatments.tests.builders import make_pregnant_client

    note = make_note(practitioner, client=make_pregnant_client())
    page = _preview(practitioner_client, note, {"text": "LI4 both"}).content.decode()
    form = re.search(r'<form[^>]*id="quick-form".*?</form>', page, re.S).group(0)
    assert 'name="text"' in form and 'name="reason-1"' in form
    assert "hx-post" in form and reverse("treatments:quick_preview", args=[note.pk]) in form


def test_a_reason_stays_with_its_point_when_the_line_is_edited(practitioner, practitioner_client):
    from treatments.tests.builders import make_pregnant_client

    note = make_note(practitioner, client=make_pregnant_client())
    page = _preview(
        practitioner_client,
        note,
        {"text": "ST36 L; LI4 both; SP6 R", "entry-1": "LI4", "reason-1": "Labour prep", "entry-2": "SP6"},
    ).content.decode()
    assert re.search(r'name="reason-2" value="Labour prep"', page)
    assert re.search(r'name="reason-3" value=""', page)
    plain = _preview(
        practitioner_client, note, {"text": "LI4 both", "reason-1": "Labour prep"}
    ).content.decode()
    assert 'name="reason-1" value="Labour prep"' in plain


def test_a_chosen_reading_stays_with_its_entry_on_re_preview(note, practitioner_client):
    page = _preview(
        practitioner_client, note, {"text": "LI4 R; B47 L", "entry-1": "B47", "reading-1": "older"}
    ).content.decode()
    assert "BL52</strong> Zhishi" in page and 'name="reading-2"' not in page


# -- Errors and warnings name the entry ----------------------------------------------------------


def test_a_refused_line_names_the_entry_that_is_wrong(note, practitioner_client):
    response = _quick_add(practitioner_client, note, {"text": "LI4 L 60s, ST36 R; XYZ 30s, PC6 L"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Entry 3 (“XYZ 30s”)" in page
    assert "Fix Entry 3 (“XYZ 30s”)" in page
    assert 'name="text"' in page and "XYZ 30s" in page  # the line is kept


def test_a_repeated_point_is_warned_about_in_the_preview(note, practitioner_client):
    page = _preview(practitioner_client, note, {"text": "LI4 L; ST36 R; Hegu R"}).content.decode()
    assert "LI4 is written more than once in this line (entries 1 and 3)" in page


# -- The quick line as clinics write it, through the technique catalogue in the database -------------


def test_a_line_with_technique_names_synonyms_and_commas_is_saved_as_meant(note, practitioner_client):
    line = "LI4 bilat x2 min an fa pressure 3, ST36 L 90s kneading, GV20 tapping 30s; HE7 R circular 2m"
    response = _quick_add(practitioner_client, note, {"text": line})
    assert response.status_code == 302
    rows = [
        (a.point.code, a.side, a.duration_seconds, a.pressure, a.technique.name)
        for a in note.applications.select_related("point", "technique")
    ]
    assert rows == [
        ("LI4", "both", 120, 3, "Static / sustained pressure"),
        ("ST36", "left", 90, None, "Kneading"),
        ("GV20", "midline", 30, None, "Tapping and pounding"),
        ("HT7", "right", 120, None, "Circular motion"),
    ]
