"""The home-practice handout: a note's home-care points for the client to take home.

`build_handout` decides what the client gets (pure apart from the note's own rows): each
home-care point with where it is and how to press it, numbered on the figure; the routine
from the note's plan and the client's treatment plan; and the cautions that apply to this
client. A point a caution applies to (LI4 for a pregnant client, a point in a region to avoid)
is on the handout only if the practitioner recorded an override for it when setting the home
care, and then it is marked with its caution; otherwise it is left off, and the practitioner
is told why. `render_pdf` prints the same page with WeasyPrint, which needs Debian's pango
libraries on the server (`.ci/run` installs them); without them the print view still works and
making a PDF is refused with the reason (`PdfUnavailable`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from clients import bodymap
from clients.screening import ScreeningResult
from treatments import figures
from treatments.catalogue import Catalogue
from treatments.models import (
    CAUTION_PRESSURE_CAP,
    PlanStatus,
    Point,
    PointGuide,
    TreatmentNote,
    TreatmentPlan,
)

# What a client is told when the practitioner wrote nothing more specific.
DEFAULT_PRESS = (
    "Press with a thumb or fingertip, building up slowly to a firm but comfortable pressure. "
    "Hold for one to two minutes, breathing slowly, then ease off gradually."
)
DEFAULT_ROUTINE = "Once or twice a day, on both sides unless told otherwise, and keep at it between sessions."


@dataclass(frozen=True)
class HandoutPoint:
    number: int
    point: Point
    guide: PointGuide | None
    cautions: tuple[str, ...] = ()  # cautions the practitioner overrode for this point

    @property
    def how_to_find(self) -> str:
        return (self.guide.how_to_find if self.guide else "") or self.point.location

    @property
    def how_to_press(self) -> str:
        return (self.guide.how_to_press if self.guide else "") or DEFAULT_PRESS


@dataclass(frozen=True)
class LeftOut:
    point: Point
    reasons: tuple[str, ...]


@dataclass
class Handout:
    note: TreatmentNote
    points: list[HandoutPoint]
    left_out: list[LeftOut]
    figures: list[bodymap.DrawnFigure]
    plan: TreatmentPlan | None
    advice: list[str] = field(default_factory=list)  # pressure caps and the like, for every point
    clinic_name: str = ""

    @property
    def codes(self) -> str:
        return " ".join(p.point.code for p in self.points)

    @property
    def left_out_codes(self) -> str:
        return " ".join(item.point.code for item in self.left_out)


def _overridden(note: TreatmentNote, code: str) -> bool:
    """Did the practitioner record a reason for this very point when setting the home care?"""
    return bool(note.home_care_reason.strip()) and bool(
        re.search(rf"(?<![A-Z0-9-]){re.escape(code)}(?![0-9])", note.home_care_cautions)
    )


def current_plan(note: TreatmentNote) -> TreatmentPlan | None:
    """The client's active treatment plan on the note's day (newest first)."""
    return (
        TreatmentPlan.objects.filter(
            client_id=note.client_id, status=PlanStatus.ACTIVE, started_on__lte=note.service_date
        )
        .order_by("-started_on", "-id")
        .first()
    )


def build_handout(
    note: TreatmentNote,
    *,
    catalogue: Catalogue,
    screening: ScreeningResult | None,
    plan: TreatmentPlan | None,
) -> Handout:
    points: list[HandoutPoint] = []
    left_out: list[LeftOut] = []
    advice: list[str] = []
    dots: dict[str, list[bodymap.Dot]] = {}
    for point in sorted(note.home_care_points.all(), key=lambda p: p.code):
        flags = catalogue.flags_for(point, side=None, pressure=None, screening=screening)
        serious = tuple(flag.message for flag in flags if flag.needs_reason)
        if serious and not _overridden(note, point.code):
            left_out.append(LeftOut(point, serious))
            continue
        number = len(points) + 1
        points.append(HandoutPoint(number, point, catalogue.guide_for(point), serious))
        # Home practice works both sides of a paired point.
        for figure, x, y in figures.spots(point, catalogue, None):
            title = f"{number}. {point.code} {point.pinyin}".strip()
            dots.setdefault(figure, []).append(bodymap.Dot(x, y, point.code, title, number, bool(serious)))
        advice.extend(
            f"{point.code}: {caution.get_kind_display().lower()} (at most {cap} of 5)."
            for caution in catalogue.cautions_for(point)
            if (cap := CAUTION_PRESSURE_CAP.get(caution.kind)) is not None
        )
    cap = getattr(screening, "pressure_cap", None)
    if cap is not None and points:
        advice.insert(
            0, f"Keep the pressure light to moderate: at most {cap} on a scale where 5 is very firm."
        )
    return Handout(
        note=note,
        points=points,
        left_out=left_out,
        figures=bodymap.draw(dots=dots),
        plan=plan,
        advice=advice,
        clinic_name=settings.CLINIC_NAME,
    )


def handout_context(handout: Handout) -> dict[str, Any]:
    return {"handout": handout, "default_routine": DEFAULT_ROUTINE}


class PdfUnavailable(Exception):
    """WeasyPrint cannot run here: its system libraries (pango) are missing."""


def weasyprint_module() -> Any:
    """WeasyPrint, imported when a PDF is first made: importing it loads pango, which a server
    (or a developer's machine) may lack, and the rest of the app must not depend on it."""
    try:
        import weasyprint  # deferred on purpose, see above
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "PDF handouts cannot be made on this server: WeasyPrint's system libraries are missing "
            "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0). The print view still works."
        ) from error
    return weasyprint


def render_pdf(handout: Handout) -> bytes:
    """The handout as a one-page A4 PDF (the same content as the print view)."""
    html = render_to_string("treatments/handout_pdf.html", handout_context(handout))
    return weasyprint_module().HTML(string=html).write_pdf() or b""
