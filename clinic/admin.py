"""The back office for rooms, services, closures, courses and bookings (with history).

Bookings and courses are clinical and legal records, and rooms and services are referenced by
them: none is deleted here (cancel a booking; deactivate a room or service). Closures may be."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from clients.admin import NoDeleteMixin
from clinic.dates import validate_clinic_date
from clinic.models import ACTIVE_STATUSES, Booking, Closure, Course, Room, Service, clinic_tz
from clinic.services import BookingConflict, check_overlaps, database_conflict, room_blocked_until


@admin.action(description="Deactivate selected (no new bookings; history kept)")
def deactivate(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> None:
    """Rooms, services and practitioners are referenced by bookings: switched off, never deleted."""
    count = queryset.update(is_active=False)
    modeladmin.message_user(request, f"Deactivated {count}.")


@admin.register(Room)
class RoomAdmin(NoDeleteMixin, admin.ModelAdmin):
    actions = [deactivate]
    list_display = ["name", "is_active", "calendar_order"]
    list_editable = ["calendar_order"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Service)
class ServiceAdmin(NoDeleteMixin, admin.ModelAdmin):
    actions = [deactivate]
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
class CourseAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["client", "practitioner", "service", "sessions", "every_weeks", "created_at"]
    list_filter = ["practitioner", "service"]
    search_fields = ["client__first_name", "client__last_name"]
    raw_id_fields = ["client"]


class BookingAdminForm(forms.ModelForm):
    """A manager's edit: the booking service's overlap check and the clinic's date range apply;
    the room's hold (`blocks_until`) is recomputed from the end and the service's buffer."""

    # Set by BookingAdmin when the database refused the save (a race the check could not see).
    database_error: str = ""

    class Meta:
        model = Booking
        fields = [
            "client", "practitioner", "service", "room", "course", "start", "end", "status",
            "reception_note", "cancel_reason", "late_cancellation",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("start", "end"):
            if (moment := data.get(name)) is None:
                continue
            try:
                day = moment.astimezone(clinic_tz()).date()
            except OverflowError:  # before year 1 in the clinic's zone
                day = date.min
            try:
                validate_clinic_date(day)
            except forms.ValidationError as error:
                self.add_error(name, error)
        if self.database_error:
            self.add_error(None, self.database_error)
        start, end, service = data.get("start"), data.get("end"), data.get("service")
        if self.errors or start is None or end is None or service is None:
            return data
        if end <= start:
            self.add_error("end", "The end must be after the start.")
            return data
        self.instance.blocks_until = room_blocked_until(end, service)
        candidate = Booking(
            pk=self.instance.pk,
            client=data.get("client"),
            practitioner=data.get("practitioner"),
            service=service,
            room=data.get("room"),
            start=start,
            end=end,
            blocks_until=self.instance.blocks_until,
        )
        if data.get("status", self.instance.status) in ACTIVE_STATUSES:
            try:
                check_overlaps(candidate)
            except BookingConflict as conflict:
                self.add_error(conflict.field if conflict.field in self.fields else None, conflict.message)
        return data


@admin.register(Booking)
class BookingAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Edits run the booking service's overlap check; a save the database still refuses (its
    overlap rules: PostgreSQL constraints / SQLite triggers) comes back as a form error."""

    form = BookingAdminForm

    list_display = ["start", "client", "practitioner", "service", "room", "status", "late_cancellation"]
    list_filter = ["status", "practitioner", "service", "room", "late_cancellation"]
    search_fields = ["client__first_name", "client__last_name", "client__email"]
    date_hierarchy = "start"
    raw_id_fields = ["client", "course"]
    list_select_related = ["client", "practitioner", "service", "room"]
    readonly_fields = [
        "blocks_until", "created_at", "created_by", "cancelled_at", "cancelled_by",
        "clearance_acknowledged_by", "clearance_acknowledged_at", "reminder_claimed_at",
        "reminder_sent_at", "status_changed_at",
    ]  # fmt: skip

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            # Show the form again, with the input kept and the database's reason as its error.
            conflict = database_conflict(error, request._booking_being_saved)  # type: ignore[attr-defined]
            message = conflict.message if conflict else "The database refused this change."
            request._booking_database_error = message  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if message := getattr(request, "_booking_database_error", ""):
            return type("RefusedBookingForm", (form,), {"database_error": message})
        return form

    def save_model(self, request: HttpRequest, obj: Booking, form: Any, change: bool) -> None:
        request._booking_being_saved = obj  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
