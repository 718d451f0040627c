"""Clinic-wide pages: the home page of each role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from clinic.calendar_views import desk_context, my_day_context
from clinic.kernel.http import AuthenticatedHttpRequest
from clinic.kernel.roles import Role, manager_required, primary_role, role_required
from clinic.overview import overview_context
from practitioners.models import Practitioner

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
    """Reception's home: the day at the front desk."""
    context = {"today": timezone.localdate(), **desk_context(timezone.now())}
    return render(request, "clinic/home_desk.html", context)


@role_required(Role.PRACTITIONER, Role.MANAGER)
def my_day(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A practitioner's home: their own day."""
    practitioner = Practitioner.objects.prefetch_related("working_hours").filter(user=request.user).first()
    context = {"today": timezone.localdate(), "practitioner": practitioner}
    context.update(my_day_context(practitioner, timezone.now()))
    return render(request, "clinic/home_practitioner.html", context)


@manager_required
def overview(request: HttpRequest) -> HttpResponse:
    """The manager's overview of the clinic."""
    context = {"today": timezone.localdate(), **overview_context(timezone.now())}
    return render(request, "clinic/home_manager.html", context)
