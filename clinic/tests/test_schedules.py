"""Schedules without the back office: the weekly hours grid, closures and time off over booked
sessions (listed first, then moved or cancelled in one action, each client told once)."""

from __future__ import annotations

from collections import Counter
from datetime import time, timedelta

import pytest
from django.urls import reverse

from clients.tests.builders import make_client
from clinic.kernel.dates import clinic_tz
from clinic.models import Booking, BookingStatus, Closure
from clinic.services import book
from clinic.tests.builders import (
    future_day,
    give_hours,
    local,
    make_room,
    make_service,
    make_time_off,
    practitioner_admin_form,
)
from conftest import login_client, run_outbox_worker
from practitioners.models import TimeOff, WorkingHours
from practitioners.services import HoursRow, ScheduleInvalid, save_working_hours, set_working_hours

# --- A day with ten booked sessions ------------------------------------------------------------


@pytest.fixture
def busy_day(practitioner, manager):
    """Ten clients booked one after another on one day, 08:00 to 18:00 (no confirmation sent)."""
    give_hours(practitioner)
    service = make_service(practitioners=[practitioner], duration_minutes=60, buffer_minutes=0)
    make_room()
    day = future_day(weeks=3, weekday=1)
    bookings = [
        book(
            client=make_client(last_name=f"Daycare{n}"),
            practitioner=practitioner,
            service=service,
            start=local(day, 8 + n),
            by=manager,
            notify=False,
        )
        for n in range(10)
    ]
    return day, bookings


def _closure_form(day, reason="Boiler repair"):
    return {"start_date": day.isoformat(), "end_date": day.isoformat(), "reason": reason}


def _apply(bookings, bulk, **extra):
    return {"step": "apply", "seen": [str(b.pk) for b in bookings], "bulk": bulk, **extra}


def _emails_by_recipient(mailoutbox):
    return Counter(to for message in mailoutbox for to in message.to)


def test_a_closure_over_booked_sessions_lists_them_before_saving(manager_client, busy_day):
    day, bookings = busy_day

    response = manager_client.post(reverse("clinic:closure_new"), _closure_form(day))

    assert response.status_code == 200
    page = response.content.decode()
    assert "10 booked sessions fall in this closure" in page
    for booking in bookings:
        assert booking.client.display_name in page
        assert f'name="decision-{booking.pk}"' in page
    assert "08:00" in page and "17:00" in page
    assert Closure.objects.count() == 0, "nothing is saved before the choice"


@pytest.mark.parametrize("twice", [False, True], ids=["once", "double-submit"])
def test_moving_all_ten_in_one_action_tells_each_client_once(manager_client, busy_day, mailoutbox, twice):
    day, bookings = busy_day
    url = reverse("clinic:closure_new")
    data = {**_closure_form(day), **_apply(bookings, "move")}

    response = manager_client.post(url, data)
    if twice:  # the same form sent again: the sessions are no longer in the closure
        again = manager_client.post(url, data)
        assert again.status_code == 302
    run_outbox_worker()

    assert response.status_code == 302
    assert Closure.objects.count() == 1
    tz = clinic_tz()
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == BookingStatus.BOOKED
        assert booking.start.astimezone(tz).date() > day
        assert "Clinic closed: Boiler repair" in booking.history.first().history_change_reason
    moved = Booking.objects.filter(pk__in=[b.pk for b in bookings])
    assert len({b.start for b in moved}) == 10, "each took its own free time"
    assert _emails_by_recipient(mailoutbox) == Counter({b.client.email: 1 for b in bookings})
    assert all("has moved" in message.subject for message in mailoutbox)


@pytest.mark.parametrize("twice", [False, True], ids=["once", "double-submit"])
def test_cancelling_all_ten_in_one_action_tells_each_client_once(manager_client, busy_day, mailoutbox, twice):
    day, bookings = busy_day
    url = reverse("clinic:closure_new")
    data = {**_closure_form(day), **_apply(bookings, "cancel")}

    manager_client.post(url, data)
    if twice:
        manager_client.post(url, data)
    run_outbox_worker()
    if twice:  # and once more after the worker has sent the first emails
        manager_client.post(url, data)
        run_outbox_worker()

    assert Closure.objects.count() == 1
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CANCELLED}
    assert _emails_by_recipient(mailoutbox) == Counter({b.client.email: 1 for b in bookings})
    assert all("cancelled" in message.subject for message in mailoutbox)


def test_each_booking_can_have_its_own_choice(manager_client, busy_day, mailoutbox):
    day, bookings = busy_day
    choices = {f"decision-{b.pk}": "move" for b in bookings}
    choices[f"decision-{bookings[0].pk}"] = "cancel"
    choices[f"decision-{bookings[1].pk}"] = "keep"

    response = manager_client.post(
        reverse("clinic:closure_new"), {**_closure_form(day), **_apply(bookings, "each", **choices)}
    )
    run_outbox_worker()

    assert response.status_code == 302
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[bookings[0].pk] == BookingStatus.CANCELLED
    kept = Booking.objects.get(pk=bookings[1].pk)
    assert kept.start == bookings[1].start, "left where it was"
    assert Booking.objects.filter(start__date__gt=day).count() == 8
    assert len(mailoutbox) == 9


def test_a_session_booked_meanwhile_shows_the_list_again(manager_client, busy_day):
    day, bookings = busy_day

    response = manager_client.post(
        reverse("clinic:closure_new"), {**_closure_form(day), **_apply(bookings[1:], "cancel")}
    )

    assert response.status_code == 400
    assert "check the list again" in response.content.decode()
    assert Closure.objects.count() == 0
    assert not Booking.objects.filter(status=BookingStatus.CANCELLED).exists()


def test_a_closure_over_no_booking_is_saved_at_once(manager_client, db):
    day = future_day(weeks=5)

    response = manager_client.post(reverse("clinic:closure_new"), _closure_form(day, "Bank holiday"))

    assert response.status_code == 302
    assert Closure.objects.get().reason == "Bank holiday"


def test_closure_dates_out_of_order_are_refused_next_to_the_field(manager_client, db):
    day = future_day(weeks=5)
    data = {
        "start_date": day.isoformat(),
        "end_date": (day - timedelta(days=1)).isoformat(),
        "reason": "Refit",
    }

    response = manager_client.post(reverse("clinic:closure_new"), data)

    assert response.status_code == 400
    assert "The last closed day can&#x27;t be before the first." in response.content.decode()
    assert 'value="Refit"' in response.content.decode()
    assert not Closure.objects.exists()


def test_only_a_future_closure_can_be_deleted(manager_client, db):
    from clinic.tests.builders import make_closure

    coming = make_closure(future_day(weeks=5))
    started = make_closure(future_day(weeks=0, weekday=0) - timedelta(days=7))

    manager_client.post(reverse("clinic:closure_delete", args=[coming.pk]))
    manager_client.post(reverse("clinic:closure_delete", args=[started.pk]))

    assert list(Closure.objects.all()) == [started]


# --- Time off --------------------------------------------------------------------------------


def test_a_practitioners_time_off_over_their_sessions_lists_only_theirs(
    practitioner_client, practitioner, other_practitioner, manager
):
    give_hours(practitioner)
    give_hours(other_practitioner)
    service = make_service(practitioners=[practitioner, other_practitioner], buffer_minutes=0)
    make_room()
    make_room()
    day = future_day(weeks=3, weekday=2)
    mine = book(
        client=make_client(last_name="Mine"), practitioner=practitioner, service=service,
        start=local(day, 10), by=manager, notify=False,
    )  # fmt: skip
    theirs = book(
        client=make_client(last_name="Theirs"), practitioner=other_practitioner, service=service,
        start=local(day, 10), by=manager, notify=False,
    )  # fmt: skip
    url = reverse("clinic:time_off", args=[practitioner.pk])
    data = {"start_date": day.isoformat(), "end_date": day.isoformat(), "reason": "Dentist"}

    listed = practitioner_client.post(url, data)
    moved = practitioner_client.post(url, {**data, **_apply([mine], "move")})

    assert listed.status_code == 200
    assert mine.client.display_name in listed.content.decode()
    assert theirs.client.display_name not in listed.content.decode()
    assert moved.status_code == 302
    assert TimeOff.objects.get().practitioner == practitioner
    mine.refresh_from_db()
    assert mine.start.astimezone(clinic_tz()).date() > day
    theirs.refresh_from_db()
    assert theirs.start == local(day, 10)
    assert "Dentist" not in mine.history.first().history_change_reason, "the reason stays with the team"


def test_a_part_day_ending_before_it_starts_is_refused(practitioner_client, practitioner):
    day = future_day(weeks=3)
    data = {
        "start_date": day.isoformat(), "end_date": day.isoformat(),
        "start_time": "14:00", "end_time": "12:00", "reason": "",
    }  # fmt: skip

    response = practitioner_client.post(reverse("clinic:time_off", args=[practitioner.pk]), data)

    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert 'value="14:00"' in response.content.decode()
    assert not TimeOff.objects.exists()


def test_a_practitioner_manages_only_their_own_time_off(practitioner_client, other_practitioner):
    theirs = make_time_off(other_practitioner, future_day(weeks=4))
    data = {"start_date": future_day(weeks=6).isoformat(), "end_date": future_day(weeks=6).isoformat()}

    assert (
        practitioner_client.get(reverse("clinic:time_off", args=[other_practitioner.pk])).status_code == 403
    )
    assert (
        practitioner_client.post(reverse("clinic:time_off", args=[other_practitioner.pk]), data).status_code
        == 403
    )
    assert practitioner_client.get(reverse("clinic:time_off_edit", args=[theirs.pk])).status_code == 403
    assert (
        practitioner_client.post(reverse("clinic:time_off_edit", args=[theirs.pk]), data).status_code == 403
    )
    deleted = practitioner_client.post(
        reverse("clinic:time_off_delete", args=[other_practitioner.pk]), {"time_off": theirs.pk}
    )
    assert deleted.status_code == 403
    assert TimeOff.objects.get() == theirs
    theirs.refresh_from_db()
    assert theirs.start_date == future_day(weeks=4)


def test_a_manager_manages_anyones_time_off(manager_client, practitioner):
    item = make_time_off(practitioner, future_day(weeks=4))

    response = manager_client.post(
        reverse("clinic:time_off_delete", args=[practitioner.pk]), {"time_off": item.pk}
    )

    assert response.status_code == 302
    assert not TimeOff.objects.exists()


def test_my_time_off_opens_the_practitioners_own_page(practitioner_client, practitioner):
    response = practitioner_client.get(reverse("clinic:my_time_off"))

    assert response["Location"] == reverse("clinic:time_off", args=[practitioner.pk])
    page = practitioner_client.get(response["Location"]).content.decode()
    assert "No time off booked." in page
    assert 'href="/clinic/schedules/my-time-off/"' in page, "in the navigation"


@pytest.mark.parametrize("name", ["clinic:schedules", "clinic:closures", "clinic:closure_new"])
def test_reception_and_practitioners_are_refused_the_managers_pages(
    reception_client, practitioner_client, outsider_client, client, name
):
    for http in (reception_client, practitioner_client, outsider_client):
        assert http.get(reverse(name)).status_code == 403
    assert client.get(reverse(name))["Location"].startswith(reverse("login"))


# --- The weekly hours grid ------------------------------------------------------------------


def _grid(rows):
    """The grid's POST: each row (weekday, start, end, delete) as the page sends it."""
    data = {"hours-TOTAL_FORMS": str(len(rows)), "hours-INITIAL_FORMS": str(len(rows))}
    for n, (weekday, start, end, *delete) in enumerate(rows):
        data[f"hours-{n}-weekday"] = str(weekday)
        data[f"hours-{n}-start"] = start
        data[f"hours-{n}-end"] = end
        if delete:
            data[f"hours-{n}-DELETE"] = "on"
    return data


def _week(practitioner):
    return list(WorkingHours.objects.filter(practitioner=practitioner).values_list("weekday", "start", "end"))


def test_the_grid_shows_the_week_with_room_to_add(manager_client, practitioner):
    give_hours(practitioner, days=(0,), intervals=((time(9), time(13)), (time(14), time(18))))

    response = manager_client.get(reverse("clinic:working_hours", args=[practitioner.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="09:00"' in page and 'value="18:00"' in page
    assert "Sunday" in page
    assert 'name="hours-TOTAL_FORMS" value="16"' in page  # 2 saved + 2 empty for each of 7 days


def test_the_grid_saves_the_week(manager_client, practitioner):
    give_hours(practitioner, days=(0, 1))
    rows = [(0, "09:00", "13:00"), (0, "14:00", "18:00"), (1, "08:00", "20:00", "delete"), (2, "", "")]

    response = manager_client.post(reverse("clinic:working_hours", args=[practitioner.pk]), _grid(rows))

    assert response.status_code == 302
    assert _week(practitioner) == [(0, time(9), time(13)), (0, time(14), time(18))]


def test_an_end_before_the_start_is_refused_next_to_the_field(manager_client, practitioner):
    give_hours(practitioner, days=(0,))
    rows = [(0, "08:00", "20:00"), (3, "12:00", "09:00")]

    response = manager_client.post(reverse("clinic:working_hours", args=[practitioner.pk]), _grid(rows))

    page = response.content.decode()
    assert response.status_code == 400
    assert (
        '<div class="invalid-feedback d-block" id="hours-1-end-error">The end must be after the start.</div>'
        in page
    )
    assert 'value="12:00"' in page and 'value="09:00"' in page, "the input is kept"
    assert 'aria-describedby="hours-1-end-error"' in page
    assert _week(practitioner) == [(0, time(8), time(20))], "nothing saved"


def test_overlapping_intervals_are_refused_naming_the_other(manager_client, practitioner):
    rows = [(0, "09:00", "13:00"), (0, "12:00", "15:00"), (1, "09:00", "17:00")]

    response = manager_client.post(reverse("clinic:working_hours", args=[practitioner.pk]), _grid(rows))

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="hours-1-start-error">Overlaps 09:00\u201313:00 on Monday.</div>' in page
    assert not WorkingHours.objects.exists()


def test_half_an_interval_is_refused(manager_client, practitioner):
    response = manager_client.post(
        reverse("clinic:working_hours", args=[practitioner.pk]), _grid([(4, "09:00", "")])
    )

    assert response.status_code == 400
    assert "Enter both the start and the end (or neither)." in response.content.decode()


def test_the_service_refuses_an_overlap_whoever_calls_it(practitioner):
    with pytest.raises(ScheduleInvalid) as refusal:
        set_working_hours(practitioner, [HoursRow(2, time(9), time(12)), HoursRow(2, time(8), time(10))])
    assert refusal.value.rows == {0: ("start", "Overlaps 08:00\u201310:00 on Wednesday.")}

    give_hours(practitioner, days=(2,), intervals=((time(9), time(13)),))
    with pytest.raises(ScheduleInvalid):
        save_working_hours(WorkingHours(practitioner=practitioner, weekday=2, start=time(12), end=time(14)))
    assert _week(practitioner) == [(2, time(9), time(13))]


# --- The back office: the same checks, in plain words ---------------------------------------------


@pytest.fixture
def admin_client(manager):
    manager.is_staff = True
    manager.save()
    return login_client(manager)


def test_the_admin_shows_end_before_start_in_plain_words(admin_client, practitioner):
    data = {"practitioner": practitioner.pk, "weekday": 0, "start": "12:00", "end": "09:00"}

    response = admin_client.post(reverse("admin:practitioners_workinghours_add"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The end must be after the start." in page
    assert "working_hours_end_after_start" not in page and "is violated" not in page
    assert not WorkingHours.objects.exists()


def test_the_admin_refuses_an_overlap_with_the_grids_message(admin_client, practitioner):
    give_hours(practitioner, days=(0,), intervals=((time(9), time(13)),))
    data = {"practitioner": practitioner.pk, "weekday": 0, "start": "12:00", "end": "15:00"}

    response = admin_client.post(reverse("admin:practitioners_workinghours_add"), data)

    assert "Overlaps 09:00\u201313:00 on Monday." in response.content.decode()
    assert WorkingHours.objects.count() == 1


def test_the_admins_inline_rows_are_checked_as_one_week(admin_client, practitioner):
    url = reverse("admin:practitioners_practitioner_change", args=[practitioner.pk])
    data = practitioner_admin_form(
        practitioner,
        **{
            "working_hours-TOTAL_FORMS": 2,
            "working_hours-0-weekday": 4,
            "working_hours-0-start": "09:00",
            "working_hours-0-end": "13:00",
            "working_hours-1-weekday": 4,
            "working_hours-1-start": "10:00",
            "working_hours-1-end": "11:00",
        },
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Overlaps 09:00\u201313:00 on Friday." in response.content.decode()
    assert not WorkingHours.objects.exists()


def test_the_admin_refuses_a_closure_over_booked_sessions_pointing_to_the_page(admin_client, busy_day):
    day, _bookings = busy_day

    response = admin_client.post(reverse("admin:clinic_closure_add"), _closure_form(day))

    assert response.status_code == 200
    assert "10 booked sessions fall in these days" in response.content.decode()
    assert not Closure.objects.exists()
    elsewhere = admin_client.post(reverse("admin:clinic_closure_add"), _closure_form(day + timedelta(days=1)))
    assert elsewhere.status_code == 302


def test_a_session_that_cannot_move_is_left_and_named(manager_client, busy_day, practitioner, mailoutbox):
    """The move service's own checks decide: a practitioner who takes no new bookings keeps the
    sessions where they are, and the page says which and why."""
    day, bookings = busy_day
    practitioner.is_active = False
    practitioner.save()

    response = manager_client.post(
        reverse("clinic:closure_new"), {**_closure_form(day), **_apply(bookings, "move")}, follow=True
    )
    run_outbox_worker()

    page = response.content.decode()
    assert Closure.objects.count() == 1
    assert page.count("Not moved:") == 10
    assert "takes no new bookings" in page
    assert [b.start for b in Booking.objects.order_by("start")] == [b.start for b in bookings]
    assert mailoutbox == []


def test_a_manager_changes_a_practitioners_time_off(manager_client, practitioner):
    item = make_time_off(practitioner, future_day(weeks=4))
    later = future_day(weeks=5)

    response = manager_client.post(
        reverse("clinic:time_off_edit", args=[item.pk]),
        {"start_date": later.isoformat(), "end_date": later.isoformat(), "reason": "Moved course"},
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.start_date, item.reason, item.practitioner) == (later, "Moved course", practitioner)


def test_a_closure_cancelling_sessions_is_never_the_clients_late_cancellation(
    manager_client, busy_day, settings
):
    settings.LATE_CANCEL_HOURS = 24 * 365  # every one of these cancellations is "within notice"
    day, bookings = busy_day
    manager_client.post(reverse("clinic:closure_new"), {**_closure_form(day), **_apply(bookings, "cancel")})
    cancelled = Booking.objects.filter(pk__in=[b.pk for b in bookings], status=BookingStatus.CANCELLED)
    assert cancelled.count() == 10
    assert not cancelled.filter(late_cancellation=True).exists()
