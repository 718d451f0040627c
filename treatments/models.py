"""Models of the treatments app: the point and technique catalogue, session notes and plans."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models

from clients.regions import BodyRegion

if TYPE_CHECKING:
    from treatments.catalogue import Catalogue


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
                raise ValidationError(
                    {"aliases": f"{', '.join(sorted(clash))} already names {other.code}."}
                )


class CautionKind(models.TextChoices):
    AVOID_IF = "avoid_if", "Avoid if the client has the condition"
    NEVER_PRESS = "never_press", "Never pressed (landmark only)"
    NO_DEEP_PRESSURE = "no_deep_pressure", "No deep pressure"
    GENTLE_ONLY = "gentle_only", "Gentle pressure only"


# The highest pressure (0-5 scale) a point with this caution takes without a recorded reason.
CAUTION_PRESSURE_CAP = {CautionKind.NO_DEEP_PRESSURE: 3, CautionKind.GENTLE_ONLY: 2}


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
            models.UniqueConstraint(fields=["point", "kind", "condition"], name="point_caution_unique"),
            models.CheckConstraint(
                name="point_caution_avoid_if_names_condition",
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
