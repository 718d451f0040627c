"""The point positions and self-care texts (data/point_positions.csv, data/point_self_care.csv) as
loaded by migration: each point drawn inside its region's outline, and every point the domain
and the safety rules name has a place on the figure."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from clients import bodymap
from clients.models import ContraindicationRule
from clients.screening import expand_points
from treatments.models import Point, PointCaution, PointGuide, PointKind

pytestmark = pytest.mark.django_db

SEED_POINTS = ("GB39", "BL23", "PC6", "BL13", "BL30", "BL50", "BL52")
# Named in the domain reference (docs/domain.md#extra-points, docs/domain.md#point-cautions,
# docs/domain.md#the-older-bladder-numbering) and in the seed articles (issue #15), besides the
# seed points and the cautions.
DOMAIN_POINTS = ("BL36", "BL40", "BL53", "EX-HN3", "EX-HN5", "EX-B2", "EX-B7", "EX-B8", "EX-CA1", "EX-LE5",
                 "LI19", "LI20", "PC8", "PC9", "GB30", "GV26", "LI4", "ST36", "GV20")  # fmt: skip


def _guides() -> list[PointGuide]:
    return list(PointGuide.objects.select_related("point"))


def test_every_positioned_point_lies_inside_its_regions_outline_on_its_figure():
    guides = _guides()
    assert len(guides) >= 100
    outside = []
    for guide in guides:
        shape = bodymap.shape_of(guide.figure, guide.point.region)
        spots = (
            [(guide.x, guide.y)]
            if guide.point.midline
            else [(guide.x, guide.y), (bodymap.WIDTH - guide.x, guide.y)]
        )
        if shape is None or not all(shape.contains(x, y) for x, y in spots):
            outside.append(f"{guide.point.code} ({guide.point.region}, {guide.figure} {guide.x},{guide.y})")
    assert not outside, "outside their region: " + ", ".join(outside)


def test_paired_points_are_given_on_the_clients_left_and_midline_points_on_the_midline():
    for guide in _guides():
        if guide.point.midline:
            assert guide.x == bodymap.CENTRE, guide.point.code
        elif guide.figure == bodymap.Figure.FRONT:
            assert guide.x > bodymap.CENTRE, guide.point.code  # facing us: their left is our right
        else:
            assert guide.x < bodymap.CENTRE, guide.point.code


def test_every_caution_point_and_every_point_a_screening_rule_names_has_a_position():
    positioned = set(PointGuide.objects.values_list("point__code", flat=True))
    caution_points = set(PointCaution.objects.values_list("point__code", flat=True))
    rule_points = {
        code
        for text in ContraindicationRule.objects.values_list("points_to_avoid", flat=True)
        for code in expand_points(text)
    }
    assert caution_points and rule_points  # the seeded rules and cautions are there to check
    assert not (caution_points | rule_points) - positioned
    assert not set(DOMAIN_POINTS) - positioned


def test_every_seed_point_has_a_position_and_how_to_find_and_press_it():
    guides = {g.point.code: g for g in _guides()}
    for code in SEED_POINTS:
        guide = guides[code]
        assert guide.how_to_find.strip() and guide.how_to_press.strip(), code
        assert bodymap.shape_of(guide.figure, guide.point.region) is not None


def test_pregnancy_caution_points_with_self_care_text_say_so():
    pregnancy = set(PointCaution.objects.filter(condition="pregnancy").values_list("point__code", flat=True))
    for guide in (
        PointGuide.objects.filter(point__code__in=pregnancy).exclude(how_to_press="").select_related("point")
    ):
        assert "pregnan" in guide.how_to_press.lower(), guide.point.code


def test_every_extra_point_that_the_views_can_show_has_a_position():
    inside_nose_or_mouth = {"EX-HN9", "EX-HN10", "EX-HN11", "EX-HN12", "EX-HN13"}
    extra = set(Point.objects.filter(kind=PointKind.EXTRA).values_list("code", flat=True))
    positioned = set(PointGuide.objects.values_list("point__code", flat=True))
    assert extra and not (extra - inside_nose_or_mouth) - positioned


def test_every_self_care_text_in_the_data_file_was_loaded_with_a_position():
    path = Path(__file__).resolve().parents[1] / "data" / "point_self_care.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(line for line in handle if not line.startswith("#"))}
    loaded = set(PointGuide.objects.exclude(how_to_find="").values_list("point__code", flat=True))
    assert len(codes) >= 50 and codes == loaded
