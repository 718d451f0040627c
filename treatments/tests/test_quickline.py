"""The quick-line parser, without a database: the catalogue comes from the CSV files."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest

from treatments.lookup import PointIndex, load_catalogue
from treatments.quickline import parse_quick_line, technique_names, tokenise


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
    assert entry.errors == ("Entry 1 (“XYZ 60s”): No point matches “XYZ”.",)


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
    (legacy,) = parse("B47 L", legacy_bladder=True)
    (who,) = parse("B47 L", numbering={1: "who"})
    assert legacy.point.code == "BL52" and legacy.numbering == "older" and "BL47" in legacy.notes[-1]
    assert who.point.code == "BL47" and who.numbering == "who" and "BL52" in who.notes[-1]


@pytest.mark.parametrize("number", range(36, 55))
@pytest.mark.parametrize("written", ["B{n}", "b {n}", "B-{n}"])
def test_a_bare_b_36_to_54_waits_for_a_reading_to_be_chosen(number, written):
    text = written.format(n=number)
    (entry,) = parse(f"{text} L 60s")
    assert entry.point is None and not entry.ok and entry.numbering_choice
    assert [r.numbering for r in entry.readings] == ["who", "older"]
    assert entry.readings[0].record.code == f"BL{number}"
    assert any("choose" in e and f"Entry 1 (“{text} L 60s”)" in e for e in entry.errors)
    (chosen,) = parse(f"{text} L 60s", numbering={1: "older"})
    assert chosen.ok and chosen.point is entry.readings[1].record and chosen.numbering == "older"


@pytest.mark.parametrize("text", ["BL40 R 60s static", "UB40 R 60s", "bl 52 L", "V45 both"])
def test_explicit_who_bladder_codes_are_never_renumbered(text):
    code = "BL" + "".join(
        ch for ch in text.split()[0] + (text.split()[1] if text[2] == " " else "") if ch.isdigit()
    )
    for legacy in (False, True):
        (entry,) = parse(text, legacy_bladder=legacy)
        assert entry.ok and entry.point.code == code and entry.numbering == ""
        assert not any("older" in note for note in entry.notes)


# -- Settings as clinics write them ---------------------------------------------------------

SEED = importlib.import_module("treatments.migrations.0003_seed_techniques").TECHNIQUES


@dataclass(frozen=True)
class Tech:
    name: str
    chinese_name: str
    short_names: str

    @property
    def short_name_list(self):
        return self.short_names.split()


CATALOGUE_TECHNIQUES = [Tech(name, chinese, short) for name, chinese, short, _ in SEED]
NAMES = technique_names(CATALOGUE_TECHNIQUES)


def parse_with_catalogue(text: str, **kwargs):
    return parse_quick_line(text, points=INDEX, techniques=NAMES, **kwargs)


def _technique(name: str) -> Tech:
    return next(t for t in CATALOGUE_TECHNIQUES if t.name == name)


@pytest.mark.parametrize("technique", CATALOGUE_TECHNIQUES, ids=lambda t: t.name)
def test_every_name_of_a_catalogue_technique_is_accepted(technique):
    written = [technique.name, technique.name.lower(), *technique.short_name_list]
    if technique.chinese_name:
        written += [technique.chinese_name, technique.chinese_name.lower().replace(" ", "-")]
    for words in written:
        (entry,) = parse_with_catalogue(f"ST36 L {words} 60s")
        assert entry.ok, (words, entry.errors)
        assert entry.technique is technique, words


@pytest.mark.parametrize(
    ("words", "name"),
    [
        ("kneading", "Kneading"),
        ("circular", "Circular motion"),
        ("tapping", "Tapping and pounding"),
        ("static", "Static / sustained pressure"),
        ("an fa", "Static / sustained pressure"),
        ("rou fa", "Kneading"),
        ("Pushing", "Pushing"),
        ("rubbing", "Rubbing and friction"),
        ("pinching", "Pinching and grasping"),
        ("grasping", "Pinching and grasping"),
        ("deep pressure", "Deep pressure"),
    ],
)
def test_technique_names_and_synonyms(words, name):
    (entry,) = parse_with_catalogue(f"LI4 R 60s {words}")
    assert entry.ok, entry.errors
    assert entry.technique is _technique(name)


def test_pressure_is_not_a_technique_word():
    assert "pressure" not in NAMES
    (entry,) = parse_with_catalogue("LI4 R deep pressure 3")
    assert entry.ok, entry.errors
    assert entry.technique is _technique("Deep pressure") and entry.pressure == 3


@pytest.mark.parametrize(("text", "side"), [("bilat", "both"), ("bilateral", "both"), ("Bilat.", "both")])
def test_bilateral(text, side):
    (entry,) = parse_with_catalogue(f"ST36 {text} 60s")
    assert entry.ok and entry.side == side


@pytest.mark.parametrize(
    ("text", "level"),
    [("pressure 3", 3), ("Pressure 4", 4), ("p3", 3), ("p 2", 2), ("pressure:1", 1), ("3/5", 3)],
)
def test_pressure_written_out(text, level):
    (entry,) = parse_with_catalogue(f"ST36 L 60s {text}")
    assert entry.ok, entry.errors
    assert entry.pressure == level


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("x2 min", 120), ("x 2 min", 120), ("2 min", 120), ("2m", 120), ("90s", 90), ("\u00d71.5min", 90)],
)
def test_durations_as_written(text, seconds):
    (entry,) = parse_with_catalogue(f"ST36 L {text} static")
    assert entry.ok, entry.errors
    assert entry.seconds == seconds


def test_commas_separate_entries_like_semicolons():
    entries = parse_with_catalogue("LI4 both 60s static, BL23 L 90s, ST36 R; PC6 L")
    assert [e.point.code for e in entries] == ["LI4", "BL23", "ST36", "PC6"]
    assert [e.number for e in entries] == [1, 2, 3, 4]
    assert all(e.ok for e in entries)


def test_a_comma_before_settings_keeps_them_with_their_point():
    entries = parse_with_catalogue("LI4 L, 60s, static; ST36, R")
    assert [(e.point.code, e.side, e.seconds) for e in entries] == [
        ("LI4", "left", 60),
        ("ST36", "right", None),
    ]
    assert entries[0].technique is _technique("Static / sustained pressure")


def test_a_point_written_twice_is_warned_about_on_both_entries():
    entries = parse_with_catalogue("LI4 L 60s; ST36 R; Hegu R 30s")
    assert entries[0].warnings and entries[2].warnings and not entries[1].warnings
    assert "entries 1 and 3" in entries[0].warnings[0] and "LI4" in entries[0].warnings[0]
    assert all(e.ok for e in entries)  # a warning, not a refusal


@pytest.mark.parametrize(
    "line",
    ["LI4 L 60s; XYZ 30s; ST36 R", "LI4 L 60s; ST36 wibble; PC6", "ST36 L; LI4 L 60; GV20", "LI4; ST36 L R"],
)
def test_every_error_names_its_entry_by_position_and_text(line):
    entries = parse_with_catalogue(line)
    wrong = [e for e in entries if not e.ok]
    assert wrong
    for entry in wrong:
        assert entry.errors
        for error in entry.errors:
            assert error.startswith(f"Entry {entry.number} (“{entry.raw}”)"), error


def test_tokens_keep_spaced_durations_and_pressures_together():
    assert tokenise("bl 23 L 90 s 3 / 5, static") == ["bl", "23", "L", "90 s", "3 / 5", "static"]
