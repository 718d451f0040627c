"""The waitlist entry form: what the client would take."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from clinic.forms import ClientChoiceField
from clinic.kernel.dates import validate_clinic_date
from clinic.kernel.forms import DateInput, TimeInput
from clinic.models import Service
from clinic.waitlist.models import WEEKDAY_NAMES
from practitioners.models import Practitioner


class PreferencesForm(forms.Form):
    """What a client would take: the desk's form and the public page's share these fields and
    their checks. `services` / `practitioners` narrow the choice (online: what is bookable)."""

    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label="Choose a service")
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(), required=False, empty_label="Anyone who offers it"
    )
    weekdays = forms.MultipleChoiceField(
        label="Days",
        choices=[(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: any day.",
    )
    earliest = forms.TimeField(label="Start no earlier than", widget=TimeInput(), required=False)
    latest = forms.TimeField(label="Finish by", widget=TimeInput(), required=False)
    from_date = forms.DateField(label="From", widget=DateInput(), validators=[validate_clinic_date])
    until_date = forms.DateField(
        label="Until", widget=DateInput(), required=False, validators=[validate_clinic_date]
    )

    def __init__(
        self,
        *args: Any,
        services: QuerySet[Service] | None = None,
        practitioners: QuerySet[Practitioner] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = (  # type: ignore[attr-defined]
            Service.objects.filter(is_active=True) if services is None else services
        )
        self.fields["practitioner"].queryset = (  # type: ignore[attr-defined]
            Practitioner.objects.filter(is_active=True) if practitioners is None else practitioners
        )
        self.fields["from_date"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and earliest >= latest:
            self.add_error("latest", "Finish by must be later than the earliest start.")
        start, until = data.get("from_date"), data.get("until_date")
        if start and until and until < start:
            self.add_error("until_date", "The last date must be on or after the first date.")
        service, practitioner = data.get("service"), data.get("practitioner")
        if service and practitioner and not service.practitioners.filter(pk=practitioner.pk).exists():
            self.add_error("practitioner", f"{practitioner} does not offer {service.name}.")
        return data

    def entry_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["weekdays"] = "".join(sorted(data.get("weekdays") or []))
        return data


class EntryForm(PreferencesForm):
    """The desk's form: for which client, and a note for the desk."""

    client = ClientChoiceField()
    note = forms.CharField(label="Note for the desk", max_length=300, required=False)

    field_order = ["client"]
