"""Back office for the catalogue, notes and plans. Signed notes are read-only; no note is deleted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from treatments.models import (
    Amendment,
    Point,
    PointApplication,
    PointCaution,
    Technique,
    TreatmentNote,
    TreatmentPlan,
)


class PointCautionInline(admin.TabularInline):
    model = PointCaution
    extra = 0
    fields = ["kind", "condition", "note"]


@admin.register(Point)
class PointAdmin(admin.ModelAdmin):
    list_display = ["code", "pinyin", "english", "channel", "region", "kind", "is_active"]
    list_filter = ["kind", "channel", "region", "is_active"]
    search_fields = ["code", "pinyin", "english", "aliases"]
    ordering = ["kind", "channel", "number", "code"]
    inlines = [PointCautionInline]
    fieldsets = [
        (
            None,
            {"fields": ["code", "kind", "channel", "number", "pinyin", "english", "aliases", "is_active"]},
        ),
        ("Where", {"fields": ["region", "midline", "location", "alt_location"]}),
    ]


@admin.register(PointCaution)
class PointCautionAdmin(admin.ModelAdmin):
    list_display = ["point", "kind", "condition", "note"]
    list_filter = ["kind", "condition"]
    search_fields = ["point__code", "point__pinyin", "condition", "note"]
    list_select_related = ["point"]
    autocomplete_fields = ["point"]


@admin.register(Technique)
class TechniqueAdmin(admin.ModelAdmin):
    list_display = ["name", "chinese_name", "short_names", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "chinese_name", "short_names"]


def _signed(note: TreatmentNote | None) -> bool:
    return note is not None and note.is_signed


class PointApplicationInline(admin.TabularInline):
    model = PointApplication
    extra = 0
    autocomplete_fields = ["point"]
    fields = [
        "order",
        "point",
        "side",
        "technique",
        "duration_seconds",
        "pressure",
        "response",
        "cautions_shown",
        "override_reason",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _signed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _signed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _signed(obj) and super().has_delete_permission(request, obj)


class AmendmentInline(admin.TabularInline):
    model = Amendment
    extra = 0
    fields = ["created_at", "author", "reason", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TreatmentNote)
class TreatmentNoteAdmin(admin.ModelAdmin):
    list_display = ["service_date", "client", "practitioner", "status", "signed_at"]
    list_filter = ["status", "practitioner", "service_date"]
    search_fields = ["client__first_name", "client__last_name", "subjective", "assessment"]
    date_hierarchy = "service_date"
    list_select_related = ["client", "practitioner"]
    raw_id_fields = ["booking", "client"]
    filter_horizontal = ["home_care_points"]
    readonly_fields = ["status", "signed_by", "signed_at", "written_at", "updated_at"]
    inlines = [PointApplicationInline, AmendmentInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _signed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Clinical records are kept for years and archived, never deleted.
        return False


@admin.register(PointApplication)
class PointApplicationAdmin(admin.ModelAdmin):
    list_display = ["note", "order", "point", "side", "technique", "pressure"]
    list_filter = ["side", "technique"]
    search_fields = ["point__code", "point__pinyin", "note__client__last_name"]
    list_select_related = ["note__client", "point", "technique"]
    raw_id_fields = ["note"]
    autocomplete_fields = ["point"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.note.is_signed) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.note.is_signed) and super().has_delete_permission(request, obj)


class AmendmentAdminForm(forms.ModelForm):
    class Meta:
        model = Amendment
        fields = ["note", "reason", "text"]

    def clean_note(self) -> TreatmentNote:
        note = self.cleaned_data["note"]
        if not note.is_signed:
            raise forms.ValidationError("A draft is edited directly; amendments are for signed notes.")
        return note


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    form = AmendmentAdminForm
    list_display = ["note", "created_at", "author", "reason"]
    search_fields = ["reason", "text", "note__client__last_name"]
    list_select_related = ["note__client", "author"]
    raw_id_fields = ["note"]
    readonly_fields = ["author", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Amendment, form: Any, change: bool) -> None:
        obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(admin.ModelAdmin):
    list_display = ["client", "goal", "planned_sessions", "started_on", "status", "practitioner"]
    list_filter = ["status", "practitioner"]
    search_fields = ["client__first_name", "client__last_name", "goal"]
    list_select_related = ["client", "practitioner"]
    raw_id_fields = ["client"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: TreatmentPlan, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
