"""Pages of the clients app.

Who sees what: every staff role works with contact details and sees the screening status and
what to do; only clinicians (practitioners and managers) see intake answers, findings and
clearances. The online intake page is public: its one-time token is the credential.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Field, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import services
from clients.forms import (
    CONSENT_TEXT,
    INTAKE_SECTIONS,
    ClearanceForm,
    ClientForm,
    ClientSearchForm,
    ConfirmDuplicateForm,
    HealthUpdateForm,
    IntakeForm,
    IntakeSiteFormSet,
    PublicIntakeForm,
    intake_answers,
    intake_is_valid,
    site_rows,
)
from clients.models import Client, ContraindicationRule, Intake
from clients.screening import screen, screening_for, screenings_for
from clients.search import SEARCH_CAP, Matches
from clients.selectors import get_clearance_for, get_client_for, get_intake_for
from clinic.kernel.access.models import What
from clinic.kernel.access.services import record_access
from clinic.kernel.dates import parse_id
from clinic.kernel.extensions import parts
from clinic.kernel.http import AuthenticatedHttpRequest, private_download
from clinic.kernel.private_links import grant, granted, private_link_page
from clinic.kernel.roles import clinician_required, is_clinician, is_manager, staff_required

PAGE_SIZE = 25


@staff_required
def client_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search by part of a name, email or phone; each row carries the screening badge."""
    form = ClientSearchForm(request.GET or None)
    clients = Client.objects.active()
    query, archived = "", False
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        archived = form.cleaned_data["archived"]
        clients = Client.objects.archived() if archived else clients
    # A search lists names starting with the text first (clients.search.Matches, counted up to
    # SEARCH_CAP); the plain list, every client by name.
    listed: Matches | QuerySet[Client] = (
        Matches(clients, query) if query else clients.order_by("last_name", "first_name", "id")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    screenings = screenings_for(page.object_list)
    rows = [(client, screenings[client.pk]) for client in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "archived": archived,
        "capped": isinstance(listed, Matches) and listed.capped,
        "cap": SEARCH_CAP,
    }
    # htmx (search as you type) swaps in the results fragment alone.
    template = "clients/_client_results.html" if request.htmx else "clients/client_list.html"
    status = 200 if form.is_valid() or not form.is_bound else 400
    return render(request, template, context, status=status)


@staff_required
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    confirm = ConfirmDuplicateForm(request.POST or None)
    duplicates: list[Client] = []
    if request.method == "POST":
        if form.is_valid() and confirm.is_valid():
            client = form.save(commit=False)
            duplicates = list(services.possible_duplicates(client=client))
            if not duplicates or confirm.cleaned_data["confirm_duplicate"]:
                services.save_client(client=client, consents=form.cleaned_data["consent_to_treatment"])
                messages.success(request, f"{client.full_name} added.")
                return redirect("clients:detail", pk=client.pk)
        status = 409 if duplicates else 400
    else:
        status = 200
    return render(
        request,
        "clients/client_form.html",
        {"form": form, "confirm": confirm, "duplicates": duplicates, "creating": True},
        status=status,
    )


@staff_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST":
        if form.is_valid():
            services.save_client(
                client=form.save(commit=False), consents=form.cleaned_data["consent_to_treatment"]
            )
            messages.success(request, "Contact details saved.")
            return redirect("clients:detail", pk=client.pk)
        status = 400
    else:
        status = 200
    return render(request, "clients/client_form.html", {"form": form, "client": client}, status=status)


@staff_required
@require_POST
def client_archive(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    client.archive()
    messages.success(request, f"{client.full_name} archived. The record is kept and can be restored.")
    return redirect("clients:detail", pk=client.pk)


@staff_required
@require_POST
def client_restore(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    client.restore()
    messages.success(request, f"{client.full_name} restored.")
    return redirect("clients:detail", pk=client.pk)


@staff_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The client page: screening banner, bookings, and (clinicians) intake history and clearances."""
    client = get_client_for(request.user, pk)
    clinician = is_clinician(request.user)
    screening = screening_for(client)
    updates = list(client.health_updates.select_related("recorded_by")[:10])
    context: dict[str, Any] = {
        "client": client,
        "screening": screening,
        "clinician": clinician,
        "manager": is_manager(request.user),
        "updates": updates,
        "health_changed_since_intake": bool(
            updates
            and updates[0].changed
            and updates[0].new_intake_id is None
            and (screening.intake_date is None or updates[0].recorded_on >= screening.intake_date)
        ),
        "client_actions": parts("client_page.actions"),
        "client_sections": parts("client_page.sections"),
        "today": timezone.localdate(),
        "open_link": client.intake_links.filter(used_at__isnull=True, expires_at__gt=timezone.now()).first(),
    }
    if clinician:
        record_access(request, client_id=client.pk, what=What.HEALTH_VIEWED, obj=client)
        context["intakes"] = list(client.intakes.newest_first().select_related("reviewed_by"))
        context["clearances"] = list(
            client.clearances.prefetch_related(
                # The stubs leave Prefetch's type variables unsolved through a related manager.
                Prefetch("conditions", queryset=ContraindicationRule.objects.order_by("label"))  # type: ignore[arg-type]
            )
        )
    return render(request, "clients/client_detail.html", context)


def _intake_formsets(
    request: HttpRequest, form_class: type[IntakeForm], *, initial: dict, sites: list
) -> tuple:
    prefix = "sites"
    if request.method == "POST":
        return form_class(request.POST), IntakeSiteFormSet(request.POST, prefix=prefix)
    formset = IntakeSiteFormSet(prefix=prefix, initial=sites)
    formset.extra = len(sites) + 2
    return form_class(initial=initial), formset


@clinician_required
def intake_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new intake, prefilled from the newest one (a "yes" health update leads here)."""
    client = get_client_for(request.user, pk)
    answers, sites = services.previous_answers(client)
    health_update = None
    update_id = parse_id(request.GET.get("update") or request.POST.get("update"))
    if update_id is not None:
        health_update = client.health_updates.filter(pk=update_id).first()
    initial = {**answers, "taken_on": timezone.localdate(), "consent_signed": False, "consent_signature": ""}
    form, site_formset = _intake_formsets(request, IntakeForm, initial=initial, sites=sites)
    if request.method == "POST":
        if intake_is_valid(form, site_formset):
            intake = services.record_intake(
                client=client,
                answers=intake_answers(form),
                sites=site_rows(site_formset),
                by=request.user,
                health_update=health_update,
            )
            record_access(request, client_id=client.pk, what=What.INTAKE_TAKEN, obj=intake)
            messages.success(request, "Intake saved. The screening below uses it.")
            return redirect("clients:intake_detail", pk=client.pk, intake_pk=intake.pk)
        status = 400
    else:
        status = 200
    context = {
        "client": client,
        "form": form,
        "site_formset": site_formset,
        "prefilled": bool(answers),
        "health_update": health_update,
        "consent_text": CONSENT_TEXT,
    }
    return render(request, "clients/intake_form.html", context, status=status)


@clinician_required
def intake_detail(request: HttpRequest, pk: int, intake_pk: int) -> HttpResponse:
    """One intake's answers and what screening makes of them (as of today)."""
    client = get_client_for(request.user, pk)
    intake = get_intake_for(request.user, client, intake_pk)
    today = timezone.localdate()
    clearances = client.clearances.prefetch_related("conditions")
    result = screen(intake, clearances, on=today, rules=ContraindicationRule.objects.all())
    record_access(request, client_id=client.pk, what=What.INTAKE_VIEWED, obj=intake)
    return render(
        request,
        "clients/intake_detail.html",
        {"client": client, "intake": intake, "result": result, "sections": _answer_sections(intake)},
    )


def _answer_sections(intake: Intake) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The answers, section by section, as (question, answer as a person reads it)."""
    sections = []
    for title, names in INTAKE_SECTIONS:
        rows = []
        for name in names:
            # A plain model field (get_field may return a relation to the stubs).
            field: Field[Any, Any] = Intake._meta.get_field(name)  # type: ignore[assignment]
            value = getattr(intake, name)
            if field.choices:
                value = getattr(intake, f"get_{name}_display")()
            elif isinstance(value, bool):
                value = "Yes" if value else "No"
            rows.append((str(field.verbose_name).capitalize(), value if value not in (None, "") else "—"))
        sections.append((title, rows))
    return sections


@clinician_required
@require_POST
def intake_review(request: AuthenticatedHttpRequest, pk: int, intake_pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    intake = get_intake_for(request.user, client, intake_pk)
    services.review_intake(intake=intake, by=request.user)
    record_access(request, client_id=client.pk, what=What.INTAKE_REVIEWED, obj=intake)
    messages.success(request, "Intake marked as reviewed: screening now counts it like any other.")
    return redirect("clients:intake_detail", pk=client.pk, intake_pk=intake.pk)


@clinician_required
def intakes_to_review(request: HttpRequest) -> HttpResponse:
    """Intakes clients sent online that no practitioner has reviewed yet."""
    intakes = Intake.objects.awaiting_review().select_related("client").order_by("taken_on", "id")[:200]
    return render(request, "clients/intakes_to_review.html", {"intakes": intakes})


@staff_required
def health_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "Anything changed since last time?" Reception answers yes/no; clinicians may add a note."""
    client = get_client_for(request.user, pk)
    clinician = is_clinician(request.user)
    form = HealthUpdateForm(request.POST or None, clinical=clinician)
    if request.method == "POST":
        if form.is_valid():
            update = services.record_health_update(
                client=client,
                changed=form.cleaned_data["changed"],
                note=form.cleaned_data.get("note", "") if clinician else "",
                by=request.user,
            )
            record_access(request, client_id=client.pk, what=What.HEALTH_UPDATE_RECORDED, obj=update)
            if update.changed and clinician:
                messages.info(request, "Health has changed: update the intake (prefilled from the last one).")
                return redirect(f"{reverse('clients:intake_new', args=[client.pk])}?update={update.pk}")
            if update.changed:
                messages.info(request, "Recorded. A practitioner will update the intake before the session.")
            else:
                messages.success(request, "Recorded: nothing has changed.")
            return redirect("clients:detail", pk=client.pk)
        status = 400
    else:
        status = 200
    return render(request, "clients/health_update_form.html", {"client": client, "form": form}, status=status)


@clinician_required
def clearance_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    form = ClearanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            clearance = services.record_clearance(
                client=client,
                fields=form.clearance_fields(),
                conditions=form.cleaned_data["conditions"],
                by=request.user,
            )
            record_access(request, client_id=client.pk, what=What.CLEARANCE_RECORDED, obj=clearance)
            messages.success(request, "Clearance recorded.")
            return redirect("clients:detail", pk=client.pk)
        status = 400
    else:
        status = 200
    return render(request, "clients/clearance_form.html", {"client": client, "form": form}, status=status)


@clinician_required
def clearance_letter(request: HttpRequest, pk: int, clearance_pk: int) -> FileResponse:
    """Stream a doctor's letter after the role check; MEDIA_ROOT has no public URL. Always as a
    download, never shown inline: a file the browser renders in the app's origin could run in it."""
    client = get_client_for(request.user, pk)
    clearance = get_clearance_for(request.user, client, clearance_pk)
    if not clearance.letter:
        raise Http404("No letter was uploaded with this clearance.")
    suffix = clearance.letter.name.rsplit(".", 1)[-1]
    response = private_download(
        clearance.letter,
        filename=f"clearance-{clearance.pk}.{suffix}",
        content_type=clearance.letter_content_type or "application/octet-stream",
        missing="The letter's file is missing.",
    )
    record_access(request, client_id=client.pk, what=What.LETTER_VIEWED, obj=clearance)
    return response


@staff_required
@require_POST
def send_intake_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    if not client.email:
        messages.error(request, "Add the client's email address first, then send the link.")
        return redirect("clients:edit", pk=client.pk)
    if client.is_archived:
        messages.error(request, "Restore the client before sending an intake link.")
        return redirect("clients:detail", pk=client.pk)
    services.send_intake_link(client=client, by=request.user)
    messages.success(
        request,
        f"Intake link on its way to {client.email}; it works once, for "
        f"{settings.INTAKE_LINK_VALID_DAYS} days.",
    )
    return redirect("clients:detail", pk=client.pk)


_CLOSED = {
    "unknown": (
        404,
        "This link doesn't work",
        "The address may be incomplete. Check the link in your email.",
    ),
    "used": (410, "This form has already been sent", "Thank you: the clinic has your answers."),
    "expired": (410, "This link has expired", "Links stay valid for a few days, for your privacy."),
    "no_grant": (
        404,
        "Please open the link in your email again",
        "For your privacy this page works for a short while after opening the link.",
    ),
}

# The session's grant to one link's questionnaire, made when its token is opened.
INTAKE_GRANT_KEY = "intake_link_grant"
# How long after opening the link the questionnaire may be filled in and sent.
INTAKE_GRANT_SECONDS = 4 * 3600


@private_link_page("no-referrer")
def public_intake(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: its token is traded for a grant in the session, then the client is sent
    to the questionnaire's token-free address, so the token stays out of the address bar, the
    history and any Referer header."""
    link, state = services.open_intake_link(token)
    if state != "ok" or link is None:
        return _closed_link(request, state)
    grant(request, INTAKE_GRANT_KEY, link.pk, INTAKE_GRANT_SECONDS)
    return redirect("clients:public_intake_form")


@private_link_page("same-origin")
def public_intake_form(request: HttpRequest) -> HttpResponse:
    """The client's questionnaire: no account, one use, expires (the link is checked again on
    every request; the grant only says which link this browser opened)."""
    link_id = granted(request, INTAKE_GRANT_KEY)
    if link_id is None:
        return _closed_link(request, "no_grant")
    link, state = services.open_granted_link(link_id)
    if state != "ok" or link is None:
        return _closed_link(request, state)
    form, site_formset = _intake_formsets(request, PublicIntakeForm, initial={}, sites=[])
    if request.method == "POST":
        if intake_is_valid(form, site_formset):
            try:
                services.submit_online_intake(
                    link=link, answers=intake_answers(form), sites=site_rows(site_formset)
                )
            except services.LinkUnavailable:
                return _closed_link(request, "used")
            return render(request, "clients/public_intake_done.html", {"first_name": link.client.first_name})
        status = 400
    else:
        status = 200
    context = {
        "form": form,
        "site_formset": site_formset,
        "first_name": link.client.preferred_name or link.client.first_name,
        "consent_text": CONSENT_TEXT,
        "expires_at": link.expires_at,
    }
    return render(request, "clients/public_intake.html", context, status=status)


def _closed_link(request: HttpRequest, state: str) -> HttpResponse:
    status, title, explanation = _CLOSED[state]
    return render(
        request,
        "clients/public_intake_closed.html",
        {"title": title, "explanation": explanation, "state": state},
        status=status,
    )
