"""The back office for rooms, services, closures, courses and bookings (with history)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.models import Booking, Closure, Course, Room, Service


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "calendar_order"]
    list_editable = ["calendar_order"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "modality",
        "duration_minutes",
        "buffer_minutes",
        "price",
        "needs_room",
        "is_active",
    ]
    list_filter = ["modality", "needs_room", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["practitioners"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["reason", "start_date", "end_date"]
    date_hierarchy = "start_date"
    search_fields = ["reason"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["client", "practitioner", "service", "sessions", "every_weeks", "created_at"]
    list_filter = ["practitioner", "service"]
    search_fields = ["client__first_name", "client__last_name"]
    raw_id_fields = ["client"]


@admin.register(Booking)
class BookingAdmin(SimpleHistoryAdmin):
    """Edits here bypass the booking service's checks but not the database's overlap rules
    (PostgreSQL constraints / SQLite triggers): an overlapping save fails with an error."""

    list_display = ["start", "client", "practitioner", "service", "room", "status", "late_cancellation"]
    list_filter = ["status", "practitioner", "service", "room", "late_cancellation"]
    search_fields = ["client__first_name", "client__last_name", "client__email"]
    date_hierarchy = "start"
    raw_id_fields = ["client", "course"]
    list_select_related = ["client", "practitioner", "service", "room"]
    readonly_fields = [
        "created_at", "created_by", "cancelled_at", "cancelled_by", "clearance_acknowledged_by",
        "clearance_acknowledged_at", "reminder_claimed_at", "reminder_sent_at", "status_changed_at",
    ]  # fmt: skip
