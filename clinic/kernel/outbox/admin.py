"""Outgoing email in the back office: a window for managers, with "Retry now"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clinic.kernel.outbox.models import Message
from clinic.kernel.outbox.services import retry_now
from clinic.kernel.roles import is_manager

HIDDEN = "(hidden: holds a one-time link for the client)"


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("recipient", "key", "subject")
    date_hierarchy = "created_at"
    actions = ["retry_selected"]
    fields = (
        "key", "kind", "topic", "recipient", "subject", "body_shown", "attachment_names", "status",
        "attempts", "next_attempt_at", "claimed_until", "last_error", "created_at", "sent_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="body")
    def body_shown(self, obj: Message) -> str:
        if obj.sensitive:
            return HIDDEN
        return obj.body or "(wiped after sending)"

    @admin.display(description="attachments")
    def attachment_names(self, obj: Message) -> str:
        return ", ".join(item["filename"] for item in obj.attachments or []) or "-"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Bodies hold clients' names and appointments: managers only, whatever else is granted.
        return is_manager(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user) and request.user.has_perm("outbox.change_message")

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        retried = sum(retry_now(message=message) for message in queryset)
        skipped = queryset.count() - retried
        note = f" {skipped} skipped (already sent, or being sent now)." if skipped else ""
        self.message_user(request, f"{retried} message(s) queued to send again.{note}", messages.SUCCESS)
