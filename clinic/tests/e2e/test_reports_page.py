"""A manager finds the reports from the navigation, picks a period and reads a report: the chart
is drawn, the table carries the same figures, and axe-core finds no serious violation."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import timezone

from clinic.kernel.roles import Role
from clinic.models import BookingStatus
from clinic.tests.builders import give_hours, local, make_booking, make_room, make_service
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user


@pytest.fixture
def clinic_today(transactional_db) -> None:
    make_user(role=Role.MANAGER, username="morgan", first_name="Morgan", last_name="Hale")
    amara = make_practitioner(display_name="Amara Okafor")
    give_hours(amara, intervals=((time(0), time(23, 59)),))
    service = make_service(name="Shiatsu hour", buffer_minutes=0)
    room = make_room(name="Bamboo")
    today = timezone.localdate()
    for hour, status in [(1, BookingStatus.COMPLETED), (2, BookingStatus.NO_SHOW), (3, BookingStatus.BOOKED)]:
        make_booking(practitioner=amara, service=service, room=room, start=local(today, hour), status=status)


def test_a_manager_reads_a_report_for_this_month(page, clinic_today):
    login_through_form(page, "morgan", TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("heading", level=1, name="Reports").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="This month").click()
    page.get_by_role("link", name="Sessions by service", exact=True).click()
    page.get_by_role("heading", level=1).wait_for()

    chart = page.get_by_role("img", name="Sessions by service")
    assert chart.is_visible()
    row = page.get_by_role("row", name="Shiatsu hour")
    assert row.get_by_role("cell").all_inner_texts() == ["2", "1", "1", "1", "2.00"]
    assert page.get_by_role("link", name="Download CSV").is_visible()
    assert_accessible(page)

    # A reversed period: the message beside the field, the page still accessible.
    page.locator("#id_start").fill("2026-03-08")
    page.locator("#id_end").fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_text("The last day comes before the first").is_visible()
    assert_accessible(page)
