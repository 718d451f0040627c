"""Statements compiled once (clinic.kernel.statements): the same rows as the queryset they are
built from, with each run's own values, in one query, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db.models import Count, DateTimeField, F

from clients.models import Client
from clinic.kernel.statements import In, Slot, Statement
from clinic.models import Booking
from clinic.tests.builders import future_day, local, make_booking, make_room, make_service
from conftest import make_practitioner

pytestmark = pytest.mark.django_db

DAY = future_day()


def _day_of_bookings():
    ann, bob = make_practitioner(display_name="Ann"), make_practitioner(display_name="Bob")
    service = make_service(practitioners=[ann, bob])
    room = make_room(name="Garden")
    made = [
        make_booking(practitioner=ann, service=service, start=local(DAY, 9), room=room),
        make_booking(practitioner=ann, service=service, start=local(DAY, 11)),
        make_booking(practitioner=bob, service=service, start=local(DAY, 10)),
        make_booking(practitioner=bob, service=service, start=local(DAY, 15)),
    ]
    return ann, bob, made


def _built():
    """Bookings of some practitioners overlapping a span, with their client, service and room
    joined, and an annotation: what a calendar reads."""
    return (
        Booking.objects.filter(
            In("practitioner_id", "practitioners"),
            start__lt=Slot("end", DateTimeField()),
            end__gt=Slot("start", DateTimeField()),
        )
        .select_related("client", "service", "room")
        .annotate(later=F("start"), moves=Count("pk"))
        .order_by("start")
    )


def _rows(bookings):
    return [
        (
            b.pk,
            b.start,
            b.client.display_name,
            b.service.name,
            b.room.name if b.room else None,
            b.later,
            b.moves,
        )
        for b in bookings
    ]


def test_the_rows_are_those_of_the_queryset_with_each_runs_own_values(django_assert_num_queries):
    ann, bob, made = _day_of_bookings()
    statement = Statement(Booking, _built)
    for practitioners, start, end in (
        ([ann.pk, bob.pk], local(DAY, 0), local(DAY, 23)),
        ([ann.pk], local(DAY, 0), local(DAY, 23)),
        ([bob.pk], local(DAY, 12), local(DAY, 23)),
        ([ann.pk, bob.pk], local(DAY, 10, 30), local(DAY, 11, 30)),
    ):
        expected = (
            Booking.objects.filter(practitioner_id__in=practitioners)
            .filter(start__lt=end, end__gt=start)
            .select_related("client", "service", "room")
            .annotate(later=F("start"), moves=Count("pk"))
            .order_by("start")
        )
        with django_assert_num_queries(1):
            got = statement.all(practitioners=practitioners, start=start, end=end)
        assert _rows(got) == _rows(expected)
        assert got  # each span holds some of the day's bookings
    everyone = statement.all(practitioners=[ann.pk, bob.pk], start=local(DAY, 0), end=local(DAY, 23))
    assert [b.pk for b in everyone] == [made[0].pk, made[2].pk, made[1].pk, made[3].pk]
    assert everyone[0].room.name == "Garden" and everyone[1].room is None
    assert not everyone[0]._state.adding  # saved instances, as a queryset gives them


def test_it_is_built_and_compiled_once_however_often_it_runs():
    ann, _bob, _made = _day_of_bookings()
    builds = []

    def build():
        builds.append(1)
        return _built()

    statement = Statement(Booking, build)
    for hour in (8, 10, 12):
        statement.all(practitioners=[ann.pk], start=local(DAY, hour), end=local(DAY, 23))
    assert len(builds) == 1


def test_no_id_no_row():
    ann, _bob, _made = _day_of_bookings()
    statement = Statement(Booking, _built)
    assert statement.all(practitioners=[], start=local(DAY, 0), end=local(DAY, 23)) == []
    assert statement.all(practitioners=[ann.pk + 1000], start=local(DAY, 0), end=local(DAY, 23)) == []


def test_a_missing_or_unknown_value_is_refused_by_name():
    statement = Statement(Booking, _built)
    with pytest.raises(TypeError, match="No value for end"):
        statement.all(practitioners=[1], start=local(DAY, 0))
    with pytest.raises(TypeError, match="No slot named room"):
        statement.all(practitioners=[1], start=local(DAY, 0), end=local(DAY, 1), room=3)


def test_ids_are_numbers_not_text_for_the_statement():
    statement = Statement(Booking, _built)
    with pytest.raises(ValueError):
        statement.all(practitioners=["1 OR 1=1"], start=local(DAY, 0), end=local(DAY, 1))


def test_only_a_plain_read_of_the_named_model_is_a_statement():
    with pytest.raises(ValueError, match="reads Booking, not"):
        Statement(Client, _built).all(practitioners=[1], start=local(DAY, 0), end=local(DAY, 1))
    with pytest.raises(ValueError, match="without prefetching"):
        Statement(Booking, lambda: Booking.objects.prefetch_related("client")).all()
    with pytest.raises(ValueError, match="without prefetching"):
        Statement(Booking, lambda: Booking.objects.values("pk")).all()  # type: ignore[arg-type,return-value]
