"""The desk's free gaps today: each a link to the booking form for that practitioner and time."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.calendar_views import desk_context
from clinic.templatetags.clinic_bookings import desk_gaps
from clinic.tests.builders import future_day, give_hours, local, make_booking, make_service
from conftest import make_practitioner

pytestmark = pytest.mark.django_db

DAY = future_day()


def test_each_gap_links_to_the_booking_form_at_its_start_with_the_name_escaped():
    someone = make_practitioner(display_name="Ann <Lee> & Co")
    give_hours(someone)  # 08:00-20:00
    service = make_service(practitioners=[someone])
    booking = make_booking(practitioner=someone, service=service, start=local(DAY, 10))

    gaps = desk_context(local(DAY, 6))["gaps"]
    html = str(desk_gaps(gaps))

    new = reverse("clinic:booking_new")
    end = booking.local_end.strftime("%H:%M")
    name = "Ann &lt;Lee&gt; &amp; Co"
    link = f'<li><a href="{new}?practitioner={someone.pk}&amp;date={DAY}&amp;time='
    assert html.splitlines() == [
        f'{link}08:00">08:00\u201310:00</a> · {name}</li>',
        f'{link}{end}">{end}\u201320:00</a> · {name}</li>',
    ]


def test_no_gap_no_rows():
    assert str(desk_gaps([])) == ""
