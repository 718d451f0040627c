"""Clinic-wide pages: the home page of each role."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from clinic.calendar_views import desk_context, my_day_context
from clinic.kernel.dates import day_from_query
from clinic.kernel.http import AuthenticatedHttpRequest
from clinic.kernel.roles import Role, manager_required, primary_role, role_required
from clinic.models import Booking
from clinic.overview import overview_context
from clinic.waitlist.selectors import get_freed_slots_for
from practitioners.models import Practitioner
from treatments.models import NoteStatus, TreatmentNote

HOME_BY_ROLE: dict[str, str] = {Role.MANAGER: "overview", Role.PRACTITIONER: "my_day", Role.RECEPTION: "desk"}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to their role's home page; a user without a role is told why not."""
    role = primary_role(request.user)
    if role is None:
        raise PermissionDenied("Your account has no role yet. Ask the clinic manager to assign one.")
    return redirect(HOME_BY_ROLE[role])


@role_required(Role.RECEPTION, Role.MANAGER)
def desk(request: HttpRequest) -> HttpResponse:
    """Reception's home: the day at the front desk, and freed times that suit waiting clients."""
    now = timezone.now()
    context = {"today": timezone.localdate(), **desk_context(now)}
    context["freed_slots"] = get_freed_slots_for(request.user, now)
    return render(request, "clinic/home_desk.html", context)


@role_required(Role.PRACTITIONER, Role.MANAGER)
def my_day(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A practitioner's home: their own day (today unless ?date= says another), with the state of
    each session's note, so nothing is left unwritten or unsigned."""
    today = timezone.localdate()
    day, date_error = day_from_query(request.GET.get("date"), today)
    practitioner = Practitioner.objects.prefetch_related("working_hours").filter(user=request.user).first()
    context: dict[str, Any] = {"today": today, "day": day, "date_error": date_error}
    context.update(
        {"practitioner": practitioner, "previous": day - timedelta(days=1), "next": day + timedelta(days=1)}
    )
    context.update(my_day_context(practitioner, day))
    sessions: list[Booking] = context["sessions"]
    notes = dict(
        TreatmentNote.objects.filter(booking_id__in=[b.pk for b in sessions]).values_list(
            "booking_id", "status"
        )
    )
    for booking in sessions:
        booking.note_status = notes.get(booking.pk)
    context["notes_to_finish"] = len(
        [b for b in sessions if b.was_attended and notes.get(b.pk) != NoteStatus.SIGNED]
    )
    return render(request, "clinic/home_practitioner.html", context, status=400 if date_error else 200)


@manager_required
def overview(request: HttpRequest) -> HttpResponse:
    """The manager's overview of the clinic."""
    context = {"today": timezone.localdate(), **overview_context(timezone.now())}
    return render(request, "clinic/home_manager.html", context)
