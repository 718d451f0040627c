"""Forms of the clients app: contact details, the intake questionnaire, updates, clearances."""

from __future__ import annotations

from datetime import date
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from clients import phones
from clients.choices import CancerStatus, ScreeningStatus, SeizureControl, SiteCondition
from clients.models import (
    CONSENT_TEXT_VERSION,
    Client,
    ContraindicationRule,
    HealthUpdate,
    Intake,
    IntakeSite,
    PhysicianClearance,
    SiteRow,
)
from clinic.kernel.forms import DateInput

# The consent text clients agree to; bump the version whenever the wording changes.
CONSENT_TEXT = (
    "I have answered these questions truthfully. I understand that acupressure and massage are "
    "not a substitute for medical care, that I can ask for a session to be changed or stopped at "
    "any time, and I will tell the clinic about any change in my health. I consent to treatment."
)
# Accepted letters: the content type we record, keyed by the file's first bytes.
LETTER_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
LETTER_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png"}


def megabytes(size: int) -> str:
    """10485760 -> "10 MB", as the clinic's staff read a size."""
    return f"{size / (1024 * 1024):.3g} MB"


def normalise_phone(raw: str) -> str:
    """A phone number in E.164 form, read in PHONE_DEFAULT_REGION when it has no country code."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if len(raw) > 30:
        raise ValidationError("Enter a phone number of at most 30 characters.")
    number = phones.parse(raw)
    if number is None:
        raise ValidationError("Enter a valid phone number, such as 020 7946 0123 or +44 20 7946 0123.")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("This is not a valid phone number. Check the digits and the country code.")
    return phones.e164(number)


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
        super().clean()
        data = self.cleaned_data
        if data.get("email_reminders") and not data.get("email"):
            self.add_error("email", "Email reminders need an email address.")
        return data

    def save(self, commit: bool = True) -> Client:
        """The edited client, unsaved: clients.services.save_client saves it with its search
        columns and the consent ticked here (`cleaned_data["consent_to_treatment"]`)."""
        if commit:
            raise ValueError("Save clients through clients.services.save_client().")
        return super().save(commit=False)


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
            "seizure_control",
            "other_conditions",
        ],
    ),
    ("Your session", ["areas_to_avoid", "pressure_preference"]),
]
ANSWER_FIELDS = [name for _title, names in INTAKE_SECTIONS for name in names]


# The health questions (yes/no, and those with several answers; the pressure preference is not
# one): the online form asks each with no answer chosen.
HEALTH_YES_NO = [
    name for name in ANSWER_FIELDS if isinstance(Intake._meta.get_field(name), models.BooleanField)
]
HEALTH_CHOICES = [
    name
    for name in ANSWER_FIELDS
    # get_field may return a relation to the stubs; the answers are plain model fields.
    if Intake._meta.get_field(name).choices  # type: ignore[union-attr]
    and name not in ("pressure_preference",)
]
# Questions that are asked only after a "yes" to the one before (the client answers them then).
FOLLOW_UPS = {"pregnancy_high_risk", "chemotherapy", "radiotherapy", "seizure_control"}


def yes_no_field(model_field: Any, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=str(model_field.verbose_name).capitalize(),
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )


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
            "seizure_control": forms.RadioSelect,
            "pressure_preference": forms.RadioSelect,
        }
        labels = {"taken_on": "Date of the intake", "consent_signed": "I consent to treatment"}

    consent_required = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_signed"].help_text = CONSENT_TEXT
        # No "---------" among the radio buttons; the answer is asked for after "seizures: yes".
        self.fields["seizure_control"].choices = SeizureControl.choices  # type: ignore[attr-defined]  # a ChoiceField
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
        super().clean()
        data = self.cleaned_data
        self._check_follow_ups(data)
        if data.get("consent_signed") and not (data.get("consent_signature") or "").strip():
            self.add_error("consent_signature", "Type the client's full name to sign the consent.")
        return data

    def _contradiction(self, parent: str, parent_message: str, children: dict[str, str]) -> None:
        for name, message in children.items():
            self.add_error(name, message)
        self.add_error(parent, parent_message)

    def _check_follow_ups(self, data: dict[str, Any]) -> None:
        """Each follow-up answer agrees with the question it follows, or both get an error.

        Nothing is dropped silently: "20 weeks" with "pregnant: no" may mean either answer is
        wrong, and only the person filling in the form knows which. A question that failed on
        its own (no answer, a bad value) is not compared.
        """
        if "pregnant" in data and not data["pregnant"]:
            given = {}
            if data.get("pregnancy_weeks") is not None:
                given["pregnancy_weeks"] = "Weeks of pregnancy are given, but the answer to pregnant is no."
            if data.get("pregnancy_high_risk"):
                given["pregnancy_high_risk"] = "High-risk pregnancy is yes, but the answer to pregnant is no."
            if given:
                self._contradiction(
                    "pregnant",
                    "Pregnant is no, but pregnancy answers are given below: correct one of them.",
                    given,
                )
        elif data.get("pregnant") and "pregnancy_high_risk" in data and data["pregnancy_high_risk"] is None:
            self.add_error("pregnancy_high_risk", "Choose yes or no.")

        if "cancer" in data:
            current = data["cancer"] == CancerStatus.CURRENT
            treatments = {"chemotherapy": "chemotherapy", "radiotherapy": "radiotherapy"}
            given = {
                name: f"Receiving {what} now needs the cancer to be current."
                for name, what in treatments.items()
                if data.get(name) and not current
            }
            if given:
                self._contradiction(
                    "cancer",
                    "Chemotherapy or radiotherapy is yes: say whether the cancer is current.",
                    given,
                )
            elif current:
                for name in treatments:
                    if name in data and data[name] is None:
                        self.add_error(name, "Choose yes or no.")

        if "seizures" in data:
            control = data.get("seizure_control") or ""
            if data["seizures"] and not control and "seizure_control" not in self.errors:
                self.add_error("seizure_control", "Say whether the seizures are controlled.")
            elif not data["seizures"] and control:
                self._contradiction(
                    "seizures",
                    "Seizures is no, but how they are controlled is answered below: correct one of them.",
                    {"seizure_control": "Leave this empty when there are no seizures or epilepsy."},
                )

        # A follow-up left unanswered after a "no" is a "no".
        for name in ("pregnancy_high_risk", "chemotherapy", "radiotherapy"):
            if name in data and data[name] is None:
                data[name] = False


class PublicIntakeForm(IntakeForm):
    """The same questionnaire, filled in by the client from the emailed link.

    No health answer is chosen in advance: the client picks yes or no (or one of the options)
    for each question, so an answer skipped is an error rather than a silent "no".
    """

    consent_required = True

    class Meta(IntakeForm.Meta):
        fields = [*ANSWER_FIELDS, "consent_signed", "consent_signature"]
        labels = {
            "consent_signed": "I consent to treatment",
            "consent_signature": "Your full name (signature)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in HEALTH_YES_NO:
            model_field = Intake._meta.get_field(name)
            self.fields[name] = yes_no_field(model_field, required=name not in FOLLOW_UPS)
        for name in HEALTH_CHOICES:
            self.fields[name].initial = None
            if name not in FOLLOW_UPS:
                self.fields[name].error_messages["required"] = "Choose one of the answers."
        for name in (*HEALTH_YES_NO, *HEALTH_CHOICES):
            self.initial.pop(name, None)


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
        super().clean()
        data = self.cleaned_data
        dated = {SiteCondition.SURGERY, SiteCondition.FRACTURE, SiteCondition.INJURY}
        if data.get("condition") in dated and not data.get("occurred_on"):
            self.add_error("occurred_on", "Give the date (roughly) of the surgery, fracture or injury.")
        return data


IntakeSiteFormSet = forms.inlineformset_factory(
    Intake, IntakeSite, form=IntakeSiteForm, extra=2, max_num=20, validate_max=True, can_delete=True
)


def site_rows(site_formset: Any) -> list[SiteRow]:
    """The places on the body a valid site formset holds, as the services take them (rows left
    empty or marked for deletion are not places)."""
    rows: list[SiteRow] = []
    for form in site_formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not data.get("condition") or not data.get("region"):
            continue
        rows.append(
            {
                "condition": data["condition"],
                "region": data["region"],
                "side": data.get("side") or "both",
                "occurred_on": data.get("occurred_on"),
                "note": data.get("note", ""),
            }
        )
    return rows


def intake_answers(form: IntakeForm) -> dict[str, Any]:
    """A valid intake form's answers, by field name, as the services take them."""
    return {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.cleaned_data}


def intake_is_valid(form: IntakeForm, site_formset: Any) -> bool:
    """The answers and the places on the body, each valid and agreeing with each other.

    Both are validated even when the first fails, so every error shows at once. An implant
    marked on the body with "pacemaker, implant, line or port: no" is an error by both.
    """
    answers_valid = form.is_valid()
    sites_valid = site_formset.is_valid()
    if answers_valid and sites_valid and not form.cleaned_data.get("pacemaker_or_implant"):
        implants = [
            site_form
            for site_form in site_formset.forms
            if (site_form.cleaned_data or {}).get("condition") == SiteCondition.IMPLANT
            and not site_form.cleaned_data.get("DELETE")
        ]
        for site_form in implants:
            site_form.add_error("condition", "An implant is marked here, but the implant question is no.")
        if implants:
            form.add_error(
                "pacemaker_or_implant",
                "An implant is marked on the body below, but this answer is no: correct one of them.",
            )
            return False
    return answers_valid and sites_valid


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
        queryset=ContraindicationRule.objects.filter(outcome=ScreeningStatus.NEEDS_CLEARANCE, is_active=True),
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "letter"
        ].help_text = f"PDF, JPEG or PNG, at most {megabytes(settings.LETTER_MAX_BYTES)}. Kept private."

    def clean_issued_on(self) -> date:
        value = self.cleaned_data["issued_on"]
        not_in_future(value, "date of the letter")
        return value

    def clean_letter(self) -> Any:
        upload = self.cleaned_data.get("letter")
        if not upload or not hasattr(upload, "content_type"):
            return upload
        if upload.size > settings.LETTER_MAX_BYTES:
            raise ValidationError(
                f"The letter is larger than {megabytes(settings.LETTER_MAX_BYTES)}: "
                "scan it at a lower resolution."
            )
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        head = upload.read(16)
        upload.seek(0)
        content_type = next((ct for sig, ct in LETTER_SIGNATURES.items() if head.startswith(sig)), None)
        if suffix not in LETTER_SUFFIXES or content_type is None:
            raise ValidationError("Upload the letter as a PDF, JPEG or PNG file.")
        self.letter_content_type = content_type
        return upload

    def clearance_fields(self) -> dict[str, Any]:
        """The cleaned fields the clearance service takes (conditions go separately)."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "conditions"}
        return {**fields, "letter_content_type": getattr(self, "letter_content_type", "")}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", "The clearance must expire after the letter's date.")
        return data


class ClientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search clients")
    archived = forms.BooleanField(required=False, label="Show archived clients")
