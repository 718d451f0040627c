"""Keys, endpoints and deliveries in the back office: read-only windows for managers. Keys are
made and revoked, endpoints added and switched off on the managers' pages (a key is shown once
there); "Revoke" here calls the same service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clinic.integrations.models import ApiKey, Delivery, WebhookEndpoint
from clinic.integrations.services import revoke_key
from clinic.kernel.admin import RecordWindowMixin
from clinic.kernel.roles import is_manager


class ReadOnlyWindow(RecordWindowMixin, admin.ModelAdmin):
    """Managers only, whatever else is granted: these rows name other systems and their secrets' owners."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request.user) and super().has_view_permission(request, obj)


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyWindow):
    list_display = ("name", "prefix", "scopes", "created_by", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke_selected"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user)

    @admin.action(description="Revoke", permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = sum(revoke_key(key=key, by=request.user) for key in queryset)  # type: ignore[arg-type]
        self.message_user(request, f"{revoked} key(s) revoked.", messages.SUCCESS)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyWindow):
    list_display = ("name", "url", "events", "created_by", "created_at", "disabled_at")
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyWindow):
    list_display = ("id", "event", "endpoint", "status", "attempts", "last_status_code", "last_attempt_at")
    list_filter = ("status",)
    list_select_related = ("event", "endpoint")
