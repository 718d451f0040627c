"""axe-core finds no serious or critical violation on the main pages, each opened by the role that
works with it, with enough data on screen (bookings, findings, signed notes, a draft note); and
the calendar and the note page fit a tablet's width without scrolling the whole document."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from clients import services as client_services
from clients.tests.builders import make_client, make_intake
from clinic.kernel.roles import Role
from clinic.tests.builders import give_hours, local, make_booking, make_room, make_service
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user, run_outbox_worker
from treatments.tests.builders import add_point, make_note, make_pregnant_client, sign

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def world(transactional_db) -> dict[str, Any]:
    """A working day: two practitioners, two rooms, a pregnant client with signed notes and a
    draft, a few of today's bookings; one user per role."""
    reception = make_user(role=Role.RECEPTION, username="riley", first_name="Riley", last_name="Chen")
    make_user(role=Role.MANAGER, username="morgan", first_name="Morgan", last_name="Hale")
    amara = make_practitioner(
        user=make_user(role=Role.PRACTITIONER, username="amara", first_name="Amara", last_name="Okafor")
    )
    kenji = make_practitioner(display_name="Kenji Sato")
    for practitioner in (amara, kenji):
        give_hours(practitioner)
    service = make_service(name="Shiatsu hour", practitioners=[amara, kenji])
    bamboo, cedar = make_room(name="Bamboo"), make_room(name="Cedar")

    client = make_pregnant_client(first_name="Noor", last_name="Haddad", email="noor@example.com")
    today = timezone.localdate()
    for weeks_ago, (before, after) in enumerate([(7, 4), (6, 3), (5, 2)], start=1):
        note = make_note(
            amara,
            client=client,
            day=today - timedelta(days=7 * weeks_ago),
            subjective="Low back ache.",
            pain_before=before,
            pain_after=after,
        )
        add_point(note, "BL23")
        add_point(note, "LI4")
        sign(note)
    draft = make_note(amara, client=client)
    add_point(draft, "ST36")

    other = make_client(first_name="Ines", last_name="Moreau")
    make_intake(other)
    # Today: one of each colour the desk, the calendar and My day draw.
    for who, hour, whom, room, status in [
        (amara, 10, client, bamboo, "arrived"),
        (kenji, 11, other, cedar, "completed"),
        (amara, 14, other, cedar, "booked"),
    ]:
        make_booking(
            practitioner=who, service=service, start=local(today, hour), client=whom, room=room, status=status
        )

    mail.outbox.clear()
    client_services.send_intake_link(client=other, by=reception)
    run_outbox_worker()  # the background worker sends it
    intake_link = re.search(r"/clients/intake/[^/\s]+/", str(mail.outbox[-1].body)).group(0)
    return {"amara": amara, "client": client, "draft": draft, "intake_link": intake_link}


# (what, who signs in (None: nobody), the page's address)
PAGES: list[tuple[str, str | None, Callable[[dict[str, Any]], str]]] = [
    ("front desk", "riley", lambda w: "/desk/"),
    ("calendar by practitioner", "riley", lambda w: "/clinic/calendar/"),
    ("calendar by room", "riley", lambda w: "/clinic/calendar/?by=rooms"),
    ("practitioner's week", "riley", lambda w: f"/clinic/calendar/week/{w['amara'].pk}/"),
    ("day sheet", "riley", lambda w: "/clinic/calendar/sheet/"),
    ("client list", "riley", lambda w: "/clients/"),
    ("client page with findings", "amara", lambda w: f"/clients/{w['client'].pk}/"),
    ("staff intake form", "amara", lambda w: f"/clients/{w['client'].pk}/intakes/new/"),
    ("online intake form", None, lambda w: w["intake_link"]),
    ("treatment chart", "amara", lambda w: f"/treatments/clients/{w['client'].pk}/chart/"),
    ("draft treatment note", "amara", lambda w: f"/treatments/notes/{w['draft'].pk}/"),
    ("point finder", "amara", lambda w: "/treatments/points/search/"),
    ("point finder with matches", "amara", lambda w: "/treatments/points/search/?q=shen"),
    ("my day", "amara", lambda w: "/my-day/"),
    ("manager overview", "morgan", lambda w: "/overview/"),
    ("schedules", "morgan", lambda w: "/clinic/schedules/"),
    ("weekly hours grid", "morgan", lambda w: f"/clinic/schedules/{w['amara'].pk}/hours/"),
    ("clinic closures", "morgan", lambda w: "/clinic/schedules/closures/"),
    ("new closure", "morgan", lambda w: "/clinic/schedules/closures/new/"),
    ("online booking settings", "morgan", lambda w: "/book/settings/"),
    ("my time off", "amara", lambda w: f"/clinic/schedules/{w['amara'].pk}/time-off/"),
]


@pytest.mark.parametrize(
    ("who", "address"), [(who, address) for _, who, address in PAGES], ids=[p[0] for p in PAGES]
)
def test_page_has_no_serious_accessibility_violation(page, world, who, address):
    if who:
        login_through_form(page, who, TEST_PASSWORD)
    response = page.goto(address(world))
    assert response is not None and response.status == 200
    page.get_by_role("heading", level=1).first.wait_for()
    assert_accessible(page)


def test_the_pages_draw_what_they_are_checked_with(page, world):
    """The checks above ran on full pages: the chart's SVG, the note's quick line, the findings."""
    login_through_form(page, "amara", TEST_PASSWORD)
    page.goto(f"/treatments/clients/{world['client'].pk}/chart/")
    assert page.locator("svg").count() >= 1
    page.goto(f"/treatments/notes/{world['draft'].pk}/")
    assert page.get_by_label("Quick line").is_visible()
    page.goto(f"/clients/{world['client'].pk}/")
    assert page.get_by_role("cell", name="Pregnancy", exact=True).is_visible()


# For the failure message: the outermost elements that stick out past the window's right edge.
WIDER_THAN_THE_WINDOW = """() => {
  const out = (el) => el.getBoundingClientRect().right > window.innerWidth + 1;
  return [...document.querySelectorAll("body *")]
    .filter((el) => out(el) && !(el.parentElement && out(el.parentElement)))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}#${el.id}`);
}"""


def _document_width_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(
    ("who", "address"),
    [
        ("riley", lambda w: "/clinic/calendar/"),
        ("amara", lambda w: f"/treatments/notes/{w['draft'].pk}/"),
    ],
    ids=["calendar day view", "treatment note"],
)
def test_fits_a_tablet_without_scrolling_the_whole_page_sideways(page, world, who, address):
    page.set_viewport_size(TABLET)
    login_through_form(page, who, TEST_PASSWORD)
    page.goto(address(world))
    page.get_by_role("heading", level=1).first.wait_for()
    assert _document_width_fits(page), page.evaluate(WIDER_THAN_THE_WINDOW)
    assert_accessible(page)  # collapsed navigation, inner scroll containers reachable by keyboard


def test_a_closure_over_todays_sessions_lists_them_then_moves_them(page, world):
    """The confirm step, in a browser: the list is accessible, and one click moves them all."""
    login_through_form(page, "morgan", TEST_PASSWORD)
    page.goto("/clinic/schedules/closures/new/")
    today = timezone.localdate().isoformat()
    page.get_by_label("First closed day").fill(today)
    page.get_by_label("Last closed day").fill(today)
    page.get_by_label("Reason").fill("Burst pipe")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("1 booked session falls in this closure").wait_for()
    assert page.get_by_role("cell", name="Ines Moreau", exact=True).is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save and move all 1").click()
    page.get_by_role("heading", name="Clinic closures").wait_for()
    assert page.get_by_text("Moved to").is_visible()
    assert page.get_by_text("Burst pipe").first.is_visible()
