"""Tests for treatments.lookup: every way people write a point must reach the same code."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from treatments.lookup import (
    ALTERNATIVE_NAMES,
    CHANNEL_ALIASES,
    CHANNEL_POINT_COUNTS,
    OLDER_EXTRA_CODES,
    PointIndex,
    PointRecord,
    bladder_readings,
    fold,
    load_catalogue,
    normalise_code,
)

# Older / other abbreviations exactly as the table in docs/domain.md#channels-and-codes lists them.
DOMAIN_ABBREVIATIONS = {
    "LU": ["Lu"],
    "LI": ["Li", "IC", "GI"],
    "ST": ["St", "S", "E"],
    "SP": ["Sp", "MP", "RP"],
    "HT": ["H", "Ht", "C", "He"],
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


AMBIGUOUS = "ambiguous"

# Real-world spellings and what they must give: (typed text, legacy_bladder, expected), where
# expected is the WHO (or EX) code, AMBIGUOUS (two readings: nothing is picked until the
# practitioner chooses), or None (must not resolve at all).
RESOLVE_CASES: list[tuple[str, bool, str | None]] = [
    # Canonical codes and case / spacing / hyphen / dot variants.
    ("BL23", False, "BL23"),
    ("bl 23", False, "BL23"),
    ("BL-23", False, "BL23"),
    ("Bl.23", False, "BL23"),
    ("  bl23  ", False, "BL23"),
    ("lr3", False, "LR3"),
    ("GV 20", False, "GV20"),
    ("cv-12", False, "CV12"),
    ("LU 9", False, "LU9"),
    ("Si3", False, "SI3"),
    ("ki-3", False, "KI3"),
    ("pc6", False, "PC6"),
    ("te 5", False, "TE5"),
    ("gb-20", False, "GB20"),
    ("HT 7", False, "HT7"),
    ("sp 10", False, "SP10"),
    ("st-25", False, "ST25"),
    ("LI 11", False, "LI11"),
    # One case per abbreviation in the table of docs/domain.md#channels-and-codes.
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
    ("HE7", False, "HT7"),
    ("HE-7", False, "HT7"),
    ("He 7", False, "HT7"),
    ("he3", False, "HT3"),
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
    ("kid-1", False, "KI1"),
    ("du 26", False, "GV26"),
    ("ren-12", False, "CV12"),
    # Full channel names pasted from handouts.
    ("Kidney 3", False, "KI3"),
    ("Large Intestine 4", False, "LI4"),
    ("Lung 7", False, "LU7"),
    ("Stomach 36", False, "ST36"),
    ("Spleen 6", False, "SP6"),
    ("Heart 7", False, "HT7"),
    ("Small Intestine 3", False, "SI3"),
    ("Bladder 23", False, "BL23"),
    ("Urinary Bladder 60", False, "BL60"),
    ("Pericardium 6", False, "PC6"),
    ("Gallbladder 34", False, "GB34"),
    ("Gall Bladder 21", False, "GB21"),
    ("Liver 3", False, "LR3"),
    ("Governing Vessel 20", False, "GV20"),
    ("Governor Vessel 20", False, "GV20"),
    ("governing vessel 4", False, "GV4"),
    ("Conception Vessel 6", False, "CV6"),
    ("Directing Vessel 6", False, "CV6"),
    ("directing vessel 17", False, "CV17"),
    ("Triple Burner 5", False, "TE5"),
    ("Triple Energizer 5", False, "TE5"),
    ("Triple Warmer 5", False, "TE5"),
    ("San Jiao 5", False, "TE5"),
    ("Sanjiao 5", False, "TE5"),
    ("san-jiao 3", False, "TE3"),
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
    ("tài chōng", False, "LR3"),
    ("Sanyinjiao", False, "SP6"),
    ("sān yīn jiāo", False, "SP6"),
    ("Yanglingquan", False, "GB34"),
    ("Yintang", False, "EX-HN3"),
    ("Xuanzhong", False, "GB39"),
    ("xuán zhōng", False, "GB39"),
    ("Zhishi", False, "BL52"),
    ("Weizhong", False, "BL40"),
    ("Chengfu", False, "BL36"),
    ("Baihui", False, "GV20"),
    ("bǎi huì", False, "GV20"),
    ("Qihai", False, "CV6"),
    ("Waiguan", False, "TE5"),
    ("Shenmen", False, "HT7"),
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
    # Older extra-point codes (M-): mapped by the point's pinyin, not by number.
    ("M-HN-3", False, "EX-HN3"),
    ("m-hn-3", False, "EX-HN3"),
    ("M HN 3", False, "EX-HN3"),
    ("MHN3", False, "EX-HN3"),
    ("M-HN-9", False, "EX-HN5"),
    ("M-HN-1", False, "EX-HN1"),
    ("M-HN-10", False, "EX-HN6"),
    ("M-CA-18", False, "EX-CA1"),
    ("M-BW-35", False, "EX-B2"),
    ("M-BW-1", False, "EX-B1"),
    ("M-BW-24", False, "EX-B7"),
    ("M-UE-22", False, "EX-UE9"),
    ("M-UE-9", False, "EX-UE10"),
    ("M-LE-8", False, "EX-LE10"),
    ("M-LE-16", False, "EX-LE5"),
    ("M-LE-13", False, "EX-LE7"),
    # Alternative pinyin names from popular books.
    ("Juegu", False, "GB39"),
    ("jué gǔ", False, "GB39"),
    ("Renzhong", False, "GV26"),
    ("Hukou", False, "LI4"),
    ("Waihuaijian", False, "EX-LE9"),
    ("Lanweixue", False, "EX-LE7"),
    ("Waixiyan", False, "ST35"),
    # Legacy bladder numbering of popular acupressure books: only a bare B is read that way.
    ("B47", True, "BL52"),
    ("B48", True, "BL53"),
    ("B45", True, "BL50"),
    ("B36", True, "BL41"),
    ("B49", True, "BL54"),
    ("B50", True, "BL36"),
    ("B54", True, "BL40"),
    ("b 47", True, "BL52"),
    ("b-54", True, "BL40"),
    ("B35", True, "BL35"),
    ("B60", True, "BL60"),
    ("B13", True, "BL13"),
    ("B30", True, "BL30"),
    ("BL40", True, "BL40"),
    ("BL52", True, "BL52"),
    ("BL 45", True, "BL45"),
    ("UB47", True, "BL47"),
    ("ub-40", True, "BL40"),
    ("V47", True, "BL47"),
    ("Bladder 40", True, "BL40"),
    # ... and without the option a bare B36-B54 could be either point: never a silent pick.
    ("B47", False, AMBIGUOUS),
    ("B48", False, AMBIGUOUS),
    ("B45", False, AMBIGUOUS),
    ("B54", False, AMBIGUOUS),
    ("B36", False, AMBIGUOUS),
    ("b 50", False, AMBIGUOUS),
    ("B-40", False, AMBIGUOUS),
    ("BL47", False, "BL47"),
    ("UB45", False, "BL45"),
    # The seed article's list for low-back pain.
    ("GB39", False, "GB39"),
    ("p6", False, "PC6"),
    ("B13", False, "BL13"),
    ("B30", False, "BL30"),
    # Names two points share.
    ("Futu", False, AMBIGUOUS),
    ("Zigong", False, AMBIGUOUS),
    ("Erjian", False, AMBIGUOUS),
    # Junk that must not resolve.
    ("BL99", False, None),
    ("BL68", False, None),
    ("B68", True, None),
    ("HE10", False, None),
    ("HT0", False, None),
    ("LU12", False, None),
    ("KI28", False, None),
    ("XYZ", False, None),
    ("Q5", False, None),
    ("23", False, None),
    ("BL", False, None),
    ("M-HN-999", False, None),
    ("M-XX-3", False, None),
    ("EX-HN16", False, None),
    ("Governing Vessel", False, None),
    ("Triple Burner 24", False, None),
    ("Juegoo", False, None),
    ("Shenshuu", False, None),
    ("", False, None),
]


@pytest.mark.parametrize(("text", "legacy", "expected"), RESOLVE_CASES)
def test_resolve(index: PointIndex, text: str, legacy: bool, expected: str | None) -> None:
    found = index.lookup(text, legacy_bladder=legacy)
    if expected == AMBIGUOUS:
        assert found.point is None and found.ambiguous, text
        assert len(found.readings) >= 2
        assert index.resolve(text, legacy_bladder=legacy) is None
    elif expected is None:
        assert found.readings == () and index.resolve(text, legacy_bladder=legacy) is None, text
    else:
        record = index.resolve(text, legacy_bladder=legacy)
        assert record is not None, text
        assert record.code == expected
        assert found.point is record


def test_resolve_table_is_large_enough() -> None:
    assert len(RESOLVE_CASES) >= 150
    assert len({(text, legacy) for text, legacy, _ in RESOLVE_CASES}) == len(RESOLVE_CASES)


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


# -- The rules, over every channel and number ------------------------------------------------


def _spellings(prefix: str, number: int) -> list[str]:
    return [
        f"{prefix}{number}",
        f"{prefix.lower()} {number}",
        f"{prefix.upper()}-{number}",
        f"{prefix}.{number}",
    ]


def test_every_abbreviation_reads_every_point_of_its_channel(index: PointIndex) -> None:
    every = {channel: [channel, *names] for channel, names in DOMAIN_ABBREVIATIONS.items()}
    for channel, prefixes in every.items():
        for number in range(1, CHANNEL_POINT_COUNTS[channel] + 1):
            for prefix in prefixes:
                for text in _spellings(prefix, number):
                    found = index.lookup(text)
                    if prefix == "B" and number in range(36, 55):
                        assert found.ambiguous, text
                    elif f"{channel}{number}" in {"GV29"}:
                        continue
                    else:
                        assert found.point is not None and found.point.code == f"{channel}{number}", text
            past_the_end = CHANNEL_POINT_COUNTS[channel] + (2 if channel == "GV" else 1)  # GV29 is Yintang
            for prefix in prefixes:
                assert index.lookup(f"{prefix}{past_the_end}").readings == (), prefix


@pytest.mark.parametrize("prefix", ["BL", "UB", "V", "Bladder ", "Urinary Bladder ", "bl-", "ub "])
def test_explicit_bladder_codes_are_who_codes_whatever_the_option(index: PointIndex, prefix: str) -> None:
    for number in range(1, 68):
        for legacy in (False, True):
            found = index.lookup(f"{prefix}{number}", legacy_bladder=legacy)
            assert found.point is not None and found.point.code == f"BL{number}", (prefix, number, legacy)
            assert found.numbering == ""


def test_a_bare_b_36_to_54_has_two_readings_and_the_option_takes_the_older_one(index: PointIndex) -> None:
    older_of = {n: n + 5 for n in range(36, 50)} | {n: n - 14 for n in range(50, 55)}
    for number, older in older_of.items():
        for text in _spellings("B", number):
            found = index.lookup(text)
            assert found.point is None and found.ambiguous, text
            assert [(r.record.code, r.numbering) for r in found.readings] == [
                (f"BL{number}", "who"),
                (f"BL{older}", "older"),
            ]
            assert index.lookup(text, legacy_bladder=True).point.code == f"BL{older}"
            assert index.lookup(text, numbering="who").point.code == f"BL{number}"
            assert index.lookup(text, numbering="older").point.code == f"BL{older}"
            assert index.did_you_mean(text)[:2] == [r.record for r in found.readings]
    for number in [*range(1, 36), *range(55, 68)]:
        assert index.lookup(f"B{number}", legacy_bladder=True).point.code == f"BL{number}"
        assert index.lookup(f"B{number}").point.code == f"BL{number}"


@pytest.mark.parametrize(
    ("name", "channel"),
    [
        ("Governing Vessel", "GV"),
        ("Governor Vessel", "GV"),
        ("Conception Vessel", "CV"),
        ("Directing Vessel", "CV"),
        ("Triple Burner", "TE"),
        ("San Jiao", "TE"),
        ("Sanjiao", "TE"),
        ("Triple Energizer", "TE"),
        ("Heart", "HT"),
        ("Pericardium", "PC"),
    ],
)
def test_full_channel_names_read_every_point(index: PointIndex, name: str, channel: str) -> None:
    for number in range(1, CHANNEL_POINT_COUNTS[channel] + 1):
        if f"{channel}{number}" == "GV29":
            continue
        for text in (f"{name} {number}", f"{name.lower()} {number}", f"{name.upper()}-{number}"):
            assert index.resolve(text).code == f"{channel}{number}", text


def test_the_p_prefix_is_pericardium_and_says_so(index: PointIndex) -> None:
    for number in range(1, 10):
        found = index.lookup(f"P{number}")
        assert found.point.code == f"PC{number}"
        assert "Pericardium" in found.note and "Lung" in found.note
    assert index.lookup("PC6").note == ""


@pytest.mark.parametrize(("code", "pinyin"), sorted(OLDER_EXTRA_CODES.items()))
def test_each_older_extra_code_finds_the_extra_point_of_its_pinyin(
    index: PointIndex, code: str, pinyin: str
) -> None:
    point = index.resolve(code)
    assert point is not None, code
    assert point.code.startswith("EX-")
    assert point in index.matches(pinyin)
    group, number = code.split("-")[1:]
    assert index.resolve(f"m {group.lower()} {number}") is point
    assert index.resolve(f"M-{group}-0{number}") is point


def test_an_older_extra_code_not_in_the_table_is_not_guessed(index: PointIndex) -> None:
    for group in ("HN", "CA", "BW", "UE", "LE"):
        for number in range(1, 60):
            code = f"M-{group}-{number}"
            if code not in OLDER_EXTRA_CODES:
                assert index.lookup(code).readings == (), code


@pytest.mark.parametrize(("name", "code", "pinyin", "source"), ALTERNATIVE_NAMES)
def test_each_alternative_name_finds_its_point(
    index: PointIndex, name: str, code: str, pinyin: str, source: str
) -> None:
    assert source
    assert index.get(code).pinyin == pinyin
    assert index.resolve(name).code == code
    assert index.resolve(name.lower()).code == code


def test_an_alternative_name_shared_with_another_point_is_ambiguous() -> None:
    records = [
        PointRecord("GB39", "GB", 39, "Xuanzhong", "", "lower_leg", ""),
        PointRecord("XX1", "EX", 1, "Juegu", "", "lower_leg", ""),
    ]
    found = PointIndex(records).lookup("Juegu")
    assert found.ambiguous and {r.record.code for r in found.readings} == {"GB39", "XX1"}


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
    assert bladder_readings("b-54") == ("BL54", "BL40")
    assert bladder_readings("B23") is None
    assert bladder_readings("GB39") is None
    assert bladder_readings("BL47") is None
    assert bladder_readings("UB47") is None


def test_the_option_never_renumbers_an_explicit_who_code() -> None:
    assert normalise_code("BL40", legacy_bladder=True) == "BL40"
    assert normalise_code("BL52", legacy_bladder=True) == "BL52"
    assert normalise_code("UB47", legacy_bladder=True) == "BL47"
    assert normalise_code("B47", legacy_bladder=True) == "BL52"


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
