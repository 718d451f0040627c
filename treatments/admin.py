"""Back office for the catalogue, notes and plans. Signed notes are read-only; nothing is deleted:
plans are finished or stopped, points and techniques switched off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clients.admin import NoDeleteMixin
from treatments.models import (
    Amendment,
    PlanStatus,
    Point,
    PointApplication,
    PointCaution,
    PointKind,
    Technique,
    TreatmentNote,
    TreatmentPlan,
)


class PointCautionInline(admin.TabularInline):
    model = PointCaution
    extra = 0
    fields = ["kind", "condition", "note"]


# Points from the WHO standard and the extra-point list: their identity is the standard's.
STANDARD_KINDS = (PointKind.WHO, PointKind.EXTRA)
STANDARD_IDENTITY = ["code", "kind", "channel", "number"]


@admin.register(Point)
class PointAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Notes refer to points, so none is deleted: a point no longer used is switched off."""

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
    actions = ["deactivate", "reactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.kind in STANDARD_KINDS:
            readonly += STANDARD_IDENTITY
        return readonly

    @admin.action(description="Switch off the selected points (no longer offered for new notes)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Point]) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description="Switch the selected points back on")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Point]) -> None:
        self._set_active(request, queryset, active=True)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[Point], *, active: bool) -> None:
        # save() per point keeps updated_at moving, which reloads the look-up index.
        points = list(queryset.exclude(is_active=active))
        for point in points:
            point.is_active = active
            point.save(update_fields=["is_active", "updated_at"])
        self.message_user(
            request, f"{len(points)} point(s) switched {'on' if active else 'off'}.", messages.SUCCESS
        )


@admin.register(PointCaution)
class PointCautionAdmin(admin.ModelAdmin):
    list_display = ["point", "kind", "condition", "note"]
    list_filter = ["kind", "condition"]
    search_fields = ["point__code", "point__pinyin", "condition", "note"]
    list_select_related = ["point"]
    autocomplete_fields = ["point"]


@admin.register(Technique)
class TechniqueAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Notes refer to techniques: switch one off (active) rather than delete it."""

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
        # A draft's point is removed on the note page, where the change is the author's.
        return False


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
class TreatmentNoteAdmin(NoDeleteMixin, admin.ModelAdmin):
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


@admin.register(PointApplication)
class PointApplicationAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["note", "order", "point", "side", "technique", "pressure"]
    list_filter = ["side", "technique"]
    search_fields = ["point__code", "point__pinyin", "note__client__last_name"]
    list_select_related = ["note__client", "point", "technique"]
    raw_id_fields = ["note"]
    autocomplete_fields = ["point"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.note.is_signed) and super().has_change_permission(request, obj)


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
class AmendmentAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = AmendmentAdminForm
    list_display = ["note", "created_at", "author", "reason"]
    search_fields = ["reason", "text", "note__client__last_name"]
    list_select_related = ["note__client", "author"]
    raw_id_fields = ["note"]
    readonly_fields = ["author", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Amendment, form: Any, change: bool) -> None:
        obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(NoDeleteMixin, admin.ModelAdmin):
    """A plan is finished or stopped early, never deleted: the chart keeps its history."""

    list_display = ["client", "goal", "planned_sessions", "started_on", "status", "practitioner"]
    list_filter = ["status", "practitioner"]
    search_fields = ["client__first_name", "client__last_name", "goal"]
    list_select_related = ["client", "practitioner"]
    raw_id_fields = ["client"]
    readonly_fields = ["created_by", "created_at"]
    actions = ["mark_finished", "mark_abandoned"]

    @admin.action(description="Mark the selected plans finished")
    def mark_finished(self, request: HttpRequest, queryset: QuerySet[TreatmentPlan]) -> None:
        self._set_status(request, queryset, PlanStatus.FINISHED)

    @admin.action(description="Mark the selected plans stopped early")
    def mark_abandoned(self, request: HttpRequest, queryset: QuerySet[TreatmentPlan]) -> None:
        self._set_status(request, queryset, PlanStatus.ABANDONED)

    def _set_status(self, request: HttpRequest, queryset: QuerySet[TreatmentPlan], status: str) -> None:
        # One save per plan, so each change lands in the plan's history.
        plans = list(queryset.exclude(status=status))
        for plan in plans:
            plan.status = status
            plan.save(update_fields=["status"])
        self.message_user(
            request, f"{len(plans)} plan(s) marked {PlanStatus(status).label.lower()}.", messages.SUCCESS
        )

    def save_model(self, request: HttpRequest, obj: TreatmentPlan, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
