"""Who opened or wrote which client's clinical record, when and from where: never what it said.

Rows are only ever added. The database refuses to change them (and, on PostgreSQL, to delete
them); the back office shows them read-only.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models

from clinic.kernel.roles import Role


class What(models.TextChoices):
    INTAKE_VIEWED = "intake_viewed", "Intake viewed"
    LETTER_VIEWED = "letter_viewed", "Clearance letter viewed"
    NOTE_VIEWED = "note_viewed", "Note viewed"
    CHART_VIEWED = "chart_viewed", "Chart viewed"
    HEALTH_VIEWED = "health_viewed", "Client health page viewed"
    EXPORT = "export", "Export"
    INTAKE_TAKEN = "intake_taken", "Intake taken"
    INTAKE_REVIEWED = "intake_reviewed", "Intake reviewed"
    CLEARANCE_RECORDED = "clearance_recorded", "Clearance recorded"
    NOTE_STARTED = "note_started", "Note started"
    NOTE_SAVED = "note_saved", "Note saved"
    NOTE_SIGNED = "note_signed", "Note signed"
    NOTE_AMENDED = "note_amended", "Note amended"
    POINTS_ADDED = "points_added", "Points added"
    POINT_REMOVED = "point_removed", "Point removed"
    HEALTH_UPDATE_RECORDED = "health_update", "Health update recorded"
    PLAN_CREATED = "plan_created", "Treatment plan created"
    # A call of the REST API by an integration (its own user); `detail` says which.
    API_CALL = "api_call", "API call"
    HANDOUT_VIEWED = "handout_viewed", "Home-practice handout viewed"
    HANDOUT_MADE = "handout_made", "Home-practice handout made"
    HANDOUT_EMAILED = "handout_emailed", "Home-practice handout emailed"


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def for_client(self, client_id: int) -> AccessEventQuerySet:
        return self.filter(client_id=client_id)

    def by_user(self, user_id: int) -> AccessEventQuerySet:
        return self.filter(user_id=user_id)

    def newest_first(self) -> AccessEventQuerySet:
        return self.order_by("-at", "-id")


class AccessEvent(models.Model):
    # PROTECT, not SET_NULL: emptying the column would be an UPDATE the table refuses, and an
    # access log that forgets who is worthless. Staff who leave are deactivated, not deleted.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The role they acted in then: a later change of role does not rewrite the past.
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    # A plain id: the kernel imports no app, and the log outlives any record it names. None: an
    # API call about no one client (the services, the free times).
    client_id = models.PositiveBigIntegerField(null=True, blank=True)
    what = models.CharField(max_length=32, choices=What.choices)
    # The record opened or written (e.g. "treatments.treatmentnote", 42): a pointer, no content.
    object_kind = models.CharField(max_length=100, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    # An API call's method, path and answer ("POST /api/v1/bookings 201"): no query, no body.
    detail = models.CharField(max_length=200, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # "Who opened this record": a client's newest events, on the client page.
            models.Index(fields=["client_id", "-at"], name="access_client_newest"),
            # The per-user activity report, newest first.
            models.Index(fields=["user", "-at"], name="access_user_newest"),
        ]
        triggers = [
            # TRUNCATE (the test flush on PostgreSQL, a restore) is not a row operation: allowed.
            pgtrigger.Protect(name="access_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_what_display()}: client {self.client_id}, user {self.user_id}"
