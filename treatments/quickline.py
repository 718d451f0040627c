"""The quick line: "LI4 both 60s static; BL23 L 90s" becomes one row per point.

Pure: the point look-up and the technique names come in as arguments, so the parser runs
without a database. Each entry (separated by `;` or a new line) starts with a point, written
as a code (`BL23`, `bl 23`, `UB-23`), an alias (`GV29`) or a pinyin name (`Zu San Li`);
then, in any order:

- side: `L`, `R`, `B`, `both`, `left`, `right`, `mid`, `midline`;
- duration: `60s`, `90 s`, `2m`, `1.5min`;
- pressure on the 0-5 scale: `p3` or `3/5`;
- technique: one of its short names (`static`, `knead`, `rou`, ...).

The point comes first, so `P3 p2` is PC3 at pressure 2. Nothing is dropped silently: a word
the parser cannot place is listed as unknown on its entry, a point it cannot find gets "did
you mean" candidates, and a bladder code that older acupressure books number differently
(B36-B54) carries a note saying which reading was used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from treatments.lookup import bladder_readings

MAX_SECONDS = 3600
MAX_PRESSURE = 5
# Longest run of words tried as one point ("Zu San Li" is three).
_MAX_POINT_WORDS = 4

SIDES = {
    "l": "left",
    "left": "left",
    "r": "right",
    "right": "right",
    "b": "both",
    "both": "both",
    "bil": "both",
    "bilateral": "both",
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
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds|second|secs|sec|s|minutes|minute|mins|min|m)", re.I)
_PRESSURE = re.compile(r"p\s*(\d+)|(\d+)\s*/\s*5", re.I)
# A duration or pressure may be written with spaces inside ("90 s", "3 / 5"): keep it one token.
_TOKEN = re.compile(
    r"\d+(?:\.\d+)?\s*(?:seconds|second|secs|sec|s|minutes|minute|mins|min|m)(?![\w/])"
    r"|\d+\s*/\s*5(?!\d)"
    r"|[^\s,]+",
    re.I,
)
_ENTRY_SPLIT = re.compile(r"[;\n\r]+")


class PointLookup(Protocol):
    def resolve(self, text: str, *, legacy_bladder: bool = False) -> Any | None: ...

    def did_you_mean(self, text: str) -> Sequence[Any]: ...


@dataclass(frozen=True)
class QuickEntry:
    """One parsed entry: the point found (or not) and the settings written beside it."""

    number: int
    raw: str
    point_text: str
    point: Any | None = None
    side: str | None = None
    seconds: int | None = None
    pressure: int | None = None
    technique: Any | None = None
    unknown: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    did_you_mean: tuple[Any, ...] = ()

    @property
    def ok(self) -> bool:
        """Every word placed and the point found: the entry can become a row."""
        return self.point is not None and not self.unknown and not self.errors


def tokenise(text: str) -> list[str]:
    return _TOKEN.findall(text)


def parse_quick_line(
    text: str,
    *,
    points: PointLookup,
    techniques: Mapping[str, Any],
    legacy_bladder: bool = False,
) -> list[QuickEntry]:
    """Parse the whole quick line into entries, in the order written.

    `techniques` maps each lower-case short name to the technique it stands for.
    """
    entries = []
    for raw in _ENTRY_SPLIT.split(text or ""):
        raw = raw.strip()
        if raw:
            entries.append(_parse_entry(len(entries) + 1, raw, points, techniques, legacy_bladder))
    return entries


def _is_modifier(token: str, techniques: Mapping[str, Any]) -> bool:
    low = token.lower()
    return (
        low in SIDES
        or low in techniques
        or _DURATION.fullmatch(token) is not None
        or _PRESSURE.fullmatch(token) is not None
    )


def _find_point(
    tokens: list[str], points: PointLookup, techniques: Mapping[str, Any], legacy_bladder: bool
) -> tuple[int, int, Any | None]:
    """Where the point is in the tokens: (start, end, point or None).

    The point is the first run of words that resolves; settings written before it are
    skipped over. When nothing resolves, the first run of words no setting explains is
    taken as the point the user meant, so it can be answered with "did you mean".
    """
    for start in range(len(tokens)):
        for end in range(min(len(tokens), start + _MAX_POINT_WORDS), start, -1):
            found = points.resolve(" ".join(tokens[start:end]), legacy_bladder=legacy_bladder)
            if found is not None:
                return start, end, found
        if not _is_modifier(tokens[start], techniques):
            end = start + 1
            while end < len(tokens) and not _is_modifier(tokens[end], techniques):
                end += 1
            return start, end, None
    return 0, 0, None


def _parse_entry(
    number: int,
    raw: str,
    points: PointLookup,
    techniques: Mapping[str, Any],
    legacy_bladder: bool,
) -> QuickEntry:
    tokens = tokenise(raw)
    start, end, point = _find_point(tokens, points, techniques, legacy_bladder)
    point_text = " ".join(tokens[start:end])
    errors: list[str] = []
    notes: list[str] = []
    unknown: list[str] = []
    settings: dict[str, Any] = {}

    def put(key: str, value: Any, token: str) -> None:
        if key in settings:
            errors.append(f"{key.capitalize()} is given twice (“{token}”).")
        else:
            settings[key] = value

    for token in tokens[:start] + tokens[end:]:
        low = token.lower()
        duration = _DURATION.fullmatch(token)
        pressure = _PRESSURE.fullmatch(token)
        if low in SIDES:
            put("side", SIDES[low], token)
        elif low in techniques:
            put("technique", techniques[low], token)
        elif duration:
            seconds = round(float(duration.group(1)) * _UNIT_SECONDS[duration.group(2).lower()])
            if not 1 <= seconds <= MAX_SECONDS:
                errors.append(f"Duration “{token}” must be between 1 second and {MAX_SECONDS // 60} minutes.")
            put("seconds", seconds, token)
        elif pressure:
            level = int(pressure.group(1) or pressure.group(2))
            if level > MAX_PRESSURE:
                errors.append(f"Pressure “{token}” is off the 0-{MAX_PRESSURE} scale.")
            put("pressure", level, token)
        elif token.isdigit():
            unknown.append(token)
            errors.append(f"“{token}” has no unit: write {token}s for seconds or p{token} for pressure.")
        else:
            unknown.append(token)

    did_you_mean: tuple[Any, ...] = ()
    if point is None:
        if point_text:
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
        readings = bladder_readings(point_text)
        if readings and not point_text.upper().replace(" ", "").startswith("BL"):
            who, legacy = readings
            if legacy_bladder:
                notes.append(
                    f"“{point_text}” read in the older bladder numbering as {legacy} (WHO {who} otherwise)."
                )
            else:
                notes.append(
                    f"“{point_text}” read as WHO {who}; older acupressure books mean {legacy} by it "
                    "(turn on the older bladder numbering if so)."
                )

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
        errors=tuple(errors),
        notes=tuple(notes),
        did_you_mean=did_you_mean,
    )


def technique_names(techniques: Sequence[Any]) -> dict[str, Any]:
    """Short name -> technique, for the parser (first technique wins a shared name)."""
    names: dict[str, Any] = {}
    for technique in techniques:
        for name in technique.short_name_list:
            names.setdefault(name, technique)
    return names
