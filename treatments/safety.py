"""Safety at the point: which cautions apply when this client gets this point, this side, this hard.

Pure: the point, its cautions and the client's screening come in; flags come out. The note
page and the quick-line preview show the flags as a point is entered, and saving a flagged
point needs a reason (recorded on the point application).

A flag is raised for:
- a point caution "avoid if <condition>" when the screening found that condition (pregnancy
  and LI4, SP6, BL60, BL67, GB21, ...), or a point the findings name to avoid;
- a point that is never pressed (ST17, CV8);
- a local condition (varicose veins, a new scar, a port...) in the body region the point
  lies in, on the side treated: a left-sided condition flags left and both-sided work on a
  paired point there, and midline points there;
- a pressure above the cap of a "no deep pressure" or "gentle only" point, or above the
  screening's pressure cap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from clients.regions import Side
from clients.screening import ScreeningResult
from treatments.models import CAUTION_PRESSURE_CAP, CautionKind, PointCaution


class PointLike(Protocol):
    """What the rules read of a point (a Point row or a test double); `region` when it has one."""

    @property
    def code(self) -> str: ...

    @property
    def midline(self) -> bool: ...


@dataclass(frozen=True)
class Flag:
    message: str
    needs_reason: bool = True


def _side_touches(finding_side: str, point_midline: bool, side: str | None) -> bool:
    """Does work on `side` of a point reach a condition on `finding_side`?"""
    if finding_side in ("", Side.BOTH):
        return True
    if point_midline or side in (None, Side.BOTH, Side.MIDLINE):
        return True
    if finding_side == Side.MIDLINE:
        return False
    return side == finding_side


def flags_for(
    point: PointLike,
    *,
    side: str | None,
    pressure: int | None,
    cautions: Iterable[PointCaution],
    screening: ScreeningResult | None,
) -> tuple[Flag, ...]:
    """The cautions that apply to this point application for this client, most serious first."""
    flags: list[Flag] = []
    findings = tuple(getattr(screening, "findings", ()) or ())
    conditions = {f.condition: f for f in findings}
    caps: list[tuple[int, str]] = []
    named: set[str] = set()

    for caution in cautions:
        if caution.kind == CautionKind.NEVER_PRESS:
            flags.append(Flag(f"{point.code} is not pressed. {caution.note}".strip()))
        elif caution.kind == CautionKind.AVOID_IF and caution.condition in conditions:
            finding = conditions[caution.condition]
            named.add(finding.condition)
            flags.append(Flag(f"{finding.label}: {point.code} is a point to avoid. {caution.note}".strip()))
        elif caution.kind in CAUTION_PRESSURE_CAP:
            caps.append((CAUTION_PRESSURE_CAP[caution.kind], f"{caution.get_kind_display()} on {point.code}"))

    for finding in findings:
        if point.code in finding.points_to_avoid and finding.condition not in named:
            named.add(finding.condition)
            flags.append(Flag(f"{finding.label}: {point.code} is a point to avoid."))

    region = getattr(point, "region", "")
    for finding in findings:
        if region and region in finding.regions and _side_touches(finding.side, point.midline, side):
            where = f" ({finding.side})" if finding.side not in ("", Side.BOTH) else ""
            flags.append(Flag(f"{finding.label}{where} in this body region: work around it or record why."))

    cap = getattr(screening, "pressure_cap", None)
    if cap is not None:
        caps.append((cap, "The client's screening"))
    for limit, source in sorted(caps):
        if pressure is not None and pressure > limit:
            flags.append(Flag(f"{source} caps pressure at {limit} of 5; {pressure} was entered."))
        elif pressure is None:
            flags.append(Flag(f"{source} caps pressure at {limit} of 5.", needs_reason=False))
    return tuple(flags)


def needs_reason(flags: Iterable[Flag]) -> bool:
    return any(flag.needs_reason for flag in flags)


def summary(flags: Iterable[Flag]) -> str:
    """The flags that need a reason, one per line, as stored on the point application."""
    return "\n".join(flag.message for flag in flags if flag.needs_reason)
