"""Models of the treatments app: the point and technique catalogue, session notes and plans."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clients.bodymap import HEIGHT, WIDTH, Figure
from clients.models import letters_storage
from clients.regions import BodyRegion, Side
from clinic.kernel.dates import validate_clinic_date
from treatments.lookup import OLDER_READING, WHO_READING, fold

if TYPE_CHECKING:
    from treatments.catalogue import Catalogue
    from treatments.safety import Flag


class PointKind(models.TextChoices):
    WHO = "who", "WHO standard point"
    EXTRA = "extra", "Extra point"
    TRIGGER = "trigger", "Trigger point"
    AURICULAR = "auricular", "Auricular (ear) point"
    CUSTOM = "custom", "Clinic's own point"


class Channel(models.TextChoices):
    LU = "LU", "Lung"
    LI = "LI", "Large Intestine"
    ST = "ST", "Stomach"
    SP = "SP", "Spleen"
    HT = "HT", "Heart"
    SI = "SI", "Small Intestine"
    BL = "BL", "Bladder"
    KI = "KI", "Kidney"
    PC = "PC", "Pericardium"
    TE = "TE", "Triple Energizer"
    GB = "GB", "Gallbladder"
    LR = "LR", "Liver"
    GV = "GV", "Governor Vessel"
    CV = "CV", "Conception Vessel"
    EX = "EX", "Extra points"


_ALIAS_SPLIT = re.compile(r"[\s,;|]+")


class PointQuerySet(models.QuerySet["Point"]):
    def catalogue(self) -> Catalogue:
        """The in-process look-up index, reloaded only when the points have changed."""
        from treatments.catalogue import current_catalogue

        return current_catalogue()

    def resolve(self, text: str, *, legacy_bladder: bool = False) -> Point | None:
        """The point a user means by `text` (a code in any common form, an alias or a pinyin name)."""
        return self.catalogue().resolve(text, legacy_bladder=legacy_bladder)

    def suggest(self, text: str, *, limit: int = 10) -> list[Point]:
        """Ranked candidates for the point picker's partial input."""
        return self.catalogue().suggest(text, limit=limit)


class Point(models.Model):
    """One acupoint (or a clinic's own trigger/ear point) that a session can record."""

    code = models.CharField(
        max_length=32,
        unique=True,
        help_text="Standard code such as BL23 or EX-HN3; for the clinic's own points any unique code "
        "such as TP-UT1 (upper trapezius) or EAR-SHENMEN.",
    )
    kind = models.CharField(max_length=12, choices=PointKind.choices, default=PointKind.CUSTOM)
    channel = models.CharField(max_length=2, choices=Channel.choices, blank=True)
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    pinyin = models.CharField(max_length=60, blank=True)
    english = models.CharField(max_length=120, blank=True, help_text="English name, where one is in use.")
    region = models.CharField(max_length=20, choices=BodyRegion.choices, blank=True)
    midline = models.BooleanField(
        default=False, help_text="A single point on the midline (GV, CV, Yintang), not a left/right pair."
    )
    location = models.TextField(blank=True)
    alt_location = models.TextField(blank=True, help_text="WHO's alternative location, where it gives one.")
    aliases = models.CharField(
        max_length=200,
        blank=True,
        help_text="Other codes or names that mean this point, separated by commas (for example GV29).",
    )
    is_active = models.BooleanField(default=True, help_text="Inactive points are not offered for new notes.")
    # Part of the catalogue version: the in-process look-up index reloads when this moves.
    updated_at = models.DateTimeField(auto_now=True)

    objects = PointQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "channel", "number", "code"]
        constraints = [
            models.CheckConstraint(
                name="point_who_has_channel_and_number",
                violation_error_message="A standard (WHO) point needs its channel and number.",
                condition=~models.Q(kind="who") | (~models.Q(channel="") & models.Q(number__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.pinyin}".strip()

    @property
    def alias_list(self) -> list[str]:
        return [a for a in _ALIAS_SPLIT.split(self.aliases) if a]

    @property
    def label(self) -> str:
        """Code, pinyin and English name, as the preview and the note show a point."""
        parts = [self.code]
        if self.pinyin:
            parts.append(self.pinyin)
        text = " ".join(parts)
        return f"{text} ({self.english})" if self.english else text

    def clean(self) -> None:
        self.code = self.code.strip().upper()
        self.aliases = ", ".join(self.alias_list)
        taken = {a.upper() for a in self.alias_list}
        if self.code in taken:
            raise ValidationError({"aliases": "A point's alias cannot repeat its own code."})
        others = Point.objects.exclude(pk=self.pk)
        if taken and others.filter(code__in=taken).exists():
            raise ValidationError({"aliases": "One of these aliases is already another point's code."})
        for other in others.exclude(aliases="").only("code", "aliases"):
            clash = (taken | {self.code}) & {a.upper() for a in other.alias_list}
            if clash:
                raise ValidationError({"aliases": f"{', '.join(sorted(clash))} already names {other.code}."})


class PointGuide(models.Model):
    """Where a point is drawn on the body map, and how a client finds and presses it at home.

    Loaded from data/point_positions.csv and data/point_self_care.csv by a data migration, like
    the catalogue. x and y are on clients.bodymap's figures, for the client's left side.
    """

    point = models.OneToOneField(Point, on_delete=models.CASCADE, related_name="guide")
    figure = models.CharField(max_length=8, choices=Figure.choices)
    x = models.FloatField()
    y = models.FloatField()
    position_note = models.CharField(max_length=200, blank=True)
    how_to_find = models.TextField(blank=True, help_text="Plain words for the client: how to find the point.")
    how_to_press = models.TextField(
        blank=True,
        help_text="Plain words for the client: direction, pressure, how long, how often, any caution.",
    )
    # Part of the catalogue version, like Point.updated_at: a migration that reloads the texts
    # moves it, and every process's cached guides with it.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["point"]
        constraints = [
            models.CheckConstraint(
                name="point_guide_on_the_figure",
                violation_error_message="A point's position lies on the figure (x 0-200, y 0-460).",
                condition=models.Q(x__gte=0, x__lte=WIDTH, y__gte=0, y__lte=HEIGHT),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point.code} on the {self.figure} figure"


class CautionKind(models.TextChoices):
    AVOID_IF = "avoid_if", "Avoid if the client has the condition"
    NEVER_PRESS = "never_press", "Never pressed (landmark only)"
    NO_DEEP_PRESSURE = "no_deep_pressure", "No deep pressure"
    GENTLE_ONLY = "gentle_only", "Gentle pressure only"


# The highest pressure (0-5 scale) a point with this caution takes without a recorded reason.
CAUTION_PRESSURE_CAP: dict[str, int] = {CautionKind.NO_DEEP_PRESSURE: 3, CautionKind.GENTLE_ONLY: 2}


class PointCaution(models.Model):
    """A caution that travels with a point: 'avoid in pregnancy', 'never pressed', 'gentle only'."""

    point = models.ForeignKey(Point, on_delete=models.CASCADE, related_name="cautions")
    kind = models.CharField(max_length=20, choices=CautionKind.choices)
    condition = models.CharField(
        max_length=40,
        blank=True,
        help_text="For 'avoid if': the screening condition code, such as pregnancy.",
    )
    note = models.TextField(blank=True)
    # Part of the catalogue version, like Point.updated_at.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["point", "kind", "condition"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "kind", "condition"],
                name="point_caution_unique",
                violation_error_message="This point already has that caution for that condition.",
            ),
            models.CheckConstraint(
                name="point_caution_avoid_if_names_condition",
                violation_error_message='An "avoid if" caution must name the condition.',
                condition=~models.Q(kind="avoid_if") | ~models.Q(condition=""),
            ),
        ]

    def __str__(self) -> str:
        suffix = f" ({self.condition})" if self.condition else ""
        return f"{self.point.code}: {self.get_kind_display()}{suffix}"


class Technique(models.Model):
    """A massage or acupressure technique; its short names are what the quick line accepts."""

    name = models.CharField(max_length=60, unique=True)
    chinese_name = models.CharField(max_length=40, blank=True, help_text="For example An fa.")
    short_names = models.CharField(
        max_length=200,
        help_text="Words the quick line accepts for this technique, separated by spaces "
        "(for example: static an hold).",
    )
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.chinese_name})" if self.chinese_name else self.name

    @property
    def short_name_list(self) -> list[str]:
        return [s.lower() for s in _ALIAS_SPLIT.split(self.short_names) if s]

    def clean(self) -> None:
        mine = set(self.short_name_list)
        self.short_names = " ".join(self.short_name_list)
        for other in Technique.objects.exclude(pk=self.pk):
            clash = mine & set(other.short_name_list)
            if clash:
                raise ValidationError(
                    {"short_names": f"{', '.join(sorted(clash))} already stands for {other.name}."}
                )


# -- Session notes -----------------------------------------------------------------------

PAIN_MAX = 10
PRESSURE_MAX = 5
DURATION_MAX_SECONDS = 3600
NOTE_TEXT_MAX = 5000


def pressure_and_duration_rules(prefix: str) -> list[models.CheckConstraint]:
    """How hard and how long a point is worked: the same bounds on a session's and a protocol's."""
    return [
        models.CheckConstraint(
            name=f"{prefix}_pressure_0_to_5",
            violation_error_message="Pressure goes from 0 to 5.",
            condition=models.Q(pressure__isnull=True) | models.Q(pressure__lte=PRESSURE_MAX),
        ),
        models.CheckConstraint(
            name=f"{prefix}_duration_1s_to_1h",
            violation_error_message="A point is held from 1 second to 1 hour.",
            condition=models.Q(duration_seconds__isnull=True)
            | models.Q(duration_seconds__gte=1, duration_seconds__lte=DURATION_MAX_SECONDS),
        ),
    ]


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class TreatmentNoteQuerySet(models.QuerySet["TreatmentNote"]):
    def signed(self) -> TreatmentNoteQuerySet:
        return self.filter(status=NoteStatus.SIGNED)

    def for_client(self, client: Any) -> TreatmentNoteQuerySet:
        return self.filter(client=client)

    def newest_first(self) -> TreatmentNoteQuerySet:
        return self.order_by("-service_date", "-written_at", "-id")


class TreatmentNote(models.Model):
    """The SOAP note of one attended session; signed, it never changes (amendments follow it)."""

    booking = models.OneToOneField("clinic.Booking", on_delete=models.PROTECT, related_name="treatment_note")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="treatment_notes")
    practitioner = models.ForeignKey(
        "practitioners.Practitioner",
        on_delete=models.PROTECT,
        related_name="treatment_notes",
        help_text="Who treated the client and wrote the note.",
    )
    service_date = models.DateField(help_text="The day of the session.", validators=[validate_clinic_date])
    written_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    subjective = models.TextField(
        "S: subjective",
        max_length=NOTE_TEXT_MAX,
        blank=True,
        help_text="What the client reports, in their words.",
    )
    objective = models.TextField(
        "O: objective", max_length=NOTE_TEXT_MAX, blank=True, help_text="What you observed and palpated."
    )
    assessment = models.TextField(
        "A: assessment",
        max_length=NOTE_TEXT_MAX,
        blank=True,
        help_text="How the client responded to the session.",
    )
    plan = models.TextField(
        "P: plan", max_length=NOTE_TEXT_MAX, blank=True, help_text="Home care and advice given."
    )
    next_session = models.TextField("plan for next time", max_length=NOTE_TEXT_MAX, blank=True)
    pain_before = models.PositiveSmallIntegerField("pain before (0-10)", null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField("pain after (0-10)", null=True, blank=True)
    regions_treated = models.JSONField(default=list, blank=True, help_text="BodyRegion codes.")
    home_care_points = models.ManyToManyField(
        Point, blank=True, related_name="+", help_text="Points the client practises at home."
    )
    # Like a point application's: the cautions the home-care points raised for this client when
    # they were set, and why the practitioner gave them anyway.
    home_care_cautions = models.TextField(blank=True)
    home_care_reason = models.TextField(max_length=1000, blank=True)

    status = models.CharField(max_length=8, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[home_care_points])
    objects = TreatmentNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-service_date", "-written_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="note_pain_before_0_to_10",
                violation_error_message="Pain before the session goes from 0 to 10.",
                condition=models.Q(pain_before__isnull=True) | models.Q(pain_before__lte=PAIN_MAX),
            ),
            models.CheckConstraint(
                name="note_pain_after_0_to_10",
                violation_error_message="Pain after the session goes from 0 to 10.",
                condition=models.Q(pain_after__isnull=True) | models.Q(pain_after__lte=PAIN_MAX),
            ),
            models.CheckConstraint(
                name="note_home_care_caution_has_reason",
                violation_error_message="Say why the home-care advice goes ahead despite its caution.",
                condition=models.Q(home_care_cautions="") | ~models.Q(home_care_reason=""),
            ),
            models.CheckConstraint(
                name="note_signed_has_who_and_when",
                violation_error_message="A signed note records who signed it and when; a draft has neither.",
                condition=(
                    models.Q(status=NoteStatus.DRAFT, signed_at__isnull=True, signed_by__isnull=True)
                    | models.Q(status=NoteStatus.SIGNED, signed_at__isnull=False, signed_by__isnull=False)
                ),
            ),
        ]
        indexes = [
            # A client's chart: their notes, newest first.
            models.Index(fields=["client", "-service_date"], name="note_client_date_idx"),
            # The overview's count of notes still in draft: a few rows among years of signed ones.
            models.Index(fields=["practitioner"], condition=models.Q(status="draft"), name="note_drafts_idx"),
        ]

    def __str__(self) -> str:
        return f"Note for {self.client} on {self.service_date:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("treatments:note", kwargs={"pk": self.pk})

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED

    def is_author(self, user: Any) -> bool:
        return self.practitioner.user_id == getattr(user, "pk", None)

    def can_edit(self, user: Any) -> bool:
        """Only the author, and only while the note is a draft."""
        return not self.is_signed and self.is_author(user)

    def region_labels(self) -> list[str]:
        return [BodyRegion(code).label for code in self.regions_treated if code in BodyRegion.values]


class PointReading(models.TextChoices):
    """How a bare B36-B54 was read: the two bladder numberings give two different points."""

    WHO = WHO_READING, "WHO numbering"
    OLDER = OLDER_READING, "older numbering"


class PointApplication(models.Model):
    """One point pressed in a session: where, how, how long, how hard, and how it went."""

    note = models.ForeignKey(TreatmentNote, on_delete=models.CASCADE, related_name="applications")
    point = models.ForeignKey(Point, on_delete=models.PROTECT, related_name="applications")
    side = models.CharField(max_length=8, choices=Side.choices, default=Side.BOTH)
    technique = models.ForeignKey(
        Technique, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    pressure = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 (still hold) to 5.")
    order = models.PositiveSmallIntegerField(default=0)
    response = models.CharField("client response", max_length=300, blank=True)
    # What the app warned about when the row was saved, and why the practitioner went ahead.
    cautions_shown = models.TextField(blank=True)
    override_reason = models.TextField(max_length=1000, blank=True)
    # What the practitioner typed for the point ("B47", "P6", "Juegu"), and for a bare B36-B54,
    # which of its two readings they chose: the note shows both beside the WHO code.
    entered_as = models.CharField("entered as", max_length=60, blank=True)
    reading = models.CharField(max_length=8, choices=PointReading.choices, blank=True)

    # Set by the note page for its template (not stored).
    flags: tuple[Flag, ...]

    history = HistoricalRecords()

    class Meta:
        ordering = ["note", "order", "id"]
        constraints = [
            *pressure_and_duration_rules("application"),
            # A caution shown and passed over always has its reason recorded.
            models.CheckConstraint(
                name="application_caution_has_reason",
                violation_error_message="Say why this point is used despite its caution.",
                condition=models.Q(cautions_shown="") | ~models.Q(override_reason=""),
            ),
            # A reading is only ever chosen for something typed.
            models.CheckConstraint(
                name="application_reading_has_entered_as",
                violation_error_message="A reading is chosen only for something typed in.",
                condition=models.Q(reading="") | ~models.Q(entered_as=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point.code} ({self.get_side_display()})"

    @property
    def entered_label(self) -> str:
        """What was typed ("entered as B47, older numbering") where it is not the code or name shown."""
        parts = []
        typed = fold(self.entered_as)
        if typed and typed not in {fold(self.point.code), fold(self.point.pinyin)}:
            parts.append(f"entered as {self.entered_as}")
        if self.reading:
            parts.append(self.get_reading_display())
        return ", ".join(parts)

    @property
    def duration_label(self) -> str:
        if self.duration_seconds is None:
            return ""
        minutes, seconds = divmod(self.duration_seconds, 60)
        if minutes and seconds:
            return f"{minutes} min {seconds} s"
        return f"{minutes} min" if minutes else f"{seconds} s"


class Amendment(models.Model):
    """A dated correction to a signed note: the original stays as it was."""

    note = models.ForeignKey(TreatmentNote, on_delete=models.PROTECT, related_name="amendments")
    text = models.TextField(max_length=NOTE_TEXT_MAX)
    reason = models.CharField(max_length=300)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["note", "created_at", "id"]

    def __str__(self) -> str:
        return f"Amendment to {self.note} at {self.created_at:%d %b %Y %H:%M}"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    FINISHED = "finished", "Finished"
    ABANDONED = "abandoned", "Stopped early"


class TreatmentPlan(models.Model):
    """A course of care for a client: the goal and how many sessions it should take."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="treatment_plans")
    practitioner = models.ForeignKey(
        "practitioners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    goal = models.TextField(max_length=2000)
    planned_sessions = models.PositiveSmallIntegerField(help_text="How many sessions the plan expects.")
    started_on = models.DateField(
        help_text="Sessions from this day count towards the plan.", validators=[validate_clinic_date]
    )
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Set by the chart view for its template (not stored).
    sessions_done: int
    percent: int
    pain_first: int | None
    pain_latest: int | None

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="plan_sessions_1_to_100",
                violation_error_message="A treatment plan has from 1 to 100 sessions.",
                condition=models.Q(planned_sessions__gte=1, planned_sessions__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"Plan for {self.client}: {self.goal[:40]}"


# -- Protocols ---------------------------------------------------------------------------------


class ProtocolQuerySet(models.QuerySet["Protocol"]):
    def visible_to(self, user: Any) -> ProtocolQuerySet:
        """The clinic's shared protocols and the user's own private ones."""
        return self.filter(models.Q(shared=True) | models.Q(owner__user_id=getattr(user, "pk", None)))


class Protocol(models.Model):
    """A saved set of points to apply to a note in one go ("Low back: BL23 both 60 s static; ...").

    Private protocols belong to their practitioner; shared ones are the clinic's, kept by their
    owner and by managers. Applying one checks every point against the client's cautions again.
    """

    name = models.CharField(max_length=120)
    description = models.TextField(
        max_length=2000, blank=True, help_text="When to use it, in a sentence or two."
    )
    owner = models.ForeignKey(
        "practitioners.Practitioner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocols",
        help_text="The practitioner whose protocol this is; none for a shared one a manager made.",
    )
    shared = models.BooleanField("shared clinic-wide", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ProtocolQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="protocol_private_has_owner",
                violation_error_message="A private protocol belongs to a practitioner.",
                condition=models.Q(shared=True) | models.Q(owner__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="protocol_name_unique_per_owner",
                violation_error_message="You already have a protocol with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("treatments:protocol_edit", kwargs={"pk": self.pk})


class ProtocolItem(models.Model):
    """One point of a protocol, with how it is worked."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="items")
    point = models.ForeignKey(Point, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=8, choices=Side.choices, default=Side.BOTH)
    technique = models.ForeignKey(
        Technique, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    pressure = models.PositiveSmallIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["protocol", "order", "id"]
        constraints = [
            *pressure_and_duration_rules("protocol_item"),
        ]

    def __str__(self) -> str:
        return f"{self.point.code} ({self.get_side_display()})"

    @property
    def quick_text(self) -> str:
        """The item as the quick line writes it: "BL23 both 60s static p3"."""
        parts = [self.point.code, self.side]
        if self.duration_seconds:
            parts.append(f"{self.duration_seconds}s")
        if self.technique is not None:
            names = self.technique.short_name_list
            parts.append(names[0] if names else self.technique.name)
        if self.pressure is not None:
            parts.append(f"p{self.pressure}")
        return " ".join(parts)


# -- Home-practice handouts --------------------------------------------------------------------


def handout_path(instance: HomeCareHandout, filename: str) -> str:
    """A name that says nothing about the client (the file may be copied or listed)."""
    return f"handouts/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.pdf"


class HomeCareHandout(models.Model):
    """A PDF of a note's home-care points, as given to the client; kept with the note.

    Each one made is kept (the note's home care may change while it is a draft): the client's
    copy is the one sent or printed then.
    """

    note = models.ForeignKey(TreatmentNote, on_delete=models.PROTECT, related_name="handouts")
    pdf = models.FileField(upload_to=handout_path, storage=letters_storage, max_length=200)
    points = models.CharField(max_length=300, help_text="The codes on the handout, in its order.")
    left_out = models.CharField(
        max_length=300,
        blank=True,
        help_text="Home-care points left off because of a caution with no override.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Handout for {self.note} ({self.points})"
