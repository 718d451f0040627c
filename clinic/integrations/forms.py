"""The managers' forms: a new API key, a new webhook endpoint."""

from __future__ import annotations

from django import forms

from clinic.integrations.addresses import url_problem
from clinic.integrations.models import Scope, WebhookEvent


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="Which system will use it, e.g. “Website booking”.")
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, help_text="Give only what it needs."
    )


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="Which system receives it.")
    url = forms.URLField(
        label="Address", max_length=500, assume_scheme="https", help_text="Where each event is POSTed."
    )
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if problem := url_problem(url):
            raise forms.ValidationError(problem)
        return url
