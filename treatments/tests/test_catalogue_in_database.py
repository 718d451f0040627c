"""Acceptance 1: after migrations the database holds the WHO catalogue, extra points, cautions, techniques."""

from __future__ import annotations

import pytest
from django.db.models import Count

from treatments.models import CautionKind, Point, PointCaution, PointKind, Technique

# Points per channel, 361 in all (docs/domain.md#channels-and-codes).
CHANNEL_COUNTS = {
    "LU": 11, "LI": 20, "ST": 45, "SP": 21, "HT": 9, "SI": 19, "BL": 67,
    "KI": 27, "PC": 9, "TE": 23, "GB": 44, "LR": 14, "GV": 28, "CV": 24,
}  # fmt: skip

pytestmark = pytest.mark.django_db


def test_exactly_361_who_points_with_the_count_of_each_channel():
    who = Point.objects.filter(kind=PointKind.WHO)
    assert who.count() == 361
    per_channel = dict(who.values_list("channel").annotate(n=Count("id")))
    assert per_channel == CHANNEL_COUNTS


def test_every_who_point_has_pinyin_region_and_location():
    who = Point.objects.filter(kind=PointKind.WHO)
    assert not who.filter(pinyin="").exists()
    assert not who.filter(region="").exists()
    assert not who.filter(location="").exists()


def test_who_codes_are_channel_and_number():
    for code, channel, number in Point.objects.filter(kind=PointKind.WHO).values_list(
        "code", "channel", "number"
    ):
        assert code == f"{channel}{number}"


def test_midline_points_are_the_two_vessels_and_yintang():
    midline = set(Point.objects.filter(midline=True).values_list("channel", flat=True))
    assert midline == {"GV", "CV", "EX"}
    assert Point.objects.get(code="EX-HN3").midline
    assert not Point.objects.get(code="LI4").midline


def test_extra_points_in_daily_use_are_there_with_pinyin():
    extra = dict(Point.objects.filter(kind=PointKind.EXTRA).values_list("code", "pinyin"))
    for code, pinyin in {
        "EX-HN3": "Yintang", "EX-HN5": "Taiyang", "EX-B2": "Jiaji", "EX-B7": "Yaoyan",
        "EX-B8": "Shiqizhui", "EX-CA1": "Zigong", "EX-LE5": "Xiyan",
    }.items():  # fmt: skip
        assert extra[code] == pinyin
    assert "GV29" in Point.objects.get(code="EX-HN3").alias_list


def test_pregnancy_and_other_cautions_are_data():
    pregnancy = set(
        PointCaution.objects.filter(kind=CautionKind.AVOID_IF, condition="pregnancy").values_list(
            "point__code", flat=True
        )
    )
    assert {"LI4", "SP6", "BL60", "BL67", "GB21"} <= pregnancy
    assert PointCaution.objects.filter(point__code="ST17", kind=CautionKind.NEVER_PRESS).exists()
    assert PointCaution.objects.filter(point__code="CV8", kind=CautionKind.NEVER_PRESS).exists()
    assert PointCaution.objects.filter(point__code="LU9", kind=CautionKind.NO_DEEP_PRESSURE).exists()
    assert PointCaution.objects.filter(point__code="BL1", kind=CautionKind.GENTLE_ONLY).exists()


def test_techniques_are_seeded_with_short_names():
    names = {name for t in Technique.objects.all() for name in t.short_name_list}
    assert Technique.objects.count() == 10
    assert {"static", "an", "knead", "rou", "push", "tui", "roll", "gun", "pinch", "grasp", "rub",
            "friction", "vib", "tap", "percussion", "circ"} <= names  # fmt: skip
