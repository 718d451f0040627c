"""The manager's import (upload, columns, dry run, confirm, report) and CSV exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from clinic.imports import export, services, tasks
from clinic.imports.forms import MappingForm, UploadForm
from clinic.imports.models import ImportRun, Outcome
from clinic.kernel.http import AuthenticatedHttpRequest
from clinic.kernel.periods import PeriodForm, default_period
from clinic.kernel.roles import manager_required

PAGE_SIZE = 100
TEXTS = ("clients_text", "appointments_text")
RECENT = 10


def get_run_for(user: object, pk: int, *, with_files: bool = True) -> ImportRun:
    """An import, for a manager (the views are manager-only): 404 when there is none. Without
    `with_files`, the files' text (megabytes) is left unread."""
    runs = ImportRun.objects.select_related("created_by", "imported_by")
    run = (runs if with_files else runs.defer(*TEXTS)).filter(pk=pk).first()
    if run is None:
        raise Http404("No such import.")
    return run


def _start_page(
    request: HttpRequest, form: UploadForm, period_form: PeriodForm | None = None, status: int = 200
) -> HttpResponse:
    """The upload form, the recent imports, and the exports (bookings over a period)."""
    if period_form is None:
        period = default_period(timezone.localdate())
        period_form = PeriodForm(initial={"start": period.first, "end": period.last})
    context = {
        "form": form,
        "recent": ImportRun.objects.select_related("created_by").defer(*TEXTS)[:RECENT],
        "period_form": period_form,
    }
    return render(request, "imports/start.html", context, status=status)


@manager_required
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _start_page(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _start_page(request, form, status=400)
    run = form.new_run(request.user)
    run.save()
    for earlier in services.earlier_imports([run.clients_sha256, run.appointments_sha256]):
        messages.warning(
            request,
            f"A file with the same content was imported on "
            f"{timezone.localtime(earlier.imported_at):%Y-%m-%d %H:%M} by {earlier.imported_by}: "
            "the dry run will show its rows as already there.",
        )
    return redirect("imports:mapping", pk=run.pk)


@manager_required
def import_mapping(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = get_run_for(request.user, pk)
    if not run.is_open:
        return redirect("imports:report", pk=run.pk)
    form = MappingForm(request.POST or None, run=run)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            tasks.start_check(run, by=request.user)
            return redirect("imports:report", pk=run.pk)
        status = 400
    else:
        status = 200
    return render(request, "imports/mapping.html", {"run": run, "form": form}, status=status)


@manager_required
@require_safe
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for(request.user, pk, with_files=False)
    outcome = request.GET.get("outcome", "")
    if outcome not in Outcome.values:
        outcome = ""
    rows = run.rows.order_by("kind", "line")
    if outcome:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    by_outcome = dict(run.rows.values_list("outcome").annotate(n=Count("pk")).order_by())
    context = {
        "run": run,
        "page": page,
        "outcome": outcome,
        "outcomes": [(value, label, by_outcome.get(value, 0)) for value, label in Outcome.choices],
        "total": sum(by_outcome.values()),
    }
    return render(request, "imports/report.html", context)


@manager_required
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = get_run_for(request.user, pk, with_files=False)
    if not tasks.start_import(run, by=request.user):
        messages.error(request, "This import is not waiting for confirmation.")
    return redirect("imports:report", pk=run.pk)


@manager_required
@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for(request.user, pk)
    if run.is_open:
        services.discard(run)
        messages.info(request, "The import was discarded; its files are forgotten.")
    return redirect("imports:start")


def _csv_response(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@manager_required
@require_safe
def export_clients(request: HttpRequest) -> StreamingHttpResponse:
    return _csv_response(export.clients_csv(), f"clients-{timezone.localdate():%Y-%m-%d}.csv")


@manager_required
@require_safe
def export_bookings(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _start_page(request, UploadForm(), period_form=form, status=400)
    period = form.period
    filename = f"bookings-{period.first:%Y-%m-%d}-to-{period.last:%Y-%m-%d}.csv"
    return _csv_response(export.bookings_csv(period), filename)
