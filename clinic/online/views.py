"""The public booking pages (no staff login): choose, time, details, code, done; and the
private manage link of a booking made online.

The steps keep their state in the session; every step that changes anything is a POST (CSRF
checked as everywhere). Nothing on these pages says whether an email address belongs to a
client: every address gets a code and the same pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from clinic.kernel import throttle
from clinic.kernel.dates import clinic_tz
from clinic.kernel.private_links import grant, granted, private_link_page
from clinic.kernel.roles import manager_required, staff_required
from clinic.models import Booking, BookingStatus, Service
from clinic.online import services
from clinic.online.forms import CodeForm, DetailsForm, SettingsForm, WaitlistForm
from clinic.online.models import ManageLink, OnlineSettings
from clinic.selectors import get_booking_for
from clinic.services import BookingError, confirm_request
from practitioners.models import Practitioner

STATE_KEY = "online_booking"
WAITLIST_KEY = "online_waitlist"
GRANT_KEY = "online_manage_grant"
GRANT_SECONDS = 2 * 3600
NEXT_DAYS = 14  # how far the "next free days" look when the chosen day is full

_CLOSED = {
    "disabled": (404, "Online booking is not available", "Please call the clinic to book."),
    "unknown": (404, "This link doesn't work", "Check that you copied the whole link from the email."),
    "expired": (410, "This link or code has expired", "Please start again, or call the clinic."),
    "used": (410, "This code has been used already", "Each code works once: please start again."),
    "no_grant": (
        403,
        "Please open the link from your email again",
        "For your privacy the page closes after a while.",
    ),
    "no_state": (400, "Please start again", "Your booking was not finished: choose a time again."),
}


def _closed(request: HttpRequest, state: str) -> HttpResponse:
    status, title, explanation = _CLOSED[state]
    return render(request, "online/closed.html", {"title": title, "explanation": explanation}, status=status)


def _throttled(request: HttpRequest, scope: str, email: str | None) -> bool:
    return not throttle.allow(
        request,
        scope,
        email=email,
        per_address=settings.ONLINE_BOOKING_LIMIT_PER_ADDRESS,
        per_email=settings.ONLINE_BOOKING_LIMIT_PER_EMAIL,
        window=settings.ONLINE_BOOKING_WINDOW_MINUTES * 60,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "online/too_many.html", status=429)


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _offer(
    config: OnlineSettings, service_id: Any, practitioner_id: Any
) -> tuple[Service | None, list[Practitioner], str]:
    """The chosen service, the practitioners to search ("any": all offered online) and the choice."""
    services_ = {s.pk: s for s in services.bookable_services(config)}
    service = services_.get(_int(service_id) or 0)
    if service is None:
        return None, [], "any"
    offered = services.bookable_practitioners(config, service)
    wanted = _int(practitioner_id)
    if wanted is not None:
        return service, [p for p in offered if p.pk == wanted], str(wanted)
    return service, offered, "any"


@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    config = OnlineSettings.current()
    if not config.enabled:
        return _closed(request, "disabled")
    offered = services.bookable_services(config)
    context = {
        "services": offered,
        "practitioners": services.bookable_practitioners(config, None),
        "today": timezone.localdate(),
        "last_day": services.window(config, timezone.now())[1],
        "waitlist": config.waitlist_online,
    }
    return render(request, "online/start.html", context)


@require_http_methods(["GET", "POST"])
def times(request: HttpRequest) -> HttpResponse:
    """GET: the free times of the chosen day (or the next free days); POST: keep one."""
    config = OnlineSettings.current()
    if not config.enabled:
        return _closed(request, "disabled")
    source = request.POST if request.method == "POST" else request.GET
    service, practitioners, chosen = _offer(config, source.get("service"), source.get("practitioner"))
    day = _day(source.get("day", "")) or timezone.localdate()
    if service is None or not practitioners:
        retry: dict[str, Any] = {
            "error": "Choose a service (and a practitioner) from the list.",
            "services": services.bookable_services(config),
            "practitioners": services.bookable_practitioners(config, None),
            "today": timezone.localdate(),
        }
        return render(request, "online/start.html", retry, status=400)
    if request.method == "POST":
        practitioner_id, _sep, iso = str(request.POST.get("slot", "")).partition("@")
        try:
            slot_start = datetime.fromisoformat(iso)
        except ValueError:
            slot_start = None
        picked = next((p for p in practitioners if p.pk == _int(practitioner_id)), None)
        if slot_start is not None and slot_start.tzinfo is not None and picked is not None:
            request.session[STATE_KEY] = {
                "service": service.pk,
                "practitioner": picked.pk,
                "start": slot_start.isoformat(),
            }
            return redirect("online:details")
        status = 400
    else:
        status = 200
    now = timezone.now()
    slots = services.free_times(config, service=service, practitioners=practitioners, day=day, now=now)
    later = []
    if not slots:
        later = services.free_times(
            config, service=service, practitioners=practitioners, day=day + timedelta(days=1),
            now=now, days=NEXT_DAYS, limit=12,
        )  # fmt: skip
    names = {p.pk: p.display_name for p in practitioners}
    tz = clinic_tz()
    context: dict[str, Any] = {
        "service": service,
        "chosen": chosen,
        "day": day,
        "slots": [(s, s.start.astimezone(tz), names[s.practitioner_id]) for s in slots],
        "later": [(s, s.start.astimezone(tz), names[s.practitioner_id]) for s in later],
        "error": "Choose one of the times." if status == 400 else "",
        "waitlist": config.waitlist_online,
    }
    return render(request, "online/times.html", context, status=status)


def _chosen(request: HttpRequest) -> tuple[Service, Practitioner, datetime] | None:
    state = request.session.get(STATE_KEY)
    if not isinstance(state, dict):
        return None
    service = Service.objects.filter(pk=_int(state.get("service")) or 0).first()
    practitioner = Practitioner.objects.filter(pk=_int(state.get("practitioner")) or 0).first()
    try:
        start_at = datetime.fromisoformat(str(state.get("start")))
    except ValueError:
        return None
    if service is None or practitioner is None:
        return None
    return service, practitioner, start_at


@require_http_methods(["GET", "POST"])
def details(request: HttpRequest) -> HttpResponse:
    """The client's details; on sending, a code goes to the typed address (known or not)."""
    chosen = _chosen(request)
    if chosen is None:
        return _closed(request, "no_state")
    form = DetailsForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            return _send_code(request, STATE_KEY, dict(request.session[STATE_KEY]), form, "online:code")
        status = 400
    service, practitioner, start_at = chosen
    context = {
        "form": form,
        "service": service,
        "practitioner": practitioner,
        "start": start_at.astimezone(clinic_tz()),
    }
    return render(request, "online/details.html", context, status=status)


def _send_code(
    request: HttpRequest, key: str, state: dict[str, Any], form: DetailsForm, next_step: str
) -> HttpResponse:
    """Email a code to the typed address (known or not: the same next page), keeping the
    details in the session under `key`; 429 past the throttle."""
    email = form.cleaned_data["email"]
    if _throttled(request, "online-booking", email):
        return _too_many(request)
    state["details"] = form.as_session()
    # A robot that filled the hidden field is shown the same next page; nothing is sent.
    state["code"] = None if form.is_robot() else services.send_code(email).pk
    request.session[key] = state
    return redirect(next_step)


def _code_step(
    request: HttpRequest, state: dict[str, Any], button: str, proven: Callable[[], HttpResponse]
) -> HttpResponse:
    """The emailed code: `proven()` answers once it is right (and used up)."""
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _throttled(request, "online-code", None):
            return _too_many(request)
        if form.is_valid():
            verdict = services.check_code(_int(state.get("code")) or 0, form.cleaned_data["code"])
            if verdict in ("used", "expired"):
                return _closed(request, verdict)
            if verdict == "ok":
                return proven()
            form.add_error("code", "That code is not right: check the email and try again.")
        status = 400
    context = {"form": form, "email": state["details"]["email"], "button": button}
    return render(request, "online/code.html", context, status=status)


def _details(raw: dict[str, Any]) -> services.Details:
    return services.Details(
        first_name=raw["first_name"], last_name=raw["last_name"], email=raw["email"],
        phone=raw["phone"], date_of_birth=date.fromisoformat(raw["date_of_birth"]),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    chosen = _chosen(request)
    state = request.session.get(STATE_KEY) or {}
    if chosen is None or "details" not in state:
        return _closed(request, "no_state")
    return _code_step(request, state, "Book", lambda: _book(request, state, *chosen))


def _book(
    request: HttpRequest,
    state: dict[str, Any],
    service: Service,
    practitioner: Practitioner,
    start_at: datetime,
) -> HttpResponse:
    details_ = _details(state["details"])
    request.session.pop(STATE_KEY, None)  # the code is used: this booking is settled either way
    try:
        outcome = services.book_online(
            details=details_, service=service, practitioner=practitioner, start=start_at
        )
    except BookingError as error:
        context = {"message": error.message, "service": service}
        return render(
            request,
            "online/taken.html",
            context,
            status=error.status_code if error.status_code != 400 else 409,
        )
    template = {
        "booked": "online/done.html",
        "requested": "online/done.html",
        "call_us": "online/call_us.html",
        "no_new_clients": "online/call_us.html",
    }[outcome.result]
    context = {"outcome": outcome, "booking": outcome.booking, "email": details_.email}
    return render(request, template, context)


def _waitlist_form(config: OnlineSettings, data: Any = None, initial: Any = None) -> WaitlistForm:
    return WaitlistForm(
        data,
        initial=initial,
        services=config.services.filter(is_active=True).order_by("name"),
        practitioners=config.practitioners.active().order_by("calendar_order", "pk"),
    )


def _waitlist_open(config: OnlineSettings) -> bool:
    return config.enabled and config.waitlist_online


@require_http_methods(["GET", "POST"])
def waitlist_join(request: HttpRequest) -> HttpResponse:
    """A client asks to be told when a time comes free: what they would take, their details;
    then the emailed code (as for a booking), and the entry goes on the desk's list."""
    config = OnlineSettings.current()
    if not _waitlist_open(config):
        return _closed(request, "disabled")
    if request.method == "POST":
        wishes = _waitlist_form(config, request.POST)
        form = DetailsForm(request.POST)
        if wishes.is_valid() and form.is_valid():
            state = {"preferences": wishes.as_session()}
            return _send_code(request, WAITLIST_KEY, state, form, "online:waitlist_code")
        status = 400
    else:
        wanted = {
            "service": _int(request.GET.get("service")),
            "practitioner": _int(request.GET.get("practitioner")),
            "from_date": _day(request.GET.get("day", "")) or timezone.localdate(),
        }
        wishes, form, status = _waitlist_form(config, initial=wanted), DetailsForm(), 200
    context = {"wishes": wishes, "form": form}
    return render(request, "online/waitlist.html", context, status=status)


@require_http_methods(["GET", "POST"])
def waitlist_code(request: HttpRequest) -> HttpResponse:
    state = request.session.get(WAITLIST_KEY)
    if not isinstance(state, dict) or "details" not in state:
        return _closed(request, "no_state")
    return _code_step(request, state, "Join the waitlist", lambda: _join(request, state))


def _join(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    request.session.pop(WAITLIST_KEY, None)  # the code is used: settled either way
    config = OnlineSettings.current()
    if not _waitlist_open(config):
        return _closed(request, "disabled")
    wishes = _waitlist_form(config, state.get("preferences") or {})
    if not wishes.is_valid():  # the clinic changed what is offered meanwhile
        return _closed(request, "no_state")
    details_ = _details(state["details"])
    try:
        outcome = services.join_waitlist(details=details_, preferences=wishes.entry_fields())
    except BookingError:
        return _closed(request, "no_state")
    template = "online/waitlisted.html" if outcome.result == "waitlisted" else "online/call_us.html"
    return render(request, template, {"outcome": outcome, "entry": outcome.entry, "email": details_.email})


@private_link_page("no-referrer")
def manage_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: traded for a grant in the session, then the token-free page."""
    link = ManageLink.for_token(token)
    state = services.link_state(link)
    if state != "ok" or link is None:
        return _closed(request, state)
    grant(request, GRANT_KEY, link.pk, GRANT_SECONDS)
    return redirect("online:manage")


@private_link_page("same-origin")
def manage(request: HttpRequest) -> HttpResponse:
    link_id = granted(request, GRANT_KEY)
    if link_id is None:
        return _closed(request, "no_grant")
    link = (
        ManageLink.objects.filter(pk=link_id)
        .select_related("booking__service", "booking__practitioner", "booking__client")
        .first()
    )
    state = services.link_state(link)
    if state != "ok" or link is None:
        return _closed(request, state)
    booking: Booking = link.booking
    config = OnlineSettings.current()
    error, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel" and booking.status == BookingStatus.BOOKED:
                services.cancel_online(booking)
            elif request.POST.get("action") == "move" and services.can_move(booking, config):
                try:
                    new_start = datetime.fromisoformat(str(request.POST.get("start", "")))
                except ValueError as bad:
                    raise BookingError("Choose one of the times.") from bad
                if new_start.tzinfo is None:
                    raise BookingError("Choose one of the times.")
                services.check_offer(
                    config, service=booking.service, practitioner=booking.practitioner, start=new_start
                )
                services.move_online(booking, new_start)
            else:
                raise BookingError("This booking can't be changed online any more: please call the clinic.")
            return redirect("online:manage")
        except BookingError as refused:
            error, status = refused.message, 409
    day = _day(request.GET.get("day", "")) or timezone.localdate()
    movable = services.can_move(booking, config)
    slots = []
    if movable:
        slots = services.free_times(
            config, service=booking.service, practitioners=[booking.practitioner], day=day,
            now=timezone.now(), days=NEXT_DAYS, limit=12, exclude_booking_id=booking.pk,
        )  # fmt: skip
    context = {
        "booking": booking,
        "movable": movable,
        "late": booking.is_late_cancellation(timezone.now()),
        "slots": [(s, s.start.astimezone(clinic_tz())) for s in slots],
        "day": day,
        "error": error,
        "notice_hours": config.cancellation_notice_hours,
    }
    return render(request, "online/manage.html", context, status=status)


@staff_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Reception confirms a booking requested online (held because of the client's screening)."""
    booking = get_booking_for(request.user, pk)
    confirm_request(booking=booking, by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"{booking.client}: the online request is confirmed.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("clinic:booking_detail", pk=booking.pk)


@manager_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The manager chooses what clients may book online (the back office has the same form)."""
    config = OnlineSettings.current()
    form = SettingsForm(request.POST or None, instance=config)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_settings(fields=form.settings_fields())
            except ValidationError as refused:  # changed meanwhile: shown like the form's own
                for field, problems in refused.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, "Online booking settings saved.")
                return redirect("online:settings")
        status = 400
    context = {"form": form, "public_url": request.build_absolute_uri(reverse("online:start"))}
    return render(request, "online/settings.html", context, status=status)
