"""Forms of the practitioners app."""

from __future__ import annotations

from typing import Any

from django import forms

from clinic.kernel.forms import DateInput, TimeInput
from practitioners.models import Practitioner, TimeOff, Weekday, WorkingHours
from practitioners.services import HoursRow, hours_problems, interval_problem, time_off_problems, week_of


class FeedPrivacyForm(forms.ModelForm):
    class Meta:
        model = Practitioner
        fields = ["ical_shows_client_names"]


# --- Working hours ---------------------------------------------------------------------------

BLANK_ROWS_PER_DAY = 2  # empty intervals offered under each day of the grid


def mark_invalid(form: forms.BaseForm) -> None:
    """Give each field with an error Bootstrap's red outline and its message's id."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{form.prefix}-{name}-error"


class HoursRowForm(forms.Form):
    """One interval of a day on the weekly grid; both times empty means no interval."""

    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, widget=forms.HiddenInput)
    start = forms.TimeField(required=False, widget=TimeInput(attrs={"class": "form-control form-control-sm"}))
    end = forms.TimeField(required=False, widget=TimeInput(attrs={"class": "form-control form-control-sm"}))
    DELETE = forms.BooleanField(label="Remove", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if not data.get("DELETE") and (start is None) != (end is None):
            missing = "end" if end is None and "end" not in self.errors else "start"
            if missing not in self.errors:
                self.add_error(missing, "Enter both the start and the end (or neither).")
        return data

    def row(self) -> HoursRow | None:
        """The interval this row asks for (None: empty, removed or invalid)."""
        data = getattr(self, "cleaned_data", {})
        if self.errors or data.get("DELETE") or data.get("start") is None or data.get("end") is None:
            return None
        return HoursRow(data["weekday"], data["start"], data["end"])


class BaseHoursGridFormSet(forms.BaseFormSet):
    """The week: every interval row; overlaps and order checked across rows, each message put
    on the row and field at fault."""

    def clean(self) -> None:
        rows = [(form, form.row()) for form in self.forms]
        given = [(form, row) for form, row in rows if row is not None]
        for index, (field, message) in hours_problems([row for _form, row in given]).items():
            given[index][0].add_error(field, message)

    def rows(self) -> list[HoursRow]:
        return [row for form in self.forms if (row := form.row()) is not None]

    def show_problems(self, problems: dict[int, tuple[str, str]]) -> None:
        """Put a service's refusal (row indexes as in `rows()`) on the forms."""
        given = [form for form in self.forms if form.row() is not None]
        for index, (field, message) in problems.items():
            given[index].add_error(field, message)


HoursGridFormSet = forms.formset_factory(
    HoursRowForm, formset=BaseHoursGridFormSet, extra=0, max_num=70, absolute_max=100
)


def hours_grid(data: Any = None, *, initial: list[dict[str, Any]] | None = None) -> BaseHoursGridFormSet:
    formset = HoursGridFormSet(data, initial=initial, prefix="hours")
    assert isinstance(formset, BaseHoursGridFormSet)
    return formset


def hours_grid_initial(practitioner: Practitioner) -> list[dict[str, Any]]:
    """The saved intervals, then empty rows under each day, day by day."""
    initial: list[dict[str, Any]] = []
    saved = week_of(practitioner)
    for day in Weekday:
        initial += [{"weekday": day.value, "start": r.start, "end": r.end} for r in saved if r.weekday == day]
        initial += [{"weekday": day.value} for _ in range(BLANK_ROWS_PER_DAY)]
    return initial


# --- The back office's forms: the same checks and messages as the grid ------------------------


class WorkingHoursAdminForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["practitioner", "weekday", "start", "end"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        practitioner, weekday = data.get("practitioner"), data.get("weekday")
        start, end = data.get("start"), data.get("end")
        if practitioner is not None and weekday is not None and start is not None and end is not None:
            problem = interval_problem(practitioner, weekday, start, end, exclude_pk=self.instance.pk)
            if problem is not None:
                self.add_error(problem[0], problem[1])
        return data


class WorkingHoursInlineFormSet(forms.BaseInlineFormSet):
    """The practitioner page's rows: checked as one week, like the grid."""

    def clean(self) -> None:
        super().clean()
        given = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or form.errors or data.get("DELETE"):
                continue
            if data.get("weekday") is None or data.get("start") is None or data.get("end") is None:
                continue
            given.append((form, HoursRow(data["weekday"], data["start"], data["end"])))
        for index, (field, message) in hours_problems([row for _form, row in given]).items():
            given[index][0].add_error(field, message)


class TimeOffForm(forms.ModelForm):
    """Days away; a part day sets the start time on the first day and the end on the last."""

    class Meta:
        model = TimeOff
        fields = ["start_date", "end_date", "start_time", "end_time", "reason"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
        }
        labels = {"start_date": "First day away", "end_date": "Last day away"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        problems = time_off_problems(
            data.get("start_date"), data.get("end_date"), data.get("start_time"), data.get("end_time")
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data
