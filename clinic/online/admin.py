from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clinic.online.models import OnlineSettings


@admin.register(OnlineSettings)
class OnlineSettingsAdmin(admin.ModelAdmin):
    """The manager's choice of what clients may book online (one row). The emailed codes and
    manage links are not shown: they are credentials, kept only hashed."""

    filter_horizontal = ("services", "practitioners")
    list_display = ("__str__", "enabled", "minimum_notice_hours", "days_ahead", "new_clients_allowed")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not OnlineSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
