"""Form widgets every app uses, so a date or a time looks and reads the same on every page.

Browsers' date and time inputs read and send ISO values only (`2026-03-30`, `14:05`); a widget
that renders a date in any other format shows an empty box, so the format is fixed here.
"""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """The browser's time picker, in five-minute steps (bookings start on the clinic's grid)."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"step": 300, **(attrs or {})}, format="%H:%M")
