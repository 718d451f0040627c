"""The demo clients cover the screening states and seeding twice changes nothing."""

from __future__ import annotations

import io

import pytest

from clients import demo
from clients.models import Client, HealthUpdate, Intake, IntakeSite, PhysicianClearance
from clients.screening import screenings_for

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Client, Intake, IntakeSite, PhysicianClearance, HealthUpdate)] + [
        Client.history.count()
    ]


def test_seed_is_idempotent_and_covers_every_state():
    demo.seed(io.StringIO())
    first = _counts()
    demo.seed(io.StringIO())
    assert _counts() == first
    assert Client.objects.count() == 12

    results = screenings_for(Client.objects.all())
    statuses = {r.status for r in results.values() if r.has_intake}
    assert statuses == {"clear", "caution", "needs_clearance", "do_not_treat"}
    assert any(not r.has_intake for r in results.values())
    assert any(r.intake_out_of_date for r in results.values())
    assert any(f.cleared for r in results.values() for f in r.findings)
    assert any(("lower_leg", "left") in r.regions_to_avoid for r in results.values())
    assert any(r.pressure_cap == 2 for r in results.values())
