"""Dates and ids read from requests stay inside what the clinic and the database can handle."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from clinic.kernel.dates import parse_day, parse_id, validate_clinic_date

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("", TODAY),
        (None, TODAY),
        ("garbage", TODAY),
        ("2026-02-30", TODAY),
        ("9999-12-31", TODAY),
        ("0001-01-01", TODAY),
    ],
)
def test_parse_day(raw, expected):
    assert parse_day(raw, TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("", None), (None, None), ("²", None), ("-3", None), ("1e3", None), ("9" * 40, None)],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_validator_refuses_dates_outside_the_clinic_range():
    validate_clinic_date(date(1950, 5, 5))
    for bad in (date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31)):
        with pytest.raises(ValidationError, match="between"):
            validate_clinic_date(bad)
