"""Moving sessions on the calendar in a real browser: drag to another time and practitioner,
a drag onto a taken time snapping back with the reason, a resize, the keys; the week of
everyone and the day view pass axe-core; the menu's Calendar link opens the last view."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from clients.tests.builders import make_client, make_intake
from clinic.models import Booking, Room
from clinic.tests.builders import future_day, give_hours, local, make_booking, make_room, make_service
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user

DAY = future_day()


@pytest.fixture
def world(transactional_db):
    amara = make_practitioner(display_name="Amara Okafor")
    kenji = make_practitioner(display_name="Kenji Sato")
    for p in (amara, kenji):
        give_hours(p)
    service = make_service(name="Acupressure 60", buffer_minutes=0, practitioners=[amara, kenji])
    make_room(name="Bamboo")
    make_room(name="Lotus")
    noor = make_client(first_name="Noor", last_name="Haddad")
    make_intake(noor)
    booking = make_booking(practitioner=amara, service=service, start=local(DAY, 9), client=noor)
    desk = make_user(role="Reception", username="desk-e2e")
    return {"amara": amara, "kenji": kenji, "service": service, "booking": booking, "desk": desk}


def open_day(page) -> None:
    login_through_form(page, "desk-e2e", TEST_PASSWORD)
    page.goto(f"/clinic/calendar/?date={DAY.isoformat()}")


def card(page):
    return page.locator(".booking-card[data-move-url]", has_text="Noor Haddad")


def centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page, source, *, to_time: str, to_column: str, grab=None) -> None:
    """Press on the card (or its handle), move in steps to the row of `to_time` in the column
    headed `to_column`, release."""
    grab = grab or source
    x0, y0 = centre(grab)
    top_of_card = source.bounding_box()["y"]
    row = page.locator(f'#calendar-grid tr[data-time="{to_time}"]')
    column = page.locator("#calendar-grid thead th", has_text=to_column)
    x1 = centre(column)[0]
    y1 = row.bounding_box()["y"] + (y0 - top_of_card)  # the point held stays where it was on the card
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=12)
    page.mouse.up()


def test_drag_to_another_time_and_practitioner_saves_it_with_history(page, world):
    booking: Booking = world["booking"]
    before = booking.history.count()
    open_day(page)
    drag(page, card(page), to_time="11:30", to_column="Kenji Sato")
    page.locator("#calendar-announce", has_text="Moved to 11:30").wait_for()
    booking.refresh_from_db()
    assert booking.start == local(DAY, 11, 30) and booking.end == local(DAY, 12, 30)
    assert booking.practitioner == world["kenji"]
    assert booking.history.count() == before + 1
    assert booking.history.first().history_user == world["desk"]
    # The grid was redrawn from the server: the card now sits at its new time.
    assert card(page).get_attribute("data-start") == "11:30"
    assert card(page).get_attribute("data-practitioner") == str(world["kenji"].pk)


def test_drag_onto_a_taken_time_snaps_back_and_says_why(page, world):
    make_booking(
        practitioner=world["kenji"], service=world["service"], start=local(DAY, 11),
        client=make_client(first_name="Ines", last_name="Moreau"),
    )  # fmt: skip
    booking: Booking = world["booking"]
    before = booking.history.count()
    open_day(page)
    drag(page, card(page), to_time="11:30", to_column="Kenji Sato")
    refusal = page.locator("#calendar-announce", has_text="was not moved")
    refusal.wait_for()
    # The service's own reason, as the move form would show it.
    assert "Kenji Sato already has a booking at that time." in refusal.inner_text()
    assert "translate" not in (card(page).get_attribute("style") or "")
    assert card(page).locator(".booking-time").inner_text() == "09:00\u201310:00"
    booking.refresh_from_db()
    assert booking.start == local(DAY, 9) and booking.practitioner == world["amara"]
    assert booking.history.count() == before


def test_a_drag_to_the_grids_edge_scrolls_to_later_times(page, world):
    booking: Booking = world["booking"]
    open_day(page)
    source = card(page)
    x, y = centre(source)
    held = y - source.bounding_box()["y"]
    bottom = page.locator("#calendar-grid").bounding_box()
    bottom_edge = bottom["y"] + bottom["height"]
    late = page.locator('#calendar-grid tr[data-time="18:00"]')
    assert late.bounding_box()["y"] > bottom_edge  # out of sight at first
    page.mouse.move(x, y)
    page.mouse.down()
    for wiggle in range(400):  # held at the lower edge, the grid scrolls on each move
        page.mouse.move(x, bottom_edge - 8 - wiggle % 2)
        if late.bounding_box()["y"] < bottom_edge - 160:
            break
    page.mouse.move(x, late.bounding_box()["y"] + held, steps=5)  # above the edge: no more scrolling
    page.mouse.up()
    page.locator("#calendar-announce", has_text="Moved to 18:00").wait_for()
    booking.refresh_from_db()
    assert booking.start == local(DAY, 18)
    page.locator("#calendar-announce", has_text="Moved to 18:00").wait_for()
    booking.refresh_from_db()
    assert booking.start == local(DAY, 18)


def test_resize_by_dragging_the_lower_edge(page, world):
    booking: Booking = world["booking"]
    open_day(page)
    source = card(page)
    handle = source.locator(".resize-handle")
    x, _ = centre(handle)
    y = handle.bounding_box()["y"] + handle.bounding_box()["height"] / 2
    below = page.locator('#calendar-grid tr[data-time="10:30"]').bounding_box()["y"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, below, steps=10)
    page.mouse.up()
    page.locator("#calendar-announce", has_text="Moved to 09:00").wait_for()
    booking.refresh_from_db()
    assert booking.start == local(DAY, 9) and booking.end == local(DAY, 10, 30)


def test_move_with_the_keys_and_cancel_with_escape(page, world):
    booking: Booking = world["booking"]
    open_day(page)
    source = card(page)
    source.focus()
    page.keyboard.press("ArrowDown")
    announce = page.locator("#calendar-announce")
    assert "09:15 to 10:15, Amara Okafor" in announce.inner_text()
    page.keyboard.press("Escape")
    assert "cancelled" in announce.inner_text()
    booking.refresh_from_db()
    assert booking.start == local(DAY, 9)

    card(page).focus()
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    assert "10:00 to 11:15, Kenji Sato" in announce.inner_text()
    page.keyboard.press("Enter")
    page.locator("#calendar-announce", has_text="Moved to 10:00").wait_for()
    booking.refresh_from_db()
    assert (booking.start, booking.end) == (local(DAY, 10), local(DAY, 11, 15))
    assert booking.practitioner == world["kenji"]
    # The focus comes back to the moved session for the next move.
    assert page.evaluate("document.activeElement.dataset.start") == "10:00"
    assert "/clinic/calendar/" in page.url  # Enter saved the move; it did not follow the link


def test_drag_on_a_practitioners_week_to_another_day(page, world):
    booking: Booking = world["booking"]
    login_through_form(page, "desk-e2e", TEST_PASSWORD)
    page.goto(f"/clinic/calendar/week/{world['amara'].pk}/?date={DAY.isoformat()}")
    tuesday = DAY + timedelta(days=1)  # DAY is a Monday: the next column
    drag(page, card(page), to_time="09:00", to_column=tuesday.strftime("%a %d %b"))
    page.locator("#calendar-announce", has_text="Moved to 09:00").wait_for()
    booking.refresh_from_db()
    assert booking.local_date == tuesday and booking.practitioner == world["amara"]


def test_drag_to_another_room_on_the_rooms_view(page, world):
    booking: Booking = world["booking"]
    bamboo, lotus = Room.objects.get(name="Bamboo"), Room.objects.get(name="Lotus")
    Booking.objects.filter(pk=booking.pk).update(room=bamboo)
    login_through_form(page, "desk-e2e", TEST_PASSWORD)
    page.goto(f"/clinic/calendar/?date={DAY.isoformat()}&by=rooms")
    drag(page, card(page), to_time="09:00", to_column="Lotus")
    page.locator("#calendar-announce", has_text="Moved to 09:00").wait_for()
    booking.refresh_from_db()
    assert booking.room == lotus and booking.practitioner == world["amara"]
    assert booking.start == local(DAY, 9)


def test_by_touch_a_finger_drags_a_session(browser, live_server, world):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1024, "height": 900}, has_touch=True
    )
    page = context.new_page()
    try:
        open_day(page)
        source = card(page)
        x0, y0 = centre(source)
        top = source.bounding_box()["y"]
        y1 = page.locator('#calendar-grid tr[data-time="10:00"]').bounding_box()["y"] + (y0 - top)
        cdp = context.new_cdp_session(page)

        def touch(kind: str, x: float, y: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", x0, y0)
        for i in range(1, 11):
            touch("touchMove", x0, y0 + (y1 - y0) * i / 10)
        touch("touchEnd", x0, y1)
        page.locator("#calendar-announce", has_text="Moved to 10:00").wait_for()
        booking: Booking = world["booking"]
        booking.refresh_from_db()
        assert booking.start == local(DAY, 10)
    finally:
        context.close()


def test_todays_grid_draws_the_now_line_in_the_row_of_the_clinics_time(page, world):
    for p in (world["amara"], world["kenji"]):
        p.working_hours.all().delete()
        give_hours(p, intervals=((time(0), time(23, 59)),))  # every row of the day is on the grid
    login_through_form(page, "desk-e2e", TEST_PASSWORD)
    page.goto("/clinic/calendar/")
    stamp = page.locator("#calendar-grid").get_attribute("data-now")  # the server's clinic time
    hours, minutes = (int(part) for part in stamp.split(" ")[1].split(":"))
    row = page.locator(f'#calendar-grid tr[data-time="{hours:02d}:{minutes - minutes % 15:02d}"]')
    row.scroll_into_view_if_needed()
    line, box = page.locator(".now-line").bounding_box(), row.bounding_box()
    assert box["y"] <= line["y"] <= box["y"] + box["height"]
    first_column = page.locator("#calendar-grid thead th", has_text="Amara Okafor").bounding_box()
    assert abs(line["x"] - first_column["x"]) < 2  # across the practitioners' columns, not the times


def test_the_week_of_everyone_and_the_day_view_pass_axe_and_the_menu_remembers(page, world):
    open_day(page)
    assert_accessible(page)
    page.get_by_role("link", name="Week, everyone").click()
    page.get_by_role("heading", name=re.compile("^Everyone")).wait_for()
    assert "Noor Haddad" in page.content()
    assert_accessible(page)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    page.get_by_role("heading", name=re.compile("^Everyone")).wait_for()
    assert "/clinic/calendar/week/" in page.url
