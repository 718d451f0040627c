"""The public booking pages' forms: plain fields, a message next to each one."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.forms import CONSENT_TEXT, normalise_phone
from clients.models import NAME_MAX
from clinic.kernel.dates import validate_clinic_date
from clinic.kernel.forms import DateInput
from clinic.models import Service
from clinic.online.models import OnlineSettings
from clinic.online.services import settings_problems
from clinic.waitlist.forms import PreferencesForm
from practitioners.models import Practitioner


class DetailsForm(forms.Form):
    first_name = forms.CharField(
        max_length=NAME_MAX, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=NAME_MAX, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        max_length=254,
        help_text="We email you a 6-digit code to confirm it's yours.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        max_length=30, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"})
    )
    date_of_birth = forms.DateField(widget=DateInput(attrs={"autocomplete": "bday"}))
    consent = forms.BooleanField(label="I agree to be treated by the clinic", help_text=CONSENT_TEXT)
    # The honeypot: hidden from people (and screen readers), filled in by form-filling robots.
    website = forms.CharField(required=False, max_length=200, label="Leave this empty")

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean_date_of_birth(self) -> date:
        value: date = self.cleaned_data["date_of_birth"]
        validate_clinic_date(value)
        if value > timezone.localdate():
            raise ValidationError("The date of birth can't be in the future.")
        return value

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def as_session(self) -> dict[str, Any]:
        data = {k: self.cleaned_data[k] for k in ("first_name", "last_name", "email", "phone")}
        data["date_of_birth"] = self.cleaned_data["date_of_birth"].isoformat()
        return data


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        label="The 6-digit code from the email",
        error_messages={"invalid": "Enter the 6 digits from the email."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class SettingsForm(forms.ModelForm):
    """What is bookable online: the manager's page and the back office use this one form, and
    both save through `clinic.online.services.save_settings`."""

    class Meta:
        model = OnlineSettings
        fields = [
            "enabled",
            "services",
            "practitioners",
            "minimum_notice_hours",
            "days_ahead",
            "new_clients_allowed",
            "cancellation_notice_hours",
            "waitlist_online",
        ]
        widgets = {
            "services": forms.CheckboxSelectMultiple,
            "practitioners": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        self.fields["practitioners"].queryset = Practitioner.objects.active().order_by(  # type: ignore[attr-defined]
            "calendar_order", "pk"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_error("services") and not self.has_error("practitioners"):
            problems = settings_problems(
                enabled=bool(data.get("enabled")),
                services=data.get("services") or [],
                practitioners=data.get("practitioners") or [],
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return data

    def settings_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class WaitlistForm(PreferencesForm):
    """What a client would take, asked on the public page (the desk's fields and checks)."""

    def clean_from_date(self) -> date:
        value: date = self.cleaned_data["from_date"]
        if value < timezone.localdate():
            raise ValidationError("The first day can't be in the past.")
        return value

    def as_session(self) -> dict[str, Any]:
        """The typed answers, to be checked again when the code is in."""
        data: Any = self.data  # the request's QueryDict
        return {
            name: data.getlist(name) if name == "weekdays" else data.get(name, "") for name in self.fields
        }
