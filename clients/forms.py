"""Forms of the clients app: contact details, the intake questionnaire, updates, clearances."""

from __future__ import annotations

from datetime import date
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.choices import SiteCondition
from clients.models import (
    Client,
    ContraindicationRule,
    HealthUpdate,
    Intake,
    IntakeSite,
    PhysicianClearance,
)

# The consent text clients agree to; bump the version whenever the wording changes.
CONSENT_TEXT_VERSION = "2025-01"
CONSENT_TEXT = (
    "I have answered these questions truthfully. I understand that acupressure and massage are "
    "not a substitute for medical care, that I can ask for a session to be changed or stopped at "
    "any time, and I will tell the clinic about any change in my health. I consent to treatment."
)
LETTER_MAX_BYTES = 5 * 1024 * 1024
# Accepted letters: the content type we record, keyed by the file's first bytes.
LETTER_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
LETTER_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def normalise_phone(raw: str) -> str:
    """A phone number in E.164 form, read in PHONE_DEFAULT_REGION when it has no country code."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if len(raw) > 30:
        raise ValidationError("Enter a phone number of at most 30 characters.")
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("Enter a valid phone number, such as 07700 900123 or +44 7700 900123.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("This is not a valid phone number. Check the digits and the country code.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def not_in_future(value: date | None, what: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(f"The {what} can't be in the future.")


class ClientForm(forms.ModelForm):
    """Contact details: what reception may create and edit."""

    consent_to_treatment = forms.BooleanField(
        required=False,
        label="The client has signed the consent to treatment",
        help_text=f"Records the date and the consent text version ({CONSENT_TEXT_VERSION}).",
    )
    phone = forms.CharField(
        required=False, max_length=30, help_text="Without a country code: a local number."
    )
    emergency_contact_phone = forms.CharField(required=False, max_length=30)
    physician_phone = forms.CharField(required=False, max_length=30, label="Physician's phone")

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "pronouns",
            "phone",
            "email",
            "address",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "physician_name",
            "physician_phone",
            "email_reminders",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_to_treatment"].initial = bool(self.instance.consent_to_treatment_at)

    def clean_date_of_birth(self) -> date:
        value = self.cleaned_data["date_of_birth"]
        not_in_future(value, "date of birth")
        return value

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_emergency_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("emergency_contact_phone", ""))

    def clean_physician_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("physician_phone", ""))

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("email_reminders") and not data.get("email"):
            self.add_error("email", "Email reminders need an email address.")
        return data

    def save(self, commit: bool = True) -> Client:
        client = super().save(commit=False)
        if self.cleaned_data.get("consent_to_treatment"):
            if client.consent_to_treatment_at is None:
                client.consent_to_treatment_at = timezone.now()
                client.consent_text_version = CONSENT_TEXT_VERSION
        else:
            client.consent_to_treatment_at = None
            client.consent_text_version = ""
        if commit:
            raise TypeError("Save clients through clients.services.save_client().")
        return client


class ConfirmDuplicateForm(forms.Form):
    confirm_duplicate = forms.BooleanField(
        required=False, label="This is a different person: create the record anyway"
    )


# Answers in the order the questionnaire asks them, grouped for the page.
INTAKE_SECTIONS: list[tuple[str, list[str]]] = [
    ("Today", ["fever_or_illness_today", "contagious_illness"]),
    (
        "Medications",
        ["medications", "blood_thinners", "long_term_steroids", "pain_relievers", "muscle_relaxants"],
    ),
    ("Allergies", ["allergy_oils", "allergy_latex", "other_allergies"]),
    ("Pregnancy", ["pregnant", "pregnancy_weeks", "pregnancy_high_risk"]),
    (
        "Heart and circulation",
        [
            "blood_pressure",
            "heart_condition",
            "pacemaker_or_implant",
            "blood_clots",
            "clotting_disorder",
            "bruises_easily",
            "recent_stroke",
        ],
    ),
    ("Cancer", ["cancer", "chemotherapy", "radiotherapy"]),
    (
        "Other conditions",
        [
            "contagious_skin_condition",
            "diabetes",
            "numbness_or_neuropathy",
            "osteoporosis",
            "seizures",
            "other_conditions",
        ],
    ),
    ("Your session", ["areas_to_avoid", "pressure_preference"]),
]
ANSWER_FIELDS = [name for _title, names in INTAKE_SECTIONS for name in names]


class IntakeForm(forms.ModelForm):
    """The health questionnaire, as staff fill it in with the client."""

    class Meta:
        model = Intake
        fields = ["taken_on", *ANSWER_FIELDS, "consent_signed", "consent_signature"]
        widgets = {
            "taken_on": DateInput(),
            "medications": forms.Textarea(attrs={"rows": 2}),
            "areas_to_avoid": forms.Textarea(attrs={"rows": 2}),
            "other_conditions": forms.Textarea(attrs={"rows": 2}),
            "blood_pressure": forms.RadioSelect,
            "heart_condition": forms.RadioSelect,
            "blood_clots": forms.RadioSelect,
            "cancer": forms.RadioSelect,
            "osteoporosis": forms.RadioSelect,
            "pressure_preference": forms.RadioSelect,
        }
        labels = {"taken_on": "Date of the intake", "consent_signed": "I consent to treatment"}

    consent_required = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_signed"].help_text = CONSENT_TEXT
        if self.consent_required:
            self.fields["consent_signed"].required = True
            self.fields["consent_signature"].required = True

    @property
    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in INTAKE_SECTIONS
        ]

    def clean_taken_on(self) -> date:
        value = self.cleaned_data["taken_on"]
        not_in_future(value, "intake date")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("pregnant"):
            data["pregnancy_weeks"] = None
            data["pregnancy_high_risk"] = False
        if (data.get("chemotherapy") or data.get("radiotherapy")) and data.get("cancer") == "none":
            self.add_error(
                "cancer", "Chemotherapy or radiotherapy is ticked: say whether the cancer is current."
            )
        if data.get("consent_signed") and not (data.get("consent_signature") or "").strip():
            self.add_error("consent_signature", "Type the client's full name to sign the consent.")
        return data


class PublicIntakeForm(IntakeForm):
    """The same questionnaire, filled in by the client from the emailed link."""

    consent_required = True

    class Meta(IntakeForm.Meta):
        fields = [*ANSWER_FIELDS, "consent_signed", "consent_signature"]
        labels = {
            "consent_signed": "I consent to treatment",
            "consent_signature": "Your full name (signature)",
        }


class IntakeSiteForm(forms.ModelForm):
    class Meta:
        model = IntakeSite
        fields = ["condition", "region", "side", "occurred_on", "note"]
        widgets = {"occurred_on": DateInput()}
        labels = {"condition": "What", "region": "Where", "occurred_on": "When (if known)"}

    def clean_occurred_on(self) -> date | None:
        value = self.cleaned_data.get("occurred_on")
        not_in_future(value, "date")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        dated = {SiteCondition.SURGERY, SiteCondition.FRACTURE, SiteCondition.INJURY}
        if data.get("condition") in dated and not data.get("occurred_on"):
            self.add_error("occurred_on", "Give the date (roughly) of the surgery, fracture or injury.")
        return data


IntakeSiteFormSet = forms.inlineformset_factory(
    Intake, IntakeSite, form=IntakeSiteForm, extra=2, max_num=20, validate_max=True, can_delete=True
)


class HealthUpdateForm(forms.ModelForm):
    """The per-visit check. Reception sees only the yes/no question (`clinical=False`)."""

    changed = forms.TypedChoiceField(
        label="Has anything changed in the client's health since the last visit?",
        choices=[("no", "No, nothing has changed"), ("yes", "Yes, something has changed")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = HealthUpdate
        fields = ["changed", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"note": "What changed (practitioners only)"}

    def __init__(self, *args: Any, clinical: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not clinical:
            del self.fields["note"]


class ClearanceForm(forms.ModelForm):
    conditions = forms.ModelMultipleChoiceField(
        queryset=ContraindicationRule.objects.filter(outcome="needs_clearance", is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text="The conditions the doctor approves treatment for.",
    )

    class Meta:
        model = PhysicianClearance
        fields = [
            "conditions",
            "physician_name",
            "physician_contact",
            "issued_on",
            "expires_on",
            "letter",
            "note",
        ]
        widgets = {
            "issued_on": DateInput(),
            "expires_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"issued_on": "Date of the letter", "expires_on": "Valid until"}
        help_texts = {"letter": "PDF, JPEG or PNG, at most 5 MB. Kept private."}

    def clean_issued_on(self) -> date:
        value = self.cleaned_data["issued_on"]
        not_in_future(value, "date of the letter")
        return value

    def clean_letter(self) -> Any:
        upload = self.cleaned_data.get("letter")
        if not upload or not hasattr(upload, "content_type"):
            return upload
        if upload.size > LETTER_MAX_BYTES:
            raise ValidationError("The letter is larger than 5 MB: scan it at a lower resolution.")
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        head = upload.read(16)
        upload.seek(0)
        content_type = next((ct for sig, ct in LETTER_SIGNATURES.items() if head.startswith(sig)), None)
        if suffix not in LETTER_SUFFIXES or content_type is None:
            raise ValidationError("Upload the letter as a PDF, JPEG or PNG file.")
        self.letter_content_type = content_type
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", "The clearance must expire after the letter's date.")
        return data


class ClientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search clients")
    archived = forms.BooleanField(required=False, label="Show archived clients")
