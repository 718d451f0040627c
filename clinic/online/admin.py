from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from clinic.online import services
from clinic.online.forms import SettingsForm
from clinic.online.models import OnlineSettings


@admin.register(OnlineSettings)
class OnlineSettingsAdmin(admin.ModelAdmin):
    """The manager's choice of what clients may book online (one row), with the same form and
    service as the manager's page. The emailed codes and manage links are not shown: they are
    credentials, kept only hashed."""

    form = SettingsForm
    list_display = ("__str__", "enabled", "minimum_notice_hours", "days_ahead", "new_clients_allowed")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not OnlineSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: OnlineSettings, form: ModelForm, change: bool) -> None:
        assert isinstance(form, SettingsForm)
        services.save_settings(fields=form.settings_fields())

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        """The services and practitioners were saved with the rest by `save_settings`."""
