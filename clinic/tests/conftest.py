"""Clinic fixtures: a room, a service both test practitioners offer, open working hours."""

from __future__ import annotations

import pytest

from clinic.online.models import OnlineSettings
from clinic.tests.builders import give_hours, make_room, make_service
from conftest import login_client


@pytest.fixture
def room(db):
    return make_room(name="Bamboo")


@pytest.fixture
def service(practitioner, other_practitioner):
    give_hours(practitioner)
    give_hours(other_practitioner)
    return make_service(name="Acupressure 60", practitioners=[practitioner, other_practitioner])


@pytest.fixture
def back_office(manager):
    """The manager logged in to the Django admin."""
    manager.is_staff = True
    manager.save()
    return login_client(manager)


@pytest.fixture
def config(service, practitioner, other_practitioner, room):
    """Online booking open for the service with both practitioners, two hours' notice."""
    row = OnlineSettings.current()
    row.enabled = True
    row.minimum_notice_hours = 2
    row.save()
    row.services.set([service])
    row.practitioners.set([practitioner, other_practitioner])
    return row
