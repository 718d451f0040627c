"""Booking pages: book (a page, or a dialog through htmx), find free slots, move, cancel,
quick status actions, courses. Reception, practitioners and managers use them; none shows
clinical content (only the reception-safe screening badge)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from clients.models import Client
from clients.screening import screening_for
from clients.search import Matches
from clinic import availability
from clinic.availability_loader import load_world, practitioners_for, service_spec
from clinic.emails import topics_for
from clinic.forms import (
    BookingForm,
    CancelForm,
    CourseForm,
    MoveForm,
    ReceptionNoteForm,
    SlotSearchForm,
    client_label,
    parse_time,
)
from clinic.kernel.dates import clinic_tz, in_range, local_datetime, parse_day, parse_id
from clinic.kernel.extensions import parts
from clinic.kernel.http import AuthenticatedHttpRequest
from clinic.kernel.outbox.models import Message
from clinic.kernel.roles import staff_required
from clinic.models import Booking, IllegalTransition, Room, Service
from clinic.selectors import get_booking_for
from clinic.services import (
    BookingError,
    book,
    book_course,
    cancel_booking,
    cancel_rest_of_course,
    change_status,
    course_starts,
    move_booking,
    plan_course,
    screening_check,
)
from practitioners.models import Practitioner

SEARCH_DAYS = 28
# Searched first: a clinic's next few days usually hold a page of free times, so the other
# days' bookings are read only when they do not (the cost follows the days looked at). At
# least this many; more when the practitioners searched work too few hours to fill a page in
# them (`_first_window`).
FIRST_SEARCH_DAYS = 3
# The share of working time `_first_window` expects to be free.
EXPECTED_FREE = 0.5


def _first_window(practitioners: Sequence[Practitioner]) -> int:
    """Days to search first: enough for the practitioners' weekly hours (prefetched) to hold a
    page of free start times if EXPECTED_FREE of their time is free; at least FIRST_SEARCH_DAYS,
    at most SEARCH_DAYS. One practitioner's page takes about a week, the whole clinic's a day:
    without this, a search for one practitioner read its first days twice."""
    weekly = sum(
        (datetime.combine(date.min, hours.end) - datetime.combine(date.min, hours.start))
        / availability.DEFAULT_STEP
        for practitioner in practitioners
        for hours in practitioner.working_hours.all()
    )
    free_per_day = weekly / 7 * EXPECTED_FREE
    if free_per_day <= 0:
        return FIRST_SEARCH_DAYS
    return max(FIRST_SEARCH_DAYS, min(SEARCH_DAYS, math.ceil((SLOTS_SHOWN + 1) / free_per_day)))


def _days_for_a_page(searched: int, found: int) -> int:
    """How many days to search next, `searched` days having given `found` free times: as many
    as should hold a page at the rate seen (and a quarter more), or the whole window when
    nothing was free."""
    if not found:
        return SEARCH_DAYS
    return min(SEARCH_DAYS, math.ceil(searched * (SLOTS_SHOWN + 1) / found * 1.25))


# Free start times listed at once, whole days only; a link continues from the next day.
SLOTS_SHOWN = 120
# Which form field shows each service error (the service speaks of start/end).
FIELD_FOR = {"start": "time", "end": "end_time"}


def _add_error(form: Any, error: BookingError) -> int:
    """Show the service's refusal on the form; the page's status code (400, or 409 when
    someone else was changing the same bookings)."""
    name = FIELD_FOR.get(error.field or "", error.field)
    form.add_error(name if name in form.fields else None, error.message)
    return error.status_code


# The booking writes below are not wrapped in the request's transaction (ATOMIC_REQUESTS): the
# service's own transaction is the whole unit, so it can be rerun after a deadlock, a lock wait
# that runs out is answered on the form, and locks are released before the page is rendered.
write_view = transaction.non_atomic_requests


def _day_url(day: Any) -> str:
    return f"{reverse('clinic:day')}?date={day.isoformat()}"


def _screening_for_form(form: Any) -> Any:
    """The chosen client's screening, for the warning above the booking button."""
    client = form.cleaned_data.get("client") if form.is_bound and hasattr(form, "cleaned_data") else None
    if client is None and not form.is_bound:
        client = form.initial.get("client")
    if client is None:
        return None
    day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
    return screening_check(client, day or timezone.localdate())


def _initial_from(request: HttpRequest) -> dict[str, Any]:
    """Prefill from a calendar cell or a free slot: ?practitioner=&date=&time=&room=&client=&service=."""
    get = request.GET
    initial: dict[str, Any] = {"date": parse_day(get.get("date"), timezone.localdate())}
    if at := parse_time(get.get("time")):
        initial["time"] = at
    for name, model in (("practitioner", Practitioner), ("room", Room)):
        if (pk := parse_id(get.get(name))) is not None:
            initial[name] = model.objects.filter(pk=pk).first()
    if (pk := parse_id(get.get("service"))) is not None:
        initial["service"] = pk
    if (pk := parse_id(get.get("client"))) is not None:
        initial["client"] = Client.objects.active().filter(pk=pk).first()
    return initial


def _default_service(initial: dict[str, Any]) -> int | None:
    """A service to start from: the one the client booked last, else the first the chosen
    practitioner offers, else the clinic's first. Reception changes it in one click."""
    if initial.get("client") is not None and (usual := _usual_service(initial["client"])) is not None:
        return usual
    services = Service.objects.active()
    if initial.get("practitioner") is not None:
        services = services.filter(practitioners=initial["practitioner"])
    return services.order_by("name", "pk").values_list("pk", flat=True).first()


PICKER_MATCHES = 10


@staff_required
def client_search(request: HttpRequest) -> HttpResponse:
    """The client picker's matches: at most ten active clients, through the clients' search index."""
    query = request.GET.get("client_search", request.GET.get("q", "")).strip()[:100]
    found: list[Any] = []
    if len(query) >= 2:
        found = Matches(Client.objects.active(), query)[: PICKER_MATCHES + 1]
    clients = [{"pk": c.pk, "label": client_label(c)} for c in found[:PICKER_MATCHES]]
    context = {"clients": clients, "more": len(found) > PICKER_MATCHES, "query": query}
    return render(request, "clinic/_client_search_results.html", context)


@write_view
@staff_required
def booking_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Book one session. Through htmx it renders only the dialog's form."""
    template = "clinic/_booking_form.html" if request.htmx else "clinic/booking_form.html"
    if request.method == "POST":
        form = BookingForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = book(
                    client=data["client"],
                    practitioner=data["practitioner"],
                    service=data["service"],
                    start=data["start"],
                    end=data.get("end"),
                    room=data["room"],
                    reception_note=data["reception_note"],
                    acknowledge_clearance=data["acknowledge_clearance"],
                    by=request.user,
                )
            except BookingError as error:
                status = _add_error(form, error)
            else:
                messages.success(
                    request, f"Booked {booking.client} at {booking.local_start:%H:%M on %a %d %b}."
                )
                url = reverse("clinic:booking_detail", args=[booking.pk])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    else:
        initial = _initial_from(request)
        initial.setdefault("service", _default_service(initial))
        form = BookingForm(initial=initial)
        status = 200
    context = {"form": form, "screening": _screening_for_form(form)}
    response = render(request, template, context, status=status)
    if request.htmx and status >= 400:
        # The refusal replaces the form it answers, wherever the request came from (app.js
        # swaps 4xx answers in place, DEBUG on or off).
        response = reswap(retarget(response, "#booking-form-wrap"), "outerHTML")
    return response


@staff_required
def find_slots(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The next free slots for a service (and client), with anyone or a chosen practitioner."""
    # Opened from a link (?client=... from the booking form, or nothing): the choices so far are
    # filled in and nothing is searched yet, so nothing is wrong yet either. Pressing Search
    # always sends the service field.
    asked = "service" in request.GET
    initial = _initial_from(request) if not asked else {}
    if not asked and initial.get("client") is not None and "service" not in initial:
        initial["service"] = _usual_service(initial["client"])
    initial["from_date"] = initial.pop("date", timezone.localdate())  # the search starts "from"
    form = SlotSearchForm(request.GET if asked else None, initial=initial)
    slots: list[dict[str, Any]] = []
    more_from: date | None = None
    searched = asked and form.is_valid()
    if searched:
        data = form.cleaned_data
        service = data["service"]
        chosen = data["practitioner"]
        practitioners = practitioners_for(service)
        if chosen is not None:
            practitioners = [p for p in practitioners if p.pk == chosen.pk]
        first = data["from_date"]
        prefs = availability.Preferences(
            weekdays=frozenset(data["weekdays"]) or availability.ALL_WEEKDAYS,
            earliest=data["earliest"],
            latest=data["latest"],
        )
        now = timezone.now()
        days = _first_window(practitioners)
        while True:
            world = load_world(
                first_day=first,
                last_day=first + timedelta(days=days),  # a session may run past the last midnight
                practitioners=practitioners,
                service=service,
                client_id=data["client"].pk if data["client"] else None,
            )
            found = availability.free_slots(
                world,
                service_spec(service),
                now=now,
                first_day=first,
                days=days,
                prefs=prefs,
                limit=SLOTS_SHOWN + 1,
            )
            if len(found) > SLOTS_SHOWN or days >= SEARCH_DAYS:
                break  # a full page (and one more) within these days: the rest is not needed
            days = _days_for_a_page(days, len(found))
        if len(found) > SLOTS_SHOWN:
            # Whole days only: the last day's list may be cut short, so it opens the next page.
            last_day = found[SLOTS_SHOWN].start.astimezone(clinic_tz()).date()
            kept = [s for s in found if s.start.astimezone(clinic_tz()).date() < last_day]
            # One day alone fills the page: show its first slots, and go on from the next day.
            found, more_from = (
                (kept, last_day) if kept else (found[:SLOTS_SHOWN], last_day + timedelta(days=1))
            )
        names = {p.pk: p for p in practitioners}
        rooms: dict[int | None, Room] = {
            r.pk: r for r in Room.objects.filter(pk__in={s.room_id for s in found if s.room_id})
        }
        new_booking = reverse("clinic:booking_new")  # once, not for each slot
        for slot in found:
            local = slot.start.astimezone(clinic_tz())
            params = (
                f"practitioner={slot.practitioner_id}&date={local:%Y-%m-%d}&time={local:%H:%M}"
                f"&service={service.pk}"
            )
            if data["client"]:
                params += f"&client={data['client'].pk}"
            if slot.room_id:
                params += f"&room={slot.room_id}"
            slots.append(
                {
                    "start": local,
                    "practitioner": names[slot.practitioner_id],
                    "room": rooms.get(slot.room_id),
                    "url": f"{new_booking}?{params}",
                }
            )
    template = "clinic/_slot_results.html" if request.htmx else "clinic/find_slots.html"
    status = 400 if form.is_bound and not searched else 200
    context = {
        "form": form,
        "slots": slots,
        "days": _by_day(slots),
        "searched": searched,
        "more_url": _more_url(request, more_from) if more_from else None,
        "more_from": more_from,
    }
    return render(request, template, context, status=status)


def _usual_service(client: Client) -> int | None:
    """The service the client booked last (the one reception most likely books again)."""
    return (
        Booking.objects.filter(client=client, service__is_active=True)
        .order_by("-start")
        .values_list("service_id", flat=True)
        .first()
    )


def _by_day(slots: list[dict[str, Any]]) -> list[tuple[date, list[tuple[Any, list[dict[str, Any]]]]]]:
    """Day by day, each practitioner's free start times on that day."""
    days: dict[date, dict[int, list[dict[str, Any]]]] = {}
    for slot in slots:
        days.setdefault(slot["start"].date(), {}).setdefault(slot["practitioner"].pk, []).append(slot)
    return [
        (day, [(times[0]["practitioner"], times) for times in by_practitioner.values()])
        for day, by_practitioner in days.items()
    ]


def _more_url(request: HttpRequest, from_day: date) -> str:
    query = request.GET.copy()
    query["from_date"] = from_day.isoformat()
    return f"{reverse('clinic:find_slots')}?{query.urlencode()}"


def _render_detail(
    request: HttpRequest, booking: Booking, note_form: ReceptionNoteForm | None = None, status: int = 200
) -> HttpResponse:
    booking.screening = screening_for(booking.client, on=booking.local_date)
    history = booking.history.select_related("history_user").order_by("-history_date")[:20]
    note_form = note_form or ReceptionNoteForm(initial={"reception_note": booking.reception_note})
    context = {
        "booking": booking,
        "history": history,
        "note_form": note_form,
        "booking_actions": parts("booking_page.actions"),
        # The client's emails about this booking and where each stands (never the body here).
        "emails": Message.objects.about(*topics_for(booking)).order_by("created_at", "id"),
    }
    return render(request, "clinic/booking_detail.html", context, status=status)


@staff_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_booking_for(request.user, pk))


@write_view
@staff_required
def booking_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The move form; the calendar's drag, resize and keyboard moves post the same form and ask
    for JSON (`Accept: application/json`): the outcome, or the refusal and its reason."""
    booking = get_booking_for(request.user, pk)
    if request.method == "POST":
        form = MoveForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                move_booking(
                    booking=booking,
                    start=form.local_start(),  # type: ignore[arg-type]  # a valid form has a start
                    end=data["end"],
                    practitioner=data["practitioner"],
                    room=data["room"],
                    reason=data["reason"],
                    by=request.user,
                )
            except BookingError as error:
                status = _add_error(form, error)
            else:
                done = f"Moved to {booking.local_start:%H:%M}\u2013{booking.local_end:%H:%M on %a %d %b}."
                if _wants_json(request):
                    return JsonResponse({"ok": True, "message": done, **_moved(booking)})
                messages.success(request, done)
                return redirect("clinic:booking_detail", pk=booking.pk)
        if _wants_json(request):
            reasons = " ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
            return JsonResponse({"ok": False, "message": reasons}, status=status)
    else:
        form = MoveForm(
            initial={
                "date": booking.local_date,
                "time": booking.local_time,
                "practitioner": booking.practitioner,
            }
        )
        status = 200
    return render(request, "clinic/booking_move.html", {"form": form, "booking": booking}, status=status)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _moved(booking: Booking) -> dict[str, Any]:
    return {
        "booking": booking.pk,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "practitioner": booking.practitioner_id,
        "room": booking.room_id,
    }


@write_view
@staff_required
def booking_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    booking = get_booking_for(request.user, pk)
    if request.method == "POST":
        form = CancelForm(request.POST)
        status = 400
        if form.is_valid():
            reason, by_clinic = form.cleaned_data["reason"], form.cleaned_data["by_clinic"]
            try:
                if form.cleaned_data["rest_of_course"]:
                    cancelled = cancel_rest_of_course(
                        booking=booking, by=request.user, reason=reason, by_clinic=by_clinic
                    )
                    messages.success(request, f"Cancelled {len(cancelled)} session(s).")
                else:
                    cancel_booking(booking=booking, by=request.user, reason=reason, by_clinic=by_clinic)
                    late = " (late cancellation)" if booking.late_cancellation else ""
                    messages.success(request, f"Cancelled{late}.")
            except IllegalTransition as error:
                form.add_error(None, str(error))
            except BookingError as error:
                status = _add_error(form, error)
            else:
                return redirect("clinic:booking_detail", pk=booking.pk)
    else:
        form = CancelForm()
        status = 200
    if not booking.course_id:
        form.fields["rest_of_course"].widget = forms.HiddenInput()
    return render(request, "clinic/booking_cancel.html", {"form": form, "booking": booking}, status=status)


STATUS_DONE = {
    "arrived": "Marked as arrived.",
    "completed": "Marked as completed.",
    "no_show": "Marked as a no-show.",
    "undo": "Back to booked.",
}


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@staff_required
@require_POST
def booking_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Quick actions: arrived, completed, no-show, undo."""
    booking = get_booking_for(request.user, pk)
    if action not in STATUS_DONE:
        return HttpResponse("Unknown action.", status=404)
    done = STATUS_DONE[action]
    try:
        change_status(booking=booking, action=action, reason=done)
    except IllegalTransition as error:
        # A refused step (a stale page, a crafted POST) is a conflict with the booking's
        # state: answer 409 on the booking's page, with the reason.
        messages.error(request, str(error))
        booking.refresh_from_db()
        return _render_detail(request, booking, status=409)
    messages.success(request, f"{booking.client}: {done}")
    return _back(request, reverse("clinic:booking_detail", args=[booking.pk]))


@staff_required
@require_POST
def booking_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Reception's non-clinical note on a booking."""
    booking = get_booking_for(request.user, pk)
    form = ReceptionNoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, booking, form, status=400)
    booking.reception_note = form.cleaned_data["reception_note"]
    booking._change_reason = "Front-desk note"  # type: ignore[attr-defined]
    booking.save(update_fields=["reception_note"])
    messages.success(request, "Note saved.")
    return redirect("clinic:booking_detail", pk=booking.pk)


def _alternative_start(raw: str) -> datetime | None:
    """A picked alternative time (ISO 8601) as an aware datetime inside the clinic's range, or
    None. A value without an offset is the clinic's local wall-clock time."""
    try:
        moment = datetime.fromisoformat(raw)
        if timezone.is_naive(moment):
            moment = local_datetime(moment.date(), moment.time(), clinic_tz())
        local_day = moment.astimezone(clinic_tz()).date()
    except (ValueError, OverflowError):
        return None
    return moment if in_range(local_day) else None


def _course_starts(request: HttpRequest, form: CourseForm) -> list[datetime]:
    """The asked dates, with any alternative the user picked for a conflicting one; an
    unreadable alternative is a form error."""
    data = form.cleaned_data
    starts = course_starts(
        data["date"], data["time"], sessions=data["sessions"], every_weeks=data["every_weeks"]
    )
    chosen = []
    for number, start in enumerate(starts, 1):
        raw = request.POST.get(f"session_{number}", "")
        picked = _alternative_start(raw) if raw else start
        if picked is None:
            form.add_error(None, f"Session {number}: the chosen time is not a valid date and time.")
            picked = start
        chosen.append(picked)
    return chosen


@write_view
@staff_required
def course_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Plan a course, see each date checked, then book all of it in one go (or none)."""
    plan = None
    status = 200
    refused = None  # the status of the service's refusal, if it refused
    if request.method == "POST":
        form = CourseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            starts = _course_starts(request, form)
            if not form.errors:
                common = {
                    "client": data["client"],
                    "practitioner": data["practitioner"],
                    "service": data["service"],
                }
                if "confirm" in request.POST:
                    try:
                        course = book_course(
                            **common, starts=starts, room=data["room"], every_weeks=data["every_weeks"],
                            acknowledge_clearance=data["acknowledge_clearance"], by=request.user,
                        )  # fmt: skip
                    except BookingError as error:
                        refused = _add_error(form, error)
                    else:
                        messages.success(request, f"Booked a course of {course.sessions} sessions.")
                        return redirect(_day_url(starts[0].astimezone(clinic_tz()).date()))
                plan = plan_course(**common, starts=starts, room=data["room"])
        status = (refused or 400) if form.errors else 200
    else:
        form = CourseForm(initial=_initial_from(request))
    screening = _screening_for_form(form) if form.is_bound else None
    all_free = bool(plan) and all(p.free for p in plan or ())
    context = {"form": form, "plan": plan, "all_free": all_free, "screening": screening}
    return render(request, "clinic/course_form.html", context, status=status)
