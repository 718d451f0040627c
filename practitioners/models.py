"""Practitioners: the users who treat clients."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models


class PractitionerQuerySet(models.QuerySet["Practitioner"]):
    def active(self) -> PractitionerQuerySet:
        return self.filter(is_active=True)


class Practitioner(models.Model):
    """A member of staff who treats clients; one per user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner"
    )
    display_name = models.CharField(max_length=100, help_text="As clients and the calendar see it.")
    credentials = models.CharField(
        max_length=100, blank=True, help_text="For example RMT, Dipl. Acupressure."
    )
    colour = models.CharField(
        max_length=7,
        default="#4a7c59",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour such as #4a7c59.")],
        help_text="The practitioner's colour on the calendar.",
    )
    bio = models.TextField(blank=True, max_length=2000)
    is_active = models.BooleanField(default=True, help_text="Inactive practitioners take no new bookings.")
    calendar_order = models.PositiveSmallIntegerField(default=0, help_text="Column order on the calendar.")

    objects = PractitionerQuerySet.as_manager()

    class Meta:
        ordering = ["calendar_order", "display_name"]

    def __str__(self) -> str:
        return self.display_name
