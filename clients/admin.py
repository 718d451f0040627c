"""The back office for clients: records are archived, never deleted; screening rules are tuned here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clients.models import (
    Client,
    ContraindicationRule,
    HealthUpdate,
    Intake,
    IntakeLink,
    IntakeSite,
    PhysicianClearance,
)
from clients.services import fill_search_columns


class NoDeleteMixin:
    """Clinical and client records are kept: no delete button, no "delete selected" action."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions


@admin.register(Client)
class ClientAdmin(NoDeleteMixin, SimpleHistoryAdmin):
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


class IntakeSiteInline(admin.TabularInline):
    model = IntakeSite
    extra = 0
    can_delete = False
    readonly_fields = ["condition", "region", "side", "occurred_on", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Intake)
class IntakeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Answers are read-only here: a correction is a new intake, so the history stays true."""

    list_display = ["client", "taken_on", "source", "needs_review", "reviewed_by", "consent_signed"]
    list_filter = ["source", "needs_review", "taken_on"]
    search_fields = ["client__last_name", "client__first_name", "client__email"]
    list_select_related = ["client", "reviewed_by"]
    autocomplete_fields = ["client"]
    inlines = [IntakeSiteInline]
    date_hierarchy = "taken_on"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        editable = {"needs_review", "reviewed_by", "reviewed_at"}
        return [f.name for f in self.model._meta.fields if f.name not in editable]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Intakes are taken on the client page, where sites and screening are part of the form.
        return False


@admin.register(IntakeSite)
class IntakeSiteAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["intake", "condition", "region", "side", "occurred_on"]
    list_filter = ["condition", "region", "side"]
    search_fields = ["intake__client__last_name", "intake__client__first_name", "note"]
    list_select_related = ["intake__client"]
    readonly_fields = ["intake", "condition", "region", "side", "occurred_on", "note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ContraindicationRule)
class ContraindicationRuleAdmin(NoDeleteMixin, admin.ModelAdmin):
    """The manager's way to tune screening: change what a condition leads to, no code change."""

    list_display = ["condition", "label", "kind", "outcome", "action", "pressure_cap", "is_active"]
    list_editable = ["outcome", "action", "pressure_cap", "is_active"]
    list_filter = ["kind", "outcome", "is_active"]
    search_fields = ["condition", "label", "action", "points_to_avoid"]
    readonly_fields = ["condition", "updated_at"]
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Every condition code the screening can raise is seeded; a new code needs code too.
        # No delete either (NoDeleteMixin): switch a rule off, or a condition would vanish from screening.
        return False


@admin.register(PhysicianClearance)
class PhysicianClearanceAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["client", "physician_name", "issued_on", "expires_on", "letter_link"]
    list_filter = ["issued_on", "expires_on", "conditions"]
    search_fields = ["client__last_name", "client__first_name", "physician_name"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]
    filter_horizontal = ["conditions"]
    # The letter is uploaded on the client page and read through the clinician-only view;
    # the admin's file widget would link to a public URL that doesn't exist.
    exclude = ["letter"]
    readonly_fields = ["letter_link", "letter_content_type", "recorded_by", "created_at"]

    @admin.display(description="Letter")
    def letter_link(self, obj: PhysicianClearance) -> str:
        if not obj.pk or not obj.letter:
            return "—"
        url = reverse("clients:clearance_letter", args=[obj.client_id, obj.pk])
        return format_html('<a href="{}">View the letter</a>', url)


@admin.register(HealthUpdate)
class HealthUpdateAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["client", "recorded_on", "changed", "recorded_by"]
    list_filter = ["changed", "recorded_on"]
    search_fields = ["client__last_name", "client__first_name"]
    list_select_related = ["client", "recorded_by"]
    autocomplete_fields = ["client"]
    readonly_fields = ["recorded_by", "new_intake", "created_at"]


@admin.register(IntakeLink)
class IntakeLinkAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Links are created by "Email the intake link"; here they can be seen and revoked (expired now)."""

    list_display = ["client", "sent_to", "created_at", "expires_at", "used_at", "created_by"]
    list_filter = ["used_at", "expires_at"]
    search_fields = ["client__last_name", "client__first_name", "sent_to"]
    list_select_related = ["client", "created_by"]
    readonly_fields = ["client", "sent_to", "created_by", "created_at", "used_at", "intake"]
    fields = ["client", "sent_to", "created_by", "created_at", "expires_at", "used_at", "intake"]
    actions = ["revoke_links"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected links (expire them now)")
    def revoke_links(self, request: HttpRequest, queryset: QuerySet[IntakeLink]) -> None:
        links = list(queryset.filter(used_at__isnull=True, expires_at__gt=timezone.now()))
        for link in links:
            link.revoke()
        self.message_user(request, f"{len(links)} link(s) revoked.", messages.SUCCESS)
