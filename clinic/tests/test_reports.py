"""The manager's reports, each figure computed by hand on a known week.

The week of Monday 2 to Sunday 8 March 2026 (no clock change in Europe/London):

- Amara works Monday to Friday 09:00-17:00 (40 h), is off on Wednesday (8 h) and the clinic is
  closed on Friday (8 h): 24 h available.
- Kenji works Monday and Tuesday 10:00-14:00 and Saturday 09:00-12:00 (11 h), and is off on
  Tuesday afternoon from 12:00 (2 h): 9 h available.
- The clinic is open while anyone works: 8 h Monday to Thursday, closed Friday, 3 h Saturday:
  35 h for each room.
"""

from __future__ import annotations

import csv
import io
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.tests.builders import make_client
from clinic.models import BookingStatus, Course
from clinic.report_views import default_period, quick_periods
from clinic.reports import Period, attendance, clients, completed, csv_cell, sessions, utilisation
from clinic.tests.builders import (
    give_hours,
    local,
    make_booking,
    make_closure,
    make_room,
    make_service,
    make_time_off,
)
from conftest import login_client, make_practitioner, make_user
from treatments.models import PlanStatus, TreatmentPlan

WEEK = Period(date(2026, 3, 2), date(2026, 3, 8))
MON, TUE, WED, THU, FRI, SAT = (WEEK.first + timedelta(days=i) for i in range(6))
D = Decimal


def _plan(practitioner: Any, by: Any, changes: list[tuple[str, Any]]) -> TreatmentPlan:
    """A plan whose history records each (status, when) in turn, the first being its creation."""
    (status, when), *later = changes
    plan = TreatmentPlan(
        client=make_client(),
        practitioner=practitioner,
        goal="Ease neck pain",
        planned_sessions=6,
        started_on=date(2026, 2, 1),
        status=status,
        created_by=by,
    )
    plan._history_date = when  # type: ignore[attr-defined]
    plan.save()
    for status, when in later:
        plan.status = status
        plan._history_date = when  # type: ignore[attr-defined]
        plan.save()
    return plan


@pytest.fixture
def week(db, manager) -> dict[str, Any]:
    amara = make_practitioner(display_name="Amara Okafor")
    kenji = make_practitioner(display_name="Kenji Sato")
    give_hours(amara, days=(0, 1, 2, 3, 4), intervals=((time(9), time(17)),))
    give_hours(kenji, days=(0, 1), intervals=((time(10), time(14)),))
    give_hours(kenji, days=(5,), intervals=((time(9), time(12)),))
    make_time_off(amara, WED)
    make_time_off(kenji, TUE, start_time=time(12))
    make_closure(FRI)
    bamboo, cedar = make_room(name="Bamboo"), make_room(name="Cedar")
    shiatsu = make_service(name="Shiatsu hour", duration_minutes=60, buffer_minutes=0)
    foot = make_service(name="Foot reflexology", duration_minutes=30, buffer_minutes=0)
    c1, c2, c3, c4, c5, c6, c7 = (make_client() for _ in range(7))

    def book(
        who: Any, day: date, hour: int, service: Any, room: Any, client: Any, status: str, **kw: Any
    ) -> Any:
        return make_booking(
            practitioner=who,
            service=service,
            start=local(day, hour),
            room=room,
            client=client,
            status=status,
            **kw,
        )

    done, booked = BookingStatus.COMPLETED, BookingStatus.BOOKED
    course_x = Course.objects.create(client=c1, practitioner=amara, service=shiatsu, sessions=2)
    course_y = Course.objects.create(client=c2, practitioner=amara, service=shiatsu, sessions=2)
    course_z = Course.objects.create(client=c6, practitioner=kenji, service=shiatsu, sessions=2)
    # Before the period: c1 has come before (and a late-evening booking the day before).
    book(amara, date(2026, 2, 16), 9, shiatsu, bamboo, c1, done, course=course_x)
    make_booking(
        practitioner=amara, service=shiatsu, start=local(date(2026, 3, 1), 23, 30), client=c7, status=done
    )
    # In the period.
    book(amara, MON, 9, shiatsu, bamboo, c1, done, course=course_x)  # 1 h, returning client
    book(amara, MON, 10, shiatsu, bamboo, c2, done, course=course_y)  # 1 h, new client
    book(amara, TUE, 9, foot, cedar, c3, BookingStatus.NO_SHOW)
    book(amara, THU, 9, shiatsu, cedar, c4, BookingStatus.CANCELLED, late_cancellation=True)
    book(amara, THU, 11, shiatsu, cedar, c4, BookingStatus.CANCELLED)
    book(amara, THU, 14, shiatsu, bamboo, c3, BookingStatus.ARRIVED)  # 1 h, c3's first visit
    book(kenji, MON, 10, foot, None, c1, done)  # 0.5 h, no room
    book(kenji, SAT, 9, shiatsu, cedar, c5, booked)  # 1 h, still booked
    book(kenji, TUE, 10, shiatsu, bamboo, c6, done, course=course_z)  # 1 h, new client
    # After: Monday 9 March at midnight is outside; c2's course goes on, c6's course ends later.
    book(amara, date(2026, 3, 9), 0, shiatsu, bamboo, c7, done)
    book(amara, date(2026, 3, 16), 9, shiatsu, bamboo, c2, booked, course=course_y)
    book(kenji, date(2026, 3, 10), 10, shiatsu, bamboo, c6, done, course=course_z)

    at = lambda day, hh=12: local(day, hh)  # noqa: E731
    active, finished = PlanStatus.ACTIVE, PlanStatus.FINISHED
    _plan(amara, manager, [(active, at(date(2026, 2, 20))), (finished, at(THU))])  # counts
    _plan(kenji, manager, [(active, at(date(2026, 2, 1))), (finished, at(date(2026, 2, 25)))])  # before
    _plan(
        amara, manager, [(active, at(date(2026, 2, 1))), (finished, at(TUE)), (active, at(WED))]
    )  # reopened
    _plan(kenji, manager, [(active, at(date(2026, 2, 1))), (finished, local(date(2026, 3, 9), 0))])  # after
    _plan(kenji, manager, [(active, at(date(2026, 2, 1))), (PlanStatus.ABANDONED, at(TUE))])  # stopped
    # Finished, then edited later in the period: counted once, from when it became finished.
    late = _plan(kenji, manager, [(active, at(date(2026, 2, 1))), (finished, at(MON))])
    late.goal = "Ease neck and shoulder pain"
    late._history_date = at(SAT)  # type: ignore[attr-defined]
    late.save()
    return {"amara": amara, "kenji": kenji, "cedar": cedar}


def test_utilisation_by_practitioner_and_room(week):
    report = utilisation(WEEK)

    assert report.columns == ["Name", "Kind", "Available hours", "Booked hours", "Utilisation (%)"]
    assert report.rows == [
        ["Amara Okafor", "Practitioner", D("24.00"), D("3.00"), D("12.5")],
        ["Kenji Sato", "Practitioner", D("9.00"), D("2.50"), D("27.8")],
        ["Bamboo", "Room", D("35.00"), D("4.00"), D("11.4")],
        ["Cedar", "Room", D("35.00"), D("1.00"), D("2.9")],
    ]
    assert [bar.text for bar in report.chart.bars] == ["12.5%", "27.8%", "11.4%", "2.9%"]


def test_no_show_and_late_cancel_rates(week):
    report = attendance(WEEK)

    assert report.rows == [
        # bookings, attended, no-shows, cancelled, late, still booked, no-show %, late-cancel %
        ["Amara Okafor", 6, 3, 1, 2, 1, 0, D("25.0"), D("16.7")],
        ["Kenji Sato", 3, 2, 0, 0, 0, 1, D("0.0"), D("0.0")],
        ["All practitioners", 9, 5, 1, 2, 1, 1, D("16.7"), D("11.1")],
    ]
    assert [(b.label, b.value) for b in report.chart.bars] == [
        ("Attended", 5),
        ("No-shows", 1),
        ("Late cancellations", 1),
        ("Other cancellations", 1),
        ("Still booked", 1),
    ]


def test_new_and_returning_clients(week):
    assert clients(WEEK).rows == [
        ["New", 3, D("75.0")],
        ["Returning", 1, D("25.0")],
        ["All clients seen", 4, D("100.0")],
    ]


def test_courses_and_plans_completed(week):
    assert completed(WEEK).rows == [
        ["Shiatsu hour", "Course", 1],
        ["Amara Okafor", "Treatment plan", 1],
        ["Kenji Sato", "Treatment plan", 1],
    ]


def test_sessions_by_service(week):
    assert sessions(WEEK).rows == [
        # sessions, attended, still booked, no-shows, hours
        ["Shiatsu hour", 5, 4, 1, 0, D("5.00")],
        ["Foot reflexology", 1, 1, 0, 1, D("0.50")],
    ]


def test_an_empty_period_has_no_rows_and_says_so(week, manager):
    quiet = Period(date(2025, 1, 6), date(2025, 1, 12))
    assert (
        attendance(quiet).rows == clients(quiet).rows == completed(quiet).rows == sessions(quiet).rows == []
    )
    page = login_client(manager).get(
        reverse("report", args=["sessions"]), {"start": "2025-01-06", "end": "2025-01-12"}
    )
    assert page.status_code == 200
    assert "No sessions in this period." in page.content.decode()


def _bigger_clinic(manager: Any) -> None:
    """More of everything across more weeks: the query counts must not move."""
    service = make_service(name="Tuina")
    for n in range(4):
        who = make_practitioner(display_name=f"Extra {n}")
        give_hours(who)
        make_time_off(who, WEEK.first + timedelta(days=n))
        room = make_room(name=f"Extra room {n}")
        course = Course.objects.create(client=make_client(), practitioner=who, service=service, sessions=3)
        for day in range(0, 60, 3):
            make_booking(
                practitioner=who,
                service=service,
                room=room,
                start=local(date(2026, 2, 1) + timedelta(days=day), 9 + n),
                status=BookingStatus.COMPLETED,
                course=course if day < 9 else None,
            )
        _plan(
            who,
            manager,
            [(PlanStatus.ACTIVE, local(date(2026, 2, 1), 9)), (PlanStatus.FINISHED, local(TUE, 9))],
        )
    make_closure(date(2026, 2, 10), date(2026, 2, 12))


# (report, queries): utilisation reads practitioners, their hours, time off, closures, rooms and
# the booked time per practitioner and per room.
COUNTS = [(utilisation, 7), (attendance, 1), (clients, 1), (completed, 2), (sessions, 1)]


@pytest.mark.parametrize(("build", "queries"), COUNTS, ids=[b.__name__ for b, _q in COUNTS])
def test_query_counts_are_fixed_whatever_the_period_and_the_data(
    week, manager, django_assert_num_queries, build, queries
):
    with django_assert_num_queries(queries):
        build(WEEK)
    _bigger_clinic(manager)
    long = Period(date(2025, 1, 1), date(2027, 12, 31))
    with django_assert_num_queries(queries):
        report = build(long)
    assert report.rows


# -- The pages ---------------------------------------------------------------------------------------


def test_the_report_page_shows_the_chart_and_the_same_figures_in_a_table(week, manager):
    page = login_client(manager).get(
        reverse("report", args=["utilisation"]), {"start": "2026-03-02", "end": "2026-03-08"}
    )
    html = page.content.decode()

    assert page.status_code == 200
    assert 'role="img"' in html and '<title id="chart-title">Utilisation by practitioner and room' in html
    assert '<th scope="row">Amara Okafor</th>' in html and "12.5" in html and "24.00" in html
    assert "/reports/utilisation/csv/?start=2026-03-02&amp;end=2026-03-08" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_csv_download_has_the_same_figures(week, manager):
    response = login_client(manager).get(
        reverse("report_csv", args=["attendance"]), {"start": "2026-03-02", "end": "2026-03-08"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="attendance-2026-03-02-to-2026-03-08.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        [
            "Practitioner",
            "Bookings",
            "Attended",
            "No-shows",
            "Cancelled",
            "Late cancellations",
            "Still booked",
            "No-show rate (%)",
            "Late-cancel rate (%)",
        ],
        ["Amara Okafor", "6", "3", "1", "2", "1", "0", "25.0", "16.7"],
        ["Kenji Sato", "3", "2", "0", "0", "0", "1", "0.0", "0.0"],
        ["All practitioners", "9", "5", "1", "2", "1", "1", "16.7", "11.1"],
    ]


def test_csv_text_that_a_spreadsheet_would_run_is_quoted(week, manager):
    week["cedar"].name = '=HYPERLINK("http://x")'
    week["cedar"].save()
    week["kenji"].display_name = "@Kenji"
    week["kenji"].save()
    body = (
        login_client(manager)
        .get(reverse("report_csv", args=["utilisation"]), {"start": "2026-03-02", "end": "2026-03-08"})
        .content.decode()
    )
    names = [row[0] for row in csv.reader(io.StringIO(body))]

    assert '\'=HYPERLINK("http://x")' in names and "'@Kenji" in names
    assert [csv_cell(v) for v in ("+1", "-2", "\tx", "ok", None, D("-1.5"), 3)] == [
        "'+1",
        "'-2",
        "'\tx",
        "ok",
        "",
        "-1.5",
        "3",
    ]


def test_the_default_period_is_the_last_four_full_weeks(manager):
    page = login_client(manager).get(reverse("reports"))
    today = timezone.localdate()
    period = default_period(today)
    first, last = period.first, period.last

    assert page.status_code == 200
    assert (last - first).days == 27 and first.weekday() == 0 and last < today
    assert f'value="{first:%Y-%m-%d}"' in page.content.decode()
    assert f'value="{last:%Y-%m-%d}"' in page.content.decode()


def test_quick_choices():
    choices = dict(quick_periods(date(2026, 5, 14)))
    assert choices["Last 4 weeks"] == Period(date(2026, 4, 13), date(2026, 5, 10))
    assert choices["This month"] == Period(date(2026, 5, 1), date(2026, 5, 31))
    assert choices["Last month"] == Period(date(2026, 4, 1), date(2026, 4, 30))
    assert choices["This quarter"] == Period(date(2026, 4, 1), date(2026, 6, 30))
    assert choices["Last quarter"] == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert dict(quick_periods(date(2026, 1, 3)))["Last quarter"] == Period(
        date(2025, 10, 1), date(2025, 12, 31)
    )


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-03-32", "2026-04-01", "start", "Enter a valid date"),
        ("2026-03-08", "2026-03-02", "end", "The last day comes before the first"),
        ("2020-01-01", "2026-01-01", "end", "at most three years"),
        ("1800-01-01", "1800-01-05", "start", "Enter a date between"),
    ],
)
def test_a_bad_period_is_refused_next_to_the_field_with_the_input_kept(manager, start, end, field, message):
    for name in ("reports", "report", "report_csv"):
        args = [] if name == "reports" else ["sessions"]
        page = login_client(manager).get(reverse(name, args=args), {"start": start, "end": end})
        html = page.content.decode()
        assert page.status_code == 400, name
        assert message in html and f'id="error_1_id_{field}"' in html, name
        assert f'value="{start}"' in html and f'value="{end}"' in html, name


def test_reports_are_for_managers_in_the_nav_and_on_the_overview(manager, receptionist, practitioner):
    assert 'href="/reports/"' in login_client(manager).get(reverse("overview")).content.decode()
    assert 'href="/reports/"' in login_client(manager).get(reverse("clients:list")).content.decode()
    for user in (receptionist, practitioner.user):
        http = login_client(user)
        assert 'href="/reports/"' not in http.get(reverse("clients:list")).content.decode()
        assert http.get(reverse("report_csv", args=["sessions"])).status_code == 403
    assert login_client(make_user()).get(reverse("reports")).status_code == 403
    assert login_client(manager).get(reverse("report", args=["nope"])).status_code == 404


def test_the_page_costs_the_same_queries_on_a_bigger_clinic_and_a_longer_period(week, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http = login_client(manager)

    def count(start: str, end: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                http.get(reverse("report", args=["utilisation"]), {"start": start, "end": end}).status_code
                == 200
            )
        return len(queries)

    small = count("2026-03-02", "2026-03-08")
    _bigger_clinic(manager)
    assert count("2025-01-01", "2027-12-31") == small
