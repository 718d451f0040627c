"""Treatment notes, the point picker and the client's chart. Clinicians only: reception gets 403."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import bodymap
from clients.regions import BodyRegion
from clients.screening import screening_for
from clients.selectors import get_client_for
from clinic.kernel.access.models import What
from clinic.kernel.access.services import record_access
from clinic.kernel.dates import parse_id
from clinic.kernel.http import AuthenticatedHttpRequest, private_download
from clinic.kernel.roles import clinician_required, manager_required
from clinic.selectors import get_booking_for
from practitioners.models import Practitioner
from treatments import figures, handouts, safety, services
from treatments.catalogue import Catalogue, current_catalogue
from treatments.charts import Session, pain_chart
from treatments.export import build_export, export_filename
from treatments.forms import (
    AmendmentForm,
    ApplicationForm,
    NoteForm,
    PlanForm,
    ProtocolApplyForm,
    ProtocolForm,
    QuickLineForm,
)
from treatments.lookup import fold
from treatments.models import (
    Amendment,
    NoteStatus,
    Point,
    PointApplication,
    PointReading,
    Protocol,
    ProtocolItem,
    Technique,
    TreatmentNote,
    TreatmentPlan,
)
from treatments.quickline import QuickEntry, parse_quick_line, technique_names
from treatments.selectors import get_client_record_for, get_handout_for, get_note_for, get_protocol_for

SUGGESTION_LIMIT = 10

# The note's autosave is logged once per this stretch of typing (issue #11: no flood of events).
AUTOSAVE_EVENT_EVERY = timedelta(minutes=10)


# -- The point picker ----------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    point: Point
    flags: tuple[safety.Flag, ...]
    numbering: str = ""  # for one reading of a bare B36-B54: "who" or "older"

    @property
    def reading_label(self) -> str:
        return PointReading(self.numbering).label if self.numbering else ""


@clinician_required
def point_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Suggestions for the point picker (an htmx fragment; also a plain page without htmx).

    With `note=<id>` (the picker on a note page) each suggestion carries the cautions that
    apply to that note's client, so a point is flagged while it is being chosen.
    """
    # The picker's own field is named "point"; the search page's is "q".
    query = (request.GET.get("q") or request.GET.get("point") or "")[:60].strip()
    catalogue = current_catalogue()
    found = catalogue.lookup(query)
    exact = found.point
    suggestions = catalogue.suggest(query, limit=SUGGESTION_LIMIT) if query else []
    if exact is not None and exact not in suggestions:
        suggestions = [exact, *suggestions[: SUGGESTION_LIMIT - 1]]
    if query and not suggestions:
        suggestions = catalogue.did_you_mean(query)
    # A bare B36-B54 reads two ways: both readings come first, each saying which it is.
    readings = {r.record.pk: r.numbering for r in found.readings} if found.numbering_choice else {}
    first = list(readings)
    suggestions = sorted(suggestions, key=lambda p: first.index(p.pk) if p.pk in readings else len(first))
    note_id = parse_id(request.GET.get("note"))
    screening = screening_for(get_note_for(request.user, note_id).client) if note_id is not None else None
    rows = [
        Suggestion(
            point,
            catalogue.flags_for(point, side=None, pressure=None, screening=screening),
            readings.get(point.pk, ""),
        )
        for point in suggestions
    ]
    context = {"query": query, "rows": rows, "exact": exact}
    template = "treatments/_point_suggestions.html" if request.htmx else "treatments/point_search.html"
    return render(request, template, context)


# -- Starting a note from a booking ----------------------------------------------------------


@clinician_required
def booking_note(request: AuthenticatedHttpRequest, booking_id: int) -> HttpResponse:
    """The note of a booking: opens it if it exists, otherwise offers to start one."""
    booking = get_booking_for(request.user, booking_id)
    note = TreatmentNote.objects.filter(booking=booking).only("pk").first()
    if note is not None:
        return redirect("treatments:note", pk=note.pk)
    screening = screening_for(booking.client)
    if request.method == "POST":
        try:
            note = services.start_note(booking=booking, user=request.user)
        except services.NoteError as error:
            messages.error(request, str(error))
            return render(
                request,
                "treatments/note_start.html",
                {"booking": booking, "screening": screening, "refusal": str(error)},
                status=409,
            )
        record_access(request, client_id=note.client_id, what=What.NOTE_STARTED, obj=note)
        return redirect("treatments:note", pk=note.pk)
    refusal = services.refusal_to_start(booking, request.user, screening)
    return render(
        request,
        "treatments/note_start.html",
        {"booking": booking, "screening": screening, "refusal": refusal},
    )


# -- The note page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    entry: QuickEntry[Point, Technique]
    flags: tuple[safety.Flag, ...]
    reason: str = ""

    @property
    def needs_reason(self) -> bool:
        return safety.needs_reason(self.flags)

    @property
    def reason_missing(self) -> bool:
        return self.needs_reason and not self.reason.strip()


def _carried(post: Any, field: str, entries: list[QuickEntry[Point, Technique]]) -> dict[int, str]:
    """What was typed on the last preview for each entry (`reason-2`, `reading-2`), by entry number.

    The preview posts, beside each entry's fields, how its point was written (`entry-2`). A
    value stays with that point even if the line was edited and the entries moved; a value
    posted without it is taken as it is numbered.
    """
    by_point: dict[str, str] = {}
    for key, value in post.items():
        if key.startswith(f"{field}-") and value.strip():
            written = post.get(f"entry-{key.removeprefix(f'{field}-')}")
            if written is not None:
                by_point.setdefault(fold(written), value)
    carried = {}
    for entry in entries:
        written = post.get(f"entry-{entry.number}")
        value = post.get(f"{field}-{entry.number}", "")
        if written is None or fold(written) == fold(entry.point_text):
            carried[entry.number] = value
        if not carried.get(entry.number, "").strip():
            carried[entry.number] = by_point.get(fold(entry.point_text), "")
    return carried


def _preview(
    request: HttpRequest, form: QuickLineForm, catalogue: Catalogue, screening: Any
) -> list[PreviewRow]:
    def parse(numbering: dict[int, str]) -> list[QuickEntry[Point, Technique]]:
        return parse_quick_line(
            form.cleaned_data["text"],
            points=catalogue,
            techniques=techniques,
            legacy_bladder=form.cleaned_data["legacy_bladder"],
            numbering=numbering,
        )

    techniques = technique_names(Technique.objects.filter(is_active=True))
    entries = parse({})
    if any(entry.numbering_choice for entry in entries):
        entries = parse(_carried(request.POST, "reading", entries))
    reasons = _carried(request.POST, "reason", entries)
    rows = []
    for entry in entries:
        flags: tuple[safety.Flag, ...] = ()
        if entry.point is not None:
            flags = catalogue.flags_for(
                entry.point, side=entry.side, pressure=entry.pressure, screening=screening
            )
        rows.append(PreviewRow(entry, flags, reasons.get(entry.number, "")[:1000]))
    return rows


def _render_note(
    request: HttpRequest,
    note: TreatmentNote,
    *,
    status: int = 200,
    catalogue: Catalogue | None = None,
    screening: Any = None,
    **context: Any,
) -> HttpResponse:
    catalogue = catalogue or current_catalogue()
    screening = screening or screening_for(note.client)
    can_edit = note.can_edit(request.user)
    applications = list(note.applications.select_related("point", "technique"))
    for application in applications:
        application.flags = catalogue.flags_for(
            application.point, side=application.side, pressure=application.pressure, screening=screening
        )
    if can_edit:
        context.setdefault("note_form", NoteForm(instance=note, catalogue=catalogue))
        context.setdefault("application_form", ApplicationForm(catalogue=catalogue, screening=screening))
        context.setdefault("quick_form", QuickLineForm())
    elif note.is_signed:
        context.setdefault("amendment_form", AmendmentForm())
    dots, unplaced = figures.application_dots(applications, catalogue)
    context["point_map"] = bodymap.draw(selected=note.regions_treated, dots=dots)
    context["unplaced"] = unplaced
    if can_edit:
        context.setdefault("protocol_form", ProtocolApplyForm(user=request.user))
        context["region_map"] = bodymap.draw(selected=context["note_form"]["regions_treated"].value() or ())
        positioned = sorted(catalogue.positioned_points(), key=lambda p: p.code)
        cautions = {
            p.code
            for p in positioned
            if safety.needs_reason(catalogue.flags_for(p, side=None, pressure=None, screening=screening))
        }
        context["picker_map"] = bodymap.draw(
            dots=figures.point_dots(positioned, catalogue, caution_codes=cautions)
        )
    context.update(
        note=note,
        screening=screening,
        applications=applications,
        amendments=note.amendments.select_related("author"),
        home_care_points=note.home_care_points.all(),
        can_edit=can_edit,
        has_previous=can_edit and services.previous_signed_note(note) is not None,
    )
    return render(request, "treatments/note_detail.html", context, status=status)


@clinician_required
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_note_for(request.user, pk)
    record_access(request, client_id=note.client_id, what=What.NOTE_VIEWED, obj=note)
    return _render_note(request, note)


def draft_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """A POST that changes a draft: only its author, only while unsigned; otherwise 403.

    The service functions check the same again under a row lock, so a race with signing
    also ends in 403.
    """

    @clinician_required
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        note = get_note_for(request.user, pk)
        if not note.can_edit(request.user):
            raise PermissionDenied(
                "This note is signed and can no longer change: add an amendment instead."
                if note.is_signed
                else "Only the note's author can change a draft."
            )
        try:
            return view(request, note, **kwargs)
        except services.NoteLocked as error:
            raise PermissionDenied(str(error)) from error

    return wrapped


def _to_points(note: TreatmentNote) -> HttpResponse:
    return redirect(f"{note.get_absolute_url()}#points")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@draft_view
def note_update(request: AuthenticatedHttpRequest, note: TreatmentNote) -> HttpResponse:
    catalogue = current_catalogue()
    form = NoteForm(request.POST, instance=note, catalogue=catalogue)
    if not form.is_valid():
        # The form's instance now holds the posted values: reload the note for the page.
        fresh = get_note_for(request.user, note.pk)
        return _render_note(request, fresh, note_form=form, status=400, catalogue=catalogue)
    try:
        services.update_note(
            note_id=note.pk,
            user=request.user,
            fields=form.fields_to_save(),
            home_care_points=form.cleaned_data["home_care"],
            home_care_reason=form.cleaned_data["home_care_reason"],
        )
    except services.HomeCareNeedsReason as error:
        form.add_error("home_care_reason", str(error))
        fresh = get_note_for(request.user, note.pk)
        return _render_note(request, fresh, note_form=form, status=400, catalogue=catalogue)
    record_access(request, client_id=note.client_id, what=What.NOTE_SAVED, obj=note)
    messages.success(request, "Note saved.")
    return redirect("treatments:note", pk=note.pk)


@draft_view
def application_add(request: AuthenticatedHttpRequest, note: TreatmentNote) -> HttpResponse:
    catalogue = current_catalogue()
    screening = screening_for(note.client)
    form = ApplicationForm(request.POST, catalogue=catalogue, screening=screening)
    if not form.is_valid():
        return _render_note(
            request, note, application_form=form, status=400, catalogue=catalogue, screening=screening
        )
    data = form.cleaned_data
    row = services.NewApplication(
        point=data["point"],
        side=data["side"],
        technique=data["technique"],
        duration_seconds=data["duration_seconds"],
        pressure=data["pressure"],
        response=data["response"],
        cautions_shown=safety.summary(form.flags),
        override_reason=data["override_reason"],
        entered_as=data["entered_as"],
        reading=data["reading"],
    )
    services.add_applications(note_id=note.pk, user=request.user, rows=[row])
    record_access(request, client_id=note.client_id, what=What.POINTS_ADDED, obj=note)
    messages.success(request, f"{data['point'].label} added.")
    return _to_points(note)


@draft_view
def application_remove(
    request: AuthenticatedHttpRequest, note: TreatmentNote, application_id: int
) -> HttpResponse:
    try:
        services.remove_application(note_id=note.pk, user=request.user, application_id=application_id)
    except services.NoteError as error:
        messages.error(request, str(error))
        return _render_note(request, note, status=404)
    record_access(request, client_id=note.client_id, what=What.POINT_REMOVED, obj=note)
    messages.success(request, "Point removed.")
    return _to_points(note)


@draft_view
def quick_preview(request: AuthenticatedHttpRequest, note: TreatmentNote) -> HttpResponse:
    """The parsed quick line with resolved names and cautions, before anything is saved."""
    catalogue = current_catalogue()
    screening = screening_for(note.client)
    form = QuickLineForm(request.POST)
    valid = form.is_valid()
    rows = _preview(request, form, catalogue, screening) if valid else []
    status = 200 if valid else 400
    if request.htmx:
        context = {"note": note, "quick_form": form, "rows": rows}
        return render(request, "treatments/_quick_preview.html", context, status=status)
    return _render_note(
        request, note, quick_form=form, rows=rows, status=status, catalogue=catalogue, screening=screening
    )


@draft_view
def quick_add(request: AuthenticatedHttpRequest, note: TreatmentNote) -> HttpResponse:
    """Add the previewed rows, if every entry resolved and every caution has its reason."""
    catalogue = current_catalogue()
    screening = screening_for(note.client)
    form = QuickLineForm(request.POST)
    rows = _preview(request, form, catalogue, screening) if form.is_valid() else []
    if not rows or any(not r.entry.ok or r.reason_missing for r in rows):
        wrong = [r.entry.label for r in rows if not r.entry.ok or r.reason_missing]
        if rows:
            form.add_error(
                None,
                f"Fix {', '.join(wrong)} as marked below (or give the reasons asked for), then add them.",
            )
        return _render_note(
            request, note, quick_form=form, rows=rows, status=400, catalogue=catalogue, screening=screening
        )
    new = [
        services.NewApplication(
            point=r.entry.point,
            side=r.entry.side,
            technique=r.entry.technique,
            duration_seconds=r.entry.seconds,
            pressure=r.entry.pressure,
            cautions_shown=safety.summary(r.flags),
            override_reason=r.reason if r.needs_reason else "",
            entered_as=r.entry.point_text,
            reading=r.entry.numbering,
        )
        for r in rows
        if r.entry.point is not None and r.entry.side is not None  # always: every entry is ok here
    ]
    services.add_applications(note_id=note.pk, user=request.user, rows=new)
    record_access(request, client_id=note.client_id, what=What.POINTS_ADDED, obj=note)
    messages.success(request, f"{_plural(len(new), 'point')} added.")
    return _to_points(note)


@draft_view
def copy_last(request: AuthenticatedHttpRequest, note: TreatmentNote) -> HttpResponse:
    """Start from last session: the points of the client's newest signed note."""
    try:
        added, skipped = services.copy_last_protocol(
            note_id=note.pk,
            user=request.user,
            catalogue=current_catalogue(),
            screening=screening_for(note.client),
        )
    except services.NoteLocked:
        raise
    except services.NoteError as error:
        messages.error(request, str(error))
        return _render_note(request, note, status=409)
    record_access(request, client_id=note.client_id, what=What.POINTS_ADDED, obj=note)
    messages.success(request, f"{_plural(len(added), 'point')} copied from the last session.")
    if skipped:
        messages.warning(
            request,
            f"Not copied because a caution now applies for this client: {', '.join(skipped)}. "
            "Add them again with a reason if you mean to use them.",
        )
    return _to_points(note)


@draft_view
def note_sign(request: AuthenticatedHttpRequest, note: TreatmentNote) -> HttpResponse:
    """Save the note form as it stands and sign, in one transaction: nothing typed is lost.

    The Sign button submits the note form. A POST without any of its fields (an older page's
    bare sign form) signs the note as saved rather than blanking it.
    """
    catalogue = current_catalogue()
    posted = any(name in request.POST for name in NoteForm.base_fields)
    form = NoteForm(request.POST if posted else None, instance=note, catalogue=catalogue)
    if posted and not form.is_valid():
        messages.error(request, "Not signed: correct the fields marked below. Your text is kept.")
        fresh = get_note_for(request.user, note.pk)
        return _render_note(request, fresh, note_form=form, status=400, catalogue=catalogue)
    try:
        services.sign_note(
            note_id=note.pk,
            user=request.user,
            fields=form.fields_to_save() if posted else None,
            home_care_points=form.cleaned_data["home_care"] if posted else None,
            home_care_reason=form.cleaned_data["home_care_reason"] if posted else "",
        )
    except services.HomeCareNeedsReason as error:
        messages.error(request, "Not signed: a home-care point needs a reason. Your text is kept.")
        form.add_error("home_care_reason", str(error))
        fresh = get_note_for(request.user, note.pk)
        return _render_note(request, fresh, note_form=form, status=400, catalogue=catalogue)
    except services.NoteIncomplete as error:
        if not posted:
            messages.error(request, f"Not signed. {error}")
            return _render_note(request, note, status=400, catalogue=catalogue)
        messages.error(request, "Not signed: the note still needs what is listed below. Your text is kept.")
        for problem in error.problems:
            form.add_error(None, problem)
        fresh = get_note_for(request.user, note.pk)
        return _render_note(request, fresh, note_form=form, status=400, catalogue=catalogue)
    record_access(request, client_id=note.client_id, what=What.NOTE_SIGNED, obj=note)
    messages.success(request, "Note signed. It can no longer change; add an amendment to correct it.")
    return redirect("treatments:note", pk=note.pk)


def _autosave_status(
    request: HttpRequest, *, saved_at: Any = None, problem: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "treatments/_autosave_status.html",
        {"saved_at": saved_at, "problem": problem},
        status=status,
    )


@clinician_required
@require_POST
def note_autosave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The note form, saved while its author types (htmx, through the same service as Save draft).

    The answer is only the save-state line, never the form, so what is in the browser stays
    as typed whatever happens: 400 for invalid input, 403 for another's note, 409 once signed.
    """
    note = get_note_for(request.user, pk)
    if note.is_signed:
        problem = "this note is signed and can no longer change."
        return _autosave_status(request, problem=problem, status=409)
    if not note.is_author(request.user):
        return _autosave_status(request, problem="only the note's author can change a draft.", status=403)
    form = NoteForm(request.POST, instance=note, catalogue=current_catalogue())
    if not form.is_valid():
        return _autosave_status(request, problem=form.error_summary(), status=400)
    try:
        saved = services.update_note(
            note_id=note.pk,
            user=request.user,
            fields=form.fields_to_save(),
            home_care_points=form.cleaned_data["home_care"],
            home_care_reason=form.cleaned_data["home_care_reason"],
        )
    except services.HomeCareNeedsReason as error:
        return _autosave_status(request, problem=str(error), status=400)
    except services.NoteLocked as error:  # signed in another tab since this request began
        return _autosave_status(request, problem=str(error), status=409)
    # Autosave runs every few seconds while the author types: one event per working stretch.
    record_access(
        request, client_id=note.client_id, what=What.NOTE_SAVED, obj=note, coalesce=AUTOSAVE_EVENT_EVERY
    )
    return _autosave_status(request, saved_at=saved.updated_at)


@clinician_required
@require_POST
def amendment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = get_note_for(request.user, pk)
    form = AmendmentForm(request.POST)
    if not note.is_signed:
        raise PermissionDenied("A draft is edited directly; amendments are for signed notes.")
    if not form.is_valid():
        return _render_note(request, note, amendment_form=form, status=400)
    services.add_amendment(
        note_id=note.pk, user=request.user, text=form.cleaned_data["text"], reason=form.cleaned_data["reason"]
    )
    record_access(request, client_id=note.client_id, what=What.NOTE_AMENDED, obj=note)
    messages.success(request, "Amendment added.")
    return redirect(f"{note.get_absolute_url()}#amendments")


# -- The client's chart and plans --------------------------------------------------------------


@clinician_required
def chart(request: HttpRequest, client_id: int) -> HttpResponse:
    """A client's sessions newest first, the pain trend, the points used most, the plans.

    Queries, whatever the number of sessions: the client; the notes (with practitioner and
    signer); their point applications (with point and technique); their amendments (with
    author); their home-care points; the points used most; the plans; plus the screening's
    own fixed set.
    """
    client = get_client_for(request.user, client_id)
    notes = list(
        TreatmentNote.objects.for_client(client)
        .newest_first()
        .select_related("practitioner", "signed_by")
        .prefetch_related(
            Prefetch("applications", queryset=PointApplication.objects.select_related("point", "technique")),
            Prefetch("amendments", queryset=Amendment.objects.select_related("author")),
            "home_care_points",
        )
    )
    top_points = (
        Point.objects.filter(applications__note__client=client)
        .annotate(uses=Count("applications"))
        .order_by("-uses", "code")[:10]
    )
    plans = list(TreatmentPlan.objects.filter(client=client).select_related("practitioner"))
    signed = [n for n in notes if n.status == NoteStatus.SIGNED]
    for plan in plans:
        done = [n for n in signed if n.service_date >= plan.started_on]
        plan.sessions_done = len(done)
        plan.percent = min(100, round(100 * len(done) / plan.planned_sessions))
        pains = [n.pain_before for n in reversed(done) if n.pain_before is not None]
        plan.pain_first, plan.pain_latest = (pains[0], pains[-1]) if pains else (None, None)
    sessions = [Session(n.service_date, n.pain_before, n.pain_after) for n in notes]
    screening = screening_for(client)
    region_counts = Counter(
        code for n in notes for code in set(n.regions_treated) if code in BodyRegion.values
    )
    record_access(request, client_id=client.pk, what=What.CHART_VIEWED, obj=client)
    return render(
        request,
        "treatments/chart.html",
        {
            "client": client,
            "notes": notes,
            "top_points": top_points,
            "plans": plans,
            "pain": pain_chart(sessions),
            "pain_rows": [s for s in reversed(sessions) if s.before is not None or s.after is not None],
            "screening": screening,
            "region_map": bodymap.draw(counts=region_counts, flagged=bodymap.flagged_regions(screening)),
            "region_findings": [f for f in screening.findings if f.regions],
            "region_rows": [(BodyRegion(code).label, count) for code, count in region_counts.most_common()],
            "printed_at": timezone.now(),
        },
    )


@clinician_required
def plan_create(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for(request.user, client_id)
    form = PlanForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            plan = services.create_plan(client=client, user=request.user, values=form.cleaned_data)
            record_access(request, client_id=client.pk, what=What.PLAN_CREATED, obj=plan)
            messages.success(request, "Treatment plan saved.")
            return redirect("treatments:chart", client_id=client.pk)
        return render(request, "treatments/plan_form.html", {"client": client, "form": form}, status=400)
    return render(request, "treatments/plan_form.html", {"client": client, "form": form})


# -- The client's record on request ----------------------------------------------------------


@manager_required
@require_POST
def client_export(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's complete record as a zip (FHIR Bundle, printable HTML, letters): managers only.

    A POST, so that a link followed or prefetched never exports; the export is logged.
    """
    record = get_client_record_for(request.user, client_id)
    content = build_export(record)
    record_access(request, client_id=record.client.pk, what=What.EXPORT, obj=record.client)
    response = HttpResponse(content, content_type="application/zip")
    filename = export_filename(record, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- Protocols ---------------------------------------------------------------------------------


@draft_view
def protocol_apply(request: AuthenticatedHttpRequest, note: TreatmentNote) -> HttpResponse:
    """Add a protocol's points to the draft in one action, each held to the client's cautions.

    A point with a caution for this client needs a reason (`reason-<item>`) or is left out on
    purpose (`skip-<item>`); until then the page asks, and nothing is added.
    """
    catalogue = current_catalogue()
    screening = screening_for(note.client)
    form = ProtocolApplyForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_note(
            request, note, protocol_form=form, status=400, catalogue=catalogue, screening=screening
        )
    protocol = form.cleaned_data["protocol"]
    reasons = {
        item_id: request.POST.get(f"reason-{item_id}", "")[:1000]
        for item_id in protocol.items.values_list("pk", flat=True)
    }
    skip = [item_id for item_id in reasons if request.POST.get(f"skip-{item_id}")]
    try:
        added = services.apply_protocol(
            note_id=note.pk,
            user=request.user,
            protocol_id=protocol.pk,
            reasons=reasons,
            skip=skip,
            catalogue=catalogue,
            screening=screening,
        )
    except services.ProtocolNeedsReasons as error:
        return _render_note(
            request,
            note,
            protocol_form=form,
            protocol_pending=error.pending,
            protocol_reasons=reasons,
            status=400,
            catalogue=catalogue,
            screening=screening,
        )
    except services.NoteLocked:
        raise
    except services.NoteError as error:
        messages.error(request, str(error))
        return _render_note(
            request, note, protocol_form=form, status=409, catalogue=catalogue, screening=screening
        )
    record_access(request, client_id=note.client_id, what=What.POINTS_ADDED, obj=note)
    messages.success(request, f"{_plural(len(added), 'point')} added from “{protocol.name}”.")
    if skip:
        messages.info(request, f"Left out on purpose: {_plural(len(skip), 'point')}.")
    return _to_points(note)


@clinician_required
def protocol_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic's shared protocols and the user's own. Queries: the protocols (with owner),
    their items (with point and technique), whatever their number."""
    protocols = list(
        Protocol.objects.visible_to(request.user)
        .select_related("owner__user")
        .prefetch_related(
            Prefetch("items", queryset=ProtocolItem.objects.select_related("point", "technique"))
        )
    )
    rows = [(p, services.can_change_protocol(request.user, p)) for p in protocols]
    return render(request, "treatments/protocol_list.html", {"rows": rows})


def _protocol_form_page(request: AuthenticatedHttpRequest, protocol: Protocol | None) -> HttpResponse:
    catalogue = current_catalogue()
    owner = None if protocol else Practitioner.objects.filter(user=request.user).first()
    form = ProtocolForm(request.POST or None, instance=protocol, catalogue=catalogue, new_owner=owner)
    context = {"form": form, "protocol": protocol}
    if request.method != "POST":
        return render(request, "treatments/protocol_form.html", context)
    if form.is_valid():
        try:
            saved = services.save_protocol(
                user=request.user,
                protocol_id=protocol.pk if protocol else None,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                shared=form.cleaned_data["shared"],
                steps=form.cleaned_data["points"],
            )
        except services.ProtocolError as error:
            form.add_error("shared", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Protocol “{saved.name}” saved.")
            return redirect("treatments:protocols")
    return render(request, "treatments/protocol_form.html", context, status=400)


@clinician_required
def protocol_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _protocol_form_page(request, None)


@clinician_required
def protocol_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    protocol = get_protocol_for(request.user, pk)
    if not services.can_change_protocol(request.user, protocol):
        raise PermissionDenied("Only its owner, or a manager for a shared one, changes this protocol.")
    return _protocol_form_page(request, protocol)


@clinician_required
@require_POST
def protocol_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    protocol = get_protocol_for(request.user, pk)
    services.delete_protocol(user=request.user, protocol_id=protocol.pk)
    messages.success(request, f"Protocol “{protocol.name}” deleted.")
    return redirect("treatments:protocols")


# -- Home-practice handouts --------------------------------------------------------------------


def _handout_page(request: HttpRequest, note: TreatmentNote, *, status: int = 200) -> HttpResponse:
    handout = handouts.build_handout(
        note,
        catalogue=current_catalogue(),
        screening=screening_for(note.client),
        plan=handouts.current_plan(note),
    )
    context = handouts.handout_context(handout) | {"stored": note.handouts.all()}
    return render(request, "treatments/handout.html", context, status=status)


@clinician_required
def handout(request: HttpRequest, pk: int) -> HttpResponse:
    """The note's home-care points as a one-page handout to print, and its PDF copies."""
    note = get_note_for(request.user, pk)
    record_access(request, client_id=note.client_id, what=What.HANDOUT_VIEWED, obj=note)
    return _handout_page(request, note)


@clinician_required
@require_POST
def handout_make(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = get_note_for(request.user, pk)
    try:
        row = services.make_handout(
            note_id=note.pk,
            user=request.user,
            catalogue=current_catalogue(),
            screening=screening_for(note.client),
        )
    except services.NoteError as error:
        messages.error(request, str(error))
        return _handout_page(request, note, status=409)
    record_access(request, client_id=note.client_id, what=What.HANDOUT_MADE, obj=row)
    messages.success(request, "PDF made and kept with the note.")
    return redirect("treatments:handout", pk=note.pk)


@clinician_required
def handout_file(request: HttpRequest, handout_id: int) -> FileResponse:
    """Stream a stored handout after the role check, as a download (MEDIA_ROOT has no URL)."""
    row = get_handout_for(request.user, handout_id)
    response = private_download(
        row.pdf,
        filename=f"home-practice-{row.pk}.pdf",
        content_type="application/pdf",
        missing="The handout's file is missing.",
    )
    record_access(request, client_id=row.note.client_id, what=What.HANDOUT_VIEWED, obj=row)
    return response


@clinician_required
@require_POST
def handout_email(request: AuthenticatedHttpRequest, handout_id: int) -> HttpResponse:
    row = get_handout_for(request.user, handout_id)
    try:
        message = services.email_handout(handout=row, user=request.user)
    except services.NoteError as error:
        messages.error(request, str(error))
        return _handout_page(request, row.note, status=409)
    record_access(request, client_id=row.note.client_id, what=What.HANDOUT_EMAILED, obj=row)
    messages.success(
        request, f"The handout is on its way to {message.recipient} ({message.get_status_display().lower()})."
    )
    return redirect("treatments:handout", pk=row.note_id)
