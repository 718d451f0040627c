"""Checks on the acupoint catalogue CSVs: counts, numbering, names, regions, cautions.

These read the files with the csv module directly (not through treatments.lookup) so a
bug in the loader cannot hide a bug in the data. No database is needed.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from clients.regions import BodyRegion
from treatments.lookup import load_catalogue

DATA = Path(__file__).resolve().parents[1] / "data"

# Straight from docs/domain.md#channels-and-codes (kept here rather than imported, as an independent check).
WHO_COUNTS = {
    "LU": 11,
    "LI": 20,
    "ST": 45,
    "SP": 21,
    "HT": 9,
    "SI": 19,
    "BL": 67,
    "KI": 27,
    "PC": 9,
    "TE": 23,
    "GB": 44,
    "LR": 14,
    "GV": 28,
    "CV": 24,
}
ALT_LOCATION_POINTS = {"LI19", "LI20", "PC8", "PC9", "GB30", "GV26"}
PREGNANCY_POINTS = {"LI4", "SP6", "BL60", "BL67", "GB21", "BL31", "BL32", "BL33", "BL34"}
CAUTION_KINDS = {"avoid_if", "never_press", "no_deep_pressure", "gentle_only"}


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


WHO = _rows("who_points.csv")
EXTRA = _rows("extra_points.csv")
CAUTIONS = _rows("point_cautions.csv")
ALL_CODES = {row["code"] for row in WHO + EXTRA}


def test_who_file_has_exactly_361_points() -> None:
    assert len(WHO) == 361


def test_who_columns() -> None:
    with (DATA / "who_points.csv").open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert header == ["code", "channel", "number", "pinyin", "english", "region", "location", "alt_location"]


def test_per_channel_counts_match_domain() -> None:
    assert Counter(row["channel"] for row in WHO) == WHO_COUNTS


def test_codes_unique_and_numbered_without_gaps() -> None:
    codes = [row["code"] for row in WHO]
    assert len(codes) == len(set(codes))
    for channel, count in WHO_COUNTS.items():
        numbers = [int(row["number"]) for row in WHO if row["channel"] == channel]
        assert numbers == list(range(1, count + 1)), channel
    for row in WHO:
        assert row["code"] == f"{row['channel']}{row['number']}"


@pytest.mark.parametrize("row", WHO + EXTRA, ids=lambda row: row["code"])
def test_every_point_has_names_location_and_valid_region(row: dict[str, str]) -> None:
    # Pinyin without tone marks: one or two capitalised words of plain letters.
    assert re.fullmatch(r"[A-Z][a-z]+( [A-Z]?[a-z]+)?", row["pinyin"]), row["pinyin"]
    assert row["location"].strip()
    assert row["location"].rstrip().endswith(".")
    assert row["region"] in BodyRegion.values


def test_english_names_filled_and_distinct() -> None:
    names = [row["english"] for row in WHO + EXTRA]
    assert all(names)
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    assert duplicates == []


def test_alternative_locations_are_exactly_the_six_who_points() -> None:
    with_alt = {row["code"] for row in WHO if row["alt_location"].strip()}
    assert with_alt == ALT_LOCATION_POINTS


@pytest.mark.parametrize(
    ("code", "pinyin"),
    [
        ("LU7", "Lieque"),
        ("LI4", "Hegu"),
        ("LI11", "Quchi"),
        ("ST25", "Tianshu"),
        ("ST36", "Zusanli"),
        ("SP6", "Sanyinjiao"),
        ("SP10", "Xuehai"),
        ("HT7", "Shenmen"),
        ("SI3", "Houxi"),
        ("BL13", "Feishu"),
        ("BL23", "Shenshu"),
        ("BL40", "Weizhong"),
        ("BL52", "Zhishi"),
        ("BL53", "Baohuang"),
        ("BL60", "Kunlun"),
        ("KI3", "Taixi"),
        ("PC6", "Neiguan"),
        ("TE5", "Waiguan"),
        ("GB20", "Fengchi"),
        ("GB34", "Yanglingquan"),
        ("GB39", "Xuanzhong"),
        ("LR3", "Taichong"),
        ("GV4", "Mingmen"),
        ("GV20", "Baihui"),
        ("CV4", "Guanyuan"),
        ("CV12", "Zhongwan"),
        ("CV17", "Danzhong"),
    ],
)
def test_well_known_pinyin(code: str, pinyin: str) -> None:
    row = next(row for row in WHO if row["code"] == code)
    assert row["pinyin"] == pinyin


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("BL23", "lower_back"),
        ("ST36", "lower_leg"),
        ("LI4", "hand"),
        ("PC6", "forearm"),
        ("SP6", "lower_leg"),
        ("GB21", "shoulder"),
        ("CV4", "lower_abdomen"),
        ("CV12", "abdomen"),
        ("BL31", "sacrum"),
        ("BL32", "sacrum"),
        ("BL33", "sacrum"),
        ("BL34", "sacrum"),
        ("BL1", "face"),
        ("ST17", "chest"),
        ("CV8", "abdomen"),
        ("GV20", "head"),
        ("KI1", "foot"),
        ("BL40", "knee"),
        ("BL57", "lower_leg"),
        ("BL52", "lower_back"),
    ],
)
def test_spot_check_regions(code: str, region: str) -> None:
    row = next(row for row in WHO if row["code"] == code)
    assert row["region"] == region


def test_extra_points_shape() -> None:
    assert EXTRA, "extra_points.csv is empty"
    assert {row["channel"] for row in EXTRA} == {"EX"}
    for row in EXTRA:
        match = re.fullmatch(r"EX-(HN|CA|B|UE|LE)(\d+)", row["code"])
        assert match, row["code"]
        assert int(row["number"]) == int(match.group(2))
    codes = [row["code"] for row in EXTRA]
    assert len(codes) == len(set(codes))
    assert not set(codes) & {row["code"] for row in WHO}


@pytest.mark.parametrize(
    ("code", "pinyin"),
    [
        ("EX-HN1", "Sishencong"),
        ("EX-HN3", "Yintang"),
        ("EX-HN4", "Yuyao"),
        ("EX-HN5", "Taiyang"),
        ("EX-HN14", "Yiming"),
        ("EX-CA1", "Zigong"),
        ("EX-B1", "Dingchuan"),
        ("EX-B2", "Jiaji"),
        ("EX-B7", "Yaoyan"),
        ("EX-B8", "Shiqizhui"),
        ("EX-UE9", "Baxie"),
        ("EX-UE11", "Shixuan"),
        ("EX-LE4", "Neixiyan"),
        ("EX-LE5", "Xiyan"),
        ("EX-LE7", "Lanwei"),
        ("EX-LE10", "Bafeng"),
    ],
)
def test_extra_points_in_daily_use(code: str, pinyin: str) -> None:
    row = next(row for row in EXTRA if row["code"] == code)
    assert row["pinyin"] == pinyin


def test_yintang_carries_gv29_alias() -> None:
    row = next(row for row in EXTRA if row["code"] == "EX-HN3")
    assert "GV29" in row["aliases"].split(";")


def test_code_aliases_do_not_collide_with_real_codes() -> None:
    for row in EXTRA:
        for alias in filter(None, row["aliases"].split(";")):
            assert alias not in ALL_CODES


@pytest.mark.parametrize("row", CAUTIONS, ids=lambda row: f"{row['code']}-{row['kind']}")
def test_caution_rows_are_well_formed(row: dict[str, str]) -> None:
    assert row["code"] in ALL_CODES
    assert row["kind"] in CAUTION_KINDS
    if row["kind"] == "avoid_if":
        assert row["condition"].strip()
    else:
        assert row["condition"] == ""
    assert row["note"].strip()


def _caution_codes(kind: str, condition: str = "") -> set[str]:
    return {r["code"] for r in CAUTIONS if r["kind"] == kind and r["condition"] == condition}


def test_pregnancy_points_from_domain_are_flagged() -> None:
    flagged = _caution_codes("avoid_if", "pregnancy")
    assert flagged >= PREGNANCY_POINTS
    # The lower-abdominal Conception Vessel points.
    assert {f"CV{n}" for n in range(2, 8)} <= flagged


def test_landmarks_arteries_and_eye_points() -> None:
    assert {"ST17", "CV8"} <= _caution_codes("never_press")
    assert {"LU9", "ST9", "ST42", "HT1", "SP12", "LI18"} <= _caution_codes("no_deep_pressure")
    assert {"BL1", "ST1"} <= _caution_codes("gentle_only")


def test_no_duplicate_caution_rows() -> None:
    keys = [(r["code"], r["kind"], r["condition"]) for r in CAUTIONS]
    assert len(keys) == len(set(keys))


def test_loader_reads_both_files() -> None:
    records = load_catalogue()
    assert len(records) == len(WHO) + len(EXTRA)
    yintang = next(r for r in records if r.code == "EX-HN3")
    assert yintang.aliases == ("GV29",)
    assert next(r for r in records if r.code == "GB30").alt_location
