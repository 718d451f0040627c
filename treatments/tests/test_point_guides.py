"""The point positions and self-care texts (data/point_positions.csv, data/point_self_care.csv) as
loaded by migration: each point drawn inside its region's outline, and every point the domain
and the safety rules name has a place on the figure."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from clients import bodymap
from clients.models import ContraindicationRule
from clients.screening import expand_points
from treatments import guide_data
from treatments.catalogue import current_catalogue
from treatments.models import CAUTION_PRESSURE_CAP, CautionKind, Point, PointCaution, PointGuide, PointKind

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


def test_every_positioned_point_has_how_to_find_and_how_to_press_it():
    guides = _guides()
    missing = [g.point.code for g in guides if not (g.how_to_find.strip() and g.how_to_press.strip())]
    assert len(guides) >= 190 and not missing, "no self-care text: " + ", ".join(missing)


def _names(condition: str, labels: dict[str, str]) -> set[str]:
    """How a client's text may name a condition: the words of the clinic's label for it (the
    screening rule's), or the condition's code spelt out when no rule has it."""
    label = labels.get(condition) or condition.replace("_", " ")
    return {word for word in re.findall(r"[a-z]+", label.lower()) if len(word) >= 5}


def _says(text: str, words: set[str]) -> bool:
    return any(word in text.lower() for word in words)


def test_every_caution_point_says_its_caution_in_its_self_care_text():
    """The cautions come from the project's own data: the points' cautions (point_cautions.csv)
    and the seeded screening rules, both the points they name and every point in their regions."""
    guides = {g.point.code: g for g in _guides()}
    rules = list(ContraindicationRule.objects.all())
    labels = {rule.condition: rule.label for rule in rules}
    # (code, what the text must say, why) for every caution that reaches a positioned point
    expected: list[tuple[str, set[str], str]] = []
    for caution in PointCaution.objects.select_related("point"):
        if caution.point.code not in guides:
            continue
        if caution.kind == CautionKind.AVOID_IF:
            expected.append((caution.point.code, _names(caution.condition, labels), caution.condition))
        elif caution.kind == CautionKind.NEVER_PRESS:
            expected.append((caution.point.code, {"not pressed", "do not press"}, caution.kind))
        else:  # a pressure cap: the text keeps to light pressure (or says not to press at all)
            expected.append((caution.point.code, {"light", "do not press"}, caution.kind))
    for rule in rules:
        for code, guide in guides.items():
            if code in expand_points(rule.points_to_avoid) or guide.point.region in rule.region_codes:
                expected.append((code, _names(rule.condition, labels), rule.condition))
    assert {why for _, _, why in expected} >= {"pregnancy", "past_dvt", CautionKind.GENTLE_ONLY}
    silent = sorted(
        {
            f"{code} ({why})"
            for code, words, why in expected
            if not _says(guides[code].how_to_find + " " + guides[code].how_to_press, words)
        }
    )
    assert not silent, "the text does not say its caution: " + ", ".join(silent)


def test_points_with_a_pressure_cap_are_never_told_to_press_firmly():
    capped = PointGuide.objects.filter(point__cautions__kind__in=list(CAUTION_PRESSURE_CAP)).select_related(
        "point"
    )
    assert capped
    for guide in capped:
        assert "firm" not in guide.how_to_press.lower(), guide.point.code


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


def test_reloading_the_guides_restores_the_files_text_and_the_cached_catalogue_follows():
    """What migration 0018 does to a database loaded before the texts changed."""
    [in_file] = [row for row in guide_data.data_rows("point_self_care.csv") if row["code"] == "GB39"]
    point = Point.objects.get(code="GB39")
    PointGuide.objects.filter(point=point).update(how_to_press="An older text.", updated_at=timezone.now())
    assert current_catalogue().guide_for(point).how_to_press == "An older text."  # the cache saw it

    guide_data.load_guides(apps)

    assert PointGuide.objects.get(point=point).how_to_press == in_file["how_to_press"]
    assert current_catalogue().guide_for(point).how_to_press == in_file["how_to_press"]
