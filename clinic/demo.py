"""Demo data for the front desk: rooms, services, working hours, time off, a closure, and four
weeks of past and one week of coming bookings for the demo clients. The demo clinic opens every
day (weekend mornings included), so whatever day the demo is tried, today's desk and My day have sessions,
and one client is always in the room now, ready for a note. Idempotent: a second run the same
day changes nothing, and a run on another day only adds bookings where the calendar is free."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clients.models import Client
from clinic.kernel.dates import clinic_tz, local_datetime
from clinic.models import ACTIVE_STATUSES, Booking, BookingStatus, Closure, Modality, Room, Service
from clinic.online.services import save_settings
from practitioners.models import Practitioner, TimeOff, WorkingHours

ROOMS = ["Bamboo", "Lotus", "Cedar"]
# name, modality, minutes, buffer, price, practitioners (display names)
SERVICES = [
    ("Acupressure 60", Modality.TCM_ACUPRESSURE, 60, 15, "65.00", ["Amara Okafor", "Kenji Sato"]),
    ("Acupressure 90", Modality.TCM_ACUPRESSURE, 90, 15, "90.00", ["Amara Okafor"]),
    ("Shiatsu 60", Modality.JAPANESE, 60, 15, "70.00", ["Kenji Sato"]),
    ("Korean hand therapy 45", Modality.KOREAN, 45, 10, "50.00", ["Amara Okafor", "Kenji Sato"]),
    ("Massage therapy 60", Modality.MASSAGE, 60, 15, "65.00", ["Lucía Fernández"]),
]
MORNING, AFTERNOON = (time(9), time(13)), (time(14), time(18))
# display name -> weekdays with a full day (lunch 13-14), weekdays with a morning only
HOURS = {
    "Amara Okafor": ((0, 1, 2, 3, 4), (5, 6)),
    "Kenji Sato": ((0, 1, 3, 4), (2, 5)),
    "Lucía Fernández": ((1, 2, 3, 4), (6,)),
}
# practitioner, service, local start times each working day (afternoon ones on full days only)
DAILY = {
    "Amara Okafor": ("Acupressure 60", [time(9, 30), time(11), time(14), time(16)]),
    "Kenji Sato": ("Shiatsu 60", [time(9), time(10, 30), time(15)]),
    "Lucía Fernández": ("Massage therapy 60", [time(10), time(14, 30), time(16)]),
}


def seed(stdout: Any) -> None:
    rooms = [
        Room.objects.update_or_create(name=name, defaults={"calendar_order": i})[0]
        for i, name in enumerate(ROOMS)
    ]
    practitioners = {p.display_name: p for p in Practitioner.objects.filter(display_name__in=HOURS)}
    services = {}
    for name, modality, minutes, buffer, price, who in SERVICES:
        service, _ = Service.objects.update_or_create(
            name=name,
            defaults={
                "modality": modality, "duration_minutes": minutes, "buffer_minutes": buffer,
                "price": Decimal(price), "needs_room": True,
            },
        )  # fmt: skip
        service.practitioners.set([practitioners[n] for n in who if n in practitioners])
        services[name] = service
    for name, (full_days, mornings) in HOURS.items():
        practitioner = practitioners.get(name)
        if practitioner is None:
            continue
        for day in full_days:
            for start, end in (MORNING, AFTERNOON):
                WorkingHours.objects.get_or_create(
                    practitioner=practitioner, weekday=day, start=start, end=end
                )
        for day in mornings:
            WorkingHours.objects.get_or_create(
                practitioner=practitioner, weekday=day, start=time(9), end=time(13)
            )
    today = timezone.localdate()
    if (lucia := practitioners.get("Lucía Fernández")) is not None:
        off = today + timedelta(days=10)
        TimeOff.objects.get_or_create(practitioner=lucia, start_date=off, end_date=off + timedelta(days=2),
                                      defaults={"reason": "Course on lymphatic drainage"})  # fmt: skip
    holiday = _next_weekday(today + timedelta(days=21), 0)
    Closure.objects.get_or_create(start_date=holiday, end_date=holiday, defaults={"reason": "Bank holiday"})
    made = _bookings(today, practitioners, services, rooms)
    # The demo takes bookings online (off by default in production): everything, everyone.
    save_settings(
        fields={
            "enabled": True,
            "waitlist_online": True,
            "services": list(services.values()),
            "practitioners": list(practitioners.values()),
        }
    )
    stdout.write(f"clinic: {len(rooms)} rooms, {len(services)} services, {made} new bookings.")


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _bookings(today: date, practitioners: dict, services: dict, rooms: list[Room]) -> int:
    clients = list(Client.objects.active().order_by("last_name", "first_name"))
    if not clients:
        return 0
    tz, now, made, turn = clinic_tz(), timezone.now(), 0, 0
    for offset in range(-28, 8):
        day = today + timedelta(days=offset)
        for room_index, (name, (service_name, starts)) in enumerate(DAILY.items()):
            practitioner, service = practitioners.get(name), services[service_name]
            full_days, mornings = HOURS[name]
            if practitioner is None or day.weekday() not in (*full_days, *mornings):
                continue
            for at in starts:
                if day.weekday() not in full_days and at >= MORNING[1]:
                    continue
                start = local_datetime(day, at, tz)
                end = start + service.duration
                client = clients[turn % len(clients)]
                turn += 1
                room = rooms[room_index % len(rooms)]
                if _taken(practitioner, client, room, start, end, end + service.buffer):
                    continue
                status = _status(start, end, now, turn)
                Booking.objects.create(
                    client=client, practitioner=practitioner, service=service, room=room, start=start,
                    end=end, blocks_until=end + service.buffer, status=status, created_at=now,
                    reception_note="Demo booking",
                )  # fmt: skip
                made += 1
    return made + _someone_in_the_room(practitioners, services, clients, rooms, now)


def _someone_in_the_room(practitioners: dict, services: dict, clients: list, rooms: list[Room], now) -> int:
    """Unless a session of today is under way, a client arrived a few minutes ago, whatever the
    hour (the first practitioner free then): the demo always has a note ready to write."""
    tz = clinic_tz()
    today_start = local_datetime(timezone.localdate(), time(0), tz)
    if Booking.objects.filter(
        status=BookingStatus.ARRIVED, start__gte=today_start, start__lt=today_start + timedelta(days=1)
    ).exists():
        return 0
    local_now = timezone.localtime(now, tz)
    quarter = local_datetime(local_now.date(), time(local_now.hour, local_now.minute // 15 * 15), tz)
    starts = [max(quarter - timedelta(minutes=back), today_start) for back in (15, 0, 30)]
    for name, (service_name, _starts) in DAILY.items():
        practitioner, service = practitioners.get(name), services[service_name]
        if practitioner is None:
            continue
        for start in starts:
            end = start + service.duration
            for client, room in ((c, r) for c in clients for r in rooms):
                if _taken(practitioner, client, room, start, end, end + service.buffer):
                    continue
                Booking.objects.create(
                    client=client, practitioner=practitioner, service=service, room=room, start=start,
                    end=end, blocks_until=end + service.buffer, status=BookingStatus.ARRIVED,
                    created_at=now, reception_note="Demo booking: in the room now",
                )  # fmt: skip
                return 1
    return 0


def _taken(practitioner, client, room, start, end, blocks_until) -> bool:
    active = Booking.objects.filter(status__in=ACTIVE_STATUSES)
    return (
        active.filter(practitioner=practitioner).overlapping(start, end).exists()
        or active.filter(client=client).overlapping(start, end).exists()
        or active.filter(room=room).overlapping(start, blocks_until, until="blocks_until").exists()
        or Booking.objects.filter(
            practitioner=practitioner, start=start, reception_note="Demo booking"
        ).exists()
    )


def _status(start, end, now, turn: int) -> str:
    if end <= now:
        return BookingStatus.NO_SHOW if turn % 11 == 0 else BookingStatus.COMPLETED
    if start <= now:
        return BookingStatus.ARRIVED
    return BookingStatus.BOOKED
