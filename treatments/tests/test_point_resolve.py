"""Acceptance 2: Point.objects.resolve reads every way practitioners write a point; junk gives None."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from treatments.models import Point, PointKind

pytestmark = pytest.mark.django_db

RESOLVES = [
    # WHO codes in any case and spacing
    ("BL23", "BL23"), ("bl 23", "BL23"), ("BL-23", "BL23"), ("bl23", "BL23"), (" Bl 23 ", "BL23"),
    ("LI4", "LI4"), ("st36", "ST36"), ("GB 39", "GB39"), ("pc-6", "PC6"), ("TE5", "TE5"),
    # older and foreign abbreviations
    ("UB23", "BL23"), ("B23", "BL23"), ("V40", "BL40"), ("B13", "BL13"), ("B30", "BL30"),
    ("P6", "PC6"), ("MC6", "PC6"), ("TW5", "TE5"), ("SJ5", "TE5"), ("TB5", "TE5"),
    ("Liv3", "LR3"), ("LV3", "LR3"), ("F3", "LR3"), ("K1", "KI1"), ("Kid3", "KI3"),
    ("Du20", "GV20"), ("DU 14", "GV14"), ("Ren6", "CV6"), ("RN17", "CV17"), ("H7", "HT7"),
    ("Sp6", "SP6"), ("S36", "ST36"), ("E36", "ST36"), ("VB34", "GB34"), ("Lu7", "LU7"),
    ("IC4", "LI4"), ("SI3", "SI3"),
    # pinyin, with or without tones and spaces
    ("Shenshu", "BL23"), ("Hegu", "LI4"), ("Neiguan", "PC6"), ("Zusanli", "ST36"),
    ("zu san li", "ST36"), ("Zú Sān Lǐ", "ST36"), ("hé gǔ", "LI4"), ("Xuanzhong", "GB39"),
    ("Feishu", "BL13"), ("TAICHONG", "LR3"), ("Bai-hui", "GV20"),
    # extra points and their aliases
    ("EX-HN3", "EX-HN3"), ("ex hn 3", "EX-HN3"), ("Yintang", "EX-HN3"), ("GV29", "EX-HN3"),
    ("EX-B2", "EX-B2"), ("Huatuojiaji", "EX-B2"), ("EX-LE5", "EX-LE5"), ("Taiyang", "EX-HN5"),
    # German Heart, full channel names (docs/domain.md#channels-and-codes), older extra-point codes and
    # alternative names (docs/domain.md#older-extra-point-codes-and-other-names)
    ("HE7", "HT7"), ("HE-7", "HT7"), ("He 7", "HT7"), ("Governing Vessel 20", "GV20"),
    ("Governor Vessel 20", "GV20"), ("Conception Vessel 6", "CV6"), ("Directing Vessel 6", "CV6"),
    ("Triple Burner 5", "TE5"), ("San Jiao 5", "TE5"), ("Sanjiao 5", "TE5"), ("M-HN-3", "EX-HN3"),
    ("m-ca-18", "EX-CA1"), ("Juegu", "GB39"), ("Renzhong", "GV26"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "code"), RESOLVES)
def test_resolves(text, code):
    point = Point.objects.resolve(text)
    assert point is not None, text
    assert point.code == code


def test_the_table_is_at_least_forty_inputs():
    assert len(RESOLVES) >= 40


@pytest.mark.parametrize(
    "junk", ["BL99", "XYZ", "", "   ", "LU12", "KI28", "EX-HN99", "Q4", "hello world", "23"]
)
def test_junk_gives_none(junk):
    assert Point.objects.resolve(junk) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("B47", "BL52"), ("B48", "BL53"), ("B45", "BL50"), ("B50", "BL36"), ("B54", "BL40"), ("B36", "BL41"),
     ("b-47", "BL52"), ("B30", "BL30"), ("B60", "BL60"), ("UB47", "BL47"), ("BL40", "BL40"), ("BL52", "BL52"),
     ("V45", "BL45")],
)  # fmt: skip
def test_older_bladder_numbering_is_an_option_for_bare_b_codes_only(text, code):
    assert Point.objects.resolve(text, legacy_bladder=True).code == code


@pytest.mark.parametrize("number", range(36, 55))
def test_without_the_option_a_bare_b_36_to_54_is_not_guessed(number):
    assert Point.objects.resolve(f"B{number}") is None
    found = Point.objects.catalogue().lookup(f"B{number}")
    assert found.ambiguous and [r.numbering for r in found.readings] == ["who", "older"]
    assert Point.objects.resolve(f"BL{number}").code == f"BL{number}"


def test_a_name_shared_by_two_points_is_not_guessed():
    # Zigong is CV19 and EX-CA1: resolve refuses to choose; did-you-mean offers both.
    assert Point.objects.resolve("Zigong") is None
    assert {"CV19", "EX-CA1"} <= {p.code for p in Point.objects.catalogue().did_you_mean("Zigong")}


def test_suggestions_rank_partial_input():
    codes = [p.code for p in Point.objects.suggest("shen")]
    assert {"HT7", "BL23", "GV24"} <= set(codes)  # Shenmen, Shenshu, Shenting
    assert Point.objects.suggest("bl2")[0].code.startswith("BL2")


def test_a_clinics_own_point_resolves_once_added_and_the_index_reloads():
    assert Point.objects.resolve("TP-UT1") is None
    Point.objects.create(code="TP-UT1", kind=PointKind.TRIGGER, pinyin="", english="Upper trapezius 1",
                         region="shoulder")  # fmt: skip
    assert Point.objects.resolve("tp ut1").english == "Upper trapezius 1"
    assert Point.objects.resolve("Upper trapezius 1").code == "TP-UT1"


def test_an_edited_point_is_seen_at_once():
    Point.objects.resolve("LI4")  # warm the in-process index
    point = Point.objects.get(code="LI4")
    point.aliases = "HX1"
    point.save()  # moves updated_at, and with it the catalogue version
    assert Point.objects.resolve("HX1").code == "LI4"


def test_an_unchanged_catalogue_costs_one_query_per_lookup():
    Point.objects.resolve("LI4")  # warm the in-process index
    with CaptureQueriesContext(connection) as queries:
        catalogue = Point.objects.catalogue()
        for text in ("BL23", "Hegu", "P6", "Yintang", "shen"):
            catalogue.resolve(text)
            catalogue.suggest(text)
    assert len(queries) == 1  # the catalogue version


def test_alias_clashing_with_another_code_is_refused():
    from django.core.exceptions import ValidationError

    point = Point(code="TP-X", kind=PointKind.CUSTOM, aliases="LI4")
    with pytest.raises(ValidationError):
        point.full_clean()
    point = Point(code="tp-y", kind=PointKind.CUSTOM, aliases="GV29")
    with pytest.raises(ValidationError):
        point.full_clean()
