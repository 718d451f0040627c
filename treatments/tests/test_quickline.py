"""The quick-line parser, without a database: the catalogue comes from the CSV files."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from treatments.lookup import PointIndex, load_catalogue
from treatments.quickline import parse_quick_line, tokenise


@dataclass(frozen=True)
class P:
    code: str
    pinyin: str
    english: str
    aliases: tuple[str, ...]
    midline: bool


@dataclass(frozen=True)
class T:
    name: str


INDEX = PointIndex(
    P(r.code, r.pinyin, r.english, r.aliases, r.channel in ("GV", "CV") or r.code == "EX-HN3")
    for r in load_catalogue()
)
STATIC, KNEAD = T("static"), T("kneading")
TECHNIQUES = {"static": STATIC, "an": STATIC, "knead": KNEAD, "rou": KNEAD}


def parse(text: str, **kwargs):
    return parse_quick_line(text, points=INDEX, techniques=TECHNIQUES, **kwargs)


def test_the_example_line_gives_two_rows():
    first, second = parse("LI4 both 60s static; BL23 L 90s")
    assert (first.point.code, first.side, first.seconds, first.technique) == ("LI4", "both", 60, STATIC)
    assert (second.point.code, second.side, second.seconds, second.technique) == ("BL23", "left", 90, None)
    assert first.ok and second.ok


def test_entries_split_on_new_lines_and_blank_entries_are_skipped():
    entries = parse("LI4 R\n\nST36 L;;  ; PC6 B")
    assert [e.point.code for e in entries] == ["LI4", "ST36", "PC6"]
    assert [e.number for e in entries] == [1, 2, 3]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60s", 60), ("90 s", 90), ("2m", 120), ("1.5min", 90), ("2 min", 120), ("45 sec", 45)],
)
def test_durations(text, seconds):
    (entry,) = parse(f"ST36 L {text}")
    assert entry.seconds == seconds and entry.ok


@pytest.mark.parametrize(("text", "level"), [("p3", 3), ("P0", 0), ("3/5", 3), ("4 / 5", 4)])
def test_pressures(text, level):
    (entry,) = parse(f"ST36 L {text}")
    assert entry.pressure == level and entry.ok


@pytest.mark.parametrize(
    ("text", "side"),
    [("L", "left"), ("r", "right"), ("B", "both"), ("both", "both"), ("Left", "left"), ("right", "right")],
)
def test_sides(text, side):
    (entry,) = parse(f"ST36 {text}")
    assert entry.side == side


def test_points_written_with_spaces_and_pinyin_words():
    entries = parse("bl 23 L; Zu San Li R 60s; UB-40 both; Du 20")
    assert [e.point.code for e in entries] == ["BL23", "ST36", "BL40", "GV20"]
    assert all(e.ok for e in entries)


def test_settings_may_come_in_any_order_and_before_the_point():
    (entry,) = parse("static 60s L Hegu p2")
    assert (entry.point.code, entry.side, entry.seconds, entry.pressure) == ("LI4", "left", 60, 2)


def test_the_point_comes_first_so_P3_then_p2_is_pericardium_3_at_pressure_2():
    (entry,) = parse("P3 p2")
    assert entry.point.code == "PC3" and entry.pressure == 2


def test_unknown_words_are_reported_on_their_entry_not_dropped():
    first, second = parse("LI4 L 60s wibble; ST36 R")
    assert first.unknown == ("wibble",) and not first.ok
    assert second.ok


def test_a_bare_number_asks_for_a_unit():
    (entry,) = parse("LI4 L 60")
    assert entry.unknown == ("60",)
    assert any("60s" in error for error in entry.errors)


def test_an_unknown_point_gives_did_you_mean():
    (entry,) = parse("Hegoo L 60s")
    assert entry.point is None and not entry.ok
    assert entry.point_text == "Hegoo"
    assert "LI4" in [p.code for p in entry.did_you_mean]
    assert entry.seconds == 60


def test_junk_point_is_reported():
    (entry,) = parse("XYZ 60s")
    assert entry.point is None
    assert entry.errors == ("No point matches “XYZ”.",)


def test_out_of_range_values_are_errors():
    (entry,) = parse("LI4 L p9 0s")
    assert not entry.ok
    assert len(entry.errors) == 2


def test_a_setting_given_twice_is_an_error():
    (entry,) = parse("LI4 L R")
    assert not entry.ok
    assert "twice" in entry.errors[0]


def test_midline_points_take_the_midline_side():
    (entry,) = parse("GV20 L 30s")
    assert entry.side == "midline"
    assert entry.notes


def test_paired_points_default_to_both_sides_with_a_note():
    (entry,) = parse("LI4 60s")
    assert entry.side == "both"
    assert entry.notes == ("No side given: both sides assumed.",)


def test_a_paired_point_cannot_be_midline():
    (entry,) = parse("LI4 mid")
    assert not entry.ok


def test_older_bladder_numbers_carry_a_note_and_can_be_read_the_older_way():
    (who,) = parse("B47 L")
    (legacy,) = parse("B47 L", legacy_bladder=True)
    assert who.point.code == "BL47" and "BL52" in who.notes[0]
    assert legacy.point.code == "BL52"


def test_tokens_keep_spaced_durations_and_pressures_together():
    assert tokenise("bl 23 L 90 s 3 / 5, static") == ["bl", "23", "L", "90 s", "3 / 5", "static"]
