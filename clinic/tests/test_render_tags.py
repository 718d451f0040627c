"""The tags that write lists of bookings fast give the same markup as the slow way."""

from __future__ import annotations

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
