from django.contrib import admin

from clinic.kernel.admin import NoDeleteMixin, deactivate
from practitioners.models import Practitioner, TimeOff, WorkingHours


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 1


class TimeOffInline(admin.TabularInline):
    model = TimeOff
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


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "start_date", "end_date", "start_time", "end_time", "reason"]
    list_filter = ["practitioner"]
    date_hierarchy = "start_date"
    search_fields = ["practitioner__display_name", "reason"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "weekday", "start", "end"]
    list_filter = ["practitioner", "weekday"]
    search_fields = ["practitioner__display_name"]
