"""Cells for a CSV file a spreadsheet will open (the reports, the exports)."""

from __future__ import annotations

from decimal import Decimal

Cell = str | int | Decimal | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Cell) -> str:
    """A cell as text; text a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)
