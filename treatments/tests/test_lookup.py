"""Tests for treatments.lookup: every way people write a point must reach the same code."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from treatments.lookup import (
    CHANNEL_ALIASES,
    PointIndex,
    bladder_readings,
    fold,
    load_catalogue,
    normalise_code,
)

# Older / other abbreviations exactly as DOMAIN.md section 1 lists them.
DOMAIN_ABBREVIATIONS = {
    "LU": ["Lu"],
    "LI": ["Li", "IC", "GI"],
    "ST": ["St", "S", "E"],
    "SP": ["Sp", "MP", "RP"],
    "HT": ["H", "Ht", "C"],
    "SI": ["IT", "IG"],
    "BL": ["B", "UB", "V"],
    "KI": ["K", "Kid", "R"],
    "PC": ["P", "MC"],
    "TE": ["TW", "SJ", "TB", "TH", "TR"],
    "GB": ["VB"],
    "LR": ["Liv", "LV", "F"],
    "GV": ["Du", "DU", "VG"],
    "CV": ["Ren", "RN", "VC"],
}


@pytest.fixture(scope="module")
def index() -> PointIndex:
    return PointIndex(load_catalogue())


# (typed text, legacy_bladder, expected canonical code)
RESOLVE_CASES: list[tuple[str, bool, str]] = [
    # Canonical codes and case / spacing / hyphen / dot variants.
    ("BL23", False, "BL23"),
    ("bl 23", False, "BL23"),
    ("BL-23", False, "BL23"),
    ("Bl.23", False, "BL23"),
    ("  bl23  ", False, "BL23"),
    ("lr3", False, "LR3"),
    ("GV 20", False, "GV20"),
    ("cv-12", False, "CV12"),
    # One case per abbreviation in DOMAIN.md's table.
    ("Lu7", False, "LU7"),
    ("Li4", False, "LI4"),
    ("IC11", False, "LI11"),
    ("GI4", False, "LI4"),
    ("St36", False, "ST36"),
    ("S36", False, "ST36"),
    ("E36", False, "ST36"),
    ("Sp6", False, "SP6"),
    ("MP6", False, "SP6"),
    ("RP6", False, "SP6"),
    ("H7", False, "HT7"),
    ("Ht7", False, "HT7"),
    ("C7", False, "HT7"),
    ("IT3", False, "SI3"),
    ("IG3", False, "SI3"),
    ("B23", False, "BL23"),
    ("UB23", False, "BL23"),
    ("V40", False, "BL40"),
    ("K1", False, "KI1"),
    ("Kid3", False, "KI3"),
    ("R3", False, "KI3"),
    ("P6", False, "PC6"),
    ("MC6", False, "PC6"),
    ("TW5", False, "TE5"),
    ("SJ5", False, "TE5"),
    ("TB5", False, "TE5"),
    ("TH5", False, "TE5"),
    ("TR5", False, "TE5"),
    ("VB34", False, "GB34"),
    ("Liv3", False, "LR3"),
    ("LV3", False, "LR3"),
    ("F3", False, "LR3"),
    ("Du20", False, "GV20"),
    ("DU4", False, "GV4"),
    ("VG20", False, "GV20"),
    ("Ren6", False, "CV6"),
    ("RN4", False, "CV4"),
    ("VC17", False, "CV17"),
    # Lower-case and spaced abbreviations.
    ("liv 3", False, "LR3"),
    ("ub-40", False, "BL40"),
    ("sj 5", False, "TE5"),
    ("p 6", False, "PC6"),
    # Full channel names pasted from handouts.
    ("Kidney 3", False, "KI3"),
    ("Large Intestine 4", False, "LI4"),
    # Pinyin with and without tone marks and spaces.
    ("Shenshu", False, "BL23"),
    ("Hegu", False, "LI4"),
    ("hé gǔ", False, "LI4"),
    ("He Gu", False, "LI4"),
    ("Neiguan", False, "PC6"),
    ("nèi guān", False, "PC6"),
    ("Zusanli", False, "ST36"),
    ("zu san li", False, "ST36"),
    ("Zú Sān Lǐ", False, "ST36"),
    ("Taichong", False, "LR3"),
    ("Sanyinjiao", False, "SP6"),
    ("Yanglingquan", False, "GB34"),
    ("Yintang", False, "EX-HN3"),
    # English names.
    ("Leg Three Miles", False, "ST36"),
    ("union valley", False, "LI4"),
    # Extra points and their aliases.
    ("EX-HN3", False, "EX-HN3"),
    ("ex-hn3", False, "EX-HN3"),
    ("EX HN 3", False, "EX-HN3"),
    ("exhn3", False, "EX-HN3"),
    ("EX-B2", False, "EX-B2"),
    ("Huatuojiaji", False, "EX-B2"),
    ("ex le 10", False, "EX-LE10"),
    ("GV29", False, "EX-HN3"),
    ("GV 29", False, "EX-HN3"),
    ("Du29", False, "EX-HN3"),
    # Legacy bladder numbering of popular acupressure books.
    ("B47", True, "BL52"),
    ("B48", True, "BL53"),
    ("B45", True, "BL50"),
    ("B36", True, "BL41"),
    ("B49", True, "BL54"),
    ("B50", True, "BL36"),
    ("B54", True, "BL40"),
    ("B35", True, "BL35"),
    ("B60", True, "BL60"),
    ("B47", False, "BL47"),
    ("B48", False, "BL48"),
    # The seed article's list for low-back pain.
    ("GB39", False, "GB39"),
    ("BL23", False, "BL23"),
    ("P6", False, "PC6"),
    ("B13", False, "BL13"),
    ("B30", False, "BL30"),
    ("B30", True, "BL30"),
    ("B13", True, "BL13"),
    ("B45", False, "BL45"),
]


@pytest.mark.parametrize(("text", "legacy", "expected"), RESOLVE_CASES)
def test_resolve(index: PointIndex, text: str, legacy: bool, expected: str) -> None:
    record = index.resolve(text, legacy_bladder=legacy)
    assert record is not None, text
    assert record.code == expected


def test_resolve_table_is_large_enough() -> None:
    assert len(RESOLVE_CASES) >= 45


def test_channel_aliases_cover_domain_table() -> None:
    for channel, abbreviations in DOMAIN_ABBREVIATIONS.items():
        for abbreviation in abbreviations:
            assert CHANNEL_ALIASES.get(abbreviation) == channel, abbreviation


def test_every_abbreviation_is_exercised_by_the_table() -> None:
    typed = {text for text, _, _ in RESOLVE_CASES}
    for abbreviation in CHANNEL_ALIASES:
        assert any(
            t.upper().startswith(abbreviation.upper()) and t[len(abbreviation) :].strip()[:1].isdigit()
            for t in typed
        ), abbreviation


@pytest.mark.parametrize(
    "text",
    [
        "BL99",
        "XYZ",
        "LU12",
        "",
        "   ",
        "23",
        "BL",
        "BL0",
        "HT10",
        "EX-HN16",
        "EX-XX1",
        "Q5",
        "Shenshuu",
        "Futu",
        "Zigong",
    ],
)
def test_junk_and_ambiguous_input_gives_none(index: PointIndex, text: str) -> None:
    assert index.resolve(text) is None


@pytest.mark.parametrize("text", ["BL99", "XYZ", "LU12", "", "23", "BL", "Hegu", "EX-HN16"])
def test_normalise_code_rejects_non_codes(text: str) -> None:
    assert normalise_code(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bl 23", "BL23"),
        ("UB-23", "BL23"),
        ("P6", "PC6"),
        ("Liv3", "LR3"),
        ("TW5", "TE5"),
        ("exhn3", "EX-HN3"),
        ("GV 29", "EX-HN3"),
        ("K1", "KI1"),
        ("Ren6", "CV6"),
    ],
)
def test_normalise_code(text: str, expected: str) -> None:
    assert normalise_code(text) == expected


def test_legacy_bladder_mapping_is_a_bijection_on_36_to_54() -> None:
    mapped = {normalise_code(f"B{n}", legacy_bladder=True) for n in range(36, 55)}
    assert mapped == {f"BL{n}" for n in range(36, 55)}
    # Outside 36-54 the two numberings agree, and other channels are untouched.
    assert normalise_code("B67", legacy_bladder=True) == "BL67"
    assert normalise_code("KI47", legacy_bladder=True) is None
    assert normalise_code("GB40", legacy_bladder=True) == "GB40"


def test_bladder_readings() -> None:
    assert bladder_readings("B47") == ("BL47", "BL52")
    assert bladder_readings("B23") is None
    assert bladder_readings("GB39") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zú Sān Lǐ", "zusanli"),
        ("zu san li", "zusanli"),
        ("Zusanli", "zusanli"),
        ("hé-gǔ", "hegu"),
        ("Zhōnglǚshū", "zhonglushu"),
        ("Xi'an", "xian"),
        ("Shén Mén", "shenmen"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_suggest_shen_ranks_prefix_before_substring(index: PointIndex) -> None:
    top = [r.pinyin for r in index.suggest("shen")]
    assert {"Shenmen", "Shenshu", "Shenting"} <= set(top)
    ranked = index.suggest("shen", limit=50)
    first_substring = next(i for i, r in enumerate(ranked) if not r.pinyin.lower().startswith("shen"))
    assert all(not r.pinyin.lower().startswith("shen") for r in ranked[first_substring:])
    assert "Benshen" in [r.pinyin for r in ranked[first_substring:]]


def test_suggest_is_deterministic_and_in_channel_order(index: PointIndex) -> None:
    first = [r.code for r in index.suggest("shen", limit=50)]
    assert first == [r.code for r in index.suggest("shen", limit=50)]
    assert first[:3] == ["HT7", "BL23", "BL44"]


def test_suggest_exact_first_then_code_prefix(index: PointIndex) -> None:
    assert [r.code for r in index.suggest("BL2", limit=3)] == ["BL2", "BL20", "BL21"]
    assert index.suggest("Hegu")[0].code == "LI4"
    assert [r.code for r in index.suggest("ub2", limit=2)] == ["BL2", "BL20"]
    assert index.suggest("ex-hn", limit=1)[0].code == "EX-HN1"


def test_suggest_english_substring_comes_last(index: PointIndex) -> None:
    codes = [r.code for r in index.suggest("three miles")]
    assert codes == ["ST36"]
    assert index.suggest("") == []


def test_did_you_mean_out_of_range_code(index: PointIndex) -> None:
    assert [r.code for r in index.did_you_mean("BL99")][:2] == ["BL67", "BL66"]
    assert index.did_you_mean("LU12")[0].code == "LU11"


def test_did_you_mean_misspelt_pinyin(index: PointIndex) -> None:
    assert index.did_you_mean("Hegoo")[0].code == "LI4"
    assert index.did_you_mean("Shenshoo")[0].code == "BL23"
    assert index.did_you_mean("XYZ") == []


def test_did_you_mean_offers_both_bladder_readings(index: PointIndex) -> None:
    assert [r.code for r in index.did_you_mean("B47")] == ["BL47", "BL52"]


def test_did_you_mean_lists_every_point_sharing_a_name(index: PointIndex) -> None:
    assert [r.code for r in index.did_you_mean("Futu")] == ["LI18", "ST32"]
    assert [r.code for r in index.matches("Zigong")] == ["CV19", "EX-CA1"]


@dataclass
class _Custom:
    """A stand-in for a clinic's own point (e.g. a Django model instance)."""

    code: str
    pinyin: str
    english: str
    aliases: list[str] = field(default_factory=list)


def test_index_accepts_any_record_shape_and_custom_points() -> None:
    records = [
        _Custom("BL23", "Shenshu", "Kidney Shu"),
        _Custom("EX-HN3", "Yintang", "Hall of Impression", ["GV29"]),
        _Custom("TP-UT1", "", "Upper trapezius trigger point"),
    ]
    index = PointIndex(records)
    assert index.resolve("UB 23") is records[0]
    assert index.resolve("gv29") is records[1]
    assert index.resolve("tp ut1") is records[2]
    assert index.resolve("upper trapezius trigger point") is records[2]
    assert [r.code for r in index.suggest("trapezius")] == ["TP-UT1"]
