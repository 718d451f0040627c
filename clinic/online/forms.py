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
