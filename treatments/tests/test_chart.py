"""The client's chart: sessions newest first, pain trend (SVG + table), points used most, plans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.tests.builders import make_client
from treatments.charts import Session, pain_chart
from treatments.models import Amendment, TreatmentPlan
from treatments.tests.builders import add_point, make_note, sign

pytestmark = pytest.mark.django_db


def _sessions(practitioner, client, n: int) -> None:
    today = timezone.localdate()
    for i in range(n):
        note = make_note(
            practitioner,
            client=client,
            day=today - timedelta(days=2 * (n - i)),
            pain_before=8 - i % 5,
            pain_after=4 - i % 3,
            subjective=f"Session {i + 1}",
        )
        add_point(note, "BL23", side="left")
        add_point(note, "ST36")
        note.home_care_points.add(*note.applications.values_list("point", flat=True)[:1])
        sign(note)
        Amendment.objects.create(note=note, text="Typo fixed", reason="typo", author=practitioner.user)
    TreatmentPlan.objects.create(
        client=client,
        goal="Less back pain",
        planned_sessions=10,
        started_on=today - timedelta(days=400),
        created_by=practitioner.user,
    )


def _count_chart_queries(practitioner, http, n: int) -> int:
    client = make_client()
    _sessions(practitioner, client, n)
    url = reverse("treatments:chart", args=[client.pk])
    http.get(url)  # warm the catalogue and the session
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="card mb-3 session-note"') == n
    return len(queries)


def test_the_chart_runs_a_fixed_number_of_queries_for_5_and_50_sessions(practitioner, practitioner_client):
    assert _count_chart_queries(practitioner, practitioner_client, 5) == _count_chart_queries(
        practitioner, practitioner_client, 50
    )


def test_the_chart_query_count_is_pinned(practitioner, practitioner_client, django_assert_num_queries):
    client = make_client()
    _sessions(practitioner, client, 5)
    url = reverse("treatments:chart", args=[client.pk])
    practitioner_client.get(url)
    # The request: session, the user with their roles (role check) and second factor, savepoint
    # (ATOMIC_REQUESTS). The page: client; notes (with practitioner and signer); their point
    # applications (with point and technique); their amendments (with author); their home-care
    # points; the plans; the screening (the client's intakes with their sites and clearances:
    # the client has no intake, so no rules are read); the points used most; the access log's
    # INSERT (chart viewed). Then the release. The session is saved at most once a minute
    # (clinic.kernel.sessions), not here.
    with django_assert_num_queries(13):
        practitioner_client.get(url)


def test_sessions_are_newest_first_with_points_pain_trend_and_plan_progress(
    practitioner, practitioner_client
):
    client = make_client()
    _sessions(practitioner, client, 3)

    page = practitioner_client.get(reverse("treatments:chart", args=[client.pk])).content.decode()

    assert page.index("Session 3") < page.index("Session 2") < page.index("Session 1")
    assert "<svg" in page and "<polyline" in page and "Pain before and after each session" in page
    assert "Pain values as a table" in page  # the text alternative
    assert "BL23</strong> Shenshu · 3 times" in page
    assert "3 of 10 sessions done" in page and "pain before 8/10 at the start, 6/10 latest" in page
    assert "data-print" in page


def test_a_client_without_notes_gets_empty_states(practitioner_client):
    client = make_client()
    page = practitioner_client.get(reverse("treatments:chart", args=[client.pk])).content.decode()
    assert "No session notes yet" in page and "No treatment plan yet" in page and "No pain scores" in page


def test_the_pain_chart_puts_the_oldest_session_left_and_zero_at_the_bottom():
    today = timezone.localdate()
    chart = pain_chart([Session(today, 0, None), Session(today - timedelta(days=7), 10, 5)])
    older, newer = chart.before
    assert older.x < newer.x
    assert older.y < newer.y  # pain 10 is drawn higher (smaller y) than pain 0
    assert len(chart.after) == 1


def test_a_plan_is_created_for_a_client(practitioner, practitioner_client):
    client = make_client()
    url = reverse("treatments:plan_create", args=[client.pk])
    assert practitioner_client.get(url).status_code == 200

    response = practitioner_client.post(
        url, {"goal": "Walk without hip pain", "planned_sessions": "6", "started_on": timezone.localdate()}
    )

    assert response.status_code == 302
    plan = TreatmentPlan.objects.get()
    assert (plan.client, plan.practitioner, plan.planned_sessions) == (client, practitioner, 6)


@pytest.mark.parametrize(
    "data",
    [
        {"goal": "", "planned_sessions": "6"},
        {"goal": "x", "planned_sessions": "0"},
        {"goal": "x" * 3000, "planned_sessions": "6"},
        {"goal": "x", "planned_sessions": "many"},
    ],
)
def test_a_bad_plan_is_a_400_with_the_input_kept(practitioner_client, data):
    client = make_client()
    response = practitioner_client.post(
        reverse("treatments:plan_create", args=[client.pk]), {"started_on": "2026-01-05", **data}
    )
    assert response.status_code == 400
    assert "2026-01-05" in response.content.decode()
    assert not TreatmentPlan.objects.exists()


def test_managers_read_the_chart_and_sign_nothing(manager_client, practitioner):
    client = make_client()
    note = make_note(practitioner, client=client, subjective="Visible to the manager")
    sign(note)
    assert (
        "Visible to the manager"
        in manager_client.get(reverse("treatments:chart", args=[client.pk])).content.decode()
    )


def test_each_point_line_says_side_duration_pressure_and_an_override_escaped(
    practitioner, practitioner_client
):
    client = make_client()
    note = make_note(practitioner, client=client, day=timezone.localdate() - timedelta(days=1))
    add_point(note, "BL23", side="left", duration_seconds=75, pressure=3)
    add_point(note, "ST36", entered_as="Zusanli <3", override_reason="asked <b>twice</b> & agreed")
    add_point(note, "LI4", duration_seconds=120)
    sign(note)
    html = practitioner_client.get(reverse("treatments:chart", args=[client.pk])).content.decode()
    assert (
        '<li class="list-inline-item"><strong>BL23</strong> Shenshu (left, 1 min 15 s, 3/5)</li>'
        '<li class="list-inline-item"><strong>ST36</strong> Zusanli — entered as Zusanli &lt;3 (both sides)'
        ' <span class="small">[caution overridden: asked &lt;b&gt;twice&lt;/b&gt; &amp; agreed]</span></li>'
        '<li class="list-inline-item"><strong>LI4</strong> Hegu (both sides, 2 min)</li>'
    ) in html


def test_a_notes_text_is_shown_escaped_with_its_line_breaks_home_care_and_regions(
    practitioner, practitioner_client
):
    client = make_client()
    note = make_note(
        practitioner,
        client=client,
        day=timezone.localdate() - timedelta(days=1),
        pain_before=7,
        pain_after=0,
        subjective="Neck <stiff>\nsince Monday & worse",
        plan="",
        next_session="Recheck <C7>",
        regions_treated=["neck", "upper_back"],
        home_care_reason="asked & agreed",
    )
    add_point(note, "LI4")
    note.home_care_points.add(*note.applications.values_list("point", flat=True))
    sign(note)
    for url in (reverse("treatments:chart", args=[client.pk]), note.get_absolute_url()):
        html = practitioner_client.get(url).content.decode()
        body = html[html.index('<dl class="row mb-0 note-body">') :]
        body = body[: body.index("</dl>")]
        assert '<dd class="col-sm-9">7/10 before → 0/10 after</dd>' in body
        assert '<dd class="col-sm-9">Neck &lt;stiff&gt;<br>since Monday &amp; worse</dd>' in body
        assert "Plan</dt>" not in body  # an empty field is left out
        assert 'Regions treated</dt><dd class="col-sm-9">Neck and throat, Upper back</dd>' in body
        overridden = '<span class="small">[caution overridden: asked &amp; agreed]</span>'
        assert f'<dd class="col-sm-9">LI4 Hegu {overridden}</dd>' in body
        assert '<dd class="col-sm-9">Recheck &lt;C7&gt;</dd>' in body
