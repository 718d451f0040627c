"""The point codes a screening rule names (`ContraindicationRule.points_to_avoid`), read against
the catalogue.

A rule's codes become cautions on the note page only when they match a catalogue point's code
exactly, so a code that is not one (a typo, an alias, an older numbering) would switch a caution
off without a word. Each code must therefore be a catalogue code; anything else is refused with
what it might have meant.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from clients.screening import expand_points
from treatments.catalogue import Catalogue


def problem_with(code: str, catalogue: Catalogue) -> str | None:
    """Why `code` (one upper-case code, ranges already expanded) is not a catalogue code, or None."""
    point = catalogue.resolve(code)
    if point is not None and point.code == code:
        return None
    if point is not None:
        return f"{code} is not how the catalogue writes it: did you mean {point.label}?"
    options = catalogue.did_you_mean(code, limit=4)
    if options:
        names = " or ".join(p.label for p in options)
        return f"{code} is not a point in the catalogue (or could be more than one): did you mean {names}?"
    return f"{code} is not a point in the catalogue."


def check_point_codes(text: str, catalogue: Catalogue) -> str:
    """The rule's codes, upper-cased and single-spaced, or a ValidationError naming each bad one.

    Ranges (`CV3-CV7`, `BL31-34`) are kept as written; every code they cover is checked."""
    tokens = text.replace(",", " ").upper().split()
    problems = [
        problem for code in expand_points(" ".join(tokens)) if (problem := problem_with(code, catalogue))
    ]
    if problems:
        raise ValidationError(problems)
    return " ".join(tokens)
