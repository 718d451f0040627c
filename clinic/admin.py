"""The back office for rooms, services, closures, courses and bookings (with history).

Bookings and courses are clinical and legal records, read here and changed on the booking pages
through the booking service; rooms and services are referenced by them: none is deleted here
(deactivate a room or service). Closures may be."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.forms import ClosureForm
from clinic.kernel.admin import HistoryAdmin, NoDeleteMixin, RecordWindowMixin, deactivate
from clinic.kernel.staff_admin import (
    AccessAttemptLogAdmin,
    AccessFailureLogKeptAdmin,
    AccessLogKeptAdmin,
    StaffUserAdmin,
)
from clinic.models import Booking, Closure, Course, Room, Service
from clinic.schedules import closure_bookings, time_off_bookings
from practitioners.admin import PractitionerAdmin, TimeOffAdmin, TimeOffInline
from practitioners.forms import TimeOffForm
from practitioners.models import Practitioner, TimeOff


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


def refuse_over_bookings(form: Any, booked: int, *, what: str, page: str) -> None:
    """Closures and time off over booked sessions are saved on the schedules pages, which list
    the sessions and move or cancel them first; the admin refuses them, saying where to go."""
    if booked:
        sessions = f"{booked} booked session{pluralize(booked)} fall{pluralize(booked, 's,')}"
        form.add_error(
            None,
            f"{sessions} in these days. Add or change this {what} on the {page} page, "
            "which moves or cancels them first.",
        )


class ClosureAdminForm(ClosureForm):
    """A closure over booked sessions is added on the closures page, which lists them and
    moves or cancels them; here it is refused, saying so."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            candidate = Closure(pk=self.instance.pk, start_date=data["start_date"], end_date=data["end_date"])
            refuse_over_bookings(
                self, len(closure_bookings(candidate)), what="closure", page="Schedules > Clinic closures"
            )
        return data


class TimeOffAdminForm(TimeOffForm):
    """Time off over a practitioner's booked sessions, as a closure: refused here, sent to the
    time-off page (Schedules, or My time off) that lists the sessions and moves or cancels them."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        practitioner = data.get("practitioner") or getattr(self.instance, "practitioner", None)
        if not self.errors and practitioner is not None:
            candidate = TimeOff(
                pk=self.instance.pk,
                practitioner=practitioner,
                start_date=data["start_date"],
                end_date=data["end_date"],
                start_time=data.get("start_time"),
                end_time=data.get("end_time"),
            )
            refuse_over_bookings(
                self, len(time_off_bookings(candidate)), what="time off", page="Schedules > Time off"
            )
        return data


# The practitioners app (a lower layer) registers time off in the admin without knowing the
# bookings; here the same pages get the check above, on their own and inline.
class GuardedTimeOffAdmin(TimeOffAdmin):
    form = TimeOffAdminForm


class GuardedTimeOffInline(TimeOffInline):
    form = TimeOffAdminForm


class GuardedPractitionerAdmin(PractitionerAdmin):
    inlines = [GuardedTimeOffInline if i is TimeOffInline else i for i in PractitionerAdmin.inlines]


admin.site.unregister(TimeOff)
admin.site.register(TimeOff, GuardedTimeOffAdmin)
admin.site.unregister(Practitioner)
admin.site.register(Practitioner, GuardedPractitionerAdmin)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    form = ClosureAdminForm
    list_display = ["reason", "start_date", "end_date"]
    date_hierarchy = "start_date"
    search_fields = ["reason"]


@admin.register(Course)
class CourseAdmin(RecordWindowMixin, admin.ModelAdmin):
    """Courses are booked in one go on the course page (every date checked); read here."""

    list_display = ["client", "practitioner", "service", "sessions", "every_weeks", "created_at"]
    list_filter = ["practitioner", "service"]
    search_fields = ["client__first_name", "client__last_name"]
    raw_id_fields = ["client"]


@admin.register(Booking)
class BookingAdmin(RecordWindowMixin, HistoryAdmin):
    """Bookings are read here with their history. Booking, moving, cancelling and the status
    changes go through the booking pages, where the booking service checks the screening, the
    overlaps and the state machine; each record links there."""

    list_display = [
        "start", "client", "practitioner", "service", "room", "status", "late_cancellation", "open_link",
    ]  # fmt: skip
    list_filter = ["status", "practitioner", "service", "room", "late_cancellation"]
    search_fields = ["client__first_name", "client__last_name", "client__email"]
    date_hierarchy = "start"
    list_select_related = ["client", "practitioner", "service", "room"]
    readonly_fields = ["open_link"]

    @admin.display(description="Change")
    def open_link(self, obj: Booking) -> str:
        url = reverse("clinic:booking_detail", args=[obj.pk])
        return format_html('<a href="{}">Open the booking page</a>', url)


# Staff accounts and the sign-in log, with their guards (clinic.kernel.staff_admin), in place of
# the admins django.contrib.auth and django-axes register.
for _model, _model_admin in (
    (get_user_model(), StaffUserAdmin),
    (AccessAttempt, AccessAttemptLogAdmin),
    (AccessLog, AccessLogKeptAdmin),
    (AccessFailureLog, AccessFailureLogKeptAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)

# django-otp's own device admins would show an authenticator's secret (its QR code page) and
# answer a stale id with a server error. A lost phone is reset from the user's page instead
# ("Reset two-factor sign-in", clinic.kernel.staff_admin), which deletes the devices.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
