from __future__ import annotations

from django.contrib import admin

from clinic.kernel.access.models import AccessEvent
from clinic.kernel.admin import RecordWindowMixin


@admin.register(AccessEvent)
class AccessEventAdmin(RecordWindowMixin, admin.ModelAdmin):
    """The access log, read by managers: no add, change or delete here (nor in the database)."""

    list_display = (
        "at",
        "user",
        "role",
        "client_id",
        "what",
        "object_kind",
        "object_id",
        "detail",
        "address",
    )
    list_filter = ("what", "role", ("user", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=client_id", "=user__username")
    list_select_related = ("user",)
    date_hierarchy = "at"
