"""A period of local days chosen on a page (the reports, the bookings export): the dates, the
form that reads them, and the default one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms

from clinic.kernel.dates import clinic_tz, local_span, validate_clinic_date
from clinic.kernel.forms import DateInput

MAX_PERIOD_DAYS = 3 * 366  # three years, leap days included


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def span(self) -> tuple[datetime, datetime]:
        """The aware [start, end) of the period in the clinic's zone."""
        return local_span(self.first, self.last, None, None, clinic_tz())


def default_period(today: date) -> Period:
    """The last four full weeks, Monday to Sunday, before this week."""
    monday = today - timedelta(days=today.weekday())
    return Period(monday - timedelta(days=28), monday - timedelta(days=1))


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DateInput(), validators=[validate_clinic_date])
    end = forms.DateField(
        label="To", widget=DateInput(), validators=[validate_clinic_date], help_text="The last day, included."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("start"), data.get("end")
        if first and last:
            if last < first:
                self.add_error("end", "The last day comes before the first: choose a later day.")
            elif (last - first).days + 1 > MAX_PERIOD_DAYS:
                self.add_error(
                    "end",
                    f"A period covers at most three years ({MAX_PERIOD_DAYS} days): choose a shorter period.",
                )
        return data

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])
