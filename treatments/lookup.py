"""Turn what a practitioner types into a canonical acupoint code.

People write the same point in many shapes: ``BL23``, ``bl 23``, ``UB-23``, ``B23``,
``Shenshu``, ``shèn shū``. Older English, French and German books use other channel
letters (``TW5``, ``SJ5``, ``Liv3``, ``VB34``, ``MC6``), and popular acupressure books
number the outer bladder line differently. This module maps all of those onto the WHO
code so a session note never silently records the wrong point.

It is deliberately pure (standard library only, no Django) so it can be used from
models, forms, management commands and tests alike. The catalogue itself lives in the
CSV files next to this module under ``data/``.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

DATA_DIR = Path(__file__).resolve().parent / "data"

# WHO channel codes in the conventional order (the order of the qi circulation, then the
# two midline vessels). Sorting by this order keeps suggestion lists stable and familiar.
CHANNELS: tuple[str, ...] = (
    "LU",
    "LI",
    "ST",
    "SP",
    "HT",
    "SI",
    "BL",
    "KI",
    "PC",
    "TE",
    "GB",
    "LR",
    "GV",
    "CV",
)

CHANNEL_NAMES: dict[str, str] = {
    "LU": "Lung",
    "LI": "Large Intestine",
    "ST": "Stomach",
    "SP": "Spleen",
    "HT": "Heart",
    "SI": "Small Intestine",
    "BL": "Bladder",
    "KI": "Kidney",
    "PC": "Pericardium",
    "TE": "Triple Energizer",
    "GB": "Gallbladder",
    "LR": "Liver",
    "GV": "Governor Vessel",
    "CV": "Conception Vessel",
}

# Number of points on each channel in the WHO standard (361 in all).
CHANNEL_POINT_COUNTS: dict[str, int] = {
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

# Extra points of the WHO 1991 list, by region group, with the number of codes in each.
EX_GROUP_COUNTS: dict[str, int] = {"HN": 15, "CA": 1, "B": 9, "UE": 11, "LE": 12}

# Older and foreign abbreviations, as they are usually written. Matching is
# case-insensitive, so "Li" and "LI" are the same key (Large Intestine), while "Liv" and
# "LV" are Liver. "P" is Pericardium in English books but Lung in French and Italian
# ones: we follow English usage and the UI shows the resolved name. "C" (coeur/Herz) is
# Heart, "R" (rein) Kidney, "F" (foie) Liver, "V" (vessie) Bladder, "E" (estomac) and
# "S" Stomach, "He" (German texts) Heart. One line per channel, mirroring the table in
# docs/domain.md#channels-and-codes.
# fmt: off
CHANNEL_ALIASES: dict[str, str] = {
    "Lu": "LU",
    "Li": "LI", "IC": "LI", "GI": "LI",
    "St": "ST", "S": "ST", "E": "ST",
    "Sp": "SP", "MP": "SP", "RP": "SP",
    "H": "HT", "Ht": "HT", "C": "HT", "He": "HT",
    "IT": "SI", "IG": "SI",
    "B": "BL", "UB": "BL", "V": "BL",
    "K": "KI", "Kid": "KI", "R": "KI",
    "P": "PC", "MC": "PC",
    "TW": "TE", "SJ": "TE", "TB": "TE", "TH": "TE", "TR": "TE",
    "VB": "GB",
    "Liv": "LR", "LV": "LR", "F": "LR",
    "Du": "GV", "DU": "GV", "VG": "GV",
    "Ren": "CV", "RN": "CV", "VC": "CV",
}
# fmt: on

# Codes from other standards that name a point we file elsewhere. Newer Chinese
# standards moved Yintang onto the Governor Vessel as GV29; we keep the WHO 1991 code.
CODE_ALIASES: dict[str, str] = {"GV29": "EX-HN3"}

# One lookup table, keyed by the separator-free upper-case spelling. Full channel names
# ("Kidney 3", "San Jiao 5") are accepted too because people paste them from handouts.
_CHANNEL_LOOKUP: dict[str, str] = {
    **{code: code for code in CHANNELS},
    **{alias.upper(): code for alias, code in CHANNEL_ALIASES.items()},
    **{re.sub(r"\s+", "", name).upper(): code for code, name in CHANNEL_NAMES.items()},
    "GALLBLADDER": "GB",
    "URINARYBLADDER": "BL",
    "SANJIAO": "TE",
    "TRIPLEBURNER": "TE",
    "TRIPLEWARMER": "TE",
    "TRIPLEHEATER": "TE",
    "TRIPLEENERGISER": "TE",
    "GOVERNINGVESSEL": "GV",
    "DUMAI": "GV",
    "DIRECTINGVESSEL": "CV",
    "RENMAI": "CV",
}

# The two ways of reading a bare "B" code between 36 and 54 (the values PointApplication.reading
# stores): WHO numbering, or the older numbering of popular Western acupressure books.
WHO_READING = "who"
OLDER_READING = "older"
# Only a bare "B" (the older books' own prefix) is read the older way; "BL", "UB", "V" and
# "Bladder" always mean WHO numbers.
LEGACY_BLADDER_RANGE = range(36, 55)

# Extra points in the older English texts of the 1970s-80s (the "M-" codes of O'Connor and
# Bensky's *Acupuncture: A Comprehensive Text*, 1981), before the WHO 1991 EX list. Their
# numbers do not follow the EX numbers, so each maps to the point by its pinyin name. Only the
# well-known ones are listed; the name must be the catalogue's pinyin or one of its aliases.
# fmt: off
OLDER_EXTRA_CODES: dict[str, str] = {
    "M-HN-1": "Sishencong",
    "M-HN-3": "Yintang",
    "M-HN-6": "Yuyao",
    "M-HN-8": "Qiuhou",
    "M-HN-9": "Taiyang",
    "M-HN-10": "Erjian",
    "M-HN-13": "Yiming",
    "M-HN-14": "Bitong",
    "M-HN-30": "Bailao",
    "M-CA-18": "Zigong",
    "M-BW-1": "Dingchuan",
    "M-BW-24": "Yaoyan",
    "M-BW-25": "Shiqizhuixia",
    "M-BW-35": "Huatuojiaji",
    "M-UE-1": "Shixuan",
    "M-UE-9": "Sifeng",
    "M-UE-22": "Baxie",
    "M-UE-24": "Luozhen",
    "M-UE-29": "Erbai",
    "M-LE-8": "Bafeng",
    "M-LE-13": "Lanweixue",
    "M-LE-16": "Xiyan",
    "M-LE-23": "Dannangxue",
    "M-LE-27": "Heding",
    "M-LE-34": "Baichongwo",
}
# fmt: on

_DEADMAN = "Deadman, A Manual of Acupuncture (alternative names)"
_BENSKY = "O'Connor and Bensky, Acupuncture: A Comprehensive Text (1981)"
_MODERN = "modern Chinese textbooks"

# Other names popular books give a point: (name, WHO or EX code, that point's pinyin, source).
# The pinyin is there so a reader (and a test) can check the row points where it means to.
# A name that is also another point's name makes both ambiguous, never a silent pick.
ALTERNATIVE_NAMES: tuple[tuple[str, str, str, str], ...] = (
    ("Juegu", "GB39", "Xuanzhong", _DEADMAN),
    ("Hukou", "LI4", "Hegu", _DEADMAN),
    ("Renzhong", "GV26", "Shuigou", _DEADMAN),
    ("Dichong", "KI1", "Yongquan", _DEADMAN),
    ("Zhangzhong", "PC8", "Laogong", _DEADMAN),
    ("Bojing", "GB21", "Jianjing", _DEADMAN),
    ("Yufu", "BL57", "Chengshan", _DEADMAN),
    ("Taicang", "CV12", "Zhongwan", _DEADMAN),
    ("Xuexi", "BL40", "Weizhong", _DEADMAN),
    ("Qizhong", "CV8", "Shenque", _DEADMAN),
    ("Waixiyan", "ST35", "Dubi", _MODERN),
    ("Bitong", "EX-HN8", "Shangyingxiang", _BENSKY),
    ("Shiqizhuixia", "EX-B8", "Shiqizhui", _BENSKY),
    ("Yaotongxue", "EX-UE7", "Yaotongdian", _BENSKY),
    ("Lanweixue", "EX-LE7", "Lanwei", _BENSKY),
    ("Dannangxue", "EX-LE6", "Dannang", _BENSKY),
)

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015._/]+")
_CHANNEL_CODE = re.compile(r"([A-Z]+)(\d+)")
_EX_CODE = re.compile(r"EX(HN|CA|B|UE|LE)(\d+)")
_OLDER_EXTRA_CODE = re.compile(r"M(HN|CA|BW|UE|LE)0*(\d+)")
_EX_GROUP_ORDER = tuple(EX_GROUP_COUNTS)


def _clean(text: str) -> str:
    """Upper-case and drop spaces, hyphens, dots and similar separators."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def _legacy_bladder_to_who(number: int) -> int:
    """Read a bladder number in the older Western numbering of popular acupressure books.

    Those books run the outer back line before the leg: their B36-B49 are WHO BL41-BL54
    and their B50-B54 are WHO BL36-BL40; below 36 and from 55 on the numbers agree.
    """
    if 36 <= number <= 49:
        return number + 5
    if 50 <= number <= 54:
        return number - 14
    return number


def is_legacy_bladder(text: str) -> bool:
    """Is this a bare ``B36``-``B54``, the codes the two bladder numberings read differently?

    Any case, spacing or hyphen (``b 47``, ``B-47``). ``BL47``, ``UB47`` and ``V47`` are WHO
    codes and never count.
    """
    match = _CHANNEL_CODE.fullmatch(_clean(text or ""))
    return match is not None and match.group(1) == "B" and int(match.group(2)) in LEGACY_BLADDER_RANGE


def normalise_code(text: str, *, legacy_bladder: bool = False) -> str | None:
    """Return the canonical code for a typed point code, or None if it is not one.

    Accepts any case and spacing, hyphens or dots (``bl 23``, ``BL-23``, ``UB23``,
    ``B23``, ``P6``, ``Liv3``, ``ex-hn3``, ``EX HN 3``). Numbers outside a channel's
    range (``BL99``, ``LU12``) give None, as does anything without both a channel and a
    number. With ``legacy_bladder`` the bladder number is read in the older numbering of
    popular acupressure books (B47 -> BL52).
    """
    if not text:
        return None
    cleaned = _clean(text)

    match = _EX_CODE.fullmatch(cleaned)
    if match:
        group, number = match.group(1), int(match.group(2))
        if 1 <= number <= EX_GROUP_COUNTS[group]:
            return f"EX-{group}{number}"
        return None

    match = _CHANNEL_CODE.fullmatch(cleaned)
    if not match:
        return None
    channel = _CHANNEL_LOOKUP.get(match.group(1))
    if channel is None:
        return None
    number = int(match.group(2))
    if legacy_bladder and match.group(1) == "B":
        number = _legacy_bladder_to_who(number)
    code = f"{channel}{number}"
    if code in CODE_ALIASES:
        return CODE_ALIASES[code]
    if 1 <= number <= CHANNEL_POINT_COUNTS[channel]:
        return code
    return None


def bladder_readings(text: str) -> tuple[str, str] | None:
    """For a bare ``B36``-``B54``, return (WHO reading, older-book reading).

    "B47" is BL47 in WHO numbering but BL52 in Gach-style books; the UI shows both and
    lets the practitioner choose. Returns None when the two readings agree or the text is
    not a bare B code (``BL47`` and ``UB47`` are WHO codes: one reading).
    """
    if not is_legacy_bladder(text):
        return None
    who = normalise_code(text)
    legacy = normalise_code(text, legacy_bladder=True)
    if who is None or legacy is None:
        return None
    return who, legacy


def older_extra_pinyin(text: str) -> str | None:
    """The pinyin an older ``M-HN-3``-style extra-point code stands for, or None."""
    match = _OLDER_EXTRA_CODE.fullmatch(_clean(text or ""))
    if not match:
        return None
    return OLDER_EXTRA_CODES.get(f"M-{match.group(1)}-{int(match.group(2))}")


def fold(text: str) -> str:
    """Fold a name for matching: lower-case, no tone marks, spaces, hyphens or apostrophes.

    "Zú Sān Lǐ", "zu san li" and "Zusanli" all become "zusanli".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s\-\u2010-\u2015'\u2018\u2019`]+", "", stripped).lower()


def code_sort_key(code: str) -> tuple[int, int, int, str]:
    """Sort key giving channel order, then number; extra points after the channels."""
    cleaned = _clean(code)
    match = _EX_CODE.fullmatch(cleaned)
    if match:
        return (1, _EX_GROUP_ORDER.index(match.group(1)), int(match.group(2)), code)
    match = _CHANNEL_CODE.fullmatch(cleaned)
    if match and match.group(1) in CHANNEL_POINT_COUNTS:
        return (0, CHANNELS.index(match.group(1)), int(match.group(2)), code)
    # A clinic's own points (trigger points, ear points) come last, alphabetically.
    return (2, 0, 0, code)


@dataclass(frozen=True)
class PointRecord:
    """One catalogue row, as read from the CSV files."""

    code: str
    channel: str
    number: int
    pinyin: str
    english: str
    region: str
    location: str
    alt_location: str = ""
    aliases: tuple[str, ...] = ()


def _split_aliases(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Accept aliases as a sequence or as a ';'-separated string (as stored in CSV)."""
    if not value:
        return ()
    if isinstance(value, str):
        parts: Iterable[str] = re.split(r"[;,]", value)
    else:
        parts = value
    return tuple(part.strip() for part in parts if part and part.strip())


def _read_csv(path: Path) -> list[PointRecord]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            PointRecord(
                code=row["code"].strip(),
                channel=row["channel"].strip(),
                number=int(row["number"]),
                pinyin=row["pinyin"].strip(),
                english=row.get("english", "").strip(),
                region=row["region"].strip(),
                location=row["location"].strip(),
                alt_location=(row.get("alt_location") or "").strip(),
                aliases=_split_aliases(row.get("aliases")),
            )
            for row in csv.DictReader(handle)
        ]


def load_catalogue(path: str | Path | None = None) -> list[PointRecord]:
    """Read the WHO points and the extra points from ``path`` (a directory).

    Defaults to this app's ``data`` directory. The extra-point file is optional so a
    trimmed-down catalogue still loads.
    """
    directory = Path(path) if path is not None else DATA_DIR
    records = _read_csv(directory / "who_points.csv")
    extra = directory / "extra_points.csv"
    if extra.exists():
        records.extend(_read_csv(extra))
    return records


class PointLike(Protocol):
    """What the index reads of a record. ``english`` and ``aliases`` are read when there."""

    @property
    def code(self) -> str: ...

    @property
    def pinyin(self) -> str: ...


# The record type an index holds (a PointRecord, a Point row, a test double), handed back as is.
PointT = TypeVar("PointT", bound=PointLike)
# The same for the classes that only hold a record. Unbounded on purpose: `QuickEntry[Point, ...]`
# in a class body is checked before mypy has inferred a model's field types, and a bound there
# would reject Point (typeddjango/django-stubs#651).
RecordT = TypeVar("RecordT")
_T = TypeVar("_T")


def _unique(records: Iterable[_T]) -> list[_T]:
    """Drop repeats, keeping order (by identity, so unhashable records work too)."""
    seen: set[int] = set()
    result: list[_T] = []
    for record in records:
        if id(record) not in seen:
            seen.add(id(record))
            result.append(record)
    return result


def _aliases_of(record: PointLike) -> tuple[str, ...]:
    return _split_aliases(getattr(record, "aliases", ()))


@dataclass(frozen=True)
class Reading(Generic[RecordT]):
    """One point a typed entry can mean, and the bladder numbering that gives it ("" if none)."""

    record: RecordT
    numbering: str = ""


@dataclass(frozen=True)
class Lookup(Generic[PointT]):
    """What a typed entry names: every reading it allows, and the one taken, if any.

    ``chosen`` is None when nothing matches or when the entry could be two points (a bare
    B36-B54 without a choice of numbering, a name two points share): then nothing may be
    saved until the practitioner picks one of ``readings``.
    """

    text: str
    readings: tuple[Reading[PointT], ...] = ()
    chosen: Reading[PointT] | None = None

    @property
    def point(self) -> PointT | None:
        return self.chosen.record if self.chosen else None

    @property
    def numbering(self) -> str:
        return self.chosen.numbering if self.chosen else ""

    @property
    def ambiguous(self) -> bool:
        return self.chosen is None and len(self.readings) > 1

    @property
    def numbering_choice(self) -> bool:
        """The two readings are the two bladder numberings (a choice of reading, not of name)."""
        return any(r.numbering for r in self.readings)

    @property
    def note(self) -> str:
        """What the preview says beside the point so the reading taken is never silent."""
        text = self.text.strip()
        if self.chosen is None:
            return ""
        code = self.chosen.record.code
        if self.numbering == OLDER_READING:
            who = next((r.record.code for r in self.readings if r.numbering == WHO_READING), "")
            return f"“{text}” read in the older bladder numbering as {code} (WHO {who} otherwise)."
        if self.numbering == WHO_READING:
            older = next((r.record.code for r in self.readings if r.numbering == OLDER_READING), "")
            return f"“{text}” read in WHO numbering as {code} (older acupressure books mean {older})."
        match = _CHANNEL_CODE.fullmatch(_clean(text))
        if match and match.group(1) == "P":
            return (
                f"“{text}” read as {code} (Pericardium, as in English books); "
                "French and Italian books mean the Lung by P."
            )
        return ""


class PointIndex(Generic[PointT]):
    """Fast lookup over a catalogue of points.

    Records may be anything with ``code``, ``pinyin``, ``english`` and ``aliases``
    attributes: a :class:`PointRecord`, a Django model instance or a test double.
    Aliases may be other codes (``GV29``) or other names (``Huatuojiaji``).
    """

    def __init__(self, records: Iterable[PointT]) -> None:
        self._records: list[PointT] = sorted(records, key=lambda r: code_sort_key(r.code))
        self._by_code: dict[str, PointT] = {}
        self._by_pinyin: dict[str, list[PointT]] = {}
        self._by_english: dict[str, list[PointT]] = {}
        # Name keys used for prefix/substring search: (folded name, record).
        self._name_keys: list[tuple[str, PointT]] = []
        for record in self._records:
            self._by_code.setdefault(_clean(record.code), record)
            pinyin = fold(record.pinyin or "")
            if pinyin:
                self._by_pinyin.setdefault(pinyin, []).append(record)
                self._name_keys.append((pinyin, record))
            english = fold(getattr(record, "english", "") or "")
            if english:
                self._by_english.setdefault(english, []).append(record)
        # Aliases are registered after every real code so they can never shadow one.
        for record in self._records:
            for alias in _aliases_of(record):
                if any(ch.isdigit() for ch in alias):
                    self._by_code.setdefault(_clean(alias), record)
                else:
                    self._add_name(alias, record)
        # Alternative names from the books, for the points this catalogue holds.
        for name, code, _pinyin, _source in ALTERNATIVE_NAMES:
            named = self._by_code.get(_clean(code))
            if named is not None and named not in self._by_pinyin.get(fold(name), []):
                self._add_name(name, named)

    def _add_name(self, name: str, record: PointT) -> None:
        key = fold(name)
        self._by_pinyin.setdefault(key, []).append(record)
        self._name_keys.append((key, record))

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[PointT]:
        return iter(self._records)

    def get(self, code: str) -> PointT | None:
        """Return the record stored under exactly this code (separators ignored)."""
        return self._by_code.get(_clean(code))

    def matches(self, text: str, *, legacy_bladder: bool = False) -> list[PointT]:
        """All records the text names exactly: one for a code, several for a shared name.

        Some pinyin names belong to two points (Futu is LI18 and ST32, Zigong is CV19
        and EX-CA1), so a bare name may match more than one record.
        """
        if not text or not text.strip():
            return []
        return [reading.record for reading in self._readings(text, legacy_bladder=legacy_bladder)]

    def _readings(self, text: str, *, legacy_bladder: bool = False) -> list[Reading[PointT]]:
        pair = bladder_readings(text)
        if pair is not None:
            # A bare B36-B54: both numberings, unless the older one is switched on.
            who, older = (self._by_code.get(_clean(code)) for code in pair)
            found = [Reading(r, n) for r, n in ((who, WHO_READING), (older, OLDER_READING)) if r is not None]
            return [r for r in found if r.numbering == OLDER_READING] if legacy_bladder else found
        # A clinic's own code wins over any reading of it as a channel abbreviation.
        record = self._by_code.get(_clean(text))
        if record is not None:
            return [Reading(record)]
        code = normalise_code(text)
        if code is not None:
            record = self._by_code.get(_clean(code))
            return [Reading(record)] if record is not None else []
        pinyin = older_extra_pinyin(text)
        if pinyin is not None:
            named = _unique(self._by_pinyin.get(fold(pinyin), []))
            # M- codes name extra points: where a WHO point shares the name (Zigong is also
            # CV19, Erjian also LI2), the extra point is the one meant.
            extra = [r for r in named if _EX_CODE.fullmatch(_clean(r.code))]
            return [Reading(r) for r in (extra or named)]
        key = fold(text)
        return [Reading(r) for r in _unique(self._by_pinyin.get(key) or self._by_english.get(key) or [])]

    def lookup(self, text: str, *, legacy_bladder: bool = False, numbering: str = "") -> Lookup[PointT]:
        """Every reading of the text, and the one taken: the only one, or the numbering asked for.

        ``numbering`` (``"who"`` or ``"older"``) is the practitioner's choice for a bare
        B36-B54; without it (and without ``legacy_bladder``) such a code is ambiguous.
        """
        if not text or not text.strip():
            return Lookup(text or "")
        readings = tuple(self._readings(text))
        if legacy_bladder and not numbering:
            numbering = OLDER_READING
        chosen = next((r for r in readings if numbering and r.numbering == numbering), None)
        if chosen is None and len(readings) == 1:
            chosen = readings[0]
        return Lookup(text, readings, chosen)

    def resolve(self, text: str, *, legacy_bladder: bool = False) -> PointT | None:
        """Return the one record the text names, or None if unknown or ambiguous."""
        found = self.matches(text, legacy_bladder=legacy_bladder)
        return found[0] if len(found) == 1 else None

    def suggest(self, text: str, limit: int = 10) -> list[PointT]:
        """Rank candidates for partial input, best first.

        Tiers: exact code or name; code prefix; pinyin prefix; pinyin substring; English
        substring. Within a tier points keep channel order, so results never jump about.
        """
        if not text or not text.strip() or limit <= 0:
            return []
        tiers: dict[int, list[PointT]] = {}
        seen: set[int] = set()

        def add(tier: int, record: PointT) -> None:
            if id(record) not in seen:
                seen.add(id(record))
                tiers.setdefault(tier, []).append(record)

        for record in self.matches(text):
            add(0, record)

        for prefix in self._code_prefixes(text):
            for record in self._records:
                if _clean(record.code).startswith(prefix):
                    add(1, record)

        key = fold(text)
        if key:
            for name, record in self._name_keys:
                if name.startswith(key):
                    add(2, record)
            for name, record in self._name_keys:
                if key in name:
                    add(3, record)
            for record in self._records:
                if key in fold(getattr(record, "english", "") or ""):
                    add(4, record)

        ranked: list[PointT] = []
        for tier in sorted(tiers):
            ranked.extend(sorted(tiers[tier], key=lambda r: code_sort_key(r.code)))
        return ranked[:limit]

    def did_you_mean(self, text: str, limit: int = 5) -> list[PointT]:
        """Sensible alternatives for input that does not resolve cleanly.

        * A name shared by several points gives all of them.
        * A bladder code between 36 and 54 gives both the WHO and the older-book reading.
        * A code past the end of its channel (BL99) gives the nearest codes on it.
        * A misspelt name (Hegoo) gives the closest names by edit similarity.
        """
        if not text or not text.strip():
            return []
        found = self.matches(text)
        if found:
            return _unique(found)[:limit]

        channel_number = self._channel_and_number(text)
        if channel_number is not None:
            channel, number = channel_number
            on_channel = [
                r for r in self._records if code_sort_key(r.code)[:2] == (0, CHANNELS.index(channel))
            ]
            on_channel.sort(key=lambda r: (abs(code_sort_key(r.code)[2] - number), r.code))
            return on_channel[:limit]

        key = fold(text)
        if not key:
            return []
        names = dict.fromkeys(name for name, _ in self._name_keys)
        names.update(dict.fromkeys(self._by_english))
        close = difflib.get_close_matches(key, list(names), n=limit, cutoff=0.6)
        result = [
            record
            for name in close
            for record in self._by_pinyin.get(name, []) + self._by_english.get(name, [])
        ]
        return _unique(result)[:limit]

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _channel_and_number(text: str) -> tuple[str, int] | None:
        match = _CHANNEL_CODE.fullmatch(_clean(text))
        if not match:
            return None
        channel = _CHANNEL_LOOKUP.get(match.group(1))
        return (channel, int(match.group(2))) if channel else None

    @staticmethod
    def _code_prefixes(text: str) -> Sequence[str]:
        """Separator-free code prefixes the text could be the start of."""
        cleaned = _clean(text)
        if not cleaned:
            return ()
        prefixes = [cleaned]
        match = re.fullmatch(r"([A-Z]+)(\d*)", cleaned)
        if match:
            channel = _CHANNEL_LOOKUP.get(match.group(1))
            if channel and channel != match.group(1):
                prefixes.append(channel + match.group(2))
        return prefixes
