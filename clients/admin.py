"""The back office for clients: records are archived, never deleted; clinical records (intakes,
health updates, clearances, intake links) are read here, with their history, and written on the
pages. The screening rules' admin is in treatments.admin: their point codes are checked against
the point catalogue."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from clients.models import (
    Client,
    HealthUpdate,
    Intake,
    IntakeLink,
    IntakeSite,
    PhysicianClearance,
)
from clients.services import fill_search_columns, revoke_intake_links
from clinic.kernel.admin import HistoryAdmin, NoDeleteMixin, ReadOnlyInline, RecordWindowMixin


@admin.register(Client)
class ClientAdmin(NoDeleteMixin, HistoryAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "phone", "email", "is_archived", "created_at"]
    list_filter = ["is_archived", "email_reminders"]
    search_fields = ["last_name", "first_name", "preferred_name", "email", "phone"]
    readonly_fields = ["is_archived", "archived_at", "created_at", "updated_at"]
    actions = ["archive_clients", "restore_clients"]
    date_hierarchy = "created_at"

    def save_model(self, request: HttpRequest, obj: Client, form: Any, change: bool) -> None:
        # The admin writes through the same rule as the forms: keep the search columns current.
        fill_search_columns(obj)
        super().save_model(request, obj, form, change)

    @admin.action(description="Archive the selected clients")
    def archive_clients(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        self._apply(request, queryset.filter(is_archived=False), Client.archive, "archived")

    @admin.action(description="Restore the selected clients")
    def restore_clients(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        self._apply(request, queryset.filter(is_archived=True), Client.restore, "restored")

    def _apply(self, request: HttpRequest, queryset: QuerySet[Client], change: Any, done: str) -> None:
        """One record at a time, so each change lands in the client's history."""
        count = 0
        for client in queryset:
            change(client)
            count += 1
        self.message_user(request, f"{count} client(s) {done}.", messages.SUCCESS)


class IntakeSiteInline(ReadOnlyInline):
    model = IntakeSite
    fields = ["condition", "region", "side", "occurred_on", "note"]


@admin.register(Intake)
class IntakeAdmin(RecordWindowMixin, HistoryAdmin):
    """Read-only: a correction is a new intake, and an online intake is reviewed on the client's
    page by a clinician, so the history stays true."""

    list_display = ["client", "taken_on", "source", "needs_review", "reviewed_by", "consent_signed"]
    list_filter = ["source", "needs_review", "taken_on"]
    search_fields = ["client__last_name", "client__first_name", "client__email"]
    list_select_related = ["client", "reviewed_by"]
    inlines = [IntakeSiteInline]
    date_hierarchy = "taken_on"


@admin.register(IntakeSite)
class IntakeSiteAdmin(RecordWindowMixin, HistoryAdmin):
    list_display = ["intake", "condition", "region", "side", "occurred_on"]
    list_filter = ["condition", "region", "side"]
    search_fields = ["intake__client__last_name", "intake__client__first_name", "note"]
    list_select_related = ["intake__client"]


@admin.register(PhysicianClearance)
class PhysicianClearanceAdmin(RecordWindowMixin, HistoryAdmin):
    """Recorded on the client's page with the letter; read here."""

    list_display = ["client", "physician_name", "issued_on", "expires_on", "letter_link"]
    list_filter = ["issued_on", "expires_on", "conditions"]
    search_fields = ["client__last_name", "client__first_name", "physician_name"]
    list_select_related = ["client"]
    # The admin's file widget would link to a public URL that doesn't exist: the letter is read
    # through the clinician-only view.
    exclude = ["letter"]
    readonly_fields = ["letter_link"]

    @admin.display(description="Letter")
    def letter_link(self, obj: PhysicianClearance) -> str:
        if not obj.pk or not obj.letter:
            return "—"
        url = reverse("clients:clearance_letter", args=[obj.client_id, obj.pk])
        return format_html('<a href="{}">View the letter</a>', url)


@admin.register(HealthUpdate)
class HealthUpdateAdmin(RecordWindowMixin, HistoryAdmin):
    list_display = ["client", "recorded_on", "changed", "recorded_by"]
    list_filter = ["changed", "recorded_on"]
    search_fields = ["client__last_name", "client__first_name"]
    list_select_related = ["client", "recorded_by"]


@admin.register(IntakeLink)
class IntakeLinkAdmin(RecordWindowMixin, HistoryAdmin):
    """Links are created by "Email the intake link"; here they can be seen and revoked."""

    list_display = ["client", "sent_to", "created_at", "expires_at", "used_at", "created_by"]
    list_filter = ["used_at", "expires_at"]
    search_fields = ["client__last_name", "client__first_name", "sent_to"]
    list_select_related = ["client", "created_by"]
    fields = ["client", "sent_to", "created_by", "created_at", "expires_at", "used_at", "intake"]
    actions = ["revoke_links"]

    @admin.action(description="Revoke the selected links (expire them now)")
    def revoke_links(self, request: HttpRequest, queryset: QuerySet[IntakeLink]) -> None:
        count = revoke_intake_links(queryset)
        self.message_user(request, f"{count} link(s) revoked.", messages.SUCCESS)
