"""Back office for the catalogue, notes, plans and the screening rules' point codes.

Notes, point applications and amendments are read here with their history and written only on
the note page; nothing is deleted: plans are finished or stopped, points and techniques switched
off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clients.models import ContraindicationRule
from clinic.kernel.admin import HistoryAdmin, NoDeleteMixin, ReadOnlyInline, RecordWindowMixin
from clinic.kernel.roles import is_manager
from practitioners.models import Practitioner
from treatments import services
from treatments.catalogue import current_catalogue
from treatments.forms import ProtocolForm
from treatments.models import (
    Amendment,
    HomeCareHandout,
    PlanStatus,
    Point,
    PointApplication,
    PointCaution,
    PointGuide,
    PointKind,
    Protocol,
    ProtocolItem,
    Technique,
    TreatmentNote,
    TreatmentPlan,
)
from treatments.rule_points import check_point_codes


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


class PointApplicationInline(ReadOnlyInline):
    model = PointApplication
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


class AmendmentInline(ReadOnlyInline):
    model = Amendment
    fields = ["created_at", "author", "reason", "text"]


@admin.register(TreatmentNote)
class TreatmentNoteAdmin(RecordWindowMixin, HistoryAdmin):
    """Notes are written, signed and amended on the note page, where the author, the lock and
    the point cautions are checked; the back office reads them with their history."""

    list_display = ["service_date", "client", "practitioner", "status", "signed_at"]
    list_filter = ["status", "practitioner", "service_date"]
    search_fields = ["client__first_name", "client__last_name", "subjective", "assessment"]
    date_hierarchy = "service_date"
    list_select_related = ["client", "practitioner"]
    inlines = [PointApplicationInline, AmendmentInline]


@admin.register(PointApplication)
class PointApplicationAdmin(RecordWindowMixin, HistoryAdmin):
    list_display = ["note", "order", "point", "side", "technique", "pressure"]
    list_filter = ["side", "technique"]
    search_fields = ["point__code", "point__pinyin", "note__client__last_name"]
    list_select_related = ["note__client", "point", "technique"]


@admin.register(Amendment)
class AmendmentAdmin(RecordWindowMixin, HistoryAdmin):
    list_display = ["note", "created_at", "author", "reason"]
    search_fields = ["reason", "text", "note__client__last_name"]
    list_select_related = ["note__client", "author"]


class RuleAdminForm(forms.ModelForm):
    """Point codes are read against the catalogue: a typo would silently switch a caution off."""

    class Meta:
        model = ContraindicationRule
        fields = [
            "label",
            "kind",
            "outcome",
            "action",
            "pressure_cap",
            "points_to_avoid",
            "regions",
            "is_active",
        ]

    def clean_points_to_avoid(self) -> str:
        text = self.cleaned_data.get("points_to_avoid", "")
        return check_point_codes(text, current_catalogue())


@admin.register(ContraindicationRule)
class ContraindicationRuleAdmin(NoDeleteMixin, HistoryAdmin):
    """The manager's way to tune screening: what a condition leads to, no code change. Each
    change is kept in the rule's history (who, when, what). Absolute contraindications stay at
    "do not treat" (the rule's clean and the database); point codes must be catalogue codes."""

    form = RuleAdminForm
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

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Screening is the clinic's policy: the manager's to tune, not any staff member's.
        return is_manager(request.user) and super().has_change_permission(request, obj)

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm]:
        kwargs.setdefault("form", RuleAdminForm)
        return super().get_changelist_form(request, **kwargs)


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(NoDeleteMixin, HistoryAdmin):
    """A plan is finished or stopped early, never deleted: the chart keeps its history. Once
    made, a plan stays the client's (it is not moved to another client's chart)."""

    list_display = ["client", "goal", "planned_sessions", "started_on", "status", "practitioner"]
    list_filter = ["status", "practitioner"]
    search_fields = ["client__first_name", "client__last_name", "goal"]
    list_select_related = ["client", "practitioner"]
    raw_id_fields = ["client"]
    readonly_fields = ["created_by", "created_at"]
    actions = ["mark_finished", "mark_abandoned"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "client"]

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
            obj.created_by = request.user  # type: ignore[assignment]  # the admin serves signed-in staff only
        super().save_model(request, obj, form, change)


class ProtocolAdminForm(ProtocolForm):
    """The protocol page's own form (points as a quick line, each resolved and checked)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, catalogue=current_catalogue(), **kwargs)


class ProtocolItemInline(ReadOnlyInline):
    model = ProtocolItem
    fields = ["order", "point", "side", "technique", "duration_seconds", "pressure"]


@admin.register(Protocol)
class ProtocolAdmin(HistoryAdmin):
    """Written through the same form and service as the protocol pages: who may change a
    protocol, and what its points may be, are decided there."""

    form = ProtocolAdminForm
    list_display = ["name", "shared", "owner", "updated_at"]
    list_filter = ["shared", "owner"]
    search_fields = ["name", "description"]
    list_select_related = ["owner"]
    inlines = [ProtocolItemInline]
    fields = ["name", "description", "shared", "points"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        owner = None if obj else Practitioner.objects.filter(user_id=request.user.pk or 0).first()
        return type(form.__name__, (form,), {"new_owner": owner})

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # The bulk delete would skip the service's check of who may delete each protocol.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_change_permission(self, request: HttpRequest, obj: Protocol | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.can_change_protocol(request.user, obj))  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Protocol | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or services.can_change_protocol(request.user, obj))  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: Protocol, form: Any, change: bool) -> None:
        saved = services.save_protocol(
            user=request.user,  # type: ignore[arg-type]  # the admin serves signed-in staff only
            protocol_id=obj.pk if change else None,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            shared=form.cleaned_data["shared"],
            steps=form.cleaned_data["points"],
        )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service saved the items; the read-only inline has nothing to write."""

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any, add: bool) -> Any:
        return super().construct_change_message(request, form, [], add)  # the inline saved nothing

    def delete_model(self, request: HttpRequest, obj: Protocol) -> None:
        services.delete_protocol(user=request.user, protocol_id=obj.pk)  # type: ignore[arg-type]


@admin.register(ProtocolItem)
class ProtocolItemAdmin(RecordWindowMixin, HistoryAdmin):
    """Read here; written with their protocol, through its form and service."""

    list_display = ["protocol", "order", "point", "side", "technique", "duration_seconds", "pressure"]
    search_fields = ["protocol__name", "point__code", "point__pinyin"]
    list_select_related = ["protocol", "point", "technique"]


@admin.register(PointGuide)
class PointGuideAdmin(RecordWindowMixin, admin.ModelAdmin):
    """Where a point is drawn and its self-care text: data files loaded by migration, checked
    by tests against the figures' outlines, so they are read here and changed in the files."""

    list_display = ["point", "figure", "x", "y", "position_note"]
    list_filter = ["figure"]
    search_fields = ["point__code", "point__pinyin", "how_to_find"]
    list_select_related = ["point"]


@admin.register(HomeCareHandout)
class HomeCareHandoutAdmin(RecordWindowMixin, admin.ModelAdmin):
    """Handouts are made and sent from the note's handout page; the file is downloaded there."""

    list_display = ["note", "points", "left_out", "created_by", "created_at"]
    search_fields = ["note__client__last_name", "points"]
    list_select_related = ["note__client", "created_by"]
    exclude = ["pdf"]
