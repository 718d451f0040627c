from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest

from clinic.kernel.admin import NoDeleteMixin, deactivate
from practitioners.forms import TimeOffForm, WorkingHoursAdminForm, WorkingHoursInlineFormSet
from practitioners.models import Practitioner, TimeOff, WorkingHours
from practitioners.services import guarded_week, save_time_off, save_working_hours


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursInlineFormSet
    extra = 1


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    form = TimeOffForm
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Practitioners author bookings and notes: deactivate one who leaves, never delete."""

    actions = [deactivate]
    list_display = ["display_name", "user", "credentials", "is_active", "calendar_order"]
    list_filter = ["is_active"]
    search_fields = ["display_name", "user__username", "user__email", "credentials"]
    list_editable = ["calendar_order"]
    autocomplete_fields = ["user"]
    inlines = [WorkingHoursInline, TimeOffInline]

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseFormSet, change: bool) -> None:
        """Working hours are written through the schedule service's guard (no overlap left)."""
        if formset.model is WorkingHours:  # type: ignore[attr-defined]
            with guarded_week(form.instance):
                super().save_formset(request, form, formset, change)
        else:
            super().save_formset(request, form, formset, change)


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    form = TimeOffForm
    fields = ["practitioner", "start_date", "end_date", "start_time", "end_time", "reason"]
    list_display = ["practitioner", "start_date", "end_date", "start_time", "end_time", "reason"]
    list_filter = ["practitioner"]
    date_hierarchy = "start_date"
    search_fields = ["practitioner__display_name", "reason"]

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        assert isinstance(obj, TimeOff)
        save_time_off(obj)


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    form = WorkingHoursAdminForm
    list_display = ["practitioner", "weekday", "start", "end"]
    list_filter = ["practitioner", "weekday"]
    search_fields = ["practitioner__display_name"]

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        assert isinstance(obj, WorkingHours)
        save_working_hours(obj)
