"""The body map's outlines: every region drawn, shapes well formed, the geometry the tests rely on."""

from __future__ import annotations

from clients import bodymap
from clients.regions import BodyRegion
from clients.screening import Finding, ScreeningResult


def test_every_body_region_is_drawn_on_at_least_one_figure():
    drawn = {shape.region for shapes in bodymap.FIGURES.values() for shape in shapes}
    assert drawn == set(BodyRegion.values)


def test_each_figure_draws_a_region_once_and_inside_the_box():
    for shapes in bodymap.FIGURES.values():
        regions = [shape.region for shape in shapes]
        assert len(regions) == len(set(regions))
        for shape in shapes:
            for polygon in shape.polygons:
                assert len(polygon) >= 3
                assert all(0 <= x <= bodymap.WIDTH and 0 <= y <= bodymap.HEIGHT for x, y in polygon)


def test_paired_regions_are_mirror_images_and_the_path_closes_each_part():
    thigh = bodymap.shape_of("front", BodyRegion.THIGH)
    assert thigh is not None and len(thigh.polygons) == 2
    assert thigh.polygons[1] == bodymap.mirror(thigh.polygons[0])
    assert thigh.path.count("M") == 2 and thigh.path.count("Z") == 2


def test_point_in_polygon():
    square = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    assert bodymap.inside(square, 5, 5)
    assert not bodymap.inside(square, 15, 5)
    assert not bodymap.inside(square, -1, 5)


def test_region_at_finds_the_lower_back_on_the_back_and_the_navel_area_on_the_front():
    assert bodymap.region_at("back", 85, 190) == BodyRegion.LOWER_BACK
    assert bodymap.region_at("front", 100, 185) == BodyRegion.ABDOMEN
    assert bodymap.region_at("front", 5, 5) is None


def test_draw_shades_by_count_and_flags_the_intake_regions():
    screening = ScreeningResult(
        status="caution",
        findings=(
            Finding(
                "varicose_veins", "Varicose veins", "local", "caution", regions=("lower_leg",), side="left"
            ),
        ),
    )
    figures = bodymap.draw(
        counts={"lower_back": 4, "neck": 1}, flagged=bodymap.flagged_regions(screening), selected=["neck"]
    )
    back = next(f for f in figures if f.figure == "back")
    by_region = {s.shape.region: s for s in back.shapes}
    assert by_region["lower_back"].level == 4 and by_region["neck"].level == 1
    assert by_region["sacrum"].level == 0
    assert by_region["neck"].selected and not by_region["lower_back"].selected
    assert by_region["lower_leg"].flagged and "Varicose veins (left)" in by_region["lower_leg"].title
    assert "treated in 4 sessions" in by_region["lower_back"].title
