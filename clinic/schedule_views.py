"""Schedules without the back office: weekly working hours (managers), closures (managers) and
time off (each practitioner their own, managers anyone's).

A closure or time off over booked sessions is not saved at once: the page lists the sessions
under it and asks, per booking or for all, to move each to the next free time or to cancel it
with notice to the client (clinic.schedules does it through the booking services).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.forms import ClosureForm
from clinic.kernel.dates import parse_id
from clinic.kernel.roles import clinician_required, is_manager, manager_required
from clinic.models import Booking, Closure
from clinic.schedules import (
    DECISIONS,
    KEEP,
    Outcome,
    closure_bookings,
    save_closure,
    save_time_off_over_bookings,
    time_off_bookings,
)
from clinic.services import BookingError
from practitioners.forms import TimeOffForm, hours_grid, hours_grid_initial, mark_invalid
from practitioners.models import Practitioner, TimeOff, Weekday, WorkingHours
from practitioners.selectors import get_schedule_owner_for, get_time_off_for, own_practitioner
from practitioners.services import ScheduleInvalid, delete_time_off, set_working_hours

# --- The index ----------------------------------------------------------------------------


@manager_required
def schedules(request: HttpRequest) -> HttpResponse:
    """Every practitioner's week at a glance, with links to change it; the coming closures."""
    today = timezone.localdate()
    practitioners = (
        Practitioner.objects.all()
        .prefetch_related(
            Prefetch("working_hours", queryset=WorkingHours.objects.order_by("weekday", "start")),
            Prefetch("time_off", queryset=TimeOff.objects.filter(end_date__gte=today).order_by("start_date")),
        )
        .order_by("-is_active", "calendar_order", "display_name")
    )
    rows = []
    for practitioner in practitioners:
        week: dict[int, list[WorkingHours]] = {}
        for hours in practitioner.working_hours.all():
            week.setdefault(hours.weekday, []).append(hours)
        rows.append(
            {
                "practitioner": practitioner,
                "days": [(day.label[:3], week.get(day.value, [])) for day in Weekday],
                "time_off": list(practitioner.time_off.all()),
            }
        )
    closures = Closure.objects.filter(end_date__gte=today).order_by("start_date")[:5]
    context = {"rows": rows, "weekdays": [day.label for day in Weekday], "closures": closures}
    return render(request, "clinic/schedules.html", context)


# --- Working hours --------------------------------------------------------------------------


@manager_required
def working_hours(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    """One practitioner's week: each day's intervals, added, changed or removed in one save."""
    practitioner = get_object_or_404(Practitioner, pk=practitioner_id)
    status = 200
    if request.method == "POST":
        formset = hours_grid(request.POST)
        if formset.is_valid():
            try:
                set_working_hours(practitioner, formset.rows())
            except ScheduleInvalid as refusal:
                formset.show_problems(refusal.rows)
            else:
                messages.success(request, f"{practitioner}'s working hours are saved.")
                return redirect("clinic:working_hours", practitioner_id=practitioner.pk)
        status = 400
        for form in formset.forms:
            mark_invalid(form)
    else:
        formset = hours_grid(initial=hours_grid_initial(practitioner))
    days: dict[int, list[BaseForm]] = {day.value: [] for day in Weekday}
    for form in formset.forms:
        weekday = parse_id(str(form["weekday"].value())) if form["weekday"].value() not in (None, "") else 0
        days.setdefault(weekday if weekday in days else 0, []).append(form)
    grid = [(day.label, days[day.value]) for day in Weekday]
    hidden_errors = [e for form in formset.forms for e in form["weekday"].errors] + list(
        formset.non_form_errors()
    )
    context = {
        "practitioner": practitioner,
        "formset": formset,
        "grid": grid,
        "hidden_errors": hidden_errors,
    }
    return render(request, "clinic/working_hours.html", context, status=status)


# --- Confirming what happens to the booked sessions --------------------------------------------


def _decisions(post: Any, affected: Sequence[Booking]) -> tuple[dict[int, str] | None, str]:
    """The choices sent with the list ("move all", "cancel all" or one per booking), or None
    with the reason the list must be shown again."""
    seen = {parse_id(raw) for raw in post.getlist("seen")}
    if {b.pk for b in affected} - seen:
        return None, "Another session was booked in that time meanwhile: check the list again."
    bulk = post.get("bulk", "")
    if bulk in DECISIONS:
        return {b.pk: bulk for b in affected}, ""
    decisions = {}
    for booking in affected:
        choice = post.get(f"decision-{booking.pk}", KEEP)
        if choice not in DECISIONS:
            return None, "Choose what to do with each session."
        decisions[booking.pk] = choice
    return decisions, ""


def _report(request: HttpRequest, outcomes: Sequence[Outcome], saved: str) -> None:
    messages.success(request, saved)
    for outcome in outcomes:
        b = outcome.booking
        when = f"{b.local_start:%a %d %b %H:%M}"
        line = f"{b.client.display_name}, {when} with {b.practitioner}: {outcome.message}"
        if outcome.done:
            if outcome.decision != KEEP:
                messages.info(request, line)
        else:
            messages.warning(request, line)


def _save_over_bookings(
    request: HttpRequest,
    *,
    form: BaseForm,
    affected: Sequence[Booking],
    save: Callable[[dict[int, str]], tuple[Any, list[Outcome]]],
    confirm_context: dict[str, Any],
    saved_message: str,
) -> HttpResponse | None:
    """Show the list of sessions to decide on, or save and report (None: saved)."""
    decisions: dict[int, str] = {}
    problem = ""
    if affected:
        if request.POST.get("step") != "apply":
            decisions_or_none: dict[int, str] | None = None
        else:
            decisions_or_none, problem = _decisions(request.POST, affected)
        if decisions_or_none is None:
            context = {
                **confirm_context,
                "form": form,
                "affected": affected,
                "choices": DECISIONS.items(),
                "problem": problem,
            }
            status = 400 if problem else 200
            return render(request, "clinic/schedule_confirm.html", context, status=status)
        decisions = decisions_or_none
    try:
        _saved, outcomes = save(decisions)
    except BookingError as error:
        context = {
            **confirm_context,
            "form": form,
            "affected": affected,
            "choices": DECISIONS.items(),
            "problem": error.message,
        }
        return render(request, "clinic/schedule_confirm.html", context, status=error.status_code)
    _report(request, outcomes, saved_message)
    return None


# --- Closures ---------------------------------------------------------------------------------


@manager_required
def closures(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    upcoming = list(Closure.objects.filter(end_date__gte=today).order_by("start_date"))
    past = list(Closure.objects.filter(end_date__lt=today).order_by("-start_date")[:10])
    context = {"upcoming": upcoming, "past": past, "today": today, "form": ClosureForm()}
    return render(request, "clinic/closures.html", context)


def _closure_page(request: HttpRequest, closure: Closure) -> HttpResponse:
    form = ClosureForm(request.POST if request.method == "POST" else None, instance=closure)
    if request.method == "POST":
        if form.is_valid():
            candidate = form.save(commit=False)
            response = _save_over_bookings(
                request,
                form=form,
                affected=closure_bookings(candidate),
                save=lambda decisions: save_closure(candidate, decisions=decisions, by=request.user),
                confirm_context={"what": "closure", "title": f"Close the clinic: {candidate.reason}"},
                saved_message=f"The closure “{candidate.reason}” is saved.",
            )
            if response is not None:
                return response
            return redirect("clinic:closures")
        return render(request, "clinic/closure_form.html", {"form": form, "closure": closure}, status=400)
    return render(request, "clinic/closure_form.html", {"form": form, "closure": closure})


@manager_required
def closure_new(request: HttpRequest) -> HttpResponse:
    return _closure_page(request, Closure())


@manager_required
def closure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(Closure, pk=pk)
    if closure.end_date < timezone.localdate():
        messages.info(request, "A closure that is over is kept as it was.")
        return redirect("clinic:closures")
    return _closure_page(request, closure)


@manager_required
@require_POST
def closure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(Closure, pk=pk)
    if closure.start_date <= timezone.localdate():
        messages.error(request, "Only a closure that has not started yet can be deleted.")
    else:
        closure.delete()
        messages.success(request, f"The closure “{closure.reason}” is deleted: those days are open again.")
    return redirect("clinic:closures")


# --- Time off ---------------------------------------------------------------------------------


def _time_off_page(
    request: HttpRequest, time_off: TimeOff, practitioner: Practitioner, template: str
) -> HttpResponse:
    form = TimeOffForm(request.POST if request.method == "POST" else None, instance=time_off)
    today = timezone.localdate()
    context: dict[str, Any] = {"form": form, "practitioner": practitioner, "time_off": time_off}
    if template == "clinic/time_off.html":
        context["upcoming"] = list(
            TimeOff.objects.filter(practitioner=practitioner, end_date__gte=today).order_by("start_date")
        )
    if request.method == "POST":
        if form.is_valid():
            candidate = form.save(commit=False)
            candidate.practitioner = practitioner
            response = _save_over_bookings(
                request,
                form=form,
                affected=time_off_bookings(candidate),
                save=lambda decisions: save_time_off_over_bookings(
                    candidate, decisions=decisions, by=request.user
                ),
                confirm_context={"what": "time off", "title": f"Time off for {practitioner}"},
                saved_message=f"{practitioner}'s time off is saved.",
            )
            if response is not None:
                return response
            return redirect("clinic:time_off", practitioner_id=practitioner.pk)
        return render(request, template, context, status=400)
    return render(request, template, context)


@clinician_required
def time_off(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    """A practitioner's coming time off, and a form to add more."""
    practitioner = get_schedule_owner_for(request.user, practitioner_id)
    return _time_off_page(request, TimeOff(practitioner=practitioner), practitioner, "clinic/time_off.html")


@clinician_required
def time_off_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_time_off_for(request.user, pk)
    return _time_off_page(request, item, item.practitioner, "clinic/time_off_form.html")


@clinician_required
@require_POST
def time_off_delete(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    """Delete one of the practitioner's time off (its number sent as `time_off`)."""
    practitioner = get_schedule_owner_for(request.user, practitioner_id)
    pk = parse_id(request.POST.get("time_off"))
    item = practitioner.time_off.filter(pk=pk).first() if pk is not None else None
    if item is None:
        messages.info(request, "That time off is no longer there.")
    else:
        delete_time_off(item)
        messages.success(request, "The time off is deleted.")
    return redirect("clinic:time_off", practitioner_id=practitioner.pk)


@clinician_required
def my_time_off(request: HttpRequest) -> HttpResponse:
    """The signed-in practitioner's own time off (a manager who doesn't treat: the schedules)."""
    practitioner = own_practitioner(request.user)
    if practitioner is not None:
        return redirect("clinic:time_off", practitioner_id=practitioner.pk)
    if is_manager(request.user):
        return redirect("clinic:schedules")
    messages.info(request, "Your account has no practitioner profile yet: ask a manager to add one.")
    return redirect("home")
