"""The quick line: "LI4 both 60s static; BL23 L 90s" becomes one row per point.

Pure: the point look-up and the technique names come in as arguments, so the parser runs
without a database. Entries are separated by `;`, commas or new lines (a comma followed only
by settings, as in "LI4 L, 60s", keeps them with their point). Each entry names a point, as a
code (`BL23`, `bl 23`, `UB-23`, `HE7`, `M-HN-3`), an alias (`GV29`), a channel name
(`Governing Vessel 20`) or a pinyin name (`Zu San Li`, `Juegu`); then, in any order:

- side: `L`, `R`, `B`, `both`, `bilat`, `bilateral`, `left`, `right`, `mid`, `midline`;
- duration: `60s`, `90 s`, `2m`, `1.5min`, `2 min`, `x2 min`;
- pressure on the 0-5 scale: `p3`, `pressure 3` or `3/5`;
- technique: a short name, name or Chinese name from the technique catalogue (`static`,
  `kneading`, `circular`, `tapping`, `an fa`, ...).

The point comes first, so `P3 p2` is PC3 at pressure 2. Nothing is dropped silently: a word
the parser cannot place is an error on its entry (each error names the entry by number and
text), a point it cannot find gets "did you mean" candidates, an entry that could be two
points (a bare B36-B54, read differently by WHO and by older acupressure books; a name two
points share) is held until one reading is chosen, and a point written twice is warned about.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from treatments.lookup import Lookup, PointT, Reading, RecordT, fold

MAX_SECONDS = 3600
MAX_PRESSURE = 5
# Longest run of words tried as one point ("Governing Vessel 20" is three).
_MAX_POINT_WORDS = 4
# Longest run of words tried as one technique ("Static / sustained pressure" is four).
_MAX_TECHNIQUE_WORDS = 4

SIDES = {
    "l": "left",
    "left": "left",
    "r": "right",
    "right": "right",
    "b": "both",
    "both": "both",
    "bil": "both",
    "bilat": "both",
    "bilateral": "both",
    "bilaterally": "both",
    "m": "midline",
    "mid": "midline",
    "midline": "midline",
}

_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
}
_UNITS = "seconds|second|secs|sec|s|minutes|minute|mins|min|m"
# "x2 min" is written for "for 2 minutes": the x (or multiplication sign) is dropped.
_TIMES = "[x\u00d7]"
_DURATION = re.compile(rf"(?:{_TIMES}\s*)?(\d+(?:\.\d+)?)\s*({_UNITS})", re.I)
_PRESSURE = re.compile(r"(?:p|pressure)\s*[:=]?\s*(\d+)|(\d+)\s*/\s*5", re.I)
_PRESSURE_WORDS = ("p", "pressure", "pressure:", "pressure=")
# A duration or pressure may be written with spaces inside ("90 s", "3 / 5"): keep it one token.
_TOKEN = re.compile(
    rf"(?:{_TIMES}\s*)?\d+(?:\.\d+)?\s*(?:{_UNITS})(?![\w/])"
    r"|\d+\s*/\s*5(?!\d)"
    r"|[^\s,]+",
    re.I,
)
_ENTRY_SPLIT = re.compile(r"[;\n\r]+")
# Words of a technique's name that say nothing about which technique it is.
_NAME_STOP_WORDS = frozenset({"and", "or", "the", "of", "with", "pressure", "motion"})


class PointLookup(Protocol[PointT]):
    """The point look-up the parser needs: a PointIndex, or the catalogue built on one."""

    def lookup(self, text: str, *, legacy_bladder: bool = False, numbering: str = "") -> Lookup[PointT]: ...

    def did_you_mean(self, text: str) -> Sequence[PointT]: ...


class TechniqueLike(Protocol):
    """What `technique_names` reads of a technique (a Technique row or a test double)."""

    @property
    def name(self) -> str: ...

    @property
    def chinese_name(self) -> str: ...

    @property
    def short_name_list(self) -> Sequence[str]: ...


# The technique type the caller maps names to, handed back as is on each entry.
TechniqueT = TypeVar("TechniqueT")
_NamedT = TypeVar("_NamedT", bound=TechniqueLike)
# (setting, value, words used): the value is an int (seconds, pressure), a str (side) or a
# technique; QuickEntry's fields type each one.
_Setting = tuple[str, Any, int]


@dataclass(frozen=True)
class QuickEntry(Generic[RecordT, TechniqueT]):
    """One parsed entry: the point found (or not) and the settings written beside it."""

    number: int
    raw: str
    point_text: str
    point: RecordT | None = None
    side: str | None = None
    seconds: int | None = None
    pressure: int | None = None
    technique: TechniqueT | None = None
    unknown: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    did_you_mean: tuple[RecordT, ...] = ()
    # Every point the entry could mean, and the bladder numbering taken ("" when only one).
    readings: tuple[Reading[RecordT], ...] = ()
    numbering: str = ""

    @property
    def ok(self) -> bool:
        """Every word placed and the point found: the entry can become a row."""
        return self.point is not None and not self.unknown and not self.errors

    @property
    def numbering_choice(self) -> bool:
        """The entry waits for the practitioner to choose one of two bladder numberings."""
        return self.point is None and any(r.numbering for r in self.readings)

    @property
    def label(self) -> str:
        """How messages name this entry: its position and what was written."""
        return f"Entry {self.number} (“{self.raw}”)"


def tokenise(text: str) -> list[str]:
    return _TOKEN.findall(text)


def technique_key(text: str) -> str:
    """Fold a technique's name for matching: "An fa", "an-fa" and "ANFA" are one key."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def parse_quick_line(
    text: str,
    *,
    points: PointLookup[PointT],
    techniques: Mapping[str, TechniqueT],
    legacy_bladder: bool = False,
    numbering: Mapping[int, str] | None = None,
) -> list[QuickEntry[PointT, TechniqueT]]:
    """Parse the whole quick line into entries, in the order written.

    `techniques` maps each name the line may use for a technique to the technique (see
    `technique_names`). `numbering` holds the practitioner's reading ("who" or "older") of an
    entry's bare B36-B54 code, by entry number.
    """
    names = {technique_key(name): technique for name, technique in techniques.items()}
    entries = [
        _parse_entry(number, raw, points, names, legacy_bladder, (numbering or {}).get(number, ""))
        for number, raw in enumerate(split_entries(text, names), start=1)
    ]
    return _warn_repeats(entries)


def split_entries(text: str, techniques: Mapping[str, object]) -> list[str]:
    """The entries of a line: split on `;`, new lines and commas.

    A comma followed only by settings ("LI4 L, 60s, static") leaves them with the entry
    before, so commas may separate settings as well as entries.
    """
    entries: list[str] = []
    for segment in _ENTRY_SPLIT.split(text or ""):
        pieces = [piece.strip() for piece in segment.split(",")]
        first = True
        for piece in pieces:
            if not piece:
                continue
            if not first and _only_settings(tokenise(piece), techniques):
                entries[-1] = f"{entries[-1]}, {piece}"
            else:
                entries.append(piece)
            first = False
    return entries


def _warn_repeats(
    entries: list[QuickEntry[PointT, TechniqueT]],
) -> list[QuickEntry[PointT, TechniqueT]]:
    """Warn on each entry whose point another entry of the line also names."""
    where: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        if entry.point is not None:
            where[entry.point.code].append(entry.number)
    result = []
    for entry in entries:
        code = entry.point.code if entry.point is not None else ""
        numbers = where.get(code, []) if entry.point is not None else []
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
            warning = f"{code} is written more than once in this line (entries {listed})."
            entry = replace(entry, warnings=(*entry.warnings, warning))
        result.append(entry)
    return result


# -- Settings: each may take one or more words -------------------------------------------------


def _pressure_at(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """(level, words used) for a pressure written at tokens[i], as `p3`, `3/5` or `pressure 3`."""
    match = _PRESSURE.fullmatch(tokens[i])
    if match:
        return int(match.group(1) or match.group(2)), 1
    if tokens[i].lower() in _PRESSURE_WORDS and i + 1 < len(tokens) and tokens[i + 1].isdigit():
        return int(tokens[i + 1]), 2
    return None


def _technique_at(
    tokens: Sequence[str], i: int, techniques: Mapping[str, TechniqueT]
) -> tuple[TechniqueT, int] | None:
    """(technique, words used): the longest run of words naming one ("an fa", "deep pressure").

    A run is not taken if a pressure starts inside it: "deep pressure 3" is deep at pressure 3.
    """
    for end in range(min(len(tokens), i + _MAX_TECHNIQUE_WORDS), i, -1):
        if any(_pressure_at(tokens, k) for k in range(i + 1, end)):
            continue
        found = techniques.get(technique_key(" ".join(tokens[i:end])))
        if found is not None:
            return found, end - i
    return None


def _setting_at(tokens: Sequence[str], i: int, techniques: Mapping[str, object]) -> _Setting | None:
    """(setting, value, words used) for a setting starting at tokens[i], or None."""
    low = tokens[i].lower().rstrip(".")
    duration = _DURATION.fullmatch(tokens[i])
    if duration:
        seconds = round(float(duration.group(1)) * _UNIT_SECONDS[duration.group(2).lower()])
        return "seconds", seconds, 1
    pressure = _pressure_at(tokens, i)
    if pressure:
        return "pressure", pressure[0], pressure[1]
    if low in SIDES:
        return "side", SIDES[low], 1
    technique = _technique_at(tokens, i, techniques)
    if technique:
        return "technique", technique[0], technique[1]
    return None


def _only_settings(tokens: Sequence[str], techniques: Mapping[str, object]) -> bool:
    i = 0
    while i < len(tokens):
        setting = _setting_at(tokens, i, techniques)
        if setting is None:
            return False
        i += setting[2]
    return bool(tokens)


def _find_point(
    tokens: list[str],
    points: PointLookup[PointT],
    techniques: Mapping[str, object],
    legacy_bladder: bool,
    numbering: str,
) -> tuple[int, int, Lookup[PointT] | None]:
    """Where the point is in the tokens: (start, end, its look-up or None).

    The point is the first run of words that names one (or more: an ambiguous entry); settings
    written before it are skipped over. When nothing matches, the first run of words no
    setting explains is taken as the point the user meant, so it can be answered with "did you
    mean".
    """
    start = 0
    while start < len(tokens):
        for end in range(min(len(tokens), start + _MAX_POINT_WORDS), start, -1):
            found = points.lookup(
                " ".join(tokens[start:end]), legacy_bladder=legacy_bladder, numbering=numbering
            )
            if found.readings:
                return start, end, found
        setting = _setting_at(tokens, start, techniques)
        if setting is None:
            end = start + 1
            while end < len(tokens) and _setting_at(tokens, end, techniques) is None:
                end += 1
            return start, end, None
        start += setting[2]
    return 0, 0, None


def _parse_entry(
    number: int,
    raw: str,
    points: PointLookup[PointT],
    techniques: Mapping[str, TechniqueT],
    legacy_bladder: bool,
    numbering: str,
) -> QuickEntry[PointT, TechniqueT]:
    tokens = tokenise(raw)
    start, end, found = _find_point(tokens, points, techniques, legacy_bladder, numbering)
    point_text = " ".join(tokens[start:end])
    point = found.point if found is not None else None
    errors: list[str] = []
    notes: list[str] = []
    unknown: list[str] = []
    settings: dict[str, Any] = {}

    def put(key: str, value: Any, words: str) -> None:
        if key in settings:
            errors.append(f"{key.capitalize()} is given twice (“{words}”).")
        else:
            settings[key] = value

    for part in (tokens[:start], tokens[end:]):
        i = 0
        while i < len(part):
            setting = _setting_at(part, i, techniques)
            if setting is None:
                token = part[i]
                unknown.append(token)
                if token.isdigit():
                    errors.append(
                        f"“{token}” has no unit: write {token}s for seconds or p{token} for pressure."
                    )
                else:
                    errors.append(f"Not understood: {token} (not a side, time, pressure or technique).")
                i += 1
                continue
            key, value, used = setting
            words = " ".join(part[i : i + used])
            if key == "seconds" and not 1 <= value <= MAX_SECONDS:
                errors.append(f"Duration “{words}” must be between 1 second and {MAX_SECONDS // 60} minutes.")
            if key == "pressure" and value > MAX_PRESSURE:
                errors.append(f"Pressure “{words}” is off the 0-{MAX_PRESSURE} scale.")
            put(key, value, words)
            i += used

    did_you_mean: tuple[PointT, ...] = ()
    readings = found.readings if found is not None else ()
    if point is None:
        if found is not None and found.numbering_choice:
            who, older = readings[0].record, readings[1].record
            errors.append(
                f"“{point_text}” is {who.code} {who.pinyin} in WHO numbering but {older.code} "
                f"{older.pinyin} in older acupressure books: choose which is meant."
            )
        elif found is not None:
            did_you_mean = tuple(r.record for r in readings)
            errors.append(f"“{point_text}” names more than one point: write the code of the one meant.")
        elif point_text:
            did_you_mean = tuple(points.did_you_mean(point_text))
            errors.append(f"No point matches “{point_text}”.")
        else:
            errors.append("No point given.")
    else:
        side = settings.get("side")
        if getattr(point, "midline", False):
            if side in ("left", "right", "both"):
                notes.append(f"{point.code} lies on the midline: side recorded as midline.")
            settings["side"] = "midline"
        elif side == "midline":
            errors.append(f"{point.code} is a paired point: write L, R or both.")
        elif side is None:
            settings["side"] = "both"
            notes.append("No side given: both sides assumed.")
        if found is not None and found.note:
            notes.append(found.note)

    label = f"Entry {number} (“{raw}”)"
    return QuickEntry(
        number=number,
        raw=raw,
        point_text=point_text,
        point=point,
        side=settings.get("side"),
        seconds=settings.get("seconds"),
        pressure=settings.get("pressure"),
        technique=settings.get("technique"),
        unknown=tuple(unknown),
        errors=tuple(f"{label}: {error}" for error in errors),
        notes=tuple(notes),
        did_you_mean=did_you_mean,
        readings=readings,
        numbering=found.numbering if found is not None else "",
    )


def technique_names(techniques: Iterable[_NamedT]) -> dict[str, _NamedT]:
    """Every name the quick line accepts for a technique -> the technique.

    From the technique catalogue: the short names, the full name ("Kneading"), the Chinese
    name ("An fa") and each telling word of the full name ("tapping" from "Tapping and
    pounding"). A word two techniques share names neither; the first technique wins a
    shared short name.
    """
    techniques = list(techniques)
    names: dict[str, _NamedT] = {}
    for technique in techniques:
        for name in (*technique.short_name_list, technique.name, technique.chinese_name):
            if name and technique_key(name):
                names.setdefault(technique_key(name), technique)
    words: dict[str, list[_NamedT]] = defaultdict(list)
    for technique in techniques:
        for word in re.split(r"[\s/,-]+", technique.name.lower()):
            if len(word) > 2 and word not in _NAME_STOP_WORDS and technique not in words[word]:
                words[word].append(technique)
    for word, owners in words.items():
        if len(owners) == 1:
            names.setdefault(technique_key(word), owners[0])
    return names
