"""Client records, health intake, contraindication rules, clearances and intake links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clients.choices import (
    BloodPressure,
    CancerStatus,
    ClotHistory,
    Condition,
    ConditionKind,
    HeartCondition,
    Osteoporosis,
    ScreeningStatus,
    SeizureControl,
    SiteCondition,
)
from clients.regions import BodyRegion, Side
from clients.search import search_filter
from clinic.kernel.dates import validate_clinic_date

NAME_MAX = 100
TEXT_MAX = 2000
# The version of the consent text clients agree to (shown on the forms, kept with each consent).
CONSENT_TEXT_VERSION = "2025-01"


class ClientQuerySet(models.QuerySet["Client"]):
    def active(self) -> ClientQuerySet:
        return self.filter(is_archived=False)

    def archived(self) -> ClientQuerySet:
        return self.filter(is_archived=True)

    def search(self, text: str) -> ClientQuerySet:
        """Part of a name, email or phone; case- and accent-insensitive (see clients.search)."""
        return self.filter(search_filter(text))


class Client(models.Model):
    """A person the clinic treats. Archived, never deleted, from the UI."""

    first_name = models.CharField(max_length=NAME_MAX)
    last_name = models.CharField(max_length=NAME_MAX)
    preferred_name = models.CharField(
        max_length=NAME_MAX, blank=True, help_text="What the client likes to be called."
    )
    date_of_birth = models.DateField(validators=[validate_clinic_date])
    pronouns = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="Stored in E.164 form (+447700900123).")
    email = models.EmailField(max_length=254, blank=True)
    address = models.TextField(max_length=500, blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True)
    physician_name = models.CharField("family physician", max_length=150, blank=True)
    physician_phone = models.CharField("physician's phone", max_length=20, blank=True)
    consent_to_treatment_at = models.DateTimeField(
        null=True, blank=True, help_text="When the client consented to treatment."
    )
    consent_text_version = models.CharField(
        max_length=20, blank=True, help_text="Which version of the consent text they agreed to."
    )
    email_reminders = models.BooleanField(
        "consents to email reminders", default=False, help_text="Appointment reminders by email."
    )
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Folded (lower-case, accents stripped) copies for search, written by clients.services.
    search_name = models.CharField(max_length=3 * NAME_MAX + 2, blank=True, editable=False)
    search_text = models.CharField(max_length=700, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_name", "search_text"])
    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # The client list: active clients in name order.
            models.Index(fields=["is_archived", "last_name", "first_name"], name="client_list_idx"),
            # Duplicate check on create: same name and date of birth.
            models.Index(fields=["date_of_birth", "last_name"], name="client_dob_name_idx"),
            # Duplicate check on create: same email / same phone.
            models.Index(fields=["email"], name="client_email_idx"),
            models.Index(fields=["phone"], name="client_phone_idx"),
            # Name-prefix search (`search_name >= q AND < q+max`) walks this btree. Substring
            # search on PostgreSQL uses a pg_trgm GIN index added by a later migration.
            models.Index(fields=["search_name"], name="client_search_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_archived=False, archived_at__isnull=True)
                | Q(is_archived=True, archived_at__isnull=False),
                name="client_archived_has_date",
                violation_error_message=(
                    "An archived client needs the date they were archived (and an active one none)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        """The name to greet the client by, with the legal name for the record."""
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.preferred_name} ({self.full_name})"
        return self.full_name

    def record_consent(self, *, at: datetime, renew: bool = False) -> None:
        """Stamp the consent to treatment (unsaved): when first given, or again when `renew`
        (a newly signed consent); with the version of the text agreed to."""
        if renew or self.consent_to_treatment_at is None:
            self.consent_to_treatment_at = at
            self.consent_text_version = CONSENT_TEXT_VERSION

    def withdraw_consent(self) -> None:
        """The consent is withdrawn (unsaved): no date, no version."""
        self.consent_to_treatment_at = None
        self.consent_text_version = ""

    def archive(self) -> None:
        if not self.is_archived:
            self.is_archived = True
            self.archived_at = timezone.now()
            self.save(update_fields=["is_archived", "archived_at", "updated_at"])

    def restore(self) -> None:
        if self.is_archived:
            self.is_archived = False
            self.archived_at = None
            self.save(update_fields=["is_archived", "archived_at", "updated_at"])


class PressurePreference(models.IntegerChoices):
    VERY_LIGHT = 1, "1 - very light"
    LIGHT = 2, "2 - light"
    MEDIUM = 3, "3 - medium"
    FIRM = 4, "4 - firm"
    DEEP = 5, "5 - deep"


class IntakeSource(models.TextChoices):
    STAFF = "staff", "Taken by staff"
    ONLINE = "online", "Filled in online by the client"


class IntakeQuerySet(models.QuerySet["Intake"]):
    def newest_first(self) -> IntakeQuerySet:
        return self.order_by("-taken_on", "-created_at", "-id")

    def awaiting_review(self) -> IntakeQuerySet:
        return self.filter(needs_review=True)


class Intake(models.Model):
    """One dated health questionnaire. Every intake is kept; the newest one counts."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intakes")
    taken_on = models.DateField(default=timezone.localdate, validators=[validate_clinic_date])
    source = models.CharField(max_length=10, choices=IntakeSource.choices, default=IntakeSource.STAFF)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    needs_review = models.BooleanField(
        default=False, help_text="Submitted by the client online: a practitioner must review it."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    # Today
    fever_or_illness_today = models.BooleanField("fever or feeling unwell today", default=False)
    contagious_illness = models.BooleanField("a cold, flu or other contagious illness now", default=False)
    # Medications
    medications = models.TextField("medications", max_length=TEXT_MAX, blank=True)
    blood_thinners = models.BooleanField("takes blood thinners (anticoagulants)", default=False)
    long_term_steroids = models.BooleanField("takes steroids long-term", default=False)
    pain_relievers = models.BooleanField("takes pain relievers", default=False)
    muscle_relaxants = models.BooleanField("takes muscle relaxants", default=False)
    # Allergies
    allergy_oils = models.BooleanField("allergic to massage oils or lotions", default=False)
    allergy_latex = models.BooleanField("allergic to latex", default=False)
    other_allergies = models.CharField(max_length=500, blank=True)
    # Pregnancy
    pregnant = models.BooleanField(default=False)
    pregnancy_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(45)]
    )
    pregnancy_high_risk = models.BooleanField("high-risk pregnancy", default=False)
    # Circulation and heart
    blood_pressure = models.CharField(
        max_length=12, choices=BloodPressure.choices, default=BloodPressure.NORMAL
    )
    heart_condition = models.CharField(
        max_length=10, choices=HeartCondition.choices, default=HeartCondition.NONE
    )
    pacemaker_or_implant = models.BooleanField("pacemaker, implant, line or port", default=False)
    blood_clots = models.CharField(
        "blood clots or DVT", max_length=10, choices=ClotHistory.choices, default=ClotHistory.NONE
    )
    clotting_disorder = models.BooleanField("clotting or bleeding disorder", default=False)
    bruises_easily = models.BooleanField("bruises or bleeds easily", default=False)
    recent_stroke = models.BooleanField("stroke in the last year", default=False)
    # Cancer
    cancer = models.CharField(max_length=10, choices=CancerStatus.choices, default=CancerStatus.NONE)
    chemotherapy = models.BooleanField("receiving chemotherapy now", default=False)
    radiotherapy = models.BooleanField("receiving radiotherapy now", default=False)
    # Other conditions
    contagious_skin_condition = models.BooleanField(default=False)
    diabetes = models.BooleanField(default=False)
    numbness_or_neuropathy = models.BooleanField("numbness, tingling or neuropathy", default=False)
    osteoporosis = models.CharField(max_length=10, choices=Osteoporosis.choices, default=Osteoporosis.NONE)
    seizures = models.BooleanField("seizures or epilepsy", default=False)
    seizure_control = models.CharField(
        "are the seizures controlled?",
        max_length=12,
        choices=SeizureControl.choices,
        blank=True,
        help_text="Only with seizures or epilepsy.",
    )
    # Preferences and notes
    areas_to_avoid = models.TextField(max_length=TEXT_MAX, blank=True)
    pressure_preference = models.PositiveSmallIntegerField(
        choices=PressurePreference.choices, default=PressurePreference.MEDIUM
    )
    other_conditions = models.TextField("anything else we should know", max_length=TEXT_MAX, blank=True)
    # Consent
    consent_signed = models.BooleanField("consents to treatment", default=False)
    consent_signature = models.CharField("signed (full name)", max_length=200, blank=True)
    consent_text_version = models.CharField(max_length=20, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_on", "-created_at", "-id"]
        indexes = [
            # The newest intake of a client (and of many clients, for screening badges).
            models.Index(fields=["client", "-taken_on", "-created_at"], name="intake_newest_idx"),
            # The "awaiting review" list.
            models.Index(fields=["needs_review", "taken_on"], name="intake_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pressure_preference__gte=1, pressure_preference__lte=5),
                name="intake_pressure_1_to_5",
                violation_error_message="Choose a pressure preference from 1 (lightest) to 5 (firmest).",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake of {self.client} on {self.taken_on:%d %b %Y}"

    def is_out_of_date(self, on: date) -> bool:
        return self.taken_on < on - timedelta(days=settings.INTAKE_VALID_DAYS)

    def mark_reviewed(self, user) -> None:
        """A clinician has read it: from now on it counts like a staff intake. Call it through
        clients.services.review_intake, which checks who may review."""
        if not self.needs_review:
            return
        self.needs_review = False
        self.reviewed_by = user
        self.reviewed_at = timezone.now()
        self.save(update_fields=["needs_review", "reviewed_by", "reviewed_at"])


class SiteRow(TypedDict):
    """An IntakeSite's fields as plain values: what a site form cleans and the services store."""

    condition: str
    region: str
    side: str
    occurred_on: date | None
    note: str


class IntakeSite(models.Model):
    """A condition at a place on the body, reported in an intake (varicose veins, left lower leg)."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="sites")
    condition = models.CharField(max_length=20, choices=SiteCondition.choices)
    region = models.CharField(max_length=20, choices=BodyRegion.choices)
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.BOTH)
    occurred_on = models.DateField(
        null=True,
        blank=True,
        help_text="For surgery, fractures, injuries and scars: when.",
        validators=[validate_clinic_date],
    )
    note = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        indexes = [
            # "Which clients have varicose veins on the lower leg?"
            models.Index(fields=["condition", "region"], name="intake_site_condition_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_condition_display()}: {self.get_region_display()} ({self.get_side_display()})"


# Conditions that no clinic setting may lower below "do not treat" (the database says so too).
# A rule the clinic itself makes absolute joins them: ContraindicationRule.clean keeps it there.
ALWAYS_ABSOLUTE = (
    Condition.FEVER,
    Condition.CONTAGIOUS_ILLNESS,
    Condition.DVT_SUSPECTED,
    Condition.UNSTABLE_HEART,
    Condition.UNCONTROLLED_BP,
)


class ContraindicationRule(models.Model):
    """What one condition leads to. ONE table of data: a manager tunes it in the admin."""

    condition = models.CharField(max_length=40, choices=Condition.choices, unique=True)
    label = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=ConditionKind.choices)
    outcome = models.CharField(max_length=20, choices=ScreeningStatus.choices)
    action = models.CharField(
        max_length=200, blank=True, help_text='What to do, for example "Bring a doctor\'s letter".'
    )
    pressure_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(5)],
        help_text="Highest pressure on the 0-5 scale; empty for no cap.",
    )
    points_to_avoid = models.CharField(
        max_length=500, blank=True, help_text="WHO point codes separated by spaces, e.g. LI4 SP6 BL60."
    )
    regions = models.CharField(
        max_length=300,
        blank=True,
        help_text="Body regions (codes, separated by spaces) always affected, e.g. lower_abdomen sacrum.",
    )
    is_active = models.BooleanField("active", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["condition"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pressure_cap__isnull=True) | Q(pressure_cap__lte=5),
                name="rule_pressure_cap_0_to_5",
                violation_error_message="A pressure cap goes from 0 to 5.",
            ),
            # The floor under screening: an absolute contraindication always stops the session.
            models.CheckConstraint(
                condition=~Q(kind=ConditionKind.ABSOLUTE)
                | Q(outcome=ScreeningStatus.DO_NOT_TREAT, is_active=True),
                name="rule_absolute_is_do_not_treat",
                violation_error_message=(
                    'An absolute contraindication must say "do not treat" and stay active.'
                ),
            ),
            models.CheckConstraint(
                condition=~Q(condition__in=ALWAYS_ABSOLUTE) | Q(kind=ConditionKind.ABSOLUTE),
                name="rule_fixed_absolutes_stay_absolute",
                violation_error_message="This condition is always an absolute contraindication.",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        """Known region codes, and the absolute floor (the database refuses that as well)."""
        super().clean()
        errors: dict[str, str] = {}
        unknown = [code for code in self.regions.split() if code not in BodyRegion.values]
        if unknown:
            errors["regions"] = (
                f"Not a body region: {', '.join(unknown)}. Use the region codes, e.g. lower_back."
            )
        was_absolute = (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk, kind=ConditionKind.ABSOLUTE).exists()
        )
        if (self.condition in ALWAYS_ABSOLUTE or was_absolute) and self.kind != ConditionKind.ABSOLUTE:
            errors["kind"] = "An absolute contraindication stays absolute."
        if self.kind == ConditionKind.ABSOLUTE or was_absolute:
            if self.outcome != ScreeningStatus.DO_NOT_TREAT:
                errors["outcome"] = (
                    'An absolute contraindication always means "Do not treat today"; it cannot be lowered.'
                )
            if not self.is_active:
                errors["is_active"] = "An absolute contraindication cannot be switched off."
        if errors:
            raise ValidationError(errors)

    @property
    def point_codes(self) -> tuple[str, ...]:
        return tuple(self.points_to_avoid.split())

    @property
    def region_codes(self) -> tuple[str, ...]:
        return tuple(self.regions.split())


class ClearanceQuerySet(models.QuerySet["PhysicianClearance"]):
    def valid_on(self, day: date) -> ClearanceQuerySet:
        return self.filter(issued_on__lte=day, expires_on__gte=day)


def clearance_letter_path(instance: PhysicianClearance, filename: str) -> str:
    """Uploads keep no part of the client's file name (it may carry a diagnosis)."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"clearances/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


def letters_storage() -> Storage:
    """The storage named "letters" in STORAGES (a private local folder, or S3 by setting).

    A callable, so that migrations record this function rather than the storage chosen here.
    """
    return storages["letters"]


class PhysicianClearance(models.Model):
    """A doctor's approval to treat despite some conditions, dated and with an expiry."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="clearances")
    conditions = models.ManyToManyField(ContraindicationRule, related_name="clearances")
    physician_name = models.CharField(max_length=150)
    physician_contact = models.CharField(max_length=200, blank=True)
    issued_on = models.DateField(validators=[validate_clinic_date])
    expires_on = models.DateField(validators=[validate_clinic_date])
    letter = models.FileField(
        upload_to=clearance_letter_path, storage=letters_storage, blank=True, max_length=200
    )
    letter_content_type = models.CharField(max_length=40, blank=True, editable=False)
    note = models.TextField(max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[conditions])
    objects = ClearanceQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [
            # Valid clearances of a client (screening).
            models.Index(fields=["client", "expires_on"], name="clearance_client_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("issued_on")),
                name="clearance_expires_after_issue",
                violation_error_message="The clearance can't expire before the date it was issued.",
            ),
        ]

    def __str__(self) -> str:
        return f"Clearance for {self.client} by {self.physician_name} ({self.issued_on:%d %b %Y})"

    def is_valid_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.expires_on

    @property
    def condition_codes(self) -> frozenset[str]:
        """The condition codes it covers (reads prefetched `conditions` when there)."""
        return frozenset(rule.condition for rule in self.conditions.all())


class HealthUpdate(models.Model):
    """The short per-visit check: "anything changed since last time?"."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="health_updates")
    recorded_on = models.DateField(default=timezone.localdate, validators=[validate_clinic_date])
    changed = models.BooleanField()
    note = models.TextField(max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_intake = models.ForeignKey(
        Intake,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The intake a 'yes' led to.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_on", "-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-recorded_on"], name="health_update_client_idx")]

    def __str__(self) -> str:
        return f"Health update for {self.client} on {self.recorded_on:%d %b %Y}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class IntakeLinkQuerySet(models.QuerySet["IntakeLink"]):
    def for_token(self, token: str) -> IntakeLinkQuerySet:
        return self.filter(token_hash=hash_token(token))


class IntakeLink(models.Model):
    """A one-time link that lets a client fill in the questionnaire before the first visit.

    Only a hash of the token is stored: a copy of the database opens no questionnaire."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intake_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_to = models.EmailField(max_length=254)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    intake = models.OneToOneField(
        Intake, on_delete=models.SET_NULL, null=True, blank=True, related_name="link"
    )

    history = HistoricalRecords(excluded_fields=["token_hash"])
    objects = IntakeLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Intake link for {self.client} sent to {self.sent_to}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def revoke(self) -> None:
        """Close an unused link now (a wrong address, a change of mind); the record stays."""
        now = timezone.now()
        if self.is_used or self.is_expired(now):
            return
        self.expires_at = now
        self.save(update_fields=["expires_at"])

    @property
    def is_used(self) -> bool:
        return self.used_at is not None
