"""The manager's reports: a list, each report over a chosen period, and its CSV download."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from clinic.kernel.periods import Period, PeriodForm, default_period
from clinic.kernel.roles import manager_required
from clinic.reports import REPORTS, csv_rows


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def quick_periods(today: date) -> list[tuple[str, Period]]:
    """The quick choices offered beside the form."""
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    quarter = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    last_quarter = (quarter - timedelta(days=1)).replace(day=1)
    last_quarter = last_quarter.replace(month=3 * ((last_quarter.month - 1) // 3) + 1)
    return [
        ("Last 4 weeks", default_period(today)),
        ("This month", Period(this_month, _month_end(this_month))),
        ("Last month", Period(last_month, _month_end(last_month))),
        ("This quarter", Period(quarter, _month_end(quarter.replace(month=quarter.month + 2)))),
        (
            "Last quarter",
            Period(last_quarter, _month_end(last_quarter.replace(month=last_quarter.month + 2))),
        ),
        ("This year", Period(today.replace(month=1, day=1), today.replace(month=12, day=31))),
    ]


def _period_form(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    """The form, bound when the request names a period; the period when it is valid (the
    default one when none is named)."""
    if "start" not in request.GET and "end" not in request.GET:
        period = default_period(timezone.localdate())
        return PeriodForm(initial={"start": period.first, "end": period.last}), period
    form = PeriodForm(request.GET)
    return form, form.period if form.is_valid() else None


def _quick_links(today: date) -> list[dict[str, Any]]:
    return [{"label": label, "first": p.first, "last": p.last} for label, p in quick_periods(today)]


@manager_required
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    form, period = _period_form(request)
    context = {
        "form": form,
        "period": period,
        "reports": [(slug, title) for slug, (title, _build) in REPORTS.items()],
        "quick": _quick_links(timezone.localdate()),
    }
    return render(request, "reports/index.html", context, status=200 if period else 400)


def _report_for(name: str) -> Any:
    if name not in REPORTS:
        raise Http404("No such report.")
    return REPORTS[name][1]


@manager_required
@require_safe
def report_detail(request: HttpRequest, name: str) -> HttpResponse:
    build = _report_for(name)
    form, period = _period_form(request)
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "report": build(period) if period else None,
        "report_title": REPORTS[name][0],
        "name": name,
        "quick": _quick_links(timezone.localdate()),
    }
    return render(request, "reports/report.html", context, status=200 if period else 400)


@manager_required
@require_safe
def report_csv(request: HttpRequest, name: str) -> HttpResponse:
    build = _report_for(name)
    form, period = _period_form(request)
    if period is None:
        context = {
            "form": form,
            "period": None,
            "report": None,
            "report_title": REPORTS[name][0],
            "name": name,
            "quick": _quick_links(timezone.localdate()),
        }
        return render(request, "reports/report.html", context, status=400)
    report = build(period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{report.slug}-{period.first:%Y-%m-%d}-to-{period.last:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    csv.writer(response).writerows(csv_rows(report))
    return response
