"""Forms of the practitioners app."""

from __future__ import annotations

from django import forms

from practitioners.models import Practitioner


class FeedPrivacyForm(forms.ModelForm):
    class Meta:
        model = Practitioner
        fields = ["ical_shows_client_names"]
