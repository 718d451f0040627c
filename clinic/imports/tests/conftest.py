"""Import fixtures: the clinic tests' room and service (both test practitioners offer it all day,
every day), and a day far enough ahead whose date can't be read two ways (its day of the month
is over 12)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clinic.tests.builders import future_day
from clinic.tests.conftest import room, service

__all__ = ["day", "room", "service"]


@pytest.fixture
def day() -> date:
    found = future_day()
    while found.day <= 12:
        found += timedelta(days=7)
    return found
