"""The back office's shared pieces: records kept (no delete), history shown but never written
back, clinical records read-only, and switching off what bookings refer to."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class NoDeleteMixin:
    """Clinical and client records are kept: no delete button, no "delete selected" action."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions


class HistoryAdmin(SimpleHistoryAdmin):
    """Shows a record's history (who changed what, when) but never writes an old version back.

    django-simple-history's "revert" form saves whatever it is posted with view permission alone,
    past the services; in this back office history is read, and changes go through the pages."""

    def _check_id(self, object_id: str) -> None:
        # django-simple-history filters by the raw id: "x" was a 500 instead of a 404.
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError) as exc:
            raise Http404("No such record.") from exc

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self._check_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._check_id(object_id)
        if request.method != "GET":
            raise PermissionDenied("Old versions are read here; they are not written back.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


class RecordWindowMixin(NoDeleteMixin):
    """A clinical record seen through the back office: readable with its history, never written
    here. Its writes (and their rules) are the pages' and the services'."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline list of a record's parts, read-only like the record."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.fields or [])  # type: ignore[arg-type]  # our inlines list flat field names

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description="Deactivate selected (no new bookings; history kept)")
def deactivate(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> None:
    """Rooms, services and practitioners are referenced by bookings: switched off, never deleted."""
    count = queryset.update(is_active=False)
    modeladmin.message_user(request, f"Deactivated {count}.")
