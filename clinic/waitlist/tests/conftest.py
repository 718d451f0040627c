"""Waitlist fixtures: a service both test practitioners offer, open working hours."""

from __future__ import annotations

import pytest

from clinic.tests.builders import give_hours, make_room, make_service


@pytest.fixture
def room(db):
    return make_room(name="Bamboo")


@pytest.fixture
def service(practitioner, other_practitioner, room):
    give_hours(practitioner)
    give_hours(other_practitioner)
    return make_service(name="Acupressure 60", practitioners=[practitioner, other_practitioner])
