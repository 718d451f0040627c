"""Front-desk forms: book, move, cancel, find free slots, plan a course."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from clients.models import Client
from clients.screening import with_screening
from clinic.kernel.dates import LATEST, clinic_tz, local_datetime, parse_id, validate_clinic_date
from clinic.kernel.forms import DateInput, TimeInput
from clinic.models import Closure, Room, Service
from practitioners.models import Practitioner, Weekday


def client_label(client: Client) -> str:
    """How a client is told apart from namesakes in the picker."""
    return f"{client.display_name} · born {client.date_of_birth:%d %b %Y}"


def offer_active_only(fields: dict[str, forms.Field]) -> None:
    """Booking forms offer only the services, practitioners and rooms in use today."""
    # The stubs type Form.fields as plain Fields; these three are ModelChoiceFields.
    fields["service"].queryset = Service.objects.active()  # type: ignore[attr-defined]
    fields["practitioner"].queryset = Practitioner.objects.active()  # type: ignore[attr-defined]
    fields["room"].queryset = Room.objects.filter(is_active=True)  # type: ignore[attr-defined]


class ClientPicker(forms.Widget):
    """Search-as-you-type: a search box asks `clinic:client_search` (htmx) for at most ten
    matches and a pick fills the client's number. The number field is the value submitted; it
    stays visible (and enough) without JavaScript, and clinic/client_picker.js hides it. Renders
    one query at most (the chosen client's name), however many clients there are."""

    template = "clinic/widgets/client_picker.html"

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_search" if id_ else id_

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        pk = parse_id(str(value)) if value not in (None, "") else None
        chosen = Client.objects.active().filter(pk=pk).first() if pk is not None else None
        context = {
            "name": name,
            "id": attrs.pop("id", f"id_{name}"),
            "value": "" if value is None else value,
            "chosen_label": client_label(chosen) if chosen else "",
            "css_class": attrs.get("class", ""),
            "described_by": attrs.get("aria-describedby", ""),
            "invalid": "is-invalid" in attrs.get("class", "") or attrs.get("aria-invalid") == "true",
        }
        return render_to_string(self.template, context)  # already safe: the template escaped it


class ClientChoiceField(forms.ModelChoiceField):
    """A client by number (the picker fills it); only active clients are valid."""

    widget = ClientPicker
    default_error_messages = {
        "invalid_choice": "Choose a client from the search: no active client has that number."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Client.objects.active())
        kwargs.setdefault("empty_label", None)
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Client) -> str:
        return client_label(obj)


class IdChoiceField(forms.ModelChoiceField):
    """A choice listed from its queryset like any ModelChoiceField, cleaned to the chosen id
    without reading the row: the booking service loads the practitioner and the service
    together with the offer between them, in one query inside its transaction, and says what
    is wrong with them next to the field."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if (pk := parse_id(str(value))) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return pk

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


class StartFieldsMixin:
    """A local date and time that together make the aware start."""

    cleaned_data: dict[str, Any]

    def local_start(self) -> datetime | None:
        day, at = self.cleaned_data.get("date"), self.cleaned_data.get("time")
        if day is None or at is None:
            return None
        return local_datetime(day, at, clinic_tz())

    def clean_end(self) -> None:
        """`end` in cleaned_data: the optional end time on the start's day, after the start."""
        data = self.cleaned_data
        start, end_time = self.local_start(), data.get("end_time")
        data["end"] = None
        if start is not None and end_time is not None:
            end = local_datetime(data["date"], end_time, clinic_tz())
            if end <= start:
                self.add_error("end_time", "The end must be after the start.")  # type: ignore[attr-defined]
            data["end"] = end


class BookingForm(StartFieldsMixin, forms.Form):
    # Read with what the client's screening needs (`with_screening`): the booking then screens
    # the client without reading it again.
    client = ClientChoiceField(queryset=with_screening(Client.objects.active()))
    # Ids: `clinic.services.book` reads them, and whether one offers the other, in one query.
    service = IdChoiceField(queryset=Service.objects.none(), empty_label="Choose a service")
    practitioner = IdChoiceField(queryset=Practitioner.objects.none(), empty_label="Choose a practitioner")
    date = forms.DateField(widget=DateInput(), validators=[validate_clinic_date])
    time = forms.TimeField(label="Start time", widget=TimeInput())
    end_time = forms.TimeField(
        label="End time",
        required=False,
        widget=TimeInput(),
        help_text="Leave empty for the service's usual length.",
    )
    # An id too: the service reads the active rooms anyway.
    room = IdChoiceField(
        queryset=Room.objects.none(), required=False, empty_label="Any free room", label="Room"
    )
    reception_note = forms.CharField(
        label="Front-desk note",
        required=False,
        max_length=300,
        help_text="Practical, not clinical (parking, access, prefers the quiet room).",
    )
    acknowledge_clearance = forms.BooleanField(
        required=False,
        label="I have told the client a physician's clearance is needed, and book anyway.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_active_only(self.fields)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.clean_end()
        data["start"] = self.local_start()
        return data


class MoveForm(StartFieldsMixin, forms.Form):
    date = forms.DateField(widget=DateInput(), validators=[validate_clinic_date])
    time = forms.TimeField(label="New start time", widget=TimeInput())
    end_time = forms.TimeField(
        label="New end time",
        required=False,
        widget=TimeInput(),
        help_text="Leave empty to keep the session's length.",
    )
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.none())
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(),
        required=False,
        empty_label="Keep the room if free, else any",
        label="Room",
    )
    reason = forms.CharField(label="Reason for the move", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ModelChoiceFields (the stubs type Form.fields as plain Fields).
        self.fields["practitioner"].queryset = Practitioner.objects.active()  # type: ignore[attr-defined]
        self.fields["room"].queryset = Room.objects.filter(is_active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.clean_end()
        return self.cleaned_data


class ReceptionNoteForm(forms.Form):
    reception_note = forms.CharField(
        label="Front-desk note (not clinical)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"id": "reception-note"}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300, help_text="For example: client unwell.")
    rest_of_course = forms.BooleanField(
        required=False, label="Also cancel every later session of this course"
    )
    by_clinic = forms.BooleanField(
        required=False,
        label="The clinic is cancelling, not the client",
        help_text="A practitioner off sick, a closure: never counted as the client's late cancellation.",
    )


class SlotSearchForm(forms.Form):
    client = ClientChoiceField(
        required=False, help_text="Optional: with a client, their own bookings are avoided too."
    )
    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label="Choose a service")
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(), required=False, empty_label="Any practitioner"
    )
    from_date = forms.DateField(
        label="From", widget=DateInput(), required=False, validators=[validate_clinic_date]
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Days", choices=Weekday.choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    earliest = forms.TimeField(label="Not before", required=False, widget=TimeInput())
    latest = forms.TimeField(label="Finished by", required=False, widget=TimeInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ModelChoiceFields (the stubs type Form.fields as plain Fields).
        self.fields["service"].queryset = Service.objects.active()  # type: ignore[attr-defined]
        self.fields["practitioner"].queryset = Practitioner.objects.active()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and latest <= earliest:
            self.add_error("latest", "Must be later than 'Not before'.")
        if data.get("from_date") is None:
            data["from_date"] = timezone.localdate()
        return data


class CourseForm(StartFieldsMixin, forms.Form):
    client = ClientChoiceField()
    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label="Choose a service")
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(), empty_label="Choose a practitioner"
    )
    date = forms.DateField(label="First session", widget=DateInput(), validators=[validate_clinic_date])
    time = forms.TimeField(label="Time (the same local time each session)", widget=TimeInput())
    sessions = forms.IntegerField(min_value=2, max_value=20, initial=6)
    every_weeks = forms.IntegerField(label="Every (weeks)", min_value=1, max_value=8, initial=1)
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label="Any free room", label="Room"
    )
    acknowledge_clearance = BookingForm.base_fields["acknowledge_clearance"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_active_only(self.fields)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, sessions, every = data.get("date"), data.get("sessions"), data.get("every_weeks")
        if first and sessions and every and first + timedelta(weeks=every * (sessions - 1)) > LATEST:
            self.add_error(
                "sessions",
                f"The last session would fall after {LATEST:%d/%m/%Y}: fewer or closer sessions.",
            )
        return data


def parse_time(raw: str | None) -> time | None:
    try:
        return time.fromisoformat(raw) if raw else None
    except ValueError:
        return None


class ClosureForm(forms.ModelForm):
    """Whole days the clinic is shut."""

    class Meta:
        model = Closure
        fields = ["start_date", "end_date", "reason"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        labels = {"start_date": "First closed day", "end_date": "Last closed day"}
        help_texts = {"reason": "Shown to the team, for example “Bank holiday”."}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last closed day can't be before the first.")
        return data
