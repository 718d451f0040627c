"""The tags that write lists of bookings fast give the same markup as the slow way."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from clients.screening import ScreeningResult, ScreeningStatus


def _render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_booking_url_writes_each_id_into_the_reversed_route():
    source = (
        "{% load clinic_bookings %}"
        "{% for pk in ids %}{% booking_url 'clinic:booking_detail' pk %}|"
        "{% booking_url 'clinic:booking_status' pk 'no_show' %};{% endfor %}"
    )
    ids = [1, 42, 987654321, 7]
    expected = "".join(
        reverse("clinic:booking_detail", args=[pk])
        + "|"
        + reverse("clinic:booking_status", args=[pk, "no_show"])
        + ";"
        for pk in ids
    )
    assert _render(source, ids=ids) == expected


def test_screening_badge_tag_matches_the_include_for_each_distinct_badge():
    results = [
        ScreeningResult(status=ScreeningStatus.CLEAR.value, has_intake=True),
        ScreeningResult(status=ScreeningStatus.CAUTION.value, has_intake=False),
        ScreeningResult(status=ScreeningStatus.CLEAR.value, has_intake=True, needs_review=True),
        ScreeningResult(status=ScreeningStatus.CLEAR.value, has_intake=True),  # the first one again
        None,
    ]
    for compact in (True, False):
        tag = _render(
            "{% load clients_tags %}"
            "{% for s in results %}[{% screening_badge s compact=compact %}]{% endfor %}",
            results=results,
            compact=compact,
        )
        include = _render(
            "{% for s in results %}["
            '{% include "clients/_screening_badge.html" with screening=s compact=compact %}'
            "]{% endfor %}",
            results=results,
            compact=compact,
        )
        assert "".join(tag.split()) == "".join(include.split())  # blank lines aside
        assert "waiting for review" in tag and "No intake" in tag


def test_slot_buttons_escape_what_they_show_and_add_htmx_only_when_asked():
    from datetime import datetime
    from types import SimpleNamespace

    from clinic.kernel.dates import clinic_tz

    slots = [
        {
            "start": datetime(2026, 6, 1, 9, 30, tzinfo=clinic_tz()),
            "url": "/clinic/bookings/new/?practitioner=1&date=2026-06-01&time=09:30",
            "room": SimpleNamespace(name="Lotus <b>"),
        },
        {"start": datetime(2026, 6, 1, 10, 0, tzinfo=clinic_tz()), "url": "/x/?a=1&b=2", "room": None},
    ]
    source = "{% load clinic_bookings %}{% slot_buttons slots 'Mon 1 Jun' name htmx %}"
    page = _render(source, slots=slots, name="Kenji & Co", htmx=False)
    assert 'href="/clinic/bookings/new/?practitioner=1&amp;date=2026-06-01&amp;time=09:30"' in page
    assert 'aria-label="Book Mon 1 Jun 09:30 with Kenji &amp; Co in Lotus &lt;b&gt;">09:30</a>' in page
    assert 'aria-label="Book Mon 1 Jun 10:00 with Kenji &amp; Co">10:00</a>' in page
    assert "hx-get" not in page
    with_htmx = _render(source, slots=slots, name="Kenji", htmx=True)
    assert with_htmx.count('hx-target="#booking-form-wrap" hx-swap="outerHTML"') == 2
    assert 'hx-get="/x/?a=1&amp;b=2"' in with_htmx


# The cancelled and no-show list, and the desk's arrivals, as the templates wrote them before
# the tags: the tags must give the same markup.
_INACTIVE_SLOW = (
    "{% for b in inactive %}"
    '<li><span class="badge booking-badge-{{ b.status }}">{{ b.get_status_display }}</span>\n'
    '  <a href="{% url \'clinic:booking_detail\' b.pk %}">{{ b.local_start|date:"D H:i" }} '
    "{{ b.client.display_name }}</a> · {{ b.practitioner.display_name }}"
    "{% if b.late_cancellation %} · late{% endif %}</li>{% if not forloop.last %}\n{% endif %}"
    "{% endfor %}"
)
_ARRIVALS_SLOW = (
    '{% for b in arrived %}<li><span class="badge booking-badge-arrived">Arrived</span> '
    '{{ b.client.display_name }} for {{ b.local_start|time:"H:i" }} with {{ b.practitioner.display_name }}'
    "</li>\n{% endfor %}"
    '{% for b in due %}<li><span class="badge booking-badge-booked">Due</span> '
    '{{ b.client.display_name }} at {{ b.local_start|time:"H:i" }} with {{ b.practitioner.display_name }}'
    "</li>\n{% endfor %}"
)


def _bookings_with_awkward_names():
    from clients.tests.builders import make_client
    from clinic.models import BookingStatus
    from clinic.tests.builders import future_day, local, make_booking, make_service
    from conftest import make_practitioner

    day = future_day()
    someone = make_practitioner(display_name="Ann <Lee> & Co")
    service = make_service(practitioners=[someone])
    people = [make_client(first_name=name) for name in ('Zoë "Z"', "<b>Bo</b>", "O'Neil")]
    kinds = [
        (BookingStatus.CANCELLED, True),
        (BookingStatus.NO_SHOW, False),
        (BookingStatus.CANCELLED, False),
    ]
    return [
        make_booking(
            practitioner=someone, service=service, start=local(day, 9 + i), client=client, status=status,
            late_cancellation=late,
        )
        for i, (client, (status, late)) in enumerate(zip(people, kinds, strict=True))
    ]  # fmt: skip


@pytest.mark.django_db
def test_inactive_rows_match_the_template_they_replace_escaped():
    bookings = _bookings_with_awkward_names()
    tag = _render("{% load clinic_bookings %}{% inactive_rows inactive %}", inactive=bookings)
    assert tag == _render(_INACTIVE_SLOW, inactive=bookings)
    assert tag.count("<li>") == 3 and tag.count(" · late") == 1
    assert "&lt;b&gt;Bo&lt;/b&gt;" in tag and "Ann &lt;Lee&gt; &amp; Co" in tag and "<b>" not in tag


@pytest.mark.django_db
def test_arrival_rows_match_the_template_they_replace_escaped():
    bookings = _bookings_with_awkward_names()
    tag = _render(
        "{% load clinic_bookings %}{% arrival_rows arrived due %}", arrived=bookings[:1], due=bookings[1:]
    )
    assert tag + "\n" == _render(_ARRIVALS_SLOW, arrived=bookings[:1], due=bookings[1:])
    assert tag.count("Arrived</span>") == 1 and tag.count("Due</span>") == 2
    assert "<b>" not in tag
    assert _render("{% load clinic_bookings %}{% arrival_rows arrived due %}", arrived=[], due=[]) == ""
